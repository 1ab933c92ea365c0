/* co2s-log-check.c — is a partition's log still the one a model learned? */
#define G_LOG_DOMAIN "co2s-trainer"

#include "co2s-log-check.h"

#include <librdkafka/rdkafka.h>
#include <string.h>

#include "co2s-kafka.h"

#define RETRY_PAUSE_MS 100
#define POLL_MS        100
/* How much older than the record learned last the log's first record may
 * be, once retention removed the former, and still come after it in the
 * same log: producers' clocks (CreateTime) may differ or step back a bit. */
#define CLOCK_SLACK_MS 60000

struct _Co2sLogCheck {
  char *topic;
  guint timeout_ms;
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  int partition_cnt;       /* from the metadata of the last check; -1: unknown */
};

/* Before the trainer's -X properties, which win… */
static const char * const consumer_defaults[] = {
  "client.id=co2stream-trainer",
  /* One record is wanted: no prefetch beyond one fetch. */
  "queued.min.messages=1",
  "queued.max.messages.kbytes=1024",
  NULL
};

/* …and after them: a simple consumer that commits nothing and reports an
 * offset out of range instead of jumping to either end. */
static const char * const consumer_forced[] = {
  "enable.auto.commit=false",
  "auto.commit.enable=false",
  "enable.partition.eof=true",
  "auto.offset.reset=error",
  NULL
};

/* The trainer's -X properties include producer ones, and librdkafka's own
 * log lines are context for the check's result, not warnings of their own. */
static void
on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  g_debug ("log check: librdkafka %s: %s", fac, buf);
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
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();

  return left <= 0 ? 0 : (int) MIN (MAX (left / 1000, 1), G_MAXINT);
}

static gboolean
set_error (GError **error, rd_kafka_resp_err_t err, const char *what, Co2sLogCheck *check, gint32 partition)
{
  g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
               "%s of %s [%d]: %s", what, check->topic, partition, rd_kafka_err2str (err));
  return FALSE;
}

Co2sLogCheck *
co2s_log_check_new (const char *brokers,
                    const char * const *overrides,
                    const char *topic,
                    guint timeout_ms,
                    GError **error)
{
  Co2sLogCheck *check;
  rd_kafka_t *rk;

  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (timeout_ms > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rk = co2s_kafka_side_consumer_new (brokers, consumer_defaults, overrides, consumer_forced,
                                     on_log, error);
  if (rk == NULL)
    return NULL;

  check = g_new0 (Co2sLogCheck, 1);
  check->topic = g_strdup (topic);
  check->timeout_ms = timeout_ms;
  check->rk = rk;
  check->rkt = rd_kafka_topic_new (rk, topic, NULL);
  check->partition_cnt = -1;
  return check;
}

void
co2s_log_check_free (Co2sLogCheck *check)
{
  if (check == NULL)
    return;
  g_clear_pointer (&check->rkt, rd_kafka_topic_destroy);
  g_clear_pointer (&check->rk, rd_kafka_destroy);
  g_free (check->topic);
  g_free (check);
}

/* The topic's partition count now, once every partition has a leader
 * (asked every time: a topic recreated under a running trainer may have
 * fewer). */
static gboolean
query_partition_count (Co2sLogCheck *check, gint32 partition, gint64 deadline, GError **error)
{
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  int ms;

  check->partition_cnt = -1;
  while (check->partition_cnt < 0 && (ms = remaining_ms (deadline)) > 0)
    {
      const struct rd_kafka_metadata *md = NULL;

      err = rd_kafka_metadata (check->rk, 0, check->rkt, &md, ms);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          const struct rd_kafka_metadata_topic *t = md->topic_cnt > 0 ? &md->topics[0] : NULL;

          err = t != NULL ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
          for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < t->partition_cnt; i++)
            if (t->partitions[i].leader < 0)
              err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
          if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            check->partition_cnt = t->partition_cnt;
          rd_kafka_metadata_destroy (md);
        }
      if (check->partition_cnt >= 0)
        break;
      if (is_permanent (err))
        return set_error (error, err, "metadata", check, partition);
      g_debug ("log check: metadata of %s: %s; asking again", check->topic, rd_kafka_err2str (err));
      g_usleep ((gulong) MIN (remaining_ms (deadline), RETRY_PAUSE_MS) * 1000);
    }
  if (check->partition_cnt < 0)
    return set_error (error, err, "metadata", check, partition);
  return TRUE;
}

