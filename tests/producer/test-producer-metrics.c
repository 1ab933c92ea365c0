/* test-producer-metrics.c — co2stream-producer --metrics-listen: its /metrics
 * scraped while it runs (embedded broker, scripted NDJSON server), read by
 * the reference Prometheus parser and checked against what was sent; bad
 * values and a port in use. */
#define G_LOG_DOMAIN "test-producer-metrics"

#include <glib.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-prom.h"
#include "co2s-test-util.h"
#include "producer-test-util.h"
#include "test-ndjson-server.h"

#define SCRAPE_TIMEOUT_MS 30000

typedef struct {
  const char *url;
  JsonObject *families;      /* the last scrape */
  double delivered_want;
  double dlq_want;
  double duplicates_min;
} Scrape;

static double
value (JsonObject *families, const char *name)
{
  return co2s_test_prom_value (families, name, NULL);
}

/* Scrapes until the counters reach what the test waits for. */
static gboolean
scrape_reached (gpointer data)
{
  Scrape *s = data;

  g_clear_pointer (&s->families, json_object_unref);
  s->families = co2s_test_prom_scrape (s->url);
  return s->families != NULL &&
         value (s->families, "co2stream_producer_rows_delivered_total") == s->delivered_want &&
         value (s->families, "co2stream_producer_dead_letters_delivered_total") == s->dlq_want &&
         value (s->families, "co2stream_producer_duplicates_total") >= s->duplicates_min &&
         value (s->families, "co2stream_producer_in_flight_messages") == 0;
}

/* 300 rows and 3 bad lines, followed (no --exit-at-end): scraped while the
 * producer runs, at 127.0.0.1 by default. */
static void
test_scrape (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) good = producer_make_rows (300, TRUE);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  TestServerConfig config = { .rows = lines, .honour_from = TRUE, .drop_request = -1 };
  g_autoptr(TestServer) server = NULL;
  g_autofree char *api = NULL;
  g_autofree char *port = g_strdup_printf ("%u", co2s_test_free_port ());
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%s/metrics", port);
  g_autofree char *pattern = NULL;
  const char *extra[] = { "--metrics-listen", port, NULL };
  g_autoptr(Co2sTestProc) producer = NULL;
  Scrape s = { .url = url, .delivered_want = 300, .dlq_want = 3 };
  const char *counters[] = {
    "co2stream_producer_rows_read_total", "co2stream_producer_rows_produced_total",
    "co2stream_producer_rows_delivered_total", "co2stream_producer_rows_failed_total",
    "co2stream_producer_duplicates_total", "co2stream_producer_dead_letters_total",
    "co2stream_producer_dead_letters_failed_total", "co2stream_producer_queue_full_total",
  };
  ProducerSummary sum;

  for (guint i = 0; i < good->len; i++)
    {
      g_ptr_array_add (lines, g_ptr_array_index (good, i));
      if (i % 100 == 50)
        g_ptr_array_add (lines, "not json");
    }
  server = test_server_start (&config);
  api = test_server_url (server, "");
  producer = producer_spawn (api, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  pattern = g_strdup_printf ("metrics: serving http://127\\.0\\.0\\.1:%s/metrics$", port);
  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, pattern, 20000, NULL));

  co2s_test_assert_wait_msg (scrape_reached, &s, SCRAPE_TIMEOUT_MS,
                             "/metrics saying 300 rows and 3 dead letters delivered, none in flight");
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    g_assert_cmpstr (co2s_test_prom_type (s.families, counters[i]), ==, "counter");
  g_assert_cmpstr (co2s_test_prom_type (s.families, "co2stream_producer_in_flight_messages"), ==, "gauge");
  g_assert_cmpfloat (value (s.families, "co2stream_producer_rows_produced_total"), ==, 300);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_rows_failed_total"), ==, 0);
  /* Followed, the stream is asked again from seq 300; this server then
   * serves its last lines again, which are duplicates: every line read is
   * a row, a dead letter or a duplicate. */
  g_assert_cmpfloat (value (s.families, "co2stream_producer_rows_read_total"), ==,
                     303 + value (s.families, "co2stream_producer_duplicates_total"));
  g_assert_cmpfloat (value (s.families, "co2stream_producer_dead_letters_total"), ==, 3);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_dead_letters_failed_total"), ==, 0);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_last_seq"), ==, 299);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_waiting_for_kafka"), ==, 0);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_start_time_seconds"), <=,
                     g_get_real_time () / 1e6);

  /* The summary says the same. */
  co2s_test_proc_signal (producer, SIGTERM);
  producer_finish (producer, 0, &sum);
  g_assert_cmpuint (sum.read, ==, 303 + sum.duplicates);
  g_assert_cmpuint (sum.delivered, ==, 300);
  g_assert_cmpuint (sum.dlq, ==, 3);
  g_clear_pointer (&s.families, json_object_unref);
}

