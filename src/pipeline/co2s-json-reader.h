/* co2s-json-reader.h — reading co2stream's own JSON documents (the model
 * file, metrics lines) on top of json-glib, with errors that say what is
 * wrong and where.
 *
 * co2s_json_parse_object() turns text into its top-level object. It first
 * checks that the text is strict RFC 8259 JSON, one object and nothing
 * after it (co2s-json-strict.h: no comments, hex numbers, leading zeros,
 * trailing commas, second value… which json-glib alone would accept),
 * nested at most CO2S_JSON_DOCUMENT_MAX_DEPTH levels (json-glib recurses
 * once per level and overflows the stack near 100,000 levels). The getters
 * then find a member, check its JSON type and its value.
 *
 * Members are named by their dotted path from the top level, such as
 * "state.scaler.mean" or "kafka.offsets[2].partition": the getters look up
 * the path's last part (after the last '.') in the object given, and name
 * the whole path in messages. Member names therefore hold no '.'.
 *
 * Every error is G_IO_ERROR_INVALID_DATA with a technical message in
 * English, which callers put after their own translated context ("Model
 * file “%s” is not valid: %s", "metrics line: %s"), for example:
 *   empty (no JSON value)
 *   not JSON: unexpected ',' where a value should be at byte offset 40 (line 3, column 14), in "state"
 *   not JSON: a second JSON value after the first (one value per text) at byte offset 52
 *   nested deeper than 64 levels at byte offset 68, in "a" (one-line text: no line number)
 *   not a JSON object (an array)
 *   member "state.t" is missing
 *   member "batch" is not an integer
 *   member "batch" is -1, below 0
 *   member "intercept" is not a finite number
 *   member "coefficients" must have 10 elements, not 3
 *   member "coefficients[9]" is not a number
 *
 * Functions of this file are named co2s_json_*, like co2s_json_append_double
 * (co2s-record-json.h), which writes what they read. Any thread; nothing is
 * shared. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deepest nesting co2s_json_parse_object accepts (the top-level object is
 * level 1). The model file needs 4. */
#define CO2S_JSON_DOCUMENT_MAX_DEPTH 64

/* How a getter treats an absent member and null. */
typedef enum {
  CO2S_JSON_REQUIRED = 0,        /* absent: "is missing"; null: the wrong type */
  CO2S_JSON_OPTIONAL = 1 << 0,   /* absent: TRUE, *out left as it is */
  CO2S_JSON_NULLABLE = 1 << 1,   /* null: TRUE, *out left as it is */
} Co2sJsonFlags;

/* TRUE when the brackets of the @len bytes at @data nest at most
 * @max_depth deep, as json-glib (any version) would read them; otherwise
 * FALSE with an error giving the line and column of the first bracket too
 * deep. Exact on RFC 8259 JSON. From the first '/' or '\'' outside a string
 * on (json-glib reads comments and single-quoted strings, differently from
 * one version to the next) every later '[' and '{' counts as one level
 * more, so the answer errs on the safe side. O(@len), no allocation. */
gboolean co2s_json_check_depth (const char *data, gsize len, guint max_depth, GError **error);

/* Parses @len bytes at @data (@data may be NULL when @len is 0) with
 * json-glib after co2s_json_check_strict (CO2S_JSON_DOCUMENT_MAX_DEPTH) and
 * returns the top-level object (transfer full: json_object_unref, or
 * g_autoptr(JsonObject)). NULL with an error when the text is empty or
 * blank, too deep, not strict JSON (the message gives the byte offset, and
 * line and column when the text has several lines) or not an object at
 * the top level. */
JsonObject *co2s_json_parse_object (const char *data, gsize len, GError **error);

/* Sets @error to "member "@path" <detail>", the detail printf-formatted;
 * for the checks callers make on values they read. Always FALSE, so that
 * callers can return it. */
gboolean co2s_json_set_member_error (GError    **error,
                                     const char *path,
                                     const char *format,
                                     ...) G_GNUC_PRINTF (3, 4);

/* An integer member (a JSON number without fraction or exponent; 2.0 is
 * not one) within @min…@max. Note that json-glib 1.6 reads integers beyond
 * 64 bits wrapped or saturated, so a huge count may read as -1. */
gboolean co2s_json_get_int (JsonObject   *object,
                            const char   *path,
                            Co2sJsonFlags flags,
                            gint64        min,
                            gint64        max,
                            gint64       *out,
                            GError      **error);

/* An integer member ≥ 0 (a count). */
gboolean co2s_json_get_count (JsonObject   *object,
                              const char   *path,
                              Co2sJsonFlags flags,
                              guint64      *out,
                              GError      **error);

/* A finite number member, integer or not (json-glib reads 1e999 as an
 * infinity: refused). */
gboolean co2s_json_get_double (JsonObject   *object,
                               const char   *path,
                               Co2sJsonFlags flags,
                               double       *out,
                               GError      **error);

/* A true or false member. */
gboolean co2s_json_get_boolean (JsonObject   *object,
                                const char   *path,
                                Co2sJsonFlags flags,
                                gboolean     *out,
                                GError      **error);

/* A string member; *@out belongs to @object. */
gboolean co2s_json_get_string (JsonObject   *object,
                               const char   *path,
                               Co2sJsonFlags flags,
                               const char  **out,
                               GError      **error);

/* An object member; *@out belongs to @object. */
gboolean co2s_json_get_object (JsonObject   *object,
                               const char   *path,
                               Co2sJsonFlags flags,
                               JsonObject  **out,
                               GError      **error);

/* An array member of any length; *@out belongs to @object. */
gboolean co2s_json_get_array (JsonObject   *object,
                              const char   *path,
                              Co2sJsonFlags flags,
                              JsonArray   **out,
                              GError      **error);

/* A required array member of exactly @n finite numbers, into @out[0…n-1]
 * (which may be partly written on failure). */
gboolean co2s_json_get_double_array (JsonObject *object,
                                     const char *path,
                                     double     *out,
                                     guint       n,
                                     GError    **error);

/* A required array member of @rows arrays of @cols finite numbers, into
 * @out row-major (partly written on failure). */
gboolean co2s_json_get_double_matrix (JsonObject *object,
                                      const char *path,
                                      double     *out,
                                      guint       rows,
                                      guint       cols,
                                      GError    **error);

/* FALSE with "member "@path" must have @n elements, not <length>" unless
 * @array has @n elements. */
gboolean co2s_json_check_length (JsonArray  *array,
                                 const char *path,
                                 guint       n,
                                 GError    **error);

/* Element @index of @array (the member at @path), which must exist and be a
 * string / an object; errors name "@path[@index]". *@out belongs to @array. */
gboolean co2s_json_array_get_string (JsonArray   *array,
                                     const char  *path,
                                     guint        index,
                                     const char **out,
                                     GError     **error);
gboolean co2s_json_array_get_object (JsonArray   *array,
                                     const char  *path,
                                     guint        index,
                                     JsonObject **out,
                                     GError     **error);

G_END_DECLS
