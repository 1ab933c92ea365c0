/* test-producer.c — co2stream-producer against a scripted NDJSON server
 * (in-process SoupServer) and a real broker (the embedded co2stream-broker,
 * or Apache Kafka for /producer/real-kafka). */
#define G_LOG_DOMAIN "test-producer"

#include <glib.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-stream-reader.h"
#include "co2s-test-util.h"
#include "producer-test-util.h"
#include "test-ndjson-server.h"

/* Chunk sizes that split lines, CRLFs and even UTF-8 sequences anywhere. */
static const guint odd_chunks[] = { 1, 2, 7, 100, 3, 4096, 31, 1, 513 };

/* ---- /producer/publish/values-and-keys and /producer/real-kafka ----------- */

static void
run_values_and_keys (const char *brokers, const char *topic, const char *dlq_topic)
{
  g_autoptr(GPtrArray) rows = producer_make_rows (600, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE, .crlf = TRUE, .blank_lines = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks), .drop_request = -1,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, topic, dlq_topic, extra);
  ProducerSummary s;

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.read, ==, rows->len);
  g_assert_cmpuint (s.produced, ==, rows->len);
  g_assert_cmpuint (s.delivered, ==, rows->len);
  g_assert_cmpuint (s.failed, ==, 0);
  g_assert_cmpuint (s.dlq, ==, 0);
  g_assert_cmpuint (s.duplicates, ==, 0);
  g_assert_cmpint (s.last_seq, ==, rows->len - 1);
  g_assert_cmpuint (test_server_n_requests (server), ==, 1);

  producer_assert_topic_rows (brokers, topic, rows, 0, rows->len);
}

static void
test_values_and_keys (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);

  run_values_and_keys (brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ);
}

static void run_dlq (const char *brokers, const char *topic, const char *dlq_topic);

/* Same as values-and-keys, then the dead letters, on Apache Kafka. */
static void
test_real_kafka (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_autofree char *topic = co2s_test_unique_topic ("producer");
      g_autofree char *dlq_topic = g_strconcat (topic, ".dlq", NULL);

      g_assert_true (co2s_test_kafka_create_topic (brokers, topic, 1, &error));
      g_assert_no_error (error);
      g_assert_true (co2s_test_kafka_create_topic (brokers, dlq_topic, 1, &error));
      g_assert_no_error (error);

      if (round == 0)
        run_values_and_keys (brokers, topic, dlq_topic);
      else
        run_dlq (brokers, topic, dlq_topic);
    }
}

/* ---- reconnection ---------------------------------------------------------- */

static void
test_resume_after_api_drop (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (1000, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks),
    .drop_request = 0, .drop_after_rows = 337,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "?limit=1000&tag=a%20b%26c");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  g_autofree char *q0 = NULL;
  g_autofree char *q1 = NULL;
  ProducerSummary s;

  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR,
                                           "(connection lost|connection cut mid-line) after 337 lines.*; "
                                           "retrying from seq 337 in 0\\.1 s",
                                           EXIT_TIMEOUT_MS, NULL));
  producer_finish (producer, 0, &s);

  /* The second request asked for the first row not produced, kept the other
   * parameters as they were encoded, and only wanted what was left. */
  g_assert_cmpuint (test_server_n_requests (server), ==, 2);
  q0 = test_server_query (server, 0);
  q1 = test_server_query (server, 1);
  g_assert_cmpstr (q0, ==, "limit=1000&tag=a%20b%26c");
  g_assert_cmpstr (q1, ==, "tag=a%20b%26c&from=337&limit=663");

  g_assert_cmpuint (s.produced, ==, 1000);
  g_assert_cmpuint (s.delivered, ==, 1000);
  g_assert_cmpuint (s.duplicates, ==, 0);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

/* A cut right after a line, between two chunks, reads as a clean end in
 * libsoup: the URL's limit, or else the closed keep-alive connection, tells
 * it apart. */
static void
run_cut_at_line_end (gboolean with_limit)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (600, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks),
    .drop_request = 0, .drop_after_rows = 250, .drop_at_line_end = TRUE,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, with_limit ? "?limit=550" : "");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  guint expected = with_limit ? 550 : 600;
  g_autofree char *q1 = NULL;
  ProducerSummary s;

  if (!co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR,
                                 "(connection lost|body ended) after 250 lines.*; "
                                 "retrying from seq 250 in 0\\.1 s",
                                 EXIT_TIMEOUT_MS, NULL))
    g_error ("the producer did not say it resumes from seq 250; its stderr:\n%s",
             co2s_test_proc_stderr_text (producer));
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (test_server_n_requests (server), ==, 2);
  q1 = test_server_query (server, 1);
  g_assert_cmpstr (q1, ==, with_limit ? "from=250&limit=300" : "from=250");
  g_assert_cmpuint (s.delivered, ==, expected);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, expected);
}

