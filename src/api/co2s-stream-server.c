/* co2s-stream-server.c — the HTTP side of co2stream-api. */
#define G_LOG_DOMAIN "co2s-stream-server"

#include "co2s-stream-server.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "co2s-prom.h"
#include "co2s-stream-client.h"

struct _Co2sStreamServer
{
  GObject parent_instance;

  SoupServer *server;
  GSocketService *service;  /* accepts the connections handed to server */
  GPtrArray *listen_sockets;
  Co2sStreamRows *rows;
  GPtrArray *clients;       /* of Co2sStreamClient, open streams */

  double rate;
  guint n_bad_rows;
  guint next_client_id;
  guint64 clients_total;
  guint64 rows_sent_closed; /* by clients already gone */
  gint64 start_us;          /* monotonic */

  guint once : 1;
  guint shut_down : 1;
};

G_DEFINE_FINAL_TYPE (Co2sStreamServer, co2s_stream_server, G_TYPE_OBJECT)

/* Parameters of one GET /stream. */
typedef struct {
  double rate;
  gint64 limit; /* -1: endless */
  gint64 from;
} StreamQuery;

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
}

/* @text as valid UTF-8, for the 400 answer (text/plain; charset=utf-8): the
 * query's %XX escapes may decode to any bytes. Free with g_free. */
static char *
shown (const char *text)
{
  return g_utf8_make_valid (text, -1);
}

static gboolean
parse_query (GHashTable   *query,
             StreamQuery  *out,
             GError      **error)
{
  GHashTableIter iter;
  gpointer key, value;

  if (query == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const char *str = value;
      g_autofree char *str_shown = shown (str);

      if (g_str_equal (name, "rate"))
        {
          char *end = NULL;
          double rate;

          errno = 0;
          rate = g_ascii_strtod (str, &end);
          if (*str == '\0' || end == NULL || *end != '\0' || errno != 0 ||
              !isfinite (rate) || rate < 0 || rate > CO2S_STREAM_MAX_RATE)
            {
              char max[G_ASCII_DTOSTR_BUF_SIZE];

              /* An HTTP body: English, and the number in the C locale. */
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "bad query parameter rate=\"%s\": expected rows per second, "
                           "a number from 0 (as fast as you read) to %s", str_shown,
                           g_ascii_formatd (max, sizeof max, "%g", CO2S_STREAM_MAX_RATE));
              return FALSE;
            }
          out->rate = rate;
        }
      else if (g_str_equal (name, "limit"))
        {
          guint64 limit;

          if (!g_ascii_string_to_unsigned (str, 10, 1, G_MAXINT64, &limit, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "bad query parameter limit=\"%s\": expected a positive "
                           "integer (number of rows to send)", str_shown);
              return FALSE;
            }
          out->limit = (gint64) limit;
        }
      else if (g_str_equal (name, "from"))
        {
          guint64 from;

          if (!g_ascii_string_to_unsigned (str, 10, 0, G_MAXINT64 / 2, &from, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "bad query parameter from=\"%s\": expected a sequence "
                           "number, an integer >= 0", str_shown);
              return FALSE;
            }
          out->from = (gint64) from;
        }
      else
        {
          g_autofree char *name_shown = shown (name);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "unknown query parameter \"%s\": /stream accepts rate, limit and from",
                       name_shown);
          return FALSE;
        }
    }

  return TRUE;
}

static gpointer
ref_object (gconstpointer object,
            gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

static void
on_client_closed (Co2sStreamClient *client,
                  gboolean          completed,
                  Co2sStreamServer *self)
{
  guint64 rows_sent = co2s_stream_client_get_rows_sent (client);

  g_message ("client #%u %s disconnected after %" G_GUINT64_FORMAT " rows (%s)",
             co2s_stream_client_get_id (client),
             co2s_stream_client_get_peer (client),
             rows_sent,
             completed ? "stream complete"
                       : self->shut_down ? "server shutting down" : "connection closed");

  self->rows_sent_closed += rows_sent;
  g_signal_handlers_disconnect_by_func (client, on_client_closed, self);
  g_ptr_array_remove_fast (self->clients, client);
}

static void
handle_stream (Co2sStreamServer  *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  g_autoptr(Co2sStreamClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limit_str = NULL;
  char rate_str[G_ASCII_DTOSTR_BUF_SIZE];
  StreamQuery q = { self->rate, -1, 0 };
  guint n_rows = co2s_stream_rows_get_n_rows (self->rows);

  if (!parse_query (query, &q, &error))
    {
      g_autofree char *text = g_strconcat (error->message, "\n", NULL);

      respond_text (msg, SOUP_STATUS_BAD_REQUEST, text);
      return;
    }

  /* --once: one pass of the file, seq 0 … n_rows-1; a resume past its end
   * (from >= n_rows) gets an empty body, so a client can confirm the end. */
  if (self->once)
    {
      gint64 to_end = MAX (0, (gint64) n_rows - q.from);

      q.limit = q.limit < 0 ? to_end : MIN (q.limit, to_end);
    }

  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                             "application/x-ndjson", NULL);
      return;
    }

  client = co2s_stream_client_new (msg, self->rows, ++self->next_client_id,
                                   q.from, q.limit, q.rate);
  self->clients_total++;

  limit_str = q.limit < 0 ? g_strdup ("none") : g_strdup_printf ("%" G_GINT64_FORMAT, q.limit);
  /* The log is English, its numbers in the C locale (see co2s-i18n.h). */
  g_message ("client #%u %s connected: from=%" G_GINT64_FORMAT " limit=%s rate=%s%s",
             co2s_stream_client_get_id (client),
             co2s_stream_client_get_peer (client),
             q.from, limit_str, g_ascii_formatd (rate_str, sizeof rate_str, "%g", q.rate),
             q.rate == 0 ? " (as fast as it reads)" : "");

  g_ptr_array_add (self->clients, g_object_ref (client));
  g_signal_connect (client, "closed", G_CALLBACK (on_client_closed), self);
  co2s_stream_client_start (client);
}

