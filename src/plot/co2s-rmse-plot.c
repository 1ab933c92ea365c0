/* co2s-rmse-plot.c — RMSE per batch, drawn by PLplot's extcairo device. */
#define G_LOG_DOMAIN "co2s-plot"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-rmse-plot-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <plplot.h>
#include <string.h>

#include "co2s-decimate.h"

typedef struct {
  Co2sDecimator *dec;
  guint fed;                /* history index up to which points were added */
} SeriesCache;

struct _Co2sRmsePlot
{
  GObject parent_instance;

  Co2sMetricsHistory *history;

  SeriesCache series[N_SERIES];
  gboolean cache_valid;
  guint64 cache_epoch;
  guint cache_window;
  guint cache_first;        /* first history index fed */
  double cache_x_lo;
  double cache_x_hi;
  guint cache_width;
  gboolean cache_log;
  Co2sPlotQuantity cache_quantity;

  gsize last_point_count;
  gboolean drew_frame;      /* the last draw got as far as axes and labels */
};

G_DEFINE_FINAL_TYPE (Co2sRmsePlot, co2s_rmse_plot, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (Co2sPlotQuantity, co2s_plot_quantity,
                    G_DEFINE_ENUM_VALUE (CO2S_PLOT_QUANTITY_RMSE, "rmse"),
                    G_DEFINE_ENUM_VALUE (CO2S_PLOT_QUANTITY_LAG, "lag"),
                    G_DEFINE_ENUM_VALUE (CO2S_PLOT_QUANTITY_THROUGHPUT, "throughput"))

enum {
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* PLplot's state is global: one drawing at a time in the whole process. */
static GMutex plplot_lock;

/* PLplot treats '#' as an escape character. */
static char *
pl_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '#')
        g_string_append_c (out, '#');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* A model whose largest value is beyond this many times the champion's
 * largest is left out of the y range on a linear scale (see
 * Co2sRmsePlotFrame.above). */
#define OUTLIER_FACTOR 3.0

/* ---- decimation cache ------------------------------------------------------------ */

static const double *
series_column (Co2sMetricsHistory *history, Co2sPlotQuantity quantity, guint series)
{
  switch (series)
    {
    case SERIES_RMSE:
      if (quantity == CO2S_PLOT_QUANTITY_LAG)
        return co2s_metrics_history_get_lag_column (history, NULL);
      if (quantity == CO2S_PLOT_QUANTITY_THROUGHPUT)
        return co2s_metrics_history_get_rate_column (history, NULL);
      return co2s_metrics_history_get_rmse_column (history, NULL);
    case SERIES_FIT:
      return co2s_metrics_history_get_rmse_fit_column (history, NULL);
    case SERIES_ROLLING:
      return co2s_metrics_history_get_rolling_rmse_column (history, NULL);
    default:
      g_assert (series >= SERIES_MODEL && series < N_SERIES);
      return co2s_metrics_history_get_model_rmse_column (history, series - SERIES_MODEL, NULL);
    }
}

static void
cache_clear (Co2sRmsePlot *self)
{
  for (guint s = 0; s < N_SERIES; s++)
    {
      g_clear_pointer (&self->series[s].dec, co2s_decimator_free);
      self->series[s].fed = 0;
    }
  self->cache_valid = FALSE;
}

/* Width of the decimation grid: one column per device pixel of the whole
 * drawing (the plot area is narrower, so columns are never wider than a
 * pixel), twice that for vector output that may be zoomed. */
static guint
decimation_width (int width)
{
  return (guint) CLAMP (width, 1, CO2S_DECIMATE_MAX_WIDTH);
}

static void
cache_update (Co2sRmsePlot *self,
              const Co2sRmsePlotFrame *frame,
              const Co2sRmsePlotOptions *options,
              guint dec_width)
{
  Co2sMetricsHistory *history = self->history;
  guint64 epoch = co2s_metrics_history_get_epoch (history);
  guint window = options->quantity == CO2S_PLOT_QUANTITY_THROUGHPUT
                 ? co2s_metrics_history_get_rate_window (history)
                 : co2s_metrics_history_get_rolling_window (history);
  const double *x = co2s_metrics_history_get_batch_column (history, NULL);

  if (!self->cache_valid ||
      self->cache_epoch != epoch ||
      self->cache_window != window ||
      self->cache_first != frame->first ||
      self->cache_x_lo != frame->x_lo ||
      self->cache_x_hi != frame->x_hi ||
      self->cache_width != dec_width ||
      self->cache_log != options->log_y ||
      self->cache_quantity != options->quantity)
    {
      cache_clear (self);
      self->cache_valid = TRUE;
      self->cache_epoch = epoch;
      self->cache_window = window;
      self->cache_first = frame->first;
      self->cache_x_lo = frame->x_lo;
      self->cache_x_hi = frame->x_hi;
      self->cache_width = dec_width;
      self->cache_log = options->log_y;
      self->cache_quantity = options->quantity;
    }

  for (guint s = 0; s < N_SERIES; s++)
    {
      SeriesCache *c = &self->series[s];
      const double *y;

      /* Series that are not shown are not computed (nor kept current). */
      if (!frame->shown[s])
        continue;
      if (c->dec == NULL)
        {
          c->dec = co2s_decimator_new (frame->x_lo, frame->x_hi, dec_width,
                                       options->log_y ? CO2S_DECIMATE_LOG_Y : CO2S_DECIMATE_NONE);
          c->fed = frame->first;
        }
      if (c->fed >= frame->n)
        continue;
      y = series_column (history, options->quantity, s);
      co2s_decimator_add (c->dec, x + c->fed, y + c->fed, frame->n - c->fed);
      c->fed = frame->n;
    }
}

/* Decimates (or extends the decimation) and fills in the y axis. */
static void
prepare_frame (Co2sRmsePlot *self,
               Co2sRmsePlotFrame *frame,
               int width,
               int height,
               const Co2sRmsePlotOptions *options,
               guint dec_width)
{
  /* Estimates good enough to choose tick spacing; the exact layout only
   * moves margins by a few pixels. */
  double plot_w = MAX (width - 110.0 * options->font_scale, 50.0);
  double plot_h = MAX (height - 90.0 * options->font_scale, 30.0);
  double lo = INFINITY, hi = -INFINITY;
  gboolean have = FALSE;

  memset (frame, 0, sizeof *frame);
  _co2s_rmse_plot_frame_compute_x (frame, self->history, options, plot_w);
  frame->quantity = options->quantity;
  frame->shown[SERIES_RMSE] = TRUE;
  /* The RMSE's companions; lag and throughput are one series each. */
  frame->shown[SERIES_FIT] = options->show_fit && options->quantity == CO2S_PLOT_QUANTITY_RMSE;
  frame->shown[SERIES_ROLLING] = options->show_rolling && options->quantity == CO2S_PLOT_QUANTITY_RMSE;
  frame->champion = -1;
  memset (frame->above, 0, sizeof frame->above);
  if (self->history != NULL && options->quantity == CO2S_PLOT_QUANTITY_RMSE &&
      co2s_metrics_history_get_n_models (self->history) >= 2)
    {
      /* Several models: each its own series, the champion's among them. */
      frame->n_models = co2s_metrics_history_get_n_models (self->history);
      for (guint k = 0; k < frame->n_models; k++)
        {
          g_strlcpy (frame->model_names[k], co2s_metrics_history_get_model_name (self->history, k),
                     sizeof frame->model_names[k]);
          frame->shown[SERIES_MODEL + k] = TRUE;
        }
      frame->champion = co2s_metrics_history_get_champion (self->history);
      frame->shown[SERIES_RMSE] = FALSE;
    }

  if (!frame->empty)
    {
      double model_hi[CO2S_METRICS_MAX_MODELS] = { 0 };
      double champion_lo, champion_hi;
      gboolean focus;

      cache_update (self, frame, options, dec_width);
      /* Several models on a linear scale: the range follows the champion
       * when it has something to draw (see Co2sRmsePlotFrame.above). */
      focus = frame->champion >= 0 && !options->log_y &&
              co2s_decimator_get_y_range (self->series[SERIES_MODEL + frame->champion].dec,
                                          &champion_lo, &champion_hi);
      for (guint s = 0; s < N_SERIES; s++)
        {
          double a, b;

          if (frame->shown[s] && co2s_decimator_get_y_range (self->series[s].dec, &a, &b))
            {
              gboolean other_model = s >= SERIES_MODEL && (gint) (s - SERIES_MODEL) != frame->champion;

              frame->has_data[s] = TRUE;
              lo = MIN (lo, a);
              if (!focus || !other_model || b <= OUTLIER_FACTOR * champion_hi)
                hi = MAX (hi, b);
              else
                model_hi[s - SERIES_MODEL] = b;
              have = TRUE;
            }
        }
      for (guint k = 0; focus && k < frame->n_models; k++)
        frame->above[k] = model_hi[k] > hi;
    }
  if (!frame->empty)
    {
      double x_first;

      if (_co2s_rmse_plot_envelope_range (self->history, options, &x_first, &lo, &hi))
        have = frame->has_data[LEGEND_ENVELOPE] = TRUE;
      frame->shown[LEGEND_ENVELOPE] = frame->shown[LEGEND_DRIFT] = TRUE;
      frame->has_data[LEGEND_DRIFT] = _co2s_rmse_plot_has_drift_marks (self->history, frame, options);
    }
  else
    {
      /* Nothing yet: the legend says what will appear. */
      for (guint s = 0; s < N_SERIES; s++)
        frame->has_data[s] = frame->shown[s];
    }
  _co2s_rmse_plot_frame_compute_y (frame, options, lo, hi, have, plot_h);
  _co2s_rmse_plot_frame_compute_x_ticks (frame);
}

/* ---- drawing ------------------------------------------------------------------------ */

static void
on_plplot_abort (const char *message)
{
  g_warning ("PLplot: %s", message);
}

static void
set_colour (int index, const Co2sRgb *c)
{
  plscol0 (index, (PLINT) lround (c->r * 255), (PLINT) lround (c->g * 255), (PLINT) lround (c->b * 255));
}

/* Text @px pixels tall (see PT_PER_PX). */
static void
set_font_px (double px)
{
  plschr (px * PT_PER_PX / PX_PER_MM, 1.0);
}

/* plmtex's displacement for @px pixels while the font is @font_px. */
static double
disp_for_px (double px, double font_px)
{
  return px / (font_px * PT_PER_PX);
}

/* Dash patterns are set on the cairo context itself: the extcairo device
 * strokes on it and leaves the dash state alone, and cairo dashes a whole
 * polyline in one stroke. PLplot's own dashing (plstyl) strokes every dash
 * separately, which costs several milliseconds on a dense series. Lengths
 * in the caller's units (the device only flips y). */
static void
set_dashes (cairo_t *cr, guint series, double scale)
{
  const double fit[] = { 7.0 * scale, 4.0 * scale };
  const double rolling[] = { 11.0 * scale, 3.5 * scale, 2.5 * scale, 3.5 * scale };
  /* Models: solid, dotted, long dashes, dash-dot-dot, then again (the
   * markers differ); none is the fit's or the rolling mean's pattern. */
  const double dotted[] = { 1.5 * scale, 3.0 * scale };
  const double long_dash[] = { 14.0 * scale, 5.0 * scale };
  const double dash_dot_dot[] = { 9.0 * scale, 3.0 * scale, 1.5 * scale, 3.0 * scale, 1.5 * scale, 3.0 * scale };

  if (series >= SERIES_MODEL)
    {
      switch ((series - SERIES_MODEL) % 4)
        {
        case 1:
          cairo_set_dash (cr, dotted, G_N_ELEMENTS (dotted), 0.0);
          break;
        case 2:
          cairo_set_dash (cr, long_dash, G_N_ELEMENTS (long_dash), 0.0);
          break;
        case 3:
          cairo_set_dash (cr, dash_dot_dot, G_N_ELEMENTS (dash_dot_dot), 0.0);
          break;
        default:
          cairo_set_dash (cr, NULL, 0, 0.0);
          break;
        }
      return;
    }
  switch (series)
    {
    case SERIES_FIT:          /* dashed */
      cairo_set_dash (cr, fit, G_N_ELEMENTS (fit), 0.0);
      break;
    case SERIES_ROLLING:      /* dash-dot */
      cairo_set_dash (cr, rolling, G_N_ELEMENTS (rolling), 0.0);
      break;
    case SERIES_RMSE:         /* solid */
    default:
      cairo_set_dash (cr, NULL, 0, 0.0);
      break;
    }
}

static const char *
series_marker (guint series)
{
  /* Models: none of the other series' (▲ ■) nor the drift marks' (▼). */
  static const char *const models[CO2S_METRICS_MAX_MODELS] = { "●", "◆", "✚", "★", "▶", "✖", "◀", "○" };

  switch (series)
    {
    case SERIES_RMSE:
      return "●";
    case SERIES_FIT:
      return "▲";
    case SERIES_ROLLING:
      return "■";
    default:
      g_assert (series >= SERIES_MODEL && series < N_SERIES);
      return models[series - SERIES_MODEL];
    }
}

/* Line width of @series; the champion's is heavier than the other models'. */
static double
series_width (const Co2sRmsePlotFrame *frame, guint series)
{
  if (series >= SERIES_MODEL)
    return (gint) (series - SERIES_MODEL) == frame->champion ? 3.0 : 1.4;
  return series == SERIES_RMSE ? 1.6 : 1.8;
}

/* The cmap0 slot of @series. */
static int
series_colour (guint series)
{
  if (series >= SERIES_MODEL)
    return COL_MODEL + (int) ((series - SERIES_MODEL) % CO2S_RMSE_PLOT_MODEL_COLOURS);
  return COL_RMSE + (int) series;
}

/* Marker size factor of @series. */
static double
series_marker_scale (guint series)
{
  return series == SERIES_RMSE || series == SERIES_MODEL ? 0.75 : 0.8;
}

/* Page coordinates: pixels from the bottom-left corner. */
static void
use_page_coordinates (int width, int height)
{
  plvpor (0.0, 1.0, 0.0, 1.0);
  plwind (0.0, width, 0.0, height);
}

static void
use_plot_coordinates (const Co2sRmsePlotFrame *frame, const Co2sRmsePlotLayout *layout, int width, int height)
{
  plvpor (layout->left / width, 1.0 - layout->right / width,
          layout->bottom / height, 1.0 - layout->top / height);
  plwind (frame->x_lo, frame->x_hi, frame->y_lo, frame->y_hi);
}

static double
world_y (const Co2sRmsePlotFrame *frame, double value, gboolean log_y)
{
  return _co2s_rmse_plot_frame_world_y (frame, value, log_y);
}

static void
draw_series (Co2sRmsePlot *self,
             cairo_t *cr,
             const Co2sRmsePlotFrame *frame,
             const Co2sRmsePlotOptions *options,
             guint s,
             GArray *scratch_x,
             GArray *scratch_y)
{
  const double *x, *y;
  gsize n;

  if (options->no_decimation)
    {
      const double *bx = co2s_metrics_history_get_batch_column (self->history, NULL);
      const double *by = series_column (self->history, options->quantity, s);

      g_array_set_size (scratch_x, 0);
      g_array_set_size (scratch_y, 0);
      for (guint i = frame->first; i < frame->n; i++)
        {
          double v = by[i];

          if (!isfinite (v) || (options->log_y && v <= 0.0))
            continue;
          g_array_append_val (scratch_x, bx[i]);
          v = world_y (frame, v, options->log_y);
          g_array_append_val (scratch_y, v);
        }
      x = (const double *) (gpointer) scratch_x->data;
      y = (const double *) (gpointer) scratch_y->data;
      n = scratch_x->len;
    }
  else
    {
      n = co2s_decimator_get_points (self->series[s].dec, &x, &y);
      if (options->log_y || frame->y_exponent != 0)
        {
          g_array_set_size (scratch_y, n);
          for (gsize i = 0; i < n; i++)
            g_array_index (scratch_y, double, i) = world_y (frame, y[i], options->log_y);
          y = (const double *) (gpointer) scratch_y->data;
        }
    }

  if (n == 0)
    return;
  self->last_point_count += n;
  plcol0 (series_colour (s));
  plwidth (series_width (frame, s) * options->font_scale);
  set_dashes (cr, s, options->font_scale);
  if (n == 1)
    plstring (1, x, y, series_marker (s));
  else
    plline ((PLINT) MIN (n, (gsize) G_MAXINT32), x, y);
  set_dashes (cr, SERIES_RMSE, 1.0);
}

/* Markers at a regular pixel spacing, on actual data points, staggered per
 * series so they do not hide each other. */
static void
draw_markers (Co2sRmsePlot *self,
              const Co2sRmsePlotFrame *frame,
              const Co2sRmsePlotLayout *layout,
              const Co2sRmsePlotOptions *options,
              guint s)
{
  const double *bx = co2s_metrics_history_get_batch_column (self->history, NULL);
  const double *by = series_column (self->history, options->quantity, s);
  double spacing = MARKER_SPACING_PX * options->font_scale;
  double phase = spacing * (s >= SERIES_MODEL ? 0.1 + 0.17 * (s - SERIES_MODEL) : 0.2 + 0.3 * s);

  plcol0 (series_colour (s));
  set_font_px (layout->font_px * series_marker_scale (s));
  for (double px = phase; px < layout->plot_w; px += spacing)
    {
      double xw = frame->x_lo + px / layout->plot_w * (frame->x_hi - frame->x_lo);
      guint lo = frame->first, hi = frame->n;
      double mx, my;

      /* First batch at or after xw. */
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (bx[mid] < xw)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo >= frame->n)
        break;
      mx = bx[lo];
      my = by[lo];
      if (!isfinite (my) || (options->log_y && my <= 0.0))
        continue;
      my = world_y (frame, my, options->log_y);
      if (my < frame->y_lo || my > frame->y_hi || mx > frame->x_hi)
        continue;
      plstring (1, &mx, &my, series_marker (s));
    }
}

