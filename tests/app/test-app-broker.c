/* test-app-broker.c — the broker in the desktop app, driven in-process under
 * its own Xvfb (app_test_start_display). tests/supervision's fake-service
 * stands in for the programs, co2stream-kafka included: no JVM, and the
 * arguments each program got are recorded.
 *
 * Suite app: /app/broker/… the Preferences' broker rows follow the choice,
 * write the keys the supervisor reads (port, retention in MiB → bytes, the
 * existing Kafka's address and properties, secrets masked) and are greyed
 * out with Docker Compose; app.reset-local-broker is enabled only while it
 * can run, asks first (the folder, its size, the topics, the model kept)
 * and says how it went; the broker's service row shows what the broker is
 * and, when its data is damaged, offers the reset. The tests share one app
 * and follow each other. */
#define G_LOG_DOMAIN "test-app-broker"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "app-test-util.h"
#include "co2s-broker-properties.h"
#include "co2s-preferences-window.h"
#include "co2s-service-row.h"
#include "co2s-test-util.h"

#define MIB G_GUINT64_CONSTANT (1048576)

static struct {
  AppTestSession s;
  char *bin_dir;
  char *kafka_dir;
  char *record;
} t;

/* ---- helpers --------------------------------------------------------------- */

static GSettings *
settings (void)
{
  return co2s_application_get_settings (t.s.app);
}

static Co2sSupervisor *
supervisor (void)
{
  return co2s_application_get_supervisor (t.s.app);
}

static gboolean
reset_enabled (void)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (t.s.app), "reset-local-broker");
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

/* The lines fake-service recorded for @event ("start", "reset"…) of @role. */
static GPtrArray *
records (const char *event,
         const char *role)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s %s ", event, role);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (t.record, &contents, NULL, NULL))
    return found;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      g_ptr_array_add (found, g_strdup (lines[i]));
  return found;
}

static gboolean
has_reset_record (gpointer count)
{
  g_autoptr(GPtrArray) lines = records ("reset", "kafka");

  return lines->len >= GPOINTER_TO_UINT (count);
}

static GtkWindow *
open_preferences (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "preferences", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (CO2S_TYPE_PREFERENCES_WINDOW), 5000);
  return app_test_find_toplevel (CO2S_TYPE_PREFERENCES_WINDOW);
}

static GtkWidget *
prefs_row (GtkWindow *prefs,
           const char *title)
{
  GtkWidget *row = app_test_find_row (GTK_WIDGET (prefs), title);

  if (row == NULL)
    g_error ("no row “%s” in the preferences", title);
  return row;
}

/* The broker rows of the preferences, by what they are. */
typedef struct {
  GtkWidget *kind, *port, *retention, *data, *reset, *address, *properties;
} BrokerRows;

static void
find_broker_rows (GtkWindow *prefs,
                  BrokerRows *rows)
{
  rows->kind = prefs_row (prefs, "Bro_ker");
  rows->port = prefs_row (prefs, "_Port");
  rows->retention = prefs_row (prefs, "Re_tention");
  rows->data = prefs_row (prefs, "Data folder");
  rows->reset = prefs_row (prefs, "Reset local broker data");
  rows->address = prefs_row (prefs, "Kafka broker _address (HOST:PORT)");
  rows->properties = prefs_row (prefs, "Connection properties");
}

static void
assert_rows_shown (const BrokerRows *rows,
                   gboolean local,
                   gboolean existing)
{
  g_assert_true (gtk_widget_is_visible (rows->kind));
  g_assert_cmpint (gtk_widget_is_visible (rows->port), ==, local);
  g_assert_cmpint (gtk_widget_is_visible (rows->retention), ==, local);
  g_assert_cmpint (gtk_widget_is_visible (rows->data), ==, local);
  g_assert_cmpint (gtk_widget_is_visible (rows->reset), ==, local);
  g_assert_cmpint (gtk_widget_is_visible (rows->address), ==, existing);
  g_assert_cmpint (gtk_widget_is_visible (rows->properties), ==, existing);
}

/* What the Broker group says under its title. */
static const char *
group_description (GtkWidget *row)
{
  GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

  g_assert_nonnull (group);
  return adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group));
}

