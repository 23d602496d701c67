"""The production profile on this machine: PostgreSQL, Redis, nginx and two Rasa servers, all on
loopback, all stopped at the end, also when a test or a start fails."""

import uuid

import pytest

from tests.scale.cluster import RASA_PORTS, Cluster
from tests.scale.services import Services


@pytest.fixture(scope="session")
def services():
    started = Services()
    try:
        started.init_postgres()
        started.start_redis()
        started.start_nginx(RASA_PORTS)
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="session")
def cluster(services, tmp_path_factory):
    started = Cluster(services, tmp_path_factory.mktemp("cluster"))
    try:
        started.start()
        yield started
    finally:
        started.stop()


@pytest.fixture
def sender():
    return f"scale-{uuid.uuid4().hex}"
