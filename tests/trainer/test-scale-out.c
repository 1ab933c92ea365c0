/* test-scale-out.c — co2stream-trainer --scale-out on a real Apache Kafka
 * (issue 13): several trainers in one group over a 6-partition topic, one
 * SIGKILLed mid-way and one added, or started and stopped every few seconds;
 * every row learned exactly once (the partitions' states count every row of
 * the topic, each once), the merged models equal one model of every row
 * (the coefficient vector within a relative 1e-9; for ls each coefficient
 * within 1e-8: on these synthetic rows a coefficient near zero has a
 * larger relative rounding), and the metrics topic
 * holds one line per partition batch, none twice. */
#define G_LOG_DOMAIN "test-scale-out"

#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-state-topic.h"
#include "co2s-test-local-kafka.h"
#include "co2s-test-model.h"
#include "co2s-test-prom.h"
#include "trainer-fixture.h"

#define N_PARTITIONS 6
/* How long the trainers get to learn everything (group joins, a killed
 * member's session timeout of 6 s, its open transaction's 10 s). */
#define LEARN_TIMEOUT_MS 180000

typedef struct {
  TrainerEnv env;
  char *group;
  char *state_topic;
  char *id_prefix;        /* every trainer id of this test starts with it, and no other */
  GPtrArray *trainers;    /* Co2sTestProc, NULL once stopped */
  GString *logs;          /* the stderr of every stopped trainer, for a failure's report */
  guint n_started;
  GArray *records;
  guint64 produced;
  /* Filled by states_complete: the latest load of the state topic. */
  GHashTable *states;
} Fixture;

static guint n_fixtures;

/* The fixture on the Kafka at @brokers. */
static void
fixture_set_up_on (Fixture *f, const char *brokers)
{
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  f->env.brokers = g_strdup (brokers);
  f->env.topic = co2s_test_unique_topic ("scale-out");
  f->env.dir = co2s_test_tmpdir ();
  if (!co2s_test_kafka_create_topic (f->env.brokers, f->env.topic, N_PARTITIONS, &error))
    g_error ("cannot create %s: %s", f->env.topic, error->message);
  f->group = g_strdup_printf ("%s-group", f->env.topic);
  f->state_topic = g_strdup_printf ("%s-state", f->env.topic);
  /* Unique to this test: the metrics topic holds every test's lines. */
  f->id_prefix = g_strdup_printf ("t%d.%u-", (int) getpid (), ++n_fixtures);
  f->trainers = g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_test_proc_free);
  f->logs = g_string_new (NULL);
  f->records = g_array_new (FALSE, FALSE, sizeof (Co2sRecord));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  fixture_set_up_on (f, co2s_test_kafka_brokers ());
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->trainers, g_ptr_array_unref);
  g_string_free (g_steal_pointer (&f->logs), TRUE);
  g_clear_pointer (&f->records, g_array_unref);
  g_clear_pointer (&f->states, g_hash_table_unref);
  if (f->env.dir != NULL)
    co2s_test_rm_rf (f->env.dir, NULL);
  trainer_env_clear (&f->env);
  g_free (f->group);
  g_free (f->state_topic);
  g_free (f->id_prefix);
}

/* @n more records (seq after the last), produced to the topic: no key, so
 * librdkafka spreads them over the partitions. */
