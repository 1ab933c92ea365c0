/* co2s-application.c — the co2stream desktop application. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-application.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "co2s-app-cli.h"
#include "co2s-app-config.h"
#include "co2s-preferences-window.h"
#include "co2s-window.h"

struct _Co2sApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  Co2sSupervisor *supervisor;
  Co2sMetricsHistory *history;
  Co2sMetricsFollower *follower;
  char *follower_brokers;       /* address the follower was made for */
  char *history_path;           /* metrics.jsonl the history was read from */
  GCancellable *load_cancellable;
  GFileMonitor *dataset_monitor;
  char *dataset_watched;        /* path dataset_monitor watches */

  Co2sPipelineState pipeline_state;
  char *last_error;
  gboolean dataset_missing;
  gboolean starting;
  gboolean stopping;
  gboolean quitting;
  gboolean start_at_launch;
  guint sigint_source;
  guint sigterm_source;
};

G_DEFINE_FINAL_TYPE (Co2sApplication, co2s_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_FOLLOWER,
  PROP_PIPELINE_STATE,
  PROP_LAST_ERROR,
  PROP_DATASET_MISSING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_pipeline_state (Co2sApplication *self);

/* ---- state ----------------------------------------------------------------- */

static void
set_last_error (Co2sApplication *self,
                const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
update_actions (Co2sApplication *self)
{
  GAction *action;
  gboolean active = co2s_supervisor_get_active (self->supervisor);
  gboolean local = g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_LOCAL;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "start");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               !active && !self->stopping && !self->quitting && !self->dataset_missing);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "stop");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), (active || self->starting) && !self->quitting);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "retrain");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               local && !self->stopping && !self->quitting && !self->dataset_missing);
}

static void
dataset_changed_cb (GFileMonitor *monitor,
                    GFile *file,
                    GFile *other_file,
                    GFileMonitorEvent event,
                    gpointer user_data)
{
  co2s_application_recheck_dataset (CO2S_APPLICATION (user_data));
}

static void
watch_dataset (Co2sApplication *self,
               const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  if (self->dataset_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->dataset_monitor, dataset_changed_cb, self);
      g_file_monitor_cancel (self->dataset_monitor);
      g_clear_object (&self->dataset_monitor);
    }

  /* Fails quietly when the folder does not exist; the window rechecks
   * whenever it becomes active anyway. */
  self->dataset_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->dataset_monitor != NULL)
    g_signal_connect (self->dataset_monitor, "changed", G_CALLBACK (dataset_changed_cb), self);
}

/* ---- metrics history and follower ----------------------------------------- */

/* The settings ask for the embedded broker (local backend, no address). */
static gboolean
uses_embedded_broker (Co2sApplication *self)
{
  g_autofree char *address = g_settings_get_string (self->settings, "broker-address");

  return g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_LOCAL &&
         g_strstrip (address)[0] == '\0';
}

static void
load_metrics_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;

  if (!co2s_metrics_history_load_file_finish (CO2S_METRICS_HISTORY (source), result, &report, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("%s", error->message);
      return;
    }

  if (report->bad_lines > 0)
    g_message ("%s: %" G_GUINT64_FORMAT " bad line(s) skipped, first: %s", report->path,
               report->bad_lines,
               report->problems->len > 0 ? (const char *) g_ptr_array_index (report->problems, 0) : "");
}

/* Reads the model folder's metrics.jsonl; when the folder changed since the
 * last read, the history is emptied first (it belongs to another model). */
static void
load_metrics (Co2sApplication *self)
{
  g_autofree char *path = co2s_application_dup_metrics_path (self);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  if (g_strcmp0 (path, self->history_path) != 0)
    {
      co2s_metrics_history_clear (self->history);
      g_free (self->history_path);
      self->history_path = g_strdup (path);
    }

  co2s_metrics_history_load_file_async (self->history, path, self->load_cancellable,
                                        load_metrics_cb, NULL);
}

static void
follower_assigned_cb (Co2sMetricsFollower *follower,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  /* From now on every new batch arrives live: read the file again to fill
   * the batches written before the follower was assigned. */
  if (co2s_metrics_follower_get_assigned (follower))
    load_metrics (self);
}

static void
stop_follower (Co2sApplication *self)
{
  if (self->follower == NULL)
    return;

  g_signal_handlers_disconnect_by_func (self->follower, follower_assigned_cb, self);
  /* Blocks briefly (the consumer leaves its group): done while the broker
   * is still up, before the pipeline stops. */
  co2s_metrics_follower_stop (self->follower);
  g_clear_object (&self->follower);
  g_clear_pointer (&self->follower_brokers, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWER]);
}

