/* test-cli-programs.c — what every one of the six command-line programs
 * does with its command line (co2s-cli.h): --version prints the name and
 * version and exits 0, --help exits 0, and every usage error — an unknown
 * option, an option without its value, a bad value, a stray argument, a
 * missing required option — exits 2 with the message and the help hint on
 * stderr and nothing on stdout. Runs the built programs, in English. */
#define G_LOG_DOMAIN "test-cli-programs"

#include <string.h>

#include "cli-test-util.h"

typedef struct {
  const char *program_var;           /* environment variable with its path */
  const char *name;
  gboolean librdkafka;               /* --version names the librdkafka it runs with */
  const char *value_option;          /* an option that takes a value */
  const char *bad_value[3];          /* an option with a value the program refuses… */
  const char *bad_value_message;     /* …and the start of its message */
} Program;

static const Program programs[] = {
  { "CO2S_API", "co2stream-api", FALSE, "--listen", { "--rate", "-1", NULL }, "bad --rate -1: " },
  { "CO2S_BROKER", "co2stream-broker", TRUE, "--topics", { "--partitions", "0", NULL },
    "--partitions 0: expected 1 to 1000" },
  { "CO2S_DLQ", "co2stream-dlq", TRUE, "--brokers", { "--timeout", "0", NULL },
    "--timeout 0: expected 1 to 3600 seconds" },
  { "CO2S_KAFKA", "co2stream-kafka", TRUE, "--data-dir", { "--port", "70000", NULL },
    "--port 70000: expected 0 (a free port) to 65535" },
  { "CO2S_PREDICT", "co2stream-predict", FALSE, "--model", { "--cylinders", "4.5", NULL },
    "--cylinders “4.5” is not a whole number" },
  { "CO2S_PRODUCER", "co2stream-producer", TRUE, "--brokers", { "--status-interval", "-1", NULL },
    "--status-interval and --flush-timeout must be ≥ 0" },
  { "CO2S_TRAINER", "co2stream-trainer", TRUE, "--group", { "--batch-rows", "0", NULL },
    "--batch-rows 0: must be between 1 and" },
};

/* co2stream-predict's required options and a good value of each. */
static const char * const predict_options[][2] = {
  { "--engine-size", "2.0" }, { "--cylinders", "4" }, { "--city", "9.9" },
  { "--hwy", "6.7" }, { "--comb", "8.5" }, { "--fuel", "X" },
};

/* Only the C locale's messages: LANGUAGE and the locale are the test's
 * (C.UTF-8 under meson). */
static const char * const english_env[] = { "LANGUAGE", "LC_ALL=C.UTF-8", "CO2S_LOCALEDIR", NULL };

/* Runs @p with @args: exit 2, nothing on stdout, and on stderr exactly
 * "NAME: " + a message starting with @message_start, then the help hint. */
static void
assert_usage_error (const Program *p, const char * const *args, const char *message_start)
{
  g_auto(CliRun) run = { 0 };
  g_autofree char *start = g_strdup_printf ("%s: %s", p->name, message_start);
  g_autofree char *hint = g_strdup_printf ("\nRun “%s --help” to see the options.\n", p->name);
  g_autofree char *message = NULL;

  cli_run_program (&run, p->program_var, args, english_env);
  g_test_message ("%s %s…: exit %d: %s", p->name, args[0], run.status, run.err);
  if (run.status != 2)
    g_error ("%s %s…: expected exit 2, got %d; stderr:\n%s", p->name, args[0], run.status, run.err);
  g_assert_cmpstr (run.out, ==, "");
  if (!g_str_has_prefix (run.err, start) || !g_str_has_suffix (run.err, hint))
    g_error ("%s %s…: stderr is not “%s…%s”:\n%s", p->name, args[0], start, hint, run.err);
  /* One message line, then the hint. */
  message = g_strndup (run.err, strlen (run.err) - strlen (hint));
  g_assert_null (strchr (message, '\n'));
}

