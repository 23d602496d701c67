"""Rasa input channels used by the assistant (configured in credentials.yml): Rasa's own REST and
socket.io channels behind one guard (guard.py), and the live handoff's desk (handoff.py). What the
server needs whichever channels it opens is in rasa_server/; the signed tokens in tokens/."""
