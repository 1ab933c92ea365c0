/* test-producer-http-errors.c — co2stream-producer against an API that
 * answers an HTTP error (the raw-socket fake API of test-raw-api.h) and the
 * embedded broker. What must hold (issue 10: a persistent 404 or 500 made
 * --exit-at-end retry for ever):
 *   - a 4xx other than 408 and 429 is a configuration error (wrong path or
 *     query): exit 1 at once, with or without --exit-at-end, naming the
 *     status and the URL; the API is asked once;
 *   - a 5xx, 408 or 429 is retried with backoff, each failure logged with
 *     its count and how long the API has been failing; once the API
 *     answers, every row is published once;
 *   - with --exit-at-end the producer gives up after --give-up-after
 *     seconds of failures (exit 1, saying so); without it, it never does. */
#define G_LOG_DOMAIN "test-producer"

#include <glib.h>
#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-test-util.h"
#include "producer-test-util.h"
#include "test-raw-api.h"

#define N_ROWS 20

static void
wait_log (Co2sTestProc *producer, const char *pattern)
{
  if (!co2s_test_proc_wait_line (producer, CO2S_TEST_STDERR, pattern, EXIT_TIMEOUT_MS, NULL))
    g_error ("no /%s/ in the producer's log within %d ms:\n%s", pattern, EXIT_TIMEOUT_MS,
             co2s_test_proc_stderr_text (producer));
}

/* ---- 4xx: a configuration error ------------------------------------------ */

typedef struct {
  guint status;
  const char *reason;
  gboolean exit_at_end;
} ClientError;

static void
test_client_error (gconstpointer data)
{
  const ClientError *c = data;
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  const RawApiStep steps[] = { { RAW_API_STATUS, 0, c->status } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  g_autofree char *escaped = g_regex_escape_string (url, -1);
  g_autofree char *pattern = NULL;
  const char * const with[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ,
                                                     c->exit_at_end ? with : NULL);
  g_autofree char *log = NULL;
  ProducerSummary s;

  /* Exit 1 at once (well before a first backoff would have ended), the
   * last line naming the URL, the status and the way out. */
  producer_finish (producer, 1, &s);
  log = co2s_test_proc_stderr_text (producer);
  pattern = g_strdup_printf ("co2stream-producer: API %s answered HTTP %u %s: a client error, "
                             "which asking again will not mend; check --api \\(its host, path "
                             "and query\\)\n$", escaped, c->status, c->reason);
  if (!g_regex_match_simple (pattern, log, 0, 0))
    g_error ("no /%s/ at the end of the producer's log:\n%s", pattern, log);
  g_assert_cmpuint (raw_api_n_requests (api), ==, 1);
  g_assert_cmpuint (s.read, ==, 0);
  g_assert_null (strstr (log, "retrying"));
}

/* ---- 5xx, 408, 429: retried ---------------------------------------------- */

/* The API fails @n_failures times with @status, then serves every row:
 * each failure is logged with its count, then every row is published once
 * and --exit-at-end exits 0. */
static void
retried_then_served (guint status, const char *reason, guint n_failures)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  g_autofree RawApiStep *steps = g_new0 (RawApiStep, n_failures + 1);
  g_autoptr(RawApi) api = NULL;
  g_autofree char *url = NULL;
  g_autofree char *escaped = NULL;
  const char * const extra[] = { "--exit-at-end", NULL };
  g_autoptr(Co2sTestProc) producer = NULL;
  ProducerSummary s;

  for (guint i = 0; i < n_failures; i++)
    steps[i] = (RawApiStep) { RAW_API_STATUS, 0, status };
  steps[n_failures] = (RawApiStep) { RAW_API_SERVE, 0, 0 };
  api = raw_api_start (rows, steps, n_failures + 1);
  url = raw_api_url (api);
  escaped = g_regex_escape_string (url, -1);
  producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);

  for (guint i = 1; i <= n_failures; i++)
    {
      g_autofree char *pattern =
        g_strdup_printf ("API %s answered HTTP %u %s; retrying in [0-9.]+ s \\(failure %u in a "
                         "row, for [0-9.]+ s; giving up after 300 s\\)", escaped, status, reason, i);

      wait_log (producer, pattern);
    }
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (raw_api_n_requests (api), ==, n_failures + 1);
  g_assert_cmpuint (s.produced, ==, N_ROWS);
  g_assert_cmpuint (s.delivered, ==, N_ROWS);
  g_assert_cmpuint (s.duplicates, ==, 0);
  producer_assert_topic_rows (brokers, CO2S_TOPIC_DATA, rows, 0, N_ROWS);
}

