/* test-record-json-corners.c — the fast decoder's shortcuts at their edges,
 * each compared with the json-glib reference (decode_both) and, for
 * numbers, bit for bit with g_ascii_strtod:
 *
 *  - numbers: the exact fast path (significand up to 2^53, power of ten up
 *    to 10^22) against the strtod one, at 15 to 20 significant digits,
 *    with leading and trailing zeros, exponents, -0;
 *  - integer literals at 18, 19 and 20 digits (seq, ts_us);
 *  - keys: the expected-key comparison (a word at a time, or byte by byte
 *    near the end of the input) against keys that share a prefix with ours,
 *    are escaped, spaced, repeated or come in another order;
 *  - co2s_record_validate's one-pass check against the rules. */
#define G_LOG_DOMAIN "test-record-json"

#include <math.h>
#include <string.h>

#include "record-json-test-util.h"

/* @json through both decoders (they must agree). */
static void
check_record (const char *json)
{
  Outcome fast, ref;

  decode_both (json, strlen (json), &fast, &ref);
  outcome_clear (&fast);
  outcome_clear (&ref);
}

/* Decodes {"Engine_Size":@token,…} with both decoders, and checks that the
 * fast one read exactly g_ascii_strtod's value without falling back. */
static void
check_engine_size (const char *token)
{
  g_autofree char *json = g_strdup_printf ("{\"Engine_Size\":%s," B_TAIL "}", token);
  double want = g_ascii_strtod (token, NULL);
  Outcome fast, ref;

  g_assert_cmpfloat (want, >=, 0.5);
  g_assert_cmpfloat (want, <=, 10.0);
  if (decode_both (json, strlen (json), &fast, &ref))
    {
      g_test_message ("%s: left to json-glib", token);
      g_test_fail ();
    }
  if (!fast.ok || memcmp (&fast.record.values[CO2S_COL_ENGINE_SIZE], &want, sizeof want) != 0)
    {
      g_test_message ("%s: the fast decoder %s %.17g, g_ascii_strtod %.17g", token,
                      fast.ok ? "read" : "refused it:", fast.record.values[CO2S_COL_ENGINE_SIZE], want);
      g_test_fail ();
    }
  outcome_clear (&fast);
  outcome_clear (&ref);
}

/* The significand @digits (no point, first digit non-zero) written in
 * several ways as D[0].D[1…], a value in [1, 10). */
static void
check_significand (const char *digits)
{
  gsize n = strlen (digits);
  const char *rest = n > 1 ? digits + 1 : "0";
  g_autofree char *point = g_strdup_printf ("%c.%s", digits[0], rest);
  g_autofree char *exponent = g_strdup_printf ("%se-%" G_GSIZE_FORMAT, digits, n - 1);
  g_autofree char *big_e = g_strdup_printf ("%sE-%" G_GSIZE_FORMAT, digits, n - 1);
  g_autofree char *zeros = g_strdup_printf ("0.000%se%" G_GSIZE_FORMAT, digits, (gsize) 4);
  g_autofree char *trailing = g_strdup_printf ("%c.%s000", digits[0], rest);
  g_autofree char *plus = g_strdup_printf ("0.%se+1", digits);
  g_autofree char *split = NULL;

  check_engine_size (point);
  check_engine_size (exponent);
  check_engine_size (big_e);
  check_engine_size (zeros);
  check_engine_size (trailing);
  check_engine_size (plus);
  if (n > 4)
    {
      /* Point inside, exponent to bring it back: 900719925474.0993e-11. */
      split = g_strdup_printf ("%.*s.%se-%" G_GSIZE_FORMAT, (int) (n - 4), digits,
                               digits + n - 4, n - 5);
      check_engine_size (split);
    }
}

