/* co2s-vehicle-input.c — one parser for the vehicle a person describes. */
#define G_LOG_DOMAIN "co2s-vehicle-input"

#include "co2s-vehicle-input.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

/* min and max are filled from co2s_column_range on first use. */
static Co2sVehicleFieldInfo fields[CO2S_VEHICLE_N_NUMBERS] = {
  [CO2S_VEHICLE_ENGINE_SIZE] = {
    "--engine-size", "engine_size", N_("Engine size in litres"),
    /* Translators: unit of engine size (litres) after a number */
    N_("L"),
    CO2S_COL_ENGINE_SIZE, 0, 0, FALSE },
  [CO2S_VEHICLE_CYLINDERS] = {
    "--cylinders", "cylinders", N_("Number of cylinders"), "", CO2S_COL_CYLINDERS, 0, 0, TRUE },
  [CO2S_VEHICLE_CITY] = {
    "--city", "city", N_("City fuel consumption in litres per 100 kilometres"), N_("L/100 km"),
    CO2S_COL_FUEL_CITY, 0, 0, FALSE },
  [CO2S_VEHICLE_HWY] = {
    "--hwy", "hwy", N_("Highway fuel consumption in litres per 100 kilometres"), N_("L/100 km"),
    CO2S_COL_FUEL_HWY, 0, 0, FALSE },
  [CO2S_VEHICLE_COMB] = {
    "--comb", "comb", N_("Combined fuel consumption in litres per 100 kilometres"), N_("L/100 km"),
    CO2S_COL_FUEL_COMB, 0, 0, FALSE },
};

G_DEFINE_QUARK (co2s-vehicle-input-error-quark, co2s_vehicle_input_error)

/* ---- helpers --------------------------------------------------------------- */

/* A bound as a command line types it: "0.5", "10". */
static const char *
format_c_number (char buf[G_ASCII_DTOSTR_BUF_SIZE],
                 double value)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%g", value);
}

/* A bound as the user's locale writes it: "0,5" in French; one decimal
 * ("10.0") unless the field counts. */
static char *
format_locale_number (const Co2sVehicleFieldInfo *info,
                      double value)
{
  return g_strdup_printf ("%.*f", info->integer ? 0 : 1, value);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;
  return *text == '\0';
}

/* The locale's decimal separator, "," in French ("." in C). */
static const char *
locale_decimal_point (void)
{
  const char *point = localeconv ()->decimal_point;

  return point != NULL && point[0] != '\0' ? point : ".";
}

/* TRUE when [@p, @end) is a number in decimal notation, as a person types
 * one: an optional sign, digits with at most one decimal separator ('.',
 * or @point) and at least one digit, then an optional exponent (e or E, an
 * optional sign, digits). With @count: an optional sign and digits only.
 * Never hex (strtod reads "0x2" as 2), inf or nan. */
static gboolean
is_decimal (const char *p, const char *end, const char *point, gboolean count)
{
  gsize point_len = point != NULL ? strlen (point) : 0;
  gboolean separator = FALSE;
  guint digits = 0;

  if (p < end && (*p == '+' || *p == '-'))
    p++;
  while (p < end)
    {
      if (g_ascii_isdigit (*p))
        digits++, p++;
      else if (!count && !separator && *p == '.')
        separator = TRUE, p++;
      else if (!count && !separator && point_len > 0 && (gsize) (end - p) >= point_len &&
               memcmp (p, point, point_len) == 0)
        separator = TRUE, p += point_len;
      else
        break;
    }
  if (digits == 0)
    return FALSE;
  if (!count && p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !g_ascii_isdigit (*p))
        return FALSE;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  return p == end;
}

/* [@text, @end) in decimal notation (is_decimal) as a double: with a
 * decimal point only on a command line, also with the locale's decimal
 * separator in a form. 1e999 reads as an infinity (out of range). */
