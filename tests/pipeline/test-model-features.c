/* test-model-features.c — feature sets and model specifications: the fuel
 * set's expansion and names, "ALGO[:FEATURES]" parsing, per-fuel slopes
 * learned exactly, a fuel type with one row or none, batch-size
 * independence, and model files that name their set. */
#define G_LOG_DOMAIN "test-model-features"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "co2s-feature-set.h"
#include "co2s-model.h"
#include "model-test-data.h"

/* ---- the sets ------------------------------------------------------------ */

static void
test_names (void)
{
  g_assert_cmpuint (co2s_feature_set_get_dim (CO2S_FEATURES_BASE), ==, 10);
  g_assert_cmpuint (co2s_feature_set_get_dim (CO2S_FEATURES_FUEL), ==, CO2S_MAX_FEATURES);
  for (guint i = 0; i < NF; i++)
    {
      g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_BASE, i), ==, co2s_feature_name (i));
      g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_FUEL, i), ==, co2s_feature_name (i));
    }
  g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_FUEL, 10), ==, "Engine_Size*Fuel_Type_D");
  g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_FUEL, 11), ==, "Engine_Size*Fuel_Type_E");
  g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_FUEL, 34), ==, "Fuel_Consumption_Comb*Fuel_Type_Z");

  /* All 35 different. */
  for (guint i = 0; i < CO2S_MAX_FEATURES; i++)
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr (co2s_feature_set_get_name (CO2S_FEATURES_FUEL, i), !=,
                       co2s_feature_set_get_name (CO2S_FEATURES_FUEL, j));
}

static void
test_expand (void)
{
  /* 2.0 L, 4 cylinders, 9.9 / 6.7 / 8.5 L/100 km, fuel X. */
  const double base[NF] = { 2.0, 4, 9.9, 6.7, 8.5, 0, 0, 0, 1, 0 };
  double out[CO2S_MAX_FEATURES];

  co2s_feature_set_expand (CO2S_FEATURES_FUEL, base, out);
  g_assert_cmpmem (out, sizeof base, base, sizeof base);
  for (guint i = 0; i < 5; i++)
    for (guint f = 0; f < 5; f++)
      g_assert_cmpfloat (out[NF + i * 5 + f], ==, f == 3 ? base[i] : 0.0);

  memset (out, 0xff, sizeof out);
  co2s_feature_set_expand (CO2S_FEATURES_BASE, base, out);
  g_assert_cmpmem (out, sizeof base, base, sizeof base);
}

