/* co2s-metrics-history.c — every batch of the current model, and its KPIs. */
#define G_LOG_DOMAIN "co2s-metrics-history"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-history.h"
#include "co2s-metrics-store-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

struct _Co2sMetricsHistory
{
  GObject parent_instance;

  Co2sMetricsStore *store;

  guint rolling_window;
  guint rate_window;
  guint64 dataset_rows;

  /* Rolling mean column, valid for its first rolling->len batches. */
  GArray *rolling;
  /* Consumer lag as doubles (NAN unknown) and rows/s over the rate window,
   * valid for their first len batches, like rolling. */
  GArray *lag;
  GArray *rate;

  guint64 generation;
  guint64 epoch;
};

G_DEFINE_FINAL_TYPE (Co2sMetricsHistory, co2s_metrics_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROLLING_WINDOW,
  PROP_RATE_WINDOW,
  PROP_DATASET_ROWS,
  PROP_N_BATCHES,
  PROP_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  NEW_SERIES,
  DRIFT_ALARM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- history helpers ---------------------------------------------------------- */

static void
invalidate_from (Co2sMetricsHistory *self, guint index)
{
  if (self->rolling->len > index)
    g_array_set_size (self->rolling, index);
  if (self->lag->len > index)
    g_array_set_size (self->lag, index);
  /* A rate looks back rate_window batches. */
  if (self->rate->len > index)
    g_array_set_size (self->rate, index);
  self->epoch++;
}

/* "new-series" is for live restarts; a load only updates the counter. */
static void
emit_changed (Co2sMetricsHistory *self,
              guint old_len,
              guint old_series,
              gboolean live)
{
  self->generation++;
  if (self->store->series != old_series)
    {
      if (live)
        g_signal_emit (self, signals[NEW_SERIES], 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIES]);
    }
  if (_co2s_metrics_store_len (self->store) != old_len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BATCHES]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
extend_rolling (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store = self->store;
  const double *rmse = (const double *) (gpointer) store->cols[COL_RMSE]->data;
  guint n = _co2s_metrics_store_len (store);
  guint w = self->rolling_window;
  guint from = self->rolling->len;
  double sum = 0.0;
  guint count = 0;

  g_assert (from <= n);
  if (from == n)
    return;

  /* Window ending just before @from. */
  for (guint j = from > w ? from - w : 0; j < from; j++)
    if (isfinite (rmse[j]))
      {
        sum += rmse[j];
        count++;
      }

  g_array_set_size (self->rolling, n);
  for (guint i = from; i < n; i++)
    {
      if (isfinite (rmse[i]))
        {
          sum += rmse[i];
          count++;
        }
      if (i >= w && isfinite (rmse[i - w]))
        {
          sum -= rmse[i - w];
          count--;
        }
      /* An empty window resets the sum, so rounding cannot linger. */
      if (count == 0)
        sum = 0.0;
      g_array_index (self->rolling, double, i) = count > 0 ? sum / count : NAN;
    }
}

static void
extend_lag (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store = self->store;
  guint n = _co2s_metrics_store_len (store);
  guint from = self->lag->len;

  g_assert (from <= n);
  g_array_set_size (self->lag, n);
  for (guint i = from; i < n; i++)
    {
      gint64 lag = COL_I (store, COL_LAG, i);

      g_array_index (self->lag, double, i) = lag >= 0 ? (double) lag : NAN;
    }
}

/* Rows learned per second at each batch, over the rate window before it
 * (as co2s_metrics_history_get_rows_per_second for the last batch). */
static void
extend_rate (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store = self->store;
  guint n = _co2s_metrics_store_len (store);
  guint from = self->rate->len;

  g_assert (from <= n);
  g_array_set_size (self->rate, n);
  for (guint i = from; i < n; i++)
    {
      guint a = i > self->rate_window ? i - self->rate_window : 0;
      gint64 dt = COL_I (store, COL_TIMESTAMP, i) - COL_I (store, COL_TIMESTAMP, a);
      gint64 rows = COL_I (store, COL_ROWS_SEEN, i) - COL_I (store, COL_ROWS_SEEN, a);

      g_array_index (self->rate, double, i) =
        (i > 0 && dt > 0 && rows >= 0) ? (double) rows * G_USEC_PER_SEC / (double) dt : NAN;
    }
}

static void
on_load_thread (GTask *task,
                gpointer source_object,
                gpointer task_data,
                GCancellable *cancellable)
{
  Co2sMetricsLoadReport *report = NULL;
  GError *error = NULL;
  Co2sMetricsStore *store = _co2s_metrics_store_load (task_data, 0, cancellable, &report, &error);

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "co2s-report", report,
                          (GDestroyNotify) co2s_metrics_load_report_free);
  g_task_return_pointer (task, store, (GDestroyNotify) _co2s_metrics_store_free);
}

