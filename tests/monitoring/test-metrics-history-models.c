/* test-metrics-history-models.c — the history of a trainer of several
 * models (--algo ls,ls:fuel,sgd): each model's prequential RMSE and the
 * champion at every batch, through appends, lines of one model, rewinds,
 * new series, copies, metrics.jsonl (merged with held batches) and the
 * batches its history file already holds. */
#define G_LOG_DOMAIN "test-metrics-history-models"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-history.h"
#include "co2s-metrics-rollup.h"
#include "co2s-test-metrics.h"
#include "co2s-test-util.h"

#define T0 CO2S_TEST_METRICS_T0

static const char *const names[] = { "ls", "ls:fuel", "sgd" };

/* Model k's RMSE at batch b: distinct for every pair. */
static double
model_rmse (guint64 b, guint k)
{
  return 10.0 * (k + 1) + (double) b / 100.0;
}

/* Batch @number of a trainer of @n_models (0: a line of one model, ls) whose
 * champion is @champion; coverage 0.95, the drift alarm at batch 7. */
static Co2sBatchMetrics
batch (guint64 number, guint n_models, guint champion)
{
  Co2sBatchMetrics m = co2s_test_batch_metrics_at_t0 (number, 0.95, number == 7);

  m.n_models = n_models;
  for (guint k = 0; k < n_models; k++)
    {
      g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
      m.models[k].rmse = model_rmse (number, k);
      m.models[k].mae = m.models[k].coverage_95 = m.models[k].rolling_rmse = NAN;
    }
  if (n_models > 0)
    {
      g_strlcpy (m.algo, names[champion], sizeof m.algo);
      m.rmse = model_rmse (number, champion);
    }
  return m;
}

/* Batches @first..@last held, each with every model's RMSE and champion
 * @champion_of (b). */
static void
assert_models (Co2sMetricsHistory *history, guint64 first, guint64 last, guint (*champion_of) (guint64))
{
  const double *x = co2s_metrics_history_get_batch_column (history, NULL);
  const guint8 *champion;
  guint n;

  g_assert_cmpuint (co2s_metrics_history_get_n_models (history), ==, 3);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpstr (co2s_metrics_history_get_model_name (history, k), ==, names[k]);
  champion = co2s_metrics_history_get_champion_column (history, &n);
  g_assert_nonnull (champion);
  g_assert_cmpuint (n, ==, last - first + 1);
  for (guint i = 0; i < n; i++)
    {
      guint64 b = first + i;

      g_assert_cmpfloat (x[i], ==, (double) b);
      g_assert_cmpuint (champion[i], ==, champion_of (b));
      for (guint k = 0; k < 3; k++)
        g_assert_cmpfloat (co2s_metrics_history_get_model_rmse_column (history, k, NULL)[i], ==,
                           model_rmse (b, k));
    }
  g_assert_cmpint (co2s_metrics_history_get_champion (history), ==, (gint) champion_of (last));
}

static guint
champion_a (guint64 b)
{
  return b < 5 ? 0 : 1;
}

static void
test_append (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) copy = NULL;
  Co2sBatchMetrics m;
  Co2sMetricsKpis k;

  /* One model at first: no model columns. */
  m = batch (1, 0, 0);
  m.timestamp_us -= 500;
  co2s_metrics_history_append (history, &m);
  g_assert_cmpuint (co2s_metrics_history_get_n_models (history), ==, 0);
  g_assert_null (co2s_metrics_history_get_champion_column (history, NULL));
  g_assert_cmpint (co2s_metrics_history_get_champion (history), ==, -1);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.n_models, ==, 0);

  /* A new series of three models, champion ls then ls:fuel from batch 5. */
  for (guint64 b = 1; b <= 10; b++)
    {
      m = batch (b, 3, champion_a (b));
      co2s_metrics_history_append (history, &m);
    }
  assert_models (history, 1, 10, champion_a);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.n_models, ==, 3);
  g_assert_cmpstr (k.algo, ==, "ls:fuel");

  /* get_batch gives them back. */
  g_assert_true (co2s_metrics_history_get_batch (history, 2, &m));
  g_assert_cmpuint (m.n_models, ==, 3);
  g_assert_cmpstr (m.algo, ==, "ls");
  g_assert_cmpstr (m.models[2].name, ==, "sgd");
  g_assert_cmpfloat (m.models[2].rmse, ==, model_rmse (3, 2));

  /* A copy keeps them, independently. */
  copy = co2s_metrics_history_copy (history);
  assert_models (copy, 1, 10, champion_a);

  /* A line of one model: NAN for every model, no champion. */
  m = batch (11, 0, 0);
  co2s_metrics_history_append (history, &m);
  g_assert_true (isnan (co2s_metrics_history_get_model_rmse_column (history, 1, NULL)[10]));
  g_assert_cmpuint (co2s_metrics_history_get_champion_column (history, NULL)[10], ==, CO2S_METRICS_NO_CHAMPION);
  g_assert_cmpint (co2s_metrics_history_get_champion (history), ==, -1);
  co2s_metrics_history_get_kpis (history, T0, &k);
  g_assert_cmpuint (k.n_models, ==, 0);

  /* A rewind to batch 8 drops 8..11 of every column. */
  m = batch (8, 3, 2);
  m.timestamp_us += 1;
  g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_REWOUND);
  g_assert_cmpuint (co2s_metrics_history_get_n_batches (history), ==, 8);
  g_assert_cmpuint (co2s_metrics_history_get_champion_column (history, NULL)[7], ==, 2);
  g_assert_cmpint (co2s_metrics_history_get_champion (history), ==, 2);

  /* A new series of one model forgets the models. */
  m = batch (1, 0, 0);
  m.timestamp_us += 5000;
  g_assert_cmpint (co2s_metrics_history_append (history, &m), ==, CO2S_METRICS_APPEND_NEW_SERIES);
  g_assert_cmpuint (co2s_metrics_history_get_n_models (history), ==, 0);
  /* The copy still has them. */
  assert_models (copy, 1, 10, champion_a);
}

