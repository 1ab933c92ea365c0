/* test-metrics-follower.c — Co2sMetricsFollower against the embedded broker
 * (co2stream-broker) and against nothing at all. */
#define G_LOG_DOMAIN "test-metrics-follower"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-metrics-follower.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1718000000000000)

typedef struct {
  GArray *seen;              /* Co2sBatchMetrics from "batches", in order */
  GThread *main_thread;
  gboolean wrong_thread;
} Collector;

static void
on_batches (Co2sMetricsFollower *follower, gpointer batches, guint n, gpointer data)
{
  Collector *c = data;

  if (g_thread_self () != c->main_thread)
    c->wrong_thread = TRUE;
  g_array_append_vals (c->seen, batches, n);
}

static gboolean
collector_has_batches (gpointer data)
{
  return ((Collector *) data)->seen->len > 0;
}

static char *
metrics_line (guint64 number)
{
  GString *out = g_string_new (NULL);
  Co2sBatchMetrics m = { 0 };

  m.batch = number;
  m.rows = 500;
  m.rows_seen = number * 500;
  m.rmse = 5.0 + 100.0 / number;
  m.mae = 4.0;
  m.rmse_fit = 4.5;
  m.timestamp_us = T0 + number * 1000;
  m.lag = 7;
  m.latency_ms_p50 = 3.0;
  m.latency_ms_max = 8.0;
  g_strlcpy (m.algo, "sgd", sizeof m.algo);
  co2s_batch_metrics_to_json (&m, out);
  g_string_truncate (out, out->len - 1);  /* the trainer sends no '\n' */
  return g_string_free (out, FALSE);
}

static void
produce_batches (const char *brokers, guint64 from, guint64 to)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint64 b = from; b <= to; b++)
    g_ptr_array_add (payloads, metrics_line (b));
  g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_METRICS,
                                          (const char * const *) payloads->pdata, NULL,
                                          payloads->len, &error));
  g_assert_no_error (error);
}

static gboolean
is_assigned (gpointer data)
{
  return co2s_metrics_follower_get_assigned (data);
}

static gboolean
is_unreachable (gpointer data)
{
  return co2s_metrics_follower_get_broker_state (data) == CO2S_BROKER_STATE_UNREACHABLE;
}

static gboolean
is_reachable (gpointer data)
{
  return co2s_metrics_follower_get_reachable (data);
}

typedef struct {
  Co2sMetricsHistory *history;
  guint n;
} HistoryHas;

static gboolean
history_has (gpointer data)
{
  HistoryHas *h = data;

  return co2s_metrics_history_get_n_batches (h->history) >= h->n;
}

static gboolean
lag_is_zero (gpointer data)
{
  return co2s_metrics_follower_get_lag (data) == 0;
}

static gboolean
has_bad_message (gpointer data)
{
  return co2s_metrics_follower_get_bad_messages (data) >= 1;
}

/* Stops the follower and checks it did not take long. */
static void
stop_quickly (Co2sMetricsFollower *follower)
{
  gint64 start = g_get_monotonic_time ();

  co2s_metrics_follower_stop (follower);
  g_assert_false (co2s_metrics_follower_get_running (follower));
  g_assert_cmpint (g_get_monotonic_time () - start, <,
                   (CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS + 1500) * 1000);
}

/* ---- /metrics-follower/receives ------------------------------------------------- */

