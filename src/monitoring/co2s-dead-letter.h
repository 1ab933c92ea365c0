/* co2s-dead-letter.h — one message of the dead-letter topic
 * (streaming_data.dlq), as co2s_dlq_list() read it: where it is in the DLQ,
 * why it was set aside (headers reason and detail), where it came from
 * (header source: "topic[partition]@offset" from the trainer, the API's URL
 * from the producer), its Kafka timestamp and its raw key and payload, and
 * whether it was already sent back (a redrive marker names it).
 *
 * Immutable once made (no GTK; any thread may read it). Read-only GObject
 * properties of the same names, for list views: "partition", "offset",
 * "timestamp-ms", "reason", "detail", "source", "source-topic",
 * "source-partition", "source-offset", "redriven". */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CO2S_TYPE_DEAD_LETTER (co2s_dead_letter_get_type ())
G_DECLARE_FINAL_TYPE (Co2sDeadLetter, co2s_dead_letter, CO2S, DEAD_LETTER, GObject)

/* A letter at @partition/@offset of the DLQ. @reason NULL becomes "unknown";
 * @detail, @source, @key and @payload may be NULL; @timestamp_ms is -1 when
 * unknown. The strings and bytes are copied / referenced. @source is parsed
 * when it has the trainer's form "topic[partition]@offset". */
Co2sDeadLetter *co2s_dead_letter_new (int partition,
                                      gint64 offset,
                                      gint64 timestamp_ms,
                                      const char *reason,
                                      const char *detail,
                                      const char *source,
                                      GBytes *key,
                                      GBytes *payload);

int co2s_dead_letter_get_partition (Co2sDeadLetter *self);
gint64 co2s_dead_letter_get_offset (Co2sDeadLetter *self);
/* Milliseconds since the Unix epoch; -1 when the broker gave none. */
gint64 co2s_dead_letter_get_timestamp_ms (Co2sDeadLetter *self);
/* Never NULL ("unknown" when the header was missing). */
const char *co2s_dead_letter_get_reason (Co2sDeadLetter *self);
/* NULL when the header was missing. */
const char *co2s_dead_letter_get_detail (Co2sDeadLetter *self);
const char *co2s_dead_letter_get_source (Co2sDeadLetter *self);
/* The parsed source: topic (NULL when the source is not "topic[p]@o"),
 * partition and offset (-1 then). */
const char *co2s_dead_letter_get_source_topic (Co2sDeadLetter *self);
int co2s_dead_letter_get_source_partition (Co2sDeadLetter *self);
gint64 co2s_dead_letter_get_source_offset (Co2sDeadLetter *self);
/* The raw key and payload (NULL for a null key / payload); transfer none. */
GBytes *co2s_dead_letter_get_key (Co2sDeadLetter *self);
GBytes *co2s_dead_letter_get_payload (Co2sDeadLetter *self);
/* The payload as text for display: valid UTF-8 (invalid bytes replaced by
 * U+FFFD), "" for a null payload. Free with g_free. */
char *co2s_dead_letter_dup_payload_text (Co2sDeadLetter *self);
/* "PARTITION:OFFSET", the form co2stream-dlq redrive takes. Free with g_free. */
char *co2s_dead_letter_dup_ref (Co2sDeadLetter *self);

/* When the letter was already sent back: the marker's text (time and
 * where it went), else NULL. co2s_dlq_list sets it before handing the
 * letter out; later changes are not notified. */
const char *co2s_dead_letter_get_redriven (Co2sDeadLetter *self);
void co2s_dead_letter_set_redriven (Co2sDeadLetter *self,
                                    const char *redriven);

G_END_DECLS
