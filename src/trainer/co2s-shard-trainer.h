/* co2s-shard-trainer.h — the scale-out trainer (co2stream-trainer
 * --scale-out): any number of them in one consumer group learn a topic's
 * partitions in parallel, and their models merge exactly.
 *
 * Each trainer keeps one learning state per partition it owns: a
 * checkpoint (co2s-checkpoint.h) of models that learned that partition's
 * rows only, its intervals' residuals, drift detectors and champion window,
 * and the partition's next offset. States live in a compacted Kafka topic
 * (co2s-state-topic.h, default streaming_model_state, key TOPIC/PARTITION),
 * not on a disk: no shared file system is needed.
 *
 * Exactly once: every --checkpoint-ms, one Kafka transaction (transactional.id
 * "co2stream-trainer.GROUP.TRAINER_ID") holds the state of every partition
 * that learned since the last one, the metrics lines of those batches (to
 * streaming_metrics) and the group's offsets (send_offsets_to_transaction).
 * A trainer killed at any moment loses its open transaction whole; the
 * partitions' new owners (a cooperative-sticky rebalance with librdkafka ≥
 * 2.3, else eager range: see co2s-shard-trainer-txn.c) read the state topic
 * to its end (committed transactions only) and resume each partition at its
 * state's next offset, so every row is learned exactly once. A transaction
 * the broker aborts (e.g. the group's generation moved on during a
 * rebalance) is tried again up to CO2S_SHARD_TXN_ATTEMPTS times; then every
 * partition goes back to its last committed state and offset and learns
 * from there again. A fenced or otherwise fatal producer ends the run with
 * an error. On revocation a trainer commits before it lets go.
 *
 * Test then train: each batch holds one partition's rows and is scored,
 * before that partition's state learns it, by the merged model of every
 * state the trainer knows: its own partitions' (as learned so far) and the
 * others' latest committed states, which it follows on the state topic.
 * The ls models merge exactly (co2s_model_merge_all); sgd cannot be
 * learned in parallel and is refused.
 *
 * Files: trainers may share one --model-dir DIR (the compose file's
 * volume, scaled); each has its own folder DIR/trainers/ID (its lock: one
 * trainer per id). The merged model (every state the trainer knows,
 * co2s_checkpoint_merge) is written at most once a second after a commit,
 * and on exit, to DIR/trainers/ID/model.json and, by the trainer that owns
 * partition 0 (one at a time, whoever it is after a rebalance), to
 * DIR/model.json for co2stream-predict and the app. Each file write is
 * atomic, so a reader always gets a whole merged model. DIR/trainers/ID/
 * metrics.jsonl gets the lines of its committed batches after each commit
 * ("batch" is the trainer's own line count; "partition",
 * "partition_batch" and "trainer" say whose batch it is); the metrics
 * topic, written in the transaction, is the exact record (one line per
 * partition batch, none twice after a rebalance); a crash between a
 * commit and the file's write leaves those lines out of the file only.
 *
 * Runs on the thread that calls co2s_shard_trainer_run, like Co2sTrainer. */
#pragma once

#include <glib-object.h>

#include "co2s-prom.h"
#include "co2s-trainer.h"

G_BEGIN_DECLS

/* Aborted transactions tried again before rolling back. */
#define CO2S_SHARD_TXN_ATTEMPTS 3

#define CO2S_TYPE_SHARD_TRAINER (co2s_shard_trainer_get_type ())
G_DECLARE_FINAL_TYPE (Co2sShardTrainer, co2s_shard_trainer, CO2S, SHARD_TRAINER, GObject)

/* Takes the model folder's lock, opens metrics.jsonl, creates the state
 * topic if needed (compacted), the transactional producer, the state
 * follower and the consumer, and subscribes. @options is copied;
 * options->state_topic and options->trainer_id must be set, every model
 * must be ls (sgd: G_IO_ERROR_NOT_SUPPORTED) and reset must be FALSE.
 * NULL with @error on failure. */
Co2sShardTrainer *co2s_shard_trainer_new (const Co2sTrainerOptions *options, GError **error);

/* Consumes and learns until co2s_shard_trainer_request_stop,
 * --exit-when-idle or --max-rows, then closes the batches, commits, writes
 * the merged model file and closes the consumer. FALSE with @error on a
 * fatal error. Call once. */
gboolean co2s_shard_trainer_run (Co2sShardTrainer *self, GError **error);

/* Asks co2s_shard_trainer_run to finish. Any thread, signal sources too. */
void co2s_shard_trainer_request_stop (Co2sShardTrainer *self);

/* Registers the trainer's metrics for Prometheus in @prom (a reference is
 * kept: the single trainer's names where the meaning is the same, see
 * co2s-trainer-prom.h, plus state_transactions_total,
 * state_transactions_aborted_total, rollbacks_total, partitions_owned and
 * partition_rows{partition}) and keeps them up to date once per batch and
 * per commit. Call once, before co2s_shard_trainer_run, on its thread. */
void co2s_shard_trainer_export_metrics (Co2sShardTrainer *self, Co2sProm *prom);

/* Rows learned by this trainer's partitions' states (over their life). */
guint64 co2s_shard_trainer_get_rows_seen (Co2sShardTrainer *self);

G_END_DECLS
