/* history-gen.c — writes a model folder's metrics as a long trainer run
 * would, through the trainer's own log and rotation (co2s-metrics-log.h),
 * for bench/history-load.sh:
 *
 *   history-gen DIR BATCHES [--budget-mb MB] [--per-checkpoint K] [--seconds-per-batch S] [--models N]
 *
 * Batches have a prequential RMSE that falls from ~40 to ~3 g/km with noise
 * and bumps (a drift every ~10 % of the run), timestamps S seconds apart
 * (default 0.02: 50 batches/s, 5,000 rows/s in batches of 100). Budget 0:
 * no rotation (one metrics.jsonl of every batch). Checkpoints are not
 * fdatasync'ed here (the rotation's own writes are): the files are what a
 * run leaves, only faster to make. --models N (2 to CO2S_METRICS_MAX_MODELS)
 * writes the lines of a trainer of N models (--algo ls,ls:fuel,sgd,…):
 * each with its own figures, the champion's at the top level. Prints the
 * sizes. */
#define G_LOG_DOMAIN "history-gen"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "co2s-metrics-log.h"
#include "co2s-metrics-rollup.h"

static guint64
file_size (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sMetricsLog) log = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *path = NULL;
  g_autofree char *history = NULL;
  double budget_mb = 100, seconds_per_batch = 0.02;
  int per_checkpoint = 100;
  int n_models = 1;
  static const char *model_names[CO2S_METRICS_MAX_MODELS] = {
    "ls", "ls:fuel", "sgd", "sgd:fuel", "rls", "rls:fuel", "ls:x", "sgd:x",
  };
  guint64 batches, rotations = 0;
  Co2sBatchMetrics last;
  GOptionEntry entries[] = {
    { "budget-mb", 0, 0, G_OPTION_ARG_DOUBLE, &budget_mb, "Budget (0: none)", "MB" },
    { "per-checkpoint", 0, 0, G_OPTION_ARG_INT, &per_checkpoint, "Batches per checkpoint", "K" },
    { "seconds-per-batch", 0, 0, G_OPTION_ARG_DOUBLE, &seconds_per_batch, "Time between batches", "S" },
    { "models", 0, 0, G_OPTION_ARG_INT, &n_models, "Models per line (1, or 2 to 8)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR BATCHES");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 || per_checkpoint < 1 ||
      n_models < 1 || n_models > CO2S_METRICS_MAX_MODELS)
    {
      g_printerr ("usage: history-gen DIR BATCHES [--budget-mb MB] [--per-checkpoint K] "
                  "[--seconds-per-batch S] [--models N]\n");
      return 2;
    }
  batches = g_ascii_strtoull (argv[2], NULL, 10);
  path = g_build_filename (argv[1], "metrics.jsonl", NULL);
  history = co2s_metrics_history_path_for (path);

  log = co2s_metrics_log_open (path, 0, TRUE, &last, NULL, &error);
  if (log == NULL)
    {
      g_printerr ("history-gen: %s\n", error->message);
      return 1;
    }
  co2s_metrics_log_set_max_bytes (log, (guint64) (budget_mb * 1024 * 1024), NULL, NULL);

  for (guint64 b = 1; b <= batches; b++)
    {
      double progress = (double) b / (double) batches;
      double bump = fmod (progress * 10.0, 1.0) < 0.02 ? 6.0 : 0.0;
      double rmse = 3.0 + 37.0 * exp (-(double) b / 2000.0) + bump + fabs (g_rand_double_range (rand, -1, 1));
      Co2sBatchMetrics m = {
        .batch = b,
        .rows = 100,
        .rows_seen = b * 100,
        .rmse = rmse,
        .mae = rmse * g_rand_double_range (rand, 0.7, 0.8),
        .rmse_fit = rmse * 0.95,
        .timestamp_us = G_GINT64_CONSTANT (1790000000000000) + (gint64) ((double) b * seconds_per_batch * 1e6),
        .lag = g_rand_int_range (rand, 0, 500),
        .latency_ms_p50 = g_rand_double_range (rand, 5, 30),
        .latency_ms_max = g_rand_double_range (rand, 30, 120),
        .algo = "ls",
      };

      if (n_models > 1)
        {
          guint champion = 0;

          m.n_models = (guint) n_models;
          for (guint k = 0; k < m.n_models; k++)
            {
              Co2sModelMetrics *mm = &m.models[k];
              double r = rmse * (1.0 + 0.05 * k) + fabs (g_rand_double_range (rand, -0.5, 0.5));

              g_strlcpy (mm->name, model_names[k], sizeof mm->name);
              mm->rmse = r;
              mm->mae = r * g_rand_double_range (rand, 0.7, 0.8);
              mm->coverage_95 = g_rand_double_range (rand, 0.9, 1.0);
              mm->rolling_rmse = r * g_rand_double_range (rand, 0.95, 1.05);
              mm->drift_alarm = bump > 0 && g_rand_int_range (rand, 0, 50) == 0;
              if (mm->rolling_rmse < m.models[champion].rolling_rmse)
                champion = k;
            }
          g_strlcpy (m.algo, m.models[champion].name, sizeof m.algo);
          m.rmse = m.models[champion].rmse;
          m.mae = m.models[champion].mae;
          m.coverage_95 = m.models[champion].coverage_95;
          m.drift_alarm = m.models[champion].drift_alarm;
        }

      co2s_batch_metrics_to_json (&m, lines);
      if (b % (guint64) per_checkpoint == 0 || b == batches)
        {
          gboolean rotated = FALSE;

          if (!co2s_metrics_log_append (log, lines->str, lines->len, &error) ||
              !co2s_metrics_log_rotate (log, &rotated, &error))
            {
              g_printerr ("history-gen: %s\n", error->message);
              return 1;
            }
          rotations += rotated;
          g_string_truncate (lines, 0);
        }
    }
  g_print ("%" G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT " rotations: metrics.jsonl %"
           G_GUINT64_FORMAT " bytes, %s %" G_GUINT64_FORMAT " bytes\n",
           batches, rotations, file_size (path), CO2S_METRICS_HISTORY_FILE, file_size (history));
  return 0;
}
