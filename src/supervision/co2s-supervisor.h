/* co2s-supervisor.h — starts, watches and stops the pipeline's services.
 *
 * Four services, always in this order: broker → api → trainer → producer
 * (see Co2sServiceKind; a run of several trainers has more trainer rows,
 * see "Several trainers" below). Start brings them up in that order, each waiting
 * until the one before is ready; Stop ends them in reverse order, SIGTERM
 * then SIGKILL after "stop-timeout". The services are Co2sService objects
 * (co2s-service.h) whose properties a status row binds to.
 *
 * Backends ("backend" property):
 *  - CO2S_BACKEND_LOCAL (default): spawns the project's programs with
 *    GSubprocess (argv, no shell). Readiness: the broker's
 *    "bootstrap.servers=HOST:PORT" line (that address is given to the
 *    trainer and producer), the api's "listening on http://HOST:PORT" line
 *    (the producer gets --api http://HOST:PORT/stream), the trainer's first
 *    output line (or 1 s alive), the producer once spawned. A service not
 *    ready within "ready-timeout" ("kafka-start-timeout" for the local
 *    Kafka, whose first start may fetch jars and warm a JVM) fails. The
 *    broker service is chosen by "broker-kind" (Co2sBrokerKind below). A
 *    service that exits on its own after it was ready is restarted with
 *    exponential backoff ("restart-delay-initial", doubling up to
 *    "restart-delay-max", back to the initial delay when it had stayed up
 *    "restart-reset-after"); its "restart-count" grows. When the broker or
 *    the api restarts, the services using its address (trainer and
 *    producer, or producer) are restarted too, since the new process may
 *    listen on a new port. A service that exits before it was ever ready
 *    after a Start fails instead (a missing data set, a bad option, a port
 *    in use: retrying cannot help); its last output line says why.
 *    Children get PR_SET_PDEATHSIG(SIGTERM): they end when this process
 *    dies, even by SIGKILL.
 *  - CO2S_BACKEND_COMPOSE: drives "compose-file" with `docker compose` (or
 *    `docker-compose` v1 when the plugin is missing): up -d / stop per
 *    service, state and health from `ps` every "compose-poll-interval",
 *    logs from `logs -f`. The broker is the compose service "kafka". Every
 *    Docker call has a deadline; a missing Docker or an unreachable daemon
 *    makes the services FAILED with a message saying so.
 *
 * Brokers (local backend, "broker-kind"):
 *  - CO2S_BROKER_LOCAL_KAFKA (default): co2stream-kafka runs a single-node
 *    Apache Kafka on this computer, its data in "kafka-data-dir" (kept
 *    across runs), on 127.0.0.1:"kafka-port", size-bounded retention
 *    "kafka-retention-bytes" per partition. It is stopped last, with
 *    "kafka-stop-timeout" for its controlled shutdown.
 *  - CO2S_BROKER_EMBEDDED: co2stream-broker, librdkafka's mock cluster: in
 *    memory, bounded, gone at exit (the no-Java demo).
 *  - CO2S_BROKER_EXISTING: no broker service; the programs use the Kafka at
 *    "broker-address", each with -X KEY=VALUE for every string of
 *    "broker-properties" (security.protocol, sasl.*…).
 * The embedded broker keeps nothing across restarts: every time the
 * trainer runs against a new embedded broker process (the first Start, or
 * after the broker restarted) it is started with --reset, a fresh model
 * replayed from the topic's beginning (Kappa reprocessing). With a durable
 * Kafka (local or existing) the trainer resumes from its checkpoint, unless
 * co2s_supervisor_retrain_async() asks for --reset (or the local Kafka's
 * data was reset, see co2s_supervisor_reset_local_kafka_async()).
 * The broker service's "description" says which broker it is, its address
 * and, for the local Kafka, its size on disk (refreshed every few seconds
 * while it runs) and retention.
 *
 * Settings: the properties below are read when a Start begins from a
 * stopped pipeline (no service running or pending a restart); changing them
 * later applies on the next such Start.
 *
 *   backend                 Co2sBackend, default LOCAL
 *   bin-dir                 folder holding the co2stream-* programs, or NULL
 *                           (default) to look next to the running program,
 *                           then in a Meson build tree above it
 *                           (…/src/broker/co2stream-broker), then in PATH
 *   broker-kind             Co2sBrokerKind, default LOCAL_KAFKA
 *   broker-address          "HOST:PORT[,…]" of the existing Kafka
 *                           (CO2S_BROKER_EXISTING); default NULL
 *   broker-properties       strv of "KEY=VALUE" librdkafka properties for
 *                           the existing Kafka (-X of every program)
 *   kafka-data-dir          local Kafka's folder (default
 *                           $XDG_DATA_HOME/co2stream/kafka)
 *   kafka-port              local Kafka's port on 127.0.0.1 (default 9092;
 *                           0 = any free port, for tests)
 *   kafka-retention-bytes   local Kafka's retention per partition (guint64,
 *                           default 1 GiB)
 *   api-rate                rows per second served by the api (double,
 *                           default 50, 0 = as fast as the producer reads)
 *   batch-rows              trainer micro-batch size (default 100)
 *   algo                    "ls" (default) or "sgd"
 *   dataset                 CSV path (default "data/co2_processed.csv",
 *                           relative paths against the current folder)
 *   model-dir               trainer output folder (default "models"; created)
 *   trainers                how many trainers learn the data topic (guint,
 *                           1..CO2S_SUPERVISOR_MAX_TRAINERS, default 1;
 *                           local backend only, see "Several trainers")
 *   compose-file            path of docker-compose.yml (default
 *                           "docker-compose.yml"); Docker backend only
 *
 * Several trainers ("trainers" N > 1, local backend, a real Kafka: the
 * local one or an existing one): N `co2stream-trainer --scale-out
 * --trainer-id local-K` processes in consumer group
 * CO2S_SUPERVISOR_SCALE_OUT_GROUP (as docker-compose.scale-out.yml), with
 * --model-dir <model-dir>/CO2S_SUPERVISOR_SCALE_OUT_DIR, so the single
 * trainer's checkpoint and the scale-out states never mix; the owner of
 * partition 0 writes the merged model there. The services list then has N
 * trainer rows, "Trainer" (name "trainer", Co2sServiceKind TRAINER) then
 * "Trainer 2"… (names "trainer-2"…), between the trainer and the producer,
 * each supervised like the single trainer (restart with backoff, SIGTERM
 * then SIGKILL, PR_SET_PDEATHSIG; ready once alive for
 * CO2S_SERVICE_SETTLE_MS: a trainer refusing the saved states, of other
 * models say, exits before that and fails the Start with its last line);
 * they start together and stop together, and one of them alone with
 * co2s_supervisor_start/stop_trainer_async(). Before they start, `co2stream-producer --partitions
 * N --prepare-topic` makes sure the data topic has at least N partitions
 * (creates it, or adds partitions; never removes any) and says what it
 * did in the first trainer's log. A Start from a stopped pipeline fails
 * (G_IO_ERROR_INVALID_ARGUMENT, the trainer row FAILED with the same
 * message) with the embedded broker (its mock cluster is bounded and
 * prunes old messages: the trainers' saved states would go) and when
 * "algo" names sgd (its weights depend on the order of the whole stream:
 * partitions learned apart do not merge into one sgd model). Retrain is
 * refused (G_IO_ERROR_NOT_SUPPORTED): the saved states are shared in
 * Kafka. The Docker backend always runs the compose file's trainers
 * ("trainers" is ignored there).
 *
 * Tuning (milliseconds; tests shorten them):
 *   ready-timeout 20000, stop-timeout 5000, kafka-start-timeout 300000,
 *   kafka-stop-timeout 40000, restart-delay-initial 1000,
 *   restart-delay-max 30000, restart-reset-after 60000, docker-timeout 10000
 *   (every quick Docker call), compose-up-timeout 600000 (`up -d` may build
 *   images), compose-poll-interval 2000.
 *
 * Read-only:
 *   active             TRUE while any service runs, is wanted, or waits for
 *                      a restart (the Stop button's sensitivity)
 *   bootstrap-servers  Kafka address the services use now, or NULL
 *   api-url            "http://HOST:PORT" of the running api, or NULL
 *
 * Quitting: call co2s_supervisor_stop_async() and keep the application
 * alive (g_application_hold) until it completes. Disposing a supervisor
 * with running services sends them SIGTERM as a last resort.
 *
 * Threading: main thread only (the thread of the default GMainContext);
 * every signal, notify and callback is emitted there. */
