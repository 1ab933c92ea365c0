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
 * co2s_record_validate. Any thread; no allocation on the fast path.
 *
 * Type rules (both decoders): a column must be a JSON number, or for the
 * Fuel_Type_* flags true/false or a number (only 0 and 1 pass validation).
 * A string, array, object, or a boolean in a numeric column is BAD_TYPE;
 * null in a required column is NOT_FINITE, null in an optional column
 * (Fuel_Consumption_Comb-1) counts as absent. "seq" and "ts_us" must be
 * integer literals (no '.', no exponent; else BAD_TYPE) and >= 0 (else
 * OUT_OF_RANGE). Columns are checked in schema order, then seq, ts_us, then
 * co2s_record_validate; the first problem is reported. On failure @out is
 * left untouched.
 *
 * Syntax: a record is strict RFC 8259 JSON, one object with optional white
 * space around it and nothing after it (co2s-json-strict.h). Anything else
 * is NOT_JSON, whose message says what is wrong and at which byte offset
 * (from 0), and in which member when it is inside one, e.g.
 * "not JSON: hexadecimal number (JSON numbers are decimal) at byte offset
 * 31, in "Cylinders"" — comments, single quotes, hex or octal numbers,
 * leading zeros, '+', NaN, Infinity, trailing commas, invalid escapes or
 * UTF-8, unpaired surrogates, a second value after the first; and nesting
 * deeper than CO2S_JSON_MAX_DEPTH levels. A valid JSON value that is not
 * an object is NOT_OBJECT. Both decoders run the same strict check, so they
 * give the same words; the co2s-record-json.c header comment lists what
 * json-glib 1.6 alone would have accepted. */
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

/* Checks that @data is one strict JSON object, as the record decoders
 * require (see above: the same NOT_JSON and NOT_OBJECT errors), and
 * extracts its integer "seq" member (@seq = -1 when absent, not an integer
 * literal, or negative). For the producer, which forwards lines unchanged:
 * it refuses what no trainer would accept. FALSE with NOT_JSON or
 * NOT_OBJECT (then @seq is -1). @seq may be NULL. */
gboolean co2s_json_object_peek_seq (const char *data, gsize len, gint64 *seq, GError **error);

/* Reference for co2s_json_object_peek_seq through json-glib; same contract. */
gboolean co2s_json_object_peek_seq_glib (const char *data, gsize len, gint64 *seq, GError **error);

/* Deepest nesting either decoder accepts (the record object is level 1). */
#define CO2S_JSON_MAX_DEPTH 512

/* Appends the shortest decimal form of the finite @value that reads back
 * (g_ascii_strtod, json-glib) as exactly @value, in JSON number syntax:
 * 2.0 → "2", 9.9 → "9.9", -0.0 → "-0.0". Locale-independent. Non-finite
 * values are appended as "null". */
void co2s_json_append_double (GString *out, double value);

/* How many inputs the fast decoders (co2s_record_from_json,
 * co2s_json_object_peek_seq) handed to json-glib (strict JSON the fast
 * reader leaves to it: integer literals of 19 digits or more, "\u0000" in a
 * key, numbers of 128 characters or more) since the process started.
 * Input that is not strict JSON is refused without json-glib and does not
 * count. For diagnostics and tests. */
guint64 co2s_record_json_fallback_count (void);

G_END_DECLS
