#!/usr/bin/env bash
# The real container test (suite "containers"): the Compose stack on rootful Podman through its
# Docker-compatible socket and Debian's docker-compose 1.29, as a user runs it.
#   run-stack.sh SOURCE_ROOT BUILD_DIR
# Sets Podman up (scripts/podman-setup.sh: CONTAINERS_CONF, `podman system service`, the
# debootstrap base image, the test-only co2stream-test-kafka:4.1.1 put in place of
# apache/kafka:4.1.1 by an override file), builds co2stream:latest from ./Dockerfile, then in a
# project folder of its own (compose file, data/, models/ owned by an unprivileged uid):
# docker-compose up -d; drives the health checks (no systemd: Podman does not run them itself);
# waits for model.json with rows_seen > 1000; reads streaming_metrics through the host listener;
# scrapes the producer's and the trainer's /metrics on their published ports (parsed by
# prometheus_client, tests/common/prom-parse.py);
# predicts with co2stream-predict from the model; kills the trainer (SIGKILL) and checks it comes
# back, catches up with the live stream (within 100 records of the log's end in 60 s) and resumes
# exactly (with the producer stopped it reaches the log's end, and its model equals an
# uninterrupted host trainer's over the same rows); tears everything down (containers, network,
# volume, the socket's process).
# Images stay in Podman's storage between runs (warm run); nothing is skipped: a missing
# prerequisite fails. Every host port (Kafka, API, both /metrics) is a free one, passed through the
# compose file's variables, so two runs (or a user's stack) can run beside each other. TAP output.
set -uo pipefail
SRC=$(cd "${1:?usage: run-stack.sh SOURCE_ROOT BUILD_DIR}" && pwd)
BUILD=$(cd "${2:?usage: run-stack.sh SOURCE_ROOT BUILD_DIR}" && pwd)
CACHE=${CO2S_CONTAINERS_CACHE:-$HOME/.cache/co2stream/containers}
PROJECT=co2s-ctest-$$
KUID=4100   # the trainer's user: an unprivileged uid owning models/, as a desktop user's would
n=0; failed=0; t0=$(date +%s)
echo "1..13"
ok()   { n=$((n+1)); echo "ok $n - $1 ($(( $(date +%s) - t0 )) s)"; }
fail() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || sed 's/^/# /' <<<"$2"; }
bail() { fail "$1" "${2:-}"; echo "Bail out! $1"; exit 1; }
note() { echo "# $*"; }
# wait_for DEADLINE_S DESCRIPTION COMMAND...: COMMAND succeeds before the deadline.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift 2
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

state=$(mktemp -d -t co2s-containers.XXXXXX)
proj=$state/project
compose_pid=
cleanup() {
  [ -z "$compose_pid" ] || kill "$compose_pid" 2>/dev/null
  if [ -n "${DOCKER_HOST:-}" ]; then
    (cd "$proj" && timeout 120 docker-compose -p "$PROJECT" -f docker-compose.yml -f kafka-override.yml \
       down -v --remove-orphans -t 5) > "$state/down.log" 2>&1
  fi
  # Anything compose missed (a failed up): this project's containers, volumes and network.
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" | xargs -r podman rm -f > /dev/null 2>&1
  podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r podman volume rm -f > /dev/null 2>&1
  podman network ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r podman network rm -f > /dev/null 2>&1
  bash "$SRC/scripts/podman-setup.sh" stop "$state"
  rm -rf "$state"
}
trap cleanup EXIT

# 1. Podman
env_lines=$(bash "$SRC/scripts/podman-setup.sh" start "$state" 2>&1) || bail "Podman's API socket is up" "$env_lines"
export CONTAINERS_CONF=$(sed -n 's/^CONTAINERS_CONF=//p' <<<"$env_lines")
export DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' <<<"$env_lines")
ok "Podman's API socket is up ($DOCKER_HOST)"

# 2. Images: base, test Kafka, co2stream (Podman's layer cache makes a warm build a few seconds)
out=$(bash "$SRC/scripts/podman-setup.sh" kafka-image 2>&1) || bail "base and Kafka images" "$out"
tb=$(date +%s)
if ! podman build --target runtime -t co2stream:latest -f "$SRC/Dockerfile" "$SRC" > "$CACHE/co2stream-image-build.log" 2>&1; then
  bail "co2stream:latest builds from ./Dockerfile" "$(tail -20 "$CACHE/co2stream-image-build.log")"
