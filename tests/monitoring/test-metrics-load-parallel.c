/* test-metrics-load-parallel.c — a big metrics.jsonl is read by two
 * threads, each half into its own store, the second joined to the first
 * (co2s-metrics-load.c). Whatever lies at the cut (a reset, a rewind,
 * duplicates, bad lines, models that appear, drift alarms, the lowest RMSE
 * in either half), the store and the report must be exactly those of
 * reading the file line by line on one thread. */
#define G_LOG_DOMAIN "test-metrics-load-parallel"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-store-private.h"
#include "co2s-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)

/* What a line of the file is. */
typedef struct {
  guint64 batch;
  gint64 t;            /* timestamp, µs */
  double rmse;
  guint n_models;      /* 0: a line of one model */
  gboolean alarm;
} Line;

static void
append_line (GString *out, const Line *l)
{
  static const char *names[] = { "ls", "ls:fuel", "sgd" };
  Co2sBatchMetrics m = { 0 };

  m.batch = l->batch;
  m.rows = 10;
  m.rows_seen = l->batch * 10;
  m.rmse = l->rmse;
  m.mae = l->rmse / 2;
  m.rmse_fit = NAN;
  m.timestamp_us = l->t;
  m.lag = (gint64) (l->batch % 7);
  m.latency_ms_p50 = m.latency_ms_max = NAN;
  m.latency_p50_us = m.latency_p99_us = m.latency_p999_us = -1;
  m.coverage_95 = NAN;
  m.drift_statistic = 0;
  m.drift_alarm = l->alarm;
  g_strlcpy (m.algo, l->n_models ? names[l->batch % l->n_models] : "ls", sizeof m.algo);
  m.n_models = l->n_models;
  for (guint k = 0; k < l->n_models; k++)
    {
      g_strlcpy (m.models[k].name, names[k], sizeof m.models[k].name);
      m.models[k].rmse = l->rmse + k;
      m.models[k].mae = m.models[k].rolling_rmse = m.models[k].coverage_95 = NAN;
    }
  co2s_batch_metrics_to_json (&m, out);
}

/* Batches @from…@to, RMSE falling with noise (ties included). */
static void
append_run (GString *out, guint64 from, guint64 to, gint64 t0, guint n_models)
{
  for (guint64 b = from; b <= to; b++)
    {
      Line l = { b, t0 + (gint64) b * 1000, 10.0 + (double) ((b * 7919) % 13), n_models, b % 97 == 5 };

      append_line (out, &l);
    }
}

static void
assert_stores_equal (const Co2sMetricsStore *a, const Co2sMetricsStore *b)
{
  guint len = _co2s_metrics_store_len (a);

  g_assert_cmpuint (_co2s_metrics_store_len (b), ==, len);
  for (guint i = 0; i < N_COLS; i++)
    g_assert_cmpmem (a->cols[i]->data, (gsize) len * 8, b->cols[i]->data, (gsize) len * 8);
  g_assert_cmpmem (a->alarms->data, a->alarms->len * sizeof (guint),
                   b->alarms->data, b->alarms->len * sizeof (guint));
  g_assert_cmpmem (a->rollups->data, a->rollups->len * sizeof (Co2sMetricsRollup),
                   b->rollups->data, b->rollups->len * sizeof (Co2sMetricsRollup));
  g_assert_cmpstr (a->algo, ==, b->algo);
  g_assert_cmpint (a->best_index, ==, b->best_index);
  g_assert_cmpuint (a->series, ==, b->series);
  g_assert_cmpuint (a->n_models, ==, b->n_models);
  for (guint k = 0; k < a->n_models; k++)
    {
      g_assert_cmpstr (a->model_names[k], ==, b->model_names[k]);
      g_assert_cmpmem (a->model_rmse[k]->data, len * sizeof (double), b->model_rmse[k]->data, len * sizeof (double));
    }
  g_assert_true ((a->champion == NULL) == (b->champion == NULL));
  if (a->champion != NULL)
    g_assert_cmpmem (a->champion->data, len, b->champion->data, len);
}

