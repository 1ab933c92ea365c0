/* co2s-docker-call.h — runs one short command (a docker or docker-compose
 * call) with a deadline. Internal to the Docker Compose backend
 * (co2s-compose.c). Main thread only. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  gboolean success;   /* exited with status 0 */
  char *out;          /* standard output, valid UTF-8, never NULL */
  char *err;          /* standard error, valid UTF-8, never NULL */
} Co2sDockerResult;

/* Frees @result and its strings; NULL is ignored. */
void co2s_docker_result_free (Co2sDockerResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sDockerResult, co2s_docker_result_free)

/* Runs @argv (NULL-terminated, argv[0] a path; no shell) in @cwd (may be
 * NULL) with stdin from /dev/null, collecting its output; @env (may be
 * NULL) is a NULL-terminated list of "NAME=VALUE" set in the child's
 * environment on top of this process's. After
 * @timeout_ms it is killed (SIGKILL) and, once it is gone, the call fails
 * with G_IO_ERROR_TIMED_OUT ("no answer within N s"). The child gets
 * PR_SET_PDEATHSIG like every supervised process. @source_object (may be
 * NULL) becomes the GTask's source object. */
void co2s_docker_call_async (GObject *source_object,
                             const char * const *argv,
                             const char *cwd,
                             const char * const *env,
                             guint timeout_ms,
                             GAsyncReadyCallback callback,
                             gpointer user_data);

/* The result (free with co2s_docker_result_free()) whatever the exit
 * status, or NULL with @error if it could not be spawned or timed out. */
Co2sDockerResult *co2s_docker_call_finish (GAsyncResult *result,
                                           GError **error);

G_END_DECLS
