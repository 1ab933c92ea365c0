/* co2s-supervisor-local.c — the local process backend of Co2sSupervisor.
 *
 * Each service has a "wanted" flag; every event (API call, readiness, exit,
 * restart timer) queues a reconcile pass, which terminates what is no
 * longer wanted (in reverse order: a service only once every later one is
 * gone) and launches what is wanted (in order: a service only once every
 * earlier one is ready). _co2s_supervisor_check_tasks() then completes the
 * pending operations whose condition holds. */
#define G_LOG_DOMAIN "co2s-supervisor"

#include "co2s-supervisor-private.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#include "co2s-contracts.h"

const Co2sServiceInfo _co2s_service_info[CO2S_N_SERVICES] = {
  [CO2S_SERVICE_BROKER]   = { "broker",   N_("Broker"),   "kafka",    "co2stream-broker",   "broker" },
  [CO2S_SERVICE_API]      = { "api",      N_("API"),      "api",      "co2stream-api",      "api" },
  [CO2S_SERVICE_TRAINER]  = { "trainer",  N_("Trainer"),  "trainer",  "co2stream-trainer",  "trainer" },
  [CO2S_SERVICE_PRODUCER] = { "producer", N_("Producer"), "producer", "co2stream-producer", "producer" },
};

const Co2sServiceInfo _co2s_local_kafka_info =
  { "broker", N_("Broker"), "kafka", "co2stream-kafka", "kafka" };

const Co2sServiceInfo *
_co2s_service_info_for (Co2sServiceKind kind,
                        Co2sBrokerKind broker_kind)
{
  g_assert (kind < CO2S_N_SERVICES);

  if (kind != CO2S_SERVICE_BROKER)
    return &_co2s_service_info[kind];
  switch (broker_kind)
    {
    case CO2S_BROKER_LOCAL_KAFKA: return &_co2s_local_kafka_info;
    case CO2S_BROKER_EMBEDDED:    return &_co2s_service_info[kind];
    case CO2S_BROKER_EXISTING:
    default:                      return NULL;
    }
}

/* uses_address[provider][consumer]: consumer was given provider's address. */
static const gboolean uses_address[CO2S_N_SERVICES][CO2S_N_SERVICES] = {
  [CO2S_SERVICE_BROKER] = { [CO2S_SERVICE_TRAINER] = TRUE, [CO2S_SERVICE_PRODUCER] = TRUE },
  [CO2S_SERVICE_API]    = { [CO2S_SERVICE_PRODUCER] = TRUE },
};

/* ---- Programs ----------------------------------------------------------- */

char *
_co2s_supervisor_find_program_in (const char *bin_dir,
                                  const Co2sServiceInfo *info,
                                  GError **error)
{
  const char *name = info->program;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exe = NULL;
  g_autofree char *joined = NULL;
  char *found;

  if (bin_dir != NULL && bin_dir[0] != '\0')
    {
      g_ptr_array_add (tried, g_build_filename (bin_dir, name, NULL));
    }
  else
    {
      exe = g_file_read_link ("/proc/self/exe", NULL);
      if (exe != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (exe);

          g_ptr_array_add (tried, g_build_filename (dir, name, NULL));
          /* Meson build tree: …/src/<subdir>/<program> above us. */
          for (guint up = 0; up < 4; up++)
            {
              char *parent;

              g_ptr_array_add (tried, g_build_filename (dir, "src", info->subdir, name, NULL));
              parent = g_path_get_dirname (dir);
              g_free (dir);
              dir = parent;
            }
        }
    }

  for (guint i = 0; i < tried->len; i++)
    {
      const char *path = g_ptr_array_index (tried, i);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (path);
    }

  if (bin_dir == NULL || bin_dir[0] == '\0')
    {
      found = g_find_program_in_path (name);
      if (found != NULL)
        return found;
      g_ptr_array_add (tried, g_strdup ("PATH"));
    }

  g_ptr_array_add (tried, NULL);
  joined = g_strjoinv (", ", (char **) tried->pdata);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("Program %s not found (looked in: %s)"), name, joined);
  return NULL;
}

