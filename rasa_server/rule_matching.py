"""RulePolicy's prediction with the same answers and less work: the conversation's states built once per
message, and each rule compared only as far back as it is long.

Under 16 concurrent conversations RulePolicy was a fifth of the Rasa server's time per message
(pyinstrument, benchmarks/profile_server.py, 2026-12-03), for two reasons:

- It predicts two or three times per message (after the broker's message from its text, then from its
  intent; after the answer, `action_listen`), and every time Rasa replays the whole conversation into a
  fresh tracker to rebuild every past state. Here the replayed tracker and the states before each action
  are kept on the conversation's tracker: a later prediction replays only the events added since, and a
  message's first prediction replays the conversation once. The cache holds only while the events it
  replayed are still the tracker's first applied events (the same objects); a rewind, a restart or a
  new tracker builds the states again. Past states are kept as the featurizer would leave them and
  handed out as they are; the current one is made anew, and the featurizer slices the list and gives
  the last message its text or its intent exactly as Rasa does.
- `_get_possible_keys` asks every still-possible rule about every past state of the conversation, a
  rule's reversed states rebuilt on each question, although a rule is decided once the conversation
  has gone back further than the rule is long (Rasa's own `_is_rule_applicable` answers yes from then
  on). Here each rule's reversed states are made once per lookup, the candidates for the latest state
  come from an index of what each rule's latest state asks (the previous action, the intent), and the
  walk back stops at the longest rule still possible. The set of rules returned is the same.

Anything else (a tracker of another class, as in training; another featurizer; a policy whose data
would drop rule-only turns) goes Rasa's way. tests/rasa/test_rule_matching.py compares both ways on
the trained model's RulePolicy over thousands of predictions in generated conversations.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.policy import SupportedData
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, TEXT

from .applied_events import kept_applied

RASA_PREDICTION_STATES = RulePolicy._prediction_states
RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_CACHE = "_rule_matching_states"


class _Replay:
    """A conversation replayed into a tracker of its own, and its state before each action so far."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain) -> None:
        self.domain = domain
        self.tracker = tracker.init_copy()
        self.events: list[Event] = []
        self.states: list[State] = []

    def continues(self, applied: list[Event], domain: Domain) -> bool:
        """Whether these applied events begin with the ones replayed (the same objects)."""
        done = self.events
        return (
            domain is self.domain
            and len(applied) >= len(done)
            and all(new is old for new, old in zip(applied, done, strict=False))  # applied may be longer
        )

    def add(self, events: list[Event]) -> None:
        """What Domain.states_for_tracker_history does over generate_all_prior_trackers, for the events
        not replayed yet: the state before each action, then the event applied. A past state is kept
        as the featurizer leaves it (its text dropped where it has an intent: _remove_user_text_if_intent),
        so it is never changed again and is handed out without a copy."""
        for event in events:
            if isinstance(event, ActionExecuted):
                state = self.domain.get_active_state(self.tracker)
                user = state.get(USER, {})
                if user.get(INTENT) and user.get(TEXT):
                    del user[TEXT]
                self.states.append(state)
            self.tracker.update(event)
        self.events.extend(events)

    def all_states(self) -> list[State]:
        """Every past state and the current one (new, for the featurizer to choose its text or intent)."""
        return [*self.states, self.domain.get_active_state(self.tracker)]


def _states(tracker: DialogueStateTracker, domain: Domain) -> list[State]:
    applied = kept_applied(tracker)
    replay = tracker.__dict__.get(_CACHE)
    if replay is None or not replay.continues(applied, domain):
        replay = tracker.__dict__[_CACHE] = _Replay(tracker, domain)
    replay.add(applied[len(replay.events) :])
    return replay.all_states()


def prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Policy._prediction_states for RulePolicy, from the states kept on the tracker."""
    featurizer = self.featurizer
    if (
        type(self) is not RulePolicy  # a subclass might change the states it is given
        or type(tracker) is not DialogueStateTracker
        or type(domain) is not Domain
        or type(featurizer) is not MaxHistoryTrackerFeaturizer
        or self.supported_data() == SupportedData.ML_DATA  # would drop rule-only turns
    ):
        return RASA_PREDICTION_STATES(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    states = featurizer.slice_state_history(_states(tracker, domain), featurizer.max_history)
    featurizer._choose_last_user_input([states], use_text_for_last_user_input)
    return states


Rule = tuple[str, list[State]]  # a rule's key and its states, the latest first
ANY = "*any*"  # a rule that asks nothing of this feature of the latest state


def _asks(sub_state: dict[str, Any], feature: str) -> str:
    """The value a rule's latest state requires of a feature: _does_rule_match_state fails unless the
    conversation's value is that one, when it is a name the rule sets (not SHOULD_NOT_BE_SET)."""
    value = sub_state.get(feature)
    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else ANY


