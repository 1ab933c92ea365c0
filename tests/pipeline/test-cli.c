/* test-cli.c — co2s_cli_parse and the error reporters of co2s-cli.h: what
 * every command-line program does with --version, --help, a bad option, a
 * stray argument, and the exit status of each case. Each case runs in a
 * subprocess (GOption exits on --help; the output is checked there). */
#define G_LOG_DOMAIN "test-cli"

#include <glib.h>
#include <locale.h>

#include "co2s-cli.h"

#define PROGRAM "co2s-test-prog"
#define HINT "Run “" PROGRAM " --help” to see the options.\n"

static int opt_count = 1;
static char *opt_name;
static gboolean opt_flag;

static const GOptionEntry entries[] = {
  { "count", 'c', 0, G_OPTION_ARG_INT, &opt_count, "How many", "N" },
  { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "Which name", "NAME" },
  { "flag", 0, 0, G_OPTION_ARG_NONE, &opt_flag, "A switch", NULL },
  G_OPTION_ENTRY_NULL
};

static const Co2sCliSpec spec = {
  .program = PROGRAM,
  .parameter_string = "- do a test thing",
  .summary = "The summary of the test program.",
  .description = "The description of the test program.",
  .entries = entries,
};

/* Runs co2s_cli_parse on @args (NULL-terminated, without the program) with
 * @cli; returns what it returned and sets *@status. */
static gboolean
parse (const Co2sCliSpec *cli, const char * const *args, int *status, int *argc_out)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new ();
  char **argv;
  int argc;
  gboolean go_on;

  g_ptr_array_add (array, (gpointer) "/usr/bin/whatever");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (array, (gpointer) args[i]);
  argc = (int) array->len;
  g_ptr_array_add (array, NULL);
  /* GOption rearranges argv: hand it a copy of the array of pointers. */
  argv = g_memdup2 (array->pdata, array->len * sizeof (char *));

  go_on = co2s_cli_parse (cli, &argc, &argv, status);
  if (argc_out != NULL)
    *argc_out = argc;
  g_free (argv);
  return go_on;
}

/* Runs the current test's subprocess part and checks that it passed with
 * exactly @out on stdout and @err_pattern (a glob) on stderr. */
static void
run_child (const char *out_pattern, const char *err_pattern)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (out_pattern);
  g_test_trap_assert_stderr (err_pattern);
}

static void
test_parse_ok (void)
{
  const char *args[] = { "--count", "3", "--name", "x", "--flag", NULL };
  int status = -1, argc = 0;

  g_assert_true (parse (&spec, args, &status, &argc));
  g_assert_cmpint (status, ==, CO2S_EXIT_OK);
  g_assert_cmpint (argc, ==, 1);
  g_assert_cmpint (opt_count, ==, 3);
  g_assert_cmpstr (opt_name, ==, "x");
  g_assert_true (opt_flag);
  g_assert_cmpstr (g_get_prgname (), ==, PROGRAM);
  g_clear_pointer (&opt_name, g_free);
}

static void
test_version (void)
{
  if (g_test_subprocess ())
    {
      const char *args[] = { "--count", "4", "--version", NULL };
      int status = -1;

      g_assert_false (parse (&spec, args, &status, NULL));
      g_assert_cmpint (status, ==, CO2S_EXIT_OK);
      return;
    }
  run_child (PROGRAM " " CO2S_VERSION "\n", "");
}

static void
test_version_librdkafka (void)
{
  if (g_test_subprocess ())
    {
      Co2sCliSpec with_kafka = spec;
      const char *args[] = { "--version", NULL };
      int status = -1;

      with_kafka.version_librdkafka = TRUE;
      g_assert_false (parse (&with_kafka, args, &status, NULL));
      g_assert_cmpint (status, ==, CO2S_EXIT_OK);
      return;
    }
  run_child (PROGRAM " " CO2S_VERSION " (librdkafka ?*.?*)\n", "");
}

static void
test_help (void)
{
  if (g_test_subprocess ())
    {
      const char *args[] = { "--help", NULL };
      int status = -1;

      parse (&spec, args, &status, NULL);
      g_assert_not_reached ();   /* GOption prints the help and exits 0 */
    }
  run_child ("Usage:*" PROGRAM " [OPTION*] - do a test thing*"
             "The summary of the test program.*"
             "--count=N*How many*"
             "--version*Print the version and exit*"
             "The description of the test program.*", "");
}

/* A usage error found by co2s_cli_parse: FALSE, status 2, the message and
 * the hint on stderr, nothing on stdout. */
static void
assert_usage_error (const char * const *args)
{
  int status = -1;

  g_assert_false (parse (&spec, args, &status, NULL));
  g_assert_cmpint (status, ==, CO2S_EXIT_USAGE);
}

static void
test_unknown_option (void)
{
  if (g_test_subprocess ())
    {
      assert_usage_error ((const char *[]) { "--count", "2", "--nope", NULL });
      return;
    }
  run_child ("", PROGRAM ": Unknown option --nope\n" HINT);
}

static void
test_stray_argument (void)
{
  if (g_test_subprocess ())
    {
      assert_usage_error ((const char *[]) { "--flag", "stray", NULL });
      return;
    }
  run_child ("", PROGRAM ": unexpected argument “stray”\n" HINT);
}

static void
test_bad_value (void)
{
  if (g_test_subprocess ())
    {
      assert_usage_error ((const char *[]) { "--count", "many", NULL });
      return;
    }
  run_child ("", PROGRAM ": *many*--count*\n" HINT);
}

static void
test_missing_value (void)
{
  if (g_test_subprocess ())
    {
      assert_usage_error ((const char *[]) { "--name", NULL });
      return;
    }
  run_child ("", PROGRAM ": Missing argument for --name\n" HINT);
}

static void
test_usage_error (void)
{
  if (g_test_subprocess ())
    {
      g_set_prgname (PROGRAM);
      g_assert_cmpint (co2s_cli_usage_error ("bad thing %d", 7), ==, CO2S_EXIT_USAGE);
      return;
    }
  run_child ("", PROGRAM ": bad thing 7\n" HINT);
}

static void
test_failure (void)
{
  if (g_test_subprocess ())
    {
      g_set_prgname (PROGRAM);
      g_assert_cmpint (co2s_cli_failure ("it %s", "broke"), ==, CO2S_EXIT_FAILURE);
      return;
    }
  /* No hint: the command line was right. */
  run_child ("", PROGRAM ": it broke\n");
}

int
main (int argc, char *argv[])
{
  /* UTF-8 output (meson runs tests in C.UTF-8), as co2s_cli_parse sets up
   * for a program: g_printerr would write “ ” as ? in the C locale. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/parse/ok", test_parse_ok);
  g_test_add_func ("/cli/parse/version", test_version);
  g_test_add_func ("/cli/parse/version-librdkafka", test_version_librdkafka);
  g_test_add_func ("/cli/parse/help", test_help);
  g_test_add_func ("/cli/parse/unknown-option", test_unknown_option);
  g_test_add_func ("/cli/parse/stray-argument", test_stray_argument);
  g_test_add_func ("/cli/parse/bad-value", test_bad_value);
  g_test_add_func ("/cli/parse/missing-value", test_missing_value);
  g_test_add_func ("/cli/usage-error", test_usage_error);
  g_test_add_func ("/cli/failure", test_failure);

  return g_test_run ();
}
