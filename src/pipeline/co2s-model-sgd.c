/* co2s-model-sgd.c — scikit-learn's SGDRegressor().partial_fit on
 * features standardized by a running StandardScaler (CO2S_ALGO_SGD), bit
 * for bit except for the capped step described in sgd_learn and in
 * co2s-model.h. */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-model-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-vec2.h"

/* scikit-learn: _sgd_fast.pyx MAX_DLOSS, _weight_vector.pyx threshold. */
#define SGD_MAX_DLOSS 1e12
#define SGD_WSCALE_THRESHOLD 1e-9

typedef struct {
  guint dim;                  /* the model's feature count */
  double alpha;
  double eta0;
  double power_t;
  double t;                   /* scikit-learn's t_: 1 + rows learned */
  double w[MAXF];             /* on standardized features; self->dim used */
  double b;
  guint64 scaler_n;           /* StandardScaler.n_samples_seen_ */
  double mean[MAXF];
  double var[MAXF];
  double scale[MAXF];         /* derived from var */
  guint64 steps_capped;       /* rows whose step was capped (see sgd_learn) */
} SgdState;

/* scikit-learn's defaults: SGDRegressor() and an unfitted StandardScaler. */
static void
sgd_init (Co2sModel *self)
{
  SgdState *sgd = self->state;

  sgd->dim = self->dim;
  sgd->alpha = 1e-4;
  sgd->eta0 = 0.01;
  sgd->power_t = 0.25;
  sgd->t = 1.0;
  for (guint j = 0; j < MAXF; j++)
    sgd->scale[j] = 1.0;
}

/* StandardScaler: scale_ = sqrt(var_), with near-constant features
 * (_is_constant_feature) set to 1. */
static void
sgd_update_scale (SgdState *sgd)
{
  const double eps = DBL_EPSILON;
  double n = (double) sgd->scaler_n;

  for (guint j = 0; j < sgd->dim; j++)
    {
      double var = sgd->var[j];
      double nme = n * sgd->mean[j] * eps;
      double upper = n * eps * var + nme * nme;

      sgd->scale[j] = (var <= upper) ? 1.0 : sqrt (var);
    }
}

/* StandardScaler.partial_fit → sklearn.utils.extmath._incremental_mean_and_var,
 * operation for operation. */
static void
sgd_scaler_partial_fit (SgdState *sgd, const double *x, guint n)
{
  double new_sum[MAXF] = { 0 };
  double correction[MAXF] = { 0 };
  double new_unnorm[MAXF] = { 0 };
  double last_count = (double) sgd->scaler_n;
  double new_count = (double) n;
  double updated_count = last_count + new_count;

  for (guint r = 0; r < n; r++)
    for (guint j = 0; j < sgd->dim; j++)
      new_sum[j] += x[(gsize) r * sgd->dim + j];

  for (guint j = 0; j < sgd->dim; j++)
    {
      double last_sum = sgd->mean[j] * last_count;
      double tj = new_sum[j] / new_count;
      double updated_mean = (last_sum + new_sum[j]) / updated_count;
      double updated_unnorm;

      for (guint r = 0; r < n; r++)
        {
          double tmp = x[(gsize) r * sgd->dim + j] - tj;

          correction[j] += tmp;
          new_unnorm[j] += tmp * tmp;
        }
      new_unnorm[j] -= correction[j] * correction[j] / new_count;

      if (sgd->scaler_n == 0)
        {
          updated_unnorm = new_unnorm[j];
        }
      else
        {
          double last_unnorm = sgd->var[j] * last_count;
          double last_over_new = last_count / new_count;
          double d = last_sum / last_over_new - new_sum[j];

          updated_unnorm = last_unnorm + new_unnorm[j] + last_over_new / updated_count * (d * d);
        }

      sgd->mean[j] = updated_mean;
      sgd->var[j] = updated_unnorm / updated_count;
    }
  sgd->scaler_n += n;
  sgd_update_scale (sgd);
}

static void
sgd_unscaled (Co2sModel *self)
{
  SgdState *sgd = self->state;
  double intercept = sgd->b;

  for (guint j = 0; j < sgd->dim; j++)
    {
      self->coef[j] = sgd->w[j] / sgd->scale[j];
      intercept -= self->coef[j] * sgd->mean[j];
    }
  self->intercept = intercept;
}

