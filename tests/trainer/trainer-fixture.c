/* trainer-fixture.c — shared pieces of the trainer's integration tests. */
#define G_LOG_DOMAIN "trainer-fixture"

#include "trainer-fixture.h"

#include <math.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-drift.h"
#include "co2s-kafka.h"
#include "co2s-prequential.h"
#include "co2s-record-json.h"

void
trainer_env_start (TrainerEnv *env)
{
  memset (env, 0, sizeof *env);
  env->broker = co2s_test_embedded_broker_start (NULL, &env->brokers);
  env->topic = g_strdup (CO2S_TOPIC_DATA);
  env->dir = co2s_test_tmpdir ();
  env->model_path = g_build_filename (env->dir, CO2S_MODEL_FILE, NULL);
  env->metrics_path = g_build_filename (env->dir, CO2S_METRICS_FILE, NULL);
}

void
trainer_env_start_real (TrainerEnv *env)
{
  g_autoptr(GError) error = NULL;

  memset (env, 0, sizeof *env);
  env->brokers = g_strdup (co2s_test_kafka_brokers ());
  env->topic = co2s_test_unique_topic ("trainer");
  if (!co2s_test_kafka_create_topic (env->brokers, env->topic, 1, &error))
    g_error ("cannot create %s on %s: %s", env->topic, env->brokers, error->message);
  env->dir = co2s_test_tmpdir ();
  env->model_path = g_build_filename (env->dir, CO2S_MODEL_FILE, NULL);
  env->metrics_path = g_build_filename (env->dir, CO2S_METRICS_FILE, NULL);
}

void
trainer_env_clear (TrainerEnv *env)
{
  g_clear_pointer (&env->broker, co2s_test_proc_free);
  g_clear_pointer (&env->brokers, g_free);
  g_clear_pointer (&env->topic, g_free);
  g_clear_pointer (&env->dir, g_free);
  g_clear_pointer (&env->model_path, g_free);
  g_clear_pointer (&env->metrics_path, g_free);
}

static double
round_to (double v, double step)
{
  return round (v / step) * step;
}

GArray *
trainer_make_records (guint n, guint32 seed, gint64 first_seq)
{
  /* Close to linear in the features, as the real data set is. */
  static const struct {
    Co2sColumn column;
    double offset;       /* g/km added by the fuel type */
  } fuels[] = {
    { CO2S_COL_FUEL_X, 0 }, { CO2S_COL_FUEL_Z, 3 }, { CO2S_COL_FUEL_D, 28 },
    { CO2S_COL_FUEL_E, -55 }, { CO2S_COL_FUEL_N, -40 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GArray *records = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), n);
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < n; i++)
    {
      Co2sRecord r;
      double engine = round_to (g_rand_double_range (rand, 1.0, 6.5), 0.1);
      double city = round_to (4.5 + 2.3 * engine + g_rand_double_range (rand, -1.0, 2.5), 0.1);
      double hwy = round_to (0.68 * city + g_rand_double_range (rand, -0.8, 0.8), 0.1);
      double comb = round_to (0.55 * city + 0.45 * hwy, 0.1);
      guint f = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (fuels));

      co2s_record_init (&r);
      r.seq = first_seq + i;
      r.emit_us = now;
      r.values[CO2S_COL_ENGINE_SIZE] = engine;
      r.values[CO2S_COL_CYLINDERS] = engine < 2.6 ? 4 : engine < 4.1 ? 6 : 8;
      r.values[CO2S_COL_FUEL_CITY] = city;
      r.values[CO2S_COL_FUEL_HWY] = hwy;
      r.values[CO2S_COL_FUEL_COMB] = comb;
      r.values[CO2S_COL_FUEL_COMB_MPG] = round (235.215 / comb);
      r.values[CO2S_COL_CO2] = round (23.0 * comb + 2.0 * engine + fuels[f].offset +
                                      g_rand_double_range (rand, -4, 4));
      for (guint k = 0; k < G_N_ELEMENTS (fuels); k++)
        r.values[fuels[k].column] = k == f ? 1.0 : 0.0;
      g_assert_true (co2s_record_validate (&r, NULL));
      g_array_append_val (records, r);
    }
  return records;
}

