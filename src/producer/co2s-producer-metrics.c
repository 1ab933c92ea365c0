/* co2s-producer-metrics.c — see co2s-producer-metrics.h. */
#define G_LOG_DOMAIN "co2stream-producer"

#include "co2s-producer-metrics.h"

#include "co2s-prom-server.h"

#define REFRESH_MS 250

struct _Co2sProducerMetrics {
  Co2sPublisher *publisher;
  Co2sStreamReader *reader;
  Co2sProm *prom;
  Co2sPromServer *server;
  guint refresh_source;

  Co2sPromMetric *read, *produced, *delivered, *failed, *duplicates, *dlq, *dlq_delivered,
                 *dlq_failed, *gaps, *queue_full, *in_flight, *last_seq, *waiting, *start_time;
};

void
co2s_producer_metrics_refresh (Co2sProducerMetrics *self)
{
  Co2sPublisherStats st;

  g_return_if_fail (self != NULL);

  co2s_publisher_get_stats (self->publisher, &st);
  co2s_prom_lock (self->prom);
  co2s_prom_set (self->read, (double) st.read);
  co2s_prom_set (self->produced, (double) st.produced);
  co2s_prom_set (self->delivered, (double) st.delivered);
  co2s_prom_set (self->failed, (double) st.failed);
  co2s_prom_set (self->duplicates, (double) st.duplicates);
  co2s_prom_set (self->dlq, (double) st.dlq);
  co2s_prom_set (self->dlq_delivered, (double) st.dlq_delivered);
  co2s_prom_set (self->dlq_failed, (double) st.dlq_failed);
  co2s_prom_set (self->gaps, (double) st.gaps);
  co2s_prom_set (self->queue_full, (double) st.queue_full);
  co2s_prom_set (self->in_flight, (double) co2s_publisher_get_in_flight (self->publisher));
  co2s_prom_set (self->last_seq, (double) st.last_seq);
  co2s_prom_set (self->waiting, co2s_stream_reader_is_blocked (self->reader) ? 1 : 0);
  co2s_prom_unlock (self->prom);
}

static gboolean
on_refresh (gpointer data)
{
  co2s_producer_metrics_refresh (data);
  return G_SOURCE_CONTINUE;
}

Co2sProducerMetrics *
co2s_producer_metrics_new (Co2sPublisher *publisher, Co2sStreamReader *reader,
                           const char *host, guint16 port, GError **error)
{
  g_autoptr(Co2sProm) prom = co2s_prom_new ();
  Co2sProducerMetrics *self;
  Co2sPromServer *server;

  g_return_val_if_fail (CO2S_IS_PUBLISHER (publisher), NULL);
  g_return_val_if_fail (CO2S_IS_STREAM_READER (reader), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (Co2sProducerMetrics, 1);
  self->prom = co2s_prom_ref (prom);
  self->publisher = g_object_ref (publisher);
  self->reader = g_object_ref (reader);
#define COUNTER(field, name, help) self->field = co2s_prom_counter (prom, "co2stream_producer_" name, help, NULL)
#define GAUGE(field, name, help) self->field = co2s_prom_gauge (prom, "co2stream_producer_" name, help, NULL)
  COUNTER (read, "rows_read_total", "Lines read from the API (rows and bad lines; duplicates included).");
  COUNTER (produced, "rows_produced_total", "Rows queued to the data topic.");
  COUNTER (delivered, "rows_delivered_total", "Rows the broker acknowledged on the data topic.");
  COUNTER (failed, "rows_failed_total", "Rows refused by librdkafka or whose delivery failed.");
  COUNTER (duplicates, "duplicates_total", "Rows dropped because their seq was not above the last published one.");
  COUNTER (dlq, "dead_letters_total", "Lines queued to the dead-letter topic (not JSON objects, seq refused).");
  COUNTER (dlq_delivered, "dead_letters_delivered_total", "Dead letters the broker acknowledged.");
  COUNTER (dlq_failed, "dead_letters_failed_total", "Dead letters that could not be queued or delivered.");
  COUNTER (gaps, "seq_gaps_total", "Times the API's seq jumped forward.");
  COUNTER (queue_full, "queue_full_total", "Times a row met librdkafka's full queue (reading paused).");
  GAUGE (in_flight, "in_flight_messages", "Messages (rows and dead letters) queued to Kafka, not yet acknowledged.");
  GAUGE (last_seq, "last_seq", "Seq of the last row produced (or found at the topic's end); -1 before any.");
  GAUGE (waiting, "waiting_for_kafka", "1 while reading the API is paused because librdkafka's queue is full.");
  GAUGE (start_time, "start_time_seconds", "Start time of the process, in seconds since the Unix epoch.");
#undef COUNTER
#undef GAUGE
  co2s_prom_set (self->start_time, g_get_real_time () / (double) G_USEC_PER_SEC);
  co2s_producer_metrics_refresh (self);

  server = co2s_prom_server_new (prom, host, port, error);
  if (server == NULL)
    {
      co2s_producer_metrics_free (self);
      return NULL;
    }
  self->server = server;
  self->refresh_source = g_timeout_add (REFRESH_MS, on_refresh, self);
  g_message ("metrics: serving %s", co2s_prom_server_get_url (server));
  return self;
}

const char *
co2s_producer_metrics_get_url (Co2sProducerMetrics *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return co2s_prom_server_get_url (self->server);
}

void
co2s_producer_metrics_free (Co2sProducerMetrics *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_pointer (&self->server, co2s_prom_server_free);
  g_clear_pointer (&self->prom, co2s_prom_unref);
  g_clear_object (&self->publisher);
  g_clear_object (&self->reader);
  g_free (self);
}
