/* co2s-preferences-window.c — the preferences of co2stream. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-preferences-window.h"

#include <glib/gi18n.h>

#include "co2s-broker-properties.h"

struct _Co2sPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  Co2sApplication *app;        /* owned */
  GSettings *settings;         /* owned */

  /* template children */
  GtkLabel *notice_label;
  AdwComboRow *backend_row;
  AdwActionRow *compose_row;
  AdwPreferencesGroup *broker_group;
  AdwComboRow *broker_kind_row;
  AdwActionRow *kafka_port_row;
  GtkSpinButton *kafka_port_spin;
  AdwActionRow *kafka_retention_row;
  GtkSpinButton *kafka_retention_spin;
  AdwActionRow *kafka_data_row;
  AdwActionRow *kafka_reset_row;
  AdwEntryRow *broker_row;
  AdwPreferencesRow *broker_properties_row;
  GtkTextView *broker_properties_view;
  GtkLabel *broker_properties_problem;
  GtkWidget *compose_reset_button;
  GtkSpinButton *api_rate_spin;
  GtkSpinButton *batch_rows_spin;
  GtkSpinButton *trainers_spin;
  GtkCheckButton *model_checks[4];   /* model_ids' order */
  gboolean loading_models;
  AdwActionRow *dataset_row;
  GtkWidget *dataset_reset_button;
  AdwActionRow *model_dir_row;
  GtkWidget *model_dir_reset_button;

  /* The existing Kafka's properties as last loaded into the editor: where
   * masked secret values are taken back from. */
  char **loaded_properties;
  GCancellable *measure_cancellable;  /* of the data folder's size */
};

G_DEFINE_FINAL_TYPE (Co2sPreferencesWindow, co2s_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Settings nicks in the order of the drop-downs (preferences-window.ui; the
 * broker's: Co2sBrokerKind), NULL-terminated. */
static const char * const backend_ids[] = { "local", "compose", NULL };
static const char * const broker_ids[] = { "local-kafka", "embedded", "existing", NULL };
/* The models the trainer can learn (its --algo list), in the order of the
 * check buttons. */
static const char * const model_ids[] = { "ls", "ls:fuel", "sgd", "sgd:fuel" };

/* ---- mappings between string keys and drop-down positions ------------------ */

static gboolean
choice_get_mapping (GValue *value,
                    GVariant *variant,
                    gpointer user_data)
{
  const char * const *ids = user_data;
  const char *id = g_variant_get_string (variant, NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    if (g_strcmp0 (ids[i], id) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue *value,
                    const GVariantType *expected_type,
                    gpointer user_data)
{
  const char * const *ids = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) ids))
    return NULL;

  return g_variant_new_string (ids[selected]);
}

/* ---- path rows ------------------------------------------------------------- */

static void
update_path_row (AdwActionRow *row,
                 GtkWidget *reset_button,
                 char *path,
                 gboolean is_default,
                 gboolean must_exist)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *subtitle = NULL;

  if (must_exist && !g_file_test (path, G_FILE_TEST_EXISTS))
    /* Translators: subtitle of a path that does not exist */
    subtitle = g_strdup_printf (is_default ? _("Default: %s (not found)") : _("%s (not found)"), display);
  else if (is_default)
    /* Translators: subtitle of a path chosen automatically */
    subtitle = g_strdup_printf (_("Default: %s"), display);
  else
    subtitle = g_steal_pointer (&display);

  adw_action_row_set_subtitle (row, subtitle);
  gtk_widget_set_visible (reset_button, !is_default);
  g_free (path);
}

static void
update_paths (Co2sPreferencesWindow *self)
{
  gboolean is_default;
  char *path;

  path = co2s_application_dup_dataset_path (self->app, &is_default);
  update_path_row (self->dataset_row, self->dataset_reset_button, path, is_default, TRUE);
  path = co2s_application_dup_model_dir (self->app, &is_default);
  update_path_row (self->model_dir_row, self->model_dir_reset_button, path, is_default, FALSE);
  path = co2s_application_dup_compose_file (self->app, &is_default);
  update_path_row (self->compose_row, self->compose_reset_button, path, is_default, TRUE);

  gtk_widget_set_visible (GTK_WIDGET (self->compose_row),
                          g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_COMPOSE);
}

