/* co2s-metrics.c — one line of models/metrics.jsonl / topic streaming_metrics. */
#define G_LOG_DOMAIN "co2s-metrics"

#include "co2s-metrics.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-record-json.h"

/* Shortest decimal form that reads back as the same double, or null for
 * NaN and infinities (JSON has no such numbers); locale-independent. */
static void
append_double (GString *out, double v)
{
  co2s_json_append_double (out, v);
}

static void
append_key (GString *out, const char *key, gboolean first)
{
  if (!first)
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, key);
  g_string_append (out, "\":");
}

gboolean
co2s_metrics_is_model_name (const char *name, gsize len)
{
  g_return_val_if_fail (name != NULL || len == 0, FALSE);

  if (len >= sizeof ((Co2sBatchMetrics *) NULL)->algo)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-' && name[i] != '_' && name[i] != ':')
      return FALSE;
  return TRUE;
}

gboolean
co2s_metrics_is_trainer_id (const char *id, gsize len)
{
  g_return_val_if_fail (id != NULL || len == 0, FALSE);

  if (len == 0 || len > CO2S_METRICS_TRAINER_ID_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
      return FALSE;
  return TRUE;
}

/* A model name ("ls:fuel") as a JSON string: only the characters model
 * names have are kept, so a bad value cannot break the line. */
static void
append_name (GString *out, const char *name, gsize size)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < size && name[i] != '\0'; i++)
    if (g_ascii_isalnum (name[i]) || name[i] == '-' || name[i] == '_' || name[i] == ':')
      g_string_append_c (out, name[i]);
  g_string_append_c (out, '"');
}

/* @v, or null when negative (unknown). */
static void
append_count_or_null (GString *out, gint64 v)
{
  if (v >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
  else
    g_string_append (out, "null");
}

static char *
format_timestamp (gint64 timestamp_us)
{
  g_autoptr(GDateTime) base = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs = timestamp_us / G_USEC_PER_SEC;
  gint64 usecs = timestamp_us % G_USEC_PER_SEC;

  if (usecs < 0)
    {
      secs -= 1;
      usecs += G_USEC_PER_SEC;
    }
  base = g_date_time_new_from_unix_utc (secs);
  if (base == NULL)
    return NULL;
  dt = g_date_time_add (base, usecs);
  if (dt == NULL)
    return NULL;
  /* Milliseconds are enough for a human; timestamp_us keeps the rest. */
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          g_date_time_get_microsecond (dt) / 1000);
}

