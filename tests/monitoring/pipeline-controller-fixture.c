/* pipeline-controller-fixture.c — what the Co2sPipelineController tests
 * share (see the header). */
#define G_LOG_DOMAIN "test-pipeline-controller"

#include "pipeline-controller-fixture.h"

static void
state_cb (Co2sPipelineController *ctl,
          GParamSpec *pspec,
          Fixture *f)
{
  Snapshot s = {
    co2s_pipeline_controller_get_state (ctl),
    co2s_pipeline_controller_get_can_start (ctl),
    co2s_pipeline_controller_get_can_stop (ctl),
    co2s_pipeline_controller_get_can_retrain (ctl),
  };

  g_array_append_val (f->snapshots, s);
}

void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  test_fake_env_init (&f->env);

  /* The controller sets the data set and models folder itself. The
   * embedded broker's semantics (a new broker, a new model) unless a test
   * says otherwise. */
  f->sup = test_fake_supervisor_new (&f->env);
  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EMBEDDED, NULL);
  f->ctl = co2s_pipeline_controller_new (f->sup, NULL);
  g_object_set (f->ctl,
                "dataset", f->env.dataset,
                "model-dir", f->env.models,
                NULL);

  f->snapshots = g_array_new (FALSE, FALSE, sizeof (Snapshot));
  g_signal_connect (f->ctl, "notify::state", G_CALLBACK (state_cb), f);
}

void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  co2s_pipeline_controller_shutdown_async (f->ctl, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, STOP_DEADLINE_MS, "teardown shutdown");
  g_assert_true (co2s_pipeline_controller_shutdown_finish (f->ctl, result, &error));
  g_assert_no_error (error);
  g_clear_object (&f->ctl);
  test_supervisor_stop_all (&f->sup, STOP_DEADLINE_MS, "every child to be gone");

  g_array_unref (f->snapshots);
  test_fake_env_clear (&f->env);
}

gboolean
state_is_wanted (gpointer data)
{
  Fixture *f = data;

  return co2s_pipeline_controller_get_state (f->ctl) == f->wanted;
}

gboolean
history_has (gpointer data)
{
  HistoryWait *w = data;

  return co2s_metrics_history_get_n_batches (w->history) == w->n;
}

void
start_running (Fixture *f)
{
  g_assert_true (co2s_pipeline_controller_get_can_start (f->ctl));
  co2s_pipeline_controller_start (f->ctl);
  wait_state (f, CO2S_PIPELINE_RUNNING, START_DEADLINE_MS);
}

void
stop_stopped (Fixture *f)
{
  co2s_pipeline_controller_stop (f->ctl);
  g_assert_cmpint (co2s_pipeline_controller_get_state (f->ctl), ==, CO2S_PIPELINE_STOPPING);
  wait_state (f, CO2S_PIPELINE_STOPPED, STOP_DEADLINE_MS);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}
