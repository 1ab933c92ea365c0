/* co2s-metrics-scan.c — the fast reader of one metrics line (see the header).
 *
 * It only answers for input it is sure about: a strict JSON object whose
 * keys are all in the table below (each at most once), with plain ASCII
 * strings (no escapes), integer literals of at most 18 digits for the
 * integer members and finite numbers or null for the others. A trainer of
 * several models adds "champion" (= algo) and "models", an object of 2 to
 * CO2S_METRICS_MAX_MODELS objects, each named by a plain string (1 to 15
 * characters, no '.', each name once) and holding only the keys
 * co2s_batch_metrics_from_json reads, each at most once: that part is in
 * co2s-metrics-scan-models.c. Anything else returns FALSE and the caller
 * asks json-glib, so the results can never differ in kind, only in speed. */
#define G_LOG_DOMAIN "co2s-metrics"

#include "co2s-metrics-scan.h"
#include "co2s-metrics-scan-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

typedef Co2sScanPtr Ptr;

typedef enum {
  K_BATCH,
  K_ROWS,
  K_ROWS_SEEN,
  K_RMSE,
  K_MAE,
  K_RMSE_FIT,
  K_TIMESTAMP,
  K_TIMESTAMP_US,
  K_LAG,
  K_LAT_P50,
  K_LAT_MAX,
  K_LAT_P50_US,
  K_LAT_P99_US,
  K_LAT_P999_US,
  K_ALGO,
  K_DLQ,
  K_COVERAGE,
  K_DRIFT_ALARM,
  K_DRIFT_STAT,
  K_CHAMPION,
  K_MODELS,
  K_PARTITION,
  K_PARTITION_BATCH,
  K_TRAINER,
  N_KEYS
} Key;

typedef enum {
  V_COUNT,      /* integer 0 .. G_MAXINT64 */
  V_COUNT_NULL, /* integer 0 .. G_MAXINT64, or null */
  V_ROWS,       /* integer 0 .. G_MAXUINT */
  V_INT,        /* any integer */
  V_LAG,        /* integer -1 .. G_MAXINT64 */
  V_DOUBLE,     /* finite number or null */
  V_IGNORED,    /* string or null, not read (timestamp when timestamp_us is there) */
  V_ALGO,       /* string shorter than Co2sBatchMetrics.algo, or null */
  V_BOOL,       /* true or false */
  V_CHAMPION,   /* string shorter than Co2sBatchMetrics.algo */
  V_MODELS,     /* object of the models' figures (co2s_scan_models) */
  V_PARTITION,  /* integer 0 .. G_MAXINT32 */
  V_TRAINER,    /* a trainer id (co2s_metrics_is_trainer_id) */
} ValueKind;

static const struct {
  const char *name;
  guint len;
  ValueKind kind;
} keys[N_KEYS] = {
#define KEY(name, kind) { name, sizeof name - 1, kind }
  [K_BATCH] = KEY ("batch", V_COUNT),
  [K_ROWS] = KEY ("rows", V_ROWS),
  [K_ROWS_SEEN] = KEY ("rows_seen", V_COUNT),
  [K_RMSE] = KEY ("rmse", V_DOUBLE),
  [K_MAE] = KEY ("mae", V_DOUBLE),
  [K_RMSE_FIT] = KEY ("rmse_fit", V_DOUBLE),
  [K_TIMESTAMP] = KEY ("timestamp", V_IGNORED),
  [K_TIMESTAMP_US] = KEY ("timestamp_us", V_INT),
  [K_LAG] = KEY ("lag", V_LAG),
  [K_LAT_P50] = KEY ("latency_ms_p50", V_DOUBLE),
  [K_LAT_MAX] = KEY ("latency_ms_max", V_DOUBLE),
  [K_LAT_P50_US] = KEY ("latency_p50_us", V_COUNT_NULL),
  [K_LAT_P99_US] = KEY ("latency_p99_us", V_COUNT_NULL),
  [K_LAT_P999_US] = KEY ("latency_p999_us", V_COUNT_NULL),
  [K_ALGO] = KEY ("algo", V_ALGO),
  [K_DLQ] = KEY ("dlq", V_COUNT),
  [K_COVERAGE] = KEY ("coverage_95", V_DOUBLE),
  [K_DRIFT_ALARM] = KEY ("drift_alarm", V_BOOL),
  [K_DRIFT_STAT] = KEY ("drift_statistic", V_DOUBLE),
  [K_CHAMPION] = KEY ("champion", V_CHAMPION),
  [K_MODELS] = KEY ("models", V_MODELS),
  [K_PARTITION] = KEY ("partition", V_PARTITION),
  [K_PARTITION_BATCH] = KEY ("partition_batch", V_COUNT),
  [K_TRAINER] = KEY ("trainer", V_TRAINER),
#undef KEY
};

