"""An operator edits the knowledge file: the answer changes on the next message, with no code
change and no restart; a broken edit is refused and the last good knowledge keeps answering."""

import pytest

from tests.knowledge_files import copied
from tests.live.servers import running, texts

QUESTION = "phone number of the Consolidated Service Center"


@pytest.fixture(scope="module")
def editable(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("editable")
    knowledge = copied(workdir)
    with running(workdir, rasa_port=5108, actions_port=5158, env={"KNOWLEDGE_DIR": str(knowledge)}) as live:
        yield live, knowledge / "northwest.yml"


def test_an_edited_phone_number_reaches_the_answer_and_a_broken_edit_is_refused(editable, sender):
    live, knowledge = editable
    assert "1-866-868-7220" in texts(live.say(sender, QUESTION))

    # Stands in for an operator's correction; never a number the assistant would give for real.
    knowledge.write_text(knowledge.read_text().replace("1-866-868-7220", "1-866-868-0000"))
    reply = texts(live.say(sender, QUESTION))
    assert "1-866-868-0000" in reply and "1-866-868-7220" not in reply

    knowledge.write_text(knowledge.read_text().replace("teams:", "teams: [broken", 1))
    assert "1-866-868-0000" in texts(live.say(sender, QUESTION))
    assert "Knowledge edit refused" in (live.workdir / "actions.log").read_text()
