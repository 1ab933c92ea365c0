/* bench-models.c — what a model costs per row: prequential steps (score
 * the batch, then learn it, as the trainer does) on the real data set,
 * looped, for each algorithm and feature set, at the batch sizes the app
 * and compose run (100) and larger ones. Prints a Markdown table: median
 * rows/s of several runs, the ratio to ls (base features) in the same
 * run, and each model's mean prequential RMSE over the first pass. Times
 * are the thread's CPU time (the machine may be shared).
 *
 * A second table does the trainer's work per batch (co2s-trainer-checkpoint.c)
 * at batches of 100 and 1,000: ls alone with its intervals, and ls,ls:fuel,sgd
 * (every model scored with its intervals, then every model learns, the
 * champion's fit measured), with the ratio of the two (issue 12's target:
 * ≥ 0.67) and a digest of every figure and coefficient, which must not
 * change when the models are only made faster.
 *
 *   builddir/bench/bench-models [--csv data/co2_processed.csv] [--runs 5] [--rows 1000000] [--trainer-only]
 */
#define G_LOG_DOMAIN "bench-models"

#include <glib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "co2s-model.h"
#include "co2s-prequential.h"

static char *opt_csv;
static int opt_runs = 5;
static int opt_rows = 1000000;
static gboolean opt_trainer_only;

static const GOptionEntry entries[] = {
  { "csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv, "The data set (default data/co2_processed.csv)", "PATH" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per cell; the median is shown (default 5)", "N" },
  { "rows", 0, 0, G_OPTION_ARG_INT, &opt_rows, "Rows per run, the data set looped (default 1000000)", "N" },
  { "trainer-only", 0, 0, G_OPTION_ARG_NONE, &opt_trainer_only, "Only the trainer's table", NULL },
  { NULL }
};

/* CPU time of this thread, µs: the machine may be shared, and a run
 * should not count the time others had the core. */
static gint64
cpu_time_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The data set (@n rows) looped: copies @len rows from row @at on into the
 * batch @bx/@by, as the trainer decodes into a batch; returns the row that
 * comes next. */
static guint
fill_batch (double *bx, double *by, guint len, const double *x, const double *y, guint n, guint at)
{
  for (guint r = 0; r < len; r++)
    {
      memcpy (bx + (gsize) r * CO2S_N_FEATURES, x + (gsize) at * CO2S_N_FEATURES,
              CO2S_N_FEATURES * sizeof (double));
      by[r] = y[at];
      at = at + 1 == n ? 0 : at + 1;
    }
  return at;
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

  t0 = cpu_time_us ();
  while (done < rows)
    {
      Co2sBatchMetrics m = { 0 };
      guint len = MIN (batch, rows - done);

      at = fill_batch (bx, by, len, x, y, n, at);
      co2s_prequential_step (model, bx, by, len, &m);
      if (done + len <= n && isfinite (m.rmse))
        {
          sum += m.rmse;
          scored++;
        }
      done += len;
    }
  *rmse = scored > 0 ? sum / scored : NAN;
  return rows / ((cpu_time_us () - t0) / 1e6);
}

/* FNV-1a over the bits of @n doubles. */
static guint64
digest_doubles (guint64 h, const double *v, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      guint64 bits;

      memcpy (&bits, &v[i], sizeof bits);
      for (guint b = 0; b < 8; b++)
        {
          h ^= (bits >> (8 * b)) & 0xff;
          h *= 0x100000001b3ull;
        }
    }
  return h;
}

/* The trainer's work on @rows rows in batches of @batch
 * (co2s-trainer-checkpoint.c): one model, co2s_prequential_step_with_intervals;
 * several, each scored with its intervals, then each learns, the fit
 * measured for model @champion only. Rows/s; the digest of every batch's
 * figures and the final coefficients in @digest. */
static double
run_trainer (const Co2sModelSpec *specs, guint n_models, guint champion,
             const double *x, const double *y, guint n, guint batch, guint rows, guint64 *digest)
{
  Co2sModel *models[CO2S_MAX_MODELS];
  Co2sConformal *conformal[CO2S_MAX_MODELS];
  g_autofree double *bx = g_new (double, (gsize) batch * CO2S_N_FEATURES);
  g_autofree double *by = g_new (double, batch);
  guint64 h = 0xcbf29ce484222325ull;
  gint64 t0;
  double rate;
  guint done = 0, at = 0;

  for (guint i = 0; i < n_models; i++)
    {
      models[i] = co2s_model_new_for_spec (&specs[i]);
      conformal[i] = co2s_conformal_new (CO2S_CONFORMAL_DEFAULT_LEVEL, CO2S_CONFORMAL_DEFAULT_WINDOW);
    }
  t0 = cpu_time_us ();
  while (done < rows)
    {
      guint len = MIN (batch, rows - done);

      at = fill_batch (bx, by, len, x, y, n, at);
      if (n_models == 1)
        {
          Co2sBatchMetrics m = { 0 };

          co2s_prequential_step_with_intervals (models[0], conformal[0], bx, by, len, &m);
          h = digest_doubles (h, (double[]) { m.rmse, m.mae, m.coverage_95, m.rmse_fit }, 4);
        }
      else
        {
          for (guint i = 0; i < n_models; i++)
            {
              Co2sBatchMetrics m = { 0 };

              co2s_prequential_score (models[i], conformal[i], bx, by, len, &m);
              h = digest_doubles (h, (double[]) { m.rmse, m.mae, m.coverage_95 }, 3);
            }
          for (guint i = 0; i < n_models; i++)
            {
              Co2sBatchMetrics m = { 0 };

              co2s_prequential_learn (models[i], bx, by, len, i == champion, &m);
              if (i == champion)
                h = digest_doubles (h, &m.rmse_fit, 1);
            }
        }
      done += len;
    }
  rate = rows / ((cpu_time_us () - t0) / 1e6);
  for (guint i = 0; i < n_models; i++)
    {
      double coef[CO2S_MAX_FEATURES + 1];
      guint d = co2s_model_get_n_coefficients (models[i]);

      co2s_model_get_coefficients (models[i], coef, &coef[d]);
      h = digest_doubles (h, coef, d + 1);
      g_object_unref (models[i]);
      co2s_conformal_free (conformal[i]);
    }
  *digest = h;
  return rate;
}

