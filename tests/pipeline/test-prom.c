/* test-prom.c — the Prometheus text writer and registry (co2s-prom.h), and
 * its HTTP endpoint (co2s-prom-server.h): exact text, escaping, numbers,
 * histograms, a concurrent writer, --metrics-listen values, the reference
 * parser's reading of it all. */
#define G_LOG_DOMAIN "test-prom"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-prom.h"
#include "co2s-prom-server.h"
#include "co2s-test-prom.h"
#include "co2s-test-util.h"

static void
test_values (void)
{
  const struct { double v; const char *text; } cases[] = {
    { 0, "0" }, { -0.0, "-0" }, { 42, "42" }, { -7, "-7" }, { 1e15, "1000000000000000" },
    { 9007199254740991.0, "9007199254740991" }, { 0.1, "0.1" }, { 2.5, "2.5" },
    { 1.0 / 3, "0.3333333333333333" }, { 1e300, "1e+300" }, { 1e-9, "1e-09" }, { 0.1 + 0.2, "0.30000000000000004" },
    { NAN, "NaN" }, { INFINITY, "+Inf" }, { -INFINITY, "-Inf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      co2s_prom_append_value (out, cases[i].v);
      g_assert_cmpstr (out->str, ==, cases[i].text);
      if (isfinite (cases[i].v))
        g_assert_cmpfloat (g_ascii_strtod (out->str, NULL), ==, cases[i].v);
    }
}

static void
test_escaping (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *labels[] = { "partition", "a\\b \"q\"\nz", "other", "é", NULL };
  g_autoptr(JsonObject) families = NULL;
  JsonObject *s;

  co2s_prom_append_header (out, "x_total", CO2S_PROM_COUNTER, "Back\\slash, \"quotes\"\nand a newline.");
  co2s_prom_append_sample (out, "x_total", labels, 3);
  g_assert_cmpstr (out->str, ==,
                   "# HELP x_total Back\\\\slash, \"quotes\"\\nand a newline.\n"
                   "# TYPE x_total counter\n"
                   "x_total{partition=\"a\\\\b \\\"q\\\"\\nz\",other=\"é\"} 3\n");

  /* The reference parser reads back what was meant. */
  families = co2s_test_prom_parse (out->str);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (families, "x_total"), "help"),
                   ==, "Back\\slash, \"quotes\"\nand a newline.");
  s = json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (families, "x_total"),
                                                                   "samples"), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (s, "labels"), "partition"),
                   ==, "a\\b \"q\"\nz");
  g_assert_cmpfloat (co2s_test_prom_value (families, "x_total", labels), ==, 3);
}

static void
test_names (void)
{
  g_assert_true (co2s_prom_name_is_valid ("co2stream_trainer_rows_learned_total", FALSE));
  g_assert_true (co2s_prom_name_is_valid ("a:b_c9", FALSE));
  g_assert_true (co2s_prom_name_is_valid ("_x", FALSE));
  g_assert_false (co2s_prom_name_is_valid ("9a", FALSE));
  g_assert_false (co2s_prom_name_is_valid ("a-b", FALSE));
  g_assert_false (co2s_prom_name_is_valid ("", FALSE));
  g_assert_false (co2s_prom_name_is_valid ("a b", FALSE));
  g_assert_true (co2s_prom_name_is_valid ("partition", TRUE));
  g_assert_false (co2s_prom_name_is_valid ("a:b", TRUE));
  g_assert_false (co2s_prom_name_is_valid ("__name__", TRUE));
}

