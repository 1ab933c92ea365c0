/* test-model-merge.c — co2s_model_merge, the building block of
 * partition-parallel learning (issue 13): rows split into 6 partitions as
 * Kafka would (by row index mod 6, or in contiguous blocks), each learned
 * by its own model in batches of 100, then merged in several orders and as
 * a tree, give the coefficients of one model that learned every row in
 * order, within a relative 1e-9 (see MAX_REL_FUEL_EACH); ls:fuel with a fuel type seen in one
 * partition only and one never seen; rows_seen adds up; a model merged
 * with itself equals learning its rows twice; untrained models; saved
 * and read-back states merge bit for bit as the originals;
 * co2s_model_merge_all equals merging one by one; sgd and
 * mismatched models are refused with a message naming them. */
#define G_LOG_DOMAIN "test-model-merge"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-model.h"
#include "co2s-test-util.h"

#include "model-test-data.h"
#include "real-data.h"

#define N_PARTS 6
#define BATCH 100
#define MAX_REL 1e-9

typedef enum {
  SPLIT_INTERLEAVED,          /* row i to partition i mod 6 */
  SPLIT_BLOCKS,               /* six contiguous blocks */
} Split;

typedef struct {
  const char *name;
  double *x;                  /* n × NF */
  double *y;
  guint n;
} DataSet;

/* Coefficient by coefficient, ls:fuel's slopes of the three consumption
 * figures within a fuel type (combined ≈ 0.55 city + 0.45 highway) are so
 * nearly collinear that a few units of rounding in the statistics move
 * them by ~1e-9 relative: the exact solution of the real data set's exact
 * statistics perturbed by random relative errors of 4e-16 moves by up to
 * 1.4e-9, and one model learning every row in order is itself 3e-10 from
 * it in batches of 100, 2.1e-9 in batches of 50, 2.3e-9 in batches of 333
 * (4e-12 to 1.2e-10 as a vector). So
 * the coefficient vector (with the intercept) is held to MAX_REL as a
 * whole, every coefficient of ls to MAX_REL, and every coefficient of
 * ls:fuel to MAX_REL_FUEL_EACH. */
#define MAX_REL_FUEL_EACH 1e-8

/* The largest relative differences seen by any comparison of this run,
 * coefficient by coefficient (per feature set) and of the whole vector. */
static double max_rel_each[2];
static double max_rel_vector;

static void
data_set_clear (DataSet *data)
{
  g_clear_pointer (&data->x, g_free);
  g_clear_pointer (&data->y, g_free);
}

/* The real data set once; FALSE (test failed) when it is missing. */
static gboolean
data_real (DataSet *data)
{
  data->name = "real data set";
  if (!real_data_load (1, &data->x, &data->y, &data->n))
    return FALSE;
  g_assert_cmpuint (data->n, ==, 7385);
  return TRUE;
}

/* 6,000 synthetic rows of fuels D, X and Z, with natural gas (N) on the
 * 167 rows that both splits give to partition 3, and no ethanol (E). */
static void
data_synthetic (DataSet *data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  guint placed = 0;

  data->name = "synthetic";
  data->n = 6000;
  data->x = g_new (double, (gsize) data->n * NF);
  data->y = g_new (double, data->n);
  test_make_rows (rand, data->n, "DXZ", data->x, data->y);
  /* Block 3 is rows 3000…3999; its rows ≡ 3 (mod 6) are interleaved partition 3 too. */
  for (guint i = 3003; i < 4000; i += N_PARTS, placed++)
    test_make_rows (rand, 1, "N", data->x + (gsize) i * NF, data->y + i);
  g_assert_cmpuint (placed, ==, 167);
}

/* Learns rows @rows (indices into @data, @n of them) in batches of 100, in
 * their order. */
static void
learn_rows (Co2sModel *model, const DataSet *data, const guint *rows, guint n)
{
  double bx[BATCH * NF];
  double by[BATCH];

  for (guint start = 0; start < n; start += BATCH)
    {
      guint len = MIN (BATCH, n - start);

      for (guint r = 0; r < len; r++)
        {
          memcpy (bx + r * NF, data->x + (gsize) rows[start + r] * NF, NF * sizeof (double));
          by[r] = data->y[rows[start + r]];
        }
      co2s_model_learn (model, bx, by, len);
    }
}

