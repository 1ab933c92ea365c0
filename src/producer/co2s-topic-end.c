/* co2s-topic-end.c — where a topic ends: the greatest seq at the ends of its
 * partitions. */
#define G_LOG_DOMAIN "co2s-topic-end"

#include "co2s-topic-end.h"

#include <glib/gi18n.h>
#include <librdkafka/rdkafka.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-record-json.h"

#define RETRY_PAUSE_MS 100
#define POLL_MS        100

/* One non-empty partition and what its last messages said. */
typedef struct {
  int32_t id;
  gint64 low;            /* watermarks when asked */
  gint64 high;
  gint64 start;          /* first offset read: the last one and the look-back before it */
  gboolean done;         /* read up to high − 1, or reached the end */
  gint64 seq;            /* seq of the last message read that had one, -1 if none */
  gint64 seq_offset;
  gint64 plain_offset;   /* last message read that co2stream-dlq did not send back, -1 if none */
} PartitionEnd;

typedef struct {
  const char *topic;
  guint timeout_s;
  gint64 deadline;       /* monotonic µs */
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  GArray *ids;           /* int32_t: every partition */
  GArray *ends;          /* PartitionEnd: the non-empty ones */
  rd_kafka_queue_t *queue;
  guint n_started;       /* ends[0 … n_started − 1] are being fetched */
} Lookup;

/* Set before the user's -X properties, which win… */
static const char * const consumer_defaults[] = {
  "client.id=co2stream-producer",
  NULL
};

/* …and after them: the lookup reads through librdkafka's simple consumer
 * (no group: rd_kafka_assign would need one), commits nothing, and must see
 * where each partition ends. */
static const char * const consumer_forced[] = {
  "auto.commit.enable=false",
  "enable.partition.eof=true",
  "auto.offset.reset=earliest",
  NULL
};

G_DEFINE_QUARK (co2s-topic-end-error-quark, co2s_topic_end_error)

/* librdkafka's own log lines, from its threads. The producer's -X properties
 * reach this consumer too: that librdkafka ignores the producer-only ones
 * here is not news. Problems end in the lookup's error, so its log lines are
 * context, not warnings. */
static void
on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  if (level <= 5 && strcmp (fac, "CONFWARN") != 0)
    g_message ("librdkafka %s: %s", fac, buf);
  else
    g_debug ("librdkafka %s: %s", fac, buf);
}

/* Milliseconds left before the deadline; 0 once it has passed. */
static int
remaining_ms (const Lookup *l)
{
  gint64 left = l->deadline - g_get_monotonic_time ();

  if (left <= 0)
    return 0;
  return (int) MIN (MAX (left / 1000, 1), G_MAXINT);
}

/* Waits a little before asking again, never past the deadline. */
static void
pause_before_retry (const Lookup *l)
{
  g_usleep ((gulong) MIN (remaining_ms (l), RETRY_PAUSE_MS) * 1000);
}

