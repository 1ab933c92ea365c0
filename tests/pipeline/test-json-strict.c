/* test-json-strict.c — co2s_json_check_strict: RFC 8259 and nothing more,
 * each refusal with what and where; against json-glib, which reads more. */
#define G_LOG_DOMAIN "test-json-strict"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "co2s-json-strict.h"

/* Valid: the whole grammar, every escape, UTF-8 at its edges. */
static const char * const valid[] = {
  "{}", "[]", "0", "-0", "1", "-1", "0.5", "-0.0", "10", "1e5", "1E+5", "1e-5", "123.456e-789",
  "9999999999999999999999999999", "\"\"", "\"a\"", "true", "false", "null",
  " \t\r\n{ \"a\" : [ 1 , 2.5 , -3e2 , true , false , null , \"x\" , { } , [ ] ] } \t\r\n",
  "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
  "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\uFFFF \\ud83d\\ude00 \\uDBFF\\uDFFF\"",
  "\"\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\"",
  "{\"\":1,\"a\":1,\"a\":2}",   /* duplicate keys are not the grammar's business */
  "[\"\x7f\"]",
};

typedef struct {
  const char *text;
  gssize len;            /* -1: strlen */
  gboolean glib_takes;   /* json-glib 1.6 reads it without an error */
  const char *message;   /* the whole message */
} Refused;

