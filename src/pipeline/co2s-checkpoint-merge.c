/* co2s-checkpoint-merge.c — the model of several partitions' checkpoints
 * (co2stream-trainer --scale-out): their models merged exactly
 * (co2s_model_merge_all), their positions joined. See co2s-checkpoint.h. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* Every part has the same models, by name and in the same order. */
static gboolean
check_same_models (Co2sCheckpoint *const *parts, guint n, GError **error)
{
  for (guint k = 1; k < n; k++)
    {
      gboolean same = parts[k]->models->len == parts[0]->models->len;

      for (guint i = 0; same && i < parts[0]->models->len; i++)
        {
          Co2sModelSpec a, b;

          co2s_model_get_spec (co2s_checkpoint_get_model (parts[0], i)->model, &a);
          co2s_model_get_spec (co2s_checkpoint_get_model (parts[k], i)->model, &b);
          same = a.algo == b.algo && a.features == b.features;
        }
      if (!same)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("cannot merge partition states that hold different models (state %u "
                         "of %u differs from the first): were the trainers started with "
                         "different --algo?"), k + 1, n);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
co2s_checkpoint_merge_models (Co2sCheckpoint *const *parts,
                              guint n,
                              Co2sModel **out,
                              GError **error)
{
  g_autofree Co2sModel **column = NULL;
  guint n_models;

  g_return_val_if_fail (parts != NULL && n >= 1, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_same_models (parts, n, error))
    return FALSE;
  n_models = parts[0]->models->len;
  column = g_new (Co2sModel *, n);
  for (guint i = 0; i < n_models; i++)
    {
      for (guint k = 0; k < n; k++)
        column[k] = co2s_checkpoint_get_model (parts[k], i)->model;
      out[i] = co2s_model_new_merged (column, n, error);
      if (out[i] == NULL)
        {
          for (guint j = 0; j < i; j++)
            g_clear_object (&out[j]);
          return FALSE;
        }
    }
  return TRUE;
}

/* The pooled RMSE of model @i over every part's champion window; NAN when
 * none has a scored batch. */
static double
pooled_rmse (Co2sCheckpoint *const *parts, guint n, guint i)
{
  double sse = 0.0;
  guint64 rows = 0;

  for (guint k = 0; k < n; k++)
    {
      const GArray *recent = co2s_checkpoint_get_model (parts[k], i)->recent;

      for (guint j = 0; j < recent->len; j++)
        {
          sse += g_array_index (recent, Co2sRecentError, j).sse;
          rows += g_array_index (recent, Co2sRecentError, j).rows;
        }
    }
  return rows > 0 ? sqrt (sse / rows) : NAN;
}

Co2sCheckpoint *
co2s_checkpoint_merge (Co2sCheckpoint *const *parts, guint n, GError **error)
{
  Co2sModel *models[CO2S_MAX_MODELS] = { NULL };
  g_autoptr(Co2sCheckpoint) merged = NULL;
  g_autofree char *donor_json = NULL;
  guint donor = 0, champion;
  double best = NAN;

  g_return_val_if_fail (parts != NULL && n >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!co2s_checkpoint_merge_models (parts, n, models, error))
    return NULL;

  /* Intervals, drift detectors and champion windows cannot be added up:
   * the merged file takes the most experienced part's. */
  for (guint k = 1; k < n; k++)
    if (co2s_model_get_rows_seen (parts[k]->model) > co2s_model_get_rows_seen (parts[donor]->model))
      donor = k;
  donor_json = co2s_checkpoint_to_json (parts[donor]);
  merged = co2s_checkpoint_parse (donor_json, strlen (donor_json), "partition state", error);
  if (merged == NULL)
    {
      for (guint i = 0; i < parts[0]->models->len; i++)
        g_clear_object (&models[i]);
      return NULL;
    }

  champion = merged->champion;
  for (guint i = 0; i < merged->models->len; i++)
    {
      Co2sCheckpointModel *m = co2s_checkpoint_get_model (merged, i);
      double rmse = pooled_rmse (parts, n, i);

      g_clear_object (&m->model);
      m->model = models[i];
      if (isfinite (rmse) && (!isfinite (best) || rmse < best))
        {
          best = rmse;
          champion = i;
        }
    }
  co2s_checkpoint_set_champion (merged, champion);

  merged->batches = 0;
  g_array_set_size (merged->offsets, 0);
  co2s_latency_histogram_clear (merged->latency);
  for (guint k = 0; k < n; k++)
    {
      merged->batches += parts[k]->batches;
      merged->updated_at_us = MAX (merged->updated_at_us, parts[k]->updated_at_us);
      co2s_latency_histogram_merge (merged->latency, parts[k]->latency);
      for (guint j = 0; j < parts[k]->offsets->len; j++)
        {
          const Co2sPartitionOffset *po = &g_array_index (parts[k]->offsets, Co2sPartitionOffset, j);

          if (co2s_checkpoint_get_position (merged, po->partition) != NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("cannot merge partition states: partition %d is in two of them"),
                           (int) po->partition);
              return NULL;
            }
          co2s_checkpoint_note_learned (merged, po);
        }
      if (merged->cluster_id == NULL && parts[k]->cluster_id != NULL)
        merged->cluster_id = g_strdup (parts[k]->cluster_id);
      if (merged->topic == NULL && parts[k]->topic != NULL)
        merged->topic = g_strdup (parts[k]->topic);
    }
  return g_steal_pointer (&merged);
}
