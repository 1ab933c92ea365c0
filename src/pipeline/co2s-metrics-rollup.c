/* co2s-metrics-rollup.c — downsampled metrics buckets (see the header). */
#define G_LOG_DOMAIN "co2s-metrics"

#include "co2s-metrics-rollup.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-record-json.h"

static const char *const stat_names[CO2S_ROLLUP_N_STATS] = {
  [CO2S_ROLLUP_RMSE] = "rmse",
  [CO2S_ROLLUP_MAE] = "mae",
  [CO2S_ROLLUP_RMSE_FIT] = "rmse_fit",
  [CO2S_ROLLUP_LAG] = "lag",
  [CO2S_ROLLUP_LATENCY_P50] = "latency_ms_p50",
  [CO2S_ROLLUP_LATENCY_MAX] = "latency_ms_max",
};

const char *
co2s_rollup_stat_name (Co2sRollupStatId id)
{
  g_return_val_if_fail (id < CO2S_ROLLUP_N_STATS, NULL);
  return stat_names[id];
}

static void
stat_init (Co2sRollupStat *s, double v)
{
  if (isfinite (v))
    *s = (Co2sRollupStat) { 1, v, v, v, v };
  else
    *s = (Co2sRollupStat) { 0, NAN, NAN, NAN, NAN };
}

void
co2s_metrics_rollup_init (Co2sMetricsRollup *r, const Co2sBatchMetrics *m)
{
  g_return_if_fail (r != NULL && m != NULL);

  memset (r, 0, sizeof *r);
  r->first_batch = r->last_batch = m->batch;
  r->count = 1;
  r->first_timestamp_us = r->last_timestamp_us = m->timestamp_us;
  r->rows = m->rows;
  r->rows_seen = m->rows_seen;
  r->dlq = m->dlq;
  r->drift_alarms = m->drift_alarm ? 1 : 0;
  memcpy (r->algo, m->algo, sizeof r->algo);
  r->algo[sizeof r->algo - 1] = '\0';
  stat_init (&r->stats[CO2S_ROLLUP_RMSE], m->rmse);
  stat_init (&r->stats[CO2S_ROLLUP_MAE], m->mae);
  stat_init (&r->stats[CO2S_ROLLUP_RMSE_FIT], m->rmse_fit);
  stat_init (&r->stats[CO2S_ROLLUP_LAG], m->lag >= 0 ? (double) m->lag : NAN);
  stat_init (&r->stats[CO2S_ROLLUP_LATENCY_P50], m->latency_ms_p50);
  stat_init (&r->stats[CO2S_ROLLUP_LATENCY_MAX], m->latency_ms_max);
}

static void
stat_merge (Co2sRollupStat *a, const Co2sRollupStat *b)
{
  if (b->n == 0)
    return;
  if (a->n == 0)
    {
      *a = *b;
      return;
    }
  a->min = MIN (a->min, b->min);
  a->max = MAX (a->max, b->max);
  /* Weighted, in a form that cannot overflow where the values do not. */
  a->mean += (b->mean - a->mean) * ((double) b->n / (double) (a->n + b->n));
  a->last = b->last;
  a->n += b->n;
}

void
co2s_metrics_rollup_merge (Co2sMetricsRollup *a, const Co2sMetricsRollup *b)
{
  g_return_if_fail (a != NULL && b != NULL);

  a->last_batch = b->last_batch;
  a->count += b->count;
  a->last_timestamp_us = b->last_timestamp_us;
  a->rows += b->rows;
  a->rows_seen = b->rows_seen;
  a->dlq = b->dlq;
  a->drift_alarms += b->drift_alarms;
  if (b->algo[0] != '\0')
    memcpy (a->algo, b->algo, sizeof a->algo);
  for (guint i = 0; i < CO2S_ROLLUP_N_STATS; i++)
    stat_merge (&a->stats[i], &b->stats[i]);
}

void
co2s_metrics_rollup_to_json (const Co2sMetricsRollup *r, GString *out)
{
  g_return_if_fail (r != NULL && out != NULL);

  g_string_append_printf (out,
                          "{\"first_batch\":%" G_GUINT64_FORMAT ",\"last_batch\":%" G_GUINT64_FORMAT
                          ",\"count\":%" G_GUINT64_FORMAT ",\"first_timestamp_us\":%" G_GINT64_FORMAT
                          ",\"last_timestamp_us\":%" G_GINT64_FORMAT ",\"rows\":%" G_GUINT64_FORMAT
                          ",\"rows_seen\":%" G_GUINT64_FORMAT ",\"dlq\":%" G_GUINT64_FORMAT ",\"algo\":\"",
                          r->first_batch, r->last_batch, r->count, r->first_timestamp_us,
                          r->last_timestamp_us, r->rows, r->rows_seen, r->dlq);
  for (gsize i = 0; i < sizeof r->algo && r->algo[i] != '\0'; i++)
    if (g_ascii_isalnum (r->algo[i]) || r->algo[i] == '-' || r->algo[i] == '_')
      g_string_append_c (out, r->algo[i]);
  g_string_append_c (out, '"');
  for (guint i = 0; i < CO2S_ROLLUP_N_STATS; i++)
    {
      const Co2sRollupStat *s = &r->stats[i];

      g_string_append_printf (out, ",\"%s\":{\"n\":%" G_GUINT64_FORMAT ",\"min\":", stat_names[i], s->n);
      co2s_json_append_double (out, s->n ? s->min : NAN);
      g_string_append (out, ",\"max\":");
      co2s_json_append_double (out, s->n ? s->max : NAN);
      g_string_append (out, ",\"mean\":");
      co2s_json_append_double (out, s->n ? s->mean : NAN);
      g_string_append (out, ",\"last\":");
      co2s_json_append_double (out, s->n ? s->last : NAN);
      g_string_append_c (out, '}');
    }
  g_string_append_printf (out, ",\"drift_alarms\":%" G_GUINT64_FORMAT "}\n", r->drift_alarms);
}