static void
update_notice (Co2sPreferencesWindow *self)
{
  if (co2s_application_get_pipeline_state (self->app) == CO2S_PIPELINE_STOPPED)
    gtk_label_set_text (self->notice_label, _("Changes apply the next time the pipeline is started."));
  else
    gtk_label_set_text (self->notice_label,
                        _("Changes apply the next time the pipeline is started. It is running now with "
                          "the previous settings: stop it and start it again to use new ones."));
}

/* ---- broker ----------------------------------------------------------------- */

static const char *
broker_kind_explanation (Co2sBrokerKind kind)
{
  switch (kind)
    {
    case CO2S_BROKER_LOCAL_KAFKA:
      return _("Durable: the topics stay on disk between runs and the trainer resumes its model. "
               "Needs Java; the first start takes longer.");
    case CO2S_BROKER_EMBEDDED:
      return _("Nothing to install, for a quick demo: the topics live in memory and are lost at Stop; "
               "every Start trains a new model.");
    case CO2S_BROKER_EXISTING:
    default:
      return _("A Kafka cluster you run: every program and the app connect to it with the properties below.");
    }
}

/* The rows of the chosen broker only, the choice explained in the group's
 * description (the drop-down shows the choice itself as its subtitle); none
 * usable with Docker Compose, which runs its own Kafka, as the description
 * then says. */
static void
update_broker_rows (Co2sPreferencesWindow *self)
{
  Co2sBrokerKind kind = g_settings_get_enum (self->settings, "broker");
  gboolean compose = g_settings_get_enum (self->settings, "backend") == CO2S_BACKEND_COMPOSE;
  GtkWidget *local_rows[] = {
    GTK_WIDGET (self->kafka_port_row), GTK_WIDGET (self->kafka_retention_row), GTK_WIDGET (self->kafka_data_row),
    GTK_WIDGET (self->kafka_reset_row),
  };
  GtkWidget *existing_rows[] = { GTK_WIDGET (self->broker_row), GTK_WIDGET (self->broker_properties_row) };

  gtk_widget_set_sensitive (GTK_WIDGET (self->broker_kind_row), !compose);
  for (guint i = 0; i < G_N_ELEMENTS (local_rows); i++)
    {
      gtk_widget_set_visible (local_rows[i], kind == CO2S_BROKER_LOCAL_KAFKA);
      gtk_widget_set_sensitive (local_rows[i], !compose);
    }
  for (guint i = 0; i < G_N_ELEMENTS (existing_rows); i++)
    {
      gtk_widget_set_visible (existing_rows[i], kind == CO2S_BROKER_EXISTING);
      gtk_widget_set_sensitive (existing_rows[i], !compose);
    }

  if (compose)
    adw_preferences_group_set_description (self->broker_group,
                                           _("Docker Compose runs its own Kafka, the “kafka” service of "
                                             "docker-compose.yml: these settings are not used."));
  else
    adw_preferences_group_set_description (self->broker_group, broker_kind_explanation (kind));
}

static void
set_data_row_subtitle (Co2sPreferencesWindow *self,
                       const char *size_text)
{
  g_autofree char *dir = co2s_supervisor_get_kafka_data_dir (co2s_application_get_supervisor (self->app));
  g_autofree char *display = g_filename_display_name (dir);
  g_autofree char *subtitle = NULL;

  if (size_text != NULL)
    /* Translators: the local Kafka's data folder, then how much it holds
     * ("12.3 MB on disk", "not created yet") */
    subtitle = g_strdup_printf (_("%s · %s"), display, size_text);
  adw_action_row_set_subtitle (self->kafka_data_row, subtitle != NULL ? subtitle : display);
}

