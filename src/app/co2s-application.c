/* co2s-application.c — the co2stream desktop application. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-application.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "co2s-app-cli.h"
#include "co2s-app-config.h"
#include "co2s-contracts.h"
#include "co2s-preferences-window.h"
#include "co2s-window.h"

struct _Co2sApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  Co2sPipelineController *controller;

  gboolean quitting;
  gboolean resetting;          /* a reset of the local broker's data runs */
  gboolean start_at_launch;
  guint sigint_source;
  guint sigterm_source;
};

G_DEFINE_FINAL_TYPE (Co2sApplication, co2s_application, ADW_TYPE_APPLICATION)

/* ---- settings -------------------------------------------------------------- */

/* The paths the settings resolve to now (an empty setting's default depends
 * on the current folder and the data set's presence), for the controller. */
static void
push_paths (Co2sApplication *self)
{
  g_autofree char *dataset = co2s_application_dup_dataset_path (self, NULL);
  g_autofree char *model_dir = co2s_application_dup_model_dir (self, NULL);
  g_autofree char *compose_file = co2s_application_dup_compose_file (self, NULL);

  g_object_set (self->controller,
                "dataset", dataset,
                "model-dir", model_dir,
                "compose-file", compose_file,
                NULL);
}

static void
settings_changed_cb (GSettings *settings,
                     const char *key,
                     gpointer user_data)
{
  if (g_str_equal (key, "dataset") || g_str_equal (key, "model-dir") || g_str_equal (key, "compose-file"))
    push_paths (CO2S_APPLICATION (user_data));
}

/* "kafka-retention-mb" (u, MiB) → "kafka-retention-bytes" (guint64). */
static gboolean
mib_to_bytes_mapping (GValue *value,
                      GVariant *variant,
                      gpointer user_data)
{
  g_value_set_uint64 (value, (guint64) g_variant_get_uint32 (variant) * 1048576);
  return TRUE;
}

/* The settings drive the controller and the supervisor: plain values bound,
 * paths resolved. Which broker runs and the local Kafka's settings are the
 * supervisor's own (co2s-pipeline-controller.h). */
static void
bind_settings (Co2sApplication *self)
{
  static const char * const keys[] = { "backend", "broker-address", "api-rate", "batch-rows", "algo", "trainers" };
  static const struct {
    const char *key;
    const char *property;
  } supervisor_keys[] = {
    { "broker", "broker-kind" },
    { "broker-properties", "broker-properties" },
    { "kafka-port", "kafka-port" },
  };
  Co2sSupervisor *supervisor = co2s_pipeline_controller_get_supervisor (self->controller);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (self->settings, keys[i], self->controller, keys[i], G_SETTINGS_BIND_GET);
  for (guint i = 0; i < G_N_ELEMENTS (supervisor_keys); i++)
    g_settings_bind (self->settings, supervisor_keys[i].key, supervisor, supervisor_keys[i].property,
                     G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "kafka-retention-mb", supervisor, "kafka-retention-bytes",
                                G_SETTINGS_BIND_GET, mib_to_bytes_mapping, NULL, NULL, NULL);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  push_paths (self);
}

/* ---- actions --------------------------------------------------------------- */

static void
start_action (GSimpleAction *action,
              GVariant *parameter,
              gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  push_paths (self);
  co2s_pipeline_controller_start (self->controller);
}

static void
stop_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  co2s_pipeline_controller_stop (CO2S_APPLICATION (user_data)->controller);
}

static void
retrain_response_cb (AdwMessageDialog *dialog,
                     const char *response,
                     gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  if (g_strcmp0 (response, "retrain") != 0)
    return;

  push_paths (self);
  co2s_pipeline_controller_retrain (self->controller);
}

