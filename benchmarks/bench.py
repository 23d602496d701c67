"""`make bench`: this project against stock Rasa (benchmarks/baseline_config.yml), one run, one machine.

Trains both on the project's data and domain, scores both on the held-out NLU file, serves both
the way `make run` does (scripts/serve.sh, SQLite tracker store, in-memory lock store) and drives
them from a separate load process (benchmarks/load.py). Prints a side-by-side table with ratios and
targets; writes results/bench/latest.json.

QUICK=1 (`make bench QUICK=1`): fewer messages and levels, the project still trained from scratch,
the baseline reused from results/bench/models if trained on the same data, else trained with
reduced epochs (said in the output and the JSON).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402
from stack import CpuMeter, Stack, free_ports  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "bench"
BIN = ROOT / ".venv" / "bin"
QUICK = os.environ.get("QUICK", "") not in ("", "0")
CONFIGS = {
    "project": ROOT / "config.yml",
    "baseline": ROOT / "benchmarks" / "baseline_config.yml",
}
# Concurrent conversations -> message budget; each level also stops after LEVEL_SECONDS. The
# 16-conversation level, which the targets are about, runs longest: fewer messages swung its p95.
LEVELS = {1: 60, 16: 192} if QUICK else {1: 300, 4: 300, 16: 1600, 64: 960}
LEVEL_SECONDS = 40 if QUICK else 120
GROWTH_TURNS, GROWTH_SECONDS = 200, 60 if QUICK else 180
QUICK_EPOCHS = 1  # baseline epochs when QUICK=1 has no cached baseline to reuse (a fresh clone)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def data_key(config: Path) -> str:
    """What a model depends on: its config, the domain and the training data."""
    digest = hashlib.sha256()
    for path in [config, ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(name: str, config: Path) -> tuple[Path, dict]:
    models = OUT / "models"
    model, meta_file = models / f"{name}.tar.gz", models / f"{name}.json"
    key = data_key(config)
    if QUICK and name == "baseline" and model.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("data_key") == key:
            log(f"{name}: reusing the cached model trained {meta['trained_at']} ({meta['epochs']} epochs)")
            return model, {**meta, "cached": True}
    epochs = "full"
    if QUICK and name == "baseline":
        text = re.sub(r"epochs: 100", f"epochs: {QUICK_EPOCHS}", config.read_text())
        config = OUT / "baseline_quick_config.yml"
        config.write_text(text)
        epochs = f"reduced to {QUICK_EPOCHS}"
        log(
            f"{name}: no cached model for this data; training with epochs REDUCED to {QUICK_EPOCHS} "
            "(scores and speed are not the stock baseline's)"
        )
    log(f"{name}: rasa train --force (from scratch)")
    models.mkdir(parents=True, exist_ok=True)
    meter, start = CpuMeter(), time.monotonic()
    with (OUT / f"train_{name}.log").open("w") as out:
        subprocess.run(
            [
                str(BIN / "rasa"),
                "train",
                "--force",
                "--config",
                str(config),
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(models),
                "--fixed-model-name",
                name,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    meta = {
        "seconds": round(time.monotonic() - start, 1),
        "epochs": epochs,
        "data_key": key,
        "trained_at": dt.datetime.now().isoformat(timespec="seconds"),
        "other_cpu_share": meter.other_share(),
    }
    meta_file.write_text(json.dumps(meta))
    log(f"{name}: trained in {meta['seconds']} s")
    return model, {**meta, "cached": False}


def run_json(args: list[str]) -> dict:
    result = subprocess.run([str(BIN / "python"), *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def load(port: int, tag: str, *extra: str) -> dict:
    return run_json(["benchmarks/load.py", "--port", str(port), "--tag", tag, *extra])


def serve_and_load(name: str, model: Path, rasa_port: int, actions_port: int, run_id: str) -> dict:
    log(f"{name}: starting scripts/serve.sh on ports {rasa_port}/{actions_port}")
    stack = Stack(name, model, rasa_port, actions_port, OUT / name)
    try:
        log(f"{name}: ready in {stack.ready_s} s (Rasa process alone {stack.rasa_ready_s} s)")
        meter = CpuMeter([stack.proc.pid, *stack.pids.values()])
        load(rasa_port, f"{run_id}-warm", "--concurrency", "2", "--messages", "16")  # not counted
        levels = {}
        for concurrency, budget in LEVELS.items():
            cpu_before = stack.cpu_ms()
            levels[str(concurrency)] = result = load(
                rasa_port,
                f"{run_id}-c{concurrency}",
                "--concurrency",
                str(concurrency),
                "--messages",
                str(budget),
                "--seconds",
                str(LEVEL_SECONDS),
            )
            for role, ms in stack.cpu_ms().items():  # load-robust, unlike messages/s
                result[f"{role}_cpu_ms_per_message"] = round((ms - cpu_before[role]) / max(result["messages"], 1), 1)
            log(
                f"{name}: {concurrency:>2} concurrent: {result['messages_per_s']} msg/s, "
                f"p95 {result['p95_ms']} ms, {result['errors']} errors"
            )
        growth = load(rasa_port, f"{run_id}-growth", "--growth", str(GROWTH_TURNS), "--seconds", str(GROWTH_SECONDS))
        log(
            f"{name}: long conversation: turns 1-10 {growth['first_10_median_ms']} ms, last 10 "
            f"{growth['last_10_median_ms']} ms over {growth['turns']} turns"
        )
        checked = sum(r["answers_checked"] for r in levels.values())
        expected = sum(r["answers_as_expected"] for r in levels.values())
        return {
            "ready_s": stack.ready_s,
            "rasa_ready_s": stack.rasa_ready_s,
            "memory": stack.peak_memory_mb(),
            "levels": levels,
            "growth": growth,
            "answers_as_expected_share": round(expected / checked, 3) if checked else None,
            "other_cpu_share": meter.other_share(),
        }
    finally:
        stack.stop()


def machine() -> dict:
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.split("\n")[1].split()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "memory_total": mem[1],
        "cpu": cpu,
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    started, run_id = time.monotonic(), dt.datetime.now().strftime("%Y%m%d%H%M%S")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    results = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if QUICK else "full",
        "git_commit": commit,
        "machine": machine(),
        "notes": [],
    }
    models = {}
    for name, config in CONFIGS.items():
        models[name], results.setdefault(name, {})["train"] = train(name, config)
    # A reused model keeps the held-out scores it got when first scored (saves a model load).
    nlu = {name: results[name]["train"]["nlu"] for name in CONFIGS if "nlu" in results[name]["train"]}
    to_score = [name for name in CONFIGS if name not in nlu]
    log(f"scoring {', '.join(to_score)} on tests/nlu_holdout.yml")
    nlu.update(run_json(["benchmarks/nlu_eval.py", str(OUT / "nlu"), *(f"{name}={models[name]}" for name in to_score)]))
    for name in to_score:
        meta_file = OUT / "models" / f"{name}.json"
        meta_file.write_text(json.dumps({**json.loads(meta_file.read_text()), "nlu": nlu[name]}))
    for name in CONFIGS:
        results[name]["nlu"] = nlu[name]
        results[name]["train"].pop("nlu", None)
        # Free ports, chosen when serving: `make run`, tests or another benchmark may be up.
        rasa_port, actions_port = free_ports(2)
        results[name]["serving"] = serve_and_load(name, models[name], rasa_port, actions_port, f"{run_id}-{name}")
    log("timing the understanding layer alone (benchmarks/understanding_cost.py)")
    results["understanding"] = run_json(["benchmarks/understanding_cost.py"])
    results["ratios"] = report.ratios(results["project"], results["baseline"])
    results["targets"] = report.targets(results["project"], results["baseline"])
    base_train = results["baseline"]["train"]
    if base_train["epochs"] != "full":
        results["notes"].append(f"baseline trained with epochs {base_train['epochs']}: not the stock scores")
    if base_train["cached"]:
        results["notes"].append(f"baseline model and training time reused from {base_train['trained_at']}")
    shares = [results[n]["serving"]["other_cpu_share"] for n in CONFIGS]
    shares += [results[n]["train"]["other_cpu_share"] for n in CONFIGS if not results[n]["train"]["cached"]]
    if max(shares) > 0.1:
        results["notes"].append(
            f"taken under load: other sessions used up to {max(shares):.0%} of the machine's CPU during a phase"
        )
    results["wall_seconds"] = round(time.monotonic() - started, 1)
    (OUT / "latest.json").write_text(json.dumps(results, indent=2))
    (OUT / "latest.md").write_text(report.markdown(results) + "\n")  # for docs/performance.md
    print()
    print(
        f"make bench ({results['mode']}), {results['date']}, commit {commit}, "
        f"{results['machine']['nproc']} cores, {results['machine']['memory_total']} RAM, "
        f"{results['wall_seconds']} s"
    )
    print(report.table(results))
    cost = results["understanding"]
    print(
        f"\nunderstanding layer alone (clean-up, questions, places, teams, routing), per message over "
        f"{cost['messages']} real messages: p50 {cost['p50_ms']} ms, p95 {cost['p95_ms']} ms, mean {cost['mean_ms']} ms"
    )
    for note in results["notes"]:
        print(f"NOTE: {note}")
    print(f"\nwritten: {OUT / 'latest.json'} and latest.md")


if __name__ == "__main__":
    main()
