/* test-app-compose.c — the desktop app's Docker Compose backend driving the
 * real stack on Podman (suite containers, run by run-app.sh, which sets
 * Podman up, builds the images, makes the project folder and drives the
 * health checks): the app, in-process under Xvfb, with the backend
 * "compose" on that folder's docker-compose.yml.
 *
 * /app/compose/podman-stack: Start brings the four services up in order
 * (docker-compose up -d, each waiting on its dependencies' health); the
 * four service rows show running containers; the plot follows
 * streaming_metrics through the host listener (CO2S_KAFKA_PORT) and gets
 * batches; the trainer's row has its container's log (compose logs); Stop
 * brings every service down. With CO2S_SCREENSHOT set, the main window is
 * saved there as a PNG while the stack runs.
 *
 * Environment (from run-app.sh): CO2S_COMPOSE_FILE, the project's compose
 * file (its models/ is the model folder, its data/ the data set);
 * DOCKER_HOST, CO2S_KAFKA_PORT, CO2S_API_PORT, CO2S_UID, CO2S_GID and
 * COMPOSE_PROJECT_NAME, which the Compose calls inherit. */
#define G_LOG_DOMAIN "test-app-compose"

#include <string.h>

#include "app-test-util.h"
#include "co2s-test-util.h"

/* docker-compose up of four services on this machine: ~15–25 s warm. */
#define START_TIMEOUT_MS 300000
#define MIN_BATCHES 40

static struct {
  AppTestSession s;
  char *compose_file;
} t;

static Co2sSupervisor *
supervisor (void)
{
  return co2s_application_get_supervisor (t.s.app);
}

static void
dump_services (void)
{
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (supervisor (), i);

      g_printerr ("  %s: %s — %s (last line: %s)\n", co2s_service_get_name (service),
                  co2s_service_state_to_label (co2s_service_get_state (service)),
                  co2s_service_get_message (service) ? co2s_service_get_message (service) : "",
                  co2s_service_get_last_line (service) ? co2s_service_get_last_line (service) : "");
    }
  if (co2s_application_get_last_error (t.s.app) != NULL)
    g_printerr ("  last error: %s\n", co2s_application_get_last_error (t.s.app));
}

static gboolean
pipeline_running_or_failed (gpointer data)
{
  Co2sPipelineState state = co2s_application_get_pipeline_state (t.s.app);

  return state == CO2S_PIPELINE_RUNNING || state == CO2S_PIPELINE_FAILED;
}

static gboolean
all_services_are (gpointer state)
{
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    if (co2s_service_get_state (co2s_supervisor_get_service (supervisor (), i)) != (Co2sServiceState) GPOINTER_TO_INT (state))
      return FALSE;
  return TRUE;
}

static gboolean
has_batches (gpointer data)
{
  return co2s_metrics_history_get_n_batches (co2s_application_get_history (t.s.app)) >= GPOINTER_TO_UINT (data);
}

static gboolean
trainer_logged (gpointer data)
{
  const char *line = co2s_service_get_last_line (co2s_supervisor_get_service (supervisor (), CO2S_SERVICE_TRAINER));

  return line != NULL && line[0] != '\0';
}

/* Renders the main window as GTK draws it into @path (no window manager). */
static void
save_window (const char *path)
{
  GtkWidget *window = GTK_WIDGET (t.s.window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  if (!co2s_test_gtk_wait_frames (window, 30, 10000))
    g_error ("the window was not painted within 10 s");
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path, width, height);
}

