/* bench-util.c — the model benchmarks' shared parts (bench-util.h). */
#define G_LOG_DOMAIN "bench-util"

#include "bench-util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co2s-csv.h"

gboolean
bench_load_data (const char *prog, const char *csv_path, double **x, double **y, guint *n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  double *fx, *fy;
  guint rows;

  g_return_val_if_fail (prog != NULL && x != NULL && y != NULL && n != NULL, FALSE);

  csv = co2s_csv_load (csv_path != NULL ? csv_path : "data/co2_processed.csv", &error);
  if (csv == NULL)
    {
      g_printerr ("%s: %s\n", prog, error->message);
      return FALSE;
    }
  rows = csv->rows->len;
  fx = g_new (double, (gsize) rows * CO2S_N_FEATURES);
  fy = g_new (double, rows);
  for (guint i = 0; i < rows; i++)
    {
      const Co2sRecord *r = &g_array_index (csv->rows, Co2sRecord, i);

      co2s_record_features (r, fx + (gsize) i * CO2S_N_FEATURES);
      fy[i] = co2s_record_target (r);
    }
  *x = fx;
  *y = fy;
  *n = rows;
  return TRUE;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
bench_run_medians (int runs, guint n_figures, BenchRunFunc run, gpointer data, double *medians)
{
  g_autofree double *figures = NULL;
  g_autofree double *column = NULL;

  g_return_if_fail (runs >= 1 && n_figures >= 1 && run != NULL && medians != NULL);

  /* Run r's figures at figures[r * n_figures …]. */
  figures = g_new (double, (gsize) runs * n_figures);
  column = g_new (double, runs);
  for (int r = 0; r < runs; r++)
    run (data, figures + (gsize) r * n_figures);
  for (guint f = 0; f < n_figures; f++)
    {
      for (int r = 0; r < runs; r++)
        column[r] = figures[(gsize) r * n_figures + f];
      qsort (column, runs, sizeof (double), cmp_double);
      medians[f] = column[runs / 2];
    }
}

void
bench_print_table_head (const char *aligns, ...)
{
  g_autoptr(GString) titles = g_string_new ("|");
  g_autoptr(GString) rule = g_string_new ("|");
  va_list args;

  g_return_if_fail (aligns != NULL);

  va_start (args, aligns);
  for (const char *a = aligns; *a != '\0'; a++)
    {
      const char *title = va_arg (args, const char *);

      g_assert (title != NULL && (*a == 'l' || *a == 'r'));
      g_string_append_printf (titles, " %s |", title);
      g_string_append (rule, *a == 'r' ? " ---: |" : " --- |");
    }
  g_assert (va_arg (args, const char *) == NULL);
  va_end (args);
  printf ("%s\n%s\n", titles->str, rule->str);
}
