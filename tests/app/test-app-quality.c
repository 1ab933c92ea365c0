/* test-app-quality.c — what the app shows of the model's honesty, in-process
 * under its own Xvfb with the real settings (nothing starts the pipeline):
 * a toast when a live batch raises the drift alarm (not for batches read
 * from the file), the interval coverage key figure, and the prediction
 * dialog's 95 % interval with the model's name, version and parameter hash,
 * for a model file with residuals and one without, and its Model row for a
 * file of several models (the choice drives the prediction); Preferences'
 * models, the trainer's --algo list. Suite app, and again in
 * French (suite i18n): the new texts are translated. */
#define G_LOG_DOMAIN "test-app-quality"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "app-test-util.h"
#include "co2s-checkpoint.h"
#include "co2s-contracts.h"
#include "co2s-drift-toast.h"
#include "co2s-kpi-panel.h"
#include "co2s-models-mismatch.h"
#include "co2s-predict-dialog.h"
#include "co2s-prediction.h"
#include "co2s-test-metrics.h"
#include "co2s-test-util.h"

static struct {
  AppTestSession s;
} t;

static gboolean
french (void)
{
  return g_strcmp0 (g_getenv ("LANGUAGE"), "fr") == 0;
}

/* Batch @number of one ls model, taken a second ago (+ @number µs). */
static Co2sBatchMetrics
batch (guint64 number, double coverage, gboolean alarm)
{
  return co2s_test_batch_metrics (number, g_get_real_time () - 1000000 + (gint64) number, coverage, alarm);
}

static gboolean
window_shows (gpointer text)
{
  return app_test_has_label_containing (GTK_WIDGET (t.s.window), text);
}

static gboolean
window_lacks (gpointer text)
{
  return !window_shows (text);
}

/* With CO2S_TEST_SCREENSHOT_DIR set, writes @window (or any widget of a
 * window) there as NAME.png, to look at (what the test asserts does not
 * depend on it). */
