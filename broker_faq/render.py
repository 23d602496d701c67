"""The one renderer: knowledge entries -> reply text plus a structured payload.

Every phone number, e-mail, fax, hour and link in a reply is written here, from the knowledge
file's teams and links; answer texts only name them.
"""

from __future__ import annotations

from broker_faq.knowledge.loader import PLACEHOLDER_RE, Answer, ContactRef, Knowledge, Source

PARAGRAPH = "\n\n"  # between an answer's parts (Rasa's REST channel sends each as a message)


def _purpose_label(purpose: str) -> str:
    return purpose.replace("_", " ")


def _phones(_: Renderer | None, card: dict) -> str:
    return "; ".join(
        p["number"]
        + (f", option {p['option']}" if p.get("option") else "")
        + (f" for {p['for']}" if p.get("for") and not card.get("purpose") else "")
        for p in card.get("phones", [])
    )


def _options(_: Renderer | None, card: dict) -> str:
    if not any(p.get("option") for p in card.get("phones", [])):
        plain = "; ".join(p["number"] for p in card.get("phones", []))
        return f"no option to choose; call {plain}" if plain else ""
    return "; ".join(
        f"option {p['option']}"
        + (f" for {p['for']}" if p.get("for") and not card.get("purpose") else "")
        + f" at {p['number']}"
        for p in card.get("phones", [])
        if p.get("option")
    )


def _phone_tree(renderer: Renderer, card: dict) -> str:
    numbers = list(dict.fromkeys(p["number"] for p in card.get("phones", [])))
    return "; ".join(f"{n}: " + (", ".join(renderer.phone_tree(n)) or "no options") for n in numbers)


_DETAIL_VALUE = {
    "phone": _phones,
    "option": _options,
    "phone_tree": _phone_tree,
    "fax": lambda _, card: card.get("fax", ""),
    "email": lambda _, card: ", ".join(card.get("emails", [])),
    "hours": lambda _, card: card.get("hours", ""),
    "address": lambda _, card: ", ".join(card.get("address", [])),
    "handles": lambda _, card: "; ".join(card.get("handles", [])),
}
_DETAIL_LABEL = {
    "phone": "Phone",
    "option": "Phone option",
    "phone_tree": "Phone tree",
    "fax": "Fax",
    "email": "E-mail",
    "hours": "Hours",
    "address": "Mailing address",
    "handles": "What it handles",
}
_DETAIL_MISSING = {
    "phone": "a phone number",
    "option": "a phone option",
    "phone_tree": "a phone tree",
    "fax": "a fax number",
    "email": "an e-mail address",
    "hours": "hours",
    "address": "a mailing address",
    "handles": "what it handles",
}


