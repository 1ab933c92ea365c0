/* test-rmse-plot.c — the RMSE plot: export to PNG/SVG/PDF (on the calling
 * thread and as an async job), errors, the accessible description,
 * contrast, decimation on the draw path. */
#define G_LOG_DOMAIN "test-rmse-plot"

#include <cairo.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-rmse-plot.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1718000000000000)

static char *tmpdir;

static Co2sMetricsHistory *
make_history (guint n)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  g_autoptr(GArray) batches = g_array_sized_new (FALSE, TRUE, sizeof (Co2sBatchMetrics), n);

  for (guint i = 1; i <= n; i++)
    {
      Co2sBatchMetrics m = { 0 };

      m.batch = i;
      m.rows = 100;
      m.rows_seen = i * 100ull;
      m.rmse = 5.0 + 240.0 * exp (-3.0 * i / (n / 8.0 + 1.0)) + 1.5 * sin (i * 0.7);
      m.rmse_fit = m.rmse * 0.8;
      m.mae = m.rmse * 0.7;
      m.timestamp_us = T0 + i * 100000ll;
      m.lag = 0;
      g_array_append_val (batches, m);
    }
  co2s_metrics_history_append_many (history, (Co2sBatchMetrics *) (gpointer) batches->data, batches->len);
  return history;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* ---- /plot/export/png ------------------------------------------------------------ */

static guint32
pixel_at (cairo_surface_t *surface, int x, int y)
{
  const unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return *(const guint32 *) (gconstpointer) (data + y * stride + x * 4);
}

static void
check_png (const char *path, int width, int height, gboolean dark)
{
  g_autofree char *contents = NULL;
  cairo_surface_t *surface;
  GHashTable *colours;
  guint32 corner;
  gsize len;
  double lum;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);

  surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, height);
  cairo_surface_flush (surface);

  /* Non-blank: many distinct colours (background, text, grid, three line
   * colours, antialiasing). */
  colours = g_hash_table_new (NULL, NULL);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      g_hash_table_add (colours, GUINT_TO_POINTER (pixel_at (surface, x, y)));
  g_assert_cmpuint (g_hash_table_size (colours), >, 20);
  g_hash_table_unref (colours);

  /* Opaque background of the chosen style. */
  corner = pixel_at (surface, 1, height - 2);
  g_assert_cmphex (corner >> 24, ==, 0xff);
  lum = (((corner >> 16) & 0xff) + ((corner >> 8) & 0xff) + (corner & 0xff)) / 3.0;
  if (dark)
    g_assert_cmpfloat (lum, <, 64.0);
  else
    g_assert_cmpfloat (lum, >, 192.0);

  cairo_surface_destroy (surface);
}

static void
test_export_png (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (500);
  g_autoptr(GError) error = NULL;
  g_autofree char *light = tmp_path ("plot-light.png");
  g_autofree char *dark = tmp_path ("plot-dark.png");
  g_autofree char *empty = tmp_path ("plot-empty.png");
  Co2sRmsePlotOptions options;

  co2s_rmse_plot_options_init (&options);
  options.show_fit = TRUE;
  g_assert_true (co2s_rmse_plot_export (history, &options, light, 800, 480, &error));
  g_assert_no_error (error);
  check_png (light, 800, 480, FALSE);

  options.style = CO2S_PLOT_STYLE_DARK;
  options.log_y = TRUE;
  options.last_n = 100;
  options.title = "CO₂ model # RMSE";
  g_assert_true (co2s_rmse_plot_export (history, &options, dark, 640, 400, &error));
  g_assert_no_error (error);
  check_png (dark, 640, 400, TRUE);

  /* No history at all still gives a proper, non-blank plot; an upper-case
   * extension is fine. */
  g_clear_pointer (&empty, g_free);
  empty = tmp_path ("plot-empty.PNG");
  g_assert_true (co2s_rmse_plot_export (NULL, NULL, empty, 320, 200, &error));
  g_assert_no_error (error);
  check_png (empty, 320, 200, FALSE);
}

/* ---- /plot/export/svg ------------------------------------------------------------ */

typedef struct {
  guint elements;
  guint paths;
  gboolean svg_root;
} SvgCount;

static void
svg_start (GMarkupParseContext *context,
           const char *element,
           const char **names,
           const char **values,
           gpointer data,
           GError **error)
{
  SvgCount *count = data;

  if (count->elements == 0)
    count->svg_root = g_strcmp0 (element, "svg") == 0;
  count->elements++;
  if (g_strcmp0 (element, "path") == 0)
    count->paths++;
}

