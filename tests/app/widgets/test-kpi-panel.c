/* test-kpi-panel.c — Co2sKpiPanel under Xvfb: values with units computed
 * from a real Co2sMetricsHistory, live updates coalesced per frame and
 * deferred while unmapped, the 1 s tick only while mapped, a layout that
 * does not change width with the values, accessible labels and
 * descriptions, and locale-aware numbers (a French locale built by meson
 * with localedef). */
#define G_LOG_DOMAIN "test-kpi-panel"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "app-widgets-test-util.h"
#include "co2s-kpi-panel.h"

/* What the synthetic run (aw_make_batch) gives, computed here from its
 * batches, independently of the history's own KPI code. */
typedef struct {
  double last, best, rolling;
  guint64 best_batch;
} Expected;

static void
expected_for (guint64 from, guint64 to, guint window, Expected *e)
{
  Co2sBatchMetrics m;
  double sum = 0;
  guint count = 0;

  e->best = INFINITY;
  e->best_batch = 0;
  for (guint64 i = from; i <= to; i++)
    {
      aw_make_batch (&m, i, to, 0);
      if (m.rmse < e->best)
        {
          e->best = m.rmse;
          e->best_batch = i;
        }
      if (i + window > to)
        {
          sum += m.rmse;
          count++;
        }
      e->last = m.rmse;
    }
  e->rolling = sum / count;
}

static GtkWindow *
show_panel (Co2sKpiPanel **out,
            Co2sMetricsHistory *history,
            Co2sSupervisor *supervisor,
            Co2sMetricsFollower *follower)
{
  GtkWidget *panel = co2s_kpi_panel_new (history, supervisor, follower);

  *out = CO2S_KPI_PANEL (panel);

  return aw_show_in_window (panel, 1100, 300);
}

static void
test_empty (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sKpiPanel *panel;
  GtkWindow *window = show_panel (&panel, history, NULL, NULL);

  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    {
      const char *value = co2s_kpi_panel_get_value_text (panel, k);

      g_assert_nonnull (value);
      g_assert_nonnull (co2s_kpi_panel_get_detail_text (panel, k));
      g_assert_nonnull (co2s_kpi_panel_get_description (panel, k));
      if (k == CO2S_KPI_BATCHES || k == CO2S_KPI_ROWS_TRAINED)
        g_assert_cmpstr (value, ==, "0");
      else
        g_assert_cmpstr (value, ==, "—");
    }
  g_assert_cmpstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_LAST_RMSE), ==,
                   "Last prequential RMSE: not known yet");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_UPTIME), ==, "Not running");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_CONSUMER_LAG), ==, "From the metrics file");

  /* No history at all is the same. */
  co2s_kpi_panel_set_history (panel, NULL);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_LAST_RMSE), ==, "—");

  gtk_window_destroy (window);
}

static void
test_values (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree char *last = NULL;
  g_autofree char *best = NULL;
  g_autofree char *rolling = NULL;
  g_autofree char *best_detail = NULL;
  g_autofree char *last_description = NULL;
  Co2sKpiPanel *panel;
  GtkWindow *window;
  Expected e;

  aw_fill_history (history, 1, 150);
  expected_for (1, 150, co2s_metrics_history_get_rolling_window (history), &e);
  window = show_panel (&panel, history, NULL, NULL);

  last = g_strdup_printf ("%.2f g/km", e.last);
  best = g_strdup_printf ("%.2f g/km", e.best);
  rolling = g_strdup_printf ("%.2f g/km", e.rolling);
  best_detail = g_strdup_printf ("At batch %" G_GUINT64_FORMAT, e.best_batch);
  last_description = g_strdup_printf ("Last prequential RMSE: %.2f grams per kilometre, at batch 150", e.last);

  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_LAST_RMSE), ==, last);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_BEST_RMSE), ==, best);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_BEST_RMSE), ==, best_detail);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_ROLLING_RMSE), ==, rolling);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_ROLLING_RMSE), ==, "Over the last 20 batches");
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_BATCHES), ==, "150");
  /* 150 batches of 100 rows. */
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_ROWS_TRAINED), ==, "15000");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_ROWS_TRAINED), ==, "No bad rows");
  /* 100 rows every 2 s. */
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_ROWS_PER_SECOND), ==, "50.0 rows/s");
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_CONSUMER_LAG), ==, "42 msgs");
  /* The last batch was stamped now. */
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_MODEL_AGE), ==, "0 s");
  /* 15000 rows = 2 passes of 7385 + 230 rows: 3.1 % into pass 3. */
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_PASS_PROGRESS), ==, "3 %");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_PASS_PROGRESS), ==, "Pass 3 over the data set");
  g_assert_cmpstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_LAST_RMSE), ==, last_description);

  /* What is shown is what the labels say. */
  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (co2s_kpi_panel_get_value_widget (panel, k))), ==,
                     co2s_kpi_panel_get_value_text (panel, k));

  gtk_window_destroy (window);
}