static const Refused refused[] = {
  /* json-glib's extensions */
  { "{\"a\":0x1F}", -1, TRUE, "hexadecimal number (JSON numbers are decimal) at byte offset 5, in \"a\"" },
  { "{\"a\":02}", -1, TRUE, "leading zero in a number at byte offset 5, in \"a\"" },
  { "[017]", -1, TRUE, "leading zero in a number at byte offset 1" },
  { "[-01]", -1, TRUE, "leading zero in a number at byte offset 1" },
  { "[0b1]", -1, TRUE, "unexpected 'b' in a number at byte offset 2" },
  { "[$ff]", -1, TRUE, "unexpected '$' where a value should be at byte offset 1" },
  { "[.5]", -1, TRUE, "number starting with '.' (a digit must come first) at byte offset 1" },
  { "[1.]", -1, TRUE, "no digit after the decimal point at byte offset 2" },
  { "[- 5]", -1, TRUE, "'-' not followed by a digit at byte offset 1" },
  { "/* c */ {}", -1, TRUE, "comment (JSON has no comments) at byte offset 0" },
  { "{} // c", -1, FALSE, "comment (JSON has no comments) at byte offset 3" },
  { "{\"a\":1 /* c */}", -1, TRUE, "comment (JSON has no comments) at byte offset 7, in \"a\"" },
  { "{'a':1}", -1, TRUE, "single-quoted key (JSON keys are double-quoted strings) at byte offset 1" },
  { "{\"a\":'x'}", -1, TRUE, "single-quoted string (JSON strings use double quotes) at byte offset 5, in \"a\"" },
  { "[\"a\tb\"]", -1, TRUE, "unescaped control character U+0009 in a string at byte offset 3" },
  { "[\"\\q\"]", -1, TRUE, "invalid escape \\q in a string at byte offset 2" },
  { "[\"\\101\"]", -1, TRUE, "invalid escape \\1 in a string at byte offset 2" },
  { "[\"\\ud800x\"]", -1, TRUE, "unpaired surrogate \\uD800 in a string at byte offset 2" },
  { "[\"\\uZZZZ\"]", -1, TRUE, "\\u not followed by four hex digits in a string at byte offset 2" },
  { "\xef\xbb\xbf{}", -1, TRUE, "byte order mark (BOM) before the JSON text at byte offset 0" },
  { "var x = {};", -1, TRUE, "unexpected 'v' where a value should be at byte offset 0" },
  { "{\"a\":1}{\"a\":2}", -1, TRUE, "a second JSON value after the first (one value per text) at byte offset 7" },
  { "{\"a\":1}\n{\"a\":2}\n", -1, TRUE,
    "a second JSON value after the first (one value per text) at byte offset 8 (line 2, column 1)" },
  /* json-glib refuses these too; the message says what and where */
  { "", -1, FALSE, "empty (no JSON value)" },
  { " \r\n\t", -1, FALSE, "empty (no JSON value)" },
  { "{\"a\":+1}", -1, FALSE, "'+' before a number (JSON numbers have no plus sign) at byte offset 5, in \"a\"" },
  { "[NaN]", -1, FALSE, "NaN or Infinity (JSON numbers are finite) at byte offset 1" },
  { "[-Infinity]", -1, FALSE, "NaN or Infinity (JSON numbers are finite) at byte offset 1" },
  { "[nan]", -1, FALSE, "NaN or Infinity (JSON numbers are finite) at byte offset 1" },
  { "[1e]", -1, FALSE, "no digit in the exponent at byte offset 2" },
  { "[1e+]", -1, FALSE, "no digit in the exponent at byte offset 2" },
  { "[2.5.1]", -1, FALSE, "unexpected '.' in a number at byte offset 4" },
  { "[2a]", -1, FALSE, "unexpected 'a' in a number at byte offset 2" },
  { "[--2]", -1, FALSE, "'-' not followed by a digit at byte offset 1" },
  { "{\"a\":1,}", -1, FALSE, "trailing comma before '}' at byte offset 6" },
  { "[1, ]", -1, FALSE, "trailing comma before ']' at byte offset 2" },
  { "[,1]", -1, FALSE, "unexpected ',' where a value should be at byte offset 1" },
  { "{,\"a\":1}", -1, FALSE, "unexpected ',' where a key should be at byte offset 1" },
  { "{a:1}", -1, FALSE, "unquoted key (JSON keys are double-quoted strings) at byte offset 1" },
  { "{\"a\" 1}", -1, FALSE, "':' expected after a key, not '1' at byte offset 5, in \"a\"" },
  { "{\"a\":}", -1, FALSE, "unexpected '}' where a value should be at byte offset 5, in \"a\"" },
  { "[1 2]", -1, FALSE, "unexpected '2' after an element (',' or ']' expected) at byte offset 3" },
  { "{\"a\":1]", -1, FALSE, "unexpected ']' after a member (',' or '}' expected) at byte offset 6, in \"a\"" },
  { "{\"a\":[1}", -1, FALSE, "unexpected '}' after an element (',' or ']' expected) at byte offset 7, in \"a\"" },
  { "{\"a\":1", -1, FALSE, "unexpected end of the input in an object ('}' missing) at byte offset 6, in \"a\"" },
  { "[1,", -1, FALSE, "unexpected end of the input where a value should be at byte offset 3" },
  { "{\"a\":\"x}", -1, FALSE, "unterminated string (no closing '\"') at byte offset 5, in \"a\"" },
  { "{\"a\":1}}", -1, FALSE, "unexpected '}' after the JSON value at byte offset 7" },
  { "{\"a\":1} x", -1, FALSE, "unexpected 'x' after the JSON value at byte offset 8" },
  { "[True]", -1, FALSE, "unexpected 'T' where a value should be at byte offset 1" },
  { "[nul]", -1, FALSE, "invalid literal (true, false or null expected) at byte offset 1" },
  { "[truex]", -1, FALSE, "invalid literal (true, false or null expected) at byte offset 1" },
  { "[\"\\u12\"]", -1, FALSE, "\\u not followed by four hex digits in a string at byte offset 2" },
  { "[\"\\udc00\"]", -1, FALSE, "unpaired surrogate \\uDC00 in a string at byte offset 2" },
  { "[\"\\ud800\\u0041\"]", -1, FALSE, "unpaired surrogate \\uD800 in a string at byte offset 2" },
  { "[\"\xff\"]", -1, FALSE, "invalid UTF-8 in a string at byte offset 2" },
  { "[\"\xc0\x80\"]", -1, FALSE, "invalid UTF-8 in a string at byte offset 2" },          /* overlong */
  { "[\"\xed\xa0\x80\"]", -1, FALSE, "invalid UTF-8 in a string at byte offset 2" },      /* surrogate */
  { "[\"\xf4\x90\x80\x80\"]", -1, FALSE, "invalid UTF-8 in a string at byte offset 2" },  /* > U+10FFFF */
  { "[\"\xe2\x82\"]", -1, FALSE, "invalid UTF-8 in a string at byte offset 2" },          /* cut short */
  { "[1]\xff", -1, FALSE, "unexpected byte 0xFF after the JSON value at byte offset 3" },
  { "[\"a\0b\"]", 7, FALSE, "unescaped control character U+0000 in a string at byte offset 3" },
  { "[1]\0", 4, FALSE, "unexpected byte 0x00 after the JSON value at byte offset 3" },
  { "[\f1]", -1, FALSE, "unexpected byte 0x0C where a value should be at byte offset 1" },
  /* the member named is the top-level one, as written, at most 40 bytes */
  { "{\"ok\":1,\"outer\":{\"inner\":[1,0x2]}}", -1, TRUE,
    "hexadecimal number (JSON numbers are decimal) at byte offset 28, in \"outer\"" },
  { "{\"\\u0041\":01}", -1, TRUE, "leading zero in a number at byte offset 10, in \"\\u0041\"" },
  { "{\"a_key_that_is_much_longer_than_forty_bytes_in_all\":01}", -1, TRUE,
    "leading zero in a number at byte offset 53, in \"a_key_that_is_much_longer_than_forty_byt…\"" },
  /* lines and columns when there are several lines */
  { "{\n  \"a\": 1,\n  \"b\": 0x2\n}\n", -1, TRUE,
    "hexadecimal number (JSON numbers are decimal) at byte offset 19 (line 3, column 8), in \"b\"" },
};

