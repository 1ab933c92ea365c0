/* test-trainer-faults.c — co2stream-trainer when what is around it fails,
 * as real processes:
 *
 *  /trainer/disk-full/metrics  metrics.jsonl cannot grow any more; and
 *  /trainer/disk-full/model    model.json cannot be written: the trainer
 *      exits 1 naming the file and the system's reason; model.json is the
 *      last complete checkpoint (loadable, equal to a reference model of its
 *      batches, no temporary file left); a restart on the still-full disk
 *      fails the same way and loses nothing; once there is room, a restart
 *      repairs metrics.jsonl to the checkpoint's batches (said on stderr)
 *      and ends with exactly the model and metrics of an uninterrupted run.
 *      The disk is made full without root: the trainer runs under
 *      prlimit --fsize (RLIMIT_FSIZE) with SIGXFSZ ignored, so a write past
 *      the limit writes what fits and then fails with EFBIG, as write()
 *      fails with ENOSPC on a full disk — the trainer handles both the same
 *      way (a failed write() or fsync()).
 *
 *  /trainer/broker-gone  (suite kafka too: a real JVM) Kafka's JVM killed
 *      with SIGKILL under a running trainer (co2stream-kafka, the test's own
 *      broker): the trainer keeps running and says it retries; nothing it
 *      saved changes; Kafka started again on the same port with the same
 *      data, it learns the rows produced since, none twice: rows_seen equals
 *      the topic's record count, and the model and metrics equal an
 *      uninterrupted run's.
 *
 *  /trainer/broker-gone/exit-when-idle  the same with a batch job
 *      (--exit-when-idle 2): the silence of a dead broker is not the end of
 *      the topic — it says it waits for the broker instead of exiting 0
 *      with part of the topic learned (as it did), then learns the rows
 *      produced once Kafka is back and exits 0 with every row learned once.
 */
#define G_LOG_DOMAIN "test-trainer-faults"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-local-kafka.h"
#include "trainer-fixture.h"

#define BATCH 100

/* The children's messages in English, whatever the test's locale. */
static const char * const english[] = { "LC_ALL=C.UTF-8", "LANGUAGE", NULL };

/* ---- helpers ------------------------------------------------------------------ */

static goffset
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("cannot stat %s: %s", path, g_strerror (errno));
  return st.st_size;
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  return text;
}

/* The first @n of @records. */
static GArray *
first_records (GArray *records, guint n)
{
  GArray *prefix = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), n);

  g_assert_cmpuint (n, <=, records->len);
  g_array_append_vals (prefix, records->data, n);
  return prefix;
}

/* model.json is a complete checkpoint: it loads, and holds exactly the
 * model of an uninterrupted run over its batches, with the offset after
 * them. Returns its batch count. */
static guint64
assert_valid_checkpoint (TrainerEnv *env, GArray *records)
{
  g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (env);
  g_autoptr(GArray) prefix = NULL;
  g_autoptr(Co2sModel) ref = NULL;

  g_assert_cmpuint (cp->batches * BATCH, <=, records->len);
  prefix = first_records (records, (guint) cp->batches * BATCH);
  ref = trainer_reference (prefix, NULL, BATCH, CO2S_ALGO_LS, NULL);
  trainer_assert_same_model (cp->model, ref);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, (gint64) cp->batches * BATCH);
  return cp->batches;
}

/* The folder holds the trainer's files and nothing else: no temporary
 * model file left by a failed write (it would take the space that is
 * missing). */
static void
assert_no_stray_files (TrainerEnv *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (env->dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strcmp (name, CO2S_MODEL_FILE) != 0 && strcmp (name, CO2S_METRICS_FILE) != 0 &&
        strcmp (name, ".lock") != 0)
      g_error ("unexpected file %s in the model folder %s", name, env->dir);
}

