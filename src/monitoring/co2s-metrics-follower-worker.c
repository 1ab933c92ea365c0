/* co2s-metrics-follower-worker.c — the consumer thread of
 * Co2sMetricsFollower and its handoff to the main context (internal).
 * Nothing here touches the follower object: librdkafka callbacks and the
 * worker only record into the mutex-protected Co2sFollowerShared and queue
 * a dispatch on the main context. */
#define G_LOG_DOMAIN "co2s-metrics-follower"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-follower-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "co2s-kafka.h"

#define POLL_TIMEOUT_MS        100
#define PROBE_TIMEOUT_MS       500
#define PROBE_INTERVAL_UP_US   (3 * G_USEC_PER_SEC)
#define PROBE_INTERVAL_DOWN_US (1 * G_USEC_PER_SEC)
#define LAG_INTERVAL_US        (G_USEC_PER_SEC / 2)

/* The worker's own state; only the worker thread touches it. */
typedef struct {
  Co2sFollowerShared *shared;
  rd_kafka_t *rk;
  char *topic;
} Worker;

/* ---- shared handoff --------------------------------------------------------- */

Co2sFollowerShared *
_co2s_follower_shared_new (GSourceFunc dispatch)
{
  Co2sFollowerShared *shared = g_atomic_rc_box_new0 (Co2sFollowerShared);

  g_mutex_init (&shared->mutex);
  shared->pending = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  shared->lag = -1;
  shared->context = g_main_context_ref_thread_default ();
  shared->dispatch = dispatch;
  return shared;
}

static void
shared_clear (gpointer data)
{
  Co2sFollowerShared *shared = data;

  g_mutex_clear (&shared->mutex);
  g_array_unref (shared->pending);
  g_free (shared->last_error);
  g_main_context_unref (shared->context);
  g_clear_pointer (&shared->exit_source, g_source_unref);
  g_clear_pointer (&shared->exit_context, g_main_context_unref);
}

Co2sFollowerShared *
_co2s_follower_shared_ref (Co2sFollowerShared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

void
_co2s_follower_shared_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, shared_clear);
}

/* Any thread, with @shared->mutex held: make sure a dispatch is queued.
 * An idle source attached to the context, not g_main_context_invoke: that
 * would run dispatch right here, on the worker thread, whenever it can
 * acquire the global default context. */
static void
queue_dispatch_locked (Co2sFollowerShared *shared)
{
  GSource *source;

  if (shared->dispatch_queued)
    return;
  shared->dispatch_queued = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, shared->dispatch, g_atomic_rc_box_acquire (shared), _co2s_follower_shared_unref);
  g_source_set_static_name (source, "[co2s] metrics follower dispatch");
  g_source_attach (source, shared->context);
  g_source_unref (source);
}

static void
shared_set_state (Co2sFollowerShared *shared, Co2sBrokerState state, const char *error)
{
  g_mutex_lock (&shared->mutex);
  if (shared->state != state || error != NULL)
    {
      shared->state = state;
      if (error != NULL)
        {
          g_free (shared->last_error);
          shared->last_error = g_strdup (error);
        }
      queue_dispatch_locked (shared);
    }
  g_mutex_unlock (&shared->mutex);
}

static void
shared_set_error (Co2sFollowerShared *shared, const char *error, gboolean bad_message)
{
  g_mutex_lock (&shared->mutex);
  g_free (shared->last_error);
  shared->last_error = g_strdup (error);
  if (bad_message)
    shared->bad++;
  queue_dispatch_locked (shared);
  g_mutex_unlock (&shared->mutex);
}

/* ---- librdkafka callbacks (worker thread or librdkafka's threads) ------------ */

static void
on_kafka_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  /* Connection failures are reported through "broker-state" and
   * "last-error"; the log stays quiet unless debugging. */
  g_debug ("librdkafka %s: %s", fac, buf);
}

