/* test-api-connections.c — co2stream-api releases every connection a client
 * closes: after keep-alive requests, under a low fd limit, and while a slow
 * stream waits. Real process, counted through /proc/PID/fd. */
#define G_LOG_DOMAIN "api-test"

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
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
  ApiClientsWait wait = { server, 1, -1 };

  stream = api_stream_open (server, "/stream?rate=1e-300");
  row = api_stream_read_row (stream, NULL); /* the first row goes out at once */
  g_assert_nonnull (row);
  co2s_test_assert_wait (api_clients_are, &wait, WAIT_MS);

  g_clear_pointer (&stream, api_stream_free);

  wait.clients = 0;
  co2s_test_assert_wait_msg (api_clients_are, &wait, WAIT_MS,
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

/* Every connection costs the server nothing once closed: 4,000 of them,
 * one after the other, leave its memory where 1,000 left it. libsoup
 * before 3.4 (Debian 12: 3.2.3) leaked the GSocket of each connection it
 * accepted (~340 bytes; upstream b545d5f0, "soup-listener: Plug a leak"),
 * and since every response closes its connection, that was one leak per
 * request: 34 MB per 100,000 health checks. */
static void
test_many_connections_no_memory_growth (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  guint64 rss_before, rss_after;

  for (guint i = 0; i < 1000; i++)
    g_assert_cmpuint (api_request_then_close (server, "/health", i), ==, 200);
  rss_before = api_server_rss_kib (server);

  for (guint i = 0; i < 4000; i++)
    g_assert_cmpuint (api_request_then_close (server, i % 2 ? "/health" : "/stream?limit=1", i), ==, 200);
  rss_after = api_server_rss_kib (server);

  g_test_message ("VmRSS: %" G_GUINT64_FORMAT " KiB after 1,000 connections, %" G_GUINT64_FORMAT
                  " KiB after 4,000 more", rss_before, rss_after);
  /* The leak was 1.3 MB here; without it, under 0.1 MB. */
  g_assert_cmpuint (rss_after, <, rss_before + 512 + API_RSS_SLACK_KIB);

  api_assert_connections_released (server, WAIT_MS);
  g_assert_cmpint (api_server_stop (server), ==, 0);
}

/* A burst of connections while the server cannot accept (here: stopped
 * with SIGSTOP, as when it is busy writing a chunk): the kernel holds them
 * in the listen queue, and each connect() completes at once instead of
 * waiting for a SYN retransmitted a second or more later (GLib's default
 * backlog, 10, which libsoup keeps, drops the 12th). Every one is answered
 * once the server runs again. */
static void
test_connection_burst_queued (void)
{
  g_autofree char *csv = api_csv_text (3);
  g_autoptr(ApiServer) server = api_server_start (csv, NULL);
  g_autoptr(GPtrArray) socks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (server->host);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, server->port);
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: %s:%u\r\n\r\n",
                                              server->host, server->port);
  GPid pid = co2s_test_proc_get_pid (server->proc);
  const guint n = 100;
  gint64 start_us;

  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
      gint64 connect_us = g_get_monotonic_time ();

      g_assert_no_error (error);
      g_ptr_array_add (socks, sock);
      /* A dropped SYN is sent again after 1 s, then 3 s: fail by 2 s. */
      g_socket_set_timeout (sock, 2);
      if (!g_socket_connect (sock, address, NULL, &error))
        {
          kill (pid, SIGCONT);
          g_error ("connection %u of %u to a stopped co2stream-api: %s (the listen queue is full)",
                   i + 1, n, error->message);
        }
      if (g_get_monotonic_time () - connect_us > 500000)
        {
          kill (pid, SIGCONT);
          g_error ("connection %u of %u to a stopped co2stream-api took %.1f s: the listen queue is full "
                   "(its SYN was dropped and sent again)", i + 1, n,
                   (g_get_monotonic_time () - connect_us) / 1e6);
        }
      g_socket_set_timeout (sock, 10);
      g_socket_send (sock, request, strlen (request), NULL, &error);
      g_assert_no_error (error);
    }
  g_test_message ("%u connections queued in %.3f s", n, (g_get_monotonic_time () - start_us) / 1e6);
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      char buf[16] = "";
      gssize got = g_socket_receive (g_ptr_array_index (socks, i), buf, sizeof buf - 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (got, >, 0);
      g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 200 "));
    }
  g_ptr_array_set_size (socks, 0);

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
  g_test_add_func ("/api/many-connections-no-memory-growth", test_many_connections_no_memory_growth);
  g_test_add_func ("/api/connection-burst-queued", test_connection_burst_queued);

  return g_test_run ();
}
