/* co2s-metrics-follower.c — follow topic streaming_metrics on a thread. */
#define G_LOG_DOMAIN "co2s-metrics-follower"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-follower-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"

struct _Co2sMetricsFollower
{
  GObject parent_instance;

  char *brokers;
  char *topic;
  char *group_id;
  gboolean own_group_id;      /* the default: renewed by each start */
  gboolean group_id_used;     /* a consumer has joined group_id */
  char *offset_reset;
  char **overrides;
  Co2sMetricsHistory *history;

  Co2sFollowerShared *shared;
  GThread *thread;

  /* Main-context copies of the shared state, for properties. */
  Co2sBrokerState state;
  gboolean assigned;
  gint64 lag;
  guint64 received;
  guint64 bad;
  char *last_error;
};

G_DEFINE_FINAL_TYPE (Co2sMetricsFollower, co2s_metrics_follower, G_TYPE_OBJECT)

/* An asynchronous stop under way; main context only. */
typedef struct {
  GTask *task;                /* holds the follower */
  GThread *thread;            /* the worker, joined once it has ended */
  GSource *cancel_source;     /* NULL without a cancellable */
  gboolean returned;
} Stopping;

enum {
  PROP_0,
  PROP_BROKERS,
  PROP_TOPIC,
  PROP_GROUP_ID,
  PROP_OFFSET_RESET,
  PROP_OVERRIDES,
  PROP_HISTORY,
  PROP_RUNNING,
  PROP_BROKER_STATE,
  PROP_REACHABLE,
  PROP_ASSIGNED,
  PROP_LAG,
  PROP_RECEIVED,
  PROP_BAD_MESSAGES,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  BATCHES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GType
co2s_broker_state_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { CO2S_BROKER_STATE_UNKNOWN, "CO2S_BROKER_STATE_UNKNOWN", "unknown" },
        { CO2S_BROKER_STATE_REACHABLE, "CO2S_BROKER_STATE_REACHABLE", "reachable" },
        { CO2S_BROKER_STATE_UNREACHABLE, "CO2S_BROKER_STATE_UNREACHABLE", "unreachable" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("Co2sBrokerState"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

/* ---- main-context side ------------------------------------------------------ */

static void
set_state (Co2sMetricsFollower *self, Co2sBrokerState state)
{
  gboolean was_reachable = self->state == CO2S_BROKER_STATE_REACHABLE;

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROKER_STATE]);
  if (was_reachable != (state == CO2S_BROKER_STATE_REACHABLE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHABLE]);
}

/* Main context: applies what the worker recorded. */
static void
apply_shared (Co2sMetricsFollower *self, Co2sFollowerShared *shared)
{
  g_autoptr(GArray) batches = NULL;
  g_autofree char *last_error = NULL;
  Co2sBrokerState state;
  gboolean assigned;
  gint64 lag;
  guint64 bad;

  g_mutex_lock (&shared->mutex);
  batches = shared->pending;
  shared->pending = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  state = shared->state;
  assigned = shared->assigned;
  lag = shared->lag;
  bad = shared->bad;
  last_error = g_strdup (shared->last_error);
  shared->dispatch_queued = FALSE;
  g_mutex_unlock (&shared->mutex);

  g_object_freeze_notify (G_OBJECT (self));

  set_state (self, state);
  if (self->assigned != assigned)
    {
      self->assigned = assigned;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNED]);
    }
  if (self->lag != lag)
    {
      self->lag = lag;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG]);
    }
  if (self->bad != bad)
    {
      self->bad = bad;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAD_MESSAGES]);
    }
  if (g_strcmp0 (self->last_error, last_error) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_steal_pointer (&last_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }

  if (batches->len > 0)
    {
      /* Keep the follower alive through handlers that might drop it. */
      g_autoptr(Co2sMetricsFollower) hold = g_object_ref (self);

      self->received += batches->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
      g_signal_emit (self, signals[BATCHES], 0, batches->data, batches->len);
      if (self->history != NULL)
        co2s_metrics_history_append_many (self->history,
                                          (const Co2sBatchMetrics *) (gpointer) batches->data,
                                          batches->len);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
dispatch (gpointer data)
{
  Co2sFollowerShared *shared = data;

  /* shared->follower is only written on this context, so no lock. */
  if (shared->follower != NULL)
    apply_shared (shared->follower, shared);
  else
    {
      g_mutex_lock (&shared->mutex);
      shared->dispatch_queued = FALSE;
      g_mutex_unlock (&shared->mutex);
    }
  return G_SOURCE_REMOVE;
}

static char *
new_group_id (void)
{
  return g_strdup_printf ("co2stream-viewer-%d-%08x", (int) getpid (), g_random_int ());
}

/* Main context: tells the worker to finish and takes its thread (to join)
 * and handoff from @self, which no longer counts as running. @on_exit
 * (NULL, or a new source: taken) is attached to @context by the worker once
 * it has closed the consumer, as its last act. */
static GThread *
signal_stop (Co2sMetricsFollower *self,
             GSource *on_exit,
             GMainContext *context,
             Co2sFollowerShared **shared)
{
  g_assert (self->thread != NULL);

  *shared = g_steal_pointer (&self->shared);
  /* Written before the (barrier) store of stop; the worker reads them only
   * after it has seen stop. */
  (*shared)->exit_source = on_exit;
  (*shared)->exit_context = context != NULL ? g_main_context_ref (context) : NULL;
  g_atomic_int_set (&(*shared)->stop, 1);
  return g_steal_pointer (&self->thread);
}

/* Main context: delivers what the worker handed off so far, then detaches
 * from it (a dispatch still queued, or queued later by a worker that has
 * not finished yet, finds no follower and does nothing) and resets the
 * live state. Takes @shared. */
static void
detach_worker (Co2sMetricsFollower *self, Co2sFollowerShared *shared)
{
  apply_shared (self, shared);
  shared->follower = NULL;
  _co2s_follower_shared_unref (shared);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->assigned)
    {
      self->assigned = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNED]);
    }
  if (self->lag != -1)
    {
      self->lag = -1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG]);
    }
  set_state (self, CO2S_BROKER_STATE_UNKNOWN);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
