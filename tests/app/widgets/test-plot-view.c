/* test-plot-view.c — Co2sPlotView under Xvfb: it draws the history with
 * the plot library, shows an empty state, redraws only on change (and not
 * while idle), follows the dark style and keeps its accessible description
 * current. */
#define G_LOG_DOMAIN "test-plot-view"

#include <glib/gi18n.h>
#include <string.h>

#include "app-widgets-test-util.h"
#include "co2s-plot-view.h"

static guint32
rgb_hex (const Co2sRgb *c)
{
  return ((guint32) (c->r * 255.0 + 0.5) << 16) | ((guint32) (c->g * 255.0 + 0.5) << 8)
         | (guint32) (c->b * 255.0 + 0.5);
}

typedef struct {
  Co2sPlotView *view;
  guint count;
} DrawWait;

static gboolean
drawn_more_than (gpointer data)
{
  DrawWait *w = data;

  return co2s_plot_view_get_draw_count (w->view) > w->count;
}

static gboolean
drawn_at_most (gpointer data)
{
  DrawWait *w = data;

  return co2s_plot_view_get_draw_count (w->view) <= w->count;
}

/* Waits until a draw happened after now; returns the new count. */
static guint
wait_for_draw (Co2sPlotView *view)
{
  DrawWait w = { view, co2s_plot_view_get_draw_count (view) };

  co2s_test_assert_wait (drawn_more_than, &w, 2000);

  return co2s_plot_view_get_draw_count (view);
}

/* Asserts that the draw count of @view stays at most @max for @ms. */
static void
assert_draw_count_stays_at_most (Co2sPlotView *view,
                                 guint max,
                                 guint ms)
{
  DrawWait w = { view, max };

  co2s_test_assert_stays (drawn_at_most, &w, ms);
}

/* Waits until no draw happened for 300 ms (the first frames settled). */
static guint
wait_for_quiet (Co2sPlotView *view)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  DrawWait w = { view, 0 };
  gboolean quiet;

  do
    {
      w.count = co2s_plot_view_get_draw_count (view);
      quiet = co2s_test_stays (drawn_at_most, &w, 300);
    }
  while (!quiet && g_get_monotonic_time () < deadline);
  g_assert_true (quiet);

  return w.count;
}

static GtkWindow *
show_view (Co2sPlotView **view_out,
           Co2sMetricsHistory *history)
{
  GtkWidget *view = co2s_plot_view_new (history);
  GtkWindow *window = aw_show_in_window (view, 720, 420);

  *view_out = CO2S_PLOT_VIEW (view);

  return window;
}

static void
test_draws_history (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) empty = NULL;
  g_autoptr(GdkTexture) full = NULL;
  Co2sRmsePlotPalette palette;
  Co2sPlotView *view;
  GtkWindow *window = show_view (&view, history);
  AwPixelStats stats;
  guint64 rmse_empty, rmse_full, rolling_full;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  g_assert_cmpuint (co2s_plot_view_get_draw_count (view), >, 0);
  empty = aw_render_widget (GTK_WIDGET (view));
  rmse_empty = aw_count_colour (empty, rgb_hex (&palette.rmse), 40);

  aw_fill_history (history, 1, 150);
  wait_for_draw (view);
  full = aw_render_widget (GTK_WIDGET (view));
  aw_pixel_stats (full, &stats);
  rmse_full = aw_count_colour (full, rgb_hex (&palette.rmse), 40);
  rolling_full = aw_count_colour (full, rgb_hex (&palette.rolling), 40);

  g_test_message ("empty: %" G_GUINT64_FORMAT " rmse pixels; full: %" G_GUINT64_FORMAT
                  " rmse, %" G_GUINT64_FORMAT " rolling, %" G_GUINT64_FORMAT " non-background of %dx%d",
                  rmse_empty, rmse_full, rolling_full, stats.non_background, stats.width, stats.height);
  /* The light palette's background fills most of the widget. */
  g_assert_cmphex (stats.background, ==, rgb_hex (&palette.background));
  /* The RMSE line and the rolling mean are drawn in their colours. */
  g_assert_cmpuint (rmse_full, >, rmse_empty + 300);
  g_assert_cmpuint (rolling_full, >, 200);
  g_assert_cmpuint (stats.non_background, >, (guint64) stats.width * stats.height / 100);

  gtk_window_destroy (window);
}

