"""A real assistant for the live tests: scripts/serve.sh (action server + Rasa server), on ports
of its own so a developer's `make run` can keep going beside it."""
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.rasa_cli import ENV, MODEL, ROOT

RASA_PORT, ACTIONS_PORT = 5105, 5155


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def rest_url(tmp_path_factory):
    assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    server = subprocess.Popen([str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True,
                              env={**ENV, "RASA_PORT": str(RASA_PORT), "ACTIONS_PORT": str(ACTIONS_PORT)})
    deadline = time.monotonic() + 240
    while not _ready(f"http://localhost:{RASA_PORT}/"):
        assert server.poll() is None, f"the assistant failed to start; see {log.name}"
        assert time.monotonic() < deadline, f"the assistant did not start in time; see {log.name}"
        time.sleep(1)
    yield f"http://localhost:{RASA_PORT}/webhooks/rest/webhook"
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