/* A model first named later gets NAN before; a line naming more models than
 * CO2S_METRICS_MAX_MODELS over the series keeps the first ones. */
static void
test_late_model (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  Co2sBatchMetrics m;

  for (guint64 b = 1; b <= 4; b++)
    {
      m = batch (b, b < 3 ? 2 : 3, 0);
      co2s_metrics_history_append (history, &m);
    }
  g_assert_cmpuint (co2s_metrics_history_get_n_models (history), ==, 3);
  g_assert_true (isnan (co2s_metrics_history_get_model_rmse_column (history, 2, NULL)[0]));
  g_assert_true (isnan (co2s_metrics_history_get_model_rmse_column (history, 2, NULL)[1]));
  g_assert_cmpfloat (co2s_metrics_history_get_model_rmse_column (history, 2, NULL)[2], ==, model_rmse (3, 2));
  g_assert_cmpfloat (co2s_metrics_history_get_model_rmse_column (history, 0, NULL)[0], ==, model_rmse (1, 0));
  g_assert_null (co2s_metrics_history_get_model_rmse_column (history, 3, NULL));
}

static guint
champion_b (guint64 b)
{
  return b % 3;
}

/* metrics.jsonl of three models, loaded under held live batches and over a
 * history file that already holds its first batches: every column stays in
 * step (batch, models, champion, drift alarms). */
static void
test_from_files (void)
{
  g_auto(Co2sTestMetricsFiles) files = { 0 };
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GString) rollups = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const guint *alarms;
  Co2sMetricsRollup r = { 0 };
  Co2sBatchMetrics m;
  guint n_alarms;

  /* The history file holds batches 1..5; the file 4..20 (an overlap, as
   * after a crash between the two renames). */
  for (guint64 b = 1; b <= 5; b++)
    {
      Co2sMetricsRollup one;

      m = batch (b, 3, champion_b (b));
      if (b == 1)
        co2s_metrics_rollup_init (&r, &m);
      else
        {
          co2s_metrics_rollup_init (&one, &m);
          co2s_metrics_rollup_merge (&r, &one);
        }
    }
  co2s_metrics_rollup_to_json (&r, rollups);
  for (guint64 b = 4; b <= 20; b++)
    {
      m = batch (b, 3, champion_b (b));
      co2s_batch_metrics_to_json (&m, lines);
    }
  g_assert_nonnull (strstr (lines->str, "\"champion\":\"ls:fuel\""));
  co2s_test_metrics_files_write (&files, lines, rollups);

  /* Live batches 21..22 held before the file is read. */
  for (guint64 b = 21; b <= 22; b++)
    {
      m = batch (b, 3, champion_b (b));
      co2s_metrics_history_append (history, &m);
    }
  g_assert_true (co2s_metrics_history_load_file (history, files.path, NULL, &error));
  g_assert_no_error (error);
  assert_models (history, 6, 22, champion_b);
  alarms = co2s_metrics_history_get_drift_alarm_indices (history, &n_alarms);
  /* Batch 7's alarm, at index 1 now that 4 and 5 were dropped. */
  g_assert_cmpuint (n_alarms, ==, 1);
  g_assert_cmpuint (alarms[0], ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-history/models/append", test_append);
  g_test_add_func ("/metrics-history/models/late-model", test_late_model);
  g_test_add_func ("/metrics-history/models/from-files", test_from_files);
  return g_test_run ();
}
