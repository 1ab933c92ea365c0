/* co2s-export.c — progress reporting and atomically replaced output files
 * for the export jobs. */
#define G_LOG_DOMAIN "co2s-export"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-export.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Attempts at a free temporary name before giving up. */
#define TEMP_NAME_ATTEMPTS 100

struct _Co2sProgress
{
  Co2sProgressFunc func;
  gpointer user_data;
  GMainContext *context;

  GMutex mutex;
  double latest;              /* highest value reported; -1 before any */
  gboolean queued;            /* a delivery is attached to @context */
};

struct _Co2sExportFile
{
  char *path;
  GFile *target;
  GFile *temp;
  GFileOutputStream *stream;
  gboolean done;              /* committed, or its failure cleaned up */
};

/* ---- progress ------------------------------------------------------------------ */

static void
progress_clear (gpointer data)
{
  Co2sProgress *self = data;

  g_mutex_clear (&self->mutex);
  g_main_context_unref (self->context);
}

/* Main context: hands the latest value to the function. */
static gboolean
progress_deliver (gpointer data)
{
  Co2sProgress *self = data;
  double fraction;

  g_mutex_lock (&self->mutex);
  fraction = self->latest;
  self->queued = FALSE;
  g_mutex_unlock (&self->mutex);

  self->func (fraction, self->user_data);
  return G_SOURCE_REMOVE;
}

Co2sProgress *
co2s_progress_new (Co2sProgressFunc func,
                   gpointer user_data)
{
  Co2sProgress *self;

  if (func == NULL)
    return NULL;

  self = g_atomic_rc_box_new0 (Co2sProgress);
  self->func = func;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->mutex);
  self->latest = -1.0;
  return self;
}

Co2sProgress *
co2s_progress_ref (Co2sProgress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
co2s_progress_unref (Co2sProgress *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, progress_clear);
}

void
co2s_progress_report (Co2sProgress *self,
                      double fraction)
{
  if (self == NULL || isnan (fraction))
    return;

  fraction = CLAMP (fraction, 0.0, 1.0);
  g_mutex_lock (&self->mutex);
  if (fraction > self->latest)
    {
      self->latest = fraction;
      if (!self->queued)
        {
          /* An attached idle, not g_main_context_invoke, which would run
           * the function right here whenever this thread can acquire the
           * context. */
          GSource *source = g_idle_source_new ();

          self->queued = TRUE;
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, progress_deliver, co2s_progress_ref (self),
                                 (GDestroyNotify) co2s_progress_unref);
          g_source_set_static_name (source, "[co2s] export progress");
          g_source_attach (source, self->context);
          g_source_unref (source);
        }
    }
  g_mutex_unlock (&self->mutex);
}

/* ---- output file ------------------------------------------------------------------ */

void
co2s_export_propagate_error (GError **dest,
                             GError *error,
                             const char *path)
{
  g_return_if_fail (error != NULL);
  g_return_if_fail (path != NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (dest, error);
  else
    g_propagate_prefixed_error (dest, error, _("Cannot write “%s”: "), path);
}

/* Closes and deletes the temporary file, ignoring errors (it may not be
 * there any more). */
static void
discard (Co2sExportFile *self)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  g_cancellable_cancel (cancelled);
  if (!g_output_stream_is_closed (G_OUTPUT_STREAM (self->stream)))
    g_output_stream_close (G_OUTPUT_STREAM (self->stream), cancelled, NULL);
  g_file_delete (self->temp, NULL, NULL);
  self->done = TRUE;
}

Co2sExportFile *
co2s_export_file_new (const char *path,
                      GCancellable *cancellable,
                      GError **error)
{
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *base = NULL;
  Co2sExportFile *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  target = g_file_new_for_path (path);
  folder = g_file_get_parent (target);
  base = g_file_get_basename (target);
  if (folder == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("Cannot write “%s”: it is a folder"), path);
      return NULL;
    }

  for (guint attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++)
    {
      g_autofree char *name = g_strdup_printf (".%s.%08x.part", base, g_random_int ());
      g_autoptr(GFile) temp = g_file_get_child (folder, name);
      g_autoptr(GError) local_error = NULL;
      GFileOutputStream *stream;

      stream = g_file_create (temp, G_FILE_CREATE_NONE, cancellable, &local_error);
      if (stream == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            continue;
          co2s_export_propagate_error (error, g_steal_pointer (&local_error), path);
          return NULL;
        }

      self = g_new0 (Co2sExportFile, 1);
      self->path = g_strdup (path);
      self->target = g_steal_pointer (&target);
      self->temp = g_steal_pointer (&temp);
      self->stream = stream;
      return self;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Cannot write “%s”: no free name for a temporary file beside it"), path);
  return NULL;
}

GOutputStream *
co2s_export_file_get_stream (Co2sExportFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return G_OUTPUT_STREAM (self->stream);
}

gboolean
co2s_export_file_commit (Co2sExportFile *self,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->done, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A rename, never a copy: the target changes in one step. */
  if (!g_output_stream_close (G_OUTPUT_STREAM (self->stream), cancellable, &local_error) ||
      !g_file_move (self->temp, self->target,
                    G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    cancellable, NULL, NULL, &local_error))
    {
      discard (self);
      co2s_export_propagate_error (error, g_steal_pointer (&local_error), self->path);
      return FALSE;
    }
  self->done = TRUE;
  return TRUE;
}

void
co2s_export_file_free (Co2sExportFile *self)
{
  if (self == NULL)
    return;

  if (!self->done)
    discard (self);
  g_object_unref (self->stream);
  g_object_unref (self->temp);
  g_object_unref (self->target);
  g_free (self->path);
  g_free (self);
}