static void
produce (Fixture *f, guint n)
{
  g_autoptr(GArray) records = trainer_make_records (n, 1300 + f->records->len, f->records->len + 1);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  /* Keyed, so the rows spread over every partition whatever the timing:
   * keyless ones go to one partition per linger window (librdkafka's sticky
   * partitioner), and a quick 6,000 rows once all went to one. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (keys, g_strdup_printf ("row-%u", f->records->len + i));
  if (!co2s_test_kafka_produce (f->env.brokers, f->env.topic, (const char * const *) lines->pdata,
                                (const char * const *) keys->pdata, n, &error))
    g_error ("producing %u rows to %s: %s", n, f->env.topic, error->message);
  g_array_append_vals (f->records, records->data, records->len);
  f->produced += n;
}

/* Starts trainer number n_started and returns its index; with @metrics_port
 * (0: none) it serves its metrics there. */
static guint
start_trainer_full (Fixture *f, guint16 metrics_port)
{
  g_autofree char *id = g_strdup_printf ("%s%u", f->id_prefix, ++f->n_started);
  g_autofree char *listen = g_strdup_printf ("%u", metrics_port);
  /* One --model-dir for all, as the compose file's scaled trainers share
   * their volume. */
  const char *argv[] = {
    co2s_test_program ("CO2S_TRAINER"), "--brokers", f->env.brokers, "--topic", f->env.topic,
    "--group", f->group, "--model-dir", f->env.dir, "--scale-out", "--state-topic", f->state_topic,
    "--trainer-id", id, "--algo", "ls,ls:fuel", "--batch-rows", "100",
    metrics_port ? "--metrics-listen" : NULL, listen, NULL,
  };

  /* Its start-up steps, for a failure's report (see wait_for). */
  const char * const env[] = { "G_MESSAGES_DEBUG=co2s-trainer", NULL };

  g_ptr_array_add (f->trainers, co2s_test_proc_spawn_or_die (argv, env));
  return f->trainers->len - 1;
}

static guint
start_trainer (Fixture *f)
{
  return start_trainer_full (f, 0);
}

/* The metrics of a trainer that has learned everything (read with a real
 * parser, tests/common/prom-parse.py): its partitions' rows are their
 * committed states', none is behind, it committed transactions. */
static void
assert_metrics (Fixture *f, guint16 port)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/metrics", port);
  g_autoptr(JsonObject) families = co2s_test_prom_scrape (url);
  double owned, rows = 0;
  guint found = 0;

  g_assert_nonnull (families);
  g_assert_cmpstr (co2s_test_prom_type (families, "co2stream_trainer_state_transactions_total"), ==, "counter");
  g_assert_cmpfloat (co2s_test_prom_value (families, "co2stream_trainer_state_transactions_total", NULL), >, 0);
  g_assert_cmpfloat (co2s_test_prom_value (families, "co2stream_trainer_rows_learned_total", NULL), >, 0);
  owned = co2s_test_prom_value (families, "co2stream_trainer_partitions_owned", NULL);
  g_assert_cmpfloat (owned, >=, 1);
  for (int p = 0; p < N_PARTITIONS; p++)
    {
      g_autofree char *label = g_strdup_printf ("%d", p);
      g_autofree char *key = co2s_state_key (f->env.topic, p);
      const char *labels[] = { "partition", label, NULL };
      const Co2sStateEntry *entry = g_hash_table_lookup (f->states, key);
      g_autoptr(Co2sCheckpoint) cp = NULL;

      if (!co2s_test_prom_lookup (families, "co2stream_trainer_partition_rows", labels, &rows))
        continue;
      found++;
      cp = co2s_checkpoint_parse (g_bytes_get_data (entry->state, NULL), g_bytes_get_size (entry->state),
                                  "state", NULL);
      g_assert_nonnull (cp);
      g_assert_cmpfloat (rows, ==, (double) co2s_model_get_rows_seen (cp->model));
      g_assert_cmpfloat (co2s_test_prom_value (families, "co2stream_trainer_consumer_lag_messages", labels), ==, 0);
    }
  g_assert_cmpuint (found, ==, (guint) owned);
}

static guint
running (Fixture *f)
{
  guint n = 0;

  for (guint i = 0; i < f->trainers->len; i++)
    n += g_ptr_array_index (f->trainers, i) != NULL;
  return n;
}

/* Stops trainer @i: SIGTERM (a clean exit, 0) or SIGKILL. */
static void
stop_trainer (Fixture *f, guint i, gboolean kill)
{
  Co2sTestProc *proc = g_ptr_array_index (f->trainers, i);
  int status;

  g_assert_nonnull (proc);
  status = kill ? co2s_test_proc_kill (proc) : co2s_test_proc_terminate (proc, 60000);
  if (!kill)
    {
      g_autofree char *err = co2s_test_proc_stderr_text (proc);

      trainer_assert_exit_ok (status, err);
    }
  else
    g_assert_cmpint (status, ==, 128 + SIGKILL);
  {
    g_autofree char *err = co2s_test_proc_stderr_text (proc);

    g_string_append_printf (f->logs, "---- trainer %u (%s) ----\n%s", i + 1, kill ? "killed" : "stopped", err);
  }
  g_ptr_array_index (f->trainers, i) = NULL;
  co2s_test_proc_free (proc);
}