void
co2s_batch_metrics_to_json (const Co2sBatchMetrics *m, GString *out)
{
  g_autofree char *timestamp = NULL;

  g_return_if_fail (m != NULL);
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '{');
  append_key (out, "batch", TRUE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, m->batch);
  append_key (out, "rows", FALSE);
  g_string_append_printf (out, "%u", m->rows);
  append_key (out, "rows_seen", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, m->rows_seen);
  append_key (out, "rmse", FALSE);
  append_double (out, m->rmse);
  append_key (out, "mae", FALSE);
  append_double (out, m->mae);
  append_key (out, "rmse_fit", FALSE);
  append_double (out, m->rmse_fit);

  append_key (out, "timestamp", FALSE);
  timestamp = format_timestamp (m->timestamp_us);
  if (timestamp != NULL)
    g_string_append_printf (out, "\"%s\"", timestamp);
  else
    g_string_append (out, "null");
  append_key (out, "timestamp_us", FALSE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, m->timestamp_us);

  append_key (out, "lag", FALSE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, m->lag);
  append_key (out, "latency_ms_p50", FALSE);
  append_double (out, m->latency_ms_p50);
  append_key (out, "latency_ms_max", FALSE);
  append_double (out, m->latency_ms_max);
  append_key (out, "latency_p50_us", FALSE);
  append_count_or_null (out, m->latency_p50_us);
  append_key (out, "latency_p99_us", FALSE);
  append_count_or_null (out, m->latency_p99_us);
  append_key (out, "latency_p999_us", FALSE);
  append_count_or_null (out, m->latency_p999_us);

  append_key (out, "algo", FALSE);
  append_name (out, m->algo, sizeof m->algo);
  append_key (out, "dlq", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, m->dlq);
  append_key (out, "coverage_95", FALSE);
  append_double (out, m->coverage_95);
  append_key (out, "drift_alarm", FALSE);
  g_string_append (out, m->drift_alarm ? "true" : "false");
  append_key (out, "drift_statistic", FALSE);
  append_double (out, m->drift_statistic);
  if (m->n_models > 0)
    {
      append_key (out, "champion", FALSE);
      append_name (out, m->algo, sizeof m->algo);
      append_key (out, "models", FALSE);
      g_string_append_c (out, '{');
      for (guint i = 0; i < MIN (m->n_models, CO2S_METRICS_MAX_MODELS); i++)
        {
          const Co2sModelMetrics *mm = &m->models[i];

          if (i > 0)
            g_string_append_c (out, ',');
          append_name (out, mm->name, sizeof mm->name);
          g_string_append (out, ":{");
          append_key (out, "rmse", TRUE);
          append_double (out, mm->rmse);
          append_key (out, "mae", FALSE);
          append_double (out, mm->mae);
          append_key (out, "coverage_95", FALSE);
          append_double (out, mm->coverage_95);
          append_key (out, "rolling_rmse", FALSE);
          append_double (out, mm->rolling_rmse);
          append_key (out, "drift_alarm", FALSE);
          g_string_append (out, mm->drift_alarm ? "true}" : "false}");
        }
      g_string_append_c (out, '}');
    }
  if (m->partition_batch > 0)
    {
      /* As the scale-out trainer writes them: last, trainer only when known. */
      append_key (out, "partition", FALSE);
      g_string_append_printf (out, "%d", MAX (m->partition, 0));
      append_key (out, "partition_batch", FALSE);
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, m->partition_batch);
      if (co2s_metrics_is_trainer_id (m->trainer, strnlen (m->trainer, sizeof m->trainer)))
        {
          append_key (out, "trainer", FALSE);
          g_string_append_printf (out, "\"%s\"", m->trainer);
        }
    }
  g_string_append (out, "}\n");
}

/* "models" and "champion", when there are several models. */
static gboolean
models_from_object (JsonObject *object, Co2sBatchMetrics *m, GError **error)
{
  const Co2sJsonFlags optional = CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE;
  JsonObject *models = NULL;
  const char *champion = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  gboolean champion_found = FALSE;

  if (!co2s_json_get_object (object, "models", CO2S_JSON_OPTIONAL, &models, error) ||
      !co2s_json_get_string (object, "champion", CO2S_JSON_OPTIONAL, &champion, error))
    return FALSE;
  if (models == NULL)
    return champion == NULL ? TRUE : co2s_json_set_member_error (error, "champion", "is there without \"models\"");
  if (champion == NULL)
    return co2s_json_set_member_error (error, "champion", "is missing (\"models\" is there)");
  if (strcmp (champion, m->algo) != 0)
    return co2s_json_set_member_error (error, "champion", "is \"%s\", not the algo \"%s\"", champion, m->algo);

  json_object_iter_init_ordered (&iter, models);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      g_autofree char *base = g_strdup_printf ("models.%s", name);
      g_autofree char *rmse = g_strconcat (base, ".rmse", NULL);
      g_autofree char *mae = g_strconcat (base, ".mae", NULL);
      g_autofree char *coverage = g_strconcat (base, ".coverage_95", NULL);
      g_autofree char *rolling = g_strconcat (base, ".rolling_rmse", NULL);
      g_autofree char *alarm = g_strconcat (base, ".drift_alarm", NULL);
      Co2sModelMetrics *mm;
      JsonObject *o;

      if (m->n_models == CO2S_METRICS_MAX_MODELS)
        return co2s_json_set_member_error (error, "models", "has more than %d members", CO2S_METRICS_MAX_MODELS);
      if (strlen (name) == 0 || !co2s_metrics_is_model_name (name, strlen (name)))
        return co2s_json_set_member_error (error, base, "is not a model name (1 to %u of A-Z a-z 0-9 : _ -)",
                                           (guint) sizeof mm->name - 1);
      if (!co2s_json_get_object (models, base, CO2S_JSON_REQUIRED, &o, error))
        return FALSE;
      mm = &m->models[m->n_models++];
      g_strlcpy (mm->name, name, sizeof mm->name);
      mm->rmse = mm->mae = mm->coverage_95 = mm->rolling_rmse = NAN;
      if (!co2s_json_get_double (o, rmse, CO2S_JSON_NULLABLE, &mm->rmse, error) ||
          !co2s_json_get_double (o, mae, optional, &mm->mae, error) ||
          !co2s_json_get_double (o, coverage, optional, &mm->coverage_95, error) ||
          !co2s_json_get_double (o, rolling, optional, &mm->rolling_rmse, error) ||
          !co2s_json_get_boolean (o, alarm, CO2S_JSON_OPTIONAL, &mm->drift_alarm, error))
        return FALSE;
      champion_found |= strcmp (name, champion) == 0;
    }
  if (m->n_models < 2)
    return co2s_json_set_member_error (error, "models", "has %u member(s), not 2 or more", m->n_models);
  if (!champion_found)
    return co2s_json_set_member_error (error, "champion", "is \"%s\", which is not in \"models\"", champion);
  return TRUE;
}

