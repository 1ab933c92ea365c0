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
  static const char * const keys[] = { "backend", "broker-address", "api-rate", "batch-rows", "algo" };
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
  g_autofree char *dir = co2s_application_dup_model_dir (self, NULL);

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