static void
bootstrap_servers_cb (Co2sSupervisor *supervisor,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);
  const char *brokers = co2s_supervisor_get_bootstrap_servers (supervisor);
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  gboolean embedded;

  if (brokers == NULL || brokers[0] == '\0')
    return; /* keep following until a new address is known or Stop */
  if (g_strcmp0 (brokers, self->follower_brokers) == 0)
    return;

  stop_follower (self);

  embedded = co2s_supervisor_get_backend (supervisor) == CO2S_BACKEND_LOCAL &&
             uses_embedded_broker (self);

  follower = co2s_metrics_follower_new (brokers);
  /* A new embedded broker only holds this run's metrics: read them all.
   * A real Kafka keeps older runs: start at its end, the file has the past. */
  g_object_set (follower,
                "offset-reset", embedded ? "earliest" : "latest",
                "history", self->history,
                NULL);
  if (!co2s_metrics_follower_start (follower, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot follow the training metrics: %s"), error->message);

      g_message ("%s", message);
      set_last_error (self, message);
      return;
    }

  if (!embedded)
    g_signal_connect (follower, "notify::assigned", G_CALLBACK (follower_assigned_cb), self);
  self->follower = g_steal_pointer (&follower);
  self->follower_brokers = g_strdup (brokers);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWER]);
}

/* ---- pipeline -------------------------------------------------------------- */

static void
update_pipeline_state (Co2sApplication *self)
{
  Co2sPipelineState state;
  GListModel *services = co2s_supervisor_get_services (self->supervisor);
  gboolean any_failed = FALSE;
  gboolean all_running = TRUE;
  guint n_enabled = 0;

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);
      Co2sServiceState st = co2s_service_get_state (service);

      if (!co2s_service_get_enabled (service))
        continue;
      n_enabled++;
      if (st == CO2S_SERVICE_STATE_FAILED)
        any_failed = TRUE;
      if (st != CO2S_SERVICE_STATE_RUNNING && st != CO2S_SERVICE_STATE_UNHEALTHY)
        all_running = FALSE;
    }

  /* A Start in progress wins over the failure of the previous one (the
   * supervisor keeps FAILED services until it gets to them again). */
  if (self->stopping)
    state = CO2S_PIPELINE_STOPPING;
  else if (self->starting && !all_running)
    state = CO2S_PIPELINE_STARTING;
  else if (any_failed)
    state = CO2S_PIPELINE_FAILED;
  else if (co2s_supervisor_get_active (self->supervisor) && all_running && n_enabled > 0)
    state = CO2S_PIPELINE_RUNNING;
  else if (self->starting || co2s_supervisor_get_active (self->supervisor))
    state = CO2S_PIPELINE_STARTING;
  else
    state = CO2S_PIPELINE_STOPPED;

  if (state != self->pipeline_state)
    {
      self->pipeline_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINE_STATE]);
    }
  update_actions (self);
}

static void
service_state_cb (GObject *service,
                  GParamSpec *pspec,
                  gpointer user_data)
{
  update_pipeline_state (CO2S_APPLICATION (user_data));
}

static void
supervisor_active_cb (Co2sSupervisor *supervisor,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  update_pipeline_state (CO2S_APPLICATION (user_data));
}

/* The settings, as the supervisor's configuration for the next Start. */
static void
apply_settings (Co2sApplication *self)
{
  g_autofree char *broker_address = g_settings_get_string (self->settings, "broker-address");
  g_autofree char *algo = g_settings_get_string (self->settings, "algo");
  g_autofree char *dataset = co2s_application_dup_dataset_path (self, NULL);
  g_autofree char *model_dir = co2s_application_dup_model_dir (self, NULL);
  g_autofree char *compose_file = co2s_application_dup_compose_file (self, NULL);

  g_object_set (self->supervisor,
                "backend", g_settings_get_enum (self->settings, "backend"),
                "broker-address", g_strstrip (broker_address),
                "api-rate", g_settings_get_double (self->settings, "api-rate"),
                "batch-rows", g_settings_get_uint (self->settings, "batch-rows"),
                "algo", algo,
                "dataset", dataset,
                "model-dir", model_dir,
                "compose-file", compose_file,
                NULL);
}

static void
start_cb (GObject *source,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr(Co2sApplication) self = CO2S_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  self->starting = FALSE;
  if (!co2s_supervisor_start_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The pipeline could not start: %s"), error->message);

      g_message ("%s", message);
      set_last_error (self, message);
    }
  update_pipeline_state (self);
}

