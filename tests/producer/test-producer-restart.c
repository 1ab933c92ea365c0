/* test-producer-restart.c — a restarted co2stream-producer resumes after the
 * last seq its topic holds: nothing published twice, nothing skipped, across
 * clean exits and SIGKILL; co2s_topic_find_last_seq in-process; --from-start;
 * a broker that cannot be reached at start. Against the embedded
 * co2stream-broker, and Apache Kafka for /producer/real-kafka/…. */
#define G_LOG_DOMAIN "test-producer"

#include <glib.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-util.h"
#include "co2s-topic-end.h"
#include "producer-test-util.h"
#include "test-ndjson-server.h"

#define LOOKUP_TIMEOUT_S 10
#define UNREACHABLE_TIMEOUT_S 2

/* The restart scenario: a first run publishes FIRST_RUN rows and ends, a
 * second is killed once the topic holds KILL_AT, a third publishes the rest
 * of N_ROWS. */
#define N_ROWS    5000
#define FIRST_RUN 500
#define KILL_AT   1000

static const char * const exit_at_end[] = { "--exit-at-end", NULL };

/* ---- helpers --------------------------------------------------------------- */

/* The rows the paced server generates, 0 to @n − 1, so that a finite server
 * can go on where a paced one was cut. */
static GPtrArray *
paced_rows (guint n)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, test_server_paced_row (i));
  return rows;
}

/* The whole stderr of a producer that has exited. */
static char *
producer_log (Co2sTestProc *proc)
{
  g_assert_true (co2s_test_proc_wait_closed (proc, EXIT_TIMEOUT_MS));
  return co2s_test_proc_stderr_text (proc);
}

static void
assert_log_has (Co2sTestProc *proc, const char *text)
{
  g_autofree char *log = producer_log (proc);

  if (strstr (log, text) == NULL)
    g_error ("expected “%s” in the producer's log:\n%s", text, log);
}

/* The seq of the producer's "resuming after seq N found in TOPIC" line. */
static gint64
resumed_after (Co2sTestProc *proc, const char *topic)
{
  g_autofree char *log = producer_log (proc);
  g_autofree char *pattern = g_strdup_printf ("resuming after seq (\\d+) found in %s\\n", topic);
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *seq = NULL;

  if (!g_regex_match (re, log, 0, &match))
    g_error ("no “resuming after seq N found in %s” line in the producer's log:\n%s", topic, log);
  seq = g_match_info_fetch (match, 1);
  return g_ascii_strtoll (seq, NULL, 10);
}

static void
assert_query (TestServer *server, guint i, const char *expected)
{
  g_autofree char *query = test_server_query (server, i);

  g_assert_cmpstr (query, ==, expected);
}

/* One run of the producer on a finite server of @rows with URL query
 * @query (and --exit-at-end, plus @extra), to its end: exits 0. */
static void
run_to_end (const char *brokers, const char *topic, GPtrArray *rows, const char *query,
            const char * const *extra, TestServer **out_server, Co2sTestProc **out_proc,
            ProducerSummary *s)
{
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE, .drop_request = -1,
  };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *dlq_topic = g_strconcat (topic, ".dlq", NULL);
  g_autofree char *url = NULL;

  g_ptr_array_add (args, "--exit-at-end");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);

  *out_server = test_server_start (&config);
  url = test_server_url (*out_server, query);
  *out_proc = producer_spawn (url, brokers, topic, dlq_topic, (const char * const *) args->pdata);
  producer_finish (*out_proc, 0, s);
}

typedef struct {
  const char *brokers;
  const char *topic;
  gint64 min_high;
} TopicFill;

static gboolean
topic_holds_enough (gpointer data)
{
  TopicFill *fill = data;
  g_autoptr(GError) error = NULL;
  gint64 high = -1;

  if (!co2s_test_kafka_watermarks (fill->brokers, fill->topic, 0, NULL, &high, &error))
    g_test_message ("%s", error->message);
  return high >= fill->min_high;
}

/* Every seq from 0 to @n − 1 exactly once in @topic (any number of
 * partitions), with value rows[seq], in increasing order within each
 * partition. */
