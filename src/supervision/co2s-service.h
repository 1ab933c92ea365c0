/* co2s-service.h — one supervised service of the pipeline.
 *
 * A Co2sService is what a status row and a log view show: a state with a
 * message, uptime, restart count, last log line and a bounded log buffer.
 * Every value is a GObject property with notify, so widgets can bind to it.
 *
 * The objects are created and driven by Co2sSupervisor (see
 * co2s-supervisor.h); widgets only read them. The "backend API" section
 * below is for the supervisor and its Docker Compose backend: it spawns and
 * stops the local process, captures its output and reports readiness and
 * exit through signals.
 *
 * Signals (backend API):
 *   "ready" (void): the spawned process announced readiness; "state" is
 *     RUNNING and, for CO2S_READY_ON_PREFIX, "address" is set.
 *   "exited" (int reason, a Co2sExitReason): the process is gone and its
 *     output drained; "pid" is 0 again and co2s_service_get_exit_text() says
 *     how it ended. The state is left for the handler (the supervisor) to
 *     set.
 * Widgets only need "notify::PROPERTY" and the log's "items-changed".
 *
 * Threading: every function must be called from the main thread (the thread
 * of the default GMainContext); signals and notifies are emitted there. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a status row shows. */
typedef enum {
  CO2S_SERVICE_STATE_STOPPED,    /* not running, nothing wrong */
  CO2S_SERVICE_STATE_STARTING,   /* launched and not ready yet, waiting for a
                                    service it needs, or waiting to be
                                    restarted after a crash (see "message") */
  CO2S_SERVICE_STATE_RUNNING,    /* ready (local) / running or healthy (Docker) */
  CO2S_SERVICE_STATE_UNHEALTHY,  /* running but its health check fails (Docker) */
  CO2S_SERVICE_STATE_FAILED,     /* gave up: "message" says why; a new Start retries */
} Co2sServiceState;

/* GEnum type of Co2sServiceState (nicks "stopped", "starting", …). */
GType co2s_service_state_get_type (void);
#define CO2S_TYPE_SERVICE_STATE (co2s_service_state_get_type ())

/* Translated, capitalised label of @state ("Running"); static string. */
const char *co2s_service_state_to_label (Co2sServiceState state);

/* When a freshly spawned process counts as ready (backend API). */
typedef enum {
  CO2S_READY_ON_SPAWN,       /* as soon as it runs */
  CO2S_READY_ON_FIRST_LINE,  /* first output line on either stream, or alive for 1 s */
  CO2S_READY_ON_PREFIX,      /* a stdout line starting with the prefix; the rest
                                of that line becomes "address" */
  CO2S_READY_WHEN_SETTLED,   /* alive for CO2S_SERVICE_SETTLE_MS, whatever it
                                prints: for a program that may still refuse what
                                it was given a moment after its first lines */
} Co2sReadyMode;

#define CO2S_SERVICE_SETTLE_MS 3000

/* Why a process ended, argument of the "exited" signal (backend API). */
typedef enum {
  CO2S_EXIT_REQUESTED,   /* co2s_service_terminate() was called */
  CO2S_EXIT_NOT_READY,   /* it missed its readiness deadline and was ended;
                            the state is already FAILED with a message */
  CO2S_EXIT_UNEXPECTED,  /* it exited on its own or was killed by someone else */
} Co2sExitReason;

#define CO2S_SERVICE_DEFAULT_LOG_LIMIT 2000
#define CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS 5000

#define CO2S_TYPE_SERVICE (co2s_service_get_type ())

G_DECLARE_FINAL_TYPE (Co2sService, co2s_service, CO2S, SERVICE, GObject)

/* New stopped service. @name is the stable id ("broker", "api", "trainer",
 * "producer"), @title the translated label shown to users; both copied,
 * not NULL. Returns a new reference. */
Co2sService *co2s_service_new (const char *name,
                               const char *title);

/* ---- Reading (widgets) ------------------------------------------------- */

