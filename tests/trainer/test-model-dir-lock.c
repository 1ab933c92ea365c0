/* test-model-dir-lock.c — one trainer per model folder: a second
 * co2stream-trainer on the same --model-dir refuses at once and names the
 * holder, and a killed holder leaves nothing that blocks the next one. */
#define G_LOG_DOMAIN "test-model-dir-lock"

#include <signal.h>
#include <string.h>

#include "trainer-fixture.h"

/* A refused trainer must be gone well before a group join (~3 s) could even
 * have let it consume. */
#define REFUSE_TIMEOUT_MS 5000
#define LOCK_BATCH "100"

/* The refusal is checked in English whatever the test's locale. */
static const char * const english[] = { "LC_ALL=C.UTF-8", "LANGUAGE", NULL };

/* Runs a second trainer (@extra: more arguments, may be NULL) on the env's
 * folder and asserts that it exits 1 at once naming @holder's pid. */
static void
assert_refused (TrainerEnv *env, GPid holder, const char * const *extra)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) second = NULL;
  g_autofree char *err = NULL;
  g_autofree char *named = g_strdup_printf ("(pid %ld, started ", (long) holder);
  int status;

  g_ptr_array_add (args, (gpointer) "--batch-rows");
  g_ptr_array_add (args, (gpointer) LOCK_BATCH);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);

  second = trainer_spawn (env, NULL, (const char * const *) args->pdata, english);
  status = co2s_test_proc_wait_exit (second, REFUSE_TIMEOUT_MS);
  err = co2s_test_proc_stderr_text (second);
  if (status != 1)
    g_error ("second trainer: want exit 1 within %d ms, got %d; stderr:\n%s",
             REFUSE_TIMEOUT_MS, status, err);
  g_assert_nonnull (strstr (err, "co2stream-trainer: the model folder "));
  g_assert_nonnull (strstr (err, env->dir));
  g_assert_nonnull (strstr (err, "is in use by another trainer"));
  g_assert_nonnull (strstr (err, named));
  g_assert_nonnull (strstr (err, "--model-dir"));
  /* Refused before it read the model file or the log. */
  g_assert_null (strstr (err, "resuming"));
  g_assert_null (strstr (err, "fresh"));
}

/* Each batch of the model once, in order. */
static void
assert_batches_once (TrainerEnv *env, guint batches)
{
  g_autoptr(GArray) metrics = trainer_read_metrics (env);

  g_assert_cmpuint (metrics->len, ==, batches);
  for (guint i = 0; i < metrics->len; i++)
    g_assert_cmpuint (g_array_index (metrics, Co2sBatchMetrics, i).batch, ==, i + 1);
}

static void
test_model_dir_locked (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (300, 11, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GPtrArray) first_lines = g_ptr_array_new ();
  g_autoptr(GPtrArray) last_lines = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  GPid holder;

  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (i < 200 ? first_lines : last_lines, lines->pdata[i]);

  trainer_env_start (&env);
  trainer_produce (&env, first_lines);
  first = trainer_spawn (&env, NULL, (const char * const[]) { "--batch-rows", LOCK_BATCH, NULL }, NULL);
  holder = co2s_test_proc_get_pid (first);
  g_assert_true (co2s_test_proc_wait_line (first, CO2S_TEST_STDOUT, "^batch 2:", RUN_TIMEOUT_MS, NULL));

  /* Its own group would read the whole topic again: refused instead. Same
   * with --reset, which must neither take the folder nor empty its files. */
  assert_refused (&env, holder, NULL);
  assert_refused (&env, holder, (const char * const[]) { "--reset", NULL });

  /* The holder never noticed: it still runs and learns. */
  g_assert_cmpint (co2s_test_proc_wait_exit (first, 0), <, 0);
  trainer_produce (&env, last_lines);
  g_assert_true (co2s_test_proc_wait_line (first, CO2S_TEST_STDOUT, "^batch 3:", RUN_TIMEOUT_MS, NULL));
  g_assert_cmpint (co2s_test_proc_terminate (first, 20000), ==, 0);

  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 300);
  g_assert_cmpuint (cp->batches, ==, 3);
  assert_batches_once (&env, 3);
  trainer_env_clear (&env);
}

static void
test_lock_released_after_kill (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (300, 12, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GPtrArray) first_lines = g_ptr_array_new ();
  g_autoptr(GPtrArray) last_lines = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *err = NULL;
  int status;

  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (i < 200 ? first_lines : last_lines, lines->pdata[i]);

  trainer_env_start (&env);
  trainer_produce (&env, first_lines);
  first = trainer_spawn (&env, NULL, (const char * const[]) { "--batch-rows", LOCK_BATCH, NULL }, NULL);
  /* Killed while it holds the lock, after its first checkpoint. */
  g_assert_true (co2s_test_proc_wait_line (first, CO2S_TEST_STDOUT, "^batch 2:", RUN_TIMEOUT_MS, NULL));
  g_assert_cmpint (co2s_test_proc_kill (first), ==, 128 + SIGKILL);

  /* The file stays behind, naming a dead holder; it must not matter. */
  lock_path = g_build_filename (env.dir, ".lock", NULL);
  g_assert_true (g_file_test (lock_path, G_FILE_TEST_IS_REGULAR));

  /* The next trainer on the folder resumes and learns the rest. */
  trainer_produce (&env, last_lines);
  status = trainer_run (&env, NULL, (const char * const[]) { "--batch-rows", LOCK_BATCH, IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  g_assert_null (strstr (err, "in use"));
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 300);
  assert_batches_once (&env, 3);
  trainer_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/model-dir-locked", test_model_dir_locked);
  g_test_add_func ("/trainer/model-dir-lock-released-after-kill", test_lock_released_after_kill);

  return g_test_run ();
}
