#!/usr/bin/env bash
# Every test: domain logic and actions (tests/unit), the Rasa project (data validation, test
# stories, held-out NLU), and the live assistant against the shared answer checks (tests/live).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
[ -d ../shared/seeds ] || { echo "../shared (seeds and eval) must sit beside this checkout" >&2; exit 1; }
exec .venv/bin/python -m pytest --hypothesis-profile=full "$@"  # every example (tests/properties.py)
