/* producer-test-util.c — what the producer's tests share. */
#define G_LOG_DOMAIN "test-producer"

#include "producer-test-util.h"

#include <string.h>

#include "test-ndjson-server.h"

/* ---- inputs -------------------------------------------------------------- */

/* Row @seq in one of a few shapes (key order, spacing, escapes, nesting), so
 * "unchanged" is checked on more than one spelling. */
char *
producer_make_row (guint64 seq, gboolean with_seq)
{
  g_autofree char *seq_member = with_seq ? g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT, seq)
                                         : g_strdup ("\"id\":\"none\"");

  switch (seq % 4)
    {
    case 0:
      return g_strdup_printf ("{\"Engine_Size\":2.0,\"Cylinders\":4,\"Fuel_Consumption_City\":9.9,"
                              "\"Fuel_Consumption_Hwy\":6.7,\"Fuel_Consumption_Comb\":8.5,"
                              "\"Fuel_Consumption_Comb-1\":33,\"CO2_Emissions\":%u,"
                              "\"Fuel_Type_D\":false,\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,"
                              "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true,%s}",
                              (guint) (150 + seq % 100), seq_member);
    case 1:
      return g_strdup_printf ("{ %s , \"Engine_Size\" : 3.5 ,\t\"Cylinders\" : 6, "
                              "\"CO2_Emissions\" : 2.55e2 }", seq_member);
    case 2:
      return g_strdup_printf ("{\"model\":\"Ca\\\"mry \\u00e9 é ✓\\\\\",%s,\"CO2_Emissions\":-0.0}",
                              seq_member);
    default:
      return g_strdup_printf ("{\"tags\":[1,{\"a\":null},[]],\"nested\":{\"seq\":\"inner\"},%s}",
                              seq_member);
    }
}

GPtrArray *
producer_make_rows (guint n, gboolean with_seq)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, producer_make_row (i, with_seq));
  return rows;
}

/* ---- the producer -------------------------------------------------------- */


Co2sTestProc *
producer_spawn (const char *url,
                const char *brokers,
                const char *topic,
                const char *dlq_topic,
                const char * const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) co2s_test_program ("CO2S_PRODUCER"));
  g_ptr_array_add (argv, "--api");
  g_ptr_array_add (argv, (char *) url);
  g_ptr_array_add (argv, "--brokers");
  g_ptr_array_add (argv, (char *) brokers);
  g_ptr_array_add (argv, "--topic");
  g_ptr_array_add (argv, (char *) topic);
  g_ptr_array_add (argv, "--dlq-topic");
  g_ptr_array_add (argv, (char *) dlq_topic);
  g_ptr_array_add (argv, "--status-interval");
  g_ptr_array_add (argv, "1");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);

  return co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, NULL);
}

/* Waits for the producer to exit (asserting status @expected_status), then
 * parses the summary line from its whole stderr. (Parsing the full text
 * rather than waiting for the line keeps it independent of earlier waits.) */
void
producer_finish (Co2sTestProc *proc, int expected_status, ProducerSummary *s)
{
  g_autoptr(GRegex) re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  guint64 *fields[] = { &s->read, &s->produced, &s->delivered, &s->failed, &s->dlq,
                        &s->dlq_failed, &s->duplicates, &s->in_flight, NULL, &s->queue_full };
  int status;

  status = co2s_test_proc_wait_exit (proc, EXIT_TIMEOUT_MS);
  /* Every line written before the exit, not just those read so far. */
  g_assert_true (co2s_test_proc_wait_closed (proc, EXIT_TIMEOUT_MS));
  err = co2s_test_proc_stderr_text (proc);
  if (status != expected_status)
    g_error ("the producer exited with status %d, expected %d; its stderr:\n%s",
             status, expected_status, err);

  re = g_regex_new ("summary: read=(\\d+) produced=(\\d+) delivered=(\\d+) failed=(\\d+) "
                    "dlq=(\\d+) dlq_failed=(\\d+) duplicates=(\\d+) in_flight=(\\d+) "
                    "last_seq=(-?\\d+) queue_full=(\\d+)", 0, 0, NULL);
  g_assert_nonnull (re);
  if (!g_regex_match (re, err, 0, &match))
    g_error ("the producer printed no summary line; its stderr:\n%s", err);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text = g_match_info_fetch (match, i + 1);

      if (fields[i] != NULL)
        *fields[i] = g_ascii_strtoull (text, NULL, 10);
      else
        s->last_seq = g_ascii_strtoll (text, NULL, 10);
    }
  line = g_match_info_fetch (match, 0);
  g_test_message ("%s", line);
}

/* The topic holds exactly @n messages on one partition: message i has key
 * "<first + i>" and value rows[first + i] (or the paced row when @rows is NULL). */
void
producer_assert_topic_rows (const char *brokers, const char *topic, GPtrArray *rows, guint first, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 low = -1, high = -1;

  g_assert_cmpint (co2s_test_kafka_partition_count (brokers, topic, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (co2s_test_kafka_watermarks (brokers, topic, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, n);

  messages = co2s_test_kafka_consume (brokers, topic, n, CONSUME_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, n);

  for (guint i = 0; i < n; i++)
    {
      Co2sTestMessage *m = g_ptr_array_index (messages, i);
      g_autofree char *key = g_strdup_printf ("%u", first + i);
      g_autofree char *paced = rows == NULL ? test_server_paced_row (first + i) : NULL;
      const char *expected = rows != NULL ? g_ptr_array_index (rows, first + i) : paced;

      g_assert_cmpint (m->offset, ==, i);
      g_assert_cmpstr (m->key, ==, key);
      g_assert_cmpstr (m->payload, ==, expected);
      g_assert_cmpuint (m->len, ==, strlen (expected));
    }
}

/* ---- query log ---------------------------------------------------------- */

struct _ProducerQueryLog
{
  GMutex lock;
  GPtrArray *queries;
};

ProducerQueryLog *
producer_query_log_new (void)
{
  ProducerQueryLog *log = g_new0 (ProducerQueryLog, 1);

  g_mutex_init (&log->lock);
  log->queries = g_ptr_array_new_with_free_func (g_free);
  return log;
}

void
producer_query_log_free (ProducerQueryLog *log)
{
  if (log == NULL)
    return;
  g_ptr_array_unref (log->queries);
  g_mutex_clear (&log->lock);
  g_free (log);
}

guint
producer_query_log_add (ProducerQueryLog *log, const char *query)
{
  guint index;

  g_mutex_lock (&log->lock);
  index = log->queries->len;
  g_ptr_array_add (log->queries, g_strdup (query != NULL ? query : ""));
  g_mutex_unlock (&log->lock);
  return index;
}

guint
producer_query_log_len (ProducerQueryLog *log)
{
  guint n;

  g_mutex_lock (&log->lock);
  n = log->queries->len;
  g_mutex_unlock (&log->lock);
  return n;
}

char *
producer_query_log_dup (ProducerQueryLog *log, guint i)
{
  char *q = NULL;

  g_mutex_lock (&log->lock);
  if (i < log->queries->len)
    q = g_strdup (g_ptr_array_index (log->queries, i));
  g_mutex_unlock (&log->lock);
  return q;
}
