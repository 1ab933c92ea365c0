/* test-state-topic.c — the state topic and its transactional writer
 * (co2s-state-topic.h) against a real Apache Kafka (co2s_test_kafka_brokers:
 * CO2S_KAFKA_BROKERS, else one started with tests/kafka-broker.sh). */
#define G_LOG_DOMAIN "test-state-topic"

#include <string.h>

#include "co2s-kafka.h"
#include "co2s-state-topic.h"
#include "co2s-test-util.h"

#define WAIT_MS 30000

/* Runs CALL, then checks that it set no error before that it succeeded, so
 * that a failure shows the error's message. */
#define assert_ok(call, error) \
  G_STMT_START { gboolean ok_ = (call); g_assert_no_error (error); g_assert_true (ok_); } G_STMT_END

typedef struct
{
  const char *brokers;
  char *state_topic;   /* compacted, created by co2s_state_topic_ensure */
  char *input;         /* the "input" topic, 3 partitions */
  char *group;
  char *txn_id;
  rd_kafka_consumer_group_metadata_t *cgmd;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->brokers = co2s_test_kafka_brokers ();
  f->state_topic = co2s_test_unique_topic ("state");
  f->input = co2s_test_unique_topic ("input");
  f->group = co2s_test_unique_topic ("group");
  f->txn_id = co2s_test_unique_topic ("txn");
  assert_ok (co2s_test_kafka_create_topic (f->brokers, f->input, 3, &error), error);
  assert_ok (co2s_state_topic_ensure (f->brokers, NULL, f->state_topic, 1, &error), error);
  /* A group with no member, as a consumer with assign() has: the broker
   * takes transactional offsets for it with generation -1. */
  f->cgmd = rd_kafka_consumer_group_metadata_new (f->group);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  rd_kafka_consumer_group_metadata_destroy (f->cgmd);
  g_free (f->state_topic);
  g_free (f->input);
  g_free (f->group);
  g_free (f->txn_id);
}

static Co2sStateWriter *
new_writer (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  Co2sStateWriter *writer = co2s_state_writer_new (f->brokers, NULL, f->txn_id, f->state_topic, &error);

  g_assert_no_error (error);
  g_assert_nonnull (writer);
  return writer;
}

static void
put (Co2sStateWriter *writer, Fixture *f, gint32 partition, gint64 next_offset, const char *state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (state, strlen (state));

  assert_ok (co2s_state_writer_put (writer, f->input, partition, next_offset, bytes, &error), error);
}

static void
begin (Co2sStateWriter *writer)
{
  g_autoptr(GError) error = NULL;

  assert_ok (co2s_state_writer_begin (writer, &error), error);
}

static void
commit (Co2sStateWriter *writer, Fixture *f, const rd_kafka_topic_partition_list_t *offsets)
{
  g_autoptr(GError) error = NULL;

  assert_ok (co2s_state_writer_commit (writer, offsets, f->cgmd, &error), error);
}

