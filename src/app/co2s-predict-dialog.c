/* co2s-predict-dialog.c — predict the CO₂ emissions of one vehicle. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-predict-dialog.h"

#include <glib/gi18n.h>
#include <math.h>

#include "co2s-checkpoint.h"
#include "co2s-model.h"
#include "co2s-prediction.h"
#include "co2s-vehicle-input.h"

/* Debounce of file monitor events: the trainer replaces the file at once
 * (rename), but several events may arrive for it. */
#define RELOAD_DELAY_MS 150

/* The input of one number; inputs[] is indexed by Co2sVehicleField. */
typedef struct {
  GtkSpinButton *spin;
  AdwActionRow *row;
  gboolean valid;
} InputInfo;

struct _Co2sPredictDialog
{
  AdwWindow parent_instance;

  char *model_path;
  Co2sCheckpoint *checkpoint;      /* last good model, or NULL */
  char *model_error;
  guint model_loads;
  GFileMonitor *monitor;
  guint reload_source;
  double prediction;
  gboolean inputs_valid;
  /* The model that predicts: an index in checkpoint->models, the
   * champion's unless the user chose another in model_row (kept by name
   * across reloads while the file holds it: model_chosen). */
  guint model_index;
  char model_name[CO2S_MODEL_SPEC_MAX];
  gboolean model_chosen;
  GtkStringList *model_names;
  gboolean filling_models;

  InputInfo inputs[CO2S_VEHICLE_N_NUMBERS];

  /* template children */
  GtkSpinButton *engine_spin;
  GtkSpinButton *cylinders_spin;
  GtkSpinButton *city_spin;
  GtkSpinButton *hwy_spin;
  GtkSpinButton *comb_spin;
  AdwActionRow *engine_row;
  AdwActionRow *cylinders_row;
  AdwActionRow *city_row;
  AdwActionRow *hwy_row;
  AdwActionRow *comb_row;
  AdwComboRow *fuel_row;
  GtkWidget *model_group;
  AdwComboRow *model_row;
  GtkWidget *predict_button;
  GtkLabel *result_label;
  GtkLabel *interval_label;
  GtkLabel *model_label;
  GtkLabel *model_version_label;
  GtkLabel *model_error_label;
};

G_DEFINE_FINAL_TYPE (Co2sPredictDialog, co2s_predict_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MODEL_PATH,
  PROP_MODEL_LOADED,
  PROP_MODEL_ERROR,
  PROP_MODEL_LOADS,
  PROP_INPUTS_VALID,
  PROP_PREDICTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Fuel letters in the order of the drop-down (predict-dialog.ui). */
static const char fuel_letters[] = { 'X', 'Z', 'D', 'E', 'N' };

/* ---- helpers --------------------------------------------------------------- */

static char
selected_fuel (Co2sPredictDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->fuel_row);

  if (selected >= G_N_ELEMENTS (fuel_letters))
    return 'X';

  return fuel_letters[selected];
}

/* The interval under the prediction: @p NULL empties it (the line stays,
 * so the dialog does not grow when a prediction comes). */
static void
show_interval (Co2sPredictDialog *self,
               const Co2sPrediction *p)
{
  g_autofree char *text = NULL;
  g_autofree char *spoken = NULL;

  if (p == NULL)
    {
      gtk_label_set_text (self->interval_label, "");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->interval_label), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }
  if (isfinite (p->half_width))
    {
      /* Translators: the 95 % prediction interval under a prediction, e.g.
       * "95 % interval: 191.7–206.1 g/km"; keep %% (a per cent sign) */
      text = g_strdup_printf (_("95 %% interval: %.1f–%.1f g/km"), p->low, p->high);
      /* Translators: what a screen reader says for it */
      spoken = g_strdup_printf (_("95 per cent interval: from %.1f to %.1f grams per kilometre"),
                                p->low, p->high);
    }
  else
    {
      text = g_strdup (_("No interval: the model file holds no recent errors yet"));
      spoken = g_strdup (text);
    }
  gtk_label_set_text (self->interval_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->interval_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
}

