/* test-record-json.c — the record JSON codec: encoding, each kind of error,
 * and the fast decoder's agreement with the json-glib reference on a table
 * of tricky inputs (fuzzing: test-record-json-fuzz.c). */
#define G_LOG_DOMAIN "test-record-json"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "record-json-test-util.h"

/* ---- encoding ------------------------------------------------------------ */

static void
test_encode (void)
{
  g_autoptr(GString) out = g_string_new ("prefix:");
  Co2sRecord r;

  co2s_record_init (&r);
  r.values[CO2S_COL_ENGINE_SIZE] = 2.0;
  r.values[CO2S_COL_CYLINDERS] = 4;
  r.values[CO2S_COL_FUEL_CITY] = 9.85;
  r.values[CO2S_COL_FUEL_HWY] = 6.95;
  r.values[CO2S_COL_FUEL_COMB] = 8.5;
  r.values[CO2S_COL_CO2] = 199;
  for (int c = CO2S_COL_FUEL_D; c <= CO2S_COL_FUEL_Z; c++)
    r.values[c] = (c == CO2S_COL_FUEL_Z);

  /* The optional mpg column is NAN: omitted; no seq, no ts_us. */
  co2s_record_to_json (&r, out);
  g_assert_cmpstr (out->str, ==, "prefix:{" B "}\n");

  g_string_truncate (out, 0);
  r.values[CO2S_COL_FUEL_COMB_MPG] = 33;
  r.seq = 0;
  r.emit_us = G_GINT64_CONSTANT (1717750000123456);
  co2s_record_to_json (&r, out);
  g_assert_cmpstr (out->str, ==,
                   "{\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,"
                   "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,"
                   "\"Fuel_Consumption_Comb-1\":33,\"CO2_Emissions\":199,\"Fuel_Type_D\":false,"
                   "\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,\"Fuel_Type_X\":false,"
                   "\"Fuel_Type_Z\":true,\"seq\":0,\"ts_us\":1717750000123456}\n");

  /* A required NAN is written as null (which decodes as NOT_FINITE), a flag
   * that is not 0/1 as a number (OUT_OF_RANGE), never invalid JSON. */
  g_string_truncate (out, 0);
  r.values[CO2S_COL_CO2] = NAN;
  r.values[CO2S_COL_FUEL_D] = 0.5;
  r.seq = -1;
  r.emit_us = 0;
  co2s_record_to_json (&r, out);
  g_assert_nonnull (strstr (out->str, "\"CO2_Emissions\":null,"));
  g_assert_nonnull (strstr (out->str, "\"Fuel_Type_D\":0.5,"));
  g_assert_null (strstr (out->str, "seq"));
}

/* Fewest significant digits of %.Ng that reads back as @v. */
static int
min_precision (double v)
{
  for (int prec = 1; prec <= 17; prec++)
    {
      char fmt[8], buf[64];

      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        return prec;
    }
  g_assert_not_reached ();
}

static int
significant_digits (const char *s)
{
  int n = 0, pending_zeros = 0;
  gboolean started = FALSE;

  for (; *s && *s != 'e' && *s != 'E'; s++)
    {
      if (!g_ascii_isdigit (*s))
        continue;
      if (*s == '0' && !started)
        continue;
      started = TRUE;
      if (*s == '0')
        pending_zeros++;   /* trailing zeros of an integer count only if followed */
      else
        n += pending_zeros + 1, pending_zeros = 0;
    }
  return MAX (n, 1);
}

static void
check_double (double v)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char *end = NULL;
  double back;
  guint64 a, b;

  co2s_json_append_double (s, v);
  back = g_ascii_strtod (s->str, &end);
  memcpy (&a, &v, sizeof a);
  memcpy (&b, &back, sizeof b);
  if (*end != '\0' || a != b)
    {
      g_test_message ("%.17g was written as \"%s\", which reads back as %.17g", v, s->str, back);
      g_test_fail ();
      return;
    }
  if (significant_digits (s->str) > min_precision (v))
    {
      g_test_message ("%.17g was written as \"%s\", longer than %d digits", v, s->str,
                      min_precision (v));
      g_test_fail ();
    }
  /* JSON number syntax: no "inf", no leading '+', no bare '.'. */
  g_assert_true (g_ascii_isdigit (s->str[0]) || (s->str[0] == '-' && g_ascii_isdigit (s->str[1])));
}

