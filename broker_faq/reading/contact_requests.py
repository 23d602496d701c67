"""Contact look-ups as people type them: which team ("EBS", "the CSC", "acct mgmt support"), which
detail of its card ("fax", "hours", "which option"), and a quoted misprint of one of its numbers.

"CSC" and "service center" name the California Service Center for a California group and the
Consolidated Service Center for a Northwest one: candidates are narrowed by region (region_teams).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from broker_faq.knowledge.loader import Knowledge, phone_digits
from broker_faq.knowledge.vocabulary import Vocabulary
from broker_faq.reading.phrases import PhraseIndex, Token, phrase_key, tokens
from broker_faq.reading.places import READS

TOLL_FREE, LOCAL = "toll_free", "local"
WHEN_WORDS = frozenset({"on", "by", "before", "after", "until"})
# "an address change", "phone update": a change to be made, not the team's detail asked for.
CHANGE_WORDS = frozenset({"change", "changes", "changed", "update", "updates", "updated", "correction"})
DETAIL_ORDER = ("phone", "option", "phone_tree", "fax", "email", "hours", "address", "handles")


@dataclass(frozen=True)
class TeamMention:
    candidates: tuple[str, ...]  # team keys this name may mean
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ContactRequest:
    teams: tuple[TeamMention, ...] = ()
    details: tuple[str, ...] = ()  # in DETAIL_ORDER
    misprinted: tuple[str, ...] = ()  # teams whose misprinted number the message quotes
    purposes: tuple[str, ...] = ()  # purposes of a team's lines named ("new sales", "account management")
    details_only: bool = False  # nothing but detail words and filler: "and the fax?"
    refused_details: tuple[str, ...] = ()  # "skip the phone": left out of the answer
    refused_teams: tuple[TeamMention, ...] = ()  # "not the CSC, EBS": never answered with the CSC
    phones: tuple[tuple[str, bool], ...] = ()  # which numbers: ("503", True), ("toll_free", False)
    only_asked: bool = False  # "just the fax", "e-mail only": the details asked and no other

    @property
    def team_spans(self) -> tuple[tuple[int, int], ...]:
        return tuple((t.start, t.end) for t in self.teams)


@dataclass(frozen=True)
class _At:
    """One token's place, as a phrase match gives it (for _refused)."""

    first: int

    @property
    def last(self) -> int:
        return self.first


