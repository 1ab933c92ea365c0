/* co2s-rmse-plot-envelope.c — the downsampled part of a long run (the
 * history's rollups, co2s-metrics-rollup.h) drawn as the band between each
 * bucket's lowest and highest prequential RMSE (or consumer lag), with its
 * mean as a line, so that the whole run's shape shows before the batches
 * held one by one; throughput as each bucket's mean rows/s. */
#define G_LOG_DOMAIN "co2s-rmse-plot"

#include "co2s-rmse-plot-private.h"

#include <math.h>
#include <plplot.h>

/* A bucket's values of @quantity: its stat, or for throughput the rows of
 * its batches over the time they took (one value: min = max = mean). */
static Co2sRollupStat
bucket_stat (const Co2sMetricsRollup *r, Co2sPlotQuantity quantity)
{
  Co2sRollupStat s = { 0, NAN, NAN, NAN, NAN };
  gint64 dt = r->last_timestamp_us - r->first_timestamp_us;

  switch (quantity)
    {
    case CO2S_PLOT_QUANTITY_LAG:
      return r->stats[CO2S_ROLLUP_LAG];
    case CO2S_PLOT_QUANTITY_THROUGHPUT:
      if (r->count > 1 && dt > 0)
        {
          s.n = 1;
          s.min = s.max = s.mean = s.last = (double) r->rows * G_USEC_PER_SEC / (double) dt;
        }
      return s;
    case CO2S_PLOT_QUANTITY_RMSE:
    default:
      return r->stats[CO2S_ROLLUP_RMSE];
    }
}

/* A bucket's values as drawn: all finite, and > 0 on a log axis. */
static gboolean
bucket_drawable (const Co2sMetricsRollup *r, const Co2sRmsePlotOptions *options)
{
  Co2sRollupStat s = bucket_stat (r, options->quantity);

  return s.n > 0 && isfinite (s.min) && isfinite (s.max) && isfinite (s.mean) &&
         (!options->log_y || s.min > 0.0);
}

gboolean
_co2s_rmse_plot_envelope_range (Co2sMetricsHistory *history,
                                const Co2sRmsePlotOptions *options,
                                double *x_first,
                                double *lo,
                                double *hi)
{
  const Co2sMetricsRollup *r;
  gboolean any = FALSE;
  guint n = 0;

  if (history == NULL || options->last_n > 0)
    return FALSE;
  r = co2s_metrics_history_get_rollups (history, &n);
  if (n == 0)
    return FALSE;
  *x_first = (double) r[0].first_batch;
  for (guint i = 0; i < n; i++)
    if (bucket_drawable (&r[i], options))
      {
        Co2sRollupStat st = bucket_stat (&r[i], options->quantity);

        *lo = MIN (*lo, st.min);
        *hi = MAX (*hi, st.max);
        any = TRUE;
      }
  return any;
}

/* One run of drawable buckets [@from, @to): the band, then the mean. */
static gsize
draw_run (const Co2sMetricsRollup *r,
          guint from,
          guint to,
          const Co2sRmsePlotFrame *frame,
          const Co2sRmsePlotOptions *options,
          GArray *xs,
          GArray *ys)
{
  guint k = to - from;

  g_array_set_size (xs, 4 * k);
  g_array_set_size (ys, 4 * k);
  for (guint i = 0; i < k; i++)
    {
      const Co2sMetricsRollup *b = &r[from + i];
      Co2sRollupStat st = bucket_stat (b, options->quantity);
      double x0 = (double) b->first_batch - 0.5, x1 = (double) b->last_batch + 0.5;
      double top = _co2s_rmse_plot_frame_world_y (frame, st.max, options->log_y);
      double bottom = _co2s_rmse_plot_frame_world_y (frame, st.min, options->log_y);

      /* The top edge left to right, the bottom edge right to left. */
      g_array_index (xs, double, 2 * i) = x0;
      g_array_index (ys, double, 2 * i) = top;
      g_array_index (xs, double, 2 * i + 1) = x1;
      g_array_index (ys, double, 2 * i + 1) = top;
      g_array_index (xs, double, 4 * k - 1 - 2 * i) = x0;
      g_array_index (ys, double, 4 * k - 1 - 2 * i) = bottom;
      g_array_index (xs, double, 4 * k - 2 - 2 * i) = x1;
      g_array_index (ys, double, 4 * k - 2 - 2 * i) = bottom;
    }
  plcol0 (COL_ENVELOPE);
  plfill ((PLINT) (4 * k), (PLFLT *) (gpointer) xs->data, (PLFLT *) (gpointer) ys->data);

  for (guint i = 0; i < k; i++)
    {
      const Co2sMetricsRollup *b = &r[from + i];

      g_array_index (xs, double, i) = ((double) b->first_batch + (double) b->last_batch) / 2.0;
      g_array_index (ys, double, i) =
        _co2s_rmse_plot_frame_world_y (frame, bucket_stat (b, options->quantity).mean, options->log_y);
    }
  plcol0 (COL_RMSE);
  plwidth (1.5 * options->font_scale);
  if (k == 1)
    plstring (1, (PLFLT *) (gpointer) xs->data, (PLFLT *) (gpointer) ys->data, "•");
  else
    plline ((PLINT) k, (PLFLT *) (gpointer) xs->data, (PLFLT *) (gpointer) ys->data);
  return 5 * (gsize) k;
}

gsize
_co2s_rmse_plot_draw_envelope (Co2sMetricsHistory *history,
                               const Co2sRmsePlotFrame *frame,
                               const Co2sRmsePlotOptions *options,
                               const Co2sRgb *colour)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  const Co2sMetricsRollup *r;
  guint n = 0, start = 0;
  gsize points = 0;

  if (history == NULL || options->last_n > 0)
    return 0;
  r = co2s_metrics_history_get_rollups (history, &n);
  /* The band in the RMSE colour, mostly transparent: the grid and the
   * mean line show through. */
  plscol0a (COL_ENVELOPE, (PLINT) lround (colour->r * 255), (PLINT) lround (colour->g * 255),
            (PLINT) lround (colour->b * 255), 0.28);
  for (guint i = 0; i <= n; i++)
    if (i == n || !bucket_drawable (&r[i], options))
      {
        if (i > start)
          points += draw_run (r, start, i, frame, options, xs, ys);
        start = i + 1;
      }
  return points;
}
