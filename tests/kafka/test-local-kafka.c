/* test-local-kafka.c — co2stream-kafka as the supervisor runs it: real
 * launcher processes, real JVMs, real data folders (suite "kafka").
 *
 *  /local-kafka/start-stop-keeps-data  1,000 records, SIGTERM (exit 0), start
 *      again on another controller port and in the C locale: same cluster
 *      id, all 1,000 kept (the data folder's name has a space and an "é").
 *  /local-kafka/sigkill-java  kill -9 of Kafka's JVM: the launcher exits 1
 *      saying how Kafka ended; the next start recovers the records.
 *  /local-kafka/launcher-killed  a JVM that outlived its launcher (stopped
 *      with SIGSTOP so that PR_SET_PDEATHSIG cannot end it) is ended by the
 *      next launcher, which says so; SIGKILL of that launcher ends its JVM
 *      (PR_SET_PDEATHSIG); the next start works.
 *  /local-kafka/port-in-use, /java-missing (and too old), /jars-missing,
 *      /second-launcher-same-dir, /corrupt-data (garbage meta.properties,
 *      another cluster's data), /reset-data (refused while running, deletes
 *      after, the next start formats a new cluster id), /start-timeout:
 *      exit 1 and the key words of each message; the way out each message
 *      gives works.
 *
 * Needs Java 17+ and Kafka's jars in the default cache (scripts/test.sh
 * fetches them): without them the launcher's own error fails the tests. */
#define G_LOG_DOMAIN "test-local-kafka"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-test-util.h"

#define START_DEADLINE_MS 180000   /* a cold JVM on a busy 2-core machine */
#define STOP_DEADLINE_MS   45000   /* --stop-timeout 30 s, and some */
#define REFUSE_DEADLINE_MS 60000   /* refusals come before Kafka's JVM */
#define GONE_DEADLINE_MS   40000

/* Messages in English, whatever the test's locale. */
static const char * const english[] = { "LC_ALL=C.UTF-8", "LANGUAGE", NULL };

/* ---- helpers ------------------------------------------------------------------- */

/* Spawns co2stream-kafka --data-dir @dir @extra… with @env (NULL: english). */
static Co2sTestProc *
launcher_spawn (const char *dir, const char * const *extra, const char * const *env)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) co2s_test_program ("CO2S_KAFKA"));
  if (dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, (gpointer) dir);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  return co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, env != NULL ? env : english);
}

/* Waits for the bootstrap.servers line of @proc; returns the address. */
static char *
wait_ready (Co2sTestProc *proc)
{
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;

  if (co2s_test_proc_wait_line (proc, CO2S_TEST_STDOUT, "^" CO2S_READY_BROKER_PREFIX, START_DEADLINE_MS, &line))
    {
      g_assert_true (co2s_test_proc_wait_line (proc, CO2S_TEST_STDERR, "^co2stream-kafka: ready in [0-9]+ ms \\(pid [0-9]+\\)$",
                                               10000, NULL));
      return g_strdup (line + strlen (CO2S_READY_BROKER_PREFIX));
    }
  err = co2s_test_proc_stderr_text (proc);
  g_error ("co2stream-kafka printed no bootstrap.servers line within %d ms (exit %d); stderr:\n%s",
           START_DEADLINE_MS, co2s_test_proc_wait_exit (proc, 0), err);
}

/* Starts a launcher on @dir with @extra and waits until it is ready. */
static Co2sTestProc *
launcher_start (const char *dir, const char * const *extra, char **bootstrap)
{
  Co2sTestProc *proc = launcher_spawn (dir, extra, NULL);

  *bootstrap = wait_ready (proc);
  return proc;
}

/* SIGTERM: Kafka stops cleanly and the launcher exits 0. */
static void
launcher_stop (Co2sTestProc *proc)
{
  g_autofree char *err = NULL;
  int status;

  co2s_test_proc_signal (proc, SIGTERM);
  status = co2s_test_proc_wait_exit (proc, STOP_DEADLINE_MS);
  err = co2s_test_proc_stderr_text (proc);
  if (status != 0)
    g_error ("co2stream-kafka: want exit 0 within %d ms of SIGTERM, got %d; stderr:\n%s",
             STOP_DEADLINE_MS, status, err);
  g_assert_nonnull (strstr (err, "co2stream-kafka: stopping Kafka (pid "));
  g_assert_true (g_regex_match_simple ("co2stream-kafka: Kafka stopped in [0-9]+ ms\n$", err, 0, 0));
}

