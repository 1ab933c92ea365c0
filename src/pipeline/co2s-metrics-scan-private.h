/* co2s-metrics-scan-private.h — what the fast metrics-line reader's two
 * files share (co2s-metrics-scan.c: the line; co2s-metrics-scan-models.c:
 * its "models" object). Not for other code: co2s-metrics-scan.h is the API.
 *
 * Each scanner reads from @p up to @end (exclusive) and returns the byte
 * after what it read, or NULL when the input is not what it is sure about
 * (the caller then returns FALSE and json-glib reads the line). No
 * allocation, any thread. */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"

G_BEGIN_DECLS

typedef const guchar *Co2sScanPtr;

/* JSON white space skipped: the first byte that is not, or @end. */
static inline Co2sScanPtr
co2s_scan_skip_ws (Co2sScanPtr p, Co2sScanPtr end)
{
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  return p;
}

/* A string body after its opening quote, printable ASCII without escapes;
 * the byte after the closing quote, or NULL. */
static inline Co2sScanPtr
co2s_scan_plain_string (Co2sScanPtr p, Co2sScanPtr end)
{
  while (p < end && *p != '"')
    {
      if (*p < 0x20 || *p >= 0x7f || *p == '\\')
        return NULL;
      p++;
    }
  return p < end ? p + 1 : NULL;
}

/* A JSON number at @p. Integer literals (no fraction, no exponent) of at
 * most 18 digits go to *@i with *@is_int; others to *@d, exactly as
 * json-glib reads them (finite only). NULL when it is not a number or one
 * left to json-glib. */
G_GNUC_INTERNAL
Co2sScanPtr co2s_scan_number (Co2sScanPtr p, Co2sScanPtr end, gboolean *is_int, gint64 *i, double *d);

/* The "models" object of a trainer of several models, from its '{', into
 * @m->models and @m->n_models (@m's models zeroed, n_models 0): 2 to
 * CO2S_METRICS_MAX_MODELS of them, each name 1 to 15 plain characters
 * without '.', no name twice, each model with rmse and only the keys
 * co2s_batch_metrics_from_json reads, each once. The byte after its '}', or
 * NULL. The champion is the caller's to check. */
G_GNUC_INTERNAL
Co2sScanPtr co2s_scan_models (Co2sScanPtr p, Co2sScanPtr end, Co2sBatchMetrics *m);

G_END_DECLS
