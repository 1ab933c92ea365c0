/* test-rmse-plot-marks.c — drift alarms drawn as vertical marks in the
 * drift colour where their batches are (also for alarms folded into
 * rollups), with a legend entry, in every quantity; none without alarms or
 * outside --last N; and the older batches' band gets a legend entry when it
 * is drawn. Headless (cairo image surface). */
#define G_LOG_DOMAIN "test-rmse-plot-marks"

#include <cairo.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "co2s-metrics-rollup.h"
#include "co2s-rmse-plot.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)
#define WIDTH 960
#define HEIGHT 360
/* The legend is above the plot: its rows are in the top band. */
#define LEGEND_BOTTOM 40

static Co2sBatchMetrics
batch_at (guint64 b, gboolean alarm)
{
  Co2sBatchMetrics m = { 0 };

  m.batch = b;
  m.rows = 100;
  m.rows_seen = b * 100;
  m.rmse = 4.0 + (double) (b % 5) * 0.1;
  m.mae = m.rmse_fit = NAN;
  m.timestamp_us = T0 + (gint64) b * 1000;
  m.lag = (gint64) (b % 7);
  m.latency_ms_p50 = m.latency_ms_max = NAN;
  m.coverage_95 = 0.95;
  m.drift_alarm = alarm;
  g_strlcpy (m.algo, "ls", sizeof m.algo);
  return m;
}

typedef struct {
  guint plot_columns;       /* x columns below the legend with a drift pixel */
  guint plot_pixels;        /* drift pixels below the legend */
  guint legend_pixels;      /* drift pixels in the legend band */
  guint band_legend_pixels; /* the band's colour in the legend band */
  int first_x, last_x;      /* leftmost and rightmost drift columns below the legend */
} Counts;

static gboolean
near (guint32 px, double r, double g, double b, double tolerance)
{
  return fabs (((px >> 16) & 0xff) / 255.0 - r) < tolerance &&
         fabs (((px >> 8) & 0xff) / 255.0 - g) < tolerance &&
         fabs ((px & 0xff) / 255.0 - b) < tolerance;
}

static gboolean
purplish (guint32 px)
{
  double r = ((px >> 16) & 0xff) / 255.0, g = ((px >> 8) & 0xff) / 255.0, b = (px & 0xff) / 255.0;

  return r - g > 0.25 && b - g > 0.1;
}

static Counts
draw (Co2sMetricsHistory *h, Co2sPlotQuantity quantity, guint last_n)
{
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (h);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  Co2sRmsePlotPalette p;
  Co2sRmsePlotOptions options;
  Counts c = { 0, 0, 0, 0, WIDTH, -1 };
  const guchar *data;
  int stride;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &p);
  co2s_rmse_plot_options_init (&options);
  options.quantity = quantity;
  options.last_n = last_n;
  co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int x = 0; x < WIDTH; x++)
    {
      gboolean column = FALSE;

      for (int y = 0; y < HEIGHT; y++)
        {
          guint32 px;

          memcpy (&px, data + (gsize) y * stride + (gsize) x * 4, 4);
          /* The drift colour, or its antialiased blend with the
           * background: reddish purple, unlike every other colour drawn. */
          if (purplish (px))
            {
              if (y < LEGEND_BOTTOM)
                c.legend_pixels++;
              else
                {
                  c.plot_pixels++;
                  column = TRUE;
                }
            }
          if (y < LEGEND_BOTTOM &&
              near (px, p.background.r * 0.72 + p.rmse.r * 0.28, p.background.g * 0.72 + p.rmse.g * 0.28,
                    p.background.b * 0.72 + p.rmse.b * 0.28, 0.04))
            c.band_legend_pixels++;
        }
      if (column)
        {
          c.plot_columns++;
          c.first_x = MIN (c.first_x, x);
          c.last_x = MAX (c.last_x, x);
        }
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return c;
}

/* Alarms at batches 30 and 170 of 200: two marks, where those batches are,
 * whatever the plot shows; --last 50 shows neither. */
