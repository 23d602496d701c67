"""The behaviour suite's table in the terminal summary (`make behaviour`)."""

from __future__ import annotations

from tests.behaviour import report


def pytest_terminal_summary(terminalreporter):
    if report.TABLE:
        terminalreporter.section("behaviour by capability (CheckList: MFT, INV, DIR)")
        for line in report.TABLE:
            terminalreporter.write_line(line)
