/* co2s-metrics-rotate.c — metrics.jsonl kept within a size budget: its
 * oldest lines folded into metrics-history.jsonl, crash-safely (the order
 * and the repair rules are in co2s-metrics-log.h). */
#define G_LOG_DOMAIN "co2s-metrics-log"

#include "co2s-metrics-log-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "co2s-metrics-rollup.h"
#include "co2s-metrics-scan.h"

/* Buckets one rotation adds at most (the folded lines are grouped by a
 * power of two to stay under it). */
#define FOLD_MAX_BUCKETS 256

static void
hook (Co2sMetricsLog *log, const char *point)
{
  if (log->hook != NULL)
    log->hook (point, log->hook_data);
}

static gboolean
sync_folder (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int errsv;

  if (fd < 0)
    return _co2s_metrics_log_errno_error (error, errno, dir);
  if (fsync (fd) != 0)
    {
      errsv = errno;
      g_close (fd, NULL);
      return _co2s_metrics_log_errno_error (error, errsv, dir);
    }
  g_close (fd, NULL);
  return TRUE;
}

static char *
temp_path (const char *path)
{
  return g_strconcat (path, ".tmp", NULL);
}

/* @data written to PATH.tmp, fsync'ed, @written, renamed over @path, the
 * folder fsync'ed, @renamed. On failure the temporary file is removed. */
static gboolean
replace_file (Co2sMetricsLog *log,
              const char *path,
              const char *data,
              gsize len,
              const char *written,
              const char *renamed,
              GError **error)
{
  g_autofree char *tmp = temp_path (path);
  int fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int errsv = 0;

  if (fd < 0)
    return _co2s_metrics_log_errno_error (error, errno, tmp);
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          errsv = errno;
          break;
        }
      data += n;
      len -= (gsize) n;
    }
  if (errsv == 0 && fsync (fd) != 0)
    errsv = errno;
  g_close (fd, NULL);
  if (errsv == 0)
    hook (log, written);
  if (errsv == 0 && rename (tmp, path) != 0)
    errsv = errno;
  if (errsv != 0)
    {
      g_unlink (tmp);
      return _co2s_metrics_log_errno_error (error, errsv, tmp);
    }
  if (!sync_folder (path, error))
    return FALSE;
  hook (log, renamed);
  return TRUE;
}

/* The buckets of @path (none when it does not exist); lines that do not
 * read, or are not after the bucket before, are counted in @bad and left
 * out. */
static gboolean
read_rollups (const char *path, GArray *out, guint *bad, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *p, *end;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot read %s: %s"), path,
                   local_error->message);
      return FALSE;
    }
  end = contents + len;
  for (p = contents; p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      Co2sMetricsRollup r;

      /* A last line without '\n' was never renamed into place: bad. */
      if (nl == NULL || !co2s_metrics_rollup_from_json (p, (gsize) (nl - p), &r, NULL) ||
          (out->len > 0 && r.first_batch <= g_array_index (out, Co2sMetricsRollup, out->len - 1).last_batch))
        (*bad)++;
      else
        g_array_append_val (out, r);
      p = nl ? nl + 1 : end;
    }
  return TRUE;
}

static GString *
serialize (GArray *rollups)
{
  GString *out = g_string_sized_new (rollups->len * 1024 + 1);

  for (guint i = 0; i < rollups->len; i++)
    co2s_metrics_rollup_to_json (&g_array_index (rollups, Co2sMetricsRollup, i), out);
  return out;
}

/* Merges neighbours pairwise in the older half until @out fits in @cap
 * (or one bucket is left): older batches get coarser buckets. */
static void
compact (GArray *rollups, GString **out, guint64 cap)
{
  while ((*out)->len > cap && rollups->len > 1)
    {
      guint half = MAX (2u, rollups->len / 2), w = 0;

      for (guint r = 0; r < rollups->len; w++)
        {
          Co2sMetricsRollup b = g_array_index (rollups, Co2sMetricsRollup, r);

          if (r + 1 < half)
            {
              co2s_metrics_rollup_merge (&b, &g_array_index (rollups, Co2sMetricsRollup, r + 1));
              r += 2;
            }
          else
            r++;
          g_array_index (rollups, Co2sMetricsRollup, w) = b;
        }
      g_array_set_size (rollups, w);
      g_string_free (*out, TRUE);
      *out = serialize (rollups);
    }
}