static void
test_resume_after_cut_with_limit (void)
{
  run_cut_at_line_end (TRUE);
}

static void
test_resume_after_cut_without_limit (void)
{
  run_cut_at_line_end (FALSE);
}

/* A server that ignores from= starts over after the drop: the rows already
 * produced come again and are dropped as duplicates. */
static void
test_duplicates_dropped (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (500, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = FALSE, .honour_limit = FALSE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks),
    .drop_request = 0, .drop_after_rows = 200,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (test_server_n_requests (server), ==, 2);
  g_assert_cmpuint (s.read, ==, 700);
  g_assert_cmpuint (s.produced, ==, 500);
  g_assert_cmpuint (s.duplicates, ==, 200);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

static void
test_api_down_at_start (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (300, TRUE);
  guint16 port = co2s_test_free_port ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/stream", port);
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE, .drop_request = -1, .port = port,
  };
  g_autoptr(TestServer) server = NULL;
  ProducerSummary s;

  /* Two refused attempts, the second after a longer wait. */
  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR,
                                           "unreachable: .*; retrying in 0\\.2 s",
                                           EXIT_TIMEOUT_MS, NULL));
  server = test_server_start (&config);
  {
    g_autofree char *err = co2s_test_proc_stderr_text (producer);

    g_assert_true (g_regex_match_simple ("API http://127\\.0\\.0\\.1:\\d+/stream unreachable: "
                                         ".*; retrying in 0\\.1 s", err, 0, 0));
  }

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (test_server_n_requests (server), ==, 1);
  g_assert_cmpuint (s.delivered, ==, rows->len);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

/* ---- other servers, bad lines ---------------------------------------------- */

static void
test_no_seq (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (400, FALSE);
  TestServerConfig config = {
    .rows = rows, .crlf = TRUE, .blank_lines = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks), .drop_request = -1,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.produced, ==, rows->len);
  g_assert_cmpint (s.last_seq, ==, rows->len - 1);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

static void
run_dlq (const char *brokers, const char *topic, const char *dlq_topic)
{
  static const struct {
    const char *line;
    const char *reason;
  } bad[] = {
    { "this is not json", "not-json" },
    { "[1,2,3]", "not-object" },
    { "{\"Engine_Size\":2.0,\"seq\":", "not-json" },
    { "42", "not-object" },
    { "\"a string\"", "not-object" },
    { "null", "not-object" },
    { "{\"a\":1} trailing", "not-json" },
    { "{\"a\":\"\xff\xfe\"}", "not-json" },
  };
  g_autoptr(GPtrArray) good = producer_make_rows (20, TRUE);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  TestServerConfig config = {
    .rows = lines, .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks),
    .drop_request = -1,
  };
  g_autoptr(TestServer) server = NULL;
  g_autofree char *url = NULL;
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = NULL;
  ProducerSummary s;

  /* good 0, bad 0, good 1, good 2, bad 1, … */
  for (guint i = 0, b = 0; i < good->len; i++)
    {
      g_ptr_array_add (lines, g_ptr_array_index (good, i));
      if (i % 2 == 0 && b < G_N_ELEMENTS (bad))
        g_ptr_array_add (lines, (char *) bad[b++].line);
    }

  server = test_server_start (&config);
  url = test_server_url (server, "");
  producer = producer_spawn (url, brokers, topic, dlq_topic, extra);

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.read, ==, lines->len);
  g_assert_cmpuint (s.produced, ==, good->len);
  g_assert_cmpuint (s.dlq, ==, G_N_ELEMENTS (bad));
  g_assert_cmpuint (s.dlq_failed, ==, 0);
  producer_assert_topic_rows (brokers, topic, good, 0, good->len);

  dead = co2s_test_kafka_consume (brokers, dlq_topic, G_N_ELEMENTS (bad), CONSUME_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, G_N_ELEMENTS (bad));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Co2sTestMessage *m = g_ptr_array_index (dead, i);

      g_assert_cmpstr (m->payload, ==, bad[i].line);
      g_assert_cmpstr (co2s_test_message_header (m, "reason"), ==, bad[i].reason);
      g_assert_cmpstr (co2s_test_message_header (m, "source"), ==, url);
    }

  /* Each bad line is logged (fewer than the per-second cap here). */
  {
    g_autofree char *err = co2s_test_proc_stderr_text (producer);
    g_assert_nonnull (strstr (err, "bad line after seq 0 (not-json"));
    g_assert_nonnull (strstr (err, "(not-object"));
  }
}

