/* test-producer-faults.c — co2stream-producer when its broker crashes
 * (suites producer and kafka: a real JVM, the test's own co2stream-kafka,
 * which keeps its data across starts). The API is a fast endless stream
 * (20,000 rows/s: more than the producer's queue holds over an outage).
 *
 *  /producer/broker-gone  Kafka's JVM killed with SIGKILL under the
 *      producer and started again on the same port with the same data: the
 *      producer says the brokers are down and keeps running (its queue
 *      fills, it stops reading the API), then goes on by itself. After
 *      SIGTERM (exit 0, nothing failed or left in flight) the topic holds
 *      each seq exactly once, in order, from 0 to the last one published.
 *
 *  /producer/broker-gone/longer-than-message-timeout  the same crash, but
 *      Kafka stays down longer than message.timeout.ms: the first row that
 *      cannot be delivered stops the producer (exit 1, saying which seq and
 *      why) before any later row is published — before, it went on and the
 *      rows after the outage landed behind a hole of 100,000 rows that no
 *      restart fills. With Kafka back, the topic is a gapless prefix of the
 *      stream, and a restarted producer (as the supervisor restarts it)
 *      resumes after its last row: each seq once, from 0 to the last.
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
  Co2sTestLocalKafka *kafka;
  char *topic;
  char *dlq;
  TestServer *server;
  char *url;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  TestServerConfig config = {
    .honour_from = TRUE, .drop_request = -1, .paced_rows_per_tick = 100, .paced_tick_ms = 5,
  };
  g_autoptr(GError) error = NULL;

  f->kafka = co2s_test_local_kafka_start ();
  f->topic = co2s_test_unique_topic ("producer-broker-gone");
  f->dlq = g_strconcat (f->topic, ".dlq", NULL);
  if (!co2s_test_kafka_create_topic (f->kafka->bootstrap, f->topic, 1, &error))
    g_error ("cannot create %s: %s", f->topic, error->message);
  f->server = test_server_start (&config);
  f->url = test_server_url (f->server, "");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->server, test_server_stop);
  g_clear_pointer (&f->kafka, co2s_test_local_kafka_free);
  g_free (f->topic);
  g_free (f->dlq);
  g_free (f->url);
}

typedef struct {
  Fixture *f;
  gint64 at_least;
} TopicCount;

/* The high watermark of the topic's single partition. */
static gint64
topic_high (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 low = -1, high = -1;

  g_assert_true (co2s_test_kafka_watermarks (f->kafka->bootstrap, f->topic, 0, &low, &high, &error));
  g_assert_no_error (error);
  return high;
}

/* TRUE once the topic holds at least w->at_least records. */
static gboolean
topic_reached (gpointer data)
{
  TopicCount *w = data;
  gint64 low = -1, high = -1;

  return co2s_test_kafka_watermarks (w->f->kafka->bootstrap, w->f->topic, 0, &low, &high, NULL) &&
         high >= w->at_least;
}

static void
wait_topic (Fixture *f, gint64 at_least, const char *what)
{
  TopicCount count = { f, at_least };

  co2s_test_assert_wait_msg (topic_reached, &count, DELIVERY_DEADLINE_MS, what);
}

/* Kills Kafka under the producer once the topic holds 20,000 rows; the
 * producer must say the brokers are down. */
static void
crash_kafka_under (Fixture *f, Co2sTestProc *producer)
{
  g_autofree char *err = NULL;

  wait_topic (f, ROWS_BEFORE_KILL, "20,000 rows in the topic");
  co2s_test_local_kafka_kill (f->kafka);
  if (!co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, "all Kafka brokers are down .*librdkafka keeps retrying",
                                 30000, NULL))
    g_error ("the producer did not say the brokers are down; stderr:\n%s", err = co2s_test_proc_stderr_text (producer));
}

/* SIGTERM: exit 0, nothing failed, nothing left in flight. */
static void
stop_ok (Co2sTestProc *producer, ProducerSummary *s)
{
  co2s_test_proc_signal (producer, SIGTERM);
  producer_finish (producer, 0, s);
  g_assert_cmpuint (s->failed, ==, 0);
  g_assert_cmpuint (s->in_flight, ==, 0);
  g_assert_cmpuint (s->delivered, ==, s->produced);
}

/* ---- /producer/broker-gone ------------------------------------------------------ */

