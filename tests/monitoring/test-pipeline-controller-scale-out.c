/* test-pipeline-controller-scale-out.c — Co2sPipelineController following
 * a scale-out run (co2stream-trainer --scale-out): its history read from
 * the trainers' files of the model folder, then live batches from the real
 * embedded broker without duplicates, and the files read again only when
 * a partition's batches jump. Headless, over tests/supervision's
 * fake-service (pipeline-controller-fixture.h). */
#define G_LOG_DOMAIN "test-pipeline-controller"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "co2s-contracts.h"
#include "pipeline-controller-fixture.h"

static gboolean
follower_assigned (gpointer data)
{
  return co2s_metrics_follower_get_assigned (data);
}

typedef struct {
  Co2sMetricsHistory *history;
  guint64 value;
} GapWait;

static gboolean
epoch_moved (gpointer data)
{
  GapWait *w = data;

  return co2s_metrics_history_get_epoch (w->history) != w->value;
}

/* ---- /pipeline-controller/scale-out/live-no-duplicates ------------------- */

/* A scale-out run: partition @partition's batch @pb by trainer @trainer,
 * its own line @local (numbers far from the history's, as a trainer's
 * own count is), as the shard trainer writes it to its file ('\n'-ended)
 * and, without the '\n', to streaming_metrics. */
static void
scale_out_json (const char *trainer,
                guint64 local,
                gint partition,
                guint64 pb,
                GString *out)
{
  Co2sBatchMetrics m = { 0 };

  m.batch = 1000 + local;
  m.rows = 100;
  m.rows_seen = local * 100;
  m.rmse = 10.0 + partition + pb / 100.0;
  m.timestamp_us = T0 + (gint64) (pb * 10 + (guint64) partition) * 1000;
  g_strlcpy (m.algo, "ls", sizeof m.algo);
  m.partition = partition;
  m.partition_batch = pb;
  g_strlcpy (m.trainer, trainer, sizeof m.trainer);
  co2s_batch_metrics_to_json (&m, out);
}

/* @dir/trainers/@trainer/metrics.jsonl: partition @partition's batches 1 to
 * @n, replaced at once. */
static void
write_trainer_metrics (const char *dir,
                       const char *trainer,
                       gint partition,
                       guint64 n)
{
  g_autoptr(GString) file = g_string_new (NULL);
  g_autofree char *folder = g_build_filename (dir, "trainers", trainer, NULL);
  g_autofree char *path = g_build_filename (folder, CO2S_METRICS_FILE, NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  for (guint64 i = 1; i <= n; i++)
    scale_out_json (trainer, i, partition, i, file);
  g_assert_true (g_file_set_contents (path, file->str, (gssize) file->len, NULL));
}

/* Publishes partition @partition's batches @from to @to to
 * streaming_metrics, as trainer @trainer's transaction does. */
static void
publish_scale_out (const char *brokers,
                   const char *trainer,
                   gint partition,
                   guint64 from,
                   guint64 to)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint64 i = from; i <= to; i++)
    {
      GString *line = g_string_new (NULL);

      scale_out_json (trainer, i, partition, i, line);
      g_string_truncate (line, line->len - 1);
      g_ptr_array_add (payloads, g_string_free (line, FALSE));
    }
  g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_METRICS,
                                          (const char * const *) payloads->pdata, NULL,
                                          payloads->len, &error));
  g_assert_no_error (error);
}

typedef struct {
  Co2sMetricsHistory *history;
  gint partition;
  guint64 pb;
} OriginWait;

static gboolean
holds_origin (gpointer data)
{
  OriginWait *w = data;

  return co2s_metrics_history_holds_partition_batch (w->history, w->partition, w->pb);
}

/* The history holds partitions 0 and 1's batches 1 to @n0 and 1 to @n1,
 * each once, numbered 1, 2, 3… */
static void
assert_scale_out_history (Co2sMetricsHistory *history, guint64 n0, guint64 n1)
{
  guint n = 0;
  const double *batch = co2s_metrics_history_get_batch_column (history, &n);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (n, ==, n0 + n1);
  for (guint i = 0; i < n; i++)
    {
      gint partition;
      guint64 pb;

      g_assert_cmpfloat (batch[i], ==, (double) (i + 1));
      g_assert_true (co2s_metrics_history_get_batch_origin (history, i, &partition, &pb, NULL));
      g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%d/%" G_GUINT64_FORMAT, partition, pb)));
      g_assert_cmpuint (pb, >=, 1);
      g_assert_cmpuint (pb, <=, partition == 0 ? n0 : n1);
    }
}

/* The controller's "reading the metrics files again" (a live batch
 * jumped), counted as it decides, before the batch is in the history. */
static guint reloads_on_jump;

