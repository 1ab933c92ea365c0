/* test-pipeline-controller.c — Co2sPipelineController without GTK or a
 * display: a real Co2sSupervisor over tests/supervision's fake-service
 * (and, for the follower, the real embedded broker). Checks the pipeline
 * state and the can-* flags through Start, Stop, Retrain and shutdown, a
 * crash during Stop, the data set watch, the metrics history, the
 * follower's lifecycle, and that no batch falls between the file and the
 * live topic. The fixture (supervisor, controller, waits on the state) is
 * in pipeline-controller-fixture.c, shared with
 * test-pipeline-controller-scale-out.c. */
#define G_LOG_DOMAIN "test-pipeline-controller"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-pipeline-controller.h"
#include "pipeline-controller-fixture.h"

/* ---- helpers --------------------------------------------------------------- */

static void
assert_flags (Fixture *f,
              gboolean can_start,
              gboolean can_stop,
              gboolean can_retrain)
{
  g_assert_cmpint (co2s_pipeline_controller_get_can_start (f->ctl), ==, can_start);
  g_assert_cmpint (co2s_pipeline_controller_get_can_stop (f->ctl), ==, can_stop);
  g_assert_cmpint (co2s_pipeline_controller_get_can_retrain (f->ctl), ==, can_retrain);
}

static void
assert_snapshot (Fixture *f,
                 guint index,
                 Co2sPipelineState state,
                 gboolean can_start,
                 gboolean can_stop,
                 gboolean can_retrain)
{
  Snapshot *s;

  g_assert_cmpuint (index, <, f->snapshots->len);
  s = &g_array_index (f->snapshots, Snapshot, index);
  g_assert_cmpint (s->state, ==, state);
  g_assert_cmpint (s->can_start, ==, can_start);
  g_assert_cmpint (s->can_stop, ==, can_stop);
  g_assert_cmpint (s->can_retrain, ==, can_retrain);
}

static gboolean
ever_failed (Fixture *f)
{
  for (guint i = 0; i < f->snapshots->len; i++)
    if (g_array_index (f->snapshots, Snapshot, i).state == CO2S_PIPELINE_FAILED)
      return TRUE;
  return FALSE;
}

static Co2sService *
svc (Fixture *f,
     Co2sServiceKind kind)
{
  return co2s_supervisor_get_service (f->sup, kind);
}

typedef struct {
  Fixture *f;
  const char *event;
  const char *role;
  guint count;
} RecordWait;

static gboolean
recorded (gpointer data)
{
  RecordWait *w = data;
  g_autoptr(GPtrArray) records = test_read_lines (w->f->env.record);
  g_autoptr(GPtrArray) matching = test_filter_records (records, w->event, w->role);

  return matching->len >= w->count;
}

/* Waits until fake-service recorded @event for @role @count times. */
#define wait_record(f, ev, ro, n, ms) \
  G_STMT_START { \
    RecordWait w_ = { (f), (ev), (ro), (n) }; \
    co2s_test_assert_wait_msg (recorded, &w_, (ms), ev " " ro " recorded"); \
  } G_STMT_END

static guint
count_records (Fixture *f,
               const char *event,
               const char *role)
{
  g_autoptr(GPtrArray) records = test_read_lines (f->env.record);
  g_autoptr(GPtrArray) matching = test_filter_records (records, event, role);

  return matching->len;
}

/* ---- /pipeline-controller/start-order -------------------------------------- */