/* ---- Reconciling -------------------------------------------------------- */

/* @from: a position (_co2s_supervisor_slot_at). */
static void
give_up (Co2sSupervisor *self,
         guint from)
{
  for (guint j = from; j < _co2s_supervisor_n_slots (self); j++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, j);

      s->wanted = FALSE;
      s->relaunch = FALSE;
      _co2s_service_slot_cancel_restart (s);
      if (j > from && !co2s_service_has_process (s->service) &&
          co2s_service_get_state (s->service) == CO2S_SERVICE_STATE_STARTING)
        {
          g_autofree char *message =
            g_strdup_printf (_("Not started: %s failed"),
                             co2s_service_get_title (_co2s_supervisor_slot_at (self, from)->service));
          co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STOPPED, message);
        }
    }
  _co2s_supervisor_queue_reconcile (self);
}

static void
fail_service (Co2sSupervisor *self,
              Co2sServiceSlot *s,
              const char *message)
{
  g_message ("%s failed: %s", co2s_service_get_name (s->service), message);
  co2s_service_set_state (s->service, CO2S_SERVICE_STATE_FAILED, message);
  give_up (self, _co2s_supervisor_slot_position (self, s));
}

static gboolean
restart_cb (gpointer data)
{
  Co2sServiceSlot *s = data;

  s->restart_source = 0;
  co2s_service_set_restart_delay (s->service, 0);
  _co2s_supervisor_queue_reconcile (s->supervisor);

  return G_SOURCE_REMOVE;
}

static void
schedule_restart (Co2sSupervisor *self,
                  Co2sServiceSlot *s,
                  const char *why)
{
  g_autofree char *message = NULL;
  gint64 now = g_get_monotonic_time ();
  guint delay;

  if (s->ready_at != 0 && now - s->ready_at >= (gint64) self->restart_reset_after * 1000)
    s->backoff_ms = self->restart_delay_initial;

  delay = MAX (s->backoff_ms, 1);
  s->backoff_ms = MIN ((guint64) delay * 2, (guint64) MAX (self->restart_delay_max, delay));
  s->relaunch = TRUE;

  co2s_service_set_restart_count (s->service, co2s_service_get_restart_count (s->service) + 1);
  g_message ("%s: %s; restart %u in %u ms", co2s_service_get_name (s->service), why,
             co2s_service_get_restart_count (s->service), delay);

  message = g_strdup_printf (_("Crashed (%s); restarting in %u s"), why, (delay + 999) / 1000);
  co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STARTING, message);
  co2s_service_set_restart_delay (s->service, delay);
  g_clear_handle_id (&s->restart_source, g_source_remove);
  s->restart_source = g_timeout_add (delay, restart_cb, s);
}

static const char *
current_brokers (Co2sSupervisor *self)
{
  if (self->run_embedded || self->run_local_kafka)
    return co2s_service_get_address (self->slots[CO2S_SERVICE_BROKER].service);
  return self->run.broker_address;
}

/* -X KEY=VALUE for each property of an existing Kafka (security.protocol,
 * sasl.*…). */
static void
add_broker_properties (Co2sSupervisor *self,
                       GPtrArray *argv)
{
  g_auto(GStrv) overrides = NULL;

  if (self->run.backend != CO2S_BACKEND_LOCAL || self->run.broker_kind != CO2S_BROKER_EXISTING)
    return;
  overrides = _co2s_kafka_overrides (self->run.broker_properties);
  for (guint i = 0; overrides[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("-X"));
      g_ptr_array_add (argv, g_strdup (overrides[i]));
    }
}

/* Prometheus metrics on a free loopback port, which the program picks and
 * names in its log ("metrics: serving http://127.0.0.1:PORT/metrics"):
 * no port to race for, none seen from outside this computer. */
