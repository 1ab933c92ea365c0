/* co2s-record.c — the vehicle record schema. */
#define G_LOG_DOMAIN "co2s-record"

#include "co2s-record.h"

#include <math.h>
#include <string.h>

typedef struct {
  const char *name;
  Co2sColumnType type;
  gboolean required;
  double min;
  double max;
} ColumnInfo;

/* Ranges are generous bounds on what a road vehicle can have: the data set
 * spans 0.9–8.4 L, 3–16 cylinders, 4–31 L/100 km and 96–522 g/km. */
static const ColumnInfo columns[CO2S_N_COLUMNS] = {
  [CO2S_COL_ENGINE_SIZE]   = { "Engine_Size",             CO2S_COLUMN_FLOAT,   TRUE,  0.5, 10.0 },
  [CO2S_COL_CYLINDERS]     = { "Cylinders",               CO2S_COLUMN_INTEGER, TRUE,  2.0, 16.0 },
  [CO2S_COL_FUEL_CITY]     = { "Fuel_Consumption_City",   CO2S_COLUMN_FLOAT,   TRUE,  2.0, 50.0 },
  [CO2S_COL_FUEL_HWY]      = { "Fuel_Consumption_Hwy",    CO2S_COLUMN_FLOAT,   TRUE,  2.0, 40.0 },
  [CO2S_COL_FUEL_COMB]     = { "Fuel_Consumption_Comb",   CO2S_COLUMN_FLOAT,   TRUE,  2.0, 45.0 },
  [CO2S_COL_FUEL_COMB_MPG] = { "Fuel_Consumption_Comb-1", CO2S_COLUMN_INTEGER, FALSE, 4.0, 150.0 },
  [CO2S_COL_CO2]           = { "CO2_Emissions",           CO2S_COLUMN_INTEGER, TRUE,  30.0, 1000.0 },
  [CO2S_COL_FUEL_D]        = { "Fuel_Type_D",             CO2S_COLUMN_BOOLEAN, TRUE,  0.0, 1.0 },
  [CO2S_COL_FUEL_E]        = { "Fuel_Type_E",             CO2S_COLUMN_BOOLEAN, TRUE,  0.0, 1.0 },
  [CO2S_COL_FUEL_N]        = { "Fuel_Type_N",             CO2S_COLUMN_BOOLEAN, TRUE,  0.0, 1.0 },
  [CO2S_COL_FUEL_X]        = { "Fuel_Type_X",             CO2S_COLUMN_BOOLEAN, TRUE,  0.0, 1.0 },
  [CO2S_COL_FUEL_Z]        = { "Fuel_Type_Z",             CO2S_COLUMN_BOOLEAN, TRUE,  0.0, 1.0 },
};

static const Co2sColumn feature_columns[CO2S_N_FEATURES] = {
  CO2S_COL_ENGINE_SIZE, CO2S_COL_CYLINDERS, CO2S_COL_FUEL_CITY, CO2S_COL_FUEL_HWY,
  CO2S_COL_FUEL_COMB, CO2S_COL_FUEL_D, CO2S_COL_FUEL_E, CO2S_COL_FUEL_N,
  CO2S_COL_FUEL_X, CO2S_COL_FUEL_Z,
};

static const struct {
  char letter;
  Co2sColumn column;
  const char *name;
} fuels[] = {
  { 'D', CO2S_COL_FUEL_D, "Diesel" },
  { 'E', CO2S_COL_FUEL_E, "Ethanol E85" },
  { 'N', CO2S_COL_FUEL_N, "Natural gas" },
  { 'X', CO2S_COL_FUEL_X, "Regular gasoline" },
  { 'Z', CO2S_COL_FUEL_Z, "Premium gasoline" },
};

G_DEFINE_QUARK (co2s-record-error-quark, co2s_record_error)

const char *
co2s_record_error_reason (Co2sRecordError code)
{
  switch (code)
    {
    case CO2S_RECORD_ERROR_NOT_JSON:      return "not-json";
    case CO2S_RECORD_ERROR_NOT_OBJECT:    return "not-object";
    case CO2S_RECORD_ERROR_MISSING_FIELD: return "missing-field";
    case CO2S_RECORD_ERROR_BAD_TYPE:      return "bad-type";
    case CO2S_RECORD_ERROR_NOT_FINITE:    return "not-finite";
    case CO2S_RECORD_ERROR_OUT_OF_RANGE:  return "out-of-range";
    default:                              return "unknown";
    }
}

const char *
co2s_column_name (Co2sColumn col)
{
  g_return_val_if_fail (col < CO2S_N_COLUMNS, NULL);
  return columns[col].name;
}

Co2sColumnType
co2s_column_type (Co2sColumn col)
{
  g_return_val_if_fail (col < CO2S_N_COLUMNS, CO2S_COLUMN_FLOAT);
  return columns[col].type;
}

gboolean
co2s_column_is_required (Co2sColumn col)
{
  g_return_val_if_fail (col < CO2S_N_COLUMNS, FALSE);
  return columns[col].required;
}

void
co2s_column_range (Co2sColumn col, double *min, double *max)
{
  g_return_if_fail (col < CO2S_N_COLUMNS);
  if (min)
    *min = columns[col].min;
  if (max)
    *max = columns[col].max;
}

int
co2s_column_lookup (const char *name, gsize len)
{
  g_return_val_if_fail (name != NULL || len == 0, -1);
  for (int i = 0; i < CO2S_N_COLUMNS; i++)
    if (strlen (columns[i].name) == len && memcmp (columns[i].name, name, len) == 0)
      return i;
  return -1;
}