static void
test_start_order (Fixture *f,
                  gconstpointer data)
{
  static const char *roles[CO2S_N_SERVICES] = { "broker", "api", "trainer", "producer" };
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *offset_reset = NULL;
  Co2sMetricsFollower *follower;
  const char *trainer_line;

  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPED);
  g_assert_false (co2s_pipeline_controller_get_dataset_missing (f->ctl));
  g_assert_null (co2s_pipeline_controller_get_follower (f->ctl));
  g_assert_null (co2s_pipeline_controller_get_last_error (f->ctl));
  assert_flags (f, TRUE, FALSE, TRUE);

  /* The configuration reaches the supervisor at Start. */
  g_object_set (f->ctl, "algo", "sgd", "batch-rows", 7, "api-rate", 12.5, NULL);

  co2s_pipeline_controller_start (f->ctl);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STARTING);
  assert_flags (f, FALSE, TRUE, TRUE);
  wait_state (f, CO2S_PIPELINE_RUNNING, START_DEADLINE_MS);
  assert_flags (f, FALSE, TRUE, TRUE);

  /* STOPPED → STARTING → RUNNING, the flags following. */
  g_assert_cmpuint (f->snapshots->len, ==, 2);
  assert_snapshot (f, 0, CO2S_PIPELINE_STARTING, FALSE, TRUE, TRUE);
  assert_snapshot (f, 1, CO2S_PIPELINE_RUNNING, FALSE, TRUE, TRUE);

  /* Each service started after the one before it was ready. A service
   * without a readiness line (the producer) is Running once spawned, maybe
   * before its process wrote its "start" record: wait for every record. */
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      RecordWait w = { f, "start", roles[i], 1 };

      co2s_test_assert_wait_msg (recorded, &w, START_DEADLINE_MS, "every service's start recorded");
    }
  records = test_read_lines (f->env.record);
  for (guint i = 1; i < CO2S_N_SERVICES; i++)
    {
      int ready_before = test_find_record (records, "ready", roles[i - 1]);
      int start = test_find_record (records, "start", roles[i]);

      g_assert_cmpint (ready_before, >=, 0);
      g_assert_cmpint (start, >, ready_before);
    }
  trainer_line = g_ptr_array_index (records, test_find_record (records, "start", "trainer"));
  g_assert_nonnull (strstr (trainer_line, " --batch-rows 7 "));
  g_assert_true (g_str_has_suffix (trainer_line, " --algo sgd --reset"));
  g_assert_nonnull (strstr (g_ptr_array_index (records, test_find_record (records, "start", "api")),
                            " --rate 12.5"));

  /* The follower, on the broker's address, from the start of the topic
   * (embedded broker), into the controller's history. */
  follower = co2s_pipeline_controller_get_follower (f->ctl);
  g_assert_nonnull (follower);
  g_assert_true (co2s_metrics_follower_get_running (follower));
  g_assert_true (co2s_metrics_follower_get_history (follower) == co2s_pipeline_controller_get_history (f->ctl));
  g_object_get (follower, "offset-reset", &offset_reset, NULL);
  g_assert_cmpstr (offset_reset, ==, "earliest");

  stop_stopped (f);
  g_assert_null (co2s_pipeline_controller_get_follower (f->ctl));
  g_assert_null (co2s_pipeline_controller_get_last_error (f->ctl));
  assert_flags (f, TRUE, FALSE, TRUE);
  g_assert_cmpuint (f->snapshots->len, ==, 4);
  assert_snapshot (f, 2, CO2S_PIPELINE_STOPPING, FALSE, TRUE, FALSE);
  assert_snapshot (f, 3, CO2S_PIPELINE_STOPPED, TRUE, FALSE, TRUE);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    g_assert_cmpint (co2s_service_get_state (svc (f, i)), ==, CO2S_SERVICE_STATE_STOPPED);
}

/* ---- /pipeline-controller/stop-while-starting ------------------------------ */

static void
test_stop_while_starting (Fixture *f,
                          gconstpointer data)
{
  /* The api never says it is ready: the Start stays under way. */
  g_setenv ("FAKE_NEVER_READY", "api", TRUE);
  g_object_set (f->sup, "ready-timeout", 60000, NULL);

  co2s_pipeline_controller_start (f->ctl);
  wait_record (f, "ready", "api", 1, START_DEADLINE_MS);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STARTING);
  assert_flags (f, FALSE, TRUE, TRUE);

  stop_stopped (f);
  assert_flags (f, TRUE, FALSE, TRUE);
  /* The cancelled Start is no error, and nothing failed. */
  g_assert_null (co2s_pipeline_controller_get_last_error (f->ctl));
  g_assert_false (ever_failed (f));
  g_assert_null (co2s_pipeline_controller_get_follower (f->ctl));
  g_assert_cmpuint (count_records (f, "start", "trainer"), ==, 0);
  g_assert_cmpuint (count_records (f, "term", "api"), ==, 1);
  g_assert_cmpuint (count_records (f, "term", "broker"), ==, 1);

  /* And it starts again. */
  g_unsetenv ("FAKE_NEVER_READY");
  start_running (f);
}

