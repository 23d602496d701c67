"""Closing the learning loop (issue 22): accounts with a role (agents and leads), the misses inbox's
reading of the tracker store (misses of every kind, grouped by wording, newest first), the leads' labels
(who and when, undone without being lost) and their export as NLU examples, never an evaluation sentence."""

import json
import time

import pytest

from broker_faq import yaml_io
from ops import agents as agents_cli
from ops.export_reviewed import export_reviewed, nlu_examples
from ops.misses import inbox, read_misses
from stores.events_reader import EventsReader
from stores.miss_labels import NEW_TOPIC, OUT_OF_SCOPE, LabelStore
from tests.conftest import ROOT
from tests.unit.misses_store import NOW, write_misses
from web.accounts import AccountError, AccountStore
from web.audit import AuditLog

TOPICS = {"update_address", "reinstatement", "terminate_contract"}


# --- roles ----------------------------------------------------------------------------------------------------
def test_an_account_is_an_agent_unless_made_a_lead_and_a_reset_keeps_the_role(tmp_path):
    store = AccountStore(tmp_path / "agents.json")
    store.add("alice")
    store.add("lena", role="lead")
    assert (store.role("alice"), store.role("lena"), store.role("nobody")) == ("agent", "lead", None)
    store.reset("lena")
    assert store.role("lena") == "lead"
    with pytest.raises(AccountError, match="not a role"):
        store.add("bob", role="admin")
    assert "bob" not in store.names()


def test_an_account_written_before_roles_is_an_agent(tmp_path):
    path = tmp_path / "agents.json"
    AccountStore(path).add("old")
    accounts = json.loads(path.read_text())
    del accounts["agents"]["old"]["role"]
    path.write_text(json.dumps(accounts))
    assert AccountStore(path).role("old") == "agent"


def test_agent_add_takes_a_role_and_the_list_shows_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(tmp_path / "agents.json"))
    monkeypatch.setattr(agents_cli, "terminal", lambda: None)  # no terminal: nothing is changed
    assert agents_cli.main(["add", "lena", "lead"]) == 1
    store = AccountStore(tmp_path / "agents.json")
    store.add("lena", role="lead")
    store.add("alice")
    assert agents_cli.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["alice (agent)", "lena (lead)"]
    with pytest.raises(SystemExit):
        agents_cli.main(["add", "bob", "admin"])


def test_each_audit_line_of_an_account_names_its_role(tmp_path):
    store = AccountStore(tmp_path / "agents.json")
    store.add("lena", role="lead")
    log = AuditLog(tmp_path / "audit.log", roles=store.role)
    log.record("lena", "sign-in")
    log.record("stranger", "sign-in refused (wrong name or password)")
    assert [(e["agent"], e.get("role")) for e in log.entries()] == [("lena", "lead"), ("stranger", None)]


# --- the misses -----------------------------------------------------------------------------------------------
@pytest.fixture
def events(tmp_path):
    write_misses(tmp_path / "tracker.db")
    return EventsReader(f"sqlite:///{tmp_path / 'tracker.db'}")


def texts(groups):
    return [[m["text"] for m in group["messages"]] for group in groups]


def test_the_inbox_holds_fallbacks_out_of_scope_unhelpful_and_handed_over_questions_grouped_newest_first(events):
    groups = inbox(read_misses(events, 0, time.time() + 60), {})
    assert texts(groups) == [
        ["can my client change plans midyear"],  # the question before "talk to a person"
        ["how do I reinstate a group"],  # the question rated unhelpful, not the rating
        ["fax number for EBS please", "what is the fax for EBS"],  # similar wording, newest first
        ["who won the Lakers game"],
    ]
    kinds = {m["text"]: m["kinds"] for group in groups for m in group["messages"]}
    assert kinds["can my client change plans midyear"] == ["handed to a person"]
    assert kinds["how do I reinstate a group"] == ["unhelpful"]
    assert kinds["who won the Lakers game"] == ["out of scope"]
    assert kinds["what is the fax for EBS"] == ["fallback"]
    first = groups[2]["messages"][1]
    assert first["conversation"] == "conv-one" and first["id"].startswith("conv-one/") and first["label"] is None


def test_only_misses_in_the_time_range_are_read(events):
    recent = read_misses(events, NOW - 150, NOW + 60)  # the store's times are NOW less a few minutes
    assert [miss.text for miss in recent] == ["can my client change plans midyear"]


# --- labels ---------------------------------------------------------------------------------------------------
def test_a_label_is_kept_with_who_and_when_and_a_relabelling_undone_brings_the_earlier_back(tmp_path):
    labels = LabelStore(tmp_path / "miss-labels.db")
    first = labels.label({"c/1": "fax for EBS", "c/2": "EBS fax"}, "update_address", "lena")
    assert {m: (lab.label, lab.by) for m, lab in labels.current().items()} == {
        "c/1": ("update_address", "lena"),
        "c/2": ("update_address", "lena"),
    }
    assert abs(labels.current()["c/1"].at - time.time()) < 5 and labels.current()["c/1"].batch == first
    second = labels.label({"c/1": "fax for EBS"}, OUT_OF_SCOPE, "max")
    assert labels.current()["c/1"].label == OUT_OF_SCOPE
    assert labels.undo(second, "max") == ["c/1"]
    assert labels.current()["c/1"].label == "update_address"
    assert labels.undo(second, "max") == []  # undone once
    assert labels.undo(first, "lena") == ["c/1", "c/2"]
    assert labels.current() == {}
    assert LabelStore(tmp_path / "miss-labels.db").current() == {}  # kept in the file


