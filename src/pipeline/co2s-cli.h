/* co2s-cli.h — the common start of co2stream's five command-line programs
 * (co2stream-api, -broker, -predict, -producer, -trainer): translations,
 * option parsing with --help and --version, the help hint after a usage
 * error, and one set of exit statuses. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses, the same in every program. */
#define CO2S_EXIT_OK      0   /* success; also --help and --version */
#define CO2S_EXIT_FAILURE 1   /* the program ran and failed (missing file, broker, delivery…) */
#define CO2S_EXIT_USAGE   2   /* bad command line: unknown option, missing or bad value, stray argument */

/* What a program tells co2s_cli_parse. Strings are static; the texts are
 * marked with N_() and translated in the "co2stream" domain. */
typedef struct {
  const char *program;             /* program name, e.g. "co2stream-api": g_get_prgname, --version */
  const char *parameter_string;    /* N_(): after "Usage: PROGRAM [OPTION…]", e.g. "- serve …" */
  const char *summary;             /* N_(): before the options in --help, or NULL */
  const char *description;         /* N_(): after the options in --help, or NULL */
  const GOptionEntry *entries;     /* the program's options (without --version), G_OPTION_ENTRY_NULL-ended */
  gboolean version_librdkafka;     /* --version also says which librdkafka the program runs with */
  gboolean accepts_arguments;      /* positional arguments (a command, offsets) stay in argv for the
                                    * program to check; FALSE: any is a usage error */
} Co2sCliSpec;

/* The first thing in main: sets up translations (co2s_i18n_init), sets the
 * program name to @spec->program, then parses @argc/@argv with the entries of
 * @spec plus --version. Returns TRUE when the program goes on (@argv then holds
 * the program name only: no positional argument is accepted, unless
 * @spec->accepts_arguments: then they follow it in @argv). Returns FALSE
 * when it must exit with *@exit_status: CO2S_EXIT_OK after printing
 * "PROGRAM VERSION" (and "(librdkafka X)") on stdout for --version;
 * CO2S_EXIT_USAGE after reporting a bad option or a stray argument on stderr
 * with the help hint. --help prints the help and exits 0 (GOption does).
 * Main thread, before any other thread starts. */
gboolean co2s_cli_parse (const Co2sCliSpec *spec,
                         int *argc,
                         char ***argv,
                         int *exit_status);

/* Reports a usage error found after parsing (a missing or bad value):
 * prints "PROGRAM: MESSAGE" (@format printf-style, given translated) and the
 * help hint on stderr. Returns CO2S_EXIT_USAGE, for `return co2s_cli_usage_error (…);`
 * in main. Any thread. */
int co2s_cli_usage_error (const char *format,
                          ...) G_GNUC_PRINTF (1, 2);

/* Reports a runtime failure: prints "PROGRAM: MESSAGE" on stderr (no hint).
 * Returns CO2S_EXIT_FAILURE. Any thread. */
int co2s_cli_failure (const char *format,
                      ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
