/* test-trainer-rotate.c — co2stream-trainer with a tiny --metrics-max-mb on
 * the embedded broker: metrics.jsonl is folded into metrics-history.jsonl
 * as it grows, a SIGKILL at each step of a rotation (CO2S_TRAINER_FAILPOINT)
 * and the restart still end with exactly an uninterrupted run's model, each
 * batch in one of the two files once, the recent lines exact and the files
 * within the budget. */
#define G_LOG_DOMAIN "test-trainer-rotate"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "co2s-metrics-rollup.h"
#include "co2s-metrics-scan.h"
#include "co2s-test-util.h"
#include "trainer-fixture.h"

#define N_ROWS 6000
#define BATCH 10
#define N_BATCHES (N_ROWS / BATCH)
#define BUDGET_MB "0.05"

static guint64
file_size (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* The history's buckets cover 1…H without gap; metrics.jsonl's lines are
 * H+1…N_BATCHES, and equal @want there. */
static void
assert_files (TrainerEnv *env, GArray *want)
{
  g_autofree char *history = co2s_metrics_history_path_for (env->metrics_path);
  g_autofree char *text = NULL;
  g_autoptr(GArray) got = trainer_read_metrics (env);
  g_autoptr(GArray) tail = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  guint64 next = 1;

  if (g_file_get_contents (history, &text, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
        {
          g_autoptr(GError) error = NULL;
          Co2sMetricsRollup r;

          g_assert_true (co2s_metrics_rollup_from_json (lines[i], strlen (lines[i]), &r, &error));
          g_assert_cmpuint (r.first_batch, ==, next);
          g_assert_cmpuint (r.count, ==, r.last_batch - r.first_batch + 1);
          g_assert_cmpuint (r.rows, ==, r.count * BATCH);
          next = r.last_batch + 1;
        }
    }
  g_assert_cmpuint (next, >, 1);   /* it did rotate */
  g_assert_cmpuint (got->len, >, 0);
  g_assert_cmpuint (g_array_index (got, Co2sBatchMetrics, 0).batch, ==, next);
  g_assert_cmpuint (next - 1 + got->len, ==, N_BATCHES);
  g_array_append_vals (tail, &g_array_index (want, Co2sBatchMetrics, next - 1), got->len);
  trainer_assert_same_metrics (got, tail);
  g_assert_cmpuint (file_size (env->metrics_path) + file_size (history), <=,
                    (guint64) (g_ascii_strtod (BUDGET_MB, NULL) * 1024 * 1024));
}

static void
test_killed_in_rotation (gconstpointer data)
{
  const char *point = data;
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (N_ROWS, 31, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *fp = g_strdup_printf ("CO2S_TRAINER_FAILPOINT=%s:200", point);
  const char * const child_env[] = { fp, NULL };
  const char * const args[] = { "--batch-rows", G_STRINGIFY (BATCH), "--checkpoint-every", "5",
                                "--checkpoint-ms", "600000", "--metrics-max-mb", BUDGET_MB,
                                "--exit-when-idle", "1", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  /* Killed in the first rotation after batch 200. */
  {
    g_autoptr(Co2sTestProc) proc = trainer_spawn (&env, "rotate-1", args, child_env);
    g_autofree char *perr = NULL;

    status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
    co2s_test_proc_wait_closed (proc, 5000);
    perr = co2s_test_proc_stderr_text (proc);
    if (status != 128 + SIGKILL || strstr (perr, point) == NULL)
      g_error ("%s did not crash the trainer (status %d):\n%s", fp, status, perr);
  }

  /* The restart learns the rest: an uninterrupted run's model, each batch
   * once in the two files. */
  status = trainer_run (&env, "rotate-2", args, RUN_TIMEOUT_MS, &out, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->batches, ==, N_BATCHES);
  trainer_assert_same_model (cp->model, ref);
  assert_files (&env, want);
  trainer_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  static const char *points[] = {
    "rotate-history-written", "rotate-history-renamed", "rotate-metrics-written", "rotate-metrics-renamed",
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *name = g_strdup_printf ("/trainer/failpoint/killed-in-%s", points[i]);

      g_test_add_data_func (name, points[i], test_killed_in_rotation);
    }
  return g_test_run ();
}
