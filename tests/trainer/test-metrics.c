/* test-metrics.c — the metrics codec, the metrics.jsonl repair and the batch
 * buffer: the trainer's pure logic, without Kafka. */
#define G_LOG_DOMAIN "test-metrics"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "co2s-batch.h"
#include "co2s-metrics-log.h"
#include "co2s-metrics.h"
#include "co2s-test-util.h"

static Co2sBatchMetrics
sample_metrics (guint64 batch)
{
  Co2sBatchMetrics m = {
    .batch = batch,
    .rows = 100,
    .rows_seen = batch * 100,
    .rmse = 6.2134567890123456 + batch,
    .mae = 4.8 / 3.0,
    .rmse_fit = 0.1 + 0.2,
    .timestamp_us = G_GINT64_CONSTANT (1700000000123456) + (gint64) batch,
    .lag = 42,
    .latency_ms_p50 = 12.5,
    .latency_ms_max = 1e-7,
    .algo = "sgd",
    .dlq = 3,
  };
  return m;
}

static void
assert_same_double (double a, double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_true (memcmp (&a, &b, sizeof a) == 0);
}

static void
assert_same_metrics (const Co2sBatchMetrics *a, const Co2sBatchMetrics *b)
{
  g_assert_cmpuint (a->batch, ==, b->batch);
  g_assert_cmpuint (a->rows, ==, b->rows);
  g_assert_cmpuint (a->rows_seen, ==, b->rows_seen);
  assert_same_double (a->rmse, b->rmse);
  assert_same_double (a->mae, b->mae);
  assert_same_double (a->rmse_fit, b->rmse_fit);
  g_assert_cmpint (a->timestamp_us, ==, b->timestamp_us);
  g_assert_cmpint (a->lag, ==, b->lag);
  assert_same_double (a->latency_ms_p50, b->latency_ms_p50);
  assert_same_double (a->latency_ms_max, b->latency_ms_max);
  g_assert_cmpstr (a->algo, ==, b->algo);
  g_assert_cmpuint (a->dlq, ==, b->dlq);
}

static Co2sBatchMetrics
round_trip (const Co2sBatchMetrics *m, char **json_out)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics back;

  co2s_batch_metrics_to_json (m, json);
  g_assert_cmpint (json->len, >, 2);
  g_assert_cmpint (json->str[json->len - 1], ==, '\n');
  g_assert_null (memchr (json->str, '\n', json->len - 1));
  g_assert_true (co2s_batch_metrics_from_json (json->str, json->len, &back, &error));
  g_assert_no_error (error);
  if (json_out != NULL)
    *json_out = g_strdup (json->str);
  return back;
}

