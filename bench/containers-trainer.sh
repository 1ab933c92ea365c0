#!/usr/bin/env bash
# The containerized trainer on the real Compose stack (rootful Podman + docker-compose, the images
# tests/containers builds): how fast it learns with the API at --rate 0, with docker-compose.yml's
# trainer command as shipped and with other batch sizes, and how it comes back after a SIGKILL.
#
#   bench/containers-trainer.sh [--runs N] [--seconds S] [--only throughput|restart] [--no-build]
#
# throughput: per configuration, N runs (default 3) on a fresh stack (CO2S_RATE=0): once the
#   trainer has learned its first rows and 5 s more, rows_seen in ./models/model.json sampled every
#   0.25 s for S s (default 30): rows/s; the longest time model.json did not move (a stall: a
#   checkpoint waits at most --checkpoint-ms, 200 ms, or a batch's --batch-ms); the trainer's
#   rebalances ("partition(s) revoked" in its log: session timeouts); the model's offset minus its
#   rows_seen (offsets never learned as rows; 0 expected).
# restart: one stack at the compose default rate (50 rows/s): after 1,000 rows, SIGKILL to the
#   trainer's process (the restart policy brings it back); the trainer's own lag and batch latency
#   every 2 s for 90 s; then the producer is stopped and, once the model has settled, its offset is
#   compared with the log's end and the records past it are shown.
# The image and docker-compose.yml are the committed tree's (HEAD). Prints Markdown tables
# (medians of the N runs). Needs root, the packages podman-setup.sh names,
# about 2 minutes per run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CO2S_CONTAINERS_CACHE:-$HOME/.cache/co2stream/containers}
RUNS=3 SECONDS_MEASURED=30 ONLY= BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --seconds) SECONDS_MEASURED=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--seconds S] [--only throughput|restart] [--no-build]" >&2; exit 2 ;;
  esac
done
KUID=4100
say() { echo "bench: $*" >&2; }

state=$(mktemp -d -t co2s-bench-containers.XXXXXX)
health_pid=
stack_down() {
  [ -z "$health_pid" ] || { kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; health_pid=; }
  if [ -n "${COMPOSE_PROJECT_NAME:-}" ] && [ -f "$state/p/docker-compose.yml" ]; then
    (cd "$state/p" && timeout 120 docker-compose down -v --remove-orphans -t 5) > "$state/down.log" 2>&1
    podman ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" | xargs -r podman rm -f > /dev/null 2>&1
  fi
  rm -rf "$state/p"
}
cleanup() { stack_down; bash "$ROOT/scripts/podman-setup.sh" stop "$state"; rm -rf "$state"; }
trap cleanup EXIT

env_lines=$(bash "$ROOT/scripts/podman-setup.sh" start "$state" 2>&1) || { say "$env_lines"; exit 1; }
export CONTAINERS_CONF=$(sed -n 's/^CONTAINERS_CONF=//p' <<<"$env_lines")
export DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' <<<"$env_lines")
bash "$ROOT/scripts/podman-setup.sh" kafka-image || exit 1
# The image of the committed tree (git archive HEAD: what a commit is measured on, not whatever
# the working tree holds), tagged co2stream:latest as docker-compose.yml names it.
# --no-build: the co2stream:latest already built, as it is.
if [ $BUILD = 1 ]; then
  mkdir -p "$state/context"
  git -C "$ROOT" archive HEAD | tar -x -C "$state/context"
  say "building co2stream:latest from commit $(git -C "$ROOT" rev-parse --short HEAD)"
  podman build --target runtime -t co2stream:latest -f "$state/context/Dockerfile" "$state/context" > "$CACHE/co2stream-image-build.log" 2>&1 \
    || { say "co2stream:latest does not build: see $CACHE/co2stream-image-build.log"; exit 1; }
  rm -rf "$state/context"
