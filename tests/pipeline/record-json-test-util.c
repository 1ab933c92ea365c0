/* record-json-test-util.c — helpers shared by the record JSON codec tests. */
#define G_LOG_DOMAIN "test-record-json"

#include <math.h>
#include <string.h>

#include "record-json-test-util.h"

/* @data made printable for a test message. */
char *
show (const char *data, gsize len)
{
  g_autofree char *copy = g_strndup (data, MIN (len, 2000));

  return g_strescape (copy, NULL);
}

void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
}

/* Decodes with both decoders and asserts they agree: same verdict, same
 * error code and message, or the same record bit for bit. Returns whether
 * the fast decoder fell back to json-glib. */
gboolean
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
gboolean
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

double
random_in (double lo, double hi)
{
  return g_test_rand_double_range (lo, hi);
}

/* A valid record with full-precision values (random mantissa bits). */
void
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
