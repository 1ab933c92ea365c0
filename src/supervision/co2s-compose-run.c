/* co2s-compose-run.c — the Docker Compose backend's start sequence (find
 * Compose, ask the daemon, `up -d` in order), stop sequence (`stop` in
 * reverse order, ended once the log followers have exited) and log
 * followers (`logs -f`). */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-compose-private.h"

#include <glib/gi18n-lib.h>

#define FIRST_LOG_TAIL "200"

typedef struct
{
  guint last;                   /* start: services 0..last; stop: first */
  guint index;                  /* the service being worked on */
  guint generation;
  GError *first_error;          /* stop */
} Sequence;

static void finish_stops (Co2sCompose *self);

static void
follower_done_cb (GObject *source,
                  GAsyncResult *result,
                  gpointer data)
{
  GWeakRef *weak = data;
  g_autoptr(Co2sCompose) self = g_weak_ref_get (weak);

  g_weak_ref_clear (weak);
  g_free (weak);
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_entries; i++)
    {
      Entry *e = &self->entries[i];

      if (e->follower == G_SUBPROCESS (source))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          g_clear_object (&e->follower);
          g_free (e->follow_since);
          e->follow_since = g_date_time_format_iso8601 (now);
        }
    }

  finish_stops (self);
}

void
_co2s_compose_start_follower (Co2sCompose *self,
                              Entry *e)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *cwd = _co2s_compose_dir (self);
  GWeakRef *weak;

  if (e->follower != NULL || self->prefix == NULL)
    return;

  if (e->follow_since == NULL)
    argv = _co2s_compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--tail", FIRST_LOG_TAIL,
                               "-f", e->name, NULL);
  else if (!self->v1)
    argv = _co2s_compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--since", e->follow_since,
                               "-f", e->name, NULL);
  else
    argv = _co2s_compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--tail", "0",
                               "-f", e->name, NULL);

  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  if (g_file_test (cwd, G_FILE_TEST_IS_DIR))
    g_subprocess_launcher_set_cwd (launcher, cwd);

  e->follower = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  if (e->follower == NULL)
    {
      g_warning ("cannot follow the logs of %s: %s", e->name, error->message);
      return;
    }

  co2s_service_follow_stream (e->service, g_subprocess_get_stdout_pipe (e->follower), FALSE, NULL);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_subprocess_wait_async (e->follower, NULL, follower_done_cb, weak);
}

/* Kills the follower; follower_done_cb() forgets it once it is gone. */
void
_co2s_compose_stop_follower (Entry *e)
{
  if (e->follower != NULL)
    g_subprocess_force_exit (e->follower);
}

/* ---- Start -------------------------------------------------------------- */

static void start_next (GTask *task);
static void stop_next (GTask *task);

/* The start sequence is over: run the stops that waited for it, so a
 * `stop` never races an `up` of the same service. */
static void
start_ended (Co2sCompose *self)
{
  g_autoptr(GPtrArray) stops = NULL;

  g_assert (self->n_starting > 0);
  if (--self->n_starting > 0)
    return;
  stops = g_steal_pointer (&self->deferred_stops);
  self->deferred_stops = g_ptr_array_new ();
  for (guint i = 0; stops != NULL && i < stops->len; i++)
    stop_next (g_ptr_array_index (stops, i));
}

static void
sequence_free (Sequence *seq)
{
  g_clear_error (&seq->first_error);
  g_free (seq);
}

/* A new task of @self for a start or a stop (@source_tag), its data a copy of
 * @init (first_error NULL), freed with the task. */
static GTask *
sequence_task_new (Co2sCompose *self,
                   gpointer source_tag,
                   const Sequence *init,
                   GCancellable *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_assert (init->first_error == NULL);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_memdup2 (init, sizeof *init), (GDestroyNotify) sequence_free);
  return task;
}

static void
fail_start (GTask *task,
            guint from,
            int code,
            const char *message)
{
  Co2sCompose *self = g_task_get_source_object (task);
  Sequence *seq = g_task_get_task_data (task);

  for (guint i = from; i <= seq->last; i++)
    {
      Entry *e = &self->entries[i];

      e->wanted = FALSE;
      co2s_service_set_state (e->service, CO2S_SERVICE_STATE_FAILED, message);
    }

  g_message ("start failed: %s", message);
  self->n_busy--;
  _co2s_compose_update_active (self);
  g_task_return_new_error (task, G_IO_ERROR, code, "%s", message);
  start_ended (self);
}

