"""Where a group is: find the places a message names and the region each one means.

- Names come from the knowledge (the NLU's entity patterns are built from the same lists).
- The longest name wins over its parts ("Washington DC" over "Washington", "Oregon City" over "Oregon").
- A city followed by a state, province or country is resolved by that state ("Portland, Maine" is
  not Portland, Oregon; "Vancouver, BC" is not Vancouver, Washington; "Richmond, VA" is not Richmond,
  California).
- Abbreviations that are also English words ("OR", "CO") count only in capitals and next to a
  place word ("an OR group", "in CO", "Bend, OR"): never "billing OR enrollment".
- A place named as a comparison ("like California groups") is marked, so the group's own location,
  covered or not, decides the region.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from broker_faq.knowledge.loader import Knowledge
from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.phrases import CORRECTION_CUES, Match, PhraseIndex, Token, phrase_key, tokens

# How many times each reader has read each text, since the process started: a message is read once
# whatever the number of steps that ask about it (tests/unit/test_read_once.py).
READS: Counter[tuple[str, str]] = Counter()


@dataclass(frozen=True)
class Place:
    """A covered region or one of its areas (key = area key, or the region key itself)."""

    key: str
    region: str
    name: str
    note: str | None = None

    @property
    def is_area(self) -> bool:
        return self.key != self.region


@dataclass(frozen=True)
class Uncovered:
    """A place the sources say nothing about (another Kaiser Permanente region, another state)."""

    name: str


@dataclass(frozen=True)
class PlaceMention:
    place: Place | Uncovered
    text: str
    start: int
    end: int
    comparison: bool = False  # named to compare with ("like California groups"), not where the group is
    of_group: bool = False  # names one group's place: "a Maui group", "my Salem client"
    refused: bool = False  # corrected away: "I meant Salem, not Sacramento", "San Jose, not Irvine"
    city: bool = False  # named by one of its cities ("Pasadena"), not by an area's or region's name

    @property
    def aside(self) -> bool:
        """Named, but not where the group is."""
        return self.comparison or self.refused


@dataclass(frozen=True)
class _Name:
    """What one spelling means: a place key (None: uncovered), and how it may be matched."""

    key: str | None
    city: bool = False
    capitals_only: bool = False


class Gazetteer:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary | None = None):
        self._knowledge = knowledge
        self._vocabulary = vocabulary

    @cached_property
    def _places(self) -> dict[str, Place]:
        places = {}
        for region_key, region in self._knowledge.regions.items():
            places[region_key] = Place(region_key, region_key, region["name"])
            for area_key, area in region["areas"].items():
                places[area_key] = Place(area_key, region_key, area["name"], area.get("note"))
        return places

    def _entries(self) -> list[tuple[dict, str | None]]:
        found: list[tuple[dict, str | None]] = [(self._knowledge.uncovered_places, None)]
        for region_key, region in self._knowledge.regions.items():
            found.append((region, region_key))
            found += [(area, area_key) for area_key, area in region["areas"].items()]
        return found

    @cached_property
    def _index(self) -> PhraseIndex[_Name]:
        names = []
        for entry, key in self._entries():
            names += [(s, _Name(key)) for s in entry.get("aliases", [])]
            names += [(s, _Name(key, city=True)) for s in entry.get("cities", [])]
            names += [(s, _Name(key, capitals_only=True)) for s in entry.get("abbreviations", [])]
        return PhraseIndex(names)

    @cached_property
    def _comparison_cues(self) -> frozenset[tuple[str, ...]]:
        return (
            frozenset(phrase_key(cue) for cue in self._vocabulary.comparison_cues) if self._vocabulary else frozenset()
        )

    @cached_property
    def _state_codes(self) -> frozenset[str]:
        return frozenset(code.lower() for code in self._knowledge.uncovered_places.get("state_codes", []))

    def place(self, key: str | None) -> Place | None:
        return self._places.get(key) if key else None

    def known(self, key: str) -> Place:
        """A region or area the knowledge defines (KeyError for anything else)."""
        return self._places[key]

    # --- reading a message ---------------------------------------------------------------------

    def find(self, text: str, *, outside: tuple[tuple[int, int], ...] = ()) -> list[PlaceMention]:
        """The places `text` names, in order (none inside the `outside` spans, e.g. team names). Read
        once per text: the answer's steps all ask about the same message (READS counts the readings)."""
        return list(self._found(text, outside))

    @functools.lru_cache(maxsize=256)  # noqa: B019 - the gazetteer lives as long as its knowledge
    def _found(self, text: str, outside: tuple[tuple[int, int], ...]) -> tuple[PlaceMention, ...]:
        READS["places", text] += 1
        toks = tokens(text)
        matches = [
            m
            for m in self._index.find(text, toks)
            if not any(s <= m.start < e for s, e in outside) and self._may_be_place(m, toks, text)
        ]
        mentions, i = [], 0
        while i < len(matches):
            match = matches[i]
            state = self._state_after(match, matches[i + 1] if i + 1 < len(matches) else None, toks, text)
            place, end, skip = state if state is not None else (self._meaning(match), match.end, 1)
            last = matches[i + skip - 1].last if state is None or skip == 2 else match.last + 1
            mentions.append(
                PlaceMention(
                    place,
                    text[match.start : end],
                    match.start,
                    end,
                    self._compared(match, toks),
                    _of_group(toks, last),
                    self._refused(match, toks),
                    state is None and any(name.city for name in match.value),
                )
            )
            i += skip
        return tuple(mentions)

    def resolve(self, mention: str) -> Place | Uncovered | None:
        """The place one name means ("Oakland", "Portland, OR", "OR", "northern_california"); None if
        it is not a place name at all."""
        if mention.strip() in self._places:
            return self._places[mention.strip()]
        found = self.find(mention)
        if not found:
            values = self._index.values(mention)
            return self._resolved(values[0]) if values else None
        return found[0].place

    def _meaning(self, match: Match[list[_Name]]) -> Place | Uncovered:
        return self._resolved(match.value[0], match.text)

    def _resolved(self, name: _Name, text: str = "") -> Place | Uncovered:
        return self._places[name.key] if name.key else Uncovered(text.strip(" ,.") or "that place")

    def _may_be_place(self, match: Match[list[_Name]], toks: list[Token], text: str) -> bool:
        if not all(name.capitals_only for name in match.value):
            return True
        written = match.text.replace(".", "")
        if not written.isupper():
            return False
        vocabulary = self._vocabulary
        before = toks[match.first - 1] if match.first > 0 else None
        after = toks[match.last + 1] if match.last + 1 < len(toks) else None
        if after is None or text[match.end : match.end + 1] in "?!.;":
            return True
        if before is not None and text[before.end : match.start].strip() == ",":
            return True  # "Bend, OR"
        if vocabulary is None:
            return before is None
        return (before is not None and before.norm in vocabulary.place_context_before) or (
            after.norm in vocabulary.place_context_after
        )

    def _state_after(
        self, city: Match[list[_Name]], following: Match[list[_Name]] | None, toks: list[Token], text: str
    ) -> tuple[Place | Uncovered, int, int] | None:
        """A city followed by its state or country: (place, end of the state, matches used)."""
        if not any(name.city for name in city.value) and any(name.key for name in city.value):
            return None
        nxt = city.last + 1
        if nxt >= len(toks) or text[city.end : toks[nxt].start].strip() not in ("", ","):
            return None
        token = toks[nxt]
        if following is not None and following.first == nxt and not any(n.city for n in following.value):
            state = self._meaning(following)
            place = self._meaning(city)
            if isinstance(state, Uncovered) or isinstance(place, Uncovered):
                return Uncovered(text[city.start : following.end]), following.end, 2
            return (place if place.region == state.region else state), following.end, 2
        comma = text[city.end : token.start].strip() == ","
        if token.norm in self._state_codes and (token.text.rstrip(".").isupper() or comma) and len(token.norm) == 2:
            return Uncovered(text[city.start : token.end].rstrip(".")), token.end, 1
        return None

    def _refused(self, match: Match[list[_Name]], toks: list[Token]) -> bool:
        """ "not Sacramento", "not in Irvine", "instead of Fresno": a place the broker corrects away."""
        before = [t.norm for t in toks[max(0, match.first - 3) : match.first]]
        while before and before[-1] in _REFUSAL_FILLER:
            before.pop()
        said = " ".join(before)
        return any(said == cue or said.endswith(" " + cue) for cue in CORRECTION_CUES)

    def _compared(self, match: Match[list[_Name]], toks: list[Token]) -> bool:
        if self._vocabulary is None:
            return False
        cues = self._comparison_cues
        i = match.first
        skipped = 0
        while i > 0 and skipped <= 3:
            for n in (2, 1):
                if i - n >= 0 and tuple(t.norm for t in toks[i - n : i]) in cues:
                    return True
            if toks[i - 1].norm not in _FILLER:
                return False
            i -= 1
            skipped += 1
        return False

    # --- areas ----------------------------------------------------------------------------------

    def area_keys(self) -> tuple[str, ...]:
        """Every area's key ("oregon", "southern_california"): where a portal group's locations may be."""
        return tuple(p.key for p in self._places.values() if p.is_area)

    def areas(self, region: str) -> list[Place]:
        return [p for p in self._places.values() if p.region == region and p.is_area]

    def other_area(self, area_key: str) -> Place:
        """The other side of a two-area split (Northern <-> Southern California for a CID split)."""
        region = self.known(area_key).region
        others = [p for p in self.areas(region) if p.key != area_key]
        return others[0]


# A place right before one of these names where one group is ("a Maui group", "my Salem client");
# plural "California groups" speaks of groups in general.
_ONE_GROUP = frozenset(
    {
        "group",
        "client",
        "employer",
        "company",
        "business",
        "account",
        "firm",
        "customer",
        "office",
        "location",
        "store",
        "branch",
        "site",
        "shop",
        "practice",
        "based",
    }
)


def _of_group(toks: list[Token], last: int) -> bool:
    return last + 1 < len(toks) and toks[last + 1].norm in _ONE_GROUP


# The words that may stand between a correction and its place ("not in the", "instead of the").
_REFUSAL_FILLER = frozenset({"in", "the", "at", "from", "for", "our", "their", "my"})

# Words that may stand between a comparison cue and its place: "like the ones in California".
_FILLER = frozenset(
    {
        "the",
        "a",
        "an",
        "in",
        "for",
        "other",
        "our",
        "ones",
        "groups",
        "group",
        "those",
        "with",
        "of",
        "my",
        "clients",
        "employers",
        "its",
    }
)