def test_the_inbox_shows_each_messages_current_label(tmp_path, events):
    misses = read_misses(events, 0, time.time() + 60)
    labels = LabelStore(tmp_path / "miss-labels.db")
    batch = labels.label({misses[0].id: misses[0].text}, "update_address", "lena")
    shown = {m["id"]: m["label"] for group in inbox(misses, labels.current()) for m in group["messages"]}
    assert shown[misses[0].id] == {
        "label": "update_address",
        "batch": batch,
        "by": "lena",
        "at": pytest.approx(time.time(), abs=5),
    }
    assert [label for mid, label in shown.items() if mid != misses[0].id] == [None] * (len(misses) - 1)


# --- the export -----------------------------------------------------------------------------------------------
HELD_OUT_SENTENCE = "group relocated to San Jose - need to change address"  # tests/nlu_holdout.yml
TRAINED_SENTENCE = "client needs to change their mailing address"  # data/nlu/california_faq.yml


def test_labelled_messages_become_examples_of_their_intent_never_an_evaluation_or_trained_sentence(tmp_path):
    labels = LabelStore(tmp_path / "miss-labels.db")
    labels.label(
        {"a/1": "fax  number for [EMAIL] group\nmove", "a/2": "our group has a new street, who to tell"},
        "update_address",
        "lena",
    )
    labels.label({"b/1": "who won the Lakers game"}, OUT_OF_SCOPE, "lena")
    labels.label({"c/1": "can brokers get a commission advance"}, NEW_TOPIC, "lena")
    labels.label({"d/1": HELD_OUT_SENTENCE.upper(), "d/2": TRAINED_SENTENCE}, "update_address", "lena")
    undone = labels.label({"e/1": "an undone label is not exported"}, "reinstatement", "lena")
    labels.undo(undone, "lena")
    out = tmp_path / "data" / "nlu" / "reviewed.yml"
    done = export_reviewed(labels.current().values(), TOPICS, out)
    assert yaml_io.load(out.read_text())["version"] == "3.1"
    assert {b["intent"]: nlu_examples_of(b) for b in yaml_io.load(out.read_text())["nlu"]} == {
        "out_of_scope": ["who won the Lakers game"],
        "update_address": ["fax number for [EMAIL] group move", "our group has a new street, who to tell"],
    }
    assert done.summary() == {
        "examples": 3,
        "intents": 2,
        "left_out_as_evaluation_copies": 1,
        "left_out_as_already_trained": 1,
        "needing_a_new_topic": 1,
    }
    assert nlu_examples(out) == [
        "who won the Lakers game",
        "fax number for [EMAIL] group move",
        "our group has a new street, who to tell",
    ]


def nlu_examples_of(block):
    return [line[2:] for line in block["examples"].splitlines()]


def test_with_no_labels_the_reviewed_file_is_valid_and_empty(tmp_path):
    out = tmp_path / "reviewed.yml"
    export_reviewed([], TOPICS, out)
    assert yaml_io.load(out.read_text()) == {"version": "3.1", "nlu": []}


def test_the_reviewed_file_is_where_training_reads_its_nlu_data():
    """`make train` runs `rasa train` on data/ (its default) and retrains when a data/*/*.yml changes."""
    from ops.export_reviewed import DEFAULT_OUT

    makefile = (ROOT / "Makefile").read_text()
    assert (ROOT / DEFAULT_OUT).parent == ROOT / "data" / "nlu" and DEFAULT_OUT.endswith(".yml")
    assert "$(wildcard data/*.yml data/*/*.yml" in makefile and "rasa train --fixed-model-name" in makefile
    assert "--data" not in makefile.split("rasa train", 1)[1].splitlines()[0]


def test_make_export_reviewed_writes_the_labels_of_the_store_beside_the_accounts(tmp_path, monkeypatch, capsys):
    from ops import export_reviewed

    monkeypatch.setenv("CONSOLE_ACCOUNTS", str(tmp_path / "agents.json"))
    monkeypatch.delenv("CONSOLE_LABELS_DB", raising=False)
    LabelStore(tmp_path / "miss-labels.db").label(
        {"a/1": "our group moved offices, who do we tell"}, "update_address", "lena"
    )
    assert export_reviewed.main(["--out", str(tmp_path / "reviewed.yml")]) == 0
    assert nlu_examples(tmp_path / "reviewed.yml") == ["our group moved offices, who do we tell"]
    assert "'examples': 1" in capsys.readouterr().out
