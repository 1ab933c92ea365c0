/* co2s-model-dir-lock.c — one trainer per model folder (flock on <dir>/.lock). */
#define G_LOG_DOMAIN "co2s-model-dir-lock"

#include "co2s-model-dir-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct _Co2sModelDirLock {
  int fd;   /* holds the flock while open */
};

/* The holder's line is written right after it took the lock: a refused
 * process may look in between, so it rereads for a moment. */
#define HOLDER_READ_TRIES 20
#define HOLDER_READ_PAUSE_US (25 * 1000)
#define HOLDER_MAX_BYTES 256

/* "@what: strerror (@saved)", with the GIOErrorEnum of @saved. */
static void
set_errno_error (GError **error, int saved, const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", what, g_strerror (saved));
}

static gboolean
write_holder (int fd, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *text = g_strdup_printf ("pid=%ld\nstarted=%s\n", (long) getpid (), stamp);
  gsize len = strlen (text);

  if (ftruncate (fd, 0) != 0 || pwrite (fd, text, len, 0) != (gssize) len)
    {
      int saved = errno;

      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Parses "pid=N\nstarted=ISO8601\n"; FALSE if the file does not (yet) hold both. */
static gboolean
parse_holder (const char *text, long *pid, GDateTime **started)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GDateTime) when = NULL;
  long found_pid = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "pid="))
        {
          guint64 value;

          if (g_ascii_string_to_unsigned (lines[i] + 4, 10, 1, G_MAXINT32, &value, NULL))
            found_pid = (long) value;
        }
      else if (g_str_has_prefix (lines[i], "started="))
        {
          g_clear_pointer (&when, g_date_time_unref);
          when = g_date_time_new_from_iso8601 (lines[i] + 8, NULL);
        }
    }
  if (found_pid == 0 || when == NULL)
    return FALSE;
  *pid = found_pid;
  *started = g_steal_pointer (&when);
  return TRUE;
}

static gboolean
read_holder (int fd, long *pid, GDateTime **started)
{
  for (guint attempt = 0; attempt < HOLDER_READ_TRIES; attempt++)
    {
      char buf[HOLDER_MAX_BYTES + 1];
      gssize n = pread (fd, buf, HOLDER_MAX_BYTES, 0);

      if (n > 0)
        {
          buf[n] = '\0';
          if (parse_holder (buf, pid, started))
            return TRUE;
        }
      g_usleep (HOLDER_READ_PAUSE_US);
    }
  return FALSE;
}

static void
set_busy_error (GError **error, const char *dir, int fd)
{
  g_autoptr(GDateTime) started = NULL;
  long pid = 0;

  if (read_holder (fd, &pid, &started))
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (started);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   /* Translators: %s are the model folder and a local date and time; keep
                    * --model-dir */
                   _("the model folder %s is in use by another trainer (pid %ld, started %s); "
                     "stop it first or choose another --model-dir"), dir, pid, when);
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                 /* Translators: %s is the model folder; keep --model-dir */
                 _("the model folder %s is in use by another trainer; stop it first or choose "
                   "another --model-dir"), dir);
}

Co2sModelDirLock *
co2s_model_dir_lock_acquire (const char *dir, GError **error)
{
  g_autofree char *path = NULL;
  Co2sModelDirLock *lock;
  int fd;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (dir, CO2S_MODEL_DIR_LOCK_FILE, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *what = g_strdup_printf (_("cannot create the folder of %s"), path);

      set_errno_error (error, saved, what);
      return NULL;
    }
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *what = g_strdup_printf (_("cannot open %s"), path);

      set_errno_error (error, saved, what);
      return NULL;
    }

  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      if (saved == EINTR)
        continue;
      if (saved == EWOULDBLOCK)
        set_busy_error (error, dir, fd);
      else
        {
          g_autofree char *what = g_strdup_printf (_("cannot lock %s"), path);

          set_errno_error (error, saved, what);
        }
      close (fd);
      return NULL;
    }

  /* The lock is ours even if the note cannot be written (a full disk): the
   * note only makes a refusal more helpful. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!write_holder (fd, &local_error))
      g_warning ("%s: cannot record this trainer's pid: %s", path, local_error->message);
  }

  lock = g_new0 (Co2sModelDirLock, 1);
  lock->fd = fd;
  return lock;
}

void
co2s_model_dir_lock_free (Co2sModelDirLock *lock)
{
  if (lock == NULL)
    return;
  close (lock->fd);   /* releases the flock; the file stays */
  g_free (lock);
}
