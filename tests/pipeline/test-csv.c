/* test-csv.c — loading and validating the vehicle CSV, on inputs built here. */
#define G_LOG_DOMAIN "test-csv"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "co2s-csv.h"

#define HEADER "Engine_Size,Cylinders,Fuel_Consumption_City,Fuel_Consumption_Hwy," \
  "Fuel_Consumption_Comb,Fuel_Consumption_Comb-1,CO2_Emissions,Fuel_Type_D,Fuel_Type_E," \
  "Fuel_Type_N,Fuel_Type_X,Fuel_Type_Z"
#define ROW1 "2.0,4,9.85,6.95,8.5,33,199,False,False,False,False,True"
#define ROW2 "2.4,4,11.25,7.75,9.65,29,224,False,False,False,True,False"
#define ROW3 "3.0,6,12.75,9.15,11.15,25,257,True,False,False,False,False"

static Co2sCsv *
parse (const char *text, GError **error)
{
  return co2s_csv_parse (text, strlen (text), "test.csv", error);
}

static const Co2sRecord *
row (Co2sCsv *csv, guint i)
{
  g_assert_cmpuint (i, <, csv->rows->len);
  return &g_array_index (csv->rows, Co2sRecord, i);
}

static void
assert_row1 (const Co2sRecord *r)
{
  g_assert_cmpfloat (r->values[CO2S_COL_ENGINE_SIZE], ==, 2.0);
  g_assert_cmpfloat (r->values[CO2S_COL_CYLINDERS], ==, 4.0);
  g_assert_cmpfloat (r->values[CO2S_COL_FUEL_CITY], ==, 9.85);
  g_assert_cmpfloat (r->values[CO2S_COL_FUEL_HWY], ==, 6.95);
  g_assert_cmpfloat (r->values[CO2S_COL_FUEL_COMB], ==, 8.5);
  g_assert_cmpfloat (r->values[CO2S_COL_FUEL_COMB_MPG], ==, 33.0);
  g_assert_cmpfloat (r->values[CO2S_COL_CO2], ==, 199.0);
  for (int c = CO2S_COL_FUEL_D; c <= CO2S_COL_FUEL_X; c++)
    g_assert_cmpfloat (r->values[c], ==, 0.0);
  g_assert_cmpfloat (r->values[CO2S_COL_FUEL_Z], ==, 1.0);
  g_assert_cmpint (r->seq, ==, -1);
  g_assert_cmpint (r->emit_us, ==, 0);
}

/* Parses @text expecting the good rows and the bad lines listed (0-ended),
 * each bad row's reason containing @reason_part. */
