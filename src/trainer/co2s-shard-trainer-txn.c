/* co2s-shard-trainer-txn.c — the scale-out trainer's Kafka side: clients,
 * rebalances (states loaded on assignment, committed on revocation), the
 * transactions that commit states, metrics lines and offsets together,
 * the other trainers' states and the merged model. See
 * co2s-shard-trainer.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-shard-trainer-private.h"

/* ---- states ----------------------------------------------------------------- */

/* @cp's models, by name, are the options'. */
static gboolean
check_models (Co2sShardTrainer *self, const Co2sCheckpoint *cp, gint32 partition, GError **error)
{
  Co2sModelSpec have[CO2S_MAX_MODELS];
  g_autofree char *have_name = NULL;
  g_autofree char *want_name = co2s_model_spec_list_to_string (self->opts.models, self->opts.n_models);

  for (guint i = 0; i < cp->models->len && i < CO2S_MAX_MODELS; i++)
    co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &have[i]);
  have_name = co2s_model_spec_list_to_string (have, MIN (cp->models->len, CO2S_MAX_MODELS));
  if (strcmp (have_name, want_name) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("state topic %s holds %s models for %s [%d], not %s: run every trainer of the "
                 "group with --algo %s, or use a new --state-topic and --group"),
               self->opts.state_topic, have_name, self->opts.topic, (int) partition, want_name, have_name);
  return FALSE;
}

/* A partition's state from its bytes. */
static Co2sCheckpoint *
parse_state (Co2sShardTrainer *self, GBytes *bytes, gint32 partition, GError **error)
{
  g_autofree char *origin = g_strdup_printf ("%s: state of %s [%d]", self->opts.state_topic,
                                             self->opts.topic, (int) partition);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_parse (data, len, origin, error);

  if (cp == NULL || !check_models (self, cp, partition, error))
    return NULL;
  return g_steal_pointer (&cp);
}

/* Puts @shard back to its last committed state and offset. */
static void
roll_back (Co2sShardTrainer *self, Co2sShard *shard)
{
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *cp = NULL;

  if (shard->committed != NULL)
    cp = parse_state (self, shard->committed, shard->partition, &error);
  /* It parsed when it was committed or loaded. */
  g_assert (shard->committed == NULL || cp != NULL);
  co2s_checkpoint_free (shard->cp);
  shard->cp = cp != NULL ? cp : co2s_checkpoint_new_for_specs (self->opts.models, self->opts.n_models);
  shard->expected = shard->committed_next >= 0 ? shard->committed_next : -1;
  shard->seeking = shard->expected >= 0;
  co2s_batch_clear (shard->batch);
  g_array_set_size (shard->pending, 0);
  g_array_set_size (shard->ages, 0);
}

static gboolean make_writer (Co2sShardTrainer *self, GError **error);

/* Every partition back to its last commit, and the consumer with them. */
static void
roll_back_all (Co2sShardTrainer *self)
{
  rd_kafka_topic_partition_list_t *seek = rd_kafka_topic_partition_list_new (self->shards->len);
  rd_kafka_error_t *kerr;

  for (guint i = 0; i < self->shards->len; i++)
    {
      Co2sShard *shard = g_ptr_array_index (self->shards, i);

      roll_back (self, shard);
      rd_kafka_topic_partition_list_add (seek, self->opts.topic, shard->partition)->offset =
        shard->committed_next;
    }
  self->pending_since_us = 0;
  self->rollbacks++;
  if (seek->cnt > 0 && (kerr = rd_kafka_seek_partitions (self->consumer, seek, 10000)) != NULL)
    {
      _co2s_shard_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                        _("cannot go back to the committed offsets "
                                                          "of %s: %s"), self->opts.topic,
                                                        rd_kafka_error_string (kerr)));
      rd_kafka_error_destroy (kerr);
    }
  rd_kafka_topic_partition_list_destroy (seek);
}