static void
on_kafka_error (rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  Co2sFollowerShared *shared = opaque;
  g_autofree char *message = g_strdup_printf ("%s: %s", rd_kafka_err2name (err), reason);

  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
      err == RD_KAFKA_RESP_ERR__RESOLVE)
    shared_set_state (shared, CO2S_BROKER_STATE_UNREACHABLE, message);
  else
    shared_set_error (shared, message, FALSE);
}

/* Accepts or gives back partitions, counting them. No blocking request
 * (rd_kafka_assignment, rd_kafka_rebalance_protocol, …) may follow the
 * unassign: when the consumer closes, the group handler terminates as soon
 * as the final revoke is answered and never replies to a later request, so
 * such a call blocked close_consumer, and the follower's stop, forever
 * (librdkafka issue #4041). The protocol is read on assignment, while the
 * group is alive, and the assignment is counted here. */
static void
on_kafka_rebalance (rd_kafka_t *rk,
                    rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t *partitions,
                    void *opaque)
{
  Co2sFollowerShared *shared = opaque;
  rd_kafka_error_t *error = NULL;
  rd_kafka_resp_err_t assign_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int count = partitions != NULL ? partitions->cnt : 0;
  gboolean assigned;

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
    {
      shared->cooperative = g_strcmp0 (rd_kafka_rebalance_protocol (rk), "COOPERATIVE") == 0;
      if (shared->cooperative)
        error = rd_kafka_incremental_assign (rk, partitions);
      else
        assign_err = rd_kafka_assign (rk, partitions);
      if (error == NULL && assign_err == RD_KAFKA_RESP_ERR_NO_ERROR)
        shared->n_assigned = shared->cooperative ? shared->n_assigned + count : count;
    }
  else
    {
      /* Revoked or lost: not consumed any more, even if the call fails. */
      if (shared->cooperative)
        error = rd_kafka_incremental_unassign (rk, partitions);
      else
        assign_err = rd_kafka_assign (rk, NULL);
      shared->n_assigned = shared->cooperative ? MAX (0, shared->n_assigned - count) : 0;
    }
  if (error != NULL)
    {
      shared_set_error (shared, rd_kafka_error_string (error), FALSE);
      rd_kafka_error_destroy (error);
    }
  else if (assign_err != RD_KAFKA_RESP_ERR_NO_ERROR)
    shared_set_error (shared, rd_kafka_err2str (assign_err), FALSE);

  assigned = shared->n_assigned > 0;
  g_mutex_lock (&shared->mutex);
  if (shared->assigned != assigned)
    {
      shared->assigned = assigned;
      queue_dispatch_locked (shared);
    }
  g_mutex_unlock (&shared->mutex);
}

/* ---- worker thread ------------------------------------------------------------ */

/* This viewer's lag: high watermark minus position, summed over the
 * assigned partitions; -1 when any part is unknown. Non-blocking (cached
 * watermarks from fetch responses). */
