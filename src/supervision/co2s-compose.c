/* co2s-compose.c — the Docker Compose backend of Co2sSupervisor: the
 * object, its Docker calls and settings. Container states are in
 * co2s-compose-ps.c, the start and stop sequences and the log followers in
 * co2s-compose-run.c. */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-compose-private.h"

#include <string.h>

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (Co2sCompose, co2s_compose, G_TYPE_OBJECT)

/* ---- Docker calls ------------------------------------------------------- */

char *
_co2s_compose_dir (Co2sCompose *self)
{
  g_autofree char *abs = g_canonicalize_filename (self->compose_file, NULL);
  return g_path_get_dirname (abs);
}

/* Runs @argv (NULL-terminated) in the compose file's folder, collecting its
 * output; ends it after @timeout_ms. */
void
_co2s_compose_call_async (Co2sCompose *self,
                          const char * const *argv,
                          guint timeout_ms,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autofree char *cwd = _co2s_compose_dir (self);

  co2s_docker_call_async (G_OBJECT (self), argv, cwd, (const char * const *) self->env, timeout_ms,
                          callback, user_data);
}

Co2sDockerResult *
_co2s_compose_call_finish (Co2sCompose *self,
                           GAsyncResult *result,
                           GError **error)
{
  return co2s_docker_call_finish (result, error);
}

/* {prefix…, "-f", file, args…, NULL}; free with g_strfreev(). */
char **
_co2s_compose_argv (Co2sCompose *self,
                    const char *first,
                    ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *file = NULL;
  va_list args;

  g_assert (self->prefix != NULL);

  g_strv_builder_addv (builder, (const char **) self->prefix);
  g_strv_builder_add (builder, "-f");
  file = g_canonicalize_filename (self->compose_file, NULL);
  g_strv_builder_add (builder, file);

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);

  return g_strv_builder_end (builder);
}

/* ---- State -------------------------------------------------------------- */

void
_co2s_compose_update_active (Co2sCompose *self)
{
  gboolean active = self->n_busy > 0;

  for (guint i = 0; i < self->n_entries; i++)
    active |= self->entries[i].wanted;

  if (active != self->active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

/* ---- Lifecycle ---------------------------------------------------------- */

static void
co2s_compose_dispose (GObject *object)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  for (guint i = 0; i < self->n_entries; i++)
    {
      _co2s_compose_stop_follower (&self->entries[i]);
      g_clear_object (&self->entries[i].follower);
      g_clear_object (&self->entries[i].service);
    }

  G_OBJECT_CLASS (co2s_compose_parent_class)->dispose (object);
}

static void
co2s_compose_finalize (GObject *object)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  for (guint i = 0; i < self->n_entries; i++)
    {
      g_free (self->entries[i].name);
      g_free (self->entries[i].follow_since);
    }
  g_free (self->entries);
  g_free (self->compose_file);
  g_strfreev (self->env);
  g_strfreev (self->prefix);
  g_free (self->docker);
  g_clear_pointer (&self->deferred_stops, g_ptr_array_unref);
  g_clear_pointer (&self->ending_stops, g_ptr_array_unref);

  G_OBJECT_CLASS (co2s_compose_parent_class)->finalize (object);
}

static void
co2s_compose_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_compose_class_init (Co2sComposeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_compose_dispose;
  object_class->finalize = co2s_compose_finalize;
  object_class->get_property = co2s_compose_get_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_compose_init (Co2sCompose *self)
{
  self->compose_file = g_strdup ("docker-compose.yml");
  self->docker_timeout = 10000;
  self->up_timeout = 600000;
  self->poll_interval = 2000;
  self->stop_timeout = CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS;
  self->deferred_stops = g_ptr_array_new ();
  self->ending_stops = g_ptr_array_new ();
}

/* ---- Public API --------------------------------------------------------- */

Co2sCompose *
co2s_compose_new (Co2sService * const *services,
                  const char * const *compose_names,
                  guint n_services)
{
  Co2sCompose *self;

  g_return_val_if_fail (services != NULL, NULL);
  g_return_val_if_fail (compose_names != NULL, NULL);
  g_return_val_if_fail (n_services > 0, NULL);

  self = g_object_new (CO2S_TYPE_COMPOSE, NULL);
  self->n_entries = n_services;
  self->entries = g_new0 (Entry, n_services);
  for (guint i = 0; i < n_services; i++)
    {
      g_return_val_if_fail (CO2S_IS_SERVICE (services[i]), self);
      self->entries[i].service = g_object_ref (services[i]);
      self->entries[i].name = g_strdup (compose_names[i]);
      self->entries[i].last_restart_count = -1;
    }

  return self;
}

void
co2s_compose_configure (Co2sCompose *self,
                        const char *compose_file,
                        guint docker_timeout_ms,
                        guint up_timeout_ms,
                        guint poll_interval_ms,
                        guint stop_timeout_ms)
{
  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (compose_file != NULL);

  g_free (self->compose_file);
  self->compose_file = g_strdup (compose_file);
  self->docker_timeout = MAX (docker_timeout_ms, 1);
  self->up_timeout = MAX (up_timeout_ms, 1);
  self->poll_interval = MAX (poll_interval_ms, 1);
  self->stop_timeout = MAX (stop_timeout_ms, 1);
}

void
co2s_compose_set_environment (Co2sCompose *self, const char * const *env)
{
  g_return_if_fail (CO2S_IS_COMPOSE (self));

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    g_return_if_fail (strchr (env[i], '=') != NULL && env[i][0] != '=');
  g_strfreev (self->env);
  self->env = g_strdupv ((char **) env);
}

gboolean
co2s_compose_get_active (Co2sCompose *self)
{
  g_return_val_if_fail (CO2S_IS_COMPOSE (self), FALSE);
  return self->active;
}
