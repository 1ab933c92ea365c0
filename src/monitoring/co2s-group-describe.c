/* co2s-group-describe.c — the trainer group's members and their
 * partitions, asked of Kafka once (co2s_group_describe, blocking; see
 * co2s-group-watch.h). Co2sGroupWatch (co2s-group-watch.c) asks it on a
 * worker thread again and again. */
#define G_LOG_DOMAIN "co2s-group-watch"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-group-watch.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"

/* The client.id prefix of a scale-out trainer's consumer ("co2stream-trainer-ID"). */
#define TRAINER_CLIENT_PREFIX CO2S_TRAINER_GROUP "-"

/* Pause before asking a coordinator that was loading again. */
#define RETRY_MS 100

/* ---- members --------------------------------------------------------------- */

void
co2s_group_member_free (Co2sGroupMember *member)
{
  if (member == NULL)
    return;
  g_free (member->name);
  g_free (member->client_id);
  g_free (member->host);
  g_clear_pointer (&member->partitions, g_array_unref);
  g_free (member);
}

char *
co2s_group_member_name_from_client_id (const char *client_id)
{
  g_return_val_if_fail (client_id != NULL, NULL);

  if (strcmp (client_id, CO2S_TRAINER_GROUP) == 0)
    return g_strdup ("trainer");
  if (g_str_has_prefix (client_id, TRAINER_CLIENT_PREFIX) && client_id[strlen (TRAINER_CLIENT_PREFIX)] != '\0')
    return g_strdup (client_id + strlen (TRAINER_CLIENT_PREFIX));
  return g_strdup (client_id);
}

char *
co2s_group_member_dup_partitions_text (const Co2sGroupMember *member)
{
  GString *text;

  g_return_val_if_fail (member != NULL, NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < member->partitions->len; i++)
    g_string_append_printf (text, i == 0 ? "%d" : ", %d", g_array_index (member->partitions, gint32, i));
  return g_string_free (text, FALSE);
}

static int
compare_gint32 (gconstpointer a,
                gconstpointer b)
{
  gint32 x = *(const gint32 *) a;
  gint32 y = *(const gint32 *) b;

  return (x > y) - (x < y);
}

static int
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const Co2sGroupMember *x = *(Co2sGroupMember * const *) a;
  const Co2sGroupMember *y = *(Co2sGroupMember * const *) b;
  int by_name = strcmp (x->name, y->name);

  return by_name != 0 ? by_name : strcmp (x->client_id, y->client_id);
}

static Co2sGroupMember *
member_new (const rd_kafka_MemberDescription_t *desc,
            const char *topic)
{
  Co2sGroupMember *member = g_new0 (Co2sGroupMember, 1);
  const rd_kafka_MemberAssignment_t *assignment = rd_kafka_MemberDescription_assignment (desc);
  const rd_kafka_topic_partition_list_t *parts =
    assignment != NULL ? rd_kafka_MemberAssignment_partitions (assignment) : NULL;
  const char *client_id = rd_kafka_MemberDescription_client_id (desc);
  const char *host = rd_kafka_MemberDescription_host (desc);

  member->client_id = g_strdup (client_id != NULL ? client_id : "");
  member->name = co2s_group_member_name_from_client_id (member->client_id);
  member->host = g_strdup (host != NULL ? host : "");
  member->partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (int i = 0; parts != NULL && i < parts->cnt; i++)
    if (g_strcmp0 (parts->elems[i].topic, topic) == 0)
      g_array_append_val (member->partitions, parts->elems[i].partition);
  g_array_sort (member->partitions, compare_gint32);
  return member;
}

/* ---- one question, blocking ------------------------------------------------ */

/* librdkafka's own lines ("1/1 brokers are down") go to g_debug: the
 * caller says what failed, once, in its own words. Any thread. */
static void
kafka_log_cb (const rd_kafka_t *rk,
              int level,
              const char *facility,
              const char *message)
{
  g_debug ("%s: %d %s: %s", rd_kafka_name (rk), level, facility, message);
}

static void
set_describe_error (GError **error,
                    const char *brokers,
                    const char *group,
                    rd_kafka_resp_err_t err,
                    const char *detail)
{
  if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION)
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                 /* Translators: %s: broker address, %s: consumer group, %s: librdkafka's reason */
                 _("Kafka at %s cannot describe consumer group “%s” (%s): this broker does not tell "
                   "which trainers run"),
                 brokers, group, detail);
  else
    g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                 /* Translators: %s: broker address, %s: consumer group, %s: librdkafka's reason */
                 _("Kafka at %s did not describe consumer group “%s” (%s): check that the broker "
                   "runs and that its address and properties (-X) are right"),
                 brokers, group, detail);
}

/* Errors of a group whose coordinator is moving or still loading: asked
 * again within the deadline. */
static gboolean
is_transient (const rd_kafka_error_t *gerr)
{
  switch (rd_kafka_error_code (gerr))
    {
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
      return TRUE;
    default:
      return rd_kafka_error_is_retriable (gerr);
    }
}

/* The members in @desc, or NULL with @error; *@transient says whether
 * asking again may help. */
