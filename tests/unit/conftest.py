"""Fixtures for tests/unit alone: password hashes made and checked at a test's cost unless a test asks for
the production one.

web/accounts.py hashes with argon2id at RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes):
~200 ms a hash or a check on this 2-core machine, and tests/unit made and checked some 180 of them, about
19 s of `make unit`. Most of those tests need *a* hash (salted, argon2id, the right password and no other
let in), not its cost, so each test gets the same algorithm at its smallest cost (8 KiB, one pass, one
lane: ~0.1 ms). A hash carries its own parameters, so a check of a hash made either way costs what it was
made with. A test whose point is the cost (password checks queued one at a time, an unknown name taking as
long as a wrong password) names the `production_hashes` fixture and gets the real hasher;
test_accounts.py's test_production_hashes_cost_what_rfc_9106_recommends holds its parameters."""

from __future__ import annotations

import secrets

import pytest
from argon2 import PasswordHasher

from web import accounts

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # argon2id, as in production
TEST_UNKNOWN = TEST_HASHER.hash(secrets.token_urlsafe(accounts.PASSWORD_BYTES))


@pytest.fixture(autouse=True)
def test_cost_hashes(request, monkeypatch):
    """web.accounts' hasher (and its hash for unknown names) at a test's cost, unless the test names
    `production_hashes`."""
    if "production_hashes" not in request.fixturenames:
        monkeypatch.setattr(accounts, "_hasher", TEST_HASHER)
        monkeypatch.setattr(accounts, "_UNKNOWN", TEST_UNKNOWN)


@pytest.fixture
def production_hashes():
    """web.accounts' own hasher, as the web server uses it: for tests whose point is what a check costs."""
    return accounts._hasher
