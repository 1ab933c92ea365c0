/* co2s-conformal.c — conformal intervals per fuel type (co2s-conformal.h). */
#define G_LOG_DOMAIN "co2s-conformal"

#include "co2s-conformal.h"

#include "co2s-json-reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The fuel flags are the last five of the ten inputs (co2s-record.c). */
#define FUEL_FIRST 5
#define N_FUEL 5
/* Window 0 holds every fuel type; 1 + f fuel type f. */
#define N_WINDOWS (1 + N_FUEL)

/* |residuals| are kept as floats: half the memory, and the saved state
 * (co2s_conformal_to_json) is exact, so a reloaded model's intervals are
 * bit for bit those it would have given. */
/* The quantile is found through a count of the ring's values by the top
 * BUCKET_BITS bits of their float representation (sign, exponent and
 * three bits of mantissa: an eighth of an octave each; for floats ≥ 0 the
 * order of the bits is the order of the values): the bucket holding the
 * wanted rank is found from the counts, then the value is read among that
 * bucket's few values, which are kept sorted while the quantile stays in
 * the bucket (the usual case). Pushing is O(1) (O(bucket) when the value
 * is in that bucket); a prepare costs a pass over the ring only when the
 * quantile moved to another bucket, and gives exactly the order statistic
 * a sort of the window gives. */
#define BUCKET_BITS 12
#define N_BUCKETS (1u << BUCKET_BITS)

typedef struct {
  float *abs;                 /* ring of |residual|, window long */
  guint32 *counts;            /* N_BUCKETS: values of the ring by bucket */
  guint top;                  /* no value is in a bucket above it */
  guint len;                  /* filled */
  guint next;                 /* where the next one goes */
  gboolean dirty;             /* pushed to since the last prepare */
  double half_width;          /* as of the last prepare; NAN when empty */
  float *cached;              /* window long: the ring's values in bucket cached_bucket, ascending */
  guint n_cached;
  guint cached_bucket;
  gboolean cache_valid;       /* FALSE: cached is to be gathered from the ring again */
} Window;

struct _Co2sConformal {
  double level;
  guint window;
  Window windows[N_WINDOWS];
};

/* Index of the fuel type whose flag is set, or -1. */
static int
fuel_of (const double *x)
{
  for (int f = 0; f < N_FUEL; f++)
    if (x[FUEL_FIRST + f] == 1.0)
      return f;
  return -1;
}

static inline guint
bucket_of (float v)
{
  guint32 bits;

  memcpy (&bits, &v, sizeof bits);
  return bits >> (32 - BUCKET_BITS);
}

