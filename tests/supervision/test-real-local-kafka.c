/* test-real-local-kafka.c — the pipeline on the local Apache Kafka, as the
 * app and scripts/run.sh run it: Co2sSupervisor with its default broker
 * (co2stream-kafka, a real JVM) and the four real programs on the real data
 * set. Suite "kafka".
 *
 *  /real-local-kafka/restart-keeps-data  ≥ 50,000 rows, Stop, Start: the
 *      topic and the model are kept; the trainer resumes, and once the
 *      producer is stopped it has learned every record of the topic exactly
 *      once (rows_seen = records); the topic holds each seq once; "Retrain
 *      from the start" replays the whole log to the same count.
 *  /real-local-kafka/kafka-sigkill  Kafka's JVM killed with SIGKILL mid-stream:
 *      the supervisor restarts it, the producer and trainer reconnect, and
 *      nothing is lost or doubled.
 *  /real-local-kafka/port-in-use  the broker's row says which port is taken.
 *
 * Needs Java and Kafka's jars (scripts/test.sh fetches them) and the built
 * programs (found by the supervisor from this test's build tree). Anything
 * missing fails loudly. */
#define G_LOG_DOMAIN "test-real-local-kafka"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "co2s-checkpoint.h"
#include "co2s-contracts.h"
#include "co2s-model.h"
#include "co2s-supervisor.h"
#include "supervisor-test-util.h"

#define START_DEADLINE_MS 240000   /* a cold JVM on a busy 2-core machine */
#define STOP_DEADLINE_MS   90000
#define ROWS_DEADLINE_MS  180000
#define FIRST_ROWS          50000

typedef struct
{
  Co2sSupervisor *sup;
  char *tmp;
  char *kafka_dir;
  char *models;
  char *model_path;
  char *dataset;
  guint16 port;
  guint64 rows_target;
  gboolean saw_below_target;   /* rows_replayed: the model file went below rows_target */
} Fixture;

static void
on_last_line (Co2sService *service,
              GParamSpec *pspec,
              gpointer data)
{
  g_debug ("%s: %s", co2s_service_get_name (service), co2s_service_get_last_line (service));
}

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  f->tmp = co2s_test_tmpdir ();
  f->kafka_dir = g_build_filename (f->tmp, "kafka", NULL);
  f->models = g_build_filename (f->tmp, "models", NULL);
  f->model_path = g_build_filename (f->models, CO2S_MODEL_FILE, NULL);
  f->dataset = co2s_test_dataset_path ();
  g_assert_nonnull (f->dataset);
  f->port = co2s_test_free_port ();

  f->sup = co2s_supervisor_new ();
  g_object_set (f->sup,
                "kafka-data-dir", f->kafka_dir,
                "kafka-port", (guint) f->port,
                "dataset", f->dataset,
                "model-dir", f->models,
                "api-rate", 0.0,
                "batch-rows", 1000,
                "ready-timeout", 30000,
                "restart-delay-initial", 200,
                "restart-delay-max", 2000,
                NULL);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    g_signal_connect (co2s_supervisor_get_service (f->sup, i), "notify::last-line", G_CALLBACK (on_last_line), NULL);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  test_supervisor_stop_all (&f->sup, STOP_DEADLINE_MS, "every child to be gone");
  g_assert_true (co2s_test_rm_rf (f->tmp, NULL));
  g_free (f->tmp);
  g_free (f->kafka_dir);
  g_free (f->models);
  g_free (f->model_path);
  g_free (f->dataset);
}

static void
run_op (Fixture *f,
        void (*op) (Co2sSupervisor *, GCancellable *, GAsyncReadyCallback, gpointer),
        gboolean (*finish) (Co2sSupervisor *, GAsyncResult *, GError **),
        guint timeout_ms,
        const char *what)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  op (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, timeout_ms, what);
  if (!finish (f->sup, result, &error))
    g_error ("%s failed: %s", what, error->message);
}

static void
start_ok (Fixture *f)
{
  run_op (f, co2s_supervisor_start_async, co2s_supervisor_start_finish, START_DEADLINE_MS, "Start");
}

static void
stop_ok (Fixture *f)
{
  run_op (f, co2s_supervisor_stop_async, co2s_supervisor_stop_finish, STOP_DEADLINE_MS, "Stop");
}

