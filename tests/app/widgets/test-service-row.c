/* test-service-row.c — Co2sServiceRow under Xvfb, its Co2sService driven
 * through the service's backend API (the setters the supervisor uses) and
 * through a real Co2sSupervisor: state as icon + text + CSS class, the last
 * log line under the service's description, uptime and restarts, the
 * start/stop button, the broker's "Reset Data…", the log window and the
 * accessible names. */
#define G_LOG_DOMAIN "test-service-row"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "app-widgets-test-util.h"
#include "co2s-log-window.h"
#include "co2s-service-row.h"

static GtkWindow *
show_row (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);

  return aw_show_in_window (list, 700, 100);
}

/* The state icon: the visible child of the stack with class
 * "service-state-icon" (an image, or a spinner while starting). */
static GtkWidget *
find_state_child (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_widget_has_css_class (widget, "service-state-icon"))
    return gtk_stack_get_visible_child (GTK_STACK (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_state_child (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
state_icon_name (GtkWidget *row)
{
  GtkWidget *child = find_state_child (row);

  g_assert_nonnull (child);
  if (GTK_IS_SPINNER (child))
    return "(spinner)";
  g_assert_true (GTK_IS_IMAGE (child));

  return gtk_image_get_icon_name (GTK_IMAGE (child));
}

static void
assert_state (GtkWidget  *row,
              const char *text,
              const char *icon,
              const char *css)
{
  static const char * const classes[] = { "success", "warning", "error" };
  GtkWidget *label = aw_find_label (row, text);

  g_assert_cmpstr (co2s_service_row_get_state_text (CO2S_SERVICE_ROW (row)), ==, text);
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpstr (state_icon_name (row), ==, icon);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    g_assert_cmpint (gtk_widget_has_css_class (label, classes[i]), ==, g_strcmp0 (css, classes[i]) == 0);
}

static void
test_states (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Trainer");
  assert_state (row, "Stopped", "media-playback-stop-symbolic", NULL);
  g_assert_false (co2s_service_row_get_stops (CO2S_SERVICE_ROW (row)));

  co2s_service_set_state (service, CO2S_SERVICE_STATE_STARTING, "Waiting for Broker");
  assert_state (row, "Starting", "(spinner)", NULL);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Waiting for Broker");
  g_assert_true (co2s_service_row_get_stops (CO2S_SERVICE_ROW (row)));

  co2s_service_set_state (service, CO2S_SERVICE_STATE_RUNNING, NULL);
  assert_state (row, "Running", "emblem-ok-symbolic", "success");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Running");

  co2s_service_set_state (service, CO2S_SERVICE_STATE_UNHEALTHY, "Health check failing");
  assert_state (row, "Unhealthy", "dialog-warning-symbolic", "warning");

  /* Waiting for an automatic restart: a warning, not a spinner. */
  co2s_service_set_restart_delay (service, 2000);
  co2s_service_set_state (service, CO2S_SERVICE_STATE_STARTING, "Exited with status 1; restarting in 2 s");
  assert_state (row, "Starting", "view-refresh-symbolic", "warning");
  co2s_service_set_restart_delay (service, 0);

  co2s_service_set_state (service, CO2S_SERVICE_STATE_FAILED, "Program co2stream-trainer not found");
  assert_state (row, "Failed", "dialog-error-symbolic", "error");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Program co2stream-trainer not found");
  g_assert_false (co2s_service_row_get_stops (CO2S_SERVICE_ROW (row)));

  /* Not part of the configuration (external Kafka): said in words. */
  co2s_service_set_state (service, CO2S_SERVICE_STATE_STOPPED, NULL);
  co2s_service_set_enabled (service, FALSE);
  assert_state (row, "Not used", "action-unavailable-symbolic", NULL);

  gtk_window_destroy (window);
}

typedef struct {
  Co2sServiceRow *row;
  const char *text;
} DetailWait;

static gboolean
detail_differs (gpointer data)
{
  DetailWait *w = data;

  return g_strcmp0 (co2s_service_row_get_detail_text (w->row), w->text) != 0;
}

static void
test_subtitle_and_detail (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("api", "API");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);
  g_autofree char *first = NULL;
  DetailWait w;

  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "No output yet");
  g_assert_cmpstr (co2s_service_row_get_detail_text (CO2S_SERVICE_ROW (row)), ==, "");

  co2s_service_append_log (service, "listening on http://127.0.0.1:4242", FALSE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "listening on http://127.0.0.1:4242");
  /* Log lines are text, never markup (a markup error would be a fatal warning). */
  co2s_service_append_log (service, "<b>bad & broken</i> line", TRUE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "<b>bad & broken</i> line");
  /* GLib's log prefix (domain, level, time) is left to the log window. */
  co2s_service_append_log (service, "co2stream-api-Message: 10:33:32.967: client #1 connected", FALSE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "client #1 connected");
  co2s_service_append_log (service, "co2s-trainer-WARNING **: 10:33:33.001: offsets out of range", TRUE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "offsets out of range");
  co2s_service_append_log (service, "batch 3: 100 rows, rmse 6.21 g/km", FALSE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "batch 3: 100 rows, rmse 6.21 g/km");

  co2s_service_set_state (service, CO2S_SERVICE_STATE_RUNNING, NULL);
  co2s_service_set_restart_count (service, 3);
  first = g_strdup (co2s_service_row_get_detail_text (CO2S_SERVICE_ROW (row)));
  g_assert_cmpstr (first, ==, "Up 0 s · Restarted 3×");

  /* The uptime ticks while shown and running. */
  w.row = CO2S_SERVICE_ROW (row);
  w.text = first;
  co2s_test_assert_wait (detail_differs, &w, 2500);
  g_assert_true (g_str_has_prefix (co2s_service_row_get_detail_text (CO2S_SERVICE_ROW (row)), "Up 1 s"));

  co2s_service_set_state (service, CO2S_SERVICE_STATE_STOPPED, NULL);
  g_assert_cmpstr (co2s_service_row_get_detail_text (CO2S_SERVICE_ROW (row)), ==, "Restarted 3×");

  gtk_window_destroy (window);
}

/* The broker's row: what it is (its description) on the subtitle's first
 * line, its last output line on the second, each ellipsized to one line;
 * the whole description in the tooltip; both follow the service. */
static void
test_description (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("broker", "Broker");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);
  const char *long_description = "Apache Kafka on this computer · 127.0.0.1:9092 · 12.3 MB on disk, "
                                 "retention 1.0 GiB per partition · and more words than the row can show";
  g_autofree char *expected = NULL;
  GtkWidget *label;
  PangoLayout *layout;

  co2s_service_append_log (service, "waiting for Kafka to answer on 127.0.0.1:9092 (4 s)…", FALSE);
  co2s_service_set_state (service, CO2S_SERVICE_STATE_STARTING, "Waiting for the broker to be ready");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "waiting for Kafka to answer on 127.0.0.1:9092 (4 s)…");

  co2s_service_set_description (service, long_description);
  expected = g_strdup_printf ("%s\n%s", long_description, "waiting for Kafka to answer on 127.0.0.1:9092 (4 s)…");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s\n%s", long_description, "Waiting for the broker to be ready");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, expected);

  /* Drawn as two lines, the description cut with an ellipsis. */
  co2s_test_gtk_wait_frames (GTK_WIDGET (window), 3, 5000);
  label = aw_find_label (row, adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  layout = gtk_label_get_layout (GTK_LABEL (label));
  g_assert_cmpint (pango_layout_get_line_count (layout), ==, 2);
  g_assert_true (pango_layout_is_ellipsized (layout));

  /* The next progress line replaces the second line only. */
  co2s_service_append_log (service, "waiting for Kafka to answer on 127.0.0.1:9092 (5 s)…", FALSE);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s\n%s", long_description, "waiting for Kafka to answer on 127.0.0.1:9092 (5 s)…");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);

  /* A new description (the size on disk grew) shows at once; none, none. */
  co2s_service_set_description (service, "Embedded demo broker (in memory, no Java)");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "Embedded demo broker (in memory, no Java)\n"));
  co2s_service_set_description (service, NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "waiting for Kafka to answer on 127.0.0.1:9092 (5 s)…");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Waiting for the broker to be ready");

  gtk_window_destroy (window);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* The note (the trainer's row: how many trainers run, which partitions
 * each owns) is a line of its own between the description and the last
 * output line, also in the tooltip; NULL or "" takes it away. */
