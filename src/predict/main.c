/* main.c — co2stream-predict: CO2 emissions of one vehicle from the saved model. */
#define G_LOG_DOMAIN "co2stream-predict"

#include <gio/gio.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "co2s-checkpoint.h"
#include "co2s-cli.h"
#include "co2s-contracts.h"
#include "co2s-model.h"
#include "co2s-prediction.h"
#include "co2s-vehicle-input.h"

#define DEFAULT_MODEL CO2S_DEFAULT_MODEL_DIR G_DIR_SEPARATOR_S CO2S_MODEL_FILE

typedef struct {
  char *model_path;
  char *number_args[CO2S_VEHICLE_N_NUMBERS];   /* by Co2sVehicleField, as typed */
  char *fuel;
  char *algo;
  gboolean json;
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
print_json (const char *model_path, const Co2sVehicleInput *vehicle, const Co2sCheckpoint *cp,
            const Co2sPrediction *prediction)
{
  g_autoptr(GString) out = g_string_new ("{");
  g_autoptr(GDateTime) secs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  char letter[2] = { vehicle->fuel, '\0' };

  secs = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  if (secs != NULL)
    when = g_date_time_add (secs, cp->updated_at_us % G_USEC_PER_SEC);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

  member (out, "  ", "prediction_g_per_km", TRUE);
  append_number (out, prediction->value);
  /* The 95 % conformal interval from the model's recent prequential
   * residuals (co2s-conformal.h); null when the model file has none. */
  member (out, "  ", "interval_95", FALSE);
  if (isfinite (prediction->half_width))
    {
      g_string_append_c (out, '[');
      append_number (out, prediction->low);
      g_string_append (out, ", ");
      append_number (out, prediction->high);
      g_string_append_c (out, ']');
    }
  else
    g_string_append (out, "null");
  member (out, "  ", "algo", FALSE);
  append_string (out, prediction->model);
  /* A file of several models: which is the champion, and all of them. */
  if (cp->models->len > 1)
    {
      Co2sModelSpec spec;
      char name[CO2S_MODEL_SPEC_MAX];

      co2s_model_get_spec (cp->model, &spec);
      member (out, "  ", "champion", FALSE);
      append_string (out, co2s_model_spec_to_string (&spec, name));
      member (out, "  ", "models", FALSE);
      g_string_append_c (out, '[');
      for (guint i = 0; i < cp->models->len; i++)
        {
          co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &spec);
          if (i > 0)
            g_string_append (out, ", ");
          append_string (out, co2s_model_spec_to_string (&spec, name));
        }
      g_string_append_c (out, ']');
    }
  member (out, "  ", "rows_seen", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, co2s_model_get_rows_seen (cp->model));
  member (out, "  ", "batches", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, cp->batches);
  /* Which model this is, tied to the log: its version (batch count), the
   * offsets it learned and a hash of its parameters (co2s-checkpoint.h). */
  member (out, "  ", "version", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, prediction->version);
  member (out, "  ", "params_sha256", FALSE);
  append_string (out, prediction->params_sha256);
  member (out, "  ", "learned_offsets", FALSE);
  g_string_append (out, "[");
  for (guint i = 0; i < cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (cp->offsets, Co2sPartitionOffset, i);

      g_string_append_printf (out, "%s{\"partition\": %d, \"first_offset\": ", i > 0 ? ", " : "",
                              (int) po->partition);
      if (po->first_offset >= 0)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, po->first_offset);
      else
        g_string_append (out, "null");
      g_string_append_printf (out, ", \"next_offset\": %" G_GINT64_FORMAT "}", po->next_offset);
    }
  g_string_append (out, "]");
  member (out, "  ", "updated_at", FALSE);
  if (iso != NULL)
    append_string (out, iso);
  else
    g_string_append (out, "null");
  member (out, "  ", "updated_at_us", FALSE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, cp->updated_at_us);
  member (out, "  ", "model", FALSE);
  append_string (out, model_path);

  member (out, "  ", "inputs", FALSE);
  g_string_append (out, "{");
  for (guint i = 0; i < CO2S_VEHICLE_N_NUMBERS; i++)
    {
      member (out, "    ", co2s_vehicle_field_get_info (i)->key, i == 0);
      append_number (out, vehicle->numbers[i]);
    }
  member (out, "    ", "fuel", FALSE);
  append_string (out, letter);
  member (out, "    ", "fuel_name", FALSE);
  append_string (out, co2s_fuel_name (vehicle->fuel));
  g_string_append (out, "\n  }\n}\n");

  g_print ("%s", out->str);
}

