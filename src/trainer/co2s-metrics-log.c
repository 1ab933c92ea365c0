/* co2s-metrics-log.c — models/metrics.jsonl, kept consistent with the model file. */
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

/* "@format…: strerror (@errsv)". gettext keeps errno, so callers may pass
 * errno and _() in the same call. */
G_GNUC_PRINTF (3, 4)
static gboolean
set_errno_error (GError **error, int errsv, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

gboolean
_co2s_metrics_log_errno_error (GError **error, int errsv, const char *what)
{
  return set_errno_error (error, errsv, "%s", what);
}

/* Index + 1 of the last '\n' in @data[0, @len), or 0 when there is none. */
static gsize
line_start_before (const char *data, gsize len)
{
  while (len > 0 && data[len - 1] != '\n')
    len--;
  return len;
}

/* Finds the length of the valid prefix of @data: everything up to the end of
 * the last complete line that parses and has batch ≤ @keep. */
static gsize
find_keep_length (const char *data,
                  gsize size,
                  guint64 keep,
                  Co2sBatchMetrics *last,
                  guint *dropped)
{
  gsize end = size;

  /* A last line without its '\n' is a write that did not complete. */
  if (end > 0 && data[end - 1] != '\n')
    {
      end = line_start_before (data, end);
      (*dropped)++;
    }

  if (keep == 0)
    {
      /* Nothing of a fresh model's history can be on file. */
      for (gsize i = 0; i < end; i++)
        if (data[i] == '\n')
          (*dropped)++;
      return 0;
    }

  while (end > 0)
    {
      gsize start = line_start_before (data, end - 1);
      Co2sBatchMetrics m;

      if (co2s_batch_metrics_from_json (data + start, end - 1 - start, &m, NULL) &&
          m.batch <= keep)
        {
          *last = m;
          return end;
        }
      (*dropped)++;
      end = start;
    }
  return 0;
}

Co2sMetricsLog *
co2s_metrics_log_open (const char *path,
                       guint64 keep_batches,
                       gboolean truncate,
                       Co2sBatchMetrics *last,
                       guint *dropped_lines,
                       GError **error)
{
  g_autoptr(Co2sMetricsLog) log = NULL;
  g_autofree char *dir = NULL;
  Co2sBatchMetrics found = { 0 };
  guint dropped = 0;
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (last != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      set_errno_error (error, errno, _("cannot create the folder of %s"), path);
      return NULL;
    }

  log = g_new0 (Co2sMetricsLog, 1);
  log->path = g_strdup (path);
  log->history_path = co2s_metrics_history_path_for (path);
  log->fd = open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log->fd < 0)
    {
      set_errno_error (error, errno, _("cannot open %s"), path);
      return NULL;
    }

  if (fstat (log->fd, &st) != 0)
    {
      set_errno_error (error, errno, _("cannot read the status of %s"), path);
      return NULL;
    }

  if (truncate)
    {
      if (st.st_size > 0 && ftruncate (log->fd, 0) != 0)
        {
          set_errno_error (error, errno, _("cannot empty %s"), path);
          return NULL;
        }
    }
  else if (st.st_size > 0)
    {
      g_autoptr(GMappedFile) mapped = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize keep;

      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                       _("%s is not a regular file"), path);
          return NULL;
        }
      mapped = g_mapped_file_new_from_fd (log->fd, FALSE, &local_error);
      if (mapped == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("cannot read %s: %s"), path, local_error->message);
          return NULL;
        }
      /* Only the tail is parsed: the pages of the rest are never touched. */
      keep = find_keep_length (g_mapped_file_get_contents (mapped),
                               g_mapped_file_get_length (mapped),
                               keep_batches, &found, &dropped);
      if (keep < (gsize) st.st_size &&
          (ftruncate (log->fd, (off_t) keep) != 0 || fdatasync (log->fd) != 0))
        {
          set_errno_error (error, errno, _("cannot repair %s"), path);
          return NULL;
        }
    }

  if (!_co2s_metrics_log_repair_history (log, keep_batches, truncate, &found, &dropped, error))
    return NULL;

  *last = found;
  if (dropped_lines != NULL)
    *dropped_lines = dropped;
  return g_steal_pointer (&log);
}

gboolean
co2s_metrics_log_append (Co2sMetricsLog *log,
                         const char *data,
                         gsize len,
                         GError **error)
{
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (len > 0)
    {
      gssize n = write (log->fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, _("cannot write %s"), log->path);
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
co2s_metrics_log_sync (Co2sMetricsLog *log, GError **error)
{
  g_return_val_if_fail (log != NULL, FALSE);

  if (fdatasync (log->fd) != 0)
    return set_errno_error (error, errno, _("cannot sync %s to disk"), log->path);
  return TRUE;
}

const char *
co2s_metrics_log_get_path (Co2sMetricsLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);
  return log->path;
}

void
co2s_metrics_log_free (Co2sMetricsLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    g_close (log->fd, NULL);
  g_free (log->path);
  g_free (log->history_path);
  g_free (log);
}
