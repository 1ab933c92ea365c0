/* test-metrics-history-scale-out.c — the history of a scale-out run
 * (co2stream-trainer --scale-out): each trainer's metrics lines in
 * DIR/trainers/ID/metrics.jsonl, merged by time into one series, every
 * (partition, partition_batch) once, numbered 1, 2, 3…; live batches
 * appended after them without duplicates; the CSV export. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-metrics-csv.h"
#include "co2s-metrics-history.h"
#include "co2s-metrics-rollup.h"
#include "co2s-test-metrics.h"
#include "co2s-test-util.h"

#define T0 CO2S_TEST_METRICS_T0

/* Partition @partition's batch @pb as trainer @trainer writes it (its own
 * line @local), taken at T0 + @ms ms, @rows rows. */
static Co2sBatchMetrics
scale_out_batch (const char *trainer, guint64 local, gint partition, guint64 pb, gint64 ms, guint rows)
{
  Co2sBatchMetrics m = co2s_test_batch_metrics (local, T0 + ms * 1000, NAN, FALSE);

  m.rows = rows;
  m.rmse = 10.0 + partition + pb / 100.0;
  m.partition = partition;
  m.partition_batch = pb;
  g_strlcpy (m.trainer, trainer, sizeof m.trainer);
  return m;
}

static void
append_line (GString *file, const char *trainer, guint64 local, gint partition, guint64 pb, gint64 ms, guint rows)
{
  Co2sBatchMetrics m = scale_out_batch (trainer, local, partition, pb, ms, rows);

  co2s_batch_metrics_to_json (&m, file);
}

/* Writes @contents to @dir/trainers/@trainer/metrics.jsonl. */
static void
write_trainer_file (const char *dir, const char *trainer, const GString *contents)
{
  g_autofree char *folder = g_build_filename (dir, "trainers", trainer, NULL);
  g_autofree char *path = g_build_filename (folder, CO2S_METRICS_FILE, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_file_set_contents (path, contents->str, (gssize) contents->len, &error);
  g_assert_no_error (error);
}

/* A temporary folder, removed with what it holds at the end of its scope. */
typedef char TmpDir;

static void
remove_dir (TmpDir *dir)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (co2s_test_rm_rf (dir, &error));
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmpDir, remove_dir)

/* What the merge must give, in order: (partition, partition_batch, trainer). */
typedef struct {
  gint partition;
  guint64 pb;
  const char *trainer;
} Expected;

static void
assert_series (Co2sMetricsHistory *history, const Expected *expected, guint n)
{
  guint got = 0;
  const double *batch = co2s_metrics_history_get_batch_column (history, &got);

  g_assert_cmpuint (got, ==, n);
  g_assert_true (co2s_metrics_history_is_scale_out (history));
  for (guint i = 0; i < n; i++)
    {
      gint partition = -1;
      guint64 pb = 0;
      const char *trainer = NULL;

      /* Consecutive numbers on the plot's axis, whoever's batch it is. */
      g_assert_cmpfloat (batch[i], ==, (double) (i + 1));
      g_assert_true (co2s_metrics_history_get_batch_origin (history, i, &partition, &pb, &trainer));
      if (partition != expected[i].partition || pb != expected[i].pb ||
          strcmp (trainer, expected[i].trainer) != 0)
        g_error ("batch %u is partition %d batch %" G_GUINT64_FORMAT " of %s, expected %d / %" G_GUINT64_FORMAT
                 " of %s", i + 1, partition, pb, trainer, expected[i].partition, expected[i].pb,
                 expected[i].trainer);
    }
  g_assert_false (co2s_metrics_history_get_batch_origin (history, n, NULL, NULL, NULL));
}

/* Three trainers' files, each in its own order (by commit, a partition's
 * batches together), times interleaved across them; one batch twice (a
 * trainer id reused: b's file has it again, later; and one in two files);
 * two batches at the
 * same time (the partition decides). No metrics.jsonl: the scale-out
 * trainers do not write it. */