static void
test_note (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);
  const char *note = "2 trainers: a (0, 2), b (1, 3)";
  g_autofree char *expected = NULL;
  GtkWidget *label;
  guint notified = 0;

  g_signal_connect_swapped (row, "notify::note", G_CALLBACK (count_notify), &notified);
  co2s_service_append_log (service, "batch 3: 100 rows, rmse 6.21 g/km", FALSE);
  co2s_service_set_state (service, CO2S_SERVICE_STATE_RUNNING, NULL);
  g_assert_null (co2s_service_row_get_note (CO2S_SERVICE_ROW (row)));

  co2s_service_row_set_note (CO2S_SERVICE_ROW (row), note);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (co2s_service_row_get_note (CO2S_SERVICE_ROW (row)), ==, note);
  expected = g_strdup_printf ("%s\n%s", note, "batch 3: 100 rows, rmse 6.21 g/km");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  g_assert_true (g_str_has_prefix (gtk_widget_get_tooltip_text (row), "2 trainers: a (0, 2), b (1, 3)\n"));

  /* The same note again changes nothing. */
  co2s_service_row_set_note (CO2S_SERVICE_ROW (row), note);
  g_assert_cmpuint (notified, ==, 1);

  /* Under the description, over the last line: three lines drawn. */
  co2s_service_set_description (service, "co2stream-trainer --scale-out");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("co2stream-trainer --scale-out\n%s\n%s", note, "batch 3: 100 rows, rmse 6.21 g/km");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  co2s_test_gtk_wait_frames (GTK_WIDGET (window), 3, 5000);
  label = aw_find_label (row, adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 3);

  co2s_service_set_description (service, NULL);
  co2s_service_row_set_note (CO2S_SERVICE_ROW (row), "");
  g_assert_null (co2s_service_row_get_note (CO2S_SERVICE_ROW (row)));
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "batch 3: 100 rows, rmse 6.21 g/km");
  g_assert_false (g_str_has_prefix (gtk_widget_get_tooltip_text (row), "2 trainers"));

  gtk_window_destroy (window);
}

