/* co2s-prequential.c — test-then-train on one micro-batch. */
#define G_LOG_DOMAIN "co2s-prequential"

#include "co2s-prequential.h"

#include <math.h>

static void
step (Co2sModel        *model,
      Co2sConformal    *conformal,
      const double     *x,
      const double     *y,
      guint             n,
      Co2sBatchMetrics *out)
{
  double se = 0.0;
  double ae = 0.0;
  double se_fit = 0.0;
  guint inside = 0, with_interval = 0;
  gboolean untrained;

  untrained = co2s_model_get_rows_seen (model) == 0;
  if (conformal != NULL)
    co2s_conformal_prepare (conformal);
  for (guint i = 0; !untrained && i < n; i++)
    {
      const double *row = x + (gsize) i * CO2S_N_FEATURES;
      double e = co2s_model_predict (model, row) - y[i];

      se += e * e;
      ae += fabs (e);
      if (conformal != NULL)
        {
          double h = co2s_conformal_half_width (conformal, row);
          double residual = -e;

          if (!isnan (h))
            {
              with_interval++;
              inside += fabs (e) <= h;
            }
          co2s_conformal_add (conformal, row, &residual, 1);
        }
    }
  if (conformal != NULL)
    out->coverage_95 = with_interval > 0 ? (double) inside / with_interval : NAN;

  co2s_model_learn (model, x, y, n);

  for (guint i = 0; i < n; i++)
    {
      double e = co2s_model_predict (model, x + (gsize) i * CO2S_N_FEATURES) - y[i];

      se_fit += e * e;
    }

  out->rows = n;
  out->rows_seen = co2s_model_get_rows_seen (model);
  /* A model that has seen nothing has no prediction to test. */
  out->rmse = untrained ? NAN : sqrt (se / n);
  out->mae = untrained ? NAN : ae / n;
  out->rmse_fit = sqrt (se_fit / n);
  g_strlcpy (out->algo, co2s_algo_to_string (co2s_model_get_algo (model)), sizeof out->algo);
}

void
co2s_prequential_step (Co2sModel        *model,
                       const double     *x,
                       const double     *y,
                       guint             n,
                       Co2sBatchMetrics *out)
{
  g_return_if_fail (CO2S_IS_MODEL (model));
  g_return_if_fail (x != NULL);
  g_return_if_fail (y != NULL);
  g_return_if_fail (n > 0);
  g_return_if_fail (out != NULL);

  step (model, NULL, x, y, n, out);
}

void
co2s_prequential_step_with_intervals (Co2sModel        *model,
                                      Co2sConformal    *conformal,
                                      const double     *x,
                                      const double     *y,
                                      guint             n,
                                      Co2sBatchMetrics *out)
{
  g_return_if_fail (CO2S_IS_MODEL (model));
  g_return_if_fail (conformal != NULL);
  g_return_if_fail (x != NULL);
  g_return_if_fail (y != NULL);
  g_return_if_fail (n > 0);
  g_return_if_fail (out != NULL);

  step (model, conformal, x, y, n, out);
}
