/* co2s-pipeline-controller.c — the pipeline's state machine, without GTK:
 * properties, state, Start / Stop / Retrain / shutdown (what it follows is
 * in co2s-pipeline-controller-follow.c). */
#define G_LOG_DOMAIN "co2s-pipeline-controller"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-pipeline-controller-private.h"

#include <glib/gi18n-lib.h>

#include "co2s-contracts.h"

G_DEFINE_FINAL_TYPE (Co2sPipelineController, co2s_pipeline_controller, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (Co2sPipelineState, co2s_pipeline_state,
  G_DEFINE_ENUM_VALUE (CO2S_PIPELINE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CO2S_PIPELINE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CO2S_PIPELINE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (CO2S_PIPELINE_STOPPING, "stopping"),
  G_DEFINE_ENUM_VALUE (CO2S_PIPELINE_FAILED, "failed"))

static GParamSpec *properties[N_PROPS];

/* ---- state ----------------------------------------------------------------- */

void
_co2s_pipeline_controller_notify (Co2sPipelineController *self,
                                  guint prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
_co2s_pipeline_controller_set_last_error (Co2sPipelineController *self,
                                          const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_flag (Co2sPipelineController *self,
          gboolean *field,
          gboolean value,
          guint prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static Co2sPipelineState
compute_state (Co2sPipelineController *self)
{
  GListModel *services = co2s_supervisor_get_services (self->supervisor);
  gboolean active = co2s_supervisor_get_active (self->supervisor);
  gboolean any_failed = FALSE;
  gboolean all_running = TRUE;
  guint n_running = 0;

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);
      Co2sServiceState st = co2s_service_get_state (service);

      if (!co2s_service_get_enabled (service))
        continue;
      if (st == CO2S_SERVICE_STATE_FAILED)
        any_failed = TRUE;
      if (st == CO2S_SERVICE_STATE_RUNNING || st == CO2S_SERVICE_STATE_UNHEALTHY)
        n_running++;
      /* Outside a Start, a service the user stopped on its own (one
       * trainer of several, say) leaves the others running, not starting. */
      else if (st != CO2S_SERVICE_STATE_STOPPED || self->starting)
        all_running = FALSE;
    }

  /* A Start in progress wins over the failure of the previous one (the
   * supervisor keeps FAILED services until it gets to them again). */
  if (self->stopping)
    return CO2S_PIPELINE_STOPPING;
  if (self->starting && !all_running)
    return CO2S_PIPELINE_STARTING;
  if (any_failed)
    return CO2S_PIPELINE_FAILED;
  if (active && all_running && n_running > 0)
    return CO2S_PIPELINE_RUNNING;
  if (self->starting || active)
    return CO2S_PIPELINE_STARTING;
  return CO2S_PIPELINE_STOPPED;
}

/* Recomputes "state" and the "can-*" flags; notifies once all are set. */
static void
update_state (Co2sPipelineController *self)
{
  Co2sPipelineState state = compute_state (self);
  gboolean active = co2s_supervisor_get_active (self->supervisor);
  gboolean busy = self->stopping || self->shutting_down;

  g_object_freeze_notify (G_OBJECT (self));
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  /* (the supervisor becomes active a moment after a Start began) */
  set_flag (self, &self->can_start, !active && !self->starting && !busy && !self->dataset_missing,
            PROP_CAN_START);
  set_flag (self, &self->can_stop, (active || self->starting) && !self->shutting_down, PROP_CAN_STOP);
  set_flag (self, &self->can_retrain,
            self->backend == CO2S_BACKEND_LOCAL && !busy && !self->dataset_missing, PROP_CAN_RETRAIN);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
service_state_cb (GObject *service,
                  GParamSpec *pspec,
                  gpointer user_data)
{
  update_state (CO2S_PIPELINE_CONTROLLER (user_data));
}

/* The extra trainer rows of a run of several trainers come and go: their
 * states count too. */
static void
services_changed_cb (GListModel *services,
                     guint position,
                     guint removed,
                     guint added,
                     gpointer user_data)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (user_data);

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);

      g_signal_handlers_disconnect_by_func (service, service_state_cb, self);
      g_signal_connect_object (service, "notify::state", G_CALLBACK (service_state_cb), self, 0);
      g_signal_connect_object (service, "notify::enabled", G_CALLBACK (service_state_cb), self, 0);
    }
  update_state (self);
}

static void
supervisor_active_cb (Co2sSupervisor *supervisor,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  update_state (CO2S_PIPELINE_CONTROLLER (user_data));
}

/* ---- configuration --------------------------------------------------------- */

/* @value, or when NULL the default of the supervisor's @property. */
static const char *
path_in_use (Co2sPipelineController *self,
             const char *value,
             const char *property)
{
  GParamSpec *pspec;

  if (value != NULL)
    return value;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self->supervisor), property);
  g_assert (pspec != NULL);
  return g_value_get_string (g_param_spec_get_default_value (pspec));
}