char *
trainer_record_json (const Co2sRecord *record)
{
  GString *s = g_string_new (NULL);

  co2s_record_to_json (record, s);
  g_assert_true (s->len > 0 && s->str[s->len - 1] == '\n');
  g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

GPtrArray *
trainer_lines_of (GArray *records)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (lines, trainer_record_json (&g_array_index (records, Co2sRecord, i)));
  return lines;
}

void
trainer_produce (TrainerEnv *env, GPtrArray *lines)
{
  g_autoptr(GError) error = NULL;

  if (!co2s_test_kafka_produce (env->brokers, env->topic, (const char * const *) lines->pdata,
                                NULL, lines->len, &error))
    g_error ("producing %u lines to %s: %s", lines->len, env->topic, error->message);
}

Co2sTestProc *
trainer_spawn (TrainerEnv *env,
               const char *group,
               const char * const *extra,
               const char * const *child_env)
{
  return trainer_spawn_wrapped (env, NULL, group, extra, child_env);
}

Co2sTestProc *
trainer_spawn_wrapped (TrainerEnv *env,
                       const char * const *wrapper,
                       const char *group,
                       const char * const *extra,
                       const char * const *child_env)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *own_group = NULL;

  if (group == NULL)
    group = own_group = g_strdup_printf ("trainer-test-%u", ++env->runs);

  for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (wrapper[i]));
  g_ptr_array_add (argv, g_strdup (co2s_test_program ("CO2S_TRAINER")));
  for (const char * const *a = (const char * const[]) {
         "--brokers", env->brokers, "--topic", env->topic, "--group", group,
         "--model-dir", env->dir, "--batch-ms", "600000", NULL };
       *a != NULL; a++)
    g_ptr_array_add (argv, g_strdup (*a));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);
  return co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, child_env);
}

int
trainer_run (TrainerEnv *env,
             const char *group,
             const char * const *extra,
             guint timeout_ms,
             char **out,
             char **err)
{
  g_autoptr(Co2sTestProc) proc = trainer_spawn (env, group, extra, NULL);
  int status = co2s_test_proc_wait_exit (proc, timeout_ms);

  if (status < 0)
    {
      g_autofree char *text = co2s_test_proc_stderr_text (proc);

      g_error ("co2stream-trainer did not finish within %u ms; stderr:\n%s", timeout_ms, text);
    }
  g_assert_true (co2s_test_proc_wait_closed (proc, 5000));
  if (out != NULL)
    *out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  if (err != NULL)
    *err = co2s_test_proc_stderr_text (proc);
  return status;
}

Co2sCheckpoint *
trainer_load_checkpoint (TrainerEnv *env)
{
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *cp = co2s_checkpoint_load (env->model_path, &error);

  if (cp == NULL)
    g_error ("cannot load %s: %s", env->model_path, error->message);
  return cp;
}

GArray *
trainer_read_metrics (TrainerEnv *env)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *metrics = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));

  if (!g_file_get_contents (env->metrics_path, &text, NULL, &error))
    g_error ("%s", error->message);
  if (*text != '\0')
    g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      Co2sBatchMetrics m;

      if (!co2s_batch_metrics_from_json (lines[i], strlen (lines[i]), &m, &error))
        g_error ("%s line %u: %s", env->metrics_path, i + 1, error->message);
      g_array_append_val (metrics, m);
    }
  return metrics;
}

Co2sModel *
trainer_reference (GArray *records,
                   const gboolean *bad,
                   guint batch_rows,
                   Co2sAlgo algo,
                   GArray *metrics)
{
  const Co2sModelSpec spec = { algo, CO2S_FEATURES_BASE };

  return trainer_reference_spec (records, bad, batch_rows, &spec, metrics);
}

