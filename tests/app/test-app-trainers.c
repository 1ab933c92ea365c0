/* test-app-trainers.c — several trainers in the desktop app, driven
 * in-process under its own Xvfb (app_test_start_display) over
 * tests/supervision's fake-service (no Kafka, no JVM).
 *
 * Suite app: /app/trainers/rows: with "trainers" 3 the window has three
 * trainer rows; each one's start/stop button stops or starts that trainer
 * alone (the other trainers and the producer keep their processes, the
 * pipeline stays "Running"), with a tooltip that says so; the "Model folder" line names the scale-out
 * subfolder the app reads, and the base folder again with one trainer. */
#define G_LOG_DOMAIN "test-app-trainers"

#include <string.h>
#include <unistd.h>

#include "app-test-util.h"
#include "co2s-service-row.h"
#include "co2s-test-util.h"

static struct {
  AppTestSession s;
  char *bin_dir;
  char *record;
} t;

static Co2sSupervisor *
supervisor (void)
{
  return co2s_application_get_supervisor (t.s.app);
}

/* A folder of co2stream-* links to fake-service ($FAKE_SERVICE). */
static void
make_fake_bin_dir (void)
{
  static const char * const names[] = {
    "co2stream-kafka", "co2stream-broker", "co2stream-api", "co2stream-trainer", "co2stream-producer",
  };
  const char *fake = g_getenv ("FAKE_SERVICE");

  if (fake == NULL || !g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("FAKE_SERVICE must name tests/supervision's fake-service program (run through meson test)");

  t.bin_dir = g_build_filename (t.s.tmp_dir, "bin", NULL);
  g_assert_cmpint (g_mkdir_with_parents (t.bin_dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (t.bin_dir, names[i], NULL);

      g_assert_cmpint (symlink (fake, link), ==, 0);
    }
}

static gboolean
service_state_is (gpointer data)
{
  Co2sService *service = data;

  Co2sServiceState want = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (service), "test-want"));

  return co2s_service_get_state (service) == want;
}

static void
assert_state_within (Co2sService *service,
                     Co2sServiceState state,
                     guint timeout_ms)
{
  g_object_set_data (G_OBJECT (service), "test-want", GINT_TO_POINTER (state));
  if (!co2s_test_wait_until (service_state_is, service, timeout_ms))
    g_error ("%s: state %s, not %s within %u ms (%s)", co2s_service_get_title (service),
             co2s_service_state_to_label (co2s_service_get_state (service)),
             co2s_service_state_to_label (state), timeout_ms,
             co2s_service_get_message (service) ? co2s_service_get_message (service) : "");
}