static void
write_three_trainers (const char *dir)
{
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);
  g_autoptr(GString) c = g_string_new (NULL);

  /* a: partitions 0 and 1, one commit of p0/1, p0/2, p1/1, then p0/3. */
  append_line (a, "a", 1, 0, 1, 10, 100);
  append_line (a, "a", 2, 0, 2, 30, 100);
  append_line (a, "a", 3, 1, 1, 20, 50);
  append_line (a, "a", 4, 0, 3, 60, 100);
  /* b: partition 2, and p1/2 after p1 moved to it; p2/2 again (the id reused). */
  append_line (b, "b", 1, 2, 1, 15, 70);
  append_line (b, "b", 2, 2, 2, 40, 70);
  append_line (b, "b", 3, 1, 2, 50, 50);
  append_line (b, "b", 1, 2, 2, 45, 70);
  /* c: partition 3, one batch at the same time as a's p0/3. */
  append_line (c, "c", 1, 3, 1, 60, 30);
  append_line (c, "c", 2, 3, 2, 70, 30);
  /* …and a's p0/2 again, from another trainer's file: the first one stays. */
  append_line (c, "c", 3, 0, 2, 35, 100);
  write_trainer_file (dir, "a", a);
  write_trainer_file (dir, "b", b);
  write_trainer_file (dir, "c", c);
}

static const Expected three_trainers[] = {
  { 0, 1, "a" },  /* 10 ms */
  { 2, 1, "b" },  /* 15 */
  { 1, 1, "a" },  /* 20 */
  { 0, 2, "a" },  /* 30 (and c's at 35: dropped) */
  { 2, 2, "b" },  /* 40 (and again at 45: dropped) */
  { 1, 2, "b" },  /* 50 */
  { 0, 3, "a" },  /* 60, partition 0 before 3 */
  { 3, 1, "c" },  /* 60 */
  { 3, 2, "c" },  /* 70 */
};

/* Rows of the batches above, each once. */
#define THREE_TRAINERS_ROWS (3 * 100 + 2 * 50 + 2 * 70 + 2 * 30)

/* ---- /metrics-history/scale-out/merge -------------------------------------------- */

static void
test_merge (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 *rows;
  const gint64 *ts;
  gint64 sum = 0;
  guint n = 0;

  write_three_trainers (dir);
  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  assert_series (history, three_trainers, G_N_ELEMENTS (three_trainers));

  g_assert_cmpuint (report->lines, ==, 11);
  g_assert_cmpuint (report->added, ==, 9);
  g_assert_cmpuint (report->duplicates, ==, 2);
  g_assert_cmpuint (report->bad_lines, ==, 0);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 0);

  /* Commit order, and every row once. */
  rows = co2s_metrics_history_get_rows_seen_column (history, &n);
  ts = co2s_metrics_history_get_timestamp_column (history, NULL);
  for (guint i = 0; i < n; i++)
    {
      Co2sBatchMetrics m;

      g_assert_true (co2s_metrics_history_get_batch (history, i, &m));
      sum += m.rows;
      if (i > 0)
        g_assert_cmpint (ts[i - 1], <=, ts[i]);
    }
  g_assert_nonnull (rows);
  g_assert_cmpint (sum, ==, THREE_TRAINERS_ROWS);
  g_assert_cmpuint (co2s_metrics_history_get_last_batch (history), ==, 9);
  g_assert_cmpuint (co2s_metrics_history_get_last_partition_batch (history, 0), ==, 3);
  g_assert_cmpuint (co2s_metrics_history_get_last_partition_batch (history, 2), ==, 2);
  g_assert_cmpuint (co2s_metrics_history_get_last_partition_batch (history, 7), ==, 0);
  g_assert_true (co2s_metrics_history_holds_partition_batch (history, 1, 2));
  g_assert_false (co2s_metrics_history_holds_partition_batch (history, 1, 3));

  /* Read again: the same, nothing doubled. */
  g_clear_pointer (&report, co2s_metrics_load_report_free);
  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  assert_series (history, three_trainers, G_N_ELEMENTS (three_trainers));
  g_assert_cmpuint (report->duplicates, ==, 2 + 9);
}

/* ---- /metrics-history/scale-out/bad-line ----------------------------------------- */

