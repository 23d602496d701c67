"""`make check-knowledge` passes on the real file and catches what an operator's edit can break."""

from ops.check_knowledge import main, problems
from tests.knowledge_files import copied


def edited(tmp_path, change):
    return str(copied(tmp_path, change))


def test_the_real_knowledge_file_passes(knowledge, capsys):
    assert problems(knowledge) == []
    assert main([]) == 0 and "knowledge OK" in capsys.readouterr().out


def test_the_4611_erratum_would_have_been_caught(tmp_path, capsys):
    path = edited(
        tmp_path,
        lambda k: k["california.yml"]["teams"]["ca_account_management_support"]["phones"].append(
            {"number": "800-790-4611", "option": "3"}
        ),
    )
    assert main([path]) == 1
    assert "2 different toll-free numbers: ['8007904611', '8007904661']" in capsys.readouterr().err


def test_an_unreachable_team_is_reported(tmp_path, capsys):
    path = edited(
        tmp_path,
        lambda k: k["northwest.yml"]["teams"].update(
            nw_orphan={
                "name": "Orphan desk",
                "region": "northwest",
                "phones": [{"number": "503-813-2630"}],
                "source": {"doc": "nw_contacts", "section": "Small Business Group"},
            }
        ),
    )
    assert main([path]) == 1 and "so no one can reach it" in capsys.readouterr().err


def test_an_intent_without_knowledge_is_reported(tmp_path, capsys):
    def without_web_support(k):
        k["topics.yml"]["topics"].pop("web_support")
        k["northwest.yml"]["answers"].pop("web_support")

    path = edited(tmp_path, without_web_support)
    assert main([path]) == 1
    assert "intent 'web_support' goes to action_answer but has no topic" in capsys.readouterr().err


def test_a_schema_error_names_the_place(tmp_path, capsys):
    path = edited(tmp_path, lambda k: k["northwest.yml"]["teams"]["nw_member_services"].pop("region"))
    assert main([path]) == 1 and "northwest.yml: teams.nw_member_services: missing 'region'" in capsys.readouterr().err
