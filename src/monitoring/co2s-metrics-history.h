/* co2s-metrics-history.h — every batch of the current model, in memory, and
 * the KPIs derived from them.
 *
 * The history is what the desktop app plots: models/metrics.jsonl read at
 * start, then the batches the live topic streaming_metrics brings
 * (Co2sMetricsFollower). Both sources overlap, so batches are deduplicated
 * by their number. Columns are kept as flat arrays (120 bytes per batch, and
 * 4 per drift alarm; with several models, 8 per model and 1 more a batch), so a million batches take about 120 MB and the plot
 * reads them without copies.
 *
 * Rules for a batch b arriving when the last stored batch is L:
 *   - b > L: appended (a gap, e.g. batches missed while the viewer was not
 *     following, is fine);
 *   - b <= L and the stored batch b has the same timestamp_us and
 *     rows_seen: a duplicate (the file and the topic overlap); dropped;
 *   - b == 1 otherwise: the trainer was started with --reset (Kappa
 *     replay): a NEW SERIES begins. The history only ever holds the current
 *     series (the current model's life); the old batches are dropped, the
 *     "series" counter goes up and "new-series" is emitted. The KPIs (best
 *     RMSE, rows trained…) thus always describe the model that exists now;
 *   - b > 1 otherwise: the trainer resumed from an older checkpoint and
 *     redid batches ("rewind"): the stored batches from b on are dropped and
 *     b is appended; the newer values win.
 *
 * A scale-out run (co2stream-trainer --scale-out: lines with partition,
 * partition_batch and trainer) has no batch numbers of its own that follow
 * each other: each trainer counts its own lines. Its batches are numbered
 * here 1, 2, 3… in the order they come (the files' merge by time, then
 * the live ones as they arrive), a batch whose (partition,
 * partition_batch) is held being a duplicate; the rules above are not
 * used for them. A series holds batches of one kind: a scale-out batch
 * after a single trainer's ones, or the other way round, starts a new
 * series. Whose batch each is: co2s_metrics_history_get_batch_origin.
 *
 * Main thread only (not thread-safe), like any GObject bound to a UI; the
 * follower hands batches over on the main context. */
#pragma once

#include <gio/gio.h>

#include "co2s-metrics.h"
#include "co2s-metrics-rollup.h"

G_BEGIN_DECLS

#define CO2S_METRICS_HISTORY_DEFAULT_ROLLING_WINDOW 20
#define CO2S_METRICS_HISTORY_DEFAULT_RATE_WINDOW    10
#define CO2S_METRICS_HISTORY_DEFAULT_DATASET_ROWS   7385

/* A batch without a champion (a line of one model) in the champion column. */
#define CO2S_METRICS_NO_CHAMPION 0xff

/* Most problems a load report keeps (the count goes on). */
#define CO2S_METRICS_LOAD_MAX_PROBLEMS 100

typedef enum {
  CO2S_METRICS_APPEND_ADDED,
  CO2S_METRICS_APPEND_DUPLICATE,
  CO2S_METRICS_APPEND_NEW_SERIES,
  CO2S_METRICS_APPEND_REWOUND,
} Co2sMetricsAppendResult;

/* What co2s_metrics_history_load_file found. */
typedef struct {
  char *path;
  guint64 lines;             /* non-empty lines read */
  guint64 added;             /* batches appended (incl. the first of a series) */
  guint64 duplicates;
  guint64 new_series;        /* batch numbers going back to 1 */
  guint64 rewinds;
  guint64 bad_lines;         /* lines that are not a metrics object (or,
                              * in the history file, not a rollup) */
  guint64 rollups;           /* buckets read from the history file */
  gboolean partial_last_line;/* the last line had no '\n' and did not parse:
                              * the trainer was writing it (not counted bad) */
  GPtrArray *problems;       /* char *: "PATH:LINE: reason", in line order,
                              * at most CO2S_METRICS_LOAD_MAX_PROBLEMS */
} Co2sMetricsLoadReport;

void co2s_metrics_load_report_free (Co2sMetricsLoadReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sMetricsLoadReport, co2s_metrics_load_report_free)

