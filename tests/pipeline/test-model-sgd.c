/* test-model-sgd.c — the SGD model against scikit-learn; model (de)serialization. */
#define G_LOG_DOMAIN "test-model-sgd"

#include <gio/gio.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "co2s-model.h"

#include "model-test-data.h"

static void
test_sgd_matches_scikit_learn (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *ref = test_load_reference (&parser);
  g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_SGD);
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint n = test_reference_rows (ref, &x, &y);
  guint batch = json_object_get_int_member (ref, "batch_size");
  JsonArray *steps = json_object_get_array_member (ref, "sgd");
  JsonArray *probes = json_object_get_array_member (ref, "probes");
  JsonObject *params = json_object_get_object_member (ref, "sgd_params");

  g_test_message ("reference made with scikit-learn %s, numpy %s",
                  json_object_get_string_member (ref, "sklearn_version"),
                  json_object_get_string_member (ref, "numpy_version"));

  /* The reference used SGDRegressor's defaults (but shuffle=False). */
  g_assert_cmpfloat (json_object_get_double_member (params, "alpha"), ==, 1e-4);
  g_assert_cmpfloat (json_object_get_double_member (params, "eta0"), ==, 0.01);
  g_assert_cmpfloat (json_object_get_double_member (params, "power_t"), ==, 0.25);
  g_assert_cmpstr (json_object_get_string_member (params, "penalty"), ==, "l2");
  g_assert_cmpstr (json_object_get_string_member (params, "learning_rate"), ==, "invscaling");
  g_assert_cmpstr (json_object_get_string_member (params, "loss"), ==, "squared_error");
  g_assert_false (json_object_get_boolean_member (params, "shuffle"));
  g_assert_false (json_object_get_boolean_member (params, "average"));

  g_assert_cmpuint (json_array_get_length (steps), ==, n / batch);
  for (guint b = 0; b < n / batch; b++)
    {
      JsonObject *step = json_array_get_object_element (steps, b);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *state, *scaler;
      double expected[NF], got[NF];

      co2s_model_learn (model, x + (gsize) b * batch * NF, y + b * batch, batch);
      g_assert_cmpuint (co2s_model_get_rows_seen (model), ==,
                        json_object_get_int_member (step, "rows_seen"));
      /* No row of the reference overshoots: the update is scikit-learn's. */
      g_assert_cmpuint (co2s_model_get_steps_capped (model), ==, 0);

      node = test_serialize (model);
      state = json_object_get_object_member (json_node_get_object (node), "state");
      scaler = json_object_get_object_member (state, "scaler");

      g_assert_cmpint (json_object_get_int_member (scaler, "n_samples_seen"), ==,
                       json_object_get_int_member (step, "scaler_n_samples_seen"));
      test_double_array (json_object_get_array_member (step, "scaler_mean"), expected, NF);
      test_double_array (json_object_get_array_member (scaler, "mean"), got, NF);
      for (guint j = 0; j < NF; j++)
        assert_close (got[j], expected[j], 1e-9, 1e-12);
      test_double_array (json_object_get_array_member (step, "scaler_var"), expected, NF);
      test_double_array (json_object_get_array_member (scaler, "var"), got, NF);
      for (guint j = 0; j < NF; j++)
        assert_close (got[j], expected[j], 1e-9, 1e-12);

      g_assert_cmpfloat (json_object_get_double_member (state, "t"), ==,
                         json_object_get_double_member (step, "t"));
      test_double_array (json_object_get_array_member (step, "coef"), expected, NF);
      test_double_array (json_object_get_array_member (state, "weights"), got, NF);
      for (guint j = 0; j < NF; j++)
        assert_close (got[j], expected[j], 1e-9, 1e-12);
      assert_close (json_object_get_double_member (state, "intercept"),
                    json_object_get_double_member (step, "intercept"), 1e-9, 1e-12);

      test_double_array (json_object_get_array_member (step, "probe_predictions"), expected, 5);
      for (guint k = 0; k < 5; k++)
        {
          double probe[NF];

          test_double_array (json_array_get_array_element (probes, k), probe, NF);
          assert_close (co2s_model_predict (model, probe), expected[k], 1e-9, 1e-9);
        }
    }
}