Co2sModel *
trainer_reference_spec (GArray *records,
                        const gboolean *bad,
                        guint batch_rows,
                        const Co2sModelSpec *spec,
                        GArray *metrics)
{
  Co2sModel *model = co2s_model_new_for_spec (spec);
  g_autoptr(Co2sConformal) conformal = co2s_conformal_new (CO2S_CONFORMAL_DEFAULT_LEVEL,
                                                           CO2S_CONFORMAL_DEFAULT_WINDOW);
  Co2sDrift drift;
  g_autofree double *x = g_new (double, (gsize) batch_rows * CO2S_N_FEATURES);
  g_autofree double *y = g_new (double, batch_rows);

  co2s_drift_init (&drift, NULL);
  for (guint start = 0; start < records->len; start += batch_rows)
    {
      guint end = MIN (start + batch_rows, records->len);
      Co2sBatchMetrics m = { 0 };
      guint n = 0;

      for (guint i = start; i < end; i++)
        {
          const Co2sRecord *r = &g_array_index (records, Co2sRecord, i);

          if (bad != NULL && bad[i])
            continue;
          co2s_record_features (r, &x[(gsize) n * CO2S_N_FEATURES]);
          y[n++] = co2s_record_target (r);
        }
      if (n > 0)
        co2s_prequential_step_with_intervals (model, conformal, x, y, n, &m);
      else
        {
          m.rmse = m.mae = m.rmse_fit = m.coverage_95 = NAN;
          m.rows_seen = co2s_model_get_rows_seen (model);
        }
      m.rows = n;
      m.batch = start / batch_rows + 1;
      m.drift_alarm = co2s_drift_update (&drift, m.rmse);
      m.drift_statistic = co2s_drift_get_statistic (&drift);
      if (metrics != NULL)
        g_array_append_val (metrics, m);
    }
  return model;
}

void
trainer_reference_models (GArray *records,
                          guint batch_rows,
                          const Co2sModelSpec *specs,
                          guint n,
                          guint window,
                          GArray *metrics,
                          Co2sModel **models_out)
{
  g_autoptr(GPtrArray) each = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) picked = g_array_new (FALSE, FALSE, sizeof (guint));
  guint champion = 0;
  guint n_batches;

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, CO2S_METRICS_MAX_MODELS);
  for (guint k = 0; k < n; k++)
    {
      GArray *m = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));

      models_out[k] = trainer_reference_spec (records, NULL, batch_rows, &specs[k], m);
      g_ptr_array_add (each, m);
    }
  n_batches = ((GArray *) each->pdata[0])->len;
  for (guint b = 0; b < n_batches; b++)
    {
      Co2sBatchMetrics out = g_array_index ((GArray *) each->pdata[0], Co2sBatchMetrics, b);
      double best = NAN;

      out.n_models = n;
      for (guint k = 0; k < n; k++)
        {
          const GArray *mk = each->pdata[k];
          const Co2sBatchMetrics *w = &g_array_index (mk, Co2sBatchMetrics, b);
          Co2sModelMetrics *mm = &out.models[k];
          double sse = 0;
          guint64 rows = 0;

          co2s_model_spec_to_string (&specs[k], mm->name);
          mm->rmse = w->rmse;
          mm->mae = w->mae;
          mm->coverage_95 = w->coverage_95;
          mm->drift_alarm = w->drift_alarm;
          /* The last @window scored batches, summed oldest first (the
           * trainer's order, for equal bits). */
          g_array_set_size (picked, 0);
          for (guint j = b + 1; j-- > 0 && picked->len < window;)
            {
              const Co2sBatchMetrics *o = &g_array_index (mk, Co2sBatchMetrics, j);

              if (isfinite (o->rmse) && o->rows > 0)
                g_array_prepend_val (picked, j);
            }
          for (guint q = 0; q < picked->len; q++)
            {
              const Co2sBatchMetrics *o = &g_array_index (mk, Co2sBatchMetrics, g_array_index (picked, guint, q));

              sse += o->rmse * o->rmse * o->rows;
              rows += o->rows;
            }
          mm->rolling_rmse = rows > 0 ? sqrt (sse / rows) : NAN;
        }
      best = out.models[champion].rolling_rmse;
      for (guint k = 0; k < n; k++)
        if (isfinite (out.models[k].rolling_rmse) && (!isfinite (best) || out.models[k].rolling_rmse < best))
          {
            champion = k;
            best = out.models[k].rolling_rmse;
          }
      {
        const Co2sBatchMetrics *c = &g_array_index ((GArray *) each->pdata[champion], Co2sBatchMetrics, b);

        out.rmse = c->rmse;
        out.mae = c->mae;
        out.rmse_fit = c->rmse_fit;
        out.coverage_95 = c->coverage_95;
        out.drift_alarm = c->drift_alarm;
        out.drift_statistic = c->drift_statistic;
        co2s_model_spec_to_string (&specs[champion], out.algo);
      }
      g_array_append_val (metrics, out);
    }
}

static void
assert_same_double (const char *what, guint i, double a, double b)
{
  if (isnan (a) && isnan (b))
    return;
  if (memcmp (&a, &b, sizeof a) != 0)
    g_error ("%s %u: %.17g != %.17g", what, i, a, b);
}

