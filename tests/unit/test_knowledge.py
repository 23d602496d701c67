"""The knowledge file: every contact it holds is in the source documents, and it fails loudly."""

import re

import pytest

from broker_faq.knowledge.loader import KnowledgeError, load_knowledge
from tests.conftest import SEEDS, digits
from tests.knowledge_files import copied

SOURCE_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def all_phones(knowledge):
    return [(team_id, p) for team_id, team in knowledge.teams.items() for p in team.get("phones", [])]


def test_every_phone_and_fax_is_in_the_sources(knowledge):
    source_digits = {digits(m) for m in re.findall(r"[\d][\d\s().-]{8,}\d", SOURCE_TEXT)}
    numbers = [p["number"] for _, p in all_phones(knowledge)]
    numbers += [t["fax"] for t in knowledge.teams.values() if t.get("fax")]
    for number in numbers:
        assert digits(number) in source_digits, f"{number} is not in the source documents"


def test_every_email_and_link_is_in_the_sources(knowledge):
    for team in knowledge.teams.values():
        for email in team.get("emails", []):
            assert email["address"] in SOURCE_TEXT
    for link in knowledge.links.values():
        assert link["url"] in SOURCE_TEXT


def test_every_source_file_exists(knowledge):
    for source in knowledge.sources.values():
        assert (SEEDS / source["file"]).is_file()


def test_account_management_support_is_4661_option_3_never_the_4611_erratum(knowledge):
    amt = knowledge.teams["ca_account_management_support"]["phones"]
    assert [(digits(p["number"]), p["option"]) for p in amt] == [("8007904661", "3")]
    assert "8007904611" not in {digits(p["number"]) for _, p in all_phones(knowledge)}


def test_faq_facts_match_the_faq(knowledge):
    assert knowledge.fact("cid_split_min_subscribers") == 13
    assert knowledge.fact("reinstatement_window_days") == 60
    for name in (
        "separation_time",
        "accumulator_transfer_time",
        "billing_catch_up_time",
        "oas_form",
        "declination_form",
        "creditable_coverage_letter",
    ):
        assert str(knowledge.fact(name)).lower() in SOURCE_TEXT.lower().replace("’", "'"), name


def test_every_entry_names_a_source_section(knowledge):
    for topic in knowledge.topics.values():
        for answer in topic.answers.values():
            assert answer.source.doc in knowledge.sources and answer.source.section


def _broken(tmp_path, mutate):
    return copied(tmp_path, mutate)


@pytest.mark.parametrize(
    "mutate, where",
    [
        (
            lambda k: k["california.yml"]["answers"]["stop_autopay"].update(contacts=["nobody"]),
            "california.yml: answers.stop_autopay.contacts[0]: unknown team 'nobody'",
        ),
        (
            lambda k: k["california.yml"]["answers"]["terminate_contract"].update(text="Call 800-790-4661 now."),
            "california.yml: answers.terminate_contract.text",
        ),
        (
            lambda k: k["northwest.yml"]["teams"]["nw_member_services"].pop("source"),
            "northwest.yml: teams.nw_member_services: missing 'source'",
        ),
        (
            lambda k: k["california.yml"]["answers"]["edi_after_split"].update(text="In {nonsense} days"),
            "unknown placeholder 'nonsense'",
        ),
        (lambda k: k["northwest.yml"].pop("source"), "northwest.yml: top level: missing 'source'"),
        (
            lambda k: k["northwest.yml"]["answers"].update(nw_only={"text": "x", "source": {"doc": "nw_contacts"}}),
            "northwest.yml: answers.nw_only: no such topic in topics.yml",
        ),
        (
            lambda k: k["northwest.yml"]["facts"].update(k["california.yml"]["facts"]),
            "facts.cid_split_min_subscribers: also in another file (one place for each fact)",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_the_place_named(tmp_path, mutate, where):
    with pytest.raises(KnowledgeError, match=re.escape(where)):
        load_knowledge(_broken(tmp_path, mutate))


def test_invalid_yaml_is_refused_with_the_file_named(tmp_path):
    path = copied(tmp_path)
    (path / "northwest.yml").write_text("teams: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"northwest\.yml: not valid YAML"):
        load_knowledge(path)


def test_no_answer_opens_with_a_bare_yes_or_no(knowledge):
    # "After the split the RAF gets recalculated, correct?" must not be met with the FAQ's "Yes." to its
    # own question ("Will the RAF stay the same?"): every answer states its fact.
    for topic in knowledge.topics.values():
        for where, answer in topic.answers.items():
            assert not re.match(r"\s*(yes|no)\b", answer.text, re.IGNORECASE), (topic.key, where)
