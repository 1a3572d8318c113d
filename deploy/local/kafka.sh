#!/usr/bin/env bash
# Local single-node Kafka (KRaft, combined broker+controller) from Maven Central jars.
# Usage: deploy/local/kafka.sh up|down|status
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${RAGMESH_STATE_DIR:-$ROOT/.state}"
POM="$ROOT/deploy/kafka/pom.xml"
KDIR="$STATE/kafka"
DATA="$KDIR/data"
CP_FILE="$KDIR/classpath.txt"
LOG="$STATE/logs/kafka.log"
PID_FILE="$STATE/pids/kafka.pid"

HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP="${KAFKA_HEAP_OPTS:--Xmx768m -Xms256m}"

log() { echo "kafka: $*"; }

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# Pid of our broker, or nothing. The cmdline check guards against a recycled pid.
our_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 0
  pid="$(cat "$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
     tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    echo "$pid"
  fi
}

# Classpath points into ~/.m2 (no copies). Offline first so a warm machine needs no network.
classpath() {
  local stale=0 jar jars
  if [[ ! -s "$CP_FILE" || "$POM" -nt "$CP_FILE" ]]; then
    stale=1
  else
    IFS=: read -ra jars <"$CP_FILE" || true # no trailing newline: read returns 1
    for jar in "${jars[@]}"; do [[ -f "$jar" ]] || { stale=1; break; }; done
  fi
  if ((stale)); then
    local args=(-q -f "$POM" dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP_FILE.tmp")
    mvn -o "${args[@]}" >/dev/null 2>&1 || mvn "${args[@]}" >&2
    mv "$CP_FILE.tmp" "$CP_FILE"
  fi
  cat "$CP_FILE"
}

write_config() {
  cat >"$KDIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# The controller appends a no-op record to the metadata log (an fsync) every 500 ms by default;
# for one node once every 5 s is plenty (controller events per minute at idle: 321 -> 111).
metadata.max.idle.interval.ms=5000
# Documents up to the gateway's 10 MB body limit travel as one record.
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
EOF
  # Kafka 4 dropped log4j 1.x; without a log4j2 config only errors reach the console.
  cat >"$KDIR/log4j2.properties" <<'EOF'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
logger.request.name=kafka.request.logger
logger.request.level=WARN
logger.statechange.name=state.change.logger
logger.statechange.level=WARN
EOF
}

# Format once: a second format would mint a new cluster and orphan existing data.
format_storage() {
  local cp="$1"
  [[ -f "$DATA/meta.properties" ]] && return 0
  [[ -s "$KDIR/cluster.id" ]] || java -cp "$cp" kafka.tools.StorageTool random-uuid >"$KDIR/cluster.id"
  java -cp "$cp" -Dlog4j2.configurationFile="$KDIR/log4j2.properties" kafka.tools.StorageTool format \
    --config "$KDIR/server.properties" --cluster-id "$(cat "$KDIR/cluster.id")" --standalone >>"$LOG" 2>&1
}

# Ready = port accepts and this run's log (bytes past $2) says the server started.
wait_ready() {
  local pid="$1" from="$2" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    # process substitution, not a pipe: grep -q exiting early would SIGPIPE tail and trip pipefail
    if port_open "$PORT" && grep -q 'Kafka Server started' < <(tail -c +"$((from + 1))" "$LOG"); then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

up() {
  local pid cp from=0 started_here=0
  pid="$(our_pid)"
  if [[ -n "$pid" ]] && port_open "$PORT"; then log "already running (pid $pid)"; return 0; fi
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    if port_open "$PORT"; then log "$HOST:$PORT already in use by a Kafka not started here; reusing it"; return 0; fi
  fi
  mkdir -p "$DATA" "$(dirname "$LOG")" "$(dirname "$PID_FILE")"
  touch "$LOG"
  # A pid without a listening port means a broker still starting: just wait for it.
  if [[ -z "$pid" ]]; then
    started_here=1
    cp="$(classpath)"
    write_config
    format_storage "$cp"
    from="$(stat -c %s "$LOG")"
    # setsid detaches from the caller's session; the inner shell records its own pid
    # and execs java, so the pid file is the JVM's even if setsid has to fork.
    # shellcheck disable=SC2086,SC2016
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
      java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$KDIR/log4j2.properties" \
      -cp "$cp" kafka.Kafka "$KDIR/server.properties" >>"$LOG" 2>&1 </dev/null &
    for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
    pid="$(cat "$PID_FILE")"
  fi
  if wait_ready "$pid" "$from"; then
    log "started (pid $pid, $HOST:$PORT)"
  else
    echo "kafka: failed to start" >&2
    tail -n 40 "$LOG" >&2
    if ((started_here)); then kill -KILL "$pid" 2>/dev/null || true; rm -f "$PID_FILE"; fi
    exit 1
  fi
}

down() {
  local pid
  pid="$(our_pid)"
  if [[ -z "$pid" ]]; then rm -f "$PID_FILE"; log "not running"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq $((STOP_TIMEOUT * 2))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "no exit after ${STOP_TIMEOUT}s, sending SIGKILL"; kill -KILL "$pid"; fi
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

status() {
  local pid
  pid="$(our_pid)"
  if [[ -n "$pid" ]]; then log "running (pid $pid, $HOST:$PORT)"; return 0; fi
  if port_open "$PORT"; then log "running (not started here, no pid file, $HOST:$PORT)"; return 0; fi
  log "stopped"
  return 3
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
