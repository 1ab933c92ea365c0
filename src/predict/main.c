/* main.c — co2stream-predict: CO2 emissions of one vehicle from the saved model. */
#define G_LOG_DOMAIN "co2stream-predict"

#include <gio/gio.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "co2s-checkpoint.h"
#include "co2s-i18n.h"
#include "co2s-model.h"
#include "co2s-record.h"

#define EXIT_BAD_INPUT 2
#define EXIT_BAD_MODEL 1

typedef struct {
  char *model_path;
  char *number_args[5];   /* engine size, cylinders, city, hwy, comb, as typed */
  double engine_size;
  double cylinders;
  double city;
  double hwy;
  double comb;
  char *fuel;
  gboolean json;
  gboolean version;
} Options;

static const char *
format_number (char buf[G_ASCII_DTOSTR_BUF_SIZE], const char *format, double v)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, v);
}

/* The shortest "%.Ng" that reads back as exactly @v (so 9.9 stays 9.9 and
 * a prediction keeps every bit). Locale-independent. */
static void
append_number (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      g_autofree char *format = g_strdup_printf ("%%.%dg", precision);

      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
}

static void
append_string (GString *out, const char *str)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), str);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append (out, quoted);
}

static void
member (GString *out, const char *indent, const char *name, gboolean first)
{
  g_string_append_printf (out, "%s\n%s\"%s\": ", first ? "" : ",", indent, name);
}

/* The --json output, written by hand for short, exact numbers. */
static void
print_json (const Options *opts, char fuel, const Co2sCheckpoint *cp, double prediction)
{
  g_autoptr(GString) out = g_string_new ("{");
  g_autoptr(GDateTime) secs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  char letter[2] = { fuel, '\0' };

  secs = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  if (secs != NULL)
    when = g_date_time_add (secs, cp->updated_at_us % G_USEC_PER_SEC);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

  member (out, "  ", "prediction_g_per_km", TRUE);
  append_number (out, prediction);
  member (out, "  ", "algo", FALSE);
  append_string (out, co2s_algo_to_string (co2s_model_get_algo (cp->model)));
  member (out, "  ", "rows_seen", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, co2s_model_get_rows_seen (cp->model));
  member (out, "  ", "batches", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, cp->batches);
  member (out, "  ", "updated_at", FALSE);
  if (iso != NULL)
    append_string (out, iso);
  else
    g_string_append (out, "null");
  member (out, "  ", "updated_at_us", FALSE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, cp->updated_at_us);
  member (out, "  ", "model", FALSE);
  append_string (out, opts->model_path);

  member (out, "  ", "inputs", FALSE);
  g_string_append (out, "{");
  member (out, "    ", "engine_size", TRUE);
  append_number (out, opts->engine_size);
  member (out, "    ", "cylinders", FALSE);
  append_number (out, opts->cylinders);
  member (out, "    ", "city", FALSE);
  append_number (out, opts->city);
  member (out, "    ", "hwy", FALSE);
  append_number (out, opts->hwy);
  member (out, "    ", "comb", FALSE);
  append_number (out, opts->comb);
  member (out, "    ", "fuel", FALSE);
  append_string (out, letter);
  member (out, "    ", "fuel_name", FALSE);
  append_string (out, co2s_fuel_name (fuel));
  g_string_append (out, "\n  }\n}\n");

  g_print ("%s", out->str);
}

/* A decimal number in the C locale, surrounding spaces allowed. NaN and
 * infinities parse too: the range check refuses them with a clear message. */
static gboolean
parse_number (const char *text, double *out)
{
  char *end = NULL;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  while (g_ascii_isspace (*end))
    end++;
  return *end == '\0';
}

static void
free_number_args (Options *opts)
{
  for (guint i = 0; i < G_N_ELEMENTS (opts->number_args); i++)
    g_clear_pointer (&opts->number_args[i], g_free);
}

