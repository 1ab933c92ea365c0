/* api-sockets.c — the server's fds and connections, and raw HTTP exchanges. */
#define G_LOG_DOMAIN "api-test"

#include "api-sockets.h"

#include <string.h>

guint
api_count_fds_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

guint
api_count_connections_of (GPid pid)
{
  g_autofree char *fd_path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (fd_path, 0, &error);
  const char *tables[] = { "tcp", "tcp6" };
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link_path = g_build_filename (fd_path, name, NULL);
      g_autofree char *target = g_file_read_link (link_path, NULL);

      /* "socket:[INODE]"; an fd closed meanwhile reads as NULL. */
      if (target != NULL && g_str_has_prefix (target, "socket:["))
        g_hash_table_add (inodes, g_strndup (target + strlen ("socket:["),
                                             strlen (target) - strlen ("socket:[]")));
    }

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/net/%s", (int) pid, tables[t]);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue; /* no IPv6 */
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++) /* line 0: the column names */
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) cols = g_ptr_array_new ();

          for (guint f = 0; fields[f] != NULL; f++)
            if (*fields[f] != '\0')
              g_ptr_array_add (cols, fields[f]);
          /* sl local rem st queues timer retrnsmt uid timeout inode … */
          if (cols->len < 10)
            continue;
          if (!g_str_equal (g_ptr_array_index (cols, 3), "0A") &&
              g_hash_table_contains (inodes, g_ptr_array_index (cols, 9)))
            n++;
        }
    }

  return n;
}

guint
api_count_fds (ApiServer *server)
{
  return api_count_fds_of (co2s_test_proc_get_pid (server->proc));
}

guint
api_count_connections (ApiServer *server)
{
  return api_count_connections_of (co2s_test_proc_get_pid (server->proc));
}

typedef struct {
  ApiServer *server;
  guint last;
} ConnectionsWait;

static gboolean
no_connections (gpointer data)
{
  ConnectionsWait *wait = data;

  wait->last = api_count_connections (wait->server);
  return wait->last == 0;
}

void
api_assert_connections_released (ApiServer *server,
                                 guint      timeout_ms)
{
  ConnectionsWait wait = { server, 0 };

  if (!co2s_test_wait_until (no_connections, &wait, timeout_ms))
    g_error ("co2stream-api still holds %u TCP connections (%u fds) %u ms after its "
             "clients closed them all: connections closed by the client are not released",
             wait.last, api_count_fds (server), timeout_ms);
}

guint
api_request_then_close (ApiServer  *server,
                        const char *path,
                        guint       index)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autofree char *status_line = NULL;
  guint64 length = 0;
  gboolean chunked = FALSE;
  guint status = 0;

  g_socket_client_set_timeout (client, API_RAW_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (client, server->host, server->port, NULL, &error);
  if (conn == NULL)
    g_error ("request %u: cannot connect to co2stream-api: %s", index, error->message);

  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%u\r\n\r\n", path, server->host, server->port);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  request, strlen (request), NULL, NULL, &error))
    g_error ("request %u: cannot send: %s", index, error->message);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  status_line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (status_line == NULL)
    g_error ("request %u of GET %s: no response from co2stream-api within %d s (%s)",
             index, path, API_RAW_TIMEOUT_S, error != NULL ? error->message : "connection closed");
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 "));
  status = (guint) g_ascii_strtoull (status_line + strlen ("HTTP/1.1 "), NULL, 10);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_strchomp (line);
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", strlen ("Content-Length:")) == 0)
        length = g_ascii_strtoull (line + strlen ("Content-Length:"), NULL, 10);
      else if (g_ascii_strcasecmp (line, "Transfer-Encoding: chunked") == 0)
        chunked = TRUE;
    }

  /* The body: Content-Length bytes, or chunks up to the empty one. */
  do
    {
      g_autofree char *body = NULL;

      if (chunked)
        {
          g_autofree char *size_line = g_data_input_stream_read_line (in, NULL, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (size_line);
          length = g_ascii_strtoull (size_line, NULL, 16);
        }
      body = g_malloc (length + 2);
      g_input_stream_read_all (G_INPUT_STREAM (in), body, length + (chunked ? 2 : 0), NULL, NULL, &error);
      g_assert_no_error (error);
    }
  while (chunked && length > 0);

  g_io_stream_close (G_IO_STREAM (conn), NULL, &error);
  g_assert_no_error (error);

  return status;
}

ApiRawResponse *
api_raw_exchange (ApiServer  *server,
                  const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first_line = NULL;
  ApiRawResponse *response;
  GInputStream *in;
  const char *head_end;
  gsize head_len;

  g_socket_client_set_timeout (client, API_RAW_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (client, server->host, server->port, NULL, &error);
  if (conn == NULL)
    g_error ("cannot connect to co2stream-api: %s", error->message);

  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  request, strlen (request), NULL, NULL, &error))
    g_error ("cannot send the request: %s", error->message);

  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  for (;;)
    {
      guint8 buf[16384];
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);

      if (n < 0)
        g_error ("reading the response to \"%s\" (%u bytes so far): %s",
                 g_strescape (request, NULL), data->len, error->message);
      if (n == 0)
        break;
      g_byte_array_append (data, buf, (guint) n);
    }
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  g_byte_array_append (data, (const guint8 *) "", 1); /* NUL, not part of the body */
  head_end = strstr ((const char *) data->data, "\r\n\r\n");
  if (head_end == NULL)
    g_error ("no complete response head in %u bytes: \"%s\"", data->len - 1,
             g_strescape ((const char *) data->data, NULL));
  head_len = (gsize) (head_end - (const char *) data->data) + 2;

  response = g_new0 (ApiRawResponse, 1);
  response->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  first_line = g_strndup ((const char *) data->data, strcspn ((const char *) data->data, "\r\n"));
  if (!soup_headers_parse_response ((const char *) data->data, (int) head_len, response->headers,
                                    &response->version, &response->status, NULL))
    g_error ("bad response head: \"%s\"", first_line);
  response->body = g_bytes_new (head_end + 4, data->len - 1 - (head_len + 2));

  return response;
}

void
api_raw_response_free (ApiRawResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}
