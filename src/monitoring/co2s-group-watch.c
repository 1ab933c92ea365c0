/* co2s-group-watch.c — which trainers run and which partitions each owns
 * (see co2s-group-watch.h). */
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

static gboolean
members_equal (GPtrArray *a,
               GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const Co2sGroupMember *x = g_ptr_array_index (a, i);
      const Co2sGroupMember *y = g_ptr_array_index (b, i);

      if (strcmp (x->client_id, y->client_id) != 0 || strcmp (x->host, y->host) != 0
          || x->partitions->len != y->partitions->len
          || memcmp (x->partitions->data, y->partitions->data, x->partitions->len * sizeof (gint32)) != 0)
        return FALSE;
    }
  return TRUE;
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
    /* One question: no retries beyond the request's own deadline. */
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

/* ---- the watch --------------------------------------------------------------- */

struct _Co2sGroupWatch
{
  GObject parent_instance;

  char *brokers;
  char *group;
  char *topic;
  char **overrides;
  guint interval_ms;
  guint timeout_ms;

  GMainContext *context;      /* where answers arrive, from start on */
  GCancellable *cancellable;  /* of the question under way; NULL when none */
  GSource *timer;             /* the next question; NULL when none */

  gboolean running;
  gboolean answered;
  gboolean rebalancing;
  GPtrArray *members;         /* Co2sGroupMember; NULL until answered */
  char *last_error;
};

G_DEFINE_FINAL_TYPE (Co2sGroupWatch, co2s_group_watch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BROKERS,
  PROP_GROUP,
  PROP_TOPIC,
  PROP_OVERRIDES,
  PROP_INTERVAL_MS,
  PROP_TIMEOUT_MS,
  PROP_RUNNING,
  PROP_ANSWERED,
  PROP_N_MEMBERS,
  PROP_REBALANCING,
  PROP_LAST_ERROR,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What a question needs, copied for its thread. */
typedef struct {
  char *brokers;
  char **overrides;
  char *group;
  char *topic;
  guint timeout_ms;
} Question;

typedef struct {
  GPtrArray *members;
  gboolean rebalancing;
} Answer;

static void
question_free (Question *question)
{
  g_free (question->brokers);
  g_strfreev (question->overrides);
  g_free (question->group);
  g_free (question->topic);
  g_free (question);
}

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->members, g_ptr_array_unref);
  g_free (answer);
}

static void
ask_thread (GTask *task,
            gpointer source_object,
            gpointer task_data,
            GCancellable *cancellable)
{
  const Question *q = task_data;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_new0 (Answer, 1);

  answer->members = co2s_group_describe (q->brokers, (const char * const *) q->overrides, q->group,
                                         q->topic, q->timeout_ms, &answer->rebalancing, &error);
  if (answer->members == NULL)
    {
      answer_free (answer);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

static void ask (Co2sGroupWatch *self);

static gboolean
timer_cb (gpointer user_data)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (user_data);

  g_clear_pointer (&self->timer, g_source_unref);
  ask (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (Co2sGroupWatch *self)
{
  g_assert (self->timer == NULL);

  self->timer = g_timeout_source_new (self->interval_ms);
  g_source_set_static_name (self->timer, "co2s-group-watch");
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

/* Applies an answer (@members not NULL) or a failure (@error not NULL),
 * then notifies what changed and emits "changed" once. */
static void
update (Co2sGroupWatch *self,
        GPtrArray *members,
        gboolean rebalancing,
        const char *error)
{
  guint old_n = self->members != NULL ? self->members->len : 0;
  gboolean was_answered = self->answered;
  gboolean was_rebalancing = self->rebalancing;
  gboolean same_members = members_equal (self->members, members);
  gboolean same_error = g_strcmp0 (self->last_error, error) == 0;
  guint n = members != NULL ? members->len : 0;

  if (same_members && same_error && was_rebalancing == rebalancing && was_answered == (members != NULL))
    {
      g_clear_pointer (&members, g_ptr_array_unref);
      return;
    }

  g_clear_pointer (&self->members, g_ptr_array_unref);
  self->members = members;
  self->answered = members != NULL;
  self->rebalancing = rebalancing;
  g_free (self->last_error);
  self->last_error = g_strdup (error);

  g_object_freeze_notify (G_OBJECT (self));
  if (was_answered != self->answered)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWERED]);
  if (old_n != n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MEMBERS]);
  if (was_rebalancing != rebalancing)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REBALANCING]);
  if (!same_error)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
