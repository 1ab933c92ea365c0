/* main.c — co2stream-api: serves the vehicle CSV as an endless NDJSON stream. */
#define G_LOG_DOMAIN "co2stream-api"

#include <glib.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "co2s-csv.h"
#include "co2s-stream-rows.h"
#include "co2s-stream-server.h"

#define DEFAULT_CSV "data/co2_processed.csv"
#define DEFAULT_LISTEN "127.0.0.1:8000"
#define DEFAULT_PORT 8000
#define DEFAULT_RATE 50.0

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
      g_prefix_error (error, "bad --listen \"%s\" (expected HOST:PORT, e.g. %s): ", listen, DEFAULT_LISTEN);
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
          g_prefix_error (error, "cannot resolve --listen host \"%s\": ", hostname);
          return NULL;
        }
      address = g_object_ref (addresses->data);
      g_resolver_free_addresses (addresses);
    }

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "bad --listen host \"%s\"", hostname);
      return NULL;
    }

  return g_inet_socket_address_new (address, g_network_address_get_port (net));
}

static void
print_missing_csv (const char *path)
{
  g_printerr ("co2stream-api: CSV file not found: %s\n"
              "Put the data set at %s (see data/README.md for what it is and how to\n"
              "obtain it), or pass its location with --csv PATH.\n",
              path, DEFAULT_CSV);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
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
  gboolean version = FALSE;
  App app;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path,
      "CSV file to serve (default " DEFAULT_CSV ")", "PATH" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default " DEFAULT_LISTEN "; port 0 picks a free port)", "HOST:PORT" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
      "Default rows per second of each stream (default 50; 0 = as fast as the client reads)", "ROWS_PER_S" },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      "Serve one pass of the file (seq 0 … rows-1) instead of looping; from= past it gets an empty stream", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- serve the vehicle CSV as an NDJSON stream");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
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
    "Stops cleanly on SIGINT or SIGTERM.");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("co2stream-api: %s\nTry --help.\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("co2stream-api %s\n", CO2S_VERSION);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr ("co2stream-api: unexpected argument \"%s\"\nTry --help.\n", argv[1]);
      return 2;
    }

  if (!isfinite (rate) || rate < 0 || rate > CO2S_STREAM_MAX_RATE)
    {
      g_printerr ("co2stream-api: bad --rate %g: expected rows per second from 0 "
                  "(as fast as the client reads) to %g\n", rate, CO2S_STREAM_MAX_RATE);
      return 2;
    }

  if (csv_path == NULL)
    csv_path = g_strdup (DEFAULT_CSV);
  if (listen == NULL)
    listen = g_strdup (DEFAULT_LISTEN);

  address = parse_listen (listen, &error);
  if (address == NULL)
    {
      g_printerr ("co2stream-api: %s\n", error->message);
      return 2;
    }

  if (!g_file_test (csv_path, G_FILE_TEST_EXISTS))
    {
      print_missing_csv (csv_path);
      return 1;
    }

  csv = co2s_csv_load (csv_path, &error);
  if (csv == NULL)
    {
      if (g_error_matches (error, CO2S_CSV_ERROR, CO2S_CSV_ERROR_NOT_FOUND))
        print_missing_csv (csv_path);
      else
        g_printerr ("co2stream-api: cannot load %s: %s\n", csv_path, error->message);
      return 1;
    }

  g_message ("loaded %u rows from %s, skipped %u bad row(s)",
             csv->rows->len, csv_path, csv->n_bad);

  rows = co2s_stream_rows_new (csv->rows);
  server = co2s_stream_server_new (rows, csv->n_bad, rate, once);
  g_clear_pointer (&csv, co2s_csv_free);

  if (!co2s_stream_server_listen (server, address, &error))
    {
      g_printerr ("co2stream-api: cannot listen on %s: %s\n", listen, error->message);
      return 1;
    }

  url = co2s_stream_server_dup_url (server);
  g_print ("listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &app);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  g_message ("stopped: %" G_GUINT64_FORMAT " rows sent", co2s_stream_server_get_rows_sent (server));

  return 0;
}
