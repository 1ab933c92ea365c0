/* test-ndjson-server.c — a scripted NDJSON HTTP server for the producer tests. */
#define G_LOG_DOMAIN "test-ndjson-server"

#include "test-ndjson-server.h"

#include <libsoup/soup.h>
#include <string.h>

#include "producer-test-util.h"

#define DEFAULT_CHUNK (64 * 1024)

struct _TestServer
{
  TestServerConfig config;

  GMutex lock;                /* protects rows_sent, ready, error */
  GCond cond;
  ProducerQueryLog *queries;
  guint64 rows_sent;
  gboolean ready;
  char *error;
  guint16 port;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;         /* server thread only, like everything below */
  GList *requests;
};

typedef struct
{
  TestServer *server;
  SoupServerMessage *msg;
  guint n_queued;
  guint n_written;
  gboolean drop;
  gboolean done;
  guint64 next_seq;
  guint tick_source;
  guint idle_source;
} Request;

/* Sources of the server thread go to its own context, not the default one. */
static guint
server_add_timeout (TestServer *self, guint ms, GSourceFunc func, gpointer data)
{
  g_autoptr(GSource) source = ms > 0 ? g_timeout_source_new (ms) : g_idle_source_new ();

  g_source_set_callback (source, func, data, NULL);
  return g_source_attach (source, self->context);
}

static void
remove_source (guint id, GMainContext *context)
{
  GSource *source = g_main_context_find_source_by_id (context, id);

  if (source != NULL)
    g_source_destroy (source);
}

static void
request_clear_sources (Request *req)
{
  if (req->tick_source != 0)
    remove_source (req->tick_source, req->server->context);
  if (req->idle_source != 0)
    remove_source (req->idle_source, req->server->context);
  req->tick_source = 0;
  req->idle_source = 0;
}

static void
request_free (Request *req)
{
  request_clear_sources (req);
  g_clear_object (&req->msg);
  g_free (req);
}

static void
request_done (Request *req)
{
  if (req->done)
    return;
  req->done = TRUE;
  request_clear_sources (req);
}

static void
add_rows_sent (TestServer *self, guint64 n)
{
  g_mutex_lock (&self->lock);
  self->rows_sent += n;
  g_mutex_unlock (&self->lock);
}

/* Appends @len bytes of @data as chunks of the configured sizes. */
static void
append_chunks (Request *req, const char *data, gsize len, guint *size_index)
{
  const TestServerConfig *config = &req->server->config;
  SoupMessageBody *body = soup_server_message_get_response_body (req->msg);
  gsize off = 0;

  while (off < len)
    {
      gsize size = DEFAULT_CHUNK;

      if (config->chunk_sizes != NULL)
        size = config->chunk_sizes[(*size_index)++ % config->n_chunk_sizes];
      size = MIN (size, len - off);
      soup_message_body_append (body, SOUP_MEMORY_COPY, data + off, size);
      req->n_queued++;
      off += size;
    }
}

static gboolean
cut_connection (gpointer user_data)
{
  Request *req = user_data;
  g_autoptr(GIOStream) stream = NULL;

  req->idle_source = 0;
  stream = soup_server_message_steal_connection (req->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  request_done (req);
  return G_SOURCE_REMOVE;
}

static void
on_wrote_chunk (SoupServerMessage *msg, Request *req)
{
  req->n_written++;
  if (req->drop && req->n_written == req->n_queued && req->idle_source == 0 && !req->done)
    req->idle_source = server_add_timeout (req->server, 0, cut_connection, req);
}

static void
on_finished (SoupServerMessage *msg, Request *req)
{
  request_done (req);
}

char *
test_server_paced_row (guint64 seq)
{
  static const char *fuels[] = { "D", "E", "N", "X", "Z" };
  const char *fuel = fuels[seq % 5];

  return g_strdup_printf ("{\"Engine_Size\":%u.%u,\"Cylinders\":%u,\"Fuel_Consumption_City\":9.9,"
                          "\"Fuel_Consumption_Hwy\":6.7,\"Fuel_Consumption_Comb\":8.5,"
                          "\"Fuel_Consumption_Comb-1\":33,\"CO2_Emissions\":%u,"
                          "\"Fuel_Type_D\":%s,\"Fuel_Type_E\":%s,\"Fuel_Type_N\":%s,"
                          "\"Fuel_Type_X\":%s,\"Fuel_Type_Z\":%s,\"seq\":%" G_GUINT64_FORMAT "}",
                          (guint) (1 + seq % 6), (guint) (seq % 10), (guint) (4 + 2 * (seq % 3)),
                          (guint) (150 + seq % 200),
                          fuel[0] == 'D' ? "true" : "false", fuel[0] == 'E' ? "true" : "false",
                          fuel[0] == 'N' ? "true" : "false", fuel[0] == 'X' ? "true" : "false",
                          fuel[0] == 'Z' ? "true" : "false", seq);
}

static gboolean
on_paced_tick (gpointer user_data)
{
  Request *req = user_data;
  const TestServerConfig *config = &req->server->config;
  g_autoptr(GString) text = g_string_new (NULL);
  guint size_index = 0;

  for (guint i = 0; i < config->paced_rows_per_tick; i++)
    {
      g_autofree char *row = test_server_paced_row (req->next_seq++);

      g_string_append (text, row);
      g_string_append_c (text, '\n');
    }
  append_chunks (req, text->str, text->len, &size_index);
  add_rows_sent (req->server, config->paced_rows_per_tick);
  soup_server_message_unpause (req->msg);
  return G_SOURCE_CONTINUE;
}

static guint64
query_number (GHashTable *query, const char *name, guint64 fallback)
{
  const char *s = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 v;

  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &v, NULL))
    return fallback;
  return v;
}

