/* test-api.c — co2stream-api, spawned for real on a free port. */
#define G_LOG_DOMAIN "api-test"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "api-fixture.h"
#include "co2s-contracts.h"
#include "co2s-record.h"

#define WAIT_MS 10000

/* ---- CSV loading ----------------------------------------------------------- */

static void
test_csv_bad_rows (void)
{
  g_autoptr(GString) csv = g_string_new (api_csv_header);
  g_autoptr(ApiServer) server = NULL;
  g_autoptr(JsonObject) health = NULL;
  g_autoptr(ApiStream) stream = NULL;
  g_autofree char *err = NULL;
  gint64 t0 = g_get_real_time ();
  const guint good[] = { 0, 1, 3 };  /* api_csv_rows indices kept, in order */

  g_string_append_c (csv, '\n');
  g_string_append_printf (csv, "%s\n", api_csv_rows[0]);                     /* line 2 */
  g_string_append (csv, "2.0,4,9.0\n");                                      /* line 3: field count */
  g_string_append_printf (csv, "%s\n", api_csv_rows[1]);                     /* line 4 */
  g_string_append (csv, "big,4,8.1,6.2,7.3,39,170,False,False,False,True,False\n"); /* line 5: not a number */
  g_string_append (csv, "1.6,4,8.1,6.2,7.3,39,170,False,False,False,Maybe,False\n"); /* line 6: boolean */
  g_string_append_printf (csv, "%s\n", api_csv_rows[3]);                     /* line 7 */

  server = api_server_start (csv->str, (const char *[]) { "--rate", "0", NULL });

  health = api_health (server);
  g_assert_cmpint (api_json_int (health, "rows_loaded"), ==, 3);
  g_assert_cmpint (api_json_int (health, "bad_rows"), ==, 3);

  /* The summary comes after the per-line warnings: wait for it, then look. */
  g_assert_true (api_wait_stderr (server->proc, "skipped 3 bad row", WAIT_MS));
  err = co2s_test_proc_stderr_text (server->proc);
  for (guint line = 3; line <= 6; line++)
    {
      /* "vehicles.csv:3: …" or "… line 3 …" */
      g_autofree char *pattern = g_strdup_printf ("vehicles\\.csv:%u:|(?i)\\bline\\W*%u\\b", line, line);
      gboolean found = g_regex_match_simple (pattern, err, G_REGEX_MULTILINE, 0);

      if (line == 4)
        g_assert_false (found);
      else if (!found)
        g_error ("stderr does not name bad line %u:\n%s", line, err);
    }

  /* Only the good rows are streamed, in file order. */
  stream = api_stream_open (server, "/stream?limit=6");
  for (gint64 seq = 0; seq < 6; seq++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);
      g_autofree char *want = g_strdup (api_csv_rows[good[seq % 3]]);
      g_auto(GStrv) fields = g_strsplit (want, ",", -1);

      g_assert_nonnull (row);
      g_assert_cmpint (api_json_int (row, "seq"), ==, seq);
      g_assert_cmpfloat (json_object_get_double_member (row, "Engine_Size"), ==,
                         g_ascii_strtod (fields[0], NULL));
      g_assert_cmpfloat (json_object_get_double_member (row, "CO2_Emissions"), ==,
                         g_ascii_strtod (fields[6], NULL));
      g_assert_cmpint (api_json_int (row, "ts_us"), >=, t0);
    }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_csv_missing_file (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "no-such-dir", "co2_processed.csv", NULL);
  const char *argv[] = { co2s_test_program ("CO2S_API"), "--csv", path, "--listen", "127.0.0.1:0", NULL };
  g_autoptr(Co2sTestProc) proc = co2s_test_proc_spawn_or_die (argv, NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  status = co2s_test_proc_wait_exit (proc, WAIT_MS);
  g_assert_cmpint (status, !=, -1);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpint (status, <, 128); /* an exit, not a crash */

  /* The message's last line, then the whole message. */
  g_assert_true (api_wait_stderr (proc, "--csv PATH", WAIT_MS));
  err = co2s_test_proc_stderr_text (proc);
  g_assert_nonnull (strstr (err, path));
  g_assert_nonnull (strstr (err, "data/co2_processed.csv"));
  g_assert_nonnull (strstr (err, "data/README.md"));

  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  g_assert_null (strstr (out, CO2S_READY_API_PREFIX));
}