static void
stop_producer (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  co2s_supervisor_stop_service_async (f->sup, CO2S_SERVICE_PRODUCER, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, STOP_DEADLINE_MS, "the producer to stop");
  g_assert_true (co2s_supervisor_stop_service_finish (f->sup, result, &error));
  g_assert_no_error (error);
}

/* rows_seen of the trainer's last checkpoint; 0 without one. */
static guint64
rows_seen (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *cp;
  guint64 rows;

  if (!g_file_test (f->model_path, G_FILE_TEST_EXISTS))
    return 0;
  cp = co2s_checkpoint_load (f->model_path, &error);
  if (cp == NULL)
    return 0;   /* between the trainer's write and rename: read again */
  rows = co2s_model_get_rows_seen (cp->model);
  co2s_checkpoint_free (cp);
  return rows;
}

static gboolean
rows_reached (gpointer data)
{
  Fixture *f = data;

  return rows_seen (f) >= f->rows_target;
}

/* The retrained model reached the target, not the one before it, which
 * may still be on disk when the retrain completes (it completes at the new
 * trainer's first log line, "--reset: fresh … model", before it joins the
 * group and writes its reset's first checkpoint, 0 rows): the file must go
 * below the target first. Polled every 2 ms; that checkpoint stays until
 * the replay has caught up or 200 ms have passed. */
static gboolean
rows_replayed (gpointer data)
{
  Fixture *f = data;
  guint64 rows = rows_seen (f);

  if (rows < f->rows_target)
    f->saw_below_target = TRUE;
  return f->saw_below_target && rows == f->rows_target;
}

static const char *
brokers (Fixture *f)
{
  const char *b = co2s_supervisor_get_bootstrap_servers (f->sup);

  g_assert_nonnull (b);
  return b;
}

/* Records in the data topic (all partitions: end − start). */
static guint64
topic_records (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  int partitions = co2s_test_kafka_partition_count (brokers (f), CO2S_TOPIC_DATA, &error);
  guint64 total = 0;

  g_assert_no_error (error);
  g_assert_cmpint (partitions, >=, 1);
  for (int p = 0; p < partitions; p++)
    {
      gint64 low, high;

      g_assert_true (co2s_test_kafka_watermarks (brokers (f), CO2S_TOPIC_DATA, p, &low, &high, &error));
      g_assert_no_error (error);
      /* 1 GiB of retention: nothing of these few MB was pruned. */
      g_assert_cmpint (low, ==, 0);
      total += high - low;
    }
  return total;
}

/* Every message's key is its seq: each one once, 0 … n−1. */
static void
assert_each_seq_once (Fixture *f,
                      guint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = co2s_test_kafka_consume (brokers (f), CO2S_TOPIC_DATA, n, 60000, &error);
  g_autofree guint8 *seen = g_new0 (guint8, n);

  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, n);
  for (guint i = 0; i < messages->len; i++)
    {
      Co2sTestMessage *m = g_ptr_array_index (messages, i);
      guint64 seq;

      g_assert_nonnull (m->key);
      g_assert_true (g_ascii_string_to_unsigned (m->key, 10, 0, n - 1, &seq, NULL));
      if (seen[seq])
        g_error ("seq %" G_GUINT64_FORMAT " is in the topic twice", seq);
      seen[seq] = 1;
    }
}

/* The producer stopped, the trainer must catch up with every record of the
 * topic, exactly: rows_seen = records. */
static guint64
assert_learned_exactly_once (Fixture *f)
{
  guint64 records;

  stop_producer (f);
  records = topic_records (f);
  f->rows_target = records;
  co2s_test_assert_wait_msg (rows_reached, f, ROWS_DEADLINE_MS, "the trainer to learn every record of the topic");
  g_assert_cmpuint (rows_seen (f), ==, records);
  assert_each_seq_once (f, records);
  return records;
}

/* ---- /real-local-kafka/restart-keeps-data ---------------------------------- */

