/* test-trainer.c — co2stream-trainer against the embedded broker, real
 * processes, own synthetic data: learning, prequential metrics, checkpoints,
 * exact resume after SIGKILL, --reset. Bad input and foreign model files are
 * in test-trainer-input.c. */
#define G_LOG_DOMAIN "test-trainer"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-record-json.h"
#include "trainer-fixture.h"


/* ---- learning from a topic: one run, checked by several tests ------------- */

typedef struct {
  TrainerEnv env;
  GArray *records;
  GPtrArray *lines;
  int status;
  char *out;
  char *err;
} BasicRun;

#define BASIC_ROWS 1000
#define BASIC_BATCH 100

static BasicRun *the_basic_run;

static BasicRun *
basic_run (void)
{
  BasicRun *run = the_basic_run;

  if (run != NULL)
    return run;
  run = the_basic_run = g_new0 (BasicRun, 1);
  trainer_env_start (&run->env);
  run->records = trainer_make_records (BASIC_ROWS, 1, 0);
  run->lines = trainer_lines_of (run->records);
  trainer_produce (&run->env, run->lines);
  run->status = trainer_run (&run->env, NULL,
                             (const char * const[]) { "--batch-rows", G_STRINGIFY (BASIC_BATCH),
                                                      IDLE_ARGS, NULL },
                             RUN_TIMEOUT_MS, &run->out, &run->err);
  return run;
}

static void
test_learns_from_topic (void)
{
  BasicRun *run = basic_run ();
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(GPtrArray) published = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file_text = NULL;
  g_auto(GStrv) file_lines = NULL;
  g_auto(GStrv) out_lines = NULL;
  g_autoptr(GRegex) batch_re = g_regex_new ("^batch ([0-9]+): ([0-9]+) rows, rmse ([0-9.]+ g/km|n/a), "
                                            "mae ([0-9.]+|n/a), rows_seen ([0-9]+)$", 0, 0, NULL);
  guint n_batches = BASIC_ROWS / BASIC_BATCH;

  trainer_assert_exit_ok (run->status, run->err);

  /* The model file: every row once, at the end of the topic. */
  cp = trainer_load_checkpoint (&run->env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, BASIC_ROWS);
  g_assert_cmpuint (cp->batches, ==, n_batches);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, BASIC_ROWS);
  g_assert_cmpstr (cp->topic, ==, CO2S_TOPIC_DATA);
  g_assert_nonnull (cp->cluster_id);
  g_assert_cmpint (co2s_model_get_algo (cp->model), ==, CO2S_ALGO_LS);
  g_assert_cmpint (llabs (cp->updated_at_us - g_get_real_time ()), <, 600 * G_USEC_PER_SEC);

  /* It is exactly the model of the same batches learned in process. */
  ref = trainer_reference (run->records, NULL, BASIC_BATCH, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);

  /* metrics.jsonl: one line per batch, with the same numbers. */
  got = trainer_read_metrics (&run->env);
  trainer_assert_same_metrics (got, want);
  for (guint i = 0; i < got->len; i++)
    {
      const Co2sBatchMetrics *m = &g_array_index (got, Co2sBatchMetrics, i);

      g_assert_cmpstr (m->algo, ==, "ls");
      g_assert_cmpuint (m->dlq, ==, 0);
      /* All rows were in the topic before the trainer started. */
      g_assert_cmpint (m->lag, ==, BASIC_ROWS - (gint64) m->rows_seen);
      g_assert_true (m->latency_ms_p50 > 0 && m->latency_ms_p50 <= m->latency_ms_max);
      g_assert_cmpfloat (m->latency_ms_max, <, RUN_TIMEOUT_MS * 2.0);
      g_assert_cmpint (llabs (m->timestamp_us - g_get_real_time ()), <, 600 * G_USEC_PER_SEC);
    }

  /* streaming_metrics carries the same objects, in order. */
  published = co2s_test_kafka_consume (run->env.brokers, CO2S_TOPIC_METRICS, n_batches, 10000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (published->len, ==, n_batches);
  g_assert_true (g_file_get_contents (run->env.metrics_path, &file_text, NULL, NULL));
  file_lines = g_strsplit (file_text, "\n", -1);
  for (guint i = 0; i < n_batches; i++)
    {
      const Co2sTestMessage *msg = g_ptr_array_index (published, i);

      g_assert_cmpstr (msg->payload, ==, file_lines[i]);
    }

  /* One line per batch on stdout, as the README shows. */
  out_lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0, b = 0; out_lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *num = NULL;
      g_autofree char *rows = NULL;
      g_autofree char *seen = NULL;

      if (*out_lines[i] == '\0')
        continue;
      if (!g_regex_match (batch_re, out_lines[i], 0, &match))
        g_error ("unexpected stdout line: %s", out_lines[i]);
      b++;
      num = g_match_info_fetch (match, 1);
      rows = g_match_info_fetch (match, 2);
      seen = g_match_info_fetch (match, 5);
      /* Only the first batch has nothing to be tested on. */
      g_assert_true ((b == 1) == g_str_has_prefix (strstr (out_lines[i], "rmse "), "rmse n/a"));
      g_assert_cmpuint (g_ascii_strtoull (num, NULL, 10), ==, b);
      g_assert_cmpuint (g_ascii_strtoull (rows, NULL, 10), ==, BASIC_BATCH);
      g_assert_cmpuint (g_ascii_strtoull (seen, NULL, 10), ==, b * BASIC_BATCH);
      if (out_lines[i + 1] == NULL || *out_lines[i + 1] == '\0')
        g_assert_cmpuint (b, ==, n_batches);
    }
}