stopping_free (gpointer data)
{
  Stopping *stopping = data;

  if (stopping->cancel_source != NULL)
    {
      g_source_destroy (stopping->cancel_source);
      g_source_unref (stopping->cancel_source);
    }
  if (stopping->thread != NULL)
    g_thread_unref (stopping->thread);  /* never joined: the context went away */
  /* Possibly the last reference to the follower: dropped here, on the
   * main context, never on a worker thread. */
  g_object_unref (stopping->task);
  g_free (stopping);
}

/* Main context, attached by the worker as it ends: the consumer has left
 * its group. */
static gboolean
worker_ended (gpointer data)
{
  Stopping *stopping = data;

  /* At once: the thread has nothing left to do but return. */
  g_thread_join (g_steal_pointer (&stopping->thread));
  if (!stopping->returned)
    {
      stopping->returned = TRUE;
      g_task_return_boolean (stopping->task, TRUE);
    }
  return G_SOURCE_REMOVE;
}

/* Main context: the stop's cancellable was cancelled; the worker still
 * ends (and is joined) in the background. */
static gboolean
stop_cancelled (GCancellable *cancellable, gpointer data)
{
  Stopping *stopping = data;

  if (!stopping->returned)
    {
      stopping->returned = TRUE;
      g_task_return_error_if_cancelled (stopping->task);
    }
  return G_SOURCE_REMOVE;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static void
co2s_metrics_follower_dispose (GObject *object)
{
  Co2sMetricsFollower *self = CO2S_METRICS_FOLLOWER (object);

  co2s_metrics_follower_stop (self);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (co2s_metrics_follower_parent_class)->dispose (object);
}

static void
co2s_metrics_follower_finalize (GObject *object)
{
  Co2sMetricsFollower *self = CO2S_METRICS_FOLLOWER (object);

  g_free (self->brokers);
  g_free (self->topic);
  g_free (self->group_id);
  g_free (self->offset_reset);
  g_strfreev (self->overrides);
  g_free (self->last_error);

  G_OBJECT_CLASS (co2s_metrics_follower_parent_class)->finalize (object);
}

static void
co2s_metrics_follower_get_property (GObject *object,
                                    guint prop_id,
                                    GValue *value,
                                    GParamSpec *pspec)
{
  Co2sMetricsFollower *self = CO2S_METRICS_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_BROKERS:
      g_value_set_string (value, self->brokers);
      break;
    case PROP_TOPIC:
      g_value_set_string (value, self->topic);
      break;
    case PROP_GROUP_ID:
      g_value_set_string (value, self->group_id);
      break;
    case PROP_OFFSET_RESET:
      g_value_set_string (value, self->offset_reset);
      break;
    case PROP_OVERRIDES:
      g_value_set_boxed (value, self->overrides);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->thread != NULL);
      break;
    case PROP_BROKER_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_REACHABLE:
      g_value_set_boolean (value, self->state == CO2S_BROKER_STATE_REACHABLE);
      break;
    case PROP_ASSIGNED:
      g_value_set_boolean (value, self->assigned);
      break;
    case PROP_LAG:
      g_value_set_int64 (value, self->lag);
      break;
    case PROP_RECEIVED:
      g_value_set_uint64 (value, self->received);
      break;
    case PROP_BAD_MESSAGES:
      g_value_set_uint64 (value, self->bad);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string_before_start (Co2sMetricsFollower *self, char **field, const GValue *value, GParamSpec *pspec)
{
  const char *s = g_value_get_string (value);

  if (self->thread != NULL)
    {
      g_warning ("Co2sMetricsFollower: \"%s\" cannot change while running", pspec->name);
      return;
    }
  if (s == NULL)
    return;  /* keep the default */
  if (g_strcmp0 (*field, s) == 0)
    return;
  g_free (*field);
  *field = g_strdup (s);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
co2s_metrics_follower_set_property (GObject *object,
                                    guint prop_id,
                                    const GValue *value,
                                    GParamSpec *pspec)
{
  Co2sMetricsFollower *self = CO2S_METRICS_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_BROKERS:
      self->brokers = g_value_dup_string (value);
      break;
    case PROP_TOPIC:
      set_string_before_start (self, &self->topic, value, pspec);
      break;
    case PROP_GROUP_ID:
      if (self->thread == NULL && g_value_get_string (value) != NULL)
        self->own_group_id = FALSE;
      set_string_before_start (self, &self->group_id, value, pspec);
      break;
    case PROP_OFFSET_RESET:
      set_string_before_start (self, &self->offset_reset, value, pspec);
      break;
    case PROP_OVERRIDES:
      if (self->thread != NULL)
        g_warning ("Co2sMetricsFollower: \"overrides\" cannot change while running");
      else
        {
          g_strfreev (self->overrides);
          self->overrides = g_value_dup_boxed (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_HISTORY:
      co2s_metrics_follower_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_metrics_follower_class_init (Co2sMetricsFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = co2s_metrics_follower_dispose;
  object_class->finalize = co2s_metrics_follower_finalize;
  object_class->get_property = co2s_metrics_follower_get_property;
  object_class->set_property = co2s_metrics_follower_set_property;

  properties[PROP_BROKERS] =
    g_param_spec_string ("brokers", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOPIC] =
    g_param_spec_string ("topic", NULL, NULL, CO2S_TOPIC_METRICS, rw);
  properties[PROP_GROUP_ID] =
    g_param_spec_string ("group-id", NULL, NULL, NULL, rw);
  properties[PROP_OFFSET_RESET] =
    g_param_spec_string ("offset-reset", NULL, NULL, "latest", rw);
  properties[PROP_OVERRIDES] =
    g_param_spec_boxed ("overrides", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CO2S_TYPE_METRICS_HISTORY, rw);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_BROKER_STATE] =
    g_param_spec_enum ("broker-state", NULL, NULL, CO2S_TYPE_BROKER_STATE,
                       CO2S_BROKER_STATE_UNKNOWN, ro);
  properties[PROP_REACHABLE] =
    g_param_spec_boolean ("reachable", NULL, NULL, FALSE, ro);
  properties[PROP_ASSIGNED] =
    g_param_spec_boolean ("assigned", NULL, NULL, FALSE, ro);
  properties[PROP_LAG] =
    g_param_spec_int64 ("lag", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_RECEIVED] =
    g_param_spec_uint64 ("received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BAD_MESSAGES] =
    g_param_spec_uint64 ("bad-messages", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[BATCHES] =
    g_signal_new ("batches", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
}

static void
co2s_metrics_follower_init (Co2sMetricsFollower *self)
{
  self->topic = g_strdup (CO2S_TOPIC_METRICS);
  self->offset_reset = g_strdup ("latest");
  self->group_id = new_group_id ();
  self->own_group_id = TRUE;
  self->lag = -1;
}

/* ---- public API --------------------------------------------------------------- */

Co2sMetricsFollower *
co2s_metrics_follower_new (const char *brokers)
{
  g_return_val_if_fail (brokers != NULL, NULL);

  return g_object_new (CO2S_TYPE_METRICS_FOLLOWER, "brokers", brokers, NULL);
}

gboolean
co2s_metrics_follower_start (Co2sMetricsFollower *self,
                             GError **error)
{
  Co2sFollowerShared *shared;
  rd_kafka_t *rk;

  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("The metrics follower is already running"));
      return FALSE;
    }

  /* A restart gets a group of its own: joining the previous one would wait
   * until the previous consumer has left it, which stop_async lets happen
   * in the background. */
  if (self->own_group_id && self->group_id_used)
    {
      g_free (self->group_id);
      self->group_id = new_group_id ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_ID]);
    }

  shared = _co2s_follower_shared_new (dispatch);
  rk = _co2s_follower_consumer_new (self->brokers, self->group_id, self->offset_reset,
                                    (const char * const *) self->overrides, self->topic,
                                    shared, error);
  if (rk == NULL)
    {
      _co2s_follower_shared_unref (shared);
      return FALSE;
    }

  self->group_id_used = TRUE;
  shared->follower = self;
  self->shared = shared;
  self->thread = _co2s_follower_worker_start (shared, rk, self->topic);

  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, CO2S_BROKER_STATE_UNKNOWN);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
co2s_metrics_follower_stop (Co2sMetricsFollower *self)
{
  Co2sFollowerShared *shared;

  g_return_if_fail (CO2S_IS_METRICS_FOLLOWER (self));

  if (self->thread == NULL)
    return;

  /* Join first, so that every batch the worker received is delivered. */
  g_thread_join (signal_stop (self, NULL, NULL, &shared));
  detach_worker (self, shared);
}

void
co2s_metrics_follower_stop_async (Co2sMetricsFollower *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Co2sFollowerShared *shared;
  Stopping *stopping;
  GSource *on_exit;

  g_return_if_fail (CO2S_IS_METRICS_FOLLOWER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_metrics_follower_stop_async);
  g_task_set_name (task, "[co2s] metrics follower stop");

  if (self->thread == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  stopping = g_new0 (Stopping, 1);
  stopping->task = g_object_ref (task);
  on_exit = g_idle_source_new ();
  g_source_set_priority (on_exit, G_PRIORITY_DEFAULT);
  g_source_set_callback (on_exit, worker_ended, stopping, stopping_free);
  g_source_set_static_name (on_exit, "[co2s] metrics follower ended");

  /* Detach now: what the worker receives while it closes is dropped. */
  stopping->thread = signal_stop (self, on_exit, g_task_get_context (task), &shared);
  detach_worker (self, shared);

  if (cancellable != NULL)
    {
      stopping->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (stopping->cancel_source, G_SOURCE_FUNC (stop_cancelled), stopping, NULL);
      g_source_set_static_name (stopping->cancel_source, "[co2s] metrics follower stop cancelled");
      g_source_attach (stopping->cancel_source, g_task_get_context (task));
    }
}

gboolean
co2s_metrics_follower_stop_finish (Co2sMetricsFollower *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, co2s_metrics_follower_stop_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
co2s_metrics_follower_get_running (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), FALSE);
  return self->thread != NULL;
}

Co2sBrokerState
co2s_metrics_follower_get_broker_state (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), CO2S_BROKER_STATE_UNKNOWN);
  return self->state;
}

gboolean
co2s_metrics_follower_get_reachable (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), FALSE);
  return self->state == CO2S_BROKER_STATE_REACHABLE;
}

gboolean
co2s_metrics_follower_get_assigned (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), FALSE);
  return self->assigned;
}

gint64
co2s_metrics_follower_get_lag (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), -1);
  return self->lag;
}

guint64
co2s_metrics_follower_get_received (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), 0);
  return self->received;
}

guint64
co2s_metrics_follower_get_bad_messages (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), 0);
  return self->bad;
}

const char *
co2s_metrics_follower_get_last_error (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), NULL);
  return self->last_error;
}

const char *
co2s_metrics_follower_get_group_id (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), NULL);
  return self->group_id;
}

Co2sMetricsHistory *
co2s_metrics_follower_get_history (Co2sMetricsFollower *self)
{
  g_return_val_if_fail (CO2S_IS_METRICS_FOLLOWER (self), NULL);
  return self->history;
}

void
co2s_metrics_follower_set_history (Co2sMetricsFollower *self,
                                   Co2sMetricsHistory *history)
{
  g_return_if_fail (CO2S_IS_METRICS_FOLLOWER (self));
  g_return_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history));

  if (g_set_object (&self->history, history))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}
