"""No conversation in the Rasa server's log (issue 15, finding 2): a failing custom action is one line
with the conversation id and the error, never the action server's reply (rasa_sdk's 500 body is the
whole tracker); every record at INFO or above is masked and cut; Rasa's warnings that quote a message
are not shown."""

import asyncio
import json
import logging
import warnings

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from rasa_server import patches as rasa_fixes
from rasa_server import private_logs

CONVERSATION = "broker-conversation-0001"
SECRET = "the zebra-canary question, SSN 123-45-6789"


class Tracker:
    sender_id = CONVERSATION


def failing_action(monkeypatch, cause: Exception) -> RemoteAction:
    async def rasa_run(*_args):
        raise RasaException("Failed to execute custom action 'action_answer'") from cause

    monkeypatch.setattr(rasa_fixes, "_rasa_remote_action_run", rasa_run)
    return RemoteAction("action_answer", EndpointConfig("http://localhost:5055/webhook"))


def test_a_failing_action_is_one_line_with_the_conversation_and_the_status(monkeypatch, caplog):
    body = json.dumps({"error": "boom", "request_body": {"tracker": {"events": [{"text": SECRET}] * 500}}})
    action = failing_action(monkeypatch, ClientResponseError(500, "Internal Server Error", body))
    with caplog.at_level(logging.INFO):
        events = asyncio.run(rasa_fixes.run_remote_action(action, None, None, Tracker(), None))
    assert events == []  # the turn goes on as Rasa's own handler lets it, with the guard's reply
    assert [r.getMessage() for r in caplog.records] == [
        f"Custom action 'action_answer' failed for conversation {CONVERSATION}: HTTP 500"
    ]
    assert not any(r.exc_info for r in caplog.records)


def test_an_unreachable_action_server_is_named_by_its_error_class(monkeypatch, caplog):
    action = failing_action(monkeypatch, ConnectionRefusedError("refused"))
    with caplog.at_level(logging.INFO):
        asyncio.run(rasa_fixes.run_remote_action(action, None, None, Tracker(), None))
    assert caplog.records[-1].getMessage().endswith(": ConnectionRefusedError")


def record(level: int, message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("rasa.core.processor", level, __file__, 1, message, args, exc_info)


def test_records_at_info_and_above_are_masked_and_cut():
    filtered = record(logging.ERROR, "reply was %s", SECRET + " " + "x" * 10_000)
    assert private_logs.PrivateLogFilter(private_logs.mask).filter(filtered)
    text = filtered.getMessage()
    assert "123-45-6789" not in text and "[SSN]" in text
    assert len(text) < private_logs.MAX_LOG_RECORD_CHARS + 100


def test_a_traceback_is_masked_and_cut_too():
    try:
        raise ValueError(SECRET + " " + "y" * 10_000)
    except ValueError as err:
        filtered = record(logging.ERROR, "failed", exc_info=(type(err), err, err.__traceback__))
    private_logs.PrivateLogFilter(private_logs.mask).filter(filtered)
    formatted = logging.Formatter().format(filtered)
    assert "123-45-6789" not in formatted and len(formatted) < private_logs.MAX_LOG_RECORD_CHARS + 200


def test_debug_records_are_left_as_rasa_writes_them():
    debug = record(logging.DEBUG, "parsed %s", SECRET)
    private_logs.PrivateLogFilter(private_logs.mask).filter(debug)
    assert SECRET in debug.getMessage()


@pytest.fixture
def handler():
    handler = logging.StreamHandler()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def test_installing_puts_the_filter_on_every_handler_and_silences_echoing_warnings(handler):
    private_logs.install()
    assert any(isinstance(f, private_logs.PrivateLogFilter) for f in handler.filters)
    with warnings.catch_warnings(record=True) as shown:
        private_logs.install()  # installs its warning filters in this block's fresh filter list
        warnings.warn(f"Failed to parse arguments in line '/greet{{{SECRET}'. Continuing", UserWarning, stacklevel=1)
    assert shown == []