/* The data set and one cell's model and batch size, for the runs of a
 * cell (bench_run_medians); what the runs leave besides their rows/s. */
typedef struct {
  const double *x;
  const double *y;
  guint n;
  guint batch;
  const Co2sModelSpec *spec;   /* the main table's model */
  double rmse;                 /* the main table's, of the last run */
  guint64 digest_one;          /* the trainer table's, of the last run */
  guint64 digest_three;
} Cell;

/* A run of the main table: the cell's model's rows/s. */
static void
run_cell (gpointer data, double *figures)
{
  Cell *c = data;

  figures[0] = run_once (c->spec, c->x, c->y, c->n, c->batch, (guint) opt_rows, &c->rmse);
}

/* A run of the trainer's table: ls alone, then the three models (ls:fuel,
 * the champion on this data set); the rows/s of each. */
static void
run_trainer_cell (gpointer data, double *figures)
{
  static const Co2sModelSpec one[] = { { CO2S_ALGO_LS, CO2S_FEATURES_BASE } };
  static const Co2sModelSpec three[] = {
    { CO2S_ALGO_LS, CO2S_FEATURES_BASE },
    { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
    { CO2S_ALGO_SGD, CO2S_FEATURES_BASE },
  };
  Cell *c = data;

  figures[0] = run_trainer (one, 1, 0, c->x, c->y, c->n, c->batch, (guint) opt_rows, &c->digest_one);
  figures[1] = run_trainer (three, 3, 1, c->x, c->y, c->n, c->batch, (guint) opt_rows, &c->digest_three);
}

static void
trainer_table (const double *x, const double *y, guint n)
{
  static const guint batches[] = { 100, 1000 };

  g_print ("\nThe trainer's work (score with intervals, learn) on %u rows, median of %d runs, "
           "the two alternating; one thread.\n\n", (guint) opt_rows, opt_runs);
  bench_print_table_head ("rrrrll", "batch rows", "ls rows/s", "ls,ls:fuel,sgd rows/s", "ratio",
                          "digest ls", "digest three", NULL);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      Cell cell = { .x = x, .y = y, .n = n, .batch = batches[b] };
      double rate[2];

      bench_run_medians (opt_runs, 2, run_trainer_cell, &cell, rate);
      g_print ("| %u | %.0f | %.0f | %.2f | %016" G_GINT64_MODIFIER "x | %016" G_GINT64_MODIFIER "x |\n",
               batches[b], rate[0], rate[1], rate[1] / rate[0], cell.digest_one, cell.digest_three);
    }
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
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_runs < 1 || opt_rows < 1)
    {
      g_printerr ("bench-models: %s\n", error != NULL ? error->message : "--runs and --rows must be ≥ 1");
      return 2;
    }
  if (!bench_load_data ("bench-models", opt_csv, &x, &y, &n))
    return 1;

  if (opt_trainer_only)
    {
      trainer_table (x, y, n);
      return 0;
    }
  g_print ("Prequential steps (score, then learn) on %u rows of the data set looped (%u rows), "
           "median of %d runs; one thread.\n\n", (guint) opt_rows, n, opt_runs);
  bench_print_table_head ("lrrrr", "model", "batch rows", "rows/s", "ratio to ls",
                          "mean prequential RMSE, first pass (g/km)", NULL);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      double base_rate = 0;

      for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
        {
          Cell cell = { .x = x, .y = y, .n = n, .batch = batches[b], .spec = &specs[s], .rmse = NAN };
          char name[CO2S_MODEL_SPEC_MAX];
          double rate;

          bench_run_medians (opt_runs, 1, run_cell, &cell, &rate);
          if (s == 0)
            base_rate = rate;
          g_autofree char *rmse_text = isfinite (cell.rmse) ? g_strdup_printf ("%.3f", cell.rmse)
                                                            : g_strdup ("n/a (one batch per pass)");

          g_print ("| %s | %u | %.0f | %.2f | %s |\n", co2s_model_spec_to_string (&specs[s], name),
                   batches[b], rate, rate / base_rate, rmse_text);
        }
    }
  trainer_table (x, y, n);
  return 0;
}
