/* fuzz-metrics-scale-out.c — a scale-out run's history: the input's lines
 * dealt to three trainers' files (DIR/trainers/{a,b,c}/metrics.jsonl, line
 * i to trainer i mod 3), read by co2s_metrics_history_load_file on
 * DIR/metrics.jsonl, as the app does for a model folder.
 *
 * Must hold for any input: it loads (bad lines, and lines that are not a
 * scale-out trainer's, skipped and reported); the result is the
 * reference's: each file's good lines with a duplicate (partition,
 * partition_batch) of the same file dropped, all of them sorted by
 * (timestamp_us, partition, partition_batch, file, place in the file),
 * each (partition, partition_batch) kept once, numbered 1, 2, 3…; the
 * report's counts add up; the KPIs are computed; loading again over the
 * result changes nothing. */
#define G_LOG_DOMAIN "fuzz-metrics-scale-out"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "co2s-metrics-history.h"
#include "fuzz-common.h"

#define N_TRAINERS 3

static const char *const trainer_ids[N_TRAINERS] = { "a", "b", "c" };

typedef struct {
  Co2sBatchMetrics m;
  guint file;
  guint place;          /* among the file's kept lines */
} Line;

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const Line *x = a, *y = b;

  if (x->m.timestamp_us != y->m.timestamp_us)
    return x->m.timestamp_us < y->m.timestamp_us ? -1 : 1;
  if (x->m.partition != y->m.partition)
    return x->m.partition < y->m.partition ? -1 : 1;
  if (x->m.partition_batch != y->m.partition_batch)
    return x->m.partition_batch < y->m.partition_batch ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return x->place < y->place ? -1 : x->place > y->place;
}

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

static char *
origin_key (const Co2sBatchMetrics *m)
{
  return g_strdup_printf ("%d/%" G_GUINT64_FORMAT, m->partition, m->partition_batch);
}

static void
check_same (Co2sMetricsHistory *history, GArray *expected, const char *what)
{
  guint n = co2s_metrics_history_get_n_batches (history);

  fuzz_check (n == expected->len, "%s: %u batches, the reference %u", what, n, expected->len);
  for (guint i = 0; i < n; i++)
    {
      const Line *e = &g_array_index (expected, Line, i);
      Co2sBatchMetrics got;
      gint partition = -1;
      guint64 pb = 0;
      const char *trainer = NULL;

      g_assert_true (co2s_metrics_history_get_batch (history, i, &got));
      fuzz_check (co2s_metrics_history_get_batch_origin (history, i, &partition, &pb, &trainer),
                  "%s: batch %u has no origin", what, i);
      fuzz_check (got.batch == i + 1, "%s: batch at index %u numbered %" G_GUINT64_FORMAT, what, i, got.batch);
      fuzz_check (partition == e->m.partition && pb == e->m.partition_batch &&
                  strcmp (trainer, e->m.trainer) == 0 && got.timestamp_us == e->m.timestamp_us &&
                  got.rows == e->m.rows && got.rows_seen == e->m.rows_seen,
                  "%s: batch %u is %d/%" G_GUINT64_FORMAT ", the reference's %d/%" G_GUINT64_FORMAT,
                  what, i, partition, pb, e->m.partition, e->m.partition_batch);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *dir = g_build_filename (fuzz_tmpdir (), "scale-out", NULL);
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(Co2sMetricsLoadReport) report = NULL;
  g_autoptr(Co2sMetricsLoadReport) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *files[N_TRAINERS];
  GHashTable *in_file[N_TRAINERS];
  guint places[N_TRAINERS] = { 0 };
  guint64 lines = 0, bad = 0;
  const char *p = (const char *) data, *end = p + size;
  guint index = 0;
  Co2sMetricsKpis kpis;

  for (guint f = 0; f < N_TRAINERS; f++)
    {
      files[f] = g_string_new (NULL);
      in_file[f] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  /* Dealt to the files, every line '\n'-ended; the reference on the way. */
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *stop = nl != NULL ? nl : end;
      guint f = index++ % N_TRAINERS;
      g_autoptr(GError) line_error = NULL;
      Line line = { .file = f };

      g_string_append_len (files[f], p, stop - p);
      g_string_append_c (files[f], '\n');
      if (!is_blank (p, (gsize) (stop - p)))
        {
          lines++;
          if (!co2s_batch_metrics_from_json (p, (gsize) (stop - p), &line.m, &line_error) ||
              line.m.partition_batch == 0)
            bad++;
          else if (g_hash_table_add (in_file[f], origin_key (&line.m)))
            {
              line.place = places[f]++;
              g_array_append_val (expected, line);
            }
        }
      p = stop + 1;
    }
  g_array_sort (expected, compare_lines);
  {
    guint out = 0;

    for (guint i = 0; i < expected->len; i++)
      if (g_hash_table_add (kept, origin_key (&g_array_index (expected, Line, i).m)))
        g_array_index (expected, Line, out++) = g_array_index (expected, Line, i);
    g_array_set_size (expected, out);
  }

  for (guint f = 0; f < N_TRAINERS; f++)
    {
      g_autofree char *folder = g_build_filename (dir, "trainers", trainer_ids[f], NULL);
      g_autofree char *file = g_build_filename (folder, "metrics.jsonl", NULL);

      if (g_mkdir_with_parents (folder, 0700) != 0 ||
          !g_file_set_contents (file, files[f]->str, (gssize) files[f]->len, &error))
        g_error ("cannot write %s: %s", file, error != NULL ? error->message : g_strerror (errno));
      g_string_free (files[f], TRUE);
      g_hash_table_unref (in_file[f]);
    }

  fuzz_check (co2s_metrics_history_load_file (history, path, &report, &error),
              "the scale-out history loader failed: %s", error->message);
  check_same (history, expected, "loaded vs. the reference");
  fuzz_check (report->lines == lines && report->bad_lines == bad && report->added == expected->len &&
              !report->partial_last_line,
              "the report (lines %" G_GUINT64_FORMAT ", bad %" G_GUINT64_FORMAT ", added %" G_GUINT64_FORMAT
              ") is not the reference's (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %u)",
              report->lines, report->bad_lines, report->added, lines, bad, expected->len);
  fuzz_check (report->lines == report->added + report->duplicates + report->bad_lines,
              "the report's counts do not add up");
  fuzz_check (report->problems->len == MIN (report->bad_lines, (guint64) CO2S_METRICS_LOAD_MAX_PROBLEMS),
              "%u problems for %" G_GUINT64_FORMAT " bad lines", report->problems->len, report->bad_lines);
  for (guint i = 0; i < report->problems->len; i++)
    fuzz_check_utf8 (report->problems->pdata[i], -1, "a load problem");
  co2s_metrics_history_get_kpis (history, 1700000000000000, &kpis);
  fuzz_check (kpis.batches == expected->len, "KPIs count %" G_GUINT64_FORMAT " batches of %u", kpis.batches,
              expected->len);
  (void) co2s_metrics_history_get_rolling_rmse_column (history, NULL);
  (void) co2s_metrics_history_get_rate_column (history, NULL);

  /* The same files again, as older than what is held: nothing changes. */
  fuzz_check (co2s_metrics_history_load_file (history, path, &again, &error),
              "the scale-out history loader failed the second time: %s", error->message);
  check_same (history, expected, "loaded twice vs. the reference");
  return 0;
}