static void
test_registry (void)
{
  g_autoptr(Co2sProm) prom = co2s_prom_new ();
  const double bounds[] = { 0.001, 0.01, 0.1 };
  Co2sPromMetric *rows = co2s_prom_counter (prom, "t_rows_total", "Rows.", NULL);
  Co2sPromMetric *lag = co2s_prom_gauge (prom, "t_lag_messages", "Lag.", "partition");
  Co2sPromMetric *dur = co2s_prom_histogram (prom, "t_duration_seconds", "Duration.", bounds, 3);
  Co2sPromMetric *age = co2s_prom_age_gauge (prom, "t_age_seconds", "Age.");
  Co2sPromMetric *rmse = co2s_prom_gauge (prom, "t_rmse", "RMSE.", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonObject) families = NULL;
  const char *p0[] = { "partition", "0", NULL };
  const char *p1[] = { "partition", "1", NULL };
  double v;

  /* Before any update: 0 for plain metrics, no series for the labelled one
   * or the age, empty buckets. */
  co2s_prom_render (prom, out);
  g_assert_cmpstr (out->str, ==,
                   "# HELP t_rows_total Rows.\n# TYPE t_rows_total counter\nt_rows_total 0\n"
                   "# HELP t_lag_messages Lag.\n# TYPE t_lag_messages gauge\n"
                   "# HELP t_duration_seconds Duration.\n# TYPE t_duration_seconds histogram\n"
                   "t_duration_seconds_bucket{le=\"0.001\"} 0\n"
                   "t_duration_seconds_bucket{le=\"0.01\"} 0\n"
                   "t_duration_seconds_bucket{le=\"0.1\"} 0\n"
                   "t_duration_seconds_bucket{le=\"+Inf\"} 0\n"
                   "t_duration_seconds_sum 0\nt_duration_seconds_count 0\n"
                   "# HELP t_age_seconds Age.\n# TYPE t_age_seconds gauge\n"
                   "# HELP t_rmse RMSE.\n# TYPE t_rmse gauge\nt_rmse 0\n");
  g_clear_pointer (&families, json_object_unref);
  families = co2s_test_prom_parse (out->str);

  co2s_prom_add (rows, 100);
  co2s_prom_add (rows, 50);
  co2s_prom_set_labeled (lag, "0", 12);
  co2s_prom_set_labeled (lag, "1", 0);
  co2s_prom_set_labeled (lag, "0", 7);
  co2s_prom_observe (dur, 0.0005);
  co2s_prom_observe (dur, 0.001);  /* le is inclusive */
  co2s_prom_observe (dur, 0.05);
  co2s_prom_observe (dur, 3);
  co2s_prom_set (age, g_get_real_time () / 1e6 - 10);
  co2s_prom_set (rmse, NAN);

  g_string_truncate (out, 0);
  co2s_prom_render (prom, out);
  g_assert_nonnull (strstr (out->str, "t_lag_messages{partition=\"0\"} 7\nt_lag_messages{partition=\"1\"} 0\n"));
  g_assert_nonnull (strstr (out->str, "t_duration_seconds_bucket{le=\"0.001\"} 2\n"
                                      "t_duration_seconds_bucket{le=\"0.01\"} 2\n"
                                      "t_duration_seconds_bucket{le=\"0.1\"} 3\n"
                                      "t_duration_seconds_bucket{le=\"+Inf\"} 4\n"
                                      "t_duration_seconds_sum 3.0515\n"
                                      "t_duration_seconds_count 4\n"));
  g_assert_nonnull (strstr (out->str, "t_rmse NaN\n"));

  g_clear_pointer (&families, json_object_unref);
  families = co2s_test_prom_parse (out->str);
  g_assert_cmpstr (co2s_test_prom_type (families, "t_rows_total"), ==, "counter");
  g_assert_cmpstr (co2s_test_prom_type (families, "t_duration_seconds"), ==, "histogram");
  g_assert_cmpfloat (co2s_test_prom_value (families, "t_rows_total", NULL), ==, 150);
  g_assert_cmpfloat (co2s_test_prom_value (families, "t_lag_messages", p0), ==, 7);
  g_assert_cmpfloat (co2s_test_prom_value (families, "t_lag_messages", p1), ==, 0);
  g_assert_true (isnan (co2s_test_prom_value (families, "t_rmse", NULL)));
  v = co2s_test_prom_value (families, "t_age_seconds", NULL);
  g_assert_cmpfloat (v, >=, 10);
  g_assert_cmpfloat (v, <, 60);

  co2s_prom_clear_series (lag);
  g_string_truncate (out, 0);
  co2s_prom_render (prom, out);
  g_assert_null (strstr (out->str, "t_lag_messages{"));
}