static GPtrArray *
read_group (const rd_kafka_ConsumerGroupDescription_t *desc,
            const char *brokers,
            const char *group,
            const char *topic,
            gboolean *rebalancing,
            gboolean *transient,
            GError **error)
{
  const rd_kafka_error_t *gerr = rd_kafka_ConsumerGroupDescription_error (desc);
  rd_kafka_consumer_group_state_t state;
  g_autoptr(GPtrArray) members = NULL;
  size_t n;

  *transient = FALSE;
  if (gerr != NULL)
    {
      rd_kafka_resp_err_t code = rd_kafka_error_code (gerr);

      /* A group that never existed, or whose last member left long ago. */
      if (code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
        return g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_group_member_free);
      *transient = is_transient (gerr);
      set_describe_error (error, brokers, group, code, rd_kafka_error_string (gerr));
      return NULL;
    }

  state = rd_kafka_ConsumerGroupDescription_state (desc);
  if (rebalancing != NULL)
    *rebalancing = state == RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE
                   || state == RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE;

  n = rd_kafka_ConsumerGroupDescription_member_count (desc);
  members = g_ptr_array_new_full (n, (GDestroyNotify) co2s_group_member_free);
  for (size_t i = 0; i < n; i++)
    g_ptr_array_add (members, member_new (rd_kafka_ConsumerGroupDescription_member (desc, i), topic));
  g_ptr_array_sort (members, compare_members);
  return g_steal_pointer (&members);
}

/* One DescribeConsumerGroups request on @rk, answered on @queue within
 * @timeout_ms (+ 1 s of safety net). */
static GPtrArray *
describe_once (rd_kafka_t *rk,
               rd_kafka_queue_t *queue,
               const char *brokers,
               const char *group,
               const char *topic,
               int timeout_ms,
               gboolean *rebalancing,
               gboolean *transient,
               GError **error)
{
  char errstr[512];
  rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new (rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  rd_kafka_event_t *event = NULL;
  GPtrArray *members = NULL;

  *transient = FALSE;
  if (rd_kafka_AdminOptions_set_request_timeout (options, timeout_ms, errstr, sizeof errstr)
      != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_CONFIG, "request timeout: %s", errstr);
      rd_kafka_AdminOptions_destroy (options);
      return NULL;
    }

  rd_kafka_DescribeConsumerGroups (rk, &group, 1, options, queue);
  /* The request's own deadline ends it first; this one is a safety net. */
  event = rd_kafka_queue_poll (queue, timeout_ms > G_MAXINT - 1000 ? G_MAXINT : timeout_ms + 1000);
  if (event == NULL)
    {
      set_describe_error (error, brokers, group, RD_KAFKA_RESP_ERR__TIMED_OUT,
                          rd_kafka_err2str (RD_KAFKA_RESP_ERR__TIMED_OUT));
    }
  else if (rd_kafka_event_error (event) != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      set_describe_error (error, brokers, group, rd_kafka_event_error (event),
                          rd_kafka_event_error_string (event));
    }
  else
    {
      const rd_kafka_DescribeConsumerGroups_result_t *result = rd_kafka_event_DescribeConsumerGroups_result (event);
      const rd_kafka_ConsumerGroupDescription_t **groups = NULL;
      size_t n = 0;

      if (result != NULL)
        groups = rd_kafka_DescribeConsumerGroups_result_groups (result, &n);
      if (n != 1)
        set_describe_error (error, brokers, group, RD_KAFKA_RESP_ERR__BAD_MSG, "no description in the answer");
      else
        members = read_group (groups[0], brokers, group, topic, rebalancing, transient, error);
    }

  g_clear_pointer (&event, rd_kafka_event_destroy);
  rd_kafka_AdminOptions_destroy (options);
  return members;
}

GPtrArray *
co2s_group_describe (const char *brokers,
                     const char * const *overrides,
                     const char *group,
                     const char *topic,
                     guint timeout_ms,
                     gboolean *rebalancing,
                     GError **error)
{
  static const char * const defaults[] = {
    "client.id", "co2stream-app-group-watch",
    /* A broker that takes no connection fails the question early. */
    "socket.connection.setup.timeout.ms", "3000",
    NULL,
  };
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk = NULL;
  rd_kafka_queue_t *queue = NULL;
  GPtrArray *members = NULL;

  g_return_val_if_fail (brokers != NULL, NULL);
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (timeout_ms > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (rebalancing != NULL)
    *rebalancing = FALSE;

  conf = co2s_kafka_conf_new (brokers, NULL, error);
  if (conf == NULL)
    return NULL;
  for (guint i = 0; defaults[i] != NULL; i += 2)
    {
      gboolean set = co2s_kafka_conf_set (conf, defaults[i], defaults[i + 1], NULL);

      g_assert (set);
    }
  if (!co2s_kafka_conf_apply_overrides (conf, overrides, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  rd_kafka_conf_set_log_cb (conf, kafka_log_cb);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }

  queue = rd_kafka_queue_new (rk);
  /* A coordinator that is loading or moving answers again a moment later. */
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      gboolean transient = FALSE;

      members = describe_once (rk, queue, brokers, group, topic, (int) CLAMP (left_ms, 1, G_MAXINT - 1000),
                               rebalancing, &transient, &local);
      if (members != NULL || !transient || left_ms < 2 * RETRY_MS)
        {
          if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
          break;
        }
      g_debug ("%s; asking again", local->message);
      g_usleep (RETRY_MS * G_TIME_SPAN_MILLISECOND);
    }

  rd_kafka_queue_destroy (queue);
  rd_kafka_destroy (rk);
  return members;
}

