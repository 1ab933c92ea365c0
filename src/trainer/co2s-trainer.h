/* co2s-trainer.h — the online trainer: Kafka consumer → micro-batches →
 * prequential evaluation → model → checkpoint + metrics.
 *
 * One Co2sTrainer owns a consumer in a consumer group, a producer (for the
 * dead-letter queue and the metrics topic), the model inside its checkpoint,
 * the batch buffer and models/metrics.jsonl.
 *
 * Batches: a batch is N consumed messages (good and bad alike, so its cut
 * depends only on offsets), or fewer when MS milliseconds passed since its
 * first message, or at the end of a run. Bad messages (co2s_record_from_json
 * fails) go to streaming_data.dlq with the headers reason, detail and source
 * and never reach the model; their offsets are consumed like any other.
 *
 * Group commit: the batch stays the unit of evaluation and of metrics, but
 * durability is shared. A learned batch waits in memory (with its metrics)
 * until a checkpoint saves it and every batch before it; a checkpoint is
 * written as soon as one of these holds:
 *   - the consumer is caught up with the log (what librdkafka knows to be
 *     left does not fill a batch): grouping would only add latency;
 *   - the oldest waiting batch was learned checkpoint_ms ago (0: after
 *     every batch, as before group commit);
 *   - checkpoint_every batches (or CO2S_TRAINER_MAX_PENDING) are waiting;
 *   - the run ends, or partitions are revoked.
 * So a live stream the trainer keeps up with is saved batch by batch, and a
 * backlog (a replay, a trainer that was stopped) pays one fsync'ed
 * checkpoint per checkpoint_ms instead of one per batch.
 *
 * Order of a checkpoint:
 *   1. the metrics lines of the batches it covers are appended to
 *      metrics.jsonl (one write(2), O_APPEND) and fdatasync'ed;
 *   2. model.json is written atomically and durably (co2s_checkpoint_save)
 *      with the next offset of every partition, the cluster id and topic;
 *   3. those offsets are committed to the group, asynchronously (a
 *      synchronous commit on exit and on revocation): the group's offsets
 *      never run ahead of the model file;
 *   4. the same metrics lines are published to streaming_metrics (one
 *      message per batch) and one line per batch is printed on stdout:
 *      what the live feed shows is always on disk.
 * Latency (latency_ms_p50/max) runs from each row's emit time (the API's
 * ts_us, else the Kafka message timestamp) to step 1 of the checkpoint that
 * holds the row (its updated_at): it includes the wait for the group
 * commit; the few ms of the checkpoint's own writes are not in it.
 *
 * Exactly-once effect: the model file is the source of truth. A batch is in
 * it together with the offsets that follow it, or not at all; on (re)start
 * partitions are assigned at the model file's offsets (the group's committed
 * offsets are used only when there is no model file), so a trainer killed at
 * any moment and restarted counts every row once: the batches learned after
 * the last checkpoint are lost with the process and learned again from the
 * model file's offsets. metrics.jsonl lines beyond
 * the model file's batch count (a crash between steps 1 and 2) are cut off on
 * start and written again when those batches are redone (co2s-metrics-log.h),
 * so the file holds every batch of the model exactly once. Across a crash the
 * dead-letter topic is at-least-once (a redone batch sends its bad messages
 * again) and the metrics topic at-most-once (a live feed).
 *
 * Runs on the thread that calls co2s_trainer_run (the hot loop needs no
 * GMainLoop: every few milliseconds it iterates the default GMainContext
 * without blocking, so g_unix_signal_add sources fire).
 *
 * Tests only: CO2S_TRAINER_FAILPOINT=POINT:BATCH makes the trainer SIGKILL
 * itself at POINT of batch BATCH: learned (in the model in memory), deferred
 * (learned, and its checkpoint put off: the group-commit window), then,
 * during the checkpoint that holds the batch, metrics-written, checkpointed
 * and committed. */
#pragma once

#include <glib-object.h>
#include <librdkafka/rdkafka.h>

#include "co2s-batch.h"
#include "co2s-model.h"

G_BEGIN_DECLS

/* Most learned batches kept waiting for a checkpoint, whatever the
 * options: bounds the memory of a group (a few hundred bytes each). */
#define CO2S_TRAINER_MAX_PENDING 4096

