/* test-group-commit.c — co2stream-trainer's group commit (--checkpoint-ms,
 * --checkpoint-every) against the embedded broker: the budgets group the
 * checkpoints without changing what is learned, a trainer caught up with the
 * topic saves at once, and a trainer killed with learned batches waiting for
 * their checkpoint loses only those, which its restart learns again: the
 * end is exactly an uninterrupted run's model and metrics. The crash tests
 * of test-trainer.c run with both policies too. */
#define G_LOG_DOMAIN "test-group-commit"

#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "trainer-fixture.h"

#define N_ROWS 2000
#define BATCH 20
#define N_BATCHES 100   /* N_ROWS / BATCH */

/* The offset committed by @group for the records topic, -1 when none. */
static gint64
committed_offset (TrainerEnv *env, const char *group)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *group_kv = g_strdup_printf ("group.id=%s", group);
  const char *x[] = { group_kv, NULL };
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (env->brokers, x, &error);
  rd_kafka_topic_partition_list_t *parts;
  rd_kafka_t *rk;
  gint64 offset;

  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, &error);
  g_assert_no_error (error);
  parts = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (parts, env->topic, 0);
  g_assert_cmpint (rd_kafka_committed (rk, parts, 10000), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  offset = parts->elems[0].offset >= 0 ? parts->elems[0].offset : -1;
  rd_kafka_topic_partition_list_destroy (parts);
  rd_kafka_destroy (rk);
  return offset;
}

/* Every message of streaming_metrics, in order. */
static GPtrArray *
published_metrics (TrainerEnv *env)
{
  g_autoptr(GError) error = NULL;
  gint64 low = 0, high = 0;
  GPtrArray *messages;

  g_assert_true (co2s_test_kafka_watermarks (env->brokers, CO2S_TOPIC_METRICS, 0, &low, &high, &error));
  g_assert_no_error (error);
  messages = co2s_test_kafka_consume (env->brokers, CO2S_TOPIC_METRICS, (guint) (high - low), 20000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, high - low);
  return messages;
}

/* The live feed shows only what is on disk, each batch at most once and in
 * order, as metrics.jsonl has it. */
static void
assert_feed_within_file (TrainerEnv *env)
{
  g_autoptr(GPtrArray) published = published_metrics (env);
  g_autofree char *text = NULL;
  g_auto(GStrv) file_lines = NULL;
  guint64 last = 0;

  if (!g_file_get_contents (env->metrics_path, &text, NULL, NULL))
    text = g_strdup ("");
  file_lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; i < published->len; i++)
    {
      const Co2sTestMessage *msg = g_ptr_array_index (published, i);
      Co2sBatchMetrics m;

      g_assert_true (co2s_batch_metrics_from_json (msg->payload, msg->len, &m, NULL));
      g_assert_cmpuint (m.batch, >, last);
      g_assert_cmpuint (m.batch, <=, g_strv_length (file_lines));
      g_assert_cmpstr (msg->payload, ==, file_lines[m.batch - 1]);
      last = m.batch;
    }
}

/* "checkpoints: N" of the trainer's last log line. */
static guint64
checkpoints_said (const char *err)
{
  const char *at = strstr (err, "checkpoints: ");

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen ("checkpoints: "), NULL, 10);
}

/* ---- the budgets group checkpoints, and change nothing learned ---------- */