typedef struct {
  Co2sKpiPanel *panel;
  Co2sKpi kpi;
  const char *text;
} TextWait;

static gboolean
text_is (gpointer data)
{
  TextWait *w = data;

  return g_strcmp0 (co2s_kpi_panel_get_value_text (w->panel, w->kpi), w->text) == 0;
}

static gboolean
text_is_not (gpointer data)
{
  return !text_is (data);
}

typedef struct {
  Co2sKpiPanel *panel;
  const char *texts[CO2S_N_KPIS];  /* NULL: not checked */
} TextsWait;

/* Every KPI of @data with a text still shows it. */
static gboolean
texts_unchanged (gpointer data)
{
  TextsWait *w = data;

  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    if (w->texts[k] != NULL && g_strcmp0 (co2s_kpi_panel_get_value_text (w->panel, k), w->texts[k]) != 0)
      return FALSE;
  return TRUE;
}

typedef struct {
  Co2sKpiPanel *panel;
  Co2sKpi kpi;
  const char *text;
} DetailWait;

static gboolean
detail_is (gpointer data)
{
  DetailWait *w = data;

  return g_strcmp0 (co2s_kpi_panel_get_detail_text (w->panel, w->kpi), w->text) == 0;
}

static void
test_live_update (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  TextWait w;
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_fill_history (history, 1, 10);
  window = show_panel (&panel, history, NULL, NULL);
  w.panel = panel;
  w.kpi = CO2S_KPI_BATCHES;

  /* Shown on the next frame, not synchronously (coalesced). */
  aw_fill_history (history, 11, 11);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_BATCHES), ==, "10");
  w.text = "11";
  co2s_test_assert_wait (text_is, &w, 1000);

  /* Unmapped: nothing is recomputed until it is shown again. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  aw_fill_history (history, 12, 12);
  w.text = "11";
  co2s_test_assert_stays (text_is, &w, 200);
  gtk_window_present (window);
  w.text = "12";
  co2s_test_assert_wait (text_is, &w, 2000);

  /* A new series (trainer --reset) starts the counts again. */
  aw_fill_history (history, 1, 1);
  w.text = "1";
  co2s_test_assert_wait (text_is, &w, 1000);

  gtk_window_destroy (window);
}