static double
prequential_mean (Co2sModel *model, const double *x, const double *y, guint first, guint last, guint batch)
{
  double sum = 0;

  for (guint b = first; b < last; b++)
    {
      double rmse = test_rmse (model, x + (gsize) b * batch * NF, y + b * batch, batch);

      g_assert_true (isfinite (rmse));
      sum += rmse;
      co2s_model_learn (model, x + (gsize) b * batch * NF, y + b * batch, batch);
    }
  return sum / (last - first);
}

/* The old system fed raw features (tens of L/100 km, hundreds of g/km) to
 * SGDRegressor and diverged; standardized, it must converge. And since the
 * scaler makes it scale-free, features in other units give the same model. */
static void
test_sgd_stable (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_SGD);
  g_autoptr(Co2sModel) other_units = co2s_model_new (CO2S_ALGO_SGD);
  const guint m = 8000, batch = 100;
  g_autofree double *x = g_new (double, (gsize) m * NF);
  g_autofree double *x2 = g_new (double, (gsize) m * NF);
  g_autofree double *y = g_new (double, m);
  double first, last, coef[NF], intercept;
  const double units[NF] = { 1000, 1, 1e-3, 1e3, 1e6, 1, 1, 1, 1, 1 };

  test_make_rows (rand, m, "DEXZ", x, y);
  for (gsize i = 0; i < (gsize) m * NF; i++)
    x2[i] = x[i] * units[i % NF];

  first = prequential_mean (model, x, y, 0, 5, batch);
  prequential_mean (model, x, y, 5, m / batch - 10, batch);
  last = prequential_mean (model, x, y, m / batch - 10, m / batch, batch);
  g_test_message ("sgd prequential RMSE: first 5 batches %.2f, last 10 batches %.2f g/km", first, last);
  g_assert_cmpfloat (last, <, 15.0);
  g_assert_cmpfloat (last, <, first / 10);

  co2s_model_get_coefficients (model, coef, &intercept);
  for (guint j = 0; j < NF; j++)
    g_assert_true (isfinite (coef[j]));
  g_assert_true (isfinite (intercept));

  for (guint b = 0; b < m / batch; b++)
    co2s_model_learn (other_units, x2 + (gsize) b * batch * NF, y + b * batch, batch);
  for (guint i = 0; i < m; i += 97)
    assert_close (co2s_model_predict (other_units, x2 + (gsize) i * NF),
                  co2s_model_predict (model, x + (gsize) i * NF), 1e-9, 1.0);
}

/* One natural-gas row among thousands (as in the data set) standardizes to
 * a huge value, and scikit-learn's update on it overshoots and diverges
 * (RMSE 10^10 g/km on the real file in batches of 10,000). The capped step
 * fits that row instead: the model stays finite and accurate. */
static void
test_sgd_rare_flag (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_SGD);
  const guint m = 20000, batch = 10000;
  g_autofree double *x = g_new (double, (gsize) m * NF);
  g_autofree double *y = g_new (double, m);
  g_autofree double *rare = g_new (double, (gsize) m * NF);
  double last;

  test_make_rows (rand, m, "XZ", x, y);
  /* Row 4321 becomes the only natural-gas vehicle. */
  memcpy (rare, x, sizeof (double) * m * NF);
  for (guint k = 0; k < 5; k++)
    rare[(gsize) 4321 * NF + 5 + k] = (k == 2) ? 1.0 : 0.0;

  co2s_model_learn (model, rare, y, batch);
  g_assert_cmpuint (co2s_model_get_steps_capped (model), >=, 1);
  last = test_rmse (model, rare + (gsize) batch * NF, y + batch, m - batch);
  g_test_message ("after %u rows with one natural-gas row: %" G_GUINT64_FORMAT " step(s) capped, "
                  "RMSE on the next %u rows %.2f g/km", batch, co2s_model_get_steps_capped (model),
                  m - batch, last);
  g_assert_true (isfinite (last));
  g_assert_cmpfloat (last, <, 20.0);
}

static char *
to_string (Co2sModel *model)
{
  g_autoptr(JsonNode) node = test_serialize (model);

  return json_to_string (node, FALSE);
}

static Co2sModel *
from_string (const char *json, GError **error)
{
  g_autoptr(JsonNode) node = json_from_string (json, error);

  if (node == NULL)
    return NULL;
  return co2s_model_deserialize (json_node_get_object (node), error);
}