static void
test_budgets (void)
{
  static const struct {
    const char *args[5];
    guint64 min, max;      /* checkpoints with batches */
  } runs[] = {
    { { "--checkpoint-ms", "0", NULL }, N_BATCHES, N_BATCHES },
    /* A budget that never runs out: once, at the end (caught up). */
    { { "--checkpoint-ms", "600000", NULL }, 1, 1 },
    { { "--checkpoint-ms", "600000", "--checkpoint-every", "7", NULL },
      (N_BATCHES + 6) / 7, (N_BATCHES + 6) / 7 },
    /* The default (200 ms): grouped, however slow this machine is. */
    { { NULL }, 1, N_BATCHES / 2 },
  };
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (N_ROWS, 21, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(Co2sCheckpoint) cp = NULL;
      g_autoptr(GArray) got = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      guint64 n;
      int status;

      g_ptr_array_add (argv, (gpointer) "--batch-rows");
      g_ptr_array_add (argv, (gpointer) G_STRINGIFY (BATCH));
      g_ptr_array_add (argv, (gpointer) "--reset");
      for (guint k = 0; runs[i].args[k] != NULL; k++)
        g_ptr_array_add (argv, (gpointer) runs[i].args[k]);
      g_ptr_array_add (argv, (gpointer) "--exit-when-idle");
      g_ptr_array_add (argv, (gpointer) "1");
      g_ptr_array_add (argv, NULL);
      status = trainer_run (&env, NULL, (const char * const *) argv->pdata, RUN_TIMEOUT_MS, &out, &err);
      trainer_assert_exit_ok (status, err);

      n = checkpoints_said (err);
      g_test_message ("%s %s %s %s: %" G_GUINT64_FORMAT " checkpoints",
                      runs[i].args[0] ? runs[i].args[0] : "(default)", runs[i].args[0] ? runs[i].args[1] : "",
                      runs[i].args[0] && runs[i].args[2] ? runs[i].args[2] : "",
                      runs[i].args[0] && runs[i].args[2] ? runs[i].args[3] : "", n);
      g_assert_cmpuint (n, >=, runs[i].min);
      g_assert_cmpuint (n, <=, runs[i].max);

      /* Whatever the grouping: the same model and metrics, every batch
       * line on stdout, the same lines on the live feed. */
      cp = trainer_load_checkpoint (&env);
      g_assert_cmpuint (cp->batches, ==, N_BATCHES);
      trainer_assert_same_model (cp->model, ref);
      got = trainer_read_metrics (&env);
      trainer_assert_same_metrics (got, want);
      g_assert_true (g_str_has_prefix (out, "batch 1: 20 rows"));
      g_assert_nonnull (strstr (out, "\nbatch 100: 20 rows"));
      for (guint b = 0; b < got->len; b++)
        {
          const Co2sBatchMetrics *m = &g_array_index (got, Co2sBatchMetrics, b);

          /* Latency runs to the checkpoint that saved the batch, after it
           * was learned. */
          g_assert_true (m->latency_ms_p50 > 0 && m->latency_ms_p50 <= m->latency_ms_max);
        }
    }
  trainer_env_clear (&env);
}

/* ---- caught up: saved at once, whatever the budget ----------------------- */

static void
test_caught_up_saves_at_once (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (60, 22, 0);
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sTestProc) proc = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  const char * const args[] = { "--batch-rows", "20", "--checkpoint-ms", "600000", NULL };

  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (i < 20 ? first : rest, g_ptr_array_index (lines, i));

  trainer_env_start (&env);
  proc = trainer_spawn (&env, NULL, args, NULL);
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDERR, "assigned ", RUN_TIMEOUT_MS, NULL));

  /* A live stream the trainer keeps up with: each batch is saved (and its
   * line printed) as soon as it is learned, not 10 minutes later. */
  trainer_produce (&env, first);
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 1: 20 rows", 30000, NULL));
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->batches, ==, 1);
  g_clear_pointer (&cp, co2s_checkpoint_free);

  trainer_produce (&env, rest);
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 3: 20 rows", 30000, NULL));
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->batches, ==, 3);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 60);

  g_assert_cmpint (co2s_test_proc_terminate (proc, 20000), ==, 0);
  trainer_env_clear (&env);
}

/* ---- killed with learned batches waiting for their checkpoint ----------- */

/* Kills the trainer at @point of batch @batch (CO2S_TRAINER_FAILPOINT), in
 * group "gc-@run", and checks what it leaves: the model file holds fewer
 * batches than were learned (exactly @expect_saved when it is not -1),
 * metrics.jsonl holds the same batches, the group's committed offset is
 * not ahead of the model file, and the live feed shows nothing that is not
 * on disk. Returns the batches saved. */
static guint64
kill_in_window (TrainerEnv *env,
                const char * const *args,
                guint run,
                const char *point,
                guint batch,
                gint64 expect_saved)
{
  g_autofree char *fp = g_strdup_printf ("CO2S_TRAINER_FAILPOINT=%s:%u", point, batch);
  g_autofree char *group = g_strdup_printf ("gc-%u", run);
  const char * const child_env[] = { fp, NULL };
  g_autoptr(Co2sTestProc) proc = trainer_spawn (env, group, args, child_env);
  g_autoptr(GArray) lines = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  guint64 saved = 0;
  gint64 saved_offset = -1;
  gint64 committed;
  int status;

  status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
  co2s_test_proc_wait_closed (proc, 5000);
  err = co2s_test_proc_stderr_text (proc);
  if (status != 128 + SIGKILL || strstr (err, point) == NULL)
    g_error ("%s did not crash the trainer (status %d):\n%s", fp, status, err);

  if (g_file_test (env->model_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (env);

      saved = cp->batches;
      saved_offset = co2s_checkpoint_get_offset (cp, 0);
      g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, saved * BATCH);
    }
  g_test_message ("%s:%u: %" G_GUINT64_FORMAT " batches saved", point, batch, saved);
  g_assert_cmpuint (saved, <, batch);
  if (expect_saved >= 0)
    g_assert_cmpuint (saved, ==, (guint64) expect_saved);

  /* metrics.jsonl: the saved batches, one line each. */
  lines = trainer_read_metrics (env);
  g_assert_cmpuint (lines->len, ==, saved);
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpuint (g_array_index (lines, Co2sBatchMetrics, i).batch, ==, i + 1);

  /* stdout: no batch line after the saved ones. */
  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  {
    g_autofree char *unsaved = g_strdup_printf ("batch %" G_GUINT64_FORMAT ":", saved + 1);

    g_assert_null (strstr (out, unsaved));
  }

  committed = committed_offset (env, group);
  g_assert_cmpint (committed, <=, saved_offset);
  assert_feed_within_file (env);
  return saved;
}