static void
test_restart_keeps_data (Fixture *f,
                         gconstpointer data)
{
  Co2sService *broker = co2s_supervisor_get_service (f->sup, CO2S_SERVICE_BROKER);
  g_autofree char *cluster_id_path = NULL;
  g_autofree char *meta_before = NULL;
  g_autofree char *meta_after = NULL;
  g_autofree char *meta_path = g_build_filename (f->kafka_dir, "data", "meta.properties", NULL);
  guint64 first_run, records;

  start_ok (f);
  g_assert_nonnull (strstr (co2s_service_get_description (broker), "Apache Kafka on this computer"));
  f->rows_target = FIRST_ROWS;
  co2s_test_assert_wait_msg (rows_reached, f, ROWS_DEADLINE_MS, "50,000 rows learned");
  first_run = rows_seen (f);
  stop_ok (f);
  g_assert_false (co2s_service_get_killed (broker));   /* controlled shutdown in time */
  g_assert_true (g_file_get_contents (meta_path, &meta_before, NULL, NULL));

  /* Start again: same cluster (not reformatted), the topic and model kept. */
  start_ok (f);
  g_assert_true (g_file_get_contents (meta_path, &meta_after, NULL, NULL));
  g_assert_cmpstr (meta_before, ==, meta_after);
  g_assert_cmpuint (rows_seen (f), >=, first_run);
  records = assert_learned_exactly_once (f);
  g_assert_cmpuint (records, >, first_run);
  g_test_message ("first run %" G_GUINT64_FORMAT " rows; after the restart %" G_GUINT64_FORMAT
                  " records in the topic, each learned once", first_run, records);

  /* Kappa reprocessing: the whole retained log, again exactly once. */
  run_op (f, co2s_supervisor_retrain_async, co2s_supervisor_retrain_finish, START_DEADLINE_MS, "Retrain");
  f->rows_target = records;
  f->saw_below_target = FALSE;
  co2s_test_assert_wait_msg (rows_replayed, f, ROWS_DEADLINE_MS, "the retrained model to replay every record");
  stop_ok (f);
  g_assert_cmpuint (rows_seen (f), ==, records);
}

/* ---- /real-local-kafka/kafka-sigkill --------------------------------------- */

static gboolean
broker_restarted (gpointer data)
{
  Fixture *f = data;
  Co2sService *broker = co2s_supervisor_get_service (f->sup, CO2S_SERVICE_BROKER);

  return co2s_service_get_restart_count (broker) >= 1 &&
         co2s_service_get_state (broker) == CO2S_SERVICE_STATE_RUNNING &&
         co2s_service_get_state (co2s_supervisor_get_service (f->sup, CO2S_SERVICE_PRODUCER)) ==
           CO2S_SERVICE_STATE_RUNNING;
}

static void
test_kafka_sigkill (Fixture *f,
                    gconstpointer data)
{
  g_autofree char *pid_path = g_build_filename (f->kafka_dir, "kafka.pid", NULL);
  g_autofree char *pid_text = NULL;
  guint64 java_pid, before;

  start_ok (f);
  f->rows_target = 10000;
  co2s_test_assert_wait_msg (rows_reached, f, ROWS_DEADLINE_MS, "10,000 rows learned");

  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 2, G_MAXINT, &java_pid, NULL));
  before = rows_seen (f);
  g_assert_cmpint (kill ((pid_t) java_pid, SIGKILL), ==, 0);

  co2s_test_assert_wait_msg (broker_restarted, f, START_DEADLINE_MS, "Kafka restarted by the supervisor");
  f->rows_target = before + 20000;
  co2s_test_assert_wait_msg (rows_reached, f, ROWS_DEADLINE_MS, "20,000 more rows after the restart");
  assert_learned_exactly_once (f);
  stop_ok (f);
}

/* ---- /real-local-kafka/port-in-use ----------------------------------------- */

static void
test_port_in_use (Fixture *f,
                  gconstpointer data)
{
  g_autoptr(GSocketListener) holder = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", f->port);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", f->port);
  Co2sService *broker = co2s_supervisor_get_service (f->sup, CO2S_SERVICE_BROKER);

  g_assert_true (g_socket_listener_add_address (holder, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, NULL, &error));
  g_assert_no_error (error);

  co2s_supervisor_start_async (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, START_DEADLINE_MS, "Start");
  g_assert_false (co2s_supervisor_start_finish (f->sup, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (co2s_service_get_state (broker), ==, CO2S_SERVICE_STATE_FAILED);
  g_test_message ("broker: %s", co2s_service_get_message (broker));
  g_assert_nonnull (strstr (co2s_service_get_message (broker), port_text));
  g_assert_nonnull (strstr (co2s_service_get_message (broker), "in use"));
  stop_ok (f);
}

int
main (int argc,
      char **argv)
{
  co2s_test_children_fatal_criticals ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/real-local-kafka/port-in-use", test_port_in_use);
  ADD ("/real-local-kafka/restart-keeps-data", test_restart_keeps_data);
  ADD ("/real-local-kafka/kafka-sigkill", test_kafka_sigkill);

  return g_test_run ();
}