static void
set_prediction (Co2sPredictDialog *self,
                double prediction)
{
  if (isnan (prediction))
    show_interval (self, NULL);
  if (isnan (prediction) && isnan (self->prediction))
    return;
  if (prediction == self->prediction)
    return;

  self->prediction = prediction;
  if (isnan (prediction))
    {
      gtk_label_set_text (self->result_label, "—");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->result_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("No prediction yet"),
                                      -1);
    }
  else
    {
      /* Translators: a predicted emission, e.g. "231.4 g/km" */
      g_autofree char *text = g_strdup_printf (_("%.1f g/km"), prediction);
      /* Translators: what a screen reader says, e.g. "Predicted CO₂ emissions: 231.4 grams per kilometre" */
      g_autofree char *spoken = g_strdup_printf (_("Predicted CO₂ emissions: %.1f grams per kilometre"),
                                                 prediction);

      gtk_label_set_text (self->result_label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->result_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                      -1);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREDICTION]);
}

static void
update_predict_sensitivity (Co2sPredictDialog *self)
{
  gtk_widget_set_sensitive (self->predict_button, self->inputs_valid && self->checkpoint != NULL);
}

/* Checks every input as typed, as co2stream-predict checks its options
 * (co2s_vehicle_parse_number); shows under it what is wrong, else the
 * allowed range. */
static void
validate_inputs (Co2sPredictDialog *self)
{
  gboolean all_valid = TRUE;

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      InputInfo *info = &self->inputs[i];
      const char *text = gtk_editable_get_text (GTK_EDITABLE (info->spin));
      g_autoptr(GError) error = NULL;
      g_autofree char *subtitle = NULL;
      double value;
      gboolean valid;

      valid = co2s_vehicle_parse_number (i, text, CO2S_VEHICLE_INPUT_FORM, &value, &error);
      subtitle = valid ? co2s_vehicle_field_dup_range_text (i) : g_strdup (error->message);

      adw_action_row_set_subtitle (info->row, subtitle);
      if (valid)
        {
          gtk_widget_remove_css_class (GTK_WIDGET (info->spin), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (info->row), "error");
          gtk_accessible_reset_state (GTK_ACCESSIBLE (info->spin), GTK_ACCESSIBLE_STATE_INVALID);
        }
      else
        {
          gtk_widget_add_css_class (GTK_WIDGET (info->spin), "error");
          gtk_widget_add_css_class (GTK_WIDGET (info->row), "error");
          gtk_accessible_update_state (GTK_ACCESSIBLE (info->spin),
                                       GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                       -1);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (info->spin),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                      -1);
      info->valid = valid;
      all_valid &= valid;
    }

  if (all_valid != self->inputs_valid)
    {
      self->inputs_valid = all_valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUTS_VALID]);
    }
  update_predict_sensitivity (self);
}

static void
input_changed_cb (Co2sPredictDialog *self)
{
  validate_inputs (self);
  /* The shown result belongs to the previous inputs. */
  set_prediction (self, NAN);
}

/* The name of @cp's @index-th model. */
static void
model_name (Co2sCheckpoint *cp, guint index, char name[CO2S_MODEL_SPEC_MAX])
{
  Co2sModelSpec spec;

  co2s_model_get_spec (co2s_checkpoint_get_model (cp, index)->model, &spec);
  co2s_model_spec_to_string (&spec, name);
}

static char *
describe_model (Co2sCheckpoint *cp, guint index)
{
  Co2sModel *model = co2s_checkpoint_get_model (cp, index)->model;
  const char *algo;
  g_autofree char *when = NULL;
  g_autofree char *rows = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  /* The fuel feature set (ls:fuel, sgd:fuel) is a slope per fuel type. */
  switch (co2s_model_get_algo (model))
    {
    case CO2S_ALGO_SGD:
      algo = co2s_model_get_feature_set (model) == CO2S_FEATURES_FUEL
               ? _("Stochastic gradient descent model with a slope per fuel type")
               : _("Stochastic gradient descent model");
      break;
    case CO2S_ALGO_LS:
    default:
      algo = co2s_model_get_feature_set (model) == CO2S_FEATURES_FUEL
               ? _("Least squares model with a slope per fuel type")
               : _("Least squares model");
      break;
    }

  /* %' groups thousands the way the user's locale does. */
  rows = g_strdup_printf ("%'" G_GUINT64_FORMAT, co2s_model_get_rows_seen (model));
  utc = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  /* Translators: date and time a model was saved, see the strftime formats */
  when = local != NULL ? g_date_time_format (local, _("%x at %X")) : g_strdup ("?");

  /* Translators: "Least squares model, 7,385 rows seen, saved 05/20/2026 at 14:03:22" */
  return g_strdup_printf (ngettext ("%s, %s row seen, saved %s", "%s, %s rows seen, saved %s",
                                    (gulong) MIN (co2s_model_get_rows_seen (model), G_MAXULONG)),
                          algo, rows, when);
}

