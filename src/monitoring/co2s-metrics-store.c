/* co2s-metrics-store.c — the batch columns and the rules of
 * co2s-metrics-history.h, and reading metrics.jsonl (internal). */
#define G_LOG_DOMAIN "co2s-metrics-history"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-store-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#define LOAD_CHUNK_SIZE (64 * 1024)

/* ---- store ---------------------------------------------------------------- */

Co2sMetricsStore *
_co2s_metrics_store_new (void)
{
  Co2sMetricsStore *store = g_new0 (Co2sMetricsStore, 1);

  for (guint i = 0; i < N_COLS; i++)
    store->cols[i] = g_array_new (FALSE, FALSE, 8);
  store->best_index = -1;
  return store;
}

void
_co2s_metrics_store_free (Co2sMetricsStore *store)
{
  if (store == NULL)
    return;
  for (guint i = 0; i < N_COLS; i++)
    g_array_unref (store->cols[i]);
  g_free (store);
}

Co2sMetricsStore *
_co2s_metrics_store_copy (const Co2sMetricsStore *store)
{
  Co2sMetricsStore *copy = g_memdup2 (store, sizeof *store);

  for (guint i = 0; i < N_COLS; i++)
    copy->cols[i] = g_array_copy (store->cols[i]);
  return copy;
}

void
_co2s_metrics_store_truncate (Co2sMetricsStore *store, guint len)
{
  g_assert (len <= _co2s_metrics_store_len (store));

  for (guint i = 0; i < N_COLS; i++)
    g_array_set_size (store->cols[i], len);

  if (store->best_index >= (gint64) len)
    {
      store->best_index = -1;
      for (guint i = 0; i < len; i++)
        {
          double v = COL_D (store, COL_RMSE, i);

          if (isfinite (v) && (store->best_index < 0 || v < COL_D (store, COL_RMSE, store->best_index)))
            store->best_index = i;
        }
    }
}

static void
co2s_metrics_store_push (Co2sMetricsStore *store, const Co2sBatchMetrics *m)
{
  double batch = (double) m->batch;
  gint64 rows = m->rows;
  gint64 rows_seen = (gint64) MIN (m->rows_seen, (guint64) G_MAXINT64);
  gint64 dlq = (gint64) MIN (m->dlq, (guint64) G_MAXINT64);
  guint index = _co2s_metrics_store_len (store);

  g_array_append_val (store->cols[COL_BATCH], batch);
  g_array_append_val (store->cols[COL_ROWS], rows);
  g_array_append_val (store->cols[COL_ROWS_SEEN], rows_seen);
  g_array_append_val (store->cols[COL_TIMESTAMP], m->timestamp_us);
  g_array_append_val (store->cols[COL_LAG], m->lag);
  g_array_append_val (store->cols[COL_DLQ], dlq);
  g_array_append_val (store->cols[COL_RMSE], m->rmse);
  g_array_append_val (store->cols[COL_MAE], m->mae);
  g_array_append_val (store->cols[COL_RMSE_FIT], m->rmse_fit);
  g_array_append_val (store->cols[COL_LAT_P50], m->latency_ms_p50);
  g_array_append_val (store->cols[COL_LAT_MAX], m->latency_ms_max);

  if (m->algo[0] != '\0')
    g_strlcpy (store->algo, m->algo, sizeof store->algo);
  if (isfinite (m->rmse) &&
      (store->best_index < 0 || m->rmse < COL_D (store, COL_RMSE, store->best_index)))
    store->best_index = index;
}

void
_co2s_metrics_store_get (const Co2sMetricsStore *store, guint i, Co2sBatchMetrics *out)
{
  g_assert (i < _co2s_metrics_store_len (store));

  memset (out, 0, sizeof *out);
  out->batch = (guint64) COL_D (store, COL_BATCH, i);
  out->rows = (guint) COL_I (store, COL_ROWS, i);
  out->rows_seen = (guint64) COL_I (store, COL_ROWS_SEEN, i);
  out->timestamp_us = COL_I (store, COL_TIMESTAMP, i);
  out->lag = COL_I (store, COL_LAG, i);
  out->dlq = (guint64) COL_I (store, COL_DLQ, i);
  out->rmse = COL_D (store, COL_RMSE, i);
  out->mae = COL_D (store, COL_MAE, i);
  out->rmse_fit = COL_D (store, COL_RMSE_FIT, i);
  out->latency_ms_p50 = COL_D (store, COL_LAT_P50, i);
  out->latency_ms_max = COL_D (store, COL_LAT_MAX, i);
  g_strlcpy (out->algo, store->algo, sizeof out->algo);
}

