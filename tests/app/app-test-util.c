/* app-test-util.c — helpers of the desktop app's tests. */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "app-test"

#include "app-test-util.h"

#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "co2s-app-config.h"
#include "co2s-rmse-plot.h"
#include "co2s-service.h"

static GSubprocess *xvfb;
static GTestDBus *test_bus;

/* At exit: the bus first (g_test_dbus_stop does not iterate the main
 * context, so GTK never sees the X server go away), then Xvfb. */
static void
stop_display (void)
{
  if (test_bus != NULL)
    {
      /* Neither unreffed (its dispose would wait for GTK's connection to
       * go) nor forgotten: still referenced here, it is no leak. */
      g_test_dbus_stop (test_bus);
    }
  if (xvfb != NULL)
    {
      g_subprocess_send_signal (xvfb, SIGTERM);
      g_subprocess_wait (xvfb, NULL, NULL);
      g_clear_object (&xvfb);
    }
}

void
app_test_start_display (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xvfb_path = g_find_program_in_path ("Xvfb");
  char buf[32] = { 0 };
  gsize len = 0;
  int fds[2];
  gint64 deadline;

  /* The pipeline programs the app starts log with g_warning. */
  co2s_test_children_fatal_criticals ();

  /* First: g_test_dbus_up() unsets DISPLAY. */
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  if (g_test_dbus_get_bus_address (test_bus) == NULL)
    g_error ("cannot start a private D-Bus session bus (is dbus-daemon installed?)");

  if (xvfb_path == NULL)
    g_error ("Xvfb is not installed (Debian: apt install xvfb); the GUI tests need it");
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("pipe: %s", error->message);

  /* Children of this launcher die with the test (PR_SET_PDEATHSIG). */
  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, xvfb_path, "-displayfd", "3",
                                      "-screen", "0", "1280x820x24", "-nolisten", "tcp",
                                      "-noreset", NULL);
  if (xvfb == NULL)
    g_error ("cannot start Xvfb: %s", error->message);
  g_clear_object (&launcher); /* closes our copy of the write end */

  /* Xvfb writes the display number once it accepts connections. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (len == 0 || buf[len - 1] != '\n')
    {
      ssize_t n;

      if (g_get_monotonic_time () > deadline)
        g_error ("Xvfb did not report its display within 20 s");
      n = read (fds[0], buf + len, sizeof buf - 1 - len);
      if (n <= 0)
        g_error ("Xvfb exited before reporting its display");
      len += n;
    }
  close (fds[0]);
  g_strstrip (buf);

  {
    g_autofree char *display = g_strdup_printf (":%s", buf);

    g_setenv ("DISPLAY", display, TRUE);
  }
  g_unsetenv ("WAYLAND_DISPLAY");
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);


  atexit (stop_display);
}

Co2sApplication *
app_test_new_app (Co2sWindow **window)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("io.github.co2stream.Co2stream.Test%d", (int) getpid ());
  Co2sApplication *app = co2s_application_new (id, G_APPLICATION_NON_UNIQUE);
  GList *windows;

  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_application_activate (G_APPLICATION (app));

  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  g_assert_nonnull (windows);
  g_assert_true (CO2S_IS_WINDOW (windows->data));
  if (window != NULL)
    *window = CO2S_WINDOW (windows->data);

  return app;
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *out)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (out, (gpointer) gtk_label_get_label (GTK_LABEL (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

GPtrArray *
app_test_collect_labels (GtkWidget *root)
{
  GPtrArray *out = g_ptr_array_new ();

  collect_labels (root, out);
  return out;
}

gboolean
app_test_has_label (GtkWidget *root,
                    const char *text)
{
  g_autoptr(GPtrArray) labels = app_test_collect_labels (root);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (g_ptr_array_index (labels, i), text) == 0)
      return TRUE;

  return FALSE;
}

GtkWidget *
app_test_find_widget (GtkWidget *root,
                      GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = app_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
app_test_find_row (GtkWidget *root,
                   const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = app_test_find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
app_test_has_label_containing (GtkWidget *root,
                               const char *text)
{
  g_autoptr(GPtrArray) labels = app_test_collect_labels (root);

  for (guint i = 0; i < labels->len; i++)
    if (strstr (g_ptr_array_index (labels, i), text) != NULL)
      return TRUE;

  return FALSE;
}

char *
app_test_dataset_path (void)
{
  const char *env = g_getenv ("CO2S_DATASET");
  const char *source = g_getenv ("CO2S_SOURCE_DIR");
  g_autofree char *in_tree = NULL;

  if (env != NULL && env[0] != '\0')
    {
      if (!g_file_test (env, G_FILE_TEST_IS_REGULAR))
        g_error ("CO2S_DATASET=%s does not exist", env);
      return g_strdup (env);
    }

  g_assert_nonnull (source);
  in_tree = g_build_filename (source, "data", "co2_processed.csv", NULL);
  if (!g_file_test (in_tree, G_FILE_TEST_IS_REGULAR))
    g_error ("the data set is missing: set CO2S_DATASET or put it at %s (see data/README.md)", in_tree);

  return g_steal_pointer (&in_tree);
}

/* ---- the app's state ------------------------------------------------------- */

