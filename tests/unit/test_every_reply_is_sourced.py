"""Across every topic and region, replies only carry contacts the sources contain, and cite them."""

import re

import pytest

from broker_faq.conversation import State, Turn
from tests.conftest import SEEDS, TODAY, digits

SOURCE_DIGITS = digits("\n".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))
PHONE_RE = re.compile(r"\b\d{3}[\s.-]?\d{3}[\s.-]?\d{4}\b")


@pytest.mark.parametrize(
    "region",
    [None, "california", "northern_california", "southern_california", "northwest", "oregon", "southwest_washington"],
)
def test_every_topic_in_every_region(assistant, knowledge, region):
    for topic in knowledge.topics:
        reply = assistant.respond(Turn(topic, "", (), State(region=region), TODAY))
        assert reply.text.strip(), topic
        for number in PHONE_RE.findall(reply.text):
            assert digits(number) in SOURCE_DIGITS, (topic, region, number)
        assert "4611" not in reply.text
        if reply.payload and reply.payload["type"] == "answer":
            assert reply.payload["sources"], (topic, region)
            assert "Source:" in reply.text
        if region and region.startswith(("northwest", "oregon", "southwest")):
            assert "8007904661" not in digits(reply.text), (topic, region)
