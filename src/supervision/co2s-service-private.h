/* co2s-service-private.h — what co2s-service.c and co2s-service-process.c
 * share. Not for other files. */
#pragma once

#include "co2s-service.h"

G_BEGIN_DECLS

typedef struct _Co2sServiceProcess Co2sServiceProcess;

struct _Co2sService
{
  GObject parent_instance;

  char *name;
  char *title;
  Co2sServiceState state;
  char *message;
  gboolean enabled;
  gint64 started_at;
  guint restart_count;
  guint restart_delay;
  char *last_line;
  GListStore *log;
  guint log_limit;
  char *address;
  char *health;
  char *description;
  char *exit_text;
  guint stop_timeout;
  gboolean killed;
  gboolean was_ready;

  Co2sServiceProcess *process;  /* owned reference, or NULL */
};

/* co2s-service.c */
void _co2s_service_notify_pid (Co2sService *self);
void _co2s_service_emit_ready (Co2sService *self);
void _co2s_service_emit_exited (Co2sService *self,
                                Co2sExitReason reason);

/* co2s-service-process.c */
GPid _co2s_service_process_get_pid (Co2sServiceProcess *proc);

/* Lets go of the service's process at dispose: SIGTERM now, SIGKILL after
 * the stop timeout while the main loop runs; no signal reaches @self. */
void _co2s_service_process_detach (Co2sService *self);

G_END_DECLS
