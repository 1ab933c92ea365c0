/* test-producer-stall.c — co2stream-producer against an API that stalls or
 * closes before, at or after its first line (a raw-socket fake API, see
 * test-raw-api.h) and the embedded broker. What must hold: a stall or a
 * body closed before its end is never "the end of the stream" (not even
 * with --exit-at-end); the producer says what happened ("no data for N s
 * from API URL"), asks again, and once the API answers every row is in the
 * topic once, in order. A properly empty stream still ends. */
#define G_LOG_DOMAIN "test-producer"

#include <glib.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-util.h"
#include "producer-test-util.h"
#include "test-raw-api.h"

#define N_ROWS 50
#define IDLE_TIMEOUT "1"

static const char * const exit_at_end[] = { "--exit-at-end", "--idle-timeout", IDLE_TIMEOUT, NULL };

static void
assert_log_lacks (Co2sTestProc *proc, const char *pattern)
{
  g_autofree char *log = co2s_test_proc_stderr_text (proc);

  if (g_regex_match_simple (pattern, log, 0, 0))
    g_error ("unexpected /%s/ in the producer's log:\n%s", pattern, log);
}

/* The API answers the first request with @first, then serves every row:
 * the producer reports @expected (a regex; the URL is put in for %s), asks
 * again (its second request's query is @query1) and publishes every row
 * once, having never taken the first answer for the end. */
static void
run_then_serve (RawApiAct first, guint n_lines, gboolean with_seq, const char *expected,
                const char *query1)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, with_seq);
  const RawApiStep steps[] = { { first, n_lines }, { RAW_API_SERVE, 0 } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  g_autofree char *escaped = g_regex_escape_string (url, -1);
  g_autofree char *pattern = g_strdup_printf (expected, escaped);
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ,
                                                     exit_at_end);
  g_autofree char *q0 = NULL;
  g_autofree char *q1 = NULL;
  ProducerSummary s;

  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, pattern, EXIT_TIMEOUT_MS, NULL));
  producer_finish (producer, 0, &s);

  g_assert_cmpuint (raw_api_n_requests (api), ==, 2);
  q0 = raw_api_query (api, 0);
  q1 = raw_api_query (api, 1);
  g_assert_cmpstr (q0, ==, "");
  g_assert_cmpstr (q1, ==, query1);
  assert_log_lacks (producer, "ended cleanly after 0 lines");
  g_assert_cmpuint (s.produced, ==, N_ROWS);
  g_assert_cmpuint (s.delivered, ==, N_ROWS);
  g_assert_cmpuint (s.duplicates, ==, 0);
  g_assert_cmpuint (s.dlq, ==, 0);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, N_ROWS);
}

/* Headers, then nothing: the idle timeout, told as such. */
static void
test_stall_before_first_line (void)
{
  run_then_serve (RAW_API_HEADERS_STALL, 0, TRUE,
                  "no data for 1 s from API %s after 0 lines on this connection: stalled; "
                  "retrying in 0\\.1 s", "");
}

/* Not even headers. */
static void
test_stall_before_headers (void)
{
  run_then_serve (RAW_API_SILENT_STALL, 0, TRUE,
                  "no data for 1 s from API %s: no response to the request; retrying in 0\\.1 s", "");
}

/* Headers, then the connection closes without a single chunk (a stalled
 * API that died, a proxy's timeout): libsoup reads a clean end; it was
 * "stream ended cleanly after 0 lines" and exit 0 with --exit-at-end. */
static void
test_closed_after_headers (void)
{
  run_then_serve (RAW_API_HEADERS_CLOSE, 0, TRUE,
                  "API %s: connection closed after the response headers, before any line or the "
                  "end of the body; retrying in 0\\.1 s", "");
}

/* The same from a server that numbers no row: nothing was read, so asking
 * again loses nothing and repeats nothing. */
static void
test_closed_after_headers_no_seq (void)
{
  run_then_serve (RAW_API_HEADERS_CLOSE, 0, FALSE,
                  "API %s: connection closed after the response headers, before any line or the "
                  "end of the body; retrying in 0\\.1 s", "");
}

static void
test_closed_before_headers (void)
{
  run_then_serve (RAW_API_SILENT_CLOSE, 0, TRUE, "API %s unreachable: .*; retrying in 0\\.1 s", "");
}

/* One line, then a stall: asked again from the row after it. */
static void
test_stall_after_first_line (void)
{
  run_then_serve (RAW_API_LINES_STALL, 1, TRUE,
                  "no data for 1 s from API %s after 1 lines on this connection: stalled; "
                  "retrying from seq 1 in 0\\.1 s", "from=1");
}

/* An API that always stalls: the producer keeps saying so and asking, and
 * with --exit-at-end it does not exit as if the stream had ended. */
static void
test_stall_forever_is_not_an_end (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  const RawApiStep steps[] = { { RAW_API_HEADERS_STALL, 0 } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ,
                                                     exit_at_end);
  ProducerSummary s;

  for (guint i = 0; i < 2; i++)
    g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR,
                                             "no data for 1 s from API .* after 0 lines on this "
                                             "connection: stalled; retrying",
                                             EXIT_TIMEOUT_MS, NULL));
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);
  g_assert_cmpuint (raw_api_n_requests (api), >=, 2);

  co2s_test_proc_signal (producer, SIGTERM);
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.read, ==, 0);
  assert_log_lacks (producer, "stream ended");
}

/* The other side: a body that ends properly with no line is an empty
 * stream (an API asked from= past its end), and --exit-at-end ends. */
static void
test_empty_stream_ends (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  const RawApiStep steps[] = { { RAW_API_EMPTY, 0 } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ,
                                                     exit_at_end);
  ProducerSummary s;

  g_assert_true (co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR,
                                           "stream ended cleanly after 0 lines", EXIT_TIMEOUT_MS, NULL));
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (raw_api_n_requests (api), ==, 1);
  g_assert_cmpuint (s.read, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer/stall-before-first-line", test_stall_before_first_line);
  g_test_add_func ("/producer/stall-before-first-line/no-headers", test_stall_before_headers);
  g_test_add_func ("/producer/stall-before-first-line/closed-after-headers", test_closed_after_headers);
  g_test_add_func ("/producer/stall-before-first-line/closed-after-headers-no-seq",
                   test_closed_after_headers_no_seq);
  g_test_add_func ("/producer/stall-before-first-line/closed-before-headers", test_closed_before_headers);
  g_test_add_func ("/producer/stall-before-first-line/forever-is-not-an-end", test_stall_forever_is_not_an_end);
  g_test_add_func ("/producer/stall-after-first-line", test_stall_after_first_line);
  g_test_add_func ("/producer/empty-stream-ends", test_empty_stream_ends);

  return g_test_run ();
}