static void
up_cb (GObject *source,
       GAsyncResult *result,
       gpointer data)
{
  g_autoptr(GTask) task = data;
  Co2sCompose *self = CO2S_COMPOSE (source);
  Sequence *seq = g_task_get_task_data (task);
  Entry *e = &self->entries[seq->index];
  g_autoptr(GError) error = NULL;
  Co2sDockerResult *r;

  r = _co2s_compose_call_finish (self, result, &error);
  if (r == NULL || !r->success)
    {
      g_autofree char *summary = r ? co2s_compose_summarize_error (r->err) : g_strdup (error->message);
      g_autofree char *message = NULL;
      int code = G_IO_ERROR_FAILED;

      /* docker-compose v1 without the docker CLI finds out only here. */
      if (r != NULL && co2s_compose_is_daemon_error (r->err))
        {
          message = g_strdup_printf (_("The Docker daemon is not reachable: %s"), summary);
          code = G_IO_ERROR_CONNECTION_REFUSED;
        }
      else
        {
          message = g_strdup_printf (_("docker compose up %s failed: %s"), e->name, summary);
          if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            code = G_IO_ERROR_TIMED_OUT;
        }

      if (r != NULL)
        co2s_docker_result_free (r);
      fail_start (task, seq->index, code, message);
      return;
    }
  co2s_docker_result_free (r);

  if (co2s_service_get_state (e->service) == CO2S_SERVICE_STATE_STARTING)
    co2s_service_set_message (e->service, _("Container started"));
  _co2s_compose_start_follower (self, e);
  _co2s_compose_poll_now (self);

  seq->index++;
  start_next (g_steal_pointer (&task));
}