static void
add_metrics_listen (GPtrArray *argv)
{
  g_ptr_array_add (argv, g_strdup ("--metrics-listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
}

/* The command line for the log, with the values of password-like -X
 * properties (sasl.password, ssl.key.password…) replaced by ***. */
static char *
command_for_log (GPtrArray *argv)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i + 1 < argv->len; i++)
    {
      const char *arg = g_ptr_array_index (argv, i);
      const char *eq = strchr (arg, '=');

      if (i > 0)
        g_string_append_c (line, ' ');
      if (i > 0 && g_str_equal (g_ptr_array_index (argv, i - 1), "-X") && eq != NULL &&
          (strstr (arg, "password") != NULL || strstr (arg, "secret") != NULL ||
           g_str_has_prefix (arg, "sasl.oauthbearer.config")))
        g_string_append_printf (line, "%.*s=***", (int) (eq - arg), arg);
      else
        g_string_append (line, arg);
    }
  return g_string_free (line, FALSE);
}

static void
launch (Co2sSupervisor *self,
        Co2sServiceSlot *s)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *program = NULL;
  g_autofree char *command = NULL;
  Co2sReadyMode mode = CO2S_READY_ON_SPAWN;
  const char *prefix = NULL;
  guint ready_timeout = self->ready_timeout;
  gboolean reset = FALSE;

  program = _co2s_supervisor_find_program_in (self->run.bin_dir,
                                              _co2s_service_info_for (s->kind, self->run.broker_kind),
                                              &error);
  if (program == NULL)
    {
      fail_service (self, s, error->message);
      return;
    }
  g_ptr_array_add (argv, g_steal_pointer (&program));

  switch (s->kind)
    {
    case CO2S_SERVICE_BROKER:
      if (self->run_local_kafka)
        {
          g_ptr_array_add (argv, g_strdup ("--data-dir"));
          g_ptr_array_add (argv, g_canonicalize_filename (self->run.kafka_data_dir, NULL));
          g_ptr_array_add (argv, g_strdup ("--port"));
          g_ptr_array_add (argv, g_strdup_printf ("%u", self->run.kafka_port));
          g_ptr_array_add (argv, g_strdup ("--retention-bytes"));
          g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, self->run.kafka_retention_bytes));
          ready_timeout = self->kafka_start_timeout;
        }
      mode = CO2S_READY_ON_PREFIX;
      prefix = CO2S_READY_BROKER_PREFIX;
      break;

    case CO2S_SERVICE_API:
      {
        g_autofree char *dataset = g_canonicalize_filename (self->run.dataset, NULL);
        char rate[G_ASCII_DTOSTR_BUF_SIZE];

        if (!g_file_test (dataset, G_FILE_TEST_IS_REGULAR))
          {
            g_autofree char *message =
              g_strdup_printf (_("The data set %s is missing. Put co2_processed.csv there "
                                 "(see data/README.md) or choose the file in Preferences."),
                               dataset);
            fail_service (self, s, message);
            return;
          }
        g_ascii_dtostr (rate, sizeof rate, self->run.api_rate);
        g_ptr_array_add (argv, g_strdup ("--csv"));
        g_ptr_array_add (argv, g_steal_pointer (&dataset));
        g_ptr_array_add (argv, g_strdup ("--listen"));
        g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
        g_ptr_array_add (argv, g_strdup ("--rate"));
        g_ptr_array_add (argv, g_strdup (rate));
        mode = CO2S_READY_ON_PREFIX;
        prefix = CO2S_READY_API_PREFIX;
      }
      break;

    case CO2S_SERVICE_TRAINER:
      {
        gboolean scale_out = self->n_extra > 0;
        g_autofree char *model_dir = NULL;

        if (scale_out)
          {
            g_autofree char *base = g_canonicalize_filename (self->run.model_dir, NULL);

            model_dir = g_build_filename (base, CO2S_SUPERVISOR_SCALE_OUT_DIR, NULL);
          }
        else
          model_dir = g_canonicalize_filename (self->run.model_dir, NULL);

        if (g_mkdir_with_parents (model_dir, 0755) != 0)
          {
            int errsv = errno;
            g_autofree char *message =
              g_strdup_printf (_("Cannot create the model folder %s: %s"), model_dir, g_strerror (errsv));
            fail_service (self, s, message);
            return;
          }
        g_assert (current_brokers (self) != NULL);
        /* Several trainers never get --reset (--scale-out refuses it): a
         * retrain is refused for them, and a reset of the local Kafka's
         * data took their saved states with it. */
        reset = !scale_out &&
                (self->retrain_requested > self->retrain_done ||
                 (self->run_embedded && self->trainer_generation != self->broker_generation));
        if (scale_out)
          self->retrain_done = self->retrain_requested;
        add_metrics_listen (argv);
        g_ptr_array_add (argv, g_strdup ("--brokers"));
        g_ptr_array_add (argv, g_strdup (current_brokers (self)));
        g_ptr_array_add (argv, g_strdup ("--topic"));
        g_ptr_array_add (argv, g_strdup (CO2S_TOPIC_DATA));
        g_ptr_array_add (argv, g_strdup ("--group"));
        g_ptr_array_add (argv, g_strdup (scale_out ? CO2S_SUPERVISOR_SCALE_OUT_GROUP : CO2S_TRAINER_GROUP));
        g_ptr_array_add (argv, g_strdup ("--model-dir"));
        g_ptr_array_add (argv, g_steal_pointer (&model_dir));
        g_ptr_array_add (argv, g_strdup ("--batch-rows"));
        g_ptr_array_add (argv, g_strdup_printf ("%u", self->run.batch_rows));
        g_ptr_array_add (argv, g_strdup ("--batch-ms"));
        g_ptr_array_add (argv, g_strdup ("1000"));
        g_ptr_array_add (argv, g_strdup ("--algo"));
        g_ptr_array_add (argv, g_strdup (self->run.algo));
        if (reset)
          g_ptr_array_add (argv, g_strdup ("--reset"));
        if (scale_out)
          {
            g_ptr_array_add (argv, g_strdup ("--scale-out"));
            g_ptr_array_add (argv, g_strdup ("--trainer-id"));
            g_ptr_array_add (argv, g_strdup_printf ("local-%u", s->ordinal + 1));
          }
        add_broker_properties (self, argv);
        /* A scale-out trainer checks the saved states (their models) once
         * it has partitions, a moment after its first lines: a refusal then
         * fails the Start instead of restarting it again and again. */
        mode = scale_out ? CO2S_READY_WHEN_SETTLED : CO2S_READY_ON_FIRST_LINE;
      }
      break;

    case CO2S_SERVICE_PRODUCER:
      g_assert (self->api_url != NULL && current_brokers (self) != NULL);
      add_metrics_listen (argv);
      g_ptr_array_add (argv, g_strdup ("--api"));
      g_ptr_array_add (argv, g_strconcat (self->api_url, CO2S_API_STREAM_PATH, NULL));
      g_ptr_array_add (argv, g_strdup ("--brokers"));
      g_ptr_array_add (argv, g_strdup (current_brokers (self)));
      g_ptr_array_add (argv, g_strdup ("--topic"));
      g_ptr_array_add (argv, g_strdup (CO2S_TOPIC_DATA));
      add_broker_properties (self, argv);
      break;

    case CO2S_N_SERVICES:
    default:
      g_assert_not_reached ();
    }
  g_ptr_array_add (argv, NULL);

  /* The command line heads the log: what ran, and whether with --reset. */
  command = command_for_log (argv);
  co2s_service_append_log (s->service, command, FALSE);
  g_message ("%s: starting %s", co2s_service_get_name (s->service), command);

  s->ready_at = 0;
  if (!co2s_service_spawn (s->service, (const char * const *) argv->pdata, NULL,
                           mode, prefix, ready_timeout, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot start %s: %s"),
                                                  _co2s_service_info_for (s->kind, self->run.broker_kind)->program,
                                                  error->message);
      fail_service (self, s, message);
      return;
    }

  if (s->kind == CO2S_SERVICE_TRAINER)
    {
      self->trainer_generation = self->broker_generation;
      if (reset)
        self->retrain_done = self->retrain_requested;
    }
}

