"""Where one question ends and the next begins: "how long does a separation take and do accumulators
transfer?" holds two. The spans are candidates: the NLU classifies each, and the assistant answers
each span that asks something about a topic of its own; the rest ("my San Diego group", "they
terminated 9/30") is context for the question around it (assistant.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    r",?\s+(?:and|also|plus|&)\s+(?:also\s+)?(?=(?:" + QUESTION_WORDS + r"|the|their|its|a|an|our|my)\b)"
    r"|,\s+(?=(?:what|how|who|where|when|which|can|could|do|does|is|are|will)\b)"
    r"|\s+(?:vs\.?|versus)\s+",
    re.IGNORECASE,
)
ASKING = re.compile(r"^(?:(?:and|also|so|but|ok|okay|then|plus)\s+)*(?:" + QUESTION_WORDS + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    asks: bool  # ends with a question mark, starts like a question, or is a keyword look-up


def question_spans(text: str) -> list[Span]:
    """The candidate questions of a message, in order, without surrounding spaces."""
    keywords_only = not re.search(r"[.?!]", text)
    spans = []
    for start, end, ender in _split(text, SENTENCE_END, 0, len(text)):
        pieces = _split(text, JOINED, start, end)
        for s, e, _ in pieces:
            asks = keywords_only or "?" in ender or ASKING.match(text[s:e]) is not None
            spans.append(Span(s, e, asks))
    return [span for span in spans if re.search(r"\w", text[span.start : span.end])]


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
