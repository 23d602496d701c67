"""Load and validate the knowledge (knowledge/: topics.yml and one file per source document).

Validation runs at start-up and on every reload after an edit (runtime.py): a malformed file must
stop the action server with a message that names the exact place
(`california.yml: answers.stop_autopay.contacts[0]: ...`), not fail later in the middle of a
broker's conversation. Names of computed answers are checked against their registry
(answers/registry.py) when the Assistant is built from the knowledge.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from broker_faq import yaml_io

# The knowledge directory: topics.yml (the catalogue) and one file per source document beside it.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "knowledge"
CATALOGUE = "topics.yml"

# Contacts live only in `teams`/`links`: answer texts refer to them, never spell them out.
PHONE_RE = re.compile(r"\b\d{3}[\s.-]?\d{3}[\s.-]?\d{4}\b")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
URL_RE = re.compile(r"\b(?:[\w-]+\.)*kp\.org\b")
# `{fact_name}` or `{link:link_id}` inside an answer text.
PLACEHOLDER_RE = re.compile(r"\{(?:(link):)?([a-z0-9_]+)\}")


def phone_digits(number: str) -> str:
    """A phone number's last ten digits: one spelling for "1-866-868-7220", "(866) 868 7220", "8668687220"."""
    return re.sub(r"\D", "", number)[-10:]


class KnowledgeError(ValueError):
    """The knowledge is malformed; the message says where."""


@dataclass(frozen=True)
class Source:
    doc: str
    section: str


@dataclass(frozen=True)
class ContactRef:
    """A team, optionally narrowed to one purpose (`nw_small_business_group:new_sales`)."""

    team: str
    purpose: str | None = None

    @classmethod
    def parse(cls, ref: str) -> ContactRef:
        team, _, purpose = ref.partition(":")
        return cls(team, purpose or None)


@dataclass(frozen=True)
class Answer:
    text: str
    source: Source
    contacts: tuple[ContactRef, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    answers: dict[str, Answer]
    computed: str | None = None
    default_region: str | None = None  # answer for this region when none is known, instead of asking
    questions: tuple[str, ...] = ()  # natural questions the type-ahead offers for this topic

    @property
    def subject(self) -> str:
        """The title inside a sentence: "Digital ID cards" -> "digital ID cards"."""
        first, _, rest = self.title.partition(" ")
        return (first if first[1:2].isupper() else first.lower()) + (" " + rest if rest else "")


@dataclass(frozen=True)
class Knowledge:
    sources: dict[str, dict]
    regions: dict[str, dict]
    uncovered_places: dict[str, list[str]]
    facts: dict[str, dict]
    teams: dict[str, dict]
    links: dict[str, dict]
    nearest_contact: dict[str, tuple[ContactRef, ...]]
    topics: dict[str, Topic]

    def fact(self, name: str) -> Any:
        return self.facts[name]["value"]

    def source_title(self, doc: str) -> str:
        return self.sources[doc]["title"]

    def team_named(self, mention: str) -> str | None:
        """The team a broker named ("CSC", "Employer and Broker Service"), if any."""
        wanted = " ".join(mention.lower().split())
        return next(
            (key for key, team in self.teams.items() if wanted in (alias.lower() for alias in team.get("aliases", []))),
            None,
        )


def knowledge_dir() -> Path:
    """Where the knowledge is: KNOWLEDGE_DIR (a test's copy with a third region, an operator's staging
    copy), else the project's knowledge/."""
    return Path(os.environ.get("KNOWLEDGE_DIR", str(DEFAULT_DIR)))


def load_knowledge(path: Path | str | None = None) -> Knowledge:
    """The knowledge in a directory: topics.yml (the topics and the uncovered places) and one file per
    source document (any other YAML file there with a `region`), merged into one validated whole."""
    path = Path(path) if path is not None else knowledge_dir()
    if not path.is_dir():
        raise KnowledgeError(f"{path}: not a knowledge directory (topics.yml and one file per source document)")
    catalogue = _read(path / CATALOGUE)
    sheets = {}
    for sheet in sorted(path.glob("*.yml")):
        if sheet.name != CATALOGUE:
            raw = _read(sheet)
            if isinstance(raw, dict) and "region" in raw:
                sheets[sheet.name] = raw
    if not sheets:
        raise KnowledgeError(f"{path}: no source document's file (a YAML file with a 'region')")
    merged = _merged(catalogue, sheets, path)
    try:
        return _build(merged)
    except KnowledgeError as err:
        raise KnowledgeError(f"{path}: {_placed(str(err), merged)}") from None


def knowledge_version(path: Path | str = DEFAULT_DIR) -> tuple[tuple[str, int, int], ...]:
    """What changes when an operator edits, adds or removes a knowledge file (runtime.py reloads on it)."""
    # One directory read and one stat per file: this runs once per message in both servers (runtime.py).
    with os.scandir(path) as entries:
        files = sorted((e.name, e.stat()) for e in entries if e.name.endswith(".yml"))
    return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in files)


