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
#include "metrics-equal.h"
#include "fuzz-common.h"

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
    fuzz_check (ok_json && metrics_equal (&fast, &json), "the fast path accepts what json-glib %s",
                ok_json ? "reads differently" : "refuses");
  if (ok_json)
    fuzz_check (metrics_equal (&parsed, &json), "parse and json-glib read different values");
  else
    fuzz_check (g_strcmp0 (error_parse->message, error_json->message) == 0,
                "different errors: %s / %s", error_parse->message, error_json->message);
  return 0;
}
