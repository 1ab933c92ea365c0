#!/usr/bin/env bash
# tests/kafka-broker.sh — a throwaway single-node Apache Kafka (KRaft mode, no
# ZooKeeper) on a free loopback port, for the integration tests and benchmarks.
#
#   tests/kafka-broker.sh fetch             resolve the broker's jars with Maven (cached)
#   tests/kafka-broker.sh start STATE_DIR   format STATE_DIR, start the broker, wait until it
#                                           serves, print bootstrap.servers=127.0.0.1:PORT
#   tests/kafka-broker.sh stop STATE_DIR    SIGTERM, then SIGKILL after a deadline
#
# The jars (org.apache.kafka:kafka_2.13, see resources/kafka/pom.xml) live in the
# local Maven repository (~/.m2); the resolved classpath is cached in
# ${XDG_CACHE_HOME:-~/.cache}/co2stream/kafka-VERSION so later runs need neither
# Maven nor the network. The pom, the log configuration and that cache are
# co2stream-kafka's (src/kafka): one fetch serves both, with one list of jars.
#
# Environment:
#   CO2S_KAFKA_START_TIMEOUT  seconds to wait for start-up (default 90)
#   CO2S_KAFKA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 30)
#   CO2S_KAFKA_HEAP           JVM heap options (default -Xms256m -Xmx512m)
#   CO2S_KAFKA_OWNER_PID      stop the broker (and delete STATE_DIR when
#                             CO2S_KAFKA_OWNER_CLEANUP=1) once this process is gone,
#                             so a crashed test leaves no JVM behind
#   CO2S_KAFKA_CACHE          classpath cache directory
#   JAVA_HOME                 Java 17 or later (else java on PATH)
#
# Every failure says why (with the tail of the relevant log) and exits non-zero.
set -euo pipefail

readonly KAFKA_VERSION=4.1.1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly self="$here/$(basename "${BASH_SOURCE[0]}")"
readonly pom="$here/../resources/kafka/pom.xml"
readonly log4j_conf="$here/../resources/kafka/log4j2.properties"
readonly cache_dir="${CO2S_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/co2stream/kafka-$KAFKA_VERSION}"
readonly start_timeout="${CO2S_KAFKA_START_TIMEOUT:-90}"
readonly stop_timeout="${CO2S_KAFKA_STOP_TIMEOUT:-30}"
read -r -a heap_opts <<< "${CO2S_KAFKA_HEAP:--Xms256m -Xmx512m}"

say() { printf 'kafka-broker: %s\n' "$*" >&2; }