/* Property "name": the stable id; owned by @self. */
const char *co2s_service_get_name (Co2sService *self);

/* Property "title": translated label ("Trainer"); owned by @self. */
const char *co2s_service_get_title (Co2sService *self);

/* Property "state". */
Co2sServiceState co2s_service_get_state (Co2sService *self);

/* Property "message": translated detail of the state ("Waiting for
 * Broker", "Exited with status 1; restarting in 2 s", the reason of a
 * failure), or NULL. Owned by @self; valid until the next change. */
const char *co2s_service_get_message (Co2sService *self);

/* Property "enabled": FALSE when the service is not part of the current
 * configuration (the broker when an external Kafka is configured). */
gboolean co2s_service_get_enabled (Co2sService *self);

/* Property "started-at": g_get_monotonic_time() when the current run became
 * ready/running, 0 when not running. */
gint64 co2s_service_get_started_at (Co2sService *self);

/* Microseconds since "started-at", 0 when not running. Not a property
 * (it changes all the time): refresh it from a 1 s timer while shown. */
gint64 co2s_service_get_uptime (Co2sService *self);

/* Property "restart-count": automatic restarts after a crash since the
 * last Start. */
guint co2s_service_get_restart_count (Co2sService *self);

/* Property "restart-delay": milliseconds of the pending automatic restart
 * (exponential backoff), 0 when none is scheduled. */
guint co2s_service_get_restart_delay (Co2sService *self);

/* Property "last-line": the most recent output line, or NULL; owned by
 * @self; valid until the next line. */
const char *co2s_service_get_last_line (Co2sService *self);

/* The log buffer: a GListModel of Co2sLogLine, oldest first, holding at
 * most "log-limit" lines (older lines are removed from the front).
 * Owned by @self (transfer none); it lives as long as @self. */
GListModel *co2s_service_get_log (Co2sService *self);

/* Property "log-limit": lines kept in the log buffer (default 2000, ≥ 1). */
guint co2s_service_get_log_limit (Co2sService *self);
void co2s_service_set_log_limit (Co2sService *self,
                                 guint limit);

/* Property "pid": process id of the local process, 0 when none. */
GPid co2s_service_get_pid (Co2sService *self);

/* Property "address": what the ready line announced (broker:
 * "HOST:PORT"; api: "http://HOST:PORT"), or NULL. Owned by @self. */
const char *co2s_service_get_address (Co2sService *self);

/* Property "health": Docker's health status ("healthy", "unhealthy",
 * "starting") or NULL when unknown / not Docker. Owned by @self. */
const char *co2s_service_get_health (Co2sService *self);

/* Property "description": what this service is in the current
 * configuration, for a row's subtitle (broker: "Apache Kafka 4.1 on this
 * computer · 127.0.0.1:9092 · 12 MB on disk, retention 1 GiB"), or NULL.
 * Owned by @self; valid until the next change. */
const char *co2s_service_get_description (Co2sService *self);

/* TRUE when the last process was ended with SIGKILL because it ignored
 * SIGTERM for "stop-timeout" milliseconds. */
gboolean co2s_service_get_killed (Co2sService *self);

/* Property "stop-timeout": milliseconds between SIGTERM and SIGKILL
 * (default 5000). */
guint co2s_service_get_stop_timeout (Co2sService *self);
void co2s_service_set_stop_timeout (Co2sService *self,
                                    guint timeout_ms);

/* ---- Backend API (Co2sSupervisor, Co2sCompose) -------------------------- */

/* Sets "state" and "message" (@message may be NULL; copied). Also keeps
 * "started-at" consistent: set when entering RUNNING/UNHEALTHY from
 * another state, cleared when leaving them. */
void co2s_service_set_state (Co2sService *self,
                             Co2sServiceState state,
                             const char *message);

/* Sets "message" only (@message may be NULL; copied). */
void co2s_service_set_message (Co2sService *self,
                               const char *message);

