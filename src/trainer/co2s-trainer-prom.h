/* co2s-trainer-prom.h — co2stream-trainer's metrics for Prometheus
 * (--metrics-listen): the hot loop updates a Co2sProm registry once per
 * batch and once per checkpoint (a lock each, no allocation once the series
 * exist); the HTTP thread of co2s-prom-server.h renders it.
 *
 * Metrics (co2stream_trainer_…): batches_total, rows_learned_total,
 * messages_consumed_total, dead_letters_total, checkpoints_total (this
 * process); model_batches, model_rows, model_dead_letters (the model's
 * life); consumer_lag_messages{partition}; prequential_rmse and
 * prequential_mae (last batch, g/km; NaN before there is one to measure),
 * prequential_rmse_rolling and prequential_mae_rolling (the last 100
 * measured batches, weighted by rows); checkpoint_duration_seconds
 * (histogram); last_checkpoint_timestamp_seconds and model_age_seconds
 * (since the model file was written); row_latency_seconds (histogram, the
 * model's life: every checkpointed row's time from the API's emit to the
 * checkpoint that made it durable, model.json's latency_us, set from it at
 * start and at every checkpoint). */
#pragma once

#include "co2s-metrics.h"
#include "co2s-prom.h"
#include "co2s-trainer.h"

G_BEGIN_DECLS

/* Registers the trainer's metrics in @prom (a reference is kept) and keeps
 * them up to date from now on. Call once, after co2s_trainer_new and before
 * co2s_trainer_run, on the trainer's thread. */
void co2s_trainer_export_metrics (Co2sTrainer *self, Co2sProm *prom);

typedef struct _Co2sTrainerProm Co2sTrainerProm;

/* For co2s-trainer*.c only. A batch was learned (its metrics @m). */
void _co2s_trainer_prom_batch (Co2sTrainer *self, const Co2sBatchMetrics *m);
/* A checkpoint that began at @started_real_us (wall clock) is done; counts
 * only when it saved batches (call before they are dropped). */
void _co2s_trainer_prom_checkpoint (Co2sTrainer *self, gint64 started_real_us);
void _co2s_trainer_prom_free (Co2sTrainerProm *prom);

G_END_DECLS
