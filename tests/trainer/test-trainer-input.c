/* test-trainer-input.c — co2stream-trainer facing bad input: every kind of
 * bad message (dead-letter queue), corrupt and foreign model files, pruned
 * offsets; and the whole run against a real Apache Kafka. */
#define G_LOG_DOMAIN "test-trainer-input"

#include <math.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-record-json.h"
#include "trainer-fixture.h"

/* ---- dead letters ----------------------------------------------------------- */

typedef struct {
  const char *kind;        /* test name */
  const char *reason;      /* expected "reason" header */
  Co2sColumn column;       /* the column that is broken */
  const char *value;       /* its JSON text; NULL: the key is left out */
  const char *raw;         /* or the whole payload (%u: its offset, to tell them apart) */
} BadKind;

static const BadKind bad_kinds[] = {
  { "not-json",      "not-json",      0, NULL, "{\"Engine_Size\": 2.0, \"seq\": %u, \"Cylinders\"" },
  /* JSON only to json-glib (a hex number): the detail names the member and the byte offset */
  { "non-standard",  "not-json",      CO2S_COL_CYLINDERS, "0x4", NULL },
  { "not-object",    "not-object",    0, NULL, "[2.0, 4, 9.9, 6.7, 8.5, %u]" },
  { "missing-field", "missing-field", CO2S_COL_FUEL_HWY, NULL, NULL },
  { "bad-type",      "bad-type",      CO2S_COL_CYLINDERS, "\"four\"", NULL },
  { "null",          "not-finite",    CO2S_COL_FUEL_CITY, "null", NULL },
  { "out-of-range",  "out-of-range",  CO2S_COL_ENGINE_SIZE, "55.0", NULL },
};

#define DLQ_GOOD 400
#define DLQ_PER_KIND 2
#define DLQ_BATCH 50

/* A record's JSON with one column removed or replaced by @value. */
static char *
broken_json (const Co2sRecord *r, const BadKind *kind)
{
  GString *s = g_string_new ("{");

  if (kind->raw != NULL)
    {
      g_string_printf (s, kind->raw, (guint) r->seq);
      return g_string_free (s, FALSE);
    }
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      if ((Co2sColumn) c == kind->column && kind->value == NULL)
        continue;
      if (s->len > 1)
        g_string_append_c (s, ',');
      g_string_append_printf (s, "\"%s\":", co2s_column_name (c));
      if ((Co2sColumn) c == kind->column)
        g_string_append (s, kind->value);
      else if (co2s_column_type (c) == CO2S_COLUMN_BOOLEAN)
        g_string_append (s, r->values[c] != 0 ? "true" : "false");
      else
        g_string_append (s, g_ascii_dtostr (num, sizeof num, r->values[c]));
    }
  g_string_append_printf (s, ",\"seq\":%" G_GINT64_FORMAT "}", r->seq);
  return g_string_free (s, FALSE);
}

typedef struct {
  TrainerEnv env;
  GArray *records;          /* every message's record (bad ones too) */
  gboolean *bad;
  GPtrArray *lines;
  int status;
  char *err;
  GPtrArray *dlq;           /* Co2sTestMessage */
} DlqRun;

static DlqRun *the_dlq_run;

static DlqRun *
dlq_run (void)
{
  DlqRun *run = the_dlq_run;
  g_autoptr(GArray) good = NULL;
  g_autoptr(GError) error = NULL;
  guint n_bad = G_N_ELEMENTS (bad_kinds) * DLQ_PER_KIND;
  guint total = DLQ_GOOD + n_bad;

  if (run != NULL)
    return run;
  run = the_dlq_run = g_new0 (DlqRun, 1);
  trainer_env_start (&run->env);

  /* Bad messages at fixed places among the good ones (some share a batch). */
  good = trainer_make_records (total, 7, 0);
  run->records = g_array_ref (good);
  run->bad = g_new0 (gboolean, total);
  run->lines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0, k = 0; i < total; i++)
    {
      const Co2sRecord *r = &g_array_index (run->records, Co2sRecord, i);

      if (i % 29 == 5 && k < n_bad)
        {
          run->bad[i] = TRUE;
          g_ptr_array_add (run->lines, broken_json (r, &bad_kinds[k++ % G_N_ELEMENTS (bad_kinds)]));
        }
      else
        g_ptr_array_add (run->lines, trainer_record_json (r));
    }
  trainer_produce (&run->env, run->lines);
  run->status = trainer_run (&run->env, NULL,
                             (const char * const[]) { "--batch-rows", G_STRINGIFY (DLQ_BATCH),
                                                      IDLE_ARGS, NULL },
                             RUN_TIMEOUT_MS, NULL, &run->err);
  run->dlq = co2s_test_kafka_consume (run->env.brokers, CO2S_TOPIC_DLQ, n_bad, 10000, &error);
  g_assert_no_error (error);
  return run;
}

