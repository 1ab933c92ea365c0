/* co2s-pipeline-controller-follow.c — what Co2sPipelineController follows:
 * the data set file, metrics.jsonl and the live metrics follower. */
#define G_LOG_DOMAIN "co2s-pipeline-controller"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-pipeline-controller-private.h"

#include <glib/gi18n-lib.h>

#include "co2s-contracts.h"

/* ---- data set -------------------------------------------------------------- */

static void
dataset_changed_cb (GFileMonitor *monitor,
                    GFile *file,
                    GFile *other_file,
                    GFileMonitorEvent event,
                    gpointer user_data)
{
  co2s_pipeline_controller_recheck_dataset (CO2S_PIPELINE_CONTROLLER (user_data));
}

void
_co2s_pipeline_controller_watch_dataset (Co2sPipelineController *self,
                                         const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (self->dataset_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->dataset_monitor, dataset_changed_cb, self);
      g_file_monitor_cancel (self->dataset_monitor);
      g_clear_object (&self->dataset_monitor);
    }
  if (path == NULL)
    return;

  /* Fails quietly when the folder does not exist; recheck_dataset is
   * called again whenever it matters (Start, a user interface's focus). */
  file = g_file_new_for_path (path);
  self->dataset_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->dataset_monitor != NULL)
    g_signal_connect (self->dataset_monitor, "changed", G_CALLBACK (dataset_changed_cb), self);
}

/* ---- metrics history ------------------------------------------------------- */

static void
load_metrics_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(GError) error = NULL;

  if (!co2s_metrics_history_load_file_finish (CO2S_METRICS_HISTORY (source), result, &report, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("%s", error->message);
      return;
    }

  if (report->bad_lines > 0)
    g_message ("%s: %" G_GUINT64_FORMAT " bad line(s) skipped, first: %s", report->path,
               report->bad_lines,
               report->problems->len > 0 ? (const char *) g_ptr_array_index (report->problems, 0) : "");
}

void
_co2s_pipeline_controller_cancel_load (Co2sPipelineController *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
}

/* When the file changed since the last read, the history is emptied first:
 * it belongs to another model. */
void
_co2s_pipeline_controller_load_metrics (Co2sPipelineController *self)
{
  g_autofree char *path = co2s_pipeline_controller_dup_metrics_path (self);

  _co2s_pipeline_controller_cancel_load (self);
  self->load_cancellable = g_cancellable_new ();

  if (g_strcmp0 (path, self->history_path) != 0)
    {
      co2s_metrics_history_clear (self->history);
      g_free (self->history_path);
      self->history_path = g_strdup (path);
    }

  co2s_metrics_history_load_file_async (self->history, path, self->load_cancellable,
                                        load_metrics_cb, NULL);
}

/* ---- follower -------------------------------------------------------------- */

static void
follower_assigned_cb (Co2sMetricsFollower *follower,
                      GParamSpec *pspec,
                      gpointer user_data)
{
  /* From now on every new batch arrives live: read the file again to fill
   * the batches written before the follower was assigned. */
  if (co2s_metrics_follower_get_assigned (follower))
    _co2s_pipeline_controller_load_metrics (CO2S_PIPELINE_CONTROLLER (user_data));
}

/* Live batches that jump past the last batch held mean that batches were
 * missed between the file and the topic. The follower's "latest" is
 * resolved only after its assignment, and the file is read at the
 * assignment: a batch the trainer wrote to metrics.jsonl after that read
 * and published before the follower's start offset is in neither. The
 * trainer writes a batch to the file before it publishes it, so the file
 * read again now (once this batch is in the history) holds every batch up
 * to this one; the load keeps what arrived live and drops the duplicates.
 * Once per jump: a gap the file cannot fill (batches missed while nobody
 * followed, or another model folder's file) is not read again and again,
 * since the next live batch follows the one held.
 *
 * A scale-out run's batch (partition_batch > 0) has no batch number that
 * follows the last one held (each trainer counts its own): the jump is
 * looked for per partition, its partition_batch past the highest one held
 * of that partition (none held: past 1). Its trainer writes the file
 * just after the transaction that publishes it, so a batch of the same
 * transaction may not be in the file yet: then it stays missing, as a
 * batch missed while nobody followed. */
static gboolean
scale_out_jump (Co2sMetricsHistory *history, GHashTable **seen, const Co2sBatchMetrics *m)
{
  gpointer key = GINT_TO_POINTER (m->partition);
  gpointer value;
  guint64 last;

  /* The batches of this signal are not in the history yet. */
  if (*seen == NULL)
    *seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  if (g_hash_table_lookup_extended (*seen, key, NULL, &value))
    last = *(guint64 *) value;
  else
    last = co2s_metrics_history_get_last_partition_batch (history, m->partition);
  if (m->partition_batch > last + 1)
    return TRUE;
  g_hash_table_replace (*seen, key, g_memdup2 (&(guint64) { MAX (last, m->partition_batch) }, sizeof (guint64)));
  return FALSE;
}