static const char *
row_subtitle (GtkWidget *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

typedef struct {
  GtkWidget *row;
  const char *text;
} SubtitleWait;

static gboolean
subtitle_contains (gpointer data)
{
  SubtitleWait *w = data;
  const char *subtitle = row_subtitle (w->row);

  return subtitle != NULL && strstr (subtitle, w->text) != NULL;
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
assert_strv (char **got,
             const char * const *want)
{
  g_autofree char *got_text = g_strjoinv (" | ", got);
  g_autofree char *want_text = g_strjoinv (" | ", (char **) want);

  g_assert_cmpstr (got_text, ==, want_text);
}

static void
assert_properties (const char * const *want)
{
  g_auto(GStrv) stored = g_settings_get_strv (settings (), "broker-properties");
  g_auto(GStrv) applied = NULL;

  assert_strv (stored, want);
  g_object_get (supervisor (), "broker-properties", &applied, NULL);
  assert_strv (applied, want);
}

/* A file of @size bytes in the local Kafka's folder, so it has a size. */
static void
fill_kafka_dir (gsize size)
{
  g_autofree char *topic = g_build_filename (t.kafka_dir, "streaming_data-0", NULL);
  g_autofree char *segment = g_build_filename (topic, "00000000000000000000.log", NULL);
  g_autofree char *data = g_malloc0 (size);

  g_assert_cmpint (g_mkdir_with_parents (topic, 0755), ==, 0);
  g_assert_true (g_file_set_contents (segment, data, size, NULL));
}

static gboolean
no_message_dialog (gpointer data)
{
  return app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static gboolean
dialog_measured (gpointer dialog)
{
  return strstr (adw_message_dialog_get_body (dialog), "measuring") == NULL;
}

typedef struct {
  GtkWidget *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;

  return app_test_has_label_containing (w->root, w->text);
}

/* Asks for the reset and answers the confirmation with @response; returns
 * the dialog's body. */
static char *
confirm_reset (const char *response)
{
  AdwMessageDialog *dialog;
  char *body;

  g_assert_true (reset_enabled ());
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "reset-local-broker", NULL);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), 5000);
  dialog = ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  co2s_test_assert_wait (dialog_measured, dialog, 5000);

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Reset Local Broker Data?");
  g_assert_true (adw_message_dialog_has_response (dialog, "reset"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "reset"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  body = g_strdup (adw_message_dialog_get_body (dialog));
  adw_message_dialog_response (dialog, response);
  return body;
}

/* ---- /app/broker/preferences-rows ------------------------------------------------ */

/* The rows of the chosen broker only; the choice is the "broker" key, both
 * ways; Docker Compose greys them out and says why. */
static void
test_preferences_rows (void)
{
  g_autofree char *kafka_dir_display = g_filename_display_name (t.kafka_dir);
  GtkWindow *prefs;
  BrokerRows rows;
  GListModel *model;
  GtkWidget *button;
  SubtitleWait w;
  Co2sBrokerKind kind;

  fill_kafka_dir (300 * 1000);
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  prefs = open_preferences ();
  find_broker_rows (prefs, &rows);

  /* The three brokers, in the order of the setting's values. */
  model = adw_combo_row_get_model (ADW_COMBO_ROW (rows.kind));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==, "Apache Kafka on this computer");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 1), ==,
                   "Embedded demo broker (in memory, no Java)");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 2), ==, "Existing Kafka");

  /* The local Kafka: port, retention, the data folder with its size, the
   * reset. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (rows.kind)), ==, 0);
  assert_rows_shown (&rows, TRUE, FALSE);
  g_assert_cmpstr (row_subtitle (rows.kind), ==, "Apache Kafka on this computer");
  g_assert_nonnull (strstr (group_description (rows.kind), "Needs Java"));
  g_assert_nonnull (strstr (row_subtitle (rows.retention), "1 GiB by default; older rows are deleted"));
  w.row = rows.data;
  w.text = "kB on disk";
  co2s_test_assert_wait (subtitle_contains, &w, 5000);
  g_test_message ("data folder row: %s", row_subtitle (rows.data));
  g_assert_true (g_str_has_prefix (row_subtitle (rows.data), kafka_dir_display));
  button = app_test_find_widget (rows.reset, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.reset-local-broker");
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));

  /* Chosen in the drop-down: the key and the supervisor follow. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (rows.kind), 2);
  g_assert_cmpint (g_settings_get_enum (settings (), "broker"), ==, CO2S_BROKER_EXISTING);
  g_object_get (supervisor (), "broker-kind", &kind, NULL);
  g_assert_cmpint (kind, ==, CO2S_BROKER_EXISTING);
  assert_rows_shown (&rows, FALSE, TRUE);
  g_assert_cmpstr (row_subtitle (rows.kind), ==, "Existing Kafka");
  g_assert_nonnull (strstr (group_description (rows.kind), "properties below"));
  g_assert_false (reset_enabled ());

  /* Set in the settings: the drop-down follows. */
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_EMBEDDED);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (rows.kind)), ==, 1);
  g_object_get (supervisor (), "broker-kind", &kind, NULL);
  g_assert_cmpint (kind, ==, CO2S_BROKER_EMBEDDED);
  assert_rows_shown (&rows, FALSE, FALSE);
  g_assert_cmpstr (row_subtitle (rows.kind), ==, "Embedded demo broker (in memory, no Java)");
  g_assert_nonnull (strstr (group_description (rows.kind), "live in memory"));

  /* Docker Compose runs its own Kafka: nothing here applies. */
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_assert_true (gtk_widget_is_sensitive (rows.kind));
  g_assert_null (strstr (group_description (rows.kind), "Docker Compose"));
  g_settings_set_enum (settings (), "backend", CO2S_BACKEND_COMPOSE);
  g_assert_false (gtk_widget_is_sensitive (rows.kind));
  g_assert_false (gtk_widget_is_sensitive (rows.port));
  g_assert_false (gtk_widget_is_sensitive (rows.retention));
  g_assert_false (gtk_widget_is_sensitive (button));
  g_assert_true (g_str_has_prefix (group_description (rows.kind), "Docker Compose runs its own Kafka"));
  g_assert_true (app_test_has_label_containing (GTK_WIDGET (prefs), "Docker Compose runs its own Kafka"));
  g_settings_set_enum (settings (), "backend", CO2S_BACKEND_LOCAL);
  g_assert_nonnull (strstr (group_description (rows.kind), "Needs Java"));
  g_assert_true (gtk_widget_is_sensitive (rows.kind));
  g_assert_true (gtk_widget_is_sensitive (rows.port));

  /* Every new control has a name, every mnemonic its own key, whichever
   * broker is shown. */
  app_test_assert_all_named (GTK_WIDGET (prefs));
  app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_EXISTING);
  app_test_assert_all_named (GTK_WIDGET (prefs));
  app_test_assert_mnemonics_unique (GTK_WIDGET (prefs));

  gtk_window_close (prefs);
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
}