static double
parse_double (const char *text, const char *end, Co2sVehicleInputStyle style)
{
  g_autofree char *copy = g_strndup (text, end - text);

  return style == CO2S_VEHICLE_INPUT_COMMAND_LINE ? g_ascii_strtod (copy, NULL) : g_strtod (copy, NULL);
}

/* Sets @error (@code) for @text of the field @info in @style. */
static void
set_number_error (GError **error,
                  Co2sVehicleInputError code,
                  Co2sVehicleField field,
                  const char *text,
                  Co2sVehicleInputStyle style)
{
  const Co2sVehicleFieldInfo *info = co2s_vehicle_field_get_info (field);

  if (style == CO2S_VEHICLE_INPUT_COMMAND_LINE)
    {
      char min[G_ASCII_DTOSTR_BUF_SIZE], max[G_ASCII_DTOSTR_BUF_SIZE];

      format_c_number (min, info->min);
      format_c_number (max, info->max);
      switch (code)
        {
        case CO2S_VEHICLE_INPUT_ERROR_MISSING:
          /* Translators: "missing --cylinders (a number from 2 to 16)" */
          g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code, _("missing %s (a number from %s to %s)"),
                       info->option, min, max);
          break;
        case CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER:
        case CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE:
          if (info->integer)
            /* Translators: "--cylinders “0x4” is not a whole number (digits only, e.g. 4); expected 2 to 16" */
            g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code,
                         _("%s “%s” is not a whole number (digits only, e.g. 4); expected %s to %s"),
                         info->option, text, min, max);
          else
            /* Translators: "--engine-size “0x2” is not a decimal number (…); expected 0.5 to 10";
             * hexadecimal, inf and nan are refused too */
            g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code,
                         _("%s “%s” is not a decimal number (digits with a dot for decimals, e.g. 9.9); "
                           "expected %s to %s"),
                         info->option, text, min, max);
          break;
        case CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE:
        case CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL:
        default:
          /* Translators: the third %s is a column of the data set, e.g. Engine_Size */
          g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code,
                       _("%s “%s” is outside the plausible range of %s: %s to %s"),
                       info->option, text, co2s_column_name (info->column), min, max);
          break;
        }
    }
  else
    {
      g_autofree char *range = co2s_vehicle_field_dup_range_text (field);

      switch (code)
        {
        case CO2S_VEHICLE_INPUT_ERROR_MISSING:
        case CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER:
          /* Translators: under an input that holds no number; %s is the allowed range */
          g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code, _("Enter a number. %s"), range);
          break;
        case CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE:
          /* Translators: under an input that needs a whole number; %s is the allowed range */
          g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code, _("Enter a whole number. %s"), range);
          break;
        case CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE:
        case CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL:
        default:
          /* Translators: under an input out of its range; %s is the allowed range */
          g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, code, _("Out of range. %s"), range);
          break;
        }
    }
}

/* ---- public API ------------------------------------------------------------ */

const Co2sVehicleFieldInfo *
co2s_vehicle_field_get_info (Co2sVehicleField field)
{
  static gsize initialized;

  g_return_val_if_fail (field < CO2S_VEHICLE_N_NUMBERS, NULL);

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
        co2s_column_range (fields[i].column, &fields[i].min, &fields[i].max);
      g_once_init_leave (&initialized, 1);
    }

  return &fields[field];
}

char *
co2s_vehicle_field_dup_range_text (Co2sVehicleField field)
{
  const Co2sVehicleFieldInfo *info;
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;

  g_return_val_if_fail (field < CO2S_VEHICLE_N_NUMBERS, NULL);

  info = co2s_vehicle_field_get_info (field);
  lo = format_locale_number (info, info->min);
  hi = format_locale_number (info, info->max);
  if (info->unit[0] == '\0')
    /* Translators: allowed range of a count, e.g. the number of cylinders: "From 2 to 16" */
    return g_strdup_printf (_("From %s to %s"), lo, hi);

  /* Translators: allowed range of an input: "From 0.5 to 10.0 L" */
  return g_strdup_printf (_("From %s to %s %s"), lo, hi, _(info->unit));
}

