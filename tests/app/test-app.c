/* test-app.c — the desktop app, driven in-process under Xvfb with the real
 * pipeline programs on the embedded broker and the real data set.
 *
 * English run (suite app): /app/pipeline/…, /app/predict/…, /app/export/…,
 * /app/quit/…. French run (suites app and i18n, with LANGUAGE=fr and a
 * generated fr_FR.UTF-8 locale): /app/i18n/…. The tests of one run share
 * one app and follow each other (start, then stop, then predict with the
 * model the run trained…). The window's own tests (/app/window/…) are
 * test-app-window.c; the shared helpers are app-test-util.h. */
#define G_LOG_DOMAIN "test-app"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <signal.h>

#include "app-test-util.h"
#include "co2s-checkpoint.h"
#include "co2s-contracts.h"
#include "co2s-kpi-panel.h"
#include "co2s-metrics.h"
#include "co2s-plot-view.h"
#include "co2s-predict-dialog.h"
#include "co2s-test-util.h"
#include "co2s-vehicle-input.h"

static struct {
  AppTestSession s;
  GPid pids[CO2S_N_SERVICES];

  /* freshness: trainer timestamp of the newest live batch not drawn yet */
  Co2sMetricsFollower *watched;
  gint64 assigned_at_us;
  gint64 pending_ts_us;
  guint pending_draws;
  gint64 max_latency_us;
  guint live_batches;
} t;

/* ---- helpers --------------------------------------------------------------- */

static void
follower_batches_cb (Co2sMetricsFollower *follower,
                     gpointer batches,
                     guint n,
                     gpointer user_data)
{
  const Co2sBatchMetrics *m = batches;

  for (guint i = 0; i < n; i++)
    {
      /* Batches finished before the follower was assigned are catch-up. */
      if (t.assigned_at_us == 0 || m[i].timestamp_us < t.assigned_at_us)
        continue;
      t.live_batches++;
      if (t.pending_ts_us == 0)
        t.pending_draws = co2s_plot_view_get_draw_count (t.s.plot);
      t.pending_ts_us = MAX (t.pending_ts_us, m[i].timestamp_us);
    }
}

static void
follower_assigned_cb (Co2sMetricsFollower *follower,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  if (co2s_metrics_follower_get_assigned (follower) && t.assigned_at_us == 0)
    t.assigned_at_us = g_get_real_time ();
}

static void
app_follower_cb (GObject *controller,
                 GParamSpec *pspec,
                 gpointer user_data)
{
  Co2sMetricsFollower *follower = co2s_application_get_follower (t.s.app);

  if (follower == NULL || follower == t.watched)
    return;
  t.watched = follower;
  t.assigned_at_us = 0;
  g_signal_connect (follower, "batches", G_CALLBACK (follower_batches_cb), NULL);
  g_signal_connect (follower, "notify::assigned", G_CALLBACK (follower_assigned_cb), NULL);
}

/* Checked after every main loop iteration while waiting for batches: the
 * plot must be drawn again within 1 s of the trainer finishing a batch. */
static void
check_freshness (void)
{
  if (t.pending_ts_us != 0 && co2s_plot_view_get_draw_count (t.s.plot) > t.pending_draws)
    {
      gint64 latency = g_get_real_time () - t.pending_ts_us;

      t.max_latency_us = MAX (t.max_latency_us, latency);
      t.pending_ts_us = 0;
    }
}

typedef struct {
  guint batches;
} BatchesWanted;

static gboolean
history_has_batches (gpointer data)
{
  BatchesWanted *wanted = data;

  check_freshness ();
  return co2s_metrics_history_get_n_batches (co2s_application_get_history (t.s.app)) >= wanted->batches &&
         t.pending_ts_us == 0;
}

static void
start_pipeline (void)
{
  app_test_start_pipeline (t.s.app, 60000, "");
}

static void
record_pids (void)
{
  Co2sSupervisor *supervisor = co2s_application_get_supervisor (t.s.app);

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      t.pids[i] = co2s_service_get_pid (co2s_supervisor_get_service (supervisor, i));
      g_assert_cmpint (t.pids[i], >, 0);
    }
}

