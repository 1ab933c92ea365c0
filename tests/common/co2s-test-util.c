/* co2s-test-util.c — programs, files, ports, waits and child processes for
 * the integration tests. The Kafka fixtures are in co2s-test-kafka.c. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-util.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define POLL_US 2000
/* How often a wait wakes up when nothing happens in the main context. */
#define WAKE_MS 5

typedef struct
{
  GPtrArray *lines;   /* complete lines, without "\n" */
  GString *partial;   /* the unterminated tail */
  guint cursor;       /* first line not yet returned by a wait */
  gboolean eof;
} LineBuffer;

struct _Co2sTestProc
{
  GSubprocess *subprocess;
  char *name;
  GPid pid;
  GCancellable *cancellable;
  gboolean verbose;

  GMutex lock;        /* protects everything below */
  GCond cond;
  LineBuffer buffers[2];
  gboolean exited;
  int status;

  GThread *readers[2];
  GThread *waiter;
};

typedef struct
{
  Co2sTestProc *proc;
  Co2sTestStream stream;
} ReaderArgs;

G_LOCK_DEFINE_STATIC (tmpdirs);
static GPtrArray *tmpdirs;

/* ---- static helpers -------------------------------------------------------- */

static gint64
deadline_after (guint timeout_ms)
{
  return g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
}

static void
remove_tmpdirs_at_exit (void)
{
  G_LOCK (tmpdirs);
  for (guint i = 0; tmpdirs != NULL && i < tmpdirs->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!co2s_test_rm_rf (g_ptr_array_index (tmpdirs, i), &error))
        g_printerr ("co2s-test: cannot remove %s: %s\n",
                    (char *) g_ptr_array_index (tmpdirs, i), error->message);
    }
  g_clear_pointer (&tmpdirs, g_ptr_array_unref);
  G_UNLOCK (tmpdirs);
}

/* Waits on @proc's condition until @done (called with the lock held; it may
 * consume what it finds, so it is never called again once it returned TRUE)
 * returns TRUE or @deadline passes, iterating the default main context
 * between short timed waits. Returns the last result of @done. */
