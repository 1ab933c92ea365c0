/* co2s-metrics-scan.h — the fast reader of one metrics line, for the paths
 * that read many (co2stream --export-plot, the app at start, the trainer's
 * recovery).
 *
 * co2s_batch_metrics_from_json goes through the strict check and json-glib:
 * about 125,000 lines/s. This reader takes the lines the trainer writes
 * (co2s_batch_metrics_to_json: known keys, plain ASCII strings, numbers or
 * null) in one pass without allocating, and hands everything else — keys it
 * does not know, escapes, duplicate keys, a missing member, a value out of
 * range, old lines without timestamp_us, anything not strict JSON — to
 * co2s_batch_metrics_from_json, so the result (values and error messages)
 * is always the json-glib reader's. tests/pipeline/test-metrics-scan.c and
 * the fuzz target metrics-scan compare both on every input they try.
 *
 * A key added to the metrics line must be added to the table in
 * co2s-metrics-scan.c too, or every line takes the slow path (the test
 * /metrics-scan/writer-lines-fast says so). */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"

G_BEGIN_DECLS

/* The fast path alone: TRUE and @out filled when @line (@len bytes, no
 * '\n') is a metrics line it reads exactly as co2s_batch_metrics_from_json
 * would; FALSE otherwise (@out untouched), and then the caller must ask
 * co2s_batch_metrics_from_json. No allocation, any thread. */
gboolean co2s_batch_metrics_scan (const char *line, gsize len, Co2sBatchMetrics *out);

/* co2s_batch_metrics_from_json with the fast path first: same contract,
 * same results, same errors. Any thread. */
gboolean co2s_batch_metrics_parse (const char *line, gsize len, Co2sBatchMetrics *out, GError **error);

G_END_DECLS
