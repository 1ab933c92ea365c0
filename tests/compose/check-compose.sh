#!/usr/bin/env bash
# Static checks of the container set-up (no Docker engine here): docker-compose.yml is valid for
# Debian's docker-compose, defines the services and wiring issue #2 asks for, and the Dockerfile
# builds the services alone (no GTK) from the README's package list, as an unprivileged user. TAP output.
set -uo pipefail
root=${1:?usage: check-compose.sh SOURCE_ROOT}
cd "$root"
n=0; failed=0
ok()   { n=$((n+1)); echo "ok $n - $1"; }
fail() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || sed 's/^/# /' <<<"$2"; }
check() { local name=$1; shift; if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi; }

command -v docker-compose >/dev/null || { echo "1..1"; echo "not ok 1 - docker-compose is not installed (apt-get install docker-compose)"; exit 1; }
echo "1..26"
check "compose file is valid (docker-compose config -q)" docker-compose -f docker-compose.yml config -q
cfg=$(docker-compose -f docker-compose.yml config 2>/dev/null)
services=$(docker-compose -f docker-compose.yml config --services 2>/dev/null | sort | tr '\n' ' ')
[ "$services" = "api kafka producer trainer " ] && ok "services are kafka, api, producer, trainer" || fail "services are kafka, api, producer, trainer" "got: $services"
grep -q 'image: apache/kafka:' <<<"$cfg" && ok "kafka uses the official Apache Kafka image" || fail "kafka uses the official Apache Kafka image"
grep -q 'KAFKA_PROCESS_ROLES: broker,controller' <<<"$cfg" && ok "kafka is a single KRaft node" || fail "kafka is a single KRaft node"
grep -q '127.0.0.1:9092:9092\|published: 9092' <<<"$cfg" && ok "kafka publishes 9092 on localhost" || fail "kafka publishes 9092 on localhost"
grep -q 'INTERNAL://kafka:19092' <<<"$cfg" && ok "kafka has a listener for the other containers" || fail "kafka has a listener for the other containers"
grep -qE '/data:ro|read_only: true' <<<"$cfg" && ok "./data is mounted read-only" || fail "./data is mounted read-only"
grep -qE 'models:/models(:rw)?$' <<<"$cfg" && ok "./models is mounted read-write" || fail "./models is mounted read-write"
[ "$(grep -c 'healthcheck:' <<<"$cfg")" -eq 4 ] && grep -q '/health' <<<"$cfg" && ok "every service has a healthcheck" || fail "every service has a healthcheck"
grep -q 'condition: service_healthy' <<<"$cfg" && ok "depends_on uses health conditions" || fail "depends_on uses health conditions"
[ "$(grep -c 'restart: unless-stopped' <<<"$cfg")" -eq 4 ] && ok "every service has a restart policy" || fail "every service has a restart policy"
[ "$(grep -c '^FROM ' Dockerfile)" -ge 2 ] && ok "Dockerfile is multi-stage" || fail "Dockerfile is multi-stage"
grep -q 'FROM debian:12' Dockerfile && ok "Dockerfile builds on Debian 12" || fail "Dockerfile builds on Debian 12"
grep -q 'scripts/deps-debian.txt' Dockerfile && grep -q -- '-Dservices_only=true' Dockerfile \
  && ok "Dockerfile uses the README's package list and builds the services only" || fail "Dockerfile uses the README's package list and builds the services only"
grep -qiE 'gtk|adwaita|plplot' <(sed '/^#/d' Dockerfile; awk '/^# desktop app/ { exit } /^[a-z0-9]/ { print }' scripts/deps-debian.txt) \
  && fail "no GTK, libadwaita or PLplot in the images" || ok "no GTK, libadwaita or PLplot in the images"
grep -qE '^USER +[1-9]' Dockerfile && ok "the runtime image runs as an unprivileged user" || fail "the runtime image runs as an unprivileged user"
grep -qx 'builddir\*' .dockerignore 2>/dev/null && grep -qx 'models' .dockerignore && grep -qx '.git' .dockerignore \
  && ok ".dockerignore keeps build folders, models/ and .git out of the context" || fail ".dockerignore keeps build folders, models/ and .git out of the context"
