/* co2s-stream-client.c — one GET /stream response, with its own position. */
#define G_LOG_DOMAIN "co2s-stream-client"

#include "co2s-stream-client.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Shortest wait between two timer ticks of a rate-limited stream: at high
 * rates a tick releases several rows rather than waking up per row. */
#define MIN_TICK_MS 10

/* The token bucket holds at most this many seconds of rows, so a stall
 * (slow peer) cannot be followed by a burst above the rate for long. */
#define BURST_SECONDS 0.1

struct _Co2sStreamClient
{
  GObject parent_instance;

  SoupServerMessage *msg;
  Co2sStreamRows *rows;
  char *peer;
  guint id;

  gint64 next_seq;      /* seq of the next row to build */
  gint64 remaining;     /* rows still to build; -1 when endless */
  double rate;          /* rows/s; 0 = as fast as the peer reads */
  double tokens;
  gint64 refill_us;     /* monotonic time of the last refill */

  guint64 rows_sent;    /* written to the connection */
  guint in_flight_rows; /* in the chunk libsoup is writing */

  GSource *wakeup;      /* pending rate timer or idle: pump when it fires */
  GSource *peer_watch;  /* readable socket: the peer closed (or sent more) */
  gulong wrote_chunk_id;
  gulong finished_id;

  guint started : 1;
  guint body_complete : 1;
  guint closed : 1;
};

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (Co2sStreamClient, co2s_stream_client, G_TYPE_OBJECT)

static void co2s_stream_client_pump (Co2sStreamClient *self);

static void
refill (Co2sStreamClient *self)
{
  gint64 now = g_get_monotonic_time ();
  double burst = MAX (1.0, self->rate * BURST_SECONDS);

  self->tokens = MIN (burst, self->tokens + (double) (now - self->refill_us) * self->rate / G_USEC_PER_SEC);
  self->refill_us = now;
}

static gboolean
on_wakeup (gpointer user_data)
{
  Co2sStreamClient *self = user_data;

  g_clear_pointer (&self->wakeup, g_source_unref);
  co2s_stream_client_pump (self);

  return G_SOURCE_REMOVE;
}

static void
cancel_wakeup (Co2sStreamClient *self)
{
  if (self->wakeup != NULL)
    {
      g_source_destroy (self->wakeup);
      g_clear_pointer (&self->wakeup, g_source_unref);
    }
}

/* Pumps again after @source fires (a timer for the rate, an idle otherwise). */
static void
schedule_wakeup (Co2sStreamClient *self,
                 GSource          *source,
                 const char       *name)
{
  g_assert (self->wakeup == NULL);

  self->wakeup = source;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, name);
  g_source_set_callback (source, on_wakeup, self, NULL);
  g_source_attach (source, NULL);
}

static void
schedule_timer (Co2sStreamClient *self)
{
  double wait_s = (1.0 - self->tokens) / self->rate;
  guint wait_ms = (guint) MIN (ceil (wait_s * 1000.0), (double) G_MAXINT);

  schedule_wakeup (self, g_timeout_source_new (MAX (wait_ms, MIN_TICK_MS)),
                   "[co2s-stream-client] rate");
}

/* Builds and hands to libsoup the next chunk, unless one is still being
 * written, the rate says wait, or the response is complete. */
static void
co2s_stream_client_pump (Co2sStreamClient *self)
{
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageBody *body;
  GString *chunk;
  gint64 budget;
  gint64 emit_us;
  guint n = 0;

  if (self->closed || self->body_complete || self->in_flight_rows > 0 || self->wakeup != NULL)
    return;

  budget = self->remaining >= 0 ? self->remaining : G_MAXINT64;

  if (self->rate > 0)
    {
      refill (self);
      if (self->tokens < 1.0)
        {
          schedule_timer (self);
          return;
        }
      budget = MIN (budget, (gint64) self->tokens);
    }

  body = soup_server_message_get_response_body (self->msg);

  if (budget > 0)
    {
      /* Rows are some 300 bytes: size a slow stream's small chunks to fit. */
      chunk = g_string_sized_new (budget < 128 ? (gsize) budget * 512
                                               : CO2S_STREAM_CLIENT_CHUNK_BYTES + 1024);
      emit_us = g_get_real_time ();

      while (n < budget && chunk->len < CO2S_STREAM_CLIENT_CHUNK_BYTES)
        {
          co2s_stream_rows_append (self->rows, self->next_seq, emit_us, chunk);
          self->next_seq++;
          n++;
        }

      g_assert (n > 0);

      if (self->rate > 0)
        self->tokens -= n;
      if (self->remaining >= 0)
        self->remaining -= n;

      self->in_flight_rows = n;
      bytes = g_string_free_to_bytes (chunk);
      soup_message_body_append_bytes (body, bytes);
    }

  if (self->remaining == 0)
    {
      soup_message_body_complete (body);
      self->body_complete = TRUE;
    }

  soup_server_message_unpause (self->msg);
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                Co2sStreamClient  *self)
{
  g_assert (CO2S_IS_STREAM_CLIENT (self));

  self->rows_sent += self->in_flight_rows;
  self->in_flight_rows = 0;

  /* Build the next chunk from the main loop, not from inside libsoup's write
   * loop: to a reader as fast as we are, that loop would otherwise never
   * return, starving every other client, /health and the signal handlers.
   * Meanwhile libsoup finds no chunk and pauses the message. */
  if (!self->closed && !self->body_complete && self->wakeup == NULL)
    schedule_wakeup (self, g_idle_source_new (), "[co2s-stream-client] next chunk");
}

