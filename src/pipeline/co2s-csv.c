/* co2s-csv.c — loading and validating the vehicle CSV. */
#define G_LOG_DOMAIN "co2s-csv"

#include "co2s-csv.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* Only this many bad rows get their own warning; the rest are summed up. */
#define MAX_WARNINGS 50

typedef struct {
  const char *origin;
  int n_fields;              /* columns in the header */
  int field_of[CO2S_N_COLUMNS]; /* header position of each column, or -1 */
  int column_at[64];         /* column of each header position, or -1 (extra) */
} Header;

G_DEFINE_QUARK (co2s-csv-error-quark, co2s_csv_error)

static void
bad_row_free (gpointer data)
{
  Co2sCsvBadRow *bad = data;

  g_free (bad->reason);
  g_free (bad);
}

/* The next line of [*pos, end) without its "\n" or "\r\n"; FALSE at the end. */
static gboolean
next_line (const char **pos, const char *end, const char **line, gsize *len)
{
  const char *p = *pos;
  const char *nl;

  if (p >= end)
    return FALSE;
  nl = memchr (p, '\n', end - p);
  *line = p;
  *len = (nl != NULL ? nl : end) - p;
  *pos = nl != NULL ? nl + 1 : end;
  if (*len > 0 && p[*len - 1] == '\r')
    (*len)--;
  return TRUE;
}

static gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

/* Splits @line at commas into @fields (at most @max); returns the count,
 * which may exceed @max (then only the first @max are stored). */
static int
split_fields (const char *line, gsize len, const char **fields, gsize *lens, int max)
{
  const char *p = line, *end = line + len;
  int n = 0;

  for (;;)
    {
      const char *comma = memchr (p, ',', end - p);
      const char *stop = comma != NULL ? comma : end;

      if (n < max)
        {
          fields[n] = p;
          lens[n] = stop - p;
        }
      n++;
      if (comma == NULL)
        return n;
      p = comma + 1;
    }
}

static gboolean
parse_header (Header *h, guint line_no, const char *line, gsize len, GError **error)
{
  const char *fields[G_N_ELEMENTS (h->column_at)];
  gsize lens[G_N_ELEMENTS (h->column_at)];

  /* A UTF-8 byte order mark, as spreadsheet programs write. */
  if (len >= 3 && memcmp (line, "\xEF\xBB\xBF", 3) == 0)
    line += 3, len -= 3;

  h->n_fields = split_fields (line, len, fields, lens, G_N_ELEMENTS (h->column_at));
  if (h->n_fields > (int) G_N_ELEMENTS (h->column_at))
    {
      g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER,
                   _("%s:%u: the header has %d columns; at most %d are supported"),
                   h->origin, line_no, h->n_fields, (int) G_N_ELEMENTS (h->column_at));
      return FALSE;
    }

  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    h->field_of[c] = -1;
  for (int i = 0; i < h->n_fields; i++)
    {
      int c = co2s_column_lookup (fields[i], lens[i]);

      h->column_at[i] = c;
      if (c < 0)
        continue;
      if (h->field_of[c] >= 0)
        {
          g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER,
                       _("%s:%u: column %s appears twice in the header"),
                       h->origin, line_no, co2s_column_name (c));
          return FALSE;
        }
      h->field_of[c] = i;
    }

  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    if (h->field_of[c] < 0 && co2s_column_is_required (c))
      {
        g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER,
                     _("%s:%u: required column %s is missing from the header"),
                     h->origin, line_no, co2s_column_name (c));
        return FALSE;
      }
  return TRUE;
}

/* A decimal number, as g_ascii_strtod reads it, but nothing else: no
 * whitespace, no "nan"/"inf", no hex. Leaves *out alone on failure. */
