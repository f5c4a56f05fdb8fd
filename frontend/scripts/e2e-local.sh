#!/usr/bin/env bash
# Builds the UI, starts throwaway `causeway up` servers that serve it (each with its own database
# and NATS prefix, on a free port: one with authentication off, one in token mode), runs the
# end-to-end tests against them, then stops the servers and drops their databases. Needs PostgreSQL and NATS running (scripts/services at the repository root) and
# Debian's Chromium (apt-get install -y chromium).
#
#   CAUSEWAY_BIN   the server binary (default ../target/debug/causeway)
#   PG_URL         PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   E2E_KEEP=1     keep the databases (and what the tests created) for a look afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${CAUSEWAY_BIN:-../target/debug/causeway}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

[ -x "$BIN" ] || { echo "no server binary at $BIN (build it, or set CAUSEWAY_BIN)" >&2; exit 1; }
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM: apt-get install -y chromium" >&2; exit 1; }
[ -d node_modules ] || npm ci
npm run build

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
mkdir -p test-results
SERVERS=()
DATABASES=()

# start_server NAME PORT [VAR=value …]: a throwaway `causeway up` with its own database and
# NATS prefix, logging to test-results/NAME.log; waits until it answers.
start_server() {
  local name=$1 port=$2 db="causeway_ui_e2e_${1}_$$"
  shift 2
  DATABASES+=("$db")
  # The executors (and causal-learn's environment, executors/python/.venv) are the repository's:
  # the default, `executors`, is relative to this directory.
  env DATABASE_URL="$PG_URL/$db" CAUSEWAY_LISTEN="127.0.0.1:$port" CAUSEWAY_NATS_PREFIX="uie2e${name}$$" \
    CAUSEWAY_FRONTEND_DIR="$PWD/dist" CAUSEWAY_EXECUTORS_DIR="$(cd .. && pwd)/executors" "$@" "$BIN" up >"test-results/$name.log" 2>&1 &
  local pid=$!
  SERVERS+=("$pid")
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/api/auth/config" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the $name server stopped; see test-results/$name.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the $name server did not answer; see test-results/$name.log" >&2
  exit 1
}

cleanup() {
  for pid in "${SERVERS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -z "${E2E_KEEP:-}" ] && command -v psql >/dev/null; then
    for db in "${DATABASES[@]}"; do
      psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
}
trap cleanup EXIT

# Authentication off (MPCSL's behaviour): every test but the token-mode file.
PORT=$(free_port)
start_server open "$PORT"
CAUSEWAY_E2E_URL="http://127.0.0.1:$PORT" npm run e2e

# Token mode: the login, a viewer's view, the API tokens page (e2e/auth.e2e.ts).
AUTH_PORT=$(free_port)
start_server token "$AUTH_PORT" CAUSEWAY_AUTH=token
token() { DATABASE_URL="$PG_URL/causeway_ui_e2e_token_$$" "$BIN" token create --name "$1" --role "$2" 2>/dev/null; }
CAUSEWAY_E2E_URL="http://127.0.0.1:$AUTH_PORT" E2E_VIEWER_TOKEN=$(token e2e-viewer viewer) \
  E2E_VIEWER_NAME=e2e-viewer E2E_ADMIN_TOKEN=$(token e2e-admin admin) \
  npx vitest run --config vitest.e2e.config.ts e2e/auth.e2e.ts