grep -q 'KAFKA_LOG_DIRS: /var/lib/kafka/data' <<<"$cfg" && grep -q 'kafka-data:/var/lib/kafka/data' <<<"$cfg" \
  && ok "Kafka's log is on the named volume" || fail "Kafka's log is on the named volume"
u=$(CO2S_UID=4242 CO2S_GID=4343 docker-compose -f docker-compose.yml config 2>/dev/null | grep -c "user: 4242:4343")
[ "$u" = 1 ] && ok "the trainer runs as CO2S_UID:CO2S_GID" || fail "the trainer runs as CO2S_UID:CO2S_GID" "user lines: $u"
grep -A3 'co2stream-trainer' <<<"$cfg" | grep -q -- '--batch-rows' && ! grep -A6 'co2stream-trainer' <<<"$cfg" | grep -qE -- '- "?(100|10)"?$' \
  && ok "the trainer's batches are not the stalling 100 rows" || fail "the trainer's batches are not the stalling 100 rows"
grep -A12 -- '- co2stream-producer' <<<"$cfg" | grep -q -- '0.0.0.0:9101' && grep -A16 -- '- co2stream-trainer' <<<"$cfg" | grep -q -- '0.0.0.0:9102' \
  && grep -qE '127.0.0.1:9101:9101|host_ip: 127.0.0.1' <<<"$cfg" && grep -q '127.0.0.1:9102:9102' <<<"$cfg" \
  && ok "producer and trainer serve Prometheus metrics, published on localhost only" \
  || fail "producer and trainer serve Prometheus metrics, published on localhost only"
# Two stacks at once (the containers tests, a second project) need other host ports for them.
ports=$(CO2S_PRODUCER_METRICS_PORT=19101 CO2S_TRAINER_METRICS_PORT=19102 docker-compose -f docker-compose.yml config 2>/dev/null)
grep -q '127.0.0.1:19101:9101' <<<"$ports" && grep -q '127.0.0.1:19102:9102' <<<"$ports" \
  && ok "the metrics' host ports follow CO2S_PRODUCER_METRICS_PORT and CO2S_TRAINER_METRICS_PORT" \
  || fail "the metrics' host ports follow CO2S_PRODUCER_METRICS_PORT and CO2S_TRAINER_METRICS_PORT" "$(grep -E '910[12]' <<<"$ports")"
# Scale-out (docker-compose.scale-out.yml over the main file): several trainers need free host ports.
scale=(-f docker-compose.yml -f docker-compose.scale-out.yml)
check "scale-out override is valid over the compose file" docker-compose "${scale[@]}" config -q
scfg=$(CO2S_TRAINER_METRICS_PORT= docker-compose "${scale[@]}" config 2>/dev/null)
grep -A3 -- '- co2stream-trainer' <<<"$scfg" | grep -q -- '--scale-out' && grep -q -- '/models/scale-out' <<<"$scfg" \
  && ! grep -qE -- '- (sgd|.*,sgd)' <<<"$scfg" \
  && ok "scale-out trainers: --scale-out, a model folder of their own" || fail "scale-out trainers: --scale-out, a model folder of their own"
grep -q '127.0.0.1::9102' <<<"$scfg" && ! grep -q '127.0.0.1:9102:9102' <<<"$scfg" \
  && ok "CO2S_TRAINER_METRICS_PORT set and empty publishes each trainer's metrics on a free port" \
  || fail "CO2S_TRAINER_METRICS_PORT set and empty publishes each trainer's metrics on a free port" "$(grep 9102 <<<"$scfg")"
grep -B2 -A30 '^  topics:' <<<"$scfg" | grep -q -- '--partitions' && [ "$(grep -c 'condition: service_completed_successfully' <<<"$scfg")" = 2 ] \
  && ok "the topics service sizes streaming_data before the producer and the trainers start" \
  || fail "the topics service sizes streaming_data before the producer and the trainers start"
[ $failed -eq 0 ]
