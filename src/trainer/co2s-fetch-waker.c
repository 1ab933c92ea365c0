/* co2s-fetch-waker.c — keeps librdkafka 2.0's fetcher from stalling. */
#define G_LOG_DOMAIN "co2s-fetch-waker"

#include "co2s-fetch-waker.h"

#include "co2s-kafka.h"

/* A broker that does not answer within this is down; the consumer reports
 * that on its own. */
#define QUERY_TIMEOUT_MS 5000

struct _Co2sFetchWaker {
  rd_kafka_t *consumer;
  char *topic;
  GThread *thread;

  GMutex lock;
  GCond cond;
  GArray *partitions;      /* gint32 */
  guint next;              /* round-robin index */
  gboolean requested;
  gboolean busy;           /* a request is in flight */
  gboolean quit;
  guint64 count;
};

static gpointer
waker_thread (gpointer data)
{
  Co2sFetchWaker *waker = data;

  g_mutex_lock (&waker->lock);
  for (;;)
    {
      gint32 partition;
      gint64 hi;

      while (!waker->requested && !waker->quit)
        g_cond_wait (&waker->cond, &waker->lock);
      if (waker->quit)
        break;
      waker->requested = FALSE;
      if (waker->partitions->len == 0)
        continue;
      partition = g_array_index (waker->partitions, gint32, waker->next++ % waker->partitions->len);
      waker->busy = TRUE;
      g_mutex_unlock (&waker->lock);

      /* The answer does not matter: the request is the wake-up. With a
       * deadline that holds when the broker is gone, so that free does not
       * wait for ever (one request: the end offset only). */
      co2s_kafka_query_watermarks (waker->consumer, waker->topic, partition,
                                   NULL, &hi, QUERY_TIMEOUT_MS);

      g_mutex_lock (&waker->lock);
      waker->busy = FALSE;
      waker->count++;
    }
  g_mutex_unlock (&waker->lock);
  return NULL;
}

Co2sFetchWaker *
co2s_fetch_waker_new (rd_kafka_t *consumer, const char *topic)
{
  Co2sFetchWaker *waker;

  g_return_val_if_fail (consumer != NULL && topic != NULL, NULL);

  waker = g_new0 (Co2sFetchWaker, 1);
  waker->consumer = consumer;
  waker->topic = g_strdup (topic);
  waker->partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_mutex_init (&waker->lock);
  g_cond_init (&waker->cond);
  waker->thread = g_thread_new ("co2s-fetch-waker", waker_thread, waker);
  return waker;
}

void
co2s_fetch_waker_set_partitions (Co2sFetchWaker *waker, const gint32 *partitions, guint n)
{
  g_return_if_fail (waker != NULL);
  g_return_if_fail (partitions != NULL || n == 0);

  g_mutex_lock (&waker->lock);
  g_array_set_size (waker->partitions, 0);
  g_array_append_vals (waker->partitions, partitions, n);
  g_mutex_unlock (&waker->lock);
}

void
co2s_fetch_waker_poke (Co2sFetchWaker *waker)
{
  g_return_if_fail (waker != NULL);

  g_mutex_lock (&waker->lock);
  if (!waker->busy && !waker->requested)
    {
      waker->requested = TRUE;
      g_cond_signal (&waker->cond);
    }
  g_mutex_unlock (&waker->lock);
}

guint64
co2s_fetch_waker_get_count (Co2sFetchWaker *waker)
{
  guint64 count;

  g_return_val_if_fail (waker != NULL, 0);

  g_mutex_lock (&waker->lock);
  count = waker->count;
  g_mutex_unlock (&waker->lock);
  return count;
}

void
co2s_fetch_waker_free (Co2sFetchWaker *waker)
{
  if (waker == NULL)
    return;

  g_mutex_lock (&waker->lock);
  waker->quit = TRUE;
  g_cond_signal (&waker->cond);
  g_mutex_unlock (&waker->lock);
  g_thread_join (waker->thread);

  g_array_unref (waker->partitions);
  g_mutex_clear (&waker->lock);
  g_cond_clear (&waker->cond);
  g_free (waker->topic);
  g_free (waker);
}
