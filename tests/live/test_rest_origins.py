"""REST takes a message as JSON only, and from a page only on an allowed origin (hardening issue, weak
item): a page on any site could post `text/plain` into a conversation, since such a request needs no CORS
preflight. Ports 5145/5195."""

import json
import uuid

import pytest

from tests.live.servers import running, texts

QUESTION = {"message": "How do I terminate a California group contract?"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running(tmp_path_factory.mktemp("rest-origins"), rasa_port=5145, actions_port=5195) as assistant:
        yield assistant


def body() -> bytes:
    return json.dumps({"sender": f"origin-{uuid.uuid4().hex}", **QUESTION}).encode()


def test_a_text_plain_post_is_refused_and_nothing_is_answered(live):
    status, reply = live.post(None, raw=body(), headers={"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in json.loads(reply)["error"] and "800-790-4661" not in reply


def test_a_post_from_another_sites_page_is_refused(live):
    status, reply = live.post(None, raw=body(), headers={"Origin": "http://evil.example"})
    assert status == 403 and "800-790-4661" not in reply


def test_json_from_the_widgets_origin_or_from_no_page_is_answered(live):
    for headers in ({}, {"Origin": "http://localhost:8080"}):
        status, reply = live.post(None, raw=body(), headers=headers)
        assert status == 200 and "800-790-4661" in texts(json.loads(reply))