/* ---- /pipeline-controller/crash-while-stopping ----------------------------- */

static void
test_crash_while_stopping (Fixture *f,
                           gconstpointer data)
{
  GPid trainer;
  guint n;

  /* The producer ignores SIGTERM: the Stop waits for it (then SIGKILL), the
   * trainer still running, and the trainer dies meanwhile. */
  g_setenv ("FAKE_IGNORE_TERM", "producer", TRUE);
  g_object_set (f->sup, "stop-timeout", 3000, NULL);
  start_running (f);
  trainer = co2s_service_get_pid (svc (f, CO2S_SERVICE_TRAINER));
  g_assert_cmpint (trainer, >, 0);

  co2s_pipeline_controller_stop (f->ctl);
  wait_record (f, "term", "producer", 1, STOP_DEADLINE_MS);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPING);
  g_assert_cmpint (kill (trainer, SIGKILL), ==, 0);

  wait_state (f, CO2S_PIPELINE_STOPPED, STOP_DEADLINE_MS);
  g_assert_cmpuint (count_records (f, "term", "trainer"), ==, 0);
  g_assert_cmpuint (count_records (f, "start", "trainer"), ==, 1);  /* not restarted */
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    g_assert_cmpint (co2s_service_get_state (svc (f, i)), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_false (ever_failed (f));
  assert_flags (f, TRUE, FALSE, TRUE);

  /* Stopped for good: nothing restarts behind the controller's back. */
  n = f->snapshots->len;
  co2s_test_assert_stays_msg (state_is_wanted, f, 500, "state STOPPED");
  g_assert_cmpuint (f->snapshots->len, ==, n);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /pipeline-controller/retrain-while-running ---------------------------- */

static gboolean
trainer_restarted_and_running (gpointer data)
{
  Fixture *f = data;

  return count_records (f, "ready", "trainer") >= 2 &&
         co2s_pipeline_controller_get_state (f->ctl) == CO2S_PIPELINE_RUNNING;
}

static void
test_retrain_while_running (Fixture *f,
                            gconstpointer data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) trainer_starts = NULL;
  Co2sMetricsFollower *follower;

  start_running (f);
  follower = co2s_pipeline_controller_get_follower (f->ctl);
  g_assert_nonnull (follower);

  /* A setting changed while running waits for the next Start. */
  g_object_set (f->ctl, "algo", "sgd", NULL);
  g_assert_true (co2s_pipeline_controller_get_can_retrain (f->ctl));
  co2s_pipeline_controller_retrain (f->ctl);
  co2s_test_assert_wait (trainer_restarted_and_running, f, START_DEADLINE_MS);

  wait_record (f, "start", "producer", 1, START_DEADLINE_MS);
  records = test_read_lines (f->env.record);
  trainer_starts = test_filter_records (records, "start", "trainer");
  g_assert_cmpuint (trainer_starts->len, ==, 2);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (trainer_starts, 1), " --algo ls --reset"));
  g_assert_cmpuint (count_records (f, "start", "broker"), ==, 1);
  g_assert_cmpuint (count_records (f, "start", "producer"), ==, 1);

  /* Never stopping nor failing; retrain stays possible; same broker, same follower. */
  for (guint i = 0; i < f->snapshots->len; i++)
    {
      Snapshot *s = &g_array_index (f->snapshots, Snapshot, i);

      g_assert_cmpint (s->state, !=, CO2S_PIPELINE_STOPPING);
      g_assert_cmpint (s->state, !=, CO2S_PIPELINE_FAILED);
      g_assert_true (s->can_retrain);
      g_assert_true (s->can_stop);
    }
  g_assert_null (co2s_pipeline_controller_get_last_error (f->ctl));
  g_assert_true (co2s_pipeline_controller_get_follower (f->ctl) == follower);

  stop_stopped (f);
}

/* ---- /pipeline-controller/dataset-appears ---------------------------------- */

static gboolean
dataset_is_there (gpointer data)
{
  return !co2s_pipeline_controller_get_dataset_missing (data);
}

