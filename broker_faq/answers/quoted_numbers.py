"""A number the broker asks to have confirmed ("The CSC number is 866-868-7220, right?", "Terminations for
CA groups: 800-790-4661, option 3 - correct?"): the answer starts with the yes or the no, checked against
the contacts the answer itself gives, then against every team of the knowledge.

A wrong yes is the worst answer here, so the yes needs the number (and the option, when one was quoted)
on the answer's card, and that card the answer's only one: beside other teams' cards it is said whose the
number is, not yes. A number that is a team's elsewhere gets "no, that is <team>'s", and one the sources
do not have gets "no, not a number in my sources". A quoted misprint has its own answer
(Replies.misprint_corrected) and is left to it."""

from __future__ import annotations

from broker_faq.answers.replies import Replies, said_together
from broker_faq.conversation import Reply
from broker_faq.knowledge.loader import phone_digits
from broker_faq.reading.premises import QuotedNumber


def checked(replies: Replies, reply: Reply, quoted: tuple[QuotedNumber, ...]) -> Reply:
    misprints = replies.contacts.misprinted_digits
    verdicts = [_verdict(replies, reply, q) for q in quoted if q.digits not in misprints]
    said = " ".join(dict.fromkeys(v for v in verdicts if v))
    return replies.led(reply, said) if said else reply


def _verdict(replies: Replies, reply: Reply, quoted: QuotedNumber) -> str | None:
    cards = (reply.payload or {}).get("contacts") or []
    for card in cards:
        phones = [p for p in card.get("phones", []) if phone_digits(p["number"]) == quoted.digits]
        is_fax = bool(card.get("fax")) and phone_digits(card["fax"]) == quoted.digits
        if not (phones or is_fax):
            continue
        others = [c["name"] for c in cards if c is not card and not _has(c, quoted.digits)]
        if others:  # "the EBS fax is the same as the CSC fax, 866-311-5974?": whose it is, not a yes
            number, kind = (card["fax"], "fax") if is_fax else (phones[0]["number"], "line")
            return f"{number} is the {card['name']} {kind}, not the {said_together(others, 'or')} {kind}."
        if is_fax:
            return f"Yes: {card['fax']} is the {card['name']} fax."
        return _on_the_card(card, phones, quoted)
    owner = _owner(replies, quoted)
    if owner is None:
        return "No: that number is not one in my sources." + (" The right contact is below." if cards else "")
    name, kind, region = owner
    if not cards:
        return f"That is the {name} {kind} for {region}."
    return f"No: that is the {name} {kind} for {region}. For this, the right contact is below."


def _has(card: dict, digits: str) -> bool:
    numbers = [p["number"] for p in card.get("phones", [])] + ([card["fax"]] if card.get("fax") else [])
    return any(phone_digits(n) == digits for n in numbers)


def _on_the_card(card: dict, phones: list[dict], quoted: QuotedNumber) -> str:
    number, options = phones[0]["number"], [p["option"] for p in phones if p.get("option")]
    if quoted.option is None or quoted.option in options:
        chosen = quoted.option or (options[0] if len(options) == 1 else None)
        return f"Yes: {number}" + (f", option {chosen}," if chosen else "") + f" is the {card['name']} line."
    if not options:
        return f"Yes: {number} is the {card['name']} line; the source gives no option to choose for it."
    right = " or ".join(options)
    return f"No: it is {number}, option {right} for the {card['name']}, not option {quoted.option}."


def _owner(replies: Replies, quoted: QuotedNumber) -> tuple[str, str, str] | None:
    """The team a number belongs to anywhere in the knowledge (its name, "line" or "fax", its region):
    the one whose option was quoted, when teams share a number (800-790-4661: option 1 or 3)."""
    owners = []
    for team in replies.k.teams.values():
        region = replies.k.regions.get(team.get("region", ""), {}).get("name", "")
        phones = [p for p in team.get("phones", []) if phone_digits(str(p["number"])) == quoted.digits]
        if phones:
            owners.append((quoted.option in {str(p.get("option")) for p in phones}, (team["name"], "line", region)))
        elif team.get("fax") and phone_digits(str(team["fax"])) == quoted.digits:
            owners.append((False, (team["name"], "fax", region)))
    return max(owners, key=lambda o: o[0])[1] if owners else None
