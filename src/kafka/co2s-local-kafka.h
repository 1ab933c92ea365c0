/* co2s-local-kafka.h — the pieces of co2stream-kafka, a durable single-node
 * Apache Kafka (KRaft, broker and controller in one JVM) on loopback:
 *
 *   start  (co2s-local-kafka-start.c)  the steps before Kafka's JVM starts,
 *          in order, and its command line; the progress lines;
 *   setup  (co2s-local-kafka-setup.c)  Java discovery and version check, the
 *          data files (pom.xml, log4j2.properties), the jars' classpath
 *          cache and its fetch with Maven, the JVM's class-data archive;
 *   dir    (co2s-local-kafka-dir.c)    the data folder's lock and pid files,
 *          a Kafka left running by an earlier launcher, ports, properties;
 *   storage (co2s-local-kafka-storage.c) cluster id, the one-time storage
 *          format, --reset-data;
 *   log    (co2s-local-kafka-log.c)    reading kafka.out for the reason of
 *          a failure;
 *   probe  (co2s-local-kafka-probe.c)  the readiness probe (a METADATA
 *          request through librdkafka).
 *
 * Every error these set is one translated line for the user (what, where,
 * and the way out), in the CO2S_LOCAL_KAFKA_ERROR domain unless said
 * otherwise. Functions block unless said otherwise; they may run in any
 * thread unless said otherwise, but see co2s_local_kafka_launcher_new for
 * the thread that spawns long-lived children. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The Kafka release the pom resolves (resources/kafka/pom.xml). */
#define CO2S_LOCAL_KAFKA_VERSION "4.1.1"
/* The oldest Java it runs on. */
#define CO2S_LOCAL_KAFKA_JAVA_MIN 17

/* Names inside the data folder. */
#define CO2S_LOCAL_KAFKA_LOCK_FILE ".lock"
#define CO2S_LOCAL_KAFKA_PID_FILE "kafka.pid"
#define CO2S_LOCAL_KAFKA_PROPERTIES_FILE "server.properties"
#define CO2S_LOCAL_KAFKA_CLUSTER_ID_FILE "cluster.id"
#define CO2S_LOCAL_KAFKA_DATA_SUBDIR "data"
#define CO2S_LOCAL_KAFKA_LOGS_SUBDIR "logs"
#define CO2S_LOCAL_KAFKA_OUT_FILE "kafka.out"

#define CO2S_LOCAL_KAFKA_ERROR (co2s_local_kafka_error_quark ())

typedef enum {
  CO2S_LOCAL_KAFKA_ERROR_JAVA,      /* no Java, or older than 17 */
  CO2S_LOCAL_KAFKA_ERROR_JARS,      /* jars missing and not fetchable here */
  CO2S_LOCAL_KAFKA_ERROR_FETCH,     /* Maven ran and failed */
  CO2S_LOCAL_KAFKA_ERROR_PORT,      /* a port is taken */
  CO2S_LOCAL_KAFKA_ERROR_LOCKED,    /* another launcher holds the data folder */
  CO2S_LOCAL_KAFKA_ERROR_DAMAGED,   /* the data folder cannot be used as it is */
  CO2S_LOCAL_KAFKA_ERROR_FAILED,    /* anything else */
} Co2sLocalKafkaError;

GQuark co2s_local_kafka_error_quark (void);

/* g_strv_builder_add, then g_free (@text): GLib 2.74 has no _take. */
static inline void
co2s_strv_builder_take (GStrvBuilder *builder, char *text)
{
  g_strv_builder_add (builder, text);
  g_free (text);
}

/* Prints "co2stream-kafka: MESSAGE" (printf-style @format, given
 * translated) on stderr: one progress or error line. Any thread. */
void co2s_local_kafka_say (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);

/* ---- start ------------------------------------------------------------------ */

typedef struct {
  char *path;      /* absolute path of the java program */
  char *version;   /* "17.0.15" */
  int major;       /* 17 */
} Co2sJava;

