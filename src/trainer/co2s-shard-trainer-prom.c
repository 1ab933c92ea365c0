/* co2s-shard-trainer-prom.c — the scale-out trainer's metrics for
 * Prometheus (--metrics-listen): the single trainer's names where the
 * meaning is the same (co2s-trainer-prom.h), so that one dashboard shows
 * both, plus the transactions and the partitions it owns. Updated by the
 * hot loop once per batch and once per commit, rendered by the HTTP thread
 * of co2s-prom-server.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include <math.h>

#include "co2s-shard-trainer-private.h"

struct _Co2sShardTrainerProm {
  Co2sProm *prom;
  Co2sPromMetric *batches, *rows, *consumed, *dlq, *transactions, *aborted, *rollbacks;
  Co2sPromMetric *owned, *partition_rows, *lag, *rmse, *mae, *duration, *last_commit, *age;
};

static const double duration_bounds[] = {
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

void
co2s_shard_trainer_export_metrics (Co2sShardTrainer *self, Co2sProm *prom)
{
  Co2sShardTrainerProm *p;

  g_return_if_fail (CO2S_IS_SHARD_TRAINER (self));
  g_return_if_fail (prom != NULL);
  g_return_if_fail (self->prom == NULL);

  p = g_new0 (Co2sShardTrainerProm, 1);
  p->prom = co2s_prom_ref (prom);
#define M(kind, field, name, help, label) \
  p->field = co2s_prom_##kind (prom, "co2stream_trainer_" name, help, label)
  M (counter, batches, "batches_total", "Batches learned by this process.", NULL);
  M (counter, rows, "rows_learned_total", "Rows learned by this process (valid records; dead letters excluded).", NULL);
  M (counter, consumed, "messages_consumed_total", "Messages consumed by this process, valid or not.", NULL);
  M (counter, dlq, "dead_letters_total", "Bad messages this process sent to the dead-letter topic.", NULL);
  M (counter, transactions, "state_transactions_total",
     "Kafka transactions committed by this process (partitions' states, metrics lines, offsets).", NULL);
  M (counter, aborted, "state_transactions_aborted_total", "State transactions aborted by Kafka (each tried again).", NULL);
  M (counter, rollbacks, "rollbacks_total",
     "Times every partition went back to its last committed state after repeated aborts.", NULL);
  M (gauge, owned, "partitions_owned", "Partitions this trainer learns now.", NULL);
  M (gauge, partition_rows, "partition_rows", "Rows learned by the partition's state, over its life.", "partition");
  M (gauge, lag, "consumer_lag_messages", "Messages of the partition not learned yet (high watermark − next offset).",
     "partition");
  M (gauge, rmse, "prequential_rmse",
     "Prequential RMSE of the last batch (predicted by the merged model before learning), in g/km; NaN when it had no row.",
     NULL);
  M (gauge, mae, "prequential_mae", "Prequential MAE of the last batch, in g/km; NaN when it had no row.", NULL);
  M (gauge, last_commit, "last_checkpoint_timestamp_seconds",
     "Time of the last committed state transaction, in seconds since the Unix epoch.", NULL);
#undef M
  p->duration = co2s_prom_histogram (prom, "co2stream_trainer_checkpoint_duration_seconds",
                                     "Time to commit a state transaction (states, metrics lines, offsets) and "
                                     "write the metrics lines.", duration_bounds, G_N_ELEMENTS (duration_bounds));
  p->age = co2s_prom_age_gauge (prom, "co2stream_trainer_model_age_seconds",
                                "Seconds since the last committed state transaction.");
  co2s_prom_set (p->rmse, NAN);
  co2s_prom_set (p->mae, NAN);
  co2s_prom_set (p->owned, self->shards->len);
  self->prom = p;
}

void
_co2s_shard_trainer_prom_batch (Co2sShardTrainer *self, const Co2sBatchMetrics *m, guint n_bad,
                                guint n_messages)
{
  Co2sShardTrainerProm *p = self->prom;

  co2s_prom_lock (p->prom);
  co2s_prom_add (p->batches, 1);
  co2s_prom_add (p->rows, m->rows);
  co2s_prom_add (p->consumed, n_messages);
  co2s_prom_add (p->dlq, n_bad);
  co2s_prom_set (p->rmse, m->rmse);
  co2s_prom_set (p->mae, m->mae);
  co2s_prom_unlock (p->prom);
}

void
_co2s_shard_trainer_prom_commit (Co2sShardTrainer *self, gint64 started_us)
{
  Co2sShardTrainerProm *p = self->prom;
  double now_s = g_get_real_time () / (double) G_USEC_PER_SEC;

  co2s_prom_lock (p->prom);
  co2s_prom_set (p->transactions, self->transactions);
  co2s_prom_set (p->aborted, self->aborted);
  co2s_prom_set (p->rollbacks, self->rollbacks);
  if (started_us > 0)
    co2s_prom_observe (p->duration, (g_get_monotonic_time () - started_us) / (double) G_USEC_PER_SEC);
  co2s_prom_set (p->last_commit, now_s);
  co2s_prom_set (p->age, now_s);
  co2s_prom_set (p->owned, self->shards->len);
  co2s_prom_clear_series (p->partition_rows);
  co2s_prom_clear_series (p->lag);
  for (guint i = 0; i < self->shards->len; i++)
    {
      const Co2sShard *shard = g_ptr_array_index (self->shards, i);
      gint64 next = co2s_checkpoint_get_offset (shard->cp, shard->partition);
      int64_t lo = -1, hi = -1;
      char partition[16];

      g_snprintf (partition, sizeof partition, "%d", (int) shard->partition);
      co2s_prom_set_labeled (p->partition_rows, partition, co2s_model_get_rows_seen (shard->cp->model));
      /* librdkafka's last known watermarks: no request. */
      if (rd_kafka_get_watermark_offsets (self->consumer, self->opts.topic, shard->partition, &lo, &hi) ==
            RD_KAFKA_RESP_ERR_NO_ERROR && hi >= 0)
        co2s_prom_set_labeled (p->lag, partition, (double) MAX (hi - MAX (next, lo), 0));
    }
  co2s_prom_unlock (p->prom);
}

void
_co2s_shard_trainer_prom_free (Co2sShardTrainerProm *p)
{
  if (p == NULL)
    return;
  co2s_prom_unref (p->prom);
  g_free (p);
}