static void
test_broker_gone (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sTestProc) producer = producer_spawn (f->url, f->kafka->bootstrap, f->topic, f->dlq, NULL);
  gint64 high;
  ProducerSummary s;

  crash_kafka_under (f, producer);
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);

  /* Kafka comes back: the producer goes on by itself. */
  co2s_test_local_kafka_restart (f->kafka);
  wait_topic (f, ROWS_BEFORE_KILL, "the rows of before the kill in the topic after Kafka's restart");
  high = topic_high (f);
  g_test_message ("the topic holds %" G_GINT64_FORMAT " rows after Kafka's restart", high);
  g_assert_cmpint (high, >=, ROWS_BEFORE_KILL);
  wait_topic (f, high + ROWS_AFTER_START, "40,000 more rows after Kafka's restart");
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);

  stop_ok (producer, &s);
  g_assert_cmpuint (s.duplicates, ==, 0);
  g_assert_cmpint (s.last_seq, ==, (gint64) s.produced - 1);
  g_assert_cmpuint (s.produced, >=, (guint64) (high + ROWS_AFTER_START));

  /* Each seq once, in order, from 0 to the last one. */
  producer_assert_topic_rows (f->kafka->bootstrap, f->topic, NULL, 0, s.produced);
}

/* ---- /producer/broker-gone/longer-than-message-timeout -------------------------- */

static void
test_broker_gone_long (Fixture *f, gconstpointer data)
{
  static const char * const extra[] = { "-X", "message.timeout.ms=3000", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (f->url, f->kafka->bootstrap, f->topic, f->dlq, extra);
  g_autoptr(Co2sTestProc) again = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *resumed = NULL;
  gint64 high;
  ProducerSummary s, s2;

  crash_kafka_under (f, producer);

  /* Kafka stays down: the first row that times out stops the producer. */
  producer_finish (producer, 1, &s);
  err = co2s_test_proc_stderr_text (producer);
  stopped = g_strdup_printf ("seq [0-9]+ could not be delivered to %s \\(Local: Message timed out\\): "
                             "stopping before any later row is published", f->topic);
  if (!g_regex_match_simple (stopped, err, 0, 0))
    g_error ("the producer did not say why it stopped; stderr:\n%s", err);
  g_assert_nonnull (strstr (err, "co2stream-producer: not every row was delivered"));
  g_assert_cmpuint (s.in_flight, ==, 0);
  g_assert_cmpuint (s.delivered + s.failed, ==, s.produced);
  g_assert_cmpuint (s.failed, >, 0);

  /* Kafka back: the topic is a prefix of the stream, with no hole — rows
   * Kafka wrote without acknowledging them before it died included. */
  co2s_test_local_kafka_restart (f->kafka);
  /* Ready (it answers metadata) is not yet the partition's log loaded: on
   * a loaded machine the first look once read 0. A lost row fails here. */
  wait_topic (f, (gint64) s.delivered, "every delivered row in the topic after Kafka's restart");
  high = topic_high (f);
  g_test_message ("%" G_GUINT64_FORMAT " rows delivered, %" G_GUINT64_FORMAT " failed; the topic holds %"
                  G_GINT64_FORMAT " after Kafka's restart", s.delivered, s.failed, high);
  g_assert_cmpint (high, >=, (gint64) s.delivered);
  g_assert_cmpint (high, <, (gint64) s.produced);
  producer_assert_topic_rows (f->kafka->bootstrap, f->topic, NULL, 0, (guint) high);

  /* Restarted, it resumes after the topic's last row. */
  again = producer_spawn (f->url, f->kafka->bootstrap, f->topic, f->dlq, extra);
  resumed = g_strdup_printf ("resuming after seq %" G_GINT64_FORMAT " found in %s", high - 1, f->topic);
  if (!co2s_test_proc_wait_line (again, CO2S_TEST_STDERR, resumed, 30000, NULL))
    g_error ("the restarted producer did not say “%s”; stderr:\n%s", resumed,
             co2s_test_proc_stderr_text (again));
  wait_topic (f, high + ROWS_AFTER_START, "40,000 more rows from the restarted producer");
  stop_ok (again, &s2);
  g_assert_cmpuint (s2.duplicates, ==, 0);
  producer_assert_topic_rows (f->kafka->bootstrap, f->topic, NULL, 0, (guint) (s2.last_seq + 1));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/producer/broker-gone", Fixture, NULL, fixture_setup, test_broker_gone, fixture_teardown);
  g_test_add ("/producer/broker-gone/longer-than-message-timeout", Fixture, NULL, fixture_setup,
              test_broker_gone_long, fixture_teardown);
  return g_test_run ();
}