static void
test_spec_parse (void)
{
  static const struct { const char *in; Co2sAlgo algo; Co2sFeatureSet set; const char *name; } good[] = {
    { "ls", CO2S_ALGO_LS, CO2S_FEATURES_BASE, "ls" },
    { "ls:base", CO2S_ALGO_LS, CO2S_FEATURES_BASE, "ls" },
    { "ls:fuel", CO2S_ALGO_LS, CO2S_FEATURES_FUEL, "ls:fuel" },
    { "sgd", CO2S_ALGO_SGD, CO2S_FEATURES_BASE, "sgd" },
    { "sgd:fuel", CO2S_ALGO_SGD, CO2S_FEATURES_FUEL, "sgd:fuel" },
  };
  static const char *const bad[] = { "", "LS", "ls:", "ls:Fuel", "ls:fuel:x", ":fuel", "ls fuel", "gbt", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      Co2sModelSpec spec;
      char name[CO2S_MODEL_SPEC_MAX];

      g_assert_true (co2s_model_spec_parse (good[i].in, &spec, &error));
      g_assert_no_error (error);
      g_assert_cmpint (spec.algo, ==, good[i].algo);
      g_assert_cmpint (spec.features, ==, good[i].set);
      g_assert_cmpstr (co2s_model_spec_to_string (&spec, name), ==, good[i].name);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      Co2sModelSpec spec = { CO2S_ALGO_SGD, CO2S_FEATURES_FUEL };

      g_assert_false (co2s_model_spec_parse (bad[i], &spec, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      /* Says what was given and what is allowed; @spec untouched. */
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_nonnull (strstr (error->message, "ls:fuel"));
      g_assert_cmpint (spec.algo, ==, CO2S_ALGO_SGD);
    }
}

/* --algo's list: in order, canonical names; empty items, the same model
 * twice and unknown models are refused, saying what was given. */
static void
test_spec_parse_list (void)
{
  static const struct { const char *in; guint n; const char *canonical; } good[] = {
    { "ls", 1, "ls" },
    { "ls:fuel,ls,sgd", 3, "ls:fuel,ls,sgd" },
    { "ls:base,sgd:fuel", 2, "ls,sgd:fuel" },
    { "ls,ls:fuel,sgd,sgd:fuel", 4, "ls,ls:fuel,sgd,sgd:fuel" },
  };
  static const struct { const char *in; const char *mentions; } bad[] = {
    { "", "empty model name" },
    { "ls,", "empty model name" },
    { ",ls", "empty model name" },
    { "ls,,sgd", "empty model name" },
    { "ls,ls:base", "names the model ls twice" },
    { "sgd,ls:fuel,sgd", "names the model sgd twice" },
    { "ls, sgd", "“ sgd” is not a model" },
    { "ls,gbt", "“gbt” is not a model" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;
      Co2sModelSpec specs[CO2S_MAX_MODELS];
      guint n = 0;

      g_assert_true (co2s_model_spec_parse_list (good[i].in, specs, &n, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, good[i].n);
      back = co2s_model_spec_list_to_string (specs, n);
      g_assert_cmpstr (back, ==, good[i].canonical);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      Co2sModelSpec specs[CO2S_MAX_MODELS];
      guint n = 99;

      g_assert_false (co2s_model_spec_parse_list (bad[i].in, specs, &n, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_cmpuint (n, ==, 99);
      if (strstr (error->message, bad[i].mentions) == NULL)
        g_error ("%s: message “%s” does not mention “%s”", bad[i].in, error->message, bad[i].mentions);
    }
}

/* ---- learning ------------------------------------------------------------ */

/* Rows whose CO₂ is exactly a per-fuel line in the combined consumption:
 * y = a_f · comb + b_f. */
static void
make_per_fuel_rows (GRand *rand, guint n, const char *fuels, double *x, double *y)
{
  static const double slope[5] = { 26.8, 16.4, 17.6, 23.2, 23.3 };
  static const double offset[5] = { 3.0, -2.0, 0.5, 1.0, 0.0 };

  test_make_rows (rand, n, fuels, x, y);
  for (guint i = 0; i < n; i++)
    {
      const double *row = x + (gsize) i * NF;
      guint f = 0;

      while (row[5 + f] != 1.0)
        f++;
      y[i] = slope[f] * row[4] + offset[f];
    }
}

static double
rmse_of (Co2sModel *model, const double *x, const double *y, guint n)
{
  return test_rmse (model, x, y, n);
}

/* Per-fuel slopes are learned exactly by ls:fuel, not by ls. */
static void
test_ls_fuel_exact (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const Co2sModelSpec base = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };
  const Co2sModelSpec fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) m_base = co2s_model_new_for_spec (&base);
  g_autoptr(Co2sModel) m_fuel = co2s_model_new_for_spec (&fuel);
  guint n = 2000;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);
  double r_base, r_fuel;

  make_per_fuel_rows (rand, n, "DEXZ", x, y);
  co2s_model_learn (m_base, x, y, n);
  co2s_model_learn (m_fuel, x, y, n);
  r_base = rmse_of (m_base, x, y, n);
  r_fuel = rmse_of (m_fuel, x, y, n);
  g_test_message ("RMSE on exact per-fuel lines: ls %.4g, ls:fuel %.4g", r_base, r_fuel);
  g_assert_cmpfloat (r_base, >, 1.0);
  g_assert_cmpfloat (r_fuel, <, 1e-6);
  g_assert_cmpuint (co2s_model_get_n_coefficients (m_fuel), ==, CO2S_MAX_FEATURES);
  g_assert_cmpint (co2s_model_get_feature_set (m_fuel), ==, CO2S_FEATURES_FUEL);
}

/* Batch size does not change what ls:fuel learns (exact statistics). */
static void
test_ls_fuel_batches (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  const Co2sModelSpec fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) whole = co2s_model_new_for_spec (&fuel);
  g_autoptr(Co2sModel) pieces = co2s_model_new_for_spec (&fuel);
  guint n = 1500;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);

  test_make_rows (rand, n, "DENXZ", x, y);
  co2s_model_learn (whole, x, y, n);
  for (guint i = 0; i < n; i += 37)
    co2s_model_learn (pieces, x + (gsize) i * NF, y + i, MIN (37, n - i));
  g_assert_cmpuint (co2s_model_get_rows_seen (pieces), ==, n);
  for (guint i = 0; i < 50; i++)
    assert_close (co2s_model_predict (whole, x + (gsize) i * NF),
                  co2s_model_predict (pieces, x + (gsize) i * NF), 1e-9, 1.0);
}

/* The statistics an ls model keeps (count, means, co-moments), base or
 * fuel set, checked against the same sums over the (expanded) rows in long
 * double, two passes:
 * batches whose rows are one-hot (all five fuel types, one alone, a type
 * with one row: the grouped path of co2s-model-ls.c) and batches holding a
 * row that is not (no flag, two flags, a flag of 0.5: the dense or
 * expanded path), learned in pieces of several sizes. */
static void
check_statistics (Co2sFeatureSet set, const double *x, const double *y, guint n, guint piece)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, set };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&spec);
  const guint d = co2s_feature_set_get_dim (set);
  g_autofree double *e = g_new (double, (gsize) n * d);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *state;
  JsonArray *xx, *xy;
  long double m[CO2S_MAX_FEATURES] = { 0 }, ym = 0;
  double scale = 0.0, xy_scale = 0.0;

  for (guint i = 0; i < n; i += piece)
    co2s_model_learn (model, x + (gsize) i * NF, y + i, MIN (piece, n - i));
  g_assert_cmpuint (co2s_model_get_rows_seen (model), ==, n);

  co2s_feature_set_expand_rows (set, x, n, e);
  for (guint r = 0; r < n; r++)
    {
      for (guint j = 0; j < d; j++)
        m[j] += e[(gsize) r * d + j];
      ym += y[r];
    }
  for (guint j = 0; j < d; j++)
    m[j] /= n;
  ym /= n;

  node = test_serialize (model);
  state = json_object_get_object_member (json_node_get_object (node), "state");
  g_assert_nonnull (state);
  xx = json_object_get_array_member (state, "xx_comoment");
  xy = json_object_get_array_member (state, "xy_comoment");
  /* Co-moments are compared relative to the largest of their kind: one
   * that is 0 (two fuel types' interactions) may come out as rounding. */
  for (guint j = 0; j < d; j++)
    {
      scale = MAX (scale, json_array_get_double_element (json_array_get_array_element (xx, j), j));
      xy_scale = MAX (xy_scale, fabs (json_array_get_double_element (xy, j)));
    }
  for (guint j = 0; j < d; j++)
    {
      long double cy = 0;

      assert_close (json_array_get_double_element (json_object_get_array_member (state, "x_mean"), j),
                    (double) m[j], 1e-13, 1.0);
      for (guint k = 0; k < d; k++)
        {
          long double c = 0;

          for (guint r = 0; r < n; r++)
            c += (e[(gsize) r * d + j] - m[j]) * (e[(gsize) r * d + k] - m[k]);
          assert_close (json_array_get_double_element (json_array_get_array_element (xx, j), k),
                        (double) c, 1e-12, scale);
        }
      for (guint r = 0; r < n; r++)
        cy += (e[(gsize) r * d + j] - m[j]) * (y[r] - ym);
      assert_close (json_array_get_double_element (xy, j), (double) cy, 1e-12, xy_scale);
    }
  assert_close (json_object_get_double_member (state, "y_mean"), (double) ym, 1e-13, 1.0);
}

