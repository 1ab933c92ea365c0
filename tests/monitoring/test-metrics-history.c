/* test-metrics-history.c — Co2sMetricsHistory: loading metrics.jsonl, the
 * dedupe/reset rules, the KPIs, and a million batches. */
#define G_LOG_DOMAIN "test-metrics-history"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "co2s-metrics-history.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1718000000000000)

static Co2sBatchMetrics
batch (guint64 number, double rmse, gint64 timestamp_us)
{
  Co2sBatchMetrics m = { 0 };

  m.batch = number;
  m.rows = 100;
  m.rows_seen = number * 100;
  m.rmse = rmse;
  m.mae = rmse * 0.8;
  m.rmse_fit = rmse * 0.9;
  m.timestamp_us = timestamp_us;
  m.lag = 0;
  m.latency_ms_p50 = 4.0;
  m.latency_ms_max = 9.0;
  g_strlcpy (m.algo, "ls", sizeof m.algo);
  return m;
}

static char *
write_temp (const char *contents, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("co2s-metrics-XXXXXX.jsonl", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
append_line (GString *file, const Co2sBatchMetrics *m)
{
  co2s_batch_metrics_to_json (m, file);
}

static void
count_signal (gpointer instance, gpointer data)
{
  (*(guint *) data)++;
}

/* ---- /metrics-history/copy -------------------------------------------------------- */

static void
assert_same_kpis (Co2sMetricsHistory *a, Co2sMetricsHistory *b)
{
  Co2sMetricsKpis ka, kb;

  co2s_metrics_history_get_kpis (a, T0, &ka);
  co2s_metrics_history_get_kpis (b, T0, &kb);
  g_assert_cmpmem (&ka, sizeof ka, &kb, sizeof kb);
}

/* A copy holds the same batches, KPIs, series and settings, and lives its
 * own life from then on. */
static void
test_copy (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) copy = NULL;
  const double *rolling;
  guint changed = 0, n;

  co2s_metrics_history_set_rolling_window (history, 3);
  co2s_metrics_history_set_rate_window (history, 4);
  co2s_metrics_history_set_dataset_rows (history, 1234);
  for (guint64 b = 1; b <= 30; b++)
    {
      Co2sBatchMetrics m = batch (b, b == 7 ? NAN : 10.0 + 50.0 / b, T0 + b * 1000);

      co2s_metrics_history_append (history, &m);
    }
  {
    Co2sBatchMetrics m = batch (1, 80.0, T0 + 100000);   /* a second series */

    co2s_metrics_history_append (history, &m);
  }
  for (guint64 b = 2; b <= 12; b++)
    {
      Co2sBatchMetrics m = batch (b, 70.0 / b, T0 + 100000 + b * 1000);

      co2s_metrics_history_append (history, &m);
    }
  rolling = co2s_metrics_history_get_rolling_rmse_column (history, NULL);
  g_assert_nonnull (rolling);

  copy = co2s_metrics_history_copy (history);
  g_assert_true (copy != history);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (copy), ==, 12);
  g_assert_cmpuint (co2s_metrics_history_get_series (copy), ==, co2s_metrics_history_get_series (history));
  g_assert_cmpuint (co2s_metrics_history_get_rolling_window (copy), ==, 3);
  g_assert_cmpuint (co2s_metrics_history_get_rate_window (copy), ==, 4);
  g_assert_cmpuint (co2s_metrics_history_get_dataset_rows (copy), ==, 1234);
  for (guint i = 0; i < 12; i++)
    {
      Co2sBatchMetrics a, b;

      g_assert_true (co2s_metrics_history_get_batch (history, i, &a));
      g_assert_true (co2s_metrics_history_get_batch (copy, i, &b));
      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
    }
  g_assert_cmpmem (co2s_metrics_history_get_rolling_rmse_column (copy, &n), n * sizeof (double),
                   rolling, 12 * sizeof (double));
  assert_same_kpis (history, copy);

  /* Independent: changes to either leave the other as it was, and the
   * copy's signals are its own. */
  g_signal_connect (history, "changed", G_CALLBACK (count_signal), &changed);
  {
    Co2sBatchMetrics m = batch (13, 3.0, T0 + 200000);

    co2s_metrics_history_append (copy, &m);
    g_assert_cmpuint (changed, ==, 0);
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 12);
    co2s_metrics_history_clear (history);
    g_assert_cmpuint (changed, ==, 1);
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (copy), ==, 13);
    g_assert_cmpfloat (co2s_metrics_history_get_last_rmse (copy), ==, 3.0);
  }
}

