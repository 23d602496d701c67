"""Dates as brokers type them, and the reinstatement window computed from a termination date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
# Order matters only for readability: the patterns cannot match the same text.
_PATTERNS = [
    re.compile(rf"\b{_YEAR}\s*-\s*(?P<mnum>\d{{1,2}})\s*-\s*(?P<day>\d{{1,2}})\b"),          # 2026-10-01
    re.compile(r"\b(?P<mnum>\d{1,2})\s*[/-]\s*(?P<day>\d{1,2})\s*[/-]\s*(?P<year>\d{4}|\d{2})\b"),  # 10/1/2026
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:\s*,\s*|\s+){_YEAR}\b"),                              # Oct 1, 2026
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}\b"),                           # 1 October 2026
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*\d)"),                                     # October 1
]


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    year_assumed: bool = False


def parse_date(text: str, today: dt.date) -> ParsedDate | None:
    """The first date in `text` (US month/day order); a missing year is taken as this year."""
    low = text.lower()
    for pattern in _PATTERNS:
        for match in pattern.finditer(low):
            parts = match.groupdict()
            month = MONTHS[parts["month"]] if parts.get("month") else int(parts["mnum"])
            year = parts.get("year")
            year_value = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
            try:
                return ParsedDate(dt.date(year_value, month, int(parts["day"])), year is None)
            except ValueError:
                continue  # 2/30/2026: not a date; keep looking
    return None


@dataclass(frozen=True)
class ReinstatementWindow:
    termination: dt.date
    last_day: dt.date
    days_left: int  # negative once the window has passed

    @property
    def is_open(self) -> bool:
        return self.days_left >= 0


def reinstatement_window(termination: dt.date, window_days: int, today: dt.date) -> ReinstatementWindow:
    last_day = termination + dt.timedelta(days=window_days)
    return ReinstatementWindow(termination, last_day, (last_day - today).days)


def spell(date: dt.date) -> str:
    """'July 31, 2026': the spelling US brokers read without ambiguity."""
    return f"{date:%B} {date.day}, {date.year}"