static void
test_round_trip (void)
{
  Co2sBatchMetrics m = sample_metrics (12);
  Co2sBatchMetrics back;
  g_autofree char *json = NULL;

  back = round_trip (&m, &json);
  assert_same_metrics (&m, &back);

  /* The keys the desktop app and the README rely on. */
  for (const char * const *key = (const char * const[]) {
         "\"batch\":12,", "\"rows\":100,", "\"rows_seen\":1200,", "\"rmse\":", "\"mae\":",
         "\"rmse_fit\":0.30000000000000004,", "\"timestamp\":\"2023-11-14T22:13:20.123Z\"",
         "\"timestamp_us\":1700000000123468", "\"lag\":42,", "\"latency_ms_p50\":12.5,",
         "\"latency_ms_max\":0.0000001,", "\"algo\":\"sgd\"", "\"dlq\":3,", "\"drift_alarm\":false,",
         "\"drift_statistic\":0}", NULL };
       *key != NULL; key++)
    if (strstr (json, *key) == NULL)
      g_error ("%s not in %s", *key, json);

  /* A drift alarm comes back; anything but true or false is refused by name. */
  {
    Co2sBatchMetrics alarm = sample_metrics (13);
    g_autofree char *alarm_json = NULL;
    g_autofree char *bad = NULL;
    g_autoptr(GError) bad_error = NULL;
    Co2sBatchMetrics ignored;

    alarm.drift_alarm = TRUE;
    alarm.drift_statistic = 5.25;
    back = round_trip (&alarm, &alarm_json);
    g_assert_true (back.drift_alarm);
    g_assert_cmpfloat (back.drift_statistic, ==, 5.25);
    g_assert_nonnull (strstr (alarm_json, "\"drift_alarm\":true,\"drift_statistic\":5.25}"));
    bad = g_strdup (alarm_json);
    memcpy (strstr (bad, "true"), "0   ", 4);
    g_assert_false (co2s_batch_metrics_from_json (bad, strlen (bad), &ignored, &bad_error));
    g_assert_nonnull (strstr (bad_error->message, "drift_alarm"));
  }

  /* Undefined values (a batch of bad messages only) are null and come back NAN. */
  m.rows = 0;
  m.rmse = m.mae = m.rmse_fit = NAN;
  m.latency_ms_p50 = m.latency_ms_max = INFINITY;
  g_clear_pointer (&json, g_free);
  back = round_trip (&m, &json);
  g_assert_nonnull (strstr (json, "\"rmse\":null"));
  g_assert_nonnull (strstr (json, "\"latency_ms_max\":null"));
  g_assert_true (isnan (back.rmse) && isnan (back.mae) && isnan (back.rmse_fit));
  g_assert_true (isnan (back.latency_ms_p50) && isnan (back.latency_ms_max));

  /* Many random values survive exactly. */
  for (guint i = 0; i < 2000; i++)
    {
      Co2sBatchMetrics r = sample_metrics (g_test_rand_int_range (1, G_MAXINT32));

      r.rmse = g_test_rand_double_range (0, 1e6);
      r.mae = g_test_rand_double () * pow (10, g_test_rand_int_range (-300, 300));
      r.rmse_fit = -g_test_rand_double ();
      r.latency_ms_p50 = g_test_rand_double_range (0, 1e4);
      r.lag = g_test_rand_int_range (-1, G_MAXINT32);
      back = round_trip (&r, NULL);
      assert_same_metrics (&r, &back);
    }
}

/* A trainer of several models: the champion's figures at the top level,
 * "champion" and every model's in "models", in order; back exactly. Bad
 * "models" members are refused by name. */
