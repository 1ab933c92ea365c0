/* co2s-rmse-plot.h — the RMSE-per-batch plot, drawn by PLplot on any cairo_t.
 *
 * x = batch, y = prequential RMSE (g/km), optionally the RMSE after learning
 * (rmse_fit) and a rolling mean. With a trainer of several models, each
 * model's prequential RMSE is its own series (the champion's heavier, its
 * legend entry "NAME (champion)"); rolled-up older batches, fit and rolling
 * mean are the champion's. Series are told apart by dash pattern AND
 * marker shape AND colour (Okabe–Ito based palettes with at least 4.5:1
 * contrast against the background in both styles), never by hue alone.
 *
 * Long histories are reduced to what the pixels can show (Co2sDecimator,
 * min/max per pixel column) and the reduction is cached per history and
 * size: appending batches only costs the new batches, and a redraw of an
 * unchanged history costs no decimation at all.
 *
 * PLplot keeps global state and is not thread-safe: each draw uses its own
 * PLplot stream (created and ended within the call), and all PLplot work of
 * this module is serialised by a global lock. Draw from the main thread of
 * a UI; the export functions may run on any single thread at a time.
 * Needs no display server (cairo image/SVG/PDF surfaces work headless). */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "co2s-export.h"
#include "co2s-metrics-history.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_PLOT_STYLE_LIGHT,
  CO2S_PLOT_STYLE_DARK,
} Co2sPlotStyle;

/* What the y axis shows, over the same batch axis. */
typedef enum {
  CO2S_PLOT_QUANTITY_RMSE,        /* prequential RMSE (with fit and rolling mean) */
  CO2S_PLOT_QUANTITY_LAG,         /* the trainer's consumer lag, messages */
  CO2S_PLOT_QUANTITY_THROUGHPUT,  /* rows learned per second (the history's rate window) */
} Co2sPlotQuantity;

#define CO2S_TYPE_PLOT_QUANTITY (co2s_plot_quantity_get_type ())
GType co2s_plot_quantity_get_type (void);   /* nicks: "rmse", "lag", "throughput" */

typedef struct {
  Co2sPlotQuantity quantity; /* default RMSE; lag and throughput draw one series
                             * (show_fit and show_rolling apply to RMSE only) */
  gboolean show_fit;        /* RMSE after learning (rmse_fit), dashed, triangles */
  gboolean show_rolling;    /* rolling mean (history's window), dash-dot, squares */
  gboolean log_y;           /* log10 y axis; values <= 0 are not drawn */
  guint last_n;             /* show the last N batches; 0 = all */
  Co2sPlotStyle style;
  double font_scale;        /* 1.0 = 13 px tick labels; > 0 */
  gboolean draw_background; /* fill with the style's background first */
  gboolean show_legend;
  const char *title;        /* drawn above the plot; NULL = none */
  gboolean no_decimation;   /* benchmarks only: hand every point to PLplot */
} Co2sRmsePlotOptions;

/* Defaults: RMSE, rolling mean shown, fit hidden, linear y, all batches,
 * light style, font scale 1, background drawn, legend shown, no title. */
void co2s_rmse_plot_options_init (Co2sRmsePlotOptions *options);

typedef struct {
  double r, g, b;           /* 0..1 */
} Co2sRgb;

/* Colours the models of a trainer of several models cycle through. */
#define CO2S_RMSE_PLOT_MODEL_COLOURS 4

typedef struct {
  Co2sRgb background;
  Co2sRgb text;             /* labels and legend text */
  Co2sRgb axis;             /* axis lines and ticks */
  Co2sRgb grid;
  Co2sRgb rmse;
  Co2sRgb fit;
  Co2sRgb rolling;
  Co2sRgb drift;            /* drift alarm marks */
  Co2sRgb models[CO2S_RMSE_PLOT_MODEL_COLOURS]; /* each model's RMSE, several models */
} Co2sRmsePlotPalette;

/* The colours of @style (also for a widget's own legend or tooltips). */
void co2s_rmse_plot_get_palette (Co2sPlotStyle style, Co2sRmsePlotPalette *out);

/* WCAG 2 contrast ratio of two colours (1..21). */
double co2s_rgb_contrast (const Co2sRgb *a, const Co2sRgb *b);

