/* main.c — co2stream-producer: reads the API's NDJSON stream and publishes
 * every line to Kafka. */
#define G_LOG_DOMAIN "co2stream-producer"

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gio.h>

#include <signal.h>

#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-producer-metrics.h"
#include "co2s-prom.h"
#include "co2s-publisher.h"
#include "co2s-seq-check.h"
#include "co2s-stream-reader.h"
#include "co2s-topic-end.h"
#include "co2s-topic-partitions.h"

#define DRAIN_CHECK_MS 20
#define PURGE_WAIT_MS  5000

typedef struct
{
  GMainLoop *loop;
  Co2sStreamReader *reader;
  Co2sPublisher *publisher;

  gboolean draining;
  gint64 drain_deadline;      /* monotonic µs; 0 = wait for librdkafka's own timeouts */
  guint drain_source;
  guint status_source;
  guint n_signals;
  gboolean fatal;
  gboolean undelivered;       /* messages were left after a purge */

  gint64 status_time;
  guint64 status_read;
  char *failure;              /* why the reader gave up (translated), or NULL */
} App;

static char *opt_api = "http://127.0.0.1:8000" CO2S_API_STREAM_PATH;
static char *opt_brokers = CO2S_DEFAULT_BROKERS;
static char *opt_topic = CO2S_TOPIC_DATA;
static char *opt_dlq_topic = CO2S_TOPIC_DLQ;
static char **opt_props;
static gboolean opt_exit_at_end;
static int opt_status_interval = 5;
static int opt_flush_timeout = 10;
static int opt_startup_timeout = 30;
static gboolean opt_from_start;
static gint64 opt_max_seq_jump = CO2S_SEQ_DEFAULT_MAX_JUMP;
static int opt_idle_timeout = 60;
static int opt_give_up_after = 300;
static char *opt_metrics_listen;
static int opt_partitions;
static gboolean opt_prepare_topic;

/* The default topics are spelled out (CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ):
 * xgettext cannot expand macros. */
static const GOptionEntry entries[] = {
  { "api", 'a', 0, G_OPTION_ARG_STRING, &opt_api,
    N_("NDJSON stream to read (default http://127.0.0.1:8000/stream)"), N_("URL") },
  { "brokers", 'b', 0, G_OPTION_ARG_STRING, &opt_brokers,
    N_("Kafka bootstrap servers (default 127.0.0.1:9092)"), N_("LIST") },
  { "topic", 't', 0, G_OPTION_ARG_STRING, &opt_topic,
    N_("Topic of the rows (default streaming_data)"), N_("TOPIC") },
  { "dlq-topic", 0, 0, G_OPTION_ARG_STRING, &opt_dlq_topic,
    N_("Dead-letter topic for lines that are not JSON objects or whose seq is refused "
       "(default streaming_data.dlq)"), N_("TOPIC") },
  { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &opt_props,
    N_("Set a librdkafka property, e.g. -X compression.type=lz4 (repeatable)"), N_("KEY=VALUE") },
  { "exit-at-end", 0, 0, G_OPTION_ARG_NONE, &opt_exit_at_end,
    N_("Exit once the stream ends cleanly and every row is delivered"), NULL },
  { "status-interval", 0, 0, G_OPTION_ARG_INT, &opt_status_interval,
    N_("Seconds between status lines on stderr; 0 for none (default 5)"), N_("SECONDS") },
  { "flush-timeout", 0, 0, G_OPTION_ARG_INT, &opt_flush_timeout,
    N_("Seconds to wait for deliveries after SIGINT/SIGTERM (default 10)"), N_("SECONDS") },
  { "from-start", 0, 0, G_OPTION_ARG_NONE, &opt_from_start,
    N_("Start from the API's beginning even when the topic holds rows (republishes them)"), NULL },
  { "startup-timeout", 0, 0, G_OPTION_ARG_INT, &opt_startup_timeout,
    N_("Seconds to find where the topic ends before giving up (default 30)"), N_("SECONDS") },
  { "max-seq-jump", 0, 0, G_OPTION_ARG_INT64, &opt_max_seq_jump,
    N_("Dead-letter a row whose seq is more than N above the last published one; 0 for no limit "
       "(default 1000000)"), N_("N") },
  { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &opt_idle_timeout,
    N_("Seconds without data from the API before asking again; 0 for none (default 60)"), N_("SECONDS") },
  { "give-up-after", 0, 0, G_OPTION_ARG_INT, &opt_give_up_after,
    N_("With --exit-at-end: seconds of failed attempts to read the API (no answer, HTTP 5xx, "
       "stalls) before exiting with status 1; 0 for never (default 300)"), N_("SECONDS") },
  { "partitions", 0, 0, G_OPTION_ARG_INT, &opt_partitions,
    N_("Before publishing, make sure TOPIC has at least N partitions (creates it with N, or adds "
       "partitions; never removes any); off unless given"), "N" },
  { "prepare-topic", 0, 0, G_OPTION_ARG_NONE, &opt_prepare_topic,
    N_("Only make sure of --partitions, print what was done, and exit (no --api needed)"), NULL },
  { "metrics-listen", 0, 0, G_OPTION_ARG_STRING, &opt_metrics_listen,
    N_("Serve Prometheus metrics at http://ADDRESS/metrics: PORT (on 127.0.0.1 only), "
       "HOST:PORT (0.0.0.0: every interface) or [IPV6]:PORT; off unless given"), N_("[HOST:]PORT") },
  G_OPTION_ENTRY_NULL
};