static gboolean
all_children_gone (gpointer data)
{
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    if (t.pids[i] > 0 && (kill (t.pids[i], 0) == 0 || errno != ESRCH))
      return FALSE;

  return TRUE;
}

static char *
run_predict_cli (const char *model, const char *engine, const char *cylinders, const char *city,
                 const char *hwy, const char *comb, const char *fuel, double *prediction)
{
  const char *predict = co2s_test_program ("CO2S_PREDICT");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           predict, "--model", model, "--engine-size", engine, "--cylinders", cylinders,
                           "--city", city, "--hwy", hwy, "--comb", comb, "--fuel", fuel, "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("co2stream-predict failed: %s", err);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  *prediction = json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)),
                                               "prediction_g_per_km");
  return g_steal_pointer (&out);
}

static gboolean
model_loads_above (gpointer data)
{
  Co2sPredictDialog *dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);

  return co2s_predict_dialog_get_model_loads (dialog) > GPOINTER_TO_UINT (data);
}

static gboolean
model_error_set (gpointer data)
{
  Co2sPredictDialog *dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);

  return co2s_predict_dialog_get_model_error (dialog) != NULL;
}

/* ---- pipeline ---------------------------------------------------------------- */

static gboolean
supervisor_idle (gpointer data)
{
  return !co2s_supervisor_get_active (co2s_application_get_supervisor (t.s.app)) &&
         co2s_application_get_pipeline_state (t.s.app) != CO2S_PIPELINE_STOPPING;
}

static gboolean
has_last_error (gpointer data)
{
  return co2s_application_get_last_error (t.s.app) != NULL;
}

/* A start that fails says why, in the window, and Stop cleans up. */
static void
test_start_failure_shown (void)
{
  GSettings *settings = co2s_application_get_settings (t.s.app);
  g_autofree char *bad = g_build_filename (t.s.tmp_dir, "not-the-data-set.csv", NULL);
  GtkWidget *bar = NULL;

  g_assert_true (g_file_set_contents (bad, "not,a,data,set\n1,2,3,4\n", -1, NULL));
  g_settings_set_string (settings, "dataset", bad);

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "start", NULL);
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_FAILED), 30000);
  co2s_test_assert_wait (has_last_error, NULL, 30000);
  g_test_message ("error: %s", co2s_application_get_last_error (t.s.app));
  g_assert_true (g_str_has_prefix (co2s_application_get_last_error (t.s.app), "The pipeline could not start: "));

  /* The error bar is the second info bar of the window. */
  for (GtkWidget *w = app_test_find_widget (GTK_WIDGET (t.s.window), GTK_TYPE_INFO_BAR);
       w != NULL; w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_INFO_BAR (w) && gtk_info_bar_get_message_type (GTK_INFO_BAR (w)) == GTK_MESSAGE_ERROR)
      bar = w;
  g_assert_nonnull (bar);
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (bar)));
  g_assert_true (app_test_has_label (bar, co2s_application_get_last_error (t.s.app)));

  /* The failed service keeps saying why until the next Start; nothing runs. */
  if (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "stop"))
    g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  co2s_test_assert_wait (supervisor_idle, NULL, 30000);
  g_assert_cmpint (co2s_application_get_pipeline_state (t.s.app), ==, CO2S_PIPELINE_FAILED);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
}

