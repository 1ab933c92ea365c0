/* fuzz-record-json.c — libFuzzer target: the fast record decoder and the
 * producer's peek must give exactly what their json-glib references give
 * (verdict, error code and message, every value bit for bit). Aborts on the
 * first difference. Seeds: seeds/record-json/, dictionary: record-json.dict. */
#define G_LOG_DOMAIN "fuzz-record-json"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-record-json.h"
#include "fuzz-common.h"

static void
report (const char *what, const uint8_t *data, size_t size,
        gboolean fast_ok, const GError *fast_error,
        gboolean ref_ok, const GError *ref_error)
{
  g_autofree char *copy = g_strndup ((const char *) data, size);
  g_autofree char *shown = g_strescape (copy, NULL);

  fprintf (stderr, "%s disagree on \"%s\" (%zu bytes)\n  fast: %s %s\n  json-glib: %s %s\n",
           what, shown, size,
           fast_ok ? "OK" : "FAIL", fast_error ? fast_error->message : "",
           ref_ok ? "OK" : "FAIL", ref_error ? ref_error->message : "");
  abort ();
}

static gboolean
same_error (const GError *a, const GError *b)
{
  return a != NULL && b != NULL && a->domain == b->domain && a->code == b->code &&
         strcmp (a->message, b->message) == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  g_autoptr(GError) fast_error = NULL;
  g_autoptr(GError) ref_error = NULL;
  Co2sRecord fast, ref;
  gboolean fast_ok, ref_ok;
  gint64 fast_seq, ref_seq;

  memset (&fast, 0, sizeof fast);
  memset (&ref, 0, sizeof ref);
  fast_ok = co2s_record_from_json (text, size, &fast, &fast_error);
  ref_ok = co2s_record_from_json_glib (text, size, &ref, &ref_error);
  if (fast_ok != ref_ok ||
      (fast_ok && memcmp (&fast, &ref, sizeof fast) != 0) ||
      (!fast_ok && !same_error (fast_error, ref_error)))
    report ("record decoders", data, size, fast_ok, fast_error, ref_ok, ref_error);

  g_clear_error (&fast_error);
  g_clear_error (&ref_error);
  fast_ok = co2s_json_object_peek_seq (text, size, &fast_seq, &fast_error);
  ref_ok = co2s_json_object_peek_seq_glib (text, size, &ref_seq, &ref_error);
  if (fast_ok != ref_ok || fast_seq != ref_seq ||
      (!fast_ok && !same_error (fast_error, ref_error)))
    report ("peek_seq", data, size, fast_ok, fast_error, ref_ok, ref_error);
  return 0;
}
