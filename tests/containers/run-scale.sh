#!/usr/bin/env bash
# Scale-out on real containers (suite "containers"): docker-compose.yml with
# docker-compose.scale-out.yml, `up -d --scale trainer=3` on rootful Podman through its
# Docker-compatible socket and Debian's docker-compose 1.29, as the README's Scale out section says.
#   run-scale.sh SOURCE_ROOT BUILD_DIR
# Checks: the topics service gives streaming_data 6 partitions; the three trainers own them all
# between them, each at least one (their /metrics on free host ports, read by prometheus_client's
# parser); the merged model appears in models/scale-out/; a trainer SIGKILLed is restarted by the
# restart policy and takes its place again; `--scale trainer=2` moves the partitions to the two left;
# with the producer stopped, the merged model has learned every record of the topic exactly once
# (its rows = the log's end, its offsets = the log's end) and equals one host trainer's over the same
# topic (relative difference ≤ 1e-9). Then everything is torn down. TAP output; nothing skipped.
set -uo pipefail
SRC=$(cd "${1:?usage: run-scale.sh SOURCE_ROOT BUILD_DIR}" && pwd)
BUILD=$(cd "${2:?usage: run-scale.sh SOURCE_ROOT BUILD_DIR}" && pwd)
. "$SRC/tests/containers/stack-lib.sh"
tap_plan 10
stack_init cscale

# 1–2. Podman, images
stack_podman > "$state/podman.out" 2>&1 || bail "Podman's API socket is up" "$(cat "$state/podman.out")"
out=$(stack_images) || bail "images: co2stream-test-kafka:4.1.1, co2stream:latest" "$out"
ok "Podman's API socket ($DOCKER_HOST) and the images"

# 3. The project: both compose files, free host ports, each trainer's metrics on a port of its own
stack_project docker-compose.yml docker-compose.scale-out.yml
read -r CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT < <(stack_free_ports 3)
# 1,000 rows/s: thousands of rows within seconds, and a producer the trainers keep up with.
export CO2S_KAFKA_PORT CO2S_API_PORT CO2S_PRODUCER_METRICS_PORT CO2S_TRAINER_METRICS_PORT= \
       CO2S_UID=$KUID CO2S_GID=$KUID CO2S_RATE=1000
note "host ports: Kafka $CO2S_KAFKA_PORT, API $CO2S_API_PORT, producer metrics $CO2S_PRODUCER_METRICS_PORT"
merged=$proj/models/scale-out/model.json
health() { podman inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null; }
# healthy SERVICE COUNT: COUNT containers of SERVICE run, all healthy.
healthy() {
  local c k=0
  for c in $(cids "$1"); do [ "$(health "$c")" = healthy ] && k=$((k + 1)); done
  [ "$k" = "$2" ] && [ "$(cids "$1" | wc -l)" = "$2" ]
}
# owned: each trainer's partitions_owned gauge, "index:count" for each, from its own /metrics.
owned() {
  local i port out=
  for i in $(seq 1 "$(cids trainer | wc -l)"); do
    port=$(dc port --index="$i" trainer 9102 2>/dev/null | sed 's/.*://')
    out+="$i:$(curl -fsS --max-time 5 "http://127.0.0.1:${port:-0}/metrics" 2>/dev/null \
      | /usr/bin/python3 "$SRC/tests/common/prom-parse.py" 2>/dev/null | python3 -c '
import json, sys
f = json.load(sys.stdin)
print(int(sum(float(s["value"]) for s in f["co2stream_trainer_partitions_owned"]["samples"])))' 2>/dev/null || echo x) "
  done
  echo "$out"
}
# spread N: N trainers own the 6 partitions between them, each at least one.
spread() {
  local o; o=$(owned)
  python3 -c 'import sys; v = [int(x.split(":")[1]) for x in sys.argv[2].split()]; sys.exit(0 if len(v) == int(sys.argv[1]) and min(v) >= 1 and sum(v) == 6 else 1)' \
    "$1" "$o" 2>/dev/null
}

# 4. up --scale trainer=3, health checks driven here
health_pump_start
tu=$(date +%s)
if dc up -d --no-build --scale trainer=3 > "$state/up.log" 2>&1 \
   && wait_for 240 "healthy" eval 'healthy kafka 1 && healthy api 1 && healthy producer 1 && healthy trainer 3'; then
  ok "up -d --scale trainer=3: Kafka, the API, the producer and three trainers are healthy ($(( $(date +%s) - tu )) s)"
else
  bail "up -d --scale trainer=3: everything healthy" "$(tail -5 "$state/up.log")