class _Rules:
    """A lookup's rules with their states reversed, and an index of them by what their latest state
    asks of the latest action's name and the broker's intent. A rule whose latest state has no previous
    action (a conversation's start) is always a candidate: _is_rule_applicable answers it without
    comparing features. Every candidate is still checked in full: the index only leaves out rules that
    Rasa's check would refuse."""

    def __init__(self, policy: RulePolicy, lookup: dict[str, str]) -> None:
        self.keys = tuple(lookup)
        self.rules: list[Rule] = [(key, list(reversed(policy._rule_key_to_state(key)))) for key in self.keys]
        self.starts: list[int] = []
        self.index: dict[tuple[str, str], list[int]] = {}
        for number, (_, rule_states) in enumerate(self.rules):
            latest = rule_states[0] if rule_states else {}
            action = latest.get(PREVIOUS_ACTION)
            if not action:
                self.starts.append(number)
                continue
            asked = (_asks(action, ACTION_NAME), _asks(latest.get(USER, {}), INTENT))
            self.index.setdefault(asked, []).append(number)

    def candidates(self, state: State) -> list[Rule]:
        """The rules that may apply to a conversation whose latest state is this one, in lookup order."""
        action = state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME)
        intent = state.get(USER, {}).get(INTENT)
        numbers = list(self.starts)
        for asked in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}:
            numbers += self.index.get(asked, [])
        return [self.rules[number] for number in sorted(numbers)]


def _rules(policy: RulePolicy, lookup: dict[str, str]) -> _Rules:
    """The lookup's rules, made once per lookup (and again if it changes)."""
    kept: dict[int, _Rules] = policy.__dict__.setdefault("_indexed_rules", {})
    found = kept.get(id(lookup))
    if found is None or found.keys != tuple(lookup):
        found = kept[id(lookup)] = _Rules(policy, lookup)
    return found


def _applies(rule_states: list[State], turn: int, state: State) -> bool:
    """RulePolicy._is_rule_applicable for a rule's reversed states."""
    if turn >= len(rule_states):
        return True
    current_previous_action = state.get(PREVIOUS_ACTION)
    rule_previous_action = rule_states[turn].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return RulePolicy._does_rule_match_state(rule_states[turn], state)


def possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[State]) -> set[str]:
    """RulePolicy._get_possible_keys: the candidates for the latest state from the index, then back
    only as far as the longest rule still possible."""
    if not states:
        return set(lookup)
    candidates = _rules(self, lookup).candidates(states[-1])
    for turn, state in enumerate(reversed(states)):
        if not candidates or turn >= max(len(rule_states) for _, rule_states in candidates):
            break
        candidates = [(key, rule_states) for key, rule_states in candidates if _applies(rule_states, turn, state)]
    return {key for key, _ in candidates}


RASA_FORMAT_TRACKER_STATES = RulePolicy.format_tracker_states
_RULE_POLICY_LOG = logging.getLogger("rasa.core.policies.rule_policy")  # where its debug line goes


def format_tracker_states(states: list[State]) -> str:
    """Policy.format_tracker_states, which RulePolicy calls for every prediction only to pass the text to
    its debug line (structlog drops it unless the stdlib logger's level lets debug through): "" when
    that log is off, 0.7 % of the server's time per message."""
    if _RULE_POLICY_LOG.isEnabledFor(logging.DEBUG):
        return RASA_FORMAT_TRACKER_STATES(states)
    return ""


def apply() -> None:
    RulePolicy._prediction_states = prediction_states
    RulePolicy._get_possible_keys = possible_keys
    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)


def undo() -> None:
    """Rasa's own way again (for the tests that compare the two)."""
    RulePolicy._prediction_states = RASA_PREDICTION_STATES
    RulePolicy._get_possible_keys = RASA_POSSIBLE_KEYS
    RulePolicy.format_tracker_states = staticmethod(RASA_FORMAT_TRACKER_STATES)
