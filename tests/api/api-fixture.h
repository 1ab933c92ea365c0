/* api-fixture.h — helpers for the co2stream-api tests: a server on a free
 * port over a CSV written to a temporary directory, plain GETs through a
 * SoupSession, and a raw-socket NDJSON stream reader (chunked decoding by
 * hand, so the test controls exactly when bytes are read). Main thread. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "co2s-test-util.h"

G_BEGIN_DECLS

/* The canonical CSV header, and a few made-up vehicles (not from the data set). */
extern const char *api_csv_header;
extern const char * const api_csv_rows[];
extern const guint api_csv_n_rows;

/* @n_rows of api_csv_rows (cycled when more) after the header, as one text. */
char *api_csv_text (guint n_rows);

typedef struct {
  Co2sTestProc *proc;
  char *dir;          /* temp dir holding the CSV, or NULL */
  char *csv_path;
  char *url;          /* http://127.0.0.1:PORT, as printed by the server */
  char *host;
  guint16 port;
  SoupSession *session;
} ApiServer;

/* Writes @csv_text to a temp dir, spawns $CO2S_API --csv it --listen
 * 127.0.0.1:0 @extra_args… and waits (10 s) for its "listening on" line.
 * Fails the test (abort) if it does not come up. */
ApiServer *api_server_start (const char *csv_text, const char * const *extra_args);

/* The same over an existing CSV file (not deleted afterwards). */
ApiServer *api_server_start_with_file (const char *csv_path, const char * const *extra_args);

/* Waits until the text @proc wrote on stderr so far matches the regular
 * expression @pattern (searched anywhere, multi-line). FALSE at the deadline. */
gboolean api_wait_stderr (Co2sTestProc *proc, const char *pattern, guint timeout_ms);

/* SIGTERM and wait; returns the exit status (co2s_test_proc_terminate). */
int api_server_stop (ApiServer *server);

/* Stops (if running) and frees. NULL is fine. */
void api_server_free (ApiServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiServer, api_server_free)

/* VmRSS of the server process, in KiB (aborts if unreadable). */
guint64 api_server_rss_kib (ApiServer *server);

/* One request through the server's SoupSession (10 s timeout); returns the
 * status, the body in @body (NUL-terminated, may be NULL) and the
 * Content-Type in @content_type (may be NULL). Aborts on transport errors. */
guint api_request (ApiServer   *server,
                   const char  *method,
                   const char  *path,
                   char       **body,
                   char       **content_type);

/* GET /health parsed; aborts unless it is a 200 JSON object. */
JsonObject *api_health (ApiServer *server);

/* Integer member of a JSON object (aborts when missing or not an integer). */
gint64 api_json_int (JsonObject *object, const char *member);

/* Wait predicate (co2s_test_wait_until) on an ApiClientsWait: GET /health
 * reports @clients stream clients; each call keeps the count it read in
 * @last. */
typedef struct {
  ApiServer *server;
  gint64 clients;
  gint64 last;
} ApiClientsWait;

gboolean api_clients_are (gpointer wait);

typedef struct _ApiStream ApiStream;

/* Connects to @server with a plain socket (10 s I/O timeout), sends
 * "GET @path_query" and reads the response head. Asserts a 200 with
 * application/x-ndjson and chunked encoding. Does not read the body. */
ApiStream *api_stream_open (ApiServer *server, const char *path_query);

/* Just connects and sends the request; nothing is read. For stalling. */
ApiStream *api_stream_open_unread (ApiServer *server, const char *path_query);

/* Reads the response head of a stream opened with api_stream_open_unread. */
void api_stream_read_head (ApiStream *stream);

/* Next body line without "\n" (free with g_free), or NULL at the end of the
 * response (then *@clean_end is TRUE if the terminating chunk was read, FALSE
 * if the connection closed or failed; @clean_end may be NULL). */
char *api_stream_read_line (ApiStream *stream, gboolean *clean_end);

/* Next line parsed as a JSON object; aborts unless it is one. NULL at end. */
JsonObject *api_stream_read_row (ApiStream *stream, gboolean *clean_end);

void api_stream_free (ApiStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiStream, api_stream_free)

/* Checks that @row is the CSV row api_csv_rows[@seq % @n_rows] with this seq:
 * exactly the header's keys plus "seq" and "ts_us", numbers as JSON numbers
 * equal to the CSV values, flags as JSON booleans, and ts_us within
 * [@min_ts_us, now]. */
void api_check_row (JsonObject *row, gint64 seq, guint n_rows, gint64 min_ts_us);

G_END_DECLS