static gboolean
proc_wait (Co2sTestProc *proc,
           gboolean (*done) (Co2sTestProc *proc, gpointer data),
           gpointer data,
           gint64 deadline)
{
  gboolean result;

  for (;;)
    {
      g_mutex_lock (&proc->lock);
      result = done (proc, data);
      if (!result && g_get_monotonic_time () < deadline)
        {
          g_cond_wait_until (&proc->cond, &proc->lock,
                             MIN (deadline, g_get_monotonic_time () + POLL_US));
          result = done (proc, data);
        }
      g_mutex_unlock (&proc->lock);

      if (result || g_get_monotonic_time () >= deadline)
        return result;
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
append_line (Co2sTestProc *proc, Co2sTestStream stream, const char *line, gsize len)
{
  LineBuffer *buffer = &proc->buffers[stream];
  char *copy = g_strndup (line, len);

  if (proc->verbose)
    g_printerr ("[%s %s] %s\n", proc->name, stream == CO2S_TEST_STDOUT ? "out" : "err", copy);
  g_ptr_array_add (buffer->lines, copy);
}

static gpointer
reader_thread (gpointer user_data)
{
  g_autofree ReaderArgs *args = user_data;
  Co2sTestProc *proc = args->proc;
  LineBuffer *buffer = &proc->buffers[args->stream];
  GInputStream *input;
  char chunk[8192];

  input = args->stream == CO2S_TEST_STDOUT
          ? g_subprocess_get_stdout_pipe (proc->subprocess)
          : g_subprocess_get_stderr_pipe (proc->subprocess);

  for (;;)
    {
      gssize n = g_input_stream_read (input, chunk, sizeof chunk, proc->cancellable, NULL);
      const char *p, *end, *nl;

      g_mutex_lock (&proc->lock);
      if (n <= 0)
        {
          if (buffer->partial->len > 0)
            append_line (proc, args->stream, buffer->partial->str, buffer->partial->len);
          g_string_truncate (buffer->partial, 0);
          buffer->eof = TRUE;
          g_cond_broadcast (&proc->cond);
          g_mutex_unlock (&proc->lock);
          return NULL;
        }

      p = chunk;
      end = chunk + n;
      while ((nl = memchr (p, '\n', end - p)) != NULL)
        {
          if (buffer->partial->len > 0)
            {
              g_string_append_len (buffer->partial, p, nl - p);
              append_line (proc, args->stream, buffer->partial->str, buffer->partial->len);
              g_string_truncate (buffer->partial, 0);
            }
          else
            append_line (proc, args->stream, p, nl - p);
          p = nl + 1;
        }
      g_string_append_len (buffer->partial, p, end - p);
      g_cond_broadcast (&proc->cond);
      g_mutex_unlock (&proc->lock);
    }
}

static gpointer
waiter_thread (gpointer user_data)
{
  Co2sTestProc *proc = user_data;
  int status = -1;

  g_subprocess_wait (proc->subprocess, NULL, NULL);
  if (g_subprocess_get_if_exited (proc->subprocess))
    status = g_subprocess_get_exit_status (proc->subprocess);
  else if (g_subprocess_get_if_signaled (proc->subprocess))
    status = 128 + g_subprocess_get_term_sig (proc->subprocess);

  g_mutex_lock (&proc->lock);
  proc->exited = TRUE;
  proc->status = status;
  g_cond_broadcast (&proc->cond);
  g_mutex_unlock (&proc->lock);
  return NULL;
}

static gboolean
is_exited (Co2sTestProc *proc, gpointer data)
{
  return proc->exited;
}

static gboolean
both_eof (Co2sTestProc *proc, gpointer data)
{
  return proc->buffers[0].eof && proc->buffers[1].eof;
}

typedef struct
{
  Co2sTestStream stream;
  GRegex *regex;
  char *match;
} LineQuery;

static gboolean
find_line (Co2sTestProc *proc, gpointer data)
{
  LineQuery *query = data;
  LineBuffer *buffer = &proc->buffers[query->stream];

  while (buffer->cursor < buffer->lines->len)
    {
      const char *line = g_ptr_array_index (buffer->lines, buffer->cursor++);

      if (g_regex_match (query->regex, line, 0, NULL))
        {
          query->match = g_strdup (line);
          return TRUE;
        }
    }
  return buffer->eof;
}

/* Runs in the child between fork and exec (async-signal-safe calls only):
 * the child is killed when the test process dies, even by an assertion's
 * abort, so a failed test leaves no program running. */
static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);
}

/* ---- programs, files, ports -------------------------------------------------- */

const char *
co2s_test_program (const char *env_var)
{
  const char *path;

  g_return_val_if_fail (env_var != NULL, NULL);

  path = g_getenv (env_var);
  if (path == NULL || *path == '\0')
    g_error ("%s is not set: run the integration tests with `meson test`, whose "
             "test(env:) points it at the built program", env_var);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s=%s is not an executable file: build it first (ninja)", env_var, path);
  return path;
}

const char *
co2s_test_source_dir (void)
{
  const char *dir = g_getenv ("CO2S_SOURCE_DIR");

  if (dir == NULL || *dir == '\0')
    g_error ("CO2S_SOURCE_DIR is not set: run the integration tests with `meson test`");
  return dir;
}

