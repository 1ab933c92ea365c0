/* co2s-app-cli.h — the command line of the co2stream desktop app.
 *
 * Options: --start, --version, and --export-plot FILE [--metrics PATH]
 * [--model-dir DIR] [--last N] [--width W] [--height H], which writes the
 * RMSE plot (PNG, SVG or PDF by the extension) with the plot library and
 * exits without opening any display. Messages are translated; exit status
 * 0 on success, 1 when the metrics cannot be read or the file written, 2
 * for a bad option.
 *
 * Main thread (GApplication's handle-local-options). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Default plot size of --export-plot (pixels for PNG, points for SVG/PDF). */
#define CO2S_APP_CLI_EXPORT_WIDTH  960
#define CO2S_APP_CLI_EXPORT_HEIGHT 600

/* Adds the options above to @app, with the --help summary. */
void co2s_app_cli_add_options (GApplication *app);

/* Handles the export options of @options (from handle-local-options):
 * returns -1 when the command line asks for no export (go on starting the
 * app), else the exit status after exporting or reporting the error on
 * stderr. */
int co2s_app_cli_handle_export (GVariantDict *options);

G_END_DECLS
