/* test-group-watch.c — Co2sGroupWatch (co2s-group-watch.h): which trainers
 * of a consumer group run and which partitions each owns, against a real
 * Apache Kafka (co2s_test_kafka_brokers: $CO2S_KAFKA_BROKERS or
 * tests/kafka-broker.sh) for /group-watch/two-then-one, and against an
 * address where nothing listens for /group-watch/unreachable. */
#define G_LOG_DOMAIN "test-group-watch"

#include <string.h>

#include "co2s-group-watch.h"
#include "co2s-kafka.h"
#include "co2s-test-util.h"

#define WAIT_MS 60000
#define PARTITIONS 4

/* A consumer of the group, polled on its own thread as a trainer's is,
 * until told to leave: then it closes (leaves the group) there. */
typedef struct {
  rd_kafka_t *rk;
  GThread *thread;
  gint stop;
} Member;

static gpointer
member_thread (gpointer data)
{
  Member *m = data;

  while (!g_atomic_int_get (&m->stop))
    {
      rd_kafka_message_t *msg = rd_kafka_consumer_poll (m->rk, 100);

      g_clear_pointer (&msg, rd_kafka_message_destroy);
    }
  rd_kafka_consumer_close (m->rk);
  return NULL;
}

static Member *
member_start (const char *brokers,
              const char *group,
              const char *topic,
              const char *client_id)
{
  g_autofree char *group_prop = g_strdup_printf ("group.id=%s", group);
  g_autofree char *client_prop = g_strdup_printf ("client.id=%s", client_id);
  const char *overrides[] = { group_prop, client_prop, "enable.auto.commit=false",
                              /* As co2stream-trainer --scale-out with librdkafka 2.0
                               * (cooperative-sticky aborts there, librdkafka issue 4312). */
                              "partition.assignment.strategy=range",
                              "session.timeout.ms=6000", NULL };
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (brokers, overrides, &error);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new (1);
  Member *m = g_new0 (Member, 1);

  g_assert_no_error (error);
  m->rk = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, &error);
  g_assert_no_error (error);
  rd_kafka_poll_set_consumer (m->rk);
  rd_kafka_topic_partition_list_add (topics, topic, RD_KAFKA_PARTITION_UA);
  g_assert_cmpint (rd_kafka_subscribe (m->rk, topics), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy (topics);
  m->thread = g_thread_new (client_id, member_thread, m);
  return m;
}

/* Leaves the group (consumer_close on its thread) and waits for it. */
static void
member_stop (Member *m)
{
  g_atomic_int_set (&m->stop, 1);
  g_thread_join (m->thread);
  rd_kafka_destroy (m->rk);
  g_free (m);
}

/* ---- what the watch says ----------------------------------------------------- */

typedef struct {
  Co2sGroupWatch *watch;
  const char * const *names;  /* expected trainer names, sorted */
  guint changes;              /* "changed" emissions */
  GThread *main_thread;
} Expect;

static void
changed_cb (Co2sGroupWatch *watch,
            gpointer user_data)
{
  Expect *e = user_data;

  g_assert_true (g_thread_self () == e->main_thread);
  e->changes++;
  if (co2s_group_watch_get_running (watch))
    {
      g_autofree char *summary = co2s_group_watch_dup_summary (watch);

      g_debug ("changed: %s", summary != NULL ? summary : "(nothing)");
    }
}

/* TRUE when the watch's answer names exactly e->names, the group is not
 * rebalancing, each owns a partition and every partition 0..PARTITIONS-1 is
 * owned by one of them, once. (During a rebalance a member may own
 * nothing yet, or, cooperative, the old owner keep what it gives away.) */
