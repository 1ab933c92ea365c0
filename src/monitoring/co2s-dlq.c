/* co2s-dlq.c — list and redrive the dead-letter topic (see co2s-dlq.h). */
#define G_LOG_DOMAIN "co2s-dlq"

#include "co2s-dlq.h"

#include <glib/gi18n-lib.h>
#include <librdkafka/rdkafka.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"

#define MAX_RANGE 100000
#define POLL_MS 100

G_DEFINE_QUARK (co2s-dlq-error-quark, co2s_dlq_error)

static const char *
dlq_topic (const Co2sDlqOptions *opts)
{
  return opts->dlq_topic != NULL ? opts->dlq_topic : CO2S_TOPIC_DLQ;
}

static const char *
target_topic (const Co2sDlqOptions *opts)
{
  return opts->target_topic != NULL ? opts->target_topic : CO2S_TOPIC_DATA;
}

static guint
timeout_ms (const Co2sDlqOptions *opts)
{
  return opts->timeout_ms > 0 ? opts->timeout_ms : CO2S_DLQ_DEFAULT_TIMEOUT_MS;
}

/* ---- offset specs ------------------------------------------------------------ */

static gboolean
parse_number (const char *s, const char *end, gint64 max, gint64 *out)
{
  guint64 v = 0;

  if (s == end)
    return FALSE;
  for (const char *p = s; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
      if (v > (guint64) max)
        return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

gboolean
co2s_dlq_parse_ref (const char *spec,
                    GArray *refs,
                    GError **error)
{
  const char *colon, *offsets, *dash, *end;
  gint64 partition = 0, first, last;

  g_return_val_if_fail (spec != NULL && refs != NULL, FALSE);

  end = spec + strlen (spec);
  colon = strchr (spec, ':');
  offsets = spec;
  if (colon != NULL)
    {
      if (!parse_number (spec, colon, G_MAXINT32, &partition))
        goto bad;
      offsets = colon + 1;
    }
  dash = strchr (offsets, '-');
  if (!parse_number (offsets, dash != NULL ? dash : end, G_MAXINT64 - 1, &first))
    goto bad;
  last = first;
  if (dash != NULL && !parse_number (dash + 1, end, G_MAXINT64 - 1, &last))
    goto bad;
  if (last < first || last - first >= MAX_RANGE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("bad offset range “%s”: the last offset must follow the first, and at most %d offsets at once"),
                   spec, MAX_RANGE);
      return FALSE;
    }
  for (gint64 o = first; o <= last; o++)
    {
      Co2sDlqRef ref = { (int) partition, o };

      g_array_append_val (refs, ref);
    }
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("bad offset “%s”: expected OFFSET, PARTITION:OFFSET or PARTITION:FIRST-LAST "
                 "(whole numbers ≥ 0, as “co2stream-dlq list” shows them)"), spec);
  return FALSE;
}

/* ---- listing --------------------------------------------------------------------- */

static char *
header_dup (rd_kafka_headers_t *hdrs, const char *name)
{
  const void *value = NULL;
  size_t size = 0;

  if (hdrs == NULL || rd_kafka_header_get_last (hdrs, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == NULL)
    return NULL;
  return g_utf8_make_valid (value, (gssize) size);
}

static void
set_kafka_error (GError **error, rd_kafka_resp_err_t err, const Co2sDlqOptions *opts, const char *topic)
{
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__TIMED_OUT ||
      err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    g_set_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_UNREACHABLE,
                 _("cannot reach Kafka at %s (%s): check that the broker runs and the address "
                   "(--brokers) and properties (-X) are right"),
                 opts->brokers, rd_kafka_err2str (err));
  else if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
    g_set_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_NO_TOPIC,
                 _("Kafka at %s has no topic “%s”: no dead letter was written there yet, "
                   "or the name is wrong (--dlq-topic)"),
                 opts->brokers, topic);
  else
    g_set_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_FAILED,
                 _("Kafka at %s, topic “%s”: %s"), opts->brokers, topic, rd_kafka_err2str (err));
}

/* librdkafka's log lines ("1/1 brokers are down"…) go to g_debug: the
 * caller reports what failed, once, in its own words. Any thread. */
