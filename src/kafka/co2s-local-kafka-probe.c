/* co2s-local-kafka-probe.c — is Kafka ready? It is once it answers a
 * METADATA request on its client port with itself as a broker: the broker
 * only processes requests when its start-up is complete. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <librdkafka/rdkafka.h>

#include "co2s-kafka.h"

#define METADATA_TIMEOUT_MS 500
#define RETRY_PAUSE_US (100 * 1000)

/* While Kafka starts, every attempt is a refused connection: librdkafka
 * would log each one ("Connect to … failed: Connection refused", "1/1
 * brokers are down"). None of it is news; keep it for G_MESSAGES_DEBUG. */
static void
quiet_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  g_debug ("probe: librdkafka %s: %s", fac, buf);
}

static void
quiet_error (rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  g_debug ("probe: librdkafka error %s: %s", rd_kafka_err2name (err), reason);
}

static rd_kafka_t *
new_probe_handle (const char *bootstrap, GError **error)
{
  /* Reconnect fast (librdkafka's backoff grows to 10 s by default) and
   * give up on a silent connection after the minimum second. */
  static const char * const settings[][2] = {
    { "reconnect.backoff.ms", "50" },
    { "reconnect.backoff.max.ms", "250" },
    { "socket.connection.setup.timeout.ms", "1000" },
    { "log.connection.close", "false" },
    { "api.version.request.timeout.ms", "2000" },
  };
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (bootstrap, NULL, error);
  rd_kafka_t *rk;

  if (conf == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    if (!co2s_kafka_conf_set (conf, settings[i][0], settings[i][1], error))
      {
        rd_kafka_conf_destroy (conf);
        return NULL;
      }
  rd_kafka_conf_set_log_cb (conf, quiet_log);
  rd_kafka_conf_set_error_cb (conf, quiet_error);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    rd_kafka_conf_destroy (conf);
  return rk;
}

static void
probe_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *bootstrap = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ready = FALSE;
  rd_kafka_t *rk;

  rk = new_probe_handle (bootstrap, &error);
  if (rk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while (!ready && !g_cancellable_is_cancelled (cancellable))
    {
      const struct rd_kafka_metadata *md = NULL;
      rd_kafka_resp_err_t err = rd_kafka_metadata (rk, 0, NULL, &md, METADATA_TIMEOUT_MS);

      rd_kafka_poll (rk, 0);  /* serves the error callback */
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          ready = md->broker_cnt > 0;
          rd_kafka_metadata_destroy (md);
          if (!ready)
            g_usleep (RETRY_PAUSE_US);
        }
      else
        g_debug ("probe: %s", rd_kafka_err2str (err));
    }
  rd_kafka_destroy (rk);
  if (ready)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "probe cancelled");
}

void
co2s_local_kafka_probe_async (const char *bootstrap,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (bootstrap != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_local_kafka_probe_async);
  g_task_set_task_data (task, g_strdup (bootstrap), g_free);
  /* The thread checks the cancellable itself, every half second. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, probe_thread);
}

gboolean
co2s_local_kafka_probe_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
