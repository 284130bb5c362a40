#!/usr/bin/env bash
# Sourced by scripts/test.sh: makes sure a PostgreSQL answers for the tests and
# exports HUODONG_TEST_PG_URL. Uses the one at 127.0.0.1:5432 when it answers;
# otherwise starts a throwaway server from the installed PostgreSQL binaries
# (stopped and deleted on exit); otherwise fails with a clear message.

pg_answers() {
  local url="$1"
  if command -v psql >/dev/null; then
    psql "$url" -tAc 'SELECT 1' >/dev/null 2>&1
  else
    local hostport="${url#*@}"; hostport="${hostport%%/*}"
    (exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}") 2>/dev/null
  fi
}

ensure_postgres() {
  local url="${HUODONG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
  if pg_answers "$url"; then
    export HUODONG_TEST_PG_URL="$url"
    log "PostgreSQL answers at $url"
    return 0
  fi
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "error: no PostgreSQL answers at $url and no PostgreSQL binaries are installed." >&2
    echo "       Install them (apt-get install postgresql) or set HUODONG_TEST_PG_URL." >&2
    return 1
  fi
  local port=54329
  PG_TMP="$(mktemp -d)"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_TMP"
    as=(runuser -u postgres --)
  fi
  log "no PostgreSQL at $url: starting a throwaway one on port $port from $bindir"
  "${as[@]}" "$bindir/initdb" -A trust -U postgres -D "$PG_TMP/data" >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -w -D "$PG_TMP/data" -l "$PG_TMP/log" \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$PG_TMP/data" -m fast stop)
  trap 'stop_postgres' EXIT
  export HUODONG_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
  if [ -n "${PG_TMP:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
