#!/usr/bin/env bash
# Start the assistant on localhost and stay in the foreground; Ctrl-C (or TERM) stops everything
# this script started.
#   scripts/serve.sh           action server + Rasa server (REST + socket.io channels)
#   scripts/serve.sh actions   only the action server      scripts/serve.sh rasa   only the Rasa server
# Environment: RASA_PORT (5005), ACTIONS_PORT (5055), TRACKER_DB (var/tracker.db),
# RASA_ENABLE_API=1 with RASA_AUTH_TOKEN to open Rasa's HTTP API (off by default).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WHAT=${1:-all}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-var/tracker.db}
mkdir -p "$(dirname "$TRACKER_DB")"

api_args=()
if [ "${RASA_ENABLE_API:-0}" = 1 ]; then
  [ -n "${RASA_AUTH_TOKEN:-}" ] || { echo "RASA_ENABLE_API=1 needs RASA_AUTH_TOKEN: the HTTP API is never open without a token" >&2; exit 2; }
  api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi

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

if [ "$WHAT" != rasa ]; then
  # SANIC_HOST: rasa_sdk's action server would otherwise listen on every interface.
  SANIC_HOST=127.0.0.1 $BIN/rasa run actions --port "$ACTIONS_PORT" & pids+=($!)
  wait_for "http://localhost:$ACTIONS_PORT/health" "Action server" 60
fi
if [ "$WHAT" != actions ]; then
  $BIN/rasa run --model models/kp-broker-faq.tar.gz --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints endpoints.yml --credentials credentials.yml "${api_args[@]}" & pids+=($!)
  wait_for "http://localhost:$RASA_PORT/" "Rasa server" 120
fi

echo
echo "The assistant is ready (Ctrl-C stops it):"
[ "$WHAT" = actions ] || echo "  REST channel:      http://localhost:$RASA_PORT/webhooks/rest/webhook  (health: /webhooks/rest/health)"
[ "$WHAT" = actions ] || echo "  socket.io channel: http://localhost:$RASA_PORT/socket.io"
[ "$WHAT" = rasa ] || echo "  action server:     http://localhost:$ACTIONS_PORT/webhook"
wait -n "${pids[@]}"
echo "A server stopped unexpectedly; stopping the rest." >&2
exit 1
