/* co2s-fetch-waker.h — keeps librdkafka 2.0's fetcher from stalling.
 *
 * librdkafka 2.0 stops fetching a partition while the consumer's queue holds
 * more than queued.min.messages (or queued.max.messages.kbytes), and looks
 * again only when the broker thread wakes up: on a request, a response, or
 * after up to a second. Emptying the queue does not wake it (later versions
 * added fetch.queue.backoff.ms for this). A consumer faster than the fetcher
 * therefore stalls for most of every second: measured here, 30,000 rows/s
 * instead of several hundred thousand.
 *
 * The waker wakes the broker thread by asking the partition leader for its
 * watermarks (a ListOffsets request, which also refreshes the watermarks the
 * lag is computed from). The request is made on a thread of its own, so the
 * hot loop never waits for a broker round trip: co2s_fetch_waker_poke only
 * signals that thread. Partitions are taken in turn, so with several brokers
 * every leader gets woken. */
#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

typedef struct _Co2sFetchWaker Co2sFetchWaker;

/* Starts the waker thread for @consumer (not owned; must outlive the waker)
 * and @topic. */
Co2sFetchWaker *co2s_fetch_waker_new (rd_kafka_t *consumer, const char *topic);

/* Replaces the partitions to wake (@n may be 0). Any thread. */
void co2s_fetch_waker_set_partitions (Co2sFetchWaker *waker, const gint32 *partitions, guint n);

/* Asks for one wake-up; does nothing while one is still in flight. Never
 * blocks on the broker. Any thread. */
void co2s_fetch_waker_poke (Co2sFetchWaker *waker);

/* Wake-ups done so far. */
guint64 co2s_fetch_waker_get_count (Co2sFetchWaker *waker);

/* Stops and joins the thread (waits for a request in flight, at most the
 * query timeout), then frees. NULL-safe. */
void co2s_fetch_waker_free (Co2sFetchWaker *waker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sFetchWaker, co2s_fetch_waker_free)

G_END_DECLS
