/* co2s-metrics-csv.h — the metrics of every batch as CSV, for spreadsheets.
 *
 * One header row, then one row per batch, oldest first:
 *   batch,rows,rows_seen,rmse,mae,rmse_fit,timestamp,lag,latency_ms_p50,
 *   latency_ms_max,algo,dlq,coverage_95,drift_alarm
 * then, for a scale-out run (co2s_metrics_history_is_scale_out), whose
 * batch each is: partition,partition_batch,trainer (batch is then the
 * history's number, 1, 2, 3… in commit order; see co2s-metrics-history.h);
 * and, for a history of several models (a trainer of --algo ls,ls:fuel,…),
 * rmse_NAME for each model in the history's order (rmse_ls,rmse_ls:fuel…:
 * each model's prequential RMSE; the other columns are the champion's,
 * algo naming it). drift_alarm is true or false.
 * Numbers are written in the C locale whatever the user's locale is (a
 * decimal point, no thousands separator), doubles in their shortest exact
 * form; an unknown value (NaN RMSE, lag -1, missing latency) is an empty
 * field. timestamp is ISO 8601 UTC with milliseconds. Lines end with "\n".
 *
 * Any thread, but a Co2sMetricsHistory must only be read from its own
 * (main) thread: co2s_metrics_csv_write_async copies it there and writes
 * the copy on a worker thread. */
#pragma once

#include <gio/gio.h>

#include "co2s-export.h"
#include "co2s-metrics.h"
#include "co2s-metrics-history.h"

G_BEGIN_DECLS

#define CO2S_METRICS_CSV_HEADER \
  "batch,rows,rows_seen,rmse,mae,rmse_fit,timestamp,lag,latency_ms_p50,latency_ms_max,algo,dlq," \
  "coverage_95,drift_alarm"

/* The columns a scale-out run's CSV has after the fixed ones. */
#define CO2S_METRICS_CSV_SCALE_OUT_HEADER "partition,partition_batch,trainer"

/* Appends CO2S_METRICS_CSV_HEADER and "\n" to @out. */
void co2s_metrics_csv_append_header (GString *out);

/* Appends the row of @m (the fixed columns) and "\n" to @out. */
void co2s_metrics_csv_append_row (const Co2sBatchMetrics *m,
                                  GString *out);

/* The whole CSV (header and every batch of @history, may be empty; the
 * models' columns too) as a new string; free with g_free. */
char *co2s_metrics_csv_from_history (Co2sMetricsHistory *history);

/* Writes co2s_metrics_csv_from_history() to @path, replacing it atomically
 * (a temporary file beside it, renamed over it). FALSE with a GIO error
 * whose message names @path when it cannot be written; @path is then left
 * as it was. Blocking. */
gboolean co2s_metrics_csv_write (Co2sMetricsHistory *history,
                                 const char *path,
                                 GError **error);

/* The same without blocking: @history is copied now
 * (co2s_metrics_history_copy: later changes are not in the file), the copy
 * written on a worker thread in chunks. @progress (may be NULL) is called
 * with @progress_data on the caller's thread-default main context as the
 * rows are written, ending with 1.0 before @callback on success;
 * @progress_data must stay valid until @callback has run. Cancelling
 * @cancellable (may be NULL) stops the job: G_IO_ERROR_CANCELLED and @path
 * left as it was. @callback runs on the caller's thread-default main
 * context. Main thread (@history's). */
void co2s_metrics_csv_write_async (Co2sMetricsHistory *history,
                                   const char *path,
                                   GCancellable *cancellable,
                                   Co2sProgressFunc progress,
                                   gpointer progress_data,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);

/* TRUE once the file is in place; FALSE with the error described above. */
gboolean co2s_metrics_csv_write_finish (GAsyncResult *result,
                                        GError **error);

G_END_DECLS
