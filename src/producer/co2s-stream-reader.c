/* co2s-stream-reader.c — reads an NDJSON HTTP stream line by line. */
#define G_LOG_DOMAIN "co2s-stream-reader"

#include "co2s-stream-reader.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#define INITIAL_BUFFER_SIZE (256 * 1024)
#define MAX_LINE_LENGTH     (4 * 1024 * 1024)
#define TRUNCATED_LENGTH    (64 * 1024)     /* what is handed out of a longer line */
#define DEFAULT_MIN_BACKOFF_MS 100
#define DEFAULT_MAX_BACKOFF_MS 5000
#define DEFAULT_IDLE_TIMEOUT_S 60

typedef enum {
  STATE_IDLE,        /* not started */
  STATE_CONNECTING,  /* request sent, waiting for the headers */
  STATE_STREAMING,   /* reading the body */
  STATE_BLOCKED,     /* the line function refused a line */
  STATE_WAITING,     /* backoff before the next attempt */
  STATE_STOPPED,     /* stopped or ended for good */
} State;

struct _Co2sStreamReader
{
  GObject parent_instance;

  char *url;
  GUri *uri;
  gint64 url_limit;            /* "limit" of the URL, or -1 */

  SoupSession *session;
  SoupMessage *message;
  GIOStream *connection;       /* the request's own connection (SOUP_MESSAGE_NEW_CONNECTION) */
  GInputStream *body;
  GCancellable *cancellable;
  guint retry_source;

  Co2sStreamLineFunc line_func;
  gpointer line_data;
  GDestroyNotify line_destroy;

  /* buf[pos, len) is data not yet handed out; cap is its allocated size */
  char *buf;
  gsize pos;
  gsize len;
  gsize cap;
  gboolean skipping;           /* dropping the rest of an over-long line */
  gboolean eof_pending;        /* clean end seen while blocked on the last line */
  GSource *close_wait;         /* after a clean end: the server's close, or CLOSE_GRACE_MS */
  gboolean close_waited;       /* that wait is over for this connection */

  State state;
  gint64 resume_from;
  gint64 request_from;         /* from= of the current request, or -1 */
  guint64 n_lines;             /* accepted lines (duplicates not counted) */
  guint64 n_lines_connection;  /* lines handed out on this connection */
  guint64 n_new_connection;    /* of which accepted as new */
  guint n_attempts;
  guint min_backoff_ms;
  guint max_backoff_ms;
  guint backoff_ms;
  guint idle_timeout_s;        /* 0: none */
  gboolean follow;
  guint give_up_s;             /* 0: never */
  guint n_failures;            /* failed attempts since the last new line */
  gint64 failing_since;        /* monotonic µs of the first of them */
};

enum {
  SIGNAL_ENDED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (Co2sStreamReader, co2s_stream_reader, G_TYPE_OBJECT)

G_DEFINE_QUARK (co2s-stream-reader-error-quark, co2s_stream_reader_error)

/* How long a clean end of a body waits for the server to close the
 * connection under it (a cut) before it is trusted as an end: a server
 * that drops the client right after a chunk may close the socket a moment
 * after libsoup has taken the body as complete (seen in a loaded test run:
 * the end read, the socket not yet at EOF). */
#define CLOSE_GRACE_MS 500

static void connect_now (Co2sStreamReader *self);
static void read_more (Co2sStreamReader *self);
static void handle_eof (Co2sStreamReader *self);

static gint64
parse_limit (GUri *uri)
{
  g_autoptr(GHashTable) params = NULL;
  const char *query = g_uri_get_query (uri);
  const char *value;
  guint64 limit;

  if (query == NULL)
    return -1;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL || (value = g_hash_table_lookup (params, "limit")) == NULL)
    return -1;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &limit, NULL))
    return -1;
  return (gint64) limit;
}

/* The URL of the next request: the given one, with from= replaced by the
 * resume position and limit= lowered by the lines already taken. Other
 * parameters keep their order and their encoding. */
