/* co2s-state-topic.h — learning state in a compacted Kafka topic, written in
 * the same transaction as the consumer group's offsets (issue 13, point 2).
 *
 * One record per input partition: key "TOPIC/PARTITION" (co2s_state_key),
 * value the caller's state bytes (e.g. co2s_model_to_json of the partition's
 * model), header CO2S_STATE_HEADER_NEXT_OFFSET = the next input offset the
 * state has not learned, in decimal. A record with a null value (tombstone)
 * forgets the key. The topic is compacted, so it keeps the latest record of
 * each key.
 *
 * Writing: Co2sStateWriter is a transactional producer (transactional.id
 * given by the caller): begin, put one record per partition, commit — which
 * sends the consumer offsets to the transaction (send_offsets_to_transaction)
 * and commits both at once. A reader with isolation.level=read_committed sees
 * the states and the group sees the offsets of a committed transaction, and
 * nothing of an aborted one. A second writer with the same transactional.id
 * fences the first (its next call fails with CO2S_STATE_ERROR_FENCED).
 *
 * Reading: co2s_state_topic_load reads the whole topic to its end and
 * returns the latest committed state of each key. The end is the one of
 * the moment of the call, every transaction written before it decided: a
 * transaction whose commit returned before the call is in the result,
 * even if its commit markers are still on their way (they land on the
 * state topic and on the group's offsets one after the other). Its
 * next_offset, not the group's committed offset, is where the new owner of
 * a partition resumes.
 *
 * GLib and librdkafka only; no thread of its own. */
#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

/* Default name of the state topic. */
#define CO2S_STATE_TOPIC_DEFAULT "streaming_model_state"
/* Header of every state record: the next input offset, in decimal. */
#define CO2S_STATE_HEADER_NEXT_OFFSET "co2s-next-offset"
/* Default time budget of each blocking call, in milliseconds. */
#define CO2S_STATE_TIMEOUT_MS 30000

#define CO2S_STATE_ERROR (co2s_state_error_quark ())

typedef enum {
  CO2S_STATE_ERROR_FENCED,    /* another writer with this transactional.id took over: free this one */
  CO2S_STATE_ERROR_FATAL,     /* the producer hit another fatal error: free this writer, make a new one */
  CO2S_STATE_ERROR_ABORTED,   /* the transaction failed and was aborted: nothing of it is visible, the
                               * group's offsets did not move; begin again and put the current states
                               * (each record is a whole state: nothing to rewind). With librdkafka
                               * 2.0 the transaction after one whose record the broker refused fails
                               * once more (out-of-order sequence, then the producer's epoch is
                               * bumped): retry a few times, not forever (a state the broker always
                               * refuses, e.g. too large, never commits) */
  CO2S_STATE_ERROR_TIMED_OUT, /* the call did not finish in time: call it again (or abort) */
  CO2S_STATE_ERROR_NO_TOPIC,  /* the state topic does not exist */
  CO2S_STATE_ERROR_NOT_COMPACTED, /* the state topic exists with another cleanup.policy */
  CO2S_STATE_ERROR_INVALID,   /* a record of the state topic is no state record */
  CO2S_STATE_ERROR_FAILED,    /* any other error; the message has the details */
} Co2sStateError;

GQuark co2s_state_error_quark (void);

/* The record key of @topic [@partition]: "TOPIC/PARTITION". @topic not NULL,
 * @partition >= 0. Returns a new string. Any thread. */
char *co2s_state_key (const char *topic, gint32 partition);

/* Creates @topic (NULL: CO2S_STATE_TOPIC_DEFAULT) with @partitions (<= 0:
 * one) partitions, the broker's default replication and
 * cleanup.policy=compact, and waits until every partition has a leader. If
 * it exists, checks that its cleanup.policy includes compact (else
 * CO2S_STATE_ERROR_NOT_COMPACTED: retention would delete states) and leaves
 * it as it is. @brokers (may be NULL) and @overrides ("key=value",
 * NULL-terminated, may be NULL) configure the client. Blocks up to about
 * CO2S_STATE_TIMEOUT_MS; any thread. Keep the partition count once states
 * are written: a key then moves to another partition, which the reader
 * refuses. */
