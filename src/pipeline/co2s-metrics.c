/* co2s-metrics.c — one line of models/metrics.jsonl / topic streaming_metrics. */
#define G_LOG_DOMAIN "co2s-metrics"

#include "co2s-metrics.h"
#include "co2s-record-json.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

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

  /* algo is a short ASCII name; anything else is dropped so a bad value
   * cannot break the line. */
  append_key (out, "algo", FALSE);
  g_string_append_c (out, '"');
  for (gsize i = 0; i < sizeof m->algo && m->algo[i] != '\0'; i++)
    if (g_ascii_isalnum (m->algo[i]) || m->algo[i] == '-' || m->algo[i] == '_')
      g_string_append_c (out, m->algo[i]);
  g_string_append_c (out, '"');
  append_key (out, "dlq", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, m->dlq);
  g_string_append (out, "}\n");
}

static gboolean
member_is_null_or_absent (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* An integer member. Absent: @def when @required is FALSE. */
static gboolean
get_int (JsonObject *object,
         const char *key,
         gboolean required,
         gint64 min,
         gint64 def,
         gint64 *out,
         GError **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    {
      if (required)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "metrics line: \"%s\" is missing", key);
          return FALSE;
        }
      *out = def;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: \"%s\" is not an integer", key);
      return FALSE;
    }
  *out = json_node_get_int (node);
  if (*out < min)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: \"%s\" is %" G_GINT64_FORMAT ", below %" G_GINT64_FORMAT,
                   key, *out, min);
      return FALSE;
    }
  return TRUE;
}

/* A number member; null reads as NAN (the writer's form of "not defined"). */
static gboolean
get_double (JsonObject *object,
            const char *key,
            gboolean required,
            double *out,
            GError **error)
{
  JsonNode *node = json_object_get_member (object, key);
  GType type;

  if (node == NULL && required)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: \"%s\" is missing", key);
      return FALSE;
    }
  if (member_is_null_or_absent (object, key))
    {
      *out = NAN;
      return TRUE;
    }
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: \"%s\" is not a number", key);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

gboolean
co2s_batch_metrics_from_json (const char *line, gsize len, Co2sBatchMetrics *out, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  Co2sBatchMetrics m = { 0 };
  JsonObject *object;
  JsonNode *root;
  gint64 v;

  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len > G_MAXSSIZE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "metrics line: too long");
      return FALSE;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, line, (gssize) len, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: not JSON: %s", local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "metrics line: empty");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "metrics line: not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);

  if (!get_int (object, "batch", TRUE, 0, 0, &v, error))
    return FALSE;
  m.batch = (guint64) v;
  if (!get_int (object, "rows", TRUE, 0, 0, &v, error))
    return FALSE;
  if (v > G_MAXUINT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "metrics line: \"rows\" is too large");
      return FALSE;
    }
  m.rows = (guint) v;
  if (!get_int (object, "rows_seen", TRUE, 0, 0, &v, error))
    return FALSE;
  m.rows_seen = (guint64) v;

  if (!get_double (object, "rmse", TRUE, &m.rmse, error) ||
      !get_double (object, "mae", FALSE, &m.mae, error) ||
      !get_double (object, "rmse_fit", FALSE, &m.rmse_fit, error) ||
      !get_double (object, "latency_ms_p50", FALSE, &m.latency_ms_p50, error) ||
      !get_double (object, "latency_ms_max", FALSE, &m.latency_ms_max, error))
    return FALSE;

  if (!get_int (object, "lag", FALSE, -1, -1, &m.lag, error) ||
      !get_int (object, "dlq", FALSE, 0, 0, &v, error))
    return FALSE;
  m.dlq = (guint64) v;

  if (json_object_has_member (object, "timestamp_us"))
    {
      if (!get_int (object, "timestamp_us", FALSE, G_MININT64, 0, &m.timestamp_us, error))
        return FALSE;
    }
  else if (!member_is_null_or_absent (object, "timestamp"))
    {
      const char *iso = json_object_get_string_member_with_default (object, "timestamp", NULL);
      g_autoptr(GDateTime) dt = NULL;

      if (iso != NULL)
        dt = g_date_time_new_from_iso8601 (iso, NULL);
      if (dt == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "metrics line: \"timestamp\" is not an ISO 8601 time");
          return FALSE;
        }
      m.timestamp_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
    }

  if (!member_is_null_or_absent (object, "algo"))
    {
      JsonNode *node = json_object_get_member (object, "algo");
      const char *algo = JSON_NODE_HOLDS_VALUE (node) &&
                         json_node_get_value_type (node) == G_TYPE_STRING
                         ? json_node_get_string (node) : NULL;

      if (algo == NULL || strlen (algo) >= sizeof m.algo)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "metrics line: \"algo\" is not a short string");
          return FALSE;
        }
      g_strlcpy (m.algo, algo, sizeof m.algo);
    }

  *out = m;
  return TRUE;
}
