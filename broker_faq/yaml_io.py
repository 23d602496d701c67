"""YAML read and written with libyaml, the C parser and emitter PyYAML's wheel ships (CSafeLoader,
CSafeDumper): the same safe types and the same yaml.YAMLError on a malformed file as yaml.safe_load, at
about a fourteenth of the time (the knowledge files: ~165 ms with the pure-Python loader, ~12 ms with
libyaml, on this 2-core machine). The knowledge is read again whenever an operator edits it
(broker_faq/knowledge/runtime.py), and `make unit` read YAML some 220 times, a quarter of its time.
PyYAML built without libyaml falls back to its pure-Python classes."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """What yaml.safe_load(text) gives."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader, libyaml's


def dump(data: Any, **options: Any) -> str:
    """What yaml.safe_dump(data, **options) gives, as text."""
    return yaml.dump(data, Dumper=_DUMPER, **options)
