#!/usr/bin/env bash
# Sets up and runs the whole test suite: system packages and build (scripts/setup.sh),
# the Apache Kafka broker jars from Maven Central (cached in ~/.m2 and ~/.cache/co2stream),
# then `meson test`. The integration tests start their own real Kafka (KRaft) and embedded
# brokers; nothing is skipped: a missing prerequisite fails the run and says why.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

if [ ! -f data/co2_processed.csv ]; then
  echo "test: data/co2_processed.csv is missing; the integration tests need it (see data/README.md)" >&2
  exit 1
fi

bash tests/kafka-broker.sh fetch

meson test -C "${CO2S_BUILDDIR:-builddir}" --print-errorlogs --num-processes 2 "$@"
