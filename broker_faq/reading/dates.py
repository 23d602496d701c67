"""Dates as brokers type them, and the reinstatement window computed from a termination date."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from dataclasses import dataclass

from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.phrases import CORRECTION_CUES

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|(?:19|20) \d{2})"  # "twenty twenty-seven" reads as "20 27"
# Dates further than this from today are typing errors or placeholders, not a group's dates.
MAX_YEARS_AWAY = 100
# Order matters only for readability: the patterns cannot match the same text.
_PATTERNS = [
    re.compile(rf"\b{_YEAR}\s*-\s*(?P<mnum>\d{{1,2}})\s*-\s*(?P<day>\d{{1,2}})\b"),  # 2026-10-01
    re.compile(r"\b(?P<mnum>\d{1,2})\s*[/-]\s*(?P<day>\d{1,2})\s*[/-]\s*(?P<year>\d{4}|\d{2})\b"),  # 10/1/2026
    re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}(?:\s*,\s*|\s+){_YEAR}\b"),  # Oct 1, 2026; June the 1st, 2027
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}\b"),  # 1 October 2026
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*\d)"),  # October 1
]


# Dates said in words, read here rather than by dateparser (see requirements.in): "the end of March
# 2027", "the last day of February", "the 1st of next month", "the first of March 2027".
_LAST_DAY = re.compile(
    rf"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+(?:(?P<rel>this|next)\s+month|{_MONTH}(?:\s*,?\s*{_YEAR})?)"
)
_FIRST = r"(?P<day>\d{1,2})(?:st|nd|rd|th)|(?P<first>first)"
_OF_NEXT_MONTH = re.compile(rf"\b(?:the\s+)?(?:{_FIRST})\s+of\s+(?P<rel>this|next)\s+month\b")
_FIRST_OF = re.compile(rf"\b(?:the\s+)?first\s+of\s+{_MONTH}(?:\s*,?\s*{_YEAR})?")
_IN_WORDS = [_LAST_DAY, _OF_NEXT_MONTH, _FIRST_OF]
# Holidays on a fixed day, as terminations are often dated ("effective New Year's Eve 2027"); a holiday
# that moves (Thanksgiving, Memorial Day) is no date without a calendar of its rule, so none is read.
HOLIDAYS = {
    "new year's eve": (12, 31),
    "new year's day": (1, 1),
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "independence day": (7, 4),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "veterans day": (11, 11),
}
_HOLIDAY_DAYS = {name.replace("'", ""): day for name, day in HOLIDAYS.items()}  # typed with or without "'"
_HOLIDAY = re.compile(
    r"\b(?P<holiday>"
    + "|".join(re.escape(h).replace("'", "'?") for h in sorted(HOLIDAYS, key=len, reverse=True))
    + r")"
    rf"(?:\s*,?\s*(?:of\s+)?{_YEAR})?"
)


# "July second, 2027": the ordinals text2num leaves as words (they are also plain words), read after a
# month name only, written as digits of the same length so every position in the text stays put.
ORDINAL_AFTER_MONTH = re.compile(rf"\b((?:{'|'.join(MONTHS)})\.?\s+(?:the\s+)?)(first|second|third)\b")
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd"}


def _ordinal_digits(match: re.Match) -> str:
    word = match.group(2)
    return match.group(1) + _ORDINALS[word].ljust(len(word))


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    year_assumed: bool = False


@dataclass(frozen=True)
class DateMention:
    parsed: ParsedDate
    start: int
    end: int


def find_dates(text: str, today: dt.date) -> list[DateMention]:
    """Every date in `text`, in order (US month/day order; a missing year is taken as this year)."""
    low = ORDINAL_AFTER_MONTH.sub(_ordinal_digits, text.lower())
    found = _dates_in_words(low, today)
    for pattern in _PATTERNS:
        for match in pattern.finditer(low):
            if any(m.start < match.end() and match.start() < m.end for m in found):
                continue  # part of a date already found ("October 1" inside "October 1, 2026")
            parts = match.groupdict()
            month = MONTHS[parts["month"]] if parts.get("month") else int(parts["mnum"])
            year = parts.get("year")
            year = year.replace(" ", "") if year else year
            year_value = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
            try:
                date = dt.date(year_value, month, int(parts["day"]))
            except ValueError:
                continue  # 2/30/2026: not a date; keep looking
            if abs(date.year - today.year) > MAX_YEARS_AWAY:
                continue  # 12/31/9999: no date of a group's contract (and no deadline can be computed from it)
            found.append(DateMention(ParsedDate(date, year is None), match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _dates_in_words(low: str, today: dt.date) -> list[DateMention]:
    found: list[DateMention] = []
    for pattern in _IN_WORDS:
        for match in pattern.finditer(low):
            parts = match.groupdict()
            if any(m.start < match.end() and match.start() < m.end for m in found):
                continue
            year_said = parts.get("year")
            if parts.get("rel"):
                month_start = (
                    (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
                    if parts["rel"] == "next"
                    else today.replace(day=1)
                )
                year, month = month_start.year, month_start.month
            else:
                year, month = int(year_said) if year_said else today.year, MONTHS[parts["month"]]
            last = calendar.monthrange(year, month)[1]
            day = (
                last if pattern is _LAST_DAY else 1 if parts.get("first") or pattern is _FIRST_OF else int(parts["day"])
            )
            if day > last:
                continue
            assumed = not year_said and not parts.get("rel")
            found.append(DateMention(ParsedDate(dt.date(year, month, day), assumed), match.start(), match.end()))
    for match in _HOLIDAY.finditer(low.replace("\u2019", "'")):
        month, day = _HOLIDAY_DAYS[match.group("holiday").replace("'", "")]
        year_said = (match.group("year") or "").replace(" ", "")
        date = dt.date(int(year_said) if year_said else today.year, month, day)
        found.append(DateMention(ParsedDate(date, not year_said), match.start(), match.end()))
    return found


def parse_date(text: str, today: dt.date) -> ParsedDate | None:
    """The first date in `text`."""
    found = find_dates(text, today)
    return found[0].parsed if found else None


@dataclass(frozen=True)
class TerminationDate:
    """What a message says of the termination date: the date, or the candidates when their roles
    are unclear (then the assistant asks)."""

    date: ParsedDate | None = None
    unclear: tuple[ParsedDate, ...] = ()
    request_on: ParsedDate | None = None  # "they want to request reinstatement on 11/12": within the window?


def termination_in(text: str, today: dt.date, v: Vocabulary) -> TerminationDate:
    """termination_date with the vocabulary's cues, as every reader of a message calls it."""
    return termination_date(
        text, today, v.termination_cues, v.other_date_cues, v.request_date_cues, v.request_day_questions
    )


