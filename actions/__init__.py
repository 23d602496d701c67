"""Rasa custom actions: thin adapters between Rasa trackers and the plain-Python broker_faq package."""

from broker_faq.knowledge import runtime
from broker_faq.privacy import keep_logs_private

# Load and validate the knowledge as the action server starts: a malformed file stops it here, with
# the validator's message naming the place, instead of failing a broker's first question.
runtime.current()

# No conversation in the action server's log either: records at INFO and above masked and cut (an
# exception's message may quote what a broker typed; rasa_sdk logs it with the traceback).
keep_logs_private(lambda text: runtime.current().masker.mask(text))
