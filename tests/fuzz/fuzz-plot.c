/* fuzz-plot.c — the RMSE plot (co2stream --export-plot, and the app's live
 * plot, which draws with the same code) on any metrics series.
 *
 * Input (binary; past its end every byte reads 0):
 *   byte 0   options: bit 0 log y, 1 show the fit, 2 the rolling mean,
 *            3 dark style, 4 SVG (else PNG), 5 legend, 6 a title,
 *            7 only the last N batches (N: byte 3)
 *   byte 1   width = 15 + 4 × (byte % 157)   (15 is refused: below 16)
 *   byte 2   height = 15 + 4 × (byte % 121)
 *   byte 3   last N; byte 4 font scale = 0.25 + byte / 32;
 *   byte 5   rolling window = 1 + byte
 *   then per batch (at most 3,000): a numbering byte (mostly the next
 *   batch; sometimes a gap, a new series from 1, a rewind, a huge number),
 *   the RMSE (an opcode byte: raw double bits, the same as before — a
 *   constant series —, one ulp or 1e-12 more, NaN, ±inf, 1e200 … DBL_MAX,
 *   1e-300 … subnormals, 0, small values…) and the fit (a fraction of the
 *   RMSE, NaN or its own value).
 *
 * Must hold: the export finishes (the replay test's watchdog, libFuzzer's
 * -timeout: a constant series used to hang PLplot's axis code) and either
 * refuses with a readable error (sizes below 16 must be refused) or writes
 * a file that shows something: a PNG of the size asked, not blank (RMSE of
 * 1e200 used to give an all-white image), with the RMSE line's colour (or
 * the colour of the rolling mean or fit drawn over it) when an RMSE can be
 * drawn inside the frame (see build_history) and the legend (which has
 * that colour too) is off — values from about 5e306 up and ranges below
 * about 2e-305 included (crashes/plot/huge-values-drawn.bin and
 * tiny-range-drawn.bin: PLplot's world-to-device scale overflowed and only
 * the axes were drawn, until the axis was rescaled by a power of ten);
 * an SVG document. PLplot's errors are GLib warnings here: fatal. */
#define G_LOG_DOMAIN "fuzz-plot"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-rmse-plot.h"
#include "fuzz-common.h"

#define MAX_POINTS 3000

static double
next_value (FuzzBytes *b, double prev)
{
  static const double huge[] = { 1e200, 1e300, 1e308, G_MAXDOUBLE, -1e300, 1e150, 1e100 };
  static const double tiny[] = { 1e-300, 4.9e-324, 1e-12, 2.2250738585072014e-308, -1e-300, 1e-6 };
  guint8 op = fuzz_bytes_u8 (b);

  switch (op % 16)
    {
    case 0:  return fuzz_bytes_double (b);
    case 1:
    case 2:  return prev;
    case 3:  return nextafter (prev, INFINITY);
    case 4:  return prev + prev * 1e-12 * ((int) fuzz_bytes_u8 (b) - 128);
    case 5:  return NAN;
    case 6:  return INFINITY;
    case 7:  return -INFINITY;
    case 8:  return huge[fuzz_bytes_u8 (b) % G_N_ELEMENTS (huge)];
    case 9:  return tiny[fuzz_bytes_u8 (b) % G_N_ELEMENTS (tiny)];
    case 10: return 0.0;
    case 11: return fuzz_bytes_u8 (b);
    case 12: return fuzz_bytes_u16 (b) / 100.0;
    case 13: return -prev;
    case 14: return prev * 10.0;
    default: return fuzz_bytes_u8 (b) / 10.0;
    }
}

static guint64
next_batch (FuzzBytes *b, guint64 last)
{
  guint8 op = fuzz_bytes_u8 (b);

  if (op < 200 || last == 0)
    return last + 1;
  if (op < 220)
    return last + 1 + fuzz_bytes_u16 (b);
  if (op < 230)
    return 1;                                       /* a new series (--reset) */
  if (op < 240)
    return MAX (2, last - MIN (last - 1, fuzz_bytes_u8 (b)));   /* a rewind */
  if (op < 250)
    return (G_GUINT64_CONSTANT (1) << 40) + fuzz_bytes_u32 (b);
  /* The largest a metrics line can give (co2s_json_get_count). */
  return G_MAXINT64 - fuzz_bytes_u8 (b);
}

