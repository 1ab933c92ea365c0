/* co2s-group-watch.c — Co2sGroupWatch: the trainer group asked again and
 * again on a worker thread (see co2s-group-watch.h); the question itself
 * is co2s_group_describe (co2s-group-describe.c). */
#define G_LOG_DOMAIN "co2s-group-watch"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-group-watch.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "co2s-contracts.h"

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

/* Drops the timer of the next question and the question on its way. */
static void
cancel_pending (Co2sGroupWatch *self)
{
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
}

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
  cancel_pending (self);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  update (self, NULL, FALSE, NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

void
co2s_group_watch_set_group (Co2sGroupWatch *self,
                            const char *group)
{
  g_return_if_fail (CO2S_IS_GROUP_WATCH (self));

  if (group == NULL)
    group = CO2S_TRAINER_GROUP;
  if (g_strcmp0 (self->group, group) == 0)
    return;
  g_free (self->group);
  self->group = g_strdup (group);

  if (self->running)
    {
      /* The other group's answer, on its way or kept, is not this one's. */
      cancel_pending (self);
      g_object_freeze_notify (G_OBJECT (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP]);
      update (self, NULL, FALSE, NULL);
      g_object_thaw_notify (G_OBJECT (self));
      ask (self);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP]);
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
      co2s_group_watch_set_group (self, g_value_get_string (value));
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
  properties[PROP_GROUP] = g_param_spec_string ("group", NULL, NULL, CO2S_TRAINER_GROUP, rw | G_PARAM_CONSTRUCT);
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