static void
maybe_save (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("CO2S_TEST_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL || dir[0] == '\0')
    return;
  co2s_test_gtk_wait_frames (window, 30, 10000);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s-%s.png", name, french () ? "fr" : "en");
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

/* ---- drift alarm toast ---------------------------------------------------------- */

static void
test_drift_toast (void)
{
  Co2sMetricsHistory *history = co2s_application_get_history (t.s.app);
  g_autofree char *text = co2s_drift_toast_dup_text (7);
  g_autofree char *quiet = co2s_drift_toast_dup_text (6);
  Co2sBatchMetrics batches[6];

  if (french ())
    g_assert_true (g_str_has_prefix (text, "Alarme de dérive au lot 7"));
  else
    g_assert_cmpstr (text, ==, "Drift alarm at batch 7: the model’s error has changed, see the mark on the plot");

  co2s_metrics_history_clear (history);
  /* Batches 1–6, no alarm: no toast. */
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    batches[i] = batch (i + 1, 0.95, FALSE);
  co2s_metrics_history_append_many (history, batches, G_N_ELEMENTS (batches));
  co2s_test_assert_stays (window_lacks, quiet, 300);

  /* Batch 7 raises the alarm: a toast saying so. */
  batches[0] = batch (7, 0.6, TRUE);
  co2s_metrics_history_append (history, &batches[0]);
  co2s_test_assert_wait (window_shows, text, 5000);
  maybe_save (GTK_WIDGET (t.s.window), "drift-toast");
  co2s_metrics_history_clear (history);
}

/* ---- coverage key figure ----------------------------------------------------------- */

typedef struct {
  Co2sKpiPanel *panel;
  const char *text;
} KpiWait;

static gboolean
coverage_is (gpointer data)
{
  KpiWait *w = data;

  return g_strcmp0 (co2s_kpi_panel_get_value_text (w->panel, CO2S_KPI_COVERAGE), w->text) == 0;
}

static void
test_coverage_kpi (void)
{
  Co2sMetricsHistory *history = co2s_application_get_history (t.s.app);
  KpiWait w = { t.s.kpis, french () ? "90,0\u00a0%" : "90.0 %" };
  Co2sBatchMetrics batches[25];
  GtkWidget *tile;

  co2s_metrics_history_clear (history);
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    batches[i] = batch (i + 1, i < 5 ? 0.1 : 0.9, FALSE);
  co2s_metrics_history_append_many (history, batches, G_N_ELEMENTS (batches));
  co2s_test_assert_wait (coverage_is, &w, 5000);
  tile = co2s_kpi_panel_get_tile_widget (t.s.kpis, CO2S_KPI_COVERAGE);
  g_assert_true (gtk_widget_is_drawable (tile));
  g_assert_true (app_test_has_label (tile, french () ? "Couverture des intervalles" : "Interval coverage"));
  g_assert_true (app_test_has_label (tile, french () ? "Cible 95\u00a0%, 20 lots" : "Target 95 %, 20 batches"));
  co2s_metrics_history_clear (history);
}

/* ---- prediction dialog ----------------------------------------------------------- */

/* A least-squares model of synthetic rows in @dir, with the residuals the
 * trainer records when @residuals. */
static char *
write_model (const char *dir, gboolean residuals)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, CO2S_MODEL_FILE, NULL);
  double x[400 * CO2S_N_FEATURES], y[400];

  for (guint i = 0; i < 400; i++)
    {
      static const char fuels[] = "DEXZ";
      double *row = x + i * CO2S_N_FEATURES;
      double engine = g_rand_double_range (rand, 1.0, 6.0);
      double city = 5 + 2.2 * engine + g_rand_double_range (rand, -1, 1);
      double hwy = 0.7 * city;

      g_assert_true (co2s_features_from_inputs (engine, 4, city, hwy, 0.55 * city + 0.45 * hwy,
                                                fuels[i % 4], row, NULL));
      y[i] = 23 * row[4] + g_rand_double_range (rand, -5, 5);
    }
  co2s_model_learn (model, x, y, 400);
  cp = co2s_checkpoint_new (model);
  if (residuals)
    for (guint i = 0; i < 400; i++)
      {
        double r = y[i] - co2s_model_predict (model, x + i * CO2S_N_FEATURES);

        co2s_conformal_add (cp->conformal, x + i * CO2S_N_FEATURES, &r, 1);
      }
  cp->batches = 4;
  g_assert_true (co2s_checkpoint_save (cp, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_predict_interval (void)
{
  /* In the app's model folder: the dialog opens with it, as when the
   * pipeline runs. */
  const char *with_dir = t.s.model_dir;
  g_autofree char *without_dir = g_build_filename (t.s.tmp_dir, "without-residuals", NULL);
  g_autofree char *with = NULL, *without = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interval = NULL;
  g_autofree char *version = NULL;
  g_autofree char *sha = NULL;
  Co2sPredictDialog *dialog;
  double features[CO2S_N_FEATURES];
  Co2sPrediction p;

  g_assert_cmpint (g_mkdir_with_parents (with_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (without_dir, 0700), ==, 0);
  with = write_model (with_dir, TRUE);
  without = write_model (without_dir, FALSE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.s.window), "win.predict", NULL));
  dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, dialog, 5000);
  g_assert_cmpstr (co2s_predict_dialog_get_model_path (dialog), ==, with);
  g_assert_true (co2s_predict_dialog_get_model_loaded (dialog));
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_true (co2s_predict_dialog_predict (dialog));

  /* What the library (and co2stream-predict) says for the same vehicle. */
  cp = co2s_checkpoint_load (with, &error);
  g_assert_no_error (error);
  g_assert_true (co2s_features_from_inputs (2.0, 4, 9.9, 6.7, 8.5, 'X', features, NULL));
  g_assert_true (co2s_prediction_compute (cp, features, &p));
  g_assert_true (isfinite (p.half_width) && p.half_width > 0.0);
  g_assert_cmpfloat (co2s_predict_dialog_get_prediction (dialog), ==, p.value);
  interval = g_strdup_printf (_("95 %% interval: %.1f–%.1f g/km"), p.low, p.high);
  sha = g_strndup (p.params_sha256, CO2S_PREDICTION_SHORT_HASH);
  version = g_strdup_printf (_("Model %s, version %s (batches learned), parameters %s"), "ls", "4", sha);
  g_test_message ("dialog: “%s”, “%s”", interval, version);
  if (french ())
    {
      g_assert_true (g_str_has_prefix (interval, "Intervalle à 95\u00a0%\u00a0:"));
      g_assert_true (g_str_has_prefix (version, "Modèle ls, version 4"));
    }
  else
    {
      g_assert_true (g_str_has_prefix (interval, "95 % interval: "));
      g_assert_true (g_str_has_prefix (version, "Model ls, version 4 (batches learned), parameters "));
    }
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), interval));
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), version));
  /* Everything fits: the dialog sized itself with the interval's line. */
  {
    GtkWidget *scrolled = app_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    co2s_test_gtk_wait_frames (GTK_WIDGET (dialog), 5, 5000);
    g_test_message ("dialog %d px tall: content %.0f px in a %.0f px view",
                    gtk_widget_get_height (GTK_WIDGET (dialog)), gtk_adjustment_get_upper (adj),
                    gtk_adjustment_get_page_size (adj));
    g_assert_cmpfloat (gtk_adjustment_get_upper (adj), <=, gtk_adjustment_get_page_size (adj));
  }

  /* New inputs: the old interval goes with the old prediction. */
  co2s_predict_dialog_set_inputs (dialog, 3.0, 6, 12.0, 8.0, 10.2, 'Z');
  g_assert_false (app_test_has_label (GTK_WIDGET (dialog), interval));

  /* A model file without residuals: a prediction, and no interval. */
  co2s_predict_dialog_set_model_path (dialog, without);
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  g_assert_true (co2s_predict_dialog_predict (dialog));
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), _("No interval: the model file holds no recent errors yet")));
  g_assert_false (app_test_has_label_containing (GTK_WIDGET (dialog), french () ? "Intervalle à" : "95 % interval"));

  {
    g_autofree char *app_model = co2s_application_dup_model_path (t.s.app);

    co2s_predict_dialog_set_model_path (dialog, app_model);
  }
  gtk_window_close (GTK_WINDOW (dialog));
  g_unlink (with);
  g_unlink (without);
  g_rmdir (without_dir);
}