/* The partitions' states, parsed (fails the test on any error). */
static GPtrArray *
parse_states (Fixture *f, GHashTable *states)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_checkpoint_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, states);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Co2sStateEntry *entry = value;
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      const char *data = g_bytes_get_data (entry->state, &len);
      Co2sCheckpoint *cp = co2s_checkpoint_parse (data, len, "state", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (entry->topic, ==, f->env.topic);
      g_assert_cmpint (co2s_checkpoint_get_offset (cp, entry->partition), ==, entry->next_offset);
      g_ptr_array_add (parts, cp);
    }
  return parts;
}

/* Fails the test at once, with its log, when a trainer that should run has
 * exited. */
static void
assert_trainers_run (Fixture *f)
{
  for (guint i = 0; i < f->trainers->len; i++)
    {
      Co2sTestProc *proc = g_ptr_array_index (f->trainers, i);
      int status;

      if (proc == NULL || (status = co2s_test_proc_wait_exit (proc, 0)) == -1)
        continue;
      g_error ("trainer %u exited (status %d) while the test waited for it to learn; stderr:\n%s", i + 1,
               status, co2s_test_proc_stderr_text (proc));
    }
}

/* Waits for @predicate; at the deadline fails the test with what every
 * trainer has said (running or stopped), so a hang shows where it is. */
static void
wait_for (Fixture *f, Co2sTestPredicate predicate, guint timeout_ms, const char *what)
{
  g_autoptr(GString) report = NULL;

  if (co2s_test_wait_until (predicate, f, timeout_ms))
    return;
  report = g_string_new (f->logs->str);
  for (guint i = 0; i < f->trainers->len; i++)
    {
      Co2sTestProc *proc = g_ptr_array_index (f->trainers, i);
      g_autofree char *err = NULL;

      if (proc == NULL)
        continue;
      err = co2s_test_proc_stderr_text (proc);
      g_string_append_printf (report, "---- trainer %u (running) ----\n%s", i + 1, err);
    }
  g_error ("timed out after %u ms waiting for %s; the trainers said:\n%s", timeout_ms, what, report->str);
}

/* A Co2sTestPredicate: every partition's committed state is at the end of
 * its partition (then every row produced is in exactly one state). */
static gboolean
states_complete (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  assert_trainers_run (f);
  g_autoptr(GHashTable) states = co2s_state_topic_load (f->env.brokers, NULL, f->state_topic, 0, &error);

  if (states == NULL)
    {
      g_test_message ("state topic not readable yet: %s", error->message);
      return FALSE;
    }
  for (int p = 0; p < N_PARTITIONS; p++)
    {
      g_autofree char *key = co2s_state_key (f->env.topic, p);
      const Co2sStateEntry *entry = g_hash_table_lookup (states, key);
      gint64 low = -1, high = -1;

      if (!co2s_test_kafka_watermarks (f->env.brokers, f->env.topic, p, &low, &high, NULL))
        return FALSE;
      /* An empty partition has nothing to learn, hence no state. */
      if (entry == NULL ? high != low : entry->next_offset != high)
        return FALSE;
    }
  g_clear_pointer (&f->states, g_hash_table_unref);
  f->states = g_steal_pointer (&states);
  return TRUE;
}

/* A Co2sTestPredicate: the shared model.json (written by the owner of
 * partition 0) holds every row of the topic, each partition at its end. */
static gboolean
model_file_complete (gpointer data)
{
  Fixture *f = data;
  g_autofree char *path = g_build_filename (f->env.dir, CO2S_MODEL_FILE, NULL);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_load (path, NULL);

  if (cp == NULL || cp->offsets->len != N_PARTITIONS)
    return FALSE;
  for (guint i = 0; i < cp->models->len; i++)
    if (co2s_model_get_rows_seen (co2s_checkpoint_get_model (cp, i)->model) != f->produced)
      return FALSE;
  return TRUE;
}

/* The end state: every row once, the merged models those of one trainer,
 * and each partition batch once in the metrics topic. */