/* The configuration asks for the embedded broker (local backend; the
 * broker's kind is the supervisor's setting). */
static gboolean
uses_embedded_broker (Co2sPipelineController *self)
{
  Co2sBrokerKind kind;

  g_object_get (self->supervisor, "broker-kind", &kind, NULL);
  return self->backend == CO2S_BACKEND_LOCAL && kind == CO2S_BROKER_EMBEDDED;
}

/* The configuration, as the supervisor's settings for the next Start. */
static void
apply_settings (Co2sPipelineController *self)
{
  g_object_set (self->supervisor,
                "backend", self->backend,
                "broker-address", self->broker_address,
                "api-rate", self->api_rate,
                "batch-rows", self->batch_rows,
                "algo", self->algo,
                "dataset", self->dataset,
                "model-dir", self->model_dir,
                "compose-file", self->compose_file,
                "trainers", self->trainers,
                NULL);
}

/* How many trainers the model folder is for: the running pipeline's, else
 * the next Start's. */
static guint
folder_trainers (Co2sPipelineController *self)
{
  if (co2s_supervisor_get_active (self->supervisor))
    return co2s_supervisor_get_run_trainers (self->supervisor);
  return self->backend == CO2S_BACKEND_LOCAL ? self->trainers : 1;
}

/* A group watch made for the pipeline watches its trainers' group. */
static void
group_watch_cb (GObject *object,
                GParamSpec *pspec,
                gpointer user_data)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  if (self->group_watch != NULL)
    co2s_group_watch_set_group (self->group_watch, co2s_supervisor_get_run_trainer_group (self->supervisor));
}

/* Sets *@field to a copy of @value; TRUE when it changed (then notified). */
static gboolean
set_string (Co2sPipelineController *self,
            char **field,
            const char *value,
            guint prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

/* ---- start, stop, retrain -------------------------------------------------- */

static void
start_cb (GObject *source,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr(Co2sPipelineController) self = CO2S_PIPELINE_CONTROLLER (user_data);
  g_autoptr(GError) error = NULL;

  self->starting = FALSE;
  if (!co2s_supervisor_start_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The pipeline could not start: %s"), error->message);

      g_message ("%s", message);
      _co2s_pipeline_controller_set_last_error (self, message);
    }
  update_state (self);
}

static void
complete_stop_waiters (Co2sPipelineController *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->stop_waiters);

  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
}

static void
stop_cb (GObject *source,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr(Co2sPipelineController) self = CO2S_PIPELINE_CONTROLLER (user_data);
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_stop_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Stop failed: %s", error->message);

  self->stopping = FALSE;
  update_state (self);
  complete_stop_waiters (self);
}

/* Second step of a Stop: the follower has left its group; the broker may go. */
static void
follower_left_then_stop_cb (GObject *source,
                            GAsyncResult *result,
                            gpointer user_data)
{
  g_autoptr(Co2sPipelineController) self = CO2S_PIPELINE_CONTROLLER (user_data);

  _co2s_pipeline_controller_follower_left (source, result, NULL);
  co2s_supervisor_stop_async (self->supervisor, NULL, stop_cb, g_object_ref (self));
}

