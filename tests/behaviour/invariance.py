"""Invariance: the same message typed with typos, in other capitals, inside an e-mail, with a sign-off, or
with its place swapped for another city of the same region gives the same contacts, decision or date.

Each case pairs a plain message with its perturbed twin. Both are graded against the expectation the
knowledge gives (computed again for a swapped city); the table's "changed" column counts the twins whose
contacts, decision or date differ from the plain message's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from tests.behaviour.cases import (
    DETAIL_WORDS,
    INV,
    NEEDS,
    NEEDS_BY_REGION,
    Case,
    Run,
    deadline_expect,
    detail_expect,
    rng,
    spell,
    split_expect,
    topic_expect,
)
from tests.behaviour.grading import Expect
from tests.behaviour.world import Place, World


@dataclass(frozen=True)
class Base:
    """A plain message with its places as slots, so a city can be swapped and the expectation recomputed."""

    template: str
    fills: tuple[tuple[str, str], ...]
    places: tuple[tuple[str, Place], ...]  # slot -> place
    expect_for: Callable[[dict[str, Place]], Expect]
    same_area: bool = False  # a swap must keep the area (the CID split's HQ and other area)

    def text(self) -> str:
        return self.template.format(**dict(self.fills), **{k: p.text for k, p in self.places})

    def expect(self) -> Expect:
        return self.expect_for(dict(self.places))

    def run(self) -> Run:
        return Run((self.text(),), self.expect())


TEAM_QUESTIONS = [
    "What's the {T} {w}?",
    "{T} {w} please",
    "Can I get the {T} {w} for my {city} group?",
    "Need the {w} for {T} - group is in {city}.",
]
TOPIC_QUESTIONS = [
    "{city} group - who do I contact about {need}?",
    "{city} group: {question}",
    "My client is in {city}. {question}",
]
SPLIT_QUESTION = "HQ is in {A} and they have {n} subscribers in {B}. Do they need to split the contract?"
DATE_QUESTION = "My {city} client terminated on {d}. What's the reinstatement deadline?"


def bases(world: World) -> list[Base]:
    r = rng("invariance bases")
    out: list[Base] = []
    for key in world.teams:
        region = world.teams[key].region
        for _ in range(12):
            detail = r.choice(world.details_of(key))
            template = r.choice(TEAM_QUESTIONS)
            out.append(
                Base(
                    template,
                    (("T", r.choice(world.team_names(key))), ("w", r.choice(DETAIL_WORDS[detail]))),
                    (("city", r.choice(world.region_cities(region))),),
                    lambda _, k=key, d=detail: detail_expect(world, k, d),
                )
            )
    for region, topics in NEEDS_BY_REGION.items():
        for _ in range(50):
            topic = r.choice(topics)
            need, question = r.choice(NEEDS[topic])
            out.append(
                Base(
                    r.choice(TOPIC_QUESTIONS),
                    (("need", need), ("question", question)),
                    (("city", r.choice(world.region_cities(region))),),
                    lambda places, t=topic: topic_expect(world, t, places["city"]),
                )
            )
    for _ in range(60):
        hq_area, other_area = r.sample(world.areas("california"), 2)
        n = r.choice([3, 8, world.threshold - 1, world.threshold, world.threshold + 1, 20, 31])
        out.append(
            Base(
                SPLIT_QUESTION,
                (("n", str(n)),),
                (("A", r.choice(world.cities(hq_area))), ("B", r.choice(world.cities(other_area)))),
                lambda _, n=n: split_expect(world, n),
                same_area=True,
            )
        )
    for _ in range(60):
        day = dt.date(2027, 1, 1) + dt.timedelta(days=r.randrange(365))
        out.append(
            Base(
                DATE_QUESTION,
                (("d", spell(day)),),
                (("city", r.choice(world.region_cities("california"))),),
                lambda _, day=day: deadline_expect(world, day),
            )
        )
    return out


# --- perturbations ----------------------------------------------------------------------------------

KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry",
    "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}  # fmt: skip


def typo(word: str, r) -> str:
    """One slip of the fingers inside a word: two letters swapped, one dropped, doubled or hit next door."""
    i = r.randrange(1, len(word) - 1)
    kind = r.choice(["swap", "drop", "double", "neighbour"])
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    low = word[i].lower()
    hit = r.choice(KEYBOARD_NEIGHBOURS.get(low, low))
    return word[:i] + (hit.upper() if word[i].isupper() else hit) + word[i + 1 :]


def with_typos(text: str, r, count: int) -> str:
    words = [m for m in re.finditer(r"[A-Za-z]{5,}", text)]
    for m in sorted(r.sample(words, min(count, len(words))), key=lambda m: -m.start()):
        text = text[: m.start()] + typo(m.group(), r) + text[m.end() :]
    return text


GREETINGS = ["Hi,", "Hello team,", "Good morning,", "Hi there,"]
CLOSINGS = [
    "Thanks,\nPat",
    "Best,\nJordan Lee\nLee Benefits Group",
    "Regards,\nSam Ortiz\nOrtiz Insurance Services\n(503) 555-0142",
    "Thank you!\nChris",
]
SIGN_OFFS = [
    " Thanks!",
    " Thanks in advance.",
    " thx",
    "\n\nThanks,\nPat",
    " - Pat",
    "\n\nSent from my iPhone",
    " Appreciate the help!",
    " TIA!",
]


def _swapped(base: Base, r, world: World) -> Base | None:
    slots = [(k, p) for k, p in base.places if "{" + k + "}" in base.template]
    if not slots:
        return None
    slot, place = r.choice(slots)
    pool = world.cities(place.area) if base.same_area else world.region_cities(place.region)
    others = [p for p in pool if p.text != place.text]
    if not others:
        return None
    new = r.choice(others)
    return replace(base, places=tuple((k, new if k == slot else p) for k, p in base.places))


def invariance(world: World) -> list[Case]:
    r = rng("invariance")
    pool = bases(world)
    cases = []

    def pair(capability: str, base: Base, text: str, expect: Expect | None = None) -> None:
        cases.append(Case(capability, (base.run(), Run((text,), expect or base.expect())), INV))

    for base in pool:
        plain = base.text()
        for count in (1, 2):
            pair("INV typos", base, with_typos(plain, r, count))
        pair("INV capitals", base, r.choice([plain.upper(), plain.lower()]))
        pair("INV capitals", base, plain.upper() if r.random() < 0.5 else plain.title())
        pair("INV e-mail wrapper", base, f"{r.choice(GREETINGS)}\n\n{plain}\n\n{r.choice(CLOSINGS)}")
        pair("INV sign-off", base, plain + r.choice(SIGN_OFFS))
        for _ in range(2):
            swapped = _swapped(base, r, world)
            if swapped is not None:
                pair("INV place swapped", base, swapped.text(), swapped.expect())
    return cases
