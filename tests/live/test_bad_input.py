"""Whatever a broker pastes, the assistant answers clearly: never a crash, an empty answer or a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live.servers import texts

EMAIL_THREAD = """From: Jane Broker <jane@brokerage.example>
Sent: Monday, November 2, 2026 9:14 AM
To: Ops <ops@brokerage.example>
Subject: RE: RE: Acme Co contract

Hi team, the client (HQ in Oakland, 20 subscribers in San Diego) asked whether they must split.
> On Fri, Oct 30, 2026, Ops wrote:
> Can you check with Kaiser? Thanks!
"""


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "looks empty"),
        ("   \n\t  ", "looks empty"),
        ("\x00\x01\x02", "looks empty"),
        ("x" * 10_001, "the limit is 5,000 characters"),
        ("How do I terminate a California group\x00 contract?\x07", "800-790-4661, option 3"),
    ],
)
def test_named_bad_messages_get_a_clear_reply(assistant, sender, message, expected):
    assert expected in texts(assistant.say(sender, message))


@pytest.mark.parametrize(
    "message",
    [
        "🙂🙂 who handles billing questions in Oregon? 🙏",
        "¿Quién maneja la facturación en Oregón? café, niño",
        "如何终止加州小团体合同？",
        "Как расторгнуть договор в Калифорнии?",
        "<script>alert(1)</script> terminate contract",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "{slot} {{region}} %s %(name)s ${HOME}",
        "/inform_region{not json",
        EMAIL_THREAD,
    ],
)
def test_odd_text_gets_a_non_empty_reply(assistant, sender, message):
    reply = texts(assistant.say(sender, message))
    assert reply.strip()
    assert "<script>" not in reply and "<img" not in reply


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"{not json", "json"),
        (b"[1, 2, 3]", "Expected a JSON object"),
        (json.dumps({"sender": "abc", "message": "hi"}).encode(), "'sender' must be a random conversation id"),
        (json.dumps({"sender": 12345678901234567, "message": "hi"}).encode(), "'sender' must be"),
        (json.dumps({"sender": "a" * 20, "message": 42}).encode(), "'message' must be a string"),
        (json.dumps({"sender": "a" * 20}).encode(), "'message' must be a string"),
    ],
)
def test_malformed_requests_get_a_4xx_with_a_reason(assistant, raw, reason):
    status, body = assistant.post(None, raw=raw)
    assert 400 <= status < 500 and reason.lower() in body.lower()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.text(max_size=300))
def test_any_text_gets_a_non_empty_reply(assistant, message):
    assert texts(assistant.say("fuzz-conversation-0001", message)).strip()