static void
stop_pipeline (Co2sPipelineController *self)
{
  g_assert (!self->stopping);

  self->stopping = TRUE;
  self->starting = FALSE;
  /* The consumer leaves its group while the broker is still up. */
  if (self->follower != NULL)
    _co2s_pipeline_controller_stop_follower (self, follower_left_then_stop_cb, g_object_ref (self));
  else
    co2s_supervisor_stop_async (self->supervisor, NULL, stop_cb, g_object_ref (self));
  update_state (self);
}

static void
retrain_cb (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr(Co2sPipelineController) self = CO2S_PIPELINE_CONTROLLER (user_data);
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_retrain_finish (CO2S_SUPERVISOR (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Retraining failed: %s"), error->message);

      g_message ("%s", message);
      _co2s_pipeline_controller_set_last_error (self, message);
    }
  update_state (self);
}

static void
shutdown_follower_left_cb (GObject *source,
                           GAsyncResult *result,
                           gpointer user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);

  _co2s_pipeline_controller_follower_left (source, result, NULL);
  g_task_return_boolean (task, TRUE);
}

/* ---- lifecycle ------------------------------------------------------------- */

static void
co2s_pipeline_controller_constructed (GObject *object)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  G_OBJECT_CLASS (co2s_pipeline_controller_parent_class)->constructed (object);

  if (self->supervisor == NULL)
    self->supervisor = co2s_supervisor_new ();
  if (self->history == NULL)
    self->history = co2s_metrics_history_new ();

  g_signal_connect (self->supervisor, "notify::active", G_CALLBACK (supervisor_active_cb), self);
  g_signal_connect (self, "notify::group-watch", G_CALLBACK (group_watch_cb), NULL);
  g_signal_connect (co2s_supervisor_get_services (self->supervisor), "items-changed",
                    G_CALLBACK (services_changed_cb), self);
  g_signal_connect (self->supervisor, "notify::bootstrap-servers",
                    G_CALLBACK (_co2s_pipeline_controller_bootstrap_servers_cb), self);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (self->supervisor, i);

      g_signal_connect (service, "notify::state", G_CALLBACK (service_state_cb), self);
      g_signal_connect (service, "notify::enabled", G_CALLBACK (service_state_cb), self);
    }

  co2s_pipeline_controller_recheck_dataset (self);
  update_state (self);
}

static void
co2s_pipeline_controller_dispose (GObject *object)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  if (self->supervisor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->supervisor, self);
      g_signal_handlers_disconnect_by_data (co2s_supervisor_get_services (self->supervisor), self);
      for (guint i = 0; i < CO2S_N_SERVICES; i++)
        g_signal_handlers_disconnect_by_data (co2s_supervisor_get_service (self->supervisor, i), self);
    }
  if (self->follower != NULL)
    g_signal_handlers_disconnect_by_data (self->follower, self);
  _co2s_pipeline_controller_watch_dataset (self, NULL);
  /* Its dispose stops it without blocking. */
  g_clear_object (&self->group_watch);
  _co2s_pipeline_controller_cancel_load (self);

  /* The follower's dispose stops it (blocking briefly) if nobody did. */
  g_clear_object (&self->follower);
  g_clear_object (&self->supervisor);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (co2s_pipeline_controller_parent_class)->dispose (object);
}

static void
co2s_pipeline_controller_finalize (GObject *object)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  /* Every waiter holds a reference on @self: none can be left. */
  g_assert (self->stop_waiters->len == 0);
  g_ptr_array_unref (self->stop_waiters);
  g_free (self->follower_brokers);
  g_free (self->history_path);
  g_free (self->dataset_watched);
  g_free (self->broker_address);
  g_free (self->algo);
  g_free (self->dataset);
  g_free (self->model_dir);
  g_free (self->compose_file);
  g_free (self->last_error);

  G_OBJECT_CLASS (co2s_pipeline_controller_parent_class)->finalize (object);
}