/* log->fd on the file now at log->path (after a rename over it). */
static gboolean
reopen (Co2sMetricsLog *log, GError **error)
{
  int fd = g_open (log->path, O_RDWR | O_APPEND | O_CLOEXEC, 0644);

  if (fd < 0)
    return _co2s_metrics_log_errno_error (error, errno, log->path);
  g_close (log->fd, NULL);
  log->fd = fd;
  return TRUE;
}

static GMappedFile *
map_log (Co2sMetricsLog *log, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GMappedFile *mapped = g_mapped_file_new_from_fd (log->fd, FALSE, &local_error);

  if (mapped == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot read %s: %s"), log->path,
                 local_error->message);
  return mapped;
}

gboolean
_co2s_metrics_log_repair_history (Co2sMetricsLog *log,
                                  guint64 keep,
                                  gboolean truncate,
                                  Co2sBatchMetrics *last,
                                  guint *dropped,
                                  GError **error)
{
  g_autoptr(GArray) rollups = g_array_new (FALSE, FALSE, sizeof (Co2sMetricsRollup));
  g_autofree char *history_tmp = temp_path (log->history_path);
  g_autofree char *metrics_tmp = temp_path (log->path);
  g_autoptr(GMappedFile) mapped = NULL;
  const Co2sMetricsRollup *end_bucket;
  guint bad = 0, len;
  const char *data, *p, *stop;

  /* Leftovers of a rotation cut short: never renamed, never valid. */
  g_unlink (history_tmp);
  g_unlink (metrics_tmp);

  if (truncate || keep == 0)
    {
      if (g_unlink (log->history_path) != 0 && errno != ENOENT)
        return _co2s_metrics_log_errno_error (error, errno, log->history_path);
      return sync_folder (log->history_path, error);
    }

  if (!read_rollups (log->history_path, rollups, &bad, error))
    return FALSE;
  len = rollups->len;
  while (len > 0 && g_array_index (rollups, Co2sMetricsRollup, len - 1).last_batch > keep)
    len--;
  if (len < rollups->len || bad > 0)
    {
      g_autoptr(GString) out = NULL;

      g_message ("%s: removed %u bad bucket(s) and %u of batches after the model file's %"
                 G_GUINT64_FORMAT, log->history_path, bad, rollups->len - len, keep);
      g_array_set_size (rollups, len);
      out = serialize (rollups);
      if (!replace_file (log, log->history_path, out->str, out->len, "repair-history-written",
                         "repair-history-renamed", error))
        return FALSE;
    }
  if (len == 0)
    return TRUE;
  end_bucket = &g_array_index (rollups, Co2sMetricsRollup, len - 1);

  /* metrics.jsonl's lines of batches the history holds: a rotation cut
   * between its two renames. They are at its head. */
  mapped = map_log (log, error);
  if (mapped == NULL)
    return FALSE;
  data = g_mapped_file_get_contents (mapped);
  stop = data + g_mapped_file_get_length (mapped);
  for (p = data; p != NULL && p < stop;)
    {
      const char *nl = memchr (p, '\n', (gsize) (stop - p));
      Co2sBatchMetrics m;

      if (nl == NULL || !co2s_batch_metrics_parse (p, (gsize) (nl - p), &m, NULL) ||
          m.batch > end_bucket->last_batch)
        break;
      (*dropped)++;
      p = nl + 1;
    }
  if (p != data)
    {
      if (!replace_file (log, log->path, p, (gsize) (stop - p), "repair-metrics-written",
                         "repair-metrics-renamed", error) ||
          !reopen (log, error))
        return FALSE;
    }
  if (last->batch <= end_bucket->last_batch)
    {
      memset (last, 0, sizeof *last);
      last->batch = end_bucket->last_batch;
      last->dlq = end_bucket->dlq;
      last->rows_seen = end_bucket->rows_seen;
    }
  return TRUE;
}

