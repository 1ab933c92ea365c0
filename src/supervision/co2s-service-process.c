/* co2s-service-process.c — the local process of a Co2sService: spawn with
 * PR_SET_PDEATHSIG, output capture line by line, readiness, SIGTERM then
 * SIGKILL, exit reporting. */
#define G_LOG_DOMAIN "co2s-service"

#include "co2s-service-private.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#define FIRST_LINE_GRACE_MS 1000
#define DRAIN_TIMEOUT_MS 500

typedef Co2sServiceProcess Process;

struct _Co2sServiceProcess
{
  Co2sService *service;      /* not owned; NULL once the service let go */
  GSubprocess *subprocess;
  GCancellable *cancellable; /* cancels the output readers */
  GPid pid;
  Co2sReadyMode mode;
  char *ready_prefix;
  guint n_open;              /* output streams not at end yet */
  guint ready_source;        /* readiness deadline */
  guint grace_source;        /* CO2S_READY_ON_SPAWN / _FIRST_LINE / _WHEN_SETTLED */
  guint kill_source;         /* SIGKILL after the stop timeout */
  guint drain_source;        /* stop waiting for output after exit */
  guint waited : 1;
  guint finished : 1;
  guint ready : 1;
  guint terminating : 1;
  guint not_ready : 1;
  guint killed : 1;
};

typedef struct
{
  GWeakRef service;
  GDataInputStream *data;
  GCancellable *cancellable;
  Process *process;          /* owned reference, or NULL (follow_stream) */
  gboolean is_stderr;
} LineReader;

/* ---- Process ------------------------------------------------------------ */

static void
process_clear (Process *proc)
{
  g_clear_handle_id (&proc->ready_source, g_source_remove);
  g_clear_handle_id (&proc->grace_source, g_source_remove);
  g_clear_handle_id (&proc->kill_source, g_source_remove);
  g_clear_handle_id (&proc->drain_source, g_source_remove);
  g_clear_object (&proc->subprocess);
  g_clear_object (&proc->cancellable);
  g_clear_pointer (&proc->ready_prefix, g_free);
}

static Process *
process_ref (Process *proc)
{
  return g_rc_box_acquire (proc);
}

static void
process_unref (Process *proc)
{
  g_rc_box_release_full (proc, (GDestroyNotify) process_clear);
}

/* g_set_str() arrives in GLib 2.76. */

static char *
describe_exit (GSubprocess *subprocess)
{
  if (g_subprocess_get_if_exited (subprocess))
    return g_strdup_printf (_("exited with status %d"), g_subprocess_get_exit_status (subprocess));
  if (g_subprocess_get_if_signaled (subprocess))
    {
      int sig = g_subprocess_get_term_sig (subprocess);
      return g_strdup_printf (_("killed by signal %d (%s)"), sig, g_strsignal (sig));
    }
  return g_strdup (_("ended"));
}

/* The process is gone and its output drained (or given up on). */
static void
process_finish (Process *proc)
{
  Co2sService *self = proc->service;
  Co2sExitReason reason;

  g_assert (proc->waited);

  if (proc->finished)
    return;
  proc->finished = TRUE;
  g_clear_handle_id (&proc->drain_source, g_source_remove);

  if (self == NULL || self->process != proc)
    return;

  if (proc->not_ready)
    reason = CO2S_EXIT_NOT_READY;
  else if (proc->terminating)
    reason = CO2S_EXIT_REQUESTED;
  else
    reason = CO2S_EXIT_UNEXPECTED;

  g_debug ("%s: process %d gone (%s, reason %d)", self->name, (int) proc->pid,
           self->exit_text, reason);

  proc->service = NULL;
  self->process = NULL;
  self->killed = proc->killed;
  _co2s_service_notify_pid (self);

  _co2s_service_emit_exited (self, reason);

  process_unref (proc);
}

static void
process_set_ready (Process *proc)
{
  Co2sService *self = proc->service;

  if (self == NULL || proc->ready || proc->terminating || proc->waited)
    return;

  proc->ready = TRUE;
  g_clear_handle_id (&proc->ready_source, g_source_remove);
  g_clear_handle_id (&proc->grace_source, g_source_remove);

  self->was_ready = TRUE;
  co2s_service_set_state (self, CO2S_SERVICE_STATE_RUNNING, NULL);

  _co2s_service_emit_ready (self);
}

static gboolean
process_kill_cb (gpointer data)
{
  Process *proc = data;

  proc->kill_source = 0;
  if (!proc->waited)
    {
      g_message ("process %d ignored SIGTERM; sending SIGKILL", (int) proc->pid);
      proc->killed = TRUE;
      g_subprocess_force_exit (proc->subprocess);
    }

  return G_SOURCE_REMOVE;
}

