/* main.c — co2stream-api: serves the vehicle CSV as an endless NDJSON stream. */
#define G_LOG_DOMAIN "co2stream-api"

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-csv.h"
#include "co2s-i18n.h"
#include "co2s-load-budget.h"
#include "co2s-stream-rows.h"
#include "co2s-stream-server.h"

#define DEFAULT_CSV "data/co2_processed.csv"
#define DEFAULT_LISTEN "127.0.0.1:8000"
#define DEFAULT_PORT 8000
#define DEFAULT_RATE 50.0
#define DEFAULT_MAX_MEMORY_MB 1024

typedef struct {
  GMainLoop *loop;
  Co2sStreamServer *server;
} App;

static gboolean
on_quit_signal (gpointer user_data)
{
  App *app = user_data;

  g_message ("shutting down: closing %u client(s)",
             co2s_stream_server_get_n_clients (app->server));
  co2s_stream_server_shutdown (app->server);
  g_main_loop_quit (app->loop);

  return G_SOURCE_CONTINUE;
}

/* Parses HOST:PORT (or [IPv6]:PORT, or HOST alone for port 8000) into a
 * socket address, resolving a host name to its first address. */
static GSocketAddress *
parse_listen (const char  *listen,
              GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GInetAddress) address = NULL;
  GNetworkAddress *net;
  const char *hostname;

  connectable = g_network_address_parse (listen, DEFAULT_PORT, error);
  if (connectable == NULL)
    {
      g_prefix_error (error, _("bad --listen “%s” (expected HOST:PORT, e.g. %s): "), listen, DEFAULT_LISTEN);
      return NULL;
    }

  net = G_NETWORK_ADDRESS (connectable);
  hostname = g_network_address_get_hostname (net);

  if (g_hostname_is_ip_address (hostname))
    {
      address = g_inet_address_new_from_string (hostname);
    }
  else
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      GList *addresses;

      addresses = g_resolver_lookup_by_name (resolver, hostname, NULL, error);
      if (addresses == NULL)
        {
          g_prefix_error (error, _("cannot resolve the --listen host “%s”: "), hostname);
          return NULL;
        }
      address = g_object_ref (addresses->data);
      g_resolver_free_addresses (addresses);
    }

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("bad --listen host “%s”"), hostname);
      return NULL;
    }

  return g_inet_socket_address_new (address, g_network_address_get_port (net));
}