static void
draw_grid_and_axes (const Co2sRmsePlotFrame *frame,
                    const Co2sRmsePlotLayout *layout,
                    const Co2sRmsePlotOptions *options)
{
  double fs = layout->font_px;

  /* Grid under everything, thin. */
  plcol0 (COL_GRID);
  plwidth (0.8);
  for (guint i = 0; i < frame->n_y_ticks; i++)
    pljoin (frame->x_lo, frame->y_ticks[i], frame->x_hi, frame->y_ticks[i]);
  for (guint i = 0; i < frame->n_x_ticks; i++)
    pljoin (frame->x_ticks[i], frame->y_lo, frame->x_ticks[i], frame->y_hi);

  /* Tick labels. */
  plcol0 (COL_TEXT);
  set_font_px (fs);
  for (guint i = 0; i < frame->n_y_ticks; i++)
    {
      g_autofree char *text = pl_escape (frame->y_labels[i]);

      plmtex ("lv", disp_for_px (layout->y_label_px, fs),
              (frame->y_ticks[i] - frame->y_lo) / (frame->y_hi - frame->y_lo), 1.0, text);
    }
  for (guint i = 0; i < frame->n_x_ticks; i++)
    {
      g_autofree char *text = pl_escape (frame->x_labels[i]);

      plmtex ("b", disp_for_px (layout->x_label_px, fs),
              (frame->x_ticks[i] - frame->x_lo) / (frame->x_hi - frame->x_lo), 0.5, text);
    }
}