/* ---- The data topic's partitions for several trainers ------------------ */

typedef struct
{
  Co2sSupervisor *self;        /* not owned: its dispose cancels first */
  char *brokers;
  char *command;               /* the log's line before the program's output */
  GCancellable *cancellable;
  guint timeout_source;
} Prepare;

static void
prepare_free (Prepare *p)
{
  g_clear_handle_id (&p->timeout_source, g_source_remove);
  g_free (p->brokers);
  g_free (p->command);
  g_clear_object (&p->cancellable);
  g_free (p);
}

static gboolean
prepare_timeout_cb (gpointer data)
{
  Prepare *p = data;

  p->timeout_source = 0;
  if (!g_cancellable_is_cancelled (p->cancellable) && p->self->prepare != NULL)
    g_subprocess_force_exit (p->self->prepare);
  return G_SOURCE_REMOVE;
}

static void
prepare_done_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer data)
{
  Prepare *p = data;
  Co2sSupervisor *self = p->self;
  Co2sServiceSlot *trainer;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);

  if (g_cancellable_is_cancelled (p->cancellable))
    {
      prepare_free (p);
      return;
    }
  g_clear_object (&self->prepare);
  g_clear_object (&self->prepare_cancellable);
  /* The first trainer, or the first one wanted when it was stopped alone. */
  trainer = &self->slots[CO2S_SERVICE_TRAINER];
  for (guint i = _co2s_supervisor_first_position (self, CO2S_SERVICE_TRAINER);
       i <= _co2s_supervisor_last_position (self, CO2S_SERVICE_TRAINER) && !trainer->wanted; i++)
    trainer = _co2s_supervisor_slot_at (self, i);

  if (ok)
    {
      g_free (self->prepared_for);
      self->prepared_for = g_strdup (p->brokers);
      g_message ("trainer: topic %s prepared for %u trainers", CO2S_TOPIC_DATA, self->n_extra + 1);
    }
  else if (trainer->wanted)
    {
      /* The preparation's output went to the first trainer's log. */
      const char *last = co2s_service_get_last_line (self->slots[CO2S_SERVICE_TRAINER].service);
      g_autofree char *message = NULL;

      /* Its last line says why; without one, how it ended. */
      if (last == NULL || g_strcmp0 (last, p->command) == 0)
        last = error->message;
      message = g_strdup_printf (_("Cannot give topic %s %u partitions for the trainers: %s"), CO2S_TOPIC_DATA,
                                 self->n_extra + 1, last);

      fail_service (self, trainer, message);
    }
  prepare_free (p);
  _co2s_supervisor_queue_reconcile (self);
}