static void
killed_before_checkpoint (const char * const *policy, gboolean exact)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (N_ROWS, 23, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint64 saved;
  int status;

  g_ptr_array_add (argv, (gpointer) "--batch-rows");
  g_ptr_array_add (argv, (gpointer) G_STRINGIFY (BATCH));
  for (guint i = 0; policy[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) policy[i]);
  g_ptr_array_add (argv, (gpointer) "--exit-when-idle");
  g_ptr_array_add (argv, (gpointer) "1");
  g_ptr_array_add (argv, NULL);

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  /* With groups of 16 (exact), "deferred" is sure to be reached: batches
   * 1-7 learned, their checkpoint put off, nothing saved. With the default
   * 200 ms a slow moment may make batch 7's checkpoint due, so "learned". */
  saved = kill_in_window (&env, (const char * const *) argv->pdata, 1, exact ? "deferred" : "learned", 7,
                          exact ? 0 : -1);
  /* From there to batch 40: 1-16 and 17-32 saved, 33-40 waiting. */
  saved = kill_in_window (&env, (const char * const *) argv->pdata, 2, exact ? "deferred" : "learned", 40,
                          exact ? 32 : -1);
  /* The last batch of a group learned, its checkpoint due but not begun:
   * the widest window (33-48). */
  saved = kill_in_window (&env, (const char * const *) argv->pdata, 3, "learned", (guint) saved + 16,
                          exact ? 32 : -1);

  /* The restart learns the rest: exactly an uninterrupted run. */
  status = trainer_run (&env, "gc-final", (const char * const *) argv->pdata, RUN_TIMEOUT_MS, &out, &err);
  trainer_assert_exit_ok (status, err);
  {
    g_autofree char *resumed = g_strdup_printf ("batch %" G_GUINT64_FORMAT ": 20 rows", saved + 1);

    g_assert_true (g_str_has_prefix (out, resumed));
  }
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->batches, ==, N_BATCHES);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, N_ROWS);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);
  g_assert_cmpint (committed_offset (&env, "gc-final"), ==, N_ROWS);
  assert_feed_within_file (&env);
  trainer_env_clear (&env);
}

static void
test_killed_before_checkpoint_default (void)
{
  killed_before_checkpoint ((const char * const[]) { NULL }, FALSE);
}

/* The same with groups that do not depend on time: 16 batches each (the
 * time budget never runs out), so what each crash leaves is known. */
static void
test_killed_before_checkpoint_batch_budget (void)
{
  killed_before_checkpoint ((const char * const[]) { "--checkpoint-ms", "600000",
                                                     "--checkpoint-every", "16", NULL }, TRUE);
}

/* ---- bad values: usage errors that say what is allowed -------------------- */

static void
test_bad_options (void)
{
  static const struct {
    const char *option, *value, *says;
  } cases[] = {
    { "--checkpoint-ms", "-1", "--checkpoint-ms -1: must be between 0 (after every batch) and 3600000" },
    { "--checkpoint-ms", "3600001", "--checkpoint-ms 3600001: must be between 0 (after every batch) and 3600000" },
    { "--checkpoint-every", "0", "--checkpoint-every 0: must be at least 1" },
  };
  const char * const english[] = { "LANGUAGE", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char * const argv[] = { g_getenv ("CO2S_TRAINER"), cases[i].option, cases[i].value, NULL };
      g_autoptr(Co2sTestProc) proc = co2s_test_proc_spawn_or_die (argv, english);
      g_autofree char *err = NULL;

      g_assert_cmpint (co2s_test_proc_wait_exit (proc, 10000), ==, 2);
      err = co2s_test_proc_stderr_text (proc);
      if (strstr (err, cases[i].says) == NULL)
        g_error ("%s %s: the trainer did not say \"%s\":\n%s", cases[i].option, cases[i].value,
                 cases[i].says, err);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/group-commit/bad-options", test_bad_options);
  g_test_add_func ("/trainer/group-commit/budgets", test_budgets);
  g_test_add_func ("/trainer/group-commit/caught-up-saves-at-once", test_caught_up_saves_at_once);
  g_test_add_func ("/trainer/group-commit/killed-before-checkpoint/default",
                   test_killed_before_checkpoint_default);
  g_test_add_func ("/trainer/group-commit/killed-before-checkpoint/batch-budget",
                   test_killed_before_checkpoint_batch_budget);
  return g_test_run ();
}
