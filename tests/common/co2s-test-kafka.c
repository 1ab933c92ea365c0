/* co2s-test-kafka.c — Kafka fixtures (embedded broker, real Apache Kafka)
 * and small librdkafka helpers for the integration tests. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"

#define METADATA_TIMEOUT_MS 10000
#define DELIVERY_TIMEOUT_MS 30000

typedef struct
{
  guint delivered;
  guint failed;
  char *first_error;
} Deliveries;

static char *kafka_brokers;    /* what co2s_test_kafka_brokers returns */
static char *kafka_state_dir;  /* set while a broker we started runs */

/* ---- static helpers -------------------------------------------------------- */

static void
quiet_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  /* Errors surface through the calls' results; keep the test log readable. */
  if (level <= 3)
    g_test_message ("librdkafka %s: %s", fac, buf);
}

static rd_kafka_t *
new_handle (rd_kafka_type_t type, const char *brokers, const char * const *overrides,
            gpointer opaque, GError **error)
{
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (brokers, overrides, error);
  rd_kafka_t *rk;

  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_log_cb (conf, quiet_log);
  rd_kafka_conf_set_opaque (conf, opaque);
  rk = co2s_kafka_new (type, conf, error);
  if (rk == NULL)
    rd_kafka_conf_destroy (conf);
  return rk;
}

static void
on_delivery (rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque)
{
  Deliveries *deliveries = opaque;

  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    deliveries->delivered++;
  else
    {
      deliveries->failed++;
      if (deliveries->first_error == NULL)
        deliveries->first_error = g_strdup (rd_kafka_err2str (message->err));
    }
}

/* Topic metadata with every partition led, retried until @deadline. */
static int
wait_partition_count (rd_kafka_t *rk, const char *topic, int expected,
                      gint64 deadline, GError **error)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
  int count = -1;

  while (count < 0)
    {
      const struct rd_kafka_metadata *md = NULL;

      last = rd_kafka_metadata (rk, 0, rkt, &md, METADATA_TIMEOUT_MS);
      if (last == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          const struct rd_kafka_metadata_topic *t = &md->topics[0];
          gboolean led = t->partition_cnt > 0;

          for (int i = 0; i < t->partition_cnt; i++)
            led = led && t->partitions[i].leader >= 0 &&
                  t->partitions[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
          last = t->err;
          if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR && led &&
              (expected < 0 || t->partition_cnt == expected))
            count = t->partition_cnt;
          rd_kafka_metadata_destroy (md);
        }
      if (count < 0 && g_get_monotonic_time () >= deadline)
        break;
      if (count < 0)
        g_usleep (20000);
    }
  rd_kafka_topic_destroy (rkt);

  if (count < 0)
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                 "topic %s: no metadata with every partition led%s (last error: %s)",
                 topic, expected > 0 ? " and the expected partition count" : "",
                 rd_kafka_err2str (last));
  return count;
}

static Co2sTestMessage *
message_copy (const rd_kafka_message_t *m)
{
  Co2sTestMessage *copy = g_new0 (Co2sTestMessage, 1);
  rd_kafka_headers_t *headers = NULL;
  rd_kafka_timestamp_type_t ts_type;

  copy->partition = m->partition;
  copy->offset = m->offset;
  copy->timestamp_ms = rd_kafka_message_timestamp (m, &ts_type);
  if (m->key != NULL)
    copy->key = g_strndup (m->key, m->key_len);
  if (m->payload != NULL)
    copy->payload = g_strndup (m->payload, m->len);
  copy->len = m->len;
  copy->headers = g_ptr_array_new_with_free_func (g_free);

  if (rd_kafka_message_headers (m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      const char *name;
      const void *value;
      size_t size;

      for (size_t i = 0; rd_kafka_header_get_all (headers, i, &name, &value, &size) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR; i++)
        {
          g_ptr_array_add (copy->headers, g_strdup (name));
          g_ptr_array_add (copy->headers, value != NULL ? g_strndup (value, size) : NULL);
        }
    }
  return copy;
}

static void
stop_kafka_at_exit (void)
{
  co2s_test_kafka_stop ();
}

/* ---- Kafka fixtures ---------------------------------------------------------- */

Co2sTestProc *
co2s_test_embedded_broker_start (const char * const *extra_args, char **bootstrap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *line = NULL;
  g_autofree char *prefix = g_regex_escape_string (CO2S_READY_BROKER_PREFIX, -1);
  g_autofree char *ready = g_strconcat ("^", prefix, NULL);
  Co2sTestProc *proc;

  g_return_val_if_fail (bootstrap != NULL, NULL);

  g_ptr_array_add (argv, (char *) co2s_test_program ("CO2S_BROKER"));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, NULL);
  if (!co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, ready, 10000, &line))
    {
      g_autofree char *err = co2s_test_proc_stderr_text (proc);

      g_error ("co2stream-broker printed no bootstrap.servers line within 10 s; stderr:\n%s", err);
    }
  *bootstrap = g_strdup (line + strlen (CO2S_READY_BROKER_PREFIX));
  return proc;
}

