/* co2s-rmse-plot-marks.c — the drift alarms (each batch whose prequential
 * error raised the trainer's drift detector, co2s-drift.h) as dashed
 * vertical lines across the plot with a ▼ at the top, and the legend
 * samples of what is not a series: the drift mark and the older batches'
 * band (co2s-rmse-plot-envelope.c). */
#define G_LOG_DOMAIN "co2s-rmse-plot"

#include "co2s-rmse-plot-private.h"

#include <math.h>
#include <plplot.h>

/* Calls @func with the x of each mark in @frame's range, in increasing
 * order: the rollups' (all batches shown) then the batches held. Stops when
 * @func returns FALSE. */
static void
foreach_mark (Co2sMetricsHistory *history,
              const Co2sRmsePlotFrame *frame,
              const Co2sRmsePlotOptions *options,
              gboolean (*func) (double x, gpointer data),
              gpointer data)
{
  const double *batches;
  const guint *alarms;
  guint n_alarms = 0, n_rollups = 0, i = 0;

  if (history == NULL || frame->empty)
    return;
  if (options->last_n == 0)
    {
      const Co2sMetricsRollup *r = co2s_metrics_history_get_rollups (history, &n_rollups);

      for (guint k = 0; k < n_rollups; k++)
        if (r[k].drift_alarms > 0 &&
            !func (((double) r[k].first_batch + (double) r[k].last_batch) / 2.0, data))
          return;
    }
  batches = co2s_metrics_history_get_batch_column (history, NULL);
  alarms = co2s_metrics_history_get_drift_alarm_indices (history, &n_alarms);
  /* The first alarm at or after the first batch shown. */
  {
    guint lo = 0, hi = n_alarms;

    while (lo < hi)
      {
        guint mid = lo + (hi - lo) / 2;

        if (alarms[mid] < frame->first)
          lo = mid + 1;
        else
          hi = mid;
      }
    i = lo;
  }
  for (; i < n_alarms; i++)
    if (alarms[i] < frame->n && !func (batches[alarms[i]], data))
      return;
}

static gboolean
found_one (double x, gpointer data)
{
  const Co2sRmsePlotFrame *frame = ((gconstpointer *) data)[0];
  gboolean *found = ((gpointer *) data)[1];

  if (x >= frame->x_lo && x <= frame->x_hi)
    {
      *found = TRUE;
      return FALSE;
    }
  return TRUE;
}

gboolean
_co2s_rmse_plot_has_drift_marks (Co2sMetricsHistory *history,
                                 const Co2sRmsePlotFrame *frame,
                                 const Co2sRmsePlotOptions *options)
{
  gboolean found = FALSE;
  gconstpointer data[2] = { frame, &found };

  foreach_mark (history, frame, options, found_one, data);
  return found;
}

typedef struct {
  const Co2sRmsePlotFrame *frame;
  const Co2sRmsePlotLayout *layout;
  double tip_dy;            /* the ▼'s centre below the top, world units */
  double last_column;
  guint drawn;
} MarkDraw;

static gboolean
draw_one (double x, gpointer data)
{
  MarkDraw *d = data;
  const Co2sRmsePlotFrame *frame = d->frame;
  double column, tip_x = x, tip_y;

  if (x < frame->x_lo || x > frame->x_hi)
    return TRUE;
  /* One mark per pixel column: a burst of alarms stays one line. */
  column = floor ((x - frame->x_lo) / (frame->x_hi - frame->x_lo) * d->layout->plot_w);
  if (d->drawn > 0 && column == d->last_column)
    return TRUE;
  d->last_column = column;
  pljoin (x, frame->y_lo, x, frame->y_hi);
  tip_y = frame->y_hi - d->tip_dy;
  plstring (1, &tip_x, &tip_y, "▼");
  d->drawn++;
  return TRUE;
}

guint
_co2s_rmse_plot_draw_drift_marks (Co2sMetricsHistory *history,
                                  cairo_t *cr,
                                  const Co2sRmsePlotFrame *frame,
                                  const Co2sRmsePlotLayout *layout,
                                  const Co2sRmsePlotOptions *options)
{
  const double dashes[] = { 5.0 * options->font_scale, 3.0 * options->font_scale };
  double marker_px = layout->font_px * 0.7;
  MarkDraw d = { frame, layout, 0.0, 0.0, 0 };

  d.tip_dy = (frame->y_hi - frame->y_lo) * (marker_px * 0.55 / layout->plot_h);
  plcol0 (COL_DRIFT);
  plwidth (1.4 * options->font_scale);
  plschr (marker_px * PT_PER_PX / PX_PER_MM, 1.0);
  /* On the cairo context, like the series' dashes (co2s-rmse-plot.c). */
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0.0);
  foreach_mark (history, frame, options, draw_one, &d);
  cairo_set_dash (cr, NULL, 0, 0.0);
  return d.drawn;
}

void
_co2s_rmse_plot_draw_legend_sample (cairo_t *cr,
                                    guint item,
                                    double x0,
                                    double x1,
                                    double yc,
                                    double font_px,
                                    const Co2sRmsePlotOptions *options)
{
  if (item == LEGEND_ENVELOPE)
    {
      double h = font_px * 0.45;
      double xs[4] = { x0, x1, x1, x0 };
      double ys[4] = { yc + h, yc + h, yc - h, yc - h };
      double lx[2] = { x0, x1 };
      double ly[2] = { yc, yc };

      /* The band's colour as drawn (translucent, set by the envelope). */
      plcol0 (COL_ENVELOPE);
      plfill (4, xs, ys);
      plcol0 (COL_RMSE);
      plwidth (1.5 * options->font_scale);
      plline (2, lx, ly);
    }
  else if (item == LEGEND_DRIFT)
    {
      const double dashes[] = { 3.0 * options->font_scale, 2.0 * options->font_scale };
      double mx = (x0 + x1) / 2.0;
      double lx[2] = { mx, mx };
      double ly[2] = { yc - font_px * 0.6, yc + font_px * 0.2 };
      double tip_y = yc + font_px * 0.35;

      plcol0 (COL_DRIFT);
      plwidth (1.4 * options->font_scale);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0.0);
      plline (2, lx, ly);
      cairo_set_dash (cr, NULL, 0, 0.0);
      plschr (font_px * 0.7 * PT_PER_PX / PX_PER_MM, 1.0);
      plstring (1, &mx, &tip_y, "▼");
    }
}