$(podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}')
$(dc logs --tail 10 2>&1)"
fi
topics_log=$(dc logs --no-color topics 2>&1)
if grep -q 'streaming_data has 6 partitions' <<<"$topics_log"; then ok "the topics service gave streaming_data 6 partitions"
else fail "the topics service gave streaming_data 6 partitions" "$topics_log"; fi

# 5. The partitions spread over the three trainers; the merged model appears
if wait_for 120 "spread" spread 3; then ok "three trainers own the 6 partitions, each some (index:partitions $(owned))"
else fail "three trainers own the 6 partitions, each some" "$(owned); $(dc logs --tail 10 trainer 2>&1)"; fi
rows_above() { [ "$(model_rows "$merged")" -gt "$1" ]; }
if wait_for 120 "merged model" rows_above 1000; then
  ok "the merged model $merged has $(model_rows "$merged") rows, written as uid $(stat -c %u "$merged")"
else
  fail "the merged model has more than 1000 rows" "$(ls -R "$proj/models" 2>&1 | head); $(dc logs --tail 10 trainer 2>&1)"
fi

# 6. A trainer killed: the restart policy brings it back under its old id, and it owns partitions again
tc=$(cids trainer | head -1)
restarts0=$(podman inspect -f '{{.RestartCount}}' "$tc")
kill -KILL "$(podman inspect -f '{{.State.Pid}}' "$tc")"
restarted() { [ "$(podman inspect -f '{{.RestartCount}} {{.State.Running}}' "$tc")" = "$((restarts0 + 1)) true" ]; }
before=$(model_rows "$merged")
if wait_for 60 "restart" restarted && wait_for 120 "spread" spread 3 && wait_for 120 "progress" rows_above "$before"; then
  ok "a SIGKILLed trainer is restarted and the three own the partitions again (rows $before → $(model_rows "$merged"); trainer folders: $(ls "$proj/models/scale-out/trainers" | wc -l))"
else
  fail "a SIGKILLed trainer is restarted and takes its partitions again" "$(owned); $(dc logs --tail 10 trainer 2>&1)"
fi

# 7. Down to two trainers
if dc up -d --no-build --no-recreate --scale trainer=2 > "$state/scale.log" 2>&1 \
   && wait_for 120 "two" spread 2; then
  ok "--scale trainer=2: the two left own the 6 partitions (index:partitions $(owned))"
else
  fail "--scale trainer=2: the two left own the 6 partitions" "$(tail -3 "$state/scale.log"); $(owned); $(dc logs --tail 10 trainer 2>&1)"
fi

# 8. Every record once: the producer stopped, the merged model reaches the log's end exactly
dc stop -t 10 producer > /dev/null 2>&1
end=$(topic_end streaming_data)
at_end() { [ "$(model_offsets "$merged")" = "$end" ] && [ "$(model_rows "$merged")" = "$end" ]; }
if [ "$end" -gt 0 ] && wait_for 120 "at the log's end" at_end; then
  ok "the merged model learned every record of the topic once ($end records, rows $(model_rows "$merged"), offsets $(model_offsets "$merged"))"
else
  fail "the merged model learned every record of the topic once" "log end $end, rows $(model_rows "$merged"), offsets $(model_offsets "$merged"); $(dc logs --tail 10 trainer 2>&1)"
fi

# 9. The same model as one host trainer over the same topic
mkdir -p "$state/ref"
ref=$("$BUILD/src/trainer/co2stream-trainer" --brokers "127.0.0.1:$CO2S_KAFKA_PORT" --topic streaming_data \
        --group "co2s-cscale-ref-$$" --model-dir "$state/ref" --batch-rows 2000 --batch-ms 500 --algo ls \
        --max-rows "$end" --exit-when-idle 20 2>&1 | tail -2)
if cmp_out=$(python3 "$SRC/tests/containers/compare-models.py" "$merged" "$state/ref/model.json" 2>&1); then
  ok "the three-then-two trainers' merged model equals one trainer's ($cmp_out)"
else
  fail "the three-then-two trainers' merged model equals one trainer's" "$cmp_out
$ref"
fi

# 10. Tear down: nothing of the project left, no API socket process of this run
dc down -v --remove-orphans -t 5 > "$state/down.log" 2>&1
left="$(project_ids ps -a) $(project_ids volume ls)"
bash "$SRC/scripts/podman-setup.sh" stop "$state"
services=$(pgrep -f "podman system service .*$state/podman.sock")
if [ -z "${left// /}" ] && [ -z "$services" ]; then
  ok "docker-compose down -v leaves no container or volume, and no API socket process is left"
else
  fail "docker-compose down -v leaves no container or volume, and no API socket process is left" \
    "left: $left; socket processes: $services; $(tail -3 "$state/down.log")"
fi
unset DOCKER_HOST
note "total $(( $(date +%s) - t0 )) s"
[ $failed -eq 0 ]
