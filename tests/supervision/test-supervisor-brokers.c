/* test-supervisor-brokers.c — the supervisor's three brokers over
 * fake-service: the local Kafka (its command line, description, a restart
 * that keeps the model, "Reset local broker data…") and an existing Kafka
 * (address and -X properties for every program, secrets masked in the
 * log, a missing address). The real local Kafka runs in
 * tests/supervision/test-real-local-kafka.c. */
#define G_LOG_DOMAIN "test-supervisor-brokers"

#include <string.h>

#include "co2s-log-line.h"
#include "supervisor-test-util.h"

#define START_DEADLINE_MS 10000
#define STOP_DEADLINE_MS  10000

typedef struct
{
  TestFakeEnv env;
  Co2sSupervisor *sup;
  char *kafka_dir;
} Fixture;

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  test_fake_env_init (&f->env);
  f->kafka_dir = g_build_filename (f->env.tmp, "kafka", NULL);

  /* Defaults otherwise: the local Kafka is the default broker. */
  f->sup = test_fake_supervisor_new (&f->env);
  g_object_set (f->sup, "kafka-data-dir", f->kafka_dir, NULL);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  test_supervisor_stop_all (&f->sup, STOP_DEADLINE_MS, "every child to be gone");
  test_fake_env_clear (&f->env);
  g_free (f->kafka_dir);
}

static Co2sService *
svc (Fixture *f,
     Co2sServiceKind kind)
{
  return co2s_supervisor_get_service (f->sup, kind);
}

static char *
first_record (Fixture *f,
              const char *event,
              const char *role)
{
  g_autoptr(GPtrArray) records = test_read_lines (f->env.record);
  g_autoptr(GPtrArray) lines = test_filter_records (records, event, role);

  g_assert_cmpuint (lines->len, >=, 1);
  return g_strdup (g_ptr_array_index (lines, 0));
}

/* ---- /supervisor/local-kafka/command-line ------------------------------- */

static void
test_local_kafka_command_line (Fixture *f,
                               gconstpointer data)
{
  g_autofree char *broker = NULL;
  g_autofree char *trainer = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *default_dir = co2s_supervisor_default_kafka_data_dir ();
  Co2sService *service = svc (f, CO2S_SERVICE_BROKER);
  Co2sBrokerKind kind;
  guint port;

  /* What a new supervisor (and so the app) uses unless told otherwise. */
  {
    g_autoptr(Co2sSupervisor) plain = co2s_supervisor_new ();
    g_autofree char *dir = co2s_supervisor_get_kafka_data_dir (plain);

    g_object_get (plain, "broker-kind", &kind, "kafka-port", &port, NULL);
    g_assert_cmpint (kind, ==, CO2S_BROKER_LOCAL_KAFKA);
    g_assert_cmpuint (port, ==, 9092);
    g_assert_cmpstr (dir, ==, default_dir);
    g_assert_true (g_str_has_suffix (dir, "/co2stream/kafka"));
  }

  g_object_set (f->sup, "kafka-port", 19092, "kafka-retention-bytes", (guint64) 50 * 1024 * 1024, NULL);
  /* Stopped: the row already says what will run. */
  g_assert_nonnull (strstr (co2s_service_get_description (service), "Apache Kafka on this computer"));
  g_assert_nonnull (strstr (co2s_service_get_description (service), "127.0.0.1:19092"));
  g_assert_nonnull (strstr (co2s_service_get_description (service), "retention 50.0\u00a0MiB" /* g_format_size: no-break space */));

  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);

  broker = first_record (f, "start", "kafka");   /* co2stream-kafka */
  expected = g_strdup_printf (" --data-dir %s --port 19092 --retention-bytes 52428800", f->kafka_dir);
  g_assert_true (g_str_has_suffix (broker, expected));
  /* Controlled shutdown takes longer than the other services' stop. */
  g_assert_cmpuint (co2s_service_get_stop_timeout (service), ==, CO2S_SUPERVISOR_DEFAULT_KAFKA_STOP_TIMEOUT_MS);
  g_assert_cmpuint (co2s_service_get_stop_timeout (svc (f, CO2S_SERVICE_TRAINER)), ==, 2000);

  /* A durable broker: the trainer resumes from its checkpoint. */
  trainer = first_record (f, "start", "trainer");
  g_assert_null (strstr (trainer, "--reset"));
  g_assert_nonnull (strstr (co2s_service_get_description (service), co2s_service_get_address (service)));

  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

/* ---- /supervisor/local-kafka/restart-keeps-model ------------------------ */

static gboolean
trainer_started_twice (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) records = test_read_lines (f->env.record);
  g_autoptr(GPtrArray) starts = test_filter_records (records, "start", "trainer");
  g_autoptr(GPtrArray) producers = test_filter_records (records, "ready", "producer");

  return starts->len >= 2 && producers->len >= 2 &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_PRODUCER)) == CO2S_SERVICE_STATE_RUNNING;
}

static void
test_local_kafka_restart_keeps_model (Fixture *f,
                                      gconstpointer data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) trainers = NULL;

  g_setenv ("FAKE_CRASH_ONCE", "broker", TRUE);
  g_setenv ("FAKE_CRASH_DELAY_MS", "1500", TRUE);

  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);
  co2s_test_assert_wait_msg (trainer_started_twice, f, 10000, "the pipeline to come back after Kafka crashed");

  records = test_read_lines (f->env.record);
  trainers = test_filter_records (records, "start", "trainer");
  g_assert_cmpuint (trainers->len, ==, 2);
  /* Unlike the embedded broker, Kafka kept the topic: no --reset. */
  for (guint i = 0; i < trainers->len; i++)
    g_assert_null (strstr (g_ptr_array_index (trainers, i), "--reset"));
  g_assert_cmpuint (co2s_service_get_restart_count (svc (f, CO2S_SERVICE_BROKER)), ==, 1);

  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