/* A model file of the trainer of several models (--algo @algos), champion
 * @champion, every model learned from the same synthetic rows, with
 * residuals. */
static void
write_models (const char *path, const char *const *algos, guint champion)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(GError) error = NULL;
  double x[400 * CO2S_N_FEATURES], y[400];

  for (guint i = 0; i < 400; i++)
    {
      static const char fuels[] = "DEXZ";
      double *row = x + i * CO2S_N_FEATURES;
      double engine = g_rand_double_range (rand, 1.0, 6.0);
      double city = 5 + 2.2 * engine + g_rand_double_range (rand, -1, 1);
      double hwy = 0.7 * city;

      g_assert_true (co2s_features_from_inputs (engine, 4, city, hwy, 0.55 * city + 0.45 * hwy,
                                                fuels[i % 4], row, NULL));
      y[i] = 23 * row[4] + 9 * (i % 4) + g_rand_double_range (rand, -5, 5);
    }
  for (guint k = 0; algos[k] != NULL; k++)
    {
      g_autoptr(Co2sModel) model = NULL;
      Co2sCheckpointModel *m;
      Co2sModelSpec spec;

      g_assert_true (co2s_model_spec_parse (algos[k], &spec, NULL));
      model = co2s_model_new_for_spec (&spec);
      co2s_model_learn (model, x, y, 400);
      if (cp == NULL)
        cp = co2s_checkpoint_new (model);
      else
        co2s_checkpoint_add_model (cp, model);
      m = co2s_checkpoint_get_model (cp, k);
      for (guint i = 0; i < 400; i++)
        {
          double r = y[i] - co2s_model_predict (model, x + i * CO2S_N_FEATURES);

          co2s_conformal_add (m->conformal, x + i * CO2S_N_FEATURES, &r, 1);
        }
    }
  co2s_checkpoint_set_champion (cp, champion);
  cp->batches = 4;
  g_assert_true (co2s_checkpoint_save (cp, path, &error));
  g_assert_no_error (error);
}

