/* main.c — co2stream-dlq: list the dead letters of streaming_data.dlq and
 * send chosen ones back to streaming_data, exactly once (co2s-dlq.h). */
#define G_LOG_DOMAIN "co2stream-dlq"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-dlq.h"

#define MAX_TIMEOUT_S 3600

static char *opt_brokers;
static char **opt_overrides;
static char *opt_dlq_topic;
static char *opt_target_topic;
static char *opt_reason;
static gboolean opt_json;
static gboolean opt_all;
static int opt_timeout = CO2S_DLQ_DEFAULT_TIMEOUT_MS / 1000;

/* Defaults are spelled out: xgettext cannot expand macros. */
static const GOptionEntry entries[] = {
  { "brokers", 'b', 0, G_OPTION_ARG_STRING, &opt_brokers,
    N_("Kafka bootstrap servers (default 127.0.0.1:9092)"), N_("LIST") },
  { "property", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &opt_overrides,
    N_("Any librdkafka property, for both the consumer and the producer (repeatable)"), N_("KEY=VALUE") },
  { "reason", 'r', 0, G_OPTION_ARG_STRING, &opt_reason,
    N_("Only the dead letters of this reason (not-json, missing-field…)"), N_("REASON") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("list: print a JSON array (with the raw payloads) instead of a table"), NULL },
  { "all", 'a', 0, G_OPTION_ARG_NONE, &opt_all,
    N_("redrive: send back every dead letter not sent back yet"), NULL },
  { "dlq-topic", 0, 0, G_OPTION_ARG_STRING, &opt_dlq_topic,
    N_("Dead-letter topic (default streaming_data.dlq)"), N_("TOPIC") },
  { "target-topic", 0, 0, G_OPTION_ARG_STRING, &opt_target_topic,
    N_("Topic the letters are sent back to (default streaming_data)"), N_("TOPIC") },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout,
    N_("Give up reading or sending after this long (default 15)"), N_("SECONDS") },
  G_OPTION_ENTRY_NULL
};

/* Translators: keep the commands, option, topic and header names. */
static const char *const description = N_(
  "Commands:\n"
  "  list [--reason R] [--json]\n"
  "      Lists the messages the producer and the trainer set aside in\n"
  "      streaming_data.dlq: place (PARTITION:OFFSET), time, reason, where they\n"
  "      came from and the detail; with --json also the raw payload.\n"
  "  redrive (--all | --reason R | OFFSET…)\n"
  "      Sends the chosen dead letters back to streaming_data (after a fix\n"
  "      upstream). OFFSET is OFFSET (partition 0), PARTITION:OFFSET or\n"
  "      PARTITION:FIRST-LAST, as list shows them.\n"
  "\n"
  "A redrive is exactly once: one Kafka transaction (idempotent producer)\n"
  "writes the copy, with the header co2s-redrive naming its place in the DLQ and\n"
  "the time, and a marker in the DLQ; a letter with a marker is never sent again\n"
  "(list shows it as sent back). Two redrives at once fence each other.\n"
  "\n"
  "Exit status: 0 done; 1 Kafka unreachable, no such topic, or some letter not\n"
  "found or not sent; 2 bad command line.");

static void
print_letter_line (Co2sDeadLetter *l)
{
  gint64 ts = co2s_dead_letter_get_timestamp_ms (l);
  g_autofree char *ref = co2s_dead_letter_dup_ref (l);
  g_autofree char *time = NULL;
  const char *redriven = co2s_dead_letter_get_redriven (l);

  if (ts >= 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (ts / 1000);

      time = dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;
    }
  g_print ("%-8s %-20s %-14s %-28s %s", ref, time != NULL ? time : "-", co2s_dead_letter_get_reason (l),
           co2s_dead_letter_get_source (l) != NULL ? co2s_dead_letter_get_source (l) : "-",
           co2s_dead_letter_get_detail (l) != NULL ? co2s_dead_letter_get_detail (l) : "");
  if (redriven != NULL)
    /* Translators: after a dead letter's line; %s: time → topic. */
    g_print (_(" [sent back %s]"), redriven);
  g_print ("\n");
}

static JsonNode *
letter_json (Co2sDeadLetter *l)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *payload = co2s_dead_letter_dup_payload_text (l);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "partition");
  json_builder_add_int_value (b, co2s_dead_letter_get_partition (l));
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, co2s_dead_letter_get_offset (l));
  json_builder_set_member_name (b, "timestamp_ms");
  json_builder_add_int_value (b, co2s_dead_letter_get_timestamp_ms (l));
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, co2s_dead_letter_get_reason (l));
  json_builder_set_member_name (b, "detail");
  json_builder_add_string_value (b, co2s_dead_letter_get_detail (l));
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, co2s_dead_letter_get_source (l));
  json_builder_set_member_name (b, "source_topic");
  json_builder_add_string_value (b, co2s_dead_letter_get_source_topic (l));
  json_builder_set_member_name (b, "source_partition");
  json_builder_add_int_value (b, co2s_dead_letter_get_source_partition (l));
  json_builder_set_member_name (b, "source_offset");
  json_builder_add_int_value (b, co2s_dead_letter_get_source_offset (l));
  json_builder_set_member_name (b, "payload");
  json_builder_add_string_value (b, payload);
  json_builder_set_member_name (b, "redriven");
  json_builder_add_string_value (b, co2s_dead_letter_get_redriven (l));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
