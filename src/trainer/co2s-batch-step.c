/* co2s-batch-step.c — one batch through a checkpoint's models. See
 * co2s-batch-step.h. */
#define G_LOG_DOMAIN "co2s-trainer"

#include "co2s-batch-step.h"

#include <math.h>

#include "co2s-prequential.h"

/* Several models (--algo ls,ls:fuel,…): every model is scored on the batch
 * before any learns it (so each is tested on rows none has seen), the
 * champion is chosen on the scores so far, then all learn the batch, and
 * the champion's fit is measured. The models do not share anything, so
 * this is what each would score and learn alone. @out gets the champion's
 * figures and out->models everyone's but the drift alarms. */
static void
score_and_learn_models (Co2sCheckpoint *cp, Co2sModel *const *score_with, const Co2sBatch *batch,
                        guint champion_window, Co2sBatchMetrics *out)
{
  Co2sBatchMetrics score;
  guint before = cp->champion;

  g_assert (cp->models->len >= 2 && cp->models->len <= CO2S_METRICS_MAX_MODELS);

  out->n_models = cp->models->len;
  for (guint i = 0; i < cp->models->len; i++)
    {
      Co2sCheckpointModel *m = co2s_checkpoint_get_model (cp, i);
      Co2sModelMetrics *mm = &out->models[i];
      Co2sModelSpec spec;
      char name[CO2S_MODEL_SPEC_MAX];

      co2s_model_get_spec (m->model, &spec);
      g_strlcpy (mm->name, co2s_model_spec_to_string (&spec, name), sizeof mm->name);
      mm->rmse = mm->mae = mm->coverage_95 = NAN;
      if (batch->n_rows > 0)
        {
          co2s_prequential_score (score_with != NULL ? score_with[i] : m->model, m->conformal, batch->x, batch->y, batch->n_rows, &score);
          mm->rmse = score.rmse;
          mm->mae = score.mae;
          mm->coverage_95 = score.coverage_95;
          co2s_checkpoint_model_note_error (m, score.rmse, batch->n_rows, champion_window);
        }
      mm->rolling_rmse = co2s_checkpoint_model_get_rolling_rmse (m);
    }
  if (co2s_checkpoint_choose_champion (cp))
    g_message ("batch %" G_GUINT64_FORMAT ": the champion is now %s (prequential RMSE %.4g g/km over "
               "its last %u scored batches, against %.4g for %s)",
               cp->batches + 1, out->models[cp->champion].name, out->models[cp->champion].rolling_rmse,
               co2s_checkpoint_get_model (cp, cp->champion)->recent->len,
               out->models[before].rolling_rmse, out->models[before].name);

  out->rmse = out->models[cp->champion].rmse;
  out->mae = out->models[cp->champion].mae;
  out->coverage_95 = out->models[cp->champion].coverage_95;
  out->rmse_fit = NAN;
  for (guint i = 0; batch->n_rows > 0 && i < cp->models->len; i++)
    {
      co2s_prequential_learn (co2s_checkpoint_get_model (cp, i)->model, batch->x, batch->y, batch->n_rows,
                              i == cp->champion, &score);
      if (i == cp->champion)
        out->rmse_fit = score.rmse_fit;
    }
  out->rows_seen = co2s_model_get_rows_seen (cp->model);
}

void
co2s_batch_step_drift (Co2sCheckpoint *cp, Co2sBatchMetrics *m)
{
  g_return_if_fail (cp != NULL && m != NULL);

  for (guint i = 0; i < cp->models->len; i++)
    {
      Co2sCheckpointModel *model = co2s_checkpoint_get_model (cp, i);
      double rmse = m->n_models > 0 ? m->models[i].rmse : m->rmse;
      gboolean alarm = co2s_drift_update (&model->drift, rmse);

      if (m->n_models > 0)
        m->models[i].drift_alarm = alarm;
      if (i == cp->champion)
        {
          m->drift_alarm = alarm;
          m->drift_statistic = co2s_drift_get_statistic (&model->drift);
        }
      if (alarm)
        g_message ("batch %" G_GUINT64_FORMAT ": drift alarm%s%s: the prequential RMSE (%.3g g/km) has "
                   "risen above its usual level (Page-Hinkley on ln RMSE, lambda %g); alarm %" G_GUINT64_FORMAT,
                   m->batch, m->n_models > 0 ? " of " : "", m->n_models > 0 ? m->models[i].name : "",
                   rmse, model->drift.params.lambda, model->drift.alarms);
    }
}

void
co2s_batch_step (Co2sCheckpoint *cp,
                 Co2sModel *const *score_with,
                 const Co2sBatch *batch,
                 guint champion_window,
                 Co2sBatchMetrics *out)
{
  Co2sBatchMetrics score;

  g_return_if_fail (cp != NULL && batch != NULL && out != NULL);

  out->rmse = out->mae = out->rmse_fit = out->coverage_95 = NAN;
  if (cp->models->len > 1)
    score_and_learn_models (cp, score_with, batch, champion_window, out);
  else if (batch->n_rows > 0 && score_with == NULL)
    co2s_prequential_step_with_intervals (cp->model, cp->conformal, batch->x, batch->y,
                                          batch->n_rows, out);
  else if (batch->n_rows > 0)
    {
      co2s_prequential_score (score_with[0], cp->conformal, batch->x, batch->y, batch->n_rows, out);
      co2s_prequential_learn (cp->model, batch->x, batch->y, batch->n_rows, TRUE, &score);
      out->rmse_fit = score.rmse_fit;
      out->rows_seen = score.rows_seen;
      g_strlcpy (out->algo, score.algo, sizeof out->algo);
    }
  else
    out->rows_seen = co2s_model_get_rows_seen (cp->model);
  out->rows = batch->n_rows;
}