/* After a checkpoint failed: metrics.jsonl holds the lines of batches 1 to
 * @batches (the model file's), then maybe complete lines of batches the
 * failed checkpoint held (written before it failed), then maybe an
 * incomplete line. Returns how many lines the next start must remove;
 * *@partial is set when the last one is incomplete. */
static guint
lines_beyond_checkpoint (TrainerEnv *env, guint64 batches, gboolean *partial)
{
  g_autofree char *text = read_text (env->metrics_path);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  guint complete = n - 1;   /* the piece after the last '\n' is not a line */

  *partial = *lines[n - 1] != '\0';
  for (guint i = 0; i < complete; i++)
    {
      Co2sBatchMetrics m;
      g_autoptr(GError) error = NULL;

      if (!co2s_batch_metrics_from_json (lines[i], strlen (lines[i]), &m, &error))
        g_error ("%s line %u: %s", env->metrics_path, i + 1, error->message);
      g_assert_cmpuint (m.batch, ==, i + 1);
    }
  g_assert_cmpuint (complete, >=, batches);
  g_test_message ("metrics.jsonl: %u complete line(s) for a model file of %" G_GUINT64_FORMAT
                  " batches%s", complete, batches, *partial ? ", then an incomplete line" : "");
  return complete - (guint) batches + (*partial ? 1 : 0);
}

/* The trainer's note on start that it removed @n lines. */
static void
assert_removed (TrainerEnv *env, const char *err, guint n)
{
  g_autofree char *removed = g_strdup_printf ("%s: removed %u line(s) of batches that are not in the model file",
                                              env->metrics_path, n);

  if (n > 0 && strstr (err, removed) == NULL)
    g_error ("the restarted trainer did not say “%s”; stderr:\n%s", removed, err);
}

/* Runs the trainer under a file-size limit of @limit bytes: it must stop
 * with exit 1 and an error naming @file and EFBIG's text. Returns stderr. */
static char *
run_on_full_disk (TrainerEnv *env, goffset limit, const char *file)
{
  g_autofree char *fsize = g_strdup_printf ("--fsize=%" G_GOFFSET_FORMAT, limit);
  const char *wrapper[] = { "prlimit", fsize, "--", NULL };
  g_autoptr(Co2sTestProc) proc = trainer_spawn_wrapped (env, wrapper, NULL,
                                                        (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH),
                                                                                 IDLE_ARGS, NULL },
                                                        english);
  g_autofree char *path = g_build_filename (env->dir, file, NULL);
  g_autofree char *last_line = NULL;
  char *err;
  int status;

  status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
  g_assert_true (co2s_test_proc_wait_closed (proc, 5000));
  err = co2s_test_proc_stderr_text (proc);
  g_test_message ("the trainer on a full disk (%s of %" G_GOFFSET_FORMAT " bytes at most), exit %d:\n%s",
                  file, limit, status, err);
  if (status != 1)
    g_error ("co2stream-trainer on a full disk: want exit 1, got %d (153: killed by SIGXFSZ); stderr:\n%s",
             status, err);

  /* The last line says what failed, where and why. */
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (g_strdup (err)), "\n", -1);
    guint n = g_strv_length (lines);

    g_assert_cmpuint (n, >, 0);
    last_line = g_strdup (lines[n - 1]);
  }
  g_assert_true (g_str_has_prefix (last_line, "co2stream-trainer: "));
  if (strstr (last_line, path) == NULL || strstr (last_line, g_strerror (EFBIG)) == NULL)
    g_error ("the trainer's last line names neither %s nor “%s”: %s", path, g_strerror (EFBIG), last_line);
  return err;
}

/* The trainer on a disk with room again: it must say it removed
 * @dropped_lines line(s) of metrics.jsonl, finish with exit 0, and leave
 * exactly the model and metrics of one uninterrupted run over @records. */
