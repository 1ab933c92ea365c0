/* main.c — co2stream-kafka: a durable single-node Apache Kafka (KRaft) on
 * loopback, run and stopped like the other services (see
 * co2s-local-kafka.h for the pieces). */
#define G_LOG_DOMAIN "co2stream-kafka"

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gio.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-local-kafka.h"

#define PROGRESS_INTERVAL_S 2

typedef enum {
  PHASE_PREPARING,   /* the worker thread runs co2s_local_kafka_prepare */
  PHASE_STARTING,    /* Kafka's JVM runs, not ready yet */
  PHASE_READY,       /* bootstrap.servers printed */
  PHASE_STOPPING,    /* SIGTERM sent to the JVM */
  PHASE_DONE,        /* nothing runs; quit once the pending callbacks came */
} Phase;

typedef struct {
  GMainLoop *loop;
  Phase phase;
  int exit_status;
  guint pending;              /* callbacks still to come (prepare, probe, JVM exit) */
  gint64 started_us;          /* this launcher's start */
  gint64 spawned_us;
  gint64 stop_us;
  Co2sLocalKafkaPlan plan;
  char *bootstrap;            /* 127.0.0.1:PORT */
  char *out_path;             /* DIR/logs/kafka.out */
  GCancellable *cancel_prepare;
  GCancellable *cancel_probe;
  GSubprocess *jvm;
  GPid jvm_pid;
  guint progress_id;
  guint start_timeout_id;
  guint kill_id;
  gboolean stop_requested;    /* SIGTERM/SIGINT came */
  gboolean killed;            /* SIGKILL was needed */
  gboolean timed_out;         /* --start-timeout passed */
  char *failure;              /* said again as the last line, once the JVM is gone;
                                 after the start timeout: Kafka's last log line then */
} Launcher;

static char *opt_data_dir;
static int opt_port = 9092;
static int opt_controller_port = 0;
static gint64 opt_retention_bytes = 1073741824;
static int opt_heap_max_mb = 384;
static int opt_start_timeout = 300;
static int opt_stop_timeout = 30;
static char *opt_cache_dir;
static gboolean opt_reset_data;
static gboolean opt_fetch;

static const GOptionEntry entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    N_("Folder of Kafka's configuration, data and logs (required; created if missing)"), N_("DIR") },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port,
    N_("Client port on 127.0.0.1 (default 9092; 0: a free port chosen at start)"), N_("N") },
  { "controller-port", 0, 0, G_OPTION_ARG_INT, &opt_controller_port,
    N_("KRaft controller port on 127.0.0.1 (default 0: a free port chosen at each start)"), N_("N") },
  { "retention-bytes", 0, 0, G_OPTION_ARG_INT64, &opt_retention_bytes,
    N_("Bytes kept per partition, oldest deleted first (default 1073741824, 1 GiB; at least 1048576)"),
    N_("N") },
  { "heap-max-mb", 0, 0, G_OPTION_ARG_INT, &opt_heap_max_mb,
    N_("Largest Java heap in MiB (default 384; 128 to 65536)"), N_("N") },
  { "start-timeout", 0, 0, G_OPTION_ARG_INT, &opt_start_timeout,
    N_("Seconds Kafka may take to answer before it is stopped and this fails (default 300)"), N_("S") },
  { "stop-timeout", 0, 0, G_OPTION_ARG_INT, &opt_stop_timeout,
    N_("Seconds between SIGTERM and SIGKILL when stopping Kafka (default 30)"), N_("S") },
  { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_cache_dir,
    N_("Where the list of Kafka's jars is cached (default ~/.cache/co2stream/kafka-4.1.1)"), N_("DIR") },
  { "reset-data", 0, 0, G_OPTION_ARG_NONE, &opt_reset_data,
    N_("Delete the data of --data-dir (refused while it runs) and exit"), NULL },
  { "fetch", 0, 0, G_OPTION_ARG_NONE, &opt_fetch,
    N_("Fetch Kafka's jars with Maven if they are not cached yet, and exit"), NULL },
  G_OPTION_ENTRY_NULL
};