static void
test_server_error_retried (void)
{
  retried_then_served (500, "Internal Server Error", 3);
}

static void
test_unavailable_retried (void)
{
  retried_then_served (503, "Service Unavailable", 1);
}

static void
test_too_many_requests_retried (void)
{
  retried_then_served (429, "Too Many Requests", 2);
}

static void
test_request_timeout_retried (void)
{
  retried_then_served (408, "Request Timeout", 1);
}

/* ---- persistent 5xx --------------------------------------------------------- */

/* With --exit-at-end: gives up after --give-up-after seconds of failures,
 * exit 1, saying for how long, how many attempts and the last answer. */
static void
test_gives_up_with_exit_at_end (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  const RawApiStep steps[] = { { RAW_API_STATUS, 0, 500 } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  g_autofree char *escaped = g_regex_escape_string (url, -1);
  const char * const extra[] = { "--exit-at-end", "--give-up-after", "1", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  g_autofree char *pattern = NULL;
  g_autofree char *log = NULL;
  ProducerSummary s;

  producer_finish (producer, 1, &s);
  log = co2s_test_proc_stderr_text (producer);
  pattern = g_strdup_printf ("co2stream-producer: giving up on API %s after [0-9]+ failed attempts "
                             "in a row over [0-9.]+ s; the last: API %s answered HTTP 500 Internal "
                             "Server Error \\(--give-up-after 1 sets how long; without --exit-at-end "
                             "the producer keeps trying\\)\n$", escaped, escaped);
  if (!g_regex_match_simple (pattern, log, 0, 0))
    g_error ("no /%s/ at the end of the producer's log:\n%s", pattern, log);
  g_assert_cmpuint (raw_api_n_requests (api), >=, 2);
  g_assert_cmpuint (s.read, ==, 0);
  g_assert_null (strstr (log, "stream ended"));
}

/* Without --exit-at-end (a service, which a supervisor would restart
 * anyway): never gives up, whatever --give-up-after says; each failure is
 * logged. Stopped with SIGTERM: exit 0. */
static void
test_keeps_trying_without_exit_at_end (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (N_ROWS, TRUE);
  const RawApiStep steps[] = { { RAW_API_STATUS, 0, 502 } };
  g_autoptr(RawApi) api = raw_api_start (rows, steps, G_N_ELEMENTS (steps));
  g_autofree char *url = raw_api_url (api);
  const char * const extra[] = { "--give-up-after", "1", NULL };
  g_autoptr(Co2sTestProc) producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  ProducerSummary s;

  /* The sixth failure comes about 3 s after the first (0.1 s doubling),
   * well past --give-up-after 1; no word of giving up. */
  wait_log (producer, "answered HTTP 502 Bad Gateway; retrying in [0-9.]+ s \\(failure 6 in a row, "
                      "for [0-9.]+ s\\)");
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, 0), ==, -1);
  co2s_test_proc_signal (producer, SIGTERM);
  producer_finish (producer, 0, &s);
  g_assert_cmpuint (raw_api_n_requests (api), >=, 6);
  g_assert_null (strstr (co2s_test_proc_stderr_text (producer), "giving up"));
}

int
main (int argc, char *argv[])
{
  static const ClientError client_errors[] = {
    { 404, "Not Found", TRUE },
    { 404, "Not Found", FALSE },
    { 400, "Bad Request", TRUE },
    { 410, "Gone", FALSE },
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (client_errors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/producer/http-error/%u%s", client_errors[i].status,
                                               client_errors[i].exit_at_end ? "/exit-at-end" : "");

      g_test_add_data_func (path, &client_errors[i], test_client_error);
    }
  g_test_add_func ("/producer/http-error/500-retried", test_server_error_retried);
  g_test_add_func ("/producer/http-error/503-retried", test_unavailable_retried);
  g_test_add_func ("/producer/http-error/429-retried", test_too_many_requests_retried);
  g_test_add_func ("/producer/http-error/408-retried", test_request_timeout_retried);
  g_test_add_func ("/producer/http-error/persistent-500-gives-up-with-exit-at-end",
                   test_gives_up_with_exit_at_end);
  g_test_add_func ("/producer/http-error/persistent-502-without-exit-at-end-keeps-trying",
                   test_keeps_trying_without_exit_at_end);

  return g_test_run ();
}
