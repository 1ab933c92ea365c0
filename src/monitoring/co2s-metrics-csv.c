/* co2s-metrics-csv.c — the metrics of every batch as CSV, for spreadsheets. */
#define G_LOG_DOMAIN "co2s-metrics-csv"

#include "co2s-metrics-csv.h"
#include "co2s-record-json.h"

#include <math.h>
#include <string.h>

/* Shortest decimal form that reads back as the same double; empty for NaN
 * and infinities. g_ascii_formatd never uses the locale's decimal comma. */
static void
append_double (GString *out, double v)
{
  if (isfinite (v))
    co2s_json_append_double (out, v);
}

static void
append_timestamp (GString *out, gint64 timestamp_us)
{
  g_autoptr(GDateTime) base = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs = timestamp_us / G_USEC_PER_SEC;
  gint64 usecs = timestamp_us % G_USEC_PER_SEC;

  if (timestamp_us == 0)
    return;
  if (usecs < 0)
    {
      secs -= 1;
      usecs += G_USEC_PER_SEC;
    }
  base = g_date_time_new_from_unix_utc (secs);
  if (base == NULL)
    return;
  dt = g_date_time_add (base, usecs);
  if (dt == NULL)
    return;
  /* Integers only: %d never depends on the locale. */
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          g_date_time_get_microsecond (dt) / 1000);
}

/* RFC 4180 quoting, only when needed. */
static void
append_text (GString *out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
co2s_metrics_csv_append_header (GString *out)
{
  g_return_if_fail (out != NULL);

  g_string_append (out, CO2S_METRICS_CSV_HEADER "\n");
}

void
co2s_metrics_csv_append_row (const Co2sBatchMetrics *m,
                             GString *out)
{
  char algo[sizeof m->algo + 1];

  g_return_if_fail (m != NULL);
  g_return_if_fail (out != NULL);

  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",%u,%" G_GUINT64_FORMAT ",",
                          m->batch, m->rows, m->rows_seen);
  append_double (out, m->rmse);
  g_string_append_c (out, ',');
  append_double (out, m->mae);
  g_string_append_c (out, ',');
  append_double (out, m->rmse_fit);
  g_string_append_c (out, ',');
  append_timestamp (out, m->timestamp_us);
  g_string_append_c (out, ',');
  if (m->lag >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, m->lag);
  g_string_append_c (out, ',');
  append_double (out, m->latency_ms_p50);
  g_string_append_c (out, ',');
  append_double (out, m->latency_ms_max);
  g_string_append_c (out, ',');
  /* algo is a fixed buffer that may lack its terminator when full. */
  memcpy (algo, m->algo, sizeof m->algo);
  algo[sizeof m->algo] = '\0';
  append_text (out, algo);
  g_string_append_printf (out, ",%" G_GUINT64_FORMAT "\n", m->dlq);
}

char *
co2s_metrics_csv_from_history (Co2sMetricsHistory *history)
{
  GString *out;
  guint n;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (history), NULL);

  n = co2s_metrics_history_get_n_batches (history);
  out = g_string_sized_new (100 + (gsize) n * 110);
  co2s_metrics_csv_append_header (out);
  for (guint i = 0; i < n; i++)
    {
      Co2sBatchMetrics m;

      if (!co2s_metrics_history_get_batch (history, i, &m))
        g_assert_not_reached ();
      co2s_metrics_csv_append_row (&m, out);
    }

  return g_string_free (out, FALSE);
}

gboolean
co2s_metrics_csv_write (Co2sMetricsHistory *history,
                        const char *path,
                        GError **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (CO2S_IS_METRICS_HISTORY (history), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  csv = co2s_metrics_csv_from_history (history);
  /* g_file_set_contents_full's messages already name the file. */
  return g_file_set_contents_full (path, csv, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT,
                                   0644, error);
}
