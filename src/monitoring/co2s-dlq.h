/* co2s-dlq.h — the dead-letter topic (streaming_data.dlq): list its
 * messages and send chosen ones back to streaming_data ("redrive"), exactly
 * once. No GTK; what co2stream-dlq and the app's Dead Letters window share.
 *
 * Listing: a consumer that joins no group is assigned every partition of
 * the DLQ from its beginning and reads up to the end each partition had
 * when the listing started (the partition-EOF event, or the high
 * watermark), within a deadline. It reads committed messages only
 * (isolation.level=read_committed), so a redrive that did not commit is
 * never seen.
 *
 * Redrive, exactly once: a transactional producer (enable.idempotence=true,
 * transactional.id co2stream-dlq-redrive, the same for every co2stream
 * program and app) first fences any other redrive in progress
 * (init_transactions aborts its open transaction), then lists the DLQ, then
 * in ONE Kafka transaction produces, for each chosen letter not yet sent
 * back: the letter's key and payload to streaming_data with the header
 * "co2s-redrive" = "streaming_data.dlq[P]@O TIME" (where it was in the DLQ,
 * and when it was sent back, ISO 8601 UTC), and a redrive marker to the
 * letter's own DLQ partition: a message with a null payload and the headers
 * "co2s-redriven" = "P:O" (the letter), "co2s-redriven-to" = the target
 * topic and "co2s-redrive-at" = TIME. The copy and its marker are
 * committed together or not at all (a crash or a lost broker aborts both),
 * so a letter with a marker was sent back exactly once, and a letter
 * without one not at all. Listings hide the markers and mark their letters
 * "redriven"; a redrive skips them (result CO2S_REDRIVE_ALREADY). Delivery
 * of the whole transaction is waited for before results are returned.
 *
 * A letter sent back and refused again by the trainer comes back to the DLQ
 * as a new letter (a new offset): that one may be sent back again.
 *
 * Every function blocks (network): call from a worker thread in a GUI (the
 * _async forms run on one), never from the main thread. librdkafka callbacks
 * only write into the call's own state. */
#pragma once

#include <gio/gio.h>

#include "co2s-contracts.h"
#include "co2s-dead-letter.h"

G_BEGIN_DECLS

/* transactional.id of every redrive (fencing: one redrive at a time). */
#define CO2S_DLQ_TRANSACTIONAL_ID "co2stream-dlq-redrive"
/* Header on the message sent back to streaming_data. */
#define CO2S_DLQ_HEADER_REDRIVE CO2S_HEADER_REDRIVE
/* Headers of a redrive marker in the DLQ. */
#define CO2S_DLQ_HEADER_REDRIVEN "co2s-redriven"
#define CO2S_DLQ_HEADER_REDRIVEN_TO "co2s-redriven-to"
#define CO2S_DLQ_HEADER_REDRIVE_AT "co2s-redrive-at"
/* Default deadline of a listing, and of a redrive's transaction. */
#define CO2S_DLQ_DEFAULT_TIMEOUT_MS 15000

#define CO2S_DLQ_ERROR (co2s_dlq_error_quark ())

typedef enum {
  CO2S_DLQ_ERROR_CONFIG,       /* a librdkafka property was refused */
  CO2S_DLQ_ERROR_UNREACHABLE,  /* no broker answered before the deadline */
  CO2S_DLQ_ERROR_NO_TOPIC,     /* the broker does not know the topic */
  CO2S_DLQ_ERROR_TIMEOUT,      /* the topic could not be read to its end in time */
  CO2S_DLQ_ERROR_FAILED,       /* any other Kafka error (message says which) */
} Co2sDlqError;

GQuark co2s_dlq_error_quark (void);

