"""Running every case, the capability x outcome table, and test-output/behaviour.json."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.behaviour.cases import DIR, INV, Case
from tests.behaviour.grading import OUTCOMES, RIGHT, SEVERITY, WRONG, Grade, Grader
from tests.behaviour.harness import Harness, Said
from tests.behaviour.world import ROOT

OUTPUT = ROOT / "test-output" / "behaviour.json"
MIN_RIGHT = 95.0  # % right a capability needs; and no case may be WRONG
TABLE: list[str] = []  # the table of the last run, for the terminal summary (conftest.py)


@dataclass
class Row:
    capability: str
    kind: str
    counts: Counter = field(default_factory=Counter)
    changed: int = 0  # INV: twins whose contacts, decision or date differ from the plain message's

    @property
    def cases(self) -> int:
        return sum(self.counts.values())

    @property
    def pct_right(self) -> float:
        return 100.0 * self.counts[RIGHT] / self.cases if self.cases else 0.0

    @property
    def passes(self) -> bool:
        return self.pct_right >= MIN_RIGHT and self.counts[WRONG] == 0


@dataclass
class Results:
    rows: dict[str, Row]
    failures: list[dict]
    seconds: float
    messages: int
    training_overlap: int | None = None


def evaluate(cases: list[Case], harness: Harness, grader: Grader) -> Results:
    started = time.monotonic()
    harness.parse_all([t for c in cases for run in c.runs for t in run.turns])
    conversations: dict[tuple[str, ...], list[Said]] = {}
    rows: dict[str, Row] = {}
    failures: list[dict] = []
    for case in cases:
        row = rows.setdefault(case.capability, Row(case.capability, case.kind))
        grades: list[Grade] = []
        for run in case.runs:
            if run.turns not in conversations:
                conversations[run.turns] = harness.talk(run.turns)
            grades.append(grader.grade(conversations[run.turns][-1], run.expect, "\n".join(run.turns)))
        if case.kind == INV:
            grade = grades[-1]
            row.changed += grades[0].signature != grades[-1].signature
        elif case.kind == DIR:
            grade = max(grades, key=lambda g: SEVERITY[g.outcome])
        else:
            grade = grades[0]
        row.counts[grade.outcome] += 1
        if grade.outcome != RIGHT:
            failures.append(_failure(case, grade, grades, conversations))
    return Results(rows, failures, time.monotonic() - started, len(conversations))


def _failure(case: Case, grade: Grade, grades: list[Grade], conversations: dict) -> dict:
    runs = []
    for run, g in zip(case.runs, grades, strict=True):
        replies = conversations[run.turns]
        runs.append(
            {
                "turns": list(run.turns),
                "expected": run.expect.describe(),
                "outcome": g.outcome,
                "note": g.note,
                "replies": [r.text for r in replies],
                "buttons": [title for title, _ in replies[-1].buttons],
                "intent": replies[-1].intent,
            }
        )
    return {
        "capability": case.capability,
        "kind": case.kind,
        "outcome": grade.outcome,
        "note": grade.note,
        "runs": runs,
    }


def table(results: Results) -> list[str]:
    head = (
        f"{'capability':<50} {'cases':>6} " + " ".join(f"{o:>10}" for o in OUTCOMES) + f" {'% right':>8} {'changed':>8}"
    )
    lines = [head, "-" * len(head)]
    for row in results.rows.values():
        changed = str(row.changed) if row.kind == INV else ""
        mark = "" if row.passes else "  FAIL"
        lines.append(
            f"{row.capability:<50} {row.cases:>6} "
            + " ".join(f"{row.counts[o]:>10}" for o in OUTCOMES)
            + f" {row.pct_right:>7.1f}% {changed:>8}{mark}"
        )
    total = Counter()
    for row in results.rows.values():
        total.update(row.counts)
    n = sum(total.values())
    lines.append("-" * len(head))
    lines.append(
        f"{'all':<50} {n:>6} "
        + " ".join(f"{total[o]:>10}" for o in OUTCOMES)
        + f" {100.0 * total[RIGHT] / n if n else 0:>7.1f}%"
    )
    overlap = (
        f"; generated messages found verbatim in the training data: {results.training_overlap}"
        if results.training_overlap is not None
        else ""
    )
    lines.append(
        f"{results.messages} conversations in {results.seconds:.1f} s{overlap}. A capability passes with at least "
        f"{MIN_RIGHT:.0f}% right and no WRONG. Failing cases: {OUTPUT.relative_to(ROOT)}"
    )
    return lines


def write(results: Results) -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "capability": row.capability,
            "kind": row.kind,
            "cases": row.cases,
            **{outcome: row.counts[outcome] for outcome in OUTCOMES},
            "pct_right": round(row.pct_right, 1),
            **({"changed_vs_plain": row.changed} if row.kind == INV else {}),
            "passes": row.passes,
        }
        for row in results.rows.values()
    ]
    OUTPUT.write_text(
        json.dumps(
            {
                "seconds": round(results.seconds, 1),
                "conversations": results.messages,
                "training_overlap": results.training_overlap,
                "min_right_pct": MIN_RIGHT,
                "table": rows,
                "failures": results.failures,
            },
            indent=1,
        )
    )


def training_overlap(cases: list[Case]) -> int | None:
    """How many generated messages are, word for word, a training example: the templates are meant to be
    written independently of the training data, and this counts where they are not."""
    try:
        from rasa.shared.nlu.training_data.loading import load_data
    except ImportError:
        return None
    examples = {
        " ".join((e.get("text") or "").lower().split()) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples
    }
    said = {" ".join(t.lower().split()) for c in cases for run in c.runs for t in run.turns}
    return len(said & examples)
