/* model-test-data.h — synthetic vehicle rows and the fixture, for the model tests.
 *
 * Header-only (static functions) so each test program stays one file. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-model.h"

#define NF CO2S_N_FEATURES

/* Fuel letters in feature order (flags are features 5…9). */
static const char test_fuels[] = "DENXZ";

/* Fills @n rows of plausible vehicles (row-major x, n × 10, and y). Only the
 * fuel types whose letters are in @fuels occur. Deterministic for @rand. */
static inline void
test_make_rows (GRand *rand, guint n, const char *fuels, double *x, double *y)
{
  static const double per_litre[5] = { 26.8, 16.4, 17.6, 23.2, 23.3 };
  static const double factor[5] = { 0.85, 1.35, 1.1, 1.0, 1.04 };
  guint n_fuels = strlen (fuels);

  for (guint i = 0; i < n; i++)
    {
      double *row = x + (gsize) i * NF;
      const char *f = strchr (test_fuels, fuels[g_rand_int_range (rand, 0, n_fuels)]);
      guint fi = f - test_fuels;
      double engine = round (g_rand_double_range (rand, 1.0, 6.6) * 10) / 10;
      double cyl = CLAMP (2 * round (engine * 1.15 + g_rand_double_range (rand, -0.6, 0.6)), 3, 16);
      double city = round (MAX (4.0, factor[fi] * (4.8 + 2.3 * engine + g_rand_double_range (rand, -2, 2))) * 10) / 10;
      double hwy = round (MAX (4.0, 0.68 * city + g_rand_double_range (rand, -1, 1)) * 10) / 10;
      double comb = round ((0.55 * city + 0.45 * hwy) * 10) / 10;

      row[0] = engine;
      row[1] = cyl;
      row[2] = city;
      row[3] = hwy;
      row[4] = comb;
      for (guint k = 0; k < 5; k++)
        row[5 + k] = (k == fi) ? 1.0 : 0.0;
      y[i] = round (per_litre[fi] * comb + 0.9 * cyl + g_rand_double_range (rand, -5, 5));
    }
}

/* |a - b| small relative to the larger of both (absolute below @floor). */
static inline gboolean
test_close (double a, double b, double rel, double floor_)
{
  return fabs (a - b) <= rel * MAX (MAX (fabs (a), fabs (b)), floor_);
}

#define assert_close(a, b, rel, floor_)                                             \
  G_STMT_START {                                                                    \
    double _a = (a), _b = (b);                                                      \
    if (!test_close (_a, _b, (rel), (floor_)))                                      \
      g_error ("%s:%d: %s = %.17g and %s = %.17g differ by %.3g (relative limit %g)", \
               __FILE__, __LINE__, #a, _a, #b, _b, fabs (_a - _b), (double) (rel));  \
  } G_STMT_END

/* The fixture written by tests/fixtures/make-sgd-reference.py. Fails the
 * test loudly when it cannot be found or read. */
static inline JsonObject *
test_load_reference (JsonParser **parser_out)
{
  const char *path = g_getenv ("CO2S_SGD_REFERENCE");
  g_autoptr(GError) error = NULL;
  JsonParser *parser;

  if (path == NULL)
    g_error ("CO2S_SGD_REFERENCE is not set: run this test through meson test "
             "(it points at tests/fixtures/sgd-reference.json)");
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("cannot read the reference fixture %s: %s", path, error->message);
  *parser_out = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

/* Copies the fixture's "rows" into x (n × 10) and y. Returns n. */
static inline guint
test_reference_rows (JsonObject *ref, double **x, double **y)
{
  JsonArray *rows = json_object_get_array_member (ref, "rows");
  guint n = json_array_get_length (rows);

  *x = g_new (double, (gsize) n * NF);
  *y = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);

      g_assert_cmpuint (json_array_get_length (row), ==, NF + 1);
      for (guint j = 0; j < NF; j++)
        (*x)[(gsize) i * NF + j] = json_array_get_double_element (row, j);
      (*y)[i] = json_array_get_double_element (row, NF);
    }
  return n;
}

static inline void
test_double_array (JsonArray *array, double *out, guint n)
{
  g_assert_cmpuint (json_array_get_length (array), ==, n);
  for (guint i = 0; i < n; i++)
    out[i] = json_array_get_double_element (array, i);
}

/* The model's serialized object (for reading its state in tests). */
static inline JsonNode *
test_serialize (Co2sModel *model)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  co2s_model_serialize (model, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static inline double
test_rmse (Co2sModel *model, const double *x, const double *y, guint n)
{
  double se = 0;

  for (guint i = 0; i < n; i++)
    {
      double e = co2s_model_predict (model, x + (gsize) i * NF) - y[i];
      se += e * e;
    }
  return sqrt (se / n);
}
