/* test-api-rows.c — Co2sStreamRows writes exactly what co2s_record_to_json does. */
#define G_LOG_DOMAIN "api-test"

#include <math.h>
#include <string.h>

#include "co2s-csv.h"
#include "co2s-load-budget.h"
#include "co2s-record-json.h"
#include "co2s-stream-rows.h"
#include "co2s-test-util.h"

static GArray *
make_records (guint n)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (Co2sRecord));

  for (guint i = 0; i < n; i++)
    {
      Co2sRecord record;

      co2s_record_init (&record);
      record.values[CO2S_COL_ENGINE_SIZE] = 1.0 + 0.1 * i;
      record.values[CO2S_COL_CYLINDERS] = 4 + 2 * (i % 3);
      record.values[CO2S_COL_FUEL_CITY] = 7.3 + i / 3.0;  /* not short decimals */
      record.values[CO2S_COL_FUEL_HWY] = 5.55 + i;
      record.values[CO2S_COL_FUEL_COMB] = 6.45 + i * 0.5;
      /* The optional mpg column is absent from every other row. */
      record.values[CO2S_COL_FUEL_COMB_MPG] = i % 2 ? NAN : 30 - i;
      record.values[CO2S_COL_CO2] = 150 + 7 * i;
      for (guint f = CO2S_COL_FUEL_D; f <= CO2S_COL_FUEL_Z; f++)
        record.values[f] = (f - CO2S_COL_FUEL_D) == i % 5 ? 1.0 : 0.0;
      g_array_append_val (records, record);
    }

  return records;
}

static void
test_rows_encoding (void)
{
  g_autoptr(GArray) records = make_records (7);
  g_autoptr(Co2sStreamRows) rows = co2s_stream_rows_new (records);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) want = g_string_new (NULL);
  const gint64 seqs[] = { 0, 1, 6, 7, 13, 1000003, G_MAXINT64 / 2 };
  const gint64 times[] = { 1, 1700000000000000, G_MAXINT64 };

  g_assert_cmpuint (co2s_stream_rows_get_n_rows (rows), ==, 7);
  /* The fast path must be on, or /stream slows down several times. */
  g_assert_true (co2s_stream_rows_is_cached (rows));

  for (guint s = 0; s < G_N_ELEMENTS (seqs); s++)
    for (guint t = 0; t < G_N_ELEMENTS (times); t++)
      {
        Co2sRecord record = g_array_index (records, Co2sRecord, seqs[s] % 7);

        record.seq = seqs[s];
        record.emit_us = times[t];
        g_string_truncate (want, 0);
        co2s_record_to_json (&record, want);

        g_string_truncate (got, 0);
        co2s_stream_rows_append (rows, seqs[s], times[t], got);

        g_assert_cmpstr (got->str, ==, want->str);
      }
}

static void
test_rows_decode_back (void)
{
  g_autoptr(GArray) records = make_records (3);
  g_autoptr(Co2sStreamRows) rows = co2s_stream_rows_new (records);
  g_autoptr(GString) line = g_string_new (NULL);

  /* What the API writes, the consumers' decoder reads back unchanged. */
  for (gint64 seq = 0; seq < 9; seq++)
    {
      const Co2sRecord *orig = &g_array_index (records, Co2sRecord, seq % 3);
      g_autoptr(GError) error = NULL;
      Co2sRecord back;

      g_string_truncate (line, 0);
      co2s_stream_rows_append (rows, seq, 1700000000000000 + seq, line);
      g_assert_true (co2s_record_from_json (line->str, line->len, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back.seq, ==, seq);
      g_assert_cmpint (back.emit_us, ==, 1700000000000000 + seq);
      for (guint c = 0; c < CO2S_N_COLUMNS; c++)
        {
          if (isnan (orig->values[c]))
            g_assert_true (isnan (back.values[c]));
          else
            g_assert_cmpfloat (back.values[c], ==, orig->values[c]);
        }
    }
}

/* Appends rows seq @seq0 … @seq0 + n - 1 and compares each with what the
 * core encoder writes for its record, records[seq % n]. */
static void
assert_rows_match (Co2sStreamRows *rows,
                   GArray         *records,
                   gint64          seq0,
                   gint64          emit_us)
{
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) want = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      Co2sRecord record = g_array_index (records, Co2sRecord, (guint) ((seq0 + i) % records->len));

      record.seq = seq0 + i;
      record.emit_us = emit_us;
      g_string_truncate (want, 0);
      co2s_record_to_json (&record, want);
      g_string_truncate (got, 0);
      co2s_stream_rows_append (rows, seq0 + i, emit_us, got);
      if (!g_string_equal (got, want))
        g_error ("seq %" G_GINT64_FORMAT " differs:\n  got  %s  want %s", seq0 + i, got->str, want->str);
    }
}

/* Values the encoder writes in unusual forms: exponents, long fractions,
 * -0, huge and tiny numbers, the optional column absent from the first
 * row, and every fuel flag. The table is packed, and exact. */