static void
test_pipeline_start (void)
{
  Co2sMetricsHistory *history = co2s_application_get_history (t.s.app);
  BatchesWanted wanted = { 3 };
  g_autofree char *batches_before = NULL;
  g_autofree char *rmse_text = NULL;
  g_autofree char *last = NULL;
  guint draws_before;

  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
  g_signal_connect (co2s_application_get_controller (t.s.app), "notify::follower",
                    G_CALLBACK (app_follower_cb), NULL);

  start_pipeline ();
  record_pids ();
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "stop"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));

  /* The live follower, on the embedded broker's address. */
  g_assert_nonnull (co2s_application_get_follower (t.s.app));

  if (!co2s_test_wait_until (history_has_batches, &wanted, 60000))
    {
      app_test_dump_services (t.s.app);
      g_error ("fewer than %u batches in the plot 60 s after Start", wanted.batches);
    }
  co2s_kpi_panel_refresh (t.s.kpis);
  batches_before = g_strdup (co2s_kpi_panel_get_value_text (t.s.kpis, CO2S_KPI_BATCHES));
  draws_before = co2s_plot_view_get_draw_count (t.s.plot);

  wanted.batches = co2s_metrics_history_get_n_batches (history) + 5;
  if (!co2s_test_wait_until (history_has_batches, &wanted, 30000))
    {
      app_test_dump_services (t.s.app);
      g_error ("the plot did not get 5 more batches within 30 s");
    }
  co2s_kpi_panel_refresh (t.s.kpis);

  /* Batches in the plot: drawn again, described in words. */
  g_assert_cmpuint (co2s_plot_view_get_draw_count (t.s.plot), >, draws_before);
  last = g_strdup_printf ("%" G_GUINT64_FORMAT, co2s_metrics_history_get_last_batch (history));
  g_assert_nonnull (co2s_plot_view_get_description (t.s.plot));
  g_test_message ("plot: %s", co2s_plot_view_get_description (t.s.plot));

  /* Changing KPIs. */
  g_test_message ("batches: %s → %s", batches_before, co2s_kpi_panel_get_value_text (t.s.kpis, CO2S_KPI_BATCHES));
  g_assert_cmpstr (batches_before, !=, co2s_kpi_panel_get_value_text (t.s.kpis, CO2S_KPI_BATCHES));
  rmse_text = g_strdup (co2s_kpi_panel_get_value_text (t.s.kpis, CO2S_KPI_LAST_RMSE));
  g_assert_nonnull (strstr (rmse_text, "g/km"));

  /* Live: each batch is drawn as it arrives from the follower, not at the
   * next file reload. The typical delay (~0.1 s) is logged; the bound only
   * catches a plot that stopped being live, with room for a loaded 2-core
   * machine running other tests beside this one. */
  g_test_message ("%u live batches, worst delay trainer → plot %.0f ms", t.live_batches,
                  t.max_latency_us / 1000.0);
  g_assert_cmpuint (t.live_batches, >=, 3);
  g_assert_cmpint (t.max_latency_us, <, 3 * G_USEC_PER_SEC);

  /* The status line reports the broker. */
  {
    g_autoptr(GPtrArray) labels = app_test_collect_labels (GTK_WIDGET (t.s.window));
    gboolean reachable = FALSE;

    for (guint i = 0; i < labels->len; i++)
      if (g_str_has_prefix (g_ptr_array_index (labels, i), "Broker: reachable at "))
        reachable = TRUE;
    g_assert_true (reachable);
  }
}

static void
test_pipeline_stop (void)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "stop"));
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);

  if (!co2s_test_wait_until (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 30000))
    {
      app_test_dump_services (t.s.app);
      g_error ("the pipeline did not stop within 30 s");
    }
  co2s_test_assert_wait (all_children_gone, NULL, 5000);
  g_assert_null (co2s_application_get_follower (t.s.app));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
  g_assert_true (app_test_has_label (GTK_WIDGET (t.s.window), "Broker: not connected"));
}

/* ---- prediction -------------------------------------------------------------- */

