/* test-metrics-scan.c — the fast metrics-line reader (co2s-metrics-scan.h)
 * against the json-glib one (co2s_batch_metrics_from_json): same values,
 * same errors, on lines the trainer writes and on many mutated ones. */
#define G_LOG_DOMAIN "test-metrics-scan"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-scan.h"

static gboolean
same_double (double a, double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

static void
assert_same_metrics (const Co2sBatchMetrics *a, const Co2sBatchMetrics *b, const char *line)
{
  if (a->batch == b->batch && a->rows == b->rows && a->rows_seen == b->rows_seen &&
      same_double (a->rmse, b->rmse) && same_double (a->mae, b->mae) &&
      same_double (a->rmse_fit, b->rmse_fit) && a->timestamp_us == b->timestamp_us &&
      a->lag == b->lag && same_double (a->latency_ms_p50, b->latency_ms_p50) &&
      same_double (a->latency_ms_max, b->latency_ms_max) &&
      a->latency_p50_us == b->latency_p50_us && a->latency_p99_us == b->latency_p99_us &&
      a->latency_p999_us == b->latency_p999_us &&
      strncmp (a->algo, b->algo, sizeof a->algo) == 0 && a->dlq == b->dlq)
    return;
  g_error ("fast and json-glib readers differ on: %s\n"
           "fast: %" G_GUINT64_FORMAT " %u %" G_GUINT64_FORMAT " %a %a %a %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %a %a '%.8s' %" G_GUINT64_FORMAT "\n"
           "glib: %" G_GUINT64_FORMAT " %u %" G_GUINT64_FORMAT " %a %a %a %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %a %a '%.8s' %" G_GUINT64_FORMAT,
           line,
           a->batch, a->rows, a->rows_seen, a->rmse, a->mae, a->rmse_fit, a->timestamp_us, a->lag,
           a->latency_ms_p50, a->latency_ms_max, a->algo, a->dlq,
           b->batch, b->rows, b->rows_seen, b->rmse, b->mae, b->rmse_fit, b->timestamp_us, b->lag,
           b->latency_ms_p50, b->latency_ms_max, b->algo, b->dlq);
}

/* Both readers on @line: the same answer. Returns whether the fast path took it. */
static gboolean
check_line (const char *line, gsize len)
{
  g_autoptr(GError) error_parse = NULL;
  g_autoptr(GError) error_json = NULL;
  g_autofree char *shown = g_strndup (line, len);
  Co2sBatchMetrics fast, parsed, json;
  gboolean took_fast = co2s_batch_metrics_scan (line, len, &fast);
  gboolean ok_parse = co2s_batch_metrics_parse (line, len, &parsed, &error_parse);
  gboolean ok_json = co2s_batch_metrics_from_json (line, len, &json, &error_json);

  if (ok_parse != ok_json)
    g_error ("parse says %d, json-glib says %d on: %s", ok_parse, ok_json, shown);
  if (took_fast)
    {
      if (!ok_json)
        g_error ("fast path accepts what json-glib refuses (%s): %s", error_json->message, shown);
      assert_same_metrics (&fast, &json, shown);
    }
  if (ok_json)
    assert_same_metrics (&parsed, &json, shown);
  else
    g_assert_cmpstr (error_parse->message, ==, error_json->message);
  return took_fast;
}

static double
random_double (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0:
      return NAN;
    case 1:
      return g_rand_double_range (rand, 0, 20);
    case 2:
      return round (g_rand_double_range (rand, 0, 1000) * 100) / 100;
    case 3:
      return g_rand_int_range (rand, -5, 5);
    case 4:
      return ldexp (g_rand_double_range (rand, 0.5, 1), g_rand_int_range (rand, -1070, 1020));
    case 5:
      return -g_rand_double_range (rand, 0, 1e-5);
    case 6:
      {
        guint64 bits = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
        double v;

        memcpy (&v, &bits, sizeof v);
        return isfinite (v) ? v : 1.5;
      }
    default:
      return g_rand_double_range (rand, 1e15, 1e17);
    }
}

static void
random_metrics (GRand *rand, Co2sBatchMetrics *m)
{
  static const char *algos[] = { "ls", "sgd", "", "rls-x_9", "sgd:fuel" };

  memset (m, 0, sizeof *m);
  m->batch = g_rand_boolean (rand) ? g_rand_int (rand) : (guint64) g_rand_int (rand) << 20;
  m->rows = g_rand_int_range (rand, 0, 2) ? (guint) g_rand_int_range (rand, 0, 10001) : g_rand_int (rand);
  m->rows_seen = (guint64) g_rand_int (rand) * g_rand_int_range (rand, 1, 1000);
  m->rmse = random_double (rand);
  m->mae = random_double (rand);
  m->rmse_fit = random_double (rand);
  m->timestamp_us = (gint64) g_rand_int_range (rand, 0, 2000000000) * 1000000 + g_rand_int_range (rand, 0, 1000000);
  m->lag = g_rand_int_range (rand, -1, 3) == 2 ? (gint64) g_rand_int (rand) : g_rand_int_range (rand, -1, 2);
  m->latency_ms_p50 = random_double (rand);
  m->latency_ms_max = random_double (rand);
  m->latency_p50_us = g_rand_int_range (rand, 0, 3) ? g_rand_int_range (rand, -1, 100000) : -1;
  m->latency_p99_us = g_rand_int_range (rand, 0, 3) ? (gint64) g_rand_int (rand) * 1000 : -1;
  m->latency_p999_us = g_rand_int_range (rand, -1, 2);
  g_strlcpy (m->algo, algos[g_rand_int_range (rand, 0, G_N_ELEMENTS (algos))], sizeof m->algo);
  m->dlq = g_rand_int_range (rand, 0, 3) ? 0 : g_rand_int (rand);
}

