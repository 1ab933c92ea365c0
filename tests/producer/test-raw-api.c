/* test-raw-api.c — a fake NDJSON API on a raw socket, for the stall tests. */
#define G_LOG_DOMAIN "test-raw-api"

#include "test-raw-api.h"

#include <gio/gio.h>
#include <string.h>

#include "producer-test-util.h"

#define MAX_REQUEST 8192

struct _RawApi
{
  GPtrArray *rows;
  const RawApiStep *steps;
  guint n_steps;

  GSocket *listener;
  guint16 port;
  GCancellable *cancellable;     /* cancelled by raw_api_stop: ends any wait */
  GThread *thread;

  ProducerQueryLog *queries;
};

/* Sends all of @data; FALSE once the client is gone or the server stops. */
static gboolean
send_all (RawApi *self, GSocket *socket, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, self->cancellable, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Waits until the client closes its end (or the server stops), reading and
 * dropping whatever it sends. */
static void
wait_for_client_close (RawApi *self, GSocket *socket)
{
  char buf[1024];

  while (g_socket_receive (socket, buf, sizeof buf, self->cancellable, NULL) > 0)
    ;
}

/* Reads the request head; its query ("" when none) or NULL when the client
 * went away first. */
static char *
read_request (RawApi *self, GSocket *socket)
{
  g_autoptr(GString) head = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  const char *q;

  while (strstr (head->str, "\r\n\r\n") == NULL)
    {
      char buf[1024];
      gssize n = g_socket_receive (socket, buf, sizeof buf, self->cancellable, NULL);

      if (n <= 0 || head->len > MAX_REQUEST)
        return NULL;
      g_string_append_len (head, buf, n);
    }
  /* "GET /stream?QUERY HTTP/1.1" */
  words = g_strsplit (head->str, " ", 3);
  if (g_strv_length (words) < 3)
    return NULL;
  q = strchr (words[1], '?');
  return g_strdup (q != NULL ? q + 1 : "");
}

static guint
query_from (const char *query)
{
  g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  const char *value = params != NULL ? g_hash_table_lookup (params, "from") : NULL;
  guint64 from = 0;

  if (value != NULL)
    g_assert_true (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &from, NULL));
  return (guint) from;
}

/* Rows [@from, @from + @n) (clipped to the rows there are) as chunks. */
static void
append_rows (RawApi *self, GString *out, guint from, guint n)
{
  for (guint i = from; i < self->rows->len && i - from < n; i++)
    {
      const char *row = g_ptr_array_index (self->rows, i);

      g_string_append_printf (out, "%zx\r\n%s\n\r\n", strlen (row) + 1, row);
    }
}

static const char *
reason_phrase (guint status)
{
  switch (status)
    {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default:  return "Error";
    }
}

static void
serve (RawApi *self, GSocket *socket, guint index)
{
  static const char headers[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/x-ndjson\r\n"
    "Transfer-Encoding: chunked\r\n";
  const RawApiStep *step = &self->steps[MIN (index, self->n_steps - 1)];
  g_autofree char *query = read_request (self, socket);
  g_autoptr(GString) out = g_string_new (NULL);

  if (query == NULL)
    return;
  producer_query_log_add (self->queries, query);

  switch (step->act)
    {
    case RAW_API_SERVE:
    case RAW_API_EMPTY:
      /* One write: headers, rows and the last chunk. */
      g_string_append_printf (out, "%sConnection: close\r\n\r\n", headers);
      if (step->act == RAW_API_SERVE)
        append_rows (self, out, query_from (query), G_MAXUINT);
      g_string_append (out, "0\r\n\r\n");
      send_all (self, socket, out->str, out->len);
      return;
    case RAW_API_STATUS:
      {
        static const char body[] = "scripted error\n";

        g_string_append_printf (out, "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\n"
                                "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                step->status, reason_phrase (step->status), strlen (body), body);
        send_all (self, socket, out->str, out->len);
        return;
      }
    case RAW_API_SILENT_STALL:
      wait_for_client_close (self, socket);
      return;
    case RAW_API_SILENT_CLOSE:
      return;
    case RAW_API_HEADERS_STALL:
    case RAW_API_HEADERS_CLOSE:
    case RAW_API_LINES_STALL:
    default:
      g_string_append_printf (out, "%s\r\n", headers);
      if (step->act == RAW_API_LINES_STALL)
        append_rows (self, out, query_from (query), step->n_lines);
      if (send_all (self, socket, out->str, out->len) && step->act != RAW_API_HEADERS_CLOSE)
        wait_for_client_close (self, socket);
      return;
    }
}

static gpointer
accept_loop (gpointer user_data)
{
  RawApi *self = user_data;

  for (guint index = 0;; index++)
    {
      g_autoptr(GSocket) socket = g_socket_accept (self->listener, self->cancellable, NULL);

      if (socket == NULL)
        break;
      serve (self, socket, index);
      g_socket_close (socket, NULL);
    }
  return NULL;
}

RawApi *
raw_api_start (GPtrArray *rows, const RawApiStep *steps, guint n_steps)
{
  RawApi *self = g_new0 (RawApi, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (rows);
  g_assert_true (steps != NULL && n_steps > 0);

  self->rows = rows;
  self->steps = steps;
  self->n_steps = n_steps;
  self->cancellable = g_cancellable_new ();
  self->queries = producer_query_log_new ();

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (!g_socket_bind (self->listener, address, TRUE, &error) || !g_socket_listen (self->listener, &error))
    g_error ("raw API cannot listen: %s", error->message);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->thread = g_thread_new ("test-raw-api", accept_loop, self);
  return self;
}

void
raw_api_stop (RawApi *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->thread);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  producer_query_log_free (self->queries);
  g_free (self);
}

char *
raw_api_url (RawApi *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u/stream", self->port);
}

guint
raw_api_n_requests (RawApi *self)
{
  return producer_query_log_len (self->queries);
}

char *
raw_api_query (RawApi *self, guint i)
{
  return producer_query_log_dup (self->queries, i);
}
