"""What the Rasa server writes to its log never holds a conversation: no message text at INFO or above.

Where Rasa 3.6 would write one (measured: after a long conversation, one message whose action failed
wrote 300 KB of log, the whole tracker the action server sent back with its error):
- a failing custom action: Rasa logs the action server's reply (its 500 body is the full tracker, every
  text and metadata) with the traceback. patches.py logs one line instead: the action, the
  conversation id and the error (HTTP status or exception class), nothing of the request or reply;
- a `/`-prefixed message that does not parse: Rasa's warning quotes the whole line. That warning is
  not shown (the message is still handled, as Rasa does, as text or without the unparsed part).

And in case anything else tries: every log record at INFO or above, its traceback included, passes
PrivateLogFilter (broker_faq/privacy.py) on the way to each handler: personal data masked and the record
cut to 2,000 characters, so no log line can carry a conversation (the action server installs the same
filter: actions/__init__.py). DEBUG (`rasa run --debug`, never in
production) is left as Rasa writes it.
"""

from __future__ import annotations

import warnings

from broker_faq.knowledge import runtime
from broker_faq.privacy import MAX_LOG_RECORD_CHARS, PrivateLogFilter, keep_logs_private

__all__ = ["MAX_LOG_RECORD_CHARS", "PrivateLogFilter", "install", "mask"]

# Rasa's warnings that quote the message they could not parse (rasa/shared/core/training_data/
# story_reader/yaml_story_reader.py, used for every `/`-prefixed message).
ECHOING_WARNINGS = (r"Failed to parse arguments in line",)


def mask(text: str) -> str:
    """The masker of the knowledge in force (broker_faq/knowledge/runtime.py)."""
    return runtime.current().masker.mask(text)


def install() -> None:
    """Put the filter on every log handler there is now, and silence the warnings that quote a
    message. Idempotent; called by patches.apply()."""
    keep_logs_private(mask)
    for message in ECHOING_WARNINGS:
        warnings.filterwarnings("ignore", message=message)
