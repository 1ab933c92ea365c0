/* co2s-service.c — one supervised service: state, properties and the
 * bounded log buffer. Its local process lives in co2s-service-process.c. */
#define G_LOG_DOMAIN "co2s-service"

#include "co2s-service-private.h"

#include "co2s-log-line.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAX_LINE_BYTES 8192

enum {
  PROP_0,
  PROP_NAME,
  PROP_TITLE,
  PROP_STATE,
  PROP_MESSAGE,
  PROP_ENABLED,
  PROP_STARTED_AT,
  PROP_RESTART_COUNT,
  PROP_RESTART_DELAY,
  PROP_LAST_LINE,
  PROP_LOG_LIMIT,
  PROP_PID,
  PROP_ADDRESS,
  PROP_HEALTH,
  PROP_DESCRIPTION,
  PROP_STOP_TIMEOUT,
  N_PROPS
};

enum {
  SIGNAL_READY,
  SIGNAL_EXITED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (Co2sServiceState, co2s_service_state,
  G_DEFINE_ENUM_VALUE (CO2S_SERVICE_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CO2S_SERVICE_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CO2S_SERVICE_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (CO2S_SERVICE_STATE_UNHEALTHY, "unhealthy"),
  G_DEFINE_ENUM_VALUE (CO2S_SERVICE_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (Co2sService, co2s_service, G_TYPE_OBJECT)


/* ---- Helpers ------------------------------------------------------------ */

static gboolean
set_str (char **dest,
         const char *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}


/* ---- Lifecycle ---------------------------------------------------------- */

static void
co2s_service_dispose (GObject *object)
{
  Co2sService *self = CO2S_SERVICE (object);

  _co2s_service_process_detach (self);

  G_OBJECT_CLASS (co2s_service_parent_class)->dispose (object);
}

static void
co2s_service_finalize (GObject *object)
{
  Co2sService *self = CO2S_SERVICE (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->last_line, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->health, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->exit_text, g_free);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (co2s_service_parent_class)->finalize (object);
}

static void
co2s_service_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  Co2sService *self = CO2S_SERVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_RESTART_COUNT:
      g_value_set_uint (value, self->restart_count);
      break;
    case PROP_RESTART_DELAY:
      g_value_set_uint (value, self->restart_delay);
      break;
    case PROP_LAST_LINE:
      g_value_set_string (value, self->last_line);
      break;
    case PROP_LOG_LIMIT:
      g_value_set_uint (value, self->log_limit);
      break;
    case PROP_PID:
      g_value_set_int (value, co2s_service_get_pid (self));
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_HEALTH:
      g_value_set_string (value, self->health);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_STOP_TIMEOUT:
      g_value_set_uint (value, self->stop_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_service_set_property (GObject *object,
                           guint prop_id,
                           const GValue *value,
                           GParamSpec *pspec)
{
  Co2sService *self = CO2S_SERVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      self->title = g_value_dup_string (value);
      break;
    case PROP_LOG_LIMIT:
      co2s_service_set_log_limit (self, g_value_get_uint (value));
      break;
    case PROP_STOP_TIMEOUT:
      co2s_service_set_stop_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_service_class_init (Co2sServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_service_dispose;
  object_class->finalize = co2s_service_finalize;
  object_class->get_property = co2s_service_get_property;
  object_class->set_property = co2s_service_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CO2S_TYPE_SERVICE_STATE, CO2S_SERVICE_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTED_AT] =
    g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESTART_COUNT] =
    g_param_spec_uint ("restart-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESTART_DELAY] =
    g_param_spec_uint ("restart-delay", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_LINE] =
    g_param_spec_string ("last-line", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_LIMIT] =
    g_param_spec_uint ("log-limit", NULL, NULL, 1, G_MAXUINT, CO2S_SERVICE_DEFAULT_LOG_LIMIT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH] =
    g_param_spec_string ("health", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STOP_TIMEOUT] =
    g_param_spec_uint ("stop-timeout", NULL, NULL, 1, G_MAXUINT, CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Co2sService::ready: the process announced readiness; "state" is
   * RUNNING and "address" set (CO2S_READY_ON_PREFIX). */
  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* Co2sService::exited (int reason): the process is gone (a
   * Co2sExitReason); "pid" is 0 again, co2s_service_get_exit_text() says
   * how it ended. The state is left for the handler to set. */
  signals[SIGNAL_EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
co2s_service_init (Co2sService *self)
{
  self->state = CO2S_SERVICE_STATE_STOPPED;
  self->enabled = TRUE;
  self->log = g_list_store_new (CO2S_TYPE_LOG_LINE);
  self->log_limit = CO2S_SERVICE_DEFAULT_LOG_LIMIT;
  self->stop_timeout = CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS;
}

/* ---- Public API --------------------------------------------------------- */

const char *
co2s_service_state_to_label (Co2sServiceState state)
{
  switch (state)
    {
    case CO2S_SERVICE_STATE_STOPPED:   return _("Stopped");
    case CO2S_SERVICE_STATE_STARTING:  return _("Starting");
    case CO2S_SERVICE_STATE_RUNNING:   return _("Running");
    case CO2S_SERVICE_STATE_UNHEALTHY: return _("Unhealthy");
    case CO2S_SERVICE_STATE_FAILED:    return _("Failed");
    default:                           return _("Unknown");
    }
}

Co2sService *
co2s_service_new (const char *name,
                  const char *title)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  return g_object_new (CO2S_TYPE_SERVICE, "name", name, "title", title, NULL);
}

const char *
co2s_service_get_name (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->name;
}

const char *
co2s_service_get_title (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->title;
}

Co2sServiceState
co2s_service_get_state (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), CO2S_SERVICE_STATE_STOPPED);
  return self->state;
}

const char *
co2s_service_get_message (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->message;
}

gboolean
co2s_service_get_enabled (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  return self->enabled;
}

gint64
co2s_service_get_started_at (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->started_at;
}

gint64
co2s_service_get_uptime (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);

  if (self->started_at == 0)
    return 0;
  return MAX (0, g_get_monotonic_time () - self->started_at);
}

guint
co2s_service_get_restart_count (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->restart_count;
}

guint
co2s_service_get_restart_delay (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->restart_delay;
}

const char *
co2s_service_get_last_line (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->last_line;
}

GListModel *
co2s_service_get_log (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return G_LIST_MODEL (self->log);
}

guint
co2s_service_get_log_limit (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->log_limit;
}

void
co2s_service_set_log_limit (Co2sService *self,
                            guint limit)
{
  guint n;

  g_return_if_fail (CO2S_IS_SERVICE (self));
  g_return_if_fail (limit >= 1);

  if (self->log_limit == limit)
    return;

  self->log_limit = limit;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  if (n > limit)
    g_list_store_splice (self->log, 0, n - limit, NULL, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_LIMIT]);
}

GPid
co2s_service_get_pid (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->process != NULL ? _co2s_service_process_get_pid (self->process) : 0;
}

const char *
co2s_service_get_address (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->address;
}

const char *
co2s_service_get_health (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->health;
}

const char *
co2s_service_get_description (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->description;
}

gboolean
co2s_service_get_killed (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  return self->killed;
}

guint
co2s_service_get_stop_timeout (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), 0);
  return self->stop_timeout;
}

void
co2s_service_set_stop_timeout (Co2sService *self,
                               guint timeout_ms)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));
  g_return_if_fail (timeout_ms >= 1);

  if (self->stop_timeout == timeout_ms)
    return;
  self->stop_timeout = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_TIMEOUT]);
}

