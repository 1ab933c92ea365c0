/* fuzz-metrics-scan.c — the fast metrics-line reader (co2s-metrics-scan.h)
 * that co2stream --export-plot, the app and the trainer's log use, against
 * the json-glib one (co2s_batch_metrics_from_json).
 *
 * Must hold for any input: co2s_batch_metrics_parse says the same as
 * co2s_batch_metrics_from_json (the same values, bit for bit, or the same
 * error message), and whatever the fast path alone accepts, json-glib
 * accepts with the same values (every member, the models of a trainer of
 * several models included). */
#define G_LOG_DOMAIN "fuzz-metrics-scan"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "co2s-metrics-scan.h"
#include "fuzz-common.h"

static gboolean
same_double (double a, double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

/* Field by field (not memcmp: padding), doubles bit for bit, every model
 * slot (the unused ones zero in both). */
static gboolean
same (const Co2sBatchMetrics *a, const Co2sBatchMetrics *b)
{
  if (!(a->batch == b->batch && a->rows == b->rows && a->rows_seen == b->rows_seen &&
        same_double (a->rmse, b->rmse) && same_double (a->mae, b->mae) &&
        same_double (a->rmse_fit, b->rmse_fit) && a->timestamp_us == b->timestamp_us &&
        a->lag == b->lag && same_double (a->latency_ms_p50, b->latency_ms_p50) &&
        same_double (a->latency_ms_max, b->latency_ms_max) &&
        a->latency_p50_us == b->latency_p50_us &&
        a->latency_p99_us == b->latency_p99_us &&
        a->latency_p999_us == b->latency_p999_us &&
        memcmp (a->algo, b->algo, sizeof a->algo) == 0 && a->dlq == b->dlq &&
        same_double (a->coverage_95, b->coverage_95) && a->drift_alarm == b->drift_alarm &&
        same_double (a->drift_statistic, b->drift_statistic) && a->n_models == b->n_models))
    return FALSE;
  for (guint i = 0; i < CO2S_METRICS_MAX_MODELS; i++)
    {
      const Co2sModelMetrics *x = &a->models[i], *y = &b->models[i];

      if (memcmp (x->name, y->name, sizeof x->name) != 0 || !same_double (x->rmse, y->rmse) ||
          !same_double (x->mae, y->mae) || !same_double (x->coverage_95, y->coverage_95) ||
          !same_double (x->rolling_rmse, y->rolling_rmse) || x->drift_alarm != y->drift_alarm)
        return FALSE;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error_json = NULL;
  g_autoptr(GError) error_parse = NULL;
  Co2sBatchMetrics fast, parsed, json;
  gboolean ok_fast, ok_parse, ok_json;

  memset (&fast, 0, sizeof fast);
  memset (&parsed, 0, sizeof parsed);
  memset (&json, 0, sizeof json);
  ok_fast = co2s_batch_metrics_scan ((const char *) data, size, &fast);
  ok_parse = co2s_batch_metrics_parse ((const char *) data, size, &parsed, &error_parse);
  ok_json = co2s_batch_metrics_from_json ((const char *) data, size, &json, &error_json);

  fuzz_check (ok_parse == ok_json, "parse %d, json-glib %d", ok_parse, ok_json);
  if (ok_fast)
    fuzz_check (ok_json && same (&fast, &json), "the fast path accepts what json-glib %s",
                ok_json ? "reads differently" : "refuses");
  if (ok_json)
    fuzz_check (same (&parsed, &json), "parse and json-glib read different values");
  else
    fuzz_check (g_strcmp0 (error_parse->message, error_json->message) == 0,
                "different errors: %s / %s", error_parse->message, error_json->message);
  return 0;
}
