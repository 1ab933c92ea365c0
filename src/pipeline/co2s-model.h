/* co2s-model.h — online regression models over the ten vehicle features.
 *
 * Two algorithms behind one GObject:
 *  - CO2S_ALGO_LS: exact online least squares. Keeps the sufficient
 *    statistics in centred form (row count, feature and target means, the
 *    co-moment matrix Σ(x-x̄)(x-x̄)ᵀ, Σ(x-x̄)(y-ȳ) and Σ(y-ȳ)²), merged batch by
 *    batch with Chan, Golub & LeVeque's pairwise update: each batch is centred
 *    on its own mean first, so no large raw sums ever cancel. After every
 *    learn() the normal equations are solved by Cholesky with diagonal
 *    pivoting on the unit-diagonal-scaled co-moment matrix (co2s-linalg.h);
 *    the intercept is ȳ - x̄·β. There is no ridge: a ridge would bias the
 *    predictions. Dependent columns (the five fuel flags always sum to 1, so
 *    one of them duplicates the intercept; a fuel type never seen is a zero
 *    column; a constant feature) are left out of the solve, which gives a
 *    least-squares solution whose predictions on the data equal those of any
 *    offline OLS fit. The fuel-flag coefficients are then put in a canonical
 *    form: shifted (with the opposite shift on the intercept) so that their
 *    frequency-weighted mean over the fuel types seen is 0; a fuel type never
 *    seen keeps coefficient 0 and is predicted with the average fuel effect.
 *  - CO2S_ALGO_SGD: scikit-learn's SGDRegressor().partial_fit with default
 *    parameters (squared loss, L2 alpha=1e-4, invscaling eta0=0.01
 *    power_t=0.25, t starting at 1 and counted per row across calls, the
 *    weight-decay "wscale" trick, intercept, one epoch per call), on features
 *    standardized by a running mean/variance updated with each batch before
 *    the batch is scaled (StandardScaler.partial_fit then transform; a
 *    constant feature gets scale 1). Rows are used in the order given:
 *    scikit-learn's default shuffle=True would shuffle each batch with a
 *    random seed, so the reference numbers are made with shuffle=False.
 *    One deliberate deviation keeps it stable: a row whose step would
 *    overshoot its own target (eta·(‖x‖²+1) > 1 on the scaled row, which a
 *    rare one-hot flag causes) gets the step that fits it exactly; elsewhere
 *    the update is scikit-learn's bit for bit (co2s_model_get_steps_capped
 *    counts the capped rows). A batch that would still make the weights
 *    non-finite is rolled back with a warning.
 *
 * Both algorithms predict with the unscaled coefficients
 * (co2s_model_get_coefficients): intercept + Σ coef·x. For sgd that equals
 * scikit-learn's predict on the scaled features up to rounding.
 *
 * learn() allocates nothing and costs a few tens of ns per row; ls adds one
 * 10×10 solve (about a microsecond) per call.
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

/* "ls" / "sgd" ("unknown" for anything else). Static string. */
const char *co2s_algo_to_string (Co2sAlgo algo);

/* Parses "ls" or "sgd"; FALSE for anything else. */
gboolean co2s_algo_from_string (const char *str, Co2sAlgo *algo);

#define CO2S_TYPE_MODEL (co2s_model_get_type ())
G_DECLARE_FINAL_TYPE (Co2sModel, co2s_model, CO2S, MODEL, GObject)

/* A fresh, untrained model (transfer full: g_object_unref it). Predicts 0
 * until it has learned something. */
Co2sModel *co2s_model_new (Co2sAlgo algo);

/* The algorithm chosen at construction. */
Co2sAlgo co2s_model_get_algo (Co2sModel *self);

/* Rows learned so far. */
guint64 co2s_model_get_rows_seen (Co2sModel *self);

/* sgd: rows whose step was capped so it could not overshoot the row's own
 * target (the one deviation from scikit-learn, see co2s-model-sgd.c); 0 for ls. */
guint64 co2s_model_get_steps_capped (Co2sModel *self);

/* Prediction in g/km for one feature vector (co2s_feature_name order):
 * intercept + Σ coef·x. */
double co2s_model_predict (Co2sModel *self, const double x[CO2S_N_FEATURES]);

/* Learns @n rows: @x is n × CO2S_N_FEATURES, row-major; @y the n targets.
 * @n = 0 does nothing. A batch holding a non-finite value is refused as a
 * whole with a g_critical (callers validate rows first). */
void co2s_model_learn (Co2sModel *self, const double *x, const double *y, guint n);

/* Coefficients in the original (unscaled) feature space: @coef gets
 * CO2S_N_FEATURES weights, @intercept the bias; either may be NULL. For
 * sgd: coef = w / scale, intercept = b - Σ w·mean / scale. */
void co2s_model_get_coefficients (Co2sModel *self, double coef[CO2S_N_FEATURES], double *intercept);

/* Adds the model's members (algo, features, coefficients, intercept,
 * rows_seen and "state", the algorithm's state) to an object @builder is
 * currently in. state for ls: n, x_mean[10], y_mean, xx_comoment[10][10],
 * xy_comoment[10], yy_comoment; for sgd: alpha, eta0, power_t, t,
 * weights[10] (on standardized features), intercept, and scaler
 * { n_samples_seen, mean[10], var[10] }. Doubles are added as double
 * nodes; co2s_checkpoint_to_json writes them in their shortest form that
 * reads back exactly (co2s_json_append_double: locale-independent, valid
 * JSON for any finite value, which json-glib's generator is not: 1e22 came
 * out as "1e+22.0"). */
void co2s_model_serialize (Co2sModel *self, JsonBuilder *builder);

/* Rebuilds a model (transfer full) from an object written by
 * co2s_model_serialize. Checks
 * the algo, the feature names, every member's type, every array length and
 * the values' plausibility (counts ≥ 0, variances ≥ 0, rows_seen equal to
 * the state's count); NULL with a G_IO_ERROR_INVALID_DATA error that names
 * the bad member otherwise. The coefficients and intercept are taken as
 * written, so predictions of the rebuilt model are bit-identical. */
Co2sModel *co2s_model_deserialize (JsonObject *object, GError **error);

G_END_DECLS