static void
count_reloads (const char *domain, GLogLevelFlags level, const char *message, gpointer unused)
{
  if (strstr (message, "reading the metrics files again") != NULL)
    reloads_on_jump++;
  g_log_default_handler (domain, level, message, NULL);
}

/* Two scale-out trainers: a learns partition 0, b partition 1; their lines
 * go to trainers/a and trainers/b and to streaming_metrics, and no
 * metrics.jsonl is written. The history read from the files is followed
 * live: batches whose own numbers (each trainer's count) jump past the
 * history's are no gap and read no file; a live batch already held is
 * dropped; one that jumps in its partition (its partition_batch past the
 * highest held) has the files read again, which fill the batch missed. */
static void
test_scale_out_live_no_duplicates (Fixture *f,
                                   gconstpointer data)
{
  Co2sMetricsHistory *history = co2s_pipeline_controller_get_history (f->ctl);
  g_autoptr(Co2sTestProc) broker = NULL;
  g_autofree char *brokers = NULL;
  Co2sMetricsFollower *follower;
  GapWait w = { history, 0 };
  OriginWait o = { history, 0, 0 };
  HistoryWait all = { history, 0 };
  guint64 n0 = 3, n1 = 2;
  guint handler;
  gint64 deadline;

  handler = g_log_set_handler ("co2s-pipeline-controller", G_LOG_LEVEL_DEBUG, count_reloads, NULL);

  /* The run so far: in the files and on the topic, before the follower. */
  broker = co2s_test_embedded_broker_start (NULL, &brokers);
  write_trainer_metrics (f->env.models, "a", 0, n0);
  write_trainer_metrics (f->env.models, "b", 1, n1);
  publish_scale_out (brokers, "a", 0, 1, n0);
  publish_scale_out (brokers, "b", 1, 1, n1);

  g_object_set (f->sup, "broker-kind", CO2S_BROKER_EXISTING, NULL);
  g_object_set (f->ctl, "broker-address", brokers, NULL);
  start_running (f);
  follower = co2s_pipeline_controller_get_follower (f->ctl);
  g_assert_nonnull (follower);
  co2s_test_assert_wait_msg (follower_assigned, follower, 30000, "the follower assigned");

  w.value = co2s_metrics_history_get_epoch (history);
  co2s_pipeline_controller_reload_metrics (f->ctl);
  co2s_test_assert_wait_msg (epoch_moved, &w, 10000, "the files read");
  assert_scale_out_history (history, n0, n1);

  /* a goes on (its file, then the topic) until a batch arrives live. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      n0++;
      write_trainer_metrics (f->env.models, "a", 0, n0);
      publish_scale_out (brokers, "a", 0, n0, n0);
      o = (OriginWait) { history, 0, n0 };
      if (co2s_test_wait_until (holds_origin, &o, 500))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  all = (HistoryWait) { history, (guint) (n0 + n1) };
  co2s_test_assert_wait_msg (history_has, &all, 10000, "the files' batches and the live ones");
  assert_scale_out_history (history, n0, n1);

  /* Live from now on: a batch already held comes again (dropped), then
   * the next of each partition; no file is read again. */
  reloads_on_jump = 0;
  publish_scale_out (brokers, "b", 1, n1, n1);
  n0++;
  n1++;
  write_trainer_metrics (f->env.models, "a", 0, n0);
  write_trainer_metrics (f->env.models, "b", 1, n1);
  publish_scale_out (brokers, "a", 0, n0, n0);
  publish_scale_out (brokers, "b", 1, n1, n1);
  o = (OriginWait) { history, 1, n1 };
  co2s_test_assert_wait_msg (holds_origin, &o, 10000, "b's next batch live");
  o = (OriginWait) { history, 0, n0 };
  co2s_test_assert_wait_msg (holds_origin, &o, 10000, "a's next batch live");
  assert_scale_out_history (history, n0, n1);
  g_assert_cmpuint (reloads_on_jump, ==, 0);

  /* A jump in partition 1: two batches in b's file, the second only live. */
  write_trainer_metrics (f->env.models, "b", 1, n1 + 2);
  publish_scale_out (brokers, "b", 1, n1 + 2, n1 + 2);
  o = (OriginWait) { history, 1, n1 + 1 };
  co2s_test_assert_wait_msg (holds_origin, &o, 10000, "the batch missed, read from b's file");
  n1 += 2;
  all = (HistoryWait) { history, (guint) (n0 + n1) };
  co2s_test_assert_wait_msg (history_has, &all, 10000, "every batch once");
  assert_scale_out_history (history, n0, n1);
  g_assert_cmpuint (reloads_on_jump, ==, 1);

  g_log_remove_handler ("co2s-pipeline-controller", handler);
  stop_stopped (f);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pipeline-controller/scale-out/live-no-duplicates", Fixture, NULL, fixture_setup,
              test_scale_out_live_no_duplicates, fixture_teardown);
  return g_test_run ();
}