static void
options_clear (Options *opts)
{
  g_clear_pointer (&opts->model_path, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (opts->number_args); i++)
    g_clear_pointer (&opts->number_args[i], g_free);
  g_clear_pointer (&opts->fuel, g_free);
  g_clear_pointer (&opts->algo, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

int
main (int argc, char *argv[])
{
  g_auto(Options) opts = { 0 };
  /* The numbers are strings, checked by co2s_vehicle_parse_number (a
   * G_OPTION_ARG_DOUBLE would take a decimal comma in French). */
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opts.model_path,
      N_("Model file written by co2stream-trainer (default: models/model.json)"), N_("FILE") },
    /* Translators: the numbers are typed with a decimal point whatever the
     * locale (e.g. 2.0); say so in the examples. */
    { "engine-size", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[CO2S_VEHICLE_ENGINE_SIZE],
      N_("Engine displacement in litres, e.g. 2.0"), N_("LITRES") },
    { "cylinders", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[CO2S_VEHICLE_CYLINDERS],
      N_("Number of cylinders, e.g. 4"), N_("N") },
    { "city", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[CO2S_VEHICLE_CITY],
      N_("City fuel consumption in L/100 km, e.g. 9.9"), N_("L_PER_100KM") },
    { "hwy", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[CO2S_VEHICLE_HWY],
      N_("Highway fuel consumption in L/100 km, e.g. 6.7"), N_("L_PER_100KM") },
    { "comb", 0, 0, G_OPTION_ARG_STRING, &opts.number_args[CO2S_VEHICLE_COMB],
      /* xgettext:no-c-format */
      N_("Combined fuel consumption (55% city, 45% highway) in L/100 km, e.g. 8.5"),
      N_("L_PER_100KM") },
    { "fuel", 0, 0, G_OPTION_ARG_STRING, &opts.fuel,
      N_("Fuel type: D diesel, E ethanol E85, N natural gas, X regular gasoline, Z premium gasoline"),
      N_("LETTER") },
    { "algo", 'a', 0, G_OPTION_ARG_STRING, &opts.algo,
      N_("Which of the file's models predicts, when it holds several (co2stream-trainer --algo "
         "ls,ls:fuel,…); default: the champion"), N_("ALGO[:FEATURES]") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json,
      N_("Print a JSON object: the prediction with the model's algo, rows seen and update time"), NULL },
    G_OPTION_ENTRY_NULL
  };
  const Co2sCliSpec cli = {
    .program = "co2stream-predict",
    .parameter_string = N_("- predict CO2 emissions (g/km) of one vehicle"),
    /* Translators: keep the example command as it is (numbers are typed with
     * a decimal point whatever the locale). */
    .summary = N_(
      "Reads the model that co2stream-trainer saves and prints the predicted CO2\n"
      "emissions of the vehicle described by the options, in g/km. Every vehicle\n"
      "option is required.\n"
      "\n"
      "Example:\n"
      "  co2stream-predict --model models/model.json --engine-size 2.0 --cylinders 4 \\\n"
      "      --city 9.9 --hwy 6.7 --comb 8.5 --fuel X"),
    .description = N_(
      "Exit status: 0 on success, 1 when the model file is missing or unusable,\n"
      "2 when an option is missing or out of range."),
    .entries = entries,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  Co2sVehicleInput vehicle;
  double features[CO2S_N_FEATURES];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  Co2sModelSpec algo;
  char algo_name[CO2S_MODEL_SPEC_MAX] = "";
  int index = -1;
  Co2sPrediction prediction;
  const char *model_path;
  int status;

  if (!co2s_cli_parse (&cli, &argc, &argv, &status))
    return status;

  /* Every input is checked before the model is read. */
  if (!co2s_vehicle_input_parse (&vehicle, (const char * const *) opts.number_args, opts.fuel,
                                 CO2S_VEHICLE_INPUT_COMMAND_LINE, &error) ||
      !co2s_vehicle_input_get_features (&vehicle, features, &error))
    return co2s_cli_usage_error ("%s", error->message);
  if (opts.algo != NULL)
    {
      if (!co2s_model_spec_parse (opts.algo, &algo, &error))
        return co2s_cli_usage_error ("--algo: %s", error->message);
      co2s_model_spec_to_string (&algo, algo_name);
    }

  model_path = opts.model_path != NULL ? opts.model_path : DEFAULT_MODEL;
  cp = co2s_checkpoint_load (model_path, &error);
  if (cp == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Translators: %s is an error message saying that the file is missing */
        return co2s_cli_failure (_("%s. Train a model first (co2stream-trainer writes it), "
                                   "or give its path with --model."), error->message);
      return co2s_cli_failure ("%s", error->message);
    }
  if (co2s_model_get_rows_seen (cp->model) == 0)
    return co2s_cli_failure (_("the model in “%s” has not learned from any row yet"), model_path);

  if (algo_name[0] != '\0' && (index = co2s_checkpoint_find_model (cp, algo_name)) < 0)
    {
      Co2sModelSpec specs[CO2S_MAX_MODELS];
      g_autofree char *have = NULL;

      for (guint i = 0; i < cp->models->len; i++)
        co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &specs[i]);
      have = co2s_model_spec_list_to_string (specs, cp->models->len);
      /* Translators: the second and third %s are model names: ls, ls:fuel,sgd… */
      return co2s_cli_failure (_("the model file “%s” has no %s model (it holds %s)"), model_path, algo_name,
                               have);
    }

  /* The value, its interval and its model, as the app's dialog shows them. */
  if (!co2s_prediction_compute_model (cp, index >= 0 ? (guint) index : cp->champion, features, &prediction))
    return co2s_cli_failure (_("the model in “%s” gives no finite prediction"), model_path);

  if (opts.json)
    print_json (model_path, &vehicle, cp, &prediction);
  else if (isfinite (prediction.half_width))
    {
      char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

      /* Not translated, and with decimal points under any locale: scripts
       * read this line (--json says more). */
      g_print ("%s g/km (95 %%: %s\u2013%s), %s\n", format_number (buf, "%.1f", prediction.value),
               format_number (lo, "%.1f", prediction.low),
               format_number (hi, "%.1f", prediction.high), prediction.model);
    }
  else
    g_print ("%s g/km, %s\n", format_number (buf, "%.1f", prediction.value), prediction.model);

  return CO2S_EXIT_OK;
}
