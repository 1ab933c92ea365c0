/* co2s-prequential.c — test-then-train on one micro-batch. */
#define G_LOG_DOMAIN "co2s-prequential"

#include "co2s-prequential.h"

#include <math.h>

/* Rows predicted at a time (co2s_model_predict_rows). */
#define PREDICT_CHUNK 16

/* Step 1: predict before learning; out->rmse, mae and, with @conformal,
 * coverage_95; the batch's residuals go to @conformal. */
static void
score (Co2sModel        *model,
       Co2sConformal    *conformal,
       const double     *x,
       const double     *y,
       guint             n,
       Co2sBatchMetrics *out)
{
  double se = 0.0;
  double ae = 0.0;
  guint inside = 0, with_interval = 0;
  gboolean untrained;
  double pred[PREDICT_CHUNK];

  untrained = co2s_model_get_rows_seen (model) == 0;
  if (conformal != NULL && !untrained)
    co2s_conformal_prepare (conformal);
  for (guint at = 0; !untrained && at < n; at += PREDICT_CHUNK)
    {
      const double *rows = x + (gsize) at * CO2S_N_FEATURES;
      guint len = MIN (PREDICT_CHUNK, n - at);
      double residual[PREDICT_CHUNK];

      co2s_model_predict_rows (model, rows, len, pred);
      for (guint r = 0; r < len; r++)
        {
          double e = pred[r] - y[at + r];

          se += e * e;
          ae += fabs (e);
          residual[r] = -e;
        }
      /* Row by row: each row's interval, then its residual recorded
       * (|residual| = |e|). */
      if (conformal != NULL)
        co2s_conformal_test_and_add (conformal, rows, residual, len, &inside, &with_interval);
    }
  if (conformal != NULL)
    out->coverage_95 = with_interval > 0 ? (double) inside / with_interval : NAN;
  out->rows = n;
  /* A model that has seen nothing has no prediction to test. */
  out->rmse = untrained ? NAN : sqrt (se / n);
  out->mae = untrained ? NAN : ae / n;
}

/* Steps 2 and 3: learn, then (@fit) out->rmse_fit; out->rows_seen, algo. */
static void
learn (Co2sModel        *model,
       const double     *x,
       const double     *y,
       guint             n,
       gboolean          fit,
       Co2sBatchMetrics *out)
{
  double se_fit = 0.0;
  double pred[PREDICT_CHUNK];

  co2s_model_learn (model, x, y, n);

  for (guint i = 0; fit && i < n; i++)
    {
      double e;

      if (i % PREDICT_CHUNK == 0)
        co2s_model_predict_rows (model, x + (gsize) i * CO2S_N_FEATURES, MIN (PREDICT_CHUNK, n - i), pred);
      e = pred[i % PREDICT_CHUNK] - y[i];
      se_fit += e * e;
    }
  out->rows_seen = co2s_model_get_rows_seen (model);
  out->rmse_fit = fit ? sqrt (se_fit / n) : NAN;
  g_strlcpy (out->algo, co2s_algo_to_string (co2s_model_get_algo (model)), sizeof out->algo);
}

static void
step (Co2sModel        *model,
      Co2sConformal    *conformal,
      const double     *x,
      const double     *y,
      guint             n,
      Co2sBatchMetrics *out)
{
  score (model, conformal, x, y, n, out);
  learn (model, x, y, n, TRUE, out);
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

void
co2s_prequential_score (Co2sModel        *model,
                        Co2sConformal    *conformal,
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

  score (model, conformal, x, y, n, out);
}

void
co2s_prequential_learn (Co2sModel        *model,
                        const double     *x,
                        const double     *y,
                        guint             n,
                        gboolean          fit,
                        Co2sBatchMetrics *out)
{
  g_return_if_fail (CO2S_IS_MODEL (model));
  g_return_if_fail (x != NULL);
  g_return_if_fail (y != NULL);
  g_return_if_fail (n > 0);
  g_return_if_fail (out != NULL);

  learn (model, x, y, n, fit, out);
}