/* Runs a launcher that must refuse: exit 1 within @deadline_ms, nothing on
 * stdout, and every one of @needles (NULL-terminated) on stderr, the
 * message on one line. Returns stderr. */
static char *
assert_refused (const char *dir, const char * const *extra, const char * const *env,
                guint deadline_ms, const char * const *needles)
{
  g_autoptr(Co2sTestProc) proc = launcher_spawn (dir, extra, env);
  g_autofree char *out = NULL;
  char *err;
  int status;

  status = co2s_test_proc_wait_exit (proc, deadline_ms);
  err = co2s_test_proc_stderr_text (proc);
  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  g_test_message ("refused (exit %d):\n%s", status, err);
  if (status != 1)
    g_error ("co2stream-kafka: want exit 1 within %u ms, got %d; stderr:\n%s", deadline_ms, status, err);
  g_assert_cmpstr (out, ==, "");
  for (guint i = 0; needles[i] != NULL; i++)
    {
      const char *at = strstr (err, needles[i]);
      const char *line_end;

      if (at == NULL)
        g_error ("co2stream-kafka's stderr lacks “%s”:\n%s", needles[i], err);
      /* The key words are on the last line, the error. */
      line_end = strchr (at, '\n');
      g_assert_true (line_end != NULL && line_end[1] == '\0');
    }
  return err;
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  return g_strstrip (text);
}

static GPid
jvm_pid (const char *dir)
{
  g_autofree char *text = read_file (dir, "kafka.pid");
  GPid pid = (GPid) g_ascii_strtoll (text, NULL, 10);

  g_assert_cmpint (pid, >, 1);
  return pid;
}

static gboolean
pid_gone (gpointer pid)
{
  return co2s_test_pid_gone (GPOINTER_TO_INT (pid));
}

/* The cluster id the running broker reports (METADATA). */
static char *
broker_cluster_id (const char *bootstrap)
{
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf = co2s_kafka_conf_new (bootstrap, NULL, &error);
  rd_kafka_t *rk;
  char *id;
  char *copy;

  g_assert_no_error (error);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &error);
  g_assert_no_error (error);
  id = rd_kafka_clusterid (rk, 10000);
  g_assert_nonnull (id);
  copy = g_strdup (id);
  rd_kafka_mem_free (rk, id);
  rd_kafka_destroy (rk);
  return copy;
}

static void
produce (const char *bootstrap, const char *topic, guint n)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (payloads, g_strdup_printf ("{\"seq\":%u,\"note\":\"local kafka test\"}", i));
  if (!co2s_test_kafka_produce (bootstrap, topic, (const char * const *) payloads->pdata, NULL, n, &error))
    g_error ("producing %u records to %s at %s: %s", n, topic, bootstrap, error->message);
}

static void
assert_topic_holds (const char *bootstrap, const char *topic, gint64 count)
{
  g_autoptr(GError) error = NULL;
  gint64 low = -1, high = -1;

  if (!co2s_test_kafka_watermarks (bootstrap, topic, 0, &low, &high, &error))
    g_error ("%s", error->message);
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, count);
}

static char *
port_text (guint16 port)
{
  return g_strdup_printf ("%u", port);
}

/* ---- /local-kafka/start-stop-keeps-data ------------------------------------------ */

