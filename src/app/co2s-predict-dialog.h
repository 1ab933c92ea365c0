/* co2s-predict-dialog.h — predict the CO₂ emissions of one vehicle.
 *
 * Inputs: engine size (L), cylinders, fuel consumption city / highway /
 * combined (L/100 km) as locale-aware spin buttons, and the fuel type as
 * words. Each input is checked as it is typed by the parser co2stream-predict
 * uses for its options (co2s_vehicle_parse_number: the trainer's limits); a
 * message under the input says what is wrong and the Predict button stays
 * disabled while any input is invalid. The prediction is computed exactly as
 * co2stream-predict does (co2s_vehicle_input_get_features, then
 * co2s_model_predict on the checkpoint read by co2s_checkpoint_load), so
 * both give the same number.
 *
 * The model file (normally <model folder>/model.json) is watched: when the
 * trainer writes a new checkpoint it is reloaded, and the Reload button
 * does it by hand. A missing or corrupt file gives a clear message in the
 * dialog and the last good model stays in use.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CO2S_TYPE_PREDICT_DIALOG (co2s_predict_dialog_get_type ())

G_DECLARE_FINAL_TYPE (Co2sPredictDialog, co2s_predict_dialog, CO2S, PREDICT_DIALOG, AdwWindow)

/* A new dialog for the model file @model_path (not NULL), transient for
 * @parent (may be NULL). It loads the model at once. Transfer: a floating
 * toplevel owned by GTK; hidden, not destroyed, when closed. */
Co2sPredictDialog *co2s_predict_dialog_new (GtkWindow *parent,
                                            const char *model_path);

/* Property "model-path"; owned by @self. Setting it loads that file and
 * watches it instead. */
const char *co2s_predict_dialog_get_model_path (Co2sPredictDialog *self);
void co2s_predict_dialog_set_model_path (Co2sPredictDialog *self,
                                         const char *model_path);

/* Reads the model file again now. TRUE when it was loaded; otherwise FALSE
 * with @error (may be NULL), the message is shown in the dialog and the
 * last good model is kept. */
gboolean co2s_predict_dialog_reload (Co2sPredictDialog *self,
                                     GError **error);

/* Property "model-loaded": a usable model is held (possibly an older one
 * when the last reload failed). */
gboolean co2s_predict_dialog_get_model_loaded (Co2sPredictDialog *self);

/* Property "model-error": why the last load failed (translated), or NULL
 * after a successful load. Owned by @self. */
const char *co2s_predict_dialog_get_model_error (Co2sPredictDialog *self);

/* Property "model-loads": successful loads so far (tests wait on it). */
guint co2s_predict_dialog_get_model_loads (Co2sPredictDialog *self);

/* Sets every input as if typed; @fuel is a letter D, E, N, X or Z. */
void co2s_predict_dialog_set_inputs (Co2sPredictDialog *self,
                                     double engine_size,
                                     double cylinders,
                                     double city,
                                     double hwy,
                                     double comb,
                                     char fuel);

/* Property "inputs-valid": every input is within its range. */
gboolean co2s_predict_dialog_get_inputs_valid (Co2sPredictDialog *self);

/* Does what the Predict button does. TRUE when a prediction is shown. */
gboolean co2s_predict_dialog_predict (Co2sPredictDialog *self);

/* Chooses the model named @name ("ls:fuel") of a file of several, as the
 * Model row does: the labels, and a prediction on screen, follow it. FALSE
 * when no model is loaded or the file holds none by that name. */
gboolean co2s_predict_dialog_select_model (Co2sPredictDialog *self,
                                           const char *name);

/* The name of the model that predicts (the champion until another is
 * chosen, kept across reloads while the file holds it), owned by @self;
 * NULL when no model is loaded. */
const char *co2s_predict_dialog_get_selected_model (Co2sPredictDialog *self);

/* Property "prediction": the last predicted CO₂ emissions in g/km, NAN
 * when none is shown (cleared when an input changes). */
double co2s_predict_dialog_get_prediction (Co2sPredictDialog *self);

G_END_DECLS
