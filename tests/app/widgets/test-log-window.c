/* test-log-window.c — Co2sLogWindow under Xvfb: the service's lines in the
 * list, the empty state, following new lines only while at the bottom,
 * Copy All through the real clipboard, Save to a file, and the keyboard
 * shortcuts (Escape / Ctrl+W close, Ctrl+S save, Ctrl+Shift+C copy). */
#define G_LOG_DOMAIN "test-log-window"

#include <glib/gstdio.h>
#include <string.h>

#include "app-widgets-test-util.h"
#include "co2s-log-window.h"

static Co2sLogWindow *
show_log (Co2sService *service)
{
  GtkWidget *window = co2s_log_window_new (service);

  gtk_window_present (GTK_WINDOW (window));
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, window, 5000);
  g_assert_true (co2s_test_gtk_wait_frames (window, 1, 5000));

  return CO2S_LOG_WINDOW (window);
}

static void
append_lines (Co2sService *service, guint from, guint to)
{
  for (guint i = from; i <= to; i++)
    {
      /* Every seventh line wraps: rows of different heights. */
      g_autofree char *line = g_strdup_printf ("line %u of the trainer's output%s", i,
                                               i % 7 == 0 ? ", with a long explanation that goes on "
                                               "well past the width of the window so that it has to "
                                               "wrap onto a second and maybe a third row of text" : "");

      co2s_service_append_log (service, line, i % 5 == 0);
    }
}

static GtkListView *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return GTK_LIST_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkListView *found = find_list_view (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct {
  GtkWidget *empty_title;
  GtkListView *list_view;
  const char *label;
} LinesWait;

/* The list, not the empty state, is shown, with a row labelled @label. */
static gboolean
list_shows (gpointer data)
{
  LinesWait *w = data;

  return !gtk_widget_get_mapped (w->empty_title) && gtk_widget_get_mapped (GTK_WIDGET (w->list_view)) &&
         aw_find_label (GTK_WIDGET (w->list_view), w->label) != NULL;
}

static void
test_lines (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  Co2sLogWindow *window = show_log (service);
  GtkWidget *empty_title = aw_find_label (GTK_WIDGET (window), "No Output Yet");
  GtkListView *list_view = find_list_view (GTK_WIDGET (window));
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Trainer Log");
  g_assert_nonnull (empty_title);
  g_assert_true (gtk_widget_get_mapped (empty_title));
  g_assert_nonnull (list_view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))), ==, 0);

  append_lines (service, 1, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))), ==, 3);
  co2s_test_assert_wait (list_shows, &((LinesWait) { empty_title, list_view, "line 2 of the trainer's output" }),
                         3000);

  text = co2s_log_window_dup_text (window);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *suffix = g_strdup_printf ("  line %u of the trainer's output", i + 1);

      /* "HH:MM:SS  text" */
      g_assert_cmpuint (strlen (lines[i]), >, 8);
      g_assert_true (lines[i][2] == ':' && lines[i][5] == ':');
      g_assert_true (g_str_has_suffix (lines[i], suffix));
    }

  /* The log buffer's limit drops old lines: the view follows. */
  co2s_service_set_log_limit (service, 2);
  append_lines (service, 4, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  Co2sLogWindow *window;
  GtkAdjustment *adjustment;
} ScrollWait;

static gboolean
at_bottom (gpointer data)
{
  ScrollWait *w = data;
  double value = gtk_adjustment_get_value (w->adjustment);
  double upper = gtk_adjustment_get_upper (w->adjustment);
  double page = gtk_adjustment_get_page_size (w->adjustment);

  return upper > page && value + page >= upper - 1.0;
}

/* Scrolled up: far from the end (the list may re-estimate row heights by
 * a few pixels, but stays near the top). */
static gboolean
near_top (gpointer data)
{
  ScrollWait *w = data;

  return gtk_adjustment_get_value (w->adjustment) < gtk_adjustment_get_page_size (w->adjustment) / 2 &&
         !at_bottom (w);
}

static void
test_autoscroll (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("producer", "Producer");
  Co2sLogWindow *window;
  ScrollWait w;

  append_lines (service, 1, 300);
  window = show_log (service);
  w.window = window;
  w.adjustment = gtk_scrolled_window_get_vadjustment (co2s_log_window_get_scrolled_window (window));

  /* Opened at the newest line. */
  co2s_test_assert_wait (at_bottom, &w, 3000);
  g_assert_true (co2s_log_window_get_following (window));

  /* New lines: still at the bottom. */
  append_lines (service, 301, 350);
  co2s_test_assert_wait (at_bottom, &w, 3000);
  /* Still there once the list re-measured the new rows over a few frames
   * (it may leave the bottom for a moment meanwhile). */
  g_assert_true (co2s_test_gtk_wait_frames (GTK_WIDGET (window), 5, 30000));
  co2s_test_assert_wait (at_bottom, &w, 3000);
  g_assert_true (co2s_log_window_get_following (window));

  /* The user scrolls up: new lines do not move the view. */
  gtk_adjustment_set_value (w.adjustment, 0.0);
  g_assert_false (co2s_log_window_get_following (window));
  append_lines (service, 351, 400);
  co2s_test_assert_stays (near_top, &w, 300);
  g_assert_false (co2s_log_window_get_following (window));

  /* Back at the bottom: following again. */
  gtk_adjustment_set_value (w.adjustment,
                            gtk_adjustment_get_upper (w.adjustment) - gtk_adjustment_get_page_size (w.adjustment));
  g_assert_true (co2s_log_window_get_following (window));
  append_lines (service, 401, 420);
  co2s_test_assert_wait (at_bottom, &w, 3000);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  char *text;
  gboolean done;
} ReadText;

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadText *r = user_data;
  g_autoptr(GError) error = NULL;

  r->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static gboolean
