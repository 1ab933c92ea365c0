/* trainer-fixture.h — what the trainer's integration tests share: synthetic
 * records, a broker + model folder per test, running co2stream-trainer, and
 * an in-process reference of what it must compute. */
#pragma once

#include <gio/gio.h>

#include "co2s-checkpoint.h"
#include "co2s-metrics.h"
#include "co2s-model.h"
#include "co2s-record.h"
#include "co2s-test-util.h"

G_BEGIN_DECLS

/* How long one trainer run may take (the group join alone takes ~3 s). */
#define RUN_TIMEOUT_MS 60000
/* Batch jobs end one second after the last message. */
#define IDLE_ARGS "--exit-when-idle", "1"

typedef struct {
  Co2sTestProc *broker;   /* NULL with a real Kafka */
  char *brokers;
  char *topic;            /* records topic */
  char *dir;              /* the trainer's --model-dir */
  char *model_path;
  char *metrics_path;
  guint runs;             /* trainers started, for unique group names */
} TrainerEnv;

/* Starts an embedded broker (streaming_data, streaming_data.dlq and
 * streaming_metrics, one partition each) and makes a model folder. */
void trainer_env_start (TrainerEnv *env);

/* Same against the real Apache Kafka fixture, on a unique records topic. */
void trainer_env_start_real (TrainerEnv *env);

void trainer_env_clear (TrainerEnv *env);

/* @n deterministic, valid records (own synthetic data, seeded by @seed),
 * with seq = @first_seq + i and ts_us = now. */
GArray *trainer_make_records (guint n, guint32 seed, gint64 first_seq);

/* One record as its JSON line, without the '\n'. */
char *trainer_record_json (const Co2sRecord *record);

/* Produces @lines (char *) to the env's records topic and waits for delivery. */
void trainer_produce (TrainerEnv *env, GPtrArray *lines);

/* JSON lines of @records. */
GPtrArray *trainer_lines_of (GArray *records);

/* co2stream-trainer with the env's broker, topic and folder, a group of its
 * own (unless @group), --batch-ms 600000 (batches are cut by rows only) and
 * @extra arguments (NULL-terminated, may be NULL). @child_env: see
 * co2s_test_proc_spawn (may be NULL). */
Co2sTestProc *trainer_spawn (TrainerEnv *env,
                             const char *group,
                             const char * const *extra,
                             const char * const *child_env);

/* trainer_spawn run through @wrapper: a NULL-terminated argv prefix put
 * before the program (e.g. "prlimit", "--fsize=N", "--"); NULL: none. */
Co2sTestProc *trainer_spawn_wrapped (TrainerEnv *env,
                                     const char * const *wrapper,
                                     const char *group,
                                     const char * const *extra,
                                     const char * const *child_env);

/* Runs the trainer to its end (at most @timeout_ms) and returns its exit
 * status; @out / @err (may be NULL) receive its stdout and stderr. */
int trainer_run (TrainerEnv *env,
                 const char *group,
                 const char * const *extra,
                 guint timeout_ms,
                 char **out,
                 char **err);

/* The model file; fails the test if it cannot be read. */
Co2sCheckpoint *trainer_load_checkpoint (TrainerEnv *env);

/* Every line of metrics.jsonl, parsed (fails the test on a bad line). */
GArray *trainer_read_metrics (TrainerEnv *env);

/* What an uninterrupted trainer computes from @records in topic order, cut
 * into batches of @batch_rows messages, leaving out those whose @bad flag is
 * set (@bad may be NULL). @metrics (may be NULL) gets one Co2sBatchMetrics
 * per batch (rows, rows_seen, rmse, mae, rmse_fit). */
Co2sModel *trainer_reference (GArray *records,
                              const gboolean *bad,
                              guint batch_rows,
                              Co2sAlgo algo,
                              GArray *metrics);

/* The same for any model (@spec: algorithm and feature set). */
Co2sModel *trainer_reference_spec (GArray *records,
                                   const gboolean *bad,
                                   guint batch_rows,
                                   const Co2sModelSpec *spec,
                                   GArray *metrics);

/* The same for several models learned side by side (co2stream-trainer
 * --algo A,B,…), from each model's trainer_reference_spec: @metrics gets
 * per batch the champion's figures at the top level and every model's in
 * models[], the champion being the model with the lowest RMSE over its
 * last @window scored batches (ties and no scores keep the champion, the
 * first model at the start), computed here on its own. @models_out gets
 * the @n models (transfer full, each unref'd by the caller). */
void trainer_reference_models (GArray *records,
                               guint batch_rows,
                               const Co2sModelSpec *specs,
                               guint n,
                               guint window,
                               GArray *metrics,
                               Co2sModel **models_out);

/* Asserts that two models have bit-identical coefficients and the same rows_seen. */
void trainer_assert_same_model (Co2sModel *a, Co2sModel *b);

/* Asserts that the per-batch prequential numbers of @got equal @want exactly. */
void trainer_assert_same_metrics (GArray *got, GArray *want);

/* Fails the test with the trainer's stderr unless @status is 0. */
void trainer_assert_exit_ok (int status, const char *err);

/* Real Kafka only: deletes the env's records topic through the admin API
 * and waits (30 s at most) until the broker no longer knows it; then
 * creates it again with @partitions, retrying while Kafka still finishes
 * the deletion. Fails the test on error. */
void trainer_recreate_topic (TrainerEnv *env, int partitions);

/* Real Kafka only: removes the records of @partition before @before_offset
 * (DeleteRecords: the log start moves as retention would move it). Fails
 * the test unless the log then starts at @before_offset. */
void trainer_delete_records (TrainerEnv *env, int partition, gint64 before_offset);

/* Writes @text to the model folder's model.json. */
void trainer_write_model_file (TrainerEnv *env, const char *text);

G_END_DECLS