void
app_test_configure_pipeline (Co2sApplication *app,
                             const char *dataset,
                             const char *model_dir)
{
  GSettings *settings;

  g_return_if_fail (CO2S_IS_APPLICATION (app));
  g_return_if_fail (dataset != NULL);
  g_return_if_fail (model_dir != NULL);

  settings = co2s_application_get_settings (app);
  g_settings_set_string (settings, "dataset", dataset);
  g_settings_set_string (settings, "model-dir", model_dir);
  /* The embedded broker: light (no JVM), in memory. */
  g_settings_set_enum (settings, "broker", CO2S_BROKER_EMBEDDED);
  g_settings_set_string (settings, "broker-address", "");
  g_settings_set_enum (settings, "backend", CO2S_BACKEND_LOCAL);
  /* Fast enough for a short test, slow enough to see batches arrive one
   * by one: 5 batches of 100 rows per second. */
  g_settings_set_double (settings, "api-rate", 500);
  g_settings_set_uint (settings, "batch-rows", 100);
  g_settings_set_string (settings, "algo", "ls");
}

static Co2sApplication *
default_app (void)
{
  GApplication *app = g_application_get_default ();

  g_assert_true (CO2S_IS_APPLICATION (app));
  return CO2S_APPLICATION (app);
}

gboolean
app_test_pipeline_is (gpointer state)
{
  return (int) co2s_application_get_pipeline_state (default_app ()) == GPOINTER_TO_INT (state);
}

gboolean
app_test_dataset_missing_is (gpointer missing)
{
  return co2s_application_get_dataset_missing (default_app ()) == GPOINTER_TO_INT (missing);
}

void
app_test_dump_services (Co2sApplication *app)
{
  Co2sSupervisor *supervisor = co2s_application_get_supervisor (app);

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (supervisor, i);

      g_printerr ("  %s: %s — %s (last line: %s)\n", co2s_service_get_name (service),
                  co2s_service_state_to_label (co2s_service_get_state (service)),
                  co2s_service_get_message (service) ? co2s_service_get_message (service) : "",
                  co2s_service_get_last_line (service) ? co2s_service_get_last_line (service) : "");
    }
  if (co2s_application_get_last_error (app) != NULL)
    g_printerr ("  last error: %s\n", co2s_application_get_last_error (app));
}

static gboolean
running_or_failed (gpointer data)
{
  Co2sPipelineState state = co2s_application_get_pipeline_state (data);

  return state == CO2S_PIPELINE_RUNNING || state == CO2S_PIPELINE_FAILED;
}

void
app_test_start_pipeline (Co2sApplication *app,
                         guint timeout_ms,
                         const char *where)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "start"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "start", NULL);
  if (!co2s_test_wait_until (running_or_failed, app, timeout_ms) ||
      co2s_application_get_pipeline_state (app) != CO2S_PIPELINE_RUNNING)
    {
      app_test_dump_services (app);
      g_error ("the pipeline did not reach Running%s within %u s", where, timeout_ms / 1000);
    }
}

/* ---- windows and accessibility ---------------------------------------------- */

GtkWindow *
app_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

gboolean
app_test_toplevel_mapped (gpointer type)
{
  GtkWindow *window = app_test_find_toplevel (GPOINTER_TO_SIZE (type));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
         gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* Controls a person operates: each needs a name a screen reader can say. */
static gboolean
is_control (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* The inner buttons of composite controls are named by their parent. */
  if (parent != NULL && (GTK_IS_SPIN_BUTTON (parent) || GTK_IS_DROP_DOWN (parent) ||
                         GTK_IS_MENU_BUTTON (parent) || ADW_IS_COMBO_ROW (parent)))
    return FALSE;
  for (GtkWidget *w = parent; w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_SPIN_BUTTON (w) || GTK_IS_DROP_DOWN (w) || GTK_IS_MENU_BUTTON (w) || GTK_IS_POPOVER (w) ||
        ADW_IS_COMBO_ROW (w))
      return FALSE;

  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
         GTK_IS_ENTRY (widget) || ADW_IS_COMBO_ROW (widget) || ADW_IS_ENTRY_ROW (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GPtrArray *out)
{
  if (gtk_widget_get_visible (widget) && is_control (widget) && !has_accessible_name (widget))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      g_ptr_array_add (out, g_strdup_printf ("%s (tooltip: %s, css name: %s)", G_OBJECT_TYPE_NAME (widget),
                                             tooltip ? tooltip : "none", gtk_widget_get_css_name (widget)));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, out);
}

void
app_test_assert_all_named (GtkWidget *root)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);

  collect_unnamed (root, unnamed);
  for (guint i = 0; i < unnamed->len; i++)
    g_printerr ("%s: no accessible name: %s\n", G_OBJECT_TYPE_NAME (root), (char *) g_ptr_array_index (unnamed, i));
  g_assert_cmpuint (unnamed->len, ==, 0);
}

