/* test-supervisor.c — Co2sSupervisor's local backend with real child
 * processes (fake-service standing in for the four programs). */
#define G_LOG_DOMAIN "test-supervisor"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-log-line.h"
#include "co2s-supervisor.h"
#include "supervisor-test-util.h"

#define START_DEADLINE_MS 10000
#define STOP_DEADLINE_MS  10000

typedef struct
{
  TestFakeEnv env;
  Co2sSupervisor *sup;
} Fixture;

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  test_fake_env_init (&f->env);

  f->sup = test_fake_supervisor_new (&f->env);
  /* Most tests are about the embedded broker's semantics (a new broker
   * process → the trainer replays with --reset); the local Kafka's and the
   * existing Kafka's tests (test-supervisor-brokers.c) say so. */
  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EMBEDDED, NULL);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  test_supervisor_stop_all (&f->sup, STOP_DEADLINE_MS, "every child to be gone");

  test_fake_env_clear (&f->env);
}

static void
start_ok (Fixture *f)
{
  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);
}

static void
stop_ok (Fixture *f)
{
  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

static GError *
start_fails (Fixture *f)
{
  return test_supervisor_start_fails (f->sup, START_DEADLINE_MS);
}

static Co2sService *
svc (Fixture *f,
     Co2sServiceKind kind)
{
  return co2s_supervisor_get_service (f->sup, kind);
}

static const char *roles[CO2S_N_SERVICES] = { "broker", "api", "trainer", "producer" };

/* ---- /supervisor/start-order -------------------------------------------- */

static void
test_start_order (Fixture *f,
                  gconstpointer data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *expect_brokers = NULL;
  g_autofree char *expect_api = NULL;
  g_autofree char *trainer_args = NULL;
  g_autofree char *producer_args = NULL;
  g_autofree char *api_args = NULL;
  GPid pids[CO2S_N_SERVICES];
  int start_at[CO2S_N_SERVICES];
  int term_at[CO2S_N_SERVICES];
  const char *trainer_line;
  const char *producer_line;
  const char *api_line;

  g_assert_false (co2s_supervisor_get_active (f->sup));
  start_ok (f);
  g_assert_true (co2s_supervisor_get_active (f->sup));

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      g_assert_cmpint (co2s_service_get_state (svc (f, i)), ==, CO2S_SERVICE_STATE_RUNNING);
      g_assert_true (co2s_service_get_enabled (svc (f, i)));
      pids[i] = co2s_service_get_pid (svc (f, i));
      g_assert_cmpint (pids[i], >, 0);
      g_assert_cmpint (co2s_service_get_started_at (svc (f, i)), >, 0);
      if (i > 0)
        g_assert_cmpint (co2s_service_get_started_at (svc (f, i)), >=,
                         co2s_service_get_started_at (svc (f, i - 1)));
    }

  /* Each service starts only after the one before printed its ready line. */
  records = test_read_lines (f->env.record);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      start_at[i] = test_find_record (records, "start", roles[i]);
      g_assert_cmpint (start_at[i], >=, 0);
      if (i > 0)
        {
          int ready_before = test_find_record (records, "ready", roles[i - 1]);

          g_assert_cmpint (ready_before, >=, 0);
          g_assert_cmpint (ready_before, <, start_at[i]);
          g_assert_cmpint (start_at[i - 1], <, start_at[i]);
        }
    }

  /* Addresses flow from the ready lines into the later services' argv. */
  expect_brokers = g_strdup_printf ("127.0.0.1:%d", (int) pids[CO2S_SERVICE_BROKER]);
  expect_api = g_strdup_printf ("http://127.0.0.1:%d", (int) pids[CO2S_SERVICE_API]);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, expect_brokers);
  g_assert_cmpstr (co2s_supervisor_get_api_url (f->sup), ==, expect_api);
  g_assert_cmpstr (co2s_service_get_address (svc (f, CO2S_SERVICE_BROKER)), ==, expect_brokers);

  api_line = g_ptr_array_index (records, start_at[CO2S_SERVICE_API]);
  api_args = g_strdup_printf (" --csv %s --listen 127.0.0.1:0 --rate 50", f->env.dataset);
  g_assert_nonnull (strstr (api_line, api_args));

  trainer_line = g_ptr_array_index (records, start_at[CO2S_SERVICE_TRAINER]);
  trainer_args = g_strdup_printf (" --brokers %s --topic " CO2S_TOPIC_DATA " --group " CO2S_TRAINER_GROUP " "
                                  "--model-dir %s --batch-rows 100 --batch-ms 1000 --algo ls --reset",
                                  expect_brokers, f->env.models);
  g_assert_true (g_str_has_suffix (trainer_line, trainer_args));
  g_assert_nonnull (strstr (trainer_line, " --metrics-listen 127.0.0.1:0 --brokers "));
  g_assert_true (g_file_test (f->env.models, G_FILE_TEST_IS_DIR));

  producer_line = g_ptr_array_index (records, start_at[CO2S_SERVICE_PRODUCER]);
  producer_args = g_strdup_printf (" --api %s" CO2S_API_STREAM_PATH " --brokers %s --topic " CO2S_TOPIC_DATA,
                                   expect_api, expect_brokers);
  g_assert_true (g_str_has_suffix (producer_line, producer_args));
  g_assert_nonnull (strstr (producer_line, " --metrics-listen 127.0.0.1:0 --api "));

  stop_ok (f);
  g_assert_false (co2s_supervisor_get_active (f->sup));

  /* Reverse order: each got SIGTERM only once the later ones were gone. */
  after = test_read_lines (f->env.record);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      term_at[i] = test_find_record (after, "term", roles[i]);
      g_assert_cmpint (term_at[i], >=, 0);
      if (i > 0)
        g_assert_cmpint (term_at[i - 1], >, term_at[i]);
      g_assert_cmpint (co2s_service_get_state (svc (f, i)), ==, CO2S_SERVICE_STATE_STOPPED);
      g_assert_cmpint (co2s_service_get_pid (svc (f, i)), ==, 0);
      g_assert_cmpint (co2s_service_get_started_at (svc (f, i)), ==, 0);
      g_assert_true (co2s_test_pid_gone (pids[i]));
    }
  g_assert_null (co2s_supervisor_get_api_url (f->sup));
}