static void
test_number_digits (void)
{
  static const char *const significands[] = {
    "24", "1", "5", "9",
    /* 15 digits: the old limit of the fast path. */
    "123456789012345", "999999999999999", "100000000000001",
    /* 16 and 17 digits around 2^53 = 9007199254740992. */
    "1234567890123456", "9999999999999999", "1000000000000000",
    "9007199254740991", "9007199254740992", "9007199254740993",
    "9007199254740994", "9007199254740995", "90071992547409915",
    "90071992547409920", "90071992547409925", "12345678901234567",
    "17976931348623157", "22250738585072014",
    /* Halfway cases between neighbouring doubles. */
    "2000000000000000111022302462515654",
    "9007199254740993000", "90071992547409930001",
    /* 18, 19, 20 digits: past what the significand holds. */
    "123456789012345678", "1234567890123456789", "12345678901234567890",
    "9999999999999999999", "18446744073709551615", "18446744073709551616",
  };
  g_autoptr(GString) digits = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (significands); i++)
    check_significand (significands[i]);

  /* Every length from 1 to 24 digits, as a significand and as seq. */
  for (int n = 1; n <= 24; n++)
    for (int i = 0; i < 50; i++)
      {
        g_autofree char *seq = NULL;
        gint64 got;

        g_string_truncate (digits, 0);
        g_string_append_c (digits, '0' + g_test_rand_int_range (1, 10));
        while ((int) digits->len < n)
          g_string_append_c (digits, i % 5 == 0 ? '9' : i % 5 == 1 ? '0' : '0' + g_test_rand_int_range (0, 10));
        check_significand (digits->str);
        seq = g_strdup_printf ("{" B ",\"seq\":%s}", digits->str);
        check_record (seq);
        peek_both (seq, strlen (seq), &got, NULL);
      }

  /* Random significands of 14 to 21 digits, some at most 2^53. */
  for (int i = 0; i < 10000; i++)
    {
      int n = g_test_rand_int_range (14, 22);

      g_string_truncate (digits, 0);
      if (g_test_rand_bit ())
        g_string_append (digits, n >= 16 && g_test_rand_bit () ? "900719925474099" : "8");
      else
        g_string_append_c (digits, '0' + g_test_rand_int_range (1, 10));
      while ((int) digits->len < n)
        g_string_append_c (digits, '0' + g_test_rand_int_range (0, 10));
      check_significand (digits->str);
      if (g_test_failed ())
        return;
    }

  /* Exponents at the edge of the exact powers of ten (10^22). */
  check_engine_size ("24e-1");
  check_engine_size ("24000000000000000000000e-22");
  check_engine_size ("240000000000000000000000e-23");
  check_engine_size ("0.00000000000000000000024e22");
  check_engine_size ("0.000000000000000000000024e23");
  check_engine_size ("2.4e0");
  check_engine_size ("2.4E+0");
  check_engine_size ("2.4e-0");
  check_engine_size ("2.4e00000000000000000000");
}

