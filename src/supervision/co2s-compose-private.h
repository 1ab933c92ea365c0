/* co2s-compose-private.h — what the Docker Compose backend's files share:
 * co2s-compose.c (the object, its Docker calls, the public settings),
 * co2s-compose-ps.c (container states: `ps`, `inspect`, the crash loop, the
 * poll timer), co2s-compose-run.c (up, stop and log followers: the start
 * and stop sequences). Main thread only. */
#pragma once

#include "co2s-compose.h"
#include "co2s-docker-call.h"

G_BEGIN_DECLS

/* A crash loop: this many restarts within the window shows the service as
 * FAILED ("restarting repeatedly"), whatever state the container is in
 * between two restarts. */
#define CO2S_COMPOSE_CRASH_LOOP_RESTARTS 3
#define CO2S_COMPOSE_CRASH_LOOP_WINDOW_US (60 * G_USEC_PER_SEC)
#define CO2S_COMPOSE_CRASH_LOOP_MAX_TIMES 64

typedef struct
{
  Co2sService *service;
  char *name;                   /* compose service name */
  GSubprocess *follower;        /* `logs -f`, or NULL */
  char *follow_since;           /* RFC 3339 time the last follower ended */
  gboolean wanted;
  gboolean restarting;          /* last `ps` said "restarting" */
  int last_restart_count;       /* Docker's RestartCount at the last poll, or -1 */
  gint64 last_poll_us;          /* monotonic time of the last poll that saw it */
  gint64 restart_times[CO2S_COMPOSE_CRASH_LOOP_MAX_TIMES]; /* restarts in the window, oldest first */
  guint n_restart_times;
} Entry;

struct _Co2sCompose
{
  GObject parent_instance;

  Entry *entries;
  guint n_entries;

  char *compose_file;
  char **env;                   /* "NAME=VALUE" for every compose call (co2s_compose_set_environment) */
  guint docker_timeout;
  guint up_timeout;
  guint poll_interval;
  guint stop_timeout;

  char **prefix;                /* {docker, "compose"} or {docker-compose}; NULL until found */
  char *docker;                 /* docker CLI (podman with podman-compose), or NULL */
  gboolean v1;                  /* docker-compose v1 or podman-compose: `ps -q` + inspect */
  gboolean podman;              /* podman-compose: no daemon to ask first */

  guint poll_source;
  gboolean polling;
  guint generation;             /* bumped by every stop: abandons a running start */
  guint n_busy;                 /* starts and stops in progress */
  guint n_starting;             /* start sequences running */
  GPtrArray *deferred_stops;    /* stop tasks waiting for that start to end */
  GPtrArray *ending_stops;      /* stop tasks waiting for their log followers to exit */
  gboolean active;
};


/* The compose file's folder, where every call runs (newly allocated). */
char *_co2s_compose_dir (Co2sCompose *self);

/* Runs @argv (NULL-terminated) in the compose file's folder, collecting its
 * output; ends it after @timeout_ms. @callback gets @self as source. */
void _co2s_compose_call_async (Co2sCompose *self,
                               const char * const *argv,
                               guint timeout_ms,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
Co2sDockerResult *_co2s_compose_call_finish (Co2sCompose *self,
                                             GAsyncResult *result,
                                             GError **error);

/* {prefix…, "-f", file, @first, …, NULL}; self->prefix must be set; free
 * with g_strfreev(). */
char **_co2s_compose_argv (Co2sCompose *self,
                           const char *first,
                           ...) G_GNUC_NULL_TERMINATED;

/* Updates the "active" property from the busy count and wanted services. */
void _co2s_compose_update_active (Co2sCompose *self);

/* co2s-compose-ps.c: asks `ps` (and `inspect`) now unless a poll runs, and
 * polls every poll interval while a service is wanted or a start or stop
 * runs. */
void _co2s_compose_poll_now (Co2sCompose *self);
void _co2s_compose_ensure_polling (Co2sCompose *self);

/* co2s-compose-run.c: starts `logs -f` for @e's service into its log
 * unless one runs; kills it (forgotten once it has exited). */
void _co2s_compose_start_follower (Co2sCompose *self,
                                   Entry *e);
void _co2s_compose_stop_follower (Entry *e);

G_END_DECLS
