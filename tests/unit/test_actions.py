"""The Rasa actions over real rasa_sdk trackers: messages, buttons, payloads and slot events."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.fallback import ActionAskAffirmation
from actions.feedback import ActionRecordFeedback
from actions.tracker_adapter import STATE_SLOTS


@pytest.fixture
def tracker():
    """A tracker whose latest message is `text`, classified as `intent`, with entities and slots."""

    def make(intent, text, entities=(), slots=None, ranking=()):
        latest = {
            "intent": {"name": intent, "confidence": 0.9},
            "text": text,
            "entities": [
                {"entity": label, "value": value, "start": text.find(value), "end": text.find(value) + len(value)}
                for label, value in entities
            ],
            "intent_ranking": [{"name": name, "confidence": 0.1} for name in ranking],
        }
        return Tracker(
            "broker-1",
            {name: None for name in STATE_SLOTS} | (slots or {}),
            latest,
            [],
            False,
            None,
            {},
            "action_listen",
        )

    return make


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_answer_utters_text_payload_and_sets_slots(tracker):
    messages, slots = run(
        ActionAnswer(), tracker("terminate_contract", "terminate a group in Oakland", [("region", "Oakland")])
    )
    assert len(messages) == 1
    assert "800-790-4661, option 3" in messages[0]["text"]
    assert messages[0]["custom"]["contacts"][0]["team"] == "ca_account_management_support"
    assert slots == {
        "region": "northern_california",
        "last_topic": "terminate_contract",
        "last_teams": ["ca_account_management_support"],
    }  # what "fax?" would ask about


def test_follow_up_reads_slots_from_the_tracker(tracker):
    messages, slots = run(
        ActionAnswer(),
        tracker(
            "inform_region",
            "what about Oregon?",
            [("region", "Oregon")],
            slots={"region": "california", "last_topic": "terminate_contract"},
        ),
    )
    assert "503-813-2630, option 3" in messages[0]["text"]
    assert slots == {"region": "oregon", "last_teams": ["nw_small_business_group:account_management"]}


def test_question_back_carries_buttons_and_remembers_what_it_asked(tracker):
    messages, slots = run(ActionAnswer(), tracker("stop_autopay", "who turns off autopay?"))
    assert [b["title"] for b in messages[0]["buttons"]] == ["California", "Northwest (Oregon and Southwest Washington)"]
    assert messages[0]["buttons"][0]["payload"] == '/inform_region{"region": "california"}'
    assert slots == {"pending_topic": "stop_autopay", "requested": "region"}


def test_cid_split_count_slot_round_trips_as_a_number(tracker):
    # Rasa stores float slots; the action reads 14.0 back as 14 subscribers.
    messages, _ = run(
        ActionAnswer(),
        tracker(
            "affirm",
            "yes",
            slots={
                "pending_topic": "cid_split",
                "requested": "other_locations",
                "hq_area": "southern_california",
                "subscribers": 14.0,
            },
        ),
    )
    assert "may need to separate" in messages[0]["text"]


def test_fallback_offers_likeliest_topics(tracker):
    messages, slots = run(
        ActionAskAffirmation(),
        tracker(
            "nlu_fallback", "the 834 thing after the split", ranking=["nlu_fallback", "edi_after_split", "cid_split"]
        ),
    )
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "EDI files after a separation",
        "Separating a group's contract (CID split)",
        "Something else",
        "Talk to a person",  # issue 13: a person when the assistant is not enough
    ]
    assert messages[0]["buttons"][0]["payload"] == "/edi_after_split" and slots == {}
    assert messages[0]["buttons"][-1]["payload"] == "/human_handoff"


def test_feedback_is_tied_to_the_answer_it_rates(tracker):
    answered = [
        {
            "event": "bot",
            "text": "…",
            "data": {"custom": {"type": "answer", "topic": "stop_autopay", "region": "Oregon", "answer_id": "abc123"}},
        },
        {
            "event": "bot",
            "text": "…",
            "data": {"custom": {"type": "answer", "topic": "new_sales", "region": "Oregon", "answer_id": "def456"}},
        },
    ]
    rating = tracker(
        "rate_unhelpful",
        '/rate_unhelpful{"answer_id": "abc123", "comment": "wrong team"}',
        [("answer_id", "abc123"), ("comment", "wrong team")],
    )
    rating.events = answered
    messages, slots = run(ActionRecordFeedback(), rating)
    assert "reviews answers marked unhelpful" in messages[0]["text"]
    assert slots["feedback"] == {
        "rating": "unhelpful",
        "answer_id": "abc123",
        "topic": "stop_autopay",
        "region": "Oregon",
        "comment": "wrong team",
    }


def test_a_second_unhelpful_rating_offers_a_person_and_the_first_does_not(tracker):
    answer = {"event": "bot", "data": {"custom": {"type": "answer", "topic": "new_sales", "answer_id": "def456"}}}
    first = tracker("rate_unhelpful", "not helpful")
    first.events = [answer]
    second = tracker("rate_unhelpful", "still not helpful")
    second.events = [
        answer,
        {"event": "slot", "name": "feedback", "value": {"rating": "unhelpful", "answer_id": "def456"}},
        answer,
    ]
    assert run(ActionRecordFeedback(), first)[0][0]["buttons"] == []
    buttons = run(ActionRecordFeedback(), second)[0][0]["buttons"]
    assert buttons == [{"title": "Talk to a person", "payload": "/human_handoff"}]


def test_answering_talk_to_a_person_with_agents_connected_pauses_the_assistant(tracker):
    asked = tracker("human_handoff", "agent please", slots={"region": "oregon", "last_topic": "reinstatement"})
    asked.latest_message["metadata"] = {"desk": {"agents": 1}}
    asked.events = [
        {"event": "user", "text": "How do I reinstate an Oregon group?"},
        {"event": "user", "text": "agent please"},
    ]
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, asked, {})
    assert dispatcher.messages[0]["text"] == "Connecting you to an agent…"
    assert dispatcher.messages[0]["custom"]["question"] == "How do I reinstate an Oregon group?"
    assert {"event": "pause", "timestamp": None} in events


def test_without_agents_talk_to_a_person_does_not_pause(tracker):
    asked = tracker("human_handoff", "agent please", slots={"region": "oregon"})
    asked.latest_message["metadata"] = {"desk": {"agents": 0}}
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, asked, {})
    assert all(e["event"] != "pause" for e in events) and "Connecting" not in dispatcher.messages[0]["text"]


def test_typed_feedback_rates_the_latest_answer(tracker):
    rating = tracker("rate_helpful", "that was helpful")
    rating.events = [
        {"event": "bot", "data": {"custom": {"type": "answer", "topic": "new_sales", "answer_id": "def456"}}}
    ]
    _, slots = run(ActionRecordFeedback(), rating)
    assert slots["feedback"]["answer_id"] == "def456" and slots["feedback"]["rating"] == "helpful"


def test_feedback_before_any_answer_says_so(tracker):
    messages, slots = run(ActionRecordFeedback(), tracker("rate_unhelpful", "not helpful"))
    assert "no answer to rate yet" in messages[0]["text"] and slots == {}


def test_every_answer_payload_gets_an_id(tracker):
    messages, _ = run(ActionAnswer(), tracker("new_sales", "new sales in Portland", [("region", "Portland")]))
    assert len(messages[0]["custom"]["answer_id"]) == 32


def _portal_tracker(text, metadata=None, slots=None):
    latest = {"intent": {"name": "billing_questions", "confidence": 0.9}, "text": text, "entities": []}
    if metadata is not None:
        latest["metadata"] = metadata
    values = {name: None for name in STATE_SLOTS} | {"portal_context": None} | (slots or {})
    return Tracker("broker-1", values, latest, [], False, None, {}, "action_listen")


def test_the_portal_context_is_kept_from_the_first_message_that_carries_it():
    from tests.unit.test_portal_context import CLAIMS

    claims = {**CLAIMS, "open_group": "rose-city"}
    messages, slots = run(ActionAnswer(), _portal_tracker("who handles billing?", {"portal": claims}))
    assert messages[0]["text"].startswith("For Rose City Print Co. (Oregon):")
    assert slots["portal_context"]["open_group"] == "rose-city" and slots["group"] == "rose-city"
    # Later messages use the kept context; another message's metadata does not replace it.
    other = {**CLAIMS, "open_group": "bayview"}
    kept = {"portal_context": slots["portal_context"], "group": "rose-city", "region": "oregon"}
    messages, slots = run(ActionAnswer(), _portal_tracker("and the fax?", {"portal": other}, kept))
    assert "Bayview" not in messages[0]["text"] and "portal_context" not in slots


def test_malformed_portal_metadata_is_no_context():
    messages, slots = run(ActionAnswer(), _portal_tracker("who handles billing?", {"portal": {"groups": "x"}}))
    assert messages[0]["text"].startswith("Which region is the group in?") and "portal_context" not in slots