static GUri *
build_request_uri (Co2sStreamReader *self, gint64 *limit_left)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;
  const char *orig = g_uri_get_query (self->uri);
  gboolean resume = self->resume_from >= 0;

  *limit_left = -1;
  if (!resume)
    return g_uri_ref (self->uri);

  if (orig != NULL)
    parts = g_strsplit (orig, "&", -1);
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *raw = g_strndup (parts[i], eq != NULL ? (gsize) (eq - parts[i]) : strlen (parts[i]));
      g_autofree char *name = g_uri_unescape_string (raw, NULL);

      if (parts[i][0] == '\0')
        continue;
      if (g_strcmp0 (name, "from") == 0)
        continue;
      if (g_strcmp0 (name, "limit") == 0 && self->url_limit >= 0)
        continue;
      if (query->len > 0)
        g_string_append_c (query, '&');
      g_string_append (query, parts[i]);
    }

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "from=%" G_GINT64_FORMAT, self->resume_from);
  if (self->url_limit >= 0)
    {
      gint64 left = self->url_limit - (gint64) MIN (self->n_lines, (guint64) G_MAXINT64);

      *limit_left = MAX (left, 0);
      g_string_append_printf (query, "&limit=%" G_GINT64_FORMAT, *limit_left);
    }

  return soup_uri_copy (self->uri, SOUP_URI_QUERY, query->str, SOUP_URI_NONE);
}

static void
clear_connection (Co2sStreamReader *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->body);
  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_clear_object (&self->message);
  g_clear_object (&self->connection);
  if (self->close_wait != NULL)
    g_source_destroy (self->close_wait);
  g_clear_pointer (&self->close_wait, g_source_unref);
  self->close_waited = FALSE;
  self->pos = self->len = 0;
  self->skipping = FALSE;
  self->eof_pending = FALSE;
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  Co2sStreamReader *self = user_data;

  self->retry_source = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (Co2sStreamReader *self, guint delay_ms)
{
  g_assert (self->retry_source == 0);

  clear_connection (self);
  self->state = STATE_WAITING;
  self->retry_source = g_timeout_add (delay_ms, on_retry_timeout, self);
  g_source_set_name_by_id (self->retry_source, "[co2s] stream reader retry");
}

/* The reader stops for good on @error (an answer that asking again will
 * not mend, or the give-up time passed): stop and tell. */