/* partition, partition_batch and trainer (a scale-out trainer's line):
 * the first two together, trainer only with them. */
static gboolean
origin_from_object (JsonObject *object, Co2sBatchMetrics *m, GError **error)
{
  gboolean has_partition = json_object_has_member (object, "partition");
  gboolean has_batch = json_object_has_member (object, "partition_batch");
  const char *trainer = NULL;
  gint64 partition = 0;

  if (!has_partition && !has_batch)
    return json_object_has_member (object, "trainer")
      ? co2s_json_set_member_error (error, "trainer", "is there without \"partition\"")
      : TRUE;
  if (!has_partition)
    return co2s_json_set_member_error (error, "partition", "is missing (\"partition_batch\" is there)");
  if (!has_batch)
    return co2s_json_set_member_error (error, "partition_batch", "is missing (\"partition\" is there)");
  if (!co2s_json_get_int (object, "partition", CO2S_JSON_REQUIRED, 0, G_MAXINT32, &partition, error) ||
      !co2s_json_get_count (object, "partition_batch", CO2S_JSON_REQUIRED, &m->partition_batch, error) ||
      !co2s_json_get_string (object, "trainer", CO2S_JSON_OPTIONAL, &trainer, error))
    return FALSE;
  if (m->partition_batch == 0)
    return co2s_json_set_member_error (error, "partition_batch", "is 0 (counts start at 1)");
  if (trainer != NULL && !co2s_metrics_is_trainer_id (trainer, strlen (trainer)))
    return co2s_json_set_member_error (error, "trainer", "is not a trainer id (1 to %d of A-Z a-z 0-9 . _ -)",
                                       CO2S_METRICS_TRAINER_ID_MAX);
  m->partition = (gint) partition;
  if (trainer != NULL)
    g_strlcpy (m->trainer, trainer, sizeof m->trainer);
  return TRUE;
}