/* Shortest decimal form of @value that reads back as the same double. */
static const char *
format_double (char   buf[G_ASCII_DTOSTR_BUF_SIZE],
               double value)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return buf;
}

/* Seconds since start, rounded to the millisecond. */
static double
get_uptime_s (Co2sStreamServer *self)
{
  return round ((double) (g_get_monotonic_time () - self->start_us) / 1000.0) / 1000.0;
}

static void
handle_health (Co2sStreamServer  *self,
               SoupServerMessage *msg)
{
  GString *json = g_string_new (NULL);
  char uptime[G_ASCII_DTOSTR_BUF_SIZE];
  char rate[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  g_string_append_printf (json,
                          "{\"status\":\"ok\","
                          "\"rows_loaded\":%u,"
                          "\"bad_rows\":%u,"
                          "\"clients\":%u,"
                          "\"clients_total\":%" G_GUINT64_FORMAT ","
                          "\"rows_sent\":%" G_GUINT64_FORMAT ","
                          "\"uptime_s\":%s,"
                          "\"rate\":%s,"
                          "\"once\":%s}\n",
                          co2s_stream_rows_get_n_rows (self->rows),
                          self->n_bad_rows,
                          self->clients->len,
                          self->clients_total,
                          co2s_stream_server_get_rows_sent (self),
                          format_double (uptime, get_uptime_s (self)),
                          format_double (rate, self->rate),
                          self->once ? "true" : "false");

  len = json->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (json, FALSE), len);
}

/* One family of one sample, through the one Prometheus writer (co2s-prom.h). */
static void
append_metric (GString      *out,
               const char   *name,
               Co2sPromType  type,
               const char   *help,
               double        value)
{
  co2s_prom_append_header (out, name, type, help);
  co2s_prom_append_sample (out, name, NULL, value);
}

static void
handle_metrics (Co2sStreamServer  *self,
                SoupServerMessage *msg)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize len;

  append_metric (out, "co2stream_api_rows_loaded", CO2S_PROM_GAUGE,
                 "Rows loaded from the CSV and served by /stream.",
                 co2s_stream_rows_get_n_rows (self->rows));
  append_metric (out, "co2stream_api_bad_rows", CO2S_PROM_GAUGE,
                 "CSV rows skipped at load because they were invalid.",
                 self->n_bad_rows);
  append_metric (out, "co2stream_api_clients", CO2S_PROM_GAUGE,
                 "Streams currently open.",
                 self->clients->len);
  append_metric (out, "co2stream_api_clients_total", CO2S_PROM_COUNTER,
                 "Streams opened since start.",
                 (double) self->clients_total);
  append_metric (out, "co2stream_api_rows_sent_total", CO2S_PROM_COUNTER,
                 "Rows written to stream clients since start.",
                 (double) co2s_stream_server_get_rows_sent (self));
  append_metric (out, "co2stream_api_uptime_seconds", CO2S_PROM_GAUGE,
                 "Seconds since the server started.", get_uptime_s (self));
  append_metric (out, "co2stream_api_rate_rows_per_second", CO2S_PROM_GAUGE,
                 "Default stream rate (0 = as fast as the client reads).", self->rate);

  len = out->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (msg, CO2S_PROM_CONTENT_TYPE,
                                    SOUP_MEMORY_TAKE, g_string_free (g_steal_pointer (&out), FALSE), len);
}