/* "Model ls:fuel, version 74 (batches learned), parameters 3a006a91c2d4" */
static char *
describe_model_version (Co2sCheckpoint *cp, guint index)
{
  g_autofree char *sha = co2s_checkpoint_dup_params_sha256 (cp);
  g_autofree char *version = g_strdup_printf ("%'" G_GUINT64_FORMAT, cp->batches);
  char name[CO2S_MODEL_SPEC_MAX];
  char short_sha[CO2S_PREDICTION_SHORT_HASH + 1] = "";

  model_name (cp, index, name);
  if (sha != NULL)
    g_strlcpy (short_sha, sha, sizeof short_sha);
  /* Translators: which model predicts: its name (ls, ls:fuel, sgd…), its
   * version (the number of batches it has learned) and the first 12 hex
   * digits of the SHA-256 of its parameters, e.g.
   * "Model ls:fuel, version 74 (batches learned), parameters 3a006a91c2d4" */
  return g_strdup_printf (_("Model %s, version %s (batches learned), parameters %s"), name, version, short_sha);
}

static void update_model_labels (Co2sPredictDialog *self);

/* The model row lists the file's models, the champion marked and chosen;
 * a model the user chose stays chosen while the file still holds it. Shown
 * for a file of several models only. */
static void
fill_model_row (Co2sPredictDialog *self)
{
  Co2sCheckpoint *cp = self->checkpoint;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  int kept;

  g_assert (cp != NULL);
  kept = self->model_chosen ? co2s_checkpoint_find_model (cp, self->model_name) : -1;
  self->model_chosen = kept >= 0;
  self->model_index = kept >= 0 ? (guint) kept : cp->champion;
  model_name (cp, self->model_index, self->model_name);

  for (guint i = 0; i < cp->models->len; i++)
    {
      char name[CO2S_MODEL_SPEC_MAX];

      model_name (cp, i, name);
      /* Translators: the model with the lowest rolling RMSE among those the
       * trainer learns side by side; %s is its name, e.g. "ls:fuel" */
      g_ptr_array_add (items, i == cp->champion ? g_strdup_printf (_("%s (champion)"), name) : g_strdup (name));
    }
  g_ptr_array_add (items, NULL);

  self->filling_models = TRUE;
  gtk_string_list_splice (self->model_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model_names)),
                          (const char *const *) items->pdata);
  adw_combo_row_set_selected (self->model_row, self->model_index);
  self->filling_models = FALSE;
  gtk_widget_set_visible (self->model_group, cp->models->len >= 2);
}

/* The user chose another model: the labels, and a result on screen, follow it. */
static void
model_selected_cb (Co2sPredictDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->model_row);

  if (self->filling_models || self->checkpoint == NULL ||
      selected == GTK_INVALID_LIST_POSITION || selected >= self->checkpoint->models->len ||
      selected == self->model_index)
    return;
  self->model_index = selected;
  self->model_chosen = TRUE;
  model_name (self->checkpoint, selected, self->model_name);
  update_model_labels (self);
  if (!isnan (self->prediction))
    co2s_predict_dialog_predict (self);
}

static void
update_model_labels (Co2sPredictDialog *self)
{
  if (self->checkpoint != NULL)
    {
      g_autofree char *text = describe_model (self->checkpoint, self->model_index);
      g_autofree char *version = describe_model_version (self->checkpoint, self->model_index);

      gtk_label_set_text (self->model_label, text);
      gtk_label_set_text (self->model_version_label, version);
    }
  else
    {
      gtk_label_set_text (self->model_label, _("No model loaded"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->model_version_label), self->checkpoint != NULL);
  if (self->checkpoint == NULL)
    gtk_widget_set_visible (self->model_group, FALSE);

  if (self->model_error != NULL)
    {
      g_autofree char *text = NULL;

      if (self->checkpoint != NULL)
        /* Translators: %s says why the model file could not be read */
        text = g_strdup_printf (_("%s The last good model is still used."), self->model_error);
      else
        text = g_strdup (self->model_error);
      gtk_label_set_text (self->model_error_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->model_error_label), self->model_error != NULL);
  update_predict_sensitivity (self);
}

static void
set_model_error (Co2sPredictDialog *self,
                 const char *message)
{
  if (g_strcmp0 (message, self->model_error) == 0)
    return;

  g_free (self->model_error);
  self->model_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_ERROR]);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (user_data);

  self->reload_source = 0;
  co2s_predict_dialog_reload (self, NULL);

  return G_SOURCE_REMOVE;
}

