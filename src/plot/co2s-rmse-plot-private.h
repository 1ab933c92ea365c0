/* co2s-rmse-plot-private.h — what co2s-rmse-plot.c (drawing) and
 * co2s-rmse-plot-frame.c (ranges, ticks, layout) share. Not installed. */
#pragma once

#include <cairo.h>

#include "co2s-rmse-plot.h"

G_BEGIN_DECLS

enum {
  SERIES_RMSE,
  SERIES_FIT,
  SERIES_ROLLING,
  /* A trainer of several models: each model's prequential RMSE, in place of
   * SERIES_RMSE (which is the champion's), SERIES_MODEL + slot. */
  SERIES_MODEL,
  N_SERIES = SERIES_MODEL + CO2S_METRICS_MAX_MODELS
};

/* Legend entries: the series, then what is not a series of the batches held. */
enum {
  LEGEND_ENVELOPE = N_SERIES,   /* the rollups' min/max band with its mean */
  LEGEND_DRIFT,                 /* vertical marks at drift alarms (co2s-rmse-plot-marks.c) */
  N_LEGEND
};

/* The legend's @i-th item (0 .. N_LEGEND-1): the RMSE or the models, then
 * the fit and the rolling mean, then the rest. */
static inline guint
_co2s_rmse_plot_legend_item (guint i)
{
  if (i == 0)
    return SERIES_RMSE;
  if (i <= CO2S_METRICS_MAX_MODELS)
    return SERIES_MODEL + i - 1;
  if (i == CO2S_METRICS_MAX_MODELS + 1)
    return SERIES_FIT;
  if (i == CO2S_METRICS_MAX_MODELS + 2)
    return SERIES_ROLLING;
  return i;
}

/* cmap0 slots. */
enum {
  COL_BACKGROUND,
  COL_TEXT,
  COL_AXIS,
  COL_GRID,
  COL_RMSE,
  COL_FIT,
  COL_ROLLING,
  COL_ENVELOPE,   /* the rollups' min/max band (co2s-rmse-plot-envelope.c) */
  COL_DRIFT,      /* drift alarm marks */
  COL_MODEL,      /* SERIES_MODEL + k: COL_MODEL + k % CO2S_RMSE_PLOT_MODEL_COLOURS */
  N_COLOURS = COL_MODEL + CO2S_RMSE_PLOT_MODEL_COLOURS
};

#define MIN_SIZE          16
#define BASE_FONT_PX      13.0
#define PX_PER_MM         (72.0 / 25.4)   /* the page is set up at 72 dpi */
#define MARKER_SPACING_PX 120.0
#define LEGEND_SAMPLE_PX  34.0
#define MAX_TICKS         24
#define MAJOR_TICK_PX     5.0
#define MINOR_TICK_PX     3.0
/* PLplot's cairo driver turns the character height into a Pango size in
 * points, which Pango renders at 96 dpi: 1 pt = 4/3 px. */
#define PT_PER_PX         0.75
#define FONT_FAMILY       "Sans"

/* What one drawing shows, computed before PLplot is involved. */
typedef struct {
  Co2sPlotQuantity quantity;
  guint n;                  /* batches in the history */
  guint first;              /* first visible history index */
  gboolean empty;
  double x_lo, x_hi, x_step;
  double y_lo, y_hi;        /* world coordinates (log10 when log_y) */
  double y_step;            /* linear only */
  /* Linear only: world y = value / 10^y_exponent (0: the values
   * themselves). Values from SCALED_FROM up or below SCALED_BELOW are drawn
   * rescaled: PLplot's world-to-device scale overflows for values near
   * G_MAXDOUBLE or a range of ~1e-305, and it then draws neither lines nor
   * grid. The y title says the factor ("×10³⁰⁶"). */
  int y_exponent;
  /* Several models (RMSE only): their names and the champion's slot (-1:
   * none), from the history; n_models 0 otherwise. */
  guint n_models;
  char model_names[CO2S_METRICS_MAX_MODELS][16];
  gint champion;
  /* Linear scale: a model whose values go beyond 3 times the champion's
   * largest (sgd starts near 175 g/km on the real data set, the others
   * near 26) is left out of the y range, so that its warm-up does not
   * flatten the rest; it is clipped at the top and says so in the legend. */
  gboolean above[CO2S_METRICS_MAX_MODELS];
  gboolean shown[N_LEGEND];          /* asked for by the options */
  gboolean has_data[N_LEGEND];       /* and something to draw (legend) */
  guint n_y_ticks;
  double y_ticks[MAX_TICKS];         /* world coordinates */
  char *y_labels[MAX_TICKS];
  guint n_x_ticks;
  double x_ticks[MAX_TICKS];
  char *x_labels[MAX_TICKS];
} Co2sRmsePlotFrame;

