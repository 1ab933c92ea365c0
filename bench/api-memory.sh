#!/usr/bin/env bash
# bench/api-memory.sh — co2stream-api's start-up time and memory for a CSV:
# the real data set and a generated one of about SIZE_MB MB (the data set's
# rows repeated, written to a temporary folder and deleted at exit). Prints a
# Markdown table of medians of RUNS runs (the README quotes it).
#
#   bench/api-memory.sh [BUILDDIR]      (default: builddir; after scripts/setup.sh)
#
# Each run starts co2stream-api --csv FILE --listen 127.0.0.1:0 and measures:
#   - load: from exec to its "listening on" line (CSV read, checked, rows
#     prepared for streaming), and the CPU time it took (user + system, from
#     /proc/PID/stat: on a shared machine, steadier than the wall clock);
#   - VmRSS once listening (what it holds while serving) and VmHWM (the peak
#     during the load), from /proc/PID/status;
# then stops it with SIGTERM.
# Environment: RUNS (default 3), SIZE_MB (default 135), CO2S_DATASET (default
# data/co2_processed.csv), API_ARGS (extra arguments, e.g. --max-memory-mb 2048).
set -euo pipefail
cd "$(dirname "$0")/.."

B=${1:-builddir}
api="$B/src/api/co2stream-api"
runs=${RUNS:-3}
size_mb=${SIZE_MB:-135}
dataset=${CO2S_DATASET:-data/co2_processed.csv}
read -r -a extra <<< "${API_ARGS:-}"

[ -x "$api" ] || { echo "api-memory: $api is missing: build first (scripts/setup.sh, or meson compile -C $B)" >&2; exit 1; }
[ -f "$dataset" ] || { echo "api-memory: the data set $dataset is missing (see data/README.md)" >&2; exit 1; }

work=$(mktemp -d -t co2s-bench-api.XXXXXX)
pid=""
cleanup() {
  [ -z "$pid" ] || kill -TERM "$pid" 2> /dev/null || true
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The generated file: the header once, then the data set's rows until it
# reaches size_mb MB.
big="$work/vehicles-${size_mb}mb.csv"
head -n 1 "$dataset" > "$big"
tail -n +2 "$dataset" > "$work/rows.csv"
target=$((size_mb * 1000 * 1000))
while [ "$(stat -c %s "$big")" -lt "$target" ]; do
  cat "$work/rows.csv" >> "$big"
done

status_kib() { # PID FIELD → the field of /proc/PID/status, in KiB
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

median() { # numbers, one per line → their median
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cpu_s() { # PID → user + system CPU seconds so far
  awk -v tck="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / tck }' "/proc/$1/stat"
}

# One run: prints "load_s rss_kib hwm_kib cpu_s".
run_once() {
  local csv=$1 out="$work/out" err="$work/err" t0 t1 deadline
  : > "$out"
  t0=$(date +%s%N)
  "$api" --csv "$csv" --listen 127.0.0.1:0 "${extra[@]}" > "$out" 2> "$err" &
  pid=$!
  deadline=$((t0 + 300 * 1000000000))
  until grep -q '^listening on ' "$out"; do
    if ! kill -0 "$pid" 2> /dev/null; then
      echo "api-memory: co2stream-api exited before listening:" >&2
      cat "$err" >&2
      exit 1
    fi
    [ "$(date +%s%N)" -lt "$deadline" ] || { echo "api-memory: not listening after 300 s" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  echo "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')" \
       "$(status_kib "$pid" VmRSS)" "$(status_kib "$pid" VmHWM)" "$(cpu_s "$pid")"
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}

commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
echo "co2stream-api memory and load time ($B, commit $commit, medians of $runs runs, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| CSV | size | rows | load (CPU) | VmRSS listening | ratio to the CSV | VmHWM (load peak) | ratio |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for csv in "$dataset" "$big"; do
  bytes=$(stat -c %s "$csv")
  rows=$(($(wc -l < "$csv") - 1))
  : > "$work/runs"
  for _ in $(seq "$runs"); do
    run_once "$csv" >> "$work/runs"
  done
  load=$(awk '{ print $1 }' "$work/runs" | median)
  rss=$(awk '{ print $2 }' "$work/runs" | median)
  hwm=$(awk '{ print $3 }' "$work/runs" | median)
  cpu=$(awk '{ print $4 }' "$work/runs" | median)
  awk -v name="$(basename "$csv")" -v bytes="$bytes" -v rows="$rows" -v load="$load" -v cpu="$cpu" \
      -v rss="$rss" -v hwm="$hwm" 'BEGIN {
    mb = bytes / 1e6
    printf "| %s | %.1f MB | %d | %.2f s (%.2f s) | %.1f MB | %.2f× | %.1f MB | %.2f× |\n",
           name, mb, rows, load, cpu, rss * 1024 / 1e6, rss * 1024 / bytes, hwm * 1024 / 1e6, hwm * 1024 / bytes
  }'
done
