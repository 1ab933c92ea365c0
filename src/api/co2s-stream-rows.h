/* co2s-stream-rows.h — the API's immutable table of rows, ready to stream.
 *
 * Holds, for each row of a loaded CSV, its NDJSON encoding without the
 * "seq" and "ts_us" members, packed (each member's key and each true or
 * false is one byte): about half the size of the CSV text with the offsets
 * array, where the records (112 bytes each) and their JSON (~270 bytes) took
 * 7 times the CSV. Appending a row unpacks it (copies and short memcpys) and
 * writes two integers. The output is byte for byte what co2s_record_to_json
 * writes for the same record, seq and emit time (checked when the table is
 * built; if the core encoder's layout differs, the table keeps the records
 * and encodes every row with co2s_record_to_json instead). */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

typedef struct _Co2sStreamRows Co2sStreamRows;

/* Builds the table from @records (a GArray of Co2sRecord, read, not kept;
 * must hold at least one row). Returns a new reference. Any thread. */
Co2sStreamRows *co2s_stream_rows_new (GArray *records);

/* Reference counting; thread-safe. unref accepts NULL. */
Co2sStreamRows *co2s_stream_rows_ref (Co2sStreamRows *self);
void co2s_stream_rows_unref (Co2sStreamRows *self);

/* Number of rows (> 0). */
guint co2s_stream_rows_get_n_rows (Co2sStreamRows *self);

/* TRUE when rows are appended from the packed encoding (the fast, compact
 * path). */
gboolean co2s_stream_rows_is_cached (Co2sStreamRows *self);

/* Bytes the table holds (the packed rows and their offsets, or the records). */
gsize co2s_stream_rows_get_size (Co2sStreamRows *self);

/* Appends the NDJSON line (with '\n') of the row at @seq % n_rows, carrying
 * @seq (>= 0) and @emit_us (> 0), to @out. Any thread. */
void co2s_stream_rows_append (Co2sStreamRows *self, gint64 seq, gint64 emit_us, GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sStreamRows, co2s_stream_rows_unref)

G_END_DECLS
