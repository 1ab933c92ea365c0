/* bench-plot.c — how long a redraw of the RMSE plot takes with long
 * histories, against handing every point to PLplot.
 *
 * For 1,000, 100,000 and 1,000,000 batches, onto a 1000 × 600 cairo image
 * surface, all three series shown (prequential RMSE, RMSE after learning,
 * rolling mean), median of 7 runs:
 *   decimate once   building the min/max-per-column cache from scratch
 *                   (what a new history, a new size or a reset costs);
 *   redraw          a draw with the cache current (a resize-free expose);
 *   append+redraw   one batch appended, then a draw (the live case);
 *   direct          PLplot given every point (no decimation), the way the
 *                   issue measured 390 ms for 1,000,000 points.
 * Exits 1 if a redraw at 1,000,000 batches misses the 20 ms target. */
#define G_LOG_DOMAIN "bench-plot"

#include <cairo.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "co2s-rmse-plot.h"

#define WIDTH     1000
#define HEIGHT    600
#define RUNS      7
#define TARGET_MS 20.0

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof *v, compare_double);
  return v[n / 2];
}

static Co2sBatchMetrics
synthetic (guint64 b, guint64 n)
{
  Co2sBatchMetrics m = { 0 };

  /* A learning curve with batch-to-batch noise, like a real run. */
  m.batch = b;
  m.rows = 1000;
  m.rows_seen = b * 1000;
  m.rmse = 5.0 + 240.0 * exp (-8.0 * b / (double) n) + 1.5 * sin (b * 0.7) + (b * 7919 % 13) * 0.06;
  m.rmse_fit = m.rmse * 0.85;
  m.mae = m.rmse * 0.7;
  m.timestamp_us = G_GINT64_CONSTANT (1718000000000000) + b * 10000;
  m.lag = 0;
  return m;
}

static Co2sMetricsHistory *
make_history (guint n)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  g_autofree Co2sBatchMetrics *chunk = g_new (Co2sBatchMetrics, 10000);

  for (guint base = 0; base < n; base += 10000)
    {
      guint count = MIN (10000u, n - base);

      for (guint i = 0; i < count; i++)
        chunk[i] = synthetic (base + i + 1, n);
      co2s_metrics_history_append_many (history, chunk, count);
    }
  /* The rolling column is built lazily; build it outside the timings. */
  co2s_metrics_history_get_rolling_rmse_column (history, NULL);
  return history;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
grouped (guint n)
{
  return g_strdup_printf ("%'u", n);
}

int
main (int argc, char *argv[])
{
  static const guint sizes[] = { 1000, 100000, 1000000 };
  cairo_surface_t *surface;
  cairo_t *cr;
  Co2sRmsePlotOptions options;
  gboolean ok = TRUE;

  setlocale (LC_ALL, "");
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cr = cairo_create (surface);
  co2s_rmse_plot_options_init (&options);
  options.show_fit = TRUE;
  options.show_rolling = TRUE;

  /* Warm-up: fontconfig, Pango and PLplot's first-time setup. */
  {
    g_autoptr(Co2sMetricsHistory) history = make_history (100);
    g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);

    co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
  }

  g_print ("RMSE plot, %d × %d image surface, 3 series, median of %d runs (ms)\n\n",
           WIDTH, HEIGHT, RUNS);
  g_print ("%12s  %14s  %8s  %14s  %8s  %14s  %8s\n",
           "batches", "decimate once", "redraw", "append+redraw", "direct", "direct/redraw", "points");

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(Co2sMetricsHistory) history = make_history (sizes[s]);
      g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);
      g_autofree char *label = grouped (sizes[s]);
      double t_prepare[RUNS], t_redraw[RUNS], t_append[RUNS], t_direct[RUNS];
      double prepare, redraw, append, direct;
      guint64 next = sizes[s] + 1;
      gsize points;

      for (guint r = 0; r < RUNS; r++)
        {
          g_autoptr(Co2sRmsePlot) fresh = co2s_rmse_plot_new (history);
          gint64 start = g_get_monotonic_time ();

          co2s_rmse_plot_prepare (fresh, WIDTH, HEIGHT, &options);
          t_prepare[r] = ms_since (start);
        }

      co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
      for (guint r = 0; r < RUNS; r++)
        {
          gint64 start = g_get_monotonic_time ();

          co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
          cairo_surface_flush (surface);
          t_redraw[r] = ms_since (start);
        }
      points = co2s_rmse_plot_get_last_point_count (plot);

      for (guint r = 0; r < RUNS; r++)
        {
          Co2sBatchMetrics m = synthetic (next++, sizes[s]);
          gint64 start = g_get_monotonic_time ();

          co2s_metrics_history_append (history, &m);
          co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
          cairo_surface_flush (surface);
          t_append[r] = ms_since (start);
        }

      options.no_decimation = TRUE;
      for (guint r = 0; r < RUNS; r++)
        {
          gint64 start = g_get_monotonic_time ();

          co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
          cairo_surface_flush (surface);
          t_direct[r] = ms_since (start);
        }
      options.no_decimation = FALSE;

      prepare = median (t_prepare, RUNS);
      redraw = median (t_redraw, RUNS);
      append = median (t_append, RUNS);
      direct = median (t_direct, RUNS);
      g_print ("%12s  %14.2f  %8.2f  %14.2f  %8.1f  %13.1f×  %8zu\n",
               label, prepare, redraw, append, direct, direct / redraw, points);

      if (sizes[s] == 1000000 && (redraw > TARGET_MS || append > TARGET_MS))
        ok = FALSE;
    }

  g_print ("\n\"points\": what the decimated redraw hands PLplot (direct: 3 × batches).\n");
  g_print ("Target: redraw at 1,000,000 batches <= %.0f ms: %s\n", TARGET_MS, ok ? "met" : "MISSED");

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return ok ? 0 : 1;
}
