"""A test's own copy of the knowledge directory (knowledge/: topics.yml and one file per source
document), edited as an operator would edit it, optionally with the test-only third region beside
the real two (tests/fixtures/knowledge/, never shipped)."""

from __future__ import annotations

import copy
import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from broker_faq import yaml_io
from broker_faq.knowledge.loader import DEFAULT_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "knowledge"
THIRD_REGION = FIXTURES / "colorado.yml"  # a fictitious sheet: numbers in 555-01xx, never a real team


def copied(
    tmp_path: Path, change: Callable[[dict[str, dict]], None] | None = None, *, extra: tuple[Path, ...] = ()
) -> Path:
    """tmp_path/knowledge: the project's knowledge files plus `extra`; `change` edits them as parsed
    YAML by file name ({"california.yml": {...}, "topics.yml": {...}})."""
    target = tmp_path / "knowledge"
    target.mkdir(parents=True, exist_ok=True)
    for file in (*sorted(DEFAULT_DIR.glob("*.yml")), *extra):
        shutil.copy(file, target / file.name)
    if change is not None:
        texts = {f.name: f.read_text(encoding="utf-8") for f in target.glob("*.yml")}
        files = {name: copy.deepcopy(_parsed(text)) for name, text in texts.items()}
        change(files)
        for name, raw in files.items():
            if name not in texts or raw != _parsed(texts[name]):  # the files `change` edited: the others stay
                (target / name).write_text(yaml_io.dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


@functools.cache
def _parsed(text: str) -> Any:
    """A knowledge file's text parsed once per session (copied() edits a deep copy): parsing and writing every
    file again for each edit was ~60 ms a test."""
    return yaml_io.load(text)


def with_third_region(tmp_path: Path) -> Path:
    return copied(tmp_path, extra=(THIRD_REGION,))
