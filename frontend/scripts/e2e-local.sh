#!/usr/bin/env bash
# Builds the UI, starts a throwaway `causeway up` that serves it (its own database and NATS
# prefix, on a free port), runs the end-to-end tests against it, then stops the server and drops
# the database. Needs PostgreSQL and NATS running (scripts/services at the repository root) and
# Debian's Chromium (apt-get install -y chromium).
#
#   CAUSEWAY_BIN   the server binary (default ../target/debug/causeway)
#   PG_URL         PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   E2E_KEEP=1     keep the database (and what the tests created) for a look afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${CAUSEWAY_BIN:-../target/debug/causeway}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=causeway_ui_e2e_$$
PREFIX=uie2e$$
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

[ -x "$BIN" ] || { echo "no server binary at $BIN (build it, or set CAUSEWAY_BIN)" >&2; exit 1; }
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM: apt-get install -y chromium" >&2; exit 1; }
[ -d node_modules ] || npm ci
npm run build

PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mkdir -p test-results
DATABASE_URL="$PG_URL/$DB" CAUSEWAY_LISTEN="127.0.0.1:$PORT" CAUSEWAY_NATS_PREFIX="$PREFIX" \
  CAUSEWAY_FRONTEND_DIR="$PWD/dist" "$BIN" up >test-results/server.log 2>&1 &
SERVER=$!

cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  if [ -z "${E2E_KEEP:-}" ] && command -v psql >/dev/null; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/api/datasets" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server stopped; see test-results/server.log" >&2; exit 1; }
  sleep 0.5
done

CAUSEWAY_E2E_URL="http://127.0.0.1:$PORT" npm run e2e