class ContactReader:
    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary):
        self.k = knowledge
        self._vocabulary = vocabulary
        self._teams = PhraseIndex(
            (alias, key) for key, team in knowledge.teams.items() for alias in [team["name"], *team.get("aliases", [])]
        )
        self._details = PhraseIndex(
            (phrase, kind) for kind, phrases in vocabulary.details.items() for phrase in phrases
        )
        purposes = {
            e["for"]
            for t in knowledge.teams.values()
            for e in [*t.get("phones", []), *t.get("emails", [])]
            if e.get("for")
        }
        # "new sales" and "new sale", "account management" and "account manager".
        self._purposes = PhraseIndex(
            (spelling, purpose)
            for purpose in purposes
            for spelling in {
                purpose.replace("_", " "),
                purpose.replace("_", " ").rstrip("s"),
                purpose.replace("_", " ").replace("management", "manager"),
            }
        )
        # Cues written as tokens are normalised ("don't" -> "dont"), so match them the same way.
        self._refusal_before = tuple(" ".join(phrase_key(c)) for c in vocabulary.refusal_before)
        self._refusal_after = tuple(" ".join(phrase_key(c)) for c in vocabulary.refusal_after)
        self._refusal_words = frozenset(w for c in self._refusal_before for w in c.split())
        self._only_before = tuple(" ".join(phrase_key(c)) for c in vocabulary.only_before)
        self._only_after = tuple(" ".join(phrase_key(c)) for c in vocabulary.only_after)
        self._filler = vocabulary.detail_filler | self._refusal_words
        self._misprints = {
            phone_digits(str(n)): key
            for key, team in knowledge.teams.items()
            for n in team.get("misprinted_numbers", [])
        }

    @property
    def misprinted_digits(self) -> frozenset[str]:
        """The digits of every misprint a source prints (800-790-4611), which have their own answer."""
        return frozenset(self._misprints)

    def read(self, text: str, place_spans: tuple[tuple[int, int], ...] = ()) -> ContactRequest:
        """The teams, details and lines a text asks for; read once per text (places.READS), whatever
        the place spans: they only decide whether the rest of the text is filler ("and the fax?")."""
        request, rest = self._read(text)
        if not place_spans or not request.details or request.teams:
            return request
        outside = [t for t in rest if not any(s <= t.start < e for s, e in place_spans)]
        return replace(request, details_only=all(t.norm in self._filler for t in outside))

    @functools.lru_cache(maxsize=256)  # noqa: B019 - the reader lives as long as its knowledge
    def _read(self, text: str) -> tuple[ContactRequest, tuple[Token, ...]]:
        READS["contacts", text] += 1
        place_spans: tuple[tuple[int, int], ...] = ()
        toks = tokens(text)
        team_matches = self._teams.find(text, toks)
        found = [m for m in self._details.find(text, toks) if self._asked(m, toks)]
        # "don't send me the CSC fax, just their phone": the refusal is of the detail after the team.
        detail_at = {m.first for m in found}
        team_refused = [
            self._refused(text, m, toks) and self._next_word(toks, m.last) not in detail_at for m in team_matches
        ]
        teams = tuple(
            TeamMention(tuple(m.value), m.text, m.start, m.end)
            for m, refused in zip(team_matches, team_refused, strict=True)
            if not refused
        )
        refused_teams = tuple(
            TeamMention(tuple(m.value), m.text, m.start, m.end)
            for m, refused in zip(team_matches, team_refused, strict=True)
            if refused
        )
        # "I don't need member services. ... member services couldn't fix it": refused once is refused.
        refused_keys = {key for t in refused_teams for key in t.candidates}
        teams = tuple(t for t in teams if not set(t.candidates) <= refused_keys)
        named = {i for m in team_matches for i in range(m.first, m.last + 1)}
        refused_found = [m for m in found if self._refused(text, m, toks, named)]
        # "not the phone line": "line" is the same refused detail as the "phone" just before it.
        refused_found += [
            m
            for m in found
            if m not in refused_found
            and any(r.first <= m.first <= r.last + 1 and set(r.value) & set(m.value) for r in refused_found)
        ]
        details_found = [m for m in found if m not in refused_found]
        details = tuple(d for d in DETAIL_ORDER if any(d in m.value for m in details_found))
        refused = tuple(d for d in DETAIL_ORDER if any(d in m.value for m in refused_found) and d not in details)
        if "option" in details:  # "what do I press on the phone tree": that team's option, not the whole tree
            details = tuple(d for d in details if d != "phone_tree")
        digits = re.sub(r"[^\d\n]", "", text)
        misprinted = tuple(dict.fromkeys(team for number, team in self._misprints.items() if number in digits))
        covered = [(m.start, m.end) for m in found] + list(place_spans)
        rest = [t for t in toks if not any(s <= t.start < e for s, e in covered)]
        only = bool(details) and not teams and all(t.norm in self._filler for t in rest)  # "not the phone, the email"
        purpose_matches = self._purposes.find(text, toks)
        purposes = tuple(
            dict.fromkeys(p for m in purpose_matches if not self._refused(text, m, toks, named) for p in m.value)
        )
        phone_kinds = self._phone_kinds(text, toks)
        if refused and not details and not teams:
            only = False  # "skip the phone": nothing asked yet
        only_asked = any(self._cued(text, m, toks, named, self._only_before, self._only_after) for m in details_found)
        request = ContactRequest(
            teams,
            details,
            misprinted,
            purposes=purposes,
            details_only=only,
            refused_details=refused,
            refused_teams=refused_teams,
            phones=phone_kinds,
            only_asked=only_asked,
        )
        return request, tuple(rest)

    def _phone_kinds(self, text: str, toks) -> tuple[tuple[str, bool], ...]:
        """Which of a team's numbers: "the 503 number, not the toll-free one" -> (("503", True),
        ("toll_free", False)): each kind with whether it is wanted."""
        kinds = []
        for i, t in enumerate(toks):
            nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
            kind = None
            if t.norm in ("tollfree", "toll") or (t.norm == "toll" and nxt == "free"):
                kind = TOLL_FREE
            elif t.norm == "local":
                kind = LOCAL
            elif re.fullmatch(r"\d{3}", t.norm) and nxt in ("number", "line", "one", "phone", "#"):
                kind = t.norm
            if kind is not None:
                kinds.append((kind, not self._refused(text, _At(i), toks)))
        return tuple(dict.fromkeys(kinds))

    def _next_word(self, toks, last: int) -> int:
        """The first token after `last` that is not a determiner or "main" ("the SBG main line": line)."""
        i = last + 1
        while i < len(toks) and toks[i].norm in self._vocabulary.refusal_filler:
            i += 1
        return i

    def _refused(self, text: str, match, toks, named: frozenset[int] | set[int] = frozenset()) -> bool:
        """A negation cue just before the phrase, across determiners and a team's name only ("skip the
        phone", "not the CSC", "I don't need their address", "don't send me the EBS fax"), or just after
        it ("the phone isn't needed")."""
        return self._cued(text, match, toks, named, self._refusal_before, self._refusal_after)

    def _cued(self, text: str, match, toks, named, before_cues: tuple[str, ...], after_cues: tuple[str, ...]) -> bool:
        """One of `before_cues` just before the phrase, across determiners and a team's name only, or one
        of `after_cues` just after it."""
        v = self._vocabulary
        i = match.first
        while i > 0 and (toks[i - 1].norm in v.refusal_filler or i - 1 in named):
            if toks[i - 1].text.endswith(".") or re.search(r"[.?!;,:]", text[toks[i - 1].end : toks[i].start]):
                break  # "... support team. amt mailbox e-mail?": a cue ends with its sentence
            i -= 1
        before = " ".join(t.norm for t in toks[max(0, i - 4) : i])
        after = " ".join(t.norm for t in toks[match.last + 1 : match.last + 4])
        return any(before == cue or before.endswith(" " + cue) for cue in before_cues) or any(
            after == cue or after.startswith(cue + " ") for cue in after_cues
        )

    def _asked(self, match, toks) -> bool:
        """ "update the physical address" is about an address, not a request for the team's."""
        before = {t.norm for t in toks[max(0, match.first - 3) : match.first]}
        after = toks[match.last + 1].norm if match.last + 1 < len(toks) else ""
        # "if they call on Jan 5": when something happens, not which number to call.
        return not before & self._vocabulary.detail_not_asked_after and after not in WHEN_WORDS | CHANGE_WORDS

    def region_teams(self, mention: TeamMention, region: str | None) -> tuple[str, ...]:
        """The teams a name means for a group in `region`. With no region, a name the sources print
        for one team ("CSC" in "Consolidated Service Center (CSC)") means that team; otherwise all."""
        if region is None:
            printed = tuple(
                key
                for key in mention.candidates
                if re.search(rf"\b{re.escape(mention.text)}\b", self.k.teams[key]["name"], re.IGNORECASE)
            )
            return printed if len(printed) == 1 else mention.candidates
        local = tuple(key for key in mention.candidates if self.k.teams[key]["region"] == region)
        return local or mention.candidates