/* The history the bytes describe; @drawable is set when a visible batch has
 * an RMSE the axis can show. */
static Co2sMetricsHistory *
build_history (FuzzBytes *b, const Co2sRmsePlotOptions *options, gboolean *drawable)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  double prev = 6.2;
  guint64 last = 0;
  guint n;
  const double *column;

  co2s_metrics_history_set_rolling_window (history, 1 + fuzz_bytes_u8 (b));
  for (guint i = 0; i < MAX_POINTS && fuzz_bytes_left (b); i++)
    {
      Co2sBatchMetrics m = { 0 };
      guint8 fit;

      m.batch = next_batch (b, last);
      m.rmse = prev = next_value (b, prev);
      fit = fuzz_bytes_u8 (b);
      m.rmse_fit = fit < 128 ? m.rmse * fit / 64.0 : fit < 192 ? NAN : next_value (b, prev);
      m.mae = m.rmse;
      m.rows = 100;
      m.rows_seen = 100 * (i + 1);
      m.timestamp_us = 1700000000000000 + (gint64) i * G_USEC_PER_SEC;
      m.lag = 0;
      m.latency_ms_p50 = m.latency_ms_max = NAN;
      strcpy (m.algo, "ls");
      co2s_metrics_history_append (history, &m);
      last = m.batch;
    }

  /* Drawable: a visible RMSE the axis can show inside the frame, not on
   * its lines: not 0 (the bottom of a non-negative axis), not the first or
   * last batch of a last-N window (its left and right edges), among
   * batches not so far apart that the points sit on the y axis; markers
   * large enough to see (font scale from 0.5). */
  *drawable = FALSE;
  column = co2s_metrics_history_get_rmse_column (history, &n);
  if (n > 0 && options->font_scale >= 0.5)
    {
      guint first = options->last_n > 0 && n > options->last_n ? n - options->last_n : 0;
      guint from = options->last_n > 0 ? first + 1 : first;
      guint to = options->last_n > 0 ? n - 1 : n;
      const double *batch = co2s_metrics_history_get_batch_column (history, NULL);

      for (guint i = from; i < to && batch[n - 1] - batch[first] <= 1e7; i++)
        if (isfinite (column[i]) && column[i] != 0.0 && (!options->log_y || column[i] > 0.0))
          *drawable = TRUE;
    }
  return history;
}

static guint32
pixel_at (cairo_surface_t *surface, int x, int y)
{
  const guint8 *row = cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) row)[x];
}

static gboolean
near (guint32 pixel, const Co2sRgb *c)
{
  int dr = (int) ((pixel >> 16) & 0xff) - (int) lround (c->r * 255);
  int dg = (int) ((pixel >> 8) & 0xff) - (int) lround (c->g * 255);
  int db = (int) (pixel & 0xff) - (int) lround (c->b * 255);

  return abs (dr) + abs (dg) + abs (db) < 48;
}

/* @pixel is @line's colour over @bg, antialiased (at least 30 % of it):
 * close to bg + α (line − bg) for some α ≥ 0.3. Thin lines at small sizes
 * are never drawn in the full colour. */
static gboolean
shade_of (guint32 pixel, const Co2sRgb *line, const Co2sRgb *bg)
{
  double p[3] = { ((pixel >> 16) & 0xff) / 255.0, ((pixel >> 8) & 0xff) / 255.0, (pixel & 0xff) / 255.0 };
  double d[3] = { line->r - bg->r, line->g - bg->g, line->b - bg->b };
  double b[3] = { bg->r, bg->g, bg->b };
  double dot = 0, norm = 0, residual = 0, alpha;

  for (int i = 0; i < 3; i++)
    {
      dot += (p[i] - b[i]) * d[i];
      norm += d[i] * d[i];
    }
  alpha = norm > 0 ? dot / norm : 0;
  for (int i = 0; i < 3; i++)
    residual += fabs (p[i] - b[i] - alpha * d[i]);
  return alpha >= 0.3 && alpha <= 1.1 && residual < 0.1;
}