static void
test_ticks_only_while_mapped (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sSupervisor) supervisor = co2s_supervisor_new ();
  Co2sService *broker = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_BROKER);
  Co2sService *api = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_API);
  g_autofree char *age = NULL;
  g_autofree char *uptime = NULL;
  TextsWait unchanged = { 0 };
  TextWait w;
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_fill_history (history, 1, 5);
  window = show_panel (&panel, history, supervisor, NULL);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_UPTIME), ==, "—");

  /* A running service starts the uptime (through the backend API). */
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_RUNNING, NULL);
  w.panel = panel;
  w.kpi = CO2S_KPI_UPTIME;
  w.text = "0 s";
  co2s_test_assert_wait (text_is, &w, 1000);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_UPTIME), ==, "1 of 4 services running");
  co2s_service_set_state (api, CO2S_SERVICE_STATE_RUNNING, NULL);
  co2s_test_assert_wait (detail_is, &((DetailWait) { panel, CO2S_KPI_UPTIME, "2 of 4 services running" }), 1000);

  /* Ages and uptime tick while mapped. */
  w.kpi = CO2S_KPI_MODEL_AGE;
  w.text = "0 s";
  co2s_test_assert_wait (text_is_not, &w, 2500);
  w.kpi = CO2S_KPI_UPTIME;
  co2s_test_assert_wait (text_is_not, &w, 2500);

  /* Hidden: no tick, the texts stay. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  age = g_strdup (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_MODEL_AGE));
  uptime = g_strdup (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_UPTIME));
  unchanged.panel = panel;
  unchanged.texts[CO2S_KPI_MODEL_AGE] = age;
  unchanged.texts[CO2S_KPI_UPTIME] = uptime;
  /* Longer than two ticks. */
  co2s_test_assert_stays (texts_unchanged, &unchanged, 2200);

  /* Shown again: current at once. */
  gtk_window_present (window);
  w.kpi = CO2S_KPI_MODEL_AGE;
  w.text = age;
  co2s_test_assert_wait (text_is_not, &w, 1000);

  /* Stopped: no uptime. */
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_STOPPED, NULL);
  co2s_service_set_state (api, CO2S_SERVICE_STATE_STOPPED, NULL);
  w.kpi = CO2S_KPI_UPTIME;
  w.text = "—";
  co2s_test_assert_wait (text_is, &w, 1000);

  gtk_window_destroy (window);
}

static void
test_no_layout_jump (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sKpiPanel *panel;
  GtkWindow *window = show_panel (&panel, history, NULL, NULL);
  int min_before, nat_before, min_after, nat_after;
  int widths[CO2S_N_KPIS];

  gtk_widget_measure (GTK_WIDGET (panel), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_before, &nat_before, NULL, NULL);
  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    widths[k] = gtk_widget_get_width (co2s_kpi_panel_get_value_widget (panel, k));

  /* Nine-digit counts, many batches. */
  aw_fill_history (history, 999000, 1000000);
  co2s_kpi_panel_refresh (panel);
  co2s_test_assert_wait (text_is, &((TextWait) { panel, CO2S_KPI_ROWS_TRAINED, "100000000" }), 1000);
  /* Laid out again with the new values. */
  g_assert_true (co2s_test_gtk_wait_frames (GTK_WIDGET (panel), 1, 5000));

  gtk_widget_measure (GTK_WIDGET (panel), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_after, &nat_after, NULL, NULL);
  g_assert_cmpint (min_after, ==, min_before);
  g_assert_cmpint (nat_after, ==, nat_before);
  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    g_assert_cmpint (gtk_widget_get_width (co2s_kpi_panel_get_value_widget (panel, k)), ==, widths[k]);

  /* Tabular figures on the values. */
  g_assert_true (gtk_widget_has_css_class (co2s_kpi_panel_get_value_widget (panel, CO2S_KPI_LAST_RMSE),
                                           "kpi-value"));

  gtk_window_destroy (window);
}

