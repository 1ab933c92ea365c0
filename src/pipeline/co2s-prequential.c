/* co2s-prequential.c — test-then-train on one micro-batch. */
#define G_LOG_DOMAIN "co2s-prequential"

#include "co2s-prequential.h"

#include <math.h>

void
co2s_prequential_step (Co2sModel        *model,
                       const double     *x,
                       const double     *y,
                       guint             n,
                       Co2sBatchMetrics *out)
{
  double se = 0.0;
  double ae = 0.0;
  double se_fit = 0.0;
  gboolean untrained;

  g_return_if_fail (CO2S_IS_MODEL (model));
  g_return_if_fail (x != NULL);
  g_return_if_fail (y != NULL);
  g_return_if_fail (n > 0);
  g_return_if_fail (out != NULL);

  untrained = co2s_model_get_rows_seen (model) == 0;
  for (guint i = 0; !untrained && i < n; i++)
    {
      double e = co2s_model_predict (model, x + (gsize) i * CO2S_N_FEATURES) - y[i];

      se += e * e;
      ae += fabs (e);
    }

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
