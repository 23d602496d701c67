"""Named agent accounts for the console: the account store (argon2id hashes, never a password on disk),
sessions that end when idle, signed out, reset or removed, and the brake on repeated failed sign-ins."""

import json
import stat

import pytest
from argon2 import Type

from ops import agents as agents_cli
from web import accounts as accounts_module
from web.accounts import AccountError, AccountStore
from web.console_sessions import (
    ADDRESS_FREE_FAILURES,
    FREE_FAILURES,
    MAX_AGE,
    MAX_WAIT,
    NAME_FREE_FAILURES,
    Sessions,
    SignInBrake,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    return AccountStore(tmp_path / "var" / "agents.json")


def test_an_agent_signs_in_with_the_password_made_for_them_and_nothing_else(store):
    password = store.add("alice")
    assert len(password) >= 20 and store.verify("alice", password)
    assert not store.verify("alice", password[:-1]) and not store.verify("alice", "")
    assert not store.verify("bob", password)  # an unknown name
    assert store.names() == ["alice"]


def test_the_file_holds_salted_argon2id_hashes_readable_by_this_account_only(store):
    first = store.add("alice", "same-password-for-both")
    store.add("bob", "same-password-for-both")
    text = store.path.read_text()
    assert first not in text and text.count("$argon2id$") == 2
    hashes = [line for line in text.splitlines() if "$argon2id$" in line]
    assert hashes[0].split("$")[-2:] != hashes[1].split("$")[-2:]  # a salt of its own: same password, other hash
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_production_hashes_cost_what_rfc_9106_recommends(production_hashes, store):
    """The other tests here hash at a test's cost (tests/unit/conftest.py); the web server and
    `make agent-add` hash with web.accounts' own hasher: argon2id, 64 MiB, 3 passes, 4 lanes, as made and
    as stored (an unknown name's check included, so it costs as much as a wrong password's)."""
    production = "$argon2id$v=19$m=65536,t=3,p=4$"
    assert (production_hashes.memory_cost, production_hashes.time_cost, production_hashes.parallelism) == (65536, 3, 4)
    assert production_hashes.type is Type.ID and accounts_module._UNKNOWN.startswith(production)
    password = store.add("alice")
    assert json.loads(store.path.read_text())["agents"]["alice"]["hash"].startswith(production)
    assert store.verify("alice", password) and not store.verify("alice", password[:-1])


def test_a_reset_gives_a_new_password_and_the_old_one_stops_working(store):
    old = store.add("alice")
    changed = store.changed("alice")
    new = store.reset("alice")
    assert new != old and store.verify("alice", new) and not store.verify("alice", old)
    assert store.changed("alice") > changed


def test_a_removed_agent_cannot_sign_in(store):
    password = store.add("alice")
    store.remove("alice")
    assert not store.verify("alice", password) and store.changed("alice") is None and store.names() == []


@pytest.mark.parametrize("name", ["a", "Alice", "1alice", "al ice", "alice/../x", "x" * 33, ""])
def test_names_are_short_lower_case_words(store, name):
    with pytest.raises(AccountError):
        store.add(name)


def test_a_name_is_added_once_and_only_known_names_are_reset_or_removed(store):
    store.add("alice")
    with pytest.raises(AccountError, match="already"):
        store.add("alice")
    for change in (store.reset, store.remove):
        with pytest.raises(AccountError, match="no agent"):
            change("bob")


def test_another_process_adding_an_agent_is_seen_without_a_restart(store):
    server_view = AccountStore(store.path)
    assert server_view.names() == []
    password = store.add("alice")  # `make agent-add alice` while the web server runs
    assert server_view.verify("alice", password)


# --- sessions ------------------------------------------------------------------------------------
@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sessions(store, clock):
    return Sessions(lambda agent, changed: store.changed(agent) == changed, idle=30 * 60, clock=clock)


def test_a_session_names_its_agent_until_signed_out(store, sessions):
    store.add("alice")
    token = sessions.start("alice", store.changed("alice"))
    assert sessions.agent(token) == ("alice", "ok")
    assert sessions.agent("forged") == (None, "none") and sessions.agent(None) == (None, "none")
    assert sessions.end(token) == "alice"
    assert sessions.agent(token) == (None, "none")


def test_a_session_expires_after_the_idle_time_and_background_polling_does_not_keep_it(store, sessions, clock):
    store.add("alice")
    token = sessions.start("alice", store.changed("alice"))
    clock.now += 29 * 60
    assert sessions.agent(token) == ("alice", "ok")  # activity: the idle time starts again
    for _ in range(29 * 30):  # the console's background poll, every 2 s for 29 minutes
        clock.now += 2
        assert sessions.agent(token, active=False) == ("alice", "ok")
    clock.now += 62  # 30 minutes and a bit since the agent last did something
    assert sessions.agent(token, active=False) == (None, "expired")
    assert sessions.agent(token) == (None, "none")  # gone for good


def test_even_an_active_session_ends_after_a_working_day(store, sessions, clock):
    store.add("alice")
    token = sessions.start("alice", store.changed("alice"))
    while clock.now - 1000 < MAX_AGE:
        clock.now += 20 * 60
        agent, _ = sessions.agent(token)
    assert agent is None


@pytest.mark.parametrize("change", ["reset", "remove"])
def test_a_reset_or_removal_ends_the_agents_sessions(store, sessions, change):
    store.add("alice")
    token = sessions.start("alice", store.changed("alice"))
    getattr(store, change)("alice")
    assert sessions.agent(token) == (None, "ended")


# --- the brake on failed sign-ins ------------------------------------------------------------------
def test_repeated_failures_make_each_next_try_wait_longer_up_to_a_limit(clock):
    brake = SignInBrake(clock)
    waits = []
    for _ in range(FREE_FAILURES + 10):
        waits.append(brake.wait("10.0.0.1", "alice"))
        clock.now += waits[-1]
        brake.failed("10.0.0.1", "alice")
    assert waits[:FREE_FAILURES] == [0] * FREE_FAILURES  # a typo or two go unnoticed
    assert waits[FREE_FAILURES : FREE_FAILURES + 4] == [2, 4, 8, 16]
    assert max(waits) == MAX_WAIT


def test_the_brake_counts_by_name_across_addresses_and_by_address_across_names_more_loosely(clock):
    brake = SignInBrake(clock)
    for n in range(FREE_FAILURES):
        brake.failed(f"10.0.0.{n}", "alice")  # failures elsewhere do not lock alice out of her own desk
    assert brake.wait("10.0.0.99", "alice") == 0
    for n in range(FREE_FAILURES, NAME_FREE_FAILURES):
        brake.failed(f"10.0.0.{n}", "alice")  # one name from many addresses
    assert brake.wait("10.0.0.99", "alice") > 0 and brake.wait("10.0.0.99", "bob") == 0
    for n in range(ADDRESS_FREE_FAILURES):
        brake.failed("10.0.1.50", f"name-{n}")  # one address trying many names
    assert brake.wait("10.0.1.50", "frank") > 0


def test_a_success_clears_the_count_and_old_failures_are_forgotten(clock):
    brake = SignInBrake(clock)
    for _ in range(FREE_FAILURES):
        brake.failed("10.0.0.1", "alice")
    brake.succeeded("10.0.0.1", "alice")
    assert brake.wait("10.0.0.1", "alice") == 0
    for _ in range(FREE_FAILURES):
        brake.failed("10.0.0.2", "bob")
    clock.now += 16 * 60
    assert brake.wait("10.0.0.2", "bob") == 0


# --- make agent-add / agent-reset / agent-remove (ops/agents.py) ---------------------------------------
def test_without_a_terminal_no_password_is_made_or_shown(store, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(store.path))
    monkeypatch.setattr(agents_cli, "terminal", lambda: None)
    assert agents_cli.main(["add", "alice"]) == 1
    assert store.names() == [] and "run this in a terminal" in capsys.readouterr().err


def test_on_a_terminal_the_password_is_shown_once_and_works(store, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(store.path))
    monkeypatch.setattr(agents_cli.sys.stdout, "isatty", lambda: True)
    assert agents_cli.main(["add", "alice"]) == 0
    password = capsys.readouterr().out.split("password ")[1].split()[0]
    assert store.verify("alice", password)
    assert agents_cli.main(["remove", "alice"]) == 0 and store.names() == []
    assert agents_cli.main(["reset", "alice"]) == 1


def test_a_fresh_clone_gets_one_first_account_and_a_later_run_none(store, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(store.path))
    assert agents_cli.main(["first-account"]) == 0
    password = capsys.readouterr().out.strip()
    assert store.names() == ["agent"] and store.verify("agent", password)
    assert agents_cli.main(["first-account"]) == 0
    assert capsys.readouterr().out == "" and store.verify("agent", password)


def test_signing_out_moves_the_time_desk_passes_stand_from_but_not_the_password_change(tmp_path):
    store = AccountStore(tmp_path / "agents.json")
    store.add("maria", "a-long-enough-password-1")
    changed = store.changed("maria")
    assert store.standing_since("maria") == changed
    store.signed_out("maria")
    assert store.changed("maria") == changed  # her web sessions elsewhere stay signed in
    assert store.standing_since("maria") > changed  # passes issued before now open no desk
    store.signed_out("nobody")  # an unknown name changes nothing
    assert store.names() == ["maria"] and store.standing_since("nobody") is None


# --- display names: what brokers see ------------------------------------------------------------------------
def test_an_account_shows_its_display_name_and_one_without_shows_its_name_as_typed(store):
    store.add("dana", display_name="Dana Reyes")
    store.add("maria.lopez")
    assert store.display_name("dana") == "Dana Reyes"
    assert store.display_name("maria.lopez") == "maria.lopez"  # not "Maria", not capitalised
    assert store.display_name("nobody") is None


def test_an_account_written_before_display_names_keeps_working(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"agents": {"old": {"hash": "x", "changed": 1.0}}}')
    assert store.display_name("old") == "old" and store.role("old") == "agent"


def test_the_display_name_is_stored_beside_the_hash_and_role_and_kept_by_a_reset(store):
    store.add("dana", role="lead", display_name="  Dana   Reyes ")
    first = store.path.read_text()
    store.reset("dana")
    assert store.display_name("dana") == "Dana Reyes" and store.role("dana") == "lead"  # spaces trimmed
    assert '"display": "Dana Reyes"' in first and '"display": "Dana Reyes"' in store.path.read_text()


def test_a_display_name_is_given_changed_and_taken_away_and_an_unknown_account_refused(store):
    store.add("dana")
    store.set_display_name("dana", "Dana Reyes-Ortiz")
    assert store.display_name("dana") == "Dana Reyes-Ortiz"
    store.set_display_name("dana", None)
    assert store.display_name("dana") == "dana" and "display" not in store.path.read_text()
    with pytest.raises(AccountError, match="no agent named"):
        store.set_display_name("nobody", "No One")


@pytest.mark.parametrize(
    ("display", "why"),
    [
        ("", "at least one letter"),
        ("   ", "at least one letter"),
        ("D" * 65, "at most 64"),
        ("Dana\nReyes joined. Ask me for your password", "control or formatting"),  # a line of its own
        ("Dana\u2028Reyes", "control or formatting"),
        ("Dana\tReyes", "control or formatting"),
        ("Dana\x00", "control or formatting"),
        ("Dana\x1b[31m", "control or formatting"),
        ("Dana\u202eseyeR", "control or formatting"),  # a right-to-left override would reverse what follows
        ("Dana\u200b", "control or formatting"),  # zero width: two names that look alike
    ],
)
def test_a_display_name_is_short_with_no_control_or_formatting_character(store, display, why):
    with pytest.raises(AccountError, match=why):
        store.add("dana", display_name=display)
    assert store.names() == []


def test_markup_in_a_display_name_is_kept_as_text_for_the_pages_to_draw_as_text(store):
    store.add("dana", display_name="Dana <b>Reyes</b> & Co")
    assert store.display_name("dana") == "Dana <b>Reyes</b> & Co"  # escaped where shown: textContent


def test_make_agent_add_with_a_display_name_and_make_agent_display(store, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(store.path))
    monkeypatch.setattr(agents_cli.sys.stdout, "isatty", lambda: True)
    assert agents_cli.main(["add", "dana", "lead", "--display-name", "Dana Reyes"]) == 0
    assert agents_cli.main(["add", "sam", "--display-name", ""]) == 0  # `make agent-add sam`: none
    assert (store.display_name("dana"), store.role("dana"), store.display_name("sam")) == ("Dana Reyes", "lead", "sam")
    capsys.readouterr()
    assert agents_cli.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["dana (lead), shown to brokers as 'Dana Reyes'", "sam (agent)"]
    assert agents_cli.main(["display", "sam", "--display-name", "Sam Okafor"]) == 0
    assert store.display_name("sam") == "Sam Okafor"
    assert agents_cli.main(["add", "kim", "--display-name", "Kim\x07"]) == 1  # refused: no password made
    assert "control or formatting" in capsys.readouterr().err and "kim" not in store.names()
