#!/usr/bin/env bash
# Local Zipkin (the trace UI): io.zipkin:zipkin-server's exec jar from Maven Central (cached in the
# user's Maven repository), in-memory storage, run by pid. The services export spans to it when
# OTEL_TRACES_EXPORTER=zipkin (mesh.sh sets it).
#   deploy/local/zipkin.sh up|down|status      Env: ZIPKIN_PORT (9411), RAGMESH_STATE_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$ROOT/.state}"
PORT="${ZIPKIN_PORT:-9411}"
VERSION=3.5.1
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
JAR="$M2/io/zipkin/zipkin-server/$VERSION/zipkin-server-$VERSION-exec.jar"
PIDFILE="$STATE/pids/zipkin.pid"
LOG="$STATE/logs/zipkin.log"
URL="http://127.0.0.1:$PORT"

our_pid() { local p; p=$(cat "$PIDFILE" 2>/dev/null) && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "zipkin-server-$VERSION-exec.jar" && echo "$p"; }
answers() { curl -fs -m 2 -o /dev/null "$URL/health"; }

up() {
  if our_pid >/dev/null && answers; then echo "zipkin: already running at $URL"; return; fi
  if answers; then echo "zipkin: something not started by us answers at $URL; set ZIPKIN_PORT" >&2; exit 1; fi
  if [ ! -f "$JAR" ]; then
    echo "zipkin: fetching io.zipkin:zipkin-server:$VERSION (exec jar) from Maven Central"
    mvn -q -B dependency:get -Dartifact="io.zipkin:zipkin-server:$VERSION:jar:exec" -Dtransitive=false >>"$LOG" 2>&1
  fi
  (QUERY_PORT=$PORT STORAGE_TYPE=mem exec setsid java -Xms64m -Xmx384m -XX:+UseSerialGC -jar "$JAR" >>"$LOG" 2>&1) &
  echo $! >"$PIDFILE"
  for _ in $(seq 300); do answers && { echo "zipkin: up at $URL (pid $(cat "$PIDFILE"))"; return; }; kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break; sleep 0.2; done
  echo "zipkin: not ready; tail of $LOG:" >&2; tail -n 20 "$LOG" >&2; exit 1
}

down() {
  local pid; pid=$(our_pid) || { rm -f "$PIDFILE"; echo "zipkin: not started by us; nothing to stop"; return; }
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PIDFILE"; echo "zipkin: stopped pid $pid"
}

status() {
  if our_pid >/dev/null && answers; then echo "zipkin: running at $URL (pid $(our_pid))"; exit 0; fi
  echo "zipkin: not running at $URL"; exit 3
}

mkdir -p "$STATE/logs" "$STATE/pids"
case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
