/* co2s-supervisor-broker.c — what the supervisor knows about its broker
 * besides running it: the broker row's description (which broker, where,
 * size on disk and retention of the local Kafka, measured off the main
 * thread every few seconds while it runs) and "Reset local broker data…". */
#define G_LOG_DOMAIN "co2s-supervisor"

#include "co2s-supervisor-private.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <sys/stat.h>

#define KAFKA_SIZE_INTERVAL_S 5

/* ---- Labels -------------------------------------------------------------- */

const char *
co2s_broker_kind_to_label (Co2sBrokerKind kind)
{
  switch (kind)
    {
    case CO2S_BROKER_LOCAL_KAFKA: return _("Apache Kafka on this computer");
    case CO2S_BROKER_EMBEDDED:    return _("Embedded demo broker (in memory, no Java)");
    case CO2S_BROKER_EXISTING:    return _("Existing Kafka");
    default:                      g_return_val_if_reached (NULL);
    }
}

char *
co2s_supervisor_default_kafka_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "co2stream", "kafka", NULL);
}

/* ---- Properties of an existing Kafka ------------------------------------------ */

char **
_co2s_kafka_overrides (char **properties)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; properties != NULL && properties[i] != NULL; i++)
    {
      g_autofree char *item = g_strstrip (g_strdup (properties[i]));

      if (item[0] != '\0' && item[0] != '#')
        g_strv_builder_add (builder, item);
    }
  return g_strv_builder_end (builder);
}

char **
co2s_supervisor_dup_kafka_overrides (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);

  if (self->settings.backend != CO2S_BACKEND_LOCAL || self->settings.broker_kind != CO2S_BROKER_EXISTING)
    return g_new0 (char *, 1);
  return _co2s_kafka_overrides (self->settings.broker_properties);
}

/* ---- Size on disk ---------------------------------------------------------- */

/* Bytes allocated under @path (st_blocks, as du counts them), not following
 * symbolic links. Missing files count 0. */
static guint64
disk_usage (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  GStatBuf st;
  guint64 total;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return 0;
  total = (guint64) st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode))
    return total;

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return total;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      total += disk_usage (child);
    }
  return total;
}

static void
measure_thread (GTask *task,
                gpointer source,
                gpointer task_data,
                GCancellable *cancellable)
{
  guint64 *size = g_new (guint64, 1);

  *size = disk_usage (task_data);
  g_task_return_pointer (task, size, g_free);
}

static void
measure_done_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer data)
{
  Co2sSupervisor *self = CO2S_SUPERVISOR (source);
  g_autofree guint64 *size = g_task_propagate_pointer (G_TASK (result), NULL);

  if (size == NULL)
    return; /* cancelled: the supervisor is going away or the broker stopped */
  self->kafka_size = *size;
  self->kafka_size_known = TRUE;
  _co2s_supervisor_update_broker_description (self);
}

/* The settings the broker row describes: the running pipeline's, or the
 * next Start's while stopped. */
static const Co2sSupervisorSettings *
described (Co2sSupervisor *self)
{
  return self->active ? &self->run : &self->settings;
}

static void
measure_kafka_size (Co2sSupervisor *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->kafka_size_cancellable == NULL)
    self->kafka_size_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->kafka_size_cancellable, measure_done_cb, NULL);
  g_task_set_source_tag (task, measure_kafka_size);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, g_canonicalize_filename (described (self)->kafka_data_dir, NULL), g_free);
  g_task_run_in_thread (task, measure_thread);
}

static gboolean
measure_timeout_cb (gpointer data)
{
  measure_kafka_size (data);
  return G_SOURCE_CONTINUE;
}

/* ---- Internal API ------------------------------------------------------------ */

void
_co2s_supervisor_update_broker_description (Co2sSupervisor *self)
{
  Co2sService *broker = self->slots[CO2S_SERVICE_BROKER].service;
  const Co2sSupervisorSettings *run = described (self);
  g_autoptr(GString) text = NULL;
  const char *address = co2s_service_get_address (broker);

  if (run->backend == CO2S_BACKEND_COMPOSE)
    {
      co2s_service_set_description (broker, _("Apache Kafka in Docker Compose (service “kafka”)"));
      return;
    }

  text = g_string_new (co2s_broker_kind_to_label (run->broker_kind));
  switch (run->broker_kind)
    {
    case CO2S_BROKER_LOCAL_KAFKA:
      {
        g_autofree char *retention = g_format_size_full (run->kafka_retention_bytes, G_FORMAT_SIZE_IEC_UNITS);

        if (co2s_service_has_process (broker) && address != NULL)
          g_string_append_printf (text, " · %s", address);
        else if (run->kafka_port != 0)
          g_string_append_printf (text, " · 127.0.0.1:%u", run->kafka_port);
        if (self->kafka_size_known)
          {
            g_autofree char *size = g_format_size (self->kafka_size);

            /* TRANSLATORS: size of the local Kafka's data folder, then its retention */
            g_string_append_printf (text, _(" · %s on disk, retention %s per partition"), size, retention);
          }
        else
          g_string_append_printf (text, _(" · retention %s per partition"), retention);
      }
      break;
    case CO2S_BROKER_EMBEDDED:
      if (address != NULL && co2s_service_has_process (broker))
        g_string_append_printf (text, " · %s", address);
      g_string_append (text, _(" · about 15,000 rows per partition, lost at Stop"));
      break;
    case CO2S_BROKER_EXISTING:
    default:
      if (run->broker_address != NULL && run->broker_address[0] != '\0')
        g_string_append_printf (text, " · %s", run->broker_address);
      break;
    }
  co2s_service_set_description (broker, text->str);
}

