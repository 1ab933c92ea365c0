/* co2s-stream-server.h — the HTTP side of co2stream-api.
 *
 * Co2sStreamServer wraps a SoupServer and serves:
 *   GET /stream   the rows as an endless NDJSON stream (query: rate, limit, from)
 *   GET /health   JSON status and counters
 *   GET /metrics  the same counters in the Prometheus text format
 * Any other path is 404, any method but GET/HEAD is 405. Every response
 * closes its connection (no keep-alive: libsoup 3.2 leaks idle ones, see
 * on_request_started). The server accepts connections itself and hands
 * them to libsoup (libsoup 3.2's listener leaks a GSocket each, see
 * on_incoming). Main thread only. */
#pragma once

#include <libsoup/soup.h>

#include "co2s-stream-rows.h"

G_BEGIN_DECLS

/* Connections the kernel may queue while the server is busy (GLib's
 * default, 10, drops the 12th SYN of a burst: a second's wait). Linux caps
 * it at net.core.somaxconn (4096). */
#define CO2S_STREAM_SERVER_LISTEN_BACKLOG 1024

/* Highest rate a stream may have, rows/s (beyond it, rate 0 is the same). */
#define CO2S_STREAM_MAX_RATE 1e9

#define CO2S_TYPE_STREAM_SERVER (co2s_stream_server_get_type ())

G_DECLARE_FINAL_TYPE (Co2sStreamServer, co2s_stream_server, CO2S, STREAM_SERVER, GObject)

/* A server streaming @rows (a reference is taken). @n_bad_rows is what the
 * CSV loader skipped, for /health and /metrics. @rate (rows/s, 0 = as fast as
 * the peer reads) is the default of every stream; @once ends every stream at
 * the end of the file instead of looping. */
Co2sStreamServer *co2s_stream_server_new (Co2sStreamRows *rows,
                                          guint           n_bad_rows,
                                          double          rate,
                                          gboolean        once);

/* Listens on @address (port 0 picks a free port). FALSE with @error when the
 * address cannot be bound. May be called more than once. */
gboolean co2s_stream_server_listen (Co2sStreamServer *self,
                                    GSocketAddress   *address,
                                    GError          **error);

/* "http://HOST:PORT" of the first listening socket (IPv6 hosts in brackets),
 * or NULL when not listening. Free with g_free. */
char *co2s_stream_server_dup_url (Co2sStreamServer *self);

/* Stops listening, closes every connection and ends every stream, logging
 * each. Idempotent. */
void co2s_stream_server_shutdown (Co2sStreamServer *self);

/* Streams currently open. */
guint co2s_stream_server_get_n_clients (Co2sStreamServer *self);

/* Rows written to all stream clients since start, closed ones included. */
guint64 co2s_stream_server_get_rows_sent (Co2sStreamServer *self);

G_END_DECLS