static gboolean
dataset_is_gone (gpointer data)
{
  return co2s_pipeline_controller_get_dataset_missing (data);
}

static void
count_notify (GObject *object,
              GParamSpec *pspec,
              gpointer data)
{
  (*(guint *) data)++;
}

static void
test_dataset_appears (Fixture *f,
                      gconstpointer data)
{
  g_autofree char *later = g_build_filename (f->env.tmp, "later.csv", NULL);
  guint can_start_changes = 0;
  gulong handler;

  g_object_set (f->ctl, "dataset", later, NULL);
  g_assert_true (co2s_pipeline_controller_get_dataset_missing (f->ctl));
  assert_flags (f, FALSE, FALSE, FALSE);

  /* Starting anyway does nothing. */
  co2s_pipeline_controller_start (f->ctl);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPED);
  g_assert_false (co2s_supervisor_get_active (f->sup));
  g_assert_cmpuint (f->snapshots->len, ==, 0);

  /* The file appears: seen by the watch, no recheck asked. */
  handler = g_signal_connect (f->ctl, "notify::can-start", G_CALLBACK (count_notify), &can_start_changes);
  g_assert_true (g_file_set_contents (later, "Engine_Size\n", -1, NULL));
  co2s_test_assert_wait (dataset_is_there, f->ctl, 5000);
  assert_flags (f, TRUE, FALSE, TRUE);
  g_assert_cmpuint (can_start_changes, ==, 1);

  /* And goes again. */
  g_assert_cmpint (g_unlink (later), ==, 0);
  co2s_test_assert_wait (dataset_is_gone, f->ctl, 5000);
  assert_flags (f, FALSE, FALSE, FALSE);
  g_assert_cmpuint (can_start_changes, ==, 2);

  /* Docker Compose streams its own copy: nothing missing, no retrain. */
  g_object_set (f->ctl, "backend", CO2S_BACKEND_COMPOSE, NULL);
  g_assert_false (co2s_pipeline_controller_get_dataset_missing (f->ctl));
  assert_flags (f, TRUE, FALSE, FALSE);
  g_signal_handler_disconnect (f->ctl, handler);
}

/* ---- /pipeline-controller/start-failure ------------------------------------ */

static gboolean
can_start (gpointer data)
{
  return co2s_pipeline_controller_get_can_start (data);
}

static void
test_start_failure (Fixture *f,
                    gconstpointer data)
{
  const char *error;

  g_setenv ("FAKE_EXIT_EARLY", "api", TRUE);
  co2s_pipeline_controller_start (f->ctl);
  wait_state (f, CO2S_PIPELINE_FAILED, START_DEADLINE_MS);

  error = co2s_pipeline_controller_get_last_error (f->ctl);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error, "The pipeline could not start: "));
  g_assert_nonnull (strstr (error, "fatal: cannot start"));
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_API)), ==, CO2S_SERVICE_STATE_FAILED);

  /* Stop ends what still runs; the failure stays shown until the next Start. */
  co2s_pipeline_controller_stop (f->ctl);
  co2s_test_assert_wait (can_start, f->ctl, STOP_DEADLINE_MS);
  g_assert_false (co2s_supervisor_get_active (f->sup));
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_FAILED);
  g_assert_nonnull (co2s_pipeline_controller_get_last_error (f->ctl));

  g_unsetenv ("FAKE_EXIT_EARLY");
  co2s_pipeline_controller_start (f->ctl);
  g_assert_null (co2s_pipeline_controller_get_last_error (f->ctl));
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STARTING);
  wait_state (f, CO2S_PIPELINE_RUNNING, START_DEADLINE_MS);
}

/* ---- /pipeline-controller/shutdown ----------------------------------------- */

