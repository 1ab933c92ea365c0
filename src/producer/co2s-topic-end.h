/* co2s-topic-end.h — where a topic ends: the greatest seq its partitions
 * hold at their ends, so that a restarted producer asks the API for the next
 * row and publishes nothing twice.
 *
 * The lookup reads, with a short-lived consumer of its own that joins no
 * group and commits nothing, the last message of every partition of the
 * topic (high watermark − 1; empty partitions are skipped). A message's seq
 * is its key as decimal text (what Co2sPublisher writes), else the integer
 * "seq" member of its JSON value; a dead letter sent back by co2stream-dlq
 * (header co2s-redrive) has none here. When the last message of a partition has
 * neither, the lookup looks back at most CO2S_TOPIC_END_LOOKBACK messages in
 * that partition for the last one that has, and logs a warning saying so; it
 * fails rather than guess when none has.
 *
 * Within one partition, seqs grow with offsets (one producer, in order).
 * Across partitions the greatest last seq is where the stream ends; rows that
 * were still in flight to another partition when the producer was killed are
 * not seen (with one partition, lost rows are always the tail). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CO2S_TOPIC_END_ERROR (co2s_topic_end_error_quark ())

typedef enum {
  CO2S_TOPIC_END_ERROR_TIMED_OUT,  /* the broker did not answer in time (unreachable, say) */
  CO2S_TOPIC_END_ERROR_NO_SEQ,     /* a partition's last messages have no readable seq */
  CO2S_TOPIC_END_ERROR_FAILED,     /* any other Kafka error (authorization…); message has details */
} Co2sTopicEndError;

/* Messages looked at before the last one of a partition when that one has
 * no readable seq. */
#define CO2S_TOPIC_END_LOOKBACK 100

GQuark co2s_topic_end_error_quark (void);

/* Finds the greatest seq at the ends of @topic's partitions, through
 * @brokers (bootstrap.servers, may be NULL when @overrides set it) and the
 * "key=value" librdkafka properties of @overrides (NULL-terminated, may be
 * NULL; producer-only ones are ignored quietly). Sets *@seq (not NULL) to
 * that seq, or to -1 when the topic is empty or does not exist (it is not
 * created), and returns TRUE. Gives up after @timeout_s (> 0) seconds: FALSE with
 * CO2S_TOPIC_END_ERROR_TIMED_OUT; FALSE with CO2S_KAFKA_ERROR_CONFIG or
 * _CREATE when librdkafka refuses the configuration. Blocks the calling
 * thread; any thread. */
gboolean co2s_topic_find_last_seq (const char *brokers,
                                   const char * const *overrides,
                                   const char *topic,
                                   guint timeout_s,
                                   gint64 *seq,
                                   GError **error);

G_END_DECLS
