/* co2s-trainer.c — the online trainer. */
#define G_LOG_DOMAIN "co2s-trainer"
#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "co2s-trainer.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/resource.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-trainer-private.h"

G_DEFINE_FINAL_TYPE (Co2sTrainer, co2s_trainer, G_TYPE_OBJECT)

/* The options' models by name, "ls", "ls:fuel,sgd"…; valid until the
 * options change. */
const char *
_co2s_trainer_model_name (Co2sTrainer *self)
{
  g_free (self->models_label);
  self->models_label = co2s_model_spec_list_to_string (self->opts.models, self->opts.n_models);
  return self->models_label;
}

void
_co2s_trainer_set_fatal (Co2sTrainer *self, GError *error)
{
  if (self->fatal == NULL)
    self->fatal = error;
  else
    g_error_free (error);
  g_atomic_int_set (&self->stop, 1);
}

static gboolean
load_model (Co2sTrainer *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;

  if (!self->opts.reset)
    {
      cp = co2s_checkpoint_load (self->model_path, &local_error);
      if (cp == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("cannot use the model file %s: %s (fix or remove it, or run with "
                         "--reset to start a fresh model)"), self->model_path, local_error->message);
          return FALSE;
        }
    }

  if (cp != NULL)
    {
      Co2sModelSpec have[CO2S_MAX_MODELS];
      g_autofree char *have_name = NULL;
      g_autofree char *want_name = NULL;
      guint n_have = cp->models->len;

      for (guint i = 0; i < n_have; i++)
        co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &have[i]);
      have_name = co2s_model_spec_list_to_string (have, n_have);
      want_name = g_strdup (_co2s_trainer_model_name (self));
      if (self->opts.algo_given && strcmp (have_name, want_name) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       /* Translators: the %s after the path are model names: ls, sgd, ls:fuel… */
                       _("the model file %s holds an %s model, not %s: run with --algo %s, or "
                         "with --reset to start a fresh %s model"),
                       self->model_path, have_name, want_name, have_name, want_name);
          return FALSE;
        }
      memcpy (self->opts.models, have, n_have * sizeof *have);
      self->opts.n_models = n_have;
      self->cp_loaded = TRUE;
      g_message ("resuming %s: %s model, %" G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT
                 " rows seen", self->model_path, have_name, cp->batches,
                 co2s_model_get_rows_seen (cp->model));
      self->cp = g_steal_pointer (&cp);
      return TRUE;
    }

  self->cp = co2s_checkpoint_new_for_specs (self->opts.models, self->opts.n_models);
  if (self->opts.reset)
    g_message ("--reset: fresh %s model; replaying %s from its beginning",
               _co2s_trainer_model_name (self), self->opts.topic);
  else
    g_message ("no model file at %s: fresh %s model", self->model_path,
               _co2s_trainer_model_name (self));
  return TRUE;
}

/* Opens metrics.jsonl, repaired to the checkpoint's batches (or emptied for
 * a reset), and takes the dead-letter count over from its last line. */
gboolean
_co2s_trainer_open_metrics_log (Co2sTrainer *self, GError **error)
{
  Co2sBatchMetrics last;
  guint dropped = 0;

  if (self->log != NULL)
    return TRUE;
  self->log = co2s_metrics_log_open (self->metrics_path, self->cp->batches,
                                     self->opts.reset, &last, &dropped, error);
  if (self->log == NULL)
    return FALSE;
  co2s_metrics_log_set_max_bytes (self->log, self->opts.metrics_max_bytes, _co2s_trainer_rotate_hook, self);
  if (dropped > 0)
    g_message ("%s: removed %u line(s) of batches that are not in the model file "
               "(they will be learned and written again)", self->metrics_path, dropped);
  if (self->cp->batches > 0 && last.batch < self->cp->batches)
    g_warning ("%s: the lines of batches %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
               " are missing (the file was edited or replaced?)",
               self->metrics_path, last.batch + 1, self->cp->batches);
  self->dlq_total = last.batch > 0 ? last.dlq : 0;
  return TRUE;
}

