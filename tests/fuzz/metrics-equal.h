/* metrics-equal.h — two Co2sBatchMetrics equal field by field, for the
 * fast metrics-line reader's differential checks (the fuzz target and
 * tests/pipeline/test-metrics-scan.c). Header-only. */
#pragma once

#include <glib.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics.h"

static inline gboolean
metrics_same_double (double a, double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

/* Field by field (not memcmp: padding), doubles bit for bit, every model
 * slot (the unused ones zero in both). */
static inline gboolean
metrics_equal (const Co2sBatchMetrics *a, const Co2sBatchMetrics *b)
{
  if (!(a->batch == b->batch && a->rows == b->rows && a->rows_seen == b->rows_seen &&
        metrics_same_double (a->rmse, b->rmse) && metrics_same_double (a->mae, b->mae) &&
        metrics_same_double (a->rmse_fit, b->rmse_fit) && a->timestamp_us == b->timestamp_us &&
        a->lag == b->lag && metrics_same_double (a->latency_ms_p50, b->latency_ms_p50) &&
        metrics_same_double (a->latency_ms_max, b->latency_ms_max) &&
        a->latency_p50_us == b->latency_p50_us && a->latency_p99_us == b->latency_p99_us &&
        a->latency_p999_us == b->latency_p999_us &&
        memcmp (a->algo, b->algo, sizeof a->algo) == 0 && a->dlq == b->dlq &&
        metrics_same_double (a->coverage_95, b->coverage_95) && a->drift_alarm == b->drift_alarm &&
        metrics_same_double (a->drift_statistic, b->drift_statistic) && a->n_models == b->n_models &&
        a->partition == b->partition && a->partition_batch == b->partition_batch &&
        memcmp (a->trainer, b->trainer, sizeof a->trainer) == 0))
    return FALSE;
  for (guint i = 0; i < CO2S_METRICS_MAX_MODELS; i++)
    {
      const Co2sModelMetrics *x = &a->models[i], *y = &b->models[i];

      if (memcmp (x->name, y->name, sizeof x->name) != 0 || !metrics_same_double (x->rmse, y->rmse) ||
          !metrics_same_double (x->mae, y->mae) || !metrics_same_double (x->coverage_95, y->coverage_95) ||
          !metrics_same_double (x->rolling_rmse, y->rolling_rmse) || x->drift_alarm != y->drift_alarm)
        return FALSE;
    }
  return TRUE;
}
