/* test-rmse-plot-envelope.c — a history with rollups (older batches folded
 * by the trainer into metrics-history.jsonl) is drawn as a band between each
 * bucket's lowest and highest RMSE, with the mean as a line, before the
 * batches held; not with --last N. Headless (cairo image surface). */
#define G_LOG_DOMAIN "test-rmse-plot-envelope"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-rollup.h"
#include "co2s-rmse-plot.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)
#define WIDTH 480
#define HEIGHT 320

static void
batch_at (guint64 b, double rmse, Co2sBatchMetrics *m)
{
  Co2sBatchMetrics init = { 0 };

  *m = init;
  m->batch = b;
  m->rows = 100;
  m->rows_seen = b * 100;
  m->rmse = rmse;
  m->mae = m->rmse_fit = NAN;
  m->timestamp_us = T0 + (gint64) b * 1000;
  m->lag = 0;
  m->latency_ms_p50 = m->latency_ms_max = NAN;
  g_strlcpy (m->algo, "ls", sizeof m->algo);
}

/* A folder with batches 1…9,000 as 90 buckets (RMSE from 1 to 9 in each)
 * and batches 9,001…9,100 one line each at 5; the history loaded. */
static Co2sMetricsHistory *
history_with_rollups (const char *dir)
{
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *history_path = co2s_metrics_history_path_for (path);
  g_autoptr(GError) error = NULL;
  Co2sMetricsHistory *h = co2s_metrics_history_new ();
  guint n = 0;

  for (guint64 first = 1; first <= 9000; first += 100)
    {
      Co2sMetricsRollup r, one;

      for (guint64 b = first; b < first + 100; b++)
        {
          Co2sBatchMetrics m;

          batch_at (b, 1.0 + (double) ((b - first) % 9), &m);
          co2s_metrics_rollup_init (b == first ? &r : &one, &m);
          if (b != first)
            co2s_metrics_rollup_merge (&r, &one);
        }
      co2s_metrics_rollup_to_json (&r, history);
    }
  for (guint64 b = 9001; b <= 9100; b++)
    {
      Co2sBatchMetrics m;

      batch_at (b, 5.0, &m);
      co2s_batch_metrics_to_json (&m, metrics);
    }
  g_assert_true (g_file_set_contents (path, metrics->str, (gssize) metrics->len, NULL));
  g_assert_true (g_file_set_contents (history_path, history->str, (gssize) history->len, NULL));
  g_assert_true (co2s_metrics_history_load_file (h, path, NULL, &error));
  g_assert_no_error (error);
  co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 90);
  return h;
}

/* Pixels of the band's colour: the RMSE colour at 28 % over the background. */
static guint
band_pixels (cairo_surface_t *surface)
{
  Co2sRmsePlotPalette palette;
  const guchar *data;
  int stride;
  double want[3];
  guint count = 0;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  want[0] = palette.background.r * 0.72 + palette.rmse.r * 0.28;
  want[1] = palette.background.g * 0.72 + palette.rmse.g * 0.28;
  want[2] = palette.background.b * 0.72 + palette.rmse.b * 0.28;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      {
        guint32 px;
        double r, g, b;

        memcpy (&px, data + (gsize) y * stride + (gsize) x * 4, 4);
        r = ((px >> 16) & 0xff) / 255.0;
        g = ((px >> 8) & 0xff) / 255.0;
        b = (px & 0xff) / 255.0;
        if (fabs (r - want[0]) < 0.04 && fabs (g - want[1]) < 0.04 && fabs (b - want[2]) < 0.04)
          count++;
      }
  return count;
}

static guint
draw (Co2sMetricsHistory *h, guint last_n, gsize *points)
{
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (h);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  Co2sRmsePlotOptions options;
  guint count;

  co2s_rmse_plot_options_init (&options);
  options.show_rolling = FALSE;
  options.last_n = last_n;
  co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
  *points = co2s_rmse_plot_get_last_point_count (plot);
  count = band_pixels (surface);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return count;
}

static void
test_envelope_drawn (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(Co2sMetricsHistory) h = history_with_rollups (dir);
  gsize points_all = 0, points_last = 0;
  guint band_all = draw (h, 0, &points_all);
  guint band_last = draw (h, 100, &points_last);

  g_test_message ("band pixels: all %u, --last 100 %u; points %" G_GSIZE_FORMAT " / %" G_GSIZE_FORMAT,
                  band_all, band_last, points_all, points_last);
  /* 90 buckets from 1 to 9 g/km over 99 % of the x axis: a wide band. */
  g_assert_cmpuint (band_all, >, WIDTH * HEIGHT / 8);
  /* The band and the mean line: 5 points per bucket (the 100 batches held
   * are decimated to a few points at this width). */
  g_assert_cmpuint (points_all, >=, 90 * 5);
  /* The last 100 batches only: no band. */
  g_assert_cmpuint (band_last, <, WIDTH * HEIGHT / 100);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/envelope/drawn", test_envelope_drawn);
  return g_test_run ();
}
