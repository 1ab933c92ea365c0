/* test-record-json.c — the record JSON codec: encoding, the fast decoder and
 * its agreement with the json-glib reference on valid and invalid input. */
#define G_LOG_DOMAIN "test-record-json"

#include <math.h>
#include <string.h>

#include "co2s-record-json.h"

/* A valid record's members, in schema order (no braces). */
#define B_TAIL "\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,\"Fuel_Consumption_Hwy\":6.95," \
  "\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199,\"Fuel_Type_D\":false," \
  "\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true"
#define B "\"Engine_Size\":2," B_TAIL
/* B without the flags, to vary them. */
#define B_NO_FLAGS "\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85," \
  "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199"
#define FLAGS_Z "\"Fuel_Type_D\":false,\"Fuel_Type_E\":false,\"Fuel_Type_N\":false," \
  "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true"

#define OK (-1)

/* ---- helpers ------------------------------------------------------------- */

typedef struct {
  gboolean ok;
  Co2sRecord record;
  GError *error;
} Outcome;

/* @data made printable for a test message. */
static char *
show (const char *data, gsize len)
{
  g_autofree char *copy = g_strndup (data, MIN (len, 2000));

  return g_strescape (copy, NULL);
}

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
}

/* Decodes with both decoders and asserts they agree: same verdict, same
 * error code and message, or the same record bit for bit. Returns whether
 * the fast decoder fell back to json-glib. */
static gboolean
decode_both (const char *data, gsize len, Outcome *fast, Outcome *ref)
{
  guint64 before = co2s_record_json_fallback_count ();
  gboolean fell_back;

  memset (fast, 0, sizeof *fast);
  memset (ref, 0, sizeof *ref);
  fast->ok = co2s_record_from_json (data, len, &fast->record, &fast->error);
  fell_back = co2s_record_json_fallback_count () != before;
  ref->ok = co2s_record_from_json_glib (data, len, &ref->record, &ref->error);

  if (fast->ok != ref->ok ||
      (fast->ok && memcmp (&fast->record, &ref->record, sizeof fast->record) != 0) ||
      (!fast->ok && (fast->error == NULL || ref->error == NULL ||
                     fast->error->code != ref->error->code ||
                     strcmp (fast->error->message, ref->error->message) != 0)))
    {
      g_autofree char *shown = show (data, len);

      g_test_message ("input: \"%s\" (%" G_GSIZE_FORMAT " bytes)", shown, len);
      g_test_message ("fast: %s %s", fast->ok ? "OK" : "FAIL",
                      fast->error ? fast->error->message : "");
      g_test_message ("json-glib: %s %s", ref->ok ? "OK" : "FAIL",
                      ref->error ? ref->error->message : "");
      for (int c = 0; fast->ok && ref->ok && c < CO2S_N_COLUMNS; c++)
        g_test_message ("%s: %.17g vs %.17g", co2s_column_name (c),
                        fast->record.values[c], ref->record.values[c]);
      g_test_fail ();
    }
  return fell_back;
}

/* Both peek decoders agree on @data; returns the verdict. */
static gboolean
peek_both (const char *data, gsize len, gint64 *seq, GError **error)
{
  g_autoptr(GError) fast_error = NULL;
  g_autoptr(GError) ref_error = NULL;
  gint64 fast_seq = 7, ref_seq = 7;
  gboolean fast_ok = co2s_json_object_peek_seq (data, len, &fast_seq, &fast_error);
  gboolean ref_ok = co2s_json_object_peek_seq_glib (data, len, &ref_seq, &ref_error);

  if (fast_ok != ref_ok || fast_seq != ref_seq ||
      (!fast_ok && (fast_error->code != ref_error->code ||
                    strcmp (fast_error->message, ref_error->message) != 0)))
    {
      g_autofree char *shown = show (data, len);

      g_test_message ("peek disagrees on \"%s\": fast %d seq %" G_GINT64_FORMAT " %s, "
                      "json-glib %d seq %" G_GINT64_FORMAT " %s", shown,
                      fast_ok, fast_seq, fast_error ? fast_error->message : "",
                      ref_ok, ref_seq, ref_error ? ref_error->message : "");
      g_test_fail ();
    }
  if (seq != NULL)
    *seq = fast_seq;
  if (!fast_ok)
    g_propagate_error (error, g_steal_pointer (&fast_error));
  return fast_ok;
}

