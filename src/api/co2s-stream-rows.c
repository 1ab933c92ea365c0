/* co2s-stream-rows.c — the API's immutable table of rows, ready to stream. */
#define G_LOG_DOMAIN "co2s-stream-rows"

#include "co2s-stream-rows.h"

#include <string.h>

#include "co2s-record-json.h"

/* The packed form of a row is the JSON object co2s_record_to_json writes for
 * it (seq -1, emit time 0: no "seq" nor "ts_us") without its closing "}\n",
 * in which each member's opening ("{\"Engine_Size\":", ",\"Cylinders\":", …)
 * and each value true or false is one byte below 0x20, a code: JSON text
 * never holds such a byte, so unpacking (codes expanded, other bytes copied)
 * gives the text back exactly. A row of the data set packs into some 35
 * bytes, 43 with its offset (its CSV line has 56, its JSON 270). */
enum {
  CODE_TRUE = 1,
  CODE_FALSE = 2,
  CODE_FIRST_KEY = 3, /* 3 + 2 c: "{\"name\":", 4 + 2 c: ",\"name\":" */
  N_CODES = CODE_FIRST_KEY + 2 * CO2S_N_COLUMNS,
};

G_STATIC_ASSERT (N_CODES <= 0x20);

/* A code's text, padded with NULs: always copied whole (one fixed-size copy,
 * which compilers inline), then the output moves on by len. */
#define CODE_TEXT_SIZE 32

typedef struct {
  char text[CODE_TEXT_SIZE];
  guint8 len;
} Code;

struct _Co2sStreamRows
{
  gatomicrefcount ref_count;
  guint n_rows;
  Code codes[N_CODES];
  guint8 *packed;      /* every row packed, one after the other */
  gsize packed_len;
  gsize *offsets;      /* n_rows + 1 offsets into packed */
  gsize max_unpacked;  /* longest unpacked row */
  GArray *records;     /* of Co2sRecord; only when not packed */
};

static void
set_code (Co2sStreamRows *self,
          guint           code,
          const char     *text)
{
  gsize len = strlen (text);

  /* Column names are short (co2s-record.c): the longest code has 27 bytes. */
  g_assert (len < CODE_TEXT_SIZE);
  memset (self->codes[code].text, 0, CODE_TEXT_SIZE);
  memcpy (self->codes[code].text, text, len);
  self->codes[code].len = (guint8) len;
}

static void
init_codes (Co2sStreamRows *self)
{
  set_code (self, CODE_TRUE, "true");
  set_code (self, CODE_FALSE, "false");
  for (guint c = 0; c < CO2S_N_COLUMNS; c++)
    {
      g_autofree char *first = g_strdup_printf ("{\"%s\":", co2s_column_name (c));
      g_autofree char *next = g_strdup_printf (",\"%s\":", co2s_column_name (c));

      set_code (self, CODE_FIRST_KEY + 2 * c, first);
      set_code (self, CODE_FIRST_KEY + 2 * c + 1, next);
    }
}

/* The code of the member opening at @p (@len bytes left), or 0. Members
 * come in column order, so the search starts after the last one found. */
static guint
match_key (Co2sStreamRows *self,
           const char     *p,
           gsize           len,
           guint          *next_column)
{
  guint variant = *p == '{' ? 0 : 1;

  for (guint k = 0; k < CO2S_N_COLUMNS; k++)
    {
      guint c = (*next_column + k) % CO2S_N_COLUMNS;
      const Code *code = &self->codes[CODE_FIRST_KEY + 2 * c + variant];

      if (code->len <= len && memcmp (p, code->text, code->len) == 0)
        {
          *next_column = c + 1;
          return CODE_FIRST_KEY + 2 * c + variant;
        }
    }

  return 0;
}

/* Packs @json (@len bytes, no "}\n") into @out (at least @len bytes);
 * returns the packed length, or 0 when @json holds a byte below 0x20 (not
 * JSON the encoder writes). */
static gsize
pack (Co2sStreamRows *self,
      const char     *json,
      gsize           len,
      guint8         *out)
{
  const char *p = json;
  const char *end = json + len;
  guint8 *o = out;
  guint next_column = 0;

  while (p < end)
    {
      const char *value;
      const char *value_end;
      guint code = 0;

      if ((*p == '{' || *p == ',') && p + 1 < end && p[1] == '"')
        code = match_key (self, p, (gsize) (end - p), &next_column);

      if (code == 0)
        {
          if ((guchar) *p < 0x20)
            return 0;
          *o++ = (guint8) *p++;
          continue;
        }

      *o++ = (guint8) code;
      value = p + self->codes[code].len;
      value_end = memchr (value, ',', (gsize) (end - value));
      if (value_end == NULL)
        value_end = end;

      if (value_end - value == 4 && memcmp (value, "true", 4) == 0)
        *o++ = CODE_TRUE, p = value_end;
      else if (value_end - value == 5 && memcmp (value, "false", 5) == 0)
        *o++ = CODE_FALSE, p = value_end;
      else
        p = value; /* a number: copied byte by byte */
    }

  g_assert ((gsize) (o - out) <= len);
  return (gsize) (o - out);
}

/* Writes @value in decimal at @o; returns the end. */
static char *
put_int64 (char   *o,
           gint64  value)
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

  memcpy (o, p, (gsize) (buf + sizeof buf - p));
  return o + (buf + sizeof buf - p);
}