#pragma once

#include <gio/gio.h>

#include "co2s-service.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_BACKEND_LOCAL,
  CO2S_BACKEND_COMPOSE,
} Co2sBackend;

/* GEnum type of Co2sBackend (nicks "local", "compose"), e.g. for
 * g_settings_bind() on an enum key. */
GType co2s_backend_get_type (void);
#define CO2S_TYPE_BACKEND (co2s_backend_get_type ())

/* Which broker the local backend uses (see above). */
typedef enum {
  CO2S_BROKER_LOCAL_KAFKA,
  CO2S_BROKER_EMBEDDED,
  CO2S_BROKER_EXISTING,
} Co2sBrokerKind;

/* GEnum type of Co2sBrokerKind (nicks "local-kafka", "embedded",
 * "existing"), e.g. for g_settings_bind() on an enum key. */
GType co2s_broker_kind_get_type (void);
#define CO2S_TYPE_BROKER_KIND (co2s_broker_kind_get_type ())

/* Translated one-line name of @kind ("Apache Kafka on this computer");
 * static string. Any thread. */
const char *co2s_broker_kind_to_label (Co2sBrokerKind kind);

/* The local Kafka's default data folder, $XDG_DATA_HOME/co2stream/kafka.
 * Free with g_free(). Any thread. */
