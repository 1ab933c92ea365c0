/* co2s-metrics-store-private.h — INTERNAL to Co2sMetricsHistory (not a
 * public API): the batch columns and the dedupe/new-series/rewind rules as
 * a plain struct without GObject, so that the async loader can fill one on
 * a worker thread and the history merge it on the main thread. One thread
 * at a time. */
#pragma once

#include <gio/gio.h>

#include "co2s-metrics-history.h"
#include "co2s-metrics-rollup.h"

G_BEGIN_DECLS

/* The columns and the rules, without GObject: the async loader fills one on
 * a worker thread, the history merges it on the main thread. */
enum {
  COL_BATCH,       /* double (exact below 2^53) */
  COL_ROWS,        /* gint64 */
  COL_ROWS_SEEN,   /* gint64 */
  COL_TIMESTAMP,   /* gint64, µs since the Unix epoch */
  COL_LAG,         /* gint64 */
  COL_DLQ,         /* gint64 */
  COL_RMSE,        /* double */
  COL_MAE,         /* double */
  COL_RMSE_FIT,    /* double */
  COL_LAT_P50,     /* double */
  COL_LAT_MAX,     /* double */
  COL_LAT_P50_US,  /* gint64, -1 unknown: per-row emit → checkpoint quantiles */
  COL_LAT_P99_US,  /* gint64 */
  COL_LAT_P999_US, /* gint64 */
  COL_COVERAGE,    /* double, NAN unknown: share of the batch's rows inside their 95 % interval */
  N_COLS
};

typedef struct {
  GArray *cols[N_COLS];
  /* Co2sMetricsRollup: the downsampled batches older than the first of
   * cols (metrics-history.jsonl), in batch order. */
  GArray *rollups;
  /* guint: the indices in cols of the batches that raised the drift alarm
   * (drift_alarm), increasing; a batch's flag is its presence here. */
  GArray *alarms;
  char algo[16];
  gint64 best_index;   /* -1 when no finite RMSE */
  guint series;
  /* Several models (lines with "models", a trainer of --algo ls,ls:fuel,…):
   * their names in the order first seen in the series, at most
   * CO2S_METRICS_MAX_MODELS (later ones are not kept), each with its
   * prequential RMSE at every batch (double, NAN where a line does not name
   * it), and the champion's slot at every batch (guint8,
   * CO2S_METRICS_NO_CHAMPION for a line of one model). All NULL and
   * n_models 0 until a line of several models comes. */
  guint n_models;
  char model_names[CO2S_METRICS_MAX_MODELS][16];
  GArray *model_rmse[CO2S_METRICS_MAX_MODELS];
  GArray *champion;
  /* Scale-out batches (lines with partition_batch: co2stream-trainer
   * --scale-out). A series holds either such batches only or none: a line
   * of the other kind starts a new series. NULL until the series' first
   * one; then, for every batch held, its partition (gint), partition_batch
   * (guint64) and trainer (guint16: index in @trainers, G_MAXUINT16 when
   * its line named none). Such a batch's number is not its line's: the
   * batches held are numbered 1, 2, 3… in the order they came (held or
   * rolled up, a series' numbers increase by one; the trainers' rollups,
 * merged by time, come first). @seen: partition → GArray
   * of the partition_batch numbers held (guint64, increasing), for the
   * duplicate check. */
  GArray *origin_partition;
  GArray *origin_batch;
  GArray *origin_trainer;
  GPtrArray *trainers;
  GHashTable *seen;
} Co2sMetricsStore;

#define COL_D(store, col, i) g_array_index ((store)->cols[col], double, (i))
#define COL_I(store, col, i) g_array_index ((store)->cols[col], gint64, (i))

static inline guint
_co2s_metrics_store_len (const Co2sMetricsStore *store)
{
  return store->cols[COL_BATCH]->len;
}

Co2sMetricsStore *_co2s_metrics_store_new (void);
void _co2s_metrics_store_free (Co2sMetricsStore *store);
/* An independent copy of @store (the columns copied). */
Co2sMetricsStore *_co2s_metrics_store_copy (const Co2sMetricsStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sMetricsStore, _co2s_metrics_store_free)

/* Batch number of the last rollup, 0 when there is none. */
static inline guint64
_co2s_metrics_store_rollup_end (const Co2sMetricsStore *store)
{
  return store->rollups->len > 0
    ? g_array_index (store->rollups, Co2sMetricsRollup, store->rollups->len - 1).last_batch : 0;
}

/* TRUE when the store's series is a scale-out trainers' one. */
static inline gboolean
_co2s_metrics_store_is_scale_out (const Co2sMetricsStore *store)
{
  return store->origin_partition != NULL;
}