static void
log_cb (const rd_kafka_t *rk, int level, const char *facility, const char *message)
{
  g_debug ("%s: %d %s: %s", rd_kafka_name (rk), level, facility, message);
}

static rd_kafka_conf_t *
make_conf (const Co2sDlqOptions *opts, const char * const *settings, GError **error)
{
  g_autoptr(GError) local = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (opts->brokers, opts->overrides, &local);

  if (conf == NULL)
    goto fail;
  for (guint i = 0; settings[i] != NULL; i += 2)
    if (!co2s_kafka_conf_set (conf, settings[i], settings[i + 1], &local))
      {
        rd_kafka_conf_destroy (conf);
        goto fail;
      }
  rd_kafka_conf_set_log_cb (conf, log_cb);
  return conf;

fail:
  g_set_error_literal (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_CONFIG, local->message);
  return NULL;
}

/* The partition count of @topic, or -1 with @error. The metadata of every
 * topic is asked for, not @topic's: asking for an unknown topic makes some
 * brokers (the embedded one, Kafka with auto.create.topics.enable) create it. */
static int
partition_count (rd_kafka_t *rk, const Co2sDlqOptions *opts, const char *topic, GError **error)
{
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err;
  int n = -1;

  err = rd_kafka_metadata (rk, 1, NULL, &md, (int) timeout_ms (opts));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      set_kafka_error (error, err, opts, topic);
      return -1;
    }
  for (int i = 0; i < md->topic_cnt && n < 0; i++)
    {
      const rd_kafka_metadata_topic_t *t = &md->topics[i];

      if (strcmp (t->topic, topic) != 0)
        continue;
      if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR || t->partition_cnt == 0)
        {
          set_kafka_error (error, t->err != RD_KAFKA_RESP_ERR_NO_ERROR ? t->err
                                                                     : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                           opts, topic);
          break;
        }
      n = t->partition_cnt;
    }
  if (n < 0 && (error == NULL || *error == NULL))
    set_kafka_error (error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, opts, topic);
  rd_kafka_metadata_destroy (md);
  return n;
}

typedef struct {
  gint64 high;       /* end when the listing started */
  gboolean done;
} PartitionEnd;

static char *
marker_text (rd_kafka_headers_t *hdrs)
{
  g_autofree char *at = header_dup (hdrs, CO2S_DLQ_HEADER_REDRIVE_AT);
  g_autofree char *to = header_dup (hdrs, CO2S_DLQ_HEADER_REDRIVEN_TO);

  return g_strdup_printf ("%s → %s", at != NULL ? at : "?", to != NULL ? to : "?");
}

/* Reads every partition to its end; letters into @letters, markers into
 * @markers ("P:O" → text). */
