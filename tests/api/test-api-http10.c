/* test-api-http10.c — co2stream-api answers HTTP/1.0 requests that carry no
 * Host header (allowed in HTTP/1.0) like any other: the query string is the
 * query, not part of the path. libsoup 3.2 (and later, up to at least 3.6)
 * builds such a request's URI with the whole request-target as its path, so
 * "GET /stream?limit=2 HTTP/1.0" came out as a 404 for "/stream?limit=2".
 * Raw sockets, real process. */
#define G_LOG_DOMAIN "api-test"

#include <string.h>

#include "api-sockets.h"

/* The body of an HTTP/1.0 stream ends when the connection closes: the
 * rows, one per line, each a JSON object of the CSV row with its seq. */
static void
check_stream_body (ApiRawResponse *response,
                   gint64          first_seq,
                   guint           n_lines,
                   guint           n_rows,
                   gint64          min_ts_us)
{
  gsize len;
  const char *data = g_bytes_get_data (response->body, &len);
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_str_has_suffix (text, "\n"));
  text[len - 1] = '\0';
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_lines);

  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      api_check_row (json_node_get_object (json_parser_get_root (parser)),
                     first_seq + i, n_rows, min_ts_us);
    }
}

static void
assert_header (ApiRawResponse *response,
               const char     *name,
               const char     *value)
{
  g_assert_cmpstr (soup_message_headers_get_one (response->headers, name), ==, value);
}

/* GET /stream?limit=2 with no Host: the two first rows, then the server
 * closes (no chunked encoding in HTTP/1.0). */
static void
test_stream_query_no_host (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  gint64 start_us = g_get_real_time ();
  g_autoptr(ApiRawResponse) response = api_raw_exchange (server, "GET /stream?limit=2 HTTP/1.0\r\n\r\n");
  g_autoptr(ApiRawResponse) from = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpint (response->version, ==, SOUP_HTTP_1_0);
  assert_header (response, "Content-Type", "application/x-ndjson");
  g_assert_null (soup_message_headers_get_one (response->headers, "Transfer-Encoding"));
  check_stream_body (response, 0, 2, 3, start_us);

  /* Two parameters, rate=0 included, and a resume point. */
  from = api_raw_exchange (server, "GET /stream?from=4&limit=3&rate=0 HTTP/1.0\r\n\r\n");
  g_assert_cmpuint (from->status, ==, 200);
  check_stream_body (from, 4, 3, 3, start_us);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* /health and /metrics, with and without a query (which they ignore), and
 * the index. */
static void
test_health_metrics_no_host (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  const struct {
    const char *request;
    const char *content_type;
    const char *expect;
  } cases[] = {
    { "GET /health HTTP/1.0\r\n\r\n", "application/json", "\"rows_loaded\":3," },
    { "GET /health?verbose=1 HTTP/1.0\r\n\r\n", "application/json", "\"rows_loaded\":3," },
    { "GET /metrics HTTP/1.0\r\n\r\n", "text/plain", "\nco2stream_api_rows_loaded 3\n" },
    { "GET /metrics?x=y HTTP/1.0\r\n\r\n", "text/plain", "\nco2stream_api_rows_loaded 3\n" },
    { "GET /?a=b HTTP/1.0\r\n\r\n", "text/plain", "GET /stream" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ApiRawResponse) response = api_raw_exchange (server, cases[i].request);
      g_autofree char *body = g_strndup (g_bytes_get_data (response->body, NULL),
                                         g_bytes_get_size (response->body));

      g_test_message ("%s", cases[i].request);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (response->headers, NULL), ==,
                       cases[i].content_type);
      g_assert_nonnull (strstr (body, cases[i].expect));
      g_assert_cmpuint (g_bytes_get_size (response->body), ==,
                        soup_message_headers_get_content_length (response->headers));
    }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* The query is parsed as with a Host header: a bad value is a 400 naming
 * it, an unknown path a 404 naming the path alone. */
static void
test_errors_no_host (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(ApiRawResponse) bad = api_raw_exchange (server, "GET /stream?limit=zero HTTP/1.0\r\n\r\n");
  g_autoptr(ApiRawResponse) unknown = api_raw_exchange (server, "GET /stream?lmit=2 HTTP/1.0\r\n\r\n");
  g_autoptr(ApiRawResponse) missing = api_raw_exchange (server, "GET /nope?limit=2 HTTP/1.0\r\n\r\n");
  g_autofree char *bad_body = g_strndup (g_bytes_get_data (bad->body, NULL), g_bytes_get_size (bad->body));
  g_autofree char *unknown_body = g_strndup (g_bytes_get_data (unknown->body, NULL),
                                             g_bytes_get_size (unknown->body));
  g_autofree char *missing_body = g_strndup (g_bytes_get_data (missing->body, NULL),
                                             g_bytes_get_size (missing->body));

  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_nonnull (strstr (bad_body, "bad query parameter limit=\"zero\""));
  g_assert_cmpuint (unknown->status, ==, 400);
  g_assert_nonnull (strstr (unknown_body, "unknown query parameter \"lmit\""));
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (missing_body, ==, "no such path: /nope (try /stream, /health or /metrics)\n");

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* The same requests with a Host header, in HTTP/1.0 and 1.1, as before;
 * and HTTP/1.1 without Host stays a 400 (RFC 9112: Host is required). */
static void
test_with_host_unchanged (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  gint64 start_us = g_get_real_time ();
  g_autoptr(ApiRawResponse) v10 = api_raw_exchange (server, "GET /stream?limit=2 HTTP/1.0\r\nHost: x\r\n\r\n");
  g_autoptr(ApiRawResponse) v11 = api_raw_exchange (server, "GET /health?a=b HTTP/1.1\r\nHost: x\r\n\r\n");
  g_autoptr(ApiRawResponse) v11_no_host = api_raw_exchange (server, "GET /health HTTP/1.1\r\n\r\n");

  g_assert_cmpuint (v10->status, ==, 200);
  check_stream_body (v10, 0, 2, 3, start_us);
  g_assert_cmpuint (v11->status, ==, 200);
  g_assert_cmpuint (v11_no_host->status, ==, 400);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/http10/stream-query-no-host", test_stream_query_no_host);
  g_test_add_func ("/api/http10/health-metrics-no-host", test_health_metrics_no_host);
  g_test_add_func ("/api/http10/errors-no-host", test_errors_no_host);
  g_test_add_func ("/api/http10/with-host-unchanged", test_with_host_unchanged);

  return g_test_run ();
}
