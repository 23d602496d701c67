"""Cases, and the fillers and expectations the generators (mft.py, invariance.py, directional.py) share.

The wordings are written as brokers write to a help desk, independently of the training data; the
facts they expect (contacts, threshold, window) come from the knowledge file through world.World.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tests.behaviour.grading import Contacts, Deadline, Expect, Need, Split
from tests.behaviour.world import Place, World

SINGLE, INV, DIR = "MFT", "INV", "DIR"


@dataclass(frozen=True)
class Run:
    """One conversation (one or more turns); the expectation is about the reply to the last turn."""

    turns: tuple[str, ...]
    expect: Expect


@dataclass(frozen=True)
class Case:
    capability: str
    runs: tuple[Run, ...]  # MFT: one; INV: the plain message, then the perturbed one; DIR: before, after
    kind: str = SINGLE


def rng(name: str) -> random.Random:
    """A generator's own seeded random source: the same cases on every run."""
    return random.Random(f"behaviour:{name}")


def sample(r: random.Random, items: list, k: int) -> list:
    return r.sample(items, min(k, len(items)))


# --- what brokers need, in their words: topic -> (noun phrase, question) --------------------------------

NEEDS: dict[str, list[tuple[str, str]]] = {
    "enrollment_changes": [
        ("adding a new hire and her dependents", "Who do I send a new hire's enrollment to?"),
        ("enrollment changes", "Where do enrollment changes go?"),
    ],
    "discrepancy_reports": [
        ("a premium discrepancy report", "Who handles a premium discrepancy report?"),
        ("an eligibility discrepancy", "Who looks into an eligibility discrepancy?"),
    ],
    "account_audit_balance": [
        ("an account audit", "Who do I ask for an account audit?"),
        ("checking the group's account balance", "Who can tell me the group's account balance?"),
    ],
    "billing_questions": [
        ("a question about the group's bill", "Who answers questions about the group's bill?"),
        ("billing questions", "Who takes billing questions?"),
    ],
    "new_sales": [
        ("quoting a brand new group", "Who do I talk to about selling a plan to a new group?"),
        ("new sales", "Who is the new sales contact?"),
    ],
    "account_management": [
        ("account management for an existing group", "Who manages an existing group's account?"),
    ],
    "escalation": [
        ("escalating a claim problem nobody has fixed", "Where do I escalate a claim problem that is still not fixed?"),
        ("getting the group's 5500 report", "Who sends the 5500 report?"),
    ],
    "web_support": [
        ("trouble logging in to account.kp.org", "Who helps when account.kp.org won't let the employer log in?"),
    ],
    "member_services": [
        ("a member who wants to pick a primary care doctor", "Who helps a member choose a primary care doctor?"),
    ],
    "replace_id_card": [
        ("an employee who lost her ID card", "How does an employee replace a lost ID card?"),
    ],
    "update_address": [
        ("changing the group's mailing address", "How does the group change its mailing address?"),
        ("updating the employer's e-mail address on file", "How do we update the employer's e-mail on file?"),
    ],
    "terminate_contract": [
        ("cancelling the group's contract", "Who do I call to cancel the group's contract?"),
        ("terminating the group", "Who handles terminating a small group?"),
    ],
    "stop_autopay": [
        ("turning off autopay", "Who do I ask about turning off autopay?"),
    ],
    "reinstatement": [
        ("reinstating a terminated contract", "Can a terminated contract be reinstated?"),
    ],
}

# The needs whose answer (and contact) differ between the regions, for lists and openers.
NEEDS_BY_REGION = {
    "northwest": [
        "enrollment_changes",
        "discrepancy_reports",
        "account_audit_balance",
        "billing_questions",
        "new_sales",
        "account_management",
        "escalation",
        "web_support",
        "member_services",
        "replace_id_card",
        "terminate_contract",
    ],
    "california": [
        "update_address",
        "terminate_contract",
        "stop_autopay",
        "reinstatement",
        "account_management",
        "billing_questions",
        "escalation",
    ],
}

DETAIL_WORDS = {
    "phone": ["phone number", "phone", "number", "phone #"],
    "email": ["e-mail", "email", "email address", "e-mail address"],
    "fax": ["fax", "fax number", "fax #"],
    "address": ["mailing address", "address", "PO box"],
}


# --- expectations -----------------------------------------------------------------------------------


def topic_expect(world: World, topic: str, place: Place) -> Contacts:
    """The topic's first contact for the place must be shown; any contact of its answer may be."""
    refs = world.answer_contacts(topic, place)
    team, purpose = refs[0]
    return Contacts(
        needs=(Need(f"{topic} -> {team}" + (f":{purpose}" if purpose else ""), world.contact_tokens(team, purpose)),),
        allowed=frozenset(t for t, _ in refs),
    )


def topics_expect(world: World, topics: list[str], place: Place) -> Contacts:
    needs, allowed = [], set()
    for topic in topics:
        one = topic_expect(world, topic, place)
        needs += one.needs
        allowed |= one.allowed
    return Contacts(needs=tuple(needs), allowed=frozenset(allowed))


def detail_expect(
    world: World, team: str, detail: str, refused: frozenset[str] = frozenset(), only: bool = False
) -> Contacts:
    """A team's detail must be shown. Teams the knowledge gives beside it may be shown too, unless `only`
    (the broker said which team not to give)."""
    allowed = frozenset({team}) if only else world.co_listed(team)
    return Contacts(
        needs=(Need(f"{team} {detail}", world.detail_tokens(team, detail)),), allowed=allowed, refused=refused
    )


def split_expect(world: World, subscribers: int) -> Split:
    return Split(subscribers >= world.threshold, subscribers, frozenset({"california"}))


def deadline_expect(world: World, terminated: dt.date) -> Deadline:
    return Deadline(spell(terminated + dt.timedelta(days=world.window_days)), frozenset({"california"}))


def spell(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# --- numbers and dates as words ---------------------------------------------------------------------

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_ONES = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
ORDINAL_TENS = {20: "twentieth", 30: "thirtieth"}


def number_words(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def ordinal_words(n: int) -> str:
    if n < 20:
        return ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    return ORDINAL_TENS[tens * 10] if not ones else f"{TENS[tens]}-{ORDINAL_ONES[ones]}"


def ordinal_suffix(n: int) -> str:
    return f"{n}" + ("th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def month_end(day: dt.date) -> dt.date:
    first_next = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def date_spellings(day: dt.date) -> dict[str, str]:
    """A date as brokers write it; the month-end spellings only for a month's last day."""
    month = f"{day:%B}"
    out = {
        "ISO": day.isoformat(),
        "US numeric": f"{day.month}/{day.day}/{day.year}",
        "US numeric padded": f"{day:%m/%d/%Y}",
        "Month D, YYYY": f"{month} {day.day}, {day.year}",
        "D Month YYYY": f"{day.day} {month} {day.year}",
        "the Dth of Month YYYY": f"the {ordinal_suffix(day.day)} of {month} {day.year}",
        "Month ordinal, YYYY": f"{month} {ordinal_words(day.day)}, {day.year}",
        "Mon D YYYY": f"{day:%b} {day.day} {day.year}",
    }
    if day == month_end(day):
        out["end of Month YYYY"] = f"the end of {month} {day.year}"
        out["last day of Month YYYY"] = f"the last day of {month} {day.year}"
    if day.day == 1:
        out["first of Month YYYY"] = f"the first of {month} {day.year}"
    return out


def on(spelled: str) -> str:
    """The date after a verb: "on March 15, 2027", "at the end of March 2027"."""
    return ("at " if spelled.startswith("the end") else "on ") + spelled
