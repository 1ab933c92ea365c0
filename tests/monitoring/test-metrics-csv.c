/* test-metrics-csv.c — src/monitoring/co2s-metrics-csv: the CSV export of the
 * metrics, headless, in the C locale and in a French one (LOCPATH), on the
 * calling thread and as an async job (same bytes, progress, cancel). */
#define G_LOG_DOMAIN "test-metrics-csv"

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-csv.h"
#include "co2s-test-util.h"

static void
make_batch (Co2sBatchMetrics *m,
            guint64 batch)
{
  memset (m, 0, sizeof *m);
  m->batch = batch;
  m->rows = 100;
  m->rows_seen = 100 * batch;
  m->rmse = 12.5 + 1.0 / (double) batch;
  m->mae = 9.25;
  m->rmse_fit = 11.0625;
  /* 2026-05-20T10:00:00.123456Z */
  m->timestamp_us = G_GINT64_CONSTANT (1779271200123456) + (gint64) batch * G_USEC_PER_SEC;
  m->lag = 42;
  m->latency_ms_p50 = 3.5;
  m->latency_ms_max = 17.75;
  g_strlcpy (m->algo, "sgd", sizeof m->algo);
  m->dlq = 2;
}

static void
test_row (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  Co2sBatchMetrics m;

  make_batch (&m, 1);
  m.rmse = 13.5;
  m.coverage_95 = 0.96;
  m.drift_alarm = TRUE;
  co2s_metrics_csv_append_header (out);
  co2s_metrics_csv_append_row (&m, out);
  g_assert_cmpstr (out->str, ==,
                   CO2S_METRICS_CSV_HEADER "\n"
                   "1,100,100,13.5,9.25,11.0625,2026-05-20T10:00:01.123Z,42,3.5,17.75,sgd,2,0.96,true\n");
}

static void
test_unknown_values (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  Co2sBatchMetrics m;

  make_batch (&m, 7);
  m.rmse = NAN;
  m.mae = NAN;
  m.rmse_fit = INFINITY;
  m.lag = -1;
  m.latency_ms_p50 = NAN;
  m.latency_ms_max = NAN;
  m.timestamp_us = 0;
  m.algo[0] = '\0';
  m.coverage_95 = NAN;
  co2s_metrics_csv_append_row (&m, out);
  g_assert_cmpstr (out->str, ==, "7,100,700,,,,,,,,,2,,false\n");
}

static void
test_exact_doubles (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) fields = NULL;
  Co2sBatchMetrics m;

  make_batch (&m, 3);
  m.rmse = 0.1 + 0.2;       /* needs 17 digits */
  m.mae = 1e-300;
  co2s_metrics_csv_append_row (&m, out);
  fields = g_strsplit (out->str, ",", -1);
  g_assert_cmpfloat (g_ascii_strtod (fields[3], NULL), ==, m.rmse);
  g_assert_cmpfloat (g_ascii_strtod (fields[4], NULL), ==, m.mae);
}

static void
test_full_algo_buffer (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  Co2sBatchMetrics m;
  g_autofree char *want = NULL;

  make_batch (&m, 1);
  memset (m.algo, 'a', sizeof m.algo); /* no terminator */
  co2s_metrics_csv_append_row (&m, out);
  want = g_strdup_printf (",%.*s,2,0,false\n", (int) sizeof m.algo, m.algo);
  g_assert_nonnull (strstr (out->str, want));
}