static void
fail_stream (Co2sStreamReader *self, GError *error)
{
  clear_connection (self);
  self->state = STATE_STOPPED;
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

/* Logs @what and retries after the current backoff, which then doubles.
 * A @failure (no answer, an error status, a stall, a cut) is counted until
 * a new line comes; past the give-up time the reader fails instead. */
static void
retry_with_backoff (Co2sStreamReader *self, const char *what, gboolean failure)
{
  guint delay = self->backoff_ms;
  g_autofree char *resume = NULL;
  g_autoptr(GString) count = g_string_new (NULL);
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  if (failure)
    {
      gint64 now = g_get_monotonic_time ();
      double failing_s;

      if (self->n_failures++ == 0)
        self->failing_since = now;
      failing_s = (now - self->failing_since) / (double) G_USEC_PER_SEC;
      if (self->give_up_s > 0 && failing_s >= self->give_up_s)
        {
          g_autoptr(GError) error = NULL;

          g_set_error (&error, CO2S_STREAM_READER_ERROR, CO2S_STREAM_READER_ERROR_GAVE_UP,
                       "%u failed attempts in a row over %s s; the last: %s", self->n_failures,
                       g_ascii_formatd (seconds, sizeof seconds, "%.1f", failing_s), what);
          fail_stream (self, error);
          return;
        }
      g_string_printf (count, " (failure %u in a row, for %s s", self->n_failures,
                       g_ascii_formatd (seconds, sizeof seconds, "%.1f", failing_s));
      if (self->give_up_s > 0)
        g_string_append_printf (count, "; giving up after %u s", self->give_up_s);
      g_string_append_c (count, ')');
    }

  if (self->resume_from >= 0)
    resume = g_strdup_printf (" from seq %" G_GINT64_FORMAT, self->resume_from);

  /* The log is English, its numbers in the C locale (see co2s-i18n.h). */
  g_message ("%s; retrying%s in %s s%s", what, resume != NULL ? resume : "",
             g_ascii_formatd (seconds, sizeof seconds, "%.1f", delay / 1000.0), count->str);
  self->backoff_ms = MIN (self->max_backoff_ms, MAX (self->backoff_ms, 1) * 2);
  schedule_retry (self, delay);
}

/* The stream is over for good: stop and tell. */
static void
end_stream (Co2sStreamReader *self)
{
  clear_connection (self);
  self->state = STATE_STOPPED;
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
}

static inline gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* Hands out one line; FALSE when the line function blocked. */
static inline gboolean
deliver (Co2sStreamReader *self, const char *line, gsize len)
{
  Co2sLineResult result;

  if (len > 0 && line[len - 1] == '\r')
    len--;
  if (len == 0 || ((line[0] == ' ' || line[0] == '\t' || line[0] == '\r') && is_blank (line, len)))
    return TRUE;

  result = self->line_func != NULL ? self->line_func (line, len, self->line_data)
                                   : CO2S_LINE_ACCEPTED;
  if (result == CO2S_LINE_BLOCKED)
    {
      self->state = STATE_BLOCKED;
      return FALSE;
    }

  self->n_lines_connection++;
  if (result == CO2S_LINE_ACCEPTED)
    {
      if (self->n_new_connection++ == 0)
        {
          self->backoff_ms = self->min_backoff_ms;
          self->n_failures = 0;
        }
      self->n_lines++;
    }
  return TRUE;
}

/* Hands out every complete line of the buffer. FALSE when blocked or
 * stopped meanwhile. */
static gboolean
process_buffer (Co2sStreamReader *self)
{
  while (self->pos < self->len)
    {
      char *start = self->buf + self->pos;
      gsize avail = self->len - self->pos;
      char *nl = memchr (start, '\n', avail);

      if (nl == NULL)
        {
          /* A line longer than the maximum: hand out its beginning (which the
           * consumer will refuse as truncated JSON) and skip the rest. */
          if (!self->skipping && avail >= MAX_LINE_LENGTH)
            {
              g_warning ("API %s: line longer than %d bytes; only its first %d bytes are kept",
                         self->url, MAX_LINE_LENGTH, TRUNCATED_LENGTH);
              if (!deliver (self, start, TRUNCATED_LENGTH) || self->state != STATE_STREAMING)
                return FALSE;
              self->skipping = TRUE;
            }
          if (self->skipping)
            self->pos = self->len;
          break;
        }

      if (self->skipping)
        self->skipping = FALSE;
      else if (!deliver (self, start, nl - start))
        return FALSE;

      if (self->state != STATE_STREAMING)
        return FALSE;

      self->pos += (nl - start) + 1;
    }

  /* Keep the partial line at the start of the buffer; grow for long lines. */
  if (self->pos > 0)
    {
      memmove (self->buf, self->buf + self->pos, self->len - self->pos);
      self->len -= self->pos;
      self->pos = 0;
    }
  if (self->len == self->cap && self->cap < MAX_LINE_LENGTH)
    {
      self->cap = MIN (self->cap * 2, MAX_LINE_LENGTH);
      self->buf = g_realloc (self->buf, self->cap);
    }
  return TRUE;
}

static void
on_network_event (SoupMessage *message,
                  GSocketClientEvent event,
                  GIOStream *connection,
                  Co2sStreamReader *self)
{
  if (event == G_SOCKET_CLIENT_COMPLETE)
    g_set_object (&self->connection, connection);
}

/* The socket of the request's connection if it is a plain TCP one that
 * HTTP/1.1 keeps open after the body ("Connection: close" not said); else
 * NULL. */
static GSocket *
keep_alive_socket (Co2sStreamReader *self)
{
  if (self->message == NULL || !G_IS_SOCKET_CONNECTION (self->connection))
    return NULL;
  if (soup_message_get_http_version (self->message) != SOUP_HTTP_1_1 ||
      soup_message_headers_header_contains (soup_message_get_response_headers (self->message),
                                            "Connection", "close"))
    return NULL;
  return g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->connection));
}

/* Whether the server closed the connection under a body that libsoup took
 * as complete. A keep-alive HTTP/1.1 server leaves the connection open after
 * the end of a chunked body; a server that dies (or drops the client) right
 * after a chunk closes it, and libsoup then reads EOF where the next chunk
 * size should be and reports a clean end. So: a plain TCP connection, no
 * "Connection: close" and HTTP/1.1, yet closed or at EOF → cut. */
