/* main.c — co2stream-trainer: Kafka → micro-batches → online model. */
#define G_LOG_DOMAIN "co2stream-trainer"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "co2s-checkpoint.h"
#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-prom-server.h"
#include "co2s-shard-trainer.h"
#include "co2s-state-topic.h"
#include "co2s-trainer.h"
#include "co2s-trainer-prom.h"

#define MAX_BATCH_ROWS 1000000
/* Chosen by measuring (bench/group-commit.py, README "Benchmarks"); the
 * --help text says it too. */
#define DEFAULT_CHECKPOINT_MS 200
#define MAX_CHECKPOINT_MS 3600000

static char *opt_brokers;
static char *opt_topic;
static char *opt_group;
static char *opt_model_dir;
static int opt_batch_rows = 100;
static int opt_batch_ms = 1000;
static char *opt_algo;
static int opt_champion_window = CO2S_CHAMPION_WINDOW_DEFAULT;
static gboolean opt_reset;
static double opt_exit_when_idle;
static gint64 opt_max_rows;
static int opt_checkpoint_ms = DEFAULT_CHECKPOINT_MS;
static int opt_checkpoint_every = -1;   /* not given: no limit */
static double opt_metrics_max_mb = 100.0;
static char **opt_overrides;
static char *opt_metrics_listen;
static gboolean opt_scale_out;
static char *opt_state_topic;
static char *opt_trainer_id;


/* The default topic is spelled out (CO2S_TOPIC_DATA): xgettext cannot
 * expand macros. */
static const GOptionEntry entries[] = {
  { "brokers", 'b', 0, G_OPTION_ARG_STRING, &opt_brokers,
    N_("Kafka bootstrap servers (default 127.0.0.1:9092)"), N_("LIST") },
  { "topic", 't', 0, G_OPTION_ARG_STRING, &opt_topic,
    N_("Topic of records to learn from (default streaming_data)"), N_("TOPIC") },
  { "group", 'g', 0, G_OPTION_ARG_STRING, &opt_group,
    N_("Consumer group (default co2stream-trainer)"), N_("GROUP") },
  { "model-dir", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model_dir,
    N_("Folder of model.json and metrics.jsonl (default models)"), N_("DIR") },
  { "batch-rows", 'n', 0, G_OPTION_ARG_INT, &opt_batch_rows,
    N_("A batch closes at this many messages (default 100)"), N_("N") },
  { "batch-ms", 0, 0, G_OPTION_ARG_INT, &opt_batch_ms,
    N_("...or this many milliseconds after its first message (default 1000)"), N_("MS") },
  { "algo", 'a', 0, G_OPTION_ARG_STRING, &opt_algo,
    N_("ls (exact online least squares) or sgd (scikit-learn SGDRegressor), on the base "
       "features or, as ls:fuel, with slopes per fuel type; several, comma-separated "
       "(ls,ls:fuel,sgd), learn side by side; default: the model file's, else ls"),
    N_("ALGO[:FEATURES][,...]") },
  { "champion-window", 0, 0, G_OPTION_ARG_INT, &opt_champion_window,
    N_("With several models, the champion is the one with the lowest prequential RMSE over "
       "this many recent batches (default 20)"), N_("N") },
  { "reset", 0, 0, G_OPTION_ARG_NONE, &opt_reset,
    N_("Start a fresh model and replay the topic from its beginning; empties metrics.jsonl"), NULL },
  { "exit-when-idle", 0, 0, G_OPTION_ARG_DOUBLE, &opt_exit_when_idle,
    N_("Finish once no message arrived for this long (batch jobs, tests)"), N_("SECONDS") },
  { "max-rows", 0, 0, G_OPTION_ARG_INT64, &opt_max_rows,
    N_("Finish after consuming this many messages in this run"), N_("N") },
  { "checkpoint-ms", 0, 0, G_OPTION_ARG_INT, &opt_checkpoint_ms,
    N_("Save learned batches at the latest this many milliseconds after the first of them "
       "(default 200; sooner when the trainer is caught up; 0: after every batch)"), N_("MS") },
  { "checkpoint-every", 'k', 0, G_OPTION_ARG_INT, &opt_checkpoint_every,
    N_("...or once K learned batches wait (default: no limit)"), N_("K") },
  { "metrics-max-mb", 0, 0, G_OPTION_ARG_DOUBLE, &opt_metrics_max_mb,
    N_("Size budget of metrics.jsonl and metrics-history.jsonl together (default 100): older "
       "batches are folded into min/max/mean buckets"), N_("MB") },
  { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &opt_overrides,
    N_("Any librdkafka property, for both the consumer and the producer (repeatable)"), N_("KEY=VALUE") },
  { "metrics-listen", 0, 0, G_OPTION_ARG_STRING, &opt_metrics_listen,
    N_("Serve Prometheus metrics at http://ADDRESS/metrics: PORT (on 127.0.0.1 only), "
       "HOST:PORT (0.0.0.0: every interface) or [IPV6]:PORT; off unless given"), N_("[HOST:]PORT") },
  { "scale-out", 0, 0, G_OPTION_ARG_NONE, &opt_scale_out,
    N_("Learn in parallel with the other trainers of the group (ls models only): each learns "
       "the partitions it is assigned, their states kept in --state-topic in Kafka "
       "transactions; the merged model goes to DIR/model.json (written by the owner of "
       "partition 0), each trainer's own files to DIR/trainers/ID"), NULL },
  { "state-topic", 0, 0, G_OPTION_ARG_STRING, &opt_state_topic,
    N_("With --scale-out: the compacted topic of the partitions' states (default "
       "streaming_model_state)"), N_("TOPIC") },
  { "trainer-id", 0, 0, G_OPTION_ARG_STRING, &opt_trainer_id,
    N_("With --scale-out: this trainer's name, letters, digits, '.', '_' or '-' (default "
       "HOST-PID); give the same one after a restart so that it fences its old self at once"),
    N_("ID") },
  G_OPTION_ENTRY_NULL
};