/* ---- the merged model ---------------------------------------------------------- */

/* Every state known: this trainer's partitions, then the others'. */
static GPtrArray *
known_states (Co2sShardTrainer *self)
{
  GPtrArray *parts = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < self->shards->len; i++)
    g_ptr_array_add (parts, ((Co2sShard *) g_ptr_array_index (self->shards, i))->cp);
  g_hash_table_iter_init (&iter, self->others);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (parts, ((ShardOther *) value)->cp);
  return parts;
}

void
_co2s_shard_trainer_clear_others_merged (Co2sShardTrainer *self)
{
  for (guint i = 0; i < CO2S_MAX_MODELS; i++)
    g_clear_object (&self->others_merged[i]);
  self->n_others_merged = 0;
  self->others_merged_generation = G_MAXUINT64;
}

/* self->others_merged up to date with self->others. */
static gboolean
update_others_merged (Co2sShardTrainer *self, GError **error)
{
  g_autoptr(GPtrArray) parts = NULL;
  GHashTableIter iter;
  gpointer value;
  gint64 now_us = g_get_monotonic_time ();

  if (self->others_merged_generation == self->others_generation)
    return TRUE;
  if (self->others_merged_generation != G_MAXUINT64 && !self->others_merged_stale &&
      now_us - self->others_merged_at_us < SHARD_OTHERS_MERGE_INTERVAL_US)
    return TRUE;
  _co2s_shard_trainer_clear_others_merged (self);
  parts = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->others);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (parts, ((ShardOther *) value)->cp);
  if (parts->len > 0 &&
      !co2s_checkpoint_merge_models ((Co2sCheckpoint *const *) parts->pdata, parts->len,
                                     self->others_merged, error))
    return FALSE;
  self->n_others_merged = parts->len;
  self->others_merged_generation = self->others_generation;
  self->others_merged_at_us = now_us;
  self->others_merged_stale = FALSE;
  return TRUE;
}

gboolean
_co2s_shard_trainer_merged_models (Co2sShardTrainer *self, Co2sModel **out, gboolean *have,
                                   GError **error)
{
  guint n_models;
  g_autofree Co2sModel **column = NULL;

  g_assert (self->shards->len > 0);
  *have = FALSE;
  if (!update_others_merged (self, error))
    return FALSE;
  if (self->shards->len + self->n_others_merged <= 1)
    return TRUE;

  /* Every state has this trainer's models (check_models). */
  n_models = ((Co2sShard *) g_ptr_array_index (self->shards, 0))->cp->models->len;
  column = g_new (Co2sModel *, self->shards->len + 1);
  for (guint i = 0; i < n_models; i++)
    {
      guint n = 0;

      if (self->n_others_merged > 0)
        column[n++] = self->others_merged[i];
      for (guint k = 0; k < self->shards->len; k++)
        column[n++] = co2s_checkpoint_get_model (((Co2sShard *) g_ptr_array_index (self->shards, k))->cp, i)->model;
      out[i] = co2s_model_new_merged (column, n, error);
      if (out[i] == NULL)
        {
          for (guint j = 0; j < i; j++)
            g_clear_object (&out[j]);
          return FALSE;
        }
    }
  *have = TRUE;
  return TRUE;
}

gboolean
_co2s_shard_trainer_write_model (Co2sShardTrainer *self, GError **error)
{
  g_autoptr(GPtrArray) parts = known_states (self);
  g_autoptr(Co2sCheckpoint) merged = NULL;

  if (parts->len == 0)
    return TRUE;
  merged = co2s_checkpoint_merge ((Co2sCheckpoint *const *) parts->pdata, parts->len, error);
  if (merged == NULL)
    return FALSE;
  g_free (merged->topic);
  merged->topic = g_strdup (self->opts.topic);
  if (self->cluster_id != NULL && merged->cluster_id == NULL)
    merged->cluster_id = g_strdup (self->cluster_id);
  merged->updated_at_us = g_get_real_time ();
  if (!co2s_checkpoint_save (merged, self->own_model_path, error) ||
      (_co2s_shard_trainer_find (self, 0) != NULL &&
       !co2s_checkpoint_save (merged, self->model_path, error)))
    return FALSE;
  self->model_dirty = FALSE;
  self->next_model_write_us = g_get_monotonic_time () + SHARD_MODEL_WRITE_INTERVAL_US;
  return TRUE;
}