static void
test_rows_odd_values (void)
{
  static const double odd[] = {
    0.1 + 0.2, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -0.0, 123456789.125, 1.0 / 3,
  };
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (Co2sRecord));
  g_autoptr(Co2sStreamRows) rows = NULL;

  for (guint i = 0; i < 40; i++)
    {
      Co2sRecord record;

      co2s_record_init (&record);
      for (guint c = 0; c < CO2S_N_COLUMNS; c++)
        {
          if (co2s_column_type (c) == CO2S_COLUMN_BOOLEAN)
            record.values[c] = (c - CO2S_COL_FUEL_D) == i % 5 ? 1.0 : 0.0;
          else
            record.values[c] = odd[(i + c) % G_N_ELEMENTS (odd)];
        }
      if (i == 0)
        record.values[CO2S_COL_FUEL_COMB_MPG] = NAN;
      g_array_append_val (records, record);
    }

  rows = co2s_stream_rows_new (records);
  g_assert_true (co2s_stream_rows_is_cached (rows));
  assert_rows_match (rows, records, 0, 1);
  assert_rows_match (rows, records, G_MAXINT64 - 100, G_MAXINT64);
}

/* The real data set: every row as the encoder writes it, in less memory
 * than the CSV's text (the records alone took twice it, their JSON five
 * times). */
static void
test_rows_dataset (void)
{
  g_autofree char *path = co2s_test_dataset_path ();
  g_autoptr(Co2sCsv) csv = NULL;
  g_autoptr(Co2sStreamRows) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) file = NULL;
  gsize size;
  goffset csv_size;

  if (path == NULL)
    return;
  csv = co2s_csv_load (path, &error);
  g_assert_no_error (error);
  rows = co2s_stream_rows_new (csv->rows);
  g_assert_true (co2s_stream_rows_is_cached (rows));
  assert_rows_match (rows, csv->rows, 0, 1700000000000000);
  assert_rows_match (rows, csv->rows, 3 * (gint64) csv->rows->len, 1);

  file = g_file_new_for_path (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
  g_assert_no_error (error);
  csv_size = g_file_info_get_size (info);
  size = co2s_stream_rows_get_size (rows);
  g_test_message ("%u rows, CSV %" G_GOFFSET_FORMAT " bytes, packed %" G_GSIZE_FORMAT " bytes (%.2f)",
                  csv->rows->len, csv_size, size, (double) size / (double) csv_size);
  g_assert_cmpuint (size, <, (gsize) csv_size);
}

static char *
write_file (const char *dir,
            const char *name,
            const char *text,
            gsize       len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

/* The estimate counts the rows of a small file exactly (a last line
 * without '\n' included, the header not), and those of a large one from the
 * mean length of its first 64 KiB; a missing file is an error. */
static void
test_load_budget (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *small = write_file (dir, "small.csv", "h,e,a,d\n1,2,3,4\n5,6,7,8", 23);
  g_autofree char *empty = write_file (dir, "empty.csv", "", 0);
  g_autoptr(GString) text = g_string_new ("0123456789,0123456789,0123456789\n");
  g_autofree char *large = NULL;
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autoptr(GError) error = NULL;
  Co2sLoadBudget budget;

  g_assert_true (co2s_load_budget_estimate (small, &budget, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (budget.file_bytes, ==, 23);
  g_assert_cmpuint (budget.rows, ==, 2);
  g_assert_cmpuint (budget.peak_bytes, ==, co2s_load_budget_peak (23, 2));
  g_assert_cmpuint (budget.peak_bytes, ==, 23 + 2 * (sizeof (Co2sRecord) + sizeof (gsize)) +
                                           CO2S_LOAD_BUDGET_BASE_BYTES);

  g_assert_true (co2s_load_budget_estimate (empty, &budget, &error));
  g_assert_cmpuint (budget.rows, ==, 0);

  /* 100,000 lines of 33 bytes: 3.3 MB, 99,999 rows and the header. */
  while (text->len < 100000 * 33)
    g_string_append_len (text, text->str, (gssize) MIN (text->len, 100000 * 33 - text->len));
  large = write_file (dir, "large.csv", text->str, text->len);
  g_assert_true (co2s_load_budget_estimate (large, &budget, &error));
  g_assert_cmpuint (budget.file_bytes, ==, 100000 * 33);
  g_assert_cmpuint (budget.rows, >=, 99999);
  g_assert_cmpuint (budget.rows, <=, 100000);

  g_assert_false (co2s_load_budget_estimate (missing, &budget, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/rows/encoding", test_rows_encoding);
  g_test_add_func ("/api/rows/decode-back", test_rows_decode_back);
  g_test_add_func ("/api/rows/odd-values", test_rows_odd_values);
  g_test_add_func ("/api/rows/dataset", test_rows_dataset);
  g_test_add_func ("/api/load-budget", test_load_budget);

  return g_test_run ();
}
