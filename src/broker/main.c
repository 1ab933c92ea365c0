/* main.c — co2stream-broker: a zero-setup Kafka-protocol broker for demos
 * and tests, built on librdkafka's mock cluster (rdkafka_mock.h). */
#define G_LOG_DOMAIN "co2stream-broker"

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-kafka.h"

#define DEFAULT_TOPICS CO2S_TOPIC_DATA "," CO2S_TOPIC_DLQ "," CO2S_TOPIC_METRICS

typedef struct
{
  GMainLoop *loop;
  char *mock_host;
  guint16 mock_port;
} Broker;

static char *opt_listen;
static int opt_partitions = 1;
static char *opt_topics;

/* The default topics are spelled out (DEFAULT_TOPICS): xgettext cannot
 * expand macros. */
static const GOptionEntry entries[] = {
  { "listen", 'l', 0, G_OPTION_ARG_STRING, &opt_listen,
    N_("Also accept bootstrap connections on this loopback address (see LIMITS)"), N_("HOST:PORT") },
  { "partitions", 'p', 0, G_OPTION_ARG_INT, &opt_partitions,
    N_("Partitions of each created topic (default 1)"), N_("N") },
  { "topics", 't', 0, G_OPTION_ARG_STRING, &opt_topics,
    N_("Comma-separated topics to create (default streaming_data,streaming_data.dlq,streaming_metrics)"),
    N_("LIST") },
  G_OPTION_ENTRY_NULL
};

/* Translators: keep "bootstrap.servers=HOST:PORT" as it is (programs wait
 * for that line), and the property and file names. */
static const char *const description = N_(
  "Prints exactly one line, bootstrap.servers=HOST:PORT, on standard output once\n"
  "the broker accepts clients, then serves until SIGINT or SIGTERM and exits 0.\n"
  "\n"
  "LIMITS — this is the demo and test default, not a Kafka replacement:\n"
  "  * It is librdkafka's mock cluster: one broker, in memory, nothing durable.\n"
  "    Stopping it loses every message, offset and consumer group.\n"
  "  * Each partition keeps a bounded log: about 5 MB of record batches\n"
  "    (a fixed limit of librdkafka 2.0's mock cluster). Older batches are\n"
  "    pruned, the log start offset moves forward, and a consumer behind it\n"
  "    gets offsets out of range. Measured with this project's rows (about\n"
  "    300 bytes of JSON each), one partition keeps about\n"
  "    14,000 to 16,500 rows uncompressed (whole batches are pruned), about\n"
  "    100,000 with compression.type=lz4 in the producer and about 200,000\n"
  "    with zstd. More partitions keep proportionally more.\n"
  "  * Topics not created here are auto-created with 4 partitions.\n"
  "  * The broker listens on 127.0.0.1 at a port the kernel picks and\n"
  "    advertises that address. --listen adds a fixed bootstrap address that\n"
  "    forwards to it, so clients must run on this machine.\n"
  "\n"
  "Apache Kafka is the real thing: use it (e.g. the kafka service of\n"
  "docker-compose.yml, or tests/kafka-broker.sh) for anything that must\n"
  "survive a restart or hold more than a few megabytes per partition.");

/* librdkafka log lines, from its threads, into GLib's log. */
static void
on_kafka_log (const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
  /* The dummy handle only hosts the cluster; it has nothing to connect to. */
  if (g_strcmp0 (fac, "CONFWARN") == 0)
    return;
  if (level <= 3)
    g_warning ("%s: %s", fac, buf);
  else if (level <= 5)
    g_message ("%s: %s", fac, buf);
  else
    g_debug ("%s: %s", fac, buf);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Broker *self = user_data;

  g_message ("signal received, stopping");
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_splice_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_splice_finish (result, &error))
    g_debug ("bootstrap forward ended: %s", error->message);
}

static void
on_upstream_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GSocketConnection) client = user_data;
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GError) error = NULL;

  upstream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (upstream == NULL)
    {
      g_warning ("cannot reach the mock broker: %s", error->message);
      return;
    }

  /* The splice holds both streams until either side closes. */
  g_io_stream_splice_async (G_IO_STREAM (client), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, on_splice_done, NULL);
}

static gboolean
on_bootstrap_incoming (GSocketService *service,
                       GSocketConnection *connection,
                       GObject *source_object,
                       gpointer user_data)
{
  Broker *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_connect_to_host_async (client, self->mock_host, self->mock_port,
                                         NULL, on_upstream_connected,
                                         g_object_ref (connection));
  return TRUE;
}

/* Splits "HOST:PORT" (HOST may be [v6]). */
static gboolean
parse_host_port (const char *text, char **host, guint16 *port, GError **error)
{
  g_autoptr(GNetworkAddress) addr = NULL;

  addr = G_NETWORK_ADDRESS (g_network_address_parse (text, 0, error));
  if (addr == NULL)
    return FALSE;
  if (g_network_address_get_port (addr) == 0 || strrchr (text, ':') == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("expected HOST:PORT with a port from 1 to 65535, got “%s”"), text);
      return FALSE;
    }
  *host = g_strdup (g_network_address_get_hostname (addr));
  *port = g_network_address_get_port (addr);
  return TRUE;
}

/* The address of --listen @listen: a loopback HOST:PORT, else NULL with
 * @error (a usage error). */