/* One model per partition of @data, each having learned its rows. */
static void
learn_partitions (const Co2sModelSpec *spec, const DataSet *data, Split split, Co2sModel *parts[N_PARTS])
{
  g_autofree guint *rows = g_new (guint, data->n);

  for (guint p = 0; p < N_PARTS; p++)
    {
      guint n = 0;

      if (split == SPLIT_INTERLEAVED)
        for (guint i = p; i < data->n; i += N_PARTS)
          rows[n++] = i;
      else
        for (guint i = p * data->n / N_PARTS; i < (p + 1) * data->n / N_PARTS; i++)
          rows[n++] = i;
      parts[p] = co2s_model_new_for_spec (spec);
      learn_rows (parts[p], data, rows, n);
    }
}

/* One model that learned every row of @data in order, @times times. */
static Co2sModel *
learn_all (const Co2sModelSpec *spec, const DataSet *data, guint times)
{
  Co2sModel *model = co2s_model_new_for_spec (spec);
  g_autofree guint *rows = g_new (guint, data->n);

  for (guint i = 0; i < data->n; i++)
    rows[i] = i;
  for (guint t = 0; t < times; t++)
    learn_rows (model, data, rows, data->n);
  return model;
}

static void
merge_ok (Co2sModel *into, Co2sModel *from)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (co2s_model_merge (into, from, &error));
  g_assert_no_error (error);
}

static double
rel_diff (double a, double b)
{
  double m = MAX (fabs (a), fabs (b));

  return m == 0.0 ? 0.0 : fabs (a - b) / m;
}

/* Checks that @got has @want's rows, its coefficients and intercept
 * within a relative MAX_REL as a vector and each within MAX_REL (ls) or
 * MAX_REL_FUEL_EACH (ls:fuel), a coefficient that is 0 in one being 0 in
 * the other, and that it predicts every row of @data alike. */
static void
assert_same_model (Co2sModel *got, Co2sModel *want, const DataSet *data, const char *what)
{
  Co2sFeatureSet set = co2s_model_get_feature_set (want);
  double each_limit = set == CO2S_FEATURES_BASE ? MAX_REL : MAX_REL_FUEL_EACH;
  double cg[CO2S_MAX_FEATURES + 1], cw[CO2S_MAX_FEATURES + 1];
  guint d = co2s_model_get_n_coefficients (want);
  double worst = 0.0, diff2 = 0.0, norm2 = 0.0, vector;
  guint worst_at = 0;

  g_assert_cmpuint (co2s_model_get_n_coefficients (got), ==, d);
  g_assert_cmpuint (co2s_model_get_rows_seen (got), ==, co2s_model_get_rows_seen (want));
  co2s_model_get_coefficients (got, cg, &cg[d]);
  co2s_model_get_coefficients (want, cw, &cw[d]);
  for (guint j = 0; j <= d; j++)
    {
      double r = rel_diff (cg[j], cw[j]);

      if (!(r <= each_limit) || ((cg[j] == 0.0) != (cw[j] == 0.0)))
        g_error ("%s: %s is %.17g merged and %.17g learned in one model: relative difference %.3g > %g",
                 what, j < d ? co2s_feature_set_get_name (set, j) : "the intercept", cg[j], cw[j], r, each_limit);
      if (r > worst)
        {
          worst = r;
          worst_at = j;
        }
      diff2 += (cg[j] - cw[j]) * (cg[j] - cw[j]);
      norm2 += cw[j] * cw[j];
    }
  vector = norm2 > 0 ? sqrt (diff2 / norm2) : sqrt (diff2);
  if (!(vector <= MAX_REL))
    g_error ("%s: the coefficients and intercept differ from those learned in one model by %.3g relative > %g",
             what, vector, MAX_REL);
  for (guint i = 0; i < data->n; i++)
    assert_close (co2s_model_predict (got, data->x + (gsize) i * NF),
                  co2s_model_predict (want, data->x + (gsize) i * NF), MAX_REL, 1.0);
  g_test_message ("%s: relative difference %.3g as a vector, at most %.3g for one coefficient (%s)", what,
                  vector, worst, worst_at < d ? co2s_feature_set_get_name (set, worst_at) : "intercept");
  max_rel_each[set] = MAX (max_rel_each[set], worst);
  max_rel_vector = MAX (max_rel_vector, vector);
}

