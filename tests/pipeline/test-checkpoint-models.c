/* test-checkpoint-models.c — a model file of several models (co2stream-trainer
 * --algo ls,ls:fuel,sgd): round trip, hash, the champion, bad files. */
#define G_LOG_DOMAIN "test-checkpoint-models"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "co2s-checkpoint.h"

#include "model-test-data.h"

static const char *const names[] = { "ls", "ls:fuel", "sgd" };

/* Three models trained on different rows, each with residuals, a drift
 * detector that has seen some batches and a champion window; the second
 * is the champion. */
static Co2sCheckpoint *
sample (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  Co2sCheckpoint *cp = NULL;
  double x[200 * NF], y[200];

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      Co2sModelSpec spec;
      g_autoptr(Co2sModel) model = NULL;
      Co2sCheckpointModel *m;

      g_assert_true (co2s_model_spec_parse (names[k], &spec, NULL));
      model = co2s_model_new_for_spec (&spec);
      test_make_rows (rand, 200, "DENXZ", x, y);
      co2s_model_learn (model, x, y, 200);
      if (cp == NULL)
        cp = co2s_checkpoint_new (model);
      else
        co2s_checkpoint_add_model (cp, model);
      m = co2s_checkpoint_get_model (cp, k);
      for (guint i = 0; i < 200; i++)
        {
          double r = y[i] - co2s_model_predict (model, x + i * NF);

          co2s_conformal_add (m->conformal, x + i * NF, &r, 1);
        }
      for (guint b = 0; b < 5; b++)
        {
          double rmse = 3.0 + k + 0.1 * b;

          co2s_drift_update (&m->drift, rmse);
          co2s_checkpoint_model_note_error (m, rmse, 100 + b, 4);
        }
    }
  co2s_checkpoint_set_champion (cp, 1);
  cp->batches = 5;
  cp->updated_at_us = G_GINT64_CONSTANT (1718000000123456);
  cp->topic = g_strdup ("streaming_data");
  co2s_checkpoint_set_offset (cp, 0, 1000);
  return cp;
}

static void
assert_same_models (const Co2sCheckpoint *a, const Co2sCheckpoint *b)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  double x[20 * NF], y[20];

  test_make_rows (rand, 20, "DENXZ", x, y);
  g_assert_cmpuint (a->models->len, ==, b->models->len);
  g_assert_cmpuint (a->champion, ==, b->champion);
  g_assert_true (a->model == co2s_checkpoint_get_model (a, a->champion)->model);
  g_assert_true (b->model == co2s_checkpoint_get_model (b, b->champion)->model);
  g_assert_true (b->conformal == co2s_checkpoint_get_model (b, b->champion)->conformal);
  for (guint k = 0; k < a->models->len; k++)
    {
      Co2sCheckpointModel *ma = co2s_checkpoint_get_model (a, k);
      Co2sCheckpointModel *mb = co2s_checkpoint_get_model (b, k);
      double ra = co2s_checkpoint_model_get_rolling_rmse (ma);
      double rb = co2s_checkpoint_model_get_rolling_rmse (mb);

      g_assert_cmpint (co2s_checkpoint_find_model (b, names[k]), ==, (int) k);
      g_assert_cmpmem (&ra, sizeof ra, &rb, sizeof rb);
      g_assert_cmpuint (ma->recent->len, ==, mb->recent->len);
      for (guint i = 0; i < ma->recent->len; i++)
        {
          const Co2sRecentError *ea = &g_array_index (ma->recent, Co2sRecentError, i);
          const Co2sRecentError *eb = &g_array_index (mb->recent, Co2sRecentError, i);

          g_assert_cmpmem (&ea->sse, sizeof ea->sse, &eb->sse, sizeof eb->sse);
          g_assert_cmpuint (ea->rows, ==, eb->rows);
        }
      g_assert_cmpuint (ma->drift.n, ==, mb->drift.n);
      g_assert_cmpmem (&ma->drift.sum, sizeof (double), &mb->drift.sum, sizeof (double));
      co2s_conformal_prepare (ma->conformal);
      co2s_conformal_prepare (mb->conformal);
      for (guint i = 0; i < 20; i++)
        {
          double pa = co2s_model_predict (ma->model, x + i * NF);
          double pb = co2s_model_predict (mb->model, x + i * NF);
          double ha = co2s_conformal_half_width (ma->conformal, x + i * NF);
          double hb = co2s_conformal_half_width (mb->conformal, x + i * NF);

          g_assert_cmpmem (&pa, sizeof pa, &pb, sizeof pb);
          g_assert_cmpmem (&ha, sizeof ha, &hb, sizeof hb);
        }
    }
}

/* Written and read back: the same models in the same order, bit for bit,
 * the same champion and windows, and the same text when written again. The
 * champion's model is at the top level (a reader of one model sees it) and
 * only named in "models". */