/* Replaces the content by @loaded followed by what was held (see header). */
static void
merge_loaded (Co2sMetricsHistory *self, Co2sMetricsStore *loaded, Co2sMetricsLoadReport *report)
{
  Co2sMetricsStore *old = self->store;
  guint old_len = _co2s_metrics_store_len (old);
  guint old_series = old->series;
  guint truncated_at;

  loaded->series += old->series;
  for (guint i = 0; i < old_len; i++)
    {
      Co2sBatchMetrics m;

      _co2s_metrics_store_get (old, i, &m);
      switch (_co2s_metrics_store_append (loaded, &m, &truncated_at))
        {
        case CO2S_METRICS_APPEND_DUPLICATE:
          report->duplicates++;
          break;
        case CO2S_METRICS_APPEND_NEW_SERIES:
          report->new_series++;
          break;
        case CO2S_METRICS_APPEND_REWOUND:
          report->rewinds++;
          break;
        case CO2S_METRICS_APPEND_ADDED:
        default:
          break;
        }
    }
  /* The old store's algo is the most recent one. */
  if (old->algo[0] != '\0')
    g_strlcpy (loaded->algo, old->algo, sizeof loaded->algo);

  self->store = loaded;
  _co2s_metrics_store_free (old);
  invalidate_from (self, 0);
  emit_changed (self, old_len, old_series, FALSE);
}

