/* co2s-publisher.c — publishes NDJSON lines to Kafka. */
#define G_LOG_DOMAIN "co2s-publisher"

#include "co2s-publisher.h"

#include <glib/gi18n.h>
#include <librdkafka/rdkafka.h>
#include <string.h>

#include "co2s-kafka.h"
#include "co2s-seq-check.h"

#define POLL_INTERVAL_MS        10
#define FULL_POLL_INTERVAL_MS   2
#define WARNINGS_PER_SECOND     5
#define SNIPPET_LENGTH          80

/* At most WARNINGS_PER_SECOND warnings of one kind per second; the rest is
 * counted and summed up when the next window opens. */
typedef struct {
  const char *what;
  gint64 window_start;
  guint in_window;
  guint64 suppressed;
} RateLimit;

struct _Co2sPublisher
{
  GObject parent_instance;

  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  char *topic;
  char *dlq_topic;
  char *source;

  Co2sPublisherStats stats;
  guint64 in_flight;
  Co2sSeqCheck seq_check;    /* its last_seq is stats.last_seq, copied in before each check */
  gboolean queue_full;
  gboolean fatal;

  guint poll_source;
  guint full_poll_source;

  RateLimit bad_line_limit;
  RateLimit delivery_limit;
  RateLimit gap_limit;

  /* The run of duplicates being dropped, logged once it ends. */
  guint64 dup_run;
  gint64 dup_first;
  gint64 dup_last;
};

