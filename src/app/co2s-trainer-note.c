/* co2s-trainer-note.c — the trainers and their partitions on the trainer's
 * service row (see co2s-trainer-note.h). */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-trainer-note.h"

/* The watch the row follows: a reference in the row's data. */
#define WATCH_KEY "co2s-trainer-note-watch"

static void
update_note (Co2sServiceRow *row)
{
  Co2sGroupWatch *watch = g_object_get_data (G_OBJECT (row), WATCH_KEY);
  g_autofree char *summary = watch != NULL ? co2s_group_watch_dup_summary (watch) : NULL;

  co2s_service_row_set_note (row, summary);
}

static void
watch_changed_cb (Co2sGroupWatch *watch,
                  gpointer        user_data)
{
  update_note (CO2S_SERVICE_ROW (user_data));
}

static void
set_watch (Co2sServiceRow *row,
           Co2sGroupWatch *watch)
{
  Co2sGroupWatch *old = g_object_get_data (G_OBJECT (row), WATCH_KEY);

  if (old == watch)
    return;
  if (old != NULL)
    g_signal_handlers_disconnect_by_func (old, watch_changed_cb, row);
  if (watch != NULL)
    g_signal_connect_object (watch, "changed", G_CALLBACK (watch_changed_cb), row, 0);
  g_object_set_data_full (G_OBJECT (row), WATCH_KEY, watch != NULL ? g_object_ref (watch) : NULL,
                          g_object_unref);
  update_note (row);
}

static void
controller_group_watch_cb (Co2sPipelineController *controller,
                           GParamSpec             *pspec,
                           gpointer                user_data)
{
  set_watch (CO2S_SERVICE_ROW (user_data), co2s_pipeline_controller_get_group_watch (controller));
}

void
co2s_trainer_note_attach (Co2sServiceRow         *row,
                          Co2sPipelineController *controller)
{
  g_return_if_fail (CO2S_IS_SERVICE_ROW (row));
  g_return_if_fail (CO2S_IS_PIPELINE_CONTROLLER (controller));

  g_signal_connect_object (controller, "notify::group-watch", G_CALLBACK (controller_group_watch_cb), row, 0);
  set_watch (row, co2s_pipeline_controller_get_group_watch (controller));
}