static void
co2s_pipeline_controller_get_property (GObject *object,
                                       guint prop_id,
                                       GValue *value,
                                       GParamSpec *pspec)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_SUPERVISOR:      g_value_set_object (value, self->supervisor); break;
    case PROP_HISTORY:         g_value_set_object (value, self->history); break;
    case PROP_BACKEND:         g_value_set_enum (value, self->backend); break;
    case PROP_BROKER_ADDRESS:  g_value_set_string (value, self->broker_address); break;
    case PROP_API_RATE:        g_value_set_double (value, self->api_rate); break;
    case PROP_BATCH_ROWS:      g_value_set_uint (value, self->batch_rows); break;
    case PROP_ALGO:            g_value_set_string (value, self->algo); break;
    case PROP_DATASET:         g_value_set_string (value, self->dataset); break;
    case PROP_MODEL_DIR:       g_value_set_string (value, self->model_dir); break;
    case PROP_COMPOSE_FILE:    g_value_set_string (value, self->compose_file); break;
    case PROP_STATE:           g_value_set_enum (value, self->state); break;
    case PROP_LAST_ERROR:      g_value_set_string (value, self->last_error); break;
    case PROP_DATASET_MISSING: g_value_set_boolean (value, self->dataset_missing); break;
    case PROP_FOLLOWER:        g_value_set_object (value, self->follower); break;
    case PROP_GROUP_WATCH:     g_value_set_object (value, self->group_watch); break;
    case PROP_CAN_START:       g_value_set_boolean (value, self->can_start); break;
    case PROP_CAN_STOP:        g_value_set_boolean (value, self->can_stop); break;
    case PROP_CAN_RETRAIN:     g_value_set_boolean (value, self->can_retrain); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_pipeline_controller_set_property (GObject *object,
                                       guint prop_id,
                                       const GValue *value,
                                       GParamSpec *pspec)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (object);

  /* The configuration is set after constructed (not construct properties):
   * the supervisor and the history exist by then. */
  switch (prop_id)
    {
    case PROP_SUPERVISOR:
      self->supervisor = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_BACKEND:
      if (self->backend != (Co2sBackend) g_value_get_enum (value))
        {
          self->backend = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
          co2s_pipeline_controller_recheck_dataset (self);
        }
      break;
    case PROP_BROKER_ADDRESS:
      {
        g_autofree char *address = g_strdup (g_value_get_string (value));

        set_string (self, &self->broker_address, address != NULL ? g_strstrip (address) : NULL, prop_id);
      }
      break;
    case PROP_API_RATE:
      if (self->api_rate != g_value_get_double (value))
        {
          self->api_rate = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BATCH_ROWS:
      if (self->batch_rows != g_value_get_uint (value))
        {
          self->batch_rows = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_ALGO:
      set_string (self, &self->algo, g_value_get_string (value), prop_id);
      break;
    case PROP_DATASET:
      if (set_string (self, &self->dataset, g_value_get_string (value), prop_id))
        co2s_pipeline_controller_recheck_dataset (self);
      break;
    case PROP_MODEL_DIR:
      if (set_string (self, &self->model_dir, g_value_get_string (value), prop_id) &&
          !co2s_supervisor_get_active (self->supervisor))
        _co2s_pipeline_controller_load_metrics (self);
      break;
    case PROP_COMPOSE_FILE:
      set_string (self, &self->compose_file, g_value_get_string (value), prop_id);
      break;
    case PROP_TRAINERS:
      if (self->trainers != g_value_get_uint (value))
        {
          gboolean was_several = self->trainers > 1;

          self->trainers = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
          /* Another folder: its metrics.jsonl, as for "model-dir". */
          if (was_several != (self->trainers > 1) && !co2s_supervisor_get_active (self->supervisor))
            _co2s_pipeline_controller_load_metrics (self);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
path_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
flag_property (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
co2s_pipeline_controller_class_init (Co2sPipelineControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = co2s_pipeline_controller_constructed;
  object_class->dispose = co2s_pipeline_controller_dispose;
  object_class->finalize = co2s_pipeline_controller_finalize;
  object_class->get_property = co2s_pipeline_controller_get_property;
  object_class->set_property = co2s_pipeline_controller_set_property;

  properties[PROP_SUPERVISOR] =
    g_param_spec_object ("supervisor", NULL, NULL, CO2S_TYPE_SUPERVISOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CO2S_TYPE_METRICS_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BACKEND] =
    g_param_spec_enum ("backend", NULL, NULL, CO2S_TYPE_BACKEND, CO2S_BACKEND_LOCAL, rw);
  properties[PROP_BROKER_ADDRESS] = path_property ("broker-address");
  properties[PROP_API_RATE] = g_param_spec_double ("api-rate", NULL, NULL, 0, G_MAXDOUBLE, 50, rw);
  properties[PROP_BATCH_ROWS] = g_param_spec_uint ("batch-rows", NULL, NULL, 1, G_MAXUINT, 100, rw);
  properties[PROP_ALGO] = g_param_spec_string ("algo", NULL, NULL, "ls", rw);
  properties[PROP_DATASET] = path_property ("dataset");
  properties[PROP_MODEL_DIR] = path_property ("model-dir");
  properties[PROP_COMPOSE_FILE] = path_property ("compose-file");
  properties[PROP_TRAINERS] =
    g_param_spec_uint ("trainers", NULL, NULL, 1, CO2S_SUPERVISOR_MAX_TRAINERS, 1, rw | G_PARAM_CONSTRUCT);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CO2S_TYPE_PIPELINE_STATE, CO2S_PIPELINE_STOPPED, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_DATASET_MISSING] = flag_property ("dataset-missing");
  properties[PROP_FOLLOWER] =
    g_param_spec_object ("follower", NULL, NULL, CO2S_TYPE_METRICS_FOLLOWER, ro);
  properties[PROP_GROUP_WATCH] =
    g_param_spec_object ("group-watch", NULL, NULL, CO2S_TYPE_GROUP_WATCH, ro);
  properties[PROP_CAN_START] = flag_property ("can-start");
  properties[PROP_CAN_STOP] = flag_property ("can-stop");
  properties[PROP_CAN_RETRAIN] = flag_property ("can-retrain");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_pipeline_controller_init (Co2sPipelineController *self)
{
  self->backend = CO2S_BACKEND_LOCAL;
  self->api_rate = 50;
  self->batch_rows = 100;
  self->algo = g_strdup ("ls");
  self->state = CO2S_PIPELINE_STOPPED;
  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---- public API ------------------------------------------------------------ */

const char *
co2s_pipeline_state_to_label (Co2sPipelineState state)
{
  switch (state)
    {
    case CO2S_PIPELINE_STOPPED:
      return C_("pipeline state", "Stopped");
    case CO2S_PIPELINE_STARTING:
      return C_("pipeline state", "Starting…");
    case CO2S_PIPELINE_RUNNING:
      return C_("pipeline state", "Running");
    case CO2S_PIPELINE_STOPPING:
      return C_("pipeline state", "Stopping…");
    case CO2S_PIPELINE_FAILED:
      return C_("pipeline state", "Failed");
    default:
      g_return_val_if_reached ("");
    }
}

Co2sPipelineController *
co2s_pipeline_controller_new (Co2sSupervisor *supervisor,
                              Co2sMetricsHistory *history)
{
  g_return_val_if_fail (supervisor == NULL || CO2S_IS_SUPERVISOR (supervisor), NULL);
  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  return g_object_new (CO2S_TYPE_PIPELINE_CONTROLLER,
                       "supervisor", supervisor,
                       "history", history,
                       NULL);
}

Co2sSupervisor *
co2s_pipeline_controller_get_supervisor (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  return self->supervisor;
}

Co2sMetricsHistory *
co2s_pipeline_controller_get_history (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  return self->history;
}

Co2sMetricsFollower *
co2s_pipeline_controller_get_follower (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  return self->follower;
}

Co2sGroupWatch *
co2s_pipeline_controller_get_group_watch (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  return self->group_watch;
}

Co2sPipelineState
co2s_pipeline_controller_get_state (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), CO2S_PIPELINE_STOPPED);

  return self->state;
}

const char *
co2s_pipeline_controller_get_last_error (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  return self->last_error;
}

gboolean
co2s_pipeline_controller_get_dataset_missing (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), FALSE);

  return self->dataset_missing;
}

gboolean
co2s_pipeline_controller_get_can_start (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), FALSE);

  return self->can_start;
}

