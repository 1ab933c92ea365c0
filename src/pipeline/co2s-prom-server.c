/* co2s-prom-server.c — /metrics on a thread of its own. */
#define G_LOG_DOMAIN "co2s-prom"

#include "co2s-prom-server.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

struct _Co2sPromServer {
  Co2sProm *prom;
  GMainContext *context;   /* the server thread's */
  GMainLoop *loop;
  SoupServer *server;      /* used on the server thread only, once it runs */
  GSocketService *service; /* accepts the connections (see on_incoming) */
  GThread *thread;
  char *url;
};

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Co2sPromServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GString *body;
  gsize len;

  if (g_strcmp0 (path, "/metrics") != 0 && g_strcmp0 (path, "/") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                        "not found: GET /metrics\n", 24);
      return;
    }
  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_strcmp0 (path, "/") == 0)
    {
      static const char index[] = "GET /metrics  metrics in the Prometheus text format\n";

      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                        index, sizeof index - 1);
      return;
    }
  body = g_string_sized_new (4096);
  co2s_prom_render (self->prom, body);
  len = body->len;
  soup_server_message_set_response (msg, CO2S_PROM_CONTENT_TYPE, SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), len);
}

/* Every response closes its connection: libsoup before 3.3 (Debian 12
 * ships 3.2.3) never closes a kept-alive connection the client closes while
 * idle (see co2s-stream-server.c, which does the same). */
static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* Connections are accepted here and handed to libsoup as streams: its own
 * listener (before 3.4) leaks the GSocket of every connection it accepts,
 * one per scrape here (as co2s-stream-server.c explains). On the server
 * thread: the service's accepts run on the context that was thread-default
 * when its socket was added. */
static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source, gpointer data)
{
  Co2sPromServer *self = data;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  local = g_socket_connection_get_local_address (connection, &error);
  if (local != NULL)
    remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL ||
      !soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote, &error))
    {
      g_debug ("dropping a metrics connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  Co2sPromServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* The connections' sources belong to this context: close them here. */
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  soup_server_disconnect (self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static char *
url_of (GSocketAddress *address)
{
  GInetSocketAddress *inet;
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = G_INET_SOCKET_ADDRESS (address);
  host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  return g_strdup_printf (strchr (host, ':') ? "http://[%s]:%u/metrics" : "http://%s:%u/metrics",
                          host, (guint) g_inet_socket_address_get_port (inet));
}

Co2sPromServer *
co2s_prom_server_new (Co2sProm *prom, const char *host, guint16 port, GError **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  Co2sPromServer *self;
  gboolean ok;

  g_return_val_if_fail (prom != NULL && host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("metrics endpoint: “%s” is not an IP address"), host);
      return NULL;
    }
  address = g_inet_socket_address_new (inet, port);

  self = g_new0 (Co2sPromServer, 1);
  self->prom = co2s_prom_ref (prom);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  /* The service's accepts run on the thread-default context. */
  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "co2stream ", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), NULL);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  ok = g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &local_error);
  g_main_context_pop_thread_default (self->context);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR,
                   local_error->domain == G_IO_ERROR ? local_error->code : G_IO_ERROR_FAILED,
                   /* Translators: keep --metrics-listen; the first %s is HOST, %u the port,
                    * the last %s the system's reason */
                   _("cannot serve metrics on %s:%u: %s (is another program using this port? "
                     "choose another one with --metrics-listen)"),
                   host, (guint) port, local_error->message);
      co2s_prom_server_free (self);
      return NULL;
    }
  self->url = url_of (effective);
  self->thread = g_thread_new ("co2s-metrics-http", server_thread, self);
  return self;
}

const char *
co2s_prom_server_get_url (Co2sPromServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->url;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
co2s_prom_server_free (Co2sPromServer *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      /* Not g_main_context_invoke: it would run the quit here if the
       * thread had not acquired the context yet, and the loop would miss it. */
      GSource *source = g_idle_source_new ();

      g_source_set_callback (source, quit_loop, self->loop, NULL);
      g_source_attach (source, self->context);
      g_source_unref (source);
      g_thread_join (self->thread);
    }
  else
    {
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      soup_server_disconnect (self->server);
    }
  g_clear_object (&self->service);
  g_clear_object (&self->server);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  co2s_prom_unref (self->prom);
  g_free (self->url);
  g_free (self);
}
