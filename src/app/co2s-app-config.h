/* co2s-app-config.h — where the desktop app finds its settings schema, its
 * translations and the files of the pipeline.
 *
 * Running uninstalled (the program lives in the Meson build tree it was
 * built in), the compiled schema and the translations are taken from that
 * tree. The paths of the data set, the model folder and the Docker Compose
 * file come from GSettings; an empty setting means the project folder's:
 * the current folder or, uninstalled, the source tree, whichever holds
 * data/co2_processed.csv (else the first that has data/README.md).
 *
 * Any thread (the GSettings given must be used from one thread). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* setlocale (LC_ALL, "") and binds the "co2stream" text domain: to
 * $CO2S_LOCALEDIR if set, else the build tree's po/ when uninstalled, else
 * the installed locale folder (co2s_i18n_init, shared with the command-line
 * programs). Call once, first thing in main. */
void co2s_app_init_i18n (void);

/* TRUE when the running program lives in the Meson build tree it was
 * built in (co2s_is_uninstalled). */
gboolean co2s_app_is_uninstalled (void);

/* A GSettings for the app's schema: the installed one, else the build
 * tree's when uninstalled. NULL with G_IO_ERROR_NOT_FOUND (translated
 * message naming GSETTINGS_SCHEMA_DIR) when the schema is nowhere.
 * Transfer full. */
GSettings *co2s_app_create_settings (GError **error);

/* The path of the setting @key ("dataset", "model-dir" or "compose-file")
 * of @settings (may be NULL: the defaults), absolute. An empty setting
 * gives the default described above ($CO2S_DATASET first for "dataset";
 * without a project folder, "model-dir" defaults to
 * $XDG_DATA_HOME/co2stream/models). @is_default (may be NULL) tells
 * whether the setting was empty. Free with g_free. */
char *co2s_app_dup_path_setting (GSettings *settings,
                                 const char *key,
                                 gboolean *is_default);

G_END_DECLS
