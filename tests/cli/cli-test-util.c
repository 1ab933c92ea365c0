/* cli-test-util.c — running a command-line program to its end. */
#define G_LOG_DOMAIN "cli-test-util"

#include "cli-test-util.h"

void
cli_run_clear (CliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
cli_run_program (CliRun *run,
                 const char *program_var,
                 const char * const *args,
                 const char * const *env)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(Co2sTestProc) proc = NULL;

  g_ptr_array_add (argv, (gpointer) co2s_test_program (program_var));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = co2s_test_proc_spawn_or_die ((const char * const *) argv->pdata, env);
  run->status = co2s_test_proc_wait_exit (proc, CLI_EXIT_TIMEOUT_MS);
  if (run->status < 0)
    g_error ("%s did not exit within %d ms", (const char *) argv->pdata[0], CLI_EXIT_TIMEOUT_MS);
  g_assert_true (co2s_test_proc_wait_closed (proc, CLI_EXIT_TIMEOUT_MS));
  run->out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  run->err = co2s_test_proc_stderr_text (proc);
}