static gboolean
reports (gpointer data)
{
  const Expect *e = data;
  guint n = g_strv_length ((char **) e->names);
  guint owners[PARTITIONS] = { 0 };

  if (!co2s_group_watch_get_answered (e->watch) || co2s_group_watch_get_n_members (e->watch) != n)
    return FALSE;
  if (n == 0)
    return TRUE;
  if (co2s_group_watch_get_rebalancing (e->watch))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const Co2sGroupMember *m = co2s_group_watch_get_member (e->watch, i);

      if (strcmp (m->name, e->names[i]) != 0 || m->partitions->len == 0)
        return FALSE;
      for (guint j = 0; j < m->partitions->len; j++)
        {
          gint32 p = g_array_index (m->partitions, gint32, j);

          if (p < 0 || p >= PARTITIONS)
            return FALSE;
          owners[p]++;
        }
    }
  for (guint p = 0; p < PARTITIONS; p++)
    if (owners[p] != 1)
      return FALSE;
  return TRUE;
}

static void
log_watch (Co2sGroupWatch *watch)
{
  g_autofree char *summary = co2s_group_watch_dup_summary (watch);

  g_test_message ("the watch says: %s", summary != NULL ? summary : "(nothing yet)");
}

/* Two trainers ("co2stream-trainer-a", "-b") of one group share a topic of
 * 4 partitions: the watch names both, with their hosts, and the partitions
 * they own together are 0..3, each once, in ascending order per trainer.
 * One leaves: the watch names the other alone, with all 4. */
static void
test_two_then_one (void)
{
  const char *brokers = co2s_test_kafka_brokers ();
  g_autofree char *topic = co2s_test_unique_topic ("group-watch");
  g_autofree char *group = co2s_test_unique_topic ("group-watch-group");
  g_autoptr(Co2sGroupWatch) watch = NULL;
  g_autoptr(GError) error = NULL;
  const char * const both[] = { "a", "b", NULL };
  const char * const only_a[] = { "a", NULL };
  Expect e = { 0 };
  Member *a, *b;

  g_assert_true (co2s_test_kafka_create_topic (brokers, topic, PARTITIONS, &error));
  g_assert_no_error (error);

  watch = co2s_group_watch_new (brokers, group);
  g_object_set (watch, "topic", topic, "interval-ms", 200, NULL);
  g_assert_cmpstr (co2s_group_watch_get_group (watch), ==, group);
  e.watch = watch;
  e.main_thread = g_thread_self ();
  g_signal_connect (watch, "changed", G_CALLBACK (changed_cb), &e);

  /* No member yet: an answer with none (the group does not exist yet). */
  co2s_group_watch_start (watch);
  g_assert_true (co2s_group_watch_get_running (watch));
  e.names = (const char * const[]) { NULL };
  co2s_test_assert_wait (reports, &e, WAIT_MS);
  log_watch (watch);
  g_assert_null (co2s_group_watch_get_last_error (watch));
  {
    g_autofree char *summary = co2s_group_watch_dup_summary (watch);

    g_assert_nonnull (strstr (summary, group));
  }

  a = member_start (brokers, group, topic, "co2stream-trainer-a");
  b = member_start (brokers, group, topic, "co2stream-trainer-b");
  e.names = both;
  co2s_test_assert_wait (reports, &e, WAIT_MS);
  log_watch (watch);
  g_assert_cmpuint (e.changes, >=, 2);
  for (guint i = 0; i < 2; i++)
    {
      const Co2sGroupMember *m = co2s_group_watch_get_member (watch, i);
      g_autofree char *client_id = g_strdup_printf ("co2stream-trainer-%s", both[i]);

      g_assert_cmpstr (m->client_id, ==, client_id);
      g_assert_cmpstr (m->host, !=, "");
      g_assert_cmpuint (m->partitions->len, >=, 1);
      for (guint j = 1; j < m->partitions->len; j++)
        g_assert_cmpint (g_array_index (m->partitions, gint32, j - 1), <, g_array_index (m->partitions, gint32, j));
    }
  {
    g_autofree char *summary = co2s_group_watch_dup_summary (watch);
    g_autofree char *pa = co2s_group_member_dup_partitions_text (co2s_group_watch_get_member (watch, 0));
    g_autofree char *pb = co2s_group_member_dup_partitions_text (co2s_group_watch_get_member (watch, 1));
    g_autofree char *expected = g_strdup_printf ("2 trainers: a (%s), b (%s)", pa, pb);

    g_assert_cmpstr (summary, ==, expected);
  }

  member_stop (b);
  g_test_message ("b has left the group");
  e.names = only_a;
  co2s_test_assert_wait (reports, &e, WAIT_MS);
  log_watch (watch);
  g_assert_cmpuint (co2s_group_watch_get_member (watch, 0)->partitions->len, ==, PARTITIONS);

  /* Stopped: the members are forgotten at once. */
  co2s_group_watch_stop (watch);
  g_assert_false (co2s_group_watch_get_running (watch));
  g_assert_false (co2s_group_watch_get_answered (watch));
  g_assert_cmpuint (co2s_group_watch_get_n_members (watch), ==, 0);
  g_assert_null (co2s_group_watch_dup_summary (watch));
  member_stop (a);
}