/* The dialog shows the library's figures for @name's model of @path. */
static void
assert_dialog_predicts_with (Co2sPredictDialog *dialog, const char *path, const char *name)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interval = NULL;
  g_autofree char *version = NULL;
  g_autofree char *sha = NULL;
  double features[CO2S_N_FEATURES];
  Co2sPrediction p;
  int index;

  cp = co2s_checkpoint_load (path, &error);
  g_assert_no_error (error);
  index = co2s_checkpoint_find_model (cp, name);
  g_assert_cmpint (index, >=, 0);
  g_assert_true (co2s_features_from_inputs (2.0, 4, 9.9, 6.7, 8.5, 'D', features, NULL));
  g_assert_true (co2s_prediction_compute_model (cp, (guint) index, features, &p));
  g_assert_cmpstr (co2s_predict_dialog_get_selected_model (dialog), ==, name);
  g_assert_cmpfloat (co2s_predict_dialog_get_prediction (dialog), ==, p.value);
  interval = g_strdup_printf (_("95 %% interval: %.1f–%.1f g/km"), p.low, p.high);
  sha = g_strndup (p.params_sha256, CO2S_PREDICTION_SHORT_HASH);
  version = g_strdup_printf (_("Model %s, version %s (batches learned), parameters %s"), name, "4", sha);
  g_test_message ("%s: %.3f g/km, “%s”, “%s”", name, p.value, interval, version);
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), interval));
  g_assert_true (app_test_has_label (GTK_WIDGET (dialog), version));
}

/* A model file of several models: the Model row lists them, the champion
 * marked and chosen; choosing another makes the prediction, interval and
 * model line that model's, as the library computes them; a reload keeps the
 * choice while the file holds it, else goes back to the champion. */
static void
test_predict_models (void)
{
  static const char *const three[] = { "ls", "ls:fuel", "sgd", NULL };
  static const char *const two[] = { "ls", "ls:fuel", NULL };
  g_autofree char *path = g_build_filename (t.s.model_dir, CO2S_MODEL_FILE, NULL);
  g_autofree char *champion = g_strdup_printf (_("%s (champion)"), "ls:fuel");
  g_autoptr(GError) error = NULL;
  Co2sPredictDialog *dialog;
  GListModel *items;
  AdwComboRow *row;
  double before;

  g_assert_cmpint (g_mkdir_with_parents (t.s.model_dir, 0700), ==, 0);
  write_models (path, three, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.s.window), "win.predict", NULL));
  dialog = co2s_window_get_predict_dialog (t.s.window, FALSE);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, dialog, 5000);
  g_assert_cmpstr (co2s_predict_dialog_get_model_path (dialog), ==, path);
  g_assert_true (co2s_predict_dialog_reload (dialog, &error));
  g_assert_no_error (error);

  /* The row: the three models, the champion marked and chosen. */
  row = ADW_COMBO_ROW (app_test_find_widget (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW));
  g_assert_nonnull (row);
  /* The first combo row is the fuel's; the model's is the other one. */
  if (adw_combo_row_get_model (row) != NULL &&
      g_list_model_get_n_items (adw_combo_row_get_model (row)) == 5)
    {
      GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (row), ADW_TYPE_PREFERENCES_GROUP);
      GtkWidget *next = gtk_widget_get_next_sibling (group);

      row = ADW_COMBO_ROW (app_test_find_widget (next, ADW_TYPE_COMBO_ROW));
    }
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (row)));
  items = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 3);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), 0), ==, "ls");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), 1), ==, champion);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), 2), ==, "sgd");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  if (french ())
    g_assert_cmpstr (champion, ==, "ls:fuel (champion)");

  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'D');
  g_assert_true (co2s_predict_dialog_predict (dialog));
  assert_dialog_predicts_with (dialog, path, "ls:fuel");
  before = co2s_predict_dialog_get_prediction (dialog);
  /* Its description says what the fuel feature set is. */
  {
    g_autoptr(GPtrArray) labels = app_test_collect_labels (GTK_WIDGET (dialog));
    g_autofree char *prefix = g_strconcat (_("Least squares model with a slope per fuel type"), ", ", NULL);
    gboolean found = FALSE;

    for (guint i = 0; i < labels->len && !found; i++)
      found = g_str_has_prefix (g_ptr_array_index (labels, i), prefix);
    if (!found)
      g_error ("no label of the dialog starts with “%s”", prefix);
  }

  /* Choosing sgd in the row, as a user does: the result follows. */
  adw_combo_row_set_selected (row, 2);
  assert_dialog_predicts_with (dialog, path, "sgd");
  g_assert_cmpfloat (co2s_predict_dialog_get_prediction (dialog), !=, before);
  maybe_save (GTK_WIDGET (dialog), "predict-models");
  g_assert_true (co2s_predict_dialog_select_model (dialog, "ls"));
  assert_dialog_predicts_with (dialog, path, "ls");
  g_assert_false (co2s_predict_dialog_select_model (dialog, "sgd:fuel"));
  g_assert_true (co2s_predict_dialog_select_model (dialog, "sgd"));

  /* A reload keeps sgd while the file holds it… */
  g_assert_true (co2s_predict_dialog_reload (dialog, NULL));
  assert_dialog_predicts_with (dialog, path, "sgd");
  /* …and goes back to the champion when it does not. */
  write_models (path, two, 0);
  g_assert_true (co2s_predict_dialog_reload (dialog, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  assert_dialog_predicts_with (dialog, path, "ls");

  /* A file of one model: no row. */
  write_models (path, (const char *const[]) { "ls", NULL }, 0);
  g_assert_true (co2s_predict_dialog_reload (dialog, NULL));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (row)));

  gtk_window_close (GTK_WINDOW (dialog));
  g_unlink (path);
}