/* Runs `co2stream-producer --partitions N --prepare-topic` once (output into
 * the first trainer's log); the trainers start once it succeeded for the
 * current brokers. */
static void
prepare_topic (Co2sSupervisor *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *program = NULL;
  g_autofree char *command = NULL;
  Co2sServiceSlot *trainer = &self->slots[CO2S_SERVICE_TRAINER];
  guint timeout_ms = MAX (self->ready_timeout, 1000);
  Prepare *p;

  if (self->prepare != NULL)
    return;

  program = _co2s_supervisor_find_program_in (self->run.bin_dir, &_co2s_service_info[CO2S_SERVICE_PRODUCER],
                                              &error);
  if (program == NULL)
    {
      fail_service (self, trainer, error->message);
      return;
    }
  g_ptr_array_add (argv, g_steal_pointer (&program));
  g_ptr_array_add (argv, g_strdup ("--brokers"));
  g_ptr_array_add (argv, g_strdup (current_brokers (self)));
  g_ptr_array_add (argv, g_strdup ("--topic"));
  g_ptr_array_add (argv, g_strdup (CO2S_TOPIC_DATA));
  g_ptr_array_add (argv, g_strdup ("--partitions"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", self->n_extra + 1));
  g_ptr_array_add (argv, g_strdup ("--prepare-topic"));
  g_ptr_array_add (argv, g_strdup ("--startup-timeout"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", (timeout_ms + 999) / 1000));
  add_broker_properties (self, argv);
  g_ptr_array_add (argv, NULL);

  command = command_for_log (argv);
  co2s_service_append_log (trainer->service, command, FALSE);
  g_message ("trainer: %s", command);

  launcher = co2s_service_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  self->prepare = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (self->prepare == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot start %s: %s"), "co2stream-producer", error->message);

      fail_service (self, trainer, message);
      return;
    }

  p = g_new0 (Prepare, 1);
  p->self = self;
  p->brokers = g_strdup (current_brokers (self));
  p->command = g_steal_pointer (&command);
  p->cancellable = g_cancellable_new ();
  self->prepare_cancellable = g_object_ref (p->cancellable);
  /* The producer gives up after --startup-timeout; this is the backstop. */
  p->timeout_source = g_timeout_add (timeout_ms + 5000, prepare_timeout_cb, p);
  co2s_service_follow_stream (trainer->service, g_subprocess_get_stdout_pipe (self->prepare), FALSE,
                              p->cancellable);
  g_subprocess_wait_check_async (self->prepare, NULL, prepare_done_cb, p);
}

void
_co2s_supervisor_cancel_prepare (Co2sSupervisor *self)
{
  if (self->prepare == NULL)
    return;
  g_cancellable_cancel (self->prepare_cancellable);
  g_subprocess_force_exit (self->prepare);
  g_clear_object (&self->prepare);
  g_clear_object (&self->prepare_cancellable);
}

static void
reconcile_local (Co2sSupervisor *self)
{
  /* Terminate, last service first (several trainers together). */
  for (int i = (int) _co2s_supervisor_n_slots (self) - 1; i >= 0; i--)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);
      gboolean later_alive = FALSE;

      if (!co2s_service_has_process (s->service) || co2s_service_is_terminating (s->service))
        continue;

      if (s->must_restart)
        {
          co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STARTING, _("Restarting"));
          co2s_service_terminate (s->service);
          continue;
        }

      if (s->wanted)
        continue;

      for (guint j = i + 1; j < _co2s_supervisor_n_slots (self); j++)
        {
          Co2sServiceSlot *later = _co2s_supervisor_slot_at (self, j);

          /* Only those stopping too: a trainer stopped alone (one of
           * several) leaves the producer running. */
          later_alive |= later->kind != s->kind && !later->wanted && co2s_service_has_process (later->service);
        }
      if (!later_alive)
        {
          co2s_service_set_message (s->service, _("Stopping…"));
          co2s_service_terminate (s->service);
        }
    }

  /* Launch, first service first (several trainers together). */
  for (guint i = 0; i < _co2s_supervisor_n_slots (self); i++)
    {
      Co2sServiceSlot *s = _co2s_supervisor_slot_at (self, i);
      Co2sServiceSlot *blocker = NULL;

      if (!co2s_service_get_enabled (s->service))
        continue;

      if (!s->wanted)
        {
          if (!co2s_service_has_process (s->service) &&
              co2s_service_get_state (s->service) == CO2S_SERVICE_STATE_STARTING)
            co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STOPPED, NULL);
          continue;
        }

      if (co2s_service_has_process (s->service) || s->restart_source != 0)
        continue;

      for (guint j = 0; j < i && blocker == NULL; j++)
        {
          Co2sServiceSlot *earlier = _co2s_supervisor_slot_at (self, j);

          /* Only the wanted ones: not a trainer stopped alone. */
          if (earlier->kind != s->kind && earlier->wanted && co2s_service_get_enabled (earlier->service) &&
              !_co2s_service_slot_is_up (earlier))
            blocker = earlier;
        }

      if (blocker != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("Waiting for %s"), co2s_service_get_title (blocker->service));
          co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STARTING, message);
          continue;
        }

      if (s->kind == CO2S_SERVICE_TRAINER && self->n_extra > 0 &&
          g_strcmp0 (self->prepared_for, current_brokers (self)) != 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("Waiting for topic %s to have %u partitions"), CO2S_TOPIC_DATA, self->n_extra + 1);

          co2s_service_set_state (s->service, CO2S_SERVICE_STATE_STARTING, message);
          prepare_topic (self);
          continue;
        }

      launch (self, s);
    }
}

