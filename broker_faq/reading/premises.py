"""False premises: "reinstatement is 30 days for california groups, right?" states a figure and asks for
it to be confirmed. The figure is checked against the facts the topic's answer uses (its `{fact}`
placeholders in the region files), by unit, and the reply starts with the yes or the no.

Only a figure offered for confirmation counts ("..., right?", "is it 2 weeks?", "I was told 90 days"),
never one that is part of the case ("terminated 30 days ago"): a wrong "no" is worse than none."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broker_faq.knowledge.loader import PLACEHOLDER_RE, Knowledge, Topic, phone_digits

UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
         "subscriber": "subscribers", "subscribers": "subscribers", "employees": "subscribers",
         "members": "subscribers", "enrollees": "subscribers"}  # fmt: skip
SMALL = {"one": 1, "two": 2, "a": 1}
CLAIM = re.compile(
    r"\b(\d{1,4}|one|two)[\s-]+(?:(?:kaiser|kp|enrolled|calendar|business)\s+)?(" + "|".join(UNITS) + r")\b"
    r"(?!\s+(?:ago|from now|later|since|back)\b)"
)
# What offers a statement for confirmation.
CHECKING = re.compile(
    r"\b(?:right|correct|true|accurate|yes|yeah|ok|okay|no)\s*\?|"
    r"\bis(?:n't| not)? (?:it|that)\b|\bisn't it\b|\bconfirm\w*|"
    r"\b(?:i think|i believe|i thought|i heard|i was told|my understanding|supposedly|doesn't it|don't they|"
    r"aren't they|is that still)\b",
    re.IGNORECASE,
)
# A statement asked as a question ("a split takes two weeks?") offers its figure too; a question that
# starts as one ("does a group with 12 subscribers ...?") asks about the group instead.
STATED = re.compile(
    r"^(?!\s*(?:is|are|does|do|did|can|could|will|would|should|how|what|when|who|which|why|where)\b)"
    r"[^.!?]*\?\s*$",
    re.IGNORECASE,
)
# Without a checking cue, the figure must be stated as the rule's: "takes two weeks?", "is 30 days?".
STATING = re.compile(
    r"\b(?:is|are|takes?|has|have|gets?|given|'s|within|only|just|window of|lasts?)\s+(?:\w+\s+){0,2}$"
)
# Of a count, only one said of the rule is a claim about it ("the threshold is 10 subscribers, right?");
# "12 subscribers in Oxnard" is the group's own.
RULE_WORDS = re.compile(r"\b(?:threshold|minimum|rule|cut ?off|at least|trigger\w*|requirement|criteria)\b", re.I)


@dataclass(frozen=True)
class Figure:
    value: int
    unit: str
    fact: str  # the fact's name, for its source
    said: str  # as the knowledge says it: "about 4 weeks", "60 days"


@dataclass(frozen=True)
class Premise:
    claimed: int
    unit: str
    actual: Figure

    @property
    def holds(self) -> bool:
        return self.claimed == self.actual.value


def topic_figures(knowledge: Knowledge, topic: Topic) -> list[Figure]:
    """The numbers with units among the facts the topic's answers name: 60 days, about 4 weeks, 13 subscribers."""
    names = {name for a in topic.answers.values() for kind, name in PLACEHOLDER_RE.findall(a.text) if not kind}
    if topic.computed == "cid_split":
        names.add("cid_split_min_subscribers")
    figures = []
    for name in sorted(names):
        value = knowledge.fact(name)
        if isinstance(value, int):
            unit = UNITS.get(name.rsplit("_", 1)[-1])
            if unit:
                figures.append(Figure(value, unit, name, f"{value} {unit}"))
        elif isinstance(value, str) and (m := CLAIM.search(value.lower())):
            figures.append(Figure(int(m.group(1)), UNITS[m.group(2)], name, value))
    return figures


def premise(text: str, figures: list[Figure], about_a_group: bool = False) -> Premise | None:
    """The figure the message offers for confirmation and the fact it is about, if any. A count is
    a claim about the rule when it is said of the rule or no location of a group is named
    (`about_a_group`: "HQ Oakland, 12 subscribers in San Diego, right?" gives the group's count)."""
    cued = CHECKING.search(text) is not None
    if not figures or not (cued or STATED.match(text)):
        return None
    for m in CLAIM.finditer(text.lower()):
        unit = UNITS[m.group(2)]
        if unit == "subscribers" and about_a_group and not RULE_WORDS.search(text):
            continue
        if not cued and not STATING.search(text.lower()[: m.start()]):
            continue  # "reinstatement 45 days after termination?" asks about a day, states no rule
        claimed = int(m.group(1)) if m.group(1).isdigit() else SMALL[m.group(1)]
        actual = next((f for f in figures if f.unit == unit), None)
        if actual is not None:
            return Premise(claimed, unit, actual)
    return None


def verdict(p: Premise) -> str:
    if p.holds:
        return f"Yes: the source says {p.actual.said}."
    return f"No: the source says {p.actual.said}, not {p.claimed} {p.unit}."


# --- a number offered for confirmation: "Terminations for CA groups: 800-790-4661, option 3 - correct?" ---

QUOTED_NUMBER = re.compile(r"(?<![\d-])(?:1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\d-])")
# The option said right after the number: "800-790-4661, option 3", "503-813-2630 press 2".
OPTION_AFTER = re.compile(r"^\W{0,3}(?:option|opt\.?|press|ext\.?)\s*#?\s*(\d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuotedNumber:
    digits: str  # the ten digits, without a leading 1
    option: str | None  # the option quoted with it, if any


def quoted_numbers_in(text: str) -> tuple[QuotedNumber, ...]:
    """The phone or fax numbers a message offers for confirmation ("..., right?", "is it 866-868-7220?"),
    each with the option quoted after it. A number that is only part of the case is none."""
    if not (CHECKING.search(text) or STATED.match(text)):
        return ()
    quoted = []
    for m in QUOTED_NUMBER.finditer(text):
        option = OPTION_AFTER.match(text[m.end() :])
        quoted.append(QuotedNumber(phone_digits(m.group()), option.group(1) if option else None))
    return tuple(quoted)
