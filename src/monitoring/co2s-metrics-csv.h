/* co2s-metrics-csv.h — the metrics of every batch as CSV, for spreadsheets.
 *
 * One header row, then one row per batch, oldest first:
 *   batch,rows,rows_seen,rmse,mae,rmse_fit,timestamp,lag,latency_ms_p50,
 *   latency_ms_max,algo,dlq
 * Numbers are written in the C locale whatever the user's locale is (a
 * decimal point, no thousands separator), doubles in their shortest exact
 * form; an unknown value (NaN RMSE, lag -1, missing latency) is an empty
 * field. timestamp is ISO 8601 UTC with milliseconds. Lines end with "\n".
 *
 * Any thread, but a Co2sMetricsHistory must only be read from its own
 * (main) thread. */
#pragma once

#include <gio/gio.h>

#include "co2s-metrics.h"
#include "co2s-metrics-history.h"

G_BEGIN_DECLS

#define CO2S_METRICS_CSV_HEADER \
  "batch,rows,rows_seen,rmse,mae,rmse_fit,timestamp,lag,latency_ms_p50,latency_ms_max,algo,dlq"

/* Appends CO2S_METRICS_CSV_HEADER and "\n" to @out. */
void co2s_metrics_csv_append_header (GString *out);

/* Appends the row of @m and "\n" to @out. */
void co2s_metrics_csv_append_row (const Co2sBatchMetrics *m,
                                  GString *out);

/* The whole CSV (header and every batch of @history, may be empty) as a new
 * string; free with g_free. */
char *co2s_metrics_csv_from_history (Co2sMetricsHistory *history);

/* Writes co2s_metrics_csv_from_history() to @path, replacing it atomically
 * (a temporary file renamed over it). FALSE with a G_FILE_ERROR whose
 * message names @path when it cannot be written. Blocking. */
gboolean co2s_metrics_csv_write (Co2sMetricsHistory *history,
                                 const char *path,
                                 GError **error);

G_END_DECLS