static void
test_export_svg (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (300);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("plot.svg");
  g_autofree char *contents = NULL;
  const GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
  GMarkupParseContext *context;
  SvgCount count = { 0 };
  gsize len;

  g_assert_true (co2s_rmse_plot_export (history, NULL, path, 600, 400, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml") || g_str_has_prefix (contents, "<svg"));

  /* Well-formed XML with an <svg> root and drawing paths. */
  context = g_markup_parse_context_new (&parser, 0, &count, NULL);
  g_assert_true (g_markup_parse_context_parse (context, contents, len, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);
  g_assert_true (count.svg_root);
  g_assert_cmpuint (count.paths, >, 10);
  g_assert_nonnull (strstr (contents, "width=\"600"));
}

/* ---- /plot/export/pdf ------------------------------------------------------------ */

static void
test_export_pdf (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (300);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("plot.pdf");
  g_autofree char *contents = NULL;
  Co2sRmsePlotOptions options;
  gsize len;

  co2s_rmse_plot_options_init (&options);
  options.title = "RMSE";
  g_assert_true (co2s_rmse_plot_export (history, &options, path, 600, 400, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 1024);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  /* A complete file: the trailer is at the end. */
  g_assert_nonnull (g_strstr_len (contents + len - 16, 16, "%%EOF"));
}

/* ---- /plot/export/async ------------------------------------------------------------ */

/* A file's bytes, but for what two exports of the same plot differ by: a
 * PDF's creation date, and the SVG ids cairo numbers across the process. */
static GBytes *
export_bytes (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  if (g_str_has_suffix (path, ".pdf"))
    {
      /* Binary: blanked in place (a date has a fixed length). */
      static const char key[] = "/CreationDate (D:";
      gsize at = 0;

      while (at + strlen (key) <= len && memcmp (contents + at, key, strlen (key)) != 0)
        at++;
      g_assert_cmpuint (at + strlen (key), <=, len);
      for (gsize i = at + strlen (key); i < len && contents[i] != ')'; i++)
        contents[i] = '#';
    }
  else if (g_str_has_suffix (path, ".svg"))
    {
      g_autoptr(GRegex) id = g_regex_new ("surface[0-9]+", 0, 0, NULL);
      char *masked = g_regex_replace_literal (id, contents, len, 0, "surface#", 0, NULL);

      g_assert_nonnull (masked);
      return g_bytes_new_take (masked, strlen (masked));
    }
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* Files in @dir whose names start with ".": temporary files left behind. */
static guint
count_hidden_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] == '.')
      n++;
  return n;
}

/* The async export writes what the sync export writes, from the history
 * and options as they were at the start, with progress up to 1 before the
 * result, all on the main thread. */
static void
test_export_async (void)
{
  static const char * const extensions[] = { "png", "svg", "pdf" };
  g_autoptr(Co2sMetricsHistory) history = make_history (5000);
  g_autofree char *dir = co2s_test_tmpdir ();

  for (guint e = 0; e < G_N_ELEMENTS (extensions); e++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(GBytes) got = NULL;
      g_autofree char *sync_name = g_strdup_printf ("sync.%s", extensions[e]);
      g_autofree char *async_name = g_strdup_printf ("async.%s", extensions[e]);
      g_autofree char *sync_path = g_build_filename (dir, sync_name, NULL);
      g_autofree char *async_path = g_build_filename (dir, async_name, NULL);
      Co2sTestProgressLog log;
      Co2sRmsePlotOptions options;
      char title[32];
      guint n_before = co2s_metrics_history_get_n_batches (history);

      co2s_rmse_plot_options_init (&options);
      options.show_fit = TRUE;
      g_strlcpy (title, "RMSE per batch", sizeof title);
      options.title = title;
      g_assert_true (co2s_rmse_plot_export (history, &options, sync_path, 640, 400, &error));
      g_assert_no_error (error);

      co2s_test_progress_log_init (&log, &result);
      co2s_rmse_plot_export_async (history, &options, async_path, 640, 400, NULL,
                                   co2s_test_progress_log_cb, &log, co2s_test_store_result, &result);
      /* The history, the options and the title change after the start. */
      g_strlcpy (title, "Changed", sizeof title);
      options.log_y = TRUE;
      {
        Co2sBatchMetrics m = { 0 };

        m.batch = n_before + 1;
        m.rmse = 1000.0;
        m.timestamp_us = T0 + (n_before + 1) * 100000ll;
        co2s_metrics_history_append (history, &m);
      }
      co2s_test_assert_result (&result, 30000, "the async plot export");
      g_assert_true (co2s_rmse_plot_export_finish (result, &error));
      g_assert_no_error (error);

      expected = export_bytes (sync_path);
      got = export_bytes (async_path);
      g_assert_cmpuint (g_bytes_get_size (got), >, 1000);
      g_assert_true (g_bytes_equal (got, expected));

      co2s_test_progress_log_assert_complete (&log);
      g_test_message ("%s: %u progress reports", extensions[e], log.values->len);
      co2s_test_progress_log_clear (&log);
    }

  /* No history at all, and errors come through the result. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) bad_result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (dir, "empty.png", NULL);
    g_autofree char *bad = g_build_filename (dir, "plot.gif", NULL);

    co2s_rmse_plot_export_async (NULL, NULL, path, 320, 200, NULL, NULL, NULL,
                                 co2s_test_store_result, &result);
    co2s_rmse_plot_export_async (history, NULL, bad, 320, 200, NULL, NULL, NULL,
                                 co2s_test_store_result, &bad_result);
    co2s_test_assert_result (&result, 30000, "the async export of an empty plot");
    co2s_test_assert_result (&bad_result, 30000, "the async export to a .gif");
    g_assert_true (co2s_rmse_plot_export_finish (result, &error));
    g_assert_no_error (error);
    check_png (path, 320, 200, FALSE);
    g_assert_false (co2s_rmse_plot_export_finish (bad_result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (count_hidden_files (dir), ==, 0);
}

static void
cancel_on_progress (double fraction, gpointer data)
{
  if (fraction > 0.0)
    g_cancellable_cancel (data);
}

/* Cancelled before the start, or after its first step: G_IO_ERROR_CANCELLED,
 * the target as it was (absent, or its old contents), no temporary file. */
static void
test_export_async_cancel (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (200000);
  g_autofree char *dir = co2s_test_tmpdir ();

  for (guint e = 0; e < 3; e++)
    {
      static const char * const names[] = { "new.png", "old.png", "old.pdf" };
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (dir, names[e], NULL);
      g_autofree char *contents = NULL;

      if (e == 0)
        g_cancellable_cancel (cancellable);
      else
        g_assert_true (g_file_set_contents (path, "old", -1, NULL));
      co2s_rmse_plot_export_async (history, NULL, path, 2000, 1200, cancellable,
                                   cancel_on_progress, cancellable,
                                   co2s_test_store_result, &result);
      co2s_test_assert_result (&result, 30000, "the cancelled plot export");
      g_assert_false (co2s_rmse_plot_export_finish (result, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      if (e == 0)
        g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      else
        {
          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, "old");
        }
      g_assert_cmpuint (count_hidden_files (dir), ==, 0);
    }
}

/* ---- /plot/export/bad-extension ----------------------------------------------------- */

static void
test_export_bad_extension (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (10);
  g_autofree char *jpg = tmp_path ("plot.jpg");
  g_autofree char *none = tmp_path ("plot");
  g_autofree char *png = tmp_path ("plot-keep.png");
  g_autofree char *missing_dir = tmp_path ("no/such/dir/plot.png");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GError *error = NULL;

  g_assert_false (co2s_rmse_plot_export (history, NULL, jpg, 400, 300, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, ".jpg"));
  g_assert_nonnull (strstr (error->message, ".png, .svg or .pdf"));
  g_assert_false (g_file_test (jpg, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (co2s_rmse_plot_export (history, NULL, none, 400, 300, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no extension"));
  g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* A refused size leaves an existing file alone. */
  g_assert_true (co2s_rmse_plot_export (history, NULL, png, 400, 300, &error));
  g_assert_true (g_file_get_contents (png, &before, NULL, NULL));
  g_assert_false (co2s_rmse_plot_export (history, NULL, png, 0, 300, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (co2s_rmse_plot_export (history, NULL, png, 400, 100000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (png, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);

  /* An unwritable place: the GIO error, naming the path. */
  g_assert_false (co2s_rmse_plot_export (history, NULL, missing_dir, 400, 300, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing_dir));
  g_clear_error (&error);
}

/* ---- /plot/accessible-description --------------------------------------------------- */

static void
test_accessible_description (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree char *empty = NULL;
  g_autofree char *text = NULL;
  g_autofree char *big = NULL;
  g_autofree char *unmeasured = NULL;

  empty = co2s_rmse_plot_describe (history);
  g_assert_cmpstr (empty, ==, "No batches yet.");
  g_clear_pointer (&empty, g_free);
  empty = co2s_rmse_plot_describe (NULL);
  g_assert_cmpstr (empty, ==, "No batches yet.");

  /* Batch 1..74; 5.1 at batch 60 is the best, 6.2 the last. */
  for (guint i = 1; i <= 74; i++)
    {
      Co2sBatchMetrics m = { 0 };

      m.batch = i;
      m.rows_seen = i * 100;
      m.rmse = i == 60 ? 5.1 : i == 74 ? 6.2 : 7.0 + i % 5;
      m.timestamp_us = T0 + i;
      co2s_metrics_history_append (history, &m);
    }
  text = co2s_rmse_plot_describe (history);
  g_assert_cmpstr (text, ==, "Latest RMSE 6.2 g/km at batch 74; best 5.1 g/km at batch 60.");

  /* Below 1 g/km more digits; a last batch with no RMSE is said so. */
  {
    Co2sBatchMetrics m = { 0 };

    m.batch = 75;
    m.rows_seen = 7500;
    m.rmse = 0.4567;
    m.timestamp_us = T0 + 75;
    co2s_metrics_history_append (history, &m);
    big = co2s_rmse_plot_describe (history);
    g_assert_cmpstr (big, ==, "Latest RMSE 0.457 g/km at batch 75; best 0.457 g/km at batch 75.");
    m.batch = 76;
    m.rmse = NAN;
    co2s_metrics_history_append (history, &m);
    unmeasured = co2s_rmse_plot_describe (history);
    g_assert_cmpstr (unmeasured, ==, "Latest batch 76 has no RMSE; best 0.457 g/km at batch 75.");
  }
}

/* ---- /plot/palette-contrast ---------------------------------------------------------- */

static void
test_palette_contrast (void)
{
  for (int style = CO2S_PLOT_STYLE_LIGHT; style <= CO2S_PLOT_STYLE_DARK; style++)
    {
      Co2sRmsePlotPalette p;
      const Co2sRgb *lines[4];

      co2s_rmse_plot_get_palette (style, &p);
      lines[0] = &p.rmse;
      lines[1] = &p.fit;
      lines[2] = &p.rolling;
      lines[3] = &p.drift;

      /* Text at least 7:1 (WCAG AAA), axes 3:1, every line 4.5:1. */
      g_assert_cmpfloat (co2s_rgb_contrast (&p.text, &p.background), >=, 7.0);
      g_assert_cmpfloat (co2s_rgb_contrast (&p.axis, &p.background), >=, 3.0);
      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        g_assert_cmpfloat (co2s_rgb_contrast (lines[i], &p.background), >=, 4.5);
      /* The grid stays discreet: fainter than any line. */
      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        g_assert_cmpfloat (co2s_rgb_contrast (&p.grid, &p.background), <, co2s_rgb_contrast (lines[i], &p.background));
    }
  {
    Co2sRgb black = { 0, 0, 0 }, white = { 1, 1, 1 };

    g_assert_cmpfloat_with_epsilon (co2s_rgb_contrast (&black, &white), 21.0, 1e-9);
  }
}

/* ---- /plot/decimated-draw -------------------------------------------------------------- */

static void
test_decimated_draw (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (200000);
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 500);
  cairo_t *cr = cairo_create (surface);
  Co2sRmsePlotOptions options;
  gsize decimated, direct;

  co2s_rmse_plot_options_init (&options);
  options.show_fit = TRUE;
  co2s_rmse_plot_draw (plot, cr, 800, 500, &options);
  decimated = co2s_rmse_plot_get_last_point_count (plot);
  /* At most four points per pixel column and series. */
  g_assert_cmpuint (decimated, >, 0);
  g_assert_cmpuint (decimated, <=, 3 * 4 * 800);

  /* Appending keeps it bounded (the cache is extended, not replaced). */
  {
    Co2sBatchMetrics m = { 0 };

    m.batch = 200001;
    m.rows_seen = 20000100;
    m.rmse = 1000.0;
    m.timestamp_us = T0 + 200001 * 100000ll;
    co2s_metrics_history_append (history, &m);
  }
  co2s_rmse_plot_draw (plot, cr, 800, 500, &options);
  g_assert_cmpuint (co2s_rmse_plot_get_last_point_count (plot), <=, 3 * 4 * 800);

  /* The benchmark's reference path hands PLplot every point. */
  options.no_decimation = TRUE;
  co2s_rmse_plot_draw (plot, cr, 800, 500, &options);
  direct = co2s_rmse_plot_get_last_point_count (plot);
  g_assert_cmpuint (direct, ==, 3 * 200001);

  /* The cairo_t comes back as it was given. */
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  {
    cairo_matrix_t m;

    cairo_get_matrix (cr, &m);
    g_assert_cmpfloat (m.xx, ==, 1.0);
    g_assert_cmpfloat (m.yy, ==, 1.0);
    g_assert_cmpfloat (m.y0, ==, 0.0);
  }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* ---- /plot/edge-cases ------------------------------------------------------------------- */

static void
append_values (Co2sMetricsHistory *history, guint64 first_batch, const double *rmse, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      Co2sBatchMetrics m = { 0 };

      m.batch = first_batch + i;
      m.rows_seen = (first_batch + i) * 10;
      m.rmse = rmse[i];
      m.rmse_fit = rmse[i] / 2.0;
      m.timestamp_us = T0 + i;
      co2s_metrics_history_append (history, &m);
    }
}

/* PLplot exits the process on some invalid input (e.g. a degenerate
 * range): odd histories, sizes and options must all draw. Runs in a
 * subprocess so that such an exit fails the test instead of ending it. */
static void
test_edge_cases (void)
{
  if (g_test_subprocess ())
    {
      const double one[] = { 7.0 };
      const double flat[] = { 3.0, 3.0, 3.0, 3.0 };
      const double zeros[] = { 0.0, 0.0, -1.0 };
      const double nans[] = { NAN, NAN };
      const double wide[] = { 1e-9, 1e9, 5.0, 1e-3 };
      const double tiny[] = { 1e-7, 1.1e-7, 1.05e-7 };
      const struct {
        guint64 first;
        const double *values;
        guint n;
      } cases[] = {
        { 1, one, G_N_ELEMENTS (one) },
        { 1, flat, G_N_ELEMENTS (flat) },
        { 1, zeros, G_N_ELEMENTS (zeros) },
        { 1, nans, G_N_ELEMENTS (nans) },
        { 1, wide, G_N_ELEMENTS (wide) },
        { 1, tiny, G_N_ELEMENTS (tiny) },
        { G_GUINT64_CONSTANT (1000000000000), flat, G_N_ELEMENTS (flat) },
      };
      static const int sizes[][2] = { { 16, 16 }, { 40, 30 }, { 120, 90 }, { 2000, 1200 } };
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 2000, 1200);
      cairo_t *cr = cairo_create (surface);

      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
          g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);

          append_values (history, cases[c].first, cases[c].values, cases[c].n);
          for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
            for (guint o = 0; o < 16; o++)
              {
                Co2sRmsePlotOptions options;

                co2s_rmse_plot_options_init (&options);
                options.log_y = o & 1;
                options.show_fit = (o >> 1) & 1;
                options.last_n = (o >> 2) & 1 ? 1 : 0;
                options.font_scale = (o >> 3) & 1 ? 3.0 : 0.5;
                options.title = (o >> 3) & 1 ? "#u#d##" : NULL;
                co2s_rmse_plot_draw (plot, cr, sizes[s][0], sizes[s][1], &options);
              }
        }
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

/* ---- /plot/constant-series-finishes, /plot/huge-values, /plot/tiny-range ------------ */

/* The share of pixels close to the light style's RMSE colour (0x0072b2)
 * in the densest
 * band of 24 rows of @path: near 1 for a flat line (with its markers and
 * the legend sample), far lower for a line drawn across the whole height. */
static double
rmse_band_fraction (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  int width, height;
  g_autofree guint *rows = NULL;
  guint total = 0, best = 0;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  rows = g_new0 (guint, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 p = pixel_at (surface, x, y);

        if (abs ((int) ((p >> 16) & 0xff)) + abs ((int) ((p >> 8) & 0xff) - 0x72) +
            abs ((int) (p & 0xff) - 0xb2) < 48)
          rows[y]++;
      }
  cairo_surface_destroy (surface);
  for (int y = 0; y < height; y++)
    total += rows[y];
  /* The legend sample sits above the plot: leave its rows out. */
  for (int y = 0; y + 24 <= height; y++)
    {
      guint in = 0;

      for (int i = 0; i < 24; i++)
        in += rows[y + i];
      best = MAX (best, in);
    }
  g_assert_cmpuint (total, >, 0);
  return (double) best / total;
}

static gboolean
pixel_near (guint32 p, guint32 rgb, int tolerance)
{
  return abs ((int) ((p >> 16) & 0xff) - (int) ((rgb >> 16) & 0xff)) +
         abs ((int) ((p >> 8) & 0xff) - (int) ((rgb >> 8) & 0xff)) +
         abs ((int) (p & 0xff) - (int) (rgb & 0xff)) < tolerance;
}

/* A grey darker than the grid: the axes (0x5e5c64, antialiased) and text. */
static gboolean
axis_grey (guint32 p)
{
  int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

  return r < 0xc8 && abs (r - g) < 12 && abs (r - b) < 16;
}

/* What the light style drew inside the plot area of @path, the rectangle
 * right of its y axis (the column with the most axis-grey pixels) along
 * that axis' run (from its first axis-grey pixel down to the background
 * under the x axis' ticks). Counts the pixels of the RMSE line (0x0072b2)
 * or of its rolling mean (0x007a5a), which covers it on a constant series,
 * and of the grid (0xdeddda) there; the legend's sample line, above the
 * plot, does not count. */
static void
count_in_plot_area (const char *path, guint *series, guint *grid)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  int width, height, axis_x = 0, top, bottom;
  guint best_col = 0;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  for (int x = 0; x < width; x++)
    {
      guint n = 0;

      for (int y = 0; y < height; y++)
        n += axis_grey (pixel_at (surface, x, y));
      if (n > best_col)
        best_col = n, axis_x = x;
    }
  g_assert_cmpuint (best_col, >, (guint) height / 3);
  for (top = 0; top < height && !axis_grey (pixel_at (surface, axis_x, top)); top++)
    ;
  /* Through the lines that cross the axis, down to the background. */
  for (bottom = top; bottom < height && !pixel_near (pixel_at (surface, axis_x, bottom), 0xffffff, 30); bottom++)
    ;
  g_assert_cmpint (bottom - top, >, height / 3);
  *series = *grid = 0;
  for (int y = top + 1; y < bottom - 1; y++)
    for (int x = axis_x + 2; x < width; x++)
      {
        guint32 p = pixel_at (surface, x, y);

        *series += pixel_near (p, 0x0072b2, 48) || pixel_near (p, 0x007a5a, 48);
        *grid += pixel_near (p, 0xdeddda, 40);
      }
  cairo_surface_destroy (surface);
}

/* Exports @n copies of the pattern @values (light style, linear and log
 * axes) and checks that each PNG has axes, labels, and the RMSE line and
 * the grid inside the plot area. */
static void
assert_series_draws (const char *name, const double *values, guint n_values, guint n)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree double *series = g_new (double, n);

  for (guint i = 0; i < n; i++)
    series[i] = values[i % n_values];
  append_values (history, 1, series, n);
  for (int log_y = 0; log_y <= 1; log_y++)
    {
      g_autofree char *file = g_strdup_printf ("%s-%s.png", name, log_y ? "log" : "linear");
      g_autofree char *path = tmp_path (file);
      g_autoptr(GError) error = NULL;
      Co2sRmsePlotOptions options;
      guint rmse, grid;

      co2s_rmse_plot_options_init (&options);
      options.log_y = log_y;
      /* Only the RMSE and its rolling mean (the fit, at half the RMSE,
       * would widen the range). */
      options.show_fit = FALSE;
      options.show_rolling = TRUE;
      /* A value of 0 has no place on a log axis. */
      if (log_y && values[0] <= 0.0)
        continue;
      g_test_message ("%s (%s)", name, log_y ? "log" : "linear");
      if (!co2s_rmse_plot_export (history, &options, path, 480, 300, &error))
        g_error ("%s (%s): %s", name, log_y ? "log" : "linear", error->message);
      check_png (path, 480, 300, FALSE);
      count_in_plot_area (path, &rmse, &grid);
      if (rmse < 50)
        g_error ("%s (%s): the RMSE line (and its rolling mean) is missing from the plot area of %s (%u pixels)",
                 name, log_y ? "log" : "linear", path, rmse);
      if (grid < 100)
        g_error ("%s (%s): the grid is missing from the plot area of %s (%u pixels)",
                 name, log_y ? "log" : "linear", path, grid);
    }
}

/* The export runs in a subprocess with a deadline: a plot that loops fails
 * the test instead of hanging it. */
static void
run_with_watchdog (void)
{
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_constant_series_finishes (void)
{
  if (g_test_subprocess ())
    {
      static const double constants[] = { 6.2, 0.1, 0.0, 5.0, 1e-12, 1e300, 123456.789 };

      for (guint c = 0; c < G_N_ELEMENTS (constants); c++)
        {
          g_autofree char *name = g_strdup_printf ("constant-%g", constants[c]);

          assert_series_draws (name, &constants[c], 1, 10);
        }
      return;
    }
  run_with_watchdog ();
}

static void
test_huge_values (void)
{
  if (g_test_subprocess ())
    {
      static const double huge[] = { 1e200 };
      static const double huger[] = { 1e308 };
      static const double max[] = { G_MAXDOUBLE, G_MAXDOUBLE / 3.0 };
      static const double mixed[] = { 12.5, 1e200, 7.0, 1e308, 30.0 };
      /* PLplot's world-to-device scale overflowed from about 5e306 up:
       * only the axes were drawn, and the export reported success. */
      static const double from5e306[] = { 5e306, 6e306, 5.5e306, 8e306 };
      static const double near_max[] = { G_MAXDOUBLE, G_MAXDOUBLE * 0.999, G_MAXDOUBLE * 0.9995 };

      assert_series_draws ("huge-1e200", huge, G_N_ELEMENTS (huge), 50);
      assert_series_draws ("huge-1e308", huger, G_N_ELEMENTS (huger), 50);
      assert_series_draws ("huge-max", max, G_N_ELEMENTS (max), 50);
      assert_series_draws ("huge-mixed", mixed, G_N_ELEMENTS (mixed), 50);
      assert_series_draws ("huge-5e306", from5e306, G_N_ELEMENTS (from5e306), 50);
      assert_series_draws ("huge-near-max", near_max, G_N_ELEMENTS (near_max), 50);
      return;
    }
  run_with_watchdog ();
}

static void
test_tiny_range (void)
{
  if (g_test_subprocess ())
    {
      static const double near5[] = { 5.0, 5.0 + 1e-15, 5.0 - 1e-15, 5.0 + 2e-15 };
      static const double near0[] = { 1e-15, 2e-15, 0.0, 1.5e-15 };
      static const double near1e6[] = { 1e6, 1e6 + 1e-9, 1e6 - 1e-9 };
      static const char *const flat_names[] = { "tiny-6.2", "tiny-5", "tiny-1e6" };
      static const double near6[] = { 6.2, 6.2 + 1e-15, 6.2 - 1e-15, 6.2 + 3e-15 };
      /* A range narrower than about 2e-305 was not drawn (neither the line
       * nor the grid; the export reported success). */
      static const double subnormal[] = { 0.0, 1e-305, 5e-306, 2e-306 };
      static const double tiny_values[] = { 1e-300, 3e-300, 2e-300 };
      static const double smallest[] = { 0.0, 1e-320, 5e-324, 2e-320 };

      assert_series_draws ("tiny-6.2", near6, G_N_ELEMENTS (near6), 10);
      assert_series_draws ("tiny-5", near5, G_N_ELEMENTS (near5), 10);
      assert_series_draws ("tiny-0", near0, G_N_ELEMENTS (near0), 10);
      assert_series_draws ("tiny-1e6", near1e6, G_N_ELEMENTS (near1e6), 10);
      assert_series_draws ("tiny-1e-305", subnormal, G_N_ELEMENTS (subnormal), 10);
      assert_series_draws ("tiny-1e-300", tiny_values, G_N_ELEMENTS (tiny_values), 10);
      assert_series_draws ("tiny-subnormal", smallest, G_N_ELEMENTS (smallest), 10);
      /* Rounding noise is no variation: each of these is a flat line. */
      for (guint i = 0; i < G_N_ELEMENTS (flat_names); i++)
        {
          g_autofree char *file = g_strdup_printf ("%s-linear.png", flat_names[i]);
          g_autofree char *path = tmp_path (file);
          double fraction = rmse_band_fraction (path);

          if (fraction < 0.6)
            g_error ("%s: the RMSE line spreads over the plot (%.2f in one band)", path, fraction);
        }
      return;
    }
  run_with_watchdog ();
}

/* ---- /plot/quiet ------------------------------------------------------------------------ */

/* PLplot must not write to stdout or stderr while drawing, in any mode. */
static void
test_quiet (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(Co2sMetricsHistory) history = make_history (2000);
      g_autofree char *path = tmp_path ("quiet.svg");
      g_autoptr(GError) error = NULL;
      Co2sRmsePlotOptions options;

      co2s_rmse_plot_options_init (&options);
      for (int i = 0; i < 8; i++)
        {
          options.log_y = i & 1;
          options.show_fit = (i >> 1) & 1;
          options.last_n = (i >> 2) & 1 ? 50 : 0;
          g_assert_true (co2s_rmse_plot_export (history, &options, path, 500, 300, &error));
        }
      g_assert_true (co2s_rmse_plot_export (NULL, &options, path, 500, 300, &error));
      g_assert_no_error (error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

/* ---- /plot/quantity -------------------------------------------------------------- */

/* Lag rises to 5,000 and falls to 0; batches of 100 rows every 20 ms
 * (5,000 rows/s), then every 5 ms (20,000 rows/s) from batch 500. */
static Co2sMetricsHistory *
make_flow_history (guint n)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  gint64 t = T0;

  for (guint i = 1; i <= n; i++)
    {
      Co2sBatchMetrics m = { 0 };

      t += i < 500 ? 20000 : 5000;
      m.batch = i;
      m.rows = 100;
      m.rows_seen = i * 100ull;
      m.rmse = 5.0;
      m.timestamp_us = t;
      m.lag = i == 3 ? -1 : (gint64) (5000.0 * sin (G_PI * i / n));
      co2s_metrics_history_append (history, &m);
    }
  return history;
}

/* Lag and throughput draw one series each from the history's columns, on
 * the same batch axis; the RMSE's companions are not drawn for them. */
static void
test_quantity_draws (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_flow_history (1000);
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 500);
  cairo_t *cr = cairo_create (surface);
  const double *lag, *rate;
  Co2sRmsePlotOptions options;
  guint n;

  lag = co2s_metrics_history_get_lag_column (history, &n);
  g_assert_cmpuint (n, ==, 1000);
  g_assert_true (isnan (lag[2]));    /* -1: unknown */
  g_assert_cmpfloat (lag[499], ==, (double) (gint64) (5000.0 * sin (G_PI * 500 / 1000)));
  rate = co2s_metrics_history_get_rate_column (history, &n);
  g_assert_true (isnan (rate[0]));
  g_assert_cmpfloat_with_epsilon (rate[100], 5000.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rate[900], 20000.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rate[999], co2s_metrics_history_get_rows_per_second (history), 1e-9);

  co2s_rmse_plot_options_init (&options);
  options.show_fit = TRUE;
  for (Co2sPlotQuantity q = CO2S_PLOT_QUANTITY_RMSE; q <= CO2S_PLOT_QUANTITY_THROUGHPUT; q++)
    {
      gsize all;

      options.quantity = q;
      options.no_decimation = TRUE;
      co2s_rmse_plot_draw (plot, cr, 800, 500, &options);
      all = co2s_rmse_plot_get_last_point_count (plot);
      /* RMSE: the RMSE, the fit, the rolling mean; lag: one value unknown;
       * throughput: none at the first batch. */
      g_assert_cmpuint (all, ==, q == CO2S_PLOT_QUANTITY_RMSE ? 3 * 1000 : 999);
      options.no_decimation = FALSE;
      co2s_rmse_plot_draw (plot, cr, 800, 500, &options);
      g_assert_cmpuint (co2s_rmse_plot_get_last_point_count (plot), >, 0);
      g_assert_cmpuint (co2s_rmse_plot_get_last_point_count (plot), <=, all);
    }
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  /* The rate follows a new rate window. */
  co2s_metrics_history_set_rate_window (history, 1);
  rate = co2s_metrics_history_get_rate_column (history, NULL);
  g_assert_cmpfloat_with_epsilon (rate[499], 100.0 / 0.005, 1e-6);
}

/* Each quantity exports its own picture, and says what it shows. */
static void
test_quantity_export_and_describe (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_flow_history (400);
  g_autoptr(Co2sMetricsHistory) empty = co2s_metrics_history_new ();
  g_autofree char *rmse_path = tmp_path ("q-rmse.svg");
  g_autofree char *lag_path = tmp_path ("q-lag.svg");
  g_autofree char *rmse_svg = NULL;
  g_autofree char *lag_svg = NULL;
  g_autofree char *lag_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *none = NULL;
  g_autoptr(GError) error = NULL;
  Co2sRmsePlotOptions options;

  co2s_rmse_plot_options_init (&options);
  g_assert_true (co2s_rmse_plot_export (history, &options, rmse_path, 640, 400, &error));
  options.quantity = CO2S_PLOT_QUANTITY_LAG;
  g_assert_true (co2s_rmse_plot_export (history, &options, lag_path, 640, 400, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (rmse_path, &rmse_svg, NULL, NULL));
  g_assert_true (g_file_get_contents (lag_path, &lag_svg, NULL, NULL));
  g_assert_cmpstr (rmse_svg, !=, lag_svg);

  lag_text = co2s_rmse_plot_describe_quantity (history, CO2S_PLOT_QUANTITY_LAG);
  g_assert_cmpstr (lag_text, ==, "Consumer lag 0 messages at batch 400; highest 5000 at batch 200.");
  rate_text = co2s_rmse_plot_describe_quantity (history, CO2S_PLOT_QUANTITY_THROUGHPUT);
  g_assert_cmpstr (rate_text, ==, "Learning 5000 rows per second at batch 400.");
  none = co2s_rmse_plot_describe_quantity (empty, CO2S_PLOT_QUANTITY_LAG);
  g_assert_cmpstr (none, ==, "No batches yet.");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* Numbers follow LC_NUMERIC; the expected strings below are for C. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("co2s-plot-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/plot/export/png", test_export_png);
  g_test_add_func ("/plot/export/svg", test_export_svg);
  g_test_add_func ("/plot/export/pdf", test_export_pdf);
  g_test_add_func ("/plot/export/bad-extension", test_export_bad_extension);
  g_test_add_func ("/plot/export/async", test_export_async);
  g_test_add_func ("/plot/export/async-cancel", test_export_async_cancel);
  g_test_add_func ("/plot/accessible-description", test_accessible_description);
  g_test_add_func ("/plot/palette-contrast", test_palette_contrast);
  g_test_add_func ("/plot/decimated-draw", test_decimated_draw);
  g_test_add_func ("/plot/edge-cases", test_edge_cases);
  g_test_add_func ("/plot/quiet", test_quiet);
  g_test_add_func ("/plot/constant-series-finishes", test_constant_series_finishes);
  g_test_add_func ("/plot/huge-values", test_huge_values);
  g_test_add_func ("/plot/tiny-range", test_tiny_range);
  g_test_add_func ("/plot/quantity/draws", test_quantity_draws);
  g_test_add_func ("/plot/quantity/export-and-describe", test_quantity_export_and_describe);

  ret = g_test_run ();

  if (g_getenv ("CO2S_TEST_KEEP_TMP") == NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *p = g_build_filename (tmpdir, name, NULL);

          g_remove (p);
        }
      g_rmdir (tmpdir);
    }
  g_free (tmpdir);
  return ret;
}
