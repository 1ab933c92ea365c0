/* test-metrics-history-quality.c — the history keeps each batch's interval
 * coverage and drift alarm: through appends, rewinds, new series, copies,
 * metrics.jsonl and the rollups of its history file; the rolling coverage;
 * "drift-alarm" for live batches only. */
#define G_LOG_DOMAIN "test-metrics-history-quality"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-history.h"
#include "co2s-metrics-rollup.h"
#include "co2s-test-metrics.h"
#include "co2s-test-util.h"

#define T0 CO2S_TEST_METRICS_T0

static void
on_drift_alarm (Co2sMetricsHistory *history, guint64 batch, gpointer data)
{
  GArray *seen = data;

  g_array_append_val (seen, batch);
}

static void
assert_alarm_batches (Co2sMetricsHistory *history, const guint64 *expected, guint n_expected)
{
  const double *batches = co2s_metrics_history_get_batch_column (history, NULL);
  const guint *alarms;
  guint n;

  alarms = co2s_metrics_history_get_drift_alarm_indices (history, &n);
  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    {
      Co2sBatchMetrics m;

      g_assert_cmpfloat (batches[alarms[i]], ==, (double) expected[i]);
      g_assert_true (co2s_metrics_history_get_batch (history, alarms[i], &m));
      g_assert_true (m.drift_alarm);
    }
}

/* The flag is kept per batch, survives what the dedupe rules do, and the
 * signal fires for live batches that raise the alarm, once per call. */
static void
test_drift_alarms (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) copy = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint64));
  Co2sBatchMetrics many[10];
  Co2sMetricsKpis k;
  Co2sBatchMetrics m;
  guint64 last = 0;

  g_signal_connect (history, "drift-alarm", G_CALLBACK (on_drift_alarm), seen);

  for (guint64 b = 1; b <= 10; b++)
    {
      Co2sBatchMetrics one = co2s_test_batch_metrics_at_t0 (b, 0.95, b == 4 || b == 7);

      co2s_metrics_history_append (history, &one);
    }
  assert_alarm_batches (history, (const guint64[]) { 4, 7 }, 2);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpuint (g_array_index (seen, guint64, 0), ==, 4);
  g_assert_cmpuint (g_array_index (seen, guint64, 1), ==, 7);
  g_assert_true (co2s_metrics_history_get_batch (history, 4, &m));   /* batch 5 */
  g_assert_false (m.drift_alarm);
  g_assert_cmpfloat (m.coverage_95, ==, 0.95);

  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.drift_alarms, ==, 2);
  g_assert_cmpuint (k.last_drift_batch, ==, 7);

  /* A duplicate of an alarm batch is no new alarm. */
  m = co2s_test_batch_metrics_at_t0 (7, 0.95, TRUE);
  g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_DUPLICATE);
  g_assert_cmpuint (seen->len, ==, 2);

  /* A copy keeps the flags, and lives apart. */
  copy = co2s_metrics_history_copy (history);
  assert_alarm_batches (copy, (const guint64[]) { 4, 7 }, 2);

  /* Rewind to 6: the alarm of batch 7 goes, 4's stays. */
  m = co2s_test_batch_metrics_at_t0 (6, 0.95, FALSE);
  m.timestamp_us += 1;
  g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_REWOUND);
  assert_alarm_batches (history, (const guint64[]) { 4 }, 1);
  assert_alarm_batches (copy, (const guint64[]) { 4, 7 }, 2);

  /* Several in one call: one signal, for the last. */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = co2s_test_batch_metrics_at_t0 (7 + i, 0.9, i == 2 || i == 5);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, many, G_N_ELEMENTS (many)), ==, 10);
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpuint (g_array_index (seen, guint64, 2), ==, 12);
  assert_alarm_batches (history, (const guint64[]) { 4, 9, 12 }, 3);
  g_assert_cmpuint (co2s_metrics_history_count_drift_alarms (history, &last), ==, 3);
  g_assert_cmpuint (last, ==, 12);

  /* A new series starts without alarms. */
  m = co2s_test_batch_metrics_at_t0 (1, 0.95, FALSE);
  m.timestamp_us = T0 + 999999;
  g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
  assert_alarm_batches (history, NULL, 0);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.drift_alarms, ==, 0);
  g_assert_cmpuint (k.last_drift_batch, ==, 0);
}

