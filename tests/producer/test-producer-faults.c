/* test-producer-faults.c — co2stream-producer when its broker crashes
 * (suites producer and kafka: a real JVM, the test's own co2stream-kafka):
 *
 *  /producer/broker-gone  the producer publishes a fast endless stream
 *      (20,000 rows/s, more than its queue holds over the outage) when
 *      Kafka's JVM is killed with SIGKILL; it says the brokers are down and
 *      keeps running (its queue fills, it stops reading the API); Kafka is
 *      started again on the same port with the same data; the producer
 *      goes on by itself. After SIGTERM (exit 0, nothing failed or left in
 *      flight) the topic holds each seq exactly once, in order, from 0 to
 *      the last one published: nothing lost, nothing duplicated.
 *
 * /producer/broker-down-fails-loudly (test-producer.c) covers a broker that
 * is not there at all. */
#define G_LOG_DOMAIN "test-producer-faults"

#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-local-kafka.h"
#include "producer-test-util.h"
#include "test-ndjson-server.h"

#define ROWS_BEFORE_KILL 20000
#define ROWS_AFTER_START 40000
#define DELIVERY_DEADLINE_MS 60000

typedef struct {
  const char *brokers;
  const char *topic;
  gint64 at_least;
} TopicCount;

/* TRUE once the topic's single partition holds at least w->at_least records. */
static gboolean
topic_reached (gpointer data)
{
  TopicCount *w = data;
  gint64 low = -1, high = -1;

  return co2s_test_kafka_watermarks (w->brokers, w->topic, 0, &low, &high, NULL) && high >= w->at_least;
}

static void
test_broker_gone (void)
{
  g_autoptr(Co2sTestLocalKafka) kafka = co2s_test_local_kafka_start ();
  g_autofree char *topic = co2s_test_unique_topic ("producer-broker-gone");
  g_autofree char *dlq = g_strconcat (topic, ".dlq", NULL);
  TestServerConfig config = {
    .honour_from = TRUE, .drop_request = -1, .paced_rows_per_tick = 100, .paced_tick_ms = 5,
  };
  g_autoptr(TestServer) server = NULL;
  g_autofree char *url = NULL;
  g_autoptr(Co2sTestProc) producer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  TopicCount count = { 0 };
  gint64 low = -1, high = -1;
  ProducerSummary s;

  if (!co2s_test_kafka_create_topic (kafka->bootstrap, topic, 1, &error))
    g_error ("cannot create %s: %s", topic, error->message);
  server = test_server_start (&config);
  url = test_server_url (server, "");
  producer = producer_spawn (url, kafka->bootstrap, topic, dlq, NULL);

  count.brokers = kafka->bootstrap;
  count.topic = topic;
  count.at_least = ROWS_BEFORE_KILL;
  co2s_test_assert_wait_msg (topic_reached, &count, DELIVERY_DEADLINE_MS, "20,000 rows in the topic");

  /* The broker crashes under a producer at full speed. */
  co2s_test_local_kafka_kill (kafka);
  if (!co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, "all Kafka brokers are down .*librdkafka keeps retrying",
                                 30000, NULL))
    g_error ("the producer did not say the brokers are down; stderr:\n%s", err = co2s_test_proc_stderr_text (producer));
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);

  /* Kafka comes back: the producer goes on by itself. */
  co2s_test_local_kafka_restart (kafka);
  g_assert_true (co2s_test_kafka_watermarks (kafka->bootstrap, topic, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_test_message ("the topic holds %" G_GINT64_FORMAT " rows after Kafka's restart", high);
  g_assert_cmpint (high, >=, ROWS_BEFORE_KILL);
  count.at_least = high + ROWS_AFTER_START;
  co2s_test_assert_wait_msg (topic_reached, &count, DELIVERY_DEADLINE_MS, "40,000 more rows after Kafka's restart");
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);

  co2s_test_proc_signal (producer, SIGTERM);
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.failed, ==, 0);
  g_assert_cmpuint (s.in_flight, ==, 0);
  g_assert_cmpuint (s.delivered, ==, s.produced);
  g_assert_cmpuint (s.duplicates, ==, 0);
  g_assert_cmpint (s.last_seq, ==, (gint64) s.produced - 1);
  g_assert_cmpuint (s.produced, >=, (guint64) count.at_least);

  /* Each seq once, in order, from 0 to the last one. */
  producer_assert_topic_rows (kafka->bootstrap, topic, NULL, 0, s.produced);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer/broker-gone", test_broker_gone);
  return g_test_run ();
}
