/* test-api-connections.c — co2stream-api releases every connection a client
 * closes: after keep-alive requests, under a low fd limit, and while a slow
 * stream waits. Real process, counted through /proc/PID/fd. */
#define G_LOG_DOMAIN "api-test"

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "api-sockets.h"

#define WAIT_MS 10000

/* Each HTTP/1.1 request over its own connection, closed by the client once
 * the response is read: the server must close its side too (libsoup 3.2
 * kept such a connection in CLOSE-WAIT forever). */
static void
test_keep_alive_idle_closed_no_leak (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  guint fds_before = api_count_fds (server);
  const char *paths[] = { "/health", "/metrics", "/", "/nope", "/stream?limit=2" };

  for (guint i = 0; i < 300; i++)
    {
      guint status = api_request_then_close (server, paths[i % G_N_ELEMENTS (paths)], i);

      g_assert_cmpuint (status, ==, i % G_N_ELEMENTS (paths) == 3 ? 404 : 200);
    }

  g_test_message ("fds: %u at start, %u right after 300 requests (%u connections)",
                  fds_before, api_count_fds (server), api_count_connections (server));
  api_assert_connections_released (server, WAIT_MS);
  g_test_message ("fds: %u once no connection is left", api_count_fds (server));
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
  g_assert_cmpuint (api_count_fds (server), <, 32);

  for (guint i = 0; i < 500; i++)
    g_assert_cmpuint (api_request_then_close (server, "/health", i), ==, 200);

  api_assert_connections_released (server, WAIT_MS);
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
  api_assert_connections_released (server, WAIT_MS);

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
