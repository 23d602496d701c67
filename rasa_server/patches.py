"""Every change the project makes to how Rasa 3.6 serves, in one place, applied by one call:
`apply()`, which the server hooks make when the server starts (rasa_server/hooks.py, `install`, which
every channel of credentials.yml installs), for every model served.

- Rasa waits up to 5 minutes for the action server, a broker does not: after ACTION_TIMEOUT_SECONDS
  (10) the channel guard's fallback reply goes out instead of silence (channels/guard.py).
- Rasa checks every action server response against its response schema with the one-shot
  `jsonschema.validate()`, which first re-checks the (constant) schema against the JSON Schema
  meta-schema: a fifth of the Rasa server's time per message under 16 concurrent conversations
  (pyinstrument, `make bench`). Here the schema is checked once and its validator reused; every
  response is still validated, with Rasa's own error message.
- A failing custom action is logged as one line, the action, the conversation id and the error
  (HTTP status or exception class). Rasa logged the action server's reply with a traceback, and
  rasa_sdk's 500 reply is the whole tracker: one failing message after a long conversation wrote
  300 KB of conversation to the log. The turn goes on as Rasa's own handler lets it (no events
  from the action; the channel guard's reply with real contacts). The log filter of
  private_logs.py is installed here too.
- A message is handled once per conversation and message id. The channels give each message the
  id its client sent (the widget, a REST client, nginx's request id) or a new one; a message whose
  id the conversation already holds, because the client or the load balancer sent it again after a
  lost connection or a dead server, gets the replies stored after it, without being understood,
  acted on or stored again. The check runs where Rasa already holds the conversation's lock and
  has read its tracker, so a repeat waits for the first to finish and costs no extra read.
- The served model's two graphs (NLU, policies) run node after node without dask's scheduler
  (graph_runner.py): the same calls in dependency order, a quarter of the graphs' time saved.
- An endpoint's HTTP session (the action server's) is kept and its connections reused: Rasa opened
  a new aiohttp session, connector and TCP connection for every action call, a twelfth of the
  server's time per message under 16 concurrent conversations. A kept connection is let go after
  KEPT_CONNECTION_IDLE_SECONDS idle, well before the action server's own keep-alive (Sanic's 5 s)
  ends it, so a call is not sent down a connection the other side is closing. A session belongs to
  the event loop that made it; the server closes its sessions when it stops (hooks.py). The request's
  JSON (the whole conversation) is written by ujson, which Rasa's Sanic already uses for its
  responses: a third of the time of Python's encoder, the same JSON once read.
- RulePolicy builds the conversation's states once per message instead of once per prediction, and
  compares each rule only as far back as the rule is long (rule_matching.py): the same predictions,
  a fifth of the server's time per message before. It writes the states out as text for its debug
  line only when that log is on.
- An action that only reads the conversation (action_listen, an utter_ response, a custom action:
  its call serialises the tracker) is run on the conversation's tracker itself: Rasa replayed the
  whole conversation into a copy for every action, in case the prediction's events had to be left
  out (run_action).
- SpacyEntityExtractor takes the spaCy doc that SpacyNLP made of the same text with the same model
  (config.yml has it case-sensitive, so that doc is of the message's text as it is) instead of
  running the whole spaCy pipeline over the message a second time (entities_from_the_same_doc).
  Where SpacyNLP lower-cased the text, or the doc is another model's, Rasa's way is taken.
- An action's events are logged on the tracker without the deep copies Rasa makes of them for its
  debug log, when that log is off (log_action_on_tracker): the copies were 3 % of the server's time
  per message (the answer's payload copied for a line nobody sees).
- A tracker's applied events are kept while the conversation only grows, instead of Rasa walking the
  whole conversation for them again, three times a message and more (applied_events.py).
- Slots are extracted from a message only where a slot's mappings can give something: when every
  slot is filled by the project's own actions (custom mappings naming no action) and no slot
  validation action exists, Rasa's action_extract_slots finds nothing whatever the message, after
  going over every mapping of every slot for each message (nothing_to_extract).
- Two lookups Rasa repeats for every message are made once: an event kind's class (resolve_event_type),
  and whether the model's domain is empty (check_for_unseen_features); and a default action looked up
  is made alone, not with the eleven others (action_for_name_or_text).
- The action server's replies are checked against Rasa's response schema compiled to Python by
  fastjsonschema, each event against its own kind's part of it (_by_event_kind): the same verdicts
  as jsonschema on generated replies, a tenth of the time; a reply refused gets jsonschema's error.
- The socket.io channel's route (python-socketio's engine.io on Sanic) is marked as a websocket
  handler, as Sanic's own websocket routes are: a websocket's request ends with no HTTP response, and
  Sanic 21.12 logged every closed widget connection as a traceback ("Invalid response type None (need
  HTTPResponse)"). Polling requests are answered exactly as before. (Not Rasa's code, but how Rasa's
  socket.io channel is served; applied before the channel is registered: rasa_server/hooks.attach.)
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from typing import Any

import aiohttp
import fastjsonschema
import ujson
from engineio.async_drivers import sanic as engineio_sanic
from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions import action
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.constants import DOCS_BASE_URL, DOCS_URL_DOMAINS, UTTER_PREFIX
from rasa.shared.core.constants import (
    ACTION_LISTEN_NAME,
    ACTION_VALIDATE_SLOT_MAPPINGS,
    DEFAULT_SLOT_NAMES,
    MAPPING_TYPE,
    SlotMappingType,
)
from rasa.shared.core.events import ActionExecutionRejected, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.data import TrainingType
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import ENTITIES, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.io import raise_warning
from rasa.utils import endpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from . import applied_events, graph_runner, private_logs, rule_matching

logger = logging.getLogger(__name__)

_RESPONSE_SCHEMA = action.RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validators.validator_for(_RESPONSE_SCHEMA)
_VALIDATOR_CLASS.check_schema(_RESPONSE_SCHEMA)
_RESPONSE_VALIDATOR = _VALIDATOR_CLASS(_RESPONSE_SCHEMA)


def _by_event_kind(schema: dict) -> tuple[Any, dict[str, Any]]:
    """The response schema split in two and compiled (fastjsonschema: the checks as Python code, ~20 us
    for a reply against ~200 us with jsonschema's validators, a tenth of the action call's time on the
    Rasa server): the response without its events' `oneOf`, and each branch of that `oneOf` by the event
    kind its `event` const names. Every branch names a different kind, so an event meets the `oneOf`
    exactly when it meets its own kind's branch (every other branch's const fails on the `event` it is
    required to have): jsonschema tried all 23 branches for every event, a millisecond a message.
    tests/unit/test_rasa_fixes.py holds the verdicts equal to jsonschema's on generated replies."""
    envelope = copy.deepcopy(schema)
    items = envelope["properties"]["events"]["items"]
    branches = items.pop("oneOf")
    kinds = [branch["properties"]["event"]["const"] for branch in branches]
    if len(set(kinds)) != len(kinds):
        raise RuntimeError("two of Rasa's event schemas share a kind: the quick check would not be exact")
    draft = validators.validator_for(schema).META_SCHEMA["$schema"]  # jsonschema's, as Rasa validates

    def compiled(part: dict) -> Any:  # checking only: fastjsonschema would fill in a schema's defaults
        return fastjsonschema.compile({"$schema": draft, **part}, use_default=False)

    return compiled(envelope), {kind: compiled(branch) for kind, branch in zip(kinds, branches, strict=True)}