static gboolean
sgd_state_is_finite (const SgdState *sgd)
{
  double sum = sgd->b * 0.0;

  for (guint j = 0; j < sgd->dim; j++)
    sum += sgd->w[j] * 0.0;
  return sum == 0.0;
}

/* xs[j] = (row[j] - mean[j]) / scale[j] for j < @d. */
static G_ALWAYS_INLINE inline void
sgd_standardize (double *xs, const double *row, const double *mean, const double *scale, const guint d)
{
  guint j = 0;

  for (; j + 2 <= d; j += 2)
    {
      co2s_v2_store (xs + j, (co2s_v2_load (row + j) - co2s_v2_load (mean + j)) / co2s_v2_load (scale + j));
    }
  for (; j < d; j++)
    xs[j] = (row[j] - mean[j]) / scale[j];
}

static G_ALWAYS_INLINE inline gboolean
sgd_learn_rows (Co2sModel *self, const double *x, const double *y, guint n, const guint d)
{
  SgdState *sgd = self->state;
  SgdState saved = *sgd;
  double wscale = 1.0;

  sgd_scaler_partial_fit (sgd, x, n);

  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * d;
      double xs[MAXF];
      double dot = 0.0;
      double p, eta, dloss, update, decay;

      sgd_standardize (xs, row, sgd->mean, sgd->scale, d);

      for (guint j = 0; j < d; j++)
        dot += sgd->w[j] * xs[j];
      dot *= wscale;
      p = dot + sgd->b;

      eta = sgd->eta0 / pow (sgd->t, sgd->power_t);

      /* The one deviation from scikit-learn, for stability: a squared-loss
       * step of size eta moves this row's prediction by eta·(‖xs‖² + 1)·dloss
       * (weights and intercept), so eta·(‖xs‖² + 1) > 1 overshoots the row's
       * own target, and > 2 diverges. That happens with a rare one-hot flag:
       * the data set's single natural-gas row standardizes to about 86, and
       * scikit-learn's model then blows up to RMSEs of 10^10 g/km. The step
       * is capped at the one that fits the row exactly. On rows without such
       * an outlier (‖xs‖² + 1 < 1 / eta, i.e. < 100 at the first row) the
       * update is scikit-learn's, bit for bit. */
      {
        double norm = 1.0;

        for (guint j = 0; j < d; j++)
          norm += xs[j] * xs[j];
        if (eta * norm > 1.0)
          {
            eta = 1.0 / norm;
            sgd->steps_capped++;
          }
      }

      dloss = p - y[r];
      if (dloss < -SGD_MAX_DLOSS)
        dloss = -SGD_MAX_DLOSS;
      else if (dloss > SGD_MAX_DLOSS)
        dloss = SGD_MAX_DLOSS;
      update = -eta * dloss;

      decay = 1.0 - ((1.0 - 0.0) * eta * sgd->alpha);
      wscale *= MAX (0.0, decay);
      if (wscale < SGD_WSCALE_THRESHOLD)
        {
          for (guint j = 0; j < d; j++)
            sgd->w[j] = wscale * sgd->w[j];
          wscale = 1.0;
        }

      if (update != 0.0)
        {
          double c = update / wscale;

          co2s_v2_axpy (sgd->w, c, xs, d);
          sgd->b += update;
        }

      sgd->t += 1.0;
    }

  for (guint j = 0; j < sgd->dim; j++)
    sgd->w[j] = wscale * sgd->w[j];

  if (!sgd_state_is_finite (sgd))
    {
      g_warning ("SGD diverged on a batch of %u rows (non-finite weights); "
                 "the batch was rolled back. Are the features scaled?", n);
      *sgd = saved;
      return FALSE;
    }

  sgd_unscaled (self);
  return TRUE;
}

/* _sgd_fast.pyx _plain_sgd: squared loss, L2 (l1_ratio 0), invscaling,
 * no shuffle, one epoch, sample and class weights 1, intercept decay 1.
 * The row loop is compiled for each feature count, a constant there. */
