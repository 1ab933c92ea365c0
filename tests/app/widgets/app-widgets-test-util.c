/* app-widgets-test-util.c — see app-widgets-test-util.h. */
#define G_LOG_DOMAIN "app-widgets-test"

#include "app-widgets-test-util.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>

void
aw_test_init (int    *argc,
              char ***argv)
{
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display;

  g_test_init (argc, argv, NULL);

  /* Translations, for a look at another language by hand:
   * CO2S_TEST_LOCALEDIR=<dir with fr/LC_MESSAGES/co2stream.mo> LANGUAGE=fr. */
  setlocale (LC_ALL, "");
  if (g_getenv ("CO2S_TEST_LOCALEDIR") != NULL)
    {
      bindtextdomain ("co2stream", g_getenv ("CO2S_TEST_LOCALEDIR"));
      bind_textdomain_codeset ("co2stream", "UTF-8");
      textdomain ("co2stream");
    }

  if (!gtk_init_check ())
    g_error ("cannot open a display (DISPLAY=%s): run this test under xvfb-run (meson test does)",
             g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "(unset)");
  adw_init ();

  display = gdk_display_get_default ();
  g_assert_nonnull (display);
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/co2stream/Co2stream/widgets.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

void
aw_make_batch (Co2sBatchMetrics *m,
               guint64           i,
               guint64           n_total,
               gint64            spacing_us)
{
  double x = (double) i;

  memset (m, 0, sizeof *m);
  m->batch = i;
  m->rows = 100;
  m->rows_seen = i * 100;
  /* Decays like a model learning, with a deterministic wobble. */
  m->rmse = 6.0 + 34.0 * exp (-x / 25.0) + 1.5 * sin (x * 0.7);
  m->mae = m->rmse * 0.7;
  m->rmse_fit = m->rmse * 0.8;
  m->timestamp_us = g_get_real_time () - (gint64) (n_total - i) * spacing_us;
  m->lag = 42;
  m->latency_ms_p50 = 3.0;
  m->latency_ms_max = 9.0;
  g_strlcpy (m->algo, "ls", sizeof m->algo);
  m->dlq = 0;
}

void
aw_fill_history (Co2sMetricsHistory *history,
                 guint64             from,
                 guint64             to)
{
  g_autofree Co2sBatchMetrics *batches = NULL;
  guint n = (guint) (to - from + 1);

  g_assert_cmpuint (to, >=, from);
  batches = g_new0 (Co2sBatchMetrics, n);
  for (guint i = 0; i < n; i++)
    aw_make_batch (&batches[i], from + i, to, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, batches, n), ==, n);
}

static gboolean
window_ready (gpointer data)
{
  GtkWidget *child = data;

  return gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0;
}

GtkWindow *
aw_show_in_window (GtkWidget *child,
                   int        width,
                   int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  co2s_test_assert_wait (window_ready, child, 5000);
  g_assert_true (co2s_test_gtk_wait_frames (child, 1, 5000));

  return window;
}

GdkTexture *
aw_render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

void
aw_pixel_stats (GdkTexture   *texture,
                AwPixelStats *out)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  guint best_count = 0;
  double luma = 0;

  /* GDK_MEMORY_DEFAULT: B G R A premultiplied, little-endian ARGB32. */
  gdk_texture_download (texture, data, stride);

  memset (out, 0, sizeof *out);
  out->width = width;
  out->height = height;

  for (gsize p = 0; p < (gsize) width * height; p++)
    {
      const guchar *px = data + p * 4;
      guint32 rgb = ((guint32) px[2] << 16) | ((guint32) px[1] << 8) | px[0];
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (rgb + 1))) + 1;

      g_hash_table_insert (counts, GUINT_TO_POINTER (rgb + 1), GUINT_TO_POINTER (count));
      if (count > best_count)
        {
          best_count = count;
          out->background = rgb;
        }
      luma += 0.2126 * px[2] + 0.7152 * px[1] + 0.0722 * px[0];
    }
  out->mean_luma = luma / ((double) width * height);

  for (gsize p = 0; p < (gsize) width * height; p++)
    {
      const guchar *px = data + p * 4;
      int dr = abs ((int) px[2] - (int) ((out->background >> 16) & 0xff));
      int dg = abs ((int) px[1] - (int) ((out->background >> 8) & 0xff));
      int db = abs ((int) px[0] - (int) (out->background & 0xff));

      if (dr + dg + db > 24)
        out->non_background++;
    }
}

char *
aw_save_png (GdkTexture *texture,
             const char *name)
{
  const char *dir = g_getenv ("CO2S_SCREENSHOT_DIR");
  char *path = g_build_filename (dir != NULL ? dir : ".", name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return path;
}

guint64
aw_count_colour (GdkTexture *texture,
                 guint32     rgb,
                 int         tolerance)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  guint64 n = 0;

  gdk_texture_download (texture, data, stride);
  for (gsize p = 0; p < (gsize) width * height; p++)
    {
      const guchar *px = data + p * 4;
      int dr = abs ((int) px[2] - (int) ((rgb >> 16) & 0xff));
      int dg = abs ((int) px[1] - (int) ((rgb >> 8) & 0xff));
      int db = abs ((int) px[0] - (int) (rgb & 0xff));

      if (dr <= tolerance && dg <= tolerance && db <= tolerance)
        n++;
    }

  return n;
}

static GtkWidget *
find_label_in (GtkWidget  *widget,
               const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_in (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
aw_find_label (GtkWidget  *root,
               const char *text)
{
  return find_label_in (root, text);
}

guint64
aw_cpu_time_us (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);

  return (guint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec
         + (guint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}
