/* co2s-batch-step.h — one batch through a checkpoint's models: scored
 * before learning (prequential), learned, the champion chosen, the drift
 * alarms updated. Shared by the trainer (co2s-trainer-checkpoint.c) and the
 * scale-out trainer (co2s-shard-trainer.c), which scores with the merged
 * model of every partition and learns into one partition's state.
 *
 * Pure logic, no Kafka; not thread-safe. */
#pragma once

#include <glib.h>

#include "co2s-batch.h"
#include "co2s-checkpoint.h"
#include "co2s-metrics.h"

G_BEGIN_DECLS

/* Scores the good rows of @batch with each model of @cp as it is — or,
 * when @score_with is not NULL, with score_with[i] in place of model i
 * (same specs; only read) — then learns them into @cp's models. Every
 * model is scored before any learns, so each is tested on rows none has
 * seen; with several, the champion is chosen on the scores so far
 * (@champion_window batches) before they learn, and @out->models gets
 * every model's figures. Fills @out's rmse, mae, rmse_fit (the champion's
 * after learning), coverage_95 (@cp's intervals, whose residuals record
 * the scores), rows, rows_seen and, with several models, n_models and
 * models; NAN where there is nothing to measure. A batch with no good row
 * learns nothing. Does not count the batch in @cp->batches. */
void co2s_batch_step (Co2sCheckpoint *cp,
                      Co2sModel *const *score_with,
                      const Co2sBatch *batch,
                      guint champion_window,
                      Co2sBatchMetrics *out);

/* Each model's drift alarm on its prequential RMSE in @m (out of
 * co2s_batch_step; @m->batch set); the top-level alarm and statistic are
 * the champion's. The detectors' states are @cp's: a batch replayed after
 * a crash raises the alarms it raised before. */
void co2s_batch_step_drift (Co2sCheckpoint *cp, Co2sBatchMetrics *m);

G_END_DECLS