/* Translators: keep "bootstrap.servers=127.0.0.1:PORT" as it is (programs
 * wait for that line), and the option, file and folder names. */
static const char *const description = N_(
  "Runs Apache Kafka 4.1.1 on 127.0.0.1: one node, broker and controller in\n"
  "one Java process (KRaft), its data kept in DIR across restarts. SIGTERM or\n"
  "SIGINT stops it cleanly (SIGKILL after --stop-timeout); if this program is\n"
  "killed, Kafka gets SIGTERM too.\n"
  "\n"
  "Standard output: one line, bootstrap.servers=127.0.0.1:PORT, once Kafka\n"
  "answers clients. Standard error: one line per step, and what went wrong.\n"
  "\n"
  "DIR holds server.properties (rewritten at each start), data/ (the\n"
  "storage, formatted once, with the cluster id kept in cluster.id), logs/\n"
  "(kafka.out: Kafka's own log), kafka.pid and .lock (one launcher per DIR).\n"
  "Retention is by size only: --retention-bytes per partition, in segments\n"
  "of an eighth of it (1 MiB to 256 MiB).\n"
  "\n"
  "Needs Java 17 or later (JAVA_HOME, else java on PATH) and Kafka's jars,\n"
  "fetched once with Maven (mvn) into the local Maven repository; --fetch\n"
  "only does that. --reset-data deletes DIR's data/, cluster.id and logs/:\n"
  "the next start formats a new, empty storage.\n"
  "\n"
  "Exit status: 0 after a clean stop, --fetch or --reset-data; 1 when Kafka\n"
  "cannot start, stops on its own or must be killed; 2 for a usage error.");

static void
launcher_maybe_quit (Launcher *self)
{
  if (self->phase == PHASE_DONE && self->pending == 0)
    g_main_loop_quit (self->loop);
}

static void
launcher_finish (Launcher *self, int exit_status)
{
  self->exit_status = exit_status;
  self->phase = PHASE_DONE;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  g_clear_handle_id (&self->kill_id, g_source_remove);
  g_cancellable_cancel (self->cancel_probe);
  launcher_maybe_quit (self);
}

static gboolean
on_kill_timeout (gpointer data)
{
  Launcher *self = data;

  self->kill_id = 0;
  co2s_local_kafka_say (_("Kafka (pid %d) did not stop within %d s: killing it (SIGKILL)"),
                        (int) self->jvm_pid, opt_stop_timeout);
  self->killed = TRUE;
  g_subprocess_force_exit (self->jvm);
  return G_SOURCE_REMOVE;
}

/* SIGTERM to the JVM: Kafka's controlled shutdown; SIGKILL after
 * --stop-timeout. */
static void
launcher_stop_jvm (Launcher *self)
{
  self->phase = PHASE_STOPPING;
  self->stop_us = g_get_monotonic_time ();
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancel_probe);
  co2s_local_kafka_say (_("stopping Kafka (pid %d)…"), (int) self->jvm_pid);
  g_subprocess_send_signal (self->jvm, SIGTERM);
  self->kill_id = g_timeout_add_seconds (opt_stop_timeout, on_kill_timeout, self);
}