static void
test_dlq (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);

  run_dlq (brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ);
}

/* ---- ending ---------------------------------------------------------------- */

static void
test_exit_at_end (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (800, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE, .drop_request = -1,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "?limit=500");
  const char *extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, "stream ended cleanly after 500 lines",
                                           EXIT_TIMEOUT_MS, NULL));
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.produced, ==, 500);
  g_assert_cmpuint (s.delivered, ==, 500);
  g_assert_cmpuint (s.in_flight, ==, 0);
  g_assert_cmpuint (s.failed, ==, 0);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, 500);
}

/* No broker at all: every row fails after message.timeout.ms, the failure is
 * counted and logged, and the exit status says so. (--from-start: without
 * it, the producer stops earlier, not knowing where the topic ends; that is
 * /producer/topic-end-broker-unreachable.) */
static void
test_broker_down_fails_loudly (void)
{
  g_autoptr(GPtrArray) rows = producer_make_rows (50, TRUE);
  TestServerConfig config = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  const char *extra[] = { "--exit-at-end", "--from-start", "-X", "message.timeout.ms=1500", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  producer_finish (producer, 1, &s);
  g_assert_cmpuint (s.produced, ==, rows->len);
  g_assert_cmpuint (s.delivered, ==, 0);
  g_assert_cmpuint (s.failed, ==, rows->len);
  {
    g_autofree char *err = co2s_test_proc_stderr_text (producer);

    g_assert_true (g_regex_match_simple ("delivery of seq 0 to streaming_data failed: .*timed out",
                                         err, 0, 0));
    g_assert_true (g_regex_match_simple ("not every row was delivered", err, 0, 0));
  }
}

static gboolean
rows_sent_reached (gpointer data)
{
  return test_server_rows_sent (data) >= 500;
}

static void
test_sigterm_flushes (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  TestServerConfig config = {
    .honour_from = TRUE, .drop_request = -1, .paced_rows_per_tick = 20, .paced_tick_ms = 10,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  /* A long linger keeps a few hundred rows in flight when the signal comes. */
  const char *extra[] = { "-X", "linger.ms=1000", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  g_autofree char *waiting = NULL;
  ProducerSummary s;

  g_assert_true (co2s_test_wait_until (rows_sent_reached, server, EXIT_TIMEOUT_MS));
  co2s_test_proc_signal (producer, SIGTERM);
  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, "waiting for [1-9][0-9]* message",
                                           EXIT_TIMEOUT_MS, &waiting));
  producer_finish (producer, 0, &s);

  g_assert_cmpuint (s.produced, >=, 200);
  g_assert_cmpuint (s.delivered, ==, s.produced);
  g_assert_cmpuint (s.failed, ==, 0);
  g_assert_cmpuint (s.in_flight, ==, 0);
  g_assert_cmpint (s.last_seq, ==, (gint64) s.produced - 1);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, NULL, 0, s.produced);
}

/* A tiny librdkafka queue: production keeps meeting QUEUE_FULL, reading
 * pauses and resumes, and still nothing is lost, doubled or reordered. */
static void
test_backpressure_queue_full (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (1500, TRUE);
  TestServerConfig config = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  const char *extra[] = { "--exit-at-end", "-X", "queue.buffering.max.messages=20", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.queue_full, >, 0);
  g_assert_cmpuint (s.delivered, ==, rows->len);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, rows->len);
}

/* ---- arguments --------------------------------------------------------------- */

static void
test_bad_arguments (void)
{
  static const struct {
    const char *args[4];
    const char *message;
  } cases[] = {
    { { "--api", "ftp://example.com/stream", NULL }, "--api: API URL “ftp://example.com/stream” is not valid" },
    { { "--api", "no url at all", NULL }, "--api: API URL “no url at all” is not valid" },
    { { "-X", "linger.ms", NULL }, "-X linger.ms: expected key=value" },
    { { "-X", "no.such.property=1", NULL }, "Kafka property no.such.property=1 refused" },
    { { "-X", "linger.ms=never", NULL }, "Kafka property linger.ms=never refused" },
    { { "--status-interval", "-1", NULL }, "must be ≥ 0" },
    { { "--status-interval", "soon", NULL }, "status-interval" },
    { { "--max-seq-jump", "-1", NULL }, "--max-seq-jump must be ≥ 0" },
    { { "--idle-timeout", "-1", NULL }, "--idle-timeout must be ≥ 0" },
    { { "surplus", NULL }, "unexpected argument “surplus”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(Co2sTestProc) proc = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, (char *) co2s_test_program ("CO2S_PRODUCER"));
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (char *) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);

      proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, NULL);
      g_assert_cmpint (co2s_test_proc_wait_exit (proc, EXIT_TIMEOUT_MS), ==, 2);
      g_assert_true (co2s_test_proc_wait_closed (proc, EXIT_TIMEOUT_MS));
      err = co2s_test_proc_stderr_text (proc);
      if (strstr (err, cases[i].message) == NULL)
        g_error ("case %u: expected “%s” in:\n%s", i, cases[i].message, err);
    }
}

