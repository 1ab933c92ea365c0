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
 * a live writer. Not thread-safe. */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"

G_BEGIN_DECLS

typedef struct _Co2sMetricsLog Co2sMetricsLog;

/* Opens (creating it and its folder when needed) the log at @path.
 * With @truncate the file is emptied (--reset: a new model, a new history).
 * Otherwise every line after the last valid line whose batch is ≤
 * @keep_batches is removed, and that line, if any, is copied to @last
 * (@last->batch is 0 when the file holds no such line). @dropped_lines
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

/* Closes the file. NULL-safe. */
void co2s_metrics_log_free (Co2sMetricsLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sMetricsLog, co2s_metrics_log_free)

G_END_DECLS