/* ---- the hot path ----------------------------------------------------- */

static void
handle_message (Co2sTrainer *self, const rd_kafka_message_t *msg, gint64 now_us)
{
  gint64 expected;

  if (G_UNLIKELY (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR))
    {
      if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        g_warning ("Kafka: %s%s%s", rd_kafka_err2str (msg->err),
                   msg->len ? ": " : "", msg->len ? rd_kafka_message_errstr (msg) : "");
      return;
    }

  expected = _co2s_trainer_get_expected (self, msg->partition);
  if (G_UNLIKELY (expected >= 0 && msg->offset != expected))
    {
      if (msg->offset < expected)
        return; /* already in the model */
      g_warning ("%s [%d]: offsets %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT " were pruned from "
                 "the log before they were read; %" G_GINT64_FORMAT " rows skipped",
                 rd_kafka_topic_name (msg->rkt), msg->partition, expected,
                 (gint64) msg->offset - 1, (gint64) msg->offset - expected);
      self->skipped += msg->offset - expected;
    }
  _co2s_trainer_set_expected (self, msg->partition, msg->offset + 1);
  self->consumed++;

  co2s_trainer_batch_message (self->batch, self->producer, msg, now_us);
}

/* Notes, for each partition of the batch, who the record before its next
 * offset is (offset, timestamp, key, SHA-256): the model file keeps it, so
 * that a restart can tell whether the log is still the one learned (see
 * co2s-log-check.h). Once per partition per segment (the @n messages of
 * @msgs that went into the batch), from its end: about 1 µs per segment,
 * off the per-row path. */
static void
note_last_records (Co2sTrainer *self, rd_kafka_message_t **msgs, gssize n)
{
  guint left = 0;

  for (guint k = 0; k < self->batch->positions->len; k++)
    left += !g_array_index (self->batch->positions, Co2sPartitionOffset, k).last.known;
  for (gssize i = n - 1; i >= 0 && left > 0; i--)
    {
      const rd_kafka_message_t *m = msgs[i];
      Co2sPartitionOffset *po;

      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        continue;
      po = co2s_batch_get_position (self->batch, m->partition);
      if (po == NULL || po->last.known || po->next_offset != m->offset + 1)
        continue;
      co2s_record_id_set (&po->last, m->offset, rd_kafka_message_timestamp (m, NULL),
                          m->key, m->key_len, m->payload, m->len);
      left--;
    }
}

/* Learns the @n messages of self->msgs (and frees them), cut into batches:
 * each batch's messages, then its close (which may checkpoint). Stops
 * closing batches at the first error. */
static void
learn_chunk (Co2sTrainer *self, gssize n, gint64 now_us, GError **error)
{
  Co2sBatch *batch = self->batch;

  for (gssize i = 0; i < n && (error == NULL || *error == NULL); )
    {
      gssize end = MIN (n, i + (gssize) (batch->capacity - batch->n_messages));

      for (gssize k = i; k < end; k++)
        handle_message (self, self->msgs[k], now_us);
      note_last_records (self, self->msgs + i, end - i);
      if (co2s_batch_is_full (batch))
        _co2s_trainer_close_batch (self, error);
      i = end;
    }
  for (gssize i = 0; i < n; i++)
    rd_kafka_message_destroy (self->msgs[i]);
}

/* See co2s-fetch-waker.h: poke the waker when a quarter of a queue's worth
 * was consumed since the last poke and the queue is no longer full, i.e. when
 * the fetcher may have stopped and could fetch again. During a live stream
 * that the trainer keeps up with, that is one poke per 2,500 rows. */
static inline void
maybe_wake_fetcher (Co2sTrainer *self)
{
  if (G_LIKELY (self->consumed - self->consumed_at_wake < self->prefetch_messages / 4) ||
      rd_kafka_queue_length (self->queue) >= self->prefetch_messages * 3 / 4)
    return;
  self->consumed_at_wake = self->consumed;
  co2s_fetch_waker_poke (self->waker);
}

