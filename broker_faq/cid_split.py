"""The California CID-split rule: when a group with locations in Northern and Southern California
may need to separate its contract (California FAQ). The threshold comes from the knowledge file."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Words that mark the headquarters in "HQ in Burbank" or "based in San Francisco".
HQ_CUE = re.compile(r"\b(hq|headquarter\w*|head\s*quarter\w*|based|main office|home office|head office)"
                    r"\W+(?:\w+\W+){0,3}$", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """An entity the NLU found: its label, text and where it starts in the message."""

    label: str
    value: str
    start: int = 0


@dataclass(frozen=True)
class SplitDecision:
    subscribers: int
    threshold: int

    @property
    def may_need_to_separate(self) -> bool:
        return self.subscribers >= self.threshold


def decide(subscribers_outside_hq: int, threshold: int) -> SplitDecision:
    return SplitDecision(subscribers_outside_hq, threshold)


def headquarters_first(mentions: list[Mention], text: str) -> list[Mention]:
    """Order place mentions so the headquarters comes first: a mention right after an HQ cue
    wins; otherwise brokers name the headquarters first."""
    cued = [m for m in mentions if HQ_CUE.search(text[:m.start])]
    return cued[:1] + [m for m in mentions if m not in cued[:1]]


def nearest_count(counts: list[Mention], anchor: Mention | None) -> Mention | None:
    """With several numbers ("50 at HQ and 20 in San Diego"), the one closest to the
    non-headquarters place is its subscriber count."""
    if not counts:
        return None
    if anchor is None:
        return counts[0]
    return min(counts, key=lambda c: abs(c.start - anchor.start))


WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def parse_count(text: str) -> int | None:
    digits = re.sub(r"[,\s]", "", text)
    if digits.isdigit():
        return int(digits)
    return WORD_NUMBERS.get(text.strip().lower())
