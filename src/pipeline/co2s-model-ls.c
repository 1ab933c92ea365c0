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
#include "co2s-vec2.h"

/* Fuel flags are the last five features (co2s-record.c, feature_columns). */
#define FUEL_FIRST 5
#define N_FUEL 5

/* Pivot threshold of the ls solve: a column is dropped when less than this
 * share of its variance is left after the columns already taken. */
#define LS_RANK_TOL 1e-9

/* A feature whose standard deviation is below this share of its mean (or
 * exactly 0) is constant for the ls solve. */
#define LS_CONST_REL 1e-10

/* The first self->dim entries of each array are used. */
typedef struct {
  guint64 n;
  double x_mean[MAXF];
  double y_mean;
  double xx[MAXF][MAXF];      /* Σ (x-x̄)(x-x̄)ᵀ, kept symmetric */
  double xy[MAXF];            /* Σ (x-x̄)(y-ȳ) */
  double yy;                  /* Σ (y-ȳ)² */
} LsState;

static void
ls_solve (Co2sModel *self)
{
  LsState *ls = self->state;
  const guint d = self->dim;
  double a[MAXF * MAXF];
  double beta[MAXF];
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

  for (guint i = 0; i < d; i++)
    {
      double var = ls->xx[i][i] / (double) ls->n;
      double lim = LS_CONST_REL * ls->x_mean[i];
      gboolean constant = !(var > lim * lim);

      for (guint j = 0; j < d; j++)
        {
          a[i * d + j] = ls->xx[i][j];
          a[j * d + i] = ls->xx[j][i];
        }
      if (constant)
        {
          for (guint j = 0; j < d; j++)
            {
              a[i * d + j] = 0.0;
              a[j * d + i] = 0.0;
            }
        }
    }

  co2s_linalg_solve_psd (d, a, ls->xy, LS_RANK_TOL, beta);

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
  for (guint i = 0; i < d; i++)
    intercept -= beta[i] * ls->x_mean[i];

  memcpy (self->coef, beta, d * sizeof (double));
  self->intercept = intercept;
}

/* One batch's statistics about its own means. */
typedef struct {
  double m[MAXF];             /* feature means */
  double ym;                  /* target mean */
  double xx[MAXF][MAXF];      /* co-moments, upper triangle */
  double xy[MAXF];
  double yy;
} LsBatch;

/* Merges @n > 0 rows whose means are @m and @ym and whose co-moments
 * about them are @xx (upper triangle read), @xy and @yy (Chan, Golub &
 * LeVeque): M = Ma + Mb + na·nb/N · δδᵀ, with δ = mean_b - mean_a. The
 * same update for a batch (ls_learn) and for another model's rows
 * (ls_merge_models). */
static G_ALWAYS_INLINE inline void
ls_merge (LsState *ls, guint64 n, const double *m, double ym,
          const double (*xx)[MAXF], const double *xy, double yy, const guint d)
{
  double delta[MAXF];
  double total = (double) ls->n + (double) n;
  double fa = (double) ls->n * (double) n / total;
  double fb = (double) n / total;
  double dy = ym - ls->y_mean;

  for (guint j = 0; j < d; j++)
    delta[j] = m[j] - ls->x_mean[j];
  for (guint j = 0; j < d; j++)
    {
      for (guint k = j; k < d; k++)
        {
          ls->xx[j][k] += xx[j][k] + fa * delta[j] * delta[k];
          ls->xx[k][j] = ls->xx[j][k];
        }
      ls->xy[j] += xy[j] + fa * delta[j] * dy;
    }
  ls->yy += yy + fa * dy * dy;
  for (guint j = 0; j < d; j++)
    ls->x_mean[j] += delta[j] * fb;
  ls->y_mean += dy * fb;
  ls->n += n;
}

static G_ALWAYS_INLINE inline void
ls_merge_batch (LsState *ls, const LsBatch *b, guint n, const guint d)
{
  ls_merge (ls, n, b->m, b->ym, b->xx, b->xy, b->yy, d);
}

/* The base set: each batch centred on its own means (two passes), so no
 * large raw sums ever cancel. Always inlined, so that d = 10 is a constant
 * the compiler unrolls for. */