/* Least squares on @n rows of @records from @first, solved in the test
 * itself (normal equations, Gaussian elimination with partial pivoting). The
 * fuel flags sum to one, so Fuel_Type_Z is left out next to the intercept;
 * the predictions are the same for any parametrization of the fit. */
#define OLS_K (CO2S_N_FEATURES)   /* intercept + 9 features */

static void
ols_fit (GArray *records, guint first, guint n, double beta[OLS_K])
{
  double a[OLS_K][OLS_K + 1] = { { 0 } };

  for (guint r = first; r < first + n; r++)
    {
      const Co2sRecord *rec = &g_array_index (records, Co2sRecord, r);
      double f[CO2S_N_FEATURES], z[OLS_K];

      co2s_record_features (rec, f);
      z[0] = 1.0;
      for (guint j = 1; j < OLS_K; j++)
        z[j] = f[j - 1];
      for (guint i = 0; i < OLS_K; i++)
        {
          for (guint j = 0; j < OLS_K; j++)
            a[i][j] += z[i] * z[j];
          a[i][OLS_K] += z[i] * co2s_record_target (rec);
        }
    }
  for (guint c = 0; c < OLS_K; c++)
    {
      guint pivot = c;

      for (guint r = c + 1; r < OLS_K; r++)
        if (fabs (a[r][c]) > fabs (a[pivot][c]))
          pivot = r;
      for (guint j = 0; j <= OLS_K; j++)
        {
          double t = a[c][j];

          a[c][j] = a[pivot][j];
          a[pivot][j] = t;
        }
      g_assert_cmpfloat (fabs (a[c][c]), >, 1e-12);
      for (guint r = 0; r < OLS_K; r++)
        if (r != c)
          {
            double factor = a[r][c] / a[c][c];

            for (guint j = c; j <= OLS_K; j++)
              a[r][j] -= factor * a[c][j];
          }
    }
  for (guint i = 0; i < OLS_K; i++)
    beta[i] = a[i][OLS_K] / a[i][i];
}

static void
ols_errors (GArray *records, const double beta[OLS_K], guint first, guint n, double *rmse, double *mae)
{
  double se = 0, ae = 0;

  for (guint r = first; r < first + n; r++)
    {
      const Co2sRecord *rec = &g_array_index (records, Co2sRecord, r);
      double f[CO2S_N_FEATURES];
      double pred = beta[0];

      co2s_record_features (rec, f);
      for (guint j = 1; j < OLS_K; j++)
        pred += beta[j] * f[j - 1];
      se += (pred - co2s_record_target (rec)) * (pred - co2s_record_target (rec));
      ae += fabs (pred - co2s_record_target (rec));
    }
  *rmse = sqrt (se / n);
  *mae = ae / n;
}

