/* co2s-metrics-store.c — the batch columns and the rules of
 * co2s-metrics-history.h (internal; reading the files: co2s-metrics-load.c). */
#define G_LOG_DOMAIN "co2s-metrics-history"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-store-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* ---- store ---------------------------------------------------------------- */

Co2sMetricsStore *
_co2s_metrics_store_new (void)
{
  Co2sMetricsStore *store = g_new0 (Co2sMetricsStore, 1);

  for (guint i = 0; i < N_COLS; i++)
    store->cols[i] = g_array_new (FALSE, FALSE, 8);
  store->rollups = g_array_new (FALSE, FALSE, sizeof (Co2sMetricsRollup));
  store->alarms = g_array_new (FALSE, FALSE, sizeof (guint));
  store->best_index = -1;
  return store;
}

/* ---- scale-out origins ---------------------------------------------------- */

static void
co2s_metrics_store_clear_origins (Co2sMetricsStore *store)
{
  g_clear_pointer (&store->origin_partition, g_array_unref);
  g_clear_pointer (&store->origin_batch, g_array_unref);
  g_clear_pointer (&store->origin_trainer, g_array_unref);
  g_clear_pointer (&store->trainers, g_ptr_array_unref);
  g_clear_pointer (&store->seen, g_hash_table_unref);
}

static GArray *
co2s_metrics_store_seen_of (const Co2sMetricsStore *store, gint partition)
{
  return store->seen != NULL ? g_hash_table_lookup (store->seen, GINT_TO_POINTER (partition)) : NULL;
}

/* Index in @held (increasing) of the first number ≥ @pb. */
static guint
co2s_metrics_store_seen_search (const GArray *held, guint64 pb)
{
  const guint64 *v = (const guint64 *) (gpointer) held->data;
  guint lo = 0, hi = held->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (v[mid] < pb)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
co2s_metrics_store_seen_add (Co2sMetricsStore *store, gint partition, guint64 pb)
{
  GArray *held = co2s_metrics_store_seen_of (store, partition);

  if (held == NULL)
    {
      held = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_hash_table_insert (store->seen, GINT_TO_POINTER (partition), held);
    }
  /* In order but for clocks a little apart (files merged by time). */
  if (held->len == 0 || g_array_index (held, guint64, held->len - 1) < pb)
    g_array_append_val (held, pb);
  else
    g_array_insert_val (held, co2s_metrics_store_seen_search (held, pb), pb);
}

/* @seen again from the origin columns (after batches were dropped). */
static void
co2s_metrics_store_seen_rebuild (Co2sMetricsStore *store)
{
  if (store->origin_partition == NULL)
    return;
  g_clear_pointer (&store->seen, g_hash_table_unref);
  store->seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < store->origin_partition->len; i++)
    co2s_metrics_store_seen_add (store, g_array_index (store->origin_partition, gint, i),
                                 g_array_index (store->origin_batch, guint64, i));
}

gboolean
_co2s_metrics_store_holds_origin (const Co2sMetricsStore *store, gint partition, guint64 partition_batch)
{
  GArray *held = co2s_metrics_store_seen_of (store, partition);
  guint at;

  if (held == NULL)
    return FALSE;
  at = co2s_metrics_store_seen_search (held, partition_batch);
  return at < held->len && g_array_index (held, guint64, at) == partition_batch;
}

guint64
_co2s_metrics_store_last_partition_batch (const Co2sMetricsStore *store, gint partition)
{
  GArray *held = co2s_metrics_store_seen_of (store, partition);

  return held != NULL && held->len > 0 ? g_array_index (held, guint64, held->len - 1) : 0;
}

void
_co2s_metrics_store_begin_scale_out (Co2sMetricsStore *store)
{
  g_assert (_co2s_metrics_store_len (store) == 0);

  if (store->origin_partition != NULL)
    return;
  store->origin_partition = g_array_new (FALSE, FALSE, sizeof (gint));
  store->origin_batch = g_array_new (FALSE, FALSE, sizeof (guint64));
  store->origin_trainer = g_array_new (FALSE, FALSE, sizeof (guint16));
  store->trainers = g_ptr_array_new_with_free_func (g_free);
  store->seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_array_unref);
}

