/* co2s-producer-metrics.h — co2stream-producer's --metrics-listen: its
 * counters in the Prometheus text format at http://HOST:PORT/metrics
 * (co2s-prom-server.h), copied from the publisher and the reader every
 * 250 ms by a timeout on the main context (they are not thread-safe; a
 * scrape never waits for the main loop). */
#pragma once

#include "co2s-publisher.h"
#include "co2s-stream-reader.h"

G_BEGIN_DECLS

typedef struct _Co2sProducerMetrics Co2sProducerMetrics;

/* Starts serving on @host:@port (co2s_prom_parse_listen) and refreshing
 * from @publisher and @reader (references kept) on the thread-default main
 * context. NULL with @error (G_IO_ERROR, naming the address) when it
 * cannot listen. Main thread. */
Co2sProducerMetrics *co2s_producer_metrics_new (Co2sPublisher *publisher,
                                                Co2sStreamReader *reader,
                                                const char *host,
                                                guint16 port,
                                                GError **error);

/* http://HOST:PORT/metrics as bound. Owned by @self. */
const char *co2s_producer_metrics_get_url (Co2sProducerMetrics *self);

/* Copies the counters now (e.g. before the summary). */
void co2s_producer_metrics_refresh (Co2sProducerMetrics *self);

/* Stops the server and the refresh. NULL is ignored. */
void co2s_producer_metrics_free (Co2sProducerMetrics *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sProducerMetrics, co2s_producer_metrics_free)

G_END_DECLS