static void
cancel_peer_watch (Co2sStreamClient *self)
{
  if (self->peer_watch != NULL)
    {
      g_source_destroy (self->peer_watch);
      g_clear_pointer (&self->peer_watch, g_source_unref);
    }
}

static void
finish (Co2sStreamClient *self,
        gboolean          completed)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  cancel_wakeup (self);
  cancel_peer_watch (self);

  g_clear_signal_handler (&self->wrote_chunk_id, self->msg);
  g_clear_signal_handler (&self->finished_id, self->msg);

  g_signal_emit (self, signals[CLOSED], 0, completed);
}

static void
on_finished (SoupServerMessage *msg,
             Co2sStreamClient  *self)
{
  g_assert (CO2S_IS_STREAM_CLIENT (self));

  finish (self, self->body_complete && self->in_flight_rows == 0);
}

/* The socket of a stream became readable. A client sends nothing after
 * its GET, so this is the end of its input: it closed the connection (or
 * half-closed it, which counts as leaving too, as in most HTTP servers).
 * libsoup notices a closed peer only when a write fails, and a stream
 * waiting on its rate timer (rate=1e-300: for ever) writes nothing: the
 * client and its connection would stay until the next row is due. So:
 * close the client, shut the socket down under libsoup (nothing more
 * reaches the peer, so it never sees a clean end of the body, and the next
 * write fails), give libsoup that write (the end of the body) and let it
 * fail the message and disconnect, as it does for any failed write. */
static gboolean
on_peer_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  g_autoptr(Co2sStreamClient) self = g_object_ref (user_data);
  g_autoptr(GError) error = NULL;
  char byte;
  gssize n;

  g_assert (!self->closed);

  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->peer_watch, g_source_unref);

  if (n > 0)
    {
      /* A pipelined request, left to libsoup: a disconnect now shows at
       * the next write, as without the watch. */
      g_debug ("%s sent more data during its stream; no longer watching for it to leave", self->peer);
      return G_SOURCE_REMOVE;
    }

  /* First, so that libsoup's "finished" no longer reaches us. */
  finish (self, FALSE);

  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    g_debug ("shutdown of %s: %s", self->peer, error->message);
  if (!self->body_complete)
    {
      soup_message_body_complete (soup_server_message_get_response_body (self->msg));
      self->body_complete = TRUE;
    }
  soup_server_message_unpause (self->msg);

  return G_SOURCE_REMOVE;
}

/* The connection's socket: libsoup's when its listener accepted it, else
 * the one the server put on the remote address (NULL if neither). */
static GSocket *
get_socket (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  GSocketAddress *remote;

  if (socket != NULL)
    return socket;
  remote = soup_server_message_get_remote_address (msg);
  return remote != NULL ? g_object_get_data (G_OBJECT (remote), CO2S_STREAM_CLIENT_SOCKET_KEY) : NULL;
}

static char *
describe_peer (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      GInetAddress *host = g_inet_socket_address_get_address (inet);
      g_autofree char *host_str = g_inet_address_to_string (host);
      guint port = g_inet_socket_address_get_port (inet);

      if (g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host_str, port);
      return g_strdup_printf ("%s:%u", host_str, port);
    }

  return g_strdup ("unknown peer");
}

