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
. "$SRC/tests/containers/stack-lib.sh"
tap_plan 13
stack_init ctest

# 1. Podman
stack_podman > "$state/podman.out" 2>&1 || bail "Podman's API socket is up" "$(cat "$state/podman.out")"
ok "Podman's API socket is up ($DOCKER_HOST)"

# 2. Images: base, test Kafka, co2stream (Podman's layer cache makes a warm build a few seconds)
tb=$(date +%s)
out=$(stack_images) || bail "images: debian:12, co2stream-test-kafka:4.1.1, co2stream:latest" "$out"
ok "images: debian:12, co2stream-test-kafka:4.1.1, co2stream:latest (build $(( $(date +%s) - tb )) s)"
note "image sizes: $(podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'co2stream|debian' | tr '\n' ';')"
if podman run --rm co2stream:latest sh -c 'ls /usr/lib/x86_64-linux-gnu | grep -qiE "libgtk|libadwaita|libplplot"'; then
  fail "the runtime image holds no GTK, libadwaita or PLplot"
else
  ok "the runtime image holds no GTK, libadwaita or PLplot"
fi

# 3. The project as a user has it, with free host ports
stack_project docker-compose.yml
read -r CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT < <(stack_free_ports 4)
export CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT CO2S_UID=$KUID CO2S_GID=$KUID
note "host ports: Kafka $CO2S_KAFKA_PORT, API $CO2S_API_PORT, producer metrics $CO2S_PRODUCER_METRICS_PORT, trainer metrics $CO2S_TRAINER_METRICS_PORT"
cid() { cids "$1"; }
health() { podman inspect -f '{{.State.Health.Status}}' "$(cid "$1")" 2>/dev/null; }

# 4. docker-compose up -d waits on the health conditions, which this loop drives.
tu=$(date +%s)
dc up -d --no-build > "$state/up.log" 2>&1 &
compose_pid=$!
trap 'kill "$compose_pid" 2> /dev/null; stack_cleanup' EXIT
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
wait "$compose_pid"; up_status=$?; trap stack_cleanup EXIT
if [ $all_healthy = 1 ] && [ $up_status = 0 ]; then
  ok "docker-compose up -d: the four services are healthy ($(( $(date +%s) - tu )) s)"
else
  bail "docker-compose up -d: the four services are healthy" "up exit $up_status; $(tail -5 "$state/up.log")
$(for s in kafka api trainer producer; do echo "$s: $(health "$s")"; done)
$(dc logs --tail 10 2>&1)"
fi

# 5. The first model
rows_seen() { model_rows "$proj/models/model.json"; }
rows_above() { [ "$(rows_seen)" -gt "$1" ]; }
if wait_for 180 "model" rows_above 1000; then
  ok "model.json has rows_seen > 1000 ($(rows_seen) rows, $(( $(date +%s) - tu )) s after up), written as uid $(stat -c %u "$proj/models/model.json")"
else
  bail "model.json has rows_seen > 1000" "$(dc logs --tail 20 trainer 2>&1)"
fi
[ "$(stat -c %u "$proj/models/model.json")" = $KUID ] && ok "the trainer writes ./models as CO2S_UID" || fail "the trainer writes ./models as CO2S_UID"

# 6. The host listener: streaming_metrics from the host, as the app's plot reads it
metric=$(kjava org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "127.0.0.1:$CO2S_KAFKA_PORT" \
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

log_end() { topic_end streaming_data; }
model_offset() { model_offsets "$proj/models/model.json"; }

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
  cmp_out=$(python3 "$SRC/tests/containers/compare-models.py" "$proj/models/model.json" "$state/ref/model.json" \
              "$proj/models/metrics.jsonl")
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
if [ -z "${left// /}" ] && ! kill -0 "$pid" 2>/dev/null && ! pgrep -f "podman system service .*$state/podman.sock" > /dev/null; then
  ok "docker-compose down -v leaves no container, volume or pod, and the API socket's process is gone"
else
  fail "docker-compose down -v leaves no container, volume or pod, and the API socket's process is gone" "left: $left; $(tail -3 "$state/down.log")"
fi
unset DOCKER_HOST
note "total $(( $(date +%s) - t0 )) s"
[ $failed -eq 0 ]
