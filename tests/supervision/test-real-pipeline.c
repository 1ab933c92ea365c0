/* test-real-pipeline.c — Co2sSupervisor running the four real programs on
 * the embedded broker with the real data set, until the trainer has written
 * metrics; then Stop must leave no process. Suite "integration".
 *
 * Needs: the built co2stream-{broker,api,trainer,producer} (found by the
 * supervisor's own search from this test's folder in the build tree) and
 * the data set ($CO2S_DATASET, else $CO2S_SOURCE_ROOT/data/co2_processed.csv).
 * Anything missing fails the test loudly. */
#define G_LOG_DOMAIN "test-real-pipeline"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-metrics.h"
#include "co2s-supervisor.h"
#include "supervisor-test-util.h"

#define START_DEADLINE_MS   30000
#define METRICS_DEADLINE_MS 60000
#define STOP_DEADLINE_MS    30000

static char *
find_dataset (void)
{
  const char *env = g_getenv ("CO2S_DATASET");
  const char *root = g_getenv ("CO2S_SOURCE_ROOT");
  char *path;

  if (env != NULL && env[0] != '\0')
    path = g_strdup (env);
  else if (root != NULL)
    path = g_build_filename (root, "data", "co2_processed.csv", NULL);
  else
    g_error ("neither CO2S_DATASET nor CO2S_SOURCE_ROOT is set (run through meson test)");

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("the data set %s is missing: put co2_processed.csv there (see data/README.md) "
             "or set CO2S_DATASET", path);
  return path;
}

static gboolean
metrics_have_3_lines (gpointer data)
{
  g_autoptr(GPtrArray) lines = test_read_lines (data);

  return lines->len >= 3;
}

static void
on_last_line (Co2sService *service,
              GParamSpec *pspec,
              gpointer data)
{
  /* Shown in the test log: what each program said last. */
  g_debug ("%s: %s", co2s_service_get_name (service), co2s_service_get_last_line (service));
}

static void
test_real_pipeline (void)
{
  g_autoptr(Co2sSupervisor) sup = g_object_new (CO2S_TYPE_SUPERVISOR, "broker-kind", CO2S_BROKER_EMBEDDED, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *dataset = find_dataset ();
  g_autofree char *tmp = co2s_test_tmpdir ();
  g_autofree char *models = g_build_filename (tmp, "models", NULL);
  g_autofree char *metrics = g_build_filename (models, CO2S_METRICS_FILE, NULL);
  g_autofree char *model = g_build_filename (models, CO2S_MODEL_FILE, NULL);
  const char *build_root = g_getenv ("CO2S_BUILD_ROOT");
  GPid pids[CO2S_N_SERVICES];

  /* The programs the supervisor finds by itself are this build's. */
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      g_autoptr(GError) find_error = NULL;
      g_autofree char *program = co2s_supervisor_find_program (sup, i, &find_error);

      if (program == NULL)
        g_error ("%s is not built: %s", co2s_supervisor_program_name (i), find_error->message);
      if (build_root != NULL)
        {
          g_autofree char *canonical_root = g_canonicalize_filename (build_root, NULL);
          g_assert_true (g_str_has_prefix (program, canonical_root));
        }
      g_signal_connect (co2s_supervisor_get_service (sup, i), "notify::last-line", G_CALLBACK (on_last_line), NULL);
    }

  g_object_set (sup,
                "dataset", dataset,
                "model-dir", models,
                "api-rate", 2000.0,
                "batch-rows", 100,
                "ready-timeout", START_DEADLINE_MS,
                NULL);

  co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, START_DEADLINE_MS, "the real pipeline to start");
  g_assert_true (co2s_supervisor_start_finish (sup, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (sup, i);

      g_assert_cmpint (co2s_service_get_state (service), ==, CO2S_SERVICE_STATE_RUNNING);
      pids[i] = co2s_service_get_pid (service);
      g_assert_cmpint (pids[i], >, 0);
    }
  g_assert_true (g_str_has_prefix (co2s_supervisor_get_bootstrap_servers (sup), "127.0.0.1:"));
  g_assert_true (g_str_has_prefix (co2s_supervisor_get_api_url (sup), "http://127.0.0.1:"));

  co2s_test_assert_wait_msg (metrics_have_3_lines, metrics, METRICS_DEADLINE_MS, "3 lines in models/metrics.jsonl");

  /* Real batches: each line parses; from the second batch on (the first
   * is predicted by an untrained model: RMSE undefined) the prequential
   * RMSE is finite and plausible for g/km. */
  lines = test_read_lines (metrics);
  for (guint i = 0; i < 3; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      Co2sBatchMetrics m;

      g_assert_true (co2s_batch_metrics_from_json (line, strlen (line), &m, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (m.batch, ==, i + 1);
      g_assert_cmpuint (m.rows, >, 0);
      if (i > 0)
        {
          g_assert_true (isfinite (m.rmse));
          g_assert_cmpfloat (m.rmse, <, 1000.0);
        }
    }
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));

  /* No service crashed along the way. */
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (sup, i);

      g_assert_cmpuint (co2s_service_get_restart_count (service), ==, 0);
      g_assert_cmpint (co2s_service_get_pid (service), ==, pids[i]);
    }

  co2s_supervisor_stop_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, STOP_DEADLINE_MS, "the real pipeline to stop");
  g_assert_true (co2s_supervisor_stop_finish (sup, result, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (sup, i);

      g_assert_true (co2s_test_pid_gone (pids[i]));
      g_assert_cmpint (co2s_service_get_state (service), ==, CO2S_SERVICE_STATE_STOPPED);
      /* Each program handled SIGTERM: none needed SIGKILL. */
      g_assert_false (co2s_service_get_killed (service));
    }
  g_assert_cmpuint (co2s_test_count_children (), ==, 0);

  g_clear_object (&sup);
  co2s_test_assert_wait_msg (co2s_test_no_children, NULL, STOP_DEADLINE_MS, "no child left");
  g_assert_true (co2s_test_rm_rf (tmp, NULL));
}

int
main (int argc,
      char **argv)
{
  co2s_test_children_fatal_criticals ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/supervisor/real-pipeline", test_real_pipeline);
  return g_test_run ();
}