static void
measure_done_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr(Co2sPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  if (g_file_measure_disk_usage_finish (G_FILE (source), result, &bytes, NULL, NULL, &error))
    {
      g_autofree char *size = g_format_size (bytes);
      /* Translators: size of the local Kafka's data folder, e.g. "12.3 MB" */
      g_autofree char *text = g_strdup_printf (_("%s on disk"), size);

      set_data_row_subtitle (self, text);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    set_data_row_subtitle (self, _("not created yet"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_data_row_subtitle (self, NULL);
}

/* The local Kafka's data folder and, once measured, its size. */
static void
measure_data_dir (Co2sPreferencesWindow *self)
{
  g_autofree char *dir = NULL;
  g_autoptr(GFile) file = NULL;

  if (self->measure_cancellable != NULL)
    g_cancellable_cancel (self->measure_cancellable);
  g_clear_object (&self->measure_cancellable);
  set_data_row_subtitle (self, NULL);
  if (g_settings_get_enum (self->settings, "broker") != CO2S_BROKER_LOCAL_KAFKA)
    return;

  dir = co2s_supervisor_get_kafka_data_dir (co2s_application_get_supervisor (self->app));
  file = g_file_new_for_path (dir);
  self->measure_cancellable = g_cancellable_new ();
  g_file_measure_disk_usage_async (file, G_FILE_MEASURE_NONE, G_PRIORITY_LOW, self->measure_cancellable,
                                   NULL, NULL, measure_done_cb, g_object_ref (self));
}

/* The properties the editor holds now (masked secrets taken back). */
static char **
properties_from_view (Co2sPreferencesWindow *self,
                      char **problem)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->broker_properties_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return co2s_broker_properties_from_text (text, (const char * const *) self->loaded_properties, problem);
}

static void
properties_edited_cb (GtkTextBuffer *buffer,
                      Co2sPreferencesWindow *self)
{
  g_autofree char *problem = NULL;
  g_auto(GStrv) edited = properties_from_view (self, &problem);
  g_auto(GStrv) stored = g_settings_get_strv (self->settings, "broker-properties");

  gtk_label_set_text (self->broker_properties_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->broker_properties_problem), problem != NULL);
  if (!g_strv_equal ((const char * const *) edited, (const char * const *) stored))
    g_settings_set_strv (self->settings, "broker-properties", (const char * const *) edited);
}

/* Loads the setting into the editor, secrets masked, unless the editor
 * already says the same (its own change coming back). */
static void
load_properties (Co2sPreferencesWindow *self)
{
  g_auto(GStrv) stored = g_settings_get_strv (self->settings, "broker-properties");
  g_auto(GStrv) shown = NULL;
  g_autofree char *text = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->broker_properties_view);

  if (self->loaded_properties != NULL)
    {
      shown = properties_from_view (self, NULL);
      if (g_strv_equal ((const char * const *) shown, (const char * const *) stored))
        return;
    }

  text = co2s_broker_properties_to_text ((const char * const *) stored, TRUE);
  g_strfreev (self->loaded_properties);
  self->loaded_properties = g_steal_pointer (&stored);
  g_signal_handlers_block_by_func (buffer, properties_edited_cb, self);
  gtk_text_buffer_set_text (buffer, text, -1);
  g_signal_handlers_unblock_by_func (buffer, properties_edited_cb, self);
  gtk_widget_set_visible (GTK_WIDGET (self->broker_properties_problem), FALSE);
}

/* ---- the models the trainer learns ("algo": "ls,ls:fuel,sgd") ------------- */

/* At least one model: the last one ticked cannot be unticked. */
static void
update_model_checks (Co2sPreferencesWindow *self)
{
  guint active = 0;

  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    active += gtk_check_button_get_active (self->model_checks[i]);
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    {
      gboolean last = active == 1 && gtk_check_button_get_active (self->model_checks[i]);
      GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (self->model_checks[i]), ADW_TYPE_ACTION_ROW);

      gtk_widget_set_sensitive (row, !last);
      gtk_widget_set_tooltip_text (row, last ? _("The trainer learns at least one model") : NULL);
    }
}

/* The check buttons from the setting (names the app does not know are
 * left out of the buttons, and kept in the setting until the user
 * changes the choice). */
static void
load_models (Co2sPreferencesWindow *self)
{
  g_autofree char *algo = g_settings_get_string (self->settings, "algo");
  g_auto(GStrv) names = g_strsplit (algo, ",", -1);

  self->loading_models = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    gtk_check_button_set_active (self->model_checks[i], g_strv_contains ((const char * const *) names, model_ids[i]));
  self->loading_models = FALSE;
  update_model_checks (self);
}

/* The setting from the check buttons: the models kept in the order the
 * setting had them (the trainer's --algo order), those newly ticked after. */
static void
model_toggled_cb (Co2sPreferencesWindow *self)
{
  g_autofree char *algo = NULL;
  g_auto(GStrv) old = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (self->loading_models)
    return;
  algo = g_settings_get_string (self->settings, "algo");
  old = g_strsplit (algo, ",", -1);
  list = g_ptr_array_new ();
  for (guint j = 0; old[j] != NULL; j++)
    for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
      if (g_str_equal (old[j], model_ids[i]) && gtk_check_button_get_active (self->model_checks[i]))
        g_ptr_array_add (list, (gpointer) model_ids[i]);
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    if (gtk_check_button_get_active (self->model_checks[i]) &&
        !g_strv_contains ((const char * const *) old, model_ids[i]))
      g_ptr_array_add (list, (gpointer) model_ids[i]);
  if (list->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (list, NULL);
      joined = g_strjoinv (",", (char **) list->pdata);
      g_settings_set_string (self->settings, "algo", joined);
    }
  update_model_checks (self);
}

