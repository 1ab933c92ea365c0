/* test-metrics-history-files.c — loading metrics.jsonl with its history
 * file (co2s-metrics-rollup.h): rollups and recent lines together, the
 * overlap a cut-short rotation leaves, rollups of an older series, --last N
 * from the end of the file, bad lines reported as FILE:LINE and skipped. */
#define G_LOG_DOMAIN "test-metrics-history-files"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-history.h"
#include "co2s-metrics-rollup.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)

static void
batch_at (guint64 batch, gint64 t0, Co2sBatchMetrics *m)
{
  Co2sBatchMetrics init = { 0 };

  *m = init;
  m->batch = batch;
  m->rows = 10;
  m->rows_seen = batch * 10;
  m->rmse = 1.0 + (double) (batch % 10);
  m->mae = NAN;
  m->rmse_fit = NAN;
  m->timestamp_us = t0 + (gint64) batch * 1000;
  m->lag = 0;
  m->latency_ms_p50 = m->latency_ms_max = NAN;
  g_strlcpy (m->algo, "ls", sizeof m->algo);
}

/* Lines for batches @from…@to (timestamps from @t0); @bad_at (0: none) is
 * replaced by a bad line. */
static void
append_lines (GString *out, guint64 from, guint64 to, gint64 t0, guint64 bad_at)
{
  for (guint64 b = from; b <= to; b++)
    {
      Co2sBatchMetrics m;

      if (b == bad_at)
        {
          g_string_append (out, "{\"batch\":oops}\n");
          continue;
        }
      batch_at (b, t0, &m);
      co2s_batch_metrics_to_json (&m, out);
    }
}

/* Buckets of @size batches covering 1…@to. */
static void
append_rollups (GString *out, guint64 to, guint64 size, gint64 t0)
{
  for (guint64 first = 1; first <= to; first += size)
    {
      Co2sMetricsRollup r, one;

      for (guint64 b = first; b < first + size && b <= to; b++)
        {
          Co2sBatchMetrics m;

          batch_at (b, t0, &m);
          co2s_metrics_rollup_init (b == first ? &r : &one, &m);
          if (b != first)
            co2s_metrics_rollup_merge (&r, &one);
        }
      co2s_metrics_rollup_to_json (&r, out);
    }
}

static char *
write_files (const char *dir, GString *metrics, GString *history)
{
  g_autofree char *history_path = NULL;
  char *path = g_build_filename (dir, "metrics.jsonl", NULL);

  g_assert_true (g_file_set_contents (path, metrics->str, (gssize) metrics->len, NULL));
  history_path = co2s_metrics_history_path_for (path);
  if (history != NULL)
    g_assert_true (g_file_set_contents (history_path, history->str, (gssize) history->len, NULL));
  return path;
}

/* A rotation cut between its two renames: the lines the history holds are
 * dropped once; the rest follows the rollups. */
static void
test_load_rollups_overlap (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const Co2sMetricsRollup *r;
  guint n = 0;

  append_rollups (history, 300, 100, T0);
  append_lines (metrics, 251, 400, T0, 0);
  path = write_files (dir, metrics, history);

  g_assert_true (co2s_metrics_history_load_file (h, path, &report, &error));
  g_assert_no_error (error);
  r = co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (r[0].first_batch, ==, 1);
  g_assert_cmpuint (r[2].last_batch, ==, 300);
  g_assert_cmpuint (r[1].count, ==, 100);
  g_assert_cmpfloat (r[1].stats[CO2S_ROLLUP_RMSE].min, ==, 1.0);
  g_assert_cmpfloat (r[1].stats[CO2S_ROLLUP_RMSE].max, ==, 10.0);
  g_assert_cmpfloat_with_epsilon (r[1].stats[CO2S_ROLLUP_RMSE].mean, 5.5, 1e-12);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 100);
  g_assert_cmpuint (co2s_metrics_history_find_batch (h, 301), ==, 0);
  g_assert_cmpuint (report->rollups, ==, 3);
  g_assert_cmpuint (report->duplicates, ==, 50);
  g_assert_cmpuint (report->bad_lines, ==, 0);
  /* The KPIs count the folded batches as evaluated. */
  {
    Co2sMetricsKpis kpis;

    co2s_metrics_history_get_kpis (h, g_get_real_time (), &kpis);
    g_assert_cmpuint (kpis.batches, ==, 400);
    g_assert_cmpuint (kpis.last_batch, ==, 400);
  }

  /* A live batch already in the rollups is a duplicate; batch 1 again is a
   * new series, which drops them. */
  {
    Co2sBatchMetrics m;

    batch_at (401, T0, &m);
    g_assert_cmpint (co2s_metrics_history_append (h, &m), ==, CO2S_METRICS_APPEND_ADDED);
    batch_at (1, T0 + (gint64) G_USEC_PER_SEC * 3600, &m);
    g_assert_cmpint (co2s_metrics_history_append (h, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
    co2s_metrics_history_get_rollups (h, &n);
    g_assert_cmpuint (n, ==, 0);
  }
}

/* The app holds batches 1…300 one by one; the trainer then folds 1…200
 * into rollups; the file read again (the follower's gap) keeps everything
 * once, with no new series. */
static void
test_reload_after_rotation (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n = 0;

  append_lines (before, 1, 300, T0, 0);
  path = write_files (dir, before, NULL);
  g_assert_true (co2s_metrics_history_load_file (h, path, NULL, &error));
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 300);

  append_rollups (history, 200, 50, T0);
  append_lines (metrics, 201, 350, T0, 0);
  g_clear_pointer (&path, g_free);
  path = write_files (dir, metrics, history);
  g_assert_true (co2s_metrics_history_load_file (h, path, &report, &error));
  g_assert_no_error (error);
  co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 150);
  g_assert_cmpuint (co2s_metrics_history_get_last_batch (h), ==, 350);
  g_assert_cmpuint (co2s_metrics_history_get_series (h), ==, 0);
  g_assert_cmpuint (report->new_series, ==, 0);
  g_assert_cmpuint (report->rewinds, ==, 0);
}

