/* test-raw-api.h — a fake NDJSON API written on a raw socket, for the
 * producer's stall and HTTP error tests: each request gets a scripted act
 * (answer the rows, or send nothing or only the headers and then stall or
 * close, or an error status), things a well-behaved HTTP server library
 * will not do.
 *
 * One thread accepts and serves one connection at a time (the producer
 * never holds two). A stall lasts until the client closes its end (its idle
 * timeout) or the server stops: no timers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RAW_API_SERVE,          /* 200, chunked: the rows from ?from= (else 0), the last chunk; Connection: close */
  RAW_API_EMPTY,          /* 200, chunked, the last chunk at once: an empty stream, ended properly */
  RAW_API_SILENT_STALL,   /* read the request, then send nothing */
  RAW_API_SILENT_CLOSE,   /* read the request, then close */
  RAW_API_HEADERS_STALL,  /* 200 and chunked headers, then nothing */
  RAW_API_HEADERS_CLOSE,  /* 200 and chunked headers, then close (no chunk at all) */
  RAW_API_LINES_STALL,    /* headers and n_lines rows from ?from=, then nothing */
  RAW_API_STATUS,         /* an error status (status), a short text body; Connection: close */
} RawApiAct;

typedef struct {
  RawApiAct act;
  guint n_lines;          /* RAW_API_LINES_STALL only */
  guint status;           /* RAW_API_STATUS only: 404, 500… */
} RawApiStep;

typedef struct _RawApi RawApi;

/* Listens on 127.0.0.1 (a free port) and answers request i with
 * @steps[MIN (i, @n_steps − 1)]: the last step repeats. @rows (char *
 * without newline; row i has seq i) and @steps must outlive the server.
 * Aborts the test if it cannot listen. */
RawApi *raw_api_start (GPtrArray *rows, const RawApiStep *steps, guint n_steps);

/* Stops serving (a stalled connection is closed) and frees. NULL is ok. */
void raw_api_stop (RawApi *api);

/* "http://127.0.0.1:PORT/stream". Free with g_free. */
char *raw_api_url (RawApi *api);

/* Requests read so far, and the query of request @i ("" when none, NULL
 * past the end). Free with g_free. */
guint raw_api_n_requests (RawApi *api);
char *raw_api_query (RawApi *api, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawApi, raw_api_stop)

G_END_DECLS
