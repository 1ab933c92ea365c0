/* test-api-soak.c — fault suite (issue 10): 100,000 HTTP/1.1 keep-alive
 * requests against a real co2stream-api, from several clients at once, and
 * afterwards the server holds exactly the fds it held before, no TCP
 * connection, no stream client, about the same memory, and still answers.
 *
 * The requests mix what a server meets in a day: /health and /metrics
 * (health checks, scrapes), short streams, 404s, HTTP/1.0 without Host, two
 * requests pipelined in one write, and clients that leave early — before
 * sending anything, in the middle of their request, before reading the
 * answer, during an endless stream, or with a reset (SO_LINGER 0). Three
 * threads send them over raw sockets, one more through a SoupSession
 * (libsoup's client keeps connections alive and follows "Connection:
 * close"). Each answer is checked: status, "Connection: close", a complete
 * body. CO2S_SOAK_REQUESTS changes the count (default 100,000; 20,000
 * under AddressSanitizer). */
#define G_LOG_DOMAIN "api-test"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "api-sockets.h"

/* Under AddressSanitizer every request costs some 5 times as much. */
#define DEFAULT_REQUESTS (API_UNDER_ASAN ? 20000 : 100000)
#define N_RAW_THREADS 3
/* One request in this many goes through the SoupSession thread. */
#define SOUP_SHARE 10
#define WAIT_MS 30000

typedef enum {
  KIND_HEALTH,
  KIND_METRICS,
  KIND_STREAM_1,
  KIND_STREAM_3,
  KIND_NOT_FOUND,
  KIND_HTTP10_NO_HOST,
  KIND_PIPELINED,
  KIND_LEAVE_DURING_STREAM,
  KIND_LEAVE_UNREAD,
  KIND_CONNECT_ONLY,
  KIND_HALF_REQUEST,
  KIND_RESET_DURING_STREAM,
  N_KINDS
} Kind;

static const struct {
  const char *name;
  const char *request;  /* "Host: " is appended to HTTP/1.1 ones, then the blank line */
  guint status;         /* 0: no answer awaited */
  guint n_requests;     /* requests in the write */
} kinds[N_KINDS] = {
  [KIND_HEALTH] = { "GET /health", "GET /health HTTP/1.1\r\n", 200, 1 },
  [KIND_METRICS] = { "GET /metrics", "GET /metrics HTTP/1.1\r\n", 200, 1 },
  [KIND_STREAM_1] = { "GET /stream?limit=1", "GET /stream?limit=1 HTTP/1.1\r\n", 200, 1 },
  [KIND_STREAM_3] = { "GET /stream?limit=3&rate=0", "GET /stream?limit=3&rate=0 HTTP/1.1\r\n", 200, 1 },
  [KIND_NOT_FOUND] = { "GET /nope (404)", "GET /nope HTTP/1.1\r\n", 404, 1 },
  [KIND_HTTP10_NO_HOST] = { "GET /health?x=1 HTTP/1.0 without Host", "GET /health?x=1 HTTP/1.0\r\n\r\n", 200, 1 },
  [KIND_PIPELINED] = { "GET /health + GET /metrics pipelined", NULL, 200, 2 },
  [KIND_LEAVE_DURING_STREAM] = { "GET /stream, gone after its first row", "GET /stream?rate=1 HTTP/1.1\r\n", 0, 1 },
  [KIND_LEAVE_UNREAD] = { "GET /health, gone without reading", "GET /health HTTP/1.1\r\n", 0, 1 },
  [KIND_CONNECT_ONLY] = { "connect, gone without a byte", NULL, 0, 0 },
  [KIND_HALF_REQUEST] = { "half a request, gone", "GET /health HTTP/1.1\r\nHo", 0, 1 },
  [KIND_RESET_DURING_STREAM] = { "GET /stream, reset (SO_LINGER 0)", "GET /stream HTTP/1.1\r\n", 0, 1 },
};