gboolean
co2s_pipeline_controller_get_can_stop (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), FALSE);

  return self->can_stop;
}

gboolean
co2s_pipeline_controller_get_can_retrain (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), FALSE);

  return self->can_retrain;
}

char *
co2s_pipeline_controller_dup_metrics_path (Co2sPipelineController *self)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  g_autofree char *folder = NULL;

  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  folder = co2s_pipeline_controller_dup_model_folder (self);
  return g_build_filename (folder, CO2S_METRICS_FILE, NULL);
}

char *
co2s_pipeline_controller_dup_model_folder (Co2sPipelineController *self)
{
  const char *base;

  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), NULL);

  base = path_in_use (self, self->model_dir, "model-dir");
  if (folder_trainers (self) > 1)
    return g_build_filename (base, CO2S_SUPERVISOR_SCALE_OUT_DIR, NULL);
  return g_strdup (base);
}

void
co2s_pipeline_controller_start (Co2sPipelineController *self)
{
  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));

  co2s_pipeline_controller_recheck_dataset (self);
  if (!self->can_start)
    return;

  _co2s_pipeline_controller_set_last_error (self, NULL);
  apply_settings (self);
  if (uses_embedded_broker (self))
    {
      /* A new embedded broker means a new model: the trainer starts with
       * --reset and empties metrics.jsonl. The old batches go; the
       * follower reads every batch of this run from the broker. */
      _co2s_pipeline_controller_cancel_load (self);
      g_free (self->history_path);
      self->history_path = co2s_pipeline_controller_dup_metrics_path (self);
      co2s_metrics_history_clear (self->history);
    }
  else
    {
      /* The model folder may have changed since the last read. */
      _co2s_pipeline_controller_load_metrics (self);
    }

  self->starting = TRUE;
  co2s_supervisor_start_async (self->supervisor, NULL, start_cb, g_object_ref (self));
  update_state (self);
}

