"""Rasa input channels used by the assistant (configured in credentials.yml): Rasa's own REST and
socket.io channels behind one guard (guard.py)."""