static void
draw_frame (const Co2sRmsePlotFrame *frame, const Co2sRmsePlotOptions *options)
{
  /* PLplot's tick loop overflows to infinity and never ends near
   * G_MAXDOUBLE: there the y axis is drawn without PLplot's ticks (the grid
   * and labels still mark the values). */
  gboolean y_ticks = options->log_y || fabs (frame->y_hi) < G_MAXDOUBLE / 16.0;

  /* Axis lines left and bottom, outward major ticks, minor ticks. */
  plcol0 (COL_AXIS);
  plwidth (1.0);
  plbox ("bsti", frame->x_step, 0, options->log_y ? "bstil" : y_ticks ? "bsti" : "b",
         options->log_y ? 0.0 : frame->y_step, 0);
}

static void
draw_titles (const Co2sRmsePlotFrame *frame,
             const Co2sRmsePlotLayout *layout,
             const Co2sRmsePlotOptions *options)
{
  g_autofree char *x_title = pl_escape (_("Batch"));
  g_autofree char *y_text = _co2s_rmse_plot_frame_y_title (frame);
  g_autofree char *y_title = pl_escape (y_text);
  double fs = layout->font_px;

  plcol0 (COL_TEXT);
  set_font_px (fs * 1.05);
  plmtex ("b", disp_for_px (layout->x_title_px, fs * 1.05), 0.5, 0.5, x_title);
  plmtex ("l", disp_for_px (layout->y_title_px, fs * 1.05), 0.5, 0.5, y_title);
}

