/* test-ndjson-server.h — a scripted NDJSON HTTP server for the producer
 * tests: a SoupServer on its own thread and GMainContext, serving GET
 * /stream from a list of rows, split into chunks of chosen sizes, with
 * optional CRLF, blank lines, a dropped connection on a chosen request, and
 * a paced endless mode. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TestServer TestServer;

typedef struct {
  GPtrArray *rows;             /* char *, without newline; index = seq position (owned by the caller) */
  gboolean honour_from;        /* ?from=N starts at row N (else from= is ignored) */
  gboolean honour_limit;       /* ?limit=N serves at most N rows */
  gboolean crlf;               /* end every other line with "\r\n" */
  gboolean blank_lines;        /* add blank and whitespace-only lines now and then */
  const guint *chunk_sizes;    /* body chunk sizes, cycled; NULL: one chunk per 64 KiB */
  guint n_chunk_sizes;
  int drop_request;            /* this request (0-based) is cut mid-line; -1: never */
  guint drop_after_rows;       /* rows sent whole on that request before the cut */
  gboolean drop_at_line_end;   /* cut right after those rows, not in the middle of the next */
  guint paced_rows_per_tick;   /* > 0: endless paced mode, rows generated on the fly */
  guint paced_tick_ms;
  guint16 port;                /* 0: any free port */
} TestServerConfig;

/* Starts the server; aborts the test if it cannot listen. @config is copied
 * (not the rows, which must outlive the server). */
TestServer *test_server_start (const TestServerConfig *config);

void test_server_stop (TestServer *server);

/* "http://127.0.0.1:PORT/stream" plus @query ("" or "?a=b"). Free with g_free. */
char *test_server_url (TestServer *server, const char *query);

/* Number of /stream requests so far, and the raw query of request @i
 * (NULL-safe: "" when it had none). Free with g_free. */
guint test_server_n_requests (TestServer *server);
char *test_server_query (TestServer *server, guint i);

/* Whole rows written so far, over all requests (paced mode counts generated rows). */
guint64 test_server_rows_sent (TestServer *server);

/* The row the paced mode generates for @seq. Free with g_free. */
char *test_server_paced_row (guint64 seq);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_stop)

G_END_DECLS