static gboolean
reconcile_cb (gpointer data)
{
  Co2sSupervisor *self = data;

  self->reconcile_source = 0;
  /* Launch failures queue another pass; run until nothing changes. */
  do
    {
      g_clear_handle_id (&self->reconcile_source, g_source_remove);
      reconcile_local (self);
    }
  while (self->reconcile_source != 0);

  _co2s_supervisor_update_active (self);
  _co2s_supervisor_check_tasks (self);

  return G_SOURCE_REMOVE;
}

void
_co2s_supervisor_queue_reconcile (Co2sSupervisor *self)
{
  if (self->reconcile_source == 0)
    self->reconcile_source = g_idle_add_full (G_PRIORITY_DEFAULT, reconcile_cb, self, NULL);
}

void
_co2s_supervisor_on_service_ready (Co2sService *service,
                                   Co2sServiceSlot *s)
{
  Co2sSupervisor *self = s->supervisor;

  s->ready_at = g_get_monotonic_time ();
  s->relaunch = FALSE;

  if (s->kind == CO2S_SERVICE_BROKER)
    {
      self->broker_generation++;
      _co2s_supervisor_update_bootstrap_servers (self, co2s_service_get_address (service));
      _co2s_supervisor_broker_running_changed (self);
    }
  else if (s->kind == CO2S_SERVICE_API)
    {
      _co2s_supervisor_update_api_url (self, co2s_service_get_address (service));
    }

  _co2s_supervisor_queue_reconcile (self);
}