static void
test_empty_state (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sPlotView *view;
  GtkWindow *window = show_view (&view, history);
  GtkWidget *label = aw_find_label (GTK_WIDGET (view), "No batches yet");

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_is_visible (label));
  g_assert_true (gtk_widget_get_mapped (label));

  aw_fill_history (history, 1, 3);
  g_assert_false (gtk_widget_is_visible (label));

  co2s_metrics_history_clear (history);
  g_assert_true (gtk_widget_is_visible (label));

  /* No history at all is empty too. */
  aw_fill_history (history, 1, 3);
  co2s_plot_view_set_history (view, NULL);
  g_assert_true (gtk_widget_is_visible (label));

  gtk_window_destroy (window);
}

static void
test_no_redraw_when_idle (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sPlotView *view;
  GtkWindow *window;
  guint count;
  guint64 cpu;
  gint64 t0, latency;

  aw_fill_history (history, 1, 100);
  window = show_view (&view, history);
  count = wait_for_quiet (view);

  /* Nothing changes for 1.5 s: no draw and (almost) no CPU. */
  cpu = aw_cpu_time_us ();
  assert_draw_count_stays_at_most (view, count, 1500);
  cpu = aw_cpu_time_us () - cpu;
  g_test_message ("idle: %u draws, %" G_GUINT64_FORMAT " µs CPU in 1.5 s",
                  co2s_plot_view_get_draw_count (view) - count, cpu);
  g_assert_cmpuint (cpu, <, 150 * 1000);

  /* One new batch: drawn within a second (the freshness target). */
  t0 = g_get_monotonic_time ();
  aw_fill_history (history, 101, 101);
  wait_for_draw (view);
  latency = g_get_monotonic_time () - t0;
  g_test_message ("new batch drawn after %" G_GINT64_FORMAT " µs", latency);
  g_assert_cmpint (latency, <, G_USEC_PER_SEC);
  count = wait_for_quiet (view);

  /* Fifty "changed" in a row are one frame, one draw. */
  for (guint64 i = 102; i < 152; i++)
    aw_fill_history (history, i, i);
  wait_for_draw (view);
  assert_draw_count_stays_at_most (view, count + 2, 300);

  /* A duplicate batch changes nothing, so it draws nothing. */
  count = wait_for_quiet (view);
  {
    Co2sBatchMetrics m;

    g_assert_true (co2s_metrics_history_get_batch (history, 10, &m));
    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_DUPLICATE);
  }
  assert_draw_count_stays_at_most (view, count, 300);

  gtk_window_destroy (window);
}

