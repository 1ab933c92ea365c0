/* cli-test-util.h — running one of the five command-line programs to its
 * end, for the tests of tests/cli. */
#pragma once

#include "co2s-test-util.h"

G_BEGIN_DECLS

/* How long a program may take to exit (ms). */
#define CLI_EXIT_TIMEOUT_MS 15000

/* What a program did: its exit status (as co2s_test_proc_wait_exit gives
 * it: 128 + N when killed by signal N) and everything it wrote. */
typedef struct {
  int status;
  char *out;
  char *err;
} CliRun;

/* Frees the texts of @run (not @run itself). */
void cli_run_clear (CliRun *run);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

/* Runs the program of $@program_var (co2s_test_program) with @args
 * (NULL-terminated, may be NULL) in the environment changed by @env (as
 * co2s_test_proc_spawn takes it; may be NULL) to its end, and fills @run.
 * Fails the test if it does not exit within CLI_EXIT_TIMEOUT_MS. */
void cli_run_program (CliRun *run,
                      const char *program_var,
                      const char * const *args,
                      const char * const *env);

G_END_DECLS
