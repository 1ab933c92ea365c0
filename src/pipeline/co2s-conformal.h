/* co2s-conformal.h — prediction intervals that hold: split conformal
 * intervals on a model's recent prequential residuals, per fuel type.
 *
 * A model's prequential residual (truth − prediction, made before the model
 * learned the row) is exactly the kind of error its next predictions will
 * make, so the 95th percentile of the recent |residuals| is a 95 % interval
 * half-width that needs no Gaussian assumption. The errors differ by fuel
 * type (ethanol and diesel rows are harder), so each fuel type keeps its own
 * window of residuals and uses it once it holds enough of them; until then,
 * and for a fuel type seen a handful of times (natural gas), the window of
 * all fuel types is used.
 *
 * The trainer's order, per batch: co2s_conformal_prepare (the quantiles of
 * the residuals so far), then for each row co2s_conformal_half_width (O(1))
 * to score coverage and answer predictions, then co2s_conformal_add with the
 * batch's residuals, then the model learns the batch.
 *
 * Half-width: the ⌈(n + 1)·level⌉-th smallest of the n |residuals| in the
 * window (the finite-sample conformal quantile), or the largest when that
 * rank exceeds n. Measured on the real data set with ls:fuel in batches of
 * 100, each row's interval made before the model learned it
 * (/conformal/real-data-coverage): pass 1 96.3 % of rows inside; passes 2–3
 * 95.5 %, per fuel type D 98.6 %, E 98.6 %, X 95.1 %, Z 95.4 %.
 *
 * |residuals| are kept as 32-bit floats, which also makes the saved state
 * exact. Not thread-safe; allocates only in co2s_conformal_new. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

#define CO2S_CONFORMAL_DEFAULT_LEVEL 0.95
/* Residuals kept per window (all fuel types, and each fuel type). */
#define CO2S_CONFORMAL_DEFAULT_WINDOW 2000
/* A fuel type's own window is used from this many residuals on. */
#define CO2S_CONFORMAL_MIN_PER_FUEL 100

typedef struct _Co2sConformal Co2sConformal;

/* Intervals at @level (0.5 ≤ level < 1) from the last @window (≥ 10)
 * residuals. Free with co2s_conformal_free. */
Co2sConformal *co2s_conformal_new (double level, guint window);
void           co2s_conformal_free (Co2sConformal *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sConformal, co2s_conformal_free)

/* Records the prequential residuals of @n rows (@x n × CO2S_N_FEATURES,
 * the ten inputs, for their fuel flags; @residual n values). Non-finite
 * residuals are skipped. */
void co2s_conformal_add (Co2sConformal *self, const double *x, const double *residual, guint n);

/* Computes the half-widths from the residuals recorded so far; the next
 * co2s_conformal_half_width calls answer from them. */
void co2s_conformal_prepare (Co2sConformal *self);

/* The interval half-width for a vehicle with the ten inputs @x, as of the
 * last co2s_conformal_prepare: prediction ± half-width. NAN before any
 * residual. */
double co2s_conformal_half_width (const Co2sConformal *self, const double x[CO2S_N_FEATURES]);

/* For each of the @n rows of @x in turn (@x n × CO2S_N_FEATURES, @residual
 * n values): its half-width as co2s_conformal_half_width gives it then,
 * whether |residual| ≤ half-width (@inside counts those, @with_interval
 * the rows that had a half-width, both added to), then co2s_conformal_add
 * of its residual. The same as those calls row by row, without a call per
 * row. */
void co2s_conformal_test_and_add (Co2sConformal *self,
                                  const double  *x,
                                  const double  *residual,
                                  guint          n,
                                  guint         *inside,
                                  guint         *with_interval);

/* Adds the state (level, window, each window's |residuals| oldest first as
 * base64 of little-endian float32) as an object to the array or member
 * @builder is at. Reading it back gives the same intervals, bit for bit. */
void co2s_conformal_to_json (const Co2sConformal *self, JsonBuilder *builder);

/* Rebuilds what co2s_conformal_to_json wrote in @object, whose members are
 * named "@path.level"… in errors (G_IO_ERROR_INVALID_DATA, co2s-json-reader.h's
 * words). NULL on error. */
Co2sConformal *co2s_conformal_from_json (JsonObject *object, const char *path, GError **error);

G_END_DECLS
