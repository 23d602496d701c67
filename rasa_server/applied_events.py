"""DialogueStateTracker.applied_events, kept per tracker while the conversation only grows.

Rasa asks a tracker for its applied events (every event, minus what was rewound or restarted) over and
over: twice before every message to see whether the session expired, and before every prediction.
Each time it goes over the whole conversation again, so in a conversation of a few hundred events
that was a sixth of the Rasa server's time per message (pyinstrument, `make bench`'s 200-turn
conversation, 2026-12-03). Here the answer is kept on the tracker with the deque it came from, its
length and its last event; while the same deque has only had events appended, none of which rewinds,
restarts or loops, the new events are applied as they are, which is what Rasa's walk does with them.
Anything else (a rewind, a restart, a new session, a loop anywhere in the conversation, whose repeated
runs applied_events folds, a replaced or shortened deque) asks Rasa's own walk again.
tests/unit/test_applied_events.py compares the two over generated conversations.
"""

from __future__ import annotations

import itertools

from rasa.shared.core.events import (
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events
_KEPT = "_kept_applied_events"
_NOT_PLAIN = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)


class _Kept:
    """A tracker's applied events as Rasa walked them, and what they were walked from."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.deque, self.seen = tracker.events, len(tracker.events)
        self.last = tracker.events[-1] if tracker.events else None
        self.applied: list[Event] = RASA_APPLIED_EVENTS(tracker)
        self.loops = any(isinstance(event, ActiveLoop) and event.name for event in tracker.events)

    def extended(self, tracker: DialogueStateTracker) -> bool:
        """Bring the kept events up to date if the tracker has only had plain events appended."""
        events = tracker.events
        if not (
            events is self.deque
            and len(events) >= self.seen
            and (self.seen == 0 or events[self.seen - 1] is self.last)
            and not self.loops
        ):
            return False
        new = list(itertools.islice(events, self.seen, None))
        if any(isinstance(event, _NOT_PLAIN) for event in new):
            return False
        self.applied.extend(new)
        self.seen, self.last = len(events), (events[-1] if events else None)
        return True


def kept_applied(tracker: DialogueStateTracker) -> list[Event]:
    """The tracker's applied events, kept: the list itself, for readers that do not change it."""
    kept = tracker.__dict__.get(_KEPT)
    if kept is None or not kept.extended(tracker):
        kept = tracker.__dict__[_KEPT] = _Kept(tracker)
    return kept.applied


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """DialogueStateTracker.applied_events: a new list, as Rasa's is, of the kept events."""
    return list(kept_applied(self))


def apply() -> None:
    DialogueStateTracker.applied_events = applied_events


def undo() -> None:
    """Rasa's own walk again (for the tests that compare the two)."""
    DialogueStateTracker.applied_events = RASA_APPLIED_EVENTS
