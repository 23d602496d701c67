"""The assistant in process, as a broker meets it: the trained model's NLU, then what data/rules.yml runs.

- Each message goes through what the channel guard does before the NLU (channels/guard.py: cleaned and
  masked), then the trained model (models/kp-broker-faq.tar.gz), loaded once per session. Messages are
  parsed in batches through the model's own graph (checked against Agent.parse_message on a sample at
  load; a mismatch falls back to parsing one at a time).
- An intent data/rules.yml sends to action_answer gets the domain's reply (broker_faq Assistant.respond on
  the Turn actions.tracker_adapter builds); its State is kept for the next turn. An intent ruled to an
  utter_* response gets that response's text and buttons from domain.yml, and the state is unchanged.
- Low NLU confidence (nlu_fallback) runs Rasa's two-stage fallback as config.yml sets it up: the
  project's suggestion buttons (action_default_ask_affirmation), then on the next message either the
  clarified message handled normally, utter_ask_rephrase, or the give-up utter_default.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from broker_faq import yaml_io
from tests.behaviour.world import ROOT

MODEL = ROOT / "models" / "kp-broker-faq.tar.gz"
TODAY = dt.date(2026, 12, 2)
BATCH = 256
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Said:
    """One reply as the broker sees it."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    payload: dict | None = None
    intent: str | None = None  # the intent the NLU gave the message
    by: str = "action_answer"  # what produced it: action_answer, an utter_* response, the fallback
    requested: str | None = None  # the fact the assistant now waits for (State.requested), if any


@dataclass
class _Dialogue:
    state: object
    fallback_active: bool = False
    intents: list[str | None] = field(default_factory=list)
    earlier: str | None = None
    answered: bool = False