/* The raw threads' round: well-behaved requests most of the time. */
static const Kind round_kinds[] = {
  KIND_HEALTH, KIND_METRICS, KIND_STREAM_1, KIND_NOT_FOUND,
  KIND_HEALTH, KIND_PIPELINED, KIND_STREAM_3, KIND_HTTP10_NO_HOST,
  KIND_LEAVE_DURING_STREAM, KIND_HEALTH, KIND_LEAVE_UNREAD, KIND_METRICS,
  KIND_CONNECT_ONLY, KIND_HALF_REQUEST, KIND_STREAM_1, KIND_RESET_DURING_STREAM,
};

typedef struct {
  GSocketAddress *address;
  char *url;
  char *host_header;     /* "Host: 127.0.0.1:PORT\r\n" */
  guint n_requests;      /* this worker's share */
  guint first_index;     /* of its requests, to name them */
  guint64 sent;          /* requests written */
  guint64 per_kind[N_KINDS];
  char *failure;         /* the first one; the worker stops there */
  gint done;
} Worker;

static void
worker_fail (Worker *w,
             char   *message)
{
  if (w->failure == NULL)
    w->failure = message;
  else
    g_free (message);
}

/* Everything up to the server's close (at most 1 MiB), or NULL with @error. */
static GByteArray *
read_to_end (GSocket  *sock,
             GError  **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (;;)
    {
      guint8 buf[8192];
      gssize n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        return g_steal_pointer (&data);
      g_byte_array_append (data, buf, (guint) n);
      if (data->len > 1024 * 1024)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "more than 1 MiB, never closed");
          return NULL;
        }
    }
}

/* Checks one complete response in @data: the status, "Connection: close",
 * and a body that is all there (Content-Length bytes, or chunks up to the
 * last), with nothing after it. NULL when good, else what is wrong. */
static char *
check_response (const GByteArray *data,
                guint             status,
                gboolean          http10)
{
  g_autofree char *text = g_strndup ((const char *) data->data, data->len);
  g_autofree char *status_line = NULL;
  const char *head_end = strstr (text, "\r\n\r\n");
  const char *body;
  gsize body_len;
  const char *length;
  g_autofree char *expected = g_strdup_printf ("HTTP/1.%c %u ", http10 ? '0' : '1', status);

  if (head_end == NULL)
    return g_strdup_printf ("no complete head in %u bytes: \"%.200s\"", data->len, text);
  status_line = g_strndup (text, strcspn (text, "\r"));
  if (!g_str_has_prefix (text, expected))
    return g_strdup_printf ("expected \"%s…\", got \"%s\"", expected, status_line);
  if (g_strstr_len (text, head_end - text, "\r\nConnection: close\r\n") == NULL)
    return g_strdup_printf ("%s: no \"Connection: close\"", status_line);

  body = head_end + 4;
  body_len = data->len - (gsize) (body - text);
  length = g_strstr_len (text, head_end - text, "\r\nContent-Length: ");
  if (length != NULL)
    {
      guint64 n = g_ascii_strtoull (length + strlen ("\r\nContent-Length: "), NULL, 10);

      if (n != body_len)
        return g_strdup_printf ("%s: Content-Length %" G_GUINT64_FORMAT " but %" G_GSIZE_FORMAT
                                " bytes of body (a truncated body, or a second answer)",
                                status_line, n, body_len);
    }
  else if (g_strstr_len (text, head_end - text, "\r\nTransfer-Encoding: chunked\r\n") != NULL)
    {
      if (!g_str_has_suffix (body, "\r\n0\r\n\r\n"))
        return g_strdup_printf ("%s: chunked body without its last chunk: \"%.200s\"", status_line, body);
    }
  else
    return g_strdup_printf ("%s: neither Content-Length nor chunked", status_line);

  return NULL;
}