static double
random_in (double lo, double hi)
{
  return g_test_rand_double_range (lo, hi);
}

/* A valid record with full-precision values (random mantissa bits). */
static void
random_record (Co2sRecord *r)
{
  int fuel = g_test_rand_int_range (0, 5);

  co2s_record_init (r);
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      double lo, hi;

      co2s_column_range (c, &lo, &hi);
      switch (co2s_column_type (c))
        {
        case CO2S_COLUMN_BOOLEAN:
          r->values[c] = (c - CO2S_COL_FUEL_D == fuel) ? 1.0 : 0.0;
          break;
        case CO2S_COLUMN_INTEGER:
          r->values[c] = g_test_rand_bit () ? round (random_in (lo, hi)) : random_in (lo, hi);
          break;
        case CO2S_COLUMN_FLOAT:
        default:
          /* One-decimal like the data set, or any double in range. */
          r->values[c] = g_test_rand_bit () ? round (random_in (lo, hi) * 10) / 10 : random_in (lo, hi);
          break;
        }
    }
  if (g_test_rand_bit ())
    r->values[CO2S_COL_FUEL_COMB_MPG] = NAN;
  r->seq = g_test_rand_bit () ? -1 : g_test_rand_int_range (0, G_MAXINT32);
  r->emit_us = g_test_rand_bit () ? 0 : G_GINT64_CONSTANT (1700000000000000) + g_test_rand_int ();
}

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
  gssize len;        /* -1: strlen */
  int expect;        /* OK or a Co2sRecordError: what json-glib 1.6 makes of it */
  gboolean strict;   /* strict JSON: the fast decoder must decide it alone */
} Tricky;

