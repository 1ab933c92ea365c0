/* test-latency.c — co2stream-trainer's exact latency (issue 11 item 4)
 * against the embedded broker: rows whose ts_us are set to known past times
 * give, per batch (latency_p50_us, latency_p99_us, latency_p999_us in the
 * metrics lines) and over the model's life (latency_us in model.json), the
 * quantiles of their ages plus the time until their checkpoint, within 1 %;
 * a restart adds to the saved histogram, and a crash before a checkpoint
 * replays its batches without counting their rows twice. */
#define G_LOG_DOMAIN "test-latency"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "co2s-latency-histogram.h"
#include "trainer-fixture.h"

#define N_ROWS 2000
#define BATCH 100
#define N_BATCHES (N_ROWS / BATCH)

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Ages of 1 s … 21 s in a scrambled order (row i: 1 s + (i × 7919 mod
 * 2000) × 10 ms), so that every batch has its own spread. */
static gint64
age_of_row (guint i)
{
  return G_USEC_PER_SEC + (gint64) ((i * 7919u) % 2000u) * 10000;
}

/* @n records emitted at @t0 - age_of_row (i), as JSON lines. */
static GPtrArray *
lines_with_ages (guint n, gint64 t0, GArray **records_out)
{
  g_autoptr(GArray) records = trainer_make_records (n, 11, 0);

  for (guint i = 0; i < n; i++)
    g_array_index (records, Co2sRecord, i).emit_us = t0 - age_of_row (i);
  *records_out = g_array_ref (records);
  return trainer_lines_of (records);
}

/* The exact @q quantile of the ages of rows @first … @first + @n - 1. */
static gint64
exact_age_quantile (guint first, guint n, double q)
{
  g_autofree gint64 *ages = g_new (gint64, n);

  for (guint i = 0; i < n; i++)
    ages[i] = age_of_row (first + i);
  qsort (ages, n, sizeof *ages, compare_gint64);
  return ages[co2s_latency_rank (q, n) - 1];
}

/* @got must be the exact age quantile plus a wait between @wait_min_us and
 * @wait_max_us (when the rows' checkpoints could have been), within 1 %. */
static void
assert_latency (gint64 got, guint first, guint n, double q, gint64 wait_min_us, gint64 wait_max_us,
                const char *what)
{
  gint64 age = exact_age_quantile (first, n, q);
  double lo = 0.99 * (double) (age + wait_min_us);
  double hi = 1.01 * (double) (age + wait_max_us);

  if ((double) got < lo || (double) got > hi)
    g_error ("%s: q=%g latency %" G_GINT64_FORMAT " µs, expected %" G_GINT64_FORMAT " µs (age) + %"
             G_GINT64_FORMAT "…%" G_GINT64_FORMAT " µs (wait), ±1 %%", what, q, got, age, wait_min_us,
             wait_max_us);
}

static const double qs[] = { 0.5, 0.99, 0.999 };

static int
run_idle (TrainerEnv *env, const char *group, const char *extra, char **err)
{
  const char * const args[] = { "--batch-rows", G_STRINGIFY (BATCH), IDLE_ARGS, extra, NULL };

  return trainer_run (env, group, args, RUN_TIMEOUT_MS, NULL, err);
}

/* The saved histogram holds @n rows, its quantiles those of all rows. */
static void
assert_model_histogram (TrainerEnv *env, guint n, gint64 wait_min_us, gint64 wait_max_us)
{
  g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (env);

  g_assert_cmpuint (cp->latency->total, ==, n);
  for (guint k = 0; k < G_N_ELEMENTS (qs); k++)
    assert_latency (co2s_latency_histogram_quantile (cp->latency, qs[k]), 0, n, qs[k], wait_min_us,
                    wait_max_us, "model.json latency_us");
}

/* ---- /trainer/latency/known-ages --------------------------------------- */

