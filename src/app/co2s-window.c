/* co2s-window.c — the main window of co2stream. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-window.h"

#include <glib/gi18n.h>

#include "co2s-dlq-window.h"
#include "co2s-drift-toast.h"
#include "co2s-models-mismatch.h"
#include "co2s-kpi-panel.h"
#include "co2s-metrics-csv.h"
#include "co2s-plot-view.h"
#include "co2s-rmse-plot.h"
#include "co2s-service-row.h"
#include "co2s-trainer-note.h"

struct _Co2sWindow
{
  AdwApplicationWindow parent_instance;

  Co2sApplication *app;            /* not owned (the app outlives its windows) */
  GSettings *settings;
  Co2sMetricsFollower *follower;   /* the one the status line watches */
  Co2sPredictDialog *predict_dialog;

  /* template children */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkInfoBar *dataset_bar;
  GtkLabel *dataset_label;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkDropDown *last_n_dropdown;
  GtkLabel *plot_heading;
  Co2sPlotView *plot_view;
  Co2sKpiPanel *kpi_panel;
  GtkListBox *services_list;
  GtkImage *broker_icon;
  GtkLabel *broker_label;
  GtkLabel *lag_label;
  GtkLabel *model_dir_label;
};

G_DEFINE_FINAL_TYPE (Co2sWindow, co2s_window, ADW_TYPE_APPLICATION_WINDOW)

/* Choices of the "last N" drop-down, in its order. */
static const guint last_n_choices[] = { 0, 50, 200, 1000 };

/* ---- helpers --------------------------------------------------------------- */

/* The plot's heading says what it shows. */
static gboolean
quantity_to_heading (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  switch (g_value_get_enum (from))
    {
    case CO2S_PLOT_QUANTITY_LAG:
      g_value_set_string (to, _("Consumer Lag per Batch"));
      break;
    case CO2S_PLOT_QUANTITY_THROUGHPUT:
      g_value_set_string (to, _("Throughput per Batch"));
      break;
    default:
      g_value_set_string (to, _("Prediction Error per Batch"));
    }
  return TRUE;
}

static gboolean
last_n_get_mapping (GValue *value,
                    GVariant *variant,
                    gpointer user_data)
{
  guint last_n = g_variant_get_uint32 (variant);

  for (guint i = 0; i < G_N_ELEMENTS (last_n_choices); i++)
    if (last_n_choices[i] == last_n)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
last_n_set_mapping (const GValue *value,
                    const GVariantType *expected_type,
                    gpointer user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (last_n_choices))
    return NULL;

  return g_variant_new_uint32 (last_n_choices[selected]);
}

static GtkWidget *
create_service_row (gpointer item,
                    gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);
  Co2sSupervisor *supervisor = co2s_application_get_supervisor (self->app);
  GtkWidget *row = co2s_service_row_new (CO2S_SERVICE (item), supervisor);

  /* The trainer's row: how many trainers run, which partitions each owns. */
  if (CO2S_SERVICE (item) == co2s_supervisor_get_service (supervisor, CO2S_SERVICE_TRAINER))
    co2s_trainer_note_attach (CO2S_SERVICE_ROW (row), co2s_application_get_controller (self->app));
  return row;
}

static void
update_title (Co2sWindow *self)
{
  Co2sPipelineState state = co2s_application_get_pipeline_state (self->app);

  adw_window_title_set_subtitle (self->window_title, co2s_pipeline_state_to_label (state));
}

static void
update_dataset_bar (Co2sWindow *self)
{
  gboolean missing = co2s_application_get_dataset_missing (self->app);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gboolean is_default;

  if (missing)
    {
      path = co2s_application_dup_dataset_path (self->app, &is_default);
      if (is_default)
        text = g_strdup_printf (_("The data set is missing: the pipeline streams it from “%s”. "
                                  "Put co2_processed.csv in the project’s data folder "
                                  "(data/README.md says where to get it), or choose the file."),
                                path);
      else
        text = g_strdup_printf (_("The data set “%s” chosen in Preferences does not exist. "
                                  "Choose the file again, or put co2_processed.csv there "
                                  "(see data/README.md)."),
                                path);
      gtk_label_set_text (self->dataset_label, text);
      gtk_widget_set_tooltip_text (self->start_button,
                                   _("Cannot start: the data set is missing (see the message above)"));
    }
  else
    {
      gtk_widget_set_tooltip_text (self->start_button,
                                   _("Start the pipeline: broker, API, trainer and producer (F5)"));
    }

  gtk_info_bar_set_revealed (self->dataset_bar, missing);
}