/* The metrics in @object (@m zeroed); errors in co2s-json-reader.h's words. */
static gboolean
metrics_from_object (JsonObject *object, Co2sBatchMetrics *m, GError **error)
{
  const Co2sJsonFlags optional = CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE;
  const char *timestamp = NULL;
  const char *algo = NULL;
  gint64 rows = 0;

  /* null is how the writer says "not defined" for a number. */
  m->rmse = m->mae = m->rmse_fit = NAN;
  m->latency_ms_p50 = m->latency_ms_max = NAN;
  m->latency_p50_us = m->latency_p99_us = m->latency_p999_us = -1;
  m->lag = -1;
  m->drift_statistic = NAN;
  m->coverage_95 = NAN;

  if (!co2s_json_get_count (object, "batch", CO2S_JSON_REQUIRED, &m->batch, error) ||
      !co2s_json_get_int (object, "rows", CO2S_JSON_REQUIRED, 0, G_MAXUINT, &rows, error) ||
      !co2s_json_get_count (object, "rows_seen", CO2S_JSON_REQUIRED, &m->rows_seen, error) ||
      !co2s_json_get_double (object, "rmse", CO2S_JSON_NULLABLE, &m->rmse, error) ||
      !co2s_json_get_double (object, "mae", optional, &m->mae, error) ||
      !co2s_json_get_double (object, "rmse_fit", optional, &m->rmse_fit, error) ||
      !co2s_json_get_double (object, "latency_ms_p50", optional, &m->latency_ms_p50, error) ||
      !co2s_json_get_double (object, "latency_ms_max", optional, &m->latency_ms_max, error) ||
      !co2s_json_get_int (object, "latency_p50_us", optional, 0, G_MAXINT64, &m->latency_p50_us, error) ||
      !co2s_json_get_int (object, "latency_p99_us", optional, 0, G_MAXINT64, &m->latency_p99_us, error) ||
      !co2s_json_get_int (object, "latency_p999_us", optional, 0, G_MAXINT64, &m->latency_p999_us, error) ||
      !co2s_json_get_int (object, "lag", CO2S_JSON_OPTIONAL, -1, G_MAXINT64, &m->lag, error) ||
      !co2s_json_get_count (object, "dlq", CO2S_JSON_OPTIONAL, &m->dlq, error) ||
      !co2s_json_get_double (object, "coverage_95", optional, &m->coverage_95, error) ||
      !co2s_json_get_double (object, "drift_statistic", optional, &m->drift_statistic, error))
    return FALSE;
  m->rows = (guint) rows;
  if (!co2s_json_get_boolean (object, "drift_alarm", CO2S_JSON_OPTIONAL, &m->drift_alarm, error))
    return FALSE;

  /* timestamp_us is exact; older lines have only the ISO 8601 time. */
  if (json_object_has_member (object, "timestamp_us"))
    {
      if (!co2s_json_get_int (object, "timestamp_us", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64,
                              &m->timestamp_us, error))
        return FALSE;
    }
  else
    {
      g_autoptr(GDateTime) dt = NULL;

      if (!co2s_json_get_string (object, "timestamp", optional, &timestamp, error))
        return FALSE;
      if (timestamp != NULL)
        {
          dt = g_date_time_new_from_iso8601 (timestamp, NULL);
          if (dt == NULL)
            return co2s_json_set_member_error (error, "timestamp", "is not an ISO 8601 time");
          m->timestamp_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
        }
    }

  if (!co2s_json_get_string (object, "algo", optional, &algo, error))
    return FALSE;
  if (algo != NULL && strlen (algo) >= sizeof m->algo)
    return co2s_json_set_member_error (error, "algo", "is longer than %u bytes", (guint) sizeof m->algo - 1);
  if (algo != NULL && !co2s_metrics_is_model_name (algo, strlen (algo)))
    return co2s_json_set_member_error (error, "algo", "is not a model name (A-Z a-z 0-9 : _ -)");
  if (algo != NULL)
    g_strlcpy (m->algo, algo, sizeof m->algo);
  return models_from_object (object, m, error) && origin_from_object (object, m, error);
}

gboolean
co2s_batch_metrics_from_json (const char *line, gsize len, Co2sBatchMetrics *out, GError **error)
{
  g_autoptr(JsonObject) object = NULL;
  Co2sBatchMetrics m = { 0 };

  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  object = co2s_json_parse_object (line, len, error);
  if (object == NULL || !metrics_from_object (object, &m, error))
    {
      g_prefix_error (error, "metrics line: ");
      return FALSE;
    }
  *out = m;
  return TRUE;
}