static void
start_next (GTask *task)
{
  Co2sCompose *self = g_task_get_source_object (task);
  Sequence *seq = g_task_get_task_data (task);
  g_auto(GStrv) argv = NULL;

  if (seq->generation != self->generation)
    {
      self->n_busy--;
      _co2s_compose_update_active (self);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Start was interrupted by Stop"));
      g_object_unref (task);
      start_ended (self);
      return;
    }

  if (seq->index > seq->last)
    {
      self->n_busy--;
      _co2s_compose_update_active (self);
      _co2s_compose_ensure_polling (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      start_ended (self);
      return;
    }

  argv = _co2s_compose_argv (self, "up", "-d", self->entries[seq->index].name, NULL);
  _co2s_compose_call_async (self, (const char * const *) argv, self->up_timeout, up_cb, task);
}

static void
info_cb (GObject *source,
         GAsyncResult *result,
         gpointer data)
{
  g_autoptr(GTask) task = data;
  Co2sCompose *self = CO2S_COMPOSE (source);
  g_autoptr(GError) error = NULL;
  Co2sDockerResult *r;

  r = _co2s_compose_call_finish (self, result, &error);
  if (r == NULL || !r->success)
    {
      g_autofree char *summary = r ? co2s_compose_summarize_error (r->err) : g_strdup (error->message);
      g_autofree char *message = g_strdup_printf (_("The Docker daemon is not reachable: %s"), summary);

      if (r != NULL)
        co2s_docker_result_free (r);
      fail_start (task, 0, G_IO_ERROR_CONNECTION_REFUSED, message);
      return;
    }
  co2s_docker_result_free (r);

  start_next (g_steal_pointer (&task));
}

/* TRUE when @name is an executable in PATH. */
static gboolean
program_in_path (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
check_daemon (GTask *task)
{
  Co2sCompose *self = g_task_get_source_object (task);
  const char *argv[] = { self->docker, "info", "--format", "{{.ServerVersion}}", NULL };

  if (self->docker == NULL)
    {
      /* docker-compose v1 without the docker CLI: up -d will tell. */
      start_next (task);
      return;
    }
  _co2s_compose_call_async (self, argv, self->docker_timeout, info_cb, task);
}

/* Says which Compose the backend uses: in the log and in every row. */
static void
announce_compose (GTask *task)
{
  Co2sCompose *self = g_task_get_source_object (task);
  Sequence *seq = g_task_get_task_data (task);
  g_autofree char *joined = g_strjoinv (" ", self->prefix);
  g_autofree char *text = g_strdup_printf (_("Using %s"), joined);

  g_message ("using %s (DOCKER_HOST=%s)", joined,
             g_getenv ("DOCKER_HOST") != NULL ? g_getenv ("DOCKER_HOST") : "unset");
  for (guint i = 0; i <= seq->last; i++)
    co2s_service_set_message (self->entries[i].service, text);
}

/* No `docker compose`: docker-compose (v1), else podman-compose, in that
 * order. Both list containers with `ps -q` and are asked their states with
 * `docker inspect` (`podman inspect` for podman-compose). */
static void
use_v1_or_fail (GTask *task)
{
  Co2sCompose *self = g_task_get_source_object (task);
  g_autofree char *v1 = g_find_program_in_path ("docker-compose");

  g_clear_pointer (&self->prefix, g_strfreev);
  self->podman = FALSE;
  if (v1 == NULL)
    {
      v1 = g_find_program_in_path ("podman-compose");
      self->podman = v1 != NULL;
    }
  if (v1 == NULL)
    {
      fail_start (task, 0, G_IO_ERROR_NOT_FOUND,
                  _("Docker Compose is not installed: “docker compose” is not available and "
                    "neither docker-compose nor podman-compose is in PATH."));
      g_object_unref (task);
      return;
    }

  self->prefix = g_new0 (char *, 2);
  self->prefix[0] = g_steal_pointer (&v1);
  self->v1 = TRUE;
  if (self->podman)
    {
      g_free (self->docker);
      self->docker = g_find_program_in_path ("podman");
    }
  announce_compose (task);
  if (self->podman)
    start_next (task);          /* no daemon: `up -d` tells */
  else
    check_daemon (task);
}

static void
compose_version_cb (GObject *source,
                    GAsyncResult *result,
                    gpointer data)
{
  GTask *task = data;
  Co2sCompose *self = CO2S_COMPOSE (source);
  g_autoptr(GError) error = NULL;
  Co2sDockerResult *r;

  r = _co2s_compose_call_finish (self, result, &error);
  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_autofree char *message = g_strdup_printf (_("Docker does not answer: %s"), error->message);

      fail_start (task, 0, G_IO_ERROR_TIMED_OUT, message);
      g_object_unref (task);
      return;
    }

  if (r != NULL && r->success)
    {
      g_clear_pointer (&self->prefix, g_strfreev);
      self->prefix = g_new0 (char *, 3);
      self->prefix[0] = g_strdup (self->docker);
      self->prefix[1] = g_strdup ("compose");
      self->v1 = FALSE;
      self->podman = FALSE;
      co2s_docker_result_free (r);
      announce_compose (task);
      check_daemon (task);
      return;
    }

  g_clear_pointer (&r, co2s_docker_result_free);
  use_v1_or_fail (task);
}

/* ---- Stop --------------------------------------------------------------- */

static void
stop_cb (GObject *source,
         GAsyncResult *result,
         gpointer data)
{
  GTask *task = data;
  Co2sCompose *self = CO2S_COMPOSE (source);
  Sequence *seq = g_task_get_task_data (task);
  Entry *e = &self->entries[seq->index];
  g_autoptr(GError) error = NULL;
  Co2sDockerResult *r;

  r = _co2s_compose_call_finish (self, result, &error);
  if (r == NULL || !r->success)
    {
      g_autofree char *summary = r ? co2s_compose_summarize_error (r->err) : g_strdup (error->message);
      g_autofree char *message = g_strdup_printf (_("docker compose stop %s failed: %s"), e->name, summary);

      co2s_service_set_state (e->service, CO2S_SERVICE_STATE_FAILED, message);
      if (seq->first_error == NULL)
        seq->first_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
    }
  else if (co2s_service_get_state (e->service) != CO2S_SERVICE_STATE_FAILED)
    {
      co2s_service_set_state (e->service, CO2S_SERVICE_STATE_STOPPED, NULL);
    }
  g_clear_pointer (&r, co2s_docker_result_free);

  stop_next (task);
}

static void
stop_next (GTask *task)
{
  Co2sCompose *self = g_task_get_source_object (task);
  Sequence *seq = g_task_get_task_data (task);
  g_autofree char *seconds = NULL;
  g_auto(GStrv) argv = NULL;

  if (seq->index == seq->last || self->prefix == NULL)
    {
      if (self->prefix == NULL)
        for (guint i = seq->last; i < self->n_entries; i++)
          if (co2s_service_get_state (self->entries[i].service) != CO2S_SERVICE_STATE_FAILED)
            co2s_service_set_state (self->entries[i].service, CO2S_SERVICE_STATE_STOPPED, NULL);

      g_ptr_array_add (self->ending_stops, task);
      finish_stops (self);
      return;
    }

  seq->index--;
  seconds = g_strdup_printf ("%u", (self->stop_timeout + 999) / 1000);
  argv = _co2s_compose_argv (self, "stop", "-t", seconds, self->entries[seq->index].name, NULL);
  co2s_service_set_message (self->entries[seq->index].service, _("Stopping…"));
  _co2s_compose_call_async (self, (const char * const *) argv, self->docker_timeout + self->stop_timeout,
                            stop_cb, task);
}

/* Completes the stops whose services' log followers have all exited, so
 * a finished stop leaves no process behind. */
static void
finish_stops (Co2sCompose *self)
{
  for (guint t = 0; t < self->ending_stops->len;)
    {
      GTask *task = g_ptr_array_index (self->ending_stops, t);
      Sequence *seq = g_task_get_task_data (task);
      gboolean followers_left = FALSE;

      for (guint i = seq->last; i < self->n_entries; i++)
        followers_left |= self->entries[i].follower != NULL;
      if (followers_left)
        {
          t++;
          continue;
        }

      g_ptr_array_remove_index (self->ending_stops, t);
      self->n_busy--;
      _co2s_compose_update_active (self);
      _co2s_compose_poll_now (self);
      if (seq->first_error != NULL)
        g_task_return_error (task, g_steal_pointer (&seq->first_error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

/* ---- Public API: start and stop ---------------------------------------- */

void
co2s_compose_start_async (Co2sCompose *self,
                          guint last,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task;

  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (last < self->n_entries);

  task = sequence_task_new (self, co2s_compose_start_async,
                            &(Sequence) { .last = last, .generation = self->generation },
                            cancellable, callback, user_data);

  for (guint i = 0; i <= last; i++)
    {
      Entry *e = &self->entries[i];

      if (!e->wanted)
        {
          co2s_service_set_restart_count (e->service, 0);
          e->n_restart_times = 0;
          e->last_restart_count = -1;
          e->last_poll_us = 0;
        }
      e->wanted = TRUE;
      co2s_service_set_state (e->service, CO2S_SERVICE_STATE_STARTING, _("Checking Docker…"));
    }
  self->n_busy++;
  self->n_starting++;
  _co2s_compose_update_active (self);

  /* Look again every time: Docker may have been installed meanwhile. */
  g_clear_pointer (&self->docker, g_free);
  self->docker = g_find_program_in_path ("docker");
  if (self->docker != NULL)
    {
      const char *argv[] = { self->docker, "compose", "version", NULL };

      _co2s_compose_call_async (self, argv, self->docker_timeout, compose_version_cb, task);
      return;
    }

  if (!program_in_path ("docker-compose") && !program_in_path ("podman-compose"))
    {
      g_clear_pointer (&self->prefix, g_strfreev);
      fail_start (task, 0, G_IO_ERROR_NOT_FOUND,
                  _("Docker is not installed: neither docker, docker-compose nor podman-compose is in PATH."));
      g_object_unref (task);
      return;
    }
  use_v1_or_fail (task);
}

gboolean
co2s_compose_start_finish (Co2sCompose *self,
                           GAsyncResult *result,
                           GError **error)
{
  g_return_val_if_fail (CO2S_IS_COMPOSE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
co2s_compose_stop_async (Co2sCompose *self,
                         guint first,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  GTask *task;

  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (first < self->n_entries);

  task = sequence_task_new (self, co2s_compose_stop_async,
                            &(Sequence) { .last = first, .index = self->n_entries },
                            cancellable, callback, user_data);

  self->generation++;
  for (guint i = first; i < self->n_entries; i++)
    {
      self->entries[i].wanted = FALSE;
      _co2s_compose_stop_follower (&self->entries[i]);
    }
  self->n_busy++;
  _co2s_compose_update_active (self);

  if (self->n_starting > 0)
    g_ptr_array_add (self->deferred_stops, task);
  else
    stop_next (task);
}

gboolean
co2s_compose_stop_finish (Co2sCompose *self,
                          GAsyncResult *result,
                          GError **error)
{
  g_return_val_if_fail (CO2S_IS_COMPOSE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
