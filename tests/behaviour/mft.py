"""Minimum functionality: one capability per generator, templates x fillers, expectations from the knowledge."""

from __future__ import annotations

import datetime as dt
import itertools

from tests.behaviour.cases import (
    DETAIL_WORDS,
    NEEDS,
    NEEDS_BY_REGION,
    Case,
    Run,
    date_spellings,
    deadline_expect,
    detail_expect,
    month_end,
    on,
    rng,
    sample,
    split_expect,
    topic_expect,
    topics_expect,
)
from tests.behaviour.grading import OutOfScope, Premise
from tests.behaviour.world import Place, World

# --- negation ---------------------------------------------------------------------------------------

DETAIL_NEGATIONS = [
    "skip the {r}, just the {T} {w}",
    "I don't need the {r}, only the {T} {w}",
    "No {r} please - just the {w} for {T}.",
    "{T} {w} only please, not the {r}.",
    "Not the {r}, I need the {w} for {T}.",
    "Can you give me the {T} {w}? I don't want the {r}.",
    "don't send me the {T} {r}, just their {w}",
    "I don't need the {r} for {T}{where}, only the {w}",
]
TEAM_NEGATIONS = [
    "not the {TA}, the {TB} {w}",
    "I don't want {TA} - I need the {TB} {w}.",
    "{TB} {w} please, not {TA}.",
    "Not {TA}. What's the {w} for {TB}?",
    "skip {TA}, give me the {TB} {w}",
    "wrong team, I don't need {TA}. {TB} {w}?",
]


def _detail_word(r, detail: str, other: str) -> str:
    words = DETAIL_WORDS[detail]
    if detail == "phone" and other == "fax":  # "skip the number, just the fax number": unclear to a person too
        words = [w for w in words if w != "number"]
    return r.choice(words)


def negation(world: World) -> list[Case]:
    r = rng("negation")
    cases = []
    for key in world.teams:
        details = world.details_of(key)
        for wanted, refused in itertools.permutations(details, 2):
            for name, template in itertools.product(world.team_names(key), DETAIL_NEGATIONS):
                if r.random() > 0.45:
                    continue
                city = r.choice(world.region_cities(world.teams[key].region))
                where = f" (my {city.text} group)" if "{where}" in template else ""
                text = template.format(
                    T=name, w=_detail_word(r, wanted, refused), r=_detail_word(r, refused, wanted), where=where
                )
                expect = detail_expect(world, key, wanted, refused=world.detail_tokens(key, refused))
                cases.append(Case("MFT negation", (Run((text,), expect),)))
    for region in world.regions:
        keys = [k for k, t in world.teams.items() if t.region == region]
        for a, b in itertools.permutations(keys, 2):
            for detail in world.details_of(b):
                for template in TEAM_NEGATIONS:
                    if r.random() > 0.5:
                        continue
                    text = template.format(
                        TA=r.choice(world.team_names(a)),
                        TB=r.choice(world.team_names(b)),
                        w=r.choice(DETAIL_WORDS[detail]),
                    )
                    refused = world.all_tokens(a) - world.all_tokens(b)
                    expect = detail_expect(world, b, detail, refused, only=True)
                    cases.append(Case("MFT negation", (Run((text,), expect),)))
    return cases


# --- CID split: number words, the "one more question" idiom, counts added up --------------------------

COUNT_WORDS = [
    ("half a dozen", 6),
    ("a dozen", 12),
    ("twelve", 12),
    ("thirteen", 13),
    ("fifteen", 15),
    ("twenty-two", 22),
    ("two dozen", 24),
    ("eleven", 11),
    ("fourteen", 14),
    ("twenty", 20),
    ("nine", 9),
    ("thirty", 30),
    ("sixteen", 16),
    ("twenty five", 25),
    ("ten", 10),
]
SPLIT_TEMPLATES = [
    "My client is headquartered in {A} and has {n} subscribers in {B}. Do they need to split the contract?",
    "HQ in {A}, {n} Kaiser subscribers at the {B} office - is a CID split required?",
    "The group's main office is in {A}; {n} subscribers work out of {B}. Do they have to separate?",
    "{n} subscribers in {B}, headquarters in {A}: do they need separate contracts?",
    "Does a group based in {A} with {n} subscribers in {B} need to split its contract?",
    "We have a company headquartered in {A} with {n} enrolled subscribers at their {B} location. Split needed?",
]
ONE_MORE = [
    "One more question: {q}",
    "One more thing. {q}",
    "Just one more question - {q}",
    "One last one: {q}",
    "Sorry, one more: {q}",
]
ONE_OF = [
    "One of my clients is headquartered in {A} and has {n} subscribers in {B}. Do they need to split?",
    "One of our groups is based in {A}, with {n} subscribers in {B}. Is a CID split required?",
]


