/* test-app-dlq.c — the Dead Letters window, driven in-process under its own
 * Xvfb: opened from the main window (win.dead-letters, Ctrl+D), it lists
 * the letters of an embedded broker's streaming_data.dlq (the app set to an
 * existing Kafka at that address), filters them by reason, shows the raw
 * payload, sends the selected ones back after the confirmation (exactly
 * once: a second time they are "already sent back") and names every
 * control for assistive technologies.
 *
 * Suite app: /app/dlq/window. With CO2S_SCREENSHOT_DIR set, also saves
 * dlq-window-en.png there (the README's screenshot). */
#define G_LOG_DOMAIN "test-app-dlq"

#include <string.h>

#include "app-test-util.h"
#include "co2s-contracts.h"
#include "co2s-dlq-window.h"
#include "co2s-dlq.h"
#include "co2s-kafka.h"
#include "co2s-test-util.h"

static const struct {
  const char *reason;
  const char *detail;
  const char *payload;
} letters[] = {
  { "not-json", "syntax error at byte 31", "{\"Engine_Size\": 2.0, \"seq\": 4, \"Cylinders\"" },
  { "out-of-range", "Engine_Size 55 is not in 0.5…10 L", "{\"Engine_Size\":55.0,\"Cylinders\":4,\"seq\":13}" },
  { "not-json", "syntax error at byte 12", "{\"seq\": 22, " },
};

/* Writes the letters to the DLQ the way the trainer does (headers reason,
 * detail, source) and waits for their delivery. */
