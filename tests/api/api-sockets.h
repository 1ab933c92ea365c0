/* api-sockets.h — the co2stream-api tests' view of connections: the
 * server process's open fds and TCP connections (read from /proc), and HTTP
 * exchanges over a plain socket, written and read byte for byte.
 *
 * The counts read /proc only and may be called from any thread; the rest is
 * for the test's main thread unless said otherwise. */
#pragma once

#include "api-fixture.h"

G_BEGIN_DECLS

/* Per-request I/O timeout of the raw exchanges: a server that stopped
 * accepting or answering fails the test within this many seconds instead of
 * hanging it. */
#define API_RAW_TIMEOUT_S 5

/* 1 when built with AddressSanitizer (meson test --setup asan): the server
 * is built as the test is. */
#if defined(__SANITIZE_ADDRESS__)
#define API_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define API_UNDER_ASAN 1
#endif
#endif
#ifndef API_UNDER_ASAN
#define API_UNDER_ASAN 0
#endif

/* Slack for a VmRSS budget. Under AddressSanitizer freed blocks wait in an
 * 8 MB quarantine before reuse, so the server grows by up to that much
 * without leaking a byte (there, LeakSanitizer reports leaks at exit). */
#define API_RSS_SLACK_KIB (API_UNDER_ASAN ? 8 * 1024 : 0)

/* Open file descriptors of the process @pid (/proc/PID/fd). */
guint api_count_fds_of (GPid pid);

/* TCP connections the process @pid holds open: its socket fds that
 * /proc/PID/net/tcp{,6} list in a state other than LISTEN (established,
 * CLOSE-WAIT, …). */
guint api_count_connections_of (GPid pid);

/* The same for the server's process. */
guint api_count_fds (ApiServer *server);
guint api_count_connections (ApiServer *server);

/* Waits (iterating the main context) until the server holds no TCP
 * connection; fails the test after @timeout_ms with the count left and a
 * message saying connections closed by clients are not released. */
void api_assert_connections_released (ApiServer *server, guint timeout_ms);

/* Connects, sends "GET @path HTTP/1.1" with a Host header (keep-alive: no
 * Connection header), reads the response head and its Content-Length or
 * chunked body, then closes, the way curl or a health check does. Returns
 * the status code; fails the test (naming request number @index) when the
 * server does not answer within API_RAW_TIMEOUT_S. */
guint api_request_then_close (ApiServer  *server,
                              const char *path,
                              guint       index);

/* A response read to the end of the connection. */
typedef struct {
  SoupHTTPVersion version;
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;       /* everything after the head, as sent (not de-chunked) */
} ApiRawResponse;

/* Connects, writes @request as it is (the test writes the request line,
 * headers and blank line), and reads until the server closes the
 * connection, at most API_RAW_TIMEOUT_S per read. Fails the test when the
 * server does not answer or the head does not parse. Free with
 * api_raw_response_free. */
ApiRawResponse *api_raw_exchange (ApiServer  *server,
                                  const char *request);

void api_raw_response_free (ApiRawResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiRawResponse, api_raw_response_free)

G_END_DECLS