/* ---- /app/broker/preferences-write-keys ------------------------------------------ */

static void
test_preferences_write_keys (void)
{
  static const char * const typed[] = {
    "security.protocol=SASL_SSL", "sasl.username=alice", "sasl.password=hunter2", NULL,
  };
  static const char * const added[] = {
    "security.protocol=SASL_SSL", "sasl.username=alice", "sasl.password=hunter2", "sasl.mechanism=PLAIN", NULL,
  };
  static const char * const elsewhere[] = { "security.protocol=SSL", NULL };
  GtkWindow *prefs;
  BrokerRows rows;
  GtkSpinButton *port, *retention;
  GtkTextView *view;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  g_autofree char *shown = NULL;
  g_autofree char *address = NULL;
  guint supervisor_port;
  guint64 bytes;

  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  prefs = open_preferences ();
  find_broker_rows (prefs, &rows);
  port = GTK_SPIN_BUTTON (app_test_find_widget (rows.port, GTK_TYPE_SPIN_BUTTON));
  retention = GTK_SPIN_BUTTON (app_test_find_widget (rows.retention, GTK_TYPE_SPIN_BUTTON));

  /* Defaults: 9092, 1 GiB. */
  g_assert_cmpfloat (gtk_spin_button_get_value (port), ==, 9092);
  g_assert_cmpfloat (gtk_spin_button_get_value (retention), ==, 1024);
  g_object_get (supervisor (), "kafka-retention-bytes", &bytes, NULL);
  g_assert_cmpuint (bytes, ==, 1024 * MIB);

  /* The rows write the keys; the supervisor gets them (MiB → bytes). */
  gtk_spin_button_set_value (port, 19092);
  g_assert_cmpuint (g_settings_get_uint (settings (), "kafka-port"), ==, 19092);
  g_object_get (supervisor (), "kafka-port", &supervisor_port, NULL);
  g_assert_cmpuint (supervisor_port, ==, 19092);
  gtk_spin_button_set_value (retention, 2048);
  g_assert_cmpuint (g_settings_get_uint (settings (), "kafka-retention-mb"), ==, 2048);
  g_object_get (supervisor (), "kafka-retention-bytes", &bytes, NULL);
  g_assert_cmpuint (bytes, ==, 2048 * MIB);
  /* The largest retention (1 TiB) does not overflow on its way. */
  g_settings_set_uint (settings (), "kafka-retention-mb", 1048576);
  g_assert_cmpfloat (gtk_spin_button_get_value (retention), ==, 1048576);
  g_object_get (supervisor (), "kafka-retention-bytes", &bytes, NULL);
  g_assert_cmpuint (bytes, ==, 1048576 * MIB);

  /* The existing Kafka: address and properties. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (rows.kind), 2);
  gtk_editable_set_text (GTK_EDITABLE (rows.address), "kafka.example.org:9093");
  address = g_settings_get_string (settings (), "broker-address");
  g_assert_cmpstr (address, ==, "kafka.example.org:9093");

  view = GTK_TEXT_VIEW (app_test_find_widget (rows.properties, GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (view);
  buffer = gtk_text_view_get_buffer (view);
  /* Spaces around = and blank lines go; a line that is no property is not
   * saved, and the row says which. */
  gtk_text_buffer_set_text (buffer, "security.protocol=SASL_SSL\n  sasl.username = alice\n\nsasl.password=hunter2\n"
                                    "not a property\n", -1);
  assert_properties (typed);
  g_assert_true (app_test_has_label_containing (rows.properties, "Line 5, “not a property”, is not KEY=VALUE"));
  gtk_text_buffer_set_text (buffer, "security.protocol=SASL_SSL\nsasl.username=alice\nsasl.password=hunter2\n", -1);
  assert_properties (typed);
  g_assert_false (app_test_has_label_containing (rows.properties, "is not KEY=VALUE"));
  gtk_window_close (prefs);

  /* Opened again: the password is masked, and stays stored when another
   * line is edited. */
  prefs = open_preferences ();
  find_broker_rows (prefs, &rows);
  g_assert_true (gtk_widget_is_visible (rows.properties));
  view = GTK_TEXT_VIEW (app_test_find_widget (rows.properties, GTK_TYPE_TEXT_VIEW));
  buffer = gtk_text_view_get_buffer (view);
  shown = buffer_text (view);
  g_assert_cmpstr (shown, ==, "security.protocol=SASL_SSL\nsasl.username=alice\nsasl.password="
                              CO2S_BROKER_PROPERTIES_MASK "\n");
  g_assert_false (app_test_has_label_containing (GTK_WIDGET (prefs), "hunter2"));
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "sasl.mechanism=PLAIN\n", -1);
  assert_properties (added);

  /* Changed elsewhere (gsettings set…): the editor follows. */
  g_settings_set_strv (settings (), "broker-properties", elsewhere);
  g_clear_pointer (&shown, g_free);
  shown = buffer_text (view);
  g_assert_cmpstr (shown, ==, "security.protocol=SSL\n");

  gtk_window_close (prefs);
  g_settings_reset (settings (), "broker-properties");
  g_settings_reset (settings (), "broker-address");
  g_settings_reset (settings (), "kafka-port");
  g_settings_reset (settings (), "kafka-retention-mb");
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
}

