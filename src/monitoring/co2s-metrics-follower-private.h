/* co2s-metrics-follower-private.h — INTERNAL to Co2sMetricsFollower: the
 * state its worker thread shares with the main context, and the worker
 * (co2s-metrics-follower-worker.c). Not a public API. */
#pragma once

#include <librdkafka/rdkafka.h>

#include "co2s-metrics-follower.h"

G_BEGIN_DECLS

/* Everything the worker thread and the main context share. Reference
 * counted (g_atomic_rc_box) because a dispatch may still be queued on the
 * main context when the follower goes away. */
typedef struct {
  GMutex mutex;

  /* Written by the worker under @mutex, taken by dispatch. */
  GArray *pending;            /* Co2sBatchMetrics */
  Co2sBrokerState state;
  gboolean assigned;
  gint64 lag;
  guint64 bad;
  char *last_error;
  gboolean dispatch_queued;

  /* Worker thread only (the rebalance callback is served there): the
   * partitions assigned and the rebalance protocol, tracked by the callback
   * itself rather than asked of librdkafka (see on_kafka_rebalance). */
  int n_assigned;
  gboolean cooperative;

  int stop;                   /* atomic: the worker must finish */
  /* Written by the main context before it sets @stop, read by the worker
   * once it has seen it: a source the worker attaches to @exit_context as
   * its last act, after closing the consumer (NULL: nobody waits for it). */
  GSource *exit_source;
  GMainContext *exit_context;
  GMainContext *context;      /* where dispatch runs */

  /* Main context only: cleared by dispose. */
  Co2sMetricsFollower *follower;
  /* Main context: what the worker's handoffs schedule there. */
  GSourceFunc dispatch;
} Co2sFollowerShared;

/* A new handoff whose dispatches run @dispatch (with the handoff as data)
 * on the caller's thread-default main context. */
Co2sFollowerShared *_co2s_follower_shared_new (GSourceFunc dispatch);
Co2sFollowerShared *_co2s_follower_shared_ref (Co2sFollowerShared *shared);
void _co2s_follower_shared_unref (gpointer shared);

/* A consumer subscribed to @topic, every property checked (-X @overrides
 * last, so they win), callbacks recording into @shared. */
rd_kafka_t *_co2s_follower_consumer_new (const char *brokers,
                                         const char *group_id,
                                         const char *offset_reset,
                                         const char * const *overrides,
                                         const char *topic,
                                         Co2sFollowerShared *shared,
                                         GError **error);

/* Starts the thread that polls @rk (which it owns from now on) until
 * @shared->stop is set, then closes it within
 * CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS. Join the returned thread. */
GThread *_co2s_follower_worker_start (Co2sFollowerShared *shared,
                                      rd_kafka_t *rk,
                                      const char *topic);

G_END_DECLS
