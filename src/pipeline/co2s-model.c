/* co2s-model.c — the online regression model: one GObject for every
 * algorithm, which checks, counts, predicts and saves what they share and
 * hands the rest to the algorithm (co2s-model-private.h): least squares in
 * co2s-model-ls.c, scikit-learn-compatible SGD in co2s-model-sgd.c. */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-model.h"
#include "co2s-model-private.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-vec2.h"

enum {
  PROP_0,
  PROP_ALGO,
  PROP_FEATURES,
  PROP_ROWS_SEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (Co2sModel, co2s_model, G_TYPE_OBJECT)

/* Indexed by Co2sAlgo. */
static const Co2sModelAlgorithm *const algorithms[] = {
  [CO2S_ALGO_LS] = &_co2s_model_ls,
  [CO2S_ALGO_SGD] = &_co2s_model_sgd,
};

static gboolean
batch_is_finite (const double *x, const double *y, guint n)
{
  double col[NF] = { 0 };
  double sum = 0.0;

  /* v·0 is ±0 for a finite v and NaN for a NaN or an infinity, and a NaN
   * poisons any sum it enters: one sum per column (elementwise across the
   * rows, which the compiler vectorizes), then theirs. Only whether the
   * total is 0 matters, so the order of the sums is free. */
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < NF; j++)
      col[j] += x[(gsize) i * NF + j] * 0.0;
  for (guint i = 0; i < n; i++)
    sum += y[i] * 0.0;
  for (guint j = 0; j < NF; j++)
    sum += col[j];
  return sum == 0.0;
}

const double *
_co2s_model_expand_rows (Co2sModel *self, const double *x, guint n)
{
  if (self->features == CO2S_FEATURES_BASE)
    return x;
  if (self->expanded_rows < n)
    {
      g_free (self->expanded);
      self->expanded = g_new (double, (gsize) n * self->dim);
      self->expanded_rows = n;
    }
  co2s_feature_set_expand_rows (self->features, x, n, self->expanded);
  return self->expanded;
}

/* The fuel set's layout (co2s-feature-set.h): five numeric inputs, five
 * fuel flags, then their products, numeric input major. */
#define N_NUMERIC 5
#define N_FUEL 5
G_STATIC_ASSERT (MAXF == NF + N_NUMERIC * N_FUEL);

/* Rows co2s_model_predict_rows sums side by side. */
#define PREDICT_ROWS 4

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
co2s_model_constructed (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  G_OBJECT_CLASS (co2s_model_parent_class)->constructed (object);

  g_assert ((guint) self->algo < G_N_ELEMENTS (algorithms));
  self->algorithm = algorithms[self->algo];
  self->dim = co2s_feature_set_get_dim (self->features);
  self->state = g_malloc0 (self->algorithm->state_size);
  if (self->algorithm->init != NULL)
    self->algorithm->init (self);
}

static void
co2s_model_finalize (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->expanded, g_free);

  G_OBJECT_CLASS (co2s_model_parent_class)->finalize (object);
}