static void
report_max (void)
{
  g_test_message ("largest relative difference so far: %.3g as a vector (limit %g); for one coefficient "
                  "%.3g in ls (limit %g), %.3g in ls:fuel (limit %g)", max_rel_vector, MAX_REL,
                  max_rel_each[CO2S_FEATURES_BASE], MAX_REL, max_rel_each[CO2S_FEATURES_FUEL], MAX_REL_FUEL_EACH);
}

/* The partitions merged into a fresh model in @order. */
static Co2sModel *
merge_in_order (const Co2sModelSpec *spec, Co2sModel *parts[N_PARTS], const guint order[N_PARTS])
{
  Co2sModel *merged = co2s_model_new_for_spec (spec);

  for (guint k = 0; k < N_PARTS; k++)
    merge_ok (merged, parts[order[k]]);
  return merged;
}

/* ((0+1) + (2+3)) + (4+5), each inner node a fresh model. */
static Co2sModel *
merge_tree (const Co2sModelSpec *spec, Co2sModel *parts[N_PARTS])
{
  Co2sModel *pairs[N_PARTS / 2];
  Co2sModel *root;

  for (guint k = 0; k < N_PARTS / 2; k++)
    {
      pairs[k] = co2s_model_new_for_spec (spec);
      merge_ok (pairs[k], parts[2 * k]);
      merge_ok (pairs[k], parts[2 * k + 1]);
    }
  merge_ok (pairs[0], pairs[1]);
  merge_ok (pairs[0], pairs[2]);
  root = g_object_ref (pairs[0]);
  for (guint k = 0; k < N_PARTS / 2; k++)
    g_object_unref (pairs[k]);
  return root;
}

/* Every split and merge order of @data against one model of all rows. */
static void
check_partitions (const Co2sModelSpec *spec, const DataSet *data)
{
  static const guint orders[][N_PARTS] = {
    { 0, 1, 2, 3, 4, 5 },
    { 5, 4, 3, 2, 1, 0 },
    { 3, 0, 5, 1, 4, 2 },
  };
  static const char *const split_names[] = { "mod 6", "blocks" };
  g_autoptr(Co2sModel) whole = learn_all (spec, data, 1);
  char name[CO2S_MODEL_SPEC_MAX];

  co2s_model_spec_to_string (spec, name);
  for (Split split = SPLIT_INTERLEAVED; split <= SPLIT_BLOCKS; split++)
    {
      Co2sModel *parts[N_PARTS];
      guint64 sum = 0;

      learn_partitions (spec, data, split, parts);
      for (guint p = 0; p < N_PARTS; p++)
        sum += co2s_model_get_rows_seen (parts[p]);
      g_assert_cmpuint (sum, ==, data->n);

      for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
        {
          g_autoptr(Co2sModel) merged = merge_in_order (spec, parts, orders[o]);
          g_autofree char *what = g_strdup_printf ("%s, %s, %s, order %u%u%u%u%u%u", name, data->name,
                                                   split_names[split], orders[o][0], orders[o][1],
                                                   orders[o][2], orders[o][3], orders[o][4], orders[o][5]);

          g_assert_cmpuint (co2s_model_get_rows_seen (merged), ==, data->n);
          assert_same_model (merged, whole, data, what);
        }

      {
        g_autoptr(Co2sModel) tree = merge_tree (spec, parts);
        g_autofree char *what = g_strdup_printf ("%s, %s, %s, tree", name, data->name, split_names[split]);

        assert_same_model (tree, whole, data, what);
      }

      /* Merging into partition 0 itself (no fresh model): the same. */
      for (guint p = 1; p < N_PARTS; p++)
        merge_ok (parts[0], parts[p]);
      {
        g_autofree char *what = g_strdup_printf ("%s, %s, %s, into partition 0", name, data->name,
                                                 split_names[split]);

        assert_same_model (parts[0], whole, data, what);
      }
      for (guint p = 0; p < N_PARTS; p++)
        g_object_unref (parts[p]);
    }
}