static gboolean
query_watermarks (Co2sLogCheck *check, gint32 partition, gint64 deadline,
                  gint64 *low, gint64 *high, GError **error)
{
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  int ms;

  while ((ms = remaining_ms (deadline)) > 0)
    {
      gint64 lo = -1, hi = -1;

      err = co2s_kafka_query_watermarks (check->rk, check->topic, partition, &lo, &hi, ms);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          *low = lo;
          *high = hi;
          return TRUE;
        }
      if (is_permanent (err))
        break;
      g_debug ("log check: watermarks of %s [%d]: %s; asking again",
               check->topic, partition, rd_kafka_err2str (err));
      g_usleep ((gulong) MIN (remaining_ms (deadline), RETRY_PAUSE_MS) * 1000);
    }
  return set_error (error, err, "the offsets", check, partition);
}

typedef enum {
  FETCH_FOUND,         /* *found is the first record at or after the offset */
  FETCH_OUT_OF_RANGE,  /* the offset is before the log's start (or after its end) */
  FETCH_END,           /* the log ends at or before the offset */
} FetchResult;

/* The first record of @partition at or after @offset. */
static gboolean
fetch_record (Co2sLogCheck *check, gint32 partition, gint64 offset, gint64 deadline,
              FetchResult *result, Co2sRecordId *found, GError **error)
{
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__TIMED_OUT;
  gboolean done = FALSE;
  int ms;

  if (rd_kafka_consume_start (check->rkt, partition, offset) == -1)
    return set_error (error, rd_kafka_last_error (), "reading", check, partition);

  while (!done && (ms = remaining_ms (deadline)) > 0)
    {
      rd_kafka_message_t *m = rd_kafka_consume (check->rkt, partition, MIN (ms, POLL_MS));

      if (m == NULL)
        continue;
      switch (m->err)
        {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
          if (m->offset >= offset)
            {
              co2s_record_id_set (found, m->offset, rd_kafka_message_timestamp (m, NULL),
                                  m->key, m->key_len, m->payload, m->len);
              *result = FETCH_FOUND;
              done = TRUE;
            }
          break;
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
          *result = FETCH_END;
          done = TRUE;
          break;
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
          *result = FETCH_OUT_OF_RANGE;
          done = TRUE;
          break;
        default:
          g_debug ("log check: reading %s [%d] at %" G_GINT64_FORMAT ": %s",
                   check->topic, partition, offset, rd_kafka_message_errstr (m));
          last = m->err;
          break;
        }
      rd_kafka_message_destroy (m);
      if (!done && is_permanent (last))
        break;
    }
  rd_kafka_consume_stop (check->rkt, partition);
  if (!done)
    return set_error (error, last, "reading", check, partition);
  return TRUE;
}

/* The record learned last is gone (retention, or DeleteRecords): the log's
 * first record, after it, must not be older than it. */