def split_places(world: World, r) -> tuple[Place, Place, str]:
    """An HQ city in one California area and a place in the other (a city or the area's name)."""
    hq_area, other_area = r.sample(world.areas("california"), 2)
    hq = r.choice(world.cities(hq_area))
    other = r.choice(world.cities(other_area))
    return hq, other, other.text if r.random() < 0.8 else world.area_name(other_area)


def number_words(world: World) -> list[Case]:
    r = rng("number words")
    cases = []
    for (phrase, n), template in itertools.product(COUNT_WORDS, SPLIT_TEMPLATES):
        for _ in range(3):
            hq, _, other = split_places(world, r)
            text = template.format(A=hq.text, B=other, n=phrase)
            text = text[0].upper() + text[1:]
            cases.append(Case("MFT number words", (Run((text,), split_expect(world, n)),)))
    # "One more question": the "one" counts nothing; the digits do (at or above the threshold, so
    # reading "one" as the count would flip the answer).
    for _ in range(90):
        n = r.choice([world.threshold, world.threshold + 1, world.threshold + 4, 2 * world.threshold, 30])
        hq, _, other = split_places(world, r)
        question = r.choice(SPLIT_TEMPLATES).format(A=hq.text, B=other, n=n)
        text = (
            r.choice(ONE_MORE).format(q=question)
            if r.random() < 0.75
            else r.choice(ONE_OF).format(A=hq.text, B=other, n=n)
        )
        cases.append(Case("MFT number words", (Run((text,), split_expect(world, n)),)))
    return cases


