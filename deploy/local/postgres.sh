#!/usr/bin/env bash
# Local PostgreSQL for ragmesh: server up, pgvector >= 0.8, role `ragmesh` + database $RAGMESH_DB
# (`ragmesh` unless set: `make test` uses its own, see private-stack.sh).
# Usage: deploy/local/postgres.sh up|down|status|drop|restart   (idempotent; safe to rerun)
# PG_DATADIR=<dir> PGPORT=<port>: a cluster of the caller's own in <dir> (initdb on first up),
#   which `down` stops and `restart` crash-restarts (immediate stop, then start): what the fault
#   tests and `make chaos` bounce. Without PG_DATADIR the machine's cluster is used and never
#   restarted; `down` stops it only if `up` started it. PG_SHARED_BUFFERS sizes an own cluster's
#   buffer cache (128MB unless set; applied at its start).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${RAGMESH_STATE_DIR:-$ROOT/.state}
# Outside the repo so a fresh clone on the same machine reuses the pgvector source.
CACHE=${RAGMESH_CACHE_DIR:-/var/cache/ragmesh}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGSUPERUSER=${PGSUPERUSER:-postgres}
MIN_VECTOR=0.8
DB=${RAGMESH_DB:-ragmesh}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "postgres.sh: RAGMESH_DB must be a plain lowercase name, got '$DB'" >&2; exit 2; }
APP_URL="postgres://ragmesh:ragmesh@$PGHOST:$PGPORT/$DB"
LOG=$STATE/logs/postgres.log
MARKER=$STATE/pids/postgres.started
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
PGVER=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
OWN_DIR=${PG_DATADIR:-}
RUN_AS=(); [ "$(id -u)" -eq 0 ] && RUN_AS=(runuser -u postgres --)   # postgres refuses to run as root
STEP=init

say() { echo "postgres.sh: $*" | tee -a "$LOG"; }
on_err() {
  echo "postgres.sh: step '$STEP' failed (exit $1)" >&2
  local slog=/var/log/postgresql/postgresql-$PGVER-main.log
  [ -r "$slog" ] && { echo "--- tail $slog" >&2; tail -n 20 "$slog" >&2; }
  [ -r "$LOG" ] && { echo "--- tail $LOG" >&2; tail -n 20 "$LOG" >&2; }
  exit 1
}
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }
apt_install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$LOG" 2>&1; }
app_sql() { psql "$APP_URL" -XqAt -v ON_ERROR_STOP=1 -c "$1"; }

