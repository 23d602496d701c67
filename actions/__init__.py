"""Rasa custom actions: thin adapters between Rasa trackers and the plain-Python broker_faq package."""

from broker_faq import runtime

# Load and validate the knowledge as the action server starts: a malformed file stops it here, with
# the validator's message naming the place, instead of failing a broker's first question.
runtime.current()
