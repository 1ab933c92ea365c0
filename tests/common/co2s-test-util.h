/* co2s-test-util.h — the helpers every test suite shares (GLib/GIO only, no
 * GTK): waiting on conditions with deadlines, spawning the built programs
 * and reading their output, processes, free ports, temporary directories,
 * the data set, and Kafka fixtures (the embedded co2stream-broker and a
 * real Apache Kafka).
 *
 * Unless said otherwise, call these from the test's main thread. Waits never
 * sleep blindly: they wait for a condition up to a deadline, iterating the
 * default main context meanwhile. A missing prerequisite fails the test
 * loudly; nothing is skipped. */
#pragma once

#include <gio/gio.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

/* ---- programs, files, ports ---------------------------------------------- */

/* Path of a built program from the environment variable @env_var (set by
 * meson's test(env:)). Aborts with g_error if it is unset or not executable.
 * The string belongs to the environment. */
const char *co2s_test_program (const char *env_var);

/* The source tree root: CO2S_SOURCE_DIR from meson. g_error if unset. */
const char *co2s_test_source_dir (void);

/* The real data set: $CO2S_DATASET, else <source>/data/co2_processed.csv.
 * When the file does not exist, marks the test failed with a message naming
 * both places and returns NULL (the caller returns). Free with g_free. */
char *co2s_test_dataset_path (void);

/* A new empty directory under the system temp dir; it is deleted with its
 * contents when the process exits normally (kept when CO2S_TEST_KEEP_TMP is
 * set). Free the string with g_free. Aborts if it cannot be created. */
char *co2s_test_tmpdir (void);

/* Deletes @path and everything under it (does not follow symlinks).
 * Returns FALSE with @error on the first failure; a missing @path is fine. */
gboolean co2s_test_rm_rf (const char *path, GError **error);

/* A TCP port on 127.0.0.1 that was free a moment ago (bound and released),
 * below the kernel's ephemeral range (ip_local_port_range): a server given
 * it can get it back after a restart, which a port of that range may not
 * (any outgoing connection may take it as its source port meanwhile, as a
 * Kafka restarted on its port once found in CI). Aborts if none is found. */
guint16 co2s_test_free_port (void);

/* ---- waiting on conditions ------------------------------------------------ */

typedef gboolean (*Co2sTestPredicate) (gpointer data);

/* Iterates the default main context until @predicate (@data) returns TRUE
 * (→ TRUE) or @timeout_ms pass (→ FALSE). Between events it blocks in the
 * main context, woken every few ms so that a condition another thread
 * changes is seen at once. */
gboolean co2s_test_wait_until (Co2sTestPredicate predicate,
                               gpointer data,
                               guint timeout_ms);

/* Iterates the default main context for @ms while @predicate (@data)
 * holds: FALSE as soon as it does not, TRUE when it held all along. Only
 * for checks whose point is that nothing happens during an interval; to
 * wait for something, use co2s_test_wait_until. */
gboolean co2s_test_stays (Co2sTestPredicate predicate,
                          gpointer data,
                          guint ms);

/* The asserting forms, reported like g_assert_*() (file, line, function):
 * co2s_test_assert_wait fails the test with "timed out after N ms waiting
 * for WHAT", co2s_test_assert_stays with "WHAT stopped holding after N of
 * M ms". WHAT is the predicate's name, or @what in the _msg forms. */