static void
test_accessible (void)
{
  static const char * const captions[CO2S_N_KPIS] = {
    "Last RMSE", "Best RMSE", "Rolling mean RMSE", "Batches", "Rows trained",
    "Throughput", "Consumer lag", "Model age", "Pipeline uptime", "Data set pass", "Latency",
    "Interval coverage",
  };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_fill_history (history, 1, 30);
  window = show_panel (&panel, history, NULL, NULL);

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (panel), GTK_ACCESSIBLE_ROLE_GROUP);
  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    {
      GtkAccessible *tile = GTK_ACCESSIBLE (co2s_kpi_panel_get_tile_widget (panel, k));
      GtkAccessible *value = GTK_ACCESSIBLE (co2s_kpi_panel_get_value_widget (panel, k));
      const char *description = co2s_kpi_panel_get_description (panel, k);

      gtk_test_accessible_assert_role (tile, GTK_ACCESSIBLE_ROLE_GROUP);
      gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, captions[k]);
      gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
      gtk_test_accessible_assert_property (value, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
      /* In words: no abbreviated unit for a screen reader. */
      g_assert_null (strstr (description, "g/km"));
      g_assert_null (strstr (description, "rows/s"));
    }
  g_assert_true (g_str_has_prefix (co2s_kpi_panel_get_description (panel, CO2S_KPI_ROWS_PER_SECOND),
                                   "Throughput: 50.0 rows per second"));
  g_assert_true (g_str_has_prefix (co2s_kpi_panel_get_description (panel, CO2S_KPI_MODEL_AGE),
                                   "Model age: 0 seconds"));

  gtk_window_destroy (window);
}

static void
test_follower (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsFollower) follower = co2s_metrics_follower_new ("127.0.0.1:9");
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_fill_history (history, 1, 3);
  window = show_panel (&panel, history, NULL, follower);
  /* A follower that was never started. */
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_CONSUMER_LAG), ==, "Not following");
  g_assert_true (co2s_kpi_panel_get_follower (panel) == follower);
  co2s_kpi_panel_set_follower (panel, NULL);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_CONSUMER_LAG), ==, "From the metrics file");

  gtk_window_destroy (window);
}

static void
test_french_numbers (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  const char *locpath = g_getenv ("LOCPATH");
  Co2sKpiPanel *panel;
  GtkWindow *window;
  const char *rows;
  const char *rmse;

  if (locpath == NULL || setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    g_error ("no fr_FR.UTF-8 locale (LOCPATH=%s): meson builds one with localedef; is localedef installed?",
             locpath ? locpath : "(unset)");

  aw_fill_history (history, 1, 150);
  window = show_panel (&panel, history, NULL, NULL);
  rows = co2s_kpi_panel_get_value_text (panel, CO2S_KPI_ROWS_TRAINED);
  rmse = co2s_kpi_panel_get_value_text (panel, CO2S_KPI_LAST_RMSE);
  g_test_message ("fr_FR: rows “%s”, last RMSE “%s”", rows, rmse);

  /* Digit grouping (a narrow no-break space) and a decimal comma. */
  g_assert_cmpstr (rows, ==, "15\u202f000");
  g_assert_nonnull (strchr (rmse, ','));
  g_assert_null (strchr (rmse, '.'));
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_ROWS_PER_SECOND), ==, "50,0 rows/s");

  gtk_window_destroy (window);
  setlocale (LC_NUMERIC, saved);
}

/* The last batch's p50 / p99 (latency_p50_us, latency_p99_us), or "—" for
 * a batch without them (a line written before they existed). */
static void
test_latency (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sBatchMetrics m;
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_make_batch (&m, 1, 2, 2 * G_USEC_PER_SEC);
  m.latency_p50_us = 12345;
  m.latency_p99_us = 1250000;
  m.latency_p999_us = 2000000;
  g_assert_cmpuint (co2s_metrics_history_append_many (history, &m, 1), ==, 1);
  window = show_panel (&panel, history, NULL, NULL);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_LATENCY), ==, "p50 12 ms");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_LATENCY), ==, "p99 1.25 s, API to model");
  g_assert_cmpstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_LATENCY), ==,
                   "Latency from the API to the saved model, last batch: median 12 milliseconds, "
                   "99th percentile 1.25 seconds");

  aw_make_batch (&m, 2, 2, 2 * G_USEC_PER_SEC);
  m.latency_p50_us = m.latency_p99_us = m.latency_p999_us = -1;
  g_assert_cmpuint (co2s_metrics_history_append_many (history, &m, 1), ==, 1);
  co2s_kpi_panel_refresh (panel);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_LATENCY), ==, "—");
  g_assert_cmpstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_LATENCY), ==, "Latency: not known yet");
  gtk_window_destroy (window);
}

