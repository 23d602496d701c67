"""The world the behaviour tests expect, read from knowledge/knowledge.yml only: places by area and region,
teams with their phones (and options), e-mails, faxes and mailing addresses, which teams answer a topic for
a region, the CID split threshold and the reinstatement window.

Nothing here is copied from a reply: a test that compared replies with strings taken from earlier replies
would only test that the assistant says what it said. The domain code (broker_faq/) is not used either, so a
bug in how it reads the knowledge file cannot hide in the expectations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from broker_faq import yaml_io

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "knowledge"


@dataclass(frozen=True)
class Place:
    text: str  # as a broker writes it: "Walnut Creek", "Oregon"
    area: str | None  # area key ("northern_california"), None for a whole region
    region: str  # region key ("california")


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    region: str
    phones: tuple[tuple[str, str | None, str | None], ...]  # (10 digits, option, purpose)
    emails: tuple[tuple[str, str | None], ...]  # (address, purpose)
    fax: str | None  # 10 digits
    address: tuple[str, ...]
    aliases: tuple[str, ...]


def digits10(number: str) -> str:
    """A phone number's last ten digits: "1-866-868-7220" and "866-868-7220" are one number."""
    return re.sub(r"\D", "", number)[-10:]


def phone_token(number: str, option: str | None = None) -> str:
    return f"p:{digits10(number)}" + (f"#{option}" if option else "")


def email_token(address: str) -> str:
    return f"e:{address.lower()}"


def address_token(line: str) -> str:
    return f"a:{line}"


