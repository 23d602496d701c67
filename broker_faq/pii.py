"""Mask personal data that brokers paste (SSNs, member or record numbers, dates of birth, card
numbers, personal e-mails and phone numbers) before a message is understood, stored or logged.

Formats are written the way people paste them, not only the textbook way: any dash (hyphen, en and
em dash, minus sign), dots or spaces (no-break spaces included) between digit groups, spaces around
the separators ("789 - 01 - 2345"), labels with or without '#' ("ID# 7651234", "member ID number
7654321"), dates of birth in any common order or spelling after a birth cue ("DOB 03.04.1975",
"born on the 2nd of January, 1980"), international phone numbers, e-mails written out to dodge
filters ("jane at gmail dot com") and card numbers with spaces (Luhn-checked; other long grouped
numbers are masked as identifiers). Dates without a birth cue stay: termination dates are needed.

Kaiser Permanente's own contacts (and a quoted misprint of one) are not personal data and stay
readable, so the assistant can recognise and correct them.

Logs: PrivateLogFilter keeps a server's log free of conversations (no message text at INFO or above):
every record at INFO or above, its traceback included, is masked and cut to MAX_LOG_RECORD_CHARS.
keep_logs_private() puts it on every log handler of the process; the Rasa server (channels/
private_logs.py) and the action server (actions/__init__.py) call it at start-up.

Time: masking is linear in the text's length (3-7 ms for the longest message the channels accept,
5,000 characters, whatever its shape): no crafted message can hold the server's event loop (see _Rule;
tests/unit/test_pii_linear_time.py).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from .vocabulary import Vocabulary, load_vocabulary

# Any dash people type between digit groups: hyphen, non-breaking hyphen, figure/en/em dash, bar, minus.
_DASH = "\\-\u2010-\u2015\u2212"
# Between digit groups: a dash, dot or slash, with spaces (any Unicode space) around it, or spaces alone.
_SEP = rf"(?:\s*[{_DASH}./]\s*|\s+)"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}(?:\d{{4}}|\d{{2}})(?!\d)"  # 03/04/1975, 03.04.75, 3 - 4 - 1975
    rf"|\d{{4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}(?!\d)"  # 1975/03/04, 1975-3-4
    rf"|{_MONTH}\s+(?:the\s+)?{_DAY},?\s+\d{{4}}"  # January 2nd, 1980; Jan. 2 1980
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}})"  # 2nd of January 1980; 2 Jan, 1980
)
# A few words may stand between a birth cue and its date: "born on the 2nd ...", "DOB is ...".
_FILLER = r"\s*(?:[:#=\-]\s*)?(?:(?:is|was|on|the|of|:)\s*){0,3}"
_BIRTH_CUE = r"(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born)(?![a-z])"
# A cue after its date, a few words on in the same sentence ("1/2/1980, when the owner was born"),
# unless a date follows that cue (then the cue is that date's: "terminated 9/30, owner born 1/2/1980").
# (A date right after a termination cue stays one: see PiiMasker._masked.)
_GAP = r"[\s,:()\-\u2013\u2014]+"  # no sentence or clause end (. ; ! ?) in between
_CUE_AFTER = rf"(?=(?:{_GAP}[a-z'\u2019]+){{0,10}}?{_GAP}{_BIRTH_CUE}(?!{_FILLER}{_DATE}))"

_AT = r"(?:\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*|\s+at\s+)"
_DOT = r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>)\s*|\s+dot\s+)"
_FREE_MAIL = r"(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|icloud|me|proton(?:mail)?|comcast|att)"

# An e-mail's user part: a run of these (case-insensitive in the written-out forms, so with the four
# non-ASCII letters Python folds onto a-z).
_USER = "A-Za-z0-9._%+-"


def _email(start: str, start_i: str) -> str:
    """The e-mail pattern, each of its alternatives starting with `start` (`start_i` where case-insensitive)."""
    return (
        rf"{start}[{_USER}]+@[A-Za-z0-9.-]+\.[A-Za-z]{{2,}}\b"
        # Written out to dodge filters: "jane at gmail dot com", "jane [at] gmail [dot] com",
        # "jane (at) gmail.com", "jane at gmail.com" (a free mail domain).
        rf"|(?i:{start_i}(?:[{_USER}]+{_AT}[a-z0-9-]+(?:(?:{_DOT}|\.)[a-z0-9-]+)*{_DOT}[a-z]{{2,6}}\b"
        rf"|[{_USER}]+\s*(?:\[at\]|\(at\)|\{{at\}}|<at>)\s*[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{{2,6}}\b"
        rf"|[{_USER}]+\s+at\s+{_FREE_MAIL}\.[a-z]{{2,3}}\b))"
    )


def _run_start(lead: str) -> str:
    """Where a run of user characters begins (each run is tried once, not from each of its positions),
    then the `lead`: what \\b would skip of it (leading dots after a space, letters after a non-ASCII
    one), kept in the text unmasked."""
    return rf"(?<![{_USER}])(?P<{lead}>(?<!\w)[.%+-]*|(?<=\w)[A-Za-z0-9_]*)\b"


# An e-mail starts at a word boundary. Scanning the run of user characters that follows from each word
# boundary in it ("a.a.a.a..." with no "@" after it) takes time quadratic in the run's length; starting
# once per run finds the same e-mails in one pass (_Rule.sub).
_EMAIL_AT_ANY_START = re.compile(_email(r"\b", r"\b"))
_EMAIL_AT_RUN_START = re.compile(_email(_run_start("lead"), _run_start("lead_i")))


class _Rule:
    """A label and its pattern. Every pattern takes time linear in the text's length (Python's engine
    backtracks, so the patterns are written for it): no two quantifiers may match the same characters
    one after the other (\\s*[-.]?\\s* is written \\s*(?:[-.]\\s*)?), and no pattern scans an unbounded
    run again from each position inside it (the e-mail pattern starts once per run: _run_start; a member
    ID's first digit is looked for within 64 characters). (google-re2, linear by construction, has no
    lookaround, which every pattern but the e-mail one needs.)"""

    def __init__(self, label: str, pattern: re.Pattern, at_any_start: re.Pattern | None = None):
        self.label, self.pattern, self._at_any_start = label, pattern, at_any_start

    def sub(self, repl: Callable[[re.Match], str], text: str) -> str:
        if self._at_any_start is None:
            return self.pattern.sub(repl, text)
        # The e-mail pattern, starting once per run: as pattern.sub, but where a match ends inside a run
        # of user characters ("a@b.com.c@d.com"), the rest of the run is tried at the match's end, as the
        # plain pattern would (it fails there only if it fails everywhere in the rest of the run).
        parts, pos = [], 0
        while match := (self._at_any_start.match(text, pos) if pos else None) or self.pattern.search(text, pos):
            parts += [text[pos : match.start()], repl(match)]
            pos = match.end()  # > match.start(): these matches are never empty
        parts.append(text[pos:])
        return "".join(parts)


# Order matters: labelled identifiers first, then the shapes that stand alone.
_RULES: list[_Rule] = [
    _Rule(
        "DATE_OF_BIRTH",
        re.compile(
            rf"(?i)(?:\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on)?|b\.){_FILLER}{_DATE}"
            rf"|(?<![\w/.\-])(?P<cue_after>{_DATE}){_CUE_AFTER})",
        ),
    ),
    _Rule(
        "MEMBER_ID",
        re.compile(
            r"(?i)\b(?:(?:member(?:ship)?|subscriber|patient|health plan)\s*(?:id(?:entification)?|number|no\.?|num|#)"
            r"(?:\s*(?:number|no\.?|num|#))?|mrn|medical record(?:\s*(?:number|no\.?|num|#))?"
            r"|id\s*(?:#|number|no\.?|num))"
            # The identifier's first digit within its first 64 characters: looked for without that bound,
            # each label in a run of "mrn-mrn-..." scanned the rest of it (quadratic time).
            r"\s*(?:[:#=\-]\s*)?(?:is\s+)?(?=[a-z-]{0,64}\d)[a-z0-9][a-z0-9-]{3,}"
            r"|\bID\s*(?::\s*)?\d{5,}\b"
        ),
    ),
    _Rule(
        "SSN",
        re.compile(
            rf"(?<![\w{_DASH}.])\d{{3}}(?:\s*[{_DASH}.]\s*|\s+)\d{{2}}(?:\s*[{_DASH}.]\s*|\s+)\d{{4}}(?![\w]|[{_DASH}.]\d)"
            r"|(?i:\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:[:#=\-]\s*)?(?:is\s+)?\d{9}\b)"
        ),
    ),
    # International numbers first: their country code and groups would pass for a card number.
    _Rule(
        "PHONE",
        re.compile(
            rf"(?<![\w{_DASH}+])(?<!\d[\s.])(?:\+|00)[1-9](?:[\s{_DASH}.()]{{0,2}}\d){{6,14}}(?![\w]|[{_DASH}]\d)"
        ),
    ),
    # 13 to 19 digits in groups: a card number when its Luhn check holds, an identifier otherwise.
    _Rule(
        "CARD_NUMBER",
        re.compile(rf"(?<![\w{_DASH}])(?<!\d[\s.])\d(?:[\s{_DASH}.]?\d){{12,18}}(?!\w|[\s{_DASH}.]\d)"),
    ),
    _Rule("EMAIL", _EMAIL_AT_RUN_START, _EMAIL_AT_ANY_START),
    # Word boundaries, so digit runs inside ids ("a5035550123f") are not taken for numbers.
    _Rule(
        "PHONE",
        re.compile(
            rf"(?<![\w{_DASH}])(?:\+?1\s*(?:[{_DASH}.]\s*)?)?\(?\d{{3}}\)?\s*(?:[{_DASH}.]\s*)?\d{{3}}\s*(?:[{_DASH}.]\s*)?\d{{4}}(?![\w{_DASH}])"
        ),
    ),
    # A long bare number is an identifier of some kind (record, policy, member number).
    _Rule("ID_NUMBER", re.compile(rf"(?<![\w{_DASH}])\d{{8,}}(?![\w{_DASH}])")),
]

_SPELLED_AT = re.compile(r"(?i)\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*|\s+at\s+")
_SPELLED_DOT = re.compile(r"(?i)\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>)\s*|\s+dot\s+")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)[-10:]


def _plain_email(text: str) -> str:
    return _SPELLED_DOT.sub(".", _SPELLED_AT.sub("@", text)).lower()


def luhn_valid(digits: str) -> bool:
    """The check digit of payment card numbers (ISO/IEC 7812)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


