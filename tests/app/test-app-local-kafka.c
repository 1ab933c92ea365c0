/* test-app-local-kafka.c — the desktop app on its default broker, Apache
 * Kafka on this computer (co2stream-kafka: a real JVM, the jars fetched by
 * its first run), driven in-process under Xvfb with the real programs and
 * data set, the Kafka's data in a temporary folder on a free port.
 *
 * Suite kafka (needs Java): /app/local-kafka/start-progress-stop-reset —
 * while the broker starts, its row shows the launcher's output under what
 * the broker is, so a first JVM start does not look stuck; the pipeline
 * runs and trains; the row then says the size on disk; after Stop, "Reset
 * Local Broker Data…" (confirmed) deletes the folder's data with the real
 * co2stream-kafka --reset-data, and the next Start begins on empty topics. */
#define G_LOG_DOMAIN "test-app-local-kafka"

#include <string.h>

#include "app-test-util.h"
#include "co2s-service-row.h"
#include "co2s-test-util.h"

/* A first start may fetch the jars and warm the JVM's class data. */
#define START_TIMEOUT_MS 300000

static struct {
  AppTestSession s;
  char *kafka_dir;
  Co2sServiceRow *broker_row;
  GPtrArray *starting_lines;   /* the row's second subtitle line while Starting */
} t;

static Co2sService *
broker (void)
{
  return co2s_supervisor_get_service (co2s_application_get_supervisor (t.s.app), CO2S_SERVICE_BROKER);
}

/* What the row shows while the broker starts: its subtitle's second line
 * (the first is the description). */
static void
broker_line_cb (Co2sService *service,
                GParamSpec *pspec,
                gpointer user_data)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (t.broker_row));
  const char *newline = subtitle != NULL ? strchr (subtitle, '\n') : NULL;

  if (co2s_service_get_state (service) != CO2S_SERVICE_STATE_STARTING || newline == NULL)
    return;
  if (t.starting_lines->len == 0 ||
      g_strcmp0 (g_ptr_array_index (t.starting_lines, t.starting_lines->len - 1), newline + 1) != 0)
    g_ptr_array_add (t.starting_lines, g_strdup (newline + 1));
}

static void
start_pipeline (void)
{
  app_test_start_pipeline (t.s.app, START_TIMEOUT_MS, " on the local Kafka");
}

static void
stop_pipeline (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  if (!co2s_test_wait_until (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 90000))
    {
      app_test_dump_services (t.s.app);
      g_error ("the pipeline did not stop within 90 s");
    }
}

static gboolean
has_batches (gpointer data)
{
  return co2s_metrics_history_get_n_batches (co2s_application_get_history (t.s.app)) >= GPOINTER_TO_UINT (data);
}

static gboolean
description_says_size (gpointer data)
{
  const char *description = co2s_service_get_description (broker ());

  return description != NULL && strstr (description, "on disk") != NULL;
}

static gboolean
dialog_measured (gpointer dialog)
{
  return strstr (adw_message_dialog_get_body (dialog), "measuring") == NULL;
}

static gboolean
data_gone (gpointer data)
{
  g_autofree char *topics = g_build_filename (t.kafka_dir, "data", NULL);

  return !g_file_test (topics, G_FILE_TEST_EXISTS);
}

static gboolean
toast_says_deleted (gpointer data)
{
  return app_test_has_label_containing (GTK_WIDGET (t.s.window), "Local broker data deleted");
}

static void
test_start_progress_stop_reset (void)
{
  g_autofree char *data_dir = g_build_filename (t.kafka_dir, "data", NULL);
  g_autofree char *first = NULL;
  g_autofree char *dir_display = g_filename_display_name (t.kafka_dir);
  AdwMessageDialog *dialog;
  const char *description;

  /* Starting: the row shows the broker and what its launcher says. */
  start_pipeline ();
  for (guint i = 0; i < t.starting_lines->len; i++)
    g_test_message ("broker row while starting: %s", (char *) g_ptr_array_index (t.starting_lines, i));
  g_assert_cmpuint (t.starting_lines->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (t.starting_lines, 0), !=, "No output yet");
  description = co2s_service_get_description (broker ());
  g_assert_true (g_str_has_prefix (description, "Apache Kafka on this computer · 127.0.0.1:"));
  first = g_strconcat (description, "\n", NULL);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (t.broker_row)), first));

  /* Running: it trains, and the row says how much the folder holds. */
  if (!co2s_test_wait_until (has_batches, GUINT_TO_POINTER (5), 60000))
    {
      app_test_dump_services (t.s.app);
      g_error ("fewer than 5 batches 60 s after Start on the local Kafka");
    }
  co2s_test_assert_wait (description_says_size, NULL, 15000);
  g_test_message ("broker: %s", co2s_service_get_description (broker ()));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "reset-local-broker"));
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));

  /* Stopped: the reset, confirmed, deletes the topics with the real
   * co2stream-kafka --reset-data. */
  stop_pipeline ();
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "reset-local-broker"));
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "reset-local-broker", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), 5000);
  dialog = ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  co2s_test_assert_wait (dialog_measured, dialog, 10000);
  g_test_message ("%s", adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), dir_display));
  adw_message_dialog_response (dialog, "reset");
  co2s_test_assert_wait (toast_says_deleted, NULL, 60000);
  co2s_test_assert_wait (data_gone, NULL, 1000);

  /* The next Start begins on empty topics: the history starts again. */
  start_pipeline ();
  if (!co2s_test_wait_until (has_batches, GUINT_TO_POINTER (3), 60000))
    {
      app_test_dump_services (t.s.app);
      g_error ("fewer than 3 batches 60 s after the Start that followed the reset");
    }
  stop_pipeline ();
}

int
main (int argc,
      char *argv[])
{
  int status;

  co2s_app_init_i18n ();
  g_test_init (&argc, &argv, NULL);
  app_test_start_display ();

  app_test_session_open (&t.s);
  t.kafka_dir = g_build_filename (t.s.tmp_dir, "kafka", NULL);
  t.starting_lines = g_ptr_array_new_with_free_func (g_free);
  g_settings_set_enum (co2s_application_get_settings (t.s.app), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_settings_set_uint (co2s_application_get_settings (t.s.app), "kafka-port", co2s_test_free_port ());
  g_object_set (co2s_application_get_supervisor (t.s.app), "kafka-data-dir", t.kafka_dir, NULL);
  t.broker_row = CO2S_SERVICE_ROW (app_test_find_widget (GTK_WIDGET (t.s.window), CO2S_TYPE_SERVICE_ROW));
  g_assert_true (co2s_service_row_get_service (t.broker_row) == broker ());
  /* After the row's own handlers: the subtitle is up to date. */
  g_signal_connect_after (broker (), "notify::last-line", G_CALLBACK (broker_line_cb), NULL);

  g_test_add_func ("/app/local-kafka/start-progress-stop-reset", test_start_progress_stop_reset);

  status = g_test_run ();

  g_signal_handlers_disconnect_by_func (broker (), broker_line_cb, NULL);
  app_test_session_close (&t.s);
  g_ptr_array_unref (t.starting_lines);
  g_free (t.kafka_dir);
  return status;
}