static void
test_prequential_rmse (void)
{
  BasicRun *run = basic_run ();
  g_autoptr(GArray) got = NULL;
  const Co2sBatchMetrics *first;

  trainer_assert_exit_ok (run->status, run->err);
  got = trainer_read_metrics (&run->env);
  g_assert_cmpuint (got->len, ==, BASIC_ROWS / BASIC_BATCH);

  /* Batch 1 meets a model that has seen nothing: there is no prediction to
   * test (co2s-prequential.h), so no RMSE; its fit after learning exists. */
  first = &g_array_index (got, Co2sBatchMetrics, 0);
  g_assert_cmpuint (first->rows, ==, BASIC_BATCH);
  g_assert_true (isnan (first->rmse) && isnan (first->mae));
  g_assert_true (isfinite (first->rmse_fit));

  /* Batch k is predicted by the model of batches 1..k-1, as an offline
   * least-squares fit on those rows predicts it; and after learning, batch
   * k is fitted as the least-squares fit of batches 1..k fits it. */
  for (guint k = 2; k <= got->len; k++)
    {
      const Co2sBatchMetrics *m = &g_array_index (got, Co2sBatchMetrics, k - 1);
      double before[OLS_K], after[OLS_K];
      double rmse, mae, rmse_fit, unused;

      ols_fit (run->records, 0, (k - 1) * BASIC_BATCH, before);
      ols_errors (run->records, before, (k - 1) * BASIC_BATCH, BASIC_BATCH, &rmse, &mae);
      ols_fit (run->records, 0, k * BASIC_BATCH, after);
      ols_errors (run->records, after, (k - 1) * BASIC_BATCH, BASIC_BATCH, &rmse_fit, &unused);

      g_assert_cmpfloat_with_epsilon (m->rmse, rmse, 1e-4 * rmse);
      g_assert_cmpfloat_with_epsilon (m->mae, mae, 1e-4 * mae);
      g_assert_cmpfloat_with_epsilon (m->rmse_fit, rmse_fit, 1e-4 * rmse_fit);
      g_assert_cmpfloat (m->mae, <=, m->rmse * (1 + 1e-12));
      /* ls: the least-squares fit that includes a batch fits it at least as
       * well as the fit that did not see it. */
      g_assert_cmpfloat (m->rmse_fit, <=, m->rmse * (1 + 1e-9));
      /* The synthetic data has ~2.3 g/km of noise: learned, not diverged. */
      g_assert_cmpfloat (m->rmse, <, 5.0);
    }
}

static void
test_max_rows (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (400, 2, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autofree char *err = NULL;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  /* No --exit-when-idle: --max-rows alone ends the run, mid-batch. */
  status = trainer_run (&env, NULL, (const char * const[]) { "--batch-rows", "100", "--max-rows", "250", NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 250);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 250);
  metrics = trainer_read_metrics (&env);
  g_assert_cmpuint (metrics->len, ==, 3);
  g_assert_cmpuint (g_array_index (metrics, Co2sBatchMetrics, 2).rows, ==, 50);
  trainer_env_clear (&env);
}

static void
test_sigterm (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (250, 3, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sTestProc) proc = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autofree char *err = NULL;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  proc = trainer_spawn (&env, NULL, (const char * const[]) { "--batch-rows", "100", NULL }, NULL);
  /* Batches 1 and 2 are full; the last 50 rows wait in an open batch. */
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 2:", RUN_TIMEOUT_MS, NULL));
  co2s_test_proc_signal (proc, SIGTERM);
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 3: 50 rows", 10000, NULL));
  g_assert_cmpint (co2s_test_proc_wait_exit (proc, 20000), ==, 0);
  err = co2s_test_proc_stderr_text (proc);
  g_assert_nonnull (strstr (err, "signal"));

  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 250);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 250);
  metrics = trainer_read_metrics (&env);
  g_assert_cmpuint (metrics->len, ==, 3);
  trainer_env_clear (&env);
}

/* ---- checkpoint before commit --------------------------------------------- */

static rd_kafka_t *
group_reader (const char *brokers, const char *group)
{
  g_autoptr(GError) error = NULL;
  const char *x[] = { NULL, NULL };
  g_autofree char *group_kv = g_strdup_printf ("group.id=%s", group);
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;

  x[0] = group_kv;
  conf = co2s_kafka_conf_new (brokers, x, &error);
  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, &error);
  g_assert_no_error (error);
  return rk;
}

/* The options of the two checkpoint policies every crash test runs with:
 * the default (group commit) and --checkpoint-ms 0 (after every batch). */
static const char * const default_policy[] = { NULL };
static const char * const every_batch_policy[] = { "--checkpoint-ms", "0", NULL };

