#!/usr/bin/env bash
# Local Redis for ragmesh. Usage: deploy/local/redis.sh up|down|status (idempotent).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${RAGMESH_STATE_DIR:-$ROOT/.state}
PORT=${REDIS_PORT:-6379}
LOG=$STATE/logs/redis.log
PIDFILE=$STATE/pids/redis.pid   # exists only for a server this script started
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo

ping() { [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]; }
# Only trust the pid file while it still names a live redis-server (pids get reused).
our_pid() { local p; p=$(cat "$PIDFILE" 2>/dev/null) && [[ $(cat "/proc/$p/comm" 2>/dev/null) == redis-server* ]] && echo "$p"; }

up() {
  if command -v redis-cli >/dev/null && ping; then echo "redis.sh: reusing server on 127.0.0.1:$PORT"; return; fi
  if ! command -v redis-server >/dev/null; then
    echo "redis.sh: installing redis-server"
    $SUDO apt-get update >/dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >/dev/null
    # The package's own service may have come up on this port; then it is not ours.
    if ping; then echo "redis.sh: reusing packaged server on 127.0.0.1:$PORT"; return; fi
  fi
  mkdir -p "$STATE/redis"
  # No persistence: this is a cache/queue for dev and CI, state is disposable.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
    --dir "$STATE/redis" --logfile "$LOG" --pidfile "$PIDFILE"
  for _ in $(seq 50); do ping && { echo "redis.sh: started on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"; return; }; sleep 0.2; done
  echo "redis.sh: no PONG from 127.0.0.1:$PORT after 10 s; tail of $LOG:" >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

down() {
  local pid; pid=$(our_pid) || { rm -f "$PIDFILE"; echo "redis.sh: no server started by this script; leaving port $PORT alone"; return; }
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$PIDFILE"; echo "redis.sh: stopped pid $pid"
}

status() {
  if command -v redis-cli >/dev/null && ping; then
    echo "redis: running on 127.0.0.1:$PORT$(our_pid >/dev/null && echo ' (started by us)')"; exit 0
  fi
  echo "redis: not running on 127.0.0.1:$PORT"; exit 3
}

mkdir -p "$STATE/logs" "$STATE/pids"
case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