static void
test_bad_line (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autofree char *b_path = g_build_filename (dir, "trainers", "b", CO2S_METRICS_FILE, NULL);
  g_autofree char *c_path = g_build_filename (dir, "trainers", "c", CO2S_METRICS_FILE, NULL);
  g_autofree char *expected_b = g_strdup_printf ("%s:2: ", b_path);
  g_autofree char *expected_c = g_strdup_printf ("%s:1: ", c_path);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);
  g_autoptr(GString) c = g_string_new (NULL);
  static const Expected expected[] = { { 0, 1, "a" }, { 1, 1, "b" }, { 1, 2, "b" }, { 0, 2, "a" }, { 2, 1, "c" } };
  Co2sBatchMetrics single = co2s_test_batch_metrics (1, T0, NAN, FALSE);

  append_line (a, "a", 1, 0, 1, 10, 100);
  append_line (a, "a", 2, 0, 2, 40, 100);
  append_line (b, "b", 1, 1, 1, 20, 100);
  g_string_append (b, "{\"batch\":2,\"rows\":1,\"rows_seen\":1,\"rmse\":1,\"timestamp_us\":5,"
                      "\"partition\":1,\"partition_batch\":0}\n");
  append_line (b, "b", 2, 1, 2, 30, 100);
  /* A single trainer's line has no place among them. */
  co2s_batch_metrics_to_json (&single, c);
  append_line (c, "c", 1, 2, 1, 50, 100);
  write_trainer_file (dir, "a", a);
  write_trainer_file (dir, "b", b);
  write_trainer_file (dir, "c", c);
  /* A trainer's folder without metrics yet is no problem. */
  {
    g_autofree char *empty = g_build_filename (dir, "trainers", "d", NULL);

    g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);
  }

  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  assert_series (history, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (report->bad_lines, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 2);
  /* Each names its own file and line, in the trainers' order. */
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 0), expected_b));
  g_assert_nonnull (strstr (g_ptr_array_index (report->problems, 0), "partition_batch"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->problems, 1), expected_c));
}

static void
drift_alarm_cb (Co2sMetricsHistory *history, guint64 batch, gpointer user_data)
{
  *(guint64 *) user_data = batch;
}

/* ---- /metrics-history/scale-out/live ------------------------------------------ */

/* Live batches after the files: one the history holds is dropped, new
 * ones take the next numbers; a load after them keeps every one once. */
static void
test_live (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics held = scale_out_batch ("b", 3, 1, 2, 50, 50);
  Co2sBatchMetrics next[2] = { scale_out_batch ("a", 5, 0, 4, 80, 100), scale_out_batch ("c", 3, 3, 3, 85, 30) };
  Expected expected[G_N_ELEMENTS (three_trainers) + 2];
  guint64 generation;
  guint64 alarm = 0;

  write_three_trainers (dir);
  g_assert_true (co2s_metrics_history_load_file (history, path, NULL, &error));
  g_assert_no_error (error);

  generation = co2s_metrics_history_get_generation (history);
  g_assert_cmpint (co2s_metrics_history_append (history, &held), ==, CO2S_METRICS_APPEND_DUPLICATE);
  g_assert_cmpuint (co2s_metrics_history_get_generation (history), ==, generation);
  /* c's batch raised the drift alarm: the signal names the history's
   * number of it (11), not c's own count. */
  next[1].drift_alarm = TRUE;
  g_signal_connect (history, "drift-alarm", G_CALLBACK (drift_alarm_cb), &alarm);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, next, 2), ==, 2);
  g_assert_cmpuint (alarm, ==, 11);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, next, 2), ==, 0);

  memcpy (expected, three_trainers, sizeof three_trainers);
  expected[G_N_ELEMENTS (three_trainers)] = (Expected) { 0, 4, "a" };
  expected[G_N_ELEMENTS (three_trainers) + 1] = (Expected) { 3, 3, "c" };
  assert_series (history, expected, G_N_ELEMENTS (expected));

  /* The files read again (the app does on a jump): what came live and is
   * not in them stays after them, once. */
  g_assert_true (co2s_metrics_history_load_file (history, path, NULL, &error));
  g_assert_no_error (error);
  assert_series (history, expected, G_N_ELEMENTS (expected));

  /* Its CSV says whose batch each is. */
  {
    g_autofree char *csv = co2s_metrics_csv_from_history (history);
    g_auto(GStrv) rows = g_strsplit (csv, "\n", -1);

    g_assert_true (g_str_has_prefix (rows[0], CO2S_METRICS_CSV_HEADER "," CO2S_METRICS_CSV_SCALE_OUT_HEADER));
    g_assert_cmpuint (g_strv_length (rows), ==, 1 + G_N_ELEMENTS (expected) + 1);
    g_assert_true (g_str_has_prefix (rows[1], "1,"));
    g_assert_true (g_str_has_suffix (rows[1], ",0,1,a"));
    g_assert_true (g_str_has_prefix (rows[11], "11,"));
    g_assert_true (g_str_has_suffix (rows[11], ",3,3,c"));
  }

  /* A copy (an export's) keeps them. */
  {
    g_autoptr(Co2sMetricsHistory) copy = co2s_metrics_history_copy (history);

    assert_series (copy, expected, G_N_ELEMENTS (expected));
    g_assert_cmpint (co2s_metrics_history_append (copy, &held), ==, CO2S_METRICS_APPEND_DUPLICATE);
  }
}

