/* bench-metrics-parse.c — the metrics-line readers on every line of a file:
 * json-glib (co2s_batch_metrics_from_json, what loading used before) and
 * the fast reader (co2s_batch_metrics_parse), CPU seconds and lines/s each,
 * best of 3. For bench/history-load.py:
 *
 *   bench-metrics-parse FILE */
#define G_LOG_DOMAIN "bench-metrics-parse"

#include <string.h>
#include <time.h>

#include "co2s-metrics-scan.h"

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
parse_all (const char *data, gsize len, gboolean fast, guint64 *lines, guint64 *bad)
{
  const char *p = data, *end = data + len;
  double start = cpu_now ();

  *lines = *bad = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      gsize n = (gsize) ((nl ? nl : end) - p);
      Co2sBatchMetrics m;
      gboolean ok = fast ? co2s_batch_metrics_parse (p, n, &m, NULL)
                         : co2s_batch_metrics_from_json (p, n, &m, NULL);

      (*lines)++;
      *bad += !ok;
      p = nl ? nl + 1 : end;
    }
  return cpu_now () - start;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "json-glib", "fast" };
  double best[2] = { G_MAXDOUBLE, G_MAXDOUBLE };
  guint64 lines = 0, bad = 0;

  if (argc != 2)
    {
      g_printerr ("usage: bench-metrics-parse FILE\n");
      return 2;
    }
  mapped = g_mapped_file_new (argv[1], FALSE, &error);
  if (mapped == NULL)
    {
      g_printerr ("bench-metrics-parse: %s\n", error->message);
      return 1;
    }
  for (int round = 0; round < 3; round++)
    for (int k = 0; k < 2; k++)
      best[k] = MIN (best[k], parse_all (g_mapped_file_get_contents (mapped),
                                         g_mapped_file_get_length (mapped), k == 1, &lines, &bad));
  for (int k = 0; k < 2; k++)
    g_print ("%s: %" G_GUINT64_FORMAT " lines (%" G_GUINT64_FORMAT " bad) in %.3f s CPU, %.0f lines/s\n",
             names[k], lines, bad, best[k], (double) lines / best[k]);
  g_print ("fast / json-glib: %.1f x\n", best[0] / best[1]);
  return 0;
}
