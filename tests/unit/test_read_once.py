"""Each message is read once: however many steps of an answer ask about it (the parts of a message, the
region, the team named, the computed answer), each reader reads each text at most once
(broker_faq/places.READS). The NLU's reading of the whole message travels in the parse data."""

import datetime as dt

import pytest

from broker_faq.knowledge.loader import load_knowledge
from broker_faq.knowledge.vocabulary import load_vocabulary
from broker_faq.reading.contact_requests import ContactReader
from broker_faq.reading.message import Reader, read_message
from broker_faq.reading.places import READS, Gazetteer


@pytest.fixture
def counted():
    Gazetteer._found.cache_clear()
    ContactReader._read.cache_clear()
    READS.clear()
    return READS


@pytest.mark.parametrize(
    "intent, message, parts",
    [
        ("team_contact", "skip the phone, I just want the CSC e-mail for my Salem group", ()),
        ("cid_split", "HQ Oakland; LA office 7 subscribers, Santa Monica office 9 subscribers. separate?", ()),
        ("reinstatement", "terminated 3/15/2027, if they call on May 1 are they in time?", ()),
        (
            "terminate_contract",
            "Sacramento group: who handles termination, autopay shutoff, and an address change?",
            (None, "terminate_contract", "stop_autopay", "update_address"),
        ),
    ],
)
def test_every_text_is_read_once_per_message(chat, counted, intent, message, parts):
    chat.say(intent, message, parts)
    assert counted and max(counted.values()) == 1, counted.most_common(3)


def test_the_reading_says_what_the_message_says():
    reader = Reader(load_knowledge(), load_vocabulary())
    text = reader.clean("not the Sacramento office: my Salem group, skip the phone, the CSC e-mail. 12 staff")
    reading = read_message(reader, text, dt.date(2026, 12, 2))
    assert {(p["said"], p["role"]) for p in reading["places"]} == {("Sacramento", "refused"), ("Salem", "the group's")}
    assert reading["teams"] == ["CSC"] and reading["details"] == ["email"] and reading["details_refused"] == ["phone"]
    assert reading["counts"] == [{"value": 12, "counts": "staff"}]