class Harness:
    def __init__(self, model: Path = MODEL, today: dt.date = TODAY):
        from rasa.core.agent import Agent

        self.today = today
        self.context = None  # the portal's groups every conversation has (broker_faq.portal.PortalContext)
        self.agent = Agent.load(str(model))
        _quiet_rasa()
        self.loop = asyncio.new_event_loop()
        self._parsed: dict[str, dict] = {}
        self._batched = True
        rules = yaml_io.load((ROOT / "data" / "rules.yml").read_text())["rules"]
        self.action_of = {
            steps[0]["intent"]: steps[1]["action"]
            for steps in (r["steps"] for r in rules)
            if len(steps) >= 2 and "intent" in steps[0] and "action" in steps[1]
        }
        self.responses = yaml_io.load((ROOT / "domain.yml").read_text())["responses"]
        self._check_batching()

    # --- parsing ------------------------------------------------------------------------------

    @staticmethod
    def as_received(text: str) -> str:
        """What the NLU gets from the channel guard: the text cleaned and masked."""
        from channels.guard import stored_text

        return stored_text(text)

    def parse_all(self, texts: list[str]) -> None:
        todo = list(dict.fromkeys(t for t in map(self.as_received, texts) if t not in self._parsed))
        if not self._batched:
            for text in todo:
                self._parsed[text] = self._parse_one(text)
            return
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            self._parsed.update(zip(chunk, self._parse_batch(chunk), strict=True))

    def parse(self, received: str) -> dict:
        if received not in self._parsed:
            self._parsed[received] = self._parse_one(received)
        return self._parsed[received]

    def _parse_one(self, text: str) -> dict:
        return self.loop.run_until_complete(self.agent.parse_message(text))

    def _parse_batch(self, texts: list[str]) -> list[dict]:
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
        from rasa.shared.core.trackers import DialogueStateTracker
        from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT

        processor = self.agent.processor
        target = processor.model_metadata.nlu_target
        results = processor.graph_runner.run(
            inputs={
                PLACEHOLDER_MESSAGE: [UserMessage(t) for t in texts],
                PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("behaviour", []),
            },
            targets=[target],
        )
        parsed = []
        for message in results[target]:
            data = {TEXT: "", INTENT: {"name": None, "confidence": 0.0}, ENTITIES: []}
            data.update(message.as_dict(only_output_properties=True))
            parsed.append(data)
        return parsed

    def _check_batching(self) -> None:
        sample = [
            "who handles billing for a Portland group?",
            "HQ in Irvine, 14 subscribers in Oakland: do they split?",
            "what's the EBS fax and the CSC e-mail?",
            "hello",
        ]
        received = [self.as_received(t) for t in sample]
        self._batched = self._parse_batch(received) == [self._parse_one(t) for t in received]

    # --- talking ------------------------------------------------------------------------------

    def talk(self, turns: tuple[str, ...]) -> list[Said]:
        """One new conversation: every turn's reply."""
        from broker_faq.conversation import State

        dialogue = _Dialogue(State())
        return [self._turn(dialogue, text) for text in turns]

    def _turn(self, d: _Dialogue, text: str) -> Said:
        received = self.as_received(text)
        data = self.parse(received)
        intent = (data.get("intent") or {}).get("name")
        d.intents.append(intent)
        said = self._fallback_turn(d, data, intent) if (d.fallback_active or intent == FALLBACK) else None
        if said is None:
            said = self._ruled(d, data, intent)
        d.earlier = received
        return said

    def _fallback_turn(self, d: _Dialogue, data: dict, intent: str | None) -> Said | None:
        """Rasa's TwoStageFallbackAction: None when the broker clarified (the message is then handled as
        any other, its intent taken as certain)."""
        if not d.fallback_active:
            d.fallback_active = True
            return self._suggest(d, data, intent)
        if intent == FALLBACK and d.intents[-2:] == [FALLBACK, FALLBACK]:
            d.fallback_active = False
            return self._response("utter_default", intent)
        if intent == OUT_OF_SCOPE and d.intents[-3:] == [OUT_OF_SCOPE, FALLBACK, OUT_OF_SCOPE]:
            d.fallback_active = False
            return self._response("utter_default", intent)
        if intent == FALLBACK:
            return self._suggest(d, data, intent)
        if intent == OUT_OF_SCOPE:
            return self._response("utter_ask_rephrase", intent)
        d.fallback_active = False
        return None

    def _suggest(self, d: _Dialogue, data: dict, intent: str | None) -> Said:
        from broker_faq.knowledge import runtime

        ranking = [entry["name"] for entry in data.get("intent_ranking", [])]
        reply = runtime.current().assistant.replies.suggest(ranking, d.state)
        return Said(reply.text, tuple((b.title, b.payload) for b in reply.buttons), reply.payload, intent, "fallback")

    def _ruled(self, d: _Dialogue, data: dict, intent: str | None) -> Said:
        from actions.feedback import THANKS
        from actions.tracker_adapter import turn_from_message
        from broker_faq.knowledge import runtime

        action = self.action_of.get(intent or "", "utter_default")
        if action == "action_answer":
            turn = replace(turn_from_message(data, d.state, self.today, d.earlier), context=self.context)
            reply = runtime.current().assistant.respond(turn)
            d.state = reply.state
            d.answered = d.answered or bool(reply.payload and reply.payload.get("type") == "answer")
            buttons = tuple((b.title, b.payload) for b in reply.buttons)
            return Said(reply.text, buttons, reply.payload, intent, requested=reply.state.requested)
        if action == "action_record_feedback":
            rating = "helpful" if intent == "rate_helpful" else "unhelpful"
            text = THANKS[rating] if d.answered else "There's no answer to rate yet. What would you like to know?"
            return Said(text, (), None, intent, action)
        return self._response(action, intent)

    def _response(self, name: str, intent: str | None) -> Said:
        variant = self.responses[name][0]
        buttons = tuple((b["title"], b["payload"]) for b in variant.get("buttons", []))
        return Said(variant["text"], buttons, None, intent, name)


def _quiet_rasa() -> None:
    """Rasa logs every parse at debug level through structlog: hundreds of thousands of lines here."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for name in ("rasa", "tensorflow", "absl", "broker_faq", "actions", "channels"):
        logging.getLogger(name).setLevel(logging.WARNING)
