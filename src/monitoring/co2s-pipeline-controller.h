/* co2s-pipeline-controller.h — the pipeline's state machine, without GTK.
 *
 * A Co2sPipelineController drives one Co2sSupervisor and keeps what a user
 * interface shows of the pipeline:
 *  - "state" (Co2sPipelineState), derived from the services' states and
 *    the Start / Stop under way;
 *  - "can-start", "can-stop", "can-retrain": whether each command makes
 *    sense now (bind a GAction's "enabled" to them);
 *  - "last-error": why the last Start or Retrain failed, or why the live
 *    metrics cannot be followed;
 *  - "dataset-missing": the local backend has no data set to stream; the
 *    data set's path is watched (GFileMonitor), so it turns FALSE when the
 *    file appears;
 *  - "follower": a Co2sMetricsFollower on the pipeline's Kafka, created as
 *    soon as the supervisor's "bootstrap-servers" is known (the embedded
 *    broker holds only this run's metrics: it reads the topic from its
 *    start; a real Kafka keeps older runs: from its end, the file has the
 *    past) and stopped by Stop before the pipeline stops (the consumer
 *    leaves its group while the broker is still up, on a worker thread);
 *  - "group-watch": a running Co2sGroupWatch of the trainers' consumer
 *    group (CO2S_TRAINER_GROUP, or CO2S_SUPERVISOR_SCALE_OUT_GROUP for a
 *    run of several trainers: how many trainers run, which partitions
 *    each owns) on the same Kafka, from the follower's start to its stop;
 *    NULL with the embedded broker, whose mock cluster does not describe
 *    groups (librdkafka 2.0.2 then hangs in rd_kafka_destroy);
 *  - the Co2sMetricsHistory: <model-dir>/metrics.jsonl read asynchronously
 *    (again when the follower of a real Kafka is assigned, so the batches
 *    written before it are there), emptied when the model folder changes
 *    or a new embedded broker starts a new model; the follower appends the
 *    live batches.
 *
 * Configuration (read-write properties, applied to the supervisor when a
 * Start begins from a stopped pipeline, or a Retrain starts it; bind them to
 * settings with g_settings_bind or set them directly):
 *   backend         Co2sBackend, default CO2S_BACKEND_LOCAL
 *   broker-address  "HOST:PORT[,…]" of the existing Kafka (surrounding
 *                   spaces are ignored), used with CO2S_BROKER_EXISTING
 *   api-rate        rows per second of the api (double ≥ 0, default 50)
 *   batch-rows      trainer micro-batch size (≥ 1, default 100)
 *   algo            "ls" (default) or "sgd"
 *   dataset         path of the CSV data set
 *   model-dir       folder of model.json and metrics.jsonl (with several
 *                   trainers: its CO2S_SUPERVISOR_SCALE_OUT_DIR subfolder,
 *                   see co2s_pipeline_controller_dup_model_folder)
 *   trainers        how many trainers (1..CO2S_SUPERVISOR_MAX_TRAINERS,
 *                   default 1; the supervisor's "trainers")
 *   compose-file    docker-compose.yml of the Docker Compose backend
 * Which broker runs ("broker-kind"), an existing Kafka's -X properties
 * and the local Kafka's folder, port and retention are the supervisor's
 * own settings (co2s-supervisor.h): bind them there. The follower uses the
 * same -X properties (co2s_supervisor_dup_kafka_overrides()).
 * A NULL path (the default) means the supervisor's default for it (see
 * co2s-supervisor.h), relative to the current folder. Setting "dataset" or
 * "backend" checks the data set again; setting "model-dir" while the
 * pipeline is not active reads that folder's metrics.jsonl.
 *
 * Read-only properties, each notified only when it changes (after every
 * other value is up to date, so a handler reads a consistent state):
 * "state", "last-error", "dataset-missing", "follower", "group-watch", "can-start",
 * "can-stop", "can-retrain"; construct-only: "supervisor", "history".
 *
 * Threading: main thread only (the thread of the default GMainContext, the
 * supervisor's); every notification and callback is emitted there. */
#pragma once

#include <gio/gio.h>

#include "co2s-group-watch.h"
#include "co2s-metrics-follower.h"
#include "co2s-metrics-history.h"
#include "co2s-supervisor.h"

G_BEGIN_DECLS

/* What the pipeline as a whole is doing. */
typedef enum {
  CO2S_PIPELINE_STOPPED,   /* nothing runs */
  CO2S_PIPELINE_STARTING,  /* a Start is under way, or a service is not (yet) ready */
  CO2S_PIPELINE_RUNNING,   /* every enabled service runs, but those the
                            * user stopped on their own (one trainer of
                            * several, say) after the Start */
  CO2S_PIPELINE_STOPPING,  /* a Stop is under way */
  CO2S_PIPELINE_FAILED,    /* a service failed (it says why until the next Start) */
} Co2sPipelineState;

/* GEnum type of Co2sPipelineState (nicks "stopped", "starting", …). */
GType co2s_pipeline_state_get_type (void);
#define CO2S_TYPE_PIPELINE_STATE (co2s_pipeline_state_get_type ())

/* Translated label of @state ("Running"); static string. Any thread. */
const char *co2s_pipeline_state_to_label (Co2sPipelineState state);

#define CO2S_TYPE_PIPELINE_CONTROLLER (co2s_pipeline_controller_get_type ())

