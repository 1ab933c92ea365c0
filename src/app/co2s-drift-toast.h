/* co2s-drift-toast.h — tells the user, with a toast, when a batch that
 * arrives live raises the trainer's drift alarm (Co2sMetricsHistory
 * "drift-alarm"); the plot marks the batch. Main thread. */
#pragma once

#include <adwaita.h>

#include "co2s-metrics-history.h"

G_BEGIN_DECLS

/* Shows a toast in @overlay for each "drift-alarm" of @history, for as long
 * as both live (the handler goes with @overlay). */
void co2s_drift_toast_attach (AdwToastOverlay    *overlay,
                              Co2sMetricsHistory *history);

/* The toast's text for an alarm at batch @batch (newly allocated). */
char *co2s_drift_toast_dup_text (guint64 batch);

G_END_DECLS