static void
test_real_data (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };

  if (!data_real (&data))
    return;
  check_partitions (&spec, &data);
  report_max ();
  data_set_clear (&data);
}

static void
test_synthetic (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };

  data_synthetic (&data);
  check_partitions (&spec, &data);
  report_max ();
  data_set_clear (&data);
}

/* ls:fuel: natural gas only in partition 3, ethanol nowhere. The merged
 * model has the lone partition's natural-gas slopes (not 0, as they are
 * in the other partitions' models) and ethanol's coefficients stay 0. */
static void
test_fuel_rare (void)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  DataSet data = { 0 };
  Co2sModel *parts[N_PARTS];
  g_autoptr(Co2sModel) merged = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) whole = NULL;
  double cm[CO2S_MAX_FEATURES], cp[CO2S_MAX_FEATURES];

  data_synthetic (&data);
  whole = learn_all (&spec, &data, 1);
  learn_partitions (&spec, &data, SPLIT_INTERLEAVED, parts);
  co2s_model_get_coefficients (parts[0], cp, NULL);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (cp[NF + i * 5 + 2], ==, 0.0);   /* no natural gas in partition 0 */
  for (guint p = 0; p < N_PARTS; p++)
    merge_ok (merged, parts[p]);
  assert_same_model (merged, whole, &data, "ls:fuel, natural gas in partition 3 only");

  co2s_model_get_coefficients (merged, cm, NULL);
  g_assert_cmpfloat (cm[6], ==, 0.0);                   /* ethanol flag */
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpfloat (cm[NF + i * 5 + 1], ==, 0.0);  /* ethanol slopes */
      g_assert_true (isfinite (cm[NF + i * 5 + 2]));
    }
  /* Natural gas learned: its flag or a slope is not 0. */
  g_assert_true (cm[7] != 0.0 || cm[NF + 4 * 5 + 2] != 0.0);

  for (guint p = 0; p < N_PARTS; p++)
    g_object_unref (parts[p]);
  data_set_clear (&data);
}

/* A model merged with itself is the model that learned its rows twice;
 * once more, four times. */
static void
test_self_merge (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };
  g_autoptr(Co2sModel) model = NULL;
  g_autoptr(Co2sModel) twice = NULL;
  g_autoptr(Co2sModel) four = NULL;
  double extra_y[500];

  data_synthetic (&data);
  model = learn_all (&spec, &data, 1);
  twice = learn_all (&spec, &data, 2);
  four = learn_all (&spec, &data, 4);

  merge_ok (model, model);
  g_assert_cmpuint (co2s_model_get_rows_seen (model), ==, 2 * data.n);
  assert_same_model (model, twice, &data, "merged with itself");
  merge_ok (model, model);
  g_assert_cmpuint (co2s_model_get_rows_seen (model), ==, 4 * data.n);
  assert_same_model (model, four, &data, "merged with itself twice");

  /* Doubled statistics give the same coefficients; their weight shows
   * once other rows follow: 500 rows of another relation (1.5 y). */
  for (guint i = 0; i < 500; i++)
    extra_y[i] = 1.5 * data.y[i];
  for (guint i = 0; i < 500; i += BATCH)
    {
      co2s_model_learn (model, data.x + (gsize) i * NF, extra_y + i, BATCH);
      co2s_model_learn (four, data.x + (gsize) i * NF, extra_y + i, BATCH);
    }
  assert_same_model (model, four, &data, "merged with itself twice, then 500 other rows");
  data_set_clear (&data);
}

