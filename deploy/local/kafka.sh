#!/usr/bin/env bash
# Local single-node Kafka (KRaft, combined broker+controller) from Maven Central jars.
# Two client listeners: PLAINTEXT on KAFKA_PORT for local development (unauthenticated, a super
# user), and SASL_SSL on KAFKA_SECURE_PORT (default KAFKA_PORT + 2): TLS with a certificate of a
# local CA and SCRAM-SHA-512 users, one per service, whose topic and group ACLs come from
# `pnpm ragmesh kafka-acls apply`. Certificates, users and passwords are made here with keytool
# and /dev/urandom; what a client needs is written to $STATE/kafka/secure-listener.json.
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
SPORT="${KAFKA_SECURE_PORT:-$((PORT + 2))}"
TLS="$KDIR/tls"
USERS_FILE="$KDIR/sasl-users"
# One SCRAM user per service, plus admin (a super user, for the CLI's ACL and topic commands).
SASL_USERS=(admin gateway chunk-embed indexer retriever)
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

# A local CA and a broker certificate for 127.0.0.1/localhost signed by it, made once per state dir.
make_tls() {
  [[ -s "$TLS/broker.p12" && -s "$TLS/ca.pem" ]] && return 0
  rm -rf "$TLS"
  mkdir -p "$TLS"
  local pass
  pass="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s' "$pass" >"$TLS/password"
  chmod 600 "$TLS/password"
  local kt=(keytool -storetype PKCS12 -storepass "$pass" -keypass "$pass")
  "${kt[@]}" -genkeypair -keystore "$TLS/ca.p12" -alias ca -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=ragmesh local CA" -ext bc:c >/dev/null 2>&1
  "${kt[@]}" -exportcert -keystore "$TLS/ca.p12" -alias ca -rfc >"$TLS/ca.pem" 2>/dev/null
  "${kt[@]}" -genkeypair -keystore "$TLS/broker.p12" -alias broker -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=localhost" >/dev/null 2>&1
  "${kt[@]}" -certreq -keystore "$TLS/broker.p12" -alias broker 2>/dev/null |
    "${kt[@]}" -gencert -keystore "$TLS/ca.p12" -alias ca -validity 3650 -rfc \
      -ext "SAN=IP:127.0.0.1,DNS:localhost" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth >"$TLS/broker.pem" 2>/dev/null
  "${kt[@]}" -importcert -keystore "$TLS/broker.p12" -alias ca -file "$TLS/ca.pem" -noprompt >/dev/null 2>&1
  "${kt[@]}" -importcert -keystore "$TLS/broker.p12" -alias broker -file "$TLS/broker.pem" >/dev/null 2>&1
}

# "name password" per SCRAM user, made once per state dir.
make_users() {
  [[ -s "$USERS_FILE" ]] && return 0
  local user
  for user in "${SASL_USERS[@]}"; do echo "$user $(head -c 18 /dev/urandom | base64 | tr -d '/+=')"; done >"$USERS_FILE.tmp"
  chmod 600 "$USERS_FILE.tmp"
  mv "$USERS_FILE.tmp" "$USERS_FILE"
}

# What a client of the secure listener needs, for tests and for a developer's shell.
write_client_info() {
  {
    printf '{\n  "brokers": ["%s:%s"],\n  "caFile": "%s",\n  "mechanism": "scram-sha-512",\n  "users": {' "$HOST" "$SPORT" "$TLS/ca.pem"
    local sep='' user pass
    while read -r user pass; do printf '%s\n    "%s": "%s"' "$sep" "$user" "$pass"; sep=','; done <"$USERS_FILE"
    printf '\n  }\n}\n'
  } >"$KDIR/secure-listener.json"
  chmod 600 "$KDIR/secure-listener.json"
}

write_config() {
  cat >"$KDIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,SASL_SSL://$HOST:$SPORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_SSL://$HOST:$SPORT,CONTROLLER://$HOST:$CPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$(cat "$TLS/password")
ssl.key.password=$(cat "$TLS/password")
# ACLs apply on every listener; the plaintext one (local development, the controller) is a super
# user, so only the SASL_SSL listener is restricted: each service's user gets what
# \`pnpm ragmesh kafka-acls apply\` grants it and nothing else.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:admin
allow.everyone.if.no.acl.found=false
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
# Threads, Kafka's defaults unless set: 1 network thread, 2 request handlers and 2 background
# threads cost the warm broker ~20 % less CPU per request on a 2-core VM (bench README). They are
# opt-in: the one full test run with them as defaults timed out queries after the outage test's
# broker restart, under the whole suite's load (the test passed alone; the cause is not known).
num.network.threads=${KAFKA_NETWORK_THREADS:-3}
num.io.threads=${KAFKA_IO_THREADS:-8}
background.threads=${KAFKA_BACKGROUND_THREADS:-10}
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

# Format once: a second format would mint a new cluster and orphan existing data. The SCRAM
# users go into the first metadata records.
format_storage() {
  local cp="$1" user pass scram=()
  [[ -f "$DATA/meta.properties" ]] && return 0
  while read -r user pass; do scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$pass]"); done <"$USERS_FILE"
  [[ -s "$KDIR/cluster.id" ]] || java -cp "$cp" kafka.tools.StorageTool random-uuid >"$KDIR/cluster.id"
  java -cp "$cp" -Dlog4j2.configurationFile="$KDIR/log4j2.properties" kafka.tools.StorageTool format \
    --config "$KDIR/server.properties" --cluster-id "$(cat "$KDIR/cluster.id")" --standalone "${scram[@]}" >>"$LOG" 2>&1
  touch "$KDIR/scram-users.added"
}

# A cluster formatted before the secure listener existed gets its users once, through the
# plaintext listener.
add_missing_users() {
  local cp="$1" user pass
  [[ -f "$KDIR/scram-users.added" ]] && return 0
  while read -r user pass; do
    java -cp "$cp" -Dlog4j2.configurationFile="$KDIR/log4j2.properties" kafka.admin.ConfigCommand --bootstrap-server "$HOST:$PORT" \
      --alter --entity-type users --entity-name "$user" --add-config "SCRAM-SHA-512=[password=$pass]" >>"$LOG" 2>&1
  done <"$USERS_FILE"
  touch "$KDIR/scram-users.added"
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
    make_tls
    make_users
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
    if ((started_here)); then add_missing_users "$cp"; write_client_info; fi
    log "started (pid $pid, $HOST:$PORT; SASL_SSL $HOST:$SPORT, see $KDIR/secure-listener.json)"
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