static void
test_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      Co2sJsonVerdict v = co2s_json_check_strict (valid[i], strlen (valid[i]), 64, NULL, &error);

      g_test_message ("%s", valid[i]);
      g_assert_no_error (error);
      g_assert_cmpint (v, ==, CO2S_JSON_VALID);
    }
}

static void
test_kinds (void)
{
  static const struct { const char *text; Co2sJsonKind kind; const char *name; } kinds[] = {
    { " {} ", CO2S_JSON_KIND_OBJECT, "an object" }, { "[1]", CO2S_JSON_KIND_ARRAY, "an array" },
    { "\"s\"", CO2S_JSON_KIND_STRING, "a string" }, { "-1.5", CO2S_JSON_KIND_NUMBER, "a number" },
    { "false", CO2S_JSON_KIND_BOOLEAN, "a boolean" }, { "null\n", CO2S_JSON_KIND_NULL, "null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      Co2sJsonKind kind = 99;

      g_assert_cmpint (co2s_json_check_strict (kinds[i].text, strlen (kinds[i].text), 1, &kind, NULL),
                       ==, CO2S_JSON_VALID);
      g_assert_cmpint (kind, ==, kinds[i].kind);
      g_assert_cmpstr (co2s_json_kind_name (kind), ==, kinds[i].name);
    }
  g_assert_cmpint (co2s_json_check_strict (NULL, 0, 1, NULL, NULL), ==, CO2S_JSON_EMPTY);
}

/* Each refusal: INVALID (or EMPTY) with the exact message; and json-glib's
 * own verdict as the table says, so that the table shows where json-glib
 * alone is laxer. */
static void
test_refused (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      const Refused *r = &refused[i];
      gsize len = r->len >= 0 ? (gsize) r->len : strlen (r->text);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) glib_error = NULL;
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autofree char *copy = g_strndup (r->text, len);
      g_autofree char *shown = g_strescape (copy, NULL);
      Co2sJsonVerdict v = co2s_json_check_strict (r->text, len, 64, NULL, &error);
      gboolean glib_ok;

      g_test_message ("case %u: \"%s\"", i, shown);
      g_assert_cmpint (v, ==, len > 0 && strspn (r->text, " \t\r\n") < len ? CO2S_JSON_INVALID : CO2S_JSON_EMPTY);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, r->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));

      glib_ok = json_parser_load_from_data (parser, len > 0 ? r->text : "", (gssize) len, &glib_error) &&
                json_parser_get_root (parser) != NULL;
      if (glib_ok != r->glib_takes)
        {
          g_test_message ("case %u: json-glib %s it (%s)", i, glib_ok ? "takes" : "refuses",
                          glib_error ? glib_error->message : "no error");
          g_test_fail ();
        }
    }
}

/* Exactly @max_depth levels pass, one more is TOO_DEEP at the bracket too
 * deep, whatever comes after; a million levels take no stack. */
