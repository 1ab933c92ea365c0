/* bench-models.c — what a model costs per row: prequential steps (score
 * the batch, then learn it, as the trainer does) on the real data set,
 * looped, for each algorithm and feature set, at the batch sizes the app
 * and compose run (100) and larger ones. Prints a Markdown table: median
 * rows/s of several runs, the ratio to ls (base features) in the same
 * run, and each model's mean prequential RMSE over the first pass.
 *
 *   builddir/bench/bench-models [--csv data/co2_processed.csv] [--runs 5] [--rows 1000000]
 */
#define G_LOG_DOMAIN "bench-models"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-csv.h"
#include "co2s-model.h"
#include "co2s-prequential.h"

static char *opt_csv;
static int opt_runs = 5;
static int opt_rows = 1000000;

static const GOptionEntry entries[] = {
  { "csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv, "The data set (default data/co2_processed.csv)", "PATH" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per cell; the median is shown (default 5)", "N" },
  { "rows", 0, 0, G_OPTION_ARG_INT, &opt_rows, "Rows per run, the data set looped (default 1000000)", "N" },
  { NULL }
};

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Rows/s of prequential steps over @rows rows in batches of @batch; the
 * mean prequential RMSE of the batches of the first pass in @rmse. */
static double
run_once (const Co2sModelSpec *spec, const double *x, const double *y, guint n,
          guint batch, guint rows, double *rmse)
{
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (spec);
  g_autofree double *bx = g_new (double, (gsize) batch * CO2S_N_FEATURES);
  g_autofree double *by = g_new (double, batch);
  double sum = 0;
  guint scored = 0;
  gint64 t0;
  guint done = 0, at = 0;

  t0 = g_get_monotonic_time ();
  while (done < rows)
    {
      Co2sBatchMetrics m = { 0 };
      guint len = MIN (batch, rows - done);

      /* The data set looped: copy, as the trainer decodes into a batch. */
      for (guint r = 0; r < len; r++)
        {
          memcpy (bx + (gsize) r * CO2S_N_FEATURES, x + (gsize) at * CO2S_N_FEATURES,
                  CO2S_N_FEATURES * sizeof (double));
          by[r] = y[at];
          at = at + 1 == n ? 0 : at + 1;
        }
      co2s_prequential_step (model, bx, by, len, &m);
      if (done + len <= n && isfinite (m.rmse))
        {
          sum += m.rmse;
          scored++;
        }
      done += len;
    }
  *rmse = scored > 0 ? sum / scored : NAN;
  return rows / ((g_get_monotonic_time () - t0) / 1e6);
}

int
main (int argc, char *argv[])
{
  static const Co2sModelSpec specs[] = {
    { CO2S_ALGO_LS, CO2S_FEATURES_BASE },
    { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
    { CO2S_ALGO_SGD, CO2S_FEATURES_BASE },
    { CO2S_ALGO_SGD, CO2S_FEATURES_FUEL },
  };
  static const guint batches[] = { 100, 1000, 10000 };
  g_autoptr(GOptionContext) context = g_option_context_new ("- cost of each model per row");
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_runs < 1 || opt_rows < 1)
    {
      g_printerr ("bench-models: %s\n", error != NULL ? error->message : "--runs and --rows must be ≥ 1");
      return 2;
    }
  csv = co2s_csv_load (opt_csv != NULL ? opt_csv : "data/co2_processed.csv", &error);
  if (csv == NULL)
    {
      g_printerr ("bench-models: %s\n", error->message);
      return 1;
    }
  n = csv->rows->len;
  x = g_new (double, (gsize) n * CO2S_N_FEATURES);
  y = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const Co2sRecord *r = &g_array_index (csv->rows, Co2sRecord, i);

      co2s_record_features (r, x + (gsize) i * CO2S_N_FEATURES);
      y[i] = co2s_record_target (r);
    }

  g_print ("Prequential steps (score, then learn) on %u rows of the data set looped (%u rows), "
           "median of %d runs; one thread.\n\n", (guint) opt_rows, n, opt_runs);
  g_print ("| model | batch rows | rows/s | ratio to ls | mean prequential RMSE, first pass (g/km) |\n");
  g_print ("| --- | ---: | ---: | ---: | ---: |\n");
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      double base_rate = 0;

      for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
        {
          g_autofree double *rates = g_new (double, opt_runs);
          char name[CO2S_MODEL_SPEC_MAX];
          double rmse = NAN;

          for (int r = 0; r < opt_runs; r++)
            rates[r] = run_once (&specs[s], x, y, n, batches[b], (guint) opt_rows, &rmse);
          qsort (rates, opt_runs, sizeof (double), cmp_double);
          if (s == 0)
            base_rate = rates[opt_runs / 2];
          g_autofree char *rmse_text = isfinite (rmse) ? g_strdup_printf ("%.3f", rmse)
                                                       : g_strdup ("n/a (one batch per pass)");

          g_print ("| %s | %u | %.0f | %.2f | %s |\n", co2s_model_spec_to_string (&specs[s], name),
                   batches[b], rates[opt_runs / 2], rates[opt_runs / 2] / base_rate, rmse_text);
        }
    }
  return 0;
}