_ENVELOPE_CHECK, _EVENT_CHECKS = _by_event_kind(_RESPONSE_SCHEMA)


def _plainly_valid(result: Any) -> bool:
    """Whether the response meets the schema, checked the quick way (see _by_event_kind)."""
    try:
        _ENVELOPE_CHECK(result)
        for event in result.get("events") or []:
            check = _EVENT_CHECKS.get(event.get("event"))
            if check is None:
                return False
            check(event)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate_action_result(_remote_action: action.RemoteAction, result: dict[str, Any]) -> bool:
    """What RemoteAction._validate_action_result does (jsonschema.validate, then Rasa's message
    added to the error), with the validator built once; a response the quick check finds valid is
    valid, any other goes through the whole schema for Rasa's own error."""
    if _plainly_valid(result):
        return True
    error = best_match(_RESPONSE_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_rasa_remote_action_run = action.RemoteAction.run


async def run_remote_action(
    self: action.RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list:
    """RemoteAction.run, a failure logged as one line without the request or the reply."""
    try:
        return await _rasa_remote_action_run(self, output_channel, nlg, tracker, domain)
    except action.ActionExecutionRejection:
        raise  # Rasa's own answer to it (another action) is no failure
    except RasaException as err:
        cause = err.__cause__ or err
        reason = f"HTTP {cause.status}" if isinstance(cause, ClientResponseError) else cause.__class__.__name__
        logger.error("Custom action '%s' failed for conversation %s: %s", self.name(), tracker.sender_id, reason)
        return []


def stored_replies(tracker: DialogueStateTracker, message_id: str | None) -> list[dict] | None:
    """The bot messages stored after the user message with this id, or None if there is none."""
    found: list[dict] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if found is not None:
                break
            if message_id and event.message_id == message_id:
                found = []
        elif found is not None and isinstance(event, BotUttered):
            found.append(event.message())
    return found


_rasa_handle_message = MessageProcessor.handle_message


async def handle_message_once(self: MessageProcessor, message: UserMessage) -> list | None:
    """MessageProcessor.handle_message (Rasa 3.6: log the message on its tracker, predict and run
    actions, save), except that a message whose id the conversation holds is answered with the
    replies stored after it and changes nothing."""
    if self.model_metadata.training_type == TrainingType.NLU:
        return await _rasa_handle_message(self, message)
    tracker = await self.fetch_tracker_and_update_session(message.sender_id, message.output_channel, message.metadata)
    replies = stored_replies(tracker, message.message_id)
    if replies is not None:
        logger.info("Message %s of conversation %s was handled before: its replies sent again", message.message_id,
                    message.sender_id)  # fmt: skip
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)
    else:
        await self._handle_message_with_tracker(message, tracker)  # what log_message does, unsaved
        tracker = await self.run_action_extract_slots(message.output_channel, tracker)
        await self._run_prediction_loop(message.output_channel, tracker)
        await self.run_anonymization_pipeline(tracker)
        await self.save_tracker(tracker)
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


_rasa_run_action = MessageProcessor._run_action
READING_ONLY = (action.ActionListen, action.ActionBotResponse, action.RemoteAction)  # run() only reads
_REJECTION = action.ActionExecutionRejection  # (run_action's argument is named `action`, as Rasa calls it)


async def run_action(
    self: MessageProcessor,
    action: action.Action,
    tracker: DialogueStateTracker,
    output_channel: Any,
    nlg: Any,
    prediction: Any,
) -> bool:
    """MessageProcessor._run_action (Rasa 3.6.21, the same steps) for an action that does not change
    what it is given, run on the conversation's tracker instead of a copy. Rasa copies the tracker,
    adds the prediction's events (after a broker's message, how it is featurised) and runs the action
    on the copy, so that those events can be left out if the action is rejected; then it adds them
    again to the tracker itself, with the action. Here they are added once, before the action runs,
    and taken out again (the tracker rebuilt from its events, as Rasa rebuilds every tracker) if the
    action is rejected. The action sees the same conversation and the tracker ends with the same
    events; the prediction's events are timed before the action instead of after it."""
    if type(action) not in READING_ONLY:
        return await _rasa_run_action(self, action, tracker, output_channel, nlg, prediction)
    before = len(tracker.events)
    tracker.update_with_events(prediction.events, self.domain)
    try:
        events = await action.run(output_channel, nlg, tracker, self.domain) or []
    except _REJECTION:
        _forget_since(tracker, before)
        events = [ActionExecutionRejected(action.name(), prediction.policy_name, prediction.max_confidence)]
        tracker.update(events[0])
        return self.should_predict_another_action(action.name())
    except Exception:
        logger.exception(
            f"Encountered an exception while running action '{action.name()}'."
            "Bot will continue, but the actions events are lost. Please check the logs of your action "
            "server for more information."
        )
        events = []
    # What _log_action_on_tracker does, the prediction's events already on the tracker.
    if any(isinstance(event, ActionExecutionRejected) for event in events):
        _forget_since(tracker, before)  # rejected by the action itself: Rasa adds neither
    else:
        tracker.update(action.event_for_successful_execution(prediction))
    tracker.update_with_events(events, self.domain)
    if any(isinstance(e, UserUttered) for e in events):
        tracker = await self.run_action_extract_slots(output_channel, tracker)
    if action.name() != ACTION_LISTEN_NAME and not action.name().startswith(UTTER_PREFIX):
        self._log_slots(tracker)
    await self.execute_side_effects(events, tracker, output_channel)
    return self.should_predict_another_action(action.name())


def _forget_since(tracker: DialogueStateTracker, count: int) -> None:
    """The tracker as it was with its first `count` events: the later ones dropped, the state rebuilt."""
    if len(tracker.events) == count:
        return
    while len(tracker.events) > count:
        tracker.events.pop()
    tracker._reset()
    tracker.replay_events()


_rasa_log_action_on_tracker = MessageProcessor._log_action_on_tracker
_PROCESSOR_LOG = logging.getLogger("rasa.core.processor")  # the logger Rasa's debug lines go to


def log_action_on_tracker(
    self: MessageProcessor, tracker: DialogueStateTracker, action: action.Action, events: Any, prediction: Any
) -> None:
    """MessageProcessor._log_action_on_tracker (Rasa 3.6.21), without its two debug lines when debug
    logging is off: each deep-copies events so that the log's anonymiser cannot change them, and
    structlog then drops the line (its level filter, the stdlib logger's level)."""
    if _PROCESSOR_LOG.isEnabledFor(logging.DEBUG):
        _rasa_log_action_on_tracker(self, tracker, action, events, prediction)
        return
    events = events or []
    if not any(isinstance(event, ActionExecutionRejected) for event in events):
        tracker.update_with_events(prediction.events, self.domain)
        tracker.update(action.event_for_successful_execution(prediction))
    tracker.update_with_events(events, self.domain)


_rasa_extract_slots = action.ActionExtractSlots.run


def nothing_to_extract(domain: Any) -> bool:
    """Whether ActionExtractSlots.run gives no events for any message in this domain: each mapping of
    each slot is a custom one that names no action (Rasa fills nothing for it) and there is no
    action_validate_slot_mappings (which Rasa would call even with nothing extracted). Kept per domain."""
    known = domain.__dict__.get("_nothing_to_extract")
    if known is None:
        known = domain.__dict__["_nothing_to_extract"] = (
            ACTION_VALIDATE_SLOT_MAPPINGS not in domain.user_actions
            and all(
                mapping.get(MAPPING_TYPE) == SlotMappingType.CUSTOM.value and not mapping.get("action")
                for slot in domain.slots
                if slot.name not in DEFAULT_SLOT_NAMES
                for mapping in slot.mappings
            )
        )
    return known


async def extract_slots(
    self: action.ActionExtractSlots, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list:
    """ActionExtractSlots.run, answered at once where it can find nothing (nothing_to_extract)."""
    if nothing_to_extract(domain):
        return []
    return await _rasa_extract_slots(self, output_channel, nlg, tracker, domain)


_rasa_spacy_entities = SpacyEntityExtractor.process


def entities_from_the_same_doc(self: SpacyEntityExtractor, messages: list[Message], model: SpacyModel) -> list[Message]:
    """SpacyEntityExtractor.process, each message's entities read from the doc SpacyNLP made of its text
    when that doc is the text unchanged, by this model: what spacy_nlp(text) gives again."""
    for message in messages:
        doc = message.get(SPACY_DOCS[TEXT])
        text = message.get(TEXT)
        if doc is None or doc.vocab is not model.model.vocab or doc.text != text:
            _rasa_spacy_entities(self, [message], model)
            continue
        extracted = self.filter_irrelevant_entities(
            self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"]
        )
        message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
    return messages


_rasa_resolve_by_type = Event.resolve_by_type
_EVENT_CLASSES: dict[str, type[Event]] = {}


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Event.resolve_by_type, the class found once per event kind: Rasa walks every subclass of Event
    (inspecting each for abstractness) for every event an action returns, 0.3 ms a message. The first
    class of that walk with the name is kept, as Rasa returns the first; a name not found yet is asked
    of Rasa's walk again, so an event class imported later is still found."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)  # Rasa's answer, or its error
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


_rasa_action_for_name_or_text = action.action_for_name_or_text
_DEFAULT_ACTIONS: dict[str, tuple[type, bool]] = {}  # name -> (class, whether it takes the action endpoint)


def action_for_name_or_text(name_or_text: str, domain: Any, action_endpoint: EndpointConfig | None) -> action.Action:
    """action_for_name_or_text, a default action (action_listen, action_extract_slots, ...) made alone:
    Rasa makes all twelve to pick one, for each action it looks up, three or more times a message. A
    new instance each time, as Rasa gives; every other name is Rasa's own lookup."""
    if not _DEFAULT_ACTIONS:
        from rasa.core.actions.two_stage_fallback import TwoStageFallbackAction

        with_endpoint = (TwoStageFallbackAction, action.ActionExtractSlots)  # what default_actions passes it to
        for made in action.default_actions(None):
            _DEFAULT_ACTIONS[made.name()] = (type(made), isinstance(made, with_endpoint))
    default = _DEFAULT_ACTIONS.get(name_or_text)
    overridden = name_or_text in domain.user_actions_and_forms
    if default is None or overridden or name_or_text not in domain.action_names_or_texts:
        return _rasa_action_for_name_or_text(name_or_text, domain, action_endpoint)  # or its error
    kind, takes_endpoint = default
    return kind(action_endpoint) if takes_endpoint else kind()


def check_for_unseen_features(self: MessageProcessor, parse_data: dict[str, Any]) -> None:
    """MessageProcessor._check_for_unseen_features (Rasa 3.6.21: a warning for an intent or entity the
    domain lacks), which first asks whether the domain is empty by building an empty Domain and
    comparing the two as dicts, for every message (0.35 ms). The answer is kept per domain object: a
    served model's domain is loaded once and not changed."""
    domain = self.domain
    if not domain:
        return
    empty = domain.__dict__.get("_known_empty")
    if empty is None:
        empty = domain.__dict__["_known_empty"] = domain.is_empty()
    if empty:
        return
    intent = parse_data["intent"][INTENT_NAME_KEY]
    if intent and intent not in domain.intents:
        raise_warning(
            f"Parsed an intent '{intent}' which is not defined in the domain. "
            f"Please make sure all intents are listed in the domain.",
            docs=DOCS_URL_DOMAINS,
        )
    for element in parse_data["entities"] or []:
        entity = element["entity"]
        if entity and entity not in domain.entities:
            raise_warning(
                f"Parsed an entity '{entity}' which is not defined in the domain. "
                f"Please make sure all entities are listed in the domain.",
                docs=DOCS_URL_DOMAINS,
            )


def create_engineio_route(app: Any, engineio_server: Any, engineio_endpoint: str) -> None:
    """engine.io's create_route for Sanic, its handler marked `is_websocket`: Sanic then sends nothing
    after a handler that returned no response (a websocket that has ended) instead of raising."""

    async def engineio_request(request: Any, *args: Any, **kwargs: Any) -> Any:
        return await engineio_server.handle_request(request, *args, **kwargs)

    engineio_request.is_websocket = True  # type: ignore[attr-defined]
    app.add_route(engineio_request, engineio_endpoint, methods=["GET", "POST", "OPTIONS"])
    app.enable_websocket()


KEPT_CONNECTION_IDLE_SECONDS = 2.0
_KEPT = "_kept_sessions"  # on an EndpointConfig: {event loop: its session}


class _KeptSession:
    """`async with` over a kept session: the session, left open at the end."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def request_json(value: Any) -> str:
    """An action call's body as JSON, by ujson; what it cannot write (an object of an unknown type) goes
    to Python's encoder, as in Rasa's session, for its error."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


def kept_session(self: EndpointConfig) -> _KeptSession:
    """EndpointConfig.session (Rasa's headers, basic auth and timeout), made once per event loop."""
    loop = asyncio.get_running_loop()
    sessions: dict[Any, aiohttp.ClientSession] = self.__dict__.setdefault(_KEPT, {})
    session = sessions.get(loop)
    if session is None or session.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = sessions[loop] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEPT_CONNECTION_IDLE_SECONDS),
            json_serialize=request_json,
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
        )
    return _KeptSession(session)


