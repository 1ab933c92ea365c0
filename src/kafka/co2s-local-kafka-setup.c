/* co2s-local-kafka-setup.c — what co2stream-kafka needs before a data
 * folder: Java, its data files, the jars (cached classpath, Maven fetch)
 * and the JVM's class-data archive. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "co2s-i18n.h"

#define CACHE_LOCK_PAUSE_US (100 * 1000)

G_DEFINE_QUARK (co2s-local-kafka-error-quark, co2s_local_kafka_error)

/* ---- launcher ---------------------------------------------------------------- */

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

GSubprocessLauncher *
co2s_local_kafka_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* Java decodes file names with the locale's charset: under a non-UTF-8
   * locale (C, POSIX) it could not open a data folder named in UTF-8. */
  if (!g_get_charset (NULL))
    g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER ((int) getpid ()), NULL);
  return launcher;
}

/* ---- Java -------------------------------------------------------------------- */

void
co2s_java_free (Co2sJava *java)
{
  if (java == NULL)
    return;
  g_free (java->path);
  g_free (java->version);
  g_free (java);
}

/* The major version of a java -version string: "17.0.15" → 17,
 * "1.8.0_392" → 8; 0 when unreadable. */
static int
java_major (const char *version)
{
  guint64 first = 0, second = 0;
  g_auto(GStrv) parts = g_strsplit_set (version, "._-+", 3);

  if (parts[0] == NULL || !g_ascii_string_to_unsigned (parts[0], 10, 1, 1000, &first, NULL))
    return 0;
  if (first == 1 && parts[1] != NULL &&
      g_ascii_string_to_unsigned (parts[1], 10, 1, 1000, &second, NULL))
    return (int) second;
  return (int) first;
}

/* Runs `@path -version` and returns the quoted version of its first line
 * ("17.0.15"), or NULL with @error. */
static char *
java_version (const char *path, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *out = NULL;

  launcher = co2s_local_kafka_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_MERGE);
  /* A JAVA_TOOL_OPTIONS banner would come first; the regex skips it. */
  process = g_subprocess_launcher_spawn (launcher, error, path, "-version", NULL);
  if (process == NULL)
    return NULL;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return NULL;

  regex = g_regex_new ("version \"([^\"]+)\"", 0, 0, NULL);
  if (out == NULL || !g_regex_match (regex, out, 0, &match))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                   out != NULL && *out != '\0' ? g_strstrip (out) : "no output");
      return NULL;
    }
  return g_match_info_fetch (match, 1);
}

Co2sJava *
co2s_java_find (GError **error)
{
  const char *home = g_getenv ("JAVA_HOME");
  g_autofree char *from_home = NULL;
  g_autofree char *path = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GError) local_error = NULL;
  Co2sJava *java;

  if (home != NULL && *home != '\0')
    {
      from_home = g_build_filename (home, "bin", "java", NULL);
      if (g_file_test (from_home, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (from_home, G_FILE_TEST_IS_DIR))
        path = g_steal_pointer (&from_home);
    }
  if (path == NULL)
    path = g_find_program_in_path ("java");
  if (path == NULL)
    {
      if (home != NULL && *home != '\0')
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_JAVA,
                     _("no Java found (JAVA_HOME=%s has no bin/java, and there is no java on PATH): "
                       "install a Java 17+ runtime (Debian: apt-get install default-jre-headless) "
                       "or set JAVA_HOME"), home);
      else
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_JAVA, "%s",
                     _("no Java found (JAVA_HOME is not set, and there is no java on PATH): "
                       "install a Java 17+ runtime (Debian: apt-get install default-jre-headless) "
                       "or set JAVA_HOME"));
      return NULL;
    }

  version = java_version (path, &local_error);
  if (version == NULL)
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_JAVA,
                   _("cannot run “%s -version” (%s): install a Java 17+ runtime "
                     "(Debian: apt-get install default-jre-headless) or set JAVA_HOME"),
                   path, local_error->message);
      return NULL;
    }
  if (java_major (version) < CO2S_LOCAL_KAFKA_JAVA_MIN)
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_JAVA,
                   _("%s is Java %s, but Apache Kafka %s needs Java 17 or later: install a Java 17+ "
                     "runtime (Debian: apt-get install default-jre-headless) or set JAVA_HOME"),
                   path, version, CO2S_LOCAL_KAFKA_VERSION);
      return NULL;
    }

  java = g_new0 (Co2sJava, 1);
  java->path = g_steal_pointer (&path);
  java->major = java_major (version);
  java->version = g_steal_pointer (&version);
  return java;
}

/* ---- data files -------------------------------------------------------------- */

char *
co2s_local_kafka_default_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "co2stream",
                           "kafka-" CO2S_LOCAL_KAFKA_VERSION, NULL);
}

