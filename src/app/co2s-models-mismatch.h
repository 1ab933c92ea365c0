/* co2s-models-mismatch.h — when the trainer fails because the model file
 * holds other models than Preferences choose (the trainer refuses another
 * --algo list rather than reset anyone's model), says so with a toast that
 * names both lists, with a button to Preferences (the other way out is
 * Retrain From the Start). Main thread. */
#pragma once

#include <adwaita.h>

#include "co2s-application.h"

G_BEGIN_DECLS

/* The toast's text when the model file at @model_path holds models other
 * than the list @algo ("ls,ls:fuel,sgd"), newly allocated; NULL when it
 * holds those (in that order), cannot be read, or @algo is no list. */
char *co2s_models_mismatch_check (const char *model_path,
                                  const char *algo);

/* Each time @app's trainer fails, checks as above (the app's model file
 * and "algo") and shows the text in @overlay (an error toast with a
 * Preferences button, kept until dismissed, one at a time), for as long as
 * @overlay lives; @overlay's window must be one of @app's. */
void co2s_models_mismatch_attach (AdwToastOverlay *overlay,
                                  Co2sApplication *app);

G_END_DECLS
