#!/usr/bin/env bash
# The main job: sets up what is missing (scripts/setup.sh), then
#  - on a desktop (DISPLAY or WAYLAND_DISPLAY set): launches the desktop app `co2stream --start`,
#    which starts the pipeline on the embedded broker (zero setup) and plots it live;
#  - without a display (ssh, CI), or with CO2S_HEADLESS=1: runs the same pipeline
#      co2stream-broker → co2stream-api → co2stream-trainer → co2stream-producer
#    in the terminal and prints the trainer's line per micro-batch (batch, rows, RMSE).
# Ctrl-C (or closing the window) stops everything.
#
# Environment knobs for the terminal run (all optional; the app has Preferences instead):
#   CO2S_RATE=ROWS_PER_S   API rate (default 500; 0 = as fast as possible)
#   CO2S_BATCH_ROWS=N      trainer batch size (default 100)
#   CO2S_ALGO=ls|sgd       model (default ls)
#   CO2S_BROKERS=HOST:PORT use this Kafka instead of the embedded broker
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
  # Stop in reverse dependency order: producer, trainer, api, broker.
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_line() { # FILE PATTERN SECONDS
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "run: timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }
    sleep 0.1
  done
}

brokers=${CO2S_BROKERS:-}
if [ -z "$brokers" ]; then
  "$B/src/broker/co2stream-broker" > "$state/broker.out" 2> "$state/broker.log" &
  pids+=($!)
  wait_for_line "$state/broker.out" '^bootstrap.servers=' 20
  brokers=$(sed -n 's/^bootstrap.servers=//p' "$state/broker.out" | head -n1)
  echo "run: embedded broker at $brokers (in memory, demo only)" >&2
fi

"$B/src/api/co2stream-api" --csv "$CSV" --listen 127.0.0.1:0 --rate "${CO2S_RATE:-500}" \
  > "$state/api.out" 2> "$state/api.log" &
pids+=($!)
wait_for_line "$state/api.out" '^listening on ' 20
api=$(sed -n 's/^listening on //p' "$state/api.out" | head -n1)
echo "run: API at $api" >&2

mkdir -p models
trainer_args=(--brokers "$brokers" --topic streaming_data --group co2stream-trainer --model-dir models
              --batch-rows "${CO2S_BATCH_ROWS:-100}" --batch-ms 1000 --algo "${CO2S_ALGO:-ls}")
[ -n "${CO2S_BROKERS:-}" ] || trainer_args+=(--reset)   # the embedded broker starts empty every time
[ -z "${CO2S_MAX_ROWS:-}" ] || trainer_args+=(--max-rows "$CO2S_MAX_ROWS")
"$B/src/trainer/co2stream-trainer" "${trainer_args[@]}" 2> "$state/trainer.log" &
trainer=$!
pids+=($trainer)

"$B/src/producer/co2stream-producer" --api "$api/stream" --brokers "$brokers" --topic streaming_data \
  2> "$state/producer.log" &
pids+=($!)

echo "run: pipeline running; model in models/model.json, metrics in models/metrics.jsonl. Ctrl-C stops." >&2
wait "$trainer"