ask_done_cb (GObject *source,
             GAsyncResult *result,
             gpointer user_data)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (source);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Answer *answer;

  /* A stopped watch (or one stopped and started again) drops it. */
  if (g_cancellable_is_cancelled (cancellable) || cancellable != self->cancellable)
    return;
  g_clear_object (&self->cancellable);

  answer = g_task_propagate_pointer (G_TASK (result), &error);
  if (answer != NULL)
    {
      update (self, g_steal_pointer (&answer->members), answer->rebalancing, NULL);
      answer_free (answer);
    }
  else
    {
      g_debug ("%s", error->message);
      update (self, NULL, FALSE, error->message);
    }

  if (self->running)
    schedule (self);
}

static void
ask (Co2sGroupWatch *self)
{
  g_autoptr(GTask) task = NULL;
  Question *q = g_new0 (Question, 1);

  g_assert (self->running);
  g_assert (self->cancellable == NULL);

  q->brokers = g_strdup (self->brokers);
  q->overrides = g_strdupv (self->overrides);
  q->group = g_strdup (self->group);
  q->topic = g_strdup (self->topic);
  q->timeout_ms = self->timeout_ms;

  self->cancellable = g_cancellable_new ();
  /* The task (a reference on the watch) belongs to the main context the
   * watch was started on: g_task_new takes the thread-default one. */
  g_main_context_push_thread_default (self->context);
  task = g_task_new (self, self->cancellable, ask_done_cb, NULL);
  g_main_context_pop_thread_default (self->context);
  g_task_set_source_tag (task, ask);
  g_task_set_name (task, "co2s_group_watch ask");
  /* The answer comes even after a stop: the callback drops it. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, q, (GDestroyNotify) question_free);
  g_task_run_in_thread (task, ask_thread);
}

void
co2s_group_watch_start (Co2sGroupWatch *self)
{
  g_return_if_fail (CO2S_IS_GROUP_WATCH (self));

  if (self->running)
    return;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  ask (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
co2s_group_watch_stop (Co2sGroupWatch *self)
{
  g_return_if_fail (CO2S_IS_GROUP_WATCH (self));

  if (!self->running)
    return;

  self->running = FALSE;
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  update (self, NULL, FALSE, NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- accessors ------------------------------------------------------------- */

gboolean
co2s_group_watch_get_running (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), FALSE);
  return self->running;
}

gboolean
co2s_group_watch_get_answered (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), FALSE);
  return self->answered;
}

guint
co2s_group_watch_get_n_members (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), 0);
  return self->members != NULL ? self->members->len : 0;
}

gboolean
co2s_group_watch_get_rebalancing (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), FALSE);
  return self->rebalancing;
}

const char *
co2s_group_watch_get_last_error (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), NULL);
  return self->last_error;
}

const char *
co2s_group_watch_get_group (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), NULL);
  return self->group;
}

const char *
co2s_group_watch_get_brokers (Co2sGroupWatch *self)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), NULL);
  return self->brokers;
}

const Co2sGroupMember *
co2s_group_watch_get_member (Co2sGroupWatch *self,
                             guint index)
{
  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), NULL);
  g_return_val_if_fail (self->members != NULL && index < self->members->len, NULL);

  return g_ptr_array_index (self->members, index);
}