static GHashTable *
load (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GHashTable *table = co2s_state_topic_load (f->brokers, NULL, f->state_topic, WAIT_MS, &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

/* A librdkafka client of the test's broker with @overrides (may be NULL). */
static rd_kafka_t *
new_client (Fixture *f, rd_kafka_type_t type, const char * const *overrides)
{
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (f->brokers, overrides, &error);
  rd_kafka_t *rk;

  g_assert_no_error (error);
  rk = co2s_kafka_new (type, conf, &error);
  g_assert_no_error (error);
  return rk;
}

/* The state of input [@partition] in @table, or NULL. */
static const Co2sStateEntry *
entry_of (GHashTable *table, Fixture *f, gint32 partition)
{
  g_autofree char *key = co2s_state_key (f->input, partition);

  return g_hash_table_lookup (table, key);
}

static void
assert_entry (GHashTable *table, Fixture *f, gint32 partition, gint64 next_offset, const char *state)
{
  const Co2sStateEntry *entry = entry_of (table, f, partition);
  gsize len = 0;
  const char *data;

  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->topic, ==, f->input);
  g_assert_cmpint (entry->partition, ==, partition);
  g_assert_cmpint (entry->next_offset, ==, next_offset);
  data = g_bytes_get_data (entry->state, &len);
  g_assert_cmpmem (data, len, state, strlen (state));
}

/* Waits until a load shows input [partition] at next_offset (the markers of
 * a committed transaction reach the partition a moment after the commit). */
typedef struct
{
  Fixture *f;
  gint32 partition;
  gint64 next_offset;   /* -1: until the key is gone */
} Visible;

static gboolean
is_visible (gpointer data)
{
  Visible *v = data;
  g_autoptr(GHashTable) table = load (v->f);
  const Co2sStateEntry *entry = entry_of (table, v->f, v->partition);

  if (v->next_offset < 0)
    return entry == NULL;
  return entry != NULL && entry->next_offset == v->next_offset;
}

static void
wait_visible (Fixture *f, gint32 partition, gint64 next_offset)
{
  Visible v = { f, partition, next_offset };

  co2s_test_assert_wait_msg (is_visible, &v, WAIT_MS, "a committed state in the state topic");
}

/* The group's committed offset of input [@partition] (read_committed: the
 * broker answers once no transactional commit of it is pending). */
static gint64
committed_offset (Fixture *f, gint32 partition)
{
  g_autofree char *group = g_strdup_printf ("group.id=%s", f->group);
  const char *overrides[] = { group, "isolation.level=read_committed", "enable.auto.commit=false", NULL };
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (1);
  rd_kafka_t *rk = new_client (f, RD_KAFKA_CONSUMER, overrides);
  rd_kafka_resp_err_t err;
  gint64 offset;

  rd_kafka_topic_partition_list_add (list, f->input, partition);
  err = rd_kafka_committed (rk, list, WAIT_MS);
  g_assert_cmpstr (rd_kafka_err2str (err), ==, rd_kafka_err2str (RD_KAFKA_RESP_ERR_NO_ERROR));
  g_assert_cmpstr (rd_kafka_err2str (list->elems[0].err), ==, rd_kafka_err2str (RD_KAFKA_RESP_ERR_NO_ERROR));
  offset = list->elems[0].offset;
  rd_kafka_topic_partition_list_destroy (list);
  rd_kafka_destroy (rk);
  return offset;
}

typedef struct
{
  Fixture *f;
  gint64 passed;   /* the watermark to pass */
  gint64 high;     /* the last one seen */
} Growth;

/* Whether the high watermark of the state topic's partition 0, uncommitted
 * records included (librdkafka asks with the handle's isolation.level), is
 * past growth->passed. */
static gboolean
state_topic_grew (gpointer data)
{
  Growth *growth = data;
  Fixture *f = growth->f;
  const char *overrides[] = { "isolation.level=read_uncommitted", NULL };
  rd_kafka_t *rk = new_client (f, RD_KAFKA_CONSUMER, overrides);
  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t err;

  err = rd_kafka_query_watermark_offsets (rk, f->state_topic, 0, &low, &high, WAIT_MS);
  rd_kafka_destroy (rk);
  g_assert_cmpstr (rd_kafka_err2str (err), ==, rd_kafka_err2str (RD_KAFKA_RESP_ERR_NO_ERROR));
  growth->high = high;
  return high > growth->passed;
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_key (void)
{
  g_autofree char *key = co2s_state_key ("streaming_data", 12);

  g_assert_cmpstr (key, ==, "streaming_data/12");
}

/* Several keys over three transactions: the latest value of each wins, a
 * tombstone removes its key; ensure again leaves the topic as it is. */
static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) writer = new_writer (f);
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (co2s_state_writer_get_topic (writer), ==, f->state_topic);
  g_assert_cmpstr (co2s_state_writer_get_transactional_id (writer), ==, f->txn_id);

  begin (writer);
  put (writer, f, 0, 10, "{\"p\":0,\"v\":1}");
  put (writer, f, 1, 20, "{\"p\":1,\"v\":1}");
  put (writer, f, 0, 11, "{\"p\":0,\"v\":2}");   /* same key twice in one transaction */
  commit (writer, f, NULL);

  begin (writer);
  put (writer, f, 0, 15, "{\"p\":0,\"v\":3}");
  put (writer, f, 2, 5, "{\"p\":2,\"v\":1}");
  commit (writer, f, NULL);
  wait_visible (f, 0, 15);

  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 3);
  assert_entry (table, f, 0, 15, "{\"p\":0,\"v\":3}");
  assert_entry (table, f, 1, 20, "{\"p\":1,\"v\":1}");
  assert_entry (table, f, 2, 5, "{\"p\":2,\"v\":1}");
  g_clear_pointer (&table, g_hash_table_unref);

  begin (writer);
  assert_ok (co2s_state_writer_forget (writer, f->input, 2, &error), error);
  commit (writer, f, NULL);
  wait_visible (f, 2, -1);
  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  assert_entry (table, f, 0, 15, "{\"p\":0,\"v\":3}");
  assert_entry (table, f, 1, 20, "{\"p\":1,\"v\":1}");

  assert_ok (co2s_state_topic_ensure (f->brokers, NULL, f->state_topic, 1, &error), error);
}