/* The first index of the ascending @v[0..n-1] whose value is not below @x. */
static guint
lower_bound (const float *v, guint n, float x)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (v[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static int
compare_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* Adds @v (finite, ≥ 0) to the window, dropping its oldest value when full.
 * The values of the bucket that held the quantile last time are kept up to
 * date too: the next prepare usually needs the same bucket, and then does
 * not look at the ring again. */
static void
push (Window *w, guint size, float v)
{
  guint b = bucket_of (v);

  if (w->len == size)
    {
      float old = w->abs[w->next];
      guint old_b = bucket_of (old);

      w->counts[old_b]--;
      if (w->cache_valid && old_b == w->cached_bucket)
        {
          /* Values of one bucket have one sign: equal means the same bits. */
          guint i = lower_bound (w->cached, w->n_cached, old);

          g_assert (i < w->n_cached && w->cached[i] == old);
          memmove (&w->cached[i], &w->cached[i + 1], (w->n_cached - i - 1) * sizeof (float));
          w->n_cached--;
        }
    }
  else
    w->len++;
  if (w->cache_valid && b == w->cached_bucket)
    {
      guint i = lower_bound (w->cached, w->n_cached, v);

      memmove (&w->cached[i + 1], &w->cached[i], (w->n_cached - i) * sizeof (float));
      w->cached[i] = v;
      w->n_cached++;
    }
  w->counts[b]++;
  w->top = MAX (w->top, b);
  w->abs[w->next] = v;
  /* No division: this runs for every row. */
  if (++w->next == size)
    w->next = 0;
  w->dirty = TRUE;
}

/* The ⌈(n + 1)·level⌉-th smallest of the window (1-based), capped at n. */
static double
conformal_quantile (Co2sConformal *self, Window *w)
{
  guint rank, from_top, above = 0, b, n = 0;

  if (w->len == 0)
    return NAN;
  rank = (guint) ceil ((w->len + 1) * self->level);
  rank = CLAMP (rank, 1, w->len);
  /* It is the from_top-th largest: walk the buckets down from the top. */
  from_top = w->len - rank + 1;
  while (w->counts[w->top] == 0)
    w->top--;
  for (b = w->top; above + w->counts[b] < from_top; b--)
    above += w->counts[b];
  if (!w->cache_valid || w->cached_bucket != b)
    {
      for (guint i = 0; i < w->len; i++)
        {
          float v = w->abs[i];

          w->cached[n] = v;
          n += bucket_of (v) == b;
        }
      qsort (w->cached, n, sizeof (float), compare_float);
      w->n_cached = n;
      w->cached_bucket = b;
      w->cache_valid = TRUE;
    }
  n = w->n_cached;
  g_assert (n == w->counts[b]);
  /* Its rank in the bucket, from the smallest (0-based). */
  return w->cached[n - (from_top - above)];
}

Co2sConformal *
co2s_conformal_new (double level, guint window)
{
  Co2sConformal *self;

  g_return_val_if_fail (level >= 0.5 && level < 1.0, NULL);
  g_return_val_if_fail (window >= 10, NULL);

  self = g_new0 (Co2sConformal, 1);
  self->level = level;
  self->window = window;
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      self->windows[i].abs = g_new (float, window);
      self->windows[i].counts = g_new0 (guint32, N_BUCKETS);
      self->windows[i].cached = g_new (float, window);
      self->windows[i].half_width = NAN;
    }
  return self;
}

void
co2s_conformal_free (Co2sConformal *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      g_free (self->windows[i].abs);
      g_free (self->windows[i].counts);
      g_free (self->windows[i].cached);
    }
  g_free (self);
}

/* co2s_conformal_add of one residual of a row of fuel type @f (-1: none). */
static inline void
add_one (Co2sConformal *self, int f, double residual)
{
  float v;

  if (!isfinite (residual))
    return;
  /* A float has room for any plausible residual; the largest float
   * stands in for the rest, so the saved state stays finite. */
  v = (float) MIN (fabs (residual), (double) G_MAXFLOAT);
  push (&self->windows[0], self->window, v);
  if (f >= 0)
    push (&self->windows[1 + f], self->window, v);
}

/* co2s_conformal_half_width of a row of fuel type @f (-1: none). */
static inline double
half_width_of (const Co2sConformal *self, int f)
{
  if (f >= 0 && self->windows[1 + f].len >= CO2S_CONFORMAL_MIN_PER_FUEL)
    return self->windows[1 + f].half_width;
  return self->windows[0].half_width;
}

void
co2s_conformal_add (Co2sConformal *self, const double *x, const double *residual, guint n)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (x != NULL && residual != NULL));

  for (guint i = 0; i < n; i++)
    add_one (self, fuel_of (x + (gsize) i * CO2S_N_FEATURES), residual[i]);
}

void
co2s_conformal_test_and_add (Co2sConformal *self,
                             const double  *x,
                             const double  *residual,
                             guint          n,
                             guint         *inside,
                             guint         *with_interval)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (x != NULL && residual != NULL));
  g_return_if_fail (inside != NULL && with_interval != NULL);

  for (guint i = 0; i < n; i++)
    {
      int f = fuel_of (x + (gsize) i * CO2S_N_FEATURES);
      double h = half_width_of (self, f);

      if (!isnan (h))
        {
          (*with_interval)++;
          *inside += fabs (residual[i]) <= h;
        }
      add_one (self, f, residual[i]);
    }
}