static GtkWidget *
find_reset_button (GtkWidget *root)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), "Reset Local Broker Data…") == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_reset_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Only the broker's row, only when it failed on damaged data, offers
 * "Reset Data…" (the application's app.reset-local-broker). */
static void
test_reset_offered (void)
{
  g_autoptr(Co2sSupervisor) supervisor = co2s_supervisor_new ();
  Co2sService *broker = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_BROKER);
  Co2sService *trainer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_TRAINER);
  GtkWidget *broker_row = co2s_service_row_new (broker, supervisor);
  GtkWidget *trainer_row = co2s_service_row_new (trainer, supervisor);
  GtkWidget *list = gtk_list_box_new ();
  GtkWindow *window;
  GtkWidget *reset;

  gtk_list_box_append (GTK_LIST_BOX (list), broker_row);
  gtk_list_box_append (GTK_LIST_BOX (list), trainer_row);
  window = aw_show_in_window (list, 700, 200);
  reset = find_reset_button (broker_row);
  g_assert_nonnull (reset);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (reset)), ==, "app.reset-local-broker");
  g_assert_false (gtk_widget_get_visible (reset));

  co2s_service_set_state (broker, CO2S_SERVICE_STATE_FAILED, "Program co2stream-kafka not found");
  g_assert_false (gtk_widget_get_visible (reset));
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_FAILED,
                          "The data in /home/u/.local/share/co2stream/kafka is damaged");
  g_assert_true (gtk_widget_get_visible (reset));
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_STOPPED, NULL);
  g_assert_false (gtk_widget_get_visible (reset));
  /* Said on the last output line only. */
  co2s_service_append_log (broker, "co2stream-kafka: run co2stream-kafka --reset-data to start afresh", TRUE);
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_FAILED, "Exited with status 1");
  g_assert_true (gtk_widget_get_visible (reset));

  /* Another service saying the same: no. */
  co2s_service_set_state (trainer, CO2S_SERVICE_STATE_FAILED, "the checkpoint is damaged");
  g_assert_false (gtk_widget_get_visible (find_reset_button (trainer_row)));

  gtk_window_destroy (window);
}

