/* co2s-trainer-checkpoint.c — the trainer's batches and checkpoints:
 * closing a batch (predict, measure, learn), the group commit (when the
 * learned batches are saved) and the checkpoint itself, in its order. See
 * co2s-trainer.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-batch-step.h"
#include "co2s-trainer-private.h"

/* Tests only: CO2S_TRAINER_FAILPOINT=NAME:BATCH makes the trainer SIGKILL
 * itself at the point NAME of batch BATCH, so that the crash windows the
 * exactly-once design has to survive are hit on purpose rather than by luck.
 * Points, in order: "learned" (the batch is in the model in memory only),
 * "deferred" (the same, and its checkpoint was put off: the group-commit
 * window, where several learned batches wait), then during the checkpoint
 * that holds the batch: "metrics-written" (its metrics line is on disk, the
 * model file is not), "checkpointed" (the model file is on disk, offsets
 * not committed) and "committed" (committed; metrics not yet published or
 * printed). */
static void
kill_at (Co2sTrainer *self, const char *name)
{
  g_printerr ("co2stream-trainer: failpoint %s:%" G_GUINT64_FORMAT ": SIGKILL\n",
              name, self->failpoint_batch);
  kill (getpid (), SIGKILL);
}

/* The metrics rotation's points (co2s-metrics-log.h: "rotate-history-written",
 * "rotate-history-renamed", "rotate-metrics-written", "rotate-metrics-renamed"
 * and the repair's at open): they fire in the first rotation after the
 * checkpoint of batch BATCH. */
void
_co2s_trainer_rotate_hook (const char *point, gpointer user_data)
{
  Co2sTrainer *self = user_data;

  if (self->failpoint != NULL && self->cp->batches >= self->failpoint_batch &&
      strcmp (self->failpoint, point) == 0)
    kill_at (self, point);
}

/* "learned", "deferred": the batch just learned is the one. */
static inline void
failpoint (Co2sTrainer *self, const char *name)
{
  if (G_LIKELY (self->failpoint == NULL) ||
      self->cp->batches != self->failpoint_batch || strcmp (self->failpoint, name) != 0)
    return;
  kill_at (self, name);
}

/* The checkpoint's points: the checkpoint holds the batch. */
static inline void
failpoint_checkpoint (Co2sTrainer *self, const char *name)
{
  if (G_LIKELY (self->failpoint == NULL) || self->pending->len == 0 ||
      strcmp (self->failpoint, name) != 0)
    return;
  if (g_array_index (self->pending, PendingBatch, 0).m.batch <= self->failpoint_batch &&
      self->failpoint_batch <= self->cp->batches)
    kill_at (self, name);
}

