/* test-dataset.c — the data set committed at data/co2_processed.csv is the
 * reference file (sha256 from data/README.md), and the pipeline's CSV reader
 * takes every row of it. */
#define G_LOG_DOMAIN "test-dataset"

#include <glib.h>

#include "co2s-csv.h"

#define DATASET_SHA256 "2c03900f812967854e273e56e64fa15eac2a54853433e388b1a7f7d0513f62b0"
#define DATASET_ROWS 7385
#define DATASET_BYTES 411235

static char *
dataset_path (void)
{
  const char *source_dir = g_getenv ("CO2S_SOURCE_DIR");

  g_assert_nonnull (source_dir);
  return g_build_filename (source_dir, "data", "co2_processed.csv", NULL);
}

/* The committed file is byte for byte the reference copy. */
static void
test_sha256 (void)
{
  g_autofree char *path = dataset_path ();
  g_autofree char *contents = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("the data set must be committed at %s: %s", path, error->message);

  g_assert_cmpuint (len, ==, DATASET_BYTES);
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_assert_cmpstr (digest, ==, DATASET_SHA256);
}

/* Every row is good for the pipeline's reader: none is skipped. */
static void
test_all_rows_read (void)
{
  g_autofree char *path = dataset_path ();
  g_autoptr(Co2sCsv) csv = NULL;
  g_autoptr(GError) error = NULL;

  csv = co2s_csv_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (csv->rows->len, ==, DATASET_ROWS);
  g_assert_cmpuint (csv->n_bad, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/data/dataset-sha256", test_sha256);
  g_test_add_func ("/data/dataset-all-rows-read", test_all_rows_read);

  return g_test_run ();
}