char *
co2s_local_kafka_find_resource (const char *name, GError **error)
{
  /* CO2S_KAFKA_DATADIR: an installed tree moved elsewhere (a DESTDIR, a
   * relocated prefix), like CO2S_LOCALEDIR for the translations. */
  const char *dir = g_getenv ("CO2S_KAFKA_DATADIR");
  g_autofree char *path = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (dir == NULL || dir[0] == '\0')
    dir = co2s_is_uninstalled () ? CO2S_SOURCE_ROOT "/resources/kafka" : CO2S_KAFKA_DATADIR;
  path = g_build_filename (dir, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_FAILED,
                   _("%s is missing (a data file of co2stream-kafka): reinstall co2stream"), path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* ---- the jars ---------------------------------------------------------------- */

static char *
file_sha256 (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

char *
co2s_local_kafka_cached_classpath (const char *cache_dir, const char *pom, GError **error)
{
  g_autofree char *cp_path = g_build_filename (cache_dir, "classpath.txt", NULL);
  g_autofree char *stamp_path = g_build_filename (cache_dir, "pom.sha256", NULL);
  g_autofree char *classpath = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) jars = NULL;

  g_return_val_if_fail (cache_dir != NULL && pom != NULL, NULL);

  expected = file_sha256 (pom, error);
  if (expected == NULL)
    return NULL;
  if (!g_file_get_contents (cp_path, &classpath, NULL, NULL) || *g_strstrip (classpath) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no jar list in %s"), cache_dir);
      return NULL;
    }
  if (!g_file_get_contents (stamp_path, &stamp, NULL, NULL) ||
      g_strcmp0 (g_strstrip (stamp), expected) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("the jar list in %s is for another pom.xml"), cache_dir);
      return NULL;
    }
  jars = g_strsplit (classpath, ":", -1);
  for (guint i = 0; jars[i] != NULL; i++)
    if (!g_file_test (jars[i], G_FILE_TEST_IS_REGULAR))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s is gone"), jars[i]);
        return NULL;
      }
  return g_steal_pointer (&classpath);
}

/* Opens and locks @cache_dir/lock (the lock tests/kafka-broker.sh takes
 * with flock(1)), waiting for another fetch to end. Returns the fd, or -1
 * with @error. */
static int
lock_cache (const char *cache_dir, GCancellable *cancellable, GError **error)
{
  g_autofree char *path = g_build_filename (cache_dir, "lock", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot open %s: %s"),
                   path, g_strerror (saved));
      return -1;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot lock %s: %s"),
                       path, g_strerror (saved));
          close (fd);
          return -1;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return -1;
        }
      g_usleep (CACHE_LOCK_PAUSE_US);
    }
  return fd;
}

/* The last "[ERROR] …" line of Maven's log, else its last line. */
static char *
maven_error_line (const char *log_path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *last = NULL;
  const char *last_error = NULL;

  if (!g_file_get_contents (log_path, &text, NULL, NULL))
    return g_strdup ("?");
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      last = line;
      /* "[ERROR] " alone, or the "re-run with -e" advice, says nothing. */
      if (g_str_has_prefix (line, "[ERROR] ") && strlen (line) > 20 &&
          strstr (line, "-e switch") == NULL && strstr (line, "Re-run Maven") == NULL &&
          strstr (line, "full stack trace") == NULL && strstr (line, "For more information") == NULL &&
          last_error == NULL)
        last_error = line;
    }
  return g_strdup (last_error != NULL ? last_error : last != NULL ? last : "?");
}

