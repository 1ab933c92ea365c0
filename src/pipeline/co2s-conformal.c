/* co2s-conformal.c — conformal intervals per fuel type (co2s-conformal.h). */
#define G_LOG_DOMAIN "co2s-conformal"

#include "co2s-conformal.h"

#include <math.h>
#include <string.h>

/* The fuel flags are the last five of the ten inputs (co2s-record.c). */
#define FUEL_FIRST 5
#define N_FUEL 5
/* Window 0 holds every fuel type; 1 + f fuel type f. */
#define N_WINDOWS (1 + N_FUEL)

typedef struct {
  double *abs;                /* ring of |residual|, window long */
  guint len;                  /* filled */
  guint next;                 /* where the next one goes */
  double half_width;          /* as of the last prepare; NAN when empty */
} Window;

struct _Co2sConformal {
  double level;
  guint window;
  Window windows[N_WINDOWS];
  double *scratch;            /* window long: a copy to select in */
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

static void
push (Window *w, guint size, double v)
{
  w->abs[w->next] = v;
  w->next = (w->next + 1) % size;
  if (w->len < size)
    w->len++;
}

/* The @k-th smallest (0-based) of @v[0..n-1], which it reorders: Hoare's
 * selection with a median-of-three pivot, O(n) on average. */
static double
select_kth (double *v, guint n, guint k)
{
  guint lo = 0, hi = n - 1;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      double a = v[lo], b = v[mid], c = v[hi];
      double pivot = a < b ? (b < c ? b : MAX (a, c)) : (a < c ? a : MAX (b, c));
      guint i = lo, j = hi;

      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              double t = v[i];

              v[i] = v[j];
              v[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return v[k];
    }
  return v[k];
}

/* The ⌈(n + 1)·level⌉-th smallest of the window (1-based), capped at n. */
static double
conformal_quantile (Co2sConformal *self, const Window *w)
{
  guint rank;

  if (w->len == 0)
    return NAN;
  rank = (guint) ceil ((w->len + 1) * self->level);
  rank = CLAMP (rank, 1, w->len);
  memcpy (self->scratch, w->abs, w->len * sizeof (double));
  return select_kth (self->scratch, w->len, rank - 1);
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
      self->windows[i].abs = g_new (double, window);
      self->windows[i].half_width = NAN;
    }
  self->scratch = g_new (double, window);
  return self;
}

void
co2s_conformal_free (Co2sConformal *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_WINDOWS; i++)
    g_free (self->windows[i].abs);
  g_free (self->scratch);
  g_free (self);
}

void
co2s_conformal_add (Co2sConformal *self, const double *x, const double *residual, guint n)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (x != NULL && residual != NULL));

  for (guint i = 0; i < n; i++)
    {
      int f;

      if (!isfinite (residual[i]))
        continue;
      push (&self->windows[0], self->window, fabs (residual[i]));
      f = fuel_of (x + (gsize) i * CO2S_N_FEATURES);
      if (f >= 0)
        push (&self->windows[1 + f], self->window, fabs (residual[i]));
    }
}

void
co2s_conformal_prepare (Co2sConformal *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < N_WINDOWS; i++)
    self->windows[i].half_width = conformal_quantile (self, &self->windows[i]);
}

double
co2s_conformal_half_width (const Co2sConformal *self, const double x[CO2S_N_FEATURES])
{
  int f;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (x != NULL, NAN);

  f = fuel_of (x);
  if (f >= 0 && self->windows[1 + f].len >= CO2S_CONFORMAL_MIN_PER_FUEL)
    return self->windows[1 + f].half_width;
  return self->windows[0].half_width;
}