static void
on_load_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  Co2sMetricsHistory *self = g_task_get_source_object (outer);
  GTask *inner = G_TASK (result);
  Co2sMetricsLoadReport *report;
  GError *error = NULL;
  Co2sMetricsStore *store;

  store = g_task_propagate_pointer (inner, &error);
  if (store == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  report = g_object_steal_data (G_OBJECT (inner), "co2s-report");
  merge_loaded (self, store, report);
  g_task_return_pointer (outer, report, (GDestroyNotify) co2s_metrics_load_report_free);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void
co2s_metrics_history_finalize (GObject *object)
{
  Co2sMetricsHistory *self = CO2S_METRICS_HISTORY (object);

  g_clear_pointer (&self->store, _co2s_metrics_store_free);
  g_clear_pointer (&self->rolling, g_array_unref);
  g_clear_pointer (&self->lag, g_array_unref);
  g_clear_pointer (&self->rate, g_array_unref);

  G_OBJECT_CLASS (co2s_metrics_history_parent_class)->finalize (object);
}

static void
co2s_metrics_history_get_property (GObject *object,
                                   guint prop_id,
                                   GValue *value,
                                   GParamSpec *pspec)
{
  Co2sMetricsHistory *self = CO2S_METRICS_HISTORY (object);

  switch (prop_id)
    {
    case PROP_ROLLING_WINDOW:
      g_value_set_uint (value, self->rolling_window);
      break;
    case PROP_RATE_WINDOW:
      g_value_set_uint (value, self->rate_window);
      break;
    case PROP_DATASET_ROWS:
      g_value_set_uint64 (value, self->dataset_rows);
      break;
    case PROP_N_BATCHES:
      g_value_set_uint (value, _co2s_metrics_store_len (self->store));
      break;
    case PROP_SERIES:
      g_value_set_uint (value, self->store->series);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_metrics_history_set_property (GObject *object,
                                   guint prop_id,
                                   const GValue *value,
                                   GParamSpec *pspec)
{
  Co2sMetricsHistory *self = CO2S_METRICS_HISTORY (object);

  switch (prop_id)
    {
    case PROP_ROLLING_WINDOW:
      co2s_metrics_history_set_rolling_window (self, g_value_get_uint (value));
      break;
    case PROP_RATE_WINDOW:
      co2s_metrics_history_set_rate_window (self, g_value_get_uint (value));
      break;
    case PROP_DATASET_ROWS:
      co2s_metrics_history_set_dataset_rows (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_metrics_history_class_init (Co2sMetricsHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = co2s_metrics_history_finalize;
  object_class->get_property = co2s_metrics_history_get_property;
  object_class->set_property = co2s_metrics_history_set_property;

  properties[PROP_ROLLING_WINDOW] =
    g_param_spec_uint ("rolling-window", NULL, NULL,
                       1, G_MAXUINT, CO2S_METRICS_HISTORY_DEFAULT_ROLLING_WINDOW,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATE_WINDOW] =
    g_param_spec_uint ("rate-window", NULL, NULL,
                       1, G_MAXUINT, CO2S_METRICS_HISTORY_DEFAULT_RATE_WINDOW,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATASET_ROWS] =
    g_param_spec_uint64 ("dataset-rows", NULL, NULL,
                         1, G_MAXUINT64, CO2S_METRICS_HISTORY_DEFAULT_DATASET_ROWS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_BATCHES] =
    g_param_spec_uint ("n-batches", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERIES] =
    g_param_spec_uint ("series", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * Co2sMetricsHistory::changed:
   *
   * Batches were added or removed, or a setting that changes the KPIs
   * changed. Emitted once per append call, load or clear.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * Co2sMetricsHistory::new-series:
   *
   * The trainer started over (--reset): the previous batches were dropped.
   * Emitted before the matching "changed".
   */
  signals[NEW_SERIES] =
    g_signal_new ("new-series", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * Co2sMetricsHistory::drift-alarm:
   * @batch: (type guint64): the batch number that raised it (for a
   *   scale-out batch, the number the history gave it)
   *
   * A batch appended live (co2s_metrics_history_append or _append_many, not
   * a duplicate) raised the drift alarm; emitted after its "changed", once
   * per call (for the call's last such batch). Loading a file never emits it.
   */
  signals[DRIFT_ALARM] =
    g_signal_new ("drift-alarm", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
co2s_metrics_history_init (Co2sMetricsHistory *self)
{
  self->store = _co2s_metrics_store_new ();
  self->rolling = g_array_new (FALSE, FALSE, sizeof (double));
  self->lag = g_array_new (FALSE, FALSE, sizeof (double));
  self->rate = g_array_new (FALSE, FALSE, sizeof (double));
  self->rolling_window = CO2S_METRICS_HISTORY_DEFAULT_ROLLING_WINDOW;
  self->rate_window = CO2S_METRICS_HISTORY_DEFAULT_RATE_WINDOW;
  self->dataset_rows = CO2S_METRICS_HISTORY_DEFAULT_DATASET_ROWS;
}

/* ---- private API (co2s-metrics-store-private.h) ---------------------------------- */

const Co2sMetricsStore *
_co2s_metrics_history_get_store (Co2sMetricsHistory *self)
{
  g_assert (CO2S_IS_METRICS_HISTORY (self));
  return self->store;
}

/* ---- public API ------------------------------------------------------------------ */

Co2sMetricsHistory *
co2s_metrics_history_new (void)
{
  return g_object_new (CO2S_TYPE_METRICS_HISTORY, NULL);
}

Co2sMetricsHistory *
co2s_metrics_history_copy (Co2sMetricsHistory *self)
{
  Co2sMetricsHistory *copy;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  copy = co2s_metrics_history_new ();
  copy->rolling_window = self->rolling_window;
  copy->rate_window = self->rate_window;
  copy->dataset_rows = self->dataset_rows;
  _co2s_metrics_store_free (copy->store);
  copy->store = _co2s_metrics_store_copy (self->store);
  g_array_unref (copy->rolling);
  copy->rolling = g_array_copy (self->rolling);
  return copy;
}

Co2sMetricsAppendResult
co2s_metrics_history_append (Co2sMetricsHistory *self,
                             const Co2sBatchMetrics *m)
{
  guint old_len, old_series, truncated_at;
  Co2sMetricsAppendResult result;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), CO2S_METRICS_APPEND_DUPLICATE);
  g_return_val_if_fail (m != NULL, CO2S_METRICS_APPEND_DUPLICATE);

  old_len = _co2s_metrics_store_len (self->store);
  old_series = self->store->series;
  result = _co2s_metrics_store_append (self->store, m, &truncated_at);
  if (result == CO2S_METRICS_APPEND_DUPLICATE)
    return result;
  if (truncated_at != G_MAXUINT)
    invalidate_from (self, truncated_at);
  emit_changed (self, old_len, old_series, TRUE);
  if (m->drift_alarm)
    g_signal_emit (self, signals[DRIFT_ALARM], 0, co2s_metrics_history_get_last_batch (self));
  return result;
}

guint
co2s_metrics_history_append_many (Co2sMetricsHistory *self,
                                  const Co2sBatchMetrics *m,
                                  guint n)
{
  guint old_len, old_series, taken = 0;
  guint first_truncated = G_MAXUINT;
  guint64 alarm_batch = 0;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  g_return_val_if_fail (m != NULL || n == 0, 0);

  old_len = _co2s_metrics_store_len (self->store);
  old_series = self->store->series;
  for (guint i = 0; i < n; i++)
    {
      guint truncated_at;

      if (_co2s_metrics_store_append (self->store, &m[i], &truncated_at) == CO2S_METRICS_APPEND_DUPLICATE)
        continue;
      taken++;
      first_truncated = MIN (first_truncated, truncated_at);
      if (m[i].drift_alarm)
        alarm_batch = (guint64) COL_D (self->store, COL_BATCH, _co2s_metrics_store_len (self->store) - 1);
    }
  if (taken == 0)
    return 0;
  if (first_truncated != G_MAXUINT)
    invalidate_from (self, first_truncated);
  /* Several new series in one call still make one "new-series". */
  emit_changed (self, old_len, old_series, TRUE);
  if (alarm_batch > 0)
    g_signal_emit (self, signals[DRIFT_ALARM], 0, alarm_batch);
  return taken;
}

void
co2s_metrics_history_clear (Co2sMetricsHistory *self)
{
  guint old_len;

  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));

  old_len = _co2s_metrics_store_len (self->store);
  _co2s_metrics_store_truncate (self->store, 0);
  g_array_set_size (self->store->rollups, 0);
  self->store->algo[0] = '\0';
  invalidate_from (self, 0);
  emit_changed (self, old_len, self->store->series, TRUE);
}

gboolean
co2s_metrics_history_load_file (Co2sMetricsHistory *self,
                                const char *path,
                                Co2sMetricsLoadReport **report,
                                GError **error)
{
  return co2s_metrics_history_load_file_last (self, path, 0, report, error);
}

gboolean
co2s_metrics_history_load_file_last (Co2sMetricsHistory *self,
                                     const char *path,
                                     guint last_n,
                                     Co2sMetricsLoadReport **report,
                                     GError **error)
{
  g_autoptr(Co2sMetricsLoadReport) local_report = NULL;
  Co2sMetricsStore *store;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  store = _co2s_metrics_store_load (path, last_n, NULL, &local_report, error);
  if (store == NULL)
    return FALSE;
  merge_loaded (self, store, local_report);
  if (report != NULL)
    *report = g_steal_pointer (&local_report);
  return TRUE;
}

void
co2s_metrics_history_load_file_async (Co2sMetricsHistory *self,
                                      const char *path,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr(GTask) inner = NULL;
  GTask *outer;

  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, co2s_metrics_history_load_file_async);

  /* The worker only sees the path and its own Co2sMetricsStore; no reference to @self
   * crosses threads. */
  inner = g_task_new (NULL, cancellable, on_load_done, outer);
  g_task_set_task_data (inner, g_strdup (path), g_free);
  g_task_run_in_thread (inner, on_load_thread);
}

gboolean
co2s_metrics_history_load_file_finish (Co2sMetricsHistory *self,
                                       GAsyncResult *result,
                                       Co2sMetricsLoadReport **report,
                                       GError **error)
{
  Co2sMetricsLoadReport *r;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        co2s_metrics_history_load_file_async, FALSE);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return FALSE;
  if (report != NULL)
    *report = r;
  else
    co2s_metrics_load_report_free (r);
  return TRUE;
}

void
co2s_metrics_history_set_rolling_window (Co2sMetricsHistory *self, guint window)
{
  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));
  g_return_if_fail (window >= 1);

  if (self->rolling_window == window)
    return;
  self->rolling_window = window;
  /* Not an epoch change: the batches stay; only the derived column goes. */
  g_array_set_size (self->rolling, 0);
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLLING_WINDOW]);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
co2s_metrics_history_get_rolling_window (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->rolling_window;
}

void
co2s_metrics_history_set_rate_window (Co2sMetricsHistory *self, guint window)
{
  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));
  g_return_if_fail (window >= 1);

  if (self->rate_window == window)
    return;
  self->rate_window = window;
  /* Not an epoch change: the batches stay; only the derived column goes. */
  g_array_set_size (self->rate, 0);
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_WINDOW]);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
co2s_metrics_history_get_rate_window (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->rate_window;
}

