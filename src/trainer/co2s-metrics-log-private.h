/* co2s-metrics-log-private.h — what co2s-metrics-log.c and its rotation
 * (co2s-metrics-rotate.c) share. Not API. */
#pragma once

#include "co2s-metrics-log.h"

G_BEGIN_DECLS

struct _Co2sMetricsLog {
  char *path;
  char *history_path;
  int fd;
  guint64 max_bytes;            /* both files; 0: no limit */
  Co2sMetricsRotateHook hook;   /* may be NULL */
  gpointer hook_data;
};

/* The history's share of the budget; the rest is metrics.jsonl's. */
static inline guint64
_co2s_metrics_log_history_cap (const Co2sMetricsLog *log)
{
  return log->max_bytes / 8;
}

/* Opening's second half: the history file made consistent with @keep
 * checkpointed batches (see co2s-metrics-log.h), metrics.jsonl's lines that
 * the history holds removed, leftovers of a cut-short rotation deleted.
 * @last: the last line kept by the first half (batch 0 if none); replaced by
 * the last bucket's batch and dlq when metrics.jsonl has no line left. */
gboolean _co2s_metrics_log_repair_history (Co2sMetricsLog *log,
                                           guint64 keep,
                                           gboolean truncate,
                                           Co2sBatchMetrics *last,
                                           guint *dropped,
                                           GError **error);

/* "@what: strerror (@errsv)" as a G_IO_ERROR; always FALSE. */
gboolean _co2s_metrics_log_errno_error (GError **error, int errsv, const char *what);

G_END_DECLS
