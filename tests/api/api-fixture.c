/* api-fixture.c — helpers for the co2stream-api tests. */
#define G_LOG_DOMAIN "api-test"

#include "api-fixture.h"

#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"

#define IO_TIMEOUT_S 10
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000

const char *api_csv_header =
  "Engine_Size,Cylinders,Fuel_Consumption_City,Fuel_Consumption_Hwy,"
  "Fuel_Consumption_Comb,Fuel_Consumption_Comb-1,CO2_Emissions,"
  "Fuel_Type_D,Fuel_Type_E,Fuel_Type_N,Fuel_Type_X,Fuel_Type_Z";

/* Made-up vehicles with distinct values in every column. */
const char * const api_csv_rows[] = {
  "1.6,4,8.1,6.2,7.3,39,170,False,False,False,True,False",
  "3.5,6,12.4,9.1,10.9,26,255,False,False,False,False,True",
  "2.1,4,7.9,5.8,7.05,40,188,True,False,False,False,False",
  "5.3,8,22.5,16.4,19.8,14,317,False,True,False,False,False",
  "3.25,6,13.7,9.6,11.9,24,279,False,False,True,False,False",
};
const guint api_csv_n_rows = G_N_ELEMENTS (api_csv_rows);

struct _ApiStream {
  GSocketClient *client;
  GSocketConnection *conn;
  GDataInputStream *in;
  guint64 chunk_left;
  gboolean need_crlf;
  gboolean ended;
  gboolean clean_end;
};

char *
api_csv_text (guint n_rows)
{
  GString *text = g_string_new (api_csv_header);

  g_string_append_c (text, '\n');
  for (guint i = 0; i < n_rows; i++)
    {
      g_string_append (text, api_csv_rows[i % api_csv_n_rows]);
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

ApiServer *
api_server_start (const char          *csv_text,
                  const char * const  *extra_args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *csv_path = g_build_filename (dir, "vehicles.csv", NULL);
  ApiServer *server;

  g_file_set_contents (csv_path, csv_text, -1, &error);
  g_assert_no_error (error);

  server = api_server_start_with_file (csv_path, extra_args);
  server->dir = g_steal_pointer (&dir);

  return server;
}

ApiServer *
api_server_start_with_file (const char         *csv_path,
                            const char * const *extra_args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GUri) uri = NULL;
  ApiServer *server = g_new0 (ApiServer, 1);

  server->csv_path = g_strdup (csv_path);

  g_ptr_array_add (argv, (gpointer) co2s_test_program ("CO2S_API"));
  g_ptr_array_add (argv, (gpointer) "--csv");
  g_ptr_array_add (argv, server->csv_path);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  server->proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, NULL);

  if (!co2s_test_proc_wait_line (server->proc, CO2S_TEST_STDOUT,
                                 "^" CO2S_READY_API_PREFIX "http://", START_TIMEOUT_MS, &line))
    {
      g_autofree char *err = co2s_test_proc_stderr_text (server->proc);

      g_error ("co2stream-api did not print \"" CO2S_READY_API_PREFIX "…\" within %d ms; stderr:\n%s",
               START_TIMEOUT_MS, err);
    }

  server->url = g_strdup (line + strlen (CO2S_READY_API_PREFIX));
  uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "");
  server->host = g_strdup (g_uri_get_host (uri));
  server->port = (guint16) g_uri_get_port (uri);

  server->session = soup_session_new_with_options ("timeout", IO_TIMEOUT_S, NULL);

  return server;
}

typedef struct {
  Co2sTestProc *proc;
  GRegex *regex;
} StderrWait;

static gboolean
stderr_matches (gpointer data)
{
  StderrWait *wait = data;
  g_autofree char *text = co2s_test_proc_stderr_text (wait->proc);

  return g_regex_match (wait->regex, text, 0, NULL);
}

gboolean
api_wait_stderr (Co2sTestProc *proc,
                 const char   *pattern,
                 guint         timeout_ms)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GError) error = NULL;
  StderrWait wait;

  regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);
  wait.proc = proc;
  wait.regex = regex;

  if (co2s_test_wait_until (stderr_matches, &wait, timeout_ms))
    return TRUE;

  g_test_message ("stderr did not match \"%s\" within %u ms", pattern, timeout_ms);
  return FALSE;
}

int
api_server_stop (ApiServer *server)
{
  g_assert_nonnull (server);

  if (server->session != NULL)
    soup_session_abort (server->session);

  return co2s_test_proc_terminate (server->proc, STOP_TIMEOUT_MS);
}

