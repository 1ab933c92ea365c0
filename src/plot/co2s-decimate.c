/* co2s-decimate.c — min/max (M4) reduction of a series per pixel column. */
#define G_LOG_DOMAIN "co2s-decimate"

#include "co2s-decimate.h"

#include <math.h>
#include <string.h>

typedef struct {
  double first_x, first_y;
  double last_x, last_y;
  double min_x, min_y;
  double max_x, max_y;
  guint64 count;
} Column;

struct _Co2sDecimator {
  double x_min;
  double x_max;
  double scale;        /* columns per x unit */
  guint width;
  Co2sDecimateFlags flags;

  Column *columns;
  guint64 n_kept;

  /* The reduced series, rebuilt lazily after a change. */
  GArray *out_x;
  GArray *out_y;
  gboolean dirty;
};

static inline int
column_of (const Co2sDecimator *self, double x)
{
  double pos;
  int col;

  /* Also rejects NaN: every comparison with it is false. */
  if (!(x >= self->x_min && x <= self->x_max))
    return -1;
  pos = (x - self->x_min) * self->scale;
  col = (int) pos;
  if (col >= (int) self->width)
    col = (int) self->width - 1;
  return col;
}

static inline void
column_add (Column *c, double x, double y)
{
  if (c->count == 0)
    {
      c->first_x = c->last_x = c->min_x = c->max_x = x;
      c->first_y = c->last_y = c->min_y = c->max_y = y;
      c->count = 1;
      return;
    }
  /* Ties on x: the first stays the earliest added, the last becomes the
   * latest added; ties on y keep the earliest. Together with column_emit's
   * stable ordering this makes the result independent of how the input was
   * split into add calls. */
  if (x < c->first_x)
    {
      c->first_x = x;
      c->first_y = y;
    }
  if (x >= c->last_x)
    {
      c->last_x = x;
      c->last_y = y;
    }
  if (y < c->min_y)
    {
      c->min_x = x;
      c->min_y = y;
    }
  if (y > c->max_y)
    {
      c->max_x = x;
      c->max_y = y;
    }
  c->count++;
}

static void
column_emit (const Column *c, GArray *out_x, GArray *out_y)
{
  double px[4] = { c->first_x, c->min_x, c->max_x, c->last_x };
  double py[4] = { c->first_y, c->min_y, c->max_y, c->last_y };

  /* Stable insertion sort by x of four points. */
  for (int i = 1; i < 4; i++)
    {
      double kx = px[i], ky = py[i];
      int j = i - 1;

      while (j >= 0 && px[j] > kx)
        {
          px[j + 1] = px[j];
          py[j + 1] = py[j];
          j--;
        }
      px[j + 1] = kx;
      py[j + 1] = ky;
    }

  for (int i = 0; i < 4; i++)
    {
      if (out_x->len > 0 &&
          g_array_index (out_x, double, out_x->len - 1) == px[i] &&
          g_array_index (out_y, double, out_y->len - 1) == py[i])
        continue;
      g_array_append_val (out_x, px[i]);
      g_array_append_val (out_y, py[i]);
    }
}

static void
rebuild (Co2sDecimator *self)
{
  g_array_set_size (self->out_x, 0);
  g_array_set_size (self->out_y, 0);
  for (guint i = 0; i < self->width; i++)
    if (self->columns[i].count > 0)
      column_emit (&self->columns[i], self->out_x, self->out_y);
  self->dirty = FALSE;
}

Co2sDecimator *
co2s_decimator_new (double x_min,
                    double x_max,
                    guint width,
                    Co2sDecimateFlags flags)
{
  Co2sDecimator *self;

  g_return_val_if_fail (isfinite (x_min) && isfinite (x_max), NULL);
  g_return_val_if_fail (x_min < x_max, NULL);
  g_return_val_if_fail (width >= 1 && width <= CO2S_DECIMATE_MAX_WIDTH, NULL);

  self = g_new0 (Co2sDecimator, 1);
  self->x_min = x_min;
  self->x_max = x_max;
  self->width = width;
  self->scale = width / (x_max - x_min);
  self->flags = flags;
  self->columns = g_new0 (Column, width);
  self->out_x = g_array_sized_new (FALSE, FALSE, sizeof (double), 4 * width);
  self->out_y = g_array_sized_new (FALSE, FALSE, sizeof (double), 4 * width);
  return self;
}

void
co2s_decimator_free (Co2sDecimator *self)
{
  if (self == NULL)
    return;
  g_free (self->columns);
  g_array_unref (self->out_x);
  g_array_unref (self->out_y);
  g_free (self);
}

void
co2s_decimator_clear (Co2sDecimator *self)
{
  g_return_if_fail (self != NULL);

  memset (self->columns, 0, sizeof (Column) * self->width);
  self->n_kept = 0;
  self->dirty = TRUE;
}

void
co2s_decimator_add (Co2sDecimator *self,
                    const double *x,
                    const double *y,
                    gsize n)
{
  gboolean log_y;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (x != NULL && y != NULL));

  log_y = (self->flags & CO2S_DECIMATE_LOG_Y) != 0;
  for (gsize i = 0; i < n; i++)
    {
      double yi = y[i];
      int col;

      if (!isfinite (yi) || (log_y && yi <= 0.0))
        continue;
      col = column_of (self, x[i]);
      if (col < 0)
        continue;
      column_add (&self->columns[col], x[i], yi);
      self->n_kept++;
    }
  if (n > 0)
    self->dirty = TRUE;
}

gsize
co2s_decimator_get_points (Co2sDecimator *self,
                           const double **x,
                           const double **y)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->dirty)
    rebuild (self);
  if (x != NULL)
    *x = (const double *) (gpointer) self->out_x->data;
  if (y != NULL)
    *y = (const double *) (gpointer) self->out_y->data;
  return self->out_x->len;
}

gboolean
co2s_decimator_get_y_range (Co2sDecimator *self,
                            double *y_min,
                            double *y_max)
{
  double lo = INFINITY, hi = -INFINITY;

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->width; i++)
    {
      const Column *c = &self->columns[i];

      if (c->count == 0)
        continue;
      lo = MIN (lo, c->min_y);
      hi = MAX (hi, c->max_y);
    }
  if (lo > hi)
    return FALSE;
  if (y_min != NULL)
    *y_min = lo;
  if (y_max != NULL)
    *y_max = hi;
  return TRUE;
}

guint64
co2s_decimator_get_n_kept (Co2sDecimator *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_kept;
}

double
co2s_decimator_get_x_min (Co2sDecimator *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->x_min;
}

double
co2s_decimator_get_x_max (Co2sDecimator *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->x_max;
}

guint
co2s_decimator_get_width (Co2sDecimator *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

Co2sDecimateFlags
co2s_decimator_get_flags (Co2sDecimator *self)
{
  g_return_val_if_fail (self != NULL, CO2S_DECIMATE_NONE);
  return self->flags;
}

int
co2s_decimator_column_of (Co2sDecimator *self, double x)
{
  g_return_val_if_fail (self != NULL, -1);
  return column_of (self, x);
}
