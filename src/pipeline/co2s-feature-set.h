/* co2s-feature-set.h — what a model sees of a vehicle: its feature set.
 *
 * CO₂ per km is almost a fuel-specific constant times the fuel burnt per
 * km, so one slope for every fuel leaves much of the error. Two sets:
 *  - CO2S_FEATURES_BASE: the ten inputs of co2s_record_features (five
 *    numbers, five one-hot fuel flags), in co2s_feature_name order;
 *  - CO2S_FEATURES_FUEL: those ten, then every numeric input times every
 *    fuel flag (5 × 5 = 25 more, numeric input major: Engine_Size×D,
 *    Engine_Size×E, …, Fuel_Consumption_Comb×Z), so each fuel type gets
 *    its own slopes.
 * The expansion is a pure function of the ten inputs: callers keep handing
 * models the ten inputs, and a model expands them itself.
 *
 * Co2sModelSpec (co2s-model.h) names a model and its set, "ls:fuel".
 *
 * Everything here is pure and thread-safe. */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

/* The widest feature set's dimension. */
#define CO2S_MAX_FEATURES 35

typedef enum {
  CO2S_FEATURES_BASE,
  CO2S_FEATURES_FUEL,
} Co2sFeatureSet;

/* "base" / "fuel" ("unknown" for anything else). Static string. */
const char *co2s_feature_set_to_string (Co2sFeatureSet set);

/* Parses "base" or "fuel"; FALSE for anything else (NULL included). */
gboolean co2s_feature_set_from_string (const char *str, Co2sFeatureSet *set);

/* Number of features of @set (10 or 35). */
guint co2s_feature_set_get_dim (Co2sFeatureSet set);

/* Name of feature @i (< co2s_feature_set_get_dim), as stored in model
 * files: the ten base names, then e.g. "Engine_Size*Fuel_Type_D". Static. */
const char *co2s_feature_set_get_name (Co2sFeatureSet set, guint i);

/* Writes the co2s_feature_set_get_dim (@set) features of the ten inputs
 * @base into @out (which may not overlap @base). */
void co2s_feature_set_expand (Co2sFeatureSet set,
                              const double base[CO2S_N_FEATURES],
                              double *out);

/* co2s_feature_set_expand of each of the @n rows of @x (n × CO2S_N_FEATURES,
 * row-major) into @out (n × co2s_feature_set_get_dim, row-major; not
 * overlapping @x): the same values, without a call per row. */
void co2s_feature_set_expand_rows (Co2sFeatureSet set,
                                   const double *x,
                                   guint n,
                                   double *out);

G_END_DECLS