typedef struct {
  Co2sService *service;
  Co2sServiceState state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;

  return co2s_service_get_state (w->service) == w->state;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* A folder of co2stream-* links to the supervisor tests' fake service
 * ($FAKE_SERVICE), which prints its ready line and waits for SIGTERM. */
static char *
make_fake_bin_dir (const char *parent)
{
  static const char * const names[] = {
    "co2stream-broker", "co2stream-api", "co2stream-trainer", "co2stream-producer",
  };
  const char *fake = g_getenv ("FAKE_SERVICE");
  char *dir = g_build_filename (parent, "bin", NULL);

  if (fake == NULL || !g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("FAKE_SERVICE must name tests/supervision's fake-service program (run through meson test)");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (dir, names[i], NULL);

      g_assert_cmpint (symlink (fake, link), ==, 0);
    }

  return dir;
}

static gboolean
supervisor_idle (gpointer data)
{
  return !co2s_supervisor_get_active (CO2S_SUPERVISOR (data));
}

static void
test_toggle_through_supervisor (void)
{
  g_autoptr(Co2sSupervisor) supervisor = co2s_supervisor_new ();
  g_autofree char *tmp = g_dir_make_tmp ("app-widgets-row-XXXXXX", NULL);
  g_autofree char *bin = make_fake_bin_dir (tmp);
  g_autofree char *empty = g_build_filename (tmp, "empty", NULL);
  g_autofree char *dataset = g_build_filename (tmp, "data.csv", NULL);
  g_autofree char *models = g_build_filename (tmp, "models", NULL);
  g_autofree char *record = g_build_filename (tmp, "record.txt", NULL);
  Co2sService *trainer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_TRAINER);
  Co2sService *broker = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_BROKER);
  Co2sService *producer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_PRODUCER);
  GtkWidget *row = co2s_service_row_new (trainer, supervisor);
  GtkWindow *window = show_row (row);
  StateWait w;
  GPid pid;

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_true (g_file_set_contents (dataset, "Engine_Size\n", -1, NULL));
  g_setenv ("FAKE_RECORD", record, TRUE);
  g_object_set (supervisor,
                "broker-kind", CO2S_BROKER_EMBEDDED,
                "bin-dir", empty,
                "dataset", dataset,
                "model-dir", models,
                "ready-timeout", 5000,
                "stop-timeout", 2000,
                NULL);

  /* No program to run: Start reaches the supervisor, which starts the
   * broker first (the trainer needs it); it fails, visibly. */
  g_assert_false (co2s_service_row_get_stops (CO2S_SERVICE_ROW (row)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Stopped");
  co2s_service_row_toggle (CO2S_SERVICE_ROW (row));
  w.service = broker;
  w.state = CO2S_SERVICE_STATE_FAILED;
  co2s_test_assert_wait (state_is, &w, 5000);
  g_test_message ("broker: %s", co2s_service_get_message (broker));
  g_assert_nonnull (strstr (co2s_service_get_message (broker), "not found"));
  co2s_test_assert_wait (supervisor_idle, supervisor, 5000);

  /* Real (fake) programs: the row's Start brings the trainer up... */
  g_object_set (supervisor, "bin-dir", bin, NULL);
  co2s_service_row_toggle (CO2S_SERVICE_ROW (row));
  w.service = trainer;
  w.state = CO2S_SERVICE_STATE_RUNNING;
  co2s_test_assert_wait (state_is, &w, 10000);
  assert_state (row, "Running", "emblem-ok-symbolic", "success");
  g_assert_true (co2s_service_row_get_stops (CO2S_SERVICE_ROW (row)));
  pid = co2s_service_get_pid (trainer);
  g_assert_cmpint (pid, >, 0);
  /* ...and only what it needs: not the producer after it. */
  g_assert_cmpint (co2s_service_get_state (producer), ==, CO2S_SERVICE_STATE_STOPPED);

  /* ...and its Stop ends that process. */
  co2s_service_row_toggle (CO2S_SERVICE_ROW (row));
  w.state = CO2S_SERVICE_STATE_STOPPED;
  co2s_test_assert_wait (state_is, &w, 10000);
  assert_state (row, "Stopped", "media-playback-stop-symbolic", NULL);
  g_assert_cmpint (co2s_service_get_pid (trainer), ==, 0);
  g_assert_cmpint (kill (pid, 0), ==, -1);

  /* Leave nothing running. */
  co2s_supervisor_stop_async (supervisor, NULL, NULL, NULL);
  co2s_test_assert_wait (supervisor_idle, supervisor, 10000);

  gtk_window_destroy (window);
  remove_tree (tmp);
}

static void
test_no_supervisor (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("producer", "Producer");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);

  /* Nothing to call: the toggle does nothing and is not offered. */
  co2s_service_row_toggle (CO2S_SERVICE_ROW (row));
  g_assert_cmpint (co2s_service_get_state (service), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_null (co2s_service_row_get_supervisor (CO2S_SERVICE_ROW (row)));

  gtk_window_destroy (window);
}

static void
test_show_log (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  GtkWidget *row = co2s_service_row_new (service, NULL);
  GtkWindow *window = show_row (row);
  GtkWindow *log;

  co2s_service_append_log (service, "batch 1: rmse 30.1", FALSE);
  log = co2s_service_row_show_log (CO2S_SERVICE_ROW (row));
  g_assert_true (CO2S_IS_LOG_WINDOW (log));
  g_assert_true (co2s_log_window_get_service (CO2S_LOG_WINDOW (log)) == service);
  g_assert_true (gtk_window_get_transient_for (log) == window);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, log, 5000);
  g_assert_cmpstr (gtk_window_get_title (log), ==, "Trainer Log");

  /* Again: the same window, raised. */
  g_assert_true (co2s_service_row_show_log (CO2S_SERVICE_ROW (row)) == log);

  /* Closed, then asked again: a new one. */
  gtk_window_destroy (log);
  log = co2s_service_row_show_log (CO2S_SERVICE_ROW (row));
  g_assert_true (CO2S_IS_LOG_WINDOW (log));

  /* The row's window going away takes the log window with it. */
  g_object_add_weak_pointer (G_OBJECT (log), (gpointer *) &log);
  gtk_window_destroy (window);
  co2s_test_assert_wait (co2s_test_pointer_cleared, &log, 2000);
}

