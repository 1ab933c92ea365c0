/* fuzz-latency-histogram.c — the latency histogram's text form, as the
 * trainer and predict read it from models/model.json:
 * co2s_latency_histogram_parse.
 *
 * Must hold for any input: a histogram or a G_IO_ERROR_INVALID_DATA error
 * "latency histogram: …" (valid UTF-8); what it accepts is a consistent
 * histogram (total = sum of counts, lowest/highest the non-empty ends),
 * written back exactly as it was read (the text form is canonical), read
 * again into the same counts; its quantiles grow with q and lie in its
 * lowest and highest buckets. */
#define G_LOG_DOMAIN "fuzz-latency-histogram"

#include <string.h>

#include <gio/gio.h>

#include "co2s-latency-histogram.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sLatencyHistogram) h = NULL;
  g_autoptr(Co2sLatencyHistogram) back = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint64 sum = 0;
  gint64 previous = -1;

  h = co2s_latency_histogram_parse ((const char *) data, size, &error);
  if (h == NULL)
    {
      fuzz_check_error (error, "co2s_latency_histogram_parse");
      fuzz_check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) &&
                  g_str_has_prefix (error->message, "latency histogram: entry "),
                  "unexpected error %s %d: %s", g_quark_to_string (error->domain), error->code,
                  error->message);
      return 0;
    }

  for (guint b = 0; b < CO2S_LATENCY_N_BUCKETS; b++)
    {
      fuzz_check (h->counts[b] == 0 || (b >= h->lowest && b <= h->highest),
                  "bucket %u outside lowest %u … highest %u", b, h->lowest, h->highest);
      sum += h->counts[b];
    }
  fuzz_check (sum == h->total, "total %" G_GUINT64_FORMAT ", counts add up to %" G_GUINT64_FORMAT,
              h->total, sum);
  fuzz_check (h->total == 0 || (h->counts[h->lowest] > 0 && h->counts[h->highest] > 0),
              "lowest %u or highest %u is empty", h->lowest, h->highest);

  co2s_latency_histogram_append_text (h, text);
  fuzz_check (text->len == size && memcmp (text->str, data, size) == 0,
              "an accepted text is not written back as it was: %s", text->str);
  back = co2s_latency_histogram_parse (text->str, text->len, &error);
  fuzz_check (back != NULL, "a histogram written back is refused: %s", error ? error->message : "");
  fuzz_check (memcmp (back->counts, h->counts, sizeof h->counts) == 0 && back->total == h->total,
              "read again, the counts differ");

  for (double q = 0.0; q <= 1.0; q += 0.125)
    {
      gint64 v = co2s_latency_histogram_quantile (h, q);

      if (h->total == 0)
        {
          fuzz_check (v == -1, "empty histogram, quantile %g = %" G_GINT64_FORMAT, q, v);
          continue;
        }
      fuzz_check (v >= previous, "quantile %g = %" G_GINT64_FORMAT " below the one before", q, v);
      fuzz_check (v >= co2s_latency_bucket_lowest (h->lowest) &&
                  co2s_latency_bucket_of (v) <= h->highest,
                  "quantile %g = %" G_GINT64_FORMAT " outside the histogram", q, v);
      previous = v;
    }
  return 0;
}
