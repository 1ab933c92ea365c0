/* co2s-supervisor-private.h — what co2s-supervisor.c (GObject, settings,
 * operations, Docker dispatch) and co2s-supervisor-local.c (the local
 * process backend) share. Not for other files. */
#pragma once

#include "co2s-supervisor.h"

#include "co2s-compose.h"

G_BEGIN_DECLS

typedef struct _Co2sServiceSlot Co2sServiceSlot;

/* The kind of a pending operation (co2s-supervisor-ops.c). */
typedef enum {
  OP_START,
  OP_STOP,
  OP_RETRAIN,
} OpKind;

/* The supervisor's record of one of its services. */
struct _Co2sServiceSlot
{
  Co2sSupervisor *supervisor;  /* not owned */
  Co2sServiceKind kind;
  guint ordinal;               /* trainers: 0 for "trainer", K-1 for "trainer-K" */
  Co2sService *service;
  guint restart_source;
  guint backoff_ms;            /* delay of the next automatic restart */
  gint64 ready_at;             /* monotonic time of the last readiness, 0 none */
  guint wanted : 1;            /* the user wants it running */
  guint must_restart : 1;      /* terminate, then launch again */
  guint relaunch : 1;          /* launched automatically after a crash */
};

typedef struct
{
  Co2sBackend backend;
  char *bin_dir;
  Co2sBrokerKind broker_kind;
  char *broker_address;
  char **broker_properties;
  char *kafka_data_dir;
  guint kafka_port;
  guint64 kafka_retention_bytes;
  double api_rate;
  guint batch_rows;
  char *algo;
  char *dataset;
  char *model_dir;
  char *compose_file;
  guint trainers;
} Co2sSupervisorSettings;

struct _Co2sSupervisor
{
  GObject parent_instance;

  GListStore *services;
  Co2sServiceSlot slots[CO2S_N_SERVICES];
  /* Trainers 2…N of a run with several; their services are made when first
   * needed and are in the list (after the trainer) while n_extra covers them. */
  Co2sServiceSlot extra[CO2S_SUPERVISOR_MAX_TRAINERS - 1];
  guint n_extra;               /* extra trainers of the current run */
  Co2sSupervisorSettings settings; /* the properties */
  Co2sSupervisorSettings run;      /* what the current run uses */
  gboolean run_embedded;       /* run uses the embedded broker */
  gboolean run_local_kafka;    /* run uses the local Kafka */

  guint ready_timeout;
  guint stop_timeout;
  guint restart_delay_initial;
  guint restart_delay_max;
  guint restart_reset_after;
  guint docker_timeout;
  guint compose_up_timeout;
  guint compose_poll_interval;
  guint kafka_start_timeout;
  guint kafka_stop_timeout;

  Co2sCompose *compose;
  GPtrArray *tasks;            /* pending local operations (GTask) */
  guint reconcile_source;

  char *bootstrap_servers;
  char *api_url;
  guint64 broker_generation;   /* embedded broker processes that became ready */
  guint64 trainer_generation;  /* broker generation the trainer last ran against */
  guint64 retrain_requested;   /* serial of the last retrain request */
  guint64 retrain_done;        /* serial honoured by the last --reset launch */
  gboolean active;

  /* The data topic's partitions for several trainers (co2s-supervisor-local.c). */
  GSubprocess *prepare;        /* co2stream-producer --prepare-topic, while it runs */
  GCancellable *prepare_cancellable;
  char *prepared_for;          /* brokers the topic was prepared at, NULL: not yet */

  /* The broker row's description (co2s-supervisor-broker.c). */
  guint kafka_size_source;     /* refreshes the local Kafka's size on disk */
  GCancellable *kafka_size_cancellable;
  guint64 kafka_size;          /* bytes under kafka-data-dir, last measured */
  gboolean kafka_size_known;
};

typedef struct
{
  const char *name;            /* Co2sService "name" */
  const char *title;           /* untranslated; N_() marked */
  const char *compose_name;    /* service in docker-compose.yml */
  const char *program;
  const char *subdir;          /* src/<subdir>/ in the build tree */
} Co2sServiceInfo;

extern const Co2sServiceInfo _co2s_service_info[CO2S_N_SERVICES];
extern const Co2sServiceInfo _co2s_local_kafka_info;

/* The info of the program @kind runs with broker @broker_kind (the broker
 * slot differs for the local Kafka); NULL for the broker of an existing
 * Kafka. */
const Co2sServiceInfo *_co2s_service_info_for (Co2sServiceKind kind,
                                               Co2sBrokerKind broker_kind);

/* co2s-supervisor-trainers.c */
/* Slots in start order: broker, api, trainer, the extra trainers, producer. */
guint _co2s_supervisor_n_slots (Co2sSupervisor *self);
Co2sServiceSlot *_co2s_supervisor_slot_at (Co2sSupervisor *self,
                                           guint position);
