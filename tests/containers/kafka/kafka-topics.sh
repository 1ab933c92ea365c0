#!/bin/bash
# As the official image's script: Kafka's TopicCommand (kafka-tools).
exec java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' org.apache.kafka.tools.TopicCommand "$@"
