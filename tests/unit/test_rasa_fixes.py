"""rasa_server/patches.py: the action call keeps Rasa's checks (every action server response is
still validated, and a malformed one refused with Rasa's own message, only without rebuilding the
validator each time), times out after 10 s, and the loaded model is kept out of full collections."""

import asyncio
import gc
import warnings

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions import action
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server import patches
from rasa_server.hooks import freeze_loaded_objects
from rasa_server.patches import _plainly_valid, apply
from tests.properties import examples

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


# Replies generated from the response schema itself: each value follows its part of the schema (the
# right type, the required keys, an event kind the schema names) most of the time and is anything JSON
# may hold otherwise, so the generated replies sit on both sides of every check the schema makes.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)
SCALARS = {
    "string": st.text(max_size=6),
    "number": st.floats(allow_nan=False) | st.integers(),
    "integer": st.integers(),
    "boolean": st.booleans(),
    "null": st.none(),
}


def following(schema: dict, depth: int = 0):
    """Values that mostly meet `schema`, now and then anything JSON at all."""
    return st.one_of(_meeting(schema, depth), _meeting(schema, depth), _meeting(schema, depth), ANY_JSON)


def _meeting(schema: dict, depth: int):
    if "const" in schema:
        return st.just(schema["const"])
    if "oneOf" in schema:
        base = {key: value for key, value in schema.items() if key != "oneOf"}
        return st.one_of([_meeting(_merged(base, branch), depth) for branch in schema["oneOf"]])
    kinds = schema.get("type", ["object"] if "properties" in schema else list(SCALARS))
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return st.one_of([_of_type(kind, schema, depth) for kind in kinds])


def _merged(base: dict, branch: dict) -> dict:
    properties = {**base.get("properties", {}), **branch.get("properties", {})}
    required = sorted({*base.get("required", []), *branch.get("required", [])})
    return {**base, **branch, "properties": properties, "required": required}


def _of_type(kind: str, schema: dict, depth: int):
    if kind in SCALARS:
        return SCALARS[kind]
    if depth > 4:
        return ANY_JSON
    if kind == "array":
        return st.lists(following(schema.get("items", {}), depth + 1), max_size=3)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: following(part, depth + 1) for name, part in properties.items() if name in required},
        optional={name: following(part, depth + 1) for name, part in properties.items() if name not in required}
        | {"extra": ANY_JSON},
    )


SCHEMA = RemoteAction.action_response_format_spec()
EVENTS = st.lists(following(SCHEMA["properties"]["events"]["items"]), min_size=1, max_size=3)


