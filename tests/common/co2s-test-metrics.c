/* co2s-test-metrics.c — batches' metrics and metrics files for the tests
 * (co2s-test-metrics.h). */
#define G_LOG_DOMAIN "co2s-test-metrics"

#include "co2s-test-metrics.h"

#include <glib/gstdio.h>
#include <math.h>

#include "co2s-metrics-rollup.h"
#include "co2s-test-util.h"

Co2sBatchMetrics
co2s_test_batch_metrics (guint64 number, gint64 timestamp_us, double coverage, gboolean alarm)
{
  Co2sBatchMetrics m = { 0 };

  m.batch = number;
  m.rows = 100;
  m.rows_seen = number * 100;
  m.rmse = 5.0;
  m.mae = 4.0;
  m.rmse_fit = 4.5;
  m.timestamp_us = timestamp_us;
  m.lag = 0;
  m.latency_ms_p50 = m.latency_ms_max = NAN;
  m.latency_p50_us = m.latency_p99_us = m.latency_p999_us = -1;
  m.coverage_95 = coverage;
  m.drift_alarm = alarm;
  m.drift_statistic = NAN;
  g_strlcpy (m.algo, "ls", sizeof m.algo);
  return m;
}

Co2sBatchMetrics
co2s_test_batch_metrics_at_t0 (guint64 number, double coverage, gboolean alarm)
{
  return co2s_test_batch_metrics (number, CO2S_TEST_METRICS_T0 + (gint64) number * 1000, coverage, alarm);
}

void
co2s_test_metrics_files_write (Co2sTestMetricsFiles *files, const GString *lines, const GString *rollups)
{
  g_autoptr(GError) error = NULL;

  g_assert (files != NULL && lines != NULL && rollups != NULL);
  g_assert (files->dir == NULL);

  files->dir = co2s_test_tmpdir ();
  files->path = g_build_filename (files->dir, "metrics.jsonl", NULL);
  files->history_path = co2s_metrics_history_path_for (files->path);
  g_file_set_contents (files->path, lines->str, lines->len, &error);
  g_assert_no_error (error);
  g_file_set_contents (files->history_path, rollups->str, rollups->len, &error);
  g_assert_no_error (error);
}

void
co2s_test_metrics_files_clear (Co2sTestMetricsFiles *files)
{
  g_assert (files != NULL);

  if (files->path != NULL)
    g_unlink (files->path);
  if (files->history_path != NULL)
    g_unlink (files->history_path);
  if (files->dir != NULL)
    g_rmdir (files->dir);
  g_clear_pointer (&files->path, g_free);
  g_clear_pointer (&files->history_path, g_free);
  g_clear_pointer (&files->dir, g_free);
}
