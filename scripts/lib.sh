# Shell helpers of the scripts in this folder (sourced, not run).

# Runs a command as root: directly when we are root, else through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs Debian packages quietly; the package lists are refreshed once per script run.
apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Python environment of the API tools (schemathesis, openapi-python-client) in
# target/api-tools-venv, installed from scripts/api-tools-requirements.txt when that changed.
api_tools_venv() {
  local venv=target/api-tools-venv requirements=scripts/api-tools-requirements.txt
  if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$(sha256sum < "$requirements")" ]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    sha256sum < "$requirements" > "$venv/.installed"
  fi
  API_TOOLS_VENV=$venv
}

# start_throwaway_server NAME LOG [VAR=value …]: `$BIN up` with its own database
# (causeway_NAME_<pid>), NATS prefix and free port, the extra variables in its environment,
# logging to LOG; waits until it answers. Sets SERVER_PID, SERVER_PORT, SERVER_DB and
# DATABASE_URL (exported, so `$BIN token create` reaches the same database).
# stop_throwaway_server (for `trap … EXIT`) stops it and drops the database.
start_throwaway_server() {
  local name=$1 log=$2
  shift 2
  : "${PG_URL:=postgres://postgres@127.0.0.1:5432}"
  SERVER_DB="causeway_${name}_$$"
  SERVER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export DATABASE_URL="$PG_URL/$SERVER_DB"
  env CAUSEWAY_LISTEN="127.0.0.1:$SERVER_PORT" CAUSEWAY_NATS_PREFIX="${name}$$" "$@" "$BIN" up >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$SERVER_PORT/api/auth/config" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server stopped; see $log" >&2; return 1; }
    sleep 0.5
  done
  echo "the server did not answer; see $log" >&2
  return 1
}

stop_throwaway_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$SERVER_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
}