/* ---- /metrics-history/load-jsonl ------------------------------------------------ */

static void
test_load_jsonl (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *expect = NULL;
  Co2sBatchMetrics m1 = batch (1, 250.0, T0);
  Co2sBatchMetrics m2 = batch (2, 40.5, T0 + 1000000);
  Co2sBatchMetrics m3 = batch (3, 12.25, T0 + 2000000);
  Co2sBatchMetrics m4 = batch (4, 6.125, T0 + 3000000);
  Co2sBatchMetrics got;
  guint changed = 0;

  append_line (file, &m1);                                  /* line 1 */
  append_line (file, &m2);                                  /* line 2 */
  g_string_append (file, "{\"batch\": 3, \"rows\": oops}\n");  /* line 3: not JSON */
  g_string_append (file, "{\"batch\":3,\"rows\":100,\"rows_seen\":300}\n"); /* 4: no rmse */
  g_string_append (file, "   \n");                        /* line 5: blank */
  g_string_append (file, "[1,2,3]\n");                     /* line 6: not an object */
  append_line (file, &m3);                                  /* line 7 */
  append_line (file, &m4);                                  /* line 8 */
  g_string_append (file, "{\"batch\":5,\"rows\":100,\"rows_se"); /* line 9: being written */
  path = write_temp (file->str, file->len);

  g_signal_connect (history, "changed", G_CALLBACK (count_signal), &changed);
  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  /* Good lines kept, in order, with every field. */
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 4);
  g_assert_true (co2s_metrics_history_get_batch (history, 2, &got));
  g_assert_cmpuint (got.batch, ==, 3);
  g_assert_cmpfloat (got.rmse, ==, 12.25);
  g_assert_cmpfloat (got.mae, ==, m3.mae);
  g_assert_cmpfloat (got.rmse_fit, ==, m3.rmse_fit);
  g_assert_cmpint (got.timestamp_us, ==, m3.timestamp_us);
  g_assert_cmpuint (got.rows_seen, ==, 300);
  g_assert_cmpstr (got.algo, ==, "ls");
  g_assert_false (co2s_metrics_history_get_batch (history, 4, &got));

  /* Bad lines reported with their line numbers, the partial last line
   * reported apart and not counted bad. */
  g_assert_cmpuint (report->lines, ==, 8);
  g_assert_cmpuint (report->added, ==, 4);
  g_assert_cmpuint (report->bad_lines, ==, 3);
  g_assert_true (report->partial_last_line);
  g_assert_cmpuint (report->problems->len, ==, 4);
  expect = g_strdup_printf ("%s:3: ", path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 0), expect));
  g_assert_nonnull (strstr (g_ptr_array_index (report->problems, 0), "not JSON"));
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("%s:4: ", path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 1), expect));
  g_assert_nonnull (strstr (g_ptr_array_index (report->problems, 1), "\"rmse\" is missing"));
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("%s:6: ", path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 2), expect));
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("%s:9: ", path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 3), expect));
  g_assert_nonnull (strstr (g_ptr_array_index (report->problems, 3), "incomplete last line"));
  g_clear_pointer (&expect, g_free);

  /* A last line without '\n' that is complete is a batch. */
  g_clear_pointer (&report, co2s_metrics_load_report_free);
  g_string_truncate (file, 0);
  append_line (file, &m1);
  append_line (file, &m2);
  g_string_truncate (file, file->len - 1);
  g_file_set_contents (path, file->str, file->len, &error);
  g_assert_no_error (error);
  {
    g_autoptr(Co2sMetricsHistory) h2 = co2s_metrics_history_new ();

    g_assert_true (co2s_metrics_history_load_file (h2, path, &report, &error));
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (h2), ==, 2);
    g_assert_false (report->partial_last_line);
    g_assert_cmpuint (report->problems->len, ==, 0);
  }

  /* A missing file: NOT_FOUND and nothing changes. */
  g_remove (path);
  changed = 0;
  g_assert_false (co2s_metrics_history_load_file (history, path, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 4);
  g_assert_cmpuint (changed, ==, 0);
}

