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
 * Each model learns from a feature set (co2s-feature-set.h): the ten
 * inputs (base), or those and each numeric input times each fuel flag
 * (fuel: 35 features, a slope per fuel type). Callers always hand the ten
 * inputs; the model expands them. ls on the fuel set sums each batch about
 * its first row, skipping the features a row shares with it (most
 * interactions are 0), instead of the base set's two passes.
 *
 * learn() allocates nothing once batches have their usual size and costs a
 * few tens of ns per row on the base set (bench/bench-models.c: about 4×
 * more on the fuel set); ls adds one d×d solve per call (about a
 * microsecond for the base set).
 *
 * Not thread-safe: use one model from one thread at a time. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "co2s-feature-set.h"
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

/* A model: its algorithm and the features it learns from. */
typedef struct {
  Co2sAlgo algo;
  Co2sFeatureSet features;
} Co2sModelSpec;

/* The longest co2s_model_spec_to_string, with its NUL ("sgd:fuel"). */
#define CO2S_MODEL_SPEC_MAX 16

/* Parses "ALGO[:FEATURES]": "ls", "sgd", "ls:base", "ls:fuel",
 * "sgd:fuel"… (no spaces; "ls" means "ls:base"). FALSE with a
 * G_OPTION_ERROR_BAD_VALUE error, in the user's language, that says what
 * is allowed. */
gboolean co2s_model_spec_parse (const char *str, Co2sModelSpec *out, GError **error);

/* The canonical name of @spec into @buf: "ls", "sgd" (base features are
 * not named, so today's names stay), "ls:fuel", "sgd:fuel". Returns @buf. */
const char *co2s_model_spec_to_string (const Co2sModelSpec *spec, char buf[CO2S_MODEL_SPEC_MAX]);

/* TRUE when @a and @b name the same model. */
gboolean co2s_model_spec_equal (const Co2sModelSpec *a, const Co2sModelSpec *b);

/* Most models one trainer learns side by side (every ALGO:FEATURES pair
 * fits, with room for new algorithms). */
#define CO2S_MAX_MODELS 8

/* Parses a comma-separated list of models, "ls,ls:fuel,sgd" (each as
 * co2s_model_spec_parse; no spaces), into @out (CO2S_MAX_MODELS entries),
 * in its order, and their number into @n_out. An empty item, the same
 * model twice ("ls,ls:base") or more than CO2S_MAX_MODELS models is a
 * G_OPTION_ERROR_BAD_VALUE error in the user's language; @out and @n_out
 * are only written on success. */
gboolean co2s_model_spec_parse_list (const char *str,
                                     Co2sModelSpec out[CO2S_MAX_MODELS],
                                     guint *n_out,
                                     GError **error);

/* The canonical list "ls,ls:fuel,sgd" of @n (≥ 1) models. Free with g_free. */
char *co2s_model_spec_list_to_string (const Co2sModelSpec *specs, guint n);


#define CO2S_TYPE_MODEL (co2s_model_get_type ())
G_DECLARE_FINAL_TYPE (Co2sModel, co2s_model, CO2S, MODEL, GObject)

/* A fresh, untrained model on the base features (transfer full:
 * g_object_unref it). Predicts 0 until it has learned something. */
Co2sModel *co2s_model_new (Co2sAlgo algo);

/* The same for any algorithm and feature set (@spec: not NULL, copied). */
Co2sModel *co2s_model_new_for_spec (const Co2sModelSpec *spec);

/* The algorithm chosen at construction. */
Co2sAlgo co2s_model_get_algo (Co2sModel *self);

/* The feature set chosen at construction. */
Co2sFeatureSet co2s_model_get_feature_set (Co2sModel *self);

/* Algorithm and feature set into @out (not NULL). */
void co2s_model_get_spec (Co2sModel *self, Co2sModelSpec *out);

/* Number of coefficients: co2s_feature_set_get_dim of its feature set. */
guint co2s_model_get_n_coefficients (Co2sModel *self);

/* Rows learned so far. */
guint64 co2s_model_get_rows_seen (Co2sModel *self);

/* sgd: rows whose step was capped so it could not overshoot the row's own
 * target (the one deviation from scikit-learn, see co2s-model-sgd.c); 0 for ls. */
guint64 co2s_model_get_steps_capped (Co2sModel *self);

/* Prediction in g/km for the ten inputs of one vehicle (co2s_feature_name
 * order; the model expands them to its feature set): intercept + Σ coef·x. */
double co2s_model_predict (Co2sModel *self, const double x[CO2S_N_FEATURES]);

/* Learns @n rows: @x is n × CO2S_N_FEATURES (the ten inputs, whatever the
 * feature set), row-major; @y the n targets. @n = 0 does nothing. A batch holding a non-finite value is refused as a
 * whole with a g_critical (callers validate rows first). */
void co2s_model_learn (Co2sModel *self, const double *x, const double *y, guint n);

/* co2s_model_predict of each of the @n rows of @x (n × CO2S_N_FEATURES,
 * the ten inputs, row-major; NULL when @n is 0) into @pred (@n values):
 * the same predictions bit for bit, several rows at a time, without a call
 * per row. Allocates nothing. Same thread rules as co2s_model_predict. */
