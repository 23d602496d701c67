"""pytest collects tests/unit, tests/rasa, tests/live and tests/browser in one session with no
packages: two test files of the same name there stop the whole run at collection."""

from collections import Counter

from tests.conftest import ROOT


def test_no_two_test_files_in_one_session_share_a_name():
    files = [p.name for d in ("unit", "rasa", "live", "browser") for p in (ROOT / "tests" / d).glob("test_*.py")]
    assert [name for name, count in Counter(files).items() if count > 1] == []
