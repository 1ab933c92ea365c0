/* co2s-vec2.h — two doubles at a time for the models' elementwise loops
 * (internal to the pipeline library), which GCC leaves scalar at -O2.
 * Each lane is the scalar operation (SSE2 on x86-64, no FMA): the same
 * products and sums, bit for bit, so a model's figures do not change. No
 * allocation, any thread. */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef double Co2sV2 __attribute__ ((vector_size (16)));

/* The two doubles at @p (any alignment). */
static G_ALWAYS_INLINE inline Co2sV2
co2s_v2_load (const double *p)
{
  Co2sV2 v;

  memcpy (&v, p, sizeof v);
  return v;
}

/* Stores @v's two lanes at @p (any alignment). */
static G_ALWAYS_INLINE inline void
co2s_v2_store (double *p, Co2sV2 v)
{
  memcpy (p, &v, sizeof v);
}

/* out[k] += a · v[k] for k < @len. */
static G_ALWAYS_INLINE inline void
co2s_v2_axpy (double *out, double a, const double *v, guint len)
{
  const Co2sV2 av = { a, a };
  guint k = 0;

  for (; k + 2 <= len; k += 2)
    co2s_v2_store (out + k, co2s_v2_load (out + k) + av * co2s_v2_load (v + k));
  for (; k < len; k++)
    out[k] += a * v[k];
}

/* out[k] -= a · v[k] for k < @len. */
static G_ALWAYS_INLINE inline void
co2s_v2_axmy (double *out, double a, const double *v, guint len)
{
  const Co2sV2 av = { a, a };
  guint k = 0;

  for (; k + 2 <= len; k += 2)
    co2s_v2_store (out + k, co2s_v2_load (out + k) - av * co2s_v2_load (v + k));
  for (; k < len; k++)
    out[k] -= a * v[k];
}

G_END_DECLS
