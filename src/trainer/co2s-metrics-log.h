/* co2s-metrics-log.h — models/metrics.jsonl, kept consistent with the model file.
 *
 * The trainer appends one line per batch (co2s_batch_metrics_to_json). The
 * lines of the batches a checkpoint covers are written and fdatasync'ed
 * BEFORE that checkpoint is saved, so a crash at any moment leaves the file
 * holding every checkpointed batch, possibly followed by lines of batches
 * that never made it into a checkpoint (and, after a power loss, a partial
 * last line). Opening the log with the checkpoint's batch count repairs it:
 * the tail after the last line whose batch is ≤ that count is cut off. The
 * batches that were cut will be consumed and written again, so every batch
 * of the model ends up in the file exactly once.
 *
 * Writes are whole lines through one write(2) on an O_APPEND descriptor, so
 * a reader (the desktop app tailing the file) never sees a torn line from
 * a live writer. Not thread-safe.
 *
 * Bounded size (co2s_metrics_log_set_max_bytes, the trainer's
 * --metrics-max-mb): when metrics.jsonl outgrows its share of the budget
 * (7/8), co2s_metrics_log_rotate folds its oldest half into buckets of
 * metrics-history.jsonl (co2s-metrics-rollup.h; 1/8 of the budget, old
 * buckets merged pairwise when it is full). Crash-safe, in this order:
 *   1. the new history file is written beside it, fsync'ed, renamed over
 *      it, and the folder fsync'ed;
 *   2. the same for metrics.jsonl without the folded lines.
 * Rotation only folds checkpointed lines (it runs after a checkpoint), so
 * the history never holds a batch the model file does not. A crash between
 * 1 and 2 leaves lines of batches that the history holds too: opening drops
 * every line whose batch is at or before the history's last (and history
 * buckets past the checkpoint's batch count, which only a model file older
 * than its history can cause), so each batch is counted once, in one file.
 * Readers open metrics.jsonl before the history file for the same reason
 * (they can only see an overlap, never a gap). */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"
#include "co2s-metrics-rollup.h"

G_BEGIN_DECLS

typedef struct _Co2sMetricsLog Co2sMetricsLog;

/* Opens (creating it and its folder when needed) the log at @path, and
 * repairs its history file (above; co2s_metrics_history_path_for).
 * With @truncate the file is emptied and the history file removed (--reset:
 * a new model, a new history).
 * Otherwise every line after the last valid line whose batch is ≤
 * @keep_batches is removed, and that line, if any, is copied to @last
 * (@last->batch is 0 when the file holds no such line; when only the
 * history holds batches, @last has the last bucket's batch and dlq).
 * Lines the history also holds are removed and counted too. @dropped_lines
 * (may be NULL) gets the number of lines cut off, a partial line counting
 * as one. NULL with a G_IO_ERROR naming @path on failure. */
Co2sMetricsLog *co2s_metrics_log_open (const char *path,
                                       guint64 keep_batches,
                                       gboolean truncate,
                                       Co2sBatchMetrics *last,
                                       guint *dropped_lines,
                                       GError **error);

/* Appends @len bytes (whole lines) with one write(2), retried on a short
 * write or EINTR. */
gboolean co2s_metrics_log_append (Co2sMetricsLog *log,
                                  const char *data,
                                  gsize len,
                                  GError **error);

/* fdatasync(2): what was appended is on disk when this returns TRUE. */
gboolean co2s_metrics_log_sync (Co2sMetricsLog *log, GError **error);

const char *co2s_metrics_log_get_path (Co2sMetricsLog *log);

/* Called at each step of a rotation with its name: "rotate-history-written"
 * (the new history beside the old, synced), "rotate-history-renamed",
 * "rotate-metrics-written", "rotate-metrics-renamed" (done). For the
 * trainer's failpoints (tests). */
typedef void (*Co2sMetricsRotateHook) (const char *point, gpointer user_data);

/* Budget of metrics.jsonl and its history file together, in bytes (0: no
 * limit, never rotate); @hook may be NULL. */
void co2s_metrics_log_set_max_bytes (Co2sMetricsLog *log,
                                     guint64 max_bytes,
                                     Co2sMetricsRotateHook hook,
                                     gpointer hook_data);

/* Rotates (above) if metrics.jsonl is past its share of the budget; call it
 * only when every line in the file is checkpointed. @rotated (may be NULL)
 * says whether it did. On failure both files are as before or consistent
 * by the rules above, and the error names the file. */
gboolean co2s_metrics_log_rotate (Co2sMetricsLog *log,
                                  gboolean *rotated,
                                  GError **error);

/* Closes the file. NULL-safe. */
void co2s_metrics_log_free (Co2sMetricsLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sMetricsLog, co2s_metrics_log_free)

G_END_DECLS