void
co2s_metrics_history_set_dataset_rows (Co2sMetricsHistory *self, guint64 rows)
{
  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));
  g_return_if_fail (rows >= 1);

  if (self->dataset_rows == rows)
    return;
  self->dataset_rows = rows;
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET_ROWS]);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint64
co2s_metrics_history_get_dataset_rows (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->dataset_rows;
}

guint
co2s_metrics_history_get_n_batches (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return _co2s_metrics_store_len (self->store);
}

gboolean
co2s_metrics_history_get_batch (Co2sMetricsHistory *self,
                                guint index,
                                Co2sBatchMetrics *out)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (index >= _co2s_metrics_store_len (self->store))
    return FALSE;
  _co2s_metrics_store_get (self->store, index, out);
  return TRUE;
}

gint64
co2s_metrics_history_find_batch (Co2sMetricsHistory *self, guint64 batch)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), -1);
  return _co2s_metrics_store_find (self->store, batch);
}

#define COLUMN_GETTER(func, column, type)                                  \
  const type *                                                             \
  func (Co2sMetricsHistory *self, guint *n)                                \
  {                                                                        \
    g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);           \
    if (n != NULL)                                                         \
      *n = _co2s_metrics_store_len (self->store);                                       \
    return (const type *) (gpointer) self->store->cols[column]->data;           \
  }