void
co2s_metrics_log_set_max_bytes (Co2sMetricsLog *log,
                                guint64 max_bytes,
                                Co2sMetricsRotateHook hook_func,
                                gpointer hook_data)
{
  g_return_if_fail (log != NULL);

  log->max_bytes = max_bytes;
  log->hook = hook_func;
  log->hook_data = hook_data;
}

gboolean
co2s_metrics_log_rotate (Co2sMetricsLog *log, gboolean *rotated, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GArray) rollups = NULL;
  g_autoptr(GString) out = NULL;
  guint64 history_cap, recent_cap, prev_end;
  const char *data, *p, *cut;
  gsize size;
  guint lines = 0, bad = 0, group = 1;
  struct stat st;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (rotated != NULL)
    *rotated = FALSE;
  if (log->max_bytes == 0)
    return TRUE;
  history_cap = _co2s_metrics_log_history_cap (log);
  recent_cap = log->max_bytes - history_cap;
  if (fstat (log->fd, &st) != 0)
    return _co2s_metrics_log_errno_error (error, errno, log->path);
  if ((guint64) st.st_size <= recent_cap)
    return TRUE;

  mapped = map_log (log, error);
  if (mapped == NULL)
    return FALSE;
  data = g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);

  /* Keep the newest half of the share, from a line's start. */
  cut = data + size - MIN (size, recent_cap / 2);
  while (cut > data && cut < data + size && cut[-1] != '\n')
    cut++;
  if (cut <= data || cut >= data + size)
    return TRUE;
  for (p = data; p < cut; p = (const char *) memchr (p, '\n', (gsize) (cut - p)) + 1)
    lines++;
  while ((guint64) group * FOLD_MAX_BUCKETS < lines)
    group *= 2;

  rollups = g_array_new (FALSE, FALSE, sizeof (Co2sMetricsRollup));
  if (!read_rollups (log->history_path, rollups, &bad, error))
    return FALSE;
  prev_end = rollups->len > 0 ? g_array_index (rollups, Co2sMetricsRollup, rollups->len - 1).last_batch : 0;
  {
    Co2sMetricsRollup bucket;
    guint in_bucket = 0;

    for (p = data; p < cut;)
      {
        const char *nl = memchr (p, '\n', (gsize) (cut - p));
        Co2sBatchMetrics m;
        Co2sMetricsRollup one;

        if (!co2s_batch_metrics_parse (p, (gsize) (nl - p), &m, NULL) || m.batch <= prev_end)
          {
            /* Not a line (a hand edit), or one the history holds: left out. */
            bad++;
            p = nl + 1;
            continue;
          }
        prev_end = m.batch;
        co2s_metrics_rollup_init (&one, &m);
        if (in_bucket == 0)
          bucket = one;
        else
          co2s_metrics_rollup_merge (&bucket, &one);
        if (++in_bucket == group)
          {
            g_array_append_val (rollups, bucket);
            in_bucket = 0;
          }
        p = nl + 1;
      }
    if (in_bucket > 0)
      g_array_append_val (rollups, bucket);
  }
  if (bad > 0)
    g_message ("%s, %s: %u line(s) or bucket(s) that do not read or are out of order left out",
               log->path, log->history_path, bad);

  out = serialize (rollups);
  compact (rollups, &out, history_cap);
  if (!replace_file (log, log->history_path, out->str, out->len,
                     "rotate-history-written", "rotate-history-renamed", error) ||
      !replace_file (log, log->path, cut, (gsize) (data + size - cut),
                     "rotate-metrics-written", "rotate-metrics-renamed", error) ||
      !reopen (log, error))
    return FALSE;
  if (rotated != NULL)
    *rotated = TRUE;
  return TRUE;
}