static void
co2s_stream_client_dispose (GObject *object)
{
  Co2sStreamClient *self = (Co2sStreamClient *)object;

  cancel_wakeup (self);
  cancel_peer_watch (self);

  if (self->msg != NULL)
    {
      g_clear_signal_handler (&self->wrote_chunk_id, self->msg);
      g_clear_signal_handler (&self->finished_id, self->msg);
    }

  g_clear_object (&self->msg);
  g_clear_pointer (&self->rows, co2s_stream_rows_unref);

  G_OBJECT_CLASS (co2s_stream_client_parent_class)->dispose (object);
}

static void
co2s_stream_client_finalize (GObject *object)
{
  Co2sStreamClient *self = (Co2sStreamClient *)object;

  g_clear_pointer (&self->peer, g_free);

  G_OBJECT_CLASS (co2s_stream_client_parent_class)->finalize (object);
}

static void
co2s_stream_client_class_init (Co2sStreamClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_stream_client_dispose;
  object_class->finalize = co2s_stream_client_finalize;

  /**
   * Co2sStreamClient::closed:
   * @completed: TRUE when every requested row was written
   *
   * Emitted once, when the response is over.
   */
  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
co2s_stream_client_init (Co2sStreamClient *self)
{
  self->remaining = -1;
}

Co2sStreamClient *
co2s_stream_client_new (SoupServerMessage *msg,
                        Co2sStreamRows    *rows,
                        guint              id,
                        gint64             from,
                        gint64             limit,
                        double             rate)
{
  g_autoptr(GError) error = NULL;
  Co2sStreamClient *self;
  SoupMessageHeaders *headers;
  GSocket *socket;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);
  g_return_val_if_fail (rows != NULL, NULL);
  g_return_val_if_fail (from >= 0, NULL);
  g_return_val_if_fail (limit >= -1, NULL);
  g_return_val_if_fail (rate >= 0 && isfinite (rate), NULL);

  self = g_object_new (CO2S_TYPE_STREAM_CLIENT, NULL);
  self->msg = g_object_ref (msg);
  self->rows = co2s_stream_rows_ref (rows);
  self->id = id;
  self->peer = describe_peer (msg);
  self->next_seq = from;
  self->remaining = limit;
  self->rate = rate;
  self->tokens = 1.0;
  self->refill_us = g_get_monotonic_time ();

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_set_content_type (headers, "application/x-ndjson", NULL);
  /* HTTP/1.0 has no chunked encoding: the body then ends when the
   * connection closes. */
  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  /* libsoup writes a chunk as size line, data and CRLF in separate writes;
   * with Nagle's algorithm the small writes wait for the peer's delayed ACK
   * (~40 ms a chunk). */
  socket = get_socket (msg);
  if (socket != NULL &&
      g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX &&
      !g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    g_debug ("cannot set TCP_NODELAY for %s: %s", self->peer, error->message);

  return self;
}

void
co2s_stream_client_start (Co2sStreamClient *self)
{
  GSocket *socket;

  g_return_if_fail (CO2S_IS_STREAM_CLIENT (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->wrote_chunk_id = g_signal_connect (self->msg, "wrote-chunk",
                                           G_CALLBACK (on_wrote_chunk), self);
  self->finished_id = g_signal_connect (self->msg, "finished",
                                        G_CALLBACK (on_finished), self);
  self->refill_us = g_get_monotonic_time ();

  socket = get_socket (self->msg);
  if (socket != NULL)
    {
      self->peer_watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_static_name (self->peer_watch, "[co2s-stream-client] peer");
      g_source_set_callback (self->peer_watch, G_SOURCE_FUNC (on_peer_readable), self, NULL);
      g_source_attach (self->peer_watch, NULL);
    }

  co2s_stream_client_pump (self);
}

void
co2s_stream_client_close (Co2sStreamClient *self)
{
  g_return_if_fail (CO2S_IS_STREAM_CLIENT (self));

  finish (self, FALSE);
}

guint64
co2s_stream_client_get_rows_sent (Co2sStreamClient *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_CLIENT (self), 0);

  return self->rows_sent;
}

guint
co2s_stream_client_get_id (Co2sStreamClient *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_CLIENT (self), 0);

  return self->id;
}

const char *
co2s_stream_client_get_peer (Co2sStreamClient *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_CLIENT (self), NULL);

  return self->peer;
}

gboolean
co2s_stream_client_is_closed (Co2sStreamClient *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_CLIENT (self), TRUE);

  return self->closed;
}