static gboolean
sgd_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  const SgdState *sgd = self->state;

  if (sgd->dim == NF)
    return sgd_learn_rows (self, x, y, n, NF);
  g_assert (sgd->dim == MAXF);
  return sgd_learn_rows (self, x, y, n, MAXF);
}

static void
sgd_to_json (Co2sModel *self, JsonBuilder *builder)
{
  const SgdState *sgd = self->state;

  _co2s_model_add_double (builder, "alpha", sgd->alpha);
  _co2s_model_add_double (builder, "eta0", sgd->eta0);
  _co2s_model_add_double (builder, "power_t", sgd->power_t);
  _co2s_model_add_double (builder, "t", sgd->t);
  _co2s_model_add_int (builder, "steps_capped", (gint64) sgd->steps_capped);
  _co2s_model_add_double_array (builder, "weights", sgd->w, sgd->dim);
  _co2s_model_add_double (builder, "intercept", sgd->b);
  json_builder_set_member_name (builder, "scaler");
  json_builder_begin_object (builder);
  _co2s_model_add_int (builder, "n_samples_seen", (gint64) sgd->scaler_n);
  _co2s_model_add_double_array (builder, "mean", sgd->mean, sgd->dim);
  _co2s_model_add_double_array (builder, "var", sgd->var, sgd->dim);
  json_builder_end_object (builder);
}

static guint64
sgd_get_steps_capped (Co2sModel *self)
{
  const SgdState *sgd = self->state;

  return sgd->steps_capped;
}

static gboolean
sgd_from_json (Co2sModel *self, JsonObject *state, GError **error)
{
  SgdState *sgd = self->state;
  JsonObject *scaler;

  if (!co2s_json_get_double (state, "state.alpha", CO2S_JSON_REQUIRED, &sgd->alpha, error) ||
      !co2s_json_get_double (state, "state.eta0", CO2S_JSON_REQUIRED, &sgd->eta0, error) ||
      !co2s_json_get_double (state, "state.power_t", CO2S_JSON_REQUIRED, &sgd->power_t, error) ||
      !co2s_json_get_double (state, "state.t", CO2S_JSON_REQUIRED, &sgd->t, error) ||
      !co2s_json_get_count (state, "state.steps_capped", CO2S_JSON_REQUIRED, &sgd->steps_capped, error) ||
      !co2s_json_get_double_array (state, "state.weights", sgd->w, sgd->dim, error) ||
      !co2s_json_get_double (state, "state.intercept", CO2S_JSON_REQUIRED, &sgd->b, error) ||
      !co2s_json_get_object (state, "state.scaler", CO2S_JSON_REQUIRED, &scaler, error) ||
      !co2s_json_get_count (scaler, "state.scaler.n_samples_seen", CO2S_JSON_REQUIRED, &sgd->scaler_n, error) ||
      !co2s_json_get_double_array (scaler, "state.scaler.mean", sgd->mean, sgd->dim, error) ||
      !co2s_json_get_double_array (scaler, "state.scaler.var", sgd->var, sgd->dim, error))
    return FALSE;

  if (sgd->alpha < 0)
    return co2s_json_set_member_error (error, "state.alpha", "must be ≥ 0");
  if (!(sgd->eta0 > 0))
    return co2s_json_set_member_error (error, "state.eta0", "must be > 0");
  if (sgd->power_t < 0)
    return co2s_json_set_member_error (error, "state.power_t", "must be ≥ 0");
  if (!(sgd->t >= 1))
    return co2s_json_set_member_error (error, "state.t", "must be ≥ 1");
  for (guint j = 0; j < sgd->dim; j++)
    if (sgd->var[j] < 0)
      return co2s_json_set_member_error (error, "state.scaler.var", "has a negative variance");
  if (sgd->scaler_n != self->rows_seen)
    return co2s_json_set_member_error (error, "state.scaler.n_samples_seen", "differs from rows_seen");
  sgd_update_scale (sgd);
  return TRUE;
}

const Co2sModelAlgorithm _co2s_model_sgd = {
  .name = "sgd",
  .state_size = sizeof (SgdState),
  .init = sgd_init,
  .learn = sgd_learn,
  .to_json = sgd_to_json,
  .from_json = sgd_from_json,
  .get_steps_capped = sgd_get_steps_capped,
};
