/* co2s-state-topic.c — the state topic: its records' key, creating it
 * compacted, reading the latest committed state of each key. The writer is
 * co2s-state-writer.c. See co2s-state-topic.h. */
#define G_LOG_DOMAIN "co2s-state-topic"

#include "co2s-state-topic.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "co2s-kafka.h"
#include "co2s-state-topic-private.h"

G_DEFINE_QUARK (co2s-state-error-quark, co2s_state_error)

/* ---- shared helpers -------------------------------------------------------- */

/* librdkafka's log lines: never g_warning (tests run with fatal warnings);
 * failures reach the caller as GErrors. */
void
_co2s_state_on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  if (level <= 4)
    g_message ("librdkafka %s: %s", fac, buf);
  else
    g_debug ("librdkafka %s: %s", fac, buf);
}

rd_kafka_conf_t *
co2s_state_conf_new (const char *brokers, const char * const *overrides,
                     const char * const *forced, GError **error)
{
  rd_kafka_conf_t *conf = co2s_kafka_conf_new_layered (brokers, NULL, overrides, forced, error);

  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_log_cb (conf, _co2s_state_on_log);
  return conf;
}

char *
co2s_state_key (const char *topic, gint32 partition)
{
  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (partition >= 0, NULL);

  return g_strdup_printf ("%s/%" G_GINT32_FORMAT, topic, partition);
}

/* Splits "TOPIC/PARTITION"; FALSE when @key is not of that form. */
static gboolean
parse_key (const char *key, gsize len, char **topic, gint32 *partition)
{
  const char *slash = NULL;
  g_autofree char *digits = NULL;
  guint64 value;

  for (gsize i = len; i > 0 && slash == NULL; i--)
    if (key[i - 1] == '/')
      slash = key + i - 1;
  if (slash == NULL || slash == key || slash + 1 == key + len)
    return FALSE;
  digits = g_strndup (slash + 1, key + len - slash - 1);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT32, &value, NULL))
    return FALSE;
  *topic = g_strndup (key, slash - key);
  *partition = (gint32) value;
  return TRUE;
}

/* See co2s-state-topic-private.h: a topic just created may be unknown
 * for a moment. */
int
_co2s_state_partition_count (rd_kafka_t *rk, const char *topic, const char *brokers,
                             gboolean unknown_is_final, gint64 deadline, GError **error)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
  int count = -1;

  while (count < 0)
    {
      const struct rd_kafka_metadata *md = NULL;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;

      last = rd_kafka_metadata (rk, 0, rkt, &md, (int) CLAMP (left_ms, 1, 10000));
      if (last == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          const struct rd_kafka_metadata_topic *t = &md->topics[0];
          gboolean led = t->partition_cnt > 0;

          for (int i = 0; i < t->partition_cnt; i++)
            led = led && t->partitions[i].leader >= 0;
          last = t->err;
          if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR && led)
            count = t->partition_cnt;
          rd_kafka_metadata_destroy (md);
        }
      if (count < 0 && ((unknown_is_final && last == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) ||
                        g_get_monotonic_time () >= deadline))
        break;
      if (count < 0)
        g_usleep (50 * 1000);
    }
  rd_kafka_topic_destroy (rkt);

  if (count < 0 && last == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_NO_TOPIC,
                 _("State topic %s does not exist on %s; it is created by the first trainer "
                   "that saves state there, or check the topic name"),
                 topic, brokers != NULL ? brokers : "localhost");
  else if (count < 0)
    g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                 _("State topic %s on %s: no partition leaders in time (%s); is the broker running?"),
                 topic, brokers != NULL ? brokers : "localhost", rd_kafka_err2str (last));
  return count;
}

/* ---- creating the topic ---------------------------------------------------- */

/* Waits on @queue for the admin result @type; NULL at @deadline. */
static rd_kafka_event_t *
wait_admin (rd_kafka_queue_t *queue, rd_kafka_event_type_t type, gint64 deadline)
{
  while (g_get_monotonic_time () < deadline)
    {
      rd_kafka_event_t *ev = rd_kafka_queue_poll (queue, 100);

      if (ev != NULL && rd_kafka_event_type (ev) == type)
        return ev;
      if (ev != NULL)
        rd_kafka_event_destroy (ev);
    }
  return NULL;
}

/* The topic's cleanup.policy into *@policy (NULL when the broker does not
 * give it yet); FALSE with @error when it cannot be asked. */
