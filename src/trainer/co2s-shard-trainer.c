/* co2s-shard-trainer.c — the scale-out trainer: the object, the hot loop
 * and the partitions' batches. Its Kafka side (rebalances, states,
 * transactions, the merged model) is co2s-shard-trainer-txn.c. See
 * co2s-shard-trainer.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include "co2s-shard-trainer.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "co2s-batch-step.h"
#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-shard-trainer-private.h"

G_DEFINE_FINAL_TYPE (Co2sShardTrainer, co2s_shard_trainer, G_TYPE_OBJECT)

/* ---- helpers -------------------------------------------------------------- */

void
_co2s_shard_trainer_set_fatal (Co2sShardTrainer *self, GError *error)
{
  if (self->fatal == NULL)
    self->fatal = error;
  else
    g_error_free (error);
  g_atomic_int_set (&self->stop, 1);
}

Co2sShard *
_co2s_shard_trainer_find (Co2sShardTrainer *self, gint32 partition)
{
  for (guint i = 0; i < self->shards->len; i++)
    {
      Co2sShard *shard = g_ptr_array_index (self->shards, i);

      if (shard->partition == partition)
        return shard;
    }
  return NULL;
}

void
_co2s_shard_free (Co2sShard *shard)
{
  if (shard == NULL)
    return;
  g_clear_pointer (&shard->cp, co2s_checkpoint_free);
  g_clear_pointer (&shard->batch, co2s_batch_free);
  g_clear_pointer (&shard->pending, g_array_unref);
  g_clear_pointer (&shard->ages, g_array_unref);
  g_clear_pointer (&shard->committed, g_bytes_unref);
  g_free (shard);
}

static void
shard_other_free (gpointer data)
{
  ShardOther *other = data;

  g_clear_pointer (&other->cp, co2s_checkpoint_free);
  g_free (other);
}

/* Rows learned by every state this trainer knows (its own as learned so
 * far, the others' as committed): the merged model's rows_seen. */
static guint64
known_rows (Co2sShardTrainer *self)
{
  GHashTableIter iter;
  gpointer value;
  guint64 rows = 0;

  for (guint i = 0; i < self->shards->len; i++)
    rows += co2s_model_get_rows_seen (((Co2sShard *) g_ptr_array_index (self->shards, i))->cp->model);
  g_hash_table_iter_init (&iter, self->others);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    rows += co2s_model_get_rows_seen (((ShardOther *) value)->cp->model);
  return rows;
}

/* ---- the hot path ----------------------------------------------------------- */

/* TRUE when @offset of @partition is still in the log (its start, asked of
 * the leader, is at or before it); FALSE when it was pruned, or when the
 * leader does not answer in time (then the gap is taken for pruning, as
 * the single trainer does). */
static gboolean
still_in_log (Co2sShardTrainer *self, gint32 partition, gint64 offset)
{
  gint64 low = -1;

  return co2s_kafka_query_watermarks (self->consumer, self->opts.topic, partition, &low, NULL, 5000) ==
           RD_KAFKA_RESP_ERR_NO_ERROR &&
         low >= 0 && low <= offset;
}


/* This trainer's consumer lag: the messages of the partitions it owns that
 * it has not learned yet (librdkafka's last high watermarks), -1 when none
 * is known. The other trainers' partitions are in their own lines. */
