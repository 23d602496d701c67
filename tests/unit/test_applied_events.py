"""rasa_server/applied_events.py: the applied events kept on a tracker are, after every event of a
generated conversation, the ones Rasa's own walk over the whole conversation gives, object for object.

The conversations are random walks of the events that matter to the walk: the broker's messages and
actions, slots and bot messages, and what rewinds or restarts (an undone message or action, a restart,
a new session), a loop entered and left and its action run again, and the last events taken back as a
rejected action's are (rasa_server/patches._forget_since), the last event swapped for another; each read
at a random point, so that several events come between two reads."""

from __future__ import annotations

import random

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
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server import applied_events
from rasa_server.patches import _forget_since

LOOP = "action_two_stage_fallback"


def an_event(rng: random.Random, loops: bool):
    roll = rng.random()
    if roll < 0.3:
        return UserUttered("fax?", {"name": "ask_fax", "confidence": 1.0})
    if roll < 0.6:
        return ActionExecuted(rng.choice(["action_listen", "action_answer", LOOP if loops else "utter_greet"]))
    if roll < 0.75:
        return SlotSet("region", rng.choice(["california", "oregon", None]))
    if roll < 0.82:
        return BotUttered("a reply")
    if roll < 0.88 and loops:
        return ActiveLoop(rng.choice([LOOP, None]))
    return rng.choice([UserUtteranceReverted(), ActionReverted(), Restarted(), SessionStarted()])


def test_kept_applied_events_are_rasas_own_after_every_event():
    rng = random.Random(20261203)
    compared = 0
    applied_events.apply()
    try:
        for number in range(120):
            tracker = DialogueStateTracker(f"applied-{number}", [])
            loops = number % 3 == 0
            for _ in range(60):
                roll = rng.random()
                if tracker.events and roll < 0.05:
                    _forget_since(tracker, max(0, len(tracker.events) - rng.choice([1, 2])))
                elif tracker.events and roll < 0.08:  # the last event swapped for another in the deque itself
                    tracker.events.pop()
                    tracker.events.append(an_event(rng, loops))
                else:
                    tracker.update(an_event(rng, loops))
                if rng.random() < 0.5:
                    continue
                kept = tracker.applied_events()
                rasas = applied_events.RASA_APPLIED_EVENTS(tracker)
                assert len(kept) == len(rasas) and all(a is b for a, b in zip(kept, rasas, strict=True))
                assert kept is not applied_events.kept_applied(tracker)  # a new list, as Rasa's is
                compared += 1
    finally:
        applied_events.undo()
    assert compared > 3000
