/* co2s-rmse-plot-export.c — the RMSE plot as a PNG, SVG or PDF file (on
 * the calling thread or on a worker thread, from a copy of the history), and
 * in words for screen readers. Declared in co2s-rmse-plot.h. */
#define G_LOG_DOMAIN "co2s-plot"

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "co2stream"
#endif

#include "co2s-rmse-plot-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#define EXPORT_MIN_SIZE 16
#define EXPORT_MAX_SIZE 16384

typedef enum {
  FORMAT_PNG,
  FORMAT_SVG,
  FORMAT_PDF,
} Format;

/* Where cairo's stream writers send bytes; keeps the first error. */
typedef struct {
  GOutputStream *stream;
  GCancellable *cancellable;
  GError *error;
} Sink;

/* What co2s_rmse_plot_export_async hands its worker thread. */
typedef struct {
  Co2sMetricsHistory *history;    /* a copy, the worker's alone; or NULL */
  Co2sRmsePlotOptions options;
  gboolean has_options;
  char *title;                    /* options.title points here */
  char *path;
  int width;
  int height;
  Co2sProgress *progress;
} ExportJob;

static cairo_status_t
sink_write (void *closure, const unsigned char *data, unsigned int length)
{
  Sink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->stream, data, length, NULL, sink->cancellable, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
format_from_path (const char *path, Format *format, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');
  g_autofree char *ext = dot != NULL ? g_ascii_strdown (dot + 1, -1) : NULL;

  if (g_strcmp0 (ext, "png") == 0)
    *format = FORMAT_PNG;
  else if (g_strcmp0 (ext, "svg") == 0)
    *format = FORMAT_SVG;
  else if (g_strcmp0 (ext, "pdf") == 0)
    *format = FORMAT_PDF;
  else
    {
      if (ext == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Cannot export the plot to “%s”: the file name has no extension; use .png, .svg or .pdf"),
                     path);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Cannot export the plot to “%s”: unknown file type “.%s”; use .png, .svg or .pdf"),
                     path, dot + 1);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cairo_ok (cairo_status_t status, Sink *sink, const char *path, GError **error)
{
  if (sink->error != NULL)
    {
      co2s_export_propagate_error (error, g_steal_pointer (&sink->error), path);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot write “%s”: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* Draws and encodes into @sink, reporting progress between the steps and
 * stopping at the first one after a cancellation. */
static gboolean
render (Co2sMetricsHistory *history,
        const Co2sRmsePlotOptions *options,
        Format format,
        int width,
        int height,
        Sink *sink,
        const char *path,
        Co2sProgress *progress,
        GError **error)
{
  g_autoptr(Co2sRmsePlot) plot = co2s_rmse_plot_new (history);
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  /* The decimation first, outside the lock that serialises PLplot. */
  co2s_rmse_plot_prepare (plot, width, height, options);
  co2s_progress_report (progress, 0.3);
  if (g_cancellable_set_error_if_cancelled (sink->cancellable, error))
    return FALSE;

  switch (format)
    {
    case FORMAT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      break;
    case FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (sink_write, sink, width, height);
      break;
    case FORMAT_PDF:
      surface = cairo_pdf_surface_create_for_stream (sink_write, sink, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                      options != NULL && options->title != NULL
                                      ? options->title : _("RMSE per batch"));
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "co2stream");
      break;
    default:
      g_assert_not_reached ();
    }

  cr = cairo_create (surface);
  co2s_rmse_plot_draw (plot, cr, width, height, options);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && !_co2s_rmse_plot_drew_frame (plot))
    {
      /* Never a blank file reported as written. */
      cairo_surface_destroy (surface);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot export the plot to “%s”: %d × %d is too small for its axes and labels"),
                   path, width, height);
      return FALSE;
    }
  co2s_progress_report (progress, 0.6);

  if (status == CAIRO_STATUS_SUCCESS && g_cancellable_is_cancelled (sink->cancellable))
    status = CAIRO_STATUS_WRITE_ERROR;
  else if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, sink_write, sink);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  co2s_progress_report (progress, 0.95);

  if (g_cancellable_set_error_if_cancelled (sink->cancellable, error))
    return FALSE;
  return cairo_ok (status, sink, path, error);
}

