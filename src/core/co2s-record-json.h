/* co2s-record-json.h — the NDJSON wire form of a record.
 *
 * Encoding: one JSON object per line, keys in CSV header order, numbers as
 * JSON numbers (locale-independent, shortest round-trip form), flags as
 * true/false, then "seq" and "ts_us" when set.
 *
 * Decoding has two implementations that must agree exactly, on valid and on
 * invalid input: co2s_record_from_json_glib is the reference, built on
 * json-glib; co2s_record_from_json is the hot-path decoder the trainer uses.
 * Both accept any key order, ignore unknown keys, let a later duplicate key
 * win, accept true/false (or the numbers 0 and 1) for flags, and report
 * errors in CO2S_RECORD_ERROR with the key named. Both then apply
 * co2s_record_validate. Any thread; no allocation on the fast path. */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

/* Appends the record's JSON object and a '\n' to @out. */
void co2s_record_to_json (const Co2sRecord *record, GString *out);

/* Decodes one JSON object of @len bytes (no trailing newline needed; surrounding
 * whitespace allowed) into @out. Returns FALSE with CO2S_RECORD_ERROR_* set. */
gboolean co2s_record_from_json (const char *data, gsize len, Co2sRecord *out, GError **error);

/* Reference decoder through json-glib; same contract. */
gboolean co2s_record_from_json_glib (const char *data, gsize len, Co2sRecord *out, GError **error);

/* Checks that @data is one well-formed JSON object and extracts its integer
 * "seq" member (@seq = -1 when absent or not an integer). For the producer,
 * which forwards lines unchanged. FALSE with NOT_JSON or NOT_OBJECT. */
gboolean co2s_json_object_peek_seq (const char *data, gsize len, gint64 *seq, GError **error);

G_END_DECLS
