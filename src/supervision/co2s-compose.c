/* co2s-compose.c — the Docker Compose backend of Co2sSupervisor. */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-compose.h"

#include "co2s-docker-call.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define FIRST_LOG_TAIL "200"

/* A crash loop: this many restarts within the window shows the service as
 * FAILED ("restarting repeatedly"), whatever state the container is in
 * between two restarts. */
#define CRASH_LOOP_RESTARTS 3
#define CRASH_LOOP_WINDOW_US (60 * G_USEC_PER_SEC)
#define CRASH_LOOP_MAX_TIMES 64

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
  gint64 restart_times[CRASH_LOOP_MAX_TIMES]; /* restarts in the window, oldest first */
  guint n_restart_times;
} Entry;

struct _Co2sCompose
{
  GObject parent_instance;

  Entry *entries;
  guint n_entries;

  char *compose_file;
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


typedef struct
{
  guint last;                   /* start: services 0..last; stop: first */
  guint index;                  /* the service being worked on */
  guint generation;
  GError *first_error;          /* stop */
} Sequence;

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (Co2sCompose, co2s_compose, G_TYPE_OBJECT)

static void poll_now (Co2sCompose *self);

/* ---- Docker calls ------------------------------------------------------- */

static char *
compose_dir (Co2sCompose *self)
{
  g_autofree char *abs = g_canonicalize_filename (self->compose_file, NULL);
  return g_path_get_dirname (abs);
}

/* Runs @argv (NULL-terminated) in the compose file's folder, collecting its
 * output; ends it after @timeout_ms. */
static void
docker_call_async (Co2sCompose *self,
                   const char * const *argv,
                   guint timeout_ms,
                   GAsyncReadyCallback callback,
                   gpointer user_data)
{
  g_autofree char *cwd = compose_dir (self);

  co2s_docker_call_async (G_OBJECT (self), argv, cwd, timeout_ms, callback, user_data);
}

static Co2sDockerResult *
docker_call_finish (Co2sCompose *self,
                    GAsyncResult *result,
                    GError **error)
{
  return co2s_docker_call_finish (result, error);
}

/* {prefix…, "-f", file, args…, NULL}; free with g_strfreev(). */
static char **
compose_argv (Co2sCompose *self,
              const char *first,
              ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *file = NULL;
  va_list args;

  g_assert (self->prefix != NULL);

  g_strv_builder_addv (builder, (const char **) self->prefix);
  g_strv_builder_add (builder, "-f");
  file = g_canonicalize_filename (self->compose_file, NULL);
  g_strv_builder_add (builder, file);

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);

  return g_strv_builder_end (builder);
}

/* ---- State -------------------------------------------------------------- */

