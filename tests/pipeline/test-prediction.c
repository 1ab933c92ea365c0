/* test-prediction.c — co2s_prediction_compute: the value is the model's,
 * the interval the conformal half-width around it (none without residuals),
 * and the model's name, version and parameter hash are the checkpoint's. */
#define G_LOG_DOMAIN "test-prediction"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "co2s-checkpoint.h"
#include "co2s-prediction.h"

/* A least-squares model of @n synthetic rows; with residuals when asked. */
static Co2sCheckpoint *
trained_checkpoint (gboolean residuals, double features[CO2S_N_FEATURES])
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&spec);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  double x[300 * CO2S_N_FEATURES], y[300];
  Co2sCheckpoint *cp;

  for (guint i = 0; i < 300; i++)
    {
      double *row = x + i * CO2S_N_FEATURES;
      double engine = g_rand_double_range (rand, 1.0, 6.0);
      double city = 5 + 2.2 * engine + g_rand_double_range (rand, -1, 1);
      double hwy = 0.7 * city;

      g_assert_true (co2s_features_from_inputs (engine, 4, city, hwy, 0.55 * city + 0.45 * hwy,
                                                i % 2 ? 'X' : 'Z', row, NULL));
      y[i] = 23 * row[4] + g_rand_double_range (rand, -4, 4);
    }
  co2s_model_learn (model, x, y, 300);
  cp = co2s_checkpoint_new (model);
  if (residuals)
    for (guint i = 0; i < 300; i++)
      {
        double r = y[i] - co2s_model_predict (model, x + i * CO2S_N_FEATURES);

        co2s_conformal_add (cp->conformal, x + i * CO2S_N_FEATURES, &r, 1);
      }
  cp->batches = 42;
  memcpy (features, x, sizeof (double) * CO2S_N_FEATURES);
  return cp;
}

static void
test_with_interval (void)
{
  double features[CO2S_N_FEATURES];
  g_autoptr(Co2sCheckpoint) cp = trained_checkpoint (TRUE, features);
  g_autofree char *sha = co2s_checkpoint_dup_params_sha256 (cp);
  Co2sPrediction p;
  double h;

  g_assert_true (co2s_prediction_compute (cp, features, &p));
  g_assert_cmpfloat (p.value, ==, co2s_model_predict (cp->model, features));
  co2s_conformal_prepare (cp->conformal);
  h = co2s_conformal_half_width (cp->conformal, features);
  g_assert_true (isfinite (h) && h > 0.0);
  g_assert_cmpfloat (p.half_width, ==, h);
  g_assert_cmpfloat (p.low, ==, p.value - h);
  g_assert_cmpfloat (p.high, ==, p.value + h);
  g_assert_cmpstr (p.model, ==, "ls");
  g_assert_cmpuint (p.version, ==, 42);
  g_assert_cmpuint (strlen (p.params_sha256), ==, 64);
  g_assert_cmpstr (p.params_sha256, ==, sha);
}

static void
test_without_residuals (void)
{
  double features[CO2S_N_FEATURES];
  g_autoptr(Co2sCheckpoint) cp = trained_checkpoint (FALSE, features);
  Co2sPrediction p;

  g_assert_true (co2s_prediction_compute (cp, features, &p));
  g_assert_true (isfinite (p.value));
  g_assert_true (isnan (p.half_width));
  g_assert_true (isnan (p.low) && isnan (p.high));
  g_assert_cmpuint (p.version, ==, 42);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prediction/with-interval", test_with_interval);
  g_test_add_func ("/prediction/without-residuals", test_without_residuals);
  return g_test_run ();
}