char *co2s_supervisor_default_kafka_data_dir (void);

/* The services, in start order; also their positions in
 * co2s_supervisor_get_services(), except that with several trainers (see
 * "trainers") the extra trainer rows come after CO2S_SERVICE_TRAINER, so
 * the producer is then the last row. */
typedef enum {
  CO2S_SERVICE_BROKER,
  CO2S_SERVICE_API,
  CO2S_SERVICE_TRAINER,
  CO2S_SERVICE_PRODUCER,
  CO2S_N_SERVICES
} Co2sServiceKind;

/* "trainers": at most this many. */
#define CO2S_SUPERVISOR_MAX_TRAINERS 8
/* Consumer group and folder under "model-dir" of several trainers. */
#define CO2S_SUPERVISOR_SCALE_OUT_GROUP "co2stream-trainers"
#define CO2S_SUPERVISOR_SCALE_OUT_DIR   "scale-out"

#define CO2S_SUPERVISOR_DEFAULT_READY_TIMEOUT_MS        20000
#define CO2S_SUPERVISOR_DEFAULT_RESTART_DELAY_INITIAL_MS 1000
#define CO2S_SUPERVISOR_DEFAULT_RESTART_DELAY_MAX_MS    30000
#define CO2S_SUPERVISOR_DEFAULT_RESTART_RESET_AFTER_MS  60000
#define CO2S_SUPERVISOR_DEFAULT_KAFKA_START_TIMEOUT_MS 300000
#define CO2S_SUPERVISOR_DEFAULT_KAFKA_STOP_TIMEOUT_MS   40000
#define CO2S_SUPERVISOR_DEFAULT_KAFKA_PORT               9092
#define CO2S_SUPERVISOR_DEFAULT_KAFKA_RETENTION_BYTES    G_GUINT64_CONSTANT (1073741824)

#define CO2S_TYPE_SUPERVISOR (co2s_supervisor_get_type ())

G_DECLARE_FINAL_TYPE (Co2sSupervisor, co2s_supervisor, CO2S, SUPERVISOR, GObject)

/* New supervisor with default settings and four stopped services.
 * Returns a new reference. */
Co2sSupervisor *co2s_supervisor_new (void);

/* The Co2sService objects in start order, as a GListModel (transfer
 * none; lives as long as @self): the four services, and the extra trainer
 * rows of a run with several trainers (inserted or removed only when a
 * Start from a stopped pipeline takes a new "trainers"). */