/* Sets "enabled" (notifies only on change). */
void co2s_service_set_enabled (Co2sService *self,
                               gboolean enabled);

/* Sets "restart-count" (notifies only on change). */
void co2s_service_set_restart_count (Co2sService *self,
                                     guint count);

/* Sets "restart-delay" in milliseconds, 0 = no restart pending. */
void co2s_service_set_restart_delay (Co2sService *self,
                                     guint delay_ms);

/* Sets "health"; @health may be NULL; copied. */
void co2s_service_set_health (Co2sService *self,
                              const char *health);

/* Sets "description"; @description may be NULL; copied. */
void co2s_service_set_description (Co2sService *self,
                                   const char *description);

/* Sets "address"; @address may be NULL; copied. */
void co2s_service_set_address (Co2sService *self,
                               const char *address);

/* Appends @text (a line without newline; copied, repaired to UTF-8, cut at
 * 8 KiB) to the log buffer and sets "last-line". */
void co2s_service_append_log (Co2sService *self,
                              const char *text,
                              gboolean is_stderr);

/* Reads @stream line by line on the main context, appending each line to
 * the log, until end of stream, an error or @cancellable (may be NULL) is
 * cancelled. Takes its own reference on @stream. Does not keep @self
 * alive: reading stops quietly when @self is disposed. */
void co2s_service_follow_stream (Co2sService *self,
                                 GInputStream *stream,
                                 gboolean is_stderr,
                                 GCancellable *cancellable);

/* Spawns @argv (NULL-terminated; argv[0] a path; no shell) with stdout and
 * stderr captured into the log and stdin from /dev/null, in the
 * environment of this process plus @envp_extra ("KEY=VALUE" strings, may
 * be NULL). The child gets PR_SET_PDEATHSIG(SIGTERM) on Linux so it ends
 * when this process dies, even by SIGKILL. State becomes STARTING ("pid"
 * and the log follow); when @mode says it is ready the state becomes
 * RUNNING and "ready" is emitted. If that does not happen within
 * @ready_timeout_ms (0 = no deadline), the state becomes FAILED with a
 * message and the process is terminated. Whatever happens, "exited" is
 * emitted once when the process is gone and its output drained.
 * @ready_prefix is required for CO2S_READY_ON_PREFIX, else ignored.
 * FALSE with @error (state unchanged) if a process is already running or
 * the spawn fails. */
gboolean co2s_service_spawn (Co2sService *self,
                             const char * const *argv,
                             const char * const *envp_extra,
                             Co2sReadyMode mode,
                             const char *ready_prefix,
                             guint ready_timeout_ms,
                             GError **error);

/* A launcher with @flags whose children get PR_SET_PDEATHSIG(SIGTERM) on
 * Linux, so they end when this process dies, even by SIGKILL. Must be used
 * from the thread that stays alive (the main thread). Returns a new
 * reference. */
GSubprocessLauncher *co2s_service_new_launcher (GSubprocessFlags flags);

/* TRUE while a spawned process has not been reported by "exited". */
gboolean co2s_service_has_process (Co2sService *self);

/* TRUE while a process is being terminated (SIGTERM sent, not exited). */
gboolean co2s_service_is_terminating (Co2sService *self);

/* Asks the process to stop: SIGTERM now, SIGKILL after "stop-timeout".
 * Never blocks; "exited" follows with CO2S_EXIT_REQUESTED. Does nothing
 * if there is no process or it is already being terminated. */
void co2s_service_terminate (Co2sService *self);

/* Translated description of how the last process ended ("exited with
 * status 1", "killed by signal 9"), or NULL if none ended yet. Owned by
 * @self. */
const char *co2s_service_get_exit_text (Co2sService *self);

/* TRUE if the last (or current) process reached readiness. */
gboolean co2s_service_get_was_ready (Co2sService *self);

/* Clears the log buffer and "last-line". */
void co2s_service_clear_log (Co2sService *self);

G_END_DECLS
