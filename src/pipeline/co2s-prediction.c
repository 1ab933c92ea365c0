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
  g_return_val_if_fail (cp != NULL && cp->model != NULL, FALSE);

  return co2s_prediction_compute_model (cp, cp->champion, features, out);
}

gboolean
co2s_prediction_compute_model (Co2sCheckpoint *cp,
                               guint index,
                               const double features[CO2S_N_FEATURES],
                               Co2sPrediction *out)
{
  g_autofree char *sha = NULL;
  Co2sCheckpointModel *m;
  Co2sModelSpec spec;

  g_return_val_if_fail (cp != NULL && cp->model != NULL, FALSE);
  g_return_val_if_fail (index < cp->models->len, FALSE);
  g_return_val_if_fail (features != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  m = co2s_checkpoint_get_model (cp, index);
  memset (out, 0, sizeof *out);
  out->champion = index == cp->champion;
  out->value = co2s_model_predict (m->model, features);
  out->half_width = NAN;
  if (m->conformal != NULL)
    {
      co2s_conformal_prepare (m->conformal);
      out->half_width = co2s_conformal_half_width (m->conformal, features);
    }
  if (!isfinite (out->value))
    out->value = NAN;
  if (!isfinite (out->value) || !isfinite (out->half_width))
    out->half_width = NAN;
  out->low = out->value - out->half_width;
  out->high = out->value + out->half_width;

  co2s_model_get_spec (m->model, &spec);
  co2s_model_spec_to_string (&spec, out->model);
  out->version = cp->batches;
  sha = co2s_checkpoint_dup_params_sha256 (cp);
  g_strlcpy (out->params_sha256, sha != NULL ? sha : "", sizeof out->params_sha256);
  return isfinite (out->value);
}
