/* co2s-batch.c — the trainer's micro-batch buffer. */
#define G_LOG_DOMAIN "co2s-batch"

#include "co2s-batch.h"

#include <stdlib.h>

Co2sBatch *
co2s_batch_new (guint capacity)
{
  Co2sBatch *batch;

  g_return_val_if_fail (capacity > 0, NULL);
  g_return_val_if_fail (capacity <= G_MAXUINT / CO2S_N_FEATURES, NULL);

  batch = g_new0 (Co2sBatch, 1);
  batch->capacity = capacity;
  batch->x = g_new (double, (gsize) capacity * CO2S_N_FEATURES);
  batch->y = g_new (double, capacity);
  batch->emit_us = g_new (gint64, capacity);
  batch->age_counts = g_new0 (guint32, CO2S_LATENCY_N_BUCKETS);
  batch->age_touched = g_new (guint32, CO2S_LATENCY_N_BUCKETS);
  batch->positions = g_array_new (FALSE, FALSE, sizeof (Co2sPartitionOffset));
  return batch;
}

void
co2s_batch_free (Co2sBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->x);
  g_free (batch->y);
  g_free (batch->emit_us);
  g_free (batch->age_counts);
  g_free (batch->age_touched);
  g_array_unref (batch->positions);
  g_free (batch);
}

void
co2s_batch_clear (Co2sBatch *batch)
{
  g_return_if_fail (batch != NULL);

  batch->n_messages = 0;
  batch->n_rows = 0;
  batch->n_bad = 0;
  batch->n_emit = 0;
  batch->started_us = 0;
  g_array_set_size (batch->positions, 0);
}

static inline void
note_message (Co2sBatch *batch, gint64 now_us)
{
  g_assert (batch->n_messages < batch->capacity);

  if (batch->n_messages == 0)
    batch->started_us = now_us;
  batch->n_messages++;
}

void
co2s_batch_add_row (Co2sBatch *batch,
                    const Co2sRecord *record,
                    gint64 emit_us,
                    gint64 now_us)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (record != NULL);
  g_return_if_fail (!co2s_batch_is_full (batch));

  note_message (batch, now_us);
  co2s_record_features (record, &batch->x[(gsize) batch->n_rows * CO2S_N_FEATURES]);
  batch->y[batch->n_rows] = co2s_record_target (record);
  batch->n_rows++;
  if (emit_us > 0)
    batch->emit_us[batch->n_emit++] = emit_us;
}

void
co2s_batch_add_bad (Co2sBatch *batch, gint64 now_us)
{
  g_return_if_fail (batch != NULL);
  g_return_if_fail (!co2s_batch_is_full (batch));

  note_message (batch, now_us);
  batch->n_bad++;
}

void
co2s_batch_set_position (Co2sBatch *batch, gint32 partition, gint64 next_offset)
{
  Co2sPartitionOffset *po;
  guint i;

  g_return_if_fail (batch != NULL);

  /* A handful of partitions at most: a linear scan is the fastest lookup. */
  for (i = 0; i < batch->positions->len; i++)
    {
      po = &g_array_index (batch->positions, Co2sPartitionOffset, i);
      if (po->partition == partition)
        {
          if (next_offset > po->next_offset)
            {
              po->next_offset = next_offset;
              po->last.known = FALSE;
            }
          return;
        }
    }
  g_array_append_vals (batch->positions,
                       &(Co2sPartitionOffset) { .partition = partition, .next_offset = next_offset,
                                                .first_offset = next_offset - 1 },
                       1);
}

Co2sPartitionOffset *
co2s_batch_get_position (Co2sBatch *batch, gint32 partition)
{
  g_return_val_if_fail (batch != NULL, NULL);

  for (guint i = 0; i < batch->positions->len; i++)
    {
      Co2sPartitionOffset *po = &g_array_index (batch->positions, Co2sPartitionOffset, i);

      if (po->partition == partition)
        return po;
    }
  return NULL;
}

gint64
co2s_select_kth (gint64 *values, guint n, guint k)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (values != NULL, 0);
  g_return_val_if_fail (k < n, 0);

  /* Hoare's quickselect with a median-of-three pivot. */
  hi = n - 1;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 a = values[lo], b = values[mid], c = values[hi];
      gint64 pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a))
                             : ((a < c) ? a : (b < c ? c : b));
      guint i = lo;
      guint j = hi;

      while (i <= j)
        {
          while (values[i] < pivot)
            i++;
          while (values[j] > pivot)
            j--;
          if (i <= j)
            {
              gint64 t = values[i];

              values[i] = values[j];
              values[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      /* Now values[lo..j] <= pivot <= values[i..hi]. */
      if (k <= j && j != G_MAXUINT)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return values[k];
    }
  return values[k];
}

static int
compare_guint32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

guint
co2s_batch_latency_ages (Co2sBatch *batch, gint64 now_us, GArray *out)
{
  guint n = 0;

  g_return_val_if_fail (batch != NULL, 0);
  g_return_val_if_fail (out != NULL && g_array_get_element_size (out) == sizeof (Co2sLatencyBucket), 0);

  /* Count by bucket, noting each bucket the first time; the rows of a
   * batch fill a few dozen buckets at most, so sorting those is cheap. */
  for (guint i = 0; i < batch->n_emit; i++)
    {
      guint b = co2s_latency_bucket_of (now_us - batch->emit_us[i]);

      if (batch->age_counts[b]++ == 0)
        batch->age_touched[n++] = b;
    }
  qsort (batch->age_touched, n, sizeof *batch->age_touched, compare_guint32);
  for (guint i = 0; i < n; i++)
    {
      guint32 b = batch->age_touched[i];

      g_array_append_vals (out, &(Co2sLatencyBucket) { .bucket = b, .count = batch->age_counts[b] }, 1);
      batch->age_counts[b] = 0;
    }
  return n;
}

gboolean
co2s_batch_emit_stats (Co2sBatch *batch, gint64 *median_us, gint64 *min_us)
{
  gint64 lowest;

  g_return_val_if_fail (batch != NULL, FALSE);
  g_return_val_if_fail (median_us != NULL && min_us != NULL, FALSE);

  if (batch->n_emit == 0)
    return FALSE;

  lowest = batch->emit_us[0];
  for (guint i = 1; i < batch->n_emit; i++)
    if (batch->emit_us[i] < lowest)
      lowest = batch->emit_us[i];
  *min_us = lowest;
  *median_us = co2s_select_kth (batch->emit_us, batch->n_emit, batch->n_emit / 2);
  return TRUE;
}
