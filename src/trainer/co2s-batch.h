/* co2s-batch.h — the trainer's micro-batch buffer.
 *
 * One batch is what the trainer consumed since its last batch closed: the
 * good rows as a feature matrix and target vector ready for the model, the
 * emit times of those rows (for latency), how many messages were bad, and
 * for every partition touched the next offset to consume once the batch is
 * in the model. Every buffer is allocated once, at @capacity messages; adding
 * a row never allocates (the partition table grows only when a partition is
 * seen for the first time).
 *
 * Pure logic, no Kafka; not thread-safe. */
#pragma once

#include <glib.h>

#include "co2s-checkpoint.h"
#include "co2s-latency-histogram.h"
#include "co2s-record.h"

G_BEGIN_DECLS

typedef struct {
  guint capacity;       /* messages per batch (good + bad) */
  guint n_messages;     /* messages added since the last clear */
  guint n_rows;         /* good rows in x and y */
  guint n_bad;          /* messages refused (sent to the dead-letter queue) */
  double *x;            /* capacity × CO2S_N_FEATURES, row-major */
  double *y;            /* capacity targets */
  gint64 *emit_us;      /* n_emit emit times (µs, wall clock) of good rows */
  guint n_emit;
  gint64 started_us;    /* monotonic time of the first message; 0 when empty */
  guint32 *age_counts;  /* scratch of co2s_batch_latency_ages: one per bucket, all 0 between calls */
  guint32 *age_touched; /* scratch: the buckets counted */
  GArray *positions;    /* of Co2sPartitionOffset: next offset per partition
                         * and, once noted, the record before it */
} Co2sBatch;

/* A new empty batch for up to @capacity (> 0) messages. Free with co2s_batch_free. */
Co2sBatch *co2s_batch_new (guint capacity);

void co2s_batch_free (Co2sBatch *batch);

/* Empties the batch; keeps the buffers. */
void co2s_batch_clear (Co2sBatch *batch);

/* TRUE when the batch holds @capacity messages. */
static inline gboolean
co2s_batch_is_full (const Co2sBatch *batch)
{
  return batch->n_messages >= batch->capacity;
}

/* Adds one good row: its features, its target and its emit time (≤ 0 when
 * unknown: the row then has no latency). @now_us is the monotonic time, used
 * for the first message of a batch. Must not be full. */
void co2s_batch_add_row (Co2sBatch *batch,
                         const Co2sRecord *record,
                         gint64 emit_us,
                         gint64 now_us);

/* Counts one bad message. Must not be full. */
void co2s_batch_add_bad (Co2sBatch *batch, gint64 now_us);

/* Records that @partition must continue at @next_offset once this batch is
 * in the model. The highest offset wins; when it moves, the position's last
 * record becomes unknown until the caller notes it again. */
void co2s_batch_set_position (Co2sBatch *batch, gint32 partition, gint64 next_offset);

/* The position of @partition in this batch (owned by @batch, valid until
 * the next set_position or clear; the caller may fill its last record), or
 * NULL when the batch has none. */
Co2sPartitionOffset *co2s_batch_get_position (Co2sBatch *batch, gint32 partition);

/* Emit-time statistics of the good rows, for latency: @median_us is the
 * emit time whose latency is the batch's p50 (the element of rank n/2 in
 * ascending order), @min_us the earliest (the batch's maximum latency).
 * FALSE when no row had an emit time. Reorders emit_us. */
gboolean co2s_batch_emit_stats (Co2sBatch *batch, gint64 *median_us, gint64 *min_us);

/* Appends to @out (of Co2sLatencyBucket) the histogram of the good rows'
 * ages at @now_us (wall clock, µs): @now_us - emit time, sparse, in
 * ascending bucket order (co2s-latency-histogram.h; a row emitted after
 * @now_us, a clock ahead, counts as 0). Returns how many entries it
 * appended (0 when no row had an emit time). O(rows + entries log entries). */
guint co2s_batch_latency_ages (Co2sBatch *batch, gint64 now_us, GArray *out);

/* The @k-th smallest (0-based, @k < @n) of @values, in O(n) on average;
 * reorders @values. Exposed for tests. */
gint64 co2s_select_kth (gint64 *values, guint n, guint k);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sBatch, co2s_batch_free)

G_END_DECLS
