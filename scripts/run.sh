#!/usr/bin/env bash
# The main job: sets up what is missing (scripts/setup.sh: packages, build, and
# on the first run Apache Kafka's jars from Maven Central, cached), then
#  - on a desktop (DISPLAY or WAYLAND_DISPLAY set): launches the desktop app `co2stream --start`,
#    which starts the pipeline on the broker chosen in its Preferences (by default Apache Kafka
#    on this computer) and plots the model learning live;
#  - without a display (ssh, CI), or with CO2S_HEADLESS=1: runs the same pipeline
#      broker → co2stream-api → co2stream-trainer → co2stream-producer
#    in the terminal and prints the trainer's line per micro-batch (batch, rows, RMSE).
# Ctrl-C (or closing the window) stops everything, the broker last. With the local
# Kafka (the default) the topic and the model stay: the next run resumes where this
# one stopped, no row trained twice and none skipped.
#
# Environment knobs for the terminal run (all optional; the app has Preferences instead):
#   CO2S_BROKER=local|embedded|existing
#                          local (default): Apache Kafka 4.1 on this computer (co2stream-kafka),
#                          data in $XDG_DATA_HOME/co2stream/kafka, kept across runs;
#                          embedded: the in-memory demo broker (no Java, nothing kept);
#                          existing: the Kafka at CO2S_BROKERS
#   CO2S_BROKERS=HOST:PORT the existing Kafka (implies CO2S_BROKER=existing)
#   CO2S_KAFKA_PROPERTIES="k=v k=v"  -X properties for an existing Kafka (security.protocol, sasl.*)
#   CO2S_KAFKA_PORT=N      local Kafka's port (default 9092)
#   CO2S_KAFKA_DIR=DIR     local Kafka's data folder (default $XDG_DATA_HOME/co2stream/kafka)
#   CO2S_KAFKA_RETENTION_MB=N  local Kafka's retention per partition (default 1024)
#   CO2S_RATE=ROWS_PER_S   API rate (default 500; 0 = as fast as possible)
#   CO2S_BATCH_ROWS=N      trainer batch size (default 100)
#   CO2S_ALGO=ls|sgd       model (default ls)
#   CO2S_MAX_ROWS=N        stop after the trainer learned N rows (default: run until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >&2

B=${CO2S_BUILDDIR:-builddir}
CSV=data/co2_processed.csv

if [ -z "${CO2S_HEADLESS:-}" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$B/src/app/co2stream" ]; then
  # The app says itself where to put a missing data set, and offers a file chooser.
  exec "$B/src/app/co2stream" --start
fi

if [ ! -f "$CSV" ]; then
  echo "run: $CSV is missing. Put the data set there (see data/README.md) and run again." >&2
  exit 1
fi

state=$(mktemp -d -t co2stream-run.XXXXXX)
pids=()
cleanup() {
  trap - EXIT INT TERM
  # Stop in reverse dependency order: producer, trainer, api, broker (Kafka's
  # controlled shutdown takes a few seconds; co2stream-kafka bounds it).
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Each service runs in its own session (setsid), so a Ctrl-C reaches only this
# script, whose clean-up then stops them in order: the trainer and producer
# still have their broker while they finish (all at once, Kafka would go
# first and the others wait on it: 20 s instead of 3).

wait_for_line() { # FILE PATTERN SECONDS PID [PROGRESS_LOG]
  local deadline=$((SECONDS + $3)) shown=0 n
  until grep -qE "$2" "$1" 2>/dev/null; do
    if ! kill -0 "$4" 2>/dev/null; then
      echo "run: it stopped before it was ready:" >&2; cat "$1" "${5:-/dev/null}" >&2; exit 1
    fi
    [ $SECONDS -lt $deadline ] || { echo "run: timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }
    if [ -n "${5:-}" ]; then   # show progress lines as they come
      n=$(wc -l < "$5"); [ "$n" -le "$shown" ] || { tail -n +"$((shown + 1))" "$5" | head -n "$((n - shown))" >&2; shown=$n; }
    fi
    sleep 0.2
  done
}

broker_kind=${CO2S_BROKER:-}
[ -n "$broker_kind" ] || { [ -n "${CO2S_BROKERS:-}" ] && broker_kind=existing || broker_kind=local; }
brokers=""
xprops=()
case "$broker_kind" in
  local)
    kafka_dir=${CO2S_KAFKA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/co2stream/kafka}
    setsid "$B/src/kafka/co2stream-kafka" --data-dir "$kafka_dir" --port "${CO2S_KAFKA_PORT:-9092}" \
      --retention-bytes "$(( ${CO2S_KAFKA_RETENTION_MB:-1024} * 1048576 ))" \
      > "$state/broker.out" 2> "$state/broker.log" &
    pids+=($!)
    wait_for_line "$state/broker.out" '^bootstrap.servers=' 330 "$!" "$state/broker.log"
    brokers=$(sed -n 's/^bootstrap.servers=//p' "$state/broker.out" | head -n1)
    echo "run: Apache Kafka at $brokers (data in $kafka_dir, kept across runs)" >&2
    ;;
  embedded)
    setsid "$B/src/broker/co2stream-broker" > "$state/broker.out" 2> "$state/broker.log" &
    pids+=($!)
    wait_for_line "$state/broker.out" '^bootstrap.servers=' 20 "$!"
    brokers=$(sed -n 's/^bootstrap.servers=//p' "$state/broker.out" | head -n1)
    echo "run: embedded broker at $brokers (in memory, demo only: nothing is kept)" >&2
    ;;
  existing)
    brokers=${CO2S_BROKERS:?CO2S_BROKER=existing needs CO2S_BROKERS=HOST:PORT}
    for p in ${CO2S_KAFKA_PROPERTIES:-}; do xprops+=(-X "$p"); done
    echo "run: existing Kafka at $brokers" >&2
    ;;
  *)
    echo "run: CO2S_BROKER must be local, embedded or existing (not '$broker_kind')" >&2
    exit 2
    ;;
esac

setsid "$B/src/api/co2stream-api" --csv "$CSV" --listen 127.0.0.1:0 --rate "${CO2S_RATE:-500}" \
  > "$state/api.out" 2> "$state/api.log" &
pids+=($!)
wait_for_line "$state/api.out" '^listening on ' 20 "$!"
api=$(sed -n 's/^listening on //p' "$state/api.out" | head -n1)
echo "run: API at $api" >&2

mkdir -p models
trainer_args=(--brokers "$brokers" --topic streaming_data --group co2stream-trainer --model-dir models
              --batch-rows "${CO2S_BATCH_ROWS:-100}" --batch-ms 1000 --algo "${CO2S_ALGO:-ls}" "${xprops[@]}")
# The embedded broker starts empty every time: a new model. A durable Kafka: resume.
[ "$broker_kind" != embedded ] || trainer_args+=(--reset)
[ -z "${CO2S_MAX_ROWS:-}" ] || trainer_args+=(--max-rows "$CO2S_MAX_ROWS")
setsid "$B/src/trainer/co2stream-trainer" "${trainer_args[@]}" 2> "$state/trainer.log" &
trainer=$!
pids+=($trainer)

# The producer resumes after the last seq the topic holds (none twice, none skipped).
setsid "$B/src/producer/co2stream-producer" --api "$api/stream" --brokers "$brokers" --topic streaming_data \
  "${xprops[@]}" 2> "$state/producer.log" &
pids+=($!)

echo "run: pipeline running; model in models/model.json, metrics in models/metrics.jsonl. Ctrl-C stops." >&2
wait "$trainer"