void
co2s_pipeline_controller_stop (Co2sPipelineController *self)
{
  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));

  if (!self->can_stop || self->stopping)
    return;

  stop_pipeline (self);
}

void
co2s_pipeline_controller_retrain (Co2sPipelineController *self)
{
  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));

  if (!self->can_retrain)
    return;

  _co2s_pipeline_controller_set_last_error (self, NULL);
  if (!co2s_supervisor_get_active (self->supervisor))
    apply_settings (self);
  co2s_supervisor_retrain_async (self->supervisor, NULL, retrain_cb, g_object_ref (self));
  update_state (self);
}

void
co2s_pipeline_controller_shutdown_async (Co2sPipelineController *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_pipeline_controller_shutdown_async);

  self->shutting_down = TRUE;
  if (co2s_supervisor_get_active (self->supervisor) || self->starting || self->stopping)
    {
      /* Completed by stop_cb, the follower having left first. */
      g_ptr_array_add (self->stop_waiters, g_steal_pointer (&task));
      if (!self->stopping)
        stop_pipeline (self);
    }
  else if (self->follower != NULL)
    {
      _co2s_pipeline_controller_stop_follower (self, shutdown_follower_left_cb, g_steal_pointer (&task));
    }
  else
    {
      g_task_return_boolean (task, TRUE);
    }
  update_state (self);
}

gboolean
co2s_pipeline_controller_shutdown_finish (Co2sPipelineController *self,
                                          GAsyncResult *result,
                                          GError **error)
{
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
co2s_pipeline_controller_recheck_dataset (Co2sPipelineController *self)
{
  const char *path;
  gboolean missing;

  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));

  path = path_in_use (self, self->dataset, "dataset");
  missing = self->backend == CO2S_BACKEND_LOCAL && !g_file_test (path, G_FILE_TEST_IS_REGULAR);

  if (g_strcmp0 (path, self->dataset_watched) != 0)
    {
      _co2s_pipeline_controller_watch_dataset (self, path);
      g_free (self->dataset_watched);
      self->dataset_watched = g_strdup (path);
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_flag (self, &self->dataset_missing, missing, PROP_DATASET_MISSING);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
co2s_pipeline_controller_reload_metrics (Co2sPipelineController *self)
{
  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (self));

  _co2s_pipeline_controller_load_metrics (self);
}