read_done (gpointer data)
{
  return ((ReadText *) data)->done;
}

static void
test_copy_all (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("api", "API");
  Co2sLogWindow *window;
  g_autofree char *expected = NULL;
  ReadText r = { NULL, FALSE };

  append_lines (service, 1, 25);
  window = show_log (service);
  expected = co2s_log_window_dup_text (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "log.copy-all", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (window)), NULL, read_text_cb, &r);
  co2s_test_assert_wait (read_done, &r, 5000);
  g_assert_cmpstr (r.text, ==, expected);
  g_assert_nonnull (aw_find_label (GTK_WIDGET (window), "25 lines copied"));

  g_free (r.text);
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} SaveResult;

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SaveResult *r = user_data;

  r->ok = co2s_log_window_save_finish (CO2S_LOG_WINDOW (object), result, &r->error);
  r->done = TRUE;
}

static gboolean
save_done (gpointer data)
{
  return ((SaveResult *) data)->done;
}

static void
test_save (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("broker", "Broker");
  g_autofree char *dir = g_dir_make_tmp ("app-widgets-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "broker.log", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "broker.log", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;
  SaveResult r = { FALSE, FALSE, NULL };
  Co2sLogWindow *window;

  append_lines (service, 1, 40);
  co2s_service_append_log (service, "stderr: ünïcödé and a tab\there", TRUE);
  window = show_log (service);
  expected = co2s_log_window_dup_text (window);

  co2s_log_window_save_async (window, file, NULL, save_cb, &r);
  co2s_test_assert_wait (save_done, &r, 5000);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  /* A folder that does not exist: an error, no crash. */
  r.done = FALSE;
  co2s_log_window_save_async (window, bad_file, NULL, save_cb, &r);
  co2s_test_assert_wait (save_done, &r, 5000);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&r.error);

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

/* The action a window shortcut triggered by @accel runs ("" if none). */
static char *
shortcut_action (GtkWidget  *widget,
                 const char *accel)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint key;
  GdkModifierType mods;

  g_assert_true (gtk_accelerator_parse (accel, &key, &mods));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          g_autoptr(GtkShortcutTrigger) wanted = GTK_SHORTCUT_TRIGGER (gtk_keyval_trigger_new (key, mods));

          if (gtk_shortcut_trigger_equal (trigger, wanted))
            return gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
        }
    }

  return g_strdup ("");
}

static void
test_shortcuts (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  Co2sLogWindow *window;
  g_autofree char *escape = NULL;
  g_autofree char *ctrl_w = NULL;
  g_autofree char *ctrl_s = NULL;
  g_autofree char *copy = NULL;

  append_lines (service, 1, 3);
  window = show_log (service);

  escape = shortcut_action (GTK_WIDGET (window), "Escape");
  ctrl_w = shortcut_action (GTK_WIDGET (window), "<Control>w");
  ctrl_s = shortcut_action (GTK_WIDGET (window), "<Control>s");
  copy = shortcut_action (GTK_WIDGET (window), "<Control><Shift>c");
  g_assert_cmpstr (escape, ==, "action(window.close)");
  g_assert_cmpstr (ctrl_w, ==, "action(window.close)");
  g_assert_cmpstr (ctrl_s, ==, "action(log.save)");
  g_assert_cmpstr (copy, ==, "action(log.copy-all)");

  /* What Escape runs closes the window. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "window.close", NULL));
  co2s_test_assert_wait (co2s_test_pointer_cleared, &window, 2000);
}

int
main (int argc, char **argv)
{
  aw_test_init (&argc, &argv);

  g_test_add_func ("/app-widgets/log-window/lines", test_lines);
  g_test_add_func ("/app-widgets/log-window/autoscroll", test_autoscroll);
  g_test_add_func ("/app-widgets/log-window/copy-all", test_copy_all);
  g_test_add_func ("/app-widgets/log-window/save", test_save);
  g_test_add_func ("/app-widgets/log-window/shortcuts", test_shortcuts);

  return g_test_run ();
}