/* The row titled @name's check button in @prefs. */
static GtkCheckButton *
model_check (GtkWindow *prefs, const char *name)
{
  GtkWidget *row = app_test_find_row (GTK_WIDGET (prefs), name);

  g_assert_nonnull (row);
  return GTK_CHECK_BUTTON (app_test_find_widget (row, GTK_TYPE_CHECK_BUTTON));
}

/* What follows --algo on the trainer's command line at the next Start:
 * the controller's "algo", which it hands to the supervisor on Start
 * (co2s-pipeline-controller.c, apply_settings), whose local backend puts
 * it after --algo (co2s-supervisor-local.c). */
static char *
trainer_algo (void)
{
  char *algo = NULL;

  g_object_get (co2s_application_get_controller (t.s.app), "algo", &algo, NULL);
  return algo;
}

/* Preferences choose the models the trainer learns: the ticks make the
 * --algo list (the order kept, new ones after), the last one cannot be
 * unticked, a setting changed elsewhere shows. */
static void
test_preferences_models (void)
{
  GSettings *settings = co2s_application_get_settings (t.s.app);
  GtkCheckButton *ls, *ls_fuel, *sgd, *sgd_fuel;
  GtkWindow *prefs;
  char *algo;

  g_settings_set_string (settings, "algo", "ls");
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "preferences", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_PREFERENCES_WINDOW), 5000);
  prefs = app_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  ls = model_check (prefs, "ls");
  ls_fuel = model_check (prefs, "ls:fuel");
  sgd = model_check (prefs, "sgd");
  sgd_fuel = model_check (prefs, "sgd:fuel");

  /* The default: ls alone, which cannot be unticked. */
  g_assert_true (gtk_check_button_get_active (ls));
  g_assert_false (gtk_check_button_get_active (ls_fuel) || gtk_check_button_get_active (sgd) ||
                  gtk_check_button_get_active (sgd_fuel));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (ls)));
  algo = trainer_algo ();
  g_assert_cmpstr (algo, ==, "ls");
  g_free (algo);

  gtk_check_button_set_active (sgd, TRUE);
  gtk_check_button_set_active (ls_fuel, TRUE);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (ls)));
  algo = trainer_algo ();
  g_assert_cmpstr (algo, ==, "ls,sgd,ls:fuel");
  g_free (algo);
  maybe_save (gtk_widget_get_ancestor (GTK_WIDGET (ls), ADW_TYPE_PREFERENCES_GROUP), "preferences-models");

  gtk_check_button_set_active (ls, FALSE);
  gtk_check_button_set_active (sgd, FALSE);
  algo = trainer_algo ();
  g_assert_cmpstr (algo, ==, "ls:fuel");
  g_free (algo);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (ls_fuel)));

  /* Changed elsewhere (gsettings, another window): the ticks follow. */
  g_settings_set_string (settings, "algo", "sgd:fuel,ls");
  g_assert_true (gtk_check_button_get_active (sgd_fuel));
  g_assert_true (gtk_check_button_get_active (ls));
  g_assert_false (gtk_check_button_get_active (ls_fuel));
  gtk_check_button_set_active (sgd, TRUE);
  algo = trainer_algo ();
  g_assert_cmpstr (algo, ==, "sgd:fuel,ls,sgd");
  g_free (algo);

  gtk_window_close (prefs);
  g_settings_set_string (settings, "algo", "ls");
}

