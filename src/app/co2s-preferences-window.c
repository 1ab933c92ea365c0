/* co2s-preferences-window.c — the preferences of co2stream. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-preferences-window.h"

#include <glib/gi18n.h>

struct _Co2sPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  Co2sApplication *app;        /* owned */
  GSettings *settings;         /* owned */

  /* template children */
  GtkLabel *notice_label;
  AdwComboRow *backend_row;
  AdwEntryRow *broker_row;
  AdwActionRow *compose_row;
  GtkWidget *compose_reset_button;
  GtkSpinButton *api_rate_spin;
  GtkSpinButton *batch_rows_spin;
  AdwComboRow *algo_row;
  AdwActionRow *dataset_row;
  GtkWidget *dataset_reset_button;
  AdwActionRow *model_dir_row;
  GtkWidget *model_dir_reset_button;
};

G_DEFINE_FINAL_TYPE (Co2sPreferencesWindow, co2s_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Settings nicks in the order of the drop-downs (preferences-window.ui). */
static const char * const backend_ids[] = { "local", "compose" };
static const char * const algo_ids[] = { "ls", "sgd" };  /* both lists hold two ids */

/* ---- mappings between string keys and drop-down positions ------------------ */

static gboolean
choice_get_mapping (GValue *value,
                    GVariant *variant,
                    gpointer user_data)
{
  const char * const *ids = user_data;
  const char *id = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < 2; i++)
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

  if (selected >= 2)
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

static void
settings_changed_cb (GSettings *settings,
                     const char *key,
                     gpointer user_data)
{
  update_paths (CO2S_PREFERENCES_WINDOW (user_data));
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

  G_OBJECT_CLASS (co2s_preferences_window_parent_class)->constructed (object);

  g_assert (self->app != NULL);
  self->settings = g_object_ref (co2s_application_get_settings (self->app));

  g_settings_bind_with_mapping (self->settings, "backend", self->backend_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) backend_ids, NULL);
  g_settings_bind (self->settings, "broker-address", self->broker_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "api-rate", self->api_rate_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "batch-rows", self->batch_rows_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "algo", self->algo_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) algo_ids, NULL);

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  g_signal_connect_object (co2s_application_get_controller (self->app), "notify::state",
                           G_CALLBACK (pipeline_state_cb), self, 0);

  update_paths (self);
  update_notice (self);
}

static void
co2s_preferences_window_dispose (GObject *object)
{
  Co2sPreferencesWindow *self = CO2S_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->app);

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
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, broker_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, compose_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, compose_reset_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, api_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, batch_rows_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPreferencesWindow, algo_row);
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