static void
test_shortest_double (void)
{
  static const struct { double v; const char *text; } fixed[] = {
    { 2.0, "2" }, { 9.9, "9.9" }, { 196, "196" }, { 0.1, "0.1" }, { -1.5, "-1.5" },
    { 0.0, "0" }, { -0.0, "-0.0" }, { 1e-7, "0.0000001" }, { 0.30000000000000004, "0.30000000000000004" },
    { 123456.789, "123456.789" }, { 1e20, "1e+20" }, { 1.5e-9, "1.5e-09" }, { 5e-324, "5e-324" },
    { G_MAXDOUBLE, "1.7976931348623157e+308" },
  };
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_string_truncate (s, 0);
      co2s_json_append_double (s, fixed[i].v);
      g_assert_cmpstr (s->str, ==, fixed[i].text);
      check_double (fixed[i].v);
    }
  g_string_truncate (s, 0);
  co2s_json_append_double (s, INFINITY);
  g_assert_cmpstr (s->str, ==, "null");

  for (int i = 0; i < 100000; i++)
    {
      guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
      double v;

      memcpy (&v, &bits, sizeof v);
      if (!isfinite (v))
        continue;
      check_double (v);
      check_double (round (random_in (0, 1000) * 10) / 10);   /* data-set-like */
      check_double (random_in (-1e6, 1e6));
    }
}

static void
test_round_trip (void)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (int i = 0; i < 20000; i++)
    {
      Co2sRecord r;
      Outcome fast, ref;
      gboolean fell_back;

      random_record (&r);
      g_string_truncate (line, 0);
      co2s_record_to_json (&r, line);
      g_assert_cmpint (line->str[line->len - 1], ==, '\n');
      fell_back = decode_both (line->str, line->len - 1, &fast, &ref);
      g_assert_false (fell_back);
      g_assert_no_error (fast.error);
      g_assert_true (fast.ok);
      g_assert_cmpmem (&fast.record, sizeof r, &r, sizeof r);
      g_assert_cmpmem (&ref.record, sizeof r, &r, sizeof r);
      outcome_clear (&fast);
      outcome_clear (&ref);

      /* With the newline too: surrounding whitespace is fine. */
      decode_both (line->str, line->len, &fast, &ref);
      g_assert_true (fast.ok);
      outcome_clear (&fast);
      outcome_clear (&ref);
    }
}

/* ---- errors, one test per kind ------------------------------------------- */

typedef struct {
  const char *json;
  Co2sRecordError code;
  const char *named;   /* what the message must mention */
} ErrorCase;

static void
check_errors (const ErrorCase *cases, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      Outcome fast, ref;

      decode_both (cases[i].json, strlen (cases[i].json), &fast, &ref);
      g_assert_false (fast.ok);
      g_assert_error (fast.error, CO2S_RECORD_ERROR, (int) cases[i].code);
      g_assert_error (ref.error, CO2S_RECORD_ERROR, (int) cases[i].code);
      if (cases[i].named != NULL && strstr (fast.error->message, cases[i].named) == NULL)
        {
          g_test_message ("\"%s\" does not mention %s", fast.error->message, cases[i].named);
          g_test_fail ();
        }
      outcome_clear (&fast);
      outcome_clear (&ref);
    }
}

