/* co2s-metrics-csv.c — the metrics of every batch as CSV, for spreadsheets. */
#define G_LOG_DOMAIN "co2s-metrics-csv"

#include "co2s-metrics-csv.h"
#include "co2s-record-json.h"

#include <math.h>
#include <string.h>

/* Bytes gathered before each write (and progress report, and check for
 * cancellation). */
#define WRITE_CHUNK_SIZE (64 * 1024)

/* What co2s_metrics_csv_write_async hands its worker thread. */
typedef struct {
  Co2sMetricsHistory *history;   /* a copy, the worker's alone */
  char *path;
  Co2sProgress *progress;
} WriteJob;

/* Shortest decimal form that reads back as the same double; empty for NaN
 * and infinities. g_ascii_formatd never uses the locale's decimal comma. */
static void
append_double (GString *out, double v)
{
  if (isfinite (v))
    co2s_json_append_double (out, v);
}

static void
append_timestamp (GString *out, gint64 timestamp_us)
{
  g_autoptr(GDateTime) base = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs = timestamp_us / G_USEC_PER_SEC;
  gint64 usecs = timestamp_us % G_USEC_PER_SEC;

  if (timestamp_us == 0)
    return;
  if (usecs < 0)
    {
      secs -= 1;
      usecs += G_USEC_PER_SEC;
    }
  base = g_date_time_new_from_unix_utc (secs);
  if (base == NULL)
    return;
  dt = g_date_time_add (base, usecs);
  if (dt == NULL)
    return;
  /* Integers only: %d never depends on the locale. */
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          g_date_time_get_microsecond (dt) / 1000);
}

