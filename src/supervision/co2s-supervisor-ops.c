/* co2s-supervisor-ops.c — the supervisor's pending operations: the
 * GTasks of Start, Stop, Retrain and of one service or trainer, their
 * completion checks, and the dispatch of a Start or Stop between the
 * local process backend and Docker Compose. */
#define G_LOG_DOMAIN "co2s-supervisor"

#include "co2s-supervisor-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "co2s-contracts.h"

/* docker-compose.yml publishes Kafka's HOST listener and the API on these
 * ports of the loopback, or on CO2S_KAFKA_PORT and CO2S_API_PORT, which it
 * reads from the environment the Compose calls inherit from us. */
#define COMPOSE_KAFKA_PORT_DEFAULT 9092
#define COMPOSE_API_PORT_DEFAULT   8000

typedef struct
{
  OpKind kind;
  guint first;                 /* OP_STOP: services first..N-1 */
  guint last;                  /* OP_START/RETRAIN: services 0..last */
  guint64 serial;              /* OP_RETRAIN */
  Co2sServiceSlot *one;        /* one trainer of several: the only trainer
                                * started (OP_START) or the only service
                                * stopped (OP_STOP); NULL: all */
} Op;

/* ---- Tasks -------------------------------------------------------------- */

static void
add_task (Co2sSupervisor *self,
          GTask *task,
          OpKind kind,
          guint first,
          guint last,
          Co2sServiceSlot *one)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->first = first;
  op->last = last;
  op->one = one;
  op->serial = self->retrain_requested;
  g_task_set_task_data (task, op, g_free);
  g_ptr_array_add (self->tasks, g_object_ref (task));
}

/* Returns TRUE when @task is complete; then sets *error for a failure. */
static gboolean
task_check (Co2sSupervisor *self,
            GTask *task,
            GError **error)
{
  Op *op = g_task_get_task_data (task);

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), error))
    return TRUE;

  if (op->kind == OP_STOP)
    {
      guint first = op->one != NULL ? _co2s_supervisor_slot_position (self, op->one)
                                    : _co2s_supervisor_first_position (self, op->first);
      guint end = op->one != NULL ? first + 1 : _co2s_supervisor_n_slots (self);

      for (guint i = first; i < end; i++)
        {
          Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);

          if (s->wanted)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("Stop was interrupted by Start"));
              return TRUE;
            }
          if (co2s_service_has_process (s->service) || s->restart_source != 0)
            return FALSE;
        }
      return TRUE;
    }

  for (guint i = 0; i <= _co2s_supervisor_last_position (self, op->last); i++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);

      if (!co2s_service_get_enabled (s->service) ||
          (op->one != NULL && s->kind == CO2S_SERVICE_TRAINER && s != op->one))
        continue;

      if (!s->wanted)
        {
          if (co2s_service_get_state (s->service) == CO2S_SERVICE_STATE_FAILED)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s",
                         co2s_service_get_title (s->service),
                         co2s_service_get_message (s->service) ? co2s_service_get_message (s->service) : _("failed"));
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("Start was interrupted by Stop"));
          return TRUE;
        }
      if (!_co2s_service_slot_is_up (s))
        return FALSE;
    }

  if (op->kind == OP_RETRAIN && self->retrain_done < op->serial)
    return FALSE;

  return TRUE;
}

void
_co2s_supervisor_check_tasks (Co2sSupervisor *self)
{
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new ();

  for (guint i = 0; i < self->tasks->len;)
    {
      GTask *task = g_ptr_array_index (self->tasks, i);
      GError *error = NULL;

      if (task_check (self, task, &error))
        {
          g_ptr_array_add (done, g_ptr_array_steal_index (self->tasks, i));
          g_ptr_array_add (errors, error);
        }
      else
        i++;
    }

  /* Callbacks may call back into us: only now that the list is consistent. */
  for (guint i = 0; i < done->len; i++)
    {
      GError *error = g_ptr_array_index (errors, i);

      if (error != NULL)
        g_task_return_error (g_ptr_array_index (done, i), error);
      else
        g_task_return_boolean (g_ptr_array_index (done, i), TRUE);
    }
}

static void
on_task_cancelled (Co2sSupervisor *self)
{
  _co2s_supervisor_queue_reconcile (self);
}

/* ---- Starting and stopping ---------------------------------------------- */

/* The port the compose file publishes from @variable in the environment
 * (as Compose reads it), else @fallback. */