class World:
    def __init__(self, path: Path = KNOWLEDGE_DIR):
        self.k = _read_sheets(path)
        self.threshold: int = int(self.k["facts"]["cid_split_min_subscribers"]["value"])
        self.window_days: int = int(self.k["facts"]["reinstatement_window_days"]["value"])
        self.teams = {key: self._team(key, t) for key, t in self.k["teams"].items()}
        self.regions: dict[str, dict] = self.k["regions"]
        self.area_region = {area: region for region, r in self.regions.items() for area in r["areas"]}

    @staticmethod
    def _team(key: str, t: dict) -> Team:
        return Team(
            key=key,
            name=t["name"],
            region=t["region"],
            phones=tuple((digits10(str(p["number"])), p.get("option"), p.get("for")) for p in t.get("phones", [])),
            emails=tuple((e["address"].lower(), e.get("for")) for e in t.get("emails", [])),
            fax=digits10(str(t["fax"])) if t.get("fax") else None,
            address=tuple(t.get("address", [])),
            aliases=tuple(t.get("aliases", [])),
        )

    # --- places --------------------------------------------------------------------------------

    def cities(self, area: str) -> list[Place]:
        region = self.area_region[area]
        names = dict.fromkeys(self.regions[region]["areas"][area].get("cities", []))
        return [Place(city_text(c), area, region) for c in names]

    def areas(self, region: str) -> list[str]:
        return [a for a, spec in self.regions[region]["areas"].items() if spec.get("cities")]

    def region_cities(self, region: str) -> list[Place]:
        return [p for area in self.areas(region) for p in self.cities(area)]

    def all_cities(self) -> list[Place]:
        return [p for region in self.regions for p in self.region_cities(region)]

    def named_places(self, region: str) -> list[Place]:
        """The region and its areas by name ("California", "Southern California", "Oregon")."""
        r = self.regions[region]
        places = [Place(r["aliases"][0].title(), None, region)]
        for area, spec in r["areas"].items():
            if spec.get("cities"):
                places.append(Place(spec["name"], area, region))
        return places

    def area_name(self, area: str) -> str:
        return self.regions[self.area_region[area]]["areas"][area]["name"]

    # --- teams and their details ----------------------------------------------------------------

    def phone_tokens(self, team: str, purpose: str | None = None) -> frozenset[str]:
        return frozenset(
            phone_token(number, option)
            for number, option, serves in self.teams[team].phones
            if purpose is None or serves in (None, purpose)
        )

    def email_tokens(self, team: str, purpose: str | None = None) -> frozenset[str]:
        return frozenset(
            email_token(a) for a, serves in self.teams[team].emails if purpose is None or serves in (None, purpose)
        )

    def detail_tokens(self, team: str, detail: str, purpose: str | None = None) -> frozenset[str]:
        t = self.teams[team]
        if detail == "phone":
            return self.phone_tokens(team, purpose)
        if detail == "email":
            return self.email_tokens(team, purpose)
        if detail == "fax":
            return frozenset({phone_token(t.fax)}) if t.fax else frozenset()
        if detail == "address":
            # The P.O. box line is the one line of an address no other text of a reply holds.
            box = next((line for line in t.address if re.search(r"\d", line)), None)
            return frozenset({address_token(box)}) if box else frozenset()
        raise ValueError(detail)

    def details_of(self, team: str) -> list[str]:
        return [d for d in ("phone", "email", "fax", "address") if self.detail_tokens(team, d)]

    def contact_tokens(self, team: str, purpose: str | None = None) -> frozenset[str]:
        """What shows that a team is the contact given: one of its phones (with the option its source
        prints) or e-mails for the purpose."""
        return self.phone_tokens(team, purpose) | self.email_tokens(team, purpose)

    def all_tokens(self, team: str) -> frozenset[str]:
        return frozenset(tok for d in self.details_of(team) for tok in self.detail_tokens(team, d))

    @cache  # noqa: B019 - one World per session
    def owners(self) -> dict[str, frozenset[str]]:
        """Every phone, fax and e-mail token the knowledge prints -> the teams it belongs to. A number
        said without its option belongs to every team behind it ("800-790-4661" alone: two teams)."""
        owned: dict[str, set[str]] = {}
        for key, t in self.teams.items():
            for number, option, _ in t.phones:
                owned.setdefault(phone_token(number, option), set()).add(key)
                owned.setdefault(phone_token(number), set()).add(key)
            for address, _ in t.emails:
                owned.setdefault(email_token(address), set()).add(key)
            if t.fax:
                owned.setdefault(phone_token(t.fax), set()).add(key)
        return {tok: frozenset(keys) for tok, keys in owned.items()}

    def names_of(self, team: str) -> list[str]:
        """A team's printed name (without the bracketed abbreviation), the abbreviation, and its aliases."""
        t = self.teams[team]
        return [re.sub(r"\s*\(.*?\)", "", t.name).strip(), *re.findall(r"\(([A-Z]{2,5})\)", t.name), *t.aliases]

    def team_names(self, team: str) -> list[str]:
        """How brokers name a team: every name of it that names no other team. A name that is a description
        holding a detail word ("Account management e-mail for address changes") is no name a broker types
        before "e-mail"."""
        taken = {key: {n.lower() for n in self.names_of(key)} for key in self.teams}
        names: dict[str, str] = {}
        for name in self.names_of(team):
            low = name.lower()
            if sum(low in owned for owned in taken.values()) == 1 and not re.search(r"e-?mail", low):
                names.setdefault(low, name_text(name))
        return list(names.values())

    def shared_names(self) -> dict[str, dict[str, str]]:
        """Names that mean one team in each region ("CSC", "service center"): name -> region -> team."""
        by_name: dict[str, dict[str, set[str]]] = {}
        for key, t in self.teams.items():
            for alias in [*t.aliases, *re.findall(r"\(([A-Z]{2,5})\)", t.name)]:
                by_name.setdefault(alias.lower(), {}).setdefault(t.region, set()).add(key)
        return {
            name_text(name): {region: next(iter(keys)) for region, keys in regions.items()}
            for name, regions in by_name.items()
            if len(regions) == len(self.regions) and all(len(keys) == 1 for keys in regions.values())
        }

    # --- topics -------------------------------------------------------------------------------------

    def answer_contacts(self, topic: str, place: Place) -> tuple[tuple[str, str | None], ...]:
        """The (team, purpose) contacts the knowledge gives for a topic in a place: the area's answer, else
        the region's, else (the region's source is silent) the region's nearest contact."""
        answers = self.k["topics"][topic].get("answers", {})
        entry = (answers.get(place.area) if place.area else None) or answers.get(place.region)
        refs = entry.get("contacts", []) if entry else self.k["nearest_contact"][place.region]
        return tuple(split_ref(ref) for ref in refs)

    def co_listed(self, team: str) -> frozenset[str]:
        """The team and every team a topic answer gives beside it (the address change mailbox and the
        Account Management Support Team): a reply that adds those to the team asked for adds no wrong team."""
        together = {team}
        for topic in self.k["topics"].values():
            for entry in topic.get("answers", {}).values():
                teams = {split_ref(ref)[0] for ref in entry.get("contacts", [])}
                if team in teams:
                    together |= teams
        return frozenset(together)

    def topics(self) -> list[str]:
        return list(self.k["topics"])