static void
assert_seqs_once (const char *brokers, const char *topic, GPtrArray *rows, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = co2s_test_kafka_consume (brokers, topic, n, CONSUME_TIMEOUT_MS, &error);
  g_autoptr(GHashTable) last_of_partition = g_hash_table_new (NULL, NULL);
  g_autofree guint *seen = g_new0 (guint, n);

  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, n);
  for (guint i = 0; i < messages->len; i++)
    {
      Co2sTestMessage *m = g_ptr_array_index (messages, i);
      gpointer key = GINT_TO_POINTER (m->partition);
      guint64 seq;
      gpointer previous;

      g_assert_true (g_ascii_string_to_unsigned (m->key, 10, 0, n - 1, &seq, NULL));
      g_assert_cmpstr (m->payload, ==, g_ptr_array_index (rows, seq));
      seen[seq]++;
      /* Stored as seq + 1, so that 0 means "none yet". */
      if (g_hash_table_lookup_extended (last_of_partition, key, NULL, &previous))
        g_assert_cmpuint (GPOINTER_TO_SIZE (previous), <, seq + 1);
      g_hash_table_insert (last_of_partition, key, GSIZE_TO_POINTER ((gsize) seq + 1));
    }
  for (guint seq = 0; seq < n; seq++)
    if (seen[seq] != 1)
      g_error ("seq %u is in %s %u times", seq, topic, seen[seq]);
}

/* ---- co2s_topic_find_last_seq in-process --------------------------------------- */

static char **
numbered (guint first, guint n, const char *format)
{
  char **strings = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    strings[i] = g_strdup_printf (format, first + i);
  return strings;
}

static void
produce_or_die (const char *brokers, const char *topic, const char * const *payloads,
                const char * const *keys, guint n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (co2s_test_kafka_produce (brokers, topic, payloads, keys, n, &error));
  g_assert_no_error (error);
}