static gboolean
on_quit_signal (gpointer data)
{
  Launcher *self = data;

  self->stop_requested = TRUE;
  switch (self->phase)
    {
    case PHASE_PREPARING:
      co2s_local_kafka_say ("%s", _("stopping before Kafka started…"));
      g_cancellable_cancel (self->cancel_prepare);
      break;
    case PHASE_STARTING:
    case PHASE_READY:
      launcher_stop_jvm (self);
      break;
    case PHASE_STOPPING:
    case PHASE_DONE:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress (gpointer data)
{
  Launcher *self = data;
  gint64 waited_s = (g_get_monotonic_time () - self->spawned_us) / G_USEC_PER_SEC;

  co2s_local_kafka_say (_("waiting for Kafka to answer on %s (%d s)…"), self->bootstrap, (int) waited_s);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_start_timeout (gpointer data)
{
  Launcher *self = data;

  self->start_timeout_id = 0;
  self->timed_out = TRUE;
  /* What Kafka was doing, before its shutdown adds its own lines. */
  self->failure = co2s_kafka_log_last_line (self->out_path);
  self->exit_status = CO2S_EXIT_FAILURE;
  co2s_local_kafka_say (_("Kafka did not answer on %s within %d s"), self->bootstrap, opt_start_timeout);
  launcher_stop_jvm (self);
  return G_SOURCE_REMOVE;
}

static void
on_probe_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Launcher *self = data;
  g_autoptr(GError) error = NULL;
  gboolean ready = co2s_local_kafka_probe_finish (result, &error);

  self->pending--;
  if (ready && self->phase == PHASE_STARTING)
    {
      self->phase = PHASE_READY;
      g_clear_handle_id (&self->progress_id, g_source_remove);
      g_clear_handle_id (&self->start_timeout_id, g_source_remove);
      /* Not translated: the supervisor and the tests wait for this line. */
      fprintf (stdout, CO2S_READY_BROKER_PREFIX "%s\n", self->bootstrap);
      fflush (stdout);
      co2s_local_kafka_say (_("ready in %d ms (pid %d)"),
                            (int) ((g_get_monotonic_time () - self->started_us) / 1000),
                            (int) self->jvm_pid);
    }
  else if (!ready && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           self->phase == PHASE_STARTING)
    {
      self->failure = g_strdup_printf (_("cannot ask Kafka whether it is ready: %s"), error->message);
      co2s_local_kafka_say ("%s", self->failure);
      self->exit_status = CO2S_EXIT_FAILURE;
      launcher_stop_jvm (self);
    }
  launcher_maybe_quit (self);
}

/* "exit status 1", "killed by signal 9 (Killed)". */
static char *
describe_end (GSubprocess *jvm)
{
  if (g_subprocess_get_if_signaled (jvm))
    {
      int sig = g_subprocess_get_term_sig (jvm);

      return g_strdup_printf (_("killed by signal %d (%s)"), sig, g_strsignal (sig));
    }
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (jvm));
}

/* Kafka's JVM stopped before it answered: say why, from kafka.out. */
static void
report_early_exit (Launcher *self, const char *how)
{
  g_autofree char *data = g_build_filename (self->plan.dir, CO2S_LOCAL_KAFKA_DATA_SUBDIR, NULL);
  Co2sKafkaLogVerdict verdict = { 0 };
  const char *why;

  co2s_kafka_log_read_verdict (self->out_path, data, &verdict);
  why = verdict.key_line != NULL ? verdict.key_line : "–";
  if (verdict.damaged)
    co2s_local_kafka_say (_("Kafka stopped while starting, %s: %s; the data folder %s may be damaged: "
                            "“co2stream-kafka --data-dir %s --reset-data” (or the app's “Reset local "
                            "broker data…”) deletes it; Kafka's log: %s"),
                          how, why, data, self->plan.dir, self->out_path);
  else if (verdict.port_taken)
    co2s_local_kafka_say (_("Kafka stopped while starting: port %u or %u on 127.0.0.1 was taken meanwhile "
                            "(%s): start again, or choose another port (--port, or the app's "
                            "Preferences)"),
                          self->plan.port, self->plan.controller_port, why);
  else
    co2s_local_kafka_say (_("Kafka stopped while starting, %s: %s; Kafka's log: %s"),
                          how, why, self->out_path);
  co2s_kafka_log_verdict_clear (&verdict);
}

static void
on_jvm_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  Launcher *self = data;
  g_autofree char *how = NULL;
  gboolean clean_stop;
  int status;

  self->pending--;
  g_subprocess_wait_finish (self->jvm, result, NULL);
  how = describe_end (self->jvm);
  status = g_subprocess_get_if_exited (self->jvm) ? g_subprocess_get_exit_status (self->jvm) : -1;
  /* After SIGTERM the JVM runs Kafka's shutdown hook and exits 143. */
  clean_stop = !self->killed &&
               (status == 0 || status == 128 + SIGTERM ||
                (g_subprocess_get_if_signaled (self->jvm) && g_subprocess_get_term_sig (self->jvm) == SIGTERM));
  co2s_local_kafka_cds_commit (self->plan.cds_tmp, clean_stop && self->phase == PHASE_STOPPING);
  co2s_local_kafka_write_pid (self->plan.dir, 0, NULL);

  switch (self->phase)
    {
    case PHASE_STOPPING:
      if (self->timed_out)
        {
          /* The status row shows the last line: the reason, not "stopping". */
          co2s_local_kafka_say (_("Kafka did not answer on %s within %d s and was stopped (its last line "
                                  "then, in %s: %s): start again, or give it more time with --start-timeout"),
                                self->bootstrap, opt_start_timeout, self->out_path,
                                self->failure != NULL ? self->failure : "–");
          launcher_finish (self, CO2S_EXIT_FAILURE);
        }
      else if (self->failure != NULL)
        {
          co2s_local_kafka_say ("%s", self->failure);
          launcher_finish (self, CO2S_EXIT_FAILURE);
        }
      else if (clean_stop)
        {
          co2s_local_kafka_say (_("Kafka stopped in %d ms"),
                                (int) ((g_get_monotonic_time () - self->stop_us) / 1000));
          launcher_finish (self, CO2S_EXIT_OK);
        }
      else
        {
          if (!self->killed)
            co2s_local_kafka_say (_("Kafka stopped with %s; its log: %s"), how, self->out_path);
          launcher_finish (self, CO2S_EXIT_FAILURE);
        }
      break;
    case PHASE_STARTING:
      report_early_exit (self, how);
      launcher_finish (self, CO2S_EXIT_FAILURE);
      break;
    case PHASE_READY:
      {
        g_autofree char *last = co2s_kafka_log_last_line (self->out_path);

        co2s_local_kafka_say (_("Kafka (pid %d) ended on its own after %d s, %s; its log: %s "
                                "(last line: %s)"),
                              (int) self->jvm_pid,
                              (int) ((g_get_monotonic_time () - self->spawned_us) / G_USEC_PER_SEC),
                              how, self->out_path, last != NULL ? last : "–");
        launcher_finish (self, CO2S_EXIT_FAILURE);
      }
      break;
    case PHASE_PREPARING:
    case PHASE_DONE:
      g_assert_not_reached ();
    }
}

