"""Build the project's own spaCy pipeline: the blank English tokenizer plus an entity ruler.

No pretrained spaCy model can be downloaded here, and none is needed: the entities the assistant
needs (places, dates, subscriber counts, team names) are closed sets and fixed shapes, so rules
find them exactly. Place and team spellings come from the knowledge, the same gazetteer the
answer logic resolves them with.

    python -m spacy_pipeline.build [OUTPUT_DIR]     (default: build/spacy_kp_en)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import spacy
from spacy.pipeline import EntityRuler

from broker_faq.knowledge.loader import Knowledge, load_knowledge
from broker_faq.reading.dates import MONTHS

OUTPUT = Path("build/spacy_kp_en")
NUM = {"TEXT": {"REGEX": r"^\d{1,2}$"}}
YEAR = {"TEXT": {"REGEX": r"^\d{4}$"}}
DAY = {"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}
MONTH = {"LOWER": {"IN": sorted({*MONTHS, *(m + "." for m in MONTHS)})}}
COMMA = {"ORTH": ",", "OP": "?"}
DASH = {"ORTH": "-"}

DATE_PATTERNS = [
    [YEAR, DASH, NUM, DASH, NUM],  # 2026-10-01
    [{"TEXT": {"REGEX": r"^\d{1,2}/\d{1,2}/(\d{2}|\d{4})$"}}],  # 10/1/2026
    [NUM, DASH, NUM, DASH, YEAR],  # 10-1-2026
    [MONTH, DAY, COMMA, YEAR],  # October 1, 2026 / Oct 1st 2026
    [DAY, {"LOWER": "of", "OP": "?"}, MONTH, COMMA, YEAR],  # 1 October 2026
    [MONTH, DAY],  # October 1
]
# A quoted phone number and a phone-tree option are not counts: "800-790-4661, option 3 - correct?" had
# four counts and read as a count given. Longest match wins (a one-token number is kept out of the counts
# by its shape). "phone" is not one of the dimensions config.yml extracts, so Rasa gets no such entity;
# the classifier sees the kind (__phone__) instead of three or four counts.
_PHONE_SHAPE = r"(?:\d{3}[-.]){2}\d{4}|1?\d{10}"  # one token: 503.813.2630, 5038132630
_ONE_TOKEN_PHONE = rf"^(?:{_PHONE_SHAPE})$"
COUNT_PATTERNS = [[{"LIKE_NUM": True, "TEXT": {"REGEX": rf"^(?!(?:{_PHONE_SHAPE})$)"}}]]
_D3, _D4 = {"TEXT": {"REGEX": r"^\d{3}$"}}, {"TEXT": {"REGEX": r"^\d{4}$"}}
_SEP = {"ORTH": {"IN": ["-", "."]}, "OP": "?"}
_ONE = {"ORTH": "1", "OP": "?"}
PHONE_PATTERNS = [
    [_ONE, _SEP, _D3, _SEP, _D3, _SEP, _D4],  # 1-866-868-7220, 503 813 2630
    [_ONE, {"ORTH": "("}, _D3, {"ORTH": ")"}, _D3, _SEP, _D4],  # (503) 813-2630
    [{"TEXT": {"REGEX": _ONE_TOKEN_PHONE}}],
    [{"LOWER": {"IN": ["option", "opt", "opt.", "press", "ext", "ext."]}}, {"ORTH": "#", "OP": "?"}, NUM],
]


def _phrase(spelling: str, nlp) -> list[dict]:
    return [{"LOWER": token.lower_} for token in nlp.make_doc(spelling)]


def patterns(knowledge: Knowledge, nlp) -> list[dict]:
    places = [knowledge.uncovered_places]
    for region in knowledge.regions.values():
        places += [region, *region["areas"].values()]
    found: list[dict] = []
    for entry in places:
        found += [
            {"label": "region", "pattern": _phrase(s, nlp)}
            for s in [*entry.get("aliases", []), *entry.get("cities", [])]
        ]
        # Abbreviations only in capitals: "OR" is Oregon, "or" is a conjunction.
        found += [{"label": "region", "pattern": [{"ORTH": abbr}]} for abbr in entry.get("abbreviations", [])]
    for team in knowledge.teams.values():
        found += [{"label": "team", "pattern": _phrase(alias, nlp)} for alias in team.get("aliases", [])]
    found += [{"label": "date", "pattern": p} for p in DATE_PATTERNS]
    found += [{"label": "phone", "pattern": p} for p in PHONE_PATTERNS]
    found += [{"label": "count", "pattern": p} for p in COUNT_PATTERNS]
    return found


def build(knowledge: Knowledge) -> spacy.Language:
    nlp = spacy.blank("en")
    # Longest match wins, so "California Service Center" is a team, not the place "California",
    # and "June 1, 2026" is a date, not the count "1".
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}))
    ruler.add_patterns(patterns(knowledge, nlp))
    nlp.meta["name"] = "kp_en"
    nlp.meta["description"] = "Tokenizer and entity ruler for KP broker questions (built from the knowledges)"
    return nlp


def main(argv: list[str]) -> None:
    output = Path(argv[0]) if argv else OUTPUT
    knowledge = load_knowledge()
    output.parent.mkdir(parents=True, exist_ok=True)
    build(knowledge).to_disk(output)
    print(f"spaCy pipeline with {len(patterns(knowledge, spacy.blank('en')))} patterns -> {output}")


if __name__ == "__main__":
    main(sys.argv[1:])