static void
test_marks_drawn (void)
{
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) calm = co2s_metrics_history_new ();
  static const Co2sPlotQuantity quantities[] = {
    CO2S_PLOT_QUANTITY_RMSE, CO2S_PLOT_QUANTITY_LAG, CO2S_PLOT_QUANTITY_THROUGHPUT,
  };
  Counts c;

  for (guint64 b = 1; b <= 200; b++)
    {
      Co2sBatchMetrics m = batch_at (b, b == 30 || b == 170);
      Co2sBatchMetrics q = batch_at (b, FALSE);

      co2s_metrics_history_append (h, &m);
      co2s_metrics_history_append (calm, &q);
    }

  for (guint i = 0; i < G_N_ELEMENTS (quantities); i++)
    {
      c = draw (h, quantities[i], 0);
      g_test_message ("quantity %u: drift pixels %u in %u columns (x %d…%d), legend %u", i,
                      c.plot_pixels, c.plot_columns, c.first_x, c.last_x, c.legend_pixels);
      /* Two dashed lines most of the plot's height: well over 100 pixels,
       * in a few columns (line width and the ▼), far apart. */
      g_assert_cmpuint (c.plot_pixels, >, 200);
      g_assert_cmpuint (c.plot_columns, <=, 20);
      /* Batch 30 near the left of the plot, 170 near its right: 70 % of
       * the axis apart. */
      g_assert_cmpint (c.first_x, <, WIDTH / 3);
      g_assert_cmpint (c.last_x, >, WIDTH * 2 / 3);
      g_assert_cmpint (c.last_x - c.first_x, >, WIDTH / 2);
      g_assert_cmpuint (c.legend_pixels, >, 5);
    }

  /* Said in words for screen readers, in every quantity. */
  {
    g_autofree char *rmse = co2s_rmse_plot_describe_quantity (h, CO2S_PLOT_QUANTITY_RMSE);
    g_autofree char *lag = co2s_rmse_plot_describe_quantity (h, CO2S_PLOT_QUANTITY_LAG);
    g_autofree char *none = co2s_rmse_plot_describe_quantity (calm, CO2S_PLOT_QUANTITY_RMSE);

    g_assert_true (g_str_has_suffix (rmse, ". 2 drift alarms, the latest at batch 170."));
    g_assert_true (g_str_has_suffix (lag, ". 2 drift alarms, the latest at batch 170."));
    g_assert_null (strstr (none, "drift"));
  }

  c = draw (calm, CO2S_PLOT_QUANTITY_RMSE, 0);
  g_assert_cmpuint (c.plot_pixels, ==, 0);
  g_assert_cmpuint (c.legend_pixels, ==, 0);

  c = draw (h, CO2S_PLOT_QUANTITY_RMSE, 20);
  g_assert_cmpuint (c.plot_pixels, ==, 0);
  g_assert_cmpuint (c.legend_pixels, ==, 0);
  /* The last 50 hold batch 170. */
  c = draw (h, CO2S_PLOT_QUANTITY_RMSE, 50);
  g_assert_cmpuint (c.plot_pixels, >, 100);
  g_assert_cmpuint (c.plot_columns, <=, 10);
}

/* Batches 1…900 folded into 9 buckets, the fourth with an alarm; 901…1000
 * held, none with one: a mark at the fourth bucket, a legend entry for the
 * band and one for the mark; with --last 100, neither. */
static void
test_rollup_marks_and_band_legend (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *history_path = co2s_metrics_history_path_for (path);
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GString) rollups = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  Counts c;

  for (guint64 first = 1; first <= 900; first += 100)
    {
      Co2sMetricsRollup r, one;

      for (guint64 b = first; b < first + 100; b++)
        {
          Co2sBatchMetrics m = batch_at (b, b == 350);

          m.rmse = 3.0 + (double) (b % 4);
          co2s_metrics_rollup_init (b == first ? &r : &one, &m);
          if (b != first)
            co2s_metrics_rollup_merge (&r, &one);
        }
      co2s_metrics_rollup_to_json (&r, rollups);
    }
  for (guint64 b = 901; b <= 1000; b++)
    {
      Co2sBatchMetrics m = batch_at (b, FALSE);

      co2s_batch_metrics_to_json (&m, lines);
    }
  g_assert_true (g_file_set_contents (path, lines->str, (gssize) lines->len, &error));
  g_assert_true (g_file_set_contents (history_path, rollups->str, (gssize) rollups->len, &error));
  g_assert_true (co2s_metrics_history_load_file (h, path, NULL, &error));
  g_assert_no_error (error);

  c = draw (h, CO2S_PLOT_QUANTITY_RMSE, 0);
  g_test_message ("rollups: drift pixels %u in %u columns (x %d…%d), legend %u, band in legend %u",
                  c.plot_pixels, c.plot_columns, c.first_x, c.last_x, c.legend_pixels, c.band_legend_pixels);
  g_assert_cmpuint (c.plot_pixels, >, 100);
  g_assert_cmpuint (c.plot_columns, <=, 10);
  /* Bucket 301…400, centred on 350.5 of 0…1000. */
  g_assert_cmpint (c.first_x, >, WIDTH / 5);
  g_assert_cmpint (c.last_x, <, WIDTH / 2);
  g_assert_cmpuint (c.legend_pixels, >, 5);
  /* The band's sample: about 34 × 12 pixels. */
  g_assert_cmpuint (c.band_legend_pixels, >, 150);

  c = draw (h, CO2S_PLOT_QUANTITY_RMSE, 100);
  g_assert_cmpuint (c.plot_pixels, ==, 0);
  /* (a few antialiased pixels of the text may match the colour) */
  g_assert_cmpuint (c.band_legend_pixels, <, 20);

  g_unlink (path);
  g_unlink (history_path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/drift-marks/drawn", test_marks_drawn);
  g_test_add_func ("/plot/drift-marks/rollups-and-band-legend", test_rollup_marks_and_band_legend);
  return g_test_run ();
}
