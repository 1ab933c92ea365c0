/* co2s-shard-trainer-private.h — what co2s-shard-trainer.c (the object, the
 * hot loop, batches) and co2s-shard-trainer-txn.c (rebalances, states,
 * transactions, the merged model) share. Not for other code. */
#pragma once

#include <librdkafka/rdkafka.h>

#include "co2s-batch.h"
#include "co2s-checkpoint.h"
#include "co2s-fetch-waker.h"
#include "co2s-metrics-log.h"
#include "co2s-model-dir-lock.h"
#include "co2s-prom.h"
#include "co2s-shard-trainer.h"
#include "co2s-state-topic.h"

G_BEGIN_DECLS

/* Messages taken from librdkafka per call. */
#define SHARD_CONSUME_CHUNK 4096
/* Longest wait in librdkafka before signals and the follower are looked at. */
#define SHARD_POLL_MS 100
/* The merged model file is rewritten at most this often. */
#define SHARD_MODEL_WRITE_INTERVAL_US (1 * G_USEC_PER_SEC)
/* The others' states are merged again at most this often when only their
 * contents changed (a state newly taken over forces it at once): with many
 * trainers new states come all the time, and each merge costs one update
 * per state. Between two merges a batch is scored without the others'
 * newest rows, never with a row twice. */
#define SHARD_OTHERS_MERGE_INTERVAL_US (200 * 1000)
/* With --exit-when-idle: how long to wait for a first assignment. */
#define SHARD_ASSIGN_TIMEOUT_S 60
/* The state writer's transaction.timeout.ms: a killed trainer's open
 * transaction holds back every read_committed reader of the state topic
 * until the coordinator aborts it, this long (librdkafka's default is 60 s). */
#define SHARD_TXN_TIMEOUT_MS 10000

typedef struct _Co2sShardTrainerProm Co2sShardTrainerProm;

/* A learned batch waiting for its transaction. */
typedef struct {
  Co2sBatchMetrics m;
  guint64 partition_batch;  /* the partition state's batch count after it */
  gboolean has_emit;
  gint64 median_emit_us;
  gint64 min_emit_us;
  gint64 closed_us;         /* wall clock when it was learned */
  guint ages_start;         /* its rows' ages then, in the shard's ages */
  guint ages_len;
} ShardPending;

/* A partition this trainer owns. */
typedef struct {
  gint32 partition;
  Co2sCheckpoint *cp;       /* learned on this partition's rows only */
  Co2sBatch *batch;
  gint64 expected;          /* next offset to learn; -1: whatever comes first */
  gboolean seeking;         /* went back to @expected: later offsets are stale until it comes */
  GArray *pending;          /* ShardPending: learned, not committed */
  GArray *ages;             /* Co2sLatencyBucket: the pending batches' row ages */
  GBytes *committed;        /* the state as last committed or loaded; NULL: none yet */
  gint64 committed_next;    /* its next offset (RD_KAFKA_OFFSET_BEGINNING: none) */
} Co2sShard;

/* Another trainer's partition, from the state topic. */
typedef struct {
  gint64 next_offset;
  Co2sCheckpoint *cp;
} ShardOther;

struct _Co2sShardTrainer {
  GObject parent_instance;

  Co2sTrainerOptions opts;
  char *own_dir;            /* DIR/trainers/ID: its lock and metrics.jsonl */
  char *model_path;         /* DIR/model.json, written by the owner of partition 0 */
  char *own_model_path;     /* DIR/trainers/ID/model.json, its own merged view */
  char *metrics_path;       /* DIR/trainers/ID/metrics.jsonl */
  char *transactional_id;