/* @base, then @policy, then IDLE_ARGS: one argv (free with g_free). */
static const char **
with_policy (const char * const *base, const char * const *policy)
{
  GPtrArray *argv = g_ptr_array_new ();

  for (guint i = 0; base[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  for (guint i = 0; policy[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) policy[i]);
  g_ptr_array_add (argv, (gpointer) "--exit-when-idle");
  g_ptr_array_add (argv, (gpointer) "1");
  g_ptr_array_add (argv, NULL);
  return (const char **) g_ptr_array_free (argv, FALSE);
}

static gboolean
is_every_batch (const char * const *policy)
{
  return policy == every_batch_policy;
}

static void
test_checkpoint_before_commit (gconstpointer data)
{
  const char * const *policy = data;
  g_autofree const char **args = with_policy ((const char * const[]) { "--batch-rows", "10", NULL }, policy);
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (8000, 4, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sTestProc) proc = NULL;
  rd_kafka_t *reader;
  guint samples = 0, samples_committed = 0;
  int status = -1;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  reader = group_reader (env.brokers, "commit-watch");

  /* Small batches: many checkpoints and commits while we watch. */
  proc = trainer_spawn (&env, "commit-watch", args, NULL);
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch 1:", RUN_TIMEOUT_MS, NULL));

  /* Freeze the trainer at arbitrary moments; while it is frozen, neither
   * the model file nor the group can move, so the two can be compared. */
  while ((status = co2s_test_proc_wait_exit (proc, 0)) < 0)
    {
      rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new (1);
      g_autoptr(Co2sCheckpoint) cp = NULL;
      g_autoptr(GError) error = NULL;
      rd_kafka_resp_err_t err;
      gint64 committed, in_file;

      co2s_test_proc_signal (proc, SIGSTOP);
      rd_kafka_topic_partition_list_add (parts, env.topic, 0);
      err = rd_kafka_committed (reader, parts, 5000);
      cp = co2s_checkpoint_load (env.model_path, &error);
      co2s_test_proc_signal (proc, SIGCONT);

      g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
      g_assert_no_error (error);
      committed = parts->elems[0].offset;
      in_file = co2s_checkpoint_get_offset (cp, 0);
      if (committed > in_file)
        g_error ("the group's committed offset %" G_GINT64_FORMAT " is ahead of the model "
                 "file's %" G_GINT64_FORMAT, committed, in_file);
      samples++;
      if (committed > 0)
        samples_committed++;
      rd_kafka_topic_partition_list_destroy (parts);
      /* Let it run a little before the next sample. */
      co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch", 20, NULL);
    }
  g_assert_cmpint (status, ==, 0);
  g_test_message ("%u samples, %u with a committed offset", samples, samples_committed);
  g_assert_cmpuint (samples_committed, >=, 3);

  /* After a clean exit both agree. */
  {
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new (1);
    g_autoptr(Co2sCheckpoint) cp = trainer_load_checkpoint (&env);

    rd_kafka_topic_partition_list_add (parts, env.topic, 0);
    g_assert_cmpint (rd_kafka_committed (reader, parts, 5000), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
    g_assert_cmpint (parts->elems[0].offset, ==, 8000);
    g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 8000);
    rd_kafka_topic_partition_list_destroy (parts);
  }
  rd_kafka_destroy (reader);
  trainer_env_clear (&env);
}

/* ---- exact resume after SIGKILL ------------------------------------------- */

/* Killed after a random number of batch lines, four times, then run to the
 * end. Batch lines are printed after the checkpoint that holds them, so each
 * kill lands while the trainer learns batches after a checkpoint: with group
 * commit, in the window where learned batches wait for the next one. */
static void
resume_after_kill (const char *model_name, const char * const *policy)
{
  TrainerEnv env;
  /* With group commit a checkpoint holds up to 200 ms of batches: more rows
   * (the embedded broker keeps about 14,000), so that the runs killed are
   * more likely to have some left to learn. */
  const guint n_rows = is_every_batch (policy) ? 3000 : 12000, batch = 20, kills = 4;
  g_autoptr(GArray) records = trainer_make_records (n_rows, 5, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  g_autofree const char **args = with_policy ((const char * const[]) { "--batch-rows", "20", "--algo",
                                                                       model_name, NULL }, policy);
  Co2sModelSpec specs[CO2S_MAX_MODELS];
  guint n_models = 0;
  guint killed_midway = 0;
  gboolean done = FALSE;
  int status;

  g_assert_true (co2s_model_spec_parse_list (model_name, specs, &n_models, NULL));
  trainer_env_start (&env);
  trainer_produce (&env, lines);

  for (guint k = 0; k < kills && !done; k++)
    {
      /* A new group each time: only the model file says where to resume. */
      g_autoptr(Co2sTestProc) proc = trainer_spawn (&env, NULL, args, NULL);
      guint wait_batches = g_test_rand_int_range (1, 25);
      g_autoptr(Co2sCheckpoint) now = NULL;

      for (guint b = 0; b < wait_batches && !done; b++)
        if (!co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^batch ", RUN_TIMEOUT_MS, NULL))
          {
            g_autofree char *text = co2s_test_proc_stderr_text (proc);

            /* A group commit may save all that is left in one checkpoint:
             * then the run ends by itself before it is killed. */
            if (is_every_batch (policy) || co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS) != 0)
              g_error ("run %u ended before batch line %u:\n%s", k + 1, b + 1, text);
            g_test_message ("run %u learned the rest of the topic before batch line %u", k + 1, b + 1);
            done = TRUE;
          }
      if (done)
        break;
      g_assert_cmpint (co2s_test_proc_kill (proc), ==, 128 + SIGKILL);
      now = trainer_load_checkpoint (&env);
      killed_midway += now->batches < n_rows / batch;
      g_test_message ("run %u killed after %u batch lines, %" G_GUINT64_FORMAT " batches saved",
                      k + 1, wait_batches, now->batches);
    }
  /* Batch lines come after their checkpoint, one per batch: killed after a
   * few of them, a run killed with --checkpoint-ms 0 has more to learn. */
  if (is_every_batch (policy))
    g_assert_cmpuint (killed_midway, ==, kills);

  status = trainer_run (&env, NULL, args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  g_assert_nonnull (strstr (err, "resuming"));

  /* The model of an uninterrupted run, every row once; with several, each
   * equals its own uninterrupted run, and the champion is the same. */
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, n_rows);
  g_assert_cmpuint (cp->batches, ==, n_rows / batch);
  g_assert_cmpuint (cp->models->len, ==, n_models);
  if (n_models == 1)
    {
      ref = trainer_reference_spec (records, NULL, batch, &specs[0], want);
      trainer_assert_same_model (cp->model, ref);
    }
  else
    {
      Co2sModel *refs[CO2S_MAX_MODELS];

      trainer_reference_models (records, batch, specs, n_models, CO2S_CHAMPION_WINDOW_DEFAULT, want, refs);
      for (guint k = 0; k < n_models; k++)
        {
          trainer_assert_same_model (co2s_checkpoint_get_model (cp, k)->model, refs[k]);
          g_object_unref (refs[k]);
        }
      g_assert_cmpint (co2s_checkpoint_find_model (cp, g_array_index (want, Co2sBatchMetrics, want->len - 1).algo),
                       ==, (int) cp->champion);
      for (guint b = 1; b < want->len; b++)
        if (strcmp (g_array_index (want, Co2sBatchMetrics, b).algo, g_array_index (want, Co2sBatchMetrics, b - 1).algo) != 0)
          g_test_message ("batch %u: champion %s", b + 1, g_array_index (want, Co2sBatchMetrics, b).algo);
    }

  /* metrics.jsonl holds each batch once, with the uninterrupted numbers. */
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);
  trainer_env_clear (&env);
}

static void
test_resume_after_kill_ls (gconstpointer policy)
{
  resume_after_kill ("ls", policy);
}

/* The fuel feature set's 35 × 35 statistics resume exactly too. */
static void
test_resume_after_kill_ls_fuel (gconstpointer policy)
{
  resume_after_kill ("ls:fuel", policy);
}

static void
test_resume_after_kill_sgd (gconstpointer policy)
{
  resume_after_kill ("sgd", policy);
}

/* Three models side by side: each resumes exactly, and so do the
 * champion windows and the choice of champion. */
static void
test_resume_after_kill_three_models (gconstpointer policy)
{
  resume_after_kill ("ls,ls:fuel,sgd", policy);
}

/* Crashes at each point of a checkpoint, on purpose (CO2S_TRAINER_FAILPOINT),
 * one after the other in the same model folder. With --checkpoint-ms 0 each
 * checkpoint holds one batch and the files are checked exactly; with group
 * commit a checkpoint holds many, and each crash point is set a few batches
 * after what the model file holds, so that every run still has it to reach. */
static void
test_resume_failpoints (gconstpointer data)
{
  static const struct {
    const char *point;
    guint batch;
  } crashes[] = {
    { "learned", 3 },
    { "metrics-written", 6 },
    { "checkpointed", 9 },
    { "committed", 12 },
  };
  const char * const *policy = data;
  TrainerEnv env;
  const guint batch = 20;
  const guint n_rows = 600;
  g_autoptr(GArray) records = trainer_make_records (n_rows, 13, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  g_autofree const char **args = with_policy ((const char * const[]) { "--batch-rows", "20", NULL }, policy);
  g_autofree char *expect_next = NULL;
  guint64 saved = 0;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  for (guint k = 0; k < G_N_ELEMENTS (crashes); k++)
    {
      guint target = MAX (crashes[k].batch, (guint) saved + 3);
      g_autofree char *fp = g_strdup_printf ("CO2S_TRAINER_FAILPOINT=%s:%u", crashes[k].point, target);
      const char * const child_env[] = { fp, NULL };
      /* Group commit: the run stops a few batches after the target (one
       * checkpoint of them all at its end, unless 200 ms pass first), so
       * that the next crash point is still ahead of the model file. */
      g_autofree char *max_rows = g_strdup_printf ("%u", (target - (guint) saved + 4) * batch);
      const char * const bounded[] = { "--batch-rows", "20", "--max-rows", max_rows, NULL };
      g_autofree const char **run_args = is_every_batch (policy) ? NULL : with_policy (bounded, policy);
      g_autoptr(Co2sTestProc) proc = trainer_spawn (&env, NULL, run_args ? run_args : args, child_env);
      g_autofree char *text = NULL;
      g_autoptr(GArray) lines_now = NULL;
      gboolean before_save = g_str_equal (crashes[k].point, "learned") ||
                             g_str_equal (crashes[k].point, "metrics-written");

      status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
      co2s_test_proc_wait_closed (proc, 5000);   /* every line it wrote has been read */
      text = co2s_test_proc_stderr_text (proc);
      if (status != 128 + SIGKILL || strstr (text, crashes[k].point) == NULL)
        g_error ("%s did not crash the trainer (status %d):\n%s", fp, status, text);
      if (expect_next != NULL && strstr (text, expect_next) == NULL)
        g_error ("after the previous crash, the restart did not say \"%s\":\n%s", expect_next, text);
      g_clear_pointer (&expect_next, g_free);

      /* The model file never runs ahead of what was learned, nor behind
       * what was committed; metrics.jsonl holds its batches, and after a
       * crash between the two writes the lines of the checkpoint that was
       * not saved, which the next start removes. */
      saved = 0;
      if (g_file_test (env.model_path, G_FILE_TEST_EXISTS))
        {
          g_autoptr(Co2sCheckpoint) now = trainer_load_checkpoint (&env);

          saved = now->batches;
          g_assert_cmpuint (co2s_model_get_rows_seen (now->model), ==, saved * batch);
        }
      lines_now = trainer_read_metrics (&env);
      if (is_every_batch (policy))
        g_assert_cmpuint (saved, ==, target - before_save);
      else if (before_save)
        g_assert_cmpuint (saved, <, target);
      else
        g_assert_cmpuint (saved, >=, target);
      if (g_str_equal (crashes[k].point, "metrics-written"))
        {
          g_assert_cmpuint (lines_now->len, >=, target);
          expect_next = g_strdup_printf ("removed %" G_GUINT64_FORMAT " line(s)", lines_now->len - saved);
        }
      else
        g_assert_cmpuint (lines_now->len, ==, saved);
      g_test_message ("%s:%u: %" G_GUINT64_FORMAT " batches saved, %u lines", crashes[k].point, target,
                      saved, lines_now->len);
    }

  status = trainer_run (&env, NULL, args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);

  cp = trainer_load_checkpoint (&env);
  ref = trainer_reference (records, NULL, batch, CO2S_ALGO_LS, want);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, n_rows);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);
  trainer_env_clear (&env);
}

/* --checkpoint-every 3 (and a time budget that never runs out): metrics
 * still per batch; a crash loses only what no checkpoint holds yet, and the
 * redone batches' lines are written once. The topic is there before the
 * trainer starts, so it is caught up (and saves at once) only at its end. */
static void
test_checkpoint_every (void)
{
  TrainerEnv env;
  const guint n_rows = 200, batch = 20;
  g_autoptr(GArray) records = trainer_make_records (n_rows, 14, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char * const args[] = { "--batch-rows", "20", "--checkpoint-every", "3",
                                "--checkpoint-ms", "600000", IDLE_ARGS, NULL };
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  /* Killed with batches 4 and 5 learned: the model file holds 3, and so
   * does metrics.jsonl. */
  {
    const char * const child_env[] = { "CO2S_TRAINER_FAILPOINT=learned:5", NULL };
    g_autoptr(Co2sTestProc) proc = trainer_spawn (&env, NULL, args, child_env);
    g_autoptr(Co2sCheckpoint) now = NULL;
    g_autoptr(GArray) lines_now = NULL;

    g_assert_cmpint (co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS), ==, 128 + SIGKILL);
    now = trainer_load_checkpoint (&env);
    g_assert_cmpuint (now->batches, ==, 3);
    lines_now = trainer_read_metrics (&env);
    g_assert_cmpuint (lines_now->len, ==, 3);
  }
  /* Killed with the lines of batches 7–9 written, their checkpoint not. */
  {
    const char * const child_env[] = { "CO2S_TRAINER_FAILPOINT=metrics-written:9", NULL };
    g_autoptr(Co2sTestProc) proc = trainer_spawn (&env, NULL, args, child_env);
    g_autoptr(Co2sCheckpoint) now = NULL;
    g_autoptr(GArray) lines_now = NULL;

    g_assert_cmpint (co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS), ==, 128 + SIGKILL);
    now = trainer_load_checkpoint (&env);
    g_assert_cmpuint (now->batches, ==, 6);
    lines_now = trainer_read_metrics (&env);
    g_assert_cmpuint (lines_now->len, ==, 9);
  }

  status = trainer_run (&env, NULL, args, RUN_TIMEOUT_MS, &out, &err);
  trainer_assert_exit_ok (status, err);
  g_assert_nonnull (strstr (err, "removed 3 line(s)"));
  /* This run redid batches 7–10: one stdout line each. */
  g_assert_true (g_str_has_prefix (out, "batch 7: 20 rows"));
  g_assert_nonnull (strstr (out, "\nbatch 10: 20 rows"));

  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->batches, ==, n_rows / batch);
  ref = trainer_reference (records, NULL, batch, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);
  trainer_env_clear (&env);
}