const char *
co2s_feature_name (guint i)
{
  g_return_val_if_fail (i < CO2S_N_FEATURES, NULL);
  return columns[feature_columns[i]].name;
}

void
co2s_record_init (Co2sRecord *record)
{
  g_return_if_fail (record != NULL);
  record->seq = -1;
  record->emit_us = 0;
  for (int i = 0; i < CO2S_N_COLUMNS; i++)
    record->values[i] = NAN;
}

void
co2s_record_features (const Co2sRecord *record, double out[CO2S_N_FEATURES])
{
  for (guint i = 0; i < CO2S_N_FEATURES; i++)
    out[i] = record->values[feature_columns[i]];
}

/* TRUE exactly when validate_or_explain would be: one pass without
 * branches per column (comparisons with NaN are false, so NaN and the
 * infinities fall outside every range), for the decoders' hot path. */
static inline gboolean
record_is_valid (const Co2sRecord *record)
{
  gboolean ok = TRUE;
  double n_fuel = 0.0;

  for (int i = 0; i < CO2S_N_COLUMNS; i++)
    {
      const ColumnInfo *c = &columns[i];
      double v = record->values[i];

      if (c->type == CO2S_COLUMN_BOOLEAN)
        {
          ok &= (v == 0.0) | (v == 1.0);
          n_fuel += v;
        }
      else
        ok &= ((v >= c->min) & (v <= c->max)) | (!c->required & (isnan (v) != 0));
    }
  return ok && n_fuel == 1.0;
}

/* The checks one by one, with the error of the first that fails. Not
 * inlined: its frame (message buffers) would weigh on the fast path. */
G_NO_INLINE static gboolean
validate_or_explain (const Co2sRecord *record, GError **error)
{
  int n_fuel = 0;

  for (int i = 0; i < CO2S_N_COLUMNS; i++)
    {
      const ColumnInfo *c = &columns[i];
      double v = record->values[i];

      if (isnan (v) && !c->required)
        continue;
      if (isnan (v))
        {
          g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_FINITE,
                       "%s is null or NaN", c->name);
          return FALSE;
        }
      if (!isfinite (v))
        {
          g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_FINITE,
                       "%s is infinite", c->name);
          return FALSE;
        }
      /* Not translated, numbers in the C locale: the message is also the
       * "detail" header of a dead letter (co2s_kafka_produce_dead_letter). */
      if (c->type == CO2S_COLUMN_BOOLEAN)
        {
          if (v != 0.0 && v != 1.0)
            {
              char text[G_ASCII_DTOSTR_BUF_SIZE];

              g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE,
                           "%s is %s, not a boolean", c->name,
                           g_ascii_formatd (text, sizeof text, "%g", v));
              return FALSE;
            }
          n_fuel += (int) v;
          continue;
        }
      if (v < c->min || v > c->max)
        {
          char text[3][G_ASCII_DTOSTR_BUF_SIZE];

          g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE,
                       "%s is %s, outside the plausible range %s–%s", c->name,
                       g_ascii_formatd (text[0], sizeof text[0], "%g", v),
                       g_ascii_formatd (text[1], sizeof text[1], "%g", c->min),
                       g_ascii_formatd (text[2], sizeof text[2], "%g", c->max));
          return FALSE;
        }
    }

  if (n_fuel != 1)
    {
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE,
                   "%d fuel-type flags are set; exactly one must be", n_fuel);
      return FALSE;
    }
  return TRUE;
}

gboolean
co2s_record_validate (const Co2sRecord *record, GError **error)
{
  g_return_val_if_fail (record != NULL, FALSE);

  return record_is_valid (record) || validate_or_explain (record, error);
}

int
co2s_fuel_column (char fuel)
{
  fuel = g_ascii_toupper (fuel);
  for (guint i = 0; i < G_N_ELEMENTS (fuels); i++)
    if (fuels[i].letter == fuel)
      return fuels[i].column;
  return -1;
}

const char *
co2s_fuel_name (char fuel)
{
  fuel = g_ascii_toupper (fuel);
  for (guint i = 0; i < G_N_ELEMENTS (fuels); i++)
    if (fuels[i].letter == fuel)
      return fuels[i].name;
  return NULL;
}

gboolean
co2s_features_from_inputs (double engine_size,
                           double cylinders,
                           double city,
                           double hwy,
                           double comb,
                           char fuel,
                           double out[CO2S_N_FEATURES],
                           GError **error)
{
  Co2sRecord r;
  int fuel_col = co2s_fuel_column (fuel);

  g_return_val_if_fail (out != NULL, FALSE);

  if (fuel_col < 0)
    {
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE,
                   "unknown fuel type '%c': use D (diesel), E (ethanol E85), N (natural gas), "
                   "X (regular gasoline) or Z (premium gasoline)", fuel ? fuel : '?');
      return FALSE;
    }

  co2s_record_init (&r);
  r.values[CO2S_COL_ENGINE_SIZE] = engine_size;
  r.values[CO2S_COL_CYLINDERS] = cylinders;
  r.values[CO2S_COL_FUEL_CITY] = city;
  r.values[CO2S_COL_FUEL_HWY] = hwy;
  r.values[CO2S_COL_FUEL_COMB] = comb;
  r.values[CO2S_COL_CO2] = 200.0; /* not an input; any plausible value */
  for (int c = CO2S_COL_FUEL_D; c <= CO2S_COL_FUEL_Z; c++)
    r.values[c] = (c == fuel_col) ? 1.0 : 0.0;

  if (!co2s_record_validate (&r, error))
    return FALSE;

  co2s_record_features (&r, out);
  return TRUE;
}