static void
settings_changed_cb (GSettings *settings,
                     const char *key,
                     gpointer user_data)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (user_data);

  update_paths (self);
  if (g_str_equal (key, "broker") || g_str_equal (key, "backend"))
    {
      update_broker_rows (self);
      measure_data_dir (self);
    }
  else if (g_str_equal (key, "broker-properties"))
    load_properties (self);
  else if (g_str_equal (key, "algo"))
    load_models (self);
}

static void
pipeline_state_cb (GObject *controller,
                   GParamSpec *pspec,
                   gpointer user_data)
{
  update_notice (CO2S_PREFERENCES_WINDOW (user_data));
}

typedef struct {
  Co2sPreferencesWindow *self;
  const char *key;
} ChooseData;

static void
choose_response_cb (GtkNativeDialog *native,
                    int response,
                    gpointer user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (data->self->settings, data->key, path);
    }

  g_object_unref (data->self);
  g_free (data);
  g_object_unref (native);
}

static void
choose_path (Co2sPreferencesWindow *self,
             const char *key,
             const char *title,
             GtkFileChooserAction action,
             const char *filter_name,
             const char *mime_type,
             const char * const *patterns)
{
  GtkFileChooserNative *native;
  ChooseData *data = g_new0 (ChooseData, 1);

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Choose"), _("_Cancel"));
  if (filter_name != NULL)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, filter_name);
      gtk_file_filter_add_mime_type (filter, mime_type);
      for (guint i = 0; patterns[i] != NULL; i++)
        gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  data->self = g_object_ref (self);
  data->key = key;
  g_signal_connect (native, "response", G_CALLBACK (choose_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
dataset_choose_cb (Co2sPreferencesWindow *self)
{
  static const char * const patterns[] = { "*.csv", NULL };

  choose_path (self, "dataset", _("Choose the Data Set"), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("CSV table"), "text/csv", patterns);
}

static void
dataset_reset_cb (Co2sPreferencesWindow *self)
{
  g_settings_reset (self->settings, "dataset");
}

static void
model_dir_choose_cb (Co2sPreferencesWindow *self)
{
  choose_path (self, "model-dir", _("Choose the Model Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
               NULL, NULL, NULL);
}

static void
model_dir_reset_cb (Co2sPreferencesWindow *self)
{
  g_settings_reset (self->settings, "model-dir");
}

static void
compose_choose_cb (Co2sPreferencesWindow *self)
{
  static const char * const patterns[] = { "*.yml", "*.yaml", NULL };

  choose_path (self, "compose-file", _("Choose the Docker Compose File"), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("Docker Compose file"), "application/x-yaml", patterns);
}

static void
compose_reset_cb (Co2sPreferencesWindow *self)
{
  g_settings_reset (self->settings, "compose-file");
}

/* ---- lifecycle ------------------------------------------------------------- */

static void
co2s_preferences_window_constructed (GObject *object)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (object);
  g_autoptr(GtkStringList) broker_model = gtk_string_list_new (NULL);
  Co2sSupervisor *supervisor;

  G_OBJECT_CLASS (co2s_preferences_window_parent_class)->constructed (object);

  g_assert (self->app != NULL);
  self->settings = g_object_ref (co2s_application_get_settings (self->app));
  supervisor = co2s_application_get_supervisor (self->app);
  /* Not an application window: the app's actions (app.reset-local-broker)
   * are reached this way. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "app", G_ACTION_GROUP (self->app));

  g_settings_bind_with_mapping (self->settings, "backend", self->backend_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) backend_ids, NULL);
  for (Co2sBrokerKind kind = CO2S_BROKER_LOCAL_KAFKA; kind <= CO2S_BROKER_EXISTING; kind++)
    gtk_string_list_append (broker_model, co2s_broker_kind_to_label (kind));
  adw_combo_row_set_model (self->broker_kind_row, G_LIST_MODEL (broker_model));
  g_settings_bind_with_mapping (self->settings, "broker", self->broker_kind_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) broker_ids, NULL);
  g_settings_bind (self->settings, "kafka-port", self->kafka_port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "kafka-retention-mb", self->kafka_retention_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "broker-address", self->broker_row, "text", G_SETTINGS_BIND_DEFAULT);
  load_properties (self);
  g_signal_connect (gtk_text_view_get_buffer (self->broker_properties_view), "changed",
                    G_CALLBACK (properties_edited_cb), self);
  g_settings_bind (self->settings, "api-rate", self->api_rate_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "batch-rows", self->batch_rows_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "trainers", self->trainers_spin, "value", G_SETTINGS_BIND_DEFAULT);
  /* The rows are titled by the models' names, as --algo spells them. */
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (gtk_widget_get_ancestor (GTK_WIDGET (self->model_checks[i]),
                                                                                 ADW_TYPE_ACTION_ROW)),
                                   model_ids[i]);
  load_models (self);
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    g_signal_connect_object (self->model_checks[i], "notify::active", G_CALLBACK (model_toggled_cb), self,
                             G_CONNECT_SWAPPED);

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  g_signal_connect_object (co2s_application_get_controller (self->app), "notify::state",
                           G_CALLBACK (pipeline_state_cb), self, 0);
  /* The broker's description changes with its size on disk, and after a
   * reset: measure the folder again. */
  g_signal_connect_object (co2s_supervisor_get_service (supervisor, CO2S_SERVICE_BROKER), "notify::description",
                           G_CALLBACK (measure_data_dir), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (supervisor, "notify::kafka-data-dir", G_CALLBACK (measure_data_dir), self,
                           G_CONNECT_SWAPPED);

  update_paths (self);
  update_notice (self);
  update_broker_rows (self);
  measure_data_dir (self);
}

static void
co2s_preferences_window_dispose (GObject *object)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (object);

  if (self->measure_cancellable != NULL)
    g_cancellable_cancel (self->measure_cancellable);
  g_clear_object (&self->measure_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->app);
  g_clear_pointer (&self->loaded_properties, g_strfreev);

  G_OBJECT_CLASS (co2s_preferences_window_parent_class)->dispose (object);
}

static void
co2s_preferences_window_set_property (GObject *object,
                                      guint prop_id,
                                      const GValue *value,
                                      GParamSpec *pspec)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      self->app = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_preferences_window_get_property (GObject *object,
                                      guint prop_id,
                                      GValue *value,
                                      GParamSpec *pspec)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->app);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_preferences_window_class_init (Co2sPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = co2s_preferences_window_constructed;
  object_class->dispose = co2s_preferences_window_dispose;
  object_class->set_property = co2s_preferences_window_set_property;
  object_class->get_property = co2s_preferences_window_get_property;

  /* Not GtkWindow:application: the window must not keep the app running. */
  properties[PROP_APPLICATION] =
    g_param_spec_object ("co2s-application", NULL, NULL, CO2S_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/co2stream/Co2stream/ui/preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, backend_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, compose_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_group);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_kind_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_port_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_port_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_retention_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_retention_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_data_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, kafka_reset_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_properties_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_properties_view);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_properties_problem);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, compose_reset_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, api_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, batch_rows_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, trainers_spin);
  gtk_widget_class_bind_template_child_full (widget_class, "model_check_ls", FALSE,
                                             G_STRUCT_OFFSET (Co2sPreferencesWindow, model_checks[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "model_check_ls_fuel", FALSE,
                                             G_STRUCT_OFFSET (Co2sPreferencesWindow, model_checks[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "model_check_sgd", FALSE,
                                             G_STRUCT_OFFSET (Co2sPreferencesWindow, model_checks[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "model_check_sgd_fuel", FALSE,
                                             G_STRUCT_OFFSET (Co2sPreferencesWindow, model_checks[3]));
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, dataset_reset_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, model_dir_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, model_dir_reset_button);
  gtk_widget_class_bind_template_callback (widget_class, dataset_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, dataset_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_dir_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_dir_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, compose_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, compose_reset_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
co2s_preferences_window_init (Co2sPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------------ */

Co2sPreferencesWindow *
co2s_preferences_window_new (Co2sApplication *app,
                             GtkWindow *parent)
{
  g_return_val_if_fail (CO2S_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (CO2S_TYPE_PREFERENCES_WINDOW,
                       "co2s-application", app,
                       "transient-for", parent,
                       NULL);
}