static gint64
owned_lag (Co2sShardTrainer *self)
{
  gint64 lag = -1;

  for (guint i = 0; i < self->shards->len; i++)
    {
      const Co2sShard *shard = g_ptr_array_index (self->shards, i);
      int64_t lo = -1, hi = -1;
      gint64 next;

      if (rd_kafka_get_watermark_offsets (self->consumer, self->opts.topic, shard->partition,
                                          &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
        continue;
      next = co2s_checkpoint_get_offset (shard->cp, shard->partition);
      lag = MAX (lag, 0) + MAX (hi - MAX (next, lo), 0);
    }
  return lag;
}

/* Sends the consumer of @shard's partition back to its expected offset,
 * from @got, which came instead. */
static void
go_back (Co2sShardTrainer *self, Co2sShard *shard, gint64 got)
{
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (1);
  rd_kafka_error_t *kerr;

  rd_kafka_topic_partition_list_add (list, self->opts.topic, shard->partition)->offset = shard->expected;
  kerr = rd_kafka_seek_partitions (self->consumer, list, 5000);
  rd_kafka_topic_partition_list_destroy (list);
  if (kerr != NULL)
    {
      _co2s_shard_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                        _("%s [%d]: offset %lld came where %lld was expected, "
                                                          "and going back to it failed: %s"),
                                                        self->opts.topic, (int) shard->partition,
                                                        (long long) got, (long long) shard->expected,
                                                        rd_kafka_error_string (kerr)));
      rd_kafka_error_destroy (kerr);
      return;
    }
  shard->seeking = TRUE;
  g_message ("%s [%d]: offset %" G_GINT64_FORMAT " came where %" G_GINT64_FORMAT " was expected, which the "
             "log still holds: going back to it", self->opts.topic, (int) shard->partition, got,
             shard->expected);
}

static void
handle_message (Co2sShardTrainer *self, const rd_kafka_message_t *msg, gint64 now_us,
                GError **error)
{
  Co2sShard *shard;

  if (G_UNLIKELY (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR))
    {
      if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        g_warning ("Kafka: %s%s%s", rd_kafka_err2str (msg->err),
                   msg->len ? ": " : "", msg->len ? rd_kafka_message_errstr (msg) : "");
      return;
    }
  shard = _co2s_shard_trainer_find (self, msg->partition);
  if (shard == NULL)
    return; /* fetched before the partition was revoked or rolled back */
  if (shard->expected >= 0 && msg->offset != shard->expected)
    {
      /* Below the state's position: the log starts again lower (librdkafka
       * reset an offset that no longer exists to the earliest): the topic
       * was deleted and recreated, or truncated. The state learned another
       * log; going on would skip or mix rows. */
      if (msg->offset < shard->expected)
        {
          g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       _("%s [%d]: the log now has offset %lld where the partition’s "
                         "state already learned up to %lld: the topic was deleted and "
                         "recreated, or truncated, since the state was saved in %s. A scaled-out trainer "
                         "does not learn a new log into old states: stop the trainers and start them "
                         "with a new --state-topic and --group"),
                       rd_kafka_topic_name (msg->rkt), msg->partition, (long long) msg->offset,
                       (long long) shard->expected, self->opts.state_topic);
          return;
        }
      if (shard->seeking)
        return; /* fetched before the consumer went back to the expected offset */
      if (still_in_log (self, msg->partition, shard->expected))
        {
          /* Not pruned: the consumer's position ran ahead of the state
           * (a seek that did not take, e.g. around a rebalance). Those
           * rows exist: go back to them rather than skip them. */
          go_back (self, shard, (gint64) msg->offset);
          return;
        }
      g_warning ("%s [%d]: offsets %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT " were pruned from "
                 "the log before they were read; %" G_GINT64_FORMAT " rows skipped",
                 rd_kafka_topic_name (msg->rkt), msg->partition, shard->expected,
                 (gint64) msg->offset - 1, (gint64) msg->offset - shard->expected);
    }
  shard->seeking = FALSE;
  shard->expected = msg->offset + 1;
  self->consumed++;

  co2s_trainer_batch_message (shard->batch, self->producer, msg, now_us);
  if (co2s_batch_is_full (shard->batch))
    _co2s_shard_trainer_close_batch (self, shard, error);
}