static void
assert_exactly_once (Fixture *f)
{
  static const Co2sModelSpec specs[] = {
    { CO2S_ALGO_LS, CO2S_FEATURES_BASE }, { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
  };
  g_autoptr(GPtrArray) parts = parse_states (f, f->states);
  Co2sModel *merged[CO2S_MAX_MODELS] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint64 rows = 0, batches = 0, line_rows = 0;

  /* Every row learned once: the states' counts add up to the topic. */
  for (guint i = 0; i < parts->len; i++)
    {
      Co2sCheckpoint *cp = g_ptr_array_index (parts, i);

      rows += co2s_model_get_rows_seen (cp->model);
      batches += cp->batches;
    }
  g_assert_cmpuint (rows, ==, f->produced);

  /* ...and the same rows: the merge equals one model of all of them. */
  g_assert_true (co2s_checkpoint_merge_models ((Co2sCheckpoint *const *) parts->pdata, parts->len,
                                               merged, &error));
  g_assert_no_error (error);
  for (guint m = 0; m < G_N_ELEMENTS (specs); m++)
    {
      g_autoptr(Co2sModel) want = trainer_reference_spec (f->records, NULL, 1000, &specs[m], NULL);
      double each, vector;

      co2s_test_model_difference (merged[m], want, &each, &vector);
      g_test_message ("%s: merged vs one model of every row: %.3g per coefficient, %.3g as a vector",
                      m == 0 ? "ls" : "ls:fuel", each, vector);
      g_assert_cmpuint (co2s_model_get_rows_seen (merged[m]), ==, f->produced);
      /* ls:fuel's per-fuel consumption slopes are nearly collinear: their
       * rounding is bounded as a vector (co2s-model.h, co2s_model_merge). */
      g_assert_cmpfloat (vector, <=, 1e-9);
      if (m == 0)
        g_assert_cmpfloat (each, <=, 1e-8);
      g_object_unref (merged[m]);
    }

  /* The metrics topic (read_committed): one line per partition batch of
   * this test's trainers, none twice, their rows those of the states. A
   * read_committed reader stops before any transaction still open in the
   * topic (another process's trainers may be writing): read again until
   * every batch is there, within a deadline. */
  for (gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
       g_hash_table_size (seen) < batches && g_get_monotonic_time () < deadline; )
    {
      g_hash_table_remove_all (seen);
      line_rows = 0;
      g_clear_pointer (&lines, g_ptr_array_unref);
      lines = co2s_test_kafka_consume (f->env.brokers, CO2S_TOPIC_METRICS, 0, 60000, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < lines->len; i++)
        {
          const Co2sTestMessage *msg = g_ptr_array_index (lines, i);
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *o;
          char *key;

          if (msg->payload == NULL || !json_parser_load_from_data (parser, msg->payload, msg->len, NULL))
            continue;
          o = json_node_get_object (json_parser_get_root (parser));
          if (!json_object_has_member (o, "trainer") ||
              !g_str_has_prefix (json_object_get_string_member (o, "trainer"), f->id_prefix))
            continue;
          key = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                 json_object_get_int_member (o, "partition"),
                                 json_object_get_int_member (o, "partition_batch"));
          if (g_hash_table_contains (seen, key))
            g_error ("trainers' logs:\n%s\n"
                     "partition batch %s is twice in %s: from %s, then from %s at offset %" G_GINT64_FORMAT,
                     f->logs->str, key, CO2S_TOPIC_METRICS, (const char *) g_hash_table_lookup (seen, key),
                     json_object_get_string_member (o, "trainer"), msg->offset);
          g_hash_table_insert (seen, key, g_strdup (json_object_get_string_member (o, "trainer")));
          line_rows += json_object_get_int_member (o, "rows");
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, batches);
  g_assert_cmpuint (line_rows, ==, f->produced);
}

/* Three trainers learn the first half; one is SIGKILLed, a fourth joins,
 * the second half arrives: every row once; the first one's metrics for
 * Prometheus say what it owns and learned. */
static void
test_kill_and_add (Fixture *f, gconstpointer data)
{
  guint killed;

  guint16 port = co2s_test_free_port ();

  produce (f, 150000);
  start_trainer_full (f, port);
  for (int i = 1; i < 3; i++)
    start_trainer (f);
  /* Each owns partitions (the first to join may have learned the first
   * half alone before the others got theirs: they then resume at its end). */
  for (guint i = 0; i < 3; i++)
    if (!co2s_test_proc_wait_line (g_ptr_array_index (f->trainers, i), CO2S_TEST_STDERR, "\\]: assigned;",
                                   60000, NULL))
      g_error ("trainer %u got no partition in 60 s; stderr:\n%s", i + 1,
               co2s_test_proc_stderr_text (g_ptr_array_index (f->trainers, i)));
  killed = 1;
  stop_trainer (f, killed, TRUE);
  start_trainer (f);
  produce (f, 150000);

  wait_for (f, states_complete, LEARN_TIMEOUT_MS, "states complete");
  wait_for (f, model_file_complete, 30000, "model file complete");
  assert_metrics (f, port);
  for (guint i = 0; i < f->trainers->len; i++)
    if (g_ptr_array_index (f->trainers, i) != NULL)
      stop_trainer (f, i, FALSE);
  assert_exactly_once (f);
}

/* Trainers started and stopped (cleanly or killed) every two seconds while
 * rows arrive; two stay: the same exactly-once end. */
static void
test_rebalance_storm (Fixture *f, gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);

  start_trainer (f);
  start_trainer (f);
  for (int round = 0; round < 8; round++)
    {
      guint victim;

      produce (f, 10000);
      start_trainer (f);
      /* Wait (bounded) for the newest to take part, then stop a random other. */
      co2s_test_proc_wait_line (g_ptr_array_index (f->trainers, f->trainers->len - 1), CO2S_TEST_STDERR,
                                "assigned", 2000, NULL);
      do
        victim = g_rand_int_range (rand, 0, f->trainers->len - 1);
      while (g_ptr_array_index (f->trainers, victim) == NULL);
      stop_trainer (f, victim, round % 2 == 0);
    }
  g_assert_cmpuint (running (f), >=, 2);

  wait_for (f, states_complete, LEARN_TIMEOUT_MS, "states complete");
  wait_for (f, model_file_complete, 30000, "model file complete");
  for (guint i = 0; i < f->trainers->len; i++)
    if (g_ptr_array_index (f->trainers, i) != NULL)
      stop_trainer (f, i, FALSE);
  assert_exactly_once (f);
}

