#!/usr/bin/env bash
# Local Apicurio Registry 3 for dev and tests: a Confluent-compatible schema
# registry at http://$REGISTRY_HOST:$REGISTRY_PORT/apis/ccompat/v7.
#   deploy/local/apicurio.sh up|down|status
# Env: RAGMESH_STATE_DIR, REGISTRY_HOST (127.0.0.1), REGISTRY_PORT (8081),
#   REGISTRY_MGMT_PORT (port+1000), REGISTRY_START_TIMEOUT (120 s),
#   REGISTRY_HEAP (512m), REGISTRY_JAVA (a java binary, 21+).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$REPO/.state}"
POM="$REPO/deploy/apicurio/pom.xml"
VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$POM")"
# The unpacked app is a cache shared by every state dir (the stack, and the private stacks of tests).
APP="$REPO/.state/apicurio/app-$VERSION"
DB="$STATE/apicurio/h2/registry"   # outside app-<version>, so an upgrade keeps the schemas
LOG="$STATE/logs/apicurio.log"
PIDFILE="$STATE/pids/apicurio.pid"
HOST="${REGISTRY_HOST:-127.0.0.1}"
PORT="${REGISTRY_PORT:-8081}"
# Quarkus' management interface (health, metrics) is baked in at build time and
# would otherwise take port 9000; keep it next to ours and on the same host.
MGMT_PORT="${REGISTRY_MGMT_PORT:-$((PORT + 1000))}"
URL="http://$HOST:$PORT/apis/ccompat/v7/subjects"

answers() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$URL" || true)" = 200 ]; }

# Prints the pid only if it is alive and still our registry (pids get reused).
our_pid() {
  local p
  p="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null &&
     grep -qa quarkus-run.jar "/proc/$p/cmdline" 2>/dev/null; then echo "$p"; fi
}

# Apicurio 3.x is compiled for Java 21; Debian 12's default java is 17.
find_java() {
  local j v
  for j in ${REGISTRY_JAVA:-} ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v="$("$j" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1)"
    if [ "${v:-0}" -ge 21 ]; then echo "$j"; return 0; fi
  done
  echo "registry: needs Java 21+ (set REGISTRY_JAVA)" >&2
  return 1
}

install_app() {
  [ -f "$APP/quarkus-run.jar" ] && return 0
  echo "registry: unpacking Apicurio Registry $VERSION into $APP"
  rm -rf "$APP.tmp"
  # Offline first so a warm ~/.m2 needs no network; online only to fill it (~160 MB).
  mvn -q -B -o -f "$POM" process-resources -Dapicurio.outputDir="$APP.tmp" >/dev/null 2>&1 ||
    mvn -q -B -f "$POM" process-resources -Dapicurio.outputDir="$APP.tmp"
  mv "$APP.tmp" "$APP"   # atomic, so a half-unpacked app is never taken for done
}

start() {
  local java
  install_app
  java="$(find_java)"
  mkdir -p "$(dirname "$DB")" "$(dirname "$LOG")" "$(dirname "$PIDFILE")"
  # setsid: the registry must outlive the shell (and its Ctrl-C) that started it.
  # Storage: H2 file in the state dir, so schemas and their ids survive a restart
  # without depending on another service. Ids are Apicurio 3's default content ids:
  # like Confluent, one id per distinct schema (same schema in two subjects = same id)
  # and 40403 for an unknown id. Never flip legacy-id-mode on an existing DB: it
  # renumbers the ids already written into Kafka messages.
  # Global BACKWARD rule = Confluent's default; it also makes GET /config/<subject>
  # answer BACKWARD, which @kafkajs/confluent-schema-registry's register() checks.
  # There is no UI in this distribution (it ships separately) and auth is off by default;
  # both are stated anyway, with telemetry and per-request access/audit logging off.
  (cd "$APP" && exec setsid "$java" "-Xmx${REGISTRY_HEAP:-512m}" \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
    -Dquarkus.management.host="$HOST" -Dquarkus.management.port="$MGMT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -Dapicurio.datasource.url="jdbc:h2:file:$DB" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.ccompat.legacy-id-mode.enabled=false \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dapicurio.authn.enabled=false -Dquarkus.oidc.tenant-enabled=false \
    -Dquarkus.otel.sdk.disabled=true -Dapicurio.usage.telemetry.enabled=false \
    -Dquarkus.http.access-log.enabled=false \
    -D'quarkus.log.category."io.apicurio.registry.logging.audit".level=WARN' \
    -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss} %p [%c{2.}] %m%n' \
    -jar quarkus-run.jar </dev/null >"$LOG" 2>&1) &
  echo $! >"$PIDFILE"
}

up() {
  local pid deadline
  pid="$(our_pid)"
  if [ -n "$pid" ] && answers; then echo "registry: already running"; return 0; fi
  if [ -z "$pid" ] && answers; then echo "registry: reusing the one already at $HOST:$PORT"; return 0; fi
  if [ -z "$pid" ]; then start; pid="$(cat "$PIDFILE")"; fi
  deadline=$((SECONDS + ${REGISTRY_START_TIMEOUT:-120}))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "registry: failed to start" >&2
      tail -n 40 "$LOG" >&2 || true
      down >/dev/null
      exit 1
    fi
    sleep 0.5
  done
  echo "registry: up at http://$HOST:$PORT (pid $pid)"
}

down() {
  local pid
  pid="$(our_pid)"
  if [ -z "$pid" ]; then
    rm -f "$PIDFILE"
    if answers; then echo "registry: not ours (no pid), left running at $HOST:$PORT"
    else echo "registry: not running"; fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$PIDFILE"
  echo "registry: stopped"
}

status() {
  local pid
  pid="$(our_pid)"
  if answers; then echo "registry: running at http://$HOST:$PORT${pid:+ (pid $pid)}"; return 0; fi
  echo "registry: stopped${pid:+ (pid $pid alive but not answering)}"
  return 3
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