/* A model file of other models than Preferences choose: the text the
 * window shows when the trainer refuses them names both lists and the ways
 * out; none when they agree (in the trainer's order) or there is no file. */
static void
test_models_mismatch (void)
{
  static const char *const two[] = { "ls:fuel", "sgd", NULL };
  g_autofree char *path = g_build_filename (t.s.tmp_dir, "mismatch-model.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;

  g_assert_null (co2s_models_mismatch_check (path, "ls"));
  write_models (path, two, 0);
  g_assert_null (co2s_models_mismatch_check (path, "ls:fuel,sgd"));
  g_assert_null (co2s_models_mismatch_check (path, "ls:fuel,sgd:base"));
  g_assert_null (co2s_models_mismatch_check (path, "not a list"));
  text = co2s_models_mismatch_check (path, "ls");
  g_assert_nonnull (text);
  g_test_message ("%s", text);
  expected = g_strdup_printf (_("Trainer stopped: the model file holds %s, Preferences choose %s"),
                              "ls:fuel,sgd", "ls");
  g_assert_cmpstr (text, ==, expected);
  if (french ())
    g_assert_cmpstr (text, ==, "Entraîneur arrêté\u00a0: le fichier de modèles contient ls:fuel,sgd, "
                               "les Préférences choisissent ls");
  g_clear_pointer (&text, g_free);
  /* Another order is another list to the trainer. */
  text = co2s_models_mismatch_check (path, "sgd,ls:fuel");
  g_assert_nonnull (text);
  g_unlink (path);

  /* In the window: the trainer fails (as when it refuses the list) while
   * the app's model file holds ls:fuel,sgd and Preferences choose ls. */
  {
    g_autofree char *model_path = co2s_application_dup_model_path (t.s.app);
    Co2sService *trainer = co2s_supervisor_get_service (co2s_application_get_supervisor (t.s.app),
                                                        CO2S_SERVICE_TRAINER);

    g_assert_cmpint (g_mkdir_with_parents (t.s.model_dir, 0700), ==, 0);
    write_models (model_path, two, 0);
    g_settings_set_string (co2s_application_get_settings (t.s.app), "algo", "ls");
    g_assert_false (window_shows (expected));
    co2s_service_set_state (trainer, CO2S_SERVICE_STATE_FAILED, "exited with status 1");
    co2s_test_assert_wait (window_shows, expected, 5000);
    maybe_save (GTK_WIDGET (t.s.window), "models-mismatch");
    co2s_service_set_state (trainer, CO2S_SERVICE_STATE_STOPPED, NULL);
    g_unlink (model_path);
  }
}

int
main (int argc,
      char *argv[])
{
  static const AppTestCase cases[] = {
    { "/app/quality/drift-toast", test_drift_toast },
    { "/app/quality/coverage-kpi", test_coverage_kpi },
    { "/app/quality/predict-interval", test_predict_interval },
    { "/app/quality/predict-models", test_predict_models },
    { "/app/quality/preferences-models", test_preferences_models },
    { "/app/quality/models-mismatch", test_models_mismatch },
  };

  return app_test_session_main (&argc, &argv, &t.s, cases, G_N_ELEMENTS (cases));
}