static void
collect_mnemonics (GtkWidget *widget,
                   GHashTable *seen,
                   GPtrArray *clashes)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)))
    {
      guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)));
      const char *text = gtk_label_get_label (GTK_LABEL (widget));
      GtkWidget *other;

      if (key != GDK_KEY_VoidSymbol)
        {
          other = g_hash_table_lookup (seen, GUINT_TO_POINTER (key));
          /* An entry row shows its title twice (floating label): one control. */
          if (other != NULL &&
              (gtk_widget_get_ancestor (other, ADW_TYPE_ENTRY_ROW) == NULL ||
               gtk_widget_get_ancestor (other, ADW_TYPE_ENTRY_ROW) !=
               gtk_widget_get_ancestor (widget, ADW_TYPE_ENTRY_ROW)))
            g_ptr_array_add (clashes, g_strdup_printf ("“%s” and “%s”", gtk_label_get_label (GTK_LABEL (other)),
                                                       text));
          else if (other == NULL)
            g_hash_table_insert (seen, GUINT_TO_POINTER (key), widget);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, seen, clashes);
}

void
app_test_assert_mnemonics_unique (GtkWidget *root)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) clashes = g_ptr_array_new_with_free_func (g_free);

  collect_mnemonics (root, seen, clashes);
  for (guint i = 0; i < clashes->len; i++)
    g_printerr ("%s: same mnemonic key: %s\n", G_OBJECT_TYPE_NAME (root), (char *) g_ptr_array_index (clashes, i));
  g_assert_cmpuint (clashes->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (seen), >=, 3);
}

/* ---- exported files --------------------------------------------------------- */

static gboolean
near_colour (const guchar *p,
             const Co2sRgb *c,
             int tolerance)
{
  return abs (p[0] - (int) lround (c->r * 255)) <= tolerance &&
         abs (p[1] - (int) lround (c->g * 255)) <= tolerance &&
         abs (p[2] - (int) lround (c->b * 255)) <= tolerance;
}

/* A drawn plot: many pixels differ from the background, and the RMSE line
 * (its colour in the light palette) is there. */
static void
assert_pixbuf_plot (GdkPixbuf *pixbuf,
                    const char *path)
{
  Co2sRmsePlotPalette palette;
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  const guchar *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint64 not_background = 0;
  guint64 rmse_pixels = 0;

  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guchar *p = pixels + y * stride + x * n_channels;

        if (n_channels == 4 && p[3] < 128)
          continue;
        if (!near_colour (p, &palette.background, 8))
          not_background++;
        if (near_colour (p, &palette.rmse, 24))
          rmse_pixels++;
      }

  g_test_message ("%s: %dx%d, %" G_GUINT64_FORMAT " drawn pixels, %" G_GUINT64_FORMAT " of the RMSE colour",
                  path, w, h, not_background, rmse_pixels);
  g_assert_cmpuint (not_background, >, (guint64) w * h / 100);
  g_assert_cmpuint (rmse_pixels, >, 100);
}

/* The stroke colours ("r g b RG") of every content stream of a cairo PDF
 * (zlib-compressed), and the number of line segments drawn. */