static void
update_active (Co2sCompose *self)
{
  gboolean active = self->n_busy > 0;

  for (guint i = 0; i < self->n_entries; i++)
    active |= self->entries[i].wanted;

  if (active != self->active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

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

static void
start_follower (Co2sCompose *self,
                Entry *e)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *cwd = compose_dir (self);
  GWeakRef *weak;

  if (e->follower != NULL || self->prefix == NULL)
    return;

  if (e->follow_since == NULL)
    argv = compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--tail", FIRST_LOG_TAIL,
                         "-f", e->name, NULL);
  else if (!self->v1)
    argv = compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--since", e->follow_since,
                         "-f", e->name, NULL);
  else
    argv = compose_argv (self, "logs", "--no-color", "--no-log-prefix", "--tail", "0",
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
static void
stop_follower (Entry *e)
{
  if (e->follower != NULL)
    g_subprocess_force_exit (e->follower);
}

/* Records @n restarts that happened after @since_us (monotonic), and
 * forgets those older than the crash-loop window. */
static void
note_restarts (Entry *e,
               guint n,
               gint64 since_us,
               gint64 now_us)
{
  guint kept = 0;

  for (guint i = 0; i < e->n_restart_times; i++)
    if (now_us - e->restart_times[i] <= CRASH_LOOP_WINDOW_US)
      e->restart_times[kept++] = e->restart_times[i];
  e->n_restart_times = kept;

  for (guint i = 0; i < n; i++)
    {
      if (e->n_restart_times == CRASH_LOOP_MAX_TIMES)
        {
          memmove (e->restart_times, e->restart_times + 1, (CRASH_LOOP_MAX_TIMES - 1) * sizeof (gint64));
          e->n_restart_times--;
        }
      e->restart_times[e->n_restart_times++] = since_us;
    }
}

/* Counts the restarts @c shows since the last poll (a RestartCount that
 * grew, or else a new "restarting" state) and, when the container is in a
 * crash loop, overrides @state and @message. */
static void
check_crash_loop (Co2sCompose *self,
                  Entry *e,
                  const Co2sComposeContainer *c,
                  Co2sServiceState *state,
                  char **message)
{
  gint64 now = g_get_monotonic_time ();
  gint64 since = e->last_poll_us > 0 ? e->last_poll_us : now;
  guint new_restarts = 0;
  gboolean restarting = c != NULL && g_str_equal (c->state, "restarting");

  if (c != NULL && c->restart_count >= 0)
    {
      if (e->last_restart_count >= 0 && c->restart_count > e->last_restart_count)
        new_restarts = c->restart_count - e->last_restart_count;
      e->last_restart_count = c->restart_count;
    }
  else if (restarting && !e->restarting)
    new_restarts = 1;
  if (c == NULL)
    e->last_restart_count = -1;
  e->restarting = restarting;
  e->last_poll_us = now;

  if (new_restarts > 0)
    co2s_service_set_restart_count (e->service, co2s_service_get_restart_count (e->service) + new_restarts);
  note_restarts (e, new_restarts, since, now);

  if (e->wanted && e->n_restart_times >= CRASH_LOOP_RESTARTS)
    {
      guint seconds = (guint) MAX ((now - e->restart_times[0] + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);

      *state = CO2S_SERVICE_STATE_FAILED;
      g_free (*message);
      *message = g_strdup_printf (_("Restarting repeatedly (%u restarts in %u s): see its log"),
                                  e->n_restart_times, seconds);
    }
}

/* Applies a `ps` / `inspect` result; NULL containers with @error_message:
 * Docker could not be asked. */
static void
apply_containers (Co2sCompose *self,
                  GPtrArray *containers,
                  const char *error_message)
{
  for (guint i = 0; i < self->n_entries; i++)
    {
      Entry *e = &self->entries[i];
      Co2sComposeContainer *c = NULL;
      g_autofree char *message = NULL;
      Co2sServiceState state;

      if (containers == NULL)
        {
          if (e->wanted)
            co2s_service_set_state (e->service, CO2S_SERVICE_STATE_FAILED, error_message);
          continue;
        }

      for (guint j = 0; j < containers->len && c == NULL; j++)
        {
          Co2sComposeContainer *candidate = g_ptr_array_index (containers, j);

          if (g_str_equal (candidate->service, e->name))
            c = candidate;
        }

      /* A failed `up` stays visible until the next start. */
      if (c == NULL && !e->wanted && co2s_service_get_state (e->service) == CO2S_SERVICE_STATE_FAILED)
        continue;

      state = co2s_compose_container_state (c, e->wanted, &message);

      check_crash_loop (self, e, c, &state, &message);

      co2s_service_set_health (e->service, c != NULL ? c->health : NULL);
      co2s_service_set_state (e->service, state, message);

      if (e->wanted && c != NULL && g_str_equal (c->state, "running"))
        start_follower (self, e);
    }
}

static void
inspect_cb (GObject *source,
            GAsyncResult *result,
            gpointer data)
{
  Co2sCompose *self = CO2S_COMPOSE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  Co2sDockerResult *r;

  self->polling = FALSE;
  r = docker_call_finish (self, result, &error);
  if (r != NULL && r->success)
    containers = co2s_compose_parse_inspect (r->out, &error);

  if (containers != NULL)
    apply_containers (self, containers, NULL);
  else
    {
      g_autofree char *summary = error ? g_strdup (error->message) : co2s_compose_summarize_error (r->err);
      g_autofree char *message = g_strdup_printf (_("Cannot read the container states: %s"), summary);
      apply_containers (self, NULL, message);
    }

  g_clear_pointer (&r, co2s_docker_result_free);
}

static void
ps_cb (GObject *source,
       GAsyncResult *result,
       gpointer data)
{
  Co2sCompose *self = CO2S_COMPOSE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  Co2sDockerResult *r;

  r = docker_call_finish (self, result, &error);
  if (r != NULL && r->success && self->v1)
    {
      /* v1: container ids, one per line; their state from docker inspect. */
      g_auto(GStrv) ids = g_strsplit (r->out, "\n", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      guint n = 0;

      g_strv_builder_add_many (builder, self->docker ? self->docker : "docker", "inspect", NULL);
      for (guint i = 0; ids[i] != NULL; i++)
        {
          g_strstrip (ids[i]);
          if (ids[i][0] != '\0')
            {
              g_strv_builder_add (builder, ids[i]);
              n++;
            }
        }
      co2s_docker_result_free (r);

      if (n == 0 || self->docker == NULL)
        {
          g_autoptr(GPtrArray) none = g_ptr_array_new ();

          self->polling = FALSE;
          if (n > 0)
            g_message ("docker CLI missing: container states unknown");
          apply_containers (self, none, NULL);
          return;
        }
      argv = g_strv_builder_end (builder);
      docker_call_async (self, (const char * const *) argv, self->docker_timeout, inspect_cb, NULL);
      return;
    }

  self->polling = FALSE;
  if (r != NULL && r->success)
    containers = co2s_compose_parse_ps (r->out, &error);

  if (containers != NULL)
    apply_containers (self, containers, NULL);
  else
    {
      g_autofree char *summary = error ? g_strdup (error->message) : co2s_compose_summarize_error (r->err);
      g_autofree char *message = NULL;

      if (error != NULL ? g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                        : co2s_compose_is_daemon_error (r->err))
        message = g_strdup_printf (_("The Docker daemon is not reachable: %s"), summary);
      else
        message = g_strdup_printf (_("docker compose ps failed: %s"), summary);
      apply_containers (self, NULL, message);
    }

  g_clear_pointer (&r, co2s_docker_result_free);
}

static void
poll_now (Co2sCompose *self)
{
  g_auto(GStrv) argv = NULL;

  if (self->prefix == NULL || self->polling)
    return;

  self->polling = TRUE;
  if (self->v1)
    argv = compose_argv (self, "ps", "-q", NULL);
  else
    argv = compose_argv (self, "ps", "--all", "--format", "json", NULL);
  docker_call_async (self, (const char * const *) argv, self->docker_timeout, ps_cb, NULL);
}

static gboolean
poll_cb (gpointer data)
{
  Co2sCompose *self = data;
  gboolean any = self->n_busy > 0;

  for (guint i = 0; i < self->n_entries; i++)
    any |= self->entries[i].wanted;

  if (!any)
    {
      self->poll_source = 0;
      return G_SOURCE_REMOVE;
    }

  poll_now (self);
  return G_SOURCE_CONTINUE;
}

static void
ensure_polling (Co2sCompose *self)
{
  if (self->poll_source == 0)
    self->poll_source = g_timeout_add (MAX (self->poll_interval, 1), poll_cb, self);
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
  update_active (self);
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

  r = docker_call_finish (self, result, &error);
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
  start_follower (self, e);
  poll_now (self);

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
      update_active (self);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Start was interrupted by Stop"));
      g_object_unref (task);
      start_ended (self);
      return;
    }

  if (seq->index > seq->last)
    {
      self->n_busy--;
      update_active (self);
      ensure_polling (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      start_ended (self);
      return;
    }

  argv = compose_argv (self, "up", "-d", self->entries[seq->index].name, NULL);
  docker_call_async (self, (const char * const *) argv, self->up_timeout, up_cb, task);
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

  r = docker_call_finish (self, result, &error);
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
  docker_call_async (self, argv, self->docker_timeout, info_cb, task);
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

  r = docker_call_finish (self, result, &error);
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

  r = docker_call_finish (self, result, &error);
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
  argv = compose_argv (self, "stop", "-t", seconds, self->entries[seq->index].name, NULL);
  co2s_service_set_message (self->entries[seq->index].service, _("Stopping…"));
  docker_call_async (self, (const char * const *) argv, self->docker_timeout + self->stop_timeout,
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
      update_active (self);
      poll_now (self);
      if (seq->first_error != NULL)
        g_task_return_error (task, g_steal_pointer (&seq->first_error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

/* ---- Lifecycle ---------------------------------------------------------- */

static void
co2s_compose_dispose (GObject *object)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  for (guint i = 0; i < self->n_entries; i++)
    {
      stop_follower (&self->entries[i]);
      g_clear_object (&self->entries[i].follower);
      g_clear_object (&self->entries[i].service);
    }

  G_OBJECT_CLASS (co2s_compose_parent_class)->dispose (object);
}

static void
co2s_compose_finalize (GObject *object)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  for (guint i = 0; i < self->n_entries; i++)
    {
      g_free (self->entries[i].name);
      g_free (self->entries[i].follow_since);
    }
  g_free (self->entries);
  g_free (self->compose_file);
  g_strfreev (self->prefix);
  g_free (self->docker);
  g_clear_pointer (&self->deferred_stops, g_ptr_array_unref);
  g_clear_pointer (&self->ending_stops, g_ptr_array_unref);

  G_OBJECT_CLASS (co2s_compose_parent_class)->finalize (object);
}

static void
co2s_compose_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  Co2sCompose *self = CO2S_COMPOSE (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_compose_class_init (Co2sComposeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = co2s_compose_dispose;
  object_class->finalize = co2s_compose_finalize;
  object_class->get_property = co2s_compose_get_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_compose_init (Co2sCompose *self)
{
  self->compose_file = g_strdup ("docker-compose.yml");
  self->docker_timeout = 10000;
  self->up_timeout = 600000;
  self->poll_interval = 2000;
  self->stop_timeout = CO2S_SERVICE_DEFAULT_STOP_TIMEOUT_MS;
  self->deferred_stops = g_ptr_array_new ();
  self->ending_stops = g_ptr_array_new ();
}

/* ---- Public API --------------------------------------------------------- */

Co2sCompose *
co2s_compose_new (Co2sService * const *services,
                  const char * const *compose_names,
                  guint n_services)
{
  Co2sCompose *self;

  g_return_val_if_fail (services != NULL, NULL);
  g_return_val_if_fail (compose_names != NULL, NULL);
  g_return_val_if_fail (n_services > 0, NULL);

  self = g_object_new (CO2S_TYPE_COMPOSE, NULL);
  self->n_entries = n_services;
  self->entries = g_new0 (Entry, n_services);
  for (guint i = 0; i < n_services; i++)
    {
      g_return_val_if_fail (CO2S_IS_SERVICE (services[i]), self);
      self->entries[i].service = g_object_ref (services[i]);
      self->entries[i].name = g_strdup (compose_names[i]);
      self->entries[i].last_restart_count = -1;
    }

  return self;
}

void
co2s_compose_configure (Co2sCompose *self,
                        const char *compose_file,
                        guint docker_timeout_ms,
                        guint up_timeout_ms,
                        guint poll_interval_ms,
                        guint stop_timeout_ms)
{
  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (compose_file != NULL);

  g_free (self->compose_file);
  self->compose_file = g_strdup (compose_file);
  self->docker_timeout = MAX (docker_timeout_ms, 1);
  self->up_timeout = MAX (up_timeout_ms, 1);
  self->poll_interval = MAX (poll_interval_ms, 1);
  self->stop_timeout = MAX (stop_timeout_ms, 1);
}

gboolean
co2s_compose_get_active (Co2sCompose *self)
{
  g_return_val_if_fail (CO2S_IS_COMPOSE (self), FALSE);
  return self->active;
}

void
co2s_compose_start_async (Co2sCompose *self,
                          guint last,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task;
  Sequence *seq;

  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (last < self->n_entries);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_compose_start_async);
  seq = g_new0 (Sequence, 1);
  seq->last = last;
  seq->generation = self->generation;
  g_task_set_task_data (task, seq, (GDestroyNotify) sequence_free);

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
  update_active (self);

  /* Look again every time: Docker may have been installed meanwhile. */
  g_clear_pointer (&self->docker, g_free);
  self->docker = g_find_program_in_path ("docker");
  if (self->docker != NULL)
    {
      const char *argv[] = { self->docker, "compose", "version", NULL };

      docker_call_async (self, argv, self->docker_timeout, compose_version_cb, task);
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
  Sequence *seq;

  g_return_if_fail (CO2S_IS_COMPOSE (self));
  g_return_if_fail (first < self->n_entries);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_compose_stop_async);
  seq = g_new0 (Sequence, 1);
  seq->last = first;
  seq->index = self->n_entries;
  g_task_set_task_data (task, seq, (GDestroyNotify) sequence_free);

  self->generation++;
  for (guint i = first; i < self->n_entries; i++)
    {
      self->entries[i].wanted = FALSE;
      stop_follower (&self->entries[i]);
    }
  self->n_busy++;
  update_active (self);

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
