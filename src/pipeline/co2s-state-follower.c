/* co2s-state-follower.c — Co2sStateFollower: the state topic read as it
 * grows, committed transactions only. See co2s-state-topic.h. */
#define G_LOG_DOMAIN "co2s-state-topic"

#include "co2s-state-topic.h"

#include <glib/gi18n-lib.h>

#include "co2s-kafka.h"
#include "co2s-state-topic-private.h"

struct _Co2sStateFollower
{
  rd_kafka_t *rk;
  char *topic;
  GHashTable *table;   /* "TOPIC/PARTITION" → Co2sStateEntry */
  GHashTable *homes;   /* key → state-topic partition + 1 */
  guint64 changes;
};

Co2sStateFollower *
co2s_state_follower_new (const char *brokers,
                         const char * const *overrides,
                         const char *topic,
                         GError **error)
{
  static const char * const forced[] = {
    "group.id=co2s-state-follower",
    "isolation.level=read_committed",
    "enable.partition.eof=false",
    "enable.auto.commit=false",
    "enable.auto.offset.store=false",
    NULL,
  };
  g_autoptr(Co2sStateFollower) self = NULL;
  rd_kafka_topic_partition_list_t *assignment;
  rd_kafka_resp_err_t err;
  int n_partitions;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (Co2sStateFollower, 1);
  self->topic = g_strdup (CO2S_STATE_TOPIC_OR_DEFAULT (topic));
  self->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) co2s_state_entry_free);
  self->homes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rk = co2s_kafka_side_consumer_new (brokers, NULL, overrides, forced, _co2s_state_on_log, error);
  if (self->rk == NULL)
    return NULL;
  n_partitions = _co2s_state_partition_count (self->rk, self->topic, brokers, TRUE,
                                              g_get_monotonic_time () +
                                              (gint64) CO2S_STATE_TIMEOUT_MS * 1000, error);
  if (n_partitions < 0)
    return NULL;
  assignment = rd_kafka_topic_partition_list_new (n_partitions);
  for (int i = 0; i < n_partitions; i++)
    rd_kafka_topic_partition_list_add (assignment, self->topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  err = rd_kafka_assign (self->rk, assignment);
  rd_kafka_topic_partition_list_destroy (assignment);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                   _("Cannot read state topic %s: %s"), self->topic, rd_kafka_err2str (err));
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
co2s_state_follower_free (Co2sStateFollower *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rk, rd_kafka_destroy);
  g_clear_pointer (&self->table, g_hash_table_unref);
  g_clear_pointer (&self->homes, g_hash_table_unref);
  g_free (self->topic);
  g_free (self);
}

gboolean
co2s_state_follower_poll (Co2sStateFollower *self, int timeout_ms, GError **error)
{
  rd_kafka_message_t *m;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while ((m = rd_kafka_consumer_poll (self->rk, timeout_ms)) != NULL)
    {
      gboolean ok = TRUE;

      timeout_ms = 0;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          ok = _co2s_state_apply_record (self->table, self->homes, self->topic, m, TRUE, error);
          self->changes++;
        }
      else if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
               m->err == RD_KAFKA_RESP_ERR__FATAL)
        {
          g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                       _("Cannot read state topic %s: %s"), self->topic, rd_kafka_message_errstr (m));
          ok = FALSE;
        }
      /* Anything else is transient: librdkafka retries. */
      rd_kafka_message_destroy (m);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

void
co2s_state_follower_absorb (Co2sStateFollower *self, GHashTable *loaded)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (self != NULL);
  g_return_if_fail (loaded != NULL);

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Co2sStateEntry *entry = value;
      const Co2sStateEntry *have = g_hash_table_lookup (self->table, key);
      Co2sStateEntry *copy;

      if (have != NULL && have->next_offset >= entry->next_offset)
        continue;
      copy = g_new0 (Co2sStateEntry, 1);
      copy->topic = g_strdup (entry->topic);
      copy->partition = entry->partition;
      copy->next_offset = entry->next_offset;
      copy->state = g_bytes_ref (entry->state);
      g_hash_table_insert (self->table, g_strdup (key), copy);
      self->changes++;
    }
}

GHashTable *
co2s_state_follower_get_states (Co2sStateFollower *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->table;
}

guint64
co2s_state_follower_get_changes (Co2sStateFollower *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->changes;
}