static void
test_ls_statistics (gconstpointer data)
{
  Co2sFeatureSet set = GPOINTER_TO_INT (data);
  static const guint pieces[] = { 1, 2, 7, 100, 1000 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  guint n = 1000;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);

  for (guint p = 0; p < G_N_ELEMENTS (pieces); p++)
    {
      /* One-hot: every type; one type alone; a type with a single row. */
      test_make_rows (rand, n, "DENXZ", x, y);
      check_statistics (set, x, y, n, pieces[p]);
      test_make_rows (rand, n, "X", x, y);
      check_statistics (set, x, y, n, pieces[p]);
      test_make_rows (rand, n, "DXZ", x, y);
      test_make_rows (rand, 1, "N", x + 500 * NF, y + 500);
      check_statistics (set, x, y, n, pieces[p]);

      /* Not one-hot: rows 3, 40 and 41 of the batch. */
      test_make_rows (rand, n, "DENXZ", x, y);
      memset (x + 3 * NF + 5, 0, 5 * sizeof (double));
      x[40 * NF + 5] = x[40 * NF + 8] = 1.0;
      memset (x + 41 * NF + 5, 0, 5 * sizeof (double));
      x[41 * NF + 7] = 0.5;
      check_statistics (set, x, y, n, pieces[p]);
    }
}