/* ---- the stream reader in-process ---------------------------------------------- */

typedef struct {
  Co2sStreamReader *reader;
  GPtrArray *lines;
  guint calls;
  gboolean ended;
  gint64 first_seq;
  gboolean block_sometimes;
  guint unblock_source;
} ReaderRun;

static gboolean
unblock_later (gpointer data)
{
  ReaderRun *run = data;

  run->unblock_source = 0;
  g_assert_true (co2s_stream_reader_is_blocked (run->reader));
  co2s_stream_reader_unblock (run->reader);
  return G_SOURCE_REMOVE;
}

static Co2sLineResult
collect_line (const char *line, gsize len, gpointer data)
{
  ReaderRun *run = data;

  g_assert_cmpuint (run->unblock_source, ==, 0);
  if (run->block_sometimes && run->calls++ % 9 == 4)
    {
      run->unblock_source = g_timeout_add (2, unblock_later, run);
      return CO2S_LINE_BLOCKED;
    }
  g_ptr_array_add (run->lines, g_strndup (line, len));
  if (run->first_seq >= 0)
    co2s_stream_reader_set_resume_from (run->reader, run->first_seq + run->lines->len);
  return CO2S_LINE_ACCEPTED;
}

static void
on_reader_ended (Co2sStreamReader *reader, ReaderRun *run)
{
  run->ended = TRUE;
}

static gboolean
reader_has_ended (gpointer data)
{
  return ((ReaderRun *) data)->ended;
}

static void
run_reader (ReaderRun *run, const char *url)
{
  g_autoptr(GError) error = NULL;

  run->reader = co2s_stream_reader_new (url, &error);
  g_assert_no_error (error);
  run->lines = g_ptr_array_new_with_free_func (g_free);
  co2s_stream_reader_set_backoff (run->reader, 10, 50);
  co2s_stream_reader_set_line_func (run->reader, collect_line, run, NULL);
  g_signal_connect (run->reader, "ended", G_CALLBACK (on_reader_ended), run);
  co2s_stream_reader_start (run->reader);
  g_assert_true (co2s_test_wait_until (reader_has_ended, run, EXIT_TIMEOUT_MS));
}

static void
reader_run_clear (ReaderRun *run)
{
  g_clear_object (&run->reader);
  g_clear_pointer (&run->lines, g_ptr_array_unref);
}