static void
test_dlq (gconstpointer data)
{
  const BadKind *kind = data;
  DlqRun *run = dlq_run ();
  guint total = run->lines->len;
  guint n_bad = G_N_ELEMENTS (bad_kinds) * DLQ_PER_KIND;
  guint found = 0;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));

  trainer_assert_exit_ok (run->status, run->err);
  g_assert_cmpuint (run->dlq->len, ==, n_bad);

  /* Each message of this kind is in the DLQ, unchanged, with its reason. */
  for (guint i = 0, k = 0; i < total; i++)
    {
      const BadKind *expected;

      if (!run->bad[i])
        continue;
      expected = &bad_kinds[k++ % G_N_ELEMENTS (bad_kinds)];
      if (expected != kind)
        continue;
      for (guint j = 0; j < run->dlq->len; j++)
        {
          const Co2sTestMessage *msg = g_ptr_array_index (run->dlq, j);
          g_autofree char *source = g_strdup_printf ("%s[0]@%u", CO2S_TOPIC_DATA, i);

          if (g_strcmp0 (msg->payload, g_ptr_array_index (run->lines, i)) != 0)
            continue;
          g_assert_cmpstr (co2s_test_message_header (msg, "reason"), ==, kind->reason);
          g_assert_cmpstr (co2s_test_message_header (msg, "source"), ==, source);
          g_assert_nonnull (co2s_test_message_header (msg, "detail"));
          g_assert_cmpuint (strlen (co2s_test_message_header (msg, "detail")), >, 5);
          if (kind->value != NULL || kind->raw == NULL)
            g_assert_nonnull (strstr (co2s_test_message_header (msg, "detail"),
                                      co2s_column_name (kind->column)));
          if (g_strcmp0 (kind->reason, "not-json") == 0)
            g_assert_nonnull (strstr (co2s_test_message_header (msg, "detail"), " at byte offset "));
          found++;
        }
    }
  g_assert_cmpuint (found, ==, DLQ_PER_KIND);

  /* The model never saw a bad message: it is the model of the good ones,
   * with the same batch cuts (bad messages count toward a batch's size). */
  cp = trainer_load_checkpoint (&run->env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, DLQ_GOOD);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, total);
  ref = trainer_reference (run->records, run->bad, DLQ_BATCH, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&run->env);
  trainer_assert_same_metrics (got, want);
  g_assert_cmpuint (g_array_index (got, Co2sBatchMetrics, got->len - 1).dlq, ==, n_bad);
}

/* ---- corrupt or foreign model files ----------------------------------------- */

static void
test_corrupt_model (void)
{
  static const char * const corrupt[] = {
    "{ this is not json",
    "{\"format_version\": 1, \"algo\": \"ls\", \"features\": [",
    "{\"format_version\": 99}",
    "",
  };
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (150, 8, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);

  for (guint i = 0; i < G_N_ELEMENTS (corrupt); i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *kept = NULL;

      trainer_write_model_file (&env, corrupt[i]);
      status = trainer_run (&env, NULL, (const char * const[]) { IDLE_ARGS, NULL }, RUN_TIMEOUT_MS, NULL, &text);
      g_assert_cmpint (status, ==, 1);
      if (strstr (text, env.model_path) == NULL)
        g_error ("the error does not name %s:\n%s", env.model_path, text);
      g_assert_nonnull (strstr (text, "--reset"));
      /* Left as it was, for the user to look at. */
      g_assert_true (g_file_get_contents (env.model_path, &kept, NULL, NULL));
      g_assert_cmpstr (kept, ==, corrupt[i]);
    }

  /* With --reset it starts over. */
  status = trainer_run (&env, NULL, (const char * const[]) { "--reset", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 150);
  trainer_env_clear (&env);
}

/* The model file's model is the one --algo names, or the trainer refuses,
 * naming both and the ways out; a model it does not know is a usage error
 * that lists the allowed ones. Without --algo it resumes the file's. */
static void
test_model_mismatch (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (150, 9, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *usage = NULL;
  g_autofree char *resumed = NULL;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "ls:fuel", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpint (co2s_model_get_feature_set (cp->model), ==, CO2S_FEATURES_FUEL);
  g_assert_cmpuint (co2s_model_get_n_coefficients (cp->model), ==, CO2S_MAX_FEATURES);

  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "ls", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &text);
  g_assert_cmpint (status, ==, 1);
  if (strstr (text, "holds an ls:fuel model, not ls: run with --algo ls:fuel, or with --reset") == NULL)
    g_error ("the refusal does not name both models and the ways out:\n%s", text);

  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "ls:poly", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &usage);
  g_assert_cmpint (status, ==, 2);
  if (strstr (usage, "--algo: “ls:poly” is not a model") == NULL || strstr (usage, "ls:fuel") == NULL)
    g_error ("the usage error does not say what is allowed:\n%s", usage);

  status = trainer_run (&env, NULL, (const char * const[]) { IDLE_ARGS, NULL }, RUN_TIMEOUT_MS, NULL, &resumed);
  trainer_assert_exit_ok (status, resumed);
  g_assert_nonnull (strstr (resumed, "ls:fuel model"));
  trainer_env_clear (&env);
}

