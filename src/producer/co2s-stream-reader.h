/* co2s-stream-reader.h — reads an NDJSON HTTP stream line by line.
 *
 * A Co2sStreamReader GETs a URL with libsoup and hands every non-blank line
 * (without its "\n" or "\r\n") to a line function, however the server splits
 * the body into chunks. When the API cannot be reached, answers an error
 * status or drops the connection (a truncated body), it reconnects with
 * exponential backoff and, when a resume position is set, asks for
 * ?from=<position> (replacing any "from" of the URL, and lowering a "limit"
 * by the lines already taken).
 *
 * libsoup reports a chunked body cut inside a chunk as an error, but a body
 * cut exactly between two chunks reads as a clean end. The reader therefore
 * treats as a dropped connection a partial last line, fewer lines than the
 * URL's limit, or an HTTP/1.1 keep-alive connection that the server closed
 * under the body (checked on the socket; not possible through TLS, where an
 * unlimited stream cut exactly after a line and a chunk still ends
 * "cleanly": use ?limit= when the end must be exact). A chunked body closed
 * before its first byte (headers, then nothing: not even the last chunk of
 * an empty body) is a drop too, whatever the stream's seq. A connection on
 * which nothing arrives for the idle timeout (a stall, before or after the
 * headers) is dropped and asked again, logged as "no data for N s from API
 * URL".
 *
 * HTTP errors: a 5xx, 408 or 429 answer is retried like a drop; any other
 * 4xx (a wrong path or query, a refused access) gets the same answer every
 * time, so the reader fails at once ("failed", CLIENT_ERROR). Each failed
 * attempt (no answer, an error status, a stall, a cut) is logged with its
 * count since the last new line and for how long the API has been failing;
 * with a give-up time set, the first failure at least that long after the
 * first of the row makes the reader fail ("failed", GAVE_UP).
 *
 * Everything runs on the thread-default main
 * context of the thread that called co2s_stream_reader_start(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CO2S_TYPE_STREAM_READER (co2s_stream_reader_get_type ())

G_DECLARE_FINAL_TYPE (Co2sStreamReader, co2s_stream_reader, CO2S, STREAM_READER, GObject)

#define CO2S_STREAM_READER_ERROR (co2s_stream_reader_error_quark ())

/* Why the reader emitted "failed". The messages are English, for logs and
 * for a caller's own translated context. */
typedef enum {
  /* The API answered a 4xx other than 408 and 429: "API URL answered HTTP
   * 404 Not Found" (the URL as requested, from= included). */
  CO2S_STREAM_READER_ERROR_CLIENT_ERROR,
  /* Only failed attempts for the give-up time: "N failed attempts in a row
   * over S s; the last: <what happened>". */
  CO2S_STREAM_READER_ERROR_GAVE_UP,
} Co2sStreamReaderError;

GQuark co2s_stream_reader_error_quark (void);

typedef enum {
  CO2S_LINE_ACCEPTED,   /* the line was consumed and was new; go on */
  CO2S_LINE_DUPLICATE,  /* consumed, but a row already had (no progress, not counted) */
  CO2S_LINE_BLOCKED,    /* not consumed: keep it, stop reading until co2s_stream_reader_unblock() */
} Co2sLineResult;

/* Called for each line; @line is not NUL-terminated and only valid during
 * the call. */
typedef Co2sLineResult (*Co2sStreamLineFunc) (const char *line,
                                              gsize len,
                                              gpointer user_data);

/* New reader for @url (http or https). Returns NULL with a G_IO_ERROR
 * naming the URL when it is not an absolute http(s) URL. Does not connect. */
Co2sStreamReader *co2s_stream_reader_new (const char *url,
                                          GError **error);

/* Sets the function that receives the lines; @destroy (may be NULL) frees
 * @user_data when replaced or when the reader is disposed. */
void co2s_stream_reader_set_line_func (Co2sStreamReader *self,
                                       Co2sStreamLineFunc func,
                                       gpointer user_data,
                                       GDestroyNotify destroy);

/* The seq to ask for (?from=) on the next reconnection; -1 (the default)
 * means "reconnect with the URL as given". Cheap: call it after every line. */
void co2s_stream_reader_set_resume_from (Co2sStreamReader *self,
                                         gint64 from);

/* Backoff between attempts: starts at @min_ms, doubles, capped at @max_ms,
 * and returns to @min_ms once a connection delivers a line. */
void co2s_stream_reader_set_backoff (Co2sStreamReader *self,
                                     guint min_ms,
                                     guint max_ms);

/* Starts connecting. Must not be running already. */
void co2s_stream_reader_start (Co2sStreamReader *self);

/* Stops reading for good: cancels the request and any pending retry. No
 * line function call happens after it returns. Idempotent. */
void co2s_stream_reader_stop (Co2sStreamReader *self);

/* Resumes after the line function returned CO2S_LINE_BLOCKED: the kept line
 * is offered again, then reading goes on. No-op when not blocked. */
void co2s_stream_reader_unblock (Co2sStreamReader *self);

gboolean co2s_stream_reader_is_blocked (Co2sStreamReader *self);

/* The URL as given. Owned by the reader. */
const char *co2s_stream_reader_get_url (Co2sStreamReader *self);

/* Lines accepted as new by the line function since start. */
guint64 co2s_stream_reader_get_n_lines (Co2sStreamReader *self);

/* Number of (re)connection attempts so far. */
guint co2s_stream_reader_get_n_attempts (Co2sStreamReader *self);

/* Seconds without any byte from the server (while connecting, waiting for
 * the headers or reading the body) after which the connection is dropped
 * and asked again; 0 for no limit. Default 60. Call before starting. */
void co2s_stream_reader_set_idle_timeout (Co2sStreamReader *self,
                                          guint seconds);

/* Seconds of failed attempts in a row (no new line meanwhile) after which
 * the reader stops retrying and emits "failed" (GAVE_UP); 0 (the default)
 * for never. Checked at each failure, so the reader gives up at the first
 * failed attempt that long after the first of the row (backoff adds at most
 * its maximum). Call before starting. */
void co2s_stream_reader_set_give_up_after (Co2sStreamReader *self,
                                           guint seconds);

/* What a clean end of the body means. FALSE (the default): the stream is
 * over; the reader stops and emits "ended". TRUE: like tail -F, ask again
 * (from the resume position; with backoff while nothing new comes). Either
 * way, an end that cannot be trusted (a partial last line, or fewer lines
 * than the URL's limit) is handled as a dropped connection, and reaching the
 * URL's limit always ends the stream. */
void co2s_stream_reader_set_follow (Co2sStreamReader *self,
                                    gboolean follow);

G_END_DECLS