/* Errors that asking again will not cure. */
static gboolean
is_permanent (rd_kafka_resp_err_t err)
{
  switch (err)
    {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
set_refused (GError **error, rd_kafka_resp_err_t err)
{
  g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_FAILED,
               _("the broker refused: %s"), rd_kafka_err2str (err));
  return FALSE;
}

/* TRUE for a dead letter co2stream-dlq sent back (header co2s-redrive): an
 * old row again, whose seq says nothing of where the stream ends. */
static gboolean
is_redriven (rd_kafka_message_t *m)
{
  rd_kafka_headers_t *hdrs = NULL;
  const void *value = NULL;
  size_t size = 0;

  return rd_kafka_message_headers (m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
         rd_kafka_header_get_last (hdrs, CO2S_HEADER_REDRIVE, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The message's seq: its key as decimal text, else its JSON "seq". */
static gboolean
read_seq (const rd_kafka_message_t *m, gint64 *seq)
{
  char key[24];
  guint64 value;
  gint64 json_seq = -1;

  if (m->key != NULL && m->key_len > 0 && m->key_len < sizeof key &&
      memchr (m->key, '\0', m->key_len) == NULL)
    {
      memcpy (key, m->key, m->key_len);
      key[m->key_len] = '\0';
      if (g_ascii_string_to_unsigned (key, 10, 0, G_MAXINT64, &value, NULL))
        {
          *seq = (gint64) value;
          return TRUE;
        }
    }
  if (m->payload != NULL &&
      co2s_json_object_peek_seq (m->payload, m->len, &json_seq, NULL) && json_seq >= 0)
    {
      *seq = json_seq;
      return TRUE;
    }
  return FALSE;
}

static rd_kafka_t *
new_consumer (const char *brokers, const char * const *overrides, GError **error)
{
  return co2s_kafka_side_consumer_new (brokers, consumer_defaults, overrides, consumer_forced,
                                       on_log, error);
}

/* Fills l->ids with the topic's partitions, once each has a leader; leaves
 * it empty when the topic does not exist. */
static gboolean
describe_topic (Lookup *l, GError **error)
{
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__TIMED_OUT;
  int ms;

  while ((ms = remaining_ms (l)) > 0)
    {
      const struct rd_kafka_metadata *md = NULL;
      rd_kafka_resp_err_t err = rd_kafka_metadata (l->rk, 0, l->rkt, &md, ms);

      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          const struct rd_kafka_metadata_topic *t = md->topic_cnt > 0 ? &md->topics[0] : NULL;

          err = t != NULL ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
          for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < t->partition_cnt; i++)
            {
              if (t->partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
                err = t->partitions[i].err;
              else if (t->partitions[i].leader < 0)
                err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
            }
          if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            for (int i = 0; i < t->partition_cnt; i++)
              g_array_append_val (l->ids, t->partitions[i].id);
          rd_kafka_metadata_destroy (md);

          if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return TRUE;
        }
      if (is_permanent (err))
        return set_refused (error, err);
      last = err;
      g_debug ("metadata of %s: %s; asking again", l->topic, rd_kafka_err2str (err));
      pause_before_retry (l);
    }

  g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_TIMED_OUT,
               _("no answer from the broker within %u s (%s)"), l->timeout_s, rd_kafka_err2str (last));
  return FALSE;
}

/* Adds to l->ends every partition that holds messages. */
static gboolean
query_ends (Lookup *l, GError **error)
{
  for (guint i = 0; i < l->ids->len; i++)
    {
      int32_t id = g_array_index (l->ids, int32_t, i);
      rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
      gint64 low = -1, high = -1;
      int ms;

      while ((ms = remaining_ms (l)) > 0)
        {
          err = co2s_kafka_query_watermarks (l->rk, l->topic, id, &low, &high, ms);
          if (err == RD_KAFKA_RESP_ERR_NO_ERROR || is_permanent (err))
            break;
          g_debug ("watermarks of %s [%d]: %s; asking again", l->topic, id, rd_kafka_err2str (err));
          pause_before_retry (l);
        }
      if (is_permanent (err))
        return set_refused (error, err);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_TIMED_OUT,
                       _("partition %d: no end offset within %u s (%s)"),
                       id, l->timeout_s, rd_kafka_err2str (err));
          return FALSE;
        }

      g_debug ("%s [%d]: offsets %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
               l->topic, id, (gint64) low, (gint64) high);
      if (high > low)
        {
          PartitionEnd end = {
            .id = id, .low = low, .high = high,
            .start = MAX (low, high - 1 - CO2S_TOPIC_END_LOOKBACK),
            .seq = -1, .seq_offset = -1, .plain_offset = -1,
          };

          g_array_append_val (l->ends, end);
        }
    }
  return TRUE;
}

static PartitionEnd *
find_end (Lookup *l, const rd_kafka_message_t *m)
{
  if (m->rkt == NULL || strcmp (rd_kafka_topic_name (m->rkt), l->topic) != 0)
    return NULL;
  for (guint i = 0; i < l->ends->len; i++)
    {
      PartitionEnd *end = &g_array_index (l->ends, PartitionEnd, i);

      if (end->id == m->partition)
        return end;
    }
  return NULL;
}