/* The rows in the partitions' committed states, as text ("?" when the state
 * topic cannot be read). */
static char *
committed_rows (Fixture *f)
{
  g_autoptr(GHashTable) states = co2s_state_topic_load (f->env.brokers, NULL, f->state_topic, 10000, NULL);
  g_autoptr(GPtrArray) parts = NULL;
  guint64 rows = 0;

  if (states == NULL)
    return g_strdup ("?");
  parts = parse_states (f, states);
  for (guint i = 0; i < parts->len; i++)
    rows += co2s_model_get_rows_seen (((Co2sCheckpoint *) g_ptr_array_index (parts, i))->model);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, rows);
}

/* A Co2sTestPredicate: a partition's state is in the state topic. */
static gboolean
some_state_committed (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GHashTable) states = co2s_state_topic_load (f->env.brokers, NULL, f->state_topic, 5000, NULL);

  return states != NULL && g_hash_table_size (states) > 0;
}

/* Kafka's JVM killed (SIGKILL) under two trainers while they learn, then
 * started again on the same data: they say so, wait, go on, and every row
 * is still learned once. */
static void
test_broker_gone (void)
{
  g_autoptr(Co2sTestLocalKafka) kafka = co2s_test_local_kafka_start ();
  g_autofree char *before = NULL;
  Fixture fixture, *f = &fixture;

  fixture_set_up_on (f, kafka->bootstrap);
  /* Enough for the crash to come while they learn (a few seconds' worth). */
  produce (f, 200000);
  start_trainer (f);
  start_trainer (f);
  /* While they learn: some partition's state is committed (whichever
   * trainer joined first). */
  wait_for (f, some_state_committed, 60000, "some state committed");
  before = committed_rows (f);
  co2s_test_local_kafka_kill (kafka);
  g_test_message ("Kafka killed with about %s rows of %" G_GUINT64_FORMAT " committed", before, f->produced);
  /* Said by its clients' logs (librdkafka's words: the consumer's error
   * callback may wait while a commit waits for the dead broker, up to
   * CO2S_STATE_TIMEOUT_MS, 30 s, but the state writer's log does not). */
  for (guint i = 0; i < 2; i++)
    if (!co2s_test_proc_wait_line (g_ptr_array_index (f->trainers, i), CO2S_TEST_STDERR,
                                   "(refused|[Dd]isconnected|brokers are down)", 90000, NULL))
      g_error ("trainer %u did not say the broker is gone; stderr:\n%s", i + 1,
               co2s_test_proc_stderr_text (g_ptr_array_index (f->trainers, i)));
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (co2s_test_proc_wait_exit (g_ptr_array_index (f->trainers, i), 0), ==, -1);
  co2s_test_local_kafka_restart (kafka);
  produce (f, 30000);

  wait_for (f, states_complete, LEARN_TIMEOUT_MS, "states complete");
  for (guint i = 0; i < f->trainers->len; i++)
    stop_trainer (f, i, FALSE);
  assert_exactly_once (f);
  fixture_tear_down (f, NULL);
}