/* Position of @s in that order. */
guint _co2s_supervisor_slot_position (Co2sSupervisor *self,
                                      Co2sServiceSlot *s);
/* First and last position of the slots of @kind. */
guint _co2s_supervisor_first_position (Co2sSupervisor *self,
                                       Co2sServiceKind kind);
guint _co2s_supervisor_last_position (Co2sSupervisor *self,
                                      Co2sServiceKind kind);

/* Connects @s's service's "ready" and "exited" to the local backend. */
void _co2s_service_slot_connect (Co2sServiceSlot *s);
/* Puts the run's extra trainer rows (run.trainers - 1 with the local
 * backend, else none) in the list, right after the trainer. */
void _co2s_supervisor_sync_extra_trainers (Co2sSupervisor *self);
/* Why the run's several trainers cannot start (translated), or NULL. */
char *_co2s_supervisor_several_trainers_refusal (Co2sSupervisor *self);
/* The slot of the run's trainer row @trainer, or NULL if it is none. */
Co2sServiceSlot *_co2s_supervisor_trainer_slot (Co2sSupervisor *self,
                                                Co2sService *trainer);
/* The slot of @trainer among the run's several trainers in *@one (NULL
 * with one trainer), or FALSE with G_IO_ERROR_NOT_FOUND when @trainer is
 * no trainer row of the run. */
gboolean _co2s_supervisor_resolve_trainer (Co2sSupervisor *self,
                                           Co2sService *trainer,
                                           Co2sServiceSlot **one,
                                           GError **error);
/* Stops wanting @s alone (one trainer of several: the later services keep
 * running); a pending restart is cancelled. */
void _co2s_service_slot_unwant_alone (Co2sServiceSlot *s);

/* co2s-supervisor.c */
gboolean _co2s_service_slot_is_up (Co2sServiceSlot *s);
void _co2s_service_slot_cancel_restart (Co2sServiceSlot *s);
void _co2s_supervisor_update_active (Co2sSupervisor *self);
gboolean _co2s_supervisor_pipeline_is_idle (Co2sSupervisor *self);
void _co2s_supervisor_settings_copy (Co2sSupervisorSettings *dest,
                                     const Co2sSupervisorSettings *src);
void _co2s_supervisor_update_bootstrap_servers (Co2sSupervisor *self,
                                                const char *value);
void _co2s_supervisor_update_api_url (Co2sSupervisor *self,
                                      const char *value);
/* Begins co2s_supervisor_stop_trainer_async() (@stop) or
 * co2s_supervisor_start_trainer_async() for @task. */
void _co2s_supervisor_begin_trainer_op (Co2sSupervisor *self,
                                        GTask *task,
                                        gboolean stop,
                                        Co2sService *trainer);

/* co2s-supervisor-ops.c */
void _co2s_supervisor_check_tasks (Co2sSupervisor *self);
/* @alone: NULL, or one trainer to start alone (with the services before
 * the trainers), see co2s_supervisor_start_trainer_async(). */
void _co2s_supervisor_begin_start (Co2sSupervisor *self,
                                   GTask *task,
                                   OpKind kind,
                                   guint last,
                                   Co2sService *alone);
/* @trainer: NULL, or one trainer to stop alone, see
 * co2s_supervisor_stop_trainer_async(). */
void _co2s_supervisor_begin_stop (Co2sSupervisor *self,
                                  GTask *task,
                                  guint first,
                                  Co2sService *trainer);

/* co2s-supervisor-local.c */
char *_co2s_supervisor_find_program_in (const char *bin_dir,
                                        const Co2sServiceInfo *info,
                                        GError **error);
void _co2s_supervisor_queue_reconcile (Co2sSupervisor *self);
void _co2s_supervisor_on_service_ready (Co2sService *service,
                                        Co2sServiceSlot *s);
void _co2s_supervisor_on_service_exited (Co2sService *service,
                                         int reason,
                                         Co2sServiceSlot *s);
/* Ends the data topic's preparation under way, if any, and forgets it. */
void _co2s_supervisor_cancel_prepare (Co2sSupervisor *self);

/* co2s-supervisor-broker.c */
/* The "KEY=VALUE" strings of @properties (may be NULL), stripped, without
 * blank ones and "#" comments. Free with g_strfreev(). */
char **_co2s_kafka_overrides (char **properties);
void _co2s_supervisor_update_broker_description (Co2sSupervisor *self);
void _co2s_supervisor_broker_running_changed (Co2sSupervisor *self);
void _co2s_supervisor_broker_settings_changed (Co2sSupervisor *self);
void _co2s_supervisor_broker_dispose (Co2sSupervisor *self);

G_END_DECLS
