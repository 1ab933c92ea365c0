/* test-latency-histogram.c — the log-linear latency histogram: its buckets,
 * quantiles against exact sorted quantiles, exact merge, the shifted sparse
 * form the trainer uses, and the text form (round trip, bad input). */
#define G_LOG_DOMAIN "test-latency-histogram"

#include <gio/gio.h>
#include <math.h>

#include "co2s-latency-histogram.h"

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* The exact nearest-rank quantile of @sorted (n values, ascending). */
static gint64
exact_quantile (const gint64 *sorted, guint n, double q)
{
  return sorted[co2s_latency_rank (q, n) - 1];
}

static void
assert_within_1_percent (gint64 got, gint64 exact, const char *what, double q)
{
  double error = fabs ((double) got - (double) exact);

  if (error > 0.01 * (double) MAX (exact, 1))
    g_error ("%s q=%g: histogram %" G_GINT64_FORMAT ", exact %" G_GINT64_FORMAT " (%.3f %% off)",
             what, q, got, exact, 100.0 * error / (double) MAX (exact, 1));
}

static const double quantiles[] = { 0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0 };

/* A value of 1 µs … 1 hour, spread over the decades (log-uniform). */
static gint64
random_latency (GRand *rand)
{
  return (gint64) exp (g_rand_double_range (rand, 0.0, log (3.6e9)));
}

static void
test_buckets (void)
{
  gint64 previous_end = 0;

  g_assert_cmpuint (co2s_latency_bucket_of (-5), ==, 0);
  g_assert_cmpuint (co2s_latency_bucket_of (0), ==, 0);
  g_assert_cmpuint (co2s_latency_bucket_of (255), ==, 255);
  g_assert_cmpuint (co2s_latency_bucket_of (256), ==, 256);
  g_assert_cmpuint (co2s_latency_bucket_of (257), ==, 256);
  g_assert_cmpuint (co2s_latency_bucket_of (CO2S_LATENCY_MAX_US), ==, CO2S_LATENCY_N_BUCKETS - 1);
  g_assert_cmpuint (co2s_latency_bucket_of (G_MAXINT64), ==, CO2S_LATENCY_N_BUCKETS - 1);

  /* The buckets tile 0 … 2^32 - 1 without gap or overlap, each at most
   * 1/128 of its lowest value wide, and every value maps to its own. */
  for (guint b = 0; b < CO2S_LATENCY_N_BUCKETS; b++)
    {
      gint64 lo = co2s_latency_bucket_lowest (b);
      gint64 w = co2s_latency_bucket_width (b);

      g_assert_cmpint (lo, ==, previous_end);
      g_assert_cmpint (w, >=, 1);
      if (b >= CO2S_LATENCY_EXACT_MAX)
        g_assert_cmpint (w * 128, <=, lo);
      g_assert_cmpuint (co2s_latency_bucket_of (lo), ==, b);
      g_assert_cmpuint (co2s_latency_bucket_of (lo + w - 1), ==, b);
      g_assert_cmpuint (co2s_latency_bucket_of (co2s_latency_bucket_value (b)), ==, b);
      previous_end = lo + w;
    }
  g_assert_cmpint (previous_end - 1, ==, CO2S_LATENCY_MAX_US);
  /* 1 hour has its own bucket. */
  g_assert_cmpuint (co2s_latency_bucket_of (G_GINT64_CONSTANT (3600000000)), <, CO2S_LATENCY_N_BUCKETS - 1);
}

static void
check_random_quantiles (GRand *rand, guint n)
{
  g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();
  g_autofree gint64 *values = g_new (gint64, n);

  for (guint i = 0; i < n; i++)
    {
      values[i] = random_latency (rand);
      co2s_latency_histogram_record (h, values[i], 1);
    }
  qsort (values, n, sizeof *values, compare_gint64);
  g_assert_cmpuint (h->total, ==, n);
  for (guint i = 0; i < G_N_ELEMENTS (quantiles); i++)
    assert_within_1_percent (co2s_latency_histogram_quantile (h, quantiles[i]),
                             exact_quantile (values, n, quantiles[i]), "random", quantiles[i]);
}

static void
test_quantiles_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);

  for (guint round = 0; round < 50; round++)
    check_random_quantiles (rand, 1 + g_rand_int_range (rand, 0, 20000));
  /* Narrow distributions: all in one octave, all exact buckets. */
  {
    g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();
    gint64 values[1000];

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        values[i] = 150000 + g_rand_int_range (rand, 0, 2000);
        co2s_latency_histogram_record (h, values[i], 1);
      }
    qsort (values, G_N_ELEMENTS (values), sizeof *values, compare_gint64);
    for (guint i = 0; i < G_N_ELEMENTS (quantiles); i++)
      assert_within_1_percent (co2s_latency_histogram_quantile (h, quantiles[i]),
                               exact_quantile (values, G_N_ELEMENTS (values), quantiles[i]), "narrow",
                               quantiles[i]);
  }
  {
    g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();

    for (gint64 v = 1; v <= 200; v++)
      co2s_latency_histogram_record (h, v, 1);
    g_assert_cmpint (co2s_latency_histogram_quantile (h, 0.5), ==, 100);
    g_assert_cmpint (co2s_latency_histogram_quantile (h, 0.99), ==, 198);
    g_assert_cmpint (co2s_latency_histogram_quantile (h, 1.0), ==, 200);
  }
}

