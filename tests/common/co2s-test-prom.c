/* co2s-test-prom.c — see co2s-test-prom.h. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-prom.h"

#include <math.h>
#include <string.h>

#include "co2s-test-util.h"

#define PYTHON "/usr/bin/python3"

char *
co2s_test_http_get (const char *url, guint *status, char **content_type, GError **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree char *text = NULL;
  GOutputStream *out;
  GInputStream *in;
  char buf[8192];
  gssize n;
  char *body, *line_end;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 5);
  conn = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri), NULL, error);
  if (conn == NULL)
    return NULL;
  request = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                             *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/", g_uri_get_host (uri));
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  if (!g_output_stream_write_all (out, request, strlen (request), NULL, NULL, error))
    return NULL;
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, error)) > 0)
    g_byte_array_append (data, (guint8 *) buf, n);
  if (n < 0)
    return NULL;
  g_byte_array_append (data, (guint8 *) "", 1);
  text = (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);

  body = strstr (text, "\r\n\r\n");
  if (!g_str_has_prefix (text, "HTTP/1.") || body == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an HTTP answer from %s", url);
      return NULL;
    }
  *body = '\0';
  *status = (guint) g_ascii_strtoull (text + 9, NULL, 10);
  if (content_type != NULL)
    {
      *content_type = NULL;
      for (char *line = strstr (text, "\r\n"); line != NULL; line = line_end)
        {
          line += 2;
          line_end = strstr (line, "\r\n");
          if (g_ascii_strncasecmp (line, "Content-Type:", 13) == 0)
            {
              *content_type = g_strstrip (g_strndup (line + 13, line_end ? (gsize) (line_end - line - 13)
                                                                         : strlen (line + 13)));
              break;
            }
        }
    }
  return g_strdup (body + 4);
}

JsonObject *
co2s_test_prom_parse (const char *text)
{
  g_autofree char *script = g_build_filename (co2s_test_source_dir (), "tests", "common",
                                              "prom-parse.py", NULL);
  const char *argv[] = { PYTHON, script, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (proc == NULL)
    g_error ("cannot run %s (Debian's python3 with python3-prometheus-client, "
             "scripts/deps-debian.txt): %s", PYTHON, error->message);
  if (!g_subprocess_communicate_utf8 (proc, text, NULL, &out, &err, &error))
    g_error ("prom-parse.py: %s", error->message);
  if (!g_subprocess_get_successful (proc))
    g_error ("the Prometheus parser refused the exposition:\n%s", err);
  if (!json_parser_load_from_data (parser, out, -1, &error))
    g_error ("prom-parse.py printed no JSON: %s", error->message);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonObject *
co2s_test_prom_scrape (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = co2s_test_http_get (url, &status, &type, &error);
  if (body == NULL || status != 200 || type == NULL ||
      !g_str_has_prefix (type, "text/plain; version=0.0.4"))
    return NULL;
  return co2s_test_prom_parse (body);
}

static gboolean
labels_equal (JsonObject *got, const char * const *want)
{
  guint n = 0;

  for (; want != NULL && want[n] != NULL && want[n + 1] != NULL; n += 2)
    if (!json_object_has_member (got, want[n]) ||
        g_strcmp0 (json_object_get_string_member (got, want[n]), want[n + 1]) != 0)
      return FALSE;
  return json_object_get_size (got) == n / 2;
}

gboolean
co2s_test_prom_lookup (JsonObject *families, const char *name, const char * const *labels,
                       double *value)
{
  g_autoptr(GList) members = json_object_get_members (families);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonArray *samples = json_object_get_array_member (json_object_get_object_member (families, l->data),
                                                         "samples");

      for (guint i = 0; i < json_array_get_length (samples); i++)
        {
          JsonObject *s = json_array_get_object_element (samples, i);

          if (g_strcmp0 (json_object_get_string_member (s, "name"), name) == 0 &&
              labels_equal (json_object_get_object_member (s, "labels"), labels))
            {
              *value = g_ascii_strtod (json_object_get_string_member (s, "value"), NULL);
              return TRUE;
            }
        }
    }
  return FALSE;
}

double
co2s_test_prom_value (JsonObject *families, const char *name, const char * const *labels)
{
  double value;

  if (!co2s_test_prom_lookup (families, name, labels, &value))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), families);
      g_autofree char *dump = json_to_string (node, TRUE);

      g_error ("no sample %s%s%s in the scrape:\n%s", name, labels && labels[0] ? " with " : "",
               labels && labels[0] ? labels[0] : "", dump);
    }
  return value;
}

const char *
co2s_test_prom_type (JsonObject *families, const char *name)
{
  if (!json_object_has_member (families, name))
    g_error ("no metric family %s in the scrape", name);
  return json_object_get_string_member (json_object_get_object_member (families, name), "type");
}

double
co2s_test_prom_histogram (JsonObject *families, const char *name, double *sum)
{
  g_autofree char *bucket_name = g_strconcat (name, "_bucket", NULL);
  JsonArray *samples;
  double last_le = -INFINITY, last_count = 0, count;
  guint n_buckets = 0;

  g_assert_cmpstr (co2s_test_prom_type (families, name), ==, "histogram");
  samples = json_object_get_array_member (json_object_get_object_member (families, name), "samples");
  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);
      JsonObject *labels = json_object_get_object_member (s, "labels");
      double le, v;

      if (g_strcmp0 (json_object_get_string_member (s, "name"), bucket_name) != 0)
        continue;
      if (!json_object_has_member (labels, "le"))
        g_error ("%s: a bucket without le", name);
      le = g_ascii_strtod (json_object_get_string_member (labels, "le"), NULL);
      v = g_ascii_strtod (json_object_get_string_member (s, "value"), NULL);
      if (!(le > last_le))
        g_error ("%s: bucket le=%g after le=%g", name, le, last_le);
      if (!(v >= last_count))
        g_error ("%s: bucket le=%g holds %g, fewer than the %g below it (not cumulative)",
                 name, le, v, last_count);
      last_le = le;
      last_count = v;
      n_buckets++;
    }
  if (n_buckets == 0 || !isinf (last_le))
    g_error ("%s: %u buckets, the last not le=\"+Inf\"", name, n_buckets);
  {
    g_autofree char *count_name = g_strconcat (name, "_count", NULL);
    g_autofree char *sum_name = g_strconcat (name, "_sum", NULL);

    count = co2s_test_prom_value (families, count_name, NULL);
    if (count != last_count)
      g_error ("%s: the +Inf bucket holds %g, _count says %g", name, last_count, count);
    if (sum != NULL)
      *sum = co2s_test_prom_value (families, sum_name, NULL);
  }
  return count;
}

GSocket *
co2s_test_listening_socket (char **port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  return g_steal_pointer (&socket);
}