#define SEQ_MEMBER ",\"" CO2S_KEY_SEQ "\":"
#define EMIT_MEMBER ",\"" CO2S_KEY_EMIT_US "\":"
/* The members and "}\n" after a row: two int64 of at most 20 bytes. */
#define SUFFIX_MAX (sizeof SEQ_MEMBER - 1 + 20 + sizeof EMIT_MEMBER - 1 + 20 + 2)

static void
append_packed (Co2sStreamRows *self,
               guint           index,
               gint64          seq,
               gint64          emit_us,
               GString        *out)
{
  const guint8 *p = self->packed + self->offsets[index];
  const guint8 *end = self->packed + self->offsets[index + 1];
  gsize old_len = out->len;
  char *o;

  g_string_set_size (out, old_len + self->max_unpacked + CODE_TEXT_SIZE + SUFFIX_MAX);
  o = out->str + old_len;

  while (p < end)
    {
      guint8 byte = *p++;

      if (byte < N_CODES)
        {
          memcpy (o, self->codes[byte].text, CODE_TEXT_SIZE);
          o += self->codes[byte].len;
        }
      else
        {
          *o++ = (char) byte;
        }
    }

  memcpy (o, SEQ_MEMBER, sizeof SEQ_MEMBER - 1);
  o = put_int64 (o + sizeof SEQ_MEMBER - 1, seq);
  memcpy (o, EMIT_MEMBER, sizeof EMIT_MEMBER - 1);
  o = put_int64 (o + sizeof EMIT_MEMBER - 1, emit_us);
  *o++ = '}';
  *o++ = '\n';

  g_string_truncate (out, (gsize) (o - out->str));
}

static void
append_encoded (const Co2sRecord *original,
                gint64            seq,
                gint64            emit_us,
                GString          *out)
{
  Co2sRecord record = *original;

  record.seq = seq;
  record.emit_us = emit_us;
  co2s_record_to_json (&record, out);
}

/* Packs every row of @records; FALSE when a row cannot be packed or the core
 * encoder's layout is not the one append_packed reproduces (then the caller
 * keeps the records and encodes each row). */
static gboolean
build_packed (Co2sStreamRows *self,
              GArray         *records)
{
  static const gint64 probes[][2] = {
    { 0, 1 },
    { 7, 1700000000123456 },
    { 123456789012, 9007199254740993 },
  };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  guint n_rows = records->len;
  gsize size;
  gsize len;

  /* ~28 bytes a row for the data set; doubled when need be, and trimmed at
   * the end (large blocks are mapped: realloc moves no byte). */
  size = MAX ((gsize) n_rows * 32, 1024);
  self->packed = g_malloc (size);
  self->packed_len = 0;
  self->offsets = g_new (gsize, n_rows + 1);

  for (guint i = 0; i < n_rows; i++)
    {
      Co2sRecord record = g_array_index (records, Co2sRecord, i);

      record.seq = -1;
      record.emit_us = 0;
      g_string_truncate (json, 0);
      co2s_record_to_json (&record, json);

      /* Expect "{...}\n" and pack "{..." */
      if (json->len < 3 || json->str[0] != '{' || strcmp (json->str + json->len - 2, "}\n") != 0)
        return FALSE;
      while (size - self->packed_len < json->len)
        {
          size *= 2;
          self->packed = g_realloc (self->packed, size);
        }

      self->offsets[i] = self->packed_len;
      len = pack (self, json->str, json->len - 2, self->packed + self->packed_len);
      if (len == 0)
        return FALSE;
      self->packed_len += len;
      self->max_unpacked = MAX (self->max_unpacked, json->len - 2);
    }
  self->offsets[n_rows] = self->packed_len;
  self->packed = g_realloc (self->packed, self->packed_len);

  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    {
      guint rows_to_check[] = { 0, n_rows / 2, n_rows - 1 };

      for (guint k = 0; k < G_N_ELEMENTS (rows_to_check); k++)
        {
          guint index = rows_to_check[k];

          g_string_truncate (expected, 0);
          g_string_truncate (got, 0);
          append_encoded (&g_array_index (records, Co2sRecord, index), probes[p][0], probes[p][1], expected);
          append_packed (self, index, probes[p][0], probes[p][1], got);
          if (!g_string_equal (expected, got))
            {
              g_debug ("packed rows differ from co2s_record_to_json:\n  %s  %s",
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
  g_clear_pointer (&self->packed, g_free);
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
  self->n_rows = records->len;
  init_codes (self);

  if (!build_packed (self, records))
    {
      g_clear_pointer (&self->packed, g_free);
      g_clear_pointer (&self->offsets, g_free);
      self->packed_len = 0;
      self->records = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), records->len);
      g_array_append_vals (self->records, records->data, records->len);
      g_message ("packed rows disabled: encoding every row with co2s_record_to_json");
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

  return self->n_rows;
}

gboolean
co2s_stream_rows_is_cached (Co2sStreamRows *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->packed != NULL;
}

gsize
co2s_stream_rows_get_size (Co2sStreamRows *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->packed != NULL)
    return sizeof *self + self->packed_len + (self->n_rows + 1) * sizeof (gsize);
  return sizeof *self + (gsize) self->n_rows * sizeof (Co2sRecord);
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

  index = (guint) (seq % self->n_rows);

  if (self->packed != NULL)
    append_packed (self, index, seq, emit_us, out);
  else
    append_encoded (&g_array_index (self->records, Co2sRecord, index), seq, emit_us, out);
}