static void
test_topic_end_missing (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GError) error = NULL;
  gint64 seq = 42;

  /* Created by the broker, empty. */
  g_assert_true (co2s_topic_find_last_seq (brokers, NULL, CO2S_TOPIC_DATA, LOOKUP_TIMEOUT_S, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, -1);

  /* Not there at all. */
  seq = 42;
  g_assert_true (co2s_topic_find_last_seq (brokers, NULL, "no-such-topic", LOOKUP_TIMEOUT_S, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, -1);
}

/* Keys 0 to 29 spread over three partitions: the greatest last seq wins,
 * whichever partition holds it; -X properties apply (a producer-only one is
 * ignored quietly). */
static void
test_topic_end_greatest (void)
{
  const char *args[] = { "--topics", "multi", "--partitions", "3", NULL };
  const char *overrides[] = { "linger.ms=1000", "client.id=topic-end-test", NULL };
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (args, &brokers);
  g_auto(GStrv) keys = numbered (0, 30, "%u");
  g_auto(GStrv) payloads = numbered (0, 30, "{\"seq\":%u}");
  g_autoptr(GError) error = NULL;
  gint64 seq = -1;

  produce_or_die (brokers, "multi", (const char * const *) payloads, (const char * const *) keys, 30);
  for (int p = 0; p < 3; p++)
    {
      gint64 high = -1;

      g_assert_true (co2s_test_kafka_watermarks (brokers, "multi", p, NULL, &high, &error));
      g_assert_no_error (error);
      g_assert_cmpint (high, >, 0);
    }

  g_assert_true (co2s_topic_find_last_seq (brokers, overrides, "multi", LOOKUP_TIMEOUT_S, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, 29);
}

/* The key is the seq; without a decimal key, the JSON "seq"; without
 * either, the lookup looks back and says so. */
static void
test_topic_end_looks_back (void)
{
  const char *args[] = { "--topics", "lb", NULL };
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (args, &brokers);
  g_auto(GStrv) keys = numbered (0, 10, "%u");
  g_auto(GStrv) payloads = numbered (0, 10, "{\"seq\":%u}");
  const char *tail_payloads[] = { "{\"a\":1,\"seq\":10}", "not json", "{\"a\":1}", "{\"seq\":-3}" };
  const char *tail_keys[] = { "seq ten", NULL, "abc", "-3" };
  g_autoptr(GError) error = NULL;
  gint64 seq = -1;

  produce_or_die (brokers, "lb", (const char * const *) payloads, (const char * const *) keys, 10);
  produce_or_die (brokers, "lb", tail_payloads, tail_keys, G_N_ELEMENTS (tail_payloads));

  g_test_expect_message ("co2s-topic-end", G_LOG_LEVEL_WARNING,
                         "lb [0]: the message(s) after offset 10 (up to 13) have no seq*"
                         "looked back to seq 10 at offset 10");
  g_assert_true (co2s_topic_find_last_seq (brokers, NULL, "lb", LOOKUP_TIMEOUT_S, &seq, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, 10);
}

/* The look-back is bounded: a seq CO2S_TOPIC_END_LOOKBACK messages before
 * the last is found, one more before is not, and the lookup fails rather
 * than guess. */
static void
test_topic_end_no_seq (void)
{
  const char *args[] = { "--topics", "ns", NULL };
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (args, &brokers);
  const char *first_key[] = { "0" };
  const char *first_payload[] = { "{}" };
  g_auto(GStrv) junk = numbered (0, CO2S_TOPIC_END_LOOKBACK + 1, "junk %u");
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gint64 seq = -1;

  produce_or_die (brokers, "ns", first_payload, first_key, 1);
  produce_or_die (brokers, "ns", (const char * const *) junk, NULL, CO2S_TOPIC_END_LOOKBACK);

  g_test_expect_message ("co2s-topic-end", G_LOG_LEVEL_WARNING, "*looked back to seq 0 at offset 0");
  g_assert_true (co2s_topic_find_last_seq (brokers, NULL, "ns", LOOKUP_TIMEOUT_S, &seq, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, 0);

  produce_or_die (brokers, "ns", (const char * const *) junk + CO2S_TOPIC_END_LOOKBACK, NULL, 1);
  seq = 42;
  g_assert_false (co2s_topic_find_last_seq (brokers, NULL, "ns", LOOKUP_TIMEOUT_S, &seq, &error));
  g_assert_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_NO_SEQ);
  expected = g_strdup_printf ("partition 0: none of its last messages (offsets 1 to %d) has a seq",
                              CO2S_TOPIC_END_LOOKBACK + 1);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
}

/* ---- the producer across restarts ---------------------------------------------- */

static void
test_empty_topic_starts_at_zero (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (200, TRUE);
  g_autoptr(TestServer) server = NULL;
  g_autoptr(Co2sTestProc) producer = NULL;
  ProducerSummary s;

  run_to_end (brokers, CO2S_TOPIC_DATA, rows, "?limit=150", NULL, &server, &producer, &s);
  assert_log_has (producer, "topic " CO2S_TOPIC_DATA " is empty: starting from the beginning");
  g_assert_cmpuint (test_server_n_requests (server), ==, 1);
  assert_query (server, 0, "limit=150");
  g_assert_cmpuint (s.produced, ==, 150);
  g_assert_cmpuint (s.duplicates, ==, 0);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, 150);
}

/* A clean run, a run killed with SIGKILL mid-stream (rows read and in
 * flight), a run to the end: each seq once, in order. */
static void
run_restarts (const char *brokers, const char *topic)
{
  g_autoptr(GPtrArray) rows = paced_rows (N_ROWS);
  g_autofree char *dlq_topic = g_strconcat (topic, ".dlq", NULL);
  g_autofree char *empty_line = g_strdup_printf ("topic %s is empty: starting from the beginning", topic);
  g_autofree char *resume_499 = g_strdup_printf ("resuming after seq %d found in %s", FIRST_RUN - 1, topic);
  g_autofree char *first_query = g_strdup_printf ("limit=%d", FIRST_RUN);
  g_autofree char *from_query = g_strdup_printf ("from=%d", FIRST_RUN);
  ProducerSummary s;
  gint64 end;

  /* 1. Rows 0 to FIRST_RUN − 1, then a clean exit. */
  {
    g_autoptr(TestServer) server = NULL;
    g_autoptr(Co2sTestProc) producer = NULL;
    g_autofree char *query = g_strconcat ("?", first_query, NULL);

    run_to_end (brokers, topic, rows, query, NULL, &server, &producer, &s);
    assert_log_has (producer, empty_line);
    assert_query (server, 0, first_query);
    g_assert_cmpuint (s.delivered, ==, FIRST_RUN);
  }

  /* 2. An endless stream, resumed after the topic's end; killed once the
   * topic holds KILL_AT rows, with more read and lingering in flight. */
  {
    TestServerConfig paced = {
      .honour_from = TRUE, .drop_request = -1, .paced_rows_per_tick = 10, .paced_tick_ms = 10,
    };
    g_autoptr(TestServer) server = test_server_start (&paced);
    g_autofree char *url = test_server_url (server, "");
    const char *extra[] = { "-X", "linger.ms=50", NULL };
    g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, topic, dlq_topic, extra);
    TopicFill fill = { brokers, topic, KILL_AT };

    g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, resume_499, EXIT_TIMEOUT_MS, NULL));
    co2s_test_assert_wait_msg (topic_holds_enough, &fill, EXIT_TIMEOUT_MS, "the topic holding KILL_AT rows");
    g_assert_cmpint (co2s_test_proc_kill (producer), ==, 137);
    g_assert_cmpuint (test_server_n_requests (server), ==, 1);
    assert_query (server, 0, from_query);
  }

  /* 3. The rest, from where the topic ends. */
  {
    g_autoptr(TestServer) server = NULL;
    g_autoptr(Co2sTestProc) producer = NULL;
    g_autofree char *query = NULL;

    run_to_end (brokers, topic, rows, "", NULL, &server, &producer, &s);
    end = resumed_after (producer, topic) + 1;
    g_assert_cmpint (end, >=, KILL_AT);
    g_assert_cmpint (end, <, N_ROWS);
    query = g_strdup_printf ("from=%" G_GINT64_FORMAT, end);
    g_assert_cmpuint (test_server_n_requests (server), ==, 1);
    assert_query (server, 0, query);
    g_assert_cmpuint (s.produced, ==, N_ROWS - end);
    g_assert_cmpuint (s.delivered, ==, N_ROWS - end);
    g_assert_cmpuint (s.duplicates, ==, 0);
    g_assert_cmpint (s.last_seq, ==, N_ROWS - 1);
  }

  producer_assert_topic_rows (brokers, topic, rows, 0, N_ROWS);
}