/* Starts Kafka's JVM from the main thread (its PR_SET_PDEATHSIG is tied
 * to the thread that spawns it), the readiness probe and the timers. */
static gboolean
launcher_spawn (Launcher *self, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) argv = co2s_local_kafka_java_argv (&self->plan, (guint) opt_heap_max_mb);
  g_autofree char *logs = g_build_filename (self->plan.dir, CO2S_LOCAL_KAFKA_LOGS_SUBDIR, NULL);
  g_autofree char *previous = NULL;
  const char *identifier;

  self->out_path = g_build_filename (logs, CO2S_LOCAL_KAFKA_OUT_FILE, NULL);
  self->bootstrap = g_strdup_printf ("127.0.0.1:%u", self->plan.port);
  if (g_mkdir_with_parents (logs, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot create %s: %s"),
                   logs, g_strerror (saved));
      return FALSE;
    }
  /* The previous run's log stays as kafka.out.1. */
  previous = g_strconcat (self->out_path, ".1", NULL);
  if (rename (self->out_path, previous) != 0 && errno != ENOENT)
    g_debug ("cannot keep %s: %s", previous, g_strerror (errno));

  co2s_local_kafka_say (_("starting Apache Kafka %s (Java %d) from %s…"), CO2S_LOCAL_KAFKA_VERSION,
                        self->plan.java->major, self->plan.dir);
  launcher = co2s_local_kafka_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->out_path);
  /* Fewer malloc arenas: less resident memory for a JVM of ~70 threads. */
  if (g_getenv ("MALLOC_ARENA_MAX") == NULL)
    g_subprocess_launcher_setenv (launcher, "MALLOC_ARENA_MAX", "2", TRUE);
  /* Relative paths of the JVM (a crash report, hs_err_pid*.log) land in DIR. */
  g_subprocess_launcher_set_cwd (launcher, self->plan.dir);
  self->jvm = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (self->jvm == NULL)
    {
      g_prefix_error (error, _("cannot start %s: "), self->plan.java->path);
      return FALSE;
    }
  self->spawned_us = g_get_monotonic_time ();
  /* NULL when the JVM already exited and GLib reaped it (a Java that fails
   * at once): then there is no pid to record, and the exit watch reports. */
  identifier = g_subprocess_get_identifier (self->jvm);
  self->jvm_pid = identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
  if (self->jvm_pid != 0 && !co2s_local_kafka_write_pid (self->plan.dir, self->jvm_pid, error))
    {
      g_subprocess_force_exit (self->jvm);
      return FALSE;
    }

  self->phase = PHASE_STARTING;
  self->pending += 2;
  g_subprocess_wait_async (self->jvm, NULL, on_jvm_exit, self);
  co2s_local_kafka_probe_async (self->bootstrap, self->cancel_probe, on_probe_done, self);
  self->progress_id = g_timeout_add (PROGRESS_INTERVAL_S * 1000, on_progress, self);
  /* To the millisecond (g_timeout_add_seconds may add up to a second). */
  self->start_timeout_id = g_timeout_add ((guint) opt_start_timeout * 1000, on_start_timeout, self);
  return TRUE;
}

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Launcher *self = task_data;
  GError *error = NULL;

  if (co2s_local_kafka_prepare (&self->plan, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer data)
{
  Launcher *self = data;
  g_autoptr(GError) error = NULL;

  self->pending--;
  if (self->stop_requested)
    {
      /* Whatever the preparation did, nothing runs. */
      launcher_finish (self, CO2S_EXIT_OK);
      return;
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error) || !launcher_spawn (self, &error))
    {
      co2s_local_kafka_say ("%s", error->message);
      launcher_finish (self, CO2S_EXIT_FAILURE);
    }
}