/* The rolling coverage: the mean of the known values in the rolling window. */
static void
test_rolling_coverage (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  const double *column;
  Co2sMetricsKpis k;
  guint n;

  g_assert_true (isnan (co2s_metrics_history_get_rolling_coverage (history)));
  co2s_metrics_history_set_rolling_window (history, 4);
  for (guint64 b = 1; b <= 10; b++)
    {
      /* 0.5 for batches 1–6, unknown at 8, 1.0 at 7, 9, 10. */
      Co2sBatchMetrics m = co2s_test_batch_metrics_at_t0 (b, b <= 6 ? 0.5 : b == 8 ? NAN : 1.0, FALSE);

      co2s_metrics_history_append (history, &m);
    }
  column = co2s_metrics_history_get_coverage_column (history, &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpfloat (column[0], ==, 0.5);
  g_assert_true (isnan (column[7]));
  /* Window 7…10: 1.0, NAN, 1.0, 1.0. */
  g_assert_cmpfloat_with_epsilon (co2s_metrics_history_get_rolling_coverage (history), 1.0, 1e-12);
  co2s_metrics_history_set_rolling_window (history, 6);
  /* 5…10: 0.5, 0.5, 1.0, NAN, 1.0, 1.0 → 4/5. */
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpfloat_with_epsilon (k.rolling_coverage, 0.8, 1e-12);
}

/* metrics.jsonl and its history file: the flags and coverage come back from
 * the file, the rollups' alarms are counted, and a load is not "live". */
static void
test_from_files (void)
{
  g_auto(Co2sTestMetricsFiles) files = { 0 };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GString) rollups = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Co2sMetricsRollup r = { 0 };
  Co2sMetricsRollup parsed;
  Co2sMetricsKpis k;
  guint64 last = 0;

  /* Batches 1–20 folded into two buckets, one with two alarms. */
  for (guint64 b = 1; b <= 20; b++)
    {
      Co2sBatchMetrics m = co2s_test_batch_metrics_at_t0 (b, 0.9, b == 3 || b == 5);
      Co2sMetricsRollup one;

      if (b == 1 || b == 11)
        co2s_metrics_rollup_init (&r, &m);
      else
        {
          co2s_metrics_rollup_init (&one, &m);
          co2s_metrics_rollup_merge (&r, &one);
        }
      if (b == 10 || b == 20)
        co2s_metrics_rollup_to_json (&r, rollups);
    }
  g_assert_nonnull (strstr (rollups->str, "\"drift_alarms\":2}"));
  g_assert_nonnull (strstr (rollups->str, "\"drift_alarms\":0}"));
  g_assert_true (co2s_metrics_rollup_from_json (rollups->str, strchr (rollups->str, '\n') - rollups->str,
                                                &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.drift_alarms, ==, 2);
  /* More alarms than batches is refused, naming the member. */
  {
    const char *bad = "{\"first_batch\":1,\"last_batch\":2,\"count\":2,\"first_timestamp_us\":0,"
                      "\"last_timestamp_us\":1,\"rows\":2,\"rows_seen\":2,\"drift_alarms\":3}";

    g_assert_false (co2s_metrics_rollup_from_json (bad, strlen (bad), &parsed, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "drift_alarms"));
  }
  g_clear_error (&error);

  for (guint64 b = 21; b <= 30; b++)
    {
      Co2sBatchMetrics m = co2s_test_batch_metrics_at_t0 (b, b == 25 ? NAN : 0.96, b == 24);

      co2s_batch_metrics_to_json (&m, lines);
    }
  co2s_test_metrics_files_write (&files, lines, rollups);

  g_signal_connect (history, "drift-alarm", G_CALLBACK (on_drift_alarm), seen);
  g_assert_true (co2s_metrics_history_load_file (history, files.path, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 0);
  assert_alarm_batches (history, (const guint64[]) { 24 }, 1);
  g_assert_cmpuint (co2s_metrics_history_count_drift_alarms (history, &last), ==, 3);
  g_assert_cmpuint (last, ==, 24);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpfloat_with_epsilon (k.rolling_coverage, 0.96, 1e-12);
  g_assert_cmpuint (k.drift_alarms, ==, 3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-history/drift-alarms", test_drift_alarms);
  g_test_add_func ("/metrics-history/rolling-coverage", test_rolling_coverage);
  g_test_add_func ("/metrics-history/quality-from-files", test_from_files);

  return g_test_run ();
}
