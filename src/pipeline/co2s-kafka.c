/* co2s-kafka.c — small helpers around librdkafka. */
#define G_LOG_DOMAIN "co2s-kafka"

#include "co2s-kafka.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (co2s-kafka-error-quark, co2s_kafka_error)

gboolean
co2s_kafka_conf_set (rd_kafka_conf_t *conf,
                     const char *key,
                     const char *value,
                     GError **error)
{
  char errstr[512];

  g_return_val_if_fail (conf != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  if (rd_kafka_conf_set (conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG,
                   _("Kafka property %s=%s refused: %s"), key, value, errstr);
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_kafka_conf_apply_overrides (rd_kafka_conf_t *conf,
                                 const char * const *overrides,
                                 GError **error)
{
  g_return_val_if_fail (conf != NULL, FALSE);

  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    {
      const char *eq = strchr (overrides[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == overrides[i])
        {
          g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG,
                       _("-X %s: expected key=value"), overrides[i]);
          return FALSE;
        }
      key = g_strndup (overrides[i], eq - overrides[i]);
      if (!co2s_kafka_conf_set (conf, key, eq + 1, error))
        return FALSE;
    }
  return TRUE;
}

rd_kafka_conf_t *
co2s_kafka_conf_new (const char *brokers,
                     const char * const *overrides,
                     GError **error)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();

  if ((brokers != NULL && !co2s_kafka_conf_set (conf, "bootstrap.servers", brokers, error)) ||
      !co2s_kafka_conf_apply_overrides (conf, overrides, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  return conf;
}

rd_kafka_t *
co2s_kafka_new (rd_kafka_type_t type, rd_kafka_conf_t *conf, GError **error)
{
  char errstr[512];
  rd_kafka_t *rk;

  g_return_val_if_fail (conf != NULL, NULL);

  rk = rd_kafka_new (type, conf, errstr, sizeof errstr);
  if (rk == NULL)
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CREATE,
                 type == RD_KAFKA_PRODUCER ? _("cannot create the Kafka producer: %s")
                                           : _("cannot create the Kafka consumer: %s"),
                 errstr);
  return rk;
}

rd_kafka_conf_t *
co2s_kafka_conf_new_layered (const char *brokers,
                             const char * const *defaults,
                             const char * const *overrides,
                             const char * const *forced,
                             GError **error)
{
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conf = co2s_kafka_conf_new (brokers, defaults, error);
  if (conf == NULL)
    return NULL;
  if (!co2s_kafka_conf_apply_overrides (conf, overrides, error) ||
      !co2s_kafka_conf_apply_overrides (conf, forced, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  return conf;
}

rd_kafka_t *
co2s_kafka_side_consumer_new (const char *brokers,
                              const char * const *defaults,
                              const char * const *overrides,
                              const char * const *forced,
                              Co2sKafkaLogFunc log_cb,
                              GError **error)
{
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conf = co2s_kafka_conf_new_layered (brokers, defaults, overrides, forced, error);
  if (conf == NULL)
    return NULL;
  if (log_cb != NULL)
    rd_kafka_conf_set_log_cb (conf, log_cb);

  rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, error);
  if (rk == NULL)
    rd_kafka_conf_destroy (conf);
  return rk;
}

/* One logical offset (BEGINNING or END) of @topic [@partition] resolved by
 * the leader within @timeout_ms. */
static rd_kafka_resp_err_t
query_logical_offset (rd_kafka_t *rk, const char *topic, gint32 partition,
                      int64_t logical, int timeout_ms, gint64 *offset)
{
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (1);
  rd_kafka_resp_err_t err;

  rd_kafka_topic_partition_list_add (list, topic, partition)->offset = logical;
  err = rd_kafka_offsets_for_times (rk, list, timeout_ms);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
    err = list->elems[0].err;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[0].offset < 0)
    err = RD_KAFKA_RESP_ERR__BAD_MSG;   /* not an offset: a broker that did not resolve it */
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
    *offset = list->elems[0].offset;
  rd_kafka_topic_partition_list_destroy (list);
  return err;
}

rd_kafka_resp_err_t
co2s_kafka_query_watermarks (rd_kafka_t *rk,
                             const char *topic,
                             gint32 partition,
                             gint64 *low,
                             gint64 *high,
                             int timeout_ms)
{
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  gint64 deadline;
  gint64 left_ms;

  g_return_val_if_fail (low != NULL || high != NULL, RD_KAFKA_RESP_ERR__INVALID_ARG);
  if (low != NULL)
    *low = -1;
  if (high != NULL)
    *high = -1;
  g_return_val_if_fail (rk != NULL && topic != NULL, RD_KAFKA_RESP_ERR__INVALID_ARG);
  g_return_val_if_fail (partition >= 0 && timeout_ms > 0, RD_KAFKA_RESP_ERR__INVALID_ARG);

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  /* The start first: the end asked after it is never below it. Two
   * requests, since a ListOffsets request may not name a partition twice. */
  if (low != NULL)
    err = query_logical_offset (rk, topic, partition, RD_KAFKA_OFFSET_BEGINNING, timeout_ms, low);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && high != NULL)
    {
      left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      err = left_ms <= 0 ? RD_KAFKA_RESP_ERR__TIMED_OUT
                         : query_logical_offset (rk, topic, partition, RD_KAFKA_OFFSET_END,
                                                 (int) left_ms, high);
    }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      if (low != NULL)
        *low = -1;
      if (high != NULL)
        *high = -1;
    }
  return err;
}

rd_kafka_resp_err_t
co2s_kafka_produce_dead_letter (rd_kafka_t *rk,
                                const char *topic,
                                const void *payload,
                                gsize len,
                                const void *key,
                                gsize key_len,
                                const char *reason,
                                const char *detail,
                                const char *source)
{
  rd_kafka_headers_t *hdrs;
  rd_kafka_resp_err_t err;

  g_return_val_if_fail (rk != NULL && topic != NULL && reason != NULL, RD_KAFKA_RESP_ERR__INVALID_ARG);

  hdrs = rd_kafka_headers_new (3);
  rd_kafka_header_add (hdrs, "reason", -1, reason, -1);
  if (detail != NULL)
    rd_kafka_header_add (hdrs, "detail", -1, detail, -1);
  if (source != NULL)
    rd_kafka_header_add (hdrs, "source", -1, source, -1);

  err = rd_kafka_producev (rk,
                           RD_KAFKA_V_TOPIC (topic),
                           RD_KAFKA_V_VALUE ((void *) payload, len),
                           RD_KAFKA_V_KEY ((void *) key, key_len),
                           RD_KAFKA_V_HEADERS (hdrs),
                           RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    rd_kafka_headers_destroy (hdrs);   /* not taken over on failure */
  return err;
}