static void
co2s_model_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  Co2sModel *self = CO2S_MODEL (object);

  switch (prop_id)
    {
    case PROP_ALGO:
      g_value_set_int (value, self->algo);
      break;

    case PROP_FEATURES:
      g_value_set_int (value, self->features);
      break;

    case PROP_ROWS_SEEN:
      g_value_set_uint64 (value, self->rows_seen);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_model_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  Co2sModel *self = CO2S_MODEL (object);

  switch (prop_id)
    {
    case PROP_ALGO:
      self->algo = g_value_get_int (value);
      break;

    case PROP_FEATURES:
      self->features = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_model_class_init (Co2sModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = co2s_model_constructed;
  object_class->finalize = co2s_model_finalize;
  object_class->get_property = co2s_model_get_property;
  object_class->set_property = co2s_model_set_property;

  properties[PROP_ALGO] =
    g_param_spec_int ("algo", NULL, NULL,
                      CO2S_ALGO_LS, CO2S_ALGO_SGD, CO2S_ALGO_LS,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FEATURES] =
    g_param_spec_int ("features", NULL, NULL,
                      CO2S_FEATURES_BASE, CO2S_FEATURES_FUEL, CO2S_FEATURES_BASE,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Not notified on every learn(): read it when needed. */
  properties[PROP_ROWS_SEEN] =
    g_param_spec_uint64 ("rows-seen", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_model_init (Co2sModel *self)
{
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

const char *
co2s_algo_to_string (Co2sAlgo algo)
{
  if ((guint) algo < G_N_ELEMENTS (algorithms))
    return algorithms[algo]->name;
  return "unknown";
}

gboolean
co2s_algo_from_string (const char *str, Co2sAlgo *algo)
{
  g_return_val_if_fail (algo != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_strcmp0 (str, algorithms[i]->name) == 0)
      {
        *algo = (Co2sAlgo) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
co2s_model_spec_parse (const char *str, Co2sModelSpec *out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parts = g_strsplit (str != NULL ? str : "", ":", 3);
  if (parts[0] == NULL || !co2s_algo_from_string (parts[0], &spec.algo) ||
      (parts[1] != NULL && (!co2s_feature_set_from_string (parts[1], &spec.features) || parts[2] != NULL)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a model: use ALGO[:FEATURES], ALGO ls or sgd, FEATURES base "
                     "(the default) or fuel, e.g. ls:fuel"),
                   str != NULL ? str : "");
      return FALSE;
    }
  *out = spec;
  return TRUE;
}

const char *
co2s_model_spec_to_string (const Co2sModelSpec *spec, char buf[CO2S_MODEL_SPEC_MAX])
{
  g_return_val_if_fail (spec != NULL && buf != NULL, NULL);

  if (spec->features == CO2S_FEATURES_BASE)
    g_strlcpy (buf, co2s_algo_to_string (spec->algo), CO2S_MODEL_SPEC_MAX);
  else
    g_snprintf (buf, CO2S_MODEL_SPEC_MAX, "%s:%s", co2s_algo_to_string (spec->algo),
                co2s_feature_set_to_string (spec->features));
  return buf;
}

gboolean
co2s_model_spec_equal (const Co2sModelSpec *a, const Co2sModelSpec *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->algo == b->algo && a->features == b->features;
}

gboolean
co2s_model_spec_parse_list (const char *str,
                            Co2sModelSpec out[CO2S_MAX_MODELS],
                            guint *n_out,
                            GError **error)
{
  g_auto(GStrv) items = NULL;
  Co2sModelSpec specs[CO2S_MAX_MODELS];
  guint n = 0;

  g_return_val_if_fail (out != NULL && n_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  items = g_strsplit (str != NULL ? str : "", ",", -1);
  for (guint i = 0; items[i] != NULL || i == 0; i++)
    {
      Co2sModelSpec spec;

      if (items[i] == NULL || items[i][0] == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” has an empty model name: list models with commas and no spaces, "
                         "e.g. ls,ls:fuel,sgd"), str != NULL ? str : "");
          return FALSE;
        }
      if (!co2s_model_spec_parse (items[i], &spec, error))
        return FALSE;
      for (guint k = 0; k < n; k++)
        if (co2s_model_spec_equal (&specs[k], &spec))
          {
            char name[CO2S_MODEL_SPEC_MAX];

            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("“%s” names the model %s twice"), str, co2s_model_spec_to_string (&spec, name));
            return FALSE;
          }
      if (n == CO2S_MAX_MODELS)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” has more than %d models"), str, CO2S_MAX_MODELS);
          return FALSE;
        }
      specs[n++] = spec;
    }
  memcpy (out, specs, n * sizeof *specs);
  *n_out = n;
  return TRUE;
}

char *
co2s_model_spec_list_to_string (const Co2sModelSpec *specs, guint n)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (specs != NULL && n > 0, NULL);

  for (guint i = 0; i < n; i++)
    {
      char name[CO2S_MODEL_SPEC_MAX];

      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, co2s_model_spec_to_string (&specs[i], name));
    }
  return g_string_free (s, FALSE);
}

Co2sModel *
co2s_model_new (Co2sAlgo algo)
{
  g_return_val_if_fail (algo == CO2S_ALGO_LS || algo == CO2S_ALGO_SGD, NULL);

  return g_object_new (CO2S_TYPE_MODEL, "algo", (int) algo, NULL);
}

Co2sModel *
co2s_model_new_for_spec (const Co2sModelSpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->algo == CO2S_ALGO_LS || spec->algo == CO2S_ALGO_SGD, NULL);
  g_return_val_if_fail (spec->features == CO2S_FEATURES_BASE || spec->features == CO2S_FEATURES_FUEL, NULL);

  return g_object_new (CO2S_TYPE_MODEL, "algo", (int) spec->algo, "features", (int) spec->features, NULL);
}

Co2sAlgo
co2s_model_get_algo (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), CO2S_ALGO_LS);
  return self->algo;
}