class Renderer:
    def __init__(self, knowledge: Knowledge):
        self.k = knowledge

    def fill(self, text: str) -> str:
        """Replace `{fact}` and `{link:id}` with their values from the knowledge."""

        def value(match) -> str:
            kind, name = match.groups()
            return self.k.links[name]["url"] if kind == "link" else str(self.k.fact(name))

        return PLACEHOLDER_RE.sub(value, text)

    def card(self, ref: ContactRef) -> dict:
        """A team's contact details, narrowed to one purpose when the reference names one."""
        team = self.k.teams[ref.team]

        def serves(entry: dict) -> bool:
            return ref.purpose is None or entry.get("for") in (None, ref.purpose)

        phones = [
            {
                "number": p["number"],
                **({"option": p["option"]} if p.get("option") else {}),
                **({"for": _purpose_label(p["for"])} if p.get("for") else {}),
            }
            for p in team.get("phones", [])
            if serves(p)
        ]
        emails = [e["address"] for e in team.get("emails", []) if serves(e)]
        card = {
            "team": ref.team,
            "name": team["name"],
            "phones": phones,
            "emails": emails,
            "fax": team.get("fax"),
            "hours": team.get("hours"),
            "address": team.get("address"),
            "handles": team.get("contact_for"),
            "region": team["region"],
            "purpose": _purpose_label(ref.purpose) if ref.purpose else None,
            "source": self.source(Source(**team["source"])),
        }
        return {key: value for key, value in card.items() if value}

    @staticmethod
    def card_text(card: dict) -> str:
        lines = [card["name"] + (f" ({card['purpose']})" if card.get("purpose") else "")]
        if card.get("phones"):
            lines.append("Phone: " + _phones(None, card))
        if card.get("emails"):
            lines.append("E-mail: " + ", ".join(card["emails"]))
        if card.get("fax"):
            lines.append(f"Fax: {card['fax']}")
        if card.get("hours"):
            lines.append(f"Hours: {card['hours']}")
        if card.get("address"):
            lines.append("Mail: " + ", ".join(card["address"]))
        return "\n  ".join(lines)

    def lead(self, cards: list[dict], details: tuple[str, ...]) -> str:
        """The details asked for ("fax?", "hours and option"), one line per team, before the cards;
        a detail a team's source does not list is said to be missing, never guessed."""
        lines = []
        for detail in details:
            missing: dict[str, list[str]] = {}  # document -> the teams it lists no such detail for
            for card in cards:
                value = _DETAIL_VALUE[detail](self, card)
                name = card["name"] + (f" ({card['purpose']})" if card.get("purpose") else "")
                if value:
                    lines.append(f"{_DETAIL_LABEL[detail]} for the {name}: {value.rstrip('.')}.")
                else:
                    missing.setdefault(card["source"]["document"], []).append(f"the {name}")
            # A detail the source lacks is said once, naming every team it lacks it for.
            lines += [
                f"My copy of the {document} doesn't list {_DETAIL_MISSING[detail]} for {' or '.join(names)}."
                for document, names in missing.items()
            ]
        return "\n".join(dict.fromkeys(lines))

    @staticmethod
    def phones_text(card: dict) -> str:
        """'800-790-4661, option 3': a card's numbers with their options and purposes."""
        return _phones(None, card)

    def phone_tree(self, number: str) -> list[str]:
        """Every team behind one number, by IVR option: "option 1: California Service Center"."""
        entries = [
            (p.get("option"), t["name"], p.get("for"))
            for t in self.k.teams.values()
            for p in t.get("phones", [])
            if p["number"] == number and p.get("option")
        ]
        return [
            f"option {option}: {name}" + (f" ({_purpose_label(purpose)})" if purpose else "")
            for option, name, purpose in sorted(entries)
        ]

    def source(self, source: Source) -> dict:
        return {
            "document": self.k.source_title(source.doc),
            "file": self.k.sources[source.doc]["file"],
            "section": source.section,
        }

    def answer(
        self,
        topic: str,
        body: str,
        *,
        sources: list[Source],
        contacts: tuple[ContactRef, ...] = (),
        links: tuple[str, ...] = (),
        region: str | None = None,
    ) -> tuple[str, dict]:
        """Text and payload for an answer: the body, contact cards, links and where it comes from."""
        cards = [self.card(ref) for ref in contacts]
        link_items = [{"label": self.k.links[key]["label"], "url": self.k.links[key]["url"]} for key in links]
        cited = [self.source(s) for s in dict.fromkeys(sources)]
        parts = [self.fill(body)]
        if link_items and len(link_items) > 1:
            parts.append("\n".join(f"- {item['label']}: {item['url']}" for item in link_items))
        # What the payload does not carry (the cards and sources are in it): the widget shows this text.
        body_text = PARAGRAPH.join(parts)
        parts += [self.card_text(card) for card in cards]
        parts.append("Source: " + "; ".join(f'{s["document"]}, "{s["section"]}"' for s in cited))
        payload = {
            "type": "answer",
            "body": body_text,
            "topic": topic,
            "region": region,
            "sources": cited,
            "contacts": cards,
            "links": link_items,
        }
        return PARAGRAPH.join(parts), payload

    def from_entry(
        self,
        topic: str,
        answer: Answer,
        *,
        prefix: str = "",
        suffix: str = "",
        region: str | None = None,
        extra_sources: tuple[Source, ...] = (),
    ) -> tuple[str, dict]:
        body = " ".join(part for part in (prefix, self.fill(answer.text), suffix) if part)
        return self.answer(
            topic,
            body,
            sources=[answer.source, *extra_sources],
            contacts=answer.contacts,
            links=answer.links,
            region=region,
        )


def answer_text_beside_payload(text: str, payload: dict | None) -> str:
    """An answer's text without what its payload carries (the contact cards and the sources): the
    payload's `body`, which the renderer writes. Any other message is sent whole."""
    if not payload or payload.get("type") != "answer" or not isinstance(payload.get("body"), str):
        return text
    return payload["body"]
