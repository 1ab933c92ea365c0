/* co2s-model.c — online least squares and scikit-learn-compatible SGD. */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-model.h"
#include "co2s-model-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-linalg.h"

/* ------------------------------------------------------------------------ */
/* Least squares                                                            */

/* Fuel flags are the last five features (co2s-record.c, feature_columns). */
#define FUEL_FIRST 5
#define N_FUEL 5

/* Pivot threshold of the ls solve: a column is dropped when less than this
 * share of its variance is left after the columns already taken. */
#define LS_RANK_TOL 1e-9

/* A feature whose standard deviation is below this share of its mean (or
 * exactly 0) is constant for the ls solve. */
#define LS_CONST_REL 1e-10

typedef struct {
  guint64 n;
  double x_mean[NF];
  double y_mean;
  double xx[NF][NF];          /* Σ (x-x̄)(x-x̄)ᵀ, kept symmetric */
  double xy[NF];              /* Σ (x-x̄)(y-ȳ) */
  double yy;                  /* Σ (y-ȳ)² */
} LsState;

static void
ls_solve (Co2sModel *self)
{
  LsState *ls = self->state;
  double a[NF * NF];
  double beta[NF];
  double fuel_mean_sum = 0.0;
  double fuel_sum_var = 0.0;
  double fuel_diag = 0.0;
  double shift = 0.0;
  double intercept;

  if (ls->n == 0)
    {
      memset (self->coef, 0, sizeof self->coef);
      self->intercept = 0.0;
      return;
    }

  for (guint i = 0; i < NF; i++)
    {
      double var = ls->xx[i][i] / (double) ls->n;
      double lim = LS_CONST_REL * ls->x_mean[i];
      gboolean constant = !(var > lim * lim);

      for (guint j = 0; j < NF; j++)
        {
          a[i * NF + j] = ls->xx[i][j];
          a[j * NF + i] = ls->xx[j][i];
        }
      if (constant)
        {
          for (guint j = 0; j < NF; j++)
            {
              a[i * NF + j] = 0.0;
              a[j * NF + i] = 0.0;
            }
        }
    }

  co2s_linalg_solve_psd (NF, a, ls->xy, LS_RANK_TOL, beta);

  /* Canonical fuel effects. Only when the flags are one-hot on every row
   * seen: their means sum to 1 and their sum has no variance. Then adding a
   * constant to every seen flag's coefficient and removing it from the
   * intercept changes no prediction on such rows. */
  for (guint i = FUEL_FIRST; i < FUEL_FIRST + N_FUEL; i++)
    {
      fuel_mean_sum += ls->x_mean[i];
      fuel_diag += ls->xx[i][i];
      for (guint j = FUEL_FIRST; j < FUEL_FIRST + N_FUEL; j++)
        fuel_sum_var += ls->xx[i][j];
    }
  if (fabs (fuel_mean_sum - 1.0) < 1e-9 && fabs (fuel_sum_var) <= 1e-9 * (fuel_diag + 1.0))
    {
      for (guint i = FUEL_FIRST; i < FUEL_FIRST + N_FUEL; i++)
        shift += ls->x_mean[i] * beta[i];
      for (guint i = FUEL_FIRST; i < FUEL_FIRST + N_FUEL; i++)
        if (ls->x_mean[i] > 0)
          beta[i] -= shift;
    }

  intercept = ls->y_mean;
  for (guint i = 0; i < NF; i++)
    intercept -= beta[i] * ls->x_mean[i];

  memcpy (self->coef, beta, sizeof beta);
  self->intercept = intercept;
}