void
trainer_assert_same_model (Co2sModel *a, Co2sModel *b)
{
  double ca[CO2S_MAX_FEATURES], cb[CO2S_MAX_FEATURES];
  double ia, ib;

  g_assert_cmpint (co2s_model_get_algo (a), ==, co2s_model_get_algo (b));
  g_assert_cmpint (co2s_model_get_feature_set (a), ==, co2s_model_get_feature_set (b));
  g_assert_cmpuint (co2s_model_get_rows_seen (a), ==, co2s_model_get_rows_seen (b));
  co2s_model_get_coefficients (a, ca, &ia);
  co2s_model_get_coefficients (b, cb, &ib);
  for (guint i = 0; i < co2s_model_get_n_coefficients (a); i++)
    assert_same_double ("coefficient", i, ca[i], cb[i]);
  assert_same_double ("intercept", 0, ia, ib);
}

void
trainer_assert_same_metrics (GArray *got, GArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      const Co2sBatchMetrics *g = &g_array_index (got, Co2sBatchMetrics, i);
      const Co2sBatchMetrics *w = &g_array_index (want, Co2sBatchMetrics, i);

      g_assert_cmpuint (g->batch, ==, w->batch);
      g_assert_cmpuint (g->rows, ==, w->rows);
      g_assert_cmpuint (g->rows_seen, ==, w->rows_seen);
      assert_same_double ("rmse of batch", i + 1, g->rmse, w->rmse);
      assert_same_double ("mae of batch", i + 1, g->mae, w->mae);
      assert_same_double ("rmse_fit of batch", i + 1, g->rmse_fit, w->rmse_fit);
      assert_same_double ("coverage_95 of batch", i + 1, g->coverage_95, w->coverage_95);
      g_assert_cmpint (g->drift_alarm, ==, w->drift_alarm);
      assert_same_double ("drift statistic of batch", i + 1, g->drift_statistic, w->drift_statistic);
      g_assert_cmpuint (g->n_models, ==, w->n_models);
      if (w->n_models > 0)
        g_assert_cmpstr (g->algo, ==, w->algo);
      for (guint k = 0; k < w->n_models; k++)
        {
          g_assert_cmpstr (g->models[k].name, ==, w->models[k].name);
          assert_same_double ("a model's rmse of batch", i + 1, g->models[k].rmse, w->models[k].rmse);
          assert_same_double ("a model's mae of batch", i + 1, g->models[k].mae, w->models[k].mae);
          assert_same_double ("a model's coverage_95 of batch", i + 1, g->models[k].coverage_95,
                              w->models[k].coverage_95);
          assert_same_double ("a model's rolling_rmse of batch", i + 1, g->models[k].rolling_rmse,
                              w->models[k].rolling_rmse);
          g_assert_cmpint (g->models[k].drift_alarm, ==, w->models[k].drift_alarm);
        }
    }
}

/* An admin client (a producer handle) on @brokers. */
static rd_kafka_t *
admin_handle (const char *brokers)
{
  g_autoptr(GError) error = NULL;
  static const char * const props[] = { "allow.auto.create.topics=false", NULL };
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (brokers, props, &error);
  rd_kafka_t *rk;

  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &error);
  g_assert_no_error (error);
  return rk;
}

/* Waits for the one admin result on @queue and returns its event, failing
 * the test on a request-level error. */