/* ---- /supervisor/local-kafka/reset-data --------------------------------- */

static gboolean
reset_data (Fixture *f,
            GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  co2s_supervisor_reset_local_kafka_async (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, 10000, "reset");
  return co2s_supervisor_reset_local_kafka_finish (f->sup, result, error);
}

static void
test_local_kafka_reset_data (Fixture *f,
                             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reset = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) trainers = NULL;

  /* Refused while the pipeline runs. */
  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);
  g_assert_false (reset_data (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);

  /* The program's own refusal reaches the caller. */
  g_setenv ("FAKE_RESET_FAILS", "broker", TRUE);
  g_assert_false (reset_data (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "still runs from this folder (pid 4242)"));
  g_clear_error (&error);
  g_unsetenv ("FAKE_RESET_FAILS");

  g_assert_true (reset_data (f, &error));
  g_assert_no_error (error);
  reset = first_record (f, "reset", "kafka");
  expected = g_strdup_printf (" --data-dir %s --reset-data", f->kafka_dir);
  g_assert_true (g_str_has_suffix (reset, expected));

  /* The model's offsets pointed into the deleted log: the next trainer
   * starts over. */
  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);
  records = test_read_lines (f->env.record);
  trainers = test_filter_records (records, "start", "trainer");
  g_assert_cmpuint (trainers->len, ==, 2);
  g_assert_null (strstr (g_ptr_array_index (trainers, 0), "--reset"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (trainers, 1), " --reset"));
  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

/* ---- /supervisor/existing-kafka/properties ------------------------------ */

static void
test_existing_kafka_properties (Fixture *f,
                                gconstpointer data)
{
  const char *props[] = { "security.protocol=SASL_SSL", " sasl.mechanism=PLAIN ",
                          "sasl.password=hunter2", "", "# a comment", NULL };
  g_autofree char *trainer = NULL;
  g_autofree char *producer = NULL;
  Co2sService *trainer_svc = svc (f, CO2S_SERVICE_TRAINER);
  Co2sLogLine *first;

  g_object_set (f->sup,
                "broker-kind", CO2S_BROKER_EXISTING,
                "broker-address", "kafka.example:9093",
                "broker-properties", props,
                NULL);
  g_assert_nonnull (strstr (co2s_service_get_description (svc (f, CO2S_SERVICE_BROKER)),
                            "Existing Kafka · kafka.example:9093"));
  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);

  g_assert_false (co2s_service_get_enabled (svc (f, CO2S_SERVICE_BROKER)));
  trainer = first_record (f, "start", "trainer");
  producer = first_record (f, "start", "producer");
  for (guint i = 0; i < 2; i++)
    {
      const char *line = i == 0 ? trainer : producer;

      g_assert_nonnull (strstr (line, " --brokers kafka.example:9093 "));
      g_assert_nonnull (strstr (line, " -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN"
                                      " -X sasl.password=hunter2"));
      g_assert_null (strstr (line, "comment"));
    }

  /* The log shows the command line, never the secret. */
  first = g_list_model_get_item (co2s_service_get_log (trainer_svc), 0);
  g_assert_nonnull (strstr (co2s_log_line_get_text (first), "-X sasl.password=***"));
  g_assert_null (strstr (co2s_log_line_get_text (first), "hunter2"));
  g_object_unref (first);

  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

/* ---- /supervisor/existing-kafka/no-address ------------------------------ */

static void
test_existing_kafka_no_address (Fixture *f,
                                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EXISTING, "broker-address", "", NULL);
  error = test_supervisor_start_fails (f->sup, START_DEADLINE_MS);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Preferences"));
  g_assert_false (co2s_supervisor_get_active (f->sup));

  records = test_read_lines (f->env.record);
  g_assert_cmpuint (records->len, ==, 0);
}

/* ---- /supervisor/embedded/description ----------------------------------- */

static void
test_embedded_description (Fixture *f,
                           gconstpointer data)
{
  Co2sService *broker = svc (f, CO2S_SERVICE_BROKER);
  g_autofree char *record = NULL;

  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EMBEDDED, NULL);
  g_assert_true (g_str_has_prefix (co2s_service_get_description (broker), "Embedded demo broker"));
  test_supervisor_start_ok (f->sup, &f->env, START_DEADLINE_MS);
  record = first_record (f, "start", "broker");   /* co2stream-broker */
  g_assert_nonnull (record);
  g_assert_nonnull (strstr (co2s_service_get_description (broker), co2s_service_get_address (broker)));
  test_supervisor_stop_ok (f->sup, STOP_DEADLINE_MS);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/supervisor/local-kafka/command-line", test_local_kafka_command_line);
  ADD ("/supervisor/local-kafka/restart-keeps-model", test_local_kafka_restart_keeps_model);
  ADD ("/supervisor/local-kafka/reset-data", test_local_kafka_reset_data);
  ADD ("/supervisor/existing-kafka/properties", test_existing_kafka_properties);
  ADD ("/supervisor/existing-kafka/no-address", test_existing_kafka_no_address);
  ADD ("/supervisor/embedded/description", test_embedded_description);

  return g_test_run ();
}
