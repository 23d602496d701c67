"""Rasa tracker stores used by the assistant (configured in endpoints.yml)."""
