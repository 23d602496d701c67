"""The agents' desk, domain side: every team of both regions as a directory, filtered as an agent types,
and type-ahead questions from the topic catalogue. Both match typed words against words with
rapidfuzz, so "consolidted" finds the Consolidated Service Center and "reinstat" the reinstatement
questions; digits match inside numbers ("4661").

How a query is matched and ranked: each typed word is scored against the words of an entry (its
names, acronyms, needs, numbers and e-mails; for a question, its words and its topic's title) with
rapidfuzz's similarity ratio, a word the entry's word begins with (still being typed) counting as a
full match. Every typed word must reach MIN_WORD_SCORE; entries are ranked by the mean of their words'
scores (a team also by how close the whole filter is to its name or an alias), ties kept in the
knowledge file's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from broker_faq.knowledge.loader import ContactRef, Knowledge, phone_digits
from broker_faq.render import Renderer

MIN_WORD_SCORE = 75.0
MIN_QUERY_CHARS = 2
WORD = re.compile(r"[a-z0-9]+")
DETAIL_WORDS = {
    "phones": "phone number option",
    "emails": "email e-mail",
    "fax": "fax",
    "hours": "hours",
    "address": "mailing address mail",
}


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("@", " ").replace(".", " "))


def word_score(typed: str, candidates: list[str]) -> float:
    """How well one typed word matches the best of an entry's words (0-100)."""
    best = 0.0
    for word in candidates:
        if word.startswith(typed) or (typed.isdigit() and typed in word):
            return 100.0
        if len(typed) >= 3:
            best = max(best, fuzz.ratio(typed, word))
    return best


def query_score(query: str, candidates: list[str]) -> float | None:
    """The mean score of the typed words, or None when one of them matches nothing."""
    typed = words(query)
    if not typed:
        return None
    scores = [word_score(t, candidates) for t in typed]
    return None if min(scores) < MIN_WORD_SCORE else sum(scores) / len(scores)


@dataclass(frozen=True)
class DirectoryEntry:
    team: str
    region: str
    card: dict  # the renderer's contact card: phones with options, e-mails, fax, hours, address, source
    search_words: tuple[str, ...]
    names: tuple[str, ...]  # its name and aliases: a filter close to one of them ranks first


@dataclass(frozen=True)
class Suggestion:
    topic: str
    question: str
    score: float


class Directory:
    def __init__(self, knowledge: Knowledge):
        self.k = knowledge
        render = Renderer(knowledge)
        self.entries = tuple(self._entry(key, team, render) for key, team in knowledge.teams.items())

    def _entry(self, key: str, team: dict, render: Renderer) -> DirectoryEntry:
        card = render.card(ContactRef(key))
        region = self.k.regions[team["region"]]["name"]
        text = " ".join(
            [team["name"], *team.get("aliases", []), *team.get("contact_for", []), region,
             *(e for e in card.get("emails", [])), card.get("fax", "")]
        )  # fmt: skip
        # The details it has, by name: "csc fax", "ebs email".
        text += " " + " ".join(name for field, name in DETAIL_WORDS.items() if card.get(field))
        numbers = [phone_digits(p["number"]) for p in card.get("phones", [])]
        numbers += [phone_digits(card["fax"])] if card.get("fax") else []
        names = tuple(n.lower() for n in [team["name"], *team.get("aliases", [])])
        return DirectoryEntry(key, region, card, tuple(words(text)) + tuple(numbers), names)

    def find(self, query: str) -> list[DirectoryEntry]:
        """The teams an agent's filter text matches, best first; every team for an empty filter."""
        if len(query.strip()) < MIN_QUERY_CHARS:
            return list(self.entries)
        scored = []
        for order, entry in enumerate(self.entries):
            score = query_score(query, list(entry.search_words))
            if score is not None:
                named = max(fuzz.ratio(query.lower().strip(), name) for name in entry.names)
                scored.append((-(score + named / 10), order, entry))
        return [entry for _, _, entry in sorted(scored)]


class Suggestions:
    """Type-ahead questions: each topic's title and the natural questions the knowledge keeps
    with it (`questions:`); choosing one asks that topic directly."""

    LIMIT = 5

    def __init__(self, knowledge: Knowledge):
        self.items = [
            (key, question, words(question) + words(topic.title))
            for key, topic in knowledge.topics.items()
            for question in [topic.title, *topic.questions]
        ]

    def suggest(self, typed: str) -> list[Suggestion]:
        if len(typed.strip()) < MIN_QUERY_CHARS:
            return []
        found: dict[str, Suggestion] = {}
        for order, (topic, question, candidates) in enumerate(self.items):
            score = query_score(typed, candidates)
            if score is None:
                continue
            # One suggestion per topic: its best-matching question (the first on a tie).
            ranked = score - order * 1e-6
            best = found.get(topic)
            if best is None or ranked > best.score:
                found[topic] = Suggestion(topic, question, ranked)
        return sorted(found.values(), key=lambda s: -s.score)[: self.LIMIT]
