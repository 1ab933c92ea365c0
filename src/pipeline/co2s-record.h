/* co2s-record.h — the vehicle record schema shared by every program.
 *
 * A Co2sRecord is one row of the data set: the twelve CSV columns as doubles
 * (booleans as 0.0/1.0), plus the stream metadata the API adds. Plain struct,
 * stack-allocatable, no ownership. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CO2S_COL_ENGINE_SIZE,
  CO2S_COL_CYLINDERS,
  CO2S_COL_FUEL_CITY,
  CO2S_COL_FUEL_HWY,
  CO2S_COL_FUEL_COMB,
  CO2S_COL_FUEL_COMB_MPG,
  CO2S_COL_CO2,
  CO2S_COL_FUEL_D,
  CO2S_COL_FUEL_E,
  CO2S_COL_FUEL_N,
  CO2S_COL_FUEL_X,
  CO2S_COL_FUEL_Z,
  CO2S_N_COLUMNS
} Co2sColumn;

typedef enum {
  CO2S_COLUMN_FLOAT,
  CO2S_COLUMN_INTEGER,
  CO2S_COLUMN_BOOLEAN,
} Co2sColumnType;

/* The ten model inputs: Engine_Size, Cylinders, the three L/100 km columns and
 * the five fuel-type flags (not the mpg column, not the target). */
#define CO2S_N_FEATURES 10

/* JSON key of the sequence number and of the API's emit time (µs since the
 * Unix epoch, wall clock). */
#define CO2S_KEY_SEQ "seq"
#define CO2S_KEY_EMIT_US "ts_us"

typedef struct {
  gint64 seq;                       /* -1 when the stream did not carry one */
  gint64 emit_us;                   /* 0 when the stream did not carry one */
  double values[CO2S_N_COLUMNS];    /* NAN for an optional column that was absent */
} Co2sRecord;

#define CO2S_RECORD_ERROR (co2s_record_error_quark ())

/* Why a record was refused; the nick (co2s_record_error_reason) is what the
 * dead-letter queue carries in its "reason" header. */
typedef enum {
  CO2S_RECORD_ERROR_NOT_JSON,       /* syntax error, or not UTF-8 */
  CO2S_RECORD_ERROR_NOT_OBJECT,     /* valid JSON, but not an object */
  CO2S_RECORD_ERROR_MISSING_FIELD,  /* a required column is absent */
  CO2S_RECORD_ERROR_BAD_TYPE,       /* a column of the wrong JSON type */
  CO2S_RECORD_ERROR_NOT_FINITE,     /* null, NaN or infinity */
  CO2S_RECORD_ERROR_OUT_OF_RANGE,   /* a value no vehicle can have */
} Co2sRecordError;

GQuark co2s_record_error_quark (void);

/* Short stable name of an error code ("not-json", "missing-field", …). Static string. */
const char *co2s_record_error_reason (Co2sRecordError code);

/* CSV header / JSON key of column @col. Static string; @col < CO2S_N_COLUMNS. */
const char *co2s_column_name (Co2sColumn col);

Co2sColumnType co2s_column_type (Co2sColumn col);

/* TRUE when the trainer needs the column (the ten features and the target). */
gboolean co2s_column_is_required (Co2sColumn col);

/* Column index for a CSV header / JSON key of @len bytes, or -1. */
int co2s_column_lookup (const char *name, gsize len);

/* Name of feature @i (< CO2S_N_FEATURES), as stored in model files. Static. */
const char *co2s_feature_name (guint i);

/* Sets every column to NAN, seq to -1 and emit_us to 0. */
void co2s_record_init (Co2sRecord *record);

/* Copies the ten model inputs of @record into @out, in co2s_feature_name order. */
void co2s_record_features (const Co2sRecord *record, double out[CO2S_N_FEATURES]);

static inline double
co2s_record_target (const Co2sRecord *record)
{
  return record->values[CO2S_COL_CO2];
}

/* Checks that every required column is present, finite and plausible, that
 * flags are 0/1 with exactly one fuel type set. Sets CO2S_RECORD_ERROR_*
 * (MISSING_FIELD, NOT_FINITE or OUT_OF_RANGE) naming the column. Any thread. */
gboolean co2s_record_validate (const Co2sRecord *record, GError **error);

/* Builds the model inputs from what a person types in: litres, cylinders,
 * L/100 km city/highway/combined and a fuel letter (D, E, N, X or Z).
 * Range-checks each value with the same limits as co2s_record_validate;
 * on failure sets CO2S_RECORD_ERROR_OUT_OF_RANGE with a message naming the
 * input and returns FALSE. */
gboolean co2s_features_from_inputs (double engine_size,
                                    double cylinders,
                                    double city,
                                    double hwy,
                                    double comb,
                                    char fuel,
                                    double out[CO2S_N_FEATURES],
                                    GError **error);

/* Fuel letter → column (CO2S_COL_FUEL_D…Z), or -1 for an unknown letter. */
int co2s_fuel_column (char fuel);

/* Human name of a fuel letter ("Diesel", "Ethanol E85"…), or NULL. Static. */
const char *co2s_fuel_name (char fuel);

/* Plausible range of column @col (inclusive). */
void co2s_column_range (Co2sColumn col, double *min, double *max);

G_END_DECLS