static GSocketAddress *
parse_listen (const char *listen, GError **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (!parse_host_port (listen, &host, &port, error))
    return NULL;

  inet = g_inet_address_new_from_string (g_strcmp0 (host, "localhost") == 0 ? "127.0.0.1" : host);
  if (inet == NULL || !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("--listen %s: only a numeric loopback address (127.0.0.1, ::1) or "
                     "localhost works, because the mock broker advertises 127.0.0.1"), listen);
      return NULL;
    }
  return g_inet_socket_address_new (inet, port);
}

/* Listens on @address (from --listen @listen) and forwards each connection
 * to the mock broker, so that clients can bootstrap from a known address. */
static GSocketService *
start_bootstrap_forward (Broker *self, GSocketAddress *address, const char *listen, GError **error)
{
  g_autoptr(GSocketService) service = NULL;

  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, NULL, error))
    {
      g_prefix_error (error, _("--listen %s: "), listen);
      return NULL;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_bootstrap_incoming), self);
  g_socket_service_start (service);
  return g_steal_pointer (&service);
}

static rd_kafka_t *
new_dummy_handle (GError **error)
{
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;

  conf = co2s_kafka_conf_new (NULL, NULL, error);
  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_log_cb (conf, on_kafka_log);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    rd_kafka_conf_destroy (conf);
  return rk;
}

/* The topic names of the comma-separated @list (spaces around names and
 * empty names dropped); NULL with @error when it names none (a usage error). */
static GStrv
parse_topics (const char *list, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (list, ",", -1);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);

      if (*name == '\0')
        continue;
      g_strv_builder_add (names, name);
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--topics “%s” names no topic"), list);
      return NULL;
    }
  return g_strv_builder_end (names);
}

static gboolean
create_topics (rd_kafka_mock_cluster_t *mcluster, const char * const *topics, GError **error)
{
  for (guint i = 0; topics[i] != NULL; i++)
    {
      rd_kafka_resp_err_t err = rd_kafka_mock_topic_create (mcluster, topics[i], opt_partitions, 1);

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       _("cannot create the topic %s: %s"), topics[i], rd_kafka_err2str (err));
          return FALSE;
        }
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  const Co2sCliSpec cli = {
    .program = "co2stream-broker",
    .parameter_string = N_("— embedded Kafka-protocol broker for demos and tests"),
    .description = description,
    .entries = entries,
    .version_librdkafka = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) listen_address = NULL;
  g_autoptr(GSocketService) forward = NULL;
  g_auto(GStrv) topics = NULL;
  Broker self = { 0 };
  int exit_status;
  rd_kafka_mock_cluster_t *mcluster;
  rd_kafka_t *rk;
  guint sigint_id, sigterm_id;

  if (!co2s_cli_parse (&cli, &argc, &argv, &exit_status))
    return exit_status;
  if (opt_partitions < 1 || opt_partitions > 1000)
    return co2s_cli_usage_error (_("--partitions %d: expected 1 to 1000"), opt_partitions);
  topics = parse_topics (opt_topics != NULL ? opt_topics : DEFAULT_TOPICS, &error);
  if (topics == NULL)
    return co2s_cli_usage_error ("%s", error->message);
  if (opt_listen != NULL)
    {
      listen_address = parse_listen (opt_listen, &error);
      if (listen_address == NULL)
        return co2s_cli_usage_error ("%s", error->message);
    }

  /* Bind the fixed bootstrap address first: a taken port fails fast. */
  if (listen_address != NULL)
    {
      forward = start_bootstrap_forward (&self, listen_address, opt_listen, &error);
      if (forward == NULL)
        return co2s_cli_failure ("%s", error->message);
    }

  /* From here on, SIGINT/SIGTERM end the process cleanly, even during
   * start-up (the loop dispatches them as soon as it runs). */
  self.loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &self);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &self);

  rk = new_dummy_handle (&error);
  if (rk == NULL)
    return co2s_cli_failure ("%s", error->message);

  mcluster = rd_kafka_mock_cluster_new (rk, 1);
  if (mcluster == NULL)
    {
      rd_kafka_destroy (rk);
      return co2s_cli_failure ("%s", _("cannot start the mock cluster (see the log above)"));
    }

  exit_status = CO2S_EXIT_FAILURE;
  if (!parse_host_port (rd_kafka_mock_cluster_bootstraps (mcluster),
                        &self.mock_host, &self.mock_port, &error))
    {
      co2s_cli_failure ("%s", error->message);
      goto out;
    }

  if (!create_topics (mcluster, (const char * const *) topics, &error))
    {
      co2s_cli_failure ("%s", error->message);
      goto out;
    }

  g_message ("mock broker at %s:%u; topics %s with %d partition(s); in memory, not durable",
             self.mock_host, self.mock_port,
             opt_topics != NULL ? opt_topics : DEFAULT_TOPICS, opt_partitions);
  /* Not translated: the supervisor and the tests wait for this line. */
  fprintf (stdout, CO2S_READY_BROKER_PREFIX "%s\n",
           opt_listen != NULL ? opt_listen : rd_kafka_mock_cluster_bootstraps (mcluster));
  fflush (stdout);

  g_main_loop_run (self.loop);
  exit_status = CO2S_EXIT_OK;

out:
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_pointer (&self.loop, g_main_loop_unref);
  if (forward != NULL)
    g_socket_service_stop (forward);
  /* librdkafka 2.0 sometimes needs up to 1 s here (an internal broker
   * thread notices its termination at its next 1 s wake-up). */
  rd_kafka_mock_cluster_destroy (mcluster);
  rd_kafka_destroy (rk);
  g_free (self.mock_host);
  return exit_status;
}