/* One natural-gas row, no ethanol at all: finite everywhere, the lone row
 * fitted, an unseen fuel predicted with finite numbers and its
 * coefficients 0. */
static void
test_ls_fuel_rare_fuels (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const Co2sModelSpec fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&fuel);
  guint n = 600;
  g_autofree double *x = g_new (double, (gsize) (n + 1) * NF);
  g_autofree double *y = g_new (double, n + 1);
  double coef[CO2S_MAX_FEATURES], intercept;
  const double ethanol[NF] = { 3.6, 6, 17.0, 12.0, 14.7, 0, 1, 0, 0, 0 };
  double *lone = x + (gsize) n * NF;

  test_make_rows (rand, n, "DXZ", x, y);
  test_make_rows (rand, 1, "N", lone, y + n);
  co2s_model_learn (model, x, y, n + 1);

  co2s_model_get_coefficients (model, coef, &intercept);
  g_assert_true (isfinite (intercept));
  for (guint j = 0; j < CO2S_MAX_FEATURES; j++)
    g_assert_true (isfinite (coef[j]));
  /* Ethanol (flag 6, interactions 10 + i·5 + 1) never seen: coefficients 0. */
  g_assert_cmpfloat (coef[6], ==, 0.0);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (coef[NF + i * 5 + 1], ==, 0.0);
  g_assert_true (isfinite (co2s_model_predict (model, ethanol)));
  /* The lone natural-gas row has its own intercept: fitted. */
  assert_close (co2s_model_predict (model, lone), y[n], 1e-6, 1.0);
}

static void
test_sgd_fuel_learns (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const Co2sModelSpec spec = { CO2S_ALGO_SGD, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&spec);
  guint n = 5000;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);
  double before, after;

  make_per_fuel_rows (rand, n, "DENXZ", x, y);
  co2s_model_learn (model, x, y, 100);
  before = rmse_of (model, x + 4000 * NF, y + 4000, 1000);
  for (guint i = 100; i < 4000; i += 100)
    co2s_model_learn (model, x + (gsize) i * NF, y + i, 100);
  after = rmse_of (model, x + 4000 * NF, y + 4000, 1000);
  g_test_message ("sgd:fuel held-out RMSE after 100 rows %.3f, after 4,000 %.3f", before, after);
  g_assert_true (isfinite (after));
  g_assert_cmpfloat (after, <, before);
  g_assert_cmpfloat (after, <, 10.0);
}

/* ---- model files --------------------------------------------------------- */

static Co2sModel *
round_trip (Co2sModel *model, GError **error)
{
  g_autoptr(JsonNode) node = test_serialize (model);

  return co2s_model_deserialize (json_node_get_object (node), error);
}