static gboolean
connection_was_cut (Co2sStreamReader *self)
{
  GSocket *socket = keep_alive_socket (self);
  char byte;
  gssize n;

  if (socket == NULL)
    return FALSE;
  if (g_socket_is_closed (socket))
    return TRUE;
  if ((g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) & (G_IO_IN | G_IO_HUP | G_IO_ERR)) == 0)
    return FALSE;

  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Whether the chunked body ended before a single byte of it came: not even
 * the last chunk that ends an empty body ("0\r\n\r\n"). libsoup reads a
 * connection closed there as a clean end; its metrics count the body's raw
 * bytes, framing included. (A body without length or chunks, which only
 * the connection's close ends, cannot be told apart from an empty one.) */
static gboolean
body_never_started (Co2sStreamReader *self)
{
  SoupMessageMetrics *metrics;

  if (self->message == NULL || self->n_lines_connection > 0 ||
      soup_message_headers_get_encoding (soup_message_get_response_headers (self->message)) !=
        SOUP_ENCODING_CHUNKED)
    return FALSE;
  metrics = soup_message_get_metrics (self->message);
  return metrics != NULL && soup_message_metrics_get_response_body_bytes_received (metrics) == 0;
}

static gboolean
on_close_wait_over (gpointer user_data)
{
  Co2sStreamReader *self = user_data;
  GSource *wait = g_steal_pointer (&self->close_wait);

  /* Either the socket or the timeout: the other goes with it. */
  g_source_destroy (wait);
  g_source_unref (wait);
  self->close_waited = TRUE;
  handle_eof (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_close_wait_socket (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  return on_close_wait_over (user_data);
}

/* Starts waiting, at most CLOSE_GRACE_MS, for the server to close the
 * connection of a body that ended cleanly; handle_eof then runs again.
 * FALSE when there is nothing to wait for (no keep-alive socket, or the
 * wait is over). */
static gboolean
wait_for_close (Co2sStreamReader *self)
{
  GSocket *socket = keep_alive_socket (self);
  g_autoptr(GSource) timeout = NULL;

  if (self->close_waited || socket == NULL || g_socket_is_closed (socket))
    return FALSE;
  g_assert (self->close_wait == NULL);
  self->close_wait = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->close_wait, G_SOURCE_FUNC (on_close_wait_socket), self, NULL);
  g_source_set_name (self->close_wait, "[co2s] stream reader close wait");
  timeout = g_timeout_source_new (CLOSE_GRACE_MS);
  g_source_set_callback (timeout, on_close_wait_over, self, NULL);
  g_source_add_child_source (self->close_wait, timeout);
  g_source_attach (self->close_wait, g_main_context_get_thread_default ());
  return TRUE;
}

/* The body ended without error. libsoup reports a chunked body cut inside a
 * chunk as an error, but one cut exactly between two chunks looks like a
 * clean end; so does a body without length that the server closes. The
 * reader therefore only trusts an end that leaves no partial line, that got
 * every row of the URL's limit (if any), and after which the server kept its
 * keep-alive connection open. Every distrusted end that brought new rows is
 * handled as a drop; one that brought nothing new is an end. */
static void
handle_eof (Co2sStreamReader *self)
{
  gboolean can_resume = self->resume_from >= 0;
  gboolean partial = self->pos < self->len && !self->skipping;
  gboolean limited = self->url_limit >= 0;
  guint64 progress = self->n_new_connection;

  /* A last line without newline: taken as it is when asking again cannot
   * help (no seq, or this connection brought nothing new and was not cut),
   * else asked again. */
  if (partial && (!can_resume || (progress == 0 && !connection_was_cut (self))))
    {
      if (!deliver (self, self->buf + self->pos, self->len - self->pos))
        {
          self->eof_pending = TRUE;
          return;
        }
      if (self->state != STATE_STREAMING)
        return;
      partial = FALSE;
      progress = self->n_new_connection;
    }
  self->pos = self->len = 0;
  can_resume = self->resume_from >= 0;

  if (body_never_started (self))
    {
      /* Headers, then the connection closed (a server that stalled and
       * died, a proxy's timeout): not an empty stream, which ends with a
       * last chunk. Asking again loses nothing, even without seq. */
      g_autofree char *what =
        g_strdup_printf ("API %s: connection closed after the response headers, before any "
                         "line or the end of the body", self->url);
      retry_with_backoff (self, what, TRUE);
    }
  else if (limited && self->n_lines >= (guint64) self->url_limit)
    {
      g_message ("API %s: stream ended cleanly after %" G_GUINT64_FORMAT " lines (limit reached)",
                 self->url, self->n_lines);
      end_stream (self);
    }
  else if (partial)
    {
      g_autofree char *what =
        g_strdup_printf ("API %s: connection cut mid-line after %" G_GUINT64_FORMAT " lines",
                         self->url, self->n_lines_connection);
      retry_with_backoff (self, what, TRUE);
    }
  else if (limited && can_resume && progress > 0)
    {
      g_autofree char *what =
        g_strdup_printf ("API %s: body ended after %" G_GUINT64_FORMAT " lines, %" G_GINT64_FORMAT
                         " short of limit=%" G_GINT64_FORMAT ": connection cut",
                         self->url, self->n_lines_connection,
                         self->url_limit - (gint64) self->n_lines, self->url_limit);
      retry_with_backoff (self, what, TRUE);
    }
  else if (can_resume && progress > 0 && !connection_was_cut (self) && wait_for_close (self))
    {
      /* Decided once the server closed the connection or kept it open. */
    }
  else if (can_resume && progress > 0 && connection_was_cut (self))
    {
      g_autofree char *what =
        g_strdup_printf ("API %s: body ended after %" G_GUINT64_FORMAT " lines with the connection "
                         "closed under it: connection cut between two chunks",
                         self->url, self->n_lines_connection);
      retry_with_backoff (self, what, TRUE);
    }
  else if (self->follow)
    {
      g_autofree char *what =
        g_strdup_printf ("API %s: stream ended after %" G_GUINT64_FORMAT " lines", self->url,
                         self->n_lines_connection);

      if (can_resume)
        {
          retry_with_backoff (self, what, FALSE);   /* an end, not a failure */
        }
      else
        {
          /* No seq: a new request starts the server over; do not hurry. */
          char seconds[G_ASCII_DTOSTR_BUF_SIZE];

          g_message ("%s; the server numbers no rows, so reconnecting replays it: retrying in %s s",
                     what, g_ascii_formatd (seconds, sizeof seconds, "%.1f", self->max_backoff_ms / 1000.0));
          schedule_retry (self, self->max_backoff_ms);
        }
    }
  else
    {
      g_message ("API %s: stream ended cleanly after %" G_GUINT64_FORMAT " lines on this connection",
                 self->url, self->n_lines_connection);
      end_stream (self);
    }
}

static void
on_read (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Co2sStreamReader) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->state != STATE_STREAMING)
    return;

  if (n < 0)
    {
      g_autofree char *what = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        what = g_strdup_printf ("no data for %u s from API %s after %" G_GUINT64_FORMAT
                                " lines on this connection: stalled", self->idle_timeout_s,
                                self->url, self->n_lines_connection);
      else
        what = g_strdup_printf ("API %s: connection lost after %" G_GUINT64_FORMAT " lines: %s",
                                self->url, self->n_lines_connection, error->message);
      retry_with_backoff (self, what, TRUE);
      return;
    }

  if (n == 0)
    {
      handle_eof (self);
      return;
    }

  self->len += n;
  if (process_buffer (self))
    read_more (self);
}

