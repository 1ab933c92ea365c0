/* co2s-metrics-load.c — reading metrics.jsonl and its history file into a
 * Co2sMetricsStore (internal; any thread: touches only its own store and
 * report).
 *
 * The file is mapped, not read: lines are found with memchr and parsed by
 * the fast reader (co2s_batch_metrics_parse, which falls back on json-glib
 * for anything it is not sure about), about 10× the json-glib path; a big
 * file by two threads, one half each (load_lines). With
 * --last N only the last N lines are found, from the end: the rest of the
 * file is neither parsed nor, but for the line numbers of problems, read.
 *
 * Reading order: metrics.jsonl is opened before its history file. The
 * trainer's rotation (co2s-metrics-log.h) renames the history file first,
 * so what is read can only overlap (batches in both, dropped here as the
 * trainer drops them when it opens the log), never leave a gap.
 *
 * A model folder of a scale-out run (co2stream-trainer --scale-out) has no
 * metrics.jsonl of its own but trainers/ID/metrics.jsonl and their history
 * files, each read the same way (one after the other, on one thread) and merged by time
 * (load_trainers; the rules: co2s-metrics-store-private.h). About 1.2 s
 * for three trainers' 300,000 lines each (370 MB), the plot included. */
#define G_LOG_DOMAIN "co2s-metrics-history"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-metrics-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "co2s-contracts.h"
#include "co2s-metrics-scan.h"

/* Lines between two looks at the cancellable. */
#define CANCEL_CHECK_LINES 65536

void
co2s_metrics_load_report_free (Co2sMetricsLoadReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_free (report);
}

static Co2sMetricsLoadReport *
load_report_new (const char *path)
{
  Co2sMetricsLoadReport *report = g_new0 (Co2sMetricsLoadReport, 1);

  report->path = g_strdup (path);
  report->problems = g_ptr_array_new_with_free_func (g_free);
  return report;
}

static void
load_report_problem (Co2sMetricsLoadReport *report, const char *path, guint64 line, const char *message)
{
  if (report->problems->len >= CO2S_METRICS_LOAD_MAX_PROBLEMS)
    return;
  g_ptr_array_add (report->problems,
                   g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": %s", path, line, message));
}

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

/* The lines of one mapped file, and where the first one read is. */
typedef struct {
  const char *path;
  const char *data;
  gsize len;
  gsize start;            /* offset of the first line read */
  guint64 first_line_no;  /* its number, 0 until a problem needs it */
  gboolean scale_out;     /* a trainer's file of a scale-out run: only its lines */
  guint64 rolled_up_to;   /* with scale_out: its lines of batches up to this one
                           * are in its history file's rollups already */
} Lines;

static guint64
line_number (Lines *lines, const char *at)
{
  if (lines->first_line_no == 0)
    {
      /* Only when a problem is reported: count the lines skipped. */
      guint64 n = 1;
      const char *p = lines->data, *end = lines->data + lines->start;

      while (p < end && (p = memchr (p, '\n', (gsize) (end - p))) != NULL)
        n++, p++;
      lines->first_line_no = n;
    }
  {
    guint64 n = lines->first_line_no;
    const char *p = lines->data + lines->start;

    while (p < at && (p = memchr (p, '\n', (gsize) (at - p))) != NULL)
      n++, p++;
    return n;
  }
}