static void
test_shutdown (Fixture *f,
               gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  start_running (f);
  g_assert_nonnull (co2s_pipeline_controller_get_follower (f->ctl));

  co2s_pipeline_controller_shutdown_async (f->ctl, NULL, co2s_test_store_result, &result);
  /* At once: no command any more, the follower detached. */
  assert_flags (f, FALSE, FALSE, FALSE);
  g_assert_null (co2s_pipeline_controller_get_follower (f->ctl));
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPING);

  co2s_test_assert_result (&result, STOP_DEADLINE_MS, "shutdown");
  g_assert_true (co2s_pipeline_controller_shutdown_finish (f->ctl, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPED);
  g_assert_false (co2s_supervisor_get_active (f->sup));
  co2s_test_assert_wait (co2s_test_no_children, NULL, STOP_DEADLINE_MS);
  assert_flags (f, FALSE, FALSE, FALSE);

  /* Start does nothing any more. */
  co2s_pipeline_controller_start (f->ctl);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPED);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /pipeline-controller/metrics-history ---------------------------------- */

/* Batch @i as the trainer writes it to metrics.jsonl ('\n'-terminated)
 * and, without the '\n', to streaming_metrics. */
static void
batch_json (guint64 i,
            GString *out)
{
  Co2sBatchMetrics m = { 0 };

  m.batch = i;
  m.rows = 100;
  m.rows_seen = i * 100;
  m.rmse = 10.0 + i;
  m.timestamp_us = T0 + (gint64) i * G_USEC_PER_SEC;
  g_strlcpy (m.algo, "ls", sizeof m.algo);
  co2s_batch_metrics_to_json (&m, out);
}

/* metrics.jsonl holding batches 1 to @n, replaced at once as a whole (the
 * trainer appends; a reader sees either file). */
static void
write_metrics (const char *dir,
               guint64 n)
{
  g_autoptr(GString) file = g_string_new (NULL);
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint64 i = 1; i <= n; i++)
    batch_json (i, file);
  g_assert_true (g_file_set_contents (path, file->str, file->len, NULL));
}

/* Publishes batches @from to @to to streaming_metrics, as the trainer does. */
static void
publish_metrics (const char *brokers,
                 guint64 from,
                 guint64 to)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint64 i = from; i <= to; i++)
    {
      GString *line = g_string_new (NULL);

      batch_json (i, line);
      g_string_truncate (line, line->len - 1);
      g_ptr_array_add (payloads, g_string_free (line, FALSE));
    }
  g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_METRICS,
                                          (const char * const *) payloads->pdata, NULL,
                                          payloads->len, &error));
  g_assert_no_error (error);
}

static gboolean
has_follower (gpointer ctl)
{
  return co2s_pipeline_controller_get_follower (ctl) != NULL;
}

static void
test_metrics_history (Fixture *f,
                      gconstpointer data)
{
  Co2sMetricsHistory *history = co2s_pipeline_controller_get_history (f->ctl);
  g_autofree char *other = g_build_filename (f->env.tmp, "other-models", NULL);
  g_autofree char *path = co2s_pipeline_controller_dup_metrics_path (f->ctl);
  g_autofree char *expected = g_build_filename (f->env.models, CO2S_METRICS_FILE, NULL);
  g_autofree char *offset_reset = NULL;
  HistoryWait w = { history, 3 };

  g_assert_cmpstr (path, ==, expected);
  write_metrics (f->env.models, 3);
  co2s_pipeline_controller_reload_metrics (f->ctl);
  co2s_test_assert_wait_msg (history_has, &w, 5000, "3 batches read");

  /* Another model folder: another model's batches (none there). */
  g_object_set (f->ctl, "model-dir", other, NULL);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 0);
  g_object_set (f->ctl, "model-dir", f->env.models, NULL);
  co2s_test_assert_wait_msg (history_has, &w, 5000, "3 batches read again");

  /* A real Kafka keeps the past: the file is read again at Start and the
   * follower starts at the topic's end. */
  write_metrics (f->env.models, 4);
  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EXISTING, NULL);
  g_object_set (f->ctl, "broker-address", " 127.0.0.1:1 ", NULL);
  start_running (f);
  g_assert_false (co2s_service_get_enabled (svc (f, CO2S_SERVICE_BROKER)));
  g_assert_cmpuint (count_records (f, "start", "broker"), ==, 0);
  w.n = 4;
  co2s_test_assert_wait_msg (history_has, &w, 5000, "4 batches read at Start");
  g_assert_nonnull (co2s_pipeline_controller_get_follower (f->ctl));
  g_object_get (co2s_pipeline_controller_get_follower (f->ctl), "offset-reset", &offset_reset, NULL);
  g_assert_cmpstr (offset_reset, ==, "latest");
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, "127.0.0.1:1");
  /* The trainers' group is watched on that Kafka while the follower runs. */
  g_assert_nonnull (co2s_pipeline_controller_get_group_watch (f->ctl));
  g_assert_true (co2s_group_watch_get_running (co2s_pipeline_controller_get_group_watch (f->ctl)));
  g_assert_cmpstr (co2s_group_watch_get_brokers (co2s_pipeline_controller_get_group_watch (f->ctl)), ==,
                   "127.0.0.1:1");
  g_assert_cmpstr (co2s_group_watch_get_group (co2s_pipeline_controller_get_group_watch (f->ctl)), ==,
                   CO2S_TRAINER_GROUP);
  stop_stopped (f);
  g_assert_null (co2s_pipeline_controller_get_group_watch (f->ctl));

  /* The embedded broker starts a new model: the old batches go. */
  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EMBEDDED, NULL);
  co2s_pipeline_controller_start (f->ctl);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 0);
  wait_state (f, CO2S_PIPELINE_RUNNING, START_DEADLINE_MS);
  /* Its mock cluster does not describe groups: no watch there. */
  co2s_test_assert_wait (has_follower, f->ctl, 10000);
  g_assert_null (co2s_pipeline_controller_get_group_watch (f->ctl));
}