/* ---- /metrics-history/scale-out/live-before-files ---------------------------------- */

/* The follower may bring batches before the files are read (the app's
 * start): the files' batches go first, the live ones the files do not
 * hold after them. */
static void
test_live_before_files (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics live[2] = { scale_out_batch ("c", 2, 3, 2, 70, 30), scale_out_batch ("a", 5, 0, 4, 80, 100) };
  Expected expected[G_N_ELEMENTS (three_trainers) + 1];

  write_three_trainers (dir);
  g_assert_cmpuint (co2s_metrics_history_append_many (history, live, 2), ==, 2);
  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  memcpy (expected, three_trainers, sizeof three_trainers);
  expected[G_N_ELEMENTS (three_trainers)] = (Expected) { 0, 4, "a" };
  assert_series (history, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (report->duplicates, ==, 2 + 1);
}

/* ---- /metrics-history/scale-out/single-run-before ------------------------------ */

/* A folder that had a single trainer's run before the scale-out one (and
 * its metrics.jsonl): the newer run is the series; a scale-out line
 * after single ones, or the other way round, starts a new series. */
static void
test_single_run_before (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) single = g_string_new (NULL);

  for (guint64 i = 1; i <= 5; i++)
    {
      Co2sBatchMetrics m = co2s_test_batch_metrics (i, T0 - 1000000 + (gint64) i, NAN, FALSE);

      co2s_batch_metrics_to_json (&m, single);
    }
  g_assert_true (g_file_set_contents (path, single->str, (gssize) single->len, NULL));
  write_three_trainers (dir);

  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  assert_series (history, three_trainers, G_N_ELEMENTS (three_trainers));
  g_assert_cmpuint (report->new_series, ==, 1);
  g_assert_cmpuint (co2s_metrics_history_get_series (history), ==, 1);

  /* A single trainer again (a new model in the folder): a new series. */
  {
    Co2sBatchMetrics m = co2s_test_batch_metrics (7, T0 + 100000, NAN, FALSE);

    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 1);
    g_assert_false (co2s_metrics_history_is_scale_out (history));
    g_assert_false (co2s_metrics_history_get_batch_origin (history, 0, NULL, NULL, NULL));
    g_assert_cmpuint (co2s_metrics_history_get_last_batch (history), ==, 7);
  }
  /* And scale-out again. */
  {
    Co2sBatchMetrics m = scale_out_batch ("a", 1, 0, 9, 200, 100);

    g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
    g_assert_cmpuint (co2s_metrics_history_get_last_batch (history), ==, 1);
    g_assert_true (co2s_metrics_history_is_scale_out (history));
  }
}

/* ---- /metrics-history/scale-out/last-n -------------------------------------------- */

/* co2stream --export-plot --last N: the merged series' last N, sync and
 * async alike. */