static void
update_error_bar (Co2sWindow *self)
{
  const char *error = co2s_application_get_last_error (self->app);

  if (error != NULL)
    gtk_label_set_text (self->error_label, error);
  gtk_info_bar_set_revealed (self->error_bar, error != NULL);
}

static void
update_status (Co2sWindow *self)
{
  Co2sSupervisor *supervisor = co2s_application_get_supervisor (self->app);
  const char *brokers = co2s_supervisor_get_bootstrap_servers (supervisor);
  g_autofree char *broker_text = NULL;
  g_autofree char *lag_text = NULL;
  const char *icon = "network-offline-symbolic";

  if (self->follower == NULL)
    {
      broker_text = g_strdup (_("Broker: not connected"));
      lag_text = g_strdup (_("Metrics: not followed"));
    }
  else
    {
      gint64 lag = co2s_metrics_follower_get_lag (self->follower);

      switch (co2s_metrics_follower_get_broker_state (self->follower))
        {
        case CO2S_BROKER_STATE_REACHABLE:
          icon = "network-transmit-receive-symbolic";
          broker_text = g_strdup_printf (_("Broker: reachable at %s"), brokers != NULL ? brokers : "");
          break;
        case CO2S_BROKER_STATE_UNREACHABLE:
          icon = "network-error-symbolic";
          broker_text = g_strdup_printf (_("Broker: not reachable at %s"), brokers != NULL ? brokers : "");
          break;
        case CO2S_BROKER_STATE_UNKNOWN:
        default:
          icon = "network-idle-symbolic";
          broker_text = g_strdup_printf (_("Broker: connecting to %s…"), brokers != NULL ? brokers : "");
          break;
        }

      if (lag < 0)
        {
          lag_text = g_strdup (_("Metrics lag: unknown"));
        }
      else
        {
          /* %' groups thousands as the user's locale does. */
          g_autofree char *count = g_strdup_printf ("%'" G_GINT64_FORMAT, lag);

          /* Translators: messages of the live metrics topic not read yet */
          lag_text = g_strdup_printf (ngettext ("Metrics lag: %s message", "Metrics lag: %s messages",
                                                (gulong) MIN (lag, G_MAXLONG)), count);
        }
    }

  gtk_image_set_from_icon_name (self->broker_icon, icon);
  gtk_label_set_text (self->broker_label, broker_text);
  gtk_label_set_text (self->lag_label, lag_text);
}

/* The folder the app reads: "model-dir", or its scale-out subfolder while
 * several trainers run (or, stopped, when the settings ask for several).
 * Called on a change of the setting, of the controller's "model-dir",
 * "trainers" or "backend", and of the supervisor's "active"; the predict
 * dialog follows it. */
static void
update_model_dir (Co2sWindow *self)
{
  Co2sPipelineController *controller = co2s_application_get_controller (self->app);
  g_autofree char *dir = controller != NULL ? co2s_pipeline_controller_dup_model_folder (controller)
                                            : co2s_application_dup_model_dir (self->app, NULL);
  g_autofree char *text = g_strdup_printf (_("Model folder: %s"), dir);

  gtk_label_set_text (self->model_dir_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_dir_label), dir);
  if (self->predict_dialog != NULL)
    {
      g_autofree char *model_path = co2s_application_dup_model_path (self->app);

      co2s_predict_dialog_set_model_path (self->predict_dialog, model_path);
    }
}

static void
follower_notify_cb (GObject *follower,
                    GParamSpec *pspec,
                    gpointer user_data)
{
  update_status (CO2S_WINDOW (user_data));
}

static void
set_follower (Co2sWindow *self,
              Co2sMetricsFollower *follower)
{
  if (self->follower == follower)
    return;

  if (self->follower != NULL)
    g_signal_handlers_disconnect_by_func (self->follower, follower_notify_cb, self);
  g_set_object (&self->follower, follower);
  if (self->follower != NULL)
    {
      g_signal_connect_object (self->follower, "notify::broker-state", G_CALLBACK (follower_notify_cb), self, 0);
      g_signal_connect_object (self->follower, "notify::lag", G_CALLBACK (follower_notify_cb), self, 0);
    }

  co2s_kpi_panel_set_follower (self->kpi_panel, follower);
  update_status (self);
}