static G_ALWAYS_INLINE inline void
ls_batch_dense (LsBatch *b, const double *x, const double *y, guint n, const guint d)
{
  for (guint j = 0; j < d; j++)
    for (guint k = j; k < d; k++)
      b->xx[j][k] = 0.0;

  /* Pass 1: the batch means. */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * d;

      for (guint j = 0; j < d; j++)
        b->m[j] += row[j];
      b->ym += y[r];
    }
  for (guint j = 0; j < d; j++)
    b->m[j] /= n;
  b->ym /= n;

  /* Pass 2: co-moments about the batch means (upper triangle). */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * d;
      double dv[MAXF];
      double e = y[r] - b->ym;

      for (guint j = 0; j < d; j++)
        dv[j] = row[j] - b->m[j];
      /* xx[j][k] += dv[j]·dv[k] (k ≥ j), xy[j] += dv[j]·e: elementwise. */
      for (guint j = 0; j < d; j++)
        co2s_v2_axpy (&b->xx[j][j], dv[j], &dv[j], d - j);
      co2s_v2_axpy (b->xy, e, dv, d);
      b->yy += e * e;
    }
}

/* The fuel set, where most of a row's interactions are 0: one pass of
 * sums about the batch's first row (the shifted-data algorithm: a shift
 * that is a row of the batch keeps the sums small, so the final
 * subtraction cancels little), skipping the features where a row equals
 * that first row. A row then touches about 14 of 35 features: ~6× less
 * work than the dense pass. */
static void
ls_batch_sparse (LsBatch *b, const double *x, const double *y, guint n, const guint d)
{
  const double *k0 = x;
  double s[MAXF] = { 0 };
  double sy = 0.0;

  for (guint j = 0; j < d; j++)
    for (guint k = j; k < d; k++)
      b->xx[j][k] = 0.0;

  for (guint r = 1; r < n; r++)
    {
      const double *row = x + (gsize) r * d;
      double dv[MAXF];
      guint nz[MAXF];
      guint m = 0;
      double e = y[r] - y[0];

      /* Branch-free: which features are 0 depends on the data. */
      for (guint j = 0; j < d; j++)
        {
          double v = row[j] - k0[j];

          nz[m] = j;
          dv[m] = v;
          m += v != 0.0;
        }
      /* Two rows of the triangle at a time, sharing the loads of the
       * columns; each element still gets its one term of this row. */
      guint a = 0;

      for (; a + 1 < m; a += 2)
        {
          double *oa = b->xx[nz[a]];
          double *ob = b->xx[nz[a + 1]];
          double da = dv[a], db = dv[a + 1];

          oa[nz[a]] += da * da;
          for (guint c = a + 1; c < m; c++)
            {
              double v = dv[c];
              guint k = nz[c];

              oa[k] += da * v;
              ob[k] += db * v;
            }
          s[nz[a]] += da;
          b->xy[nz[a]] += da * e;
          s[nz[a + 1]] += db;
          b->xy[nz[a + 1]] += db * e;
        }
      if (a < m)
        {
          b->xx[nz[a]][nz[a]] += dv[a] * dv[a];
          s[nz[a]] += dv[a];
          b->xy[nz[a]] += dv[a] * e;
        }
      sy += e;
      b->yy += e * e;
    }

  /* About the means: Σ(x-x̄)(x-x̄)ᵀ = Σ(x-k)(x-k)ᵀ - n·(x̄-k)(x̄-k)ᵀ. */
  for (guint j = 0; j < d; j++)
    {
      for (guint k = j; k < d; k++)
        b->xx[j][k] -= s[j] * s[k] / n;
      b->xy[j] -= s[j] * sy / n;
      b->m[j] = k0[j] + s[j] / n;
    }
  b->yy -= sy * sy / n;
  b->ym = y[0] + sy / n;
  if (b->yy < 0.0)
    b->yy = 0.0;
  for (guint j = 0; j < d; j++)
    if (b->xx[j][j] < 0.0)
      b->xx[j][j] = 0.0;
}

/* Statistics of a batch whose rows' fuel flags are one-hot, from the ten
 * inputs (@x is n × NF), for the base set (@d = NF) or the fuel set (@d =
 * MAXF). Within one fuel type the flags are constant and each interaction
 * equals its numeric input, so a row carries five numbers. Each type's rows
 * are centred on their own means (two passes) and give a 5 × 5 co-moment;
 * the batch's co-moments are those within the types, each placed where its
 * type's features are, plus those between the types' means (the law of
 * total covariance, as ls_merge merges). A row costs 21 multiply-adds
 * instead of the 66 of ls_batch_dense or the ~100 of ls_batch_sparse over
 * the fuel set's ~14 non-zero features. FALSE, @b untouched, when a row's
 * flags are not one 1 and four 0s: the features then lack that structure.
 * @b comes zeroed (ls_learn). */
