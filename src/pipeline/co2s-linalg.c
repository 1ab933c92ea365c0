/* co2s-linalg.c — pivoted Cholesky for small symmetric PSD systems. */
#define G_LOG_DOMAIN "co2s-linalg"

#include "co2s-linalg.h"

#include <math.h>
#include <string.h>

#include "co2s-vec2.h"

/* Remaining pivots (on the unit-diagonal scale) closer than this are tied. */
#define PIVOT_TIE 1e-11

static inline void
swap (double *a, double *b)
{
  double t = *a;

  *a = *b;
  *b = t;
}

guint
co2s_linalg_solve_psd (guint         n,
                       const double *a,
                       const double *b,
                       double        rel_tol,
                       double       *x)
{
  double m[CO2S_LINALG_MAX_N][CO2S_LINALG_MAX_N];
  double rhs[CO2S_LINALG_MAX_N];
  double s[CO2S_LINALG_MAX_N];
  double z[CO2S_LINALG_MAX_N];
  guint perm[CO2S_LINALG_MAX_N];
  guint rank = 0;

  g_return_val_if_fail (n <= CO2S_LINALG_MAX_N, 0);
  g_return_val_if_fail (a != NULL || n == 0, 0);
  g_return_val_if_fail (b != NULL || n == 0, 0);
  g_return_val_if_fail (x != NULL || n == 0, 0);

  /* Unit-diagonal scaling: m = S A S with S = diag(1/sqrt(a_ii)). Columns
   * with a non-positive (or non-finite) diagonal are marked by s = 0 and a
   * pivot of -1, so they are never chosen. */
  for (guint i = 0; i < n; i++)
    {
      double d = a[i * n + i];

      s[i] = (d > 0 && isfinite (d)) ? 1.0 / sqrt (d) : 0.0;
      perm[i] = i;
      x[i] = 0.0;
    }
  /* Only the lower triangle of m is kept: the matrix is symmetric, and
   * every value below is the one the full symmetric update computed. */
  for (guint i = 0; i < n; i++)
    {
      for (guint j = i; j < n; j++)
        m[j][i] = (s[i] != 0 && s[j] != 0) ? a[i * n + j] * s[i] * s[j] : 0.0;
      if (s[i] == 0)
        m[i][i] = -1.0;
      rhs[i] = b[i] * s[i];
    }

  /* Outer-product Cholesky with diagonal pivoting; L overwrites the lower
   * triangle of m (in pivoted order). */
  for (guint k = 0; k < n; k++)
    {
      guint p = k;
      double pivot;
      double col[CO2S_LINALG_MAX_N];

      /* Ties go to the first column: a later one must be larger by more
       * than rounding. Exactly collinear columns (a fuel type seen on one
       * row: its flag and its slopes) have the same remaining pivot up to
       * rounding, so which one is kept, and which coefficients are 0, no
       * longer depends on how the sums were rounded (a merged model keeps
       * the columns the model of the same rows keeps). */
      for (guint j = k + 1; j < n; j++)
        if (m[j][j] > m[p][p] + PIVOT_TIE)
          p = j;
      if (!(m[p][p] > rel_tol))
        break;

      if (p != k)
        {
          guint tp = perm[k];
          double tr = rhs[k];

          perm[k] = perm[p];
          perm[p] = tp;
          rhs[k] = rhs[p];
          rhs[p] = tr;
          /* Rows and columns k and p swapped, on the lower triangle: the
           * factor's rows (columns < k), the diagonal, then the active
           * part, read by symmetry; m[p][k] stays. */
          for (guint j = 0; j < k; j++)
            swap (&m[k][j], &m[p][j]);
          swap (&m[k][k], &m[p][p]);
          for (guint j = k + 1; j < p; j++)
            swap (&m[j][k], &m[p][j]);
          for (guint j = p + 1; j < n; j++)
            swap (&m[j][k], &m[j][p]);
        }

      pivot = sqrt (m[k][k]);
      m[k][k] = pivot;
      for (guint i = k + 1; i < n; i++)
        {
          m[i][k] /= pivot;
          col[i] = m[i][k];
        }
      /* m[i][j] -= m[i][k]·m[j][k] for k < j ≤ i: elementwise along a row. */
      for (guint i = k + 1; i < n; i++)
        co2s_v2_axmy (&m[i][k + 1], m[i][k], &col[k + 1], i - k);
      rank++;
    }

  /* L z = rhs, then Lᵀ y = z on the first @rank pivoted columns. */
  for (guint i = 0; i < rank; i++)
    {
      double v = rhs[i];

      for (guint k = 0; k < i; k++)
        v -= m[i][k] * z[k];
      z[i] = v / m[i][i];
    }
  for (guint i = rank; i-- > 0;)
    {
      double v = z[i];

      for (guint k = i + 1; k < rank; k++)
        v -= m[k][i] * z[k];
      z[i] = v / m[i][i];
    }
  for (guint i = 0; i < rank; i++)
    x[perm[i]] = z[i] * s[perm[i]];

  return rank;
}