/* Bit for bit: coefficients, intercept, rows. */
static void
assert_identical (Co2sModel *a, Co2sModel *b)
{
  double ca[CO2S_MAX_FEATURES], cb[CO2S_MAX_FEATURES], ia, ib;
  guint d = co2s_model_get_n_coefficients (a);

  co2s_model_get_coefficients (a, ca, &ia);
  co2s_model_get_coefficients (b, cb, &ib);
  g_assert_cmpuint (co2s_model_get_rows_seen (a), ==, co2s_model_get_rows_seen (b));
  g_assert_cmpmem (ca, d * sizeof (double), cb, d * sizeof (double));
  g_assert_cmpfloat (ia, ==, ib);
}

/* co2s_model_merge_all refused with @code; @self unchanged. */
static void
assert_refused_all (Co2sModel *self, Co2sModel *const *others, guint n, int code)
{
  g_autoptr(GError) error = NULL;
  double coef[CO2S_MAX_FEATURES], coef2[CO2S_MAX_FEATURES], intercept, intercept2;
  guint64 rows = co2s_model_get_rows_seen (self);
  guint d = co2s_model_get_n_coefficients (self);

  co2s_model_get_coefficients (self, coef, &intercept);
  g_assert_false (co2s_model_merge_all (self, others, n, &error));
  g_assert_error (error, G_IO_ERROR, code);
  g_test_message ("merge_all refused: %s", error->message);
  co2s_model_get_coefficients (self, coef2, &intercept2);
  g_assert_cmpuint (co2s_model_get_rows_seen (self), ==, rows);
  g_assert_cmpmem (coef, d * sizeof (double), coef2, d * sizeof (double));
  g_assert_cmpfloat (intercept, ==, intercept2);
}

/* An untrained @other changes nothing; an untrained @self becomes a copy
 * that goes on learning exactly as the original. */
static void
test_empty (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };
  g_autoptr(Co2sModel) model = NULL;
  g_autoptr(Co2sModel) before = NULL;
  g_autoptr(Co2sModel) empty = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) empty2 = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) copy = co2s_model_new_for_spec (&spec);

  data_synthetic (&data);
  model = learn_all (&spec, &data, 1);
  before = learn_all (&spec, &data, 1);

  merge_ok (model, empty);
  assert_identical (model, before);

  merge_ok (empty, empty2);
  g_assert_cmpuint (co2s_model_get_rows_seen (empty), ==, 0);
  g_assert_cmpfloat (co2s_model_predict (empty, data.x), ==, 0.0);

  merge_ok (copy, model);
  assert_identical (copy, model);
  co2s_model_learn (copy, data.x, data.y, BATCH);
  co2s_model_learn (model, data.x, data.y, BATCH);
  assert_identical (copy, model);
  data_set_clear (&data);
}

/* Partition states saved and read back (as a trainer would keep them in a
 * state topic) merge bit for bit as the originals, and the merged model
 * saves and reads back too. */
static void
test_saved_states (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };
  Co2sModel *parts[N_PARTS];
  g_autoptr(Co2sModel) merged = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) from_saved = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  data_synthetic (&data);
  learn_partitions (&spec, &data, SPLIT_INTERLEAVED, parts);
  for (guint p = 0; p < N_PARTS; p++)
    {
      g_autoptr(JsonNode) saved = test_serialize (parts[p]);
      g_autoptr(Co2sModel) read = co2s_model_deserialize (json_node_get_object (saved), &error);

      g_assert_no_error (error);
      merge_ok (merged, parts[p]);
      merge_ok (from_saved, read);
    }
  assert_identical (from_saved, merged);

  node = test_serialize (merged);
  back = co2s_model_deserialize (json_node_get_object (node), &error);
  g_assert_no_error (error);
  assert_identical (back, merged);
  merge_ok (back, parts[0]);
  merge_ok (merged, parts[0]);
  assert_identical (back, merged);

  for (guint p = 0; p < N_PARTS; p++)
    g_object_unref (parts[p]);
  data_set_clear (&data);
}

/* co2s_model_merge_all: one solve for many models, bit for bit the
 * models merged one by one; untrained ones skipped; refused as a whole. */
