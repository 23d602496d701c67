"""Ratios, targets and the printed side-by-side table for `make bench` (results come from bench.py).

Targets are reported PASS/MISS, never asserted: the machine is shared and timings vary with load.
"""

from __future__ import annotations

# (label, path into one configuration's results); a ratio is project / baseline.
ROWS = [
    ("training wall time (s)", "train.seconds"),
    ("held-out intent accuracy", "nlu.intent_accuracy"),
    ("held-out macro F1", "nlu.macro_f1"),
    ("held-out out-of-scope recall", "nlu.oos_recall"),
    ("held-out msgs with region/date entity", "nlu.messages_with_region_or_date_entity"),
    ("ready: serve.sh start -> Rasa up (s)", "serving.ready_s"),
    ("ready: Rasa process alone (s)", "serving.rasa_ready_s"),
    ("sequential p50 (ms)", "serving.levels.1.p50_ms"),
    ("sequential p95 (ms)", "serving.levels.1.p95_ms"),
    ("sequential p99 (ms)", "serving.levels.1.p99_ms"),
    ("16 concurrent: messages/s", "serving.levels.16.messages_per_s"),
    ("16 concurrent: p50 (ms)", "serving.levels.16.p50_ms"),
    ("16 concurrent: p95 (ms)", "serving.levels.16.p95_ms"),
    ("16 concurrent: p99 (ms)", "serving.levels.16.p99_ms"),
    ("16 concurrent: errors", "serving.levels.16.errors"),
    ("16 concurrent: Rasa server CPU/message (ms)", "serving.levels.16.rasa_cpu_ms_per_message"),
    ("16 concurrent: action server CPU/message (ms)", "serving.levels.16.actions_cpu_ms_per_message"),
    ("answers as expected (all levels)", "serving.answers_as_expected_share"),
    ("Rasa server peak RSS (MB)", "serving.memory.rasa_vmhwm_mb"),
    ("action server peak RSS (MB)", "serving.memory.actions_vmhwm_mb"),
    ("long conversation: turns 1-10 median (ms)", "serving.growth.first_10_median_ms"),
    ("long conversation: turns 191-200 median (ms)", "serving.growth.last_10_median_ms"),
    ("long conversation: turn 1 (ms)", "serving.growth.turn_1_ms"),
    ("long conversation: last turn (ms)", "serving.growth.turn_last_ms"),
    ("long conversation: last/first ratio", "serving.growth.last_over_first"),
    ("CPU share taken by other sessions", "serving.other_cpu_share"),
]


def get(results: dict, path: str):
    for key in path.split("."):
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def ratio(a, b):
    return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def ratios(project: dict, baseline: dict) -> dict:
    return {path: ratio(get(project, path), get(baseline, path)) for _, path in ROWS}


def targets(project: dict, baseline: dict) -> list[dict]:
    p16, b16 = get(project, "serving.levels.16") or {}, get(baseline, "serving.levels.16") or {}
    throughput_ratio = ratio(p16.get("messages_per_s"), b16.get("messages_per_s"))
    f1, base_f1 = get(project, "nlu.macro_f1"), get(baseline, "nlu.macro_f1")
    growth = get(project, "serving.growth.last_over_first")
    checks = [
        (
            "16 concurrent: throughput >= 3x baseline, p95 <= 250 ms, no errors",
            f"{throughput_ratio}x, p95 {p16.get('p95_ms')} ms, {p16.get('errors')} errors",
            throughput_ratio is not None
            and throughput_ratio >= 3
            and (p16.get("p95_ms") or 1e9) <= 250
            and p16.get("errors") == 0,
        ),
        (
            "sequential p95 <= 50 ms",
            get(project, "serving.levels.1.p95_ms"),
            (get(project, "serving.levels.1.p95_ms") or 1e9) <= 50,
        ),
        (
            "held-out macro F1 >= 0.95 and >= 3 points above baseline",
            f"{f1} vs {base_f1}",
            f1 is not None and base_f1 is not None and f1 >= 0.95 and f1 - base_f1 >= 0.03,
        ),
        ("training <= 120 s", get(project, "train.seconds"), (get(project, "train.seconds") or 1e9) <= 120),
        (
            "Rasa server peak RSS <= 1 GB",
            get(project, "serving.memory.rasa_vmhwm_mb"),
            (get(project, "serving.memory.rasa_vmhwm_mb") or 1e9) <= 1024,
        ),
        (
            "ready <= 20 s (serve.sh start -> Rasa up)",
            get(project, "serving.ready_s"),
            (get(project, "serving.ready_s") or 1e9) <= 20,
        ),
        (
            "turn 200 latency within 1.5x of turn 1 (medians of 10)",
            growth,
            growth is not None and growth <= 1.5 and (get(project, "serving.growth.turns") or 0) >= 200,
        ),
    ]
    return [{"target": t, "measured": m, "result": "PASS" if ok else "MISS"} for t, m, ok in checks]


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def table(results: dict) -> str:
    project, baseline, rat = results["project"], results["baseline"], results["ratios"]
    lines = [f"{'':46s} {'project':>10s} {'baseline':>10s} {'ratio':>8s}"]
    for label, path in ROWS:
        lines.append(
            f"{label:46s} {_fmt(get(project, path)):>10s} {_fmt(get(baseline, path)):>10s} {_fmt(rat.get(path)):>8s}"
        )
    lines += [
        "",
        "cost growth (closed loop, no think time)",
        f"{'concurrent':>10s} {'proj msg/s':>11s} {'proj p95':>9s} {'base msg/s':>11s} {'base p95':>9s}",
    ]
    for level in sorted(get(project, "serving.levels") or {}, key=int):
        p, b = get(project, f"serving.levels.{level}"), get(baseline, f"serving.levels.{level}") or {}
        lines.append(
            f"{level:>10s} {_fmt(p['messages_per_s']):>11s} {_fmt(p['p95_ms']):>9s} "
            f"{_fmt(b.get('messages_per_s')):>11s} {_fmt(b.get('p95_ms')):>9s}"
        )
    lines += ["", "targets (project)"]
    lines += [f"  {t['result']}  {t['target']}: {t['measured']}" for t in results["targets"]]
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """The same table as Markdown, for docs/performance.md."""
    project, baseline, rat = results["project"], results["baseline"], results["ratios"]
    lines = ["| measure | project | stock Rasa | project / stock |", "|---|---:|---:|---:|"]
    lines += [
        f"| {label} | {_fmt(get(project, path))} | {_fmt(get(baseline, path))} | {_fmt(rat.get(path))} |"
        for label, path in ROWS
    ]
    lines += [
        "",
        "| concurrent conversations | project msg/s | project p95 (ms) | stock msg/s | stock p95 (ms) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for level in sorted(get(project, "serving.levels") or {}, key=int):
        p, b = get(project, f"serving.levels.{level}"), get(baseline, f"serving.levels.{level}") or {}
        lines.append(
            f"| {level} | {_fmt(p['messages_per_s'])} | {_fmt(p['p95_ms'])} | "
            f"{_fmt(b.get('messages_per_s'))} | {_fmt(b.get('p95_ms'))} |"
        )
    lines += ["", "| target (project) | measured | |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {t['result']} |" for t in results["targets"]]
    cost = results.get("understanding")
    if cost:
        lines += [
            "",
            f"Understanding layer alone, per message ({cost['messages']} real messages): "
            f"p50 {cost['p50_ms']} ms, p95 {cost['p95_ms']} ms, mean {cost['mean_ms']} ms.",
        ]
    return "\n".join(lines)