COLUMN_GETTER (co2s_metrics_history_get_batch_column, COL_BATCH, double)
COLUMN_GETTER (co2s_metrics_history_get_rmse_column, COL_RMSE, double)
COLUMN_GETTER (co2s_metrics_history_get_rmse_fit_column, COL_RMSE_FIT, double)
COLUMN_GETTER (co2s_metrics_history_get_mae_column, COL_MAE, double)
COLUMN_GETTER (co2s_metrics_history_get_rows_seen_column, COL_ROWS_SEEN, gint64)
COLUMN_GETTER (co2s_metrics_history_get_timestamp_column, COL_TIMESTAMP, gint64)

const Co2sMetricsRollup *
co2s_metrics_history_get_rollups (Co2sMetricsHistory *self, guint *n)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  if (n != NULL)
    *n = self->store->rollups->len;
  return (const Co2sMetricsRollup *) (gpointer) self->store->rollups->data;
}

const double *
co2s_metrics_history_get_lag_column (Co2sMetricsHistory *self, guint *n)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  extend_lag (self);
  if (n != NULL)
    *n = self->lag->len;
  return (const double *) (gpointer) self->lag->data;
}

const double *
co2s_metrics_history_get_rate_column (Co2sMetricsHistory *self, guint *n)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  extend_rate (self);
  if (n != NULL)
    *n = self->rate->len;
  return (const double *) (gpointer) self->rate->data;
}