static void
test_start_stop_keeps_data (void)
{
  g_autofree char *tmp = co2s_test_tmpdir ();
  /* A space and a letter beyond ASCII: Java reads server.properties as
   * ISO-8859-1 and decodes file names with the locale's charset. */
  g_autofree char *dir = g_build_filename (tmp, "données kafka", NULL);
  g_autofree char *topic = co2s_test_unique_topic ("local-kafka");
  g_autofree char *port = port_text (co2s_test_free_port ());
  g_autofree char *controller1 = port_text (co2s_test_free_port ());
  g_autofree char *controller2 = NULL;
  g_autofree char *bootstrap = NULL;
  g_autofree char *bootstrap2 = NULL;
  g_autofree char *cluster = NULL;
  g_autofree char *cluster2 = NULL;
  g_autofree char *kept_id = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%s", port);
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sTestProc) second = NULL;

  first = launcher_start (dir, (const char *[]) { "--port", port, "--controller-port", controller1, NULL },
                          &bootstrap);
  g_assert_cmpstr (bootstrap, ==, expected);
  err = co2s_test_proc_stderr_text (first);
  g_assert_nonnull (strstr (err, "co2stream-kafka: formatting a new Kafka storage in "));
  g_assert_nonnull (strstr (err, "co2stream-kafka: starting Apache Kafka 4.1.1 (Java "));
  cluster = broker_cluster_id (bootstrap);
  kept_id = read_file (dir, "cluster.id");
  g_assert_cmpstr (cluster, ==, kept_id);
  produce (bootstrap, topic, 1000);
  assert_topic_holds (bootstrap, topic, 1000);
  launcher_stop (first);
  {
    g_autofree char *pid_path = g_build_filename (dir, "kafka.pid", NULL);

    g_assert_false (g_file_test (pid_path, G_FILE_TEST_EXISTS));
  }

  /* Another controller port: static voters are read from server.properties
   * at each start, not from the metadata log. */
  do
    {
      g_free (controller2);
      controller2 = port_text (co2s_test_free_port ());
    }
  while (strcmp (controller2, controller1) == 0 || strcmp (controller2, port) == 0);
  /* In the C locale (ASCII file names for Java, unless told otherwise). */
  second = launcher_spawn (dir, (const char *[]) { "--port", port, "--controller-port", controller2, NULL },
                           (const char *[]) { "LC_ALL=C", "LANG", "LANGUAGE", NULL });
  bootstrap2 = wait_ready (second);
  g_clear_pointer (&err, g_free);
  err = co2s_test_proc_stderr_text (second);
  g_assert_null (strstr (err, "formatting"));
  cluster2 = broker_cluster_id (bootstrap2);
  g_assert_cmpstr (cluster2, ==, cluster);
  assert_topic_holds (bootstrap2, topic, 1000);
  launcher_stop (second);
}

/* ---- /local-kafka/sigkill-java ----------------------------------------------------- */

static void
test_sigkill_java (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *topic = co2s_test_unique_topic ("local-kafka");
  g_autofree char *bootstrap = NULL;
  g_autofree char *bootstrap2 = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ended = NULL;
  g_autofree char *log = g_strdup_printf ("its log: %s/logs/kafka.out", dir);
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sTestProc) second = NULL;
  int status;
  GPid java;

  first = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  produce (bootstrap, topic, 200);
  java = jvm_pid (dir);
  g_assert_cmpint (kill (java, SIGKILL), ==, 0);
  status = co2s_test_proc_wait_exit (first, STOP_DEADLINE_MS);
  err = co2s_test_proc_stderr_text (first);
  if (status != 1)
    g_error ("want exit 1 after Kafka was killed, got %d; stderr:\n%s", status, err);
  ended = g_strdup_printf ("co2stream-kafka: Kafka (pid %d) ended on its own after ", (int) java);
  g_assert_nonnull (strstr (err, ended));
  g_assert_nonnull (strstr (err, "killed by signal 9"));
  g_assert_nonnull (strstr (err, log));

  /* Recovery after the crash: the records are there. */
  second = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap2);
  assert_topic_holds (bootstrap2, topic, 200);
  launcher_stop (second);
}

/* ---- /local-kafka/launcher-killed -------------------------------------------------- */

