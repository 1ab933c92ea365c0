/* co2s-supervisor-trainers.c — a run of several trainers ("trainers" N > 1,
 * see co2s-supervisor.h): the slots in start order with the extra trainers
 * after the trainer's, their rows in the services list, what such a run
 * refuses, and starting or stopping one of them. Launching them and the data topic's partitions are in
 * co2s-supervisor-local.c. */
#define G_LOG_DOMAIN "co2s-supervisor"

#include "co2s-supervisor-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

guint
_co2s_supervisor_n_slots (Co2sSupervisor *self)
{
  return CO2S_N_SERVICES + self->n_extra;
}

Co2sServiceSlot *
_co2s_supervisor_slot_at (Co2sSupervisor *self,
                          guint position)
{
  g_assert (position < _co2s_supervisor_n_slots (self));

  if (position <= CO2S_SERVICE_TRAINER)
    return &self->slots[position];
  if (position <= CO2S_SERVICE_TRAINER + self->n_extra)
    return &self->extra[position - CO2S_SERVICE_TRAINER - 1];
  return &self->slots[position - self->n_extra];
}

guint
_co2s_supervisor_slot_position (Co2sSupervisor *self,
                                Co2sServiceSlot *s)
{
  if (s->kind == CO2S_SERVICE_TRAINER)
    return CO2S_SERVICE_TRAINER + s->ordinal;
  return s->kind < CO2S_SERVICE_TRAINER ? s->kind : s->kind + self->n_extra;
}

guint
_co2s_supervisor_first_position (Co2sSupervisor *self,
                                 Co2sServiceKind kind)
{
  return kind <= CO2S_SERVICE_TRAINER ? kind : kind + self->n_extra;
}

guint
_co2s_supervisor_last_position (Co2sSupervisor *self,
                                Co2sServiceKind kind)
{
  return kind < CO2S_SERVICE_TRAINER ? kind : kind + self->n_extra;
}

void
_co2s_service_slot_connect (Co2sServiceSlot *s)
{
  g_signal_connect (s->service, "ready", G_CALLBACK (_co2s_supervisor_on_service_ready), s);
  g_signal_connect (s->service, "exited", G_CALLBACK (_co2s_supervisor_on_service_exited), s);
}

void
_co2s_supervisor_sync_extra_trainers (Co2sSupervisor *self)
{
  Co2sService *added[CO2S_SUPERVISOR_MAX_TRAINERS - 1];
  guint old = self->n_extra;
  guint want = 0;

  if (self->run.backend == CO2S_BACKEND_LOCAL && self->run.trainers > 1)
    want = MIN (self->run.trainers, CO2S_SUPERVISOR_MAX_TRAINERS) - 1;
  if (want == old)
    return;

  for (guint k = 0; k < want; k++)
    {
      Co2sServiceSlot *s = &self->extra[k];

      if (s->service == NULL)
        {
          g_autofree char *name = g_strdup_printf ("trainer-%u", k + 2);
          /* Translators: a service row of one of several trainers, "Trainer 2" */
          g_autofree char *title = g_strdup_printf (_("Trainer %u"), k + 2);

          s->supervisor = self;
          s->kind = CO2S_SERVICE_TRAINER;
          s->ordinal = k + 1;
          s->service = co2s_service_new (name, title);
          _co2s_service_slot_connect (s);
        }
      added[k] = s->service;
    }
  self->n_extra = want;
  g_message ("%u trainer%s", want + 1, want > 0 ? "s" : "");
  g_list_store_splice (self->services, CO2S_SERVICE_TRAINER + 1, old, (gpointer *) added, want);
}

char *
_co2s_supervisor_several_trainers_refusal (Co2sSupervisor *self)
{
  g_auto(GStrv) models = NULL;

  if (self->n_extra == 0)
    return NULL;
  if (self->run_embedded)
    return g_strdup (_("Several trainers need a real Kafka: the embedded broker keeps only a bounded "
                       "part of each topic and would prune the trainers' saved states. Choose the Kafka "
                       "on this computer or an existing Kafka, or one trainer."));
  models = g_strsplit (self->run.algo != NULL ? self->run.algo : "ls", ",", -1);
  for (guint i = 0; models[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (models[i]));
      char *colon = strchr (name, ':');

      if (colon != NULL)
        *colon = '\0';
      if (g_str_equal (name, "sgd"))
        return g_strdup (_("Several trainers learn ls models only: sgd's weights depend on the order of "
                           "the whole stream, so partitions learned apart do not merge into one sgd "
                           "model. Leave sgd out of the models, or choose one trainer."));
    }
  return NULL;
}

Co2sServiceSlot *
_co2s_supervisor_trainer_slot (Co2sSupervisor *self,
                               Co2sService *trainer)
{
  for (guint i = _co2s_supervisor_first_position (self, CO2S_SERVICE_TRAINER);
       i <= _co2s_supervisor_last_position (self, CO2S_SERVICE_TRAINER); i++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);

      if (s->service == trainer)
        return s;
    }
  return NULL;
}

/* ---- One trainer of several ---------------------------------------------- */

gboolean
_co2s_supervisor_resolve_trainer (Co2sSupervisor *self,
                                  Co2sService *trainer,
                                  Co2sServiceSlot **one,
                                  GError **error)
{
  *one = _co2s_supervisor_trainer_slot (self, trainer);
  if (*one == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s is not one of the trainers of this run"), co2s_service_get_title (trainer));
      return FALSE;
    }
  if (self->n_extra == 0)
    *one = NULL;
  return TRUE;
}

void
_co2s_service_slot_unwant_alone (Co2sServiceSlot *s)
{
  s->wanted = FALSE;
  s->relaunch = FALSE;
  s->must_restart = FALSE;
  if (s->restart_source != 0)
    {
      _co2s_service_slot_cancel_restart (s);
      co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STOPPED, NULL);
    }
}

void
co2s_supervisor_start_trainer_async (Co2sSupervisor *self,
                                     Co2sService *trainer,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (CO2S_IS_SERVICE (trainer));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_start_trainer_async);
  _co2s_supervisor_begin_trainer_op (self, task, FALSE, trainer);
}

gboolean
co2s_supervisor_start_trainer_finish (Co2sSupervisor *self,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_start_trainer_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
co2s_supervisor_stop_trainer_async (Co2sSupervisor *self,
                                    Co2sService *trainer,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (CO2S_IS_SERVICE (trainer));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_stop_trainer_async);
  _co2s_supervisor_begin_trainer_op (self, task, TRUE, trainer);
}

gboolean
co2s_supervisor_stop_trainer_finish (Co2sSupervisor *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_stop_trainer_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
