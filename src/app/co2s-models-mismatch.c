/* co2s-models-mismatch.c — see co2s-models-mismatch.h. */
#define G_LOG_DOMAIN "co2stream"

#include "co2s-models-mismatch.h"

#include <glib/gi18n.h>

#include "co2s-checkpoint.h"
#include "co2s-model.h"

char *
co2s_models_mismatch_check (const char *model_path,
                            const char *algo)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *have = NULL;
  g_autofree char *want = NULL;
  Co2sModelSpec specs[CO2S_MAX_MODELS];
  guint n = 0;

  g_return_val_if_fail (model_path != NULL, NULL);
  g_return_val_if_fail (algo != NULL, NULL);

  if (!co2s_model_spec_parse_list (algo, specs, &n, NULL))
    return NULL;
  want = co2s_model_spec_list_to_string (specs, n);
  cp = co2s_checkpoint_load (model_path, NULL);
  if (cp == NULL)
    return NULL;
  for (guint i = 0; i < cp->models->len && i < CO2S_MAX_MODELS; i++)
    co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &specs[i]);
  have = co2s_model_spec_list_to_string (specs, MIN (cp->models->len, CO2S_MAX_MODELS));
  if (g_str_equal (have, want))
    return NULL;
  /* Translators: a toast when the trainer refused to start; the first %s
   * lists the models the model file holds, the second those Preferences
   * choose (model names: ls, ls:fuel, sgd…); the toast's button opens
   * Preferences; keep it short, a toast shows one line */
  return g_strdup_printf (_("Trainer stopped: the model file holds %s, Preferences choose %s"), have, want);
}

#define SHOWN_KEY "co2s-models-mismatch-toast"

static void
toast_dismissed_cb (AdwToast        *toast,
                    AdwToastOverlay *overlay)
{
  if (g_object_get_data (G_OBJECT (overlay), SHOWN_KEY) == toast)
    g_object_set_data (G_OBJECT (overlay), SHOWN_KEY, NULL);
}

static void
trainer_state_cb (Co2sService     *trainer,
                  GParamSpec      *pspec,
                  AdwToastOverlay *overlay)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (overlay));
  GtkApplication *gapp = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *algo = NULL;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  if (co2s_service_get_state (trainer) != CO2S_SERVICE_STATE_FAILED || !CO2S_IS_APPLICATION (gapp))
    return;
  model_path = co2s_application_dup_model_path (CO2S_APPLICATION (gapp));
  g_object_get (co2s_application_get_controller (CO2S_APPLICATION (gapp)), "algo", &algo, NULL);
  /* The supervisor restarts a trainer that failed: one toast until the
   * user dismisses it. */
  if (g_object_get_data (G_OBJECT (overlay), SHOWN_KEY) != NULL)
    return;
  if (model_path == NULL || algo == NULL || (text = co2s_models_mismatch_check (model_path, algo)) == NULL)
    return;
  g_message ("%s", text);
  /* libadwaita 1.2 reads a toast's title as Pango markup. */
  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* The way out: choose the file's models (or Retrain From the Start, in
   * the window, to learn the chosen ones afresh). */
  adw_toast_set_button_label (toast, _("_Preferences"));
  adw_toast_set_action_name (toast, "app.preferences");
  g_object_set_data_full (G_OBJECT (overlay), SHOWN_KEY, g_object_ref (toast), g_object_unref);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), overlay, 0);
  adw_toast_overlay_add_toast (overlay, toast);
}

void
co2s_models_mismatch_attach (AdwToastOverlay *overlay,
                             Co2sApplication *app)
{
  Co2sService *trainer;

  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (CO2S_IS_APPLICATION (app));

  trainer = co2s_supervisor_get_service (co2s_application_get_supervisor (app), CO2S_SERVICE_TRAINER);
  /* The handler goes with the overlay; the app is the overlay's window's. */
  g_signal_connect_object (trainer, "notify::state", G_CALLBACK (trainer_state_cb), overlay, 0);
}