static void
test_number_signs (void)
{
  static const char *const values[] = {
    "0", "-0", "0.0", "-0.0", "0e0", "-0e0", "-0e-5", "0E+400", "-0.000e999999",
    "0.0000000000000000000000000000000000000000000000000000000000000000000000000001",
    "-1", "-4", "-4.0", "-4e0", "1e400", "-1e400", "1e-400", "4.9e-324", "-2.5e-324",
    "150", "150.0", "150.00000000000001", "150.0000000000001", "149.99999999999999",
    "4", "3.9999999999999999", "3.999999999999999",
  };
  static const char *const integers[] = {
    "0", "-0", "-1", "1", "999999999999999999", "-999999999999999999",
    "1000000000000000000", "-1000000000000000000", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "18446744073709551615",
    "18446744073709551616", "99999999999999999999", "1796303459054792", "0.0", "-0.0", "1e0",
  };

  /* The optional column: -0 and 0 are out of range there, and the message
   * shows the sign. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *json = g_strdup_printf ("{" B ",\"Fuel_Consumption_Comb-1\":%s}", values[i]);
      g_autofree char *flag = g_strdup_printf ("{" B_NO_FLAGS ",\"Fuel_Type_D\":%s,\"Fuel_Type_E\":false,"
                                               "\"Fuel_Type_N\":false,\"Fuel_Type_X\":false,"
                                               "\"Fuel_Type_Z\":true}", values[i]);

      check_record (json);
      check_record (flag);
    }
  for (guint i = 0; i < G_N_ELEMENTS (integers); i++)
    {
      g_autofree char *seq = g_strdup_printf ("{" B ",\"seq\":%s}", integers[i]);
      g_autofree char *ts = g_strdup_printf ("{" B ",\"seq\":1,\"ts_us\":%s}", integers[i]);
      g_autofree char *cylinders = g_strdup_printf ("{\"Cylinders\":%s,\"Engine_Size\":2,"
                                                    "\"Fuel_Consumption_City\":9.85,"
                                                    "\"Fuel_Consumption_Hwy\":6.95,"
                                                    "\"Fuel_Consumption_Comb\":8.5,"
                                                    "\"CO2_Emissions\":199," FLAGS_Z "}", integers[i]);
      gint64 got;

      check_record (seq);
      check_record (ts);
      check_record (cylinders);
      peek_both (seq, strlen (seq), &got, NULL);
    }
}

static void
test_keys (void)
{
  static const char *const records[] = {
    /* Keys that share a prefix with the one expected next. */
    "{\"Engine_Siz\":1," B "}",
    "{\"Engine_Size_\":1," B "}",
    "{\"Engine_Size2\":1," B "}",
    "{\"Engine_Sizf\":1," B "}",
    "{\"Engine_Size\\\"\":1," B "}",
    "{\"Engine_Size\":2,\"Engine_Size\":3," B_TAIL "}",
    "{" B_NO_FLAGS ",\"Fuel_Type_\":true," FLAGS_Z "}",
    "{" B_NO_FLAGS ",\"Fuel_Type_Zz\":true," FLAGS_Z "}",
    "{\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,\"Fuel_Consumption_Hwy\":6.95,"
    "\"Fuel_Consumption_Comb-1\":30,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199," FLAGS_Z "}",
    "{\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,\"Fuel_Consumption_Hwy\":6.95,"
    "\"Fuel_Consumption_Comb-\":30,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199," FLAGS_Z "}",
    "{\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,\"Fuel_Consumption_Hwy\":6.95,"
    "\"Fuel_Consumption_Comb\":8.5,\"Fuel_Consumption_Comb-12\":30,\"CO2_Emissions\":199," FLAGS_Z "}",
    "{" B ",\"se\":1,\"seq\":2,\"seqq\":3}",
    "{" B ",\"seq\":2,\"ts_u\":1,\"ts_us\":5,\"ts_us \":6}",
    /* The expected key, but spaced, escaped or with a longer tail. */
    "{\"Engine_Size\" :2," B_TAIL "}",
    "{\"Engine_Size\"\t:\n2," B_TAIL "}",
    "{\"Engine\\u005fSize\":2," B_TAIL "}",
    "{\"Engine_Size\\u0000x\":2," B_TAIL "}",
    "{\"\\u0045ngine_Size\":2," B_TAIL "}",
    "{\"Engine_Size\\/\":2," B_TAIL "}",
    /* Another order: the flags first, everything reversed. */
    "{" FLAGS_Z ",\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,"
    "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199}",
    "{\"ts_us\":7,\"seq\":3,\"Fuel_Type_Z\":true,\"Fuel_Type_X\":false,\"Fuel_Type_N\":false,"
    "\"Fuel_Type_E\":false,\"Fuel_Type_D\":false,\"CO2_Emissions\":199,\"Fuel_Consumption_Comb-1\":28,"
    "\"Fuel_Consumption_Comb\":8.5,\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_City\":9.85,"
    "\"Cylinders\":4,\"Engine_Size\":2}",
    /* The last key near the end of the input: fewer bytes left than the
     * words the comparison reads. */
    "{" B_NO_FLAGS ",\"Fuel_Type_D\":0,\"Fuel_Type_E\":0,\"Fuel_Type_N\":0,\"Fuel_Type_X\":0,\"Fuel_Type_Z\":1}",
    "{" B ",\"seq\":1}",
    "{" B ",\"seq\":1,\"ts_us\":1}",
    "{\"Engine_Size\":2}",
    "{\"Engine_Size\"",
    "{\"Engine_Size\":",
    "{\"Engine_Size",
    "{\"Fuel_Consumption_Comb-1\":5}",
    "{\"seq\":1}",
    "{\"seq\"}",
    "{\"seq\":}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      gsize len = strlen (records[i]);
      gint64 seq;

      check_record (records[i]);
      peek_both (records[i], len, &seq, NULL);
      /* Every prefix, in a block of its exact size (no terminator) so that
       * ASan or valgrind sees a read past the end. */
      for (gsize cut = 0; cut < len; cut++)
        {
          g_autofree char *head = g_memdup2 (records[i], cut);
          Outcome fast, ref;

          decode_both (head, cut, &fast, &ref);
          outcome_clear (&fast);
          outcome_clear (&ref);
        }
    }
}

