/* test-predict.c — the co2stream-predict command, run as a real process. */
#define G_LOG_DOMAIN "test-predict"

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-checkpoint.h"
#include "co2s-contracts.h"
#include "co2s-model.h"
#include "co2s-record.h"
#include "co2s-test-util.h"

typedef struct {
  int status;         /* exit status, or -1 when killed by a signal */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs co2stream-predict with the NULL-terminated @args. */
static void
run_predict (Run *run, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) co2s_test_program ("CO2S_PREDICT"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static void
assert_fails (const char * const *args, int status, const char *mentions)
{
  g_auto(Run) run = { 0 };

  run_predict (&run, args);
  if (run.status != status || strstr (run.err, mentions) == NULL || run.out[0] != '\0')
    g_error ("expected exit %d and a message mentioning “%s”; got exit %d, stdout “%s”, stderr “%s”",
             status, mentions, run.status, run.out, run.err);
  g_test_message ("exit %d: %s", run.status, g_strchomp (run.err));
}

/* A model of @spec trained on synthetic rows, saved in a fresh folder. */
static char *
write_model_spec (const Co2sModelSpec *spec, Co2sCheckpoint **cp_out)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  char *path = g_build_filename (dir, CO2S_DEFAULT_MODEL_DIR, CO2S_MODEL_FILE, NULL);
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (spec);
  g_autoptr(GRand) rand = g_rand_new_with_seed (53);
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *cp;
  double x[500 * CO2S_N_FEATURES], y[500];

  for (guint i = 0; i < 500; i++)
    {
      static const char fuels[] = "DENXZ";
      double *row = x + i * CO2S_N_FEATURES;
      double engine = g_rand_double_range (rand, 1.0, 6.5);
      double city = 5 + 2.2 * engine + g_rand_double_range (rand, -1, 1);
      double hwy = 0.7 * city + g_rand_double_range (rand, -0.5, 0.5);
      char fuel = fuels[g_rand_int_range (rand, 0, 5)];

      g_assert_true (co2s_features_from_inputs (engine, 2 * round (engine + 1), city, hwy,
                                                0.55 * city + 0.45 * hwy, fuel, row, NULL));
      y[i] = 23 * row[4] + (fuel == 'D' ? 30 : fuel == 'E' ? -60 : 0) + g_rand_double_range (rand, -4, 4);
    }
  co2s_model_learn (model, x, y, 500);

  cp = co2s_checkpoint_new (model);
  /* Residuals for the intervals, as the trainer records them. */
  for (guint i = 0; i < 500; i++)
    {
      double residual = y[i] - co2s_model_predict (model, x + i * CO2S_N_FEATURES);

      co2s_conformal_add (cp->conformal, x + i * CO2S_N_FEATURES, &residual, 1);
    }
  cp->batches = 5;
  cp->updated_at_us = G_GINT64_CONSTANT (1718000000000000);
  g_assert_true (co2s_checkpoint_save (cp, path, &error));
  g_assert_no_error (error);
  *cp_out = cp;
  return path;
}

static char *
write_model (Co2sAlgo algo, Co2sCheckpoint **cp_out)
{
  const Co2sModelSpec spec = { algo, CO2S_FEATURES_BASE };

  return write_model_spec (&spec, cp_out);
}

static double
library_prediction (Co2sCheckpoint *cp, double engine, double cyl, double city, double hwy, double comb, char fuel)
{
  double features[CO2S_N_FEATURES];

  g_assert_true (co2s_features_from_inputs (engine, cyl, city, hwy, comb, fuel, features, NULL));
  return co2s_model_predict (cp->model, features);
}

static void
test_prediction (void)
{
  for (Co2sAlgo algo = CO2S_ALGO_LS; algo <= CO2S_ALGO_SGD; algo++)
    {
      g_autoptr(Co2sCheckpoint) cp = NULL;
      g_autofree char *path = write_model (algo, &cp);
      const char *fuels[] = { "X", "x", "D", "E", "N", "Z" };

      for (guint i = 0; i < G_N_ELEMENTS (fuels); i++)
        {
          const char *args[] = { "--model", path, "--engine-size", "2.0", "--cylinders", "4",
                                 "--city", "9.9", "--hwy", "6.7", "--comb", "8.5", "--fuel", fuels[i], NULL };
          g_auto(Run) run = { 0 };
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *expected = NULL;
          double p = library_prediction (cp, 2.0, 4, 9.9, 6.7, 8.5, g_ascii_toupper (fuels[i][0]));

          run_predict (&run, args);
          g_assert_cmpint (run.status, ==, 0);
          double features[CO2S_N_FEATURES];
          char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
          double h;

          g_assert_true (co2s_features_from_inputs (2.0, 4, 9.9, 6.7, 8.5, g_ascii_toupper (fuels[i][0]),
                                                    features, NULL));
          co2s_conformal_prepare (cp->conformal);
          h = co2s_conformal_half_width (cp->conformal, features);
          g_assert_true (h > 0 && isfinite (h));
          /* "198.9 g/km (95 %: 194.1–203.6), ls" */
          expected = g_strdup_printf ("%s g/km (95 %%: %s\u2013%s), %s\n", g_ascii_formatd (buf, sizeof buf, "%.1f", p),
                                      g_ascii_formatd (lo, sizeof lo, "%.1f", p - h),
                                      g_ascii_formatd (hi, sizeof hi, "%.1f", p + h), co2s_algo_to_string (algo));
          g_assert_cmpstr (run.out, ==, expected);
          g_assert_cmpstr (run.err, ==, "");
          g_assert_cmpfloat (p, >, 50);   /* a trained model, not the untrained 0 */
        }
    }
}

static void
test_json (void)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *path = write_model (CO2S_ALGO_SGD, &cp);
  const char *args[] = { "--engine-size", "3.5", "--cylinders", "6", "--city", "12.7", "--hwy", "9.1",
                         "--comb", "11.1", "--fuel", "Z", "--json", "--model", path, NULL };
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o, *inputs;
  double expected = library_prediction (cp, 3.5, 6, 12.7, 9.1, 11.1, 'Z');
  double got;

  run_predict (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  root = json_from_string (run.out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  o = json_node_get_object (root);

  got = json_object_get_double_member (o, "prediction_g_per_km");
  g_assert_cmpmem (&got, sizeof got, &expected, sizeof expected);
  g_assert_cmpstr (json_object_get_string_member (o, "algo"), ==, "sgd");
  /* The 95 % interval around it, from the model file's residuals. */
  {
    JsonArray *interval = json_object_get_array_member (o, "interval_95");
    double features[CO2S_N_FEATURES], h, lo, hi;

    g_assert_true (co2s_features_from_inputs (3.5, 6, 12.7, 9.1, 11.1, 'Z', features, NULL));
    co2s_conformal_prepare (cp->conformal);
    h = co2s_conformal_half_width (cp->conformal, features);
    g_assert_cmpuint (json_array_get_length (interval), ==, 2);
    lo = json_array_get_double_element (interval, 0);
    hi = json_array_get_double_element (interval, 1);
    g_assert_cmpfloat (lo, ==, expected - h);
    g_assert_cmpfloat (hi, ==, expected + h);
    g_assert_cmpfloat (lo, <, got);
    g_assert_cmpfloat (got, <, hi);
  }
  g_assert_cmpint (json_object_get_int_member (o, "rows_seen"), ==, 500);
  g_assert_cmpint (json_object_get_int_member (o, "batches"), ==, 5);
  {
    g_autofree char *hash = co2s_checkpoint_dup_params_sha256 (cp);
    JsonArray *learned = json_object_get_array_member (o, "learned_offsets");

    g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 5);
    g_assert_cmpstr (json_object_get_string_member (o, "params_sha256"), ==, hash);
    g_assert_cmpuint (strlen (hash), ==, 64);
    /* The test's model file has no Kafka offsets. */
    g_assert_cmpuint (json_array_get_length (learned), ==, 0);
  }
  g_assert_cmpstr (json_object_get_string_member (o, "updated_at"), ==, "2024-06-10T06:13:20Z");
  g_assert_cmpint (json_object_get_int_member (o, "updated_at_us"), ==, G_GINT64_CONSTANT (1718000000000000));
  g_assert_cmpstr (json_object_get_string_member (o, "model"), ==, path);
  inputs = json_object_get_object_member (o, "inputs");
  g_assert_cmpfloat (json_object_get_double_member (inputs, "engine_size"), ==, 3.5);
  g_assert_cmpfloat (json_object_get_double_member (inputs, "comb"), ==, 11.1);
  g_assert_cmpstr (json_object_get_string_member (inputs, "fuel"), ==, "Z");
  g_assert_cmpstr (json_object_get_string_member (inputs, "fuel_name"), ==, co2s_fuel_name ('Z'));
}

/* A model with a slope per fuel type predicts through its 35 features, and
 * says which model it is. */
static void
test_json_fuel_model (void)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *path = write_model_spec (&spec, &cp);
  const char *args[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                         "--comb", "8.5", "--fuel", "D", "--json", "--model", path, NULL };
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  double expected = library_prediction (cp, 2.0, 4, 9.9, 6.7, 8.5, 'D');
  double got;

  run_predict (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  root = json_from_string (run.out, &error);
  g_assert_no_error (error);
  got = json_object_get_double_member (json_node_get_object (root), "prediction_g_per_km");
  g_assert_cmpmem (&got, sizeof got, &expected, sizeof expected);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "algo"), ==, "ls:fuel");
}

