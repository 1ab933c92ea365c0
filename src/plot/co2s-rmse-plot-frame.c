/* co2s-rmse-plot-frame.c — what the RMSE plot shows and where: axis ranges,
 * ticks and their locale-formatted labels, margins, legend placement, the
 * palettes. No PLplot here. */
#define G_LOG_DOMAIN "co2s-plot"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-rmse-plot-private.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

/* ---- palette ----------------------------------------------------------------- */

static Co2sRgb
rgb_hex (guint32 hex)
{
  Co2sRgb c = { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0, (hex & 0xff) / 255.0 };

  return c;
}

void
co2s_rmse_plot_get_palette (Co2sPlotStyle style, Co2sRmsePlotPalette *out)
{
  g_return_if_fail (out != NULL);

  /* Okabe–Ito hues, darkened on light and lightened on dark backgrounds so
   * every line keeps at least 4.5:1 against its background (libadwaita's
   * view colours). */
  if (style == CO2S_PLOT_STYLE_DARK)
    {
      out->background = rgb_hex (0x1e1e1e);
      out->text = rgb_hex (0xffffff);
      out->axis = rgb_hex (0x9a9996);
      out->grid = rgb_hex (0x3a3a3a);
      out->rmse = rgb_hex (0x56b4e9);     /* sky blue */
      out->fit = rgb_hex (0xe69f00);      /* orange */
      out->rolling = rgb_hex (0x5ec3a0);  /* bluish green */
      out->drift = rgb_hex (0xcc79a7);    /* reddish purple */
      out->models[0] = out->rmse;
      out->models[1] = rgb_hex (0xe69f00); /* orange */
      out->models[2] = rgb_hex (0xf0e442); /* yellow */
      out->models[3] = rgb_hex (0xdeddda); /* light grey */
    }
  else
    {
      out->background = rgb_hex (0xffffff);
      out->text = rgb_hex (0x1e1e1e);
      out->axis = rgb_hex (0x5e5c64);
      out->grid = rgb_hex (0xdeddda);
      out->rmse = rgb_hex (0x0072b2);     /* blue */
      out->fit = rgb_hex (0xb35000);      /* vermillion, darker */
      out->rolling = rgb_hex (0x007a5a);  /* bluish green, darker */
      out->drift = rgb_hex (0xa8336f);    /* reddish purple, darker */
      out->models[0] = out->rmse;
      out->models[1] = rgb_hex (0xb35000); /* vermillion, darker */
      out->models[2] = rgb_hex (0x7a6000); /* yellow, much darker */
      out->models[3] = rgb_hex (0x3d3846); /* dark grey */
    }
}