/* Without these the json-glib reader has an error to give, or (no
 * timestamp_us) an ISO 8601 time to read. */
#define REQUIRED ((1u << K_BATCH) | (1u << K_ROWS) | (1u << K_ROWS_SEEN) | \
                  (1u << K_RMSE) | (1u << K_TIMESTAMP_US))

static int
lookup_key (Ptr name, gsize len, int expected)
{
  if (expected < N_KEYS && keys[expected].len == len && memcmp (keys[expected].name, name, len) == 0)
    return expected;
  for (int i = 0; i < N_KEYS; i++)
    if (keys[i].len == len && memcmp (keys[i].name, name, len) == 0)
      return i;
  return -1;
}

#if (defined (__x86_64__) || defined (__i386__)) && LDBL_MANT_DIG == 64
# define CO2S_SCAN_X87 1

/* m × 10^e10 (m < 10^19, |e10| ≤ 27: both operands exact in a 64-bit
 * significand) rounded once to 64 bits, then to a double; FALSE when the
 * 64-bit result's 11 low bits are within one of 0x400 (a double's halfway
 * point), where the second rounding could differ from a correct one. */
static gboolean
x87_convert (guint64 m, int e10, double *out)
{
  /* 10^k for k ≤ 27 is exact in a 64-bit significand (5^27 < 2^63). */
  static const long double p10[] = {
    1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L,
    1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
  };
  long double v;
  guint64 significand;

  g_assert (ABS (e10) < (int) G_N_ELEMENTS (p10));
  v = e10 >= 0 ? (long double) m * p10[e10] : (long double) m / p10[-e10];
  memcpy (&significand, &v, sizeof significand);
  if ((significand & 0x7ff) >= 0x3ff && (significand & 0x7ff) <= 0x401)
    return FALSE;
  *out = (double) v;
  return TRUE;
}
#else
# define CO2S_SCAN_X87 0
#endif

/* A JSON number at @p. Integer literals (no fraction, no exponent) of at
 * most 18 digits go to *@i with *@is_int; others to *@d. NULL when it is not
 * a number or one left to json-glib. */
Co2sScanPtr
co2s_scan_number (Co2sScanPtr p, Co2sScanPtr end, gboolean *is_int, gint64 *i, double *d)
{
  static const double p10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  Ptr start = p, digits;
  gboolean negative = FALSE, many = FALSE;
  guint64 m = 0;
  int n_sig = 0, n_digits = 0, exp10 = 0, n_frac = 0;

  /* One pass: the significant digits (at most 19) go to m as they come. */
#define TAKE_DIGIT(c)                                  \
  G_STMT_START {                                       \
    if (m != 0 || (c) != '0')                          \
      {                                                \
        if (n_sig < 19)                                \
          m = m * 10 + (guint64) ((c) - '0'), n_sig++; \
        else                                           \
          many = TRUE;                                 \
      }                                                \
  } G_STMT_END

  if (p < end && *p == '-')
    negative = TRUE, p++;
  digits = p;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && *p >= '0' && *p <= '9')
      {
        TAKE_DIGIT (*p);
        p++;
      }
  else
    return NULL;
  n_digits = (int) (p - digits);

  if (p == end || (*p != '.' && *p != 'e' && *p != 'E'))
    {
      /* m holds every digit: at most 18 of them. */
      if (n_digits > 18)
        return NULL;
      *is_int = TRUE;
      *i = negative ? -(gint64) m : (gint64) m;
      return p;
    }

  if (*p == '.')
    {
      Ptr frac = ++p;

      while (p < end && *p >= '0' && *p <= '9')
        {
          TAKE_DIGIT (*p);
          p++;
        }
      n_frac = (int) (p - frac);
      if (n_frac == 0)
        return NULL;
    }
