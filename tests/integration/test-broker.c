/* test-broker.c — the embedded co2stream-broker (suite "broker") and the real
 * Apache Kafka fixture of tests/kafka-broker.sh (suite "kafka"). */
#define G_LOG_DOMAIN "test-broker"

#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-test-util.h"

#define START_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 5000

/* A row shaped like the API's NDJSON (about 300 bytes), built in code. */
static char *
fake_row (guint seq)
{
  return g_strdup_printf ("{\"Engine_Size\":%u.%u,\"Cylinders\":%u,"
                          "\"Fuel_Consumption_City\":1%u.%u,\"Fuel_Consumption_Hwy\":%u.%u,"
                          "\"Fuel_Consumption_Comb\":%u.%u,\"Fuel_Consumption_Comb-1\":%u,"
                          "\"CO2_Emissions\":%u,\"Fuel_Type_D\":false,\"Fuel_Type_E\":false,"
                          "\"Fuel_Type_N\":false,\"Fuel_Type_X\":%s,\"Fuel_Type_Z\":%s,"
                          "\"seq\":%u,\"ts_us\":1700000000%06u}",
                          1 + seq % 6, seq % 10, 4 + 2 * (seq % 3), seq % 9, seq % 10,
                          5 + seq % 5, seq % 10, 7 + seq % 6, seq % 10, 20 + seq % 25,
                          150 + seq % 200, seq % 2 ? "true" : "false",
                          seq % 2 ? "false" : "true", seq, seq % 1000000);
}

static GPtrArray *
fake_rows (guint n, guint first_seq)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, fake_row (first_seq + i));
  return rows;
}

static GPtrArray *
seq_keys (guint n)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (keys, g_strdup_printf ("%u", i));
  return keys;
}

/* Produces @n rows with keys "0".."n-1", reads them back and checks every
 * payload and key arrived once, in order within its partition. */
static void
assert_round_trip (const char *brokers, const char *topic, guint n)
{
  g_autoptr(GPtrArray) rows = fake_rows (n, 0);
  g_autoptr(GPtrArray) keys = seq_keys (n);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) last_offset = g_hash_table_new (NULL, NULL);
  g_autofree gboolean *seen = g_new0 (gboolean, n);
  gboolean ok;

  ok = co2s_test_kafka_produce (brokers, topic, (const char * const *) rows->pdata,
                                (const char * const *) keys->pdata, n, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  got = co2s_test_kafka_consume (brokers, topic, n, 30000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, n);

  for (guint i = 0; i < got->len; i++)
    {
      const Co2sTestMessage *m = g_ptr_array_index (got, i);
      guint64 key = 0;
      gpointer prev;

      g_assert_nonnull (m->key);
      g_assert_true (g_ascii_string_to_unsigned (m->key, 10, 0, n - 1, &key, NULL));
      g_assert_false (seen[key]);
      seen[key] = TRUE;
      g_assert_cmpstr (m->payload, ==, g_ptr_array_index (rows, key));
      g_assert_cmpuint (m->len, ==, strlen (g_ptr_array_index (rows, key)));

      if (g_hash_table_lookup_extended (last_offset, GINT_TO_POINTER (m->partition), NULL, &prev))
        g_assert_cmpint (m->offset, >, GPOINTER_TO_INT (prev));
      g_hash_table_insert (last_offset, GINT_TO_POINTER (m->partition),
                           GINT_TO_POINTER ((int) m->offset));
    }
}

/* Runs the broker with @args: it must exit with @status (2: a usage error,
 * 1: a runtime failure), print nothing on stdout and a line matching
 * @stderr_pattern on stderr. */
static void
assert_fails_with (const char * const *args, int expected_status, const char *stderr_pattern)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) proc = NULL;
  g_autofree char *out = NULL;
  int status;

  g_ptr_array_add (argv, (char *) co2s_test_program ("CO2S_BROKER"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, NULL);
  status = co2s_test_proc_wait_exit (proc, EXIT_TIMEOUT_MS);
  g_assert_cmpint (status, ==, expected_status);
  g_assert_true (co2s_test_proc_wait_closed (proc, EXIT_TIMEOUT_MS));
  g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDERR, stderr_pattern, 0, NULL));
  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  g_assert_cmpstr (out, ==, "");
}

/* ---- /broker/embedded ---------------------------------------------------------- */