static void
test_accessible (void)
{
  g_autoptr(Co2sSupervisor) supervisor = co2s_supervisor_new ();
  Co2sService *trainer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_TRAINER);
  GtkWidget *row = co2s_service_row_new (trainer, supervisor);
  GtkWindow *window = show_row (row);
  GtkWidget *toggle = NULL;
  GtkWidget *log = NULL;
  g_autofree char *title = g_strdup (co2s_service_get_title (trainer));
  g_autofree char *start = g_strdup_printf ("Start %s", title);
  g_autofree char *stop = g_strdup_printf ("Stop %s", title);
  g_autofree char *show = g_strdup_printf ("Show %s Log", title);

  /* Find the two buttons by their tooltips. */
  for (GtkWidget *w = row; w != NULL;)
    {
      if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_tooltip_text (w), start) == 0)
        toggle = w;
      if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_tooltip_text (w), show) == 0)
        log = w;
      /* depth-first walk */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != row && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == row ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (toggle);
  g_assert_nonnull (log);
  g_assert_true (gtk_widget_get_sensitive (toggle));

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, start);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (log), GTK_ACCESSIBLE_PROPERTY_LABEL, show);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "State: Stopped.");

  co2s_service_set_state (trainer, CO2S_SERVICE_STATE_FAILED, "Exited with status 2");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "State: Failed. Exited with status 2");
  co2s_service_set_state (trainer, CO2S_SERVICE_STATE_RUNNING, NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, stop);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (toggle), ==, stop);

  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  aw_test_init (&argc, &argv);

  g_test_add_func ("/app-widgets/service-row/states", test_states);
  g_test_add_func ("/app-widgets/service-row/subtitle-and-detail", test_subtitle_and_detail);
  g_test_add_func ("/app-widgets/service-row/description", test_description);
  g_test_add_func ("/app-widgets/service-row/note", test_note);
  g_test_add_func ("/app-widgets/service-row/reset-offered", test_reset_offered);
  g_test_add_func ("/app-widgets/service-row/toggle-through-supervisor", test_toggle_through_supervisor);
  g_test_add_func ("/app-widgets/service-row/no-supervisor", test_no_supervisor);
  g_test_add_func ("/app-widgets/service-row/show-log", test_show_log);
  g_test_add_func ("/app-widgets/service-row/accessible", test_accessible);

  return g_test_run ();
}