/* A snapshot of the KPIs, for labels. NAN / -1 mean "not known yet". */
typedef struct {
  guint64 batches;           /* batches of the current series: held, and
                              * folded into rollups */
  guint64 last_batch;        /* 0 when empty */
  double last_rmse;          /* g/km, prequential */
  double best_rmse;          /* lowest finite prequential RMSE */
  guint64 best_batch;        /* its batch number (earliest on ties), 0 if none */
  double rolling_rmse;       /* mean of the last rolling-window finite RMSEs */
  guint64 rows_seen;         /* rows trained */
  double rows_per_second;    /* over the last rate-window batches, by timestamp */
  gint64 lag;                /* trainer's consumer lag at the last batch */
  gint64 model_age_us;       /* now - last batch timestamp; -1 when empty */
  double pass_progress;      /* 0..1 through the current pass over the data set */
  guint64 pass;              /* 1-based pass number, 0 when empty */
  guint64 dlq;               /* bad messages so far */
  char algo[16];             /* "" when unknown */
  double rolling_coverage;   /* mean coverage_95 (0..1) of the last rolling-window
                              * batches that have one; NAN when none */
  guint64 drift_alarms;      /* batches of the series that raised the drift
                              * alarm, the rollups' included */
  guint64 last_drift_batch;  /* the latest of them, 0 when none */
  guint n_models;            /* when the last batch's line names several models:
                              * the series' models (algo is then their
                              * champion); else 0 */
} Co2sMetricsKpis;

#define CO2S_TYPE_METRICS_HISTORY (co2s_metrics_history_get_type ())
G_DECLARE_FINAL_TYPE (Co2sMetricsHistory, co2s_metrics_history, CO2S, METRICS_HISTORY, GObject)

/* A new, empty history with the default windows and data set size. */
Co2sMetricsHistory *co2s_metrics_history_new (void);

/* A snapshot of @self: a new history holding the same batches, series
 * count and settings, independent of @self from now on (no signal links;
 * generation and epoch start afresh). O(n) copies, no parsing. Call it on
 * @self's thread; the copy, shared with no one, may then be handed to
 * one other thread (e.g. an export job) and used there. */
Co2sMetricsHistory *co2s_metrics_history_copy (Co2sMetricsHistory *self);

/* ---- adding ------------------------------------------------------------- */

/* Applies the rules above to one batch; emits "new-series" (when a series
 * starts) then "changed" unless it was a duplicate. */
Co2sMetricsAppendResult co2s_metrics_history_append (Co2sMetricsHistory *self,
                                                     const Co2sBatchMetrics *m);

/* Same for @n batches in order, with one "changed" at the end (and at most
 * one "new-series"). Returns how many were not duplicates. */
guint co2s_metrics_history_append_many (Co2sMetricsHistory *self,
                                        const Co2sBatchMetrics *m,
                                        guint n);

/* Drops every batch (not counted as a new series); emits "changed". */
void co2s_metrics_history_clear (Co2sMetricsHistory *self);

/* Reads a metrics.jsonl file, and the rollups of its history file
 * (co2s_metrics_history_path_for; a missing one is no error, its bad lines
 * are reported like the file's). The file is taken as OLDER than what @self
 * already holds: the result is the file's batches followed by the batches
 * held before (re-applied with the rules above), so loading after the
 * follower has started loses nothing. Bad lines are skipped and reported,
 * good ones kept. Returns FALSE with @error only if the file cannot be read
 * (G_IO_ERROR_NOT_FOUND when it does not exist); @self is then unchanged.
 * @report (may be NULL) receives a new report on success. Emits "changed"
 * once, never "new-series" (resets inside the file only raise "series").
 * When @path is a model folder's metrics.jsonl (its name is
 * metrics.jsonl), the scale-out trainers' files of that folder,
 * trainers/ID/metrics.jsonl, are read too and merged into one series in
 * the order of their timestamp_us (ties: partition, partition_batch, the
 * trainers' ids), each (partition, partition_batch) once; a bad line is
 * reported with its own file and line number. The folder then needs no
 * metrics.jsonl; when it has both, the series whose last batch is the
 * newer one is kept. The trainers' rolled-up batches
 * (trainers/ID/metrics-history.jsonl) come first, their buckets ordered by
 * their last timestamp and renumbered one after another; a line a
 * trainer's buckets already hold (a rotation cut short) is a duplicate.
 * Blocks: prefer the async variant on a UI thread. */
gboolean co2s_metrics_history_load_file (Co2sMetricsHistory *self,
                                         const char *path,
                                         Co2sMetricsLoadReport **report,
                                         GError **error);

/* The same, reading only the file's last @last_n lines (0: all), found
 * from its end: the rest of the file is not parsed. The history file's
 * rollups are read too when the file has no more than @last_n lines. */
gboolean co2s_metrics_history_load_file_last (Co2sMetricsHistory *self,
                                              const char *path,
                                              guint last_n,
                                              Co2sMetricsLoadReport **report,
                                              GError **error);

/* Reads and parses @path on a worker thread, then merges on the calling
 * thread's main context, as co2s_metrics_history_load_file does. */
void co2s_metrics_history_load_file_async (Co2sMetricsHistory *self,
                                           const char *path,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);

