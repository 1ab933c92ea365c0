/* producer-test-util.h — what the producer's tests share: rows in a few JSON
 * spellings, running co2stream-producer ($CO2S_PRODUCER) and reading its
 * summary, and checking what a topic holds. */
#pragma once

#include <glib.h>

#include "co2s-test-util.h"

G_BEGIN_DECLS

#define EXIT_TIMEOUT_MS    30000
#define CONSUME_TIMEOUT_MS 15000

/* The producer's summary line (see co2stream-producer's print_summary). */
typedef struct {
  guint64 read;
  guint64 produced;
  guint64 delivered;
  guint64 failed;
  guint64 dlq;
  guint64 dlq_failed;
  guint64 duplicates;
  guint64 in_flight;
  gint64 last_seq;
  guint64 queue_full;
} ProducerSummary;

/* The query strings a fake API was asked, in order. Any thread (it has its
 * own lock). */
typedef struct _ProducerQueryLog ProducerQueryLog;

ProducerQueryLog *producer_query_log_new (void);
void producer_query_log_free (ProducerQueryLog *log);
/* Appends a copy of @query (NULL counts as ""); returns its index. */
guint producer_query_log_add (ProducerQueryLog *log, const char *query);
guint producer_query_log_len (ProducerQueryLog *log);
/* A copy of query @i (free with g_free), or NULL past the end. */
char *producer_query_log_dup (ProducerQueryLog *log, guint i);

/* Row @seq in one of a few shapes (key order, spacing, escapes, nesting),
 * with "seq": @seq when @with_seq. Free with g_free. */
char *producer_make_row (guint64 seq, gboolean with_seq);

/* Rows 0 to @n − 1 of producer_make_row (a GPtrArray owning its strings). */
GPtrArray *producer_make_rows (guint n, gboolean with_seq);

/* co2stream-producer reading @url into @topic / @dlq_topic at @brokers, with
 * status lines every second and @extra arguments (NULL-terminated, may be
 * NULL). */
Co2sTestProc *producer_spawn (const char *url,
                              const char *brokers,
                              const char *topic,
                              const char *dlq_topic,
                              const char * const *extra);

/* Waits for the producer to exit (asserting status @expected_status), then
 * parses the summary line of its whole stderr into @s. */
void producer_finish (Co2sTestProc *proc, int expected_status, ProducerSummary *s);

/* The topic holds exactly @n messages on one partition: message i has key
 * "<first + i>" and value rows[first + i] (or the paced row of
 * test-ndjson-server.h when @rows is NULL). */
void producer_assert_topic_rows (const char *brokers,
                                 const char *topic,
                                 GPtrArray *rows,
                                 guint first,
                                 guint n);

G_END_DECLS