static void
test_launcher_killed (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *bootstrap = NULL;
  g_autofree char *err = NULL;
  g_autofree char *named = NULL;
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sTestProc) second = NULL;
  g_autoptr(Co2sTestProc) third = NULL;
  GPid java;

  /* A JVM stopped by SIGSTOP cannot act on PR_SET_PDEATHSIG's SIGTERM: it
   * outlives its killed launcher, as one that hangs would. */
  first = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  java = jvm_pid (dir);
  g_assert_cmpint (kill (java, SIGSTOP), ==, 0);
  co2s_test_proc_kill (first);
  g_assert_false (co2s_test_pid_gone (java));

  second = launcher_spawn (dir, (const char *[]) { "--port", "0", "--stop-timeout", "2", NULL }, NULL);
  g_clear_pointer (&bootstrap, g_free);
  bootstrap = wait_ready (second);
  err = co2s_test_proc_stderr_text (second);
  named = g_strdup_printf ("co2stream-kafka: a Kafka of an earlier run (pid %d) still runs from %s: stopping it…",
                           (int) java, dir);
  g_assert_nonnull (strstr (err, named));
  g_assert_true (co2s_test_pid_gone (java));

  /* SIGKILL of the launcher: its JVM gets SIGTERM and ends. */
  java = jvm_pid (dir);
  co2s_test_proc_kill (second);
  co2s_test_assert_wait_msg (pid_gone, GINT_TO_POINTER (java), GONE_DEADLINE_MS,
                             "Kafka's JVM gone after its launcher was killed");

  g_clear_pointer (&bootstrap, g_free);
  third = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  g_clear_pointer (&err, g_free);
  err = co2s_test_proc_stderr_text (third);
  g_assert_null (strstr (err, "earlier run"));
  launcher_stop (third);
}

/* ---- refusals ----------------------------------------------------------------------- */

static void
test_port_in_use (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *message = NULL;
  g_autofree char *holder = g_strdup_printf ("(pid %d, ", (int) getpid ());
  g_autofree char *err = NULL;
  guint16 taken = co2s_test_free_port ();

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, taken);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  port = port_text (taken);
  message = g_strdup_printf ("co2stream-kafka: port %u on 127.0.0.1 is in use ", taken);

  err = assert_refused (dir, (const char *[]) { "--port", port, NULL }, NULL, REFUSE_DEADLINE_MS,
                        (const char *[]) { message, holder, "choose another port (--port, or the app's Preferences)",
                                           "or stop the program that holds it", NULL });
  /* The controller port too. */
  g_clear_pointer (&err, g_free);
  err = assert_refused (dir, (const char *[]) { "--port", "0", "--controller-port", port, NULL }, NULL,
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { message, "choose another --controller-port (0 picks a free one)", NULL });
}

static void
test_java_missing (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *empty = co2s_test_tmpdir ();
  g_autofree char *old_home = co2s_test_tmpdir ();
  g_autofree char *old_bin = g_build_filename (old_home, "bin", NULL);
  g_autofree char *old_java = g_build_filename (old_bin, "java", NULL);
  g_autofree char *path_env = g_strconcat ("PATH=", empty, NULL);
  g_autofree char *home_env = g_strconcat ("JAVA_HOME=", old_home, NULL);
  g_autofree char *err = NULL;
  g_autofree char *old_message = NULL;
  g_autoptr(GError) error = NULL;

  /* No JAVA_HOME, nothing on PATH. */
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL },
                        (const char *[]) { "LC_ALL=C.UTF-8", "LANGUAGE", "JAVA_HOME", path_env, NULL },
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { "co2stream-kafka: no Java found (JAVA_HOME is not set, and there is no java on PATH)",
                                           "install a Java 17+ runtime (Debian: apt-get install default-jre-headless) or set JAVA_HOME",
                                           NULL });
  g_clear_pointer (&err, g_free);
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL },
                        (const char *[]) { "LC_ALL=C.UTF-8", "LANGUAGE", "JAVA_HOME=/nonexistent", path_env, NULL },
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { "no Java found (JAVA_HOME=/nonexistent has no bin/java, and there is no java on PATH)",
                                           "install a Java 17+ runtime", NULL });

  /* A Java 11 (a script that answers -version like one). */
  g_assert_cmpint (g_mkdir_with_parents (old_bin, 0755), ==, 0);
  g_assert_true (g_file_set_contents (old_java, "#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n",
                                      -1, &error));
  g_assert_cmpint (g_chmod (old_java, 0755), ==, 0);
  old_message = g_strdup_printf ("co2stream-kafka: %s is Java 11.0.21, but Apache Kafka 4.1.1 needs Java 17 or later",
                                 old_java);
  g_clear_pointer (&err, g_free);
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL },
                        (const char *[]) { "LC_ALL=C.UTF-8", "LANGUAGE", home_env, path_env, NULL },
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { old_message, "install a Java 17+ runtime", NULL });
}