static GtkWidget *
toggle_button (GtkWidget *row)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *tip = GTK_IS_BUTTON (child) ? gtk_widget_get_tooltip_text (child) : NULL;
      GtkWidget *found;

      if (tip != NULL && (g_str_has_prefix (tip, "Stop ") || g_str_has_prefix (tip, "Start ")))
        return child;
      found = toggle_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_rows (void)
{
  GSettings *settings = co2s_application_get_settings (t.s.app);
  GtkWidget *window = GTK_WIDGET (t.s.window);
  g_autofree char *scale_out = g_build_filename (t.s.model_dir, CO2S_SUPERVISOR_SCALE_OUT_DIR, NULL);
  g_autofree char *scale_out_label = g_strdup_printf ("Model folder: %s", scale_out);
  g_autofree char *base_label = g_strdup_printf ("Model folder: %s", t.s.model_dir);
  Co2sService *trainers[3];
  Co2sService *producer = co2s_supervisor_get_service (supervisor (), CO2S_SERVICE_PRODUCER);
  GtkWidget *row2;
  GtkWidget *toggle;
  gint64 started[3];
  gint64 producer_started;

  g_assert_true (app_test_has_label_containing (window, base_label));
  g_settings_set_enum (settings, "broker", CO2S_BROKER_EXISTING);
  g_settings_set_string (settings, "broker-address", "127.0.0.1:1");
  g_settings_set_string (settings, "algo", "ls");
  g_settings_set_uint (settings, "trainers", 3);
  /* Stopped, asking for three: the folder they will write. */
  g_assert_true (app_test_has_label_containing (window, scale_out_label));

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "start", NULL);
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_RUNNING), 20000);
  trainers[0] = co2s_supervisor_get_service (supervisor (), CO2S_SERVICE_TRAINER);
  trainers[1] = co2s_supervisor_lookup_service (supervisor (), "trainer-2");
  trainers[2] = co2s_supervisor_lookup_service (supervisor (), "trainer-3");
  for (guint k = 0; k < 3; k++)
    {
      g_assert_nonnull (trainers[k]);
      assert_state_within (trainers[k], CO2S_SERVICE_STATE_RUNNING, 10000);
      started[k] = co2s_service_get_started_at (trainers[k]);
    }
  assert_state_within (producer, CO2S_SERVICE_STATE_RUNNING, 10000);
  producer_started = co2s_service_get_started_at (producer);
  g_assert_true (app_test_has_label_containing (window, scale_out_label));

  /* Trainer 2's button: that process only. */
  row2 = app_test_find_row (window, "Trainer 2");
  g_assert_nonnull (row2);
  toggle = toggle_button (row2);
  g_assert_nonnull (toggle);
  g_assert_true (gtk_widget_is_sensitive (toggle));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (toggle), ==,
                   "Stop Trainer 2 only: the other trainers take over its partitions");
  gtk_widget_activate (toggle);
  assert_state_within (trainers[1], CO2S_SERVICE_STATE_STOPPED, 10000);
  g_assert_false (co2s_service_has_process (trainers[1]));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (toggle), ==,
                   "Start Trainer 2: it shares the partitions with the running trainers");
  for (guint k = 0; k < 3; k += 2)
    {
      g_assert_cmpint (co2s_service_get_state (trainers[k]), ==, CO2S_SERVICE_STATE_RUNNING);
      g_assert_cmpint (co2s_service_get_started_at (trainers[k]), ==, started[k]);
    }
  g_assert_cmpint (co2s_service_get_state (producer), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_cmpint (co2s_service_get_started_at (producer), ==, producer_started);
  /* The pipeline still runs: the user stopped that trainer. */
  g_assert_cmpint (co2s_application_get_pipeline_state (t.s.app), ==, CO2S_PIPELINE_RUNNING);

  /* And back, alone. */
  gtk_widget_activate (toggle);
  assert_state_within (trainers[1], CO2S_SERVICE_STATE_RUNNING, 10000);
  for (guint k = 0; k < 3; k += 2)
    g_assert_cmpint (co2s_service_get_started_at (trainers[k]), ==, started[k]);
  g_assert_cmpint (co2s_service_get_started_at (producer), ==, producer_started);

  /* The first trainer's row: its own process too. */
  toggle = toggle_button (app_test_find_row (window, co2s_service_get_title (trainers[0])));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (toggle), ==,
                   "Stop Trainer only: the other trainers take over its partitions");

  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 20000);

  /* One trainer again: the base folder. */
  g_settings_set_uint (settings, "trainers", 1);
  g_assert_true (app_test_has_label_containing (window, base_label));
  g_assert_false (app_test_has_label_containing (window, scale_out_label));
  g_settings_reset (settings, "broker");
  g_settings_reset (settings, "broker-address");
  g_settings_reset (settings, "algo");
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
  make_fake_bin_dir ();
  t.record = g_build_filename (t.s.tmp_dir, "record.txt", NULL);
  g_setenv ("FAKE_RECORD", t.record, TRUE);
  g_object_set (supervisor (),
                "bin-dir", t.bin_dir,
                "ready-timeout", 5000,
                "stop-timeout", 2000,
                NULL);

  g_test_add_func ("/app/trainers/rows", test_rows);

  status = g_test_run ();

  app_test_session_close (&t.s);
  g_free (t.bin_dir);
  g_free (t.record);
  return status;
}