static void
test_restart_resumes (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);

  run_restarts (brokers, CO2S_TOPIC_DATA);
}

static void
test_real_kafka_restart_resumes (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autofree char *topic = co2s_test_unique_topic ("producer-restart");
  g_autoptr(GError) error = NULL;

  g_assert_true (co2s_test_kafka_create_topic (brokers, topic, 1, &error));
  g_assert_no_error (error);
  run_restarts (brokers, topic);
}

/* Three partitions, two clean restarts: the greatest last seq over the
 * partitions is where the next run starts. */
static void
test_restart_several_partitions (void)
{
  const char *args[] = { "--partitions", "3", NULL };
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (args, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (900, TRUE);

  for (guint run = 0; run < 3; run++)
    {
      g_autoptr(TestServer) server = NULL;
      g_autoptr(Co2sTestProc) producer = NULL;
      g_autofree char *expected = run == 0 ? g_strdup ("limit=300")
                                           : g_strdup_printf ("from=%u&limit=300", run * 300);
      ProducerSummary s;

      run_to_end (brokers, CO2S_TOPIC_DATA, rows, "?limit=300", NULL, &server, &producer, &s);
      if (run > 0)
        g_assert_cmpint (resumed_after (producer, CO2S_TOPIC_DATA), ==, run * 300 - 1);
      assert_query (server, 0, expected);
      g_assert_cmpuint (s.delivered, ==, 300);
    }
  assert_seqs_once (brokers, CO2S_TOPIC_DATA, rows, rows->len);
}

/* A server that ignores from= sends the rows the topic holds again: the
 * seeded duplicate filter drops them. */
static void
test_restart_drops_what_the_topic_holds (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (500, TRUE);
  g_autoptr(TestServer) first_server = NULL;
  g_autoptr(Co2sTestProc) first = NULL;
  TestServerConfig deaf = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = NULL;
  g_autofree char *url = NULL;
  g_autoptr(Co2sTestProc) producer = NULL;
  ProducerSummary s;

  run_to_end (brokers, CO2S_TOPIC_DATA, rows, "?limit=200", NULL, &first_server, &first, &s);
  g_assert_cmpuint (s.delivered, ==, 200);

  server = test_server_start (&deaf);
  url = test_server_url (server, "");
  producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, exit_at_end);
  producer_finish (producer, 0, &s);
  g_assert_cmpint (resumed_after (producer, CO2S_TOPIC_DATA), ==, 199);
  assert_query (server, 0, "from=200");
  g_assert_cmpuint (s.read, ==, 500);
  g_assert_cmpuint (s.duplicates, ==, 200);
  g_assert_cmpuint (s.produced, ==, 300);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

static void
test_from_start_republishes (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (100, TRUE);
  const char *from_start[] = { "--from-start", NULL };
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  ProducerSummary s;

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(TestServer) server = NULL;
      g_autoptr(Co2sTestProc) producer = NULL;

      run_to_end (brokers, CO2S_TOPIC_DATA, rows, "", run == 1 ? from_start : NULL,
                  &server, &producer, &s);
      assert_query (server, 0, "");
      g_assert_cmpuint (s.produced, ==, 100);
      g_assert_cmpuint (s.duplicates, ==, 0);
      if (run == 1)
        {
          g_autofree char *log = producer_log (producer);

          g_assert_nonnull (strstr (log, "--from-start: starting from the API's beginning"));
          g_assert_null (strstr (log, "resuming after"));
        }
    }

  /* Rows 0 to 99, twice. */
  messages = co2s_test_kafka_consume (brokers, CO2S_TOPIC_DATA, 200, CONSUME_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 200);
  for (guint i = 0; i < messages->len; i++)
    {
      Co2sTestMessage *m = g_ptr_array_index (messages, i);
      g_autofree char *key = g_strdup_printf ("%u", i % 100);

      g_assert_cmpint (m->offset, ==, i);
      g_assert_cmpstr (m->key, ==, key);
      g_assert_cmpstr (m->payload, ==, g_ptr_array_index (rows, i % 100));
    }
}

