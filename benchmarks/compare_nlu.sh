#!/usr/bin/env bash
# How config.yml's NLU pipeline was chosen: each candidate (config.yml itself, and every file in
# benchmarks/nlu_candidates/) is scored by 5-fold cross-validation on the training data, which is
# what the choice rests on, then trained on all of it and scored once on the held-out file, which is
# only reported (choosing by it would make it optimistic). Prints training seconds, cross-validated
# and held-out macro F1. Rasa's default pipeline is not here: `make bench` trains and scores it.
#   benchmarks/compare_nlu.sh [candidate ...]      (default: chosen + all; "chosen" is config.yml)
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
out=results/nlu_candidates
mkdir -p "$out"
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(chosen $(ls benchmarks/nlu_candidates | sed 's/\.yml$//'))
for name in "${names[@]}"; do
  config=benchmarks/nlu_candidates/$name.yml; [ "$name" = chosen ] && config=config.yml
  .venv/bin/rasa test nlu --nlu data/nlu --config "$config" --cross-validation --folds 5 \
    --out "$out/$name/cv" --no-plot >"$out/$name.cv.log" 2>&1
  start=$EPOCHREALTIME
  .venv/bin/rasa train nlu --config "$config" --out "$out/$name" --fixed-model-name "$name" >"$out/$name.train.log" 2>&1
  seconds=$(python3 -c "print($EPOCHREALTIME - $start)")
  .venv/bin/rasa test nlu --nlu tests/nlu_holdout.yml --model "$out/$name/$name.tar.gz" \
    --out "$out/$name/report" --no-plot >"$out/$name.test.log" 2>&1
  .venv/bin/python - "$name" "$seconds" "$out/$name" <<'PY'
import json, sys
name, seconds, folder = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cv, held_out = (json.load(open(f"{folder}/{part}/intent_report.json")) for part in ("cv", "report"))
print(f"{name:12s} train {seconds:6.1f} s   5-fold CV macro F1 {cv['macro avg']['f1-score']:.3f}   "
      f"held-out accuracy {held_out['accuracy']:.3f}   macro F1 {held_out['macro avg']['f1-score']:.3f}")
PY
done