async def close_kept_sessions(*endpoint_configs: EndpointConfig | None) -> None:
    """Close the sessions these endpoints keep for the running event loop."""
    loop = asyncio.get_running_loop()
    for config in endpoint_configs:
        session = config.__dict__.get(_KEPT, {}).pop(loop, None) if config is not None else None
        if session is not None:
            await session.close()


def apply() -> None:
    """Apply the changes above (idempotent)."""
    engineio_sanic._async["create_route"] = create_engineio_route
    action.DEFAULT_REQUEST_TIMEOUT = float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10"))
    action.RemoteAction._validate_action_result = validate_action_result
    action.RemoteAction.run = run_remote_action
    EndpointConfig.session = kept_session
    MessageProcessor.handle_message = handle_message_once
    MessageProcessor._run_action = run_action
    MessageProcessor._log_action_on_tracker = log_action_on_tracker
    action.ActionExtractSlots.run = extract_slots
    SpacyEntityExtractor.process = entities_from_the_same_doc
    graph_runner.DaskGraphRunner.run = graph_runner.run_in_order
    Event.resolve_by_type = staticmethod(resolve_event_type)
    MessageProcessor._check_for_unseen_features = check_for_unseen_features
    action.action_for_name_or_text = action_for_name_or_text
    rule_matching.apply()
    applied_events.apply()
    private_logs.install()
