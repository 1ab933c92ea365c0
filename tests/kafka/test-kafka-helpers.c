/* test-kafka-helpers.c — the side consumer and the watermark query with a
 * deadline of co2s-kafka.h, against the embedded broker (co2stream-broker).
 *
 *  /kafka/side-consumer-config  defaults, then -X overrides, then forced
 *      settings; a refused property fails naming it.
 *  /kafka/watermarks  the same low and high watermarks as librdkafka's
 *      rd_kafka_query_watermark_offsets while the broker is up; an unknown
 *      partition is an error.
 *  /kafka/watermarks-deadline-broker-gone  once the broker that led the
 *      partition is gone, the query returns an error within its deadline
 *      and some slack (librdkafka 2.0's own query was measured blocking
 *      over three minutes with a 1,000 ms timeout there). */
#define G_LOG_DOMAIN "test-kafka-helpers"

#include <gio/gio.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-test-util.h"

#define DEADLINE_MS 1000
#define SLACK_MS    1500

static void
on_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  g_debug ("librdkafka %s: %s", fac, buf);
}

static void
produce (const char *brokers, guint n)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (payloads, g_strdup_printf ("{\"n\":%u}", i));
  g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_METRICS,
                                          (const char * const *) payloads->pdata, NULL,
                                          payloads->len, &error));
  g_assert_no_error (error);
}

/* ---- /kafka/side-consumer-config ------------------------------------------- */

static void
test_side_consumer_config (void)
{
  const char * const defaults[] = { "client.id=from-defaults", "fetch.wait.max.ms=77", NULL };
  const char * const overrides[] = { "client.id=from-overrides", "enable.partition.eof=false", NULL };
  const char * const forced[] = { "enable.partition.eof=true", NULL };
  const char * const refused[] = { "no.such.property=1", NULL };
  const char * const malformed[] = { "client.id", NULL };
  g_autoptr(GError) error = NULL;
  rd_kafka_t *rk;
  char value[64];
  size_t size = sizeof value;

  rk = co2s_kafka_side_consumer_new ("127.0.0.1:1", defaults, overrides, forced, on_log, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rk);
  g_assert_cmpint (rd_kafka_type (rk), ==, RD_KAFKA_CONSUMER);
  /* Later lists win: defaults < overrides < forced. */
  g_assert_cmpint (rd_kafka_conf_get (rd_kafka_conf (rk), "client.id", value, &size), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpstr (value, ==, "from-overrides");
  size = sizeof value;
  g_assert_cmpint (rd_kafka_conf_get (rd_kafka_conf (rk), "fetch.wait.max.ms", value, &size), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpstr (value, ==, "77");
  size = sizeof value;
  g_assert_cmpint (rd_kafka_conf_get (rd_kafka_conf (rk), "enable.partition.eof", value, &size), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpstr (value, ==, "true");
  size = sizeof value;
  g_assert_cmpint (rd_kafka_conf_get (rd_kafka_conf (rk), "bootstrap.servers", value, &size), ==, RD_KAFKA_CONF_OK);
  g_assert_cmpstr (value, ==, "127.0.0.1:1");
  /* No group: a side consumer never joins one. */
  size = sizeof value;
  g_assert_cmpint (rd_kafka_conf_get (rd_kafka_conf (rk), "group.id", value, &size), ==, RD_KAFKA_CONF_UNKNOWN);
  rd_kafka_destroy (rk);

  /* Each list is checked; the first refused property is named. */
  g_assert_null (co2s_kafka_side_consumer_new ("127.0.0.1:1", NULL, NULL, refused, NULL, &error));
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no.such.property"));
  g_clear_error (&error);
  g_assert_null (co2s_kafka_side_consumer_new ("127.0.0.1:1", refused, NULL, NULL, NULL, &error));
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_null (co2s_kafka_side_consumer_new ("127.0.0.1:1", NULL, malformed, NULL, NULL, &error));
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "client.id"));
}

/* ---- /kafka/watermarks ----------------------------------------------------- */

static void
test_watermarks (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  gint64 low = -2, high = -2;
  int64_t lo = -2, hi = -2;
  rd_kafka_resp_err_t err;
  rd_kafka_t *rk;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  produce (brokers, 5);
  rk = co2s_kafka_side_consumer_new (brokers, NULL, NULL, NULL, on_log, &error);
  g_assert_no_error (error);

  err = co2s_kafka_query_watermarks (rk, CO2S_TOPIC_METRICS, 0, &low, &high, 10000);
  g_assert_cmpstr (rd_kafka_err2name (err), ==, rd_kafka_err2name (RD_KAFKA_RESP_ERR_NO_ERROR));
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, 5);
  g_assert_cmpint (rd_kafka_query_watermark_offsets (rk, CO2S_TOPIC_METRICS, 0, &lo, &hi, 10000), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (lo, ==, low);
  g_assert_cmpint (hi, ==, high);

  /* An empty topic: both 0. */
  err = co2s_kafka_query_watermarks (rk, CO2S_TOPIC_DATA, 0, &low, &high, 10000);
  g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, 0);

  /* A partition the topic does not have: an error, and -1. */
  err = co2s_kafka_query_watermarks (rk, CO2S_TOPIC_METRICS, 7, &low, &high, 3000);
  g_assert_cmpint (err, !=, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (low, ==, -1);
  g_assert_cmpint (high, ==, -1);

  rd_kafka_destroy (rk);
  g_assert_cmpint (co2s_test_proc_terminate (broker, 10000), ==, 0);
}

/* ---- /kafka/watermarks-deadline-broker-gone -------------------------------- */

static void
test_watermarks_deadline_broker_gone (void)
{
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *brokers = NULL;
  gint64 low = -2, high = -2;
  rd_kafka_resp_err_t err;
  gint64 start, elapsed_ms;
  rd_kafka_t *rk;

  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  produce (brokers, 3);
  rk = co2s_kafka_side_consumer_new (brokers, NULL, NULL, NULL, on_log, &error);
  g_assert_no_error (error);

  /* The leader is known (and cached) while the broker is up… */
  err = co2s_kafka_query_watermarks (rk, CO2S_TOPIC_METRICS, 0, &low, &high, 10000);
  g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (high, ==, 3);

  /* …then it is gone: connections refused from now on. */
  g_assert_cmpint (co2s_test_proc_terminate (broker, 10000), ==, 0);

  for (guint round = 0; round < 2; round++)
    {
      start = g_get_monotonic_time ();
      err = co2s_kafka_query_watermarks (rk, CO2S_TOPIC_METRICS, 0, &low, &high, DEADLINE_MS);
      elapsed_ms = (g_get_monotonic_time () - start) / 1000;
      g_test_message ("round %u: %s after %" G_GINT64_FORMAT " ms (deadline %d ms)",
                      round, rd_kafka_err2name (err), elapsed_ms, DEADLINE_MS);
      g_assert_cmpint (err, !=, RD_KAFKA_RESP_ERR_NO_ERROR);
      g_assert_cmpint (low, ==, -1);
      g_assert_cmpint (high, ==, -1);
      g_assert_cmpint (elapsed_ms, <, DEADLINE_MS + SLACK_MS);
    }

  /* Nothing of the queries outlives the handle. */
  rd_kafka_destroy (rk);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kafka/side-consumer-config", test_side_consumer_config);
  g_test_add_func ("/kafka/watermarks", test_watermarks);
  g_test_add_func ("/kafka/watermarks-deadline-broker-gone", test_watermarks_deadline_broker_gone);

  return g_test_run ();
}
