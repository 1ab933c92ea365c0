/* test-json-reader.c — the JSON reader shared by the model file and the
 * metrics lines: parsing with positions, the nesting limit, every getter's
 * success and error messages. */
#define G_LOG_DOMAIN "test-json-reader"

#include <gio/gio.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"

/* A document every getter test reads from. */
static const char sample[] =
  "{\"count\": 7, \"negative\": -3, \"big\": 9223372036854775807, \"small\": -9223372036854775808,"
  " \"fraction\": 1.5, \"whole_double\": 2.0, \"huge\": 1e999, \"minus_huge\": -1e999,"
  " \"text\": \"hé\", \"empty_text\": \"\", \"flag\": true, \"nothing\": null,"
  " \"list\": [1, 2.5, -3e2], \"short_list\": [1], \"bad_list\": [1, \"2\", 3], \"inf_list\": [1, 1e400],"
  " \"matrix\": [[1, 2], [3, 4], [5, 6]], \"ragged\": [[1, 2], [3]], \"not_rows\": [[1, 2], 3, [5, 6]],"
  " \"bad_cell\": [[1, 2], [3, null]],"
  " \"inner\": {\"deeper\": {\"value\": 42}}, \"objects\": [{\"id\": 1}, 2], \"strings\": [\"a\", 2]}";

static JsonObject *
load_sample (void)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = co2s_json_parse_object (sample, strlen (sample), &error);

  g_assert_no_error (error);
  g_assert_nonnull (object);
  return object;
}

/* Asserts a failed call left exactly @message as a G_IO_ERROR_INVALID_DATA. */
static void
assert_failed (gboolean ok, GError **error, const char *message)
{
  g_assert_false (ok);
  g_assert_error (*error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr ((*error)->message, ==, message);
  g_clear_error (error);
}

static void
assert_parse_fails (const char *data, gssize len, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  object = co2s_json_parse_object (data, len < 0 ? strlen (data) : (gsize) len, &error);
  g_assert_null (object);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (g_strcmp0 (error->message, message) != 0)
    g_error ("parsing “%s”: message “%s”, expected “%s”", data, error->message, message);
}

/* Parsing @data fails with a message that starts with @start, then says
 * more, without json-glib's "<data>:" or "Parse error". */
static void
assert_not_json (const char *data, const char *start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = co2s_json_parse_object (data, strlen (data), &error);

  g_assert_null (object);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s → %s", data, error->message);
  if (!g_str_has_prefix (error->message, start) || strlen (error->message) <= strlen (start) + 4 ||
      strstr (error->message, "<data>") != NULL || strstr (error->message, "Parse error") != NULL)
    g_error ("parsing “%s”: message “%s” should start with “%s” and say more", data, error->message, start);
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *blank_lines = g_strdup ("{\"a\": 1}\n\n  \n");

  /* The object outlives the parser. */
  object = co2s_json_parse_object (sample, strlen (sample), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (object, "count"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (object, "inner"), "deeper"), "value"), ==, 42);
  g_clear_pointer (&object, json_object_unref);

  /* Only @len bytes are read. */
  object = co2s_json_parse_object ("{\"a\": 1}garbage", 8, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (object, "a"));
  g_clear_pointer (&object, json_object_unref);

  object = co2s_json_parse_object (blank_lines, strlen (blank_lines), &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  g_clear_pointer (&object, json_object_unref);

  object = co2s_json_parse_object (NULL, 0, &error);
  g_assert_null (object);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "empty (no JSON value)");
}