static void
read_more (Co2sStreamReader *self)
{
  g_assert (self->state == STATE_STREAMING);
  g_assert (self->len < self->cap);

  g_input_stream_read_async (self->body,
                             self->buf + self->len,
                             self->cap - self->len,
                             G_PRIORITY_DEFAULT,
                             self->cancellable,
                             on_read,
                             g_object_ref (self));
}

static void
on_sent (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Co2sStreamReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) body = NULL;
  guint status;

  body = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->state != STATE_CONNECTING)
    return;

  if (body == NULL)
    {
      g_autofree char *what = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        what = g_strdup_printf ("no data for %u s from API %s: no response to the request",
                                self->idle_timeout_s, self->url);
      else
        what = g_strdup_printf ("API %s unreachable: %s", self->url, error->message);
      retry_with_backoff (self, what, TRUE);
      return;
    }

  status = soup_message_get_status (self->message);
  if (SOUP_STATUS_IS_CLIENT_ERROR (status) && status != SOUP_STATUS_REQUEST_TIMEOUT &&
      status != 429 /* Too Many Requests */)
    {
      /* A wrong path or query (404, 400…), a refused access: the same
       * request gets the same answer. The URL as requested (with from=). */
      g_autoptr(GError) client_error = NULL;
      g_autofree char *requested = g_uri_to_string (soup_message_get_uri (self->message));

      g_set_error (&client_error, CO2S_STREAM_READER_ERROR, CO2S_STREAM_READER_ERROR_CLIENT_ERROR,
                   "API %s answered HTTP %u %s", requested, status,
                   soup_message_get_reason_phrase (self->message));
      fail_stream (self, client_error);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* 5xx, 408, 429 (and anything else): the server may recover. */
      g_autofree char *what =
        g_strdup_printf ("API %s answered HTTP %u %s", self->url, status,
                         soup_message_get_reason_phrase (self->message));
      retry_with_backoff (self, what, TRUE);
      return;
    }

  g_message ("connected to API %s (HTTP %u)%s", self->url, status,
             self->request_from >= 0 ? ", resuming" : "");
  self->body = g_steal_pointer (&body);
  self->state = STATE_STREAMING;
  self->n_lines_connection = 0;
  self->n_new_connection = 0;
  self->pos = self->len = 0;
  read_more (self);
}