# Superuser over TCP works with this machine's trust auth; stock Debian only
# allows `postgres` via peer auth on the socket, so fall back to that.
su_sql() { "${SU_PSQL[@]}" -XqAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
pick_superuser() {
  SU_PSQL=(psql -h "$PGHOST" -p "$PGPORT" -U "$PGSUPERUSER")
  "${SU_PSQL[@]}" -wXAt -d postgres -c 'select 1' >/dev/null 2>&1 && return
  if [ -n "$SUDO" ]; then SU_PSQL=(sudo -u postgres psql); else SU_PSQL=(runuser -u postgres -- psql); fi
  SU_PSQL+=(-h /var/run/postgresql -p "$PGPORT")
}

ensure_postgresql() {
  if [ -z "$PGVER" ]; then
    say "installing postgresql"; $SUDO apt-get update >>"$LOG" 2>&1; apt_install postgresql
    PGVER=$(ls /etc/postgresql | sort -V | tail -1)
  fi
}

# The caller's own cluster: TCP on 127.0.0.1 only (no socket to clash with the machine's), trust auth.
own_ctl() { "${RUN_AS[@]}" "/usr/lib/postgresql/$PGVER/bin/pg_ctl" -D "$OWN_DIR" "$@"; }
start_own() {
  ensure_postgresql
  if [ ! -f "$OWN_DIR/PG_VERSION" ]; then
    STEP="initdb $OWN_DIR"
    mkdir -p "$OWN_DIR"; [ ${#RUN_AS[@]} -eq 0 ] || chown postgres: "$OWN_DIR"; chmod 700 "$OWN_DIR"
    "${RUN_AS[@]}" "/usr/lib/postgresql/$PGVER/bin/initdb" -D "$OWN_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >>"$LOG" 2>&1
  fi
  STEP="start own cluster $OWN_DIR on $PGPORT"
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then say "own cluster already up on $PGPORT"; return; fi
  own_ctl -w -t 60 -l "$OWN_DIR/server.log" \
    -o "-p $PGPORT -c listen_addresses=$PGHOST -c unix_socket_directories= -c shared_buffers=${PG_SHARED_BUFFERS:-128MB}" start >>"$LOG" 2>&1
  say "own cluster up on $PGHOST:$PGPORT ($OWN_DIR)"
}
stop_own() {
  [ -f "$OWN_DIR/postmaster.pid" ] || { say "own cluster $OWN_DIR not running"; return; }
  own_ctl -w -t 60 -m "$1" stop >>"$LOG" 2>&1 || true
  say "own cluster $OWN_DIR stopped ($1)"
}

start_server() {
  if [ -n "$OWN_DIR" ]; then start_own; return; fi
  STEP="start server"
  local rc=0; pg_isready -q -h "$PGHOST" -p "$PGPORT" || rc=$?
  if [ $rc -eq 0 ]; then say "reusing server on $PGHOST:$PGPORT"; return; fi
  if [ $rc -ne 1 ]; then   # 1 = starting up: just wait for it
    ensure_postgresql
    say "starting cluster $PGVER/main"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start >>"$LOG" 2>&1
    echo "$PGVER" > "$MARKER"
  fi
  for _ in $(seq 60); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && return; sleep 0.5; done
  return 1
}

# Bookworm ships no pgvector >= 0.8, so build trixie's source package against
# the bookworm server headers. deb-src only: no trixie binaries, so no pinning.
build_pgvector() {
  local major=$1 pgc=/usr/lib/postgresql/$1/bin/pg_config src
  STEP="pgvector: apt deb-src + build deps"
  local list=/etc/apt/sources.list.d/ragmesh-trixie-src.sources
  if [ ! -f "$list" ]; then
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: trixie' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $SUDO tee "$list" >/dev/null
  fi
  $SUDO apt-get update >>"$LOG" 2>&1
  local p missing=()   # only what is absent: a named package would otherwise get upgraded
  for p in build-essential "postgresql-server-dev-$major" dpkg-dev; do dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q ^ii || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then say "installing ${missing[*]}"; apt_install "${missing[@]}"; fi
  STEP="pgvector: apt-get source"
  $SUDO mkdir -p "$CACHE/pgvector"; $SUDO chown "$(id -u)" "$CACHE/pgvector"
  src=$(ls -d "$CACHE"/pgvector/pgvector-*/ 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$src" ]; then
    (cd "$CACHE/pgvector" && apt-get source pgvector/trixie >>"$LOG" 2>&1)
    src=$(ls -d "$CACHE"/pgvector/pgvector-*/ | sort -V | tail -1)
  fi
  STEP="pgvector: make install ($src)"
  say "building $(basename "$src") for PostgreSQL $major"
  make -C "$src" PG_CONFIG="$pgc" clean >>"$LOG" 2>&1
  make -C "$src" PG_CONFIG="$pgc" >>"$LOG" 2>&1
  $SUDO make -C "$src" PG_CONFIG="$pgc" install >>"$LOG" 2>&1
}

up() {
  start_server
  pick_superuser

  STEP="role ragmesh and database $DB"
  su_sql postgres "DO \$\$BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ragmesh') THEN CREATE ROLE ragmesh; END IF;
    END\$\$;
    ALTER ROLE ragmesh LOGIN PASSWORD 'ragmesh' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;"
  # One least-privilege role per service; migration 6 grants each what its code does.
  STEP="service roles"
  local role
  for role in ragmesh_gateway ragmesh_chunk_embed ragmesh_indexer ragmesh_retriever; do
    su_sql postgres "DO \$\$BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE $role; END IF;
      END\$\$;
      ALTER ROLE $role LOGIN PASSWORD 'ragmesh' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;"
  done
  if [ -z "$(su_sql postgres "select 1 from pg_database where datname = '$DB'")" ]; then
    su_sql postgres "CREATE DATABASE $DB OWNER ragmesh"
  fi
  # Owning the database (and so schema public, PG 15+) lets app migrations create schema/tables.
  su_sql postgres "ALTER DATABASE $DB OWNER TO ragmesh"

  STEP="pgvector >= $MIN_VECTOR available"
  local major avail
  major=$(( $(su_sql postgres 'show server_version_num') / 10000 ))
  avail=$(su_sql postgres "select default_version from pg_available_extensions where name = 'vector'")
  if [ -z "$avail" ] || ! ver_ge "$avail" "$MIN_VECTOR"; then
    build_pgvector "$major"
    STEP="pgvector >= $MIN_VECTOR available"
    avail=$(su_sql postgres "select default_version from pg_available_extensions where name = 'vector'")
    ver_ge "$avail" "$MIN_VECTOR"
  fi

  # The app role cannot create extensions, so do it here as superuser.
  STEP="create extension vector"
  su_sql "$DB" "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector"
  local have; have=$(su_sql "$DB" "select extversion from pg_extension where extname = 'vector'")
  if [ "$have" != "$avail" ]; then say "updating vector $have -> $avail"; su_sql "$DB" "ALTER EXTENSION vector UPDATE"; fi

  # Under row-level security Postgres uses an index for a condition only when its operator's
  # function is LEAKPROOF; without this the full-text (@@) and jsonb (@>) legs of a search read
  # every chunk of the tenant (100k chunks: sparse p50 3.5 s instead of ~17 ms). Neither function
  # can reveal row contents through an error. Per database, superuser only; pg_dump drops it.
  STEP="leakproof full-text and jsonb matching"
  su_sql "$DB" "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF; ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) LEAKPROOF"

  STEP="readiness query as role ragmesh"
  have=$(app_sql "select extversion from pg_extension where extname = 'vector'")
  ver_ge "$have" "$MIN_VECTOR"
  say "ready: $APP_URL (pgvector $have)"
}

down() {
  if [ -n "$OWN_DIR" ]; then stop_own fast; return; fi
  if [ -f "$MARKER" ]; then
    STEP="stop server"
    local ver; ver=$(cat "$MARKER")
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main stop >>"$LOG" 2>&1
    rm -f "$MARKER"; say "stopped cluster $ver/main"
  else
    say "no marker: server not started by this script, left alone"
  fi
}

# Drops database $RAGMESH_DB (never the default one): a private stack's cleanup.
drop() {
  STEP="drop database $DB"
  [ "$DB" != ragmesh ] || { echo "postgres.sh: refusing to drop the default database ragmesh" >&2; exit 2; }
  pg_isready -q -h "$PGHOST" -p "$PGPORT" || { say "server not running; nothing to drop"; return; }
  pick_superuser
  su_sql postgres "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  say "dropped database $DB"
}

# Only ever the caller's own cluster: an immediate stop (no checkpoint, crash recovery on start).
restart() {
  [ -n "$OWN_DIR" ] || { echo "postgres.sh: restart needs PG_DATADIR (only a cluster of our own is ever bounced)" >&2; exit 2; }
  stop_own immediate
  start_own
}

status() {
  trap - ERR
  if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then echo "postgres: not running on $PGHOST:$PGPORT"; exit 3; fi
  local v; v=$(app_sql "select extversion from pg_extension where extname = 'vector'" 2>/dev/null || true)
  echo "postgres: running on $PGHOST:$PGPORT$([ -f "$MARKER" ] && echo ' (started by us)'); pgvector: ${v:-missing}"
  if [ -n "$v" ] && ver_ge "$v" "$MIN_VECTOR"; then exit 0; fi
  exit 3
}

mkdir -p "$STATE/logs" "$STATE/pids"
trap 'on_err $?' ERR
case "${1:-}" in
  up) up ;; down) down ;; status) status ;; drop) drop ;; restart) restart ;;
  *) echo "usage: $0 up|down|status|drop|restart" >&2; exit 2 ;;
esac