enum {
  SIGNAL_READY,
  SIGNAL_FATAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (Co2sPublisher, co2s_publisher, G_TYPE_OBJECT)

/* librdkafka properties set before the user's -X ones, which win. */
static const char * const producer_defaults[] = {
  "enable.idempotence=true",
  "linger.ms=5",
  "batch.num.messages=10000",
  "queue.buffering.max.messages=100000",
  "client.id=co2stream-producer",
  NULL
};

static gboolean
rate_limit_allow (RateLimit *limit)
{
  gint64 now = g_get_monotonic_time ();

  if (now - limit->window_start >= G_USEC_PER_SEC)
    {
      if (limit->suppressed > 0)
        g_warning ("… and %" G_GUINT64_FORMAT " more %s in the last second(s), not shown",
                   limit->suppressed, limit->what);
      limit->window_start = now;
      limit->in_window = 0;
      limit->suppressed = 0;
    }
  if (limit->in_window < WARNINGS_PER_SECOND)
    {
      limit->in_window++;
      return TRUE;
    }
  limit->suppressed++;
  return FALSE;
}

/* Decimal text of @value into @buf (at least 21 bytes); returns its length. */
static inline gsize
format_u64 (char *buf, guint64 value)
{
  char tmp[24];
  gsize n = 0;

  do
    {
      tmp[n++] = '0' + (char) (value % 10);
      value /= 10;
    }
  while (value != 0);
  for (gsize i = 0; i < n; i++)
    buf[i] = tmp[n - 1 - i];
  return n;
}

/* A printable start of a bad line for the log. */
static char *
snippet (const char *line, gsize len)
{
  g_autofree char *valid = g_utf8_make_valid (line, MIN (len, SNIPPET_LENGTH));
  GString *s = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20)
        g_string_append_printf (s, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (s, *p);
    }
  if (len > SNIPPET_LENGTH)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

static void
set_queue_full (Co2sPublisher *self, gboolean full);

static void
poll_now (Co2sPublisher *self)
{
  int served = rd_kafka_poll (self->rk, 0);

  if (self->queue_full && served > 0)
    {
      set_queue_full (self, FALSE);
      g_signal_emit (self, signals[SIGNAL_READY], 0);
    }
}

static gboolean
on_poll_timeout (gpointer user_data)
{
  poll_now (user_data);
  return G_SOURCE_CONTINUE;
}

static void
set_queue_full (Co2sPublisher *self, gboolean full)
{
  if (full)
    self->stats.queue_full++;
  self->queue_full = full;
  if (full && self->full_poll_source == 0)
    {
      self->full_poll_source = g_timeout_add (FULL_POLL_INTERVAL_MS, on_poll_timeout, self);
      g_source_set_name_by_id (self->full_poll_source, "[co2s] publisher queue-full poll");
    }
  else if (!full)
    {
      g_clear_handle_id (&self->full_poll_source, g_source_remove);
    }
}

/* A row the broker refuses for what it is: the same row would be refused
 * again, so it is counted and the stream goes on (as when rd_kafka_produce
 * refuses it). */
static gboolean
refused_for_itself (rd_kafka_resp_err_t err)
{
  switch (err)
    {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Row @seq could not be delivered for another reason (Kafka unreachable for
 * message.timeout.ms, say). librdkafka would go on with the rows after it
 * (its idempotent producer starts a new sequence after a timeout), and they
 * would leave a hole in the topic that no restart fills, since a restart
 * resumes after the greatest seq the topic holds. So nothing more is sent:
 * the queue is dropped at once (no request is in flight while the broker is
 * unreachable) and the owner is told to stop; restarted, the producer
 * resumes after the topic's last row, which comes before @seq (one
 * partition: the idempotent producer keeps the topic a prefix of what it
 * sent). */
static void
stop_after_undelivered_row (Co2sPublisher *self, guint64 seq, rd_kafka_resp_err_t err)
{
  g_autofree char *message =
    g_strdup_printf ("seq %" G_GUINT64_FORMAT " could not be delivered to %s (%s): stopping before any "
                     "later row is published, which would leave a gap in the topic; restarted, the "
                     "producer resumes after the last row the topic holds",
                     seq, self->topic, rd_kafka_err2str (err));

  self->fatal = TRUE;
  rd_kafka_purge (self->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_NON_BLOCKING);
  g_warning ("%s", message);
  g_signal_emit (self, signals[SIGNAL_FATAL_ERROR], 0, message);
}

/* Delivery reports, served on the owner thread by rd_kafka_poll/flush. Data
 * messages carry seq + 1 as their opaque; dead letters carry NULL. */
static void
on_delivery (rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
  Co2sPublisher *self = opaque;
  gboolean is_data = rkm->_private != NULL;

  g_assert (self->in_flight > 0);
  self->in_flight--;

  if (rkm->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      if (is_data)
        self->stats.delivered++;
      else
        self->stats.dlq_delivered++;
      return;
    }

  if (is_data)
    self->stats.failed++;
  else
    self->stats.dlq_failed++;

  if (rate_limit_allow (&self->delivery_limit))
    {
      if (is_data)
        g_warning ("delivery of seq %" G_GSIZE_FORMAT " to %s failed: %s",
                   GPOINTER_TO_SIZE (rkm->_private) - 1, rd_kafka_topic_name (rkm->rkt),
                   rd_kafka_err2str (rkm->err));
      else
        g_warning ("delivery of a dead letter to %s failed: %s",
                   rd_kafka_topic_name (rkm->rkt), rd_kafka_err2str (rkm->err));
    }

  /* Purged rows (a stop, a flush that timed out) are not a new reason. */
  if (is_data && !self->fatal && rkm->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE &&
      rkm->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT && !refused_for_itself (rkm->err))
    stop_after_undelivered_row (self, GPOINTER_TO_SIZE (rkm->_private) - 1, rkm->err);
}

static void
on_error (rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  Co2sPublisher *self = opaque;

  if (err == RD_KAFKA_RESP_ERR__FATAL)
    {
      char errstr[512];
      rd_kafka_resp_err_t orig = rd_kafka_fatal_error (rk, errstr, sizeof errstr);
      g_autofree char *message =
        g_strdup_printf ("fatal Kafka producer error %s: %s", rd_kafka_err2name (orig), errstr);

      if (!self->fatal)
        {
          self->fatal = TRUE;
          g_warning ("%s", message);
          g_signal_emit (self, signals[SIGNAL_FATAL_ERROR], 0, message);
        }
      return;
    }

  /* Connection failures are already in librdkafka's log lines. */
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE)
    return;

  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    g_warning ("all Kafka brokers are down (%s); librdkafka keeps retrying, undelivered messages "
               "fail after message.timeout.ms", reason);
  else
    g_warning ("Kafka: %s: %s", rd_kafka_err2name (err), reason);
}

/* librdkafka's own log lines, from its threads. */
static void
on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  if (level <= 4)
    g_warning ("librdkafka %s: %s", fac, buf);
  else if (level <= 5)
    g_message ("librdkafka %s: %s", fac, buf);
  else
    g_debug ("librdkafka %s: %s", fac, buf);
}

