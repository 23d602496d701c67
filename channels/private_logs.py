"""What the Rasa server writes to its log never holds a conversation: no message text at INFO or above.

Where Rasa 3.6 would write one (measured: after a long conversation, one message whose action failed
wrote 300 KB of log, the whole tracker the action server sent back with its error):
- a failing custom action: Rasa logs the action server's reply (its 500 body is the full tracker, every
  text and metadata) with the traceback. rasa_fixes.py logs one line instead: the action, the
  conversation id and the error (HTTP status or exception class), nothing of the request or reply;
- a `/`-prefixed message that does not parse: Rasa's warning quotes the whole line. That warning is
  not shown (the message is still handled, as Rasa does, as text or without the unparsed part).

And in case anything else tries: every log record at INFO or above, its traceback included, passes
PrivateLogFilter on the way to each handler: personal data masked (broker_faq.pii) and the record
cut to MAX_RECORD_CHARS, so no log line can carry a conversation. DEBUG (`rasa run --debug`, never in
production) is left as Rasa writes it.
"""

from __future__ import annotations

import logging
import warnings

from broker_faq import runtime

MAX_RECORD_CHARS = 2000
# Rasa's warnings that quote the message they could not parse (rasa/shared/core/training_data/
# story_reader/yaml_story_reader.py, used for every `/`-prefixed message).
ECHOING_WARNINGS = (r"Failed to parse arguments in line",)


def _cut(text: str) -> str:
    if len(text) <= MAX_RECORD_CHARS:
        return text
    return f"{text[:MAX_RECORD_CHARS]} … [{len(text) - MAX_RECORD_CHARS} characters not logged]"


def private(text: str) -> str:
    """Text fit for a log line: personal data masked, at most MAX_RECORD_CHARS."""
    text = _cut(text)
    try:
        return runtime.current().masker.mask(text)
    except Exception:  # no knowledge to build the masker from: say nothing rather than something personal
        return "[log line withheld: the personal data masker is unavailable]"


class PrivateLogFilter(logging.Filter):
    """On a handler: records at INFO and above masked and cut, their tracebacks too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO or getattr(record, "kp_private", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = private(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = private(record.exc_text)
        record.kp_private = True  # filtered once, whichever handler comes next
        return True


_FILTER = PrivateLogFilter()


def install() -> None:
    """Put the filter on every handler there is now (the root logger's and any logger's own), and
    silence the warnings that quote a message. Idempotent; called by rasa_fixes.apply()."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    for message in ECHOING_WARNINGS:
        warnings.filterwarnings("ignore", message=message)