/* Result of the above: TRUE and a report (may be NULL to ignore), or FALSE
 * with @error (@self unchanged). */
gboolean co2s_metrics_history_load_file_finish (Co2sMetricsHistory *self,
                                                GAsyncResult *result,
                                                Co2sMetricsLoadReport **report,
                                                GError **error);

/* ---- settings ----------------------------------------------------------- */

/* Batches averaged by the rolling mean (>= 1; default 20). */
void  co2s_metrics_history_set_rolling_window (Co2sMetricsHistory *self, guint window);
guint co2s_metrics_history_get_rolling_window (Co2sMetricsHistory *self);

/* Batches rows/s is measured over (>= 1; default 10). */
void  co2s_metrics_history_set_rate_window (Co2sMetricsHistory *self, guint window);
guint co2s_metrics_history_get_rate_window (Co2sMetricsHistory *self);

/* Rows in one pass over the data set (>= 1; default 7385). */
void    co2s_metrics_history_set_dataset_rows (Co2sMetricsHistory *self, guint64 rows);
guint64 co2s_metrics_history_get_dataset_rows (Co2sMetricsHistory *self);

/* ---- reading ------------------------------------------------------------ */

guint co2s_metrics_history_get_n_batches (Co2sMetricsHistory *self);

/* Batch @index (0 .. n-1) rebuilt as a record (algo is the latest seen in
 * the series; a scale-out batch's partition, partition_batch and trainer
 * too, its batch the history's number). FALSE when @index is out of range. */
gboolean co2s_metrics_history_get_batch (Co2sMetricsHistory *self,
                                         guint index,
                                         Co2sBatchMetrics *out);

/* Index of batch number @batch, or -1 when not held. O(log n). */
gint64 co2s_metrics_history_find_batch (Co2sMetricsHistory *self, guint64 batch);

/* Columns, n_batches long (@n may be NULL), owned by @self and valid until
 * the next change. Batch numbers are doubles (exact below 2^53) so they feed
 * plots directly; RMSE values may be NAN where the trainer wrote null. */
const double *co2s_metrics_history_get_batch_column     (Co2sMetricsHistory *self, guint *n);
const double *co2s_metrics_history_get_rmse_column      (Co2sMetricsHistory *self, guint *n);
const double *co2s_metrics_history_get_rmse_fit_column  (Co2sMetricsHistory *self, guint *n);
const double *co2s_metrics_history_get_mae_column       (Co2sMetricsHistory *self, guint *n);
const gint64 *co2s_metrics_history_get_rows_seen_column (Co2sMetricsHistory *self, guint *n);
const gint64 *co2s_metrics_history_get_timestamp_column (Co2sMetricsHistory *self, guint *n);

/* The downsampled batches older than the first batch held (read from the
 * history file beside the metrics file, see co2s-metrics-rollup.h), in
 * batch order; @n (may be NULL) gets their number. Owned by @self, valid
 * until the next change. A new series drops them; a rewind drops those
 * that reach its batch. */
const Co2sMetricsRollup *co2s_metrics_history_get_rollups (Co2sMetricsHistory *self, guint *n);

/* The consumer lag at each batch as a double, NAN where unknown (-1).
 * Computed lazily and extended on appends, like the rolling mean. */
const double *co2s_metrics_history_get_lag_column (Co2sMetricsHistory *self, guint *n);

/* Rows learned per second at each batch, over the rate window before it
 * (the last value is co2s_metrics_history_get_rows_per_second); NAN at the
 * first batch or when the timestamps do not advance. Lazy, as above. */
const double *co2s_metrics_history_get_rate_column (Co2sMetricsHistory *self, guint *n);

/* Rolling mean of the prequential RMSE at each batch: the mean of the finite
 * values among the last rolling-window batches up to it (NAN when none).
 * Computed lazily and extended incrementally on appends. */
const double *co2s_metrics_history_get_rolling_rmse_column (Co2sMetricsHistory *self, guint *n);

/* The KPIs at wall-clock time @now_us (µs since the Unix epoch, e.g.
 * g_get_real_time ()), which only matters for model_age_us. */
void co2s_metrics_history_get_kpis (Co2sMetricsHistory *self,
                                    gint64 now_us,
                                    Co2sMetricsKpis *out);

/* Single KPIs (same definitions as Co2sMetricsKpis). */
double  co2s_metrics_history_get_last_rmse (Co2sMetricsHistory *self);
double  co2s_metrics_history_get_best_rmse (Co2sMetricsHistory *self, guint64 *batch);
double  co2s_metrics_history_get_rolling_rmse (Co2sMetricsHistory *self);
double  co2s_metrics_history_get_rows_per_second (Co2sMetricsHistory *self);
guint64 co2s_metrics_history_get_last_batch (Co2sMetricsHistory *self);

