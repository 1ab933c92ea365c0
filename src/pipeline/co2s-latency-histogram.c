/* co2s-latency-histogram.c — exact-merge latency histogram (microseconds). */
#define G_LOG_DOMAIN "co2s-latency"

#include "co2s-latency-histogram.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

gint64
co2s_latency_bucket_lowest (guint bucket)
{
  guint octave, sub;

  g_return_val_if_fail (bucket < CO2S_LATENCY_N_BUCKETS, 0);

  if (bucket < CO2S_LATENCY_EXACT_MAX)
    return bucket;
  octave = (bucket - CO2S_LATENCY_EXACT_MAX) / CO2S_LATENCY_SUB_BUCKETS;
  sub = (bucket - CO2S_LATENCY_EXACT_MAX) % CO2S_LATENCY_SUB_BUCKETS;
  /* Octave o is [2^(o+8), 2^(o+9)) in buckets 2^(o+1) wide. */
  return (gint64) (CO2S_LATENCY_SUB_BUCKETS + sub) << (octave + 1);
}

gint64
co2s_latency_bucket_width (guint bucket)
{
  g_return_val_if_fail (bucket < CO2S_LATENCY_N_BUCKETS, 1);

  if (bucket < CO2S_LATENCY_EXACT_MAX)
    return 1;
  return G_GINT64_CONSTANT (1) << ((bucket - CO2S_LATENCY_EXACT_MAX) / CO2S_LATENCY_SUB_BUCKETS + 1);
}

gint64
co2s_latency_bucket_value (guint bucket)
{
  g_return_val_if_fail (bucket < CO2S_LATENCY_N_BUCKETS, 0);

  return co2s_latency_bucket_lowest (bucket) + co2s_latency_bucket_width (bucket) / 2;
}

guint64
co2s_latency_rank (double q, guint64 total)
{
  double product;
  double rank;

  g_return_val_if_fail (total > 0, 1);

  if (!(q > 0.0))
    return 1;
  if (q >= 1.0)
    return total;
  product = q * (double) total;
  rank = ceil (product - 1e-9);
  if (rank < 1.0)
    return 1;
  if (rank >= (double) total)
    return total;
  return (guint64) rank;
}

Co2sLatencyHistogram *
co2s_latency_histogram_new (void)
{
  Co2sLatencyHistogram *h = g_new0 (Co2sLatencyHistogram, 1);

  h->lowest = CO2S_LATENCY_N_BUCKETS;
  return h;
}

Co2sLatencyHistogram *
co2s_latency_histogram_copy (const Co2sLatencyHistogram *h)
{
  g_return_val_if_fail (h != NULL, NULL);

  return g_memdup2 (h, sizeof *h);
}

void
co2s_latency_histogram_free (Co2sLatencyHistogram *h)
{
  g_free (h);
}

void
co2s_latency_histogram_clear (Co2sLatencyHistogram *h)
{
  g_return_if_fail (h != NULL);

  memset (h, 0, sizeof *h);
  h->lowest = CO2S_LATENCY_N_BUCKETS;
}