/* Logs the run of duplicates dropped since the last line that was not one. */
static void
log_duplicate_run (Co2sPublisher *self)
{
  if (self->dup_run == 0)
    return;
  if (self->dup_run == 1)
    g_message ("dropped seq %" G_GINT64_FORMAT " as a duplicate: not above the last published seq %"
               G_GINT64_FORMAT, self->dup_first, self->stats.last_seq);
  else
    g_message ("dropped %" G_GUINT64_FORMAT " lines as duplicates (seq %" G_GINT64_FORMAT " … %"
               G_GINT64_FORMAT "): not above the last published seq %" G_GINT64_FORMAT,
               self->dup_run, self->dup_first, self->dup_last, self->stats.last_seq);
  self->dup_run = 0;
}

/* Where a bad line was, for its dead letter and the log. */
static char *
position (Co2sPublisher *self)
{
  if (self->stats.last_seq < 0)
    return g_strdup ("before the first published seq");
  return g_strdup_printf ("after seq %" G_GINT64_FORMAT, self->stats.last_seq);
}

static Co2sPublishResult
publish_dead_letter (Co2sPublisher *self, const char *line, gsize len,
                     const char *reason, const char *detail)
{
  g_autofree char *where = position (self);
  g_autofree char *full_detail = g_strdup_printf ("%s (%s)", detail, where);
  rd_kafka_resp_err_t err;

  err = co2s_kafka_produce_dead_letter (self->rk, self->dlq_topic, line, len, NULL, 0,
                                        reason, full_detail, self->source);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    {
      /* Offer the line again once librdkafka has room. */
      set_queue_full (self, TRUE);
      return CO2S_PUBLISH_QUEUE_FULL;
    }
  log_duplicate_run (self);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      self->stats.read++;
      self->stats.dlq_failed++;
      g_warning ("cannot queue a dead letter (%s, %s) to %s: %s", reason, where, self->dlq_topic,
                 rd_kafka_err2str (err));
      return CO2S_PUBLISH_FAILED;
    }

  self->stats.read++;
  self->stats.dlq++;
  self->in_flight++;

  if (rate_limit_allow (&self->bad_line_limit))
    {
      g_autofree char *text = snippet (line, len);

      g_warning ("bad line %s (%s: %s) sent to %s: %s", where, reason, detail, self->dlq_topic, text);
    }
  return CO2S_PUBLISH_DEAD_LETTER;
}

static void
co2s_publisher_dispose (GObject *object)
{
  Co2sPublisher *self = (Co2sPublisher *) object;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->full_poll_source, g_source_remove);
  g_clear_pointer (&self->rkt, rd_kafka_topic_destroy);
  g_clear_pointer (&self->rk, rd_kafka_destroy);

  G_OBJECT_CLASS (co2s_publisher_parent_class)->dispose (object);
}

static void
co2s_publisher_finalize (GObject *object)
{
  Co2sPublisher *self = (Co2sPublisher *) object;

  g_clear_pointer (&self->topic, g_free);
  g_clear_pointer (&self->dlq_topic, g_free);
  g_clear_pointer (&self->source, g_free);

  G_OBJECT_CLASS (co2s_publisher_parent_class)->finalize (object);
}