/* Where to read and write. Strings are borrowed for the call. */
typedef struct {
  const char *brokers;               /* bootstrap.servers; not NULL */
  const char * const *overrides;     /* "key=value" librdkafka properties (-X), may be NULL;
                                      * applied before the settings above, which win */
  const char *dlq_topic;             /* NULL: streaming_data.dlq */
  const char *target_topic;          /* NULL: streaming_data */
  guint timeout_ms;                  /* 0: CO2S_DLQ_DEFAULT_TIMEOUT_MS */
} Co2sDlqOptions;

/* One letter, by its place in the DLQ. */
typedef struct {
  int partition;
  gint64 offset;
} Co2sDlqRef;

/* Parses "OFFSET" (partition 0), "PARTITION:OFFSET" or a range
 * "PARTITION:FIRST-LAST" / "FIRST-LAST" (at most 100000 offsets) and
 * appends the refs to @refs (GArray of Co2sDlqRef). FALSE with a
 * G_OPTION_ERROR_BAD_VALUE error naming @spec otherwise (nothing appended). */
gboolean co2s_dlq_parse_ref (const char *spec,
                             GArray *refs,
                             GError **error);

/* The letters of the DLQ (Co2sDeadLetter, by partition then offset; with
 * "redriven" set for those a marker names), markers left out. NULL with
 * @error (CO2S_DLQ_ERROR_*, G_IO_ERROR_CANCELLED). Blocks up to
 * @opts->timeout_ms (plus librdkafka's close). Any thread. */
GPtrArray *co2s_dlq_list (const Co2sDlqOptions *opts,
                          GCancellable *cancellable,
                          GError **error);

typedef enum {
  CO2S_REDRIVE_SENT,        /* sent back now (partition/offset: where in the target) */
  CO2S_REDRIVE_ALREADY,     /* sent back before (detail: the marker's time) */
  CO2S_REDRIVE_NOT_FOUND,   /* no letter at that place of the DLQ */
  CO2S_REDRIVE_FAILED,      /* not sent (detail: why); the transaction was aborted */
} Co2sRedriveStatus;

typedef struct {
  Co2sDlqRef ref;           /* the letter */
  Co2sRedriveStatus status;
  int partition;            /* SENT: where the copy is in the target topic; else -1 */
  gint64 offset;
  char *detail;             /* ALREADY / FAILED: text (owned), else NULL */
} Co2sRedriveResult;

/* What to send back: the letters at @refs (@n_refs of them), or when @refs
 * is NULL every letter whose reason is @reason (NULL: every letter). */
typedef struct {
  const Co2sDlqRef *refs;
  guint n_refs;
  const char *reason;
} Co2sDlqSelection;

/* Sends the selected letters back, exactly once (see above). Returns one
 * Co2sRedriveResult per selected letter (per ref for @refs, in their
 * order; per matching letter otherwise), a GArray that frees the details
 * (g_array_unref), or NULL with @error when nothing could be tried (broker
 * unreachable, no DLQ, config). A failed commit is not a NULL return: the
 * letters it held are CO2S_REDRIVE_FAILED with the reason. Blocks. */
GArray *co2s_dlq_redrive (const Co2sDlqOptions *opts,
                          const Co2sDlqSelection *selection,
                          GCancellable *cancellable,
                          GError **error);

/* Counts of @results by status (any pointer may be NULL). */
void co2s_dlq_count_results (GArray *results,
                             guint *sent,
                             guint *already,
                             guint *not_found,
                             guint *failed);

/* co2s_dlq_list on a worker thread; @callback runs on the caller's
 * thread-default main context. @opts is copied. */
void co2s_dlq_list_async (const Co2sDlqOptions *opts,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);

/* The array (transfer full) or NULL with @error. */
GPtrArray *co2s_dlq_list_finish (GAsyncResult *result,
                                 GError **error);

/* co2s_dlq_redrive on a worker thread; @opts and @selection are copied. */
void co2s_dlq_redrive_async (const Co2sDlqOptions *opts,
                             const Co2sDlqSelection *selection,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);

GArray *co2s_dlq_redrive_finish (GAsyncResult *result,
                                 GError **error);

G_END_DECLS
