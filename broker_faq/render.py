"""The one renderer: knowledge entries -> reply text plus a structured payload.

Every phone number, e-mail, fax, hour and link in a reply is written here, from the knowledge
file's teams and links; answer texts only name them.
"""
from __future__ import annotations

from .knowledge import PLACEHOLDER_RE, Answer, ContactRef, Knowledge, Source


def _purpose_label(purpose: str) -> str:
    return purpose.replace("_", " ")


class Renderer:
    def __init__(self, knowledge: Knowledge):
        self.k = knowledge

    def fill(self, text: str) -> str:
        """Replace `{fact}` and `{link:id}` with their values from the knowledge file."""
        def value(match) -> str:
            kind, name = match.groups()
            return self.k.links[name]["url"] if kind == "link" else str(self.k.fact(name))
        return PLACEHOLDER_RE.sub(value, text)

    def card(self, ref: ContactRef) -> dict:
        """A team's contact details, narrowed to one purpose when the reference names one."""
        team = self.k.teams[ref.team]

        def serves(entry: dict) -> bool:
            return ref.purpose is None or entry.get("for") in (None, ref.purpose)

        phones = [{"number": p["number"],
                   **({"option": p["option"]} if p.get("option") else {}),
                   **({"for": _purpose_label(p["for"])} if p.get("for") else {})}
                  for p in team.get("phones", []) if serves(p)]
        emails = [e["address"] for e in team.get("emails", []) if serves(e)]
        card = {"team": ref.team, "name": team["name"], "phones": phones, "emails": emails,
                "fax": team.get("fax"), "hours": team.get("hours"), "address": team.get("address"),
                "purpose": _purpose_label(ref.purpose) if ref.purpose else None,
                "source": self.source(Source(**team["source"]))}
        return {key: value for key, value in card.items() if value}

    @staticmethod
    def card_text(card: dict) -> str:
        lines = [card["name"] + (f" ({card['purpose']})" if card.get("purpose") else "")]
        phones = []
        for phone in card.get("phones", []):
            option = f", option {phone['option']}" if phone.get("option") else ""
            purpose = f" for {phone['for']}" if phone.get("for") and not card.get("purpose") else ""
            phones.append(f"{phone['number']}{option}{purpose}")
        if phones:
            lines.append("Phone: " + "; ".join(phones))
        if card.get("emails"):
            lines.append("E-mail: " + ", ".join(card["emails"]))
        if card.get("fax"):
            lines.append(f"Fax: {card['fax']}")
        if card.get("hours"):
            lines.append(f"Hours: {card['hours']}")
        if card.get("address"):
            lines.append("Mail: " + ", ".join(card["address"]))
        return "\n  ".join(lines)

    def source(self, source: Source) -> dict:
        return {"document": self.k.source_title(source.doc),
                "file": self.k.sources[source.doc]["file"], "section": source.section}

    def answer(self, topic: str, body: str, *, sources: list[Source],
               contacts: tuple[ContactRef, ...] = (), links: tuple[str, ...] = (),
               region: str | None = None) -> tuple[str, dict]:
        """Text and payload for an answer: the body, contact cards, links and where it comes from."""
        cards = [self.card(ref) for ref in contacts]
        link_items = [{"label": self.k.links[l]["label"], "url": self.k.links[l]["url"]} for l in links]
        cited = [self.source(s) for s in dict.fromkeys(sources)]
        parts = [self.fill(body)]
        if link_items and len(link_items) > 1:
            parts.append("\n".join(f"- {item['label']}: {item['url']}" for item in link_items))
        parts += [self.card_text(card) for card in cards]
        parts.append("Source: " + "; ".join(f"{s['document']}, \"{s['section']}\"" for s in cited))
        payload = {"type": "answer", "topic": topic, "region": region, "sources": cited,
                   "contacts": cards, "links": link_items}
        return "\n\n".join(parts), payload

    def from_entry(self, topic: str, answer: Answer, *, prefix: str = "", suffix: str = "",
                   region: str | None = None, extra_sources: tuple[Source, ...] = ()) -> tuple[str, dict]:
        body = " ".join(part for part in (prefix, self.fill(answer.text), suffix) if part)
        return self.answer(topic, body, sources=[answer.source, *extra_sources],
                           contacts=answer.contacts, links=answer.links, region=region)
