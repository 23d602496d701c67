"""What a client types into a payload is checked against the knowledge before any use (issue 15,
findings 9 and 10): known places, teams, bounded counts and real dates are used; anything else is
dropped, so it can neither appear in the bot's words nor crash a computation."""

import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.tracker_adapter import STATE_SLOTS


def payload_turn(intent: str, entities: dict, slots: dict | None = None) -> Tracker:
    """A tracker whose latest message is the payload `/intent{entities}`, as Rasa parses it."""
    text = f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "text": text,
        "entities": [{"entity": label, "value": value, "start": 0, "end": 0} for label, value in entities.items()],
    }
    values = {name: None for name in STATE_SLOTS} | (slots or {})
    return Tracker("broker-1", values, latest, [], False, None, {}, "action_listen")


def answer(tracker: Tracker) -> tuple[str, dict]:
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, tracker, {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), {
        e["name"]: e["value"] for e in events if e["event"] == "slot"
    }


def asked_for_region(text: str) -> bool:
    return "Which region" in text


@pytest.mark.parametrize(
    "value",
    [
        "Colorado <img src=x>",
        "Colorado <img src=x onerror=alert(1)> Oregon",
        "<script>alert(1)</script>",
        "Oregon" + " " * 200 + "x" * 200,
        ["oregon"],
        {"key": "oregon"},
        "oregon\u202e<b>",
    ],
)
def test_a_region_the_knowledge_does_not_name_is_ignored(value):
    text, slots = answer(payload_turn("billing_questions", {"region": value}))
    assert asked_for_region(text), text  # as if no region had been given
    assert "<" not in text and "Colorado" not in text and "script" not in text
    assert "region" not in slots


@pytest.mark.parametrize("value", ["oregon", "Oregon", "Portland", "northern_california", "San Diego"])
def test_a_region_the_knowledge_names_is_used(value):
    text, slots = answer(payload_turn("billing_questions", {"region": value}))
    assert not asked_for_region(text) and slots.get("region")


def test_an_uncovered_place_named_exactly_still_gets_the_honest_answer():
    text, _ = answer(payload_turn("billing_questions", {"region": "Colorado"}))
    assert "I only have California and Northwest" in text and "Colorado" in text


@pytest.mark.parametrize("count", ["²", "1e9", "99999999999", "-5", "12<b>", "٣"])
def test_an_odd_count_is_ignored_and_the_question_asked(count):
    text, slots = answer(
        payload_turn(
            "inform_count",
            {"count": count},
            {
                "pending_topic": "cid_split",
                "requested": "subscribers",
                "hq_area": "northern_california",
                "other_locations": True,
            },
        )  # fmt: skip
    )
    assert text and "subscribers" in text and count not in text
    assert "subscribers" not in slots


def test_a_count_in_range_is_used():
    text, slots = answer(
        payload_turn(
            "inform_count",
            {"count": "20"},
            {
                "pending_topic": "cid_split",
                "requested": "subscribers",
                "hq_area": "northern_california",
                "other_locations": True,
            },
        )  # fmt: skip
    )
    assert slots.get("subscribers") == 20 and "separate" in text


@pytest.mark.parametrize("date", ["12/31/9999", "9999-12-31", "01/01/0001", "31/31/2026", "10/31/2026 <img src=x>"])
def test_an_impossible_date_gets_the_question_again_not_a_crash(date):
    slots = {"pending_topic": "reinstatement", "requested": "termination_date", "region": "california"}
    text, new_slots = answer(payload_turn("inform_date", {"date": date}, slots))
    assert "termination date" in text and "<" not in text
    assert "termination_date" not in new_slots


def test_a_real_date_is_used():
    slots = {"pending_topic": "reinstatement", "requested": "termination_date", "region": "california"}
    text, new_slots = answer(payload_turn("inform_date", {"date": "10/31/2026"}, slots))
    assert new_slots.get("termination_date") == "2026-10-31" and "December 30, 2026" in text


@pytest.mark.parametrize(
    "text",
    [
        "the group terminated 12/31/9999, when is the reinstatement deadline?",
        "terminated 01/01/0001, can they reinstate?",
    ],
)
def test_a_typed_date_out_of_any_contract_s_range_is_asked_again(chat, text):
    reply = chat.say("reinstatement", text)
    assert reply.state.termination_date is None and "termination date" in reply.text


def test_a_typed_superscript_count_is_no_crash(chat):
    reply = chat.say("cid_split", "HQ in Oakland, ² subscribers in San Diego, split?")
    assert reply.state.subscribers is None and "subscribers" in reply.text
