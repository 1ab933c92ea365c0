/* co2s-trainer-prom.c — see co2s-trainer-prom.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include "co2s-trainer-prom.h"

#include <math.h>

#include "co2s-trainer-private.h"

/* Batches in the rolling RMSE/MAE. */
#define ROLLING 100
/* The per-partition lag asks librdkafka for watermarks (cached, but a
 * lock per partition): at most this often. */
#define LAG_INTERVAL_US 100000

typedef struct {
  double sq_sum;     /* rmse² · rows */
  double abs_sum;    /* mae · rows */
  guint rows;
} RollingEntry;

struct _Co2sTrainerProm {
  Co2sProm *prom;
  Co2sPromMetric *batches, *rows, *consumed, *dlq, *checkpoints;
  Co2sPromMetric *model_batches, *model_rows, *model_dlq, *lag;
  Co2sPromMetric *rmse, *mae, *rmse_rolling, *mae_rolling;
  Co2sPromMetric *duration, *last_checkpoint, *age, *latency;
  guint64 last_dlq;                  /* the model's dlq count at the last batch */
  RollingEntry rolling[ROLLING];
  guint rolling_next, rolling_len;
  double sq_sum, abs_sum;
  guint64 rolling_rows;
  gint64 next_lag_us;
};

static const double duration_bounds[] = {
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

/* The row latency's upper bounds, in seconds (the exact histogram's buckets
 * are folded into them; see update_latency). */
static const double latency_bounds[] = {
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

/* Sets the row latency histogram from @h, the checkpoint's exact histogram
 * of every row it holds. Each exact bucket counts as its value
 * (co2s_latency_bucket_value: the value itself below 256 µs, else its
 * middle, within 0.4 %) in the first `le` bound at or above that value, and
 * adds that value to the sum: the exported histogram is exactly the one of
 * those values, so its count is the checkpoint's row count. A bucket
 * straddling a bound (at most 1/128 of the bound wide) goes wholly to one
 * side. At most 3,328 buckets: microseconds per checkpoint. */
static void
update_latency (Co2sTrainerProm *p, const Co2sLatencyHistogram *h)
{
  guint64 counts[G_N_ELEMENTS (latency_bounds) + 1] = { 0 };
  double sum_us = 0;
  guint k = 0;

  for (guint b = h->lowest; h->total > 0 && b <= h->highest; b++)
    {
      gint64 v;

      if (h->counts[b] == 0)
        continue;
      v = co2s_latency_bucket_value (b);
      while (k < G_N_ELEMENTS (latency_bounds) && v > (gint64) llround (latency_bounds[k] * G_USEC_PER_SEC))
        k++;
      counts[k] += h->counts[b];
      sum_us += (double) v * (double) h->counts[b];
    }
  co2s_prom_histogram_set (p->latency, counts, G_N_ELEMENTS (counts), sum_us / G_USEC_PER_SEC);
}

void
co2s_trainer_export_metrics (Co2sTrainer *self, Co2sProm *prom)
{
  Co2sTrainerProm *p;

  g_return_if_fail (CO2S_IS_TRAINER (self));
  g_return_if_fail (prom != NULL);
  g_return_if_fail (self->prom == NULL);

  p = g_new0 (Co2sTrainerProm, 1);
  p->prom = co2s_prom_ref (prom);
#define M(kind, field, name, help) p->field = co2s_prom_##kind (prom, "co2stream_trainer_" name, help, NULL)
  M (counter, batches, "batches_total", "Batches learned by this process.");
  M (counter, rows, "rows_learned_total", "Rows learned by this process (valid records; dead letters excluded).");
  M (counter, consumed, "messages_consumed_total", "Messages consumed by this process, valid or not.");
  M (counter, dlq, "dead_letters_total", "Bad messages this process sent to the dead-letter topic.");
  M (counter, checkpoints, "checkpoints_total", "Checkpoints (metrics lines, model file, offsets) saved by this process.");
  M (gauge, model_batches, "model_batches", "Batches in the model, over its life.");
  M (gauge, model_rows, "model_rows", "Rows learned by the model, over its life.");
  M (gauge, model_dlq, "model_dead_letters", "Bad messages over the model's life.");
  M (gauge, rmse, "prequential_rmse", "Prequential RMSE of the last batch (predicted before learning), in g/km; NaN when it had no row.");
  M (gauge, mae, "prequential_mae", "Prequential MAE of the last batch, in g/km; NaN when it had no row.");
  M (gauge, rmse_rolling, "prequential_rmse_rolling", "Prequential RMSE over the last 100 measured batches, weighted by rows, in g/km.");
  M (gauge, mae_rolling, "prequential_mae_rolling", "Prequential MAE over the last 100 measured batches, weighted by rows, in g/km.");
  M (gauge, last_checkpoint, "last_checkpoint_timestamp_seconds", "Time of the last checkpoint (the model file's updated_at), in seconds since the Unix epoch.");
#undef M
  p->lag = co2s_prom_gauge (prom, "co2stream_trainer_consumer_lag_messages",
                            "Messages of the partition not learned yet (high watermark − next offset).", "partition");
  p->duration = co2s_prom_histogram (prom, "co2stream_trainer_checkpoint_duration_seconds",
                                     "Time to save a checkpoint (fdatasync of the metrics lines, model file, "
                                     "commit, publication).", duration_bounds, G_N_ELEMENTS (duration_bounds));
  p->age = co2s_prom_age_gauge (prom, "co2stream_trainer_model_age_seconds",
                                "Seconds since the model file was last written.");
  p->latency = co2s_prom_histogram (prom, "co2stream_trainer_row_latency_seconds",
                                    "Per-row latency from the API's emit to the checkpoint that made the row "
                                    "durable, over the model's life (model.json's latency_us; each row at its "
                                    "exact bucket's value, within 0.4 %).",
                                    latency_bounds, G_N_ELEMENTS (latency_bounds));
  update_latency (p, self->cp->latency);
  co2s_prom_set (p->rmse, NAN);
  co2s_prom_set (p->mae, NAN);
  co2s_prom_set (p->rmse_rolling, NAN);
  co2s_prom_set (p->mae_rolling, NAN);
  co2s_prom_set (p->model_batches, (double) self->cp->batches);
  co2s_prom_set (p->model_rows, (double) co2s_model_get_rows_seen (self->cp->model));
  co2s_prom_set (p->model_dlq, (double) self->dlq_total);
  p->last_dlq = self->dlq_total;
  if (self->cp_loaded && self->cp->updated_at_us > 0)
    {
      co2s_prom_set (p->last_checkpoint, self->cp->updated_at_us / (double) G_USEC_PER_SEC);
      co2s_prom_set (p->age, self->cp->updated_at_us / (double) G_USEC_PER_SEC);
    }
  self->prom = p;
}

static void
update_lag (Co2sTrainer *self, Co2sTrainerProm *p)
{
  for (guint i = 0; i < self->cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (self->cp->offsets, Co2sPartitionOffset, i);
      int64_t lo = -1, hi = -1;
      char partition[16];

      if (self->consumer == NULL ||
          rd_kafka_get_watermark_offsets (self->consumer, self->opts.topic, po->partition,
                                          &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
        continue;
      g_snprintf (partition, sizeof partition, "%d", po->partition);
      co2s_prom_set_labeled (p->lag, partition, (double) MAX (hi - po->next_offset, 0));
    }
}

void
_co2s_trainer_prom_batch (Co2sTrainer *self, const Co2sBatchMetrics *m)
{
  Co2sTrainerProm *p = self->prom;
  gint64 now_us = g_get_monotonic_time ();
  guint64 dlq_delta;

  g_assert (p != NULL);
  /* The model's count starts again with a fresh model (reset, new log). */
  dlq_delta = m->dlq >= p->last_dlq ? m->dlq - p->last_dlq : m->dlq;
  p->last_dlq = m->dlq;
  if (m->rows > 0 && isfinite (m->rmse) && isfinite (m->mae))
    {
      RollingEntry *e = &p->rolling[p->rolling_next];

      if (p->rolling_len == ROLLING)
        {
          p->sq_sum -= e->sq_sum;
          p->abs_sum -= e->abs_sum;
          p->rolling_rows -= e->rows;
        }
      else
        p->rolling_len++;
      e->sq_sum = m->rmse * m->rmse * m->rows;
      e->abs_sum = m->mae * m->rows;
      e->rows = m->rows;
      p->sq_sum += e->sq_sum;
      p->abs_sum += e->abs_sum;
      p->rolling_rows += e->rows;
      p->rolling_next = (p->rolling_next + 1) % ROLLING;
    }

  co2s_prom_lock (p->prom);
  co2s_prom_add (p->batches, 1);
  co2s_prom_add (p->rows, m->rows);
  co2s_prom_set (p->consumed, (double) self->consumed);
  co2s_prom_add (p->dlq, (double) dlq_delta);
  co2s_prom_set (p->model_batches, (double) m->batch);
  co2s_prom_set (p->model_rows, (double) m->rows_seen);
  co2s_prom_set (p->model_dlq, (double) m->dlq);
  co2s_prom_set (p->rmse, m->rows > 0 ? m->rmse : NAN);
  co2s_prom_set (p->mae, m->rows > 0 ? m->mae : NAN);
  if (p->rolling_rows > 0)
    {
      /* Summed and subtracted in turn: never quite 0 below. */
      co2s_prom_set (p->rmse_rolling, sqrt (MAX (p->sq_sum, 0.0) / p->rolling_rows));
      co2s_prom_set (p->mae_rolling, MAX (p->abs_sum, 0.0) / p->rolling_rows);
    }
  if (now_us >= p->next_lag_us)
    {
      update_lag (self, p);
      p->next_lag_us = now_us + LAG_INTERVAL_US;
    }
  co2s_prom_unlock (p->prom);
}

void
_co2s_trainer_prom_checkpoint (Co2sTrainer *self, gint64 started_real_us)
{
  Co2sTrainerProm *p = self->prom;
  gint64 now_us = g_get_real_time ();

  g_assert (p != NULL);
  co2s_prom_lock (p->prom);
  /* Also after a reset's first checkpoint (no batches): the fresh model's. */
  update_latency (p, self->cp->latency);
  if (self->pending->len == 0)
    {
      co2s_prom_unlock (p->prom);
      return;
    }
  co2s_prom_add (p->checkpoints, 1);
  co2s_prom_observe (p->duration, MAX (now_us - started_real_us, 0) / (double) G_USEC_PER_SEC);
  co2s_prom_set (p->last_checkpoint, self->cp->updated_at_us / (double) G_USEC_PER_SEC);
  co2s_prom_set (p->age, self->cp->updated_at_us / (double) G_USEC_PER_SEC);
  /* Caught up now, often: the lag as the checkpoint leaves it. */
  update_lag (self, p);
  p->next_lag_us = g_get_monotonic_time () + LAG_INTERVAL_US;
  co2s_prom_unlock (p->prom);
}

void
_co2s_trainer_prom_free (Co2sTrainerProm *p)
{
  if (p == NULL)
    return;
  co2s_prom_unref (p->prom);
  g_free (p);
}