static void
test_version (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      const Program *p = &programs[i];
      const char *args[] = { "--version", NULL };
      g_auto(CliRun) run = { 0 };
      g_autofree char *version = g_regex_escape_string (CO2S_VERSION, -1);
      g_autofree char *pattern = g_strdup_printf ("^%s %s%s\n$", p->name, version,
                                                  p->librdkafka ? " \\(librdkafka [0-9]+\\.[0-9][^)]*\\)" : "");

      cli_run_program (&run, p->program_var, args, english_env);
      g_assert_cmpint (run.status, ==, 0);
      if (!g_regex_match_simple (pattern, run.out, 0, 0))
        g_error ("%s --version printed “%s”, not /%s/", p->name, run.out, pattern);
      g_assert_cmpstr (run.err, ==, "");
    }
}

static void
test_help (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      const Program *p = &programs[i];
      const char *args[] = { "--help", NULL };
      g_auto(CliRun) run = { 0 };
      g_autofree char *usage = g_strdup_printf ("Usage:\n  %s [OPTION…]", p->name);

      cli_run_program (&run, p->program_var, args, english_env);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_prefix (run.out, usage));
      g_assert_nonnull (strstr (run.out, "--version"));
      g_assert_nonnull (strstr (run.out, "Print the version and exit"));
      g_assert_nonnull (strstr (run.out, p->value_option));
      g_assert_cmpstr (run.err, ==, "");
    }
}

static void
test_usage_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      const Program *p = &programs[i];
      g_autofree char *missing_value = g_strdup_printf ("Missing argument for %s", p->value_option);

      assert_usage_error (p, (const char *[]) { "--no-such-option", NULL }, "Unknown option --no-such-option");
      assert_usage_error (p, (const char *[]) { "stray", NULL }, "unexpected argument “stray”");
      assert_usage_error (p, (const char *[]) { p->value_option, NULL }, missing_value);
      /* A bad value; co2stream-predict needs its other options to get there
       * (co2stream-kafka checks its values before its required --data-dir). */
      if (strcmp (p->name, "co2stream-predict") == 0)
        {
          const char *args[2 * G_N_ELEMENTS (predict_options) + 1];
          guint n = 0;

          for (guint k = 0; k < G_N_ELEMENTS (predict_options); k++)
            {
              args[n++] = predict_options[k][0];
              args[n++] = strcmp (predict_options[k][0], p->bad_value[0]) == 0
                          ? p->bad_value[1] : predict_options[k][1];
            }
          args[n] = NULL;
          assert_usage_error (p, args, p->bad_value_message);
        }
      else
        {
          assert_usage_error (p, p->bad_value, p->bad_value_message);
        }
    }
}

static const Program *
find_program (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    if (strcmp (programs[i].name, name) == 0)
      return &programs[i];
  g_assert_not_reached ();
}

/* co2stream-predict and co2stream-kafka are the programs with required
 * options (the others have a default for every option): each one missing is
 * a usage error that names it. */
static void
test_missing_required_option (void)
{
  const Program *predict = find_program ("co2stream-predict");
  const Program *kafka = find_program ("co2stream-kafka");

  assert_usage_error (kafka, (const char *[]) { "--port", "0", NULL }, "missing --data-dir DIR");
  assert_usage_error (kafka, (const char *[]) { "--fetch", "--reset-data", NULL },
                      "--fetch and --reset-data do not go together");
  for (guint skip = 0; skip < G_N_ELEMENTS (predict_options); skip++)
    {
      const char *args[2 * G_N_ELEMENTS (predict_options) + 1];
      g_autofree char *message = g_strdup_printf ("missing %s", predict_options[skip][0]);
      guint n = 0;

      for (guint k = 0; k < G_N_ELEMENTS (predict_options); k++)
        if (k != skip)
          {
            args[n++] = predict_options[k][0];
            args[n++] = predict_options[k][1];
          }
      args[n] = NULL;
      assert_usage_error (predict, args, message);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/programs/version", test_version);
  g_test_add_func ("/cli/programs/help", test_help);
  g_test_add_func ("/cli/programs/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/programs/missing-required-option", test_missing_required_option);

  return g_test_run ();
}
