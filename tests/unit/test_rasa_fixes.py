"""rasa_server/patches.py: the action call keeps Rasa's checks (every action server response is
still validated, and a malformed one refused with Rasa's own message, only without rebuilding the
validator each time), times out after 10 s, and the loaded model is kept out of full collections."""

import asyncio
import gc

import jsonschema
import pytest
from rasa.core.actions import action
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server.hooks import freeze_loaded_objects
from rasa_server.patches import apply

apply()  # as the channel guard does when the Rasa server builds the channels

RESPONSES = [
    {"events": [], "responses": [{"text": "Call 800-790-4661, option 3."}]},
    {"events": [{"event": "slot", "name": "region", "value": "california"}], "responses": []},
    {"events": [{"event": "slot", "name": "region"}], "responses": []},  # no value: invalid
    {"events": [{"event": "no-such-event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
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


def test_at_least_one_example_response_is_refused():
    assert any(stock_verdict(response) is not None for response in RESPONSES)


def test_action_calls_time_out_after_ten_seconds_not_rasas_five_minutes():
    assert action.DEFAULT_REQUEST_TIMEOUT == 10


def test_what_the_server_loaded_before_serving_is_kept_out_of_full_garbage_collections():
    frozen_by_the_session = gc.get_freeze_count() > 0  # tests/conftest.py's pytest_collection_finish
    gc.unfreeze()
    try:
        asyncio.run(freeze_loaded_objects())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if frozen_by_the_session:
            gc.freeze()
