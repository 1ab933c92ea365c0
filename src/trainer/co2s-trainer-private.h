/* co2s-trainer-private.h — what co2s-trainer.c (the object and the hot
 * loop), co2s-trainer-checkpoint.c (batches, group commit, checkpoints) and
 * co2s-trainer-kafka.c (clients, callbacks, start positions) share. Not
 * installed; not for other code. */
#pragma once

#include <librdkafka/rdkafka.h>

#include "co2s-batch.h"
#include "co2s-checkpoint.h"
#include "co2s-fetch-waker.h"
#include "co2s-log-check.h"
#include "co2s-metrics-log.h"
#include "co2s-model-dir-lock.h"
#include "co2s-metrics.h"
#include "co2s-trainer.h"
#include "co2s-trainer-prom.h"

G_BEGIN_DECLS

/* Messages taken from librdkafka per call in the hot loop. */
#define CONSUME_CHUNK 4096
/* Longest wait in librdkafka before signals, timers and the producer's
 * delivery reports are looked at again. */
#define POLL_MS 100
/* Blocking broker queries (cluster id, watermarks, committed offsets) made
 * while partitions are being assigned. */
#define QUERY_TIMEOUT_MS 5000
/* How often a running trainer checks that the topic's log is still the
 * one it learns (see co2s-log-check.h): a few milliseconds each time. */
#define LOG_CHECK_INTERVAL_S 5
/* With --exit-when-idle: how long to wait for the first assignment. */
#define ASSIGN_TIMEOUT_S 60
/* How often the hot loop looks at signals (the default GMainContext) and
 * the producer's delivery reports: each look is a poll(2) and some locks,
 * too much to pay for every batch of 100 rows. */
#define SERVICE_INTERVAL_US 5000

typedef struct {
  Co2sBatchMetrics m;
  gsize line_end;        /* end of its line in Co2sTrainer.lines */
  gboolean has_emit;
  gint64 median_emit_us;
  gint64 min_emit_us;
  gint64 closed_us;      /* wall clock when it was learned: its rows' ages are from then */
  guint ages_start;      /* its ages (Co2sLatencyBucket) in Co2sTrainer.pending_ages */
  guint ages_len;
} PendingBatch;

struct _Co2sTrainer {
  GObject parent_instance;

  Co2sTrainerOptions opts;
  char *models_label;            /* opts' models as "ls", "ls:fuel,sgd"… */
  char *model_path;
  char *metrics_path;

  Co2sCheckpoint *cp;            /* the model and where in the log it stands */
  gboolean cp_loaded;            /* cp came from the model file */
  gboolean cp_checked;           /* cp's cluster id and topic were compared */
  Co2sModelDirLock *lock;        /* held from the start, before any file of the folder */
  Co2sMetricsLog *log;           /* opened once the start position is settled */
  Co2sBatch *batch;
  GArray *pending;               /* PendingBatch: learned, not yet checkpointed */
  GArray *pending_ages;          /* Co2sLatencyBucket: their rows' ages when learned */
  gint64 pending_since_us;       /* monotonic: when the oldest of them was learned */
  guint64 checkpoints;           /* saved in this run (with batches) */
  gint64 next_service_us;        /* monotonic: see SERVICE_INTERVAL_US */
  GArray *expected;              /* Co2sPartitionOffset: next offset we expect */
  GString *lines;
  rd_kafka_message_t **msgs;

  rd_kafka_t *consumer;
  rd_kafka_queue_t *queue;
  rd_kafka_t *producer;
  char *cluster_id;
  Co2sLogCheck *log_check;       /* created at the first check; NULL if it could not be */
  gboolean log_check_failed;     /* its creation failed (said once) */
  GArray *anchor;                /* Co2sPartitionOffset: positions checked against the log */
  gint64 next_log_check_us;      /* monotonic; 0 until the first assignment */