char *
co2s_test_dataset_path (void)
{
  const char *from_env = g_getenv ("CO2S_DATASET");
  g_autofree char *in_tree = NULL;

  if (from_env != NULL && *from_env != '\0')
    {
      if (g_file_test (from_env, G_FILE_TEST_IS_REGULAR))
        return g_strdup (from_env);
      g_test_fail_printf ("CO2S_DATASET=%s does not exist", from_env);
      return NULL;
    }

  in_tree = g_build_filename (co2s_test_source_dir (), "data", "co2_processed.csv", NULL);
  if (g_file_test (in_tree, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&in_tree);

  g_test_fail_printf ("the data set is missing: put co2_processed.csv at %s "
                      "(the test script copies it from ../shared/data/) or set CO2S_DATASET",
                      in_tree);
  return NULL;
}

char *
co2s_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("co2s-test-XXXXXX", &error);

  if (dir == NULL)
    g_error ("cannot create a temporary directory: %s", error->message);

  if (g_getenv ("CO2S_TEST_KEEP_TMP") != NULL)
    {
      g_test_message ("keeping temporary directory %s", dir);
      return dir;
    }

  G_LOCK (tmpdirs);
  if (tmpdirs == NULL)
    {
      tmpdirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmpdirs_at_exit);
    }
  g_ptr_array_add (tmpdirs, g_strdup (dir));
  G_UNLOCK (tmpdirs);
  return dir;
}

