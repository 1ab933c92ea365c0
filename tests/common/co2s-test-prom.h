/* co2s-test-prom.h — scraping a /metrics endpoint and reading it with a real
 * Prometheus parser: prometheus_client.parser (Debian's
 * python3-prometheus-client, in scripts/deps-debian.txt) run by
 * tests/common/prom-parse.py under /usr/bin/python3. A missing parser fails
 * the test loudly. Main thread of a test. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One HTTP/1.0 GET of @url ("http://HOST:PORT/PATH"), blocking (5 s at
 * most). The body (NUL-terminated), or NULL with @error when the connection
 * fails; *@status gets the HTTP status and *@content_type (may be NULL) the
 * Content-Type (free it). */
char *co2s_test_http_get (const char *url, guint *status, char **content_type, GError **error);

/* Parses @text with prom-parse.py. Fails the test with the parser's message
 * when the text is refused (or a family lacks HELP or TYPE). Returns the
 * families by name (counters with their _total), each {"type", "help",
 * "samples": [{"name", "labels", "value"}]}; unref with json_object_unref. */
JsonObject *co2s_test_prom_parse (const char *text);

/* Scrapes @url and parses it; NULL (no test failure) when the endpoint
 * cannot be reached or does not answer 200 with the text format's type. */
JsonObject *co2s_test_prom_scrape (const char *url);

/* TRUE and *@value when @families has a sample @name with exactly the
 * labels @labels (NULL-terminated name, value pairs; NULL: none). */
gboolean co2s_test_prom_lookup (JsonObject *families, const char *name,
                                const char * const *labels, double *value);

/* Like co2s_test_prom_lookup, but fails the test (listing what there is)
 * when the sample is missing. */
double co2s_test_prom_value (JsonObject *families, const char *name, const char * const *labels);

/* The type ("counter", "gauge", "histogram") of family @name; fails the
 * test when there is no such family. */
const char *co2s_test_prom_type (JsonObject *families, const char *name);

/* Checks the histogram family @name of @families: its type is
 * "histogram", its _bucket samples have increasing `le` bounds ending with
 * +Inf and cumulative counts that never decrease, the +Inf bucket equals
 * _count. Fails the test (saying which) otherwise. Returns _count; *@sum
 * (may be NULL) gets _sum. */
double co2s_test_prom_histogram (JsonObject *families, const char *name, double *sum);

/* A TCP socket listening on 127.0.0.1 at a port the kernel chose, to test
 * "--metrics-listen PORT" with a port in use: *@port gets the port as text
 * (free it). Close the socket by unreffing it. */
GSocket *co2s_test_listening_socket (char **port);

G_END_DECLS