static void
test_known_ages (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autofree char *err = NULL;
  gint64 t0 = g_get_real_time ();
  gint64 before, after;
  int status;

  trainer_env_start (&env);
  lines = lines_with_ages (N_ROWS, t0, &records);
  trainer_produce (&env, lines);

  before = g_get_real_time ();
  status = run_idle (&env, NULL, NULL, &err);
  after = g_get_real_time ();
  trainer_assert_exit_ok (status, err);

  /* Every batch: its rows' quantiles. */
  metrics = trainer_read_metrics (&env);
  g_assert_cmpuint (metrics->len, ==, N_BATCHES);
  for (guint b = 0; b < N_BATCHES; b++)
    {
      const Co2sBatchMetrics *m = &g_array_index (metrics, Co2sBatchMetrics, b);

      g_assert_cmpuint (m->rows, ==, BATCH);
      assert_latency (m->latency_p50_us, b * BATCH, BATCH, 0.5, before - t0, after - t0, "latency_p50_us");
      assert_latency (m->latency_p99_us, b * BATCH, BATCH, 0.99, before - t0, after - t0, "latency_p99_us");
      assert_latency (m->latency_p999_us, b * BATCH, BATCH, 0.999, before - t0, after - t0,
                      "latency_p999_us");
      g_assert_cmpint (m->latency_p50_us, <=, m->latency_p99_us);
      g_assert_cmpint (m->latency_p99_us, <=, m->latency_p999_us);
    }
  /* The whole run, merged. */
  assert_model_histogram (&env, N_ROWS, before - t0, after - t0);
  trainer_env_clear (&env);
}

/* ---- /trainer/latency/restart-adds -------------------------------------- */

static void
test_restart_adds (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  gint64 t0 = g_get_real_time ();
  gint64 before, after;
  int status;

  trainer_env_start (&env);
  lines = lines_with_ages (N_ROWS, t0, &records);
  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (i < N_ROWS / 2 ? first : rest, lines->pdata[i]);

  trainer_produce (&env, first);
  before = g_get_real_time ();
  status = run_idle (&env, "latency-restart", NULL, &err);
  trainer_assert_exit_ok (status, err);
  {
    g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (&env);

    g_assert_cmpuint (cp->latency->total, ==, N_ROWS / 2);
  }

  trainer_produce (&env, rest);
  status = run_idle (&env, "latency-restart", NULL, &err2);
  after = g_get_real_time ();
  trainer_assert_exit_ok (status, err2);
  assert_model_histogram (&env, N_ROWS, before - t0, after - t0);
  trainer_env_clear (&env);
}

/* ---- /trainer/latency/replay-after-crash --------------------------------- */

/* Killed after batch 7's metrics line is on disk but before its model file:
 * batch 7 is replayed by the restart and its rows are counted once. The
 * same at "checkpointed" (the model file holds batch 7; nothing replayed). */
static void
test_replay_after_crash (void)
{
  static const char *points[] = { "metrics-written", "checkpointed", "learned" };

  for (guint p = 0; p < G_N_ELEMENTS (points); p++)
    {
      TrainerEnv env;
      g_autoptr(GArray) records = NULL;
      g_autoptr(GPtrArray) lines = NULL;
      g_autoptr(Co2sTestProc) proc = NULL;
      g_autofree char *fp = g_strdup_printf ("CO2S_TRAINER_FAILPOINT=%s:7", points[p]);
      const char * const child_env[] = { fp, NULL };
      const char * const args[] = { "--batch-rows", G_STRINGIFY (BATCH), "--checkpoint-ms", "0", NULL };
      g_autofree char *err = NULL;
      g_autofree char *crash_err = NULL;
      gint64 t0 = g_get_real_time ();
      gint64 before, after;
      int status;

      trainer_env_start (&env);
      lines = lines_with_ages (N_ROWS, t0, &records);
      trainer_produce (&env, lines);

      before = g_get_real_time ();
      proc = trainer_spawn (&env, "latency-crash", args, child_env);
      status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
      co2s_test_proc_wait_closed (proc, 5000);
      crash_err = co2s_test_proc_stderr_text (proc);
      if (status != 128 + SIGKILL || strstr (crash_err, points[p]) == NULL)
        g_error ("%s did not crash the trainer (status %d):\n%s", fp, status, crash_err);
      {
        g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (&env);

        g_test_message ("%s: %" G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT " latencies saved",
                        points[p], cp->batches, cp->latency->total);
        g_assert_cmpuint (cp->latency->total, ==, cp->batches * BATCH);
      }

      status = run_idle (&env, "latency-crash", "--checkpoint-ms=0", &err);
      after = g_get_real_time ();
      trainer_assert_exit_ok (status, err);
      assert_model_histogram (&env, N_ROWS, before - t0, after - t0);
      trainer_env_clear (&env);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/latency/known-ages", test_known_ages);
  g_test_add_func ("/trainer/latency/restart-adds", test_restart_adds);
  g_test_add_func ("/trainer/latency/replay-after-crash", test_replay_after_crash);
  return g_test_run ();
}