static void
test_receives (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  Collector c = { g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics)), g_thread_self (), FALSE };
  HistoryHas want = { history, 0 };
  const double *b;
  guint n;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);

  /* Batches 1..10 already in the topic; "earliest" makes them part of the
   * test (the default "latest" is tested below). */
  produce_batches (brokers, 1, 10);

  follower = co2s_metrics_follower_new (brokers);
  g_object_set (follower, "offset-reset", "earliest", "history", history, NULL);
  g_assert_true (g_str_has_prefix (co2s_metrics_follower_get_group_id (follower), "co2stream-viewer-"));
  g_signal_connect (follower, "batches", G_CALLBACK (on_batches), &c);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_metrics_follower_get_running (follower));

  /* A second start is refused. */
  g_assert_false (co2s_metrics_follower_start (follower, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  want.n = 10;
  g_assert_true (co2s_test_wait_until (history_has, &want, 20000));
  g_assert_true (co2s_metrics_follower_get_reachable (follower));
  g_assert_true (co2s_metrics_follower_get_assigned (follower));

  /* Live batches 11..40, in order, on the main context, within 5 s. */
  produce_batches (brokers, 11, 40);
  want.n = 40;
  g_assert_true (co2s_test_wait_until (history_has, &want, 5000));
  g_assert_false (c.wrong_thread);
  g_assert_cmpuint (c.seen->len, ==, 40);
  for (guint i = 0; i < c.seen->len; i++)
    {
      const Co2sBatchMetrics *m = &g_array_index (c.seen, Co2sBatchMetrics, i);

      g_assert_cmpuint (m->batch, ==, i + 1);
      g_assert_cmpfloat (m->rmse, ==, 5.0 + 100.0 / (i + 1));
      g_assert_cmpstr (m->algo, ==, "sgd");
    }
  b = co2s_metrics_history_get_batch_column (history, &n);
  g_assert_cmpuint (n, ==, 40);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (b[i], ==, i + 1);
  g_assert_cmpuint (co2s_metrics_follower_get_received (follower), ==, 40);

  /* Caught up: this viewer's lag is 0. */
  g_assert_true (co2s_test_wait_until (lag_is_zero, follower, 5000));

  /* A message that is not a metrics object is counted, not fatal. */
  {
    const char *bad[] = { "{\"batch\": \"forty-one\"}" };

    g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_METRICS, bad, NULL, 1, &error));
    g_assert_no_error (error);
  }
  g_assert_true (co2s_test_wait_until (has_bad_message, follower, 5000));
  g_assert_nonnull (strstr (co2s_metrics_follower_get_last_error (follower), "batch"));
  /* Freshness: a batch in the topic reaches the history within 1 s. */
  produce_batches (brokers, 41, 41);
  {
    gint64 start = g_get_monotonic_time ();

    want.n = 41;
    g_assert_true (co2s_test_wait_until (history_has, &want, 5000));
    g_test_message ("batch 41 delivered %.0f ms after it was in the topic",
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  }

  /* The broker goes away: reachability turns false, stop does not hang. */
  co2s_test_proc_kill (broker);
  g_assert_true (co2s_test_wait_until (is_unreachable, follower, 15000));
  g_assert_false (co2s_metrics_follower_get_reachable (follower));
  stop_quickly (follower);
  g_assert_cmpint (co2s_metrics_follower_get_broker_state (follower), ==, CO2S_BROKER_STATE_UNKNOWN);

  g_array_unref (c.seen);
}

/* ---- /metrics-follower/starts-at-latest -------------------------------------------- */

static void
test_starts_at_latest (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  Collector c = { g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics)), g_thread_self (), FALSE };
  guint64 next = 101;
  gint64 deadline;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  produce_batches (brokers, 1, 5);

  follower = co2s_metrics_follower_new (brokers);
  g_signal_connect (follower, "batches", G_CALLBACK (on_batches), &c);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_test_wait_until (is_assigned, follower, 20000));

  /* Where "latest" lands is decided asynchronously after the assignment:
   * keep producing new batches until some arrive. The old ones (1..5) must
   * never arrive. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (c.seen->len == 0 && g_get_monotonic_time () < deadline)
    {
      produce_batches (brokers, next, next);
      next++;
      co2s_test_wait_until (collector_has_batches, &c, 200);
    }
  g_assert_cmpuint (c.seen->len, >, 0);
  for (guint i = 0; i < c.seen->len; i++)
    {
      const Co2sBatchMetrics *m = &g_array_index (c.seen, Co2sBatchMetrics, i);

      g_assert_cmpuint (m->batch, >, 100);
      if (i > 0)
        g_assert_cmpuint (m->batch, ==, g_array_index (c.seen, Co2sBatchMetrics, i - 1).batch + 1);
    }
  stop_quickly (follower);
  g_array_unref (c.seen);
}

/* ---- /metrics-follower/broker-unreachable ------------------------------------------ */

static void
test_broker_unreachable (void)
{
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  const char *bad_override[] = { "no.such.property=1", NULL };

  /* A refused librdkafka property fails start, naming it. */
  follower = co2s_metrics_follower_new (brokers);
  g_object_set (follower, "overrides", bad_override, NULL);
  g_assert_false (co2s_metrics_follower_start (follower, &error));
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no.such.property"));
  g_clear_error (&error);
  g_assert_false (co2s_metrics_follower_get_running (follower));
  g_clear_object (&follower);

  /* Nothing listens there: "unreachable" soon, and stop is prompt. */
  follower = co2s_metrics_follower_new (brokers);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_test_wait_until (is_unreachable, follower, 10000));
  g_assert_false (co2s_metrics_follower_get_reachable (follower));
  g_assert_false (co2s_metrics_follower_get_assigned (follower));
  g_assert_nonnull (co2s_metrics_follower_get_last_error (follower));
  g_assert_cmpuint (co2s_metrics_follower_get_received (follower), ==, 0);
  stop_quickly (follower);

  /* Restartable, and disposing a running follower joins its thread. */
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_test_wait_until (is_unreachable, follower, 10000));
  {
    gint64 start = g_get_monotonic_time ();

    g_clear_object (&follower);
    g_assert_cmpint (g_get_monotonic_time () - start, <,
                     (CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS + 1500) * 1000);
  }
}