gboolean
_co2s_shard_trainer_refresh_others (Co2sShardTrainer *self, GError **error)
{
  GHashTableIter iter;
  gpointer value;

  if (!co2s_state_follower_poll (self->follower, 0, error))
    return FALSE;
  if (co2s_state_follower_get_changes (self->follower) == self->follower_changes)
    return TRUE;
  self->follower_changes = co2s_state_follower_get_changes (self->follower);

  g_hash_table_iter_init (&iter, co2s_state_follower_get_states (self->follower));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Co2sStateEntry *entry = value;
      ShardOther *other;
      Co2sCheckpoint *cp;

      if (strcmp (entry->topic, self->opts.topic) != 0 ||
          _co2s_shard_trainer_find (self, entry->partition) != NULL)
        continue;
      other = g_hash_table_lookup (self->others, GINT_TO_POINTER (entry->partition));
      if (other != NULL && other->next_offset == entry->next_offset)
        continue;
      cp = parse_state (self, entry->state, entry->partition, error);
      if (cp == NULL)
        return FALSE;
      other = g_new0 (ShardOther, 1);
      other->next_offset = entry->next_offset;
      other->cp = cp;
      g_hash_table_replace (self->others, GINT_TO_POINTER (entry->partition), other);
      self->others_generation++;
      self->model_dirty = TRUE;
    }
  return TRUE;
}

/* ---- transactions ------------------------------------------------------------------ */

/* One metrics line: @p's, numbered as this trainer's line @local, with
 * whose batch it is. */
static void
append_line (Co2sShardTrainer *self, const Co2sShard *shard, const ShardPending *p, guint64 local,
             gint64 now_us)
{
  Co2sBatchMetrics m = p->m;

  const Co2sLatencyBucket *ages =
    p->ages_len > 0 ? &g_array_index (shard->ages, Co2sLatencyBucket, p->ages_start) : NULL;
  gint64 wait_us = MAX (now_us - p->closed_us, 0);

  m.batch = local;
  m.latency_ms_p50 = p->has_emit ? (now_us - p->median_emit_us) / 1000.0 : m.latency_ms_p50;
  m.latency_ms_max = p->has_emit ? (now_us - p->min_emit_us) / 1000.0 : m.latency_ms_max;
  /* From the emit to this transaction, which makes the batch durable. */
  m.latency_p50_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.5);
  m.latency_p99_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.99);
  m.latency_p999_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.999);
  co2s_batch_metrics_to_json (&m, self->lines);
  /* The line ends with "}\n": whose batch it is goes before. The trainer
   * id is [A-Za-z0-9._-] (main.c), nothing to escape. */
  g_assert (self->lines->len >= 2 && self->lines->str[self->lines->len - 2] == '}');
  g_string_truncate (self->lines, self->lines->len - 2);
  g_string_append_printf (self->lines, ",\"partition\":%d,\"partition_batch\":%" G_GUINT64_FORMAT
                          ",\"trainer\":\"%s\"}\n", (int) shard->partition, p->partition_batch,
                          self->opts.trainer_id);
}

/* One transaction of every partition that learned: FALSE with @error only
 * when the writer is dead; an aborted one leaves @aborted set. */