static void
check_round_trip (Co2sAlgo algo)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  g_autoptr(Co2sModel) model = co2s_model_new (algo);
  g_autoptr(Co2sModel) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  g_autofree double *x = g_new (double, 400 * NF);
  g_autofree double *y = g_new (double, 400);

  test_make_rows (rand, 400, "DENXZ", x, y);

  /* Even an untrained model round-trips. */
  json = to_string (model);
  copy = from_string (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (co2s_model_get_algo (copy), ==, algo);
  g_assert_cmpfloat (co2s_model_predict (copy, x), ==, 0.0);
  g_clear_object (&copy);
  g_clear_pointer (&json, g_free);

  for (guint b = 0; b < 3; b++)
    co2s_model_learn (model, x + b * 100 * NF, y + b * 100, 100);

  json = to_string (model);
  copy = from_string (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (co2s_model_get_algo (copy), ==, algo);
  g_assert_cmpuint (co2s_model_get_rows_seen (copy), ==, 300);

  /* Written again, byte for byte the same: every number survived exactly. */
  json2 = to_string (copy);
  g_assert_cmpstr (json, ==, json2);

  for (guint i = 0; i < 400; i++)
    {
      double a = co2s_model_predict (model, x + (gsize) i * NF);
      double b = co2s_model_predict (copy, x + (gsize) i * NF);

      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
    }

  /* The state too: learning on goes on identically. */
  co2s_model_learn (model, x + 300 * NF, y + 300, 100);
  co2s_model_learn (copy, x + 300 * NF, y + 300, 100);
  for (guint i = 0; i < 400; i++)
    {
      double a = co2s_model_predict (model, x + (gsize) i * NF);
      double b = co2s_model_predict (copy, x + (gsize) i * NF);

      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
    }
}

static void
test_serialize_round_trip (void)
{
  check_round_trip (CO2S_ALGO_LS);
  check_round_trip (CO2S_ALGO_SGD);
}

/* Replaces (or with @value NULL removes) the member at dotted @path. */
static void
mutate (JsonObject *root, const char *path, const char *value)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  guint n = g_strv_length (parts);
  JsonObject *object = root;

  for (guint i = 0; i + 1 < n; i++)
    object = json_object_get_object_member (object, parts[i]);
  if (value == NULL)
    json_object_remove_member (object, parts[n - 1]);
  else
    json_object_set_member (object, parts[n - 1], json_from_string (value, NULL));
}

typedef struct {
  Co2sAlgo algo;
  const char *path;
  const char *value;      /* NULL: remove the member */
  const char *mentions;   /* the error message must contain this */
} BadCase;