run_list (const Co2sDlqOptions *opts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) letters = co2s_dlq_list (opts, NULL, &error);
  g_autoptr(JsonArray) array = NULL;
  guint shown = 0;

  if (letters == NULL)
    return co2s_cli_failure ("%s", error->message);
  if (opt_json)
    array = json_array_new ();
  for (guint i = 0; i < letters->len; i++)
    {
      Co2sDeadLetter *l = g_ptr_array_index (letters, i);

      if (opt_reason != NULL && strcmp (opt_reason, co2s_dead_letter_get_reason (l)) != 0)
        continue;
      shown++;
      if (array != NULL)
        json_array_add_element (array, letter_json (l));
      else
        print_letter_line (l);
    }
  if (array != NULL)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;

      json_node_set_array (root, array);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
    }
  else
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u dead letter in %s\n", "%u dead letters in %s\n", shown),
                shown, opts->dlq_topic);
  return CO2S_EXIT_OK;
}

static int
run_redrive (const Co2sDlqOptions *opts, GArray *refs)
{
  Co2sDlqSelection selection = {
    .refs = refs->len > 0 ? (const Co2sDlqRef *) refs->data : NULL,
    .n_refs = refs->len,
    .reason = opt_reason,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) results = co2s_dlq_redrive (opts, &selection, NULL, &error);
  guint sent, already, not_found, failed;

  if (results == NULL)
    return co2s_cli_failure ("%s", error->message);
  for (guint i = 0; i < results->len; i++)
    {
      const Co2sRedriveResult *r = &g_array_index (results, Co2sRedriveResult, i);
      g_autofree char *ref = g_strdup_printf ("%d:%" G_GINT64_FORMAT, r->ref.partition, r->ref.offset);
      g_autofree char *where = g_strdup_printf ("%s[%d]@%" G_GINT64_FORMAT, opts->target_topic,
                                                r->partition, r->offset);

      switch (r->status)
        {
        case CO2S_REDRIVE_SENT:
          /* Translators: LETTER: sent back to TOPIC[PARTITION]@OFFSET. */
          g_print (_("%s: sent back to %s\n"), ref, where);
          break;
        case CO2S_REDRIVE_ALREADY:
          g_print (_("%s: already sent back (%s), not sent again\n"), ref, r->detail);
          break;
        case CO2S_REDRIVE_NOT_FOUND:
          g_print (_("%s: no dead letter there in %s (see “co2stream-dlq list”)\n"), ref, opts->dlq_topic);
          break;
        case CO2S_REDRIVE_FAILED:
        default:
          g_print (_("%s: not sent back: %s\n"), ref, r->detail);
          break;
        }
    }
  co2s_dlq_count_results (results, &sent, &already, &not_found, &failed);
  g_printerr (_("sent back %u, already sent back %u, not found %u, failed %u\n"), sent, already, not_found, failed);
  return not_found + failed > 0 ? CO2S_EXIT_FAILURE : CO2S_EXIT_OK;
}

int
main (int argc, char *argv[])
{
  const Co2sCliSpec cli = {
    .program = "co2stream-dlq",
    .parameter_string = N_("COMMAND - list the dead letters of streaming_data.dlq, or send them back"),
    .description = description,
    .entries = entries,
    .version_librdkafka = TRUE,
    .accepts_arguments = TRUE,
  };
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (Co2sDlqRef));
  Co2sDlqOptions opts = { 0 };
  const char *command;
  int status;

  if (!co2s_cli_parse (&cli, &argc, &argv, &status))
    return status;
  if (opt_timeout < 1 || opt_timeout > MAX_TIMEOUT_S)
    return co2s_cli_usage_error (_("--timeout %d: expected 1 to %d seconds"), opt_timeout, MAX_TIMEOUT_S);
  if ((opt_dlq_topic != NULL && *opt_dlq_topic == '\0') || (opt_target_topic != NULL && *opt_target_topic == '\0'))
    return co2s_cli_usage_error (_("--dlq-topic and --target-topic must not be empty"));
  if (opt_reason != NULL && *opt_reason == '\0')
    return co2s_cli_usage_error (_("--reason must not be empty"));
  if (argc < 2)
    return co2s_cli_usage_error (_("missing command: list or redrive"));
  command = argv[1];

  opts.brokers = opt_brokers != NULL ? opt_brokers : CO2S_DEFAULT_BROKERS;
  opts.overrides = (const char * const *) opt_overrides;
  opts.dlq_topic = opt_dlq_topic != NULL ? opt_dlq_topic : CO2S_TOPIC_DLQ;
  opts.target_topic = opt_target_topic != NULL ? opt_target_topic : CO2S_TOPIC_DATA;
  opts.timeout_ms = (guint) opt_timeout * 1000;

  if (strcmp (command, "list") == 0)
    {
      if (argc > 2)
        return co2s_cli_usage_error (_("unexpected argument “%s”"), argv[2]);
      if (opt_all)
        return co2s_cli_usage_error (_("--all goes with redrive, not list"));
      return run_list (&opts);
    }
  if (strcmp (command, "redrive") == 0)
    {
      guint n_ways;

      if (opt_json)
        return co2s_cli_usage_error (_("--json goes with list, not redrive"));
      for (int i = 2; i < argc; i++)
        {
          g_autoptr(GError) error = NULL;

          if (!co2s_dlq_parse_ref (argv[i], refs, &error))
            return co2s_cli_usage_error ("%s", error->message);
        }
      n_ways = (opt_all ? 1 : 0) + (opt_reason != NULL ? 1 : 0) + (argc > 2 ? 1 : 0);
      if (n_ways == 0)
        return co2s_cli_usage_error (_("redrive: say which letters to send back: --all, --reason REASON "
                                       "or OFFSET… (as “co2stream-dlq list” shows them)"));
      if (n_ways > 1)
        return co2s_cli_usage_error (_("redrive: give only one of --all, --reason REASON and OFFSET…"));
      return run_redrive (&opts, refs);
    }
  return co2s_cli_usage_error (_("unexpected argument “%s”: the command is list or redrive"), command);
}
