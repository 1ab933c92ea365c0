/* co2s-metrics.h — one line of models/metrics.jsonl / topic streaming_metrics.
 *
 * The trainer writes one object per micro-batch; the desktop app reads the
 * file at start and follows the topic. Keys:
 *   batch, rows, rows_seen, rmse (prequential: predicted before learning),
 *   mae (prequential), rmse_fit (after learning, on the same rows: what the
 *   old system showed), timestamp (ISO 8601 UTC), timestamp_us, lag (consumer
 *   lag in messages, -1 unknown), latency_ms_p50, latency_ms_max (from the
 *   API's emit time, or the Kafka timestamp when absent), latency_p50_us,
 *   latency_p99_us, latency_p999_us (per-row latency from the API's emit to
 *   the checkpoint that made the row durable, quantiles of the batch's
 *   latency histogram, co2s-latency-histogram.h: within 1 %; null when no
 *   row had an emit time), algo, dlq (bad messages so far), coverage_95
 *   (the share of the batch's rows whose truth fell inside the 95 %
 *   interval predicted before the model learned them, co2s-conformal.h;
 *   null unknown), drift_alarm
 *   (true on the batch whose prequential RMSE raised the drift alarm,
 *   co2s-drift.h; absent in older lines: false), drift_statistic (the
 *   detector's Page-Hinkley statistic after the batch, against its λ;
 *   null unknown).
 * A trainer of several models (--algo ls,ls:fuel,sgd) writes the fields
 * above for its champion, the model with the lowest rolling prequential
 * RMSE, and adds champion (its name, = algo) and models, an object with one
 * member per model, in --algo order: {"ls": {"rmse", "mae", "coverage_95",
 * "rolling_rmse", "drift_alarm"}, …}.
 * A scale-out trainer (co2stream-trainer --scale-out) adds whose batch it
 * is, last: partition (the Kafka partition the batch's rows came from),
 * partition_batch (that partition's batch count, from 1) and trainer (its
 * --trainer-id); its batch is then the trainer's own line count. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Most models in one line: CO2S_MAX_MODELS (co2s-model.h). */
#define CO2S_METRICS_MAX_MODELS 8

/* Longest trainer id (--trainer-id: 1 to 64 of A-Z a-z 0-9 . _ -). */
#define CO2S_METRICS_TRAINER_ID_MAX 64

/* One model's figures on a batch, when the trainer learns several
 * (--algo ls,ls:fuel,…): each scored on the batch before any of them
 * learned it. */
typedef struct {
  char name[16];              /* "ls", "ls:fuel"… */
  double rmse;                /* prequential; NAN: the model's warm-up */
  double mae;
  double coverage_95;         /* NAN unknown */
  double rolling_rmse;        /* over the champion window (co2s-checkpoint.h); NAN: none yet */
  gboolean drift_alarm;       /* this batch raised the model's drift alarm */
} Co2sModelMetrics;

typedef struct {
  guint64 batch;           /* 1-based, over the model's life */
  guint rows;
  guint64 rows_seen;
  double rmse;
  double mae;
  double rmse_fit;
  gint64 timestamp_us;
  gint64 lag;
  double latency_ms_p50;
  double latency_ms_max;
  gint64 latency_p50_us;   /* -1: unknown (no emit time, or an older line) */
  gint64 latency_p99_us;
  gint64 latency_p999_us;
  char algo[16];              /* a model name, co2s_model_spec_to_string: "ls", "sgd:fuel"… */
  guint64 dlq;
  double coverage_95;         /* share of the batch's rows inside their 95 % interval; NAN unknown */
  gboolean drift_alarm;       /* this batch raised the drift alarm (co2s-drift.h) */
  double drift_statistic;     /* the detector's statistic after it; NAN unknown */
  guint n_models;             /* 0: one model (no "models" member); else ≥ 2, and algo is the champion */
  Co2sModelMetrics models[CO2S_METRICS_MAX_MODELS];
  /* A scale-out trainer's line: partition_batch ≥ 1 (0: any other line,
   * partition and trainer then unused). */
  gint partition;             /* 0 .. G_MAXINT32 */
  guint64 partition_batch;
  char trainer[CO2S_METRICS_TRAINER_ID_MAX + 1]; /* "" when the line names none */
} Co2sBatchMetrics;

/* TRUE when the @len bytes at @name can be a model name in a metrics line:
 * at most 15 of A-Z a-z 0-9 ':' '_' '-' (what the writer keeps), so that a
 * line read back is written again the same. Empty is allowed (an algo not
 * given); a model of "models" also needs one byte at least. */
gboolean co2s_metrics_is_model_name (const char *name, gsize len);

/* TRUE when the @len bytes at @id can be a scale-out trainer's id: 1 to
 * CO2S_METRICS_TRAINER_ID_MAX of A-Z a-z 0-9 '.' '_' '-'. */
gboolean co2s_metrics_is_trainer_id (const char *id, gsize len);

/* Appends one JSON object and '\n' to @out; locale-independent. */
void co2s_batch_metrics_to_json (const Co2sBatchMetrics *m, GString *out);

/* Parses one line (co2s_json_parse_object: at most 64 levels deep).
 * Unknown keys are ignored, missing optional ones get defaults (lag -1,
 * latencies NAN, latency_p*_us -1); batch, rows, rows_seen and rmse are required; null reads
 * as NAN and numbers must be finite (the writer writes null for NaN and
 * infinities). FALSE with G_IO_ERROR_INVALID_DATA: "metrics line: " and
 * what is wrong, in co2s-json-reader.h's words (member "batch" is missing).
 * @out is only written on success. Any thread. */
gboolean co2s_batch_metrics_from_json (const char *line, gsize len, Co2sBatchMetrics *out, GError **error);

G_END_DECLS