typedef struct {
  /* in (owned by the caller) */
  const char *dir;           /* the data folder, absolute, locked */
  const char *cache_dir;     /* the jars' cache */
  gint64 retention_bytes;
  guint stop_timeout_ms;     /* for a Kafka left running by an earlier run */
  /* in and out: 0 in means a free port, chosen here */
  guint16 port;
  guint16 controller_port;
  /* out (freed by co2s_local_kafka_plan_clear) */
  Co2sJava *java;
  char *classpath;
  char *log4j_conf;
  GStrv cds_options;         /* class-data archive options of Kafka's JVM */
  char *cds_tmp;             /* the archive it writes at exit, or NULL */
} Co2sLocalKafkaPlan;

/* The steps before Kafka starts, each failing with its own message: ends
 * a Kafka left running from @plan->dir (saying so), checks or picks the
 * ports, finds Java, the data files and the jars (fetching them with
 * Maven if needed, saying so), formats the storage once (saying so) and
 * writes server.properties. @cancellable stops a wait for an old Kafka or
 * for Maven (G_IO_ERROR_CANCELLED); a format runs to its end. Meant for a
 * worker thread. */
gboolean co2s_local_kafka_prepare (Co2sLocalKafkaPlan *plan,
                                   GCancellable *cancellable,
                                   GError **error);
void co2s_local_kafka_plan_clear (Co2sLocalKafkaPlan *plan);

/* co2s_local_kafka_resolve_classpath, saying "fetching Apache Kafka …
 * with Maven" first when it must. */
char *co2s_local_kafka_fetch_classpath (const char *cache_dir,
                                        const char *pom,
                                        GCancellable *cancellable,
                                        GError **error);

/* The command line of Kafka's JVM for a prepared @plan, with a heap of at
 * most @heap_max_mb. Free with g_strfreev. */
GStrv co2s_local_kafka_java_argv (const Co2sLocalKafkaPlan *plan,
                                  guint heap_max_mb);

/* ---- setup ------------------------------------------------------------------ */

/* The java of $JAVA_HOME/bin when that is an executable file, else the
 * first java on PATH; runs it with -version and checks it is Java 17 or
 * later. CO2S_LOCAL_KAFKA_ERROR_JAVA says what was looked at and how to
 * install one. */
Co2sJava *co2s_java_find (GError **error);
void co2s_java_free (Co2sJava *java);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sJava, co2s_java_free)

/* ${XDG_CACHE_HOME:-~/.cache}/co2stream/kafka-4.1.1, shared with
 * tests/kafka-broker.sh. Free with g_free. */
char *co2s_local_kafka_default_cache_dir (void);

/* The path of the data file @name ("pom.xml", "log4j2.properties"): in
 * the source tree's resources/kafka when this program runs uninstalled,
 * else in <datadir>/co2stream/kafka. NULL with an error naming the folder
 * when it is not there. Free with g_free. */
char *co2s_local_kafka_find_resource (const char *name, GError **error);

/* The cached classpath of @pom in @cache_dir (classpath.txt, valid when
 * pom.sha256 matches @pom and every jar exists), or NULL with
 * G_IO_ERROR_NOT_FOUND (message: what is missing) when it must be
 * fetched. Free with g_free. */
char *co2s_local_kafka_cached_classpath (const char *cache_dir,
                                         const char *pom,
                                         GError **error);

/* The classpath, fetched with Maven first (under the cache's lock, shared
 * with tests/kafka-broker.sh) when the cache does not hold it. Before Maven
 * runs, @on_fetch (@user_data) is called (may be NULL): the caller says
 * what is going on. Without mvn on PATH: CO2S_LOCAL_KAFKA_ERROR_JARS; when
 * Maven fails: CO2S_LOCAL_KAFKA_ERROR_FETCH naming its log;
 * G_IO_ERROR_CANCELLED when @cancellable fires (Maven is stopped). Free
 * with g_free. */