void
api_server_free (ApiServer *server)
{
  if (server == NULL)
    return;

  g_clear_object (&server->session);
  g_clear_pointer (&server->proc, co2s_test_proc_free);
  if (server->dir != NULL)
    co2s_test_rm_rf (server->dir, NULL);
  g_free (server->dir);
  g_free (server->csv_path);
  g_free (server->url);
  g_free (server->host);
  g_free (server);
}

guint64
api_server_rss_kib (ApiServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) co2s_test_proc_get_pid (server->proc));
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;

  g_file_get_contents (path, &status, NULL, &error);
  g_assert_no_error (error);
  p = strstr (status, "\nVmRSS:");
  g_assert_nonnull (p);

  return g_ascii_strtoull (p + strlen ("\nVmRSS:"), NULL, 10);
}

guint
api_request (ApiServer   *server,
             const char  *method,
             const char  *path,
             char       **body,
             char       **content_type)
{
  g_autofree char *url = g_strconcat (server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  bytes = soup_session_send_and_read (server->session, msg, NULL, &error);
  g_assert_no_error (error);

  if (body != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      *body = g_strndup (data != NULL ? data : "", len);
    }
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));

  return soup_message_get_status (msg);
}

JsonObject *
api_health (ApiServer *server)
{
  g_autofree char *body = NULL;
  g_autofree char *type = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_cmpuint (api_request (server, "GET", "/health", &body, &type), ==, 200);
  g_assert_cmpstr (type, ==, "application/json");
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

gint64
api_json_int (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    g_error ("JSON object has no member \"%s\"", member);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

gboolean
api_clients_are (gpointer data)
{
  ApiClientsWait *wait = data;
  g_autoptr(JsonObject) health = api_health (wait->server);

  wait->last = api_json_int (health, "clients");
  return wait->last == wait->clients;
}

ApiStream *
api_stream_open_unread (ApiServer  *server,
                        const char *path_query)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  ApiStream *stream = g_new0 (ApiStream, 1);
  GOutputStream *out;

  stream->client = g_socket_client_new ();
  g_socket_client_set_timeout (stream->client, IO_TIMEOUT_S);
  stream->conn = g_socket_client_connect_to_host (stream->client, server->host,
                                                  server->port, NULL, &error);
  g_assert_no_error (error);

  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%u\r\nAccept: application/x-ndjson\r\n\r\n",
                             path_query, server->host, server->port);
  out = g_io_stream_get_output_stream (G_IO_STREAM (stream->conn));
  g_output_stream_write_all (out, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  stream->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (stream->conn)));
  g_data_input_stream_set_newline_type (stream->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (stream->in), 64 * 1024);

  return stream;
}

