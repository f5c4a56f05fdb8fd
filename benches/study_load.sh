#!/usr/bin/env bash
# How long the two PCs of the seeded "Gaussian alpha sweep" (study 2) take to load their data,
# as they report it (`dataset_loading_time`: the wall time of GET …/loadwithids), next to how
# long the server's handler took for each download (until the first bytes went out).
#
#   benches/study_load.sh [BIN_DIR] [RUNS]     # default target/debug, 1 run
#
# Each run: a fresh throwaway database, `causeway up` from BIN_DIR (its causeway-pc is the one
# next to it, causal-learn's from executors/python/.venv: scripts/python-env), the study started,
# awaited, and the figures printed; the server is stopped. NATS prefix and run folders are its own.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug}
RUNS=${2:-1}
PORT=${STUDY_LOAD_PORT:-18431}
DB=${STUDY_LOAD_DB:-causeway_study_load}
BASE=http://127.0.0.1:$PORT
for run in $(seq "$RUNS"); do
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
  work=$(mktemp -d)
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB CAUSEWAY_LISTEN=127.0.0.1:$PORT \
    CAUSEWAY_NATS_PREFIX=study_load CAUSEWAY_WORK_DIR="$work/runs" RUST_LOG=info \
    "$BIN/causeway" up >"$work/up.log" 2>&1 &
  server=$!
  until curl -sf "$BASE/api/datasets" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/up.log"; exit 1; }
    sleep 0.2
  done
  curl -sf -X POST "$BASE/api/study/2/start" >"$work/start.json"
  until curl -s "$BASE/api/study/2" | python3 -c "import json,sys; p=json.load(sys.stdin)['progress']; sys.exit(0 if p['total'] and p['done']+p['error']==p['total'] else 1)"; do
    sleep 0.5
  done
  python3 - "$BASE" "$work/start.json" <<'PY'
import json, statistics, sys, urllib.request
base, jobs = sys.argv[1], json.load(open(sys.argv[2]))["jobs"]
times = {}
for job_id in jobs:
    job = json.load(urllib.request.urlopen(f"{base}/api/job/{job_id}"))
    result = job.get("result") or {}
    executor = (result.get("meta_results") or {}).get("executor", "causal-learn")
    if job["status"] != "done":
        executor = f"{executor} ({job['status']})"
    times.setdefault(executor, []).append(result.get("dataset_loading_time"))
for executor, seconds in sorted(times.items()):
    seconds = sorted(s for s in seconds if s is not None)
    if seconds:
        print(f"{executor:14} loading s: min {seconds[0]:.3f} median {statistics.median(seconds):.3f} max {seconds[-1]:.3f} (n={len(seconds)})")
    else:
        print(f"{executor:14} {len(times[executor])} runs without a result")
PY
  echo "server handler ms: $(sed 's/\x1b\[[0-9;]*m//g' "$work/up.log" | grep 'loadwithids' | grep -o 'duration_ms=[0-9]*' | cut -d= -f2 | tr '\n' ' ')"
  kill "$server"
  wait "$server" || true
  rm -rf "$work"
done
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