/* ---- /stream ----------------------------------------------------------------- */

static void
test_stream_contents (void)
{
  g_autofree char *csv = api_csv_text (api_csv_n_rows);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "0", NULL });
  g_autoptr(ApiStream) stream = NULL;
  gint64 t0 = g_get_real_time ();
  gint64 prev_ts = 0;

  stream = api_stream_open (server, "/stream");
  for (gint64 seq = 0; seq < 2 * (gint64) api_csv_n_rows + 1; seq++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

      g_assert_nonnull (row);
      api_check_row (row, seq, api_csv_n_rows, t0);
      g_assert_cmpint (api_json_int (row, "ts_us"), >=, prev_ts);
      prev_ts = api_json_int (row, "ts_us");
    }

  /* The default rate applies when the query gives none: --rate 0 here, and
   * the key order follows the CSV header. */
  {
    g_autofree char *line = api_stream_read_line (stream, NULL);
    g_autofree char *prefix = g_strdup_printf ("{\"Engine_Size\":");

    g_assert_nonnull (line);
    g_assert_true (g_str_has_prefix (line, prefix));
    g_assert_nonnull (strstr (line, "\"Fuel_Type_Z\":"));
    g_assert_true (strstr (line, "\"Engine_Size\"") < strstr (line, "\"Cylinders\""));
    g_assert_true (strstr (line, "\"Fuel_Type_Y\"") == NULL);
  }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_stream_from_limit (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  gint64 t0 = g_get_real_time ();
  const struct { gint64 from, limit; } cases[] = {
    { 7, 5 },   /* starts mid-file in loop 2, wraps into loop 3 */
    { 0, 1 },
    { 2, 4 },
    { 3000000000, 3 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = g_strdup_printf ("/stream?rate=0&from=%" G_GINT64_FORMAT "&limit=%" G_GINT64_FORMAT,
                                               cases[c].from, cases[c].limit);
      g_autoptr(ApiStream) stream = api_stream_open (server, path);
      g_autoptr(JsonObject) after = NULL;
      gboolean clean_end = FALSE;

      for (gint64 i = 0; i < cases[c].limit; i++)
        {
          g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

          g_assert_nonnull (row);
          api_check_row (row, cases[c].from + i, 3, t0);
        }

      after = api_stream_read_row (stream, &clean_end);
      g_assert_null (after);
      g_assert_true (clean_end);
    }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_stream_loops (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "0", NULL });
  gint64 t0 = g_get_real_time ();
  g_autoptr(ApiStream) stream = api_stream_open (server, "/stream");

  /* An endless stream: seq keeps counting across loops of the 3-row file. */
  for (gint64 seq = 0; seq < 3 * 400 + 2; seq++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

      g_assert_nonnull (row);
      api_check_row (row, seq, 3, t0);
    }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_stream_once (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--once", "--rate", "0", NULL });
  gint64 t0 = g_get_real_time ();
  const struct { const char *path; gint64 first, count; } cases[] = {
    { "/stream", 0, 3 },             /* one pass, then the end */
    { "/stream?from=1", 1, 2 },      /* to the end of the file */
    { "/stream?from=4", 4, 0 },      /* past the one pass: empty */
    { "/stream?limit=2", 0, 2 },     /* a limit inside the pass */
    { "/stream?limit=10", 0, 3 },    /* a limit past the pass */
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(ApiStream) stream = api_stream_open (server, cases[c].path);
      g_autoptr(JsonObject) after = NULL;
      gboolean clean_end = FALSE;

      for (gint64 i = 0; i < cases[c].count; i++)
        {
          g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

          g_assert_nonnull (row);
          api_check_row (row, cases[c].first + i, 3, t0);
        }

      after = api_stream_read_row (stream, &clean_end);
      g_assert_null (after);
      g_assert_true (clean_end);
    }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* Reads @n rows and returns the seconds it took from opening the stream. */
static double
timed_read (ApiServer  *server,
            const char *path,
            guint       n)
{
  gint64 start = g_get_monotonic_time ();
  gint64 t0 = g_get_real_time ();
  g_autoptr(ApiStream) stream = api_stream_open (server, path);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);

      g_assert_nonnull (row);
      api_check_row (row, i, api_csv_n_rows, t0);
    }

  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static void
test_stream_rate (void)
{
  g_autofree char *csv = api_csv_text (api_csv_n_rows);
  double elapsed;

  /* The query's rate overrides a --rate 0 server... */
  {
    g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "0", NULL });

    elapsed = timed_read (server, "/stream?rate=200&limit=100", 100);
    g_test_message ("100 rows at rate=200 took %.3f s", elapsed);
    g_assert_cmpfloat (elapsed, >=, 0.4);
    g_assert_cmpint (api_server_stop (server), ==, 0);
  }

  /* ...and --rate is the default of a stream without one. */
  {
    g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "200", NULL });

    elapsed = timed_read (server, "/stream?limit=100", 100);
    g_test_message ("100 rows at --rate 200 took %.3f s", elapsed);
    g_assert_cmpfloat (elapsed, >=, 0.4);
    g_assert_cmpint (api_server_stop (server), ==, 0);
  }
}

