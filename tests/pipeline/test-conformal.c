/* test-conformal.c — conformal prediction intervals (co2s-conformal.h):
 * the finite-sample quantile, the per-fuel windows and their fallback, and
 * the models issue's coverage targets on the real data set (passes 2–3:
 * 93–97 % overall, ≥ 90 % for each of D, E, X, Z). */
#define G_LOG_DOMAIN "test-conformal"

#include <glib.h>
#include <math.h>
#include <stdlib.h>

#include "co2s-conformal.h"
#include "co2s-csv.h"
#include "co2s-model.h"
#include "co2s-prequential.h"
#include "co2s-test-util.h"
#include "model-test-data.h"
#include "real-data.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Inputs of a vehicle of fuel @f (0 D … 4 Z). */
static void
vehicle (guint f, double x[NF])
{
  memset (x, 0, NF * sizeof (double));
  x[0] = 2.0;
  x[1] = 4;
  x[2] = 9.9;
  x[3] = 6.7;
  x[4] = 8.5;
  x[5 + f] = 1.0;
}

/* The half-width is the ⌈(n+1)·level⌉-th smallest |residual| of the window,
 * as a sort finds it, for windows with ties, signs and every size. */
static void
test_quantile (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  for (guint n = 1; n <= 700; n += g_rand_int_range (rand, 1, 40))
    {
      g_autoptr(Co2sConformal) c = co2s_conformal_new (0.95, 500);
      g_autofree double *x = g_new (double, (gsize) n * NF);
      g_autofree double *r = g_new (double, n);
      g_autofree double *sorted = NULL;
      guint kept = MIN (n, 500), rank;

      for (guint i = 0; i < n; i++)
        {
          vehicle (3, x + (gsize) i * NF);
          /* Integers and halves: many ties. */
          r[i] = (g_rand_int_range (rand, -40, 41)) / 2.0;
        }
      co2s_conformal_add (c, x, r, n);
      co2s_conformal_prepare (c);
      /* The window keeps the last 500. */
      sorted = g_new (double, kept);
      for (guint i = 0; i < kept; i++)
        sorted[i] = fabs (r[n - kept + i]);
      qsort (sorted, kept, sizeof (double), cmp_double);
      rank = MIN ((guint) ceil ((kept + 1) * 0.95), kept);
      g_assert_cmpfloat (co2s_conformal_half_width (c, x), ==, sorted[rank - 1]);
    }
}

/* The same as the window slides: after every batch (the oldest values
 * leaving, ties, values equal to those leaving, the largest residuals
 * kept as the largest float), for several levels and window sizes. */
static void
test_sliding (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  static const double levels[] = { 0.5, 0.53, 0.56, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99 };
  static const guint windows[] = { 10, 37, 200 };

  for (guint li = 0; li < G_N_ELEMENTS (levels); li++)
    for (guint wi = 0; wi < G_N_ELEMENTS (windows); wi++)
      {
        g_autoptr(Co2sConformal) c = co2s_conformal_new (levels[li], windows[wi]);
        g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
        double x[NF];

        vehicle (1, x);
        for (guint b = 0; b < 60; b++)
          {
            guint n = g_rand_int_range (rand, 0, 2 * windows[wi] / 3 + 2);
            g_autofree double *xs = g_new (double, (gsize) MAX (n, 1) * NF);
            g_autofree double *r = g_new (double, MAX (n, 1));
            g_autofree double *sorted = NULL;
            guint kept, rank;

            for (guint i = 0; i < n; i++)
              {
                memcpy (xs + (gsize) i * NF, x, sizeof x);
                r[i] = g_rand_int_range (rand, 0, 8) == 0 ? 1e300 : g_rand_int_range (rand, -12, 13) / 4.0;
                g_array_append_val (all, r[i]);
              }
            co2s_conformal_add (c, xs, r, n);
            co2s_conformal_prepare (c);
            kept = MIN (all->len, windows[wi]);
            if (kept == 0)
              {
                g_assert_true (isnan (co2s_conformal_half_width (c, x)));
                continue;
              }
            sorted = g_new (double, kept);
            for (guint i = 0; i < kept; i++)
              sorted[i] = (float) MIN (fabs (g_array_index (all, double, all->len - kept + i)), (double) G_MAXFLOAT);
            qsort (sorted, kept, sizeof (double), cmp_double);
            rank = CLAMP ((guint) ceil ((kept + 1) * levels[li]), 1, kept);
            g_assert_cmpfloat (co2s_conformal_half_width (c, x), ==, sorted[rank - 1]);
          }
        /* Saved and read back: the same interval, and it still slides alike. */
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) node = NULL;
          g_autoptr(Co2sConformal) back = NULL;
          g_autoptr(GError) error = NULL;
          double more[3] = { 0.25, 99.0, 0.5 };
          double xs[3 * NF];

          co2s_conformal_to_json (c, builder);
          node = json_builder_get_root (builder);
          back = co2s_conformal_from_json (json_node_get_object (node), "conformal", &error);
          g_assert_no_error (error);
          for (guint i = 0; i < 3; i++)
            memcpy (xs + i * NF, x, sizeof x);
          co2s_conformal_add (c, xs, more, 3);
          co2s_conformal_add (back, xs, more, 3);
          co2s_conformal_prepare (c);
          co2s_conformal_prepare (back);
          g_assert_cmpfloat (co2s_conformal_half_width (back, x), ==, co2s_conformal_half_width (c, x));
        }
      }
}

