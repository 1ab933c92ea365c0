/* test-decimate.c — Co2sDecimator against a brute-force reference. */
#define G_LOG_DOMAIN "test-decimate"

#include <glib.h>
#include <math.h>

#include "co2s-decimate.h"

typedef struct {
  GArray *x;
  GArray *y;
} Points;

static void
points_clear (Points *p)
{
  g_clear_pointer (&p->x, g_array_unref);
  g_clear_pointer (&p->y, g_array_unref);
}

/* A series like a plot sees: mostly increasing x with repeats and gaps,
 * noisy y with NaN, infinities, zeros and negatives sprinkled in. */
static void
make_series (GRand *rand, guint n, Points *out)
{
  double x = g_rand_double_range (rand, -50.0, 50.0);

  out->x = g_array_sized_new (FALSE, FALSE, sizeof (double), n);
  out->y = g_array_sized_new (FALSE, FALSE, sizeof (double), n);
  for (guint i = 0; i < n; i++)
    {
      double y;
      guint kind = g_rand_int_range (rand, 0, 100);

      if (kind < 3)
        y = NAN;
      else if (kind < 4)
        y = INFINITY;
      else if (kind < 6)
        y = 0.0;
      else if (kind < 10)
        y = -g_rand_double_range (rand, 0.0, 5.0);
      else
        y = 5.0 + 200.0 * exp (-(double) i / (n / 10.0)) + g_rand_double_range (rand, -2.0, 2.0);
      /* Some points share x (ties), some x jump far. */
      if (g_rand_int_range (rand, 0, 20) != 0)
        x += g_rand_int_range (rand, 0, 10) == 0 ? g_rand_double_range (rand, 5.0, 40.0)
                                                 : g_rand_double_range (rand, 0.0, 1.0);
      /* An exact duplicate point now and then. */
      if (i > 0 && g_rand_int_range (rand, 0, 50) == 0)
        {
          x = g_array_index (out->x, double, i - 1);
          y = g_array_index (out->y, double, i - 1);
        }
      g_array_append_val (out->x, x);
      g_array_append_val (out->y, y);
    }
}

/* The definition, written the slow obvious way: for each column, scan
 * every point. First = smallest x (earliest on ties), last = largest x
 * (latest on ties), min/max y (earliest on ties); the four in x order,
 * stable, exact consecutive duplicates removed. */
static void
brute_force (Co2sDecimator *dec, const Points *in, GArray *out_x, GArray *out_y)
{
  guint width = co2s_decimator_get_width (dec);
  gboolean log_y = (co2s_decimator_get_flags (dec) & CO2S_DECIMATE_LOG_Y) != 0;

  for (guint col = 0; col < width; col++)
    {
      gint64 first = -1, last = -1, lo = -1, hi = -1;
      const double *x = (const double *) (gpointer) in->x->data;
      const double *y = (const double *) (gpointer) in->y->data;
      gint64 idx[4];

      for (guint i = 0; i < in->x->len; i++)
        {
          if (!isfinite (y[i]) || (log_y && y[i] <= 0.0))
            continue;
          if (co2s_decimator_column_of (dec, x[i]) != (int) col)
            continue;
          if (first < 0 || x[i] < x[first])
            first = i;
          if (last < 0 || x[i] >= x[last])
            last = i;
          if (lo < 0 || y[i] < y[lo])
            lo = i;
          if (hi < 0 || y[i] > y[hi])
            hi = i;
        }
      if (first < 0)
        continue;

      idx[0] = first;
      idx[1] = lo;
      idx[2] = hi;
      idx[3] = last;
      /* Bubble sort by x: stable, and four elements. */
      for (int pass = 0; pass < 4; pass++)
        for (int j = 0; j < 3; j++)
          if (x[idx[j]] > x[idx[j + 1]])
            {
              gint64 t = idx[j];

              idx[j] = idx[j + 1];
              idx[j + 1] = t;
            }
      for (int j = 0; j < 4; j++)
        {
          double px = x[idx[j]], py = y[idx[j]];

          if (out_x->len > 0 &&
              g_array_index (out_x, double, out_x->len - 1) == px &&
              g_array_index (out_y, double, out_y->len - 1) == py)
            continue;
          g_array_append_val (out_x, px);
          g_array_append_val (out_y, py);
        }
    }
}

static void
assert_same_as_reference (Co2sDecimator *dec, const Points *in)
{
  g_autoptr(GArray) ref_x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ref_y = g_array_new (FALSE, FALSE, sizeof (double));
  const double *x, *y;
  gsize n;

  brute_force (dec, in, ref_x, ref_y);
  n = co2s_decimator_get_points (dec, &x, &y);
  g_assert_cmpuint (n, ==, ref_x->len);
  g_assert_cmpuint (n, <=, 4 * co2s_decimator_get_width (dec));
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpfloat (x[i], ==, g_array_index (ref_x, double, i));
      g_assert_cmpfloat (y[i], ==, g_array_index (ref_y, double, i));
      if (i > 0)
        g_assert_cmpfloat (x[i], >=, x[i - 1]);
    }
}