/* Bad text: the messages say what and, for syntax errors, where. */
static void
test_parse_errors (void)
{
  assert_parse_fails ("", 0, "empty (no JSON value)");
  assert_parse_fails (" \t\n  \n", -1, "empty (no JSON value)");

  /* Strict JSON only, the problem and its byte offset said; one line: no
   * line number (trailing white space does not count as a line). */
  assert_parse_fails ("{\"batch\":1,", -1,
                      "not JSON: unexpected end of the input where a key should be at byte offset 11");
  assert_parse_fails ("{\"a\":1,}\n", -1, "not JSON: trailing comma before '}' at byte offset 6");
  assert_parse_fails ("this is not a model\n", -1,
                      "not JSON: invalid literal (true, false or null expected) at byte offset 0");
  /* Several lines: line and column too; the top-level member is named. */
  assert_parse_fails ("{\n \"a\": [1,\n 2,, 3]}", -1,
                      "not JSON: unexpected ',' where a value should be at byte offset 15 (line 3, column 4), in \"a\"");
  /* A NUL byte, binary data: not JSON. */
  assert_not_json ("\x89PNG", "not JSON: ");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) object = co2s_json_parse_object ("{\"a\":1}\0\0", 9, &error);

    g_assert_null (object);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpstr (error->message, ==, "not JSON: unexpected byte 0x00 after the JSON value at byte offset 7");
  }

  /* Valid JSON, but not an object at the top. */
  assert_parse_fails ("[1, 2, 3]", -1, "not a JSON object (an array)");
  assert_parse_fails ("42", -1, "not a JSON object (a number)");
  assert_parse_fails ("-0.5", -1, "not a JSON object (a number)");
  assert_parse_fails ("\"text\"", -1, "not a JSON object (a string)");
  assert_parse_fails ("true", -1, "not a JSON object (a boolean)");
  assert_parse_fails ("null", -1, "not a JSON object (null)");
}

/* What json-glib alone reads but is not JSON: refused, so that a model
 * file or a metrics line is read the same way as a record (issue 10). Each
 * of these used to load. */
static void
test_parse_strict (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "{\"a\":1}{\"a\":2}", "not JSON: a second JSON value after the first (one value per text) at byte offset 7" },
    { "{\"a\":1}\n{\"a\":2}\n",
      "not JSON: a second JSON value after the first (one value per text) at byte offset 8 (line 2, column 1)" },
    { "{\"a\":1} //", "not JSON: comment (JSON has no comments) at byte offset 8" },
    { "/* model */ {\"a\":1}", "not JSON: comment (JSON has no comments) at byte offset 0" },
    { "{\"batch\":0x10}", "not JSON: hexadecimal number (JSON numbers are decimal) at byte offset 9, in \"batch\"" },
    { "{\"batch\":010}", "not JSON: leading zero in a number at byte offset 9, in \"batch\"" },
    { "{'batch':1}", "not JSON: single-quoted key (JSON keys are double-quoted strings) at byte offset 1" },
    { "{\"algo\":\"l\\s\"}", "not JSON: invalid escape \\s in a string at byte offset 10, in \"algo\"" },
    { "\xef\xbb\xbf{\"a\":1}", "not JSON: byte order mark (BOM) before the JSON text at byte offset 0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      /* json-glib alone reads it (what the reader used to return). */
      g_test_message ("%s", cases[i].text);
      g_assert_true (json_parser_load_from_data (parser, cases[i].text, -1, NULL));
      assert_parse_fails (cases[i].text, -1, cases[i].message);
    }
}

static GString *
repeat (const char *head, const char *unit, guint n, const char *tail)
{
  GString *s = g_string_new (head);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  g_string_append (s, tail);
  return s;
}

/* json-glib recurses once per level and overflows the stack near 100,000
 * levels: the reader refuses more than CO2S_JSON_DOCUMENT_MAX_DEPTH levels
 * before json-glib sees the text. Without the check, the 100,000-level
 * cases below crash this test. */