static gboolean
read_topic (rd_kafka_t *rk, const Co2sDlqOptions *opts, GPtrArray *letters, GHashTable *markers,
            GCancellable *cancellable, GError **error)
{
  const char *topic = dlq_topic (opts);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms (opts) * G_TIME_SPAN_MILLISECOND;
  g_autofree PartitionEnd *ends = NULL;
  rd_kafka_topic_partition_list_t *assignment;
  rd_kafka_resp_err_t err;
  int n, remaining = 0;

  n = partition_count (rk, opts, topic, error);
  if (n < 0)
    return FALSE;
  ends = g_new0 (PartitionEnd, n);
  assignment = rd_kafka_topic_partition_list_new (n);
  for (int p = 0; p < n; p++)
    {
      int64_t low = 0, high = 0;

      err = rd_kafka_query_watermark_offsets (rk, topic, p, &low, &high, (int) timeout_ms (opts));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          rd_kafka_topic_partition_list_destroy (assignment);
          set_kafka_error (error, err, opts, topic);
          return FALSE;
        }
      ends[p].high = high;
      ends[p].done = high <= low;
      if (!ends[p].done)
        {
          rd_kafka_topic_partition_list_add (assignment, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
          remaining++;
        }
    }
  err = remaining > 0 ? rd_kafka_assign (rk, assignment) : RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_topic_partition_list_destroy (assignment);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      set_kafka_error (error, err, opts, topic);
      return FALSE;
    }

  while (remaining > 0)
    {
      rd_kafka_message_t *m;
      PartitionEnd *end;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_TIMEOUT,
                       _("could not read topic “%s” at %s to its end within %u ms "
                         "(%d of %d partitions unfinished); try again, or give more time"),
                       topic, opts->brokers, timeout_ms (opts), remaining, n);
          return FALSE;
        }
      m = rd_kafka_consumer_poll (rk, POLL_MS);
      if (m == NULL)
        continue;
      if (m->partition < 0 || m->partition >= n || ends[m->partition].done)
        {
          rd_kafka_message_destroy (m);
          continue;
        }
      end = &ends[m->partition];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        {
          end->done = TRUE;
          remaining--;
        }
      else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          /* Transient fetch errors are retried by librdkafka; a missing
           * topic or a fatal error is not. */
          if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
              m->err == RD_KAFKA_RESP_ERR__FATAL)
            {
              set_kafka_error (error, m->err, opts, topic);
              rd_kafka_message_destroy (m);
              return FALSE;
            }
          g_debug ("reading %s [%d]: %s", topic, m->partition, rd_kafka_message_errstr (m));
        }
      else if (m->offset < end->high)
        {
          rd_kafka_headers_t *hdrs = NULL;
          g_autofree char *redriven = NULL;

          rd_kafka_message_headers (m, &hdrs);
          redriven = header_dup (hdrs, CO2S_DLQ_HEADER_REDRIVEN);
          if (redriven != NULL)
            {
              g_hash_table_replace (markers, g_steal_pointer (&redriven), marker_text (hdrs));
            }
          else
            {
              g_autofree char *reason = header_dup (hdrs, "reason");
              g_autofree char *detail = header_dup (hdrs, "detail");
              g_autofree char *source = header_dup (hdrs, "source");
              g_autoptr(GBytes) key = m->key != NULL ? g_bytes_new (m->key, m->key_len) : NULL;
              g_autoptr(GBytes) payload = m->payload != NULL ? g_bytes_new (m->payload, m->len) : NULL;
              rd_kafka_timestamp_type_t tstype;
              gint64 ts = rd_kafka_message_timestamp (m, &tstype);

              g_ptr_array_add (letters, co2s_dead_letter_new (m->partition, m->offset, ts, reason, detail,
                                                              source, key, payload));
            }
          if (m->offset >= end->high - 1)
            {
              end->done = TRUE;
              remaining--;
            }
        }
      rd_kafka_message_destroy (m);
    }
  return TRUE;
}

static int
compare_letters (gconstpointer a, gconstpointer b)
{
  Co2sDeadLetter *x = *(Co2sDeadLetter **) a, *y = *(Co2sDeadLetter **) b;
  int px = co2s_dead_letter_get_partition (x), py = co2s_dead_letter_get_partition (y);
  gint64 ox = co2s_dead_letter_get_offset (x), oy = co2s_dead_letter_get_offset (y);

  if (px != py)
    return px < py ? -1 : 1;
  return ox < oy ? -1 : ox > oy;
}

GPtrArray *
co2s_dlq_list (const Co2sDlqOptions *opts,
               GCancellable *cancellable,
               GError **error)
{
  const char * const settings[] = {
    /* No group is joined (assign only); librdkafka still wants an id. */
    "group.id", "co2stream-dlq-reader",
    "enable.auto.commit", "false",
    "enable.auto.offset.store", "false",
    "enable.partition.eof", "true",
    "isolation.level", "read_committed",
    "allow.auto.create.topics", "false",
    NULL,
  };
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(GHashTable) markers = NULL;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  g_autoptr(GError) local = NULL;
  gboolean ok;

  g_return_val_if_fail (opts != NULL && opts->brokers != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  conf = make_conf (opts, settings, error);
  if (conf == NULL)
    return NULL;
  rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, &local);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error_literal (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_CONFIG, local->message);
      return NULL;
    }

  letters = g_ptr_array_new_with_free_func (g_object_unref);
  markers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ok = read_topic (rk, opts, letters, markers, cancellable, error);
  rd_kafka_consumer_close (rk);
  rd_kafka_destroy (rk);
  if (!ok)
    return NULL;

  g_ptr_array_sort (letters, compare_letters);
  for (guint i = 0; i < letters->len; i++)
    {
      Co2sDeadLetter *letter = g_ptr_array_index (letters, i);
      g_autofree char *ref = co2s_dead_letter_dup_ref (letter);
      const char *text = g_hash_table_lookup (markers, ref);

      if (text != NULL)
        co2s_dead_letter_set_redriven (letter, text);
    }
  return g_steal_pointer (&letters);
}

