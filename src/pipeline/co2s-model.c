/* co2s-model.c — the online regression model: one GObject for every
 * algorithm, which checks, counts, predicts and saves what they share and
 * hands the rest to the algorithm (co2s-model-private.h): least squares in
 * co2s-model-ls.c, scikit-learn-compatible SGD in co2s-model-sgd.c. */
#define G_LOG_DOMAIN "co2s-model"

#include "co2s-model.h"
#include "co2s-model-private.h"

#include <math.h>
#include <string.h>

#include "co2s-json-reader.h"

enum {
  PROP_0,
  PROP_ALGO,
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
  double sum = 0.0;

  /* A single NaN or infinity poisons the sum; overflow to inf of a sum of
   * finite values is impossible for plausible data and would be refused too. */
  for (guint i = 0; i < n; i++)
    {
      for (guint j = 0; j < NF; j++)
        sum += x[(gsize) i * NF + j] * 0.0;
      sum += y[i] * 0.0;
    }
  return sum == 0.0;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
co2s_model_constructed (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  G_OBJECT_CLASS (co2s_model_parent_class)->constructed (object);

  g_assert ((guint) self->algo < G_N_ELEMENTS (algorithms));
  self->algorithm = algorithms[self->algo];
  self->state = g_malloc0 (self->algorithm->state_size);
  if (self->algorithm->init != NULL)
    self->algorithm->init (self);
}

static void
co2s_model_finalize (GObject *object)
{
  Co2sModel *self = CO2S_MODEL (object);

  g_clear_pointer (&self->state, g_free);

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

Co2sModel *
co2s_model_new (Co2sAlgo algo)
{
  g_return_val_if_fail (algo == CO2S_ALGO_LS || algo == CO2S_ALGO_SGD, NULL);

  return g_object_new (CO2S_TYPE_MODEL, "algo", (int) algo, NULL);
}

Co2sAlgo
co2s_model_get_algo (Co2sModel *self)
{
  g_return_val_if_fail (CO2S_IS_MODEL (self), CO2S_ALGO_LS);
  return self->algo;
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
  double p;

  g_return_val_if_fail (CO2S_IS_MODEL (self), NAN);
  g_return_val_if_fail (x != NULL, NAN);

  p = self->intercept;
  for (guint j = 0; j < NF; j++)
    p += self->coef[j] * x[j];
  return p;
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

  if (!self->algorithm->learn (self, x, y, n))
    return;

  self->rows_seen += n;
}

void
co2s_model_get_coefficients (Co2sModel *self, double coef[CO2S_N_FEATURES], double *intercept)
{
  g_return_if_fail (CO2S_IS_MODEL (self));

  if (coef != NULL)
    memcpy (coef, self->coef, sizeof self->coef);
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

  json_builder_set_member_name (builder, "features");
  json_builder_begin_array (builder);
  for (guint j = 0; j < NF; j++)
    json_builder_add_string_value (builder, co2s_feature_name (j));
  json_builder_end_array (builder);

  _co2s_model_add_double_array (builder, "coefficients", self->coef, NF);
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
  Co2sAlgo algo;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!co2s_json_get_string (object, "algo", CO2S_JSON_REQUIRED, &algo_str, error))
    return NULL;
  if (!co2s_algo_from_string (algo_str, &algo))
    {
      co2s_json_set_member_error (error, "algo", "must be \"ls\" or \"sgd\"");
      return NULL;
    }
  self = co2s_model_new (algo);

  if (!co2s_json_get_array (object, "features", CO2S_JSON_REQUIRED, &features, error) ||
      !co2s_json_check_length (features, "features", NF, error))
    return NULL;
  for (guint j = 0; j < NF; j++)
    {
      const char *name;

      if (!co2s_json_array_get_string (features, "features", j, &name, error))
        return NULL;
      if (g_strcmp0 (name, co2s_feature_name (j)) != 0)
        {
          g_autofree char *at = g_strdup_printf ("features[%u]", j);

          co2s_json_set_member_error (error, at, "must be \"%s\", not \"%s\"", co2s_feature_name (j), name);
          return NULL;
        }
    }

  if (!co2s_json_get_double_array (object, "coefficients", self->coef, NF, error) ||
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
