/* test-api-connections.c — co2stream-api releases every connection a client
 * closes: after keep-alive requests, under a low fd limit, and while a slow
 * stream waits. Real process, counted through /proc/PID/fd. */
#define G_LOG_DOMAIN "api-test"

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "api-fixture.h"

#define WAIT_MS 10000

/* Per-request I/O timeout: a server that stopped accepting fails the test
 * within this many seconds instead of hanging it. */
#define REQUEST_TIMEOUT_S 5

/* Open file descriptors of the server process (reported, not asserted:
 * GLib opens a few of its own around start-up). */
static guint
count_fds (ApiServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) co2s_test_proc_get_pid (server->proc));
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* TCP connections the server process holds open: its socket fds that
 * /proc/PID/net/tcp{,6} list in a state other than LISTEN (established,
 * CLOSE-WAIT, …). */
static guint
count_connections (ApiServer *server)
{
  int pid = (int) co2s_test_proc_get_pid (server->proc);
  g_autofree char *fd_path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (fd_path, 0, &error);
  const char *tables[] = { "tcp", "tcp6" };
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link_path = g_build_filename (fd_path, name, NULL);
      g_autofree char *target = g_file_read_link (link_path, NULL);

      /* "socket:[INODE]"; an fd closed meanwhile reads as NULL. */
      if (target != NULL && g_str_has_prefix (target, "socket:["))
        g_hash_table_add (inodes, g_strndup (target + strlen ("socket:["),
                                             strlen (target) - strlen ("socket:[]")));
    }

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/net/%s", pid, tables[t]);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue; /* no IPv6 */
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++) /* line 0: the column names */
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) cols = g_ptr_array_new ();

          for (guint f = 0; fields[f] != NULL; f++)
            if (*fields[f] != '\0')
              g_ptr_array_add (cols, fields[f]);
          /* sl local rem st queues timer retrnsmt uid timeout inode … */
          if (cols->len < 10)
            continue;
          if (!g_str_equal (g_ptr_array_index (cols, 3), "0A") &&
              g_hash_table_contains (inodes, g_ptr_array_index (cols, 9)))
            n++;
        }
    }

  return n;
}

typedef struct {
  ApiServer *server;
  guint last;
} ConnectionsWait;

static gboolean
no_connections (gpointer data)
{
  ConnectionsWait *wait = data;

  wait->last = count_connections (wait->server);
  return wait->last == 0;
}

/* Waits until the server holds no connection (the test's clients all
 * closed theirs). */
static void
assert_connections_released (ApiServer *server)
{
  ConnectionsWait wait = { server, 0 };

  if (!co2s_test_wait_until (no_connections, &wait, WAIT_MS))
    g_error ("co2stream-api still holds %u TCP connections (%u fds) %d ms after its "
             "clients closed them all: connections closed by the client are not released",
             wait.last, count_fds (server), WAIT_MS);
}

/* Connects, sends "GET @path HTTP/1.1" (keep-alive: no Connection header),
 * reads the response head and its Content-Length body, then closes, the way
 * curl or a health check does. Returns the status code; fails the test when
 * the server does not answer within REQUEST_TIMEOUT_S. */
static guint
request_then_close (ApiServer  *server,
                    const char *path,
                    guint       index)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autofree char *status_line = NULL;
  guint64 length = 0;
  gboolean chunked = FALSE;
  guint status = 0;

  g_socket_client_set_timeout (client, REQUEST_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (client, server->host, server->port, NULL, &error);
  if (conn == NULL)
    g_error ("request %u: cannot connect to co2stream-api: %s", index, error->message);

  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%u\r\n\r\n", path, server->host, server->port);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  request, strlen (request), NULL, NULL, &error))
    g_error ("request %u: cannot send: %s", index, error->message);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  status_line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (status_line == NULL)
    g_error ("request %u of GET %s: no response from co2stream-api within %d s (%s)",
             index, path, REQUEST_TIMEOUT_S, error != NULL ? error->message : "connection closed");
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 "));
  status = (guint) g_ascii_strtoull (status_line + strlen ("HTTP/1.1 "), NULL, 10);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_strchomp (line);
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", strlen ("Content-Length:")) == 0)
        length = g_ascii_strtoull (line + strlen ("Content-Length:"), NULL, 10);
      else if (g_ascii_strcasecmp (line, "Transfer-Encoding: chunked") == 0)
        chunked = TRUE;
    }

  /* The body: Content-Length bytes, or chunks up to the empty one. */
  do
    {
      g_autofree char *body = NULL;

      if (chunked)
        {
          g_autofree char *size_line = g_data_input_stream_read_line (in, NULL, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (size_line);
          length = g_ascii_strtoull (size_line, NULL, 16);
        }
      body = g_malloc (length + 2);
      g_input_stream_read_all (G_INPUT_STREAM (in), body, length + (chunked ? 2 : 0), NULL, NULL, &error);
      g_assert_no_error (error);
    }
  while (chunked && length > 0);

  g_io_stream_close (G_IO_STREAM (conn), NULL, &error);
  g_assert_no_error (error);

  return status;
}

