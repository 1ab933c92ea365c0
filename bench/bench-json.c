/* bench-json.c — speed of the record JSON codec: encode, the fast decoder,
 * the json-glib reference decoder and the producer's peek, in rows per
 * second on one core (median of several runs), with ratios to json-glib.
 *
 *   bench-json                        generated realistic records
 *   bench-json --csv data/co2_processed.csv
 *                                     the real data set; also checks that it
 *                                     loads with no bad row and that every row
 *                                     survives encode → both decoders unchanged
 *   --cpu-time                        times runs with the thread's CPU clock
 *                                     instead of the wall clock: steadier on a
 *                                     shared machine (time spent waiting for the
 *                                     core does not count)
 *   --fast-only                       only the fast decoder and peek (no encode,
 *                                     no json-glib: no ratios)
 */
#define G_LOG_DOMAIN "bench-json"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "co2s-csv.h"
#include "co2s-record-json.h"

typedef struct {
  GString *text;      /* the lines, each ending in '\n' */
  GArray *offsets;    /* gsize: start of line i; one more at the end */
  GArray *records;    /* Co2sRecord */
} Corpus;

typedef guint (*BenchFunc) (Corpus *corpus, gpointer data);

static double
round1 (double v)
{
  return round (v * 10.0) / 10.0;
}

/* Records shaped like the data set: one-decimal litres and L/100 km,
 * consistent combined figures, one fuel flag. */
static void
generate (Corpus *corpus, guint n_rows)
{
  static const double cylinders[] = { 3, 4, 4, 4, 6, 6, 8, 8, 10, 12, 16 };
  static const int fuel_weights[] = { 175, 370, 1, 3637, 3202 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240607);
  gint64 ts = G_GINT64_CONSTANT (1717750000000000);

  for (guint i = 0; i < n_rows; i++)
    {
      Co2sRecord r;
      double city, hwy, comb;
      int pick = g_rand_int_range (rand, 0, 7385), fuel = 0;

      co2s_record_init (&r);
      r.values[CO2S_COL_ENGINE_SIZE] = round1 (g_rand_double_range (rand, 0.9, 8.4));
      r.values[CO2S_COL_CYLINDERS] = cylinders[g_rand_int_range (rand, 0, G_N_ELEMENTS (cylinders))];
      city = round1 (g_rand_double_range (rand, 4.2, 30.6));
      hwy = round1 (city * g_rand_double_range (rand, 0.6, 0.8));
      comb = round1 (0.55 * city + 0.45 * hwy);
      r.values[CO2S_COL_FUEL_CITY] = city;
      r.values[CO2S_COL_FUEL_HWY] = hwy;
      r.values[CO2S_COL_FUEL_COMB] = comb;
      r.values[CO2S_COL_FUEL_COMB_MPG] = round (235.215 / comb);
      r.values[CO2S_COL_CO2] = round (comb * g_rand_double_range (rand, 21.0, 25.0));
      while (pick >= fuel_weights[fuel])
        pick -= fuel_weights[fuel++];
      for (int f = 0; f < 5; f++)
        r.values[CO2S_COL_FUEL_D + f] = (f == fuel) ? 1.0 : 0.0;
      r.seq = i;
      r.emit_us = ts + i * 200;
      g_array_append_val (corpus->records, r);
    }
}

static void
encode_corpus (Corpus *corpus)
{
  g_string_truncate (corpus->text, 0);
  g_array_set_size (corpus->offsets, 0);
  for (guint i = 0; i < corpus->records->len; i++)
    {
      gsize off = corpus->text->len;

      g_array_append_val (corpus->offsets, off);
      co2s_record_to_json (&g_array_index (corpus->records, Co2sRecord, i), corpus->text);
    }
  g_array_append_val (corpus->offsets, corpus->text->len);
}

static inline const char *
line_at (Corpus *corpus, guint i, gsize *len)
{
  gsize start = g_array_index (corpus->offsets, gsize, i);

  *len = g_array_index (corpus->offsets, gsize, i + 1) - start - 1;   /* no '\n' */
  return corpus->text->str + start;
}