static void
test_round_trip (void)
{
  g_autoptr(Co2sCheckpoint) cp = sample ();
  g_autofree char *json = co2s_checkpoint_to_json (cp);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) back = co2s_checkpoint_parse (json, strlen (json), "sample", &error);
  g_autofree char *again = NULL;
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  JsonObject *o = json_node_get_object (root);
  JsonArray *models = json_object_get_array_member (o, "models");

  g_assert_no_error (error);
  assert_same_models (cp, back);
  again = co2s_checkpoint_to_json (back);
  g_assert_cmpstr (again, ==, json);

  g_assert_cmpstr (json_object_get_string_member (o, "champion"), ==, "ls:fuel");
  g_assert_cmpstr (json_object_get_string_member (o, "feature_set"), ==, "fuel");
  g_assert_cmpuint (json_array_get_length (models), ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      JsonObject *entry = json_array_get_object_element (models, k);

      g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, names[k]);
      g_assert_true (json_object_has_member (entry, "recent"));
      g_assert_cmpint (json_object_has_member (entry, "coefficients"), ==, k != 1);
      g_assert_cmpint (json_object_has_member (entry, "conformal"), ==, k != 1);
    }

  /* One model: no "models" or "champion", as files always were. */
  {
    g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_LS);
    g_autoptr(Co2sCheckpoint) one = co2s_checkpoint_new (model);
    g_autofree char *text = co2s_checkpoint_to_json (one);

    g_assert_null (strstr (text, "\"models\""));
    g_assert_null (strstr (text, "\"champion\""));
  }
}

/* The hash covers every model: a change to a model that is not the
 * champion changes it too; equal checkpoints hash equal. */
static void
test_hash (void)
{
  g_autoptr(Co2sCheckpoint) a = sample ();
  g_autoptr(Co2sCheckpoint) b = sample ();
  g_autofree char *ha = co2s_checkpoint_dup_params_sha256 (a);
  g_autofree char *hb = co2s_checkpoint_dup_params_sha256 (b);
  g_autofree char *hc = NULL;
  g_autofree char *hd = NULL;
  double x[NF] = { 2.0, 4, 9.5, 7.1, 8.4, 0, 0, 0, 1, 0 };
  double y = 195.0;

  g_assert_cmpuint (strlen (ha), ==, 64);
  g_assert_cmpstr (ha, ==, hb);
  co2s_model_learn (co2s_checkpoint_get_model (b, 2)->model, x, &y, 1);
  hc = co2s_checkpoint_dup_params_sha256 (b);
  g_assert_cmpstr (ha, !=, hc);
  /* The champion is not a parameter: the same models, another champion. */
  co2s_checkpoint_set_champion (a, 0);
  hd = co2s_checkpoint_dup_params_sha256 (a);
  g_assert_cmpstr (ha, ==, hd);
}

/* The champion window keeps the last N scored batches; unscored ones are
 * not noted; the lowest pooled RMSE wins, a tie keeps the champion. */
static void
test_champion (void)
{
  g_autoptr(Co2sModel) m0 = co2s_model_new (CO2S_ALGO_LS);
  g_autoptr(Co2sModel) m1 = co2s_model_new (CO2S_ALGO_SGD);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_new (m0);
  Co2sCheckpointModel *a, *b;

  co2s_checkpoint_add_model (cp, m1);
  a = co2s_checkpoint_get_model (cp, 0);
  b = co2s_checkpoint_get_model (cp, 1);

  /* Nothing scored yet: no rolling RMSE, the first model stays. */
  co2s_checkpoint_model_note_error (a, NAN, 100, 3);
  g_assert_cmpuint (a->recent->len, ==, 0);
  g_assert_true (isnan (co2s_checkpoint_model_get_rolling_rmse (a)));
  g_assert_false (co2s_checkpoint_choose_champion (cp));
  g_assert_cmpuint (cp->champion, ==, 0);

  /* Only b has a score: it wins. */
  co2s_checkpoint_model_note_error (b, 5.0, 100, 3);
  g_assert_true (co2s_checkpoint_choose_champion (cp));
  g_assert_true (cp->model == m1);

  /* Pooled by rows: sqrt ((4·100 + 16·300) / 400) = sqrt (13). */
  co2s_checkpoint_model_note_error (a, 2.0, 100, 3);
  co2s_checkpoint_model_note_error (a, 4.0, 300, 3);
  g_assert_cmpfloat_with_epsilon (co2s_checkpoint_model_get_rolling_rmse (a), sqrt (13.0), 1e-12);
  g_assert_true (co2s_checkpoint_choose_champion (cp));
  g_assert_cmpuint (cp->champion, ==, 0);

  /* The window drops the oldest: after three more of 1.0, only those count. */
  for (guint i = 0; i < 3; i++)
    co2s_checkpoint_model_note_error (a, 1.0, 50, 3);
  g_assert_cmpuint (a->recent->len, ==, 3);
  g_assert_cmpfloat (co2s_checkpoint_model_get_rolling_rmse (a), ==, 1.0);

  /* A tie keeps the champion. */
  for (guint i = 0; i < 3; i++)
    co2s_checkpoint_model_note_error (b, 1.0, 50, 3);
  g_assert_cmpfloat (co2s_checkpoint_model_get_rolling_rmse (b), ==, 1.0);
  g_assert_false (co2s_checkpoint_choose_champion (cp));
  g_assert_cmpuint (cp->champion, ==, 0);

  /* A smaller window than before (a new --champion-window) trims at once. */
  co2s_checkpoint_model_note_error (b, 0.5, 50, 1);
  g_assert_cmpuint (b->recent->len, ==, 1);
  g_assert_true (co2s_checkpoint_choose_champion (cp));
  g_assert_cmpuint (cp->champion, ==, 1);

  g_assert_cmpint (co2s_checkpoint_find_model (cp, "sgd"), ==, 1);
  g_assert_cmpint (co2s_checkpoint_find_model (cp, "ls:fuel"), ==, -1);
}