#define N_NUMERIC 5
#define INTERACTION(i, f) (NF + (i) * N_FUEL + (f))
G_STATIC_ASSERT (MAXF == NF + N_NUMERIC * N_FUEL);
G_STATIC_ASSERT (FUEL_FIRST == N_NUMERIC);

static G_ALWAYS_INLINE inline gboolean
ls_batch_grouped (LsBatch *b, const double *x, const double *y, guint n, const guint d)
{
  double cnt[N_FUEL] = { 0 };
  double mu[N_FUEL][N_NUMERIC] = { { 0 } };
  double ybar[N_FUEL] = { 0 };
  double a[N_FUEL][N_NUMERIC][N_NUMERIC] = { { { 0 } } };
  double bxy[N_FUEL][N_NUMERIC] = { { 0 } };
  double cyy[N_FUEL] = { 0 };
  double bad = 0.0;

  /* Pass 1: which rows are one-hot, and each type's sums. */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * NF;
      double sum = 0.0;
      guint f = 0;

      for (guint k = 0; k < N_FUEL; k++)
        {
          double v = row[FUEL_FIRST + k];

          sum += v;
          bad += fabs (v * (v - 1.0));
          f += k * (v == 1.0);
        }
      bad += fabs (sum - 1.0);
      f = MIN (f, N_FUEL - 1);      /* several flags set: bad already says so */
      cnt[f] += 1.0;
      for (guint i = 0; i < N_NUMERIC; i++)
        mu[f][i] += row[i];
      ybar[f] += y[r];
    }
  if (bad != 0.0)
    return FALSE;
  for (guint f = 0; f < N_FUEL; f++)
    if (cnt[f] > 0)
      {
        for (guint i = 0; i < N_NUMERIC; i++)
          mu[f][i] /= cnt[f];
        ybar[f] /= cnt[f];
      }

  /* Pass 2: co-moments about each type's means (upper triangle). */
  for (guint r = 0; r < n; r++)
    {
      const double *row = x + (gsize) r * NF;
      guint f = 0;
      double dv[N_NUMERIC];
      double e;

      for (guint k = 1; k < N_FUEL; k++)
        f += k * (row[FUEL_FIRST + k] == 1.0);
      e = y[r] - ybar[f];
      for (guint i = 0; i < N_NUMERIC; i++)
        dv[i] = row[i] - mu[f][i];
      for (guint i = 0; i < N_NUMERIC; i++)
        {
          for (guint k = i; k < N_NUMERIC; k++)
            a[f][i][k] += dv[i] * dv[k];
          bxy[f][i] += dv[i] * e;
        }
      cyy[f] += e * e;
    }

  /* The batch's means. */
  for (guint f = 0; f < N_FUEL; f++)
    {
      double w = cnt[f] / n;

      b->m[FUEL_FIRST + f] = w;
      for (guint i = 0; i < N_NUMERIC; i++)
        {
          b->m[i] += w * mu[f][i];
          if (d == MAXF)
            b->m[INTERACTION (i, f)] = w * mu[f][i];
        }
      b->ym += w * ybar[f];
    }

  for (guint f = 0; f < N_FUEL; f++)
    {
      double delta[MAXF];
      double dy = ybar[f] - b->ym;

      if (cnt[f] == 0)
        continue;
      /* Within the type: numeric × numeric; for the fuel set also numeric
       * × the type's interactions (indices above every numeric one, so
       * the whole 5 × 5 block is in the upper triangle) and those
       * interactions × themselves. */
      for (guint i = 0; i < N_NUMERIC; i++)
        {
          for (guint k = i; k < N_NUMERIC; k++)
            b->xx[i][k] += a[f][i][k];
          b->xy[i] += bxy[f][i];
        }
      if (d == MAXF)
        for (guint i = 0; i < N_NUMERIC; i++)
          {
            for (guint k = i; k < N_NUMERIC; k++)
              {
                double v = a[f][i][k];

                b->xx[i][INTERACTION (k, f)] += v;
                b->xx[k][INTERACTION (i, f)] += v;
                b->xx[INTERACTION (i, f)][INTERACTION (k, f)] += v;
              }
            /* The diagonal of the numeric × interaction block went in twice. */
            b->xx[i][INTERACTION (i, f)] -= a[f][i][i];
            b->xy[INTERACTION (i, f)] += bxy[f][i];
          }
      b->yy += cyy[f];

      /* Between the types: cnt · δδᵀ, δ = the type's means − the batch's. */
      for (guint j = 0; j < d; j++)
        delta[j] = -b->m[j];
      delta[FUEL_FIRST + f] += 1.0;
      for (guint i = 0; i < N_NUMERIC; i++)
        {
          delta[i] += mu[f][i];
          if (d == MAXF)
            delta[INTERACTION (i, f)] += mu[f][i];
        }
      for (guint j = 0; j < d; j++)
        {
          double c = cnt[f] * delta[j];

          co2s_v2_axpy (&b->xx[j][j], c, &delta[j], d - j);
          b->xy[j] += c * dy;
        }
      b->yy += cnt[f] * dy * dy;
    }
  return TRUE;
}

