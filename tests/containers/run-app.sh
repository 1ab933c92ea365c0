#!/usr/bin/env bash
# The desktop app's Docker Compose backend on the real stack (suite "containers"):
#   run-app.sh SOURCE_ROOT BUILD_DIR TEST_PROGRAM [SCREENSHOT.png]
# Sets Podman up as run-stack.sh does (scripts/podman-setup.sh: its API socket for docker-compose
# and the docker CLI through DOCKER_HOST, the debootstrap base image, co2stream-test-kafka:4.1.1,
# co2stream:latest from ./Dockerfile), makes a project folder (docker-compose.yml with the test
# Kafka image in place of apache/kafka:4.1.1, data/, models/ owned by an unprivileged uid, free
# host ports through CO2S_KAFKA_PORT, CO2S_API_PORT, CO2S_PRODUCER_METRICS_PORT and
# CO2S_TRAINER_METRICS_PORT, a project name of its own), runs the
# health checks while the test runs (no systemd here: Podman does not run them by itself), then
# TEST_PROGRAM (test-app-compose: the app under Xvfb, Start, four running services, a live plot,
# Stop). Afterwards nothing of the project may be running; everything is removed, the socket's
# process stopped. With SCREENSHOT, the test saves the main window there while the stack runs.
set -uo pipefail
SRC=$(cd "${1:?usage: run-app.sh SOURCE_ROOT BUILD_DIR TEST_PROGRAM [SCREENSHOT]}" && pwd)
BUILD=$(cd "${2:?}" && pwd)
TEST=${3:?}
SHOT=${4:-${CO2S_SCREENSHOT:-}}
CACHE=${CO2S_CONTAINERS_CACHE:-$HOME/.cache/co2stream/containers}
export COMPOSE_PROJECT_NAME=co2s-capp-$$
KUID=4100
say() { echo "run-app: $*" >&2; }

state=$(mktemp -d -t co2s-containers-app.XXXXXX)
proj=$state/project
health_pid=
project_ids() { podman "$1" ${2:+$2} -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" 2>/dev/null; }
cleanup() {
  [ -z "$health_pid" ] || { kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; }
  if [ -n "${DOCKER_HOST:-}" ] && [ -f "$proj/docker-compose.yml" ]; then
    (cd "$proj" && timeout 120 docker-compose down -v --remove-orphans -t 5) > "$state/down.log" 2>&1
  fi
  project_ids ps -a | xargs -r podman rm -f > /dev/null 2>&1
  project_ids volume ls | xargs -r podman volume rm -f > /dev/null 2>&1
  project_ids network ls | xargs -r podman network rm -f > /dev/null 2>&1
  bash "$SRC/scripts/podman-setup.sh" stop "$state"
  rm -rf "$state"
}
trap cleanup EXIT

env_lines=$(bash "$SRC/scripts/podman-setup.sh" start "$state" 2>&1) || { say "Podman: $env_lines"; exit 1; }
export CONTAINERS_CONF=$(sed -n 's/^CONTAINERS_CONF=//p' <<<"$env_lines")
export DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' <<<"$env_lines")
out=$(bash "$SRC/scripts/podman-setup.sh" kafka-image 2>&1) || { say "images: $out"; exit 1; }
# The image of the working tree; with CO2S_CONTAINERS_TREE=HEAD of the last commit (a checkout
# others are editing may not build at the moment); with CO2S_CONTAINERS_TREE=image the
# co2stream:latest already built (a re-run), said in the log.
context=$SRC
if [ "${CO2S_CONTAINERS_TREE:-}" = HEAD ]; then
  context=$state/context; mkdir -p "$context"
  git -C "$SRC" archive HEAD | tar -x -C "$context"
fi
if [ "${CO2S_CONTAINERS_TREE:-}" = image ]; then
  podman image exists co2stream:latest || { say "CO2S_CONTAINERS_TREE=image: no co2stream:latest"; exit 1; }
  say "using the co2stream:latest already built: $(podman images --format '{{.ID}} {{.Created}}' co2stream:latest)"
elif ! podman build --target runtime -t co2stream:latest -f "$context/Dockerfile" "$context" > "$CACHE/co2stream-image-build.log" 2>&1; then
  say "co2stream:latest does not build: $(tail -20 "$CACHE/co2stream-image-build.log")"; exit 1
fi

mkdir -p "$proj/data" "$proj/models"
sed 's|image: apache/kafka:4.1.1|image: co2stream-test-kafka:4.1.1   # test only: no registry here|' \
  "$SRC/docker-compose.yml" > "$proj/docker-compose.yml"
grep -q 'image: co2stream-test-kafka:4.1.1' "$proj/docker-compose.yml" || { say "docker-compose.yml names no apache/kafka:4.1.1"; exit 1; }
cp "$SRC/data/co2_processed.csv" "$proj/data/"
chown "$KUID:$KUID" "$proj/models"
# Four distinct free ports, held open together while the kernel picks them.
read -r CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
# 500 rows/s: the plot has its batches within seconds.
export CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT \
       CO2S_UID=$KUID CO2S_GID=$KUID CO2S_RATE=500
export CO2S_COMPOSE_FILE=$proj/docker-compose.yml CO2S_SCREENSHOT=$SHOT

# The health checks for whatever containers the project has, about every 5 s as the compose
# file's interval says (more often would spend its retries while Kafka's JVM starts).
( while :; do
    for c in $(project_ids ps); do podman healthcheck run "$c" > /dev/null 2>&1; done
    sleep 4
  done ) &
health_pid=$!

"$TEST"; status=$?
kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; health_pid=

running=$(project_ids ps)
if [ -n "$running" ]; then
  say "containers still running after Stop: $(podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --format '{{.Names}} {{.Status}}' | tr '\n' ';')"
  status=1
fi
exit $status
