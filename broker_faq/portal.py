"""The broker's groups from the portal: what the portal's signed claims say (the token is verified on
the server side, tokens/portal.py), as the domain uses it.

A conversation keeps the context it started with. A group named in a message ("Harbor & Pine", "my
Bayview group", with typos) is the group asked about; otherwise the one the broker last asked about,
otherwise the group open on the page. A group is never guessed: a name that is none of the broker's
groups turns the context off for that message, and what a message says (a place, a count) always
wins over what the portal says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

# How close a name in a message must be to a group's name (rapidfuzz ratio, 0-100) to be that group:
# "Bayveiw" and "harbor and pine" are, "Bay Area" is not.
MIN_NAME_SCORE = 84
# The shortest single word that names a group alone ("Bayview", "Harbor"; not "Rose" or "Pine": a
# shorter first word names it only with the next, "Rose City").
MIN_ONE_WORD_CHARS = 6
# Words that are part of a company's name but name no group alone.
GENERIC_WORDS = frozenset(
    "co company corp corporation inc llc llp ltd group partners partnership logistics dental print printing "
    "services service associates holdings the and of".split()
)
MAX_GROUPS = 50  # claims naming more are refused: a portal lists a broker's small groups, not a book
MAX_LOCATIONS = 20
MAX_SUBSCRIBERS = 100_000


class ClaimsError(ValueError):
    """The claims are not the portal context the product expects; the message says which part."""


@dataclass(frozen=True)
class Location:
    area: str  # an area key of the knowledge ("southern_california")
    subscribers: int


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    hq_area: str
    locations: tuple[Location, ...]

    def subscribers_in(self, area: str) -> int:
        return sum(loc.subscribers for loc in self.locations if loc.area == area)

    def areas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.hq_area, *(loc.area for loc in self.locations)]))


@dataclass(frozen=True)
class PortalContext:
    broker_id: str
    broker_name: str
    groups: tuple[Group, ...]
    open_group: str | None = None  # the group open on the page (its id)

    def group(self, group_id: str | None) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None) if group_id else None

    @property
    def opened(self) -> Group | None:
        return self.group(self.open_group)

    def as_dict(self) -> dict:
        """What the tracker keeps (a slot): the claims the product uses, nothing else."""
        return {
            "broker": {"id": self.broker_id, "name": self.broker_name},
            "groups": [
                {
                    "id": g.id,
                    "name": g.name,
                    "hq_area": g.hq_area,
                    "locations": [{"area": loc.area, "subscribers": loc.subscribers} for loc in g.locations],
                }
                for g in self.groups
            ],
            "open_group": self.open_group,
        }


def context_from_claims(claims: Mapping[str, Any], areas: Iterable[str]) -> PortalContext:
    """The portal context in verified claims (the schema in docs/portal-context.md). Areas are the
    knowledge's area keys; a group in an area the knowledge does not have is refused, not guessed."""
    known = set(areas)
    broker = _mapping(claims.get("broker"), "broker")
    groups = claims.get("groups")
    if not isinstance(groups, list) or not 1 <= len(groups) <= MAX_GROUPS:
        raise ClaimsError(f"groups: expected a list of 1 to {MAX_GROUPS} groups")
    parsed = tuple(_group(_mapping(g, f"groups[{i}]"), f"groups[{i}]", known) for i, g in enumerate(groups))
    if len({g.id for g in parsed}) < len(parsed):
        raise ClaimsError("groups: two groups share an id")
    open_group = claims.get("open_group")
    if open_group is not None and open_group not in {g.id for g in parsed}:
        raise ClaimsError("open_group: not one of the broker's groups")
    return PortalContext(_text(broker, "id", "broker"), _text(broker, "name", "broker"), parsed, open_group)


def context_from_dict(value: Any, areas: Iterable[str]) -> PortalContext | None:
    """The context a conversation keeps (PortalContext.as_dict), or None when there is none or it no
    longer fits the knowledge."""
    if not isinstance(value, Mapping):
        return None
    try:
        return context_from_claims(value, areas)
    except ClaimsError:
        return None


def _group(raw: Mapping[str, Any], where: str, areas: set[str]) -> Group:
    hq = _text(raw, "hq_area", where)
    if hq not in areas:
        raise ClaimsError(f"{where}.hq_area: '{hq}' is no area the assistant knows")
    locations = raw.get("locations")
    if not isinstance(locations, list) or not 1 <= len(locations) <= MAX_LOCATIONS:
        raise ClaimsError(f"{where}.locations: expected a list of 1 to {MAX_LOCATIONS} locations")
    parsed = []
    for i, loc in enumerate(locations):
        at = f"{where}.locations[{i}]"
        loc = _mapping(loc, at)
        area, count = _text(loc, "area", at), loc.get("subscribers")
        if area not in areas:
            raise ClaimsError(f"{at}.area: '{area}' is no area the assistant knows")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_SUBSCRIBERS:
            raise ClaimsError(f"{at}.subscribers: expected a whole number from 0 to {MAX_SUBSCRIBERS}")
        parsed.append(Location(area, count))
    return Group(_text(raw, "id", where), _text(raw, "name", where), hq, tuple(parsed))


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ClaimsError(f"{where}: expected an object")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str, longest: int = 120) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        raise ClaimsError(f"{where}.{key}: expected a non-empty text of at most {longest} characters")
    return " ".join(value.split())


# --- a group named in a message --------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))


def name_parts(group: Group) -> list[str]:
    """What names the group in a message: its whole name and each leading part that is distinctive
    ("Harbor & Pine Logistics" -> "harbor and pine logistics", "harbor and pine", "harbor")."""
    words = _words(group.name)
    parts = [" ".join(words)]
    for n in range(len(words) - 1, 0, -1):
        part = words[:n]
        if part[-1] in GENERIC_WORDS or (n == 1 and len(part[0]) < MIN_ONE_WORD_CHARS):
            continue
        parts.append(" ".join(part))
    return parts


@dataclass(frozen=True)
class GroupNamed:
    group: Group | None  # the one group the message names
    candidates: tuple[Group, ...] = ()  # several groups it could be: ask which


def group_named(text: str, groups: tuple[Group, ...]) -> GroupNamed:
    """The broker's group a message names, with typos ("bayveiw", "harbor and pine"), if any."""
    words = _words(text)
    scores: dict[str, float] = {}
    for group in groups:
        best = 0.0
        for part in name_parts(group):
            size = len(part.split())
            for i in range(len(words) - size + 1):
                best = max(best, fuzz.ratio(part, " ".join(words[i : i + size])) + size / 10)
        if best >= MIN_NAME_SCORE:
            scores[group.id] = best
    if not scores:
        return GroupNamed(None)
    top = max(scores.values())
    found = tuple(g for g in groups if scores.get(g.id, 0) >= top - 1)
    return GroupNamed(found[0]) if len(found) == 1 else GroupNamed(None, found)