/* ---- /app/broker/reset-enabled ------------------------------------------------------ */

/* Only with the local backend and the local Kafka, and only while nothing
 * runs; the local Kafka gets the port and retention of the settings. */
static void
test_reset_enabled (void)
{
  g_autoptr(GPtrArray) starts = NULL;
  g_autofree char *expected = NULL;

  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_settings_set_enum (settings (), "backend", CO2S_BACKEND_LOCAL);
  g_assert_true (reset_enabled ());
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_EMBEDDED);
  g_assert_false (reset_enabled ());
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_EXISTING);
  g_assert_false (reset_enabled ());
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_assert_true (reset_enabled ());
  g_settings_set_enum (settings (), "backend", CO2S_BACKEND_COMPOSE);
  g_assert_false (reset_enabled ());
  g_settings_set_enum (settings (), "backend", CO2S_BACKEND_LOCAL);
  g_assert_true (reset_enabled ());

  /* Running (fake programs): not offered, and asking does nothing. */
  g_settings_set_uint (settings (), "kafka-port", 19093);
  g_settings_set_uint (settings (), "kafka-retention-mb", 64);
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "start", NULL);
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_RUNNING), 15000);
  g_assert_false (reset_enabled ());
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "reset-local-broker", NULL);
  co2s_test_assert_stays (no_message_dialog, NULL, 200);

  starts = records ("start", "kafka");
  g_assert_cmpuint (starts->len, ==, 1);
  expected = g_strdup_printf (" --data-dir %s --port 19093 --retention-bytes %" G_GUINT64_FORMAT, t.kafka_dir,
                              64 * MIB);
  g_test_message ("%s", (char *) g_ptr_array_index (starts, 0));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (starts, 0), expected));

  /* Stopping: still not; stopped: again. */
  g_action_group_activate_action (G_ACTION_GROUP (t.s.app), "stop", NULL);
  g_assert_false (reset_enabled ());
  co2s_test_assert_wait (app_test_pipeline_is, GINT_TO_POINTER (CO2S_PIPELINE_STOPPED), 15000);
  g_assert_true (reset_enabled ());

  g_settings_reset (settings (), "kafka-port");
  g_settings_reset (settings (), "kafka-retention-mb");
}

