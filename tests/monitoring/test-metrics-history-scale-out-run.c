/* test-metrics-history-scale-out-run.c — the history of a real scale-out
 * run: two co2stream-trainer --scale-out over a 3-partition topic on a real
 * Apache Kafka (tests/kafka-broker.sh, or CO2S_KAFKA_BROKERS), sharing one
 * --model-dir; the model folder then loads (trainers/ID/metrics.jsonl, no
 * metrics.jsonl) as one series: every row of the topic in exactly one
 * batch, each (partition, partition_batch) once and each partition's
 * batches 1 to its last, numbered 1, 2, 3… in time order. With a small
 * --metrics-max-mb the trainers fold their oldest lines into
 * trainers/ID/metrics-history.jsonl as they go: the buckets and the lines
 * then hold every row once, and every batch. */
#define G_LOG_DOMAIN "test-metrics-history-scale-out-run"

#include <glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-metrics-history.h"
#include "co2s-metrics.h"
#include "co2s-metrics-rollup.h"
#include "co2s-record-json.h"
#include "co2s-record.h"
#include "co2s-test-util.h"

#define N_PARTITIONS 3
#define LEARN_TIMEOUT_MS 180000

typedef struct {
  const char *max_mb;     /* --metrics-max-mb, NULL: the default */
  const char *brokers;
  char *topic;
  char *dir;
  char *metrics_path;
  Co2sTestProc *trainers[2];
  guint64 produced;
} Run;

/* @n rows, keyed so that they spread over every partition, close to
 * linear in the features as the real data set is. */
static void
produce (Run *run, guint n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1300 + (guint32) run->produced);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      GString *line = g_string_new (NULL);
      Co2sRecord r;
      double engine = round (g_rand_double_range (rand, 1.0, 6.5) * 10) / 10;
      double city = round ((4.5 + 2.3 * engine + g_rand_double_range (rand, -1.0, 2.5)) * 10) / 10;
      double hwy = round ((0.68 * city + g_rand_double_range (rand, -0.8, 0.8)) * 10) / 10;
      double comb = round ((0.55 * city + 0.45 * hwy) * 10) / 10;
      GError *invalid = NULL;

      co2s_record_init (&r);
      r.seq = (gint64) (run->produced + i + 1);
      r.emit_us = g_get_real_time ();
      r.values[CO2S_COL_ENGINE_SIZE] = engine;
      r.values[CO2S_COL_CYLINDERS] = engine < 2.6 ? 4 : engine < 4.1 ? 6 : 8;
      r.values[CO2S_COL_FUEL_CITY] = city;
      r.values[CO2S_COL_FUEL_HWY] = hwy;
      r.values[CO2S_COL_FUEL_COMB] = comb;
      r.values[CO2S_COL_FUEL_COMB_MPG] = round (235.215 / comb);
      r.values[CO2S_COL_CO2] = round (23.0 * comb + 2.0 * engine + g_rand_double_range (rand, -4, 4));
      r.values[CO2S_COL_FUEL_X] = 1.0;
      r.values[CO2S_COL_FUEL_Z] = r.values[CO2S_COL_FUEL_D] = 0.0;
      r.values[CO2S_COL_FUEL_E] = r.values[CO2S_COL_FUEL_N] = 0.0;
      if (!co2s_record_validate (&r, &invalid))
        g_error ("row %u: %s", i, invalid->message);
      co2s_record_to_json (&r, line);
      g_string_truncate (line, line->len - 1);
      g_ptr_array_add (lines, g_string_free (line, FALSE));
      g_ptr_array_add (keys, g_strdup_printf ("row-%" G_GUINT64_FORMAT, run->produced + i));
    }
  if (!co2s_test_kafka_produce (run->brokers, run->topic, (const char * const *) lines->pdata,
                                (const char * const *) keys->pdata, n, &error))
    g_error ("producing %u rows to %s: %s", n, run->topic, error->message);
  run->produced += n;
}

static Co2sTestProc *
start_trainer (Run *run, const char *group, const char *state_topic, const char *id)
{
  const char *argv[] = {
    co2s_test_program ("CO2S_TRAINER"), "--brokers", run->brokers, "--topic", run->topic,
    "--group", group, "--model-dir", run->dir, "--scale-out", "--state-topic", state_topic,
    "--trainer-id", id, "--algo", "ls", "--batch-rows", "100",
    run->max_mb != NULL ? "--metrics-max-mb" : NULL, run->max_mb, NULL,
  };

  return co2s_test_proc_spawn_or_die (argv, NULL);
}