/* An aborted transaction, and the open one of a writer freed mid-way, leave
 * no trace: once a later committed transaction is visible, the reader still
 * shows the state committed before them. */
static void
test_aborted_invisible (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) writer = new_writer (f);
  Growth growth = { f, 0, 0 };
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  begin (writer);
  put (writer, f, 0, 1, "committed");
  commit (writer, f, NULL);

  wait_visible (f, 0, 1);

  /* While a transaction is open with its records in the log, the reader
   * waits for it to be decided (its end is the log's end at the call):
   * not in 2 s; once it is aborted, it reads the committed state only. */
  state_topic_grew (&growth);
  growth.passed = growth.high;
  begin (writer);
  put (writer, f, 0, 2, "aborted");
  put (writer, f, 1, 3, "aborted");
  co2s_test_assert_wait_msg (state_topic_grew, &growth, WAIT_MS, "the open transaction's records in the log");
  table = co2s_state_topic_load (f->brokers, NULL, f->state_topic, 2000, &error);
  g_assert_null (table);
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_TIMED_OUT);
  g_clear_error (&error);
  assert_ok (co2s_state_writer_abort (writer, &error), error);
  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  assert_entry (table, f, 0, 1, "committed");
  g_clear_pointer (&table, g_hash_table_unref);

  begin (writer);
  put (writer, f, 1, 4, "left open");
  g_clear_pointer (&writer, co2s_state_writer_free);   /* aborts it */

  writer = new_writer (f);
  begin (writer);
  put (writer, f, 2, 5, "later");
  commit (writer, f, NULL);
  wait_visible (f, 2, 5);

  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  assert_entry (table, f, 0, 1, "committed");
  g_assert_null (entry_of (table, f, 1));
  assert_entry (table, f, 2, 5, "later");
}

/* The group's offsets move with a committed transaction only: the puts'
 * next offsets by default, or the offsets given. */
static void
test_group_offsets (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) writer = new_writer (f);
  rd_kafka_topic_partition_list_t *offsets;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (committed_offset (f, 0), ==, RD_KAFKA_OFFSET_INVALID);

  begin (writer);
  put (writer, f, 0, 10, "s10");
  g_assert_cmpint (committed_offset (f, 0), ==, RD_KAFKA_OFFSET_INVALID);
  commit (writer, f, NULL);
  g_assert_cmpint (committed_offset (f, 0), ==, 10);
  g_assert_cmpint (committed_offset (f, 1), ==, RD_KAFKA_OFFSET_INVALID);

  begin (writer);
  put (writer, f, 0, 20, "s20");
  assert_ok (co2s_state_writer_abort (writer, &error), error);
  g_assert_cmpint (committed_offset (f, 0), ==, 10);

  offsets = rd_kafka_topic_partition_list_new (2);
  rd_kafka_topic_partition_list_add (offsets, f->input, 0)->offset = 30;
  rd_kafka_topic_partition_list_add (offsets, f->input, 1)->offset = 7;
  begin (writer);
  put (writer, f, 0, 30, "s30");
  commit (writer, f, offsets);
  rd_kafka_topic_partition_list_destroy (offsets);
  g_assert_cmpint (committed_offset (f, 0), ==, 30);
  g_assert_cmpint (committed_offset (f, 1), ==, 7);
}

/* A consumer that subscribes to the input topic and waits until the group
 * gave it every partition: its group metadata carries a member id and a
 * generation, as the trainer's will. */
