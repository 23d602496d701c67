"""broker_faq/knowledge/runtime.py: the knowledge is checked for an operator's edit once per message
(`one_message`), not at each of the 10-20 uses a message makes of it. An edit reaches the next
message, never half of the one being handled, and a task started meanwhile is not held to it."""

import asyncio

import pytest

from broker_faq.knowledge import runtime
from tests.knowledge_files import copied

OLD, NEW = "1-866-868-7220", "1-866-868-0000 (new)"


@pytest.fixture
def knowledge(tmp_path, monkeypatch):
    directory = copied(tmp_path)
    monkeypatch.setattr(runtime, "_RUNTIME", runtime.Runtime(directory))
    return directory / "northwest.yml"


def edit(sheet):
    sheet.write_text(sheet.read_text().replace(OLD, NEW))


def serves(loaded, number):
    return number in str(loaded.knowledge.teams)


def test_an_edit_made_while_a_message_is_handled_reaches_the_next_message(knowledge):
    with runtime.one_message() as loaded:
        assert serves(loaded, OLD)
        edit(knowledge)
        assert runtime.current() is loaded
        with runtime.one_message() as inner:  # the socket.io channel's around the guard's
            assert inner is loaded
    assert serves(runtime.current(), NEW) and not serves(runtime.current(), OLD)


def test_a_task_started_during_a_message_reads_the_knowledge_in_force(knowledge):
    async def in_force():
        return runtime.current()

    async def message():
        with runtime.one_message() as loaded:
            edit(knowledge)
            return loaded, await asyncio.get_running_loop().create_task(in_force())

    loaded, in_task = asyncio.run(message())
    assert serves(loaded, OLD) and serves(in_task, NEW)