static void
test_stream_concurrent_clients (void)
{
  g_autofree char *csv = api_csv_text (api_csv_n_rows);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "0", NULL });
  gint64 t0 = g_get_real_time ();
  g_autoptr(ApiStream) a = api_stream_open (server, "/stream");
  g_autoptr(ApiStream) b = api_stream_open (server, "/stream?from=1000");
  g_autofree char *err = NULL;
  ApiClientsWait wait = { server, 2, -1 };
  gint64 seq_b = 1000;

  g_assert_true (co2s_test_wait_until (api_clients_are, &wait, WAIT_MS));

  /* Interleaved reads, each at its own pace and position. */
  for (gint64 seq_a = 0; seq_a < 50; seq_a++)
    {
      g_autoptr(JsonObject) row_a = api_stream_read_row (a, NULL);

      g_assert_nonnull (row_a);
      api_check_row (row_a, seq_a, api_csv_n_rows, t0);

      for (guint k = 0; k < 3; k++, seq_b++)
        {
          g_autoptr(JsonObject) row_b = api_stream_read_row (b, NULL);

          g_assert_nonnull (row_b);
          api_check_row (row_b, seq_b, api_csv_n_rows, t0);
        }
    }

  /* One leaves; the other goes on where it was. */
  g_clear_pointer (&a, api_stream_free);
  wait.clients = 1;
  g_assert_true (co2s_test_wait_until (api_clients_are, &wait, WAIT_MS));

  for (guint k = 0; k < 20; k++, seq_b++)
    {
      g_autoptr(JsonObject) row_b = api_stream_read_row (b, NULL);

      g_assert_nonnull (row_b);
      api_check_row (row_b, seq_b, api_csv_n_rows, t0);
    }

  g_clear_pointer (&b, api_stream_free);
  wait.clients = 0;
  g_assert_true (co2s_test_wait_until (api_clients_are, &wait, WAIT_MS));

  /* One log line per connect and per disconnect, with the rows sent. */
  g_assert_true (api_wait_stderr (server->proc, "client #2 \\S+ disconnected after", WAIT_MS));
  err = co2s_test_proc_stderr_text (server->proc);
  g_assert_true (g_regex_match_simple ("client #1 127\\.0\\.0\\.1:\\d+ connected", err, 0, 0));
  g_assert_true (g_regex_match_simple ("client #2 127\\.0\\.0\\.1:\\d+ connected: from=1000", err, 0, 0));
  g_assert_true (g_regex_match_simple ("client #1 127\\.0\\.0\\.1:\\d+ disconnected after \\d+ rows", err, 0, 0));
  g_assert_true (g_regex_match_simple ("client #2 127\\.0\\.0\\.1:\\d+ disconnected after \\d+ rows", err, 0, 0));

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