const char *
co2s_test_kafka_brokers (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *owner = NULL;
  g_auto(GStrv) lines = NULL;
  const char *from_env = g_getenv ("CO2S_KAFKA_BROKERS");
  const char *script;
  gint64 started;

  if (kafka_brokers != NULL)
    return kafka_brokers;

  if (from_env != NULL && *from_env != '\0')
    {
      g_test_message ("using the Kafka at CO2S_KAFKA_BROKERS=%s", from_env);
      kafka_brokers = g_strdup (from_env);
      return kafka_brokers;
    }

  script = co2s_test_program ("CO2S_KAFKA_SCRIPT");
  kafka_state_dir = g_dir_make_tmp ("co2s-kafka-XXXXXX", &error);
  if (kafka_state_dir == NULL)
    g_error ("cannot create a state directory for Kafka: %s", error->message);
  atexit (stop_kafka_at_exit);

  owner = g_strdup_printf ("%d", (int) getpid ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "CO2S_KAFKA_OWNER_PID", owner, TRUE);
  g_subprocess_launcher_setenv (launcher, "CO2S_KAFKA_OWNER_CLEANUP", "1", TRUE);

  started = g_get_monotonic_time ();
  subprocess = g_subprocess_launcher_spawn (launcher, &error, script, "start", kafka_state_dir, NULL);
  if (subprocess == NULL ||
      !g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &out, &err, &error))
    g_error ("cannot run %s start %s: %s", script, kafka_state_dir, error->message);

  lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL && kafka_brokers == NULL; i++)
    if (g_str_has_prefix (lines[i], CO2S_READY_BROKER_PREFIX))
      kafka_brokers = g_strdup (lines[i] + strlen (CO2S_READY_BROKER_PREFIX));

  if (!g_subprocess_get_successful (subprocess) || kafka_brokers == NULL)
    {
      /* The script's output already quotes the log; keep the directory
       * only when asked to. */
      if (g_getenv ("CO2S_TEST_KEEP_TMP") == NULL)
        co2s_test_rm_rf (kafka_state_dir, NULL);
      g_error ("Apache Kafka did not start (%s start %s, exit status %d).\n"
               "stdout:\n%s\nstderr:\n%s",
               script, kafka_state_dir, g_subprocess_get_exit_status (subprocess),
               out != NULL ? out : "", err != NULL ? err : "");
    }

  g_test_message ("Apache Kafka ready at %s after %.1f s (state in %s)", kafka_brokers,
                  (g_get_monotonic_time () - started) / (double) G_TIME_SPAN_SECOND,
                  kafka_state_dir);
  return kafka_brokers;
}

void
co2s_test_kafka_stop (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int wait_status = 0;
  const char *script;

  if (kafka_state_dir == NULL)
    return;

  script = g_getenv ("CO2S_KAFKA_SCRIPT");
  if (script != NULL)
    {
      const char *argv[] = { script, "stop", kafka_state_dir, NULL };

      /* Synchronous and GLib-main-loop free: this also runs from atexit. */
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                         NULL, NULL, NULL, &out, &wait_status, &error) ||
          !g_spawn_check_wait_status (wait_status, &error))
        g_printerr ("co2s-test: stopping Kafka in %s failed: %s\n%s\n",
                    kafka_state_dir, error->message, out != NULL ? out : "");
    }
  g_clear_error (&error);
  if (!co2s_test_rm_rf (kafka_state_dir, &error))
    g_printerr ("co2s-test: %s\n", error->message);
  g_clear_pointer (&kafka_state_dir, g_free);
  g_clear_pointer (&kafka_brokers, g_free);
}

char *
co2s_test_unique_topic (const char *prefix)
{
  static gint counter;

  g_return_val_if_fail (prefix != NULL, NULL);

  return g_strdup_printf ("%s-%d-%d-%08x", prefix, (int) getpid (),
                          g_atomic_int_add (&counter, 1), g_random_int ());
}