static void
follower_batches_cb (Co2sMetricsFollower *follower,
                     gpointer batches,
                     guint n,
                     gpointer user_data)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (user_data);
  const Co2sBatchMetrics *m = batches;
  guint64 last = co2s_metrics_history_get_last_batch (self->history);
  g_autoptr(GHashTable) seen = NULL;

  for (guint i = 0; i < n; i++)
    {
      gboolean jump = m[i].partition_batch > 0 ? scale_out_jump (self->history, &seen, &m[i])
                                               : m[i].batch > last + 1;

      if (jump)
        {
          g_debug ("live batch %" G_GUINT64_FORMAT " (partition %d, its batch %" G_GUINT64_FORMAT
                   ") after batch %" G_GUINT64_FORMAT ": reading the metrics files again for the "
                   "batches in between", m[i].batch, m[i].partition, m[i].partition_batch, last);
          _co2s_pipeline_controller_load_metrics (self);
          return;
        }
      last = m[i].batch;
    }
}

void
_co2s_pipeline_controller_follower_left (GObject *source,
                                         GAsyncResult *result,
                                         gpointer unused)
{
  g_autoptr(GError) error = NULL;

  if (!co2s_metrics_follower_stop_finish (CO2S_METRICS_FOLLOWER (source), result, &error))
    g_message ("The metrics follower did not stop cleanly: %s", error->message);
}

void
_co2s_pipeline_controller_stop_follower (Co2sPipelineController *self,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  g_autoptr(Co2sMetricsFollower) follower = g_steal_pointer (&self->follower);

  g_assert (follower != NULL);

  g_signal_handlers_disconnect_by_func (follower, follower_assigned_cb, self);
  g_signal_handlers_disconnect_by_func (follower, follower_batches_cb, self);
  g_clear_pointer (&self->follower_brokers, g_free);
  _co2s_pipeline_controller_notify (self, PROP_FOLLOWER);
  if (self->group_watch != NULL)
    {
      co2s_group_watch_stop (self->group_watch);
      g_clear_object (&self->group_watch);
      _co2s_pipeline_controller_notify (self, PROP_GROUP_WATCH);
    }

  co2s_metrics_follower_stop_async (follower, NULL,
                                    callback != NULL ? callback : _co2s_pipeline_controller_follower_left,
                                    user_data);
}

void
_co2s_pipeline_controller_bootstrap_servers_cb (Co2sSupervisor *supervisor,
                                                GParamSpec *pspec,
                                                gpointer user_data)
{
  Co2sPipelineController *self = CO2S_PIPELINE_CONTROLLER (user_data);
  const char *brokers = co2s_supervisor_get_bootstrap_servers (supervisor);
  g_autoptr(Co2sMetricsFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) overrides = NULL;
  Co2sBrokerKind kind;
  gboolean embedded;

  if (brokers == NULL || brokers[0] == '\0')
    return; /* keep following until a new address is known or Stop */
  if (self->stopping || self->shutting_down)
    return;
  if (g_strcmp0 (brokers, self->follower_brokers) == 0)
    return;

  if (self->follower != NULL)
    _co2s_pipeline_controller_stop_follower (self, NULL, NULL);

  /* What the running pipeline was started with (applied at Start). */
  g_object_get (supervisor, "broker-kind", &kind, NULL);
  embedded = co2s_supervisor_get_backend (supervisor) == CO2S_BACKEND_LOCAL && kind == CO2S_BROKER_EMBEDDED;

  follower = co2s_metrics_follower_new (brokers);
  /* An existing Kafka's -X properties (security.protocol, sasl.*) are the
   * follower's too. */
  overrides = co2s_supervisor_dup_kafka_overrides (supervisor);
  g_object_set (follower, "overrides", overrides, NULL);
  /* A new embedded broker only holds this run's metrics: read them all.
   * A real Kafka keeps older runs: start at its end, the file has the past. */
  g_object_set (follower,
                "offset-reset", embedded ? "earliest" : "latest",
                "history", self->history,
                NULL);
  if (!co2s_metrics_follower_start (follower, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot follow the training metrics: %s"), error->message);

      g_message ("%s", message);
      _co2s_pipeline_controller_set_last_error (self, message);
      return;
    }

  if (!embedded)
    {
      g_signal_connect (follower, "notify::assigned", G_CALLBACK (follower_assigned_cb), self);
      g_signal_connect (follower, "batches", G_CALLBACK (follower_batches_cb), self);
    }
  self->follower = g_steal_pointer (&follower);
  self->follower_brokers = g_strdup (brokers);
  _co2s_pipeline_controller_notify (self, PROP_FOLLOWER);

  /* Which trainers run: a real Kafka only (the embedded broker's mock
   * cluster refuses DescribeGroups, and librdkafka 2.0.2 then hangs in
   * rd_kafka_destroy). */
  if (!embedded)
    {
      self->group_watch = co2s_group_watch_new (brokers, CO2S_TRAINER_GROUP);
      g_object_set (self->group_watch, "overrides", overrides, NULL);
      co2s_group_watch_start (self->group_watch);
      _co2s_pipeline_controller_notify (self, PROP_GROUP_WATCH);
    }
}