static void
assert_reports_equal (const Co2sMetricsLoadReport *a, const Co2sMetricsLoadReport *b)
{
  g_assert_cmpuint (a->lines, ==, b->lines);
  g_assert_cmpuint (a->added, ==, b->added);
  g_assert_cmpuint (a->duplicates, ==, b->duplicates);
  g_assert_cmpuint (a->new_series, ==, b->new_series);
  g_assert_cmpuint (a->rewinds, ==, b->rewinds);
  g_assert_cmpuint (a->bad_lines, ==, b->bad_lines);
  g_assert_cmpuint (a->rollups, ==, b->rollups);
  g_assert_cmpint (a->partial_last_line, ==, b->partial_last_line);
  g_assert_cmpuint (a->problems->len, ==, b->problems->len);
  for (guint i = 0; i < a->problems->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a->problems, i), ==, g_ptr_array_index (b->problems, i));
}

/* Loads @text (as metrics.jsonl) on one thread and on two; both must give
 * the same store and report. Returns the store's length. */
static guint
check_same (const GString *text)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsStore) one = NULL, two = NULL;
  g_autoptr(Co2sMetricsLoadReport) one_report = NULL, two_report = NULL;

  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);

  _co2s_metrics_load_set_parallel_min (G_MAXSIZE);
  one = _co2s_metrics_store_load (path, 0, NULL, &one_report, &error);
  g_assert_no_error (error);
  _co2s_metrics_load_set_parallel_min (1);
  two = _co2s_metrics_store_load (path, 0, NULL, &two_report, &error);
  g_assert_no_error (error);

  assert_stores_equal (one, two);
  assert_reports_equal (one_report, two_report);
  g_assert_true (co2s_test_rm_rf (dir, NULL));
  return _co2s_metrics_store_len (one);
}

static void
test_plain (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  append_run (text, 1, 2000, T0, 0);
  g_assert_cmpuint (check_same (text), ==, 2000);
}

static void
test_models (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  append_run (text, 1, 2000, T0, 3);
  g_assert_cmpuint (check_same (text), ==, 2000);
}

/* A reset, a rewind, duplicates and a jump back at every place near the
 * cut: one of them lands just before, at and just after it. */
static void
test_events_around_cut (void)
{
  for (guint at = 990; at <= 1010; at += 2)
    {
      g_autoptr(GString) reset = g_string_new (NULL);
      g_autoptr(GString) rewind = g_string_new (NULL);
      g_autoptr(GString) dup = g_string_new (NULL);

      append_run (reset, 1, at, T0, 0);
      append_run (reset, 1, 2000 - at, T0 + 5000000, 0);
      check_same (reset);

      append_run (rewind, 1, at, T0, 0);
      append_run (rewind, at - 50, 2000, T0 + 5000000, 0);
      check_same (rewind);

      append_run (dup, 1, at, T0, 0);
      append_run (dup, at - 20, 2000, T0, 0);   /* the same lines again, then new ones */
      check_same (dup);
    }
}

/* Models that appear, change or go in the second half; bad lines in both
 * halves; a last line without its '\n'. */
static void
test_mixed (void)
{
  g_autoptr(GString) appear = g_string_new (NULL);
  g_autoptr(GString) fewer = g_string_new (NULL);
  g_autoptr(GString) bad = g_string_new (NULL);

  append_run (appear, 1, 1000, T0, 0);
  append_run (appear, 1001, 2000, T0, 3);
  check_same (appear);

  append_run (fewer, 1, 1000, T0, 3);
  append_run (fewer, 1001, 2000, T0, 2);
  check_same (fewer);

  append_run (bad, 1, 500, T0, 0);
  g_string_append (bad, "{\"batch\":oops}\n\n   \n");
  append_run (bad, 501, 1500, T0, 0);
  g_string_append (bad, "not json\n");
  append_run (bad, 1501, 2000, T0, 0);
  g_string_append (bad, "{\"batch\":2001,\"rows\"");
  check_same (bad);
}

/* The lowest RMSE in both halves, equal: the earliest one wins, as it
 * does line by line. */
static void
test_best_tie (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint64 b = 1; b <= 2000; b++)
    {
      Line l = { b, T0 + (gint64) b * 1000, (b == 300 || b == 1700) ? 1.0 : 5.0, 0, FALSE };

      append_line (text, &l);
    }
  check_same (text);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics-load/parallel/plain", test_plain);
  g_test_add_func ("/metrics-load/parallel/models", test_models);
  g_test_add_func ("/metrics-load/parallel/events-around-cut", test_events_around_cut);
  g_test_add_func ("/metrics-load/parallel/mixed", test_mixed);
  g_test_add_func ("/metrics-load/parallel/best-tie", test_best_tie);
  return g_test_run ();
}