static void
test_properties (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  Co2sRmsePlotOptions options;
  Co2sRmsePlotPalette palette;
  Co2sPlotView *view;
  GtkWindow *window;
  guint count;
  guint64 fit_before, fit_after;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  aw_fill_history (history, 1, 120);
  window = show_view (&view, history);

  /* Defaults. */
  g_assert_false (co2s_plot_view_get_log_scale (view));
  g_assert_false (co2s_plot_view_get_show_fit (view));
  g_assert_true (co2s_plot_view_get_show_rolling_mean (view));
  g_assert_cmpuint (co2s_plot_view_get_last_n (view), ==, 0);
  g_assert_true (co2s_plot_view_get_history (view) == history);

  count = wait_for_quiet (view);
  before = aw_render_widget (GTK_WIDGET (view));
  fit_before = aw_count_colour (before, rgb_hex (&palette.fit), 40);
  count = wait_for_quiet (view);

  /* Each property change redraws; setting the same value does not. */
  g_object_set (view, "show-fit", TRUE, NULL);
  count = wait_for_draw (view);
  after = aw_render_widget (GTK_WIDGET (view));
  fit_after = aw_count_colour (after, rgb_hex (&palette.fit), 40);
  g_test_message ("fit-colour pixels: %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT, fit_before, fit_after);
  g_assert_cmpuint (fit_after, >, fit_before + 200);
  count = wait_for_quiet (view);
  co2s_plot_view_set_show_fit (view, TRUE);
  assert_draw_count_stays_at_most (view, count, 200);

  co2s_plot_view_set_log_scale (view, TRUE);
  wait_for_draw (view);
  co2s_plot_view_set_show_rolling_mean (view, FALSE);
  wait_for_draw (view);
  co2s_plot_view_set_last_n (view, 50);
  wait_for_draw (view);

  /* What the plot shows: redrawn, and said to screen readers. */
  g_assert_cmpint (co2s_plot_view_get_quantity (view), ==, CO2S_PLOT_QUANTITY_RMSE);
  g_assert_true (g_str_has_prefix (co2s_plot_view_get_description (view), "Latest RMSE"));
  g_object_set (view, "quantity", CO2S_PLOT_QUANTITY_LAG, NULL);
  wait_for_draw (view);
  g_assert_true (g_str_has_prefix (co2s_plot_view_get_description (view), "Consumer lag"));
  co2s_plot_view_set_quantity (view, CO2S_PLOT_QUANTITY_THROUGHPUT);
  wait_for_draw (view);
  g_assert_true (g_str_has_prefix (co2s_plot_view_get_description (view), "Learning"));

  co2s_plot_view_get_options (view, &options);
  g_assert_true (options.log_y);
  g_assert_true (options.show_fit);
  g_assert_false (options.show_rolling);
  g_assert_cmpuint (options.last_n, ==, 50);
  g_assert_cmpint (options.quantity, ==, CO2S_PLOT_QUANTITY_THROUGHPUT);
  g_assert_cmpint (options.style, ==, CO2S_PLOT_STYLE_LIGHT);

  gtk_window_destroy (window);
}

static gboolean
view_is_dark (gpointer data)
{
  return co2s_plot_view_get_dark (CO2S_PLOT_VIEW (data));
}

static gboolean
view_is_light (gpointer data)
{
  return !co2s_plot_view_get_dark (CO2S_PLOT_VIEW (data));
}

static void
test_dark_style (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) light = NULL;
  g_autoptr(GdkTexture) dark = NULL;
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  Co2sRmsePlotPalette light_palette, dark_palette;
  Co2sRmsePlotOptions options;
  AwPixelStats light_stats, dark_stats;
  Co2sPlotView *view;
  GtkWindow *window;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &light_palette);
  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_DARK, &dark_palette);
  aw_fill_history (history, 1, 80);
  window = show_view (&view, history);
  g_assert_false (co2s_plot_view_get_dark (view));
  wait_for_quiet (view);
  light = aw_render_widget (GTK_WIDGET (view));

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  co2s_test_assert_wait (view_is_dark, view, 2000);
  wait_for_draw (view);
  co2s_plot_view_get_options (view, &options);
  g_assert_cmpint (options.style, ==, CO2S_PLOT_STYLE_DARK);
  dark = aw_render_widget (GTK_WIDGET (view));

  aw_pixel_stats (light, &light_stats);
  aw_pixel_stats (dark, &dark_stats);
  g_test_message ("mean luminance light %.1f, dark %.1f", light_stats.mean_luma, dark_stats.mean_luma);
  g_assert_cmphex (light_stats.background, ==, rgb_hex (&light_palette.background));
  g_assert_cmphex (dark_stats.background, ==, rgb_hex (&dark_palette.background));
  g_assert_cmpfloat (dark_stats.mean_luma, <, light_stats.mean_luma - 100.0);
  /* The dark palette's series colour is used, not the light one. */
  g_assert_cmpuint (aw_count_colour (dark, rgb_hex (&dark_palette.rmse), 40), >, 300);

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  co2s_test_assert_wait (view_is_light, view, 2000);
  gtk_window_destroy (window);
}

typedef struct {
  Co2sPlotView *view;
  const char *expected;
} DescriptionWait;

static gboolean
description_is (gpointer data)
{
  DescriptionWait *w = data;
  g_autofree char *error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (w->view),
                                                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                               w->expected);

  return error == NULL;
}

static void
test_accessible (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree char *empty = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  DescriptionWait w;
  Co2sPlotView *view;
  GtkWindow *window = show_view (&view, history);
  gint64 t0, elapsed;

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, "RMSE plot");

  empty = co2s_rmse_plot_describe (history);
  g_assert_cmpstr (empty, ==, "No batches yet.");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, empty);
  g_assert_cmpstr (co2s_plot_view_get_description (view), ==, empty);

  /* The first change after a quiet second is described at once... */
  w.view = view;
  w.expected = empty;
  co2s_test_assert_stays (description_is, &w, 1100);
  aw_fill_history (history, 1, 60);
  first = co2s_rmse_plot_describe (history);
  g_assert_true (g_str_has_prefix (first, "Latest RMSE "));
  g_assert_nonnull (strstr (first, "best"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, first);

  /* ...the next within the second waits for it (throttled to 1/s). */
  t0 = g_get_monotonic_time ();
  aw_fill_history (history, 61, 61);
  second = co2s_rmse_plot_describe (history);
  g_assert_cmpstr (second, !=, first);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, first);
  w.expected = second;
  co2s_test_assert_wait (description_is, &w, 2000);
  elapsed = g_get_monotonic_time () - t0;
  g_test_message ("throttled description updated after %" G_GINT64_FORMAT " µs", elapsed);
  g_assert_cmpint (elapsed, >=, 500 * 1000);
  g_assert_cmpint (elapsed, <=, 1500 * 1000);
  g_assert_cmpstr (co2s_plot_view_get_description (view), ==, second);

  gtk_window_destroy (window);
}