static gboolean
ls_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  LsState *ls = self->state;
  LsBatch b = { { 0 } };

  /* @x holds the ten inputs (learns_base_rows). Batches whose rows are
   * one-hot, all of them in practice, take the grouped path; any other
   * the general one of their set. */
  if (self->dim == NF)
    {
      if (!ls_batch_grouped (&b, x, y, n, NF))
        ls_batch_dense (&b, x, y, n, NF);
      ls_merge_batch (ls, &b, n, NF);
    }
  else
    {
      if (!ls_batch_grouped (&b, x, y, n, MAXF))
        ls_batch_sparse (&b, _co2s_model_expand_rows (self, x, n), y, n, self->dim);
      ls_merge_batch (ls, &b, n, self->dim);
    }
  ls_solve (self);
  return TRUE;
}

/* Other models' states are merged exactly as a batch is: their rows'
 * count, means and co-moments about those means. The result differs from
 * learning the same rows in one model only by rounding; the solve that
 * follows, once for all of them, is learn()'s. */
static void
ls_merge_models (Co2sModel *self, Co2sModel *const *others, guint n)
{
  LsState *ls = self->state;
  LsState copy;

  for (guint i = 0; i < n; i++)
    {
      const LsState *o = others[i]->state;

      g_assert (o->n > 0 && others[i]->dim == self->dim);
      /* Merging a model into itself: read a copy, not the state being updated. */
      if (others[i] == self)
        {
          copy = *o;
          o = &copy;
        }
      if (self->dim == NF)
        ls_merge (ls, o->n, o->x_mean, o->y_mean, o->xx, o->xy, o->yy, NF);
      else
        ls_merge (ls, o->n, o->x_mean, o->y_mean, o->xx, o->xy, o->yy, self->dim);
    }
  ls_solve (self);
}

static void
ls_to_json (Co2sModel *self, JsonBuilder *builder)
{
  const LsState *ls = self->state;
  const guint d = self->dim;

  _co2s_model_add_int (builder, "n", (gint64) ls->n);
  _co2s_model_add_double_array (builder, "x_mean", ls->x_mean, d);
  _co2s_model_add_double (builder, "y_mean", ls->y_mean);
  json_builder_set_member_name (builder, "xx_comoment");
  json_builder_begin_array (builder);
  for (guint i = 0; i < d; i++)
    {
      json_builder_begin_array (builder);
      for (guint j = 0; j < d; j++)
        json_builder_add_double_value (builder, ls->xx[i][j]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  _co2s_model_add_double_array (builder, "xy_comoment", ls->xy, d);
  _co2s_model_add_double (builder, "yy_comoment", ls->yy);
}

static gboolean
ls_from_json (Co2sModel *self, JsonObject *state, GError **error)
{
  LsState *ls = self->state;
  const guint d = self->dim;
  double xx[MAXF * MAXF];

  if (!co2s_json_get_count (state, "state.n", CO2S_JSON_REQUIRED, &ls->n, error) ||
      !co2s_json_get_double_array (state, "state.x_mean", ls->x_mean, d, error) ||
      !co2s_json_get_double (state, "state.y_mean", CO2S_JSON_REQUIRED, &ls->y_mean, error) ||
      !co2s_json_get_double_array (state, "state.xy_comoment", ls->xy, d, error) ||
      !co2s_json_get_double (state, "state.yy_comoment", CO2S_JSON_REQUIRED, &ls->yy, error))
    return FALSE;
  if (ls->yy < 0)
    return co2s_json_set_member_error (error, "state.yy_comoment", "must be ≥ 0");

  if (!co2s_json_get_double_matrix (state, "state.xx_comoment", xx, d, d, error))
    return FALSE;
  for (guint i = 0; i < d; i++)
    for (guint j = 0; j < d; j++)
      ls->xx[i][j] = xx[i * d + j];
  for (guint i = 0; i < d; i++)
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
  .learns_base_rows = TRUE,
  .learn = ls_learn,
  .to_json = ls_to_json,
  .from_json = ls_from_json,
  .merge = ls_merge_models,
};