GListModel *co2s_supervisor_get_services (Co2sSupervisor *self);

/* The service of @kind (transfer none). */
Co2sService *co2s_supervisor_get_service (Co2sSupervisor *self,
                                          Co2sServiceKind kind);

/* The service called @name ("broker", "api", "trainer", "producer", or
 * "trainer-2"… of the current run's extra trainers), or NULL (transfer
 * none). */
Co2sService *co2s_supervisor_lookup_service (Co2sSupervisor *self,
                                             const char *name);

/* Program file name of @kind ("co2stream-trainer"); for the broker, the
 * embedded one's ("co2stream-broker"). Static string. */
const char *co2s_supervisor_program_name (Co2sServiceKind kind);

/* Program file name of the broker service for @broker_kind
 * ("co2stream-kafka", "co2stream-broker"), NULL for CO2S_BROKER_EXISTING.
 * Static string. */
const char *co2s_supervisor_broker_program_name (Co2sBrokerKind broker_kind);

/* Full path of the program the local backend would run for @kind (the
 * broker: the one of the current "broker-kind"; NOT_FOUND for EXISTING), from
 * "bin-dir" or the automatic search (see above). NULL with
 * G_IO_ERROR_NOT_FOUND naming where it looked. Free with g_free(). */
char *co2s_supervisor_find_program (Co2sSupervisor *self,
                                    Co2sServiceKind kind,
                                    GError **error);

/* How many trainers the current run has (or the last one had): 1, or
 * "trainers" when a Start from a stopped pipeline on the local backend took
 * N > 1. */
guint co2s_supervisor_get_run_trainers (Co2sSupervisor *self);

/* The trainers' consumer group of the current run: CO2S_TRAINER_GROUP, or
 * CO2S_SUPERVISOR_SCALE_OUT_GROUP with several trainers. Static string. */
const char *co2s_supervisor_get_run_trainer_group (Co2sSupervisor *self);

/* Property "active". */
gboolean co2s_supervisor_get_active (Co2sSupervisor *self);

/* Property "bootstrap-servers"; owned by @self, may be NULL. */
const char *co2s_supervisor_get_bootstrap_servers (Co2sSupervisor *self);

/* Property "api-url"; owned by @self, may be NULL. */
const char *co2s_supervisor_get_api_url (Co2sSupervisor *self);

/* Property "backend" (applies at the next Start from a stopped pipeline). */
Co2sBackend co2s_supervisor_get_backend (Co2sSupervisor *self);
void co2s_supervisor_set_backend (Co2sSupervisor *self,
                                  Co2sBackend backend);

/* Starts every enabled service in order, each once the previous is ready.
 * Completes TRUE when all are running (Docker: when every `up -d`
 * succeeded), or FALSE with an error: G_IO_ERROR_FAILED whose message names
 * the service that failed and why (the service is FAILED with the same
 * message), or G_IO_ERROR_CANCELLED if a Stop came first. Services already
 * running are left alone. @cancellable (may be NULL) only abandons the
 * wait: services keep starting. @callback may be NULL (fire and forget). */
