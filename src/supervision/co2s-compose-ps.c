/* co2s-compose-ps.c — the Docker Compose backend's container states:
 * `ps` (v2: JSON; v1 and podman-compose: ids, then `docker inspect` or
 * `podman inspect`) every poll interval, applied to the services, with the
 * crash-loop detection. */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-compose-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define CRASH_LOOP_RESTARTS CO2S_COMPOSE_CRASH_LOOP_RESTARTS
#define CRASH_LOOP_WINDOW_US CO2S_COMPOSE_CRASH_LOOP_WINDOW_US
#define CRASH_LOOP_MAX_TIMES CO2S_COMPOSE_CRASH_LOOP_MAX_TIMES

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
        _co2s_compose_start_follower (self, e);
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
  r = _co2s_compose_call_finish (self, result, &error);
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

  r = _co2s_compose_call_finish (self, result, &error);
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
      _co2s_compose_call_async (self, (const char * const *) argv, self->docker_timeout, inspect_cb, NULL);
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

void
_co2s_compose_poll_now (Co2sCompose *self)
{
  g_auto(GStrv) argv = NULL;

  if (self->prefix == NULL || self->polling)
    return;

  self->polling = TRUE;
  if (self->v1)
    argv = _co2s_compose_argv (self, "ps", "-q", NULL);
  else
    argv = _co2s_compose_argv (self, "ps", "--all", "--format", "json", NULL);
  _co2s_compose_call_async (self, (const char * const *) argv, self->docker_timeout, ps_cb, NULL);
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

  _co2s_compose_poll_now (self);
  return G_SOURCE_CONTINUE;
}

void
_co2s_compose_ensure_polling (Co2sCompose *self)
{
  if (self->poll_source == 0)
    self->poll_source = g_timeout_add (MAX (self->poll_interval, 1), poll_cb, self);
}
