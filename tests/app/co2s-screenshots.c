/* co2s-screenshots.c — screenshots of the desktop app for the README, run
 * by scripts/screenshots.sh: the real app under its own Xvfb, the pipeline
 * started on the real data set (three models learned side by side: ls,
 * ls:fuel, sgd), then the main window, the prediction dialog
 * and the preferences rendered by GTK itself into PNG files.
 *
 * Usage: co2s-screenshots OUTPUT_DIR SUFFIX [--more]
 * (writes main-window-SUFFIX.png, predict-dialog-SUFFIX.png,
 * preferences-SUFFIX.png (the default broker, Apache Kafka on this
 * computer), preferences-existing-kafka-SUFFIX.png and
 * reset-broker-SUFFIX.png (the confirmation of Reset Local Broker Data…),
 * and, on the local Kafka, main-window-trainers-SUFFIX.png (three trainers
 * sharing the data topic's partitions: their rows, the trainer row's note,
 * the scale-out model folder) and main-window-trainer-stopped-SUFFIX.png
 * (Trainer 2 stopped by its own button, its partition taken over);
 * with --more also main-window-dark-SUFFIX.png, missing-dataset-SUFFIX.png,
 * shortcuts-SUFFIX.png and about-SUFFIX.png; the language comes from the
 * environment).
 *
 * The pipeline runs on the app's default broker, Apache Kafka on this
 * computer (co2stream-kafka: Java, and the jars it fetches on its first
 * run), in a temporary data folder on a free port; when co2stream-kafka is
 * not built, on the embedded broker, and it says so. */
#define G_LOG_DOMAIN "co2s-screenshots"

#include <string.h>

#include "app-test-util.h"
#include "co2s-kpi-panel.h"
#include "co2s-preferences-window.h"
#include "co2s-service-row.h"
#include "co2s-test-util.h"

#define MIN_BATCHES 120

/* The first start of the local Kafka may fetch its jars and warm a JVM. */
#define START_TIMEOUT_MS 300000

static Co2sApplication *app;

static gboolean
pipeline_running (gpointer data)
{
  Co2sPipelineState state = co2s_application_get_pipeline_state (app);

  return state == CO2S_PIPELINE_RUNNING || state == CO2S_PIPELINE_FAILED;
}

static gboolean
pipeline_stopped (gpointer data)
{
  return co2s_application_get_pipeline_state (app) == CO2S_PIPELINE_STOPPED;
}

static gboolean
enough_batches (gpointer data)
{
  return co2s_metrics_history_get_n_batches (co2s_application_get_history (app)) >= MIN_BATCHES;
}

/* A toast (AdwToastWidget) is shown under @widget. */
static gboolean
toast_shown (GtkWidget *widget)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget") && gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (toast_shown (child))
      return TRUE;
  return FALSE;
}

/* The trainer row of @window. */
static Co2sServiceRow *
trainer_row (GtkWidget *window)
{
  Co2sService *trainer = co2s_supervisor_get_service (co2s_application_get_supervisor (app), CO2S_SERVICE_TRAINER);

  return CO2S_SERVICE_ROW (app_test_find_row (window, co2s_service_get_title (trainer)));
}

static guint trainers_wanted;

/* The trainer row's note names trainers_wanted trainers, not rebalancing,
 * the merged model has batches, and no toast (a drift alarm's) hides the
 * last rows. */
static gboolean
trainers_shown (gpointer data)
{
  const char *note = co2s_service_row_get_note (trainer_row (data));
  g_autofree char *prefix = g_strdup_printf ("%u ", trainers_wanted);

  return note != NULL && g_str_has_prefix (note, prefix) && strstr (note, "—") == NULL &&
         co2s_metrics_history_get_n_batches (co2s_application_get_history (app)) >= 30 &&
         !toast_shown (data);
}

static gboolean
dialog_measured (gpointer dialog)
{
  return strstr (adw_message_dialog_get_body (dialog), "…)") == NULL;
}

static GtkWindow *
wait_for_window (GType type)
{
  if (!co2s_test_wait_until (app_test_toplevel_mapped, GSIZE_TO_POINTER (type), 10000))
    g_error ("no %s shown within 10 s", g_type_name (type));
  return app_test_find_toplevel (type);
}

