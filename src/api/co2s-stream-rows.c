/* co2s-stream-rows.c — the API's immutable table of rows, ready to stream. */
#define G_LOG_DOMAIN "co2s-stream-rows"

#include "co2s-stream-rows.h"

#include <string.h>

#include "co2s-record-json.h"

struct _Co2sStreamRows
{
  gatomicrefcount ref_count;
  GArray *records;   /* of Co2sRecord */
  GString *prefixes; /* every row's JSON object, without its closing "}\n" */
  gsize *offsets;    /* n_rows + 1 offsets into prefixes */
  gboolean cached;
};

static void
append_int64 (GString *out,
              gint64   value)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 u = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + (u % 10));
      u /= 10;
    }
  while (u != 0);

  if (value < 0)
    *--p = '-';

  g_string_append_len (out, p, buf + sizeof buf - p);
}

static void
append_cached (Co2sStreamRows *self,
               guint           index,
               gint64          seq,
               gint64          emit_us,
               GString        *out)
{
  gsize start = self->offsets[index];
  gsize len = self->offsets[index + 1] - start;

  g_string_append_len (out, self->prefixes->str + start, len);
  g_string_append_len (out, ",\"" CO2S_KEY_SEQ "\":", strlen (CO2S_KEY_SEQ) + 4);
  append_int64 (out, seq);
  g_string_append_len (out, ",\"" CO2S_KEY_EMIT_US "\":", strlen (CO2S_KEY_EMIT_US) + 4);
  append_int64 (out, emit_us);
  g_string_append_len (out, "}\n", 2);
}

static void
append_encoded (Co2sStreamRows *self,
                guint           index,
                gint64          seq,
                gint64          emit_us,
                GString        *out)
{
  Co2sRecord record = g_array_index (self->records, Co2sRecord, index);

  record.seq = seq;
  record.emit_us = emit_us;
  co2s_record_to_json (&record, out);
}

/* Builds the prefix cache; FALSE when the core encoder's layout is not the
 * one append_cached reproduces (then the caller falls back to it). */
static gboolean
build_cache (Co2sStreamRows *self)
{
  static const gint64 probes[][2] = {
    { 0, 1 },
    { 7, 1700000000123456 },
    { 123456789012, 9007199254740993 },
  };
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  guint n_rows = self->records->len;

  self->prefixes = g_string_sized_new (n_rows * 256);
  self->offsets = g_new (gsize, n_rows + 1);

  for (guint i = 0; i < n_rows; i++)
    {
      Co2sRecord record = g_array_index (self->records, Co2sRecord, i);
      gsize start = self->prefixes->len;

      record.seq = -1;
      record.emit_us = 0;
      self->offsets[i] = start;
      co2s_record_to_json (&record, self->prefixes);

      /* Expect "{...}\n" and keep "{..." */
      if (self->prefixes->len < start + 3 ||
          self->prefixes->str[start] != '{' ||
          strcmp (self->prefixes->str + self->prefixes->len - 2, "}\n") != 0)
        return FALSE;
      g_string_truncate (self->prefixes, self->prefixes->len - 2);
    }
  self->offsets[n_rows] = self->prefixes->len;

  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    {
      guint rows_to_check[] = { 0, n_rows / 2, n_rows - 1 };

      for (guint k = 0; k < G_N_ELEMENTS (rows_to_check); k++)
        {
          guint index = rows_to_check[k];

          g_string_truncate (expected, 0);
          g_string_truncate (got, 0);
          append_encoded (self, index, probes[p][0], probes[p][1], expected);
          append_cached (self, index, probes[p][0], probes[p][1], got);
          if (!g_string_equal (expected, got))
            {
              g_debug ("cached encoding differs from co2s_record_to_json:\n  %s  %s",
                       expected->str, got->str);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static void
co2s_stream_rows_free (Co2sStreamRows *self)
{
  g_clear_pointer (&self->records, g_array_unref);
  if (self->prefixes != NULL)
    g_string_free (g_steal_pointer (&self->prefixes), TRUE);
  g_clear_pointer (&self->offsets, g_free);
  g_free (self);
}

Co2sStreamRows *
co2s_stream_rows_new (GArray *records)
{
  Co2sStreamRows *self;

  g_return_val_if_fail (records != NULL, NULL);
  g_return_val_if_fail (records->len > 0, NULL);
  g_return_val_if_fail (g_array_get_element_size (records) == sizeof (Co2sRecord), NULL);

  self = g_new0 (Co2sStreamRows, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->records = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), records->len);
  g_array_append_vals (self->records, records->data, records->len);

  self->cached = build_cache (self);
  if (!self->cached)
    {
      g_string_free (g_steal_pointer (&self->prefixes), TRUE);
      g_clear_pointer (&self->offsets, g_free);
      g_message ("JSON prefix cache disabled: encoding every row with co2s_record_to_json");
    }

  return self;
}

Co2sStreamRows *
co2s_stream_rows_ref (Co2sStreamRows *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
co2s_stream_rows_unref (Co2sStreamRows *self)
{
  if (self == NULL)
    return;

  if (g_atomic_ref_count_dec (&self->ref_count))
    co2s_stream_rows_free (self);
}

guint
co2s_stream_rows_get_n_rows (Co2sStreamRows *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->records->len;
}

const Co2sRecord *
co2s_stream_rows_get (Co2sStreamRows *self,
                      guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->records->len, NULL);

  return &g_array_index (self->records, Co2sRecord, index);
}

gboolean
co2s_stream_rows_is_cached (Co2sStreamRows *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->cached;
}

void
co2s_stream_rows_append (Co2sStreamRows *self,
                         gint64          seq,
                         gint64          emit_us,
                         GString        *out)
{
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (seq >= 0);
  g_return_if_fail (out != NULL);

  index = (guint) (seq % self->records->len);

  if (self->cached)
    append_cached (self, index, seq, emit_us, out);
  else
    append_encoded (self, index, seq, emit_us, out);
}