static void
test_predict_matches_cli (void)
{
  static const struct {
    double engine, cylinders, city, hwy, comb;
    char fuel;
    const char *args[6];
  } vehicles[] = {
    { 2.0, 4, 9.9, 6.7, 8.5, 'X', { "2.0", "4", "9.9", "6.7", "8.5", "X" } },
    { 3.0, 6, 12.7, 8.9, 11.0, 'D', { "3.0", "6", "12.7", "8.9", "11.0", "D" } },
    { 5.7, 8, 17.9, 12.1, 15.3, 'Z', { "5.7", "8", "17.9", "12.1", "15.3", "Z" } },
    { 1.4, 4, 12.1, 8.7, 10.6, 'E', { "1.4", "4", "12.1", "8.7", "10.6", "E" } },
  };
  g_autofree char *model = g_build_filename (t.s.model_dir, CO2S_MODEL_FILE, NULL);
  Co2sPredictDialog *dialog;

  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.s.window), "win.predict", NULL));
  dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);
  g_assert_nonnull (dialog);
  co2s_test_assert_wait (co2s_test_gtk_widget_visible, dialog, 5000);
  g_assert_cmpstr (co2s_predict_dialog_get_model_path (dialog), ==, model);

  /* The pipeline is stopped: the file no longer changes. */
  g_assert_true (co2s_predict_dialog_reload (dialog, NULL));
  g_assert_true (co2s_predict_dialog_get_model_loaded (dialog));

  for (guint i = 0; i < G_N_ELEMENTS (vehicles); i++)
    {
      g_autofree char *json = NULL;
      double cli;

      co2s_predict_dialog_set_inputs (dialog, vehicles[i].engine, vehicles[i].cylinders, vehicles[i].city,
                                      vehicles[i].hwy, vehicles[i].comb, vehicles[i].fuel);
      g_assert_true (co2s_predict_dialog_get_inputs_valid (dialog));
      g_assert_true (isnan (co2s_predict_dialog_get_prediction (dialog)));
      g_assert_true (co2s_predict_dialog_predict (dialog));

      json = run_predict_cli (model, vehicles[i].args[0], vehicles[i].args[1], vehicles[i].args[2],
                              vehicles[i].args[3], vehicles[i].args[4], vehicles[i].args[5], &cli);
      g_test_message ("dialog %.17g g/km, co2stream-predict %.17g g/km", co2s_predict_dialog_get_prediction (dialog), cli);
      g_assert_cmpfloat (co2s_predict_dialog_get_prediction (dialog), ==, cli);
      g_assert_cmpfloat (cli, >, 50);
    }

  /* What the dialog shows: the value in g/km and the model used. */
  {
    g_autofree char *shown = g_strdup_printf ("%.1f g/km", co2s_predict_dialog_get_prediction (dialog));
    g_autoptr(GPtrArray) labels = app_test_collect_labels (GTK_WIDGET (dialog));
    gboolean model_shown = FALSE;

    g_assert_true (app_test_has_label (GTK_WIDGET (dialog), shown));
    for (guint i = 0; i < labels->len; i++)
      if (g_str_has_prefix (g_ptr_array_index (labels, i), "Least squares model, ") &&
          strstr (g_ptr_array_index (labels, i), "rows seen, saved ") != NULL)
        model_shown = TRUE;
    g_assert_true (model_shown);
  }
}

static void
test_predict_validation (void)
{
  Co2sPredictDialog *dialog = co2s_window_get_predict_dialog (t.s.window, TRUE);
  GtkWidget *spin = app_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON);
  double min, max;

  co2s_column_range (CO2S_COL_ENGINE_SIZE, &min, &max);

  /* Engine size above the limit: inline message, Predict disabled. */
  co2s_predict_dialog_set_inputs (dialog, max + 1, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_false (co2s_predict_dialog_get_inputs_valid (dialog));
  g_assert_false (co2s_predict_dialog_predict (dialog));
  g_assert_true (isnan (co2s_predict_dialog_get_prediction (dialog)));
  g_assert_true (gtk_widget_has_css_class (spin, "error"));
  {
    g_autoptr(GPtrArray) labels = app_test_collect_labels (GTK_WIDGET (dialog));
    gboolean said = FALSE;

    for (guint i = 0; i < labels->len; i++)
      if (g_str_has_prefix (g_ptr_array_index (labels, i), "Out of range. From "))
        said = TRUE;
    g_assert_true (said);
  }

  /* Not a number. */
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_true (co2s_predict_dialog_get_inputs_valid (dialog));
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
  g_assert_false (co2s_predict_dialog_get_inputs_valid (dialog));
  /* What the dialog says is the message of the parser co2stream-predict
   * uses (co2s-vehicle-input), in its form style. */
  gtk_editable_set_text (GTK_EDITABLE (spin), "abc");
  {
    g_autoptr(GError) error = NULL;
    double value;

    g_assert_false (co2s_vehicle_parse_number (CO2S_VEHICLE_ENGINE_SIZE, "abc", CO2S_VEHICLE_INPUT_FORM,
                                               &value, &error));
    g_assert_true (app_test_has_label (GTK_WIDGET (dialog), error->message));
  }
  gtk_editable_set_text (GTK_EDITABLE (spin), "2.0");
  g_assert_true (co2s_predict_dialog_get_inputs_valid (dialog));
  g_assert_false (gtk_widget_has_css_class (spin, "error"));

  /* A combined consumption below the limit. */
  co2s_column_range (CO2S_COL_FUEL_COMB, &min, &max);
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, min - 1, 'X');
  g_assert_false (co2s_predict_dialog_get_inputs_valid (dialog));
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_true (co2s_predict_dialog_get_inputs_valid (dialog));
}

