/* co2s-local-kafka-start.c — everything before the JVM of Kafka starts,
 * in order, and that JVM's command line. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <glib/gi18n.h>

void
co2s_local_kafka_say (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (format != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* The same "PROGRAM: MESSAGE" as the errors of every program. */
  g_printerr (_("%s: %s\n"), g_get_prgname () ? g_get_prgname () : "co2stream-kafka", message);
}

void
co2s_local_kafka_plan_clear (Co2sLocalKafkaPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->java, co2s_java_free);
  g_clear_pointer (&plan->classpath, g_free);
  g_clear_pointer (&plan->log4j_conf, g_free);
  g_clear_pointer (&plan->cds_options, g_strfreev);
  g_clear_pointer (&plan->cds_tmp, g_free);
}

static void
on_fetch (gpointer user_data)
{
  co2s_local_kafka_say (_("fetching Apache Kafka %s with Maven (once, ~60 MB)…"), CO2S_LOCAL_KAFKA_VERSION);
}

char *
co2s_local_kafka_fetch_classpath (const char *cache_dir, const char *pom,
                                  GCancellable *cancellable, GError **error)
{
  return co2s_local_kafka_resolve_classpath (cache_dir, pom, on_fetch, NULL, cancellable, error);
}

static void
on_format (const char *cluster_id, gpointer user_data)
{
  const char *data = user_data;

  co2s_local_kafka_say (_("formatting a new Kafka storage in %s (cluster id %s)…"), data, cluster_id);
}

gboolean
co2s_local_kafka_prepare (Co2sLocalKafkaPlan *plan, GCancellable *cancellable, GError **error)
{
  g_autofree char *pom = NULL;
  g_autofree char *data = NULL;
  g_autofree char *properties = NULL;
  g_autofree char *properties_path = NULL;
  g_auto(GStrv) format_cds = NULL;
  Co2sLocalKafkaConfig config = { 0 };
  GPid stale;

  g_return_val_if_fail (plan != NULL && plan->dir != NULL && plan->cache_dir != NULL, FALSE);

  /* A JVM of an earlier launcher holds the ports and the storage. */
  stale = co2s_local_kafka_find_stale (plan->dir);
  if (stale > 0)
    {
      co2s_local_kafka_say (_("a Kafka of an earlier run (pid %d) still runs from %s: stopping it…"),
                            (int) stale, plan->dir);
      if (!co2s_local_kafka_terminate_pid (stale, plan->stop_timeout_ms, cancellable, error))
        return FALSE;
    }

  if (!co2s_local_kafka_check_port (&plan->port, plan->controller_port, "--port", error) ||
      !co2s_local_kafka_check_port (&plan->controller_port, plan->port, "--controller-port", error))
    return FALSE;

  plan->java = co2s_java_find (error);
  if (plan->java == NULL)
    return FALSE;
  pom = co2s_local_kafka_find_resource ("pom.xml", error);
  if (pom == NULL)
    return FALSE;
  plan->log4j_conf = co2s_local_kafka_find_resource ("log4j2.properties", error);
  if (plan->log4j_conf == NULL)
    return FALSE;
  plan->classpath = co2s_local_kafka_fetch_classpath (plan->cache_dir, pom, cancellable, error);
  if (plan->classpath == NULL)
    return FALSE;

  /* The class-data archive: used by the format when there is one, written
   * by Kafka's JVM at its exit when there is none. */
  format_cds = co2s_local_kafka_cds_options (plan->cache_dir, plan->java, plan->classpath, NULL);
  plan->cds_options = co2s_local_kafka_cds_options (plan->cache_dir, plan->java, plan->classpath,
                                                    &plan->cds_tmp);

  data = g_build_filename (plan->dir, CO2S_LOCAL_KAFKA_DATA_SUBDIR, NULL);
  config.dir = plan->dir;
  config.port = plan->port;
  config.controller_port = plan->controller_port;
  config.retention_bytes = plan->retention_bytes;
  if (!co2s_local_kafka_format (&config, plan->java, plan->classpath, plan->log4j_conf,
                                (const char * const *) format_cds, on_format, data, error))
    return FALSE;

  properties = co2s_local_kafka_properties (&config);
  properties_path = g_build_filename (plan->dir, CO2S_LOCAL_KAFKA_PROPERTIES_FILE, NULL);
  return g_file_set_contents (properties_path, properties, -1, error);
}

GStrv
co2s_local_kafka_java_argv (const Co2sLocalKafkaPlan *plan, guint heap_max_mb)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autofree char *properties = NULL;
  g_autofree char *logs = NULL;

  g_return_val_if_fail (plan != NULL && plan->java != NULL && plan->classpath != NULL, NULL);

  properties = g_build_filename (plan->dir, CO2S_LOCAL_KAFKA_PROPERTIES_FILE, NULL);
  logs = g_build_filename (plan->dir, CO2S_LOCAL_KAFKA_LOGS_SUBDIR, NULL);
  g_strv_builder_add (argv, plan->java->path);
  /* A small heap that grows on demand, one-thread collector, client
   * compiler only (C1): about half the resident memory and start-up time
   * of the defaults, and as fast for a single local client (README). */
  g_strv_builder_add (argv, "-Xms32m");
  co2s_strv_builder_take (argv, g_strdup_printf ("-Xmx%um", heap_max_mb));
  g_strv_builder_add_many (argv, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                           "-XX:+ExitOnOutOfMemoryError", NULL);
  co2s_strv_builder_take (argv, g_strconcat ("-XX:ErrorFile=", logs, "/hs_err_pid%p.log", NULL));
  if (plan->cds_options != NULL)
    g_strv_builder_addv (argv, (const char **) plan->cds_options);
  g_strv_builder_add (argv, "-Djava.awt.headless=true");
  co2s_strv_builder_take (argv, g_strconcat ("-Dlog4j2.configurationFile=", plan->log4j_conf, NULL));
  co2s_strv_builder_take (argv, g_strconcat ("-Dkafka.logs.dir=", logs, NULL));
  g_strv_builder_add_many (argv, "-cp", plan->classpath, "kafka.Kafka", properties, NULL);
  return g_strv_builder_end (argv);
}