static void
process_terminate (Process *proc,
                   guint timeout_ms)
{
  if (proc->terminating || proc->waited)
    return;

  proc->terminating = TRUE;
  g_clear_handle_id (&proc->ready_source, g_source_remove);
  g_clear_handle_id (&proc->grace_source, g_source_remove);

  g_subprocess_send_signal (proc->subprocess, SIGTERM);
  proc->kill_source = g_timeout_add (MAX (timeout_ms, 1), process_kill_cb, proc);
}

static gboolean
process_ready_timeout_cb (gpointer data)
{
  Process *proc = data;
  Co2sService *self = proc->service;
  g_autofree char *message = NULL;
  guint stop_timeout;

  proc->ready_source = 0;
  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (self->last_line != NULL)
    message = g_strdup_printf (_("Did not become ready in time (last output: %s)"), self->last_line);
  else
    message = g_strdup (_("Did not become ready in time (no output)"));

  g_message ("%s: not ready before its deadline; stopping it", self->name);
  proc->not_ready = TRUE;
  stop_timeout = self->stop_timeout;
  co2s_service_set_state (self, CO2S_SERVICE_STATE_FAILED, message);
  process_terminate (proc, stop_timeout);

  return G_SOURCE_REMOVE;
}

static gboolean
process_grace_cb (gpointer data)
{
  Process *proc = data;

  proc->grace_source = 0;
  process_set_ready (proc);

  return G_SOURCE_REMOVE;
}

static gboolean
process_drain_timeout_cb (gpointer data)
{
  Process *proc = data;

  /* Something (a grandchild?) still holds the pipes open: stop reading. */
  proc->drain_source = 0;
  g_cancellable_cancel (proc->cancellable);
  process_finish (proc);

  return G_SOURCE_REMOVE;
}

static void
process_wait_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer data)
{
  Process *proc = data;
  g_autoptr(GError) error = NULL;

  /* Only fails when cancelled, and we never cancel it. */
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    g_warning ("waiting for process %d: %s", (int) proc->pid, error->message);

  proc->waited = TRUE;
  g_clear_handle_id (&proc->ready_source, g_source_remove);
  g_clear_handle_id (&proc->grace_source, g_source_remove);
  g_clear_handle_id (&proc->kill_source, g_source_remove);

  if (proc->service != NULL)
    {
      g_free (proc->service->exit_text);
      proc->service->exit_text = describe_exit (proc->subprocess);
    }

  if (proc->n_open == 0)
    process_finish (proc);
  else
    proc->drain_source = g_timeout_add (DRAIN_TIMEOUT_MS, process_drain_timeout_cb, proc);

  process_unref (proc);
}

static void
process_handle_line (Process *proc,
                     const char *line,
                     gboolean is_stderr)
{
  Co2sService *self = proc->service;

  if (self == NULL || proc->ready || proc->terminating)
    return;

  switch (proc->mode)
    {
    case CO2S_READY_ON_FIRST_LINE:
      process_set_ready (proc);
      break;

    case CO2S_READY_ON_PREFIX:
      if (!is_stderr && g_str_has_prefix (line, proc->ready_prefix))
        {
          g_autofree char *address = g_strstrip (g_strdup (line + strlen (proc->ready_prefix)));

          co2s_service_set_address (self, address);
          process_set_ready (proc);
        }
      break;

    case CO2S_READY_ON_SPAWN:
    case CO2S_READY_WHEN_SETTLED:
    default:
      break;
    }
}

/* ---- Line readers ------------------------------------------------------- */

static void line_reader_read_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
line_reader_free (LineReader *reader)
{
  g_weak_ref_clear (&reader->service);
  g_clear_object (&reader->data);
  g_clear_object (&reader->cancellable);
  g_free (reader);
}

static void
line_reader_done (LineReader *reader)
{
  Process *proc = reader->process;

  if (proc != NULL)
    {
      g_assert (proc->n_open > 0);
      proc->n_open--;
      if (proc->n_open == 0 && proc->waited)
        process_finish (proc);
      process_unref (proc);
    }

  line_reader_free (reader);
}

static void
line_reader_next (LineReader *reader)
{
  g_data_input_stream_read_line_async (reader->data, G_PRIORITY_DEFAULT, reader->cancellable,
                                       line_reader_read_cb, reader);
}

static void
line_reader_read_cb (GObject *source,
                     GAsyncResult *result,
                     gpointer data)
{
  LineReader *reader = data;
  g_autoptr(Co2sService) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &len, &error);
  self = g_weak_ref_get (&reader->service);

  if (line == NULL || self == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("reading output: %s", error->message);
      line_reader_done (reader);
      return;
    }

  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';

  co2s_service_append_log (self, line, reader->is_stderr);
  if (reader->process != NULL)
    process_handle_line (reader->process, line, reader->is_stderr);

  line_reader_next (reader);
}