typedef struct {
  ApiServer *server;
  gint64 rows_sent;
  gint64 stable_since;
  guint64 max_rss_kib;
} StallWait;

/* TRUE once rows_sent has not moved for 1 s (the server stopped producing). */
static gboolean
rows_sent_stable (gpointer data)
{
  StallWait *wait = data;
  g_autoptr(JsonObject) health = api_health (wait->server);
  gint64 rows_sent = api_json_int (health, "rows_sent");
  gint64 now = g_get_monotonic_time ();

  wait->max_rss_kib = MAX (wait->max_rss_kib, api_server_rss_kib (wait->server));

  if (rows_sent != wait->rows_sent || rows_sent == 0)
    {
      wait->rows_sent = rows_sent;
      wait->stable_since = now;
      return FALSE;
    }

  return now - wait->stable_since >= G_USEC_PER_SEC;
}

/* TRUE when rows_sent moved (a failure while the client stalls). */
static gboolean
rows_sent_moved (gpointer data)
{
  StallWait *wait = data;
  g_autoptr(JsonObject) health = api_health (wait->server);

  wait->max_rss_kib = MAX (wait->max_rss_kib, api_server_rss_kib (wait->server));

  return api_json_int (health, "rows_sent") != wait->rows_sent;
}

static gint64
line_seq (const char *line)
{
  const char *p = strstr (line, "\"seq\":");

  g_assert_nonnull (p);
  return g_ascii_strtoll (p + strlen ("\"seq\":"), NULL, 10);
}

