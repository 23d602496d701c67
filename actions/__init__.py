"""Rasa custom actions: thin adapters between Rasa trackers and the plain-Python broker_faq package."""