/* Translators: keep the property names, the header names and reasons
 * (reason, detail, source, not-json, seq-missing…), "seq", ?from=, limit=
 * and the option names as they are. */
static const char *const description = N_(
  "Reads one JSON object per line from the API (GET URL) and publishes each line\n"
  "unchanged to TOPIC, with key = the line's \"seq\" as decimal text, through an\n"
  "idempotent librdkafka producer (linger.ms=5, no compression unless -X says so).\n"
  "\n"
  "Servers: any server writing NDJSON works. The first JSON object decides how the\n"
  "stream is numbered. If it has a \"seq\", every row must have one: an integer\n"
  "from 0 to 9007199254740991 (2^53 − 1), above the last published seq and at most\n"
  "--max-seq-jump above it. A row whose seq is missing, not an integer, negative,\n"
  "too large or too far ahead goes to the dead-letter topic (reason seq-missing,\n"
  "seq-not-integer, seq-negative, seq-too-large, seq-jump) and the rows after it\n"
  "are published as if it had not been there. A row whose seq is not above the\n"
  "last published one is a duplicate: dropped, counted and logged. If the first\n"
  "object has no \"seq\", the producer numbers the rows (previous seq + 1, from 0),\n"
  "and a row that does carry a \"seq\" goes to the dead-letter topic (reason\n"
  "seq-unexpected): its seq would contradict its key. Lines that are not strict\n"
  "JSON objects (RFC 8259, as the trainer reads them: no comments, hex numbers,\n"
  "second object…) go there too (reason not-json or not-object). Dead letters\n"
  "carry the headers reason, detail (what is wrong and where, after which seq)\n"
  "and source (the URL).\n"
  "\n"
  "Reconnection: when the API is unreachable or the connection drops, the producer\n"
  "retries with backoff (0.1 s doubling up to 5 s) and asks for ?from=<last\n"
  "produced seq + 1> (a limit= in the URL is lowered by the rows already read), so\n"
  "nothing is skipped or published twice. Without --exit-at-end, a stream that\n"
  "ends is asked again the same way (like tail -F). A connection that brings\n"
  "nothing for --idle-timeout seconds (a stall, before or after the first line)\n"
  "is dropped and asked again (\"no data for N s from API URL\"), and so is a body\n"
  "closed after the headers with no line and no proper end: neither is the end of\n"
  "the stream, with or without --exit-at-end.\n"
  "\n"
  "HTTP errors: a 5xx, 408 or 429 answer is retried the same way; every failed\n"
  "attempt is logged with its count and for how long the API has been failing.\n"
  "With --exit-at-end the producer gives up after --give-up-after seconds of\n"
  "failures in a row (exit status 1); without it, it keeps trying. Any other 4xx\n"
  "(404, 400…) is a configuration error that asking again will not mend: the\n"
  "producer exits with status 1 at once, naming the status and the URL.\n"
  "\n"
  "Restarts: before its first request the producer reads the last message of\n"
  "every partition of TOPIC and asks for ?from=<greatest seq + 1>; rows at or\n"
  "below that seq are dropped as duplicates. An empty or missing topic starts at\n"
  "the API's beginning, as --from-start always does (republishing every row).\n"
  "When the last messages have no seq (key or JSON) or one above 2^53 − 1, or the\n"
  "broker does not answer within --startup-timeout, the producer exits with\n"
  "status 1.\n"
  "LIMITATIONS: resuming needs a server that numbers its lines with \"seq\" and\n"
  "honours from=; with a server that has no seq, a reconnection starts wherever\n"
  "the server starts and rows may repeat. libsoup reads a chunked body cut exactly\n"
  "between two chunks as a clean end; the producer counts as a drop a partial last\n"
  "line, fewer rows than the URL's limit=, or a keep-alive connection the server\n"
  "closed under the body. Over https that last check is not possible: there, with\n"
  "--exit-at-end and no limit=, such a cut ends the run early. On a topic with\n"
  "several partitions, rows still in flight to one partition when the producer\n"
  "was killed can be missed by a restart (with one partition they cannot). A bad\n"
  "line right before a dropped connection can reach the dead-letter topic twice\n"
  "(asked again from the seq after the last good row). A body that only the\n"
  "connection's close ends (no length, not chunked) cannot be told from an empty\n"
  "one when it is closed before its first line.\n"
  "\n"
  "Broker down: librdkafka keeps retrying for message.timeout.ms (default 300000).\n"
  "While its queue is full the producer stops reading the API (backpressure). A\n"
  "row that still cannot be delivered stops the producer (exit 1) before any later\n"
  "row is published: restarted, it resumes after the topic's last row, so the\n"
  "topic has no gap. (A row the broker refuses for itself, too large say, is\n"
  "logged, counted and skipped.)\n"
  "\n"
  "Exit: SIGINT/SIGTERM stop reading, wait up to --flush-timeout for deliveries and\n"
  "print a summary (read, produced, delivered, failed, dlq, duplicates). The exit\n"
  "status is 0 unless a message failed or was left undelivered, where the topic\n"
  "ends could not be found, or the API answered a 4xx or failed for\n"
  "--give-up-after (1), or the arguments are wrong (2).");