#define co2s_test_assert_wait(predicate, data, timeout_ms) \
  _co2s_test_assert_wait (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                          (predicate), (data), (timeout_ms), #predicate)
#define co2s_test_assert_wait_msg(predicate, data, timeout_ms, what) \
  _co2s_test_assert_wait (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                          (predicate), (data), (timeout_ms), (what))
#define co2s_test_assert_stays(predicate, data, ms) \
  _co2s_test_assert_stays (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                           (predicate), (data), (ms), #predicate)
#define co2s_test_assert_stays_msg(predicate, data, ms, what) \
  _co2s_test_assert_stays (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                           (predicate), (data), (ms), (what))

/* A GAsyncReadyCallback that stores a reference to @result in
 * *(GAsyncResult **) @slot, which must be NULL. */
void co2s_test_store_result (GObject *source,
                             GAsyncResult *result,
                             gpointer slot);

/* A Co2sTestPredicate: TRUE once *(GAsyncResult **) @slot is set. */
gboolean co2s_test_result_is_set (gpointer slot);

/* A Co2sTestPredicate: TRUE once *(gpointer *) @slot is NULL, e.g. a weak
 * pointer (g_object_add_weak_pointer) to an object that must go away. */
gboolean co2s_test_pointer_cleared (gpointer slot);

/* The progress reports of an async job as the caller's main context saw
 * them: pass co2s_test_progress_log_cb and the log as the job's progress
 * function and data, and co2s_test_store_result with @result as its
 * callback. */
typedef struct {
  GArray *values;              /* double */
  GThread *main_thread;
  gboolean wrong_thread;       /* a report came on another thread */
  GAsyncResult **result;       /* the job's result slot */
  gboolean after_result;       /* a report came after the result */
} Co2sTestProgressLog;

/* Starts an empty log on this thread for the job whose result lands in
 * *@result; co2s_test_progress_log_clear frees it. */
void co2s_test_progress_log_init (Co2sTestProgressLog *log, GAsyncResult **result);
void co2s_test_progress_log_clear (Co2sTestProgressLog *log);

/* A progress function (fraction, data) recording into the log @data. */
void co2s_test_progress_log_cb (double fraction, gpointer data);

/* Fails the test unless the reports rose strictly within 0..1 to 1, all on
 * the log's thread and before the result. */
void co2s_test_progress_log_assert_complete (const Co2sTestProgressLog *log);

/* Waits until co2s_test_store_result filled *@slot (a GAsyncResult **);
 * fails the test naming @what at the deadline. */
#define co2s_test_assert_result(slot, timeout_ms, what) \
  co2s_test_assert_wait_msg (co2s_test_result_is_set, (slot), (timeout_ms), (what))

/* Behind the macros above; not for direct use. */
void _co2s_test_assert_wait (const char *domain,
                             const char *file,
                             int line,
                             const char *func,
                             Co2sTestPredicate predicate,
                             gpointer data,
                             guint timeout_ms,
                             const char *what);
void _co2s_test_assert_stays (const char *domain,
                              const char *file,
                              int line,
                              const char *func,
                              Co2sTestPredicate predicate,
                              gpointer data,
                              guint ms,
                              const char *what);

/* ---- child processes ----------------------------------------------------- */

typedef struct _Co2sTestProc Co2sTestProc;

typedef enum {
  CO2S_TEST_STDOUT,
  CO2S_TEST_STDERR,
} Co2sTestStream;

/* Spawns @argv (argv[0] a path) with stdout and stderr captured line by line
 * by background threads, so a chatty child never blocks on a full pipe.
 * @env is NULL or a NULL-terminated list of "KEY=VALUE" (set) or "KEY"
 * (unset) applied on top of the test's environment, in which G_DEBUG is
 * fatal-criticals (the program's g_warning lines are its log; the test's own
 * warnings stay fatal). stdin is /dev/null.
 * The child gets SIGKILL if the test process dies (call from the main
 * thread: the kernel ties this to the spawning thread). Returns NULL with
 * @error if the spawn fails. Setting CO2S_TEST_VERBOSE=1 echoes the child's
 * lines to the test's stderr as they arrive. */
Co2sTestProc *co2s_test_proc_spawn (const char * const *argv,
                                    const char * const *env,
                                    GError **error);

/* Like co2s_test_proc_spawn, but a failure aborts the test with the error. */
Co2sTestProc *co2s_test_proc_spawn_or_die (const char * const *argv,
                                           const char * const *env);

/* Kills the child if still running (SIGKILL), joins the reader threads and
 * frees. If the test has failed, logs the child's stderr first. NULL is ok. */
void co2s_test_proc_free (Co2sTestProc *proc);

/* The child's process id (0 once it has been reaped). */
GPid co2s_test_proc_get_pid (Co2sTestProc *proc);

/* Waits until a line of @stream, not returned by an earlier wait on the same
 * stream, matches the regular expression @pattern (GRegex syntax; anchor it
 * with ^ to match a prefix). Lines before the match are passed over. Returns
 * TRUE and the line (without "\n") in @out_line (may be NULL; free with
 * g_free) or FALSE at the deadline, or once the stream has ended without a
 * match. */
gboolean co2s_test_proc_wait_line (Co2sTestProc *proc,
                                   Co2sTestStream stream,
                                   const char *pattern,
                                   guint timeout_ms,
                                   char **out_line);

/* Waits until the child has closed both stdout and stderr (normally: it
 * exited and every line it wrote has been read). FALSE at the deadline. */
gboolean co2s_test_proc_wait_closed (Co2sTestProc *proc, guint timeout_ms);

/* Everything read so far from @stream, as one string. Free with g_free. */
char *co2s_test_proc_get_text (Co2sTestProc *proc, Co2sTestStream stream);

/* Shorthand for co2s_test_proc_get_text (proc, CO2S_TEST_STDERR). */
char *co2s_test_proc_stderr_text (Co2sTestProc *proc);

/* Waits up to @timeout_ms for the child to exit and returns its status in
 * shell form: the exit code (0..255), 128 + N when killed by signal N, or
 * -1 if it is still running at the deadline. After an exit it also waits
 * (2 s at most) until both output streams are read to their end, so the
 * text got afterwards holds every line the child wrote. Once the child has
 * exited, further calls return the same status at once. */
int co2s_test_proc_wait_exit (Co2sTestProc *proc, guint timeout_ms);

/* Sends @signum (e.g. SIGTERM, SIGINT) unless the child has exited. */
void co2s_test_proc_signal (Co2sTestProc *proc, int signum);

/* SIGTERM, wait up to @timeout_ms, then SIGKILL. Returns the status as
 * co2s_test_proc_wait_exit (137 when SIGKILL was needed). */
int co2s_test_proc_terminate (Co2sTestProc *proc, guint timeout_ms);

/* SIGKILL and reap; returns the status (normally 137). */
int co2s_test_proc_kill (Co2sTestProc *proc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sTestProc, co2s_test_proc_free)

/* Sets G_DEBUG=fatal-criticals in this process's environment, for the
 * programs it starts other than through co2s_test_proc_spawn (through a
 * Co2sSupervisor, say): their g_warning lines are their operational log,
 * their criticals are bugs. The test process keeps the G_DEBUG it started
 * with (GLib reads it once, at start-up). Call first in main, before any
 * thread starts. */
void co2s_test_children_fatal_criticals (void);

/* TRUE when process @pid no longer exists or is a zombie (dead, not reaped
 * yet). Never reaps it (GLib reaps the children it spawned). */
gboolean co2s_test_pid_gone (GPid pid);

/* A Co2sTestPredicate: TRUE when every pid of @pids (a GArray of GPid;
 * 0 entries are skipped) is gone (co2s_test_pid_gone). */
gboolean co2s_test_pids_gone (gpointer pids);

/* Number of live (not zombie) processes whose parent is this process. */
guint co2s_test_count_children (void);

/* A Co2sTestPredicate: TRUE when this process has no live child. */
gboolean co2s_test_no_children (gpointer unused);

/* ---- Kafka fixtures -------------------------------------------------------- */

/* Starts the embedded broker ($CO2S_BROKER) with @extra_args (NULL or
 * NULL-terminated, e.g. {"--partitions", "3", NULL}) and waits up to 10 s for
 * its bootstrap.servers line. Returns the process and the address in
 * @bootstrap (free with g_free). Aborts the test if it does not come up. */
Co2sTestProc *co2s_test_embedded_broker_start (const char * const *extra_args,
                                               char **bootstrap);

/* Bootstrap servers of a real Apache Kafka: $CO2S_KAFKA_BROKERS if set, else
 * a broker started once per test binary with `$CO2S_KAFKA_SCRIPT start DIR`
 * into a temporary directory and stopped when the process exits (a watchdog
 * in the script stops it too if this process dies abnormally). If it cannot
 * start, aborts the test with the script's output. The string is owned by
 * the fixture. */
const char *co2s_test_kafka_brokers (void);

/* Stops the broker co2s_test_kafka_brokers started, if any (also done at
 * exit). */
void co2s_test_kafka_stop (void);

/* A topic name unique to this process and call: "<prefix>-<pid>-<n>-<rand>". */
char *co2s_test_unique_topic (const char *prefix);

/* ---- Kafka helpers --------------------------------------------------------- */

/* Creates @topic with @partitions (replication 1) through the admin API and
 * waits until its metadata shows every partition. The embedded broker does
 * not implement CreateTopics: give it --topics/--partitions instead. */
gboolean co2s_test_kafka_create_topic (const char *brokers,
                                       const char *topic,
                                       int partitions,
                                       GError **error);

/* Produces @n_payloads NUL-terminated payloads (keys: @keys[i] when @keys is
 * not NULL, else none) to @topic, partition chosen by librdkafka, and waits
 * until all are delivered (30 s at most). FALSE with the first failure. */
gboolean co2s_test_kafka_produce (const char *brokers,
                                  const char *topic,
                                  const char * const *payloads,
                                  const char * const *keys,
                                  guint n_payloads,
                                  GError **error);

typedef struct {
  int partition;
  gint64 offset;
  gint64 timestamp_ms;  /* -1 when unavailable */
  char *key;            /* NULL when the message has none */
  char *payload;        /* NUL-terminated copy; NULL for a null payload */
  gsize len;
  GPtrArray *headers;   /* name, value, name, value… (value NULL for null) */
} Co2sTestMessage;

void co2s_test_message_free (Co2sTestMessage *message);

/* The last value of header @name, or NULL when absent. */
const char *co2s_test_message_header (const Co2sTestMessage *message, const char *name);

/* Reads @topic from the beginning of every partition (no consumer group)
 * until at least @min_count messages arrived (0: until the end of every
 * partition, as librdkafka reports it) or @timeout_ms passed; the
 * deadline is not an error: check the length. Returns an array of
 * Co2sTestMessage (ordered by arrival; per partition by offset), or NULL
 * with @error when the topic's metadata cannot be read. */
GPtrArray *co2s_test_kafka_consume (const char *brokers,
                                    const char *topic,
                                    guint min_count,
                                    guint timeout_ms,
                                    GError **error);

/* Low and high watermarks of @topic [@partition] queried from the broker. */
gboolean co2s_test_kafka_watermarks (const char *brokers,
                                     const char *topic,
                                     int partition,
                                     gint64 *low,
                                     gint64 *high,
                                     GError **error);

/* Partition count of @topic from the broker's metadata (the embedded broker
 * auto-creates an unknown topic with 4). -1 with @error on failure. */
int co2s_test_kafka_partition_count (const char *brokers,
                                     const char *topic,
                                     GError **error);

G_END_DECLS
