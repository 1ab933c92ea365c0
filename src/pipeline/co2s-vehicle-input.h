/* co2s-vehicle-input.h — the vehicle a person describes to get a prediction:
 * engine size, cylinders, city/highway/combined consumption and a fuel
 * letter, as typed on co2stream-predict's command line or in the desktop
 * app's prediction dialog. One parser for both, so they take and refuse the
 * same values, with the limits the trainer applies to records
 * (co2s_column_range). */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

/* The five numbers, in the order of the model's features. */
typedef enum {
  CO2S_VEHICLE_ENGINE_SIZE,
  CO2S_VEHICLE_CYLINDERS,
  CO2S_VEHICLE_CITY,
  CO2S_VEHICLE_HWY,
  CO2S_VEHICLE_COMB,
  CO2S_VEHICLE_N_NUMBERS
} Co2sVehicleField;

/* What one number is. Static data; the N_() strings are untranslated. */
typedef struct {
  const char *option;   /* co2stream-predict's option, "--engine-size" */
  const char *key;      /* its key in co2stream-predict --json, "engine_size" */
  const char *label;    /* N_(): the field in words, "Engine size in litres" */
  const char *unit;     /* N_(): unit written after a value, "L", "L/100 km"; "" for a count */
  Co2sColumn column;    /* the record column (CO2S_COL_*) whose range applies */
  double min;           /* smallest allowed value (inclusive) */
  double max;           /* largest allowed value (inclusive) */
  gboolean integer;     /* whole numbers only (cylinders) */
} Co2sVehicleFieldInfo;

/* A whole, valid vehicle description. */
typedef struct {
  double numbers[CO2S_VEHICLE_N_NUMBERS];   /* by Co2sVehicleField */
  char fuel;                                /* D, E, N, X or Z (upper case) */
} Co2sVehicleInput;

/* How a text was typed, and so who reads the error message. */
typedef enum {
  /* On a command line: numbers with a decimal point under any locale ("2.0");
   * messages name the option (--engine-size), quote the text and give the
   * range with a decimal point. */
  CO2S_VEHICLE_INPUT_COMMAND_LINE,
  /* In a form: numbers as the user's locale writes them ("2,0" in French) or
   * with a point; messages are the line shown under the field's input (whose
   * title names the field): what is wrong, then the range in the user's
   * locale with the unit ("Out of range. From 0.5 to 10.0 L"). */
  CO2S_VEHICLE_INPUT_FORM,
} Co2sVehicleInputStyle;

#define CO2S_VEHICLE_INPUT_ERROR (co2s_vehicle_input_error_quark ())

typedef enum {
  CO2S_VEHICLE_INPUT_ERROR_MISSING,       /* no text (NULL, empty or blank) */
  CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER,    /* not a number in decimal notation (hex, inf, nan, words…) */
  CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE,  /* a number outside [min, max], or too large for a double */
  CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE,     /* a decimal number that is not digits only, where a count is needed */
  CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL,      /* a fuel that is not one of the letters D, E, N, X, Z */
} Co2sVehicleInputError;

GQuark co2s_vehicle_input_error_quark (void);

/* The description of @field (< CO2S_VEHICLE_N_NUMBERS). Static; any thread. */
const Co2sVehicleFieldInfo *co2s_vehicle_field_get_info (Co2sVehicleField field);

/* The allowed range of @field for a form, in the user's locale and
 * language: "From 0.5 to 10.0 L", "From 2 to 16". Free with g_free. */
char *co2s_vehicle_field_dup_range_text (Co2sVehicleField field);

/* Parses @text (may be NULL; spaces around it are allowed) as a value of
 * @field typed in @style, and checks it: a number in decimal notation (an
 * optional sign, digits with one optional decimal separator, an optional
 * exponent: "2.0", ".5", "25e-1"; never hex, inf or nan, which strtod
 * would read), digits only for a count ("4", not "4.0" or "0x4"), within
 * the field's range. Sets *@value and returns TRUE, or returns FALSE
 * with @error (CO2S_VEHICLE_INPUT_ERROR_*, translated, naming the field as
 * @style says and the allowed range); *@value is then unchanged. Any thread. */
gboolean co2s_vehicle_parse_number (Co2sVehicleField field,
                                    const char *text,
                                    Co2sVehicleInputStyle style,
                                    double *value,
                                    GError **error);

/* Parses @text (may be NULL) as a fuel letter, either case: D diesel,
 * E ethanol E85, N natural gas, X regular gasoline, Z premium gasoline.
 * Sets *@fuel to the upper-case letter, or returns FALSE with
 * CO2S_VEHICLE_INPUT_ERROR_MISSING or _BAD_FUEL listing the letters. */
gboolean co2s_vehicle_parse_fuel (const char *text,
                                  Co2sVehicleInputStyle style,
                                  char *fuel,
                                  GError **error);

/* Parses a whole vehicle: @texts holds the CO2S_VEHICLE_N_NUMBERS numbers
 * (each may be NULL), @fuel_text the letter. Fields are checked in order,
 * the fuel last; the first error is returned (@input is then undefined). */
gboolean co2s_vehicle_input_parse (Co2sVehicleInput *input,
                                   const char * const *texts,
                                   const char *fuel_text,
                                   Co2sVehicleInputStyle style,
                                   GError **error);

/* The model's ten inputs for @input, in co2s_feature_name order: what
 * co2s_model_predict takes. Checks @input again (it may have been filled by
 * hand), as co2s_features_from_inputs does; FALSE with its error otherwise. */
gboolean co2s_vehicle_input_get_features (const Co2sVehicleInput *input,
                                          double out[CO2S_N_FEATURES],
                                          GError **error);

G_END_DECLS
