/* co2s-application.h — the co2stream desktop application.
 *
 * One Co2sApplication owns the settings (GSettings
 * io.github.co2stream.Co2stream) and the Co2sPipelineController
 * (co2s-pipeline-controller.h) every window shows: the pipeline's state
 * machine, its supervisor, the metrics history and the live metrics
 * follower. The pipeline settings are bound to the controller, which hands
 * them to the supervisor when the pipeline is started (app.start); the
 * broker's (broker, broker-properties, kafka-port, kafka-retention-mb) are
 * bound to the supervisor itself. Changes apply on the next Start. The
 * start, stop and retrain actions are enabled by the controller's
 * can-start, can-stop and can-retrain.
 *
 * Application actions (accelerators in parentheses):
 *   app.start (F5, Ctrl+Return)     start the whole pipeline
 *   app.stop (Shift+F5, Ctrl+.)     stop it
 *   app.retrain                     "Retrain from the start", after a confirmation
 *   app.reset-local-broker          "Reset Local Broker Data…": after a confirmation
 *                                   naming the folder, its size, the topics and
 *                                   the model kept, deletes the local Kafka's data
 *                                   (co2s_supervisor_reset_local_kafka_async); says
 *                                   how it went in a toast. Enabled with the local
 *                                   backend and the local Kafka while nothing runs.
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
#include "co2s-pipeline-controller.h"

G_BEGIN_DECLS

#define CO2S_TYPE_APPLICATION (co2s_application_get_type ())

G_DECLARE_FINAL_TYPE (Co2sApplication, co2s_application, CO2S, APPLICATION, AdwApplication)

/* A new application. @application_id NULL means CO2S_APP_ID; @flags are
 * GApplication flags (tests pass G_APPLICATION_NON_UNIQUE). Returns a new
 * reference. */
Co2sApplication *co2s_application_new (const char *application_id,
                                       GApplicationFlags flags);

/* The settings and the controller; transfer none, valid from "startup"
 * until the application is finalized. Listen to the controller's
 * notifications for the pipeline's state. */
GSettings *co2s_application_get_settings (Co2sApplication *self);
Co2sPipelineController *co2s_application_get_controller (Co2sApplication *self);

/* Shorthands for the controller's getters (co2s-pipeline-controller.h):
 * its supervisor, history, follower (may be NULL), "state", "last-error"
 * (may be NULL) and "dataset-missing". Transfer none; from "startup" on. */
Co2sSupervisor *co2s_application_get_supervisor (Co2sApplication *self);
Co2sMetricsHistory *co2s_application_get_history (Co2sApplication *self);
Co2sMetricsFollower *co2s_application_get_follower (Co2sApplication *self);
Co2sPipelineState co2s_application_get_pipeline_state (Co2sApplication *self);
const char *co2s_application_get_last_error (Co2sApplication *self);
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

/* <model folder>/model.json, the folder being the pipeline controller's
 * (co2s_pipeline_controller_dup_model_folder: its scale-out subfolder
 * with several trainers); free with g_free. */
char *co2s_application_dup_model_path (Co2sApplication *self);

/* Resolves the paths again (an empty setting's default may have changed)
 * and checks again whether the data set exists (the window calls it when it
 * becomes active; settings changes do it automatically). */
void co2s_application_recheck_dataset (Co2sApplication *self);

G_END_DECLS
