#!/usr/bin/env bash
# Start the action server and the Rasa server (REST + socket.io channels) on localhost and stay in
# the foreground; Ctrl-C (or TERM) stops everything this script started.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
# Overridable so `make bench` serves its own models and tracker databases exactly this way.
MODEL=${SERVE_MODEL:-models/kp-broker-faq.tar.gz}
ENDPOINTS=${SERVE_ENDPOINTS:-endpoints.yml}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
mkdir -p var

pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  echo "Stopped the assistant."
}
trap stop INT TERM EXIT

wait_for() {  # url, what, seconds
  for _ in $(seq "$3"); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "$2 exited during start-up" >&2; exit 1; }; done
    sleep 1
  done
  echo "$2 did not become ready at $1" >&2; exit 1
}

$BIN/rasa run actions --port "$ACTIONS_PORT" & pids+=($!)
wait_for "http://localhost:$ACTIONS_PORT/health" "Action server" 60
$BIN/rasa run --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
  --endpoints "$ENDPOINTS" --credentials credentials.yml & pids+=($!)
wait_for "http://localhost:$RASA_PORT/" "Rasa server" 120

echo
echo "The assistant is ready (Ctrl-C stops it):"
echo "  REST channel:      http://localhost:$RASA_PORT/webhooks/rest/webhook"
echo "  socket.io channel: http://localhost:$RASA_PORT/socket.io"
echo "  action server:     http://localhost:$ACTIONS_PORT/webhook"
wait -n "${pids[@]}"
echo "A server stopped unexpectedly; stopping the rest." >&2
exit 1
