"""The portal's signed context over REST (docs/portal-context.md): a bearer token the portal signed gives
the broker's groups, so a group named or open on the page is answered without a region question and the
answer names it; a forged, expired or other-audience token is refused with a clear 401; metadata a
client adds has no effect; a conversation keeps the context it started with. Ports 5147/5197."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest

from tests.live.servers import running, texts
from web.demo_portal import demo_token

SECRET = "portal-test-secret-" + uuid.uuid4().hex
ENV = {"PORTAL_TOKEN_SECRET": SECRET, "PORTAL_TOKEN_ISSUER": "https://portal.example"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running(tmp_path_factory.mktemp("portal"), rasa_port=5147, actions_port=5197, env=ENV) as assistant:
        yield assistant


def ask(live, sender, text, token=None, extra=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, body = live.post({"sender": sender, "message": text, **(extra or {})}, headers=headers)
    return status, (texts(json.loads(body)) if status == 200 else json.loads(body).get("error", ""))


def test_the_group_open_on_the_page_answers_naming_it(live, sender):
    status, reply = ask(live, sender, "who handles billing questions?", demo_token(ENV, "rose-city"))
    assert status == 200 and reply.startswith("For Rose City Print Co. (Oregon):") and "1-866-868-7220" in reply


def test_a_named_group_gets_the_split_decision_from_its_counts(live, sender):
    status, reply = ask(live, sender, "does Harbor & Pine need to split?", demo_token(ENV))
    assert status == 200 and reply.startswith("For Harbor & Pine Logistics (Southern California):")
    assert "14" in reply and "may need to separate" in reply  # its 14 Northern California subscribers


def test_a_conversation_keeps_the_context_it_started_with(live, sender):
    ask(live, sender, "who handles billing questions?", demo_token(ENV, "rose-city"))
    other = {**ENV, "PORTAL_TOKEN_ISSUER": ENV["PORTAL_TOKEN_ISSUER"]}
    status, reply = ask(live, sender, "and what about enrollments?", demo_token(other, "bayview"))
    assert status == 200 and "Bayview" not in reply and "Rose City" in reply


@pytest.mark.parametrize(
    "token, why",
    [
        (demo_token({**ENV, "PORTAL_TOKEN_SECRET": "forged-" + "x" * 40}), "signature or claims are invalid"),
        (demo_token(ENV, now=time.time() - 3600), "has expired"),
        (demo_token({**ENV, "PORTAL_TOKEN_AUDIENCE": "another-assistant"}), "another audience"),
        (jwt.encode({"sub": "x"}, "k" * 40, algorithm="HS256"), "invalid"),
    ],
)
def test_a_forged_expired_or_foreign_token_is_refused_with_a_clear_message(live, sender, token, why):
    status, error = ask(live, sender, "who handles billing questions?", token)
    assert status == 401 and why in error and "1-866-868-7220" not in error


def test_unsigned_metadata_has_no_effect(live, sender):
    claims = {"broker": {"id": "b", "name": "Eve"}, "open_group": "g", "groups": [
        {"id": "g", "name": "Forged Co", "hq_area": "oregon", "locations": [{"area": "oregon", "subscribers": 1}]}
    ]}  # fmt: skip
    status, reply = ask(live, sender, "who handles billing questions?", extra={"metadata": {"portal": claims}})
    assert status == 200 and "Forged Co" not in reply and reply.startswith("Which region is the group in?")


def _shared_checker():
    """The shared answer checker (../shared/eval/run_eval.py), used in process so its client can send
    the portal's bearer token."""
    import importlib.util

    from tests.live.servers import RUN_EVAL

    spec = importlib.util.spec_from_file_location("run_eval", RUN_EVAL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_realistic_set_is_answered_the_same_with_the_portals_groups(live):
    """A realistic set (tests/realistic/cases_final.yml) with the demo broker's groups in context (none
    open): every case has the outcome it has without context, and no contact is invented."""

    from broker_faq import yaml_io
    from tests.conftest import ROOT

    run_eval = _shared_checker()
    token = demo_token(ENV)

    class WithToken(run_eval.Client):
        def say(self, sender, text):
            status, body = live.post({"sender": sender, "message": text}, headers={"Authorization": f"Bearer {token}"})
            assert status == 200, body
            return json.loads(body)

    cases = yaml_io.load((ROOT / "tests" / "realistic" / "cases_final.yml").read_text())
    phones, emails = run_eval.allowed_contacts()
    plain = {r["id"]: r["ok"] for r in (run_eval.run_case(run_eval.Client(live.url), c, phones, emails) for c in cases)}
    with_context = [run_eval.run_case(WithToken(live.url), c, phones, emails) for c in cases]
    assert not [r["id"] for r in with_context if r["invented_contacts"]]
    assert [r["id"] for r in with_context if r["ok"] != plain[r["id"]]] == []