static gint64
compute_lag (rd_kafka_t *rk)
{
  rd_kafka_topic_partition_list_t *parts = NULL;
  gint64 total = 0;

  if (rd_kafka_assignment (rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;
  if (parts->cnt == 0 || rd_kafka_position (rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
    total = -1;
  for (int i = 0; total >= 0 && i < parts->cnt; i++)
    {
      const rd_kafka_topic_partition_t *p = &parts->elems[i];
      int64_t low = -1, high = -1;

      if (p->offset < 0 ||
          rd_kafka_get_watermark_offsets (rk, p->topic, p->partition, &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0)
        total = -1;
      else
        total += MAX (0, high - p->offset);
    }
  rd_kafka_topic_partition_list_destroy (parts);
  return total;
}

static gboolean
probe_broker (rd_kafka_t *rk, char **error)
{
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err;
  gboolean ok;

  err = rd_kafka_metadata (rk, 0, NULL, &md, PROBE_TIMEOUT_MS);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      *error = g_strdup_printf (_("The broker does not answer: %s"), rd_kafka_err2str (err));
      return FALSE;
    }
  ok = md->broker_cnt > 0;
  rd_kafka_metadata_destroy (md);
  if (!ok)
    *error = g_strdup (_("The broker does not answer: no broker listed"));
  return ok;
}

static void
handle_message (Worker *worker, const rd_kafka_message_t *msg)
{
  Co2sFollowerShared *shared = worker->shared;
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics m;

  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_autofree char *message = NULL;

      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
      message = g_strdup_printf ("%s: %s", rd_kafka_err2name (msg->err),
                                 rd_kafka_message_errstr (msg));
      shared_set_error (shared, message, FALSE);
      return;
    }

  if (!co2s_batch_metrics_from_json (msg->payload, msg->payload != NULL ? msg->len : 0, &m, &error))
    {
      g_autofree char *message = g_strdup_printf ("%s [%d] offset %" G_GINT64_FORMAT ": %s",
                                                  worker->topic, (int) msg->partition,
                                                  (gint64) msg->offset, error->message);

      g_debug ("%s", message);
      shared_set_error (shared, message, TRUE);
      return;
    }

  g_mutex_lock (&shared->mutex);
  g_array_append_val (shared->pending, m);
  shared->state = CO2S_BROKER_STATE_REACHABLE;
  queue_dispatch_locked (shared);
  g_mutex_unlock (&shared->mutex);
}

static void
close_consumer (Worker *worker)
{
  rd_kafka_queue_t *queue = rd_kafka_queue_new (worker->rk);
  rd_kafka_error_t *error;
  gint64 deadline = g_get_monotonic_time () +
                    CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS * (G_USEC_PER_SEC / 1000);
  gboolean closed = FALSE;

  /* Leave the group politely, but never wait for an absent broker longer
   * than the deadline. The queue is served as events, not callbacks: it
   * can also receive fetched messages, which a callback poll cannot serve
   * (librdkafka asserts in rd_kafka_q_serve). A rebalance arrives as an
   * event and is answered by the same handler as during the run. */
  error = rd_kafka_consumer_close_queue (worker->rk, queue);
  if (error == NULL)
    {
      while (!(closed = rd_kafka_consumer_closed (worker->rk)) &&
             g_get_monotonic_time () < deadline)
        {
          rd_kafka_event_t *event = rd_kafka_queue_poll (queue, 50);

          if (event == NULL)
            continue;
          if (rd_kafka_event_type (event) == RD_KAFKA_EVENT_REBALANCE)
            on_kafka_rebalance (worker->rk, rd_kafka_event_error (event),
                                rd_kafka_event_topic_partition_list (event), worker->shared);
          rd_kafka_event_destroy (event);
        }
    }
  else
    rd_kafka_error_destroy (error);
  rd_kafka_queue_destroy (queue);

  if (!closed)
    g_debug ("consumer did not close within %d ms; dropping it",
             CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS);
  rd_kafka_destroy_flags (worker->rk, closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  worker->rk = NULL;
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  Co2sFollowerShared *shared = worker->shared;
  gint64 last_probe = 0, last_lag = 0, last_alive = 0;
  gint64 lag = -1;

  while (!g_atomic_int_get (&shared->stop))
    {
      rd_kafka_message_t *msg = rd_kafka_consumer_poll (worker->rk, POLL_TIMEOUT_MS);
      gint64 now = g_get_monotonic_time ();
      Co2sBrokerState state;

      if (msg != NULL)
        {
          if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            last_alive = now;
          handle_message (worker, msg);
          rd_kafka_message_destroy (msg);
        }

      g_mutex_lock (&shared->mutex);
      state = shared->state;
      g_mutex_unlock (&shared->mutex);

      /* Messages prove the broker is there; otherwise ask it, more often
       * while it is away so that its return shows quickly. */
      if (now - last_alive >= PROBE_INTERVAL_UP_US &&
          (state == CO2S_BROKER_STATE_UNKNOWN ||
           now - last_probe >= (state == CO2S_BROKER_STATE_REACHABLE
                                ? PROBE_INTERVAL_UP_US : PROBE_INTERVAL_DOWN_US)))
        {
          g_autofree char *error = NULL;

          if (probe_broker (worker->rk, &error))
            {
              g_debug ("broker answered a metadata request");
              last_alive = g_get_monotonic_time ();
              shared_set_state (shared, CO2S_BROKER_STATE_REACHABLE, NULL);
            }
          else
            {
              g_debug ("%s", error);
              shared_set_state (shared, CO2S_BROKER_STATE_UNREACHABLE, error);
            }
          last_probe = g_get_monotonic_time ();
        }

      if (now - last_lag >= LAG_INTERVAL_US)
        {
          gint64 new_lag = compute_lag (worker->rk);

          last_lag = now;
          if (new_lag != lag)
            {
              lag = new_lag;
              g_mutex_lock (&shared->mutex);
              shared->lag = lag;
              queue_dispatch_locked (shared);
              g_mutex_unlock (&shared->mutex);
            }
        }
    }

  close_consumer (worker);
  if (shared->exit_source != NULL)
    g_source_attach (shared->exit_source, shared->exit_context);

  g_free (worker->topic);
  _co2s_follower_shared_unref (worker->shared);
  g_free (worker);
  return NULL;
}

/* ---- creation ----------------------------------------------------------------- */

rd_kafka_t *
_co2s_follower_consumer_new (const char *brokers,
                             const char *group_id,
                             const char *offset_reset,
                             const char * const *overrides,
                             const char *topic,
                             Co2sFollowerShared *shared,
                             GError **error)
{
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_resp_err_t err;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;

  conf = co2s_kafka_conf_new (brokers, NULL, error);
  if (conf == NULL)
    return NULL;

  if (!co2s_kafka_conf_set (conf, "group.id", group_id, error) ||
      !co2s_kafka_conf_set (conf, "client.id", "co2stream-viewer", error) ||
      !co2s_kafka_conf_set (conf, "auto.offset.reset", offset_reset, error) ||
      !co2s_kafka_conf_set (conf, "enable.auto.commit", "false", error) ||
      !co2s_kafka_conf_set (conf, "enable.auto.offset.store", "false", error) ||
      !co2s_kafka_conf_set (conf, "enable.partition.eof", "false", error) ||
      /* A new batch shows within the 1 s freshness budget even when the
       * broker holds fetches until data arrives. */
      !co2s_kafka_conf_set (conf, "fetch.wait.max.ms", "100", error) ||
      /* A topic created later (e.g. by the trainer) is noticed soon. */
      !co2s_kafka_conf_set (conf, "topic.metadata.refresh.interval.ms", "5000", error))
    goto fail;

  /* -X overrides come last, so they win over everything above. */
  if (!co2s_kafka_conf_apply_overrides (conf, overrides, error))
    goto fail;

  rd_kafka_conf_set_opaque (conf, shared);
  rd_kafka_conf_set_log_cb (conf, on_kafka_log);
  rd_kafka_conf_set_error_cb (conf, on_kafka_error);
  rd_kafka_conf_set_rebalance_cb (conf, on_kafka_rebalance);

  rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, error);
  if (rk == NULL)
    goto fail;

  /* Callbacks (error, rebalance) are served by consumer_poll on the
   * worker thread. */
  rd_kafka_poll_set_consumer (rk);
  topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (topics, topic, RD_KAFKA_PARTITION_UA);
  err = rd_kafka_subscribe (rk, topics);
  rd_kafka_topic_partition_list_destroy (topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   _("Cannot subscribe to %s: %s"), topic, rd_kafka_err2str (err));
      rd_kafka_destroy_flags (rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
      return NULL;
    }
  return rk;

fail:
  rd_kafka_conf_destroy (conf);
  return NULL;
}

GThread *
_co2s_follower_worker_start (Co2sFollowerShared *shared,
                             rd_kafka_t *rk,
                             const char *topic)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->shared = _co2s_follower_shared_ref (shared);
  worker->rk = rk;
  worker->topic = g_strdup (topic);
  return g_thread_new ("co2s-metrics", worker_main, worker);
}
