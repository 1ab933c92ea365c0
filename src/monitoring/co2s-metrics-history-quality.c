/* co2s-metrics-history-quality.c — what the history says of the model's
 * honesty: its prediction intervals' coverage and its drift alarms
 * (declared in co2s-metrics-history.h). */
#define G_LOG_DOMAIN "co2s-metrics-history"

#include "co2s-metrics-history.h"
#include "co2s-metrics-store-private.h"

#include <math.h>

const double *
co2s_metrics_history_get_coverage_column (Co2sMetricsHistory *self, guint *n)
{
  const Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  store = _co2s_metrics_history_get_store (self);
  if (n != NULL)
    *n = _co2s_metrics_store_len (store);
  return (const double *) (gpointer) store->cols[COL_COVERAGE]->data;
}

double
co2s_metrics_history_get_rolling_coverage (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store;
  guint n, window, count = 0;
  double sum = 0.0;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NAN);

  store = _co2s_metrics_history_get_store (self);
  n = _co2s_metrics_store_len (store);
  window = co2s_metrics_history_get_rolling_window (self);
  for (guint i = n > window ? n - window : 0; i < n; i++)
    {
      double v = COL_D (store, COL_COVERAGE, i);

      if (isfinite (v))
        {
          sum += v;
          count++;
        }
    }
  return count > 0 ? sum / count : NAN;
}

const guint *
co2s_metrics_history_get_drift_alarm_indices (Co2sMetricsHistory *self, guint *n)
{
  const Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  store = _co2s_metrics_history_get_store (self);
  if (n != NULL)
    *n = store->alarms->len;
  return (const guint *) (gpointer) store->alarms->data;
}

guint64
co2s_metrics_history_count_drift_alarms (Co2sMetricsHistory *self, guint64 *last_batch)
{
  const Co2sMetricsStore *store;
  guint64 count, last = 0;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);

  store = _co2s_metrics_history_get_store (self);
  count = store->alarms->len;
  for (guint i = 0; i < store->rollups->len; i++)
    {
      const Co2sMetricsRollup *r = &g_array_index (store->rollups, Co2sMetricsRollup, i);

      count += r->drift_alarms;
      if (r->drift_alarms > 0)
        last = r->last_batch;
    }
  if (store->alarms->len > 0)
    last = (guint64) COL_D (store, COL_BATCH, g_array_index (store->alarms, guint, store->alarms->len - 1));
  if (last_batch != NULL)
    *last_batch = last;
  return count;
}