static inline guint64
add_saturated (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static inline void
add_to_bucket (Co2sLatencyHistogram *h, guint bucket, guint64 count)
{
  g_assert (bucket < CO2S_LATENCY_N_BUCKETS);

  if (count == 0)
    return;
  h->counts[bucket] = add_saturated (h->counts[bucket], count);
  h->total = add_saturated (h->total, count);
  h->lowest = MIN (h->lowest, bucket);
  h->highest = MAX (h->highest, bucket);
}

void
co2s_latency_histogram_record (Co2sLatencyHistogram *h, gint64 value_us, guint64 count)
{
  g_return_if_fail (h != NULL);

  add_to_bucket (h, co2s_latency_bucket_of (value_us), count);
}

void
co2s_latency_histogram_merge (Co2sLatencyHistogram *dst, const Co2sLatencyHistogram *src)
{
  g_return_if_fail (dst != NULL);
  g_return_if_fail (src != NULL);

  for (guint b = src->lowest; b <= src->highest && b < CO2S_LATENCY_N_BUCKETS; b++)
    add_to_bucket (dst, b, src->counts[b]);
}

void
co2s_latency_histogram_add_shifted (Co2sLatencyHistogram    *dst,
                                    const Co2sLatencyBucket *sparse,
                                    gsize                    n,
                                    gint64                   shift_us)
{
  g_return_if_fail (dst != NULL);
  g_return_if_fail (sparse != NULL || n == 0);
  g_return_if_fail (shift_us >= 0);

  /* Beyond CO2S_LATENCY_MAX_US everything lands in the last bucket. */
  shift_us = MIN (shift_us, CO2S_LATENCY_MAX_US);
  for (gsize i = 0; i < n; i++)
    {
      g_return_if_fail (sparse[i].bucket < CO2S_LATENCY_N_BUCKETS);
      add_to_bucket (dst,
                     co2s_latency_bucket_of (co2s_latency_bucket_value (sparse[i].bucket) + shift_us),
                     sparse[i].count);
    }
}

gint64
co2s_latency_histogram_quantile (const Co2sLatencyHistogram *h, double q)
{
  guint64 rank, seen = 0;

  g_return_val_if_fail (h != NULL, -1);

  if (h->total == 0)
    return -1;
  rank = co2s_latency_rank (q, h->total);
  for (guint b = h->lowest; b <= h->highest; b++)
    {
      seen = add_saturated (seen, h->counts[b]);
      if (seen >= rank)
        return co2s_latency_bucket_value (b);
    }
  return co2s_latency_bucket_value (h->highest);
}

gint64
co2s_latency_sparse_quantile (const Co2sLatencyBucket *sparse,
                              gsize                    n,
                              gint64                   shift_us,
                              double                   q)
{
  guint64 total = 0, rank, seen = 0;

  g_return_val_if_fail (sparse != NULL || n == 0, -1);
  g_return_val_if_fail (shift_us >= 0, -1);

  shift_us = MIN (shift_us, G_MAXINT64 - CO2S_LATENCY_MAX_US);
  for (gsize i = 0; i < n; i++)
    total = add_saturated (total, sparse[i].count);
  if (total == 0)
    return -1;
  rank = co2s_latency_rank (q, total);
  for (gsize i = 0; i < n; i++)
    {
      seen = add_saturated (seen, sparse[i].count);
      if (seen >= rank)
        {
          g_return_val_if_fail (sparse[i].bucket < CO2S_LATENCY_N_BUCKETS, -1);
          return co2s_latency_bucket_value (sparse[i].bucket) + shift_us;
        }
    }
  return co2s_latency_bucket_value (sparse[n - 1].bucket) + shift_us;
}

void
co2s_latency_histogram_append_text (const Co2sLatencyHistogram *h, GString *out)
{
  gboolean first = TRUE;

  g_return_if_fail (h != NULL);
  g_return_if_fail (out != NULL);

  for (guint b = h->lowest; b <= h->highest && b < CO2S_LATENCY_N_BUCKETS; b++)
    {
      if (h->counts[b] == 0)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT,
                              co2s_latency_bucket_lowest (b), h->counts[b]);
    }
}

/* Reads the decimal digits at @text[*pos…] into @out; FALSE (with *@pos
 * unchanged) when there are none or the number exceeds G_MAXUINT64. A
 * leading zero is read too: callers refuse it (the text form is canonical). */
