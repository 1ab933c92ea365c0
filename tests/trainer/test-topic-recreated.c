/* test-topic-recreated.c — co2stream-trainer on a topic that was deleted
 * and recreated while it was stopped or running (its offsets start at 0
 * again: the model file's offsets point into another log), and on a topic whose
 * start retention moved past the last record learned (the same log: no
 * alarm). Against a real Apache Kafka: the embedded broker cannot delete
 * topics or records. */
#define G_LOG_DOMAIN "test-topic-recreated"

#include <string.h>

#include "trainer-fixture.h"

#define BATCH 100
#define BATCH_ARGS "--batch-rows", G_STRINGIFY (BATCH)

/* The warning the trainer gives when the log is not the one learned. */
#define NOT_THE_LOG "is not the log this model learned"

static void
assert_mentions (const char *err, const char *what)
{
  if (strstr (err, what) == NULL)
    g_error ("the trainer's output does not say \"%s\":\n%s", what, err);
}

static void
assert_not_mentions (const char *err, const char *what)
{
  if (strstr (err, what) != NULL)
    g_error ("the trainer's output says \"%s\":\n%s", what, err);
}

/* Produces records @from … @to − 1 of @records keyed by their seq, as
 * co2stream-producer does. */
static void
produce_keyed (TrainerEnv *env, GArray *records, guint from, guint to)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint i = from; i < to; i++)
    {
      const Co2sRecord *r = &g_array_index (records, Co2sRecord, i);

      g_ptr_array_add (lines, trainer_record_json (r));
      g_ptr_array_add (keys, g_strdup_printf ("%" G_GINT64_FORMAT, r->seq));
    }
  if (!co2s_test_kafka_produce (env->brokers, env->topic, (const char * const *) lines->pdata,
                                (const char * const *) keys->pdata, lines->len, &error))
    g_error ("producing %u records to %s: %s", lines->len, env->topic, error->message);
}

/* Runs the trainer until the topic is drained; returns its stderr. */
static char *
run_trainer (TrainerEnv *env)
{
  g_autofree char *err = NULL;
  int status = trainer_run (env, NULL, (const char * const[]) { BATCH_ARGS, IDLE_ARGS, NULL },
                            RUN_TIMEOUT_MS, NULL, &err);

  trainer_assert_exit_ok (status, err);
  return g_steal_pointer (&err);
}

/* Files of the model folder whose names contain @part. */
static GPtrArray *
files_named (TrainerEnv *env, const char *part)
{
  g_autoptr(GDir) dir = g_dir_open (env->dir, 0, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, part) != NULL)
      g_ptr_array_add (found, g_build_filename (env->dir, name, NULL));
  return found;
}

/* The model folder holds exactly what an uninterrupted trainer computes
 * from @records alone: model, offset and every batch's metrics. */
static void
assert_learned_exactly (TrainerEnv *env, GArray *records)
{
  g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (env);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);
  g_autoptr(GArray) got = trainer_read_metrics (env);
  const Co2sPartitionOffset *po = co2s_checkpoint_get_position (cp, 0);

  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, records->len);
  g_assert_nonnull (po);
  g_assert_cmpint (po->next_offset, ==, records->len);
  /* The model file names the record it learned last. */
  g_assert_true (po->last.known);
  g_assert_cmpint (po->last.offset, ==, records->len - 1);
  g_assert_cmpuint (cp->batches, ==, want->len);
  trainer_assert_same_model (cp->model, ref);
  trainer_assert_same_metrics (got, want);
}

/* N rows learned; the topic deleted and recreated with M other rows (the
 * data set replayed: seq from 0 again, other values). The trainer must not
 * resume at offset N inside the new log (M > N: it would skip the new log's
 * first N rows) nor keep the old model (M < N: the log ends before offset
 * N): it says what it found, keeps the old model and metrics files aside and
 * learns the new log from its beginning into a fresh model. */