#undef TAKE_DIGIT
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean exp_negative = FALSE;
      Ptr exp_start;

      if (++p < end && (*p == '+' || *p == '-'))
        exp_negative = (*p++ == '-');
      exp_start = p;
      while (p < end && *p >= '0' && *p <= '9')
        {
          if (exp10 < 100000)
            exp10 = exp10 * 10 + (*p - '0');
          p++;
        }
      if (p == exp_start)
        return NULL;
      if (exp_negative)
        exp10 = -exp10;
    }

  /* Exact when the significant digits fit in 15 and the power of ten is
   * exact (Clinger's fast path); with x87's 64-bit long double, 19 digits
   * and powers up to 10^27 are exact too, and the one rounding to 64 bits
   * can only make the rounding to a double wrong when it lands within one
   * unit of a double's halfway point: that (rare) case, and any other, goes
   * to the C library's correctly rounded conversion, as in json-glib.
   * Digits past the 19th (many) always go to the C library. */
  if (many)
    n_sig = 20;
  exp10 -= n_frac;
  *is_int = FALSE;
  if (m == 0 && n_sig == 0)
    *d = 0.0;
  else if (n_sig <= 15 && exp10 >= -22 && exp10 <= 22)
    *d = exp10 >= 0 ? (double) m * p10[exp10] : (double) m / p10[-exp10];
#if CO2S_SCAN_X87
  else if (n_sig <= 19 && exp10 >= -27 && exp10 <= 27 && x87_convert (m, exp10, d))
    ;
#endif
  else
    {
      char buf[64];

      if ((gsize) (p - start) >= sizeof buf)
        return NULL;
      memcpy (buf, start, p - start);
      buf[p - start] = '\0';
      *d = g_ascii_strtod (buf, NULL);
      return isfinite (*d) ? p : NULL;
    }
  if (negative)
    *d = -*d;
  return p;
}

