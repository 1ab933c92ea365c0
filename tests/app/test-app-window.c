/* test-app-window.c — the desktop app's main window, driven in-process
 * under its own Xvfb (app_test_start_display) with the real settings and
 * data set; nothing here starts the pipeline.
 *
 * Suite app: /app/window/… (the widgets it builds, the shortcuts, the bar
 * for a missing data set, the preferences bound to the settings, Retrain
 * asking first, accessible names and unique mnemonics). The tests share one
 * app. The pipeline, prediction, export and French runs are test-app.c. */
#define G_LOG_DOMAIN "test-app-window"

#include "app-test-util.h"
#include "co2s-kpi-panel.h"
#include "co2s-plot-view.h"
#include "co2s-predict-dialog.h"
#include "co2s-test-util.h"

static struct {
  AppTestSession s;
} t;

static void
test_window_builds (void)
{
  GtkWidget *window = GTK_WIDGET (t.s.window);
  GtkWidget *list;

  g_assert_true (gtk_widget_get_visible (window));
  g_assert_nonnull (t.s.plot);
  g_assert_nonnull (t.s.kpis);
  g_assert_true (co2s_plot_view_get_history (t.s.plot) == co2s_application_get_history (t.s.app));

  /* One row per service of the supervisor. */
  list = app_test_find_widget (window, GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i));
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), CO2S_N_SERVICES));

  g_assert_true (app_test_has_label (window, "_Start"));
  g_assert_true (app_test_has_label (window, "S_top"));
  g_assert_true (app_test_has_label (window, "Key Figures"));
  g_assert_true (app_test_has_label (window, "Broker: not connected"));

  /* Stopped: Start possible (the data set is there), Stop not. */
  g_assert_cmpint (co2s_application_get_pipeline_state (t.s.app), ==, CO2S_PIPELINE_STOPPED);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "stop"));
}

static void
test_window_shortcuts (void)
{
  static const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "app.start", "F5" },
    { "app.stop", "<Shift>F5" },
    { "win.predict", "<Control>p" },
    { "win.reload-model", "<Shift><Control>r" },
    { "win.export-plot", "<Control>e" },
    { "win.export-metrics", "<Shift><Control>e" },
    { "app.preferences", "<Control>comma" },
    { "app.quit", "<Control>q" },
    { "win.show-help-overlay", "<Control>question" },
  };
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (t.s.window));

  g_assert_nonnull (overlay);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (t.s.app), expected[i].action);
      guint key, want_key;
      GdkModifierType mods, want_mods;

      g_assert_nonnull (accels[0]);
      gtk_accelerator_parse (accels[0], &key, &mods);
      gtk_accelerator_parse (expected[i].accel, &want_key, &want_mods);
      g_assert_cmpuint (key, ==, want_key);
      g_assert_cmpuint (mods, ==, want_mods);
    }
  /* Every window action the shortcuts name exists. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.s.window), "win.show-help-overlay", NULL));
  co2s_test_assert_wait (co2s_test_gtk_widget_visible, overlay, 5000);
  gtk_window_close (GTK_WINDOW (overlay));
}

static void
test_window_missing_dataset (void)
{
  GSettings *settings = co2s_application_get_settings (t.s.app);
  g_autofree char *missing = g_build_filename (t.s.tmp_dir, "nowhere", "co2_processed.csv", NULL);
  GtkWidget *bar = app_test_find_widget (GTK_WIDGET (t.s.window), GTK_TYPE_INFO_BAR);
  g_autoptr(GPtrArray) labels = NULL;
  gboolean says_where = FALSE;

  g_settings_set_string (settings, "dataset", missing);
  co2s_test_assert_wait (app_test_dataset_missing_is, GINT_TO_POINTER (TRUE), 5000);

  g_assert_true (co2s_application_get_dataset_missing (t.s.app));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (bar)));
  labels = app_test_collect_labels (bar);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (g_ptr_array_index (labels, i), missing) != NULL &&
        strstr (g_ptr_array_index (labels, i), "data/README.md") != NULL)
      says_where = TRUE;
  g_assert_true (says_where);
  g_assert_true (app_test_has_label (bar, "_Choose Data Set…"));

  /* Starting anyway does nothing. */
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "start", NULL);
  co2s_test_assert_stays (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 200);

  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
  co2s_test_assert_wait (app_test_dataset_missing_is, GINT_TO_POINTER (FALSE), 5000);
  g_assert_false (co2s_application_get_dataset_missing (t.s.app));
  g_assert_false (gtk_info_bar_get_revealed (GTK_INFO_BAR (bar)));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
}