static void
test_depth (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint max = 1; max <= 130; max += 43)
    {
      g_string_truncate (s, 0);
      for (guint i = 0; i < max; i++)
        g_string_append (s, i % 2 ? "[" : "{\"k\":");
      g_string_append_c (s, '0');
      for (guint i = max; i-- > 0;)
        g_string_append (s, i % 2 ? "]" : "}");
      g_assert_cmpint (co2s_json_check_strict (s->str, s->len, max, NULL, &error), ==, CO2S_JSON_VALID);
      g_assert_no_error (error);
      g_assert_cmpint (co2s_json_check_strict (s->str, s->len, max - 1, NULL, &error), ==, CO2S_JSON_TOO_DEEP);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_true (g_str_has_prefix (error->message, "nested deeper than"));
      g_clear_error (&error);
    }
  g_assert_cmpint (co2s_json_check_strict ("{\"a\":[[]]}", 10, 2, NULL, &error), ==, CO2S_JSON_TOO_DEEP);
  g_assert_cmpstr (error->message, ==, "nested deeper than 2 levels at byte offset 6, in \"a\"");
  g_clear_error (&error);
  g_assert_cmpint (co2s_json_check_strict ("[1]", 3, 0, NULL, &error), ==, CO2S_JSON_TOO_DEEP);
  g_clear_error (&error);
  g_assert_cmpint (co2s_json_check_strict ("1", 1, 0, NULL, &error), ==, CO2S_JSON_VALID);

  /* A problem before the bracket too deep is reported first. */
  g_assert_cmpint (co2s_json_check_strict ("[01,[[[]]]]", 11, 2, NULL, &error), ==, CO2S_JSON_INVALID);
  g_assert_cmpstr (error->message, ==, "leading zero in a number at byte offset 1");
  g_clear_error (&error);

  /* Siblings are not depth. */
  g_string_assign (s, "[");
  for (int i = 0; i < 10000; i++)
    g_string_append (s, "[[]],");
  g_string_append (s, "[]]");
  g_assert_cmpint (co2s_json_check_strict (s->str, s->len, 3, NULL, &error), ==, CO2S_JSON_VALID);

  g_string_truncate (s, 0);
  for (int i = 0; i < 1000000; i++)
    g_string_append_c (s, '[');
  g_assert_cmpint (co2s_json_check_strict (s->str, s->len, CO2S_JSON_STRICT_MAX_DEPTH, NULL, &error),
                   ==, CO2S_JSON_TOO_DEEP);
  g_clear_error (&error);
  for (int i = 0; i < 1000000; i++)
    g_string_append_c (s, ']');
  g_assert_cmpint (co2s_json_check_strict (s->str, s->len, CO2S_JSON_STRICT_MAX_DEPTH, NULL, &error),
                   ==, CO2S_JSON_TOO_DEEP);
}

/* Every prefix of a valid text is refused (or empty), never read past its
 * end; the whole text passes. Catches off-by-ones at the end of input. */
static void
test_prefixes (void)
{
  static const char text[] =
    "{\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\\ud83d\\ude00\xc3\xa9\"],\"b\":{\"c\":0}}";
  gsize n = strlen (text);

  for (gsize len = 0; len < n; len++)
    {
      g_autofree char *copy = g_memdup2 (text, len);   /* exact size: ASan sees overreads */
      g_autoptr(GError) error = NULL;
      Co2sJsonVerdict v = co2s_json_check_strict (copy, len, 8, NULL, &error);

      g_assert_cmpint (v, ==, len == 0 ? CO2S_JSON_EMPTY : CO2S_JSON_INVALID);
      g_assert_nonnull (error);
    }
  g_assert_cmpint (co2s_json_check_strict (text, n, 8, NULL, NULL), ==, CO2S_JSON_VALID);
}

/* Random texts built from JSON's pieces and a few foreign ones: whatever
 * the check calls valid, json-glib reads (json-glib is a superset). */
static void
test_superset_of_json_glib (void)
{
  static const char *pieces[] = {
    "{", "}", "[", "]", ",", ":", "\"a\"", "\"\\u00e9\"", "\"\\ud800\"", "1", "-0", "0.5", "1e5",
    "true", "null", " ", "\n", "01", "0x1", "/**/", "'a'", "+1", ".5", "\"\t\"", "\xff", "NaN",
  };
  g_autoptr(GString) s = g_string_new (NULL);
  guint n_valid = 0;

  for (int i = 0; i < 100000; i++)
    {
      g_string_truncate (s, 0);
      for (int k = g_test_rand_int_range (1, 12); k > 0; k--)
        g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      if (co2s_json_check_strict (s->str, s->len, 64, NULL, NULL) == CO2S_JSON_VALID)
        {
          g_autoptr(JsonParser) parser = json_parser_new_immutable ();
          g_autoptr(GError) error = NULL;

          n_valid++;
          if (!json_parser_load_from_data (parser, s->str, (gssize) s->len, &error))
            {
              g_autofree char *shown = g_strescape (s->str, NULL);

              g_test_message ("strict JSON json-glib refuses: \"%s\": %s", shown, error->message);
              g_test_fail ();
              return;
            }
        }
    }
  g_test_message ("%u of 100000 random texts were strict JSON", n_valid);
  g_assert_cmpuint (n_valid, >, 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-strict/valid", test_valid);
  g_test_add_func ("/json-strict/kinds", test_kinds);
  g_test_add_func ("/json-strict/refused", test_refused);
  g_test_add_func ("/json-strict/depth", test_depth);
  g_test_add_func ("/json-strict/prefixes", test_prefixes);
  g_test_add_func ("/json-strict/superset-of-json-glib", test_superset_of_json_glib);

  return g_test_run ();
}
