"""Where a group is: turn what a broker wrote ("Oakland", "SoCal", "Portland, OR") into a region.

The gazetteer comes from the knowledge file, so the NLU entity patterns (nlu_pipeline.py) and this
resolver always agree on what a place name means.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .knowledge import Knowledge


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


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.]", " ", text.lower()).replace(".", "").split())


class Gazetteer:
    def __init__(self, knowledge: Knowledge):
        self._knowledge = knowledge

    @cached_property
    def _places(self) -> dict[str, Place]:
        places = {}
        for region_key, region in self._knowledge.regions.items():
            places[region_key] = Place(region_key, region_key, region["name"])
            for area_key, area in region["areas"].items():
                places[area_key] = Place(area_key, region_key, area["name"], area.get("note"))
        return places

    @cached_property
    def _names(self) -> dict[str, str]:
        """Normalised spelling -> place key."""
        names = {}
        for region_key, region in self._knowledge.regions.items():
            for spelling in self.spellings(region):
                names[_norm(spelling)] = region_key
            for area_key, area in region["areas"].items():
                for spelling in self.spellings(area):
                    names[_norm(spelling)] = area_key
        return names

    @cached_property
    def _uncovered(self) -> set[str]:
        return {_norm(name) for name in self.spellings(self._knowledge.uncovered_places)}

    @staticmethod
    def spellings(entry: dict) -> list[str]:
        return [*entry.get("aliases", []), *entry.get("abbreviations", []), *entry.get("cities", [])]

    def place(self, key: str | None) -> Place | None:
        return self._places.get(key) if key else None

    def resolve(self, mention: str) -> Place | Uncovered | None:
        """The place a mention names; `None` if it is not a place name at all."""
        name = _norm(mention)
        # "Portland, OR" / "Vancouver WA": the most specific known part wins.
        candidates = [name, *name.split(" ")] if name not in self._names else [name]
        for candidate in candidates:
            if candidate in self._names:
                return self._places[self._names[candidate]]
        if name in self._uncovered or any(part in self._uncovered for part in name.split(" ")):
            return Uncovered(mention.strip())
        return None

    def areas(self, region: str) -> list[Place]:
        return [p for p in self._places.values() if p.region == region and p.is_area]

    def other_california_area(self, area_key: str) -> Place:
        """Northern <-> Southern California, the two sides of a CID split."""
        others = [p for p in self.areas("california") if p.key != area_key]
        return others[0]