G_DECLARE_FINAL_TYPE (Co2sPipelineController, co2s_pipeline_controller, CO2S, PIPELINE_CONTROLLER, GObject)

/* A controller of @supervisor showing its metrics in @history. Either may
 * be NULL: the controller then makes its own (a supervisor with default
 * settings, an empty history). It takes its own references; a supervisor
 * given here must not be started, stopped or configured by anyone else
 * (tuning such as "bin-dir" or timeouts excepted). Returns a new
 * reference. Disposing the controller drops the follower (which then stops,
 * blocking briefly) and its supervisor reference (a supervisor disposed
 * with services running sends them SIGTERM): shut it down first. */
Co2sPipelineController *co2s_pipeline_controller_new (Co2sSupervisor *supervisor,
                                                      Co2sMetricsHistory *history);

/* The supervisor and the history; transfer none, alive as long as @self. */
Co2sSupervisor *co2s_pipeline_controller_get_supervisor (Co2sPipelineController *self);
Co2sMetricsHistory *co2s_pipeline_controller_get_history (Co2sPipelineController *self);

/* Property "follower": the live follower of streaming_metrics while the
 * pipeline's Kafka is known, else NULL. Transfer none; it may go at the
 * next main-loop iteration: take a reference to keep it. */
Co2sMetricsFollower *co2s_pipeline_controller_get_follower (Co2sPipelineController *self);

/* Property "group-watch": the watch of the trainers' group while the
 * follower runs on a real Kafka, else NULL. Transfer none; it may go at
 * the next main-loop iteration: take a reference to keep it. */
Co2sGroupWatch *co2s_pipeline_controller_get_group_watch (Co2sPipelineController *self);

/* Property "state". */
Co2sPipelineState co2s_pipeline_controller_get_state (Co2sPipelineController *self);

/* Property "last-error": a translated sentence, or NULL; cleared by the
 * next Start or Retrain. Owned by @self; valid until it changes. */
const char *co2s_pipeline_controller_get_last_error (Co2sPipelineController *self);

/* Property "dataset-missing": TRUE when the backend is local and "dataset"
 * is not a regular file. */
gboolean co2s_pipeline_controller_get_dataset_missing (Co2sPipelineController *self);

/* Properties "can-start" (nothing runs, no Start, Stop or shutdown under
 * way, the data set is there), "can-stop" (something runs or starts, no shutdown
 * under way) and "can-retrain" (local backend, no Stop or shutdown under
 * way, the data set is there). */
gboolean co2s_pipeline_controller_get_can_start (Co2sPipelineController *self);
gboolean co2s_pipeline_controller_get_can_stop (Co2sPipelineController *self);
gboolean co2s_pipeline_controller_get_can_retrain (Co2sPipelineController *self);

/* The folder of the model the app shows and predicts with: "model-dir"
 * (its default when NULL), or its CO2S_SUPERVISOR_SCALE_OUT_DIR subfolder,
 * where the owner of partition 0 writes the merged model, when the
 * pipeline runs several trainers (or, stopped, when "trainers" asks for
 * several). Free with g_free. */
char *co2s_pipeline_controller_dup_model_folder (Co2sPipelineController *self);

/* <model-dir>/metrics.jsonl, the file the history is read from. Free with
 * g_free. */
char *co2s_pipeline_controller_dup_metrics_path (Co2sPipelineController *self);

/* Starts the pipeline with the current configuration: checks the data set
 * again, then does nothing unless "can-start". Clears "last-error"; with
 * the embedded broker empties the history (the trainer starts a new model),
 * else reads metrics.jsonl again. Never blocks; a failure ends in
 * "last-error" and a FAILED state. */
void co2s_pipeline_controller_start (Co2sPipelineController *self);

/* Stops the pipeline: the follower leaves its group first, then the
 * services stop in reverse order. Does nothing unless "can-stop", or when
 * a Stop is already under way. Never blocks; "state" is STOPPING until it
 * is done. */
void co2s_pipeline_controller_stop (Co2sPipelineController *self);

/* "Retrain from the start" (co2s_supervisor_retrain_async; ask the user to
 * confirm first). Does nothing unless "can-retrain". Clears "last-error";
 * applies the configuration first when nothing runs. A failure ends in
 * "last-error". */
void co2s_pipeline_controller_retrain (Co2sPipelineController *self);

/* For quitting: from now on every "can-*" is FALSE and commands do
 * nothing; stops the pipeline (or waits for the Stop under way) and the
 * follower, then completes. @cancellable (may be NULL) only abandons the
 * wait. Never blocks. */
void co2s_pipeline_controller_shutdown_async (Co2sPipelineController *self,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
/* TRUE once nothing runs; FALSE with G_IO_ERROR_CANCELLED if the wait was
 * cancelled. */
gboolean co2s_pipeline_controller_shutdown_finish (Co2sPipelineController *self,
                                                   GAsyncResult *result,
                                                   GError **error);

/* Checks again whether the data set exists (also done whenever the watched
 * path changes, and by Start). */
void co2s_pipeline_controller_recheck_dataset (Co2sPipelineController *self);

/* Reads metrics.jsonl into the history again, asynchronously (what the live
 * topic brought is kept; a read under way is cancelled first). A missing
 * file is not an error; bad lines are logged. */
void co2s_pipeline_controller_reload_metrics (Co2sPipelineController *self);

G_END_DECLS