static void
start_action (GSimpleAction *action,
              GVariant *parameter,
              gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  co2s_application_recheck_dataset (self);
  if (self->dataset_missing || co2s_supervisor_get_active (self->supervisor) || self->stopping)
    return;

  set_last_error (self, NULL);
  apply_settings (self);
  if (uses_embedded_broker (self))
    {
      /* A new embedded broker means a new model: the trainer starts with
       * --reset and empties metrics.jsonl. The old batches go; the
       * follower reads every batch of this run from the broker. */
      g_cancellable_cancel (self->load_cancellable);
      g_free (self->history_path);
      self->history_path = co2s_application_dup_metrics_path (self);
      co2s_metrics_history_clear (self->history);
    }
  else
    {
      /* The model folder may have changed in Preferences. */
      load_metrics (self);
    }

  self->starting = TRUE;
  co2s_supervisor_start_async (self->supervisor, NULL, start_cb, g_object_ref (self));
  update_pipeline_state (self);
}

static void
stop_cb (GObject *source,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr(Co2sApplication) self = CO2S_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_stop_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Stop failed: %s", error->message);

  self->stopping = FALSE;
  update_pipeline_state (self);

  if (self->quitting)
    {
      g_application_release (G_APPLICATION (self));
      g_application_quit (G_APPLICATION (self));
    }
}

static void
stop_pipeline (Co2sApplication *self)
{
  stop_follower (self);
  self->stopping = TRUE;
  self->starting = FALSE;
  co2s_supervisor_stop_async (self->supervisor, NULL, stop_cb, g_object_ref (self));
  update_pipeline_state (self);
}

static void
stop_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  stop_pipeline (CO2S_APPLICATION (user_data));
}

static void
retrain_cb (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr(Co2sApplication) self = CO2S_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_retrain_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Retraining failed: %s"), error->message);

      g_message ("%s", message);
      set_last_error (self, message);
    }
  update_pipeline_state (self);
}

static void
retrain_response_cb (AdwMessageDialog *dialog,
                     const char *response,
                     gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  if (g_strcmp0 (response, "retrain") != 0)
    return;

  set_last_error (self, NULL);
  if (!co2s_supervisor_get_active (self->supervisor))
    apply_settings (self);
  co2s_supervisor_retrain_async (self->supervisor, NULL, retrain_cb, g_object_ref (self));
  update_pipeline_state (self);
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

  if (co2s_supervisor_get_active (self->supervisor) || self->starting || self->stopping)
    {
      g_application_hold (G_APPLICATION (self));
      if (self->stopping)
        return; /* stop_cb quits */
      stop_pipeline (self);
      return;
    }

  stop_follower (self);
  g_application_quit (G_APPLICATION (self));
}

static gboolean
unix_signal_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static void
settings_changed_cb (GSettings *settings,
                     const char *key,
                     gpointer user_data)
{
  Co2sApplication *self = CO2S_APPLICATION (user_data);

  if (g_str_equal (key, "dataset") || g_str_equal (key, "backend"))
    co2s_application_recheck_dataset (self);
  if (g_str_equal (key, "model-dir") && !co2s_supervisor_get_active (self->supervisor))
    load_metrics (self);
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

  G_APPLICATION_CLASS (co2s_application_parent_class)->startup (app);

  g_set_application_name (_("CO₂ Stream"));
  gtk_window_set_default_icon_name (CO2S_APP_ID);

  self->settings = co2s_app_create_settings (&error);
  if (self->settings == NULL)
    g_error ("%s", error->message);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);

  self->history = co2s_metrics_history_new ();
  self->supervisor = co2s_supervisor_new ();
  g_signal_connect_object (self->supervisor, "notify::active", G_CALLBACK (supervisor_active_cb), self, 0);
  g_signal_connect_object (self->supervisor, "notify::bootstrap-servers",
                           G_CALLBACK (bootstrap_servers_cb), self, 0);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (self->supervisor, i);

      g_signal_connect_object (service, "notify::state", G_CALLBACK (service_state_cb), self, 0);
      g_signal_connect_object (service, "notify::enabled", G_CALLBACK (service_state_cb), self, 0);
    }

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  co2s_application_recheck_dataset (self);
  update_pipeline_state (self);
  load_metrics (self);

  self->sigint_source = g_unix_signal_add (SIGINT, unix_signal_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, unix_signal_cb, self);
}

static void
co2s_application_shutdown (GApplication *app)
{
  Co2sApplication *self = CO2S_APPLICATION (app);

  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  g_cancellable_cancel (self->load_cancellable);
  stop_follower (self);

  /* Quitting through app.quit stopped the pipeline already; otherwise the
   * supervisor's dispose sends SIGTERM to whatever still runs (and the
   * children die with this process anyway: PR_SET_PDEATHSIG). */
  G_APPLICATION_CLASS (co2s_application_parent_class)->shutdown (app);
}