static void
co2s_publisher_class_init (Co2sPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_publisher_dispose;
  object_class->finalize = co2s_publisher_finalize;

  /**
   * Co2sPublisher::ready:
   *
   * There is room again after a CO2S_PUBLISH_QUEUE_FULL.
   */
  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * Co2sPublisher::fatal-error:
   * @message: what happened
   *
   * The publisher cannot go on: the idempotent producer hit a fatal
   * error, or a row could not be delivered (for another reason than its
   * own size or format), and publishing the rows after it would leave a
   * gap in the topic. Publish nothing more; co2s_publisher_purge, then
   * exit with a failure.
   */
  signals[SIGNAL_FATAL_ERROR] =
    g_signal_new ("fatal-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
co2s_publisher_init (Co2sPublisher *self)
{
  self->stats.last_seq = -1;
  co2s_seq_check_init (&self->seq_check);
  self->bad_line_limit.what = "bad-line warnings";
  self->delivery_limit.what = "delivery-failure warnings";
  self->gap_limit.what = "seq-gap warnings";
}

Co2sPublisher *
co2s_publisher_new (const char *brokers,
                    const char * const *overrides,
                    const char *topic,
                    const char *dlq_topic,
                    const char *source,
                    GError **error)
{
  g_autoptr(Co2sPublisher) self = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (topic != NULL && *topic != '\0', NULL);
  g_return_val_if_fail (dlq_topic != NULL && *dlq_topic != '\0', NULL);

  g_strv_builder_addv (builder, (const char **) producer_defaults);
  if (overrides != NULL)
    g_strv_builder_addv (builder, (const char **) overrides);
  all = g_strv_builder_end (builder);

  conf = co2s_kafka_conf_new (brokers, (const char * const *) all, error);
  if (conf == NULL)
    return NULL;

  self = g_object_new (CO2S_TYPE_PUBLISHER, NULL);
  self->topic = g_strdup (topic);
  self->dlq_topic = g_strdup (dlq_topic);
  self->source = g_strdup (source);

  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rd_kafka_conf_set_error_cb (conf, on_error);
  rd_kafka_conf_set_log_cb (conf, on_log);

  self->rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }

  self->rkt = rd_kafka_topic_new (self->rk, topic, NULL);
  if (self->rkt == NULL)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   _("cannot use the topic “%s”: %s"), topic, rd_kafka_err2str (rd_kafka_last_error ()));
      return NULL;
    }

  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, on_poll_timeout, self);
  g_source_set_name_by_id (self->poll_source, "[co2s] publisher poll");

  return g_steal_pointer (&self);
}

