/* co2s-prom-server.h — GET /metrics for a Co2sProm registry, served by a
 * libsoup 3 server on a thread of its own with its own GMainContext, so that
 * a scrape never waits for the program's main loop or hot loop, nor slows
 * it down beyond the registry's lock (--metrics-listen of co2stream-producer
 * and co2stream-trainer). In libco2s-prom-server (libsoup), apart from
 * libco2s-pipeline, which has no HTTP. */
#pragma once

#include <gio/gio.h>

#include "co2s-prom.h"

G_BEGIN_DECLS

typedef struct _Co2sPromServer Co2sPromServer;

/* Listens on @host:@port (co2s_prom_parse_listen; port 0: any free port)
 * and starts the server's thread. GET /metrics renders @prom (a reference is
 * kept); GET / says what is there; other paths are 404, other methods 405.
 * NULL with @error (G_IO_ERROR, e.g. G_IO_ERROR_ADDRESS_IN_USE, the message
 * naming the address) when it cannot listen. Call from any one thread; stop
 * with co2s_prom_server_free. */
Co2sPromServer *co2s_prom_server_new (Co2sProm *prom,
                                      const char *host,
                                      guint16 port,
                                      GError **error);

/* "http://HOST:PORT/metrics" with the port really bound. Owned by @self. */
const char *co2s_prom_server_get_url (Co2sPromServer *self);

/* Stops the thread (an ongoing scrape finishes first), closes the socket
 * and drops the reference to the registry. NULL is ignored. */
void co2s_prom_server_free (Co2sPromServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sPromServer, co2s_prom_server_free)

G_END_DECLS
