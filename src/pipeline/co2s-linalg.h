/* co2s-linalg.h — the small dense solver behind the least-squares model. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest system co2s_linalg_solve_psd accepts. */
#define CO2S_LINALG_MAX_N 40

/* Solves A x = b for a symmetric positive semi-definite @n × @n matrix @a
 * (row-major; only the upper triangle is read) that may be singular.
 *
 * The matrix is first scaled to unit diagonal (so the tolerance is
 * scale-free), then factored by Cholesky with diagonal pivoting, largest
 * remaining pivot first (pivots within 1e-11 of each other are tied and
 * the first column wins, so exactly collinear columns are chosen alike
 * however their sums were rounded). A column whose diagonal is not > 0, or whose
 * remaining pivot falls to @rel_tol or below (that is, it is a linear
 * combination of the columns already taken up to a residual variance share of
 * @rel_tol), is left out and gets x = 0. The result is a "basic" solution:
 * for a consistent system (normal equations always are) it solves A x = b
 * exactly on the columns kept, and A x equals b up to rounding.
 *
 * @n ≤ CO2S_LINALG_MAX_N. @x receives n values. Returns the rank found.
 * No allocation; any thread. */
guint co2s_linalg_solve_psd (guint         n,
                             const double *a,
                             const double *b,
                             double        rel_tol,
                             double       *x);

G_END_DECLS