static void
retrain_action (GSimpleAction *action,
                GVariant *parameter,
                gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Retrain From the Start?"),
    _("The current model is discarded. The trainer learns again from the first vehicle "
      "of the stream, replaying every message kept by the broker.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "retrain", _("_Retrain"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "retrain", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (retrain_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Reset local broker data… ----------------------------------------------- */

/* Enabled when that reset can run: local backend with the local Kafka,
 * nothing running or stopping, no reset under way, not quitting. */
static void
update_reset_enabled (Co2sApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "reset-local-broker");
  Co2sPipelineState state = co2s_pipeline_controller_get_state (self->controller);
  gboolean enabled;

  enabled = !self->quitting && !self->resetting
            && g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_LOCAL
            && g_settings_get_enum (self->settings, "broker") == CO2S_BROKER_LOCAL_KAFKA
            && (state == CO2S_PIPELINE_STOPPED || state == CO2S_PIPELINE_FAILED)
            && !co2s_supervisor_get_active (co2s_pipeline_controller_get_supervisor (self->controller));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
reset_enabled_changed_cb (Co2sApplication *self)
{
  update_reset_enabled (self);
}

static Co2sWindow *
find_main_window (Co2sApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CO2S_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* Says how a reset went where the user is: the preferences window it was
 * asked from while still shown, else the main window. Errors stay until
 * dismissed. */
static void
show_reset_result (Co2sApplication *self,
                   GtkWindow *asked_from,
                   const char *message,
                   gboolean is_error)
{
  Co2sWindow *window;

  if (asked_from != NULL && ADW_IS_PREFERENCES_WINDOW (asked_from) && gtk_widget_get_visible (GTK_WIDGET (asked_from)))
    {
      g_autofree char *escaped = g_markup_escape_text (message, -1);
      AdwToast *toast = adw_toast_new (escaped);

      if (is_error)
        {
          adw_toast_set_timeout (toast, 0);
          adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
        }
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (asked_from), toast);
      return;
    }

  window = find_main_window (self);
  if (window == NULL)
    g_message ("%s", message);
  else if (is_error)
    co2s_window_add_error_toast (window, message);
  else
    co2s_window_add_toast (window, message);
}

/* One confirmation, and the reset it asks for; reference-counted (g_rc_box):
 * held by the dialog's response handler, the size measurement and the
 * reset under way. */
typedef struct {
  Co2sApplication *app;         /* owned */
  AdwMessageDialog *dialog;     /* weak */
  GtkWindow *asked_from;        /* weak */
  char *data_dir;
  char *model_dir;
} ResetJob;

static void
reset_job_clear (gpointer data)
{
  ResetJob *job = data;

  g_clear_weak_pointer (&job->dialog);
  g_clear_weak_pointer (&job->asked_from);
  g_object_unref (job->app);
  g_free (job->data_dir);
  g_free (job->model_dir);
}

static void
reset_job_unref (ResetJob *job)
{
  g_rc_box_release_full (job, reset_job_clear);
}

static void
reset_job_closure_notify (gpointer data,
                          GClosure *closure)
{
  reset_job_unref (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ResetJob, reset_job_unref)

/* What the confirmation says is deleted and what is kept. */
static void
reset_job_set_body (ResetJob *job,
                    const char *size_text)
{
  g_autofree char *dir = g_filename_display_name (job->data_dir);
  g_autofree char *model_dir = g_filename_display_name (job->model_dir);
  g_autofree char *deleted = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *body = NULL;

  if (job->dialog == NULL)
    return;

  /* Translators: the local Kafka's data folder, its size ("12.3 MB",
   * "measuring its size…"), then three topic names */
  deleted = g_strdup_printf (_("This deletes the folder “%s” (%s): every row of the topics %s, %s and %s, "
                               "and the consumer offsets."),
                             dir, size_text, CO2S_TOPIC_DATA, CO2S_TOPIC_METRICS, CO2S_TOPIC_DLQ);
  /* Translators: %s is the model folder */
  kept = g_strdup_printf (_("The model in “%s” is kept, but it is retrained from the start at the next Start."),
                          model_dir);
  body = g_strconcat (deleted, "\n\n", kept, NULL);
  adw_message_dialog_set_body (job->dialog, body);
}

static void
reset_measured_cb (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr(ResetJob) job = user_data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  if (g_file_measure_disk_usage_finish (G_FILE (source), result, &bytes, NULL, NULL, &error))
    {
      g_autofree char *size = g_format_size (bytes);

      reset_job_set_body (job, size);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    reset_job_set_body (job, _("it does not exist yet"));
  else
    reset_job_set_body (job, _("size unknown"));
}

static void
reset_done_cb (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr(ResetJob) job = user_data;
  Co2sApplication *self = job->app;
  g_autoptr(GError) error = NULL;

  self->resetting = FALSE;
  update_reset_enabled (self);

  if (co2s_supervisor_reset_local_kafka_finish (CO2S_SUPERVISOR (source), result, &error))
    {
      show_reset_result (self, job->asked_from,
                         _("Local broker data deleted: the next Start begins with empty topics and trains "
                           "the model from the start."),
                         FALSE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
    {
      /* The supervisor's message says what was not done and why. */
      show_reset_result (self, job->asked_from, error->message, TRUE);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("The local broker's data was not reset: %s"), error->message);

      show_reset_result (self, job->asked_from, message, TRUE);
    }
}

static void
reset_response_cb (AdwMessageDialog *dialog,
                   const char *response,
                   gpointer user_data)
{
  ResetJob *job = user_data;
  Co2sApplication *self = job->app;

  if (g_strcmp0 (response, "reset") != 0)
    return;

  self->resetting = TRUE;
  update_reset_enabled (self);
  co2s_supervisor_reset_local_kafka_async (co2s_pipeline_controller_get_supervisor (self->controller), NULL,
                                           reset_done_cb, g_rc_box_acquire (job));
}

static void
reset_local_broker_action (GSimpleAction *action,
                           GVariant *parameter,
                           gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  Co2sSupervisor *supervisor = co2s_pipeline_controller_get_supervisor (self->controller);
  g_autoptr(GFile) folder = NULL;
  ResetJob *job = g_rc_box_new0 (ResetJob);
  AdwMessageDialog *dialog;

  job->app = g_object_ref (self);
  job->data_dir = co2s_supervisor_get_kafka_data_dir (supervisor);
  job->model_dir = co2s_application_dup_model_dir (self, NULL);
  g_set_weak_pointer (&job->asked_from, parent);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Reset Local Broker Data?"), NULL));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "reset", _("_Reset"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "reset", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_set_weak_pointer (&job->dialog, dialog);
  reset_job_set_body (job, _("measuring its size…"));

  /* The size comes when measured. */
  folder = g_file_new_for_path (job->data_dir);
  g_file_measure_disk_usage_async (folder, G_FILE_MEASURE_NONE, G_PRIORITY_DEFAULT, NULL, NULL, NULL,
                                   reset_measured_cb, g_rc_box_acquire (job));
  /* The dialog's reference goes with the dialog. */
  g_signal_connect_data (dialog, "response", G_CALLBACK (reset_response_cb), job, reset_job_closure_notify, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant *parameter,
                    gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  Co2sPreferencesWindow *prefs = co2s_preferences_window_new (self, parent);

  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant *parameter,
              gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The co2stream developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("CO₂ Stream"),
                        "application-icon", CO2S_APP_ID,
                        "developer-name", _("The co2stream developers"),
                        "version", CO2S_VERSION,
                        "comments", _("Trains a CO₂ emissions model on a live stream of vehicles, "
                                      "with Kafka, and shows how it learns."),
                        "website", "https://github.com/co2stream/co2stream",
                        "issue-url", "https://github.com/co2stream/co2stream/issues",
                        "license-type", GTK_LICENSE_MIT_X11,
                        "developers", developers,
                        /* Translators: your name(s), one per line, e.g. "Marie Curie <marie@example.org>" */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), _("Data Set"),
                                      _("Fuel Consumption Ratings, Natural Resources Canada"),
                                      GTK_LICENSE_CUSTOM,
                                      _("Contains information licensed under the Open Government Licence – Canada."));
  gtk_window_present (GTK_WINDOW (about));
}

static void
shutdown_cb (GObject *source,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(Co2sApplication) self = CO2S_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (!co2s_pipeline_controller_shutdown_finish (CO2S_PIPELINE_CONTROLLER (source), result, &error))
    g_message ("Stop failed: %s", error->message);

  g_application_release (G_APPLICATION (self));
  g_application_quit (G_APPLICATION (self));
}

static void
quit_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  GList *windows;

  if (self->quitting)
    return;
  self->quitting = TRUE;
  update_reset_enabled (self);

  /* Nothing to wait for on screen: hide the windows, stop, then quit. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_widget_set_visible (GTK_WIDGET (l->data), FALSE);
  g_list_free (windows);

  g_application_hold (G_APPLICATION (self));
  co2s_pipeline_controller_shutdown_async (self->controller, NULL, shutdown_cb, g_object_ref (self));
}

static gboolean
unix_signal_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

/* ---- command line ---------------------------------------------------------- */

static int
co2s_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  Co2sApplication *self = CO2S_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  int status;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("co2stream %s\n", CO2S_VERSION);
      return 0;
    }

  /* --export-plot: done here, before anything opens a display. */
  status = co2s_app_cli_handle_export (options);
  if (status >= 0)
    return status;

  if (g_variant_dict_contains (options, "start"))
    {
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("co2stream: %s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (app))
        g_action_group_activate_action (G_ACTION_GROUP (app), "start", NULL);
      else
        self->start_at_launch = TRUE;
    }

  return -1;
}

/* ---- lifecycle ------------------------------------------------------------- */

static void
co2s_application_activate (GApplication *app)
{
  Co2sApplication *self = CO2S_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (co2s_window_new (self));

  gtk_window_present (window);

  if (self->start_at_launch)
    {
      self->start_at_launch = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (self), "start", NULL);
    }
}

static const GActionEntry app_actions[] = {
  { "start", start_action },
  { "stop", stop_action },
  { "retrain", retrain_action },
  { "reset-local-broker", reset_local_broker_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
co2s_application_startup (GApplication *app)
{
  Co2sApplication *self = CO2S_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.start", { "F5", "<Control>Return", NULL } },
    { "app.stop", { "<Shift>F5", "<Control>period", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.predict", { "<Control>p", NULL } },
    { "win.reload-model", { "<Control><Shift>r", NULL } },
    { "win.dead-letters", { "<Control>d", NULL } },
    { "win.export-plot", { "<Control>e", NULL } },
    { "win.export-metrics", { "<Control><Shift>e", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };
  static const struct {
    const char *action;
    const char *property;
  } enabled_by[] = {
    { "start", "can-start" },
    { "stop", "can-stop" },
    { "retrain", "can-retrain" },
  };

  G_APPLICATION_CLASS (co2s_application_parent_class)->startup (app);

  g_set_application_name (_("CO₂ Stream"));
  gtk_window_set_default_icon_name (CO2S_APP_ID);

  self->settings = co2s_app_create_settings (&error);
  if (self->settings == NULL)
    g_error ("%s", error->message);

  self->controller = co2s_pipeline_controller_new (NULL, NULL);
  bind_settings (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (enabled_by); i++)
    g_object_bind_property (self->controller, enabled_by[i].property,
                            g_action_map_lookup_action (G_ACTION_MAP (self), enabled_by[i].action), "enabled",
                            G_BINDING_SYNC_CREATE);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
  g_signal_connect_object (self->controller, "notify::state", G_CALLBACK (reset_enabled_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (co2s_pipeline_controller_get_supervisor (self->controller), "notify::active",
                           G_CALLBACK (reset_enabled_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::backend", G_CALLBACK (reset_enabled_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::broker", G_CALLBACK (reset_enabled_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_reset_enabled (self);

  self->sigint_source = g_unix_signal_add (SIGINT, unix_signal_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, unix_signal_cb, self);
}

static void
co2s_application_shutdown (GApplication *app)
{
  Co2sApplication *self = CO2S_APPLICATION (app);

  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  /* Quitting through app.quit stopped the pipeline already; otherwise the
   * supervisor's dispose sends SIGTERM to whatever still runs (and the
   * children die with this process anyway: PR_SET_PDEATHSIG). */
  G_APPLICATION_CLASS (co2s_application_parent_class)->shutdown (app);
}

static void
co2s_application_dispose (GObject *object)
{
  Co2sApplication *self = CO2S_APPLICATION (object);

  g_clear_object (&self->controller);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (co2s_application_parent_class)->dispose (object);
}

static void
co2s_application_class_init (Co2sApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = co2s_application_dispose;

  app_class->activate = co2s_application_activate;
  app_class->startup = co2s_application_startup;
  app_class->shutdown = co2s_application_shutdown;
  app_class->handle_local_options = co2s_application_handle_local_options;
}

static void
co2s_application_init (Co2sApplication *self)
{
  co2s_app_cli_add_options (G_APPLICATION (self));
}

/* ---- public API ------------------------------------------------------------ */

Co2sApplication *
co2s_application_new (const char *application_id,
                      GApplicationFlags flags)
{
  return g_object_new (CO2S_TYPE_APPLICATION,
                       "application-id", application_id != NULL ? application_id : CO2S_APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/co2stream/Co2stream",
                       NULL);
}

GSettings *
co2s_application_get_settings (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->settings;
}

Co2sPipelineController *
co2s_application_get_controller (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->controller;
}

Co2sSupervisor *
co2s_application_get_supervisor (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_pipeline_controller_get_supervisor (self->controller);
}

Co2sMetricsHistory *
co2s_application_get_history (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_pipeline_controller_get_history (self->controller);
}

Co2sMetricsFollower *
co2s_application_get_follower (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_pipeline_controller_get_follower (self->controller);
}

Co2sPipelineState
co2s_application_get_pipeline_state (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), CO2S_PIPELINE_STOPPED);

  return co2s_pipeline_controller_get_state (self->controller);
}

const char *
co2s_application_get_last_error (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_pipeline_controller_get_last_error (self->controller);
}

gboolean
co2s_application_get_dataset_missing (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), FALSE);

  return co2s_pipeline_controller_get_dataset_missing (self->controller);
}

char *
co2s_application_dup_dataset_path (Co2sApplication *self,
                                   gboolean *is_default)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_app_dup_path_setting (self->settings, "dataset", is_default);
}

char *
co2s_application_dup_model_dir (Co2sApplication *self,
                                gboolean *is_default)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_app_dup_path_setting (self->settings, "model-dir", is_default);
}

char *
co2s_application_dup_compose_file (Co2sApplication *self,
                                   gboolean *is_default)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return co2s_app_dup_path_setting (self->settings, "compose-file", is_default);
}

char *
co2s_application_dup_model_path (Co2sApplication *self)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  /* With several trainers, their merged model in the scale-out subfolder
   * (the controller's "model-dir" follows the setting). */
  if (self->controller != NULL)
    dir = co2s_pipeline_controller_dup_model_folder (self->controller);
  else
    dir = co2s_application_dup_model_dir (self, NULL);

  return g_build_filename (dir, CO2S_MODEL_FILE, NULL);
}

void
co2s_application_recheck_dataset (Co2sApplication *self)
{
  g_return_if_fail (CO2S_IS_APPLICATION (self));

  if (self->controller == NULL)
    return;

  push_paths (self);
  co2s_pipeline_controller_recheck_dataset (self->controller);
}
