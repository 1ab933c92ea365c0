/* co2s-test-model.c — see co2s-test-model.h. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-model.h"

#include <math.h>

void
co2s_test_model_difference (Co2sModel *got, Co2sModel *want, double *each, double *vector)
{
  guint n = co2s_model_get_n_coefficients (want);
  g_autofree double *a = g_new (double, n + 1);
  g_autofree double *b = g_new (double, n + 1);
  double diff = 0.0, norm = 0.0, worst = 0.0;

  g_assert_cmpuint (co2s_model_get_n_coefficients (got), ==, n);
  co2s_model_get_coefficients (got, a, &a[n]);
  co2s_model_get_coefficients (want, b, &b[n]);
  for (guint i = 0; i <= n; i++)
    {
      worst = MAX (worst, fabs (a[i] - b[i]) / MAX (fabs (b[i]), 1e-300));
      diff += (a[i] - b[i]) * (a[i] - b[i]);
      norm += b[i] * b[i];
    }
  if (each != NULL)
    *each = worst;
  if (vector != NULL)
    *vector = sqrt (diff / norm);
}