static void
test_merge_all (gconstpointer features)
{
  const Co2sModelSpec spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) };
  const Co2sModelSpec other_spec = { CO2S_ALGO_LS, GPOINTER_TO_INT (features) == CO2S_FEATURES_BASE
                                                      ? CO2S_FEATURES_FUEL : CO2S_FEATURES_BASE };
  const Co2sModelSpec sgd_spec = { CO2S_ALGO_SGD, GPOINTER_TO_INT (features) };
  DataSet data = { 0 };
  Co2sModel *parts[N_PARTS];
  Co2sModel *with_empty[N_PARTS + 2];
  g_autoptr(Co2sModel) one_by_one = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) all = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) all_empty = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) into_part = NULL;
  g_autoptr(Co2sModel) whole = NULL;
  g_autoptr(Co2sModel) empty = co2s_model_new_for_spec (&spec);
  g_autoptr(Co2sModel) other = co2s_model_new_for_spec (&other_spec);
  g_autoptr(Co2sModel) sgd = co2s_model_new_for_spec (&sgd_spec);
  g_autoptr(GError) error = NULL;

  data_synthetic (&data);
  whole = learn_all (&spec, &data, 1);
  learn_partitions (&spec, &data, SPLIT_BLOCKS, parts);
  for (guint p = 0; p < N_PARTS; p++)
    merge_ok (one_by_one, parts[p]);
  g_assert_true (co2s_model_merge_all (all, parts, N_PARTS, &error));
  g_assert_no_error (error);
  assert_identical (all, one_by_one);
  assert_same_model (all, whole, &data, "merge_all of 6 partitions");

  /* Untrained models anywhere, the first one included: skipped. */
  with_empty[0] = empty;
  memcpy (with_empty + 1, parts, 3 * sizeof (Co2sModel *));
  with_empty[4] = empty;
  memcpy (with_empty + 5, parts + 3, 3 * sizeof (Co2sModel *));
  g_assert_true (co2s_model_merge_all (all_empty, with_empty, N_PARTS + 2, &error));
  g_assert_no_error (error);
  assert_identical (all_empty, one_by_one);

  /* Into a trained model; none at all changes nothing. */
  into_part = co2s_model_new_for_spec (&spec);
  merge_ok (into_part, parts[0]);
  g_assert_true (co2s_model_merge_all (into_part, parts + 1, N_PARTS - 1, &error));
  g_assert_true (co2s_model_merge_all (into_part, NULL, 0, &error));
  g_assert_no_error (error);
  assert_identical (into_part, one_by_one);

  /* One model refused among them: nothing merged. */
  with_empty[4] = other;
  assert_refused_all (all, with_empty, N_PARTS + 2, G_IO_ERROR_INVALID_ARGUMENT);
  with_empty[4] = sgd;
  assert_refused_all (all, with_empty, N_PARTS + 2, G_IO_ERROR_INVALID_ARGUMENT);
  assert_identical (all, one_by_one);

  for (guint p = 0; p < N_PARTS; p++)
    g_object_unref (parts[p]);
  data_set_clear (&data);
}

/* Refused: @other into @self, with @code and a message holding @words;
 * @self unchanged. */
static void
assert_refused (Co2sModel *self, Co2sModel *other, int code, const char *const *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sModel) before = NULL;
  double coef[CO2S_MAX_FEATURES], intercept;
  double coef2[CO2S_MAX_FEATURES], intercept2;
  guint64 rows = co2s_model_get_rows_seen (self);
  guint d = co2s_model_get_n_coefficients (self);

  co2s_model_get_coefficients (self, coef, &intercept);
  g_assert_false (co2s_model_merge (self, other, &error));
  g_assert_error (error, G_IO_ERROR, code);
  g_test_message ("refused: %s", error->message);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("the message “%s” does not say “%s”", error->message, words[i]);
  co2s_model_get_coefficients (self, coef2, &intercept2);
  g_assert_cmpuint (co2s_model_get_rows_seen (self), ==, rows);
  g_assert_cmpmem (coef, d * sizeof (double), coef2, d * sizeof (double));
  g_assert_cmpfloat (intercept, ==, intercept2);
}

