/* bench-merge.c — what co2s_model_merge costs (partition-parallel
 * learning, issue 13) by feature set, against what learning one batch of
 * 100 rows costs the same model. Six partition models learn the real data
 * set (rows by index mod 6, batches of 100); then one model absorbs them
 * merge after merge, and the same kind of model learns the data set in
 * batches of 100, looped. Prints a Markdown table: µs per merge and per
 * batch, median of several runs, their ratio, and the µs of
 * co2s_model_merge_all of the six into a fresh model (one solve).
 *
 *   builddir/bench/bench-merge [--csv data/co2_processed.csv] [--runs 7] [--merges 20000]
 */
#define G_LOG_DOMAIN "bench-merge"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "co2s-model.h"

#define N_PARTS 6
#define BATCH 100

static char *opt_csv;
static int opt_runs = 7;
static int opt_merges = 20000;

static const GOptionEntry entries[] = {
  { "csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv, "The data set (default data/co2_processed.csv)", "PATH" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per cell; the median is shown (default 7)", "N" },
  { "merges", 0, 0, G_OPTION_ARG_INT, &opt_merges, "Merges (and batches) per run (default 20000)", "N" },
  { NULL }
};

/* Model @p of the six: rows p, p+6, p+12… in batches of 100. */
static Co2sModel *
learn_partition (const Co2sModelSpec *spec, const double *x, const double *y, guint n, guint p)
{
  Co2sModel *model = co2s_model_new_for_spec (spec);
  double bx[BATCH * CO2S_N_FEATURES];
  double by[BATCH];
  guint len = 0;

  for (guint i = p; i < n; i += N_PARTS)
    {
      memcpy (bx + (gsize) len * CO2S_N_FEATURES, x + (gsize) i * CO2S_N_FEATURES,
              CO2S_N_FEATURES * sizeof (double));
      by[len++] = y[i];
      if (len == BATCH || i + N_PARTS >= n)
        {
          co2s_model_learn (model, bx, by, len);
          len = 0;
        }
    }
  return model;
}

/* µs per merge: @merges merges of the partitions, in turn, into one model. */
static double
merge_once (const Co2sModelSpec *spec, Co2sModel *parts[N_PARTS], guint merges)
{
  g_autoptr(Co2sModel) into = co2s_model_new_for_spec (spec);
  g_autoptr(GError) error = NULL;
  gint64 t0;

  /* Not timed: the first merge only copies. */
  if (!co2s_model_merge (into, parts[0], &error))
    g_error ("merge: %s", error->message);
  t0 = g_get_monotonic_time ();
  for (guint k = 0; k < merges; k++)
    if (!co2s_model_merge (into, parts[k % N_PARTS], &error))
      g_error ("merge: %s", error->message);
  return (g_get_monotonic_time () - t0) / (double) merges;
}

/* µs per co2s_model_merge_all of the six partitions into a fresh model
 * (its first model only copied, so five merges and one solve). */
static double
merge_all_once (const Co2sModelSpec *spec, Co2sModel *parts[N_PARTS], guint times)
{
  g_autoptr(GError) error = NULL;
  gint64 t0, spent = 0;

  for (guint k = 0; k < times; k++)
    {
      g_autoptr(Co2sModel) into = co2s_model_new_for_spec (spec);

      t0 = g_get_monotonic_time ();
      if (!co2s_model_merge_all (into, parts, N_PARTS, &error))
        g_error ("merge_all: %s", error->message);
      spent += g_get_monotonic_time () - t0;
    }
  return spent / (double) times;
}

/* µs per learn() of 100 rows, the data set looped, @batches batches. */
static double
learn_once (const Co2sModelSpec *spec, const double *x, const double *y, guint n, guint batches)
{
  g_autoptr(Co2sModel) model = co2s_model_new_for_spec (spec);
  guint n_starts = n / BATCH;
  gint64 t0;

  t0 = g_get_monotonic_time ();
  for (guint k = 0; k < batches; k++)
    {
      guint at = (k % n_starts) * BATCH;

      co2s_model_learn (model, x + (gsize) at * CO2S_N_FEATURES, y + at, BATCH);
    }
  return (g_get_monotonic_time () - t0) / (double) batches;
}

/* One model's partitions and the data set, for its runs (bench_run_medians). */
typedef struct {
  const Co2sModelSpec *spec;
  Co2sModel *parts[N_PARTS];
  const double *x;
  const double *y;
  guint n;
} Cell;

/* A run: µs per merge, per batch learnt, per merge_all, interleaved so that
 * the three see the same machine state. */
static void
run_cell (gpointer data, double *figures)
{
  Cell *c = data;

  figures[0] = merge_once (c->spec, c->parts, (guint) opt_merges);
  figures[1] = learn_once (c->spec, c->x, c->y, c->n, (guint) opt_merges);
  figures[2] = merge_all_once (c->spec, c->parts, MAX ((guint) opt_merges / N_PARTS, 1));
}

int
main (int argc, char *argv[])
{
  static const Co2sModelSpec specs[] = {
    { CO2S_ALGO_LS, CO2S_FEATURES_BASE },
    { CO2S_ALGO_LS, CO2S_FEATURES_FUEL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- cost of merging ls models");
  g_autoptr(GError) error = NULL;
  g_autofree char *batch_title = NULL;
  g_autofree char *all_title = NULL;
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_runs < 1 || opt_merges < 1)
    {
      g_printerr ("bench-merge: %s\n", error != NULL ? error->message : "--runs and --merges must be ≥ 1");
      return 2;
    }
  if (!bench_load_data ("bench-merge", opt_csv, &x, &y, &n))
    return 1;
  if (n < BATCH * N_PARTS)
    {
      g_printerr ("bench-merge: the data set has %u rows; it needs at least %u\n", n, BATCH * N_PARTS);
      return 1;
    }

  /* printf, not g_print: the table's "µs" stays UTF-8 whatever the locale. */
  printf ("co2s_model_merge of %d partition models (the data set's %u rows by index mod %d) into one "
           "model, %d merges a run, against learn() of one batch of %d rows, %d batches a run; "
           "median of %d runs; one thread.\n\n",
           N_PARTS, n, N_PARTS, opt_merges, BATCH, opt_merges, opt_runs);
  batch_title = g_strdup_printf ("µs per batch of %d rows", BATCH);
  all_title = g_strdup_printf ("µs to merge_all the %d partitions", N_PARTS);
  bench_print_table_head ("lrrrrr", "model", "features", "µs per merge", batch_title, "merge / batch",
                          all_title, NULL);
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    {
      Cell cell = { .spec = &specs[s], .x = x, .y = y, .n = n };
      char name[CO2S_MODEL_SPEC_MAX];
      double us[3];   /* per merge, per batch, per merge_all */

      for (guint p = 0; p < N_PARTS; p++)
        cell.parts[p] = learn_partition (&specs[s], x, y, n, p);
      bench_run_medians (opt_runs, G_N_ELEMENTS (us), run_cell, &cell, us);
      printf ("| %s | %u | %.2f | %.2f | %.2f | %.2f |\n", co2s_model_spec_to_string (&specs[s], name),
              co2s_feature_set_get_dim (specs[s].features), us[0], us[1], us[0] / us[1], us[2]);
      for (guint p = 0; p < N_PARTS; p++)
        g_object_unref (cell.parts[p]);
    }
  return 0;
}