gboolean
_co2s_shard_trainer_close_batch (Co2sShardTrainer *self, Co2sShard *shard, GError **error)
{
  Co2sModel *merged[CO2S_MAX_MODELS] = { NULL };
  Co2sBatch *batch = shard->batch;
  ShardPending p = { 0 };
  gboolean have_merged = FALSE;
  Co2sModelSpec spec;

  if (batch->n_messages == 0)
    return TRUE;

  /* Scored by the model of every partition known, learned by its own. */
  if (!_co2s_shard_trainer_merged_models (self, merged, &have_merged, error))
    return FALSE;
  co2s_batch_step (shard->cp, have_merged ? merged : NULL, batch, self->opts.champion_window, &p.m);
  for (guint i = 0; have_merged && i < shard->cp->models->len; i++)
    g_clear_object (&merged[i]);
  p.partition_batch = ++shard->cp->batches;
  p.m.batch = p.partition_batch;
  co2s_batch_step_drift (shard->cp, &p.m);
  p.m.rows_seen = known_rows (self);
  p.m.timestamp_us = g_get_real_time ();
  p.m.lag = owned_lag (self);
  co2s_model_get_spec (shard->cp->model, &spec);
  co2s_model_spec_to_string (&spec, p.m.algo);
  self->dlq_total += batch->n_bad;
  p.m.dlq = self->dlq_total;
  for (guint i = 0; i < batch->positions->len; i++)
    co2s_checkpoint_note_learned (shard->cp, &g_array_index (batch->positions, Co2sPartitionOffset, i));
  p.has_emit = co2s_batch_emit_stats (batch, &p.median_emit_us, &p.min_emit_us);
  /* Each row's latency is its age now plus the wait for the transaction
   * that commits it (added then), as the single trainer's checkpoint. */
  p.closed_us = p.m.timestamp_us;
  p.ages_start = shard->ages->len;
  p.ages_len = co2s_batch_latency_ages (batch, p.closed_us, shard->ages);
  if (self->prom != NULL)
    _co2s_shard_trainer_prom_batch (self, &p.m, batch->n_bad, batch->n_messages);
  g_array_append_val (shard->pending, p);
  if (self->pending_since_us == 0)
    self->pending_since_us = g_get_monotonic_time ();
  co2s_batch_clear (batch);
  return TRUE;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static void
co2s_shard_trainer_finalize (GObject *object)
{
  Co2sShardTrainer *self = CO2S_SHARD_TRAINER (object);

  g_clear_pointer (&self->prom, _co2s_shard_trainer_prom_free);
  g_clear_pointer (&self->waker, co2s_fetch_waker_free);
  g_clear_pointer (&self->queue, rd_kafka_queue_destroy);
  g_clear_pointer (&self->consumer, rd_kafka_destroy);
  g_clear_pointer (&self->producer, rd_kafka_destroy);
  g_clear_pointer (&self->writer, co2s_state_writer_free);
  g_clear_pointer (&self->follower, co2s_state_follower_free);
  g_clear_pointer (&self->shards, g_ptr_array_unref);
  g_clear_pointer (&self->others, g_hash_table_unref);
  _co2s_shard_trainer_clear_others_merged (self);
  g_clear_pointer (&self->log, co2s_metrics_log_free);
  g_clear_pointer (&self->msgs, g_free);
  if (self->lines != NULL)
    g_string_free (g_steal_pointer (&self->lines), TRUE);
  g_clear_pointer (&self->cluster_id, g_free);
  g_clear_pointer (&self->model_path, g_free);
  g_clear_pointer (&self->own_model_path, g_free);
  g_clear_pointer (&self->own_dir, g_free);
  g_clear_pointer (&self->metrics_path, g_free);
  g_clear_pointer (&self->transactional_id, g_free);
  g_clear_error (&self->fatal);
  g_clear_pointer (&self->lock, co2s_model_dir_lock_free);
  co2s_trainer_options_clear (&self->opts);

  G_OBJECT_CLASS (co2s_shard_trainer_parent_class)->finalize (object);
}

static void
co2s_shard_trainer_class_init (Co2sShardTrainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = co2s_shard_trainer_finalize;
}

static void
co2s_shard_trainer_init (Co2sShardTrainer *self)
{
  self->shards = g_ptr_array_new_with_free_func ((GDestroyNotify) _co2s_shard_free);
  self->others = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, shard_other_free);
  self->others_merged_generation = G_MAXUINT64;
  self->msgs = g_new0 (rd_kafka_message_t *, SHARD_CONSUME_CHUNK);
  self->lines = g_string_sized_new (4096);
}

