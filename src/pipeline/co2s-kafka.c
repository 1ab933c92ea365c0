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