static gboolean
check_after_pruning (Co2sLogCheck *check, const Co2sPartitionOffset *po, gint64 low, gint64 high,
                     gint64 deadline, Co2sLogVerdict *verdict, char **why, GError **error)
{
  g_autofree char *expected = NULL;
  g_autofree char *seen = NULL;
  Co2sRecordId first;
  FetchResult result;

  *verdict = CO2S_LOG_SAME;
  if (low >= high || po->last.timestamp_ms < 0)
    return TRUE; /* nothing left to compare */
  if (!fetch_record (check, po->partition, low, deadline, &result, &first, error))
    return FALSE;
  if (result != FETCH_FOUND || first.timestamp_ms < 0 ||
      first.timestamp_ms >= po->last.timestamp_ms - CLOCK_SLACK_MS)
    return TRUE;

  expected = co2s_record_id_describe (&po->last);
  seen = co2s_record_id_describe (&first);
  *verdict = CO2S_LOG_REPLACED;
  if (why != NULL)
    *why = g_strdup_printf ("the record learned last, at %s, is no longer in the log (which now "
                            "starts at offset %" G_GINT64_FORMAT "), and the log's first record, "
                            "at %s, is more than a minute older than it: it cannot come after "
                            "it in the same log",
                            expected, low, seen);
  return TRUE;
}

gboolean
co2s_log_check_partition (Co2sLogCheck *check,
                          const Co2sPartitionOffset *position,
                          Co2sLogVerdict *verdict,
                          char **why,
                          GError **error)
{
  gint64 deadline;
  gint64 low = -1, high = -1;
  Co2sRecordId found;
  FetchResult result;
  g_autofree char *expected = NULL;
  g_autofree char *seen = NULL;

  g_return_val_if_fail (check != NULL, FALSE);
  g_return_val_if_fail (position != NULL && verdict != NULL, FALSE);
  g_return_val_if_fail (why == NULL || *why == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  deadline = g_get_monotonic_time () + (gint64) check->timeout_ms * 1000;
  *verdict = CO2S_LOG_SAME;

  if (!query_partition_count (check, position->partition, deadline, error))
    return FALSE;
  if (position->partition >= check->partition_cnt)
    {
      /* Kafka can add partitions, never remove them. */
      *verdict = CO2S_LOG_REPLACED;
      if (why != NULL)
        *why = g_strdup_printf ("the model learned partition %d up to offset %" G_GINT64_FORMAT
                                ", but the topic now has %d partition(s)",
                                position->partition, position->next_offset - 1, check->partition_cnt);
      return TRUE;
    }

  if (!query_watermarks (check, position->partition, deadline, &low, &high, error))
    return FALSE;
  if (high < position->next_offset)
    {
      *verdict = CO2S_LOG_REPLACED;
      if (why != NULL)
        *why = g_strdup_printf ("the model learned it up to offset %" G_GINT64_FORMAT ", but its "
                                "log now ends at offset %" G_GINT64_FORMAT " (it holds %"
                                G_GINT64_FORMAT "-%" G_GINT64_FORMAT ")",
                                position->next_offset - 1, high - 1, low, high - 1);
      return TRUE;
    }
  if (!position->last.known)
    return TRUE;
  if (position->last.offset < low)
    return check_after_pruning (check, position, low, high, deadline, verdict, why, error);

  if (!fetch_record (check, position->partition, position->last.offset, deadline, &result, &found, error))
    return FALSE;
  if (result == FETCH_OUT_OF_RANGE)
    {
      /* Retention removed it since the offsets were asked: ask again. */
      if (!query_watermarks (check, position->partition, deadline, &low, &high, error))
        return FALSE;
      return check_after_pruning (check, position, low, high, deadline, verdict, why, error);
    }
  if (result == FETCH_FOUND && co2s_record_id_equal (&found, &position->last))
    return TRUE;

  expected = co2s_record_id_describe (&position->last);
  *verdict = CO2S_LOG_REPLACED;
  if (why == NULL)
    return TRUE;
  if (result == FETCH_END)
    *why = g_strdup_printf ("expected the record learned last at %s, but the log ends before it",
                            expected);
  else if (found.offset != position->last.offset)
    {
      seen = co2s_record_id_describe (&found);
      *why = g_strdup_printf ("expected the record learned last at %s, but there is no record at "
                              "that offset (the next one is at %s)", expected, seen);
    }
  else
    {
      seen = co2s_record_id_describe (&found);
      *why = g_strdup_printf ("expected the record learned last at %s, found another one there: %s",
                              expected, seen);
    }
  return TRUE;
}
