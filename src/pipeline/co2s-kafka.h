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
