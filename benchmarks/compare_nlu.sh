#!/usr/bin/env bash
# Train each candidate NLU pipeline in benchmarks/nlu_candidates/ on data/ and score it on the
# held-out file: training seconds, intent accuracy, macro F1. How config.yml's pipeline was chosen.
#   benchmarks/compare_nlu.sh [candidate ...]      (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
out=results/nlu_candidates
mkdir -p "$out"
names=("$@"); [ ${#names[@]} -gt 0 ] || names=($(ls benchmarks/nlu_candidates | sed 's/\.yml$//'))
for name in "${names[@]}"; do
  start=$EPOCHREALTIME
  .venv/bin/rasa train nlu --config "benchmarks/nlu_candidates/$name.yml" --out "$out/$name" \
    --fixed-model-name "$name" >"$out/$name.train.log" 2>&1
  seconds=$(python3 -c "print($EPOCHREALTIME - $start)")
  .venv/bin/rasa test nlu --nlu tests/nlu_holdout.yml --model "$out/$name/$name.tar.gz" \
    --out "$out/$name/report" >"$out/$name.test.log" 2>&1
  .venv/bin/python - "$name" "$seconds" "$out/$name/report/intent_report.json" <<'PY'
import json, sys
name, seconds, report = sys.argv[1], float(sys.argv[2]), json.load(open(sys.argv[3]))
print(f"{name:14s} train {seconds:6.1f} s   accuracy {report['accuracy']:.3f}   "
      f"macro F1 {report['macro avg']['f1-score']:.3f}")
PY
done
