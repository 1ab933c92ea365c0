#!/usr/bin/env bash
# bench/local-kafka.sh — times co2stream-kafka (the local Apache Kafka of the
# app and scripts/run.sh) and measures its JVM's resident memory; prints a
# Markdown table of medians (the README quotes it).
#
#   bench/local-kafka.sh [BUILDDIR]      (default: builddir; after scripts/setup.sh)
#
# Each run uses a new cache folder (the jar list copied from the default
# cache, no class-data archive) and new data folders:
#   1. first start: new data folder (storage format) and no class-data archive;
#   2. 2 s after ready: VmRSS of Kafka's JVM; then 50,000 rows of vehicle
#      records (tests/trainer/fill-topic, ~300 bytes each), VmRSS again;
#   3. first stop (SIGTERM; the JVM writes the class-data archive at exit);
#   4. restart on the same data folder (the usual start), then stop;
#   5. a new data folder with the archive (format + start), then stop.
# Environment: RUNS (default 3), ROWS (default 50000), HEAP_MB (default: the
# program's, 384).
set -euo pipefail
cd "$(dirname "$0")/.."

B=${1:-builddir}
kafka="$B/src/kafka/co2stream-kafka"
fill="$B/tests/trainer/fill-topic"
runs=${RUNS:-3}
rows=${ROWS:-50000}
default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/co2stream/kafka-4.1.1"

for f in "$kafka" "$fill"; do
  [ -x "$f" ] || { echo "local-kafka: $f is missing: build first (scripts/setup.sh, or meson compile -C $B)" >&2; exit 1; }
done
"$kafka" --fetch > /dev/null

work=$(mktemp -d -t co2s-bench-kafka.XXXXXX)
launcher=""
cleanup() {
  [ -z "$launcher" ] || kill -TERM "$launcher" 2> /dev/null || true
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# start DIR CACHE: starts a launcher, waits for its bootstrap.servers line;
# sets $launcher, $bootstrap and $ready_ms.
start() {
  local dir=$1 cache=$2 t0 extra=()
  [ -z "${HEAP_MB:-}" ] || extra=(--heap-max-mb "$HEAP_MB")
  : > "$work/out"
  t0=$(now_ms)
  "$kafka" --data-dir "$dir" --port 0 --cache-dir "$cache" "${extra[@]}" > "$work/out" 2> "$work/err" &
  launcher=$!
  until grep -q '^bootstrap.servers=' "$work/out"; do
    if ! kill -0 "$launcher" 2> /dev/null; then
      echo "local-kafka: co2stream-kafka stopped before it was ready:" >&2; cat "$work/err" >&2; exit 1
    fi
    sleep 0.02
  done
  ready_ms=$(( $(now_ms) - t0 ))
  bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$work/out")
}

# stop: SIGTERM to the launcher, wait for exit 0; sets $stop_ms.
stop() {
  local t0 status=0
  t0=$(now_ms)
  kill -TERM "$launcher"
  wait "$launcher" || status=$?
  stop_ms=$(( $(now_ms) - t0 ))
  launcher=""
  [ "$status" = 0 ] || { echo "local-kafka: co2stream-kafka exited $status:" >&2; cat "$work/err" >&2; exit 1; }
}

declare -a first_start new_dir restart rss_ready rss_rows first_stop stop_t
for run in $(seq 1 "$runs"); do
  cache="$work/cache-$run"
  mkdir -p "$cache"
  cp "$default_cache/classpath.txt" "$default_cache/pom.sha256" "$cache/"

  start "$work/data-$run" "$cache"
  first_start+=("$ready_ms")
  sleep 2
  rss_ready+=("$(rss_mb "$(cat "$work/data-$run/kafka.pid")")")
  "$fill" --brokers "$bootstrap" --topic streaming_data --rows "$rows" > /dev/null 2>&1
  rss_rows+=("$(rss_mb "$(cat "$work/data-$run/kafka.pid")")")
  stop
  first_stop+=("$stop_ms")

  start "$work/data-$run" "$cache"
  restart+=("$ready_ms")
  stop
  stop_t+=("$stop_ms")

  start "$work/data-$run-b" "$cache"
  new_dir+=("$ready_ms")
  stop
  echo "local-kafka: run $run/$runs: first start ${first_start[-1]} ms, new folder ${new_dir[-1]} ms," \
       "restart ${restart[-1]} ms, RSS ${rss_ready[-1]} → ${rss_rows[-1]} MB, stop ${stop_t[-1]} ms" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() { local what=$1 unit=$2; shift 2; printf '| %s | %s %s | %s |\n' "$what" "$(median "$@")" "$unit" "$*"; }

echo "Machine: $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg) at the end, $(uname -r);" \
     "$(java -version 2>&1 | head -n 1); co2stream-kafka defaults (heap ≤ ${HEAP_MB:-384} MiB);" \
     "medians of $runs runs, $rows rows."
echo
echo "| co2stream-kafka | median | runs |"
echo "| --- | ---: | --- |"
row "start to ready, data kept (the usual start)" ms "${restart[@]}"
row "start to ready, new data folder (storage format)" ms "${new_dir[@]}"
row "first start ever (format, no class-data archive yet)" ms "${first_start[@]}"
row "resident memory (VmRSS) of Kafka's JVM 2 s after ready" MB "${rss_ready[@]}"
row "… after $rows rows (fill-topic, ~300 bytes each)" MB "${rss_rows[@]}"
row "stop: SIGTERM to exit 0 (controlled shutdown)" ms "${stop_t[@]}"
row "first stop (also writes the class-data archive)" ms "${first_stop[@]}"