static gboolean
try_commit (Co2sShardTrainer *self, GPtrArray *dirty, GPtrArray *bytes, gboolean *aborted, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  rd_kafka_consumer_group_metadata_t *metadata;
  guint64 local = self->local_batches;
  gint64 now_us = g_get_real_time ();
  gsize start = 0;
  gboolean ok;

  *aborted = FALSE;
  g_string_truncate (self->lines, 0);
  g_ptr_array_set_size (bytes, 0);
  if (!co2s_state_writer_begin (self->writer, &local_error))
    goto failed;
  for (guint i = 0; i < dirty->len; i++)
    {
      Co2sShard *shard = g_ptr_array_index (dirty, i);
      g_autofree char *json = NULL;
      gsize len;

      shard->cp->updated_at_us = now_us;
      g_free (shard->cp->topic);
      shard->cp->topic = g_strdup (self->opts.topic);
      json = co2s_checkpoint_to_json (shard->cp);
      len = strlen (json);
      g_ptr_array_add (bytes, g_bytes_new_take (g_steal_pointer (&json), len));
      /* Where its learned batches end (the open batch's rows come later). */
      if (!co2s_state_writer_put (self->writer, self->opts.topic, shard->partition,
                                  co2s_checkpoint_get_offset (shard->cp, shard->partition),
                                  g_ptr_array_index (bytes, i), &local_error))
        goto failed;
      for (guint k = 0; k < shard->pending->len; k++)
        {
          const ShardPending *p = &g_array_index (shard->pending, ShardPending, k);
          char key[48];

          append_line (self, shard, p, ++local, now_us);
          g_snprintf (key, sizeof key, "%d/%" G_GUINT64_FORMAT, (int) shard->partition, p->partition_batch);
          if (!co2s_state_writer_send (self->writer, CO2S_TOPIC_METRICS, key, self->lines->str + start,
                                       self->lines->len - start - 1, &local_error))
            goto failed;
          start = self->lines->len;
        }
    }
  metadata = rd_kafka_consumer_group_metadata (self->consumer);
  ok = co2s_state_writer_commit (self->writer, NULL, metadata, &local_error);
  rd_kafka_consumer_group_metadata_destroy (metadata);
  if (ok)
    return TRUE;

failed:
  if (g_error_matches (local_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED) ||
      g_error_matches (local_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FATAL))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Anything else: whatever is open is aborted, and it may be tried again. */
  g_message ("state transaction of %s: %s", self->transactional_id, local_error->message);
  if (!g_error_matches (local_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED))
    {
      g_autoptr(GError) abort_error = NULL;

      if (!co2s_state_writer_abort (self->writer, &abort_error) &&
          (g_error_matches (abort_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED) ||
           g_error_matches (abort_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FATAL)))
        {
          g_propagate_error (error, g_steal_pointer (&abort_error));
          return FALSE;
        }
    }
  *aborted = TRUE;
  self->aborted++;
  return TRUE;
}