static gboolean
describe_policy (rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic, gint64 deadline,
                 char **policy, GError **error)
{
  rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new (RD_KAFKA_RESOURCE_TOPIC, topic);
  const rd_kafka_ConfigResource_t **results;
  rd_kafka_event_t *ev;
  size_t n = 0;

  rd_kafka_DescribeConfigs (rk, &res, 1, NULL, queue);
  rd_kafka_ConfigResource_destroy (res);
  ev = wait_admin (queue, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, deadline);
  if (ev == NULL || rd_kafka_event_error (ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                   _("Cannot read the configuration of state topic %s: %s"), topic,
                   ev != NULL ? rd_kafka_event_error_string (ev) : _("no answer in time"));
      g_clear_pointer (&ev, rd_kafka_event_destroy);
      return FALSE;
    }
  results = rd_kafka_DescribeConfigs_result_resources (rd_kafka_event_DescribeConfigs_result (ev), &n);
  *policy = NULL;
  for (size_t i = 0; i < n && *policy == NULL; i++)
    {
      size_t n_configs = 0;
      const rd_kafka_ConfigEntry_t **configs = rd_kafka_ConfigResource_configs (results[i], &n_configs);

      for (size_t j = 0; j < n_configs && *policy == NULL; j++)
        if (strcmp (rd_kafka_ConfigEntry_name (configs[j]), "cleanup.policy") == 0)
          *policy = g_strdup (rd_kafka_ConfigEntry_value (configs[j]));
    }
  rd_kafka_event_destroy (ev);
  return TRUE;
}

/* The topic exists: its cleanup.policy must include compact. A topic
 * another client created a moment ago may not show its configuration yet:
 * asked again until @deadline. */
static gboolean
check_compacted (rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic, gint64 deadline,
                 GError **error)
{
  g_autofree char *policy = NULL;

  while (describe_policy (rk, queue, topic, deadline, &policy, error) && policy == NULL &&
         g_get_monotonic_time () + 100 * 1000 < deadline)
    g_usleep (100 * 1000);
  if (error != NULL && *error != NULL)
    return FALSE;

  if (policy == NULL || strstr (policy, "compact") == NULL)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_NOT_COMPACTED,
                   _("State topic %s exists with cleanup.policy=%s: retention would delete the "
                     "saved states; set cleanup.policy=compact on it or choose another topic"),
                   topic, policy != NULL ? policy : "?");
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_state_topic_ensure (const char *brokers,
                         const char * const *overrides,
                         const char *topic,
                         int partitions,
                         GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) CO2S_STATE_TIMEOUT_MS * 1000;
  rd_kafka_NewTopic_t *new_topic;
  const rd_kafka_topic_result_t **created;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  g_autofree char *errstr = NULL;
  rd_kafka_queue_t *queue;
  rd_kafka_event_t *ev;
  rd_kafka_conf_t *conf;
  gboolean ok = TRUE;
  rd_kafka_t *rk;
  char buf[512];
  size_t n = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  topic = CO2S_STATE_TOPIC_OR_DEFAULT (topic);
  conf = co2s_state_conf_new (brokers, overrides, NULL, error);
  if (conf == NULL)
    return FALSE;
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  queue = rd_kafka_queue_new (rk);

  /* A broker that is busy (a controller moving, a request timing out) is
   * asked again until the deadline; any other answer is final. */
  for (;;)
    {
      new_topic = rd_kafka_NewTopic_new (topic, partitions > 0 ? partitions : 1, -1, buf, sizeof buf);
      g_assert (new_topic != NULL);
      if (rd_kafka_NewTopic_set_config (new_topic, "cleanup.policy", "compact") != RD_KAFKA_RESP_ERR_NO_ERROR)
        g_assert_not_reached ();
      rd_kafka_CreateTopics (rk, &new_topic, 1, NULL, queue);
      rd_kafka_NewTopic_destroy (new_topic);

      g_clear_pointer (&errstr, g_free);
      ev = wait_admin (queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT, deadline);
      if (ev == NULL)
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
      else if ((err = rd_kafka_event_error (ev)) != RD_KAFKA_RESP_ERR_NO_ERROR)
        errstr = g_strdup (rd_kafka_event_error_string (ev));
      else
        {
          created = rd_kafka_CreateTopics_result_topics (rd_kafka_event_CreateTopics_result (ev), &n);
          if (n == 1 && (err = rd_kafka_topic_result_error (created[0])) != RD_KAFKA_RESP_ERR_NO_ERROR)
            errstr = g_strdup (rd_kafka_topic_result_error_string (created[0]));
        }
      g_clear_pointer (&ev, rd_kafka_event_destroy);
      if (!(err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT || err == RD_KAFKA_RESP_ERR_NOT_CONTROLLER ||
            err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE ||
            err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE) ||
          g_get_monotonic_time () + 500 * 1000 >= deadline)
        break;
      g_message ("creating state topic %s: %s; asking again", topic,
                 errstr != NULL ? errstr : rd_kafka_err2str (err));
      g_usleep (500 * 1000);
    }

  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    ok = check_compacted (rk, queue, topic, deadline, error);
  else if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                   _("Cannot create state topic %s on %s: %s"), topic,
                   brokers != NULL ? brokers : "localhost",
                   errstr != NULL ? errstr : rd_kafka_err2str (err));
      ok = FALSE;
    }
  /* Created (or there): usable once every partition has a leader. */
  if (ok)
    ok = _co2s_state_partition_count (rk, topic, brokers, FALSE, deadline, error) > 0;

  rd_kafka_queue_destroy (queue);
  rd_kafka_destroy (rk);
  return ok;
}

