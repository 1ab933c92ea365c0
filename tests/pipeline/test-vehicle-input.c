/* test-vehicle-input.c — the one parser of the vehicle a person describes
 * (co2s-vehicle-input.h): each field's bounds, NaN and infinities, garbage
 * text, each fuel letter, both input styles (a command line, a form in the
 * user's locale), and that co2stream-predict reports exactly its errors. */
#define G_LOG_DOMAIN "test-vehicle-input"

#include <gio/gio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "co2s-vehicle-input.h"

static const Co2sVehicleInputStyle styles[] = { CO2S_VEHICLE_INPUT_COMMAND_LINE, CO2S_VEHICLE_INPUT_FORM };

/* A valid vehicle, as typed: what each test starts from. */
static const char * const good_texts[CO2S_VEHICLE_N_NUMBERS] = { "2.0", "4", "9.9", "6.7", "8.5" };

/* @text must be refused for @field in @style with @code; the value is left
 * alone. Returns the message (free it). */
static char *
assert_refused (Co2sVehicleField field, const char *text, Co2sVehicleInputStyle style,
                Co2sVehicleInputError code)
{
  g_autoptr(GError) error = NULL;
  double value = -12345.0;

  if (co2s_vehicle_parse_number (field, text, style, &value, &error))
    g_error ("%s “%s” (style %d) was taken as %g", co2s_vehicle_field_get_info (field)->option,
             text ? text : "(null)", style, value);
  g_assert_error (error, CO2S_VEHICLE_INPUT_ERROR, (gint) code);
  g_assert_cmpfloat (value, ==, -12345.0);
  g_test_message ("%s “%s”: %s", co2s_vehicle_field_get_info (field)->option, text ? text : "(null)",
                  error->message);
  return g_strdup (error->message);
}

static double
assert_taken (Co2sVehicleField field, const char *text, Co2sVehicleInputStyle style)
{
  g_autoptr(GError) error = NULL;
  double value = NAN;

  if (!co2s_vehicle_parse_number (field, text, style, &value, &error))
    g_error ("%s “%s” (style %d) refused: %s", co2s_vehicle_field_get_info (field)->option, text, style,
             error->message);
  return value;
}

/* The range as a command line types it: "0.5 to 10". */
static char *
c_range (const Co2sVehicleFieldInfo *info)
{
  char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("%s to %s", g_ascii_formatd (lo, sizeof lo, "%g", info->min),
                          g_ascii_formatd (hi, sizeof hi, "%g", info->max));
}

static void
test_fields (void)
{
  static const char * const options[] = { "--engine-size", "--cylinders", "--city", "--hwy", "--comb" };
  static const char * const keys[] = { "engine_size", "cylinders", "city", "hwy", "comb" };
  static const Co2sColumn columns[] = {
    CO2S_COL_ENGINE_SIZE, CO2S_COL_CYLINDERS, CO2S_COL_FUEL_CITY, CO2S_COL_FUEL_HWY, CO2S_COL_FUEL_COMB,
  };

  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      const Co2sVehicleFieldInfo *info = co2s_vehicle_field_get_info (i);
      double min, max;

      /* The trainer's limits, so the same vehicles are accepted everywhere. */
      co2s_column_range (columns[i], &min, &max);
      g_assert_cmpint (info->column, ==, columns[i]);
      g_assert_cmpfloat (info->min, ==, min);
      g_assert_cmpfloat (info->max, ==, max);
      g_assert_cmpfloat (info->min, <, info->max);
      g_assert_cmpstr (info->option, ==, options[i]);
      g_assert_cmpstr (info->key, ==, keys[i]);
      g_assert_true (info->label != NULL && info->label[0] != '\0');
      g_assert_nonnull (info->unit);
      g_assert_cmpint (info->integer, ==, i == CO2S_VEHICLE_CYLINDERS);
      /* Counted fields have no unit; the others do. */
      g_assert_cmpint (info->unit[0] == '\0', ==, info->integer);
    }
}

