"""The review report over conversations the assistant really had (its own SQLite tracker store)."""

import csv
import datetime as dt
import json

from ops.review import group_similar, main


def test_similar_wordings_are_grouped_most_frequent_first():
    groups = group_similar(
        [
            "what's the weather today",
            "weather today?",
            "the weather today please",
            "who won the game",
            "stock price of kaiser",
        ]
    )
    assert groups[0] == ("what's the weather today", 3) and len(groups) == 3


def test_review_reports_failures_ratings_and_uncovered_regions(assistant, sender, tmp_path, capsys):
    assistant.say(sender, "what's the weather in Paris today?")
    assistant.say(sender, "weather in Paris today please, my SSN is 123-45-6789")
    assistant.say(sender, "account management phone for a group in Colorado")
    answer = assistant.say(sender, "Northwest small business new sales phone")
    answer_id = next(m["custom"]["answer_id"] for m in answer if m.get("custom"))
    feedback = {"answer_id": answer_id, "comment": "I needed the fax, call me at 503-555-0199"}
    assistant.say(sender, "/rate_unhelpful" + json.dumps(feedback))

    today = dt.date.today().isoformat()
    assert (
        main(["--from", today, "--to", today, "--db", f"sqlite:///{assistant.tracker_db}", "--out", str(tmp_path)]) == 0
    )
    printed = capsys.readouterr().out
    rows = list(csv.DictReader((tmp_path / "review.csv").open(encoding="utf-8")))

    def by_section(name):
        return [r for r in rows if r["section"] == name]

    assert any(r["item"] == "new_sales" and "Northwest" in r["detail"] for r in by_section("answers"))
    failed = by_section("fallback / out of scope")
    assert any("weather in Paris" in r["item"] and int(r["count"]) >= 2 for r in failed)
    assert any(r["item"] == "new_sales" and "I needed the fax" in r["detail"] for r in by_section("rated unhelpful"))
    assert any(r["item"] == "Colorado" for r in by_section("uncovered region"))
    assert "123-45-6789" not in printed and "503-555-0199" not in printed
    assert "[PHONE]" in printed
    assert (tmp_path / "daily.png").stat().st_size > 1000