void
_co2s_supervisor_on_service_exited (Co2sService *service,
                                    int reason,
                                    Co2sServiceSlot *s)
{
  Co2sSupervisor *self = s->supervisor;
  const char *how = co2s_service_get_exit_text (service);
  gboolean must_restart = s->must_restart;

  s->must_restart = FALSE;

  /* Whoever was given our address must start over with the next one. */
  for (guint j = 0; j < _co2s_supervisor_n_slots (self); j++)
    {
      Co2sServiceSlot *user = _co2s_supervisor_slot_at (self, j);

      if (uses_address[s->kind][user->kind] && co2s_service_has_process (user->service))
        user->must_restart = TRUE;
    }

  if (s->kind == CO2S_SERVICE_BROKER && (self->run_embedded || self->run_local_kafka))
    {
      _co2s_supervisor_update_bootstrap_servers (self, NULL);
      _co2s_supervisor_broker_running_changed (self);
    }
  else if (s->kind == CO2S_SERVICE_API)
    _co2s_supervisor_update_api_url (self, NULL);

  switch ((Co2sExitReason) reason)
    {
    case CO2S_EXIT_NOT_READY:
      /* The state is FAILED with the reason already. */
      if (s->wanted && s->relaunch)
        schedule_restart (self, s, co2s_service_get_message (service));
      else
        give_up (self, _co2s_supervisor_slot_position (self, s));
      break;

    case CO2S_EXIT_REQUESTED:
      if (s->wanted)
        co2s_service_set_state (service, CO2S_SERVICE_STATE_STARTING,
                                must_restart ? _("Restarting") : NULL);
      else if (co2s_service_get_state (service) != CO2S_SERVICE_STATE_FAILED)
        {
          g_autofree char *message = NULL;

          if (co2s_service_get_killed (service))
            message = g_strdup_printf (_("Killed: it did not stop within %u s of SIGTERM"),
                                       (co2s_service_get_stop_timeout (service) + 999) / 1000);
          co2s_service_set_state (service, CO2S_SERVICE_STATE_STOPPED, message);
        }
      break;

    case CO2S_EXIT_UNEXPECTED:
    default:
      if (!s->wanted)
        {
          if (co2s_service_get_state (service) != CO2S_SERVICE_STATE_FAILED)
            co2s_service_set_state (service, CO2S_SERVICE_STATE_STOPPED, how);
        }
      else if (co2s_service_get_was_ready (service) || s->relaunch)
        {
          schedule_restart (self, s, how);
        }
      else
        {
          g_autofree char *message = NULL;
          const char *last = co2s_service_get_last_line (service);

          if (last != NULL)
            message = g_strdup_printf (_("It %s before it was ready. Last output: %s"), how, last);
          else
            message = g_strdup_printf (_("It %s before it was ready."), how);
          fail_service (self, s, message);
        }
      break;
    }

  _co2s_supervisor_queue_reconcile (self);
}

