/* co2s-local-kafka-storage.c — the data folder's KRaft storage: its
 * cluster id, the one-time format, and --reset-data. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#define CLUSTER_ID_LEN 22
#define OUR_PROPERTIES_HEADER "# Written by co2stream-kafka"

/* "the data folder … may be damaged; …" ends every DAMAGED message. */
static void
set_damaged (GError **error, const char *data_dir, const char *dir, const char *why)
{
  g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_DAMAGED,
               _("%s; the data folder %s may be damaged: “co2stream-kafka --data-dir %s "
                 "--reset-data” (or the app's “Reset local broker data…”) deletes it"),
               why, data_dir, dir);
}

static gboolean
set_errno_error (GError **error, const char *format, const char *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), format, path, g_strerror (saved));
  return FALSE;
}

/* A Kafka Uuid in its text form: 22 characters of base64url. */
static gboolean
cluster_id_valid (const char *id)
{
  if (id == NULL || strlen (id) != CLUSTER_ID_LEN)
    return FALSE;
  for (const char *c = id; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

/* 16 random bytes, base64url without padding, not starting with '-' (the
 * command line would take it for an option). */
static char *
new_cluster_id (void)
{
  for (;;)
    {
      guint32 bytes[4];
      g_autofree char *text = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (bytes); i++)
        bytes[i] = g_random_int ();
      text = g_base64_encode ((const guchar *) bytes, sizeof bytes);
      g_strdelimit (text, "+", '-');
      g_strdelimit (text, "/", '_');
      text[CLUSTER_ID_LEN] = '\0';
      if (text[0] != '-' && cluster_id_valid (text))
        return g_steal_pointer (&text);
    }
}

/* The value of @key in the Java properties file @path (simple "key=value"
 * lines), NULL when the file or the key is missing. */
static char *
read_property (const char *path, const char *key)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize key_len = strlen (key);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (strncmp (line, key, key_len) == 0 && line[key_len] == '=')
        return g_strdup (line + key_len + 1);
    }
  return NULL;
}

/* The content of @dir/cluster.id, NULL when missing or not an id. */
static char *
read_cluster_id (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, CO2S_LOCAL_KAFKA_CLUSTER_ID_FILE, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return cluster_id_valid (text) ? g_steal_pointer (&text) : NULL;
}

static gboolean
write_cluster_id (const char *dir, const char *id, GError **error)
{
  g_autofree char *path = g_build_filename (dir, CO2S_LOCAL_KAFKA_CLUSTER_ID_FILE, NULL);
  g_autofree char *text = g_strconcat (id, "\n", NULL);

  return g_file_set_contents (path, text, -1, error);
}

/* Deletes @path and what it holds (symlinks not followed), adding the
 * disk space it used to *@bytes. A missing @path is fine. */
static gboolean
remove_tree (const char *path, guint64 *bytes, GError **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, _("cannot read %s: %s"), path);
  *bytes += (guint64) st.st_blocks * 512;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, bytes, error))
            return FALSE;
        }
      if (g_rmdir (path) != 0)
        return set_errno_error (error, _("cannot delete %s: %s"), path);
      return TRUE;
    }
  if (g_unlink (path) != 0)
    return set_errno_error (error, _("cannot delete %s: %s"), path);
  return TRUE;
}

/* TRUE when @path is a folder with something in it. */
static gboolean
dir_has_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) != NULL;
}

/* Runs StorageTool format on @log_dirs with @cluster_id; its output goes
 * to logs/format.log. */