def termination_date(
    text: str,
    today: dt.date,
    termination_cues: tuple[str, ...],
    other_cues: tuple[str, ...],
    request_cues: tuple[str, ...] = (),
    request_after_cues: tuple[str, ...] = (),
) -> TerminationDate:
    """The date tied to termination ("terminated 9/30", "effective 10/31", "coverage ended"), never
    one tied to something else (an e-mail's "Sent:", a renewal, a birthday). Of dates with no cue,
    a single one is taken; several are unclear."""
    low = text.lower()
    found = _not_refused(find_dates(text, today), low)
    roles = []
    for i, mention in enumerate(found):
        before = low[max(found[i - 1].end if i else 0, mention.start - 60) : mention.start]
        after = low[mention.end : min(found[i + 1].start if i + 1 < len(found) else len(low), mention.end + 40)]
        role = _role(_last_clause(before), _first_clause(after), termination_cues, other_cues)
        if role is None and any(cue in _first_clause(after) for cue in request_after_cues):
            role = "other"  # "is May 10, 2027 still ok?": a day asked about, not a new termination date
        roles.append(role)
    terminations = _distinct(m.parsed for m, role in zip(found, roles, strict=True) if role == "termination")
    requested = next((m.parsed for m, role in zip(found, roles, strict=True)
                      if role == "other" and _cued(low, m, found, request_cues, request_after_cues)), None)  # fmt: skip
    if len(terminations) == 1:
        return TerminationDate(terminations[0], request_on=requested)
    if terminations:
        return TerminationDate(unclear=tuple(terminations))
    plain = _distinct(m.parsed for m, role in zip(found, roles, strict=True) if role is None)
    if len(plain) == 1 and len(_distinct(m.parsed for m in found)) == 1:
        return TerminationDate(plain[0])
    if not plain:  # "is May 14 too late?" after the termination date was given: the day asked about
        return TerminationDate(request_on=requested)
    # Several dates, none tied to the termination: ask which (a renewal date beside an unmarked one
    # is no proof that the unmarked one is the termination date).
    return TerminationDate(unclear=tuple(plain))