static Co2sCsv *
parse_with_bad (const char *text, guint n_good, const guint *bad_lines, const char *reason_part)
{
  g_autoptr(GError) error = NULL;
  Co2sCsv *csv;
  guint n_bad = 0;

  while (bad_lines[n_bad] != 0)
    {
      g_autofree char *pattern = g_strdup_printf ("test.csv:%u: skipped: *%s*",
                                                  bad_lines[n_bad], reason_part);
      g_test_expect_message ("co2s-csv", G_LOG_LEVEL_WARNING, pattern);
      n_bad++;
    }
  csv = parse (text, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (csv);
  g_assert_cmpuint (csv->rows->len, ==, n_good);
  g_assert_cmpuint (csv->n_bad, ==, n_bad);
  g_assert_cmpuint (csv->bad_rows->len, ==, n_bad);
  for (guint i = 0; i < n_bad; i++)
    {
      Co2sCsvBadRow *bad = g_ptr_array_index (csv->bad_rows, i);

      g_assert_cmpuint (bad->line, ==, bad_lines[i]);
      g_assert_nonnull (strstr (bad->reason, reason_part));
    }
  return csv;
}

static void
test_load_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("co2s-csv-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(Co2sCsv) csv = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "good.csv", NULL);
  g_file_set_contents (path, HEADER "\n" ROW1 "\n" ROW2 "\n" ROW3 "\n", -1, &error);
  g_assert_no_error (error);

  csv = co2s_csv_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (csv->rows->len, ==, 3);
  g_assert_cmpuint (csv->n_bad, ==, 0);
  assert_row1 (row (csv, 0));
  g_assert_cmpfloat (row (csv, 1)->values[CO2S_COL_FUEL_CITY], ==, 11.25);
  g_assert_cmpfloat (row (csv, 2)->values[CO2S_COL_FUEL_D], ==, 1.0);
  g_assert_cmpfloat (row (csv, 2)->values[CO2S_COL_FUEL_Z], ==, 0.0);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_booleans_and_numbers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = parse (HEADER "\n"
                                  "2,4,9.85,6.95,8.5,33,199,0,0,0,false,1\n"
                                  "2e0,4.0,985e-2,+6.95,.85e1,33,1.99E2,false,0,False,0,true\n",
                                  &error);

  g_assert_no_error (error);
  g_assert_cmpuint (csv->rows->len, ==, 2);
  assert_row1 (row (csv, 0));
  assert_row1 (row (csv, 1));
}

static void
test_bad_rows_field_count (void)
{
  static const guint bad[] = { 3, 5, 0 };
  g_autoptr(Co2sCsv) csv = parse_with_bad (HEADER "\n"
                                           ROW1 "\n"
                                           "2.0,4,9.85,6.95,8.5,33,199,False,False,False,False\n"
                                           ROW2 "\n"
                                           ROW3 ",extra\n",
                                           2, bad, "fields, the header has 12");

  assert_row1 (row (csv, 0));
}

static void
test_bad_rows_not_a_number (void)
{
  static const guint bad[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 0 };
  g_autoptr(Co2sCsv) csv =
    parse_with_bad (HEADER "\n"
                    "two,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    ",4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "2.0x,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "NaN,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "2.0,inf,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "2.0,4,9.85,6.95,8.5,33,-Infinity,False,False,False,False,True\n"
                    " 2.0,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "0x2,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "2.0,4,1e999,6.95,8.5,33,199,False,False,False,False,True\n"
                    ROW1 "\n",
                    1, bad, "not a number");

  assert_row1 (row (csv, 0));
}

static void
test_bad_rows_unknown_boolean (void)
{
  static const guint bad[] = { 2, 3, 4, 5, 0 };
  g_autoptr(Co2sCsv) csv =
    parse_with_bad (HEADER "\n"
                    "2.0,4,9.85,6.95,8.5,33,199,False,False,False,False,yes\n"
                    "2.0,4,9.85,6.95,8.5,33,199,FALSE,False,False,False,True\n"
                    "2.0,4,9.85,6.95,8.5,33,199,,False,False,False,True\n"
                    "2.0,4,9.85,6.95,8.5,33,199,0.0,False,False,False,True\n"
                    ROW1 "\n",
                    1, bad, "not a boolean");

  assert_row1 (row (csv, 0));
}

static void
test_bad_rows_out_of_range (void)
{
  static const guint bad[] = { 2, 3, 4, 5, 0 };
  g_autoptr(Co2sCsv) csv =
    parse_with_bad (HEADER "\n"
                    "80,4,9.85,6.95,8.5,33,199,False,False,False,False,True\n"
                    "2.0,4,9.85,6.95,8.5,33,-199,False,False,False,False,True\n"
                    "2.0,4,9.85,6.95,8.5,33,199,False,False,False,False,False\n"
                    "2.0,4,9.85,6.95,8.5,33,199,True,False,False,False,True\n"
                    ROW1 "\n",
                    1, bad, "");
  Co2sCsvBadRow *first = g_ptr_array_index (csv->bad_rows, 0);
  Co2sCsvBadRow *third = g_ptr_array_index (csv->bad_rows, 2);

  g_assert_nonnull (strstr (first->reason, "Engine_Size"));
  g_assert_nonnull (strstr (third->reason, "fuel-type"));
}

static void
test_header_missing_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv =
    parse ("Engine_Size,Cylinders,Fuel_Consumption_City,Fuel_Consumption_Hwy,"
           "Fuel_Consumption_Comb,Fuel_Consumption_Comb-1,Fuel_Type_D,Fuel_Type_E,"
           "Fuel_Type_N,Fuel_Type_X,Fuel_Type_Z\n"
           "2.0,4,9.85,6.95,8.5,33,False,False,False,False,True\n", &error);

  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER);
  g_assert_nonnull (strstr (error->message, "CO2_Emissions"));
  g_clear_error (&error);

  /* A column twice is as wrong as one missing. */
  csv = parse (HEADER ",Cylinders\n" ROW1 ",4\n", &error);
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER);
  g_assert_nonnull (strstr (error->message, "Cylinders"));
}

static void
test_header_reordered_and_extra (void)
{
  g_autoptr(GError) error = NULL;
  /* Columns shuffled, two extra ones (ignored, even when not numbers), and
   * the optional mpg column absent (NAN). */
  g_autoptr(Co2sCsv) csv =
    parse ("Make,Fuel_Type_Z,CO2_Emissions,Fuel_Type_X,Engine_Size,Fuel_Type_N,"
           "Fuel_Consumption_Comb,Fuel_Type_E,Cylinders,Fuel_Consumption_Hwy,Fuel_Type_D,"
           "Fuel_Consumption_City,Model\n"
           "MAKE,True,199,False,2.0,False,8.5,False,4,6.95,False,9.85,MODEL\n", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (csv->rows->len, ==, 1);
  g_assert_true (isnan (row (csv, 0)->values[CO2S_COL_FUEL_COMB_MPG]));
  g_assert_cmpfloat (row (csv, 0)->values[CO2S_COL_ENGINE_SIZE], ==, 2.0);
  g_assert_cmpfloat (row (csv, 0)->values[CO2S_COL_FUEL_CITY], ==, 9.85);
  g_assert_cmpfloat (row (csv, 0)->values[CO2S_COL_FUEL_HWY], ==, 6.95);
  g_assert_cmpfloat (row (csv, 0)->values[CO2S_COL_CO2], ==, 199);
  g_assert_cmpfloat (row (csv, 0)->values[CO2S_COL_FUEL_Z], ==, 1.0);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("co2s-csv-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(Co2sCsv) csv = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "no-such.csv", NULL);
  csv = co2s_csv_load (path, &error);
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "data/co2_processed.csv"));
  g_assert_nonnull (strstr (error->message, "data/README.md"));
  g_clear_error (&error);

  /* A directory exists but is no file: READ, not NOT_FOUND. */
  csv = co2s_csv_load (dir, &error);
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_READ);
  g_assert_nonnull (strstr (error->message, dir));
  g_rmdir (dir);
}