/* The topics are spelled out (CO2S_TOPIC_METRICS, CO2S_TOPIC_DLQ): xgettext
 * cannot expand macros.
 * Translators: keep the file, topic, header and option names; DIR is the
 * placeholder of --model-dir. */
static const char *const description = N_(
  "Consumes vehicle records from Kafka in micro-batches. For every batch it\n"
  "predicts the rows with the model as it was (prequential RMSE and MAE), learns\n"
  "them and measures the RMSE after learning (rmse_fit). Learned batches are\n"
  "saved together (group commit): at once when the trainer has caught up with\n"
  "the topic, else at the latest --checkpoint-ms after the first of them, or\n"
  "when --checkpoint-every batches wait. A checkpoint, in this order: appends one\n"
  "JSON line per batch to DIR/metrics.jsonl (fdatasync), writes DIR/model.json\n"
  "atomically (temp file, fsync, rename) with the offsets that follow its\n"
  "batches, commits those offsets to the consumer group (asynchronously;\n"
  "synchronously on exit), publishes the same JSON lines to streaming_metrics,\n"
  "and prints one line per batch on standard output.\n"
  "\n"
  "The model file is the source of truth: on start, partitions are assigned at\n"
  "its offsets (the group's committed offsets are used only without a model\n"
  "file), so a trainer killed at any moment and restarted ends with the model of\n"
  "an uninterrupted run: the batches learned after the last checkpoint are\n"
  "learned again. Lines of metrics.jsonl for batches the model file does\n"
  "not hold (a crash between the two writes) are removed on start and written\n"
  "again. If the model file's offsets are no longer in the log (pruned), the\n"
  "trainer says so and continues from the earliest available offset with the\n"
  "current model. If they belong to another cluster or topic (the broker's data\n"
  "was reset, another Kafka, the embedded demo broker), the model learned another\n"
  "log: it is handled as a replaced log, below.\n"
  "\n"
  "If the topic's log is not the one the model learned (the topic was deleted\n"
  "and recreated, or its log truncated: Kafka numbers the new log from 0\n"
  "again), which the trainer tells by the last record learned from each\n"
  "partition (offset, time, key and SHA-256, kept in model.json), checked on\n"
  "start and every 5 seconds while it runs, it says so, keeps\n"
  "DIR/model.old-log-TIME.json and DIR/metrics.old-log-TIME.jsonl, and learns\n"
  "the new log from its beginning with a fresh model, as --reset does: no row\n"
  "of the new log is skipped, none is learned twice. Records removed by\n"
  "retention are no such sign.\n"
  "\n"
  "A message that is not a valid record (not JSON, missing or non-numeric\n"
  "feature, null, NaN, infinite or absurd value) never reaches the model: it is\n"
  "copied to streaming_data.dlq with the headers reason, detail and source, and\n"
  "counted (dlq in the metrics). Dead letters are at-least-once (a crash may\n"
  "send one twice); the metrics topic is a live feed and may miss the batches\n"
  "of a crash; metrics.jsonl and metrics-history.jsonl hold every batch of the\n"
  "model exactly once, the older ones folded into min/max/mean buckets so that\n"
  "both stay within --metrics-max-mb.\n"
  "\n"
  "SIGINT/SIGTERM, --exit-when-idle and --max-rows finish the current batch,\n"
  "checkpoint, commit, flush and exit 0. --exit-when-idle does not take the\n"
  "silence of a broker that does not answer for the end of the topic: it waits\n"
  "for it (and exits 1 after 60 s without a partition). A corrupt model file\n"
  "stops the trainer (exit 1) unless --reset is given.");