Co2sFeatureSet
co2s_model_get_feature_set (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), CO2S_FEATURES_BASE);
  return self->features;
}

void
co2s_model_get_spec (Co2sModel *self, Co2sModelSpec *out)
{
  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (out != NULL);

  out->algo = self->algo;
  out->features = self->features;
}

guint
co2s_model_get_n_coefficients (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), 0);
  return self->dim;
}

guint64
co2s_model_get_rows_seen (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), 0);
  return self->rows_seen;
}

guint64
co2s_model_get_steps_capped (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), 0);
  return self->algorithm->get_steps_capped != NULL ? self->algorithm->get_steps_capped (self) : 0;
}

double
co2s_model_predict (Co2sModel *self, const double x[CO2S_N_FEATURES])
{
  double expanded[MAXF];
  const double *v = x;
  double p;

  g_return_val_if_fail (CO2S_IS_MODEL (self), NAN);
  g_return_val_if_fail (x != NULL, NAN);

  if (self->features != CO2S_FEATURES_BASE)
    {
      co2s_feature_set_expand (self->features, x, expanded);
      v = expanded;
    }
  p = self->intercept;
  for (guint j = 0; j < self->dim; j++)
    p += self->coef[j] * v[j];
  return p;
}

/* Predictions of @rows (a constant once inlined) rows of @x into @pred:
 * each row's sum in co2s_model_predict's order (intercept, then feature by
 * feature, an interaction being the product co2s_feature_set_expand makes:
 * numeric input i times fuel flag f at CO2S_N_FEATURES + 5·i + f), the
 * rows side by side, so that their sums do not wait on each other. */
static G_ALWAYS_INLINE inline void
predict_block (const Co2sModel *self, const double *x, double *pred, const guint rows)
{
  double p[PREDICT_ROWS];

  for (guint r = 0; r < rows; r++)
    p[r] = self->intercept;
  for (guint j = 0; j < NF; j++)
    {
      double c = self->coef[j];

      for (guint r = 0; r < rows; r++)
        p[r] += c * x[(gsize) r * NF + j];
    }
  if (self->features == CO2S_FEATURES_FUEL)
    for (guint i = 0; i < N_NUMERIC; i++)
      for (guint f = 0; f < N_FUEL; f++)
        {
          double c = self->coef[NF + i * N_FUEL + f];

          for (guint r = 0; r < rows; r++)
            {
              double v = x[(gsize) r * NF + i] * x[(gsize) r * NF + N_NUMERIC + f];

              p[r] += c * v;
            }
        }
  for (guint r = 0; r < rows; r++)
    pred[r] = p[r];
}

/* Feature j of rows 0 and 1 of @x. */
static G_ALWAYS_INLINE inline Co2sV2
pair (const double *x, guint j)
{
  return (Co2sV2) { x[j], x[NF + j] };
}

/* predict_block for 4 rows, the sums held in two vectors of two rows each. */
static G_ALWAYS_INLINE inline void
predict_block4 (const Co2sModel *self, const double *x, double *pred)
{
  const double *x2 = x + 2 * NF;
  Co2sV2 p01 = { self->intercept, self->intercept };
  Co2sV2 p23 = p01;

  for (guint j = 0; j < NF; j++)
    {
      Co2sV2 c = { self->coef[j], self->coef[j] };

      p01 = p01 + c * pair (x, j);
      p23 = p23 + c * pair (x2, j);
    }
  if (self->features == CO2S_FEATURES_FUEL)
    for (guint i = 0; i < N_NUMERIC; i++)
      {
        Co2sV2 a01 = pair (x, i), a23 = pair (x2, i);

        for (guint f = 0; f < N_FUEL; f++)
          {
            Co2sV2 c = { self->coef[NF + i * N_FUEL + f], self->coef[NF + i * N_FUEL + f] };
            Co2sV2 v01 = a01 * pair (x, N_NUMERIC + f);
            Co2sV2 v23 = a23 * pair (x2, N_NUMERIC + f);

            p01 = p01 + c * v01;
            p23 = p23 + c * v23;
          }
      }
  memcpy (pred, &p01, sizeof p01);
  memcpy (pred + 2, &p23, sizeof p23);
}

