"""The socket.io channel sends each bot message as one `bot_uttered` message in the conversation's
room: an answer's text with its structured payload (Rasa 3.6 splits it, and its payload raises),
the contact cards and source only in the payload. REST replies stay Rasa's."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from broker_faq.conversation import Segment, State, Turn
from broker_faq.render import Renderer
from channels.socket_io import PayloadSocketIOOutput, answer_text_beside_payload
from tests.conftest import TODAY

REGIONS = [None, "california", "northern_california", "southern_california", "northwest", "oregon",
           "southwest_washington"]  # fmt: skip


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None):
        self.emitted.append((event, data, room))


def utter(reply) -> dict:
    """What the action utters for a reply (actions/tracker_adapter.py: text, buttons, json_message)."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return {"text": reply.text, "buttons": buttons, "custom": reply.payload, "timestamp": None}


def socket_messages(message: dict) -> list:
    server = RecordingServer()
    asyncio.run(PayloadSocketIOOutput(server, "bot_uttered").send_response("session-1", dict(message)))
    return server.emitted


def test_an_answer_arrives_as_one_message_with_its_cards_and_source_in_the_payload_only(assistant):
    reply = assistant.respond(Turn("terminate_contract", "", (), State(region="california"), TODAY))
    [(event, message, room)] = socket_messages(utter(reply))
    assert (event, room) == ("bot_uttered", "session-1")
    assert message["custom"] == reply.payload
    assert message["text"].startswith("To help a California small group terminate")
    assert "Phone:" not in message["text"] and "Source:" not in message["text"]  # drawn from the payload
    card = message["custom"]["contacts"][0]
    assert card["phones"][0] == {"number": "800-790-4661", "option": "3"}


def test_a_region_question_arrives_with_its_buttons_as_quick_replies_in_the_same_message(assistant):
    reply = assistant.respond(Turn("stop_autopay", "", (), State(), TODAY))
    [(_, message, _)] = socket_messages(utter(reply))
    assert message["text"] == reply.text and message["custom"] == reply.payload
    replies = [(r["title"], r["payload"]) for r in message["quick_replies"]]
    assert replies == [(b.title, b.payload) for b in reply.buttons]


def test_a_text_of_several_paragraphs_is_one_message():
    assert socket_messages({"text": "Hello.\n\nAsk me anything."}) == [
        ("bot_uttered", {"text": "Hello.\n\nAsk me anything."}, "session-1")
    ]


@pytest.mark.parametrize("region", REGIONS)
def test_every_answer_text_ends_with_exactly_the_cards_and_source_of_its_payload(assistant, knowledge, region):
    """The widget's text is the payload's body, the REST text that body followed by the cards and the
    source: the two never disagree, whatever the renderer's layout."""
    for topic in knowledge.topics:
        reply = assistant.respond(Turn(topic, "", (), State(region=region), TODAY))
        if not reply.payload or reply.payload["type"] != "answer":
            continue
        beside = answer_text_beside_payload(reply.text, reply.payload)
        carried = [Renderer.card_text(card) for card in reply.payload["contacts"]]
        assert beside != reply.text and beside.strip(), (topic, region)
        assert reply.text.startswith(beside + "\n\n"), (topic, region)
        assert reply.text[len(beside) + 2 :].split("\n\n")[:-1] == carried, (topic, region)


def test_several_answers_in_one_reply_reach_the_widget_without_their_cards_and_sources(assistant):
    reply = assistant.respond(
        Turn(
            "terminate_contract",
            "CA term line and the NW account management line",
            (),
            State(),
            TODAY,
            segments=(
                Segment(0, 12, True, "terminate_contract", 1.0),
                Segment(17, 47, True, "account_management", 1.0),
            ),
        )
    )
    [(_, message, _)] = socket_messages(utter(reply))
    assert message["text"].startswith("You asked about several things:") and "2. " in message["text"]
    assert "Source:" not in message["text"] and "Phone:" not in message["text"]
    assert {c["team"] for c in message["custom"]["contacts"]} == {
        "ca_account_management_support",
        "nw_small_business_group",
    }


def test_an_answer_payload_without_a_body_is_sent_whole():
    payload = {"type": "answer", "contacts": [{"name": "Some Team", "phones": [{"number": "800-000-0000"}]}],
               "sources": [{"document": "FAQ", "section": "Contacts"}]}  # fmt: skip
    text = 'Call the team.\n\nSomething else\n  Phone: 800-000-0000\n\nSource: FAQ, "Contacts"'
    assert answer_text_beside_payload(text, payload) == text
    assert answer_text_beside_payload("Call the team.", payload) == "Call the team."


def test_rest_clients_still_get_the_text_by_paragraph_then_the_payload_as_its_own_message(assistant):
    reply = assistant.respond(Turn("terminate_contract", "", (), State(region="california"), TODAY))
    rest = CollectingOutputChannel()  # what Rasa's REST channel collects its reply in
    asyncio.run(rest.send_response("session-1", utter(reply)))
    *texts, payload = rest.messages
    assert "\n\n".join(m["text"] for m in texts) == reply.text and len(texts) == reply.text.count("\n\n") + 1
    assert payload["custom"] == reply.payload and payload.get("text") is None
