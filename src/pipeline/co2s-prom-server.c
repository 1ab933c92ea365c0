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

static gpointer
server_thread (gpointer data)
{
  Co2sPromServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* The connections' sources belong to this context: close them here. */
  soup_server_disconnect (self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static char *
bound_url (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  char *url = NULL;

  if (uris != NULL)
    {
      GUri *uri = uris->data;
      const char *host = g_uri_get_host (uri);

      url = g_strdup_printf (strchr (host, ':') ? "http://[%s]:%d/metrics" : "http://%s:%d/metrics",
                             host, g_uri_get_port (uri));
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

Co2sPromServer *
co2s_prom_server_new (Co2sProm *prom, const char *host, guint16 port, GError **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
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
  /* The listener's source is attached to the thread-default context. */
  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "co2stream ", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  ok = soup_server_listen (self->server, address, 0, &local_error);
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
  self->url = bound_url (self->server);
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
  else if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  co2s_prom_unref (self->prom);
  g_free (self->url);
  g_free (self);
}
