/* co2s-test-model.h — comparing two models' coefficients, for the tests of
 * partition-parallel learning (merged against one model of every row). */
#pragma once

#include <glib.h>

#include "co2s-model.h"

G_BEGIN_DECLS

/* How far @got's coefficients and intercept are from @want's (same feature
 * count, asserted): *@each gets the largest relative difference of one
 * coefficient (|got − want| / |want|), *@vector the relative difference of
 * the whole vector (‖got − want‖ / ‖want‖). Either may be NULL. */
void co2s_test_model_difference (Co2sModel *got, Co2sModel *want, double *each, double *vector);

G_END_DECLS
