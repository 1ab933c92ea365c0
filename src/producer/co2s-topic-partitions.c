/* co2s-topic-partitions.c — a topic with at least N partitions (see
 * co2s-topic-partitions.h): metadata, then CreateTopics or
 * CreatePartitions through librdkafka's admin API, until the metadata
 * shows enough. */
#define G_LOG_DOMAIN "co2s-topic-partitions"

#include "co2s-topic-partitions.h"

#include <glib/gi18n.h>
#include <librdkafka/rdkafka.h>

#include "co2s-kafka.h"

#define RETRY_PAUSE_US (200 * 1000)

/* librdkafka's own lines: never g_warning (the caller decides). */
static void
on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  if (level <= 4)
    g_message ("librdkafka %s: %s", fac, buf);
  else
    g_debug ("librdkafka %s: %s", fac, buf);
}

static int
ms_left (gint64 deadline)
{
  gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

  return (int) CLAMP (left, 1, 10000);
}

/* The topic's partitions: 0 when Kafka does not know it, -1 (with
 * *@transient set to the error) when the question failed. */
static int
partition_count (rd_kafka_t *rk, const char *topic, gint64 deadline, rd_kafka_resp_err_t *transient)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err;
  int count = -1;

  err = rd_kafka_metadata (rk, 0, rkt, &md, ms_left (deadline));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1)
    {
      const struct rd_kafka_metadata_topic *t = &md->topics[0];

      if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        count = 0;
      else if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        count = t->partition_cnt;
      else
        err = t->err;
    }
  if (md != NULL)
    rd_kafka_metadata_destroy (md);
  rd_kafka_topic_destroy (rkt);
  *transient = err;
  return count;
}

/* Waits for the admin result of @type on @queue until @deadline; NULL
 * when none came. */
static rd_kafka_event_t *
wait_result (rd_kafka_queue_t *queue, rd_kafka_event_type_t type, gint64 deadline)
{
  while (g_get_monotonic_time () < deadline)
    {
      rd_kafka_event_t *ev = rd_kafka_queue_poll (queue, ms_left (deadline));

      if (ev == NULL)
        continue;
      if (rd_kafka_event_type (ev) == type)
        return ev;
      rd_kafka_event_destroy (ev);
    }
  return NULL;
}

/* Asks for @partitions: CreateTopics when @have is 0, else
 * CreatePartitions. RD_KAFKA_RESP_ERR_NO_ERROR when Kafka accepted; an
 * answer saying someone else was first (the topic exists, it already has
 * that many) counts as accepted. *@reason: Kafka's words, or NULL. */
static rd_kafka_resp_err_t
ask (rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic, int have, int partitions,
     gint64 deadline, char **reason)
{
  const rd_kafka_topic_result_t **results;
  rd_kafka_event_t *ev;
  rd_kafka_resp_err_t err;
  char buf[512];
  size_t n = 0;

  if (have == 0)
    {
      rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new (topic, partitions, -1, buf, sizeof buf);

      g_assert (t != NULL);
      rd_kafka_CreateTopics (rk, &t, 1, NULL, queue);
      rd_kafka_NewTopic_destroy (t);
      ev = wait_result (queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT, deadline);
    }
  else
    {
      rd_kafka_NewPartitions_t *p = rd_kafka_NewPartitions_new (topic, (size_t) partitions, buf, sizeof buf);

      g_assert (p != NULL);
      rd_kafka_CreatePartitions (rk, &p, 1, NULL, queue);
      rd_kafka_NewPartitions_destroy (p);
      ev = wait_result (queue, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, deadline);
    }
  if (ev == NULL)
    return RD_KAFKA_RESP_ERR__TIMED_OUT;

  err = rd_kafka_event_error (ev);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    *reason = g_strdup (rd_kafka_event_error_string (ev));
  else
    {
      if (have == 0)
        results = rd_kafka_CreateTopics_result_topics (rd_kafka_event_CreateTopics_result (ev), &n);
      else
        results = rd_kafka_CreatePartitions_result_topics (rd_kafka_event_CreatePartitions_result (ev), &n);
      if (n == 1 && (err = rd_kafka_topic_result_error (results[0])) != RD_KAFKA_RESP_ERR_NO_ERROR)
        *reason = g_strdup (rd_kafka_topic_result_error_string (results[0]));
    }
  rd_kafka_event_destroy (ev);

  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS || err == RD_KAFKA_RESP_ERR_INVALID_PARTITIONS)
    {
      g_clear_pointer (reason, g_free);
      return RD_KAFKA_RESP_ERR_NO_ERROR;  /* the metadata decides */
    }
  return err;
}

static gboolean
is_transient (rd_kafka_resp_err_t err)
{
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
         err == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE || err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
         err == RD_KAFKA_RESP_ERR_REASSIGNMENT_IN_PROGRESS;
}

gboolean
co2s_topic_ensure_partitions (const char *brokers,
                              const char * const *overrides,
                              const char *topic,
                              int partitions,
                              guint timeout_s,
                              Co2sTopicPartitions *result,
                              GError **error)
{
  /* A metadata request must not create the topic with the broker's
   * default partitions before we ask for ours. */
  static const char * const forced[] = { "allow.auto.create.topics=false", NULL };
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  g_autofree char *reason = NULL;
  rd_kafka_queue_t *queue;
  rd_kafka_conf_t *conf;
  gboolean asked = FALSE;
  gboolean ok = FALSE;
  rd_kafka_t *rk;

  g_return_val_if_fail (topic != NULL && topic[0] != '\0', FALSE);
  g_return_val_if_fail (partitions >= 1, FALSE);
  g_return_val_if_fail (timeout_s > 0, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->before = -1;
  result->after = -1;
  conf = co2s_kafka_conf_new_layered (brokers, NULL, overrides, forced, error);
  if (conf == NULL)
    return FALSE;
  rd_kafka_conf_set_log_cb (conf, on_log);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  queue = rd_kafka_queue_new (rk);

  while (g_get_monotonic_time () < deadline)
    {
      int count = partition_count (rk, topic, deadline, &err);

      if (count >= 0 && result->before < 0)
        result->before = count;
      if (count >= partitions)
        {
          result->after = count;
          ok = TRUE;
          break;
        }
      if (count >= 0 && !asked)
        {
          g_clear_pointer (&reason, g_free);
          err = ask (rk, queue, topic, count, partitions, deadline, &reason);
          if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            asked = TRUE;
          else if (!is_transient (err))
            break;
        }
      else if (count < 0 && !is_transient (err))
        break;
      g_usleep (RETRY_PAUSE_US);
    }

  if (!ok)
    {
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
      /* Translators: "topic streaming_data at 127.0.0.1:9092: 3 partitions: Timed out" */
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   _("topic %s at %s: cannot make sure of %d partitions: %s"), topic,
                   brokers != NULL ? brokers : "?", partitions,
                   reason != NULL ? reason : rd_kafka_err2str (err));
    }

  rd_kafka_queue_destroy (queue);
  rd_kafka_destroy (rk);
  return ok;
}
