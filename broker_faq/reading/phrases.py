"""Find known phrases (place names, team names, detail words) in a message: whole words, any case,
longest match first, punctuation between words ignored ("Washington, D.C." is "washington dc")."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Words as brokers write them: "d.c.", "p.o.", "o'brien", "account.kp.org", "800-790-4661". A hyphen
# between letters parts two words ("Fremont-based", "e-mail" is "e mail").
WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'’&]|\.(?=[A-Za-z0-9])|-(?=\d)|(?<=\d)-)*\.?")


def normalise(word: str) -> str:
    """One spelling per word: lower case, no possessive, dots, hyphens or apostrophes ("D.C." -> "dc",
    "Center's" -> "center")."""
    return re.sub(r"[.'’\-]", "", re.sub(r"['’]s$", "", word.lower()))


@dataclass(frozen=True)
class Token:
    text: str
    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The words of a text; each text is tokenised once however many readers ask (a copy of the list,
    so a caller cannot change another's)."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(), normalise(m.group()), m.start(), m.end()) for m in WORD.finditer(text))


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokens(phrase))


@dataclass(frozen=True)
class Match(Generic[T]):
    value: T
    text: str
    start: int
    end: int
    first: int  # index of its first token
    last: int  # index of its last token


class PhraseIndex(Generic[T]):
    """Phrases -> values; several values may share a phrase ("csc" names two teams)."""

    def __init__(self, entries: Iterable[tuple[str, T]]):
        self._values: dict[tuple[str, ...], list[T]] = {}
        for phrase, value in entries:
            key = phrase_key(phrase)
            if key and value not in self._values.setdefault(key, []):
                self._values[key].append(value)
        self._longest = max((len(k) for k in self._values), default=0)
        # The lengths of the phrases each word begins, longest first: most words begin none, and are
        # passed over without building a key (the index was most of the understanding layer's time).
        lengths: dict[str, set[int]] = {}
        for key in self._values:
            lengths.setdefault(key[0], set()).add(len(key))
        self._starting = {word: sorted(ns, reverse=True) for word, ns in lengths.items()}

    def values(self, phrase: str) -> list[T]:
        return list(self._values.get(phrase_key(phrase), []))

    def find(self, text: str, toks: list[Token] | None = None) -> list[Match[list[T]]]:
        """Non-overlapping matches, left to right, the longest at each place."""
        toks = tokens(text) if toks is None else toks
        found, i = [], 0
        while i < len(toks):
            for n in self._starting.get(toks[i].norm, ()):
                if n > len(toks) - i:
                    continue
                key = tuple(t.norm for t in toks[i : i + n])
                if key in self._values:
                    first, last = toks[i], toks[i + n - 1]
                    found.append(
                        Match(
                            list(self._values[key]), text[first.start : last.end], first.start, last.end, i, i + n - 1
                        )
                    )
                    i += n
                    break
            else:
                i += 1
        return found


# What corrects a place or a date away: "I meant Salem, not Sacramento", "July 31st, not August 1st".
CORRECTION_CUES = ("not", "instead of", "rather than", "no longer", "not actually")