static double
rgb_luminance (const Co2sRgb *c)
{
  double v[3] = { c->r, c->g, c->b };

  for (int i = 0; i < 3; i++)
    v[i] = v[i] <= 0.03928 ? v[i] / 12.92 : pow ((v[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

double
co2s_rgb_contrast (const Co2sRgb *a, const Co2sRgb *b)
{
  double la, lb;

  g_return_val_if_fail (a != NULL && b != NULL, 1.0);

  la = rgb_luminance (a);
  lb = rgb_luminance (b);
  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* ---- numbers ------------------------------------------------------------------ */

/* The 1, 2 or 5 × 10^k step that cuts @span into a number of intervals
 * closest (by ratio) to @intervals. */
static double
nice_step_for (double span, double intervals)
{
  static const double mantissas[] = { 1.0, 2.0, 5.0 };
  double mag, best = 1.0, best_err = INFINITY;

  if (!(span > 0.0) || !isfinite (span) || !(intervals > 0.0))
    return 1.0;
  mag = pow (10.0, floor (log10 (span / intervals)));
  for (int e = -1; e <= 1; e++)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
      {
        double step = mantissas[m] * mag * pow (10.0, e);
        double err = fabs (log ((span / step) / intervals));

        if (err < best_err - 1e-9)
          {
            best = step;
            best_err = err;
          }
      }
  return best;
}

/* A y range narrower than this fraction of its values' magnitude is treated
 * as a single value (rounding noise, e.g. the rolling mean of a constant
 * series). */
#define Y_TINY_RELATIVE 1e-9
/* No tick step below this fraction of the values' magnitude: thousands of
 * ulps, so that adding a step always moves a tick (PLplot's axis code loops
 * forever when it does not). */
#define TICK_MIN_RELATIVE 1e-12
/* Axis labels switch to scientific notation from this magnitude on. */
#define SCIENTIFIC_FROM 1e9
/* A linear axis whose values reach this magnitude, or stay below the
 * other, is drawn in units of a power of ten (see y_exponent). */
#define SCALED_FROM     SCIENTIFIC_FROM
#define SCALED_BELOW    1e-4

/* The tick step for an axis from @lo to @hi (finite, @lo < @hi): the nice
 * step for about @intervals intervals, but never so small against the
 * values that doubles cannot tell neighbouring ticks apart. */
static double
tick_step (double lo, double hi, double intervals)
{
  double mag = MAX (fabs (lo), fabs (hi));
  double min_step = mag * TICK_MIN_RELATIVE;
  double span = hi - lo;
  double step;

  /* hi - lo overflows when the values reach G_MAXDOUBLE. */
  step = nice_step_for (isfinite (span) ? span : G_MAXDOUBLE, intervals);

  if (!isfinite (step) || step < min_step)
    step = nice_step_for (min_step * 3.0 * intervals, intervals);
  if (!(step > 0.0) || !isfinite (step))
    step = 1.0;
  return step;
}

/* Decimals needed to show multiples of @step. */
static int
decimals_for (double step)
{
  if (step >= 1.0)
    return 0;
  return CLAMP ((int) ceil (-log10 (step) - 1e-9), 0, 9);
}

/* Locale formatting: the decimal separator and digit grouping of
 * LC_NUMERIC. A locale without grouping (C, POSIX) still gets numbers of
 * five digits or more grouped, with narrow no-break spaces (SI style), so
 * that 1 000 000 stays readable. */
static char *
format_number (double v, int decimals)
{
  const char *sep = localeconv ()->thousands_sep;
  g_autofree char *plain = NULL;
  GString *out;
  const char *p, *end;
  gsize digits;

  if (fabs (v) < 0.5 * pow (10.0, -decimals))
    v = 0.0;
  if ((sep != NULL && sep[0] != '\0') || fabs (v) < 10000.0)
    return g_strdup_printf ("%'.*f", decimals, v);

  plain = g_strdup_printf ("%.*f", decimals, v);
  p = plain;
  out = g_string_new (NULL);
  if (*p == '-')
    g_string_append_c (out, *p++);
  for (end = p; g_ascii_isdigit (*end); end++)
    ;
  digits = end - p;
  for (gsize i = 0; i < digits; i++)
    {
      if (i > 0 && (digits - i) % 3 == 0)
        g_string_append (out, "\xe2\x80\xaf");  /* U+202F */
      g_string_append_c (out, p[i]);
    }
  g_string_append (out, end);
  return g_string_free (out, FALSE);
}

/* A tick label on an axis whose values reach @mag, ticks @step apart:
 * fixed notation with the decimals @step needs, scientific notation with
 * the significant digits it needs for huge magnitudes (so that labels stay
 * a few characters wide). */
static char *
format_tick (double v, double step, double mag)
{
  int digits;

  if (mag < SCIENTIFIC_FROM)
    return format_number (v, decimals_for (step));
  if (fabs (v) < 0.5 * step)
    return g_strdup ("0");
  digits = CLAMP ((int) (floor (log10 (mag)) - floor (log10 (step))) + 1, 1, 17);
  return g_strdup_printf ("%.*g", digits, v);
}

/* ---- frame --------------------------------------------------------------------- */

void
_co2s_rmse_plot_frame_clear (Co2sRmsePlotFrame *frame)
{
  for (guint i = 0; i < frame->n_y_ticks; i++)
    g_free (frame->y_labels[i]);
  for (guint i = 0; i < frame->n_x_ticks; i++)
    g_free (frame->x_labels[i]);
  frame->n_y_ticks = 0;
  frame->n_x_ticks = 0;
}

/* The x range and the visible part of the history; the axis of the whole
 * history ends on tick marks, so appended batches mostly stay inside it and
 * the decimation can be extended instead of redone. */
void
_co2s_rmse_plot_frame_compute_x (Co2sRmsePlotFrame *frame,
                                 Co2sMetricsHistory *history,
                                 const Co2sRmsePlotOptions *options,
                                 double plot_w)
{
  const double *batch;
  double first, last, span, intervals;

  frame->n = history != NULL ? co2s_metrics_history_get_n_batches (history) : 0;
  frame->first = 0;
  intervals = CLAMP (plot_w / (90.0 * options->font_scale), 2.0, 10.0);

  if (frame->n == 0)
    {
      frame->empty = TRUE;
      frame->x_step = nice_step_for (10.0, intervals);
      frame->x_lo = 0.0;
      frame->x_hi = 10.0;
      return;
    }

  batch = co2s_metrics_history_get_batch_column (history, NULL);
  if (options->last_n > 0 && frame->n > options->last_n)
    frame->first = frame->n - options->last_n;
  first = batch[frame->first];
  last = batch[frame->n - 1];
  /* The rollups (older batches, downsampled) come before the batches held. */
  {
    double x_first = first, lo = INFINITY, hi = -INFINITY;

    _co2s_rmse_plot_envelope_range (history, options, &x_first, &lo, &hi);
    first = MIN (first, x_first);
  }
  span = MAX (last - first, 1.0);
  /* Room for labels as wide as the largest batch number, grouped. */
  {
    double digits = floor (log10 (MAX (last, 1.0))) + 1.0;
    double label_px = (digits + floor ((digits - 1.0) / 3.0)) * 0.62 * BASE_FONT_PX * options->font_scale;

    intervals = CLAMP (plot_w / MAX (label_px + 2.5 * BASE_FONT_PX * options->font_scale,
                                     60.0 * options->font_scale), 1.5, 10.0);
  }
  frame->x_step = MAX (1.0, nice_step_for (span, intervals));

  if (options->last_n > 0)
    {
      frame->x_lo = first;
      frame->x_hi = MAX (last, first + 1.0);
    }
  else
    {
      /* Batch 1 on a multiple of the step gets room on its left (the
       * axis starts at 0, not on the first point). */
      frame->x_lo = floor ((first - 1.0) / frame->x_step) * frame->x_step;
      frame->x_hi = ceil (last / frame->x_step) * frame->x_step;
      if (frame->x_hi <= last && frame->n == 1)
        frame->x_hi = last + frame->x_step;
    }
}

static void
fill_log_ticks (Co2sRmsePlotFrame *frame, const int *mantissas, guint n_mantissas)
{
  for (guint i = 0; i < frame->n_y_ticks; i++)
    g_free (frame->y_labels[i]);
  frame->n_y_ticks = 0;
  for (int k = (int) floor (frame->y_lo); k <= (int) ceil (frame->y_hi); k++)
    for (guint m = 0; m < n_mantissas; m++)
      {
        double v = mantissas[m] * pow (10.0, k);
        double lv = log10 (v);

        if (lv < frame->y_lo || lv > frame->y_hi || frame->n_y_ticks >= MAX_TICKS)
          continue;
        frame->y_ticks[frame->n_y_ticks] = lv;
        /* Scientific for tiny values too: 1e-300 has 300 decimals. */
        frame->y_labels[frame->n_y_ticks] = v >= SCIENTIFIC_FROM || v < SCALED_BELOW
                                            ? g_strdup_printf ("%.1g", v)
                                            : format_number (v, k >= 0 ? 0 : -k);
        frame->n_y_ticks++;
      }
}

void
_co2s_rmse_plot_frame_compute_y (Co2sRmsePlotFrame *frame,
                                 const Co2sRmsePlotOptions *options,
                                 double lo,
                                 double hi,
                                 gboolean have_data,
                                 double plot_h)
{
  double intervals = CLAMP (plot_h / (48.0 * options->font_scale), 2.0, 8.0);

  frame->n_y_ticks = 0;

  if (options->log_y)
    {
      static const int nice_mantissas[] = { 1, 2, 5 };
      static const int all_mantissas[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
      static const int decade_mantissas[] = { 1 };
      double llo, lhi, pad;

      if (!have_data)
        {
          lo = 1.0;
          hi = 10.0;
        }
      llo = log10 (lo);
      lhi = log10 (hi);
      /* At least a fifth of a decade, so that some values get labels. */
      if (lhi - llo < 0.2)
        {
          double mid = (llo + lhi) / 2.0;

          llo = mid - 0.1;
          lhi = mid + 0.1;
        }
      pad = MAX ((lhi - llo) * 0.06, 0.03);
      frame->y_lo = llo - pad;
      frame->y_hi = lhi + pad;

      /* Label 1-2-5 × 10^k; every digit when that gives too few labels,
       * decades only when too many. */
      fill_log_ticks (frame, nice_mantissas, G_N_ELEMENTS (nice_mantissas));
      if (frame->n_y_ticks < 3)
        fill_log_ticks (frame, all_mantissas, G_N_ELEMENTS (all_mantissas));
      else if (frame->n_y_ticks > intervals + 2)
        fill_log_ticks (frame, decade_mantissas, G_N_ELEMENTS (decade_mantissas));
      return;
    }

  if (!have_data)
    {
      lo = 0.0;
      hi = 1.0;
    }
  else
    {
      double mag = MAX (fabs (lo), fabs (hi));
      gboolean non_negative = lo >= 0.0;
      double pad;

      if (hi / 2.0 - lo / 2.0 <= mag * (Y_TINY_RELATIVE / 2.0))
        {
          /* One value (give or take rounding): centred in a range of ±5 %,
           * at least ±0.001. */
          double mid = lo / 2.0 + hi / 2.0;

          pad = MAX (fabs (mid) * 0.05, 1e-3);
          lo = mid - pad;
          hi = mid + pad;
        }
      else
        {
          pad = (hi / 2.0 - lo / 2.0) * 0.1;
          lo -= pad;
          hi += pad;
        }
      /* RMSE is never negative: do not invent a negative axis. */
      if (non_negative)
        lo = MAX (0.0, lo);
      lo = MAX (lo, -G_MAXDOUBLE);
      hi = MIN (hi, G_MAXDOUBLE);
    }
  frame->y_exponent = 0;
  {
    double mag = MAX (fabs (lo), fabs (hi));

    if (have_data && mag > 0.0 && (mag >= SCALED_FROM || mag < SCALED_BELOW))
      {
        /* From here on lo and hi are world coordinates, about 1 to 10. */
        frame->y_exponent = (int) floor (log10 (mag));
        lo = _co2s_rmse_plot_frame_world_y (frame, lo, FALSE);
        hi = _co2s_rmse_plot_frame_world_y (frame, hi, FALSE);
      }
  }
  frame->y_step = tick_step (lo, hi, intervals);
  frame->y_lo = MAX (floor (lo / frame->y_step) * frame->y_step, -G_MAXDOUBLE);
  frame->y_hi = MIN (ceil (hi / frame->y_step) * frame->y_step, G_MAXDOUBLE);
  if (!isfinite (frame->y_hi - frame->y_lo))
    {
      /* Both signs near G_MAXDOUBLE: keep the upper half. */
      frame->y_lo = 0.0;
    }
  if (frame->y_hi <= frame->y_lo)
    frame->y_hi = frame->y_lo + frame->y_step;

  {
    double mag = MAX (fabs (frame->y_lo), fabs (frame->y_hi));

    for (double k = ceil (frame->y_lo / frame->y_step - 1e-9);
         k * frame->y_step <= frame->y_hi + frame->y_step * 1e-9 && frame->n_y_ticks < MAX_TICKS;
         k++)
      {
        frame->y_ticks[frame->n_y_ticks] = k * frame->y_step;
        frame->y_labels[frame->n_y_ticks] = format_tick (k * frame->y_step, frame->y_step, mag);
        frame->n_y_ticks++;
      }
  }
}

double
_co2s_rmse_plot_frame_world_y (const Co2sRmsePlotFrame *frame, double value, gboolean log_y)
{
  int e = frame->y_exponent;

  if (log_y)
    return log10 (value);
  if (e == 0)
    return value;
  /* 10^e is subnormal (inexact) below 1e-307: divide in two steps. */
  if (e < -300)
    return (value * 1e300) / pow (10.0, e + 300);
  return value / pow (10.0, e);
}

char *
_co2s_rmse_plot_frame_y_title (const Co2sRmsePlotFrame *frame)
{
  static const char *const superscripts[] = {
    "\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
    "\u2075", "\u2076", "\u2077", "\u2078", "\u2079",
  };
  g_autofree char *digits = NULL;
  GString *title;

  const char *name = frame->quantity == CO2S_PLOT_QUANTITY_LAG ? _("Consumer lag (messages)")
                     : frame->quantity == CO2S_PLOT_QUANTITY_THROUGHPUT ? _("Rows learned per second")
                     : _("RMSE (g/km)");

  if (frame->y_exponent == 0)
    return g_strdup (name);
  /* "RMSE (g/km) ×10³⁰⁶": the tick labels are in units of 10^y_exponent. */
  title = g_string_new (name);
  g_string_append (title, " \u00d710");
  if (frame->y_exponent < 0)
    g_string_append (title, "\u207b");
  digits = g_strdup_printf ("%d", ABS (frame->y_exponent));
  for (const char *d = digits; *d != '\0'; d++)
    g_string_append (title, superscripts[*d - '0']);
  return g_string_free (title, FALSE);
}

void
_co2s_rmse_plot_frame_compute_x_ticks (Co2sRmsePlotFrame *frame)
{
  frame->n_x_ticks = 0;
  for (double k = ceil (frame->x_lo / frame->x_step - 1e-9);
       k * frame->x_step <= frame->x_hi + frame->x_step * 1e-9 && frame->n_x_ticks < MAX_TICKS;
       k++)
    {
      frame->x_ticks[frame->n_x_ticks] = k * frame->x_step;
      frame->x_labels[frame->n_x_ticks] = format_number (k * frame->x_step, decimals_for (frame->x_step));
      frame->n_x_ticks++;
    }
}

/* ---- layout ---------------------------------------------------------------------- */

const char *
_co2s_rmse_plot_series_name (const Co2sRmsePlotFrame *frame, guint series, guint window, char **owned)
{
  switch (series)
    {
    case SERIES_RMSE:
      if (frame->quantity == CO2S_PLOT_QUANTITY_LAG)
        return _("Consumer lag of the trainer");
      if (frame->quantity == CO2S_PLOT_QUANTITY_THROUGHPUT)
        {
          *owned = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Rows/s over %u batch",
                                                 "Rows/s over %u batches", window),
                                    window);
          return *owned;
        }
      return _("RMSE (prequential)");
    case SERIES_FIT:
      if (frame->n_models > 0)
        /* Translators: the champion's RMSE after learning, when the plot
         * shows several models */
        return _("Champion’s RMSE after learning");
      return _("RMSE after learning");
    case SERIES_ROLLING:
      if (frame->n_models > 0)
        {
          /* Translators: the rolling mean of the champion's RMSE (the
           * model with the lowest rolling RMSE), when the plot shows
           * several models */
          *owned = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Champion’s rolling mean (%u batch)",
                                                 "Champion’s rolling mean (%u batches)", window),
                                    window);
          return *owned;
        }
      *owned = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Rolling mean (%u batch)",
                                             "Rolling mean (%u batches)", window),
                                window);
      return *owned;
    case LEGEND_ENVELOPE:
      if (frame->n_models > 0)
        /* Translators: as "Older batches: range and mean", when the plot
         * shows several models: the folded batches keep only the champion's
         * (best model's) figures */
        return _("Older batches, champion only: range and mean");
      /* Translators: legend of the band drawn over the older batches that
       * the trainer folded into buckets: each bucket's lowest to highest
       * value, with its mean as a line */
      return _("Older batches: range and mean");
    case LEGEND_DRIFT:
      /* Translators: legend of the vertical marks at the batches where the
       * model's error changed (drift detector) */
      return _("Drift alarm");
    default:
      g_assert (series >= SERIES_MODEL && series < N_SERIES);
      g_assert (series - SERIES_MODEL < frame->n_models);
      if ((gint) (series - SERIES_MODEL) == frame->champion)
        {
          /* Translators: legend entry of the model with the lowest rolling
           * RMSE among those the trainer learns side by side; %s is its
           * name, e.g. "ls:fuel" */
          *owned = g_strdup_printf (_("%s (champion)"), frame->model_names[series - SERIES_MODEL]);
          return *owned;
        }
      if (frame->above[series - SERIES_MODEL])
        {
          /* Translators: legend entry of a model whose error goes above the
           * top of the chart (the y axis follows the champion; the log
           * scale shows every value); %s is its name, e.g. "sgd" */
          *owned = g_strdup_printf (_("%s (↑ above the chart)"), frame->model_names[series - SERIES_MODEL]);
          return *owned;
        }
      return frame->model_names[series - SERIES_MODEL];
    }
}

