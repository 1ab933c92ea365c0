/* co2s-prequential.h — one step of prequential (test-then-train) evaluation. */
#pragma once

#include <glib.h>

#include "co2s-conformal.h"
#include "co2s-metrics.h"
#include "co2s-model.h"

G_BEGIN_DECLS

/* Evaluates then learns one micro-batch of @n > 0 rows (@x is
 * n × CO2S_N_FEATURES row-major, @y the n targets):
 *  1. predicts every row with @model as it was, and records RMSE and MAE of
 *     those predictions (out->rmse, out->mae); when @model has seen no row
 *     yet there is nothing to test, and both are NAN (written as null: the
 *     batch is the model's warm-up, left out of every prequential mean);
 *  2. learns the batch (co2s_model_learn);
 *  3. predicts the same rows again and records that RMSE (out->rmse_fit,
 *     what a train-then-test system reports).
 * Fills out->rows (= @n), out->rows_seen (after learning) and out->algo;
 * every other member of @out is left as it was. Allocates nothing. Same
 * thread rules as @model. */
void co2s_prequential_step (Co2sModel        *model,
                            const double     *x,
                            const double     *y,
                            guint             n,
                            Co2sBatchMetrics *out);

/* The same, and the model's 95 % intervals tested on the batch before it
 * learns: @conformal (not NULL) is prepared from the residuals so far, each
 * row's truth is checked against prediction ± half-width, the share inside
 * goes to out->coverage_95 (NAN when the model has seen nothing or there is
 * no interval yet), and the batch's residuals are recorded (an untrained
 * model's are not: it predicts 0). */
void co2s_prequential_step_with_intervals (Co2sModel        *model,
                                           Co2sConformal    *conformal,
                                           const double     *x,
                                           const double     *y,
                                           guint             n,
                                           Co2sBatchMetrics *out);

/* The two halves of the step above, for several models on one batch
 * (every model scored before any learns): co2s_prequential_score does
 * step 1 (out->rows, rmse, mae and, when @conformal is not NULL, coverage_95
 * and the residuals, as co2s_prequential_step_with_intervals);
 * co2s_prequential_learn does steps 2 and 3, the latter only when @fit
 * (else out->rmse_fit is NAN), and fills out->rows_seen and out->algo.
 * Score then learn gives what co2s_prequential_step_with_intervals gives. */
void co2s_prequential_score (Co2sModel        *model,
                             Co2sConformal    *conformal,
                             const double     *x,
                             const double     *y,
                             guint             n,
                             Co2sBatchMetrics *out);

void co2s_prequential_learn (Co2sModel        *model,
                             const double     *x,
                             const double     *y,
                             guint             n,
                             gboolean          fit,
                             Co2sBatchMetrics *out);

G_END_DECLS