static void
model_file_changed_cb (GFileMonitor *monitor,
                       GFile *file,
                       GFile *other_file,
                       GFileMonitorEvent event,
                       gpointer user_data)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (user_data);

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      g_clear_handle_id (&self->reload_source, g_source_remove);
      self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
      break;
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

static void
watch_model_file (Co2sPredictDialog *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->model_path);
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, model_file_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Cannot watch %s: %s", self->model_path, error->message);
      return;
    }
  g_signal_connect (self->monitor, "changed", G_CALLBACK (model_file_changed_cb), self);
}

/* ---- signal handlers ------------------------------------------------------- */

static void
predict_clicked_cb (Co2sPredictDialog *self)
{
  co2s_predict_dialog_predict (self);
}

static void
reload_clicked_cb (Co2sPredictDialog *self)
{
  co2s_predict_dialog_reload (self, NULL);
}

static gboolean
spin_key_pressed_cb (GtkEventControllerKey *keys,
                     guint keyval,
                     guint keycode,
                     GdkModifierType state,
                     gpointer user_data)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (user_data);
  GtkWidget *spin = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (keys));

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;

  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  co2s_predict_dialog_predict (self);
  return TRUE;
}

static gboolean
reload_shortcut_cb (GtkWidget *widget,
                    GVariant *args,
                    gpointer user_data)
{
  co2s_predict_dialog_reload (CO2S_PREDICT_DIALOG (widget), NULL);
  return TRUE;
}

/* ---- lifecycle ------------------------------------------------------------- */

static void
co2s_predict_dialog_dispose (GObject *object)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (object);

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, model_file_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_pointer (&self->checkpoint, co2s_checkpoint_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_PREDICT_DIALOG);
  g_clear_object (&self->model_names);

  G_OBJECT_CLASS (co2s_predict_dialog_parent_class)->dispose (object);
}

static void
co2s_predict_dialog_finalize (GObject *object)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (object);

  g_free (self->model_path);
  g_free (self->model_error);

  G_OBJECT_CLASS (co2s_predict_dialog_parent_class)->finalize (object);
}