/* A running broker is seen as reachable. */
static void
test_reachable (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  follower = co2s_metrics_follower_new (brokers);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_test_wait_until (is_reachable, follower, 10000));
  stop_quickly (follower);
}

/* ---- /metrics-follower/stop-async-does-not-block ---------------------------------- */

#define TICK_MS 20

/* A timeout source that records how regularly the main loop runs. */
typedef struct {
  guint ticks;
  gint64 last;
  gint64 max_gap_us;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last != 0)
    t->max_gap_us = MAX (t->max_gap_us, now - t->last);
  t->last = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  gint64 at;                 /* when the callback ran */
  gboolean wrong_thread;
  GThread *main_thread;
} StopResult;

static void
on_stopped (GObject *source, GAsyncResult *result, gpointer data)
{
  StopResult *r = data;

  r->ok = co2s_metrics_follower_stop_finish (CO2S_METRICS_FOLLOWER (source), result, &r->error);
  r->at = g_get_monotonic_time ();
  r->wrong_thread = g_thread_self () != r->main_thread;
  r->done = TRUE;
}

static gboolean
stop_done (gpointer data)
{
  return ((StopResult *) data)->done;
}

/* The stop that takes longest: a consumer in a group whose broker does not
 * answer cannot leave it and waits CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS. Run
 * async, the main loop keeps its pace meanwhile; the task keeps the
 * follower alive after the caller drops it; nothing is delivered after
 * stop_async returns; a stopped follower completes at once. */
static gboolean
stop_async_attempt (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  Co2sMetricsFollower *follower;
  Collector c = { g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics)), g_thread_self (), FALSE };
  HistoryHas want = { history, 5 };
  StopResult r = { .main_thread = g_thread_self () };
  Ticker t = { 0 };
  gint64 start, returned_at;
  guint timer, n_seen;
  gboolean was_long;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  produce_batches (brokers, 1, 5);
  follower = co2s_metrics_follower_new (brokers);
  g_object_set (follower, "offset-reset", "earliest", "history", history, NULL);
  g_signal_connect (follower, "batches", G_CALLBACK (on_batches), &c);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_test_wait_until (history_has, &want, 20000));
  g_assert_true (co2s_metrics_follower_get_assigned (follower));

  /* More batches on their way to the follower, and the broker frozen: the
   * connections stay up but nothing answers. */
  produce_batches (brokers, 6, 30);
  co2s_test_proc_signal (broker, SIGSTOP);

  timer = g_timeout_add (TICK_MS, tick, &t);
  start = g_get_monotonic_time ();
  co2s_metrics_follower_stop_async (follower, NULL, on_stopped, &r);
  returned_at = g_get_monotonic_time ();
  n_seen = c.seen->len;

  /* Detached at once: not running, not assigned, state unknown. */
  g_assert_false (co2s_metrics_follower_get_running (follower));
  g_assert_false (co2s_metrics_follower_get_assigned (follower));
  g_assert_cmpint (co2s_metrics_follower_get_broker_state (follower), ==, CO2S_BROKER_STATE_UNKNOWN);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, n_seen);

  /* The task holds its own reference. */
  g_object_add_weak_pointer (G_OBJECT (follower), (gpointer *) &follower);
  g_object_unref (follower);
  g_assert_nonnull (follower);

  g_assert_true (co2s_test_wait_until (stop_done, &r, 15000));
  g_source_remove (timer);
  g_test_message ("stop_async returned after %.1f ms; the stop completed after %.0f ms, "
                  "with %u ticks of %d ms, longest gap %.0f ms",
                  (returned_at - start) / 1000.0, (r.at - start) / 1000.0,
                  t.ticks, TICK_MS, t.max_gap_us / 1000.0);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_false (r.wrong_thread);

  /* stop_async itself was not long, and the loop kept its pace meanwhile.
   * Whether the stop itself was long (else this attempt proves nothing) is
   * the caller's question. */
  was_long = r.at - start >= CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS / 2 * 1000;
  g_assert_cmpint (returned_at - start, <, 250 * 1000);
  g_assert_cmpint (t.max_gap_us, <, 500 * 1000);
  g_assert_cmpuint (t.ticks, >=, (r.at - start) / (4 * TICK_MS * 1000));

  /* Nothing was delivered after stop_async returned, and the follower
   * goes away with the task. */
  g_assert_cmpuint (c.seen->len, ==, n_seen);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, n_seen);
  g_assert_true (co2s_test_wait_until (co2s_test_pointer_cleared, &follower, 5000));

  /* A stopped follower completes at once (from an idle), even cancelled. */
  {
    g_autoptr(Co2sMetricsFollower) stopped = co2s_metrics_follower_new (brokers);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    StopResult r2 = { .main_thread = g_thread_self () };

    co2s_metrics_follower_stop_async (stopped, NULL, on_stopped, &r2);
    g_assert_false (r2.done);
    g_assert_true (co2s_test_wait_until (stop_done, &r2, 1000));
    g_assert_true (r2.ok);

    r2.done = FALSE;
    g_cancellable_cancel (cancellable);
    co2s_metrics_follower_stop_async (stopped, cancellable, on_stopped, &r2);
    g_assert_true (co2s_test_wait_until (stop_done, &r2, 1000));
    g_assert_false (r2.ok);
    g_assert_error (r2.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&r2.error);
  }

  g_array_unref (c.seen);
  return was_long;
}

