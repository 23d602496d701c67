"""Rasa server add-ons named in endpoints.yml (loaded by the Rasa server, not the action server)."""