static guint
compose_port (const char *variable,
              guint fallback)
{
  const char *text = g_getenv (variable);
  guint64 port;

  if (text == NULL || text[0] == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &port, NULL))
    {
      g_message ("%s=%s is not a port number: following port %u", variable, text, fallback);
      return fallback;
    }
  return (guint) port;
}

/* Takes the settings for a new run if nothing runs. */
static void
maybe_snapshot (Co2sSupervisor *self)
{
  Co2sServiceSlot *broker = &self->slots[CO2S_SERVICE_BROKER];

  if (!_co2s_supervisor_pipeline_is_idle (self))
    return;

  _co2s_supervisor_settings_copy (&self->run, &self->settings);
  self->run_embedded = self->run.backend == CO2S_BACKEND_LOCAL &&
                       self->run.broker_kind == CO2S_BROKER_EMBEDDED;
  self->run_local_kafka = self->run.backend == CO2S_BACKEND_LOCAL &&
                          self->run.broker_kind == CO2S_BROKER_LOCAL_KAFKA;
  g_clear_pointer (&self->prepared_for, g_free);
  _co2s_supervisor_sync_extra_trainers (self);

  co2s_service_set_enabled (broker->service, self->run.backend == CO2S_BACKEND_COMPOSE ||
                                             self->run_embedded || self->run_local_kafka);
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    co2s_service_set_health (self->slots[i].service, NULL);

  if (self->run.backend == CO2S_BACKEND_COMPOSE)
    {
      g_autofree char *bootstrap = g_strdup_printf ("localhost:%u",
                                                    compose_port ("CO2S_KAFKA_PORT", COMPOSE_KAFKA_PORT_DEFAULT));
      g_autofree char *api_url = g_strdup_printf ("http://127.0.0.1:%u",
                                                  compose_port ("CO2S_API_PORT", COMPOSE_API_PORT_DEFAULT));

      _co2s_supervisor_update_bootstrap_servers (self, bootstrap);
      _co2s_supervisor_update_api_url (self, api_url);
    }
  else if (!self->run_embedded && !self->run_local_kafka)
    {
      g_autofree char *message = g_strdup_printf (_("Not used: the pipeline uses the Kafka at %s"),
                                                  self->run.broker_address ? self->run.broker_address : "");
      co2s_service_set_state (broker->service, CO2S_SERVICE_STATE_STOPPED, message);
      _co2s_supervisor_update_bootstrap_servers (self, self->run.broker_address);
      _co2s_supervisor_update_api_url (self, NULL);
    }
  else
    {
      _co2s_supervisor_update_bootstrap_servers (self, NULL);
      _co2s_supervisor_update_api_url (self, NULL);
    }
  _co2s_supervisor_update_broker_description (self);
}