static void
produce_letters (const char *brokers)
{
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (brokers, NULL, &error);
  rd_kafka_t *rk;

  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (letters); i++)
    {
      g_autofree char *source = g_strdup_printf (CO2S_TOPIC_DATA "[0]@%u", 4 + 9 * i);

      g_assert_cmpint (co2s_kafka_produce_dead_letter (rk, CO2S_TOPIC_DLQ, letters[i].payload,
                                                       strlen (letters[i].payload), NULL, 0, letters[i].reason,
                                                       letters[i].detail, source),
                       ==, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  g_assert_cmpint (rd_kafka_flush (rk, 10000), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy (rk);
}

static gboolean
window_idle (gpointer data)
{
  return !co2s_dlq_window_get_busy (data);
}

typedef struct {
  Co2sDlqWindow *window;
  guint n;
} Rows;

static gboolean
rows_are (gpointer data)
{
  Rows *r = data;

  return !co2s_dlq_window_get_busy (r->window) &&
         g_list_model_get_n_items (G_LIST_MODEL (co2s_dlq_window_get_selection (r->window))) == r->n;
}

static AdwMessageDialog *
wait_dialog (void)
{
  if (!co2s_test_wait_until (app_test_toplevel_mapped, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), 10000))
    g_error ("no confirmation shown within 10 s");
  return ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

/* What a click on the @response button does: the response, then the dialog goes. */
static void
respond (AdwMessageDialog *dialog, const char *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
no_dialog (gpointer unused)
{
  (void) unused;
  return app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

/* Renders @window as GTK draws it into DIR/NAME-en.png. */
static void
save_png (GtkWidget *window, const char *dir, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s-en.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int width, height;

  g_assert_true (co2s_test_gtk_wait_frames (window, 30, 10000));
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot %s (%d×%d)", path, width, height);
}

static void
test_window (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(Co2sApplication) app = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;
  g_autofree char *payload = NULL;
  const char *shots = g_getenv ("CO2S_SCREENSHOT_DIR");
  Co2sDlqOptions opts = { .brokers = brokers, .timeout_ms = 10000 };
  Co2sWindow *main_window;
  Co2sDlqWindow *dlq;
  GtkSelectionModel *rows;
  GtkDropDown *reasons;
  GListModel *reason_model;
  AdwMessageDialog *dialog;
  Rows want;
  guint n_copies = 0;

  produce_letters (brokers);
  app = app_test_new_app (&main_window);
  co2s_test_assert_wait (co2s_test_gtk_widget_mapped, main_window, 10000);
  /* An existing Kafka at the embedded broker's address: what the window reads. */
  g_settings_set_enum (co2s_application_get_settings (app), "broker", CO2S_BROKER_EXISTING);
  g_settings_set_string (co2s_application_get_settings (app), "broker-address", brokers);

  /* Reachable by keyboard: Ctrl+D, and from the main menu's action. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.dead-letters");
  g_assert_nonnull (accels);
  g_assert_cmpstr (accels[0], ==, "<Control>d");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.dead-letters", NULL));
  co2s_test_assert_wait (app_test_toplevel_mapped, GSIZE_TO_POINTER (CO2S_TYPE_DLQ_WINDOW), 10000);
  dlq = CO2S_DLQ_WINDOW (app_test_find_toplevel (CO2S_TYPE_DLQ_WINDOW));
  rows = co2s_dlq_window_get_selection (dlq);
  want = (Rows) { dlq, G_N_ELEMENTS (letters) };
  co2s_test_assert_wait (rows_are, &want, 20000);
  g_assert_cmpstr (co2s_dlq_window_get_status (dlq), ==, "3 dead letters");
  app_test_assert_all_named (GTK_WIDGET (dlq));
  app_test_assert_mnemonics_unique (GTK_WIDGET (dlq));
  g_assert_true (app_test_has_label (GTK_WIDGET (dlq), "out-of-range"));
  g_assert_true (app_test_has_label (GTK_WIDGET (dlq), CO2S_TOPIC_DATA "[0]@13"));

  /* Send back: disabled without a selection. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dlq), "dlq.redrive", NULL) &&
                  app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL);

  /* Filter by reason: All reasons, not-json, out-of-range. */
  reasons = GTK_DROP_DOWN (app_test_find_widget (GTK_WIDGET (dlq), GTK_TYPE_DROP_DOWN));
  reason_model = gtk_drop_down_get_model (reasons);
  g_assert_cmpuint (g_list_model_get_n_items (reason_model), ==, 3);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (reason_model), 1), ==, "not-json");
  gtk_drop_down_set_selected (reasons, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 2);
  g_assert_cmpstr (co2s_dlq_window_get_status (dlq), ==, "2 of 3 dead letters shown");

  /* The raw payload of the selected row. */
  gtk_selection_model_select_item (rows, 1, TRUE);
  payload = co2s_dlq_window_dup_payload_text (dlq);
  g_assert_cmpstr (payload, ==, letters[2].payload);

  /* Both not-json letters, sent back after the confirmation. */
  gtk_selection_model_select_all (rows);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dlq), "dlq.redrive", NULL));
  dialog = wait_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Send 2 Dead Letters Back?");
  if (shots != NULL)
    save_png (GTK_WIDGET (dialog), shots, "dlq-confirm");
  respond (dialog, "send");
  co2s_test_assert_wait (no_dialog, NULL, 10000);
  co2s_test_assert_wait (window_idle, dlq, 30000);
  g_test_message ("status: %s", co2s_dlq_window_get_status (dlq));
  g_assert_nonnull (strstr (co2s_dlq_window_get_status (dlq),
                            "Sent back 2 to streaming_data; 0 already sent back, not sent again"));
  g_assert_true (app_test_has_label (GTK_WIDGET (dlq), "not-json"));

  if (shots != NULL)
    {
      gtk_drop_down_set_selected (reasons, 0);
      gtk_selection_model_select_item (rows, 1, TRUE);
      save_png (GTK_WIDGET (dlq), shots, "dlq-window");
      gtk_drop_down_set_selected (reasons, 1);
    }

  /* Again: nothing is sent twice. */
  gtk_selection_model_select_all (rows);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dlq), "dlq.redrive", NULL));
  respond (wait_dialog (), "send");
  co2s_test_assert_wait (no_dialog, NULL, 10000);
  co2s_test_assert_wait (window_idle, dlq, 30000);
  g_assert_nonnull (strstr (co2s_dlq_window_get_status (dlq),
                            "Sent back 0 to streaming_data; 2 already sent back, not sent again"));

  /* In Kafka: the two letters once each in streaming_data, marked sent back. */
  listed = co2s_dlq_list (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpint (co2s_dead_letter_get_redriven (g_ptr_array_index (listed, i)) != NULL, ==,
                     g_str_equal (letters[i].reason, "not-json"));
  copies = co2s_test_kafka_consume (brokers, CO2S_TOPIC_DATA, 2, 10000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < copies->len; i++)
    if (co2s_test_message_header (g_ptr_array_index (copies, i), CO2S_DLQ_HEADER_REDRIVE) != NULL)
      n_copies++;
  g_assert_cmpuint (n_copies, ==, 2);

  gtk_window_destroy (GTK_WINDOW (dlq));
}

int
main (int argc, char *argv[])
{
  co2s_app_init_i18n ();
  g_test_init (&argc, &argv, NULL);
  app_test_start_display ();

  g_test_add_func ("/app/dlq/window", test_window);

  return g_test_run ();
}
