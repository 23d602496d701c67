"""Behaviour tests by capability, after CheckList (Ribeiro et al., ACL 2020): minimum functionality (MFT),
invariance (INV) and directional (DIR) cases generated from templates x the knowledge file's topics,
regions, teams and places, counts and dates, run in process on the trained model (harness.py).

One test per capability: it fails when fewer than 95 % of the capability's cases are right, or when any
case is WRONG (another region's or team's contact, a wrong split decision, date or yes/no). Every run
prints the capability x outcome table and writes it, with every failing case, to test-output/behaviour.json.
"""

from __future__ import annotations

import warnings

import pytest

from tests.behaviour import report, suite
from tests.behaviour.grading import RIGHT, WRONG
from tests.behaviour.harness import MODEL
from tests.behaviour.world import World

WORLD = World()
CASES = suite.all_cases(WORLD)
CAPABILITIES = suite.capabilities(CASES)


@pytest.fixture(scope="module")
def harness():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (or `make behaviour`, which trains first)")
    from tests.behaviour.harness import Harness

    # Rasa's and its dependencies' deprecation warnings, raised as they load, recorded here and dropped (Rasa
    # resets the warning filters as it loads a model, so an "ignore" filter alone does not hold).
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        return Harness()


@pytest.fixture(scope="module")
def results(harness) -> report.Results:
    from tests.behaviour.grading import Grader

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        outcome = report.evaluate(CASES, harness, Grader(WORLD))
        outcome.training_overlap = report.training_overlap(CASES)
    report.write(outcome)
    report.TABLE[:] = report.table(outcome)
    return outcome


def test_a_broker_with_portal_groups_gets_the_same_answers(harness, results):
    """The suite again with the portal's context (the demo broker's three groups, none open on the page):
    messages that name none of them are answered exactly as without it, and nothing is WRONG."""
    from broker_faq.portal import context_from_claims
    from tests.behaviour.grading import Grader
    from web.demo_portal import BROKER, GROUPS

    claims = {"broker": {"id": BROKER["sub"], "name": BROKER["name"]}, "groups": list(GROUPS)}
    harness.context = context_from_claims(claims, [a for r in WORLD.regions.values() for a in r["areas"]])
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            with_context = report.evaluate(CASES, harness, Grader(WORLD))
    finally:
        harness.context = None
    for capability, row in with_context.rows.items():
        assert row.counts[WRONG] == 0 and row.counts == results.rows[capability].counts, capability


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_capability(results: report.Results, capability: str) -> None:
    row = results.rows[capability]
    examples = [f for f in results.failures if f["capability"] == capability]
    examples.sort(key=lambda f: f["outcome"] != WRONG)  # the WRONG ones first
    shown = "\n".join(
        f"  [{f['outcome']}] {run['turns'][-1]!r} -> {run['replies'][-1][:160]!r} ({f['note']})"
        for f in examples[:3]
        for run in [next(r for r in reversed(f["runs"]) if r["outcome"] == f["outcome"])]
    )
    assert row.passes, (
        f"{capability}: {row.pct_right:.1f}% right ({row.counts[RIGHT]}/{row.cases}), {row.counts[WRONG]} WRONG "
        f"(needs >= {report.MIN_RIGHT:.0f}% and none WRONG). For example:\n{shown}"
    )
