/* co2s-log-check.h — is a partition's log still the one a model learned?
 *
 * Kafka numbers a partition's records from 0 again when its topic is
 * deleted and recreated, and librdkafka 2.0.2 (Debian 12) shows no topic
 * id: its rdkafka.h has no Uuid type, no topic id in rd_kafka_metadata_topic_t
 * or rd_kafka_topic_partition_t, no DescribeTopics, not even a record's
 * leader epoch (all came in later releases). So a model file's "next
 * offset 300" would silently point into the new log, past its first 300
 * rows. The model file keeps instead who the record before the next offset
 * is (Co2sRecordId: offset, timestamp, key, SHA-256 of key and value), and
 * this check compares it with what the broker holds now:
 *  - the partition no longer exists, or its log ends before the next
 *    offset: not that log;
 *  - the record at that offset is still in the log: it must be the same
 *    record (one small fetch);
 *  - retention removed it (the log starts after it): that alone is no
 *    alarm; the log's first record must then not be older than it (by more
 *    than a minute, for producers' clocks).
 * A model file without a last record (written before it existed, or saved
 * before the first row) can only be checked against the log's end.
 * The trainer checks its model file's positions on the first assignment,
 * and, while it runs, every LOG_CHECK_INTERVAL_S the positions it learned
 * at the previous check (those came from the log as it was then).
 *
 * It reads through librdkafka's simple consumer: no group, nothing
 * committed, the trainer's -X properties applied. Blocking; one thread. */
#pragma once

#include <glib.h>

#include "co2s-checkpoint.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_LOG_SAME,       /* the log learned, as far as the broker can tell */
  CO2S_LOG_REPLACED,   /* not that log: deleted and recreated, truncated, replaced */
} Co2sLogVerdict;

typedef struct _Co2sLogCheck Co2sLogCheck;

/* A checker of @topic on @brokers (may be NULL: librdkafka's default) with
 * the "key=value" -X @overrides (may be NULL); each question to the broker
 * is given @timeout_ms. NULL with a CO2S_KAFKA_ERROR when the client cannot
 * be created (a refused property). Free with co2s_log_check_free. */
Co2sLogCheck *co2s_log_check_new (const char *brokers,
                                  const char * const *overrides,
                                  const char *topic,
                                  guint timeout_ms,
                                  GError **error);

void co2s_log_check_free (Co2sLogCheck *check);

/* Compares @position (a partition's next offset and, when known, the last
 * record learned before it) with the topic's log now. TRUE with @verdict;
 * for CO2S_LOG_REPLACED, @why (may be NULL; free with g_free) gets what was
 * expected and what was found, in English. FALSE with @error (the broker
 * did not answer in time, or refused) when it cannot tell. */
gboolean co2s_log_check_partition (Co2sLogCheck *check,
                                   const Co2sPartitionOffset *position,
                                   Co2sLogVerdict *verdict,
                                   char **why,
                                   GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sLogCheck, co2s_log_check_free)

G_END_DECLS