Co2sPublishResult
co2s_publisher_publish_line (Co2sPublisher *self, const char *line, gsize len)
{
  g_autofree char *detail = NULL;
  const char *reason = NULL;
  char key[24];
  gsize key_len;
  gint64 seq = -1;
  rd_kafka_resp_err_t err;

  g_return_val_if_fail (CO2S_IS_PUBLISHER (self), CO2S_PUBLISH_FAILED);
  g_return_val_if_fail (line != NULL || len == 0, CO2S_PUBLISH_FAILED);

  self->seq_check.last_seq = self->stats.last_seq;
  switch (co2s_seq_check_line (&self->seq_check, line, len, &seq, &reason, &detail))
    {
    case CO2S_SEQ_REFUSE:
      return publish_dead_letter (self, line, len, reason, detail);
    case CO2S_SEQ_DUPLICATE:
      self->stats.read++;
      self->stats.duplicates++;
      if (self->dup_run++ == 0)
        self->dup_first = seq;
      self->dup_last = seq;
      return CO2S_PUBLISH_DUPLICATE;
    case CO2S_SEQ_PUBLISH:
    default:
      break;
    }

  key_len = format_u64 (key, (guint64) seq);
  if (rd_kafka_produce (self->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                        (void *) line, len, key, key_len,
                        GSIZE_TO_POINTER ((gsize) seq + 1)) == 0)
    {
      log_duplicate_run (self);
      if (self->stats.last_seq >= 0 && seq != self->stats.last_seq + 1)
        {
          self->stats.gaps++;
          if (rate_limit_allow (&self->gap_limit))
            g_warning ("seq jumped from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                       ": the server skipped rows", self->stats.last_seq, seq);
        }
      self->stats.read++;
      self->stats.produced++;
      self->stats.last_seq = seq;
      self->in_flight++;
      return CO2S_PUBLISH_PRODUCED;
    }

  err = rd_kafka_last_error ();
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    {
      set_queue_full (self, TRUE);
      return CO2S_PUBLISH_QUEUE_FULL;
    }

  /* Refused for good (too large, fatal state…): offering it again would fail
   * the same way, so it counts as failed and the stream moves on. */
  log_duplicate_run (self);
  self->stats.read++;
  self->stats.failed++;
  self->stats.last_seq = seq;
  if (rate_limit_allow (&self->delivery_limit))
    g_warning ("cannot produce seq %" G_GINT64_FORMAT " (%" G_GSIZE_FORMAT " bytes) to %s: %s",
               seq, len, self->topic, rd_kafka_err2str (err));
  return CO2S_PUBLISH_FAILED;
}

void
co2s_publisher_set_last_seq (Co2sPublisher *self, gint64 last_seq)
{
  g_return_if_fail (CO2S_IS_PUBLISHER (self));
  g_return_if_fail (last_seq >= 0 && last_seq <= CO2S_SEQ_MAX);
  g_return_if_fail (self->stats.read == 0);

  self->stats.last_seq = last_seq;
}

void
co2s_publisher_set_max_seq_jump (Co2sPublisher *self, gint64 max_jump)
{
  g_return_if_fail (CO2S_IS_PUBLISHER (self));
  g_return_if_fail (max_jump >= 0);

  self->seq_check.max_jump = max_jump;
}

gint64
co2s_publisher_get_resume_seq (Co2sPublisher *self)
{
  g_return_val_if_fail (CO2S_IS_PUBLISHER (self), -1);

  /* Unnumbered: the server knows no seq, from= means nothing to it. Not
   * decided yet: only a seeded seq (a restart) is worth asking for. */
  if (self->seq_check.mode == CO2S_SEQ_MODE_UNNUMBERED || self->stats.last_seq < 0)
    return -1;
  return self->stats.last_seq + 1;
}

void
co2s_publisher_flush_log (Co2sPublisher *self)
{
  g_return_if_fail (CO2S_IS_PUBLISHER (self));

  log_duplicate_run (self);
}

void
co2s_publisher_get_stats (Co2sPublisher *self, Co2sPublisherStats *out)
{
  g_return_if_fail (CO2S_IS_PUBLISHER (self));
  g_return_if_fail (out != NULL);

  *out = self->stats;
}

guint64
co2s_publisher_get_in_flight (Co2sPublisher *self)
{
  g_return_val_if_fail (CO2S_IS_PUBLISHER (self), 0);

  return self->in_flight;
}

void
co2s_publisher_poll (Co2sPublisher *self)
{
  g_return_if_fail (CO2S_IS_PUBLISHER (self));

  poll_now (self);
}

gboolean
co2s_publisher_purge (Co2sPublisher *self, guint timeout_ms)
{
  gint64 deadline;

  g_return_val_if_fail (CO2S_IS_PUBLISHER (self), FALSE);

  if (self->in_flight == 0)
    return TRUE;

  g_warning ("purging %" G_GUINT64_FORMAT " undelivered message(s); they count as failed",
             self->in_flight);
  rd_kafka_purge (self->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (self->in_flight > 0 && g_get_monotonic_time () < deadline)
    rd_kafka_poll (self->rk, 10);
  return self->in_flight == 0;
}

gpointer
co2s_publisher_get_handle (Co2sPublisher *self)
{
  g_return_val_if_fail (CO2S_IS_PUBLISHER (self), NULL);

  return self->rk;
}