/* No tile's detail line is cut short at the width the main window gives
 * the panel (two tiles a line), the latency's included. */
static gboolean
details_laid_out (gpointer data)
{
  Co2sKpiPanel *panel = data;

  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    if (gtk_widget_get_width (gtk_widget_get_last_child (co2s_kpi_panel_get_tile_widget (panel, k))) <= 0)
      return FALSE;
  return TRUE;
}

static void
test_details_fit (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sBatchMetrics m;
  Co2sKpiPanel *panel;
  GtkWindow *window;

  aw_make_batch (&m, 1, 1, 2 * G_USEC_PER_SEC);
  m.latency_p50_us = 12345;
  m.latency_p99_us = 1250000;
  m.coverage_95 = 0.95;
  g_assert_cmpuint (co2s_metrics_history_append_many (history, &m, 1), ==, 1);
  panel = CO2S_KPI_PANEL (co2s_kpi_panel_new (history, NULL, NULL));
  window = aw_show_in_window (GTK_WIDGET (panel), 420, 700);
  co2s_test_assert_wait (details_laid_out, panel, 5000);
  for (Co2sKpi k = 0; k < CO2S_N_KPIS; k++)
    {
      GtkWidget *detail = gtk_widget_get_last_child (co2s_kpi_panel_get_tile_widget (panel, k));

      g_assert_true (GTK_IS_LABEL (detail));
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail)), ==, co2s_kpi_panel_get_detail_text (panel, k));
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (detail, gtk_label_get_text (GTK_LABEL (detail)));
      int text_width;

      /* The whole text's width in the label's font, against the label's. */
      pango_layout_get_pixel_size (layout, &text_width, NULL);
      g_test_message ("KPI %d: “%s”, %d px in %d px", k, gtk_label_get_text (GTK_LABEL (detail)), text_width,
                      gtk_widget_get_width (detail));
      if (text_width > gtk_widget_get_width (detail))
        g_error ("the detail of KPI %d, “%s” (%d px), is cut short at %d px", k,
                 gtk_label_get_text (GTK_LABEL (detail)), text_width, gtk_widget_get_width (detail));
    }
  gtk_window_destroy (window);
}

/* The rolling interval coverage as a percentage, against the 95 % target;
 * the warning colour below 90 %. */
static void
test_coverage (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sBatchMetrics batches[30];
  Co2sKpiPanel *panel;
  GtkWindow *window;
  GtkWidget *value;

  window = show_panel (&panel, history, NULL, NULL);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_COVERAGE), ==, "—");
  g_assert_cmpstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_COVERAGE), ==,
                   "Interval coverage: not known yet");

  /* 10 batches at 0.5 then 20 at 0.96: the last 20 (the rolling window)
   * average 96 %. */
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      aw_make_batch (&batches[i], i + 1, G_N_ELEMENTS (batches), 2 * G_USEC_PER_SEC);
      batches[i].coverage_95 = i < 10 ? 0.5 : 0.96;
    }
  g_assert_cmpuint (co2s_metrics_history_append_many (history, batches, G_N_ELEMENTS (batches)), ==, 30);
  co2s_kpi_panel_refresh (panel);
  value = co2s_kpi_panel_get_value_widget (panel, CO2S_KPI_COVERAGE);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_COVERAGE), ==, "96.0 %");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_COVERAGE), ==, "Target 95 %, 20 batches");
  g_assert_true (g_str_has_prefix (co2s_kpi_panel_get_description (panel, CO2S_KPI_COVERAGE),
                                   "Interval coverage: 96.0 per cent of the rows of the last 20 batches"));
  g_assert_false (gtk_widget_has_css_class (value, "warning"));

  /* With a window of 25 the mean is (5 × 0.5 + 20 × 0.96) / 25 = 86.8 %,
   * below 90 %. */
  co2s_metrics_history_set_rolling_window (history, 25);
  co2s_kpi_panel_refresh (panel);
  g_assert_cmpstr (co2s_kpi_panel_get_value_text (panel, CO2S_KPI_COVERAGE), ==, "86.8 %");
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_COVERAGE), ==, "Target 95 %, 25 batches");
  g_assert_true (gtk_widget_has_css_class (value, "warning"));
  gtk_window_destroy (window);
}