/* No broker: a clear error and exit status 1 once --startup-timeout has
 * passed, before any request to the API. */
static void
test_topic_end_broker_unreachable (void)
{
  g_autoptr(GPtrArray) rows = producer_make_rows (10, TRUE);
  TestServerConfig config = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autofree char *timeout = g_strdup_printf ("%d", UNREACHABLE_TIMEOUT_S);
  const char *extra[] = { "--exit-at-end", "--startup-timeout", timeout, NULL };
  g_autofree char *expected = g_strdup_printf ("co2stream-producer: cannot find where topic “%s” ends at %s: "
                                               "no answer from the broker within %d s",
                                               CO2S_TOPIC_DATA, brokers, UNREACHABLE_TIMEOUT_S);
  gint64 started = g_get_monotonic_time ();
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  double elapsed;

  g_assert_cmpint (co2s_test_proc_wait_exit (producer, EXIT_TIMEOUT_MS), ==, 1);
  elapsed = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_test_message ("gave up after %.2f s", elapsed);
  g_assert_cmpfloat (elapsed, >=, UNREACHABLE_TIMEOUT_S - 0.1);
  g_assert_cmpfloat (elapsed, <, UNREACHABLE_TIMEOUT_S + 5);
  assert_log_has (producer, expected);
  g_assert_cmpuint (test_server_n_requests (server), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer/topic-end/missing-or-empty", test_topic_end_missing);
  g_test_add_func ("/producer/topic-end/greatest-over-partitions", test_topic_end_greatest);
  g_test_add_func ("/producer/topic-end/looks-back", test_topic_end_looks_back);
  g_test_add_func ("/producer/topic-end/no-seq", test_topic_end_no_seq);
  g_test_add_func ("/producer/empty-topic-starts-at-zero", test_empty_topic_starts_at_zero);
  g_test_add_func ("/producer/restart-resumes-at-topic-end", test_restart_resumes);
  g_test_add_func ("/producer/restart-resumes-at-topic-end/several-partitions",
                   test_restart_several_partitions);
  g_test_add_func ("/producer/restart-drops-what-the-topic-holds", test_restart_drops_what_the_topic_holds);
  g_test_add_func ("/producer/from-start-republishes", test_from_start_republishes);
  g_test_add_func ("/producer/topic-end-broker-unreachable", test_topic_end_broker_unreachable);
  g_test_add_func ("/producer/real-kafka/restart-resumes-at-topic-end", test_real_kafka_restart_resumes);

  return g_test_run ();
}