/* A file of several models: the champion predicts unless --algo picks
 * another, each with its own interval; --json names the champion and all
 * models; a model the file does not hold is refused, naming those it has. */
static void
test_several_models (void)
{
  const Co2sModelSpec fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  const Co2sModelSpec sgd = { CO2S_ALGO_SGD, CO2S_FEATURES_BASE };
  g_autoptr(Co2sCheckpoint) cp_fuel = NULL;
  g_autoptr(Co2sCheckpoint) cp_sgd = NULL;
  g_autofree char *path_fuel = write_model_spec (&fuel, &cp_fuel);
  g_autofree char *path_sgd = write_model_spec (&sgd, &cp_sgd);
  g_autoptr(GError) error = NULL;
  double features[CO2S_N_FEATURES];

  g_assert_true (co2s_features_from_inputs (2.0, 4, 9.9, 6.7, 8.5, 'D', features, NULL));
  /* One file with both (sgd's residuals brought over), ls:fuel the champion. */
  co2s_checkpoint_add_model (cp_fuel, cp_sgd->model);
  co2s_conformal_free (co2s_checkpoint_get_model (cp_fuel, 1)->conformal);
  co2s_checkpoint_get_model (cp_fuel, 1)->conformal = g_steal_pointer (&co2s_checkpoint_get_model (cp_sgd, 0)->conformal);
  cp_sgd->conformal = NULL;
  g_assert_true (co2s_checkpoint_save (cp_fuel, path_fuel, &error));
  g_assert_no_error (error);

  for (guint pick = 0; pick < 3; pick++)
    {
      const char *algo = pick == 0 ? NULL : pick == 1 ? "ls:fuel" : "sgd";
      const char *args[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                             "--comb", "8.5", "--fuel", "D", "--json", "--model", path_fuel,
                             algo != NULL ? "--algo" : NULL, algo, NULL };
      Co2sCheckpointModel *m = co2s_checkpoint_get_model (cp_fuel, pick == 2 ? 1 : 0);
      double expected = co2s_model_predict (m->model, features);
      double h, got;
      g_auto(Run) run = { 0 };
      g_autoptr(JsonNode) root = NULL;
      JsonObject *o;
      JsonArray *models, *interval;

      co2s_conformal_prepare (m->conformal);
      h = co2s_conformal_half_width (m->conformal, features);
      run_predict (&run, args);
      g_assert_cmpint (run.status, ==, 0);
      root = json_from_string (run.out, &error);
      g_assert_no_error (error);
      o = json_node_get_object (root);
      got = json_object_get_double_member (o, "prediction_g_per_km");
      g_assert_cmpmem (&got, sizeof got, &expected, sizeof expected);
      g_assert_cmpstr (json_object_get_string_member (o, "algo"), ==, pick == 2 ? "sgd" : "ls:fuel");
      g_assert_cmpstr (json_object_get_string_member (o, "champion"), ==, "ls:fuel");
      interval = json_object_get_array_member (o, "interval_95");
      g_assert_cmpfloat (json_array_get_double_element (interval, 1), ==, expected + h);
      models = json_object_get_array_member (o, "models");
      g_assert_cmpuint (json_array_get_length (models), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (models, 0), ==, "ls:fuel");
      g_assert_cmpstr (json_array_get_string_element (models, 1), ==, "sgd");
    }
  {
    const char *args[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                           "--comb", "8.5", "--fuel", "D", "--model", path_fuel, "--algo", "sgd", NULL };
    g_auto(Run) run = { 0 };

    run_predict (&run, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_suffix (run.out, "), sgd\n"));
  }
  {
    const char *args[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                           "--comb", "8.5", "--fuel", "D", "--model", path_fuel, "--algo", "ls", NULL };
    const char *bad[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                          "--comb", "8.5", "--fuel", "D", "--model", path_fuel, "--algo", "gbt", NULL };

    assert_fails (args, 1, "has no ls model (it holds ls:fuel,sgd)");
    assert_fails (bad, 2, "“gbt” is not a model");
  }
}