/* TRUE when the main quantity (or, with several models, any model) has a
 * value drawn. */
static gboolean
has_values (const Co2sRmsePlotFrame *frame)
{
  if (frame->has_data[SERIES_RMSE])
    return TRUE;
  for (guint k = 0; k < frame->n_models; k++)
    if (frame->has_data[SERIES_MODEL + k])
      return TRUE;
  return FALSE;
}

static void
draw_page_text (cairo_t *cr,
                const Co2sRmsePlotFrame *frame,
                const Co2sRmsePlotLayout *layout,
                const Co2sRmsePlotOptions *options,
                guint window,
                int width,
                int height)
{
  double fs = layout->font_px;

  use_page_coordinates (width, height);

  if (options->title != NULL && options->title[0] != '\0')
    {
      g_autofree char *title = pl_escape (options->title);

      plcol0 (COL_TEXT);
      set_font_px (fs * 1.35);
      plsfont (PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_BOLD);
      plptex (layout->left, height - 10.0 - fs * 0.75, 1.0, 0.0, 0.0, title);
      plsfont (PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_MEDIUM);
    }

  if (options->show_legend)
    {
      for (guint i = 0; i < N_LEGEND; i++)
        {
          guint s = _co2s_rmse_plot_legend_item (i);
          g_autofree char *owned = NULL;
          g_autofree char *text = NULL;
          double x0, yc, lx[2], ly[2], mx, my;

          if (!frame->shown[s] || !frame->has_data[s])
            continue;
          x0 = layout->left + layout->legend_x[s];
          yc = height - (layout->legend_top + layout->legend_row[s] * fs * 1.6 + fs * 0.8);
          lx[0] = x0;
          lx[1] = x0 + LEGEND_SAMPLE_PX * options->font_scale;
          ly[0] = ly[1] = yc;
          if (s >= N_SERIES)
            {
              _co2s_rmse_plot_draw_legend_sample (cr, s, lx[0], lx[1], yc, fs, options);
              plcol0 (COL_TEXT);
              set_font_px (fs);
              text = pl_escape (_co2s_rmse_plot_series_name (frame, s, window, &owned));
              plptex (lx[1] + fs * 0.5, yc, 1.0, 0.0, 0.0, text);
              continue;
            }

          plcol0 (series_colour (s));
          plwidth (series_width (frame, s) * options->font_scale);
          set_dashes (cr, s, options->font_scale);
          plline (2, lx, ly);
          set_dashes (cr, SERIES_RMSE, 1.0);
          mx = (lx[0] + lx[1]) / 2.0;
          my = yc;
          set_font_px (fs * series_marker_scale (s));
          plstring (1, &mx, &my, series_marker (s));

          plcol0 (COL_TEXT);
          set_font_px (fs);
          text = pl_escape (_co2s_rmse_plot_series_name (frame, s, window, &owned));
          plptex (lx[1] + fs * 0.5, yc, 1.0, 0.0, 0.0, text);
        }
    }

  if (frame->empty || !has_values (frame))
    {
      /* Batches without a value to draw: RMSE null in the file, or none
       * above zero on a log axis. */
      g_autofree char *text = pl_escape (frame->empty ? _("No batches yet")
                                         : frame->quantity == CO2S_PLOT_QUANTITY_LAG ? _("No lag values to show")
                                         : frame->quantity == CO2S_PLOT_QUANTITY_THROUGHPUT
                                           ? _("No throughput values to show")
                                         : _("No RMSE values to show"));
      double cx = layout->left + layout->plot_w / 2.0;
      double cy = layout->bottom + layout->plot_h / 2.0;

      plcol0 (COL_AXIS);
      set_font_px (fs * 1.2);
      plptex (cx, cy, 1.0, 0.0, 0.5, text);
    }
}