static void
run_with_room_again (TrainerEnv *env, GArray *records, guint dropped_lines)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  int status;

  status = trainer_run (env, NULL,
                        (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH), IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, &out, &err);
  trainer_assert_exit_ok (status, err);
  assert_removed (env, err, dropped_lines);

  ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);
  cp = trainer_load_checkpoint (env);
  trainer_assert_same_model (cp->model, ref);
  g_assert_cmpuint (cp->batches, ==, want->len);
  got = trainer_read_metrics (env);
  trainer_assert_same_metrics (got, want);
  assert_no_stray_files (env);
}

/* ---- /trainer/disk-full/metrics ---------------------------------------------------- */

#define DISK_FULL_ROWS 4000

static void
test_disk_full_metrics (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (DISK_FULL_ROWS, 31, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  goffset model_size, metrics_size, limit;
  guint64 batches, batches2;
  guint dropped;
  gboolean partial;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  /* Five batches with room, to know the files' sizes. */
  status = trainer_run (&env, NULL,
                        (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH), "--max-rows", "500", NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  g_clear_pointer (&err, g_free);
  model_size = file_size (env.model_path);
  metrics_size = file_size (env.metrics_path);
  /* Room for model.json and about ten more lines of metrics, ending
   * somewhere inside a line. */
  limit = MAX (model_size + 512, metrics_size) + 2 * metrics_size + 37;
  g_test_message ("model.json %" G_GOFFSET_FORMAT " bytes, metrics.jsonl %" G_GOFFSET_FORMAT
                  " bytes after 5 batches: limit %" G_GOFFSET_FORMAT, model_size, metrics_size, limit);

  err = run_on_full_disk (&env, limit, CO2S_METRICS_FILE);
  /* The write wrote what fitted: metrics.jsonl is full to the byte. */
  g_assert_cmpint (file_size (env.metrics_path), ==, limit);
  batches = assert_valid_checkpoint (&env, records);
  g_assert_cmpuint (batches, >=, 5);
  g_assert_cmpuint (batches, <, DISK_FULL_ROWS / BATCH);
  /* The batches whose lines did not all fit are not in the model file. */
  dropped = lines_beyond_checkpoint (&env, batches, &partial);
  assert_no_stray_files (&env);

  /* Restarted on the still-full disk (as a supervisor would): it repairs
   * the file, learns the same batches again, and fails the same way
   * (maybe a batch later: the lines' latencies differ). */
  err2 = run_on_full_disk (&env, limit, CO2S_METRICS_FILE);
  assert_removed (&env, err2, dropped);
  batches2 = assert_valid_checkpoint (&env, records);
  g_assert_cmpuint (batches2, >=, batches);
  dropped = lines_beyond_checkpoint (&env, batches2, &partial);
  assert_no_stray_files (&env);

  /* Room again. */
  run_with_room_again (&env, records, dropped);
  trainer_env_clear (&env);
}

/* ---- /trainer/disk-full/model ------------------------------------------------------ */

static void
test_disk_full_model (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (DISK_FULL_ROWS / 4, 32, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  goffset model_size, metrics_size, limit;
  guint dropped;
  gboolean partial;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  status = trainer_run (&env, NULL,
                        (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH), "--max-rows", "200", NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  g_clear_pointer (&err, g_free);
  model_size = file_size (env.model_path);
  metrics_size = file_size (env.metrics_path);
  /* Room for the eight more lines of metrics, not for a new model.json
   * (whose size varies by a few hundred bytes with its numbers; its
   * latency histogram only grows). */
  limit = model_size - model_size / 8;
  g_test_message ("model.json %" G_GOFFSET_FORMAT " bytes, metrics.jsonl %" G_GOFFSET_FORMAT
                  " bytes after 2 batches: limit %" G_GOFFSET_FORMAT, model_size, metrics_size, limit);
  g_assert_cmpint (metrics_size * 5, <, limit);
  before = read_text (env.model_path);

  err = run_on_full_disk (&env, limit, CO2S_MODEL_FILE);
  /* model.json is the one before, byte for byte. */
  after = read_text (env.model_path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (assert_valid_checkpoint (&env, records), ==, 2);
  /* The lines of the failed checkpoint's batches were written first. */
  dropped = lines_beyond_checkpoint (&env, 2, &partial);
  g_assert_cmpuint (dropped, >=, 1);
  g_assert_false (partial);
  assert_no_stray_files (&env);

  /* Still full: the repair removes those lines, the batches are learned
   * again and their lines written again, and the model file fails again. */
  err2 = run_on_full_disk (&env, limit, CO2S_MODEL_FILE);
  assert_removed (&env, err2, dropped);
  g_clear_pointer (&after, g_free);
  after = read_text (env.model_path);
  g_assert_cmpstr (after, ==, before);
  dropped = lines_beyond_checkpoint (&env, 2, &partial);
  g_assert_cmpuint (dropped, >=, 1);
  assert_no_stray_files (&env);

  run_with_room_again (&env, records, dropped);
  trainer_env_clear (&env);
}

/* ---- /trainer/broker-gone ------------------------------------------------------------ */

#define GONE_ROWS_BEFORE 3000
#define GONE_ROWS_AFTER  2000
#define GONE_DEADLINE_MS 60000

/* Kafka's JVM killed with SIGKILL under a trainer that learned 3,000 rows,
 * started again on the same port and data, 2,000 more rows: the trainer
 * runs as the supervisor runs it (@batch_job FALSE: until SIGTERM) or as a
 * batch job (--exit-when-idle 2), which must not take the silence of a dead
 * broker for the end of the topic. */
static void
broker_gone (gboolean batch_job)
{
  g_autoptr(Co2sTestLocalKafka) kafka = co2s_test_local_kafka_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) records = trainer_make_records (GONE_ROWS_BEFORE + GONE_ROWS_AFTER, 33, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GPtrArray) lines_before = g_ptr_array_new ();
  g_autoptr(GPtrArray) lines_after = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) trainer = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autofree char *model_before = NULL;
  g_autofree char *metrics_before = NULL;
  g_autofree char *retrying = NULL;
  g_autofree char *last_batch = NULL;
  g_autofree char *err = NULL;
  TrainerEnv env = { 0 };
  gint64 low = -1, high = -1;
  int status;

  env.brokers = g_strdup (kafka->bootstrap);
  env.topic = co2s_test_unique_topic ("trainer-broker-gone");
  if (!co2s_test_kafka_create_topic (env.brokers, env.topic, 1, &error))
    g_error ("cannot create %s on %s: %s", env.topic, env.brokers, error->message);
  env.dir = co2s_test_tmpdir ();
  env.model_path = g_build_filename (env.dir, CO2S_MODEL_FILE, NULL);
  env.metrics_path = g_build_filename (env.dir, CO2S_METRICS_FILE, NULL);
  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (i < GONE_ROWS_BEFORE ? lines_before : lines_after, g_ptr_array_index (lines, i));

  trainer_produce (&env, lines_before);
  trainer = trainer_spawn (&env, NULL,
                           batch_job ? (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH),
                                                                "--exit-when-idle", "2", NULL }
                                     : (const char * const[]) { "--batch-rows", G_STRINGIFY (BATCH), NULL },
                           english);
  if (!co2s_test_proc_wait_line (trainer, CO2S_TEST_STDOUT, "^batch 30: .*rows_seen 3000$", GONE_DEADLINE_MS, NULL))
    g_error ("the trainer did not learn the first 3,000 rows; stderr:\n%s", co2s_test_proc_stderr_text (trainer));
  model_before = read_text (env.model_path);
  metrics_before = read_text (env.metrics_path);

  /* The broker crashes. The trainer says so, keeps running (a batch job
   * too: the silence is not the end of the topic), and changes nothing it
   * saved (its last batch was complete and checkpointed). */
  co2s_test_local_kafka_kill (kafka);
  retrying = g_strdup_printf ("no Kafka broker reachable at %s; retrying", env.brokers);
  if (!co2s_test_proc_wait_line (trainer, CO2S_TEST_STDERR, retrying, 30000, NULL))
    g_error ("the trainer did not say “%s” within 30 s; stderr:\n%s", retrying, co2s_test_proc_stderr_text (trainer));
  if (batch_job)
    {
      g_autofree char *waiting = g_strdup_printf ("no message for 2 s, but the broker at %s does not answer "
                                                  "\\(.*\\): waiting for it before exiting", env.brokers);

      if (!co2s_test_proc_wait_line (trainer, CO2S_TEST_STDERR, waiting, 30000, NULL))
        g_error ("the trainer did not say “%s” within 30 s (exit %d); stderr:\n%s", waiting,
                 co2s_test_proc_wait_exit (trainer, 0), co2s_test_proc_stderr_text (trainer));
    }
  g_assert_cmpint (co2s_test_proc_wait_exit (trainer, 0), ==, -1);
  {
    g_autofree char *model_now = read_text (env.model_path);
    g_autofree char *metrics_now = read_text (env.metrics_path);

    g_assert_cmpstr (model_now, ==, model_before);
    g_assert_cmpstr (metrics_now, ==, metrics_before);
  }
  g_assert_cmpuint (assert_valid_checkpoint (&env, records), ==, GONE_ROWS_BEFORE / BATCH);

  /* The same broker again (same port, same data); more rows come. */
  co2s_test_local_kafka_restart (kafka);
  g_assert_cmpint (co2s_test_proc_wait_exit (trainer, 0), ==, -1);
  trainer_produce (&env, lines_after);
  last_batch = g_strdup_printf ("^batch %u: .*rows_seen %u$", (GONE_ROWS_BEFORE + GONE_ROWS_AFTER) / BATCH,
                                GONE_ROWS_BEFORE + GONE_ROWS_AFTER);
  if (!co2s_test_proc_wait_line (trainer, CO2S_TEST_STDOUT, last_batch, GONE_DEADLINE_MS, NULL))
    g_error ("the trainer did not learn the rows produced after the broker came back (exit %d); stdout:\n%s\nstderr:\n%s",
             co2s_test_proc_wait_exit (trainer, 0), co2s_test_proc_get_text (trainer, CO2S_TEST_STDOUT),
             co2s_test_proc_stderr_text (trainer));

  if (batch_job)
    status = co2s_test_proc_wait_exit (trainer, GONE_DEADLINE_MS);
  else
    status = co2s_test_proc_terminate (trainer, 30000);
  err = co2s_test_proc_stderr_text (trainer);
  g_test_message ("the trainer's stderr:\n%s", err);
  trainer_assert_exit_ok (status, err);
  g_assert_null (strstr (err, "pruned"));
  g_assert_null (strstr (err, "is not the log this model learned"));

  /* Every row of the topic learned once: rows_seen is the topic's count,
   * and the model and metrics are an uninterrupted run's. */
  g_assert_true (co2s_test_kafka_watermarks (env.brokers, env.topic, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, GONE_ROWS_BEFORE + GONE_ROWS_AFTER);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, (guint64) high);
  ref = trainer_reference (records, NULL, BATCH, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);
  trainer_env_clear (&env);
}

static void
test_broker_gone (void)
{
  broker_gone (FALSE);
}

static void
test_broker_gone_batch_job (void)
{
  broker_gone (TRUE);
}

/* ---- main ----------------------------------------------------------------------------- */

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Inherited through exec by the trainers started under prlimit: a write
   * past the limit fails with EFBIG instead of killing the process. */
  signal (SIGXFSZ, SIG_IGN);

  g_test_add_func ("/trainer/disk-full/metrics", test_disk_full_metrics);
  g_test_add_func ("/trainer/disk-full/model", test_disk_full_model);
  g_test_add_func ("/trainer/broker-gone", test_broker_gone);
  g_test_add_func ("/trainer/broker-gone/exit-when-idle", test_broker_gone_batch_job);
  return g_test_run ();
}