static void
test_errors_not_json (void)
{
  static const ErrorCase cases[] = {
    { "", CO2S_RECORD_ERROR_NOT_JSON, "empty" },
    { " \n", CO2S_RECORD_ERROR_NOT_JSON, "empty" },
    { "{" B, CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "{" B ",}", CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "{" B "}x", CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "{\"Engine_Size\":NaN," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "{\"Engine_Size\":Infinity," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "Engine_Size,Cylinders", CO2S_RECORD_ERROR_NOT_JSON, NULL },
    { "{\"x\":\"\xff\"," B "}", CO2S_RECORD_ERROR_NOT_JSON, "UTF-8" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

/* JSON that json-glib alone reads (so the trainer used to learn such
 * lines): refused by both decoders, saying what, at which byte offset and
 * in which member (issue 10: hex, leading zeros, comments, a second object). */
static void
test_errors_non_standard (void)
{
  static const ErrorCase cases[] = {
    { "{\"Engine_Size\":2,\"Cylinders\":0x4,\"Fuel_Consumption_City\":9.85}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: hexadecimal number (JSON numbers are decimal) at byte offset 29, in \"Cylinders\"" },
    { "{\"Engine_Size\":02," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: leading zero in a number at byte offset 15, in \"Engine_Size\"" },
    { "{\"Engine_Size\":2 /* litres */," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: comment (JSON has no comments) at byte offset 17, in \"Engine_Size\"" },
    { "// a row\n{" B "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: comment (JSON has no comments) at byte offset 0 (line 1, column 1)" },
    { "{" B "}{" B "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: a second JSON value after the first (one value per text) at byte offset 235" },
    { "{" B ",}", CO2S_RECORD_ERROR_NOT_JSON, "not JSON: trailing comma before '}' at byte offset 234" },
    { "{'Engine_Size':2," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: single-quoted key (JSON keys are double-quoted strings) at byte offset 1" },
    { "{\"Engine_Size\":+2," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: '+' before a number (JSON numbers have no plus sign) at byte offset 15, in \"Engine_Size\"" },
    { "{\"Engine_Size\":NaN," B_TAIL "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: NaN or Infinity (JSON numbers are finite) at byte offset 15, in \"Engine_Size\"" },
    { "{" B ",\"note\":\"\\x41\"}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: invalid escape \\x in a string at byte offset 243, in \"note\"" },
    { "{" B ",\"note\":\"\\ud800x\"}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: unpaired surrogate \\uD800 in a string at byte offset 243, in \"note\"" },
    { "\xef\xbb\xbf{" B "}", CO2S_RECORD_ERROR_NOT_JSON,
      "not JSON: byte order mark (BOM) before the JSON text at byte offset 0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Outcome fast, ref;

      decode_both (cases[i].json, strlen (cases[i].json), &fast, &ref);
      g_assert_false (fast.ok);
      g_assert_error (fast.error, CO2S_RECORD_ERROR, (int) cases[i].code);
      g_assert_cmpstr (fast.error->message, ==, cases[i].named);
      outcome_clear (&fast);
      outcome_clear (&ref);
    }
}

static void
test_errors_not_object (void)
{
  static const ErrorCase cases[] = {
    { "[" "{" B "}" "]", CO2S_RECORD_ERROR_NOT_OBJECT, "array" },
    { "196", CO2S_RECORD_ERROR_NOT_OBJECT, "number" },
    { "\"{}\"", CO2S_RECORD_ERROR_NOT_OBJECT, "string" },
    { "null", CO2S_RECORD_ERROR_NOT_OBJECT, "null" },
    { " true ", CO2S_RECORD_ERROR_NOT_OBJECT, "boolean" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

static void
test_errors_missing_field (void)
{
  static const ErrorCase cases[] = {
    { "{}", CO2S_RECORD_ERROR_MISSING_FIELD, "Engine_Size" },
    { "{" B_TAIL "}", CO2S_RECORD_ERROR_MISSING_FIELD, "Engine_Size" },
    { "{" B_NO_FLAGS "}", CO2S_RECORD_ERROR_MISSING_FIELD, "Fuel_Type_D" },
    { "{\"engine_size\":2," B_TAIL "}", CO2S_RECORD_ERROR_MISSING_FIELD, "Engine_Size" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

static void
test_errors_bad_type (void)
{
  static const ErrorCase cases[] = {
    { "{\"Engine_Size\":\"2\"," B_TAIL "}", CO2S_RECORD_ERROR_BAD_TYPE, "Engine_Size" },
    { "{\"Engine_Size\":[2]," B_TAIL "}", CO2S_RECORD_ERROR_BAD_TYPE, "Engine_Size" },
    { "{\"Engine_Size\":{\"v\":2}," B_TAIL "}", CO2S_RECORD_ERROR_BAD_TYPE, "Engine_Size" },
    { "{\"Engine_Size\":true," B_TAIL "}", CO2S_RECORD_ERROR_BAD_TYPE, "Engine_Size" },
    { "{" B_NO_FLAGS ",\"Fuel_Type_D\":\"False\",\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,"
      "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true}", CO2S_RECORD_ERROR_BAD_TYPE, "Fuel_Type_D" },
    { "{" B ",\"seq\":1.0}", CO2S_RECORD_ERROR_BAD_TYPE, "seq" },
    { "{" B ",\"seq\":\"1\"}", CO2S_RECORD_ERROR_BAD_TYPE, "seq" },
    { "{" B ",\"seq\":null}", CO2S_RECORD_ERROR_BAD_TYPE, "seq" },
    { "{" B ",\"ts_us\":1e15}", CO2S_RECORD_ERROR_BAD_TYPE, "ts_us" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

static void
test_errors_not_finite (void)
{
  static const ErrorCase cases[] = {
    { "{\"Engine_Size\":null," B_TAIL "}", CO2S_RECORD_ERROR_NOT_FINITE, "Engine_Size" },
    { "{" B_NO_FLAGS ",\"Fuel_Type_D\":null,\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,"
      "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true}", CO2S_RECORD_ERROR_NOT_FINITE, "Fuel_Type_D" },
    { "{\"Engine_Size\":1e400," B_TAIL "}", CO2S_RECORD_ERROR_NOT_FINITE, "Engine_Size" },
    { "{\"Engine_Size\":-1e999," B_TAIL "}", CO2S_RECORD_ERROR_NOT_FINITE, "Engine_Size" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

static void
test_errors_out_of_range (void)
{
  static const ErrorCase cases[] = {
    { "{\"Engine_Size\":100," B_TAIL "}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "Engine_Size" },
    { "{\"Engine_Size\":-2," B_TAIL "}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "Engine_Size" },
    { "{\"Engine_Size\":1e-400," B_TAIL "}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "Engine_Size" },
    { "{" B_NO_FLAGS ",\"Fuel_Type_D\":2,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
      "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":1}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "Fuel_Type_D" },
    { "{" B_NO_FLAGS ",\"Fuel_Type_D\":true,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
      "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":1}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "fuel" },
    { "{" B_NO_FLAGS ",\"Fuel_Type_D\":0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
      "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":0}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "fuel" },
    { "{" B ",\"Fuel_Consumption_Comb-1\":1000}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "Fuel_Consumption_Comb-1" },
    { "{" B ",\"seq\":-1}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "seq" },
    { "{" B ",\"ts_us\":-5}", CO2S_RECORD_ERROR_OUT_OF_RANGE, "ts_us" },
  };
  check_errors (cases, G_N_ELEMENTS (cases));
}

/* ---- agreement with json-glib on tricky input ---------------------------- */

typedef struct {
  const char *json;
  gssize len;          /* -1: strlen */
  int expect;          /* OK or a Co2sRecordError: the strict verdict, both decoders */
  gboolean via_glib;   /* strict JSON the fast decoder leaves to json-glib */
  gboolean lax;        /* not strict JSON, yet json-glib 1.6 alone reads it (and
                        * the decoders used to take it): the strict check is what refuses it */
} Tricky;

static const Tricky tricky[] = {
  /* valid, strict */
  { "{" B "}", -1, OK, FALSE, FALSE },
  { " \t\r\n{ \"Engine_Size\" : 2 ,\n\"Cylinders\"\t:\t4\r\n,\"Fuel_Consumption_City\":9.85,"
    "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199, "
    FLAGS_Z " } \r\n", -1, OK, FALSE, FALSE },
  { "{\"Fuel_Type_Z\":true,\"CO2_Emissions\":199,\"Fuel_Type_X\":false,\"Engine_Size\":2,"
    "\"Fuel_Type_N\":false,\"Fuel_Consumption_Comb\":8.5,\"Fuel_Type_E\":false,\"Cylinders\":4,"
    "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Type_D\":false,\"Fuel_Consumption_City\":9.85}", -1, OK, FALSE, FALSE },
  { "{\"x\":{\"a\":[1,2,{\"b\":\"c\"}],\"d\":true,\"e\":null,\"f\":[]},\"y\":[[],{}]," B "}", -1, OK, FALSE, FALSE },
  { "{" B ",\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000\"}", -1, OK, FALSE, FALSE },
  { "{\"\\u0045ngine_Size\":2," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine\\u005fSize\":2," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine\\u005FSiz\\u0065\":2," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":\"x\"," B_TAIL ",\"Engine_Size\":3}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":3," B_TAIL ",\"Engine_Size\":\"x\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, FALSE, FALSE },
  { "{\"Engine_Size\":3," B_TAIL ",\"Engine_Size\":{\"x\":1}}", -1, CO2S_RECORD_ERROR_BAD_TYPE, FALSE, FALSE },
  { "{\"Engine_Size\":2.0," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":2e0," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":20e-1," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":0.2E+1," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":2.000000000000000000001," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":1.9999999999999999999," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":1.00000000000000011102230246251565404236316680908203125," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":0.0000000000000000000000000000009e30," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":2.22507385850720138309e-308e0," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":9.999999999999999e-1," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":123456789012345678e-17," B_TAIL "}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"CO2_Emissions\":1.99e2}", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"CO2_Emissions\":199.0000}", -1, OK, FALSE, FALSE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":-0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0.0,"
    "\"Fuel_Type_X\":-0.0,\"Fuel_Type_Z\":1.0}", -1, OK, FALSE, FALSE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":0e5,\"Fuel_Type_E\":-0e-5,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":10e-1}", -1, OK, FALSE, FALSE },
  { "{" B ",\"seq\":0,\"ts_us\":999999999999999999}", -1, OK, FALSE, FALSE },
  { "{" B ",\"seq\":9223372036854775807}", -1, OK, TRUE, FALSE },      /* 19 digits: json-glib's */
  { "{" B ",\"seq\":18446744073709551615}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, TRUE, FALSE }, /* wraps to -1 */
  { "{" B ",\"seq\":99999999999999999999999}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, TRUE, FALSE },
  { "{\"Engine_Size\":18446744073709551618," B_TAIL "}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, TRUE, FALSE },
  { "{" B ",\"seq\":-0}", -1, OK, FALSE, FALSE },
  { "{" B ",\"seq\":5,\"seq\":6}", -1, OK, FALSE, FALSE },
  { "{" B ",\"Fuel_Consumption_Comb-1\":null}", -1, OK, FALSE, FALSE },
  { "{" B ",\"Fuel_Consumption_Comb-1\":\"33\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, FALSE, FALSE },
  { "{" B ",\"\xc3\xa9\":\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\"}", -1, OK, FALSE, FALSE },
  { "{" B ",\"x\":\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"}", -1, OK, FALSE, FALSE },
  { "{" B ",\"\":1}", -1, OK, FALSE, FALSE },
  { "{" B ",\"Engine_Size_is_a_rather_long_key_that_is_not_ours\":\"x\"}", -1, OK, FALSE, FALSE },
  { "{" B ",\"x\":1e400,\"y\":-1e-400,\"z\":123456789012345678901234567890}", -1, OK, FALSE, FALSE },
  { "{" B ",\"x\":[1,[2,[3,[4,[5,{\"a\":[{\"b\":[]}]}]]]]]}", -1, OK, FALSE, FALSE },
  { "{" B "}\n", -1, OK, FALSE, FALSE },
  { "{" B "}\r\n", -1, OK, FALSE, FALSE },
  { "{\"Engine_Size\":\"2\"," B_TAIL ",\"Cylinders\":\"4\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, FALSE, FALSE },
  { "{\"Cylinders\":[4]}", -1, CO2S_RECORD_ERROR_MISSING_FIELD, FALSE, FALSE },
  { "{}", -1, CO2S_RECORD_ERROR_MISSING_FIELD, FALSE, FALSE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":true,\"Fuel_Type_E\":true,\"Fuel_Type_N\":false,"
    "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":false}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, FALSE, FALSE },

  /* strict JSON json-glib treats specially (left to it), or not strict after all */
  { "{\"Engine_Size\\u0000junk\":2," B_TAIL "}", -1, OK, TRUE, FALSE },   /* "\u0000" ends the key */
  { "{" B ",\"x\":\"\\ud800\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"\\ud800x\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },   /* json-glib: CESU-8 bytes */
  { "{" B ",\"x\":\"\\udc00\\udc00\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"\\ud800\\u0041\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "[{" B "}]", -1, CO2S_RECORD_ERROR_NOT_OBJECT, FALSE, FALSE },
  { "", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "  \r\n", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },

  /* not strict JSON: json-glib 1.6 extensions it accepts, which the strict check refuses */
  { "/* c */{" B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B "/* c */}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{'Engine_Size':2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":'2'," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":0x2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":$2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":02," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":2," B_TAIL ",\"Cylinders\":010}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },   /* octal: 8 */
  { "{\"Engine_Size\":.9," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":2.," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{\"Engine_Size\":-.9," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":- 0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":0b0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":0b1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B "}//", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },                           /* yet "{…}//x" is an error */
  { "{" B "}{\"Engine_Size\":\"x\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },   /* a second value is read, the first kept */
  { "{" B "}\n{\"a\":", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "var record = {" B "};", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "\xef\xbb\xbf{" B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B ",\"x\":\"a\tb\nc\x01\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B ",\"x\":\"\\q\\x41\\101\\0\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B ",\"x\":\"\\uZZZZ\\u00G0\\u\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, TRUE },
  { "{" B ",\"x\":\"\\u12\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },

  /* not strict JSON, and json-glib refuses it too */
  { "{" B ",}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{," B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",,\"x\":1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":[1,]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":[,1]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":[1 2]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":{\"a\"}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":{\"a\":}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\" 1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\"::1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",x:1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B "}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B "]", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B, -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"abc}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B "} x", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B "};", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "#{" B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":+2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":08," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2e," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2e+," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2.5.1," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2a," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":--2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":-," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":NaN," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":-Infinity," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":True}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":nul}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":truex}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"\xff\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"\xc3\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"\xc0\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },        /* overlong */
  { "{" B ",\"x\":\"\xed\xa0\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },    /* surrogate */
  { "{" B ",\"x\":\"\xf4\x90\x80\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE }, /* > U+10FFFF */
  { "{" B ",\"x\":\"\xe0\x80\xaf\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B "}\xff", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\"a\0b\"}", sizeof ("{" B ",\"x\":\"a\0b\"}") - 1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "}\0", sizeof ("{" B "}\0") - 1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
  { "{" B ",\"x\":\f1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE, FALSE },
};

/* json-glib 1.6 alone (no strict check) reads @data to a root value. */
static gboolean
json_glib_alone_reads (const char *data, gsize len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  return json_parser_load_from_data (parser, len > 0 ? data : "", (gssize) len, NULL) &&
         json_parser_get_root (parser) != NULL;
}

static void
test_agrees_with_json_glib (void)
{
  guint n_lax = 0;

  g_assert_cmpuint (G_N_ELEMENTS (tricky), >=, 100);

  for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
    {
      const Tricky *t = &tricky[i];
      gsize len = t->len >= 0 ? (gsize) t->len : strlen (t->json);
      g_autofree char *shown = show (t->json, len);
      Outcome fast, ref;
      gboolean fell_back;

      fell_back = decode_both (t->json, len, &fast, &ref);
      if (t->expect == OK ? !ref.ok : (ref.ok || ref.error->code != t->expect))
        {
          g_test_message ("case %u \"%s\": expected %s, the reference says %s", i, shown,
                          t->expect == OK ? "OK" : co2s_record_error_reason (t->expect),
                          ref.ok ? "OK" : ref.error->message);
          g_test_fail ();
        }
      if (fell_back != t->via_glib)
        {
          g_test_message ("case %u \"%s\": the fast decoder %s", i, shown,
                          fell_back ? "handed it to json-glib" : "decided it without json-glib");
          g_test_fail ();
        }
      /* Where json-glib alone is laxer than the rule, the strict verdict
       * stands: NOT_JSON with a byte offset. */
      if (t->lax)
        {
          n_lax++;
          g_assert_cmpint (t->expect, ==, CO2S_RECORD_ERROR_NOT_JSON);
          g_assert_nonnull (strstr (fast.error->message, " at byte offset "));
        }
      if (json_glib_alone_reads (t->json, len) != (t->lax || t->expect != CO2S_RECORD_ERROR_NOT_JSON))
        {
          g_test_message ("case %u \"%s\": json-glib alone %s it: the table's lax column is wrong", i,
                          shown, t->lax ? "refuses" : "reads");
          g_test_fail ();
        }
      outcome_clear (&fast);
      outcome_clear (&ref);

      /* The producer's peek agrees with the reference on the same inputs. */
      peek_both (t->json, len, NULL, NULL);
    }
  g_assert_cmpuint (n_lax, >=, 20);
}

/* Nesting: exactly the limit is fine, one more is NOT_JSON, in both. */
static void
test_depth (void)
{
  for (int extra = -1; extra <= 1; extra++)
    {
      int levels = CO2S_JSON_MAX_DEPTH + extra - 1;   /* below the record object */
      g_autoptr(GString) s = g_string_new ("{" B ",\"x\":");
      Outcome fast, ref;

      for (int i = 0; i < levels; i++)
        g_string_append (s, i % 2 ? "{\"k\":" : "[");
      g_string_append (s, "0");
      for (int i = levels - 1; i >= 0; i--)
        g_string_append (s, i % 2 ? "}" : "]");
      g_string_append (s, "}");

      g_assert_false (decode_both (s->str, s->len, &fast, &ref));
      if (extra <= 0)
        g_assert_true (fast.ok);
      else
        g_assert_error (fast.error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON);
      outcome_clear (&fast);
      outcome_clear (&ref);
    }

  /* Far deeper than json-glib 1.6 survives (it recurses): refused, no crash. */
  {
    g_autoptr(GString) s = g_string_new ("{\"x\":");
    Outcome fast, ref;

    for (int i = 0; i < 1000000; i++)
      g_string_append_c (s, '[');
    decode_both (s->str, s->len, &fast, &ref);
    g_assert_error (fast.error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON);
    outcome_clear (&fast);
    outcome_clear (&ref);
    g_assert_false (peek_both (s->str, s->len, NULL, NULL));
  }

  /* The same depth hidden from a plain bracket count by comments, which
   * json-glib reads (each "[", slash, star, "]", star, slash opens one
   * level): refused, no crash. */
  {
    g_autoptr(GString) s = g_string_new ("{\"Engine_Size\":");
    Outcome fast, ref;

    for (int i = 0; i < 200000; i++)
      g_string_append (s, "[/*]*/");
    decode_both (s->str, s->len, &fast, &ref);
    g_assert_error (fast.error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON);
    g_assert_error (ref.error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON);
    outcome_clear (&fast);
    outcome_clear (&ref);
  }
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record-json/encode", test_encode);
  g_test_add_func ("/record-json/shortest-double", test_shortest_double);
  g_test_add_func ("/record-json/round-trip", test_round_trip);
  g_test_add_func ("/record-json/errors/not-json", test_errors_not_json);
  g_test_add_func ("/record-json/errors/non-standard", test_errors_non_standard);
  g_test_add_func ("/record-json/errors/not-object", test_errors_not_object);
  g_test_add_func ("/record-json/errors/missing-field", test_errors_missing_field);
  g_test_add_func ("/record-json/errors/bad-type", test_errors_bad_type);
  g_test_add_func ("/record-json/errors/not-finite", test_errors_not_finite);
  g_test_add_func ("/record-json/errors/out-of-range", test_errors_out_of_range);
  g_test_add_func ("/record-json/agrees-with-json-glib", test_agrees_with_json_glib);
  g_test_add_func ("/record-json/depth", test_depth);

  return g_test_run ();
}
