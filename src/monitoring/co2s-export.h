/* co2s-export.h — what the export jobs (the metrics CSV, the RMSE plot)
 * share: progress computed on a worker thread and reported on the main
 * context of the thread that started the job, and an output file written
 * beside its target and renamed over it only once complete.
 *
 * GLib/GIO only. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Progress of a job, @fraction from 0.0 to 1.0, called on the main context
 * of the thread that started the job. */
typedef void (*Co2sProgressFunc) (double fraction,
                                  gpointer user_data);

/* ---- progress ------------------------------------------------------------ */

typedef struct _Co2sProgress Co2sProgress;

/* A reporter calling @func (@user_data) on the caller's thread-default
 * main context; NULL when @func is NULL (reports to NULL do nothing).
 * @user_data is not owned: it must stay valid until the job's callback has
 * run. Reports are coalesced: the function sees a non-decreasing sequence
 * of the latest values, at most once per main-loop iteration, and a report
 * made before the job returns is delivered before the job's callback (both
 * are default-priority sources of the same context, run in order). */
Co2sProgress *co2s_progress_new (Co2sProgressFunc func,
                                 gpointer user_data);
Co2sProgress *co2s_progress_ref (Co2sProgress *self);
void          co2s_progress_unref (Co2sProgress *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sProgress, co2s_progress_unref)

/* Any thread. @fraction is clamped to 0..1; a value not above the last one
 * reported is dropped. @self may be NULL. */
void co2s_progress_report (Co2sProgress *self,
                           double fraction);

/* ---- output file ----------------------------------------------------------- */

typedef struct _Co2sExportFile Co2sExportFile;

/* Creates a hidden temporary file in @path's folder, to be renamed over
 * @path by co2s_export_file_commit. NULL with a GIO error whose message
 * names @path when it cannot be created. One thread at a time. */
Co2sExportFile *co2s_export_file_new (const char *path,
                                      GCancellable *cancellable,
                                      GError **error);

/* Where to write; owned by @self. */
GOutputStream *co2s_export_file_get_stream (Co2sExportFile *self);

/* Closes the stream and renames the file over the target: @path then
 * holds exactly what was written, or, on failure (a GIO error naming
 * @path, or G_IO_ERROR_CANCELLED), is left as it was and the temporary
 * file is gone. Call at most once. */
gboolean co2s_export_file_commit (Co2sExportFile *self,
                                  GCancellable *cancellable,
                                  GError **error);

/* Frees @self; a file not committed is closed and deleted. NULL is fine. */
void co2s_export_file_free (Co2sExportFile *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sExportFile, co2s_export_file_free)

/* Prefixes @error (taken) with "Cannot write “@path”: " into @dest, unless
 * it is G_IO_ERROR_CANCELLED, which goes through as it is. */
void co2s_export_propagate_error (GError **dest,
                                  GError *error,
                                  const char *path);

G_END_DECLS