static char *
read_crlf_line (ApiStream *stream,
                GError   **error)
{
  gsize len;
  char *line = g_data_input_stream_read_line (stream->in, &len, NULL, error);

  if (line != NULL && len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  else if (line == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "connection closed");

  return line;
}

void
api_stream_read_head (ApiStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status_line = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *encoding = NULL;

  status_line = read_crlf_line (stream, &error);
  g_assert_no_error (error);
  if (!g_str_has_prefix (status_line, "HTTP/1.1 200 "))
    g_error ("expected a 200 response, got \"%s\"", status_line);

  for (;;)
    {
      g_autofree char *line = read_crlf_line (stream, &error);
      char *colon;

      g_assert_no_error (error);
      if (*line == '\0')
        break;
      colon = strchr (line, ':');
      g_assert_nonnull (colon);
      *colon = '\0';
      if (g_ascii_strcasecmp (line, "Content-Type") == 0)
        content_type = g_strdup (g_strstrip (colon + 1));
      else if (g_ascii_strcasecmp (line, "Transfer-Encoding") == 0)
        encoding = g_strdup (g_strstrip (colon + 1));
    }

  g_assert_cmpstr (content_type, ==, "application/x-ndjson");
  g_assert_cmpstr (encoding, ==, "chunked");
}

ApiStream *
api_stream_open (ApiServer  *server,
                 const char *path_query)
{
  ApiStream *stream = api_stream_open_unread (server, path_query);

  api_stream_read_head (stream);

  return stream;
}

/* Reads the next chunk header; FALSE at the terminating chunk. */
static gboolean
next_chunk (ApiStream *stream,
            GError   **error)
{
  g_autofree char *size_line = NULL;
  char *end = NULL;

  if (stream->need_crlf)
    {
      g_autofree char *crlf = read_crlf_line (stream, error);

      if (crlf == NULL)
        return FALSE;
      if (*crlf != '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "chunk data not followed by CRLF: \"%s\"", crlf);
          return FALSE;
        }
      stream->need_crlf = FALSE;
    }

  size_line = read_crlf_line (stream, error);
  if (size_line == NULL)
    return FALSE;

  stream->chunk_left = g_ascii_strtoull (size_line, &end, 16);
  if (end == size_line || (*end != '\0' && *end != ';'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "bad chunk size line \"%s\"", size_line);
      return FALSE;
    }

  if (stream->chunk_left == 0)
    {
      /* Trailers, up to the empty line. */
      for (;;)
        {
          g_autofree char *trailer = read_crlf_line (stream, error);

          if (trailer == NULL)
            return FALSE;
          if (*trailer == '\0')
            break;
        }
      stream->clean_end = TRUE;
      return FALSE;
    }

  stream->need_crlf = TRUE;
  return TRUE;
}

char *
api_stream_read_line (ApiStream *stream,
                      gboolean  *clean_end)
{
  GBufferedInputStream *buffered = G_BUFFERED_INPUT_STREAM (stream->in);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  while (!stream->ended)
    {
      const char *data;
      const char *nl;
      gsize avail;
      gsize take;

      if (stream->chunk_left == 0 && !next_chunk (stream, &error))
        {
          if (error != NULL)
            g_test_message ("stream ended: %s", error->message);
          stream->ended = TRUE;
          break;
        }

      if (g_buffered_input_stream_get_available (buffered) == 0)
        {
          gssize n = g_buffered_input_stream_fill (buffered, -1, NULL, &error);

          if (n <= 0)
            {
              g_test_message ("stream ended inside a chunk: %s",
                              error != NULL ? error->message : "connection closed");
              stream->ended = TRUE;
              break;
            }
        }

      data = g_buffered_input_stream_peek_buffer (buffered, &avail);
      avail = MIN (avail, stream->chunk_left);
      nl = memchr (data, '\n', avail);
      take = nl != NULL ? (gsize) (nl - data) + 1 : avail;
      g_string_append_len (line, data, (gssize) take);
      g_input_stream_skip (G_INPUT_STREAM (buffered), take, NULL, &error);
      g_assert_no_error (error);
      stream->chunk_left -= take;

      if (nl != NULL)
        {
          g_string_truncate (line, line->len - 1);
          return g_string_free (g_steal_pointer (&line), FALSE);
        }
    }

  if (clean_end != NULL)
    *clean_end = stream->clean_end;
  if (line->len > 0)
    g_error ("stream ended in the middle of a line: \"%s\"", line->str);

  return NULL;
}

JsonObject *
api_stream_read_row (ApiStream *stream,
                     gboolean  *clean_end)
{
  g_autofree char *line = api_stream_read_line (stream, clean_end);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (line == NULL)
    return NULL;

  parser = json_parser_new ();
  json_parser_load_from_data (parser, line, -1, &error);
  if (error != NULL)
    g_error ("stream line is not JSON (%s): %s", error->message, line);
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    g_error ("stream line is not a JSON object: %s", line);

  return json_object_ref (json_node_get_object (root));
}

void
api_stream_free (ApiStream *stream)
{
  if (stream == NULL)
    return;

  if (stream->conn != NULL)
    g_io_stream_close (G_IO_STREAM (stream->conn), NULL, NULL);
  g_clear_object (&stream->in);
  g_clear_object (&stream->conn);
  g_clear_object (&stream->client);
  g_free (stream);
}

void
api_check_row (JsonObject *row,
               gint64      seq,
               guint       n_rows,
               gint64      min_ts_us)
{
  g_auto(GStrv) names = g_strsplit (api_csv_header, ",", -1);
  g_auto(GStrv) values = g_strsplit (api_csv_rows[(seq % n_rows) % api_csv_n_rows], ",", -1);
  guint n_names = g_strv_length (names);
  gint64 ts_us;

  g_assert_cmpuint (g_strv_length (values), ==, n_names);
  g_assert_cmpuint (json_object_get_size (row), ==, n_names + 2);

  for (guint i = 0; i < n_names; i++)
    {
      JsonNode *node = json_object_get_member (row, names[i]);

      if (node == NULL)
        g_error ("row %" G_GINT64_FORMAT " has no key \"%s\"", seq, names[i]);
      g_assert_true (JSON_NODE_HOLDS_VALUE (node));

      if (g_str_equal (values[i], "True") || g_str_equal (values[i], "False"))
        {
          g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
          g_assert_cmpint (json_node_get_boolean (node), ==, g_str_equal (values[i], "True"));
        }
      else
        {
          GType type = json_node_get_value_type (node);

          g_assert_true (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE);
          g_assert_cmpfloat (json_node_get_double (node), ==, g_ascii_strtod (values[i], NULL));
        }
    }

  g_assert_cmpint (api_json_int (row, "seq"), ==, seq);
  ts_us = api_json_int (row, "ts_us");
  g_assert_cmpint (ts_us, >=, min_ts_us);
  g_assert_cmpint (ts_us, <=, g_get_real_time ());
}