static gboolean
on_signal (gpointer user_data)
{
  g_message ("signal received: finishing the current batch");
  if (CO2S_IS_SHARD_TRAINER (user_data))
    co2s_shard_trainer_request_stop (user_data);
  else
    co2s_trainer_request_stop (user_data);
  return G_SOURCE_CONTINUE;
}

/* Checks the parsed values and fills @opts; a bad value sets @error. */
static gboolean
check_options (Co2sTrainerOptions *opts, GError **error)
{
  if (opt_batch_rows < 1 || opt_batch_rows > MAX_BATCH_ROWS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--batch-rows %d: must be between 1 and %d"), opt_batch_rows, MAX_BATCH_ROWS);
      return FALSE;
    }
  if (opt_batch_ms < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--batch-ms %d: must be at least 1"), opt_batch_ms);
      return FALSE;
    }
  if (opt_checkpoint_ms < 0 || opt_checkpoint_ms > MAX_CHECKPOINT_MS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--checkpoint-ms %d: must be between 0 (after every batch) and %d"),
                   opt_checkpoint_ms, MAX_CHECKPOINT_MS);
      return FALSE;
    }
  if (opt_checkpoint_every != -1 && opt_checkpoint_every < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--checkpoint-every %d: must be at least 1"), opt_checkpoint_every);
      return FALSE;
    }
  if (!(opt_metrics_max_mb >= 0.05 && opt_metrics_max_mb <= 1048576.0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--metrics-max-mb %g: must be between 0.05 and 1048576"), opt_metrics_max_mb);
      return FALSE;
    }
  if (opt_exit_when_idle < 0 || opt_exit_when_idle > 86400.0 * 365)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--exit-when-idle %g: must be a number of seconds ≥ 0"), opt_exit_when_idle);
      return FALSE;
    }
  if (opt_max_rows < 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, opt_max_rows);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--max-rows %s: must be ≥ 0"), text);
      return FALSE;
    }
  if (opt_algo != NULL &&
      !co2s_model_spec_parse_list (opt_algo, opts->models, &opts->n_models, error))
    {
      g_prefix_error (error, "--algo: ");
      return FALSE;
    }
  if (opt_champion_window < 1 || opt_champion_window > CO2S_CHAMPION_WINDOW_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--champion-window %d: must be 1 to %d"), opt_champion_window,
                   CO2S_CHAMPION_WINDOW_MAX);
      return FALSE;
    }
  if (opt_topic != NULL && *opt_topic == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--topic: must not be empty"));
      return FALSE;
    }
  if (opt_group != NULL && *opt_group == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--group: must not be empty"));
      return FALSE;
    }

  if ((opt_state_topic != NULL || opt_trainer_id != NULL) && !opt_scale_out)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--state-topic and --trainer-id go with --scale-out"));
      return FALSE;
    }
  if (opt_state_topic != NULL && *opt_state_topic == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--state-topic: must not be empty"));
      return FALSE;
    }
  if (opt_trainer_id != NULL &&
      (*opt_trainer_id == '\0' || strlen (opt_trainer_id) > 64 ||
       strspn (opt_trainer_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
         strlen (opt_trainer_id)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--trainer-id %s: use 1 to 64 letters, digits, '.', '_' or '-'"), opt_trainer_id);
      return FALSE;
    }
  if (opt_scale_out)
    {
      opts->state_topic = opt_state_topic ? opt_state_topic : (char *) CO2S_STATE_TOPIC_DEFAULT;
      if (opt_trainer_id != NULL)
        opts->trainer_id = g_strdup (opt_trainer_id);
      else
        {
          g_autoptr(GString) id = g_string_new (NULL);

          /* The host name, kept to the characters an id may have. */
          for (const char *c = g_get_host_name (); *c != '\0' && id->len < 40; c++)
            g_string_append_c (id, g_ascii_isalnum (*c) || *c == '.' || *c == '_' || *c == '-' ? *c : '_');
          g_string_append_printf (id, "-%d", (int) getpid ());
          opts->trainer_id = g_string_free (g_steal_pointer (&id), FALSE);
        }
    }

  opts->algo_given = opt_algo != NULL;
  if (!opts->algo_given)
    {
      opts->models[0] = (Co2sModelSpec) { CO2S_ALGO_LS, CO2S_FEATURES_BASE };
      opts->n_models = 1;
    }
  opts->champion_window = (guint) opt_champion_window;
  opts->brokers = opt_brokers ? opt_brokers : (char *) CO2S_DEFAULT_BROKERS;
  opts->topic = opt_topic ? opt_topic : (char *) CO2S_TOPIC_DATA;
  opts->group = opt_group ? opt_group : (char *) CO2S_TRAINER_GROUP;
  opts->model_dir = opt_model_dir ? opt_model_dir : (char *) CO2S_DEFAULT_MODEL_DIR;
  opts->batch_rows = (guint) opt_batch_rows;
  opts->batch_ms = (guint) opt_batch_ms;
  opts->reset = opt_reset;
  opts->exit_when_idle = opt_exit_when_idle;
  opts->max_rows = (guint64) opt_max_rows;
  opts->checkpoint_ms = (guint) opt_checkpoint_ms;
  opts->checkpoint_every = opt_checkpoint_every > 0 ? (guint) opt_checkpoint_every : 0;
  opts->metrics_max_bytes = (guint64) (opt_metrics_max_mb * 1024 * 1024);
  opts->overrides = opt_overrides;
  return TRUE;
}

int
main (int argc, char *argv[])
{
  const Co2sCliSpec cli = {
    .program = "co2stream-trainer",
    .parameter_string = N_("- learn CO2 emissions from a Kafka topic, online"),
    .description = description,
    .entries = entries,
    .version_librdkafka = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) trainer = NULL;   /* a Co2sTrainer, or with --scale-out a Co2sShardTrainer */
  g_autoptr(Co2sPromServer) metrics = NULL;
  g_autofree char *metrics_host = NULL;
  g_autofree char *trainer_id = NULL;
  guint16 metrics_port = 0;
  Co2sTrainerOptions opts = { 0 };
  guint sigint_id, sigterm_id;
  gboolean ok;
  int status;

  /* One line per batch, printed in groups: the trainer flushes stdout after
   * each checkpoint, so a reader gets every line of a checkpoint at once
   * (with one write(2), not one per batch). */
  setvbuf (stdout, NULL, _IOFBF, 64 * 1024);

  /* Messages in the user's language and charset; every number written to a
   * file, a topic or stdout is formatted locale-independently. */
  if (!co2s_cli_parse (&cli, &argc, &argv, &status))
    return status;
  if (!check_options (&opts, &error) ||
      (opt_metrics_listen != NULL &&
       !co2s_prom_parse_listen (opt_metrics_listen, &metrics_host, &metrics_port, &error)))
    return co2s_cli_usage_error ("%s", error->message);

  trainer_id = opts.trainer_id;
  if (opts.state_topic != NULL)
    trainer = G_OBJECT (co2s_shard_trainer_new (&opts, &error));
  else
    trainer = G_OBJECT (co2s_trainer_new (&opts, &error));
  if (trainer == NULL)
    return co2s_cli_failure ("%s", error->message);
  if (metrics_host != NULL)
    {
      g_autoptr(Co2sProm) prom = co2s_prom_new ();

      if (CO2S_IS_SHARD_TRAINER (trainer))
        co2s_shard_trainer_export_metrics (CO2S_SHARD_TRAINER (trainer), prom);
      else
        co2s_trainer_export_metrics (CO2S_TRAINER (trainer), prom);
      metrics = co2s_prom_server_new (prom, metrics_host, metrics_port, &error);
      if (metrics == NULL)
        return co2s_cli_failure ("%s", error->message);
      g_message ("metrics: serving %s", co2s_prom_server_get_url (metrics));
    }

  sigint_id = g_unix_signal_add (SIGINT, on_signal, trainer);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, trainer);

  status = CO2S_EXIT_OK;
  if (CO2S_IS_SHARD_TRAINER (trainer))
    ok = co2s_shard_trainer_run (CO2S_SHARD_TRAINER (trainer), &error);
  else
    ok = co2s_trainer_run (CO2S_TRAINER (trainer), &error);
  if (!ok)
    status = co2s_cli_failure ("%s", error->message);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return status;
}
