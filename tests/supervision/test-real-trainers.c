/* test-real-trainers.c — Co2sSupervisor's "trainers" setting: several
 * scale-out trainers started, supervised and stopped by the local backend.
 *
 * /supervisor/local/trainers/three: trainers = 3 on a real Apache Kafka
 * (an existing Kafka to the supervisor: tests/kafka-broker.sh, or
 * $CO2S_KAFKA_BROKERS) with the real four programs and data set: three
 * trainer rows run, streaming_data has at least 3 partitions, the merged
 * model <models>/scale-out/model.json appears with rows, a trainer killed
 * is restarted, Stop ends every process; a Start with other models than
 * the saved states' fails with the trainers' reason.
 * /supervisor/local/trainers/partitions: co2stream-producer --partitions N
 * --prepare-topic, which the supervisor runs first, on topics of this test's
 * own: creates a missing topic with N, extends one of 1 to N, removes none
 * when fewer are asked, and says which in one line.
 * /supervisor/local/trainers/refused: sgd among the models, the embedded
 * broker, and Retrain are refused with messages naming the reason, before
 * any process starts; a topic whose partitions cannot be made sure of
 * stops the trainers with the reason (fake programs).
 * /supervisor/local/trainers/one-of-three: three trainers (fake programs);
 * co2s_supervisor_stop_trainer_async() on Trainer 2 ends that process only
 * (the other trainers and the producer keep their processes), and
 * co2s_supervisor_start_trainer_async() brings it back alone; a service
 * that is no trainer row is NOT_FOUND.
 *
 * Needs the built programs and the data set; anything missing fails loudly. */
#define G_LOG_DOMAIN "test-real-trainers"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "co2s-checkpoint.h"
#include "co2s-contracts.h"
#include "co2s-log-line.h"
#include "co2s-supervisor.h"
#include "supervisor-test-util.h"

#define START_DEADLINE_MS 40000
#define MODEL_DEADLINE_MS 40000
#define STOP_DEADLINE_MS  30000