/* ---- drift alarm ------------------------------------------------------------ */

/* CO₂ 1.2 times higher from row 3,000 on: the batch that raises the alarm
 * says so in its metrics line (and so in streaming_metrics) and in the log,
 * within 20 batches of 100; none before; the 95 % intervals' coverage
 * falls with it; the uninterrupted reference computes the same alarms,
 * statistics and coverages, which the resume tests compare after SIGKILLs
 * too. */
static void
test_drift_alarm (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (5000, 12, 0);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autofree char *err = NULL;
  const char * const args[] = { "--batch-rows", "100", IDLE_ARGS, NULL };
  guint64 first_alarm = 0;
  int status;

  for (guint i = 3000; i < records->len; i++)
    {
      Co2sRecord *r = &g_array_index (records, Co2sRecord, i);

      r->values[CO2S_COL_CO2] = round (r->values[CO2S_COL_CO2] * 1.2);
    }
  lines = trainer_lines_of (records);
  trainer_env_start (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, NULL, args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);

  got = trainer_read_metrics (&env);
  for (guint i = 0; i < got->len && first_alarm == 0; i++)
    if (g_array_index (got, Co2sBatchMetrics, i).drift_alarm)
      first_alarm = g_array_index (got, Co2sBatchMetrics, i).batch;
  g_test_message ("first drift alarm at batch %" G_GUINT64_FORMAT " (rows %" G_GUINT64_FORMAT ")",
                  first_alarm, first_alarm * 100);
  g_assert_cmpuint (first_alarm, >, 30);
  g_assert_cmpuint (first_alarm, <=, 50);
  if (strstr (err, "drift alarm") == NULL)
    g_error ("the log does not report the alarm:\n%s", err);

  /* Before the change the 95 % intervals hold; after it they fail. */
  {
    double before = 0, after = 0;

    for (guint i = 10; i < 30; i++)
      before += g_array_index (got, Co2sBatchMetrics, i).coverage_95 / 20;
    for (guint i = 30; i < 32; i++)
      after += g_array_index (got, Co2sBatchMetrics, i).coverage_95 / 2;
    g_test_message ("coverage_95: %.3f over batches 11-30, %.3f over batches 31-32", before, after);
    g_assert_cmpfloat (before, >=, 0.85);
    g_assert_cmpfloat (after, <, 0.5);
  }

  ref = trainer_reference (records, NULL, 100, CO2S_ALGO_LS, want);
  trainer_assert_same_metrics (got, want);
  trainer_env_clear (&env);
}