static gboolean
has_error (gpointer data)
{
  return co2s_group_watch_get_last_error (CO2S_GROUP_WATCH (data)) != NULL;
}

/* Nothing listens: the watch says so, naming the address and the group,
 * without blocking the main loop, and keeps asking. */
static void
test_unreachable (void)
{
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autoptr(Co2sGroupWatch) watch = co2s_group_watch_new (brokers, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *summary = NULL;
  gint64 start;

  g_object_set (watch, "timeout-ms", 1000, "interval-ms", 100, NULL);
  g_assert_cmpstr (co2s_group_watch_get_group (watch), ==, "co2stream-trainer");

  start = g_get_monotonic_time ();
  co2s_group_watch_start (watch);
  /* start returns at once: the question is on a worker thread. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * G_TIME_SPAN_MILLISECOND);
  co2s_test_assert_wait (has_error, watch, 10000);
  g_test_message ("%s", co2s_group_watch_get_last_error (watch));
  g_assert_nonnull (strstr (co2s_group_watch_get_last_error (watch), brokers));
  g_assert_nonnull (strstr (co2s_group_watch_get_last_error (watch), "co2stream-trainer"));
  g_assert_false (co2s_group_watch_get_answered (watch));
  g_assert_cmpuint (co2s_group_watch_get_n_members (watch), ==, 0);
  summary = co2s_group_watch_dup_summary (watch);
  g_assert_cmpstr (summary, ==, co2s_group_watch_get_last_error (watch));

  /* The blocking form says the same within its deadline. */
  start = g_get_monotonic_time ();
  members = co2s_group_describe (brokers, NULL, "co2stream-trainer", "streaming_data", 1000, NULL, &error);
  g_assert_null (members);
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);

  /* A refused property is a configuration error, before any question. */
  g_clear_error (&error);
  members = co2s_group_describe (brokers, (const char * const[]) { "no.such.property=1", NULL },
                                 "co2stream-trainer", "streaming_data", 1000, NULL, &error);
  g_assert_null (members);
  g_assert_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no.such.property"));

  co2s_group_watch_stop (watch);
  g_assert_null (co2s_group_watch_get_last_error (watch));
}

/* The trainer names shown for each client.id. */
static void
test_names (void)
{
  static const char * const cases[][2] = {
    { "co2stream-trainer", "trainer" },
    { "co2stream-trainer-t1", "t1" },
    { "co2stream-trainer-", "co2stream-trainer-" },
    { "rdkafka", "rdkafka" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = co2s_group_member_name_from_client_id (cases[i][0]);

      g_assert_cmpstr (name, ==, cases[i][1]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/group-watch/names", test_names);
  g_test_add_func ("/group-watch/unreachable", test_unreachable);
  g_test_add_func ("/group-watch/two-then-one", test_two_then_one);

  return g_test_run ();
}
