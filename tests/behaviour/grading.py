"""What a case expects, and the outcome of a reply against it: right, asked back, miss or WRONG.

- right: what the message asked for is there (every contact, the split decision, the deadline, the
  correction, the honest "not covered"), and nothing refused is.
- asked back: the reply asks a question (region buttons, "which team?", "how many subscribers?",
  suggestions) although the message gave enough to answer.
- miss: neither right nor a question, and nothing false (a refused detail shown, an unrelated answer).
- WRONG: a phone number or e-mail of another region or team than expected presented, a wrong split
  decision, a wrong deadline date, or a wrong yes/no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.behaviour.harness import Said
from tests.behaviour.world import EMAIL, PHONE, World, digits10, spelled_dates, tokens_in

RIGHT, ASKED, MISS, WRONG = "right", "asked back", "miss", "WRONG"
OUTCOMES = (RIGHT, ASKED, MISS, WRONG)
SEVERITY = {RIGHT: 0, ASKED: 1, MISS: 2, WRONG: 3}


@dataclass(frozen=True)
class Need:
    """One thing the reply must show: any of these tokens (a team's phone with its option, an e-mail...)."""

    label: str
    tokens: frozenset[str]


@dataclass(frozen=True)
class Contacts:
    needs: tuple[Need, ...]
    allowed: frozenset[str]  # teams whose contacts may appear
    refused: frozenset[str] = frozenset()  # tokens that must not appear (a detail or team said no to)

    def describe(self) -> str:
        refused = f"; not {sorted(self.refused)}" if self.refused else ""
        return "; ".join(f"{n.label}: one of {sorted(n.tokens)}" for n in self.needs) + refused


@dataclass(frozen=True)
class Split:
    yes: bool
    subscribers: int
    allowed_regions: frozenset[str]

    def describe(self) -> str:
        verdict = "yes, may need to separate" if self.yes else "no, need not separate"
        return f"{verdict} ({self.subscribers} subscribers in the non-HQ area)"


@dataclass(frozen=True)
class Deadline:
    last_day: str  # "May 14, 2027"
    allowed_regions: frozenset[str]

    def describe(self) -> str:
        return f"last day to request reinstatement {self.last_day}"


@dataclass(frozen=True)
class Premise:
    right: int
    wrong: int
    unit: str  # "days" or "subscribers"
    allowed_regions: frozenset[str]

    def describe(self) -> str:
        return f"a no: {self.right} {self.unit}, not {self.wrong}"


@dataclass(frozen=True)
class OutOfScope:
    def describe(self) -> str:
        return "the sources don't cover it; no contact as the answer, no team buttons"


Expect = Contacts | Split | Deadline | Premise | OutOfScope


@dataclass(frozen=True)
class Grade:
    outcome: str
    note: str
    signature: tuple  # what INV compares: contacts shown, decision, deadline


def asks(said: Said) -> bool:
    """The reply asks the broker something back."""
    payload = said.payload or {}
    if payload.get("type") == "question" or any((p or {}).get("type") == "question" for p in payload.get("parts", [])):
        return True
    if said.by in ("utter_ask_rephrase", "fallback") or said.requested:
        return True
    return any(not p.startswith("/human_handoff") for _, p in said.buttons)


def asks_region(said: Said) -> bool:
    payload = said.payload or {}
    parts = [payload, *payload.get("parts", [])]
    return any((p or {}).get("asks") == "region" for p in parts) or any(
        p.startswith("/inform_region") for _, p in said.buttons
    )


def team_buttons(said: Said) -> bool:
    return any(p.startswith("/team_contact") for _, p in said.buttons)


DECISION = re.compile(r"\b(Yes|No): with (\d+) subscribers")
NO_SPLIT = re.compile(r"(doesn't|does not) need to separate")
DEADLINE = re.compile(r"last day to request reinstatement (?:is|was) ([A-Z][a-z]+ \d{1,2}, \d{4})")
HONEST = re.compile(
    r"outside what I can help|(doesn't|does not|don't|do not) (cover|say|include|have)|not in my (sources|copy)"
    r"|I only have|can't (answer|help with)|no information",
    re.IGNORECASE,
)

# A reply that opens by saying no ("No: with 12 subscribers" is a split decision, not a correction).
CORRECTION = re.compile(r"(No|Not quite|Actually|Incorrect|That's not|That isn't)\b(?!: with)")
NEAREST_TOPIC = re.compile(r"The source I have for .+?, \".+?\", doesn't cover")


class Grader:
    def __init__(self, world: World):
        self.world = world
        self.owners = world.owners()

    def signature(self, said: Said) -> tuple:
        text = said.text
        decision = DECISION.search(text)
        deadline = DEADLINE.search(text)
        return (
            tuple(sorted(t for t in tokens_in(text, self.world) if not t.startswith("a:"))),
            decision.group(1) if decision else ("No" if NO_SPLIT.search(text) else None),
            deadline.group(1) if deadline else None,
        )

    def foreign(self, said: Said, message: str, allowed_teams: frozenset[str]) -> list[str]:
        """Contacts shown that belong to none of the allowed teams, or to no team at all (invented;
        a number the broker wrote himself, echoed, is not counted)."""
        own = {digits10(n) for n in PHONE.findall(message)} | {e.lower() for e in EMAIL.findall(message)}
        out = []
        for tok in tokens_in(said.text, self.world):
            if tok.startswith("a:"):
                continue
            owners = self.owners.get(tok)
            if owners is None:
                if tok[2:].split("#")[0] not in own:
                    out.append(f"{tok} (no team's)")
            elif not owners & allowed_teams:
                out.append(f"{tok} ({', '.join(sorted(owners))})")
        return out

    def region_teams(self, regions: frozenset[str]) -> frozenset[str]:
        return frozenset(k for k, t in self.world.teams.items() if t.region in regions)

    def grade(self, said: Said, expect: Expect, message: str) -> Grade:
        sig = self.signature(said)
        outcome, note = self._grade(said, expect, message)
        return Grade(outcome, note, sig)

    def _grade(self, said: Said, expect: Expect, message: str) -> tuple[str, str]:
        if isinstance(expect, Contacts):
            return self._contacts(said, expect, message)
        if isinstance(expect, Split):
            return self._split(said, expect, message)
        if isinstance(expect, Deadline):
            return self._deadline(said, expect, message)
        if isinstance(expect, Premise):
            return self._premise(said, expect, message)
        return self._out_of_scope(said, message)

    def _contacts(self, said: Said, expect: Contacts, message: str) -> tuple[str, str]:
        foreign = self.foreign(said, message, expect.allowed)
        if foreign:
            return WRONG, "other team's contact shown: " + ", ".join(foreign)
        shown = tokens_in(said.text, self.world)
        missing = [n.label for n in expect.needs if not n.tokens & shown]
        refused = sorted(expect.refused & shown)
        if not missing and not refused:
            return RIGHT, ""
        if asks(said) and missing:
            return ASKED, "asked: " + ("region" if asks_region(said) else said.text.splitlines()[0][:100])
        if refused and not missing:
            return MISS, "refused detail shown: " + ", ".join(refused)
        return MISS, "missing: " + ", ".join(missing) + (f"; refused shown: {', '.join(refused)}" if refused else "")

    def _region_check(self, said: Said, regions: frozenset[str], message: str) -> str | None:
        foreign = self.foreign(said, message, self.region_teams(regions))
        return "other region's contact shown: " + ", ".join(foreign) if foreign else None

    def _split(self, said: Said, expect: Split, message: str) -> tuple[str, str]:
        wrong_region = self._region_check(said, expect.allowed_regions, message)
        if wrong_region:
            return WRONG, wrong_region
        decision = DECISION.search(said.text)
        if decision:
            yes, count = decision.group(1) == "Yes", int(decision.group(2))
        elif NO_SPLIT.search(said.text):
            yes, count = False, None
        elif asks(said):
            return ASKED, "asked: " + said.text.splitlines()[0][:120]
        else:
            return MISS, "no decision"
        if yes != expect.yes:
            return WRONG, f"said {'yes' if yes else 'no'}" + (f" with {count} subscribers" if count is not None else "")
        if count != expect.subscribers:
            return MISS, f"right decision, read {count} subscribers"
        return RIGHT, ""

    def _deadline(self, said: Said, expect: Deadline, message: str) -> tuple[str, str]:
        wrong_region = self._region_check(said, expect.allowed_regions, message)
        if wrong_region:
            return WRONG, wrong_region
        found = DEADLINE.search(said.text)
        if found:
            if found.group(1) != expect.last_day:
                return WRONG, f"deadline {found.group(1)}"
            return RIGHT, ""
        if asks(said):
            dates = spelled_dates(said.text)
            return ASKED, "asked" + (f" (offered {', '.join(dates)})" if dates else "")
        return MISS, "no deadline"

    def _premise(self, said: Said, expect: Premise, message: str) -> tuple[str, str]:
        wrong_region = self._region_check(said, expect.allowed_regions, message)
        if wrong_region:
            return WRONG, wrong_region
        text = said.text
        w, r = expect.wrong, expect.right
        opening = text.lstrip()[:160]
        unit = r"(?:-| )?days?" if expect.unit == "days" else r" (?:or more )?(?:Kaiser Permanente )?subscribers"
        affirmed = re.match(r"(Yes|Right|Correct|That's right)\b(?!: with)", opening) or re.search(
            rf"(?<!not )(?<!\d)\b{w}{unit}" if expect.unit == "days" else rf"at least {w}\b", text
        )
        if affirmed:
            return WRONG, f"affirmed {w} {expect.unit}"
        corrected = CORRECTION.match(opening) or re.search(rf"\b(not|rather than|instead of) {w}\b|misprint", text)
        gives_right = re.search(rf"(?<!\d){r}{unit}" if expect.unit == "days" else rf"(?<!\d){r}\b", text)
        if corrected and gives_right:
            return RIGHT, ""
        if asks(said) and not gives_right:
            return ASKED, "asked: " + text.splitlines()[0][:100]
        return MISS, ("gave the right number without a no" if gives_right else "no correction, no right number")

    def _out_of_scope(self, said: Said, message: str) -> tuple[str, str]:
        # "The source I have for Oregon doesn't cover deductible and out-of-pocket accumulations ... the nearest
        # contact is": honest about the topic the question was taken for, not about what was asked; the contact
        # is offered as the nearest one, not as the answer.
        misread = bool(NEAREST_TOPIC.search(said.text))
        honest = bool(HONEST.search(said.text)) and not misread
        shown = [t for t in tokens_in(said.text, self.world) if not t.startswith("a:")]
        if team_buttons(said):
            return ASKED, "team buttons"
        if honest:
            return RIGHT, ""
        if misread:
            return MISS, "taken for a topic its region's source lacks: " + said.text.splitlines()[0][:100]
        if shown:
            return WRONG, "contact presented as the answer: " + ", ".join(sorted(shown))
        if asks(said):
            return ASKED, "asked: " + said.text.splitlines()[0][:100]
        return MISS, "no honest 'not covered': " + said.text.splitlines()[0][:100]