gboolean co2s_state_topic_ensure (const char *brokers,
                                  const char * const *overrides,
                                  const char *topic,
                                  int partitions,
                                  GError **error);

/* One key's latest state, as co2s_state_topic_load returns it. */
typedef struct {
  char *topic;         /* the input topic */
  gint32 partition;    /* the input partition */
  gint64 next_offset;  /* the first input offset the state has not learned */
  GBytes *state;       /* the state bytes, as put */
} Co2sStateEntry;

/* Frees @entry and what it holds; NULL is ignored. */
void co2s_state_entry_free (Co2sStateEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sStateEntry, co2s_state_entry_free)

/* Reads @topic (NULL: CO2S_STATE_TOPIC_DEFAULT) from its beginning to its
 * end with isolation.level=read_committed, every partition, joining no
 * group and committing nothing; the end is its end at the call, with
 * every transaction written before it decided (an open one, e.g. of a
 * killed writer, is waited for until the coordinator aborts it, at most
 * its transaction.timeout.ms). Returns a new hash table, key
 * ("TOPIC/PARTITION", owned) to Co2sStateEntry (owned): the latest record of
 * each key wins, a tombstone removes the key; empty when the topic is. A
 * topic that does not exist is an error (CO2S_STATE_ERROR_NO_TOPIC), not an
 * empty table: a mistyped name must not look like a fresh start. A record
 * with a malformed key or no valid next-offset header, or a key in two
 * partitions, fails the whole load (CO2S_STATE_ERROR_INVALID, naming the
 * record): loading the others would put older states in its place. Not at
 * the end within @timeout_ms (<= 0: CO2S_STATE_TIMEOUT_MS):
 * CO2S_STATE_ERROR_TIMED_OUT. @brokers, @overrides as for
 * co2s_state_topic_ensure (the reader's own settings win). Blocks; any
 * thread. */
GHashTable *co2s_state_topic_load (const char *brokers,
                                   const char * const *overrides,
                                   const char *topic,
                                   int timeout_ms,
                                   GError **error);

typedef struct _Co2sStateFollower Co2sStateFollower;

/* Follows @topic (NULL: CO2S_STATE_TOPIC_DEFAULT) as it grows, committed
 * transactions only (read_committed), every partition from its beginning,
 * joining no group: the latest state of each key, for a trainer that
 * merges the others' partitions into its model. Fails as
 * co2s_state_topic_load does when the topic does not exist. Free with
 * co2s_state_follower_free. One thread at a time. */
Co2sStateFollower *co2s_state_follower_new (const char *brokers,
                                            const char * const *overrides,
                                            const char *topic,
                                            GError **error);

void co2s_state_follower_free (Co2sStateFollower *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sStateFollower, co2s_state_follower_free)

/* Applies every record fetched so far, waiting up to @timeout_ms (0: not
 * at all) for the first. A state older than the one held for its key (by
 * next offset, e.g. after co2s_state_follower_absorb) is ignored. FALSE
 * with @error on a record that is no state record (CO2S_STATE_ERROR_INVALID)
 * or a topic gone; the states read before it stay. Not a barrier: a
 * transaction committed just before the call may come at a later poll
 * (use co2s_state_topic_load to read to the end). */
gboolean co2s_state_follower_poll (Co2sStateFollower *self, int timeout_ms, GError **error);

/* Takes the entries of @loaded (a co2s_state_topic_load table; only read)
 * whose next offset is past the one held for their key. */
void co2s_state_follower_absorb (Co2sStateFollower *self, GHashTable *loaded);

/* The latest states: key ("TOPIC/PARTITION") → Co2sStateEntry, owned by
 * @self, valid until the next poll or absorb. */
GHashTable *co2s_state_follower_get_states (Co2sStateFollower *self);

/* A counter that grows whenever the states may have changed. */
guint64 co2s_state_follower_get_changes (Co2sStateFollower *self);

typedef struct _Co2sStateWriter Co2sStateWriter;

