"""rasa_server/rule_matching.py on the trained model's RulePolicy: over generated conversations, every
prediction made its way (the states kept on the tracker between predictions, the rules compared only
as far back as they are long) equals the one Rasa's own RulePolicy makes of the same tracker.

The conversations are random walks over the domain: the broker's messages with any intent and
entities, the action the policy predicts or another, slots set to values of their type, bot messages,
and now and then what rewinds or restarts a conversation (an undone message or action, a restart, a
new session, the last event taken back as a rejected action's are), so that the kept states must be
thrown away and built again; a third of them enter and leave the two-stage fallback's loop."""

from __future__ import annotations

import random

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import BooleanSlot, CategoricalSlot, FloatSlot, ListSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server import rule_matching
from rasa_server.patches import _forget_since as forget_since
from tests.rasa_cli import MODEL

CONVERSATIONS = 150
STEPS = 60


@pytest.fixture(scope="module")
def served():
    assert MODEL.exists(), "no trained model: `make test` trains one before running the tests"
    agent = Agent.load(str(MODEL))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(node._component for node in nodes if isinstance(node._component, RulePolicy))
    return agent.domain, policy


def a_value(slot, rng: random.Random):
    if isinstance(slot, BooleanSlot):
        return rng.choice([True, False, None])
    if isinstance(slot, FloatSlot):
        return rng.choice([None, 0.0, 1.0, 14.0, 60.0])
    if isinstance(slot, ListSlot):
        return rng.choice([None, [], ["a"], ["a", "b"]])
    if isinstance(slot, CategoricalSlot):
        return rng.choice([None, *slot.values])
    if isinstance(slot, TextSlot):
        return rng.choice([None, "california", "northwest", "billing"])
    return rng.choice([None, "x", 3])


def a_message(domain, rng: random.Random) -> UserUttered:
    intent = rng.choice(domain.intents)
    chosen = rng.sample(domain.entities, k=min(len(domain.entities), rng.choice([0, 0, 1, 2])))
    entities = [{"entity": entity, "value": "v", "start": 0, "end": 1} for entity in chosen]
    text = rng.choice(["hi", "billing fax for a Portland group", "what's the CID split", "thanks"])
    return UserUttered(text, {"name": intent, "confidence": 1.0}, entities)


def both_ways(policy, tracker, domain):
    rule_matching.undo()
    try:
        rasa_way = policy._predict(tracker, domain)
    finally:
        rule_matching.apply()
    return rasa_way, policy._predict(tracker, domain)


def test_every_prediction_equals_rasa_own(served):
    domain, policy = served
    rng = random.Random(20261203)
    slots = [slot for slot in domain.slots if slot.influence_conversation] or list(domain.slots)
    actions = [name for name in domain.action_names_or_texts if name]
    compared = by_rule = 0
    conversations_with_loops = CONVERSATIONS // 3  # the two-stage fallback's loop; the rest have none
    rule_matching.apply()
    try:
        for number in range(CONVERSATIONS):
            tracker = DialogueStateTracker.from_events(f"rules-{number}", [], slots=domain.slots)
            tracker.update(ActionExecuted("action_listen"))
            for _ in range(STEPS):
                roll = rng.random()
                if roll < 0.35:
                    tracker.update(ActionExecuted("action_listen"))
                    tracker.update(a_message(domain, rng))
                elif roll < 0.65:
                    prediction, _ = policy._predict(tracker, domain)
                    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
                    tracker.update(ActionExecuted(domain.action_names_or_texts[best] if rng.random() < 0.8
                                                  else rng.choice(actions)))  # fmt: skip
                elif roll < 0.85:
                    slot = rng.choice(slots)
                    tracker.update(SlotSet(slot.name, a_value(slot, rng)))
                elif roll < 0.88:
                    tracker.update(BotUttered("a reply"))
                elif roll < 0.92 and conversations_with_loops > number:
                    if rng.random() < 0.5:
                        tracker.update(ActiveLoop(rng.choice(["action_two_stage_fallback", None])))
                    else:  # the loop's action runs again: applied_events folds such repeats
                        tracker.update(ActionExecuted("action_two_stage_fallback"))
                elif roll < 0.94 and tracker.events:
                    forget_since(tracker, len(tracker.events) - 1)  # as a rejected action's events go
                else:
                    tracker.update(rng.choice([UserUtteranceReverted(), ActionReverted(), Restarted(),
                                               SessionStarted()]))  # fmt: skip
                if rng.random() < 0.4:
                    continue  # several events between two predictions, a rewind among them at times
                rasa_way, kept_way = both_ways(policy, tracker, domain)
                assert kept_way == rasa_way, f"conversation {number}: {[e.as_dict() for e in tracker.events]}"
                compared += 1
                by_rule += rasa_way[1] in policy.lookup["rules"]
    finally:
        rule_matching.undo()
    assert compared > CONVERSATIONS * STEPS / 2
    print(f"{compared} predictions compared, {by_rule} of them by a rule")
    assert by_rule >= compared / 5, "too few predictions came from a rule for the comparison to tell"