/* Every key of ours with one byte changed, or one more byte, in an encoded
 * record: the decoders must not take it for ours (the key is then absent,
 * which changes the verdict or the record). */
static void
test_key_bytes (void)
{
  Co2sRecord r;
  g_autoptr(GString) line = g_string_new (NULL);

  co2s_record_init (&r);
  r.values[CO2S_COL_ENGINE_SIZE] = 2.4;
  r.values[CO2S_COL_CYLINDERS] = 4;
  r.values[CO2S_COL_FUEL_CITY] = 11.2;
  r.values[CO2S_COL_FUEL_HWY] = 7.7;
  r.values[CO2S_COL_FUEL_COMB] = 9.6;
  r.values[CO2S_COL_FUEL_COMB_MPG] = 29;
  r.values[CO2S_COL_CO2] = 221;
  for (int c = CO2S_COL_FUEL_D; c <= CO2S_COL_FUEL_Z; c++)
    r.values[c] = c == CO2S_COL_FUEL_Z;
  r.seq = 1;
  r.emit_us = G_GINT64_CONSTANT (1796303459054792);
  co2s_record_to_json (&r, line);

  for (int k = 0; k < CO2S_N_COLUMNS + 2; k++)
    {
      const char *name = k < CO2S_N_COLUMNS ? co2s_column_name (k) : k == CO2S_N_COLUMNS ? CO2S_KEY_SEQ : CO2S_KEY_EMIT_US;
      g_autofree char *quoted = g_strdup_printf ("\"%s\":", name);
      const char *at = strstr (line->str, quoted);
      gsize len = strlen (name);

      g_assert_nonnull (at);
      for (gsize i = 0; i <= len; i++)
        {
          g_autoptr(GString) json = g_string_new_len (line->str, line->len - 1);   /* no '\n' */
          gsize pos = at - line->str + 1 + i;
          Outcome fast, ref;

          if (i < len)
            json->str[pos] = json->str[pos] == 'Q' ? 'R' : 'Q';   /* same length */
          else
            g_string_insert_c (json, pos, 'Q');   /* one byte more */
          decode_both (json->str, json->len, &fast, &ref);
          if (fast.ok && memcmp (&fast.record, &r, sizeof r) == 0)
            {
              g_test_message ("%s was taken for %s", json->str, name);
              g_test_fail ();
            }
          outcome_clear (&fast);
          outcome_clear (&ref);
        }
    }
}

