/* test-rmse-plot-models.c — a trainer of several models: each model's
 * prequential RMSE is its own series in its own colour, where its values
 * are, with a legend entry; the champion's line is heavier; a PNG export
 * shows the same; the description names the models and the champion; their
 * colours keep 4.5:1 against the background; a
 * history of one model draws none of it. Headless (cairo image surface). */
#define G_LOG_DOMAIN "test-rmse-plot-models"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "co2s-rmse-plot.h"
#include "co2s-rmse-plot-private.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)
#define WIDTH 960
#define HEIGHT 420
/* The legend is above the plot: its rows are in the top band. */
#define LEGEND_BOTTOM 40
#define N_BATCHES 200

static const char *const names[] = { "ls", "ls:fuel", "sgd" };

/* Model k's RMSE: 30, 20, 10 g/km and a little noise, so the lines lie in
 * separate bands (ls highest). */
/* test_outlier: sgd's first 10 batches near 200 g/km. */
static gboolean sgd_warm_up;

static double
model_rmse (guint64 b, guint k)
{
  if (sgd_warm_up && k == 2 && b <= 10)
    return 200.0 - (double) b;
  return 30.0 - 10.0 * k + (double) (b % 7) * 0.3;
}

static Co2sMetricsHistory *
history_new (guint n_models, guint last_champion)
{
  Co2sMetricsHistory *h = co2s_metrics_history_new ();

  for (guint64 b = 1; b <= N_BATCHES; b++)
    {
      Co2sBatchMetrics m = { 0 };
      guint champion = b == N_BATCHES ? last_champion : 1;

      m.batch = b;
      m.rows = 100;
      m.rows_seen = b * 100;
      m.mae = m.rmse_fit = NAN;
      m.timestamp_us = T0 + (gint64) b * 1000;
      m.latency_ms_p50 = m.latency_ms_max = NAN;
      m.latency_p50_us = m.latency_p99_us = m.latency_p999_us = -1;
      m.coverage_95 = 0.95;
      m.drift_statistic = NAN;
      m.n_models = n_models;
      for (guint k = 0; k < n_models; k++)
        {
          g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
          m.models[k].rmse = model_rmse (b, k);
          m.models[k].mae = m.models[k].coverage_95 = m.models[k].rolling_rmse = NAN;
        }
      g_strlcpy (m.algo, n_models > 0 ? names[champion] : "ls", sizeof m.algo);
      m.rmse = model_rmse (b, n_models > 0 ? champion : 0);
      co2s_metrics_history_append (h, &m);
    }
  return h;
}

typedef struct {
  guint plot[CO2S_RMSE_PLOT_MODEL_COLOURS];    /* pixels of model k's colour below the legend */
  guint legend[CO2S_RMSE_PLOT_MODEL_COLOURS];  /* and in the legend band */
  double mean_y[CO2S_RMSE_PLOT_MODEL_COLOURS]; /* their mean row below the legend */
} Counts;

static gboolean
near (guint32 px, const Co2sRgb *c, double tolerance)
{
  return fabs (((px >> 16) & 0xff) / 255.0 - c->r) < tolerance &&
         fabs (((px >> 8) & 0xff) / 255.0 - c->g) < tolerance &&
         fabs ((px & 0xff) / 255.0 - c->b) < tolerance;
}

static Counts
count (cairo_surface_t *surface)
{
  Co2sRmsePlotPalette p;
  Counts c = { { 0 } };
  const guchar *data;
  int stride, w, h;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &p);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px;

        memcpy (&px, data + (gsize) y * stride + (gsize) x * 4, 4);
        for (guint k = 0; k < CO2S_RMSE_PLOT_MODEL_COLOURS; k++)
          if (near (px, &p.models[k], 0.05))
            {
              if (y < LEGEND_BOTTOM)
                c.legend[k]++;
              else
                {
                  c.plot[k]++;
                  c.mean_y[k] += y;
                }
            }
      }
  for (guint k = 0; k < CO2S_RMSE_PLOT_MODEL_COLOURS; k++)
    if (c.plot[k] > 0)
      c.mean_y[k] /= c.plot[k];
  return c;
}

static Counts
draw (Co2sMetricsHistory *h)
{
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (h);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  Co2sRmsePlotOptions options;
  Counts c;

  co2s_rmse_plot_options_init (&options);
  /* The rolling mean is the champion's; left out so that only the models
   * are drawn in their colours. */
  options.show_rolling = FALSE;
  co2s_rmse_plot_draw (plot, cr, WIDTH, HEIGHT, &options);
  c = count (surface);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return c;
}

static void
test_series (void)
{
  g_autoptr(Co2sMetricsHistory) h = history_new (3, 1);
  g_autoptr(Co2sMetricsHistory) other = history_new (3, 0);
  g_autoptr(Co2sMetricsHistory) one = history_new (0, 0);
  Counts c = draw (h), o = draw (other), s = draw (one);

  for (guint k = 0; k < 3; k++)
    {
      g_test_message ("model %u: %u plot pixels (%.0f mean row), %u legend pixels; champion ls: %u",
                      k, c.plot[k], c.mean_y[k], c.legend[k], o.plot[k]);
      /* A line across the plot, and a legend sample. */
      g_assert_cmpuint (c.plot[k], >, 400);
      g_assert_cmpuint (c.legend[k], >, 10);
    }
  /* Each where its values are: ls (30 g/km) highest, sgd (10) lowest. */
  g_assert_cmpfloat (c.mean_y[0], <, c.mean_y[1]);
  g_assert_cmpfloat (c.mean_y[1], <, c.mean_y[2]);
  /* The champion's line is heavier: ls:fuel's pixels when it is the
   * champion, against when ls is; and the other way round. */
  g_assert_cmpfloat (c.plot[1], >, 1.5 * o.plot[1]);
  g_assert_cmpfloat (o.plot[0], >, 1.5 * c.plot[0]);
  /* One model: the RMSE in its blue (= model 0's), none of the others'. */
  g_assert_cmpuint (s.plot[0], >, 400);
  g_assert_cmpuint (s.plot[1] + s.plot[2], ==, 0);
}