static void
co2s_predict_dialog_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL_PATH:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_MODEL_LOADED:
      g_value_set_boolean (value, self->checkpoint != NULL);
      break;
    case PROP_MODEL_ERROR:
      g_value_set_string (value, self->model_error);
      break;
    case PROP_MODEL_LOADS:
      g_value_set_uint (value, self->model_loads);
      break;
    case PROP_INPUTS_VALID:
      g_value_set_boolean (value, self->inputs_valid);
      break;
    case PROP_PREDICTION:
      g_value_set_double (value, self->prediction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_predict_dialog_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  Co2sPredictDialog *self = CO2S_PREDICT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL_PATH:
      co2s_predict_dialog_set_model_path (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_predict_dialog_class_init (Co2sPredictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = co2s_predict_dialog_dispose;
  object_class->finalize = co2s_predict_dialog_finalize;
  object_class->get_property = co2s_predict_dialog_get_property;
  object_class->set_property = co2s_predict_dialog_set_property;

  properties[PROP_MODEL_PATH] =
    g_param_spec_string ("model-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_LOADED] =
    g_param_spec_boolean ("model-loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_ERROR] =
    g_param_spec_string ("model-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_LOADS] =
    g_param_spec_uint ("model-loads", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUTS_VALID] =
    g_param_spec_boolean ("inputs-valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREDICTION] =
    g_param_spec_double ("prediction", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/co2stream/Co2stream/ui/predict-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, engine_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, cylinders_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, city_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, hwy_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, comb_spin);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, engine_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, cylinders_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, city_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, hwy_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, comb_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, fuel_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, predict_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, interval_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, model_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, model_group);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, model_row);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, model_version_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sPredictDialog, model_error_label);
  gtk_widget_class_bind_template_callback (widget_class, predict_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, reload_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                reload_shortcut_cb, NULL);
}

static void
co2s_predict_dialog_init (Co2sPredictDialog *self)
{
  GtkSpinButton *spins[CO2S_VEHICLE_N_NUMBERS];
  AdwActionRow *rows[CO2S_VEHICLE_N_NUMBERS];

  self->prediction = NAN;
  gtk_widget_init_template (GTK_WIDGET (self));

  spins[CO2S_VEHICLE_ENGINE_SIZE] = self->engine_spin;
  spins[CO2S_VEHICLE_CYLINDERS] = self->cylinders_spin;
  spins[CO2S_VEHICLE_CITY] = self->city_spin;
  spins[CO2S_VEHICLE_HWY] = self->hwy_spin;
  spins[CO2S_VEHICLE_COMB] = self->comb_spin;
  rows[CO2S_VEHICLE_ENGINE_SIZE] = self->engine_row;
  rows[CO2S_VEHICLE_CYLINDERS] = self->cylinders_row;
  rows[CO2S_VEHICLE_CITY] = self->city_row;
  rows[CO2S_VEHICLE_HWY] = self->hwy_row;
  rows[CO2S_VEHICLE_COMB] = self->comb_row;

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      self->inputs[i].spin = spins[i];
      self->inputs[i].row = rows[i];
      gtk_accessible_update_property (GTK_ACCESSIBLE (spins[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _(co2s_vehicle_field_get_info (i)->label),
                                      -1);
      g_signal_connect_object (spins[i], "changed", G_CALLBACK (input_changed_cb), self, G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (self->fuel_row, "notify::selected", G_CALLBACK (input_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->model_names = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (self->model_names));
  g_signal_connect_object (self->model_row, "notify::selected", G_CALLBACK (model_selected_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_window_set_default_widget (GTK_WINDOW (self), self->predict_button);
  /* GTK 4.8 spin buttons do not activate the default widget: Enter in an
   * input predicts, as in any dialog. */
  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      GtkEventController *keys = gtk_event_controller_key_new ();

      gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
      g_signal_connect_object (keys, "key-pressed", G_CALLBACK (spin_key_pressed_cb), self, 0);
      gtk_widget_add_controller (GTK_WIDGET (spins[i]), keys);
    }

  validate_inputs (self);
  update_model_labels (self);
}

/* ---- public API ------------------------------------------------------------ */

Co2sPredictDialog *
co2s_predict_dialog_new (GtkWindow *parent,
                         const char *model_path)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (model_path != NULL, NULL);

  return g_object_new (CO2S_TYPE_PREDICT_DIALOG,
                       "transient-for", parent,
                       "model-path", model_path,
                       NULL);
}

const char *
co2s_predict_dialog_get_model_path (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), NULL);

  return self->model_path;
}

void
co2s_predict_dialog_set_model_path (Co2sPredictDialog *self,
                                    const char *model_path)
{
  g_return_if_fail (CO2S_IS_PREDICT_DIALOG (self));
  g_return_if_fail (model_path != NULL);

  if (g_strcmp0 (model_path, self->model_path) == 0)
    return;

  g_free (self->model_path);
  self->model_path = g_strdup (model_path);
  /* Another folder, another model: the old one must not answer for it. */
  g_clear_pointer (&self->checkpoint, co2s_checkpoint_free);
  self->model_chosen = FALSE;
  watch_model_file (self);
  co2s_predict_dialog_reload (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_PATH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADED]);
}

gboolean
co2s_predict_dialog_reload (Co2sPredictDialog *self,
                            GError **error)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  gboolean had_model;

  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), FALSE);
  g_return_val_if_fail (self->model_path != NULL, FALSE);

  had_model = self->checkpoint != NULL;
  g_clear_handle_id (&self->reload_source, g_source_remove);

  cp = co2s_checkpoint_load (self->model_path, &local_error);
  if (cp == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        message = g_strdup_printf (_("There is no model at “%s” yet: start the pipeline and wait "
                                     "for the trainer’s first batch."), self->model_path);
      else
        /* Translators: %s names the file and what is wrong with it */
        message = g_strdup_printf (_("The model file cannot be used: %s."), local_error->message);
    }
  else if (co2s_model_get_rows_seen (cp->model) == 0)
    {
      message = g_strdup_printf (_("The model at “%s” has not learned from any vehicle yet: wait for "
                                   "the trainer’s first batch."), self->model_path);
      g_clear_pointer (&cp, co2s_checkpoint_free);
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
    }

  if (cp == NULL)
    {
      g_message ("%s", message);
      set_model_error (self, message);
      update_model_labels (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_clear_pointer (&self->checkpoint, co2s_checkpoint_free);
  self->checkpoint = g_steal_pointer (&cp);
  self->model_loads++;
  set_model_error (self, NULL);
  fill_model_row (self);
  update_model_labels (self);

  /* A result on screen must come from the model on screen. */
  if (!isnan (self->prediction))
    co2s_predict_dialog_predict (self);

  if (!had_model)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADS]);
  return TRUE;
}

gboolean
co2s_predict_dialog_get_model_loaded (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), FALSE);

  return self->checkpoint != NULL;
}