/* The async loader gives what the sync one gives, and merges with batches
 * that arrived meanwhile (the file is older than the live topic). */
static void
test_load_async (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  g_autofree char *path = NULL;
  const double *b;
  guint n;

  for (guint i = 1; i <= 1000; i++)
    {
      Co2sBatchMetrics m = batch (i, 100.0 / i, T0 + i * 1000);

      append_line (file, &m);
    }
  path = write_temp (file->str, file->len);

  /* Live batches 999..1002 already held (999 and 1000 are in the file). */
  for (guint i = 999; i <= 1002; i++)
    {
      Co2sBatchMetrics m = batch (i, 100.0 / i, T0 + i * 1000);

      co2s_metrics_history_append (history, &m);
    }

  co2s_metrics_history_load_file_async (history, path, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, 10000, "the async load");
  g_assert_true (co2s_metrics_history_load_file_finish (history, result, &report, &error));
  g_assert_no_error (error);

  b = co2s_metrics_history_get_batch_column (history, &n);
  g_assert_cmpuint (n, ==, 1002);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (b[i], ==, i + 1);
  g_assert_cmpuint (report->added, ==, 1000);
  g_assert_cmpuint (report->duplicates, ==, 2);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 0);

  /* Errors come back through finish. */
  g_clear_object (&result);
  g_clear_pointer (&report, co2s_metrics_load_report_free);
  g_remove (path);
  co2s_metrics_history_load_file_async (history, path, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, 10000, "the async load");
  g_assert_false (co2s_metrics_history_load_file_finish (history, result, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (report);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 1002);
}

/* ---- /metrics-history/kpis ------------------------------------------------------- */