/* ---- --reset ---------------------------------------------------------------- */

static void
test_reset_replay (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (500, 6, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char * const args[] = { "--batch-rows", "100", IDLE_ARGS, NULL };
  const char * const reset_args[] = { "--batch-rows", "100", "--reset", IDLE_ARGS, NULL };
  int status;

  g_autofree char *first_hash = NULL;
  g_autofree char *first_file = NULL;
  g_autofree char *replay_hash = NULL;
  const Co2sPartitionOffset *po;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, "reset-group", args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  g_clear_pointer (&err, g_free);
  cp = trainer_load_checkpoint (&env);
  first_hash = co2s_checkpoint_dup_params_sha256 (cp);
  g_clear_pointer (&cp, co2s_checkpoint_free);
  g_assert_true (g_file_get_contents (env.model_path, &first_file, NULL, NULL));

  /* Same group: its committed offsets are at the end, and --reset must
   * ignore them as well as the model file's. */
  status = trainer_run (&env, "reset-group", reset_args, RUN_TIMEOUT_MS, &out, &err);
  trainer_assert_exit_ok (status, err);
  g_assert_true (g_str_has_prefix (out, "batch 1: 100 rows"));

  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 500);
  g_assert_cmpuint (cp->batches, ==, 5);

  /* The model is what the log says: version 5, offsets [0, 500) of the
   * one partition, and the replay's parameters hash as the first run's. */
  replay_hash = co2s_checkpoint_dup_params_sha256 (cp);
  g_test_message ("params_sha256 %s, replayed %s", first_hash, replay_hash);
  g_assert_cmpstr (replay_hash, ==, first_hash);
  g_assert_nonnull (strstr (first_file, first_hash));
  g_assert_nonnull (strstr (first_file, "\"version\" : 5"));
  g_assert_cmpuint (cp->offsets->len, ==, 1);
  po = &g_array_index (cp->offsets, Co2sPartitionOffset, 0);
  g_assert_cmpint (po->first_offset, ==, 0);
  g_assert_cmpint (po->next_offset, ==, 500);
  ref = trainer_reference (records, NULL, 100, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);

  /* A plain restart afterwards has nothing left to learn. */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&cp, co2s_checkpoint_free);
  status = trainer_run (&env, "reset-group", args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 500);
  trainer_env_clear (&env);
}