/* The sync and async exports. */
static gboolean
export_plot (Co2sMetricsHistory *history,
             const Co2sRmsePlotOptions *options,
             const char *path,
             int width,
             int height,
             GCancellable *cancellable,
             Co2sProgress *progress,
             GError **error)
{
  g_autoptr(Co2sExportFile) file = NULL;
  Sink sink = { NULL, cancellable, NULL };
  Format format;

  co2s_progress_report (progress, 0.0);
  if (!format_from_path (path, &format, error))
    return FALSE;
  if (width < EXPORT_MIN_SIZE || width > EXPORT_MAX_SIZE ||
      height < EXPORT_MIN_SIZE || height > EXPORT_MAX_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot export the plot at %d × %d: width and height must be between %d and %d"),
                   width, height, EXPORT_MIN_SIZE, EXPORT_MAX_SIZE);
      return FALSE;
    }

  /* Written beside the target and renamed over it on success. */
  file = co2s_export_file_new (path, cancellable, error);
  if (file == NULL)
    return FALSE;
  sink.stream = co2s_export_file_get_stream (file);
  if (!render (history, options, format, width, height, &sink, path, progress, error) ||
      !co2s_export_file_commit (file, cancellable, error))
    {
      g_clear_error (&sink.error);
      return FALSE;
    }
  co2s_progress_report (progress, 1.0);
  return TRUE;
}

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->history);
  g_free (job->title);
  g_free (job->path);
  g_clear_pointer (&job->progress, co2s_progress_unref);
  g_free (job);
}