static void
test_recreated (gconstpointer data)
{
  guint m = GPOINTER_TO_UINT (data);
  const guint n = 300;
  TrainerEnv env;
  g_autoptr(GArray) first = trainer_make_records (n, 31, 0);
  g_autoptr(GArray) second = trainer_make_records (m, 32, 0);
  g_autoptr(GPtrArray) model_copies = NULL;
  g_autoptr(GPtrArray) metrics_copies = NULL;
  g_autoptr(Co2sCheckpoint) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;
  g_autofree char *old_metrics = NULL;

  trainer_env_start_real (&env);
  produce_keyed (&env, first, 0, n);
  g_free (run_trainer (&env));
  assert_learned_exactly (&env, first);

  trainer_recreate_topic (&env, 1);
  produce_keyed (&env, second, 0, m);
  err = run_trainer (&env);
  g_test_message ("%s", err);

  /* One clear warning: which topic and partition, what was expected and
   * what was found, and what the trainer does about it. */
  where = g_strdup_printf ("topic \"%s\" [0] " NOT_THE_LOG, env.topic);
  assert_mentions (err, where);
  assert_mentions (err, env.model_path);
  if (m > n)
    {
      /* Same offset, same key (seq 299 again), another record. */
      assert_mentions (err, "expected the record learned last at offset 299 (key \"299\", written ");
      assert_mentions (err, "found another one there: offset 299 (key \"299\", written ");
    }
  else
    {
      g_autofree char *ends = g_strdup_printf ("up to offset 299, but its log now ends at offset %u", m - 1);

      assert_mentions (err, ends);
    }
  assert_mentions (err, "a fresh ls model learns it from its beginning");

  /* Every row of the new log learned once, by a fresh model. */
  assert_learned_exactly (&env, second);

  /* The old model and its metrics are kept, as they were. */
  model_copies = files_named (&env, "model.old-log-");
  metrics_copies = files_named (&env, "metrics.old-log-");
  g_assert_cmpuint (model_copies->len, ==, 1);
  g_assert_cmpuint (metrics_copies->len, ==, 1);
  assert_mentions (err, g_ptr_array_index (model_copies, 0));
  old = co2s_checkpoint_load (g_ptr_array_index (model_copies, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (co2s_model_get_rows_seen (old->model), ==, n);
  g_assert_cmpint (co2s_checkpoint_get_offset (old, 0), ==, n);
  g_assert_true (g_file_get_contents (g_ptr_array_index (metrics_copies, 0), &old_metrics, NULL, NULL));
  g_assert_cmpuint (strlen (old_metrics) > 0 ? 1 : 0, ==, 1);

  /* And the next start finds the log it learned: no alarm, nothing to do. */
  g_free (err);
  err = run_trainer (&env);
  assert_not_mentions (err, NOT_THE_LOG);
  assert_learned_exactly (&env, second);
  g_ptr_array_unref (model_copies);
  model_copies = files_named (&env, "model.old-log-");
  g_assert_cmpuint (model_copies->len, ==, 1);
  trainer_env_clear (&env);
}

/* The same under a running trainer: within a few seconds it notices, keeps
 * the old files aside and learns the new log from its beginning with a
 * fresh model, discarding what it may have learned from the new log in the
 * meantime under the old model. */
static void
test_recreated_while_running (void)
{
  TrainerEnv env;
  g_autoptr(GArray) first = trainer_make_records (300, 34, 0);
  g_autoptr(GArray) second = trainer_make_records (500, 35, 0);
  g_autoptr(Co2sTestProc) proc = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;
  int status;

  trainer_env_start_real (&env);
  produce_keyed (&env, first, 0, 300);
  proc = trainer_spawn (&env, NULL, (const char * const[]) { BATCH_ARGS, NULL }, NULL);
  if (!co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 3: .*rows_seen 300$", RUN_TIMEOUT_MS, NULL))
    g_error ("the trainer did not learn the first 300 rows; stderr:\n%s", err = co2s_test_proc_stderr_text (proc));

  trainer_recreate_topic (&env, 1);
  produce_keyed (&env, second, 0, 500);

  where = g_strdup_printf ("topic \"%s\" \\[0\\] " NOT_THE_LOG ".* while the trainer ran", env.topic);
  if (!co2s_test_proc_wait_line (proc, CO2S_TEST_STDERR, where, 30000, NULL))
    g_error ("no warning that the log changed under the trainer; stderr:\n%s",
             err = co2s_test_proc_stderr_text (proc));
  /* The fresh model's batches, from 1 to the new log's end. */
  if (!co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 1: 100 rows, rmse n/a", 30000, NULL) ||
      !co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 5: .*rows_seen 500$", 30000, NULL))
    g_error ("the fresh model did not learn the new log; stderr:\n%s",
             err = co2s_test_proc_stderr_text (proc));
  status = co2s_test_proc_terminate (proc, 20000);
  err = co2s_test_proc_stderr_text (proc);
  g_test_message ("%s", err);
  trainer_assert_exit_ok (status, err);

  /* Exactly a fresh model of the new log: nothing skipped, nothing twice. */
  assert_learned_exactly (&env, second);
  copies = files_named (&env, "model.old-log-");
  g_assert_cmpuint (copies->len, ==, 1);
  trainer_env_clear (&env);
}

/* Records removed from the log's start (as retention removes them) are no
 * sign of another log, even when the record learned last is among them. */
static void
test_truncated_by_retention (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (700, 33, 0);
  g_autoptr(GPtrArray) copies = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pruned = NULL;

  trainer_env_start_real (&env);

  /* 300 rows learned, 200 more written, then everything before offset 300
   * removed: the record learned last (299) is gone, the log goes on. */
  produce_keyed (&env, records, 0, 300);
  g_free (run_trainer (&env));
  produce_keyed (&env, records, 300, 500);
  trainer_delete_records (&env, 0, 300);

  err = run_trainer (&env);
  g_test_message ("%s", err);
  assert_not_mentions (err, NOT_THE_LOG);
  assert_not_mentions (err, "pruned");
  /* Nothing was lost: the model is the one of the 500 rows, as if the
   * trainer had never stopped. */
  {
    /* The same generator and seed: the first 500 of the 700. */
    g_autoptr(GArray) first_500 = trainer_make_records (500, 33, 0);

    assert_learned_exactly (&env, first_500);
  }

  /* 200 more, and the log's start moved past the next offset too: rows
   * 500-599 are lost (said so), still the same log. */
  produce_keyed (&env, records, 500, 700);
  trainer_delete_records (&env, 0, 600);

  g_free (err);
  err = run_trainer (&env);
  g_test_message ("%s", err);
  assert_not_mentions (err, NOT_THE_LOG);
  pruned = g_strdup_printf ("offset 500 of %s [0] is out of range", env.topic);
  assert_mentions (err, pruned);
  assert_mentions (err, "older rows were pruned");
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 600);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 700);
  g_assert_cmpint (co2s_checkpoint_get_position (cp, 0)->last.offset, ==, 699);

  copies = files_named (&env, ".old-log-");
  g_assert_cmpuint (copies->len, ==, 0);
  trainer_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/trainer/topic-recreated/longer", GUINT_TO_POINTER (500), test_recreated);
  g_test_add_data_func ("/trainer/topic-recreated/shorter", GUINT_TO_POINTER (200), test_recreated);
  g_test_add_func ("/trainer/topic-recreated/while-running", test_recreated_while_running);
  g_test_add_func ("/trainer/topic-truncated-by-retention-no-false-alarm", test_truncated_by_retention);
  return g_test_run ();
}