/* ---- /pipeline-controller/follower-leaves-first ---------------------------- */

static gboolean
follower_reachable (gpointer data)
{
  return co2s_metrics_follower_get_reachable (data);
}

static void
follower_finalized (gpointer data,
                    GObject *where_the_object_was)
{
  *(gint64 *) data = g_get_monotonic_time ();
}

static void
test_follower_leaves_first (Fixture *f,
                            gconstpointer data)
{
  const char *broker_exe = co2s_test_program ("CO2S_BROKER");
  g_autofree char *link = g_build_filename (f->env.bin, "co2stream-broker", NULL);
  g_autoptr(GPtrArray) records = NULL;
  HistoryWait w = { co2s_pipeline_controller_get_history (f->ctl), 3 };
  Co2sMetricsFollower *follower;
  gint64 follower_gone_at = 0;
  int term;

  /* The real embedded broker, the other three still fake. */
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (broker_exe, link), ==, 0);
  g_object_set (f->sup, "ready-timeout", 20000, NULL);

  start_running (f);
  follower = co2s_pipeline_controller_get_follower (f->ctl);
  g_assert_nonnull (follower);
  co2s_test_assert_wait (follower_reachable, follower, 20000);

  /* It reads this run's metrics from the topic's start into the history. */
  publish_metrics (co2s_supervisor_get_bootstrap_servers (f->sup), 1, 3);
  co2s_test_assert_wait_msg (history_has, &w, 30000, "3 live batches");

  /* Stop: the follower is detached at once; its stop (the consumer leaving
   * its group) completes, dropping the last reference, before the first
   * service gets SIGTERM. */
  g_object_weak_ref (G_OBJECT (follower), follower_finalized, &follower_gone_at);
  stop_stopped (f);
  g_assert_null (co2s_pipeline_controller_get_follower (f->ctl));
  g_assert_cmpint (follower_gone_at, >, 0);
  records = test_read_lines (f->env.record);
  term = test_find_record (records, "term", "producer");
  g_assert_cmpint (term, >=, 0);
  g_assert_cmpint (follower_gone_at, <, test_field_int (g_ptr_array_index (records, term), 3));
}

/* ---- /pipeline-controller/no-gap-between-file-and-live -------------------- */

static gboolean
follower_assigned (gpointer data)
{
  return co2s_metrics_follower_get_assigned (data);
}

typedef struct {
  Co2sMetricsHistory *history;
  guint64 value;
} GapWait;

static gboolean
epoch_moved (gpointer data)
{
  GapWait *w = data;

  return co2s_metrics_history_get_epoch (w->history) != w->value;
}

static gboolean
last_batch_is (gpointer data)
{
  GapWait *w = data;

  return co2s_metrics_history_get_last_batch (w->history) == w->value;
}