/* A model trained on @n other rows, saved as if it came from @cluster_id /
 * @topic at @offset, with the metrics line of its one batch. */
static void
write_foreign_checkpoint (TrainerEnv *env, guint n, const char *cluster_id, const char *topic, gint64 offset)
{
  g_autoptr(GArray) other = trainer_make_records (n, 99, 0);
  g_autoptr(GArray) metrics = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) model = trainer_reference (other, NULL, n, CO2S_ALGO_LS, metrics);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_new (model);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  cp->batches = 1;
  cp->updated_at_us = g_get_real_time ();
  cp->cluster_id = g_strdup (cluster_id);
  cp->topic = g_strdup (topic);
  co2s_checkpoint_set_offset (cp, 0, offset);
  g_assert_true (co2s_checkpoint_save (cp, env->model_path, &error));
  g_assert_no_error (error);
  co2s_batch_metrics_to_json (&g_array_index (metrics, Co2sBatchMetrics, 0), line);
  g_assert_true (g_file_set_contents (env->metrics_path, line->str, line->len, NULL));
}

static char *
cluster_id_of (const char *brokers)
{
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (brokers, NULL, &error);
  rd_kafka_t *rk;
  char *id, *copy;

  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &error);
  g_assert_no_error (error);
  id = rd_kafka_clusterid (rk, 10000);
  g_assert_nonnull (id);
  copy = g_strdup (id);
  rd_kafka_mem_free (rk, id);
  rd_kafka_destroy (rk);
  return copy;
}

/* Continues from the earliest offset with the current model, saying why. */
static void
check_continues_from_earliest (TrainerEnv *env, guint prior_rows, gint64 low, gint64 high,
                               const char *expected_words)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autofree char *err = NULL;
  int status;

  status = trainer_run (env, NULL, (const char * const[]) { "--batch-rows", "1000", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  if (strstr (err, env->model_path) == NULL || strstr (err, expected_words) == NULL ||
      strstr (err, "earliest available offset") == NULL)
    g_error ("no clear message naming %s and \"%s\":\n%s", env->model_path, expected_words, err);

  cp = trainer_load_checkpoint (env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, prior_rows + (high - low));
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, high);
  g_assert_cmpstr (cp->topic, ==, env->topic);
  /* The batch count goes on: the history continues, and so does the file. */
  metrics = trainer_read_metrics (env);
  g_assert_cmpuint (metrics->len, ==, cp->batches);
  g_assert_cmpuint (g_array_index (metrics, Co2sBatchMetrics, 0).rows_seen, ==, prior_rows);
}

/* The model learned another log (another cluster or topic): the trainer
 * says so, keeps the old files aside and learns this log from its beginning
 * with a fresh model, so no row is learned twice. */
static void
check_starts_over (TrainerEnv *env, guint prior_rows, gint64 low, gint64 high,
                   const char *expected_words)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = g_path_get_dirname (env->model_path);
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint copies = 0;
  int status;

  status = trainer_run (env, NULL, (const char * const[]) { "--batch-rows", "1000", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  if (strstr (err, env->model_path) == NULL || strstr (err, expected_words) == NULL ||
      strstr (err, "is not the log this model learned") == NULL || strstr (err, "fresh") == NULL)
    g_error ("no clear message naming %s and \"%s\":\n%s", env->model_path, expected_words, err);

  cp = trainer_load_checkpoint (env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, high - low);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, high);
  g_assert_cmpstr (cp->topic, ==, env->topic);
  metrics = trainer_read_metrics (env);
  g_assert_cmpuint (metrics->len, ==, cp->batches);
  g_assert_cmpuint (g_array_index (metrics, Co2sBatchMetrics, 0).rows_seen, ==, MIN (1000, high - low));

  /* The previous model (prior_rows) and its metrics are kept aside. */
  listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (strstr (name, ".old-log-") != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        copies++;
        if (g_str_has_prefix (name, "model."))
          {
            g_autoptr(GError) error = NULL;
            g_autoptr(Co2sCheckpoint) old = co2s_checkpoint_load (path, &error);

            g_assert_no_error (error);
            g_assert_cmpuint (co2s_model_get_rows_seen (old->model), ==, prior_rows);
          }
      }
  g_assert_cmpuint (copies, ==, 2);
}

