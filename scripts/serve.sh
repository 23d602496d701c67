#!/usr/bin/env bash
# Start the assistant on localhost and stay in the foreground; Ctrl-C (or TERM) stops everything
# this script started.
#   scripts/serve.sh           action server + Rasa server (REST + socket.io) + web server (broker
#                              widget demo page, agent console)
#   scripts/serve.sh actions | rasa | web     one component only (the fault tests use this)
# Environment: RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080), TRACKER_DB (var/tracker.db),
# SERVE_MODEL (models/kp-broker-faq.tar.gz), SERVE_ENDPOINTS (endpoints.yml; deploy/endpoints.production.yml for
# PostgreSQL + Redis, see the README),
# AGENT_CONSOLE_TOKEN (random if unset), RASA_ENABLE_API=1 with RASA_AUTH_TOKEN to open Rasa's HTTP
# API (off by default).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WHAT=${1:-all}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
# The agent console shows NLU internals: it needs this token. Without one, make a random one.
AGENT_CONSOLE_TOKEN=${AGENT_CONSOLE_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(24))')}
export WEB_PORT AGENT_CONSOLE_TOKEN RASA_URL=http://localhost:$RASA_PORT
# Overridable so `make bench` serves its own models and endpoints exactly this way.
MODEL=${SERVE_MODEL:-models/kp-broker-faq.tar.gz}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-var/tracker.db}
ENDPOINTS=${SERVE_ENDPOINTS:-endpoints.yml}
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

starts() { [ "$WHAT" = all ] || [ "$WHAT" = "$1" ]; }

if starts actions; then
  # SANIC_HOST: rasa_sdk's action server would otherwise listen on every interface.
  SANIC_HOST=127.0.0.1 $BIN/rasa run actions --port "$ACTIONS_PORT" & pids+=($!)
  wait_for "http://localhost:$ACTIONS_PORT/health" "Action server" 60
fi
if starts rasa; then
  # CORS only for the web server's origin, which serves the widget and the console.
  $BIN/rasa run --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints "$ENDPOINTS" --credentials credentials.yml "${api_args[@]}" \
    --cors "http://localhost:$WEB_PORT" "http://127.0.0.1:$WEB_PORT" & pids+=($!)
  wait_for "http://localhost:$RASA_PORT/" "Rasa server" 120
fi
if starts web; then
  $BIN/python -m web.server & pids+=($!)
  wait_for "http://localhost:$WEB_PORT/demo/" "Web server" 30
fi

echo
echo "The assistant is ready (Ctrl-C stops it):"
if starts rasa; then
  echo "  REST channel:      http://localhost:$RASA_PORT/webhooks/rest/webhook  (health: /webhooks/rest/health)"
  echo "  socket.io channel: http://localhost:$RASA_PORT/socket.io"
fi
starts actions && echo "  action server:     http://localhost:$ACTIONS_PORT/webhook"
if starts web; then
  echo "  broker demo page:  http://localhost:$WEB_PORT/demo/"
  echo "  agent console:     http://localhost:$WEB_PORT/console/"
  echo "  console token:     $AGENT_CONSOLE_TOKEN"
fi
wait -n "${pids[@]}"
echo "A server stopped unexpectedly; stopping the rest." >&2
exit 1
