"""Live assistants for the tests: real action server + Rasa server on ports of their own, so a
developer's `make run` (5005/5055) can keep going beside them."""

import uuid

import pytest

from tests.live.servers import running


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The assistant's action and Rasa servers, shared by the tests that do not break them."""
    with running(tmp_path_factory.mktemp("assistant"), rasa_port=5105, actions_port=5155) as live:
        yield live


@pytest.fixture(scope="session")
def rest_url(assistant):
    return assistant.url


@pytest.fixture
def sender():
    return f"test-{uuid.uuid4().hex}"