static void
check_png (const char *path, int width, int height, const Co2sRmsePlotOptions *options, gboolean drawable)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  Co2sRmsePlotPalette palette;
  guint32 background;
  guint not_background = 0, rmse = 0;

  fuzz_check (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS, "the PNG cannot be read: %s",
              cairo_status_to_string (cairo_surface_status (surface)));
  fuzz_check (cairo_image_surface_get_width (surface) == width &&
              cairo_image_surface_get_height (surface) == height,
              "a PNG of %d × %d, not %d × %d", cairo_image_surface_get_width (surface),
              cairo_image_surface_get_height (surface), width, height);
  cairo_surface_flush (surface);
  co2s_rmse_plot_get_palette (options->style, &palette);
  background = pixel_at (surface, 0, 0);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 p = pixel_at (surface, x, y);

        if (p == background)
          continue;
        not_background++;
        /* The rolling mean (and the fit) may cover the RMSE exactly (one
         * point, a constant series): any of the series drawn will do. */
        rmse += shade_of (p, &palette.rmse, &palette.background) ||
                (options->show_rolling && shade_of (p, &palette.rolling, &palette.background)) ||
                (options->show_fit && shade_of (p, &palette.fit, &palette.background));
      }
  cairo_surface_destroy (surface);

  fuzz_check (near (background, &palette.background), "the background is not the style's");
  fuzz_check (not_background > 0, "a blank %d × %d PNG", width, height);
  if (drawable && !options->show_legend && width >= 200 && height >= 150)
    fuzz_check (rmse > 0, "the RMSE line (or the series over it) is missing from the %d × %d PNG",
                width, height);
}

static void
check_svg (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  fuzz_check (g_file_get_contents (path, &contents, &len, NULL), "the SVG cannot be read");
  fuzz_check (g_str_has_prefix (contents, "<?xml") && strstr (contents, "<svg") != NULL &&
              g_str_has_suffix (g_strchomp (contents), "</svg>"),
              "not an SVG document (%zu bytes)", len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FuzzBytes b = { data, size, 0 };
  g_autoptr(Co2sMetricsHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *description = NULL;
  Co2sRmsePlotOptions options;
  guint8 flags, last_n;
  int width, height;
  gboolean drawable, svg, ok;

  co2s_rmse_plot_options_init (&options);
  flags = fuzz_bytes_u8 (&b);
  width = 15 + 4 * (fuzz_bytes_u8 (&b) % 157);
  height = 15 + 4 * (fuzz_bytes_u8 (&b) % 121);
  last_n = fuzz_bytes_u8 (&b);
  options.log_y = (flags & 1) != 0;
  options.show_fit = (flags & 2) != 0;
  options.show_rolling = (flags & 4) != 0;
  options.style = (flags & 8) != 0 ? CO2S_PLOT_STYLE_DARK : CO2S_PLOT_STYLE_LIGHT;
  svg = (flags & 16) != 0;
  options.show_legend = (flags & 32) != 0;
  options.title = (flags & 64) != 0 ? "CO₂ model — RMSE # % & ≠ <b>" : NULL;
  options.last_n = (flags & 128) != 0 ? last_n : 0;
  options.font_scale = 0.25 + fuzz_bytes_u8 (&b) / 32.0;

  history = build_history (&b, &options, &drawable);
  description = co2s_rmse_plot_describe (history);
  fuzz_check_utf8 (description, -1, "co2s_rmse_plot_describe");

  /* CO2S_FUZZ_PLOT_DIR: where to leave the file, to look at it. */
  path = g_build_filename (g_getenv ("CO2S_FUZZ_PLOT_DIR") != NULL ? g_getenv ("CO2S_FUZZ_PLOT_DIR")
                                                                   : fuzz_tmpdir (),
                           svg ? "plot.svg" : "plot.png", NULL);
  ok = co2s_rmse_plot_export (history, &options, path, width, height, &error);
  if (width < 16 || height < 16)
    {
      fuzz_check (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT),
                  "a %d × %d export is not refused", width, height);
      fuzz_check_error (error, "co2s_rmse_plot_export");
      return 0;
    }
  if (!ok)
    {
      /* Refusing is fine, with a message that says why. */
      fuzz_check_error (error, "co2s_rmse_plot_export");
      return 0;
    }
  if (svg)
    check_svg (path);
  else
    check_png (path, width, height, &options, drawable);
  return 0;
}
