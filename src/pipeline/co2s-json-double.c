/* co2s-json-double.c — %.15g, %.16g or %.17g, the first that reads back
 * (co2s-json-double.h). */
#define G_LOG_DOMAIN "co2s-json-double"

#include "co2s-json-double.h"

#include <math.h>
#include <string.h>

char *
co2s_json_double_put_g_reference (char *o, double v)
{
  static const char *formats[] = {
    NULL, "%.1g", "%.2g", "%.3g", "%.4g", "%.5g", "%.6g", "%.7g", "%.8g", "%.9g",
    "%.10g", "%.11g", "%.12g", "%.13g", "%.14g", "%.15g", "%.16g", "%.17g",
  };

  g_return_val_if_fail (o != NULL, NULL);

  /* A normal double needs at least 15 digits unless %.15g already drops
   * trailing zeros, so start there; subnormals have less precision and may
   * need just one. */
  for (int prec = fabs (v) < G_MINDOUBLE ? 1 : 15; prec <= 17; prec++)
    {
      g_ascii_formatd (o, CO2S_JSON_DOUBLE_MAX, formats[prec], v);
      if (prec == 17 || g_ascii_strtod (o, NULL) == v)
        break;
    }
  return o + strlen (o);
}

#ifdef __SIZEOF_INT128__

typedef unsigned __int128 U128;

static const guint64 pow10_u64[20] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
  1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
  100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
  1000000000000000000ull, 10000000000000000000ull,
};

/* 10^k, 0 ≤ k ≤ 20. */
static inline U128
pow10_128 (int k)
{
  return k < 20 ? (U128) pow10_u64[k] : (U128) pow10_u64[k - 19] * pow10_u64[19];
}

/* %g's fixed style of n / 10^k: trailing zeros of the fraction dropped, no
 * '.' without a fraction, "0." before a value below 1. */
static char *
put_fixed (char *o, gboolean negative, guint64 n, int k)
{
  char digits[24];   /* least significant first */
  int len = 0, low = 0, frac = k, whole;

  do
    digits[len++] = (char) ('0' + n % 10);
  while ((n /= 10) != 0);
  while (frac > 0 && digits[low] == '0')
    low++, frac--;
  whole = len - low - frac;
  if (negative)
    *o++ = '-';
  if (whole > 0)
    for (int i = len - 1; i >= low + frac; i--)
      *o++ = digits[i];
  else
    *o++ = '0';
  if (frac > 0)
    {
      *o++ = '.';
      for (int i = whole; i < 0; i++)
        *o++ = '0';
      for (int i = MIN (len, low + frac) - 1; i >= low; i--)
        *o++ = digits[i];
    }
  return o;
}

/* With |v| = m·2^-s (m of 53 bits) and k decimals, %.Pg is the fixed-point
 * form of n / 10^k, n = m·10^k / 2^s rounded to nearest, ties to even (as
 * glibc's printf rounds an exact tie). It reads back as v when it is
 * nearer to v than half v's gap to the neighbouring doubles, or exactly
 * half-way and m even (strtod rounds ties to even); below a power of two
 * the gap under v is half the one above. Scaled by 2^s·10^k, the distance
 * is |n·2^s − m·10^k| and half the gap 10^k / 2: integers, compared
 * exactly. */
char *
co2s_json_double_put_g_fast (char *o, double v)
{
  const guint64 implicit = G_GUINT64_CONSTANT (1) << 52;
  double a = fabs (v);
  guint64 bits, m;
  int s, x, k;

  g_return_val_if_fail (o != NULL, NULL);

  /* Here %.15g … %.17g have no exponent (the decimal exponent after
   * rounding is from -4 to 14), a is normal, and m·10^k (k ≤ 20) fits in
   * 120 bits. */
  if (!(a >= 1e-4 && a < 1e14))
    return NULL;
  memcpy (&bits, &a, sizeof bits);
  m = (bits & (implicit - 1)) | implicit;
  s = 1075 - (int) (bits >> 52);   /* 6 … 66 */

  /* x = floor(log10 a): from the binary exponent, off by at most one;
   * 10^x ≤ a < 10^(x+1) exactly when a·10^(14−x) has 15 digits before
   * the point. */
  x = (int) floor (((int) (bits >> 52) - 1023) * 0.30102999566398120);
  for (int tries = 0;; tries++)
    {
      guint64 q;

      k = 14 - x;
      if (tries == 3 || k < 1 || k > 19)
        return NULL;   /* not reached in the range above */
      q = (guint64) (((U128) m * pow10_128 (k)) >> s);
      if (q < pow10_u64[14])
        x--;
      else if (q >= pow10_u64[15])
        x++;
      else
        break;
    }
  if (k > 18)
    return NULL;   /* not reached: x ≥ -4 */

  for (int p = 15;; p++, k++)
    {
      U128 ten_k = pow10_128 (k);
      U128 scaled = (U128) m * ten_k;
      U128 unit = (U128) 1 << s;
      U128 rem = scaled & (unit - 1);
      U128 half = unit >> 1;
      guint64 n = (guint64) (scaled >> s);
      U128 distance;
      gboolean below, reads_back;

      if (rem > half || (rem == half && (n & 1) != 0))
        n++, below = FALSE, distance = unit - rem;
      else
        below = TRUE, distance = rem;
      if (p == 17 || distance == 0)
        reads_back = TRUE;
      else if (below && m == implicit)
        reads_back = 4 * distance <= ten_k;
      else
        reads_back = 2 * distance < ten_k || (2 * distance == ten_k && (m & 1) == 0);
      if (reads_back)
        return put_fixed (o, v < 0, n, k);
    }
}

#else

char *
co2s_json_double_put_g_fast (char *o, double v)
{
  g_return_val_if_fail (o != NULL, NULL);
  (void) v;
  return NULL;
}

#endif

char *
co2s_json_double_put_g (char *o, double v)
{
  char *end;

  g_return_val_if_fail (o != NULL, NULL);

  end = co2s_json_double_put_g_fast (o, v);
  return end != NULL ? end : co2s_json_double_put_g_reference (o, v);
}