static void
test_models (void)
{
  Co2sBatchMetrics m = sample_metrics (7);
  Co2sBatchMetrics back;
  g_autofree char *json = NULL;
  static const struct {
    const char *from;
    const char *to;
    const char *mentions;
  } edits[] = {
    { "\"champion\":\"ls:fuel\"", "\"champion\":\"sgd\"", "member \"champion\" is \"sgd\", not the algo \"ls:fuel\"" },
    { ",\"champion\":\"ls:fuel\"", "", "member \"champion\" is missing (\"models\" is there)" },
    { "\"models\":{\"ls\":{", "\"models\":{\"ls.x\":{", "member \"models.ls.x\" is not a model name" },
    { "\"models\":{\"ls\":{", "\"models\":{\"\":{", "member \"models.\" is not a model name" },
    /* The writer keeps only these characters: "l s" would come back "ls". */
    { "\"models\":{\"ls\":{", "\"models\":{\"l s\":{", "member \"models.l s\" is not a model name" },
    { "\"algo\":\"ls:fuel\"", "\"algo\":\"ls/fuel\"", "member \"algo\" is not a model name" },
    { "\"ls:fuel\":{\"rmse\":", "\"ls:fuel\":{\"rmse\":\"low\",\"x\":", "member \"models.ls:fuel.rmse\" is not a number" },
    { "\"ls:fuel\":{\"rmse\"", "\"ls:fuel\":{\"mse\"", "member \"models.ls:fuel.rmse\" is missing" },
    { "\"drift_alarm\":true}", "\"drift_alarm\":1}", "member \"models.sgd.drift_alarm\" is not true or false" },
    { "\"models\":{\"ls\":{", "\"models\":{\"ls\":7,\"lsx\":{", "member \"models.ls\" is not an object" },
  };

  g_strlcpy (m.algo, "ls:fuel", sizeof m.algo);
  m.n_models = 3;
  m.models[0] = (Co2sModelMetrics) { "ls", 5.25, 4.0, 0.95, 5.5, FALSE };
  m.models[1] = (Co2sModelMetrics) { "ls:fuel", 0.1 + 0.2, 2.0, 1.0, 2.75, FALSE };
  m.models[2] = (Co2sModelMetrics) { "sgd", NAN, NAN, NAN, NAN, TRUE };
  back = round_trip (&m, &json);
  assert_same_metrics (&m, &back);
  g_assert_nonnull (strstr (json, ",\"champion\":\"ls:fuel\",\"models\":{\"ls\":{\"rmse\":5.25,\"mae\":4,"
                                  "\"coverage_95\":0.95,\"rolling_rmse\":5.5,\"drift_alarm\":false},\"ls:fuel\":{"));
  g_assert_nonnull (strstr (json, "\"sgd\":{\"rmse\":null,\"mae\":null,\"coverage_95\":null,"
                                  "\"rolling_rmse\":null,\"drift_alarm\":true}}}"));
  g_assert_cmpuint (back.n_models, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpstr (back.models[k].name, ==, m.models[k].name);
      assert_same_double (back.models[k].rmse, m.models[k].rmse);
      assert_same_double (back.models[k].mae, m.models[k].mae);
      assert_same_double (back.models[k].coverage_95, m.models[k].coverage_95);
      assert_same_double (back.models[k].rolling_rmse, m.models[k].rolling_rmse);
      g_assert_cmpint (back.models[k].drift_alarm, ==, m.models[k].drift_alarm);
    }

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GString) bad = g_string_new (json);
      g_autoptr(GError) error = NULL;
      Co2sBatchMetrics ignored;

      g_assert_cmpuint (g_string_replace (bad, edits[i].from, edits[i].to, 1), ==, 1);
      g_assert_false (co2s_batch_metrics_from_json (bad->str, bad->len, &ignored, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      if (strstr (error->message, edits[i].mentions) == NULL)
        g_error ("%s: message \"%s\" does not mention %s", bad->str, error->message, edits[i].mentions);
    }

  /* One model: neither member, as lines always were. */
  m.n_models = 0;
  g_clear_pointer (&json, g_free);
  back = round_trip (&m, &json);
  g_assert_null (strstr (json, "models"));
  g_assert_null (strstr (json, "champion"));
  g_assert_cmpuint (back.n_models, ==, 0);
}

