/* co2s-supervisor.c — starts, watches and stops the pipeline's services:
 * the GObject, its settings and the public API. The pending operations
 * (GTasks) and the dispatch between backends are in co2s-supervisor-ops.c. The local process backend is in co2s-supervisor-local.c (a run of
 * several trainers: co2s-supervisor-trainers.c), the Docker one in co2s-compose*.c. */
#define G_LOG_DOMAIN "co2s-supervisor"

#include "co2s-supervisor-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "co2s-contracts.h"

enum {
  PROP_0,
  PROP_BACKEND,
  PROP_BIN_DIR,
  PROP_BROKER_KIND,
  PROP_BROKER_ADDRESS,
  PROP_BROKER_PROPERTIES,
  PROP_KAFKA_DATA_DIR,
  PROP_KAFKA_PORT,
  PROP_KAFKA_RETENTION_BYTES,
  PROP_API_RATE,
  PROP_BATCH_ROWS,
  PROP_ALGO,
  PROP_DATASET,
  PROP_MODEL_DIR,
  PROP_COMPOSE_FILE,
  PROP_TRAINERS,
  PROP_READY_TIMEOUT,
  PROP_STOP_TIMEOUT,
  PROP_RESTART_DELAY_INITIAL,
  PROP_RESTART_DELAY_MAX,
  PROP_RESTART_RESET_AFTER,
  PROP_DOCKER_TIMEOUT,
  PROP_COMPOSE_UP_TIMEOUT,
  PROP_COMPOSE_POLL_INTERVAL,
  PROP_KAFKA_START_TIMEOUT,
  PROP_KAFKA_STOP_TIMEOUT,
  PROP_ACTIVE,
  PROP_BOOTSTRAP_SERVERS,
  PROP_API_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (Co2sBackend, co2s_backend,
  G_DEFINE_ENUM_VALUE (CO2S_BACKEND_LOCAL, "local"),
  G_DEFINE_ENUM_VALUE (CO2S_BACKEND_COMPOSE, "compose"))

G_DEFINE_ENUM_TYPE (Co2sBrokerKind, co2s_broker_kind,
  G_DEFINE_ENUM_VALUE (CO2S_BROKER_LOCAL_KAFKA, "local-kafka"),
  G_DEFINE_ENUM_VALUE (CO2S_BROKER_EMBEDDED, "embedded"),
  G_DEFINE_ENUM_VALUE (CO2S_BROKER_EXISTING, "existing"))

G_DEFINE_FINAL_TYPE (Co2sSupervisor, co2s_supervisor, G_TYPE_OBJECT)

/* ---- Helpers ------------------------------------------------------------ */

static void
settings_clear (Co2sSupervisorSettings *s)
{
  g_clear_pointer (&s->bin_dir, g_free);
  g_clear_pointer (&s->broker_address, g_free);
  g_clear_pointer (&s->broker_properties, g_strfreev);
  g_clear_pointer (&s->kafka_data_dir, g_free);
  g_clear_pointer (&s->algo, g_free);
  g_clear_pointer (&s->dataset, g_free);
  g_clear_pointer (&s->model_dir, g_free);
  g_clear_pointer (&s->compose_file, g_free);
}

void
_co2s_supervisor_settings_copy (Co2sSupervisorSettings *dest,
               const Co2sSupervisorSettings *src)
{
  settings_clear (dest);
  dest->backend = src->backend;
  dest->bin_dir = g_strdup (src->bin_dir);
  dest->broker_kind = src->broker_kind;
  dest->broker_address = g_strdup (src->broker_address);
  dest->broker_properties = g_strdupv (src->broker_properties);
  dest->kafka_data_dir = g_strdup (src->kafka_data_dir);
  dest->kafka_port = src->kafka_port;
  dest->kafka_retention_bytes = src->kafka_retention_bytes;
  dest->api_rate = src->api_rate;
  dest->batch_rows = src->batch_rows;
  dest->algo = g_strdup (src->algo);
  dest->dataset = g_strdup (src->dataset);
  dest->model_dir = g_strdup (src->model_dir);
  dest->compose_file = g_strdup (src->compose_file);
  dest->trainers = src->trainers;
}

static void
set_string_property (Co2sSupervisor *self,
                     char **field,
                     const char *value,
                     guint prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

gboolean
_co2s_service_slot_is_up (Co2sServiceSlot *s)
{
  return co2s_service_has_process (s->service) &&
         co2s_service_get_state (s->service) == CO2S_SERVICE_STATE_RUNNING &&
         !s->must_restart;
}

static gboolean
slot_is_busy (Co2sServiceSlot *s)
{
  return s->wanted || s->restart_source != 0 || co2s_service_has_process (s->service);
}

gboolean
_co2s_supervisor_pipeline_is_idle (Co2sSupervisor *self)
{
  for (guint i = 0; i < _co2s_supervisor_n_slots (self); i++)
    if (slot_is_busy (_co2s_supervisor_slot_at (self, i)))
      return FALSE;
  return self->compose == NULL || !co2s_compose_get_active (self->compose);
}

void
_co2s_supervisor_update_active (Co2sSupervisor *self)
{
  gboolean active = !_co2s_supervisor_pipeline_is_idle (self);

  if (active != self->active)
    {
      self->active = active;
      _co2s_supervisor_update_broker_description (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

void
_co2s_service_slot_cancel_restart (Co2sServiceSlot *s)
{
  g_clear_handle_id (&s->restart_source, g_source_remove);
  co2s_service_set_restart_delay (s->service, 0);
}


/* ---- Lifecycle ---------------------------------------------------------- */

static void
on_compose_active (Co2sSupervisor *self)
{
  _co2s_supervisor_update_active (self);
}

static void
co2s_supervisor_dispose (GObject *object)
{
  Co2sSupervisor *self = CO2S_SUPERVISOR (object);

  g_clear_handle_id (&self->reconcile_source, g_source_remove);
  _co2s_supervisor_broker_dispose (self);
  _co2s_supervisor_cancel_prepare (self);

  for (guint i = 0; i < CO2S_N_SERVICES + G_N_ELEMENTS (self->extra); i++)
    {
      Co2sServiceSlot *s = i < CO2S_N_SERVICES ? &self->slots[i] : &self->extra[i - CO2S_N_SERVICES];

      g_clear_handle_id (&s->restart_source, g_source_remove);
      if (s->service != NULL)
        g_signal_handlers_disconnect_by_data (s->service, s);
      g_clear_object (&s->service);   /* its dispose SIGTERMs a running process */
    }

  if (self->compose != NULL)
    g_signal_handlers_disconnect_by_data (self->compose, self);
  g_clear_object (&self->compose);
  if (self->services != NULL)
    g_list_store_remove_all (self->services);
  g_clear_object (&self->services);

  if (self->tasks != NULL)
    {
      while (self->tasks->len > 0)
        {
          g_autoptr(GTask) task = g_ptr_array_steal_index (self->tasks, 0);

          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "supervisor disposed");
        }
    }

  G_OBJECT_CLASS (co2s_supervisor_parent_class)->dispose (object);
}

static void
co2s_supervisor_finalize (GObject *object)
{
  Co2sSupervisor *self = CO2S_SUPERVISOR (object);

  settings_clear (&self->settings);
  settings_clear (&self->run);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  g_clear_pointer (&self->api_url, g_free);
  g_clear_pointer (&self->prepared_for, g_free);

  G_OBJECT_CLASS (co2s_supervisor_parent_class)->finalize (object);
}

static void
co2s_supervisor_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  Co2sSupervisor *self = CO2S_SUPERVISOR (object);

  switch (prop_id)
    {
    case PROP_BACKEND:               g_value_set_enum (value, self->settings.backend); break;
    case PROP_BIN_DIR:               g_value_set_string (value, self->settings.bin_dir); break;
    case PROP_BROKER_KIND:           g_value_set_enum (value, self->settings.broker_kind); break;
    case PROP_BROKER_ADDRESS:        g_value_set_string (value, self->settings.broker_address); break;
    case PROP_BROKER_PROPERTIES:     g_value_set_boxed (value, self->settings.broker_properties); break;
    case PROP_KAFKA_DATA_DIR:        g_value_set_string (value, self->settings.kafka_data_dir); break;
    case PROP_KAFKA_PORT:            g_value_set_uint (value, self->settings.kafka_port); break;
    case PROP_KAFKA_RETENTION_BYTES: g_value_set_uint64 (value, self->settings.kafka_retention_bytes); break;
    case PROP_KAFKA_START_TIMEOUT:   g_value_set_uint (value, self->kafka_start_timeout); break;
    case PROP_KAFKA_STOP_TIMEOUT:    g_value_set_uint (value, self->kafka_stop_timeout); break;
    case PROP_API_RATE:              g_value_set_double (value, self->settings.api_rate); break;
    case PROP_BATCH_ROWS:            g_value_set_uint (value, self->settings.batch_rows); break;
    case PROP_ALGO:                  g_value_set_string (value, self->settings.algo); break;
    case PROP_DATASET:               g_value_set_string (value, self->settings.dataset); break;
    case PROP_MODEL_DIR:             g_value_set_string (value, self->settings.model_dir); break;
    case PROP_COMPOSE_FILE:          g_value_set_string (value, self->settings.compose_file); break;
    case PROP_TRAINERS:              g_value_set_uint (value, self->settings.trainers); break;
    case PROP_READY_TIMEOUT:         g_value_set_uint (value, self->ready_timeout); break;
    case PROP_STOP_TIMEOUT:          g_value_set_uint (value, self->stop_timeout); break;
    case PROP_RESTART_DELAY_INITIAL: g_value_set_uint (value, self->restart_delay_initial); break;
    case PROP_RESTART_DELAY_MAX:     g_value_set_uint (value, self->restart_delay_max); break;
    case PROP_RESTART_RESET_AFTER:   g_value_set_uint (value, self->restart_reset_after); break;
    case PROP_DOCKER_TIMEOUT:        g_value_set_uint (value, self->docker_timeout); break;
    case PROP_COMPOSE_UP_TIMEOUT:    g_value_set_uint (value, self->compose_up_timeout); break;
    case PROP_COMPOSE_POLL_INTERVAL: g_value_set_uint (value, self->compose_poll_interval); break;
    case PROP_ACTIVE:                g_value_set_boolean (value, self->active); break;
    case PROP_BOOTSTRAP_SERVERS:     g_value_set_string (value, self->bootstrap_servers); break;
    case PROP_API_URL:               g_value_set_string (value, self->api_url); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_field (Co2sSupervisor *self,
                guint *field,
                const GValue *value,
                guint prop_id)
{
  if (*field == g_value_get_uint (value))
    return;
  *field = g_value_get_uint (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
co2s_supervisor_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  Co2sSupervisor *self = CO2S_SUPERVISOR (object);
  Co2sSupervisorSettings *s = &self->settings;

  switch (prop_id)
    {
    case PROP_BACKEND:
      co2s_supervisor_set_backend (self, g_value_get_enum (value));
      break;
    case PROP_BIN_DIR:
      set_string_property (self, &s->bin_dir, g_value_get_string (value), prop_id);
      break;
    case PROP_BROKER_KIND:
      if (s->broker_kind != (Co2sBrokerKind) g_value_get_enum (value))
        {
          s->broker_kind = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BROKER_ADDRESS:
      set_string_property (self, &s->broker_address, g_value_get_string (value), prop_id);
      break;
    case PROP_BROKER_PROPERTIES:
      {
        const char * const *v = g_value_get_boxed (value);

        if (!((v == NULL || v[0] == NULL) && (s->broker_properties == NULL || s->broker_properties[0] == NULL)) &&
            (v == NULL || s->broker_properties == NULL ||
             !g_strv_equal (v, (const char * const *) s->broker_properties)))
          {
            g_strfreev (s->broker_properties);
            s->broker_properties = g_value_dup_boxed (value);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_KAFKA_DATA_DIR:
      {
        g_autofree char *fallback = NULL;
        const char *dir = g_value_get_string (value);

        if (dir == NULL || dir[0] == '\0')
          dir = fallback = co2s_supervisor_default_kafka_data_dir ();
        set_string_property (self, &s->kafka_data_dir, dir, prop_id);
      }
      break;
    case PROP_KAFKA_PORT:
      set_uint_field (self, &s->kafka_port, value, prop_id);
      break;
    case PROP_KAFKA_RETENTION_BYTES:
      if (s->kafka_retention_bytes != g_value_get_uint64 (value))
        {
          s->kafka_retention_bytes = g_value_get_uint64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_KAFKA_START_TIMEOUT:   set_uint_field (self, &self->kafka_start_timeout, value, prop_id); break;
    case PROP_KAFKA_STOP_TIMEOUT:    set_uint_field (self, &self->kafka_stop_timeout, value, prop_id); break;
    case PROP_API_RATE:
      if (s->api_rate != g_value_get_double (value))
        {
          s->api_rate = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BATCH_ROWS:
      set_uint_field (self, &s->batch_rows, value, prop_id);
      break;
    case PROP_ALGO:
      set_string_property (self, &s->algo, g_value_get_string (value) ? g_value_get_string (value) : "ls", prop_id);
      break;
    case PROP_DATASET:
      set_string_property (self, &s->dataset, g_value_get_string (value) ? g_value_get_string (value) : "data/co2_processed.csv", prop_id);
      break;
    case PROP_MODEL_DIR:
      set_string_property (self, &s->model_dir, g_value_get_string (value) ? g_value_get_string (value) : CO2S_DEFAULT_MODEL_DIR, prop_id);
      break;
    case PROP_COMPOSE_FILE:
      set_string_property (self, &s->compose_file, g_value_get_string (value) ? g_value_get_string (value) : "docker-compose.yml", prop_id);
      break;
    case PROP_TRAINERS:              set_uint_field (self, &s->trainers, value, prop_id); break;
    case PROP_READY_TIMEOUT:         set_uint_field (self, &self->ready_timeout, value, prop_id); break;
    case PROP_STOP_TIMEOUT:          set_uint_field (self, &self->stop_timeout, value, prop_id); break;
    case PROP_RESTART_DELAY_INITIAL: set_uint_field (self, &self->restart_delay_initial, value, prop_id); break;
    case PROP_RESTART_DELAY_MAX:     set_uint_field (self, &self->restart_delay_max, value, prop_id); break;
    case PROP_RESTART_RESET_AFTER:   set_uint_field (self, &self->restart_reset_after, value, prop_id); break;
    case PROP_DOCKER_TIMEOUT:        set_uint_field (self, &self->docker_timeout, value, prop_id); break;
    case PROP_COMPOSE_UP_TIMEOUT:    set_uint_field (self, &self->compose_up_timeout, value, prop_id); break;
    case PROP_COMPOSE_POLL_INTERVAL: set_uint_field (self, &self->compose_poll_interval, value, prop_id); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }

  switch (prop_id)
    {
    case PROP_BACKEND: case PROP_BROKER_KIND: case PROP_BROKER_ADDRESS:
    case PROP_KAFKA_DATA_DIR: case PROP_KAFKA_PORT: case PROP_KAFKA_RETENTION_BYTES:
      _co2s_supervisor_broker_settings_changed (self);
      break;
    default:
      break;
    }
}

static GParamSpec *
uint_ms (const char *name,
         guint minimum,
         guint value)
{
  return g_param_spec_uint (name, NULL, NULL, minimum, G_MAXUINT, value,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
string_setting (const char *name,
                const char *value)
{
  return g_param_spec_string (name, NULL, NULL, value,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
co2s_supervisor_class_init (Co2sSupervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_supervisor_dispose;
  object_class->finalize = co2s_supervisor_finalize;
  object_class->get_property = co2s_supervisor_get_property;
  object_class->set_property = co2s_supervisor_set_property;

  properties[PROP_BACKEND] =
    g_param_spec_enum ("backend", NULL, NULL, CO2S_TYPE_BACKEND, CO2S_BACKEND_LOCAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIN_DIR] = string_setting ("bin-dir", NULL);
  properties[PROP_BROKER_KIND] =
    g_param_spec_enum ("broker-kind", NULL, NULL, CO2S_TYPE_BROKER_KIND, CO2S_BROKER_LOCAL_KAFKA,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BROKER_ADDRESS] = string_setting ("broker-address", NULL);
  properties[PROP_BROKER_PROPERTIES] =
    g_param_spec_boxed ("broker-properties", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* NULL default: the setter puts $XDG_DATA_HOME/co2stream/kafka there. */
  properties[PROP_KAFKA_DATA_DIR] = string_setting ("kafka-data-dir", NULL);
  properties[PROP_KAFKA_PORT] =
    g_param_spec_uint ("kafka-port", NULL, NULL, 0, 65535, CO2S_SUPERVISOR_DEFAULT_KAFKA_PORT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KAFKA_RETENTION_BYTES] =
    g_param_spec_uint64 ("kafka-retention-bytes", NULL, NULL, 1024 * 1024, G_MAXINT64,
                         CO2S_SUPERVISOR_DEFAULT_KAFKA_RETENTION_BYTES,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_API_RATE] =
    g_param_spec_double ("api-rate", NULL, NULL, 0.0, 1e9, 50.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BATCH_ROWS] = uint_ms ("batch-rows", 1, 100);
  properties[PROP_ALGO] = string_setting ("algo", "ls");
  properties[PROP_DATASET] = string_setting ("dataset", "data/co2_processed.csv");
  properties[PROP_MODEL_DIR] = string_setting ("model-dir", CO2S_DEFAULT_MODEL_DIR);
  properties[PROP_COMPOSE_FILE] = string_setting ("compose-file", "docker-compose.yml");
  properties[PROP_TRAINERS] =
    g_param_spec_uint ("trainers", NULL, NULL, 1, CO2S_SUPERVISOR_MAX_TRAINERS, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY_TIMEOUT] = uint_ms ("ready-timeout", 0, CO2S_SUPERVISOR_DEFAULT_READY_TIMEOUT_MS);
  properties[PROP_STOP_TIMEOUT] = uint_ms ("stop-timeout", 1, CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS);
  properties[PROP_RESTART_DELAY_INITIAL] =
    uint_ms ("restart-delay-initial", 1, CO2S_SUPERVISOR_DEFAULT_RESTART_DELAY_INITIAL_MS);
  properties[PROP_RESTART_DELAY_MAX] = uint_ms ("restart-delay-max", 1, CO2S_SUPERVISOR_DEFAULT_RESTART_DELAY_MAX_MS);
  properties[PROP_RESTART_RESET_AFTER] =
    uint_ms ("restart-reset-after", 1, CO2S_SUPERVISOR_DEFAULT_RESTART_RESET_AFTER_MS);
  properties[PROP_DOCKER_TIMEOUT] = uint_ms ("docker-timeout", 1, 10000);
  properties[PROP_COMPOSE_UP_TIMEOUT] = uint_ms ("compose-up-timeout", 1, 600000);
  properties[PROP_COMPOSE_POLL_INTERVAL] = uint_ms ("compose-poll-interval", 1, 2000);
  properties[PROP_KAFKA_START_TIMEOUT] =
    uint_ms ("kafka-start-timeout", 0, CO2S_SUPERVISOR_DEFAULT_KAFKA_START_TIMEOUT_MS);
  properties[PROP_KAFKA_STOP_TIMEOUT] =
    uint_ms ("kafka-stop-timeout", 1, CO2S_SUPERVISOR_DEFAULT_KAFKA_STOP_TIMEOUT_MS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOOTSTRAP_SERVERS] =
    g_param_spec_string ("bootstrap-servers", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_API_URL] =
    g_param_spec_string ("api-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_supervisor_init (Co2sSupervisor *self)
{
  Co2sService *services[CO2S_N_SERVICES];
  const char *compose_names[CO2S_N_SERVICES];

  self->services = g_list_store_new (CO2S_TYPE_SERVICE);
  self->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->settings.backend = CO2S_BACKEND_LOCAL;
  self->run.backend = CO2S_BACKEND_LOCAL;

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sServiceSlot *s = &self->slots[i];

      s->supervisor = self;
      s->kind = i;
      s->service = co2s_service_new (_co2s_service_info[i].name, _(_co2s_service_info[i].title));
      _co2s_service_slot_connect (s);
      g_list_store_append (self->services, s->service);
      services[i] = s->service;
      compose_names[i] = _co2s_service_info[i].compose_name;
    }

  self->compose = co2s_compose_new (services, compose_names, CO2S_N_SERVICES);
  g_signal_connect_swapped (self->compose, "notify::active", G_CALLBACK (on_compose_active), self);
}

/* ---- Public API --------------------------------------------------------- */

Co2sSupervisor *
co2s_supervisor_new (void)
{
  return g_object_new (CO2S_TYPE_SUPERVISOR, NULL);
}

GListModel *
co2s_supervisor_get_services (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  return G_LIST_MODEL (self->services);
}

Co2sService *
co2s_supervisor_get_service (Co2sSupervisor *self,
                             Co2sServiceKind kind)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (kind < CO2S_N_SERVICES, NULL);
  return self->slots[kind].service;
}

Co2sService *
co2s_supervisor_lookup_service (Co2sSupervisor *self,
                                const char *name)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    if (g_str_equal (name, _co2s_service_info[i].name))
      return self->slots[i].service;
  for (guint k = 0; k < self->n_extra; k++)
    if (g_str_equal (name, co2s_service_get_name (self->extra[k].service)))
      return self->extra[k].service;
  return NULL;
}

const char *
co2s_supervisor_program_name (Co2sServiceKind kind)
{
  g_return_val_if_fail (kind < CO2S_N_SERVICES, NULL);
  return _co2s_service_info[kind].program;
}

const char *
co2s_supervisor_broker_program_name (Co2sBrokerKind broker_kind)
{
  const Co2sServiceInfo *info;

  g_return_val_if_fail (broker_kind <= CO2S_BROKER_EXISTING, NULL);
  info = _co2s_service_info_for (CO2S_SERVICE_BROKER, broker_kind);
  return info != NULL ? info->program : NULL;
}

char *
co2s_supervisor_find_program (Co2sSupervisor *self,
                              Co2sServiceKind kind,
                              GError **error)
{
  const Co2sServiceInfo *info;

  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (kind < CO2S_N_SERVICES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = _co2s_service_info_for (kind, self->settings.broker_kind);
  if (info == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No broker program: the pipeline uses an existing Kafka"));
      return NULL;
    }
  return _co2s_supervisor_find_program_in (self->settings.bin_dir, info, error);
}

guint
co2s_supervisor_get_run_trainers (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), 1);
  return self->n_extra + 1;
}

const char *
co2s_supervisor_get_run_trainer_group (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), CO2S_TRAINER_GROUP);
  return self->n_extra > 0 ? CO2S_SUPERVISOR_SCALE_OUT_GROUP : CO2S_TRAINER_GROUP;
}

gboolean
co2s_supervisor_get_active (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  return self->active;
}

const char *
co2s_supervisor_get_bootstrap_servers (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  return self->bootstrap_servers;
}

const char *
co2s_supervisor_get_api_url (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  return self->api_url;
}

Co2sBackend
co2s_supervisor_get_backend (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), CO2S_BACKEND_LOCAL);
  return self->settings.backend;
}

void
co2s_supervisor_set_backend (Co2sSupervisor *self,
                             Co2sBackend backend)
{
  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (backend == CO2S_BACKEND_LOCAL || backend == CO2S_BACKEND_COMPOSE);

  if (self->settings.backend == backend)
    return;
  self->settings.backend = backend;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKEND]);
}

void
co2s_supervisor_start_async (Co2sSupervisor *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  co2s_supervisor_start_service_async (self, CO2S_SERVICE_PRODUCER, cancellable, callback, user_data);
}

gboolean
co2s_supervisor_start_finish (Co2sSupervisor *self,
                              GAsyncResult *result,
                              GError **error)
{
  return co2s_supervisor_start_service_finish (self, result, error);
}

void
co2s_supervisor_stop_async (Co2sSupervisor *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  co2s_supervisor_stop_service_async (self, CO2S_SERVICE_BROKER, cancellable, callback, user_data);
}

gboolean
co2s_supervisor_stop_finish (Co2sSupervisor *self,
                             GAsyncResult *result,
                             GError **error)
{
  return co2s_supervisor_stop_service_finish (self, result, error);
}

void
co2s_supervisor_start_service_async (Co2sSupervisor *self,
                                     Co2sServiceKind kind,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (kind < CO2S_N_SERVICES);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_start_service_async);
  _co2s_supervisor_begin_start (self, task, OP_START, kind, NULL);
}

gboolean
co2s_supervisor_start_service_finish (Co2sSupervisor *self,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_start_service_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
co2s_supervisor_stop_service_async (Co2sSupervisor *self,
                                    Co2sServiceKind kind,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (kind < CO2S_N_SERVICES);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_stop_service_async);
  _co2s_supervisor_begin_stop (self, task, kind, NULL);
}

gboolean
co2s_supervisor_stop_service_finish (Co2sSupervisor *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_stop_service_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
co2s_supervisor_retrain_async (Co2sSupervisor *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_retrain_async);
  _co2s_supervisor_begin_start (self, task, OP_RETRAIN, CO2S_SERVICE_TRAINER, NULL);
}

gboolean
co2s_supervisor_retrain_finish (Co2sSupervisor *self,
                                GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_retrain_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Internal API (co2s-supervisor-private.h) ---------------------------- */

void
_co2s_supervisor_begin_trainer_op (Co2sSupervisor *self,
                                   GTask *task,
                                   gboolean stop,
                                   Co2sService *trainer)
{
  if (stop)
    _co2s_supervisor_begin_stop (self, task, CO2S_SERVICE_TRAINER, trainer);
  else
    _co2s_supervisor_begin_start (self, task, OP_START, CO2S_SERVICE_TRAINER, trainer);
}

void
_co2s_supervisor_update_bootstrap_servers (Co2sSupervisor *self,
                                           const char *value)
{
  set_string_property (self, &self->bootstrap_servers, value, PROP_BOOTSTRAP_SERVERS);
}

void
_co2s_supervisor_update_api_url (Co2sSupervisor *self,
                                 const char *value)
{
  set_string_property (self, &self->api_url, value, PROP_API_URL);
}