static const BadCase bad_cases[] = {
  { CO2S_ALGO_LS, "algo", NULL, "member \"algo\" is missing" },
  { CO2S_ALGO_LS, "algo", "\"svm\"", "member \"algo\" must be \"ls\" or \"sgd\"" },
  { CO2S_ALGO_LS, "algo", "3", "member \"algo\" is not a string" },
  { CO2S_ALGO_LS, "features", NULL, "member \"features\" is missing" },
  { CO2S_ALGO_LS, "features", "[\"Engine_Size\"]", "member \"features\" must have 10 elements, not 1" },
  { CO2S_ALGO_LS, "features", "[\"Engine_Size\",\"Cylinders\",\"Fuel_Consumption_City\",\"Fuel_Consumption_Hwy\","
                              "\"Fuel_Consumption_Comb-1\",\"Fuel_Type_D\",\"Fuel_Type_E\",\"Fuel_Type_N\","
                              "\"Fuel_Type_X\",\"Fuel_Type_Z\"]",
    "member \"features[4]\" must be \"Fuel_Consumption_Comb\", not \"Fuel_Consumption_Comb-1\"" },
  { CO2S_ALGO_LS, "features", "[\"Engine_Size\",2,3,4,5,6,7,8,9,10]", "member \"features[1]\" is not a string" },
  { CO2S_ALGO_LS, "coefficients", NULL, "member \"coefficients\" is missing" },
  { CO2S_ALGO_LS, "coefficients", "[1,2,3]", "member \"coefficients\" must have 10 elements, not 3" },
  { CO2S_ALGO_LS, "coefficients", "[1,2,3,4,5,6,7,8,9,\"10\"]", "member \"coefficients[9]\" is not a number" },
  { CO2S_ALGO_LS, "coefficients", "[1,2,3,4,5,6,7,8,9,1e999]", "member \"coefficients[9]\" is not a finite number" },
  { CO2S_ALGO_LS, "coefficients", "{}", "member \"coefficients\" is not an array" },
  { CO2S_ALGO_LS, "intercept", NULL, "member \"intercept\" is missing" },
  { CO2S_ALGO_LS, "intercept", "null", "member \"intercept\" is not a number" },
  { CO2S_ALGO_LS, "intercept", "-1e999", "member \"intercept\" is not a finite number" },
  { CO2S_ALGO_LS, "rows_seen", "-1", "member \"rows_seen\" is -1, below 0" },
  { CO2S_ALGO_LS, "rows_seen", "1.5", "member \"rows_seen\" is not an integer" },
  { CO2S_ALGO_LS, "rows_seen", "12345", "member \"state.n\" differs from rows_seen" },
  { CO2S_ALGO_LS, "state", NULL, "member \"state\" is missing" },
  { CO2S_ALGO_LS, "state", "[]", "member \"state\" is not an object" },
  { CO2S_ALGO_LS, "state.n", "\"many\"", "member \"state.n\" is not an integer" },
  { CO2S_ALGO_LS, "state.x_mean", "[0]", "member \"state.x_mean\" must have 10 elements, not 1" },
  { CO2S_ALGO_LS, "state.y_mean", NULL, "member \"state.y_mean\" is missing" },
  { CO2S_ALGO_LS, "state.xx_comoment", "[[1]]", "member \"state.xx_comoment\" must have 10 elements, not 1" },
  { CO2S_ALGO_LS, "state.xx_comoment", "[1,2,3,4,5,6,7,8,9,10]", "member \"state.xx_comoment[0]\" is not an array" },
  { CO2S_ALGO_LS, "state.xy_comoment", "[1,2,3,4,5,6,7,8,9,10,11]",
    "member \"state.xy_comoment\" must have 10 elements, not 11" },
  { CO2S_ALGO_LS, "state.yy_comoment", "-1", "member \"state.yy_comoment\" must be ≥ 0" },
  { CO2S_ALGO_SGD, "algo", "\"ls\"", "member \"state." },   /* an sgd state read as ls */
  { CO2S_ALGO_SGD, "state.scaler", NULL, "member \"state.scaler\" is missing" },
  { CO2S_ALGO_SGD, "state.scaler.n_samples_seen", "7", "member \"state.scaler.n_samples_seen\" differs from rows_seen" },
  { CO2S_ALGO_SGD, "state.scaler.n_samples_seen", "-7", "member \"state.scaler.n_samples_seen\" is -7, below 0" },
  { CO2S_ALGO_SGD, "state.scaler.var", "[1,1,1,1,1,1,1,1,1,-1]", "member \"state.scaler.var\" has a negative variance" },
  { CO2S_ALGO_SGD, "state.scaler.mean", "[1,1]", "member \"state.scaler.mean\" must have 10 elements, not 2" },
  { CO2S_ALGO_SGD, "state.weights", "[true,1,1,1,1,1,1,1,1,1]", "member \"state.weights[0]\" is not a number" },
  { CO2S_ALGO_SGD, "state.t", "0.5", "member \"state.t\" must be ≥ 1" },
  { CO2S_ALGO_SGD, "state.eta0", "0", "member \"state.eta0\" must be > 0" },
  { CO2S_ALGO_SGD, "state.alpha", "-1e-4", "member \"state.alpha\" must be ≥ 0" },
  { CO2S_ALGO_SGD, "state.power_t", NULL, "member \"state.power_t\" is missing" },
  { CO2S_ALGO_SGD, "state.steps_capped", "2.5", "member \"state.steps_capped\" is not an integer" },
  { CO2S_ALGO_SGD, "state.intercept", "\"0\"", "member \"state.intercept\" is not a number" },
};

static void
check_bad (Co2sModel *trained, const char *path, const char *value, const char *mentions,
           void (*edit) (JsonObject *root))
{
  g_autoptr(JsonNode) node = test_serialize (trained);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sModel) model = NULL;

  if (edit != NULL)
    edit (json_node_get_object (node));
  else
    mutate (json_node_get_object (node), path, value);
  model = co2s_model_deserialize (json_node_get_object (node), &error);
  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, mentions) == NULL)
    g_error ("%s = %s: message “%s” does not mention “%s”", path, value ? value : "(removed)",
             error->message, mentions);
}

static void
make_asymmetric (JsonObject *root)
{
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (root, "state"), "xx_comoment");
  JsonArray *row0 = json_array_get_array_element (rows, 0);

  json_array_remove_element (row0, 1);
  json_array_add_double_element (row0, 0.0);   /* shifts [0][1…9] left */
}