static void
test_jars_missing (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *cache = co2s_test_tmpdir ();
  g_autofree char *bin = co2s_test_tmpdir ();
  g_autofree char *java = g_find_program_in_path ("java");
  g_autofree char *java_real = NULL;
  g_autofree char *link = g_build_filename (bin, "java", NULL);
  g_autofree char *path_env = g_strconcat ("PATH=", bin, NULL);
  g_autofree char *no_list = g_strdup_printf ("(no jar list in %s)", cache);
  g_autofree char *mvn = g_build_filename (bin, "mvn", NULL);
  g_autofree char *mvn_log = g_strdup_printf ("; see %s/mvn.log", cache);
  g_autofree char *err = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (link);
  g_autoptr(GError) error = NULL;

  /* PATH with java only: no mvn to fetch with. */
  if (java == NULL)
    g_error ("java is not on PATH: install a Java 17+ runtime (scripts/deps-debian.txt)");
  java_real = g_canonicalize_filename (java, NULL);
  g_assert_true (g_file_make_symbolic_link (file, java_real, NULL, &error));
  err = assert_refused (dir, (const char *[]) { "--port", "0", "--cache-dir", cache, NULL },
                        (const char *[]) { "LC_ALL=C.UTF-8", "LANGUAGE", "JAVA_HOME", path_env, NULL },
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { "co2stream-kafka: the jars of Apache Kafka 4.1.1 are missing", no_list,
                                           "run scripts/setup.sh (it fetches them with Maven)", NULL });

  /* A Maven that fails as without network: said first, then why, and where
   * its log is. */
  g_assert_true (g_file_set_contents (mvn, "#!/bin/sh\n"
                                      "echo '[ERROR] Failed to execute goal on project co2stream-test-kafka: "
                                      "Could not resolve dependencies: Unknown host repo.maven.apache.org'\n"
                                      "exit 1\n", -1, &error));
  g_assert_cmpint (g_chmod (mvn, 0755), ==, 0);
  g_clear_pointer (&err, g_free);
  err = assert_refused (dir, (const char *[]) { "--port", "0", "--cache-dir", cache, NULL },
                        (const char *[]) { "LC_ALL=C.UTF-8", "LANGUAGE", "JAVA_HOME", path_env, NULL },
                        REFUSE_DEADLINE_MS,
                        (const char *[]) { "co2stream-kafka: Maven could not fetch Apache Kafka 4.1.1 "
                                           "(no network to Maven Central?): [ERROR] Failed to execute goal",
                                           "Unknown host repo.maven.apache.org", mvn_log, NULL });
  g_assert_nonnull (strstr (err, "co2stream-kafka: fetching Apache Kafka 4.1.1 with Maven (once, ~60 MB)…\n"));
}

static void
test_second_launcher_same_dir (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *bootstrap = NULL;
  g_autofree char *named = NULL;
  g_autofree char *err = NULL;
  g_autoptr(Co2sTestProc) first = NULL;

  first = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  named = g_strdup_printf ("co2stream-kafka: another co2stream-kafka (pid %d) already runs Kafka from %s: "
                           "stop it first, or choose another data folder",
                           (int) co2s_test_proc_get_pid (first), dir);
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL }, NULL, REFUSE_DEADLINE_MS,
                        (const char *[]) { named, NULL });
  /* The first one did not notice. */
  g_free (broker_cluster_id (bootstrap));
  g_assert_cmpint (co2s_test_proc_wait_exit (first, 0), ==, -1);
  launcher_stop (first);
}

