"""A removed, reset or signed-out agent loses the desk (hardening issue, item 2): the open /desk socket of
an agent whose account is removed, whose password is reset or who signs out of the console is cut within
about a second, even while idle, and a pass issued before the change opens nothing. Ports 5143/5193."""

import asyncio
import time

import pytest
import socketio

from tests.live.servers import running
from tests.live.sockets import Desk
from tokens.signed import AgentTokens
from web.accounts import AccountStore

RASA_PORT, ACTIONS_PORT = 5143, 5193
URL = f"http://localhost:{RASA_PORT}"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("desk-revocation")
    accounts = AccountStore(workdir / "agents.json")
    for name in ("maria", "sam", "lee", "kim"):
        accounts.add(name)
    with running(workdir, rasa_port=RASA_PORT, actions_port=ACTIONS_PORT) as assistant:
        yield assistant, accounts


def agent_pass(live, agent: str) -> str:
    assistant, _ = live
    return AgentTokens((assistant.workdir / "session-token.key").read_text().strip()).issue(agent)


async def cut_within(desk: Desk, seconds: float) -> float:
    """Seconds until the server closes the desk socket."""
    start = time.monotonic()
    while desk.client.connected and time.monotonic() - start < seconds:
        await asyncio.sleep(0.05)
    return time.monotonic() - start


@pytest.mark.parametrize("change", ["remove", "reset", "signed_out"])
def test_an_idle_desk_is_cut_within_a_second_of_the_account_change(live, change, record_figure):
    _, accounts = live
    name = {"remove": "maria", "reset": "sam", "signed_out": "kim"}[change]

    async def scenario():
        desk = Desk(URL, agent_pass(live, name))
        await desk.connect()
        await asyncio.sleep(1.2)  # a pass is issued to the second: the change comes after it
        getattr(accounts, change)(name)
        took = await cut_within(desk, 5)
        connected = desk.client.connected
        await desk.close()
        return took, connected

    took, connected = asyncio.run(scenario())
    record_figure(f"desk cut after an account {change}", f"{1000 * took:.0f} ms")
    assert not connected and took < 2.5


def test_a_pass_issued_before_a_removal_opens_nothing(live):
    _, accounts = live
    token = agent_pass(live, "lee")
    accounts.remove("lee")

    async def scenario():
        desk = Desk(URL, token)
        try:
            await desk.connect()
        except socketio.exceptions.ConnectionError:
            return False
        connected = desk.client.connected
        await desk.close()
        return connected

    assert asyncio.run(scenario()) is False
