"""Clean a message before anything reads it: the question part of a pasted e-mail, a message typed in
capitals, shorthand and typos.

The result is the text the NLU and the answer logic read (the stored message keeps what was typed,
masked). Each step leaves clean text as it is, so cleaning twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from mailparser_reply import EmailReplyParser
from text_to_num import alpha2digit

from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.phrases import WORD
from broker_faq.reading.spelling import Speller

# A pasted e-mail shows itself by a header line, a reply marker or quoted lines.
EMAIL_MARKS = re.compile(
    r"(?im)^\s*(?:from|sent|to|cc|subject|date)\s*:.*$|^-{2,}\s*original message\s*-{2,}|^on .{4,120} wrote:\s*$|^>"
)
GREETING = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hiya)\b[^.?!\n]{0,40}[,!.:]?\s*$"
)
SIGN_OFF = re.compile(
    r"(?i)^\s*(?:thanks?(?: you)?(?: so much| again| in advance)?|thx|many thanks|cheers|best|best regards|"
    r"kind regards|warm regards|regards|sincerely|respectfully|appreciate (?:it|your help)|talk soon|"
    r"ty|--|—)\s*[!,.]*\s*$"
)
# A name signed at the end of a one-line message: "... lost her ID card? - Pat", "thanks -- J. Ortiz".
TRAILING_NAME = re.compile(r"(?<=[?.!])\s*(?:-{1,2}|—|~)\s*[A-Z][a-z]*\.?(?:\s+[A-Z][a-z]+\.?)?\s*$")
PLEASANTRY = re.compile(r"(?i)^\s*(?:i )?hope (?:you|this|all|your)\b[^\n]*$")
FORWARD = re.compile(r"(?im)^\s*subject\s*:\s*(?:fw|fwd)\s*:|forwarded message")
FORWARD_LINE = re.compile(r"(?i)^\s*-*\s*(?:forwarded message|original message)\s*-*\s*$")
HEADER_LINE = re.compile(r"(?i)^\s*(?:from|sent|to|cc|subject|date)\s*:")
SUBJECT = re.compile(r"(?im)^\s*subject\s*:\s*(?:(?:re|fw|fwd)\s*:\s*)*(.*)$")
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
# "a dozen staff", "two dozen subscribers", "half a dozen": text2num leaves dozens as words.
DOZENS = re.compile(r"(?i)\b(?:(half) an?|(an?|one|two|three|four|\d{1,2}))\s+dozens?\b")
# Spanish, as California brokers may write: numbers in words are read with text2num's Spanish rules.
SPANISH = re.compile(r"(?i)[¿¡ñ]|\b(?:cómo|qué|cuántos|cuándo|grupo|contrato|suscriptores|empleados|necesito)\b")
SPANISH_WORDS = re.compile(
    r"(?i)\b(?:cómo|qué|cuántos|cuántas|cuándo|quién|grupo|contrato|suscriptores|empleados|necesito|tengo|"
    r"cliente|después|oficinas?|pago|dirección|facturas?|separación|reinstalación|tarjetas?|puede|quiere|"
    r"llamar|llaman|necesita|cuál|dónde|también|fecha|hasta|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|octubre|noviembre|diciembre|\w*[áéíóú]\w*)\b"
)
DOZEN_MULTIPLES = {"half": 6, "a": 12, "an": 12, "one": 12, "two": 24, "three": 36, "four": 48}
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Shouting: most letters in capitals, over a few words.
MIN_SHOUTED_LETTERS = 12
SHOUTED_SHARE = 0.7


def question_part(text: str) -> str:
    """The new message of a pasted e-mail: no header, greeting, sign-off, signature or quoted reply.
    Text that does not look like an e-mail is returned as it is."""
    if not EMAIL_MARKS.search(text) and not _signed(text):
        return text
    replies = EmailReplyParser(languages=["en"]).read(text).replies
    # The parser's own signature guess swallows a body that starts "Thanks, that helps. One more: ...",
    # so each message is its content less its header, and sign-offs are cut below.
    bodies = [r.content[len(r.headers) :] if r.content.startswith(r.headers) else r.content for r in replies]
    bodies = [b for b in bodies if b.strip() and not b.lstrip().startswith(">")]
    if not bodies:
        bodies = [""]
    # A forward ("FW:", "Forwarded message") asks about the message it forwards: keep that too.
    forwarded = FORWARD.search(text) is not None
    lines = [
        line
        for body in (bodies if forwarded else bodies[:1])
        for line in body.splitlines()
        if not line.lstrip().startswith(">") and not FORWARD_LINE.match(line) and " | " not in line
    ]
    kept = (
        _between_greeting_and_sign_off(lines)
        if not forwarded
        else [line for part in _forwarded_parts(lines) for line in _between_greeting_and_sign_off(part)]
    )
    if not kept:
        subject = SUBJECT.search(text)
        return subject.group(1).strip() if subject else ""
    return _paragraphs(kept)


def _forwarded_parts(lines: list[str]) -> list[list[str]]:
    """The lines of each message of a forward, split at the forwarded messages' header lines."""
    parts: list[list[str]] = [[]]
    for line in lines:
        if HEADER_LINE.match(line):
            if parts[-1]:
                parts.append([])
            continue
        parts[-1].append(line)
    return parts