static void
test_stream_backpressure (void)
{
  g_autofree char *csv = api_csv_text (api_csv_n_rows);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(ApiStream) stream = NULL;
  g_autoptr(JsonObject) health = NULL;
  StallWait wait = { server, 0, 0, 0 };
  guint64 rss_before;
  gint64 t0 = g_get_real_time ();
  gint64 stall_start;
  gint64 n_read;

  health = api_health (server);
  rss_before = api_server_rss_kib (server);

  /* A client that asks for everything as fast as it can, then reads nothing. */
  stream = api_stream_open_unread (server, "/stream?rate=0");
  stall_start = g_get_monotonic_time ();

  g_assert_true (co2s_test_wait_until (rows_sent_stable, &wait, WAIT_MS));
  g_assert_false (co2s_test_wait_until (rows_sent_moved, &wait, 1500));
  g_test_message ("stalled for %.2f s: rows_sent stopped at %" G_GINT64_FORMAT
                  ", RSS %" G_GUINT64_FORMAT " KiB -> max %" G_GUINT64_FORMAT " KiB",
                  (double) (g_get_monotonic_time () - stall_start) / G_USEC_PER_SEC,
                  wait.rows_sent, rss_before, wait.max_rss_kib);
  g_assert_cmpint (g_get_monotonic_time () - stall_start, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (wait.max_rss_kib, <, rss_before + 20 * 1024);

  g_clear_pointer (&health, json_object_unref);
  health = api_health (server);
  g_assert_cmpint (api_json_int (health, "clients"), ==, 1);

  /* Now it reads: a continuous, correct stream well past where the server
   * stopped (some 30 MB more, so memory held per row sent would show). */
  api_stream_read_head (stream);
  for (n_read = 0; n_read < wait.rows_sent + 100000; n_read++)
    {
      g_autofree char *line = api_stream_read_line (stream, NULL);

      g_assert_nonnull (line);
      g_assert_cmpint (line_seq (line), ==, n_read);

      if (n_read % 997 == 0 || n_read == wait.rows_sent)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          json_parser_load_from_data (parser, line, -1, &error);
          g_assert_no_error (error);
          api_check_row (json_node_get_object (json_parser_get_root (parser)),
                         n_read, api_csv_n_rows, t0);
        }
    }

  g_assert_cmpuint (api_server_rss_kib (server), <, rss_before + 20 * 1024);
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* ---- /health, /metrics, errors, shutdown ------------------------------------ */

typedef struct {
  ApiServer *server;
  gint64 rows_sent;
} RowsSentWait;

static gboolean
rows_sent_equal (gpointer data)
{
  RowsSentWait *wait = data;
  g_autoptr(JsonObject) health = api_health (wait->server);

  return api_json_int (health, "rows_sent") == wait->rows_sent &&
         api_json_int (health, "clients") == 0;
}

static void
test_health (void)
{
  g_autofree char *csv = api_csv_text (4);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "25", NULL });
  g_autoptr(JsonObject) health = api_health (server);
  RowsSentWait wait = { server, 7 };

  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "ok");
  g_assert_cmpint (api_json_int (health, "rows_loaded"), ==, 4);
  g_assert_cmpint (api_json_int (health, "bad_rows"), ==, 0);
  g_assert_cmpint (api_json_int (health, "clients"), ==, 0);
  g_assert_cmpint (api_json_int (health, "rows_sent"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (health, "uptime_s"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (health, "uptime_s"), <, 60);
  g_assert_cmpfloat (json_object_get_double_member (health, "rate"), ==, 25);

  {
    g_autoptr(ApiStream) stream = api_stream_open (server, "/stream?rate=0&limit=7");

    for (guint i = 0; i < 7; i++)
      g_free (api_stream_read_line (stream, NULL));
    g_assert_null (api_stream_read_line (stream, NULL));
  }

  g_assert_true (co2s_test_wait_until (rows_sent_equal, &wait, WAIT_MS));
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_metrics (void)
{
  g_autofree char *csv = api_csv_text (4);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autofree char *body = NULL;
  g_autofree char *type = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) help = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GRegex) sample_re = g_regex_new ("^([a-zA-Z_:][a-zA-Z0-9_:]*) (\\S+)$", 0, 0, NULL);
  g_autoptr(GRegex) meta_re = g_regex_new ("^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$", 0, 0, NULL);
  const char *expected[] = {
    "co2stream_api_rows_loaded", "co2stream_api_bad_rows", "co2stream_api_clients",
    "co2stream_api_rows_sent_total", "co2stream_api_uptime_seconds",
  };

  /* Let a few rows go out so rows_sent_total has something to count. */
  {
    g_autoptr(ApiStream) stream = api_stream_open (server, "/stream?rate=0&limit=3");
    char *line;

    while ((line = api_stream_read_line (stream, NULL)) != NULL)
      g_free (line);
  }
  {
    RowsSentWait wait = { server, 3 };

    g_assert_true (co2s_test_wait_until (rows_sent_equal, &wait, WAIT_MS));
  }

  g_assert_cmpuint (api_request (server, "GET", "/metrics", &body, &type), ==, 200);
  g_assert_cmpstr (type, ==, "text/plain");
  g_assert_true (g_str_has_suffix (body, "\n"));

  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      const char *line = lines[i];

      if (*line == '\0')
        {
          g_assert_null (lines[i + 1]); /* only the final newline */
          continue;
        }

      if (g_regex_match (meta_re, line, 0, &match))
        {
          g_autofree char *kind = g_match_info_fetch (match, 1);
          g_autofree char *name = g_match_info_fetch (match, 2);
          g_autofree char *rest = g_match_info_fetch (match, 3);

          g_assert_false (g_hash_table_contains (values, name)); /* metadata comes first */
          if (g_str_equal (kind, "HELP"))
            g_hash_table_replace (help, g_steal_pointer (&name), NULL);
          else
            {
              g_assert_true (g_str_equal (rest, "counter") || g_str_equal (rest, "gauge"));
              g_hash_table_replace (types, g_steal_pointer (&name), g_steal_pointer (&rest));
            }
          continue;
        }

      g_clear_pointer (&match, g_match_info_free);
      if (g_regex_match (sample_re, line, 0, &match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autofree char *value = g_match_info_fetch (match, 2);
          char *end = NULL;
          double v = g_ascii_strtod (value, &end);

          g_assert_true (end != value && *end == '\0' && isfinite (v));
          g_assert_true (g_hash_table_contains (help, name));
          g_assert_true (g_hash_table_contains (types, name));
          if (g_str_has_suffix (name, "_total"))
            g_assert_cmpstr (g_hash_table_lookup (types, name), ==, "counter");
          g_assert_false (g_hash_table_contains (values, name));
          g_hash_table_replace (values, g_steal_pointer (&name), g_steal_pointer (&value));
          continue;
        }

      g_error ("not a Prometheus text-format line: \"%s\"", line);
    }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_hash_table_contains (values, expected[i]))
      g_error ("metric %s missing from:\n%s", expected[i], body);

  g_assert_cmpstr (g_hash_table_lookup (values, "co2stream_api_rows_loaded"), ==, "4");
  g_assert_cmpstr (g_hash_table_lookup (values, "co2stream_api_bad_rows"), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (values, "co2stream_api_clients"), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (values, "co2stream_api_rows_sent_total"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (types, "co2stream_api_rows_sent_total"), ==, "counter");
  g_assert_cmpfloat (g_ascii_strtod (g_hash_table_lookup (values, "co2stream_api_uptime_seconds"), NULL), >=, 0);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_bad_query (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(JsonObject) health = NULL;
  const struct { const char *query, *names; } cases[] = {
    { "rate=abc", "rate" },
    { "rate=", "rate" },
    { "rate=-1", "rate" },
    { "rate=nan", "rate" },
    { "rate=1e99", "rate" },
    { "rate=5x", "rate" },
    { "limit=0", "limit" },
    { "limit=-5", "limit" },
    { "limit=1.5", "limit" },
    { "limit=ten", "limit" },
    { "limit=99999999999999999999999", "limit" },
    { "from=-1", "from" },
    { "from=x", "from" },
    { "from=1e3", "from" },
    { "limt=5", "limt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/stream?", cases[i].query, NULL);
      g_autofree char *body = NULL;
      g_autofree char *type = NULL;

      g_test_message ("GET %s", path);
      g_assert_cmpuint (api_request (server, "GET", path, &body, &type), ==, 400);
      g_assert_cmpstr (type, ==, "text/plain");
      g_assert_nonnull (strstr (body, cases[i].names));
    }

  health = api_health (server);
  g_assert_cmpint (api_json_int (health, "clients_total"), ==, 0);
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_not_found (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  const char *missing[] = { "/nope", "/stream/extra", "/healthz", "/metrics/" };
  const struct { const char *method, *path; } not_allowed[] = {
    { "POST", "/stream" }, { "DELETE", "/health" }, { "PUT", "/metrics" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autofree char *body = NULL;

      g_assert_cmpuint (api_request (server, "GET", missing[i], &body, NULL), ==, 404);
      g_assert_nonnull (strstr (body, missing[i]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (not_allowed); i++)
    g_assert_cmpuint (api_request (server, not_allowed[i].method, not_allowed[i].path, NULL, NULL), ==, 405);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

static void
test_shutdown (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, (const char *[]) { "--rate", "100", NULL });
  g_autoptr(ApiStream) stream = api_stream_open (server, "/stream");
  g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  gboolean clean_end = TRUE;
  guint n_more = 0;

  g_assert_nonnull (row);

  co2s_test_proc_signal (server->proc, SIGINT);
  g_assert_cmpint (co2s_test_proc_wait_exit (server->proc, WAIT_MS), ==, 0);

  /* The open stream is closed, not ended as if the data were complete. */
  while ((line = api_stream_read_line (stream, &clean_end)) != NULL)
    {
      g_clear_pointer (&line, g_free);
      n_more++;
    }
  g_test_message ("%u more rows before the connection closed", n_more);
  g_assert_false (clean_end);

  g_assert_true (api_wait_stderr (server->proc, "stopped: \\d+ rows sent", WAIT_MS));
  err = co2s_test_proc_stderr_text (server->proc);
  g_assert_nonnull (strstr (err, "shutting down"));
  g_assert_true (g_regex_match_simple ("client #1 \\S+ disconnected after \\d+ rows", err, 0, 0));
}

/* ---- the real data set ------------------------------------------------------ */

static void
test_dataset (void)
{
  g_autofree char *path = co2s_test_dataset_path ();
  g_autoptr(ApiServer) server = NULL;
  g_autoptr(JsonObject) health = NULL;
  g_autoptr(GPtrArray) first_pass = g_ptr_array_new_with_free_func (g_free);
  gint64 n_rows;
  gint64 start;
  double elapsed;

  if (path == NULL)
    return; /* co2s_test_dataset_path failed the test, naming where the file goes */

  server = api_server_start_with_file (path, (const char *[]) { "--rate", "0", NULL });
  health = api_health (server);
  n_rows = api_json_int (health, "rows_loaded");
  g_assert_cmpint (n_rows, ==, 7385);
  g_assert_cmpint (api_json_int (health, "bad_rows"), ==, 0);

  /* Two passes: every row a JSON object with the 12 columns, seq and ts_us;
   * the second pass repeats the first with seq + n_rows. */
  {
    g_autoptr(ApiStream) stream = NULL;
    g_autofree char *query = g_strdup_printf ("/stream?limit=%" G_GINT64_FORMAT, 2 * n_rows);
    g_autoptr(JsonObject) after = NULL;
    gboolean clean_end = FALSE;

    stream = api_stream_open (server, query);
    for (gint64 seq = 0; seq < 2 * n_rows; seq++)
      {
        g_autoptr(JsonObject) row = api_stream_read_row (stream, NULL);
        g_autoptr(JsonNode) copy = NULL;
        g_autofree char *body = NULL;

        g_assert_nonnull (row);
        g_assert_cmpuint (json_object_get_size (row), ==, CO2S_N_COLUMNS + 2);
        g_assert_cmpint (api_json_int (row, "seq"), ==, seq);
        for (guint c = 0; c < CO2S_N_COLUMNS; c++)
          g_assert_true (json_object_has_member (row, co2s_column_name (c)));

        json_object_remove_member (row, "seq");
        json_object_remove_member (row, "ts_us");
        copy = json_node_init_object (json_node_alloc (), row);
        body = json_to_string (copy, FALSE);
        if (seq < n_rows)
          g_ptr_array_add (first_pass, g_steal_pointer (&body));
        else
          g_assert_cmpstr (body, ==, g_ptr_array_index (first_pass, seq - n_rows));
      }
    after = api_stream_read_row (stream, &clean_end);
    g_assert_null (after);
    g_assert_true (clean_end);
  }

  /* Throughput to a reader that only splits lines (reported, not asserted). */
  {
    g_autoptr(ApiStream) stream = api_stream_open (server, "/stream?limit=500000");
    guint64 n = 0;
    char *line;

    start = g_get_monotonic_time ();
    while ((line = api_stream_read_line (stream, NULL)) != NULL)
      {
        g_free (line);
        n++;
      }
    elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
    g_assert_cmpuint (n, ==, 500000);
    g_test_message ("500000 rows of the data set in %.3f s: %.0f rows/s", elapsed, n / elapsed);
  }

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/csv/bad-rows", test_csv_bad_rows);
  g_test_add_func ("/api/csv/missing-file", test_csv_missing_file);
  g_test_add_func ("/api/stream/contents", test_stream_contents);
  g_test_add_func ("/api/stream/from-limit", test_stream_from_limit);
  g_test_add_func ("/api/stream/loops", test_stream_loops);
  g_test_add_func ("/api/stream/once", test_stream_once);
  g_test_add_func ("/api/stream/rate", test_stream_rate);
  g_test_add_func ("/api/stream/concurrent-clients", test_stream_concurrent_clients);
  g_test_add_func ("/api/stream/backpressure", test_stream_backpressure);
  g_test_add_func ("/api/health", test_health);
  g_test_add_func ("/api/metrics", test_metrics);
  g_test_add_func ("/api/bad-query", test_bad_query);
  g_test_add_func ("/api/not-found", test_not_found);
  g_test_add_func ("/api/shutdown", test_shutdown);
  g_test_add_func ("/api/dataset", test_dataset);

  return g_test_run ();
}