static void
test_deep_nesting (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) at_limit = NULL;
  g_autoptr(GString) over_limit = NULL;
  g_autoptr(GString) in_strings = NULL;
  g_autoptr(GString) siblings = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *multi_line = NULL;

  g_assert_cmpint (CO2S_JSON_DOCUMENT_MAX_DEPTH, ==, 64);

  /* The object is level 1: 63 arrays inside reach 64, the limit. */
  at_limit = repeat ("{\"a\":", "[", 63, "");
  for (guint i = 0; i < 63; i++)
    g_string_append_c (at_limit, ']');
  g_string_append_c (at_limit, '}');
  object = co2s_json_parse_object (at_limit->str, at_limit->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  g_clear_pointer (&object, json_object_unref);

  over_limit = repeat ("{\"a\":", "[", 64, "");
  for (guint i = 0; i < 64; i++)
    g_string_append_c (over_limit, ']');
  g_string_append_c (over_limit, '}');
  assert_parse_fails (over_limit->str, over_limit->len, "nested deeper than 64 levels at byte offset 68, in \"a\"");

  /* The position of the first bracket too deep, on its line. */
  multi_line = g_strdup_printf ("{\n\"a\":\n  %s", over_limit->str + 5);
  assert_parse_fails (multi_line, -1, "nested deeper than 64 levels at byte offset 72 (line 3, column 66), in \"a\"");

  /* The crash the limit exists for, plain and disguised: json-glib reads a
   * '/' … '/' (1.6) or a C comment (later versions) as a comment and
   * single-quoted strings (1.6), so the closing brackets inside them do not
   * close anything; the strict check refuses those at the first one. */
  {
    static const struct {
      const char *unit;
      const char *message;
    } bombs[] = {
      { "[", "nested deeper than 64 levels at byte offset 64" },
      { "{\"k\":", "nested deeper than 64 levels at byte offset 320, in \"k\"" },
      { "[/*]*/", "not JSON: comment (JSON has no comments) at byte offset 1" },
      { "[/]/", "not JSON: comment (JSON has no comments) at byte offset 1" },
      { "[']',", "not JSON: single-quoted string (JSON strings use double quotes) at byte offset 1" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bombs); i++)
      {
        g_autoptr(GString) bomb = repeat ("", bombs[i].unit, 100000, "");

        assert_parse_fails (bomb->str, bomb->len, bombs[i].message);
      }
  }

  /* Brackets inside strings, escaped quotes included, do not count: exact on JSON. */
  in_strings = repeat ("{\"a\":\"\\\"", "[{", 500, "\", \"b\": [[[]]]}");
  object = co2s_json_parse_object (in_strings->str, in_strings->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "a")), ==, 1001);
  g_clear_pointer (&object, json_object_unref);

  /* Many siblings are not depth. */
  siblings = repeat ("{\"a\":[", "[[]],", 1000, "[]]}");
  object = co2s_json_parse_object (siblings->str, siblings->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "a")), ==, 1001);
  g_clear_pointer (&object, json_object_unref);

  /* After a comment, closing brackets no longer count: safe for any
   * json-glib, at the price of refusing such a document with many siblings. */
  g_assert_true (co2s_json_check_depth ("/**/ [[], []]", 13, 3, &error));
  g_assert_no_error (error);
  assert_failed (co2s_json_check_depth ("/**/ [[], [], []]", 17, 3, &error), &error,
                 "nested deeper than 3 levels at column 15");
  g_assert_true (co2s_json_check_depth ("[[], [], []] /**/", 17, 2, &error));
  g_assert_no_error (error);

  /* Any limit; a stray closing bracket does not go below 0. */
  g_assert_true (co2s_json_check_depth ("]]][[[", 6, 3, &error));
  assert_failed (co2s_json_check_depth ("]]][[[", 6, 2, &error), &error,
                 "nested deeper than 2 levels at column 6");
  g_assert_true (co2s_json_check_depth (NULL, 0, 0, &error));
  assert_failed (co2s_json_check_depth ("{}", 2, 0, &error), &error,
                 "nested deeper than 0 levels at column 1");
}