gboolean
co2s_test_rm_rf (const char *path, GError **error)
{
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!co2s_test_rm_rf (child, error))
            return FALSE;
        }
    }

  if (g_remove (path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "cannot remove %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* The first port of the kernel's ephemeral range (32768 if unknown). */
static guint
ephemeral_low (void)
{
  g_autofree char *text = NULL;
  guint64 low;

  if (!g_file_get_contents ("/proc/sys/net/ipv4/ip_local_port_range", &text, NULL, NULL))
    return 32768;
  low = g_ascii_strtoull (text, NULL, 10);   /* "32768\t60999\n" */
  return low >= 1024 && low <= 65535 ? (guint) low : 32768;
}

#define FREE_PORT_FIRST 15000

guint16
co2s_test_free_port (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  guint low = ephemeral_low ();
  g_autoptr(GError) error = NULL;

  if (low < FREE_PORT_FIRST + 1000)
    g_error ("the ephemeral port range starts at %u: no room below it for test servers", low);
  for (guint attempt = 0; attempt < 1000; attempt++)
    {
      guint16 port = (guint16) g_random_int_range (FREE_PORT_FIRST, (gint32) low);
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, &error);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

      if (socket == NULL)
        g_error ("cannot make a socket: %s", error->message);
      if (g_socket_bind (socket, address, FALSE, NULL))
        return port;
    }
  g_error ("no free loopback port from %u to %u in 1000 tries", FREE_PORT_FIRST, low - 1);
}

/* ---- waiting on conditions ---------------------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default main context, blocking until an event or the next
 * wake-up, while (@predicate (@data) == @until_is) is FALSE and @deadline
 * has not passed. Returns the last value of the predicate. */
static gboolean
iterate_while (Co2sTestPredicate predicate,
               gpointer data,
               gboolean until_is,
               gint64 deadline)
{
  GSource *wake = g_timeout_source_new (WAKE_MS);
  gboolean value;

  g_source_set_callback (wake, wake_cb, NULL, NULL);
  g_source_set_name (wake, "co2s-test-wake");
  g_source_attach (wake, NULL);
  while ((value = predicate (data)) != until_is && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (wake);
  g_source_unref (wake);
  return value;
}

gboolean
co2s_test_wait_until (Co2sTestPredicate predicate, gpointer data, guint timeout_ms)
{
  g_return_val_if_fail (predicate != NULL, FALSE);

  return iterate_while (predicate, data, TRUE, deadline_after (timeout_ms));
}

gboolean
co2s_test_stays (Co2sTestPredicate predicate, gpointer data, guint ms)
{
  g_return_val_if_fail (predicate != NULL, FALSE);

  return iterate_while (predicate, data, FALSE, deadline_after (ms));
}

void
_co2s_test_assert_wait (const char *domain,
                        const char *file,
                        int line,
                        const char *func,
                        Co2sTestPredicate predicate,
                        gpointer data,
                        guint timeout_ms,
                        const char *what)
{
  g_autofree char *message = NULL;

  if (co2s_test_wait_until (predicate, data, timeout_ms))
    return;
  message = g_strdup_printf ("timed out after %u ms waiting for %s", timeout_ms, what);
  g_assertion_message (domain, file, line, func, message);
}

void
_co2s_test_assert_stays (const char *domain,
                         const char *file,
                         int line,
                         const char *func,
                         Co2sTestPredicate predicate,
                         gpointer data,
                         guint ms,
                         const char *what)
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *message = NULL;

  if (co2s_test_stays (predicate, data, ms))
    return;
  message = g_strdup_printf ("%s stopped holding after %" G_GINT64_FORMAT " of %u ms", what,
                             (g_get_monotonic_time () - start) / G_TIME_SPAN_MILLISECOND, ms);
  g_assertion_message (domain, file, line, func, message);
}

void
co2s_test_store_result (GObject *source, GAsyncResult *result, gpointer slot)
{
  GAsyncResult **out = slot;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

gboolean
co2s_test_result_is_set (gpointer slot)
{
  return *(GAsyncResult **) slot != NULL;
}

gboolean
co2s_test_pointer_cleared (gpointer slot)
{
  return *(gpointer *) slot == NULL;
}

void
co2s_test_progress_log_init (Co2sTestProgressLog *log, GAsyncResult **result)
{
  log->values = g_array_new (FALSE, FALSE, sizeof (double));
  log->main_thread = g_thread_self ();
  log->wrong_thread = FALSE;
  log->result = result;
  log->after_result = FALSE;
}

void
co2s_test_progress_log_clear (Co2sTestProgressLog *log)
{
  g_clear_pointer (&log->values, g_array_unref);
}

void
co2s_test_progress_log_cb (double fraction, gpointer data)
{
  Co2sTestProgressLog *log = data;

  if (g_thread_self () != log->main_thread)
    log->wrong_thread = TRUE;
  if (*log->result != NULL)
    log->after_result = TRUE;
  g_array_append_val (log->values, fraction);
}

void
co2s_test_progress_log_assert_complete (const Co2sTestProgressLog *log)
{
  g_assert_false (log->wrong_thread);
  g_assert_false (log->after_result);
  g_assert_cmpuint (log->values->len, >=, 1);
  for (guint i = 0; i < log->values->len; i++)
    {
      double v = g_array_index (log->values, double, i);

      g_assert_cmpfloat (v, >=, 0.0);
      g_assert_cmpfloat (v, <=, 1.0);
      if (i > 0)
        g_assert_cmpfloat (v, >, g_array_index (log->values, double, i - 1));
    }
  g_assert_cmpfloat (g_array_index (log->values, double, log->values->len - 1), ==, 1.0);
}

/* ---- child processes ------------------------------------------------------- */

Co2sTestProc *
co2s_test_proc_spawn (const char * const *argv, const char * const *env, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  const char *identifier;
  Co2sTestProc *proc;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);
  /* As co2s_test_children_fatal_criticals () does for other children. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq == NULL)
        g_subprocess_launcher_unsetenv (launcher, env[i]);
      else
        {
          g_autofree char *key = g_strndup (env[i], eq - env[i]);

          g_subprocess_launcher_setenv (launcher, key, eq + 1, TRUE);
        }
    }

  subprocess = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (subprocess == NULL)
    return NULL;

  proc = g_new0 (Co2sTestProc, 1);
  proc->subprocess = g_steal_pointer (&subprocess);
  proc->name = g_path_get_basename (argv[0]);
  /* NULL when the child already exited and GLib's worker reaped it (a
   * program that only prints its --help can be that quick): no pid then. */
  identifier = g_subprocess_get_identifier (proc->subprocess);
  proc->pid = identifier != NULL ? atoi (identifier) : 0;
  proc->cancellable = g_cancellable_new ();
  proc->verbose = g_strcmp0 (g_getenv ("CO2S_TEST_VERBOSE"), "1") == 0;
  proc->status = -1;
  g_mutex_init (&proc->lock);
  g_cond_init (&proc->cond);

  for (guint i = 0; i < 2; i++)
    {
      ReaderArgs *args = g_new0 (ReaderArgs, 1);

      proc->buffers[i].lines = g_ptr_array_new_with_free_func (g_free);
      proc->buffers[i].partial = g_string_new (NULL);
      args->proc = proc;
      args->stream = i;
      proc->readers[i] = g_thread_new (i == 0 ? "co2s-test-out" : "co2s-test-err",
                                       reader_thread, args);
    }
  proc->waiter = g_thread_new ("co2s-test-wait", waiter_thread, proc);

  g_test_message ("spawned %s (pid %d)", proc->name, (int) proc->pid);
  return proc;
}

Co2sTestProc *
co2s_test_proc_spawn_or_die (const char * const *argv, const char * const *env)
{
  g_autoptr(GError) error = NULL;
  Co2sTestProc *proc = co2s_test_proc_spawn (argv, env, &error);

  if (proc == NULL)
    g_error ("cannot spawn %s: %s", argv[0], error->message);
  return proc;
}

void
co2s_test_proc_free (Co2sTestProc *proc)
{
  if (proc == NULL)
    return;

  if (g_test_failed ())
    {
      g_autofree char *text = co2s_test_proc_stderr_text (proc);

      g_test_message ("stderr of %s (pid %d):\n%s", proc->name, (int) proc->pid, text);
    }

  co2s_test_proc_kill (proc);
  g_thread_join (proc->waiter);

  /* Let the readers drain what the child wrote; a grandchild holding the
   * pipes open must not hang the test, so cancel after a grace period. */
  proc_wait (proc, both_eof, NULL, deadline_after (2000));
  g_cancellable_cancel (proc->cancellable);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (proc->readers[i]);
      g_ptr_array_unref (proc->buffers[i].lines);
      g_string_free (proc->buffers[i].partial, TRUE);
    }

  g_mutex_clear (&proc->lock);
  g_cond_clear (&proc->cond);
  g_clear_object (&proc->cancellable);
  g_clear_object (&proc->subprocess);
  g_free (proc->name);
  g_free (proc);
}

