/* co2s-metrics-history-models.c — the history of a trainer of several
 * models: each model's prequential RMSE and the champion at every batch
 * (declared in co2s-metrics-history.h; kept by co2s-metrics-store.c). */
#define G_LOG_DOMAIN "co2s-metrics-history"

#include "co2s-metrics-history.h"
#include "co2s-metrics-store-private.h"

guint
co2s_metrics_history_get_n_models (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);

  return _co2s_metrics_history_get_store (self)->n_models;
}

const char *
co2s_metrics_history_get_model_name (Co2sMetricsHistory *self, guint slot)
{
  const Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  store = _co2s_metrics_history_get_store (self);
  g_return_val_if_fail (slot < store->n_models, NULL);
  return store->model_names[slot];
}

const double *
co2s_metrics_history_get_model_rmse_column (Co2sMetricsHistory *self, guint slot, guint *n)
{
  const Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  store = _co2s_metrics_history_get_store (self);
  if (n != NULL)
    *n = _co2s_metrics_store_len (store);
  if (slot >= store->n_models)
    return NULL;
  return (const double *) (gpointer) store->model_rmse[slot]->data;
}

const guint8 *
co2s_metrics_history_get_champion_column (Co2sMetricsHistory *self, guint *n)
{
  const Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  store = _co2s_metrics_history_get_store (self);
  if (n != NULL)
    *n = _co2s_metrics_store_len (store);
  if (store->champion == NULL)
    return NULL;
  return (const guint8 *) store->champion->data;
}

gint
co2s_metrics_history_get_champion (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store;
  guint len;
  guint8 c;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), -1);

  store = _co2s_metrics_history_get_store (self);
  len = _co2s_metrics_store_len (store);
  if (store->champion == NULL || len == 0)
    return -1;
  c = g_array_index (store->champion, guint8, len - 1);
  return c == CO2S_METRICS_NO_CHAMPION ? -1 : (gint) c;
}