/* ---- /supervisor/restart-after-crash ------------------------------------ */

static void
on_restart_delay (Co2sService *service,
                  GParamSpec *pspec,
                  GArray *delays)
{
  guint delay = co2s_service_get_restart_delay (service);

  if (delay > 0)
    g_array_append_val (delays, delay);
}

static gboolean
trainer_restarted_4_times (gpointer data)
{
  Fixture *f = data;
  return co2s_service_get_restart_count (svc (f, CO2S_SERVICE_TRAINER)) >= 4;
}

static void
test_restart_after_crash (Fixture *f,
                          gconstpointer data)
{
  g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) starts = NULL;
  g_autoptr(GPtrArray) crashes = NULL;
  g_autoptr(GPtrArray) producer_starts = NULL;
  Co2sService *trainer = svc (f, CO2S_SERVICE_TRAINER);

  g_setenv ("FAKE_CRASH", "trainer", TRUE);
  g_setenv ("FAKE_CRASH_DELAY_MS", "50", TRUE);
  g_signal_connect (trainer, "notify::restart-delay", G_CALLBACK (on_restart_delay), delays);

  start_ok (f);
  co2s_test_assert_wait_msg (trainer_restarted_4_times, f, 10000, "4 restarts of the crashing trainer");

  /* Exponential backoff from 100 ms, capped at 400 ms. */
  g_assert_cmpuint (delays->len, >=, 4);
  g_assert_cmpuint (g_array_index (delays, guint, 0), ==, 100);
  g_assert_cmpuint (g_array_index (delays, guint, 1), ==, 200);
  g_assert_cmpuint (g_array_index (delays, guint, 2), ==, 400);
  g_assert_cmpuint (g_array_index (delays, guint, 3), ==, 400);

  /* The relaunch really waited the delay after each crash. */
  records = test_read_lines (f->env.record);
  starts = test_filter_records (records, "start", "trainer");
  crashes = test_filter_records (records, "crash", "trainer");
  g_assert_cmpuint (starts->len, >=, 4);
  for (guint k = 0; k + 1 < starts->len && k < crashes->len && k < delays->len; k++)
    {
      gint64 crashed = test_field_int (g_ptr_array_index (crashes, k), 3);
      gint64 restarted = test_field_int (g_ptr_array_index (starts, k + 1), 3);

      g_assert_cmpint (restarted - crashed, >=, (gint64) g_array_index (delays, guint, k) * 1000);
      /* Same broker: resume from the checkpoint, no --reset. */
      g_assert_false (g_str_has_suffix (g_ptr_array_index (starts, k + 1), "--reset"));
    }
  g_assert_true (g_str_has_suffix (g_ptr_array_index (starts, 0), "--reset"));

  /* The others were left alone. */
  producer_starts = test_filter_records (records, "start", "producer");
  g_assert_cmpuint (producer_starts->len, ==, 1);
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_PRODUCER)), ==, 0);
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_BROKER)), ==, 0);

  stop_ok (f);
  g_assert_cmpint (co2s_service_get_state (trainer), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpuint (co2s_service_get_restart_delay (trainer), ==, 0);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /supervisor/broker-restart ----------------------------------------- */

static gboolean
broker_cycle_done (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) records = test_read_lines (f->env.record);
  g_autoptr(GPtrArray) producer_starts = test_filter_records (records, "start", "producer");

  if (producer_starts->len < 2)
    return FALSE;
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    if (co2s_service_get_state (svc (f, i)) != CO2S_SERVICE_STATE_RUNNING)
      return FALSE;
  return TRUE;
}