typedef struct {
  double font_px;
  double left, right, top, bottom;
  double y_label_px, y_title_px;   /* distances from the plot's left edge */
  double x_label_px, x_title_px;   /* distances from the plot's bottom edge */
  double plot_w, plot_h;
  double legend_top;        /* px from the top of the page */
  guint legend_rows;
  double legend_x[N_LEGEND];
  guint legend_row[N_LEGEND];
} Co2sRmsePlotLayout;

void _co2s_rmse_plot_frame_clear (Co2sRmsePlotFrame *frame);

/* The x range and the visible part of @history (may be NULL). */
void _co2s_rmse_plot_frame_compute_x (Co2sRmsePlotFrame *frame,
                                      Co2sMetricsHistory *history,
                                      const Co2sRmsePlotOptions *options,
                                      double plot_w);

/* The y range and ticks from the data range [@lo, @hi] (ignored unless
 * @have_data). */
void _co2s_rmse_plot_frame_compute_y (Co2sRmsePlotFrame *frame,
                                      const Co2sRmsePlotOptions *options,
                                      double lo,
                                      double hi,
                                      gboolean have_data,
                                      double plot_h);

void _co2s_rmse_plot_frame_compute_x_ticks (Co2sRmsePlotFrame *frame);

/* @value (finite; > 0 when @log_y) in @frame's world coordinates. */
double _co2s_rmse_plot_frame_world_y (const Co2sRmsePlotFrame *frame, double value, gboolean log_y);

/* The y axis title (free it), with the factor of a rescaled axis. */
char *_co2s_rmse_plot_frame_y_title (const Co2sRmsePlotFrame *frame);

/* The legend name of @series (or LEGEND_*); *@owned receives what must be freed. */
const char *_co2s_rmse_plot_series_name (const Co2sRmsePlotFrame *frame,
                                         guint series,
                                         guint window,
                                         char **owned);

/* Margins and legend placement for a @width × @height page; text is
 * measured on @cr as PLplot's cairo driver renders it. */
void _co2s_rmse_plot_compute_layout (Co2sRmsePlotLayout *layout,
                                     cairo_t *cr,
                                     const Co2sRmsePlotFrame *frame,
                                     const Co2sRmsePlotOptions *options,
                                     guint window,
                                     int width,
                                     int height);

/* TRUE when the last co2s_rmse_plot_draw on @self drew axes and labels,
 * FALSE when it left only the background (a page too small for them). */
gboolean _co2s_rmse_plot_drew_frame (Co2sRmsePlot *self);

/* With all batches shown (last_n 0) and rollups in @history: the first
 * rollup's batch in *@x_first and their RMSE range merged into *@lo, *@hi;
 * TRUE when any is drawable. (co2s-rmse-plot-envelope.c) */
gboolean _co2s_rmse_plot_envelope_range (Co2sMetricsHistory *history,
                                         const Co2sRmsePlotOptions *options,
                                         double *x_first,
                                         double *lo,
                                         double *hi);

/* Draws the rollups as a min/max band in @colour with the mean as a line
 * (PLplot stream current, plot coordinates set); the points handed over. */
gsize _co2s_rmse_plot_draw_envelope (Co2sMetricsHistory *history,
                                     const Co2sRmsePlotFrame *frame,
                                     const Co2sRmsePlotOptions *options,
                                     const Co2sRgb *colour);

/* TRUE when @history has a drift alarm to mark in @frame's x range: a
 * batch held from frame->first on, or (all batches shown) a rollup with
 * one. (co2s-rmse-plot-marks.c) */
gboolean _co2s_rmse_plot_has_drift_marks (Co2sMetricsHistory *history,
                                          const Co2sRmsePlotFrame *frame,
                                          const Co2sRmsePlotOptions *options);

/* Draws a dashed vertical line in COL_DRIFT with a ▼ at its top at each of
 * them (a rollup's at its middle batch), at most one per pixel column of
 * the plot; PLplot stream current, plot coordinates set. Returns the marks
 * drawn. */
guint _co2s_rmse_plot_draw_drift_marks (Co2sMetricsHistory *history,
                                        cairo_t *cr,
                                        const Co2sRmsePlotFrame *frame,
                                        const Co2sRmsePlotLayout *layout,
                                        const Co2sRmsePlotOptions *options);

/* The legend's sample of LEGEND_ENVELOPE or LEGEND_DRIFT from page x @x0
 * to @x1 around y @yc (page coordinates). */
void _co2s_rmse_plot_draw_legend_sample (cairo_t *cr,
                                         guint item,
                                         double x0,
                                         double x1,
                                         double yc,
                                         double font_px,
                                         const Co2sRmsePlotOptions *options);

G_END_DECLS