static void
controller_notify_cb (GObject *object,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state"))
    update_title (self);
  else if (g_str_equal (name, "dataset-missing"))
    update_dataset_bar (self);
  else if (g_str_equal (name, "last-error"))
    update_error_bar (self);
  else if (g_str_equal (name, "follower"))
    set_follower (self, co2s_application_get_follower (self->app));
  else if (g_str_equal (name, "model-dir") || g_str_equal (name, "trainers") || g_str_equal (name, "backend"))
    update_model_dir (self);
}

static void
settings_changed_cb (GSettings *settings,
                     const char *key,
                     gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);

  if (g_str_equal (key, "model-dir"))
    update_model_dir (self);
  else if (g_str_equal (key, "dataset") || g_str_equal (key, "backend"))
    {
      update_dataset_bar (self);
    }
}

static void
supervisor_notify_cb (GObject *object,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  update_status (CO2S_WINDOW (user_data));
}

static void
supervisor_active_cb (GObject *object,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  update_model_dir (CO2S_WINDOW (user_data));
}

static void
error_bar_response_cb (Co2sWindow *self,
                       int response,
                       GtkInfoBar *bar)
{
  if (response == GTK_RESPONSE_CLOSE)
    gtk_info_bar_set_revealed (self->error_bar, FALSE);
}

static void
show_error_toast (Co2sWindow *self,
                  const char *format,
                  const GError *error)
{
  g_autofree char *message = g_strdup_printf (format, error->message);

  co2s_window_add_error_toast (self, message);
}

static char *
display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_filename_display_name (base);
}

/* ---- actions --------------------------------------------------------------- */

static void
predict_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (co2s_window_get_predict_dialog (self, TRUE)));
}

static void
dead_letters_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);

  co2s_dlq_window_present (GTK_WINDOW (self), co2s_application_get_controller (self->app));
}

static void
reload_model_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);
  Co2sPredictDialog *dialog = co2s_window_get_predict_dialog (self, TRUE);
  g_autoptr(GError) error = NULL;

  if (co2s_predict_dialog_reload (dialog, &error))
    co2s_window_add_toast (self, _("Model reloaded"));
  else
    show_error_toast (self, _("Could not reload the model: %s"), error);
}

static void
add_filter (GtkFileChooser *chooser,
            const char *name,
            const char *mime_type,
            const char *pattern,
            const char *extension)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_filter_add_pattern (filter, pattern);
  g_object_set_data_full (G_OBJECT (filter), "extension", g_strdup (extension), g_free);
  gtk_file_chooser_add_filter (chooser, filter);
}

/* The chosen path, with the selected filter's extension added when the
 * name has none of the known ones. */
static char *
chosen_path (GtkFileChooser *chooser,
             const char * const *known_extensions)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);
  g_autofree char *path = NULL;
  GtkFileFilter *filter;
  const char *extension;

  if (file == NULL)
    return NULL;
  path = g_file_get_path (file);
  if (path == NULL)
    return NULL;

  for (guint i = 0; known_extensions[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (path, -1);

      if (g_str_has_suffix (lower, known_extensions[i]))
        return g_steal_pointer (&path);
    }

  filter = gtk_file_chooser_get_filter (chooser);
  extension = filter != NULL ? g_object_get_data (G_OBJECT (filter), "extension") : NULL;
  if (extension == NULL)
    extension = known_extensions[0];

  return g_strconcat (path, extension, NULL);
}

/* ---- exports: run off the main thread, with a progress toast once slow ---- */

/* An export shows its progress only after this long. */
#define EXPORT_TOAST_DELAY_MS 100

typedef gboolean (*ExportFinishFunc) (GAsyncResult *result,
                                      GError **error);

/* One export under way; freed when it completes. */
typedef struct {
  Co2sWindow *window;           /* weak: the export outlives a closed window */
  GCancellable *cancellable;
  char *path;
  const char *busy_text;        /* translated, static */
  const char *saved_format;
  const char *error_format;
  ExportFinishFunc finish;
  guint delay_id;
  AdwToast *toast;              /* once shown */
  GtkProgressBar *bar;          /* owned: it may outlive the window */
  double fraction;
} ExportJob;