gboolean
co2s_vehicle_parse_number (Co2sVehicleField field,
                           const char *text,
                           Co2sVehicleInputStyle style,
                           double *value,
                           GError **error)
{
  const Co2sVehicleFieldInfo *info;
  const char *start, *end, *point;
  double v;

  g_return_val_if_fail (field < CO2S_VEHICLE_N_NUMBERS, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = co2s_vehicle_field_get_info (field);
  if (is_blank (text))
    {
      set_number_error (error, CO2S_VEHICLE_INPUT_ERROR_MISSING, field, text, style);
      return FALSE;
    }
  start = text;
  while (g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  point = style == CO2S_VEHICLE_INPUT_FORM ? locale_decimal_point () : NULL;
  if (!is_decimal (start, end, point, FALSE))
    {
      set_number_error (error, CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER, field, text, style);
      return FALSE;
    }
  if (info->integer && !is_decimal (start, end, NULL, TRUE))
    {
      set_number_error (error, CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE, field, text, style);
      return FALSE;
    }
  v = parse_double (start, end, style);
  if (!isfinite (v) || v < info->min || v > info->max)
    {
      set_number_error (error, CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE, field, text, style);
      return FALSE;
    }

  *value = v;
  return TRUE;
}

gboolean
co2s_vehicle_parse_fuel (const char *text,
                         Co2sVehicleInputStyle style,
                         char *fuel,
                         GError **error)
{
  gboolean command_line = style == CO2S_VEHICLE_INPUT_COMMAND_LINE;
  gboolean one_letter;

  g_return_val_if_fail (fuel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    {
      g_set_error_literal (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_MISSING,
                           command_line
                           ? _("missing --fuel (D diesel, E ethanol E85, N natural gas, "
                               "X regular gasoline or Z premium gasoline)")
                           : _("Choose a fuel type: D (diesel), E (ethanol E85), N (natural gas), "
                               "X (regular gasoline) or Z (premium gasoline)"));
      return FALSE;
    }

  one_letter = text[1] == '\0';
  if (one_letter && co2s_fuel_column (text[0]) >= 0)
    {
      *fuel = g_ascii_toupper (text[0]);
      return TRUE;
    }

  if (!command_line)
    g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL,
                 _("“%s” is no fuel type: use D (diesel), E (ethanol E85), "
                   "N (natural gas), X (regular gasoline) or Z (premium gasoline)"), text);
  else if (!one_letter)
    g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL,
                 _("--fuel “%s” is not one letter: use D (diesel), E (ethanol E85), "
                   "N (natural gas), X (regular gasoline) or Z (premium gasoline)"), text);
  else
    g_set_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL,
                 _("--fuel “%s” is no fuel type: use D (diesel), E (ethanol E85), "
                   "N (natural gas), X (regular gasoline) or Z (premium gasoline)"), text);
  return FALSE;
}

gboolean
co2s_vehicle_input_parse (Co2sVehicleInput *input,
                          const char * const *texts,
                          const char *fuel_text,
                          Co2sVehicleInputStyle style,
                          GError **error)
{
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (texts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    if (!co2s_vehicle_parse_number (i, texts[i], style, &input->numbers[i], error))
      return FALSE;

  return co2s_vehicle_parse_fuel (fuel_text, style, &input->fuel, error);
}

gboolean
co2s_vehicle_input_get_features (const Co2sVehicleInput *input,
                                 double out[CO2S_N_FEATURES],
                                 GError **error)
{
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return co2s_features_from_inputs (input->numbers[CO2S_VEHICLE_ENGINE_SIZE],
                                    input->numbers[CO2S_VEHICLE_CYLINDERS],
                                    input->numbers[CO2S_VEHICLE_CITY],
                                    input->numbers[CO2S_VEHICLE_HWY],
                                    input->numbers[CO2S_VEHICLE_COMB],
                                    input->fuel, out, error);
}