/* The sample as JSON, edited by @edit. */
static char *
edited (void (*edit) (JsonObject *root, JsonArray *models))
{
  g_autoptr(Co2sCheckpoint) cp = sample ();
  g_autofree char *json = co2s_checkpoint_to_json (cp);
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  JsonObject *o = json_node_get_object (root);

  edit (o, json_object_get_array_member (o, "models"));
  return json_to_string (root, FALSE);
}

static void
edit_champion_other (JsonObject *root, JsonArray *models)
{
  json_object_set_string_member (root, "champion", "sgd");
}

static void
edit_no_champion (JsonObject *root, JsonArray *models)
{
  json_object_remove_member (root, "champion");
}

static void
edit_one_model (JsonObject *root, JsonArray *models)
{
  json_array_remove_element (models, 2);
  json_array_remove_element (models, 0);
}

static void
edit_same_name (JsonObject *root, JsonArray *models)
{
  json_object_set_string_member (json_array_get_object_element (models, 2), "name", "ls");
}

static void
edit_name_not_model (JsonObject *root, JsonArray *models)
{
  json_object_set_string_member (json_array_get_object_element (models, 2), "name", "sgd:fuel");
}

static void
edit_champion_has_model (JsonObject *root, JsonArray *models)
{
  json_object_set_string_member (json_array_get_object_element (models, 1), "algo", "ls");
}

static void
edit_champion_missing (JsonObject *root, JsonArray *models)
{
  json_array_remove_element (models, 1);
}

static void
edit_recent_lengths (JsonObject *root, JsonArray *models)
{
  JsonObject *recent = json_object_get_object_member (json_array_get_object_element (models, 0), "recent");

  json_array_remove_element (json_object_get_array_member (recent, "rows"), 0);
}

static void
edit_recent_negative (JsonObject *root, JsonArray *models)
{
  JsonObject *recent = json_object_get_object_member (json_array_get_object_element (models, 2), "recent");
  JsonArray *sse = json_object_get_array_member (recent, "sse");

  json_array_remove_element (sse, 0);
  json_array_add_double_element (sse, -1.5);
}

static void
edit_bad_coefficients (JsonObject *root, JsonArray *models)
{
  JsonArray *c = json_array_new ();

  json_array_add_int_element (c, 1);
  json_object_set_array_member (json_array_get_object_element (models, 2), "coefficients", c);
}

static void
edit_bad_drift (JsonObject *root, JsonArray *models)
{
  JsonObject *drift = json_object_get_object_member (json_array_get_object_element (models, 0), "drift");

  json_object_set_double_member (drift, "lambda", -1);
}

/* Each bad file is refused with what is wrong and where; nothing is loaded. */
static void
test_corrupt (void)
{
  static const struct {
    void (*edit) (JsonObject *root, JsonArray *models);
    const char *mentions;
  } cases[] = {
    { edit_champion_other, "member \"champion\" is \"sgd\", not the model at the top level (ls:fuel)" },
    { edit_no_champion, "member \"champion\" is missing" },
    { edit_one_model, "member \"models\" has 1 elements, not 2 to 8" },
    { edit_same_name, "member \"models[2].name\" is \"ls\" again" },
    { edit_name_not_model, "member \"models[2].name\" is \"sgd:fuel\" but the model is sgd" },
    { edit_champion_has_model, "member \"models[1]\" is the champion, whose model is at the top level" },
    { edit_champion_missing, "member \"models\" has no element named \"ls:fuel\", the champion" },
    { edit_recent_lengths, "member \"models[0].recent.rows\" has 3 elements, not 4 as models[0].recent.sse" },
    { edit_recent_negative, "member \"models[2].recent.sse[3]\" is not a finite number ≥ 0" },
    { edit_bad_coefficients, "models[2]: member \"coefficients\" must have 10 elements, not 1" },
    { edit_bad_drift, "member \"models[0].drift.lambda\" must be > 0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = edited (cases[i].edit);
      g_autoptr(GError) error = NULL;
      g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_parse (json, strlen (json), "edited.json", &error);

      g_assert_null (cp);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      if (strstr (error->message, "edited.json") == NULL || strstr (error->message, cases[i].mentions) == NULL)
        g_error ("case %u: message “%s” should name the file and mention “%s”", i, error->message,
                 cases[i].mentions);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/models/round-trip", test_round_trip);
  g_test_add_func ("/checkpoint/models/hash", test_hash);
  g_test_add_func ("/checkpoint/models/champion", test_champion);
  g_test_add_func ("/checkpoint/models/corrupt", test_corrupt);
  return g_test_run ();
}