  gboolean assigned;
  Co2sFetchWaker *waker;
  guint64 prefetch_messages;     /* the consumer's queued.min.messages */
  guint64 consumed_at_wake;      /* self->consumed at the last poke */
  gboolean committed_any;        /* a checkpoint was saved in this run */
  guint64 dlq_total;             /* bad messages over the model's life */
  guint64 consumed;              /* messages consumed in this run */
  guint64 skipped;               /* messages lost to pruning in this run */
  guint64 dr_failures;
  gint64 brokers_down_warned_us;
  gboolean idle_waiting_for_broker; /* idle, but the broker did not answer (said once) */
  gint64 started_us;
  gint64 first_message_cpu_us;   /* this thread's CPU time then */
  gint64 first_message_us;       /* monotonic: the first and the last */
  gint64 last_message_us;        /* message of this run, for the rate */
  gint64 last_activity_us;
  int stop;                      /* atomic */
  GError *fatal;                 /* first fatal error raised in a callback */

  Co2sTrainerProm *prom;         /* --metrics-listen (co2s-trainer-prom.h); NULL: off */
  char *failpoint;               /* tests only: see failpoint () */
  guint64 failpoint_batch;
};

/* co2s-trainer.c */
const char *_co2s_trainer_model_name    (Co2sTrainer *self);
void     _co2s_trainer_set_fatal        (Co2sTrainer *self, GError *error);
gboolean _co2s_trainer_open_metrics_log (Co2sTrainer *self, GError **error);
/* Co2sMetricsRotateHook: the rotation's failpoints (co2s-trainer-checkpoint.c). */
void     _co2s_trainer_rotate_hook (const char *point, gpointer user_data);

/* co2s-trainer-checkpoint.c */
gboolean _co2s_trainer_close_batch      (Co2sTrainer *self, GError **error);
gboolean _co2s_trainer_checkpoint       (Co2sTrainer *self, gboolean sync_commit, GError **error);

/* co2s-trainer-kafka.c */
gboolean _co2s_trainer_create_consumer  (Co2sTrainer *self, GError **error);
gboolean _co2s_trainer_create_producer  (Co2sTrainer *self, GError **error);
void     _co2s_trainer_commit_offsets   (Co2sTrainer *self, gboolean sync);
void     _co2s_trainer_publish_metrics  (Co2sTrainer *self, const char *line, gsize len, guint64 batch);
gboolean _co2s_trainer_recheck_log      (Co2sTrainer *self, GError **error);
gboolean _co2s_trainer_broker_answers   (Co2sTrainer *self, char **why);

/* The next offset expected from each partition, to notice pruned gaps. */
static inline void
_co2s_trainer_set_expected (Co2sTrainer *self, gint32 partition, gint64 next_offset)
{
  for (guint i = 0; i < self->expected->len; i++)
    {
      Co2sPartitionOffset *po = &g_array_index (self->expected, Co2sPartitionOffset, i);

      if (po->partition == partition)
        {
          po->next_offset = next_offset;
          return;
        }
    }
  g_array_append_vals (self->expected,
                       &(Co2sPartitionOffset) { .partition = partition, .next_offset = next_offset },
                       1);
}

/* A partition's first position with a known last record becomes its anchor
 * for the next log check (see _co2s_trainer_recheck_log): it was learned
 * from the log as it is now. */
static inline void
_co2s_trainer_note_anchor (Co2sTrainer *self, const Co2sPartitionOffset *position)
{
  if (!position->last.known)
    return;
  for (guint i = 0; i < self->anchor->len; i++)
    {
      Co2sPartitionOffset *po = &g_array_index (self->anchor, Co2sPartitionOffset, i);

      if (po->partition == position->partition)
        {
          if (!po->last.known)
            *po = *position;
          return;
        }
    }
  g_array_append_vals (self->anchor, position, 1);
}

static inline gint64
_co2s_trainer_get_expected (Co2sTrainer *self, gint32 partition)
{
  for (guint i = 0; i < self->expected->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (self->expected, Co2sPartitionOffset, i);

      if (po->partition == partition)
        return po->next_offset;
    }
  return -1;
}

G_END_DECLS