static void
test_quantiles_edges (void)
{
  g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();

  g_assert_cmpint (co2s_latency_histogram_quantile (h, 0.5), ==, -1);
  g_assert_cmpuint (co2s_latency_rank (0.99, 100), ==, 99);
  g_assert_cmpuint (co2s_latency_rank (0.999, 1000), ==, 999);
  g_assert_cmpuint (co2s_latency_rank (0.5, 1), ==, 1);
  g_assert_cmpuint (co2s_latency_rank (0.0, 7), ==, 1);
  g_assert_cmpuint (co2s_latency_rank (1.0, 7), ==, 7);

  co2s_latency_histogram_record (h, 1000, 3);
  co2s_latency_histogram_record (h, -4, 1);                      /* a clock ahead: 0 */
  co2s_latency_histogram_record (h, G_GINT64_CONSTANT (1) << 40, 1); /* clamped */
  g_assert_cmpuint (h->total, ==, 5);
  g_assert_cmpint (co2s_latency_histogram_quantile (h, 0.0), ==, 0);
  assert_within_1_percent (co2s_latency_histogram_quantile (h, 0.5), 1000, "edges", 0.5);
  g_assert_cmpint (co2s_latency_histogram_quantile (h, 1.0), ==,
                   co2s_latency_bucket_value (CO2S_LATENCY_N_BUCKETS - 1));
}

static void
test_merge (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(Co2sLatencyHistogram) a = co2s_latency_histogram_new ();
      g_autoptr(Co2sLatencyHistogram) b = co2s_latency_histogram_new ();
      g_autoptr(Co2sLatencyHistogram) all = co2s_latency_histogram_new ();
      g_autoptr(Co2sLatencyHistogram) merged = NULL;
      guint n = (guint) g_rand_int_range (rand, 0, 5000);

      for (guint i = 0; i < n; i++)
        {
          gint64 v = random_latency (rand);

          co2s_latency_histogram_record (g_rand_boolean (rand) ? a : b, v, 1);
          co2s_latency_histogram_record (all, v, 1);
        }
      merged = co2s_latency_histogram_copy (a);
      co2s_latency_histogram_merge (merged, b);
      g_assert_cmpmem (merged->counts, sizeof merged->counts, all->counts, sizeof all->counts);
      g_assert_cmpuint (merged->total, ==, all->total);
      for (guint i = 0; i < G_N_ELEMENTS (quantiles); i++)
        g_assert_cmpint (co2s_latency_histogram_quantile (merged, quantiles[i]), ==,
                         co2s_latency_histogram_quantile (all, quantiles[i]));
      /* Merging an empty histogram changes nothing. */
      co2s_latency_histogram_clear (b);
      co2s_latency_histogram_merge (merged, b);
      g_assert_cmpuint (merged->total, ==, all->total);
    }
}

/* The trainer's way: ages when the batch closes as a sparse histogram, the
 * wait for the checkpoint added later. Within 1 % of the exact latencies. */
static void
test_shifted (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(Co2sLatencyHistogram) ages = co2s_latency_histogram_new ();
      g_autoptr(Co2sLatencyHistogram) shifted = co2s_latency_histogram_new ();
      g_autoptr(GArray) sparse = g_array_new (FALSE, FALSE, sizeof (Co2sLatencyBucket));
      guint n = 1 + (guint) g_rand_int_range (rand, 0, 3000);
      gint64 shift = round % 3 == 0 ? 0 : (gint64) exp (g_rand_double_range (rand, 0.0, log (1e9)));
      g_autofree gint64 *exact = g_new (gint64, n);

      for (guint i = 0; i < n; i++)
        {
          /* Within the histogram's range: at most an hour in all. */
          gint64 age = round % 2 ? g_rand_int_range (rand, 0, 300000) : random_latency (rand);

          age = MIN (age, G_GINT64_CONSTANT (3600000000) - shift);

          co2s_latency_histogram_record (ages, age, 1);
          exact[i] = age + shift;
        }
      for (guint b = 0; b < CO2S_LATENCY_N_BUCKETS; b++)
        if (ages->counts[b] > 0)
          g_array_append_vals (sparse, &(Co2sLatencyBucket) { b, (guint32) ages->counts[b] }, 1);
      qsort (exact, n, sizeof *exact, compare_gint64);
      co2s_latency_histogram_add_shifted (shifted, (Co2sLatencyBucket *) sparse->data, sparse->len, shift);
      g_assert_cmpuint (shifted->total, ==, n);
      for (guint i = 0; i < G_N_ELEMENTS (quantiles); i++)
        {
          gint64 want = exact_quantile (exact, n, quantiles[i]);

          assert_within_1_percent (co2s_latency_sparse_quantile ((Co2sLatencyBucket *) sparse->data,
                                                                 sparse->len, shift, quantiles[i]),
                                   want, "sparse", quantiles[i]);
          assert_within_1_percent (co2s_latency_histogram_quantile (shifted, quantiles[i]), want,
                                   "shifted", quantiles[i]);
        }
    }
  g_assert_cmpint (co2s_latency_sparse_quantile (NULL, 0, 5, 0.5), ==, -1);
}

