/* co2s-metrics-follower.h — follow topic streaming_metrics live.
 *
 * A librdkafka consumer runs on its own thread (rd_kafka_consumer_poll with
 * a short timeout). Each message is parsed with co2s_batch_metrics_from_json
 * on that thread; the batches, the broker's reachability and the viewer's
 * consumer lag are handed to the main context of the thread that called
 * co2s_metrics_follower_start, several batches per wakeup. Signals and
 * property notifications are only ever emitted there, so handlers may touch
 * widgets. librdkafka callbacks only record into a mutex-protected handoff.
 *
 * Each follower joins its own consumer group (by default
 * "co2stream-viewer-<pid>-<random>"), commits nothing, and starts at the end
 * of the topic (auto.offset.reset=latest): the history before that comes
 * from models/metrics.jsonl (Co2sMetricsHistory). Batches missed between the
 * file and the topic would leave a gap in the history, never a duplicate:
 * Co2sPipelineController reads the file again when a live batch jumps past
 * the last one held.
 *
 * Two lags exist: the "lag" property here is THIS viewer's lag on
 * streaming_metrics (how many metrics messages it has not read yet; -1
 * unknown, e.g. before the first message); the trainer's lag on
 * streaming_data is in each batch (Co2sMetricsKpis.lag).
 *
 * The object itself is main-thread only. */
#pragma once

#include <gio/gio.h>

#include "co2s-metrics.h"
#include "co2s-metrics-history.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_BROKER_STATE_UNKNOWN,      /* not started, or no answer yet */
  CO2S_BROKER_STATE_REACHABLE,    /* a metadata request or a fetch succeeded */
  CO2S_BROKER_STATE_UNREACHABLE,  /* all brokers down, or metadata failed */
} Co2sBrokerState;

#define CO2S_TYPE_BROKER_STATE (co2s_broker_state_get_type ())
GType co2s_broker_state_get_type (void) G_GNUC_CONST;

/* How long stop waits for the consumer to leave its group cleanly before
 * dropping it (an unreachable broker must not make stop hang). A broker
 * that keeps the connection open but does not answer holds the drop itself
 * until librdkafka gives up on the LeaveGroup request (5 s). */
#define CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS 2000

#define CO2S_TYPE_METRICS_FOLLOWER (co2s_metrics_follower_get_type ())
G_DECLARE_FINAL_TYPE (Co2sMetricsFollower, co2s_metrics_follower, CO2S, METRICS_FOLLOWER, GObject)

/* A stopped follower for @brokers (bootstrap.servers, e.g. "127.0.0.1:9092";
 * not NULL). Properties (set before start):
 *   "topic"         default streaming_metrics
 *   "group-id"      default co2stream-viewer-<pid>-<random>, renewed by
 *                   each restart (an explicit id is kept: then a start
 *                   right after stop_async joins the group only once the
 *                   previous consumer has left it)
 *   "offset-reset"  "latest" (default) or "earliest", for a group with no
 *                   committed offsets (always the case for the default id)
 *   "overrides"     NULL-terminated "key=value" librdkafka properties (-X),
 *                   applied last (they win over the settings above)
 *   "history"       a Co2sMetricsHistory the batches are appended to
 *                   (may be set at any time, or NULL)
 * Read-only, updated on the main context:
 *   "running", "broker-state", "reachable" (state == REACHABLE),
 *   "assigned" (partitions assigned: from now on new messages arrive),
 *   "lag", "received" (batches delivered), "bad-messages",
 *   "last-error" (latest librdkafka or parse error; NULL if none).
 * Signal "batches" (gpointer batches, guint n): @n Co2sBatchMetrics in
 * topic order, valid during the emission; emitted on the main context
 * before they are appended to "history". */
Co2sMetricsFollower *co2s_metrics_follower_new (const char *brokers);

/* Creates the consumer (every property checked: a refused one fails here
 * with CO2S_KAFKA_ERROR) and starts the thread. FALSE with @error if the
 * configuration is refused or the follower is already running. Batches are
 * delivered on the thread-default main context of the caller. */
gboolean co2s_metrics_follower_start (Co2sMetricsFollower *self,
                                      GError **error);

/* Stops the thread and joins it on the calling thread: returns within about
 * CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS + 1 s even when the broker is
 * down (about 5 s when it is up but does not answer; the consumer leaves
 * its group first). Batches already
 * received are delivered before it returns. No-op when not running. Also
 * done by dispose. Blocks: from a GUI use co2s_metrics_follower_stop_async. */
void co2s_metrics_follower_stop (Co2sMetricsFollower *self);

/* Stops the follower without blocking the calling (main) thread. Before it
 * returns, batches already handed to the main context are delivered, the
 * follower is detached from its thread ("running" FALSE, "assigned" FALSE,
 * "lag" -1, "broker-state" UNKNOWN) and no batch, signal or notification
 * comes from that thread any more. The thread then closes the consumer
 * (it leaves its group; co2s_metrics_follower_stop says how long that can
 * take) and, as its last act, tells the thread-default main context of the
 * caller, where it is joined at once and @callback runs (finish it there
 * with co2s_metrics_follower_stop_finish). The task holds a reference on
 * @self, dropped on that context: the caller may drop its own at once.
 * start may be called again at once (a new consumer; the old one still
 * leaves in the background). When not running, @callback reports success
 * at once (from an idle). @cancellable (may be NULL) cannot undo the stop:
 * cancelling it makes @callback run without waiting for the thread (which
 * still ends and is joined in the background) and _finish report
 * G_IO_ERROR_CANCELLED. Main thread only. */
void co2s_metrics_follower_stop_async (Co2sMetricsFollower *self,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);

/* TRUE once the consumer is closed and its thread joined; FALSE with
 * G_IO_ERROR_CANCELLED if @cancellable was cancelled first. */
gboolean co2s_metrics_follower_stop_finish (Co2sMetricsFollower *self,
                                            GAsyncResult *result,
                                            GError **error);

gboolean            co2s_metrics_follower_get_running      (Co2sMetricsFollower *self);
Co2sBrokerState     co2s_metrics_follower_get_broker_state (Co2sMetricsFollower *self);
gboolean            co2s_metrics_follower_get_reachable    (Co2sMetricsFollower *self);
gboolean            co2s_metrics_follower_get_assigned     (Co2sMetricsFollower *self);
gint64              co2s_metrics_follower_get_lag          (Co2sMetricsFollower *self);
guint64             co2s_metrics_follower_get_received     (Co2sMetricsFollower *self);
guint64             co2s_metrics_follower_get_bad_messages (Co2sMetricsFollower *self);
/* Owned by @self; valid until the next main-context update. */
const char         *co2s_metrics_follower_get_last_error   (Co2sMetricsFollower *self);
const char         *co2s_metrics_follower_get_group_id     (Co2sMetricsFollower *self);

/* The history batches go to (not a new reference), or NULL. */
Co2sMetricsHistory *co2s_metrics_follower_get_history (Co2sMetricsFollower *self);
void                co2s_metrics_follower_set_history (Co2sMetricsFollower *self,
                                                       Co2sMetricsHistory *history);

G_END_DECLS