/* ---- public API ----------------------------------------------------------------- */

Co2sShardTrainer *
co2s_shard_trainer_new (const Co2sTrainerOptions *options, GError **error)
{
  g_autoptr(Co2sShardTrainer) self = NULL;
  g_autofree char *models = NULL;
  Co2sBatchMetrics last;

  g_return_val_if_fail (options != NULL && options->topic != NULL && options->group != NULL, NULL);
  g_return_val_if_fail (options->model_dir != NULL && options->state_topic != NULL, NULL);
  g_return_val_if_fail (options->trainer_id != NULL, NULL);
  g_return_val_if_fail (options->batch_rows > 0 && options->batch_ms > 0, NULL);
  g_return_val_if_fail (options->n_models >= 1 && options->n_models <= CO2S_MAX_MODELS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < options->n_models; i++)
    if (options->models[i].algo != CO2S_ALGO_LS)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     _("--scale-out learns ls models only: sgd's weights depend on the order of "
                       "the whole stream, so partitions learned apart do not add up to one sgd "
                       "model (an average would be another model); run one trainer for sgd"));
        return NULL;
      }
  if (options->reset)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--reset cannot be used with --scale-out: the states are in state topic %s, "
                     "shared by every trainer of the group; to start afresh, stop the trainers "
                     "and use a new --state-topic and --group (or delete the old ones)"),
                   options->state_topic);
      return NULL;
    }

  self = g_object_new (CO2S_TYPE_SHARD_TRAINER, NULL);
  co2s_trainer_options_copy (&self->opts, options);
  self->own_dir = g_build_filename (options->model_dir, "trainers", options->trainer_id, NULL);
  self->model_path = g_build_filename (options->model_dir, CO2S_MODEL_FILE, NULL);
  self->own_model_path = g_build_filename (self->own_dir, CO2S_MODEL_FILE, NULL);
  self->metrics_path = g_build_filename (self->own_dir, CO2S_METRICS_FILE, NULL);
  self->transactional_id = g_strdup_printf ("co2stream-trainer.%s.%s", options->group,
                                            options->trainer_id);

  /* Its own folder: trainers may share --model-dir (a volume of the
   * compose file scaled), never a trainer id. */
  self->lock = co2s_model_dir_lock_acquire (self->own_dir, error);
  if (self->lock == NULL)
    return NULL;
  /* Every line in the file was committed before it was written: keep all. */
  self->log = co2s_metrics_log_open (self->metrics_path, G_MAXUINT64, FALSE, &last, NULL, error);
  if (self->log == NULL)
    return NULL;
  co2s_metrics_log_set_max_bytes (self->log, options->metrics_max_bytes, NULL, NULL);
  self->local_batches = last.batch;
  self->dlq_total = last.batch > 0 ? last.dlq : 0;
  if (!_co2s_shard_trainer_create_clients (self, error))
    return NULL;
  models = co2s_model_spec_list_to_string (options->models, options->n_models);
  g_message ("scale-out trainer %s: %s models, state topic %s, transactional.id %s",
             options->trainer_id, models, options->state_topic, self->transactional_id);
  return g_steal_pointer (&self);
}

void
co2s_shard_trainer_request_stop (Co2sShardTrainer *self)
{
  g_return_if_fail (CO2S_IS_SHARD_TRAINER (self));
  g_atomic_int_set (&self->stop, 1);
}

guint64
co2s_shard_trainer_get_rows_seen (Co2sShardTrainer *self)
{
  guint64 rows = 0;

  g_return_val_if_fail (CO2S_IS_SHARD_TRAINER (self), 0);
  for (guint i = 0; i < self->shards->len; i++)
    rows += co2s_model_get_rows_seen (((Co2sShard *) g_ptr_array_index (self->shards, i))->cp->model);
  return rows;
}