static void
test_kpis (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  /* Timestamps 0, 1, 2, 2.5, 3 and 4 s after T0. */
  static const double rmse[] = { 50.0, 20.0, 8.0, 9.0, 6.5, 7.0 };
  static const gint64 at_ms[] = { 0, 1000, 2000, 2500, 3000, 4000 };
  Co2sMetricsKpis k;
  guint64 best_batch = 0;

  /* Empty: nothing known. */
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.batches, ==, 0);
  g_assert_cmpuint (k.last_batch, ==, 0);
  g_assert_true (isnan (k.last_rmse));
  g_assert_true (isnan (k.best_rmse));
  g_assert_cmpuint (k.best_batch, ==, 0);
  g_assert_true (isnan (k.rolling_rmse));
  g_assert_true (isnan (k.rows_per_second));
  g_assert_cmpint (k.lag, ==, -1);
  g_assert_cmpint (k.model_age_us, ==, -1);
  g_assert_true (isnan (k.pass_progress));
  g_assert_cmpuint (k.pass, ==, 0);
  g_assert_cmpstr (k.algo, ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (rmse); i++)
    {
      Co2sBatchMetrics m = batch (i + 1, rmse[i], T0 + at_ms[i] * 1000);

      m.lag = 40 + i;
      m.dlq = i / 2;
      co2s_metrics_history_append (history, &m);
    }

  co2s_metrics_history_get_kpis (history, T0 + 10 * G_USEC_PER_SEC, &k);
  g_assert_cmpuint (k.batches, ==, 6);
  g_assert_cmpuint (k.last_batch, ==, 6);
  g_assert_cmpfloat (k.last_rmse, ==, 7.0);
  g_assert_cmpfloat (k.best_rmse, ==, 6.5);
  g_assert_cmpuint (k.best_batch, ==, 5);
  /* Window 20 > 6 batches: the mean of all: 100.5 / 6. */
  g_assert_cmpfloat_with_epsilon (k.rolling_rmse, 16.75, 1e-12);
  g_assert_cmpuint (k.rows_seen, ==, 600);
  /* Rate window 10 > 5 intervals: (600 - 100) rows in 4 s. */
  g_assert_cmpfloat_with_epsilon (k.rows_per_second, 125.0, 1e-9);
  g_assert_cmpint (k.lag, ==, 45);
  g_assert_cmpuint (k.dlq, ==, 2);
  g_assert_cmpint (k.model_age_us, ==, 6 * G_USEC_PER_SEC);
  g_assert_cmpfloat_with_epsilon (k.pass_progress, 600.0 / 7385.0, 1e-12);
  g_assert_cmpuint (k.pass, ==, 1);
  g_assert_cmpstr (k.algo, ==, "ls");

  /* Smaller windows: (8 + 9 + 6.5 + 7) / 4, and (600 - 400) rows in
   * 4 - 2.5 s. */
  co2s_metrics_history_set_rolling_window (history, 4);
  co2s_metrics_history_set_rate_window (history, 2);
  g_assert_cmpfloat_with_epsilon (co2s_metrics_history_get_rolling_rmse (history), 7.625, 1e-12);
  g_assert_cmpfloat_with_epsilon (co2s_metrics_history_get_rows_per_second (history), 200.0 / 1.5, 1e-9);

  /* A data set of 250 rows: 600 rows are 2 passes and 100 rows into the
   * third. */
  co2s_metrics_history_set_dataset_rows (history, 250);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpfloat_with_epsilon (k.pass_progress, 0.4, 1e-12);
  g_assert_cmpuint (k.pass, ==, 3);
  /* A clock behind the last batch never gives a negative age. */
  g_assert_cmpint (k.model_age_us, ==, 0);

  /* A batch without RMSE (null in the file): last is unknown, the mean
   * skips it: (9 + 6.5 + 7) / 3; the best stays. */
  {
    Co2sBatchMetrics m = batch (7, NAN, T0 + 5000 * 1000);

    co2s_metrics_history_append (history, &m);
  }
  g_assert_true (isnan (co2s_metrics_history_get_last_rmse (history)));
  g_assert_cmpfloat_with_epsilon (co2s_metrics_history_get_rolling_rmse (history), 7.5, 1e-12);
  g_assert_cmpfloat (co2s_metrics_history_get_best_rmse (history, &best_batch), ==, 6.5);
  g_assert_cmpuint (best_batch, ==, 5);
}

/* The rolling column against the definition, including after appends,
 * window changes and a rewind. */
static void
assert_rolling_column (Co2sMetricsHistory *history)
{
  guint window = co2s_metrics_history_get_rolling_window (history);
  const double *rmse;
  const double *rolling;
  guint n, nr;

  rmse = co2s_metrics_history_get_rmse_column (history, &n);
  rolling = co2s_metrics_history_get_rolling_rmse_column (history, &nr);
  g_assert_cmpuint (n, ==, nr);
  for (guint i = 0; i < n; i++)
    {
      double sum = 0.0;
      guint count = 0;

      for (guint j = i + 1 > window ? i + 1 - window : 0; j <= i; j++)
        if (isfinite (rmse[j]))
          {
            sum += rmse[j];
            count++;
          }
      if (count == 0)
        g_assert_true (isnan (rolling[i]));
      else
        g_assert_cmpfloat_with_epsilon (rolling[i], sum / count, 1e-9);
    }
}

static void
test_rolling_column (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  guint64 next = 1;

  for (guint round = 0; round < 30; round++)
    {
      guint count = g_rand_int_range (rand, 0, 60);

      for (guint i = 0; i < count; i++, next++)
        {
          double v = g_rand_int_range (rand, 0, 8) == 0 ? NAN : g_rand_double_range (rand, 1.0, 300.0);
          Co2sBatchMetrics m = batch (next, v, T0 + next * 1000);

          co2s_metrics_history_append (history, &m);
        }
      if (round % 7 == 3)
        co2s_metrics_history_set_rolling_window (history, g_rand_int_range (rand, 1, 30));
      if (round % 9 == 5 && next > 10)
        {
          /* Rewind to a few batches back. */
          next -= 5;
          {
            Co2sBatchMetrics m = batch (next, 3.0, T0 + 999999999 + next);

            g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_REWOUND);
            next++;
          }
        }
      assert_rolling_column (history);
    }
}

