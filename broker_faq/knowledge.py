"""Load and validate the knowledge file (knowledge/knowledge.yml).

Validation runs at start-up and on every reload after an edit (runtime.py): a malformed file must
stop the action server with a message that names the exact place
(`topics.stop_autopay.answers.california.contacts[0]: ...`), not fail later in the middle of a
broker's conversation. Names of computed answers are checked against their registry
(computed.py) when the Assistant is built from the knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "knowledge.yml"

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
    """The knowledge file is malformed; the message says where."""


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


def load_knowledge(path: Path | str = DEFAULT_PATH) -> Knowledge:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise KnowledgeError(f"{path}: cannot read the knowledge file ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise KnowledgeError(f"{path}: not valid YAML: {err}") from err
    try:
        return _build(raw)
    except KnowledgeError as err:
        raise KnowledgeError(f"{path}: {err}") from None


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