  Co2sModelDirLock *lock;
  Co2sMetricsLog *log;
  guint64 local_batches;    /* lines of this trainer in metrics.jsonl */
  guint64 dlq_total;
  GPtrArray *shards;        /* Co2sShard, owned partitions */
  GHashTable *others;       /* partition → ShardOther, partitions of other trainers */
  guint64 others_generation; /* bumped at each change of others */
  /* The others' states merged, made again only when others changed: a
   * batch then merges this and its own trainer's states, not every state. */
  Co2sModel *others_merged[CO2S_MAX_MODELS];
  guint n_others_merged;    /* states in others_merged; 0: none (all NULL) */
  guint64 others_merged_generation; /* others_generation it was made at; G_MAXUINT64: none */
  gint64 others_merged_at_us;        /* monotonic time it was made */
  gboolean others_merged_stale;      /* holds a partition this trainer owns now: make it again */
  guint64 follower_changes; /* co2s_state_follower_get_changes at the last refresh */

  rd_kafka_t *consumer;
  rd_kafka_queue_t *queue;
  Co2sFetchWaker *waker;    /* librdkafka 2.0's fetcher, woken (co2s-fetch-waker.h) */
  guint64 consumed_at_wake; /* self->consumed at the last poke */
  rd_kafka_t *producer;     /* dead letters (at least once, like Co2sTrainer's) */
  Co2sStateWriter *writer;
  Co2sStateFollower *follower;
  char *cluster_id;
  rd_kafka_message_t **msgs;
  GString *lines;

  gint64 pending_since_us;  /* monotonic: the oldest uncommitted batch; 0: none */
  gint64 next_service_us;
  gint64 next_model_write_us;
  gboolean model_dirty;     /* the merged model changed since model.json was written */
  gboolean ever_assigned;
  guint n_assigned;
  guint64 consumed;
  guint64 transactions;
  guint64 aborted;
  guint64 rollbacks;
  guint64 writer_restarts;  /* state writers made again after the coordinator ended a transaction */
  gint64 started_us;
  gint64 last_activity_us;
  int stop;                 /* atomic */
  GError *fatal;
  Co2sShardTrainerProm *prom; /* --metrics-listen; NULL: off */
};

/* co2s-shard-trainer-prom.c: a batch was learned (@n_messages of which
 * @n_bad dead letters); a transaction that began at @started_us
 * (monotonic; 0: unknown) committed. */
void _co2s_shard_trainer_prom_batch  (Co2sShardTrainer *self, const Co2sBatchMetrics *m, guint n_bad,
                                      guint n_messages);
void _co2s_shard_trainer_prom_commit (Co2sShardTrainer *self, gint64 started_us);
void _co2s_shard_trainer_prom_free   (Co2sShardTrainerProm *prom);

/* co2s-shard-trainer.c */
void       _co2s_shard_trainer_set_fatal (Co2sShardTrainer *self, GError *error);
Co2sShard *_co2s_shard_trainer_find      (Co2sShardTrainer *self, gint32 partition);
void       _co2s_shard_free              (Co2sShard *shard);
gboolean   _co2s_shard_trainer_close_batch (Co2sShardTrainer *self, Co2sShard *shard, GError **error);

/* co2s-shard-trainer-txn.c */
gboolean _co2s_shard_trainer_create_clients (Co2sShardTrainer *self, GError **error);
gboolean _co2s_shard_trainer_commit      (Co2sShardTrainer *self, GError **error);
gboolean _co2s_shard_trainer_refresh_others (Co2sShardTrainer *self, GError **error);
gboolean _co2s_shard_trainer_write_model (Co2sShardTrainer *self, GError **error);
/* @out (CO2S_MAX_MODELS slots) gets the merged models of every known state
 * and *@have TRUE; *@have FALSE (nothing set) when there is only one state.
 * FALSE with @error when the states cannot be merged. */
gboolean _co2s_shard_trainer_merged_models (Co2sShardTrainer *self, Co2sModel **out, gboolean *have,
                                            GError **error);
/* Drops the merge of the others' states (it is made again when needed). */
void     _co2s_shard_trainer_clear_others_merged (Co2sShardTrainer *self);

G_END_DECLS