/* Reads until the head and one body line are in. */
static gboolean
read_first_row (GSocket  *sock,
                GError  **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (;;)
    {
      guint8 buf[4096];
      gssize n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, error);
      const char *head_end;

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "closed before the first row");
          return FALSE;
        }
      g_byte_array_append (data, buf, (guint) n);
      head_end = g_strstr_len ((const char *) data->data, data->len, "\r\n\r\n");
      /* The chunk size line, then the row's line. */
      if (head_end != NULL &&
          memchr (head_end + 4, '}', data->len - (gsize) (head_end + 4 - (const char *) data->data)) != NULL)
        return TRUE;
    }
}

static gboolean
send_all (GSocket     *sock,
          const char  *data,
          GError     **error)
{
  gsize len = strlen (data);

  while (len > 0)
    {
      gssize n = g_socket_send (sock, data, len, NULL, error);

      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* One request of @kind over a new connection; NULL when all went as it
 * should, else what did not. */
static char *
raw_request (Worker *w,
             Kind    kind)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) data = NULL;
  g_autofree char *request = NULL;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (sock == NULL)
    return g_strdup_printf ("socket: %s", error->message);
  g_socket_set_timeout (sock, API_RAW_TIMEOUT_S);
  if (!g_socket_connect (sock, w->address, NULL, &error))
    return g_strdup_printf ("connect: %s", error->message);

  if (kind == KIND_PIPELINED)
    request = g_strconcat ("GET /health HTTP/1.1\r\n", w->host_header, "\r\n",
                           "GET /metrics HTTP/1.1\r\n", w->host_header, "\r\n", NULL);
  else if (kind == KIND_HALF_REQUEST || kind == KIND_HTTP10_NO_HOST)
    request = g_strdup (kinds[kind].request);
  else if (kinds[kind].request != NULL)
    request = g_strconcat (kinds[kind].request, w->host_header, "\r\n", NULL);

  if (request != NULL)
    {
      if (!send_all (sock, request, &error))
        return g_strdup_printf ("send: %s", error->message);
      w->sent += kinds[kind].n_requests;
    }

  switch (kind)
    {
    case KIND_CONNECT_ONLY:
    case KIND_HALF_REQUEST:
    case KIND_LEAVE_UNREAD:
      break;

    case KIND_LEAVE_DURING_STREAM:
    case KIND_RESET_DURING_STREAM:
      if (!read_first_row (sock, &error))
        return g_strdup_printf ("no first row: %s", error->message);
      if (kind == KIND_RESET_DURING_STREAM)
        {
          /* g_socket_set_option passes an int; SO_LINGER wants a struct. */
          struct linger linger = { 1, 0 };

          if (setsockopt (g_socket_get_fd (sock), SOL_SOCKET, SO_LINGER, &linger, sizeof linger) != 0)
            return g_strdup_printf ("SO_LINGER: %s", g_strerror (errno));
        }
      break;

    default:
      data = read_to_end (sock, &error);
      if (data == NULL)
        return g_strdup_printf ("no complete answer within %d s: %s", API_RAW_TIMEOUT_S, error->message);
      {
        char *wrong = check_response (data, kinds[kind].status, kind == KIND_HTTP10_NO_HOST);

        if (wrong != NULL)
          return wrong;
      }
      break;
    }

  if (!g_socket_close (sock, &error))
    return g_strdup_printf ("close: %s", error->message);
  return NULL;
}

static gpointer
raw_worker (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < w->n_requests && w->failure == NULL; i++)
    {
      Kind kind = round_kinds[(w->first_index + i) % G_N_ELEMENTS (round_kinds)];
      char *wrong = raw_request (w, kind);

      if (wrong != NULL)
        worker_fail (w, g_strdup_printf ("request %u (%s): %s", w->first_index + i, kinds[kind].name, wrong));
      g_free (wrong);
      w->per_kind[kind]++;
    }

  g_atomic_int_set (&w->done, 1);
  return NULL;
}

/* The SoupSession client: /health, /stream?limit=1, /metrics and a 404 in
 * turn, on one session (keep-alive on its side). */
