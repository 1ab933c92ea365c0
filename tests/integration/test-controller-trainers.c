/* test-controller-trainers.c — what the app's pipeline controller shows of a
 * run of several trainers ("trainers" = 3) on a real Apache Kafka
 * (tests/kafka-broker.sh, or $CO2S_KAFKA_BROKERS; an existing Kafka to the
 * supervisor) with the real programs and data set: the model folder is
 * <models>/scale-out, where the merged model appears; the group watch
 * follows the scale-out group and names three trainers with their
 * partitions; the extra trainer rows count in the pipeline's state; one
 * trainer again after Stop gives the plain folder back.
 *
 * /controller/trainers/three. Anything missing fails loudly. */
#define G_LOG_DOMAIN "test-controller-trainers"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-pipeline-controller.h"
#include "co2s-test-util.h"

#define START_DEADLINE_MS 40000
#define WATCH_DEADLINE_MS 40000
#define STOP_DEADLINE_MS  30000

static char *
find_dataset (void)
{
  const char *root = g_getenv ("CO2S_SOURCE_DIR");
  char *path;

  if (root == NULL)
    g_error ("CO2S_SOURCE_DIR is not set (run through meson test)");
  path = g_build_filename (root, "data", "co2_processed.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("the data set %s is missing: put co2_processed.csv there (see data/README.md)", path);
  return path;
}

static gboolean
is_running (gpointer data)
{
  return co2s_pipeline_controller_get_state (data) == CO2S_PIPELINE_RUNNING;
}

static gboolean
is_starting (gpointer data)
{
  return co2s_pipeline_controller_get_state (data) == CO2S_PIPELINE_STARTING;
}

static gboolean
is_stopped (gpointer data)
{
  return co2s_pipeline_controller_get_state (data) == CO2S_PIPELINE_STOPPED;
}

/* The group watch names three trainers, each with partitions. */
static gboolean
three_trainers_watched (gpointer data)
{
  Co2sGroupWatch *watch = co2s_pipeline_controller_get_group_watch (data);

  if (watch == NULL || co2s_group_watch_get_n_members (watch) != 3 || co2s_group_watch_get_rebalancing (watch))
    return FALSE;
  for (guint i = 0; i < 3; i++)
    if (co2s_group_watch_get_member (watch, i)->partitions->len == 0)
      return FALSE;
  return TRUE;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static void
test_three (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autoptr(Co2sSupervisor) sup = NULL;
  g_autoptr(Co2sPipelineController) ctl = NULL;
  g_autofree char *dataset = find_dataset ();
  g_autofree char *tmp = co2s_test_tmpdir ();
  g_autofree char *models = g_build_filename (tmp, "models", NULL);
  g_autofree char *scale_out = g_build_filename (models, CO2S_SUPERVISOR_SCALE_OUT_DIR, NULL);
  g_autofree char *merged = g_build_filename (scale_out, CO2S_MODEL_FILE, NULL);
  g_autofree char *folder = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expected_metrics = g_build_filename (scale_out, CO2S_METRICS_FILE, NULL);
  Co2sGroupWatch *watch;
  Co2sService *trainer3;

  sup = g_object_new (CO2S_TYPE_SUPERVISOR,
                      "broker-kind", CO2S_BROKER_EXISTING,
                      "ready-timeout", START_DEADLINE_MS,
                      NULL);
  ctl = co2s_pipeline_controller_new (sup, NULL);
  g_object_set (ctl,
                "broker-address", brokers,
                "dataset", dataset,
                "model-dir", models,
                "api-rate", 2000.0,
                /* As /supervisor/local/trainers/three: on a shared Kafka
                 * (CO2S_KAFKA_BROKERS) the group's saved states are one
                 * run's, and the trainers refuse states of other models. */
                "algo", "ls,ls:fuel",
                "trainers", 3,
                NULL);

  /* Stopped, the folder is the one the next Start will use. */
  folder = co2s_pipeline_controller_dup_model_folder (ctl);
  g_assert_cmpstr (folder, ==, scale_out);
  metrics = co2s_pipeline_controller_dup_metrics_path (ctl);
  g_assert_cmpstr (metrics, ==, expected_metrics);

  co2s_pipeline_controller_start (ctl);
  co2s_test_assert_wait_msg (is_running, ctl, START_DEADLINE_MS, "the pipeline of three trainers to run");
  g_assert_cmpuint (g_list_model_get_n_items (co2s_supervisor_get_services (sup)), ==, CO2S_N_SERVICES + 2);

  co2s_test_assert_wait_msg (three_trainers_watched, ctl, WATCH_DEADLINE_MS,
                             "the group watch to name three trainers with partitions");
  watch = co2s_pipeline_controller_get_group_watch (ctl);
  g_assert_cmpstr (co2s_group_watch_get_group (watch), ==, CO2S_SUPERVISOR_SCALE_OUT_GROUP);
  summary = co2s_group_watch_dup_summary (watch);
  g_test_message ("group watch: %s", summary);
  g_assert_true (g_str_has_prefix (summary, "3 trainers: local-1 ("));
  g_assert_nonnull (strstr (summary, "local-2 ("));
  g_assert_nonnull (strstr (summary, "local-3 ("));

  co2s_test_assert_wait_msg (file_exists, merged, WATCH_DEADLINE_MS, "the merged model in scale-out/");

  /* An extra trainer's crash shows in the pipeline's state. */
  trainer3 = co2s_supervisor_lookup_service (sup, "trainer-3");
  g_assert_nonnull (trainer3);
  g_assert_cmpint (kill (co2s_service_get_pid (trainer3), SIGKILL), ==, 0);
  co2s_test_assert_wait_msg (is_starting, ctl, STOP_DEADLINE_MS, "the crash of trainer 3 to show");
  g_assert_cmpuint (co2s_service_get_restart_count (trainer3), ==, 1);
  co2s_test_assert_wait_msg (is_running, ctl, START_DEADLINE_MS, "the restarted trainer to run again");

  co2s_pipeline_controller_stop (ctl);
  co2s_test_assert_wait_msg (is_stopped, ctl, STOP_DEADLINE_MS, "the pipeline to stop");
  g_assert_null (co2s_pipeline_controller_get_group_watch (ctl));

  /* Stopped, one trainer asked: the plain folder again. */
  g_object_set (ctl, "trainers", 1, NULL);
  g_clear_pointer (&folder, g_free);
  folder = co2s_pipeline_controller_dup_model_folder (ctl);
  g_assert_cmpstr (folder, ==, models);

  g_clear_object (&ctl);
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
  g_test_add_func ("/controller/trainers/three", test_three);
  return g_test_run ();
}