/* Valid records with their members shuffled. */
static void
test_key_orders (void)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < 2000; i++)
    {
      Co2sRecord r;
      Outcome fast, ref;
      const char *p;

      random_record (&r);
      g_string_truncate (line, 0);
      co2s_record_to_json (&r, line);
      g_assert_true (line->len > 3 && line->str[line->len - 2] == '}');

      /* Split the members at the commas (none inside the values). */
      g_ptr_array_set_size (members, 0);
      p = line->str + 1;
      for (const char *comma; (comma = strchr (p, ',')) != NULL; p = comma + 1)
        g_ptr_array_add (members, g_strndup (p, comma - p));
      g_ptr_array_add (members, g_strndup (p, line->str + line->len - 2 - p));
      for (guint m = members->len; m > 1; m--)
        {
          guint j = g_test_rand_int_range (0, m);
          gpointer t = members->pdata[m - 1];

          members->pdata[m - 1] = members->pdata[j];
          members->pdata[j] = t;
        }

      g_string_assign (json, "{");
      for (guint m = 0; m < members->len; m++)
        g_string_append_printf (json, "%s%s", m ? "," : "", (const char *) members->pdata[m]);
      g_string_append_c (json, '}');
      decode_both (json->str, json->len, &fast, &ref);
      if (fast.ok && memcmp (&fast.record, &r, sizeof r) != 0)
        {
          g_test_message ("shuffled %s does not give the record back", json->str);
          g_test_fail ();
        }
      outcome_clear (&fast);
      outcome_clear (&ref);
      if (g_test_failed ())
        return;
    }
}

/* co2s_record_validate's one-pass check against the rules written out
 * here, on records with one to three columns set to edge values. */
static gboolean
reference_valid (const Co2sRecord *r)
{
  int n_fuel = 0;

  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      double v = r->values[c], lo, hi;

      co2s_column_range (c, &lo, &hi);
      if (isnan (v))
        {
          if (co2s_column_is_required (c))
            return FALSE;
          continue;
        }
      if (co2s_column_type (c) == CO2S_COLUMN_BOOLEAN)
        {
          if (v != 0.0 && v != 1.0)
            return FALSE;
          n_fuel += (int) v;
          continue;
        }
      if (!(v >= lo && v <= hi))
        return FALSE;
    }
  return n_fuel == 1;
}

static void
test_validate (void)
{
  for (int i = 0; i < 200000; i++)
    {
      Co2sRecord r;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      random_record (&r);
      for (int n = g_test_rand_int_range (1, 4); n > 0; n--)
        {
          int c = g_test_rand_int_range (0, CO2S_N_COLUMNS);
          double lo, hi;
          double edges[16];

          co2s_column_range (c, &lo, &hi);
          edges[0] = NAN;
          edges[1] = INFINITY;
          edges[2] = -INFINITY;
          edges[3] = lo;
          edges[4] = hi;
          edges[5] = nextafter (lo, -INFINITY);
          edges[6] = nextafter (hi, INFINITY);
          edges[7] = nextafter (lo, INFINITY);
          edges[8] = nextafter (hi, -INFINITY);
          edges[9] = 0.0;
          edges[10] = -0.0;
          edges[11] = 1.0;
          edges[12] = 0.5;
          edges[13] = 2.0;
          edges[14] = -1.0;
          edges[15] = -NAN;
          r.values[c] = edges[g_test_rand_int_range (0, G_N_ELEMENTS (edges))];
        }
      ok = co2s_record_validate (&r, &error);
      if (ok != reference_valid (&r) || ok != (error == NULL))
        {
          for (int c = 0; c < CO2S_N_COLUMNS; c++)
            g_test_message ("%s = %.17g", co2s_column_name (c), r.values[c]);
          g_test_message ("co2s_record_validate: %s; the rules: %s", ok ? "valid" : error->message,
                          reference_valid (&r) ? "valid" : "invalid");
          g_test_fail ();
          return;
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record-json/corners/number-digits", test_number_digits);
  g_test_add_func ("/record-json/corners/number-signs", test_number_signs);
  g_test_add_func ("/record-json/corners/keys", test_keys);
  g_test_add_func ("/record-json/corners/key-bytes", test_key_bytes);
  g_test_add_func ("/record-json/corners/key-orders", test_key_orders);
  g_test_add_func ("/record-json/corners/validate", test_validate);

  return g_test_run ();
}