/* ---- redrive ----------------------------------------------------------------------- */

/* What delivery reports write into; owned by the redrive call. */
typedef struct {
  GArray *results;          /* Co2sRedriveResult */
} Redrive;

static void
clear_result (gpointer data)
{
  Co2sRedriveResult *r = data;

  g_clear_pointer (&r->detail, g_free);
}

/* Delivery report, on the thread that polls/flushes (the redrive's own).
 * The opaque is the result index + 1 for a copy, 0 for a marker. */
static void
dr_msg_cb (rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
  Redrive *rd = opaque;
  guintptr index = GPOINTER_TO_SIZE (m->_private);
  Co2sRedriveResult *r;

  (void) rk;
  if (index == 0 || index > rd->results->len)
    return;
  r = &g_array_index (rd->results, Co2sRedriveResult, index - 1);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      r->partition = m->partition;
      r->offset = m->offset;
    }
  else
    {
      r->status = CO2S_REDRIVE_FAILED;
      g_free (r->detail);
      r->detail = g_strdup (rd_kafka_err2str (m->err));
    }
}

static void
set_txn_error (GError **error, rd_kafka_error_t *kerr, const Co2sDlqOptions *opts, const char *what)
{
  rd_kafka_resp_err_t code = rd_kafka_error_code (kerr);

  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT)
    set_kafka_error (error, code, opts, target_topic (opts));
  else
    g_set_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_FAILED, _("Kafka at %s: %s: %s"),
                 opts->brokers, what, rd_kafka_error_string (kerr));
}

static Co2sDeadLetter *
find_letter (GPtrArray *letters, const Co2sDlqRef *ref)
{
  for (guint i = 0; i < letters->len; i++)
    {
      Co2sDeadLetter *l = g_ptr_array_index (letters, i);

      if (co2s_dead_letter_get_partition (l) == ref->partition && co2s_dead_letter_get_offset (l) == ref->offset)
        return l;
    }
  return NULL;
}

static void
add_result (GArray *results, int partition, gint64 offset, Co2sRedriveStatus status, const char *detail)
{
  Co2sRedriveResult r = { { partition, offset }, status, -1, -1, g_strdup (detail) };

  g_array_append_val (results, r);
}

/* Queues the copy and the marker of @letter (result @index) in the open
 * transaction. */
