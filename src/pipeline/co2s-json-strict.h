/* co2s-json-strict.h — is this text exactly one RFC 8259 JSON text?
 *
 * json-glib (1.6 here) reads more than JSON: comments, single-quoted
 * strings, hex/octal/binary numbers, leading zeros, "+1", ".5", "1.", raw
 * control characters and unknown escapes in strings, lone surrogates, a
 * byte order mark, "var x = {…};", and a second value after the first. It
 * also recurses once per nesting level and overflows the stack near 100,000
 * levels. co2stream reads only strict JSON: this check runs before
 * json-glib sees any record, model file or metrics line, and says what is
 * wrong and where.
 *
 * Strict means RFC 8259 and nothing more: one value with optional white
 * space (space, tab, LF, CR) around it; numbers per the grammar (no hex, no
 * leading zero, no '+', no NaN/Infinity, digits after '.' and in the
 * exponent); strings in double quotes with the escapes \" \\ \/ \b \f \n \r
 * \t \uXXXX only, no raw control character, valid UTF-8 (RFC 3629), and a
 * \u escape of a surrogate only as a high-low pair (an unpaired one names
 * no character: refused, as I-JSON, RFC 7493, requires); no trailing
 * commas; true, false, null in lower case. Duplicate keys and any number's
 * size are the reader's business, not the grammar's. Any thread; no
 * allocation unless an error is set. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The deepest @max_depth co2s_json_check_strict takes. */
#define CO2S_JSON_STRICT_MAX_DEPTH 4096

typedef enum {
  CO2S_JSON_VALID,      /* one strict JSON value */
  CO2S_JSON_EMPTY,      /* nothing but white space (or nothing) */
  CO2S_JSON_INVALID,    /* not strict JSON */
  CO2S_JSON_TOO_DEEP,   /* strict so far, then nested deeper than allowed */
} Co2sJsonVerdict;

/* The JSON type of a value, by its first character. */
typedef enum {
  CO2S_JSON_KIND_OBJECT,
  CO2S_JSON_KIND_ARRAY,
  CO2S_JSON_KIND_STRING,
  CO2S_JSON_KIND_NUMBER,
  CO2S_JSON_KIND_BOOLEAN,
  CO2S_JSON_KIND_NULL,
} Co2sJsonKind;

/* Checks that the @len bytes at @data (NULL when @len is 0) are exactly one
 * JSON text as RFC 8259 defines it (see above), whose objects and arrays
 * nest at most @max_depth levels (the top-level value is level 1; at most
 * CO2S_JSON_STRICT_MAX_DEPTH). Returns the verdict; on CO2S_JSON_VALID,
 * @kind (may be NULL) is the top-level value's type. Otherwise @error (may
 * be NULL) is G_IO_ERROR_INVALID_DATA with an English message that says
 * what is wrong and where, the first problem in reading order:
 *   "empty (no JSON value)"
 *   "hexadecimal number at byte offset 15, in \"Cylinders\""
 *   "a second JSON value after the first at byte offset 212"
 *   "nested deeper than 64 levels at byte offset 70 (line 3, column 6)"
 * Offsets count bytes from 0; the line and column (from 1, in bytes) are
 * added when the text has several lines; the top-level object's member
 * whose value holds the problem is named, its key as written. O(@len), no
 * recursion. */
Co2sJsonVerdict co2s_json_check_strict (const char   *data,
                                        gsize         len,
                                        guint         max_depth,
                                        Co2sJsonKind *kind,
                                        GError      **error);

/* "an object", "an array", "a string", "a number", "a boolean", "null". */
const char *co2s_json_kind_name (Co2sJsonKind kind);

G_END_DECLS