const double *
co2s_metrics_history_get_rolling_rmse_column (Co2sMetricsHistory *self, guint *n)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NULL);

  extend_rolling (self);
  if (n != NULL)
    *n = self->rolling->len;
  return (const double *) (gpointer) self->rolling->data;
}

double
co2s_metrics_history_get_last_rmse (Co2sMetricsHistory *self)
{
  guint n;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NAN);

  n = _co2s_metrics_store_len (self->store);
  return n > 0 ? COL_D (self->store, COL_RMSE, n - 1) : NAN;
}

double
co2s_metrics_history_get_best_rmse (Co2sMetricsHistory *self, guint64 *batch)
{
  gint64 best;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NAN);

  best = self->store->best_index;
  if (batch != NULL)
    *batch = best >= 0 ? (guint64) COL_D (self->store, COL_BATCH, best) : 0;
  return best >= 0 ? COL_D (self->store, COL_RMSE, best) : NAN;
}

double
co2s_metrics_history_get_rolling_rmse (Co2sMetricsHistory *self)
{
  const double *rmse;
  guint n, from, count = 0;
  double sum = 0.0;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NAN);

  /* O(window), independent of the lazily built column. */
  rmse = (const double *) (gpointer) self->store->cols[COL_RMSE]->data;
  n = _co2s_metrics_store_len (self->store);
  from = n > self->rolling_window ? n - self->rolling_window : 0;
  for (guint i = from; i < n; i++)
    if (isfinite (rmse[i]))
      {
        sum += rmse[i];
        count++;
      }
  return count > 0 ? sum / count : NAN;
}

double
co2s_metrics_history_get_rows_per_second (Co2sMetricsHistory *self)
{
  const Co2sMetricsStore *store;
  guint n, a, b;
  gint64 dt, rows;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), NAN);

  store = self->store;
  n = _co2s_metrics_store_len (store);
  if (n < 2)
    return NAN;
  b = n - 1;
  a = b > self->rate_window ? b - self->rate_window : 0;
  /* Rows trained after batch a finished, up to batch b finishing. */
  dt = COL_I (store, COL_TIMESTAMP, b) - COL_I (store, COL_TIMESTAMP, a);
  rows = COL_I (store, COL_ROWS_SEEN, b) - COL_I (store, COL_ROWS_SEEN, a);
  if (dt <= 0 || rows < 0)
    return NAN;
  return (double) rows * G_USEC_PER_SEC / (double) dt;
}

guint64
co2s_metrics_history_get_last_batch (Co2sMetricsHistory *self)
{
  guint n;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);

  n = _co2s_metrics_store_len (self->store);
  return n > 0 ? (guint64) COL_D (self->store, COL_BATCH, n - 1) : 0;
}

