/* fuzz-metrics-line.c — one line of models/metrics.jsonl or of the topic
 * streaming_metrics, as the app and co2stream --export-plot read it:
 * co2s_batch_metrics_from_json.
 *
 * Must hold for any input: a metrics record or a G_IO_ERROR_INVALID_DATA
 * error "metrics line: …" with a readable message (never a crash: a line of
 * 200,000 '[' used to overflow json-glib's recursion); what it accepts has
 * finite numbers or NaN (null), and co2s_batch_metrics_to_json writes it
 * back into a line read back as the same values (the models of a trainer of
 * several models included). */
#define G_LOG_DOMAIN "fuzz-metrics-line"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "co2s-metrics.h"
#include "fuzz-common.h"

/* Co2sBatchMetrics.algo's size. */
#define ALGO_LEN (sizeof ((Co2sBatchMetrics *) NULL)->algo)

static void
check_number (double v, const char *name)
{
  fuzz_check (isnan (v) || isfinite (v), "%s read as %g: must be finite or NaN (null)", name, v);
}

static gboolean
same_number (double a, double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

/* A model name (algo, a model's) as the writer keeps it: alphanumerics,
 * '-', '_' and ':'. */
static void
writable_algo (const char *algo, char out[ALGO_LEN])
{
  guint n = 0;

  G_STATIC_ASSERT (ALGO_LEN == sizeof ((Co2sModelMetrics *) NULL)->name);
  for (guint i = 0; i < ALGO_LEN && algo[i] != '\0'; i++)
    if (g_ascii_isalnum (algo[i]) || algo[i] == '-' || algo[i] == '_' || algo[i] == ':')
      out[n++] = algo[i];
  memset (out + n, 0, ALGO_LEN - n);
}

/* Each model of @m and @back: the same name (as written) and figures. */
static void
check_models_back (const Co2sBatchMetrics *m, const Co2sBatchMetrics *back, const char *line)
{
  fuzz_check (m->n_models == back->n_models, "%u models written back as %u: %s", m->n_models,
              back->n_models, line);
  for (guint i = 0; i < m->n_models; i++)
    {
      const Co2sModelMetrics *a = &m->models[i], *b = &back->models[i];
      char name[ALGO_LEN], name_back[ALGO_LEN];

      writable_algo (a->name, name);
      writable_algo (b->name, name_back);
      fuzz_check (memcmp (name, name_back, sizeof name) == 0 && same_number (a->rmse, b->rmse) &&
                  same_number (a->mae, b->mae) && same_number (a->coverage_95, b->coverage_95) &&
                  same_number (a->rolling_rmse, b->rolling_rmse) && a->drift_alarm == b->drift_alarm,
                  "written back and read again, model %u differs: %s", i, line);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  Co2sBatchMetrics m, back;
  char algo[ALGO_LEN], algo_back[ALGO_LEN];

  if (!co2s_batch_metrics_from_json ((const char *) data, size, &m, &error))
    {
      fuzz_check_error (error, "co2s_batch_metrics_from_json");
      fuzz_check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) &&
                  g_str_has_prefix (error->message, "metrics line: "),
                  "unexpected error %s %d: %s", g_quark_to_string (error->domain), error->code,
                  error->message);
      return 0;
    }

  check_number (m.rmse, "rmse");
  check_number (m.mae, "mae");
  check_number (m.rmse_fit, "rmse_fit");
  check_number (m.latency_ms_p50, "latency_ms_p50");
  check_number (m.latency_ms_max, "latency_ms_max");
  fuzz_check (m.lag >= -1, "lag %" G_GINT64_FORMAT, m.lag);
  fuzz_check (m.latency_p50_us >= -1 && m.latency_p99_us >= -1 && m.latency_p999_us >= -1,
              "latency_p*_us below -1");
  fuzz_check (memchr (m.algo, '\0', sizeof m.algo) != NULL, "algo not terminated");
  fuzz_check (m.n_models == 0 || (m.n_models >= 2 && m.n_models <= CO2S_METRICS_MAX_MODELS),
              "%u models", m.n_models);
  for (guint i = 0; i < m.n_models; i++)
    {
      check_number (m.models[i].rmse, "models.rmse");
      check_number (m.models[i].mae, "models.mae");
      check_number (m.models[i].coverage_95, "models.coverage_95");
      check_number (m.models[i].rolling_rmse, "models.rolling_rmse");
      fuzz_check (memchr (m.models[i].name, '\0', sizeof m.models[i].name) != NULL && m.models[i].name[0] != '\0',
                  "model %u's name empty or not terminated", i);
    }

  co2s_batch_metrics_to_json (&m, line);
  fuzz_check (line->len > 0 && line->str[line->len - 1] == '\n' &&
              memchr (line->str, '\n', line->len - 1) == NULL,
              "co2s_batch_metrics_to_json wrote not exactly one line: %s", line->str);
  fuzz_check_utf8 (line->str, (gssize) line->len, "co2s_batch_metrics_to_json");
  fuzz_check (co2s_batch_metrics_from_json (line->str, line->len - 1, &back, &error),
              "an accepted metrics line, written back, is refused: %s\n%s", error->message, line->str);

  writable_algo (m.algo, algo);
  writable_algo (back.algo, algo_back);
  fuzz_check (m.batch == back.batch && m.rows == back.rows && m.rows_seen == back.rows_seen &&
              same_number (m.rmse, back.rmse) && same_number (m.mae, back.mae) &&
              same_number (m.rmse_fit, back.rmse_fit) && m.timestamp_us == back.timestamp_us &&
              m.lag == back.lag && same_number (m.latency_ms_p50, back.latency_ms_p50) &&
              same_number (m.latency_ms_max, back.latency_ms_max) &&
              m.latency_p50_us == back.latency_p50_us && m.latency_p99_us == back.latency_p99_us &&
              m.latency_p999_us == back.latency_p999_us &&
              memcmp (algo, algo_back, sizeof algo) == 0 && m.dlq == back.dlq,
              "written back and read again, the metrics differ: %s", line->str);
  check_models_back (&m, &back, line->str);
  return 0;
}
