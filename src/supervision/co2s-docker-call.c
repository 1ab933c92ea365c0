/* co2s-docker-call.c — one short command with a deadline, for the Docker
 * Compose backend. */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-docker-call.h"

#include "co2s-service.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  GSubprocess *subprocess;
  GCancellable *cancellable;
  guint timeout_source;
  guint timeout_ms;
  gboolean timed_out;
} Call;

void
co2s_docker_result_free (Co2sDockerResult *r)
{
  if (r == NULL)
    return;
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

static void
call_free (Call *call)
{
  g_clear_handle_id (&call->timeout_source, g_source_remove);
  g_clear_object (&call->subprocess);
  g_clear_object (&call->cancellable);
  g_free (call);
}

static char *
bytes_to_text (GBytes *bytes)
{
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup ("");
  return g_utf8_make_valid (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static gboolean
call_timeout_cb (gpointer data)
{
  Call *call = data;

  call->timeout_source = 0;
  call->timed_out = TRUE;
  g_subprocess_force_exit (call->subprocess);
  g_cancellable_cancel (call->cancellable);

  return G_SOURCE_REMOVE;
}

static void
call_reaped_cb (GObject *source,
                GAsyncResult *result,
                gpointer data)
{
  g_autoptr(GTask) task = data;
  Call *call = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("no answer within %u s"), (call->timeout_ms + 999) / 1000);
}

static void
call_communicate_cb (GObject *source,
                     GAsyncResult *result,
                     gpointer data)
{
  g_autoptr(GTask) task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  Co2sDockerResult *r;

  g_clear_handle_id (&call->timeout_source, g_source_remove);

  if (!g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &out, &err, &error))
    {
      if (call->timed_out)
        {
          /* Report only once the killed process is really gone. */
          g_subprocess_wait_async (call->subprocess, NULL, call_reaped_cb, g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  r = g_new0 (Co2sDockerResult, 1);
  r->success = g_subprocess_get_successful (call->subprocess);
  r->out = bytes_to_text (out);
  r->err = bytes_to_text (err);
  g_task_return_pointer (task, r, (GDestroyNotify) co2s_docker_result_free);
}

void
co2s_docker_call_async (GObject *source_object,
                        const char * const *argv,
                        const char *cwd,
                        const char * const *env,
                        guint timeout_ms,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  Call *call;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  task = g_task_new (source_object, NULL, callback, user_data);
  g_task_set_source_tag (task, co2s_docker_call_async);
  joined = g_strjoinv (" ", (char **) argv);
  g_debug ("running %s", joined);

  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (cwd != NULL && g_file_test (cwd, G_FILE_TEST_IS_DIR))
    g_subprocess_launcher_set_cwd (launcher, cwd);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);

      g_assert (kv[0] != NULL && kv[1] != NULL);
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }

  call = g_new0 (Call, 1);
  call->timeout_ms = MAX (timeout_ms, 1);
  call->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  call->subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (call->subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  call->timeout_source = g_timeout_add (call->timeout_ms, call_timeout_cb, call);
  g_subprocess_communicate_async (call->subprocess, NULL, call->cancellable,
                                  call_communicate_cb, g_steal_pointer (&task));
}

Co2sDockerResult *
co2s_docker_call_finish (GAsyncResult *result,
                         GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_docker_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
