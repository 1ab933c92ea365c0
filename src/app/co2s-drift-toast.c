/* co2s-drift-toast.c — a toast for each drift alarm of a live batch (see the header). */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-drift-toast.h"

#include <glib/gi18n.h>

/* Long enough to read while the plot goes on; the mark stays on the plot. */
#define DRIFT_TOAST_TIMEOUT_S 10

char *
co2s_drift_toast_dup_text (guint64 batch)
{
  /* %' groups thousands the way the user's locale does. */
  g_autofree char *number = g_strdup_printf ("%'" G_GUINT64_FORMAT, batch);

  /* Translators: a toast; the trainer's drift detector found that the
   * model's prediction error changed at this batch (e.g. the data changed);
   * the plot shows a vertical mark there */
  return g_strdup_printf (_("Drift alarm at batch %s: the model’s error has changed, see the mark on the plot"),
                          number);
}

static void
drift_alarm_cb (AdwToastOverlay *overlay,
                guint64 batch,
                Co2sMetricsHistory *history)
{
  g_autofree char *text = co2s_drift_toast_dup_text (batch);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  /* Now, before the routine toasts waiting in line. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, DRIFT_TOAST_TIMEOUT_S);
  adw_toast_overlay_add_toast (overlay, toast);
}

void
co2s_drift_toast_attach (AdwToastOverlay    *overlay,
                         Co2sMetricsHistory *history)
{
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (CO2S_IS_METRICS_HISTORY (history));

  g_signal_connect_object (history, "drift-alarm", G_CALLBACK (drift_alarm_cb), overlay, G_CONNECT_SWAPPED);
}
