/* co2s-metrics-rollup.h — downsampled metrics: one line per bucket of older
 * batches, in models/metrics-history.jsonl beside metrics.jsonl.
 *
 * metrics.jsonl holds the recent batches at full resolution; when it grows
 * past its share of the trainer's budget (--metrics-max-mb), its oldest
 * lines are folded into buckets (co2s-metrics-log.h: the rotation), and old
 * buckets are merged pairwise when the history file outgrows its share, like
 * an RRD's consolidation: older batches, coarser buckets. A bucket keeps, for
 * each measured value, how many batches had a finite value, their min, max,
 * mean and the last one, so a plot can draw the whole run as a min/max
 * envelope with the mean.
 *
 * Line (one JSON object, keys in this order):
 *   {"first_batch":1,"last_batch":64,"count":64,"first_timestamp_us":…,
 *    "last_timestamp_us":…,"rows":6400,"rows_seen":6400,"dlq":0,"algo":"ls",
 *    "rmse":{"n":63,"min":…,"max":…,"mean":…,"last":…},"mae":{…},
 *    "rmse_fit":{…},"lag":{…},"latency_ms_p50":{…},"latency_ms_max":{…},
 *    "drift_alarms":0}
 * drift_alarms: how many of its batches raised the drift alarm (absent in
 * older lines: 0), so that a plot can still mark the alarms of folded batches.
 * Buckets are in increasing batch order and never overlap. Any thread. */
#pragma once

#include <glib.h>

#include "co2s-metrics.h"

G_BEGIN_DECLS

/* The history file's name in the model folder. */
#define CO2S_METRICS_HISTORY_FILE "metrics-history.jsonl"

typedef struct {
  guint64 n;      /* batches with a finite value; min/max/mean/last NAN when 0 */
  double min;
  double max;
  double mean;
  double last;
} Co2sRollupStat;

typedef enum {
  CO2S_ROLLUP_RMSE,
  CO2S_ROLLUP_MAE,
  CO2S_ROLLUP_RMSE_FIT,
  CO2S_ROLLUP_LAG,          /* -1 (unknown) is not a value */
  CO2S_ROLLUP_LATENCY_P50,
  CO2S_ROLLUP_LATENCY_MAX,
  CO2S_ROLLUP_N_STATS
} Co2sRollupStatId;

typedef struct {
  guint64 first_batch;
  guint64 last_batch;
  guint64 count;            /* batches folded in */
  gint64 first_timestamp_us;
  gint64 last_timestamp_us;
  guint64 rows;             /* rows of its batches */
  guint64 rows_seen;        /* at its last batch */
  guint64 dlq;              /* at its last batch */
  char algo[16];            /* of its last batch */
  guint64 drift_alarms;     /* its batches with drift_alarm true */
  Co2sRollupStat stats[CO2S_ROLLUP_N_STATS];
} Co2sMetricsRollup;

/* The JSON key of stat @id ("rmse", "lag"…). */
const char *co2s_rollup_stat_name (Co2sRollupStatId id);

/* @r becomes the bucket of batch @m alone. */
void co2s_metrics_rollup_init (Co2sMetricsRollup *r, const Co2sBatchMetrics *m);

/* Folds the NEWER bucket @b into @a (a->last_batch < b->first_batch). */
void co2s_metrics_rollup_merge (Co2sMetricsRollup *a, const Co2sMetricsRollup *b);

/* Appends one line ('\n' included); locale-independent. */
void co2s_metrics_rollup_to_json (const Co2sMetricsRollup *r, GString *out);

/* Parses one line; FALSE with G_IO_ERROR_INVALID_DATA "history line: …"
 * naming what is wrong. @out only written on success. */
gboolean co2s_metrics_rollup_from_json (const char *line, gsize len,
                                        Co2sMetricsRollup *out, GError **error);

/* "DIR/metrics-history.jsonl" for "DIR/metrics.jsonl"; for any other name
 * "NAME-history.jsonl" ("x/run.jsonl" → "x/run-history.jsonl"). Free with
 * g_free. */
char *co2s_metrics_history_path_for (const char *metrics_path);

G_END_DECLS