/* A histogram kept elsewhere, set as a whole (the trainer's row latency):
 * the counts replace the observed ones, cumulated on render; the count is
 * their sum. */
static void
test_histogram_set (void)
{
  g_autoptr(Co2sProm) prom = co2s_prom_new ();
  const double bounds[] = { 0.001, 0.01, 0.1 };
  Co2sPromMetric *h = co2s_prom_histogram (prom, "t_latency_seconds", "Latency.", bounds, 3);
  const guint64 counts[] = { 5, 0, 7, 2 };
  const guint64 fewer[] = { 1, 0, 0, 0 };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonObject) families = NULL;

  co2s_prom_observe (h, 0.5);
  co2s_prom_histogram_set (h, counts, G_N_ELEMENTS (counts), 1.25);
  co2s_prom_render (prom, out);
  g_assert_nonnull (strstr (out->str, "t_latency_seconds_bucket{le=\"0.001\"} 5\n"
                                      "t_latency_seconds_bucket{le=\"0.01\"} 5\n"
                                      "t_latency_seconds_bucket{le=\"0.1\"} 12\n"
                                      "t_latency_seconds_bucket{le=\"+Inf\"} 14\n"
                                      "t_latency_seconds_sum 1.25\n"
                                      "t_latency_seconds_count 14\n"));
  families = co2s_test_prom_parse (out->str);
  g_assert_cmpfloat (co2s_test_prom_value (families, "t_latency_seconds_count", NULL), ==, 14);

  /* Set again (a fresh model's): nothing of the first state is left. */
  co2s_prom_histogram_set (h, fewer, G_N_ELEMENTS (fewer), 0.0005);
  g_string_truncate (out, 0);
  co2s_prom_render (prom, out);
  g_assert_nonnull (strstr (out->str, "t_latency_seconds_bucket{le=\"+Inf\"} 1\n"
                                      "t_latency_seconds_sum 0.0005\n"
                                      "t_latency_seconds_count 1\n"));
}

/* A writer thread updates two counters together under the lock; every
 * render must see them equal (a snapshot), and the parser read each. */
typedef struct {
  Co2sProm *prom;
  Co2sPromMetric *a, *b;
  gint stop;
} Hammer;

static gpointer
hammer (gpointer data)
{
  Hammer *h = data;

  while (!g_atomic_int_get (&h->stop))
    {
      co2s_prom_lock (h->prom);
      co2s_prom_add (h->a, 1);
      co2s_prom_add (h->b, 1);
      co2s_prom_unlock (h->prom);
    }
  return NULL;
}

static void
test_snapshot_threads (void)
{
  g_autoptr(Co2sProm) prom = co2s_prom_new ();
  Hammer h = { 0 };
  GThread *thread;
  double last = -1;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  h.prom = prom;
  h.a = co2s_prom_counter (prom, "a_total", "A.", NULL);
  h.b = co2s_prom_counter (prom, "b_total", "B.", NULL);
  thread = g_thread_new ("hammer", hammer, &h);
  /* 200 renders at least, until the writer has been seen (10 s at most). */
  for (int i = 0; i < 200 || (last <= 0 && g_get_monotonic_time () < deadline); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      guint64 a, b;
      const char *pa, *pb;

      co2s_prom_render (prom, out);
      pa = strstr (out->str, "\na_total ");
      pb = strstr (out->str, "\nb_total ");
      g_assert_nonnull (pa);
      g_assert_nonnull (pb);
      a = g_ascii_strtoull (pa + 9, NULL, 10);
      b = g_ascii_strtoull (pb + 9, NULL, 10);
      g_assert_cmpuint (a, ==, b);
      g_assert_cmpfloat ((double) a, >=, last);
      last = (double) a;
    }
  g_atomic_int_set (&h.stop, 1);
  g_thread_join (thread);
  g_assert_cmpfloat (last, >, 0);
}

