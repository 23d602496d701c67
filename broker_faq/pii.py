"""Mask personal data that brokers paste (SSNs, member or record numbers, dates of birth, personal
e-mails and phone numbers) before a message is stored or logged.

The current turn is understood from the original text; only what is kept is masked. Kaiser
Permanente's own contacts are not personal data and stay readable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_DATE = (
    r"(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|"
    r"[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4})"
)

# Order matters: labelled identifiers first, then the shapes that stand alone.
_RULES: list[tuple[str, re.Pattern]] = [
    (
        "DATE_OF_BIRTH",
        re.compile(
            rf"(?i)\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on)?)\s*[:#-]?\s*(?:is\s+)?{_DATE}"
        ),
    ),
    (
        "MEMBER_ID",
        re.compile(
            r"(?i)\b(?:mrn|medical record(?: number| no\.?| #)?|member(?:ship)? (?:id|number|no\.?|#)|"
            r"member\s*#|subscriber (?:id|number))\s*[:#-]?\s*(?:is\s+)?[A-Z0-9][A-Z0-9-]{3,}"
        ),
    ),
    ("SSN", re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b|(?i:\bssn\s*[:#-]?\s*(?:is\s+)?\d{9}\b)")),
    ("EMAIL", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    # Word boundaries, so digit runs inside ids ("a5035550123f") are not taken for numbers.
    ("PHONE", re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")),
    # A long bare number is an identifier of some kind (record, policy, member number).
    ("ID_NUMBER", re.compile(r"(?<![\w-])\d{8,}(?![\w-])")),
]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)[-10:]


class PiiMasker:
    def __init__(self, kaiser_phones: Iterable[str] = (), kaiser_emails: Iterable[str] = ()):
        self._phones = {_digits(p) for p in kaiser_phones}
        self._emails = {e.lower() for e in kaiser_emails}

    def _is_kaiser_contact(self, label: str, found: str) -> bool:
        return (label in ("PHONE", "ID_NUMBER") and _digits(found) in self._phones) or (
            label == "EMAIL" and found.lower() in self._emails
        )

    def mask(self, text: str) -> str:
        for label, pattern in _RULES:
            text = pattern.sub(functools.partial(self._masked, label), text)
        return text

    def _masked(self, label: str, match: re.Match) -> str:
        return match.group() if self._is_kaiser_contact(label, match.group()) else f"[{label}]"

    @classmethod
    def for_knowledge(cls, knowledge) -> PiiMasker:
        teams = knowledge.teams.values()
        # A quoted misprint of a Kaiser number is no personal data either: the assistant corrects it.
        return cls(
            [p["number"] for t in teams for p in t.get("phones", [])]
            + [t["fax"] for t in teams if t.get("fax")]
            + [str(n) for t in teams for n in t.get("misprinted_numbers", [])],
            [e["address"] for t in teams for e in t.get("emails", [])],
        )
