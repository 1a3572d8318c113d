#!/usr/bin/env bash
# Runs a command against a stack of its own, so nothing it writes reaches the stack `make up` uses:
# its own Kafka broker and Apicurio registry (state in .state/<name>/, their own ports), its own
# database `ragmesh_<name>` on the Postgres server, and its own Redis database number.
#   deploy/local/private-stack.sh <name> [--fresh] -- <command...>
# --fresh: wipe what an earlier run left (broker data, registry, database, Redis db) before the
#   command and again after it, so a run never depends on a previous one nor leaves anything.
# Names and their ports, all below Linux's ephemeral range (32768-60999), where a client socket of
# the tests could hold the port a broker is about to bind (seen: chaos' 59094 "already in use"):
#   test (Kafka 29092, registry 29081, Redis db 15),
#   bench (Kafka 24092, registry 24081, Redis db 14, and a Postgres cluster of its own (24432, data in
#   .state/bench/pg-bench, shared_buffers 4GB: the benchmarks measure a server that holds their
#   working set in its cache, as production Postgres is sized, whatever the machine's server is)), reindex (Kafka 22092, registry 22081, Redis db 12),
#   chaos (Kafka 26092, registry 26081, and a Postgres cluster (26432, data in .state/chaos/pg-chaos)
#   and a Redis server (26379) of its own: `make chaos` restarts them, which it may do only to
#   servers it started).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

name="${1:-}"; shift || true
fresh=0
[[ "${1:-}" == --fresh ]] && { fresh=1; shift; }
[[ "${1:-}" == -- ]] && shift
pg_port=5432 redis_port=6379
case "$name" in
  test) base=29000; redis_db=15 ;;
  bench) base=24000; redis_db=14; pg_port=24432; export PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-4GB} ;;
  reindex) base=22000; redis_db=12 ;;
  chaos) base=26000; redis_db=0; pg_port=26432; redis_port=26379 ;;
  *) echo "usage: $0 test|bench|reindex|chaos [--fresh] -- <command...>" >&2; exit 2 ;;
esac
(($#)) || { echo "private-stack: no command given" >&2; exit 2; }

export RAGMESH_STATE_DIR="$ROOT/.state/$name"
export KAFKA_PORT=$((base + 92)) KAFKA_CONTROLLER_PORT=$((base + 93)) KAFKA_SECURE_PORT=$((base + 94))
export REGISTRY_PORT=$((base + 81)) REGISTRY_MGMT_PORT=$((base + 1081))
export RAGMESH_DB="ragmesh_$name"
export PGPORT=$pg_port REDIS_PORT=$redis_port
[ "$pg_port" = 5432 ] || export PG_DATADIR="$RAGMESH_STATE_DIR/pg-$name"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export SCHEMA_REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
export DATABASE_URL="postgres://ragmesh:ragmesh@127.0.0.1:$pg_port/$RAGMESH_DB"
export TEST_SUPERUSER_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/$RAGMESH_DB"
export BENCH_SUPERUSER_DATABASE_URL="$TEST_SUPERUSER_DATABASE_URL"
export REDIS_URL="redis://127.0.0.1:$redis_port/$redis_db"

# Everything of this private stack goes; the shared servers (Postgres, Redis) stay up. A stack's own
# Postgres cluster (pg-*) is stopped and removed.
wipe() {
  "$HERE/apicurio.sh" down >/dev/null 2>&1 || true
  "$HERE/kafka.sh" down >/dev/null 2>&1 || true
  rm -rf "$RAGMESH_STATE_DIR/kafka/data" "$RAGMESH_STATE_DIR/kafka/cluster.id" "$RAGMESH_STATE_DIR/apicurio/h2"
  local own   # Postgres clusters of a test's own (PG_DATADIR) that an interrupted run left behind
  for own in "$RAGMESH_STATE_DIR"/pg-*/; do
    [ -f "$own/PG_VERSION" ] || continue
    PG_DATADIR="${own%/}" "$HERE/postgres.sh" down >/dev/null 2>&1 || true
    rm -rf "$own"
  done
  "$HERE/postgres.sh" drop >/dev/null 2>&1 || true
  if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then redis-cli -p "$redis_port" -n "$redis_db" flushdb >/dev/null; fi
}

stop() {
  local rc=$?
  if ((fresh)); then wipe; else
    "$HERE/apicurio.sh" down >/dev/null 2>&1 || true
    "$HERE/kafka.sh" down >/dev/null 2>&1 || true
  fi
  # Postgres and Redis scripts only ever stop a server they started themselves.
  "$HERE/redis.sh" down >/dev/null 2>&1 || true
  "$HERE/postgres.sh" down >/dev/null 2>&1 || true
  exit $rc
}

((fresh)) && wipe
trap stop EXIT
echo "private-stack: $name (Kafka $KAFKA_BROKERS, registry :$REGISTRY_PORT, database $RAGMESH_DB on :$pg_port, Redis :$redis_port db $redis_db)"
"$HERE/stack.sh" up
"$@"