# Pairs of counts, each under the threshold, whose sum crosses it or not (threshold-relative, so a
# changed threshold in the knowledge file still gives one of each).
def _count_pairs(threshold: int) -> list[tuple[int, int]]:
    t = threshold
    return [
        (t // 2 + 1, t // 2),
        (t // 2 + 2, t // 2 + 3),
        (t - 3, t // 2 - 1),
        (t // 2, t // 2),
        (t // 2 - 1, t // 2 - 1),
        (t // 3, t - 5),
        (t - 1, 1),
        (t - 4, 4),
        (t - 2, 3),
        (3, 3),
        (t // 2, t // 2 + 1),
        (2, t - 3),
    ]


COUNTS_TEMPLATES = [
    "Client is headquartered in {A}. They have {n1} subscribers in {B1} and {n2} in {B2}. Do they need a CID split?",
    "HQ {A}; offices in {B1} ({n1} subscribers) and {B2} ({n2} subscribers). Is a split required?",
    "Main office in {A} with {n0} subscribers, plus {n1} subscribers in {B1} and {n2} subscribers in {B2}. "
    "Do they have to separate?",
    "{A}-based group: {n0} subscribers at HQ, {n3} at a second office in {A2}, {n1} in {B1} and {n2} in {B2}. "
    "Does the group need to split?",
    "Headquartered in {A}. The {B1} office has {n1} subscribers and the {B2} office has {n2}. "
    "Do they need separate contracts?",
    "They're based in {A} and have {a_A2} branch with {n0} subscribers; the {B1} and {B2} branches have {n1} and "
    "{n2} subscribers. CID split?",
]


def counts_added(world: World) -> list[Case]:
    r = rng("counts added")
    cases = []
    for (n1, n2), template in itertools.product(_count_pairs(world.threshold), COUNTS_TEMPLATES):
        for _ in range(4):
            hq_area, other_area = r.sample(world.areas("california"), 2)
            a, a2 = r.sample(world.cities(hq_area), 2)
            b1, b2 = r.sample(world.cities(other_area), 2)
            text = template.format(
                A=a.text, A2=a2.text, a_A2=article(a2.text), B1=b1.text, B2=b2.text, n1=n1, n2=n2,
                n0=r.choice([world.threshold + 7, 2 * world.threshold, 40]), n3=r.choice([5, 9, 20]),
            )  # fmt: skip
            cases.append(Case("MFT counts added up", (Run((text,), split_expect(world, n1 + n2)),)))
    return cases


# --- reinstatement dates ----------------------------------------------------------------------------

DATE_TEMPLATES = [
    "My {city} client's contract terminated {d_on}. What's the last day they can request reinstatement?",
    "Group in {city} termed {d_on} - when is the reinstatement deadline?",
    "A California group's coverage ended {d_on}. By when do they need to ask to be reinstated?",
    "Termination date was {d} for my {city} group. What's the deadline to reinstate?",
    "If my {city} client terminated {d_on}, what's the latest date to request reinstatement?",
    "{city} group, terminated {d_on}. Reinstatement deadline?",
]


def termination_dates(r) -> list[dt.date]:
    """Mid-month days, month ends (February of a leap year too), firsts, and a few already past the window."""
    days = [dt.date(2027, m, r.randint(2, 27)) for m in range(1, 13)]
    days += [month_end(dt.date(2027, m, 1)) for m in range(1, 13)] + [dt.date(2028, 2, 29)]
    days += [dt.date(2027, m, 1) for m in (1, 4, 7, 10)]
    days += [dt.date(2026, 9, 15), dt.date(2026, 10, 20), dt.date(2026, 11, 30), dt.date(2026, 12, 31)]
    return days


def date_spellings_cases(world: World) -> list[Case]:
    r = rng("date spellings")
    cities = world.region_cities("california")
    cases = []
    for day in termination_dates(r):
        for spelled in date_spellings(day).values():
            for template in sample(r, DATE_TEMPLATES, 2):
                text = template.format(city=r.choice(cities).text, d=spelled, d_on=on(spelled))
                cases.append(Case("MFT date spellings", (Run((text,), deadline_expect(world, day)),)))
    return cases


# --- several needs in one message -------------------------------------------------------------------

LIST_FORMATS = [
    "For my {place} group, who do I contact for {listed}?",
    "I need the contacts for {anded}. The group is in {place}.",
    "A few questions for {a_place} client:\n{numbered}",
    "{place} group - need contacts for:\n{bulleted}",
    "Who handles {first}? Also {rest}. This is for {a_place} employer.",
    "Group in {place}: {semicolons}. Who do I call for each?",
]


def article(word: str) -> str:
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def _list_message(r, template: str, place: str, chosen: list[tuple[str, str]]) -> str:
    nouns = [n for n, _ in chosen]
    return template.format(
        place=place,
        a_place=article(place),
        listed=", ".join(nouns[:-1]) + ("," if r.random() < 0.5 else "") + " and " + nouns[-1],
        anded=" and ".join(nouns),
        numbered="\n".join(f"{i}. {q}" for i, (_, q) in enumerate(chosen, start=1)),
        bulleted="\n".join(f"- {n}" for n in nouns),
        first=nouns[0],
        rest=", ".join(nouns[1:-1]) + (", and " if len(nouns) > 2 else "") + nouns[-1],
        semicolons="; ".join(nouns),
    )


def need_lists(world: World) -> list[Case]:
    r = rng("need lists")
    cases = []
    for region, topics in NEEDS_BY_REGION.items():
        places = world.region_cities(region) + world.named_places(region)
        for _ in range(200):
            chosen_topics = r.sample(topics, r.choice([3, 3, 4, 5]))
            chosen = [r.choice(NEEDS[t]) for t in chosen_topics]
            place = r.choice(places)
            text = _list_message(r, r.choice(LIST_FORMATS), place.text, chosen)
            cases.append(Case("MFT lists of needs", (Run((text,), topics_expect(world, chosen_topics, place)),)))
    return cases


# --- the region said first, the question next ----------------------------------------------------------

OPENERS = [
    "got a {city} client today",
    "Working with a group in {city}.",
    "Hi - I have a new small group in {city}",
    "Quick questions about an employer in {city}",
    "My client is based in {city}.",
    "broker here, group is out of {city}",
]
# Questions whose answer differs by region (topic, question) and shared team names (CSC, service center).
NEXT_TOPICS = [
    "billing_questions",
    "new_sales",
    "account_management",
    "escalation",
    "terminate_contract",
    "replace_id_card",
    "enrollment_changes",
    "stop_autopay",
]
SHARED_NAME_QUESTIONS = ["What's the {name} phone number?", "and the {name} number?", "{name} phone?"]


def openers(world: World) -> list[Case]:
    r = rng("openers")
    cases = []
    shared = world.shared_names()
    for _ in range(420):
        city = r.choice(world.all_cities())
        opener = r.choice(OPENERS).format(city=city.text)
        if r.random() < 0.8:
            topic = r.choice(NEXT_TOPICS)
            question = r.choice(NEEDS[topic])[1]
            expect = topic_expect(world, topic, city)
        else:
            name = r.choice(sorted(shared))
            question = r.choice(SHARED_NAME_QUESTIONS).format(name=name)
            expect = detail_expect(world, shared[name][city.region], "phone")
        cases.append(Case("MFT region first, question next", (Run((opener, question), expect),)))
    return cases


# --- false premises ---------------------------------------------------------------------------------

WINDOW_PREMISES = [
    "reinstatement is {w} days for california groups, right?",
    "My {city} client has {w} days after termination to ask for reinstatement, correct?",
    "Just confirming: the reinstatement window is {w} days for a California group?",
    "California groups get {w} days to reinstate after they term, yes?",
    "I was told a terminated {city} group can be reinstated within {w} days - is that right?",
    "So a {city} group that terminated has {w} days to come back without underwriting, right?",
]
THRESHOLD_PREMISES = [
    "A group needs {w} subscribers in the other region before a CID split, right?",
    "The CID split threshold is {w} subscribers, correct?",
    "Is it true a California group only has to separate once the non-HQ region has {w} subscribers?",
    "I read you need at least {w} Kaiser subscribers outside the HQ region for a split - is that right?",
    "Confirming the split kicks in at {w} subscribers in the non-headquarters region?",
]


PREMISE_PREFIXES = ["", "Quick check: ", "Hi, "]


def _prefixed(prefix: str, text: str) -> str:
    return prefix + (text[0].lower() + text[1:] if prefix and not text.startswith(("I ", "CID")) else text)


def false_premises(world: World) -> list[Case]:
    r = rng("false premises")
    cities = world.region_cities("california")
    ca = frozenset({"california"})
    cases = []
    windows = [w for w in (14, 30, 31, 45, 90, 120, 180, 59, 61, 365) if w != world.window_days]
    for w, template, prefix in itertools.product(windows, WINDOW_PREMISES, PREMISE_PREFIXES):
        text = _prefixed(prefix, template.format(w=w, city=r.choice(cities).text))
        cases.append(Case("MFT false premises", (Run((text,), Premise(world.window_days, w, "days", ca)),)))
    thresholds = [w for w in (2, 5, 10, 12, 14, 15, 20, 25, 50, 100) if w != world.threshold]
    for w, template, prefix in itertools.product(thresholds, THRESHOLD_PREMISES, PREMISE_PREFIXES):
        text = _prefixed(prefix, template.format(w=w))
        cases.append(Case("MFT false premises", (Run((text,), Premise(world.threshold, w, "subscribers", ca)),)))
    return cases


# --- out of scope, near the domain --------------------------------------------------------------------

OUT_OF_SCOPE = [
    "Does Kaiser cover chiropractic care for my {place} group?",
    "What would premiums run for a 10-employee group in {place}?",
    "How much is a small-group plan per employee per month in {place}?",
    "Can an employee turning 65 in {place} stay on the group plan or should she move to Medicare?",
    "What commission does Kaiser pay brokers on a new small group in {place}?",
    "I have a 500-person group in {place}, who handles large group quotes?",
    "Is acupuncture covered for a {place} employer group?",
    "What's the copay for urgent care visits for my {place} client?",
    "Does the {place} plan include vision coverage for employees?",
    "Are IVF treatments covered for a small group in {place}?",
    "What's the out-of-network deductible on a PPO for my {place} group?",
    "When is the Medicare Advantage enrollment period for retirees in {place}?",
    "How do I get appointed to sell Kaiser plans in {place}?",
    "What are the 2027 rates for a 25-person group in {place}?",
    "Is there a wellness program discount for {place} employers?",
    "Can my {place} client offer an HSA-qualified plan?",
    "What's the broker bonus for enrolling a new group in {place} this quarter?",
    "Do part-time employees in {place} qualify for coverage under the group plan?",
]


def out_of_scope(world: World) -> list[Case]:
    r = rng("out of scope")
    places = [p for region in world.regions for p in world.region_cities(region) + world.named_places(region)]
    cases = []
    for template in OUT_OF_SCOPE:
        for place in sample(r, places, 24):
            cases.append(Case("MFT out of scope", (Run((template.format(place=place.text),), OutOfScope()),)))
    return cases