static void
connect_now (Co2sStreamReader *self)
{
  g_autoptr(GUri) uri = NULL;
  gint64 limit_left;

  g_assert (self->message == NULL);

  uri = build_request_uri (self, &limit_left);
  if (limit_left == 0)
    {
      /* Everything the URL asked for was taken before the drop. */
      g_message ("API %s: limit of %" G_GINT64_FORMAT " lines reached", self->url, self->url_limit);
      end_stream (self);
      return;
    }

  self->n_attempts++;
  self->request_from = self->resume_from;
  if (self->resume_from >= 0)
    {
      g_autofree char *s = g_uri_to_string (uri);
      g_message ("requesting %s", s);
    }

  self->message = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  /* A connection of its own, so that its end can be checked (see
   * connection_was_cut); reconnections are rare, so pooling gains nothing. */
  soup_message_add_flags (self->message, SOUP_MESSAGE_NEW_CONNECTION | SOUP_MESSAGE_COLLECT_METRICS);
  g_signal_connect (self->message, "network-event", G_CALLBACK (on_network_event), self);
  soup_message_headers_replace (soup_message_get_request_headers (self->message),
                                "Accept", "application/x-ndjson, application/json;q=0.9, */*;q=0.1");
  self->cancellable = g_cancellable_new ();
  self->state = STATE_CONNECTING;
  soup_session_send_async (self->session, self->message, G_PRIORITY_DEFAULT,
                           self->cancellable, on_sent, g_object_ref (self));
}

static void
co2s_stream_reader_dispose (GObject *object)
{
  Co2sStreamReader *self = (Co2sStreamReader *) object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  clear_connection (self);
  g_clear_object (&self->session);
  if (self->line_destroy != NULL)
    self->line_destroy (self->line_data);
  self->line_func = NULL;
  self->line_data = NULL;
  self->line_destroy = NULL;

  G_OBJECT_CLASS (co2s_stream_reader_parent_class)->dispose (object);
}

static void
co2s_stream_reader_finalize (GObject *object)
{
  Co2sStreamReader *self = (Co2sStreamReader *) object;

  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->buf, g_free);

  G_OBJECT_CLASS (co2s_stream_reader_parent_class)->finalize (object);
}