/* The topic deleted and recreated while the trainers were stopped: a
 * trainer does not learn the new log into the old states, nor skip it: it
 * stops (exit 1) and says what happened and the way out. */
static void
test_topic_recreated (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;
  Co2sTestProc *proc;
  guint i;

  produce (f, 6000);
  start_trainer (f);
  wait_for (f, states_complete, LEARN_TIMEOUT_MS, "states complete");
  stop_trainer (f, 0, FALSE);

  trainer_recreate_topic (&f->env, N_PARTITIONS);
  produce (f, 600);
  i = start_trainer (f);
  proc = g_ptr_array_index (f->trainers, i);
  g_assert_cmpint (co2s_test_proc_wait_exit (proc, LEARN_TIMEOUT_MS), ==, 1);
  err = co2s_test_proc_stderr_text (proc);
  if (strstr (err, "the topic was deleted and recreated, or truncated") == NULL ||
      strstr (err, "with a new --state-topic and --group") == NULL)
    g_error ("the trainer did not say the log was replaced; stderr:\n%s", err);
  g_ptr_array_index (f->trainers, i) = NULL;
  co2s_test_proc_free (proc);
}

/* What --scale-out refuses, and why (no broker needed: before any client). */
static void
test_bad_options (void)
{
  static const struct {
    int status;
    const char *args[5];
    const char *says;
  } cases[] = {
    { 2, { "--state-topic", "states", NULL }, "--state-topic and --trainer-id go with --scale-out" },
    { 2, { "--scale-out", "--trainer-id", "a b", NULL }, "--trainer-id a b: use 1 to 64 letters" },
    { 1, { "--scale-out", "--algo", "ls,sgd", NULL }, "--scale-out learns ls models only" },
    { 1, { "--scale-out", "--reset", NULL }, "--reset cannot be used with --scale-out" },
  };
  const char * const english[] = { "LANGUAGE", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(Co2sTestProc) proc = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, (gpointer) co2s_test_program ("CO2S_TRAINER"));
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (argv, (gpointer) cases[i].args[k]);
      g_ptr_array_add (argv, NULL);
      proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, english);
      g_assert_cmpint (co2s_test_proc_wait_exit (proc, 10000), ==, cases[i].status);
      err = co2s_test_proc_stderr_text (proc);
      if (strstr (err, cases[i].says) == NULL)
        g_error ("%s: the trainer did not say \"%s\":\n%s", cases[i].args[1] ? cases[i].args[1] : "",
                 cases[i].says, err);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/scale-out/bad-options", test_bad_options);

  g_test_add ("/trainer/scale-out/kill-and-add", Fixture, NULL, fixture_set_up, test_kill_and_add,
              fixture_tear_down);
  g_test_add ("/trainer/scale-out/rebalance-storm", Fixture, NULL, fixture_set_up,
              test_rebalance_storm, fixture_tear_down);
  g_test_add ("/trainer/scale-out/topic-recreated", Fixture, NULL, fixture_set_up, test_topic_recreated,
              fixture_tear_down);
  /* Last: it starts and kills a Kafka of its own, the heaviest for the
   * machine. */
  g_test_add_func ("/trainer/scale-out/broker-gone", test_broker_gone);
  return g_test_run ();
}