static void
test_crlf (void)
{
  g_autoptr(GError) error = NULL;
  /* CRLF everywhere, blank lines in the middle (not rows, not bad, but
   * counted in line numbers) and no newline at the end. */
  g_autoptr(Co2sCsv) csv = NULL;
  static const guint bad[] = { 6, 0 };

  csv = parse (HEADER "\r\n" ROW1 "\r\n\r\n" ROW2 "\r\n   \r\n" ROW3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (csv->rows->len, ==, 3);
  g_assert_cmpuint (csv->n_bad, ==, 0);
  assert_row1 (row (csv, 0));
  g_assert_cmpfloat (row (csv, 2)->values[CO2S_COL_CO2], ==, 257);
  g_clear_pointer (&csv, co2s_csv_free);

  /* The line numbers of bad rows count the blank lines; a BOM is fine. */
  csv = parse_with_bad ("\xEF\xBB\xBF" HEADER "\r\n" ROW1 "\r\n\r\n\n" ROW2 "\r\n"
                        "x,4,9.85,6.95,8.5,33,199,False,False,False,False,True\r\n",
                        2, bad, "Engine_Size");
  assert_row1 (row (csv, 0));
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;

  csv = parse ("", &error);
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER);
  g_assert_nonnull (strstr (error->message, "test.csv"));
  g_clear_error (&error);

  csv = parse ("\n \r\n", &error);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_HEADER);
  g_clear_error (&error);

  /* A header and nothing else, or no good row: NO_ROWS. */
  csv = parse (HEADER "\n", &error);
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NO_ROWS);
  g_clear_error (&error);

  g_test_expect_message ("co2s-csv", G_LOG_LEVEL_WARNING, "test.csv:2: skipped: *");
  csv = parse (HEADER "\nbad\n", &error);
  g_test_assert_expected_messages ();
  g_assert_null (csv);
  g_assert_error (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NO_ROWS);
  g_clear_error (&error);

  /* Data need not be NUL-terminated: only @len bytes are read. */
  {
    const char text[] = HEADER "\n" ROW1 "\nx,y";
    csv = co2s_csv_parse (text, sizeof text - 1 - strlen ("\nx,y"), "test.csv", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (csv->rows->len, ==, 1);
    g_clear_pointer (&csv, co2s_csv_free);
  }
}

static void
test_many_bad_rows (void)
{
  g_autoptr(GString) text = g_string_new (HEADER "\n" ROW1 "\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "bad row\n");
  /* One warning each for the first 50, then one summary. */
  for (int i = 0; i < 50; i++)
    g_test_expect_message ("co2s-csv", G_LOG_LEVEL_WARNING, "test.csv:*: skipped: *");
  g_test_expect_message ("co2s-csv", G_LOG_LEVEL_WARNING, "test.csv: 150 more bad rows*200 in all*");
  csv = parse (text->str, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (csv->n_bad, ==, 200);
  g_assert_cmpuint (((Co2sCsvBadRow *) g_ptr_array_index (csv->bad_rows, 199))->line, ==, 202);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/load/good", test_load_good);
  g_test_add_func ("/csv/load/booleans-and-numbers", test_booleans_and_numbers);
  g_test_add_func ("/csv/bad-rows/field-count", test_bad_rows_field_count);
  g_test_add_func ("/csv/bad-rows/not-a-number", test_bad_rows_not_a_number);
  g_test_add_func ("/csv/bad-rows/unknown-boolean", test_bad_rows_unknown_boolean);
  g_test_add_func ("/csv/bad-rows/out-of-range", test_bad_rows_out_of_range);
  g_test_add_func ("/csv/bad-rows/many", test_many_bad_rows);
  g_test_add_func ("/csv/header/missing-column", test_header_missing_column);
  g_test_add_func ("/csv/header/reordered-and-extra", test_header_reordered_and_extra);
  g_test_add_func ("/csv/missing-file", test_missing_file);
  g_test_add_func ("/csv/crlf", test_crlf);
  g_test_add_func ("/csv/empty", test_empty);

  return g_test_run ();
}