# "it was July 31st 2027, not August 1st": the date after a refusal is the one corrected away.
_REFUSED_BEFORE = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in CORRECTION_CUES) + r")\s+(?:the\s+|on\s+(?:the\s+)?)?$"
)


def _not_refused(found: list[DateMention], low: str) -> list[DateMention]:
    return [m for m in found if not _REFUSED_BEFORE.search(low[max(0, m.start - 20) : m.start])]


def _cued(
    low: str, mention: DateMention, found: list[DateMention], cues: tuple[str, ...], after_cues: tuple[str, ...] = ()
) -> bool:
    """A cue in the clause just before the date ("want to request reinstatement on 11/12/2027"), or one of
    `after_cues` just after it ("is May 14, 2027 too late?"; not "born 1/2/1980, who do I call")."""
    earlier = [m.end for m in found if m.end <= mention.start]
    later = [m.start for m in found if m.start >= mention.end]
    before = _last_clause(low[max([*earlier, mention.start - 60, 0]) : mention.start])
    after = _first_clause(low[mention.end : min([*later, mention.end + 40])])
    return any(cue in before for cue in cues) or any(cue in after for cue in after_cues)


def _role(before: str, after: str, termination_cues: tuple[str, ...], other_cues: tuple[str, ...]) -> str | None:
    for window in (before, after):
        # The cue nearest the date decides: "sent 10/5 about the group terminated 9/30".
        term = max((window.rfind(c) for c in termination_cues), default=-1)
        other = max((window.rfind(c) for c in other_cues), default=-1)
        if window is after:
            term = min((i for c in termination_cues if (i := window.find(c)) >= 0), default=-1)
            other = min((i for c in other_cues if (i := window.find(c)) >= 0), default=-1)
            if term >= 0 and (other < 0 or term < other):
                return "termination"
            if other >= 0:
                return "other"
            continue
        if term > other:
            return "termination"
        if other > term:
            return "other"
    return None


def _last_clause(text: str) -> str:
    return re.split(r"[.;!?\n]|\band\b|\bbut\b", text)[-1]


def _first_clause(text: str) -> str:
    return re.split(r"[.;!?\n,]|\band\b|\bbut\b", text)[0]


def _distinct(dates) -> list[ParsedDate]:
    return list({d.date: d for d in dates}.values())


def spell(date: dt.date) -> str:
    """'July 31, 2026': the spelling US brokers read without ambiguity."""
    return f"{date:%B} {date.day}, {date.year}"


def on_or_after(said: ParsedDate, termination: dt.date) -> dt.date:
    """A request day said without its year ("Jan 5") is the first such day from the termination date on."""
    if not said.year_assumed:
        return said.date
    for year in (termination.year, termination.year + 1):
        with contextlib.suppress(ValueError):  # February 29
            if (day := said.date.replace(year=year)) >= termination:
                return day
    return said.date