fi
ok "images: debian:12, co2stream-test-kafka:4.1.1, co2stream:latest (build $(( $(date +%s) - tb )) s)"
note "image sizes: $(podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'co2stream|debian' | tr '\n' ';')"
if podman run --rm co2stream:latest sh -c 'ls /usr/lib/x86_64-linux-gnu | grep -qiE "libgtk|libadwaita|libplplot"'; then
  fail "the runtime image holds no GTK, libadwaita or PLplot"
else
  ok "the runtime image holds no GTK, libadwaita or PLplot"
fi

# 3. The project as a user has it, with free host ports
mkdir -p "$proj/data" "$proj/models"
cp "$SRC/docker-compose.yml" "$proj/"
cp "$SRC/data/co2_processed.csv" "$proj/data/"
chown "$KUID:$KUID" "$proj/models"
cat > "$proj/kafka-override.yml" <<'EOF'
# Test only: the locally built stand-in for the official image (no registry here).
services:
  kafka:
    image: co2stream-test-kafka:4.1.1
EOF
# Four distinct free ports, held open together while the kernel picks them.
read -r CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
export CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT CO2S_UID=$KUID CO2S_GID=$KUID
note "host ports: Kafka $CO2S_KAFKA_PORT, API $CO2S_API_PORT, producer metrics $CO2S_PRODUCER_METRICS_PORT, trainer metrics $CO2S_TRAINER_METRICS_PORT"
dc() { (cd "$proj" && docker-compose -p "$PROJECT" -f docker-compose.yml -f kafka-override.yml "$@"); }
cid() { podman ps -q --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"; }
health() { podman inspect -f '{{.State.Health.Status}}' "$(cid "$1")" 2>/dev/null; }

# 4. docker-compose up -d waits on the health conditions, which this loop drives.
tu=$(date +%s)
dc up -d --no-build > "$state/up.log" 2>&1 &
compose_pid=$!
deadline=$(( $(date +%s) + 240 ))
all_healthy=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  healthy=0
  for s in kafka api trainer producer; do
    c=$(cid "$s"); [ -n "$c" ] || continue
    podman healthcheck run "$c" > /dev/null 2>&1
    [ "$(health "$s")" = healthy ] && healthy=$((healthy+1))
  done
  if [ $healthy = 4 ] && ! kill -0 "$compose_pid" 2>/dev/null; then all_healthy=1; break; fi
  sleep 1
done
wait "$compose_pid"; up_status=$?; compose_pid=
if [ $all_healthy = 1 ] && [ $up_status = 0 ]; then
  ok "docker-compose up -d: the four services are healthy ($(( $(date +%s) - tu )) s)"
else
  bail "docker-compose up -d: the four services are healthy" "up exit $up_status; $(tail -5 "$state/up.log")
$(for s in kafka api trainer producer; do echo "$s: $(health "$s")"; done)
$(dc logs --tail 10 2>&1)"
fi

# 5. The first model
rows_seen() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_seen"])' "$proj/models/model.json" 2>/dev/null || echo 0; }
rows_above() { [ "$(rows_seen)" -gt "$1" ]; }
if wait_for 180 "model" rows_above 1000; then
  ok "model.json has rows_seen > 1000 ($(rows_seen) rows, $(( $(date +%s) - tu )) s after up), written as uid $(stat -c %u "$proj/models/model.json")"
else
  bail "model.json has rows_seen > 1000" "$(dc logs --tail 20 trainer 2>&1)"
fi
[ "$(stat -c %u "$proj/models/model.json")" = $KUID ] && ok "the trainer writes ./models as CO2S_UID" || fail "the trainer writes ./models as CO2S_UID"

# 6. The host listener: streaming_metrics from the host, as the app's plot reads it
kjava=(java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$SRC/resources/kafka/log4j2.properties"
       -cp "$CACHE/kafka-libs/*")
metric=$(timeout 60 "${kjava[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
           --topic streaming_metrics --from-beginning --max-messages 1 --timeout-ms 30000 2>&1 | grep -m1 '^{')
if grep -q '"rows_seen"\|"rmse' <<<"$metric"; then ok "streaming_metrics through the host listener 127.0.0.1:$CO2S_KAFKA_PORT"
else fail "streaming_metrics through the host listener 127.0.0.1:$CO2S_KAFKA_PORT" "$metric"; fi

# 7. Prometheus: both services' /metrics on the host ports the variables chose, read by the
# reference parser, with rows delivered and learned and the trainer's row latency histogram.
prom_check() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | /usr/bin/python3 "$SRC/tests/common/prom-parse.py" | python3 -c '
import json, sys
f = json.load(sys.stdin)
def v(name):
    return max(float(s["value"]) for fam in f.values() for s in fam["samples"] if s["name"] == name)
if sys.argv[1] == "producer":
    sys.exit(0 if v("co2stream_producer_rows_delivered_total") > 0 else "no row delivered yet")
h = f["co2stream_trainer_row_latency_seconds"]["samples"]
inf = [float(s["value"]) for s in h if s["labels"].get("le") == "+Inf"][0]
ok = v("co2stream_trainer_rows_learned_total") > 0 and inf == v("co2stream_trainer_row_latency_seconds_count") > 0
print("rows learned %d, row latency count %d, sum %.1f s" % (v("co2stream_trainer_rows_learned_total"), inf,
      v("co2stream_trainer_row_latency_seconds_sum")))
sys.exit(0 if ok else "no row learned or an inconsistent latency histogram")' "$2"; }
if out_p=$(prom_check "$CO2S_PRODUCER_METRICS_PORT" producer 2>&1) && out_t=$(prom_check "$CO2S_TRAINER_METRICS_PORT" trainer 2>&1); then
  ok "/metrics of the producer (127.0.0.1:$CO2S_PRODUCER_METRICS_PORT) and the trainer (127.0.0.1:$CO2S_TRAINER_METRICS_PORT): $out_t"
else
  fail "/metrics of the producer and the trainer on their host ports" "${out_p:-} ${out_t:-}"
fi

# 8. A prediction from the container's model (the data set's first row: 196 g/km)
pred=$("$BUILD/src/predict/co2stream-predict" --model "$proj/models/model.json" --engine-size 2.0 --cylinders 4 \
         --city 9.9 --hwy 6.7 --comb 8.5 --fuel Z 2>&1)
if python3 -c 'import sys,re; v=float(re.findall(r"[0-9.]+", sys.argv[1])[0]); sys.exit(0 if 150 < v < 250 else 1)' "$pred" 2>/dev/null; then
  ok "co2stream-predict from the container's model: $pred"
else
  fail "co2stream-predict from the container's model" "$pred"
fi

# 9. A crash: SIGKILL to the trainer's process; the restart policy brings it back
before=$(rows_seen)
tc=$(cid trainer)
restarts0=$(podman inspect -f '{{.RestartCount}}' "$tc")
kill -KILL "$(podman inspect -f '{{.State.Pid}}' "$tc")"
restarted() { [ "$(podman inspect -f '{{.RestartCount}} {{.State.Running}}' "$tc")" = "$((restarts0 + 1)) true" ]; }
if wait_for 60 "restart" restarted && wait_for 120 "progress" rows_above "$before"; then
  ok "the killed trainer is restarted and learns on (rows_seen $before → $(rows_seen))"
else
  fail "the killed trainer is restarted and learns on" "$(podman inspect -f '{{.RestartCount}} {{.State.Status}}' "$tc"); $(dc logs --tail 10 trainer 2>&1)"
fi

log_end() { timeout 60 "${kjava[@]}" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
              --topic streaming_data --time -1 2>/dev/null | awk -F: '$1 == "streaming_data" {s+=$3} END {print s+0}'; }
model_offset() { python3 - "$proj/models/model.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
vals = [p["next_offset"] for p in m["kafka"]["offsets"]]
print(sum(vals))
EOF
}

# 10. The restarted trainer catches up with the live stream (50 rows/s): the log's end minus the
# model's offset (read after it) back under 100 records within 60 s of the restart.
lag_now=
caught_up() { local e; e=$(log_end); lag_now=$(( e - $(model_offset) )); [ "$e" -gt 0 ] && [ "$lag_now" -lt 100 ]; }
tr=$(date +%s)
if wait_for 60 "caught up" caught_up; then
  ok "the restarted trainer is back within 100 records of the log's end ($lag_now, $(( $(date +%s) - tr )) s after its restart)"
else
  fail "the restarted trainer is back within 100 records of the log's end within 60 s" "lag $lag_now; $(dc logs --tail 10 trainer 2>&1)"
fi

# 11. Exact resume: stop the producer, let the trainer reach the log's end, then an uninterrupted
# host trainer over the same rows must hold the same model.
dc stop -t 10 producer > /dev/null 2>&1
end=$(log_end)
# The model reaches the log's end exactly (the producer has flushed and exited: the end is final).
at_end() { [ "$(model_offset)" = "$end" ]; }
if [ "$end" -gt 0 ] && wait_for 120 "at the log's end" at_end; then
  note "log end $end, model offset $(model_offset)"
  mkdir -p "$state/ref"
  ref=$("$BUILD/src/trainer/co2stream-trainer" --brokers "127.0.0.1:$CO2S_KAFKA_PORT" --topic streaming_data \
          --group "co2s-ctest-ref-$$" --model-dir "$state/ref" --batch-rows 2000 --batch-ms 500 --algo ls \
          --max-rows "$(rows_seen)" --exit-when-idle 20 2>&1 | tail -2)
  cmp_out=$(python3 - "$proj/models/model.json" "$state/ref/model.json" "$proj/models/metrics.jsonl" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a["rows_seen"] != b["rows_seen"]:
    sys.exit(f"rows_seen: container {a['rows_seen']}, uninterrupted {b['rows_seen']}")
def nums(x):
    if isinstance(x, bool): return []
    if isinstance(x, (int, float)): return [float(x)]
    if isinstance(x, list): return [v for e in x for v in nums(e)]
    if isinstance(x, dict): return [v for k in sorted(x) for v in nums(x[k])]
    return []
va = nums(a["coefficients"]) + nums(a["intercept"]); vb = nums(b["coefficients"]) + nums(b["intercept"])
if len(va) != len(vb) or not va:
    sys.exit(f"model parameters differ in number: {len(va)} vs {len(vb)} (keys {sorted(a)})")
# The container learned the rows in batches cut by time, the reference in one: the same rows give
# the same model up to rounding, which the nearly collinear consumption columns (comb is almost
# 0.55 city + 0.45 highway) amplify to about 1e-9 in single coefficients (/model/merge/* measured
# 2.1e-9 between batch sizes). Hence 1e-9 on the whole vector and 1e-8 per coefficient; one row
# learned twice or lost moves them by about 1e-4.
worst = max(abs(x - y) / max(1.0, abs(x), abs(y)) for x, y in zip(va, vb))
norm = sum((x - y) ** 2 for x, y in zip(va, vb)) ** 0.5 / max(1.0, sum(y * y for y in vb) ** 0.5)
rows = sum(json.loads(l).get("rows", 0) for l in open(sys.argv[3]) if l.strip())
print(f"rows_seen {a['rows_seen']}, {len(va)} parameters, relative difference {norm:.3g} (vector), "
      f"{worst:.3g} (largest coefficient), metrics.jsonl rows {rows}")
sys.exit(0 if norm < 1e-9 and worst < 1e-8 else 1)
EOF
)
  if [ $? = 0 ]; then ok "exact resume: the killed-and-restarted trainer's model equals an uninterrupted run's ($cmp_out)"
  else fail "exact resume: the killed-and-restarted trainer's model equals an uninterrupted run's" "$cmp_out
$ref"; fi
else
  fail "exact resume: the trainer reaches the log's end ($end)" "model offset $(model_offset); $(dc logs --tail 10 trainer 2>&1)"
fi

# 12. Tear down: nothing of the project left, and the socket's process gone
dc down -v --remove-orphans -t 5 > "$state/down.log" 2>&1
left="$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT") $(podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT") $(podman pod ps -q)"
pid=$(cat "$state/service.pid")
bash "$SRC/scripts/podman-setup.sh" stop "$state"
if [ -z "${left// /}" ] && ! kill -0 "$pid" 2>/dev/null; then
  ok "docker-compose down -v leaves no container, volume or pod, and the API socket's process is gone"
else
  fail "docker-compose down -v leaves no container, volume or pod, and the API socket's process is gone" "left: $left; $(tail -3 "$state/down.log")"
fi
unset DOCKER_HOST
note "total $(( $(date +%s) - t0 )) s"
[ $failed -eq 0 ]
