#!/bin/bash
# Entrypoint of co2stream-test-kafka: turns KAFKA_* variables into server.properties as the
# official apache/kafka image does (KAFKA_ dropped, lower case, "___" → "-", "__" → "_",
# "_" → "."; the JVM's KAFKA_*_OPTS are not properties), formats the storage on first start
# (CLUSTER_ID, or the official image's default), then runs Kafka in the foreground.
set -euo pipefail
props=/opt/kafka/config/server.properties
: > "$props"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_VERSION|KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_LOG4J_OPTS|KAFKA_JMX_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|\
    KAFKA_GC_LOG_OPTS|KAFKA_LOG4J_ROOT_LOGLEVEL|KAFKA_LOG4J_LOGGERS|KAFKA_TOOLS_LOG4J_LOGLEVEL|KAFKA_JMX_HOSTNAME) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}
  key=$(echo "$key" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  echo "$key=$value" >> "$props"
done < <(env)
grep -q '^log\.dirs=' "$props" || echo "log.dirs=/tmp/kraft-combined-logs" >> "$props"
logdir=$(sed -n 's/^log\.dirs=//p' "$props" | cut -d, -f1)
java=(java ${KAFKA_HEAP_OPTS:--Xms32m -Xmx512m} -XX:+UseSerialGC -Djava.awt.headless=true
      -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*')
if [ ! -f "$logdir/meta.properties" ]; then
  "${java[@]}" kafka.tools.StorageTool format -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$props" --ignore-formatted
fi
exec "${java[@]}" kafka.Kafka "$props"