gboolean
co2s_batch_metrics_scan (const char *line, gsize len, Co2sBatchMetrics *out)
{
  Ptr p = (Ptr) line, end = p + len;
  Co2sBatchMetrics m = { 0 };
  Ptr champion = NULL;
  gsize champion_len = 0;
  guint seen = 0;
  int expected = 0;

  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  m.rmse = m.mae = m.rmse_fit = NAN;
  m.latency_ms_p50 = m.latency_ms_max = NAN;
  m.lag = -1;
  m.latency_p50_us = m.latency_p99_us = m.latency_p999_us = -1;
  m.drift_statistic = NAN;
  m.coverage_95 = NAN;

  p = co2s_scan_skip_ws (p, end);
  if (p == end || *p != '{')
    return FALSE;
  p = co2s_scan_skip_ws (p + 1, end);
  for (;;)
    {
      Ptr name;
      int key;
      gboolean is_int = FALSE;
      gint64 i = 0;
      double d = NAN;

      if (p == end || *p != '"')
        return FALSE;
      name = ++p;
      /* The writer's order: the expected key, compared at once. */
      if (expected < N_KEYS && (gsize) (end - p) > keys[expected].len &&
          memcmp (p, keys[expected].name, keys[expected].len) == 0 && p[keys[expected].len] == '"')
        {
          key = expected;
          p += keys[expected].len + 1;
        }
      else if ((p = co2s_scan_plain_string (p, end)) == NULL)
        return FALSE;
      else
        key = lookup_key (name, (gsize) (p - 1 - name), expected);
      if (key < 0 || (seen & (1u << key)))
        return FALSE;
      seen |= 1u << key;
      expected = key + 1;
      p = co2s_scan_skip_ws (p, end);
      if (p == end || *p != ':')
        return FALSE;
      p = co2s_scan_skip_ws (p + 1, end);
      if (p == end)
        return FALSE;

      if (*p == 'n')
        {
          if (end - p < 4 || memcmp (p, "null", 4) != 0)
            return FALSE;
          p += 4;
          /* null: the default stays, where null is allowed. */
          if (keys[key].kind != V_DOUBLE && keys[key].kind != V_IGNORED && keys[key].kind != V_ALGO &&
              keys[key].kind != V_COUNT_NULL)
            return FALSE;
        }
      else if (*p == 't' || *p == 'f')
        {
          gboolean value = *p == 't';
          gsize n = value ? 4 : 5;

          if ((gsize) (end - p) < n || memcmp (p, value ? "true" : "false", n) != 0 ||
              keys[key].kind != V_BOOL)
            return FALSE;
          p += n;
          g_assert (key == K_DRIFT_ALARM);
          m.drift_alarm = value;
        }
      else if (*p == '"')
        {
          Ptr s = p + 1;

          if ((p = co2s_scan_plain_string (s, end)) == NULL)
            return FALSE;
          if (keys[key].kind == V_ALGO)
            {
              gsize n = (gsize) (p - 1 - s);

              if (!co2s_metrics_is_model_name ((const char *) s, n))
                return FALSE;
              memcpy (m.algo, s, n);
            }
          else if (keys[key].kind == V_TRAINER)
            {
              gsize n = (gsize) (p - 1 - s);

              if (!co2s_metrics_is_trainer_id ((const char *) s, n))
                return FALSE;
              memcpy (m.trainer, s, n);
            }
          else if (keys[key].kind == V_CHAMPION)
            {
              champion = s;
              champion_len = (gsize) (p - 1 - s);
              if (champion_len >= sizeof m.algo)
                return FALSE;
            }
          else if (keys[key].kind != V_IGNORED)
            return FALSE;
        }
      else if (*p == '{')
        {
          if (keys[key].kind != V_MODELS || (p = co2s_scan_models (p, end, &m)) == NULL)
            return FALSE;
        }
      else
        {
          if ((p = co2s_scan_number (p, end, &is_int, &i, &d)) == NULL)
            return FALSE;
          switch (keys[key].kind)
            {
            case V_DOUBLE:
              if (is_int)
                d = (double) i;
              break;
            case V_COUNT:
            case V_COUNT_NULL:
              if (!is_int || i < 0)
                return FALSE;
              break;
            case V_ROWS:
              if (!is_int || i < 0 || i > (gint64) G_MAXUINT)
                return FALSE;
              break;
            case V_LAG:
              if (!is_int || i < -1)
                return FALSE;
              break;
            case V_INT:
              if (!is_int)
                return FALSE;
              break;
            case V_PARTITION:
              if (!is_int || i < 0 || i > G_MAXINT32)
                return FALSE;
              break;
            case V_IGNORED:
            case V_ALGO:
            case V_BOOL:
            case V_CHAMPION:
            case V_MODELS:
            case V_TRAINER:
            default:
              return FALSE;
            }
          switch ((Key) key)
            {
            case K_BATCH: m.batch = (guint64) i; break;
            case K_ROWS: m.rows = (guint) i; break;
            case K_ROWS_SEEN: m.rows_seen = (guint64) i; break;
            case K_RMSE: m.rmse = d; break;
            case K_MAE: m.mae = d; break;
            case K_RMSE_FIT: m.rmse_fit = d; break;
            case K_TIMESTAMP_US: m.timestamp_us = i; break;
            case K_LAG: m.lag = i; break;
            case K_LAT_P50: m.latency_ms_p50 = d; break;
            case K_LAT_MAX: m.latency_ms_max = d; break;
            case K_LAT_P50_US: m.latency_p50_us = i; break;
            case K_LAT_P99_US: m.latency_p99_us = i; break;
            case K_LAT_P999_US: m.latency_p999_us = i; break;
            case K_DLQ: m.dlq = (guint64) i; break;
            case K_DRIFT_STAT: m.drift_statistic = d; break;
            case K_COVERAGE: m.coverage_95 = d; break;
            case K_PARTITION: m.partition = (gint) i; break;
            case K_PARTITION_BATCH: m.partition_batch = (guint64) i; break;
            case K_TIMESTAMP:
            case K_ALGO:
            case K_DRIFT_ALARM:
            case K_CHAMPION:
            case K_MODELS:
            case K_TRAINER:
            case N_KEYS:
            default:
              g_assert_not_reached ();
            }
        }

      p = co2s_scan_skip_ws (p, end);
      if (p == end)
        return FALSE;
      if (*p == '}')
        break;
      if (*p != ',')
        return FALSE;
      p = co2s_scan_skip_ws (p + 1, end);
    }
  if (co2s_scan_skip_ws (p + 1, end) != end || (seen & REQUIRED) != REQUIRED)
    return FALSE;
  /* A scale-out line: partition and partition_batch (≥ 1) together,
   * trainer only with them. */
  if ((seen & ((1u << K_PARTITION) | (1u << K_PARTITION_BATCH) | (1u << K_TRAINER))) != 0 &&
      (!(seen & (1u << K_PARTITION)) || !(seen & (1u << K_PARTITION_BATCH)) || m.partition_batch == 0))
    return FALSE;
  /* Several models: both members, the champion is the algo and one of them. */
  if (!(seen & (1u << K_CHAMPION)) != !(seen & (1u << K_MODELS)))
    return FALSE;
  if (champion != NULL)
    {
      gboolean found = FALSE;

      if (champion_len != strlen (m.algo) || memcmp (champion, m.algo, champion_len) != 0)
        return FALSE;
      for (guint k = 0; k < m.n_models && !found; k++)
        found = memcmp (m.models[k].name, champion, champion_len) == 0 && m.models[k].name[champion_len] == '\0';
      if (!found)
        return FALSE;
    }
  *out = m;
  return TRUE;
}

gboolean
co2s_batch_metrics_parse (const char *line, gsize len, Co2sBatchMetrics *out, GError **error)
{
  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (co2s_batch_metrics_scan (line, len, out))
    return TRUE;
  return co2s_batch_metrics_from_json (line, len, out, error);
}
