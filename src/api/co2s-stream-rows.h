/* co2s-stream-rows.h — the API's immutable table of rows, ready to stream.
 *
 * Holds the records of a loaded CSV and, for speed, the NDJSON encoding of
 * each record without its "seq" and "ts_us" members; appending a row then
 * costs a memcpy and two integer conversions. The output is byte for byte
 * what co2s_record_to_json writes for the same record, seq and emit time
 * (checked when the table is built; if the core encoder's layout differs,
 * every row is encoded with co2s_record_to_json instead). */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

typedef struct _Co2sStreamRows Co2sStreamRows;

/* Builds the table from @records (a GArray of Co2sRecord, copied; must hold
 * at least one row). Returns a new reference. Any thread. */
Co2sStreamRows *co2s_stream_rows_new (GArray *records);

/* Reference counting; thread-safe. unref accepts NULL. */
Co2sStreamRows *co2s_stream_rows_ref (Co2sStreamRows *self);
void co2s_stream_rows_unref (Co2sStreamRows *self);

/* Number of rows (> 0). */
guint co2s_stream_rows_get_n_rows (Co2sStreamRows *self);

/* The record at @index (< n_rows), owned by @self; seq -1, emit_us 0. */
const Co2sRecord *co2s_stream_rows_get (Co2sStreamRows *self, guint index);

/* TRUE when rows are appended from the cached encoding (the fast path). */
gboolean co2s_stream_rows_is_cached (Co2sStreamRows *self);

/* Appends the NDJSON line (with '\n') of the row at @seq % n_rows, carrying
 * @seq (>= 0) and @emit_us (> 0), to @out. Any thread. */
void co2s_stream_rows_append (Co2sStreamRows *self, gint64 seq, gint64 emit_us, GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sStreamRows, co2s_stream_rows_unref)

G_END_DECLS