/* ---- Kafka helpers ---------------------------------------------------------- */

gboolean
co2s_test_kafka_create_topic (const char *brokers, const char *topic, int partitions,
                              GError **error)
{
  char errstr[512];
  rd_kafka_t *rk;
  rd_kafka_NewTopic_t *new_topic;
  rd_kafka_queue_t *queue;
  rd_kafka_event_t *event;
  gboolean ok = FALSE;

  g_return_val_if_fail (brokers != NULL && topic != NULL && partitions > 0, FALSE);

  rk = new_handle (RD_KAFKA_PRODUCER, brokers, NULL, NULL, error);
  if (rk == NULL)
    return FALSE;

  new_topic = rd_kafka_NewTopic_new (topic, partitions, 1, errstr, sizeof errstr);
  if (new_topic == NULL)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   "topic %s: %s", topic, errstr);
      rd_kafka_destroy (rk);
      return FALSE;
    }

  queue = rd_kafka_queue_new (rk);
  rd_kafka_CreateTopics (rk, &new_topic, 1, NULL, queue);
  event = rd_kafka_queue_poll (queue, DELIVERY_TIMEOUT_MS + 5000);

  if (event == NULL)
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                 "CreateTopics %s: no answer from %s", topic, brokers);
  else if (rd_kafka_event_error (event) != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                 "CreateTopics %s: %s", topic, rd_kafka_event_error_string (event));
  else
    {
      const rd_kafka_CreateTopics_result_t *result = rd_kafka_event_CreateTopics_result (event);
      size_t n = 0;
      const rd_kafka_topic_result_t **results = rd_kafka_CreateTopics_result_topics (result, &n);

      if (n != 1)
        g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                     "CreateTopics %s: %zu results", topic, n);
      else if (rd_kafka_topic_result_error (results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
        g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                     "CreateTopics %s: %s", topic,
                     rd_kafka_topic_result_error_string (results[0]) != NULL
                     ? rd_kafka_topic_result_error_string (results[0])
                     : rd_kafka_err2str (rd_kafka_topic_result_error (results[0])));
      else
        ok = wait_partition_count (rk, topic, partitions,
                                   g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND,
                                   error) == partitions;
    }

  g_clear_pointer (&event, rd_kafka_event_destroy);
  rd_kafka_queue_destroy (queue);
  rd_kafka_NewTopic_destroy (new_topic);
  rd_kafka_destroy (rk);
  return ok;
}

gboolean
co2s_test_kafka_produce (const char *brokers,
                         const char *topic,
                         const char * const *payloads,
                         const char * const *keys,
                         guint n_payloads,
                         GError **error)
{
  static const char * const overrides[] = { "linger.ms=5", NULL };
  Deliveries deliveries = { 0 };
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  gboolean ok = TRUE;

  g_return_val_if_fail (brokers != NULL && topic != NULL, FALSE);
  g_return_val_if_fail (payloads != NULL || n_payloads == 0, FALSE);

  conf = co2s_kafka_conf_new (brokers, overrides, error);
  if (conf == NULL)
    return FALSE;
  rd_kafka_conf_set_log_cb (conf, quiet_log);
  rd_kafka_conf_set_opaque (conf, &deliveries);
  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }

  for (guint i = 0; i < n_payloads && ok; i++)
    {
      const char *key = keys != NULL ? keys[i] : NULL;
      size_t key_len = key != NULL ? strlen (key) : 0;
      rd_kafka_resp_err_t err;

      do
        {
          err = rd_kafka_producev (rk,
                                   RD_KAFKA_V_TOPIC (topic),
                                   RD_KAFKA_V_VALUE ((void *) payloads[i], strlen (payloads[i])),
                                   RD_KAFKA_V_KEY ((void *) key, key_len),
                                   RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_END);
          if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll (rk, 10);
        }
      while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       "produce to %s: %s", topic, rd_kafka_err2str (err));
          ok = FALSE;
        }
      rd_kafka_poll (rk, 0);
    }

  rd_kafka_flush (rk, DELIVERY_TIMEOUT_MS);
  if (ok && (deliveries.failed > 0 || deliveries.delivered != n_payloads))
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   "produce to %s at %s: %u of %u delivered, %u failed (%s)",
                   topic, brokers, deliveries.delivered, n_payloads, deliveries.failed,
                   deliveries.first_error != NULL ? deliveries.first_error : "timed out");
      ok = FALSE;
    }

  rd_kafka_destroy (rk);
  g_free (deliveries.first_error);
  return ok;
}