static gboolean
ls_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  LsState *ls = self->state;
  double bm[NF] = { 0 };
  double bym = 0.0;
  double bxx[NF][NF] = { { 0 } };
  double bxy[NF] = { 0 };
  double byy = 0.0;
  double delta[NF];
  double dy, total, fa, fb;

  /* Pass 1: the batch means. */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * NF;

      for (guint j = 0; j < NF; j++)
        bm[j] += row[j];
      bym += y[r];
    }
  for (guint j = 0; j < NF; j++)
    bm[j] /= n;
  bym /= n;

  /* Pass 2: co-moments about the batch means (upper triangle). */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * NF;
      double d[NF];
      double e = y[r] - bym;

      for (guint j = 0; j < NF; j++)
        d[j] = row[j] - bm[j];
      for (guint j = 0; j < NF; j++)
        {
          for (guint k = j; k < NF; k++)
            bxx[j][k] += d[j] * d[k];
          bxy[j] += d[j] * e;
        }
      byy += e * e;
    }

  /* Merge (Chan, Golub & LeVeque): M = Ma + Mb + na·nb/N · δδᵀ. */
  total = (double) ls->n + (double) n;
  fa = (double) ls->n * (double) n / total;
  fb = (double) n / total;
  for (guint j = 0; j < NF; j++)
    delta[j] = bm[j] - ls->x_mean[j];
  dy = bym - ls->y_mean;
  for (guint j = 0; j < NF; j++)
    {
      for (guint k = j; k < NF; k++)
        {
          ls->xx[j][k] += bxx[j][k] + fa * delta[j] * delta[k];
          ls->xx[k][j] = ls->xx[j][k];
        }
      ls->xy[j] += bxy[j] + fa * delta[j] * dy;
    }
  ls->yy += byy + fa * dy * dy;
  for (guint j = 0; j < NF; j++)
    ls->x_mean[j] += delta[j] * fb;
  ls->y_mean += dy * fb;
  ls->n += n;

  ls_solve (self);
  return TRUE;
}