static void
test_missing_argument (void)
{
  static const char *options[] = { "--engine-size", "--cylinders", "--city", "--hwy", "--comb", "--fuel" };
  static const char *values[] = { "2.0", "4", "9.9", "6.7", "8.5", "X" };

  for (guint skip = 0; skip < G_N_ELEMENTS (options); skip++)
    {
      const char *args[16];
      guint n = 0;

      args[n++] = "--model";
      args[n++] = "/nonexistent/model.json";   /* inputs are checked first */
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        if (i != skip)
          {
            args[n++] = options[i];
            args[n++] = values[i];
          }
      args[n] = NULL;
      assert_fails (args, 2, options[skip]);
    }

  {
    const char *not_number[] = { "--engine-size", "two", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                                 "--comb", "8.5", "--fuel", "X", NULL };
    const char *no_value[] = { "--engine-size", NULL };
    const char *unknown[] = { "--engine-size", "2", "--turbo", NULL };
    const char *extra[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                            "--comb", "8.5", "--fuel", "X", "surplus", NULL };
    const char *nothing[] = { NULL };

    assert_fails (not_number, 2, "two");
    not_number[1] = "2,0";   /* a decimal comma is not taken for 2 or 20 */
    assert_fails (not_number, 2, "2,0");
    assert_fails (no_value, 2, "--engine-size");
    assert_fails (unknown, 2, "--turbo");
    assert_fails (extra, 2, "surplus");
    assert_fails (nothing, 2, "missing --engine-size");
  }
}

