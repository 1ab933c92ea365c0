/* co2s-plot-view.h — the live RMSE plot of the desktop app.
 *
 * A GtkDrawingArea drawn by src/plot (PLplot's extcairo device) with an
 * empty state on top while the history holds no batch. It redraws only when
 * the history changes ("changed", coalesced to one frame), when a property,
 * the size or the light/dark style changes: no timer, no CPU use while
 * nothing changes. Accessible role "img", label "RMSE plot", description
 * the plot library's sentence (latest and best RMSE), refreshed at most once
 * a second.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-metrics-history.h"
#include "co2s-rmse-plot.h"

G_BEGIN_DECLS

#define CO2S_TYPE_PLOT_VIEW (co2s_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (Co2sPlotView, co2s_plot_view, CO2S, PLOT_VIEW, GtkWidget)

/* A new plot view of @history (may be NULL). Returns a floating widget. */
GtkWidget *co2s_plot_view_new (Co2sMetricsHistory *history);

/* Property "history": the batches shown (transfer none), or NULL. */
Co2sMetricsHistory *co2s_plot_view_get_history (Co2sPlotView *self);
/* @history may be NULL (empty state); a reference is held. */
void co2s_plot_view_set_history (Co2sPlotView *self,
                                 Co2sMetricsHistory *history);

/* Property "log-scale": log10 y axis (default FALSE). */
gboolean co2s_plot_view_get_log_scale (Co2sPlotView *self);
void     co2s_plot_view_set_log_scale (Co2sPlotView *self,
                                       gboolean log_scale);

/* Property "show-fit": line of the RMSE after learning (default FALSE). */
gboolean co2s_plot_view_get_show_fit (Co2sPlotView *self);
void     co2s_plot_view_set_show_fit (Co2sPlotView *self,
                                      gboolean show_fit);

/* Property "show-rolling-mean": rolling mean line (default TRUE). */
gboolean co2s_plot_view_get_show_rolling_mean (Co2sPlotView *self);
void     co2s_plot_view_set_show_rolling_mean (Co2sPlotView *self,
                                               gboolean show_rolling_mean);

/* Property "last-n": show only the last N batches; 0 (default) = all. */
guint co2s_plot_view_get_last_n (Co2sPlotView *self);
void  co2s_plot_view_set_last_n (Co2sPlotView *self,
                                 guint last_n);

/* Property "quantity": what the y axis shows, RMSE (default), the
 * trainer's consumer lag or its rows/s, over the same batches. */
Co2sPlotQuantity co2s_plot_view_get_quantity (Co2sPlotView     *self);
void             co2s_plot_view_set_quantity (Co2sPlotView     *self,
                                              Co2sPlotQuantity  quantity);

/* Property "dark" (read-only): TRUE when drawn with the dark palette
 * (follows AdwStyleManager:dark). */
gboolean co2s_plot_view_get_dark (Co2sPlotView *self);

/* Fills @options (not NULL) with what the view shows now (series, scale,
 * last N, style), for an export that looks like the screen. Strings in it
 * are static. */
void co2s_plot_view_get_options (Co2sPlotView *self,
                                 Co2sRmsePlotOptions *options);

/* The accessible description set now (owned by @self; NULL before the
 * widget got a history or was realized). */
const char *co2s_plot_view_get_description (Co2sPlotView *self);

/* Times the plot was drawn since creation (tests: proves no redraw happens
 * when nothing changes). */
guint co2s_plot_view_get_draw_count (Co2sPlotView *self);

G_END_DECLS