static const Tricky tricky[] = {
  /* valid, strict */
  { "{" B "}", -1, OK, TRUE },
  { " \t\r\n{ \"Engine_Size\" : 2 ,\n\"Cylinders\"\t:\t4\r\n,\"Fuel_Consumption_City\":9.85,"
    "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199, "
    FLAGS_Z " } \r\n", -1, OK, TRUE },
  { "{\"Fuel_Type_Z\":true,\"CO2_Emissions\":199,\"Fuel_Type_X\":false,\"Engine_Size\":2,"
    "\"Fuel_Type_N\":false,\"Fuel_Consumption_Comb\":8.5,\"Fuel_Type_E\":false,\"Cylinders\":4,"
    "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Type_D\":false,\"Fuel_Consumption_City\":9.85}", -1, OK, TRUE },
  { "{\"x\":{\"a\":[1,2,{\"b\":\"c\"}],\"d\":true,\"e\":null,\"f\":[]},\"y\":[[],{}]," B "}", -1, OK, TRUE },
  { "{" B ",\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000\"}", -1, OK, TRUE },
  { "{\"\\u0045ngine_Size\":2," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine\\u005fSize\":2," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine\\u005FSiz\\u0065\":2," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":\"x\"," B_TAIL ",\"Engine_Size\":3}", -1, OK, TRUE },
  { "{\"Engine_Size\":3," B_TAIL ",\"Engine_Size\":\"x\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, TRUE },
  { "{\"Engine_Size\":3," B_TAIL ",\"Engine_Size\":{\"x\":1}}", -1, CO2S_RECORD_ERROR_BAD_TYPE, TRUE },
  { "{\"Engine_Size\":2.0," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":2e0," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":20e-1," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":0.2E+1," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":2.000000000000000000001," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":1.9999999999999999999," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":1.00000000000000011102230246251565404236316680908203125," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":0.0000000000000000000000000000009e30," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":2.22507385850720138309e-308e0," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":9.999999999999999e-1," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":123456789012345678e-17," B_TAIL "}", -1, OK, TRUE },
  { "{\"Engine_Size\":2," B_TAIL ",\"CO2_Emissions\":1.99e2}", -1, OK, TRUE },
  { "{\"Engine_Size\":2," B_TAIL ",\"CO2_Emissions\":199.0000}", -1, OK, TRUE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":-0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0.0,"
    "\"Fuel_Type_X\":-0.0,\"Fuel_Type_Z\":1.0}", -1, OK, TRUE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":0e5,\"Fuel_Type_E\":-0e-5,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":10e-1}", -1, OK, TRUE },
  { "{" B ",\"seq\":0,\"ts_us\":999999999999999999}", -1, OK, TRUE },
  { "{" B ",\"seq\":9223372036854775807}", -1, OK, FALSE },      /* 19 digits: json-glib's */
  { "{" B ",\"seq\":18446744073709551615}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, FALSE }, /* wraps to -1 */
  { "{" B ",\"seq\":99999999999999999999999}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, FALSE },
  { "{\"Engine_Size\":18446744073709551618," B_TAIL "}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, FALSE },
  { "{" B ",\"seq\":-0}", -1, OK, TRUE },
  { "{" B ",\"seq\":5,\"seq\":6}", -1, OK, TRUE },
  { "{" B ",\"Fuel_Consumption_Comb-1\":null}", -1, OK, TRUE },
  { "{" B ",\"Fuel_Consumption_Comb-1\":\"33\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, TRUE },
  { "{" B ",\"\xc3\xa9\":\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\"}", -1, OK, TRUE },
  { "{" B ",\"x\":\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"}", -1, OK, TRUE },
  { "{" B ",\"\":1}", -1, OK, TRUE },
  { "{" B ",\"Engine_Size_is_a_rather_long_key_that_is_not_ours\":\"x\"}", -1, OK, TRUE },
  { "{" B ",\"x\":1e400,\"y\":-1e-400,\"z\":123456789012345678901234567890}", -1, OK, TRUE },
  { "{" B ",\"x\":[1,[2,[3,[4,[5,{\"a\":[{\"b\":[]}]}]]]]]}", -1, OK, TRUE },
  { "{" B "}\n", -1, OK, TRUE },
  { "{" B "}\r\n", -1, OK, TRUE },
  { "{\"Engine_Size\":\"2\"," B_TAIL ",\"Cylinders\":\"4\"}", -1, CO2S_RECORD_ERROR_BAD_TYPE, TRUE },
  { "{\"Cylinders\":[4]}", -1, CO2S_RECORD_ERROR_MISSING_FIELD, TRUE },
  { "{}", -1, CO2S_RECORD_ERROR_MISSING_FIELD, TRUE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":true,\"Fuel_Type_E\":true,\"Fuel_Type_N\":false,"
    "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":false}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, TRUE },

  /* strict JSON that json-glib treats specially (left to it) */
  { "{\"Engine_Size\\u0000junk\":2," B_TAIL "}", -1, OK, FALSE },   /* "\u0000" ends the key */
  { "{" B ",\"x\":\"\\ud800\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"\\ud800x\"}", -1, OK, FALSE },                 /* becomes CESU-8 bytes */
  { "{" B ",\"x\":\"\\udc00\\udc00\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"\\ud800\\u0041\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "[{" B "}]", -1, CO2S_RECORD_ERROR_NOT_OBJECT, FALSE },
  { "", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "  \r\n", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },

  /* not strict JSON: json-glib 1.6 extensions it accepts */
  { "/* c */{" B "}", -1, OK, FALSE },
  { "{" B "/* c */}", -1, OK, FALSE },
  { "{'Engine_Size':2," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":'2'," B_TAIL "}", -1, CO2S_RECORD_ERROR_BAD_TYPE, FALSE },
  { "{\"Engine_Size\":0x2," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":$2," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":02," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"Cylinders\":010}", -1, OK, FALSE },   /* octal: 8 */
  { "{\"Engine_Size\":.9," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":2.," B_TAIL "}", -1, OK, FALSE },
  { "{\"Engine_Size\":-.9," B_TAIL "}", -1, CO2S_RECORD_ERROR_OUT_OF_RANGE, FALSE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":- 0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":1}", -1, OK, FALSE },
  { "{" B_NO_FLAGS ",\"Fuel_Type_D\":0b0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,"
    "\"Fuel_Type_X\":0,\"Fuel_Type_Z\":0b1}", -1, OK, FALSE },
  { "{" B "}//", -1, OK, FALSE },                           /* yet "{…}//x" is an error */
  { "{" B "}{\"Engine_Size\":\"x\"}", -1, OK, FALSE },   /* a second value is read, the first kept */
  { "{" B "}\n{\"a\":", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "var record = {" B "};", -1, OK, FALSE },
  { "\xef\xbb\xbf{" B "}", -1, OK, FALSE },
  { "{" B ",\"x\":\"a\tb\nc\x01\"}", -1, OK, FALSE },
  { "{" B ",\"x\":\"\\q\\x41\\101\\0\"}", -1, OK, FALSE },
  { "{" B ",\"x\":\"\\uZZZZ\\u00G0\\u\"}", -1, OK, FALSE },
  { "{" B ",\"x\":\"\\u12\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },

  /* not strict JSON, and json-glib refuses it too */
  { "{" B ",}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{," B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",,\"x\":1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":[1,]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":[,1]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":[1 2]}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":{\"a\"}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":{\"a\":}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\" 1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\"::1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",x:1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "}}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "]", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B, -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"abc}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "} x", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "};", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "#{" B "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":+2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":08," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2e," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2e+," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2.5.1," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2a," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":--2," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":-," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":NaN," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":-Infinity," B_TAIL "}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":True}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":nul}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{\"Engine_Size\":2," B_TAIL ",\"x\":truex}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"\xff\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"\xc3\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"\xc0\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },        /* overlong */
  { "{" B ",\"x\":\"\xed\xa0\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },    /* surrogate */
  { "{" B ",\"x\":\"\xf4\x90\x80\x80\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE }, /* > U+10FFFF */
  { "{" B ",\"x\":\"\xe0\x80\xaf\"}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "}\xff", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\"a\0b\"}", sizeof ("{" B ",\"x\":\"a\0b\"}") - 1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B "}\0", sizeof ("{" B "}\0") - 1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
  { "{" B ",\"x\":\f1}", -1, CO2S_RECORD_ERROR_NOT_JSON, FALSE },
};

static void
test_agrees_with_json_glib (void)
{
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
          g_test_message ("case %u \"%s\": expected %s, json-glib says %s", i, shown,
                          t->expect == OK ? "OK" : co2s_record_error_reason (t->expect),
                          ref.ok ? "OK" : ref.error->message);
          g_test_fail ();
        }
      if (fell_back == t->strict)
        {
          g_test_message ("case %u \"%s\": the fast decoder %s", i, shown,
                          fell_back ? "fell back on strict JSON" : "decided non-strict JSON itself");
          g_test_fail ();
        }
      outcome_clear (&fast);
      outcome_clear (&ref);

      /* The producer's peek agrees with json-glib on the same inputs. */
      peek_both (t->json, len, NULL, NULL);
    }
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
}

/* ---- random mutation fuzzing --------------------------------------------- */

static const char alphabet[] = "{}[]\":,.-+eE0123456789 \t\r\n\\u/tfnalsrxX'#*$bd";

static char
random_byte (void)
{
  switch (g_test_rand_int_range (0, 4))
    {
    case 0:  return (char) g_test_rand_int_range (0, 256);
    case 1:  return (char) g_test_rand_int_range (0x80, 0x100);
    default: return alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
    }
}

static void
mutate (GString *s)
{
  int n = g_test_rand_int_range (1, 5);

  for (int m = 0; m < n; m++)
    {
      gsize pos = s->len > 0 ? (gsize) g_test_rand_int_range (0, s->len) : 0;

      switch (g_test_rand_int_range (0, 6))
        {
        case 0:   /* flip */
          if (s->len > 0)
            s->str[pos] = random_byte ();
          break;
        case 1:   /* insert */
          g_string_insert_c (s, pos, random_byte ());
          break;
        case 2:   /* delete a few */
          if (s->len > 0)
            {
              gsize n_del = g_test_rand_int_range (1, 4);
              g_string_erase (s, pos, MIN (s->len - pos, n_del));
            }
          break;
        case 3:   /* truncate */
          g_string_truncate (s, pos);
          break;
        case 4:   /* duplicate a span */
          if (s->len > 0)
            {
              gsize n_dup = g_test_rand_int_range (1, 40);
              g_autofree char *span = NULL;

              n_dup = MIN (s->len - pos, n_dup);
              span = g_memdup2 (s->str + pos, n_dup);
              g_string_insert_len (s, g_test_rand_int_range (0, s->len + 1), span, n_dup);
            }
          break;
        default:  /* an interesting token */
          {
            static const char *tokens[] = {
              "\\u0000", "\\ud800", "\\udc00", "\\u0041", "1e400", "-0", "0x1", "01",
              "null", "true", "[", "{", "\"\"", "/*", "\xef\xbb\xbf", "\xc3\xa9",
              "18446744073709551616", ".5", "1.", "'", "\\\"",
            };
            g_string_insert (s, pos, tokens[g_test_rand_int_range (0, G_N_ELEMENTS (tokens))]);
          }
          break;
        }
    }
}

/* A random number token: mostly valid JSON, sometimes not quite. */
static void
random_number (GString *s)
{
  int form = g_test_rand_int_range (0, 6);

  if (form == 0)
    {
      /* A data-set-like value printed some way. */
      static const char *fmts[] = { "%.1f", "%.17g", "%.3e", "%.20f", "%.0f", "%g" };
      char buf[64];

      g_ascii_formatd (buf, sizeof buf, fmts[g_test_rand_int_range (0, G_N_ELEMENTS (fmts))],
                       random_in (0.5, 10));
      g_string_append (s, buf);
      return;
    }
  if (g_test_rand_int_range (0, 4) == 0)
    g_string_append_c (s, '-');
  if (g_test_rand_int_range (0, 8) == 0)
    g_string_append_c (s, '0');
  for (int i = g_test_rand_int_range (form == 1 ? 0 : 1, form == 2 ? 30 : 4); i > 0; i--)
    g_string_append_c (s, '0' + g_test_rand_int_range (0, 10));
  if (g_test_rand_bit ())
    {
      g_string_append_c (s, '.');
      for (int i = g_test_rand_int_range (0, form == 3 ? 40 : 6); i > 0; i--)
        g_string_append_c (s, '0' + g_test_rand_int_range (0, 10));
    }
  if (g_test_rand_int_range (0, 3) == 0)
    {
      g_string_append_c (s, g_test_rand_bit () ? 'e' : 'E');
      if (g_test_rand_bit ())
        g_string_append_c (s, g_test_rand_bit () ? '-' : '+');
      for (int i = g_test_rand_int_range (0, form == 4 ? 5 : 3); i > 0; i--)
        g_string_append_c (s, '0' + g_test_rand_int_range (0, 10));
    }
}

static void
random_ws (GString *s)
{
  static const char ws[] = " \t\r\n";

  if (g_test_rand_int_range (0, 4) == 0)
    for (int i = g_test_rand_int_range (1, 4); i > 0; i--)
      g_string_append_c (s, ws[g_test_rand_int_range (0, 4)]);
}

/* A JSON string: plain ASCII, every escape, \u forms (pairs, lone
 * surrogates, \u0000) and raw UTF-8. */
static void
random_string (GString *s)
{
  static const char *pieces[] = {
    "a", "Z", " ", "seq", "Engine_Size", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n",
    "\\r", "\\t", "\\u0041", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\uDBFF\\uDFFF",
    "\\u0000", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "{", "]", ":", ",",
  };
  static const char *rare[] = { "\\ud800", "\\udfff", "\\ud800\\u0041", "\\ud800x", "\t" };

  g_string_append_c (s, '"');
  for (int i = g_test_rand_int_range (0, 6); i > 0; i--)
    if (g_test_rand_int_range (0, 50) == 0)
      g_string_append (s, rare[g_test_rand_int_range (0, G_N_ELEMENTS (rare))]);
    else
      g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  g_string_append_c (s, '"');
}

static void
random_value (GString *s, int depth)
{
  switch (g_test_rand_int_range (0, depth < 3 ? 8 : 6))
    {
    case 0:
      random_number (s);   /* not always valid */
      break;
    case 1:
      /* A valid JSON number of any shape. */
      if (g_test_rand_bit ())
        g_string_append_c (s, '-');
      if (g_test_rand_int_range (0, 3) == 0)
        g_string_append_c (s, '0');
      else
        g_string_append_printf (s, "%u", g_test_rand_int_range (1, G_MAXINT32));
      if (g_test_rand_bit ())
        g_string_append_printf (s, ".%0*u", g_test_rand_int_range (1, 10), g_test_rand_int_range (0, G_MAXINT32));
      if (g_test_rand_bit ())
        g_string_append_printf (s, "%s%s%d", g_test_rand_bit () ? "e" : "E",
                                g_test_rand_bit () ? "-" : g_test_rand_bit () ? "+" : "",
                                g_test_rand_int_range (0, 400));
      break;
    case 2: random_string (s); break;
    case 3: g_string_append (s, "true"); break;
    case 4: g_string_append (s, "false"); break;
    case 5: g_string_append (s, "null"); break;
    case 6:
      g_string_append_c (s, '[');
      random_ws (s);
      for (int i = 0, n = g_test_rand_int_range (0, 4); i < n; i++)
        {
          if (i > 0)
            g_string_append_c (s, ',');
          random_ws (s);
          random_value (s, depth + 1);
          random_ws (s);
        }
      g_string_append_c (s, ']');
      break;
    default:
      g_string_append_c (s, '{');
      random_ws (s);
      for (int i = 0, n = g_test_rand_int_range (0, 4); i < n; i++)
        {
          if (i > 0)
            g_string_append_c (s, ',');
          random_ws (s);
          random_string (s);
          random_ws (s);
          g_string_append_c (s, ':');
          random_ws (s);
          random_value (s, depth + 1);
          random_ws (s);
        }
      g_string_append_c (s, '}');
      break;
    }
}

/* A key spelled @name, sometimes with its letters escaped. */
static void
key_variant (GString *s, const char *name)
{
  g_string_append_c (s, '"');
  for (const char *c = name; *c; c++)
    if (g_test_rand_int_range (0, 30) == 0)
      g_string_append_printf (s, g_test_rand_bit () ? "\\u%04x" : "\\u%04X", *c);
    else
      g_string_append_c (s, *c);
  if (g_test_rand_int_range (0, 200) == 0)
    g_string_append (s, g_test_rand_bit () ? "\\u0000x" : "x");
  g_string_append_c (s, '"');
}

/* Mostly strict JSON built member by member: keys shuffled, escaped,
 * duplicated or dropped, values right or replaced by any JSON value,
 * unknown members, whitespace between tokens. */
static void
structured_record (GString *s, const Co2sRecord *r)
{
  int order[CO2S_N_COLUMNS + 2];
  int n = 0;

  for (int i = 0; i < CO2S_N_COLUMNS + 2; i++)
    order[n++] = i;
  if (g_test_rand_int_range (0, 4) == 0)
    for (int i = n - 1; i > 0; i--)
      {
        int j = g_test_rand_int_range (0, i + 1), t = order[i];
        order[i] = order[j], order[j] = t;
      }

  random_ws (s);
  g_string_append_c (s, '{');
  for (int i = 0, written = 0; i < n; i++)
    {
      int k = order[i];
      const char *name = k < CO2S_N_COLUMNS ? co2s_column_name (k) : k == CO2S_N_COLUMNS ? "seq" : "ts_us";
      int copies = g_test_rand_int_range (0, 40) == 0 ? 2 : g_test_rand_int_range (0, 60) == 0 ? 0 : 1;

      for (int copy = 0; copy < copies; copy++)
        {
          if (written++ > 0)
            g_string_append_c (s, ',');
          random_ws (s);
          if (g_test_rand_int_range (0, 10) == 0)
            {
              random_string (s);   /* an unknown member first */
              random_ws (s);
              g_string_append_c (s, ':');
              random_value (s, 1);
              g_string_append_c (s, ',');
            }
          key_variant (s, name);
          random_ws (s);
          g_string_append_c (s, ':');
          random_ws (s);
          if (g_test_rand_int_range (0, 12) == 0)
            random_value (s, 1);
          else if (k == CO2S_N_COLUMNS)
            g_string_append_printf (s, "%" G_GINT64_FORMAT, MAX (r->seq, 0));
          else if (k > CO2S_N_COLUMNS)
            g_string_append_printf (s, "%" G_GINT64_FORMAT, MAX (r->emit_us, 0));
          else if (co2s_column_type (k) == CO2S_COLUMN_BOOLEAN && g_test_rand_bit ())
            g_string_append (s, r->values[k] == 1.0 ? "true" : "false");
          else
            co2s_json_append_double (s, r->values[k]);
          random_ws (s);
        }
    }
  g_string_append_c (s, '}');
  random_ws (s);
}

static void
test_fuzz (void)
{
  g_autoptr(GString) base = g_string_new (NULL);
  g_autoptr(GString) s = g_string_new (NULL);
  guint n_ok = 0, n_fast = 0, n_fast_ok = 0;
  int n_cases = g_test_thorough () ? 2000000 : 200000;

  for (int i = 0; i < n_cases; i++)
    {
      Co2sRecord r;
      Outcome fast, ref;

      random_record (&r);
      if (i % 2 == 0)
        {
          g_string_truncate (base, 0);
          co2s_record_to_json (&r, base);
          g_string_assign (s, base->str);
          mutate (s);
        }
      else
        {
          g_string_truncate (s, 0);
          structured_record (s, &r);
          if (g_test_rand_int_range (0, 8) == 0)
            mutate (s);
        }
      n_fast += !decode_both (s->str, s->len, &fast, &ref);
      n_ok += fast.ok;
      outcome_clear (&fast);
      outcome_clear (&ref);
      if (i % 8 == 0)
        peek_both (s->str, s->len, NULL, NULL);
      if (g_test_failed ())
        return;
    }

  /* Number tokens in a column, in an unknown key and in seq. */
  for (int i = 0; i < 100000; i++)
    {
      static const char *prefixes[] = { "{\"Engine_Size\":", "{" B ",\"x\":", "{" B ",\"seq\":" };
      int where = g_test_rand_int_range (0, 3);
      Outcome fast, ref;
      gboolean fell_back;

      g_string_assign (s, prefixes[where]);
      random_number (s);
      g_string_append (s, where == 0 ? "," B_TAIL "}" : "}");
      fell_back = decode_both (s->str, s->len, &fast, &ref);
      if (!fell_back && fast.ok)
        n_fast_ok++;
      outcome_clear (&fast);
      outcome_clear (&ref);
      if (g_test_failed ())
        return;
    }
  g_test_message ("%d mutated records: %u decided by the fast decoder alone, %u still valid; "
                  "%u number cases decoded by the fast path", n_cases, n_fast, n_ok, n_fast_ok);
  /* The fuzzing must reach both sides of the grammar to mean anything. */
  g_assert_cmpuint (n_fast, >, (guint) n_cases / 4);
  g_assert_cmpuint (n_ok, >, 1000);
  g_assert_cmpuint (n_fast_ok, >, 10000);
}

/* Decimal numbers in a column, checked bit for bit against g_ascii_strtod
 * (not only against json-glib): 1 to 25 significant digits, near and far
 * from halfway points, plain and with exponents. */
static void
test_numbers (void)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) token = g_string_new (NULL);
  g_autoptr(GString) s = g_string_new (NULL);
  guint n_fast = 0;

  for (int i = 0; i < 100000; i++)
    {
      int n, q, exponent;
      Outcome fast, ref;
      double want;

      /* Significant digits D: runs of 0 and 9 and a final 5 put the value
       * near halfway points between doubles. */
      g_string_truncate (digits, 0);
      g_string_append_c (digits, '0' + g_test_rand_int_range (1, 10));
      for (int d = g_test_rand_int_range (0, 25); d > 0; d--)
        switch (g_test_rand_int_range (0, 4))
          {
          case 0:  g_string_append_c (digits, '0'); break;
          case 1:  g_string_append_c (digits, '9'); break;
          default: g_string_append_c (digits, '0' + g_test_rand_int_range (0, 10)); break;
          }
      if (g_test_rand_bit ())
        g_string_append_c (digits, '5');
      n = digits->len;

      /* Written with the point after q digits (q <= 0: leading zeros; q >= n:
       * trailing zeros) and the exponent that makes the value D[0].D[1…],
       * within Engine_Size's range. */
      q = g_test_rand_bit () ? 1 : g_test_rand_int_range (-6, n + 7);
      g_string_truncate (token, 0);
      if (q <= 0)
        {
          g_string_append (token, "0.");
          for (int z = 0; z < -q; z++)
            g_string_append_c (token, '0');
          g_string_append (token, digits->str);
        }
      else if (q < n)
        {
          g_string_append_len (token, digits->str, q);
          g_string_append_c (token, '.');
          g_string_append (token, digits->str + q);
        }
      else
        {
          g_string_append (token, digits->str);
          for (int z = 0; z < q - n; z++)
            g_string_append_c (token, '0');
        }
      exponent = 1 - q;
      if (exponent != 0)
        g_string_append_printf (token, "%s%d", g_test_rand_bit () ? "e" : "E", exponent);
      want = g_ascii_strtod (token->str, NULL);
      g_assert_cmpfloat (want, >=, 1.0);
      g_assert_cmpfloat (want, <=, 10.0);

      g_string_printf (s, "{\"Engine_Size\":%s," B_TAIL "}", token->str);
      if (!decode_both (s->str, s->len, &fast, &ref))
        n_fast++;
      if (!fast.ok || memcmp (&fast.record.values[CO2S_COL_ENGINE_SIZE], &want, sizeof want) != 0)
        {
          g_test_message ("%s: the fast decoder %s %.17g, g_ascii_strtod %.17g", token->str,
                          fast.ok ? "read" : "refused it:", fast.record.values[CO2S_COL_ENGINE_SIZE], want);
          g_test_fail ();
        }
      outcome_clear (&fast);
      outcome_clear (&ref);
      if (g_test_failed ())
        return;
    }
  g_assert_cmpuint (n_fast, ==, 100000);   /* all strict JSON: none left to json-glib */
}