/* Batches 1 to w->value, each once, in order. */
static gboolean
history_complete (gpointer data)
{
  GapWait *w = data;
  guint n = 0;
  const double *batch = co2s_metrics_history_get_batch_column (w->history, &n);

  if (n != w->value)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (batch[i] != (double) (i + 1))
      return FALSE;
  return TRUE;
}

/* The app once showed "Batches 144 — Latest: batch 146". With a Kafka that
 * keeps older runs the follower starts at the topic's end, and the file is
 * read when it is assigned; but where "latest" lands is only decided after
 * the assignment, so batches the trainer wrote to the file after that read
 * and published before the follower's start offset were in neither. The
 * test makes that window happen for sure: once the file has been read and
 * the follower receives live batches, two batches go to the file only
 * (published before the follower's start, as far as it can tell), then the
 * next to both. The history must hold every batch once. */
static void
test_no_gap_between_file_and_live (Fixture *f,
                                   gconstpointer data)
{
  Co2sMetricsHistory *history = co2s_pipeline_controller_get_history (f->ctl);
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *brokers = NULL;
  Co2sMetricsFollower *follower;
  GapWait w = { history, 0 };
  guint64 next = 11;
  gint64 deadline;

  /* An earlier run: in the file and on the topic, before the follower. */
  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  write_metrics (f->env.models, 10);
  publish_metrics (brokers, 1, 10);

  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EXISTING, NULL);
  g_object_set (f->ctl, "broker-address", brokers, NULL);
  start_running (f);
  follower = co2s_pipeline_controller_get_follower (f->ctl);
  g_assert_nonnull (follower);
  co2s_test_assert_wait_msg (follower_assigned, follower, 30000, "the follower assigned");

  /* From here on no read of the file is under way: this one cancels the
   * one the assignment started, and it is merged. */
  w.value = co2s_metrics_history_get_epoch (history);
  co2s_pipeline_controller_reload_metrics (f->ctl);
  co2s_test_assert_wait_msg (epoch_moved, &w, 10000, "the file read");
  w.value = 10;
  g_assert_true (history_complete (&w));

  /* The trainer goes on (file first, then the topic) until the follower's
   * start offset is known: a batch arrives live. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      write_metrics (f->env.models, next);
      publish_metrics (brokers, next, next);
      w.value = next++;
      if (co2s_test_wait_until (last_batch_is, &w, 500))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  /* The window: two batches in the file only, then one in both. */
  write_metrics (f->env.models, next + 1);
  write_metrics (f->env.models, next + 2);
  publish_metrics (brokers, next + 2, next + 2);
  w.value = next + 2;
  co2s_test_assert_wait_msg (last_batch_is, &w, 10000, "the live batch after the window");
  co2s_test_assert_wait_msg (history_complete, &w, 10000, "every batch once, none missed");

  /* The next live batch follows the last one held: nothing more to read. */
  w.value = co2s_metrics_history_get_epoch (history);
  write_metrics (f->env.models, next + 3);
  publish_metrics (brokers, next + 3, next + 3);
  {
    GapWait last = { history, next + 3 };

    co2s_test_assert_wait_msg (last_batch_is, &last, 10000, "one more live batch");
    co2s_test_assert_wait_msg (history_complete, &last, 10000, "every batch once");
  }
  g_assert_cmpuint (co2s_metrics_history_get_epoch (history), ==, w.value);

  stop_stopped (f);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/pipeline-controller/start-order", test_start_order);
  ADD ("/pipeline-controller/stop-while-starting", test_stop_while_starting);
  ADD ("/pipeline-controller/crash-while-stopping", test_crash_while_stopping);
  ADD ("/pipeline-controller/retrain-while-running", test_retrain_while_running);
  ADD ("/pipeline-controller/dataset-appears", test_dataset_appears);
  ADD ("/pipeline-controller/start-failure", test_start_failure);
  ADD ("/pipeline-controller/shutdown", test_shutdown);
  ADD ("/pipeline-controller/metrics-history", test_metrics_history);
  ADD ("/pipeline-controller/follower-leaves-first", test_follower_leaves_first);
  ADD ("/pipeline-controller/no-gap-between-file-and-live", test_no_gap_between_file_and_live);

  return g_test_run ();
}
