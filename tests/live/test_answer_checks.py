"""The shared black-box answer checks, against the running assistant over the REST channel."""

import json
import subprocess
import sys

from tests.conftest import ROOT

EVAL = ROOT.parent / "shared" / "eval"


def test_every_dev_answer_check_passes_with_no_invented_contact(rest_url, tmp_path, record_figure):
    out = tmp_path / "eval.json"
    result = subprocess.run(
        [
            sys.executable,
            str(EVAL / "run_eval.py"),
            str(EVAL / "dev_cases.yml"),
            "--url",
            rest_url,
            "--json",
            str(out),
            "--show-failures",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-8000:], result.stderr[-3000:])
    summary = json.loads(out.read_text())["summary"]
    record_figure(
        "dev answer checks",
        f"{summary['passed']}/{summary['cases']} "
        f"(invented contacts: {summary['cases_with_invented_contacts']}, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms)",
    )
    assert summary["cases_with_invented_contacts"] == 0
    assert summary["passed"] == summary["cases"]
