/* co2s-drift.c — Page-Hinkley on ln(prequential RMSE) (co2s-drift.h). */
#define G_LOG_DOMAIN "co2s-drift"

#include "co2s-drift.h"

#include <math.h>
#include <string.h>

static void
restart (Co2sDrift *drift)
{
  drift->n = 0;
  drift->mean = 0.0;
  drift->sum = 0.0;
  drift->min_sum = 0.0;
}

void
co2s_drift_params_init (Co2sDriftParams *params)
{
  g_return_if_fail (params != NULL);

  params->delta = CO2S_DRIFT_DEFAULT_DELTA;
  params->lambda = CO2S_DRIFT_DEFAULT_LAMBDA;
  params->min_batches = CO2S_DRIFT_DEFAULT_MIN_BATCHES;
}

void
co2s_drift_init (Co2sDrift *drift, const Co2sDriftParams *params)
{
  g_return_if_fail (drift != NULL);
  g_return_if_fail (params == NULL || (params->delta > 0 && params->lambda > 0));

  memset (drift, 0, sizeof *drift);
  if (params != NULL)
    drift->params = *params;
  else
    co2s_drift_params_init (&drift->params);
  restart (drift);
}

gboolean
co2s_drift_update (Co2sDrift *drift, double rmse)
{
  double x;

  g_return_val_if_fail (drift != NULL, FALSE);

  if (!isfinite (rmse) || !(rmse > 0.0))
    return FALSE;
  x = log (rmse);

  drift->n++;
  drift->mean += (x - drift->mean) / (double) drift->n;
  drift->sum += x - drift->mean - drift->params.delta;
  drift->min_sum = MIN (drift->min_sum, drift->sum);

  if (drift->n <= drift->params.min_batches || drift->sum - drift->min_sum <= drift->params.lambda)
    return FALSE;

  drift->alarms++;
  restart (drift);
  return TRUE;
}

double
co2s_drift_get_statistic (const Co2sDrift *drift)
{
  g_return_val_if_fail (drift != NULL, NAN);

  return drift->sum - drift->min_sum;
}