char *co2s_local_kafka_resolve_classpath (const char *cache_dir,
                                          const char *pom,
                                          void (*on_fetch) (gpointer user_data),
                                          gpointer user_data,
                                          GCancellable *cancellable,
                                          GError **error);

/* The JVM's class-data archive for @java and @classpath in @cache_dir
 * (file name from a hash of both). When it exists: the options that use it
 * (*@archive_tmp NULL). When not and @archive_tmp is not NULL: the options
 * that write it at exit into a temporary file, returned in *@archive_tmp,
 * which co2s_local_kafka_cds_commit moves into place after a clean exit;
 * else none. Returns a NULL-terminated array to append to the JVM's
 * options. */
GStrv co2s_local_kafka_cds_options (const char *cache_dir,
                                    const Co2sJava *java,
                                    const char *classpath,
                                    char **archive_tmp);

/* After the JVM that got @archive_tmp exited: when @clean and the file is
 * there, it becomes the archive; otherwise it is deleted. NULL is fine. */
void co2s_local_kafka_cds_commit (const char *archive_tmp,
                                  gboolean clean);

/* A launcher with @flags whose children get PR_SET_PDEATHSIG(SIGTERM), so
 * they end when this process dies, even by SIGKILL, and LC_ALL=C.UTF-8
 * when this process's locale is not UTF-8 (Java could not open UTF-8 file
 * names). The kernel ties that
 * signal to the spawning thread: spawn long-lived children from the main
 * thread only; a worker thread may spawn a child it waits for. */
GSubprocessLauncher *co2s_local_kafka_launcher_new (GSubprocessFlags flags);

/* ---- dir, storage ----------------------------------------------------------- */

typedef struct _Co2sLocalKafkaLock Co2sLocalKafkaLock;

/* Creates @dir if needed and takes an exclusive flock on @dir/.lock
 * without waiting, writing this process's pid into it; the lock lasts
 * until co2s_local_kafka_lock_free or this process ends (however).
 * CO2S_LOCAL_KAFKA_ERROR_LOCKED names the holder's pid, also stored in
 * *@holder (may be NULL; 0 when unknown). */
Co2sLocalKafkaLock *co2s_local_kafka_lock_acquire (const char *dir,
                                                   GPid *holder,
                                                   GError **error);
void co2s_local_kafka_lock_free (Co2sLocalKafkaLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sLocalKafkaLock, co2s_local_kafka_lock_free)

/* The pid of a Kafka still running from @dir (the pid in @dir/kafka.pid,
 * alive, with @dir/server.properties on its command line), or 0. */
GPid co2s_local_kafka_find_stale (const char *dir);

/* Ends process @pid (not a child of ours): SIGTERM, up to @timeout_ms,
 * then SIGKILL. FALSE with G_IO_ERROR_CANCELLED when @cancellable fires
 * first, or an error when it survives SIGKILL. */
gboolean co2s_local_kafka_terminate_pid (GPid pid,
                                         guint timeout_ms,
                                         GCancellable *cancellable,
                                         GError **error);

/* Writes @dir/kafka.pid (@pid > 0) or deletes it (@pid 0). */
gboolean co2s_local_kafka_write_pid (const char *dir,
                                     GPid pid,
                                     GError **error);

/* *@port when it is free on 127.0.0.1 (it is bound and released), or a
 * free port the kernel picks when *@port is 0 (never @avoid). @option
 * ("--port") is named in the CO2S_LOCAL_KAFKA_ERROR_PORT message. */
gboolean co2s_local_kafka_check_port (guint16 *port,
                                      guint16 avoid,
                                      const char *option,
                                      GError **error);

typedef struct {
  const char *dir;          /* the data folder, absolute */
  const char *log_dirs;     /* log.dirs; NULL: dir/data */
  guint16 port;             /* PLAINTEXT listener on 127.0.0.1 */
  guint16 controller_port;  /* CONTROLLER listener on 127.0.0.1 */
  gint64 retention_bytes;   /* log.retention.bytes per partition */
} Co2sLocalKafkaConfig;