/* Makes the empty @store a scale-out series (before its first batch, so
 * that rollups put in first stay: the trainers' folded batches). */
void _co2s_metrics_store_begin_scale_out (Co2sMetricsStore *store);

/* TRUE when partition @partition's batch @partition_batch is held. O(log n). */
gboolean _co2s_metrics_store_holds_origin (const Co2sMetricsStore *store,
                                           gint partition,
                                           guint64 partition_batch);

/* The highest partition_batch held of @partition, 0 when none. O(1). */
guint64 _co2s_metrics_store_last_partition_batch (const Co2sMetricsStore *store, gint partition);

/* Keeps the first @len batches; recomputes the best when it was dropped. */
void _co2s_metrics_store_truncate (Co2sMetricsStore *store, guint len);

/* Drops the first @n batches (columns, alarms, models). */
void _co2s_metrics_store_drop_front (Co2sMetricsStore *store, guint n);

/* Appends @next's batches to @store as appending them one by one would,
 * when that is plain: @next was filled from empty by appends that all
 * added (no duplicate, new series or rewind; no rollups), its first batch
 * follows @store's last, and both name the same models in the same order.
 * FALSE, @store unchanged, otherwise: the caller then appends @next's
 * lines one by one. */
gboolean _co2s_metrics_store_concat (Co2sMetricsStore *store, const Co2sMetricsStore *next);

/* Batch @i as a record (algo: the latest of the series, or the batch's
 * champion; models: every model's name and RMSE, the other figures NAN). */
void _co2s_metrics_store_get (const Co2sMetricsStore *store, guint i, Co2sBatchMetrics *out);

/* TRUE when batch @i raised the drift alarm. O(log alarms). */
gboolean _co2s_metrics_store_has_alarm (const Co2sMetricsStore *store, guint i);

/* Index of batch number @batch, or -1. O(log n). */
gint64 _co2s_metrics_store_find (const Co2sMetricsStore *store, guint64 batch);

/* The rules of co2s-metrics-history.h, and for a scale-out line
 * (partition_batch > 0): a duplicate when its (partition,
 * partition_batch) is held, else appended as the next batch number (its
 * own "batch" is not used); the first one after batches of another kind
 * starts a new series, and so does a line of another kind after them.
 * @truncated_at receives the first
 * index whose contents changed when batches were dropped (G_MAXUINT if
 * none). */
Co2sMetricsAppendResult _co2s_metrics_store_append (Co2sMetricsStore *store,
                                                    const Co2sBatchMetrics *m,
                                                    guint *truncated_at);

/* Reads a metrics.jsonl file into a new store (any thread), with the
 * rollups of its history file (co2s_metrics_history_path_for) when the
 * whole file is read. @last_n > 0: only the file's last @last_n lines are
 * read (found from the end; the rest is not parsed) and the history file
 * only if the file has no more lines than that. NULL with @error when the
 * file cannot be read; else the store and a report. */
/* With the scale-out trainers' files: when @path's name is metrics.jsonl
 * (CO2S_METRICS_FILE) and its folder has trainers/ID/metrics.jsonl files,
 * those are read too (each file's lines kept in its own order, bad lines
 * reported with their file and line number) and merged into one series in
 * the order of their timestamp_us (ties: partition, then
 * partition_batch, then the trainers' ids in byte order), each (partition,
 * partition_batch) once, numbered 1, 2, 3…; a missing @path is then no
 * error. When both hold batches, the series whose last batch is the newer
 * one is kept (a new series: the other was an earlier model's). Each
 * trainer's history file (trainers/ID/metrics-history.jsonl, read after its
 * metrics.jsonl was opened: a line its rollups hold is a duplicate) gives
 * rollups too: all of them sorted by their last timestamp, renumbered one
 * after another by their count, before the merged batches. @last_n keeps
 * the merged series' last @last_n batches and then no rollup. */
Co2sMetricsStore *_co2s_metrics_store_load (const char *path,
                                            guint last_n,
                                            GCancellable *cancellable,
                                            Co2sMetricsLoadReport **out_report,
                                            GError **error);

/* For tests: files (or the part read) of at least @bytes are read by two
 * threads (default 8 MiB; 0 or 1: any file of two lines or more). Not
 * thread-safe: call before loading. */
void _co2s_metrics_load_set_parallel_min (gsize bytes);

/* The store of @self (owned by it, valid until its next change). */
const Co2sMetricsStore *_co2s_metrics_history_get_store (Co2sMetricsHistory *self);

G_END_DECLS