def _signed(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 3 and any(SIGN_OFF.match(line) for line in lines[1:])


def _between_greeting_and_sign_off(lines: list[str]) -> list[str]:
    content = [line.strip() for line in lines]
    while content and (not content[0] or GREETING.match(content[0]) or PLEASANTRY.match(content[0])):
        content.pop(0)
    for i, line in enumerate(content):
        if i > 0 and SIGN_OFF.match(line):
            content = content[:i]
            break
    return [line for line in content if not PLEASANTRY.match(line)]


LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+")


def _paragraphs(lines: list[str]) -> str:
    """Lines of one sentence joined by a space; a line that ends a sentence ends with a new line. List
    markers ("1.", "-") go: each item is a line of its own."""
    out = ""
    for line in lines:
        if LIST_MARK.match(line):
            out = out.rstrip(" ") + "\n" if out else out
            line = LIST_MARK.sub("", line)
        if not line:
            out = out.rstrip(" ") + "\n" if out else out
            continue
        out += line + ("\n" if line[-1] in ".?!:;" else " ")
    return re.sub(r"\n{2,}", "\n", out).strip()


def is_shouted(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= MIN_SHOUTED_LETTERS and sum(c.isupper() for c in letters) / len(letters) >= SHOUTED_SHARE


def _unaccented(char: str) -> str:
    """One character without its accent ("Á" -> "A"), still one character, so positions stay put."""
    base = unicodedata.normalize("NFKD", char)[0]
    return base if len(base) == 1 and base.isascii() and char.isalpha() else char


def is_spanish(text: str) -> bool:
    """Written in Spanish: its marks (¿ ¡ ñ) or two of its common words."""
    return bool(re.search(r"[¿¡ñ]", text)) or len(SPANISH_WORDS.findall(text)) >= 2


def numbers_in_digits(text: str, names: re.Pattern | None = None) -> str:
    """Numbers written in words as digits, so every later step reads one spelling: "fifteen
    subscribers" -> "15 subscribers", "March thirty-first" -> "March 31st", "a dozen staff" -> "12 staff".
    text2num (Rust, ~20 us a message) leaves a lone "one" or "two" as words ("one more question",
    "the one in Fresno"), so idioms never become counts; dozens are counted here."""
    text = DOZENS.sub(_dozens, text)
    language = "es" if SPANISH.search(text) else "en"
    if names is None:
        return alpha2digit(text, language)
    # Names with number words in them ("Thousand Oaks") stay names: only the text between them is read.
    pieces, at = [], 0
    for match in names.finditer(text):
        pieces += [alpha2digit(text[at : match.start()], language) if match.start() > at else "", match.group()]
        at = match.end()
    return "".join(pieces) + (alpha2digit(text[at:], language) if at < len(text) else "")


def _dozens(match: re.Match) -> str:
    half, multiple = match.groups()
    count = 6 if half else DOZEN_MULTIPLES.get(multiple.lower()) or 12 * int(multiple)
    return str(count)


class Cleaner:
    def __init__(self, vocabulary: Vocabulary, speller: Speller, names: Iterable[str] = ()):
        self._speller = speller
        names = list(names)
        numbered = sorted((n for n in names if alpha2digit(n, "en") != n), key=len, reverse=True)
        self._numbered = re.compile(r"(?i)\b(?:" + "|".join(map(re.escape, numbered)) + r")\b") if numbered else None
        every = sorted(set(names), key=len, reverse=True)
        self._names = re.compile(r"(?i)(?<!\w)(?:" + "|".join(map(re.escape, every)) + r")(?!\w)") if every else None
        self._gloss, self._months = vocabulary.spanish, vocabulary.spanish_months
        spanish = sorted(self._gloss, key=len, reverse=True)
        self._spanish = re.compile(r"(?i)(?<!\w)(?:" + "|".join(map(re.escape, spanish)) + r")(?!\w)")
        months = "|".join(map(re.escape, self._months)) or "(?!)"
        self._spanish_dates = re.compile(rf"(?i)\b(\d{{1,2}}) de ({months}) (?:de |del )?(\d{{4}})\b")
        keys = sorted(vocabulary.shorthand, key=len, reverse=True)
        self._expansions = vocabulary.shorthand
        self._shorthand = re.compile(
            r"(?<![\w#/])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w/])", re.IGNORECASE
        )

    def clean(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(QUOTES)
        text = TRAILING_NAME.sub("", question_part(text))
        if is_spanish(text):
            text = self._in_english(text)
        if is_shouted(text):
            text = text.lower()
        text = self._shorthand.sub(self._expanded, text)
        return numbers_in_digits(WORD.sub(self._spelled, text).strip(), self._numbered)

    def _in_english(self, text: str) -> str:
        """A Spanish message glossed word by word (knowledge/vocabulary.yml, `spanish`): enough for the
        topics, places, dates and counts to be read; the numbers in words are read in Spanish first."""
        text = alpha2digit(text, "es").replace("¿", "").replace("¡", "")
        if self._months:
            text = self._spanish_dates.sub(
                lambda m: f"{self._months[m.group(2).lower()]} {m.group(1)}, {m.group(3)}", text
            )
        if not self._gloss:
            return text
        # Place and team names stay as written ("Los Ángeles", "San José").
        pieces, at = [], 0
        plain = "".join(_unaccented(c) for c in text)  # "Los Ángeles" is the knowledge's "Los Angeles"
        for match in self._names.finditer(plain) if self._names else ():
            if match.group().lower() in self._gloss and not match.group().isupper():
                continue  # "la separación" is Spanish; "LA" is Los Angeles
            pieces += [self._spanish.sub(self._glossed, text[at : match.start()]), match.group()]
            at = match.end()
        return "".join(pieces) + self._spanish.sub(self._glossed, text[at:])

    def _glossed(self, match: re.Match) -> str:
        return self._gloss[match.group().lower()]

    def _expanded(self, match: re.Match) -> str:
        """Shorthand spelled out, except a month's abbreviation before a day ("Sep 26 2027")."""
        word = match.group()
        if word.lower().rstrip(".") in MONTH_ABBREVIATIONS and re.match(r"\.?\s*\d", match.string[match.end() :]):
            return word
        return self._expansions[word.lower()]

    def _spelled(self, match: re.Match) -> str:
        word = match.group()
        core = word.rstrip(".")
        corrected = self._speller.correct(core)
        if corrected is None:
            return word
        return corrected + word[len(core) :]