/* ---- the producer's peek ------------------------------------------------- */

static void
test_peek_seq (void)
{
  static const struct {
    const char *json;
    gboolean ok;
    gint64 seq;
  } cases[] = {
    { "{" B ",\"seq\":42}", TRUE, 42 },
    { "{\"seq\":0}", TRUE, 0 },
    { "{\"seq\":9223372036854775807}", TRUE, G_MAXINT64 },
    { "{\"a\":[{\"seq\":1}],\"seq\":7,\"b\":\"seq\"}", TRUE, 7 },
    { "{\"seq\":1,\"seq\":2}", TRUE, 2 },
    { "{\"s\\u0065q\":3}", TRUE, 3 },
    { "{" B "}", TRUE, -1 },
    { "{}", TRUE, -1 },
    { "{\"seq\":4.0}", TRUE, -1 },
    { "{\"seq\":4e0}", TRUE, -1 },
    { "{\"seq\":-4}", TRUE, -1 },
    { "{\"seq\":\"4\"}", TRUE, -1 },
    { "{\"seq\":null}", TRUE, -1 },
    { "{\"seq\":18446744073709551615}", TRUE, -1 },   /* json-glib reads -1 */
    { "{\"seq\":0x10}", TRUE, 16 },                   /* json-glib's hex */
    { "{\"seq\":5}{\"seq\":6}", TRUE, 5 },            /* json-glib keeps the first */
    { "{\"seq\":5} ", TRUE, 5 },
    { "", FALSE, -1 },
    { "{\"seq\":5", FALSE, -1 },
    { "{\"seq\":5}x", FALSE, -1 },
    { "seq=5", FALSE, -1 },
    { "[{\"seq\":5}]", FALSE, -1 },
    { "5", FALSE, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 seq = 99;
      gboolean ok = peek_both (cases[i].json, strlen (cases[i].json), &seq, &error);

      g_test_message ("peek \"%s\"", cases[i].json);
      g_assert_cmpint (ok, ==, cases[i].ok);
      g_assert_cmpint (seq, ==, cases[i].seq);
      if (ok)
        g_assert_no_error (error);
      else if (cases[i].json[0] == '[' || cases[i].json[0] == '5')
        g_assert_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_OBJECT);
      else
        g_assert_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON);
    }

  /* NULL @seq is allowed. */
  g_assert_true (co2s_json_object_peek_seq ("{}", 2, NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record-json/encode", test_encode);
  g_test_add_func ("/record-json/shortest-double", test_shortest_double);
  g_test_add_func ("/record-json/round-trip", test_round_trip);
  g_test_add_func ("/record-json/errors/not-json", test_errors_not_json);
  g_test_add_func ("/record-json/errors/not-object", test_errors_not_object);
  g_test_add_func ("/record-json/errors/missing-field", test_errors_missing_field);
  g_test_add_func ("/record-json/errors/bad-type", test_errors_bad_type);
  g_test_add_func ("/record-json/errors/not-finite", test_errors_not_finite);
  g_test_add_func ("/record-json/errors/out-of-range", test_errors_out_of_range);
  g_test_add_func ("/record-json/agrees-with-json-glib", test_agrees_with_json_glib);
  g_test_add_func ("/record-json/depth", test_depth);
  g_test_add_func ("/record-json/numbers", test_numbers);
  g_test_add_func ("/record-json/fuzz", test_fuzz);
  g_test_add_func ("/record-json/peek-seq", test_peek_seq);

  return g_test_run ();
}
