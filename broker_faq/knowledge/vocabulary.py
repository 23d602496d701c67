"""How brokers and agents write (knowledge/vocabulary.yml): shorthand, the words that ask for a contact
detail, and the cues that give a place, a date or a number its role. Language, not facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from broker_faq import yaml_io

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "vocabulary.yml"


@dataclass(frozen=True)
class Vocabulary:
    shorthand: dict[str, str]
    details: dict[str, tuple[str, ...]]
    detail_filler: frozenset[str]
    detail_not_asked_after: frozenset[str]
    comparison_cues: tuple[str, ...]
    place_context_before: frozenset[str]
    place_context_after: frozenset[str]
    termination_cues: tuple[str, ...]
    other_date_cues: tuple[str, ...]
    subscriber_words: tuple[str, ...]
    headcount_words: tuple[str, ...]
    waived_words: tuple[str, ...]
    rule_question_cues: tuple[str, ...]
    request_date_cues: tuple[str, ...]
    request_day_questions: tuple[str, ...]
    refusal_before: tuple[str, ...] = ()
    refusal_after: tuple[str, ...] = ()
    refusal_filler: frozenset[str] = frozenset()
    only_before: tuple[str, ...] = ()
    only_after: tuple[str, ...] = ()
    not_covered: dict[str, dict] = field(default_factory=dict)  # subject kind -> subject, handled_as, words
    spanish: dict[str, str] = field(default_factory=dict)  # Spanish phrase -> English gloss
    spanish_months: dict[str, str] = field(default_factory=dict)

    def words(self) -> set[str]:
        """Every word the vocabulary knows, for the spelling dictionary."""
        phrases = [
            *self.shorthand.values(),
            *(p for ps in self.details.values() for p in ps),
            *self.detail_filler,
            *self.comparison_cues,
            *self.termination_cues,
            *self.other_date_cues,
            *self.subscriber_words,
            *self.headcount_words,
            *self.waived_words,
            *self.place_context_after,
            *self.refusal_before,  # "dont give me the csc phone": "dont" is a cue, never a typo of "done"
            *self.refusal_after,
            *self.only_before,
            *self.only_after,
        ]
        words = {word for phrase in phrases for word in phrase.lower().split()}
        # Cues are written as typed ("don't"); the speller sees them without the apostrophe too.
        return {w for word in words for w in (word, word.replace("'", "")) if w.isalpha()}


def load_vocabulary(path: Path | str = DEFAULT_PATH) -> Vocabulary:
    raw = yaml_io.load(Path(path).read_text(encoding="utf-8"))

    def words(key: str) -> tuple[str, ...]:
        return tuple(str(w).lower() for w in raw[key])

    return Vocabulary(
        shorthand={str(k).lower(): str(v) for k, v in raw["shorthand"].items()},
        details={kind: tuple(str(w).lower() for w in ws) for kind, ws in raw["details"].items()},
        detail_filler=frozenset(words("detail_filler")),
        detail_not_asked_after=frozenset(words("detail_not_asked_after")),
        comparison_cues=words("comparison_cues"),
        place_context_before=frozenset(words("place_context_before")),
        place_context_after=frozenset(words("place_context_after")),
        termination_cues=words("termination_cues"),
        other_date_cues=words("other_date_cues"),
        subscriber_words=words("subscriber_words"),
        headcount_words=words("headcount_words"),
        waived_words=words("waived_words"),
        rule_question_cues=words("rule_question_cues"),
        request_date_cues=words("request_date_cues"),
        request_day_questions=words("request_day_questions"),
        refusal_before=words("refusal_before"),
        refusal_after=words("refusal_after"),
        refusal_filler=frozenset(words("refusal_filler")),
        only_before=words("only_before"),
        only_after=words("only_after"),
        not_covered={
            kind: {**entry, "words": tuple(str(w).lower() for w in entry["words"])}
            for kind, entry in (raw.get("not_covered") or {}).items()
        },
        spanish={str(k).lower(): str(v) for k, v in (raw.get("spanish") or {}).items()},
        spanish_months={str(k).lower(): str(v) for k, v in (raw.get("spanish_months") or {}).items()},
    )