static int
run_fetch (const char *cache_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sJava) java = NULL;
  g_autofree char *pom = co2s_local_kafka_find_resource ("pom.xml", &error);
  g_autofree char *classpath = NULL;

  g_auto(GStrv) jars = NULL;

  if (pom != NULL)
    classpath = co2s_local_kafka_fetch_classpath (cache_dir, pom, NULL, &error);
  if (classpath == NULL || (java = co2s_java_find (&error)) == NULL)
    return co2s_cli_failure ("%s", error->message);
  jars = g_strsplit (classpath, ":", -1);
  co2s_local_kafka_say (_("Apache Kafka %s: %u jars listed in %s/classpath.txt; Java %s at %s"),
                        CO2S_LOCAL_KAFKA_VERSION, g_strv_length (jars), cache_dir, java->version,
                        java->path);
  return CO2S_EXIT_OK;
}

static int
run_reset (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) report = NULL;

  if (!co2s_local_kafka_reset (dir, (guint) opt_stop_timeout * 1000, &report, &error))
    return co2s_cli_failure ("%s", error->message);
  for (guint i = 0; report[i] != NULL; i++)
    co2s_local_kafka_say ("%s", report[i]);
  if (report[0] == NULL)
    co2s_local_kafka_say (_("nothing to delete in %s"), dir);
  else
    co2s_local_kafka_say (_("reset %s: the next start formats a new, empty storage"), dir);
  return CO2S_EXIT_OK;
}