static gboolean
run_maven (const char *mvn, const char *cache_dir, const char *pom,
           GCancellable *cancellable, GError **error)
{
  g_autofree char *log_path = g_build_filename (cache_dir, "mvn.log", NULL);
  g_autofree char *out_path = g_build_filename (cache_dir, "classpath.txt.new", NULL);
  g_autofree char *cp_path = g_build_filename (cache_dir, "classpath.txt", NULL);
  g_autofree char *stamp_path = g_build_filename (cache_dir, "pom.sha256", NULL);
  g_autofree char *output_option = g_strconcat ("-Dmdep.outputFile=", out_path, NULL);
  g_autofree char *stamp = NULL;
  g_autofree char *stamp_line = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *argv[] = {
    mvn, "-q", "-B", "-Dstyle.color=never", "-f", pom, "dependency:build-classpath",
    "-Dmdep.includeScope=runtime", output_option, NULL
  };

  g_unlink (out_path);
  launcher = co2s_local_kafka_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  process = g_subprocess_launcher_spawnv (launcher, argv, &local_error);
  if (process == NULL)
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_FETCH,
                   _("cannot run Maven (%s): %s"), mvn, local_error->message);
      return FALSE;
    }
  if (!g_subprocess_wait (process, cancellable, &local_error))
    {
      /* Cancelled: Maven is a JVM, it ends on SIGTERM. */
      g_subprocess_send_signal (process, SIGTERM);
      g_subprocess_wait (process, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!g_subprocess_get_successful (process) ||
      !g_file_test (out_path, G_FILE_TEST_IS_REGULAR))
    {
      why = maven_error_line (log_path);
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_FETCH,
                   _("Maven could not fetch Apache Kafka %s (no network to Maven Central?): %s; "
                     "see %s"), CO2S_LOCAL_KAFKA_VERSION, why, log_path);
      return FALSE;
    }

  stamp = file_sha256 (pom, error);
  if (stamp == NULL)
    return FALSE;
  stamp_line = g_strconcat (stamp, "\n", NULL);
  if (g_rename (out_path, cp_path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot write %s: %s"),
                   cp_path, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents (stamp_path, stamp_line, -1, error);
}

char *
co2s_local_kafka_resolve_classpath (const char *cache_dir,
                                    const char *pom,
                                    void (*on_fetch) (gpointer user_data),
                                    gpointer user_data,
                                    GCancellable *cancellable,
                                    GError **error)
{
  g_autoptr(GError) missing = NULL;
  g_autofree char *mvn = NULL;
  char *classpath;
  int fd;

  g_return_val_if_fail (cache_dir != NULL && pom != NULL, NULL);

  classpath = co2s_local_kafka_cached_classpath (cache_dir, pom, &missing);
  if (classpath != NULL || !g_error_matches (missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (classpath == NULL)
        g_propagate_error (error, g_steal_pointer (&missing));
      return classpath;
    }

  mvn = g_find_program_in_path ("mvn");
  if (mvn == NULL)
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_JARS,
                   _("the jars of Apache Kafka %s are missing (%s): run scripts/setup.sh "
                     "(it fetches them with Maven), or install Maven (Debian: apt-get install maven) "
                     "and start again"), CO2S_LOCAL_KAFKA_VERSION, missing->message);
      return NULL;
    }

  if (g_mkdir_with_parents (cache_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot create the cache folder %s: %s"), cache_dir, g_strerror (saved));
      return NULL;
    }
  fd = lock_cache (cache_dir, cancellable, error);
  if (fd < 0)
    return NULL;

  /* Another process may have fetched them while we waited. */
  g_clear_error (&missing);
  classpath = co2s_local_kafka_cached_classpath (cache_dir, pom, &missing);
  if (classpath == NULL)
    {
      if (on_fetch != NULL)
        on_fetch (user_data);
      if (run_maven (mvn, cache_dir, pom, cancellable, error))
        classpath = co2s_local_kafka_cached_classpath (cache_dir, pom, error);
    }
  close (fd);
  return classpath;
}

/* ---- class-data archive ------------------------------------------------------- */

GStrv
co2s_local_kafka_cds_options (const char *cache_dir,
                              const Co2sJava *java,
                              const char *classpath,
                              char **archive_tmp)
{
  g_autoptr(GStrvBuilder) options = g_strv_builder_new ();
  g_autofree char *key = g_strjoin ("\n", java->path, java->version, classpath, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strdup_printf ("cds-%.16s.jsa", hash);
  g_autofree char *archive = g_build_filename (cache_dir, name, NULL);

  g_return_val_if_fail (cache_dir != NULL && java != NULL && classpath != NULL, NULL);

  if (archive_tmp != NULL)
    *archive_tmp = NULL;
  /* A stale or foreign archive is no error: the JVM then starts without
   * it (-Xshare:auto, the default). */
  if (g_file_test (archive, G_FILE_TEST_IS_REGULAR))
    {
      co2s_strv_builder_take (options, g_strconcat ("-XX:SharedArchiveFile=", archive, NULL));
    }
  else if (archive_tmp != NULL)
    {
      *archive_tmp = g_strdup_printf ("%s.%d.tmp", archive, (int) getpid ());
      co2s_strv_builder_take (options, g_strconcat ("-XX:ArchiveClassesAtExit=", *archive_tmp, NULL));
    }
  return g_strv_builder_end (options);
}

void
co2s_local_kafka_cds_commit (const char *archive_tmp, gboolean clean)
{
  g_autofree char *archive = NULL;

  if (archive_tmp == NULL)
    return;
  /* archive_tmp is "<archive>.<pid>.tmp". */
  g_return_if_fail (g_str_has_suffix (archive_tmp, ".tmp"));
  archive = g_strndup (archive_tmp, strlen (archive_tmp) - strlen (".tmp"));
  *strrchr (archive, '.') = '\0';
  if (clean && g_file_test (archive_tmp, G_FILE_TEST_IS_REGULAR) && g_rename (archive_tmp, archive) == 0)
    {
      g_debug ("class-data archive %s written", archive);
      return;
    }
  g_unlink (archive_tmp);
}
