"""Mask personal data that brokers paste (SSNs, member or record numbers, Medicare numbers, dates of
birth, card numbers, personal e-mails, phone numbers and street addresses) before a message is
understood, stored or logged.

Formats are written the way people paste them, not only the textbook way: any dash (hyphen, en and
em dash, minus sign), dots or spaces (no-break spaces included) between digit groups, spaces around
the separators ("789 - 01 - 2345"), labels with or without '#' ("ID# 7651234", "member ID number
7654321"), dates of birth in any common order or spelling after a birth cue ("DOB 03.04.1975",
"born on the 2nd of January, 1980"), international phone numbers, e-mails written out to dodge
filters ("jane at gmail dot com") and card numbers with spaces (Luhn-checked; other long grouped
numbers are masked as identifiers). After an SSN cue (ssn, social security, soc sec, SS#) nine digits
are an SSN whatever stands between them ("SSN123-45-6789", "ssn 123_45_6789", "ssn 1 2 3 4 5 6 7 8 9").
A card number may also have double spaces or slashes between its groups or be glued to a word
("card4111111111111111"): then only when its Luhn check holds. E-mails may have spaces around '@';
7-digit phone numbers ("my desk is 555-0147") are masked unless they count something ("250-1000
employees") or are a Kaiser number's last seven digits; Medicare Beneficiary Identifiers
("1EG4-TE5-MK73"), street addresses ("4500 SW Macadam Ave Suite 200", a number, capitalised name
words and a street suffix) and P.O. boxes are masked. Compatibility forms of ASCII characters
(full-width "＠" and letters, "﹫") are read, and written back, as ASCII: the masker may see a text
before it is NFKC-normalised.

Dates: a date after (or shortly before) a birth cue is masked. A full date without a cue (a 4-digit
year) is masked only when its year makes it an adult's birth year (16 to 100 years ago) and no date
cue of another kind (termination, effective, renewal, hire, ...: knowledge/vocabulary.yml) stands
next to it in its clause: termination dates are needed, and never fall in those years.

Kaiser Permanente's own contacts (and a quoted misprint of one) and address are not personal data and
stay readable, so the assistant can recognise and correct them.

Logs: PrivateLogFilter keeps a server's log free of conversations (no message text at INFO or above):
every record at INFO or above, its traceback included, is masked and cut to MAX_LOG_RECORD_CHARS.
keep_logs_private() puts it on every log handler of the process; the Rasa server (channels/
private_logs.py) and the action server (actions/__init__.py) call it at start-up.

Time: masking is linear in the text's length (3-11 ms for the longest message the channels accept,
5,000 characters, whatever its shape): no crafted message can hold the server's event loop (see _Rule;
tests/unit/test_pii_linear_time.py).
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from broker_faq.knowledge.vocabulary import Vocabulary, load_vocabulary

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

# A full date with no cue (a birth date when its year is an adult's: PiiMasker._is_birth_date): a
# 4-digit year and a dash, dot or slash between numbers (no spaces alone: "5 3 1990" is no date).
_DATE_SEP = rf"\s*[{_DASH}./]\s*"
_FULL_DATE = (
    rf"(?:(?P<m1>\d{{1,2}}){_DATE_SEP}(?P<d1>\d{{1,2}}){_DATE_SEP}(?P<y1>\d{{4}})"
    rf"|(?P<y2>\d{{4}}){_DATE_SEP}(?P<m2>\d{{1,2}}){_DATE_SEP}(?P<d2>\d{{1,2}})"
    rf"|{_MONTH}\s+(?:the\s+)?(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
    rf"|(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y4>\d{{4}}))"
)
# What looks like a date in a cue's window: a cue before it, or after it, is that date's.
_DATE_LIKE = rf"(?:\d\s*[{_DASH}./]\s*\d|\b(?:19|20)\d\d\b|\b{_MONTH}\s+\d)"
_ANY_DATE_LIKE = re.compile(rf"(?i){_DATE_LIKE}")
_UP_TO_THE_LAST_DATE_LIKE = re.compile(rf"(?is).*{_DATE_LIKE}")  # on a window of _CUE_WINDOW characters
_CLAUSE_END = re.compile(r"[.;!?\n]")
_CUE_WINDOW = 60
# Words that give a date a role besides the vocabulary's termination and other date cues.
_DATE_ROLE_WORDS = ("effective", "renew", "since", "as of", "until", "through", "start", "began", "begin",
                    "enrol", "hire", "contract", "anniversary", "founded", "established", "opened",
                    "incorporated", "version", "release")  # fmt: skip
_BIRTH_WORDS = ("born", "birth", "dob")
# Dates or years in a row ("2026-10-01 2027-10-01", "2025 2026 2027"), which no card layout has: not one number.
_NUMERIC_DATE = (
    rf"(?:\d{{1,2}}[{_DASH}.]\d{{1,2}}[{_DASH}.]\d{{4}}|\d{{4}}[{_DASH}.]\d{{1,2}}[{_DASH}.]\d{{1,2}}|(?:19|20)\d\d)"
)
_DATES_IN_A_ROW = re.compile(rf"{_NUMERIC_DATE}(?:[\s,]+{_NUMERIC_DATE})+")

_AT = r"(?:\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*|\s+at\s+)"
_DOT = r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>)\s*|\s+dot\s+)"
_FREE_MAIL = r"(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|icloud|me|proton(?:mail)?|comcast|att)"

# An e-mail's user part: a run of these (case-insensitive in the written-out forms, so with the four
# non-ASCII letters Python folds onto a-z).
_USER = "A-Za-z0-9._%+-"
# Up to three spaces (no line break) on either side of "@".
_AT_GAP = r"[^\S\r\n]{0,3}"


def _email(start: str, start_i: str) -> str:
    """The e-mail pattern, each of its alternatives starting with `start` (`start_i` where case-insensitive)."""
    return (
        rf"{start}[{_USER}]+{_AT_GAP}@{_AT_GAP}[A-Za-z0-9.-]+\.[A-Za-z]{{2,}}\b"  # "jane @ gmail.com" too
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


# What may follow a number for it to be part of a longer one: a digit, or a label masking digits ("[ID_NUMBER]"),
# so that masking again changes nothing more.
_MORE_DIGITS = r"(?:\d|\[[A-Z_]{1,24}\])"
_SSN_CUE = r"(?:ssn|social\s+security|soc\.?\s*sec\.?|ss\s*#)"
_SSN_FILLER = r"\s*(?:(?:number|no\.?|num|#)\s*)?(?:[:#=\-]\s*)?(?:is\s+)?"
# Between a card number's groups: up to three of spaces, dashes, dots and slashes ("4111  1111", "4111/1111").
_CARD_GAP = rf"[\s{_DASH}./]{{1,3}}"
# A Medicare Beneficiary Identifier's letters (no S, L, O, I, B or Z), and what may stand between its groups.
_MBI_ALPHA = "AC-HJKMNP-RT-Y"
_MBI_GAP = rf"(?:\s?[{_DASH}]\s?|\s)?"
_STREET_SUFFIXES = ("Street", "St", "Avenue", "Ave", "Boulevard", "Blvd", "Road", "Rd", "Drive", "Dr", "Lane", "Ln",
                    "Way", "Court", "Ct", "Place", "Pl", "Parkway", "Pkwy", "Highway", "Hwy")  # fmt: skip
_STREET_SUFFIX = "|".join(sorted({form for s in _STREET_SUFFIXES for form in (s, s.upper())}, key=len, reverse=True))
_UNIT = r"(?:Suite|SUITE|Ste|STE|Apartment|Apt|APT|Unit|UNIT|Building|Bldg|Floor|Fl|Room|Rm|#)"

# Order matters: labelled identifiers first, then the shapes that stand alone.
_RULES: list[_Rule] = [
    _Rule(
        "DATE_OF_BIRTH",
        re.compile(
            rf"(?i)(?:\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on)?|b\.){_FILLER}{_DATE}"
            rf"|(?<![\w/.\-])(?P<cue_after>{_DATE}){_CUE_AFTER})",
        ),
    ),
    # A full date with no cue: masked only when it is an adult's birth date (PiiMasker._is_birth_date).
    _Rule(
        "DATE_OF_BIRTH",
        re.compile(rf"(?i)(?<![\w/.{_DASH}])(?P<bare_date>{_FULL_DATE})(?!\w|[/.{_DASH}]{_MORE_DIGITS})"),
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
    # C A AN N - A AN N - A A N N (C: 1-9, A: a letter but S L O I B Z, N: a digit, AN: either).
    _Rule(
        "MEDICARE_ID",
        re.compile(
            rf"(?i)(?<![\w{_DASH}])[1-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9]\d{_MBI_GAP}[{_MBI_ALPHA}][{_MBI_ALPHA}0-9]\d"
            rf"{_MBI_GAP}[{_MBI_ALPHA}]{{2}}\d\d(?!\w|[{_DASH}]\w)"
        ),
    ),
    _Rule(
        "SSN",
        re.compile(
            rf"(?<![\w{_DASH}.])\d{{3}}(?:\s*[{_DASH}.]\s*|\s+)\d{{2}}(?:\s*[{_DASH}.]\s*|\s+)\d{{4}}(?![\w]|[{_DASH}.]\d)"
            r"|(?i:\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:[:#=\-]\s*)?(?:is\s+)?\d{9}\b)"
            # After a cue, kept: nine digits with anything between them ("SSN123-45-6789", "ssn 1 2 3 ...").
            rf"|(?i:(?P<lead>\b{_SSN_CUE}{_SSN_FILLER})\d(?:[\s_/{_DASH}.]{{0,3}}\d){{8}}(?!\w|[_/{_DASH}.]{_MORE_DIGITS}))"
        ),
    ),
    # International numbers first: their country code and groups would pass for a card number. (Never the
    # rest of a number: "4000  0010  0000  0000" is no number from 0010.)
    _Rule(
        "PHONE",
        re.compile(
            rf"(?<![\w{_DASH}+])(?<!\d[\s.])(?<!\d[\s.{_DASH}]{{2}})(?<!\d[\s.{_DASH}]{{3}})(?:\+|00)[1-9](?:[\s{_DASH}.()]{{0,2}}\d){{6,14}}(?![\w]|[{_DASH}]\d)"
        ),
    ),
    # 13 to 19 digits in groups: a card number when its Luhn check holds, an identifier otherwise. Groups
    # of three digits or more with wider gaps, or glued to a word (kept), only when the Luhn check holds.
    _Rule(
        "CARD_NUMBER",
        re.compile(
            rf"(?<![\w{_DASH}])(?<!\d[\s.])\d(?:[\s{_DASH}.]?\d){{12,18}}(?!\w|[\s{_DASH}.]\d)"
            rf"|(?:(?P<lead>\b[A-Za-z]{{1,24}})|(?<![\w{_DASH}./])(?<!\d[\s{_DASH}./])(?<!\d[\s{_DASH}./]{{2}})"
            rf"(?<!\d[\s{_DASH}./]{{3}}))(?P<loose>\d{{3,19}}(?:{_CARD_GAP}\d{{3,19}}){{0,6}})(?!\w|{_CARD_GAP}{_MORE_DIGITS})"
        ),
    ),
    _Rule("EMAIL", _EMAIL_AT_RUN_START, _EMAIL_AT_ANY_START),
    # Word boundaries, so digit runs inside ids ("a5035550123f") are not taken for numbers.
    _Rule(
        "PHONE",
        re.compile(
            rf"(?<![\w{_DASH}])(?:\+?1\s*(?:[{_DASH}.]\s*)?)?\(?\d{{3}}\)?\s*(?:[{_DASH}.]\s*)?\d{{3}}\s*(?:[{_DASH}.]\s*)?\d{{4}}(?![\w{_DASH}])"
        ),
    ),
    # A 7-digit number ("555-0147", "555 0147"), unless it counts something (PiiMasker._is_no_phone_line).
    _Rule(
        "PHONE",
        re.compile(
            rf"(?<![\w{_DASH}.,/:$#+])(?<!\d\s)(?P<local>[2-9]\d\d(?:\s*[{_DASH}]\s*|[^\S\r\n])\d{{4}})"
            rf"(?![\w{_DASH}]|[.,/:]{_MORE_DIGITS})"
        ),
    ),
    # A P.O. box; a number, one to four capitalised words and a street suffix, then a unit ("Suite 200").
    _Rule(
        "ADDRESS",
        re.compile(
            r"(?i:\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*(?:#\s*)?\d{1,7}\b)"
            rf"|(?<![\w{_DASH}.,/$#])\d{{1,6}}[A-Za-z]?[^\S\r\n]+(?:(?:[A-Z][A-Za-z']*\.?|\d{{1,3}}(?:st|nd|rd|th))[^\S\r\n]+){{1,4}}"
            rf"(?:{_STREET_SUFFIX})\b(?:\.?,?[^\S\r\n]*{_UNIT}\.?[^\S\r\n]*(?:#[^\S\r\n]*)?(?:[A-Za-z]?-?\d{{1,5}}[A-Za-z]?|[A-Za-z])\b)?"
        ),
    ),
    # A long bare number is an identifier of some kind (record, policy, member number).
    _Rule("ID_NUMBER", re.compile(rf"(?<![\w{_DASH}])\d{{8,}}(?![\w{_DASH}])")),
]

# Words after a number that say it counts something ("250-1000 employees") or before it that it is a range.
_COUNT_UNITS = ("group", "lives", "dependent", "claim", "dollar", "usd", "percent", "%", "day", "week", "month",
                "year", "hour", "minute", "mile", "sq", "ft", "feet", "unit", "location", "office", "plan")  # fmt: skip
_RANGE_WORDS = frozenset({"between", "from", "of", "range", "ranges", "ranging", "about", "around", "approximately",
                          "roughly", "over", "under"})  # fmt: skip
_LAST_WORD = re.compile(r"([a-z]+)\W*$")


# Compatibility forms of the ASCII characters personal data is written with: full-width letters, digits,
# "＠" and punctuation, "﹫", mathematical letters. Not superscripts or circled digits ("²" stays: no count
# of 2), nor other punctuation ("？" stays).
_FORM_BLOCKS = ((0xFE50, 0xFE6F), (0xFF00, 0xFFEF))  # small form variants, half- and full-width forms


@functools.lru_cache(maxsize=4096)
def _ascii_form(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1 or not folded.isascii():
        return char
    if folded == "@" or (folded.isalnum() and unicodedata.category(char) in ("Lu", "Ll", "Nd")):
        return folded
    in_form_block = any(low <= ord(char) <= high for low, high in _FORM_BLOCKS)
    return folded if in_form_block and folded in "._%+-/#:" else char


def ascii_forms(text: str) -> str:
    """The text with each compatibility form of an ASCII letter, digit, "@" or address punctuation (what
    NFKC makes that character of: "ｊａｎｅ＠ｇｍａｉｌ．ｃｏｍ", "jane﹫gmail.com") written as that character."""
    if text.isascii():
        return text
    return text.translate({ord(char): _ascii_form(char) for char in set(text) if not char.isascii()})


def _address_key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", text.lower())
    return "pobox" + key[len("postofficebox") :] if key.startswith("postofficebox") else key


_SPELLED_AT = re.compile(r"(?i)\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*|\s+at\s+")
_SPELLED_DOT = re.compile(r"(?i)\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>)\s*|\s+dot\s+")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)[-10:]


def _plain_email(text: str) -> str:
    return re.sub(r"\s*@\s*", "@", _SPELLED_DOT.sub(".", _SPELLED_AT.sub("@", text))).lower()


def luhn_valid(digits: str) -> bool:
    """The check digit of payment card numbers (ISO/IEC 7812)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


