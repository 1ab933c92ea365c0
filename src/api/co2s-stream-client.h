/* co2s-stream-client.h — one GET /stream response, with its own position.
 *
 * A Co2sStreamClient owns the chunked response body of a SoupServerMessage.
 * It writes rows in chunks of up to CO2S_STREAM_CLIENT_CHUNK_BYTES, keeps at
 * most one chunk in flight (the next one is built only when libsoup reports
 * the previous one written), so the memory it holds stays bounded however
 * slowly the peer reads. With a rate, a token bucket releases rows on a
 * timer so that the average rate is the one asked for. Main thread only. */
#pragma once

#include <libsoup/soup.h>

#include "co2s-stream-rows.h"

G_BEGIN_DECLS

#define CO2S_STREAM_CLIENT_CHUNK_BYTES (64 * 1024)

/* GObject data key: the GSocket of a connection, set on the remote address
 * the server gives libsoup with the connection (see co2s-stream-server.c's
 * on_incoming), for connections libsoup sees as plain streams. */
#define CO2S_STREAM_CLIENT_SOCKET_KEY "co2s-stream-client-socket"

#define CO2S_TYPE_STREAM_CLIENT (co2s_stream_client_get_type ())

G_DECLARE_FINAL_TYPE (Co2sStreamClient, co2s_stream_client, CO2S, STREAM_CLIENT, GObject)

/* Prepares @msg (status 200, application/x-ndjson, chunked, not
 * accumulating) to stream rows of @rows starting at seq @from (>= 0).
 * @limit is the number of rows to send before ending the response, or -1 for
 * an endless stream. @rate is in rows per second; 0 means as fast as the
 * peer reads. @id only names the client in log lines. Keeps a reference to
 * @msg and @rows. Nothing is written until co2s_stream_client_start. */
Co2sStreamClient *co2s_stream_client_new (SoupServerMessage *msg,
                                          Co2sStreamRows    *rows,
                                          guint              id,
                                          gint64             from,
                                          gint64             limit,
                                          double             rate);

/* Starts writing. The "closed" signal (gboolean completed) is emitted once,
 * when the response is finished: completed is TRUE when every row asked for
 * was written, FALSE when the peer went away or the client was closed.
 * A peer that closes (or half-closes) its connection is noticed at once,
 * even while a slow stream waits for its next row: the response is then
 * aborted and libsoup closes the connection. */
void co2s_stream_client_start (Co2sStreamClient *self);

/* Stops writing and emits "closed" if not done yet. Does not touch the
 * connection itself (the server closes it). Idempotent. */
void co2s_stream_client_close (Co2sStreamClient *self);

/* Rows libsoup reported written to the connection so far. */
guint64 co2s_stream_client_get_rows_sent (Co2sStreamClient *self);

/* The id given at construction. */
guint co2s_stream_client_get_id (Co2sStreamClient *self);

/* "HOST:PORT" of the peer, owned by @self; never NULL. */
const char *co2s_stream_client_get_peer (Co2sStreamClient *self);

/* TRUE once "closed" was emitted. */
gboolean co2s_stream_client_is_closed (Co2sStreamClient *self);

G_END_DECLS
