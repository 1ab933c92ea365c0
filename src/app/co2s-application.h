/* co2s-application.h — the co2stream desktop application.
 *
 * One Co2sApplication owns what every window shows: the settings
 * (GSettings io.github.co2stream.Co2stream), the pipeline supervisor, the
 * metrics history (the model folder's metrics.jsonl, then the live topic)
 * and the live metrics follower. Settings reach the supervisor when the
 * pipeline is started (app.start): changes apply on the next Start.
 *
 * Application actions (accelerators in parentheses):
 *   app.start (F5, Ctrl+Return)     start the whole pipeline
 *   app.stop (Shift+F5, Ctrl+.)     stop it
 *   app.retrain                     "Retrain from the start", after a confirmation
 *   app.preferences (Ctrl+,)        the preferences window
 *   app.about                       the about window
 *   app.quit (Ctrl+Q)               stop the pipeline, then quit
 *
 * Command line (handled locally, see co2stream --help):
 *   --start                         start the pipeline at launch
 *   --export-plot FILE [--metrics PATH] [--last N] [--width W] [--height H]
 *                                   write the RMSE plot and exit; no display needed
 *   --model-dir DIR                 where --export-plot finds metrics.jsonl
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-app-config.h"
#include "co2s-metrics-follower.h"
#include "co2s-metrics-history.h"
#include "co2s-supervisor.h"

G_BEGIN_DECLS

/* Pipeline state shown in the window title and tests. */
typedef enum {
  CO2S_PIPELINE_STOPPED,
  CO2S_PIPELINE_STARTING,
  CO2S_PIPELINE_RUNNING,
  CO2S_PIPELINE_STOPPING,
  CO2S_PIPELINE_FAILED,
} Co2sPipelineState;

#define CO2S_TYPE_APPLICATION (co2s_application_get_type ())

G_DECLARE_FINAL_TYPE (Co2sApplication, co2s_application, CO2S, APPLICATION, AdwApplication)

/* A new application. @application_id NULL means CO2S_APP_ID; @flags are
 * GApplication flags (tests pass G_APPLICATION_NON_UNIQUE). Returns a new
 * reference. */
Co2sApplication *co2s_application_new (const char *application_id,
                                       GApplicationFlags flags);

/* The settings, supervisor and history; transfer none, valid from
 * "startup" until the application is finalized. */
GSettings *co2s_application_get_settings (Co2sApplication *self);
Co2sSupervisor *co2s_application_get_supervisor (Co2sApplication *self);
Co2sMetricsHistory *co2s_application_get_history (Co2sApplication *self);

/* Property "follower": the live follower of streaming_metrics while the
 * pipeline's broker is known, else NULL. Transfer none. */
Co2sMetricsFollower *co2s_application_get_follower (Co2sApplication *self);

/* Property "pipeline-state". */
Co2sPipelineState co2s_application_get_pipeline_state (Co2sApplication *self);

/* Translated label of @state ("Running"); static string. */
const char *co2s_pipeline_state_to_label (Co2sPipelineState state);

/* Property "last-error": a sentence saying why the last Start or Retrain
 * failed (or the live metrics cannot be followed), translated, or NULL;
 * cleared by the next Start. Owned by @self. */
const char *co2s_application_get_last_error (Co2sApplication *self);

/* Property "dataset-missing": TRUE when the local backend would have no
 * data set to stream (app.start is then disabled). */
gboolean co2s_application_get_dataset_missing (Co2sApplication *self);

/* The paths in use, resolved from the settings (an empty setting means the
 * project folder's data/co2_processed.csv, models/ and
 * docker-compose.yml). Absolute; free with g_free. When @is_default is not
 * NULL it is set to TRUE if the setting is empty (automatic). */
char *co2s_application_dup_dataset_path (Co2sApplication *self,
                                         gboolean *is_default);
char *co2s_application_dup_model_dir (Co2sApplication *self,
                                      gboolean *is_default);
char *co2s_application_dup_compose_file (Co2sApplication *self,
                                         gboolean *is_default);

/* <model folder>/model.json and <model folder>/metrics.jsonl; free with
 * g_free. */
char *co2s_application_dup_model_path (Co2sApplication *self);
char *co2s_application_dup_metrics_path (Co2sApplication *self);

/* Checks again whether the data set exists (the window calls it when it
 * becomes active; settings changes do it automatically). */
void co2s_application_recheck_dataset (Co2sApplication *self);

/* Reads <model folder>/metrics.jsonl into the history again (asynchronously;
 * what the live topic brought is kept). */
void co2s_application_reload_metrics (Co2sApplication *self);

G_END_DECLS