/* The runs shared by several tests stop their brokers when the binary ends. */
static void
free_shared_runs (void)
{
  if (the_basic_run != NULL)
    {
      trainer_env_clear (&the_basic_run->env);
      g_array_unref (the_basic_run->records);
      g_ptr_array_unref (the_basic_run->lines);
      g_free (the_basic_run->out);
      g_free (the_basic_run->err);
      g_clear_pointer (&the_basic_run, g_free);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/learns-from-topic", test_learns_from_topic);
  g_test_add_func ("/trainer/prequential-rmse", test_prequential_rmse);
  g_test_add_func ("/trainer/max-rows", test_max_rows);
  g_test_add_func ("/trainer/sigterm", test_sigterm);
  /* Each crash test with both checkpoint policies. */
  g_test_add_data_func ("/trainer/checkpoint-before-commit/group-commit", default_policy,
                        test_checkpoint_before_commit);
  g_test_add_data_func ("/trainer/checkpoint-before-commit/checkpoint-ms-0", every_batch_policy,
                        test_checkpoint_before_commit);
  g_test_add_data_func ("/trainer/resume-after-kill/group-commit/ls", default_policy,
                        test_resume_after_kill_ls);
  g_test_add_data_func ("/trainer/resume-after-kill/group-commit/sgd", default_policy,
                        test_resume_after_kill_sgd);
  g_test_add_data_func ("/trainer/resume-after-kill/group-commit/ls-fuel", default_policy,
                        test_resume_after_kill_ls_fuel);
  g_test_add_data_func ("/trainer/resume-after-kill/group-commit/three-models", default_policy,
                        test_resume_after_kill_three_models);
  g_test_add_data_func ("/trainer/resume-after-kill/group-commit/failpoints", default_policy,
                        test_resume_failpoints);
  g_test_add_data_func ("/trainer/resume-after-kill/checkpoint-ms-0/ls", every_batch_policy,
                        test_resume_after_kill_ls);
  g_test_add_data_func ("/trainer/resume-after-kill/checkpoint-ms-0/sgd", every_batch_policy,
                        test_resume_after_kill_sgd);
  g_test_add_data_func ("/trainer/resume-after-kill/checkpoint-ms-0/failpoints", every_batch_policy,
                        test_resume_failpoints);
  g_test_add_func ("/trainer/checkpoint-every", test_checkpoint_every);
  g_test_add_func ("/trainer/reset-replay", test_reset_replay);
  g_test_add_func ("/trainer/drift-alarm", test_drift_alarm);

  status = g_test_run ();
  free_shared_runs ();
  return status;
}
