/* co2s-publisher.h — publishes NDJSON lines to Kafka.
 *
 * A Co2sPublisher wraps an idempotent librdkafka producer. Each line that is
 * a JSON object goes to the data topic unchanged, with key = its "seq" as
 * decimal text, or, in a stream whose rows carry no seq, the previous seq
 * + 1 (the rules are co2s-seq-check.h's). Lines whose seq is not above the
 * last one published are dropped as duplicates (counted; each run of them
 * logged once it ends); lines that are not JSON objects, or whose seq is
 * refused, go to the dead-letter topic with headers "reason" and "detail"
 * (what is wrong, and after which seq). Delivery reports are counted; a
 * row whose delivery fails (other than for its own size or format) stops
 * the publisher (::fatal-error), so that no later row leaves a gap in the
 * topic. It polls librdkafka from a
 * timeout on the thread-default main context of the thread that created it;
 * every function must be called on that thread. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CO2S_TYPE_PUBLISHER (co2s_publisher_get_type ())

G_DECLARE_FINAL_TYPE (Co2sPublisher, co2s_publisher, CO2S, PUBLISHER, GObject)

typedef enum {
  CO2S_PUBLISH_PRODUCED,     /* queued to the data topic */
  CO2S_PUBLISH_DUPLICATE,    /* seq not above the last one; dropped, counted */
  CO2S_PUBLISH_DEAD_LETTER,  /* not a JSON object, or its seq refused; queued to the DLQ */
  CO2S_PUBLISH_QUEUE_FULL,   /* librdkafka's queue is full: nothing done, offer it again after "ready" */
  CO2S_PUBLISH_FAILED,       /* refused by librdkafka for good (e.g. too large); logged, counted */
} Co2sPublishResult;

typedef struct {
  guint64 read;            /* lines offered (not counting QUEUE_FULL retries) */
  guint64 produced;        /* queued to the data topic */
  guint64 delivered;       /* of those, acknowledged by the broker */
  guint64 failed;          /* of those, refused or failed delivery */
  guint64 dlq;             /* lines queued to the dead-letter topic */
  guint64 dlq_delivered;
  guint64 dlq_failed;      /* dead letters that could not be queued or delivered */
  guint64 duplicates;      /* lines dropped because their seq was not new */
  guint64 gaps;            /* times the server's seq jumped forward */
  guint64 queue_full;      /* times a line met a full queue (and reading paused) */
  gint64 last_seq;         /* seq of the last produced line (or the seeded one), -1 before the first */
} Co2sPublisherStats;

/* Creates the producer: bootstrap.servers = @brokers, idempotence, linger and
 * batching defaults, then each "key=value" of @overrides (NULL-terminated,
 * may be NULL) on top. @source (may be NULL) is the "source" header of dead
 * letters. NULL with @error (CO2S_KAFKA_ERROR) on a refused property. */
Co2sPublisher *co2s_publisher_new (const char *brokers,
                                   const char * const *overrides,
                                   const char *topic,
                                   const char *dlq_topic,
                                   const char *source,
                                   GError **error);

/* Publishes one line (@len bytes, no newline, need not be NUL-terminated);
 * the bytes are copied. See Co2sPublishResult. */
Co2sPublishResult co2s_publisher_publish_line (Co2sPublisher *self,
                                               const char *line,
                                               gsize len);

/* Seeds the duplicate filter with @last_seq (0 … CO2S_SEQ_MAX), the last
 * seq a topic already holds (a restart): lines whose seq is at or below it
 * are dropped as duplicates, lines of an unnumbered stream are numbered from
 * @last_seq + 1, and the resume seq is @last_seq + 1. Call before the first
 * line. */
void co2s_publisher_set_last_seq (Co2sPublisher *self,
                                  gint64 last_seq);

/* A numbered line more than @max_jump above the last published seq goes to
 * the DLQ (reason seq-jump); 0 removes the bound. Default
 * CO2S_SEQ_DEFAULT_MAX_JUMP. */
void co2s_publisher_set_max_seq_jump (Co2sPublisher *self,
                                      gint64 max_jump);

/* Logs what is still pending in the log (a run of duplicates not yet
 * reported). Call before the summary. */
void co2s_publisher_flush_log (Co2sPublisher *self);

/* The seq a reconnection should start from: last produced (or seeded) seq
 * + 1 unless the stream turned out unnumbered; -1 when there is none or the
 * server numbers no line (from= cannot work then). Refused lines never move
 * it. */
gint64 co2s_publisher_get_resume_seq (Co2sPublisher *self);

/* Copies the counters into @out. */
void co2s_publisher_get_stats (Co2sPublisher *self,
                               Co2sPublisherStats *out);

/* Messages (data and dead letters) queued but not yet reported. */
guint64 co2s_publisher_get_in_flight (Co2sPublisher *self);

/* Serves pending delivery reports now, without blocking. */
void co2s_publisher_poll (Co2sPublisher *self);

/* Drops every message not yet delivered (after a flush timed out); their
 * delivery reports come back as failures, which this waits for (at most
 * @timeout_ms). TRUE when nothing is left in flight. Blocks. */
gboolean co2s_publisher_purge (Co2sPublisher *self,
                               guint timeout_ms);

/* The underlying handle, owned by the publisher (for tests and stats). */
gpointer co2s_publisher_get_handle (Co2sPublisher *self);

G_END_DECLS