/* Numbers are decimal, counts are digits (issue 10: `--cylinders 0x2` and
 * hex engine sizes used to be taken, as strtod reads them): exit 2, and the
 * message names the option, the text and the form expected. */
static void
test_not_decimal (void)
{
  static const struct { guint option; const char *text; const char *message; } cases[] = {
    { 1, "0x2", "--cylinders “0x2” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
    { 1, "0x4", "--cylinders “0x4” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
    { 1, "4.5", "--cylinders “4.5” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
    { 1, "4.0", "--cylinders “4.0” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
    { 1, "4e0", "--cylinders “4e0” is not a whole number (digits only, e.g. 4); expected 2 to 16" },
    { 0, "0x2", "--engine-size “0x2” is not a decimal number (digits with a dot for decimals, e.g. 9.9); "
                "expected 0.5 to 10" },
    { 2, "0xAp0", "--city “0xAp0” is not a decimal number" },
    { 3, "inf", "--hwy “inf” is not a decimal number" },
    { 4, "nan", "--comb “nan” is not a decimal number" },
  };
  static const char *options[] = { "--engine-size", "--cylinders", "--city", "--hwy", "--comb" };
  static const char *values[] = { "2.0", "4", "9.9", "6.7", "8.5" };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const char *args[16];
      guint n = 0;

      args[n++] = "--model";
      args[n++] = "/nonexistent/model.json";   /* inputs are checked first */
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        {
          args[n++] = options[i];
          args[n++] = i == cases[c].option ? cases[c].text : values[i];
        }
      args[n++] = "--fuel";
      args[n++] = "X";
      args[n] = NULL;
      assert_fails (args, 2, cases[c].message);
    }
}

static void
test_bad_fuel (void)
{
  const char *letters[] = { "Q", "XZ", "", "diesel", "1" };

  for (guint i = 0; i < G_N_ELEMENTS (letters); i++)
    {
      const char *args[] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                             "--comb", "8.5", "--fuel", letters[i], NULL };

      assert_fails (args, 2, "fuel");
    }
}

static void
test_out_of_range (void)
{
  struct { const char *option; const char *value; const char *mentions; } cases[] = {
    { "--engine-size", "50", "Engine_Size" },
    { "--engine-size", "0", "Engine_Size" },
    { "--cylinders", "100", "Cylinders" },
    { "--city", "-3", "Fuel_Consumption_City" },
    { "--hwy", "400", "Fuel_Consumption_Hwy" },
    { "--comb", "1e999", "Fuel_Consumption_Comb" },
    { "--comb", "-1e999", "Fuel_Consumption_Comb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[16] = { "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9", "--hwy", "6.7",
                               "--comb", "8.5", "--fuel", "X", NULL };

      for (guint k = 0; args[k] != NULL; k += 2)
        if (strcmp (args[k], cases[i].option) == 0)
          args[k + 1] = cases[i].value;
      assert_fails (args, 2, cases[i].mentions);
    }
}

static void
test_missing_model (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "no-such-model.json", NULL);
  const char *args[] = { "--model", path, "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9",
                         "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL };

  assert_fails (args, 1, path);
}

static void
test_corrupt_model (void)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *good_path = write_model (CO2S_ALGO_LS, &cp);
  g_autofree char *good = NULL;
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CO2S_MODEL_FILE, NULL);
  const char *args[] = { "--model", path, "--engine-size", "2.0", "--cylinders", "4", "--city", "9.9",
                         "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL };
  gsize len;

  g_assert_true (g_file_get_contents (good_path, &good, &len, NULL));

  g_assert_true (g_file_set_contents (path, "garbage{", -1, NULL));
  assert_fails (args, 1, path);

  g_assert_true (g_file_set_contents (path, good, len / 2, NULL));
  assert_fails (args, 1, path);

  g_assert_true (g_file_set_contents (path, "{\"format_version\": 99}", -1, NULL));
  assert_fails (args, 1, "format_version 99");

  /* A folder is not a model file either. */
  args[1] = dir;
  assert_fails (args, 1, dir);

  /* A valid file of a model that has learned nothing. */
  {
    g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_LS);
    g_autoptr(Co2sCheckpoint) empty = co2s_checkpoint_new (model);

    g_assert_true (co2s_checkpoint_save (empty, path, NULL));
    args[1] = path;
    assert_fails (args, 1, "has not learned");
  }
}

static void
test_help (void)
{
  const char *args[] = { "--help", NULL };
  const char *expected[] = { "--model", "--engine-size", "--cylinders", "--city", "--hwy", "--comb",
                             "--fuel", "--json", "Exit status" };
  g_auto(Run) run = { 0 };

  run_predict (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_nonnull (strstr (run.out, expected[i]));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/predict/cli/prediction", test_prediction);
  g_test_add_func ("/predict/cli/json", test_json);
  g_test_add_func ("/predict/cli/json-fuel-model", test_json_fuel_model);
  g_test_add_func ("/predict/cli/several-models", test_several_models);
  g_test_add_func ("/predict/cli/missing-argument", test_missing_argument);
  g_test_add_func ("/predict/cli/bad-fuel", test_bad_fuel);
  g_test_add_func ("/predict/cli/not-decimal", test_not_decimal);
  g_test_add_func ("/predict/cli/out-of-range", test_out_of_range);
  g_test_add_func ("/predict/cli/missing-model", test_missing_model);
  g_test_add_func ("/predict/cli/corrupt-model", test_corrupt_model);
  g_test_add_func ("/predict/cli/help", test_help);

  return g_test_run ();
}