/* log.segment.bytes for @retention_bytes: an eighth of it, within
 * 1 MiB … 256 MiB. */
gint64 co2s_local_kafka_segment_bytes (gint64 retention_bytes);

/* The text of server.properties for @config. Free with g_free. */
char *co2s_local_kafka_properties (const Co2sLocalKafkaConfig *config);

/* Makes @config->dir/data a formatted KRaft storage, once: when
 * data/meta.properties exists, only checks that its cluster.id matches
 * @dir/cluster.id (and writes cluster.id when missing); else formats a
 * new storage (in data.new, renamed when complete) with the cluster id of
 * @dir/cluster.id, a new one when that file is missing, and calls
 * @on_format (@cluster_id, @user_data) first. A data folder that holds
 * files but no meta.properties, or another cluster's, is
 * CO2S_LOCAL_KAFKA_ERROR_DAMAGED. @jvm_options are the format JVM's extra
 * options (NULL-terminated, may be NULL). */
gboolean co2s_local_kafka_format (const Co2sLocalKafkaConfig *config,
                                  const Co2sJava *java,
                                  const char *classpath,
                                  const char *log4j_conf,
                                  const char * const *jvm_options,
                                  void (*on_format) (const char *cluster_id,
                                                     gpointer user_data),
                                  gpointer user_data,
                                  GError **error);

/* --reset-data: unless a launcher holds @dir's lock (then
 * CO2S_LOCAL_KAFKA_ERROR_LOCKED), ends a Kafka left running from @dir and
 * deletes @dir/data, @dir/cluster.id, @dir/logs and @dir/kafka.pid. A
 * folder without any of them (missing, never started, reset already) is
 * nothing to do; one with some of them that does not look like one of
 * ours (no cluster.id, data/meta.properties or server.properties written
 * by us) is refused (CO2S_LOCAL_KAFKA_ERROR_DAMAGED). *@report gets one
 * translated line per deleted item ("…/data (12.3 MB)"), or an empty
 * array. */
gboolean co2s_local_kafka_reset (const char *dir,
                                 guint stop_timeout_ms,
                                 GStrv *report,
                                 GError **error);

/* ---- log -------------------------------------------------------------------- */

typedef struct {
  char *key_line;      /* the line that says why, shortened; NULL if none */
  gboolean damaged;    /* it points at the data folder */
  gboolean port_taken; /* "Address already in use" */
} Co2sKafkaLogVerdict;

/* Reads @out_path (kafka.out of one run) and finds why Kafka stopped: the
 * exception after the first ERROR line, else that ERROR line, else the
 * last line that is not part of a stack trace. @data_dir (the log.dirs
 * folder) mentioned there, or a known storage error, makes it damaged. */
void co2s_kafka_log_read_verdict (const char *out_path,
                                  const char *data_dir,
                                  Co2sKafkaLogVerdict *verdict);
void co2s_kafka_log_verdict_clear (Co2sKafkaLogVerdict *verdict);

/* The last line of @out_path worth showing (no stack-trace line), shortened
 * ("[date] INFO " and the logger name dropped); NULL if none. */
char *co2s_kafka_log_last_line (const char *out_path);

/* Shortens one Kafka log line for a status row: drops the "[date] LEVEL "
 * prefix, the trailing " (logger)" and Java package names before an
 * exception class. Free with g_free. */
char *co2s_kafka_log_shorten (const char *line);

/* ---- probe ------------------------------------------------------------------ */

/* Asks @bootstrap ("127.0.0.1:9092") for its METADATA every ~250 ms until
 * it answers with at least one broker, in a worker thread, then calls
 * @callback in the caller's thread-default main context; finish with
 * co2s_local_kafka_probe_finish (FALSE with G_IO_ERROR_CANCELLED when
 * @cancellable fired first). librdkafka's connection errors are not
 * logged. */
void co2s_local_kafka_probe_async (const char *bootstrap,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean co2s_local_kafka_probe_finish (GAsyncResult *result,
                                        GError **error);

G_END_DECLS
