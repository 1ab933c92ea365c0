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
. "$SRC/tests/containers/stack-lib.sh"
say() { echo "run-app: $*" >&2; }
stack_init capp
export COMPOSE_PROJECT_NAME=$PROJECT

stack_podman > "$state/podman.out" 2>&1 || { say "Podman: $(cat "$state/podman.out")"; exit 1; }
# The image of the working tree; with CO2S_CONTAINERS_TREE=HEAD of the last commit (a checkout
# others are editing may not build at the moment); with CO2S_CONTAINERS_TREE=image the
# co2stream:latest already built (a re-run), said in the log.
context=$SRC
if [ "${CO2S_CONTAINERS_TREE:-}" = HEAD ]; then
  context=$state/context; mkdir -p "$context"
  git -C "$SRC" archive HEAD | tar -x -C "$context"
fi
if [ "${CO2S_CONTAINERS_TREE:-}" = image ]; then
  out=$(bash "$SRC/scripts/podman-setup.sh" kafka-image 2>&1) || { say "images: $out"; exit 1; }
  podman image exists co2stream:latest || { say "CO2S_CONTAINERS_TREE=image: no co2stream:latest"; exit 1; }
  say "using the co2stream:latest already built: $(podman images --format '{{.ID}} {{.Created}}' co2stream:latest)"
else
  out=$(stack_images "$context") || { say "images: $out"; exit 1; }
fi

# The app takes one compose file: the test Kafka image is put in it.
mkdir -p "$proj/data" "$proj/models"
sed 's|image: apache/kafka:4.1.1|image: co2stream-test-kafka:4.1.1   # test only: no registry here|' \
  "$SRC/docker-compose.yml" > "$proj/docker-compose.yml"
grep -q 'image: co2stream-test-kafka:4.1.1' "$proj/docker-compose.yml" || { say "docker-compose.yml names no apache/kafka:4.1.1"; exit 1; }
compose_files=(docker-compose.yml)
cp "$SRC/data/co2_processed.csv" "$proj/data/"
chown "$KUID:$KUID" "$proj/models"
read -r CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT < <(stack_free_ports 4)
# 500 rows/s: the plot has its batches within seconds.
export CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT \
       CO2S_UID=$KUID CO2S_GID=$KUID CO2S_RATE=500
export CO2S_COMPOSE_FILE=$proj/docker-compose.yml CO2S_SCREENSHOT=$SHOT

# The health checks for whatever containers the project has, about every 5 s as the compose
# file's interval says (more often would spend its retries while Kafka's JVM starts).
health_pump_start

"$TEST"; status=$?
kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; health_pid=

running=$(project_ids ps)
if [ -n "$running" ]; then
  say "containers still running after Stop: $(podman ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}' | tr '\n' ';')"
  status=1
fi
exit $status