void co2s_supervisor_start_async (Co2sSupervisor *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean co2s_supervisor_start_finish (Co2sSupervisor *self,
                                       GAsyncResult *result,
                                       GError **error);

/* Stops every service in reverse order (producer first), each once the
 * later ones are gone; SIGTERM, then SIGKILL after "stop-timeout". Pending
 * automatic restarts are cancelled. Never blocks. Completes TRUE when no
 * process is left, or G_IO_ERROR_CANCELLED if a Start came first. Services
 * that FAILED keep that state (and message) until the next Start; the
 * others become STOPPED. @callback may be NULL. */
void co2s_supervisor_stop_async (Co2sSupervisor *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean co2s_supervisor_stop_finish (Co2sSupervisor *self,
                                      GAsyncResult *result,
                                      GError **error);

/* Starts the service @kind and, first, every enabled service before it in
 * the start order (a service needs the ones before it). Results as
 * co2s_supervisor_start_async(). */
void co2s_supervisor_start_service_async (Co2sSupervisor *self,
                                          Co2sServiceKind kind,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean co2s_supervisor_start_service_finish (Co2sSupervisor *self,
                                               GAsyncResult *result,
                                               GError **error);

/* Stops the service @kind and, first, every service after it (they need
 * it). Results as co2s_supervisor_stop_async(). */
void co2s_supervisor_stop_service_async (Co2sSupervisor *self,
                                         Co2sServiceKind kind,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean co2s_supervisor_stop_service_finish (Co2sSupervisor *self,
                                              GAsyncResult *result,
                                              GError **error);

/* One trainer of a run with several ("Several trainers" above): @trainer
 * is one of the current run's trainer rows ("trainer", "trainer-2"…).
 * Stop ends that process only (SIGTERM, then SIGKILL after "stop-timeout";
 * a pending automatic restart is cancelled); the other trainers and the
 * producer keep running, and the trainers' consumer group gives its
 * partitions to the others. It stays stopped until started again or until
 * a Start that includes the trainers. Completes TRUE once it has exited,
 * G_IO_ERROR_CANCELLED if a Start came first. Start launches it again,
 * after the services before the trainers, which it starts too if needed
 * (from a stopped pipeline: the broker, the api and this trainer only, the
 * settings taken as by any Start); results as
 * co2s_supervisor_start_service_async(). With one trainer (and always with
 * Docker) both are co2s_supervisor_start/stop_service_async
 * (CO2S_SERVICE_TRAINER). A @trainer that is no trainer row of the run:
 * G_IO_ERROR_NOT_FOUND. */
void co2s_supervisor_start_trainer_async (Co2sSupervisor *self,
                                          Co2sService *trainer,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean co2s_supervisor_start_trainer_finish (Co2sSupervisor *self,
                                               GAsyncResult *result,
                                               GError **error);
void co2s_supervisor_stop_trainer_async (Co2sSupervisor *self,
                                         Co2sService *trainer,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean co2s_supervisor_stop_trainer_finish (Co2sSupervisor *self,
                                              GAsyncResult *result,
                                              GError **error);

/* "Retrain from the start": (re)starts the trainer with --reset, so it
 * drops its model and replays the topic from the beginning (Kappa
 * reprocessing); starts the services before it if needed. Local backend
 * only (G_IO_ERROR_NOT_SUPPORTED with Docker). Completes TRUE once the
 * restarted trainer is running. Ask the user to confirm first: the current
 * model is discarded. */
void co2s_supervisor_retrain_async (Co2sSupervisor *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean co2s_supervisor_retrain_finish (Co2sSupervisor *self,
                                         GAsyncResult *result,
                                         GError **error);

/* "Reset local broker data…": deletes the local Kafka's data (every
 * topic, the consumer offsets, its cluster id) by running
 * `co2stream-kafka --data-dir DIR --reset-data`, and makes the next
 * trainer launch retrain from the start (--reset: its model's offsets
 * pointed into the deleted log). Only while the pipeline is stopped
 * ("active" FALSE): else G_IO_ERROR_BUSY. Completes TRUE, or FALSE with
 * G_IO_ERROR_FAILED carrying the program's message (e.g. a broker from
 * another app still runs from that folder). Ask the user to confirm
 * first, naming co2s_supervisor_get_kafka_data_dir(). */
void co2s_supervisor_reset_local_kafka_async (Co2sSupervisor *self,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
gboolean co2s_supervisor_reset_local_kafka_finish (Co2sSupervisor *self,
                                                   GAsyncResult *result,
                                                   GError **error);

/* The librdkafka properties ("KEY=VALUE", for -X or a conf) every Kafka
 * client of the pipeline needs under the current settings: those of
 * "broker-properties" (stripped, blank lines and "#" comments left out)
 * with an existing Kafka, none otherwise. Free with g_strfreev(). */
char **co2s_supervisor_dup_kafka_overrides (Co2sSupervisor *self);

/* The local Kafka's data folder (property "kafka-data-dir"), absolute;
 * free with g_free(). */
char *co2s_supervisor_get_kafka_data_dir (Co2sSupervisor *self);

G_END_DECLS