int
main (int argc, char *argv[])
{
  Options opts = { 0 };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opts.model_path,
      N_("Model file written by co2stream-trainer (default: models/model.json)"), N_("FILE") },
    /* Translators: the numbers are typed with a decimal point whatever the
     * locale (e.g. 2.0); say so in the examples. */
    { "engine-size", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[0],
      N_("Engine displacement in litres, e.g. 2.0"), N_("LITRES") },
    { "cylinders", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[1],
      N_("Number of cylinders, e.g. 4"), N_("N") },
    { "city", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[2],
      N_("City fuel consumption in L/100 km, e.g. 9.9"), N_("L_PER_100KM") },
    { "hwy", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[3],
      N_("Highway fuel consumption in L/100 km, e.g. 6.7"), N_("L_PER_100KM") },
    { "comb", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[4],
      /* xgettext:no-c-format */
      N_("Combined fuel consumption (55% city, 45% highway) in L/100 km, e.g. 8.5"),
      N_("L_PER_100KM") },
    { "fuel", 0, 0, G_OPTION_ARG_STRING, &opts.fuel,
      N_("Fuel type: D diesel, E ethanol E85, N natural gas, X regular gasoline, Z premium gasoline"),
      N_("LETTER") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json,
      N_("Print a JSON object: the prediction with the model's algo, rows seen and update time"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opts.version, N_("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *fuel_arg = NULL;
  double features[CO2S_N_FEATURES];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double prediction;
  char fuel;

  co2s_i18n_init ();
  g_set_prgname ("co2stream-predict");

  context = g_option_context_new (N_("- predict CO2 emissions (g/km) of one vehicle"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Translators: keep the example command as it is (numbers are typed with
   * a decimal point whatever the locale). */
  g_option_context_set_summary (context, N_(
    "Reads the model that co2stream-trainer saves and prints the predicted CO2\n"
    "emissions of the vehicle described by the options, in g/km. Every vehicle\n"
    "option is required.\n"
    "\n"
    "Example:\n"
    "  co2stream-predict --model models/model.json --engine-size 2.0 --cylinders 4 \\\n"
    "      --city 9.9 --hwy 6.7 --comb 8.5 --fuel X"));
  g_option_context_set_description (context, N_(
    "Exit status: 0 on success, 1 when the model file is missing or unusable,\n"
    "2 when an option is missing or out of range."));
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_free (opts.model_path);
      g_free (opts.fuel);
      free_number_args (&opts);
      co2s_print_error ("%s", error->message);
      co2s_print_help_hint ();
      return EXIT_BAD_INPUT;
    }
  model_path = opts.model_path;
  fuel_arg = opts.fuel;
  if (opts.version)
    {
      g_print ("co2stream-predict %s\n", CO2S_VERSION);
      free_number_args (&opts);
      return 0;
    }
  if (argc > 1)
    {
      free_number_args (&opts);
      co2s_print_error (_("unexpected argument “%s”"), argv[1]);
      co2s_print_help_hint ();
      return EXIT_BAD_INPUT;
    }

  {
    static const char *option_names[5] = { "--engine-size", "--cylinders", "--city", "--hwy", "--comb" };
    static const Co2sColumn columns[5] = {
      CO2S_COL_ENGINE_SIZE, CO2S_COL_CYLINDERS, CO2S_COL_FUEL_CITY, CO2S_COL_FUEL_HWY, CO2S_COL_FUEL_COMB,
    };
    double *values[5] = { &opts.engine_size, &opts.cylinders, &opts.city, &opts.hwy, &opts.comb };

    for (guint i = 0; i < 5; i++)
      {
        double min, max;

        if (opts.number_args[i] == NULL)
          {
            co2s_print_error (_("missing %s (a number)"), option_names[i]);
            co2s_print_help_hint ();
            free_number_args (&opts);
            return EXIT_BAD_INPUT;
          }
        if (!parse_number (opts.number_args[i], values[i]))
          {
            co2s_print_error (_("%s “%s” is not a number (write decimals with a dot, e.g. 9.9)"),
                              option_names[i], opts.number_args[i]);
            free_number_args (&opts);
            return EXIT_BAD_INPUT;
          }
        /* The same bounds as co2s_record_validate, said in the user's
         * language (its own message is English: it also goes into the
         * dead-letter topic's headers). */
        co2s_column_range (columns[i], &min, &max);
        if (!isfinite (*values[i]) || *values[i] < min || *values[i] > max)
          {
            char min_text[G_ASCII_DTOSTR_BUF_SIZE];
            char max_text[G_ASCII_DTOSTR_BUF_SIZE];

            /* The bounds as the options are typed: with a decimal point. */
            co2s_print_error (_("%s “%s” is outside the plausible range of %s: %s to %s"),
                              option_names[i], opts.number_args[i], co2s_column_name (columns[i]),
                              g_ascii_formatd (min_text, sizeof min_text, "%g", min),
                              g_ascii_formatd (max_text, sizeof max_text, "%g", max));
            free_number_args (&opts);
            return EXIT_BAD_INPUT;
          }
      }
    free_number_args (&opts);
  }
  if (opts.fuel == NULL)
    {
      co2s_print_error ("%s", _("missing --fuel (D diesel, E ethanol E85, N natural gas, "
                                "X regular gasoline or Z premium gasoline)"));
      return EXIT_BAD_INPUT;
    }
  if (opts.fuel[0] == '\0' || opts.fuel[1] != '\0')
    {
      co2s_print_error (_("--fuel “%s” is not one letter: use D (diesel), E (ethanol E85), "
                          "N (natural gas), X (regular gasoline) or Z (premium gasoline)"), opts.fuel);
      return EXIT_BAD_INPUT;
    }
  fuel = g_ascii_toupper (opts.fuel[0]);
  if (co2s_fuel_column (fuel) < 0)
    {
      co2s_print_error (_("--fuel “%s” is no fuel type: use D (diesel), E (ethanol E85), "
                          "N (natural gas), X (regular gasoline) or Z (premium gasoline)"), opts.fuel);
      return EXIT_BAD_INPUT;
    }

  if (!co2s_features_from_inputs (opts.engine_size, opts.cylinders, opts.city, opts.hwy, opts.comb,
                                  fuel, features, &error))
    {
      co2s_print_error ("%s", error->message);
      return EXIT_BAD_INPUT;
    }

  if (opts.model_path == NULL)
    opts.model_path = model_path = g_strdup ("models/model.json");

  cp = co2s_checkpoint_load (opts.model_path, &error);
  if (cp == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Translators: %s is an error message saying that the file is missing */
        co2s_print_error (_("%s. Train a model first (co2stream-trainer writes it), "
                            "or give its path with --model."), error->message);
      else
        co2s_print_error ("%s", error->message);
      return EXIT_BAD_MODEL;
    }
  if (co2s_model_get_rows_seen (cp->model) == 0)
    {
      co2s_print_error (_("the model in “%s” has not learned from any row yet"), opts.model_path);
      return EXIT_BAD_MODEL;
    }

  prediction = co2s_model_predict (cp->model, features);
  if (!isfinite (prediction))
    {
      co2s_print_error (_("the model in “%s” gives no finite prediction"), opts.model_path);
      return EXIT_BAD_MODEL;
    }

  if (opts.json)
    print_json (&opts, fuel, cp, prediction);
  else
    /* Not translated, and with a decimal point under any locale: scripts
     * read this line (--json says more). */
    g_print ("%s g/km\n", format_number (buf, "%.1f", prediction));

  return 0;
}