static gboolean
export_job_show_toast (gpointer data)
{
  ExportJob *job = data;

  job->delay_id = 0;
  if (job->window == NULL)
    return G_SOURCE_REMOVE;

  job->bar = g_object_ref_sink (GTK_PROGRESS_BAR (gtk_progress_bar_new ()));
  gtk_progress_bar_set_text (job->bar, job->busy_text);
  gtk_progress_bar_set_show_text (job->bar, TRUE);
  gtk_progress_bar_set_fraction (job->bar, job->fraction);
  gtk_widget_set_valign (GTK_WIDGET (job->bar), GTK_ALIGN_CENTER);
  job->toast = adw_toast_new (job->busy_text);
  adw_toast_set_custom_title (job->toast, GTK_WIDGET (job->bar));
  adw_toast_set_button_label (job->toast, _("_Cancel"));
  adw_toast_set_timeout (job->toast, 0);
  g_signal_connect_swapped (job->toast, "button-clicked", G_CALLBACK (g_cancellable_cancel), job->cancellable);
  adw_toast_overlay_add_toast (job->window->toast_overlay, g_object_ref (job->toast));
  return G_SOURCE_REMOVE;
}

static void
export_job_progress (double fraction,
                     gpointer data)
{
  ExportJob *job = data;

  job->fraction = fraction;
  if (job->bar != NULL)
    gtk_progress_bar_set_fraction (job->bar, fraction);
}

static void
export_job_done (GObject *source,
                 GAsyncResult *result,
                 gpointer data)
{
  ExportJob *job = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = job->finish (result, &error);

  g_clear_handle_id (&job->delay_id, g_source_remove);
  if (job->toast != NULL)
    {
      g_signal_handlers_disconnect_by_data (job->toast, job->cancellable);
      adw_toast_dismiss (job->toast);
      g_clear_object (&job->toast);
    }
  g_clear_object (&job->bar);
  if (job->window != NULL && ok)
    {
      g_autofree char *name = display_name (job->path);
      g_autofree char *message = g_strdup_printf (job->saved_format, name);

      co2s_window_add_toast (job->window, message);
    }
  else if (job->window != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error_toast (job->window, job->error_format, error);

  g_clear_weak_pointer (&job->window);
  g_object_unref (job->cancellable);
  g_free (job->path);
  g_free (job);
}

/* Starts the bookkeeping of an export to @path; the caller starts the
 * export itself with the job's cancellable, export_job_progress and
 * export_job_done. */
static ExportJob *
export_job_new (Co2sWindow *self,
                const char *path,
                const char *busy_text,
                const char *saved_format,
                const char *error_format,
                ExportFinishFunc finish)
{
  ExportJob *job = g_new0 (ExportJob, 1);

  g_set_weak_pointer (&job->window, self);
  job->cancellable = g_cancellable_new ();
  job->path = g_strdup (path);
  job->busy_text = busy_text;
  job->saved_format = saved_format;
  job->error_format = error_format;
  job->finish = finish;
  job->delay_id = g_timeout_add (EXPORT_TOAST_DELAY_MS, export_job_show_toast, job);
  return job;
}

/* What a file of the plot shows: the window's choices, in the light style,
 * with a title, for reports and slides. */
static void
export_plot_options (Co2sWindow *self,
                     Co2sRmsePlotOptions *options)
{
  co2s_plot_view_get_options (self->plot_view, options);
  options->style = CO2S_PLOT_STYLE_LIGHT;
  options->draw_background = TRUE;
  options->show_legend = TRUE;
  options->font_scale = 1.0;
  options->title = _("Prequential RMSE per batch");
}

static void
export_plot_response_cb (GtkNativeDialog *native,
                         int response,
                         gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);
  static const char * const extensions[] = { ".png", ".svg", ".pdf", NULL };
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    path = chosen_path (GTK_FILE_CHOOSER (native), extensions);

  if (path != NULL)
    {
      ExportJob *job = export_job_new (self, path, _("Exporting the plot…"), _("Plot saved as “%s”"),
                                       _("Could not save the plot: %s"), co2s_rmse_plot_export_finish);
      Co2sRmsePlotOptions options;

      export_plot_options (self, &options);
      co2s_rmse_plot_export_async (co2s_application_get_history (self->app), &options, path,
                                   CO2S_WINDOW_EXPORT_WIDTH, CO2S_WINDOW_EXPORT_HEIGHT,
                                   job->cancellable, export_job_progress, job, export_job_done, job);
    }

  g_object_unref (native);
}