/* ---- reading --------------------------------------------------------------- */

void
co2s_state_entry_free (Co2sStateEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->topic);
  g_clear_pointer (&entry->state, g_bytes_unref);
  g_free (entry);
}

/* The next-offset header of @m, or -1 when absent or malformed. */
static gint64
next_offset_of (const rd_kafka_message_t *m)
{
  rd_kafka_headers_t *headers = NULL;
  const void *value = NULL;
  size_t size = 0;
  g_autofree char *text = NULL;
  gint64 offset;

  if (rd_kafka_message_headers (m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_header_get_last (headers, CO2S_STATE_HEADER_NEXT_OFFSET, &value, &size) !=
        RD_KAFKA_RESP_ERR_NO_ERROR || value == NULL)
    return -1;
  text = g_strndup (value, size);
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &offset, NULL))
    return -1;
  return offset;
}

gboolean
_co2s_state_apply_record (GHashTable *table, GHashTable *homes, const char *state_topic,
                          const rd_kafka_message_t *m, gboolean forward_only, GError **error)
{
  g_autofree char *key = NULL;
  g_autofree char *topic = NULL;
  gint32 partition = -1;
  gint64 next_offset = -1;
  gpointer home;

  if (m->key == NULL || m->key_len == 0 ||
      !g_utf8_validate_len (m->key, m->key_len, NULL) ||
      !parse_key (m->key, m->key_len, &topic, &partition) ||
      (m->payload != NULL && (next_offset = next_offset_of (m)) < 0))
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_INVALID,
                   _("State topic %s [%d] at offset %lld: not a state record (it needs a key "
                     "TOPIC/PARTITION and a header %s with the next offset); remove it or use "
                     "another state topic"),
                   state_topic, (int) m->partition, (long long) m->offset,
                   CO2S_STATE_HEADER_NEXT_OFFSET);
      return FALSE;
    }
  key = g_strndup (m->key, m->key_len);
  home = g_hash_table_lookup (homes, key);
  if (home != NULL && GPOINTER_TO_INT (home) != m->partition + 1)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_INVALID,
                   _("State topic %s: key %s is in partitions %d and %d; was the topic’s "
                     "partition count changed? The latest state cannot be told; use a new "
                     "state topic"),
                   state_topic, key, GPOINTER_TO_INT (home) - 1, (int) m->partition);
      return FALSE;
    }
  g_hash_table_insert (homes, g_strdup (key), GINT_TO_POINTER (m->partition + 1));

  if (m->payload == NULL)
    g_hash_table_remove (table, key);
  else
    {
      Co2sStateEntry *entry;
      const Co2sStateEntry *have = forward_only ? g_hash_table_lookup (table, key) : NULL;

      if (have != NULL && have->next_offset > next_offset)
        return TRUE;
      entry = g_new0 (Co2sStateEntry, 1);

      entry->topic = g_steal_pointer (&topic);
      entry->partition = partition;
      entry->next_offset = next_offset;
      entry->state = g_bytes_new (m->payload, m->len);
      g_hash_table_insert (table, g_steal_pointer (&key), entry);
    }
  return TRUE;
}

/* The high watermark of each of the @n partitions of @topic now: the
 * offset after its last record, committed, aborted or undecided. NULL with
 * @error. */
static gint64 *
end_offsets (const char *brokers, const char * const *overrides, const char *topic, int n,
             gint64 deadline, GError **error)
{
  static const char * const forced[] = { "isolation.level=read_uncommitted", NULL };
  g_autofree gint64 *ends = g_new0 (gint64, MAX (n, 1));
  rd_kafka_t *rk = co2s_kafka_side_consumer_new (brokers, NULL, overrides, forced,
                                                 _co2s_state_on_log, error);

  if (rk == NULL)
    return NULL;
  for (int i = 0; i < n; i++)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      rd_kafka_resp_err_t err = co2s_kafka_query_watermarks (rk, topic, i, NULL, &ends[i],
                                                             (int) CLAMP (left_ms, 1, G_MAXINT));

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, CO2S_STATE_ERROR,
                       err == RD_KAFKA_RESP_ERR__TIMED_OUT ? CO2S_STATE_ERROR_TIMED_OUT
                                                           : CO2S_STATE_ERROR_FAILED,
                       _("Cannot read state topic %s: the end of partition %d: %s"), topic, i,
                       rd_kafka_err2str (err));
          rd_kafka_destroy (rk);
          return NULL;
        }
    }
  rd_kafka_destroy (rk);
  return g_steal_pointer (&ends);
}