static void
test_corrupt_data (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *meta = g_build_filename (data, "meta.properties", NULL);
  g_autofree char *damaged = g_strdup_printf ("the data folder %s may be damaged: “co2stream-kafka --data-dir %s "
                                              "--reset-data” (or the app's “Reset local broker data…”) deletes it",
                                              data, dir);
  g_autofree char *log = g_strdup_printf ("Kafka's log: %s/logs/kafka.out", dir);
  g_autofree char *bootstrap = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id_path = g_build_filename (dir, "cluster.id", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sTestProc) after = NULL;

  /* Garbage meta.properties: Kafka itself refuses it. */
  g_assert_cmpint (g_mkdir_with_parents (data, 0755), ==, 0);
  g_assert_true (g_file_set_contents (meta, "garbage \x01\x02 not=properties\n", -1, &error));
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL }, NULL, START_DEADLINE_MS,
                        (const char *[]) { "co2stream-kafka: Kafka stopped while starting, exit status 1: ",
                                           "node ID not found", damaged, log, NULL });

  /* Another cluster's storage: refused before Kafka starts. */
  g_assert_true (g_file_set_contents (meta, "version=1\nnode.id=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAQ\n", -1, &error));
  g_assert_true (g_file_set_contents (id_path, "BBBBBBBBBBBBBBBBBBBBBQ\n", -1, &error));
  g_clear_pointer (&err, g_free);
  err = assert_refused (dir, (const char *[]) { "--port", "0", NULL }, NULL, REFUSE_DEADLINE_MS,
                        (const char *[]) { "belongs to cluster AAAAAAAAAAAAAAAAAAAAAQ, but ", "says BBBBBBBBBBBBBBBBBBBBBQ",
                                           damaged, NULL });

  /* The way out works. */
  {
    g_autoptr(Co2sTestProc) reset = launcher_spawn (dir, (const char *[]) { "--reset-data", NULL }, NULL);

    g_assert_cmpint (co2s_test_proc_wait_exit (reset, REFUSE_DEADLINE_MS), ==, 0);
  }
  after = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  launcher_stop (after);
}

/* Kafka not ready within 1 s of its JVM's start: stopped, exit 1, and the
 * last line says so (the status row shows it), not "stopping". The JVMs
 * run interpreted (JAVA_TOOL_OPTIONS=-Xint), so that Kafka cannot be ready
 * in time: a fresh clone's CI run once saw it ready 1.2 s after the spawn,
 * before the timeout, then of whole seconds, had fired. */
static void
test_start_timeout (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *err = NULL;
  g_autofree char *log = g_strdup_printf ("(its last line then, in %s/logs/kafka.out: ", dir);
  static const char * const slow_jvm[] = { "LC_ALL=C.UTF-8", "LANGUAGE", "JAVA_TOOL_OPTIONS=-Xint", NULL };

  err = assert_refused (dir, (const char *[]) { "--port", "0", "--start-timeout", "1", NULL }, slow_jvm,
                        START_DEADLINE_MS,
                        (const char *[]) { " within 1 s and was stopped ", log,
                                           "start again, or give it more time with --start-timeout", NULL });
  g_assert_true (g_regex_match_simple ("co2stream-kafka: Kafka did not answer on 127\\.0\\.0\\.1:[0-9]+ within 1 s\n"
                                       "co2stream-kafka: stopping Kafka \\(pid [0-9]+\\)…\n", err, 0, 0));
}