/* RFC 4180 quoting, only when needed. */
static void
append_text (GString *out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void append_fields (const Co2sBatchMetrics *m, GString *out);

/* The header of @history's CSV: the fixed columns, a scale-out run's
 * origin columns, then rmse_NAME for each model of a trainer of several. */
static void
append_header_for (Co2sMetricsHistory *history, GString *out)
{
  g_string_append (out, CO2S_METRICS_CSV_HEADER);
  if (co2s_metrics_history_is_scale_out (history))
    g_string_append (out, "," CO2S_METRICS_CSV_SCALE_OUT_HEADER);
  for (guint k = 0; k < co2s_metrics_history_get_n_models (history); k++)
    {
      g_autofree char *column = g_strconcat ("rmse_", co2s_metrics_history_get_model_name (history, k), NULL);

      g_string_append_c (out, ',');
      append_text (out, column);
    }
  g_string_append_c (out, '\n');
}

/* Appends the rows of batches @from .. @n - 1 until @out holds @max_len
 * bytes or more; returns the index of the next row. */
static guint
append_rows (Co2sMetricsHistory *history,
             guint from,
             guint n,
             gsize max_len,
             GString *out)
{
  guint i;

  guint n_models = co2s_metrics_history_get_n_models (history);
  gboolean scale_out = co2s_metrics_history_is_scale_out (history);

  for (i = from; i < n && out->len < max_len; i++)
    {
      Co2sBatchMetrics m;

      if (!co2s_metrics_history_get_batch (history, i, &m))
        g_assert_not_reached ();
      append_fields (&m, out);
      if (scale_out)
        {
          g_string_append_printf (out, ",%d,%" G_GUINT64_FORMAT ",", m.partition, m.partition_batch);
          append_text (out, m.trainer);
        }
      /* Each model's prequential RMSE, in the header's order. */
      for (guint k = 0; k < n_models; k++)
        {
          g_string_append_c (out, ',');
          append_double (out, co2s_metrics_history_get_model_rmse_column (history, k, NULL)[i]);
        }
      g_string_append_c (out, '\n');
    }
  return i;
}

/* The sync and async writes: chunks of rows into a file renamed over
 * @path at the end. */
static gboolean
write_csv (Co2sMetricsHistory *history,
           const char *path,
           GCancellable *cancellable,
           Co2sProgress *progress,
           GError **error)
{
  g_autoptr(Co2sExportFile) file = NULL;
  g_autoptr(GString) chunk = g_string_sized_new (WRITE_CHUNK_SIZE + 256);
  guint n = co2s_metrics_history_get_n_batches (history);
  guint next = 0;

  co2s_progress_report (progress, 0.0);
  file = co2s_export_file_new (path, cancellable, error);
  if (file == NULL)
    return FALSE;

  append_header_for (history, chunk);
  do
    {
      g_autoptr(GError) local_error = NULL;

      next = append_rows (history, next, n, WRITE_CHUNK_SIZE, chunk);
      if (!g_output_stream_write_all (co2s_export_file_get_stream (file), chunk->str, chunk->len,
                                      NULL, cancellable, &local_error))
        {
          co2s_export_propagate_error (error, g_steal_pointer (&local_error), path);
          return FALSE;
        }
      g_string_truncate (chunk, 0);
      /* The rename is quick: the rows are the work. */
      co2s_progress_report (progress, n > 0 ? 0.99 * next / n : 0.99);
    }
  while (next < n);

  if (!co2s_export_file_commit (file, cancellable, error))
    return FALSE;
  co2s_progress_report (progress, 1.0);
  return TRUE;
}

static void
write_job_free (gpointer data)
{
  WriteJob *job = data;

  g_object_unref (job->history);
  g_free (job->path);
  g_clear_pointer (&job->progress, co2s_progress_unref);
  g_free (job);
}

static void
write_in_thread (GTask *task,
                 gpointer source_object,
                 gpointer task_data,
                 GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  if (write_csv (job->history, job->path, cancellable, job->progress, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
co2s_metrics_csv_append_header (GString *out)
{
  g_return_if_fail (out != NULL);

  g_string_append (out, CO2S_METRICS_CSV_HEADER "\n");
}

void
co2s_metrics_csv_append_row (const Co2sBatchMetrics *m,
                             GString *out)
{
  g_return_if_fail (m != NULL);
  g_return_if_fail (out != NULL);

  append_fields (m, out);
  g_string_append_c (out, '\n');
}

/* The fixed columns of @m, without the end of line. */
static void
append_fields (const Co2sBatchMetrics *m, GString *out)
{
  char algo[sizeof m->algo + 1];

  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",%u,%" G_GUINT64_FORMAT ",",
                          m->batch, m->rows, m->rows_seen);
  append_double (out, m->rmse);
  g_string_append_c (out, ',');
  append_double (out, m->mae);
  g_string_append_c (out, ',');
  append_double (out, m->rmse_fit);
  g_string_append_c (out, ',');
  append_timestamp (out, m->timestamp_us);
  g_string_append_c (out, ',');
  if (m->lag >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, m->lag);
  g_string_append_c (out, ',');
  append_double (out, m->latency_ms_p50);
  g_string_append_c (out, ',');
  append_double (out, m->latency_ms_max);
  g_string_append_c (out, ',');
  /* algo is a fixed buffer that may lack its terminator when full. */
  memcpy (algo, m->algo, sizeof m->algo);
  algo[sizeof m->algo] = '\0';
  append_text (out, algo);
  g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",", m->dlq);
  append_double (out, m->coverage_95);
  g_string_append (out, m->drift_alarm ? ",true" : ",false");
}

char *
co2s_metrics_csv_from_history (Co2sMetricsHistory *history)
{
  GString *out;
  guint n;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (history), NULL);

  n = co2s_metrics_history_get_n_batches (history);
  out = g_string_sized_new (100 + (gsize) n * (130 + 20 * co2s_metrics_history_get_n_models (history)));
  append_header_for (history, out);
  append_rows (history, 0, n, G_MAXSIZE, out);
  return g_string_free (out, FALSE);
}

gboolean
co2s_metrics_csv_write (Co2sMetricsHistory *history,
                        const char *path,
                        GError **error)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (history), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_csv (history, path, NULL, NULL, error);
}

void
co2s_metrics_csv_write_async (Co2sMetricsHistory *history,
                              const char *path,
                              GCancellable *cancellable,
                              Co2sProgressFunc progress,
                              gpointer progress_data,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteJob *job;

  g_return_if_fail (CO2S_IS_METRICS_HISTORY (history));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (WriteJob, 1);
  job->history = co2s_metrics_history_copy (history);
  job->path = g_strdup (path);
  job->progress = co2s_progress_new (progress, progress_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_metrics_csv_write_async);
  g_task_set_name (task, "[co2s] metrics CSV export");
  g_task_set_task_data (task, job, write_job_free);
  g_task_run_in_thread (task, write_in_thread);
}

gboolean
co2s_metrics_csv_write_finish (GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, co2s_metrics_csv_write_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