static gboolean
read_number (const char *text, gsize len, gsize *pos, guint64 *out)
{
  guint64 v = 0;
  gsize i = *pos;

  if (i >= len || !g_ascii_isdigit (text[i]))
    return FALSE;
  for (; i < len && g_ascii_isdigit (text[i]); i++)
    {
      guint digit = (guint) (text[i] - '0');

      if (v > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }
  *pos = i;
  *out = v;
  return TRUE;
}

static void
set_entry_error (GError **error, guint entry, gsize at, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
set_entry_error (GError **error, guint entry, gsize at, const char *format, ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "latency histogram: entry %u (at byte %" G_GSIZE_FORMAT "): %s", entry, at, detail);
}

/* What stands at @text[@pos], for messages: "'x'" or "the end". */
static char *
describe_at (const char *text, gsize len, gsize pos)
{
  if (pos >= len)
    return g_strdup ("the end");
  if (g_ascii_isprint (text[pos]))
    return g_strdup_printf ("'%c'", text[pos]);
  return g_strdup_printf ("byte 0x%02x", (guint) (guchar) text[pos]);
}

Co2sLatencyHistogram *
co2s_latency_histogram_parse (const char *text, gsize len, GError **error)
{
  g_autoptr(Co2sLatencyHistogram) h = co2s_latency_histogram_new ();
  gsize pos = 0;
  guint entry = 0;
  gint64 previous = -1;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (pos < len)
    {
      g_autofree char *what = NULL;
      gsize start = pos;
      gsize count_start;
      guint64 low = 0, count = 0;
      guint bucket;

      entry++;
      if (!read_number (text, len, &pos, &low))
        {
          what = describe_at (text, len, pos);
          set_entry_error (error, entry, start,
                           "expected a bucket's lowest value in µs (digits), found %s", what);
          return NULL;
        }
      if (text[start] == '0' && pos - start > 1)
        {
          set_entry_error (error, entry, start, "%.*s has a leading zero", (int) (pos - start), text + start);
          return NULL;
        }
      if (low > (guint64) CO2S_LATENCY_MAX_US)
        {
          set_entry_error (error, entry, start,
                           "%" G_GUINT64_FORMAT " is above the highest bucket (%" G_GINT64_FORMAT ")",
                           low, co2s_latency_bucket_lowest (CO2S_LATENCY_N_BUCKETS - 1));
          return NULL;
        }
      bucket = co2s_latency_bucket_of ((gint64) low);
      if (co2s_latency_bucket_lowest (bucket) != (gint64) low)
        {
          set_entry_error (error, entry, start,
                           "%" G_GUINT64_FORMAT " is not a bucket's lowest value (%" G_GINT64_FORMAT " is)",
                           low, co2s_latency_bucket_lowest (bucket));
          return NULL;
        }
      if ((gint64) low <= previous)
        {
          set_entry_error (error, entry, start,
                           "bucket %" G_GUINT64_FORMAT " is not above the one before (%" G_GINT64_FORMAT
                           "): buckets go in ascending order, each once", low, previous);
          return NULL;
        }
      if (pos >= len || text[pos] != ':')
        {
          what = describe_at (text, len, pos);
          set_entry_error (error, entry, start, "expected ':' after %" G_GUINT64_FORMAT ", found %s",
                           low, what);
          return NULL;
        }
      pos++;
      count_start = pos;
      if (!read_number (text, len, &pos, &count))
        {
          what = describe_at (text, len, pos);
          set_entry_error (error, entry, start,
                           "expected a count (digits, at most %" G_GUINT64_FORMAT ") after ':', found %s",
                           G_MAXUINT64, what);
          return NULL;
        }
      if (text[count_start] == '0' && pos - count_start > 1)
        {
          set_entry_error (error, entry, start, "count %.*s has a leading zero", (int) (pos - count_start),
                           text + count_start);
          return NULL;
        }
      if (count == 0)
        {
          set_entry_error (error, entry, start, "count 0 (only non-empty buckets are written)");
          return NULL;
        }
      if (h->total > G_MAXUINT64 - count)
        {
          set_entry_error (error, entry, start, "the counts add up to more than %" G_GUINT64_FORMAT,
                           G_MAXUINT64);
          return NULL;
        }
      add_to_bucket (h, bucket, count);
      previous = (gint64) low;
      if (pos == len)
        break;
      if (text[pos] != ',')
        {
          what = describe_at (text, len, pos);
          set_entry_error (error, entry, start, "expected ',' or the end after the count, found %s", what);
          return NULL;
        }
      pos++;
      if (pos == len)
        {
          set_entry_error (error, entry + 1, pos, "nothing after the last ','");
          return NULL;
        }
    }
  return g_steal_pointer (&h);
}