char *
co2s_group_watch_dup_summary (Co2sGroupWatch *self)
{
  g_autoptr(GString) text = NULL;

  g_return_val_if_fail (CO2S_IS_GROUP_WATCH (self), NULL);

  if (self->last_error != NULL)
    return g_strdup (self->last_error);
  if (!self->answered)
    return NULL;

  if (self->members->len == 0)
    /* Translators: %s is a Kafka consumer group, e.g. co2stream-trainer */
    return g_strdup_printf (_("No trainer in group “%s”"), self->group);

  text = g_string_new (NULL);
  /* Translators: how many trainers run; the list of them follows */
  g_string_append_printf (text, ngettext ("%u trainer:", "%u trainers:", self->members->len),
                          self->members->len);
  for (guint i = 0; i < self->members->len; i++)
    {
      const Co2sGroupMember *m = g_ptr_array_index (self->members, i);
      g_autofree char *parts = co2s_group_member_dup_partitions_text (m);

      g_string_append (text, i == 0 ? " " : ", ");
      if (m->partitions->len == 0)
        /* Translators: a trainer that owns no partition, e.g. "t3 (none)" */
        g_string_append_printf (text, _("%s (none)"), m->name);
      else
        /* Translators: a trainer and its partitions, e.g. "t1 (0, 1)" */
        g_string_append_printf (text, _("%s (%s)"), m->name, parts);
    }
  if (self->rebalancing)
    /* Translators: appended to the list of trainers while Kafka moves partitions between them */
    g_string_append (text, _(" — rebalancing"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- GObject --------------------------------------------------------------- */

static void
co2s_group_watch_dispose (GObject *object)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (object);

  co2s_group_watch_stop (self);

  G_OBJECT_CLASS (co2s_group_watch_parent_class)->dispose (object);
}

static void
co2s_group_watch_finalize (GObject *object)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (object);

  g_free (self->brokers);
  g_free (self->group);
  g_free (self->topic);
  g_strfreev (self->overrides);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_free (self->last_error);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (co2s_group_watch_parent_class)->finalize (object);
}

static void
co2s_group_watch_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (object);

  switch (prop_id)
    {
    case PROP_BROKERS:     g_value_set_string (value, self->brokers); break;
    case PROP_GROUP:       g_value_set_string (value, self->group); break;
    case PROP_TOPIC:       g_value_set_string (value, self->topic); break;
    case PROP_OVERRIDES:   g_value_set_boxed (value, self->overrides); break;
    case PROP_INTERVAL_MS: g_value_set_uint (value, self->interval_ms); break;
    case PROP_TIMEOUT_MS:  g_value_set_uint (value, self->timeout_ms); break;
    case PROP_RUNNING:     g_value_set_boolean (value, self->running); break;
    case PROP_ANSWERED:    g_value_set_boolean (value, self->answered); break;
    case PROP_N_MEMBERS:   g_value_set_uint (value, co2s_group_watch_get_n_members (self)); break;
    case PROP_REBALANCING: g_value_set_boolean (value, self->rebalancing); break;
    case PROP_LAST_ERROR:  g_value_set_string (value, self->last_error); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_group_watch_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  Co2sGroupWatch *self = CO2S_GROUP_WATCH (object);

  switch (prop_id)
    {
    case PROP_BROKERS:
      g_free (self->brokers);
      self->brokers = g_value_dup_string (value);
      return;
    case PROP_GROUP:
      g_free (self->group);
      self->group = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value)
                                                                 : CO2S_TRAINER_GROUP);
      return;
    case PROP_TOPIC:
      g_free (self->topic);
      self->topic = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value)
                                                                 : CO2S_TOPIC_DATA);
      break;
    case PROP_OVERRIDES:
      g_strfreev (self->overrides);
      self->overrides = g_value_dup_boxed (value);
      break;
    case PROP_INTERVAL_MS:
      self->interval_ms = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT_MS:
      self->timeout_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
co2s_group_watch_class_init (Co2sGroupWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = co2s_group_watch_dispose;
  object_class->finalize = co2s_group_watch_finalize;
  object_class->get_property = co2s_group_watch_get_property;
  object_class->set_property = co2s_group_watch_set_property;

  properties[PROP_BROKERS] = g_param_spec_string ("brokers", NULL, NULL, NULL, co);
  properties[PROP_GROUP] = g_param_spec_string ("group", NULL, NULL, CO2S_TRAINER_GROUP, co);
  properties[PROP_TOPIC] =
    g_param_spec_string ("topic", NULL, NULL, CO2S_TOPIC_DATA, rw | G_PARAM_CONSTRUCT);
  properties[PROP_OVERRIDES] = g_param_spec_boxed ("overrides", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL, 1, G_MAXINT, 3000, rw | G_PARAM_CONSTRUCT);
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL, 1, G_MAXINT, 5000, rw | G_PARAM_CONSTRUCT);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_ANSWERED] = g_param_spec_boolean ("answered", NULL, NULL, FALSE, ro);
  properties[PROP_N_MEMBERS] = g_param_spec_uint ("n-members", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REBALANCING] = g_param_spec_boolean ("rebalancing", NULL, NULL, FALSE, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
co2s_group_watch_init (Co2sGroupWatch *self)
{
  self->group = g_strdup (CO2S_TRAINER_GROUP);
  self->topic = g_strdup (CO2S_TOPIC_DATA);
  self->interval_ms = 3000;
  self->timeout_ms = 5000;
}

Co2sGroupWatch *
co2s_group_watch_new (const char *brokers,
                      const char *group)
{
  g_return_val_if_fail (brokers != NULL, NULL);

  return g_object_new (CO2S_TYPE_GROUP_WATCH,
                       "brokers", brokers,
                       "group", group != NULL ? group : CO2S_TRAINER_GROUP,
                       NULL);
}
