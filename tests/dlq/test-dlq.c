/* test-dlq.c — co2s-dlq (libco2s-monitoring): listing streaming_data.dlq
 * after the trainer set aside one message of each bad kind it knows, and
 * sending letters back exactly once, against the embedded broker.
 *
 * Paths: /dlq/list, /dlq/list-errors (no such topic, broker unreachable,
 * bad offset specs), /dlq/redrive-once; /dlq/real-kafka (suite kafka): the
 * same on a real Apache Kafka. */
#define G_LOG_DOMAIN "test-dlq"

#include <string.h>

#include "co2s-contracts.h"
#include "co2s-dlq.h"
#include "co2s-topic-end.h"
#include "dlq-fixture.h"

static Co2sDlqOptions
options (DlqFixture *fx)
{
  return (Co2sDlqOptions) { .brokers = fx->env.brokers, .target_topic = fx->env.topic, .timeout_ms = 10000 };
}

static void
test_list (void)
{
  g_auto(DlqFixture) fx = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) letters = NULL;
  Co2sDlqOptions opts;
  gint64 now_ms = g_get_real_time () / 1000;

  dlq_fixture_fill (&fx);
  opts = options (&fx);
  letters = co2s_dlq_list (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (letters->len, ==, DLQ_N_KINDS);

  /* In topic order: the trainer sets them aside in the order it reads them. */
  for (guint i = 0; i < letters->len; i++)
    {
      Co2sDeadLetter *l = g_ptr_array_index (letters, i);
      const char *want = g_ptr_array_index (fx.bad_lines, i);
      gint64 want_offset = g_array_index (fx.bad_offsets, gint64, i);
      g_autofree char *payload = co2s_dead_letter_dup_payload_text (l);
      g_autofree char *ref = co2s_dead_letter_dup_ref (l);
      g_autofree char *want_ref = g_strdup_printf ("0:%u", i);

      g_test_message ("%s %s: %s", ref, co2s_dead_letter_get_reason (l), co2s_dead_letter_get_detail (l));
      g_assert_cmpstr (ref, ==, want_ref);
      g_assert_cmpstr (co2s_dead_letter_get_reason (l), ==, dlq_bad_kinds[i].reason);
      g_assert_nonnull (co2s_dead_letter_get_detail (l));
      g_assert_cmpstr (payload, ==, want);
      g_assert_cmpstr (co2s_dead_letter_get_source_topic (l), ==, fx.env.topic);
      g_assert_cmpint (co2s_dead_letter_get_source_partition (l), ==, 0);
      g_assert_cmpint (co2s_dead_letter_get_source_offset (l), ==, want_offset);
      g_assert_cmpint (co2s_dead_letter_get_timestamp_ms (l), >, now_ms - 600000);
      g_assert_cmpint (co2s_dead_letter_get_timestamp_ms (l), <=, now_ms + 600000);
      g_assert_null (co2s_dead_letter_get_redriven (l));
    }
}