void
_co2s_supervisor_broker_running_changed (Co2sSupervisor *self)
{
  gboolean running = self->run_local_kafka &&
                     co2s_service_has_process (self->slots[CO2S_SERVICE_BROKER].service) &&
                     co2s_service_get_address (self->slots[CO2S_SERVICE_BROKER].service) != NULL;

  if (running && self->kafka_size_source == 0)
    {
      measure_kafka_size (self);
      self->kafka_size_source = g_timeout_add_seconds (KAFKA_SIZE_INTERVAL_S, measure_timeout_cb, self);
    }
  else if (!running && self->kafka_size_source != 0)
    {
      g_clear_handle_id (&self->kafka_size_source, g_source_remove);
      /* One last look: the size the folder keeps while stopped. */
      measure_kafka_size (self);
    }
  _co2s_supervisor_update_broker_description (self);
}

void
_co2s_supervisor_broker_settings_changed (Co2sSupervisor *self)
{
  if (self->active || self->slots[CO2S_SERVICE_BROKER].service == NULL)
    return;
  self->kafka_size_known = FALSE;
  if (self->settings.backend == CO2S_BACKEND_LOCAL && self->settings.broker_kind == CO2S_BROKER_LOCAL_KAFKA &&
      self->settings.kafka_data_dir != NULL)
    measure_kafka_size (self);
  _co2s_supervisor_update_broker_description (self);
}

void
_co2s_supervisor_broker_dispose (Co2sSupervisor *self)
{
  g_clear_handle_id (&self->kafka_size_source, g_source_remove);
  if (self->kafka_size_cancellable != NULL)
    g_cancellable_cancel (self->kafka_size_cancellable);
  g_clear_object (&self->kafka_size_cancellable);
}

/* ---- Reset --------------------------------------------------------------------- */

static void
reset_done_cb (GObject *source,
               GAsyncResult *result,
               gpointer data)
{
  g_autoptr(GTask) task = data;
  Co2sSupervisor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, &err, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_subprocess_get_if_exited (G_SUBPROCESS (source)) ||
      g_subprocess_get_exit_status (G_SUBPROCESS (source)) != 0)
    {
      g_autofree char *why = g_strstrip (g_strdup (err != NULL && err[0] != '\0' ? err : (out ? out : "")));

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The local broker's data was not reset: %s"),
                               why[0] != '\0' ? why : _("co2stream-kafka failed"));
      return;
    }

  g_message ("local Kafka data reset: %s", out != NULL ? g_strstrip (out) : "");
  /* The model's offsets pointed into the deleted log: retrain at the next
   * trainer launch. */
  self->retrain_requested++;
  self->kafka_size = 0;
  self->kafka_size_known = FALSE;
  measure_kafka_size (self);
  g_task_return_boolean (task, TRUE);
}

void
co2s_supervisor_reset_local_kafka_async (Co2sSupervisor *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *program = NULL;
  g_autofree char *dir = NULL;

  g_return_if_fail (CO2S_IS_SUPERVISOR (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_supervisor_reset_local_kafka_async);

  if (co2s_supervisor_get_active (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("Stop the pipeline before resetting the local broker's data"));
      return;
    }

  program = _co2s_supervisor_find_program_in (self->settings.bin_dir, &_co2s_local_kafka_info, &error);
  if (program == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  dir = co2s_supervisor_get_kafka_data_dir (self);
  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--data-dir", dir, "--reset-data", NULL);
  if (process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_subprocess_communicate_utf8_async (process, NULL, cancellable, reset_done_cb, g_steal_pointer (&task));
}

gboolean
co2s_supervisor_reset_local_kafka_finish (Co2sSupervisor *self,
                                          GAsyncResult *result,
                                          GError **error)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_supervisor_reset_local_kafka_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
co2s_supervisor_get_kafka_data_dir (Co2sSupervisor *self)
{
  g_return_val_if_fail (CO2S_IS_SUPERVISOR (self), NULL);
  return g_canonicalize_filename (self->settings.kafka_data_dir, NULL);
}