static void
test_broker_restart (Fixture *f,
                     gconstpointer data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) broker_starts = NULL;
  g_autoptr(GPtrArray) api_starts = NULL;
  g_autoptr(GPtrArray) trainer_starts = NULL;
  g_autoptr(GPtrArray) producer_starts = NULL;
  g_autofree char *new_brokers = NULL;
  g_autofree char *trainer_args = NULL;
  g_autofree char *producer_args = NULL;
  gint64 new_broker_pid;

  g_setenv ("FAKE_CRASH_ONCE", "broker", TRUE);
  g_setenv ("FAKE_CRASH_DELAY_MS", "1500", TRUE);

  start_ok (f);
  co2s_test_assert_wait_msg (broker_cycle_done, f, 10000, "the pipeline to come back after the broker crashed");

  records = test_read_lines (f->env.record);
  broker_starts = test_filter_records (records, "start", "broker");
  api_starts = test_filter_records (records, "start", "api");
  trainer_starts = test_filter_records (records, "start", "trainer");
  producer_starts = test_filter_records (records, "start", "producer");

  g_assert_cmpuint (broker_starts->len, ==, 2);
  g_assert_cmpuint (api_starts->len, ==, 1);   /* the api does not use the broker */
  g_assert_cmpuint (trainer_starts->len, ==, 2);
  g_assert_cmpuint (producer_starts->len, ==, 2);
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_BROKER)), ==, 1);
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_TRAINER)), ==, 0);

  /* The new broker has a new address; its users got it, the trainer with
   * --reset since the embedded broker starts empty. */
  new_broker_pid = test_field_int (g_ptr_array_index (broker_starts, 1), 2);
  new_brokers = g_strdup_printf ("127.0.0.1:%d", (int) new_broker_pid);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, new_brokers);
  trainer_args = g_strdup_printf (" --brokers %s ", new_brokers);
  g_assert_nonnull (strstr (g_ptr_array_index (trainer_starts, 1), trainer_args));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (trainer_starts, 1), "--reset"));
  producer_args = g_strdup_printf (" --brokers %s ", new_brokers);
  g_assert_nonnull (strstr (g_ptr_array_index (producer_starts, 1), producer_args));

  stop_ok (f);
}

/* ---- /supervisor/stop-leaves-no-process --------------------------------- */