/* CPU time (user + system) of the calling thread, in µs. */
static gint64
thread_cpu_us (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_THREAD, &ru) != 0)
    return 0;
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC +
         ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void
co2s_trainer_finalize (GObject *object)
{
  Co2sTrainer *self = CO2S_TRAINER (object);

  g_clear_pointer (&self->waker, co2s_fetch_waker_free);
  g_clear_pointer (&self->queue, rd_kafka_queue_destroy);
  g_clear_pointer (&self->consumer, rd_kafka_destroy);
  g_clear_pointer (&self->producer, rd_kafka_destroy);
  g_clear_pointer (&self->cp, co2s_checkpoint_free);
  g_clear_pointer (&self->log, co2s_metrics_log_free);
  g_clear_pointer (&self->batch, co2s_batch_free);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->pending_ages, g_array_unref);
  g_clear_pointer (&self->expected, g_array_unref);
  if (self->lines != NULL)
    g_string_free (self->lines, TRUE);
  g_clear_pointer (&self->msgs, g_free);
  g_clear_pointer (&self->cluster_id, g_free);
  g_clear_pointer (&self->log_check, co2s_log_check_free);
  g_clear_pointer (&self->anchor, g_array_unref);
  g_clear_pointer (&self->model_path, g_free);
  g_clear_pointer (&self->models_label, g_free);
  g_clear_pointer (&self->metrics_path, g_free);
  g_clear_pointer (&self->failpoint, g_free);
  g_clear_pointer (&self->prom, _co2s_trainer_prom_free);
  g_clear_error (&self->fatal);
  /* Last: everything of the folder is written and closed. */
  g_clear_pointer (&self->lock, co2s_model_dir_lock_free);
  co2s_trainer_options_clear (&self->opts);

  G_OBJECT_CLASS (co2s_trainer_parent_class)->finalize (object);
}

static void
co2s_trainer_class_init (Co2sTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = co2s_trainer_finalize;
}

static void
co2s_trainer_init (Co2sTrainer *self)
{
  self->pending = g_array_new (FALSE, FALSE, sizeof (PendingBatch));
  self->pending_ages = g_array_new (FALSE, FALSE, sizeof (Co2sLatencyBucket));
  self->expected = g_array_new (FALSE, FALSE, sizeof (Co2sPartitionOffset));
  self->anchor = g_array_new (FALSE, FALSE, sizeof (Co2sPartitionOffset));
  self->lines = g_string_sized_new (4096);
  self->msgs = g_new0 (rd_kafka_message_t *, CONSUME_CHUNK);
}

/* ---- public API --------------------------------------------------------- */

void
co2s_trainer_options_copy (Co2sTrainerOptions *dst, const Co2sTrainerOptions *src)
{
  g_return_if_fail (dst != NULL && src != NULL);

  *dst = *src;
  dst->brokers = g_strdup (src->brokers);
  dst->topic = g_strdup (src->topic);
  dst->group = g_strdup (src->group);
  dst->model_dir = g_strdup (src->model_dir);
  dst->overrides = g_strdupv (src->overrides);
  dst->state_topic = g_strdup (src->state_topic);
  dst->trainer_id = g_strdup (src->trainer_id);
}

void
co2s_trainer_options_clear (Co2sTrainerOptions *opts)
{
  g_return_if_fail (opts != NULL);

  g_clear_pointer (&opts->brokers, g_free);
  g_clear_pointer (&opts->topic, g_free);
  g_clear_pointer (&opts->group, g_free);
  g_clear_pointer (&opts->model_dir, g_free);
  g_clear_pointer (&opts->overrides, g_strfreev);
  g_clear_pointer (&opts->state_topic, g_free);
  g_clear_pointer (&opts->trainer_id, g_free);
}