static gboolean
run_format (const Co2sLocalKafkaConfig *config, const char *log_dirs, const char *cluster_id,
            const Co2sJava *java, const char *classpath, const char *log4j_conf,
            const char * const *jvm_options, GError **error)
{
  g_autofree char *logs = g_build_filename (config->dir, CO2S_LOCAL_KAFKA_LOGS_SUBDIR, NULL);
  g_autofree char *log_path = g_build_filename (logs, "format.log", NULL);
  g_autofree char *props_path = g_build_filename (config->dir, "format.properties", NULL);
  g_autofree char *props = NULL;
  g_autofree char *log4j_option = g_strconcat ("-Dlog4j2.configurationFile=", log4j_conf, NULL);
  g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  Co2sLocalKafkaConfig format_config = *config;
  gboolean ok;

  format_config.log_dirs = log_dirs;
  props = co2s_local_kafka_properties (&format_config);
  if (g_mkdir_with_parents (logs, 0755) != 0)
    return set_errno_error (error, _("cannot create %s: %s"), logs);
  if (!g_file_set_contents (props_path, props, -1, error))
    return FALSE;

  g_strv_builder_add_many (argv_builder, java->path, "-Xms16m", "-Xmx128m", "-XX:+UseSerialGC",
                           "-XX:TieredStopAtLevel=1", NULL);
  if (jvm_options != NULL)
    g_strv_builder_addv (argv_builder, (const char **) jvm_options);
  g_strv_builder_add_many (argv_builder, "-Djava.awt.headless=true", log4j_option, "-cp", classpath,
                           "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", props_path,
                           NULL);
  argv = g_strv_builder_end (argv_builder);

  launcher = co2s_local_kafka_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  /* Not cancellable: a format cut short would leave half a storage; it
   * takes a few seconds. */
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &local_error);
  ok = process != NULL && g_subprocess_wait (process, NULL, &local_error) &&
       g_subprocess_get_successful (process);
  g_unlink (props_path);
  if (!ok)
    {
      g_autofree char *why = NULL;

      if (local_error != NULL)
        why = g_strdup (local_error->message);
      else
        {
          Co2sKafkaLogVerdict verdict = { 0 };

          co2s_kafka_log_read_verdict (log_path, log_dirs, &verdict);
          why = g_strdup (verdict.key_line != NULL ? verdict.key_line : "?");
          co2s_kafka_log_verdict_clear (&verdict);
        }
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_FAILED,
                   _("formatting the Kafka storage in %s failed: %s; see %s"), log_dirs, why, log_path);
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_local_kafka_format (const Co2sLocalKafkaConfig *config,
                         const Co2sJava *java,
                         const char *classpath,
                         const char *log4j_conf,
                         const char * const *jvm_options,
                         void (*on_format) (const char *cluster_id, gpointer user_data),
                         gpointer user_data,
                         GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *data_new = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *kept_id = NULL;
  g_autofree char *cluster_id = NULL;
  guint64 ignored = 0;

  g_return_val_if_fail (config != NULL && java != NULL && classpath != NULL && log4j_conf != NULL, FALSE);

  data = g_build_filename (config->dir, CO2S_LOCAL_KAFKA_DATA_SUBDIR, NULL);
  meta = g_build_filename (data, "meta.properties", NULL);
  kept_id = read_cluster_id (config->dir);

  if (g_file_test (meta, G_FILE_TEST_EXISTS))
    {
      /* Formatted once: never again. Kafka itself checks the rest. */
      g_autofree char *meta_id = read_property (meta, "cluster.id");

      if (meta_id == NULL || !cluster_id_valid (meta_id))
        return TRUE;  /* Kafka will say what is wrong with it. */
      if (kept_id == NULL)
        return write_cluster_id (config->dir, meta_id, error);
      if (strcmp (meta_id, kept_id) != 0)
        {
          g_autofree char *why = g_strdup_printf (_("%s belongs to cluster %s, but %s/cluster.id says %s"),
                                                  meta, meta_id, config->dir, kept_id);

          set_damaged (error, data, config->dir, why);
          return FALSE;
        }
      return TRUE;
    }

  if (dir_has_entries (data))
    {
      g_autofree char *why = g_strdup_printf (_("%s holds files but no meta.properties"), data);

      set_damaged (error, data, config->dir, why);
      return FALSE;
    }

  cluster_id = kept_id != NULL ? g_steal_pointer (&kept_id) : new_cluster_id ();
  if (on_format != NULL)
    on_format (cluster_id, user_data);
  if (!write_cluster_id (config->dir, cluster_id, error))
    return FALSE;

  /* Format next to it and rename: data/ is either absent or complete. */
  data_new = g_strconcat (data, ".new", NULL);
  if (!remove_tree (data_new, &ignored, error))
    return FALSE;
  if (!run_format (config, data_new, cluster_id, java, classpath, log4j_conf, jvm_options, error))
    return FALSE;
  if (g_file_test (data, G_FILE_TEST_IS_DIR) && g_rmdir (data) != 0)
    return set_errno_error (error, _("cannot replace %s: %s"), data);
  if (g_rename (data_new, data) != 0)
    return set_errno_error (error, _("cannot rename the new storage to %s: %s"), data);
  return TRUE;
}

