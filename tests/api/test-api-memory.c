/* test-api-memory.c — co2stream-api holds less memory than the CSV it serves
 * (it held 7 times its size: 941 MB for 135 MB), and refuses at start a file
 * whose load would take more than --max-memory-mb, saying how much it takes
 * and what to pass. Real processes, VmRSS from /proc. */
#define G_LOG_DOMAIN "api-test"

#include <string.h>

#include "api-fixture.h"
#include "co2s-contracts.h"

#define WAIT_MS 20000

/* Writes @n_rows of the fixture's rows to a CSV under @dir; returns its
 * path and its size in *@size. */
static char *
write_csv (const char *dir,
           const char *name,
           guint       n_rows,
           gsize      *size)
{
  g_autofree char *text = api_csv_text (n_rows);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  *size = strlen (text);

  return path;
}

/* A CSV of ~22 MB: what the server holds for it beyond what it holds for a
 * 3-row file must stay below the file's size, and the rows it streams are
 * still the file's, at its start and across its end. */
static void
test_rss_below_csv_size (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  const guint n_rows = 400000;
  gsize small_size, big_size;
  g_autofree char *small_csv = write_csv (dir, "small.csv", 3, &small_size);
  g_autofree char *big_csv = write_csv (dir, "big.csv", n_rows, &big_size);
  g_autoptr(ApiServer) small = api_server_start_with_file (small_csv, NULL);
  guint64 small_kib = api_server_rss_kib (small);
  g_autoptr(ApiServer) big = NULL;
  g_autoptr(JsonObject) health = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ApiStream) stream = NULL;
  gint64 start_us = g_get_real_time ();
  guint64 big_kib, extra_bytes;

  g_assert_cmpint (api_server_stop (small), ==, 0);

  big = api_server_start_with_file (big_csv, NULL);
  big_kib = api_server_rss_kib (big);
  extra_bytes = (big_kib - MIN (big_kib, small_kib)) * 1024;
  g_test_message ("CSV of %" G_GSIZE_FORMAT " bytes (%u rows): VmRSS %" G_GUINT64_FORMAT " KiB "
                  "against %" G_GUINT64_FORMAT " KiB for 3 rows: %.2f times the file's size",
                  big_size, n_rows, big_kib, small_kib, (double) extra_bytes / (double) big_size);
  g_assert_cmpuint (extra_bytes, <, big_size);

  health = api_health (big);
  g_assert_cmpint (api_json_int (health, "rows_loaded"), ==, n_rows);

  /* The last two rows of the file, then the first two of the next pass. */
  path = g_strdup_printf ("/stream?rate=0&from=%u&limit=4", n_rows - 2);
  stream = api_stream_open (big, path);
  for (gint64 seq = n_rows - 2; seq < n_rows + 2; seq++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

      g_assert_nonnull (row);
      api_check_row (row, seq, n_rows, start_us);
    }
  g_assert_null (api_stream_read_line (stream, NULL));

  g_assert_cmpint (api_server_stop (big), ==, 0);
}

/* Runs co2stream-api on @csv with @max_memory_mb; when it exits (refusal or
 * usage error) returns its status and stderr in *@err; when it listens,
 * stops it and returns -1. */
static int
run_api (const char  *csv,
         const char  *max_memory_mb,
         char       **err)
{
  const char *argv[] = {
    co2s_test_program ("CO2S_API"), "--csv", csv, "--listen", "127.0.0.1:0",
    "--max-memory-mb", max_memory_mb, NULL
  };
  g_autoptr(Co2sTestProc) proc = co2s_test_proc_spawn_or_die (argv, NULL);
  int status;

  if (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^" CO2S_READY_API_PREFIX, WAIT_MS, NULL))
    {
      g_assert_cmpint (co2s_test_proc_terminate (proc, WAIT_MS), ==, 0);
      *err = co2s_test_proc_stderr_text (proc);
      return -1;
    }

  status = co2s_test_proc_wait_exit (proc, WAIT_MS);
  g_assert_true (co2s_test_proc_wait_closed (proc, WAIT_MS));
  *err = co2s_test_proc_stderr_text (proc);
  return status;
}

/* A ~3.3 MB CSV (60,000 rows) takes some 27 MB to load: refused under
 * --max-memory-mb 20 before it is read, with the file's size, the memory
 * it takes and the value to pass, which then works. */
static void
test_cap_refuses_large_file (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  gsize size;
  g_autofree char *csv = write_csv (dir, "vehicles.csv", 60000, &size);
  g_autofree char *err = NULL;
  g_autofree char *err_ok = NULL;
  g_autofree char *size_text = g_format_size (size);
  g_autoptr(GRegex) regex = g_regex_new ("Pass --max-memory-mb ([0-9]+) \\(or more\\) to serve it", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *needed = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (run_api (csv, "20", &err), ==, 1);
  g_test_message ("%s", err);
  expected = g_strdup_printf ("co2stream-api: %s is too large for --max-memory-mb 20: the file is %s, "
                              "and loading it takes about ", csv, size_text);
  g_assert_nonnull (strstr (err, expected));
  g_assert_null (strstr (err, "loaded ")); /* refused before reading it */
  g_assert_true (g_regex_match (regex, err, 0, &match));
  needed = g_match_info_fetch (match, 1);
  g_assert_cmpuint (g_ascii_strtoull (needed, NULL, 10), >, 20);
  g_assert_cmpuint (g_ascii_strtoull (needed, NULL, 10), <, 40);

  /* The value it names is enough. */
  g_assert_cmpint (run_api (csv, needed, &err_ok), ==, -1);
  g_assert_nonnull (strstr (err_ok, "loaded 60000 rows"));
}

/* The default (1024 MB) serves the data set's kind of file up to ~300 MB:
 * the 3.3 MB file loads without the option. */
static void
test_cap_default (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  gsize size;
  g_autofree char *csv = write_csv (dir, "vehicles.csv", 60000, &size);
  g_autoptr(ApiServer) server = api_server_start_with_file (csv, NULL);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_cap_bad_value (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  gsize size;
  g_autofree char *csv = write_csv (dir, "vehicles.csv", 3, &size);
  const char *values[] = { "0", "-5" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("co2stream-api: bad --max-memory-mb %s: "
                                                   "expected megabytes of memory, 1 or more", values[i]);

      g_assert_cmpint (run_api (csv, values[i], &err), ==, 2);
      g_assert_nonnull (strstr (err, expected));
      g_assert_nonnull (strstr (err, "co2stream-api --help"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/memory/rss-below-csv-size", test_rss_below_csv_size);
  g_test_add_func ("/api/memory/cap-refuses-large-file", test_cap_refuses_large_file);
  g_test_add_func ("/api/memory/cap-default", test_cap_default);
  g_test_add_func ("/api/memory/cap-bad-value", test_cap_bad_value);

  return g_test_run ();
}
