/* co2s-model-ls.c — exact online least squares (CO2S_ALGO_LS): centred
 * statistics merged batch by batch, then the normal equations solved by
 * pivoted Cholesky (co2s-linalg.h) after every batch. The method and its
 * guarantees are described in co2s-model.h. */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-model-private.h"

#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-linalg.h"

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