void
co2s_test_message_free (Co2sTestMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->key);
  g_free (message->payload);
  g_clear_pointer (&message->headers, g_ptr_array_unref);
  g_free (message);
}

const char *
co2s_test_message_header (const Co2sTestMessage *message, const char *name)
{
  const char *value = NULL;

  g_return_val_if_fail (message != NULL && name != NULL, NULL);

  for (guint i = 0; i + 1 < message->headers->len; i += 2)
    if (g_strcmp0 (g_ptr_array_index (message->headers, i), name) == 0)
      value = g_ptr_array_index (message->headers, i + 1);
  return value;
}

GPtrArray *
co2s_test_kafka_consume (const char *brokers,
                         const char *topic,
                         guint min_count,
                         guint timeout_ms,
                         GError **error)
{
  g_autofree char *group = g_strdup_printf ("group.id=co2s-test-reader-%d", (int) getpid ());
  const char *overrides[] = { group, "enable.auto.commit=false", "enable.auto.offset.store=false",
                              min_count == 0 ? "enable.partition.eof=true" : NULL, NULL };
  g_autofree gboolean *at_end = NULL;
  int n_at_end = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  rd_kafka_topic_partition_list_t *assignment;
  GPtrArray *messages;
  rd_kafka_resp_err_t err;
  rd_kafka_t *rk;
  int partitions;

  g_return_val_if_fail (brokers != NULL && topic != NULL, NULL);

  rk = new_handle (RD_KAFKA_CONSUMER, brokers, overrides, NULL, error);
  if (rk == NULL)
    return NULL;

  partitions = wait_partition_count (rk, topic, -1, deadline, error);
  if (partitions < 0)
    {
      rd_kafka_destroy (rk);
      return NULL;
    }

  assignment = rd_kafka_topic_partition_list_new (partitions);
  for (int i = 0; i < partitions; i++)
    rd_kafka_topic_partition_list_add (assignment, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  err = rd_kafka_assign (rk, assignment);
  rd_kafka_topic_partition_list_destroy (assignment);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   "assign %s: %s", topic, rd_kafka_err2str (err));
      rd_kafka_destroy (rk);
      return NULL;
    }

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_test_message_free);
  at_end = g_new0 (gboolean, partitions);
  while ((min_count > 0 ? messages->len < min_count : n_at_end < partitions) &&
         g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (rk, 50);

      if (m == NULL)
        continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        g_ptr_array_add (messages, message_copy (m));
      else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->partition >= 0 &&
               m->partition < partitions)
        {
          n_at_end += !at_end[m->partition];
          at_end[m->partition] = TRUE;
        }
      else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        g_test_message ("consume %s: %s", topic, rd_kafka_message_errstr (m));
      rd_kafka_message_destroy (m);
    }

  rd_kafka_consumer_close (rk);
  rd_kafka_destroy (rk);
  return messages;
}

gboolean
co2s_test_kafka_watermarks (const char *brokers, const char *topic, int partition,
                            gint64 *low, gint64 *high, GError **error)
{
  rd_kafka_resp_err_t err;
  int64_t lo = -1, hi = -1;
  rd_kafka_t *rk;

  g_return_val_if_fail (brokers != NULL && topic != NULL, FALSE);

  rk = new_handle (RD_KAFKA_PRODUCER, brokers, NULL, NULL, error);
  if (rk == NULL)
    return FALSE;
  err = rd_kafka_query_watermark_offsets (rk, topic, partition, &lo, &hi, METADATA_TIMEOUT_MS);
  rd_kafka_destroy (rk);

  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   "watermarks of %s [%d]: %s", topic, partition, rd_kafka_err2str (err));
      return FALSE;
    }
  if (low != NULL)
    *low = lo;
  if (high != NULL)
    *high = hi;
  return TRUE;
}

int
co2s_test_kafka_partition_count (const char *brokers, const char *topic, GError **error)
{
  rd_kafka_t *rk;
  int count;

  g_return_val_if_fail (brokers != NULL && topic != NULL, -1);

  rk = new_handle (RD_KAFKA_PRODUCER, brokers, NULL, NULL, error);
  if (rk == NULL)
    return -1;
  count = wait_partition_count (rk, topic, -1,
                                g_get_monotonic_time () + METADATA_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND,
                                error);
  rd_kafka_destroy (rk);
  return count;
}
