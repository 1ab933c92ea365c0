/* co2s-state-topic-private.h — what co2s-state-topic.c and
 * co2s-state-writer.c share; not for other files. */
#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

#define CO2S_STATE_TOPIC_OR_DEFAULT(topic) ((topic) != NULL ? (topic) : CO2S_STATE_TOPIC_DEFAULT)

/* A configuration: bootstrap.servers = @brokers (may be NULL), the user's
 * @overrides, then @forced ("key=value", NULL-terminated, each may be NULL),
 * every one checked, and librdkafka's log lines through GLib's log
 * (never a warning). The caller owns it; NULL with @error. */
rd_kafka_conf_t *co2s_state_conf_new (const char *brokers,
                                      const char * const *overrides,
                                      const char * const *forced,
                                      GError **error);

/* librdkafka's log lines through GLib's log, never as warnings (tests run
 * with fatal warnings): failures reach callers as GErrors. */
void _co2s_state_on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* The partition count of @topic once every partition has a leader, or -1
 * with @error: CO2S_STATE_ERROR_NO_TOPIC when the broker does not know it
 * (at once if @unknown_is_final, else at @deadline, monotonic µs),
 * CO2S_STATE_ERROR_FAILED at @deadline otherwise. @brokers names the
 * cluster in messages. Blocks. */
int _co2s_state_partition_count (rd_kafka_t *rk,
                                 const char *topic,
                                 const char *brokers,
                                 gboolean unknown_is_final,
                                 gint64 deadline,
                                 GError **error);

/* Applies the state-topic record @m to @table (key → Co2sStateEntry): a
 * state replaces the key's entry, a tombstone removes it; with
 * @forward_only a state whose next offset is below the entry's is ignored
 * (the entry came from a newer read). FALSE with @error
 * (CO2S_STATE_ERROR_INVALID, naming the record) when @m is no state record
 * or its key was seen in another partition (@homes: key → partition + 1). */
gboolean _co2s_state_apply_record (GHashTable *table,
                                   GHashTable *homes,
                                   const char *state_topic,
                                   const rd_kafka_message_t *m,
                                   gboolean forward_only,
                                   GError **error);

G_END_DECLS