void co2s_model_predict_rows (Co2sModel *self, const double *x, guint n, double *pred);

/* Adds the rows @other learned into @self, for partition-parallel
 * learning: each partition's model learns its own rows, and their merge is
 * the model of all of them.
 *
 * ls (either feature set): @other's count, means and co-moments are
 * combined with @self's by the same exact pairwise update (Chan, Golub &
 * LeVeque) that learn() applies to every batch, then the normal equations
 * are solved as after a batch. @self then equals, up to floating-point
 * rounding, a model that learned both row sets, in any order and in any
 * batches, and its rows_seen is the sum. On the real data set in six
 * partitions (tests/pipeline/test-model-merge.c) the coefficients and
 * intercept are within a relative 2.4e-12 of that model's one by one for
 * ls; for ls:fuel within 6e-11 as a vector and 1.4e-9 one by one (its
 * three consumption slopes per fuel type are nearly collinear, so a few
 * units of rounding in the sums move them that much: one model learning
 * every row in batches of 50 is 2.1e-9 from the exact solution). An
 * untrained @other changes nothing; an untrained @self becomes an exact
 * copy of @other. @other may be @self (the rows then count twice, as if
 * learned twice).
 *
 * sgd: refused with G_IO_ERROR_NOT_SUPPORTED. SGD's weights depend on the
 * order in which it saw the rows and the step-size schedule of the whole
 * stream; there is no state whose combination equals the model of all
 * rows, and an average of per-partition sgd models is a different model,
 * not the one a single trainer would learn.
 *
 * Models of different algorithms or feature sets are refused with
 * G_IO_ERROR_INVALID_ARGUMENT naming both. On any error @self is
 * unchanged. Errors are in the user's language.
 *
 * @other is only read and keeps its reference (transfer none). Not
 * thread-safe: neither model may be used by another thread meanwhile (a
 * partition's model learned in another thread is merged after that
 * thread is done with it, or under the caller's lock). Costs one d×d
 * update and one solve, the solve most of it: 0.14 (ls) and 0.44 (ls:fuel)
 * of learning one batch of 100 rows (bench/bench-merge.c); to merge many
 * models, co2s_model_merge_all solves once. */
gboolean co2s_model_merge (Co2sModel *self, Co2sModel *other, GError **error);

/* co2s_model_merge of the @n models @others (@others may be NULL when @n
 * is 0; none of them @self) into @self, in their order, with one solve at
 * the end instead of one per model: the same statistics, so the same
 * coefficients bit for bit as merging them one by one. Every model is
 * checked first: if any is refused (the error names the first), @self is
 * unchanged. Same ownership and thread rules as co2s_model_merge. */
gboolean co2s_model_merge_all (Co2sModel *self, Co2sModel *const *others, guint n, GError **error);

/* A new model of @models[0]'s spec (@n ≥ 1) holding the merge of the @n
 * @models, in their order (co2s_model_merge_all into a fresh model); NULL
 * with @error when one is refused. @models are only read (transfer none);
 * the result is the caller's. Same thread rules as co2s_model_merge. */
Co2sModel *co2s_model_new_merged (Co2sModel *const *models, guint n, GError **error);

/* Coefficients in the original (unscaled) feature space: @coef gets
 * co2s_model_get_n_coefficients weights (co2s_feature_set_get_name order;
 * CO2S_N_FEATURES for base models), @intercept the bias; either may be
 * NULL. For sgd: coef = w / scale, intercept = b - Σ w·mean / scale. */
void co2s_model_get_coefficients (Co2sModel *self, double *coef, double *intercept);

/* Adds the model's members (algo, feature_set, features (their names),
 * coefficients, intercept,
 * rows_seen and "state", the algorithm's state) to an object @builder is
 * currently in. With d the feature count (10 or 35), state for ls: n,
 * x_mean[d], y_mean, xx_comoment[d][d], xy_comoment[d], yy_comoment; for
 * sgd: alpha, eta0, power_t, t, weights[d] (on standardized features),
 * intercept, and scaler { n_samples_seen, mean[d], var[d] }. Doubles are added as double
 * nodes; co2s_checkpoint_to_json writes them in their shortest form that
 * reads back exactly (co2s_json_append_double: locale-independent, valid
 * JSON for any finite value, which json-glib's generator is not: 1e22 came
 * out as "1e+22.0"). */
void co2s_model_serialize (Co2sModel *self, JsonBuilder *builder);

/* Rebuilds a model (transfer full) from an object written by
 * co2s_model_serialize. Checks
 * the algo, the feature set ("base" when absent, as files before
 * feature sets were written), the feature names, every member's type, every array length and
 * the values' plausibility (counts ≥ 0, variances ≥ 0, rows_seen equal to
 * the state's count); NULL with a G_IO_ERROR_INVALID_DATA error that names
 * the bad member otherwise. The coefficients and intercept are taken as
 * written, so predictions of the rebuilt model are bit-identical. */
Co2sModel *co2s_model_deserialize (JsonObject *object, GError **error);

G_END_DECLS