static gint64
compute_lag (Co2sTrainer *self)
{
  gint64 lag = -1;

  for (guint i = 0; i < self->cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (self->cp->offsets, Co2sPartitionOffset, i);
      int64_t lo = -1, hi = -1;

      if (rd_kafka_get_watermark_offsets (self->consumer, self->opts.topic, po->partition,
                                          &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
        continue;
      lag = MAX (lag, 0) + MAX (hi - po->next_offset, 0);
    }
  return lag;
}

/* Group commit (see co2s-trainer.h): is a checkpoint of the learned batches
 * due now? @lag: the consumer lag after the last of them (-1: unknown). */
static gboolean
checkpoint_due (Co2sTrainer *self, gint64 now_us, gint64 lag)
{
  if (self->pending->len == 0)
    return FALSE;
  if (self->opts.checkpoint_ms == 0 || self->pending->len >= CO2S_TRAINER_MAX_PENDING ||
      (self->opts.checkpoint_every > 0 && self->pending->len >= self->opts.checkpoint_every) ||
      now_us - self->pending_since_us >= (gint64) self->opts.checkpoint_ms * 1000)
    return TRUE;
  /* Caught up with the log: what is known to be left (librdkafka's last
   * high watermarks, else what it has fetched) does not fill another batch,
   * so the next one waits for rows not yet written; waiting would only
   * delay what is learned. On a live stream this saves as often as the
   * disk allows, and the batches learned during one checkpoint make the
   * next group: a trainer that falls behind groups more. */
  if (lag < 0)
    lag = rd_kafka_queue_length (self->queue);
  return lag < (gint64) self->opts.batch_rows;
}

/* Predict, measure, learn the batch; note its metrics for the next checkpoint. */
gboolean
_co2s_trainer_close_batch (Co2sTrainer *self, GError **error)
{
  Co2sBatch *batch = self->batch;
  PendingBatch p = { 0 };
  Co2sModelSpec spec;

  if (batch->n_messages == 0)
    return TRUE;

  co2s_batch_step (self->cp, NULL, batch, self->opts.champion_window, &p.m);
  p.m.batch = ++self->cp->batches;
  co2s_batch_step_drift (self->cp, &p.m);
  p.m.timestamp_us = g_get_real_time ();
  co2s_model_get_spec (self->cp->model, &spec);
  co2s_model_spec_to_string (&spec, p.m.algo);
  self->dlq_total += batch->n_bad;
  p.m.dlq = self->dlq_total;

  for (guint i = 0; i < batch->positions->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (batch->positions, Co2sPartitionOffset, i);

      co2s_checkpoint_note_learned (self->cp, po);
      _co2s_trainer_note_anchor (self, po);
    }
  p.m.lag = compute_lag (self);
  p.has_emit = co2s_batch_emit_stats (batch, &p.median_emit_us, &p.min_emit_us);
  if (self->pending->len == 0)
    {
      self->pending_since_us = g_get_monotonic_time ();
      g_array_set_size (self->pending_ages, 0);
    }
  /* Each row's latency is its age now plus the wait for the checkpoint
   * (added then, co2s_latency_histogram_add_shifted): a few buckets per
   * batch instead of every row's emit time. */
  p.closed_us = p.m.timestamp_us;
  p.ages_start = self->pending_ages->len;
  p.ages_len = co2s_batch_latency_ages (batch, p.closed_us, self->pending_ages);
  g_array_append_val (self->pending, p);
  co2s_batch_clear (batch);
  failpoint (self, "learned");
  if (self->prom != NULL)
    _co2s_trainer_prom_batch (self, &p.m);

  if (checkpoint_due (self, g_get_monotonic_time (), p.m.lag))
    return _co2s_trainer_checkpoint (self, FALSE, error);
  failpoint (self, "deferred");
  return TRUE;
}

/* "batch 12: 100 rows, rmse 6.21 g/km, mae 4.80, rows_seen 1200" on stdout,
 * never translated (scripts/run.sh shows it, the tests parse it);
 * n/a where there is nothing to measure (the model's first batch, a batch
 * of bad messages only). */
static void
print_batch_line (const Co2sBatchMetrics *m)
{
  char rmse[G_ASCII_DTOSTR_BUF_SIZE] = "n/a";
  char mae[G_ASCII_DTOSTR_BUF_SIZE] = "n/a";

  /* '.' whatever the locale: scripts read this line. */
  if (isfinite (m->rmse))
    g_ascii_formatd (rmse, sizeof rmse, "%.2f", m->rmse);
  if (isfinite (m->mae))
    g_ascii_formatd (mae, sizeof mae, "%.2f", m->mae);
  printf (CO2S_TRAINER_BATCH_LINE_FORMAT,
          m->batch, m->rows, rmse, isfinite (m->rmse) ? " g/km" : "", mae, m->rows_seen);
}

/* Writes the pending batches' metrics lines (fdatasync), then the model file
 * (atomic, durable), then commits the offsets, publishes the metrics and
 * prints the batch lines. See co2s-metrics-log.h for why in this order. */
gboolean
_co2s_trainer_checkpoint (Co2sTrainer *self, gboolean sync_commit, GError **error)
{
  gint64 now_us = g_get_real_time ();

  /* A reset's first checkpoint has no lines: the log is emptied after it. */
  if (self->pending->len > 0 && !_co2s_trainer_open_metrics_log (self, error))
    return FALSE;

  g_string_truncate (self->lines, 0);
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingBatch *p = &g_array_index (self->pending, PendingBatch, i);
      const Co2sLatencyBucket *ages =
        p->ages_len > 0 ? &g_array_index (self->pending_ages, Co2sLatencyBucket, p->ages_start) : NULL;
      gint64 wait_us = MAX (now_us - p->closed_us, 0);

      /* Latency: from the row's emit time to this checkpoint, which makes
       * it durable. The model file below holds the histogram of every row
       * checkpointed so far, saved with the model and the offsets in one
       * atomic write: after a crash, the batches replayed were in neither,
       * so each row is counted once, at the checkpoint that holds it. */
      p->m.latency_ms_p50 = p->has_emit ? (now_us - p->median_emit_us) / 1000.0 : NAN;
      p->m.latency_ms_max = p->has_emit ? (now_us - p->min_emit_us) / 1000.0 : NAN;
      p->m.latency_p50_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.5);
      p->m.latency_p99_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.99);
      p->m.latency_p999_us = co2s_latency_sparse_quantile (ages, p->ages_len, wait_us, 0.999);
      co2s_latency_histogram_add_shifted (self->cp->latency, ages, p->ages_len, wait_us);
      co2s_batch_metrics_to_json (&p->m, self->lines);
      p->line_end = self->lines->len;
    }
  if (self->pending->len > 0 &&
      (!co2s_metrics_log_append (self->log, self->lines->str, self->lines->len, error) ||
       !co2s_metrics_log_sync (self->log, error)))
    return FALSE;
  failpoint_checkpoint (self, "metrics-written");

  self->cp->updated_at_us = now_us;
  g_free (self->cp->topic);
  self->cp->topic = g_strdup (self->opts.topic);
  if (self->cluster_id != NULL)
    {
      g_free (self->cp->cluster_id);
      self->cp->cluster_id = g_strdup (self->cluster_id);
    }
  if (!co2s_checkpoint_save (self->cp, self->model_path, error))
    return FALSE;
  self->committed_any = TRUE;
  failpoint_checkpoint (self, "checkpointed");

  /* Only now may the group learn the new position. */
  _co2s_trainer_commit_offsets (self, sync_commit);
  failpoint_checkpoint (self, "committed");

  for (guint i = 0; i < self->pending->len; i++)
    {
      const PendingBatch *p = &g_array_index (self->pending, PendingBatch, i);
      gsize start = i ? g_array_index (self->pending, PendingBatch, i - 1).line_end : 0;

      _co2s_trainer_publish_metrics (self, self->lines->str + start, p->line_end - start - 1, p->m.batch);
      print_batch_line (&p->m);
    }
  if (self->prom != NULL)
    _co2s_trainer_prom_checkpoint (self, now_us);
  /* stdout is fully buffered (main.c): one write(2) per checkpoint. */
  fflush (stdout);
  /* Every line in metrics.jsonl is checkpointed now: it may be folded. */
  if (self->pending->len > 0)
    {
      g_autoptr(GError) rotate_error = NULL;

      if (!co2s_metrics_log_rotate (self->log, NULL, &rotate_error))
        g_message ("cannot fold old batches into the metrics history (tried again at the next "
                   "checkpoint; the files are consistent, only over their budget): %s",
                   rotate_error->message);
    }
  if (self->pending->len > 0)
    self->checkpoints++;
  g_array_set_size (self->pending, 0);
  g_array_set_size (self->pending_ages, 0);
  return TRUE;
}