static void
test_bounds (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
      {
        const Co2sVehicleFieldInfo *info = co2s_vehicle_field_get_info (i);
        double step = info->integer ? 1.0 : 0.01;
        char text[G_ASCII_DTOSTR_BUF_SIZE];
        g_autofree char *below = NULL;
        g_autofree char *above = NULL;
        g_autofree char *range = c_range (info);
        g_autofree char *form_range = co2s_vehicle_field_dup_range_text (i);

        /* The bounds themselves are allowed. */
        g_assert_cmpfloat (assert_taken (i, g_ascii_dtostr (text, sizeof text, info->min), styles[s]),
                           ==, info->min);
        g_assert_cmpfloat (assert_taken (i, g_ascii_dtostr (text, sizeof text, info->max), styles[s]),
                           ==, info->max);

        /* Just outside, on both sides. */
        below = assert_refused (i, g_ascii_dtostr (text, sizeof text, info->min - step), styles[s],
                                CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE);
        above = assert_refused (i, g_ascii_dtostr (text, sizeof text, info->max + step), styles[s],
                                CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE);

        /* The message names the field (on a command line: the option and the
         * column; in a form, the input it is shown under) and the range. */
        if (styles[s] == CO2S_VEHICLE_INPUT_COMMAND_LINE)
          {
            g_assert_true (g_str_has_prefix (above, info->option));
            g_assert_nonnull (strstr (above, co2s_column_name (info->column)));
            g_assert_true (g_str_has_suffix (above, range));
            g_assert_true (g_str_has_suffix (below, range));
          }
        else
          {
            g_autofree char *expected = g_strdup_printf ("Out of range. %s", form_range);

            g_assert_cmpstr (above, ==, expected);
            g_assert_cmpstr (below, ==, expected);
          }

        /* A fraction where a count is wanted. */
        if (info->integer)
          {
            g_autofree char *message =
              assert_refused (i, g_ascii_dtostr (text, sizeof text, info->min + 0.5), styles[s],
                              CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE);

            g_assert_true (g_str_has_suffix (message, styles[s] == CO2S_VEHICLE_INPUT_FORM ? form_range : range));
          }
        else
          {
            g_assert_cmpfloat (assert_taken (i, g_ascii_dtostr (text, sizeof text, info->min + step), styles[s]),
                               ==, info->min + step);
          }
      }

  /* The range a form shows: one decimal, or none for a count, and the unit. */
  {
    g_autofree char *engine = co2s_vehicle_field_dup_range_text (CO2S_VEHICLE_ENGINE_SIZE);
    g_autofree char *cylinders = co2s_vehicle_field_dup_range_text (CO2S_VEHICLE_CYLINDERS);
    g_autofree char *comb = co2s_vehicle_field_dup_range_text (CO2S_VEHICLE_COMB);

    g_assert_cmpstr (engine, ==, "From 0.5 to 10.0 L");
    g_assert_cmpstr (cylinders, ==, "From 2 to 16");
    g_assert_cmpstr (comb, ==, "From 2.0 to 45.0 L/100 km");
  }
}

/* NaN and infinities are not decimal numbers; a decimal number too large
 * for a double is out of range (a count: not digits only). */
