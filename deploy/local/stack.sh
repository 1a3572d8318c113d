#!/usr/bin/env bash
# The local stack without Docker: PostgreSQL+pgvector, Redis, Kafka (KRaft) and Apicurio Registry,
# then the mesh topics and the event schemas. Each step is idempotent.
#   deploy/local/stack.sh up|down|status
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$ROOT/.state}"
COMPONENTS=(postgres redis kafka apicurio)

up() {
  mkdir -p "$STATE/logs" "$STATE/pids"
  local started=$SECONDS failed=0 name pids=()
  # Postgres and Redis are quick; the two JVMs start in parallel because each takes seconds.
  "$HERE/postgres.sh" up || failed=1
  "$HERE/redis.sh" up || failed=1
  for name in kafka apicurio; do
    "$HERE/$name.sh" up >"$STATE/logs/$name.up.log" 2>&1 &
    pids+=("$!")
  done
  for i in 0 1; do
    name=$([ "$i" = 0 ] && echo kafka || echo apicurio)
    if ! wait "${pids[$i]}"; then failed=1; echo "stack: $name failed:" >&2; cat "$STATE/logs/$name.up.log" >&2; else cat "$STATE/logs/$name.up.log"; fi
  done
  ((failed == 0)) || { echo "stack: not ready" >&2; exit 1; }
  node "$ROOT/services/cli/dist/main.js" topics ensure --wait 60
  node "$ROOT/services/cli/dist/main.js" schemas register
  node "$ROOT/services/cli/dist/main.js" kafka-acls apply >/dev/null
  echo "stack: ready in $((SECONDS - started))s"
  echo "  KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}"
  echo "  SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
  echo "  DATABASE_URL=${DATABASE_URL:-postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh}"
  echo "  REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}"
  echo "  secure Kafka listener (TLS + SCRAM, one user per service): $STATE/kafka/secure-listener.json"
}

down() {
  local name
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do "$HERE/${COMPONENTS[$i]}.sh" down || true; done
}

status() {
  local rc=0 name
  for name in "${COMPONENTS[@]}"; do "$HERE/$name.sh" status || rc=3; done
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