static void
handle_stream (SoupServer *soup_server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  TestServer *self = user_data;
  const TestServerConfig *config = &self->config;
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GString) body = g_string_new (NULL);
  Request *req;
  guint index;
  guint64 from;
  guint64 limit;
  guint64 end;
  guint64 rows = 0;
  guint size_index = 0;
  gssize cut = -1;

  index = producer_query_log_add (self->queries, raw_query);

  from = config->honour_from ? query_number (query, "from", 0) : 0;
  limit = config->honour_limit ? query_number (query, "limit", G_MAXUINT64) : G_MAXUINT64;

  req = g_new0 (Request, 1);
  req->server = self;
  req->msg = g_object_ref (msg);
  req->drop = (int) index == config->drop_request;
  self->requests = g_list_prepend (self->requests, req);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), req);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), req);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "application/x-ndjson", NULL);

  if (config->paced_rows_per_tick > 0)
    {
      req->next_seq = from;
      req->tick_source = server_add_timeout (self, config->paced_tick_ms, on_paced_tick, req);
      return;
    }

  end = config->rows->len;
  if (limit < end - MIN (from, end))
    end = from + limit;
  for (guint64 i = from; i < end; i++)
    {
      const char *row = g_ptr_array_index (config->rows, i);

      if (req->drop && rows == config->drop_after_rows)
        {
          /* The cut: half of this row (or none of it), then the connection goes away. */
          cut = body->len;
          if (config->drop_at_line_end)
            break;
          cut += MAX (strlen (row) / 2, 1);
        }
      g_string_append (body, row);
      g_string_append (body, config->crlf && i % 2 == 1 ? "\r\n" : "\n");
      if (config->blank_lines && i % 7 == 3)
        g_string_append (body, i % 2 ? "\n" : "  \t\r\n");
      if (cut >= 0)
        break;
      rows++;
    }

  if (req->drop && cut < 0)
    cut = body->len;        /* fewer rows than drop_after_rows: cut at the end */
  append_chunks (req, body->str, req->drop ? (gsize) cut : body->len, &size_index);
  add_rows_sent (self, rows);

  if (req->drop)
    {
      if (req->n_queued == 0)
        req->idle_source = server_add_timeout (req->server, 0, cut_connection, req);
    }
  else
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
}

static gboolean
quit_server (gpointer user_data)
{
  TestServer *self = user_data;

  for (GList *l = self->requests; l != NULL; l = l->next)
    request_done (l->data);
  soup_server_disconnect (self->server);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer user_data)
{
  TestServer *self = user_data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "test-ndjson-server ", NULL);
  soup_server_add_handler (self->server, "/stream", handle_stream, self, NULL);
  if (soup_server_listen_local (self->server, self->config.port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (self->server);
      g_assert_nonnull (uris);
      self->port = g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  if (error != NULL)
    self->error = g_strdup (error->message);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (self->loop);

  g_list_free_full (g_steal_pointer (&self->requests), (GDestroyNotify) request_free);
  g_clear_object (&self->server);
  /* Let the server's pending sources (closing connections) run out. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

TestServer *
test_server_start (const TestServerConfig *config)
{
  TestServer *self = g_new0 (TestServer, 1);

  g_assert (config->rows != NULL || config->paced_rows_per_tick > 0);

  self->config = *config;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->queries = producer_query_log_new ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("test-ndjson-server", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->error != NULL)
    g_error ("test server cannot listen on port %u: %s", config->port, self->error);
  return self;
}

void
test_server_stop (TestServer *self)
{
  if (self == NULL)
    return;

  g_main_context_invoke (self->context, quit_server, self);
  g_thread_join (self->thread);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  producer_query_log_free (self->queries);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->error);
  g_free (self);
}

char *
test_server_url (TestServer *self, const char *query)
{
  return g_strdup_printf ("http://127.0.0.1:%u/stream%s", self->port, query != NULL ? query : "");
}

guint
test_server_n_requests (TestServer *self)
{
  return producer_query_log_len (self->queries);
}

char *
test_server_query (TestServer *self, guint i)
{
  return producer_query_log_dup (self->queries, i);
}

guint64
test_server_rows_sent (TestServer *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->rows_sent;
  g_mutex_unlock (&self->lock);
  return n;
}