static void
co2s_application_dispose (GObject *object)
{
  Co2sApplication *self = CO2S_APPLICATION (object);

  stop_follower (self);
  if (self->dataset_monitor != NULL)
    g_file_monitor_cancel (self->dataset_monitor);
  g_clear_object (&self->dataset_monitor);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->supervisor);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (co2s_application_parent_class)->dispose (object);
}

static void
co2s_application_finalize (GObject *object)
{
  Co2sApplication *self = CO2S_APPLICATION (object);

  g_free (self->follower_brokers);
  g_free (self->history_path);
  g_free (self->dataset_watched);
  g_free (self->last_error);

  G_OBJECT_CLASS (co2s_application_parent_class)->finalize (object);
}

static void
co2s_application_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  Co2sApplication *self = CO2S_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_FOLLOWER:
      g_value_set_object (value, self->follower);
      break;
    case PROP_PIPELINE_STATE:
      g_value_set_int (value, self->pipeline_state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_DATASET_MISSING:
      g_value_set_boolean (value, self->dataset_missing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_application_class_init (Co2sApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = co2s_application_dispose;
  object_class->finalize = co2s_application_finalize;
  object_class->get_property = co2s_application_get_property;

  app_class->activate = co2s_application_activate;
  app_class->startup = co2s_application_startup;
  app_class->shutdown = co2s_application_shutdown;
  app_class->handle_local_options = co2s_application_handle_local_options;

  properties[PROP_FOLLOWER] =
    g_param_spec_object ("follower", NULL, NULL, CO2S_TYPE_METRICS_FOLLOWER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PIPELINE_STATE] =
    g_param_spec_int ("pipeline-state", NULL, NULL, CO2S_PIPELINE_STOPPED, CO2S_PIPELINE_FAILED,
                      CO2S_PIPELINE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATASET_MISSING] =
    g_param_spec_boolean ("dataset-missing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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

Co2sSupervisor *
co2s_application_get_supervisor (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->supervisor;
}

Co2sMetricsHistory *
co2s_application_get_history (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->history;
}

Co2sMetricsFollower *
co2s_application_get_follower (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->follower;
}

Co2sPipelineState
co2s_application_get_pipeline_state (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), CO2S_PIPELINE_STOPPED);

  return self->pipeline_state;
}

const char *
co2s_pipeline_state_to_label (Co2sPipelineState state)
{
  switch (state)
    {
    case CO2S_PIPELINE_STOPPED:
      return C_("pipeline state", "Stopped");
    case CO2S_PIPELINE_STARTING:
      return C_("pipeline state", "Starting…");
    case CO2S_PIPELINE_RUNNING:
      return C_("pipeline state", "Running");
    case CO2S_PIPELINE_STOPPING:
      return C_("pipeline state", "Stopping…");
    case CO2S_PIPELINE_FAILED:
      return C_("pipeline state", "Failed");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
co2s_application_get_last_error (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), NULL);

  return self->last_error;
}

gboolean
co2s_application_get_dataset_missing (Co2sApplication *self)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (self), FALSE);

  return self->dataset_missing;
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

  return g_build_filename (dir, "model.json", NULL);
}

char *
co2s_application_dup_metrics_path (Co2sApplication *self)
{
  g_autofree char *dir = co2s_application_dup_model_dir (self, NULL);

  return g_build_filename (dir, "metrics.jsonl", NULL);
}

void
co2s_application_recheck_dataset (Co2sApplication *self)
{
  g_autofree char *path = NULL;
  gboolean missing;

  g_return_if_fail (CO2S_IS_APPLICATION (self));

  if (self->settings == NULL)
    return;

  path = co2s_application_dup_dataset_path (self, NULL);
  missing = g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_LOCAL &&
            !g_file_test (path, G_FILE_TEST_IS_REGULAR);

  if (g_strcmp0 (path, self->dataset_watched) != 0)
    {
      watch_dataset (self, path);
      g_free (self->dataset_watched);
      self->dataset_watched = g_strdup (path);
    }

  if (missing != self->dataset_missing)
    {
      self->dataset_missing = missing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET_MISSING]);
    }

  if (self->supervisor != NULL && g_action_map_lookup_action (G_ACTION_MAP (self), "start") != NULL)
    update_actions (self);
}

void
co2s_application_reload_metrics (Co2sApplication *self)
{
  g_return_if_fail (CO2S_IS_APPLICATION (self));

  load_metrics (self);
}