static void
export_in_thread (GTask *task,
                  gpointer source_object,
                  gpointer task_data,
                  GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;

  if (export_plot (job->history, job->has_options ? &job->options : NULL, job->path,
                   job->width, job->height, cancellable, job->progress, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

gboolean
co2s_rmse_plot_export (Co2sMetricsHistory *history,
                       const Co2sRmsePlotOptions *options,
                       const char *path,
                       int width,
                       int height,
                       GError **error)
{
  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_plot (history, options, path, width, height, NULL, NULL, error);
}

void
co2s_rmse_plot_export_async (Co2sMetricsHistory *history,
                             const Co2sRmsePlotOptions *options,
                             const char *path,
                             int width,
                             int height,
                             GCancellable *cancellable,
                             Co2sProgressFunc progress,
                             gpointer progress_data,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (ExportJob, 1);
  job->history = history != NULL ? co2s_metrics_history_copy (history) : NULL;
  if (options != NULL)
    {
      job->options = *options;
      job->has_options = TRUE;
      job->title = g_strdup (options->title);
      job->options.title = job->title;
    }
  job->path = g_strdup (path);
  job->width = width;
  job->height = height;
  job->progress = co2s_progress_new (progress, progress_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_rmse_plot_export_async);
  g_task_set_name (task, "[co2s] plot export");
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread (task, export_in_thread);
}

gboolean
co2s_rmse_plot_export_finish (GAsyncResult *result,
                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, co2s_rmse_plot_export_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* RMSE in g/km, with the precision a reader needs. */
static char *
format_rmse (double v)
{
  return g_strdup_printf ("%.*f", fabs (v) >= 1.0 ? 1 : 3, v);
}

static char *describe_rmse (Co2sMetricsHistory *history);

char *
co2s_rmse_plot_describe (Co2sMetricsHistory *history)
{
  g_autofree char *rmse = NULL;
  g_autoptr(GString) names = NULL;
  guint n_models;
  gint champion;

  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  rmse = describe_rmse (history);
  if (history == NULL || co2s_metrics_history_get_n_batches (history) == 0 ||
      (n_models = co2s_metrics_history_get_n_models (history)) < 2)
    return g_steal_pointer (&rmse);

  /* Several models: the series drawn, by name, and the champion. */
  names = g_string_new (NULL);
  for (guint k = 0; k < n_models; k++)
    {
      if (k > 0)
        /* Translators: between model names in a list, "ls, ls:fuel, sgd" */
        g_string_append (names, C_("list", ", "));
      g_string_append (names, co2s_metrics_history_get_model_name (history, k));
    }
  champion = co2s_metrics_history_get_champion (history);
  if (champion < 0)
    /* Translators: appended to the plot's description for screen readers
     * when several models learn side by side; %s lists their names */
    return g_strdup_printf (_("%s Models: %s."), rmse, names->str);
  /* Translators: as "%s Models: %s.", then the champion's name (the model
   * with the lowest rolling RMSE, whose figures the key figures show) */
  return g_strdup_printf (_("%s Models: %s; champion %s."), rmse, names->str,
                          co2s_metrics_history_get_model_name (history, (guint) champion));
}

static char *
describe_rmse (Co2sMetricsHistory *history)
{
  g_autofree char *last_rmse = NULL;
  g_autofree char *best_rmse = NULL;
  g_autofree char *last_batch = NULL;
  g_autofree char *best_batch = NULL;
  guint64 best_at = 0;
  double last, best;

  if (history == NULL || co2s_metrics_history_get_n_batches (history) == 0)
    return g_strdup (_("No batches yet."));

  last = co2s_metrics_history_get_last_rmse (history);
  best = co2s_metrics_history_get_best_rmse (history, &best_at);
  last_batch = g_strdup_printf ("%'" G_GUINT64_FORMAT, co2s_metrics_history_get_last_batch (history));
  if (!isfinite (best))
    /* Translators: %s is a batch number. */
    return g_strdup_printf (_("No RMSE measured yet; latest batch %s."), last_batch);

  best_rmse = format_rmse (best);
  best_batch = g_strdup_printf ("%'" G_GUINT64_FORMAT, best_at);
  if (!isfinite (last))
    /* Translators: batch number, then the best RMSE and its batch. */
    return g_strdup_printf (_("Latest batch %s has no RMSE; best %s g/km at batch %s."),
                            last_batch, best_rmse, best_batch);

  last_rmse = format_rmse (last);
  /* Translators: the RMSE values use the locale's decimal separator; the
   * batch numbers its digit grouping. Keep the order of the %s or use %1$s. */
  return g_strdup_printf (_("Latest RMSE %s g/km at batch %s; best %s g/km at batch %s."),
                          last_rmse, last_batch, best_rmse, best_batch);
}

static char *describe_values (Co2sMetricsHistory *history, Co2sPlotQuantity quantity);

char *
co2s_rmse_plot_describe_quantity (Co2sMetricsHistory *history, Co2sPlotQuantity quantity)
{
  char *values = describe_values (history, quantity);
  g_autofree char *count = NULL;
  g_autofree char *at = NULL;
  guint64 alarms, last_alarm = 0;
  char *sentence;

  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  if (history == NULL)
    return values;
  /* The marks on the plot, said in words. */
  alarms = co2s_metrics_history_count_drift_alarms (history, &last_alarm);
  if (alarms == 0)
    return values;
  count = g_strdup_printf ("%'" G_GUINT64_FORMAT, alarms);
  at = g_strdup_printf ("%'" G_GUINT64_FORMAT, last_alarm);
  /* Translators: appended to the plot's description for screen readers:
   * how many batches raised the drift alarm, and the latest one */
  sentence = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %s drift alarm, at batch %s.",
                                           "%s %s drift alarms, the latest at batch %s.",
                                           (gulong) MIN (alarms, G_MAXULONG)),
                              values, count, at);
  g_free (values);
  return sentence;
}

static char *
describe_values (Co2sMetricsHistory *history, Co2sPlotQuantity quantity)
{
  g_autofree char *last_batch = NULL;
  const double *column;
  guint n = 0, top = 0;
  double last;

  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  if (quantity != CO2S_PLOT_QUANTITY_LAG && quantity != CO2S_PLOT_QUANTITY_THROUGHPUT)
    return co2s_rmse_plot_describe (history);
  if (history == NULL || co2s_metrics_history_get_n_batches (history) == 0)
    return g_strdup (_("No batches yet."));

  column = quantity == CO2S_PLOT_QUANTITY_LAG ? co2s_metrics_history_get_lag_column (history, &n)
                                              : co2s_metrics_history_get_rate_column (history, &n);
  last = column[n - 1];
  last_batch = g_strdup_printf ("%'" G_GUINT64_FORMAT, co2s_metrics_history_get_last_batch (history));
  if (quantity == CO2S_PLOT_QUANTITY_THROUGHPUT)
    {
      g_autofree char *rate = NULL;

      if (!isfinite (last))
        /* Translators: %s is a batch number. */
        return g_strdup_printf (_("No throughput measured yet; latest batch %s."), last_batch);
      rate = g_strdup_printf ("%'.0f", last);
      /* Translators: rows per second, then a batch number. */
      return g_strdup_printf (_("Learning %s rows per second at batch %s."), rate, last_batch);
    }

  for (guint i = 1; i < n; i++)
    if (isfinite (column[i]) && (!isfinite (column[top]) || column[i] > column[top]))
      top = i;
  if (!isfinite (last) || !isfinite (column[top]))
    /* Translators: %s is a batch number. */
    return g_strdup_printf (_("No consumer lag known yet; latest batch %s."), last_batch);
  {
    const double *batches = co2s_metrics_history_get_batch_column (history, NULL);
    g_autofree char *last_lag = g_strdup_printf ("%'.0f", last);
    g_autofree char *top_lag = g_strdup_printf ("%'.0f", column[top]);
    g_autofree char *top_batch = g_strdup_printf ("%'.0f", batches[top]);

    /* Translators: messages behind, a batch number, the highest lag and its batch. */
    return g_strdup_printf (_("Consumer lag %s messages at batch %s; highest %s at batch %s."),
                            last_lag, last_batch, top_lag, top_batch);
  }
}