Co2sTrainer *
co2s_trainer_new (const Co2sTrainerOptions *options, GError **error)
{
  g_autoptr(Co2sTrainer) self = NULL;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->topic != NULL && options->group != NULL, NULL);
  g_return_val_if_fail (options->model_dir != NULL, NULL);
  g_return_val_if_fail (options->batch_rows > 0 && options->batch_ms > 0, NULL);
  g_return_val_if_fail (options->n_models >= 1 && options->n_models <= CO2S_MAX_MODELS, NULL);
  g_return_val_if_fail (options->champion_window >= 1 &&
                        options->champion_window <= CO2S_CHAMPION_WINDOW_MAX, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CO2S_TYPE_TRAINER, NULL);
  co2s_trainer_options_copy (&self->opts, options);
  self->model_path = g_build_filename (options->model_dir, CO2S_MODEL_FILE, NULL);
  self->metrics_path = g_build_filename (options->model_dir, CO2S_METRICS_FILE, NULL);
  self->batch = co2s_batch_new (options->batch_rows);
  if (g_getenv ("CO2S_TRAINER_FAILPOINT") != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (g_getenv ("CO2S_TRAINER_FAILPOINT"), ":", 2);

      if (parts[0] != NULL && parts[1] != NULL)
        {
          self->failpoint = g_strdup (parts[0]);
          self->failpoint_batch = g_ascii_strtoull (parts[1], NULL, 10);
        }
    }

  /* Before model.json or metrics.jsonl is touched: one trainer per folder. */
  self->lock = co2s_model_dir_lock_acquire (options->model_dir, error);
  if (self->lock == NULL)
    return NULL;
  if (!load_model (self, error))
    return NULL;
  /* Without --reset the log can be repaired now; a reset empties it only
   * once the fresh model is on disk. */
  if (!self->opts.reset && !_co2s_trainer_open_metrics_log (self, error))
    return NULL;
  if (!_co2s_trainer_create_producer (self, error) || !_co2s_trainer_create_consumer (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
co2s_trainer_request_stop (Co2sTrainer *self)
{
  g_return_if_fail (CO2S_IS_TRAINER (self));
  g_atomic_int_set (&self->stop, 1);
}

guint64
co2s_trainer_get_rows_seen (Co2sTrainer *self)
{
  g_return_val_if_fail (CO2S_IS_TRAINER (self), 0);
  return co2s_model_get_rows_seen (self->cp->model);
}

/* Finish: last batch, checkpoint, synchronous commit, producer flush,
 * consumer close. Keeps the first error. */
static gboolean
finish (Co2sTrainer *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  rd_kafka_resp_err_t err;
  gboolean ok = TRUE;

  if (self->fatal == NULL)
    {
      if (!_co2s_trainer_close_batch (self, &local_error) ||
          (self->pending->len > 0 && !_co2s_trainer_checkpoint (self, TRUE, &local_error)))
        ok = FALSE;
      else if (self->committed_any)
        _co2s_trainer_commit_offsets (self, TRUE);
    }

  err = rd_kafka_flush (self->producer, 10000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("%d message(s) to %s/%s were not delivered before exiting",
               rd_kafka_outq_len (self->producer), CO2S_TOPIC_DLQ, CO2S_TOPIC_METRICS);
  /* No wake-up may race with the close (the rebalance callback resets the
   * waker's partitions during it). */
  co2s_fetch_waker_set_partitions (self->waker, NULL, 0);
  err = rd_kafka_consumer_close (self->consumer);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("closing the consumer: %s", rd_kafka_err2str (err));

  if (self->fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->fatal));
      return FALSE;
    }
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_trainer_run (Co2sTrainer *self, GError **error)
{
  GMainContext *context = g_main_context_default ();
  gint64 idle_us = (gint64) (self->opts.exit_when_idle * G_USEC_PER_SEC);
  gint64 batch_us = (gint64) self->opts.batch_ms * 1000;
  gint64 checkpoint_us = (gint64) self->opts.checkpoint_ms * 1000;
  g_autoptr(GError) local_error = NULL;
  double seconds, cpu_seconds;
  char num[5][G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (CO2S_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->started_us = self->last_activity_us = g_get_monotonic_time ();

  while (!g_atomic_int_get (&self->stop))
    {
      Co2sBatch *batch = self->batch;
      gint64 now_us = g_get_monotonic_time ();
      int timeout_ms = POLL_MS;
      gsize want = MIN (batch->capacity - batch->n_messages, CONSUME_CHUNK);
      gssize n;

      if (now_us >= self->next_service_us)
        {
          while (g_main_context_iteration (context, FALSE))
            ;
          rd_kafka_poll (self->producer, 0);
          self->next_service_us = now_us + SERVICE_INTERVAL_US;
          if (g_atomic_int_get (&self->stop))
            break;
        }

      if (self->opts.max_rows > 0)
        want = MIN (want, self->opts.max_rows - self->consumed);
      g_assert (want > 0);
      if (batch->n_messages > 0)
        {
          gint64 left_us = batch->started_us + batch_us - now_us;

          timeout_ms = (int) CLAMP ((left_us + 999) / 1000, 0, POLL_MS);
        }
      else
        {
          /* A batch call returns only when its array is full or at the
           * timeout: the first rows of a batch must not wait longer than a
           * batch lasts (the bench measured p50 latency 67 → 27 ms). */
          timeout_ms = (int) MIN ((guint64) POLL_MS, self->opts.batch_ms);
        }
      if (self->pending->len > 0)
        {
          gint64 left_us = self->pending_since_us + checkpoint_us - now_us;

          timeout_ms = MIN (timeout_ms, (int) CLAMP ((left_us + 999) / 1000, 0, POLL_MS));
        }

      n = rd_kafka_consume_batch_queue (self->queue, timeout_ms, self->msgs, want);
      if (n < 0)
        {
          g_set_error (&local_error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       _("consuming from %s failed: %s"), self->opts.topic,
                       rd_kafka_err2str (rd_kafka_last_error ()));
          _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }

      now_us = g_get_monotonic_time ();
      learn_chunk (self, n, now_us, &local_error);
      /* A full call means a backlog: go on with what librdkafka has fetched
       * already, without waiting, so that small batches do not pay a call
       * (and its locks) each. After the first chunk is learned: a rebalance
       * served by this call finds it in the batches it saves. */
      if (local_error == NULL && n > 0 && (gsize) n == want && want < CONSUME_CHUNK &&
          !g_atomic_int_get (&self->stop))
        {
          gsize more = CONSUME_CHUNK - want;
          gssize m;

          if (self->opts.max_rows > 0)
            more = MIN (more, self->opts.max_rows - self->consumed);
          m = more > 0 ? rd_kafka_consume_batch_queue (self->queue, 0, self->msgs, more) : 0;
          if (m > 0)
            {
              learn_chunk (self, m, now_us, &local_error);
              n += m;
            }
        }
      if (local_error != NULL)
        {
          _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }
      maybe_wake_fetcher (self);
      if (n > 0)
        {
          if (self->first_message_us == 0)
            {
              self->first_message_us = now_us;
              self->first_message_cpu_us = thread_cpu_us ();
            }
          self->last_message_us = self->last_activity_us = now_us;
          self->idle_waiting_for_broker = FALSE;
        }

      if (co2s_batch_is_full (batch) ||
          (batch->n_messages > 0 && now_us >= batch->started_us + batch_us))
        {
          if (!_co2s_trainer_close_batch (self, &local_error))
            {
              _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
              break;
            }
        }

      /* Learned batches wait no longer than --checkpoint-ms. */
      if (self->pending->len > 0 && now_us >= self->pending_since_us + checkpoint_us &&
          !_co2s_trainer_checkpoint (self, FALSE, &local_error))
        {
          _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }

      /* Still the log being learned? (See co2s-log-check.h.) */
      if (self->next_log_check_us > 0 && now_us >= self->next_log_check_us &&
          !_co2s_trainer_recheck_log (self, &local_error))
        {
          _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }

      if (self->opts.max_rows > 0 && self->consumed >= self->opts.max_rows)
        {
          g_message ("--max-rows %" G_GUINT64_FORMAT " reached", self->opts.max_rows);
          break;
        }
      if (idle_us > 0 && self->assigned && now_us - self->last_activity_us >= idle_us)
        {
          char idle[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *why = NULL;

          /* The log is English, its numbers in the C locale (see co2s-i18n.h). */
          g_ascii_formatd (idle, sizeof idle, "%g", self->opts.exit_when_idle);
          /* A broker that is gone is silent too, but its silence is not the
           * end of the topic: wait while it does not answer. Its session
           * times out meanwhile, the partitions are revoked, and the rule
           * below (no partition for ASSIGN_TIMEOUT_S: exit 1) applies
           * unless it comes back. */
          if (!_co2s_trainer_broker_answers (self, &why))
            {
              if (!self->idle_waiting_for_broker)
                g_warning ("no message for %s s, but the broker at %s does not answer (%s): waiting for "
                           "it before exiting (--exit-when-idle)", idle,
                           self->opts.brokers ? self->opts.brokers : "(default)", why);
              self->idle_waiting_for_broker = TRUE;
              continue;
            }
          if (self->idle_waiting_for_broker)
            {
              /* It is back: what it holds gets the idle time to arrive. */
              self->idle_waiting_for_broker = FALSE;
              self->last_activity_us = g_get_monotonic_time ();
              continue;
            }
          g_message ("no message for %s s: exiting (--exit-when-idle)", idle);
          break;
        }
      if (idle_us > 0 && !self->assigned &&
          now_us - self->last_activity_us >= MAX (idle_us, ASSIGN_TIMEOUT_S * G_USEC_PER_SEC))
        {
          g_set_error (&local_error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       _("no partition of %s was assigned within %d s: is the broker at %s "
                         "running, and does the topic exist?"), self->opts.topic,
                       ASSIGN_TIMEOUT_S, self->opts.brokers ? self->opts.brokers : _("(default)"));
          _co2s_trainer_set_fatal (self, g_steal_pointer (&local_error));
          break;
        }
    }

  if (!finish (self, error))
    return FALSE;

  /* The rate from the first to the last message: what the hot path
   * sustains, without the group join or the idle wait; and the CPU time this
   * thread spent on it (consume, decode, predict, learn, metrics,
   * checkpoint), which the machine's load does not inflate. */
  seconds = (self->last_message_us - self->first_message_us) / (double) G_USEC_PER_SEC;
  cpu_seconds = self->first_message_us
                ? (thread_cpu_us () - self->first_message_cpu_us) / (double) G_USEC_PER_SEC : 0.0;
  /* Not translated, numbers in the C locale: bench/pipeline.py reads this
   * line ("N messages in S s (R/s…) after J s to join"). */
  g_message ("%" G_GUINT64_FORMAT " messages in %s s (%s/s; main thread CPU %s s, %s/s "
             "per core) after %s s to join; model: %" G_GUINT64_FORMAT " batches, %"
             G_GUINT64_FORMAT " rows seen, %" G_GUINT64_FORMAT " bad messages; checkpoints: %"
             G_GUINT64_FORMAT "%s",
             self->consumed,
             g_ascii_formatd (num[0], sizeof num[0], "%.3f", seconds),
             g_ascii_formatd (num[1], sizeof num[1], "%.0f", seconds > 0 ? self->consumed / seconds : 0.0),
             g_ascii_formatd (num[2], sizeof num[2], "%.3f", cpu_seconds),
             g_ascii_formatd (num[3], sizeof num[3], "%.0f",
                              cpu_seconds > 0 ? self->consumed / cpu_seconds : 0.0),
             g_ascii_formatd (num[4], sizeof num[4], "%.1f",
                              self->first_message_us
                                ? (self->first_message_us - self->started_us) / (double) G_USEC_PER_SEC
                                : 0.0),
             self->cp->batches, co2s_model_get_rows_seen (self->cp->model), self->dlq_total,
             self->checkpoints, self->skipped ? "; some rows were pruned before they were read" : "");
  return TRUE;
}