/* Each HTTP/1.1 request over its own connection, closed by the client once
 * the response is read: the server must close its side too (libsoup 3.2
 * kept such a connection in CLOSE-WAIT forever). */
static void
test_keep_alive_idle_closed_no_leak (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  guint fds_before = count_fds (server);
  const char *paths[] = { "/health", "/metrics", "/", "/nope", "/stream?limit=2" };

  for (guint i = 0; i < 300; i++)
    {
      guint status = request_then_close (server, paths[i % G_N_ELEMENTS (paths)], i);

      g_assert_cmpuint (status, ==, i % G_N_ELEMENTS (paths) == 3 ? 404 : 200);
    }

  g_test_message ("fds: %u at start, %u right after 300 requests (%u connections)",
                  fds_before, count_fds (server), count_connections (server));
  assert_connections_released (server);
  g_test_message ("fds: %u once no connection is left", count_fds (server));
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* With RLIMIT_NOFILE 64 (some 55 fds free), 500 requests one after the
 * other must all be answered: none may keep its fd. */
static void
test_low_fd_limit_keeps_serving (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  struct rlimit limit = { 64, 64 };

  if (prlimit (co2s_test_proc_get_pid (server->proc), RLIMIT_NOFILE, &limit, NULL) != 0)
    g_error ("cannot set RLIMIT_NOFILE of co2stream-api: %s", g_strerror (errno));
  g_assert_cmpuint (count_fds (server), <, 32);

  for (guint i = 0; i < 500; i++)
    g_assert_cmpuint (request_then_close (server, "/health", i), ==, 200);

  assert_connections_released (server);
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

typedef struct {
  ApiServer *server;
  gint64 clients;
} ClientsWait;

static gboolean
clients_equal (gpointer data)
{
  ClientsWait *wait = data;
  g_autoptr(JsonObject) health = api_health (wait->server);

  return api_json_int (health, "clients") == wait->clients;
}

/* A stream so slow that the server never writes again: a client that goes
 * away meanwhile is released (clients back to 0, its connection closed),
 * not kept until the next row is due (here, never). */
static void
test_slow_stream_client_released (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(ApiStream) stream = NULL;
  g_autoptr(JsonObject) row = NULL;
  ClientsWait wait = { server, 1 };

  stream = api_stream_open (server, "/stream?rate=1e-300");
  row = api_stream_read_row (stream, NULL); /* the first row goes out at once */
  g_assert_nonnull (row);
  co2s_test_assert_wait (clients_equal, &wait, WAIT_MS);

  g_clear_pointer (&stream, api_stream_free);

  wait.clients = 0;
  co2s_test_assert_wait_msg (clients_equal, &wait, WAIT_MS,
                             "/health to report 0 clients after the slow stream's client closed");
  g_assert_true (api_wait_stderr (server->proc,
                                  "client #1 \\S+ disconnected after 1 rows \\(connection closed\\)",
                                  WAIT_MS));
  /* Its connection is closed too, not only the client forgotten (the
   * session of api_health closes its own). */
  soup_session_abort (server->session);
  assert_connections_released (server);

  g_assert_cmpint (api_server_stop (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/keep-alive-idle-closed-no-leak", test_keep_alive_idle_closed_no_leak);
  g_test_add_func ("/api/low-fd-limit-keeps-serving", test_low_fd_limit_keeps_serving);
  g_test_add_func ("/api/slow-stream-client-released", test_slow_stream_client_released);

  return g_test_run ();
}