/* The model folder's history, loaded now (fails the test on a load error). */
static Co2sMetricsHistory *
load (Run *run, Co2sMetricsLoadReport **report)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  g_autoptr(GError) error = NULL;

  if (!co2s_metrics_history_load_file (history, run->metrics_path, report, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      return history;
    }
  return history;
}

/* Rows of the batches held and of the rolled-up ones. */
static guint64
history_rows (Co2sMetricsHistory *history)
{
  guint64 rows = 0;
  guint n_rollups = 0;
  const Co2sMetricsRollup *rollups = co2s_metrics_history_get_rollups (history, &n_rollups);

  for (guint r = 0; r < n_rollups; r++)
    rows += rollups[r].rows;
  for (guint i = 0; i < co2s_metrics_history_get_n_batches (history); i++)
    {
      Co2sBatchMetrics m;

      g_assert_true (co2s_metrics_history_get_batch (history, i, &m));
      rows += m.rows;
    }
  return rows;
}

/* A Co2sTestPredicate: the trainers' files hold every row produced. */
static gboolean
files_complete (gpointer data)
{
  Run *run = data;
  g_autoptr(Co2sMetricsHistory) history = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (run->trainers); i++)
    if (run->trainers[i] != NULL && co2s_test_proc_wait_exit (run->trainers[i], 0) != -1)
      g_error ("trainer %u exited while learning:\n%s", i, co2s_test_proc_stderr_text (run->trainers[i]));
  history = load (run, NULL);
  return history_rows (history) >= run->produced;
}

static void
assert_whole_run (Run *run)
{
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(Co2sMetricsHistory) history = load (run, &report);
  g_autoptr(GHashTable) last = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = 0, n_rollups = 0;
  const double *batch = co2s_metrics_history_get_batch_column (history, &n);
  const gint64 *ts = co2s_metrics_history_get_timestamp_column (history, NULL);
  const Co2sMetricsRollup *rollups = co2s_metrics_history_get_rollups (history, &n_rollups);
  guint64 folded = 0, partition_batches = 0;
  Co2sMetricsKpis kpis;

  g_assert_nonnull (report);
  for (guint r = 0; r < n_rollups; r++)
    {
      g_assert_cmpuint (rollups[r].first_batch, ==, folded + 1);
      folded += rollups[r].count;
      g_assert_cmpuint (rollups[r].last_batch, ==, folded);
    }
  g_test_message ("%u batches and %u buckets of %" G_GUINT64_FORMAT " more, %" G_GUINT64_FORMAT
                  " rows, from %" G_GUINT64_FORMAT " lines (%" G_GUINT64_FORMAT " also in a bucket)",
                  n, n_rollups, folded, history_rows (history), report->lines, report->duplicates);
  g_assert_cmpuint (report->bad_lines, ==, 0);
  g_assert_cmpuint (report->lines, ==, n + report->duplicates);
  if (run->max_mb != NULL)
    g_assert_cmpuint (n_rollups, >, 0);
  else
    g_assert_cmpuint (report->duplicates, ==, 0);
  g_assert_true (co2s_metrics_history_is_scale_out (history));
  g_assert_cmpuint (history_rows (history), ==, run->produced);
  for (guint i = 0; i < n; i++)
    {
      gint partition;
      guint64 pb;
      const char *trainer;
      guint64 before;

      g_assert_cmpfloat (batch[i], ==, (double) (folded + i + 1));
      if (i > 0)
        g_assert_cmpint (ts[i - 1], <=, ts[i]);
      g_assert_true (co2s_metrics_history_get_batch_origin (history, i, &partition, &pb, &trainer));
      g_assert_cmpint (partition, >=, 0);
      g_assert_cmpint (partition, <, N_PARTITIONS);
      g_assert_true (g_str_has_suffix (trainer, "-a") || g_str_has_suffix (trainer, "-b"));
      g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%d/%" G_GUINT64_FORMAT, partition, pb)));
      before = GPOINTER_TO_SIZE (g_hash_table_lookup (last, GINT_TO_POINTER (partition)));
      /* Unfolded, a partition's batches come in their order, none missing. */
      if (n_rollups == 0)
        g_assert_cmpuint (pb, ==, before + 1);
      if (pb > before)
        g_hash_table_insert (last, GINT_TO_POINTER (partition), GSIZE_TO_POINTER ((gsize) pb));
    }
  /* Every batch of every partition, once: held, or in a bucket. */
  for (gint p = 0; p < N_PARTITIONS; p++)
    partition_batches += GPOINTER_TO_SIZE (g_hash_table_lookup (last, GINT_TO_POINTER (p)));
  g_assert_cmpuint (folded + n, ==, partition_batches);
  co2s_metrics_history_get_kpis (history, g_get_real_time (), &kpis);
  g_assert_cmpuint (kpis.batches, ==, partition_batches);
}