static char *
find_dataset (void)
{
  const char *root = g_getenv ("CO2S_SOURCE_ROOT");
  char *path;

  if (root == NULL)
    g_error ("CO2S_SOURCE_ROOT is not set (run through meson test)");
  path = g_build_filename (root, "data", "co2_processed.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("the data set %s is missing: put co2_processed.csv there (see data/README.md)", path);
  return path;
}

static void
on_last_line (Co2sService *service,
              GParamSpec *pspec,
              gpointer data)
{
  g_debug ("%s: %s", co2s_service_get_name (service), co2s_service_get_last_line (service));
}

/* Rows the merged model has learned (its champion's), 0 while there is no
 * whole model file yet. */
static guint64
merged_rows (const char *path)
{
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *cp;
  guint64 rows;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return 0;
  cp = co2s_checkpoint_load (path, &error);
  if (cp == NULL)
    {
      g_debug ("%s: %s", path, error->message);
      return 0;
    }
  rows = co2s_model_get_rows_seen (co2s_checkpoint_get_model (cp, 0)->model);
  co2s_checkpoint_free (cp);
  return rows;
}

static gboolean
merged_model_has_rows (gpointer data)
{
  return merged_rows (data) >= 300;
}

typedef struct {
  Co2sService *service;
  GPid old_pid;
} Restarted;

static gboolean
service_restarted (gpointer data)
{
  Restarted *r = data;

  return co2s_service_get_restart_count (r->service) >= 1 &&
         co2s_service_get_state (r->service) == CO2S_SERVICE_STATE_RUNNING &&
         co2s_service_get_pid (r->service) > 0 && co2s_service_get_pid (r->service) != r->old_pid;
}

/* TRUE when a line of @service's log contains @text. */
static gboolean
log_contains (Co2sService *service,
              const char *text)
{
  GListModel *log = co2s_service_get_log (service);

  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr(Co2sLogLine) line = g_list_model_get_item (log, i);

      if (strstr (co2s_log_line_get_text (line), text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_three (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autoptr(Co2sSupervisor) sup = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = find_dataset ();
  g_autofree char *tmp = co2s_test_tmpdir ();
  g_autofree char *models = g_build_filename (tmp, "models", NULL);
  g_autofree char *merged = g_build_filename (models, "scale-out", CO2S_MODEL_FILE, NULL);
  g_autofree char *single = g_build_filename (models, CO2S_MODEL_FILE, NULL);
  static const char *names[] = { "broker", "api", "trainer", "trainer-2", "trainer-3", "producer" };
  GListModel *services;
  GPid pids[G_N_ELEMENTS (names)];
  Restarted restarted;
  int partitions;

  sup = g_object_new (CO2S_TYPE_SUPERVISOR,
                      "broker-kind", CO2S_BROKER_EXISTING,
                      "broker-address", brokers,
                      "dataset", dataset,
                      "model-dir", models,
                      "api-rate", 2000.0,
                      "batch-rows", 100,
                      "algo", "ls,ls:fuel",
                      "trainers", 3,
                      "ready-timeout", START_DEADLINE_MS,
                      "restart-delay-initial", 200,
                      NULL);
  g_assert_cmpuint (co2s_supervisor_get_run_trainers (sup), ==, 1);

  co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  services = co2s_supervisor_get_services (sup);
  /* The rows are there from the Start on: broker, api, three trainers, producer. */
  g_assert_cmpuint (g_list_model_get_n_items (services), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);

      g_assert_cmpstr (co2s_service_get_name (service), ==, names[i]);
      g_assert_true (co2s_supervisor_lookup_service (sup, names[i]) == service);
      g_signal_connect (service, "notify::last-line", G_CALLBACK (on_last_line), NULL);
    }
  g_assert_cmpuint (co2s_supervisor_get_run_trainers (sup), ==, 3);
  g_assert_cmpstr (co2s_supervisor_get_run_trainer_group (sup), ==, CO2S_SUPERVISOR_SCALE_OUT_GROUP);

  co2s_test_assert_result (&result, START_DEADLINE_MS, "three trainers to start");
  g_assert_true (co2s_supervisor_start_finish (sup, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);

      g_assert_cmpint (co2s_service_get_state (service), ==, CO2S_SERVICE_STATE_RUNNING);
      pids[i] = co2s_service_get_pid (service);
      g_assert_cmpint (pids[i], >, 0);
    }

  /* The data topic was given its partitions before the trainers started,
   * and the first trainer's log says so. */
  partitions = co2s_test_kafka_partition_count (brokers, CO2S_TOPIC_DATA, &error);
  g_assert_no_error (error);
  g_assert_cmpint (partitions, >=, 3);
  g_assert_true (log_contains (co2s_supervisor_lookup_service (sup, "trainer"), "--prepare-topic"));
  g_assert_true (log_contains (co2s_supervisor_lookup_service (sup, "trainer"), "topic " CO2S_TOPIC_DATA ": "));
  g_assert_true (log_contains (co2s_supervisor_lookup_service (sup, "trainer-3"), "--trainer-id local-3"));

  /* The owner of partition 0 writes the merged model in the scale-out
   * folder; the single trainer's file is not touched. */
  co2s_test_assert_wait_msg (merged_model_has_rows, merged, MODEL_DEADLINE_MS,
                             "a merged scale-out/model.json of 300 rows or more");
  g_assert_false (g_file_test (single, G_FILE_TEST_EXISTS));

  /* A trainer killed is restarted by the supervisor, the others run on. */
  restarted.service = co2s_supervisor_lookup_service (sup, "trainer-2");
  restarted.old_pid = pids[3];
  g_assert_cmpint (kill (pids[3], SIGKILL), ==, 0);
  co2s_test_assert_wait_msg (service_restarted, &restarted, START_DEADLINE_MS, "trainer-2 to be restarted");
  g_assert_cmpint (co2s_service_get_pid (co2s_supervisor_lookup_service (sup, "trainer")), ==, pids[2]);
  g_assert_cmpint (co2s_service_get_pid (co2s_supervisor_lookup_service (sup, "trainer-3")), ==, pids[4]);
  pids[3] = co2s_service_get_pid (restarted.service);

  co2s_supervisor_stop_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, STOP_DEADLINE_MS, "the pipeline of three trainers to stop");
  g_assert_true (co2s_supervisor_stop_finish (sup, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);

      g_assert_true (co2s_test_pid_gone (pids[i]));
      g_assert_cmpint (co2s_service_get_state (service), ==, CO2S_SERVICE_STATE_STOPPED);
    }
  g_assert_cmpuint (co2s_test_count_children (), ==, 0);

  /* Other models than the saved states': the trainers refuse them before
   * they count as ready, and the Start fails saying why (not a restart
   * loop). */
  g_object_set (sup, "algo", "ls", NULL);
  co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, START_DEADLINE_MS, "the Start with other models to fail");
  g_assert_false (co2s_supervisor_start_finish (sup, result, &error));
  g_test_message ("other models: %s", error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "before it was ready"));
  g_assert_nonnull (strstr (error->message, "ls,ls:fuel"));
  g_clear_error (&error);
  g_clear_object (&result);
  test_supervisor_stop_all (&sup, STOP_DEADLINE_MS, "the pipeline after the refusal");
  co2s_test_assert_wait_msg (co2s_test_no_children, NULL, STOP_DEADLINE_MS, "no child left");
  g_assert_true (co2s_test_rm_rf (tmp, NULL));
}