#define CO2S_TYPE_RMSE_PLOT (co2s_rmse_plot_get_type ())
G_DECLARE_FINAL_TYPE (Co2sRmsePlot, co2s_rmse_plot, CO2S, RMSE_PLOT, GObject)

/* A plot of @history (may be NULL: an empty plot). Holds a reference. */
Co2sRmsePlot *co2s_rmse_plot_new (Co2sMetricsHistory *history);

Co2sMetricsHistory *co2s_rmse_plot_get_history (Co2sRmsePlot *self);
void                co2s_rmse_plot_set_history (Co2sRmsePlot *self,
                                                Co2sMetricsHistory *history);

/* Brings the decimation cache up to date for a @width × @height drawing
 * with @options (NULL = defaults), without drawing: a UI may call it when
 * the history changes, off the draw path. Drawing calls it anyway. */
void co2s_rmse_plot_prepare (Co2sRmsePlot *self,
                             int width,
                             int height,
                             const Co2sRmsePlotOptions *options);

/* Draws onto @cr in user units (0,0)-(@width,@height); @cr's state is
 * restored on return. Sizes below 16 × 16 only draw the background. */
void co2s_rmse_plot_draw (Co2sRmsePlot *self,
                          cairo_t *cr,
                          int width,
                          int height,
                          const Co2sRmsePlotOptions *options);

/* Points handed to PLplot by the last draw, over all series (for tests and
 * benchmarks). */
gsize co2s_rmse_plot_get_last_point_count (Co2sRmsePlot *self);

/* Writes the plot of @history (may be NULL) to @path, the format chosen by
 * the extension (case-insensitive): .png (a @width × @height pixel image),
 * .svg or .pdf (@width × @height points). The file is replaced atomically
 * (written beside @path, renamed over it): on failure @path is left as it
 * was. Unknown extension: G_IO_ERROR_INVALID_ARGUMENT naming it; sizes
 * outside 16..16384: G_IO_ERROR_INVALID_ARGUMENT; write failures: the GIO
 * error, message naming @path. Blocking; @history is read on the calling
 * thread, which must be its own. */
gboolean co2s_rmse_plot_export (Co2sMetricsHistory *history,
                                const Co2sRmsePlotOptions *options,
                                const char *path,
                                int width,
                                int height,
                                GError **error);

/* The same without blocking: @history (may be NULL) is copied now
 * (co2s_metrics_history_copy: later changes are not drawn) and @options
 * (may be NULL; its title too), then the copy is drawn and encoded on a
 * worker thread; the file is what co2s_rmse_plot_export writes (byte for
 * byte, but for a PDF's creation date and cairo's SVG ids). @progress (may be NULL) is called with @progress_data on the
 * caller's thread-default main context as the steps complete (decimated,
 * drawn, encoded), ending with 1.0 before @callback on success;
 * @progress_data must stay valid until @callback has run. Cancelling
 * @cancellable (may be NULL) stops the job at its next step:
 * G_IO_ERROR_CANCELLED and @path left as it was. While the worker draws,
 * other PLplot drawing in the process waits (one PLplot user at a time).
 * @callback runs on the caller's thread-default main context. Main thread
 * (@history's). */
void co2s_rmse_plot_export_async (Co2sMetricsHistory *history,
                                  const Co2sRmsePlotOptions *options,
                                  const char *path,
                                  int width,
                                  int height,
                                  GCancellable *cancellable,
                                  Co2sProgressFunc progress,
                                  gpointer progress_data,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);

/* TRUE once the file is in place; FALSE with the error described above. */
gboolean co2s_rmse_plot_export_finish (GAsyncResult *result,
                                       GError **error);

/* One sentence for screen readers, in the current locale, e.g.
 * "Latest RMSE 6.2 g/km at batch 74; best 5.1 g/km at batch 60." or
 * "No batches yet.". Free with g_free. */
char *co2s_rmse_plot_describe (Co2sMetricsHistory *history);

/* The same for what @quantity shows, e.g. "Consumer lag 120 messages at
 * batch 74; highest 4,100 at batch 12." or "Learning 5,012 rows per second
 * at batch 74.". Free with g_free. */
char *co2s_rmse_plot_describe_quantity (Co2sMetricsHistory *history, Co2sPlotQuantity quantity);

G_END_DECLS