# Masked texts remembered as clean (PiiMasker.mask): up to this long, at most this many (~2 MB at most).
CLEAN_STRING_CHARS = 500
CLEAN_STRINGS = 4096


class PiiMasker:
    def __init__(
        self,
        kaiser_phones: Iterable[str] = (),
        kaiser_emails: Iterable[str] = (),
        termination_cues: Iterable[str] = (),
        *,
        kaiser_addresses: Iterable[str] = (),
        other_date_cues: Iterable[str] = (),
        count_words: Iterable[str] = (),
        this_year: int | None = None,
    ):
        self._phones = {_digits(p) for p in kaiser_phones}
        self._phone_lines = {p[-7:] for p in self._phones if len(p) >= 7}  # "790-4661" as well as "800-790-4661"
        self._emails = {e.lower() for e in kaiser_emails}
        self._addresses = {key for a in kaiser_addresses if (key := _address_key(a))}
        self._termination_cues = tuple(termination_cues)
        # A date next to one of these has a role (termination, renewal, hire, ...): no birth date.
        role_cues = self._termination_cues + tuple(
            cue for cue in (*other_date_cues, *_DATE_ROLE_WORDS) if not any(w in cue for w in _BIRTH_WORDS)
        )
        self._date_role_cue = re.compile("|".join(map(re.escape, sorted(set(role_cues), key=len, reverse=True))))
        # A count word or its plural, right after a number ("250-1000 employees").
        words = sorted({w.lower() for w in (*count_words, *_COUNT_UNITS)}, key=len, reverse=True)
        self._count_word = re.compile(rf"[\s\u00a0{_DASH}]*(?:{'|'.join(map(re.escape, words))})(?:e?s)?(?![a-z])")
        self._this_year = this_year
        # Texts known clean (see mask), per year: what a date means depends on it.
        self._clean: set[tuple[int, str]] = set()

    def _is_kaiser_contact(self, label: str, found: str) -> bool:
        return (
            (label in ("PHONE", "ID_NUMBER") and _digits(found) in self._phones)
            or (label == "PHONE" and re.sub(r"\D", "", found) in self._phone_lines)
            or (label == "EMAIL" and _plain_email(found) in self._emails)
            or (label == "ADDRESS" and self._is_kaiser_address(found))
        )

    def _is_kaiser_address(self, found: str) -> bool:
        key = _address_key(found)
        return any(line == key or line.startswith(key) for line in self._addresses)

    def mask(self, text: str) -> str:
        """The text with what is personal in it replaced by labels ("SSN [SSN]").

        What masking gives back is remembered as clean, so that it is not masked again: a masked text
        is (masking twice changes nothing more: test_pii.py), and every message is masked by the
        channel guard, then again by the tracker store and the log filter, which would only find its
        labels (~0.1 ms a time for a broker's question). Only masked texts are kept, so nothing
        personal: at most CLEAN_STRINGS of them, of CLEAN_STRING_CHARS or less."""
        key = (self._this_year or datetime.date.today().year, text)
        if key in self._clean:
            return text
        masked = self.mask_afresh(text)
        if len(masked) <= CLEAN_STRING_CHARS:
            if len(self._clean) >= CLEAN_STRINGS:
                self._clean.clear()
            self._clean.add((key[0], masked))
        return masked

    def mask_afresh(self, text: str) -> str:
        """What mask() gives, worked out again whatever is remembered."""
        text = ascii_forms(text)
        for rule in _RULES:
            text = rule.sub(functools.partial(self._masked, rule.label), text)
        return text

    def mask_data(self, value: Any, memo: dict[str, str] | None = None) -> Any:
        """A JSON-like value (metadata) with every string in it masked, keys included. `memo` keeps
        the strings masked so far, for values that repeat them (the events of one turn)."""
        if isinstance(value, str):
            if memo is not None and value in memo:
                return memo[value]
            masked = self.mask(value)
            if memo is not None:
                memo[value] = masked
            return masked
        if isinstance(value, dict):
            return {self.mask_data(str(k), memo): self.mask_data(v, memo) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_data(v, memo) for v in value]
        return value

    def _masked(self, label: str, match: re.Match) -> str:
        groups = match.groupdict()
        lead = groups.get("lead") or groups.get("lead_i") or ""  # not part of the match proper: see _EMAIL
        found = match.group()[len(lead) :]
        if self._stays(label, match, found):
            return lead + found
        if label == "CARD_NUMBER" and not luhn_valid(re.sub(r"\D", "", found)):
            return lead + "[ID_NUMBER]"
        return f"{lead}[{label}]"

    def _stays(self, label: str, match: re.Match, found: str) -> bool:
        """What a pattern found that is no personal data after all."""
        groups = match.groupdict()
        if self._is_kaiser_contact(label, found) or self._is_termination_date(label, match):
            return True
        if label == "CARD_NUMBER":
            digits = re.sub(r"\D", "", found)
            if _DATES_IN_A_ROW.fullmatch(found):
                return True
            return groups.get("loose") is not None and not (13 <= len(digits) <= 19 and luhn_valid(digits))
        if groups.get("local") is not None:
            return self._is_no_phone_line(match, found)
        if groups.get("bare_date") is not None:
            return not self._is_birth_date(match)
        return False

    def _is_termination_date(self, label: str, match: re.Match) -> bool:
        """A date with a birth cue after it, but a termination cue right before it in its clause
        ("coverage ended 10/31, the owner's birthday ...") is the termination date."""
        if label != "DATE_OF_BIRTH" or match.groupdict().get("cue_after") is None:
            return False
        clause = re.split(r"[.;!?\n]", match.string[max(0, match.start() - 40) : match.start()])[-1].lower()
        return any(cue in clause for cue in self._termination_cues)

    def _is_no_phone_line(self, match: re.Match, found: str) -> bool:
        """A 7-digit number that counts something: a count word after it ("250-1000 employees"), a range
        word before it ("between 300-2500"), two round numbers ("500 1000"), or a year after a space
        ("140 2026")."""
        digits = re.sub(r"\D", "", found)
        if (digits[2] == "0" and digits[-2:] == "00") or (found[3:4].isspace() and digits[3:5] in ("19", "20")):
            return True
        if self._count_word.match(match.string[match.end() : match.end() + 40].lower()):
            return True
        before = _LAST_WORD.search(match.string[max(0, match.start() - 30) : match.start()].lower())
        return before is not None and before.group(1) in _RANGE_WORDS

    def _is_birth_date(self, match: re.Match) -> bool:
        """A full date with no cue is a birth date when it is a date, its year makes the person an adult
        (16 to 100 years old this year), and no cue gives it another role: none in its clause before it
        (after any other date there) nor after it (unless another date follows: the cue is that one's)."""
        g = match.groupdict()
        year = int(next(g[y] for y in ("y1", "y2", "y3", "y4") if g[y]))
        this_year = self._this_year or datetime.date.today().year
        if not this_year - 100 <= year <= this_year - 16:
            return False
        if g["y1"]:
            first, second = int(g["m1"]), int(g["d1"])
            is_date = 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12
        elif g["y2"]:
            is_date = 1 <= int(g["m2"]) <= 12 and 1 <= int(g["d2"]) <= 31
        else:
            is_date = 1 <= int(g["d3"] or g["d4"]) <= 31
        if not is_date:
            return False
        text = match.string
        before = _CLAUSE_END.split(text[max(0, match.start() - _CUE_WINDOW) : match.start()])[-1]
        if last := _UP_TO_THE_LAST_DATE_LIKE.match(before):
            before = before[last.end() :]
        after = _CLAUSE_END.split(text[match.end() : match.end() + _CUE_WINDOW])[0]
        if _ANY_DATE_LIKE.search(after):
            after = ""
        return not self._date_role_cue.search(f"{before} | {after}".lower())

    @classmethod
    def for_knowledge(cls, knowledge, vocabulary: Vocabulary | None = None, this_year: int | None = None) -> PiiMasker:
        teams = knowledge.teams.values()
        vocabulary = vocabulary or load_vocabulary()
        # A quoted misprint of a Kaiser number is no personal data either: the assistant corrects it.
        return cls(
            [p["number"] for t in teams for p in t.get("phones", [])]
            + [t["fax"] for t in teams if t.get("fax")]
            + [str(n) for t in teams for n in t.get("misprinted_numbers", [])],
            [e["address"] for t in teams for e in t.get("emails", [])],
            vocabulary.termination_cues,
            kaiser_addresses=[str(line) for t in teams for line in t.get("address", [])],
            other_date_cues=vocabulary.other_date_cues,
            count_words=vocabulary.subscriber_words + vocabulary.headcount_words,
            this_year=this_year,
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