gboolean
_co2s_shard_trainer_commit (Co2sShardTrainer *self, GError **error)
{
  g_autoptr(GPtrArray) dirty = g_ptr_array_new ();
  g_autoptr(GPtrArray) bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 started_us = g_get_monotonic_time ();
  guint n_lines = 0;

  for (guint i = 0; i < self->shards->len; i++)
    {
      Co2sShard *shard = g_ptr_array_index (self->shards, i);

      if (shard->pending->len > 0)
        {
          g_ptr_array_add (dirty, shard);
          n_lines += shard->pending->len;
        }
    }
  self->pending_since_us = 0;
  if (dirty->len == 0)
    return TRUE;

  for (guint attempt = 1; attempt <= CO2S_SHARD_TXN_ATTEMPTS; attempt++)
    {
      gboolean aborted = FALSE;
      gint64 began_us = g_get_monotonic_time ();
      g_autoptr(GError) local_error = NULL;

      if (!try_commit (self, dirty, bytes, &aborted, &local_error))
        {
          /* Open for longer than its timeout (the broker was away): the
           * coordinator aborted it and bumped the epoch, which librdkafka
           * 2.0 reports as a fence. Not another trainer of this id (which
           * fences a transaction within its time): a new writer, and every
           * partition from its last commit. */
          if (g_error_matches (local_error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED) &&
              g_get_monotonic_time () - began_us >= (gint64) SHARD_TXN_TIMEOUT_MS * 1000)
            {
              g_message ("the state transaction of %s was open longer than its %d ms timeout, and "
                         "the coordinator ended it (%s): a new state writer; every partition goes "
                         "back to its last committed state (%u batch(es) to redo)",
                         self->transactional_id, SHARD_TXN_TIMEOUT_MS, local_error->message, n_lines);
              g_clear_pointer (&self->writer, co2s_state_writer_free);
              self->writer_restarts++;
              if (!make_writer (self, error))
                return FALSE;
              roll_back_all (self);
              return TRUE;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (aborted)
        continue;

      self->transactions++;
      for (guint i = 0; i < dirty->len; i++)
        {
          Co2sShard *shard = g_ptr_array_index (dirty, i);

          g_clear_pointer (&shard->committed, g_bytes_unref);
          shard->committed = g_bytes_ref (g_ptr_array_index (bytes, i));
          shard->committed_next = co2s_checkpoint_get_offset (shard->cp, shard->partition);
          for (guint k = 0; k < shard->pending->len; k++)
            {
              const Co2sBatchMetrics *m = &g_array_index (shard->pending, ShardPending, k).m;
              char rmse[G_ASCII_DTOSTR_BUF_SIZE] = "n/a", mae[G_ASCII_DTOSTR_BUF_SIZE] = "n/a";

              if (isfinite (m->rmse))
                g_ascii_formatd (rmse, sizeof rmse, "%.2f", m->rmse);
              if (isfinite (m->mae))
                g_ascii_formatd (mae, sizeof mae, "%.2f", m->mae);
              printf (CO2S_TRAINER_BATCH_LINE_FORMAT, ++self->local_batches, m->rows, rmse,
                      isfinite (m->rmse) ? " g/km" : "", mae, m->rows_seen);
            }
          g_array_set_size (shard->pending, 0);
          g_array_set_size (shard->ages, 0);
        }
      fflush (stdout);
      self->model_dirty = TRUE;
      /* Committed: now the file (a crash here loses these lines from the
       * file only; the metrics topic has them). */
      if (!co2s_metrics_log_append (self->log, self->lines->str, self->lines->len, error) ||
          !co2s_metrics_log_sync (self->log, error))
        return FALSE;
      if (self->prom != NULL)
        _co2s_shard_trainer_prom_commit (self, started_us);
      {
        g_autoptr(GError) rotate_error = NULL;

        if (!co2s_metrics_log_rotate (self->log, NULL, &rotate_error))
          g_message ("cannot fold old batches into the metrics history: %s", rotate_error->message);
      }
      return TRUE;
    }

  g_message ("the state transaction of %s was aborted %d times: every partition goes back to "
             "its last committed state and learns again from there (%u batch(es) to redo)",
             self->transactional_id, CO2S_SHARD_TXN_ATTEMPTS, n_lines);
  roll_back_all (self);
  return TRUE;
}

/* ---- rebalances ------------------------------------------------------------------- */

/* Takes @partitions (of the input topic) over: their latest committed
 * states, read from the state topic to its end, and the offsets they
 * resume at (set in @partitions). */
static gboolean
take_over (Co2sShardTrainer *self, rd_kafka_topic_partition_list_t *partitions, GError **error)
{
  /* Read to its end: the previous owner's last transaction, committed
   * before it let the partitions go, is in it (co2s_state_topic_load
   * waits for its markers). */
  g_autoptr(GHashTable) states = co2s_state_topic_load (self->opts.brokers,
                                                        (const char * const *) self->opts.overrides,
                                                        self->opts.state_topic, 0, error);

  if (states == NULL)
    return FALSE;
  co2s_state_follower_absorb (self->follower, states);
  for (int i = 0; i < partitions->cnt; i++)
    {
      rd_kafka_topic_partition_t *tp = &partitions->elems[i];
      g_autofree char *key = co2s_state_key (tp->topic, tp->partition);
      const Co2sStateEntry *entry = g_hash_table_lookup (states, key);
      Co2sShard *shard = g_new0 (Co2sShard, 1);

      shard->partition = tp->partition;
      shard->batch = co2s_batch_new (self->opts.batch_rows);
      shard->pending = g_array_new (FALSE, FALSE, sizeof (ShardPending));
      shard->ages = g_array_new (FALSE, FALSE, sizeof (Co2sLatencyBucket));
      if (entry != NULL)
        {
          shard->cp = parse_state (self, entry->state, tp->partition, error);
          if (shard->cp == NULL)
            {
              _co2s_shard_free (shard);
              return FALSE;
            }
          shard->committed = g_bytes_ref (entry->state);
          shard->committed_next = shard->expected = entry->next_offset;
        }
      else
        {
          /* Never learned: the whole retained log, from its beginning. */
          shard->cp = co2s_checkpoint_new_for_specs (self->opts.models, self->opts.n_models);
          shard->committed_next = RD_KAFKA_OFFSET_BEGINNING;
          shard->expected = -1;
        }
      tp->offset = shard->committed_next;
      if (g_hash_table_remove (self->others, GINT_TO_POINTER (tp->partition)))
        {
          self->others_generation++;
          self->others_merged_stale = TRUE;
        }
      g_ptr_array_add (self->shards, shard);
      g_message ("%s [%d]: assigned; %s at offset %" G_GINT64_FORMAT " (%" G_GUINT64_FORMAT
                 " rows learned, %" G_GUINT64_FORMAT " batches)", tp->topic, (int) tp->partition,
                 entry != NULL ? "resuming its state" : "no state yet: learning from the beginning",
                 entry != NULL ? entry->next_offset : (gint64) 0,
                 co2s_model_get_rows_seen (shard->cp->model), shard->cp->batches);
    }
  self->model_dirty = TRUE;
  return TRUE;
}

/* Lets @partitions go: learned batches are committed first unless the
 * assignment was lost (another trainer may own them already). */
static void
let_go (Co2sShardTrainer *self, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *partitions)
{
  g_autoptr(GError) error = NULL;
  gboolean lost = rd_kafka_assignment_lost (rk);

  if (!lost && self->fatal == NULL)
    {
      for (int i = 0; i < partitions->cnt && error == NULL; i++)
        {
          Co2sShard *shard = _co2s_shard_trainer_find (self, partitions->elems[i].partition);

          if (shard != NULL)
            _co2s_shard_trainer_close_batch (self, shard, &error);
        }
      if (error == NULL)
        _co2s_shard_trainer_commit (self, &error);
      if (error != NULL)
        _co2s_shard_trainer_set_fatal (self, g_steal_pointer (&error));
    }
  for (int i = 0; i < partitions->cnt; i++)
    {
      Co2sShard *shard = _co2s_shard_trainer_find (self, partitions->elems[i].partition);

      if (shard != NULL)
        g_ptr_array_remove (self->shards, shard);
    }
  /* The others' view comes back from the follower. */
  self->follower_changes = 0;
  g_message ("%d partition(s) %s", partitions->cnt, lost ? "lost (not committed)" : "revoked");
}

static void
rebalance_cb (rd_kafka_t *rk,
              rd_kafka_resp_err_t err,
              rd_kafka_topic_partition_list_t *partitions,
              void *opaque)
{
  Co2sShardTrainer *self = opaque;
  gboolean cooperative = g_strcmp0 (rd_kafka_rebalance_protocol (rk), "COOPERATIVE") == 0;
  rd_kafka_error_t *kerr = NULL;
  rd_kafka_resp_err_t aerr = RD_KAFKA_RESP_ERR_NO_ERROR;

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
    {
      g_autoptr(GError) error = NULL;

      if (self->fatal == NULL && !take_over (self, partitions, &error))
        {
          /* Nothing is assigned: the run ends with this error. */
          _co2s_shard_trainer_set_fatal (self, g_steal_pointer (&error));
          return;
        }
      if (cooperative)
        kerr = rd_kafka_incremental_assign (rk, partitions);
      else
        aerr = rd_kafka_assign (rk, partitions);
      self->ever_assigned = TRUE;
    }
  else
    {
      if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        g_warning ("rebalance error: %s", rd_kafka_err2str (err));
      let_go (self, rk, partitions);
      if (cooperative)
        kerr = rd_kafka_incremental_unassign (rk, partitions);
      else
        aerr = rd_kafka_assign (rk, NULL);
    }
  self->n_assigned = self->shards->len;
  self->last_activity_us = g_get_monotonic_time ();
  {
    g_autofree gint32 *ids = g_new (gint32, MAX (self->shards->len, 1));

    for (guint i = 0; i < self->shards->len; i++)
      ids[i] = ((Co2sShard *) g_ptr_array_index (self->shards, i))->partition;
    co2s_fetch_waker_set_partitions (self->waker, ids, self->shards->len);
  }
  if (self->prom != NULL)
    _co2s_shard_trainer_prom_commit (self, 0);
  if (kerr != NULL)
    {
      g_warning ("incremental assignment failed: %s", rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
    }
  if (aerr != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("assignment failed: %s", rd_kafka_err2str (aerr));
}

/* ---- clients ------------------------------------------------------------------------ */

static void
error_cb (rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  Co2sShardTrainer *self = opaque;
  char buf[512];

  if (err == RD_KAFKA_RESP_ERR__FATAL)
    {
      rd_kafka_resp_err_t ferr = rd_kafka_fatal_error (rk, buf, sizeof buf);

      _co2s_shard_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                        _("fatal Kafka error (%s): %s"),
                                                        rd_kafka_err2name (ferr), buf));
      return;
    }
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    g_message ("Kafka %s: %s", rd_kafka_name (rk), reason);
  else
    g_warning ("Kafka %s: %s: %s", rd_kafka_name (rk), rd_kafka_err2name (err), reason);
}

/* Our @defaults, then the user's -X, then @forced. */
static rd_kafka_conf_t *
make_conf (Co2sShardTrainer *self, const char * const *defaults, const char * const *forced,
           GError **error)
{
  rd_kafka_conf_t *conf = co2s_kafka_conf_new_layered (self->opts.brokers, defaults,
                                                       (const char * const *) self->opts.overrides,
                                                       forced, error);

  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_error_cb (conf, error_cb);
  return conf;
}

/* The state writer (its transactions fence any older writer of this
 * trainer id). */
static gboolean
make_writer (Co2sShardTrainer *self, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *timeout = g_strdup_printf ("transaction.timeout.ms=%d", SHARD_TXN_TIMEOUT_MS);
  g_auto(GStrv) overrides = NULL;

  g_assert (self->writer == NULL);
  g_strv_builder_add (builder, timeout);
  g_strv_builder_add (builder, "client.id=co2stream-trainer-state");
  if (self->opts.overrides != NULL)
    g_strv_builder_addv (builder, (const char **) self->opts.overrides);
  overrides = g_strv_builder_end (builder);
  self->writer = co2s_state_writer_new (self->opts.brokers, (const char * const *) overrides,
                                        self->transactional_id, self->opts.state_topic, error);
  return self->writer != NULL;
}

/* Milliseconds since @since_us (monotonic), for the start-up's debug
 * lines (an integer: the log's numbers do not follow the locale). */
static long long
elapsed_ms (gint64 since_us)
{
  return (long long) ((g_get_monotonic_time () - since_us) / 1000);
}

gboolean
_co2s_shard_trainer_create_clients (Co2sShardTrainer *self, GError **error)
{
  /* A state's next offset pruned by retention resumes at the earliest
   * record left (the gap is said, see handle_message), never at the end. */
  static const char * const consumer_defaults[] = { CO2S_TRAINER_CONSUMER_DEFAULTS, NULL };
  const char * const consumer_forced[] = {
    /* Partitions move one by one; the others go on learning. But
     * librdkafka before 2.3.0 aborts when a cooperative-sticky consumer is
     * destroyed before its first assignment (librdkafka issue 4312; Debian
     * 12 has 2.0.2): there the eager range strategy, where a rebalance
     * revokes every partition and assigns them again: each trainer commits
     * first and reloads the states after, so every row is still learned
     * once, at the cost of a pause at each rebalance. */
    rd_kafka_version () >= 0x020300ff ? "partition.assignment.strategy=cooperative-sticky"
                                      : "partition.assignment.strategy=range",
    "enable.auto.commit=false",
    "enable.auto.offset.store=false",
    "enable.partition.eof=false",
    NULL,
  };
  static const char * const producer_defaults[] = {
    "client.id=co2stream-trainer",
    "linger.ms=5",
    NULL,
  };
  g_autofree char *client_id = NULL;
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_resp_err_t err;
  rd_kafka_conf_t *conf;
  gint64 started_us = g_get_monotonic_time ();

  /* The state topic, compacted; then who reads and writes it. Each step
   * may wait for the broker: G_MESSAGES_DEBUG=co2s-trainer says which. */
  g_debug ("start: creating state topic %s (or checking it)", self->opts.state_topic);
  if (!co2s_state_topic_ensure (self->opts.brokers, (const char * const *) self->opts.overrides,
                                self->opts.state_topic, 1, error))
    return FALSE;
  g_debug ("start: state topic ready after %lld ms; starting transactions", elapsed_ms (started_us));
  if (!make_writer (self, error))
    return FALSE;
  g_debug ("start: transactions started after %lld ms; following the state topic", elapsed_ms (started_us));
  self->follower = co2s_state_follower_new (self->opts.brokers,
                                            (const char * const *) self->opts.overrides,
                                            self->opts.state_topic, error);
  if (self->follower == NULL)
    return FALSE;

  conf = make_conf (self, producer_defaults, NULL, error);
  if (conf == NULL)
    return FALSE;
  self->producer = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (self->producer == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }

  conf = make_conf (self, consumer_defaults, consumer_forced, error);
  if (conf == NULL)
    return FALSE;
  /* The group's members say which trainer they are (the app's trainers
   * view reads them with DescribeConsumerGroups). */
  client_id = g_strdup_printf ("co2stream-trainer-%s", self->opts.trainer_id);
  if (!co2s_kafka_conf_set (conf, "group.id", self->opts.group, error) ||
      !co2s_kafka_conf_set (conf, "client.id", client_id, error))
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  rd_kafka_conf_set_rebalance_cb (conf, rebalance_cb);
  self->consumer = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, error);
  if (self->consumer == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  rd_kafka_poll_set_consumer (self->consumer);
  g_debug ("start: clients made after %lld ms; subscribing to %s", elapsed_ms (started_us), self->opts.topic);
  self->queue = rd_kafka_queue_get_consumer (self->consumer);
  self->waker = co2s_fetch_waker_new (self->consumer, self->opts.topic);
  {
    char *id = rd_kafka_clusterid (self->consumer, 5000);

    if (id != NULL)
      {
        self->cluster_id = g_strdup (id);
        rd_kafka_mem_free (self->consumer, id);
      }
  }

  topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (topics, self->opts.topic, RD_KAFKA_PARTITION_UA);
  err = rd_kafka_subscribe (self->consumer, topics);
  rd_kafka_topic_partition_list_destroy (topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   _("cannot subscribe to %s: %s"), self->opts.topic, rd_kafka_err2str (err));
      return FALSE;
    }
  return TRUE;
}