GPid
co2s_test_proc_get_pid (Co2sTestProc *proc)
{
  gboolean exited;

  g_return_val_if_fail (proc != NULL, 0);

  g_mutex_lock (&proc->lock);
  exited = proc->exited;
  g_mutex_unlock (&proc->lock);
  return exited ? 0 : proc->pid;
}

gboolean
co2s_test_proc_wait_line (Co2sTestProc *proc,
                          Co2sTestStream stream,
                          const char *pattern,
                          guint timeout_ms,
                          char **out_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = NULL;
  LineQuery query = { stream, NULL, NULL };

  g_return_val_if_fail (proc != NULL, FALSE);
  g_return_val_if_fail (stream == CO2S_TEST_STDOUT || stream == CO2S_TEST_STDERR, FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);

  regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, &error);
  if (regex == NULL)
    g_error ("bad test pattern “%s”: %s", pattern, error->message);
  query.regex = regex;

  proc_wait (proc, find_line, &query, deadline_after (timeout_ms));
  if (query.match == NULL)
    {
      g_test_message ("%s: no %s line matched “%s” within %u ms",
                      proc->name, stream == CO2S_TEST_STDOUT ? "stdout" : "stderr",
                      pattern, timeout_ms);
      return FALSE;
    }
  if (out_line != NULL)
    *out_line = query.match;
  else
    g_free (query.match);
  return TRUE;
}

gboolean
co2s_test_proc_wait_closed (Co2sTestProc *proc, guint timeout_ms)
{
  g_return_val_if_fail (proc != NULL, FALSE);

  return proc_wait (proc, both_eof, NULL, deadline_after (timeout_ms));
}

