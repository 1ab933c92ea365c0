/* co2s-topic-partitions.h — a topic with at least N partitions, so that N
 * scale-out trainers of one consumer group each have some to learn.
 *
 * A missing topic is created with N partitions (replication: the broker's
 * default); a topic with fewer gets more (CreatePartitions); one with N or
 * more is left alone: partitions are never removed (Kafka cannot, and the
 * rows they hold would be lost). Rows already in the topic stay in their
 * partitions; new rows are spread by their keys. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What co2s_topic_ensure_partitions found and did. */
typedef struct {
  int before;   /* partitions before: 0 when the topic did not exist */
  int after;    /* partitions now (≥ the number asked for) */
} Co2sTopicPartitions;

/* Makes sure @topic has at least @partitions (≥ 1) partitions, through
 * @brokers (bootstrap.servers, may be NULL when @overrides set it) and the
 * "key=value" librdkafka properties of @overrides (NULL-terminated, may be
 * NULL). Fills @result (not NULL) and returns TRUE once the topic's
 * metadata shows that many; FALSE with @error (CO2S_KAFKA_ERROR_FAILED,
 * naming the topic, the broker and Kafka's reason; _CONFIG for a refused
 * property) when Kafka refuses or does not answer within @timeout_s (> 0)
 * seconds. A topic another client creates at the same moment is fine.
 * Blocks the calling thread; any thread. */
gboolean co2s_topic_ensure_partitions (const char *brokers,
                                       const char * const *overrides,
                                       const char *topic,
                                       int partitions,
                                       guint timeout_s,
                                       Co2sTopicPartitions *result,
                                       GError **error);

G_END_DECLS
