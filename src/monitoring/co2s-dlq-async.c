/* co2s-dlq-async.c — co2s_dlq_list and co2s_dlq_redrive on a worker thread
 * (GTask), for the app (see co2s-dlq.h). */
#define G_LOG_DOMAIN "co2s-dlq"

#include "co2s-dlq.h"

/* A deep copy of the options and selection, owned by the task. */
typedef struct {
  char *brokers;
  char **overrides;
  char *dlq_topic;
  char *target_topic;
  guint timeout_ms;
  GArray *refs;        /* NULL: by reason */
  char *reason;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->brokers);
  g_strfreev (job->overrides);
  g_free (job->dlq_topic);
  g_free (job->target_topic);
  g_clear_pointer (&job->refs, g_array_unref);
  g_free (job->reason);
  g_free (job);
}

static Job *
job_new (const Co2sDlqOptions *opts, const Co2sDlqSelection *selection)
{
  Job *job = g_new0 (Job, 1);

  job->brokers = g_strdup (opts->brokers);
  job->overrides = g_strdupv ((char **) opts->overrides);
  job->dlq_topic = g_strdup (opts->dlq_topic);
  job->target_topic = g_strdup (opts->target_topic);
  job->timeout_ms = opts->timeout_ms;
  if (selection != NULL && selection->refs != NULL)
    {
      job->refs = g_array_sized_new (FALSE, FALSE, sizeof (Co2sDlqRef), selection->n_refs);
      g_array_append_vals (job->refs, selection->refs, selection->n_refs);
    }
  if (selection != NULL)
    job->reason = g_strdup (selection->reason);
  return job;
}

static Co2sDlqOptions
job_options (Job *job)
{
  return (Co2sDlqOptions) {
    .brokers = job->brokers,
    .overrides = (const char * const *) job->overrides,
    .dlq_topic = job->dlq_topic,
    .target_topic = job->target_topic,
    .timeout_ms = job->timeout_ms,
  };
}

static void
list_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Co2sDlqOptions opts = job_options (data);
  GError *error = NULL;
  GPtrArray *letters = co2s_dlq_list (&opts, cancellable, &error);

  (void) source;
  if (letters == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, letters, (GDestroyNotify) g_ptr_array_unref);
}

void
co2s_dlq_list_async (const Co2sDlqOptions *opts,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (opts != NULL && opts->brokers != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_dlq_list_async);
  g_task_set_task_data (task, job_new (opts, NULL), job_free);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
co2s_dlq_list_finish (GAsyncResult *result,
                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_dlq_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
redrive_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  Co2sDlqOptions opts = job_options (job);
  Co2sDlqSelection selection = {
    .refs = job->refs != NULL ? (const Co2sDlqRef *) job->refs->data : NULL,
    .n_refs = job->refs != NULL ? job->refs->len : 0,
    .reason = job->reason,
  };
  GError *error = NULL;
  GArray *results = co2s_dlq_redrive (&opts, &selection, cancellable, &error);

  (void) source;
  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_array_unref);
}

void
co2s_dlq_redrive_async (const Co2sDlqOptions *opts,
                        const Co2sDlqSelection *selection,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (opts != NULL && opts->brokers != NULL);
  g_return_if_fail (selection != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_dlq_redrive_async);
  g_task_set_task_data (task, job_new (opts, selection), job_free);
  g_task_run_in_thread (task, redrive_thread);
}

GArray *
co2s_dlq_redrive_finish (GAsyncResult *result,
                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == co2s_dlq_redrive_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