/* ---- /metrics-history/dedupe-and-reset ------------------------------------------------ */

static void
test_dedupe_and_reset (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GString) file = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autofree char *path = NULL;
  Co2sBatchMetrics many[8];
  Co2sBatchMetrics got;
  guint changed = 0, new_series = 0;
  guint64 epoch, best_batch;

  g_signal_connect (history, "changed", G_CALLBACK (count_signal), &changed);
  g_signal_connect (history, "new-series", G_CALLBACK (count_signal), &new_series);

  for (guint i = 1; i <= 5; i++)
    {
      Co2sBatchMetrics m = batch (i, 10.0 - i, T0 + i);

      g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_ADDED);
    }
  g_assert_cmpuint (changed, ==, 5);

  /* The topic overlaps the file: 3..5 again, identical, then 6 and 7. */
  for (guint i = 3; i <= 7; i++)
    many[i - 3] = batch (i, 10.0 - i, T0 + i);
  epoch = co2s_metrics_history_get_epoch (history);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, many, 5), ==, 2);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 7);
  g_assert_cmpuint (changed, ==, 6);
  g_assert_cmpuint (co2s_metrics_history_get_epoch (history), ==, epoch);  /* only grew */
  g_assert_cmpint (co2s_metrics_history_append (history, &many[0]), ==, CO2S_METRICS_APPEND_DUPLICATE);
  g_assert_cmpuint (changed, ==, 6);
  g_assert_cmpint (co2s_metrics_history_find_batch (history, 7), ==, 6);
  g_assert_cmpint (co2s_metrics_history_find_batch (history, 8), ==, -1);

  /* A gap is fine. */
  {
    Co2sBatchMetrics m = batch (10, 2.5, T0 + 10);

    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_ADDED);
  }
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 8);

  /* Batch 6 again with other contents: the trainer resumed from an older
   * checkpoint; 6.., 7 and 10 are dropped, the new 6 kept. */
  {
    Co2sBatchMetrics m = batch (6, 4.75, T0 + 100);

    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_REWOUND);
  }
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 6);
  g_assert_cmpuint (co2s_metrics_history_get_last_batch (history), ==, 6);
  g_assert_cmpfloat (co2s_metrics_history_get_last_rmse (history), ==, 4.75);
  g_assert_cmpuint (co2s_metrics_history_get_epoch (history), >, epoch);
  /* The best (2.5 at batch 10) went with the dropped batches. */
  g_assert_cmpfloat (co2s_metrics_history_get_best_rmse (history, &best_batch), ==, 4.75);
  g_assert_cmpuint (best_batch, ==, 6);
  g_assert_cmpuint (new_series, ==, 0);

  /* Batch 1 with a new time: --reset. A new series replaces the old. */
  {
    Co2sBatchMetrics m = batch (1, 300.0, T0 + 200);

    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
  }
  g_assert_cmpuint (new_series, ==, 1);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 1);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 1);
  g_assert_cmpfloat (co2s_metrics_history_get_best_rmse (history, &best_batch), ==, 300.0);
  g_assert_true (co2s_metrics_history_get_batch (history, 0, &got));
  g_assert_cmpint (got.timestamp_us, ==, T0 + 200);

  /* Two resets within one append_many: one signal, the last series kept. */
  many[0] = batch (2, 200.0, T0 + 201);
  many[1] = batch (1, 150.0, T0 + 300);
  many[2] = batch (2, 120.0, T0 + 301);
  many[3] = batch (1, 110.0, T0 + 400);
  many[4] = batch (2, 100.0, T0 + 401);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, many, 5), ==, 5);
  g_assert_cmpuint (new_series, ==, 2);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 3);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 2);
  g_assert_true (co2s_metrics_history_get_batch (history, 0, &got));
  g_assert_cmpint (got.timestamp_us, ==, T0 + 400);

  /* A file with two series (the trainer appends after --reset): only the
   * last is kept, counted, but no "new-series" for old news. */
  {
    g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
    guint h_new_series = 0;

    g_signal_connect (h, "new-series", G_CALLBACK (count_signal), &h_new_series);
    for (guint i = 1; i <= 4; i++)
      {
        Co2sBatchMetrics m = batch (i, 5.0, T0 + i);

        append_line (file, &m);
      }
    for (guint i = 1; i <= 3; i++)
      {
        Co2sBatchMetrics m = batch (i, 7.0, T0 + 1000 + i);

        append_line (file, &m);
      }
    path = write_temp (file->str, file->len);
    g_assert_true (co2s_metrics_history_load_file (h, path, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report->new_series, ==, 1);
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 3);
    g_assert_cmpuint (co2s_metrics_history_get_series (h), ==, 1);
    g_assert_cmpuint (h_new_series, ==, 0);
    g_assert_cmpfloat (co2s_metrics_history_get_last_rmse (h), ==, 7.0);
    g_remove (path);
  }

  /* Clear: empty, not a series. */
  co2s_metrics_history_clear (history);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 0);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 3);
  g_assert_true (isnan (co2s_metrics_history_get_best_rmse (history, NULL)));
}