static void
test_defaults (void)
{
  static const char line[] = "{\"batch\":3,\"rows\":10,\"rows_seen\":30,\"rmse\":5,\"extra\":[1,{}]}";
  static const char iso[] = "{\"batch\":1,\"rows\":1,\"rows_seen\":1,\"rmse\":1.5,"
                            "\"timestamp\":\"2024-02-29T12:00:00.250Z\"}";
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics m;

  g_assert_true (co2s_batch_metrics_from_json (line, strlen (line), &m, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m.batch, ==, 3);
  g_assert_cmpfloat (m.rmse, ==, 5.0);
  g_assert_true (isnan (m.mae) && isnan (m.rmse_fit));
  g_assert_true (isnan (m.latency_ms_p50) && isnan (m.latency_ms_max));
  g_assert_cmpint (m.lag, ==, -1);
  g_assert_cmpuint (m.dlq, ==, 0);
  g_assert_cmpstr (m.algo, ==, "");

  /* Without timestamp_us, the ISO time is used. */
  g_assert_true (co2s_batch_metrics_from_json (iso, strlen (iso), &m, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m.timestamp_us, ==, G_GINT64_CONSTANT (1709208000250000));
}

static void
test_bad_lines (void)
{
  static const struct {
    const char *line;
    const char *mentions;
  } cases[] = {
    { "", "empty" },
    { "  \n", "empty" },
    { "{\"batch\":1,", "not JSON" },
    { "[1,2]", "not a JSON object" },
    { "{\"rows\":1,\"rows_seen\":1,\"rmse\":1}", "\"batch\" is missing" },
    { "{\"batch\":1,\"rows_seen\":1,\"rmse\":1}", "\"rows\" is missing" },
    { "{\"batch\":1,\"rows\":1,\"rmse\":1}", "\"rows_seen\" is missing" },
    { "{\"batch\":1,\"rows\":1,\"rows_seen\":1}", "\"rmse\" is missing" },
    { "{\"batch\":\"1\",\"rows\":1,\"rows_seen\":1,\"rmse\":1}", "\"batch\" is not an integer" },
    { "{\"batch\":1.5,\"rows\":1,\"rows_seen\":1,\"rmse\":1}", "\"batch\" is not an integer" },
    { "{\"batch\":-1,\"rows\":1,\"rows_seen\":1,\"rmse\":1}", "\"batch\" is -1" },
    { "{\"batch\":1,\"rows\":1,\"rows_seen\":1,\"rmse\":\"x\"}", "\"rmse\" is not a number" },
    { "{\"batch\":1,\"rows\":1,\"rows_seen\":1,\"rmse\":1,\"algo\":\"much-too-long-for-a-name\"}", "\"algo\"" },
    { "{\"batch\":1,\"rows\":1,\"rows_seen\":1,\"rmse\":1,\"timestamp\":\"yesterday\"}", "\"timestamp\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      Co2sBatchMetrics m;

      g_assert_false (co2s_batch_metrics_from_json (cases[i].line, strlen (cases[i].line), &m, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      if (strstr (error->message, cases[i].mentions) == NULL)
        g_error ("%s: message \"%s\" does not mention %s", cases[i].line, error->message,
                 cases[i].mentions);
    }
}

/* Builds a comma-decimal locale (de_DE) into a temporary LOCPATH with
 * localedef, so the test does not depend on the machine's installed locales.
 * Returns the locale name in effect. Fails the test when it cannot. */
static char *
switch_to_comma_locale (const char *dir)
{
  g_autofree char *target = g_build_filename (dir, "de_DE.UTF-8", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  struct lconv *lc;
  const char *name;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                           "localedef", "-i", "de_DE", "-f", "UTF-8", target, NULL);
  if (proc == NULL)
    g_error ("cannot run localedef (Debian package libc-bin): %s", error->message);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  if (!g_file_test (target, G_FILE_TEST_IS_DIR))
    g_error ("localedef could not build de_DE.UTF-8 (install the Debian package \"locales\" "
             "for /usr/share/i18n/locales): %s", out);

  g_setenv ("LOCPATH", dir, TRUE);
  name = setlocale (LC_ALL, "de_DE.UTF-8");
  if (name == NULL)
    g_error ("setlocale (de_DE.UTF-8) failed with LOCPATH=%s", dir);
  lc = localeconv ();
  g_assert_cmpstr (lc->decimal_point, ==, ",");
  return g_strdup (name);
}

static void
test_locale (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  g_autofree char *name = NULL;
  g_autofree char *json = NULL;
  g_autofree char *c_json = NULL;
  g_autofree char *check = NULL;
  Co2sBatchMetrics m = sample_metrics (7);
  Co2sBatchMetrics back;

  g_assert_nonnull (dir);
  back = round_trip (&m, &c_json);

  name = switch_to_comma_locale (dir);
  check = g_strdup_printf ("%.1f", 2.5);
  g_assert_cmpstr (check, ==, "2,5"); /* the locale really is in effect */

  back = round_trip (&m, &json);
  setlocale (LC_ALL, old);
  g_unsetenv ("LOCPATH");

  g_assert_cmpstr (json, ==, c_json);
  g_assert_null (strstr (json, "12,5"));
  assert_same_metrics (&m, &back);
}

/* ---- metrics.jsonl --------------------------------------------------------- */

static char *
write_lines (const char *dir, guint first, guint last, const char *tail)
{
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint b = first; b <= last; b++)
    {
      Co2sBatchMetrics m = sample_metrics (b);

      m.dlq = b * 2;
      co2s_batch_metrics_to_json (&m, text);
    }
  if (tail != NULL)
    g_string_append (text, tail);
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static guint
count_lines (const char *path, guint64 *last_batch)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  if (*text != '\0')
    g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  *last_batch = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Co2sBatchMetrics m;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (co2s_batch_metrics_from_json (lines[i], strlen (lines[i]), &m, NULL));
      g_assert_cmpuint (m.batch, ==, *last_batch + 1);
      *last_batch = m.batch;
      n++;
    }
  return n;
}

static void
test_log_repair (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) more = g_string_new (NULL);
  Co2sBatchMetrics last, m;
  guint64 last_batch;
  guint dropped;

  /* A crash after the lines of batches 9–10 were written, before their
   * checkpoint, and in the middle of a write after that. */
  path = write_lines (dir, 1, 10, "{\"batch\":11,\"rows\":100,\"rows_s");
  log = co2s_metrics_log_open (path, 8, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_nonnull (log);
  g_assert_cmpuint (dropped, ==, 3);
  g_assert_cmpuint (last.batch, ==, 8);
  g_assert_cmpuint (last.dlq, ==, 16);
  g_assert_cmpuint (count_lines (path, &last_batch), ==, 8);
  g_assert_cmpuint (last_batch, ==, 8);

  /* Appends go after the repaired end. */
  m = sample_metrics (9);
  co2s_batch_metrics_to_json (&m, more);
  g_assert_true (co2s_metrics_log_append (log, more->str, more->len, &error));
  g_assert_true (co2s_metrics_log_sync (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (path, &last_batch), ==, 9);
  g_assert_cmpuint (last_batch, ==, 9);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* Nothing to repair. */
  log = co2s_metrics_log_open (path, 9, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpuint (last.batch, ==, 9);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* A fresh model keeps nothing. */
  log = co2s_metrics_log_open (path, 0, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dropped, ==, 9);
  g_assert_cmpuint (last.batch, ==, 0);
  g_assert_cmpuint (count_lines (path, &last_batch), ==, 0);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* --reset empties the file whatever it holds. */
  g_free (write_lines (dir, 1, 5, NULL));
  log = co2s_metrics_log_open (path, 5, TRUE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last.batch, ==, 0);
  g_assert_cmpuint (count_lines (path, &last_batch), ==, 0);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* Garbage at the end (power loss: zeros) is cut too. */
  g_free (write_lines (dir, 1, 3, "garbage\n\n"));
  log = co2s_metrics_log_open (path, 3, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dropped, ==, 2);
  g_assert_cmpuint (last.batch, ==, 3);
  g_assert_cmpuint (count_lines (path, &last_batch), ==, 3);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* A missing file and folder are created. */
  g_free (path);
  path = g_build_filename (dir, "sub", "dir", "metrics.jsonl", NULL);
  log = co2s_metrics_log_open (path, 4, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (last.batch, ==, 0);
  g_clear_pointer (&log, co2s_metrics_log_free);

  /* An unwritable place is an error naming the path. */
  g_free (path);
  path = g_build_filename (dir, "sub", "dir", "metrics.jsonl", "x", NULL);
  log = co2s_metrics_log_open (path, 4, FALSE, &last, &dropped, &error);
  g_assert_null (log);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
}

/* ---- the batch buffer ------------------------------------------------------ */

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
test_select_kth (void)
{
  for (guint round = 0; round < 500; round++)
    {
      guint n = g_test_rand_int_range (1, 300);
      gint64 *values = g_new (gint64, n);
      gint64 *sorted = g_new (gint64, n);
      gint64 spread = round % 3 == 0 ? 3 : 1000000; /* many duplicates, or few */
      guint k = g_test_rand_int_range (0, n);

      for (guint i = 0; i < n; i++)
        values[i] = g_test_rand_int_range (0, spread);
      if (round % 7 == 0)
        for (guint i = 0; i < n; i++)
          values[i] = round % 2 ? (gint64) i : (gint64) (n - i); /* sorted input */
      memcpy (sorted, values, n * sizeof *values);
      qsort (sorted, n, sizeof *sorted, cmp_gint64);
      g_assert_cmpint (co2s_select_kth (values, n, k), ==, sorted[k]);
      g_free (values);
      g_free (sorted);
    }
}

static void
test_batch (void)
{
  g_autoptr(Co2sBatch) batch = co2s_batch_new (5);
  Co2sRecord r;
  gint64 median, min;
  gint64 emits[] = { 500, 100, 0, 300, 200 }; /* 0: unknown emit time */

  co2s_record_init (&r);
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    r.values[c] = c + 1;

  g_assert_false (co2s_batch_emit_stats (batch, &median, &min));
  for (guint i = 0; i < 4; i++)
    {
      r.values[CO2S_COL_CO2] = 200 + i;
      co2s_batch_add_row (batch, &r, emits[i], 1000 + i);
      co2s_batch_set_position (batch, (gint32) (i % 2), 10 + i + 1);
    }
  co2s_batch_add_bad (batch, 9999);
  co2s_batch_set_position (batch, 3, 7);
  g_assert_true (co2s_batch_is_full (batch));
  g_assert_cmpuint (batch->n_messages, ==, 5);
  g_assert_cmpuint (batch->n_rows, ==, 4);
  g_assert_cmpuint (batch->n_bad, ==, 1);
  g_assert_cmpint (batch->started_us, ==, 1000);
  g_assert_cmpfloat (batch->y[3], ==, 203);
  g_assert_cmpfloat (batch->x[1 * CO2S_N_FEATURES + 0], ==, r.values[CO2S_COL_ENGINE_SIZE]);
  g_assert_cmpfloat (batch->x[2 * CO2S_N_FEATURES + 9], ==, r.values[CO2S_COL_FUEL_Z]);

  /* Partitions keep their highest next offset. */
  g_assert_cmpuint (batch->positions->len, ==, 3);
  g_assert_cmpint (g_array_index (batch->positions, Co2sPartitionOffset, 0).next_offset, ==, 13);
  g_assert_cmpint (g_array_index (batch->positions, Co2sPartitionOffset, 1).next_offset, ==, 14);
  co2s_batch_set_position (batch, 0, 5);
  g_assert_cmpint (g_array_index (batch->positions, Co2sPartitionOffset, 0).next_offset, ==, 13);

  /* A noted last record stays while the position stays, and is forgotten
   * when it moves on (the caller notes the new one). */
  g_assert_null (co2s_batch_get_position (batch, 2));
  co2s_record_id_set (&co2s_batch_get_position (batch, 0)->last, 12, -1, "12", 2, "{}", 2);
  co2s_batch_set_position (batch, 0, 13);
  g_assert_true (co2s_batch_get_position (batch, 0)->last.known);
  co2s_batch_set_position (batch, 0, 15);
  g_assert_false (co2s_batch_get_position (batch, 0)->last.known);
  g_assert_cmpint (co2s_batch_get_position (batch, 0)->next_offset, ==, 15);

  /* Emit times 500, 100, 300 (one unknown): median rank 3/2 = 1 → 300. */
  g_assert_true (co2s_batch_emit_stats (batch, &median, &min));
  g_assert_cmpint (median, ==, 300);
  g_assert_cmpint (min, ==, 100);

  co2s_batch_clear (batch);
  g_assert_cmpuint (batch->n_messages, ==, 0);
  g_assert_cmpuint (batch->positions->len, ==, 0);
  g_assert_false (co2s_batch_emit_stats (batch, &median, &min));
  co2s_batch_add_row (batch, &r, 0, 5000);
  g_assert_cmpint (batch->started_us, ==, 5000);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/metrics/round-trip", test_round_trip);
  g_test_add_func ("/trainer/metrics/models", test_models);
  g_test_add_func ("/trainer/metrics/defaults", test_defaults);
  g_test_add_func ("/trainer/metrics/bad-lines", test_bad_lines);
  g_test_add_func ("/trainer/metrics/locale", test_locale);
  g_test_add_func ("/trainer/metrics-log/repair", test_log_repair);
  g_test_add_func ("/trainer/batch/select-kth", test_select_kth);
  g_test_add_func ("/trainer/batch/buffer", test_batch);

  return g_test_run ();
}
