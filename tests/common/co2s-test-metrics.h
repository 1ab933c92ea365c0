/* co2s-test-metrics.h — what the tests of the metrics history and of the
 * app's quality figures share: a batch's metrics as they build them, and
 * metrics.jsonl with its history file in a fresh temporary folder.
 * Main thread only. */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"

G_BEGIN_DECLS

/* The metrics history tests' clock: co2s_test_batch_metrics_at_t0 takes
 * batch n at CO2S_TEST_METRICS_T0 + n ms. */
#define CO2S_TEST_METRICS_T0 G_GINT64_CONSTANT (1718000000000000)

/* Batch @number of a trainer of one ls model, taken at @timestamp_us: 100
 * rows (rows_seen @number × 100), RMSE 5, MAE 4, fit RMSE 4.5, lag 0, no
 * latency figures (NAN, -1), no drift statistic (NAN), interval coverage
 * @coverage (NAN: unknown) and drift alarm @alarm. */
Co2sBatchMetrics co2s_test_batch_metrics (guint64  number,
                                          gint64   timestamp_us,
                                          double   coverage,
                                          gboolean alarm);

/* co2s_test_batch_metrics taken at CO2S_TEST_METRICS_T0 + @number ms. */
Co2sBatchMetrics co2s_test_batch_metrics_at_t0 (guint64  number,
                                                double   coverage,
                                                gboolean alarm);

/* metrics.jsonl and its history file (co2s_metrics_history_path_for) in a
 * temporary folder; the strings are owned. */
typedef struct {
  char *dir;
  char *path;
  char *history_path;
} Co2sTestMetricsFiles;

/* Makes a fresh temporary folder (co2s_test_tmpdir) in @files (all NULL
 * before), writes @lines into its metrics.jsonl and @rollups into that
 * file's history file. Fails the test when either cannot be written. */
void co2s_test_metrics_files_write (Co2sTestMetricsFiles *files,
                                    const GString        *lines,
                                    const GString        *rollups);

/* Deletes both files and the folder (what is already gone is fine) and
 * frees @files' strings; @files may be all NULL. For g_auto. */
void co2s_test_metrics_files_clear (Co2sTestMetricsFiles *files);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Co2sTestMetricsFiles, co2s_test_metrics_files_clear)

G_END_DECLS