static void
test_stop_leaves_no_process (Fixture *f,
                             gconstpointer data)
{
  g_autoptr(GAsyncResult) start_result = NULL;
  g_autoptr(GAsyncResult) stop_result = NULL;
  g_autoptr(GError) error = NULL;
  GPid pids[CO2S_N_SERVICES];

  start_ok (f);
  g_assert_cmpuint (co2s_test_count_children (), ==, CO2S_N_SERVICES);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    pids[i] = co2s_service_get_pid (svc (f, i));

  stop_ok (f);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    g_assert_true (co2s_test_pid_gone (pids[i]));
  g_assert_cmpuint (co2s_test_count_children (), ==, 0);

  /* Stop while starting: the start reports the interruption, nothing is
   * left. */
  co2s_supervisor_start_async (f->sup, NULL, co2s_test_store_result, &start_result);
  co2s_supervisor_stop_async (f->sup, NULL, co2s_test_store_result, &stop_result);
  co2s_test_assert_result (&start_result, START_DEADLINE_MS, "interrupted start");
  co2s_test_assert_result (&stop_result, STOP_DEADLINE_MS, "stop");
  g_assert_false (co2s_supervisor_start_finish (f->sup, start_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (co2s_supervisor_stop_finish (f->sup, stop_result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (co2s_test_count_children (), ==, 0);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /supervisor/sigkill-escalation ------------------------------------- */

static void
test_sigkill_escalation (Fixture *f,
                         gconstpointer data)
{
  g_autoptr(GPtrArray) records = NULL;
  Co2sService *producer = svc (f, CO2S_SERVICE_PRODUCER);
  gint64 t0;
  gint64 elapsed;
  GPid pid;
  int term_producer;
  int term_trainer;

  g_setenv ("FAKE_IGNORE_TERM", "producer", TRUE);
  g_object_set (f->sup, "stop-timeout", 300, NULL);

  start_ok (f);
  pid = co2s_service_get_pid (producer);

  t0 = g_get_monotonic_time ();
  stop_ok (f);
  elapsed = g_get_monotonic_time () - t0;

  g_assert_cmpint (elapsed, >=, 300 * 1000);
  g_assert_true (co2s_test_pid_gone (pid));
  g_assert_true (co2s_service_get_killed (producer));
  g_assert_cmpint (co2s_service_get_state (producer), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_nonnull (strstr (co2s_service_get_message (producer), "SIGTERM"));
  g_assert_nonnull (strstr (co2s_service_get_exit_text (producer), "signal 9"));
  g_assert_false (co2s_service_get_killed (svc (f, CO2S_SERVICE_TRAINER)));

  /* It got SIGTERM (and ignored it); the trainer only after it was killed. */
  records = test_read_lines (f->env.record);
  term_producer = test_find_record (records, "term", "producer");
  term_trainer = test_find_record (records, "term", "trainer");
  g_assert_cmpint (term_producer, >=, 0);
  g_assert_cmpint (term_trainer, >, term_producer);
  g_assert_cmpint (test_field_int (g_ptr_array_index (records, term_trainer), 3) -
                   test_field_int (g_ptr_array_index (records, term_producer), 3), >=, 250 * 1000);
}

/* ---- /supervisor/no-orphans-when-killed --------------------------------- */

typedef struct
{
  GDataInputStream *in;
  GPtrArray *lines;
  gboolean done;
} HostReader;

static void
host_line_cb (GObject *source,
              GAsyncResult *result,
              gpointer data)
{
  HostReader *reader = data;
  char *line = g_data_input_stream_read_line_finish (reader->in, result, NULL, NULL);

  if (line == NULL)
    {
      reader->done = TRUE;
      return;
    }
  g_ptr_array_add (reader->lines, line);
  if (g_str_equal (line, "ready") || g_str_has_prefix (line, "error:"))
    reader->done = TRUE;
  else
    g_data_input_stream_read_line_async (reader->in, G_PRIORITY_DEFAULT, NULL, host_line_cb, reader);
}

static gboolean
host_reader_done (gpointer data)
{
  return ((HostReader *) data)->done;
}

static gboolean
subprocess_exited (gpointer data)
{
  return !g_subprocess_get_identifier (G_SUBPROCESS (data));
}

static void
test_no_orphans_when_killed (Fixture *f,
                             gconstpointer data)
{
  const char *host_path = g_getenv ("SUPERVISOR_HOST");
  g_autoptr(GSubprocess) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  HostReader reader = { 0 };

  if (host_path == NULL || !g_file_test (host_path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("SUPERVISOR_HOST must name the built supervisor-host program (run through meson test)");

  /* Orphans get reparented to us instead of init: they are then our
   * zombies once dead, visible whatever init does. */
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1), ==, 0);

  host = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           host_path, f->env.bin, f->env.dataset, f->env.models, NULL);
  g_assert_no_error (error);

  reader.in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (host));
  reader.lines = g_ptr_array_new_with_free_func (g_free);
  g_data_input_stream_read_line_async (reader.in, G_PRIORITY_DEFAULT, NULL, host_line_cb, &reader);
  co2s_test_assert_wait_msg (host_reader_done, &reader, START_DEADLINE_MS, "the host's pipeline to start");

  for (guint i = 0; i < reader.lines->len; i++)
    {
      const char *line = g_ptr_array_index (reader.lines, i);

      g_assert_false (g_str_has_prefix (line, "error:"));
      if (g_str_has_prefix (line, "pid "))
        {
          GPid pid = (GPid) test_field_int (line, 2);

          g_assert_cmpint (pid, >, 0);
          g_assert_false (co2s_test_pid_gone (pid));
          g_array_append_val (pids, pid);
        }
    }
  g_assert_cmpuint (pids->len, ==, CO2S_N_SERVICES);

  /* No chance to clean up: the kernel must end the children for it. */
  g_subprocess_send_signal (host, SIGKILL);
  co2s_test_assert_wait_msg (subprocess_exited, host, 5000, "the host to die");
  co2s_test_assert_wait_msg (co2s_test_pids_gone, pids, 5000, "every child of the killed host to be gone");

  g_ptr_array_unref (reader.lines);
  g_object_unref (reader.in);
}

/* ---- /supervisor/log-capture -------------------------------------------- */

static gboolean
trainer_printed_all (gpointer data)
{
  Fixture *f = data;
  return g_strcmp0 (co2s_service_get_last_line (svc (f, CO2S_SERVICE_TRAINER)), "line 2500") == 0;
}

static gboolean
api_printed_all (gpointer data)
{
  Fixture *f = data;
  return g_list_model_get_n_items (co2s_service_get_log (svc (f, CO2S_SERVICE_API))) >= 4;
}

static void
count_changes (GListModel *model,
               guint position,
               guint removed,
               guint added,
               guint *n)
{
  *n += added;
}

static void
test_log_capture (Fixture *f,
                  gconstpointer data)
{
  Co2sService *trainer = svc (f, CO2S_SERVICE_TRAINER);
  Co2sService *api = svc (f, CO2S_SERVICE_API);
  GListModel *log = co2s_service_get_log (trainer);
  g_autoptr(Co2sLogLine) first = NULL;
  g_autoptr(Co2sLogLine) last = NULL;
  GListModel *api_log;
  gboolean saw_stderr_line = FALSE;
  gboolean saw_repaired = FALSE;
  guint added = 0;

  g_setenv ("FAKE_CHATTY", "trainer", TRUE);
  g_setenv ("FAKE_LOG_LINES", "2500", TRUE);
  g_setenv ("FAKE_MIXED", "api", TRUE);
  g_assert_cmpuint (co2s_service_get_log_limit (trainer), ==, 2000);
  g_signal_connect (log, "items-changed", G_CALLBACK (count_changes), &added);

  start_ok (f);
  co2s_test_assert_wait_msg (trainer_printed_all, f, 10000, "the trainer's 2,500 lines");
  co2s_test_assert_wait_msg (api_printed_all, f, 10000, "the api's lines");

  /* Bounded: the command line, the ready line and 2,500 numbered lines went
   * in; the last 2,000 stay. */
  g_assert_cmpuint (added, ==, 2502);
  g_assert_cmpuint (g_list_model_get_n_items (log), ==, 2000);
  g_assert_true (g_list_model_get_item_type (log) == CO2S_TYPE_LOG_LINE);
  first = g_list_model_get_item (log, 0);
  last = g_list_model_get_item (log, 1999);
  g_assert_cmpstr (co2s_log_line_get_text (first), ==, "line 501");
  g_assert_cmpstr (co2s_log_line_get_text (last), ==, "line 2500");
  g_assert_false (co2s_log_line_get_is_stderr (last));
  g_assert_cmpint (co2s_log_line_get_timestamp (last), >=, co2s_log_line_get_timestamp (first));
  g_assert_cmpstr (co2s_service_get_last_line (trainer), ==, "line 2500");

  /* Both streams, in one buffer, as valid UTF-8; the command line first. */
  api_log = co2s_service_get_log (api);
  g_assert_cmpuint (g_list_model_get_n_items (api_log), ==, 4);
  for (guint i = 0; i < g_list_model_get_n_items (api_log); i++)
    {
      g_autoptr(Co2sLogLine) line = g_list_model_get_item (api_log, i);
      const char *text = co2s_log_line_get_text (line);

      g_assert_true (g_utf8_validate (text, -1, NULL));
      if (i == 0)
        g_assert_nonnull (strstr (text, "/co2stream-api --csv "));
      if (g_str_equal (text, "warning on stderr"))
        saw_stderr_line = co2s_log_line_get_is_stderr (line);
      if (g_str_has_prefix (text, "bad utf8 ") && g_str_has_suffix (text, " end"))
        saw_repaired = strstr (text, "\xef\xbf\xbd") != NULL && !co2s_log_line_get_is_stderr (line);
    }
  g_assert_true (saw_stderr_line);
  g_assert_true (saw_repaired);

  /* A smaller limit trims the front. */
  co2s_service_set_log_limit (trainer, 10);
  g_assert_cmpuint (g_list_model_get_n_items (log), ==, 10);
  g_clear_object (&first);
  first = g_list_model_get_item (log, 0);
  g_assert_cmpstr (co2s_log_line_get_text (first), ==, "line 2491");

  stop_ok (f);
  g_signal_handlers_disconnect_by_func (log, count_changes, &added);
}

/* ---- Failures ----------------------------------------------------------- */

static void
test_ready_timeout (Fixture *f,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  Co2sService *api = svc (f, CO2S_SERVICE_API);

  g_setenv ("FAKE_NEVER_READY", "api", TRUE);
  g_object_set (f->sup, "ready-timeout", 300, NULL);

  error = start_fails (f);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "API: "));
  g_assert_nonnull (strstr (error->message, "warming up"));

  g_assert_cmpint (co2s_service_get_state (api), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_nonnull (strstr (co2s_service_get_message (api), "ready"));
  g_assert_cmpint (co2s_service_get_pid (api), ==, 0);   /* it was ended */
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_TRAINER)), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_PRODUCER)), ==, CO2S_SERVICE_STATE_STOPPED);

  records = test_read_lines (f->env.record);
  g_assert_cmpint (test_find_record (records, "term", "api"), >=, 0);
  g_assert_cmpint (test_find_record (records, "start", "trainer"), <, 0);
  g_assert_cmpint (test_find_record (records, "start", "producer"), <, 0);

  stop_ok (f);
  g_assert_cmpint (co2s_service_get_state (api), ==, CO2S_SERVICE_STATE_FAILED);   /* sticky */
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)), ==, CO2S_SERVICE_STATE_STOPPED);
}