/* Appends batch @index's origin (called before its columns grow). */
static void
co2s_metrics_store_push_origin (Co2sMetricsStore *store, const Co2sBatchMetrics *m, guint index)
{
  guint16 trainer = G_MAXUINT16;

  if (m->partition_batch == 0)
    return;
  if (store->origin_partition == NULL)
    {
      /* A series is of one kind (_co2s_metrics_store_append). */
      g_assert (index == 0);
      _co2s_metrics_store_begin_scale_out (store);
    }
  if (m->trainer[0] != '\0')
    {
      /* The previous batch's trainer first: they come in runs. */
      guint n = store->trainers->len;
      guint last = index > 0 ? g_array_index (store->origin_trainer, guint16, index - 1) : G_MAXUINT16;

      if (last < n && strcmp (g_ptr_array_index (store->trainers, last), m->trainer) == 0)
        trainer = (guint16) last;
      for (guint k = 0; trainer == G_MAXUINT16 && k < n; k++)
        if (strcmp (g_ptr_array_index (store->trainers, k), m->trainer) == 0)
          trainer = (guint16) k;
      if (trainer == G_MAXUINT16 && n < G_MAXUINT16)
        {
          g_ptr_array_add (store->trainers, g_strdup (m->trainer));
          trainer = (guint16) n;
        }
    }
  g_array_append_val (store->origin_partition, m->partition);
  g_array_append_val (store->origin_batch, m->partition_batch);
  g_array_append_val (store->origin_trainer, trainer);
  co2s_metrics_store_seen_add (store, m->partition, m->partition_batch);
}

static void
co2s_metrics_store_clear_models (Co2sMetricsStore *store)
{
  for (guint k = 0; k < CO2S_METRICS_MAX_MODELS; k++)
    g_clear_pointer (&store->model_rmse[k], g_array_unref);
  g_clear_pointer (&store->champion, g_array_unref);
  memset (store->model_names, 0, sizeof store->model_names);
  store->n_models = 0;
}

void
_co2s_metrics_store_free (Co2sMetricsStore *store)
{
  if (store == NULL)
    return;
  co2s_metrics_store_clear_models (store);
  co2s_metrics_store_clear_origins (store);
  for (guint i = 0; i < N_COLS; i++)
    g_array_unref (store->cols[i]);
  g_array_unref (store->rollups);
  g_array_unref (store->alarms);
  g_free (store);
}