static rd_kafka_event_t *
admin_result (rd_kafka_queue_t *queue, const char *what)
{
  rd_kafka_event_t *event = rd_kafka_queue_poll (queue, 30000);

  if (event == NULL)
    g_error ("%s: no answer within 30 s", what);
  if (rd_kafka_event_error (event) != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_error ("%s: %s", what, rd_kafka_event_error_string (event));
  return event;
}

typedef struct {
  rd_kafka_t *rk;
  TrainerEnv *env;
  int partitions;
  char *last_error;
} TopicWait;

/* TRUE once the broker's metadata no longer has the topic. */
static gboolean
topic_is_gone (gpointer data)
{
  TopicWait *w = data;
  rd_kafka_t *rk = w->rk;
  const char *topic = w->env->topic;
  const struct rd_kafka_metadata *md = NULL;
  gboolean gone = FALSE;

  /* All topics: asking for this one could create it again (a producer
   * handle's metadata requests allow the broker to auto-create). */
  if (rd_kafka_metadata (rk, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      gone = TRUE;
      for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp (md->topics[i].topic, topic) == 0)
          gone = FALSE;
      rd_kafka_metadata_destroy (md);
    }
  return gone;
}

static gboolean
topic_is_created (gpointer data)
{
  TopicWait *w = data;
  g_autoptr(GError) error = NULL;

  if (co2s_test_kafka_create_topic (w->env->brokers, w->env->topic, w->partitions, &error))
    return TRUE;
  g_test_message ("creating %s again: %s", w->env->topic, error->message);
  g_free (w->last_error);
  w->last_error = g_strdup (error->message);
  return FALSE;
}

void
trainer_recreate_topic (TrainerEnv *env, int partitions)
{
  TopicWait wait = { 0 };
  rd_kafka_t *rk;
  rd_kafka_queue_t *queue;
  rd_kafka_DeleteTopic_t *del;
  rd_kafka_event_t *event;
  const rd_kafka_topic_result_t **results;
  size_t n = 0;

  g_assert_null (env->broker); /* the embedded broker cannot delete topics */
  rk = admin_handle (env->brokers);
  queue = rd_kafka_queue_new (rk);
  del = rd_kafka_DeleteTopic_new (env->topic);
  rd_kafka_DeleteTopics (rk, &del, 1, NULL, queue);
  event = admin_result (queue, "DeleteTopics");
  results = rd_kafka_DeleteTopics_result_topics (rd_kafka_event_DeleteTopics_result (event), &n);
  g_assert_cmpuint (n, ==, 1);
  if (rd_kafka_topic_result_error (results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_error ("DeleteTopics %s: %s", env->topic, rd_kafka_err2str (rd_kafka_topic_result_error (results[0])));
  rd_kafka_event_destroy (event);
  rd_kafka_DeleteTopic_destroy (del);
  rd_kafka_queue_destroy (queue);

  wait.rk = rk;
  wait.env = env;
  wait.partitions = partitions;
  co2s_test_assert_wait_msg (topic_is_gone, &wait, 30000, "the deleted topic to disappear");
  rd_kafka_destroy (rk);

  /* Kafka may still be removing the old log: "already exists" for a while. */
  if (!co2s_test_wait_until (topic_is_created, &wait, 30000))
    g_error ("cannot create %s again: %s", env->topic, wait.last_error);
  g_free (wait.last_error);
}

void
trainer_delete_records (TrainerEnv *env, int partition, gint64 before_offset)
{
  rd_kafka_t *rk;
  rd_kafka_queue_t *queue;
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (1);
  rd_kafka_DeleteRecords_t *del;
  rd_kafka_event_t *event;
  const rd_kafka_topic_partition_list_t *offsets;
  g_autoptr(GError) error = NULL;
  gint64 low = -1, high = -1;

  g_assert_null (env->broker);
  rk = admin_handle (env->brokers);
  queue = rd_kafka_queue_new (rk);
  rd_kafka_topic_partition_list_add (list, env->topic, partition)->offset = before_offset;
  del = rd_kafka_DeleteRecords_new (list);
  rd_kafka_DeleteRecords (rk, &del, 1, NULL, queue);
  event = admin_result (queue, "DeleteRecords");
  offsets = rd_kafka_DeleteRecords_result_offsets (rd_kafka_event_DeleteRecords_result (event));
  g_assert_cmpint (offsets->cnt, ==, 1);
  if (offsets->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_error ("DeleteRecords %s [%d] before %" G_GINT64_FORMAT ": %s", env->topic, partition,
             before_offset, rd_kafka_err2str (offsets->elems[0].err));
  rd_kafka_event_destroy (event);
  rd_kafka_DeleteRecords_destroy (del);
  rd_kafka_topic_partition_list_destroy (list);
  rd_kafka_queue_destroy (queue);
  rd_kafka_destroy (rk);

  g_assert_true (co2s_test_kafka_watermarks (env->brokers, env->topic, partition, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (low, ==, before_offset);
}

void
trainer_write_model_file (TrainerEnv *env, const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (env->model_path, text, -1, &error))
    g_error ("%s", error->message);
}

void
trainer_assert_exit_ok (int status, const char *err)
{
  if (status != 0)
    g_error ("co2stream-trainer exited with %d; stderr:\n%s", status, err);
}
