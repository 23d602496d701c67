"""rasa_server/patches.py: the action call keeps Rasa's checks (every action server response is
still validated, and a malformed one refused with Rasa's own message, only without rebuilding the
validator each time), times out after 10 s, and the loaded model is kept out of full collections."""

import asyncio
import gc
import warnings

import jsonschema
import pytest
from rasa.core.actions import action
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server.hooks import freeze_loaded_objects
from rasa_server.patches import _plainly_valid, apply

apply()  # as the channel guard does when the Rasa server builds the channels

RESPONSES = [
    {"events": [], "responses": [{"text": "Call 800-790-4661, option 3."}]},
    {"events": [{"event": "slot", "name": "region", "value": "california"}], "responses": []},
    {"events": [{"event": "slot", "name": "region"}], "responses": []},  # no value: invalid
    {"events": [{"event": "no-such-event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "bot", "text": "Hi", "data": {"custom": {"type": "answer"}}}]},
    {"events": [{"event": "followup", "name": "action_answer"}, {"event": "bot", "text": 3}]},  # text is text
    {"events": [{"event": "user", "text": "fax?", "parse_data": {"intent": {"name": "ask_fax", "confidence": 0.9}}}]},
    {"events": [{"event": "user", "parse_data": {"intent": {"name": 3}}}]},  # an intent's name is text
    {"events": [{"event": "slot", "name": "region", "value": None}, {"event": "action", "name": "action_listen"}]},
    {"events": [{"event": "slot", "name": "region", "value": "oregon", "timestamp": "now"}]},  # not a number
    {"events": [{"event": "reset_slots"}, {"name": "no kind"}]},
    {"events": [{"event": 7}]},
    {"events": [{"event": "session_started", "metadata": "not an object"}]},
    {"events": [{"event": "entities", "entities": [{"entity": "region", "value": "california"}]}]},
    {"events": [{"event": "entities", "entities": [{"entity": "region"}]}]},  # no value
]


def remote_action() -> RemoteAction:
    return RemoteAction("action_answer", EndpointConfig("http://localhost:5055/webhook"))


def stock_verdict(response: dict) -> str | None:
    """Rasa 3.6's own check: the one-shot jsonschema.validate() against its response schema."""
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError as error:
        return error.message
    return None


@pytest.mark.parametrize("response", RESPONSES)
def test_the_same_responses_are_accepted_and_refused_as_by_stock_rasa(response):
    expected = stock_verdict(response)
    if expected is None:
        assert remote_action()._validate_action_result(response) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as refused:
            remote_action()._validate_action_result(response)
        assert refused.value.message.startswith(expected)
        assert "Failed to validate Action server response" in refused.value.message


@pytest.mark.parametrize("response", RESPONSES)
def test_the_quick_check_accepts_exactly_what_the_whole_schema_accepts(response):
    assert _plainly_valid(response) == (stock_verdict(response) is None)


def test_at_least_one_example_response_is_refused():
    assert any(stock_verdict(response) is not None for response in RESPONSES)


def test_action_calls_time_out_after_ten_seconds_not_rasas_five_minutes():
    assert action.DEFAULT_REQUEST_TIMEOUT == 10


def test_what_the_server_loaded_before_serving_is_kept_out_of_full_garbage_collections():
    # What the session's imports left is frozen already (tests/conftest.py's pytest_collection_finish); it
    # stays so, as it would after this anyway: unfreezing it for a collection of the whole heap cost 0.6 s.
    loaded = [[n] for n in range(1000)]  # what a model left: objects the collector tracks, not yet frozen
    before = gc.get_freeze_count()
    asyncio.run(freeze_loaded_objects())
    assert gc.get_freeze_count() >= before + len(loaded)


def test_event_kinds_resolve_to_the_classes_rasa_resolves_them_to():
    from rasa.shared.core import events

    from rasa_server import patches

    kinds = ["user", "bot", "action", "slot", "session_started", "followup", "restart", "active_loop", "topic"]
    for kind in kinds:
        expected = patches._rasa_resolve_by_type(kind, None) if kind != "topic" else None
        assert events.Event.resolve_by_type(kind) is expected
        assert events.Event.resolve_by_type(kind) is expected  # the second time from what was kept
    assert events.Event.resolve_by_type("no_such_event", events.UserUttered) is events.UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        events.Event.resolve_by_type("no_such_event")
    event = events.Event.from_parameters({"event": "slot", "name": "region", "value": "oregon"})
    assert event == events.SlotSet("region", "oregon", timestamp=event.timestamp)


def test_the_unseen_features_check_still_warns_about_an_unknown_intent():
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    class Processor:
        domain = Domain.from_dict({"intents": ["greet"]})

    with pytest.warns(UserWarning, match="Parsed an intent 'no_such_intent'"):
        MessageProcessor._check_for_unseen_features(Processor(), {"intent": {"name": "no_such_intent"}, "entities": []})
    assert Processor.domain.__dict__["_known_empty"] is False
    empty = Processor()
    empty.domain = Domain.empty()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MessageProcessor._check_for_unseen_features(empty, {"intent": {"name": "no_such_intent"}, "entities": []})