static gpointer
soup_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  static const struct { const char *path; guint status; } paths[] = {
    { "/health", 200 }, { "/stream?limit=1", 200 }, { "/metrics", 200 }, { "/nope", 404 },
  };

  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("timeout", API_RAW_TIMEOUT_S, NULL);

  for (guint i = 0; i < w->n_requests && w->failure == NULL; i++)
    {
      guint p = i % G_N_ELEMENTS (paths);
      g_autofree char *url = g_strconcat (w->url, paths[p].path, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;

      body = soup_session_send_and_read (session, msg, NULL, &error);
      w->sent++;
      if (body == NULL)
        worker_fail (w, g_strdup_printf ("SoupSession request %u (GET %s): %s", i, paths[p].path, error->message));
      else if (soup_message_get_status (msg) != paths[p].status)
        worker_fail (w, g_strdup_printf ("SoupSession request %u (GET %s): status %u, expected %u", i,
                                         paths[p].path, soup_message_get_status (msg), paths[p].status));
    }

  soup_session_abort (session);
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);

  g_atomic_int_set (&w->done, 1);
  return NULL;
}

typedef struct {
  Worker *workers;
  guint n_workers;
  ApiServer *server;
  guint max_fds;
} SoakWait;

static gboolean
all_done (gpointer data)
{
  SoakWait *wait = data;

  wait->max_fds = MAX (wait->max_fds, api_count_fds (wait->server));
  for (guint i = 0; i < wait->n_workers; i++)
    if (!g_atomic_int_get (&wait->workers[i].done))
      return FALSE;
  return TRUE;
}

typedef struct {
  ApiServer *server;
  guint baseline;
  guint last;
} FdsWait;

static gboolean
fds_at_baseline (gpointer data)
{
  FdsWait *wait = data;

  wait->last = api_count_fds (wait->server);
  return wait->last == wait->baseline;
}

/* Runs @n requests over the workers (N_RAW_THREADS raw ones, one
 * SoupSession one), starting at request number @first; fails the test on
 * the first wrong answer. Returns the requests sent. */
static guint64
run_workers (ApiServer *server,
             guint      first,
             guint      n,
             guint      timeout_ms,
             guint     *max_fds)
{
  Worker workers[N_RAW_THREADS + 1] = { 0 };
  GThread *threads[N_RAW_THREADS + 1];
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (server->host);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, server->port);
  g_autofree char *host_header = g_strdup_printf ("Host: %s:%u\r\n", server->host, server->port);
  SoakWait wait = { workers, G_N_ELEMENTS (workers), server, 0 };
  guint n_soup = n / SOUP_SHARE;
  guint n_raw = n - n_soup;
  guint64 sent = 0;

  for (guint t = 0; t < G_N_ELEMENTS (workers); t++)
    {
      Worker *w = &workers[t];

      w->address = address;
      w->url = server->url;
      w->host_header = host_header;
      if (t < N_RAW_THREADS)
        {
          /* Consecutive slices, so that each thread goes through every kind. */
          w->first_index = first + t * (n_raw / N_RAW_THREADS);
          w->n_requests = n_raw / N_RAW_THREADS + (t == N_RAW_THREADS - 1 ? n_raw % N_RAW_THREADS : 0);
          threads[t] = g_thread_new ("soak-raw", raw_worker, w);
        }
      else
        {
          w->n_requests = n_soup;
          threads[t] = g_thread_new ("soak-soup", soup_worker, w);
        }
    }

  if (!co2s_test_wait_until (all_done, &wait, timeout_ms))
    g_error ("the clients did not finish %u requests within %u ms (co2stream-api holds %u fds)",
             n, timeout_ms, api_count_fds (server));

  for (guint t = 0; t < G_N_ELEMENTS (workers); t++)
    {
      g_thread_join (threads[t]);
      if (workers[t].failure != NULL)
        g_error ("%s", workers[t].failure);
      sent += workers[t].sent;
    }

  if (max_fds != NULL)
    {
      *max_fds = wait.max_fds;
      for (guint k = 0; k < N_KINDS; k++)
        {
          guint64 total = 0;

          for (guint t = 0; t < N_RAW_THREADS; t++)
            total += workers[t].per_kind[k];
          g_test_message ("  %7" G_GUINT64_FORMAT "  %s", total, kinds[k].name);
        }
      g_test_message ("  %7u  through a SoupSession (/health, /stream?limit=1, /metrics, /nope)", n_soup);
    }

  return sent;
}

