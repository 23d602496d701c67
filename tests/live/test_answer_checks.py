"""The shared black-box answer checks, against the running assistant over the REST channel."""

from tests.conftest import ROOT
from tests.live.servers import run_answer_checks

EVAL = ROOT.parent / "shared" / "eval"


def test_every_dev_answer_check_passes_with_no_invented_contact(rest_url, tmp_path, record_figure):
    summary = run_answer_checks(EVAL / "dev_cases.yml", rest_url, tmp_path / "eval.json", timeout=600)["summary"]
    record_figure(
        "dev answer checks",
        f"{summary['passed']}/{summary['cases']} "
        f"(invented contacts: {summary['cases_with_invented_contacts']}, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms)",
    )
    assert summary["cases_with_invented_contacts"] == 0
    assert summary["passed"] == summary["cases"]