void
co2s_conformal_prepare (Co2sConformal *self)
{
  g_return_if_fail (self != NULL);

  /* A window the last batch did not touch keeps its quantile. */
  for (guint i = 0; i < N_WINDOWS; i++)
    if (self->windows[i].dirty)
      {
        self->windows[i].half_width = conformal_quantile (self, &self->windows[i]);
        self->windows[i].dirty = FALSE;
      }
}

double
co2s_conformal_half_width (const Co2sConformal *self, const double x[CO2S_N_FEATURES])
{
  int f;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (x != NULL, NAN);

  f = fuel_of (x);
  return half_width_of (self, f);
}

/* ---- saving ------------------------------------------------------------- */

void
co2s_conformal_to_json (const Co2sConformal *self, JsonBuilder *builder)
{
  g_autofree float *ordered = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  ordered = g_new (float, self->window);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "level");
  json_builder_add_double_value (builder, self->level);
  json_builder_set_member_name (builder, "window");
  json_builder_add_int_value (builder, self->window);
  json_builder_set_member_name (builder, "residuals");
  json_builder_begin_array (builder);
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      const Window *w = &self->windows[i];
      guint start = w->len < self->window ? 0 : w->next;
      g_autofree char *text = NULL;

      /* Oldest first, little-endian float32, base64. */
      for (guint k = 0; k < w->len; k++)
        {
          guint32 bits;

          memcpy (&bits, &w->abs[(start + k) % self->window], sizeof bits);
          bits = GUINT32_TO_LE (bits);
          memcpy (&ordered[k], &bits, sizeof bits);
        }
      text = g_base64_encode ((const guchar *) ordered, w->len * sizeof (float));
      json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

Co2sConformal *
co2s_conformal_from_json (JsonObject *object, const char *path, GError **error)
{
  g_autoptr(Co2sConformal) self = NULL;
  g_autofree char *level_path = g_strconcat (path, ".level", NULL);
  g_autofree char *window_path = g_strconcat (path, ".window", NULL);
  g_autofree char *residuals_path = g_strconcat (path, ".residuals", NULL);
  JsonArray *residuals;
  double level = 0;
  gint64 window = 0;

  g_return_val_if_fail (object != NULL && path != NULL, NULL);

  if (!co2s_json_get_double (object, level_path, CO2S_JSON_REQUIRED, &level, error) ||
      !co2s_json_get_int (object, window_path, CO2S_JSON_REQUIRED, 10, 1000000, &window, error) ||
      !co2s_json_get_array (object, residuals_path, CO2S_JSON_REQUIRED, &residuals, error) ||
      !co2s_json_check_length (residuals, residuals_path, N_WINDOWS, error))
    return NULL;
  if (!(level >= 0.5 && level < 1.0))
    {
      co2s_json_set_member_error (error, level_path, "must be from 0.5 to below 1");
      return NULL;
    }
  self = co2s_conformal_new (level, (guint) window);
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      Window *w = &self->windows[i];
      const char *text;
      g_autofree guchar *bytes = NULL;
      gsize len = 0;

      if (!co2s_json_array_get_string (residuals, residuals_path, i, &text, error))
        return NULL;
      bytes = g_base64_decode (text, &len);
      if (len % sizeof (float) != 0 || len / sizeof (float) > (gsize) window)
        {
          g_autofree char *at = g_strdup_printf ("%s[%u]", residuals_path, i);

          co2s_json_set_member_error (error, at, "is not base64 of at most %" G_GINT64_FORMAT " floats", window);
          return NULL;
        }
      for (gsize k = 0; k < len / sizeof (float); k++)
        {
          guint32 bits;
          float v;

          memcpy (&bits, bytes + k * sizeof bits, sizeof bits);
          bits = GUINT32_FROM_LE (bits);
          memcpy (&v, &bits, sizeof v);
          if (!isfinite (v) || v < 0)
            {
              g_autofree char *at = g_strdup_printf ("%s[%u]", residuals_path, i);

              co2s_json_set_member_error (error, at, "holds a value that is negative or not finite");
              return NULL;
            }
          push (w, self->window, v);
        }
    }
  return g_steal_pointer (&self);
}
