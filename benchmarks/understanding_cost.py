"""What the understanding layer costs per message, alone: clean-up, candidate questions, the router's
reading, the one reading handed on in the parse data, and the answer side's reading of places, teams
and details (broker_faq; the classifier and
Rasa are measured by the rest of `make bench`). Messages: every turn of the shared dev cases and the
realistic-message sets. Prints one JSON line (p50, p95, mean in ms)."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_faq.knowledge.loader import load_knowledge  # noqa: E402
from broker_faq.knowledge.vocabulary import load_vocabulary  # noqa: E402
from broker_faq.reading import phrases  # noqa: E402
from broker_faq.reading.contact_requests import ContactReader  # noqa: E402
from broker_faq.reading.message import Reader, read_message  # noqa: E402
from broker_faq.reading.not_covered import NotCovered  # noqa: E402
from broker_faq.reading.places import Gazetteer  # noqa: E402

REPEATS = 5
TODAY = dt.date(2026, 12, 2)


def messages() -> list[str]:
    files = [ROOT.parent / "shared" / "eval" / "dev_cases.yml", *sorted((ROOT / "tests" / "realistic").glob("*.yml"))]
    return [turn for f in files if f.exists() for case in yaml.safe_load(f.read_text()) for turn in case["turns"]]


def training_words() -> set[str]:
    text = " ".join(p.read_text() for p in (ROOT / "data" / "nlu").glob("*.yml"))
    return set(re.findall(r"[a-z]+", text.lower()))


def main() -> None:
    knowledge, vocabulary = load_knowledge(), load_vocabulary()
    started = time.perf_counter()
    reader = Reader(knowledge, vocabulary, training_words())
    places = Gazetteer(knowledge, vocabulary)
    build_ms = (time.perf_counter() - started) * 1000
    texts = messages()
    timings = []
    for _ in range(REPEATS):
        for text in texts:
            # The readers keep what they read for the message's other steps: a fresh start for each,
            # so each message is timed as read for the first time.
            Gazetteer._found.cache_clear()
            ContactReader._read.cache_clear()
            phrases._tokens.cache_clear()
            NotCovered._find.cache_clear()
            start = time.perf_counter()
            cleaned = reader.clean(text)
            reader.spans(cleaned)
            read_message(reader, cleaned, TODAY)
            request = reader.contacts.read(cleaned)
            places.find(cleaned, outside=request.team_spans)
            reader.route("nlu_fallback", cleaned, [])
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "messages": len(texts),
                "runs": len(timings),
                "build_ms": round(build_ms, 1),
                "p50_ms": round(statistics.median(timings), 3),
                "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 3),
                "mean_ms": round(statistics.fmean(timings), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