fi
echo "Image co2stream:latest $(podman images --format '{{.ID}}, built {{.CreatedAt}}' co2stream:latest | head -1); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rows_seen() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_seen"])' "$state/p/models/model.json" 2>/dev/null || echo 0; }
# The model's next offsets minus its rows_seen: offsets never learned as rows (bad rows, a late start).
offset_gap() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(p["next_offset"] for p in m["kafka"]["offsets"]) - m["rows_seen"])' "$state/p/models/model.json" 2>/dev/null || echo "?"; }
cid() { podman ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --filter "label=com.docker.compose.service=$1"; }

# stack_up RATE [TRAINER_ARGS...]: a fresh project, the trainer's command as docker-compose.yml
# ships it, or with TRAINER_ARGS appended (later options win).
stack_up() {
  local rate=$1; shift
  export COMPOSE_PROJECT_NAME=co2s-bench-$$-$RANDOM
  mkdir -p "$state/p/data" "$state/p/models"
  git -C "$ROOT" show HEAD:docker-compose.yml | sed 's|image: apache/kafka:4.1.1|image: co2stream-test-kafka:4.1.1|' > "$state/p/docker-compose.yml"
  if [ $# -gt 0 ]; then
    python3 - "$state/p/docker-compose.yml" "$@" <<'EOF'
import re, sys
path, extra = sys.argv[1], sys.argv[2:]
text = open(path).read()
m = re.search(r'(command: \["co2stream-trainer".*?)\]', text, re.S)
text = text[:m.end(1)] + ''.join(f', "{a}"' for a in extra) + text[m.end(1):]
open(path, 'w').write(text)
EOF
  fi
  cp "$ROOT/data/co2_processed.csv" "$state/p/data/"
  chown "$KUID:$KUID" "$state/p/models"
  export CO2S_KAFKA_PORT=$(free_port) CO2S_API_PORT=$(free_port) CO2S_UID=$KUID CO2S_GID=$KUID CO2S_RATE=$rate
  ( while :; do
      for c in $(podman ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"); do
        podman healthcheck run "$c" > /dev/null 2>&1
      done
      sleep 1
    done ) &
  health_pid=$!
  (cd "$state/p" && timeout 300 docker-compose up -d --no-build) > "$state/up.log" 2>&1 \
    || { say "up failed: $(tail -3 "$state/up.log")"; return 1; }
  local deadline=$(( $(date +%s) + 180 ))
  until [ "$(rows_seen)" -gt 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { say "no model within 180 s"; return 1; }
    sleep 0.5
  done
}

# One throughput run: prints "rows/s longest_stall_s rebalances lag_at_end".
throughput_run() {
  stack_up 0 "$@" || return 1
  sleep 5
  python3 - "$state/p/models/model.json" "$SECONDS_MEASURED" <<'EOF' > "$state/run.out"
import json, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
def seen():
    for _ in range(20):
        try:
            return json.load(open(path))["rows_seen"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.01)
    raise SystemExit("model.json unreadable")
t0 = time.monotonic(); r0 = seen(); last_r, last_t, stall = r0, t0, 0.0
while time.monotonic() - t0 < seconds:
    time.sleep(0.25)
    r, t = seen(), time.monotonic()
    if r != last_r:
        last_r, last_t = r, t
    stall = max(stall, t - last_t)
t1 = time.monotonic()
print(f"{(last_r - r0) / (t1 - t0):.0f} {stall:.2f}")
EOF
  local revoked
  revoked=$( (cd "$state/p" && docker-compose logs --no-color trainer 2>&1) | grep -c "revoked")
  echo "$(cat "$state/run.out") $revoked $(offset_gap)"
  (cd "$state/p" && docker-compose logs --no-color trainer 2>&1) | grep -vE "\| batch [0-9]+:" | tail -8 >&2
  stack_down
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if [ "$ONLY" != restart ]; then
  echo "| trainer command | rows/s (runs) | median rows/s | longest stall, s (median) | rebalances (all runs) | model offset − rows_seen (runs) |"
  echo "| --- | --- | ---: | ---: | ---: | --- |"
  for cfg in "" "--batch-rows 100"; do
    : > "$state/cfg.out"
    for i in $(seq 1 "$RUNS"); do
      # shellcheck disable=SC2086
      line=$(throughput_run $cfg) || { say "run failed"; stack_down; continue; }
      say "${cfg:-compose default}: run $i: $line"
      echo "$line" >> "$state/cfg.out"
    done
    label=${cfg:+"compose default + \`$cfg\`"}
    echo "| ${label:-compose default (\`--batch-rows 2000 --batch-ms 500\`, \`--checkpoint-ms\` 200)} | $(awk '{print $1}' "$state/cfg.out" | paste -sd / | sed 's|/| / |g') | $(awk '{print $1}' "$state/cfg.out" | median) | $(awk '{print $2}' "$state/cfg.out" | median) | $(awk '{s+=$3} END {print s+0}' "$state/cfg.out") | $(awk '{print $4}' "$state/cfg.out" | paste -sd / | sed 's|/| / |g') |"
  done
fi

if [ "$ONLY" != throughput ]; then
  stack_up 50 || exit 1
  until [ "$(rows_seen)" -gt 1000 ]; do sleep 0.5; done
  # The trainer's own view, from its last metrics line: "lag" (records librdkafka knows to be
  # left after the batch) and "latency_ms_max" (the batch's oldest row: emit → learned).
  last_metrics() { tail -1 "$state/p/models/metrics.jsonl" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m.get("rows_seen"), m.get("lag"), round(m.get("latency_ms_max") or -1))'; }
  echo
  echo "Restart: SIGKILL to the trainer at $(rows_seen) rows, the API at 50 rows/s. Before: rows_seen, lag, latency ms = $(last_metrics)"
  echo
  echo "| seconds after the kill | rows_seen | lag (metrics) | batch latency, ms |"
  echo "| ---: | ---: | ---: | ---: |"
  tc=$(cid trainer)
  kill -KILL "$(podman inspect -f '{{.State.Pid}}' "$tc")"
  t0=$(date +%s)
  while [ $(( $(date +%s) - t0 )) -lt 90 ]; do
    sleep 2
    read -r seen lag lat <<<"$(last_metrics)"
    echo "| $(( $(date +%s) - t0 )) | $seen | $lag | $lat |"
  done
  # The producer stopped: the trainer must reach the log's end.
  (cd "$state/p" && docker-compose stop -t 10 producer) > /dev/null 2>&1
  prev=-1; same=0
  while [ $same -lt 5 ]; do
    sleep 1; cur=$(rows_seen)
    if [ "$cur" = "$prev" ]; then same=$((same+1)); else same=0; prev=$cur; fi
  done
  kjava=(java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$ROOT/resources/kafka/log4j2.properties" -cp "$CACHE/kafka-libs/*")
  end=$(timeout 60 "${kjava[@]}" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
          --topic streaming_data --time -1 2>/dev/null | awk -F: '$1 == "streaming_data" {s+=$3} END {print s+0}')
  model_off=$(( $(rows_seen) + $(offset_gap) ))
  echo
  echo "Producer stopped, trainer settled: rows_seen $(rows_seen), model offset $model_off, log end $end; last metrics: $(last_metrics)"
  # What the records past the model's offset are (offset, timestamp, seq of the row).
  timeout 60 "${kjava[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
    --topic streaming_data --partition 0 --offset $(( model_off > 3 ? model_off - 3 : 0 )) --max-messages 8 --timeout-ms 20000 \
    --property print.offset=true --property print.timestamp=true 2>/dev/null | cut -c1-160 | sed 's/^/    /'
  echo "Trainer container: $(podman inspect -f '{{.RestartCount}} restarts, {{.State.Status}}' "$(cid trainer)")"
  (cd "$state/p" && docker-compose logs --no-color trainer) > "$state/trainer-restart.log" 2>&1
  cp "$state/trainer-restart.log" "${TMPDIR:-/tmp}/co2s-bench-trainer-restart.log"
  grep -vE "^trainer_1 *\| batch [0-9]+:" "$state/trainer-restart.log" | tail -40 >&2
  stack_down
fi