/* ---- --reset-data ------------------------------------------------------------ */

/* TRUE when @dir has one of the files co2stream-kafka writes. */
static gboolean
looks_like_ours (const char *dir)
{
  g_autofree char *cluster_id = g_build_filename (dir, CO2S_LOCAL_KAFKA_CLUSTER_ID_FILE, NULL);
  g_autofree char *meta = g_build_filename (dir, CO2S_LOCAL_KAFKA_DATA_SUBDIR, "meta.properties", NULL);
  g_autofree char *props_path = g_build_filename (dir, CO2S_LOCAL_KAFKA_PROPERTIES_FILE, NULL);
  g_autofree char *props = NULL;

  if (g_file_test (cluster_id, G_FILE_TEST_EXISTS) || g_file_test (meta, G_FILE_TEST_EXISTS))
    return TRUE;
  return g_file_get_contents (props_path, &props, NULL, NULL) &&
         g_str_has_prefix (props, OUR_PROPERTIES_HEADER);
}

/* TRUE when one of the @n @names exists in @dir. */
static gboolean
has_any (const char *dir, const char * const *names, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        return TRUE;
    }
  return FALSE;
}

gboolean
co2s_local_kafka_reset (const char *dir, guint stop_timeout_ms, GStrv *report, GError **error)
{
  static const char * const names[] = {
    CO2S_LOCAL_KAFKA_DATA_SUBDIR, CO2S_LOCAL_KAFKA_DATA_SUBDIR ".new",
    CO2S_LOCAL_KAFKA_CLUSTER_ID_FILE, CO2S_LOCAL_KAFKA_LOGS_SUBDIR, CO2S_LOCAL_KAFKA_PID_FILE,
  };
  g_autoptr(Co2sLocalKafkaLock) lock = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_autoptr(GError) local_error = NULL;
  GPid holder = 0;
  GPid stale;

  g_return_val_if_fail (dir != NULL && report != NULL, FALSE);

  *report = NULL;
  if (!has_any (dir, names, G_N_ELEMENTS (names)))
    {
      /* Nothing of ours (a folder never started, or already reset). */
      *report = g_strv_builder_end (lines);
      return TRUE;
    }
  if (!looks_like_ours (dir))
    {
      g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_DAMAGED,
                   _("%s does not look like a data folder of co2stream-kafka (no cluster.id, "
                     "data/meta.properties or server.properties of ours): nothing deleted"), dir);
      return FALSE;
    }

  lock = co2s_local_kafka_lock_acquire (dir, &holder, &local_error);
  if (lock == NULL)
    {
      if (!g_error_matches (local_error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_LOCKED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (holder > 0)
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_LOCKED,
                     _("Kafka is running from %s (co2stream-kafka, pid %d): stop it first (in the "
                       "app: Stop), then reset; nothing deleted"), dir, (int) holder);
      else
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_LOCKED,
                     _("Kafka is running from %s: stop it first (in the app: Stop), then reset; "
                       "nothing deleted"), dir);
      return FALSE;
    }

  stale = co2s_local_kafka_find_stale (dir);
  if (stale > 0)
    {
      if (!co2s_local_kafka_terminate_pid (stale, stop_timeout_ms, NULL, error))
        return FALSE;
      co2s_strv_builder_take (lines, g_strdup_printf (_("stopped the Kafka of an earlier run (pid %d)"),
                                                   (int) stale));
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *size = NULL;
      guint64 bytes = 0;

      if (!g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (!remove_tree (path, &bytes, error))
        return FALSE;
      size = g_format_size (bytes);
      /* Translators: one deleted item of --reset-data: a path and its size on disk */
      co2s_strv_builder_take (lines, g_strdup_printf (_("deleted %s (%s)"), path, size));
    }
  *report = g_strv_builder_end (lines);
  return TRUE;
}
