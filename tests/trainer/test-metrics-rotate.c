/* test-metrics-rotate.c — metrics.jsonl within a size budget
 * (co2s-metrics-log.h): the oldest lines folded into metrics-history.jsonl,
 * the sizes bounded over a long run, the buckets' values right, and a
 * SIGKILL at every step of a rotation losing nothing and counting nothing
 * twice once the log is opened again. Without Kafka. */
#define G_LOG_DOMAIN "test-metrics-rotate"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "co2s-metrics-log.h"
#include "co2s-metrics-rollup.h"
#include "co2s-metrics-scan.h"
#include "co2s-test-util.h"

/* A deterministic batch: values the tests can recompute from its number. */
static void
batch_metrics (guint64 batch, Co2sBatchMetrics *m)
{
  Co2sBatchMetrics init = { 0 };

  *m = init;
  m->batch = batch;
  m->rows = 100;
  m->rows_seen = batch * 100;
  m->rmse = batch % 7 == 0 ? NAN : 5.0 + sin ((double) batch / 50.0) + (double) (batch % 13) / 10.0;
  m->mae = m->rmse * 0.75;
  m->rmse_fit = 4.0 + (double) (batch % 5);
  m->timestamp_us = G_GINT64_CONSTANT (1700000000000000) + (gint64) batch * 20000;
  m->lag = batch % 3 == 0 ? -1 : (gint64) (batch % 100);
  m->latency_ms_p50 = 10.0 + (double) (batch % 17);
  m->latency_ms_max = 50.0 + (double) (batch % 31);
  m->dlq = batch / 1000;
  g_strlcpy (m->algo, "ls", sizeof m->algo);
}

/* Appends batches @from…@to as one checkpoint does (lines, fdatasync), then
 * rotates. */
static void
write_batches (Co2sMetricsLog *log, guint64 from, guint64 to)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint64 b = from; b <= to; b++)
    {
      Co2sBatchMetrics m;

      batch_metrics (b, &m);
      co2s_batch_metrics_to_json (&m, lines);
    }
  g_assert_true (co2s_metrics_log_append (log, lines->str, lines->len, &error));
  g_assert_true (co2s_metrics_log_sync (log, &error));
  g_assert_true (co2s_metrics_log_rotate (log, NULL, &error));
  g_assert_no_error (error);
}

static guint64
file_size (const char *path)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    return 0;
  return (guint64) st.st_size;
}

/* Every batch 1…@n is in exactly one of the two files, in order: the
 * buckets' counts and the lines add up with no gap and no overlap. */