static void
draw_locked (Co2sRmsePlot *self,
             cairo_t *cr,
             int width,
             int height,
             const Co2sRmsePlotOptions *options)
{
  g_autoptr(GArray) scratch_x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scratch_y = g_array_new (FALSE, FALSE, sizeof (double));
  Co2sRmsePlotPalette palette;
  guint window = self->history == NULL ? CO2S_METRICS_HISTORY_DEFAULT_ROLLING_WINDOW
                 : options->quantity == CO2S_PLOT_QUANTITY_THROUGHPUT
                 ? co2s_metrics_history_get_rate_window (self->history)
                 : co2s_metrics_history_get_rolling_window (self->history);
  PLINT old_stream, stream;
  Co2sRmsePlotLayout layout;
  Co2sRmsePlotFrame frame;

  co2s_rmse_plot_get_palette (options->style, &palette);

  if (options->draw_background)
    {
      cairo_set_source_rgb (cr, palette.background.r, palette.background.g, palette.background.b);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
  self->last_point_count = 0;
  self->drew_frame = FALSE;
  if (width < MIN_SIZE || height < MIN_SIZE)
    return;

  prepare_frame (self, &frame, width, height, options, decimation_width (width));
  _co2s_rmse_plot_compute_layout (&layout, cr, &frame, options, window, width, height);
  if (layout.plot_w < 8.0 || layout.plot_h < 8.0)
    {
      _co2s_rmse_plot_frame_clear (&frame);
      return;
    }
  /* Everything handed to PLplot below is finite and non-degenerate:
   * PLplot calls exit() on some invalid input. */
  g_assert (isfinite (frame.x_lo) && isfinite (frame.x_hi) && frame.x_lo < frame.x_hi);
  g_assert (isfinite (frame.y_lo) && isfinite (frame.y_hi) && frame.y_lo < frame.y_hi);

  plgstrm (&old_stream);
  plmkstrm (&stream);
  plsabort (on_plplot_abort);
  plsdev ("extcairo");
  plspage (72.0, 72.0, width, height, 0, 0);
  plscmap0n (N_COLOURS);
  set_colour (COL_BACKGROUND, &palette.background);
  plinit ();
  pl_cmd (PLESC_DEVINIT, cr);

  set_colour (COL_BACKGROUND, &palette.background);
  set_colour (COL_TEXT, &palette.text);
  set_colour (COL_AXIS, &palette.axis);
  set_colour (COL_GRID, &palette.grid);
  set_colour (COL_RMSE, &palette.rmse);
  set_colour (COL_FIT, &palette.fit);
  set_colour (COL_ROLLING, &palette.rolling);
  set_colour (COL_DRIFT, &palette.drift);
  for (guint k = 0; k < CO2S_RMSE_PLOT_MODEL_COLOURS; k++)
    set_colour (COL_MODEL + (int) k, &palette.models[k]);
  plsfont (PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_MEDIUM);
  plsmaj (MAJOR_TICK_PX / PX_PER_MM, 1.0);
  plsmin (MINOR_TICK_PX / PX_PER_MM, 1.0);
  pladv (0);

  use_plot_coordinates (&frame, &layout, width, height);
  draw_grid_and_axes (&frame, &layout, options);

  if (!frame.empty)
    {
      /* The downsampled older batches first, under everything. */
      self->last_point_count += _co2s_rmse_plot_draw_envelope (self->history, &frame, options, &palette.rmse);
      /* Drift alarms under the series, over the band. */
      if (frame.has_data[LEGEND_DRIFT])
        _co2s_rmse_plot_draw_drift_marks (self->history, cr, &frame, &layout, options);
      /* The smooth rolling mean last, so a noisy RMSE cannot hide it. */
      for (guint s = 0; s < N_SERIES; s++)
        if (frame.shown[s])
          draw_series (self, cr, &frame, options, s, scratch_x, scratch_y);
      for (guint s = 0; s < N_SERIES; s++)
        if (frame.shown[s])
          draw_markers (self, &frame, &layout, options, s);
    }

  draw_frame (&frame, options);
  draw_titles (&frame, &layout, options);
  draw_page_text (cr, &frame, &layout, options, window, width, height);

  plend1 ();
  plsstrm (old_stream);
  _co2s_rmse_plot_frame_clear (&frame);
  self->drew_frame = TRUE;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void
co2s_rmse_plot_dispose (GObject *object)
{
  Co2sRmsePlot *self = CO2S_RMSE_PLOT (object);

  cache_clear (self);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (co2s_rmse_plot_parent_class)->dispose (object);
}

static void
co2s_rmse_plot_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  Co2sRmsePlot *self = CO2S_RMSE_PLOT (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_rmse_plot_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  Co2sRmsePlot *self = CO2S_RMSE_PLOT (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      co2s_rmse_plot_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_rmse_plot_class_init (Co2sRmsePlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_rmse_plot_dispose;
  object_class->get_property = co2s_rmse_plot_get_property;
  object_class->set_property = co2s_rmse_plot_set_property;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CO2S_TYPE_METRICS_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_rmse_plot_init (Co2sRmsePlot *self)
{
}

/* ---- private API (co2s-rmse-plot-private.h) ------------------------------------------ */

gboolean
_co2s_rmse_plot_drew_frame (Co2sRmsePlot *self)
{
  g_assert (CO2S_IS_RMSE_PLOT (self));

  return self->drew_frame;
}

/* ---- public API ------------------------------------------------------------------------ */

void
co2s_rmse_plot_options_init (Co2sRmsePlotOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->show_rolling = TRUE;
  options->style = CO2S_PLOT_STYLE_LIGHT;
  options->font_scale = 1.0;
  options->draw_background = TRUE;
  options->show_legend = TRUE;
}

/* Copies @options (or the defaults) with a sane font scale. */
static void
options_resolve (const Co2sRmsePlotOptions *options, Co2sRmsePlotOptions *out)
{
  if (options != NULL)
    *out = *options;
  else
    co2s_rmse_plot_options_init (out);
  if (!(out->font_scale > 0.05 && out->font_scale < 20.0))
    out->font_scale = 1.0;
  if ((guint) out->quantity > CO2S_PLOT_QUANTITY_THROUGHPUT)
    out->quantity = CO2S_PLOT_QUANTITY_RMSE;
}

Co2sRmsePlot *
co2s_rmse_plot_new (Co2sMetricsHistory *history)
{
  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  return g_object_new (CO2S_TYPE_RMSE_PLOT, "history", history, NULL);
}

Co2sMetricsHistory *
co2s_rmse_plot_get_history (Co2sRmsePlot *self)
{
  g_return_val_if_fail (CO2S_IS_RMSE_PLOT (self), NULL);
  return self->history;
}

void
co2s_rmse_plot_set_history (Co2sRmsePlot *self,
                            Co2sMetricsHistory *history)
{
  g_return_if_fail (CO2S_IS_RMSE_PLOT (self));
  g_return_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history));

  if (g_set_object (&self->history, history))
    {
      cache_clear (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
    }
}

void
co2s_rmse_plot_prepare (Co2sRmsePlot *self,
                        int width,
                        int height,
                        const Co2sRmsePlotOptions *options)
{
  Co2sRmsePlotOptions opts;
  Co2sRmsePlotFrame frame;

  g_return_if_fail (CO2S_IS_RMSE_PLOT (self));

  options_resolve (options, &opts);
  if (width < MIN_SIZE || height < MIN_SIZE || opts.no_decimation)
    return;
  prepare_frame (self, &frame, width, height, &opts, decimation_width (width));
  _co2s_rmse_plot_frame_clear (&frame);
}

void
co2s_rmse_plot_draw (Co2sRmsePlot *self,
                     cairo_t *cr,
                     int width,
                     int height,
                     const Co2sRmsePlotOptions *options)
{
  Co2sRmsePlotOptions opts;

  g_return_if_fail (CO2S_IS_RMSE_PLOT (self));
  g_return_if_fail (cr != NULL);

  options_resolve (options, &opts);

  g_mutex_lock (&plplot_lock);
  cairo_save (cr);
  draw_locked (self, cr, width, height, &opts);
  cairo_restore (cr);
  g_mutex_unlock (&plplot_lock);
}

gsize
co2s_rmse_plot_get_last_point_count (Co2sRmsePlot *self)
{
  g_return_val_if_fail (CO2S_IS_RMSE_PLOT (self), 0);
  return self->last_point_count;
}
