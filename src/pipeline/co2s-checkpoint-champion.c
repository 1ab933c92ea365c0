/* co2s-checkpoint-champion.c — the several models of a checkpoint
 * (co2stream-trainer --algo ls,ls:fuel,…): finding one by name, each
 * model's champion window of its recent scored batches and rolling RMSE,
 * and choosing and setting the champion, whose model and intervals are the
 * checkpoint's. Adding a model is co2s-checkpoint.c's, with the rest of
 * the checkpoint's life. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"

#include <math.h>
#include <string.h>

int
co2s_checkpoint_find_model (const Co2sCheckpoint *cp, const char *name)
{
  g_return_val_if_fail (cp != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < cp->models->len; i++)
    {
      Co2sModelSpec spec;
      char have[CO2S_MODEL_SPEC_MAX];

      co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &spec);
      if (strcmp (co2s_model_spec_to_string (&spec, have), name) == 0)
        return (int) i;
    }
  return -1;
}

void
co2s_checkpoint_set_champion (Co2sCheckpoint *cp, guint index)
{
  Co2sCheckpointModel *m;

  g_return_if_fail (cp != NULL);
  g_return_if_fail (index < cp->models->len);

  m = co2s_checkpoint_get_model (cp, index);
  cp->champion = index;
  cp->model = m->model;
  cp->conformal = m->conformal;
}

void
co2s_checkpoint_model_note_error (Co2sCheckpointModel *m, double rmse, guint rows, guint window)
{
  Co2sRecentError e = { 0 };

  g_return_if_fail (m != NULL);
  g_return_if_fail (window >= 1 && window <= CO2S_CHAMPION_WINDOW_MAX);

  if (!isfinite (rmse) || rows == 0)
    return;
  e.sse = rmse * rmse * rows;
  e.rows = rows;
  if (m->recent->len >= window)
    g_array_remove_range (m->recent, 0, m->recent->len - window + 1);
  g_array_append_val (m->recent, e);
}

double
co2s_checkpoint_model_get_rolling_rmse (const Co2sCheckpointModel *m)
{
  double sse = 0.0;
  guint64 rows = 0;

  g_return_val_if_fail (m != NULL, NAN);

  for (guint i = 0; i < m->recent->len; i++)
    {
      const Co2sRecentError *e = &g_array_index (m->recent, Co2sRecentError, i);

      sse += e->sse;
      rows += e->rows;
    }
  return rows > 0 ? sqrt (sse / rows) : NAN;
}

gboolean
co2s_checkpoint_choose_champion (Co2sCheckpoint *cp)
{
  guint best;
  double best_rmse;

  g_return_val_if_fail (cp != NULL, FALSE);

  best = cp->champion;
  best_rmse = co2s_checkpoint_model_get_rolling_rmse (co2s_checkpoint_get_model (cp, best));
  for (guint i = 0; i < cp->models->len; i++)
    {
      double rmse = co2s_checkpoint_model_get_rolling_rmse (co2s_checkpoint_get_model (cp, i));

      if (isfinite (rmse) && (!isfinite (best_rmse) || rmse < best_rmse))
        {
          best = i;
          best_rmse = rmse;
        }
    }
  if (best == cp->champion)
    return FALSE;
  co2s_checkpoint_set_champion (cp, best);
  return TRUE;
}
