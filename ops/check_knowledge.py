"""`make check-knowledge`: is the knowledge (knowledge/) safe to serve? Run it after every edit.

Beyond the loader's schema checks (broker_faq/knowledge/loader.py), it checks that the file and the Rasa
project fit together: every team is reachable, no team gives two numbers for one purpose (that
would have caught the FAQ's 4611/4661 erratum), every region can answer every routed need, and
every intent routed to action_answer has its knowledge.

    python -m ops.check_knowledge [KNOWLEDGE_DIR]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from broker_faq import yaml_io
from broker_faq.assistant import ABOUT, FOLLOW_UPS
from broker_faq.knowledge.loader import Knowledge, KnowledgeError, load_knowledge, phone_digits

ROOT = Path(__file__).resolve().parent.parent
TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}


def intents_answered_by(action: str) -> set[str]:
    """Intents whose rule runs `action` (data/rules.yml)."""
    rules = yaml_io.load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    found = set()
    for rule in rules:
        steps = rule.get("steps", [])
        for first, second in zip(steps, steps[1:], strict=False):
            if "intent" in first and second.get("action") == action:
                found.add(first["intent"])
    return found


def problems(k: Knowledge) -> list[str]:
    found = []
    referenced = {ref.team for refs in k.nearest_contact.values() for ref in refs}
    referenced |= {ref.team for t in k.topics.values() for a in t.answers.values() for ref in a.contacts}
    for team_id, team in k.teams.items():
        if team_id not in referenced and not team.get("aliases"):
            found.append(f"teams.{team_id}: no answer names this team and it has no aliases, so no one can reach it")
    # A team may list one local and one toll-free number per purpose and option (EBS does); two
    # of the same kind are a contradiction, like the FAQ's 800-790-4611 beside 800-790-4661.
    numbers = defaultdict(set)
    for team in k.teams.values():
        for phone in team.get("phones", []):
            digits = phone_digits(phone["number"])
            numbers[(team["name"], phone.get("for"), phone.get("option"), digits[:3] in TOLL_FREE)].add(digits)
    for (name, purpose, option, toll_free), distinct in numbers.items():
        if len(distinct) > 1:
            kind = "toll-free" if toll_free else "local"
            found.append(
                f"team '{name}' (purpose {purpose or 'any'}, option {option or 'none'}) has "
                f"{len(distinct)} different {kind} numbers: {sorted(distinct)}"
            )
    for region in k.regions:
        if not k.nearest_contact.get(region):
            found.append(f"nearest_contact.{region}: a region needs a contact for the needs its source is silent on")
    for intent in sorted(intents_answered_by("action_answer") - set(k.topics)):
        if intent not in FOLLOW_UPS | ABOUT:
            found.append(f"data/rules.yml: intent '{intent}' goes to action_answer but has no topic in the knowledge")
    return found


def main(argv: list[str]) -> int:
    path = argv[0] if argv else None
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as err:
        print(f"knowledge check FAILED: {err}", file=sys.stderr)
        return 1
    found = problems(knowledge)
    for problem in found:
        print(f"knowledge check FAILED: {problem}", file=sys.stderr)
    if not found:
        print(
            f"knowledge OK: {len(knowledge.topics)} topics, {len(knowledge.teams)} teams, "
            f"{len(knowledge.links)} links, {len(knowledge.facts)} facts, {len(knowledge.regions)} regions"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