static void
test_serialize_round_trip (void)
{
  const Co2sModelSpec specs[] = {
    { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
    { CO2S_ALGO_SGD, CO2S_FEATURES_FUEL },
    { CO2S_ALGO_LS, CO2S_FEATURES_BASE },
  };

  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (s);
      g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&specs[s]);
      g_autoptr(Co2sModel) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      Co2sModelSpec got;
      guint n = 300;
      g_autofree double *x = g_new (double, (gsize) n * NF);
      g_autofree double *y = g_new (double, n);
      JsonObject *object;

      test_make_rows (rand, n, "DENXZ", x, y);
      co2s_model_learn (model, x, y, 200);
      back = round_trip (model, &error);
      g_assert_no_error (error);
      co2s_model_get_spec (back, &got);
      g_assert_true (co2s_model_spec_equal (&got, &specs[s]));
      /* Predicts bit for bit the same, and goes on learning the same. */
      for (guint i = 0; i < n; i++)
        g_assert_cmpfloat (co2s_model_predict (back, x + (gsize) i * NF), ==,
                           co2s_model_predict (model, x + (gsize) i * NF));
      co2s_model_learn (model, x + 200 * NF, y + 200, 100);
      co2s_model_learn (back, x + 200 * NF, y + 200, 100);
      g_assert_cmpfloat (co2s_model_predict (back, x), ==, co2s_model_predict (model, x));

      node = test_serialize (model);
      object = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (object, "feature_set"), ==,
                       co2s_feature_set_to_string (specs[s].features));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "features")), ==,
                        co2s_feature_set_get_dim (specs[s].features));
    }
}

/* A file from before feature sets (no "feature_set") is a base model; a
 * set that does not match the feature list, or an unknown set, is refused
 * naming the member. */
static void
test_files_old_and_bad (void)
{
  const Co2sModelSpec fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  g_autoptr(Co2sModel) base_model = co2s_model_new (CO2S_ALGO_LS);
  g_autoptr(Co2sModel) fuel_model = co2s_model_new_for_spec (&fuel);
  g_autoptr(JsonNode) old = test_serialize (base_model);
  g_autoptr(JsonNode) lying = test_serialize (base_model);
  g_autoptr(JsonNode) unknown = test_serialize (fuel_model);
  g_autoptr(Co2sModel) back = NULL;
  g_autoptr(GError) error = NULL;

  json_object_remove_member (json_node_get_object (old), "feature_set");
  back = co2s_model_deserialize (json_node_get_object (old), &error);
  g_assert_no_error (error);
  g_assert_cmpint (co2s_model_get_feature_set (back), ==, CO2S_FEATURES_BASE);

  json_object_set_string_member (json_node_get_object (lying), "feature_set", "fuel");
  g_assert_null (co2s_model_deserialize (json_node_get_object (lying), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "features"));
  g_clear_error (&error);

  json_object_set_string_member (json_node_get_object (unknown), "feature_set", "poly");
  g_assert_null (co2s_model_deserialize (json_node_get_object (unknown), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "feature_set"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/features/names", test_names);
  g_test_add_func ("/model/features/expand", test_expand);
  g_test_add_func ("/model/features/spec-parse", test_spec_parse);
  g_test_add_func ("/model/features/spec-parse-list", test_spec_parse_list);
  g_test_add_func ("/model/ls-fuel/exact-per-fuel-slopes", test_ls_fuel_exact);
  g_test_add_func ("/model/ls-fuel/batch-size-independent", test_ls_fuel_batches);
  g_test_add_func ("/model/ls-fuel/rare-fuels", test_ls_fuel_rare_fuels);
  g_test_add_data_func ("/model/ls/statistics-exact", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_ls_statistics);
  g_test_add_data_func ("/model/ls-fuel/statistics-exact", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_ls_statistics);
  g_test_add_func ("/model/sgd-fuel/learns", test_sgd_fuel_learns);
  g_test_add_func ("/model/features/serialize-round-trip", test_serialize_round_trip);
  g_test_add_func ("/model/features/files-old-and-bad", test_files_old_and_bad);

  return g_test_run ();
}