/* Each trainer's lines carry the batch's latency (emit → the transaction
 * that committed it, from the per-row histogram) and the trainer's
 * consumer lag, as the single trainer's lines do (the app's key figures). */
static void
assert_latency_and_lag (Run *run)
{
  g_autofree char *trainers = g_build_filename (run->dir, "trainers", NULL);
  g_autoptr(GDir) dir = g_dir_open (trainers, 0, NULL);
  const char *id;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((id = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (trainers, id, CO2S_METRICS_FILE, NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
        {
          g_autoptr(GError) error = NULL;
          Co2sBatchMetrics m;

          if (!co2s_batch_metrics_from_json (lines[i], strlen (lines[i]), &m, &error))
            g_error ("%s line %u: %s", path, i + 1, error->message);
          if (m.latency_p50_us < 0 || m.latency_p99_us < m.latency_p50_us ||
              m.latency_p999_us < m.latency_p99_us || m.lag < 0)
            g_error ("%s line %u has no latency or lag: %s", path, i + 1, lines[i]);
          n++;
        }
    }
  g_assert_cmpuint (n, >, 0);
}

static void
test_real_run (gconstpointer data)
{
  Run run = { data };
  g_autofree char *group = NULL;
  g_autofree char *state_topic = NULL;
  g_autofree char *id_a = g_strdup_printf ("h%d-a", (int) getpid ());
  g_autofree char *id_b = g_strdup_printf ("h%d-b", (int) getpid ());
  g_autoptr(GError) error = NULL;

  run.brokers = co2s_test_kafka_brokers ();
  run.topic = co2s_test_unique_topic ("history-scale-out");
  run.dir = co2s_test_tmpdir ();
  run.metrics_path = g_build_filename (run.dir, CO2S_METRICS_FILE, NULL);
  group = g_strdup_printf ("%s-group", run.topic);
  state_topic = g_strdup_printf ("%s-state", run.topic);
  if (!co2s_test_kafka_create_topic (run.brokers, run.topic, N_PARTITIONS, &error))
    g_error ("cannot create %s: %s", run.topic, error->message);

  /* Two trainers learn the first rows, then more come while they run
   * (folded: enough lines for each trainer's file to be rotated). */
  produce (&run, run.max_mb != NULL ? 20000 : 1500);
  run.trainers[0] = start_trainer (&run, group, state_topic, id_a);
  run.trainers[1] = start_trainer (&run, group, state_topic, id_b);
  co2s_test_assert_wait_msg (files_complete, &run, LEARN_TIMEOUT_MS, "the trainers' files hold the first rows");
  produce (&run, run.max_mb != NULL ? 12000 : 900);
  co2s_test_assert_wait_msg (files_complete, &run, LEARN_TIMEOUT_MS, "the trainers' files hold every row");

  for (guint i = 0; i < G_N_ELEMENTS (run.trainers); i++)
    {
      int status = co2s_test_proc_terminate (run.trainers[i], 60000);

      if (status != 0)
        g_error ("trainer %u exited with %d:\n%s", i, status, co2s_test_proc_stderr_text (run.trainers[i]));
      g_clear_pointer (&run.trainers[i], co2s_test_proc_free);
    }
  /* No single trainer's file: the scale-out trainers do not write it. */
  g_assert_false (g_file_test (run.metrics_path, G_FILE_TEST_EXISTS));
  assert_whole_run (&run);
  if (run.max_mb == NULL)
    assert_latency_and_lag (&run);

  g_assert_true (co2s_test_rm_rf (run.dir, NULL));
  g_free (run.dir);
  g_free (run.topic);
  g_free (run.metrics_path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/metrics-history/scale-out/real-run", NULL, test_real_run);
  g_test_add_data_func ("/metrics-history/scale-out/real-run-folded", "0.05", test_real_run);
  return g_test_run ();
}