static void
handle_index (SoupServerMessage *msg)
{
  respond_text (msg, SOUP_STATUS_OK,
                "co2stream-api\n"
                "  GET /stream   vehicle rows as NDJSON (query: rate=ROWS_PER_S, limit=N, from=SEQ)\n"
                "  GET /health   status and counters as JSON\n"
                "  GET /metrics  counters in the Prometheus text format\n");
}

/* An HTTP/1.0 request may come without a Host header. libsoup (3.2.3, and
 * upstream up to at least 3.6) then builds its URI with g_uri_build() from
 * the local address and the whole request-target as the path, so
 * "GET /stream?limit=2 HTTP/1.0" reaches the handler as the path
 * "/stream?limit=2" with no query. Such a path (a path libsoup parsed never
 * holds a '?' or '#') is split again the way the URI of a request with Host
 * is: its string form parsed. Returns the new URI, or NULL when there is
 * nothing to split. */
static GUri *
reparse_request_target (SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query)
{
  g_autofree char *text = NULL;

  if (query != NULL || strpbrk (path, "?#") == NULL)
    return NULL;

  text = g_uri_to_string (soup_server_message_get_uri (msg));
  return g_uri_parse (text, SOUP_HTTP_URI_FLAGS, NULL);
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Co2sStreamServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  enum { ROUTE_NONE, ROUTE_INDEX, ROUTE_STREAM, ROUTE_HEALTH, ROUTE_METRICS } route = ROUTE_NONE;
  g_autoptr(GUri) reparsed = NULL;
  g_autoptr(GHashTable) reparsed_query = NULL;

  g_assert (CO2S_IS_STREAM_SERVER (self));

  reparsed = reparse_request_target (msg, path, query);
  if (reparsed != NULL)
    {
      path = *g_uri_get_path (reparsed) != '\0' ? g_uri_get_path (reparsed) : "/";
      if (g_uri_get_query (reparsed) != NULL)
        query = reparsed_query = soup_form_decode (g_uri_get_query (reparsed));
    }

  if (g_str_equal (path, "/"))
    route = ROUTE_INDEX;
  else if (g_str_equal (path, "/stream"))
    route = ROUTE_STREAM;
  else if (g_str_equal (path, "/health"))
    route = ROUTE_HEALTH;
  else if (g_str_equal (path, "/metrics"))
    route = ROUTE_METRICS;

  if (route == ROUTE_NONE)
    {
      g_autofree char *text = g_strdup_printf ("no such path: %s (try /stream, /health or /metrics)\n", path);

      respond_text (msg, SOUP_STATUS_NOT_FOUND, text);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      g_autofree char *text = g_strdup_printf ("method %s not allowed on %s: use GET\n", method, path);

      respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      return;
    }

  switch (route)
    {
    case ROUTE_INDEX:
      handle_index (msg);
      break;
    case ROUTE_STREAM:
      handle_stream (self, msg, query);
      break;
    case ROUTE_HEALTH:
      handle_health (self, msg);
      break;
    case ROUTE_METRICS:
      handle_metrics (self, msg);
      break;
    case ROUTE_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* Every response ends its connection ("Connection: close"), so that no
 * connection is ever left idle between two requests. libsoup before 3.3
 * (Debian 12 ships 3.2.3) never closes a kept-alive connection that the
 * client closes while idle: the message waiting for the next request fails
 * with no one to disconnect it, and the socket stays in CLOSE-WAIT with its
 * fd until the fd limit stops the server from accepting (fixed upstream in
 * 3.3.0 by d20c6601, "server: do not leak idle connections closed by the
 * client"). A connection that is not kept alive libsoup does close, in
 * every version. Keep-alive buys little here (health checks, scrapes, long
 * streams). Set at "request-started", before a handler or libsoup itself
 * answers, so that every response says it. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

/* The connections are accepted here, not by libsoup's own listener, and
 * handed to the SoupServer as streams (soup_server_accept_iostream): libsoup
 * before 3.4 (Debian 12 ships 3.2.3) leaks the GSocket of every connection
 * its listener accepts (some 340 bytes; fixed upstream by b545d5f0,
 * "soup-listener: Plug a leak"), and every response here closes its
 * connection, so that was one leak per request. A connection given as a
 * stream has no GSocket in libsoup's eyes (soup_server_message_get_socket
 * returns NULL): the socket rides on the remote address libsoup keeps for
 * the connection, under CO2S_STREAM_CLIENT_SOCKET_KEY, for the stream
 * clients' peer watch. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Co2sStreamServer *self = user_data;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_connection_get_socket (connection);

  g_assert (CO2S_IS_STREAM_SERVER (self));

  local = g_socket_connection_get_local_address (connection, &error);
  if (local != NULL)
    remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL)
    {
      /* Gone already (ENOTCONN): nothing to serve. */
      g_debug ("dropping a connection at once: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* libsoup's listener sets this on the listening socket; rows go out in
   * small writes (co2s-stream-client.c). */
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX &&
      !g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("cannot set TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  g_object_set_data_full (G_OBJECT (remote), CO2S_STREAM_CLIENT_SOCKET_KEY,
                          g_object_ref (socket), g_object_unref);
  if (!soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote, &error))
    {
      g_warning ("cannot serve a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  return TRUE;
}

static void
co2s_stream_server_dispose (GObject *object)
{
  Co2sStreamServer *self = (Co2sStreamServer *)object;

  co2s_stream_server_shutdown (self);

  g_clear_object (&self->server);
  g_clear_object (&self->service);
  g_clear_pointer (&self->listen_sockets, g_ptr_array_unref);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_pointer (&self->rows, co2s_stream_rows_unref);

  G_OBJECT_CLASS (co2s_stream_server_parent_class)->dispose (object);
}

static void
co2s_stream_server_class_init (Co2sStreamServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_stream_server_dispose;
}

static void
co2s_stream_server_init (Co2sStreamServer *self)
{
  self->clients = g_ptr_array_new_with_free_func (g_object_unref);
  self->start_us = g_get_monotonic_time ();
  self->server = soup_server_new ("server-header", "co2stream-api/" CO2S_VERSION " ", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), NULL);

  self->listen_sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
}

Co2sStreamServer *
co2s_stream_server_new (Co2sStreamRows *rows,
                        guint           n_bad_rows,
                        double          rate,
                        gboolean        once)
{
  Co2sStreamServer *self;

  g_return_val_if_fail (rows != NULL, NULL);
  g_return_val_if_fail (rate >= 0 && isfinite (rate), NULL);

  self = g_object_new (CO2S_TYPE_STREAM_SERVER, NULL);
  self->rows = co2s_stream_rows_ref (rows);
  self->n_bad_rows = n_bad_rows;
  self->rate = rate;
  self->once = !!once;

  return self;
}

gboolean
co2s_stream_server_listen (Co2sStreamServer  *self,
                           GSocketAddress    *address,
                           GError           **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;
  GSocketFamily family;

  g_return_val_if_fail (CO2S_IS_STREAM_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (!self->shut_down, FALSE);

  family = g_socket_address_get_family (address);
  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  /* As libsoup's listener does: an IPv6 address takes IPv6 only. */
  if (family == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, &local_error))
    g_debug ("cannot set IPV6_V6ONLY: %s", local_error->message);
  g_socket_set_listen_backlog (socket, CO2S_STREAM_SERVER_LISTEN_BACKLOG);

  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL, error))
    return FALSE;

  g_ptr_array_add (self->listen_sockets, g_steal_pointer (&socket));
  return TRUE;
}

char *
co2s_stream_server_dup_url (Co2sStreamServer *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_SERVER (self), NULL);

  if (self->shut_down)
    return NULL;

  for (guint i = 0; i < self->listen_sockets->len; i++)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (g_ptr_array_index (self->listen_sockets, i),
                                                                      NULL);
      GInetSocketAddress *inet;
      GInetAddress *host;
      g_autofree char *host_str = NULL;

      if (!G_IS_INET_SOCKET_ADDRESS (address))
        continue;

      inet = G_INET_SOCKET_ADDRESS (address);
      host = g_inet_socket_address_get_address (inet);
      host_str = g_inet_address_to_string (host);

      if (g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("http://[%s]:%u", host_str, g_inet_socket_address_get_port (inet));
      return g_strdup_printf ("http://%s:%u", host_str, g_inet_socket_address_get_port (inet));
    }

  return NULL;
}

void
co2s_stream_server_shutdown (Co2sStreamServer *self)
{
  g_autoptr(GPtrArray) clients = NULL;

  g_return_if_fail (CO2S_IS_STREAM_SERVER (self));

  if (self->shut_down)
    return;

  self->shut_down = TRUE;

  /* No new connection; then closing the connections finishes their
   * messages, which closes most clients; close whatever is left
   * explicitly. */
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);

  clients = g_ptr_array_copy (self->clients, ref_object, NULL);
  g_ptr_array_set_free_func (clients, g_object_unref);
  for (guint i = 0; i < clients->len; i++)
    co2s_stream_client_close (g_ptr_array_index (clients, i));
}

guint
co2s_stream_server_get_n_clients (Co2sStreamServer *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_SERVER (self), 0);

  return self->clients->len;
}

guint64
co2s_stream_server_get_rows_sent (Co2sStreamServer *self)
{
  guint64 total;

  g_return_val_if_fail (CO2S_IS_STREAM_SERVER (self), 0);

  total = self->rows_sent_closed;
  for (guint i = 0; i < self->clients->len; i++)
    total += co2s_stream_client_get_rows_sent (g_ptr_array_index (self->clients, i));

  return total;
}