static gboolean
parse_number (const char *field, gsize len, double *out)
{
  char buf[64];
  char *end = NULL;
  gboolean digits = FALSE;
  double v;

  if (len == 0 || len >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = field[i];

      if (g_ascii_isdigit (c))
        digits = TRUE;
      else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
        return FALSE;
    }
  if (!digits)
    return FALSE;
  memcpy (buf, field, len);
  buf[len] = '\0';
  v = g_ascii_strtod (buf, &end);
  if (end != buf + len || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_boolean (const char *field, gsize len, double *out)
{
  static const struct { const char *text; double value; } words[] = {
    { "True", 1.0 }, { "true", 1.0 }, { "1", 1.0 },
    { "False", 0.0 }, { "false", 0.0 }, { "0", 0.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strlen (words[i].text) == len && memcmp (words[i].text, field, len) == 0)
      {
        *out = words[i].value;
        return TRUE;
      }
  return FALSE;
}

/* Fills @record from one data line, or returns the reason it is refused. */
static char *
parse_row (const Header *h, const char *line, gsize len, Co2sRecord *record)
{
  const char *fields[G_N_ELEMENTS (h->column_at)];
  gsize lens[G_N_ELEMENTS (h->column_at)];
  g_autoptr(GError) error = NULL;
  int n;

  n = split_fields (line, len, fields, lens, G_N_ELEMENTS (h->column_at));
  if (n != h->n_fields)
    return g_strdup_printf ("%d fields, the header has %d", n, h->n_fields);

  co2s_record_init (record);
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      int i = h->field_of[c];
      gboolean ok;

      if (i < 0)
        continue;
      if (co2s_column_type (c) == CO2S_COLUMN_BOOLEAN)
        ok = parse_boolean (fields[i], lens[i], &record->values[c]);
      else
        ok = parse_number (fields[i], lens[i], &record->values[c]);
      if (!ok)
        {
          /* The field as UTF-8 (the file's bytes may be anything), cut at 40 bytes. */
          g_autofree char *shown = g_utf8_make_valid (fields[i], (gssize) MIN (lens[i], 40));

          return g_strdup_printf ("%s is \"%s\", not %s", co2s_column_name (c), shown,
                                  co2s_column_type (c) == CO2S_COLUMN_BOOLEAN
                                    ? "a boolean (True/False/true/false/1/0)"
                                    : "a number");
        }
    }
  if (!co2s_record_validate (record, &error))
    return g_strdup (error->message);
  return NULL;
}

Co2sCsv *
co2s_csv_parse (const char *data, gsize len, const char *origin, GError **error)
{
  g_autoptr(Co2sCsv) csv = NULL;
  const char *pos = data, *end = data + len;
  const char *line;
  gsize line_len;
  guint line_no = 0;
  Header h = { .origin = origin };

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (origin != NULL, NULL);

  /* The header is the first line that is not blank. */
  do
    {
      if (!next_line (&pos, end, &line, &line_len))
        {
          g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER,
                       _("%s is empty: expected a header line naming the columns"), origin);
          return NULL;
        }
      line_no++;
    }
  while (is_blank (line, line_len));
  if (!parse_header (&h, line_no, line, line_len, error))
    return NULL;

  csv = g_new0 (Co2sCsv, 1);
  csv->rows = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), len / 48 + 1);
  csv->bad_rows = g_ptr_array_new_with_free_func (bad_row_free);

  while (next_line (&pos, end, &line, &line_len))
    {
      Co2sRecord record;
      char *reason;

      line_no++;
      if (is_blank (line, line_len))
        continue;
      reason = parse_row (&h, line, line_len, &record);
      if (reason == NULL)
        {
          g_array_append_val (csv->rows, record);
          continue;
        }

      Co2sCsvBadRow *bad = g_new (Co2sCsvBadRow, 1);
      bad->line = line_no;
      bad->reason = reason;
      g_ptr_array_add (csv->bad_rows, bad);
      if (csv->bad_rows->len <= MAX_WARNINGS)
        g_warning ("%s:%u: skipped: %s", origin, line_no, reason);
    }
  csv->n_bad = csv->bad_rows->len;
  if (csv->n_bad > MAX_WARNINGS)
    g_warning ("%s: %u more bad rows skipped without a warning each (%u in all)",
               origin, csv->n_bad - MAX_WARNINGS, csv->n_bad);

  if (csv->rows->len == 0)
    {
      g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NO_ROWS,
                   _("%s has no usable row (bad rows: %u)"), origin, csv->n_bad);
      return NULL;
    }
  return g_steal_pointer (&csv);
}

Co2sCsv *
co2s_csv_load (const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NOT_FOUND,
                     _("the data set %s does not exist: put co2_processed.csv at "
                       "data/co2_processed.csv (see data/README.md for where to get it) "
                       "or give its path"),
                     path);
      else
        g_set_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_READ,
                     _("cannot read the data set %s: %s"), path, local_error->message);
      return NULL;
    }
  return co2s_csv_parse (contents, len, path, error);
}

void
co2s_csv_free (Co2sCsv *csv)
{
  if (csv == NULL)
    return;
  g_clear_pointer (&csv->rows, g_array_unref);
  g_clear_pointer (&csv->bad_rows, g_ptr_array_unref);
  g_free (csv);
}
