/* co2s-pipeline-controller-private.h — what the two halves of
 * Co2sPipelineController share: co2s-pipeline-controller.c (properties,
 * state, Start / Stop / Retrain / shutdown) and
 * co2s-pipeline-controller-follow.c (what it follows: the data set file,
 * metrics.jsonl and the live metrics follower). Not for other files. Main
 * thread only. */
#pragma once

#include "co2s-pipeline-controller.h"

G_BEGIN_DECLS

struct _Co2sPipelineController
{
  GObject parent_instance;

  Co2sSupervisor *supervisor;
  Co2sMetricsHistory *history;
  Co2sMetricsFollower *follower;
  Co2sGroupWatch *group_watch;  /* the trainers of a real Kafka, with the follower */
  char *follower_brokers;       /* address the follower was made for */
  char *history_path;           /* metrics.jsonl the history was read from */
  GCancellable *load_cancellable;
  GFileMonitor *dataset_monitor;
  char *dataset_watched;        /* path dataset_monitor watches */
  GPtrArray *stop_waiters;      /* GTask of shutdown_async, completed by the Stop */

  /* Configuration, applied to the supervisor at Start. */
  Co2sBackend backend;
  char *broker_address;         /* stripped */
  double api_rate;
  guint batch_rows;
  char *algo;
  char *dataset;
  char *model_dir;
  char *compose_file;
  guint trainers;

  Co2sPipelineState state;
  char *last_error;
  gboolean dataset_missing;
  gboolean can_start;
  gboolean can_stop;
  gboolean can_retrain;
  gboolean starting;
  gboolean stopping;            /* from Stop until the supervisor stopped */
  gboolean shutting_down;
};

enum {
  PROP_0,
  PROP_SUPERVISOR,
  PROP_HISTORY,
  PROP_BACKEND,
  PROP_BROKER_ADDRESS,
  PROP_API_RATE,
  PROP_BATCH_ROWS,
  PROP_ALGO,
  PROP_DATASET,
  PROP_MODEL_DIR,
  PROP_COMPOSE_FILE,
  PROP_TRAINERS,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_DATASET_MISSING,
  PROP_FOLLOWER,
  PROP_GROUP_WATCH,
  PROP_CAN_START,
  PROP_CAN_STOP,
  PROP_CAN_RETRAIN,
  N_PROPS
};

/* ---- co2s-pipeline-controller.c ---- */

/* Notifies property @prop_id of @self. */
void _co2s_pipeline_controller_notify (Co2sPipelineController *self,
                                       guint prop_id);

/* Sets "last-error" (@message may be NULL; copied), notifying on change. */
void _co2s_pipeline_controller_set_last_error (Co2sPipelineController *self,
                                               const char *message);

/* ---- co2s-pipeline-controller-follow.c ---- */

/* Watches @path for the data set's coming and going (each change calls
 * co2s_pipeline_controller_recheck_dataset); NULL stops watching. */
void _co2s_pipeline_controller_watch_dataset (Co2sPipelineController *self,
                                              const char *path);

/* Reads metrics.jsonl into the history asynchronously, emptying it first
 * when the file is another one than last time; cancels a read under way.
 * _cancel_load only cancels. */
void _co2s_pipeline_controller_load_metrics (Co2sPipelineController *self);
void _co2s_pipeline_controller_cancel_load (Co2sPipelineController *self);

/* Detaches the follower (there must be one; "follower" becomes NULL) and
 * asks it to leave its group on a worker thread; stops and drops the
 * group watch ("group-watch" becomes NULL). @callback runs once it
 * has; NULL means _co2s_pipeline_controller_follower_left, the
 * GAsyncReadyCallback that finishes the stop (logging a failure): another
 * callback calls it first. */
void _co2s_pipeline_controller_stop_follower (Co2sPipelineController *self,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
void _co2s_pipeline_controller_follower_left (GObject *source,
                                              GAsyncResult *result,
                                              gpointer unused);

/* Handler of the supervisor's "notify::bootstrap-servers" (@user_data is
 * the controller): a new Kafka address gets a new follower. */
void _co2s_pipeline_controller_bootstrap_servers_cb (Co2sSupervisor *supervisor,
                                                     GParamSpec *pspec,
                                                     gpointer user_data);

G_END_DECLS
