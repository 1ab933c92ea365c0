/* co2s-feature-set.c — the base and fuel feature sets (co2s-feature-set.h). */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-feature-set.h"

#include <string.h>

/* The ten inputs: five numbers, then the five one-hot fuel flags
 * (co2s-record.c, feature_columns). */
#define N_NUMERIC 5
#define N_FUEL 5
#define FUEL_FIRST N_NUMERIC

G_STATIC_ASSERT (CO2S_N_FEATURES == N_NUMERIC + N_FUEL);
G_STATIC_ASSERT (CO2S_MAX_FEATURES == CO2S_N_FEATURES + N_NUMERIC * N_FUEL);

static const char *const set_names[] = {
  [CO2S_FEATURES_BASE] = "base",
  [CO2S_FEATURES_FUEL] = "fuel",
};

/* "Engine_Size*Fuel_Type_D"…, made once. */
static const char *
interaction_name (guint k)
{
  static char *names[N_NUMERIC * N_FUEL];
  static gsize made;

  if (g_once_init_enter (&made))
    {
      for (guint i = 0; i < N_NUMERIC * N_FUEL; i++)
        names[i] = g_strconcat (co2s_feature_name (i / N_FUEL), "*",
                                co2s_feature_name (FUEL_FIRST + i % N_FUEL), NULL);
      g_once_init_leave (&made, 1);
    }
  return names[k];
}

const char *
co2s_feature_set_to_string (Co2sFeatureSet set)
{
  if ((guint) set < G_N_ELEMENTS (set_names))
    return set_names[set];
  return "unknown";
}

gboolean
co2s_feature_set_from_string (const char *str, Co2sFeatureSet *set)
{
  g_return_val_if_fail (set != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (set_names); i++)
    if (g_strcmp0 (str, set_names[i]) == 0)
      {
        *set = (Co2sFeatureSet) i;
        return TRUE;
      }
  return FALSE;
}

guint
co2s_feature_set_get_dim (Co2sFeatureSet set)
{
  g_return_val_if_fail (set == CO2S_FEATURES_BASE || set == CO2S_FEATURES_FUEL, CO2S_N_FEATURES);

  return set == CO2S_FEATURES_FUEL ? CO2S_MAX_FEATURES : CO2S_N_FEATURES;
}

const char *
co2s_feature_set_get_name (Co2sFeatureSet set, guint i)
{
  g_return_val_if_fail (i < co2s_feature_set_get_dim (set), NULL);

  if (i < CO2S_N_FEATURES)
    return co2s_feature_name (i);
  return interaction_name (i - CO2S_N_FEATURES);
}

void
co2s_feature_set_expand (Co2sFeatureSet set,
                         const double base[CO2S_N_FEATURES],
                         double *out)
{
  g_return_if_fail (base != NULL && out != NULL);
  g_return_if_fail (set == CO2S_FEATURES_BASE || set == CO2S_FEATURES_FUEL);

  memcpy (out, base, CO2S_N_FEATURES * sizeof (double));
  if (set == CO2S_FEATURES_BASE)
    return;
  for (guint i = 0; i < N_NUMERIC; i++)
    for (guint f = 0; f < N_FUEL; f++)
      out[CO2S_N_FEATURES + i * N_FUEL + f] = base[i] * base[FUEL_FIRST + f];
}

void
co2s_feature_set_expand_rows (Co2sFeatureSet set,
                              const double *x,
                              guint n,
                              double *out)
{
  g_return_if_fail (n == 0 || (x != NULL && out != NULL));
  g_return_if_fail (set == CO2S_FEATURES_BASE || set == CO2S_FEATURES_FUEL);

  if (set == CO2S_FEATURES_BASE)
    {
      memcpy (out, x, (gsize) n * CO2S_N_FEATURES * sizeof (double));
      return;
    }
  for (guint r = 0; r < n; r++)
    {
      const double *base = x + (gsize) r * CO2S_N_FEATURES;
      double *o = out + (gsize) r * CO2S_MAX_FEATURES;

      memcpy (o, base, CO2S_N_FEATURES * sizeof (double));
      for (guint i = 0; i < N_NUMERIC; i++)
        for (guint f = 0; f < N_FUEL; f++)
          o[CO2S_N_FEATURES + i * N_FUEL + f] = base[i] * base[FUEL_FIRST + f];
    }
}