static void
test_not_finite (void)
{
  static const char * const words[] = { "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "+INF" };
  static const char * const huge[] = { "1e999", "-1e999" };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
      {
        for (guint k = 0; k < G_N_ELEMENTS (words); k++)
          g_free (assert_refused (i, words[k], styles[s], CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER));
        for (guint k = 0; k < G_N_ELEMENTS (huge); k++)
          g_free (assert_refused (i, huge[k], styles[s],
                                  co2s_vehicle_field_get_info (i)->integer ? CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE
                                                                           : CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE));
      }
}

/* Only decimal notation (issue 10: strtod also reads hex, and the predict
 * CLI took `--cylinders 0x2`); a count is digits only, so 4.0 and 4e0 are
 * refused as well as 4.5. Command-line messages name the option, quote the
 * text and say the form expected. */
static void
test_decimal_only (void)
{
  static const char * const not_decimal[] = {
    "0x2", "0X2", "0x1p1", "0xA", "-0x2", "0b10", "2_0", "2.5f", "2e", "2e+", "+", "-", "+-2", "2.0.0", "1e5e5",
  };
  static const char * const decimal[] = { "2", "2.", ".5", "+2.0", "-2", "2e0", "25E-1", " 02.50 ", "2.5e+0" };
  static const char * const count[] = { "4", "+4", "04", " 4 " };
  static const char * const not_count[] = { "4.0", "4.", "4.5", "4e0", "40e-1", ".4e1" };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
      {
        const Co2sVehicleFieldInfo *info = co2s_vehicle_field_get_info (i);

        for (guint k = 0; k < G_N_ELEMENTS (not_decimal); k++)
          g_free (assert_refused (i, not_decimal[k], styles[s], CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER));
        if (info->integer)
          {
            for (guint k = 0; k < G_N_ELEMENTS (count); k++)
              g_assert_cmpfloat (assert_taken (i, count[k], styles[s]), ==, 4.0);
            for (guint k = 0; k < G_N_ELEMENTS (not_count); k++)
              g_free (assert_refused (i, not_count[k], styles[s], CO2S_VEHICLE_INPUT_ERROR_NOT_WHOLE));
          }
        else
          for (guint k = 0; k < G_N_ELEMENTS (decimal); k++)
            {
              g_autoptr(GError) error = NULL;
              double value = NAN;

              /* Read as decimal (then maybe out of range: never "not a number"). */
              if (!co2s_vehicle_parse_number (i, decimal[k], styles[s], &value, &error))
                g_assert_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE);
              else
                g_assert_cmpfloat (value, ==, g_ascii_strtod (decimal[k], NULL));
            }
      }

  /* The messages: option, text, the form expected, the range. */
  {
    static const struct { Co2sVehicleField field; const char *text; const char *message; } messages[] = {
      { CO2S_VEHICLE_CYLINDERS, "0x2", "--cylinders “0x2” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
      { CO2S_VEHICLE_CYLINDERS, "4.5", "--cylinders “4.5” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
      { CO2S_VEHICLE_CYLINDERS, "4.0", "--cylinders “4.0” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
      { CO2S_VEHICLE_ENGINE_SIZE, "0x2",
        "--engine-size “0x2” is not a decimal number (digits with a dot for decimals, e.g. 9.9); expected 0.5 to 10" },
      { CO2S_VEHICLE_CITY, "inf",
        "--city “inf” is not a decimal number (digits with a dot for decimals, e.g. 9.9); expected 2 to 50" },
    };

    for (guint k = 0; k < G_N_ELEMENTS (messages); k++)
      {
        g_autoptr(GError) error = NULL;
        double value;

        g_assert_false (co2s_vehicle_parse_number (messages[k].field, messages[k].text,
                                                   CO2S_VEHICLE_INPUT_COMMAND_LINE, &value, &error));
        g_assert_cmpstr (error->message, ==, messages[k].message);
      }
  }
}

static void
test_garbage (void)
{
  static const char * const missing[] = { NULL, "", " ", "\t \n" };
  static const char * const garbage[] = { "abc", "2.0abc", "2..0", "x2", "2 0", "--2", "½", "2,0,0", "0x", "e5", "." };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
      {
        const Co2sVehicleFieldInfo *info = co2s_vehicle_field_get_info (i);

        for (guint k = 0; k < G_N_ELEMENTS (missing); k++)
          {
            g_autofree char *message = assert_refused (i, missing[k], styles[s], CO2S_VEHICLE_INPUT_ERROR_MISSING);

            if (styles[s] == CO2S_VEHICLE_INPUT_COMMAND_LINE)
              g_assert_true (g_str_has_prefix (message, "missing "));
            else
              g_assert_true (g_str_has_prefix (message, "Enter a number. From "));
          }
        for (guint k = 0; k < G_N_ELEMENTS (garbage); k++)
          {
            g_autofree char *message = assert_refused (i, garbage[k], styles[s], CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER);

            if (styles[s] == CO2S_VEHICLE_INPUT_COMMAND_LINE)
              {
                g_autofree char *quoted = g_strdup_printf (info->integer ? "%s “%s” is not a whole number (digits only"
                                                                         : "%s “%s” is not a decimal number (digits with a dot",
                                                           info->option, garbage[k]);
                g_autofree char *range = c_range (info);

                g_assert_true (g_str_has_prefix (message, quoted));
                g_assert_true (g_str_has_suffix (message, range));
              }
          }
        /* Spaces around a number are fine. */
        g_assert_cmpfloat (assert_taken (i, " 4\t", styles[s]), ==, 4.0);
      }

  /* A decimal comma is not a command line's decimal point (nor 2 nor 20). */
  g_free (assert_refused (CO2S_VEHICLE_ENGINE_SIZE, "2,0", CO2S_VEHICLE_INPUT_COMMAND_LINE,
                          CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER));
}

/* In a French locale a form takes "2,5" and "2.5"; a command line still
 * takes only "2.5", and its messages keep decimal points. */
static void
test_french_numbers (void)
{
  const char *locpath = g_getenv ("CO2S_TEST_LOCPATH");
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  g_autofree char *form_range = NULL;
  g_autofree char *message = NULL;

  if (locpath == NULL)
    g_error ("CO2S_TEST_LOCPATH is not set (meson's test environment sets it)");
  g_setenv ("LOCPATH", locpath, TRUE);
  if (setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    g_error ("no fr_FR.UTF-8 locale in %s (meson generates it with localedef)", locpath);

  g_assert_cmpfloat (assert_taken (CO2S_VEHICLE_ENGINE_SIZE, "2,5", CO2S_VEHICLE_INPUT_FORM), ==, 2.5);
  g_assert_cmpfloat (assert_taken (CO2S_VEHICLE_ENGINE_SIZE, "2.5", CO2S_VEHICLE_INPUT_FORM), ==, 2.5);
  g_assert_cmpfloat (assert_taken (CO2S_VEHICLE_ENGINE_SIZE, "2.5", CO2S_VEHICLE_INPUT_COMMAND_LINE), ==, 2.5);
  g_free (assert_refused (CO2S_VEHICLE_ENGINE_SIZE, "2,5", CO2S_VEHICLE_INPUT_COMMAND_LINE,
                          CO2S_VEHICLE_INPUT_ERROR_NOT_NUMBER));

  form_range = co2s_vehicle_field_dup_range_text (CO2S_VEHICLE_ENGINE_SIZE);
  message = assert_refused (CO2S_VEHICLE_ENGINE_SIZE, "50", CO2S_VEHICLE_INPUT_COMMAND_LINE,
                            CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE);

  setlocale (LC_NUMERIC, saved);
  g_unsetenv ("LOCPATH");

  g_assert_cmpstr (form_range, ==, "From 0,5 to 10,0 L");
  g_assert_true (g_str_has_suffix (message, ": 0.5 to 10"));
}

static void
test_fuel (void)
{
  static const struct { const char *text; char fuel; } good[] = {
    { "D", 'D' }, { "E", 'E' }, { "N", 'N' }, { "X", 'X' }, { "Z", 'Z' },
    { "d", 'D' }, { "e", 'E' }, { "n", 'N' }, { "x", 'X' }, { "z", 'Z' },
  };
  static const struct { const char *text; Co2sVehicleInputError code; } bad[] = {
    { NULL, CO2S_VEHICLE_INPUT_ERROR_MISSING }, { "", CO2S_VEHICLE_INPUT_ERROR_MISSING },
    { "Q", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL }, { "1", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL },
    { "XZ", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL }, { "diesel", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL },
    { " X", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL }, { "é", CO2S_VEHICLE_INPUT_ERROR_BAD_FUEL },
  };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (good); i++)
        {
          g_autoptr(GError) error = NULL;
          char fuel = '?';

          g_assert_true (co2s_vehicle_parse_fuel (good[i].text, styles[s], &fuel, &error));
          g_assert_no_error (error);
          g_assert_cmpint (fuel, ==, good[i].fuel);
          g_assert_nonnull (co2s_fuel_name (fuel));
        }
      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          g_autoptr(GError) error = NULL;
          char fuel = '?';

          g_assert_false (co2s_vehicle_parse_fuel (bad[i].text, styles[s], &fuel, &error));
          g_assert_error (error, CO2S_VEHICLE_INPUT_ERROR, (gint) bad[i].code);
          g_assert_cmpint (fuel, ==, '?');
          /* Every message lists the five letters; a command line's names --fuel. */
          g_assert_nonnull (strstr (error->message, "ethanol E85"));
          g_assert_nonnull (strstr (error->message, "premium gasoline"));
          g_assert_cmpint (strstr (error->message, "--fuel") != NULL, ==,
                           styles[s] == CO2S_VEHICLE_INPUT_COMMAND_LINE);
        }
    }
}

static void
test_whole_vehicle (void)
{
  Co2sVehicleInput input;
  double features[CO2S_N_FEATURES], expected[CO2S_N_FEATURES];
  g_autoptr(GError) error = NULL;
  const char *texts[CO2S_VEHICLE_N_NUMBERS];

  g_assert_true (co2s_vehicle_input_parse (&input, good_texts, "z", CO2S_VEHICLE_INPUT_COMMAND_LINE, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (input.numbers[CO2S_VEHICLE_ENGINE_SIZE], ==, 2.0);
  g_assert_cmpfloat (input.numbers[CO2S_VEHICLE_CYLINDERS], ==, 4.0);
  g_assert_cmpfloat (input.numbers[CO2S_VEHICLE_CITY], ==, 9.9);
  g_assert_cmpfloat (input.numbers[CO2S_VEHICLE_HWY], ==, 6.7);
  g_assert_cmpfloat (input.numbers[CO2S_VEHICLE_COMB], ==, 8.5);
  g_assert_cmpint (input.fuel, ==, 'Z');

  /* The model's inputs: the same as the record schema builds. */
  g_assert_true (co2s_vehicle_input_get_features (&input, features, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_features_from_inputs (2.0, 4, 9.9, 6.7, 8.5, 'Z', expected, NULL));
  g_assert_cmpmem (features, sizeof features, expected, sizeof expected);

  /* The first bad field is the one reported; the fuel comes last. */
  memcpy (texts, good_texts, sizeof texts);
  texts[CO2S_VEHICLE_HWY] = "400";
  texts[CO2S_VEHICLE_COMB] = "";
  g_assert_false (co2s_vehicle_input_parse (&input, texts, "Q", CO2S_VEHICLE_INPUT_COMMAND_LINE, &error));
  g_assert_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_OUT_OF_RANGE);
  g_assert_true (g_str_has_prefix (error->message, "--hwy “400”"));
  g_clear_error (&error);
  g_assert_false (co2s_vehicle_input_parse (&input, good_texts, NULL, CO2S_VEHICLE_INPUT_COMMAND_LINE, &error));
  g_assert_error (error, CO2S_VEHICLE_INPUT_ERROR, CO2S_VEHICLE_INPUT_ERROR_MISSING);
  g_assert_true (g_str_has_prefix (error->message, "missing --fuel"));
  g_clear_error (&error);

  /* Filled by hand out of range: the features are refused too. */
  g_assert_true (co2s_vehicle_input_parse (&input, good_texts, "X", CO2S_VEHICLE_INPUT_FORM, NULL));
  input.numbers[CO2S_VEHICLE_CITY] = 99.0;
  g_assert_false (co2s_vehicle_input_get_features (&input, features, &error));
  g_assert_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE);
}

/* co2stream-predict reports, for a bad option, exactly the message of
 * co2s_vehicle_parse_number (command-line style), then the help hint, and
 * exits 2: the command line and the dialog share this parser. */
static void
test_predict_uses_it (void)
{
  static const struct { Co2sVehicleField field; const char *text; } cases[] = {
    { CO2S_VEHICLE_ENGINE_SIZE, "50" },
    { CO2S_VEHICLE_CYLINDERS, "4.5" },
    { CO2S_VEHICLE_CITY, "nine" },
    { CO2S_VEHICLE_HWY, "nan" },
    { CO2S_VEHICLE_COMB, "" },
  };
  const char *predict = g_getenv ("CO2S_PREDICT");

  if (predict == NULL)
    g_error ("CO2S_PREDICT is not set (meson's test environment sets it)");

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) expected_error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = NULL;
      double value;

      g_ptr_array_add (argv, (gpointer) predict);
      for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
        {
          g_ptr_array_add (argv, (gpointer) co2s_vehicle_field_get_info (i)->option);
          g_ptr_array_add (argv, (gpointer) (i == cases[c].field ? cases[c].text : good_texts[i]));
        }
      g_ptr_array_add (argv, (gpointer) "--fuel");
      g_ptr_array_add (argv, (gpointer) "X");
      g_ptr_array_add (argv, NULL);

      g_assert_false (co2s_vehicle_parse_number (cases[c].field, cases[c].text, CO2S_VEHICLE_INPUT_COMMAND_LINE,
                                                 &value, &expected_error));
      expected = g_strdup_printf ("co2stream-predict: %s\nRun “co2stream-predict --help” to see the options.\n",
                                  expected_error->message);

      proc = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
      g_assert_cmpstr (out, ==, "");
      g_assert_cmpstr (err, ==, expected);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vehicle-input/fields", test_fields);
  g_test_add_func ("/vehicle-input/bounds", test_bounds);
  g_test_add_func ("/vehicle-input/not-finite", test_not_finite);
  g_test_add_func ("/vehicle-input/decimal-only", test_decimal_only);
  g_test_add_func ("/vehicle-input/garbage", test_garbage);
  g_test_add_func ("/vehicle-input/french-numbers", test_french_numbers);
  g_test_add_func ("/vehicle-input/fuel", test_fuel);
  g_test_add_func ("/vehicle-input/whole-vehicle", test_whole_vehicle);
  g_test_add_func ("/vehicle-input/predict-uses-it", test_predict_uses_it);

  return g_test_run ();
}
