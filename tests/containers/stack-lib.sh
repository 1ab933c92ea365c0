# stack-lib.sh — what the container tests share, sourced by run-stack.sh, run-scale.sh and
# run-app.sh (bash; SRC is the source root, set before sourcing).
#
#   stack_init NAME         a state folder and a project name of its own (co2s-NAME-PID), removed
#                           with everything of the project on exit (the EXIT trap)
#   stack_podman            Podman's API socket for docker-compose (scripts/podman-setup.sh),
#                           CONTAINERS_CONF and DOCKER_HOST exported; prints why not and fails.
#                           Call it once, not in a subshell (it starts a service, and exports)
#   stack_images [CONTEXT]  co2stream-test-kafka:4.1.1 and co2stream:latest built from CONTEXT's
#                           Dockerfile (default SRC); prints why not and fails
#   stack_project FILE...   $proj: the compose FILEs, data/, models/ owned by $KUID, and
#                           test-images.yml putting the test Kafka image in place of apache/kafka
#                           wherever the FILEs name it (no registry here)
#   stack_free_ports N      N distinct free TCP ports of 127.0.0.1, on one line
#   dc ARGS...              docker-compose on the project's files, stopped after 300 s
#   project_ids ps|volume ls|network ls [ARGS]   the project's containers, volumes, networks
#   cids SERVICE            the running containers of SERVICE, one id a line
#   health_pump_start       runs the health checks of the project's containers every 4 s in the
#                           background (no systemd here: Podman does not run them by itself)
#   wait_for SECONDS DESCRIPTION COMMAND...   COMMAND succeeds before the deadline
#   tap_plan N              TAP output of N checks: ok NAME, fail NAME [DETAIL], bail NAME
#                           [DETAIL] (fail, then stop), note TEXT; $failed counts the failures
#   kjava CLASS ARGS...     a Kafka tool on the host (the jars podman-setup.sh resolved)
#   topic_end TOPIC         the sum of TOPIC's end offsets, through 127.0.0.1:$CO2S_KAFKA_PORT
#   model_rows FILE         a model file's rows_seen (0 while it cannot be read)
#   model_offsets FILE      the sum of a model file's next offsets
CACHE=${CO2S_CONTAINERS_CACHE:-$HOME/.cache/co2stream/containers}
KUID=4100   # the trainer's user: an unprivileged uid owning models/, as a desktop user's would
compose_files=()
health_pid=

tap_plan() {
  n=0; failed=0; t0=$(date +%s)
  echo "1..$1"
}
ok()   { n=$((n+1)); echo "ok $n - $1 ($(( $(date +%s) - t0 )) s)"; }
fail() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || sed 's/^/# /' <<<"$2"; }
bail() { fail "$1" "${2:-}"; echo "Bail out! $1"; exit 1; }
note() { echo "# $*"; }

stack_init() {
  PROJECT=co2s-$1-$$
  state=$(mktemp -d -t "co2s-$1.XXXXXX")
  proj=$state/project
  trap stack_cleanup EXIT
}

project_ids() { podman "$1" ${2:+$2} -q --filter "label=com.docker.compose.project=$PROJECT" "${@:3}" 2>/dev/null; }

cids() { project_ids ps "" --filter "label=com.docker.compose.service=$1"; }

dc() {
  local args=() f
  for f in "${compose_files[@]}"; do args+=(-f "$f"); done
  (cd "$proj" && timeout 300 docker-compose -p "$PROJECT" "${args[@]}" "$@")
}

stack_cleanup() {
  [ -z "$health_pid" ] || { kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; }
  if [ -n "${DOCKER_HOST:-}" ] && [ ${#compose_files[@]} -gt 0 ]; then
    dc down -v --remove-orphans -t 5 > "$state/down.log" 2>&1
  fi
  # Anything compose missed (a failed up): this project's containers, volumes and network.
  project_ids ps -a | xargs -r podman rm -f > /dev/null 2>&1
  project_ids volume ls | xargs -r podman volume rm -f > /dev/null 2>&1
  project_ids network ls | xargs -r podman network rm -f > /dev/null 2>&1
  bash "$SRC/scripts/podman-setup.sh" stop "$state"
  rm -rf "$state"
}

stack_podman() {
  local env_lines
  env_lines=$(bash "$SRC/scripts/podman-setup.sh" start "$state" 2>&1) || { echo "$env_lines"; return 1; }
  CONTAINERS_CONF=$(sed -n 's/^CONTAINERS_CONF=//p' <<<"$env_lines")
  DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' <<<"$env_lines")
  export CONTAINERS_CONF DOCKER_HOST
}

stack_images() {
  local context=${1:-$SRC} out
  out=$(bash "$SRC/scripts/podman-setup.sh" kafka-image 2>&1) || { echo "$out"; return 1; }
  if ! podman build --target runtime -t co2stream:latest -f "$context/Dockerfile" "$context" \
       > "$CACHE/co2stream-image-build.log" 2>&1; then
    echo "co2stream:latest does not build from $context/Dockerfile:"; tail -20 "$CACHE/co2stream-image-build.log"
    return 1
  fi
}

stack_project() {
  local f svc
  mkdir -p "$proj/data" "$proj/models"
  compose_files=()
  for f in "$@"; do cp "$SRC/$f" "$proj/"; compose_files+=("$f"); done
  cp "$SRC/data/co2_processed.csv" "$proj/data/"
  chown "$KUID:$KUID" "$proj/models"
  {
    echo "# Test only: the locally built stand-in for the official image (no registry here)."
    echo "services:"
    # Debian's python3-yaml, which docker-compose itself needs.
    dc config 2>/dev/null | /usr/bin/python3 -c '
import sys, yaml
for name, svc in yaml.safe_load(sys.stdin)["services"].items():
    if svc.get("image", "").startswith("apache/kafka:"):
        print("  %s:\n    image: co2stream-test-kafka:4.1.1" % name)'
  } > "$proj/test-images.yml"
  compose_files+=(test-images.yml)
}

stack_free_ports() {
  # Held open together while the kernel picks them: distinct.
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
}

health_pump_start() {
  ( while :; do
      for c in $(project_ids ps); do podman healthcheck run "$c" > /dev/null 2>&1; done
      sleep 4
    done ) &
  health_pid=$!
}

wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift 2
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

kjava() {
  timeout 60 java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$SRC/resources/kafka/log4j2.properties" -cp "$CACHE/kafka-libs/*" "$@"
}

topic_end() {
  kjava org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
    --topic "$1" --time -1 2>/dev/null | awk -F: -v t="$1" '$1 == t {s+=$3} END {print s+0}'
}

model_rows() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_seen"])' "$1" 2>/dev/null || echo 0
}

model_offsets() {
  python3 -c 'import json,sys; print(sum(p["next_offset"] for p in json.load(open(sys.argv[1]))["kafka"]["offsets"]))' \
    "$1" 2>/dev/null || echo -1
}