/* ---- /app/broker/reset-asks-first ------------------------------------------------- */

/* The confirmation says what goes and what stays; Cancel does nothing;
 * Reset runs co2stream-kafka --reset-data and says so; a failure is shown
 * with the program's reason. */
static void
test_reset_asks_first (void)
{
  g_autofree char *dir = g_filename_display_name (t.kafka_dir);
  g_autofree char *models = g_filename_display_name (t.s.model_dir);
  g_autofree char *body = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) resets = NULL;
  LabelWait w = { GTK_WIDGET (t.s.window), NULL };

  fill_kafka_dir (300 * 1000);
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);

  body = confirm_reset ("cancel");
  g_test_message ("%s", body);
  g_assert_nonnull (strstr (body, dir));
  g_assert_nonnull (strstr (body, "kB)"));
  g_assert_nonnull (strstr (body, "every row of the topics streaming_data, streaming_metrics and "
                                  "streaming_data.dlq, and the consumer offsets"));
  g_assert_nonnull (strstr (body, models));
  g_assert_nonnull (strstr (body, "is kept, but it is retrained from the start at the next Start"));
  co2s_test_assert_stays (has_reset_record, GUINT_TO_POINTER (0), 200);
  g_assert_false (has_reset_record (GUINT_TO_POINTER (1)));

  /* Reset: co2stream-kafka --data-dir DIR --reset-data, then a toast. */
  g_clear_pointer (&body, g_free);
  body = confirm_reset ("reset");
  co2s_test_assert_wait (has_reset_record, GUINT_TO_POINTER (1), 5000);
  resets = records ("reset", "kafka");
  expected = g_strdup_printf (" --data-dir %s --reset-data", t.kafka_dir);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (resets, 0), expected));
  w.text = "Local broker data deleted: the next Start begins with empty topics";
  co2s_test_assert_wait (label_shown, &w, 5000);
  g_assert_true (reset_enabled ());

  /* The program refuses (a broker still runs there): its reason is shown. */
  g_setenv ("FAKE_RESET_FAILS", "broker", TRUE);
  g_clear_pointer (&body, g_free);
  body = confirm_reset ("reset");
  co2s_test_assert_wait (has_reset_record, GUINT_TO_POINTER (2), 5000);
  w.text = "a broker still runs from this folder (pid 4242)";
  co2s_test_assert_wait (label_shown, &w, 5000);
  /* (Toast titles are markup: the apostrophe is escaped there.) */
  g_assert_true (app_test_has_label_containing (GTK_WIDGET (t.s.window), "data was not reset"));
  g_assert_true (reset_enabled ());
  g_unsetenv ("FAKE_RESET_FAILS");
}