/* Where the topic ends: the first request asks for the row after it, and
 * the publisher drops anything at or below it. FALSE with @error when the
 * end cannot be found. */
static gboolean
resume_after_topic_end (Co2sPublisher *publisher, Co2sStreamReader *reader, GError **error)
{
  gint64 last_seq;

  if (!co2s_topic_find_last_seq (opt_brokers, (const char * const *) opt_props, opt_topic,
                                 (guint) opt_startup_timeout, &last_seq, error))
    return FALSE;
  if (last_seq < 0)
    {
      g_message ("topic %s is empty: starting from the beginning", opt_topic);
      return TRUE;
    }
  if (last_seq > CO2S_SEQ_MAX)
    {
      /* Written by an older producer that took any seq: resuming after it
       * would drop every real row as a duplicate. */
      char last[24], max[24];

      g_snprintf (last, sizeof last, "%" G_GINT64_FORMAT, last_seq);
      g_snprintf (max, sizeof max, "%" G_GINT64_FORMAT, CO2S_SEQ_MAX);
      /* Translators: the %s are numbers */
      g_set_error (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_NO_SEQ,
                   _("its last seq, %s, is above %s, the greatest seq the producer publishes"),
                   last, max);
      return FALSE;
    }
  g_message ("resuming after seq %" G_GINT64_FORMAT " found in %s", last_seq, opt_topic);
  co2s_publisher_set_last_seq (publisher, last_seq);
  co2s_stream_reader_set_resume_from (reader, last_seq + 1);
  return TRUE;
}

static void
print_summary (App *app)
{
  Co2sPublisherStats st;

  co2s_publisher_get_stats (app->publisher, &st);
  /* Not translated: tests and scripts read these key=value pairs. */
  g_message ("summary: read=%" G_GUINT64_FORMAT " produced=%" G_GUINT64_FORMAT
             " delivered=%" G_GUINT64_FORMAT " failed=%" G_GUINT64_FORMAT
             " dlq=%" G_GUINT64_FORMAT " dlq_failed=%" G_GUINT64_FORMAT
             " duplicates=%" G_GUINT64_FORMAT " in_flight=%" G_GUINT64_FORMAT
             " last_seq=%" G_GINT64_FORMAT " queue_full=%" G_GUINT64_FORMAT,
             st.read, st.produced, st.delivered, st.failed, st.dlq, st.dlq_failed,
             st.duplicates, co2s_publisher_get_in_flight (app->publisher), st.last_seq,
             st.queue_full);
}