char *
co2s_test_proc_get_text (Co2sTestProc *proc, Co2sTestStream stream)
{
  GString *text = g_string_new (NULL);
  LineBuffer *buffer;

  g_return_val_if_fail (proc != NULL, NULL);
  g_return_val_if_fail (stream == CO2S_TEST_STDOUT || stream == CO2S_TEST_STDERR, NULL);

  buffer = &proc->buffers[stream];
  g_mutex_lock (&proc->lock);
  for (guint i = 0; i < buffer->lines->len; i++)
    {
      g_string_append (text, g_ptr_array_index (buffer->lines, i));
      g_string_append_c (text, '\n');
    }
  g_string_append_len (text, buffer->partial->str, buffer->partial->len);
  g_mutex_unlock (&proc->lock);
  return g_string_free (text, FALSE);
}

char *
co2s_test_proc_stderr_text (Co2sTestProc *proc)
{
  return co2s_test_proc_get_text (proc, CO2S_TEST_STDERR);
}

int
co2s_test_proc_wait_exit (Co2sTestProc *proc, guint timeout_ms)
{
  int status;

  g_return_val_if_fail (proc != NULL, -1);

  if (!proc_wait (proc, is_exited, NULL, deadline_after (timeout_ms)))
    return -1;
  /* The reader threads may still hold the child's last lines: let them reach
   * the end of both pipes, so the text read after this call is complete. A
   * grandchild that inherited the pipes could keep them open: bounded. */
  co2s_test_proc_wait_closed (proc, 2000);
  g_mutex_lock (&proc->lock);
  status = proc->status;
  g_mutex_unlock (&proc->lock);
  return status;
}

void
co2s_test_proc_signal (Co2sTestProc *proc, int signum)
{
  g_return_if_fail (proc != NULL);

  /* GSubprocess itself never signals a pid it has already reaped. */
  g_mutex_lock (&proc->lock);
  if (!proc->exited)
    g_subprocess_send_signal (proc->subprocess, signum);
  g_mutex_unlock (&proc->lock);
}

int
co2s_test_proc_terminate (Co2sTestProc *proc, guint timeout_ms)
{
  int status;

  g_return_val_if_fail (proc != NULL, -1);

  co2s_test_proc_signal (proc, SIGTERM);
  status = co2s_test_proc_wait_exit (proc, timeout_ms);
  if (status == -1)
    {
      g_test_message ("%s (pid %d) ignored SIGTERM for %u ms; killing it",
                      proc->name, (int) proc->pid, timeout_ms);
      status = co2s_test_proc_kill (proc);
    }
  return status;
}

int
co2s_test_proc_kill (Co2sTestProc *proc)
{
  int status;

  g_return_val_if_fail (proc != NULL, -1);

  co2s_test_proc_signal (proc, SIGKILL);
  status = co2s_test_proc_wait_exit (proc, 30000);
  if (status == -1)
    g_error ("%s (pid %d) survived SIGKILL for 30 s", proc->name, (int) proc->pid);
  return status;
}

void
co2s_test_children_fatal_criticals (void)
{
  g_setenv ("G_DEBUG", "fatal-criticals", TRUE);
}

gboolean
co2s_test_pid_gone (GPid pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *contents = NULL;
  const char *paren;

  g_return_val_if_fail (pid > 0, TRUE);

  /* No waitpid(): GLib reaps the children it spawned, and stealing that
   * from it makes it complain. */
  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;

  /* A zombie is dead: only its parent has not reaped it yet. */
  stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (stat_path, &contents, NULL, NULL))
    return TRUE;
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

gboolean
co2s_test_pids_gone (gpointer pids)
{
  GArray *array = pids;

  g_return_val_if_fail (array != NULL, TRUE);

  for (guint i = 0; i < array->len; i++)
    {
      GPid pid = g_array_index (array, GPid, i);

      if (pid > 0 && !co2s_test_pid_gone (pid))
        return FALSE;
    }
  return TRUE;
}

guint
co2s_test_count_children (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  if (proc == NULL)
    g_error ("cannot read /proc: the process helpers need Linux's procfs");
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      const char *paren;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      paren = strrchr (contents, ')');
      if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      if (ppid == (int) getpid () && state != 'Z' && state != 'X')
        n++;
    }
  return n;
}

gboolean
co2s_test_no_children (gpointer unused)
{
  return co2s_test_count_children () == 0;
}