static void
test_last_n (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;
  guint n = 0;
  const double *batch;

  write_three_trainers (dir);
  g_assert_true (co2s_metrics_history_load_file_last (history, path, 3, NULL, &error));
  g_assert_no_error (error);
  batch = co2s_metrics_history_get_batch_column (history, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (batch[0], ==, 7.0);
  g_assert_cmpfloat (batch[2], ==, 9.0);
  {
    gint partition;
    guint64 pb;

    g_assert_true (co2s_metrics_history_get_batch_origin (history, 0, &partition, &pb, NULL));
    g_assert_cmpint (partition, ==, 0);
    g_assert_cmpuint (pb, ==, 3);
  }

  /* The async load (the app's) gives what the sync one gives. */
  {
    g_autoptr(Co2sMetricsHistory) async = co2s_metrics_history_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(Co2sMetricsLoadReport) report = NULL;

    co2s_metrics_history_load_file_async (async, path, NULL, co2s_test_store_result, &result);
    co2s_test_assert_result (&result, 10000, "the async load");
    g_assert_true (co2s_metrics_history_load_file_finish (async, result, &report, &error));
    g_assert_no_error (error);
    assert_series (async, three_trainers, G_N_ELEMENTS (three_trainers));
  }

  /* No trainers' files and no metrics.jsonl: not found, as before. */
  {
    g_autoptr(TmpDir) empty = co2s_test_tmpdir ();
    g_autofree char *missing = g_build_filename (empty, CO2S_METRICS_FILE, NULL);
    g_autoptr(Co2sMetricsHistory) none = co2s_metrics_history_new ();

    g_assert_false (co2s_metrics_history_load_file (none, missing, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

/* ---- /metrics-history/scale-out/rollups ---------------------------------------- */

/* Trainers whose files were rotated (their oldest lines folded into
 * trainers/ID/metrics-history.jsonl): the buckets come first, by time,
 * numbered on by their counts; a line a bucket holds (a rotation cut
 * short) is dropped; the lines follow, numbered after the buckets. */
static void
test_rollups (void)
{
  g_autoptr(TmpDir) dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_METRICS_FILE, NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);
  g_autoptr(GString) a_rollups = g_string_new (NULL);
  g_autoptr(GString) b_rollups = g_string_new (NULL);
  const Co2sMetricsRollup *rollups;
  guint n_rollups = 0;
  Co2sMetricsKpis kpis;
  static const Expected expected[] = { { 0, 5, "a" }, { 1, 3, "b" }, { 0, 6, "a" } };

  /* a's lines 1…4 (partition 0's batches 1…4, 10…40 ms) in two buckets;
   * b's lines 1…2 (partition 1's, 15 and 25 ms) in one. */
  for (guint64 first = 1; first <= 3; first += 2)
    {
      Co2sBatchMetrics m1 = scale_out_batch ("a", first, 0, first, (gint64) first * 10, 100);
      Co2sBatchMetrics m2 = scale_out_batch ("a", first + 1, 0, first + 1, (gint64) (first + 1) * 10, 100);
      Co2sMetricsRollup r, r2;

      co2s_metrics_rollup_init (&r, &m1);
      co2s_metrics_rollup_init (&r2, &m2);
      co2s_metrics_rollup_merge (&r, &r2);
      co2s_metrics_rollup_to_json (&r, a_rollups);
    }
  {
    Co2sBatchMetrics m1 = scale_out_batch ("b", 1, 1, 1, 15, 100);
    Co2sBatchMetrics m2 = scale_out_batch ("b", 2, 1, 2, 25, 100);
    Co2sMetricsRollup r, r2;

    co2s_metrics_rollup_init (&r, &m1);
    co2s_metrics_rollup_init (&r2, &m2);
    co2s_metrics_rollup_merge (&r, &r2);
    co2s_metrics_rollup_to_json (&r, b_rollups);
  }
  /* a's file still has line 4 (the rotation cut short), then 5 and 6. */
  append_line (a, "a", 4, 0, 4, 40, 100);
  append_line (a, "a", 5, 0, 5, 50, 100);
  append_line (a, "a", 6, 0, 6, 70, 100);
  append_line (b, "b", 3, 1, 3, 60, 100);
  write_trainer_file (dir, "a", a);
  write_trainer_file (dir, "b", b);
  {
    g_autofree char *a_history = g_build_filename (dir, "trainers", "a", CO2S_METRICS_HISTORY_FILE, NULL);
    g_autofree char *b_history = g_build_filename (dir, "trainers", "b", CO2S_METRICS_HISTORY_FILE, NULL);

    g_assert_true (g_file_set_contents (a_history, a_rollups->str, (gssize) a_rollups->len, NULL));
    g_assert_true (g_file_set_contents (b_history, b_rollups->str, (gssize) b_rollups->len, NULL));
  }

  g_assert_true (co2s_metrics_history_load_file (history, path, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->rollups, ==, 3);
  g_assert_cmpuint (report->duplicates, ==, 1);
  g_assert_cmpuint (report->bad_lines, ==, 0);

  /* a's first bucket (ends at 20 ms), b's (25), a's second (40). */
  rollups = co2s_metrics_history_get_rollups (history, &n_rollups);
  g_assert_cmpuint (n_rollups, ==, 3);
  g_assert_cmpuint (rollups[0].first_batch, ==, 1);
  g_assert_cmpuint (rollups[0].last_batch, ==, 2);
  g_assert_cmpint (rollups[0].last_timestamp_us, ==, T0 + 20000);
  g_assert_cmpuint (rollups[1].first_batch, ==, 3);
  g_assert_cmpuint (rollups[1].last_batch, ==, 4);
  g_assert_cmpint (rollups[1].last_timestamp_us, ==, T0 + 25000);
  g_assert_cmpuint (rollups[2].first_batch, ==, 5);
  g_assert_cmpuint (rollups[2].last_batch, ==, 6);

  /* The lines after them, numbered 7, 8, 9. */
  {
    guint n = 0;
    const double *batch = co2s_metrics_history_get_batch_column (history, &n);

    g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < n; i++)
      {
        gint partition;
        guint64 pb;
        const char *trainer;

        g_assert_cmpfloat (batch[i], ==, (double) (7 + i));
        g_assert_true (co2s_metrics_history_get_batch_origin (history, i, &partition, &pb, &trainer));
        g_assert_cmpint (partition, ==, expected[i].partition);
        g_assert_cmpuint (pb, ==, expected[i].pb);
        g_assert_cmpstr (trainer, ==, expected[i].trainer);
      }
  }
  co2s_metrics_history_get_kpis (history, T0, &kpis);
  g_assert_cmpuint (kpis.batches, ==, 6 + 3);
  g_assert_cmpuint (kpis.last_batch, ==, 9);

  /* A live batch goes on from there; one held is dropped. */
  {
    Co2sBatchMetrics next = scale_out_batch ("b", 4, 1, 4, 80, 100);
    Co2sBatchMetrics held = scale_out_batch ("a", 6, 0, 6, 70, 100);

    g_assert_cmpint (co2s_metrics_history_append (history, &held), ==, CO2S_METRICS_APPEND_DUPLICATE);
    g_assert_cmpint (co2s_metrics_history_append (history, &next), ==, CO2S_METRICS_APPEND_ADDED);
    g_assert_cmpuint (co2s_metrics_history_get_last_batch (history), ==, 10);
  }

  /* --last N: the last N lines and no bucket, as for one file. */
  {
    g_autoptr(Co2sMetricsHistory) last = co2s_metrics_history_new ();

    g_assert_true (co2s_metrics_history_load_file_last (last, path, 2, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (co2s_metrics_history_get_n_batches (last), ==, 2);
    (void) co2s_metrics_history_get_rollups (last, &n_rollups);
    g_assert_cmpuint (n_rollups, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-history/scale-out/merge", test_merge);
  g_test_add_func ("/metrics-history/scale-out/bad-line", test_bad_line);
  g_test_add_func ("/metrics-history/scale-out/live", test_live);
  g_test_add_func ("/metrics-history/scale-out/live-before-files", test_live_before_files);
  g_test_add_func ("/metrics-history/scale-out/single-run-before", test_single_run_before);
  g_test_add_func ("/metrics-history/scale-out/last-n", test_last_n);
  g_test_add_func ("/metrics-history/scale-out/rollups", test_rollups);
  return g_test_run ();
}