GHashTable *
co2s_state_topic_load (const char *brokers,
                       const char * const *overrides,
                       const char *topic,
                       int timeout_ms,
                       GError **error)
{
  /* The reader's own settings, after the user's: a group only because
   * rd_kafka_assign needs one (it never joins nor commits). */
  static const char * const forced[] = {
    "group.id=co2s-state-reader",
    "isolation.level=read_committed",
    "enable.partition.eof=true",
    "enable.auto.commit=false",
    "enable.auto.offset.store=false",
    NULL,
  };
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GHashTable) homes = NULL;
  g_autofree gboolean *at_end = NULL;
  g_autofree gint64 *ends = NULL;
  rd_kafka_topic_partition_list_t *assignment;
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
  gint64 deadline;
  int n_partitions, n_at_end = 0;
  rd_kafka_t *rk;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  topic = CO2S_STATE_TOPIC_OR_DEFAULT (topic);
  deadline = g_get_monotonic_time () +
             (gint64) (timeout_ms > 0 ? timeout_ms : CO2S_STATE_TIMEOUT_MS) * 1000;
  rk = co2s_kafka_side_consumer_new (brokers, NULL, overrides, forced, _co2s_state_on_log, error);
  if (rk == NULL)
    return NULL;

  n_partitions = _co2s_state_partition_count (rk, topic, brokers, TRUE, deadline, error);
  if (n_partitions < 0)
    {
      rd_kafka_destroy (rk);
      return NULL;
    }
  assignment = rd_kafka_topic_partition_list_new (n_partitions);
  for (int i = 0; i < n_partitions; i++)
    rd_kafka_topic_partition_list_add (assignment, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  last = rd_kafka_assign (rk, assignment);
  rd_kafka_topic_partition_list_destroy (assignment);
  if (last != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                   _("Cannot read state topic %s: %s"), topic, rd_kafka_err2str (last));
      rd_kafka_destroy (rk);
      return NULL;
    }

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) co2s_state_entry_free);
  homes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  at_end = g_new0 (gboolean, n_partitions);
  ends = end_offsets (brokers, overrides, topic, n_partitions, deadline, error);
  if (ends == NULL)
    {
      rd_kafka_destroy (rk);
      return NULL;
    }

  /* To the end of every partition: for read_committed, librdkafka reports
   * the end (PARTITION_EOF) at the last stable offset, with that offset.
   * A transaction committed just before this call may not have its marker
   * yet: the last stable offset is then still before its records. So a
   * partition is at its end only at or past its end of now (@ends, all
   * records written, decided or not): every transaction written before
   * this call is then decided and read. */
  while (n_at_end < n_partitions && g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (rk, 100);
      gboolean ok = TRUE;

      if (m == NULL)
        continue;
      if (m->partition >= 0 && m->partition < n_partitions && m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          n_at_end -= at_end[m->partition];
          at_end[m->partition] = FALSE;
          ok = _co2s_state_apply_record (table, homes, topic, m, FALSE, error);
        }
      else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->partition >= 0 &&
               m->partition < n_partitions && m->offset >= ends[m->partition])
        {
          n_at_end += !at_end[m->partition];
          at_end[m->partition] = TRUE;
        }
      else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        ; /* at the last stable offset, before a transaction still undecided */
      else if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
               m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
               m->err == RD_KAFKA_RESP_ERR__FATAL)
        {
          g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                       _("Cannot read state topic %s: %s"), topic, rd_kafka_message_errstr (m));
          ok = FALSE;
        }
      else
        last = m->err;   /* transient: librdkafka retries */
      rd_kafka_message_destroy (m);
      if (!ok)
        {
          rd_kafka_destroy (rk);
          return NULL;
        }
    }
  rd_kafka_destroy (rk);

  if (n_at_end < n_partitions)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_TIMED_OUT,
                   _("State topic %s: %d of %d partitions not read to their end in time%s%s; "
                     "is the broker reachable?"),
                   topic, n_partitions - n_at_end, n_partitions,
                   last != RD_KAFKA_RESP_ERR_NO_ERROR ? ": " : "",
                   last != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str (last) : "");
      return NULL;
    }
  return g_steal_pointer (&table);
}