/* Width in px of @text as PLplot's cairo driver will render it. */
static double
text_width (cairo_t *cr, const char *text, double font_px)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);
  int w, h;

  pango_font_description_set_size (desc, (int) (font_px * PT_PER_PX * PANGO_SCALE));
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  pango_font_description_free (desc);
  return w;
}

void
_co2s_rmse_plot_compute_layout (Co2sRmsePlotLayout *layout,
                                cairo_t *cr,
                                const Co2sRmsePlotFrame *frame,
                                const Co2sRmsePlotOptions *options,
                                guint window,
                                int width,
                                int height)
{
  double fs = BASE_FONT_PX * options->font_scale;
  double max_label = 0.0, last_label = 0.0;
  double x = 0.0, avail;
  guint row = 0;

  memset (layout, 0, sizeof *layout);
  layout->font_px = fs;

  /* Measured in @cr's user space, where PLplot's driver will draw. */
  cairo_save (cr);
  for (guint i = 0; i < frame->n_y_ticks; i++)
    max_label = MAX (max_label, text_width (cr, frame->y_labels[i], fs));
  if (frame->n_x_ticks > 0)
    last_label = text_width (cr, frame->x_labels[frame->n_x_ticks - 1], fs);

  /* Left: tick, gap, tick labels, gap, y title, margin. */
  layout->y_label_px = MAJOR_TICK_PX + fs * 0.4;
  layout->y_title_px = layout->y_label_px + max_label + fs * 0.7 + fs * 0.55;
  layout->left = layout->y_title_px + fs * 0.6 + 6.0;
  /* The first x label is centred on the axis' start: keep it inside. */
  if (frame->n_x_ticks > 0 && frame->x_ticks[0] == frame->x_lo)
    {
      double half_first = text_width (cr, frame->x_labels[0], fs) / 2.0 + 6.0;

      layout->left = MAX (layout->left, half_first);
    }
  layout->right = MAX (fs * 1.2, last_label / 2.0 + 8.0);
  /* Bottom: tick, gap, tick labels, gap, x title, margin. */
  layout->x_label_px = MAJOR_TICK_PX + fs * 0.3 + fs * 0.6;
  layout->x_title_px = layout->x_label_px + fs * 0.6 + fs * 0.5 + fs * 0.6;
  layout->bottom = layout->x_title_px + fs * 0.6 + 6.0;
  layout->top = 10.0;
  if (options->title != NULL && options->title[0] != '\0')
    layout->top += fs * 1.35 * 1.5;

  /* Legend above the plot, flowing left to right, wrapping as needed. */
  avail = width - layout->left - layout->right;
  if (options->show_legend)
    {
      for (guint i = 0; i < N_LEGEND; i++)
        {
          g_autofree char *owned = NULL;
          guint s = _co2s_rmse_plot_legend_item (i);
          double w;

          if (!frame->shown[s] || !frame->has_data[s])
            continue;
          w = LEGEND_SAMPLE_PX * options->font_scale + fs * 0.5 +
              text_width (cr, _co2s_rmse_plot_series_name (frame, s, window, &owned), fs) + fs * 1.5;
          if (x > 0.0 && x + w > avail)
            {
              row++;
              x = 0.0;
            }
          layout->legend_x[s] = x;
          layout->legend_row[s] = row;
          x += w;
        }
      layout->legend_rows = row + 1;
      layout->legend_top = layout->top;
      layout->top += layout->legend_rows * fs * 1.6 + fs * 0.4;
    }
  cairo_restore (cr);

  layout->plot_w = width - layout->left - layout->right;
  layout->plot_h = height - layout->top - layout->bottom;
}