static void
ls_to_json (Co2sModel *self, JsonBuilder *builder)
{
  const LsState *ls = self->state;

  _co2s_model_add_int (builder, "n", (gint64) ls->n);
  _co2s_model_add_double_array (builder, "x_mean", ls->x_mean, NF);
  _co2s_model_add_double (builder, "y_mean", ls->y_mean);
  json_builder_set_member_name (builder, "xx_comoment");
  json_builder_begin_array (builder);
  for (guint i = 0; i < NF; i++)
    {
      json_builder_begin_array (builder);
      for (guint j = 0; j < NF; j++)
        json_builder_add_double_value (builder, ls->xx[i][j]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  _co2s_model_add_double_array (builder, "xy_comoment", ls->xy, NF);
  _co2s_model_add_double (builder, "yy_comoment", ls->yy);
}

static gboolean
ls_from_json (Co2sModel *self, JsonObject *state, GError **error)
{
  LsState *ls = self->state;

  if (!co2s_json_get_count (state, "state.n", CO2S_JSON_REQUIRED, &ls->n, error) ||
      !co2s_json_get_double_array (state, "state.x_mean", ls->x_mean, NF, error) ||
      !co2s_json_get_double (state, "state.y_mean", CO2S_JSON_REQUIRED, &ls->y_mean, error) ||
      !co2s_json_get_double_array (state, "state.xy_comoment", ls->xy, NF, error) ||
      !co2s_json_get_double (state, "state.yy_comoment", CO2S_JSON_REQUIRED, &ls->yy, error))
    return FALSE;
  if (ls->yy < 0)
    return co2s_json_set_member_error (error, "state.yy_comoment", "must be ≥ 0");

  if (!co2s_json_get_double_matrix (state, "state.xx_comoment", &ls->xx[0][0], NF, NF, error))
    return FALSE;
  for (guint i = 0; i < NF; i++)
    {
      if (ls->xx[i][i] < 0)
        return co2s_json_set_member_error (error, "state.xx_comoment", "has a negative diagonal element");
      for (guint j = 0; j < i; j++)
        if (ls->xx[i][j] != ls->xx[j][i])
          return co2s_json_set_member_error (error, "state.xx_comoment", "is not symmetric");
    }
  if (ls->n != self->rows_seen)
    return co2s_json_set_member_error (error, "state.n", "differs from rows_seen");
  return TRUE;
}

const Co2sModelAlgorithm _co2s_model_ls = {
  .name = "ls",
  .state_size = sizeof (LsState),
  .learn = ls_learn,
  .to_json = ls_to_json,
  .from_json = ls_from_json,
};

/* ------------------------------------------------------------------------ */
/* SGD                                                                      */

/* scikit-learn: _sgd_fast.pyx MAX_DLOSS, _weight_vector.pyx threshold. */
#define SGD_MAX_DLOSS 1e12
#define SGD_WSCALE_THRESHOLD 1e-9

typedef struct {
  double alpha;
  double eta0;
  double power_t;
  double t;                   /* scikit-learn's t_: 1 + rows learned */
  double w[NF];               /* on standardized features */
  double b;
  guint64 scaler_n;           /* StandardScaler.n_samples_seen_ */
  double mean[NF];
  double var[NF];
  double scale[NF];           /* derived from var */
  guint64 steps_capped;       /* rows whose step was capped (see sgd_learn) */
} SgdState;

/* scikit-learn's defaults: SGDRegressor() and an unfitted StandardScaler. */
static void
sgd_init (Co2sModel *self)
{
  SgdState *sgd = self->state;

  sgd->alpha = 1e-4;
  sgd->eta0 = 0.01;
  sgd->power_t = 0.25;
  sgd->t = 1.0;
  for (guint j = 0; j < NF; j++)
    sgd->scale[j] = 1.0;
}

/* StandardScaler: scale_ = sqrt(var_), with near-constant features
 * (_is_constant_feature) set to 1. */
static void
sgd_update_scale (SgdState *sgd)
{
  const double eps = DBL_EPSILON;
  double n = (double) sgd->scaler_n;

  for (guint j = 0; j < NF; j++)
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
  double new_sum[NF] = { 0 };
  double correction[NF] = { 0 };
  double new_unnorm[NF] = { 0 };
  double last_count = (double) sgd->scaler_n;
  double new_count = (double) n;
  double updated_count = last_count + new_count;

  for (guint r = 0; r < n; r++)
    for (guint j = 0; j < NF; j++)
      new_sum[j] += x[(gsize) r * NF + j];

  for (guint j = 0; j < NF; j++)
    {
      double last_sum = sgd->mean[j] * last_count;
      double tj = new_sum[j] / new_count;
      double updated_mean = (last_sum + new_sum[j]) / updated_count;
      double updated_unnorm;

      for (guint r = 0; r < n; r++)
        {
          double tmp = x[(gsize) r * NF + j] - tj;

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

  for (guint j = 0; j < NF; j++)
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

  for (guint j = 0; j < NF; j++)
    sum += sgd->w[j] * 0.0;
  return sum == 0.0;
}

/* _sgd_fast.pyx _plain_sgd: squared loss, L2 (l1_ratio 0), invscaling,
 * no shuffle, one epoch, sample and class weights 1, intercept decay 1. */
static gboolean
sgd_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  SgdState *sgd = self->state;
  SgdState saved = *sgd;
  double wscale = 1.0;

  sgd_scaler_partial_fit (sgd, x, n);

  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * NF;
      double xs[NF];
      double dot = 0.0;
      double p, eta, dloss, update, decay;

      for (guint j = 0; j < NF; j++)
        xs[j] = (row[j] - sgd->mean[j]) / sgd->scale[j];

      for (guint j = 0; j < NF; j++)
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

        for (guint j = 0; j < NF; j++)
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
          for (guint j = 0; j < NF; j++)
            sgd->w[j] = wscale * sgd->w[j];
          wscale = 1.0;
        }

      if (update != 0.0)
        {
          double c = update / wscale;

          for (guint j = 0; j < NF; j++)
            sgd->w[j] += xs[j] * c;
          sgd->b += update;
        }

      sgd->t += 1.0;
    }

  for (guint j = 0; j < NF; j++)
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

static void
sgd_to_json (Co2sModel *self, JsonBuilder *builder)
{
  const SgdState *sgd = self->state;

  _co2s_model_add_double (builder, "alpha", sgd->alpha);
  _co2s_model_add_double (builder, "eta0", sgd->eta0);
  _co2s_model_add_double (builder, "power_t", sgd->power_t);
  _co2s_model_add_double (builder, "t", sgd->t);
  _co2s_model_add_int (builder, "steps_capped", (gint64) sgd->steps_capped);
  _co2s_model_add_double_array (builder, "weights", sgd->w, NF);
  _co2s_model_add_double (builder, "intercept", sgd->b);
  json_builder_set_member_name (builder, "scaler");
  json_builder_begin_object (builder);
  _co2s_model_add_int (builder, "n_samples_seen", (gint64) sgd->scaler_n);
  _co2s_model_add_double_array (builder, "mean", sgd->mean, NF);
  _co2s_model_add_double_array (builder, "var", sgd->var, NF);
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
      !co2s_json_get_double_array (state, "state.weights", sgd->w, NF, error) ||
      !co2s_json_get_double (state, "state.intercept", CO2S_JSON_REQUIRED, &sgd->b, error) ||
      !co2s_json_get_object (state, "state.scaler", CO2S_JSON_REQUIRED, &scaler, error) ||
      !co2s_json_get_count (scaler, "state.scaler.n_samples_seen", CO2S_JSON_REQUIRED, &sgd->scaler_n, error) ||
      !co2s_json_get_double_array (scaler, "state.scaler.mean", sgd->mean, NF, error) ||
      !co2s_json_get_double_array (scaler, "state.scaler.var", sgd->var, NF, error))
    return FALSE;

  if (sgd->alpha < 0)
    return co2s_json_set_member_error (error, "state.alpha", "must be ≥ 0");
  if (!(sgd->eta0 > 0))
    return co2s_json_set_member_error (error, "state.eta0", "must be > 0");
  if (sgd->power_t < 0)
    return co2s_json_set_member_error (error, "state.power_t", "must be ≥ 0");
  if (!(sgd->t >= 1))
    return co2s_json_set_member_error (error, "state.t", "must be ≥ 1");
  for (guint j = 0; j < NF; j++)
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

/* ------------------------------------------------------------------------ */
/* The model                                                                */

enum {
  PROP_0,
  PROP_ALGO,
  PROP_ROWS_SEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (Co2sModel, co2s_model, G_TYPE_OBJECT)

/* Indexed by Co2sAlgo. */
static const Co2sModelAlgorithm *const algorithms[] = {
  [CO2S_ALGO_LS] = &_co2s_model_ls,
  [CO2S_ALGO_SGD] = &_co2s_model_sgd,
};

static gboolean
batch_is_finite (const double *x, const double *y, guint n)
{
  double sum = 0.0;

  /* A single NaN or infinity poisons the sum; overflow to inf of a sum of
   * finite values is impossible for plausible data and would be refused too. */
  for (guint i = 0; i < n; i++)
    {
      for (guint j = 0; j < NF; j++)
        sum += x[(gsize) i * NF + j] * 0.0;
      sum += y[i] * 0.0;
    }
  return sum == 0.0;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
co2s_model_constructed (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  G_OBJECT_CLASS (co2s_model_parent_class)->constructed (object);

  g_assert ((guint) self->algo < G_N_ELEMENTS (algorithms));
  self->algorithm = algorithms[self->algo];
  self->state = g_malloc0 (self->algorithm->state_size);
  if (self->algorithm->init != NULL)
    self->algorithm->init (self);
}

static void
co2s_model_finalize (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  g_clear_pointer (&self->state, g_free);

  G_OBJECT_CLASS (co2s_model_parent_class)->finalize (object);
}

static void
co2s_model_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  Co2sModel *self = CO2S_MODEL (object);

  switch (prop_id)
    {
    case PROP_ALGO:
      g_value_set_int (value, self->algo);
      break;

    case PROP_ROWS_SEEN:
      g_value_set_uint64 (value, self->rows_seen);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_model_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  Co2sModel *self = CO2S_MODEL (object);

  switch (prop_id)
    {
    case PROP_ALGO:
      self->algo = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_model_class_init (Co2sModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = co2s_model_constructed;
  object_class->finalize = co2s_model_finalize;
  object_class->get_property = co2s_model_get_property;
  object_class->set_property = co2s_model_set_property;

  properties[PROP_ALGO] =
    g_param_spec_int ("algo", NULL, NULL,
                      CO2S_ALGO_LS, CO2S_ALGO_SGD, CO2S_ALGO_LS,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Not notified on every learn(): read it when needed. */
  properties[PROP_ROWS_SEEN] =
    g_param_spec_uint64 ("rows-seen", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_model_init (Co2sModel *self)
{
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

const char *
co2s_algo_to_string (Co2sAlgo algo)
{
  if ((guint) algo < G_N_ELEMENTS (algorithms))
    return algorithms[algo]->name;
  return "unknown";
}

gboolean
co2s_algo_from_string (const char *str, Co2sAlgo *algo)
{
  g_return_val_if_fail (algo != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_strcmp0 (str, algorithms[i]->name) == 0)
      {
        *algo = (Co2sAlgo) i;
        return TRUE;
      }
  return FALSE;
}

Co2sModel *
co2s_model_new (Co2sAlgo algo)
{
  g_return_val_if_fail (algo == CO2S_ALGO_LS || algo == CO2S_ALGO_SGD, NULL);

  return g_object_new (CO2S_TYPE_MODEL, "algo", (int) algo, NULL);
}

Co2sAlgo
co2s_model_get_algo (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), CO2S_ALGO_LS);
  return self->algo;
}

guint64
co2s_model_get_rows_seen (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), 0);
  return self->rows_seen;
}

guint64
co2s_model_get_steps_capped (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), 0);
  return self->algorithm->get_steps_capped != NULL ? self->algorithm->get_steps_capped (self) : 0;
}

double
co2s_model_predict (Co2sModel *self, const double x[CO2S_N_FEATURES])
{
  double p;

  g_return_val_if_fail (CO2S_IS_MODEL (self), NAN);
  g_return_val_if_fail (x != NULL, NAN);

  p = self->intercept;
  for (guint j = 0; j < NF; j++)
    p += self->coef[j] * x[j];
  return p;
}

void
co2s_model_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (n == 0 || (x != NULL && y != NULL));

  if (n == 0)
    return;
  if (!batch_is_finite (x, y, n))
    {
      g_critical ("co2s_model_learn: a batch of %u rows holds a NaN or infinite value; "
                  "it was not learned", n);
      return;
    }

  if (!self->algorithm->learn (self, x, y, n))
    return;

  self->rows_seen += n;
}

void
co2s_model_get_coefficients (Co2sModel *self, double coef[CO2S_N_FEATURES], double *intercept)
{
  g_return_if_fail (CO2S_IS_MODEL (self));

  if (coef != NULL)
    memcpy (coef, self->coef, sizeof self->coef);
  if (intercept != NULL)
    *intercept = self->intercept;
}

void
co2s_model_serialize (Co2sModel *self, JsonBuilder *builder)
{
  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "algo");
  json_builder_add_string_value (builder, co2s_algo_to_string (self->algo));

  json_builder_set_member_name (builder, "features");
  json_builder_begin_array (builder);
  for (guint j = 0; j < NF; j++)
    json_builder_add_string_value (builder, co2s_feature_name (j));
  json_builder_end_array (builder);

  _co2s_model_add_double_array (builder, "coefficients", self->coef, NF);
  _co2s_model_add_double (builder, "intercept", self->intercept);
  _co2s_model_add_int (builder, "rows_seen", (gint64) self->rows_seen);

  json_builder_set_member_name (builder, "state");
  json_builder_begin_object (builder);
  self->algorithm->to_json (self, builder);
  json_builder_end_object (builder);
}

Co2sModel *
co2s_model_deserialize (JsonObject *object, GError **error)
{
  g_autoptr(Co2sModel) self = NULL;
  JsonArray *features;
  JsonObject *state;
  const char *algo_str;
  Co2sAlgo algo;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!co2s_json_get_string (object, "algo", CO2S_JSON_REQUIRED, &algo_str, error))
    return NULL;
  if (!co2s_algo_from_string (algo_str, &algo))
    {
      co2s_json_set_member_error (error, "algo", "must be \"ls\" or \"sgd\"");
      return NULL;
    }
  self = co2s_model_new (algo);

  if (!co2s_json_get_array (object, "features", CO2S_JSON_REQUIRED, &features, error) ||
      !co2s_json_check_length (features, "features", NF, error))
    return NULL;
  for (guint j = 0; j < NF; j++)
    {
      const char *name;

      if (!co2s_json_array_get_string (features, "features", j, &name, error))
        return NULL;
      if (g_strcmp0 (name, co2s_feature_name (j)) != 0)
        {
          g_autofree char *at = g_strdup_printf ("features[%u]", j);

          co2s_json_set_member_error (error, at, "must be \"%s\", not \"%s\"", co2s_feature_name (j), name);
          return NULL;
        }
    }

  if (!co2s_json_get_double_array (object, "coefficients", self->coef, NF, error) ||
      !co2s_json_get_double (object, "intercept", CO2S_JSON_REQUIRED, &self->intercept, error) ||
      !co2s_json_get_count (object, "rows_seen", CO2S_JSON_REQUIRED, &self->rows_seen, error) ||
      !co2s_json_get_object (object, "state", CO2S_JSON_REQUIRED, &state, error))
    return NULL;

  if (!self->algorithm->from_json (self, state, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------------ */
/* Private API (co2s-model-private.h)                                       */

void
_co2s_model_add_double_array (JsonBuilder *builder, const char *name, const double *v, guint n)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_double_value (builder, v[i]);
  json_builder_end_array (builder);
}

void
_co2s_model_add_double (JsonBuilder *builder, const char *name, double v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, v);
}

void
_co2s_model_add_int (JsonBuilder *builder, const char *name, gint64 v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, v);
}
