/* co2s-latency-histogram.h — exact-merge latency histogram (microseconds).
 *
 * A fixed-bucket log-linear histogram, as HdrHistogram lays it out: values
 * 0…255 µs have a bucket each, and every octave above ([256, 512),
 * [512, 1024) … [2^31, 2^32)) is cut into 128 equal buckets, so a bucket is
 * at most 1/128 of its lowest value wide. 3,328 buckets cover 0 µs to about
 * 71 minutes; values beyond are counted in the last bucket, negative ones
 * in the first. A quantile is answered with its bucket's middle (its value
 * for the exact buckets): within 1/256 (0.4 %) of the true nearest-rank
 * quantile of everything recorded. Every histogram has the same buckets, so
 * merging is adding counts: the merge of two histograms is exactly the
 * histogram of the union of their values.
 *
 * Text form (model.json, tests, tools): the non-empty buckets in ascending
 * order, each as its lowest value and its count, "LOW:COUNT" joined by ',',
 * for example "812:3,816:1,1040:7"; "" for an empty histogram. LOW must be
 * a bucket's lowest value (co2s_latency_bucket_lowest) and COUNT ≥ 1.
 *
 * A Co2sLatencyHistogram is a plain struct (about 27 KB), not thread-safe;
 * the functions on buckets are pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Buckets with one value each: 0 … CO2S_LATENCY_EXACT_MAX - 1. */
#define CO2S_LATENCY_EXACT_MAX 256
/* Buckets per octave above them. */
#define CO2S_LATENCY_SUB_BUCKETS 128
/* Octaves: [2^8, 2^9) … [2^31, 2^32). */
#define CO2S_LATENCY_OCTAVES 24
#define CO2S_LATENCY_N_BUCKETS (CO2S_LATENCY_EXACT_MAX + CO2S_LATENCY_OCTAVES * CO2S_LATENCY_SUB_BUCKETS)
/* Highest value with its own bucket: 2^32 - 1 µs (71 min 35 s). */
#define CO2S_LATENCY_MAX_US G_GINT64_CONSTANT (4294967295)

typedef struct {
  guint64 counts[CO2S_LATENCY_N_BUCKETS];
  guint64 total;       /* sum of counts */
  guint lowest;        /* lowest non-empty bucket; CO2S_LATENCY_N_BUCKETS when empty */
  guint highest;       /* highest non-empty bucket; 0 when empty */
} Co2sLatencyHistogram;

/* One non-empty bucket of a sparse histogram (a batch's, for example). */
typedef struct {
  guint32 bucket;
  guint32 count;
} Co2sLatencyBucket;

/* The bucket of @value_us (clamped to 0 … CO2S_LATENCY_MAX_US). O(1). */
static inline guint
co2s_latency_bucket_of (gint64 value_us)
{
  guint64 v;
  guint k;

  if (value_us < CO2S_LATENCY_EXACT_MAX)
    return value_us < 0 ? 0 : (guint) value_us;
  v = value_us > CO2S_LATENCY_MAX_US ? (guint64) CO2S_LATENCY_MAX_US : (guint64) value_us;
  k = 63 - (guint) __builtin_clzll (v);          /* 2^k <= v < 2^(k+1), k >= 8 */
  return CO2S_LATENCY_EXACT_MAX + (k - 8) * CO2S_LATENCY_SUB_BUCKETS +
         (guint) (v >> (k - 7)) - CO2S_LATENCY_SUB_BUCKETS;
}

/* Lowest value of @bucket (< CO2S_LATENCY_N_BUCKETS). */
gint64 co2s_latency_bucket_lowest (guint bucket);

/* Width of @bucket: how many values it holds (1 for the exact ones). */
gint64 co2s_latency_bucket_width (guint bucket);

/* The value a quantile in @bucket is answered with: its middle, lowest +
 * width / 2 (the value itself for the exact buckets). */
gint64 co2s_latency_bucket_value (guint bucket);

/* A new empty histogram. Free with co2s_latency_histogram_free. */
Co2sLatencyHistogram *co2s_latency_histogram_new (void);

/* A copy of @h (not NULL). */
Co2sLatencyHistogram *co2s_latency_histogram_copy (const Co2sLatencyHistogram *h);

void co2s_latency_histogram_free (Co2sLatencyHistogram *h);

/* Empties @h. */
void co2s_latency_histogram_clear (Co2sLatencyHistogram *h);

/* Counts @count values of @value_us (clamped, see above). Counts saturate
 * at G_MAXUINT64 (2^64 values: never in practice). */
void co2s_latency_histogram_record (Co2sLatencyHistogram *h, gint64 value_us, guint64 count);

/* Adds every count of @src to @dst (exact merge). */
void co2s_latency_histogram_merge (Co2sLatencyHistogram *dst, const Co2sLatencyHistogram *src);

/* Adds the @n buckets of the sparse histogram @sparse, each value moved
 * later by @shift_us ≥ 0: a bucket's count goes to the bucket of its
 * value (co2s_latency_bucket_value) + @shift_us. Used for latencies measured
 * at one time and completed at a later one (an age when a batch closes,
 * plus the wait for its checkpoint): the result is within 1/128 (0.8 %) of
 * the true values. */
void co2s_latency_histogram_add_shifted (Co2sLatencyHistogram     *dst,
                                         const Co2sLatencyBucket *sparse,
                                         gsize                    n,
                                         gint64                   shift_us);

/* The rank (1-based) of the nearest-rank @q quantile among @total > 0
 * values: ⌈@q × @total⌉ within 1 … @total, where a product within 1e-9 of
 * an integer counts as that integer (0.99 × 100 is rank 99, not 100). */
guint64 co2s_latency_rank (double q, guint64 total);

/* The nearest-rank @q quantile (0 ≤ @q ≤ 1: the smallest recorded value
 * with at least ⌈@q × total⌉ values at or below it; @q = 0 gives the
 * lowest) as its bucket's value, or -1 when @h is empty. */
gint64 co2s_latency_histogram_quantile (const Co2sLatencyHistogram *h, double q);

/* The same for a sparse histogram (@sparse sorted by bucket, @n entries,
 * counts summing to at most G_MAXUINT64) with every value moved later by
 * @shift_us ≥ 0, computed without building the shifted histogram: the value
 * is the @q quantile's bucket value + @shift_us. -1 when empty. */
gint64 co2s_latency_sparse_quantile (const Co2sLatencyBucket *sparse,
                                     gsize                    n,
                                     gint64                   shift_us,
                                     double                   q);

/* Appends @h's text form (see above) to @out. */
void co2s_latency_histogram_append_text (const Co2sLatencyHistogram *h, GString *out);

/* Reads a text form into a new histogram. NULL with G_IO_ERROR_INVALID_DATA
 * and a technical message in English that says what and where ("latency
 * histogram: entry 3 (at byte 12): 813 is not a bucket's lowest value
 * (812 is)") on bad input: not LOW:COUNT, a number out of range, LOW not a
 * bucket's lowest value, buckets not in ascending order, a zero count, a
 * total over G_MAXUINT64. Any thread. */
Co2sLatencyHistogram *co2s_latency_histogram_parse (const char *text, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sLatencyHistogram, co2s_latency_histogram_free)

G_END_DECLS