/* Rollups older than the file's first line (a reset whose removal of the
 * history file was cut short): not the same series, not shown. */
static void
test_load_stale_rollups (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n = 1;

  append_rollups (history, 300, 100, T0);
  append_lines (metrics, 1, 50, T0 + (gint64) G_USEC_PER_SEC * 86400, 0);
  path = write_files (dir, metrics, history);
  g_assert_true (co2s_metrics_history_load_file (h, path, NULL, &error));
  co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 50);
}

/* --last N: the last N lines only; a bad line before them is not even
 * read, one among them is reported with its real line number. */
static void
test_last_n_from_end (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) all = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(Co2sMetricsLoadReport) report_all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  guint n = 1;

  append_rollups (history, 100, 50, T0);
  append_lines (metrics, 101, 1100, T0, 110);
  g_string_append (metrics, "\n   \n");
  /* Line 995 (batch 1095) is bad too. */
  {
    Co2sBatchMetrics m;
    g_autoptr(GString) good = g_string_new (NULL);
    char *at;

    batch_at (1095, T0, &m);
    co2s_batch_metrics_to_json (&m, good);
    at = strstr (metrics->str, good->str);
    g_assert_nonnull (at);
    g_string_erase (metrics, at - metrics->str, (gssize) good->len);
    g_string_insert (metrics, at - metrics->str, "{\"batch\":1095,\"rows\":-1}\n");
  }
  path = write_files (dir, metrics, history);

  g_assert_true (co2s_metrics_history_load_file_last (h, path, 100, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 99);
  g_assert_cmpuint (co2s_metrics_history_get_last_batch (h), ==, 1100);
  g_assert_cmpuint (report->lines, ==, 100);
  g_assert_cmpuint (report->bad_lines, ==, 1);
  expected = g_strdup_printf ("%s:995: metrics line: ", path);
  g_assert_cmpuint (report->problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 0), expected));
  /* The rollups belong to the whole file. */
  co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 0);

  /* All of it: both bad lines, each named by file and line; the rest kept. */
  g_assert_true (co2s_metrics_history_load_file (all, path, &report_all, &error));
  g_assert_cmpuint (report_all->bad_lines, ==, 2);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (all), ==, 998);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:10: metrics line: ", path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report_all->problems, 0), expected));
  co2s_metrics_history_get_rollups (all, &n);
  g_assert_cmpuint (n, ==, 2);
}

/* A bad history line: reported with the history file's name and line,
 * skipped, the other buckets kept. */
static void
test_bad_rollup_line (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GString) metrics = g_string_new (NULL);
  g_autoptr(GString) history = g_string_new (NULL);
  g_autoptr(Co2sMetricsHistory) h = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *history_path = NULL;
  g_autofree char *expected = NULL;
  guint n = 0;

  append_rollups (history, 100, 50, T0);
  g_string_append (history, "{\"first_batch\":101,\"last_batch\":90,\"count\":3}\n");
  append_lines (metrics, 101, 110, T0, 0);
  path = write_files (dir, metrics, history);
  history_path = co2s_metrics_history_path_for (path);

  g_assert_true (co2s_metrics_history_load_file (h, path, &report, &error));
  co2s_metrics_history_get_rollups (h, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (report->bad_lines, ==, 1);
  expected = g_strdup_printf ("%s:3: history line: ", history_path);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 0), expected));
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (h), ==, 10);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-history/load-rollups-overlap", test_load_rollups_overlap);
  g_test_add_func ("/metrics-history/load-stale-rollups", test_load_stale_rollups);
  g_test_add_func ("/metrics-history/reload-after-rotation", test_reload_after_rotation);
  g_test_add_func ("/metrics-history/last-n-from-end", test_last_n_from_end);
  g_test_add_func ("/metrics-history/bad-rollup-line", test_bad_rollup_line);
  return g_test_run ();
}