/* The preferences show and change the settings (both ways). */
static void
test_preferences_bound (void)
{
  GSettings *settings = co2s_application_get_settings (t.s.app);
  GtkWindow *prefs;
  GtkWidget *spin;
  AdwComboRow *combo;

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "preferences", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_PREFERENCES_WINDOW), 5000);
  prefs = app_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  g_assert_true (app_test_has_label (GTK_WIDGET (prefs), "Changes apply the next time the pipeline is started."));

  spin = app_test_find_widget (app_test_find_row (GTK_WIDGET (prefs), "API _rate"), GTK_TYPE_SPIN_BUTTON);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==,
                     g_settings_get_double (settings, "api-rate"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 123);
  g_assert_cmpfloat (g_settings_get_double (settings, "api-rate"), ==, 123);
  g_settings_set_double (settings, "api-rate", 77);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 77);

  combo = ADW_COMBO_ROW (app_test_find_row (GTK_WIDGET (prefs), "_Backend"));
  g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, 0);
  adw_combo_row_set_selected (combo, 1);
  g_assert_cmpint (g_settings_get_enum (settings, "backend"), ==, CO2S_BACKEND_COMPOSE);
  adw_combo_row_set_selected (combo, 0);
  g_assert_cmpint (g_settings_get_enum (settings, "backend"), ==, CO2S_BACKEND_LOCAL);

  /* The data set row shows the path in use. */
  {
    g_autofree char *dataset = g_settings_get_string (settings, "dataset");
    g_autoptr(GPtrArray) labels = app_test_collect_labels (GTK_WIDGET (prefs));
    gboolean shown = FALSE;

    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (g_ptr_array_index (labels, i), dataset) == 0)
        shown = TRUE;
    g_assert_true (shown);
  }

  gtk_window_close (prefs);
  app_test_configure_pipeline (t.s.app, t.s.dataset, t.s.model_dir);
}

/* Retrain asks first; Cancel changes nothing. */
static void
test_retrain_asks_first (void)
{
  GtkWindow *dialog;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "retrain"));
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "retrain", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), 5000);
  dialog = app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "retrain"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  co2s_test_assert_stays (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 200);
  g_assert_false (co2s_supervisor_get_active (co2s_application_get_supervisor (t.s.app)));
}

/* ---- accessibility -------------------------------------------------------------- */

static void
test_accessible_names (void)
{
  Co2sPredictDialog *dialog;
  GtkWindow *prefs;

  app_test_assert_all_named (GTK_WIDGET (t.s.window));
  app_test_assert_mnemonics_unique (GTK_WIDGET (t.s.window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.s.window), "win.predict", NULL));
  dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, dialog, 5000);
  app_test_assert_all_named (GTK_WIDGET (dialog));
  app_test_assert_mnemonics_unique (GTK_WIDGET (dialog));
  gtk_window_close (GTK_WINDOW (dialog));

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "preferences", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_PREFERENCES_WINDOW), 5000);
  prefs = app_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  app_test_assert_all_named (GTK_WIDGET (prefs));
  app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));
  gtk_window_close (prefs);
}

int
main (int argc,
      char *argv[])
{
  static const AppTestCase cases[] = {
    { "/app/window/builds", test_window_builds },
    { "/app/window/shortcuts", test_window_shortcuts },
    { "/app/window/missing-dataset", test_window_missing_dataset },
    { "/app/window/preferences-bound", test_preferences_bound },
    { "/app/window/retrain-asks-first", test_retrain_asks_first },
    { "/app/window/accessible-names", test_accessible_names },
  };

  return app_test_session_main (&argc, &argv, &t.s, cases, G_N_ELEMENTS (cases));
}