/* A batch that raised the drift alarm, arriving live, is marked on the
 * plot in the drift colour (a vertical line over the plot's height). */
static void
test_drift_marks (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  Co2sRmsePlotPalette palette;
  Co2sBatchMetrics m;
  Co2sPlotView *view;
  GtkWindow *window = show_view (&view, history);
  guint64 drift_before, drift_after;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  aw_fill_history (history, 1, 100);
  wait_for_draw (view);
  before = aw_render_widget (GTK_WIDGET (view));
  drift_before = aw_count_colour (before, rgb_hex (&palette.drift), 40);

  aw_make_batch (&m, 101, 101, 2 * G_USEC_PER_SEC);
  m.drift_alarm = TRUE;
  co2s_metrics_history_append (history, &m);
  wait_for_draw (view);
  after = aw_render_widget (GTK_WIDGET (view));
  drift_after = aw_count_colour (after, rgb_hex (&palette.drift), 40);

  g_test_message ("drift-colour pixels: %" G_GUINT64_FORMAT " without an alarm, %" G_GUINT64_FORMAT " with one",
                  drift_before, drift_after);
  g_assert_cmpuint (drift_before, ==, 0);
  /* A dashed line most of the plot's height, and its legend entry. */
  g_assert_cmpuint (drift_after, >, 100);
  gtk_window_destroy (window);
}

/* A trainer of several models: the view draws each model's series in its
 * colour and its description names
 * the models and the champion. */
static void
test_models (void)
{
  static const char *const names[] = { "ls", "ls:fuel", "sgd" };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *expected = NULL;
  Co2sRmsePlotPalette palette;
  Co2sPlotView *view;
  GtkWindow *window = show_view (&view, history);
  DescriptionWait w = { view, NULL };

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  for (guint64 b = 1; b <= 100; b++)
    {
      Co2sBatchMetrics m;

      aw_make_batch (&m, b, 100, 2 * G_USEC_PER_SEC);
      m.n_models = 3;
      for (guint k = 0; k < 3; k++)
        {
          g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
          m.models[k].rmse = 30.0 - 10.0 * k + (double) (b % 5);
          m.models[k].mae = m.models[k].coverage_95 = m.models[k].rolling_rmse = NAN;
        }
      g_strlcpy (m.algo, "ls:fuel", sizeof m.algo);
      m.rmse = m.models[1].rmse;
      co2s_metrics_history_append (history, &m);
    }
  wait_for_draw (view);
  texture = aw_render_widget (GTK_WIDGET (view));
  for (guint k = 0; k < 3; k++)
    {
      guint64 pixels = aw_count_colour (texture, rgb_hex (&palette.models[k]), 24);

      g_test_message ("model %u (%s): %" G_GUINT64_FORMAT " pixels of its colour", k, names[k], pixels);
      g_assert_cmpuint (pixels, >, 100);
    }
  expected = co2s_rmse_plot_describe_quantity (history, CO2S_PLOT_QUANTITY_RMSE);
  g_assert_true (g_str_has_suffix (expected, " Models: ls, ls:fuel, sgd; champion ls:fuel."));
  w.expected = expected;
  co2s_test_assert_wait (description_is, &w, 5000);
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  aw_test_init (&argc, &argv);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_test_add_func ("/app-widgets/plot-view/draws-history", test_draws_history);
  g_test_add_func ("/app-widgets/plot-view/empty-state", test_empty_state);
  g_test_add_func ("/app-widgets/plot-view/no-redraw-when-idle", test_no_redraw_when_idle);
  g_test_add_func ("/app-widgets/plot-view/properties", test_properties);
  g_test_add_func ("/app-widgets/plot-view/dark-style", test_dark_style);
  g_test_add_func ("/app-widgets/plot-view/accessible", test_accessible);
  g_test_add_func ("/app-widgets/plot-view/drift-marks", test_drift_marks);
  g_test_add_func ("/app-widgets/plot-view/models", test_models);

  return g_test_run ();
}