/* Every line the writer writes takes the fast path, with json-glib's values. */
static void
test_writer_lines_fast (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < 60000; i++)
    {
      Co2sBatchMetrics m;

      random_metrics (rand, &m);
      g_string_truncate (line, 0);
      co2s_batch_metrics_to_json (&m, line);
      if (!check_line (line->str, line->len - 1))
        g_error ("a line the trainer writes is not read by the fast path "
                 "(a new key? add it to co2s-metrics-scan.c's table): %s", line->str);
    }
}

/* Lines the writer never writes: both readers agree, whichever path. */
static void
test_hand_cases (void)
{
  static const struct {
    const char *line;
    gboolean fast;
  } cases[] = {
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":null,\"timestamp_us\":5}", TRUE },
    { " { \"rmse\" : 1e2 , \"timestamp_us\":-5, \"rows_seen\":0,\"rows\":0,\"batch\":0 } \r\n", TRUE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"lag\":-1,\"algo\":null}", TRUE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"new_key\":1}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"batch\":3}", FALSE },
    { "{\"batch\":1,\"rows\":-2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1,\"rows\":4294967296,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1.0,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1e999,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"lag\":null}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"lag\":-2}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"algo\":\"12345678901234567\"}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"algo\":\"l\\u0073\"}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp\":\"2026-01-02T03:04:05.678Z\"}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":01,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5}x", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,}", FALSE },
    { "{\"batch\":123456789012345678901,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":0.1234567890123456789012345,\"timestamp_us\":5}", TRUE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":-0.0,\"timestamp_us\":-0}", TRUE },
    { "{}", FALSE },
    { "", FALSE },
    { "[1]", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean fast = check_line (cases[i].line, strlen (cases[i].line));

      if (fast != cases[i].fast)
        g_error ("case %u: fast path %s: %s", i, fast ? "taken" : "not taken", cases[i].line);
    }
}

static const char *fragments[] = {
  "\"", "\\", "\\u0000", "\\u00e9", "\xc3\xa9", "\xff", "{", "}", "[", "]", ",", ":", " ",
  "\t", "\n", "null", "true", "1e", "-", "0", "00", ".5", "1e400", "1E-2", "\"batch\":",
  "\"lag\":", "\"rows\":", "\"algo\":", "18446744073709551615", "9223372036854775807",
  "-9223372036854775808", "4294967295", "\"x\"",
};

/* One random change to @line. */
static void
mutate (GRand *rand, GString *line)
{
  gsize at = line->len ? g_rand_int_range (rand, 0, (gint32) line->len) : 0;

  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      if (line->len > 0)
        line->str[at] = (char) g_rand_int_range (rand, 0, 256);
      break;
    case 1:
      {
        gsize n = (gsize) g_rand_int_range (rand, 1, 12);

        g_string_erase (line, at, MIN (n, line->len - at));
      }
      break;
    case 2:
      g_string_insert (line, at, fragments[g_rand_int_range (rand, 0, G_N_ELEMENTS (fragments))]);
      break;
    case 3:
      g_string_truncate (line, at);
      break;
    default:
      {
        /* A number in the line replaced by a fragment. */
        gsize s = at;

        while (s < line->len && !g_ascii_isdigit (line->str[s]))
          s++;
        if (s < line->len)
          {
            gsize e = s;

            while (e < line->len && (g_ascii_isdigit (line->str[e]) || line->str[e] == '.'))
              e++;
            g_string_erase (line, s, e - s);
            g_string_insert (line, s, fragments[g_rand_int_range (rand, 0, G_N_ELEMENTS (fragments))]);
          }
      }
    }
}

static void
test_mutated_same_as_json_glib (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(GString) line = g_string_new (NULL);
  guint fast = 0, total = 60000;

  for (guint i = 0; i < total; i++)
    {
      Co2sBatchMetrics m;
      guint n = g_rand_int_range (rand, 1, 4);

      random_metrics (rand, &m);
      g_string_truncate (line, 0);
      co2s_batch_metrics_to_json (&m, line);
      g_string_truncate (line, line->len - 1);
      for (guint k = 0; k < n; k++)
        mutate (rand, line);
      fast += check_line (line->str, line->len);
    }
  g_test_message ("%u of %u mutated lines took the fast path", fast, total);
  /* Some mutations leave a valid line (a digit changed): the fast path must
   * have had its share, or this test compared nothing. */
  g_assert_cmpuint (fast, >, total / 50);
  g_assert_cmpuint (fast, <, total);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-scan/writer-lines-fast", test_writer_lines_fast);
  g_test_add_func ("/metrics-scan/hand-cases", test_hand_cases);
  g_test_add_func ("/metrics-scan/mutated-same-as-json-glib", test_mutated_same_as_json_glib);
  return g_test_run ();
}
