/* test-record-json-fuzz.c — the fast decoder against the json-glib reference
 * on randomly mutated records and number strings, and the producer's peek. */
#define G_LOG_DOMAIN "test-record-json"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-json-strict.h"
#include "record-json-test-util.h"

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

/* The decoders' verdict against json-glib alone (no strict check), which
 * reads a superset of JSON: what they accept, it reads; where they say
 * NOT_JSON and it reads the text anyway, the text must be outside strict
 * JSON (co2s_json_check_strict says so, with a byte offset). Counts those
 * in @n_lax. */
static void
check_strict_verdict (const char *data, gsize len, const Outcome *fast, guint *n_lax)
{
  g_autoptr(JsonParser) parser = NULL;
  gboolean glib_reads;

  if (!fast->ok && fast->error->code != CO2S_RECORD_ERROR_NOT_JSON)
    return;
  if (!fast->ok && strstr (fast->error->message, "nested deeper") != NULL)
    return;   /* json-glib would recurse: not asked */
  parser = json_parser_new_immutable ();
  glib_reads = json_parser_load_from_data (parser, len > 0 ? data : "", (gssize) len, NULL) &&
               json_parser_get_root (parser) != NULL;
  if (fast->ok && !glib_reads)
    {
      g_autofree char *shown = show (data, len);

      g_test_message ("accepted, yet json-glib alone refuses it: \"%s\"", shown);
      g_test_fail ();
    }
  if (!fast->ok && glib_reads)
    {
      (*n_lax)++;
      if (co2s_json_check_strict (data, len, CO2S_JSON_MAX_DEPTH, NULL, NULL) != CO2S_JSON_INVALID ||
          strstr (fast->error->message, " at byte offset ") == NULL)
        {
          g_autofree char *shown = show (data, len);

          g_test_message ("refused as \"%s\", yet strict JSON: \"%s\"", fast->error->message, shown);
          g_test_fail ();
        }
    }
}

static void
test_fuzz (void)
{
  g_autoptr(GString) base = g_string_new (NULL);
  g_autoptr(GString) s = g_string_new (NULL);
  guint n_ok = 0, n_fast = 0, n_fast_ok = 0, n_lax = 0;
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
      check_strict_verdict (s->str, s->len, &fast, &n_lax);
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
  g_test_message ("%d mutated records: %u decided by the fast decoder alone, %u still valid, "
                  "%u refused although json-glib alone reads them; %u number cases decoded by "
                  "the fast path", n_cases, n_fast, n_ok, n_lax, n_fast_ok);
  /* The fuzzing must reach both sides of the grammar to mean anything. */
  g_assert_cmpuint (n_fast, >, (guint) n_cases / 4);
  g_assert_cmpuint (n_ok, >, 1000);
  g_assert_cmpuint (n_fast_ok, >, 10000);
  g_assert_cmpuint (n_lax, >, 1000);   /* json-glib's extensions are reached, and refused */
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
    { "{\"seq\":0x10}", FALSE, -1 },                  /* json-glib alone: 16 */
    { "{\"seq\":5}{\"seq\":6}", FALSE, -1 },          /* json-glib alone keeps the first */
    { "{\"seq\":05}", FALSE, -1 },                    /* json-glib alone: 5 */
    { "{\"seq\":5/**/}", FALSE, -1 },
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

  g_test_add_func ("/record-json/numbers", test_numbers);
  g_test_add_func ("/record-json/fuzz", test_fuzz);
  g_test_add_func ("/record-json/peek-seq", test_peek_seq);

  return g_test_run ();
}