/* ---- /metrics-history/million-batches ------------------------------------------------- */

static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  g_assert_cmpint (sscanf (statm, "%lu %lu", &size, &resident), ==, 2);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static void
test_million_batches (void)
{
  const guint total = 1000000, chunk = 10000;
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autofree Co2sBatchMetrics *buf = g_new0 (Co2sBatchMetrics, chunk);
  gsize rss_before = resident_bytes (), rss_after;
  gint64 start = g_get_monotonic_time ();
  double elapsed_s;
  Co2sMetricsKpis k;
  const double *rolling;
  guint changed = 0, n;

  g_signal_connect (history, "changed", G_CALLBACK (count_signal), &changed);
  for (guint base = 0; base < total; base += chunk)
    {
      for (guint i = 0; i < chunk; i++)
        {
          guint64 b = base + i + 1;

          buf[i] = batch (b, 5.0 + 100.0 / b + (b % 7) * 0.1, T0 + b * 10000);
        }
      g_assert_cmpuint (co2s_metrics_history_append_many (history, buf, chunk), ==, chunk);
    }
  rolling = co2s_metrics_history_get_rolling_rmse_column (history, &n);
  elapsed_s = (g_get_monotonic_time () - start) / 1e6;
  rss_after = resident_bytes ();

  g_assert_cmpuint (n, ==, total);
  g_assert_true (isfinite (rolling[total - 1]));
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, total);
  g_assert_cmpuint (changed, ==, total / chunk);

  /* 15 columns (3 of them latency_p50/p99/p999_us, 1 coverage_95) + the
   * rolling column, 8 bytes each: 128 bytes a batch (no drift alarms). */
  g_assert_cmpuint (co2s_metrics_history_get_memory_size (history), ==, (gsize) total * 128);
  /* What the process really holds, GArray's growth slack included. */
  g_test_message ("1,000,000 batches: %.0f MB resident more, %.2f s",
                  (double) (rss_after - rss_before) / 1e6, elapsed_s);
  g_assert_cmpuint (rss_after - MIN (rss_before, rss_after), <, (gsize) 200 * 1000 * 1000);
  g_assert_cmpfloat (elapsed_s, <, 10.0);

  /* KPIs stay O(window), not O(n). */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 1000; i++)
    co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1000.0, <, 100.0);
  g_assert_cmpuint (k.last_batch, ==, total);
  /* The largest multiple of 7: 999,999 (5 + 100 / b, nothing added). */
  g_assert_cmpuint (k.best_batch, ==, 999999);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-history/load-jsonl", test_load_jsonl);
  g_test_add_func ("/metrics-history/load-async", test_load_async);
  g_test_add_func ("/metrics-history/kpis", test_kpis);
  g_test_add_func ("/metrics-history/copy", test_copy);
  g_test_add_func ("/metrics-history/rolling-column", test_rolling_column);
  g_test_add_func ("/metrics-history/dedupe-and-reset", test_dedupe_and_reset);
  g_test_add_func ("/metrics-history/million-batches", test_million_batches);

  return g_test_run ();
}