static void
test_podman_stack (void)
{
  const char *screenshot = g_getenv ("CO2S_SCREENSHOT");
  g_autofree char *bootstrap = g_strdup_printf ("localhost:%s", g_getenv ("CO2S_KAFKA_PORT"));
  gint64 t0 = g_get_monotonic_time ();
  guint n_batches;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "start"));
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "start", NULL);
  if (!co2s_test_wait_until (pipeline_running_or_failed, NULL, START_TIMEOUT_MS) ||
      co2s_application_get_pipeline_state (t.s.app) != CO2S_PIPELINE_RUNNING)
    {
      dump_services ();
      g_error ("the stack did not reach Running within %d s", START_TIMEOUT_MS / 1000);
    }
  g_test_message ("Running %.1f s after Start", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (supervisor ()), ==, bootstrap);

  /* The four rows: running containers (each one's state from docker inspect). */
  if (!co2s_test_wait_until (all_services_are, GINT_TO_POINTER (CO2S_SERVICE_STATE_RUNNING), 120000))
    {
      dump_services ();
      g_error ("the four services were not all running 120 s after the stack started");
    }

  /* The plot follows streaming_metrics through the host listener. */
  if (!co2s_test_wait_until (has_batches, GUINT_TO_POINTER (MIN_BATCHES), 180000))
    {
      dump_services ();
      g_error ("fewer than %d batches in the plot 180 s after the stack started", MIN_BATCHES);
    }
  n_batches = co2s_metrics_history_get_n_batches (co2s_application_get_history (t.s.app));
  g_test_message ("%u batches %.1f s after Start", n_batches, (g_get_monotonic_time () - t0) / 1e6);
  co2s_test_assert_wait (trainer_logged, NULL, 30000);
  g_test_message ("trainer's last log line: %s",
                  co2s_service_get_last_line (co2s_supervisor_get_service (supervisor (), CO2S_SERVICE_TRAINER)));
  dump_services ();
  if (screenshot != NULL && screenshot[0] != '\0')
    {
      /* Live: more batches arrive while the window is drawn. */
      co2s_test_assert_wait (has_batches, GUINT_TO_POINTER (n_batches + 2), 30000);
      save_window (screenshot);
    }
  g_assert_true (all_services_are (GINT_TO_POINTER (CO2S_SERVICE_STATE_RUNNING)));

  /* Stop: every service down (docker-compose stop, in reverse order). */
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  if (!co2s_test_wait_until (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 120000))
    {
      dump_services ();
      g_error ("the stack did not stop within 120 s");
    }
  g_assert_true (all_services_are (GINT_TO_POINTER (CO2S_SERVICE_STATE_STOPPED)));
  g_assert_false (co2s_supervisor_get_active (supervisor ()));
}

int
main (int argc,
      char *argv[])
{
  GSettings *settings;
  g_autofree char *project = NULL;
  g_autofree char *models = NULL;
  g_autofree char *dataset = NULL;
  int status;

  co2s_app_init_i18n ();
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("CO2S_COMPOSE_FILE") == NULL || g_getenv ("CO2S_KAFKA_PORT") == NULL)
    g_error ("CO2S_COMPOSE_FILE and CO2S_KAFKA_PORT are not set: run this test through run-app.sh");
  t.compose_file = g_canonicalize_filename (g_getenv ("CO2S_COMPOSE_FILE"), NULL);
  project = g_path_get_dirname (t.compose_file);
  models = g_build_filename (project, "models", NULL);
  dataset = g_build_filename (project, "data", "co2_processed.csv", NULL);
  app_test_start_display ();

  app_test_session_open (&t.s);
  settings = co2s_application_get_settings (t.s.app);
  g_settings_set_string (settings, "dataset", dataset);
  g_settings_set_string (settings, "model-dir", models);
  g_settings_set_string (settings, "compose-file", t.compose_file);
  g_settings_set_enum (settings, "backend", CO2S_BACKEND_COMPOSE);
  gtk_window_set_default_size (GTK_WINDOW (t.s.window), 1240, 780);
  /* Two JVMs and docker-compose on a busy machine: a `ps` may take more
   * than the default 10 s, which would show the services as failed. */
  g_object_set (supervisor (), "docker-timeout", 60000, NULL);

  g_test_add_func ("/app/compose/podman-stack", test_podman_stack);
  status = g_test_run ();

  app_test_session_close (&t.s);
  g_free (t.compose_file);
  return status;
}
