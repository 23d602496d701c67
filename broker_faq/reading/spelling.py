"""Typo correction for the words that matter here: place, team and topic words.

symspellpy looks a word up in a dictionary built from the knowledge, the vocabulary and the
NLU training data (`domain_words`). A word is left alone when it is known: in that dictionary or in
the English frequency list symspellpy ships (82,765 words), so names and ordinary words are not
"corrected" into place names. A correction must be unambiguous (one closest word), keep the first
letter (typos rarely change it), and be close: one edit for words of up to five letters, two for
longer ones. Words shorter than four letters are never corrected ("ore", "wa" are shorthand).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 4


@functools.cache
def english_words() -> frozenset[str]:
    listing = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    return frozenset(line.split(" ", 1)[0] for line in listing.read_text(encoding="utf-8").splitlines())


class Speller:
    def __init__(self, domain_words: Iterable[str]):
        self._known = {w.lower() for w in domain_words if w.isalpha()}
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in self._known:
            if len(word) >= MIN_LENGTH:
                self._symspell.create_dictionary_entry(word, 1)

    def is_known(self, word: str) -> bool:
        low = word.lower()
        return low in self._known or low in english_words()

    def correct(self, word: str) -> str | None:
        """The domain word `word` is a typo of, or None if it is known or no clear correction exists."""
        low = word.lower()
        if len(low) < MIN_LENGTH or not low.isalpha() or self.is_known(low):
            return None
        distance = 1 if len(low) <= 5 else 2
        found = self._symspell.lookup(low, Verbosity.CLOSEST, max_edit_distance=distance)
        if len(found) != 1 or found[0].term[0] != low[0]:
            return None
        return found[0].term