static void
test_predict_bad_model_kept (void)
{
  Co2sPredictDialog *dialog = co2s_window_get_predict_dialog (t.s.window, TRUE);
  g_autofree char *model = g_build_filename (t.s.model_dir, CO2S_MODEL_FILE, NULL);
  g_autofree char *good = NULL;
  g_autoptr(GError) error = NULL;
  double before;
  guint loads;

  g_assert_true (g_file_get_contents (model, &good, NULL, NULL));
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_true (co2s_predict_dialog_predict (dialog));
  before = co2s_predict_dialog_get_prediction (dialog);

  /* A corrupt file (written the way the trainer does: a rename): the file
   * monitor reloads, says what is wrong, and keeps the last good model. */
  g_assert_true (g_file_set_contents (model, "{ not json", -1, &error));
  co2s_test_assert_wait (model_error_set, NULL, 5000);
  g_test_message ("message: %s", co2s_predict_dialog_get_model_error (dialog));
  g_assert_nonnull (strstr (co2s_predict_dialog_get_model_error (dialog), CO2S_MODEL_FILE));
  g_assert_true (co2s_predict_dialog_get_model_loaded (dialog));
  g_assert_true (co2s_predict_dialog_predict (dialog));
  g_assert_cmpfloat (co2s_predict_dialog_get_prediction (dialog), ==, before);

  /* The good file again: reloaded by the monitor. */
  loads = co2s_predict_dialog_get_model_loads (dialog);
  g_assert_true (g_file_set_contents (model, good, -1, &error));
  co2s_test_assert_wait (model_loads_above, GUINT_TO_POINTER (loads), 5000);
  g_assert_null (co2s_predict_dialog_get_model_error (dialog));

  /* Missing: a clear message; Reload (Ctrl+Shift+R) keeps the good model. */
  g_assert_cmpint (g_remove (model), ==, 0);
  g_assert_false (co2s_predict_dialog_reload (dialog, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (co2s_predict_dialog_get_model_error (dialog), "start the pipeline"));
  g_assert_true (co2s_predict_dialog_get_model_loaded (dialog));
  g_assert_true (g_file_set_contents (model, good, -1, NULL));
  g_assert_true (co2s_predict_dialog_reload (dialog, NULL));

  gtk_window_close (GTK_WINDOW (dialog));
}

/* ---- export ------------------------------------------------------------------ */

static void
test_export_plot (void)
{
  static const char * const names[] = { "plot.png", "plot.svg", "plot.pdf" };

  g_assert_cmpuint (co2s_metrics_history_get_n_batches (co2s_application_get_history (t.s.app)), >, 3);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (t.s.tmp_dir, names[i], NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (co2s_window_export_plot (t.s.window, path, &error));
      g_assert_no_error (error);
      app_test_assert_plot_file (path, CO2S_WINDOW_EXPORT_WIDTH, CO2S_WINDOW_EXPORT_HEIGHT);
    }

  /* A name the exporter cannot handle. */
  {
    g_autofree char *path = g_build_filename (t.s.tmp_dir, "plot.bmp", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false (co2s_window_export_plot (t.s.window, path, &error));
    g_assert_nonnull (error);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

static void
test_export_metrics (void)
{
  Co2sMetricsHistory *history = co2s_application_get_history (t.s.app);
  g_autofree char *path = g_build_filename (t.s.tmp_dir, "metrics.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = co2s_metrics_history_get_n_batches (history);

  g_assert_true (co2s_window_export_metrics (t.s.window, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "batch,rows,rows_seen,rmse,mae,rmse_fit,timestamp,lag,latency_ms_p50,"
                                 "latency_ms_max,algo,dlq,coverage_95,drift_alarm");
  /* header + n rows + the empty string after the last newline */
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  for (guint i = 1; i <= n; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);
      Co2sBatchMetrics m;

      g_assert_cmpuint (g_strv_length (fields), ==, 14);
      g_assert_true (co2s_metrics_history_get_batch (history, i - 1, &m));
      g_assert_cmpuint (g_ascii_strtoull (fields[0], NULL, 10), ==, m.batch);
      if (isnan (m.rmse))
        g_assert_cmpstr (fields[3], ==, ""); /* the first batch: nothing learned yet */
      else
        g_assert_cmpfloat (g_ascii_strtod (fields[3], NULL), ==, m.rmse);
      g_assert_cmpstr (fields[10], ==, "ls");
    }
}

static void
test_quit_stops_pipeline (void)
{
  start_pipeline ();
  record_pids ();

  /* Closing the window quits, and quitting stops the pipeline first. */
  gtk_window_close (GTK_WINDOW (t.s.window));
  co2s_test_assert_wait (co2s_test_gtk_widget_hidden, t.s.window, 5000);
  if (!co2s_test_wait_until (all_children_gone, NULL, 30000))
    {
      app_test_dump_services (t.s.app);
      g_error ("children still running 30 s after Quit");
    }
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 10000);
  g_assert_false (co2s_supervisor_get_active (co2s_application_get_supervisor (t.s.app)));
}

/* ---- French ------------------------------------------------------------------ */

/* Every label under @root that is an English message of the catalogue with
 * a different French translation was shown untranslated. */
static void
assert_no_english (GtkWidget *root)
{
  g_autoptr(GPtrArray) labels = app_test_collect_labels (root);

  for (guint i = 0; i < labels->len; i++)
    {
      const char *text = g_ptr_array_index (labels, i);

      if (text[0] == '\0')
        continue;
      if (g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, text), text) != 0)
        g_error ("“%s” is shown in English (French: “%s”)", text, g_dgettext (GETTEXT_PACKAGE, text));
    }
}

static void
test_french_ui (void)
{
  GtkWidget *window = GTK_WIDGET (t.s.window);
  Co2sPredictDialog *dialog;
  GtkWindow *prefs;
  char buf[16];

  /* The locale really is French: decimal comma for UI numbers. */
  g_snprintf (buf, sizeof buf, "%.1f", 1.5);
  g_assert_cmpstr (buf, ==, "1,5");

  g_assert_true (app_test_has_label (window, "_Démarrer"));
  g_assert_true (app_test_has_label (window, "_Arrêter"));
  g_assert_true (app_test_has_label (window, "Indicateurs clés"));
  g_assert_true (app_test_has_label (window, "Erreur de prédiction par lot"));
  g_assert_true (app_test_has_label (window, "Courtier\u00a0: non connecté"));
  g_assert_true (app_test_has_label (window, "Dernière RMSE"));
  assert_no_english (window);
  app_test_assert_mnemonics_unique (window);

  g_assert_true (gtk_widget_activate_action (window, "win.predict", NULL));
  dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, dialog, 5000);
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), "_Cylindrée"));
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), "Essence ordinaire"));
  /* Ranges in French number format. */
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), "De 0,5 à 10,0 L"));
  assert_no_english (GTK_WIDGET (dialog));
  app_test_assert_mnemonics_unique (GTK_WIDGET (dialog));
  gtk_window_close (GTK_WINDOW (dialog));

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "preferences", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_PREFERENCES_WINDOW), 5000);
  prefs = app_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  g_assert_true (app_test_has_label (GTK_WIDGET (prefs), "Préférences"));
  g_assert_true (app_test_has_label (GTK_WIDGET (prefs),
                                     "Les modifications s’appliquent au prochain démarrage du pipeline."));
  assert_no_english (GTK_WIDGET (prefs));
  app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));
  /* The rows of each broker, and the note of Docker Compose. */
  for (Co2sBrokerKind kind = CO2S_BROKER_LOCAL_KAFKA; kind <= CO2S_BROKER_EXISTING; kind++)
    {
      g_settings_set_enum (co2s_application_get_settings (t.s.app), "broker", kind);
      assert_no_english (GTK_WIDGET (prefs));
      app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));
    }
  g_assert_true (app_test_has_label (GTK_WIDGET (prefs), "Kafka existant"));
  g_settings_set_enum (co2s_application_get_settings (t.s.app), "backend", CO2S_BACKEND_COMPOSE);
  assert_no_english (GTK_WIDGET (prefs));
  app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));
  gtk_window_close (prefs);
  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
}

