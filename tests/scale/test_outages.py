"""Redis or PostgreSQL restarted under the running servers: the broker is told clearly, the health
check says so, and the conversation goes on once the store is back, with no Rasa restart."""

import time

import pytest

from tests.live.servers import health
from tests.scale.cluster import BALANCED, RASA_PORTS, say

AMT_LINE = "800-790-4661, option 3"
OREGON_LINE = "503-813-2630, option 3"


def all_healthy(within_seconds: float = 30) -> bool:
    deadline = time.monotonic() + within_seconds
    while time.monotonic() < deadline:
        if all(health(port) == 200 for port in RASA_PORTS):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize(
    "store, log_line",
    [("redis", "Lock store unavailable, message refused"), ("postgres", "Tracker store unavailable, message refused")],
)
def test_store_restart_is_reported_and_recovered_from(cluster, services, sender, store, log_line):
    stop, start = getattr(services, f"stop_{store}"), getattr(services, f"start_{store}")
    assert "Oakland" not in say(BALANCED, sender, "How do I terminate a small group contract in Oakland?")
    stop()
    try:
        for _ in RASA_PORTS:  # nginx sends these to each server in turn
            reply = say(BALANCED, sender, "what about Oregon?")
            assert "can't save this conversation right now" in reply and AMT_LINE in reply
        assert [health(port) for port in RASA_PORTS] == [503] * len(RASA_PORTS)
    finally:
        start()
    assert all_healthy(), "the servers did not see the store come back"
    for _ in RASA_PORTS:
        assert OREGON_LINE in say(BALANCED, sender, "what about Oregon?")
    assert log_line in cluster.logs()
