"""Personal data typed by a broker is masked before it is understood, stored or logged; the turn
is still understood, and the Kaiser contacts the assistant sends stay as they are."""

import sqlite3

from tests.live.servers import texts

PASTED = (
    "Oregon member, SSN 123-45-6789, MRN 12345678, DOB 04/12/1980, reach her at "
    "jane.doe@gmail.com or 503-555-0123 — she lost her ID card, how does she get a replacement?"
)
PERSONAL = ["123-45-6789", "12345678", "04/12/1980", "jane.doe@gmail.com", "503-555-0123"]


def test_stored_tracker_and_logs_hold_placeholders_not_personal_data(assistant, sender):
    reply = texts(assistant.say(sender, PASTED))
    assert "1-800-813-2000" in reply  # understood: Northwest Member Services replaces ID cards

    with sqlite3.connect(assistant.tracker_db) as db:
        stored = "\n".join(row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))
    for personal in PERSONAL:
        assert personal not in stored
    for label in ("[SSN]", "[MEMBER_ID]", "[DATE_OF_BIRTH]", "[EMAIL]", "[PHONE]"):
        assert label in stored
    assert "1-800-813-2000" in stored  # the assistant's own reply is kept as sent

    logs = "".join(path.read_text() for path in assistant.workdir.glob("*.log"))
    for personal in PERSONAL:
        assert personal not in logs