static void
test_refused (void)
{
  static const Co2sModelSpec ls = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };
  static const Co2sModelSpec ls_fuel = { CO2S_ALGO_LS, CO2S_FEATURES_FUEL };
  static const Co2sModelSpec sgd = { CO2S_ALGO_SGD, CO2S_FEATURES_BASE };
  static const Co2sModelSpec sgd_fuel = { CO2S_ALGO_SGD, CO2S_FEATURES_FUEL };
  DataSet data = { 0 };
  g_autoptr(Co2sModel) a = NULL;
  g_autoptr(Co2sModel) b = NULL;
  g_autoptr(Co2sModel) c = NULL;
  g_autoptr(Co2sModel) d = NULL;
  g_autoptr(Co2sModel) e = NULL;
  g_autoptr(Co2sModel) f = NULL;
  g_autoptr(Co2sModel) empty_sgd = co2s_model_new_for_spec (&sgd);

  data_synthetic (&data);
  a = learn_all (&ls, &data, 1);
  b = learn_all (&ls_fuel, &data, 1);
  c = learn_all (&sgd, &data, 1);
  d = learn_all (&sgd, &data, 1);
  e = learn_all (&sgd_fuel, &data, 1);
  f = learn_all (&sgd_fuel, &data, 1);

  /* Different models: both named, the one merged first. */
  assert_refused (a, b, G_IO_ERROR_INVALID_ARGUMENT,
                  (const char *const[]) { "cannot merge the ls:fuel model into the ls model", "feature set", NULL });
  assert_refused (b, a, G_IO_ERROR_INVALID_ARGUMENT,
                  (const char *const[]) { "cannot merge the ls model into the ls:fuel model", NULL });
  assert_refused (a, c, G_IO_ERROR_INVALID_ARGUMENT,
                  (const char *const[]) { "the sgd model into the ls model", "algorithm", NULL });
  assert_refused (e, b, G_IO_ERROR_INVALID_ARGUMENT,
                  (const char *const[]) { "the ls:fuel model into the sgd:fuel model", NULL });
  /* sgd: never, not even into an untrained model or with itself. */
  assert_refused (c, d, G_IO_ERROR_NOT_SUPPORTED,
                  (const char *const[]) { "cannot merge sgd models", "order of the rows", "average",
                                          "ls or ls:fuel", NULL });
  assert_refused (e, f, G_IO_ERROR_NOT_SUPPORTED, (const char *const[]) { "cannot merge sgd:fuel models", NULL });
  assert_refused (empty_sgd, c, G_IO_ERROR_NOT_SUPPORTED, (const char *const[]) { "sgd", NULL });
  assert_refused (c, c, G_IO_ERROR_NOT_SUPPORTED, (const char *const[]) { "sgd", NULL });
  data_set_clear (&data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/model/merge/ls/real-data", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_real_data);
  g_test_add_data_func ("/model/merge/ls-fuel/real-data", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_real_data);
  g_test_add_data_func ("/model/merge/ls/synthetic", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_synthetic);
  g_test_add_data_func ("/model/merge/ls-fuel/synthetic", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_synthetic);
  g_test_add_func ("/model/merge/ls-fuel/rare-fuels", test_fuel_rare);
  g_test_add_data_func ("/model/merge/ls/self", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_self_merge);
  g_test_add_data_func ("/model/merge/ls-fuel/self", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_self_merge);
  g_test_add_data_func ("/model/merge/ls/empty", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_empty);
  g_test_add_data_func ("/model/merge/ls-fuel/empty", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_empty);
  g_test_add_data_func ("/model/merge/ls/saved-states", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_saved_states);
  g_test_add_data_func ("/model/merge/ls-fuel/saved-states", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_saved_states);
  g_test_add_data_func ("/model/merge/ls/merge-all", GINT_TO_POINTER (CO2S_FEATURES_BASE), test_merge_all);
  g_test_add_data_func ("/model/merge/ls-fuel/merge-all", GINT_TO_POINTER (CO2S_FEATURES_FUEL), test_merge_all);
  g_test_add_func ("/model/merge/refused", test_refused);

  return g_test_run ();
}