static void
test_foreign_cluster (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (300, 9, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  write_foreign_checkpoint (&env, 120, "some-other-cluster", CO2S_TOPIC_DATA, 250);
  check_starts_over (&env, 120, 0, 300, "some-other-cluster");
  trainer_env_clear (&env);
}

static void
test_foreign_topic (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (300, 10, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autofree char *cluster = NULL;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  cluster = cluster_id_of (env.brokers);
  write_foreign_checkpoint (&env, 120, cluster, "another_topic", 250);
  check_starts_over (&env, 120, 0, 300, "another_topic");
  trainer_env_clear (&env);
}

static void
test_offsets_out_of_range (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (24000, 11, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GError) error = NULL;
  g_autofree char *cluster = NULL;
  gint64 low = -1, high = -1;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  /* The embedded broker keeps a bounded log: the first rows are gone. */
  g_assert_true (co2s_test_kafka_watermarks (env.brokers, env.topic, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (high, ==, 24000);
  if (low <= 100)
    g_error ("the broker did not prune its log (low watermark %" G_GINT64_FORMAT "): this test "
             "needs more rows", low);

  cluster = cluster_id_of (env.brokers);
  write_foreign_checkpoint (&env, 120, cluster, CO2S_TOPIC_DATA, 100);
  check_continues_from_earliest (&env, 120, low, high, "pruned");
  trainer_env_clear (&env);
}

/* ---- a real Apache Kafka ---------------------------------------------------- */

static void
test_real_kafka (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (1000, 12, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(GPtrArray) published = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file_text = NULL;
  g_auto(GStrv) file_lines = NULL;
  int status;

  trainer_env_start_real (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, NULL,
                        (const char * const[]) { "--batch-rows", "100", "--exit-when-idle", "3", NULL },
                        120000, NULL, &err);
  trainer_assert_exit_ok (status, err);

  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 1000);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 1000);
  g_assert_cmpstr (cp->topic, ==, env.topic);
  g_assert_nonnull (cp->cluster_id);
  ref = trainer_reference (records, NULL, 100, CO2S_ALGO_LS, want);
  trainer_assert_same_model (cp->model, ref);
  got = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got, want);

  /* The metrics topic is shared by every trainer on this broker: ours are
   * among its messages. */
  published = co2s_test_kafka_consume (env.brokers, CO2S_TOPIC_METRICS, G_MAXUINT, 5000, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (env.metrics_path, &file_text, NULL, NULL));
  file_lines = g_strsplit (file_text, "\n", -1);
  for (guint i = 0; file_lines[i] != NULL && *file_lines[i] != '\0'; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < published->len && !seen; j++)
        seen = g_strcmp0 (((Co2sTestMessage *) g_ptr_array_index (published, j))->payload,
                          file_lines[i]) == 0;
      if (!seen)
        g_error ("metrics line %u is not in %s: %s", i + 1, CO2S_TOPIC_METRICS, file_lines[i]);
    }
  trainer_env_clear (&env);
}

/* The run shared by the dead-letter tests stops its broker when the binary ends. */
static void
free_shared_runs (void)
{
  if (the_dlq_run != NULL)
    {
      trainer_env_clear (&the_dlq_run->env);
      g_array_unref (the_dlq_run->records);
      g_free (the_dlq_run->bad);
      g_ptr_array_unref (the_dlq_run->lines);
      g_free (the_dlq_run->err);
      g_ptr_array_unref (the_dlq_run->dlq);
      g_clear_pointer (&the_dlq_run, g_free);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/trainer/dlq/%s", bad_kinds[i].kind);

      g_test_add_data_func (path, &bad_kinds[i], test_dlq);
    }
  g_test_add_func ("/trainer/corrupt-model", test_corrupt_model);
  g_test_add_func ("/trainer/model-mismatch", test_model_mismatch);
  g_test_add_func ("/trainer/foreign-checkpoint/cluster", test_foreign_cluster);
  g_test_add_func ("/trainer/foreign-checkpoint/topic", test_foreign_topic);
  g_test_add_func ("/trainer/offsets-out-of-range", test_offsets_out_of_range);
  g_test_add_func ("/trainer/real-kafka", test_real_kafka);

  status = g_test_run ();
  free_shared_runs ();
  return status;
}
