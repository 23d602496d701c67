"""Where one question ends and the next begins: "how long does a separation take and do accumulators
transfer?" holds two. The spans are candidates: the NLU classifies each, and the assistant answers
each span that asks something about a topic of its own; the rest ("my San Diego group", "they
terminated 9/30") is context for the question around it (assistant.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every pattern that starts with a run of spaces starts only where the run does ((?<!\s)): tried at
# every space of a 5,000-space message, they took seconds (the hardening issue, found by its live test).
# A sentence ends at ? ! ; or a new line, or at a full stop before a space (not "P.O. Box"), or at a
# colon before a question ("both want to stop autopay: who does each call?").
SENTENCE_END = re.compile(
    r"[?!;]+\s*|\n+\s*|(?<![A-Z.]\.)(?<!\b[A-Za-z])\.(?=\s)\s*|:\s+(?=(?:who|what|how|which|where|when)\b)",
    re.IGNORECASE,
)
QUESTION_WORDS = (
    r"what|whats|what's|how|who|whos|who's|whom|where|when|which|why|can|could|do|does|did|is|"
    r"are|will|would|should|any|give|send|tell|need|i need|we need|please|looking for|"
    r"is there|are there"
)
# Inside a sentence, "and"/"also"/"plus" followed by the start of a new question or request.
JOINED = re.compile(
    r"(?<!\s),?\s+(?:and|also|plus|&)\s+(?:also\s+)?(?=(?:" + QUESTION_WORDS + r"|the|their|its|a|an|our|my)\b)"
    r"|,\s+(?=(?:what|how|who|where|when|which|can|could|do|does|is|are|will)\b)"
    r"|(?<!\s)\s+(?:vs\.?|versus)\s+",
    re.IGNORECASE,
)
ASKING = re.compile(r"^(?:(?:and|also|so|but|ok|okay|then|plus)\s+)*(?:" + QUESTION_WORDS + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    asks: bool  # ends with a question mark, starts like a question, or is a keyword look-up
    listed: bool = False  # one need of a list ("who handles X, Y and Z?"): short, so less surely classified


# A list of needs inside one question: "who handles termination, autopay shutoff, and an address change?",
# "needs 1) a new hire added 2) their 5500 report 3) a replacement ID card". Items are parted at commas
# (with "and"/"or" after the last), at ";" and at inline numbers; each item asks what its question asks.
LIST_ITEM = re.compile(r",\s*(?:(?:and|or|&|plus)\s+)?|(?<!\s)\s+(?=\(?\d\)\s)|(?<!\s)\s+(?:and|&)\s+(?=\(?\d\)\s)")
NUMBERED = re.compile(r"^(?:\(?\d\)|[-*•])\s*")
AND_LIST = re.compile(r"(?<!\s),?\s+and\s+", re.IGNORECASE)
FINAL_AND = re.compile(r"\b(?:and|or|plus)\b|&", re.IGNORECASE)
BULLET = re.compile(r"^\s*[-*•]\s+")
# A question that asks of every need listed before or after it: "... Who do I call for each?"
FOR_EACH = re.compile(r"\b(?:for|about|with) (?:each|all|every one|each one|all of them|these|those|them all)\b", re.I)
# A clause that sets the scene for the question after it, not a question of its own.
CONTEXT = re.compile(r"^(?:after|once|when|if|since|because|now that|before|as soon as|given that)\b", re.I)
# "Also trouble logging in to account.kp.org": a need added to the question before it.
ALSO = re.compile(r"^(?:also|plus|and also|as well as)\b", re.I)
# A colon announces a list said as a statement ("... needs three things: X, Y, and Z"), when three or more
# needs follow it ("Note: the group is in Salem, Oregon" lists none).
LIST_INTRO = re.compile(r":\s+")
# Fewer commas than this is a clause ("HQ in Oakland, 20 subscribers in San Diego"), not a list.
MIN_LIST_ITEMS = 3


def question_spans(text: str) -> list[Span]:
    """The candidate questions of a message, in order, without surrounding spaces."""
    keywords_only = not re.search(r"[.?!]", text)
    spans = []
    for_each = FOR_EACH.search(text) is not None
    for start, end, ender in _split(text, SENTENCE_END, 0, len(text)):
        sentence = text[start:end]
        sentence_asks = (
            for_each or keywords_only or "?" in ender or bool(ASKING.match(sentence) or ALSO.match(sentence))
        )
        # "Portland client needs three things: a newborn added, a copy of the EOC, and a new ID card."
        colon = LIST_INTRO.search(sentence)
        after_colon = _list_items(text, start + colon.end(), end) if colon else []
        if len(after_colon) >= MIN_LIST_ITEMS:  # the needs after the colon; the first keeps the head
            items = [(start, after_colon[0][1]), *after_colon[1:]]
        else:
            items = _list_items(text, start, end) if sentence_asks else []
        if items:
            spans += [Span(s, e, True, listed=True) for s, e in items]
            continue
        if (bullet := BULLET.match(text[start:end])) is not None:
            spans.append(
                Span(start + bullet.end(), end, True, listed=True)
            )  # "- a premium discrepancy report": a need listed
            continue
        for s, e, _ in _split(text, JOINED, start, end):
            asks = sentence_asks or ASKING.match(text[s:e]) is not None or ALSO.match(text[s:e]) is not None
            if e < end and CONTEXT.match(text[s:e]):
                asks = False  # "after the San Diego and Sacramento offices split, how many bills ...?"
            spans.append(Span(s, e, asks, listed=";" in ender))  # "X; Y; Z": needs listed
    return [span for span in spans if re.search(r"\w", text[span.start : span.end])]


def _list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The needs a question lists, three or more, each a span of its own (the first keeps the
    question's head); none when the sentence lists nothing. "X and Y and Z" lists too."""
    items = _split(text, LIST_ITEM, start, end)
    numbered = NUMBERED.match(text[items[-1][0] : items[-1][1]]) is not None
    if len(items) >= 2 and not numbered and not FINAL_AND.search(items[-2][2]):
        # No "and" before the last: a clause ("HQ in Oakland, 20 in San Diego, split?", "Salem,
        # Massachusetts"), unless its last part joins two needs ("X, Y and Z").
        last_start, last_end, _ = items[-1]
        joined = _split(text, AND_LIST, last_start, last_end)
        items = items[:-1] + joined if len(joined) == 2 else []
    if len(items) < MIN_LIST_ITEMS:
        items = _split(text, AND_LIST, start, end)
    if len(items) < MIN_LIST_ITEMS:
        return []
    return [(s + (m.end() if (m := NUMBERED.match(text[s:e])) else 0), e) for s, e, _ in items]


def _split(text: str, boundary: re.Pattern, start: int, end: int) -> list[tuple[int, int, str]]:
    """Pieces between boundaries, each with the boundary text that ends it."""
    pieces, at = [], start
    for match in boundary.finditer(text, start, end):
        pieces.append((at, match.start(), match.group()))
        at = match.end()
    pieces.append((at, end, text[end : end + 1] if end < len(text) else ""))
    return [(*_strip(text, s, e), ender) for s, e, ender in pieces if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " \t\r\n.,":
        end -= 1
    return start, end
