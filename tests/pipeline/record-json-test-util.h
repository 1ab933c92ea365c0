/* record-json-test-util.h — helpers shared by the record JSON codec tests
 * (test-record-json.c, test-record-json-fuzz.c). */
#pragma once

#include "co2s-record-json.h"

/* A valid record's members, in schema order (no braces). */
#define B_TAIL "\"Cylinders\":4,\"Fuel_Consumption_City\":9.85,\"Fuel_Consumption_Hwy\":6.95," \
  "\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199,\"Fuel_Type_D\":false," \
  "\"Fuel_Type_E\":false,\"Fuel_Type_N\":false,\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true"
#define B "\"Engine_Size\":2," B_TAIL
/* B without the flags, to vary them. */
#define B_NO_FLAGS "\"Engine_Size\":2,\"Cylinders\":4,\"Fuel_Consumption_City\":9.85," \
  "\"Fuel_Consumption_Hwy\":6.95,\"Fuel_Consumption_Comb\":8.5,\"CO2_Emissions\":199"
#define FLAGS_Z "\"Fuel_Type_D\":false,\"Fuel_Type_E\":false,\"Fuel_Type_N\":false," \
  "\"Fuel_Type_X\":false,\"Fuel_Type_Z\":true"

#define OK (-1)

typedef struct {
  gboolean ok;
  Co2sRecord record;
  GError *error;
} Outcome;

/* @data made printable for a test message (escaped, at most 2,000 bytes). */
char *show (const char *data, gsize len);

void outcome_clear (Outcome *o);

/* Decodes with both decoders and asserts they agree: same verdict, same
 * error code and message, or the same record bit for bit. Returns whether
 * the fast decoder fell back to json-glib. */
gboolean decode_both (const char *data, gsize len, Outcome *fast, Outcome *ref);

/* Both peek decoders agree on @data; returns the verdict. */
gboolean peek_both (const char *data, gsize len, gint64 *seq, GError **error);

double random_in (double lo, double hi);

/* A valid record with full-precision values (random mantissa bits). */
void random_record (Co2sRecord *r);