static void
compose_done_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  gboolean ok;

  if (GPOINTER_TO_INT (g_task_get_task_data (task)) == OP_STOP)
    ok = co2s_compose_stop_finish (CO2S_COMPOSE (source), result, &error);
  else
    ok = co2s_compose_start_finish (CO2S_COMPOSE (source), result, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* @alone: NULL, or one trainer to start alone (with the services before
 * the trainers), see co2s_supervisor_start_trainer_async(). */
void
_co2s_supervisor_begin_start (Co2sSupervisor *self,
             GTask *task,
             OpKind kind,
             guint last,
             Co2sService *alone)
{
  Co2sServiceSlot *one = NULL;
  GError *error = NULL;

  maybe_snapshot (self);

  if (alone != NULL && !_co2s_supervisor_resolve_trainer (self, alone, &one, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->run.backend == CO2S_BACKEND_COMPOSE)
    {
      if (kind == OP_RETRAIN)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                   _("Retraining from the start is only available with local processes"));
          return;
        }
      co2s_compose_configure (self->compose, self->run.compose_file, self->docker_timeout,
                              self->compose_up_timeout, self->compose_poll_interval, self->stop_timeout);
      {
        /* The models the app's settings choose, for the compose file's trainer. */
        g_autofree char *algo = g_strconcat ("CO2S_ALGO=", self->run.algo, NULL);
        const char *env[] = { algo, NULL };

        co2s_compose_set_environment (self->compose, env);
      }
      g_task_set_task_data (task, GINT_TO_POINTER (OP_START), NULL);
      co2s_compose_start_async (self->compose, last, g_task_get_cancellable (task),
                                compose_done_cb, g_object_ref (task));
      return;
    }

  if (self->run.broker_kind == CO2S_BROKER_EXISTING &&
      (self->run.broker_address == NULL || self->run.broker_address[0] == '\0') &&
      _co2s_supervisor_pipeline_is_idle (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("No address for the existing Kafka: enter its HOST:PORT in Preferences, "
                                 "or choose the Kafka on this computer"));
      return;
    }

  if (self->n_extra > 0 && _co2s_supervisor_pipeline_is_idle (self))
    {
      g_autofree char *why = _co2s_supervisor_several_trainers_refusal (self);

      if (why != NULL)
        {
          g_message ("trainer: %s", why);
          co2s_service_set_state (self->slots[CO2S_SERVICE_TRAINER].service, CO2S_SERVICE_STATE_FAILED, why);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", why);
          return;
        }
    }
  if (kind == OP_RETRAIN && self->n_extra > 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Retraining from the start is not available with several trainers: "
                                 "their saved states are shared in Kafka. Stop, then choose one trainer "
                                 "or reset the local broker's data."));
      return;
    }

  for (guint i = 0; i <= _co2s_supervisor_last_position (self, last); i++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);

      if (!co2s_service_get_enabled (s->service) || s->wanted ||
          (one != NULL && s->kind == CO2S_SERVICE_TRAINER && s != one))
        continue;
      s->wanted = TRUE;
      s->relaunch = FALSE;
      s->backoff_ms = self->restart_delay_initial;
      co2s_service_set_restart_count (s->service, 0);
      co2s_service_set_stop_timeout (s->service, s->kind == CO2S_SERVICE_BROKER && self->run_local_kafka
                                                   ? self->kafka_stop_timeout : self->stop_timeout);
    }

  if (kind == OP_RETRAIN)
    {
      Co2sServiceSlot *trainer = &self->slots[CO2S_SERVICE_TRAINER];

      self->retrain_requested++;
      if (co2s_service_has_process (trainer->service))
        trainer->must_restart = TRUE;
    }

  add_task (self, task, kind, 0, last, one);
  if (g_task_get_cancellable (task) != NULL)
    g_signal_connect_object (g_task_get_cancellable (task), "cancelled",
                             G_CALLBACK (on_task_cancelled), self, G_CONNECT_SWAPPED);
  _co2s_supervisor_queue_reconcile (self);
}

/* @trainer: NULL, or one trainer to stop alone, see
 * co2s_supervisor_stop_trainer_async(). */
void
_co2s_supervisor_begin_stop (Co2sSupervisor *self,
            GTask *task,
            guint first,
            Co2sService *trainer)
{
  Co2sServiceSlot *one = NULL;
  GError *error = NULL;

  if (trainer != NULL && !_co2s_supervisor_resolve_trainer (self, trainer, &one, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (one != NULL)
    {
      _co2s_service_slot_unwant_alone (one);
      add_task (self, task, OP_STOP, CO2S_SERVICE_TRAINER, CO2S_N_SERVICES - 1, one);
      if (g_task_get_cancellable (task) != NULL)
        g_signal_connect_object (g_task_get_cancellable (task), "cancelled",
                                 G_CALLBACK (on_task_cancelled), self, G_CONNECT_SWAPPED);
      _co2s_supervisor_queue_reconcile (self);
      return;
    }

  if (self->run.backend == CO2S_BACKEND_COMPOSE)
    {
      g_task_set_task_data (task, GINT_TO_POINTER (OP_STOP), NULL);
      co2s_compose_stop_async (self->compose, first, g_task_get_cancellable (task),
                               compose_done_cb, g_object_ref (task));
      return;
    }

  if (first <= CO2S_SERVICE_TRAINER)
    _co2s_supervisor_cancel_prepare (self);
  for (guint i = _co2s_supervisor_first_position (self, first); i < _co2s_supervisor_n_slots (self); i++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);

      s->wanted = FALSE;
      s->relaunch = FALSE;
      s->must_restart = FALSE;
      if (s->restart_source != 0)
        {
          _co2s_service_slot_cancel_restart (s);
          co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STOPPED, NULL);
        }
    }

  add_task (self, task, OP_STOP, first, CO2S_N_SERVICES - 1, NULL);
  if (g_task_get_cancellable (task) != NULL)
    g_signal_connect_object (g_task_get_cancellable (task), "cancelled",
                             G_CALLBACK (on_task_cancelled), self, G_CONNECT_SWAPPED);
  _co2s_supervisor_queue_reconcile (self);
}