/* A trainer of several models: the last RMSE is the champion's, and its
 * tile says which (and how many models), in a detail that fits a narrow
 * tile; a line of one model goes back to the batch. */
static void
test_champion (void)
{
  static const char *const names[] = { "ls", "sgd:fuel", "ls:fuel" };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sBatchMetrics m;
  Co2sKpiPanel *panel;
  GtkWindow *window;
  GtkWidget *detail;
  int text_width;

  aw_make_batch (&m, 1, 2, 2 * G_USEC_PER_SEC);
  m.n_models = 3;
  for (guint k = 0; k < 3; k++)
    {
      g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
      m.models[k].rmse = m.rmse + k;
      m.models[k].mae = m.models[k].coverage_95 = m.models[k].rolling_rmse = NAN;
    }
  m.rmse = m.models[2].rmse;
  g_strlcpy (m.algo, "ls:fuel", sizeof m.algo);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, &m, 1), ==, 1);
  panel = CO2S_KPI_PANEL (co2s_kpi_panel_new (history, NULL, NULL));
  window = aw_show_in_window (GTK_WIDGET (panel), 420, 700);
  co2s_test_assert_wait (details_laid_out, panel, 5000);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_LAST_RMSE), ==, "ls:fuel, champion of 3");
  g_assert_nonnull (strstr (co2s_kpi_panel_get_description (panel, CO2S_KPI_LAST_RMSE),
                            "of the champion ls:fuel among 3 models"));
  detail = gtk_widget_get_last_child (co2s_kpi_panel_get_tile_widget (panel, CO2S_KPI_LAST_RMSE));
  {
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (detail, gtk_label_get_text (GTK_LABEL (detail)));

    pango_layout_get_pixel_size (layout, &text_width, NULL);
  }
  g_test_message ("“%s”, %d px in %d px", gtk_label_get_text (GTK_LABEL (detail)), text_width,
                  gtk_widget_get_width (detail));
  g_assert_cmpint (text_width, <=, gtk_widget_get_width (detail));

  /* A trainer of one model again (a new series): the batch. */
  aw_make_batch (&m, 1, 2, G_USEC_PER_SEC);
  m.timestamp_us += 7;
  co2s_metrics_history_append (history, &m);
  co2s_kpi_panel_refresh (panel);
  g_assert_cmpstr (co2s_kpi_panel_get_detail_text (panel, CO2S_KPI_LAST_RMSE), ==, "Batch 1, before learning");
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  aw_test_init (&argc, &argv);

  g_test_add_func ("/app-widgets/kpi-panel/empty", test_empty);
  g_test_add_func ("/app-widgets/kpi-panel/values", test_values);
  g_test_add_func ("/app-widgets/kpi-panel/live-update", test_live_update);
  g_test_add_func ("/app-widgets/kpi-panel/ticks-only-while-mapped", test_ticks_only_while_mapped);
  g_test_add_func ("/app-widgets/kpi-panel/no-layout-jump", test_no_layout_jump);
  g_test_add_func ("/app-widgets/kpi-panel/accessible", test_accessible);
  g_test_add_func ("/app-widgets/kpi-panel/follower", test_follower);
  g_test_add_func ("/app-widgets/kpi-panel/french-numbers", test_french_numbers);
  g_test_add_func ("/app-widgets/kpi-panel/latency", test_latency);
  g_test_add_func ("/app-widgets/kpi-panel/coverage", test_coverage);
  g_test_add_func ("/app-widgets/kpi-panel/details-fit", test_details_fit);
  g_test_add_func ("/app-widgets/kpi-panel/champion", test_champion);

  return g_test_run ();
}