static void
load_line (Co2sMetricsStore *store,
           Co2sMetricsLoadReport *report,
           Lines *lines,
           const char *line,
           gsize len,
           gboolean terminated)
{
  g_autoptr(GError) error = NULL;
  Co2sBatchMetrics m;
  guint truncated_at;

  if (len == 0 || (line[0] != '{' && is_blank (line, len)))
    return;
  report->lines++;

  if (!co2s_batch_metrics_parse (line, len, &m, &error))
    {
      if (!terminated)
        {
          report->partial_last_line = TRUE;
          load_report_problem (report, lines->path, line_number (lines, line),
                               _("incomplete last line (still being written?), ignored"));
        }
      else
        {
          report->bad_lines++;
          load_report_problem (report, lines->path, line_number (lines, line), error->message);
        }
      return;
    }
  if (lines->scale_out && m.partition_batch == 0)
    {
      report->bad_lines++;
      load_report_problem (report, lines->path, line_number (lines, line),
                           _("not a scale-out trainer’s line (no “partition_batch”), ignored"));
      return;
    }
  if (lines->scale_out && m.batch <= lines->rolled_up_to)
    {
      /* A rotation cut short: the line is in a rollup too. */
      report->duplicates++;
      return;
    }

  switch (_co2s_metrics_store_append (store, &m, &truncated_at))
    {
    case CO2S_METRICS_APPEND_ADDED:
      report->added++;
      break;
    case CO2S_METRICS_APPEND_DUPLICATE:
      report->duplicates++;
      break;
    case CO2S_METRICS_APPEND_NEW_SERIES:
      report->new_series++;
      report->added++;
      break;
    case CO2S_METRICS_APPEND_REWOUND:
      report->rewinds++;
      report->added++;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Offset of the first of the last @n non-blank lines of @data. */
static gsize
tail_start (const char *data, gsize len, guint n)
{
  gsize end = len;
  guint found = 0;

  /* A last line without '\n' counts like any other. */
  while (end > 0)
    {
      gsize start = end;

      while (start > 0 && data[start - 1] != '\n')
        start--;
      if (!is_blank (data + start, end - start) && ++found == n)
        return start;
      if (start == 0)
        break;
      end = start - 1;
    }
  return 0;
}

/* An error naming @path from errno. */
static void
set_open_error (GError **error, int errsv, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Cannot open “%s”: %s"), path, g_strerror (errsv));
}

/* Opens and maps @path; NULL and @error (G_IO_ERROR_NOT_FOUND when it does
 * not exist). An empty file maps to NULL contents of length 0. */
static GMappedFile *
map_file (const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GMappedFile *mapped;
  struct stat st = { 0 };
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      set_open_error (error, errno, path);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      int errsv = errno;

      g_close (fd, NULL);
      if (S_ISDIR (st.st_mode))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, _("Cannot open “%s”: it is a folder"), path);
      else
        set_open_error (error, errsv ? errsv : EINVAL, path);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  g_close (fd, NULL);
  if (mapped == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot read “%s”: %s"), path, local_error->message);
  return mapped;
}

/* Reads the rollups of @path (may be missing: none). */
static void
load_rollups (Co2sMetricsStore *store, Co2sMetricsLoadReport *report, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = map_file (path, &error);
  const char *data, *end, *p;
  guint64 line_no = 0;

  if (mapped == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        load_report_problem (report, path, 0, error->message);
      return;
    }
  data = g_mapped_file_get_contents (mapped);
  end = data + g_mapped_file_get_length (mapped);
  for (p = data; p != NULL && p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      gsize len = (nl ? nl : end) - p;
      g_autoptr(GError) line_error = NULL;
      Co2sMetricsRollup r;

      line_no++;
      if (!is_blank (p, len))
        {
          guint64 prev_end = _co2s_metrics_store_rollup_end (store);

          if (!co2s_metrics_rollup_from_json (p, len, &r, &line_error))
            {
              report->bad_lines++;
              load_report_problem (report, path, line_no, line_error->message);
            }
          else if (r.first_batch <= prev_end)
            {
              g_autofree char *first = g_strdup_printf ("%" G_GUINT64_FORMAT, r.first_batch);
              g_autofree char *last = g_strdup_printf ("%" G_GUINT64_FORMAT, r.last_batch);
              g_autofree char *before = g_strdup_printf ("%" G_GUINT64_FORMAT, prev_end);
              g_autofree char *message =
                g_strdup_printf (_("batches %s…%s overlap the line before (up to %s), ignored"),
                                 first, last, before);

              report->bad_lines++;
              load_report_problem (report, path, line_no, message);
            }
          else
            g_array_append_val (store->rollups, r);
        }
      p = nl ? nl + 1 : end;
    }
}

/* The recent batches and the rollups together: batches the rollups hold
 * (a rotation cut short) are dropped; rollups of an earlier series (a
 * reset cut short, or a reset inside the file) are. */
static void
reconcile (Co2sMetricsStore *store, Co2sMetricsLoadReport *report)
{
  guint len = _co2s_metrics_store_len (store);
  guint64 end = _co2s_metrics_store_rollup_end (store);
  const Co2sMetricsRollup *last;
  guint skip = 0;

  if (store->rollups->len == 0)
    return;
  last = &g_array_index (store->rollups, Co2sMetricsRollup, store->rollups->len - 1);
  if (store->series > 0 ||
      (len > 0 && COL_D (store, COL_BATCH, 0) <= (double) end &&
       COL_I (store, COL_TIMESTAMP, 0) > last->last_timestamp_us))
    {
      g_array_set_size (store->rollups, 0);
      return;
    }
  while (skip < len && COL_D (store, COL_BATCH, skip) <= (double) end)
    skip++;
  if (skip == 0)
    return;
  report->duplicates += skip;
  report->added -= MIN (report->added, skip);
  _co2s_metrics_store_drop_front (store, skip);
}

/* Reads the lines of [@from, @to) (@to at a line's start or the end) into
 * @store; FALSE with @error when cancelled. */
static gboolean
load_range (Co2sMetricsStore *store,
            Co2sMetricsLoadReport *report,
            Lines *lines,
            const char *from,
            const char *to,
            GCancellable *cancellable,
            GError **error)
{
  guint n = 0;

  for (const char *p = from; p < to;)
    {
      const char *nl = memchr (p, '\n', (gsize) (to - p));

      load_line (store, report, lines, p, (gsize) ((nl ? nl : to) - p), nl != NULL);
      p = nl ? nl + 1 : to;
      if (++n % CANCEL_CHECK_LINES == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Files of at least this many bytes to read are read by two threads when
 * the machine has two cores or more. */
static gsize parallel_min_bytes = 8 * 1024 * 1024;

void
_co2s_metrics_load_set_parallel_min (gsize bytes)
{
  parallel_min_bytes = bytes;
}

/* The second half of a file, read on its own thread into its own store. */
typedef struct {
  Co2sMetricsStore *store;
  Co2sMetricsLoadReport *report;
  Lines lines;
  const char *from, *to;
  GCancellable *cancellable;
  GError *error;
  gboolean ok;
} Half;

static gpointer
load_half (gpointer data)
{
  Half *half = data;

  half->ok = load_range (half->store, half->report, &half->lines, half->from, half->to,
                         half->cancellable, &half->error);
  return NULL;
}

/* Adds @half's counts and problems to @report (line order kept: @half's
 * lines come after @report's). */
static void
merge_report (Co2sMetricsLoadReport *report, const Co2sMetricsLoadReport *half)
{
  report->lines += half->lines;
  report->added += half->added;
  report->bad_lines += half->bad_lines;
  report->partial_last_line |= half->partial_last_line;
  for (guint i = 0; i < half->problems->len && report->problems->len < CO2S_METRICS_LOAD_MAX_PROBLEMS; i++)
    g_ptr_array_add (report->problems, g_strdup (g_ptr_array_index (half->problems, i)));
}

/* Reads [@from, @to) into @store: in two halves on two threads when it is
 * big, the second half's batches then joined to the first's when that is
 * what reading them in order gives (_co2s_metrics_store_concat), else read
 * again in order after the first (a reset or a rewind right there: rare). */
static gboolean
load_lines (Co2sMetricsStore *store,
            Co2sMetricsLoadReport *report,
            Lines *lines,
            const char *from,
            const char *to,
            GCancellable *cancellable,
            GError **error)
{
  g_autoptr(Co2sMetricsStore) second = NULL;
  g_autoptr(Co2sMetricsLoadReport) second_report = NULL;
  const char *mid;
  GThread *thread;
  Half half;
  gboolean ok;

  if ((gsize) (to - from) < parallel_min_bytes || g_get_num_processors () < 2)
    return load_range (store, report, lines, from, to, cancellable, error);
  mid = memchr (from + (to - from) / 2, '\n', (gsize) (to - (from + (to - from) / 2)));
  if (mid == NULL || ++mid == to)
    return load_range (store, report, lines, from, to, cancellable, error);

  second = _co2s_metrics_store_new ();
  second_report = load_report_new (lines->path);
  half = (Half) { second, second_report, *lines, mid, to, cancellable, NULL, FALSE };
  thread = g_thread_new ("co2s-metrics-load", load_half, &half);
  ok = load_range (store, report, lines, from, mid, cancellable, error);
  g_thread_join (thread);
  if (!ok)
    {
      g_clear_error (&half.error);
      return FALSE;
    }
  if (!half.ok)
    {
      g_propagate_error (error, half.error);
      return FALSE;
    }
  if (second_report->duplicates == 0 && second_report->new_series == 0 && second_report->rewinds == 0 &&
      _co2s_metrics_store_concat (store, second))
    {
      merge_report (report, second_report);
      return TRUE;
    }
  return load_range (store, report, lines, mid, to, cancellable, error);
}

/* ---- a scale-out run's files ---------------------------------------------- */

/* One batch of one trainer's file, for the merge by time. */
typedef struct {
  gint64 timestamp_us;
  guint64 partition_batch;
  gint partition;
  guint file;             /* index in the files, sorted by trainer id */
  guint index;            /* in that file's store */
} Origin;

/* One rollup of one trainer's history file. */
typedef struct {
  Co2sMetricsRollup rollup;
  guint file;
} FileRollup;

/* By time: the one that ends first, first. */
static int
compare_rollups (gconstpointer a, gconstpointer b)
{
  const FileRollup *x = a, *y = b;

  if (x->rollup.last_timestamp_us != y->rollup.last_timestamp_us)
    return x->rollup.last_timestamp_us < y->rollup.last_timestamp_us ? -1 : 1;
  if (x->rollup.first_timestamp_us != y->rollup.first_timestamp_us)
    return x->rollup.first_timestamp_us < y->rollup.first_timestamp_us ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return x->rollup.first_batch < y->rollup.first_batch ? -1 : x->rollup.first_batch > y->rollup.first_batch;
}

static int
compare_origins (gconstpointer a, gconstpointer b)
{
  const Origin *x = a, *y = b;

  if (x->timestamp_us != y->timestamp_us)
    return x->timestamp_us < y->timestamp_us ? -1 : 1;
  if (x->partition != y->partition)
    return x->partition < y->partition ? -1 : 1;
  if (x->partition_batch != y->partition_batch)
    return x->partition_batch < y->partition_batch ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Counts and problems of one trainer's file into @report (its added and
 * duplicates are counted by the merge). */
static void
add_file_report (Co2sMetricsLoadReport *report, const Co2sMetricsLoadReport *file)
{
  report->lines += file->lines;
  report->bad_lines += file->bad_lines;
  report->duplicates += file->duplicates;
  report->partial_last_line |= file->partial_last_line;
  for (guint i = 0; i < file->problems->len && report->problems->len < CO2S_METRICS_LOAD_MAX_PROBLEMS; i++)
    g_ptr_array_add (report->problems, g_strdup (g_ptr_array_index (file->problems, i)));
}

/* Reads @dir/trainers/ID/metrics.jsonl of every ID (in byte order of the
 * ids) and merges them as _co2s_metrics_store_load says. NULL without
 * @error when there is no such file; NULL with @error when cancelled. */
static Co2sMetricsStore *
load_trainers (const char *dir,
               GCancellable *cancellable,
               Co2sMetricsLoadReport *report,
               GError **error)
{
  g_autofree char *trainers_dir = g_build_filename (dir, "trainers", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) stores = g_ptr_array_new_with_free_func ((GDestroyNotify) _co2s_metrics_store_free);
  g_autoptr(GArray) origins = NULL;
  g_autoptr(GArray) rollups = g_array_new (FALSE, FALSE, sizeof (FileRollup));
  g_autoptr(Co2sMetricsStore) merged = NULL;
  g_autoptr(GDir) folder = g_dir_open (trainers_dir, 0, NULL);
  const char *name;
  guint total = 0;

  if (folder == NULL)
    return NULL;
  while ((name = g_dir_read_name (folder)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint f = 0; f < names->len; f++)
    {
      g_autofree char *path = g_build_filename (trainers_dir, g_ptr_array_index (names, f), CO2S_METRICS_FILE, NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GMappedFile) mapped = map_file (path, &local_error);
      g_autoptr(Co2sMetricsStore) store = NULL;
      g_autoptr(Co2sMetricsLoadReport) file_report = NULL;
      g_autofree char *history_path = co2s_metrics_history_path_for (path);
      g_autoptr(Co2sMetricsStore) rolled = NULL;
      Lines lines = { path, NULL, 0, 0, 1, TRUE, 0 };

      if (mapped == NULL)
        {
          /* A folder without metrics yet (or not a trainer's): nothing. */
          if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
              !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
            {
              report->bad_lines++;
              load_report_problem (report, path, 0, local_error->message);
            }
          continue;
        }
      store = _co2s_metrics_store_new ();
      file_report = load_report_new (path);
      /* Its older batches, folded: read after the file was opened (the
       * rotation renames the history file first), numbered by its own
       * line count like the file's "batch". */
      rolled = _co2s_metrics_store_new ();
      load_rollups (rolled, file_report, history_path);
      lines.rolled_up_to = _co2s_metrics_store_rollup_end (rolled);
      for (guint r = 0; r < rolled->rollups->len; r++)
        {
          FileRollup fr = { g_array_index (rolled->rollups, Co2sMetricsRollup, r), stores->len };

          g_array_append_val (rollups, fr);
        }
      lines.data = g_mapped_file_get_contents (mapped);
      lines.len = g_mapped_file_get_length (mapped);
      if (lines.len > 0 &&
          !load_range (store, file_report, &lines, lines.data, lines.data + lines.len, cancellable, error))
        return NULL;
      add_file_report (report, file_report);
      total += _co2s_metrics_store_len (store);
      g_ptr_array_add (stores, g_steal_pointer (&store));
    }
  if (stores->len == 0)
    return NULL;

  /* Every batch by time, then each appended: the duplicates of another
   * file are dropped there, the rest numbered in that order. */
  origins = g_array_sized_new (FALSE, FALSE, sizeof (Origin), total);
  for (guint f = 0; f < stores->len; f++)
    {
      const Co2sMetricsStore *store = g_ptr_array_index (stores, f);

      for (guint i = 0; i < _co2s_metrics_store_len (store); i++)
        {
          Origin o = {
            COL_I (store, COL_TIMESTAMP, i),
            g_array_index (store->origin_batch, guint64, i),
            g_array_index (store->origin_partition, gint, i),
            f, i,
          };

          g_array_append_val (origins, o);
        }
    }
  g_array_sort (origins, compare_origins);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  merged = _co2s_metrics_store_new ();
  if (rollups->len > 0)
    {
      guint64 end = 0;

      /* The trainers' folded batches first, by time, numbered on. */
      g_array_sort (rollups, compare_rollups);
      _co2s_metrics_store_begin_scale_out (merged);
      for (guint r = 0; r < rollups->len; r++)
        {
          Co2sMetricsRollup rollup = g_array_index (rollups, FileRollup, r).rollup;

          rollup.first_batch = end + 1;
          end += MAX (rollup.count, 1);
          rollup.last_batch = end;
          g_array_append_val (merged->rollups, rollup);
        }
    }
  for (guint k = 0; k < origins->len; k++)
    {
      const Origin *o = &g_array_index (origins, Origin, k);
      Co2sBatchMetrics m;
      guint truncated_at;

      _co2s_metrics_store_get (g_ptr_array_index (stores, o->file), o->index, &m);
      if (_co2s_metrics_store_append (merged, &m, &truncated_at) == CO2S_METRICS_APPEND_DUPLICATE)
        report->duplicates++;
      else
        report->added++;
    }
  return g_steal_pointer (&merged);
}

/* The timestamp of @store's last batch (held, else rolled up),
 * G_MININT64 when it has none. */
static gint64
last_timestamp (const Co2sMetricsStore *store)
{
  guint len = _co2s_metrics_store_len (store);

  if (len > 0)
    return COL_I (store, COL_TIMESTAMP, len - 1);
  if (store->rollups->len > 0)
    return g_array_index (store->rollups, Co2sMetricsRollup, store->rollups->len - 1).last_timestamp_us;
  return G_MININT64;
}

static gboolean
holds_any (const Co2sMetricsStore *store)
{
  return _co2s_metrics_store_len (store) > 0 || store->rollups->len > 0;
}

/* @single (may be NULL: no metrics.jsonl) and @scale_out (may be NULL)
 * as one store: the one whose last batch is newer, the other then an
 * earlier series. */
static Co2sMetricsStore *
choose_series (Co2sMetricsStore *single,
               Co2sMetricsStore *scale_out,
               guint last_n,
               Co2sMetricsLoadReport *report)
{
  guint len;

  if (scale_out == NULL)
    return single;
  if (single != NULL && holds_any (single))
    {
      if (last_timestamp (single) >= last_timestamp (scale_out) || !holds_any (scale_out))
        {
          if (holds_any (scale_out))
            {
              single->series++;
              report->new_series++;
            }
          _co2s_metrics_store_free (scale_out);
          return single;
        }
      scale_out->series = single->series + 1;
      report->new_series++;
    }
  if (single != NULL)
    _co2s_metrics_store_free (single);
  len = _co2s_metrics_store_len (scale_out);
  if (last_n > 0 && len > last_n)
    {
      /* As for one file: the last N lines, without what is before them. */
      _co2s_metrics_store_drop_front (scale_out, len - last_n);
      g_array_set_size (scale_out->rollups, 0);
    }
  report->rollups = scale_out->rollups->len;
  return scale_out;
}

Co2sMetricsStore *
_co2s_metrics_store_load (const char *path,
                          guint last_n,
                          GCancellable *cancellable,
                          Co2sMetricsLoadReport **out_report,
                          GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(Co2sMetricsStore) store = _co2s_metrics_store_new ();
  g_autoptr(Co2sMetricsStore) scale_out = NULL;
  g_autoptr(Co2sMetricsLoadReport) report = load_report_new (path);
  g_autoptr(GError) map_error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  Lines lines = { path, NULL, 0, 0, 0, FALSE, 0 };

  mapped = map_file (path, &map_error);
  if (mapped == NULL && !g_error_matches (map_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&map_error));
      return NULL;
    }
  if (mapped != NULL)
    {
      lines.data = g_mapped_file_get_contents (mapped);
      lines.len = g_mapped_file_get_length (mapped);
      if (lines.len > 0 && last_n > 0)
        lines.start = tail_start (lines.data, lines.len, last_n);
      if (lines.start == 0)
        lines.first_line_no = 1;

      if (lines.len > 0 &&
          !load_lines (store, report, &lines, lines.data + lines.start, lines.data + lines.len, cancellable,
                       error))
        return NULL;

      if (lines.start == 0)
        {
          g_autofree char *history_path = co2s_metrics_history_path_for (path);

          load_rollups (store, report, history_path);
          reconcile (store, report);
          report->rollups = store->rollups->len;
        }
    }

  /* A model folder's metrics.jsonl: a scale-out run's files beside it. */
  if (strcmp (base, CO2S_METRICS_FILE) == 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr(GError) trainers_error = NULL;

      scale_out = load_trainers (dir, cancellable, report, &trainers_error);
      if (trainers_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&trainers_error));
          return NULL;
        }
    }
  if (mapped == NULL && scale_out == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&map_error));
      return NULL;
    }

  *out_report = g_steal_pointer (&report);
  return choose_series (mapped != NULL ? g_steal_pointer (&store) : NULL, g_steal_pointer (&scale_out), last_n,
                        *out_report);
}
