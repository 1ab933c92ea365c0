/* co2s-i18n.h — translations of co2stream's programs (the desktop app and
 * the five command-line programs share one text domain, "co2stream"), and
 * how the command-line programs report an error.
 *
 * What is translated in the command-line programs: --help, every message
 * printed before a non-zero exit (co2s_print_error) and the GError
 * messages behind them. What is not: the running log (g_message,
 * g_warning, g_debug: for operators and bug reports, and read by tests and
 * bench/pipeline.py), the lines other programs parse (bootstrap.servers=,
 * listening on, the trainer's "batch N: …" line, the producer's summary),
 * JSON, Kafka messages and headers, HTTP bodies and Prometheus metrics.
 * Numbers in those are always written with g_ascii_* functions, so they
 * read the same under any locale. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* setlocale (LC_ALL, ""), then binds the "co2stream" text domain (UTF-8
 * output) to the folder of its catalogues and makes it the default domain,
 * so that _() in a program finds it. The folder is $CO2S_LOCALEDIR if set;
 * else, when the running program lives in the Meson build tree it was built
 * in, that tree's po/ (the catalogues the build compiles there); else the
 * installed <prefix>/<localedir>. Call once, first thing in main, before
 * any thread starts. */
void co2s_i18n_init (void);

/* TRUE when the running program lives in the Meson build tree this library
 * was built in (running uninstalled). Computed once; any thread. */
gboolean co2s_is_uninstalled (void);

/* Prints "PROGRAM: MESSAGE\n" on stderr: PROGRAM is g_get_prgname (), the
 * message @format (printf-style; give it translated) with its arguments.
 * For the error a program reports before it exits. Any thread. */
void co2s_print_error (const char *format,
                       ...) G_GNUC_PRINTF (1, 2);

/* Prints the translated hint to run "PROGRAM --help" on stderr, after a
 * co2s_print_error about bad arguments. Any thread. */
void co2s_print_help_hint (void);

G_END_DECLS
