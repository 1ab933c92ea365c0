/* co2s-model.h — online regression models over the ten vehicle features.
 *
 * Two algorithms behind one GObject:
 *  - CO2S_ALGO_LS: exact online ridge least squares. Keeps the sufficient
 *    statistics (XᵀX and Xᵀy with an intercept column, row count) and solves
 *    the normal equations after every learn() call. Tiny ridge (1e-6 on the
 *    non-intercept diagonal, scaled by the feature variances) only to keep the
 *    system solvable before all fuel types were seen; after one pass it
 *    matches an offline least-squares fit.
 *  - CO2S_ALGO_SGD: scikit-learn's SGDRegressor().partial_fit with default
 *    parameters (squared loss, L2 alpha=1e-4, invscaling eta0=0.01
 *    power_t=0.25, intercept, one epoch per call, no shuffling), on features
 *    standardized by a running mean/variance updated with each batch before
 *    the batch is scaled (StandardScaler.partial_fit then transform).
 *
 * Not thread-safe: use one model from one thread at a time. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_ALGO_LS,
  CO2S_ALGO_SGD,
} Co2sAlgo;

/* "ls" / "sgd". Static string. */
const char *co2s_algo_to_string (Co2sAlgo algo);

/* Parses "ls" or "sgd"; FALSE for anything else. */
gboolean co2s_algo_from_string (const char *str, Co2sAlgo *algo);

#define CO2S_TYPE_MODEL (co2s_model_get_type ())
G_DECLARE_FINAL_TYPE (Co2sModel, co2s_model, CO2S, MODEL, GObject)

/* A fresh, untrained model. Predicts 0 until it has learned something. */
Co2sModel *co2s_model_new (Co2sAlgo algo);

Co2sAlgo co2s_model_get_algo (Co2sModel *self);

/* Rows learned so far. */
guint64 co2s_model_get_rows_seen (Co2sModel *self);

/* Prediction in g/km for one feature vector (co2s_feature_name order). */
double co2s_model_predict (Co2sModel *self, const double x[CO2S_N_FEATURES]);

/* Learns @n rows: @x is n × CO2S_N_FEATURES, row-major; @y the n targets. */
void co2s_model_learn (Co2sModel *self, const double *x, const double *y, guint n);

/* Coefficients in the original (unscaled) feature space: @coef gets
 * CO2S_N_FEATURES weights, @intercept the bias. */
void co2s_model_get_coefficients (Co2sModel *self, double coef[CO2S_N_FEATURES], double *intercept);

/* Adds the model's members (algo, features, coefficients, intercept,
 * rows_seen and the algorithm's state: sufficient statistics for ls, scaler
 * and raw weights and t for sgd) to an object @builder is currently in.
 * Numbers are written exactly (round-trip), locale-independent. */
void co2s_model_serialize (Co2sModel *self, JsonBuilder *builder);

/* Rebuilds a model from an object written by co2s_model_serialize. Checks
 * the algo, the feature names and every array length; NULL with a
 * G_IO_ERROR_INVALID_DATA error that names the bad member otherwise. */
Co2sModel *co2s_model_deserialize (JsonObject *object, GError **error);

G_END_DECLS