static void
test_parse_listen (void)
{
  const struct { const char *text; const char *host; guint16 port; } good[] = {
    { "9101", "127.0.0.1", 9101 },
    { "0", "127.0.0.1", 0 },
    { "0.0.0.0:9101", "0.0.0.0", 9101 },
    { "127.0.0.1:65535", "127.0.0.1", 65535 },
    { "localhost:80", "127.0.0.1", 80 },
    { "[::1]:9101", "::1", 9101 },
    { "[::]:1", "::", 1 },
  };
  const char *bad[] = {
    "", "abc", "-1", "65536", "99999999999", "9101x", "host.example:9101", ":",
    "127.0.0.1:", "::1:9101", "[::1]", "[::1]9101", "[nope]:1", "1.2.3.4:+5", " 9101",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 1;

      g_assert_true (co2s_prom_parse_listen (good[i].text, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (port, ==, good[i].port);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 0;

      g_test_message ("bad: \"%s\"", bad[i]);
      g_assert_false (co2s_prom_parse_listen (bad[i], &host, &port, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_true (g_str_has_prefix (error->message, "--metrics-listen "));
      g_assert_null (host);
    }
}

static void
test_server (void)
{
  g_autoptr(Co2sProm) prom = co2s_prom_new ();
  Co2sPromMetric *rows = co2s_prom_counter (prom, "s_rows_total", "Rows.", NULL);
  g_autoptr(Co2sPromServer) server = NULL;
  g_autoptr(Co2sPromServer) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) families = NULL;
  g_autofree char *body = NULL;
  g_autofree char *type = NULL;
  g_autofree char *other = NULL;
  guint16 port;
  guint status = 0;

  server = co2s_prom_server_new (prom, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (co2s_prom_server_get_url (server), "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (co2s_prom_server_get_url (server), "/metrics"));

  co2s_prom_add (rows, 5);
  families = co2s_test_prom_scrape (co2s_prom_server_get_url (server));
  g_assert_nonnull (families);
  g_assert_cmpfloat (co2s_test_prom_value (families, "s_rows_total", NULL), ==, 5);
  co2s_prom_add (rows, 2);
  g_clear_pointer (&families, json_object_unref);
  families = co2s_test_prom_scrape (co2s_prom_server_get_url (server));
  g_assert_cmpfloat (co2s_test_prom_value (families, "s_rows_total", NULL), ==, 7);

  /* Other paths: 404. */
  other = g_strdup (co2s_prom_server_get_url (server));
  strcpy (strstr (other, "/metrics"), "/nope");
  body = co2s_test_http_get (other, &status, &type, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 404);

  /* The port taken: G_IO_ERROR_ADDRESS_IN_USE, naming the address. */
  port = (guint16) atoi (strrchr (co2s_prom_server_get_url (server), ':') + 1);
  second = co2s_prom_server_new (prom, "127.0.0.1", port, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
  g_clear_error (&error);

  /* Stopped: the port is free again. */
  g_clear_pointer (&server, co2s_prom_server_free);
  second = co2s_prom_server_new (prom, "127.0.0.1", port, &error);
  g_assert_no_error (error);
  g_clear_pointer (&second, co2s_prom_server_free);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prom/values", test_values);
  g_test_add_func ("/prom/escaping", test_escaping);
  g_test_add_func ("/prom/names", test_names);
  g_test_add_func ("/prom/registry", test_registry);
  g_test_add_func ("/prom/histogram-set", test_histogram_set);
  g_test_add_func ("/prom/snapshot-threads", test_snapshot_threads);
  g_test_add_func ("/prom/parse-listen", test_parse_listen);
  g_test_add_func ("/prom/server", test_server);
  return g_test_run ();
}