class PiiMasker:
    def __init__(
        self, kaiser_phones: Iterable[str] = (), kaiser_emails: Iterable[str] = (), termination_cues: Iterable[str] = ()
    ):
        self._phones = {_digits(p) for p in kaiser_phones}
        self._emails = {e.lower() for e in kaiser_emails}
        self._termination_cues = tuple(termination_cues)

    def _is_kaiser_contact(self, label: str, found: str) -> bool:
        return (label in ("PHONE", "ID_NUMBER") and _digits(found) in self._phones) or (
            label == "EMAIL" and _plain_email(found) in self._emails
        )

    def mask(self, text: str) -> str:
        for rule in _RULES:
            text = rule.sub(functools.partial(self._masked, rule.label), text)
        return text

    def mask_data(self, value: Any) -> Any:
        """A JSON-like value (metadata) with every string in it masked, keys included."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {self.mask(str(k)): self.mask_data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_data(v) for v in value]
        return value

    def _masked(self, label: str, match: re.Match) -> str:
        groups = match.groupdict()
        lead = groups.get("lead") or groups.get("lead_i") or ""  # not part of the match proper: see _EMAIL
        found = match.group()[len(lead) :]
        if self._is_kaiser_contact(label, found) or self._is_termination_date(label, match):
            return lead + found
        if label == "CARD_NUMBER" and not luhn_valid(re.sub(r"\D", "", found)):
            return lead + "[ID_NUMBER]"
        return f"{lead}[{label}]"

    def _is_termination_date(self, label: str, match: re.Match) -> bool:
        """A date with a birth cue after it, but a termination cue right before it in its clause
        ("coverage ended 10/31, the owner's birthday ...") is the termination date."""
        if label != "DATE_OF_BIRTH" or match.groupdict().get("cue_after") is None:
            return False
        clause = re.split(r"[.;!?\n]", match.string[max(0, match.start() - 40) : match.start()])[-1].lower()
        return any(cue in clause for cue in self._termination_cues)

    @classmethod
    def for_knowledge(cls, knowledge, vocabulary: Vocabulary | None = None) -> PiiMasker:
        teams = knowledge.teams.values()
        # A quoted misprint of a Kaiser number is no personal data either: the assistant corrects it.
        return cls(
            [p["number"] for t in teams for p in t.get("phones", [])]
            + [t["fax"] for t in teams if t.get("fax")]
            + [str(n) for t in teams for n in t.get("misprinted_numbers", [])],
            [e["address"] for t in teams for e in t.get("emails", [])],
            (vocabulary or load_vocabulary()).termination_cues,
        )


MAX_LOG_RECORD_CHARS = 2000


class PrivateLogFilter(logging.Filter):
    """On a log handler: records at INFO and above masked (with `mask`) and cut, tracebacks too."""

    def __init__(self, mask: Callable[[str], str], max_chars: int = MAX_LOG_RECORD_CHARS):
        super().__init__()
        self._mask, self.max_chars = mask, max_chars

    def private(self, text: str) -> str:
        if len(text) > self.max_chars:
            text = f"{text[: self.max_chars]} … [{len(text) - self.max_chars} characters not logged]"
        try:
            return self._mask(text)
        except Exception:  # no masker (no knowledge to build it from): say nothing rather than something personal
            return "[log line withheld: the personal data masker is unavailable]"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO or getattr(record, "kp_private", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = self.private(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.private(record.exc_text)
        record.kp_private = True  # filtered once, whichever handler comes next
        return True


def keep_logs_private(mask: Callable[[str], str]) -> None:
    """Put a PrivateLogFilter on every log handler there is now (the root logger's and any logger's
    own). Idempotent."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PrivateLogFilter) for f in handler.filters):
                handler.addFilter(PrivateLogFilter(mask))
