/* test-checkpoint-merge.c — co2s_checkpoint_merge and
 * co2s_checkpoint_merge_models, what the scale-out trainer writes to
 * model.json and scores batches with (issue 13): partitions' checkpoints
 * merged equal one checkpoint of every row of the real data set (ls and
 * ls:fuel, the coefficient vector within a relative 1e-9), positions joined, batches and
 * latency counts added, the champion the lowest pooled RMSE; refused with a
 * message: different models, a partition in two parts, sgd. */
#define G_LOG_DOMAIN "test-checkpoint-merge"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-checkpoint.h"
#include "co2s-test-model.h"
#include "co2s-test-util.h"

#include "real-data.h"

#define N_PARTS 3
#define NF CO2S_N_FEATURES

static const Co2sModelSpec specs[] = {
  { CO2S_ALGO_LS, CO2S_FEATURES_BASE },
  { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
};

/* The relative difference of two models' coefficient vectors. */
static double
model_vector_difference (Co2sModel *got, Co2sModel *want)
{
  double vector;

  co2s_test_model_difference (got, want, NULL, &vector);
  return vector;
}

static void
test_merge (void)
{
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint n_rows = 0;
  Co2sCheckpoint *parts[N_PARTS];
  g_autoptr(Co2sCheckpoint) whole = co2s_checkpoint_new_for_specs (specs, G_N_ELEMENTS (specs));
  g_autoptr(Co2sCheckpoint) merged = NULL;
  Co2sModel *models[CO2S_MAX_MODELS] = { NULL };
  g_autoptr(GError) error = NULL;

  if (!real_data_load (1, &x, &y, &n_rows))
    return;
  /* Partition p learns rows p, p + 3, p + 6… in batches of 100; the whole
   * checkpoint learns them all in order. */
  for (guint p = 0; p < N_PARTS; p++)
    {
      g_autofree double *px = g_new (double, n_rows * NF);
      g_autofree double *py = g_new (double, n_rows);
      guint n = 0;

      parts[p] = co2s_checkpoint_new_for_specs (specs, G_N_ELEMENTS (specs));
      for (guint r = p; r < n_rows; r += N_PARTS, n++)
        {
          memcpy (&px[n * NF], &x[r * NF], NF * sizeof (double));
          py[n] = y[r];
        }
      for (guint start = 0; start < n; start += 100)
        {
          for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
            co2s_model_learn (co2s_checkpoint_get_model (parts[p], i)->model, &px[start * NF],
                              &py[start], MIN (100, n - start));
          parts[p]->batches++;
        }
      co2s_checkpoint_set_offset (parts[p], (gint32) p, n);
      co2s_latency_histogram_record (parts[p]->latency, 1000 * (p + 1), n);
      /* ls:fuel scores best in every part but the last. */
      for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
        co2s_checkpoint_model_note_error (co2s_checkpoint_get_model (parts[p], i),
                                          i == 1 ? 3.0 : 5.0, 100, CO2S_CHAMPION_WINDOW_DEFAULT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    co2s_model_learn (co2s_checkpoint_get_model (whole, i)->model, x, y, n_rows);

  g_assert_true (co2s_checkpoint_merge_models (parts, N_PARTS, models, &error));
  g_assert_no_error (error);
  merged = co2s_checkpoint_merge (parts, N_PARTS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (merged);

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      Co2sModel *want = co2s_checkpoint_get_model (whole, i)->model;
      Co2sModel *got = co2s_checkpoint_get_model (merged, i)->model;

      g_assert_cmpuint (co2s_model_get_rows_seen (got), ==, n_rows);
      g_assert_cmpfloat (model_vector_difference (got, want), <=, 1e-9);
      /* The models alone are the same merge. */
      g_assert_cmpfloat (model_vector_difference (models[i], got), ==, 0.0);
      g_object_unref (models[i]);
    }
  g_assert_cmpuint (merged->batches, ==, parts[0]->batches + parts[1]->batches + parts[2]->batches);
  g_assert_cmpuint (merged->offsets->len, ==, N_PARTS);
  for (guint p = 0; p < N_PARTS; p++)
    g_assert_cmpint (co2s_checkpoint_get_offset (merged, (gint32) p), ==,
                     co2s_checkpoint_get_offset (parts[p], (gint32) p));
  g_assert_cmpint (co2s_latency_histogram_quantile (merged->latency, 1.0), >=, 3000);
  g_assert_cmpuint (merged->champion, ==, 1);
  g_assert_true (merged->model == co2s_checkpoint_get_model (merged, 1)->model);

  /* It reads back as a model file. */
  {
    g_autofree char *json = co2s_checkpoint_to_json (merged);
    g_autoptr(Co2sCheckpoint) back = co2s_checkpoint_parse (json, strlen (json), "merged", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (co2s_model_get_rows_seen (back->model), ==, n_rows);
  }
  for (guint p = 0; p < N_PARTS; p++)
    co2s_checkpoint_free (parts[p]);
}

static void
test_refused (void)
{
  static const Co2sModelSpec other[] = { { CO2S_ALGO_LS, CO2S_FEATURES_FUEL } };
  static const Co2sModelSpec sgd[] = { { CO2S_ALGO_SGD, CO2S_FEATURES_BASE } };
  g_autoptr(Co2sCheckpoint) a = co2s_checkpoint_new_for_specs (specs, 1);
  g_autoptr(Co2sCheckpoint) b = co2s_checkpoint_new_for_specs (other, 1);
  g_autoptr(Co2sCheckpoint) c = co2s_checkpoint_new_for_specs (specs, 1);
  g_autoptr(Co2sCheckpoint) s1 = co2s_checkpoint_new_for_specs (sgd, 1);
  g_autoptr(Co2sCheckpoint) s2 = co2s_checkpoint_new_for_specs (sgd, 1);
  Co2sModel *models[CO2S_MAX_MODELS] = { NULL };
  g_autoptr(GError) error = NULL;

  /* Different models. */
  g_assert_null (co2s_checkpoint_merge ((Co2sCheckpoint *[]) { a, b }, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "different models"));
  g_clear_error (&error);
  g_assert_false (co2s_checkpoint_merge_models ((Co2sCheckpoint *[]) { a, b }, 2, models, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (models[0]);
  g_clear_error (&error);

  /* One partition in two parts. */
  co2s_checkpoint_set_offset (a, 2, 10);
  co2s_checkpoint_set_offset (c, 2, 20);
  g_assert_null (co2s_checkpoint_merge ((Co2sCheckpoint *[]) { a, c }, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "partition 2"));
  g_clear_error (&error);

  /* sgd has no exact merge. */
  g_assert_null (co2s_checkpoint_merge ((Co2sCheckpoint *[]) { s1, s2 }, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/merge/partitions", test_merge);
  g_test_add_func ("/checkpoint/merge/refused", test_refused);
  return g_test_run ();
}