static void
co2s_stream_reader_class_init (Co2sStreamReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_stream_reader_dispose;
  object_class->finalize = co2s_stream_reader_finalize;

  /**
   * Co2sStreamReader::ended:
   *
   * The stream is over: the body ended cleanly and follow is off, or the
   * URL's limit was reached. Every line was handed out; the reader is
   * stopped.
   */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * Co2sStreamReader::failed:
   * @error: a CO2S_STREAM_READER_ERROR (const GError *)
   *
   * The reader gave up for good: the API answered a client error (4xx
   * other than 408 and 429), or the give-up time passed with only failed
   * attempts. The reader is stopped; lines handed out before stay handed out.
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
co2s_stream_reader_init (Co2sStreamReader *self)
{
  self->cap = INITIAL_BUFFER_SIZE;
  self->buf = g_malloc (self->cap);
  self->resume_from = -1;
  self->request_from = -1;
  self->url_limit = -1;
  self->min_backoff_ms = DEFAULT_MIN_BACKOFF_MS;
  self->max_backoff_ms = DEFAULT_MAX_BACKOFF_MS;
  self->backoff_ms = self->min_backoff_ms;
  self->idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
  self->session = soup_session_new_with_options ("timeout", self->idle_timeout_s,
                                                 "user-agent", "co2stream-producer/" CO2S_VERSION,
                                                 NULL);
}

Co2sStreamReader *
co2s_stream_reader_new (const char *url, GError **error)
{
  g_autoptr(Co2sStreamReader) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("API URL “%s” is not valid: %s"), url, local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if ((g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("API URL “%s” is not valid: expected http://HOST[:PORT]/PATH"), url);
      return NULL;
    }

  self = g_object_new (CO2S_TYPE_STREAM_READER, NULL);
  self->url = g_strdup (url);
  self->uri = g_steal_pointer (&uri);
  self->url_limit = parse_limit (self->uri);
  return g_steal_pointer (&self);
}

void
co2s_stream_reader_set_line_func (Co2sStreamReader *self,
                                  Co2sStreamLineFunc func,
                                  gpointer user_data,
                                  GDestroyNotify destroy)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  if (self->line_destroy != NULL)
    self->line_destroy (self->line_data);
  self->line_func = func;
  self->line_data = user_data;
  self->line_destroy = destroy;
}

void
co2s_stream_reader_set_resume_from (Co2sStreamReader *self, gint64 from)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  self->resume_from = from < 0 ? -1 : from;
}

void
co2s_stream_reader_set_backoff (Co2sStreamReader *self, guint min_ms, guint max_ms)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));
  g_return_if_fail (min_ms > 0 && min_ms <= max_ms);

  self->min_backoff_ms = min_ms;
  self->max_backoff_ms = max_ms;
  self->backoff_ms = min_ms;
}

void
co2s_stream_reader_set_idle_timeout (Co2sStreamReader *self, guint seconds)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));
  g_return_if_fail (self->state == STATE_IDLE);

  self->idle_timeout_s = seconds;
  g_object_set (self->session, "timeout", seconds, NULL);
}

void
co2s_stream_reader_set_follow (Co2sStreamReader *self, gboolean follow)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  self->follow = !!follow;
}

void
co2s_stream_reader_set_give_up_after (Co2sStreamReader *self, guint seconds)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  self->give_up_s = seconds;
}

void
co2s_stream_reader_start (Co2sStreamReader *self)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));
  g_return_if_fail (self->state == STATE_IDLE);

  connect_now (self);
}

void
co2s_stream_reader_stop (Co2sStreamReader *self)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  g_clear_handle_id (&self->retry_source, g_source_remove);
  clear_connection (self);
  self->state = STATE_STOPPED;
}

void
co2s_stream_reader_unblock (Co2sStreamReader *self)
{
  g_return_if_fail (CO2S_IS_STREAM_READER (self));

  if (self->state != STATE_BLOCKED)
    return;

  self->state = STATE_STREAMING;
  if (self->eof_pending)
    {
      self->eof_pending = FALSE;
      handle_eof (self);
      return;
    }
  if (process_buffer (self))
    read_more (self);
}

gboolean
co2s_stream_reader_is_blocked (Co2sStreamReader *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_READER (self), FALSE);

  return self->state == STATE_BLOCKED;
}

const char *
co2s_stream_reader_get_url (Co2sStreamReader *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_READER (self), NULL);

  return self->url;
}

guint64
co2s_stream_reader_get_n_lines (Co2sStreamReader *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_READER (self), 0);

  return self->n_lines;
}

guint
co2s_stream_reader_get_n_attempts (Co2sStreamReader *self)
{
  g_return_val_if_fail (CO2S_IS_STREAM_READER (self), 0);

  return self->n_attempts;
}