static void
export_plot_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Plot"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (native), _("PNG image"), "image/png", "*.png", ".png");
  add_filter (GTK_FILE_CHOOSER (native), _("SVG image"), "image/svg+xml", "*.svg", ".svg");
  add_filter (GTK_FILE_CHOOSER (native), _("PDF document"), "application/pdf", "*.pdf", ".pdf");
  /* Translators: default file name of an exported plot; keep the extension */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("co2stream-rmse.png"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (export_plot_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
export_metrics_response_cb (GtkNativeDialog *native,
                            int response,
                            gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);
  static const char * const extensions[] = { ".csv", NULL };
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    path = chosen_path (GTK_FILE_CHOOSER (native), extensions);

  if (path != NULL)
    {
      ExportJob *job = export_job_new (self, path, _("Exporting the metrics…"), _("Metrics saved as “%s”"),
                                       _("Could not save the metrics: %s"), co2s_metrics_csv_write_finish);

      co2s_metrics_csv_write_async (co2s_application_get_history (self->app), path, job->cancellable,
                                    export_job_progress, job, export_job_done, job);
    }

  g_object_unref (native);
}

static void
export_metrics_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Metrics"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (native), _("CSV table"), "text/csv", "*.csv", ".csv");
  /* Translators: default file name of exported metrics; keep the extension */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("co2stream-metrics.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (export_metrics_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
choose_dataset_response_cb (GtkNativeDialog *native,
                            int response,
                            gpointer user_data)
{
  Co2sWindow *self = CO2S_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "dataset", path);
    }

  g_object_unref (native);
}

static void
choose_dataset_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  Co2sWindow *self = CO2S_WINDOW (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Choose the Data Set"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Choose"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (native), _("CSV table"), "text/csv", "*.csv", ".csv");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (choose_dataset_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ---- lifecycle ------------------------------------------------------------- */

static gboolean
co2s_window_close_request (GtkWindow *window)
{
  Co2sWindow *self = CO2S_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  /* The pipeline must not outlive the app: app.quit stops it first. */
  if (co2s_application_get_pipeline_state (self->app) != CO2S_PIPELINE_STOPPED)
    {
      g_action_group_activate_action (G_ACTION_GROUP (self->app), "quit", NULL);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (co2s_window_parent_class)->close_request (window);
}

static void
is_active_cb (Co2sWindow *self,
              GParamSpec *pspec,
              gpointer user_data)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    co2s_application_recheck_dataset (self->app);
}

/* Connects the window to its application (set by co2s_window_new: GtkWindow's
 * "application" is not a construct property, so this cannot be done in
 * constructed). */
static void
setup (Co2sWindow *self)
{
  Co2sSupervisor *supervisor;
  Co2sMetricsHistory *history;
  static const char * const toggles[] = {
    "plot-log-scale", "plot-show-fit", "plot-show-rolling-mean", "plot-quantity",
  };
  /* "quantity" is an enum: the setting holds its nick. */
  static const char * const plot_properties[] = {
    "log-scale", "show-fit", "show-rolling-mean", "quantity",
  };

  self->app = CO2S_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_assert (self->app != NULL);
  self->settings = g_object_ref (co2s_application_get_settings (self->app));
  supervisor = co2s_application_get_supervisor (self->app);
  history = co2s_application_get_history (self->app);

  /* Plot view options: stateful actions of the settings, bound to the view. */
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    {
      g_autoptr(GAction) action = g_settings_create_action (self->settings, toggles[i]);

      g_action_map_add_action (G_ACTION_MAP (self), action);
      g_settings_bind (self->settings, toggles[i], self->plot_view, plot_properties[i], G_SETTINGS_BIND_GET);
    }
  g_settings_bind (self->settings, "plot-last-n", self->plot_view, "last-n", G_SETTINGS_BIND_GET);
  g_object_bind_property_full (self->plot_view, "quantity", self->plot_heading, "label", G_BINDING_SYNC_CREATE,
                               quantity_to_heading, NULL, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "plot-last-n", self->last_n_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, last_n_get_mapping, last_n_set_mapping,
                                NULL, NULL);

  co2s_plot_view_set_history (self->plot_view, history);
  co2s_kpi_panel_set_history (self->kpi_panel, history);
  /* A live batch that raises the drift alarm: a toast (the plot marks it). */
  co2s_drift_toast_attach (self->toast_overlay, history);
  /* A trainer that refused the models Preferences choose: both lists. */
  co2s_models_mismatch_attach (self->toast_overlay, self->app);
  co2s_kpi_panel_set_supervisor (self->kpi_panel, supervisor);
  gtk_list_box_bind_model (self->services_list, co2s_supervisor_get_services (supervisor),
                           create_service_row, self, NULL);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (co2s_application_get_controller (self->app), "notify",
                           G_CALLBACK (controller_notify_cb), self, 0);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  g_signal_connect_object (supervisor, "notify::bootstrap-servers", G_CALLBACK (supervisor_notify_cb), self, 0);
  g_signal_connect_object (supervisor, "notify::active", G_CALLBACK (supervisor_active_cb), self, 0);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);

  set_follower (self, co2s_application_get_follower (self->app));
  update_title (self);
  update_dataset_bar (self);
  update_error_bar (self);
  update_status (self);
  update_model_dir (self);
}