static void
print_missing_csv (const char *path)
{
  /* Translators: keep data/README.md and --csv PATH; the second %s is
   * data/co2_processed.csv */
  co2s_print_error (_("CSV file not found: %s\n"
                      "Put the data set at %s (see data/README.md for what it is and how to\n"
                      "obtain it), or pass its location with --csv PATH."),
                    path, DEFAULT_CSV);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  g_autoptr(Co2sStreamRows) rows = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(Co2sStreamServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *url = NULL;
  double rate = DEFAULT_RATE;
  gboolean once = FALSE;
  int max_memory_mb = DEFAULT_MAX_MEMORY_MB;
  Co2sLoadBudget budget;
  int status;
  App app;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    /* The defaults are spelled out (DEFAULT_CSV, DEFAULT_LISTEN,
     * DEFAULT_RATE): xgettext cannot expand macros. */
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path,
      N_("CSV file to serve (default data/co2_processed.csv)"), N_("PATH") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1:8000; port 0 picks a free port)"), N_("HOST:PORT") },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
      N_("Default rows per second of each stream (default 50; 0 = as fast as the client reads)"),
      N_("ROWS_PER_S") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      N_("Serve one pass of the file (seq 0 … rows-1) instead of looping; from= past it gets an empty stream"),
      NULL },
    { "max-memory-mb", 0, 0, G_OPTION_ARG_INT, &max_memory_mb,
      N_("Refuse a CSV whose loading would take more than MB megabytes of memory (default 1024; "
         "loading takes about 3 times the file's size, serving it then less than its size)"),
      N_("MB") },
    G_OPTION_ENTRY_NULL
  };
  const Co2sCliSpec cli = {
    .program = "co2stream-api",
    .parameter_string = N_("- serve the vehicle CSV as an NDJSON stream"),
    /* Translators: keep the paths, the query parameters, the JSON keys and
     * "listening on http://HOST:PORT" (programs wait for that line) as they
     * are; ROWS_PER_S, N and SEQ are placeholders. */
    .summary = N_(
      "Loads and validates the CSV at start (bad rows are skipped, counted and\n"
      "logged with their line number), then serves over HTTP:\n"
      "\n"
      "  GET /stream   one JSON object per line: the CSV columns, \"seq\" (keeps\n"
      "                increasing across loops of the file) and \"ts_us\" (wall-clock\n"
      "                emit time, µs since the Unix epoch). Loops forever unless\n"
      "                --once or limit is given. Query parameters:\n"
      "                  rate=ROWS_PER_S  override --rate for this stream\n"
      "                  limit=N          end the stream after N rows\n"
      "                  from=SEQ         resume at sequence number SEQ\n"
      "  GET /health   JSON: status, rows_loaded, bad_rows, clients, rows_sent, uptime_s, rate\n"
      "  GET /metrics  the same counters in the Prometheus text format\n"
      "\n"
      "Prints \"listening on http://HOST:PORT\" on stdout once ready.\n"
      "Stops cleanly on SIGINT or SIGTERM."),
    .entries = entries,
  };

  if (!co2s_cli_parse (&cli, &argc, &argv, &status))
    return status;
  signal (SIGPIPE, SIG_IGN);

  if (!isfinite (rate) || rate < 0 || rate > CO2S_STREAM_MAX_RATE)
    return co2s_cli_usage_error (_("bad --rate %g: expected rows per second from 0 "
                                   "(as fast as the client reads) to %g"), rate, CO2S_STREAM_MAX_RATE);

  if (max_memory_mb < 1)
    return co2s_cli_usage_error (_("bad --max-memory-mb %d: expected megabytes of memory, 1 or more"),
                                 max_memory_mb);

  if (csv_path == NULL)
    csv_path = g_strdup (DEFAULT_CSV);
  if (listen == NULL)
    listen = g_strdup (DEFAULT_LISTEN);

  address = parse_listen (listen, &error);
  if (address == NULL)
    return co2s_cli_usage_error ("%s", error->message);

  if (!g_file_test (csv_path, G_FILE_TEST_EXISTS))
    {
      print_missing_csv (csv_path);
      return CO2S_EXIT_FAILURE;
    }

  /* Refused before it is read: the load's peak is what could exhaust the
   * machine. A file that cannot be read is left to co2s_csv_load to report. */
  if (!co2s_load_budget_estimate (csv_path, &budget, &error))
    g_clear_error (&error);
  else if (budget.peak_bytes > (guint64) max_memory_mb * 1000 * 1000)
    {
      g_autofree char *file_size = g_format_size (budget.file_bytes);
      g_autofree char *peak = g_format_size (budget.peak_bytes);
      g_autofree char *needed = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                 (budget.peak_bytes + 999999) / 1000000);

      /* Translators: the first %s is a path, %d megabytes, then sizes ("135.2 MB"). */
      return co2s_cli_failure (_("%s is too large for --max-memory-mb %d: the file is %s, "
                                 "and loading it takes about %s of memory.\n"
                                 "Pass --max-memory-mb %s (or more) to serve it, or serve a smaller file."),
                               csv_path, max_memory_mb, file_size, peak, needed);
    }

  csv = co2s_csv_load (csv_path, &error);
  if (csv == NULL)
    {
      if (g_error_matches (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NOT_FOUND))
        print_missing_csv (csv_path);
      else
        co2s_print_error (_("cannot load %s: %s"), csv_path, error->message);
      return CO2S_EXIT_FAILURE;
    }

  g_message ("loaded %u rows from %s, skipped %u bad row(s)",
             csv->rows->len, csv_path, csv->n_bad);

  rows = co2s_stream_rows_new (csv->rows);
  {
    g_autofree char *size = g_format_size (co2s_stream_rows_get_size (rows));

    g_message ("rows packed for streaming: %s", size);
  }
  server = co2s_stream_server_new (rows, csv->n_bad, rate, once);
  g_clear_pointer (&csv, co2s_csv_free);
#ifdef __GLIBC__
  /* The file's text and the records are freed; blocks below glibc's mmap
   * threshold (raised up to 32 MB by each large free) left holes in the
   * heap that stay resident until trimmed: 13 MB for a 22 MB file. */
  malloc_trim (0);
#endif

  if (!co2s_stream_server_listen (server, address, &error))
    return co2s_cli_failure (_("cannot listen on %s: %s"), listen, error->message);

  /* The handlers first: a SIGTERM sent as soon as the line below is read
   * must stop the server cleanly, not kill it. */
  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &app);

  url = co2s_stream_server_dup_url (server);
  /* Not translated: the supervisor and the tests wait for this line. */
  g_print (CO2S_READY_API_PREFIX "%s\n", url);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  g_message ("stopped: %" G_GUINT64_FORMAT " rows sent", co2s_stream_server_get_rows_sent (server));

  return CO2S_EXIT_OK;
}
