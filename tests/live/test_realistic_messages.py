"""Messages as brokers and agents really write them (tests/realistic: typos, keyword look-ups,
follow-ups, several questions, pasted e-mails, facts in context, places with a role, the quoted
misprint), against the live assistant with the shared answer checker. Each set prints its score per
kind; a set below 90 %, or any invented contact, fails.

All three are regression sets: each was written blind (C without the other sets too), but the failures
of each first run were fixed, so none is held out any more. First runs: A 163/200, B 172/184, C 187/193
(each file's header). The blind sets of new kinds (cases_newkinds.yml, cases_fresh2.yml to cases_fresh4.yml) keep
their first-run scores in tests/realistic/scores/ and are reported in docs/testing.md, not held to 90 % here.
"""

from collections import defaultdict

import pytest

from tests.conftest import ROOT
from tests.live.servers import run_answer_checks

MIN_PASS_RATE = 0.90


@pytest.mark.parametrize("name", ["cases_final", "cases_heldout", "cases_dev"])
def test_realistic_messages_are_answered_right(name, rest_url, tmp_path, record_figure):
    report = run_answer_checks(ROOT / "tests" / "realistic" / f"{name}.yml", rest_url, tmp_path / f"{name}.json")
    kinds: dict[str, list[bool]] = defaultdict(list)
    for case in report["results"]:
        kinds[case["topic"]].append(case["ok"])
    summary = report["summary"]
    record_figure(
        f"realistic messages ({name})",
        f"{summary['passed']}/{summary['cases']} ({summary['pass_rate']:.1%}); "
        + ", ".join(f"{kind} {sum(oks)}/{len(oks)}" for kind, oks in sorted(kinds.items()))
        + f"; invented contacts: {summary['cases_with_invented_contacts']}; p95 {summary['p95_ms']} ms",
    )
    assert summary["cases_with_invented_contacts"] == 0
    assert summary["pass_rate"] >= MIN_PASS_RATE