/* Files written while the UI is French keep a decimal point. */
static void
test_french_files (void)
{
  Co2sMetricsHistory *history = co2s_application_get_history (t.s.app);
  g_autofree char *metrics = g_build_filename (t.s.model_dir, CO2S_METRICS_FILE, NULL);
  g_autofree char *model = g_build_filename (t.s.model_dir, CO2S_MODEL_FILE, NULL);
  g_autofree char *csv_path = g_build_filename (t.s.tmp_dir, "métriques.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  BatchesWanted wanted = { 3 };
  gboolean fractional = FALSE;
  const char *rmse_text;

  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
  start_pipeline ();
  if (!co2s_test_wait_until (history_has_batches, &wanted, 60000))
    g_error ("no batches 60 s after Start");
  co2s_kpi_panel_refresh (t.s.kpis);
  rmse_text = co2s_kpi_panel_get_value_text (t.s.kpis, CO2S_KPI_LAST_RMSE);
  g_test_message ("last RMSE shown: %s", rmse_text);
  /* The UI follows the locale… */
  g_assert_nonnull (strchr (rmse_text, ','));

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 30000);

  /* …the trainer's files do not (it ran with this environment). */
  g_assert_true (g_file_get_contents (metrics, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      Co2sBatchMetrics m;

      if (!co2s_batch_metrics_from_json (lines[i], strlen (lines[i]), &m, &error))
        g_error ("metrics.jsonl line %u does not parse: %s\n%s", i + 1, error->message, lines[i]);
      if (m.rmse != floor (m.rmse))
        fractional = TRUE;
    }
  g_assert_true (fractional);
  cp = co2s_checkpoint_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), >, 0);

  /* The app's own CSV export. */
  g_assert_true (co2s_window_export_metrics (t.s.window, csv_path, &error));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, NULL));
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);
      Co2sBatchMetrics m;

      /* 14 fields: a decimal comma would add some */
      g_assert_cmpuint (g_strv_length (fields), ==, 14);
      g_assert_true (co2s_metrics_history_get_batch (history, i - 1, &m));
      if (!isnan (m.rmse))
        g_assert_cmpfloat (g_ascii_strtod (fields[3], NULL), ==, m.rmse);
    }
}

int
main (int argc,
      char *argv[])
{
  static const AppTestCase french[] = {
    { "/app/i18n/french-ui", test_french_ui },
    { "/app/i18n/french-files", test_french_files },
  };
  static const AppTestCase english[] = {
    { "/app/pipeline/start-failure-shown", test_start_failure_shown },
    { "/app/pipeline/start", test_pipeline_start },
    { "/app/pipeline/stop", test_pipeline_stop },
    { "/app/predict/matches-cli", test_predict_matches_cli },
    { "/app/predict/validation", test_predict_validation },
    { "/app/predict/bad-model-kept", test_predict_bad_model_kept },
    { "/app/export/plot", test_export_plot },
    { "/app/export/metrics", test_export_metrics },
    { "/app/quit/stops-children", test_quit_stops_pipeline },
  };

  /* The French run (LANGUAGE=fr, a French locale) has its own tests. */
  if (g_str_has_prefix (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", "fr"))
    return app_test_session_main (&argc, &argv, &t.s, french, G_N_ELEMENTS (french));
  return app_test_session_main (&argc, &argv, &t.s, english, G_N_ELEMENTS (english));
}