def split_ref(ref: str) -> tuple[str, str | None]:
    team, _, purpose = ref.partition(":")
    return team, purpose or None


def city_text(city: str) -> str:
    """ "walnut creek" -> "Walnut Creek", "mcminnville" -> "McMinnville", "pdx" -> "PDX"."""
    if len(city) <= 3:
        return city.upper()
    return " ".join("Mc" + w[2:].capitalize() if w.startswith("mc") else w.capitalize() for w in city.split())


def name_text(name: str) -> str:
    """Abbreviations in capitals as brokers type them ("EBS"), other names as printed."""
    if len(name) <= 4 and " " not in name:
        return name.upper()
    return name


# --- reading a reply --------------------------------------------------------------------------------

PHONE = re.compile(r"(?<![\d-])(?:1[-. ])?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}(?![\d-])")
OPTION_AFTER = re.compile(r"^,?\s*(?:option|opt\.?|press)\s*(\d)", re.IGNORECASE)
OPTION_BEFORE = re.compile(r"option (\d)(?: for [^;:\n]*?)? at $", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MONTHS = "January February March April May June July August September October November December".split()
SPELLED_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r") (\d{1,2}), (\d{4})\b")


def tokens_in(text: str, world: World) -> set[str]:
    """The phones (each with the option said next to it), faxes, e-mails and P.O. box lines a reply shows."""
    found: set[str] = set()
    for m in PHONE.finditer(text):
        after = OPTION_AFTER.match(text[m.end() : m.end() + 20])
        before = OPTION_BEFORE.search(text[max(0, m.start() - 60) : m.start()])
        option = (after or before).group(1) if (after or before) else None
        found.add(phone_token(m.group(), option))
    found |= {email_token(e.rstrip(".")) for e in EMAIL.findall(text)}
    for team in world.teams.values():
        found |= {address_token(line) for line in team.address if line in text}
    return found


def spelled_dates(text: str) -> list[str]:
    return [f"{month} {int(day)}, {year}" for month, day, year in SPELLED_DATE.findall(text)]


def _read_sheets(path: Path) -> dict:
    """The facts, teams, regions and answers of every source document's file (those with a `region`)
    beside topics.yml, read as plain YAML: the tests' own reading, not the product's loader."""
    topics = yaml_io.load((path / "topics.yml").read_text())["topics"]
    k: dict = {"facts": {}, "teams": {}, "regions": {}, "nearest_contact": {}, "topics": topics}
    for file in sorted(path.glob("*.yml")):
        sheet = yaml_io.load(file.read_text())
        if not (isinstance(sheet, dict) and "region" in sheet):
            continue
        region = sheet["region"]["key"]
        k["facts"].update(sheet.get("facts") or {})
        k["teams"].update(sheet.get("teams") or {})
        k["regions"][region] = sheet["region"]
        k["nearest_contact"][region] = sheet["nearest_contact"]
        for topic, answer in (sheet.get("answers") or {}).items():
            answers = topics[topic].setdefault("answers", {})
            answers[region] = answer
            answers.update(answer.get("areas") or {})
    return k