static void
test_text_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  for (guint round = 0; round < 30; round++)
    {
      g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();
      g_autoptr(Co2sLatencyHistogram) back = NULL;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) again = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      guint n = round == 0 ? 0 : (guint) g_rand_int_range (rand, 1, 10000);

      for (guint i = 0; i < n; i++)
        co2s_latency_histogram_record (h, random_latency (rand), 1 + (guint64) g_rand_int_range (rand, 0, 3));
      if (round == 1)
        co2s_latency_histogram_record (h, 0, G_MAXUINT64 - h->total);
      co2s_latency_histogram_append_text (h, text);
      back = co2s_latency_histogram_parse (text->str, text->len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (back->counts, sizeof back->counts, h->counts, sizeof h->counts);
      g_assert_cmpuint (back->total, ==, h->total);
      g_assert_cmpuint (back->lowest, ==, h->lowest);
      g_assert_cmpuint (back->highest, ==, h->highest);
      co2s_latency_histogram_append_text (back, again);
      g_assert_cmpstr (again->str, ==, text->str);
    }
  {
    g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();
    g_autoptr(GString) text = g_string_new (NULL);

    co2s_latency_histogram_record (h, 3, 2);
    co2s_latency_histogram_record (h, 1000, 1);
    co2s_latency_histogram_record (h, 1001, 4);
    co2s_latency_histogram_append_text (h, text);
    g_assert_cmpstr (text->str, ==, "3:2,1000:5");
  }
}

static void
test_text_bad (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "x", "latency histogram: entry 1 (at byte 0): expected a bucket's lowest value in µs (digits), found 'x'" },
    { "12", "latency histogram: entry 1 (at byte 0): expected ':' after 12, found the end" },
    { "12:", "latency histogram: entry 1 (at byte 0): expected a count (digits, at most 18446744073709551615) after ':', found the end" },
    { "12:0", "latency histogram: entry 1 (at byte 0): count 0 (only non-empty buckets are written)" },
    { "12:3,", "latency histogram: entry 2 (at byte 5): nothing after the last ','" },
    { "12:3;", "latency histogram: entry 1 (at byte 0): expected ',' or the end after the count, found ';'" },
    { "12:3,5:1", "latency histogram: entry 2 (at byte 5): bucket 5 is not above the one before (12): buckets go in ascending order, each once" },
    { "12:3,12:1", "latency histogram: entry 2 (at byte 5): bucket 12 is not above the one before (12): buckets go in ascending order, each once" },
    { "1,2:3", "latency histogram: entry 1 (at byte 0): expected ':' after 1, found ','" },
    { "3:1,813:2", "latency histogram: entry 2 (at byte 4): 813 is not a bucket's lowest value (812 is)" },
    { "4294967296:1", "latency histogram: entry 1 (at byte 0): 4294967296 is above the highest bucket (4278190080)" },
    { "99999999999999999999999:1", "latency histogram: entry 1 (at byte 0): expected a bucket's lowest value in µs (digits), found '9'" },
    { "1:18446744073709551615,2:1", "latency histogram: entry 2 (at byte 23): the counts add up to more than 18446744073709551615" },
    { "1:18446744073709551616", "latency histogram: entry 1 (at byte 0): expected a count (digits, at most 18446744073709551615) after ':', found '1'" },
    { " 1:1", "latency histogram: entry 1 (at byte 0): expected a bucket's lowest value in µs (digits), found ' '" },
    { "-1:1", "latency histogram: entry 1 (at byte 0): expected a bucket's lowest value in µs (digits), found '-'" },
    { "1:+1", "latency histogram: entry 1 (at byte 0): expected a count (digits, at most 18446744073709551615) after ':', found '+'" },
    { "012:1", "latency histogram: entry 1 (at byte 0): 012 has a leading zero" },
    { "3:2,1000:05", "latency histogram: entry 2 (at byte 4): count 05 has a leading zero" },
    { "1:1\n", "latency histogram: entry 1 (at byte 0): expected ',' or the end after the count, found byte 0x0a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_parse (cases[i].text, strlen (cases[i].text),
                                                                        &error);

      g_assert_null (h);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
  /* The empty text is the empty histogram. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_parse ("", 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (h->total, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/latency-histogram/buckets", test_buckets);
  g_test_add_func ("/latency-histogram/quantiles-random", test_quantiles_random);
  g_test_add_func ("/latency-histogram/quantiles-edges", test_quantiles_edges);
  g_test_add_func ("/latency-histogram/merge-is-union", test_merge);
  g_test_add_func ("/latency-histogram/shifted", test_shifted);
  g_test_add_func ("/latency-histogram/text-round-trip", test_text_round_trip);
  g_test_add_func ("/latency-histogram/text-bad", test_text_bad);
  return g_test_run ();
}
