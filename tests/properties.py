"""How hard the Hypothesis properties try, by profile (registered by tests/conftest.py's pytest_configure).

full: each property runs the examples it names (`@settings(max_examples=examples(300))` runs 300). A bare
pytest run and `make test` (scripts/test.sh) use it.
unit: a tenth of them, at least 10, for the fast loop (`make unit`: `--hypothesis-profile=unit`). The
properties are about a third of tests/unit's time in full (about 30 s of 80-95 s on this 2-core machine,
shared); a failing example found in either profile is kept in .hypothesis/ and tried first by the next run.
Both without Hypothesis's 200 ms deadline: test_pii_linear_time.py times what it must itself, with a bound
made for a shared machine.
"""

from __future__ import annotations

from hypothesis import settings

SHARE = {"full": 1.0, "unit": 0.1}
FEWEST = 10


def register_profiles() -> None:
    """Both profiles, `full` loaded: a --hypothesis-profile option, read after this, replaces it."""
    settings.register_profile("full", deadline=None)
    settings.register_profile("unit", deadline=None, max_examples=FEWEST)
    settings.load_profile("full")


def examples(full: int) -> int:
    """The examples a property that names `full` runs under the loaded profile."""
    share = SHARE.get(settings.get_current_profile_name(), 1.0)
    return max(FEWEST, round(full * share)) if share < 1 else full