/* ---- /app/broker/service-row ------------------------------------------------------ */

static GtkWidget *
find_button_by_tooltip (GtkWidget *root,
                        const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_by_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The broker's row says what it is (first line of its subtitle, the whole
 * text in its tooltip), follows the settings, and offers the reset when
 * the broker failed on damaged data. */
static void
test_service_row (void)
{
  Co2sService *broker = co2s_supervisor_get_service (supervisor (), CO2S_SERVICE_BROKER);
  GtkWidget *row = app_test_find_widget (GTK_WIDGET (t.s.window), CO2S_TYPE_SERVICE_ROW);
  g_autofree char *first_line = NULL;
  GtkWidget *reset;
  SubtitleWait w;

  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_assert_nonnull (row);
  g_assert_true (co2s_service_row_get_service (CO2S_SERVICE_ROW (row)) == broker);
  g_test_message ("broker: %s", co2s_service_get_description (broker));
  g_assert_true (g_str_has_prefix (co2s_service_get_description (broker), "Apache Kafka on this computer · 127.0.0.1:"));
  first_line = g_strconcat (co2s_service_get_description (broker), "\n", NULL);
  g_assert_true (g_str_has_prefix (row_subtitle (row), first_line));
  g_assert_true (g_str_has_prefix (gtk_widget_get_tooltip_text (row), first_line));

  /* The description follows the settings (retention, broker). */
  g_settings_set_uint (settings (), "kafka-retention-mb", 2048);
  w.row = row;
  w.text = "retention 2.0\u00a0GiB per partition";
  co2s_test_assert_wait (subtitle_contains, &w, 5000);
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_EMBEDDED);
  w.text = "Embedded demo broker (in memory, no Java)";
  co2s_test_assert_wait (subtitle_contains, &w, 5000);
  g_settings_set_enum (settings (), "broker", CO2S_BROKER_LOCAL_KAFKA);
  g_settings_reset (settings (), "kafka-retention-mb");

  /* Damaged data: the row offers the reset, through the app's action. */
  reset = find_button_by_tooltip (row, "Reset Local Broker Data…");
  g_assert_nonnull (reset);
  g_assert_false (gtk_widget_get_visible (reset));
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_FAILED, "Program co2stream-kafka not found");
  g_assert_false (gtk_widget_get_visible (reset));
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_FAILED,
                          "The local Kafka's data is damaged: reset it (co2stream-kafka --reset-data)");
  g_assert_true (gtk_widget_is_visible (reset));
  g_assert_true (gtk_widget_is_sensitive (reset));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (reset)), ==, "app.reset-local-broker");
  gtk_widget_activate (reset);
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), 5000);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)), "cancel");
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_STOPPED, NULL);
  g_assert_false (gtk_widget_get_visible (reset));
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
  t.kafka_dir = g_build_filename (t.s.tmp_dir, "kafka", NULL);
  t.record = g_build_filename (t.s.tmp_dir, "record.txt", NULL);
  g_setenv ("FAKE_RECORD", t.record, TRUE);
  g_object_set (supervisor (),
                "bin-dir", t.bin_dir,
                "kafka-data-dir", t.kafka_dir,
                "ready-timeout", 5000,
                "stop-timeout", 2000,
                NULL);

  g_test_add_func ("/app/broker/preferences-rows", test_preferences_rows);
  g_test_add_func ("/app/broker/preferences-write-keys", test_preferences_write_keys);
  g_test_add_func ("/app/broker/reset-enabled", test_reset_enabled);
  g_test_add_func ("/app/broker/reset-asks-first", test_reset_asks_first);
  g_test_add_func ("/app/broker/service-row", test_service_row);

  status = g_test_run ();

  app_test_session_close (&t.s);
  g_free (t.bin_dir);
  g_free (t.kafka_dir);
  g_free (t.record);
  return status;
}