static guint
bench_encode (Corpus *corpus, gpointer data)
{
  GString *out = data;

  for (guint i = 0; i < corpus->records->len; i++)
    {
      g_string_truncate (out, 0);
      co2s_record_to_json (&g_array_index (corpus->records, Co2sRecord, i), out);
    }
  return corpus->records->len;
}

static guint
bench_decode (Corpus *corpus, gpointer data)
{
  gboolean (*decode) (const char *, gsize, Co2sRecord *, GError **) = data;
  guint bad = 0;

  for (guint i = 0; i < corpus->records->len; i++)
    {
      Co2sRecord r;
      gsize len;
      const char *line = line_at (corpus, i, &len);

      if (!decode (line, len, &r, NULL))
        bad++;
    }
  if (bad > 0)
    g_error ("%u of %u lines failed to decode", bad, corpus->records->len);
  return corpus->records->len;
}

static guint
bench_peek (Corpus *corpus, gpointer data)
{
  gboolean (*peek) (const char *, gsize, gint64 *, GError **) = data;

  for (guint i = 0; i < corpus->records->len; i++)
    {
      gint64 seq;
      gsize len;
      const char *line = line_at (corpus, i, &len);

      if (!peek (line, len, &seq, NULL) || seq < 0)
        g_error ("line %u: peek failed", i);
    }
  return corpus->records->len;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static gboolean use_cpu_time;

/* µs on the monotonic clock, or of this thread's CPU time with --cpu-time. */
static gint64
now_us (void)
{
  struct timespec ts;

  if (!use_cpu_time)
    return g_get_monotonic_time ();
  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    g_error ("clock_gettime (CLOCK_THREAD_CPUTIME_ID): %s", g_strerror (errno));
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Median rows/s over @runs runs, each repeating @func for at least @min_s. */
static double
measure (Corpus *corpus, BenchFunc func, gpointer data, guint runs, double min_s)
{
  double rates[32];

  runs = MIN (runs, G_N_ELEMENTS (rates));
  func (corpus, data);   /* warm up */
  for (guint r = 0; r < runs; r++)
    {
      gint64 start = now_us (), elapsed;
      guint64 rows = 0;

      do
        {
          rows += func (corpus, data);
          elapsed = now_us () - start;
        }
      while (elapsed < min_s * G_USEC_PER_SEC);
      rates[r] = rows / (elapsed / (double) G_USEC_PER_SEC);
    }
  qsort (rates, runs, sizeof rates[0], compare_doubles);
  return rates[runs / 2];
}

/* The real-file checks: loads clean, and round-trips bit for bit. */
static gboolean
check_round_trip (Corpus *corpus)
{
  for (guint i = 0; i < corpus->records->len; i++)
    {
      const Co2sRecord *want = &g_array_index (corpus->records, Co2sRecord, i);
      Co2sRecord fast, ref;
      g_autoptr(GError) error = NULL;
      gsize len;
      const char *line = line_at (corpus, i, &len);

      if (!co2s_record_from_json (line, len, &fast, &error) ||
          !co2s_record_from_json_glib (line, len, &ref, NULL) ||
          memcmp (&fast, want, sizeof fast) != 0 || memcmp (&ref, want, sizeof ref) != 0)
        {
          g_printerr ("row %u does not round-trip: %.*s (%s)\n", i, (int) len, line,
                      error ? error->message : "values differ");
          return FALSE;
        }
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *csv_path = NULL;
  int n_rows = 100000, runs = 5;
  double min_s = 0.3;
  gboolean fast_only = FALSE;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "Use the rows of this CSV (e.g. data/co2_processed.csv)", "PATH" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Generated records when no --csv (default 100000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per measurement; the median is shown (default 5)", "N" },
    { "min-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &min_s, "Minimum length of one run (default 0.3)", "S" },
    { "cpu-time", 0, 0, G_OPTION_ARG_NONE, &use_cpu_time, "Time with the thread's CPU clock, not the wall clock", NULL },
    { "fast-only", 0, 0, G_OPTION_ARG_NONE, &fast_only, "Only the fast decoder and peek", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark the record JSON codec");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) scratch = g_string_sized_new (1024);
  Corpus corpus;
  double enc = NAN, fast, ref = NAN, peek, peek_ref = NAN;
  gsize bytes;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-json: %s\n", error->message);
      return 2;
    }
  if (n_rows <= 0 || runs <= 0 || min_s <= 0)
    {
      g_printerr ("bench-json: --rows, --runs and --min-seconds must be positive\n");
      return 2;
    }

  corpus.text = g_string_new (NULL);
  corpus.offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  corpus.records = g_array_new (FALSE, FALSE, sizeof (Co2sRecord));

  if (csv_path != NULL)
    {
      g_autoptr(Co2sCsv) csv = NULL;
      gint64 t0 = g_get_monotonic_time ();

      csv = co2s_csv_load (csv_path, &error);
      if (csv == NULL)
        {
          g_printerr ("bench-json: %s\n", error->message);
          return 1;
        }
      g_print ("%s: %u rows, %u bad, loaded in %.1f ms\n", csv_path, csv->rows->len,
               csv->n_bad, (g_get_monotonic_time () - t0) / 1000.0);
      if (csv->n_bad > 0)
        {
          g_printerr ("bench-json: the data set should have no bad row\n");
          return 1;
        }
      for (guint i = 0; i < csv->rows->len; i++)
        {
          Co2sRecord r = g_array_index (csv->rows, Co2sRecord, i);

          r.seq = i;
          r.emit_us = G_GINT64_CONSTANT (1717750000000000) + i * 200;
          g_array_append_val (corpus.records, r);
        }
    }
  else
    generate (&corpus, n_rows);

  encode_corpus (&corpus);
  if (!check_round_trip (&corpus))
    return 1;
  bytes = corpus.text->len;
  g_print ("%u records, %.0f bytes per line on average, every one round-trips through both decoders\n",
           corpus.records->len, (double) bytes / corpus.records->len);

  if (!fast_only)
    enc = measure (&corpus, bench_encode, scratch, runs, min_s);
  fast = measure (&corpus, bench_decode, co2s_record_from_json, runs, min_s);
  if (!fast_only)
    ref = measure (&corpus, bench_decode, co2s_record_from_json_glib, runs, min_s);
  peek = measure (&corpus, bench_peek, co2s_json_object_peek_seq, runs, min_s);
  if (!fast_only)
    peek_ref = measure (&corpus, bench_peek, co2s_json_object_peek_seq_glib, runs, min_s);

  /* With --fast-only the json-glib columns are NAN and print as such. */
  g_print ("\n%-34s %14s %10s %12s\n", "operation (one core)", "rows/s", "MB/s", "vs json-glib");
  if (!fast_only)
    g_print ("%-34s %14.0f %10.1f %11.2fx\n", "encode (co2s_record_to_json)", enc,
             enc * bytes / corpus.records->len / 1e6, enc / ref);
  g_print ("%-34s %14.0f %10.1f %11.2fx\n", "decode, fast (co2s_record_from_json)", fast,
           fast * bytes / corpus.records->len / 1e6, fast / ref);
  if (!fast_only)
    g_print ("%-34s %14.0f %10.1f %11.2fx\n", "decode, json-glib reference", ref,
             ref * bytes / corpus.records->len / 1e6, 1.0);
  g_print ("%-34s %14.0f %10.1f %11.2fx\n", "peek seq, fast", peek,
           peek * bytes / corpus.records->len / 1e6, peek / peek_ref);
  if (!fast_only)
    g_print ("%-34s %14.0f %10.1f %11.2fx\n", "peek seq, json-glib reference", peek_ref,
             peek_ref * bytes / corpus.records->len / 1e6, 1.0);
  g_print ("(median of %d runs of >= %.1f s of %s; fast-decoder fallbacks to json-glib: %" G_GUINT64_FORMAT ")\n",
           runs, min_s, use_cpu_time ? "CPU time" : "wall-clock time",
           co2s_record_json_fallback_count ());

  g_string_free (corpus.text, TRUE);
  g_array_unref (corpus.offsets);
  g_array_unref (corpus.records);
  return 0;
}
