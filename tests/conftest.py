"""Shared fixtures: the real knowledge file, and a conversation driver over the domain logic."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import re
import sys
from pathlib import Path

import pytest

from broker_faq.assistant import Assistant
from broker_faq.conversation import Mention, Reply, Segment, State, Turn
from broker_faq.knowledge.loader import load_knowledge
from broker_faq.knowledge.vocabulary import load_vocabulary
from broker_faq.privacy import PiiMasker
from broker_faq.reading.segments import question_spans
from tests.properties import register_profiles

# jax is imported by TensorFlow's TFLite converter whenever it is installed (TensorFlow 2.12 depends on it),
# to convert JAX models; nothing in the project converts a model, and Rasa and spaCy import TensorFlow in
# every test process (the test modules, after this file): kept out, 1.4 s of each process's start (make
# unit's two workers, make test). To TensorFlow it is as if jax were not installed (its import raises
# ImportError, which it catches).
sys.modules.setdefault("jax", None)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture(scope="session")
def vocabulary():
    return load_vocabulary()


@pytest.fixture(scope="session")
def masker(knowledge, vocabulary):
    """The personal-data masker as the channels build it (broker_faq/privacy.py)."""
    return PiiMasker.for_knowledge(knowledge, vocabulary)


@pytest.fixture(scope="session")
def assistant(knowledge):
    return Assistant(knowledge)


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline, built fresh from the knowledge file (as `make` does)."""
    from spacy_pipeline.build import build

    return build(load_knowledge())


class Conversation:
    """Talk to the domain logic the way the action does: NLU entities in, reply and state out."""

    def __init__(self, assistant: Assistant, nlp, today: dt.date = TODAY):
        self.assistant, self.nlp, self.today = assistant, nlp, today
        self.state = State()

    def say(self, intent: str, text: str, parts: tuple[str, ...] = ()) -> Reply:
        """One turn as the NLU hands it over; `parts` are the intents of the candidate questions
        (broker_faq/reading/segments.py), as the classifier would give them."""
        mentions = tuple(Mention(e.label_, e.text, e.start_char) for e in self.nlp(text).ents)
        spans = question_spans(text) if parts else []
        assert len(spans) == len(parts), [text[s.start : s.end] for s in spans]
        segments = tuple(Segment(s.start, s.end, s.asks, part, 1.0) for s, part in zip(spans, parts, strict=True))
        reply = self.assistant.respond(Turn(intent, text, mentions, self.state, self.today, segments))
        self.state = reply.state
        return reply

    @staticmethod
    def clean(text: str) -> str:
        """The message as the NLU's first step leaves it (numbers in words as digits, typos fixed)."""
        return _reader().clean(text)


@functools.cache
def _reader():
    from broker_faq.reading.message import Reader

    return Reader(load_knowledge(), load_vocabulary())


@pytest.fixture
def chat(assistant, nlp):
    return Conversation(assistant, nlp)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own, which loads the profile --hypothesis-profile names
def pytest_configure():
    register_profiles()  # `full`, and `unit` for make unit (tests/properties.py)
    gc.disable()  # while the test modules are imported: see pytest_collection_finish


@pytest.hookimpl(trylast=True)
def pytest_collection_finish():
    """What the test modules' imports left (some 860,000 objects: Rasa's, TensorFlow's, spaCy's modules)
    kept out of full garbage collections, as the Rasa server keeps what its model left
    (rasa_server/hooks.py), and no collection while they are imported, the heap only growing: each of the
    ~25 full collections of `make unit` walked them all again, 7.5 s of its time, and pytest's five at the
    end of the session ~2 s more. Frozen without the server's collection first: it walked them all once
    more (0.5 s) to free some 8,000 objects the imports left unreachable, which stay. The tests run with
    the collector on, as the servers do."""
    gc.freeze()
    gc.enable()


# Figures measured by the tests (held-out NLU scores, answer-check pass rate), printed at the end. Each
# travels as a property of its test's report, so the figures measured in make unit's worker processes
# (pytest-xdist sends the reports, not the workers' memory) reach the process that prints.
FIGURES: dict[str, object] = {}
FIGURE = "figure: "


@pytest.fixture
def record_figure(record_property):
    return lambda name, value: record_property(FIGURE + name, value)


def pytest_runtest_logreport(report):
    for key, value in report.user_properties:
        if key.startswith(FIGURE):
            FIGURES[key.removeprefix(FIGURE)] = value


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("measured figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


# The slow tiers by folder (markers registered in pytest.ini), so `-m "not live and not browser"` selects.
TIERS = ("rasa", "live", "browser", "scale")


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection runs
def pytest_collection_modifyitems(items):
    tests = Path(__file__).resolve().parent
    for item in items:
        path = item.path.resolve()
        if path.is_relative_to(tests) and path.relative_to(tests).parts[0] in TIERS:
            item.add_marker(path.relative_to(tests).parts[0])