const char *
co2s_predict_dialog_get_model_error (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), NULL);

  return self->model_error;
}

guint
co2s_predict_dialog_get_model_loads (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), 0);

  return self->model_loads;
}

void
co2s_predict_dialog_set_inputs (Co2sPredictDialog *self,
                                double engine_size,
                                double cylinders,
                                double city,
                                double hwy,
                                double comb,
                                char fuel)
{
  const double values[CO2S_VEHICLE_N_NUMBERS] = { engine_size, cylinders, city, hwy, comb };

  g_return_if_fail (CO2S_IS_PREDICT_DIALOG (self));

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    gtk_spin_button_set_value (self->inputs[i].spin, values[i]);

  for (guint i = 0; i < G_N_ELEMENTS (fuel_letters); i++)
    if (fuel_letters[i] == g_ascii_toupper (fuel))
      adw_combo_row_set_selected (self->fuel_row, i);

  validate_inputs (self);
}

gboolean
co2s_predict_dialog_get_inputs_valid (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), FALSE);

  return self->inputs_valid;
}

gboolean
co2s_predict_dialog_predict (Co2sPredictDialog *self)
{
  Co2sVehicleInput vehicle;
  double features[CO2S_N_FEATURES];
  g_autoptr(GError) error = NULL;
  Co2sPrediction prediction;

  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), FALSE);

  validate_inputs (self);
  if (!self->inputs_valid || self->checkpoint == NULL)
    return FALSE;

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      /* Commit what is typed, then read the value the spin button holds. */
      gtk_spin_button_update (self->inputs[i].spin);
      vehicle.numbers[i] = gtk_spin_button_get_value (self->inputs[i].spin);
    }
  vehicle.fuel = selected_fuel (self);

  /* Exactly what co2stream-predict does. */
  if (!co2s_vehicle_input_get_features (&vehicle, features, &error))
    {
      g_warning ("Inputs refused: %s", error->message);
      set_prediction (self, NAN);
      return FALSE;
    }

  /* The value, its interval and its model, as co2stream-predict gives them. */
  if (!co2s_prediction_compute_model (self->checkpoint, self->model_index, features, &prediction))
    {
      set_model_error (self, _("The model gives no finite prediction for this vehicle."));
      update_model_labels (self);
      set_prediction (self, NAN);
      return FALSE;
    }

  set_prediction (self, prediction.value);
  show_interval (self, &prediction);
  return TRUE;
}

double
co2s_predict_dialog_get_prediction (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), NAN);

  return self->prediction;
}

gboolean
co2s_predict_dialog_select_model (Co2sPredictDialog *self,
                                  const char *name)
{
  int index;

  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (self->checkpoint == NULL || (index = co2s_checkpoint_find_model (self->checkpoint, name)) < 0)
    return FALSE;
  /* As the user would: through the row, whose handler does the rest. */
  adw_combo_row_set_selected (self->model_row, (guint) index);
  return TRUE;
}

const char *
co2s_predict_dialog_get_selected_model (Co2sPredictDialog *self)
{
  g_return_val_if_fail (CO2S_IS_PREDICT_DIALOG (self), NULL);

  return self->checkpoint != NULL ? self->model_name : NULL;
}