Co2sMetricsStore *
_co2s_metrics_store_copy (const Co2sMetricsStore *store)
{
  Co2sMetricsStore *copy = g_memdup2 (store, sizeof *store);

  for (guint i = 0; i < N_COLS; i++)
    copy->cols[i] = g_array_copy (store->cols[i]);
  copy->rollups = g_array_copy (store->rollups);
  copy->alarms = g_array_copy (store->alarms);
  for (guint k = 0; k < store->n_models; k++)
    copy->model_rmse[k] = g_array_copy (store->model_rmse[k]);
  if (store->champion != NULL)
    copy->champion = g_array_copy (store->champion);
  if (store->origin_partition != NULL)
    {
      copy->origin_partition = g_array_copy (store->origin_partition);
      copy->origin_batch = g_array_copy (store->origin_batch);
      copy->origin_trainer = g_array_copy (store->origin_trainer);
      copy->trainers = g_ptr_array_copy (store->trainers, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
      g_ptr_array_set_free_func (copy->trainers, g_free);
      copy->seen = NULL;
      co2s_metrics_store_seen_rebuild (copy);
    }
  return copy;
}

void
_co2s_metrics_store_truncate (Co2sMetricsStore *store, guint len)
{
  g_assert (len <= _co2s_metrics_store_len (store));

  for (guint i = 0; i < N_COLS; i++)
    g_array_set_size (store->cols[i], len);
  while (store->alarms->len > 0 && g_array_index (store->alarms, guint, store->alarms->len - 1) >= len)
    g_array_set_size (store->alarms, store->alarms->len - 1);
  if (len == 0)
    {
      co2s_metrics_store_clear_models (store);
      co2s_metrics_store_clear_origins (store);
    }
  else
    {
      for (guint k = 0; k < store->n_models; k++)
        g_array_set_size (store->model_rmse[k], len);
      if (store->champion != NULL)
        g_array_set_size (store->champion, len);
      if (store->origin_partition != NULL && store->origin_partition->len > len)
        {
          g_array_set_size (store->origin_partition, len);
          g_array_set_size (store->origin_batch, len);
          g_array_set_size (store->origin_trainer, len);
          co2s_metrics_store_seen_rebuild (store);
        }
    }

  if (store->best_index >= (gint64) len)
    {
      store->best_index = -1;
      for (guint i = 0; i < len; i++)
        {
          double v = COL_D (store, COL_RMSE, i);

          if (isfinite (v) && (store->best_index < 0 || v < COL_D (store, COL_RMSE, store->best_index)))
            store->best_index = i;
        }
    }
}

void
_co2s_metrics_store_drop_front (Co2sMetricsStore *store, guint n)
{
  guint kept = 0;

  g_assert (n <= _co2s_metrics_store_len (store));
  if (n == 0)
    return;
  for (guint i = 0; i < N_COLS; i++)
    g_array_remove_range (store->cols[i], 0, n);
  for (guint i = 0; i < store->alarms->len; i++)
    {
      guint a = g_array_index (store->alarms, guint, i);

      if (a >= n)
        g_array_index (store->alarms, guint, kept++) = a - n;
    }
  g_array_set_size (store->alarms, kept);
  for (guint k = 0; k < store->n_models; k++)
    g_array_remove_range (store->model_rmse[k], 0, n);
  if (store->champion != NULL)
    g_array_remove_range (store->champion, 0, n);
  if (store->origin_partition != NULL)
    {
      g_array_remove_range (store->origin_partition, 0, n);
      g_array_remove_range (store->origin_batch, 0, n);
      g_array_remove_range (store->origin_trainer, 0, n);
      co2s_metrics_store_seen_rebuild (store);
    }

  store->best_index = -1;
  for (guint i = 0; i < _co2s_metrics_store_len (store); i++)
    {
      double v = COL_D (store, COL_RMSE, i);

      if (isfinite (v) && (store->best_index < 0 || v < COL_D (store, COL_RMSE, store->best_index)))
        store->best_index = i;
    }
}

/* The slot of model @name, added (its earlier batches NAN) when there is
 * room; -1 when the store already holds CO2S_METRICS_MAX_MODELS others. */
static gint
co2s_metrics_store_model_slot (Co2sMetricsStore *store, const char *name, guint len)
{
  for (guint k = 0; k < store->n_models; k++)
    if (strcmp (store->model_names[k], name) == 0)
      return (gint) k;
  if (store->n_models == CO2S_METRICS_MAX_MODELS || name[0] == '\0')
    return -1;

  if (store->champion == NULL)
    {
      guint8 none = CO2S_METRICS_NO_CHAMPION;

      store->champion = g_array_sized_new (FALSE, FALSE, 1, len + 1);
      for (guint i = 0; i < len; i++)
        g_array_append_val (store->champion, none);
    }
  {
    guint k = store->n_models++;
    double nan = NAN;

    g_strlcpy (store->model_names[k], name, sizeof store->model_names[k]);
    store->model_rmse[k] = g_array_sized_new (FALSE, FALSE, sizeof (double), len + 1);
    for (guint i = 0; i < len; i++)
      g_array_append_val (store->model_rmse[k], nan);
    return (gint) k;
  }
}

/* Appends batch @index's models (called before its columns grow). */
static void
co2s_metrics_store_push_models (Co2sMetricsStore *store, const Co2sBatchMetrics *m, guint index)
{
  double values[CO2S_METRICS_MAX_MODELS];
  guint8 champion = CO2S_METRICS_NO_CHAMPION;

  if (m->n_models == 0 && store->n_models == 0)
    return;
  for (guint j = 0; j < m->n_models && j < CO2S_METRICS_MAX_MODELS; j++)
    co2s_metrics_store_model_slot (store, m->models[j].name, index);
  if (store->n_models == 0)
    return;

  for (guint k = 0; k < store->n_models; k++)
    values[k] = NAN;
  for (guint j = 0; j < m->n_models && j < CO2S_METRICS_MAX_MODELS; j++)
    for (guint k = 0; k < store->n_models; k++)
      if (strcmp (store->model_names[k], m->models[j].name) == 0)
        {
          values[k] = m->models[j].rmse;
          if (strcmp (m->models[j].name, m->algo) == 0)
            champion = (guint8) k;
          break;
        }
  for (guint k = 0; k < store->n_models; k++)
    g_array_append_val (store->model_rmse[k], values[k]);
  g_array_append_val (store->champion, champion);
}

static void
co2s_metrics_store_push (Co2sMetricsStore *store, const Co2sBatchMetrics *m)
{
  double batch = (double) m->batch;
  gint64 rows = m->rows;
  gint64 rows_seen = (gint64) MIN (m->rows_seen, (guint64) G_MAXINT64);
  gint64 dlq = (gint64) MIN (m->dlq, (guint64) G_MAXINT64);
  guint index = _co2s_metrics_store_len (store);

  co2s_metrics_store_push_models (store, m, index);
  co2s_metrics_store_push_origin (store, m, index);
  g_array_append_val (store->cols[COL_BATCH], batch);
  g_array_append_val (store->cols[COL_ROWS], rows);
  g_array_append_val (store->cols[COL_ROWS_SEEN], rows_seen);
  g_array_append_val (store->cols[COL_TIMESTAMP], m->timestamp_us);
  g_array_append_val (store->cols[COL_LAG], m->lag);
  g_array_append_val (store->cols[COL_DLQ], dlq);
  g_array_append_val (store->cols[COL_RMSE], m->rmse);
  g_array_append_val (store->cols[COL_MAE], m->mae);
  g_array_append_val (store->cols[COL_RMSE_FIT], m->rmse_fit);
  g_array_append_val (store->cols[COL_LAT_P50], m->latency_ms_p50);
  g_array_append_val (store->cols[COL_LAT_MAX], m->latency_ms_max);
  g_array_append_val (store->cols[COL_LAT_P50_US], m->latency_p50_us);
  g_array_append_val (store->cols[COL_LAT_P99_US], m->latency_p99_us);
  g_array_append_val (store->cols[COL_LAT_P999_US], m->latency_p999_us);
  g_array_append_val (store->cols[COL_COVERAGE], m->coverage_95);
  if (m->drift_alarm)
    g_array_append_val (store->alarms, index);

  if (m->algo[0] != '\0')
    g_strlcpy (store->algo, m->algo, sizeof store->algo);
  if (isfinite (m->rmse) &&
      (store->best_index < 0 || m->rmse < COL_D (store, COL_RMSE, store->best_index)))
    store->best_index = index;
}

gboolean
_co2s_metrics_store_concat (Co2sMetricsStore *store, const Co2sMetricsStore *next)
{
  guint len = _co2s_metrics_store_len (store);
  guint next_len = _co2s_metrics_store_len (next);

  g_assert (next->rollups->len == 0 && next->series == 0);

  if (next_len == 0)
    return TRUE;
  /* Scale-out batches are numbered as they come: appended one by one. */
  if (_co2s_metrics_store_is_scale_out (store) || _co2s_metrics_store_is_scale_out (next))
    return FALSE;
  if (len > 0 && COL_D (next, COL_BATCH, 0) <= COL_D (store, COL_BATCH, len - 1))
    return FALSE;
  if (len == 0 && store->rollups->len > 0)
    return FALSE;
  if (store->n_models != next->n_models || (store->champion == NULL) != (next->champion == NULL))
    return FALSE;
  for (guint k = 0; k < store->n_models; k++)
    if (strcmp (store->model_names[k], next->model_names[k]) != 0)
      return FALSE;

  for (guint i = 0; i < N_COLS; i++)
    g_array_append_vals (store->cols[i], next->cols[i]->data, next_len);
  for (guint k = 0; k < store->n_models; k++)
    g_array_append_vals (store->model_rmse[k], next->model_rmse[k]->data, next_len);
  if (store->champion != NULL)
    g_array_append_vals (store->champion, next->champion->data, next_len);
  for (guint i = 0; i < next->alarms->len; i++)
    {
      guint at = len + g_array_index (next->alarms, guint, i);

      g_array_append_val (store->alarms, at);
    }
  if (next->algo[0] != '\0')
    g_strlcpy (store->algo, next->algo, sizeof store->algo);
  /* The earliest of the lowest, as one push after another keeps it. */
  if (next->best_index >= 0 &&
      (store->best_index < 0 ||
       COL_D (next, COL_RMSE, next->best_index) < COL_D (store, COL_RMSE, store->best_index)))
    store->best_index = len + next->best_index;
  return TRUE;
}

void
_co2s_metrics_store_get (const Co2sMetricsStore *store, guint i, Co2sBatchMetrics *out)
{
  g_assert (i < _co2s_metrics_store_len (store));

  memset (out, 0, sizeof *out);
  out->batch = (guint64) COL_D (store, COL_BATCH, i);
  out->rows = (guint) COL_I (store, COL_ROWS, i);
  out->rows_seen = (guint64) COL_I (store, COL_ROWS_SEEN, i);
  out->timestamp_us = COL_I (store, COL_TIMESTAMP, i);
  out->lag = COL_I (store, COL_LAG, i);
  out->dlq = (guint64) COL_I (store, COL_DLQ, i);
  out->rmse = COL_D (store, COL_RMSE, i);
  out->mae = COL_D (store, COL_MAE, i);
  out->rmse_fit = COL_D (store, COL_RMSE_FIT, i);
  out->latency_ms_p50 = COL_D (store, COL_LAT_P50, i);
  out->latency_ms_max = COL_D (store, COL_LAT_MAX, i);
  out->latency_p50_us = COL_I (store, COL_LAT_P50_US, i);
  out->latency_p99_us = COL_I (store, COL_LAT_P99_US, i);
  out->latency_p999_us = COL_I (store, COL_LAT_P999_US, i);
  out->coverage_95 = COL_D (store, COL_COVERAGE, i);
  out->drift_alarm = _co2s_metrics_store_has_alarm (store, i);
  out->drift_statistic = NAN;
  g_strlcpy (out->algo, store->algo, sizeof out->algo);
  if (store->champion != NULL && g_array_index (store->champion, guint8, i) != CO2S_METRICS_NO_CHAMPION)
    {
      out->n_models = store->n_models;
      for (guint k = 0; k < store->n_models; k++)
        {
          Co2sModelMetrics *mm = &out->models[k];

          g_strlcpy (mm->name, store->model_names[k], sizeof mm->name);
          mm->rmse = g_array_index (store->model_rmse[k], double, i);
          mm->mae = NAN;
          mm->coverage_95 = NAN;
          mm->rolling_rmse = NAN;
        }
      g_strlcpy (out->algo, store->model_names[g_array_index (store->champion, guint8, i)],
                 sizeof out->algo);
    }
  if (store->origin_partition != NULL)
    {
      guint16 trainer = g_array_index (store->origin_trainer, guint16, i);

      out->partition = g_array_index (store->origin_partition, gint, i);
      out->partition_batch = g_array_index (store->origin_batch, guint64, i);
      if (trainer < store->trainers->len)
        g_strlcpy (out->trainer, g_ptr_array_index (store->trainers, trainer), sizeof out->trainer);
    }
}

gboolean
_co2s_metrics_store_has_alarm (const Co2sMetricsStore *store, guint i)
{
  const guint *a = (const guint *) (gpointer) store->alarms->data;
  guint lo = 0, hi = store->alarms->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (a[mid] < i)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < store->alarms->len && a[lo] == i;
}

/* Index of batch number @batch; the batch column increases strictly. */
gint64
_co2s_metrics_store_find (const Co2sMetricsStore *store, guint64 batch)
{
  const double *col = (const double *) (gpointer) store->cols[COL_BATCH]->data;
  double key = (double) batch;
  guint lo = 0, hi = _co2s_metrics_store_len (store);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (col[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < _co2s_metrics_store_len (store) && col[lo] == key)
    return lo;
  return -1;
}

/* Drops every batch and rollup and starts a new series with @m. */
static void
co2s_metrics_store_new_series (Co2sMetricsStore *store, const Co2sBatchMetrics *m)
{
  _co2s_metrics_store_truncate (store, 0);
  g_array_set_size (store->rollups, 0);
  store->algo[0] = '\0';
  store->series++;
  co2s_metrics_store_push (store, m);
}

/* A scale-out line (see the private header). */
static Co2sMetricsAppendResult
co2s_metrics_store_append_scale_out (Co2sMetricsStore *store, const Co2sBatchMetrics *m, guint *truncated_at)
{
  guint len = _co2s_metrics_store_len (store);
  Co2sBatchMetrics numbered = *m;

  if (!_co2s_metrics_store_is_scale_out (store) && (len > 0 || store->rollups->len > 0))
    {
      /* After a single trainer's batches: another model. */
      numbered.batch = 1;
      co2s_metrics_store_new_series (store, &numbered);
      *truncated_at = 0;
      return CO2S_METRICS_APPEND_NEW_SERIES;
    }
  if (_co2s_metrics_store_holds_origin (store, m->partition, m->partition_batch))
    return CO2S_METRICS_APPEND_DUPLICATE;
  numbered.batch = (len > 0 ? (guint64) COL_D (store, COL_BATCH, len - 1) : _co2s_metrics_store_rollup_end (store)) + 1;
  co2s_metrics_store_push (store, &numbered);
  return CO2S_METRICS_APPEND_ADDED;
}

/* The rules of the header. @truncated_at receives the first index whose
 * contents changed when batches were dropped (G_MAXUINT otherwise). */
Co2sMetricsAppendResult
_co2s_metrics_store_append (Co2sMetricsStore *store, const Co2sBatchMetrics *m, guint *truncated_at)
{
  guint len = _co2s_metrics_store_len (store);
  gint64 at;

  *truncated_at = G_MAXUINT;

  if (m->partition_batch > 0)
    return co2s_metrics_store_append_scale_out (store, m, truncated_at);
  if (_co2s_metrics_store_is_scale_out (store))
    {
      /* A single trainer's line after scale-out batches: another model. */
      co2s_metrics_store_new_series (store, m);
      *truncated_at = 0;
      return CO2S_METRICS_APPEND_NEW_SERIES;
    }

  if ((len == 0 && (store->rollups->len == 0 || m->batch > _co2s_metrics_store_rollup_end (store))) ||
      (len > 0 && (double) m->batch > COL_D (store, COL_BATCH, len - 1)))
    {
      co2s_metrics_store_push (store, m);
      return CO2S_METRICS_APPEND_ADDED;
    }

  if (store->rollups->len > 0 && m->batch <= _co2s_metrics_store_rollup_end (store))
    {
      /* At or before the rollups' end: a batch they hold (not newer than
       * their last, e.g. the app's held batches merged into a file read
       * after a rotation), else a restart or a rewind. */
      const Co2sMetricsRollup *last = &g_array_index (store->rollups, Co2sMetricsRollup,
                                                      store->rollups->len - 1);

      if (m->timestamp_us <= last->last_timestamp_us)
        return CO2S_METRICS_APPEND_DUPLICATE;
    }

  at = _co2s_metrics_store_find (store, m->batch);
  if (at >= 0 &&
      COL_I (store, COL_TIMESTAMP, at) == m->timestamp_us &&
      COL_I (store, COL_ROWS_SEEN, at) == (gint64) m->rows_seen)
    return CO2S_METRICS_APPEND_DUPLICATE;

  if (m->batch <= 1)
    {
      co2s_metrics_store_new_series (store, m);
      *truncated_at = 0;
      return CO2S_METRICS_APPEND_NEW_SERIES;
    }

  /* Rewind: drop every stored batch >= m->batch, and every rollup that
   * reaches it (a bucket cannot be cut: its older batches go too). */
  {
    const double *col = (const double *) (gpointer) store->cols[COL_BATCH]->data;
    guint keep = len;
    guint keep_rollups = store->rollups->len;

    while (keep > 0 && col[keep - 1] >= (double) m->batch)
      keep--;
    while (keep_rollups > 0 &&
           g_array_index (store->rollups, Co2sMetricsRollup, keep_rollups - 1).last_batch >= m->batch)
      keep_rollups--;
    g_array_set_size (store->rollups, keep_rollups);
    _co2s_metrics_store_truncate (store, keep);
    co2s_metrics_store_push (store, m);
    *truncated_at = keep;
  }
  return CO2S_METRICS_APPEND_REWOUND;
}