/* A transactional producer to @topic (NULL: CO2S_STATE_TOPIC_DEFAULT) with
 * @transactional_id (not NULL; one per writer that may run at once, the same
 * one again after a restart so that the new writer fences the old and
 * aborts its open transaction). @brokers and @overrides as for
 * co2s_state_topic_ensure (transactional.id, enable.idempotence and acks
 * are the writer's). Initialises the transactions (blocks up to
 * CO2S_STATE_TIMEOUT_MS). Does not create the topic: call
 * co2s_state_topic_ensure first. Returns a writer the caller frees with
 * co2s_state_writer_free, or NULL with @error. A writer is used from one
 * thread at a time. */
Co2sStateWriter *co2s_state_writer_new (const char *brokers,
                                        const char * const *overrides,
                                        const char *transactional_id,
                                        const char *topic,
                                        GError **error);

/* Aborts an open transaction (best effort) and frees @self; NULL is
 * ignored. */
void co2s_state_writer_free (Co2sStateWriter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sStateWriter, co2s_state_writer_free)

/* Budget of each later blocking call (@timeout_ms > 0). */
void co2s_state_writer_set_timeout (Co2sStateWriter *self, int timeout_ms);

/* The transactional.id and the topic, owned by @self. */
const char *co2s_state_writer_get_transactional_id (Co2sStateWriter *self);
const char *co2s_state_writer_get_topic (Co2sStateWriter *self);

/* Begins a transaction; none may be open. FALSE with @error when the
 * writer is fenced or dead (the same error again). */
gboolean co2s_state_writer_begin (Co2sStateWriter *self, GError **error);

/* Queues the state of @topic [@partition] (key co2s_state_key) into the
 * open transaction: @state's bytes (copied; not NULL) and @next_offset
 * (>= 0), which is also the offset commit sends for that partition when
 * given no offsets (a later put of the same partition replaces it). Does
 * not wait for delivery. On failure the transaction can no longer commit:
 * commit aborts it (CO2S_STATE_ERROR_ABORTED), or call abort. */
gboolean co2s_state_writer_put (Co2sStateWriter *self,
                                const char *topic,
                                gint32 partition,
                                gint64 next_offset,
                                GBytes *state,
                                GError **error);

/* Queues a tombstone for @topic [@partition] into the open transaction: the
 * key is gone once it commits (a partition no longer learned). Sends no
 * offset. Failure as for put. */
gboolean co2s_state_writer_forget (Co2sStateWriter *self,
                                   const char *topic,
                                   gint32 partition,
                                   GError **error);

/* Queues any record into the open transaction (e.g. the metrics lines of
 * the batches whose states it holds, so that a read_committed reader sees
 * them exactly when the states): @value (@len bytes, copied) to @topic with
 * @key (NUL-terminated, may be NULL), partitioned by librdkafka. Failure as
 * for put. */
gboolean co2s_state_writer_send (Co2sStateWriter *self,
                                 const char *topic,
                                 const char *key,
                                 const void *value,
                                 gsize len,
                                 GError **error);

/* Commits the open transaction: first sends @offsets (the next offsets to
 * consume, as rd_kafka_commit takes them; NULL: the next_offset of every
 * put of this transaction) with @group_metadata (the consumer's
 * rd_kafka_consumer_group_metadata, taken just before; may be NULL only when
 * there are no offsets) to the transaction, then commits, so the states and
 * the group's offsets become visible together. Neither argument is
 * consumed. On an abortable error the transaction is aborted
 * (CO2S_STATE_ERROR_ABORTED); fenced (CO2S_STATE_ERROR_FENCED) or another
 * fatal error (CO2S_STATE_ERROR_FATAL) leave the writer dead, every later
 * call failing the same way; CO2S_STATE_ERROR_TIMED_OUT leaves the
 * transaction open: call commit again or abort. */
gboolean co2s_state_writer_commit (Co2sStateWriter *self,
                                   const rd_kafka_topic_partition_list_t *offsets,
                                   const rd_kafka_consumer_group_metadata_t *group_metadata,
                                   GError **error);

/* Aborts the open transaction: nothing of it becomes visible. Errors as for
 * commit (TIMED_OUT: call abort again). */
gboolean co2s_state_writer_abort (Co2sStateWriter *self, GError **error);

G_END_DECLS
