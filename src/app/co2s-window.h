/* co2s-window.h — the main window of co2stream.
 *
 * Shows the pipeline of its Co2sApplication: Start/Stop and Predict in the
 * header bar, the RMSE plot with its view options (stored in GSettings),
 * the key figures, one row per service and a status line (broker
 * reachability, metrics lag, model folder). Says where to put a missing
 * data set and offers a file chooser.
 *
 * Window actions (accelerators set by the application):
 *   win.predict (Ctrl+P)             the prediction dialog
 *   win.reload-model (Ctrl+Shift+R)  reload models/model.json for predictions
 *   win.export-plot (Ctrl+E)         save the plot as PNG, SVG or PDF
 *   win.export-metrics (Ctrl+Shift+E) save the metrics as CSV
 *   win.choose-dataset               pick the data set file
 *   win.plot-log-scale, win.plot-show-fit, win.plot-show-rolling-mean
 *                                    the plot's view options (toggles)
 *   win.show-help-overlay (Ctrl+?)   keyboard shortcuts (from GtkApplication)
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-application.h"
#include "co2s-predict-dialog.h"

G_BEGIN_DECLS

/* Plot and PDF/SVG export size of the menu's Export Plot (pixels or points). */
#define CO2S_WINDOW_EXPORT_WIDTH  1200
#define CO2S_WINDOW_EXPORT_HEIGHT 700

#define CO2S_TYPE_WINDOW (co2s_window_get_type ())

G_DECLARE_FINAL_TYPE (Co2sWindow, co2s_window, CO2S, WINDOW, AdwApplicationWindow)

/* A new window of @app (after its "startup"). Transfer none (the window
 * belongs to GTK's window list). */
Co2sWindow *co2s_window_new (Co2sApplication *app);

/* The prediction dialog, created on first use when @create is TRUE (else
 * NULL until then). It is kept and hidden when closed. Transfer none. */
Co2sPredictDialog *co2s_window_get_predict_dialog (Co2sWindow *self,
                                                   gboolean create);

/* Writes the plot, as shown (view options, last N), to @path; the format
 * comes from the extension (.png, .svg, .pdf). FALSE with @error naming the
 * problem. Blocking (what Export Plot does after the file chooser). */
gboolean co2s_window_export_plot (Co2sWindow *self,
                                  const char *path,
                                  GError **error);

/* Writes every batch of the history as CSV to @path (what Export Metrics
 * does after the file chooser). FALSE with @error. Blocking. */
gboolean co2s_window_export_metrics (Co2sWindow *self,
                                     const char *path,
                                     GError **error);

/* Shows @message (plain text, not markup) as a toast (e.g. after an
 * export). */
void co2s_window_add_toast (Co2sWindow *self,
                            const char *message);

/* Shows @message (plain text) as a toast that stays until dismissed: what
 * went wrong (an export, a reset of the local broker's data). */
void co2s_window_add_error_toast (Co2sWindow *self,
                                  const char *message);

G_END_DECLS