/* Runs `co2stream-producer --brokers B --topic @topic --partitions @n
 * --prepare-topic`, which must succeed; returns its output. */
static char *
prepare_topic (const char *brokers,
               const char *topic,
               int n)
{
  g_autoptr(Co2sSupervisor) sup = co2s_supervisor_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *producer = co2s_supervisor_find_program (sup, CO2S_SERVICE_PRODUCER, &error);
  g_autofree char *partitions = g_strdup_printf ("%d", n);
  const char *argv[] = { producer, "--brokers", brokers, "--topic", topic, "--partitions", partitions,
                         "--prepare-topic", NULL };
  char *out = NULL;
  int status = -1;

  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_test_message ("--partitions %d: %s", n, out);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_partitions (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autofree char *grown = co2s_test_unique_topic ("trainers-grown");
  g_autofree char *missing = co2s_test_unique_topic ("trainers-missing");
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  /* As the local Kafka makes a topic for one trainer: one partition. */
  g_assert_true (co2s_test_kafka_create_topic (brokers, grown, 1, &error));
  g_assert_no_error (error);
  out = prepare_topic (brokers, grown, 3);
  expected = g_strdup_printf ("topic %s: 3 partitions, was 1: 2 added (none is ever removed)\n", grown);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (co2s_test_kafka_partition_count (brokers, grown, &error), ==, 3);
  g_assert_no_error (error);

  /* Fewer asked for: nothing is removed. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  out = prepare_topic (brokers, grown, 2);
  expected = g_strdup_printf ("topic %s: 3 partitions already (at least 2 asked)\n", grown);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (co2s_test_kafka_partition_count (brokers, grown, &error), ==, 3);
  g_assert_no_error (error);

  /* A missing topic is created with them. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  out = prepare_topic (brokers, missing, 4);
  expected = g_strdup_printf ("topic %s: created with 4 partitions\n", missing);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (co2s_test_kafka_partition_count (brokers, missing, &error), ==, 4);
  g_assert_no_error (error);
}

/* Starts @sup, which must be refused at once with @code; returns the message. */
static char *
refused (Co2sSupervisor *sup,
         gboolean retrain,
         int code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (retrain)
    co2s_supervisor_retrain_async (sup, NULL, co2s_test_store_result, &result);
  else
    co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, 5000, "the refusal");
  ok = retrain ? co2s_supervisor_retrain_finish (sup, result, &error)
               : co2s_supervisor_start_finish (sup, result, &error);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_false (co2s_supervisor_get_active (sup));
  g_assert_cmpuint (co2s_test_count_children (), ==, 0);
  return g_strdup (error->message);
}

static void
test_refused (void)
{
  TestFakeEnv env = { 0 };
  g_autoptr(Co2sSupervisor) sup = NULL;
  g_autofree char *sgd = NULL;
  g_autofree char *embedded = NULL;
  g_autofree char *retrain = NULL;
  Co2sService *trainer;

  test_fake_env_init (&env);
  sup = test_fake_supervisor_new (&env);
  trainer = co2s_supervisor_get_service (sup, CO2S_SERVICE_TRAINER);

  /* sgd cannot be merged across partitions. */
  g_object_set (sup, "broker-kind", CO2S_BROKER_EXISTING, "broker-address", "127.0.0.1:1",
                "trainers", 2, "algo", "ls, sgd:fuel", NULL);
  sgd = refused (sup, FALSE, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("sgd: %s", sgd);
  g_assert_nonnull (strstr (sgd, "sgd"));
  g_assert_nonnull (strstr (sgd, "one trainer"));
  g_assert_cmpint (co2s_service_get_state (trainer), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_cmpstr (co2s_service_get_message (trainer), ==, sgd);
  g_assert_nonnull (co2s_supervisor_lookup_service (sup, "trainer-2"));

  /* The embedded broker prunes what the trainers' states need. */
  g_object_set (sup, "broker-kind", CO2S_BROKER_EMBEDDED, "algo", "ls,ls:fuel", "trainers", 4, NULL);
  embedded = refused (sup, FALSE, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("embedded: %s", embedded);
  g_assert_nonnull (strstr (embedded, "embedded broker"));
  g_assert_nonnull (strstr (embedded, "real Kafka"));
  g_assert_nonnull (co2s_supervisor_lookup_service (sup, "trainer-4"));

  /* Retrain: the states are shared in Kafka. */
  g_object_set (sup, "broker-kind", CO2S_BROKER_EXISTING, NULL);
  retrain = refused (sup, TRUE, G_IO_ERROR_NOT_SUPPORTED);
  g_test_message ("retrain: %s", retrain);
  g_assert_nonnull (strstr (retrain, "several trainers"));

  /* The topic's partitions cannot be made sure of (here: the program
   * that does it fails): the trainers do not start, the row says why. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    g_setenv ("FAKE_EXIT_EARLY", "producer", TRUE);
    g_object_set (sup, "trainers", 2, NULL);
    co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
    co2s_test_assert_result (&result, 10000, "the Start without partitions to fail");
    g_assert_false (co2s_supervisor_start_finish (sup, result, &error));
    g_test_message ("partitions: %s", error->message);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "Cannot give topic " CO2S_TOPIC_DATA " 2 partitions"));
    g_assert_nonnull (strstr (error->message, "fatal: cannot start"));
    g_assert_cmpint (co2s_service_get_state (trainer), ==, CO2S_SERVICE_STATE_FAILED);
    g_assert_cmpint (co2s_service_get_state (co2s_supervisor_lookup_service (sup, "trainer-2")), ==,
                     CO2S_SERVICE_STATE_STOPPED);
    g_unsetenv ("FAKE_EXIT_EARLY");
    test_supervisor_stop_ok (sup, 10000);
  }

  /* trainers = 1 on the embedded broker starts as before (4 rows). */
  g_object_set (sup, "broker-kind", CO2S_BROKER_EMBEDDED, "trainers", 1, NULL);
  test_supervisor_start_ok (sup, &env, 10000);
  g_assert_cmpuint (g_list_model_get_n_items (co2s_supervisor_get_services (sup)), ==, CO2S_N_SERVICES);
  g_assert_null (co2s_supervisor_lookup_service (sup, "trainer-2"));
  g_assert_cmpint (co2s_service_get_state (trainer), ==, CO2S_SERVICE_STATE_RUNNING);

  test_supervisor_stop_all (&sup, STOP_DEADLINE_MS, "the fake pipeline");
  test_fake_env_clear (&env);
}

static void
trainer_op (Co2sSupervisor *sup,
            Co2sService *trainer,
            gboolean stop,
            int code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (stop)
    co2s_supervisor_stop_trainer_async (sup, trainer, NULL, co2s_test_store_result, &result);
  else
    co2s_supervisor_start_trainer_async (sup, trainer, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, 10000, stop ? "the trainer's stop" : "the trainer's start");
  ok = stop ? co2s_supervisor_stop_trainer_finish (sup, result, &error)
            : co2s_supervisor_start_trainer_finish (sup, result, &error);
  if (code == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, G_IO_ERROR, code);
    }
}

/* Records of @event for trainer "local-@k" (by its --trainer-id). */
static guint
count_trainer_records (TestFakeEnv *env,
                       const char *event,
                       guint k)
{
  g_autoptr(GPtrArray) records = test_read_lines (env->record);
  g_autoptr(GPtrArray) starts = test_filter_records (records, "start", "trainer");
  g_autoptr(GPtrArray) events = test_filter_records (records, event, "trainer");
  g_autofree char *id = g_strdup_printf (" --trainer-id local-%u", k);
  guint n = 0;

  /* "term" lines carry no arguments: match them by the pid of a start. */
  for (guint i = 0; i < events->len; i++)
    for (guint j = 0; j < starts->len; j++)
      if (strstr (g_ptr_array_index (starts, j), id) != NULL &&
          test_field_int (g_ptr_array_index (starts, j), 2) == test_field_int (g_ptr_array_index (events, i), 2))
        {
          n++;
          break;
        }
  return n;
}

static void
test_one_of_three (void)
{
  TestFakeEnv env = { 0 };
  g_autoptr(Co2sSupervisor) sup = NULL;
  Co2sService *rows[3];
  Co2sService *producer;
  gint64 started[3];
  gint64 producer_started;

  test_fake_env_init (&env);
  sup = test_fake_supervisor_new (&env);
  g_object_set (sup, "broker-kind", CO2S_BROKER_EXISTING, "broker-address", "127.0.0.1:1",
                "trainers", 3, "algo", "ls", NULL);
  test_supervisor_start_ok (sup, &env, 20000);
  g_assert_cmpuint (co2s_supervisor_get_run_trainers (sup), ==, 3);
  rows[0] = co2s_supervisor_get_service (sup, CO2S_SERVICE_TRAINER);
  rows[1] = co2s_supervisor_lookup_service (sup, "trainer-2");
  rows[2] = co2s_supervisor_lookup_service (sup, "trainer-3");
  producer = co2s_supervisor_get_service (sup, CO2S_SERVICE_PRODUCER);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_nonnull (rows[k]);
      g_assert_cmpint (co2s_service_get_state (rows[k]), ==, CO2S_SERVICE_STATE_RUNNING);
      started[k] = co2s_service_get_started_at (rows[k]);
    }
  producer_started = co2s_service_get_started_at (producer);

  /* Not a trainer row. */
  trainer_op (sup, producer, TRUE, G_IO_ERROR_NOT_FOUND);

  /* Trainer 2 alone: the others and the producer keep their processes. */
  trainer_op (sup, rows[1], TRUE, 0);
  g_assert_cmpint (co2s_service_get_state (rows[1]), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_false (co2s_service_has_process (rows[1]));
  g_assert_cmpuint (count_trainer_records (&env, "term", 2), ==, 1);
  for (guint k = 0; k < 3; k += 2)
    {
      g_assert_cmpint (co2s_service_get_state (rows[k]), ==, CO2S_SERVICE_STATE_RUNNING);
      g_assert_cmpint (co2s_service_get_started_at (rows[k]), ==, started[k]);
      g_assert_cmpuint (count_trainer_records (&env, "term", k + 1), ==, 0);
    }
  g_assert_cmpint (co2s_service_get_state (producer), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_cmpint (co2s_service_get_started_at (producer), ==, producer_started);
  g_assert_true (co2s_supervisor_get_active (sup));

  /* And back: a second process of local-2, the others untouched. */
  trainer_op (sup, rows[1], FALSE, 0);
  g_assert_cmpint (co2s_service_get_state (rows[1]), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_cmpuint (count_trainer_records (&env, "start", 2), ==, 2);
  for (guint k = 0; k < 3; k += 2)
    {
      g_assert_cmpint (co2s_service_get_started_at (rows[k]), ==, started[k]);
      g_assert_cmpuint (count_trainer_records (&env, "start", k + 1), ==, 1);
    }
  g_assert_cmpint (co2s_service_get_started_at (producer), ==, producer_started);

  /* The first trainer alone too. */
  trainer_op (sup, rows[0], TRUE, 0);
  g_assert_cmpint (co2s_service_get_state (rows[0]), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpint (co2s_service_get_state (rows[1]), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_cmpint (co2s_service_get_started_at (producer), ==, producer_started);

  test_supervisor_stop_ok (sup, 10000);
  for (guint k = 0; k < 3; k++)
    g_assert_false (co2s_service_has_process (rows[k]));
  test_supervisor_stop_all (&sup, STOP_DEADLINE_MS, "the fake pipeline");
  test_fake_env_clear (&env);
}

int
main (int argc,
      char **argv)
{
  co2s_test_children_fatal_criticals ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/supervisor/local/trainers/refused", test_refused);
  g_test_add_func ("/supervisor/local/trainers/one-of-three", test_one_of_three);
  g_test_add_func ("/supervisor/local/trainers/three", test_three);
  g_test_add_func ("/supervisor/local/trainers/partitions", test_partitions);
  return g_test_run ();
}
