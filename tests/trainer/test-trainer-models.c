/* test-trainer-models.c — co2stream-trainer learning several models on one
 * stream (--algo ls,ls:fuel,sgd): the real data set's champion, and a
 * model file of several models met by other options. */
#define G_LOG_DOMAIN "test-trainer-models"

#include <math.h>
#include <string.h>

#include "co2s-csv.h"
#include "trainer-fixture.h"

/* The real data set as records, seq = row number. */
static GArray *
real_records (void)
{
  g_autofree char *path = co2s_test_dataset_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  GArray *records;
  gint64 now = g_get_real_time ();

  g_assert_nonnull (path);
  csv = co2s_csv_load (path, &error);
  g_assert_no_error (error);
  records = g_array_sized_new (FALSE, FALSE, sizeof (Co2sRecord), csv->rows->len);
  for (guint i = 0; i < csv->rows->len; i++)
    {
      Co2sRecord r = g_array_index (csv->rows, Co2sRecord, i);

      r.seq = i;
      r.emit_us = now;
      g_array_append_val (records, r);
    }
  return records;
}

/* One pass of the real data set in batches of 100 with three models: every
 * batch's figures are each model's own uninterrupted run's, the champion
 * is the one the window says; the fuel-specific model takes over early and
 * ends the champion, and its last 20 batches meet the models issue's
 * target. The log says when the champion changes. */
static void
test_real_data_champion (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = real_records ();
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  const char * const args[] = { "--batch-rows", "100", "--algo", "ls,ls:fuel,sgd", IDLE_ARGS, NULL };
  Co2sModelSpec specs[CO2S_MAX_MODELS];
  Co2sModel *refs[CO2S_MAX_MODELS];
  guint n = 0, fuel_from = 0;
  double last20 = 0;
  int status;

  g_assert_true (co2s_model_spec_parse_list ("ls,ls:fuel,sgd", specs, &n, NULL));
  trainer_env_start (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, NULL, args, RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);

  got = trainer_read_metrics (&env);
  trainer_reference_models (records, 100, specs, n, CO2S_CHAMPION_WINDOW_DEFAULT, want, refs);
  trainer_assert_same_metrics (got, want);
  cp = trainer_load_checkpoint (&env);
  for (guint k = 0; k < n; k++)
    {
      trainer_assert_same_model (co2s_checkpoint_get_model (cp, k)->model, refs[k]);
      g_object_unref (refs[k]);
    }

  for (guint i = got->len; i-- > 0;)
    if (strcmp (g_array_index (got, Co2sBatchMetrics, i).algo, "ls:fuel") != 0)
      {
        fuel_from = i + 2;
        break;
      }
  for (guint i = got->len - 20; i < got->len; i++)
    last20 += g_array_index (got, Co2sBatchMetrics, i).rmse / 20;
  g_test_message ("ls:fuel is the champion from batch %u of %u on; its mean prequential RMSE over the "
                  "last 20 batches %.3f g/km", fuel_from, got->len, last20);
  g_assert_cmpstr (g_array_index (got, Co2sBatchMetrics, got->len - 1).algo, ==, "ls:fuel");
  g_assert_cmpuint (fuel_from, <=, 10);
  g_assert_cmpfloat (last20, <=, 2.6);
  g_assert_cmpint (co2s_checkpoint_find_model (cp, "ls:fuel"), ==, (int) cp->champion);
  if (strstr (err, "the champion is now ls:fuel") == NULL)
    g_error ("the log does not say that ls:fuel became the champion:\n%s", err);
  trainer_env_clear (&env);
}

/* A file of several models: another --algo (one of them, or another
 * order) is refused naming both lists; no --algo resumes them all. */
static void
test_mismatch (void)
{
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (300, 21, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *err = NULL;
  g_autofree char *one = NULL;
  g_autofree char *order = NULL;
  g_autofree char *resumed = NULL;
  int status;

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "ls:fuel,sgd", "--max-rows", "200",
                                                            "--batch-rows", "50", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->models->len, ==, 2);
  g_assert_cmpuint (co2s_model_get_rows_seen (co2s_checkpoint_get_model (cp, 1)->model), ==, 200);

  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "ls:fuel", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &one);
  g_assert_cmpint (status, ==, 1);
  if (strstr (one, "holds an ls:fuel,sgd model, not ls:fuel: run with --algo ls:fuel,sgd") == NULL)
    g_error ("the refusal does not name both lists:\n%s", one);
  status = trainer_run (&env, NULL, (const char * const[]) { "--algo", "sgd,ls:fuel", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &order);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (order, "not sgd,ls:fuel"));

  status = trainer_run (&env, NULL, (const char * const[]) { "--batch-rows", "50", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &resumed);
  trainer_assert_exit_ok (status, resumed);
  g_assert_nonnull (strstr (resumed, "resuming"));
  g_assert_nonnull (strstr (resumed, "ls:fuel,sgd model"));
  g_clear_pointer (&cp, co2s_checkpoint_free);
  cp = trainer_load_checkpoint (&env);
  g_assert_cmpuint (cp->models->len, ==, 2);
  for (guint k = 0; k < 2; k++)
    g_assert_cmpuint (co2s_model_get_rows_seen (co2s_checkpoint_get_model (cp, k)->model), ==, 300);
  trainer_env_clear (&env);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trainer/models/real-data-champion", test_real_data_champion);
  g_test_add_func ("/trainer/models/mismatch", test_mismatch);
  return g_test_run ();
}
