/* co2s-preferences-window.h — the preferences of co2stream.
 *
 * Every row is bound to a key of the app's GSettings: backend, Docker
 * Compose file, broker (Apache Kafka on this computer, the embedded demo
 * broker or an existing Kafka; only the chosen one's rows are shown: the
 * local Kafka's port, retention in MiB, data folder with its size and
 * "Reset Local Broker Data…" (app.reset-local-broker); the existing Kafka's
 * address and KEY=VALUE properties, secret values masked), API rate, batch
 * size, learning algorithm, data set and model folder (file choosers; an
 * empty key means the project's default, shown as the row's subtitle).
 * With the Docker Compose backend the broker rows are insensitive (it runs
 * its own Kafka) and the group says so.
 * The window says that changes apply on the next Start, and whether the
 * running pipeline still uses the old values.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-application.h"

G_BEGIN_DECLS

#define CO2S_TYPE_PREFERENCES_WINDOW (co2s_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (Co2sPreferencesWindow, co2s_preferences_window, CO2S, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* A new preferences window for @app (after its "startup"), transient for
 * @parent (may be NULL). Present it with gtk_window_present(). */
Co2sPreferencesWindow *co2s_preferences_window_new (Co2sApplication *app,
                                                    GtkWindow *parent);

G_END_DECLS
