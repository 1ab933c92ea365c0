/* test-metrics-scan.c — the fast metrics-line reader (co2s-metrics-scan.h)
 * against the json-glib one (co2s_batch_metrics_from_json): same values,
 * same errors, on lines the trainer writes and on many mutated ones. */
#define G_LOG_DOMAIN "test-metrics-scan"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-scan.h"
#include "../fuzz/metrics-equal.h"

/* Every field, for a failure's message. */
static char *
describe (const Co2sBatchMetrics *m)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GUINT64_FORMAT " %u %" G_GUINT64_FORMAT " %a %a %a %" G_GINT64_FORMAT
                          " %" G_GINT64_FORMAT " %a %a %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                          " '%.16s' %" G_GUINT64_FORMAT " %a %d %a models %u:",
                          m->batch, m->rows, m->rows_seen, m->rmse, m->mae, m->rmse_fit, m->timestamp_us,
                          m->lag, m->latency_ms_p50, m->latency_ms_max, m->latency_p50_us, m->latency_p99_us,
                          m->latency_p999_us, m->algo, m->dlq, m->coverage_95, m->drift_alarm,
                          m->drift_statistic, m->n_models);
  for (guint i = 0; i < CO2S_METRICS_MAX_MODELS; i++)
    {
      const Co2sModelMetrics *mm = &m->models[i];

      g_string_append_printf (s, " '%.16s' %a %a %a %a %d;", mm->name, mm->rmse, mm->mae, mm->coverage_95,
                              mm->rolling_rmse, mm->drift_alarm);
    }
  return g_string_free (s, FALSE);
}

static void
assert_same_metrics (const Co2sBatchMetrics *a, const Co2sBatchMetrics *b, const char *line)
{
  g_autofree char *fast = NULL;
  g_autofree char *glib = NULL;

  if (metrics_equal (a, b))
    return;
  fast = describe (a);
  glib = describe (b);
  g_error ("fast and json-glib readers differ on: %s\nfast: %s\nglib: %s", line, fast, glib);
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

/* Names a trainer of several models may write (the writer's characters:
 * alphanumerics, '-', '_', ':'), up to 15 characters. */
static const char *model_names[] = {
  "ls", "ls:fuel", "sgd", "sgd:fuel", "rls-x_9", "a", "abcdefghijklmno", "x:y:z", "m2", "B_",
};

/* @m's models: 2 to CO2S_METRICS_MAX_MODELS distinct names in random order,
 * one of them the champion (= algo). */
static void
random_models (GRand *rand, Co2sBatchMetrics *m)
{
  const char *names[G_N_ELEMENTS (model_names)];

  memcpy (names, model_names, sizeof names);
  for (guint i = G_N_ELEMENTS (names) - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      const char *t = names[i];

      names[i] = names[j];
      names[j] = t;
    }
  m->n_models = (guint) g_rand_int_range (rand, 2, CO2S_METRICS_MAX_MODELS + 1);
  for (guint i = 0; i < m->n_models; i++)
    {
      Co2sModelMetrics *mm = &m->models[i];

      g_strlcpy (mm->name, names[i], sizeof mm->name);
      mm->rmse = random_double (rand);
      mm->mae = random_double (rand);
      mm->coverage_95 = random_double (rand);
      mm->rolling_rmse = random_double (rand);
      mm->drift_alarm = g_rand_int_range (rand, 0, 4) == 0;
    }
  memset (m->algo, 0, sizeof m->algo);   /* as read: zeros after the name */
  g_strlcpy (m->algo, m->models[g_rand_int_range (rand, 0, (gint32) m->n_models)].name, sizeof m->algo);
}

/* A random line's metrics; one in three of a trainer of several models. */
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
  m->coverage_95 = random_double (rand);
  m->drift_alarm = g_rand_int_range (rand, 0, 4) == 0;
  m->drift_statistic = random_double (rand);
  if (g_rand_int_range (rand, 0, 3) == 0)
    random_models (rand, m);
  /* A scale-out trainer's line: whose batch it is. */
  if (g_rand_int_range (rand, 0, 4) == 0)
    {
      static const char *trainers[] = { "a", "host-1234", "t.2_x", "" };

      m->partition = g_rand_int_range (rand, 0, 3) ? g_rand_int_range (rand, 0, 64) : G_MAXINT32;
      m->partition_batch = (guint64) g_rand_int_range (rand, 1, G_MAXINT32);
      g_strlcpy (m->trainer, trainers[g_rand_int_range (rand, 0, G_N_ELEMENTS (trainers))], sizeof m->trainer);
    }
}

