"""The socket.io channel delivers the structured payload as {"custom": ...} (Rasa 3.6's raises)."""

import asyncio

from channels.socket_io import PayloadSocketIOOutput


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None):
        self.emitted.append((event, data, room))


def test_an_answer_arrives_as_text_then_its_payload_in_the_conversation_room():
    server = RecordingServer()
    payload = {"type": "answer", "topic": "terminate_contract", "region": "California"}
    asyncio.run(
        PayloadSocketIOOutput(server, "bot_uttered").send_response(
            "session-1", {"text": "Call us.\n\nSource: FAQ", "custom": payload}
        )
    )
    assert server.emitted == [
        ("bot_uttered", {"text": "Call us."}, "session-1"),
        ("bot_uttered", {"text": "Source: FAQ"}, "session-1"),
        ("bot_uttered", {"custom": payload}, "session-1"),
    ]
