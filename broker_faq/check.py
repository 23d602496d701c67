"""`make check-knowledge`: validate the knowledge file and say what it holds.

    python -m broker_faq.check [KNOWLEDGE_FILE]
"""
import sys

from .knowledge import DEFAULT_PATH, KnowledgeError, load_knowledge


def main(argv: list[str]) -> int:
    path = argv[0] if argv else DEFAULT_PATH
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as err:
        print(f"knowledge check FAILED: {err}", file=sys.stderr)
        return 1
    print(f"knowledge OK: {len(knowledge.topics)} topics, {len(knowledge.teams)} teams, "
          f"{len(knowledge.links)} links, {len(knowledge.facts)} facts, {len(knowledge.regions)} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