static rd_kafka_resp_err_t
produce_pair (rd_kafka_t *rk, const Co2sDlqOptions *opts, Co2sDeadLetter *letter, guint index, const char *now)
{
  int partition = co2s_dead_letter_get_partition (letter);
  gint64 offset = co2s_dead_letter_get_offset (letter);
  g_autofree char *redrive = g_strdup_printf ("%s[%d]@%" G_GINT64_FORMAT " %s", dlq_topic (opts),
                                              partition, offset, now);
  g_autofree char *ref = co2s_dead_letter_dup_ref (letter);
  GBytes *key = co2s_dead_letter_get_key (letter);
  GBytes *payload = co2s_dead_letter_get_payload (letter);
  gsize key_len = 0, len = 0;
  const void *key_data = key != NULL ? g_bytes_get_data (key, &key_len) : NULL;
  const void *data = payload != NULL ? g_bytes_get_data (payload, &len) : NULL;
  rd_kafka_headers_t *hdrs;
  rd_kafka_resp_err_t err;

  hdrs = rd_kafka_headers_new (1);
  rd_kafka_header_add (hdrs, CO2S_DLQ_HEADER_REDRIVE, -1, redrive, -1);
  err = rd_kafka_producev (rk,
                           RD_KAFKA_V_TOPIC (target_topic (opts)),
                           RD_KAFKA_V_VALUE ((void *) data, len),
                           RD_KAFKA_V_KEY ((void *) key_data, key_len),
                           RD_KAFKA_V_HEADERS (hdrs),
                           RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_OPAQUE (GSIZE_TO_POINTER ((gsize) index + 1)),
                           RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      rd_kafka_headers_destroy (hdrs);
      return err;
    }

  hdrs = rd_kafka_headers_new (3);
  rd_kafka_header_add (hdrs, CO2S_DLQ_HEADER_REDRIVEN, -1, ref, -1);
  rd_kafka_header_add (hdrs, CO2S_DLQ_HEADER_REDRIVEN_TO, -1, target_topic (opts), -1);
  rd_kafka_header_add (hdrs, CO2S_DLQ_HEADER_REDRIVE_AT, -1, now, -1);
  err = rd_kafka_producev (rk,
                           RD_KAFKA_V_TOPIC (dlq_topic (opts)),
                           RD_KAFKA_V_PARTITION (partition),
                           RD_KAFKA_V_VALUE (NULL, 0),
                           RD_KAFKA_V_HEADERS (hdrs),
                           RD_KAFKA_V_OPAQUE (NULL),
                           RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    rd_kafka_headers_destroy (hdrs);
  return err;
}

/* Marks every SENT result FAILED with @why (the transaction did not commit). */
static void
fail_sent (GArray *results, const char *why)
{
  for (guint i = 0; i < results->len; i++)
    {
      Co2sRedriveResult *r = &g_array_index (results, Co2sRedriveResult, i);

      if (r->status != CO2S_REDRIVE_SENT)
        continue;
      r->status = CO2S_REDRIVE_FAILED;
      r->partition = -1;
      r->offset = -1;
      g_free (r->detail);
      r->detail = g_strdup (why);
    }
}

/* The transaction of every SENT result: produce, flush, commit; on any
 * failure abort and mark them FAILED. */
static void
run_transaction (rd_kafka_t *rk, const Co2sDlqOptions *opts, GPtrArray *letters, GArray *results)
{
  g_autoptr(GDateTime) now_dt = g_date_time_new_now_utc ();
  g_autofree char *now = g_date_time_format (now_dt, "%Y-%m-%dT%H:%M:%SZ");
  rd_kafka_error_t *kerr;
  g_autofree char *why = NULL;
  gboolean any = FALSE;

  for (guint i = 0; i < results->len; i++)
    any = any || g_array_index (results, Co2sRedriveResult, i).status == CO2S_REDRIVE_SENT;
  if (!any)
    return;

  kerr = rd_kafka_begin_transaction (rk);
  if (kerr != NULL)
    {
      fail_sent (results, rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
      return;
    }
  for (guint i = 0; i < results->len && why == NULL; i++)
    {
      Co2sRedriveResult *r = &g_array_index (results, Co2sRedriveResult, i);
      rd_kafka_resp_err_t err;

      if (r->status != CO2S_REDRIVE_SENT)
        continue;
      err = produce_pair (rk, opts, find_letter (letters, &r->ref), i, now);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        why = g_strdup (rd_kafka_err2str (err));
    }
  if (why == NULL)
    {
      /* Serves the delivery reports here, on this thread. */
      rd_kafka_flush (rk, (int) timeout_ms (opts));
      kerr = rd_kafka_commit_transaction (rk, (int) timeout_ms (opts));
      if (kerr == NULL)
        return;   /* committed: a copy whose delivery failed cannot be in it */
      why = g_strdup (rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
    }
  kerr = rd_kafka_abort_transaction (rk, (int) timeout_ms (opts));
  if (kerr != NULL)
    {
      g_warning ("aborting the redrive transaction: %s", rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
    }
  fail_sent (results, why);
}

GArray *
co2s_dlq_redrive (const Co2sDlqOptions *opts,
                  const Co2sDlqSelection *selection,
                  GCancellable *cancellable,
                  GError **error)
{
  const char * const settings[] = {
    "enable.idempotence", "true",
    "transactional.id", CO2S_DLQ_TRANSACTIONAL_ID,
    "acks", "all",
    NULL,
  };
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) local = NULL;
  Redrive rd = { NULL };
  rd_kafka_error_t *kerr;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;

  g_return_val_if_fail (opts != NULL && opts->brokers != NULL, NULL);
  g_return_val_if_fail (selection != NULL, NULL);
  g_return_val_if_fail (selection->refs != NULL || selection->n_refs == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  results = g_array_new (FALSE, TRUE, sizeof (Co2sRedriveResult));
  g_array_set_clear_func (results, clear_result);
  rd.results = results;

  conf = make_conf (opts, settings, error);
  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_dr_msg_cb (conf, dr_msg_cb);
  rd_kafka_conf_set_opaque (conf, &rd);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &local);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error_literal (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_CONFIG, local->message);
      return NULL;
    }

  /* Fence first: any other redrive's open transaction is aborted, every
   * committed one is visible to the listing below. */
  kerr = rd_kafka_init_transactions (rk, (int) timeout_ms (opts));
  if (kerr != NULL)
    {
      set_txn_error (error, kerr, opts, _("starting the redrive transaction"));
      rd_kafka_error_destroy (kerr);
      rd_kafka_destroy (rk);
      return NULL;
    }
  letters = co2s_dlq_list (opts, cancellable, error);
  if (letters == NULL)
    {
      rd_kafka_destroy (rk);
      return NULL;
    }

  if (selection->refs != NULL)
    for (guint i = 0; i < selection->n_refs; i++)
      {
        const Co2sDlqRef *ref = &selection->refs[i];
        Co2sDeadLetter *letter = find_letter (letters, ref);

        if (letter == NULL)
          add_result (results, ref->partition, ref->offset, CO2S_REDRIVE_NOT_FOUND, NULL);
        else if (co2s_dead_letter_get_redriven (letter) != NULL)
          add_result (results, ref->partition, ref->offset, CO2S_REDRIVE_ALREADY,
                      co2s_dead_letter_get_redriven (letter));
        else
          {
            gboolean dup = FALSE;

            /* The same letter twice in the selection is sent once. */
            for (guint j = 0; j < results->len && !dup; j++)
              dup = g_array_index (results, Co2sRedriveResult, j).ref.partition == ref->partition &&
                    g_array_index (results, Co2sRedriveResult, j).ref.offset == ref->offset;
            if (!dup)
              add_result (results, ref->partition, ref->offset, CO2S_REDRIVE_SENT, NULL);
          }
      }
  else
    for (guint i = 0; i < letters->len; i++)
      {
        Co2sDeadLetter *letter = g_ptr_array_index (letters, i);

        if (selection->reason != NULL && g_strcmp0 (selection->reason, co2s_dead_letter_get_reason (letter)) != 0)
          continue;
        add_result (results, co2s_dead_letter_get_partition (letter), co2s_dead_letter_get_offset (letter),
                    co2s_dead_letter_get_redriven (letter) != NULL ? CO2S_REDRIVE_ALREADY : CO2S_REDRIVE_SENT,
                    co2s_dead_letter_get_redriven (letter));
      }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      rd_kafka_destroy (rk);
      return NULL;
    }
  run_transaction (rk, opts, letters, results);
  rd_kafka_destroy (rk);
  return g_steal_pointer (&results);
}

void
co2s_dlq_count_results (GArray *results,
                        guint *sent,
                        guint *already,
                        guint *not_found,
                        guint *failed)
{
  guint n[4] = { 0 };

  g_return_if_fail (results != NULL);

  for (guint i = 0; i < results->len; i++)
    {
      Co2sRedriveStatus s = g_array_index (results, Co2sRedriveResult, i).status;

      g_assert (s <= CO2S_REDRIVE_FAILED);
      n[s]++;
    }
  if (sent != NULL)
    *sent = n[CO2S_REDRIVE_SENT];
  if (already != NULL)
    *already = n[CO2S_REDRIVE_ALREADY];
  if (not_found != NULL)
    *not_found = n[CO2S_REDRIVE_NOT_FOUND];
  if (failed != NULL)
    *failed = n[CO2S_REDRIVE_FAILED];
}
