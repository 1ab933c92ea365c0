/* fill-topic.c — pre-fills a topic with synthetic vehicle records, for
 * measuring co2stream-trainer on its own (not a test; bench/group-commit.py
 * uses it).
 *
 *   fill-topic --brokers HOST:PORT --topic streaming_data --rows 1000000 \
 *              [--create] [--rate R] [--csv data/co2_processed.csv] \
 *              [-X compression.type=zstd]...
 *
 * The rows are the trainer tests' synthetic records (valid, deterministic;
 * their values are written with up to 17 digits, e.g. 21.700000000000003),
 * or with --csv the rows of a data set file, looped, as co2stream-api
 * serves them (short decimals such as 21.7), each with its own seq.
 * --create makes the topic first (--partitions, default one; an existing topic is fine),
 * so that --rows 0 just creates it. --rate R sends R rows a second, each
 * stamped with the time it is handed to librdkafka as its ts_us (as the
 * API's emit time), for measuring latency on a live stream. */
#define G_LOG_DOMAIN "fill-topic"

#include <stdio.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-csv.h"
#include "co2s-kafka.h"
#include "co2s-record-json.h"
#include "trainer-fixture.h"

static char *opt_brokers;
static char *opt_topic;
static gint64 opt_rows = 1000000;
static gboolean opt_create;
static int opt_partitions = 1;
static double opt_rate;
static char **opt_overrides;
static char *opt_csv;

static const GOptionEntry entries[] = {
  { "brokers", 'b', 0, G_OPTION_ARG_STRING, &opt_brokers, "Bootstrap servers", "LIST" },
  { "topic", 't', 0, G_OPTION_ARG_STRING, &opt_topic, "Topic (default " CO2S_TOPIC_DATA ")", "TOPIC" },
  { "rows", 'n', 0, G_OPTION_ARG_INT64, &opt_rows, "Rows to produce (default 1000000)", "N" },
  { "create", 0, 0, G_OPTION_ARG_NONE, &opt_create, "Create the topic first (one partition)", NULL },
  { "partitions", 'p', 0, G_OPTION_ARG_INT, &opt_partitions, "With --create: partitions (default 1)", "N" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Rows per second, each stamped when sent (default: "
    "as fast as possible, stamped when generated)", "R" },
  { "csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv, "Send this data set's rows, looped (default: "
    "synthetic rows)", "PATH" },
  { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &opt_overrides, "librdkafka property", "KEY=VALUE" },
  { NULL }
};

static guint64 delivered, failed;

static void
on_delivery (rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
  if (msg->err)
    failed++;
  else
    delivered++;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- pre-fill a topic with synthetic records");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) overrides = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  gint64 start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_brokers == NULL ||
      opt_rows < (opt_create ? 0 : 1) || opt_rate < 0)
    {
      g_printerr ("fill-topic: %s\n", error ? error->message
                                            : "--brokers, --rows ≥ 1 (≥ 0 with --create) and --rate ≥ 0 are needed");
      return 2;
    }
  if (opt_create &&
      !co2s_test_kafka_create_topic (opt_brokers, opt_topic ? opt_topic : CO2S_TOPIC_DATA, MAX (opt_partitions, 1), &error) &&
      strstr (error->message, "already exists") == NULL)
    {
      g_printerr ("fill-topic: %s\n", error->message);
      return 1;
    }
  g_clear_error (&error);
  if (opt_csv != NULL && ((csv = co2s_csv_load (opt_csv, &error)) == NULL || csv->rows->len == 0))
    {
      g_printerr ("fill-topic: %s\n", error ? error->message : "the data set has no rows");
      return 1;
    }

  g_strv_builder_add_many (builder, "linger.ms=50", "batch.size=1000000", "queue.buffering.max.kbytes=262144",
                           NULL);
  if (opt_overrides != NULL)
    g_strv_builder_addv (builder, (const char **) opt_overrides);
  overrides = g_strv_builder_end (builder);
  conf = co2s_kafka_conf_new (opt_brokers, (const char * const *) overrides, &error);
  if (conf == NULL)
    {
      g_printerr ("fill-topic: %s\n", error->message);
      return 1;
    }
  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, &error);
  if (rk == NULL)
    {
      g_printerr ("fill-topic: %s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time ();
  for (gint64 done = 0; done < opt_rows; )
    {
      guint chunk = (guint) MIN (opt_rows - done, 10000);
      g_autoptr(GArray) records = NULL;

      if (csv != NULL)
        {
          records = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), chunk);
          for (guint i = 0; i < chunk; i++)
            {
              Co2sRecord r = g_array_index (csv->rows, Co2sRecord, (done + i) % csv->rows->len);

              r.seq = done + i;
              r.emit_us = g_get_real_time ();
              g_array_append_val (records, r);
            }
        }
      else
        records = trainer_make_records (chunk, (guint32) (done / 10000) + 1, done);

      for (guint i = 0; i < chunk; i++)
        {
          Co2sRecord *record = &g_array_index (records, Co2sRecord, i);
          rd_kafka_resp_err_t err;

          if (opt_rate > 0)
            {
              /* Row done + i is due at start + (done + i) / rate. */
              gint64 due = start + (gint64) ((done + i) * (G_USEC_PER_SEC / opt_rate));
              gint64 now = g_get_monotonic_time ();

              while (now < due)
                {
                  rd_kafka_poll (rk, (int) MAX ((due - now) / 1000, 0));
                  if (due - now < 1000)
                    g_usleep (due - now);
                  now = g_get_monotonic_time ();
                }
              record->emit_us = g_get_real_time ();
            }
          g_string_truncate (line, 0);
          co2s_record_to_json (record, line);
          do
            {
              err = rd_kafka_producev (rk,
                                       RD_KAFKA_V_TOPIC (opt_topic ? opt_topic : CO2S_TOPIC_DATA),
                                       RD_KAFKA_V_VALUE (line->str, line->len - 1),
                                       RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_END);
              if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll (rk, 10);
            }
          while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
          if (err)
            {
              g_printerr ("fill-topic: %s\n", rd_kafka_err2str (err));
              return 1;
            }
          rd_kafka_poll (rk, 0);
        }
      done += chunk;
    }
  rd_kafka_flush (rk, 60000);
  {
    double seconds = (g_get_monotonic_time () - start) / 1e6;

    printf ("%" G_GUINT64_FORMAT " delivered, %" G_GUINT64_FORMAT " failed in %.1f s (%.0f rows/s)\n",
            delivered, failed, seconds, seconds > 0 ? delivered / seconds : 0.0);
  }
  rd_kafka_destroy (rk);
  return failed > 0 || delivered != (guint64) opt_rows;
}
