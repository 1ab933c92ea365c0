/* fuzz-metrics-history.c — the history loader: a whole metrics.jsonl file
 * read by co2s_metrics_history_load_file, as the app does at start.
 *
 * Must hold for any file: it loads (bad lines skipped and reported, good
 * ones kept); the result is what appending each line on its own gives (the
 * reference: co2s_batch_metrics_from_json and co2s_metrics_history_append,
 * line by line); the report's counts add up; batch numbers increase; the
 * KPIs and the rolling mean are computed without trouble; loading the same
 * file again over the result changes no batch (it only counts as older).
 * The first load reads any file of two lines or more by two threads, one
 * half each (a big file's way), so the halves' joining is checked against
 * the line-by-line reference on every input. */
#define G_LOG_DOMAIN "fuzz-metrics-history"

#include <math.h>
#include <string.h>

#include "co2s-metrics-history.h"
#include "co2s-metrics-store-private.h"
#include "fuzz-common.h"

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  guint64 lines, added, duplicates, new_series, rewinds, bad_lines;
  gboolean partial_last_line;
} Counts;

/* The reference: each line parsed and appended on its own. */
static Co2sMetricsHistory *
reference_history (const char *data, gsize size, Counts *counts)
{
  Co2sMetricsHistory *history = co2s_metrics_history_new ();
  const char *p = data, *end = data + size;

  memset (counts, 0, sizeof *counts);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;
      g_autoptr(GError) error = NULL;
      Co2sBatchMetrics m;

      if (!is_blank (p, stop - p))
        {
          counts->lines++;
          if (!co2s_batch_metrics_from_json (p, stop - p, &m, &error))
            {
              fuzz_check_error (error, "co2s_batch_metrics_from_json");
              if (nl == NULL)
                counts->partial_last_line = TRUE;
              else
                counts->bad_lines++;
            }
          else
            switch (co2s_metrics_history_append (history, &m))
              {
              case CO2S_METRICS_APPEND_ADDED:
                counts->added++;
                break;
              case CO2S_METRICS_APPEND_DUPLICATE:
                counts->duplicates++;
                break;
              case CO2S_METRICS_APPEND_NEW_SERIES:
                counts->new_series++;
                counts->added++;
                break;
              case CO2S_METRICS_APPEND_REWOUND:
                counts->rewinds++;
                counts->added++;
                break;
              default:
                fuzz_fail ("unknown append result");
              }
        }
      p = stop + 1;
    }
  return history;
}

static void
check_same_batches (Co2sMetricsHistory *a, Co2sMetricsHistory *b, const char *what)
{
  guint n = co2s_metrics_history_get_n_batches (a);

  fuzz_check (n == co2s_metrics_history_get_n_batches (b), "%s: %u batches, not %u", what,
              co2s_metrics_history_get_n_batches (b), n);
  for (guint i = 0; i < n; i++)
    {
      Co2sBatchMetrics x, y;

      g_assert_true (co2s_metrics_history_get_batch (a, i, &x));
      g_assert_true (co2s_metrics_history_get_batch (b, i, &y));
      fuzz_check (x.batch == y.batch && x.rows == y.rows && x.rows_seen == y.rows_seen &&
                  fuzz_same_double (x.rmse, y.rmse) && fuzz_same_double (x.mae, y.mae) &&
                  fuzz_same_double (x.rmse_fit, y.rmse_fit) && x.timestamp_us == y.timestamp_us &&
                  x.lag == y.lag && x.dlq == y.dlq,
                  "%s: batch at index %u differs (%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT ")",
                  what, i, x.batch, y.batch);
    }
}

static void
check_history (Co2sMetricsHistory *history)
{
  guint n = 0, n_rolling = 0;
  const double *batch = co2s_metrics_history_get_batch_column (history, &n);
  const double *rolling = co2s_metrics_history_get_rolling_rmse_column (history, &n_rolling);
  Co2sMetricsKpis kpis;
  guint64 best_batch = 0;

  fuzz_check (n_rolling == n, "rolling column of %u for %u batches", n_rolling, n);
  for (guint i = 1; i < n; i++)
    fuzz_check (batch[i - 1] < batch[i], "batch numbers do not increase at index %u: %g then %g",
                i, batch[i - 1], batch[i]);
  for (guint i = 0; i < n; i++)
    fuzz_check (isnan (rolling[i]) || isfinite (rolling[i]),
                "rolling mean %g at index %u (the RMSE are finite or NaN)", rolling[i], i);
  for (guint i = 0; i < n; i++)
    fuzz_check (co2s_metrics_history_find_batch (history, (guint64) batch[i]) == (gint64) i ||
                batch[i] >= 9007199254740992.0,
                "find_batch (%g) is not %u", batch[i], i);
  co2s_metrics_history_get_kpis (history, 1700000000000000, &kpis);
  fuzz_check (kpis.batches == n, "KPIs count %" G_GUINT64_FORMAT " batches of %u", kpis.batches, n);
  (void) co2s_metrics_history_get_best_rmse (history, &best_batch);
  (void) co2s_metrics_history_get_rows_per_second (history);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsHistory) reference = NULL;
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(Co2sMetricsLoadReport) report_again = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = fuzz_file_with (data, size);
  Counts counts;

  _co2s_metrics_load_set_parallel_min (1);
  fuzz_check (co2s_metrics_history_load_file (history, path, &report, &error),
              "the history loader failed: %s", error->message);
  _co2s_metrics_load_set_parallel_min (G_MAXSIZE);
  reference = reference_history ((const char *) data, size, &counts);

  fuzz_check (report->lines == counts.lines && report->added == counts.added &&
              report->duplicates == counts.duplicates && report->new_series == counts.new_series &&
              report->rewinds == counts.rewinds && report->bad_lines == counts.bad_lines &&
              report->partial_last_line == counts.partial_last_line,
              "the report (lines %" G_GUINT64_FORMAT ", added %" G_GUINT64_FORMAT
              ", bad %" G_GUINT64_FORMAT ") is not what the lines give (%" G_GUINT64_FORMAT
              ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")",
              report->lines, report->added, report->bad_lines,
              counts.lines, counts.added, counts.bad_lines);
  fuzz_check (report->lines == report->added + report->duplicates + report->bad_lines +
                               (report->partial_last_line ? 1 : 0),
              "the report's counts do not add up");
  fuzz_check (report->problems->len <= CO2S_METRICS_LOAD_MAX_PROBLEMS, "too many problems kept");
  fuzz_check (report->problems->len ==
              MIN (report->bad_lines + (report->partial_last_line ? 1 : 0),
                   (guint64) CO2S_METRICS_LOAD_MAX_PROBLEMS),
              "%u problems for %" G_GUINT64_FORMAT " bad lines", report->problems->len,
              report->bad_lines);
  for (guint i = 0; i < report->problems->len; i++)
    fuzz_check_utf8 (report->problems->pdata[i], -1, "a load problem");
  check_same_batches (reference, history, "loaded vs. appended line by line");
  fuzz_check (co2s_metrics_history_get_series (history) == co2s_metrics_history_get_series (reference),
              "series %u, appended line by line %u", co2s_metrics_history_get_series (history),
              co2s_metrics_history_get_series (reference));
  check_history (history);

  /* The same file again, as older than what is held: nothing changes. */
  fuzz_check (co2s_metrics_history_load_file (history, path, &report_again, &error),
              "the history loader failed the second time: %s", error->message);
  check_same_batches (reference, history, "loaded twice vs. once");
  check_history (history);
  return 0;
}
