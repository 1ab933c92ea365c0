/* co2s-compose.h — the Docker Compose backend of Co2sSupervisor.
 *
 * Drives a docker-compose.yml for a list of Co2sService objects, each
 * mapped to a compose service name: `up -d NAME` in order, `stop -t S NAME`
 * in reverse order, `ps` every poll interval for state and health, and
 * `logs --no-color --no-log-prefix --tail 200 -f NAME` into each service's
 * log. Uses `docker compose` (v2 plugin); falls back to `docker-compose`
 * (v1), where `ps` gives container ids and `docker inspect` their state,
 * then to `podman-compose` (the same, with `podman inspect`). The calls
 * inherit the environment (DOCKER_HOST). A container restarting 3 times
 * within a minute shows FAILED, "Restarting repeatedly (N restarts in M s)".
 *
 * Every Docker call except the log followers has a deadline (a timeout that
 * cancels the call and kills the process); nothing here blocks. When Docker
 * is not installed or its daemon does not answer, the services become
 * FAILED with a message saying so and the operation fails with the same
 * message.
 *
 * Co2sSupervisor owns one of these; applications use the supervisor. The
 * parsing helpers are public for tests.
 *
 * Threading: main thread only. */
#pragma once

#include <gio/gio.h>

#include "co2s-service.h"

G_BEGIN_DECLS

/* One container as `docker compose ps --format json` or `docker inspect`
 * describes it. */
typedef struct {
  char *service;   /* compose service name ("api"); never NULL */
  char *state;     /* "running", "exited", "restarting", "created",
                      "paused", "dead", "removing"; never NULL */
  char *health;    /* "healthy", "unhealthy", "starting", or NULL */
  int exit_code;
  int restart_count; /* Docker's count of restarts (inspect "RestartCount",
                        Podman's ps "Restarts"), or -1 when not given */
} Co2sComposeContainer;

/* Frees @container and its strings; NULL is ignored. */
void co2s_compose_container_free (Co2sComposeContainer *container);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sComposeContainer, co2s_compose_container_free)

/* Parses the output of `docker compose ps --format json`: a JSON array of
 * objects (Compose < 2.21) or one object per line (Compose ≥ 2.21); empty
 * output is no container. Keys used: Service, State, Health, ExitCode.
 * Returns a GPtrArray of Co2sComposeContainer (free with
 * g_ptr_array_unref), or NULL with G_IO_ERROR_INVALID_DATA. */
GPtrArray *co2s_compose_parse_ps (const char *text,
                                  GError **error);

/* Parses the output of `docker inspect ID…` (a JSON array): service from
 * Config.Labels["com.docker.compose.service"], State.Status,
 * State.Health.Status, State.ExitCode. Same result as
 * co2s_compose_parse_ps(). */
GPtrArray *co2s_compose_parse_inspect (const char *text,
                                       GError **error);

/* The state a status row shows for @container (may be NULL: no container)
 * of a service the user @wanted running or not. *@message (may be NULL)
 * receives a translated detail or NULL; free with g_free(). */
Co2sServiceState co2s_compose_container_state (const Co2sComposeContainer *container,
                                               gboolean wanted,
                                               char **message);

/* The most telling line of a failed Docker command's output @text (may
 * be NULL): the "Cannot connect to the Docker daemon…" line if present,
 * else the last non-empty line without a Python traceback frame. Returns a
 * newly allocated string, never NULL. */
char *co2s_compose_summarize_error (const char *text);

/* TRUE when a failed Docker command's output @text (may be NULL) says the
 * daemon cannot be reached (docker CLI, compose v2 or docker-compose v1). */
gboolean co2s_compose_is_daemon_error (const char *text);

#define CO2S_TYPE_COMPOSE (co2s_compose_get_type ())

G_DECLARE_FINAL_TYPE (Co2sCompose, co2s_compose, CO2S, COMPOSE, GObject)

/* New backend for @n_services services (@services: references taken),
 * known to compose as @compose_names (copied). */
Co2sCompose *co2s_compose_new (Co2sService * const *services,
                               const char * const *compose_names,
                               guint n_services);

/* Settings, read by the next start: @compose_file path (copied, not NULL),
 * deadline of quick calls @docker_timeout_ms, of `up -d` @up_timeout_ms,
 * the @poll_interval_ms of `ps`, and the @stop_timeout_ms given to
 * `stop -t` (rounded up to seconds). */
void co2s_compose_configure (Co2sCompose *self,
                             const char *compose_file,
                             guint docker_timeout_ms,
                             guint up_timeout_ms,
                             guint poll_interval_ms,
                             guint stop_timeout_ms);

/* Variables ("NAME=VALUE", NULL-terminated; NULL: none) given to every
 * compose call from now on, on top of this process's environment: the
 * compose file reads them (CO2S_ALGO, the trainer's models). Copied. */
void co2s_compose_set_environment (Co2sCompose *self, const char * const *env);

/* Property "active": TRUE while a service is wanted up or a stop runs. */
gboolean co2s_compose_get_active (Co2sCompose *self);

/* Finds Docker, checks its daemon, then runs `up -d` for services 0..@last
 * in order. TRUE when every `up -d` succeeded (the services then show
 * their container state from `ps`); else FALSE with G_IO_ERROR_NOT_FOUND
 * (Docker missing), G_IO_ERROR_CONNECTION_REFUSED (daemon unreachable),
 * G_IO_ERROR_TIMED_OUT or G_IO_ERROR_FAILED, and the services that could
 * not start are FAILED with the same message. */
void co2s_compose_start_async (Co2sCompose *self,
                               guint last,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean co2s_compose_start_finish (Co2sCompose *self,
                                    GAsyncResult *result,
                                    GError **error);

/* Runs `stop` for services @first..n-1 in reverse order and ends their
 * log followers. TRUE when every stop succeeded, else the first error (the
 * other services are still stopped). */
void co2s_compose_stop_async (Co2sCompose *self,
                              guint first,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean co2s_compose_stop_finish (Co2sCompose *self,
                                   GAsyncResult *result,
                                   GError **error);

G_END_DECLS
