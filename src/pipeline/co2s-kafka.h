/* co2s-kafka.h — small helpers around librdkafka shared by the programs. */
#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

#define CO2S_KAFKA_ERROR (co2s_kafka_error_quark ())

typedef enum {
  CO2S_KAFKA_ERROR_CONFIG,   /* a property was refused by librdkafka */
  CO2S_KAFKA_ERROR_CREATE,   /* rd_kafka_new failed */
  CO2S_KAFKA_ERROR_FAILED,   /* any other librdkafka error; message has details */
} Co2sKafkaError;

GQuark co2s_kafka_error_quark (void);

/* Sets one property, turning librdkafka's refusal into a GError naming the
 * key. @conf is not consumed. */
gboolean co2s_kafka_conf_set (rd_kafka_conf_t *conf,
                              const char *key,
                              const char *value,
                              GError **error);

/* New configuration with bootstrap.servers = @brokers (may be NULL), then
 * every "key=value" string of @overrides (NULL-terminated, may be NULL),
 * as kcat's -X does. Returns a conf the caller owns, or NULL with @error. */
rd_kafka_conf_t *co2s_kafka_conf_new (const char *brokers,
                                      const char * const *overrides,
                                      GError **error);

/* New configuration in layers, later ones winning: bootstrap.servers =
 * @brokers (may be NULL), then every "key=value" of @defaults (a
 * program's own settings), then the user's @overrides (-X), then @forced
 * (what the program needs whatever the user says); each list
 * NULL-terminated, may be NULL. The first refused property fails with
 * @error naming it. The caller owns the conf. */
rd_kafka_conf_t *co2s_kafka_conf_new_layered (const char *brokers,
                                              const char * const *defaults,
                                              const char * const *overrides,
                                              const char * const *forced,
                                              GError **error);

/* Applies every "key=value" string of @overrides (NULL-terminated, may be
 * NULL) to @conf, as kcat's -X does; the first refused one sets @error
 * (naming it) and stops. @conf is not consumed. */
gboolean co2s_kafka_conf_apply_overrides (rd_kafka_conf_t *conf,
                                          const char * const *overrides,
                                          GError **error);

/* Creates a producer or consumer from @conf, which it consumes on success
 * and leaves to the caller on failure. */
rd_kafka_t *co2s_kafka_new (rd_kafka_type_t type,
                            rd_kafka_conf_t *conf,
                            GError **error);

/* librdkafka's log callback (rd_kafka_conf_set_log_cb). */
typedef void (*Co2sKafkaLogFunc) (const rd_kafka_t *rk,
                                  int level,
                                  const char *fac,
                                  const char *buf);

/* A consumer that joins no group, for looking at a topic from the side
 * (watermarks, metadata, a few records through the simple consumer API),
 * never subscribing or committing. Its configuration, later settings
 * winning: bootstrap.servers = @brokers (may be NULL), then every
 * "key=value" of @defaults, then the user's @overrides (-X), then
 * @forced (all NULL-terminated, each may be NULL); every property is
 * checked, the first refused one fails with CO2S_KAFKA_ERROR_CONFIG naming
 * it. @log_cb (may be NULL: librdkafka's default, stderr) receives
 * librdkafka's log lines, from its threads. Returns a handle the caller
 * destroys with rd_kafka_destroy, or NULL with @error. Any thread. */
rd_kafka_t *co2s_kafka_side_consumer_new (const char *brokers,
                                          const char * const *defaults,
                                          const char * const *overrides,
                                          const char * const *forced,
                                          Co2sKafkaLogFunc log_cb,
                                          GError **error);

/* The low and high watermarks of @topic [@partition], asked of its leader
 * with a real deadline: returns within about @timeout_ms (> 0) whatever
 * the broker does. librdkafka 2.0's rd_kafka_query_watermark_offsets
 * ignores its timeout once the leader is known and the broker is gone (it
 * blocked over three minutes with 1,000 ms here; librdkafka issue 2588,
 * fixed in 2.3); this asks through rd_kafka_offsets_for_times for the
 * logical offsets BEGINNING and END, whose wait honours the timeout.
 * One of @low and @high may be NULL: that one is not asked (one request
 * instead of two). RD_KAFKA_RESP_ERR_NO_ERROR with *@low and *@high set,
 * else librdkafka's error (RD_KAFKA_RESP_ERR__TIMED_OUT at the deadline,
 * the partition's own error such as UNKNOWN_TOPIC_OR_PART), *@low and
 * *@high then -1. Blocks; any thread (@rk is thread-safe). */
rd_kafka_resp_err_t co2s_kafka_query_watermarks (rd_kafka_t *rk,
                                                 const char *topic,
                                                 gint32 partition,
                                                 gint64 *low,
                                                 gint64 *high,
                                                 int timeout_ms);

/* Queues a copy of @payload (and @key, may be NULL) to the dead-letter
 * @topic with headers "reason" = @reason (a short stable word such as
 * "not-json"), and, when not NULL, "detail" = @detail (the human message)
 * and "source" = @source (where the message came from). Non-blocking;
 * delivery is reported through the handle's delivery callback like any other
 * message. Returns librdkafka's error, RD_KAFKA_RESP_ERR__QUEUE_FULL
 * included, so the caller can poll and try again. Any thread. */
rd_kafka_resp_err_t co2s_kafka_produce_dead_letter (rd_kafka_t *rk,
                                                    const char *topic,
                                                    const void *payload,
                                                    gsize len,
                                                    const void *key,
                                                    gsize key_len,
                                                    const char *reason,
                                                    const char *detail,
                                                    const char *source);

G_END_DECLS
