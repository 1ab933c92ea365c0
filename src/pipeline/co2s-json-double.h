/* co2s-json-double.h — the last step of co2s_json_append_double: a double
 * that no fixed-point form of up to 8 decimals reads back as, written as
 * the first of printf's %.15g, %.16g and %.17g that does (%.17g always
 * does), in the C locale. The model figures of every metrics line and the
 * coefficients of every model file end here, most of them needing 16 or 17
 * digits.
 *
 * The reference is that search itself, through g_ascii_formatd and
 * g_ascii_strtod (about 1 µs a number). The fast path gives the same bytes
 * from integer arithmetic for the numbers the trainer writes (normal, from
 * 1e-4 to below 1e14, where %g has no exponent) and leaves the others to
 * the reference; tests/pipeline/test-json-double.c compares the two.
 *
 * Not API; pure functions, thread-safe. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes co2s_json_double_put_g may write (it writes no NUL). */
#define CO2S_JSON_DOUBLE_MAX 32

/* Writes the first of %.15g, %.16g and %.17g of the finite @v that reads
 * back (strtod) as @v — for subnormals the first of %.1g … %.17g — to @o
 * (CO2S_JSON_DOUBLE_MAX bytes), no NUL; returns the end. */
char *co2s_json_double_put_g (char *o, double v);

/* The same through g_ascii_formatd and g_ascii_strtod: the reference. Also
 * writes a NUL after the end. */
char *co2s_json_double_put_g_reference (char *o, double v);

/* The same by integer arithmetic when @v is normal and 1e-4 ≤ |v| < 1e14
 * (and the compiler has 128-bit integers); else writes nothing and returns
 * NULL. */
char *co2s_json_double_put_g_fast (char *o, double v);

G_END_DECLS