/* co2stream --export-plot's PNG shows the same series. */
static void
test_export (void)
{
  g_autoptr(Co2sMetricsHistory) h = history_new (3, 1);
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "models.png", NULL);
  g_autoptr(GError) error = NULL;
  Co2sRmsePlotOptions options;
  cairo_surface_t *png;
  Counts c;

  co2s_rmse_plot_options_init (&options);
  options.show_rolling = FALSE;
  g_assert_true (co2s_rmse_plot_export (h, &options, path, WIDTH, HEIGHT, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  c = count (png);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpuint (c.plot[k], >, 400);
  g_assert_cmpfloat (c.mean_y[0], <, c.mean_y[2]);
  cairo_surface_destroy (png);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_describe (void)
{
  g_autoptr(Co2sMetricsHistory) h = history_new (3, 1);
  g_autoptr(Co2sMetricsHistory) one = history_new (0, 0);
  g_autofree char *text = co2s_rmse_plot_describe_quantity (h, CO2S_PLOT_QUANTITY_RMSE);
  g_autofree char *single = co2s_rmse_plot_describe (one);

  g_test_message ("%s", text);
  g_assert_true (g_str_has_suffix (text, " Models: ls, ls:fuel, sgd; champion ls:fuel."));
  g_assert_null (strstr (single, "Models"));
}

/* The legend's words: the champion marked, the fit, rolling mean and the
 * rolled-up band said to be the champion's; as before for one model. */
static void
test_legend_names (void)
{
  Co2sRmsePlotFrame frame = { 0 };
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  frame.quantity = CO2S_PLOT_QUANTITY_RMSE;
  frame.champion = -1;
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, LEGEND_ENVELOPE, 20, &a), ==,
                   "Older batches: range and mean");
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_ROLLING, 20, &b), ==, "Rolling mean (20 batches)");
  frame.n_models = 3;
  for (guint k = 0; k < 3; k++)
    g_strlcpy (frame.model_names[k], names[k], sizeof frame.model_names[k]);
  frame.champion = 1;
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_MODEL, 20, &c), ==, "ls");
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_MODEL + 1, 20, &d), ==, "ls:fuel (champion)");
  g_clear_pointer (&a, g_free);
  g_clear_pointer (&b, g_free);
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, LEGEND_ENVELOPE, 20, &a), ==,
                   "Older batches, champion only: range and mean");
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_ROLLING, 20, &b), ==,
                   "Champion’s rolling mean (20 batches)");
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_FIT, 20, &b), ==, "Champion’s RMSE after learning");
}

/* One model's warm-up far above the rest (sgd starts near 175 g/km on the
 * real data set, the others near 26) leaves the y range to the others on a
 * linear scale: the champion's line stays where it is without the outlier,
 * the outlier says in the legend that it goes above the chart. */
static void
test_outlier (void)
{
  g_autoptr(Co2sMetricsHistory) calm = history_new (3, 1);
  g_autoptr(Co2sMetricsHistory) wild = NULL;
  Co2sRmsePlotFrame frame = { 0 };
  g_autofree char *name = NULL;
  Counts a, b;

  sgd_warm_up = TRUE;
  wild = history_new (3, 1);
  sgd_warm_up = FALSE;
  a = draw (calm);
  b = draw (wild);
  g_test_message ("champion's mean row %.1f without the outlier, %.1f with it", a.mean_y[1], b.mean_y[1]);
  g_assert_cmpfloat (fabs (a.mean_y[1] - b.mean_y[1]), <, 3.0);
  g_assert_cmpfloat (fabs (a.mean_y[0] - b.mean_y[0]), <, 3.0);

  frame.quantity = CO2S_PLOT_QUANTITY_RMSE;
  frame.n_models = 3;
  for (guint k = 0; k < 3; k++)
    g_strlcpy (frame.model_names[k], names[k], sizeof frame.model_names[k]);
  frame.champion = 1;
  frame.above[2] = TRUE;
  g_assert_cmpstr (_co2s_rmse_plot_series_name (&frame, SERIES_MODEL + 2, 20, &name), ==, "sgd (↑ above the chart)");
}

/* The models' colours: 4.5:1 against the background, like every line. */
static void
test_palette (void)
{
  for (int style = CO2S_PLOT_STYLE_LIGHT; style <= CO2S_PLOT_STYLE_DARK; style++)
    {
      Co2sRmsePlotPalette p;

      co2s_rmse_plot_get_palette (style, &p);
      for (guint k = 0; k < CO2S_RMSE_PLOT_MODEL_COLOURS; k++)
        {
          g_test_message ("style %d model colour %u: %.2f:1", style, k, co2s_rgb_contrast (&p.models[k], &p.background));
          g_assert_cmpfloat (co2s_rgb_contrast (&p.models[k], &p.background), >=, 4.5);
        }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plot/models/series", test_series);
  g_test_add_func ("/plot/models/export", test_export);
  g_test_add_func ("/plot/models/describe", test_describe);
  g_test_add_func ("/plot/models/palette", test_palette);
  g_test_add_func ("/plot/models/legend-names", test_legend_names);
  g_test_add_func ("/plot/models/outlier", test_outlier);
  return g_test_run ();
}
