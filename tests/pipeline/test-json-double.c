/* test-json-double.c — co2s_json_double_put_g's integer fast path gives
 * the bytes of the g_ascii_formatd / g_ascii_strtod search it replaces
 * (co2s-json-double.h), on the doubles where they are easiest to get wrong:
 * decimal ties of printf's rounding, the neighbours of powers of ten and
 * of two, both ends of the fast range, and random ones. CO2S_JSON_DOUBLE_N
 * sets how many of each kind (default 100,000). */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-json-double.h"

static guint n_each = 100000;

/* Both paths on @v: the same bytes. Returns whether the fast path took it. */
static gboolean
check (double v)
{
  char fast[CO2S_JSON_DOUBLE_MAX + 1], ref[CO2S_JSON_DOUBLE_MAX + 1], any[CO2S_JSON_DOUBLE_MAX + 1];
  char *fast_end, *ref_end, *any_end;

  ref_end = co2s_json_double_put_g_reference (ref, v);
  any_end = co2s_json_double_put_g (any, v);
  *any_end = '\0';
  if (strcmp (any, ref) != 0 || any_end - any != ref_end - ref)
    {
      g_test_message ("%.17g (%a): \"%s\", the reference \"%s\"", v, v, any, ref);
      g_test_fail ();
    }
  fast_end = co2s_json_double_put_g_fast (fast, v);
  if (fast_end == NULL)
    return FALSE;
  *fast_end = '\0';
  if (strcmp (fast, ref) != 0)
    {
      g_test_message ("%.17g (%a): fast \"%s\", the reference \"%s\"", v, v, fast, ref);
      g_test_fail ();
    }
  return TRUE;
}

static double
random_bits_double (void)
{
  guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

/* The fast path's whole range and nothing else. */
static void
test_range (void)
{
  static const double inside[] = {
    1e-4, 1.0000000000000001e-4, 0.00012345678901234567, 0.5, 1, 2.5773399504012366,
    1.7832303812737313, 4.385913607948435, 99999999999999.98, 12345678901234.567,
    -2.576302466859948, -1e-4,
  };
  static const double outside[] = {
    0.0, -0.0, 9.9999999999999991e-5, 1e14, 1.5e14, 1e300, 5e-324, 2.2250738585072014e-308,
    -1e14, G_MAXDOUBLE,
  };
  char buf[CO2S_JSON_DOUBLE_MAX];

  for (guint i = 0; i < G_N_ELEMENTS (inside); i++)
    g_assert_true (check (inside[i]));
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      g_assert_null (co2s_json_double_put_g_fast (buf, outside[i]));
      check (outside[i]);
    }
  g_assert_null (co2s_json_double_put_g_fast (buf, NAN));
  g_assert_null (co2s_json_double_put_g_fast (buf, INFINITY));
}

/* What the metrics lines and model files hold, and known answers. */
static void
test_known (void)
{
  static const struct { double v; const char *text; } known[] = {
    { 2.5773399504012366, "2.5773399504012366" },
    { 2.576302466859948, "2.576302466859948" },
    { 0.30000000000000004, "0.30000000000000004" },
    { 0.1, "0.1" },
    { 1.0 / 3, "0.3333333333333333" },
    { 2.0 / 3, "0.6666666666666666" },
    { 123456.0009765625, "123456.0009765625" },
    { 99999999999999.98, "99999999999999.98" },
    { 0.00012345678901234567, "0.00012345678901234567" },
    { -4.385913607948435, "-4.385913607948435" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      char buf[CO2S_JSON_DOUBLE_MAX + 1];
      char *end = co2s_json_double_put_g (buf, known[i].v);

      *end = '\0';
      g_assert_cmpstr (buf, ==, known[i].text);
      g_assert_true (check (known[i].v));
    }
}

/* Exact decimals with 16 to 18 significant digits, the last a 5: a tie for
 * printf's rounding at 15, 16 or 17 digits (round half to even). */
static void
test_ties (void)
{
  guint taken = 0;

  for (guint i = 0; i < n_each; i++)
    {
      int t = g_test_rand_int_range (1, 40);            /* fraction j / 2^t: t decimals */
      int digits = g_test_rand_int_range (16, 19) - t;  /* of the integer part */
      double whole, v;
      guint64 j;

      if (digits < 1 || digits > 15 || digits * 3.33 + t > 52)
        continue;
      whole = floor (g_test_rand_double_range (pow (10, digits - 1), pow (10, digits)));
      j = (((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ()) % (G_GUINT64_CONSTANT (1) << t);
      v = whole + ldexp ((double) (j | 1), -t);   /* odd j: the last decimal is a 5 */
      if (g_test_rand_bit ())
        v = -v;
      taken += check (v);
      taken += check (ldexp ((double) (j | 1), -t));   /* below 1, down to 1e-4 */
    }
  g_test_message ("%u ties through the fast path", taken);
  g_assert_cmpuint (taken, >, n_each / 4);
}

/* Steps around every power of ten and of two of the range, and its ends. */
static void
test_neighbours (void)
{
  for (int e = -5; e <= 14; e++)
    {
      double around[] = { pow (10, e), 2.5 * pow (10, e), 5 * pow (10, e), 9.999999999999999 * pow (10, e) };

      for (guint a = 0; a < G_N_ELEMENTS (around); a++)
        {
          double up = around[a], down = around[a];

          for (int i = 0; i < 300; i++)
            {
              check (up);
              check (down);
              check (-up);
              up = nextafter (up, INFINITY);
              down = nextafter (down, 0);
            }
        }
    }
  for (int e = -15; e <= 47; e++)
    {
      double up = ldexp (1, e), down = ldexp (1, e);

      for (int i = 0; i < 300; i++)
        {
          check (up);
          check (down);
          up = nextafter (up, INFINITY);
          down = nextafter (down, 0);
        }
    }
}

/* Random doubles: spread evenly over the range's logarithm, in the
 * trainer's figures' scale, and any bit pattern (mostly outside the
 * range: the fallback). */
static void
test_random (void)
{
  guint taken = 0;

  for (guint i = 0; i < n_each; i++)
    {
      double v = random_bits_double ();

      if (isfinite (v))
        check (v);
      taken += check (pow (10, g_test_rand_double_range (-4, 14)) * (g_test_rand_bit () ? 1 : -1));
      taken += check (g_test_rand_double_range (0, 100));
      taken += check (g_test_rand_double_range (0, 1));
    }
  g_assert_cmpuint (taken, >, 2 * n_each);
}

int
main (int argc, char **argv)
{
  const char *n = g_getenv ("CO2S_JSON_DOUBLE_N");

  g_test_init (&argc, &argv, NULL);
  if (n != NULL)
    n_each = (guint) g_ascii_strtoull (n, NULL, 10);

  g_test_add_func ("/json-double/range", test_range);
  g_test_add_func ("/json-double/known", test_known);
  g_test_add_func ("/json-double/ties", test_ties);
  g_test_add_func ("/json-double/neighbours", test_neighbours);
  g_test_add_func ("/json-double/random", test_random);
  return g_test_run ();
}