static int
run_kafka (const char *dir, const char *cache_dir)
{
  g_autoptr(Co2sLocalKafkaLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Launcher self = { 0 };
  guint sigint_id, sigterm_id;

  self.started_us = g_get_monotonic_time ();
  lock = co2s_local_kafka_lock_acquire (dir, NULL, &error);
  if (lock == NULL)
    return co2s_cli_failure ("%s", error->message);

  self.loop = g_main_loop_new (NULL, FALSE);
  self.cancel_prepare = g_cancellable_new ();
  self.cancel_probe = g_cancellable_new ();
  self.plan.dir = dir;
  self.plan.cache_dir = cache_dir;
  self.plan.retention_bytes = opt_retention_bytes;
  self.plan.stop_timeout_ms = (guint) opt_stop_timeout * 1000;
  self.plan.port = (guint16) opt_port;
  self.plan.controller_port = (guint16) opt_controller_port;
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &self);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &self);

  self.phase = PHASE_PREPARING;
  self.pending = 1;
  task = g_task_new (NULL, self.cancel_prepare, on_prepared, &self);
  g_task_set_task_data (task, &self, NULL);
  g_task_run_in_thread (task, prepare_thread);
  g_clear_object (&task);

  g_main_loop_run (self.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_object (&self.jvm);
  g_clear_object (&self.cancel_prepare);
  g_clear_object (&self.cancel_probe);
  g_clear_pointer (&self.loop, g_main_loop_unref);
  g_free (self.bootstrap);
  g_free (self.out_path);
  g_free (self.failure);
  co2s_local_kafka_plan_clear (&self.plan);
  return self.exit_status;
}

int
main (int argc, char **argv)
{
  const Co2sCliSpec cli = {
    .program = "co2stream-kafka",
    .parameter_string = N_("— a durable local Apache Kafka for co2stream"),
    .description = description,
    .entries = entries,
    .version_librdkafka = TRUE,
  };
  g_autofree char *dir = NULL;
  g_autofree char *cache_dir = NULL;
  int exit_status;

  if (!co2s_cli_parse (&cli, &argc, &argv, &exit_status))
    return exit_status;
  if (opt_port < 0 || opt_port > 65535)
    return co2s_cli_usage_error (_("--port %d: expected 0 (a free port) to 65535"), opt_port);
  if (opt_controller_port < 0 || opt_controller_port > 65535)
    return co2s_cli_usage_error (_("--controller-port %d: expected 0 (a free port) to 65535"),
                                 opt_controller_port);
  if (opt_port != 0 && opt_port == opt_controller_port)
    return co2s_cli_usage_error (_("--port and --controller-port are both %d: they must differ"), opt_port);
  if (opt_retention_bytes < 1048576)
    {
      /* A string: xgettext cannot expand G_GINT64_FORMAT. */
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, opt_retention_bytes);

      return co2s_cli_usage_error (_("--retention-bytes %s: expected at least 1048576 (1 MiB)"), value);
    }
  if (opt_heap_max_mb < 128 || opt_heap_max_mb > 65536)
    return co2s_cli_usage_error (_("--heap-max-mb %d: expected 128 to 65536"), opt_heap_max_mb);
  if (opt_start_timeout < 1 || opt_start_timeout > 86400)
    return co2s_cli_usage_error (_("--start-timeout %d: expected 1 to 86400 seconds"), opt_start_timeout);
  if (opt_stop_timeout < 1 || opt_stop_timeout > 3600)
    return co2s_cli_usage_error (_("--stop-timeout %d: expected 1 to 3600 seconds"), opt_stop_timeout);
  if (opt_fetch && opt_reset_data)
    return co2s_cli_usage_error ("%s", _("--fetch and --reset-data do not go together"));
  if (opt_data_dir == NULL && !opt_fetch)
    return co2s_cli_usage_error ("%s", _("missing --data-dir DIR (the folder of Kafka's data)"));

  cache_dir = opt_cache_dir != NULL ? g_canonicalize_filename (opt_cache_dir, NULL)
                                    : co2s_local_kafka_default_cache_dir ();
  if (opt_fetch)
    return run_fetch (cache_dir);
  /* Absolute: it is matched against a command line and written into
   * server.properties. */
  dir = g_canonicalize_filename (opt_data_dir, NULL);
  if (opt_reset_data)
    return run_reset (dir);
  return run_kafka (dir, cache_dir);
}