static void
test_list_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) letters = NULL;
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autofree char *nowhere = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (Co2sDlqRef));
  Co2sDlqOptions opts = { .brokers = brokers, .dlq_topic = "no-such-dlq", .timeout_ms = 5000 };
  static const char * const bad_specs[] = { "", "x", "-1", "1:", ":1", "0:5-3", "1:2:3", "0:0-100000", "5 ", NULL };

  letters = co2s_dlq_list (&opts, NULL, &error);
  g_assert_null (letters);
  g_assert_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_NO_TOPIC);
  g_assert_nonnull (strstr (error->message, "no-such-dlq"));
  g_clear_error (&error);

  opts.brokers = nowhere;
  opts.dlq_topic = NULL;
  opts.timeout_ms = 2000;
  letters = co2s_dlq_list (&opts, NULL, &error);
  g_assert_null (letters);
  g_assert_error (error, CO2S_DLQ_ERROR, CO2S_DLQ_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  for (guint i = 0; bad_specs[i] != NULL; i++)
    {
      g_assert_false (co2s_dlq_parse_ref (bad_specs[i], refs, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_clear_error (&error);
    }
  g_assert_cmpuint (refs->len, ==, 0);
  g_assert_true (co2s_dlq_parse_ref ("7", refs, &error));
  g_assert_true (co2s_dlq_parse_ref ("2:3-5", refs, &error));
  g_assert_cmpuint (refs->len, ==, 4);
  g_assert_cmpint (g_array_index (refs, Co2sDlqRef, 0).partition, ==, 0);
  g_assert_cmpint (g_array_index (refs, Co2sDlqRef, 0).offset, ==, 7);
  g_assert_cmpint (g_array_index (refs, Co2sDlqRef, 3).partition, ==, 2);
  g_assert_cmpint (g_array_index (refs, Co2sDlqRef, 3).offset, ==, 5);
}

static GArray *
redrive (Co2sDlqOptions *opts, const Co2sDlqRef *refs, guint n_refs)
{
  Co2sDlqSelection sel = { .refs = refs, .n_refs = n_refs };
  g_autoptr(GError) error = NULL;
  GArray *results = co2s_dlq_redrive (opts, &sel, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

static const Co2sRedriveResult *
result (GArray *results, guint i)
{
  g_assert_cmpuint (i, <, results->len);
  return &g_array_index (results, Co2sRedriveResult, i);
}

static void
test_redrive_once (void)
{
  g_auto(DlqFixture) fx = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) first = NULL, second = NULL, all = NULL;
  g_autoptr(GPtrArray) letters = NULL, copies = NULL;
  const Co2sDlqRef pick[] = { { 0, 1 }, { 0, 1 }, { 0, 999 } };
  Co2sDlqSelection every = { 0 };
  Co2sDlqOptions opts;
  gint64 low, high_before, high_after, last_seq = -1;
  guint sent, already, not_found, failed;

  dlq_fixture_fill (&fx);
  opts = options (&fx);
  g_assert_true (co2s_test_kafka_watermarks (fx.env.brokers, fx.env.topic, 0, &low, &high_before, &error));

  /* Letter 0:1 (twice in the selection: sent once), 0:999 is no letter. */
  first = redrive (&opts, pick, G_N_ELEMENTS (pick));
  g_assert_cmpuint (first->len, ==, 2);
  g_assert_cmpint (result (first, 0)->status, ==, CO2S_REDRIVE_SENT);
  g_assert_cmpint (result (first, 0)->partition, ==, 0);
  g_assert_cmpint (result (first, 0)->offset, >=, high_before);
  g_assert_cmpint (result (first, 1)->status, ==, CO2S_REDRIVE_NOT_FOUND);

  /* Again: already sent back, nothing written. */
  second = redrive (&opts, pick, 1);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpint (result (second, 0)->status, ==, CO2S_REDRIVE_ALREADY);
  g_assert_nonnull (strstr (result (second, 0)->detail, fx.env.topic));

  /* Everything: the six others go, 0:1 does not go again. */
  all = co2s_dlq_redrive (&opts, &every, NULL, &error);
  g_assert_no_error (error);
  co2s_dlq_count_results (all, &sent, &already, &not_found, &failed);
  g_assert_cmpuint (sent, ==, DLQ_N_KINDS - 1);
  g_assert_cmpuint (already, ==, 1);
  g_assert_cmpuint (not_found + failed, ==, 0);
  g_clear_pointer (&all, g_array_unref);
  all = co2s_dlq_redrive (&opts, &every, NULL, &error);
  g_assert_no_error (error);
  co2s_dlq_count_results (all, &sent, &already, NULL, NULL);
  g_assert_cmpuint (sent, ==, 0);
  g_assert_cmpuint (already, ==, DLQ_N_KINDS);

  /* The records topic got each letter exactly once, with the header. */
  g_assert_true (co2s_test_kafka_watermarks (fx.env.brokers, fx.env.topic, 0, &low, &high_after, &error));
  copies = co2s_test_kafka_consume (fx.env.brokers, fx.env.topic, (guint) high_after, 10000, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < DLQ_N_KINDS; k++)
    {
      const char *want = g_ptr_array_index (fx.bad_lines, k);
      g_autofree char *header_start = g_strdup_printf (CO2S_TOPIC_DLQ "[0]@%u ", k);
      guint found = 0;

      for (guint i = 0; i < copies->len; i++)
        {
          const Co2sTestMessage *m = g_ptr_array_index (copies, i);
          const char *h = co2s_test_message_header (m, CO2S_DLQ_HEADER_REDRIVE);

          if (h == NULL || !g_str_has_prefix (h, header_start))
            continue;
          found++;
          g_assert_cmpint (m->offset, >=, high_before);
          g_assert_cmpstr (m->payload, ==, want);
        }
      g_assert_cmpuint (found, ==, 1);
    }

  /* A producer restarted now resumes after the greatest seq it published,
   * not after the old seqs of the letters sent back (the last messages). */
  g_assert_true (co2s_topic_find_last_seq (fx.env.brokers, NULL, fx.env.topic, 10, &last_seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (last_seq, ==, DLQ_N_GOOD + DLQ_N_KINDS - 1);

  /* The listing hides the markers and shows every letter as sent back. */
  letters = co2s_dlq_list (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (letters->len, ==, DLQ_N_KINDS);
  for (guint i = 0; i < letters->len; i++)
    g_assert_nonnull (co2s_dead_letter_get_redriven (g_ptr_array_index (letters, i)));
}

/* The same on a real Apache Kafka, whose DLQ other tests share: a real
 * transaction coordinator, read_committed, the markers. */
static void
test_real_kafka (void)
{
  g_auto(DlqFixture) fx = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) letters = NULL, after = NULL, copies = NULL;
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (Co2sDlqRef));
  g_autoptr(GArray) first = NULL, second = NULL;
  Co2sDlqOptions opts;
  guint k = 0, sent, already;
  gint64 low, high;

  dlq_fixture_fill_real (&fx);
  opts = options (&fx);
  opts.timeout_ms = 60000;   /* a fresh Kafka creates its transaction log first */
  letters = co2s_dlq_list (&opts, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < letters->len; i++)
    {
      Co2sDeadLetter *l = g_ptr_array_index (letters, i);
      Co2sDlqRef ref = { co2s_dead_letter_get_partition (l), co2s_dead_letter_get_offset (l) };
      g_autofree char *payload = co2s_dead_letter_dup_payload_text (l);

      if (!dlq_fixture_owns (&fx, co2s_dead_letter_get_source (l)))
        continue;
      g_assert_cmpuint (k, <, DLQ_N_KINDS);
      g_assert_cmpstr (co2s_dead_letter_get_reason (l), ==, dlq_bad_kinds[k].reason);
      g_assert_cmpstr (payload, ==, g_ptr_array_index (fx.bad_lines, k));
      g_assert_cmpint (co2s_dead_letter_get_source_offset (l), ==, g_array_index (fx.bad_offsets, gint64, k));
      g_assert_null (co2s_dead_letter_get_redriven (l));
      g_array_append_val (refs, ref);
      k++;
    }
  g_assert_cmpuint (k, ==, DLQ_N_KINDS);

  first = redrive (&opts, (const Co2sDlqRef *) refs->data, refs->len);
  co2s_dlq_count_results (first, &sent, &already, NULL, NULL);
  g_assert_cmpuint (sent, ==, DLQ_N_KINDS);
  second = redrive (&opts, (const Co2sDlqRef *) refs->data, refs->len);
  co2s_dlq_count_results (second, &sent, &already, NULL, NULL);
  g_assert_cmpuint (sent, ==, 0);
  g_assert_cmpuint (already, ==, DLQ_N_KINDS);

  /* Each letter once in the records topic, after the transaction's commit. */
  g_assert_true (co2s_test_kafka_watermarks (fx.env.brokers, fx.env.topic, 0, &low, &high, &error));
  copies = co2s_test_kafka_consume (fx.env.brokers, fx.env.topic, DLQ_N_GOOD + 2 * DLQ_N_KINDS, 20000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copies->len, ==, DLQ_N_GOOD + 2 * DLQ_N_KINDS);
  for (guint j = 0; j < DLQ_N_KINDS; j++)
    {
      guint found = 0;

      for (guint i = 0; i < copies->len; i++)
        {
          const Co2sTestMessage *m = g_ptr_array_index (copies, i);

          if (co2s_test_message_header (m, CO2S_DLQ_HEADER_REDRIVE) != NULL &&
              g_strcmp0 (m->payload, g_ptr_array_index (fx.bad_lines, j)) == 0)
            found++;
        }
      g_assert_cmpuint (found, ==, 1);
    }

  after = co2s_dlq_list (&opts, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < after->len; i++)
    if (dlq_fixture_owns (&fx, co2s_dead_letter_get_source (g_ptr_array_index (after, i))))
      g_assert_nonnull (co2s_dead_letter_get_redriven (g_ptr_array_index (after, i)));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dlq/list", test_list);
  g_test_add_func ("/dlq/list-errors", test_list_errors);
  g_test_add_func ("/dlq/redrive-once", test_redrive_once);
  g_test_add_func ("/dlq/real-kafka", test_real_kafka);

  return g_test_run ();
}