static void
co2s_window_dispose (GObject *object)
{
  Co2sWindow *self = CO2S_WINDOW (object);

  if (self->predict_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->predict_dialog));
  g_clear_weak_pointer (&self->predict_dialog);
  set_follower (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (co2s_window_parent_class)->dispose (object);
}

static void
co2s_window_class_init (Co2sWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = co2s_window_dispose;
  window_class->close_request = co2s_window_close_request;

  g_type_ensure (CO2S_TYPE_PLOT_VIEW);
  g_type_ensure (CO2S_TYPE_KPI_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, dataset_bar);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, dataset_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, last_n_dropdown);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, plot_heading);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, plot_view);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, kpi_panel);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, services_list);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, broker_icon);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, broker_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, lag_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sWindow, model_dir_label);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);

  gtk_widget_class_install_action (widget_class, "win.predict", NULL, predict_action);
  gtk_widget_class_install_action (widget_class, "win.reload-model", NULL, reload_model_action);
  gtk_widget_class_install_action (widget_class, "win.dead-letters", NULL, dead_letters_action);
  gtk_widget_class_install_action (widget_class, "win.export-plot", NULL, export_plot_action);
  gtk_widget_class_install_action (widget_class, "win.export-metrics", NULL, export_metrics_action);
  gtk_widget_class_install_action (widget_class, "win.choose-dataset", NULL, choose_dataset_action);
}

static void
co2s_window_init (Co2sWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------------ */

Co2sWindow *
co2s_window_new (Co2sApplication *app)
{
  Co2sWindow *self;

  g_return_val_if_fail (CO2S_IS_APPLICATION (app), NULL);

  self = g_object_new (CO2S_TYPE_WINDOW, "application", app, NULL);
  setup (self);

  return self;
}

Co2sPredictDialog *
co2s_window_get_predict_dialog (Co2sWindow *self,
                                gboolean create)
{
  g_return_val_if_fail (CO2S_IS_WINDOW (self), NULL);

  if (self->predict_dialog == NULL && create)
    {
      g_autofree char *model_path = co2s_application_dup_model_path (self->app);
      Co2sPredictDialog *dialog = co2s_predict_dialog_new (GTK_WINDOW (self), model_path);

      g_set_weak_pointer (&self->predict_dialog, dialog);
    }

  return self->predict_dialog;
}

gboolean
co2s_window_export_plot (Co2sWindow *self,
                         const char *path,
                         GError **error)
{
  Co2sRmsePlotOptions options;

  g_return_val_if_fail (CO2S_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  export_plot_options (self, &options);
  return co2s_rmse_plot_export (co2s_application_get_history (self->app), &options, path,
                                CO2S_WINDOW_EXPORT_WIDTH, CO2S_WINDOW_EXPORT_HEIGHT, error);
}

gboolean
co2s_window_export_metrics (Co2sWindow *self,
                            const char *path,
                            GError **error)
{
  g_return_val_if_fail (CO2S_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return co2s_metrics_csv_write (co2s_application_get_history (self->app), path, error);
}

/* A toast showing @message as plain text (libadwaita 1.2 reads a toast's
 * title as Pango markup: a file name with "&" would not show). */
static AdwToast *
plain_toast_new (const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  return adw_toast_new (escaped);
}

void
co2s_window_add_toast (Co2sWindow *self,
                       const char *message)
{
  g_return_if_fail (CO2S_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, plain_toast_new (message));
}

void
co2s_window_add_error_toast (Co2sWindow *self,
                             const char *message)
{
  AdwToast *toast;

  g_return_if_fail (CO2S_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast = plain_toast_new (message);
  /* An error shows at once and stays until dismissed. */
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
