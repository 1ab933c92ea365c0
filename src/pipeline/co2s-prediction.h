/* co2s-prediction.h — one vehicle's prediction from a saved model, as
 * co2stream-predict and the app's prediction dialog both give it: the
 * value, its 95 % conformal interval (co2s-conformal.h, from the residuals
 * saved with the model) and which model made it (name, version, parameter
 * hash: co2s-checkpoint.h). Any thread, one checkpoint per thread. */
#pragma once

#include <glib.h>

#include "co2s-checkpoint.h"
#include "co2s-model.h"
#include "co2s-record.h"

G_BEGIN_DECLS

/* The hex digits of params_sha256 a person is shown (as git shows a commit). */
#define CO2S_PREDICTION_SHORT_HASH 12

typedef struct {
  double value;                     /* g/km; NAN when the model gives no finite one */
  double half_width;                /* of the 95 % interval; NAN when the model file
                                     * has no residuals (then low and high are NAN) */
  double low, high;                 /* value ∓ half_width */
  char model[CO2S_MODEL_SPEC_MAX];  /* the model's name: "ls", "ls:fuel"… */
  gboolean champion;                /* it is the file's champion (always, with one model) */
  guint64 version;                  /* the checkpoint's version: its batch count */
  char params_sha256[65];           /* hex SHA-256 of the parameters, co2s_checkpoint_dup_params_sha256
                                     * (of all the file's models: the version of the whole file) */
} Co2sPrediction;

/* Predicts the vehicle with the ten inputs @features (co2s_vehicle_input_get_features)
 * with @cp's model (the champion's, when it holds several) and fills @out.
 * @cp's intervals are brought up to date (co2s_conformal_prepare), hence
 * not const. TRUE when the prediction is finite; FALSE leaves @out's value
 * NAN (the rest is filled all the same). The caller checks first that the
 * model has learned from some row. */
gboolean co2s_prediction_compute (Co2sCheckpoint *cp,
                                  const double features[CO2S_N_FEATURES],
                                  Co2sPrediction *out);

/* The same with the @index-th of @cp's models (< cp->models->len; see
 * co2s_checkpoint_find_model), for a file of several (co2stream-trainer
 * --algo ls,ls:fuel,…): each model has its own intervals. */
gboolean co2s_prediction_compute_model (Co2sCheckpoint *cp,
                                        guint index,
                                        const double features[CO2S_N_FEATURES],
                                        Co2sPrediction *out);

G_END_DECLS