static gboolean
stat_from_object (JsonObject *object, const char *name, Co2sRollupStat *s, GError **error)
{
  const Co2sJsonFlags nullable = CO2S_JSON_NULLABLE;
  JsonObject *o = NULL;
  g_autofree char *n_path = g_strdup_printf ("%s.n", name);

  if (!co2s_json_get_object (object, name, CO2S_JSON_REQUIRED, &o, error))
    return FALSE;
  s->min = s->max = s->mean = s->last = NAN;
  if (!co2s_json_get_count (o, "n", CO2S_JSON_REQUIRED, &s->n, error) ||
      !co2s_json_get_double (o, "min", nullable, &s->min, error) ||
      !co2s_json_get_double (o, "max", nullable, &s->max, error) ||
      !co2s_json_get_double (o, "mean", nullable, &s->mean, error) ||
      !co2s_json_get_double (o, "last", nullable, &s->last, error))
    {
      g_prefix_error (error, "in \"%s\": ", name);
      return FALSE;
    }
  if (s->n > 0 && !(isfinite (s->min) && isfinite (s->max) && isfinite (s->mean) &&
                    isfinite (s->last) && s->min <= s->max))
    return co2s_json_set_member_error (error, n_path, "is %" G_GUINT64_FORMAT
                                       " but min, max, mean and last are not finite with min ≤ max",
                                       s->n);
  if (s->n == 0)
    s->min = s->max = s->mean = s->last = NAN;
  return TRUE;
}

gboolean
co2s_metrics_rollup_from_json (const char *line, gsize len, Co2sMetricsRollup *out, GError **error)
{
  g_autoptr(JsonObject) object = NULL;
  Co2sMetricsRollup r = { 0 };
  const char *algo = NULL;
  gint64 t0 = 0, t1 = 0;

  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  object = co2s_json_parse_object (line, len, error);
  if (object == NULL ||
      !co2s_json_get_count (object, "first_batch", CO2S_JSON_REQUIRED, &r.first_batch, error) ||
      !co2s_json_get_count (object, "last_batch", CO2S_JSON_REQUIRED, &r.last_batch, error) ||
      !co2s_json_get_count (object, "count", CO2S_JSON_REQUIRED, &r.count, error) ||
      !co2s_json_get_int (object, "first_timestamp_us", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64, &t0, error) ||
      !co2s_json_get_int (object, "last_timestamp_us", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64, &t1, error) ||
      !co2s_json_get_count (object, "rows", CO2S_JSON_REQUIRED, &r.rows, error) ||
      !co2s_json_get_count (object, "rows_seen", CO2S_JSON_REQUIRED, &r.rows_seen, error) ||
      !co2s_json_get_count (object, "dlq", CO2S_JSON_OPTIONAL, &r.dlq, error) ||
      !co2s_json_get_count (object, "drift_alarms", CO2S_JSON_OPTIONAL, &r.drift_alarms, error) ||
      !co2s_json_get_string (object, "algo", CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE, &algo, error))
    goto fail;
  r.first_timestamp_us = t0;
  r.last_timestamp_us = t1;
  if (r.first_batch < 1 || r.last_batch < r.first_batch || r.count < 1 ||
      r.count > r.last_batch - r.first_batch + 1)
    {
      co2s_json_set_member_error (error, "count", "is %" G_GUINT64_FORMAT ": not 1…%" G_GUINT64_FORMAT
                                  " batches from first_batch %" G_GUINT64_FORMAT " to last_batch %"
                                  G_GUINT64_FORMAT, r.count,
                                  r.last_batch >= r.first_batch ? r.last_batch - r.first_batch + 1 : 0,
                                  r.first_batch, r.last_batch);
      goto fail;
    }
  if (r.drift_alarms > r.count)
    {
      co2s_json_set_member_error (error, "drift_alarms", "is %" G_GUINT64_FORMAT ": more than count, %"
                                  G_GUINT64_FORMAT, r.drift_alarms, r.count);
      goto fail;
    }
  if (algo != NULL && strlen (algo) >= sizeof r.algo)
    {
      co2s_json_set_member_error (error, "algo", "is longer than %u bytes", (guint) sizeof r.algo - 1);
      goto fail;
    }
  if (algo != NULL)
    g_strlcpy (r.algo, algo, sizeof r.algo);
  for (guint i = 0; i < CO2S_ROLLUP_N_STATS; i++)
    if (!stat_from_object (object, stat_names[i], &r.stats[i], error))
      goto fail;
  *out = r;
  return TRUE;

fail:
  g_prefix_error (error, "history line: ");
  return FALSE;
}

char *
co2s_metrics_history_path_for (const char *metrics_path)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (metrics_path != NULL, NULL);

  dir = g_path_get_dirname (metrics_path);
  base = g_path_get_basename (metrics_path);
  /* metrics.jsonl → metrics-history.jsonl (CO2S_METRICS_HISTORY_FILE). */
  if (g_str_has_suffix (base, ".jsonl"))
    name = g_strdup_printf ("%.*s-history.jsonl", (int) (strlen (base) - 6), base);
  else
    name = g_strdup_printf ("%s-history.jsonl", base);
  return g_build_filename (dir, name, NULL);
}