/* Starts fetching every non-empty partition at its start, into l->queue. */
static gboolean
start_fetching (Lookup *l, GError **error)
{
  l->queue = rd_kafka_queue_new (l->rk);
  for (; l->n_started < l->ends->len; l->n_started++)
    {
      const PartitionEnd *end = &g_array_index (l->ends, PartitionEnd, l->n_started);

      if (rd_kafka_consume_start_queue (l->rkt, end->id, end->start, l->queue) == -1)
        {
          g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_FAILED,
                       _("partition %d: cannot read it: %s"),
                       end->id, rd_kafka_err2str (rd_kafka_last_error ()));
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads every non-empty partition from its start to its end. */
static gboolean
read_ends (Lookup *l, GError **error)
{
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_resp_err_t err;
  guint left = l->ends->len;
  int ms;

  if (!start_fetching (l, error))
    return FALSE;

  while (left > 0 && (ms = remaining_ms (l)) > 0)
    {
      rd_kafka_message_t *m = rd_kafka_consume_queue (l->queue, MIN (ms, POLL_MS));
      PartitionEnd *end;

      if (m == NULL)
        continue;
      end = find_end (l, m);
      err = m->err;
      if (end != NULL && !end->done && err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset >= end->start)
        {
          gint64 seq;

          if (!is_redriven (m))
            {
              end->plain_offset = m->offset;
              if (read_seq (m, &seq))
                {
                  end->seq = seq;
                  end->seq_offset = m->offset;
                }
            }
          end->done = m->offset >= end->high - 1;
          left -= end->done ? 1 : 0;
        }
      else if (end != NULL && !end->done && err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        {
          end->done = TRUE;
          left--;
        }
      else if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        {
          g_debug ("reading %s: %s", l->topic, rd_kafka_message_errstr (m));
          last = err;
        }
      rd_kafka_message_destroy (m);

      if (is_permanent (err))
        return set_refused (error, err);
    }

  for (guint i = 0; left > 0 && i < l->ends->len; i++)
    {
      const PartitionEnd *end = &g_array_index (l->ends, PartitionEnd, i);

      if (!end->done)
        {
          g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_TIMED_OUT,
                       _("partition %d: its last messages did not arrive within %u s (%s)"),
                       end->id, l->timeout_s, rd_kafka_err2str (last));
          return FALSE;
        }
    }
  return TRUE;
}

/* The greatest seq over the partitions' ends, saying when a partition's last
 * message had none; FALSE when a partition has none to offer. */
static gboolean
greatest_seq (Lookup *l, gint64 *seq, GError **error)
{
  gint64 best = -1;

  for (guint i = 0; i < l->ends->len; i++)
    {
      const PartitionEnd *end = &g_array_index (l->ends, PartitionEnd, i);

      if (end->seq < 0)
        {
          char first[24], last[24];

          g_snprintf (first, sizeof first, "%" G_GINT64_FORMAT, end->start);
          g_snprintf (last, sizeof last, "%" G_GINT64_FORMAT, end->high - 1);
          g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_NO_SEQ,
                       /* Translators: the %s are message offsets */
                       _("partition %d: none of its last messages (offsets %s to %s) has a seq "
                         "(a decimal key or a JSON \"seq\" member)"),
                       end->id, first, last);
          return FALSE;
        }
      /* Letters sent back and a transaction's commit marker after it are no gap. */
      if (end->seq_offset < end->plain_offset)
        g_warning ("%s [%d]: the message(s) after offset %" G_GINT64_FORMAT " (up to %" G_GINT64_FORMAT
                   ") have no seq (a decimal key or a JSON \"seq\"); looked back to seq %" G_GINT64_FORMAT
                   " at offset %" G_GINT64_FORMAT,
                   l->topic, end->id, end->seq_offset, end->plain_offset, end->seq, end->seq_offset);
      g_debug ("%s [%d]: seq %" G_GINT64_FORMAT " at offset %" G_GINT64_FORMAT,
               l->topic, end->id, end->seq, end->seq_offset);
      best = MAX (best, end->seq);
    }
  *seq = best;
  return TRUE;
}

gboolean
co2s_topic_find_last_seq (const char *brokers,
                          const char * const *overrides,
                          const char *topic,
                          guint timeout_s,
                          gint64 *seq,
                          GError **error)
{
  Lookup l = { .topic = topic, .timeout_s = timeout_s };
  gboolean ok;

  g_return_val_if_fail (topic != NULL && *topic != '\0', FALSE);
  g_return_val_if_fail (timeout_s > 0, FALSE);
  g_return_val_if_fail (seq != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *seq = -1;
  l.rk = new_consumer (brokers, overrides, error);
  if (l.rk == NULL)
    return FALSE;
  l.rkt = rd_kafka_topic_new (l.rk, topic, NULL);
  if (l.rkt == NULL)
    {
      g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_FAILED,
                   _("cannot use the topic “%s”: %s"), topic, rd_kafka_err2str (rd_kafka_last_error ()));
      rd_kafka_destroy (l.rk);
      return FALSE;
    }
  l.deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  l.ids = g_array_new (FALSE, FALSE, sizeof (int32_t));
  l.ends = g_array_new (FALSE, FALSE, sizeof (PartitionEnd));

  ok = describe_topic (&l, error) &&
       query_ends (&l, error) &&
       (l.ends->len == 0 || read_ends (&l, error)) &&
       greatest_seq (&l, seq, error);

  for (guint i = 0; i < l.n_started; i++)
    rd_kafka_consume_stop (l.rkt, g_array_index (l.ends, PartitionEnd, i).id);
  g_clear_pointer (&l.queue, rd_kafka_queue_destroy);
  rd_kafka_topic_destroy (l.rkt);
  rd_kafka_destroy (l.rk);
  g_array_unref (l.ids);
  g_array_unref (l.ends);
  return ok;
}
