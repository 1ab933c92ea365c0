/* co2s-decimate.h — reduce an (x, y) series to what a plot's pixel columns
 * can show.
 *
 * The x range [x_min, x_max] is cut into @width equal columns (one per pixel
 * of the plot area). For each column the decimator keeps four points of the
 * series: the first and the last (smallest and largest x) and those with the
 * smallest and the largest y. Drawn as a polyline in x order, these give the
 * same picture as drawing every point (the "M4" reduction: min/max per pixel
 * column plus the entry and exit of the line), with at most 4 × @width
 * points whatever the length of the series.
 *
 * Points with x outside the range, or a y that is not finite, are ignored;
 * with CO2S_DECIMATE_LOG_Y, so are points with y <= 0 (a log axis cannot
 * show them). Adding is O(n) and incremental: adding a series in several
 * calls gives exactly what one call gives, whatever the split, so appended
 * batches only cost their own points. The result is rebuilt in O(@width)
 * when asked for after a change.
 *
 * Plain struct with no locking: use one decimator from one thread at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _Co2sDecimator Co2sDecimator;

typedef enum {
  CO2S_DECIMATE_NONE  = 0,
  CO2S_DECIMATE_LOG_Y = 1 << 0,   /* ignore y <= 0 */
} Co2sDecimateFlags;

/* Largest accepted @width: far beyond any screen. */
#define CO2S_DECIMATE_MAX_WIDTH 65536

/* A decimator for x in [@x_min, @x_max] (finite, @x_min < @x_max) over
 * @width columns (1..CO2S_DECIMATE_MAX_WIDTH). Returns NULL (with a
 * critical) for bad arguments. Free with co2s_decimator_free. */
Co2sDecimator *co2s_decimator_new (double x_min,
                                   double x_max,
                                   guint width,
                                   Co2sDecimateFlags flags);

/* Frees @self; NULL is fine. */
void co2s_decimator_free (Co2sDecimator *self);

/* Forgets every point added so far; the range and width stay. */
void co2s_decimator_clear (Co2sDecimator *self);

/* Adds @n points: @x[i], @y[i]. Either array may be NULL only when @n is 0.
 * Points need not be sorted, but for a line plot they normally are. */
void co2s_decimator_add (Co2sDecimator *self,
                         const double *x,
                         const double *y,
                         gsize n);

/* The reduced series, sorted by x (ties keep the order first, min, max,
 * last; exact duplicates removed). The arrays belong to @self and stay
 * valid until the next add, clear or free. Returns the number of points. */
gsize co2s_decimator_get_points (Co2sDecimator *self,
                                 const double **x,
                                 const double **y);

/* Smallest and largest y among the points kept. FALSE (outputs untouched)
 * when no point has been kept. Either output may be NULL. O(@width). */
gboolean co2s_decimator_get_y_range (Co2sDecimator *self,
                                     double *y_min,
                                     double *y_max);

/* Points kept so far (inside the range, finite, positive for log y). */
guint64 co2s_decimator_get_n_kept (Co2sDecimator *self);

/* The construction parameters. */
double co2s_decimator_get_x_min (Co2sDecimator *self);
double co2s_decimator_get_x_max (Co2sDecimator *self);
guint co2s_decimator_get_width (Co2sDecimator *self);
Co2sDecimateFlags co2s_decimator_get_flags (Co2sDecimator *self);

/* The column @x falls in, or -1 when outside [x_min, x_max] or not finite.
 * x_max itself belongs to the last column. Exposed so tests and callers map
 * points exactly as the decimator does. */
int co2s_decimator_column_of (Co2sDecimator *self, double x);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sDecimator, co2s_decimator_free)

G_END_DECLS
