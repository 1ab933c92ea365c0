/* test-cli-dlq.c — co2stream-dlq as built: its commands on a DLQ the
 * trainer filled (list, list --reason --json, redrive by offset, by reason,
 * twice), its errors (bad command line: exit 2 with the help hint; Kafka
 * unreachable, no such topic, a letter not found: exit 1) and its --help in
 * English and French.
 *
 * Paths: /cli/dlq/usage-errors, /cli/dlq/unreachable, /cli/dlq/no-topic,
 * /cli/dlq/help, /cli/dlq/list-and-redrive. */
#define G_LOG_DOMAIN "test-cli-dlq"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-test-util.h"
#include "dlq-fixture.h"

static const char * const english_env[] = { "LANGUAGE", "LC_ALL=C.UTF-8", "CO2S_LOCALEDIR", NULL };
static const char * const french_env[] = {
  "LANGUAGE=fr", "LANG=C.UTF-8", "LC_ALL", "LC_MESSAGES", "LOCPATH", "CO2S_LOCALEDIR", NULL
};

static void
run_dlq (CliRun *run, const char * const *args)
{
  cli_run_program (run, "CO2S_DLQ", args, english_env);
  g_test_message ("co2stream-dlq %s: exit %d\n%s%s", args[0], run->status, run->out, run->err);
}

static void
assert_usage (const char * const *args, const char *message_start)
{
  g_auto(CliRun) run = { 0 };
  g_autofree char *start = g_strdup_printf ("co2stream-dlq: %s", message_start);

  run_dlq (&run, args);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  if (!g_str_has_prefix (run.err, start))
    g_error ("stderr does not start with “%s”:\n%s", start, run.err);
  g_assert_true (g_str_has_suffix (run.err, "Run “co2stream-dlq --help” to see the options.\n"));
}

static void
test_usage_errors (void)
{
  assert_usage ((const char *[]) { "--brokers", "127.0.0.1:1", NULL }, "missing command: list or redrive");
  assert_usage ((const char *[]) { "show", NULL }, "unexpected argument “show”: the command is list or redrive");
  assert_usage ((const char *[]) { "list", "0:1", NULL }, "unexpected argument “0:1”");
  assert_usage ((const char *[]) { "redrive", NULL }, "redrive: say which letters to send back");
  assert_usage ((const char *[]) { "redrive", "0:x", NULL }, "bad offset “0:x”: expected OFFSET");
  assert_usage ((const char *[]) { "redrive", "0:9-3", NULL }, "bad offset range “0:9-3”");
  assert_usage ((const char *[]) { "redrive", "--all", "0:1", NULL }, "redrive: give only one of");
  assert_usage ((const char *[]) { "redrive", "--json", "--all", NULL }, "--json goes with list");
  assert_usage ((const char *[]) { "list", "--all", NULL }, "--all goes with redrive");
  assert_usage ((const char *[]) { "list", "--timeout", "0", NULL }, "--timeout 0: expected 1 to 3600 seconds");
  assert_usage ((const char *[]) { "list", "--no-such", NULL }, "Unknown option --no-such");
}