/* ---- scale-out runs ------------------------------------------------------ */

/* TRUE when the batches held are a scale-out run's (see the rules above). */
gboolean co2s_metrics_history_is_scale_out (Co2sMetricsHistory *self);

/* Whose batch @index (0 .. n-1) is, in a scale-out run: TRUE with its
 * partition, partition_batch and trainer id (each may be NULL; the id is
 * owned by @self, valid until the next change, "" when its line named
 * none). FALSE when @index is out of range or not a scale-out batch. */
gboolean co2s_metrics_history_get_batch_origin (Co2sMetricsHistory *self,
                                                guint index,
                                                gint *partition,
                                                guint64 *partition_batch,
                                                const char **trainer);

/* The highest partition_batch held of @partition, 0 when none. O(1). */
guint64 co2s_metrics_history_get_last_partition_batch (Co2sMetricsHistory *self,
                                                       gint partition);

/* TRUE when @partition's batch @partition_batch is held. O(log n). */
gboolean co2s_metrics_history_holds_partition_batch (Co2sMetricsHistory *self,
                                                     gint partition,
                                                     guint64 partition_batch);

/* ---- interval coverage and drift alarms (co2s-metrics-history-quality.c) -- */

/* Each batch's coverage_95: the share (0..1) of its rows whose truth fell
 * inside the 95 % interval predicted before the model learned them; NAN
 * where unknown. Owned by @self, valid until the next change. */
const double *co2s_metrics_history_get_coverage_column (Co2sMetricsHistory *self, guint *n);

/* The mean of the finite coverage_95 values among the last rolling-window
 * batches (the rolling RMSE's window), NAN when none has one. O(window). */
double co2s_metrics_history_get_rolling_coverage (Co2sMetricsHistory *self);

/* The indices (0 .. n_batches-1, increasing) of the held batches that
 * raised the drift alarm; @n (may be NULL) gets how many. Owned by @self,
 * valid until the next change. O(1). */
const guint *co2s_metrics_history_get_drift_alarm_indices (Co2sMetricsHistory *self, guint *n);

/* Batches of the series that raised the drift alarm, held and folded into
 * rollups; @last_batch (may be NULL) gets the latest one's number (for a
 * rollup, its last batch), 0 when none. O(rollups). */
guint64 co2s_metrics_history_count_drift_alarms (Co2sMetricsHistory *self, guint64 *last_batch);

/* ---- several models (co2s-metrics-history-models.c) ---------------------- */

/* Models named by the series' lines of several models ("models", a trainer
 * of --algo ls,ls:fuel,…), in the order first seen, at most
 * CO2S_METRICS_MAX_MODELS; 0 for a history of one model. Rollups keep the
 * top-level (champion's) figures only. */
guint co2s_metrics_history_get_n_models (Co2sMetricsHistory *self);

/* Model @slot's name (slot < n_models), owned by @self, valid until the
 * next change. */
const char *co2s_metrics_history_get_model_name (Co2sMetricsHistory *self, guint slot);

/* Model @slot's prequential RMSE at every batch held (NAN where its line
 * does not name it or it was warming up), n_batches long (@n may be NULL);
 * owned by @self, valid until the next change. NULL when slot >= n_models. */
const double *co2s_metrics_history_get_model_rmse_column (Co2sMetricsHistory *self,
                                                          guint slot,
                                                          guint *n);

/* The champion's slot at every batch held (CO2S_METRICS_NO_CHAMPION for a
 * line of one model); NULL when n_models is 0. Owned by @self. */
const guint8 *co2s_metrics_history_get_champion_column (Co2sMetricsHistory *self, guint *n);

/* The last batch's champion slot, or -1 (no batch, or one model). */
gint co2s_metrics_history_get_champion (Co2sMetricsHistory *self);

/* Bumps on every change. Equal generations mean equal contents. */
guint64 co2s_metrics_history_get_generation (Co2sMetricsHistory *self);

/* Bumps whenever held batches are removed or replaced (new series, rewind,
 * clear, load). Between two equal epochs the history only grew at its end,
 * which lets caches extend instead of recomputing. */
guint64 co2s_metrics_history_get_epoch (Co2sMetricsHistory *self);

/* Series started since creation (see the rules above); 0 at first. */
guint co2s_metrics_history_get_series (Co2sMetricsHistory *self);

/* Bytes the stored values take (8 per batch and column, plus the rolling
 * column once built). GArray may reserve up to twice that while growing. */
gsize co2s_metrics_history_get_memory_size (Co2sMetricsHistory *self);

G_END_DECLS
