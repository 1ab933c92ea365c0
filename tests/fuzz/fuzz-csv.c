/* fuzz-csv.c — the vehicle CSV reader of co2stream-api: co2s_csv_parse.
 *
 * Must hold for any input: rows or an error with a readable message; every
 * non-blank line after the header is either a good row or a bad row (line
 * numbers increasing, a readable reason); a good row passes
 * co2s_record_validate and survives the record's JSON form (what the API
 * streams) unchanged; the reader warns once per bad row up to 50, then once
 * more for the rest (these warnings are expected and counted here). */
#define G_LOG_DOMAIN "fuzz-csv"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-csv.h"
#include "co2s-record-json.h"
#include "fuzz-common.h"

#define MAX_WARNINGS 50   /* co2s-csv.c's */

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

/* Non-blank lines after the first non-blank one (the header), and the
 * header's line number. */
static guint
count_data_lines (const char *data, gsize size, guint *header_line)
{
  const char *p = data, *end = data + size;
  guint line_no = 0, n = 0;

  *header_line = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      line_no++;
      if (!is_blank (p, stop - p))
        {
          if (*header_line == 0)
            *header_line = line_no;
          else
            n++;
        }
      p = stop + 1;
    }
  return n;
}

static guint
expected_warnings (guint n_bad)
{
  return MIN (n_bad, MAX_WARNINGS) + (n_bad > MAX_WARNINGS ? 1 : 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  guint header_line, data_lines, warnings, last_line;

  fuzz_expect_warnings ("co2s-csv");
  csv = co2s_csv_parse ((const char *) data, size, "fuzz.csv", &error);
  warnings = fuzz_expect_end ();
  data_lines = count_data_lines ((const char *) data, size, &header_line);

  if (csv == NULL)
    {
      const char *bad;

      fuzz_check_error (error, "co2s_csv_parse");
      fuzz_check (error->domain == CO2S_CSV_ERROR &&
                  (error->code == CO2S_CSV_ERROR_HEADER || error->code == CO2S_CSV_ERROR_NO_ROWS),
                  "unexpected error %s %d: %s", g_quark_to_string (error->domain), error->code,
                  error->message);
      if (error->code == CO2S_CSV_ERROR_HEADER)
        fuzz_check (warnings == 0, "%u warnings before a header error", warnings);
      /* "… has no usable row (bad rows: N)": then every data line is bad. */
      else if ((bad = strstr (error->message, "(bad rows: ")) != NULL)
        {
          guint n_bad = (guint) strtoul (bad + strlen ("(bad rows: "), NULL, 10);

          fuzz_check (n_bad == data_lines, "%u bad rows of %u data lines, none good", n_bad, data_lines);
          fuzz_check (warnings == expected_warnings (n_bad), "%u warnings for %u bad rows",
                      warnings, n_bad);
        }
      return 0;
    }

  fuzz_check (csv->rows->len > 0, "no rows but no error");
  fuzz_check (csv->n_bad == csv->bad_rows->len, "n_bad %u, bad_rows %u", csv->n_bad, csv->bad_rows->len);
  fuzz_check (csv->rows->len + csv->n_bad == data_lines, "%u good + %u bad rows of %u data lines",
              csv->rows->len, csv->n_bad, data_lines);
  fuzz_check (warnings == expected_warnings (csv->n_bad), "%u warnings for %u bad rows",
              warnings, csv->n_bad);

  last_line = header_line;
  for (guint i = 0; i < csv->bad_rows->len; i++)
    {
      const Co2sCsvBadRow *bad = csv->bad_rows->pdata[i];

      fuzz_check (bad->line > last_line, "bad row %u at line %u after line %u", i, bad->line, last_line);
      last_line = bad->line;
      fuzz_check (bad->reason != NULL && bad->reason[0] != '\0', "bad row without a reason");
      fuzz_check_utf8 (bad->reason, -1, "a bad row's reason");
    }

  for (guint i = 0; i < csv->rows->len; i++)
    {
      const Co2sRecord *row = &g_array_index (csv->rows, Co2sRecord, i);
      g_autoptr(GString) json = g_string_new (NULL);
      g_autoptr(GError) row_error = NULL;
      Co2sRecord back;

      fuzz_check (co2s_record_validate (row, &row_error), "row %u is invalid: %s", i, row_error->message);
      co2s_record_to_json (row, json);
      fuzz_check (co2s_record_from_json (json->str, json->len, &back, &row_error),
                  "row %u, as JSON, is refused: %s\n%s", i, row_error->message, json->str);
      for (int c = 0; c < CO2S_N_COLUMNS; c++)
        fuzz_check (fuzz_same_double (row->values[c], back.values[c]),
                    "row %u, column %s: %.17g, as JSON %.17g", i, co2s_column_name (c),
                    row->values[c], back.values[c]);
    }
  return 0;
}