static void
test_reader_lines_across_chunks (void)
{
  g_autoptr(GPtrArray) rows = producer_make_rows (300, TRUE);
  TestServerConfig config = {
    .rows = rows, .crlf = TRUE, .blank_lines = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks), .drop_request = -1,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  ReaderRun run = { .first_seq = -1, .block_sometimes = TRUE };

  run_reader (&run, url);
  g_assert_cmpuint (run.lines->len, ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (g_ptr_array_index (run.lines, i), ==, g_ptr_array_index (rows, i));
  g_assert_cmpuint (co2s_stream_reader_get_n_lines (run.reader), ==, rows->len);
  g_assert_cmpuint (test_server_n_requests (server), ==, 1);
  reader_run_clear (&run);
}

static void
test_reader_resume_url (void)
{
  g_autoptr(GPtrArray) rows = producer_make_rows (20, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = TRUE, .honour_limit = TRUE,
    .chunk_sizes = odd_chunks, .n_chunk_sizes = G_N_ELEMENTS (odd_chunks),
    .drop_request = 0, .drop_after_rows = 4,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "?x=a%2Fb&from=3&limit=10");
  g_autofree char *q0 = NULL;
  g_autofree char *q1 = NULL;
  ReaderRun run = { .first_seq = 3 };

  run_reader (&run, url);
  g_assert_cmpuint (test_server_n_requests (server), ==, 2);
  q0 = test_server_query (server, 0);
  q1 = test_server_query (server, 1);
  g_assert_cmpstr (q0, ==, "x=a%2Fb&from=3&limit=10");
  g_assert_cmpstr (q1, ==, "x=a%2Fb&from=7&limit=6");
  g_assert_cmpuint (run.lines->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpstr (g_ptr_array_index (run.lines, i), ==, g_ptr_array_index (rows, 3 + i));
  g_assert_cmpuint (co2s_stream_reader_get_n_attempts (run.reader), ==, 2);
  reader_run_clear (&run);
}

static gboolean
is_long_line_warning (const char *log_domain, const char *message)
{
  return g_strcmp0 (log_domain, "co2s-stream-reader") == 0 &&
         strstr (message, "line longer than 4194304 bytes; only its first 65536 bytes are kept") != NULL;
}

/* The expected warning is neither fatal nor printed (a printed fatal
 * message reads as "Bail out!" to the TAP parser); anything else is. */
static gboolean
allow_long_line_warning (const char *log_domain,
                         GLogLevelFlags log_level,
                         const char *message,
                         gpointer user_data)
{
  return !is_long_line_warning (log_domain, message);
}

static void
log_reader_domain (const char *log_domain,
                   GLogLevelFlags log_level,
                   const char *message,
                   gpointer user_data)
{
  if (is_long_line_warning (log_domain, message))
    *(gboolean *) user_data = TRUE;
  else
    g_log_default_handler (log_domain, log_level, message, NULL);
}

/* A 5 MiB line: its first 64 KiB are handed out (to be refused as truncated
 * JSON), the rest is skipped, and the lines after it come through intact. */
static void
test_reader_over_long_line (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) huge = g_string_new ("{\"seq\":1,\"pad\":\"");
  TestServerConfig config = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = NULL;
  g_autofree char *url = NULL;
  ReaderRun run = { .first_seq = -1 };
  gboolean warned = FALSE;
  guint handler;

  while (huge->len < 5 * 1024 * 1024)
    g_string_append (huge, "0123456789abcdef");
  g_string_append (huge, "\"}");

  g_ptr_array_add (rows, producer_make_row (0, TRUE));
  g_ptr_array_add (rows, g_strdup (huge->str));
  g_ptr_array_add (rows, producer_make_row (2, TRUE));
  server = test_server_start (&config);
  url = test_server_url (server, "");

  handler = g_log_set_handler ("co2s-stream-reader", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL,
                               log_reader_domain, &warned);
  g_test_log_set_fatal_handler (allow_long_line_warning, NULL);
  run_reader (&run, url);
  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("co2s-stream-reader", handler);
  g_assert_true (warned);
  g_assert_cmpuint (run.lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (run.lines, 0), ==, g_ptr_array_index (rows, 0));
  g_assert_cmpuint (strlen (g_ptr_array_index (run.lines, 1)), ==, 64 * 1024);
  g_assert_true (strncmp (g_ptr_array_index (run.lines, 1), huge->str, 64 * 1024) == 0);
  g_assert_cmpstr (g_ptr_array_index (run.lines, 2), ==, g_ptr_array_index (rows, 2));
  reader_run_clear (&run);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer/reader/lines-across-chunks", test_reader_lines_across_chunks);
  g_test_add_func ("/producer/reader/resume-url", test_reader_resume_url);
  g_test_add_func ("/producer/reader/over-long-line", test_reader_over_long_line);
  g_test_add_func ("/producer/bad-arguments", test_bad_arguments);
  g_test_add_func ("/producer/publish/values-and-keys", test_values_and_keys);
  g_test_add_func ("/producer/resume-after-api-drop", test_resume_after_api_drop);
  g_test_add_func ("/producer/resume-after-cut/with-limit", test_resume_after_cut_with_limit);
  g_test_add_func ("/producer/resume-after-cut/without-limit", test_resume_after_cut_without_limit);
  g_test_add_func ("/producer/duplicates-dropped", test_duplicates_dropped);
  g_test_add_func ("/producer/api-down-at-start", test_api_down_at_start);
  g_test_add_func ("/producer/no-seq", test_no_seq);
  g_test_add_func ("/producer/dlq", test_dlq);
  g_test_add_func ("/producer/exit-at-end", test_exit_at_end);
  g_test_add_func ("/producer/broker-down-fails-loudly", test_broker_down_fails_loudly);
  g_test_add_func ("/producer/sigterm-flushes", test_sigterm_flushes);
  g_test_add_func ("/producer/backpressure-queue-full", test_backpressure_queue_full);
  g_test_add_func ("/producer/real-kafka", test_real_kafka);

  return g_test_run ();
}