static void
assert_pdf_plot (const char *data,
                 gsize len,
                 const char *path)
{
  Co2sRmsePlotPalette palette;
  const char *p = data;
  const char *end = data + len;
  guint64 segments = 0;
  gboolean rmse_colour = FALSE;

  g_assert_true (len > 5 && memcmp (data, "%PDF-", 5) == 0);
  g_assert_nonnull (memmem (data, len, "%%EOF", 5));
  co2s_rmse_plot_get_palette (CO2S_PLOT_STYLE_LIGHT, &palette);

  while ((p = memmem (p, end - p, "stream", 6)) != NULL)
    {
      const char *start = p + strlen ("stream");
      const char *stop;
      g_autoptr(GConverter) zlib = NULL;
      g_autoptr(GInputStream) raw = NULL;
      g_autoptr(GInputStream) inflated = NULL;
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (p > data && p[-1] == 'd') /* "endstream" */
        {
          p = start;
          continue;
        }
      if (*start == '\r')
        start++;
      if (*start == '\n')
        start++;
      stop = memmem (start, end - start, "endstream", 9);
      if (stop == NULL)
        break;
      p = stop + strlen ("endstream");

      zlib = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
      raw = g_memory_input_stream_new_from_data (start, stop - start, NULL);
      inflated = g_converter_input_stream_new (raw, zlib);
      if (g_output_stream_splice (out, inflated, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL) < 0)
        continue; /* not a zlib stream (e.g. a font) */
      g_output_stream_write (out, "", 1, NULL, NULL);
      text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

      lines = g_strsplit_set (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) words = g_strsplit (g_strstrip (lines[i]), " ", -1);
          guint n = g_strv_length (words);

          for (guint w = 0; w < n; w++)
            {
              if (g_str_equal (words[w], "l"))
                segments++;
              if (g_str_equal (words[w], "RG") && w >= 3)
                {
                  double r = g_ascii_strtod (words[w - 3], NULL);
                  double g = g_ascii_strtod (words[w - 2], NULL);
                  double b = g_ascii_strtod (words[w - 1], NULL);

                  if (fabs (r - palette.rmse.r) < 0.01 && fabs (g - palette.rmse.g) < 0.01 &&
                      fabs (b - palette.rmse.b) < 0.01)
                    rmse_colour = TRUE;
                }
            }
        }
    }

  g_test_message ("%s: %" G_GUINT64_FORMAT " line segments, RMSE colour %s", path, segments,
                  rmse_colour ? "found" : "missing");
  g_assert_cmpuint (segments, >, 20);
  g_assert_true (rmse_colour);
}

void
app_test_assert_plot_file (const char *path,
                           int width,
                           int height)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("%s", error->message);
  g_assert_cmpuint (len, >, 1000);

  if (g_str_has_suffix (lower, ".png"))
    {
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);

      g_assert_no_error (error);
      g_assert_true (memcmp (data, "\x89PNG", 4) == 0);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
      g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
      assert_pixbuf_plot (pixbuf, path);
    }
  else if (g_str_has_suffix (lower, ".svg"))
    {
      g_autoptr(GdkPixbuf) pixbuf = NULL;

      g_assert_nonnull (memmem (data, len, "<svg", 4));
      /* librsvg, through gdk-pixbuf, proves it is well-formed SVG. */
      pixbuf = gdk_pixbuf_new_from_file_at_size (path, width, height, &error);
      g_assert_no_error (error);
      assert_pixbuf_plot (pixbuf, path);
    }
  else if (g_str_has_suffix (lower, ".pdf"))
    {
      assert_pdf_plot (data, len, path);
    }
  else
    {
      g_assert_not_reached ();
    }
}

void
app_test_session_open (AppTestSession *session)
{
  session->tmp_dir = co2s_test_tmpdir ();
  session->dataset = app_test_dataset_path ();
  session->model_dir = g_build_filename (session->tmp_dir, "models", NULL);
  session->app = app_test_new_app (&session->window);
  session->plot = CO2S_PLOT_VIEW (app_test_find_widget (GTK_WIDGET (session->window), CO2S_TYPE_PLOT_VIEW));
  session->kpis = CO2S_KPI_PANEL (app_test_find_widget (GTK_WIDGET (session->window), CO2S_TYPE_KPI_PANEL));
  app_test_configure_pipeline (session->app, session->dataset, session->model_dir);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, session->window, 10000);
}

void
app_test_session_close (AppTestSession *session)
{
  if (co2s_supervisor_get_active (co2s_application_get_supervisor (session->app)))
    {
      g_action_group_activate_action (G_ACTION_GROUP (session->app), "stop", NULL);
      co2s_test_wait_until (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 15000);
    }
  g_clear_object (&session->app);
  g_clear_pointer (&session->dataset, g_free);
  g_clear_pointer (&session->model_dir, g_free);
  g_clear_pointer (&session->tmp_dir, g_free);
}

int
app_test_session_main (int *argc, char ***argv, AppTestSession *session, const AppTestCase *cases, gsize n_cases)
{
  int status;

  g_return_val_if_fail (argc != NULL && argv != NULL && session != NULL, 1);
  g_return_val_if_fail (cases != NULL || n_cases == 0, 1);

  co2s_app_init_i18n ();
  g_test_init (argc, argv, NULL);
  app_test_start_display ();

  app_test_session_open (session);
  for (gsize i = 0; i < n_cases; i++)
    g_test_add_func (cases[i].path, cases[i].func);

  status = g_test_run ();

  app_test_session_close (session);
  return status;
}
