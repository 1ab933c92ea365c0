/* co2s-prediction.c — a prediction with its interval and its model (see the header). */
#define G_LOG_DOMAIN "co2s-prediction"

#include "co2s-prediction.h"

#include <math.h>
#include <string.h>

gboolean
co2s_prediction_compute (Co2sCheckpoint *cp,
                         const double features[CO2S_N_FEATURES],
                         Co2sPrediction *out)
{
  g_autofree char *sha = NULL;
  Co2sModelSpec spec;

  g_return_val_if_fail (cp != NULL && cp->model != NULL, FALSE);
  g_return_val_if_fail (features != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->value = co2s_model_predict (cp->model, features);
  out->half_width = NAN;
  if (cp->conformal != NULL)
    {
      co2s_conformal_prepare (cp->conformal);
      out->half_width = co2s_conformal_half_width (cp->conformal, features);
    }
  if (!isfinite (out->value))
    out->value = NAN;
  if (!isfinite (out->value) || !isfinite (out->half_width))
    out->half_width = NAN;
  out->low = out->value - out->half_width;
  out->high = out->value + out->half_width;

  co2s_model_get_spec (cp->model, &spec);
  co2s_model_spec_to_string (&spec, out->model);
  out->version = cp->batches;
  sha = co2s_checkpoint_dup_params_sha256 (cp);
  g_strlcpy (out->params_sha256, sha != NULL ? sha : "", sizeof out->params_sha256);
  return isfinite (out->value);
}
