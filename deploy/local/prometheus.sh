#!/usr/bin/env bash
# Local Prometheus for ragmesh (Debian's `prometheus` package, installed when missing), run as a
# process of our own by pid with the rules of deploy/prometheus/rules.yml, scraping the targets
# listed in $STATE/prometheus/targets.json (mesh.sh writes the mesh's; tests write their own).
#   deploy/local/prometheus.sh up|down|status
# Env: PROMETHEUS_PORT (9090), PROMETHEUS_INTERVAL (scrape and rule evaluation, 5s), RAGMESH_STATE_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$ROOT/.state}"
PORT="${PROMETHEUS_PORT:-9090}"
INTERVAL="${PROMETHEUS_INTERVAL:-5s}"
DIR="$STATE/prometheus"
PIDFILE="$STATE/pids/prometheus.pid"
LOG="$STATE/logs/prometheus.log"
URL="http://127.0.0.1:$PORT"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo

# Only trust the pid file while it names a live prometheus (pids get reused).
our_pid() { local p; p=$(cat "$PIDFILE" 2>/dev/null) && [[ $(cat "/proc/$p/comm" 2>/dev/null) == prometheus ]] && echo "$p"; }
answers() { curl -fs -m 2 -o /dev/null "$URL/-/ready"; }

up() {
  if our_pid >/dev/null && answers; then echo "prometheus: already running at $URL"; return; fi
  if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    echo "prometheus: installing Debian's prometheus package"
    $SUDO apt-get update >/dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null
  fi
  if answers; then echo "prometheus: something not started by us answers at $URL; set PROMETHEUS_PORT" >&2; exit 1; fi
  mkdir -p "$DIR/data"
  [ -f "$DIR/targets.json" ] || echo '[]' >"$DIR/targets.json"
  cat >"$DIR/prometheus.yml" <<YML
global:
  scrape_interval: $INTERVAL
  evaluation_interval: $INTERVAL
rule_files:
  - $ROOT/deploy/prometheus/rules.yml
scrape_configs:
  # Each target's labels carry its job (ragmesh-<service>); see mesh.sh.
  - job_name: ragmesh
    file_sd_configs:
      - files: ['$DIR/targets.json']
        refresh_interval: 5s
YML
  promtool check config "$DIR/prometheus.yml" >/dev/null
  (exec setsid prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
    --web.listen-address="127.0.0.1:$PORT" --storage.tsdb.retention.time=7d >>"$LOG" 2>&1) &
  echo $! >"$PIDFILE"
  for _ in $(seq 100); do answers && { echo "prometheus: up at $URL (pid $(cat "$PIDFILE"))"; return; }; sleep 0.2; done
  echo "prometheus: not ready after 20 s; tail of $LOG:" >&2; tail -n 20 "$LOG" >&2; exit 1
}

down() {
  local pid; pid=$(our_pid) || { rm -f "$PIDFILE"; echo "prometheus: not started by us; nothing to stop"; return; }
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$PIDFILE"; echo "prometheus: stopped pid $pid"
}

status() {
  if our_pid >/dev/null && answers; then echo "prometheus: running at $URL (pid $(our_pid))"; exit 0; fi
  echo "prometheus: not running at $URL"; exit 3
}

mkdir -p "$STATE/logs" "$STATE/pids"
case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