static void
assert_each_batch_once (const char *metrics, guint64 n)
{
  g_autofree char *history = co2s_metrics_history_path_for (metrics);
  g_autofree char *text = NULL;
  g_autofree char *htext = NULL;
  g_autoptr(GError) error = NULL;
  guint64 next = 1;
  gsize len = 0;

  if (g_file_get_contents (history, &htext, &len, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (htext, "\n", -1);

      for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
        {
          Co2sMetricsRollup r;

          g_assert_true (co2s_metrics_rollup_from_json (lines[i], strlen (lines[i]), &r, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (r.first_batch, ==, next);
          g_assert_cmpuint (r.count, ==, r.last_batch - r.first_batch + 1);
          next = r.last_batch + 1;
        }
    }
  g_assert_true (g_file_get_contents (metrics, &text, &len, &error));
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
      {
        Co2sBatchMetrics m;

        g_assert_true (co2s_batch_metrics_parse (lines[i], strlen (lines[i]), &m, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (m.batch, ==, next);
        next++;
      }
  }
  g_assert_cmpuint (next - 1, ==, n);
}

/* 40,000 batches under a 96 KiB budget: after every checkpoint both files
 * together stay within it, and every batch is held once. */
static void
test_rollup_bounded (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *history = co2s_metrics_history_path_for (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  const guint64 budget = 96 * 1024, n = 40000;
  Co2sBatchMetrics last;
  guint64 peak = 0;

  log = co2s_metrics_log_open (path, 0, FALSE, &last, NULL, &error);
  g_assert_no_error (error);
  co2s_metrics_log_set_max_bytes (log, budget, NULL, NULL);
  for (guint64 b = 1; b <= n; b += 25)
    {
      guint64 total;

      write_batches (log, b, b + 24);
      total = file_size (path) + file_size (history);
      peak = MAX (peak, total);
      if (total > budget)
        g_error ("after batch %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT " bytes, over the budget of %"
                 G_GUINT64_FORMAT, b + 24, total, budget);
    }
  g_test_message ("peak %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes; history %" G_GUINT64_FORMAT,
                  peak, budget, file_size (history));
  g_assert_cmpuint (file_size (history), >, 0);
  assert_each_batch_once (path, n);

  /* Opening again changes nothing and finds the last batch. */
  g_clear_pointer (&log, co2s_metrics_log_free);
  log = co2s_metrics_log_open (path, n, FALSE, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last.batch, ==, n);
  assert_each_batch_once (path, n);
}

/* The buckets' count, min, max, mean and last are those of their batches. */
static void
test_rollup_values (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *history = co2s_metrics_history_path_for (path);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  g_auto(GStrv) lines = NULL;
  Co2sBatchMetrics last;
  guint checked = 0;

  log = co2s_metrics_log_open (path, 0, FALSE, &last, NULL, &error);
  g_assert_no_error (error);
  co2s_metrics_log_set_max_bytes (log, 64 * 1024, NULL, NULL);
  for (guint64 b = 1; b <= 20000; b += 50)
    write_batches (log, b, b + 49);

  g_assert_true (g_file_get_contents (history, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      Co2sMetricsRollup r;
      double min = INFINITY, max = -INFINITY, sum = 0, lastv = NAN;
      guint64 finite = 0, lag_n = 0;
      double lag_min = INFINITY, lag_max = -INFINITY;

      g_assert_true (co2s_metrics_rollup_from_json (lines[i], strlen (lines[i]), &r, &error));
      for (guint64 b = r.first_batch; b <= r.last_batch; b++)
        {
          Co2sBatchMetrics m;

          batch_metrics (b, &m);
          if (isfinite (m.rmse))
            {
              finite++;
              min = MIN (min, m.rmse);
              max = MAX (max, m.rmse);
              sum += m.rmse;
              lastv = m.rmse;
            }
          if (m.lag >= 0)
            {
              lag_n++;
              lag_min = MIN (lag_min, (double) m.lag);
              lag_max = MAX (lag_max, (double) m.lag);
            }
        }
      g_assert_cmpuint (r.stats[CO2S_ROLLUP_RMSE].n, ==, finite);
      if (finite > 0)
        {
          g_assert_cmpfloat (r.stats[CO2S_ROLLUP_RMSE].min, ==, min);
          g_assert_cmpfloat (r.stats[CO2S_ROLLUP_RMSE].max, ==, max);
          g_assert_cmpfloat (r.stats[CO2S_ROLLUP_RMSE].last, ==, lastv);
          g_assert_cmpfloat_with_epsilon (r.stats[CO2S_ROLLUP_RMSE].mean, sum / (double) finite, 1e-9);
        }
      else
        g_assert_true (isnan (r.stats[CO2S_ROLLUP_RMSE].min) && isnan (r.stats[CO2S_ROLLUP_RMSE].mean));
      g_assert_cmpuint (r.stats[CO2S_ROLLUP_LAG].n, ==, lag_n);
      if (lag_n > 0)
        {
          g_assert_cmpfloat (r.stats[CO2S_ROLLUP_LAG].min, ==, lag_min);
          g_assert_cmpfloat (r.stats[CO2S_ROLLUP_LAG].max, ==, lag_max);
        }
      g_assert_cmpuint (r.rows, ==, 100 * r.count);
      g_assert_cmpuint (r.rows_seen, ==, r.last_batch * 100);
      g_assert_cmpint (r.first_timestamp_us, ==, G_GINT64_CONSTANT (1700000000000000) + (gint64) r.first_batch * 20000);
      checked++;
    }
  g_assert_cmpuint (checked, >, 1);
}

/* ---- SIGKILL during a rotation ------------------------------------------- */

typedef struct {
  const char *point;
  const char *report;  /* file that gets the checkpoint's batch count */
  guint64 *written;
} KillAt;

static void
kill_hook (const char *point, gpointer user_data)
{
  KillAt *k = user_data;

  if (strcmp (point, k->point) == 0)
    {
      /* The test reads this to know the checkpoint's batch count. */
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, *k->written);

      g_assert_true (g_file_set_contents (k->report, text, -1, NULL));
      kill (getpid (), SIGKILL);
    }
}

static char *
crash_dir (const char *point, pid_t parent)
{
  g_autofree char *name = g_strdup_printf ("co2s-test-rotate-%d-%s", (int) parent, point);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* The child: writes checkpoints of 25 batches until the hook kills it. */
static void
crash_child (const char *point)
{
  g_autofree char *dir = crash_dir (point, getppid ());
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *report = g_build_filename (dir, "killed-after", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  Co2sBatchMetrics last;
  guint64 written = 0;
  KillAt k = { point, report, &written };

  log = co2s_metrics_log_open (path, 0, FALSE, &last, NULL, &error);
  g_assert_no_error (error);
  co2s_metrics_log_set_max_bytes (log, 48 * 1024, kill_hook, &k);
  for (;;)
    {
      g_autoptr(GString) lines = g_string_new (NULL);

      for (guint i = 0; i < 25; i++)
        {
          Co2sBatchMetrics m;

          batch_metrics (++written, &m);
          co2s_batch_metrics_to_json (&m, lines);
        }
      g_assert_true (co2s_metrics_log_append (log, lines->str, lines->len, &error));
      g_assert_true (co2s_metrics_log_sync (log, &error));
      /* The checkpoint holds batch @written now: rotation may run. */
      g_assert_true (co2s_metrics_log_rotate (log, NULL, &error));
      g_assert_no_error (error);
      if (written > 100000)
        g_error ("the rotation never reached %s", point);
    }
}

static void
test_failpoint_rotate (gconstpointer data)
{
  const char *point = data;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *report = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  Co2sBatchMetrics last;
  guint dropped = 0;
  guint64 batches;

  if (g_test_subprocess ())
    {
      crash_child (point);
      return;
    }
  dir = crash_dir (point, getpid ());
  path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_mkdir_with_parents (dir, 0755);

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  report = g_build_filename (dir, "killed-after", NULL);
  g_assert_true (g_file_get_contents (report, &text, NULL, &error));
  batches = g_ascii_strtoull (text, NULL, 10);
  g_assert_cmpuint (batches, >, 0);

  /* The trainer restarts from its checkpoint, which holds every batch
   * written (rotation runs after the checkpoint). */
  log = co2s_metrics_log_open (path, batches, FALSE, &last, &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last.batch, ==, batches);
  assert_each_batch_once (path, batches);
  tmp = g_strconcat (path, ".tmp", NULL);
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_test_message ("killed at %s after batch %" G_GUINT64_FORMAT ": %u duplicate line(s) removed",
                  point, batches, dropped);
  if (g_str_equal (point, "rotate-history-renamed") || g_str_equal (point, "rotate-metrics-written"))
    g_assert_cmpuint (dropped, >, 0);

  /* And the run goes on from there, still exactly once. */
  co2s_metrics_log_set_max_bytes (log, 48 * 1024, NULL, NULL);
  write_batches (log, batches + 1, batches + 2000);
  assert_each_batch_once (path, batches + 2000);
  co2s_test_rm_rf (dir, NULL);
}

int
main (int argc, char *argv[])
{
  static const char *points[] = {
    "rotate-history-written", "rotate-history-renamed", "rotate-metrics-written", "rotate-metrics-renamed",
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-history/rollup-bounded", test_rollup_bounded);
  g_test_add_func ("/metrics-history/rollup-values", test_rollup_values);
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *name = g_strdup_printf ("/trainer/failpoint/%s", points[i]);

      g_test_add_data_func (name, points[i], test_failpoint_rotate);
    }
  return g_test_run ();
}