/* Index of batch number @batch; the batch column increases strictly. */
gint64
_co2s_metrics_store_find (const Co2sMetricsStore *store, guint64 batch)
{
  const double *col = (const double *) (gpointer) store->cols[COL_BATCH]->data;
  double key = (double) batch;
  guint lo = 0, hi = _co2s_metrics_store_len (store);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (col[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < _co2s_metrics_store_len (store) && col[lo] == key)
    return lo;
  return -1;
}

/* The rules of the header. @truncated_at receives the first index whose
 * contents changed when batches were dropped (G_MAXUINT otherwise). */
Co2sMetricsAppendResult
_co2s_metrics_store_append (Co2sMetricsStore *store, const Co2sBatchMetrics *m, guint *truncated_at)
{
  guint len = _co2s_metrics_store_len (store);
  gint64 at;

  *truncated_at = G_MAXUINT;

  if (len == 0 || (double) m->batch > COL_D (store, COL_BATCH, len - 1))
    {
      co2s_metrics_store_push (store, m);
      return CO2S_METRICS_APPEND_ADDED;
    }

  at = _co2s_metrics_store_find (store, m->batch);
  if (at >= 0 &&
      COL_I (store, COL_TIMESTAMP, at) == m->timestamp_us &&
      COL_I (store, COL_ROWS_SEEN, at) == (gint64) m->rows_seen)
    return CO2S_METRICS_APPEND_DUPLICATE;

  if (m->batch <= 1)
    {
      _co2s_metrics_store_truncate (store, 0);
      store->algo[0] = '\0';
      store->series++;
      co2s_metrics_store_push (store, m);
      *truncated_at = 0;
      return CO2S_METRICS_APPEND_NEW_SERIES;
    }

  /* Rewind: drop every stored batch >= m->batch. */
  {
    const double *col = (const double *) (gpointer) store->cols[COL_BATCH]->data;
    guint keep = len;

    while (keep > 0 && col[keep - 1] >= (double) m->batch)
      keep--;
    _co2s_metrics_store_truncate (store, keep);
    co2s_metrics_store_push (store, m);
    *truncated_at = keep;
  }
  return CO2S_METRICS_APPEND_REWOUND;
}

/* ---- loading (any thread: touches only its own store and report) ----------- */

void
co2s_metrics_load_report_free (Co2sMetricsLoadReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_free (report);
}

static Co2sMetricsLoadReport *
load_report_new (const char *path)
{
  Co2sMetricsLoadReport *report = g_new0 (Co2sMetricsLoadReport, 1);

  report->path = g_strdup (path);
  report->problems = g_ptr_array_new_with_free_func (g_free);
  return report;
}

static void
load_report_problem (Co2sMetricsLoadReport *report, guint64 line, const char *message)
{
  if (report->problems->len >= CO2S_METRICS_LOAD_MAX_PROBLEMS)
    return;
  g_ptr_array_add (report->problems,
                   g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": %s", report->path, line, message));
}

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

static void
load_line (Co2sMetricsStore *store,
           Co2sMetricsLoadReport *report,
           const char *line,
           gsize len,
           guint64 line_no,
           gboolean terminated)
{
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics m;
  guint truncated_at;

  if (is_blank (line, len))
    return;
  report->lines++;

  if (!co2s_batch_metrics_from_json (line, len, &m, &error))
    {
      if (!terminated)
        {
          report->partial_last_line = TRUE;
          load_report_problem (report, line_no,
                               _("incomplete last line (still being written?), ignored"));
        }
      else
        {
          report->bad_lines++;
          load_report_problem (report, line_no, error->message);
        }
      return;
    }

  switch (_co2s_metrics_store_append (store, &m, &truncated_at))
    {
    case CO2S_METRICS_APPEND_ADDED:
      report->added++;
      break;
    case CO2S_METRICS_APPEND_DUPLICATE:
      report->duplicates++;
      break;
    case CO2S_METRICS_APPEND_NEW_SERIES:
      report->new_series++;
      report->added++;
      break;
    case CO2S_METRICS_APPEND_REWOUND:
      report->rewinds++;
      report->added++;
      break;
    default:
      g_assert_not_reached ();
    }
}

Co2sMetricsStore *
_co2s_metrics_store_load (const char *path,
                          GCancellable *cancellable,
                          Co2sMetricsLoadReport **out_report,
                          GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(Co2sMetricsStore) store = _co2s_metrics_store_new ();
  g_autoptr(Co2sMetricsLoadReport) report = load_report_new (path);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autofree guint8 *chunk = g_malloc (LOAD_CHUNK_SIZE);
  guint64 line_no = 0;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), chunk, LOAD_CHUNK_SIZE,
                                      cancellable, error);
      gsize start = 0;

      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      for (gsize i = 0; i < (gsize) n; i++)
        {
          if (chunk[i] != '\n')
            continue;
          line_no++;
          if (pending->len > 0)
            {
              g_byte_array_append (pending, chunk + start, i - start);
              load_line (store, report, (const char *) pending->data, pending->len, line_no, TRUE);
              g_byte_array_set_size (pending, 0);
            }
          else
            load_line (store, report, (const char *) chunk + start, i - start, line_no, TRUE);
          start = i + 1;
        }
      g_byte_array_append (pending, chunk + start, (gsize) n - start);
    }

  if (pending->len > 0)
    load_line (store, report, (const char *) pending->data, pending->len, line_no + 1, FALSE);

  *out_report = g_steal_pointer (&report);
  return g_steal_pointer (&store);
}
