#!/usr/bin/env bash
# bench/run.sh — the pipeline benchmarks of co2stream against a real Apache Kafka,
# with the Python path it replaces measured in the same run. Prints Markdown tables
# (medians of several runs, ratios to Python) and saves them in bench/results/.
#
#   bench/run.sh [--quick] [--runs N] [--only SECTIONS] [--keep]
#
#   --quick          1 run of each and smaller sizes (~1 min instead of ~6 here)
#   --runs N         runs per measurement (default 3; 1 with --quick)
#   --only LIST      some of alone,e2e,latency,memory,components (default: all)
#   --keep           keep the state folder (logs, Kafka's data) under /tmp
#
# Builds nothing: run scripts/setup.sh first (it builds builddir/, debugoptimized).
# Needs Java 17+ and Maven (or a cached Kafka) for tests/kafka-broker.sh, and creates
# <source root>/.venv from bench/requirements.txt (PyPI) when it is missing.
#
# Environment:
#   CO2S_BUILDDIR   the Meson build folder to use (default builddir)
#   CO2S_DATASET    the data set (default data/co2_processed.csv)
#   CO2S_BENCH_TMP  where Kafka's log and the run's state go (default /tmp; ~3 GB)
#
# Output: stdout, and bench/results/latest.md (latest-quick.md with --quick,
# partial.md with --only or --runs); progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bench: $*" >&2; exit 1; }

quick=0
custom=0
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; args+=(--quick) ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a number"; custom=1; args+=(--runs "$2"); shift ;;
    --only) [[ $# -ge 2 ]] || die "--only needs a list"; custom=1; args+=(--only "$2"); shift ;;
    --keep) args+=(--keep) ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

builddir=${CO2S_BUILDDIR:-builddir}
dataset=${CO2S_DATASET:-data/co2_processed.csv}
tmpdir=${CO2S_BENCH_TMP:-/tmp}

for prog in src/api/co2stream-api src/producer/co2stream-producer src/trainer/co2stream-trainer; do
  [[ -x "$builddir/$prog" ]] || die "$builddir/$prog is missing: run scripts/setup.sh first (or set CO2S_BUILDDIR)"
done
[[ -f "$dataset" ]] || die "the data set $dataset is missing: see data/README.md (scripts/setup.sh copies it from ../shared/data)"
command -v taskset > /dev/null || die "taskset (util-linux) is needed to pin the trainer to one core"
[[ $(nproc) -ge 2 ]] || die "needs at least 2 CPUs (the trainer is pinned to CPU 1, the broker to CPU 0)"

# The Python baseline's environment (git-ignored .venv, packages pinned in bench/requirements.txt).
venv=.venv
if ! "$venv/bin/python" -c 'import confluent_kafka, sklearn, numpy' 2> /dev/null; then
  echo "bench: installing the Python baseline's packages into $venv (bench/requirements.txt, from PyPI)" >&2
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" ||
    die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet -r bench/requirements.txt ||
    die "pip could not install bench/requirements.txt into $venv"
fi

mkdir -p bench/results
if [[ $custom == 1 ]]; then
  result=bench/results/partial.md
elif [[ $quick == 1 ]]; then
  result=bench/results/latest-quick.md
else
  result=bench/results/latest.md
fi

set +e
"$venv/bin/python" -u bench/pipeline.py --builddir "$builddir" --dataset "$dataset" \
  --python "$PWD/$venv/bin/python" --tmpdir "$tmpdir" "${args[@]}" | tee "$result.new"
rc=${PIPESTATUS[0]}
set -e
if [[ -s "$result.new" ]]; then
  mv "$result.new" "$result"
  echo "bench: saved in $result" >&2
else
  rm -f "$result.new"
fi
exit "$rc"