/* After every client closed: no connection left, the fds of the start,
 * no stream client. */
static void
assert_back_to_baseline (ApiServer  *server,
                         guint       fds_baseline,
                         const char *when)
{
  FdsWait fds = { server, fds_baseline, 0 };
  ApiClientsWait clients = { server, 0, -1 };

  api_assert_connections_released (server, WAIT_MS);
  if (!co2s_test_wait_until (fds_at_baseline, &fds, WAIT_MS))
    g_error ("%s: co2stream-api holds %u fds, %u at the start, %d ms after its clients left",
             when, fds.last, fds_baseline, WAIT_MS);
  if (!co2s_test_wait_until (api_clients_are, &clients, WAIT_MS))
    g_error ("%s: /health reports %" G_GINT64_FORMAT " stream clients, %d ms after they all left",
             when, clients.last, WAIT_MS);
}

static void
test_keep_alive_soak (void)
{
  const char *env = g_getenv ("CO2S_SOAK_REQUESTS");
  guint n = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_REQUESTS;
  g_autofree char *csv = api_csv_text (5);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(ApiStream) stream = NULL;
  g_autoptr(JsonObject) health = NULL;
  guint fds_start, fds_baseline, max_fds = 0;
  guint64 rss_baseline, rss_after, sent;
  gint64 start_us, elapsed_us;

  g_assert_cmpuint (n, >=, 1000);
  fds_start = api_count_fds (server);

  /* Warm-up: every kind once or more, so that what GLib and libsoup open
   * on first use (a timer, a worker thread's wakeup fd) is in the baseline. */
  run_workers (server, 0, 2 * G_N_ELEMENTS (round_kinds) * N_RAW_THREADS + 4 * SOUP_SHARE, WAIT_MS, NULL);
  soup_session_abort (server->session);
  api_assert_connections_released (server, WAIT_MS);
  fds_baseline = api_count_fds (server);
  rss_baseline = api_server_rss_kib (server);

  start_us = g_get_monotonic_time ();
  sent = run_workers (server, 1000, n, 10 * 60 * 1000, &max_fds);
  elapsed_us = g_get_monotonic_time () - start_us;

  g_test_message ("%u connections, %" G_GUINT64_FORMAT " requests sent in %.1f s (%.0f connections/s); "
                  "fds: %u at start, %u after the warm-up, at most %u during the soak",
                  n, sent, elapsed_us / 1e6, n / (elapsed_us / 1e6), fds_start, fds_baseline, max_fds);

  soup_session_abort (server->session);
  assert_back_to_baseline (server, fds_baseline, "after the soak");
  rss_after = api_server_rss_kib (server);
  g_test_message ("VmRSS: %" G_GUINT64_FORMAT " KiB after the warm-up, %" G_GUINT64_FORMAT " KiB after the soak",
                  rss_baseline, rss_after);
  /* 100,000 connections: a leak of even 100 bytes each would show. */
  g_assert_cmpuint (rss_after, <, rss_baseline + 4 * 1024 + API_RSS_SLACK_KIB);

  /* Still serving: a stream and /health. */
  stream = api_stream_open (server, "/stream?limit=2&rate=0");
  for (gint64 seq = 0; seq < 2; seq++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

      g_assert_nonnull (row);
      api_check_row (row, seq, 5, 0);
    }
  g_clear_pointer (&stream, api_stream_free);
  health = api_health (server);
  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "ok");

  soup_session_abort (server->session);
  assert_back_to_baseline (server, fds_baseline, "after the last checks");
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fault/api/keep-alive-soak", test_keep_alive_soak);

  return g_test_run ();
}
