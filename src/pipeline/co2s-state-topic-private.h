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

G_END_DECLS