void
co2s_service_set_state (Co2sService *self,
                        Co2sServiceState state,
                        const char *message)
{
  gboolean was_up;
  gboolean is_up;

  g_return_if_fail (CO2S_IS_SERVICE (self));

  g_object_freeze_notify (G_OBJECT (self));

  was_up = self->state == CO2S_SERVICE_STATE_RUNNING || self->state == CO2S_SERVICE_STATE_UNHEALTHY;
  is_up = state == CO2S_SERVICE_STATE_RUNNING || state == CO2S_SERVICE_STATE_UNHEALTHY;

  if (is_up && !was_up)
    {
      self->started_at = g_get_monotonic_time ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
    }
  else if (!is_up && self->started_at != 0)
    {
      self->started_at = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
    }

  if (self->state != state)
    {
      g_debug ("%s: %s → %s%s%s", self->name,
               co2s_service_state_to_label (self->state), co2s_service_state_to_label (state),
               message ? ": " : "", message ? message : "");
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  co2s_service_set_message (self, message);

  g_object_thaw_notify (G_OBJECT (self));
}

void
co2s_service_set_message (Co2sService *self,
                          const char *message)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (set_str (&self->message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

void
co2s_service_set_enabled (Co2sService *self,
                          gboolean enabled)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

void
co2s_service_set_restart_count (Co2sService *self,
                                guint count)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (self->restart_count == count)
    return;
  self->restart_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_COUNT]);
}

void
co2s_service_set_restart_delay (Co2sService *self,
                                guint delay_ms)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (self->restart_delay == delay_ms)
    return;
  self->restart_delay = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_DELAY]);
}

void
co2s_service_set_health (Co2sService *self,
                         const char *health)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (set_str (&self->health, health))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
}

void
co2s_service_set_description (Co2sService *self,
                              const char *description)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (set_str (&self->description, description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

void
co2s_service_set_address (Co2sService *self,
                          const char *address)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (set_str (&self->address, address))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

void
co2s_service_append_log (Co2sService *self,
                         const char *text,
                         gboolean is_stderr)
{
  g_autoptr(Co2sLogLine) line = NULL;
  g_autofree char *cut = NULL;
  guint n;

  g_return_if_fail (CO2S_IS_SERVICE (self));
  g_return_if_fail (text != NULL);

  if (strlen (text) > MAX_LINE_BYTES)
    text = cut = g_strndup (text, MAX_LINE_BYTES);

  line = co2s_log_line_new (text, g_get_real_time (), is_stderr);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  if (n >= self->log_limit)
    g_list_store_splice (self->log, 0, n - self->log_limit + 1, NULL, 0);
  g_list_store_append (self->log, line);

  g_free (self->last_line);
  self->last_line = g_strdup (co2s_log_line_get_text (line));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_LINE]);
}

void
co2s_service_clear_log (Co2sService *self)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  g_list_store_remove_all (self->log);
  if (self->last_line != NULL)
    {
      g_clear_pointer (&self->last_line, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_LINE]);
    }
}

const char *
co2s_service_get_exit_text (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), NULL);
  return self->exit_text;
}

gboolean
co2s_service_get_was_ready (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  return self->was_ready;
}

/* ---- Internal API (co2s-service-private.h) ------------------------------- */

void
_co2s_service_notify_pid (Co2sService *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
}

void
_co2s_service_emit_ready (Co2sService *self)
{
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_READY], 0);
  g_object_unref (self);
}

void
_co2s_service_emit_exited (Co2sService *self,
                           Co2sExitReason reason)
{
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0, (int) reason);
  g_object_unref (self);
}