@settings(max_examples=examples(600), deadline=None)
@given(response=following(SCHEMA) | st.fixed_dictionaries({"events": EVENTS}))  # the second: each event's own check
def test_the_quick_check_gives_jsonschemas_verdict_on_generated_replies(response):
    # jsonschema's validator for the schema, built once (jsonschema.validate builds it for every call)
    assert _plainly_valid(response) == patches._RESPONSE_VALIDATOR.is_valid(response)


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

    asked = []
    is_empty = Processor.domain.is_empty
    Processor.domain.is_empty = lambda: asked.append(1) or is_empty()
    with pytest.warns(UserWarning, match="Parsed an intent 'no_such_intent'"):
        MessageProcessor._check_for_unseen_features(Processor(), {"intent": {"name": "no_such_intent"}, "entities": []})
    assert Processor.domain.__dict__["_known_empty"] is False
    with pytest.warns(UserWarning, match="Parsed an entity 'no_such_entity'"):
        MessageProcessor._check_for_unseen_features(
            Processor(), {"intent": {"name": "greet"}, "entities": [{"entity": "no_such_entity"}]}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MessageProcessor._check_for_unseen_features(Processor(), {"intent": {"name": "greet"}, "entities": []})
    assert asked == [1]  # the domain's emptiness asked once, not per message
    empty = Processor()
    empty.domain = Domain.empty()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MessageProcessor._check_for_unseen_features(empty, {"intent": {"name": "no_such_intent"}, "entities": []})


async def action_server(seen: list, port: int = 0, reply: dict | None = None) -> tuple:
    """A stand-in action server on localhost: it records (client port, Authorization, X-Portal, body) of
    every call and answers `reply` (no events, no responses by default). Returns (runner, port)."""
    from aiohttp import web

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername")[1], request.headers.get("Authorization"),
                     request.headers.get("X-Portal"), await request.json()))  # fmt: skip
        return web.json_response(reply or {"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def test_action_calls_reuse_one_connection_and_survive_the_action_server_restarting():
    """The kept session (patches.kept_session): five calls, one TCP connection, Rasa's headers and basic
    auth on each; after the action server restarts (its connections closed), the next call is answered
    on a new connection; close_kept_sessions closes the session."""
    from rasa_server.patches import close_kept_sessions

    seen: list[tuple] = []

    async def scenario() -> None:
        runner, port = await action_server(seen)
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Portal": "kp"},
                                  basic_auth={"username": "rasa", "password": "secret"})  # fmt: skip
        for number in range(5):
            assert await endpoint.request(json={"n": number}, method="post") == {"events": [], "responses": []}
        await runner.cleanup()  # the action server stops: its connections are closed
        runner, _ = await action_server(seen, port)
        assert await endpoint.request(json={"n": 5}, method="post") == {"events": [], "responses": []}
        session = endpoint.__dict__["_kept_sessions"][asyncio.get_running_loop()]
        await close_kept_sessions(endpoint, None)
        assert session.closed
        await runner.cleanup()

    asyncio.run(scenario())
    assert [body["n"] for *_, body in seen] == [0, 1, 2, 3, 4, 5]
    assert len({port for port, *_ in seen[:5]}) == 1  # one connection for the first five calls
    assert seen[5][0] != seen[0][0]  # a new one after the restart
    assert all(auth == "Basic cmFzYTpzZWNyZXQ=" and portal == "kp" for _, auth, portal, _ in seen)


def without_times(value):
    """A JSON value without its timestamps (`timestamp`, `latest_event_time`), at any depth."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in ("timestamp", "latest_event_time")}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def test_an_action_that_only_reads_runs_on_the_tracker_itself_with_what_rasa_gives_it():
    """patches.run_action: action_listen, an utter_ response and a custom action run without Rasa's copy
    of the tracker send the action server the same request and leave the same events as Rasa's
    _run_action, with and without events from the prediction (how the broker's message is featurised,
    a loop interrupted), for an action the server rejects and one that rejects itself."""
    from rasa.core.actions.action import ActionBotResponse, ActionListen
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        DefinePrevUserUtteredFeaturization,
        LoopInterrupted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server import patches

    slots = {"region": {"type": "text", "mappings": [{"type": "custom"}]}}
    responses = {"utter_hi": [{"text": "hi {region}"}]}
    domain = Domain.from_dict(
        {"intents": ["ask_fax"], "slots": slots, "actions": ["action_answer"], "responses": responses}
    )
    answers = {
        "answered": (200, {"events": [{"event": "slot", "name": "region", "value": "california"}],
                           "responses": [{"text": "The EBS fax is ..."}]}),
        "rejects itself": (200, {"events": [{"event": "action_execution_rejected", "name": "action_answer"}]}),
        "rejected": (400, {"action_name": "action_answer", "error": "not now"}),
    }  # fmt: skip
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.domain = domain
    said = UserUttered("EBS fax?", {"name": "ask_fax", "confidence": 1.0}, timestamp=1.0)

    def conversation() -> DialogueStateTracker:
        events = [ActionExecuted("action_listen", timestamp=1.0), said, SlotSet("region", "northwest", timestamp=1.0)]
        return DialogueStateTracker.from_events("reads-only", events, domain.slots)

    async def run(way, kind, answer, prediction) -> tuple:
        from aiohttp import web

        seen: list = []

        async def webhook(request: web.Request) -> web.Response:
            seen.append(without_times(await request.json()))
            status, body = answers[answer]
            return web.json_response(body, status=status)

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        endpoint = EndpointConfig(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook")
        action = {"listen": ActionListen(), "utter": ActionBotResponse("utter_hi"),
                  "remote": RemoteAction("action_answer", endpoint)}[kind]  # fmt: skip
        try:
            tracker, channel = conversation(), CollectingOutputChannel()
            nlg = TemplatedNaturalLanguageGenerator(domain.responses)
            more = await way(processor, action=action, tracker=tracker, output_channel=channel, nlg=nlg,
                             prediction=prediction)  # as Rasa calls it  # fmt: skip
        finally:
            await patches.close_kept_sessions(endpoint)
            await runner.cleanup()
        events = [without_times(e.as_dict()) for e in tracker.events]
        return more, events, seen, channel.messages, tracker.current_state()["slots"], tracker.latest_action_name

    plain = PolicyPrediction.for_action_name(domain, "action_answer", "RulePolicy")
    featurised = PolicyPrediction([], "RulePolicy", events=[DefinePrevUserUtteredFeaturization(False)])
    interrupted = PolicyPrediction([], "RulePolicy", events=[LoopInterrupted(True)])
    cases = [(kind, "answered", prediction) for kind in ("listen", "utter", "remote")
             for prediction in (plain, featurised, interrupted)]  # fmt: skip
    cases += [("remote", answer, prediction) for answer in ("rejects itself", "rejected")
              for prediction in (plain, featurised)]  # fmt: skip
    for kind, answer, prediction in cases:
        rasa_way = asyncio.run(run(patches._rasa_run_action, kind, answer, prediction))
        assert asyncio.run(run(patches.run_action, kind, answer, prediction)) == rasa_way, (kind, answer)
        if kind == "remote" and answer == "answered":
            assert rasa_way[2] and rasa_way[3] == [{"recipient_id": "reads-only", "text": "The EBS fax is ..."}]


def test_an_actions_events_are_logged_on_the_tracker_as_rasa_logs_them():
    """patches.log_action_on_tracker (no debug copies while debug logging is off): the tracker gets the
    same events as from Rasa's own, for an action with events, one with none and a rejected one."""
    import logging

    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecutionRejected, BotUttered, LoopInterrupted, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server import patches

    domain = Domain.from_dict({"slots": {"region": {"type": "text", "mappings": [{"type": "custom"}]}},
                               "actions": ["action_answer"]})  # fmt: skip
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.domain = domain
    answer = RemoteAction("action_answer", None)
    cases = [
        ([SlotSet("region", "oregon", timestamp=2.0), BotUttered("Call ...", {"custom": {"a": [1]}}, timestamp=2.0)],
         PolicyPrediction([], "RulePolicy", events=[LoopInterrupted(True, timestamp=1.0)])),
        ([], PolicyPrediction([], "RulePolicy")),
        (None, PolicyPrediction([], "RulePolicy")),
        ([ActionExecutionRejected("action_answer", timestamp=2.0)], PolicyPrediction([], "RulePolicy")),
    ]  # fmt: skip

    def logged(way, events, prediction) -> list:
        tracker = DialogueStateTracker.from_events("logged", [], domain.slots)
        way(processor, tracker, answer, events, prediction)
        return [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in tracker.events]

    assert not logging.getLogger("rasa.core.processor").isEnabledFor(logging.DEBUG)
    for events, prediction in cases:
        assert logged(patches.log_action_on_tracker, events, prediction) == logged(
            patches._rasa_log_action_on_tracker, events, prediction
        )


def test_an_action_calls_json_reads_back_as_what_pythons_encoder_writes():
    """patches.request_json (ujson): a conversation's state with texts in any script, a payload, slots of
    every kind, a 70-bit number and Rasa's float timestamps reads back exactly as json.dumps's does; what
    neither can write is refused with json.dumps's error."""
    import json

    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    from rasa_server.patches import request_json

    events = [
        ActionExecuted("action_listen"),
        UserUttered("¿Quién maneja la facturación en Fresno? 😀 \u2028 \"q\" / \\", {"name": "ask", "confidence": 1}),
        BotUttered("Call 800-790-4661, option 3.", {"custom": {"type": "answer", "teams": [{"phone": "800-790-4661"}],
                                                            "score": 1e-7, "big": 2**70}}),
        SlotSet("subscribers", 14.0), SlotSet("other_locations", True), SlotSet("last_teams", ["amt", "csc"]),
    ]  # fmt: skip
    state = DialogueStateTracker.from_events("json", events).current_state(EventVerbosity.ALL)
    body = {"next_action": "action_answer", "sender_id": "json", "tracker": state, "version": "3.6.21"}
    assert json.loads(request_json(body)) == json.loads(json.dumps(body))
    with pytest.raises(TypeError, match="is not JSON serializable"):
        request_json({"value": {1, 2}})


def test_slots_are_extracted_as_rasa_extracts_them():
    """patches.extract_slots: on the project's domain (custom mappings naming no action) Rasa's own
    action_extract_slots gives nothing for any message, and the patched one says so at once; a domain
    with a mapping from an entity, or with a custom mapping naming an action, or with a slot validation
    action, goes Rasa's way and fills the slot as Rasa does."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server import patches
    from tests.conftest import ROOT

    project = Domain.load(str(ROOT / "domain.yml"))
    from_entity = Domain.from_dict({"entities": ["region"], "intents": ["ask"], "slots": {"region": {
        "type": "text", "mappings": [{"type": "from_entity", "entity": "region"}]}}})  # fmt: skip
    naming = Domain.from_dict({"slots": {"region": {"type": "text", "mappings": [{"type": "custom",
        "action": "action_region"}]}}, "actions": ["action_region"]})  # fmt: skip
    validating = Domain.from_dict({"slots": {"region": {"type": "text", "mappings": [{"type": "custom"}]}},
                                   "actions": ["action_validate_slot_mappings"]})  # fmt: skip
    assert patches.nothing_to_extract(project)
    assert not any(patches.nothing_to_extract(d) for d in (from_entity, naming, validating))

    def extracted(run, domain, text) -> list:
        said = UserUttered(text, {"name": "ask", "confidence": 1.0},
                           [{"entity": "region", "value": "oregon", "start": 0, "end": 6}])  # fmt: skip
        tracker = DialogueStateTracker.from_events("slots", [ActionExecuted("action_listen"), said], domain.slots)
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        events = asyncio.run(run(ActionExtractSlots(None), CollectingOutputChannel(), nlg, tracker, domain))
        return [without_times(e.as_dict()) for e in events]

    for text in ("oregon billing fax?", "HQ in Irvine, 14 subscribers in Oakland"):
        assert (
            extracted(patches.extract_slots, project, text)
            == extracted(patches._rasa_extract_slots, project, text)
            == []
        )
        got = extracted(patches.extract_slots, from_entity, text)
        assert got == extracted(patches._rasa_extract_slots, from_entity, text)
        assert [(e["name"], e["value"]) for e in got] == [("region", "oregon")]


def test_every_action_is_looked_up_as_rasa_looks_it_up():
    """patches.action_for_name_or_text against Rasa's own, for every action of the project's domain, of a
    domain that names a default action as its own custom action, and for a name no domain has."""
    from rasa.shared.core.domain import Domain

    ours = Domain.load("domain.yml")
    overriding = Domain.from_dict({"actions": ["action_default_fallback", "action_answer"], "forms": {}})
    endpoint = EndpointConfig("http://localhost:5055/webhook")
    for domain in (ours, overriding):
        for name in domain.action_names_or_texts:
            for to in (endpoint, None):
                found = action.action_for_name_or_text(name, domain, to)
                expected = patches._rasa_action_for_name_or_text(name, domain, to)
                assert type(found) is type(expected) and vars(found) == vars(expected), name
                assert found is not action.action_for_name_or_text(name, domain, to)  # a new one each time
    assert type(action.action_for_name_or_text("action_default_fallback", overriding, endpoint)) is RemoteAction
    with pytest.raises(Exception) as refused:
        action.action_for_name_or_text("no_such_action", ours, endpoint)
    assert type(refused.value).__name__ == "ActionNotFoundException"


def test_rule_policy_writes_out_the_states_only_for_its_debug_log():
    import logging

    from rasa.core.policies.rule_policy import RulePolicy

    from rasa_server import rule_matching

    states = [{}, {"user": {"intent": "ask_fax"}, "prev_action": {"action_name": "action_listen"}}]
    log = logging.getLogger("rasa.core.policies.rule_policy")
    level = log.level
    try:
        log.setLevel(logging.DEBUG)
        assert RulePolicy.format_tracker_states(states) == rule_matching.RASA_FORMAT_TRACKER_STATES(states)
        assert "user intent: ask_fax" in RulePolicy.format_tracker_states(states)
        log.setLevel(logging.INFO)
        assert RulePolicy.format_tracker_states(states) == ""
    finally:
        log.setLevel(level)