/* A connection cut after 100 rows, and a server that ignores from=: the
 * rows served again (on that reconnection, and on each new request of the
 * followed stream) are duplicates, counted as such; every line read is
 * either produced or a duplicate, in the same scrape. */
static void
test_duplicates (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (300, TRUE);
  TestServerConfig config = {
    .rows = rows, .honour_from = FALSE, .drop_request = 0, .drop_after_rows = 100,
    .drop_at_line_end = TRUE,
  };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *api = test_server_url (server, "");
  guint16 port = co2s_test_free_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/metrics", port);
  const char *extra[] = { "--metrics-listen", listen, NULL };
  g_autoptr(Co2sTestProc) producer = NULL;
  Scrape s = { .url = url, .delivered_want = 300, .dlq_want = 0, .duplicates_min = 100 };

  producer = producer_spawn (api, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  co2s_test_assert_wait_msg (scrape_reached, &s, SCRAPE_TIMEOUT_MS,
                             "/metrics saying 300 rows delivered and 100 duplicates");
  g_assert_cmpfloat (value (s.families, "co2stream_producer_rows_produced_total"), ==, 300);
  g_assert_cmpfloat (value (s.families, "co2stream_producer_rows_read_total"), ==,
                     300 + value (s.families, "co2stream_producer_duplicates_total"));
  g_clear_pointer (&s.families, json_object_unref);
  co2s_test_proc_signal (producer, SIGTERM);
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, EXIT_TIMEOUT_MS), ==, 0);
}

static void
run_expect (const char * const *extra, int want_status, const char *want_text)
{
  g_autoptr(Co2sTestProc) producer = producer_spawn ("http://127.0.0.1:1/stream", "127.0.0.1:1",
                                                     CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  g_autofree char *err = NULL;

  g_assert_cmpint (co2s_test_proc_wait_exit (producer, EXIT_TIMEOUT_MS), ==, want_status);
  g_assert_true (co2s_test_proc_wait_closed (producer, EXIT_TIMEOUT_MS));
  err = co2s_test_proc_stderr_text (producer);
  if (strstr (err, want_text) == NULL)
    g_error ("stderr lacks \"%s\":\n%s", want_text, err);
}

/* Bad values: usage errors (2) saying what is wrong; a port in use: 1. */
static void
test_bad_values (void)
{
  const char *bad[][2] = {
    { "abc", "--metrics-listen abc: the port must be a number from 0 to 65535" },
    { "70000", "--metrics-listen 70000: the port must be" },
    { "example.org:9101", "--metrics-listen example.org:9101: “example.org” is not an IP address" },
    { "::1:9101", "--metrics-listen ::1:9101: use PORT, HOST:PORT or [IPV6]:PORT" },
  };
  g_autofree char *taken = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *want = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *extra[] = { "--metrics-listen", bad[i][0], NULL };

      run_expect (extra, 2, bad[i][1]);
    }

  /* A port another socket listens on. */
  socket = co2s_test_listening_socket (&taken);
  want = g_strdup_printf ("cannot serve metrics on 127.0.0.1:%s: ", taken);
  {
    const char *extra[] = { "--metrics-listen", taken, NULL };

    run_expect (extra, 1, want);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  co2s_test_children_fatal_criticals ();
  g_test_add_func ("/producer/metrics-listen/scrape", test_scrape);
  g_test_add_func ("/producer/metrics-listen/duplicates", test_duplicates);
  g_test_add_func ("/producer/metrics-listen/bad-values", test_bad_values);
  return g_test_run ();
}