static void
test_unreachable (void)
{
  g_autofree char *nowhere = g_strdup_printf ("127.0.0.1:%u", co2s_test_free_port ());
  g_autofree char *want = g_strdup_printf ("co2stream-dlq: cannot reach Kafka at %s", nowhere);
  const char *cmds[][5] = {
    { "list", "--brokers", nowhere, "--timeout", "2" },
    { "redrive", "--all", "--brokers", nowhere, "--timeout" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      g_auto(CliRun) run = { 0 };
      const char *args[8] = { 0 };

      memcpy (args, cmds[i], sizeof cmds[i]);
      if (i == 1)
        args[5] = "2";
      run_dlq (&run, args);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_cmpstr (run.out, ==, "");
      if (!g_str_has_prefix (run.err, want))
        g_error ("stderr does not start with “%s”:\n%s", want, run.err);
    }
}

static void
test_no_topic (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_auto(CliRun) run = { 0 };

  run_dlq (&run, (const char *[]) { "list", "--brokers", brokers, "--dlq-topic", "nope", NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "has no topic “nope”"));
}

static void
test_help (void)
{
  g_auto(CliRun) en = { 0 };
  g_auto(CliRun) fr = { 0 };
  const char *args[] = { "--help", NULL };

  run_dlq (&en, args);
  g_assert_cmpint (en.status, ==, 0);
  g_assert_true (g_str_has_prefix (en.out, "Usage:\n  co2stream-dlq [OPTION…] COMMAND"));
  g_assert_nonnull (strstr (en.out, "redrive (--all | --reason R | OFFSET…)"));
  g_assert_nonnull (strstr (en.out, "--brokers"));
  g_assert_nonnull (strstr (en.out, "exactly once"));

  cli_run_program (&fr, "CO2S_DLQ", args, french_env);
  g_test_message ("%s", fr.out);
  g_assert_cmpint (fr.status, ==, 0);
  g_assert_nonnull (strstr (fr.out, "COMMANDE - "));
  g_assert_nonnull (strstr (fr.out, "Commandes\u00a0:"));
  g_assert_nonnull (strstr (fr.out, "exactement une fois"));
}

static void
test_list_and_redrive (void)
{
  g_auto(DlqFixture) fx = { 0 };
  g_auto(CliRun) list = { 0 };
  g_auto(CliRun) json = { 0 };
  g_auto(CliRun) one = { 0 };
  g_auto(CliRun) again = { 0 };
  g_auto(CliRun) missing = { 0 };
  g_auto(CliRun) by_reason = { 0 };
  g_auto(CliRun) after = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;
  const char *b;

  dlq_fixture_fill (&fx);
  b = fx.env.brokers;

  run_dlq (&list, (const char *[]) { "list", "--brokers", b, NULL });
  g_assert_cmpint (list.status, ==, 0);
  lines = g_strsplit (list.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, DLQ_N_KINDS + 1);
  for (guint i = 0; i < DLQ_N_KINDS; i++)
    {
      g_autofree char *ref = g_strdup_printf ("0:%u ", i);

      g_assert_true (g_str_has_prefix (lines[i], ref));
      g_assert_nonnull (strstr (lines[i], dlq_bad_kinds[i].reason));
      g_assert_null (strstr (lines[i], "[sent back"));
    }
  g_assert_nonnull (strstr (list.err, "7 dead letters in streaming_data.dlq"));

  run_dlq (&json, (const char *[]) { "list", "--brokers", b, "--reason", "not-json", "--json", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "not-json");
      g_assert_cmpstr (json_object_get_string_member (o, "payload"), ==, g_ptr_array_index (fx.bad_lines, i));
      g_assert_cmpstr (json_object_get_string_member (o, "source_topic"), ==, fx.env.topic);
      g_assert_cmpint (json_object_get_int_member (o, "source_offset"), ==,
                       g_array_index (fx.bad_offsets, gint64, i));
    }

  run_dlq (&one, (const char *[]) { "redrive", "--brokers", b, "0:2", NULL });
  g_assert_cmpint (one.status, ==, 0);
  g_assert_true (g_str_has_prefix (one.out, "0:2: sent back to streaming_data[0]@"));
  run_dlq (&again, (const char *[]) { "redrive", "--brokers", b, "2", NULL });
  g_assert_cmpint (again.status, ==, 0);
  g_assert_true (g_str_has_prefix (again.out, "0:2: already sent back ("));
  g_assert_nonnull (strstr (again.err, "sent back 0, already sent back 1, not found 0, failed 0"));
  run_dlq (&missing, (const char *[]) { "redrive", "--brokers", b, "0:3", "0:77", NULL });
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.out, "0:3: sent back to streaming_data[0]@"));
  g_assert_nonnull (strstr (missing.out, "0:77: no dead letter there in streaming_data.dlq"));
  run_dlq (&by_reason, (const char *[]) { "redrive", "--brokers", b, "--reason", "not-json", NULL });
  g_assert_cmpint (by_reason.status, ==, 0);
  g_assert_nonnull (strstr (by_reason.err, "sent back 2, already sent back 0"));

  run_dlq (&after, (const char *[]) { "list", "--brokers", b, NULL });
  g_assert_cmpint (after.status, ==, 0);
  g_strfreev (lines);
  lines = g_strsplit (after.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, DLQ_N_KINDS + 1);
  for (guint i = 0; i < DLQ_N_KINDS; i++)
    g_assert_cmpint (strstr (lines[i], "[sent back") != NULL, ==, i <= 3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/dlq/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/dlq/unreachable", test_unreachable);
  g_test_add_func ("/cli/dlq/no-topic", test_no_topic);
  g_test_add_func ("/cli/dlq/help", test_help);
  g_test_add_func ("/cli/dlq/list-and-redrive", test_list_and_redrive);

  return g_test_run ();
}