static void
test_exit_before_ready (Fixture *f,
                        gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Co2sService *api = svc (f, CO2S_SERVICE_API);

  g_setenv ("FAKE_EXIT_EARLY", "api", TRUE);

  error = start_fails (f);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (co2s_service_get_state (api), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_nonnull (strstr (co2s_service_get_message (api), "exited with status 2"));
  g_assert_nonnull (strstr (co2s_service_get_message (api), "fatal: cannot start"));
  /* Retrying cannot help: no restart is scheduled. */
  g_assert_cmpuint (co2s_service_get_restart_delay (api), ==, 0);
  g_assert_cmpuint (co2s_service_get_restart_count (api), ==, 0);

  stop_ok (f);
}

static void
test_missing_dataset (Fixture *f,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *missing = g_build_filename (f->env.tmp, "nowhere", "co2_processed.csv", NULL);
  Co2sService *api = svc (f, CO2S_SERVICE_API);

  g_object_set (f->sup, "dataset", missing, NULL);
  error = start_fails (f);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (co2s_service_get_state (api), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_nonnull (strstr (co2s_service_get_message (api), missing));

  records = test_read_lines (f->env.record);
  g_assert_cmpint (test_find_record (records, "start", "api"), <, 0);
  stop_ok (f);
}

static void
test_missing_program (Fixture *f,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) find_error = NULL;
  g_autofree char *empty = g_build_filename (f->env.tmp, "empty", NULL);
  g_autofree char *found = NULL;
  Co2sService *broker = svc (f, CO2S_SERVICE_BROKER);

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_object_set (f->sup, "bin-dir", empty, NULL);

  found = co2s_supervisor_find_program (f->sup, CO2S_SERVICE_BROKER, &find_error);
  g_assert_null (found);
  g_assert_error (find_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  error = start_fails (f);
  g_assert_cmpint (co2s_service_get_state (broker), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_nonnull (strstr (co2s_service_get_message (broker), "co2stream-broker"));
  g_assert_nonnull (strstr (co2s_service_get_message (broker), empty));
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_PRODUCER)), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /supervisor/external-broker-retrain -------------------------------- */

static gboolean
trainer_started_twice (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) records = test_read_lines (f->env.record);
  g_autoptr(GPtrArray) starts = test_filter_records (records, "start", "trainer");

  return starts->len >= 2;
}

static void
test_external_broker_retrain (Fixture *f,
                              gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) trainer_starts = NULL;
  g_autoptr(GPtrArray) producer_starts = NULL;
  Co2sService *broker = svc (f, CO2S_SERVICE_BROKER);

  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EXISTING, "broker-address", "127.0.0.1:1", NULL);
  start_ok (f);

  g_assert_false (co2s_service_get_enabled (broker));
  g_assert_cmpint (co2s_service_get_state (broker), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpint (co2s_service_get_pid (broker), ==, 0);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, "127.0.0.1:1");

  /* Changing a setting while running applies at the next start only. */
  g_object_set (f->sup, "algo", "sgd", NULL);

  co2s_supervisor_retrain_async (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, START_DEADLINE_MS, "retrain");
  g_assert_true (co2s_supervisor_retrain_finish (f->sup, result, &error));
  g_assert_no_error (error);
  co2s_test_assert_wait_msg (trainer_started_twice, f, 5000, "the retrained trainer");

  records = test_read_lines (f->env.record);
  g_assert_cmpint (test_find_record (records, "start", "broker"), <, 0);
  trainer_starts = test_filter_records (records, "start", "trainer");
  producer_starts = test_filter_records (records, "start", "producer");
  g_assert_cmpuint (trainer_starts->len, ==, 2);
  g_assert_cmpuint (producer_starts->len, ==, 1);
  /* External Kafka: resume first; the retrain replays with --reset. */
  g_assert_true (g_str_has_suffix (g_ptr_array_index (trainer_starts, 0), "--algo ls"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (trainer_starts, 1), "--algo ls --reset"));
  g_assert_nonnull (strstr (g_ptr_array_index (trainer_starts, 1), "--brokers 127.0.0.1:1 "));
  g_assert_cmpint (test_find_record (records, "term", "trainer"), >=, 0);
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_TRAINER)), ==, 0);

  stop_ok (f);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/supervisor/start-order", test_start_order);
  ADD ("/supervisor/restart-after-crash", test_restart_after_crash);
  ADD ("/supervisor/broker-restart", test_broker_restart);
  ADD ("/supervisor/stop-leaves-no-process", test_stop_leaves_no_process);
  ADD ("/supervisor/sigkill-escalation", test_sigkill_escalation);
  ADD ("/supervisor/no-orphans-when-killed", test_no_orphans_when_killed);
  ADD ("/supervisor/log-capture", test_log_capture);
  ADD ("/supervisor/ready-timeout", test_ready_timeout);
  ADD ("/supervisor/exit-before-ready", test_exit_before_ready);
  ADD ("/supervisor/missing-dataset", test_missing_dataset);
  ADD ("/supervisor/missing-program", test_missing_program);
  ADD ("/supervisor/external-broker-retrain", test_external_broker_retrain);

  return g_test_run ();
}