void
co2s_model_predict_rows (Co2sModel *self, const double *x, guint n, double *pred)
{
  guint r = 0;

  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (n == 0 || (x != NULL && pred != NULL));

  G_STATIC_ASSERT (PREDICT_ROWS == 4);
  for (; r + PREDICT_ROWS <= n; r += PREDICT_ROWS)
    predict_block4 (self, x + (gsize) r * NF, pred + r);
  for (; r < n; r++)
    predict_block (self, x + (gsize) r * NF, pred + r, 1);
}

void
co2s_model_learn (Co2sModel *self, const double *x, const double *y, guint n)
{
  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (n == 0 || (x != NULL && y != NULL));

  if (n == 0)
    return;
  if (!batch_is_finite (x, y, n))
    {
      g_critical ("co2s_model_learn: a batch of %u rows holds a NaN or infinite value; "
                  "it was not learned", n);
      return;
    }

  if (!self->algorithm->learn (self, self->algorithm->learns_base_rows ? x : _co2s_model_expand_rows (self, x, n),
                               y, n))
    return;

  self->rows_seen += n;
}

/* Refuses to merge @other into @self: another algorithm or feature set,
 * or an algorithm whose models do not merge. */
static gboolean
check_mergeable (Co2sModel *self, Co2sModel *other, GError **error)
{
  Co2sModelSpec a = { self->algo, self->features };
  char name_a[CO2S_MODEL_SPEC_MAX];

  co2s_model_spec_to_string (&a, name_a);
  if (self->algo != other->algo || self->features != other->features)
    {
      Co2sModelSpec b = { other->algo, other->features };
      char name_b[CO2S_MODEL_SPEC_MAX];

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("cannot merge the %s model into the %s model: a model merges only with "
                     "one of the same algorithm and feature set"),
                   co2s_model_spec_to_string (&b, name_b), name_a);
      return FALSE;
    }
  if (self->algorithm->merge == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("cannot merge %s models: stochastic gradient descent depends on the order "
                     "of the rows, so models learned on separate partitions do not combine into "
                     "the model of all rows (their average is another model); learn %s in a "
                     "single trainer, or use ls or ls:fuel, which merge exactly"),
                   name_a, name_a);
      return FALSE;
    }
  return TRUE;
}

/* co2s_model_merge_all, where @others may hold @self when @n is 1. */
static gboolean
merge_models (Co2sModel *self, Co2sModel *const *others, guint n, GError **error)
{
  g_autofree Co2sModel **todo = NULL;
  guint64 rows = 0;
  guint m = 0, first = 0;

  for (guint i = 0; i < n; i++)
    if (!check_mergeable (self, others[i], error))
      return FALSE;
  if (n == 0 && self->algorithm->merge == NULL)
    return check_mergeable (self, self, error);

  /* Untrained models add nothing. */
  todo = g_new (Co2sModel *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (others[i]->rows_seen > 0)
      todo[m++] = others[i];
  if (m == 0)
    return TRUE;

  if (self->rows_seen == 0)
    {
      /* The same state, coefficients and count: an exact copy. */
      memcpy (self->state, todo[0]->state, self->algorithm->state_size);
      memcpy (self->coef, todo[0]->coef, sizeof self->coef);
      self->intercept = todo[0]->intercept;
      self->rows_seen = todo[0]->rows_seen;
      first = 1;
    }
  if (first == m)
    return TRUE;
  for (guint i = first; i < m; i++)
    rows += todo[i]->rows_seen;
  self->algorithm->merge (self, todo + first, m - first);
  self->rows_seen += rows;
  return TRUE;
}

gboolean
co2s_model_merge (Co2sModel *self, Co2sModel *other, GError **error)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), FALSE);
  g_return_val_if_fail (CO2S_IS_MODEL (other), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return merge_models (self, &other, 1, error);
}

gboolean
co2s_model_merge_all (Co2sModel *self, Co2sModel *const *others, guint n, GError **error)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), FALSE);
  g_return_val_if_fail (others != NULL || n == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (guint i = 0; i < n; i++)
    {
      g_return_val_if_fail (CO2S_IS_MODEL (others[i]), FALSE);
      g_return_val_if_fail (others[i] != self, FALSE);
    }

  return merge_models (self, others, n, error);
}