static void
test_reset_data (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *other = co2s_test_tmpdir ();
  g_autofree char *other_data = g_build_filename (other, "data", NULL);
  g_autofree char *keep = g_build_filename (other_data, "precious.txt", NULL);
  g_autofree char *missing = g_build_filename (other, "no-such-folder", NULL);
  g_autofree char *missing_lock = g_build_filename (missing, ".lock", NULL);
  g_autofree char *topic = co2s_test_unique_topic ("local-kafka");
  g_autofree char *bootstrap = NULL;
  g_autofree char *cluster = NULL;
  g_autofree char *cluster2 = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(Co2sTestProc) first = NULL;
  g_autoptr(Co2sTestProc) reset = NULL;
  g_autoptr(Co2sTestProc) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *deleted_data = g_strdup_printf ("co2stream-kafka: deleted %s/data (", dir);
  g_autofree char *deleted_id = g_strdup_printf ("co2stream-kafka: deleted %s/cluster.id (", dir);
  g_autofree char *deleted_logs = g_strdup_printf ("co2stream-kafka: deleted %s/logs (", dir);
  g_autofree char *meta = g_build_filename (dir, "data", "meta.properties", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *id_path = g_build_filename (dir, "cluster.id", NULL);
  g_autofree char *logs = g_build_filename (dir, "logs", NULL);

  first = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  cluster = broker_cluster_id (bootstrap);
  produce (bootstrap, topic, 10);

  /* Refused while it runs; nothing deleted. */
  refused = g_strdup_printf ("co2stream-kafka: Kafka is running from %s (co2stream-kafka, pid %d): stop it first "
                             "(in the app: Stop), then reset; nothing deleted",
                             dir, (int) co2s_test_proc_get_pid (first));
  err = assert_refused (dir, (const char *[]) { "--reset-data", NULL }, NULL, REFUSE_DEADLINE_MS,
                        (const char *[]) { refused, NULL });
  g_assert_true (g_file_test (meta, G_FILE_TEST_EXISTS));
  assert_topic_holds (bootstrap, topic, 10);
  launcher_stop (first);

  reset = launcher_spawn (dir, (const char *[]) { "--reset-data", NULL }, NULL);
  g_assert_cmpint (co2s_test_proc_wait_exit (reset, REFUSE_DEADLINE_MS), ==, 0);
  g_clear_pointer (&err, g_free);
  err = co2s_test_proc_stderr_text (reset);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, deleted_data));
  g_assert_nonnull (strstr (err, deleted_id));
  g_assert_nonnull (strstr (err, deleted_logs));
  g_assert_false (g_file_test (data, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (id_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (logs, G_FILE_TEST_EXISTS));

  /* A new storage, a new cluster id. */
  g_clear_pointer (&bootstrap, g_free);
  second = launcher_start (dir, (const char *[]) { "--port", "0", NULL }, &bootstrap);
  g_clear_pointer (&err, g_free);
  err = co2s_test_proc_stderr_text (second);
  g_assert_nonnull (strstr (err, "co2stream-kafka: formatting a new Kafka storage in "));
  cluster2 = broker_cluster_id (bootstrap);
  g_assert_cmpstr (cluster2, !=, cluster);
  launcher_stop (second);

  /* A folder that is not ours is left alone; a missing one is nothing to do. */
  g_assert_cmpint (g_mkdir_with_parents (other_data, 0755), ==, 0);
  g_assert_true (g_file_set_contents (keep, "mine", -1, &error));
  g_clear_pointer (&err, g_free);
  err = assert_refused (other, (const char *[]) { "--reset-data", NULL }, NULL, REFUSE_DEADLINE_MS,
                        (const char *[]) { "does not look like a data folder of co2stream-kafka", "nothing deleted",
                                           NULL });
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < 2; i++)
    {
      /* Missing, then holding only the lock file of a start that failed
       * early (no Java, say). */
      if (i == 1)
        g_assert_true (g_file_set_contents (missing_lock, "", -1, &error));
      g_clear_pointer (&reset, co2s_test_proc_free);
      reset = launcher_spawn (missing, (const char *[]) { "--reset-data", NULL }, NULL);
      g_assert_cmpint (co2s_test_proc_wait_exit (reset, REFUSE_DEADLINE_MS), ==, 0);
      g_clear_pointer (&err, g_free);
      err = co2s_test_proc_stderr_text (reset);
      g_assert_nonnull (strstr (err, "co2stream-kafka: nothing to delete in "));
      g_clear_pointer (&out, g_free);
      out = co2s_test_proc_get_text (reset, CO2S_TEST_STDOUT);
      g_assert_cmpstr (out, ==, "");
      if (i == 0)
        g_assert_cmpint (g_mkdir (missing, 0755), ==, 0);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/local-kafka/start-stop-keeps-data", test_start_stop_keeps_data);
  g_test_add_func ("/local-kafka/sigkill-java", test_sigkill_java);
  g_test_add_func ("/local-kafka/launcher-killed", test_launcher_killed);
  g_test_add_func ("/local-kafka/port-in-use", test_port_in_use);
  g_test_add_func ("/local-kafka/java-missing", test_java_missing);
  g_test_add_func ("/local-kafka/jars-missing", test_jars_missing);
  g_test_add_func ("/local-kafka/second-launcher-same-dir", test_second_launcher_same_dir);
  g_test_add_func ("/local-kafka/corrupt-data", test_corrupt_data);
  g_test_add_func ("/local-kafka/reset-data", test_reset_data);
  g_test_add_func ("/local-kafka/start-timeout", test_start_timeout);

  return g_test_run ();
}