static void
make_negative_diagonal (JsonObject *root)
{
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (root, "state"), "xx_comoment");
  JsonArray *row3 = json_array_get_array_element (rows, 3);
  JsonNode *e = json_array_get_element (row3, 3);

  json_node_set_double (e, -json_node_get_double (e));
}

static void
make_text_cell (JsonObject *root)
{
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (root, "state"), "xx_comoment");

  json_node_set_string (json_array_get_element (json_array_get_array_element (rows, 3), 4), "1.0");
}

static void
make_short_row (JsonObject *root)
{
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (root, "state"), "xx_comoment");

  json_array_remove_element (json_array_get_array_element (rows, 9), 0);
}

static void
test_deserialize_errors (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);
  g_autoptr(Co2sModel) ls = co2s_model_new (CO2S_ALGO_LS);
  g_autoptr(Co2sModel) sgd = co2s_model_new (CO2S_ALGO_SGD);
  double x[100 * NF], y[100];

  test_make_rows (rand, 100, "DEXZ", x, y);
  co2s_model_learn (ls, x, y, 100);
  co2s_model_learn (sgd, x, y, 100);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];

      check_bad (c->algo == CO2S_ALGO_LS ? ls : sgd, c->path, c->value, c->mentions, NULL);
    }
  check_bad (ls, "state.xx_comoment", "(made asymmetric)", "member \"state.xx_comoment\" is not symmetric",
             make_asymmetric);
  check_bad (ls, "state.xx_comoment", "(negative diagonal)", "member \"state.xx_comoment\" has a negative diagonal",
             make_negative_diagonal);
  check_bad (ls, "state.xx_comoment", "(a text cell)", "member \"state.xx_comoment[3][4]\" is not a number",
             make_text_cell);
  check_bad (ls, "state.xx_comoment", "(a short row)", "member \"state.xx_comoment[9]\" must have 10 elements, not 9",
             make_short_row);
}

static void
test_algo_strings (void)
{
  Co2sAlgo algo = CO2S_ALGO_SGD;

  g_assert_true (co2s_algo_from_string ("ls", &algo));
  g_assert_cmpint (algo, ==, CO2S_ALGO_LS);
  g_assert_true (co2s_algo_from_string ("sgd", &algo));
  g_assert_cmpint (algo, ==, CO2S_ALGO_SGD);
  g_assert_false (co2s_algo_from_string ("LS", &algo));
  g_assert_false (co2s_algo_from_string ("", &algo));
  g_assert_false (co2s_algo_from_string (NULL, &algo));
  g_assert_cmpstr (co2s_algo_to_string (CO2S_ALGO_LS), ==, "ls");
  g_assert_cmpstr (co2s_algo_to_string (CO2S_ALGO_SGD), ==, "sgd");
}

/* A NaN in a batch is a caller bug: refused whole, model untouched. */
static void
test_learn_refuses_non_finite (void)
{
  for (Co2sAlgo algo = CO2S_ALGO_LS; algo <= CO2S_ALGO_SGD; algo++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (31);
      g_autoptr(Co2sModel) model = co2s_model_new (algo);
      double x[20 * NF], y[20], before, after;

      test_make_rows (rand, 20, "XZ", x, y);
      co2s_model_learn (model, x, y, 10);
      before = co2s_model_predict (model, x);
      x[15 * NF + 2] = NAN;
      g_test_expect_message ("co2s-model", G_LOG_LEVEL_CRITICAL, "*NaN or infinite*");
      co2s_model_learn (model, x + 10 * NF, y + 10, 10);
      g_test_assert_expected_messages ();
      after = co2s_model_predict (model, x);
      g_assert_cmpmem (&before, sizeof before, &after, sizeof after);
      g_assert_cmpuint (co2s_model_get_rows_seen (model), ==, 10);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/sgd/matches-scikit-learn", test_sgd_matches_scikit_learn);
  g_test_add_func ("/model/sgd/stable", test_sgd_stable);
  g_test_add_func ("/model/sgd/rare-flag-stays-stable", test_sgd_rare_flag);
  g_test_add_func ("/model/serialize/round-trip", test_serialize_round_trip);
  g_test_add_func ("/model/deserialize/errors", test_deserialize_errors);
  g_test_add_func ("/model/algo-strings", test_algo_strings);
  g_test_add_func ("/model/learn/refuses-non-finite", test_learn_refuses_non_finite);

  return g_test_run ();
}