/* Every line the writer writes takes the fast path, with json-glib's values. */
static void
test_writer_lines_fast (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GString) line = g_string_new (NULL);
  guint several = 0;

  for (guint i = 0; i < 60000; i++)
    {
      Co2sBatchMetrics m, back;

      random_metrics (rand, &m);
      g_string_truncate (line, 0);
      co2s_batch_metrics_to_json (&m, line);
      if (!check_line (line->str, line->len - 1))
        g_error ("a line the trainer writes is not read by the fast path "
                 "(a new key? add it to co2s-metrics-scan.c's table): %s", line->str);
      /* And read back as written (the generator keeps to what lines hold). */
      g_assert_true (co2s_batch_metrics_scan (line->str, line->len - 1, &back));
      assert_same_metrics (&back, &m, line->str);
      several += m.n_models > 0;
    }
  g_test_message ("%u lines of several models", several);
  g_assert_cmpuint (several, >, 10000);
}

/* A line's members before "champion" and "models", algo "ls". */
#define HEAD "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"algo\":\"ls\""

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
    /* A scale-out trainer's line: partition and partition_batch (≥ 1) together, trainer with them. */
    { HEAD ",\"partition\":3,\"partition_batch\":7,\"trainer\":\"host-1.b_2\"}", TRUE },
    { HEAD ",\"partition\":0,\"partition_batch\":1}", TRUE },
    { HEAD ",\"partition\":3}", FALSE },
    { HEAD ",\"partition_batch\":3}", FALSE },
    { HEAD ",\"trainer\":\"a\"}", FALSE },
    { HEAD ",\"partition\":3,\"partition_batch\":0}", FALSE },
    { HEAD ",\"partition\":-1,\"partition_batch\":2}", FALSE },
    { HEAD ",\"partition\":2147483648,\"partition_batch\":2}", FALSE },
    { HEAD ",\"partition\":1,\"partition_batch\":2,\"trainer\":\"a b\"}", FALSE },
    { HEAD ",\"partition\":1,\"partition_batch\":2,\"trainer\":\"\"}", FALSE },
    { HEAD ",\"partition\":1,\"partition_batch\":2,\"trainer\":\"\\u0061\"}", FALSE },
    { HEAD ",\"partition\":1,\"partition_batch\":2,\"trainer\":null}", FALSE },
    /* Several models. */
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":null}}}", TRUE },
    { HEAD ",\"models\" : { \"sgd\" : { \"drift_alarm\" : true , \"rmse\" : 2 } , \"ls\":{\"rolling_rmse\":3,"
      "\"coverage_95\":0.5,\"mae\":1e-3,\"rmse\":1} } , \"champion\":\"ls\" }", TRUE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1,\"mae\":null,\"coverage_95\":null,"
      "\"rolling_rmse\":null,\"drift_alarm\":false},\"a_b\":{\"rmse\":1}}}", TRUE },
    /* A name the writer could not write back (it keeps A-Z a-z 0-9 : _ -). */
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"a b\":{\"rmse\":1}}}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"algo\":\"ls/fuel\"}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"algo\":\"abcdefghijklmno\","
      "\"champion\":\"abcdefghijklmno\",\"models\":{\"abcdefghijklmno\":{\"rmse\":1},\"b\":{\"rmse\":1}}}", TRUE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"2\":{\"rmse\":1},\"3\":{\"rmse\":1},"
      "\"4\":{\"rmse\":1},\"5\":{\"rmse\":1},\"6\":{\"rmse\":1},\"7\":{\"rmse\":1},\"8\":{\"rmse\":1}}}", TRUE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"2\":{\"rmse\":1},\"3\":{\"rmse\":1},"
      "\"4\":{\"rmse\":1},\"5\":{\"rmse\":1},\"6\":{\"rmse\":1},\"7\":{\"rmse\":1},\"8\":{\"rmse\":1},"
      "\"9\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\"}", FALSE },
    { HEAD ",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"sgd\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls:fuel\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"ls\":{\"rmse\":2}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":2},\"ls\":{\"rmse\":3}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"s.gd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"abcdefghijklmnop\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"s\\u0067d\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"l\\u0073\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1,\"new\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1,\"rmse\":2},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"mae\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1,\"drift_alarm\":null},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1,\"drift_alarm\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":true},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1e999},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":1}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1},}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":[{\"rmse\":1},{\"rmse\":1}]}", FALSE },
    { HEAD ",\"champion\":null,\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"models\":null}", FALSE },
    { HEAD ",\"champion\":\"ls\",\"champion\":\"ls\",\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
    { "{\"batch\":1,\"rows\":2,\"rows_seen\":2,\"rmse\":1,\"timestamp_us\":5,\"champion\":\"\","
      "\"models\":{\"ls\":{\"rmse\":1},\"sgd\":{\"rmse\":1}}}", FALSE },
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
  "-9223372036854775808", "4294967295", "\"x\"", "\"champion\":", "\"models\":", "\"ls\"", "\"sgd\":",
  "{\"rmse\":1}", "\"rolling_rmse\":", "\"drift_alarm\":", "false", ".", "\"mae\":", "p",
};

/* One random change to @line, at or after byte @from. */
static void
mutate (GRand *rand, GString *line, gsize from)
{
  gsize at = line->len > from ? from + (gsize) g_rand_int_range (rand, 0, (gint32) (line->len - from)) : line->len;

  switch (g_rand_int_range (rand, 0, 6))
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
    case 4:
      {
        /* A piece of the line copied elsewhere in it (a member twice…). */
        gsize start = line->len ? (gsize) g_rand_int_range (rand, 0, (gint32) line->len) : 0;
        gsize n = MIN ((gsize) g_rand_int_range (rand, 1, 80), line->len - start);
        g_autofree char *piece = g_strndup (line->str + start, n);

        g_string_insert (line, at, piece);
      }
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

/* Lines of one model or several, mutated anywhere; with @several_only,
 * lines of several models mutated in "champion" and "models" only. */
static void
mutated_same_as_json_glib (guint32 seed, gboolean several_only)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GString) line = g_string_new (NULL);
  guint fast = 0, fast_several = 0, total = 60000;

  for (guint i = 0; i < total; i++)
    {
      Co2sBatchMetrics m;
      guint n = g_rand_int_range (rand, 1, 4);
      gsize from = 0;

      do
        random_metrics (rand, &m);
      while (several_only && m.n_models == 0);
      g_string_truncate (line, 0);
      co2s_batch_metrics_to_json (&m, line);
      g_string_truncate (line, line->len - 1);
      if (several_only)
        {
          const char *champion = strstr (line->str, "\"champion\"");

          g_assert_nonnull (champion);
          from = (gsize) (champion - line->str);
        }
      for (guint k = 0; k < n; k++)
        mutate (rand, line, from);
      if (check_line (line->str, line->len))
        {
          fast++;
          fast_several += strstr (line->str, "\"models\"") != NULL;
        }
    }
  g_test_message ("%u of %u mutated lines took the fast path, %u of them with \"models\"",
                  fast, total, fast_several);
  /* Some mutations leave a valid line (a digit changed): the fast path must
   * have had its share, or this test compared nothing. */
  g_assert_cmpuint (fast, >, total / 50);
  g_assert_cmpuint (fast_several, >, total / (several_only ? 50 : 200));
  g_assert_cmpuint (fast, <, total);
}

static void
test_mutated_same_as_json_glib (void)
{
  mutated_same_as_json_glib (12, FALSE);
}

static void
test_mutated_several_models (void)
{
  mutated_same_as_json_glib (13, TRUE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-scan/writer-lines-fast", test_writer_lines_fast);
  g_test_add_func ("/metrics-scan/hand-cases", test_hand_cases);
  g_test_add_func ("/metrics-scan/mutated-same-as-json-glib", test_mutated_same_as_json_glib);
  g_test_add_func ("/metrics-scan/mutated-several-models", test_mutated_several_models);
  return g_test_run ();
}
