"""Every capability's cases, in the order the table prints them."""

from __future__ import annotations

from tests.behaviour import directional, invariance, mft
from tests.behaviour.cases import Case
from tests.behaviour.world import World

GENERATORS = (
    mft.negation,
    mft.number_words,
    mft.counts_added,
    mft.date_spellings_cases,
    mft.need_lists,
    mft.openers,
    mft.false_premises,
    mft.out_of_scope,
    invariance.invariance,
    directional.split_threshold,
    directional.date_shift,
    directional.region_swap,
)


def all_cases(world: World) -> list[Case]:
    return [case for generate in GENERATORS for case in generate(world)]


def capabilities(cases: list[Case]) -> list[str]:
    return list(dict.fromkeys(c.capability for c in cases))