static void
start_line_reader (Co2sService *self,
                   GInputStream *stream,
                   gboolean is_stderr,
                   GCancellable *cancellable,
                   Process *proc)
{
  LineReader *reader = g_new0 (LineReader, 1);

  g_weak_ref_init (&reader->service, self);
  reader->data = g_data_input_stream_new (stream);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (reader->data), FALSE);
  reader->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  reader->process = proc != NULL ? process_ref (proc) : NULL;
  reader->is_stderr = is_stderr;

  line_reader_next (reader);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer data)
{
#ifdef __linux__
  pid_t parent = (pid_t) GPOINTER_TO_INT (data);

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* The parent may have died before prctl: then nobody will signal us. */
  if (getppid () != parent)
    raise (SIGTERM);
#endif
}


/* ---- Internal API ------------------------------------------------------- */

GPid
_co2s_service_process_get_pid (Co2sServiceProcess *proc)
{
  return proc->pid;
}

void
_co2s_service_process_detach (Co2sService *self)
{
  Process *proc = g_steal_pointer (&self->process);

  if (proc != NULL)
    {
      /* Last resort: the supervisor normally stops us before. The SIGKILL
       * timer keeps running without us as long as the main loop does. */
      proc->service = NULL;
      g_cancellable_cancel (proc->cancellable);
      process_terminate (proc, self->stop_timeout);
      process_unref (proc);
    }
}

/* ---- Public API (declared in co2s-service.h) ----------------------------- */

void
co2s_service_follow_stream (Co2sService *self,
                            GInputStream *stream,
                            gboolean is_stderr,
                            GCancellable *cancellable)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));
  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_line_reader (self, stream, is_stderr, cancellable, NULL);
}

gboolean
co2s_service_spawn (Co2sService *self,
                    const char * const *argv,
                    const char * const *envp_extra,
                    Co2sReadyMode mode,
                    const char *ready_prefix,
                    guint ready_timeout_ms,
                    GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  const char *identifier;
  Process *proc;

  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (mode != CO2S_READY_ON_PREFIX || ready_prefix != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->process != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("%s is already running"), self->title);
      return FALSE;
    }

  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; envp_extra != NULL && envp_extra[i] != NULL; i++)
    {
      const char *eq = strchr (envp_extra[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == envp_extra[i])
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "environment entry “%s” is not KEY=VALUE", envp_extra[i]);
          return FALSE;
        }
      key = g_strndup (envp_extra[i], eq - envp_extra[i]);
      g_subprocess_launcher_setenv (launcher, key, eq + 1, TRUE);
    }

  subprocess = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (subprocess == NULL)
    return FALSE;

  proc = g_rc_box_new0 (Process);
  proc->service = self;
  proc->subprocess = g_steal_pointer (&subprocess);
  proc->cancellable = g_cancellable_new ();
  /* NULL when it already exited and was reaped: then there is no pid to show. */
  identifier = g_subprocess_get_identifier (proc->subprocess);
  proc->pid = identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
  proc->mode = mode;
  proc->ready_prefix = g_strdup (ready_prefix);
  proc->n_open = 2;

  self->process = proc;
  self->was_ready = FALSE;
  self->killed = FALSE;

  g_debug ("%s: spawned %s as pid %d", self->name, argv[0], (int) proc->pid);

  g_object_freeze_notify (G_OBJECT (self));
  if (mode == CO2S_READY_ON_PREFIX)
    co2s_service_set_address (self, NULL);
  co2s_service_set_state (self, CO2S_SERVICE_STATE_STARTING, NULL);
  _co2s_service_notify_pid (self);
  g_object_thaw_notify (G_OBJECT (self));

  g_subprocess_wait_async (proc->subprocess, NULL, process_wait_cb, process_ref (proc));
  start_line_reader (self, g_subprocess_get_stdout_pipe (proc->subprocess), FALSE, proc->cancellable, proc);
  start_line_reader (self, g_subprocess_get_stderr_pipe (proc->subprocess), TRUE, proc->cancellable, proc);

  if (ready_timeout_ms > 0)
    proc->ready_source = g_timeout_add (ready_timeout_ms, process_ready_timeout_cb, proc);
  if (mode == CO2S_READY_ON_SPAWN)
    proc->grace_source = g_timeout_add (0, process_grace_cb, proc);
  else if (mode == CO2S_READY_ON_FIRST_LINE)
    proc->grace_source = g_timeout_add (FIRST_LINE_GRACE_MS, process_grace_cb, proc);
  else if (mode == CO2S_READY_WHEN_SETTLED)
    proc->grace_source = g_timeout_add (CO2S_SERVICE_SETTLE_MS, process_grace_cb, proc);

  return TRUE;
}

GSubprocessLauncher *
co2s_service_new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER ((int) getpid ()), NULL);
  return launcher;
}

gboolean
co2s_service_has_process (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  return self->process != NULL;
}

gboolean
co2s_service_is_terminating (Co2sService *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (self), FALSE);
  return self->process != NULL && self->process->terminating;
}

void
co2s_service_terminate (Co2sService *self)
{
  g_return_if_fail (CO2S_IS_SERVICE (self));

  if (self->process != NULL)
    process_terminate (self->process, self->stop_timeout);
}