die() {
  say "error: $1"
  if [[ $# -ge 2 && -f "$2" ]]; then
    say "last lines of $2:"
    tail -n "${3:-40}" "$2" | sed 's/^/  | /' >&2
  fi
  exit 1
}

usage() {
  sed -n '2,25p' "$self" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

now_ms() { date +%s%3N; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java > /dev/null; then
    command -v java
  else
    die "java not found: install a Java 17+ runtime (Debian: apt-get install default-jre-headless) or set JAVA_HOME"
  fi
}

check_java() {
  local java version major
  java=$(java_bin)
  version=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${version%%.*}
  if [[ -z "$major" || ! "$major" =~ ^[0-9]+$ || "$major" -lt 17 ]]; then
    die "Kafka $KAFKA_VERSION needs Java 17 or later; $java is version '${version:-unknown}'"
  fi
}

# Resolves the broker's classpath into $cache_dir/classpath.txt, unless the
# cached one matches the pom and all its jars are still there.
fetch() {
  local stamp jar ok=1
  mkdir -p "$cache_dir" || die "cannot create the cache directory $cache_dir"
  exec 9> "$cache_dir/lock"
  flock 9   # tests start brokers in parallel: resolve once

  stamp=$(sha256sum "$pom" | cut -d ' ' -f 1)
  if [[ -s "$cache_dir/classpath.txt" && "$(cat "$cache_dir/pom.sha256" 2> /dev/null)" == "$stamp" ]]; then
    while IFS= read -r -d ':' jar; do
      [[ -f "$jar" ]] || { ok=0; break; }
    done < <(cat "$cache_dir/classpath.txt"; printf ':')
    if [[ $ok == 1 ]]; then
      exec 9>&-
      return 0
    fi
  fi

  command -v mvn > /dev/null ||
    die "Maven (mvn) is needed once to fetch Kafka $KAFKA_VERSION (Debian: apt-get install maven)"
  say "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven (once; cached in ~/.m2)"
  rm -f "$cache_dir/classpath.txt.new"
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath \
         -Dmdep.includeScope=runtime -Dmdep.outputFile="$cache_dir/classpath.txt.new" \
         > "$cache_dir/mvn.log" 2>&1 || [[ ! -s "$cache_dir/classpath.txt.new" ]]; then
    die "Maven could not resolve Kafka $KAFKA_VERSION (network to Maven Central? see $cache_dir/mvn.log)" \
        "$cache_dir/mvn.log"
  fi
  mv "$cache_dir/classpath.txt.new" "$cache_dir/classpath.txt"
  echo "$stamp" > "$cache_dir/pom.sha256"
  say "Kafka $KAFKA_VERSION: $(tr ':' '\n' < "$cache_dir/classpath.txt" | wc -l) jars"
  exec 9>&-
}

# True while @pid runs (a zombie, exited but not yet reaped, does not count).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat%% *}" != Z ]]
}

port_in_use() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# A loopback port nothing listens on (random, so parallel starts rarely
# collide; a collision shows up as a bind error and start() retries), below
# the kernel's ephemeral range: a restart gets it back, where any outgoing
# connection might have taken an ephemeral one meanwhile.
pick_port() {
  local port low
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || low=32768
  while :; do
    port=$((15000 + (RANDOM * 32768 + RANDOM) % (low - 15000)))
    [[ "$port" != "${1:-}" ]] && ! port_in_use "$port" && break
  done
  echo "$port"
}

# A Kafka Uuid: 16 random bytes, base64url without padding, not starting with '-'.
random_uuid() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    [[ "$id" != -* ]] && break
  done
  echo "$id"
}

is_our_broker() {
  local pid=$1 state=$2
  [[ -r "/proc/$pid/cmdline" ]] &&
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $state/server.properties"
}

write_properties() {
  local state=$1 port=$2 cport=$3
  cat > "$state/server.properties" << EOF
# Written by tests/kafka-broker.sh: single node, KRaft combined mode, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$state/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
EOF
}

# One launch attempt. Returns 0 when ready, 3 when a port was taken (retry),
# dies on any other failure.
launch() {
  local state=$1 port=$2 cport=$3 java cp pid deadline
  java=$(java_bin)
  cp=$(cat "$cache_dir/classpath.txt")

  rm -rf "$state/data"
  write_properties "$state" "$port" "$cport"
  if ! "$java" -Xmx256m -cp "$cp" -Dlog4j2.configurationFile="$log4j_conf" \
         kafka.tools.StorageTool format -t "$(random_uuid)" -c "$state/server.properties" \
         > "$state/format.log" 2>&1; then
    die "formatting the KRaft storage in $state/data failed" "$state/format.log"
  fi

  "$java" "${heap_opts[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$log4j_conf" \
    -Dkafka.logs.dir="$state/logs" -cp "$cp" \
    kafka.Kafka "$state/server.properties" < /dev/null > "$state/kafka.log" 2>&1 &
  pid=$!
  echo "$pid" > "$state/pid"

  deadline=$(($(now_ms) + start_timeout * 1000))
  while :; do
    if ! running "$pid"; then
      wait "$pid" 2> /dev/null || true
      rm -f "$state/pid"
      if grep -q "Address already in use" "$state/kafka.log"; then
        return 3
      fi
      die "Kafka exited during start-up" "$state/kafka.log"
    fi
    if grep -q "Kafka Server started" "$state/kafka.log" && port_in_use "$port"; then
      return 0
    fi
    if [[ $(now_ms) -gt $deadline ]]; then
      kill -KILL "$pid" 2> /dev/null || true
      rm -f "$state/pid"
      die "Kafka did not start within ${start_timeout}s" "$state/kafka.log"
    fi
    sleep 0.1
  done
}

# Stops the broker once CO2S_KAFKA_OWNER_PID is gone (a test that crashed or
# was killed never runs its own clean-up).
start_watchdog() {
  local state=$1 pid=$2 owner=${CO2S_KAFKA_OWNER_PID:-}
  [[ -n "$owner" ]] || return 0
  running "$owner" || die "CO2S_KAFKA_OWNER_PID=$owner is not a running process"
  (
    trap '' INT TERM HUP
    while running "$owner" && running "$pid"; do
      sleep 1
    done
    if running "$pid"; then
      "$self" stop "$state" || true
      if [[ "${CO2S_KAFKA_OWNER_CLEANUP:-0}" == 1 ]]; then
        rm -rf "$state"
      fi
    fi
  ) < /dev/null > /dev/null 2>&1 &
  disown
}

start() {
  local state=$1 t0 port cport attempt rc pid
  t0=$(now_ms)
  mkdir -p "$state" || die "cannot create $state"
  state=$(cd "$state" && pwd)
  if [[ -f "$state/pid" ]] && is_our_broker "$(cat "$state/pid")" "$state"; then
    die "a broker already runs from $state (pid $(cat "$state/pid")); stop it first"
  fi
  fetch
  check_java

  for attempt in 1 2 3; do
    port=$(pick_port)
    cport=$(pick_port "$port")
    rc=0
    launch "$state" "$port" "$cport" || rc=$?
    [[ $rc == 0 ]] && break
    say "port $port or $cport was taken meanwhile (attempt $attempt); retrying"
  done
  [[ $rc == 0 ]] || die "no free port pair after 3 attempts" "$state/kafka.log"

  pid=$(cat "$state/pid")
  echo "127.0.0.1:$port" > "$state/bootstrap.servers"
  start_watchdog "$state" "$pid"
  say "Kafka $KAFKA_VERSION (pid $pid) ready in $(( ($(now_ms) - t0) )) ms; log: $state/kafka.log"
  echo "bootstrap.servers=127.0.0.1:$port"
}

stop() {
  local state=$1 pid deadline
  if [[ ! -f "$state/pid" ]]; then
    say "no broker runs from $state (no pid file)"
    return 0
  fi
  pid=$(cat "$state/pid")
  state=$(cd "$state" && pwd)
  if ! is_our_broker "$pid" "$state"; then
    say "broker of $state (pid $pid) is not running"
    rm -f "$state/pid"
    return 0
  fi
  kill -TERM "$pid" 2> /dev/null || true
  deadline=$(($(now_ms) + stop_timeout * 1000))
  while running "$pid" && [[ $(now_ms) -lt $deadline ]]; do
    sleep 0.1
  done
  if running "$pid"; then
    say "broker (pid $pid) ignored SIGTERM for ${stop_timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2> /dev/null || true
    deadline=$(($(now_ms) + 10000))
    while running "$pid" && [[ $(now_ms) -lt $deadline ]]; do
      sleep 0.1
    done
    if running "$pid"; then
      die "broker (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$state/pid"
  say "stopped (pid $pid)"
}

case "${1:-}" in
  fetch) [[ $# == 1 ]] || usage; fetch; check_java ;;
  start) [[ $# == 2 ]] || usage; start "$2" ;;
  stop)  [[ $# == 2 ]] || usage; stop "$2" ;;
  -h|--help|help) usage 0 ;;
  *) usage ;;
esac
