/* test-drift.c — the drift alarm (co2s-drift.h) on the models issue's
 * streams: CO₂ scaled by 1.2 at row 20,000 is found within 2,000 rows; no
 * alarm on 200,000 stationary rows, nor over passes 2–4 of the real data
 * set; and the detector's own rules. */
#define G_LOG_DOMAIN "test-drift"

#include <glib.h>
#include <math.h>

#include "co2s-csv.h"
#include "co2s-drift.h"
#include "co2s-model.h"
#include "co2s-prequential.h"
#include "co2s-test-util.h"
#include "model-test-data.h"
#include "real-data.h"

#define BATCH 100

typedef struct {
  guint64 first_alarm_row;    /* 0: none */
  guint alarms;
  double max_statistic;
} Run;

/* Prequential steps of @spec over @n rows in batches of BATCH, the drift
 * detector fed each batch's RMSE; alarms at or after row @from count. */
static void
run_stream (const Co2sModelSpec *spec, const double *x, const double *y, guint n, guint64 from, Run *run)
{
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (spec);
  Co2sDrift drift;

  co2s_drift_init (&drift, NULL);
  memset (run, 0, sizeof *run);
  for (guint start = 0; start < n; start += BATCH)
    {
      Co2sBatchMetrics m = { 0 };
      guint len = MIN (BATCH, n - start);
      gboolean alarm;

      co2s_prequential_step (model, x + (gsize) start * NF, y + start, len, &m);
      alarm = co2s_drift_update (&drift, m.rmse);
      if (start + len <= from)
        continue;
      run->max_statistic = MAX (run->max_statistic, co2s_drift_get_statistic (&drift));
      if (alarm)
        {
          run->alarms++;
          if (run->first_alarm_row == 0)
            run->first_alarm_row = start + len;
        }
    }
}

static void
test_scaled_co2_detected (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  const Co2sModelSpec specs[] = { { CO2S_ALGO_LS, CO2S_FEATURES_BASE }, { CO2S_ALGO_LS, CO2S_FEATURES_FUEL } };
  guint n = 40000;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);

  test_make_rows (rand, n, "DENXZ", x, y);
  for (guint i = 20000; i < n; i++)
    y[i] *= 1.2;

  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    {
      Run before, after;
      char name[CO2S_MODEL_SPEC_MAX];

      /* Nothing before the change (the model settling is a fall, not a rise). */
      run_stream (&specs[s], x, y, 20000, 0, &before);
      run_stream (&specs[s], x, y, n, 20000, &after);
      g_test_message ("%s: before the change %u alarms (statistic up to %.2f); after it the first "
                      "alarm at row %" G_GUINT64_FORMAT ", %u in all",
                      co2s_model_spec_to_string (&specs[s], name), before.alarms, before.max_statistic,
                      after.first_alarm_row, after.alarms);
      g_assert_cmpuint (before.alarms, ==, 0);
      g_assert_cmpuint (after.first_alarm_row, >, 20000);
      g_assert_cmpuint (after.first_alarm_row, <=, 22000);
    }
}

static void
test_stationary_no_alarm (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const Co2sModelSpec specs[] = { { CO2S_ALGO_LS, CO2S_FEATURES_BASE }, { CO2S_ALGO_LS, CO2S_FEATURES_FUEL } };
  guint n = 200000;
  g_autofree double *x = g_new (double, (gsize) n * NF);
  g_autofree double *y = g_new (double, n);

  test_make_rows (rand, n, "DENXZ", x, y);
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    {
      Run run;
      char name[CO2S_MODEL_SPEC_MAX];

      run_stream (&specs[s], x, y, n, 0, &run);
      g_test_message ("%s: %u alarms over %u stationary rows; statistic up to %.2f (lambda %.1f)",
                      co2s_model_spec_to_string (&specs[s], name), run.alarms, n, run.max_statistic,
                      CO2S_DRIFT_DEFAULT_LAMBDA);
      g_assert_cmpuint (run.alarms, ==, 0);
    }
}

/* Passes 2–4 of the real data set: the same rows again, no drift. */
static void
test_real_data_passes (void)
{
  const Co2sModelSpec specs[] = { { CO2S_ALGO_LS, CO2S_FEATURES_BASE }, { CO2S_ALGO_LS, CO2S_FEATURES_FUEL } };
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint rows, n;

  if (!real_data_load (4, &x, &y, &rows))
    return;
  n = 4 * rows;

  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    {
      Run run;
      char name[CO2S_MODEL_SPEC_MAX];

      run_stream (&specs[s], x, y, n, rows, &run);
      g_test_message ("%s: %u alarms over passes 2-4 of the data set; statistic up to %.2f (lambda %.1f)",
                      co2s_model_spec_to_string (&specs[s], name), run.alarms, run.max_statistic,
                      CO2S_DRIFT_DEFAULT_LAMBDA);
      g_assert_cmpuint (run.alarms, ==, 0);
    }
}

/* A rise alarms after the baseline has formed, then the detector starts
 * over on the new level; falls and unscored batches never alarm. */
static void
test_rules (void)
{
  Co2sDrift drift;
  Co2sDriftParams params;
  guint alarm_at = 0;

  co2s_drift_params_init (&params);
  g_assert_cmpfloat (params.delta, ==, CO2S_DRIFT_DEFAULT_DELTA);
  co2s_drift_init (&drift, &params);

  /* Falling error, NaN, zero and infinite values: nothing. */
  for (guint i = 0; i < 200; i++)
    g_assert_false (co2s_drift_update (&drift, 100.0 / (i + 1)));
  g_assert_false (co2s_drift_update (&drift, NAN));
  g_assert_false (co2s_drift_update (&drift, 0.0));
  g_assert_false (co2s_drift_update (&drift, INFINITY));
  g_assert_cmpuint (drift.n, ==, 200);

  /* A doubling: ln 2 − δ ≈ 0.54 a batch at first (less as the mean follows), so λ = 5 is crossed within ~12. */
  co2s_drift_init (&drift, NULL);
  for (guint i = 0; i < 50; i++)
    g_assert_false (co2s_drift_update (&drift, 3.0));
  for (guint i = 1; i <= 20 && alarm_at == 0; i++)
    if (co2s_drift_update (&drift, 6.0))
      alarm_at = i;
  g_test_message ("a doubled error alarmed after %u batches", alarm_at);
  g_assert_cmpuint (alarm_at, >=, 1);
  g_assert_cmpuint (alarm_at, <=, 15);
  g_assert_cmpuint (drift.alarms, ==, 1);
  /* Started over: the new level is no alarm. */
  g_assert_cmpuint (drift.n, ==, 0);
  for (guint i = 0; i < 500; i++)
    g_assert_false (co2s_drift_update (&drift, 6.0));

  /* No alarm before min_batches, however large the rise. */
  co2s_drift_init (&drift, NULL);
  for (guint i = 0; i < 5; i++)
    co2s_drift_update (&drift, 3.0);
  for (guint i = 5; i < CO2S_DRIFT_DEFAULT_MIN_BATCHES; i++)
    g_assert_false (co2s_drift_update (&drift, 3000.0));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/drift/rules", test_rules);
  g_test_add_func ("/drift/scaled-co2-detected", test_scaled_co2_detected);
  g_test_add_func ("/drift/stationary-no-alarm", test_stationary_no_alarm);
  g_test_add_func ("/drift/real-data-passes", test_real_data_passes);

  return g_test_run ();
}
