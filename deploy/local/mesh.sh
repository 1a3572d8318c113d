#!/usr/bin/env bash
# Runs the mesh services in the background on this machine (no Docker), each tracked by pid.
#   deploy/local/mesh.sh up|down|status|logs
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$ROOT/.state}"
READY_TIMEOUT="${MESH_READY_TIMEOUT:-60}"

# name|entry point|health URL (readyz)|metrics URL
SERVICES=()
[ -f "$ROOT/services/gateway/dist/main.js" ] && SERVICES+=("gateway|services/gateway/dist/main.js|http://127.0.0.1:${GATEWAY_PORT:-8080}/readyz|http://127.0.0.1:${GATEWAY_PORT:-8080}/metrics")
[ -f "$ROOT/services/chunk-embed/dist/main.js" ] && SERVICES+=("chunk-embed|services/chunk-embed/dist/main.js|http://127.0.0.1:${CHUNK_EMBED_PORT:-9101}/readyz|http://127.0.0.1:${CHUNK_EMBED_PORT:-9101}/metrics")
[ -f "$ROOT/services/indexer/dist/main.js" ] && SERVICES+=("indexer|services/indexer/dist/main.js|http://127.0.0.1:${INDEXER_PORT:-9102}/readyz|http://127.0.0.1:${INDEXER_PORT:-9102}/metrics")
[ -f "$ROOT/services/retriever/dist/main.js" ] && SERVICES+=("retriever|services/retriever/dist/main.js|http://127.0.0.1:${RETRIEVER_PORT:-9103}/readyz|http://127.0.0.1:${RETRIEVER_PORT:-9103}/metrics")

pid_of() { local p; p="$(cat "$STATE/pids/svc-$1.pid" 2>/dev/null || true)"; [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && echo "$p" || true; }

up() {
  mkdir -p "$STATE/logs" "$STATE/pids"
  local entry name main ready metrics
  # Traces go to a local Zipkin (every span: sampling is for production, see README).
  "$HERE/zipkin.sh" up
  export OTEL_TRACES_EXPORTER="${OTEL_TRACES_EXPORTER:-zipkin}"
  export OTEL_EXPORTER_ZIPKIN_ENDPOINT="${OTEL_EXPORTER_ZIPKIN_ENDPOINT:-http://127.0.0.1:${ZIPKIN_PORT:-9411}/api/v2/spans}"
  export OTEL_TRACES_SAMPLER="${OTEL_TRACES_SAMPLER:-always_on}"
  # Migrations run once as the schema owner; each service then connects as its own
  # least-privilege role (ragmesh_<service>, created by postgres.sh, granted by migration 6).
  node "$ROOT/services/cli/dist/main.js" migrate
  # The secret behind PII tokens and the sealed token map, made once per state dir.
  if [ -z "${PII_ENCRYPTION_KEY:-}" ]; then
    [ -s "$STATE/pii.key" ] || (umask 077; node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))" >"$STATE/pii.key")
    PII_ENCRYPTION_KEY="$(cat "$STATE/pii.key")"
    export PII_ENCRYPTION_KEY
  fi
  local db="${DATABASE_URL:-postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh}"
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name main ready metrics <<<"$entry"
    if [ -n "$(pid_of "$name")" ]; then echo "mesh: $name already running"; continue; fi
    (cd "$ROOT" && DATABASE_URL="${db/\/\/ragmesh:/\/\/ragmesh_${name//-/_}:}" exec setsid node "$main" >>"$STATE/logs/svc-$name.log" 2>&1) &
    echo $! >"$STATE/pids/svc-$name.pid"
  done
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name main ready metrics <<<"$entry"
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fs -m 2 -o /dev/null "$ready"; do
      if [ -z "$(pid_of "$name")" ] || ((SECONDS > deadline)); then
        echo "mesh: $name did not become ready; last log lines:" >&2
        tail -n 40 "$STATE/logs/svc-$name.log" >&2
        exit 1
      fi
      sleep 0.5
    done
  done
  # Prometheus scrapes every service (job ragmesh-<name>) and evaluates deploy/prometheus/rules.yml.
  mkdir -p "$STATE/prometheus"
  local targets=() hostport
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name main ready metrics <<<"$entry"
    hostport=${metrics#http://}; hostport=${hostport%%/*}
    targets+=("{\"targets\":[\"$hostport\"],\"labels\":{\"job\":\"ragmesh-$name\"}}")
  done
  (IFS=,; echo "[${targets[*]}]") >"$STATE/prometheus/targets.json"
  "$HERE/prometheus.sh" up
  echo "mesh: ready"
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name main ready metrics <<<"$entry"
    if [ "$name" = gateway ]; then echo "  gateway      http://127.0.0.1:${GATEWAY_PORT:-8080}"; fi
    printf '  %-12s metrics %s\n' "$name" "$metrics"
  done
  ((${#SERVICES[@]})) || echo "  (no services built yet)"
  echo "  prometheus   http://127.0.0.1:${PROMETHEUS_PORT:-9090} (alerts: /alerts, rules: deploy/prometheus/rules.yml)"
  echo "  zipkin       http://127.0.0.1:${ZIPKIN_PORT:-9411} (traces of every document and query)"
}

down() {
  local entry name pid
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name _ <<<"$entry"
    pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$STATE/pids/svc-$name.pid"
    echo "mesh: stopped $name"
  done
  "$HERE/prometheus.sh" down
  "$HERE/zipkin.sh" down
}

status() {
  local entry name rc=0
  for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name _ <<<"$entry"
    if [ -n "$(pid_of "$name")" ]; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; rc=3; fi
  done
  return $rc
}

logs() { tail -n 50 -F "$STATE"/logs/svc-*.log; }

case "${1:-}" in
  up) up ;; down) down ;; status) status ;; logs) logs ;;
  *) echo "usage: $0 up|down|status|logs" >&2; exit 2 ;;
esac