/* Renders @window as GTK draws it (no window manager needed). */
static void
save_window (GtkWindow *window,
             const char *dir,
             const char *name,
             const char *suffix)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, suffix);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  /* Let every pending resize and redraw happen first, and the opening
   * transitions end (about half a second of frames). */
  if (!co2s_test_wait_until (co2s_test_gtk_widget_mapped, window, 10000) ||
      !co2s_test_gtk_wait_frames (GTK_WIDGET (window), 30, 10000))
    g_error ("%s: the window was not shown and painted within 10 s", name);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("cannot write %s", path);
  g_print ("%s (%d×%d)\n", path, width, height);
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  g_autofree char *models = NULL;
  g_autofree char *dataset = NULL;
  g_autoptr(Co2sApplication) owned = NULL;
  const char *dir, *suffix;
  Co2sWindow *window;
  Co2sPredictDialog *dialog;
  GSettings *settings;
  GtkWindow *prefs;
  gboolean more;

  co2s_app_init_i18n ();
  if (argc < 3 || argc > 4 || (argc == 4 && !g_str_equal (argv[3], "--more")))
    {
      g_printerr ("usage: %s OUTPUT_DIR SUFFIX [--more]\n", argv[0]);
      return 2;
    }
  more = argc == 4;
  dir = argv[1];
  suffix = argv[2];

  app_test_start_display ();
  tmp = g_dir_make_tmp ("co2stream-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  models = g_build_filename (tmp, "models", NULL);
  dataset = app_test_dataset_path ();

  app = owned = app_test_new_app (&window);
  settings = co2s_application_get_settings (app);
  {
    Co2sSupervisor *supervisor = co2s_application_get_supervisor (app);
    g_autofree char *kafka_dir = g_build_filename (tmp, "kafka", NULL);
    g_autofree char *kafka = NULL;
    g_autoptr(GError) error = NULL;

    g_settings_set_enum (settings, "broker", CO2S_BROKER_LOCAL_KAFKA);
    kafka = co2s_supervisor_find_program (supervisor, CO2S_SERVICE_BROKER, &error);
    if (kafka == NULL)
      {
        g_printerr ("screenshots: %s: the pipeline runs on the embedded broker\n", error->message);
        g_settings_set_enum (settings, "broker", CO2S_BROKER_EMBEDDED);
      }
    g_object_set (supervisor, "kafka-data-dir", kafka_dir, NULL);
    g_settings_set_uint (settings, "kafka-port", co2s_test_free_port ());
  }
  g_settings_set_string (settings, "dataset", dataset);
  g_settings_set_string (settings, "model-dir", models);
  g_settings_set_double (settings, "api-rate", 1500);
  g_settings_set_boolean (settings, "plot-show-fit", TRUE);
  /* Three models side by side: the plot draws each, the key figures and
   * the prediction dialog name the champion. */
  g_settings_set_string (settings, "algo", "ls,ls:fuel,sgd");
  gtk_window_set_default_size (GTK_WINDOW (window), 1240, 780);

  if (more)
    {
      g_autofree char *missing = g_build_filename (tmp, "data", "co2_processed.csv", NULL);

      g_settings_set_string (settings, "dataset", missing);
      save_window (GTK_WINDOW (window), dir, "missing-dataset", suffix);
      g_settings_set_string (settings, "dataset", dataset);

      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
      save_window (GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))),
                   dir, "shortcuts", suffix);
      gtk_window_close (GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))));

      g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
      prefs = wait_for_window (ADW_TYPE_ABOUT_WINDOW);
      save_window (prefs, dir, "about", suffix);
      gtk_window_close (prefs);
    }

  g_action_group_activate_action (G_ACTION_GROUP (app), "start", NULL);
  if (!co2s_test_wait_until (pipeline_running, NULL, START_TIMEOUT_MS) ||
      co2s_application_get_pipeline_state (app) != CO2S_PIPELINE_RUNNING)
    g_error ("the pipeline did not start: %s", co2s_application_get_last_error (app));
  if (!co2s_test_wait_until (enough_batches, NULL, 120000))
    g_error ("fewer than %d batches after 2 minutes", MIN_BATCHES);
  save_window (GTK_WINDOW (window), dir, "main-window", suffix);

  /* The prediction dialog with a prediction. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.predict", NULL);
  dialog = co2s_window_get_predict_dialog (window, FALSE);
  co2s_predict_dialog_reload (dialog, NULL);
  co2s_predict_dialog_set_inputs (dialog, 2.0, 4, 9.9, 6.7, 8.5, 'X');
  co2s_predict_dialog_predict (dialog);
  save_window (GTK_WINDOW (dialog), dir, "predict-dialog", suffix);
  gtk_window_close (GTK_WINDOW (dialog));

  /* Tall enough for the broker's rows. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = wait_for_window (CO2S_TYPE_PREFERENCES_WINDOW);
  gtk_window_set_default_size (prefs, 640, 1060);
  save_window (prefs, dir, "preferences", suffix);
  gtk_window_close (prefs);

  if (more)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
      save_window (GTK_WINDOW (window), dir, "main-window-dark", suffix);
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
      /* View → Show → Consumer Lag. */
      g_settings_set_string (settings, "plot-quantity", "lag");
      save_window (GTK_WINDOW (window), dir, "main-window-lag", suffix);
      g_settings_set_string (settings, "plot-quantity", "rmse");
    }

  g_action_group_activate_action (G_ACTION_GROUP (app), "stop", NULL);
  if (!co2s_test_wait_until (pipeline_stopped, NULL, 60000))
    g_error ("the pipeline did not stop");

  /* Three trainers (a real Kafka only; sgd is not for several). */
  if (g_settings_get_enum (settings, "broker") == CO2S_BROKER_LOCAL_KAFKA)
    {
      g_settings_set_string (settings, "algo", "ls,ls:fuel");
      g_settings_set_uint (settings, "trainers", 3);
      g_action_group_activate_action (G_ACTION_GROUP (app), "start", NULL);
      if (!co2s_test_wait_until (pipeline_running, NULL, START_TIMEOUT_MS) ||
          co2s_application_get_pipeline_state (app) != CO2S_PIPELINE_RUNNING)
        g_error ("the three trainers did not start: %s", co2s_application_get_last_error (app));
      trainers_wanted = 3;
      if (!co2s_test_wait_until (trainers_shown, window, 120000))
        g_error ("the trainer row does not show three trainers with batches after 2 minutes");
      save_window (GTK_WINDOW (window), dir, "main-window-trainers", suffix);

      /* Trainer 2's own button: its partitions go to the others. */
      {
        Co2sService *second = co2s_supervisor_lookup_service (co2s_application_get_supervisor (app), "trainer-2");
        Co2sServiceRow *row = CO2S_SERVICE_ROW (app_test_find_row (GTK_WIDGET (window),
                                                                   co2s_service_get_title (second)));

        co2s_service_row_toggle (row);
        trainers_wanted = 2;
        if (!co2s_test_wait_until (trainers_shown, window, 120000))
          g_error ("the trainer row does not show two trainers after 2 minutes: %s",
                   co2s_service_row_get_note (trainer_row (GTK_WIDGET (window))));
        save_window (GTK_WINDOW (window), dir, "main-window-trainer-stopped", suffix);
        co2s_service_row_toggle (row);
        trainers_wanted = 3;
        if (!co2s_test_wait_until (trainers_shown, window, 120000))
          g_error ("the trainer row does not show three trainers again after 2 minutes: %s",
                   co2s_service_row_get_note (trainer_row (GTK_WIDGET (window))));
        g_print ("%s\n", co2s_service_row_get_note (trainer_row (GTK_WIDGET (window))));
      }
      g_action_group_activate_action (G_ACTION_GROUP (app), "stop", NULL);
      if (!co2s_test_wait_until (pipeline_stopped, NULL, 60000))
        g_error ("the pipeline did not stop");
      g_settings_set_uint (settings, "trainers", 1);
    }

  /* Stopped: what Reset Local Broker Data… asks (cancelled). */
  if (g_settings_get_enum (settings, "broker") == CO2S_BROKER_LOCAL_KAFKA)
    {
      GtkWindow *confirm;

      g_action_group_activate_action (G_ACTION_GROUP (app), "reset-local-broker", NULL);
      confirm = wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
      if (!co2s_test_wait_until (dialog_measured, confirm, 10000))
        g_error ("the reset's confirmation did not get the folder's size");
      save_window (confirm, dir, "reset-broker", suffix);
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
    }

  /* An existing Kafka's rows, with properties (the password masked). */
  {
    static const char * const properties[] = {
      "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN", "sasl.username=co2stream", "sasl.password=not-shown",
      NULL,
    };

    g_settings_set_enum (settings, "broker", CO2S_BROKER_EXISTING);
    g_settings_set_string (settings, "broker-address", "kafka.example.org:9093");
    g_settings_set_strv (settings, "broker-properties", properties);
    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    prefs = wait_for_window (CO2S_TYPE_PREFERENCES_WINDOW);
    gtk_window_set_default_size (prefs, 640, 1140);
    save_window (prefs, dir, "preferences-existing-kafka", suffix);
    gtk_window_close (prefs);
  }
  co2s_test_rm_rf (tmp, NULL);

  return 0;
}