/* Closes every batch older than --batch-ms (all of them with @all). */
static gboolean
close_due_batches (Co2sShardTrainer *self, gint64 now_us, gboolean all, GError **error)
{
  gint64 batch_us = (gint64) self->opts.batch_ms * 1000;

  for (guint i = 0; i < self->shards->len; i++)
    {
      Co2sShard *shard = g_ptr_array_index (self->shards, i);

      if (shard->batch->n_messages > 0 && (all || now_us >= shard->batch->started_us + batch_us) &&
          !_co2s_shard_trainer_close_batch (self, shard, error))
        return FALSE;
    }
  return TRUE;
}

/* Last batches, commit, the merged model file, the consumer's close. */
static gboolean
finish (Co2sShardTrainer *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  rd_kafka_resp_err_t err;

  if (self->fatal == NULL &&
      (!close_due_batches (self, 0, TRUE, &local_error) ||
       !_co2s_shard_trainer_commit (self, &local_error) ||
       !_co2s_shard_trainer_write_model (self, &local_error)))
    _co2s_shard_trainer_set_fatal (self, g_steal_pointer (&local_error));

  if (rd_kafka_flush (self->producer, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("%d dead letter(s) were not delivered before exiting", rd_kafka_outq_len (self->producer));
  /* Revokes what is left (nothing to commit any more) and leaves the group;
   * no wake-up may race with it. */
  co2s_fetch_waker_set_partitions (self->waker, NULL, 0);
  err = rd_kafka_consumer_close (self->consumer);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("closing the consumer: %s", rd_kafka_err2str (err));
  if (self->fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->fatal));
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_shard_trainer_run (Co2sShardTrainer *self, GError **error)
{
  GMainContext *context = g_main_context_default ();
  gint64 idle_us = (gint64) (self->opts.exit_when_idle * G_USEC_PER_SEC);
  gint64 checkpoint_us = (gint64) self->opts.checkpoint_ms * 1000;
  g_autoptr(GError) local_error = NULL;
  char idle[G_ASCII_DTOSTR_BUF_SIZE], seconds[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (CO2S_IS_SHARD_TRAINER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The log is English, its numbers in the C locale (see co2s-i18n.h). */
  g_ascii_formatd (idle, sizeof idle, "%g", self->opts.exit_when_idle);
  self->started_us = self->last_activity_us = g_get_monotonic_time ();
  while (!g_atomic_int_get (&self->stop))
    {
      gint64 now_us = g_get_monotonic_time ();
      gsize want = SHARD_CONSUME_CHUNK;
      gssize n;

      if (now_us >= self->next_service_us)
        {
          while (g_main_context_iteration (context, FALSE))
            ;
          rd_kafka_poll (self->producer, 0);
          if (!_co2s_shard_trainer_refresh_others (self, &local_error))
            {
              _co2s_shard_trainer_set_fatal (self, g_steal_pointer (&local_error));
              break;
            }
          self->next_service_us = now_us + SHARD_POLL_MS * 1000 / 4;
          if (g_atomic_int_get (&self->stop))
            break;
        }
      if (self->opts.max_rows > 0)
        want = MIN (want, self->opts.max_rows - self->consumed);
      g_assert (want > 0);

      /* Rebalances are served in here (co2s-shard-trainer-txn.c). A batch
       * call returns only when its array is full or at its timeout: take
       * what is there without waiting, and wait (for one message) only
       * when nothing is. */
      n = rd_kafka_consume_batch_queue (self->queue, 0, self->msgs, want);
      if (n == 0)
        {
          /* Nothing fetched: the fetcher may be the one waiting. */
          if (self->n_assigned > 0)
            co2s_fetch_waker_poke (self->waker);
          n = rd_kafka_consume_batch_queue (self->queue, MIN (SHARD_POLL_MS, (int) self->opts.batch_ms),
                                            self->msgs, 1);
          if (n == 1 && want > 1)
            {
              gssize more = rd_kafka_consume_batch_queue (self->queue, 0, self->msgs + 1, want - 1);

              if (more < 0)
                rd_kafka_message_destroy (self->msgs[0]);
              n = more < 0 ? more : 1 + more;
            }
        }
      if (n < 0)
        {
          _co2s_shard_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                            _("consuming from %s failed: %s"),
                                                            self->opts.topic,
                                                            rd_kafka_err2str (rd_kafka_last_error ())));
          break;
        }
      now_us = g_get_monotonic_time ();
      for (gssize i = 0; i < n; i++)
        {
          if (local_error == NULL)
            handle_message (self, self->msgs[i], now_us, &local_error);
          rd_kafka_message_destroy (self->msgs[i]);
        }
      if (n > 0)
        self->last_activity_us = now_us;
      /* As the single trainer does (co2s-fetch-waker.h): once a quarter of
       * a queue's worth was taken and the queue is no longer full. */
      if (self->consumed - self->consumed_at_wake >= CO2S_TRAINER_PREFETCH_MESSAGES / 4 &&
          rd_kafka_queue_length (self->queue) < CO2S_TRAINER_PREFETCH_MESSAGES * 3 / 4)
        {
          self->consumed_at_wake = self->consumed;
          co2s_fetch_waker_poke (self->waker);
        }
      if (local_error == NULL)
        close_due_batches (self, now_us, FALSE, &local_error);
      /* Commit every --checkpoint-ms, and at once when the log is drained. */
      if (local_error == NULL && self->pending_since_us > 0 &&
          (n == 0 || now_us >= self->pending_since_us + checkpoint_us))
        _co2s_shard_trainer_commit (self, &local_error);
      if (local_error == NULL && self->model_dirty && now_us >= self->next_model_write_us)
        _co2s_shard_trainer_write_model (self, &local_error);
      if (local_error != NULL)
        {
          _co2s_shard_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }

      if (self->opts.max_rows > 0 && self->consumed >= self->opts.max_rows)
        {
          g_message ("--max-rows %" G_GUINT64_FORMAT " reached", self->opts.max_rows);
          break;
        }
      if (idle_us > 0 && self->n_assigned > 0 && now_us - self->last_activity_us >= idle_us)
        {
          g_message ("no message for %s s: exiting (--exit-when-idle)", idle);
          break;
        }
      if (idle_us > 0 && self->n_assigned == 0 &&
          now_us - self->last_activity_us >= MAX (idle_us, SHARD_ASSIGN_TIMEOUT_S * G_USEC_PER_SEC))
        {
          if (self->ever_assigned)
            {
              g_message ("no partition for %s s: exiting (--exit-when-idle)", idle);
              break;
            }
          _co2s_shard_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                            _("no partition of %s was assigned within %d s: "
                                                              "is the broker at %s running, and does the "
                                                              "topic exist?"),
                                                            self->opts.topic, SHARD_ASSIGN_TIMEOUT_S,
                                                            self->opts.brokers));
          break;
        }
    }

  if (!finish (self, error))
    return FALSE;
  /* Not translated: tests and scripts read it. */
  g_message ("scale-out trainer %s: %" G_GUINT64_FORMAT " messages in %s s; %" G_GUINT64_FORMAT
             " transactions (%" G_GUINT64_FORMAT " aborted, %" G_GUINT64_FORMAT " rollbacks, %"
             G_GUINT64_FORMAT " new state writers)",
             self->opts.trainer_id, self->consumed,
             g_ascii_formatd (seconds, sizeof seconds, "%.3f",
                              (g_get_monotonic_time () - self->started_us) / (double) G_USEC_PER_SEC),
             self->transactions, self->aborted, self->rollbacks, self->writer_restarts);
  return TRUE;
}