/* The frozen broker must really make the stop long for the test to prove
 * anything; on a loaded machine the consumer may have nothing to tell the
 * broker at that moment (its close is then quick): try again, up to three
 * times. */
static void
test_stop_async_does_not_block (void)
{
  for (guint attempt = 1; attempt <= 3; attempt++)
    {
      if (stop_async_attempt ())
        return;
      g_test_message ("attempt %u: the stop was quick (the consumer had nothing to tell the frozen "
                      "broker), so it proved nothing; again", attempt);
    }
  g_test_fail_printf ("in 3 attempts the stop never had to wait for the frozen broker: the test "
                      "cannot show that stop_async does not block");
}

/* Cancelling a stop that is under way completes it at once, while the
 * thread still ends in the background, holding the follower until then;
 * the follower can start again meanwhile, in a new group. */
static void
test_stop_async_cancel (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  g_autofree char *first_group = NULL;
  Co2sMetricsFollower *follower;
  StopResult r = { .main_thread = g_thread_self () };
  gint64 start;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  follower = co2s_metrics_follower_new (brokers);
  g_object_add_weak_pointer (G_OBJECT (follower), (gpointer *) &follower);
  first_group = g_strdup (co2s_metrics_follower_get_group_id (follower));
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (co2s_metrics_follower_get_group_id (follower), ==, first_group);
  g_assert_true (co2s_test_wait_until (is_assigned, follower, 20000));

  /* A broker that does not answer: leaving the group takes seconds. */
  co2s_test_proc_signal (broker, SIGSTOP);
  start = g_get_monotonic_time ();
  co2s_metrics_follower_stop_async (follower, cancellable, on_stopped, &r);
  g_cancellable_cancel (cancellable);
  g_assert_true (co2s_test_wait_until (stop_done, &r, 5000));
  g_test_message ("cancelled stop completed after %.0f ms", (r.at - start) / 1000.0);
  g_assert_cmpint (r.at - start, <, CO2S_METRICS_FOLLOWER_CLOSE_TIMEOUT_MS / 2 * 1000);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_false (r.wrong_thread);

  /* Startable again at once, with the old consumer still closing. */
  co2s_test_proc_signal (broker, SIGCONT);
  g_assert_true (co2s_metrics_follower_start (follower, &error));
  g_assert_no_error (error);
  /* In a group of its own, so it need not wait for the old consumer. */
  g_assert_cmpstr (co2s_metrics_follower_get_group_id (follower), !=, first_group);
  g_assert_true (g_str_has_prefix (co2s_metrics_follower_get_group_id (follower), "co2stream-viewer-"));
  g_assert_true (co2s_test_wait_until (is_assigned, follower, 20000));
  stop_quickly (follower);

  /* Dropped by the caller, the follower lives until the old thread has
   * ended, then goes. */
  g_object_unref (follower);
  g_assert_true (co2s_test_wait_until (co2s_test_pointer_cleared, &follower, 15000));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-follower/receives", test_receives);
  g_test_add_func ("/metrics-follower/starts-at-latest", test_starts_at_latest);
  g_test_add_func ("/metrics-follower/broker-unreachable", test_broker_unreachable);
  g_test_add_func ("/metrics-follower/reachable", test_reachable);
  g_test_add_func ("/metrics-follower/stop-async-does-not-block", test_stop_async_does_not_block);
  g_test_add_func ("/metrics-follower/stop-async-cancel", test_stop_async_cancel);

  return g_test_run ();
}