def _read(file: Path) -> Any:
    try:
        return yaml_io.load(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise KnowledgeError(f"{file}: cannot read the knowledge ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise KnowledgeError(f"{file}: not valid YAML: {err}") from err


# The section a merged entry came from, so a message names the operator's file: region key -> file.
_ORIGIN = "_origin"


def _merged(catalogue: Any, sheets: dict[str, Any], path: Path) -> dict:
    """One mapping in the validator's shape from the catalogue and the source documents' files: each
    file's source, region, facts, teams and links, and its answers placed under their topics."""
    if not isinstance(catalogue, dict):
        raise KnowledgeError(f"{path / CATALOGUE}: expected a mapping")
    topics = {key: dict(entry or {}) for key, entry in _need(catalogue, "topics", CATALOGUE, dict).items()}
    merged: dict[str, Any] = {
        "sources": {}, "regions": {}, "facts": {}, "teams": {}, "links": {}, "nearest_contact": {},
        "topics": topics, "uncovered_places": _need(catalogue, "uncovered_places", CATALOGUE, dict),
        _ORIGIN: {},
    }  # fmt: skip
    for name, sheet in sheets.items():
        try:
            _merge_sheet(merged, sheet, name)
        except KnowledgeError as err:
            raise KnowledgeError(f"{path / name}: {err}") from None
    merged["uncovered_places"] = _unclaimed(merged["uncovered_places"], merged["regions"])
    return merged


def _merge_sheet(merged: dict, sheet: dict, name: str) -> None:
    source = _need(sheet, "source", "top level", dict)
    doc, region = _need(source, "id", "source"), dict(_need(sheet, "region", "top level", dict))
    key = _need(region, "key", "region")
    if key in merged["regions"]:
        raise KnowledgeError(f"region.key: '{key}' is also another file's region")
    merged["sources"][doc] = {**{k: v for k, v in source.items() if k != "id"}, "region": key}
    merged["regions"][key] = {**{k: v for k, v in region.items() if k != "key"}, "source": doc}
    merged["nearest_contact"][key] = _need(sheet, "nearest_contact", "top level", list)
    merged[_ORIGIN][key] = name
    for section in ("facts", "teams", "links"):
        entries = sheet.get(section) or {}
        if not isinstance(entries, dict):
            raise KnowledgeError(f"{section}: expected a mapping")
        for entry_id, entry in entries.items():
            if entry_id in merged[section]:
                raise KnowledgeError(f"{section}.{entry_id}: also in another file (one place for each fact)")
            merged[section][entry_id] = entry
    for topic_key, answer in (sheet.get("answers") or {}).items():
        if topic_key not in merged["topics"]:
            raise KnowledgeError(f"answers.{topic_key}: no such topic in {CATALOGUE}")
        answers = merged["topics"][topic_key].setdefault("answers", {})
        answers[key] = {k: v for k, v in answer.items() if k != "areas"}
        for area, area_answer in (answer.get("areas") or {}).items():
            answers[area] = area_answer
            merged[_ORIGIN][area] = name


def _unclaimed(uncovered: dict, regions: dict) -> dict:
    """The uncovered places less every name a region's file claims: a new region's sheet is enough to
    make "Denver" one of its cities, with no edit to the uncovered list."""
    claimed = {
        str(name).lower()
        for region in regions.values()
        for place in (region, *(region.get("areas") or {}).values())
        for field in ("aliases", "cities", "abbreviations")
        for name in place.get(field) or ()
    }
    return {field: [n for n in names if str(n).lower() not in claimed] for field, names in uncovered.items()}


def _placed(message: str, merged: dict) -> str:
    """A validator's path in the operator's terms: `topics.X.answers.california...` is in california.yml,
    under `answers.X`; `teams.nw_csc...` is in the file that holds that team."""
    found = re.match(r"topics\.(\w+)\.answers\.(\w+)(.*)", message, re.DOTALL)
    if found:
        topic, region, rest = found.groups()
        return f"{merged[_ORIGIN].get(region, region)}: answers.{topic}{rest}"
    found = re.match(r"(facts|teams|links)\.(\w+)", message)
    if found:
        entry = merged[found.group(1)].get(found.group(2)) or {}
        doc = (entry.get("source") or {}).get("doc") if isinstance(entry, dict) else None
        region = entry.get("region") if isinstance(entry, dict) and "region" in entry else None
        region = region or merged["sources"].get(doc, {}).get("region")
        if region in merged[_ORIGIN]:
            return f"{merged[_ORIGIN][region]}: {message}"
    return message if not message.startswith("topics.") else f"{CATALOGUE}: {message}"


def _need(node: Any, key: str, where: str, kind: type = str) -> Any:
    if not isinstance(node, dict) or key not in node:
        raise KnowledgeError(f"{where}: missing '{key}'")
    value = node[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise KnowledgeError(f"{where}.{key}: expected a non-empty {kind.__name__}")
    return value


def _build(raw: Any) -> Knowledge:
    if not isinstance(raw, dict):
        raise KnowledgeError("top level: expected a mapping")
    sections = {
        name: _need(raw, name, "top level", dict)
        for name in ("sources", "regions", "uncovered_places", "facts", "teams", "links", "nearest_contact", "topics")
    }
    for doc, region in ((doc, entry.get("region")) for doc, entry in sections["sources"].items()):
        _check_cited(sections, doc, region)
    sources = sections["sources"]
    for doc, entry in sources.items():
        _need(entry, "title", f"sources.{doc}")
        _need(entry, "file", f"sources.{doc}")
    _check_regions(sections["regions"], sources)
    for name, fact in sections["facts"].items():
        if not isinstance(fact, dict) or "value" not in fact:
            raise KnowledgeError(f"facts.{name}: missing 'value'")
        _source(fact, f"facts.{name}", sources)
    teams = sections["teams"]
    for team_id, team in teams.items():
        _check_team(team_id, team, sources, sections["regions"])
    for link_id, link in sections["links"].items():
        _need(link, "url", f"links.{link_id}")
        _need(link, "label", f"links.{link_id}")
        _source(link, f"links.{link_id}", sources)

    def contact_refs(refs: Any, where: str) -> tuple[ContactRef, ...]:
        if not isinstance(refs, list):
            raise KnowledgeError(f"{where}: expected a list of team ids")
        parsed = []
        for i, ref in enumerate(refs):
            contact = ContactRef.parse(str(ref))
            if contact.team not in teams:
                raise KnowledgeError(f"{where}[{i}]: unknown team '{contact.team}'")
            parsed.append(contact)
        return tuple(parsed)

    nearest = {
        region: contact_refs(refs, f"nearest_contact.{region}") for region, refs in sections["nearest_contact"].items()
    }
    missing = set(sections["regions"]) - set(nearest)
    if missing:
        raise KnowledgeError(f"nearest_contact: no entry for region(s) {sorted(missing)}")

    area_keys = set(sections["regions"]) | {area for region in sections["regions"].values() for area in region["areas"]}
    topics = {}
    for key, entry in sections["topics"].items():
        where = f"topics.{key}"
        title = _need(entry, "title", where)
        computed = entry.get("computed")
        answers = {}
        for region, answer in (entry.get("answers") or {}).items():
            at = f"{where}.answers.{region}"
            if region not in area_keys:
                raise KnowledgeError(f"{at}: unknown region or area '{region}'")
            text = " ".join(_need(answer, "text", at).split())
            links = tuple(answer.get("links") or ())
            for i, link in enumerate(links):
                if link not in sections["links"]:
                    raise KnowledgeError(f"{at}.links[{i}]: unknown link '{link}'")
            _check_text(text, at, sections["facts"], sections["links"])
            answers[region] = Answer(
                text, _source(answer, at, sources), contact_refs(answer.get("contacts") or [], f"{at}.contacts"), links
            )
        if not answers and computed is None:
            raise KnowledgeError(f"{where}: needs 'answers' or 'computed'")
        default_region = entry.get("default_region")
        if default_region is not None and default_region not in answers:
            raise KnowledgeError(f"{where}.default_region: no answer for '{default_region}'")
        questions = entry.get("questions") or []
        if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            raise KnowledgeError(f"{where}.questions: expected a list of questions")
        topics[key] = Topic(key, title, answers, computed, default_region, tuple(questions))

    return Knowledge(
        sources,
        sections["regions"],
        sections["uncovered_places"],
        sections["facts"],
        teams,
        sections["links"],
        nearest,
        topics,
    )


def _source(node: dict, where: str, sources: dict) -> Source:
    ref = _need(node, "source", where, dict)
    doc = _need(ref, "doc", f"{where}.source")
    if doc not in sources:
        raise KnowledgeError(f"{where}.source.doc: unknown source document '{doc}'")
    return Source(doc, _need(ref, "section", f"{where}.source"))


def _check_regions(regions: dict, sources: dict) -> None:
    for key, region in regions.items():
        where = f"regions.{key}"
        _need(region, "name", where)
        _need(region, "offers", where)  # what the assistant says it does for the region
        if _need(region, "source", where) not in sources:
            raise KnowledgeError(f"{where}.source: unknown source document")
        for area_key, area in _need(region, "areas", where, dict).items():
            _need(area, "name", f"{where}.areas.{area_key}")


def _check_team(team_id: str, team: Any, sources: dict, regions: dict) -> None:
    where = f"teams.{team_id}"
    _need(team, "name", where)
    if _need(team, "region", where) not in regions:
        raise KnowledgeError(f"{where}.region: unknown region '{team['region']}'")
    _source(team, where, sources)
    if not team.get("phones") and not team.get("emails"):
        raise KnowledgeError(f"{where}: a team needs at least one phone or e-mail")
    for i, phone in enumerate(team.get("phones") or []):
        number = str(_need(phone, "number", f"{where}.phones[{i}]"))
        if len(re.sub(r"\D", "", number)) not in (10, 11):
            raise KnowledgeError(f"{where}.phones[{i}].number: '{number}' is not a phone number")
    for i, email in enumerate(team.get("emails") or []):
        if not EMAIL_RE.fullmatch(str(_need(email, "address", f"{where}.emails[{i}]"))):
            raise KnowledgeError(f"{where}.emails[{i}].address: not an e-mail address")


def _check_text(text: str, where: str, facts: dict, links: dict) -> None:
    for found in (PHONE_RE.search(text), EMAIL_RE.search(text), URL_RE.search(text)):
        if found:
            raise KnowledgeError(
                f"{where}.text: '{found.group()}' is written out; name the team in 'contacts' "
                "or use {link:id} so it is rendered from one place"
            )
    for kind, name in PLACEHOLDER_RE.findall(text):
        if name not in (links if kind == "link" else facts):
            raise KnowledgeError(f"{where}.text: unknown placeholder '{name}'")
    if "{" in PLACEHOLDER_RE.sub("", text):
        raise KnowledgeError(f"{where}.text: malformed placeholder (use {{fact}} or {{link:id}})")


def _check_cited(sections: dict, doc: str, region: str | None) -> None:
    """A source document's file cites only itself: a Northwest team or fact cannot come from the
    California FAQ (a fact lives with the document that states it)."""
    for section in ("facts", "links"):
        for entry_id, entry in sections[section].items():
            cited = (entry.get("source") or {}).get("doc") if isinstance(entry, dict) else None
            if cited is not None and cited not in sections["sources"]:
                raise KnowledgeError(f"{section}.{entry_id}.source.doc: unknown source document '{cited}'")
    for team_id, team in sections["teams"].items():
        cited = (team.get("source") or {}).get("doc") if isinstance(team, dict) else None
        if team.get("region") == region and cited not in (None, doc):
            raise KnowledgeError(f"teams.{team_id}.source.doc: '{cited}' is another region's document")