/* A fuel type uses its own window from CO2S_CONFORMAL_MIN_PER_FUEL
 * residuals on, the window of all fuel types before; NaN residuals are
 * skipped; nothing recorded: NAN. */
static void
test_per_fuel (void)
{
  g_autoptr(Co2sConformal) c = co2s_conformal_new (0.95, 2000);
  double diesel[NF], gas[NF];
  g_autofree double *x = g_new (double, 1000 * NF);
  g_autofree double *r = g_new (double, 1000);

  vehicle (0, diesel);
  vehicle (2, gas);
  co2s_conformal_prepare (c);
  g_assert_true (isnan (co2s_conformal_half_width (c, diesel)));

  /* 900 gasoline rows off by 1, 99 diesel rows off by 10, one NaN. */
  for (guint i = 0; i < 1000; i++)
    {
      vehicle (i < 900 ? 3 : 0, x + (gsize) i * NF);
      r[i] = i < 900 ? 1.0 : i == 999 ? NAN : -10.0;
    }
  co2s_conformal_add (c, x, r, 1000);
  co2s_conformal_prepare (c);
  /* Diesel has 99 < 100: the common window, where 99 of 999 are 10. */
  g_assert_cmpfloat (co2s_conformal_half_width (c, diesel), ==, 10.0);
  /* Natural gas never seen: the common window too. */
  g_assert_cmpfloat (co2s_conformal_half_width (c, gas), ==, 10.0);

  co2s_conformal_add (c, diesel, (double[]) { 10.0 }, 1);
  co2s_conformal_prepare (c);
  g_assert_cmpfloat (co2s_conformal_half_width (c, diesel), ==, 10.0);
  /* Gasoline has its own window: all 1. */
  {
    double gasoline[NF];

    vehicle (3, gasoline);
    g_assert_cmpfloat (co2s_conformal_half_width (c, gasoline), ==, 1.0);
  }
}

/* Three passes of the real data set in batches of 100 with ls:fuel: each
 * batch's rows are predicted with their intervals before the model learns
 * them, as the trainer does. */
static void
test_real_data_coverage (void)
{
  static const char fuels[] = "DENXZ";
  const Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sConformal) conformal = co2s_conformal_new (CO2S_CONFORMAL_DEFAULT_LEVEL,
                                                           CO2S_CONFORMAL_DEFAULT_WINDOW);
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  double residual[100];
  guint64 inside[2][6] = { { 0 } }, total[2][6] = { { 0 } };   /* [pass 1 | passes 2-3][all, D…Z] */
  guint rows, n;

  if (!real_data_load (3, &x, &y, &rows))
    return;
  n = 3 * rows;

  for (guint start = 0; start < n; start += 100)
    {
      guint len = MIN (100, n - start);

      co2s_conformal_prepare (conformal);
      for (guint i = 0; i < len; i++)
        {
          const double *row = x + (gsize) (start + i) * NF;
          double p = co2s_model_predict (model, row);
          double h = co2s_conformal_half_width (conformal, row);
          guint pass = start + i < rows ? 0 : 1;
          guint f = 0;

          residual[i] = y[start + i] - p;
          if (isnan (h) || co2s_model_get_rows_seen (model) == 0)
            continue;   /* nothing learned yet: no interval */
          while (row[5 + f] != 1.0)
            f++;
          total[pass][0]++;
          total[pass][1 + f]++;
          if (fabs (residual[i]) <= h)
            {
              inside[pass][0]++;
              inside[pass][1 + f]++;
            }
        }
      co2s_conformal_add (conformal, x + (gsize) start * NF, residual, len);
      co2s_model_learn (model, x + (gsize) start * NF, y + start, len);
    }

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      g_string_append_printf (line, "%s: coverage %.2f %% of %" G_GUINT64_FORMAT " rows",
                              pass == 0 ? "pass 1" : "passes 2-3",
                              100.0 * inside[pass][0] / total[pass][0], total[pass][0]);
      for (guint f = 0; f < 5; f++)
        if (total[pass][1 + f] > 0)
          g_string_append_printf (line, "; %c %.2f %% of %" G_GUINT64_FORMAT, fuels[f],
                                  100.0 * inside[pass][1 + f] / total[pass][1 + f], total[pass][1 + f]);
      g_test_message ("%s", line->str);
    }
  g_assert_cmpfloat ((double) inside[1][0] / total[1][0], >=, 0.93);
  g_assert_cmpfloat ((double) inside[1][0] / total[1][0], <=, 0.97);
  for (guint f = 0; f < 5; f++)
    if (fuels[f] != 'N')
      g_assert_cmpfloat ((double) inside[1][1 + f] / total[1][1 + f], >=, 0.90);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conformal/quantile", test_quantile);
  g_test_add_func ("/conformal/sliding", test_sliding);
  g_test_add_func ("/conformal/per-fuel", test_per_fuel);
  g_test_add_func ("/conformal/real-data-coverage", test_real_data_coverage);

  return g_test_run ();
}
