#!/usr/bin/env bash
# Start the assistant on localhost and stay in the foreground; Ctrl-C (or TERM) stops everything
# this script started.
#   scripts/serve.sh           action server + Rasa server (REST + socket.io) + web server (broker
#                              widget demo page, agent console)
#   scripts/serve.sh actions | rasa | web     one component only (the fault tests use this)
# Environment: RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080), TRACKER_DB (var/tracker.db),
# SERVE_MODEL (models/kp-broker-faq.tar.gz), SERVE_ENDPOINTS (endpoints.yml; deploy/endpoints.production.yml for
# PostgreSQL + Redis, see docs/deployment.md), SERVE_CREDENTIALS (credentials.yml: the channels the Rasa server opens),
# CONSOLE_ACCOUNTS (var/agents.json: the agent console's accounts; with none, the web server's start makes
# a first one, `agent`, and shows its password), RASA_ENABLE_API=1 with RASA_AUTH_TOKEN to open Rasa's HTTP
# API (off by default), SERVE_LOG_DIR (var/log when everything starts; `-` for this script's output),
# PORTAL_TOKEN_SECRET / PORTAL_TOKEN_PUBLIC_KEY, PORTAL_TOKEN_ISSUER, PORTAL_TOKEN_AUDIENCE (the portal's
# signed context, docs/portal-context.md; a random demo secret when everything starts without one),
# CONSOLE_SESSIONS_DB / CONSOLE_SESSIONS_REDIS_URL (where the console's sessions are kept, docs/web.md).
set -uo pipefail
cd "$(dirname "$0")/.."
# Conversations (the tracker store) and the servers' logs are for the service account alone: whatever
# this script and its servers create is 0600 (folders 0700).
umask 077
BIN=.venv/bin
WHAT=${1:-all}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
export WEB_PORT RASA_URL=http://localhost:$RASA_PORT
# Overridable so `make bench` serves its own models and endpoints exactly this way.
MODEL=${SERVE_MODEL:-models/kp-broker-faq.tar.gz}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-var/tracker.db}
# The demo portal's signed context (docs/portal-context.md): with everything started and no portal key
# configured, a random shared secret for this run only, never written down, so the demo page
# (web/demo_portal.py) signs its broker's groups and the Rasa server verifies them.
if [ "$WHAT" = all ] && [ -z "${PORTAL_TOKEN_SECRET:-}${PORTAL_TOKEN_PUBLIC_KEY:-}" ]; then
  PORTAL_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export PORTAL_TOKEN_SECRET PORTAL_TOKEN_ISSUER=${PORTAL_TOKEN_ISSUER:-http://localhost:$WEB_PORT/demo/}
fi
ENDPOINTS=${SERVE_ENDPOINTS:-endpoints.yml}
CREDENTIALS=${SERVE_CREDENTIALS:-credentials.yml}
mkdir -p "$(dirname "$TRACKER_DB")"
private() {  # files an earlier version left readable to others: closed too
  local file
  for file in "$@"; do [ -e "$file" ] && chmod go-rwx "$file"; done
  return 0
}
private "$TRACKER_DB" "$TRACKER_DB-wal" "$TRACKER_DB-shm" "$TRACKER_DB-journal"

api_args=()
if [ "${RASA_ENABLE_API:-0}" = 1 ]; then
  [ -n "${RASA_AUTH_TOKEN:-}" ] || { echo "RASA_ENABLE_API=1 needs RASA_AUTH_TOKEN: the HTTP API is never open without a token" >&2; exit 2; }
  api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi

# Where the servers' output goes. Everything started (`make run`): one log file per server in
# SERVE_LOG_DIR (var/log; the previous run's kept as NAME.log.1), and the terminal gets only the
# addresses, how to sign in to the console and the servers' ERROR lines (Rasa's dependencies print screens of
# deprecation warnings at start-up). One component alone: this script's own output, as before (the
# tests start components one at a time, each into a log file of their own).
if [ "$WHAT" = all ]; then LOG_DIR=${SERVE_LOG_DIR:-var/log}; else LOG_DIR=${SERVE_LOG_DIR:--}; fi
[ "$LOG_DIR" = - ] || { mkdir -p "$LOG_DIR" && private "$LOG_DIR" "$LOG_DIR"/*.log "$LOG_DIR"/*.log.1; }

pids=() logs=()
declare -A name_of log_of
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null  # not the ERROR-line followers: they end when this script does
  echo "Stopped the assistant."
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

launch() {  # name, command...: start it in the background, its output in its log (or ours)
  local name=$1; shift
  if [ "$LOG_DIR" = - ]; then
    "$@" &
    pids+=($!); name_of[$!]=$name
    return
  fi
  local log=$LOG_DIR/$name.log
  [ -f "$log" ] && mv -f "$log" "$log.1"
  log_of[$name]=$log
  logs+=("$log")
  "$@" >"$log" 2>&1 &
  pids+=($!); name_of[$!]=$name
  # Its ERROR lines on the terminal while it runs (tail ends by itself once this script has).
  tail -n +1 -F --pid=$$ "$log" 2>/dev/null \
    | grep --line-buffered -E '^[0-9-]+ [0-9:,.]+ +(ERROR|CRITICAL) ' \
    | sed -u "s|^|[$name] |" &
}

failed() {  # message: say what failed, with the end of each stopped server's log, and stop
  echo "$1" >&2
  for pid in "${pids[@]}"; do
    local name=${name_of[$pid]} log=${log_of[${name_of[$pid]}]:-}
    if [ -n "$log" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "--- the end of $log ($name stopped):" >&2
      tail -n 25 "$log" >&2
    fi
  done
  exit 1
}

wait_for() {  # url, what, seconds
  for _ in $(seq "$3"); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || failed "${name_of[$pid]} exited during start-up"
    done
    sleep 1
  done
  failed "$2 did not become ready at $1${log_of[$4]:+ (its output: ${log_of[$4]})}"
}

starts() { [ "$WHAT" = all ] || [ "$WHAT" = "$1" ]; }

# The agent console has named accounts (make agent-add NAME). On a fresh clone the web server's start
# makes the first, `agent`, with a random password, shown once. That password goes to a terminal only,
# never into a file: not into the logs, and not into this script's output when that is redirected to a
# file or a pipe (then it is written to the controlling terminal, if there is one, and otherwise not at
# all: `make agent-reset agent` shows a new one).
FIRST_PASSWORD=
show_sign_in() {
  if [ -z "$FIRST_PASSWORD" ]; then
    echo "  console sign-in:   your agent account (make agent-add NAME adds one, make agent-reset NAME gives a new password)"
    return
  fi
  local line="  console sign-in:   name agent, password $FIRST_PASSWORD  (the first account; make agent-add NAME for each agent)"
  if [ -t 1 ]; then
    echo "$line"
  elif { echo "$line" >/dev/tty; } 2>/dev/null; then
    echo "  console sign-in:   name agent; its password was written to the terminal only"
  else
    echo "  console sign-in:   name agent; its password is not shown (no terminal): make agent-reset agent shows a new one"
  fi
}

[ "$LOG_DIR" = - ] || echo "Starting the assistant; each server's output goes to $LOG_DIR/ (actions.log, rasa.log, web.log)"
if starts actions; then
  # SANIC_HOST: rasa_sdk's action server would otherwise listen on every interface.
  launch actions env SANIC_HOST=127.0.0.1 $BIN/rasa run actions --port "$ACTIONS_PORT"
  wait_for "http://localhost:$ACTIONS_PORT/health" "Action server" 60 actions
fi
if starts rasa; then
  # CORS only for the web server's origin, which serves the widget and the console.
  launch rasa $BIN/rasa run --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" "${api_args[@]}" \
    --cors "http://localhost:$WEB_PORT" "http://127.0.0.1:$WEB_PORT"
  wait_for "http://localhost:$RASA_PORT/" "Rasa server" 120 rasa
fi
if starts web; then
  # The first agent account, when there is none yet (its password kept in this variable, never a file).
  FIRST_PASSWORD=$($BIN/python -m ops.agents first-account) || failed "could not create the first agent account"
  launch web $BIN/python -m web.server
  wait_for "http://localhost:$WEB_PORT/demo/" "Web server" 30 web
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
  show_sign_in
fi
if [ "$LOG_DIR" != - ]; then
  echo "  logs:              ${logs[*]}  (their ERROR lines are shown here)"
fi
wait -n "${pids[@]}"
failed "A server stopped unexpectedly; stopping the rest."