Co2sModel *
co2s_model_new_merged (Co2sModel *const *models, guint n, GError **error)
{
  Co2sModelSpec spec;
  g_autoptr(Co2sModel) merged = NULL;

  g_return_val_if_fail (models != NULL && n >= 1, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (models[0]), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  co2s_model_get_spec (models[0], &spec);
  merged = co2s_model_new_for_spec (&spec);
  if (!co2s_model_merge_all (merged, models, n, error))
    return NULL;
  return g_steal_pointer (&merged);
}

void
co2s_model_get_coefficients (Co2sModel *self, double *coef, double *intercept)
{
  g_return_if_fail (CO2S_IS_MODEL (self));

  if (coef != NULL)
    memcpy (coef, self->coef, self->dim * sizeof (double));
  if (intercept != NULL)
    *intercept = self->intercept;
}

void
co2s_model_serialize (Co2sModel *self, JsonBuilder *builder)
{
  g_return_if_fail (CO2S_IS_MODEL (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "algo");
  json_builder_add_string_value (builder, co2s_algo_to_string (self->algo));

  json_builder_set_member_name (builder, "feature_set");
  json_builder_add_string_value (builder, co2s_feature_set_to_string (self->features));

  json_builder_set_member_name (builder, "features");
  json_builder_begin_array (builder);
  for (guint j = 0; j < self->dim; j++)
    json_builder_add_string_value (builder, co2s_feature_set_get_name (self->features, j));
  json_builder_end_array (builder);

  _co2s_model_add_double_array (builder, "coefficients", self->coef, self->dim);
  _co2s_model_add_double (builder, "intercept", self->intercept);
  _co2s_model_add_int (builder, "rows_seen", (gint64) self->rows_seen);

  json_builder_set_member_name (builder, "state");
  json_builder_begin_object (builder);
  self->algorithm->to_json (self, builder);
  json_builder_end_object (builder);
}

Co2sModel *
co2s_model_deserialize (JsonObject *object, GError **error)
{
  g_autoptr(Co2sModel) self = NULL;
  JsonArray *features;
  JsonObject *state;
  const char *algo_str;
  const char *set_str = NULL;
  Co2sModelSpec spec = { CO2S_ALGO_LS, CO2S_FEATURES_BASE };

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!co2s_json_get_string (object, "algo", CO2S_JSON_REQUIRED, &algo_str, error))
    return NULL;
  if (!co2s_algo_from_string (algo_str, &spec.algo))
    {
      co2s_json_set_member_error (error, "algo", "must be \"ls\" or \"sgd\"");
      return NULL;
    }
  /* Files written before feature sets have none: base. */
  if (!co2s_json_get_string (object, "feature_set", CO2S_JSON_OPTIONAL, &set_str, error))
    return NULL;
  if (set_str != NULL && !co2s_feature_set_from_string (set_str, &spec.features))
    {
      co2s_json_set_member_error (error, "feature_set", "must be \"base\" or \"fuel\"");
      return NULL;
    }
  self = co2s_model_new_for_spec (&spec);

  if (!co2s_json_get_array (object, "features", CO2S_JSON_REQUIRED, &features, error) ||
      !co2s_json_check_length (features, "features", self->dim, error))
    return NULL;
  for (guint j = 0; j < self->dim; j++)
    {
      const char *want = co2s_feature_set_get_name (spec.features, j);
      const char *name;

      if (!co2s_json_array_get_string (features, "features", j, &name, error))
        return NULL;
      if (g_strcmp0 (name, want) != 0)
        {
          g_autofree char *at = g_strdup_printf ("features[%u]", j);

          co2s_json_set_member_error (error, at, "must be \"%s\", not \"%s\"", want, name);
          return NULL;
        }
    }

  if (!co2s_json_get_double_array (object, "coefficients", self->coef, self->dim, error) ||
      !co2s_json_get_double (object, "intercept", CO2S_JSON_REQUIRED, &self->intercept, error) ||
      !co2s_json_get_count (object, "rows_seen", CO2S_JSON_REQUIRED, &self->rows_seen, error) ||
      !co2s_json_get_object (object, "state", CO2S_JSON_REQUIRED, &state, error))
    return NULL;

  if (!self->algorithm->from_json (self, state, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------------ */
/* Private API (co2s-model-private.h)                                       */

void
_co2s_model_add_double_array (JsonBuilder *builder, const char *name, const double *v, guint n)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_double_value (builder, v[i]);
  json_builder_end_array (builder);
}

void
_co2s_model_add_double (JsonBuilder *builder, const char *name, double v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, v);
}

void
_co2s_model_add_int (JsonBuilder *builder, const char *name, gint64 v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, v);
}