typedef struct {
  char *brokers;            /* bootstrap.servers */
  char *topic;              /* records to learn from */
  char *group;              /* consumer group id */
  char *model_dir;          /* holds model.json and metrics.jsonl */
  guint batch_rows;         /* a batch closes at this many messages… */
  guint batch_ms;           /* …or this long after its first message */
  Co2sModelSpec models[CO2S_MAX_MODELS]; /* --algo ALGO[:FEATURES][,…], in its order */
  guint n_models;           /* ≥ 1 */
  gboolean algo_given;      /* FALSE: use the model file's models when there is one */
  guint champion_window;    /* batches of the champion's rolling RMSE (co2s-checkpoint.h) */
  gboolean reset;           /* fresh model, replay the topic from its beginning */
  double exit_when_idle;    /* seconds without a message before exiting; 0: never */
  guint64 max_rows;         /* exit after this many messages; 0: no limit */
  guint checkpoint_ms;      /* a learned batch is saved within this; 0: at once */
  guint checkpoint_every;   /* …or once this many batches wait; 0: no such limit */
  guint64 metrics_max_bytes; /* metrics.jsonl + metrics-history.jsonl; 0: no limit */
  char **overrides;         /* -X key=value for both Kafka clients; may be NULL */
  char *state_topic;        /* --scale-out: the partitions' states (co2s-shard-trainer.h); NULL: one trainer */
  char *trainer_id;         /* --scale-out: this trainer's name, [A-Za-z0-9._-]{1,64} */
} Co2sTrainerOptions;

/* Copies @src into @dst, every string and the overrides duplicated;
 * co2s_trainer_options_clear frees them. Both trainers keep their options so. */
void co2s_trainer_options_copy (Co2sTrainerOptions *dst, const Co2sTrainerOptions *src);
void co2s_trainer_options_clear (Co2sTrainerOptions *opts);

/* The consumer settings both trainers start from (-X may change them):
 * prefetch at most ~4 MB / 10,000 messages in moderate fetches, and a
 * session of 6 s, after which a killed trainer's partitions go to
 * another (librdkafka's default is 45 s; 6 s is the broker's usual
 * minimum; the embedded broker also makes a member that rejoins soon
 * after a clean exit wait about this long). */
#define CO2S_TRAINER_PREFETCH_MESSAGES 10000
#define CO2S_TRAINER_CONSUMER_DEFAULTS \
  "client.id=co2stream-trainer", \
  "auto.offset.reset=earliest", \
  "queued.max.messages.kbytes=4096", \
  "queued.min.messages=" G_STRINGIFY (CO2S_TRAINER_PREFETCH_MESSAGES), \
  "fetch.max.bytes=1048576", \
  "max.partition.fetch.bytes=1048576", \
  "session.timeout.ms=6000", \
  "heartbeat.interval.ms=2000"

/* Queues a copy of @msg (key and payload) to streaming_data.dlq through
 * @producer with the headers reason (co2s_record_error_reason of @why, or
 * "unknown"), detail (@why's message) and source ("TOPIC[PARTITION]@OFFSET"),
 * waiting a little while librdkafka's queue is full; says so (g_warning)
 * when it cannot. At least once: a batch learned again after a crash sends
 * its letters again. The trainers' thread. */
void co2s_trainer_send_dead_letter (rd_kafka_t *producer, const rd_kafka_message_t *msg, const GError *why);

/* Adds the consumed @msg to @batch (not full): its row when it is a valid
 * record (co2s_record_from_json; its emit time the record's ts_us, else
 * the message's timestamp), else a bad message counted in the batch and
 * sent to the dead-letter topic through @producer; and @msg's partition
 * continues after it once the batch is learned. Both trainers' hot path. */
void co2s_trainer_batch_message (Co2sBatch *batch, rd_kafka_t *producer, const rd_kafka_message_t *msg,
                                 gint64 now_us);

#define CO2S_TYPE_TRAINER (co2s_trainer_get_type ())
G_DECLARE_FINAL_TYPE (Co2sTrainer, co2s_trainer, CO2S, TRAINER, GObject)

/* Takes the model folder's lock first (co2s-model-dir-lock.h: held until
 * the trainer is finalized; another live trainer on the folder is
 * G_IO_ERROR_BUSY naming it). Then loads <model_dir>/model.json (a missing
 * file gives a fresh model; an unreadable or corrupt one is an error naming
 * the file unless options->reset), creates the Kafka clients and subscribes.
 * @options is copied. NULL with @error on failure. */
Co2sTrainer *co2s_trainer_new (const Co2sTrainerOptions *options, GError **error);

/* Consumes and learns until co2s_trainer_request_stop, --exit-when-idle or
 * --max-rows; then closes the current batch, checkpoints, commits, flushes
 * the producer and closes the consumer. FALSE with @error on a fatal error
 * (after the same clean-up as far as it is possible). Call once. */
gboolean co2s_trainer_run (Co2sTrainer *self, GError **error);

/* Asks co2s_trainer_run to finish. Safe from any thread and from a
 * g_unix_signal_add callback. */
void co2s_trainer_request_stop (Co2sTrainer *self);

/* Rows learned by the model so far (over its life). */
guint64 co2s_trainer_get_rows_seen (Co2sTrainer *self);

G_END_DECLS