static rd_kafka_t *
new_member (Fixture *f)
{
  g_autofree char *group = g_strdup_printf ("group.id=%s", f->group);
  const char *overrides[] = { group, "enable.auto.commit=false", "isolation.level=read_committed",
                              "auto.offset.reset=earliest", NULL };
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_t *assignment = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  rd_kafka_t *rk = new_client (f, RD_KAFKA_CONSUMER, overrides);

  rd_kafka_poll_set_consumer (rk);
  rd_kafka_topic_partition_list_add (topics, f->input, RD_KAFKA_PARTITION_UA);
  g_assert_cmpint (rd_kafka_subscribe (rk, topics), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy (topics);
  /* The join happens in consumer_poll; the input topic is empty. */
  while (g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (rk, 100);
      int count;

      g_clear_pointer (&m, rd_kafka_message_destroy);
      g_assert_cmpint (rd_kafka_assignment (rk, &assignment), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
      count = assignment->cnt;
      g_clear_pointer (&assignment, rd_kafka_topic_partition_list_destroy);
      if (count == 3)
        return rk;
    }
  g_error ("the consumer of %s got no assignment within %d ms", f->input, WAIT_MS);
}

/* A commit with the metadata of a consumer that is a member of the group
 * (generation and member id, KIP-447) moves the group's offsets. */
static void
test_group_member (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) writer = new_writer (f);
  rd_kafka_t *consumer = new_member (f);
  rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata (consumer);
  g_autoptr(GBytes) state = g_bytes_new_static ("member", 6);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (cgmd);
  begin (writer);
  assert_ok (co2s_state_writer_put (writer, f->input, 2, 42, state, &error), error);
  assert_ok (co2s_state_writer_commit (writer, NULL, cgmd, &error), error);
  rd_kafka_consumer_group_metadata_destroy (cgmd);
  rd_kafka_consumer_close (consumer);
  rd_kafka_destroy (consumer);

  g_assert_cmpint (committed_offset (f, 2), ==, 42);
  wait_visible (f, 2, 42);
}

/* A second writer with the same transactional.id fences the first: its
 * commit fails with CO2S_STATE_ERROR_FENCED and says so, every later call
 * too, and nothing of its transaction is visible. */
static void
test_fenced (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) first = new_writer (f);
  g_autoptr(Co2sStateWriter) second = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  begin (first);
  put (first, f, 0, 1, "first");
  commit (first, f, NULL);

  begin (first);
  put (first, f, 0, 2, "fenced");
  second = new_writer (f);
  g_assert_false (co2s_state_writer_commit (first, NULL, f->cgmd, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED);
  g_test_message ("the fenced writer's error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "fenced"));
  g_assert_nonnull (strstr (error->message, f->txn_id));
  g_clear_error (&error);

  g_assert_false (co2s_state_writer_begin (first, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED);
  g_clear_error (&error);

  begin (second);
  put (second, f, 1, 3, "second");
  commit (second, f, NULL);
  wait_visible (f, 1, 3);
  table = load (f);
  assert_entry (table, f, 0, 1, "first");
  assert_entry (table, f, 1, 3, "second");
  g_assert_cmpint (committed_offset (f, 0), ==, 1);
  g_assert_cmpint (committed_offset (f, 1), ==, 3);
}

/* Creates @topic, compacted, whose broker refuses records over
 * @max_bytes. */
static void
create_small_topic (Fixture *f, const char *topic, const char *max_bytes)
{
  rd_kafka_t *rk = new_client (f, RD_KAFKA_PRODUCER, NULL);
  const rd_kafka_topic_result_t **results;
  rd_kafka_NewTopic_t *new_topic;
  rd_kafka_queue_t *queue;
  rd_kafka_event_t *ev;
  char errstr[256];
  size_t n = 0;

  new_topic = rd_kafka_NewTopic_new (topic, 1, -1, errstr, sizeof errstr);
  g_assert_nonnull (new_topic);
  g_assert_cmpint (rd_kafka_NewTopic_set_config (new_topic, "cleanup.policy", "compact"), ==, 0);
  g_assert_cmpint (rd_kafka_NewTopic_set_config (new_topic, "max.message.bytes", max_bytes), ==, 0);
  queue = rd_kafka_queue_new (rk);
  rd_kafka_CreateTopics (rk, &new_topic, 1, NULL, queue);
  rd_kafka_NewTopic_destroy (new_topic);
  ev = rd_kafka_queue_poll (queue, WAIT_MS);
  g_assert_nonnull (ev);
  g_assert_cmpstr (rd_kafka_err2str (rd_kafka_event_error (ev)), ==,
                   rd_kafka_err2str (RD_KAFKA_RESP_ERR_NO_ERROR));
  results = rd_kafka_CreateTopics_result_topics (rd_kafka_event_CreateTopics_result (ev), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_err2str (rd_kafka_topic_result_error (results[0])), ==,
                   rd_kafka_err2str (RD_KAFKA_RESP_ERR_NO_ERROR));
  rd_kafka_event_destroy (ev);
  rd_kafka_queue_destroy (queue);
  rd_kafka_destroy (rk);
}

/* The broker refuses a record of the transaction (too large for the
 * topic): commit aborts it and says so; none of its states nor offsets is
 * visible, and the writer goes on with the next transaction. */
static void
test_abortable (Fixture *f, gconstpointer data)
{
  g_autoptr(Co2sStateWriter) writer = NULL;
  g_autoptr(GBytes) big = g_bytes_new_take (g_strnfill (5000, 'x'), 5000);
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;
  guint attempts;

  g_free (f->state_topic);
  f->state_topic = co2s_test_unique_topic ("state-small");
  create_small_topic (f, f->state_topic, "1000");
  assert_ok (co2s_state_topic_ensure (f->brokers, NULL, f->state_topic, 1, &error), error);
  writer = new_writer (f);

  begin (writer);
  put (writer, f, 0, 10, "fits");
  assert_ok (co2s_state_writer_put (writer, f->input, 1, 20, big, &error), error);
  g_assert_false (co2s_state_writer_commit (writer, NULL, f->cgmd, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED);
  g_test_message ("the aborted transaction's error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "aborted"));
  g_clear_error (&error);
  g_assert_cmpint (committed_offset (f, 0), ==, RD_KAFKA_OFFSET_INVALID);

  /* The next transaction may fail once too (librdkafka 2.0: out-of-order
   * sequence after the refused record, then an epoch bump): as the header
   * says, write the states again, a few times. */
  for (attempts = 1; attempts <= 3; attempts++)
    {
      begin (writer);
      put (writer, f, 0, 11, "after");
      if (co2s_state_writer_commit (writer, NULL, f->cgmd, &error))
        break;
      g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED);
      g_test_message ("attempt %u after the refused record: %s", attempts, error->message);
      g_clear_error (&error);
    }
  g_assert_cmpuint (attempts, <=, 3);
  g_assert_cmpint (committed_offset (f, 0), ==, 11);
  g_assert_cmpint (committed_offset (f, 1), ==, RD_KAFKA_OFFSET_INVALID);
  wait_visible (f, 0, 11);
  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  assert_entry (table, f, 0, 11, "after");
}

/* A put that librdkafka refuses at once (larger than the writer's
 * message.max.bytes) fails, and the commit then aborts the transaction. */
static void
test_put_fails (Fixture *f, gconstpointer data)
{
  const char *overrides[] = { "message.max.bytes=2000", NULL };
  g_autoptr(GBytes) big = g_bytes_new_take (g_strnfill (5000, 'x'), 5000);
  g_autoptr(Co2sStateWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  writer = co2s_state_writer_new (f->brokers, overrides, f->txn_id, f->state_topic, &error);
  g_assert_no_error (error);
  begin (writer);
  put (writer, f, 0, 10, "fits");
  g_assert_false (co2s_state_writer_put (writer, f->input, 1, 20, big, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (co2s_state_writer_commit (writer, NULL, f->cgmd, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED);
  g_clear_error (&error);
  g_assert_cmpint (committed_offset (f, 0), ==, RD_KAFKA_OFFSET_INVALID);

  begin (writer);
  put (writer, f, 0, 12, "after");
  commit (writer, f, NULL);
  wait_visible (f, 0, 12);
}

/* A topic that does not exist is an error that names it; an existing empty
 * one is an empty table. */
static void
test_no_topic (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = co2s_test_unique_topic ("missing");
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  table = co2s_state_topic_load (f->brokers, NULL, missing, WAIT_MS, &error);
  g_assert_null (table);
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_NO_TOPIC);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  table = load (f);
  g_assert_cmpuint (g_hash_table_size (table), ==, 0);
}

/* An existing topic with cleanup.policy=delete is refused, not used. */
static void
test_not_compacted (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (co2s_state_topic_ensure (f->brokers, NULL, f->input, 1, &error));
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_NOT_COMPACTED);
  g_assert_nonnull (strstr (error->message, "cleanup.policy=delete"));
}

/* A record that is no state record fails the load and names its offset. */
static void
test_invalid_record (Fixture *f, gconstpointer data)
{
  const char *payloads[] = { "not a state" };
  const char *keys[] = { "no-partition-here" };
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  assert_ok (co2s_test_kafka_produce (f->brokers, f->state_topic, payloads, keys, 1, &error), error);
  table = co2s_state_topic_load (f->brokers, NULL, f->state_topic, WAIT_MS, &error);
  g_assert_null (table);
  g_assert_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "at offset 0"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/state-topic/key", test_key);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/state-topic/round-trip", test_round_trip);
  ADD ("/state-topic/aborted-invisible", test_aborted_invisible);
  ADD ("/state-topic/group-offsets", test_group_offsets);
  ADD ("/state-topic/group-member", test_group_member);
  ADD ("/state-topic/fenced", test_fenced);
  ADD ("/state-topic/abortable", test_abortable);
  ADD ("/state-topic/put-fails", test_put_fails);
  ADD ("/state-topic/no-topic", test_no_topic);
  ADD ("/state-topic/not-compacted", test_not_compacted);
  ADD ("/state-topic/invalid-record", test_invalid_record);
#undef ADD

  return g_test_run ();
}