static void
test_history_file (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("co2s-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "metrics.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint64 b = 1; b <= 50; b++)
    {
      Co2sBatchMetrics m;

      make_batch (&m, b);
      co2s_metrics_history_append (history, &m);
    }

  g_assert_true (co2s_metrics_csv_write (history, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 52);
  g_assert_cmpstr (lines[0], ==, CO2S_METRICS_CSV_HEADER);
  g_assert_true (g_str_has_prefix (lines[50], "50,100,5000,12.52,"));
  g_assert_cmpstr (lines[51], ==, "");

  /* Unwritable: the error names the file. */
  g_assert_false (co2s_metrics_csv_write (history, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "metrics.csv"));
  g_clear_error (&error);

  g_remove (path);
  g_rmdir (dir);
}

static Co2sMetricsHistory *
make_history (guint n)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  g_autoptr(GArray) batches = g_array_sized_new (FALSE, FALSE, sizeof (Co2sBatchMetrics), n);

  for (guint64 b = 1; b <= n; b++)
    {
      Co2sBatchMetrics m;

      make_batch (&m, b);
      g_array_append_val (batches, m);
    }
  co2s_metrics_history_append_many (history, (const Co2sBatchMetrics *) (gpointer) batches->data, n);
  return history;
}

/* Files in @dir other than @keep (a temporary file left behind). */
static guint
count_other_files (const char *dir, const char *keep)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_strcmp0 (name, keep) != 0)
      n++;
  return n;
}

/* The async job writes the same bytes as the sync write, from the history
 * as it was when the job started, with progress up to 1. */
