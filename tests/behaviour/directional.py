"""Directional: a change to the message that must change the answer in a known way. Each case is a pair
(before, after), both graded against what the knowledge gives; the case is right when both are.

- One subscriber more, from just under the CID threshold to the threshold, flips "no" to "yes".
- Moving the termination date by N days moves the reinstatement deadline by N days.
- A city of the other region changes the team's number to the other region's.
"""

from __future__ import annotations

import datetime as dt

from tests.behaviour.cases import (
    DIR,
    NEEDS,
    Case,
    Run,
    date_spellings,
    deadline_expect,
    detail_expect,
    number_words,
    on,
    rng,
    split_expect,
    topic_expect,
)
from tests.behaviour.mft import DATE_TEMPLATES, NEXT_TOPICS, SPLIT_TEMPLATES, split_places
from tests.behaviour.world import World

SHIFTS = [1, 2, 3, 7, 10, 14, 30, 45, -1, -3, -7, -30]


def split_threshold(world: World) -> list[Case]:
    r = rng("dir split")
    below, at = world.threshold - 1, world.threshold
    cases = []
    for template in SPLIT_TEMPLATES:
        for _ in range(50):
            hq, _, other = split_places(world, r)
            words = r.random() < 0.3
            said = [number_words(n) if words else str(n) for n in (below, at)]
            before, after = (template.format(A=hq.text, B=other, n=n) for n in said)
            runs = (Run((before,), split_expect(world, below)), Run((after,), split_expect(world, at)))
            cases.append(Case("DIR one more subscriber flips the split", runs, DIR))
    return cases


def date_shift(world: World) -> list[Case]:
    r = rng("dir date")
    cities = world.region_cities("california")
    cases = []
    for _ in range(320):
        day = dt.date(2027, 1, 1) + dt.timedelta(days=r.randrange(330))
        moved = day + dt.timedelta(days=r.choice(SHIFTS))
        style = r.choice([s for s in date_spellings(day) if s in date_spellings(moved)])
        template, city = r.choice(DATE_TEMPLATES), r.choice(cities).text
        runs = tuple(
            Run((template.format(city=city, d=date_spellings(d)[style], d_on=on(date_spellings(d)[style])),),
                deadline_expect(world, d))
            for d in (day, moved)
        )  # fmt: skip
        cases.append(Case("DIR termination date moves the deadline", runs, DIR))
    return cases


REGION_QUESTIONS = [
    "{question} The group is in {city}.",
    "My client is in {city}. {question}",
    "For a {city} group: {question}",
]
SHARED_NAME_QUESTIONS = [
    "What's the {name} phone number for my {city} group?",
    "{city} client - {name} number?",
]


def region_swap(world: World) -> list[Case]:
    r = rng("dir region")
    shared = world.shared_names()
    regions = list(world.regions)
    cases = []
    for _ in range(320):
        first, second = r.sample(regions, 2)
        a, b = r.choice(world.region_cities(first)), r.choice(world.region_cities(second))
        if r.random() < 0.75:
            topic = r.choice(NEXT_TOPICS)
            template, question = r.choice(REGION_QUESTIONS), r.choice(NEEDS[topic])[1]
            runs = tuple(
                Run((template.format(question=question, city=c.text),), topic_expect(world, topic, c)) for c in (a, b)
            )
        else:
            name = r.choice(sorted(shared))
            template = r.choice(SHARED_NAME_QUESTIONS)
            runs = tuple(
                Run((template.format(name=name, city=c.text),), detail_expect(world, shared[name][c.region], "phone"))
                for c in (a, b)
            )
        cases.append(Case("DIR other region's city, other region's number", runs, DIR))
    return cases