static gboolean
on_status (gpointer user_data)
{
  App *app = user_data;
  Co2sPublisherStats st;
  gint64 now = g_get_monotonic_time ();
  double secs = (now - app->status_time) / (double) G_USEC_PER_SEC;

  co2s_publisher_get_stats (app->publisher, &st);
  g_message ("status: %.0f rows/s; read %" G_GUINT64_FORMAT ", delivered %" G_GUINT64_FORMAT
             ", in flight %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT
             ", dlq %" G_GUINT64_FORMAT ", duplicates %" G_GUINT64_FORMAT "%s",
             secs > 0 ? (st.read - app->status_read) / secs : 0.0,
             st.read, st.delivered, co2s_publisher_get_in_flight (app->publisher),
             st.failed, st.dlq, st.duplicates,
             co2s_stream_reader_is_blocked (app->reader) ? " (waiting for Kafka: queue full)" : "");
  app->status_time = now;
  app->status_read = st.read;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_drain_check (gpointer user_data)
{
  App *app = user_data;

  co2s_publisher_poll (app->publisher);
  if (co2s_publisher_get_in_flight (app->publisher) == 0)
    {
      app->drain_source = 0;
      g_main_loop_quit (app->loop);
      return G_SOURCE_REMOVE;
    }

  if (app->drain_deadline != 0 && g_get_monotonic_time () >= app->drain_deadline)
    {
      g_warning ("flush timed out after %d s with %" G_GUINT64_FORMAT " message(s) in flight",
                 opt_flush_timeout, co2s_publisher_get_in_flight (app->publisher));
      app->undelivered = !co2s_publisher_purge (app->publisher, PURGE_WAIT_MS);
      app->drain_source = 0;
      g_main_loop_quit (app->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Stops reading and waits (on the main loop) until every message is
 * reported, or until @timeout_s (0: librdkafka's own message timeout). */
static void
start_drain (App *app, guint timeout_s)
{
  co2s_stream_reader_stop (app->reader);
  if (app->draining)
    return;
  app->draining = TRUE;
  app->drain_deadline = timeout_s > 0 ? g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC : 0;
  g_message ("waiting for %" G_GUINT64_FORMAT " message(s) in flight",
             co2s_publisher_get_in_flight (app->publisher));
  app->drain_source = g_timeout_add (DRAIN_CHECK_MS, on_drain_check, app);
}

static gboolean
on_unix_signal (gpointer user_data)
{
  App *app = user_data;

  if (app->n_signals++ == 0)
    {
      g_message ("signal received: stopping; flushing for at most %d s", opt_flush_timeout);
      start_drain (app, MAX (opt_flush_timeout, 1));
      if (app->drain_deadline == 0)
        app->drain_deadline = g_get_monotonic_time () + MAX (opt_flush_timeout, 1) * G_USEC_PER_SEC;
    }
  else
    {
      g_message ("second signal: giving up on the remaining deliveries");
      app->undelivered = !co2s_publisher_purge (app->publisher, PURGE_WAIT_MS);
      g_main_loop_quit (app->loop);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_ended (Co2sStreamReader *reader, App *app)
{
  if (opt_exit_at_end)
    {
      g_message ("stream ended; exiting once every row is delivered");
      start_drain (app, 0);
    }
}

/* The reader gave up for good: deliver what was read, then exit 1. */
static void
on_failed (Co2sStreamReader *reader, const GError *error, App *app)
{
  if (app->failure != NULL)
    return;
  if (g_error_matches (error, CO2S_STREAM_READER_ERROR, CO2S_STREAM_READER_ERROR_CLIENT_ERROR))
    /* Translators: %s is "API URL answered HTTP 404 Not Found" */
    app->failure = g_strdup_printf (_("%s: a client error, which asking again will not mend; "
                                      "check --api (its host, path and query)"), error->message);
  else
    /* Translators: the first %s is a URL, the second "6 failed attempts in a row over 3.1 s;
     * the last: API URL answered HTTP 500 Internal Server Error", %d a number of seconds */
    app->failure = g_strdup_printf (_("giving up on API %s after %s (--give-up-after %d sets how "
                                      "long; without --exit-at-end the producer keeps trying)"),
                                    opt_api, error->message, opt_give_up_after);
  start_drain (app, 0);
}

static void
on_ready (Co2sPublisher *publisher, App *app)
{
  co2s_stream_reader_unblock (app->reader);
}

static gboolean
stop_after_fatal_error (gpointer user_data)
{
  App *app = user_data;

  app->undelivered = !co2s_publisher_purge (app->publisher, PURGE_WAIT_MS);
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

/* Emitted from inside rd_kafka_poll: finish from an idle instead. */
static void
on_fatal_error (Co2sPublisher *publisher, const char *message, App *app)
{
  if (app->fatal)
    return;
  app->fatal = TRUE;
  co2s_stream_reader_stop (app->reader);
  g_idle_add (stop_after_fatal_error, app);
}

static Co2sLineResult
on_line (const char *line, gsize len, gpointer user_data)
{
  App *app = user_data;

  switch (co2s_publisher_publish_line (app->publisher, line, len))
    {
    case CO2S_PUBLISH_QUEUE_FULL:
      return CO2S_LINE_BLOCKED;
    case CO2S_PUBLISH_DUPLICATE:
      return CO2S_LINE_DUPLICATE;
    case CO2S_PUBLISH_PRODUCED:
    case CO2S_PUBLISH_DEAD_LETTER:
    case CO2S_PUBLISH_FAILED:
    default:
      co2s_stream_reader_set_resume_from (app->reader, co2s_publisher_get_resume_seq (app->publisher));
      return CO2S_LINE_ACCEPTED;
    }
}

int
main (int argc, char *argv[])
{
  const Co2sCliSpec cli = {
    .program = "co2stream-producer",
    .parameter_string = N_("- publish the API's NDJSON stream to Kafka"),
    .description = description,
    .entries = entries,
    .version_librdkafka = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sStreamReader) reader = NULL;
  g_autoptr(Co2sPublisher) publisher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(Co2sProducerMetrics) metrics = NULL;
  g_autofree char *metrics_host = NULL;
  guint16 metrics_port = 0;
  Co2sPublisherStats st;
  App app = { 0 };
  char failed[32], dlq_failed[32];
  int status;

  if (!co2s_cli_parse (&cli, &argc, &argv, &status))
    return status;
  if (opt_status_interval < 0 || opt_flush_timeout < 0)
    return co2s_cli_usage_error ("%s", _("--status-interval and --flush-timeout must be ≥ 0"));
  if (opt_startup_timeout < 1)
    return co2s_cli_usage_error ("%s", _("--startup-timeout must be ≥ 1"));
  if (opt_max_seq_jump < 0)
    return co2s_cli_usage_error ("%s", _("--max-seq-jump must be ≥ 0"));
  if (opt_idle_timeout < 0)
    return co2s_cli_usage_error ("%s", _("--idle-timeout must be ≥ 0"));
  if (opt_give_up_after < 0)
    return co2s_cli_usage_error ("%s", _("--give-up-after must be ≥ 0"));
  if (opt_topic[0] == '\0' || opt_dlq_topic[0] == '\0')
    return co2s_cli_usage_error ("%s", _("--topic and --dlq-topic must not be empty"));
  if (opt_metrics_listen != NULL &&
      !co2s_prom_parse_listen (opt_metrics_listen, &metrics_host, &metrics_port, &error))
    return co2s_cli_usage_error ("%s", error->message);

  if (opt_partitions < 0 || (opt_partitions == 0 && opt_prepare_topic))
    return co2s_cli_usage_error ("%s", _("--partitions must be ≥ 1 (and is needed by --prepare-topic)"));
  if (opt_partitions > 0)
    {
      Co2sTopicPartitions parts;

      if (!co2s_topic_ensure_partitions (opt_brokers, (const char * const *) opt_props, opt_topic,
                                         opt_partitions, (guint) opt_startup_timeout, &parts, &error))
        return co2s_cli_failure ("%s", error->message);
      /* Not translated: the supervisor's log and tests read it. */
      if (parts.before == 0)
        g_print ("topic %s: created with %d partitions\n", opt_topic, parts.after);
      else if (parts.before < opt_partitions)
        g_print ("topic %s: %d partitions, was %d: %d added (none is ever removed)\n", opt_topic,
                 parts.after, parts.before, parts.after - parts.before);
      else
        g_print ("topic %s: %d partitions already (at least %d asked)\n", opt_topic, parts.after,
                 opt_partitions);
      if (opt_prepare_topic)
        return 0;
    }

  reader = co2s_stream_reader_new (opt_api, &error);
  if (reader == NULL)
    return co2s_cli_usage_error ("--api: %s", error->message);
  co2s_stream_reader_set_idle_timeout (reader, (guint) opt_idle_timeout);
  /* Without --exit-at-end the producer is a service: it keeps trying (a
   * supervisor would only start it again). */
  co2s_stream_reader_set_give_up_after (reader, opt_exit_at_end ? (guint) opt_give_up_after : 0);

  /* It fails on a configuration librdkafka refuses (-X): a usage error. */
  publisher = co2s_publisher_new (opt_brokers, (const char * const *) opt_props,
                                  opt_topic, opt_dlq_topic, opt_api, &error);
  if (publisher == NULL)
    return co2s_cli_usage_error ("%s", error->message);
  co2s_publisher_set_max_seq_jump (publisher, opt_max_seq_jump);
  if (metrics_host != NULL)
    {
      metrics = co2s_producer_metrics_new (publisher, reader, metrics_host, metrics_port, &error);
      if (metrics == NULL)
        return co2s_cli_failure ("%s", error->message);
    }

  /* Before the signal handlers: a signal during the lookup just ends it. */
  if (opt_from_start)
    g_message ("--from-start: starting from the API's beginning, whatever %s holds", opt_topic);
  else if (!resume_after_topic_end (publisher, reader, &error))
    {
      if (g_error_matches (error, CO2S_TOPIC_END_ERROR, CO2S_TOPIC_END_ERROR_NO_SEQ))
        /* Translators: the first %s is a topic, the second a broker list */
        return co2s_cli_failure (_("cannot find where topic “%s” ends at %s: %s; --from-start "
                                   "republishes from the API's beginning"),
                                 opt_topic, opt_brokers, error->message);
      /* Translators: the first %s is a topic, the second a broker list */
      return co2s_cli_failure (_("cannot find where topic “%s” ends at %s: %s"),
                               opt_topic, opt_brokers, error->message);
    }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.reader = reader;
  app.publisher = publisher;
  app.status_time = g_get_monotonic_time ();

  co2s_stream_reader_set_line_func (reader, on_line, &app, NULL);
  co2s_stream_reader_set_follow (reader, !opt_exit_at_end);
  g_signal_connect (reader, "ended", G_CALLBACK (on_ended), &app);
  g_signal_connect (reader, "failed", G_CALLBACK (on_failed), &app);
  g_signal_connect (publisher, "ready", G_CALLBACK (on_ready), &app);
  g_signal_connect (publisher, "fatal-error", G_CALLBACK (on_fatal_error), &app);

  g_unix_signal_add (SIGINT, on_unix_signal, &app);
  g_unix_signal_add (SIGTERM, on_unix_signal, &app);
  if (opt_status_interval > 0)
    app.status_source = g_timeout_add_seconds (opt_status_interval, on_status, &app);

  g_message ("publishing %s to %s at %s (dead letters to %s)",
             opt_api, opt_topic, opt_brokers, opt_dlq_topic);
  co2s_stream_reader_start (reader);
  g_main_loop_run (loop);

  co2s_stream_reader_stop (reader);
  g_clear_handle_id (&app.status_source, g_source_remove);
  g_clear_handle_id (&app.drain_source, g_source_remove);
  co2s_publisher_flush_log (publisher);
  if (metrics != NULL)
    co2s_producer_metrics_refresh (metrics);
  print_summary (&app);

  co2s_publisher_get_stats (publisher, &st);
  g_snprintf (failed, sizeof failed, "%" G_GUINT64_FORMAT, st.failed);
  g_snprintf (dlq_failed, sizeof dlq_failed, "%" G_GUINT64_FORMAT, st.dlq_failed);
  status = CO2S_EXIT_OK;
  if (app.fatal || app.undelivered || st.failed > 0 || st.dlq_failed > 0 ||
      co2s_publisher_get_in_flight (publisher) > 0)
    {
      /* Translators: the %s are counts of messages */
      status = co2s_cli_failure (_("not every row was delivered (failed %s, dead letters failed %s); "
                                   "exiting with status 1"), failed, dlq_failed);
    }
  if (app.failure != NULL)
    {
      status = co2s_cli_failure ("%s", app.failure);
      g_free (app.failure);
    }
  return status;
}