static void
test_embedded_prints_bootstrap (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bootstrap = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;

  broker = co2s_test_embedded_broker_start (NULL, &bootstrap);
  g_assert_true (g_regex_match_simple ("^127\\.0\\.0\\.1:[0-9]{1,5}$", bootstrap, 0, 0));

  /* The address accepts connections. */
  connection = g_socket_client_connect_to_host (client, bootstrap, 0, NULL, &error);
  g_assert_no_error (error);

  /* After a clean exit, stdout held exactly that one line. */
  g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_true (co2s_test_proc_wait_closed (broker, EXIT_TIMEOUT_MS));
  out = co2s_test_proc_get_text (broker, CO2S_TEST_STDOUT);
  expected = g_strconcat (CO2S_READY_BROKER_PREFIX, bootstrap, "\n", NULL);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_embedded_produce_consume (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *bootstrap = NULL;

  broker = co2s_test_embedded_broker_start (NULL, &bootstrap);
  assert_round_trip (bootstrap, CO2S_TOPIC_DATA, 500);
  g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
}

static void
test_embedded_listen (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autofree char *bootstrap = NULL;
  const char *args[] = { "--listen", listen, NULL };

  /* Clients bootstrap through the fixed address, then follow the metadata
   * to the mock broker's own port. */
  broker = co2s_test_embedded_broker_start (args, &bootstrap);
  g_assert_cmpstr (bootstrap, ==, listen);
  assert_round_trip (bootstrap, CO2S_TOPIC_DATA, 50);
  g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
}

static void
test_embedded_sigterm (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bootstrap = NULL;
  g_autoptr(GPtrArray) rows = fake_rows (10, 0);
  gint64 start;
  gboolean ok;

  /* With a client's data in it, SIGTERM still ends it promptly and cleanly. */
  broker = co2s_test_embedded_broker_start (NULL, &bootstrap);
  ok = co2s_test_kafka_produce (bootstrap, CO2S_TOPIC_DATA,
                                (const char * const *) rows->pdata, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  start = g_get_monotonic_time ();
  co2s_test_proc_signal (broker, SIGTERM);
  g_assert_cmpint (co2s_test_proc_wait_exit (broker, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
}

static void
test_embedded_sigint (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *bootstrap = NULL;

  broker = co2s_test_embedded_broker_start (NULL, &bootstrap);
  co2s_test_proc_signal (broker, SIGINT);
  g_assert_cmpint (co2s_test_proc_wait_exit (broker, EXIT_TIMEOUT_MS), ==, 0);
}

static void
assert_partitions (const char *bootstrap, const char *topic, int expected)
{
  g_autoptr(GError) error = NULL;
  int count = co2s_test_kafka_partition_count (bootstrap, topic, &error);

  g_assert_no_error (error);
  g_assert_cmpint (count, ==, expected);
}

static void
test_embedded_topics (void)
{
  const char * const ours[] = { CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, CO2S_TOPIC_METRICS };

  for (int partitions = 1; partitions <= 3; partitions += 2)
    {
      g_autoptr(Co2sTestProc) broker = NULL;
      g_autofree char *bootstrap = NULL;
      g_autofree char *arg = g_strdup_printf ("%d", partitions);
      const char *args[] = { "--partitions", arg, NULL };

      broker = co2s_test_embedded_broker_start (partitions == 1 ? NULL : args, &bootstrap);
      for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
        assert_partitions (bootstrap, ours[i], partitions);
      /* What --help says about topics it did not create. */
      assert_partitions (bootstrap, "not-created-here", 4);
      g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
    }
}

static void
test_embedded_custom_topics (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *bootstrap = NULL;
  const char *args[] = { "--topics", "alpha, beta", "--partitions", "2", NULL };

  broker = co2s_test_embedded_broker_start (args, &bootstrap);
  assert_partitions (bootstrap, "alpha", 2);
  assert_partitions (bootstrap, "beta", 2);
  g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
}

/* The bounded log --help documents: about 5 MB per partition, i.e. about
 * 14,000-16,500 uncompressed rows of ~300 bytes; older batches are pruned. */
static void
test_embedded_bounded_log (void)
{
  const guint n = 25000;
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GPtrArray) rows = fake_rows (n, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *bootstrap = NULL;
  gint64 low = -1, high = -1;
  gboolean ok;

  broker = co2s_test_embedded_broker_start (NULL, &bootstrap);
  ok = co2s_test_kafka_produce (bootstrap, CO2S_TOPIC_DATA,
                                (const char * const *) rows->pdata, NULL, n, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  ok = co2s_test_kafka_watermarks (bootstrap, CO2S_TOPIC_DATA, 0, &low, &high, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_test_message ("%u rows produced: log keeps offsets %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                  " (%" G_GINT64_FORMAT " rows)", n, low, high, high - low);
  g_assert_cmpint (high, ==, n);
  g_assert_cmpint (low, >, 0);
  g_assert_cmpint (high - low, >=, 13000);
  g_assert_cmpint (high - low, <=, 18000);
  g_assert_cmpint (co2s_test_proc_terminate (broker, EXIT_TIMEOUT_MS), ==, 0);
}

static void
test_embedded_bad_partitions (void)
{
  const char *zero[] = { "--partitions", "0", NULL };
  const char *word[] = { "--partitions", "many", NULL };

  assert_fails_with (zero, 2, "--partitions 0: expected 1 to 1000");
  assert_fails_with (word, 2, "many");
}

static void
test_embedded_bad_listen (void)
{
  const char *not_loopback[] = { "--listen", "10.1.2.3:9092", NULL };
  const char *no_port[] = { "--listen", "127.0.0.1", NULL };
  const char *garbage[] = { "--listen", "127.0.0.1:http-ish", NULL };

  assert_fails_with (not_loopback, 2, "only a numeric loopback address");
  assert_fails_with (no_port, 2, "expected HOST:PORT");
  assert_fails_with (garbage, 2, "127\\.0\\.0\\.1:http-ish");
}

static void
test_embedded_listen_in_use (void)
{
  g_autoptr(Co2sTestProc) first = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autofree char *bootstrap = NULL;
  const char *args[] = { "--listen", listen, NULL };

  first = co2s_test_embedded_broker_start (args, &bootstrap);
  assert_fails_with (args, 1, "--listen 127\\.0\\.0\\.1:[0-9]+: .*(in use|Address)");
  g_assert_cmpint (co2s_test_proc_terminate (first, EXIT_TIMEOUT_MS), ==, 0);
}

static void
test_embedded_bad_arguments (void)
{
  const char *extra[] = { "stray", NULL };
  const char *unknown[] = { "--no-such-option", NULL };
  const char *empty_topics[] = { "--topics", " , ", NULL };

  assert_fails_with (extra, 2, "unexpected argument");
  assert_fails_with (unknown, 2, "no-such-option");
  assert_fails_with (empty_topics, 2, "names no topic");
}

static void
test_embedded_help (void)
{
  const char *argv[] = { co2s_test_program ("CO2S_BROKER"), "--help", NULL };
  g_autoptr(Co2sTestProc) proc = co2s_test_proc_spawn_or_die (argv, NULL);

  const char *needles[] = { "--listen=HOST:PORT", "--partitions=N", "--topics=LIST",
                            "bootstrap\\.servers=HOST:PORT", "nothing durable",
                            "14,000 to 16,500 rows uncompressed",
                            "Apache Kafka is the real thing" };
  g_autofree char *out = NULL;

  g_assert_cmpint (co2s_test_proc_wait_exit (proc, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_true (co2s_test_proc_wait_closed (proc, EXIT_TIMEOUT_MS));
  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
    if (!g_regex_match_simple (needles[i], out, 0, 0))
      g_error ("--help lacks “%s”:\n%s", needles[i], out);
}

/* ---- /kafka/real ----------------------------------------------------------------- */

static void
test_real_produce_consume (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autofree char *topic = co2s_test_unique_topic ("co2s-roundtrip");
  g_autoptr(GError) error = NULL;
  gint64 total = 0;
  gboolean ok;

  ok = co2s_test_kafka_create_topic (brokers, topic, 3, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_partitions (brokers, topic, 3);

  assert_round_trip (brokers, topic, 300);

  for (int p = 0; p < 3; p++)
    {
      gint64 low = -1, high = -1;

      ok = co2s_test_kafka_watermarks (brokers, topic, p, &low, &high, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (low, ==, 0);
      total += high;
    }
  g_assert_cmpint (total, ==, 300);
}

static void
test_real_create_existing_fails (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autofree char *topic = co2s_test_unique_topic ("co2s-twice");
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = co2s_test_kafka_create_topic (brokers, topic, 1, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (co2s_test_kafka_create_topic (brokers, topic, 1, &error));
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/broker/embedded/prints-bootstrap", test_embedded_prints_bootstrap);
  g_test_add_func ("/broker/embedded/produce-consume", test_embedded_produce_consume);
  g_test_add_func ("/broker/embedded/listen", test_embedded_listen);
  g_test_add_func ("/broker/embedded/sigterm", test_embedded_sigterm);
  g_test_add_func ("/broker/embedded/sigint", test_embedded_sigint);
  g_test_add_func ("/broker/embedded/topics", test_embedded_topics);
  g_test_add_func ("/broker/embedded/custom-topics", test_embedded_custom_topics);
  g_test_add_func ("/broker/embedded/bounded-log", test_embedded_bounded_log);
  g_test_add_func ("/broker/embedded/bad-partitions", test_embedded_bad_partitions);
  g_test_add_func ("/broker/embedded/bad-listen", test_embedded_bad_listen);
  g_test_add_func ("/broker/embedded/listen-in-use", test_embedded_listen_in_use);
  g_test_add_func ("/broker/embedded/bad-arguments", test_embedded_bad_arguments);
  g_test_add_func ("/broker/embedded/help", test_embedded_help);

  g_test_add_func ("/kafka/real/produce-consume", test_real_produce_consume);
  g_test_add_func ("/kafka/real/create-existing-fails", test_real_create_existing_fails);

  return g_test_run ();
}