void
co2s_metrics_history_get_kpis (Co2sMetricsHistory *self,
                               gint64 now_us,
                               Co2sMetricsKpis *out)
{
  const Co2sMetricsStore *store;
  guint n;

  g_return_if_fail (CO2S_IS_METRICS_HISTORY (self));
  g_return_if_fail (out != NULL);

  store = self->store;
  n = _co2s_metrics_store_len (store);

  memset (out, 0, sizeof *out);
  out->batches = n;
  /* The batches folded into rollups were evaluated too. */
  for (guint i = 0; i < store->rollups->len; i++)
    out->batches += g_array_index (store->rollups, Co2sMetricsRollup, i).count;
  out->last_batch = co2s_metrics_history_get_last_batch (self);
  out->last_rmse = co2s_metrics_history_get_last_rmse (self);
  out->best_rmse = co2s_metrics_history_get_best_rmse (self, &out->best_batch);
  out->rolling_rmse = co2s_metrics_history_get_rolling_rmse (self);
  out->rows_per_second = co2s_metrics_history_get_rows_per_second (self);
  g_strlcpy (out->algo, store->algo, sizeof out->algo);
  out->rolling_coverage = co2s_metrics_history_get_rolling_coverage (self);
  out->drift_alarms = co2s_metrics_history_count_drift_alarms (self, &out->last_drift_batch);

  if (n == 0)
    {
      out->lag = -1;
      out->model_age_us = -1;
      out->pass_progress = NAN;
      return;
    }

  out->rows_seen = (guint64) COL_I (store, COL_ROWS_SEEN, n - 1);
  {
    gint champion = co2s_metrics_history_get_champion (self);

    if (champion >= 0)
      {
        out->n_models = store->n_models;
        g_strlcpy (out->algo, store->model_names[champion], sizeof out->algo);
      }
  }
  out->lag = COL_I (store, COL_LAG, n - 1);
  out->dlq = (guint64) COL_I (store, COL_DLQ, n - 1);
  /* The trainer checkpoints a batch before writing its metrics line, so
   * the last batch's time is the last checkpoint's. */
  out->model_age_us = MAX (0, now_us - COL_I (store, COL_TIMESTAMP, n - 1));
  out->pass = out->rows_seen / self->dataset_rows + 1;
  out->pass_progress = (double) (out->rows_seen % self->dataset_rows) / (double) self->dataset_rows;
}

gboolean
co2s_metrics_history_is_scale_out (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);

  return _co2s_metrics_store_is_scale_out (self->store);
}

gboolean
co2s_metrics_history_get_batch_origin (Co2sMetricsHistory *self,
                                       guint index,
                                       gint *partition,
                                       guint64 *partition_batch,
                                       const char **trainer)
{
  const Co2sMetricsStore *store;
  guint16 t;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);

  store = self->store;
  if (!_co2s_metrics_store_is_scale_out (store) || index >= _co2s_metrics_store_len (store))
    return FALSE;
  t = g_array_index (store->origin_trainer, guint16, index);
  if (partition != NULL)
    *partition = g_array_index (store->origin_partition, gint, index);
  if (partition_batch != NULL)
    *partition_batch = g_array_index (store->origin_batch, guint64, index);
  if (trainer != NULL)
    *trainer = t < store->trainers->len ? g_ptr_array_index (store->trainers, t) : "";
  return TRUE;
}

guint64
co2s_metrics_history_get_last_partition_batch (Co2sMetricsHistory *self, gint partition)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);

  return _co2s_metrics_store_last_partition_batch (self->store, partition);
}

gboolean
co2s_metrics_history_holds_partition_batch (Co2sMetricsHistory *self, gint partition, guint64 partition_batch)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), FALSE);

  return _co2s_metrics_store_holds_origin (self->store, partition, partition_batch);
}

guint64
co2s_metrics_history_get_generation (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->generation;
}

guint64
co2s_metrics_history_get_epoch (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->epoch;
}

guint
co2s_metrics_history_get_series (Co2sMetricsHistory *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);
  return self->store->series;
}

gsize
co2s_metrics_history_get_memory_size (Co2sMetricsHistory *self)
{
  gsize size = 0;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (self), 0);

  for (guint i = 0; i < N_COLS; i++)
    size += (gsize) g_array_get_element_size (self->store->cols[i]) * self->store->cols[i]->len;
  size += sizeof (double) * (self->rolling->len + self->lag->len + self->rate->len);
  size += sizeof (Co2sMetricsRollup) * self->store->rollups->len;
  size += sizeof (guint) * self->store->alarms->len;
  size += (sizeof (double) * self->store->n_models + (self->store->champion != NULL ? 1 : 0)) *
          _co2s_metrics_store_len (self->store);
  /* A scale-out run's origins: partition, partition_batch, trainer, and
   * the partition_batch again for the duplicate check. */
  if (_co2s_metrics_store_is_scale_out (self->store))
    size += (sizeof (gint) + 2 * sizeof (guint64) + sizeof (guint16)) * _co2s_metrics_store_len (self->store);
  return size;
}