static void
test_get_int (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  gint64 v = 0;

  g_assert_true (co2s_json_get_int (o, "count", CO2S_JSON_REQUIRED, 0, 10, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 7);
  g_assert_true (co2s_json_get_int (o, "big", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64, &v, &error));
  g_assert_cmpint (v, ==, G_MAXINT64);
  g_assert_true (co2s_json_get_int (o, "small", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64, &v, &error));
  g_assert_cmpint (v, ==, G_MININT64);
  /* The bounds are inclusive. */
  g_assert_true (co2s_json_get_int (o, "count", CO2S_JSON_REQUIRED, 7, 7, &v, &error));
  g_assert_no_error (error);

  /* Absent or null: left as it is when allowed. */
  v = 99;
  g_assert_true (co2s_json_get_int (o, "absent", CO2S_JSON_OPTIONAL, 0, 10, &v, &error));
  g_assert_true (co2s_json_get_int (o, "nothing", CO2S_JSON_NULLABLE, 0, 10, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, 99);

  assert_failed (co2s_json_get_int (o, "absent", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"absent\" is missing");
  assert_failed (co2s_json_get_int (o, "absent", CO2S_JSON_NULLABLE, 0, 10, &v, &error), &error,
                 "member \"absent\" is missing");
  assert_failed (co2s_json_get_int (o, "nothing", CO2S_JSON_OPTIONAL, 0, 10, &v, &error), &error,
                 "member \"nothing\" is not an integer");
  assert_failed (co2s_json_get_int (o, "text", CO2S_JSON_NULLABLE, 0, 10, &v, &error), &error,
                 "member \"text\" is not an integer or null");
  assert_failed (co2s_json_get_int (o, "fraction", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"fraction\" is not an integer");
  assert_failed (co2s_json_get_int (o, "whole_double", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"whole_double\" is not an integer");
  assert_failed (co2s_json_get_int (o, "flag", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"flag\" is not an integer");
  assert_failed (co2s_json_get_int (o, "list", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"list\" is not an integer");

  /* Out of range, either side. */
  assert_failed (co2s_json_get_int (o, "negative", CO2S_JSON_REQUIRED, 0, 10, &v, &error), &error,
                 "member \"negative\" is -3, below 0");
  assert_failed (co2s_json_get_int (o, "count", CO2S_JSON_REQUIRED, -1, 6, &v, &error), &error,
                 "member \"count\" is 7, above 6");
  assert_failed (co2s_json_get_int (o, "big", CO2S_JSON_REQUIRED, 0, G_MAXINT32, &v, &error), &error,
                 "member \"big\" is 9223372036854775807, above 2147483647");
  assert_failed (co2s_json_get_int (o, "small", CO2S_JSON_REQUIRED, -1, 0, &v, &error), &error,
                 "member \"small\" is -9223372036854775808, below -1");
  g_assert_cmpint (v, ==, 99);   /* untouched by every failure */

  /* A dotted path looks up its last part and is named whole. */
  {
    JsonObject *deeper = json_object_get_object_member (json_object_get_object_member (o, "inner"), "deeper");

    g_assert_true (co2s_json_get_int (deeper, "inner.deeper.value", CO2S_JSON_REQUIRED, 0, 100, &v, &error));
    g_assert_cmpint (v, ==, 42);
    assert_failed (co2s_json_get_int (deeper, "inner.deeper.value", CO2S_JSON_REQUIRED, 0, 10, &v, &error),
                   &error, "member \"inner.deeper.value\" is 42, above 10");
    assert_failed (co2s_json_get_int (deeper, "inner.deeper.other", CO2S_JSON_REQUIRED, 0, 10, &v, &error),
                   &error, "member \"inner.deeper.other\" is missing");
  }
}

static void
test_get_count (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  guint64 n = 0;

  g_assert_true (co2s_json_get_count (o, "count", CO2S_JSON_REQUIRED, &n, &error));
  g_assert_cmpuint (n, ==, 7);
  g_assert_true (co2s_json_get_count (o, "big", CO2S_JSON_REQUIRED, &n, &error));
  g_assert_cmpuint (n, ==, G_MAXINT64);
  g_assert_no_error (error);

  n = G_MAXUINT64;   /* left as it is, even beyond what JSON holds */
  g_assert_true (co2s_json_get_count (o, "absent", CO2S_JSON_OPTIONAL, &n, &error));
  g_assert_true (co2s_json_get_count (o, "nothing", CO2S_JSON_NULLABLE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, G_MAXUINT64);

  assert_failed (co2s_json_get_count (o, "negative", CO2S_JSON_REQUIRED, &n, &error), &error,
                 "member \"negative\" is -3, below 0");
  assert_failed (co2s_json_get_count (o, "fraction", CO2S_JSON_REQUIRED, &n, &error), &error,
                 "member \"fraction\" is not an integer");
  assert_failed (co2s_json_get_count (o, "absent", CO2S_JSON_REQUIRED, &n, &error), &error,
                 "member \"absent\" is missing");
  g_assert_cmpuint (n, ==, G_MAXUINT64);
}

static void
test_get_double (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  double d = 0;

  g_assert_true (co2s_json_get_double (o, "fraction", CO2S_JSON_REQUIRED, &d, &error));
  g_assert_cmpfloat (d, ==, 1.5);
  g_assert_true (co2s_json_get_double (o, "count", CO2S_JSON_REQUIRED, &d, &error));   /* integers too */
  g_assert_cmpfloat (d, ==, 7.0);
  g_assert_true (co2s_json_get_double (o, "small", CO2S_JSON_REQUIRED, &d, &error));
  g_assert_cmpfloat (d, ==, -9223372036854775808.0);
  g_assert_no_error (error);

  d = NAN;
  g_assert_true (co2s_json_get_double (o, "absent", CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE, &d, &error));
  g_assert_true (co2s_json_get_double (o, "nothing", CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE, &d, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (d));

  /* json-glib reads 1e999 as an infinity; JSON has no such number. */
  assert_failed (co2s_json_get_double (o, "huge", CO2S_JSON_REQUIRED, &d, &error), &error,
                 "member \"huge\" is not a finite number");
  assert_failed (co2s_json_get_double (o, "minus_huge", CO2S_JSON_NULLABLE, &d, &error), &error,
                 "member \"minus_huge\" is not a finite number");
  assert_failed (co2s_json_get_double (o, "text", CO2S_JSON_REQUIRED, &d, &error), &error,
                 "member \"text\" is not a number");
  assert_failed (co2s_json_get_double (o, "flag", CO2S_JSON_NULLABLE, &d, &error), &error,
                 "member \"flag\" is not a number or null");
  assert_failed (co2s_json_get_double (o, "nothing", CO2S_JSON_OPTIONAL, &d, &error), &error,
                 "member \"nothing\" is not a number");
  assert_failed (co2s_json_get_double (o, "inner", CO2S_JSON_REQUIRED, &d, &error), &error,
                 "member \"inner\" is not a number");
  assert_failed (co2s_json_get_double (o, "absent", CO2S_JSON_NULLABLE, &d, &error), &error,
                 "member \"absent\" is missing");
  g_assert_true (isnan (d));
}

static void
test_get_string_object_array (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  const char *s = NULL;
  JsonObject *inner = NULL;
  JsonArray *list = NULL;

  g_assert_true (co2s_json_get_string (o, "text", CO2S_JSON_REQUIRED, &s, &error));
  g_assert_cmpstr (s, ==, "hé");
  g_assert_true (co2s_json_get_string (o, "empty_text", CO2S_JSON_REQUIRED, &s, &error));
  g_assert_cmpstr (s, ==, "");
  s = NULL;
  g_assert_true (co2s_json_get_string (o, "nothing", CO2S_JSON_NULLABLE, &s, &error));
  g_assert_true (co2s_json_get_string (o, "absent", CO2S_JSON_OPTIONAL, &s, &error));
  g_assert_null (s);
  assert_failed (co2s_json_get_string (o, "count", CO2S_JSON_NULLABLE, &s, &error), &error,
                 "member \"count\" is not a string or null");
  assert_failed (co2s_json_get_string (o, "nothing", CO2S_JSON_REQUIRED, &s, &error), &error,
                 "member \"nothing\" is not a string");
  assert_failed (co2s_json_get_string (o, "absent", CO2S_JSON_REQUIRED, &s, &error), &error,
                 "member \"absent\" is missing");

  g_assert_true (co2s_json_get_object (o, "inner", CO2S_JSON_REQUIRED, &inner, &error));
  g_assert_true (json_object_has_member (inner, "deeper"));
  assert_failed (co2s_json_get_object (o, "list", CO2S_JSON_REQUIRED, &inner, &error), &error,
                 "member \"list\" is not an object");
  assert_failed (co2s_json_get_object (o, "absent", CO2S_JSON_REQUIRED, &inner, &error), &error,
                 "member \"absent\" is missing");

  g_assert_true (co2s_json_get_array (o, "list", CO2S_JSON_REQUIRED, &list, &error));
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  list = NULL;
  g_assert_true (co2s_json_get_array (o, "nothing", CO2S_JSON_NULLABLE, &list, &error));
  g_assert_null (list);
  assert_failed (co2s_json_get_array (o, "inner", CO2S_JSON_REQUIRED, &list, &error), &error,
                 "member \"inner\" is not an array");
  assert_failed (co2s_json_get_array (o, "text", CO2S_JSON_OPTIONAL | CO2S_JSON_NULLABLE, &list, &error), &error,
                 "member \"text\" is not an array or null");
  g_assert_no_error (error);
}

static void
test_double_array (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  double v[3] = { 0 };
  double m[6] = { 0 };

  g_assert_true (co2s_json_get_double_array (o, "list", v, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (v[0], ==, 1.0);
  g_assert_cmpfloat (v[1], ==, 2.5);
  g_assert_cmpfloat (v[2], ==, -300.0);

  assert_failed (co2s_json_get_double_array (o, "short_list", v, 3, &error), &error,
                 "member \"short_list\" must have 3 elements, not 1");
  assert_failed (co2s_json_get_double_array (o, "list", v, 1, &error), &error,
                 "member \"list\" must have 1 element, not 3");
  assert_failed (co2s_json_get_double_array (o, "bad_list", v, 3, &error), &error,
                 "member \"bad_list[1]\" is not a number");
  assert_failed (co2s_json_get_double_array (o, "inf_list", v, 2, &error), &error,
                 "member \"inf_list[1]\" is not a finite number");
  assert_failed (co2s_json_get_double_array (o, "count", v, 3, &error), &error,
                 "member \"count\" is not an array");
  assert_failed (co2s_json_get_double_array (o, "nothing", v, 3, &error), &error,
                 "member \"nothing\" is not an array");
  assert_failed (co2s_json_get_double_array (o, "absent", v, 3, &error), &error,
                 "member \"absent\" is missing");

  g_assert_true (co2s_json_get_double_matrix (o, "matrix", m, 3, 2, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (m[i], ==, i + 1.0);
  assert_failed (co2s_json_get_double_matrix (o, "matrix", m, 2, 3, &error), &error,
                 "member \"matrix\" must have 2 elements, not 3");
  assert_failed (co2s_json_get_double_matrix (o, "matrix", m, 3, 3, &error), &error,
                 "member \"matrix[0]\" must have 3 elements, not 2");
  assert_failed (co2s_json_get_double_matrix (o, "ragged", m, 2, 2, &error), &error,
                 "member \"ragged[1]\" must have 2 elements, not 1");
  assert_failed (co2s_json_get_double_matrix (o, "not_rows", m, 3, 2, &error), &error,
                 "member \"not_rows[1]\" is not an array");
  assert_failed (co2s_json_get_double_matrix (o, "bad_cell", m, 2, 2, &error), &error,
                 "member \"bad_cell[1][1]\" is not a number");
  assert_failed (co2s_json_get_double_matrix (o, "list", m, 3, 2, &error), &error,
                 "member \"list[0]\" is not an array");
  assert_failed (co2s_json_get_double_matrix (o, "text", m, 3, 2, &error), &error,
                 "member \"text\" is not an array");
}

static void
test_array_elements (void)
{
  g_autoptr(JsonObject) o = load_sample ();
  g_autoptr(GError) error = NULL;
  JsonArray *strings = json_object_get_array_member (o, "strings");
  JsonArray *objects = json_object_get_array_member (o, "objects");
  const char *s = NULL;
  JsonObject *element = NULL;
  gint64 id = 0;

  g_assert_true (co2s_json_check_length (strings, "strings", 2, &error));
  assert_failed (co2s_json_check_length (strings, "strings", 3, &error), &error,
                 "member \"strings\" must have 3 elements, not 2");

  g_assert_true (co2s_json_array_get_string (strings, "strings", 0, &s, &error));
  g_assert_cmpstr (s, ==, "a");
  assert_failed (co2s_json_array_get_string (strings, "strings", 1, &s, &error), &error,
                 "member \"strings[1]\" is not a string");

  g_assert_true (co2s_json_array_get_object (objects, "objects", 0, &element, &error));
  g_assert_true (co2s_json_get_int (element, "objects[0].id", CO2S_JSON_REQUIRED, 0, 10, &id, &error));
  g_assert_cmpint (id, ==, 1);
  assert_failed (co2s_json_get_int (element, "objects[0].id", CO2S_JSON_REQUIRED, 2, 10, &id, &error), &error,
                 "member \"objects[0].id\" is 1, below 2");
  assert_failed (co2s_json_array_get_object (objects, "objects", 1, &element, &error), &error,
                 "member \"objects[1]\" is not an object");
  g_assert_no_error (error);
}

static void
test_member_error (void)
{
  g_autoptr(GError) error = NULL;

  assert_failed (co2s_json_set_member_error (&error, "state.t", "must be ≥ %d", 1), &error,
                 "member \"state.t\" must be ≥ 1");
  /* No error wanted: still FALSE. */
  g_assert_false (co2s_json_set_member_error (NULL, "x", "is odd"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-reader/parse", test_parse);
  g_test_add_func ("/json-reader/parse-errors", test_parse_errors);
  g_test_add_func ("/json-reader/parse-strict", test_parse_strict);
  g_test_add_func ("/json-reader/deep-nesting", test_deep_nesting);
  g_test_add_func ("/json-reader/get-int", test_get_int);
  g_test_add_func ("/json-reader/get-count", test_get_count);
  g_test_add_func ("/json-reader/get-double", test_get_double);
  g_test_add_func ("/json-reader/get-string-object-array", test_get_string_object_array);
  g_test_add_func ("/json-reader/double-array", test_double_array);
  g_test_add_func ("/json-reader/array-elements", test_array_elements);
  g_test_add_func ("/json-reader/member-error", test_member_error);

  return g_test_run ();
}