static void
test_matches_brute_force (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  static const guint widths[] = { 1, 2, 7, 100, 640, 3000 };
  guint cases = 0;

  for (guint round = 0; round < 6; round++)
    {
      Points in = { 0 };
      double xmin, xmax;

      make_series (rand, round == 0 ? 1 : 400 + round * 700, &in);
      xmin = g_array_index (in.x, double, 0);
      xmax = g_array_index (in.x, double, in.x->len - 1);
      if (xmax <= xmin)
        xmax = xmin + 1.0;

      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        for (guint log_y = 0; log_y < 2; log_y++)
          for (guint range = 0; range < 3; range++)
            {
              g_autoptr(Co2sDecimator) dec = NULL;
              double lo = xmin, hi = xmax;

              /* Whole range, a window inside it (points outside ignored),
               * and a range wider than the data. */
              if (range == 1)
                {
                  lo = xmin + (xmax - xmin) * 0.3;
                  hi = xmin + (xmax - xmin) * 0.7 + 0.01;
                }
              else if (range == 2)
                {
                  lo = xmin - 100.0;
                  hi = xmax + 100.0;
                }
              dec = co2s_decimator_new (lo, hi, widths[w], log_y ? CO2S_DECIMATE_LOG_Y : CO2S_DECIMATE_NONE);
              g_assert_nonnull (dec);
              co2s_decimator_add (dec, (double *) (gpointer) in.x->data,
                                  (double *) (gpointer) in.y->data, in.x->len);
              assert_same_as_reference (dec, &in);
              cases++;
            }
      points_clear (&in);
    }
  g_assert_cmpuint (cases, ==, 6 * G_N_ELEMENTS (widths) * 2 * 3);
}

static void
test_edges (void)
{
  g_autoptr(Co2sDecimator) dec = co2s_decimator_new (0.0, 10.0, 10, CO2S_DECIMATE_LOG_Y);
  const double x[] = { -0.001, 0.0, 9.999, 10.0, 10.001, NAN, 5.0, 5.0 };
  const double y[] = { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, -1.0 };
  double lo, hi;

  /* x_max belongs to the last column; outside, NaN x and y <= 0 (log) are
   * not kept. */
  g_assert_cmpint (co2s_decimator_column_of (dec, 0.0), ==, 0);
  g_assert_cmpint (co2s_decimator_column_of (dec, 10.0), ==, 9);
  g_assert_cmpint (co2s_decimator_column_of (dec, 9.999), ==, 9);
  g_assert_cmpint (co2s_decimator_column_of (dec, 10.001), ==, -1);
  g_assert_cmpint (co2s_decimator_column_of (dec, NAN), ==, -1);

  g_assert_false (co2s_decimator_get_y_range (dec, &lo, &hi));
  co2s_decimator_add (dec, x, y, G_N_ELEMENTS (x));
  g_assert_cmpuint (co2s_decimator_get_n_kept (dec), ==, 3);
  g_assert_true (co2s_decimator_get_y_range (dec, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2.0);
  g_assert_cmpfloat (hi, ==, 4.0);

  co2s_decimator_clear (dec);
  g_assert_cmpuint (co2s_decimator_get_n_kept (dec), ==, 0);
  g_assert_cmpuint (co2s_decimator_get_points (dec, NULL, NULL), ==, 0);

  /* Bad construction arguments are refused. */
  g_test_expect_message ("co2s-decimate", G_LOG_LEVEL_CRITICAL, "*x_min < x_max*");
  g_assert_null (co2s_decimator_new (1.0, 1.0, 10, CO2S_DECIMATE_NONE));
  g_test_assert_expected_messages ();
  g_test_expect_message ("co2s-decimate", G_LOG_LEVEL_CRITICAL, "*width >= 1*");
  g_assert_null (co2s_decimator_new (0.0, 1.0, 0, CO2S_DECIMATE_NONE));
  g_test_assert_expected_messages ();
}

static void
test_incremental (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < 20; round++)
    {
      Points in = { 0 };
      g_autoptr(Co2sDecimator) once = NULL;
      g_autoptr(Co2sDecimator) pieces = NULL;
      const double *xo, *yo, *xp, *yp;
      double xmin, xmax;
      gsize no, np;
      guint at = 0;
      guint width = g_rand_int_range (rand, 1, 800);
      Co2sDecimateFlags flags = round % 2 ? CO2S_DECIMATE_LOG_Y : CO2S_DECIMATE_NONE;

      make_series (rand, g_rand_int_range (rand, 1, 20000), &in);
      xmin = g_array_index (in.x, double, 0);
      xmax = g_array_index (in.x, double, in.x->len - 1) + 1.0;

      once = co2s_decimator_new (xmin, xmax, width, flags);
      pieces = co2s_decimator_new (xmin, xmax, width, flags);
      co2s_decimator_add (once, (double *) (gpointer) in.x->data, (double *) (gpointer) in.y->data, in.x->len);

      /* Appends of random sizes (including empty ones), reading the result
       * in between as a live plot would. */
      while (at < in.x->len)
        {
          guint want = g_rand_int_range (rand, 0, 500);
          guint chunk = MIN (in.x->len - at, want);

          co2s_decimator_add (pieces,
                              &g_array_index (in.x, double, at),
                              &g_array_index (in.y, double, at), chunk);
          at += chunk;
          if (g_rand_boolean (rand))
            co2s_decimator_get_points (pieces, NULL, NULL);
        }

      no = co2s_decimator_get_points (once, &xo, &yo);
      np = co2s_decimator_get_points (pieces, &xp, &yp);
      g_assert_cmpuint (no, ==, np);
      for (gsize i = 0; i < no; i++)
        {
          g_assert_cmpfloat (xo[i], ==, xp[i]);
          g_assert_cmpfloat (yo[i], ==, yp[i]);
        }
      g_assert_cmpuint (co2s_decimator_get_n_kept (once), ==, co2s_decimator_get_n_kept (pieces));
      assert_same_as_reference (pieces, &in);
      points_clear (&in);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/decimate/matches-brute-force", test_matches_brute_force);
  g_test_add_func ("/decimate/edges", test_edges);
  g_test_add_func ("/decimate/incremental", test_incremental);

  return g_test_run ();
}
