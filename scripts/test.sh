#!/usr/bin/env bash
# Sets up and runs the whole test suite: system packages and build (scripts/setup.sh),
# the Apache Kafka broker jars from Maven Central (cached in ~/.m2 and ~/.cache/co2stream),
# one real Kafka broker (KRaft) shared by every test that needs it, then `meson test`.
# Tests also start their own embedded brokers. Nothing is skipped: a missing
# prerequisite fails the run and says why. Extra arguments go to `meson test`
# (e.g. --suite trainer).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

if [ ! -f data/co2_processed.csv ]; then
  echo "test: data/co2_processed.csv is missing from this checkout; it is part of the repository (see data/README.md): git checkout -- data/co2_processed.csv" >&2
  exit 1
fi

B=${CO2S_BUILDDIR:-builddir}
bash tests/kafka-broker.sh fetch

if [ -z "${CO2S_KAFKA_BROKERS:-}" ]; then
  kafka_state=$(mktemp -d -t co2stream-kafka.XXXXXX)
  trap 'bash tests/kafka-broker.sh stop "$kafka_state" >/dev/null 2>&1 || true; rm -rf "$kafka_state"' EXIT
  line=$(CO2S_KAFKA_OWNER_PID=$$ bash tests/kafka-broker.sh start "$kafka_state")
  export CO2S_KAFKA_BROKERS=${line#bootstrap.servers=}
  echo "test: Apache Kafka (KRaft) at $CO2S_KAFKA_BROKERS"
fi

status=0
meson test -C "$B" --print-errorlogs --num-processes 2 "$@" || status=$?

# One plain closing line: "N passed, N failed".
python3 - "$B/meson-logs/testlog.json" <<'PY' || true
import json, sys
ok = bad = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: bad += 1
print(f"meson: {ok} passed, {bad} failed" + (f", {skip} skipped" if skip else ""))
PY
exit $status