static void
test_write_async (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (20000);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *sync_path = g_build_filename (dir, "sync.csv", NULL);
  g_autofree char *async_path = g_build_filename (dir, "async.csv", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  Co2sTestProgressLog log;
  gsize expected_len, got_len;

  g_assert_true (co2s_metrics_csv_write (history, sync_path, &error));
  g_assert_no_error (error);

  co2s_test_progress_log_init (&log, &result);
  co2s_metrics_csv_write_async (history, async_path, NULL, co2s_test_progress_log_cb, &log,
                                co2s_test_store_result, &result);
  /* Changes after the start are not in the file. */
  {
    Co2sBatchMetrics m;

    make_batch (&m, 20001);
    co2s_metrics_history_append (history, &m);
    make_batch (&m, 1);
    m.timestamp_us++;
    co2s_metrics_history_append (history, &m);   /* a new series */
  }
  co2s_test_assert_result (&result, 30000, "the async CSV export");
  g_assert_true (co2s_metrics_csv_write_finish (result, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (sync_path, &expected, &expected_len, NULL));
  g_assert_true (g_file_get_contents (async_path, &got, &got_len, NULL));
  g_assert_cmpmem (got, got_len, expected, expected_len);
  co2s_test_progress_log_assert_complete (&log);
  g_test_message ("%u progress reports for %" G_GSIZE_FORMAT " bytes", log.values->len, got_len);

  /* An empty history: the header alone, progress still up to 1. */
  {
    g_autoptr(Co2sMetricsHistory) empty = co2s_metrics_history_new ();
    g_autoptr(GAsyncResult) result2 = NULL;
    g_autofree char *csv = NULL;
    Co2sTestProgressLog log2;

    co2s_test_progress_log_init (&log2, &result2);
    co2s_metrics_csv_write_async (empty, async_path, NULL, co2s_test_progress_log_cb, &log2,
                                  co2s_test_store_result, &result2);
    co2s_test_assert_result (&result2, 10000, "the async CSV export of nothing");
    g_assert_true (co2s_metrics_csv_write_finish (result2, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (async_path, &csv, NULL, NULL));
    g_assert_cmpstr (csv, ==, CO2S_METRICS_CSV_HEADER "\n");
    co2s_test_progress_log_assert_complete (&log2);
    co2s_test_progress_log_clear (&log2);
  }

  g_assert_cmpuint (count_other_files (dir, "sync.csv"), ==, 1);
  co2s_test_progress_log_clear (&log);
}

static void
cancel_on_progress (double fraction, gpointer data)
{
  if (fraction > 0.0)
    g_cancellable_cancel (data);
}

/* Cancelled, before or during the job: G_IO_ERROR_CANCELLED, the target as
 * it was (absent, or its old contents), no temporary file left. */
static void
test_write_async_cancel (void)
{
  g_autoptr(Co2sMetricsHistory) history = make_history (200000);
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_autoptr(GError) error = NULL;

  for (guint when = 0; when < 2; when++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *contents = NULL;

      /* A new file, cancelled before the start; then one that exists,
       * cancelled once some of its 18 MB are written. */
      if (when == 0)
        g_cancellable_cancel (cancellable);
      else
        g_assert_true (g_file_set_contents (path, "old\n", -1, NULL));
      co2s_metrics_csv_write_async (history, path, cancellable, cancel_on_progress, cancellable,
                                    co2s_test_store_result, &result);
      co2s_test_assert_result (&result, 30000, "the cancelled CSV export");
      g_assert_false (co2s_metrics_csv_write_finish (result, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);

      if (when == 0)
        g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      else
        {
          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, "old\n");
        }
      g_assert_cmpuint (count_other_files (dir, "metrics.csv"), ==, 0);
    }
}

/* Under a locale with a decimal comma the file keeps decimal points. */
static void
test_french_locale (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) fields = NULL;
  char check[16];
  Co2sBatchMetrics m;

  if (setlocale (LC_ALL, "fr_FR.UTF-8") == NULL)
    g_error ("the fr_FR.UTF-8 locale is not available (LOCPATH=%s); it is generated by the build "
             "with localedef (Debian: apt install locales)", g_getenv ("LOCPATH"));
  g_snprintf (check, sizeof check, "%.2f", 1.25);
  g_assert_cmpstr (check, ==, "1,25");

  make_batch (&m, 4);
  co2s_metrics_csv_append_row (&m, out);
  fields = g_strsplit (out->str, ",", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 14);
  g_assert_cmpstr (fields[3], ==, "12.75");
  g_assert_cmpstr (fields[8], ==, "3.5");

  setlocale (LC_ALL, "C.UTF-8");
}

/* A history of several models: a column per model (its prequential RMSE,
 * exactly), in the history's order, empty on a line of one model. */
static void
test_models (void)
{
  static const char *const names[] = { "ls", "ls:fuel", "sgd" };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint64 b = 1; b <= 4; b++)
    {
      Co2sBatchMetrics m;

      make_batch (&m, b);
      m.coverage_95 = 0.95;
      if (b < 4)
        {
          m.n_models = 3;
          for (guint k = 0; k < 3; k++)
            {
              g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
              m.models[k].rmse = 10.0 * (k + 1) + 1.0 / (3.0 * (double) b);
            }
          g_strlcpy (m.algo, "ls:fuel", sizeof m.algo);
          m.rmse = m.models[1].rmse;
        }
      co2s_metrics_history_append (history, &m);
    }
  csv = co2s_metrics_csv_from_history (history);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, CO2S_METRICS_CSV_HEADER ",rmse_ls,rmse_ls:fuel,rmse_sgd");
  for (guint64 b = 1; b <= 4; b++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[b], ",", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 17);
      g_assert_cmpstr (fields[12], ==, "0.95");
      g_assert_cmpstr (fields[13], ==, "false");
      for (guint k = 0; k < 3; k++)
        if (b < 4)
          g_assert_cmpfloat (g_ascii_strtod (fields[14 + k], NULL), ==, 10.0 * (k + 1) + 1.0 / (3.0 * (double) b));
        else
          g_assert_cmpstr (fields[14 + k], ==, "");
      g_assert_cmpstr (fields[10], ==, b < 4 ? "ls:fuel" : "sgd");
    }
  g_assert_cmpstr (lines[5], ==, "");
  g_assert_null (lines[6]);
}

int
main (int argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-csv/row", test_row);
  g_test_add_func ("/metrics-csv/models", test_models);
  g_test_add_func ("/metrics-csv/unknown-values", test_unknown_values);
  g_test_add_func ("/metrics-csv/exact-doubles", test_exact_doubles);
  g_test_add_func ("/metrics-csv/full-algo-buffer", test_full_algo_buffer);
  g_test_add_func ("/metrics-csv/history-file", test_history_file);
  g_test_add_func ("/metrics-csv/write-async", test_write_async);
  g_test_add_func ("/metrics-csv/write-async-cancel", test_write_async_cancel);
  g_test_add_func ("/metrics-csv/french-locale", test_french_locale);

  return g_test_run ();
}
