/* co2s-trainer-kafka.c — the trainer's Kafka side: clients, callbacks,
 * where each partition starts, dead letters, commits and the metrics topic. */
#define G_LOG_DOMAIN "co2s-trainer"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-record-json.h"
#include "co2s-log-check.h"
#include "co2s-trainer-private.h"

/* ---- Kafka callbacks ------------------------------------------------- */

static void
error_cb (rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  Co2sTrainer *self = opaque;
  char buf[512];

  if (err == RD_KAFKA_RESP_ERR__FATAL)
    {
      rd_kafka_resp_err_t ferr = rd_kafka_fatal_error (rk, buf, sizeof buf);

      _co2s_trainer_set_fatal (self, g_error_new (CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                                                  _("fatal Kafka error (%s): %s"),
                                                  rd_kafka_err2name (ferr), buf));
      return;
    }
  /* librdkafka logs every failed connection itself; say the rest once in a
   * while rather than on every retry. */
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT)
    return;
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    {
      gint64 now = g_get_monotonic_time ();

      if (now - self->brokers_down_warned_us < 30 * G_USEC_PER_SEC && self->brokers_down_warned_us)
        return;
      self->brokers_down_warned_us = now;
      g_warning ("no Kafka broker reachable at %s; retrying",
                 self->opts.brokers ? self->opts.brokers : "(default)");
      return;
    }
  g_warning ("Kafka %s: %s: %s", rd_kafka_name (rk), rd_kafka_err2name (err), reason);
}

static void
dr_msg_cb (rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
  Co2sTrainer *self = opaque;

  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    return;
  if (self->dr_failures++ < 10)
    g_warning ("could not deliver a message to %s: %s",
               rd_kafka_topic_name (msg->rkt), rd_kafka_err2str (msg->err));
}

static void
offset_commit_cb (rd_kafka_t *rk,
                  rd_kafka_resp_err_t err,
                  rd_kafka_topic_partition_list_t *offsets,
                  void *opaque)
{
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    g_warning ("committing offsets to the group failed: %s (the model file keeps the "
               "position; the group's offsets are only informational)",
               rd_kafka_err2str (err));
}

/* ---- start position --------------------------------------------------- */

static void
ensure_cluster_id (Co2sTrainer *self)
{
  char *id;

  if (self->cluster_id != NULL)
    return;
  id = rd_kafka_clusterid (self->consumer, QUERY_TIMEOUT_MS);
  if (id == NULL)
    {
      g_warning ("could not learn the Kafka cluster id; the model file's offsets are "
                 "trusted as they are");
      return;
    }
  self->cluster_id = g_strdup (id);
  rd_kafka_mem_free (self->consumer, id);
}

/* "DIR/model.old-log-20240610T061320Z.json" for "DIR/model.json". */
static char *
old_log_copy_name (const char *path, const char *stamp)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  g_autofree char *name = NULL;

  if (dot != NULL)
    *dot++ = '\0';
  name = g_strdup_printf ("%s.old-log-%s%s%s", base, stamp, dot ? "." : "", dot ? dot : "");
  return g_build_filename (dir, name, NULL);
}

static gboolean
keep_copy (const char *model_path, const char *from, const char *to, GError **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);
  g_autoptr(GError) local_error = NULL;

  if (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
      !g_file_query_exists (source, NULL))
    return TRUE; /* no metrics file: nothing to keep */
  g_set_error (error, local_error->domain, local_error->code,
               _("the topic's log is not the one the model file %s learned, and a copy of %s "
                 "cannot be kept as %s before a fresh model starts: %s (nothing was changed; "
                 "free some space, or move the model folder away)"),
               model_path, from, to, local_error->message);
  return FALSE;
}

/* The model file's log is gone: the topic was deleted and recreated (or its
 * log truncated). Keeping the model would learn a replayed data set twice
 * and count rows that are in no log any more; resuming at its offsets would
 * skip the new log's first rows. So: keep copies of the model and metrics
 * files, then start a fresh model from the new log's beginning, exactly as
 * --reset does (saved before its first row). @running: noticed by a
 * running trainer, whose rows learned since the change go with the old
 * model. */
static gboolean
start_over_on_new_log (Co2sTrainer *self, gint32 partition, const char *why, gboolean running,
                       GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *model_copy = old_log_copy_name (self->model_path, stamp);
  g_autofree char *metrics_copy = old_log_copy_name (self->metrics_path, stamp);
  g_autofree char *history_path = co2s_metrics_history_path_for (self->metrics_path);
  g_autofree char *history_copy = old_log_copy_name (history_path, stamp);

  if (!keep_copy (self->model_path, self->model_path, model_copy, error) ||
      !keep_copy (self->model_path, self->metrics_path, metrics_copy, error) ||
      !keep_copy (self->model_path, history_path, history_copy, error))
    return FALSE;

  g_autofree char *where = partition >= 0 ? g_strdup_printf ("topic \"%s\" [%d]", self->opts.topic, partition)
                                           : g_strdup_printf ("topic \"%s\"", self->opts.topic);

  g_warning ("%s: %s is not the log this model learned: %s%s. So that none of this "
             "log's rows is skipped and none learned twice, a fresh %s model learns it from its "
             "beginning (as --reset does); the previous model (%" G_GUINT64_FORMAT " rows, %"
             G_GUINT64_FORMAT " batches%s) and its metrics are kept as %s and %s",
             self->model_path, where, why,
             partition < 0 ? "" : running ? ". The topic was deleted and recreated, or its log truncated "
                                            "or replaced, while the trainer ran"
                                          : ". The topic was deleted and recreated, or its log truncated "
                                            "or replaced",
             _co2s_trainer_model_name (self), co2s_model_get_rows_seen (self->cp->model),
             self->cp->batches,
             running ? ", the last of them possibly learned from the new log" : "",
             model_copy, metrics_copy);

  g_clear_pointer (&self->cp, co2s_checkpoint_free);
  self->cp = co2s_checkpoint_new_for_specs (self->opts.models, self->opts.n_models);
  g_clear_pointer (&self->log, co2s_metrics_log_free);
  self->cp_loaded = FALSE;
  self->opts.reset = TRUE;
  g_array_set_size (self->anchor, 0);
  return TRUE;
}

/* The first time partitions are assigned: does the model file's position
 * belong to this cluster and topic? If not, the model learned another log
 * (the local broker's data was reset, another Kafka, the embedded demo
 * broker, another topic): it starts over as for a replaced log, its files
 * kept aside, so that no row is learned twice. */
static gboolean
check_checkpoint_origin (Co2sTrainer *self, GError **error)
{
  const Co2sCheckpoint *cp = self->cp;
  g_autofree char *why = NULL;

  if (self->cp_checked)
    return TRUE;
  self->cp_checked = TRUE;

  if (cp->offsets->len == 0 || self->opts.reset)
    return TRUE;
  if (cp->topic != NULL && g_strcmp0 (cp->topic, self->opts.topic) != 0)
    why = g_strdup_printf ("the model file's offsets belong to topic \"%s\", not this one (another topic)",
                           cp->topic);
  else if (cp->cluster_id != NULL && self->cluster_id != NULL &&
           g_strcmp0 (cp->cluster_id, self->cluster_id) != 0)
    why = g_strdup_printf ("the model file's offsets belong to cluster %s, but this is cluster %s "
                           "(another cluster: a broker whose data was reset, or another Kafka)",
                           cp->cluster_id, self->cluster_id);

  if (why == NULL)
    return TRUE;
  return start_over_on_new_log (self, -1, why, FALSE, error);
}

/* The checker, created once; NULL (said once) when it cannot be. */
static Co2sLogCheck *
get_log_check (Co2sTrainer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->log_check != NULL || self->log_check_failed)
    return self->log_check;
  self->log_check = co2s_log_check_new (self->opts.brokers, (const char * const *) self->opts.overrides,
                                        self->opts.topic, QUERY_TIMEOUT_MS, &error);
  if (self->log_check == NULL)
    {
      self->log_check_failed = TRUE;
      g_warning ("cannot check that %s is still the log %s learned: %s; trusting its offsets",
                 self->opts.topic, self->model_path, error->message);
    }
  return self->log_check;
}

/* Compares each position of @positions with the log. TRUE with *@partition
 * and @why set when one is not the log learned; FALSE when none is found so
 * (a check that cannot be made is said, as @loud a warning, else in debug
 * messages, and trusts the position). */
static gboolean
find_replaced_log (Co2sTrainer *self, GArray *positions, gboolean loud, gint32 *partition, char **why)
{
  Co2sLogCheck *check = get_log_check (self);

  for (guint i = 0; check != NULL && i < positions->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (positions, Co2sPartitionOffset, i);
      Co2sLogVerdict verdict = CO2S_LOG_SAME;
      g_autoptr(GError) error = NULL;

      if (!co2s_log_check_partition (check, po, &verdict, why, &error))
        {
          if (loud)
            g_warning ("cannot check that %s [%d] is still the log %s learned: %s; resuming at "
                       "offset %" G_GINT64_FORMAT " as it says", self->opts.topic, po->partition,
                       self->model_path, error->message, po->next_offset);
          else
            g_debug ("cannot check %s [%d] now: %s", self->opts.topic, po->partition, error->message);
          continue;
        }
      if (verdict == CO2S_LOG_REPLACED)
        {
          *partition = po->partition;
          return TRUE;
        }
      g_debug ("%s [%d]: the log learned, as far as can be told (%s)", self->opts.topic,
               po->partition, po->last.known ? "last record checked" : "no last record known");
    }
  return FALSE;
}

/* The positions the next check compares: the model's now. */
static void
set_anchor (Co2sTrainer *self)
{
  g_array_set_size (self->anchor, 0);
  g_array_append_vals (self->anchor, self->cp->offsets->data, self->cp->offsets->len);
  self->next_log_check_us = g_get_monotonic_time () + LOG_CHECK_INTERVAL_S * G_USEC_PER_SEC;
}

/* The first time partitions are assigned, after check_checkpoint_origin:
 * is each partition's log the one the model file learned (see
 * co2s-log-check.h)? If one is not, the model starts over. A check that
 * cannot be made trusts the model file, as before the check existed. */
static gboolean
check_checkpoint_log (Co2sTrainer *self, GError **error)
{
  g_autofree char *why = NULL;
  gint32 partition = -1;

  if (self->cp_loaded && !self->opts.reset && self->cp->offsets->len > 0 &&
      find_replaced_log (self, self->cp->offsets, TRUE, &partition, &why) &&
      !start_over_on_new_log (self, partition, why, FALSE, error))
    return FALSE;
  set_anchor (self);
  return TRUE;
}

/* Where partition @p->partition starts: the checkpoint's next offset when it
 * is still in the log, otherwise the beginning (--reset, foreign or pruned
 * checkpoint), otherwise the group's committed offset (no model file). */
static void
choose_start_offset (Co2sTrainer *self, rd_kafka_topic_partition_t *p)
{
  gint64 offset = co2s_checkpoint_get_offset (self->cp, p->partition);
  gint64 lo = -1, hi = -1;
  rd_kafka_resp_err_t err;

  if (offset < 0)
    {
      /* No position of ours: a fresh model without --reset uses the
       * group's committed offset (auto.offset.reset=earliest without one). */
      p->offset = (self->opts.reset || self->cp_loaded) ? RD_KAFKA_OFFSET_BEGINNING
                                                        : RD_KAFKA_OFFSET_INVALID;
      _co2s_trainer_set_expected (self, p->partition, -1);
      return;
    }

  err = co2s_kafka_query_watermarks (self->consumer, p->topic, p->partition,
                                     &lo, &hi, QUERY_TIMEOUT_MS);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && (offset < lo || offset > hi))
    {
      g_warning ("%s: offset %" G_GINT64_FORMAT " of %s [%d] is out of range (the log now "
                 "holds %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "%s): continuing from the "
                 "earliest available offset with the current model",
                 self->model_path, offset, p->topic, p->partition, (gint64) lo, (gint64) hi,
                 offset < lo ? "; older rows were pruned" : "; the log was recreated");
      p->offset = RD_KAFKA_OFFSET_BEGINNING;
      _co2s_trainer_set_expected (self, p->partition, -1);
      return;
    }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("could not query the offsets of %s [%d]: %s; starting at the model file's "
               "offset %" G_GINT64_FORMAT, p->topic, p->partition, rd_kafka_err2str (err), offset);
  p->offset = offset;
  _co2s_trainer_set_expected (self, p->partition, offset);
}

/* A fresh model that starts at the group's committed offsets skips what came
 * before them: say so, since it is rarely what a user wants. */
static void
warn_committed_offsets (Co2sTrainer *self, rd_kafka_topic_partition_list_t *partitions)
{
  rd_kafka_topic_partition_list_t *copy;

  if (self->cp_loaded || self->opts.reset)
    return;
  copy = rd_kafka_topic_partition_list_copy (partitions);
  if (rd_kafka_committed (self->consumer, copy, QUERY_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR)
    for (int i = 0; i < copy->cnt; i++)
      if (copy->elems[i].offset > 0)
        g_warning ("no model file at %s, but group \"%s\" committed offset %" G_GINT64_FORMAT
                   " for %s [%d]: the new model starts there (run with --reset to learn "
                   "from the beginning of the topic)",
                   self->model_path, self->opts.group, (gint64) copy->elems[i].offset,
                   copy->elems[i].topic, copy->elems[i].partition);
  rd_kafka_topic_partition_list_destroy (copy);
}

/* With --reset, the fresh model and its start offsets are saved before the
 * first row: a reset that is killed early must not resume the old model. */
static gboolean
save_reset_checkpoint (Co2sTrainer *self, rd_kafka_topic_partition_list_t *partitions, GError **error)
{
  for (int i = 0; i < partitions->cnt; i++)
    {
      rd_kafka_topic_partition_t *p = &partitions->elems[i];
      gint64 lo = -1;

      if (co2s_kafka_query_watermarks (self->consumer, p->topic, p->partition,
                                       &lo, NULL, QUERY_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR ||
          lo < 0)
        {
          g_warning ("could not query the first offset of %s [%d]; the reset is only saved "
                     "with the first batch", p->topic, p->partition);
          return TRUE;
        }
      co2s_checkpoint_set_offset (self->cp, p->partition, lo);
      p->offset = lo;
      _co2s_trainer_set_expected (self, p->partition, lo);
    }
  return _co2s_trainer_checkpoint (self, FALSE, error) && _co2s_trainer_open_metrics_log (self, error);
}

/* "assigned streaming_data [0, 1] at the beginning" when every partition
 * starts alike, else each with its own start. */
static void
log_assignment (const rd_kafka_topic_partition_list_t *partitions)
{
  g_autoptr(GString) desc = g_string_new (NULL);
  gboolean alike = TRUE;

  for (int i = 1; i < partitions->cnt; i++)
    alike = alike && partitions->elems[i].offset == partitions->elems[0].offset;

  for (int i = 0; i < partitions->cnt; i++)
    {
      const rd_kafka_topic_partition_t *p = &partitions->elems[i];

      if (i == 0)
        g_string_append_printf (desc, "%s [", p->topic);
      g_string_append_printf (desc, "%s%d", i ? ", " : "", p->partition);
      if (!alike || i == partitions->cnt - 1)
        {
          if (p->offset >= 0)
            g_string_append_printf (desc, " at %" G_GINT64_FORMAT, (gint64) p->offset);
          else
            g_string_append (desc, p->offset == RD_KAFKA_OFFSET_BEGINNING
                                   ? " at the beginning" : " at the group's committed offset");
        }
    }
  g_message ("assigned %s%s", desc->len ? desc->str : "no partitions", desc->len ? "]" : "");
}

/* A running trainer found that the log is not the one it learns: the model
 * and the batches not yet saved go (kept aside), and the partitions it has
 * now are read again from their beginning into a fresh model. */
static gboolean
start_over_while_running (Co2sTrainer *self, gint32 partition, const char *why, GError **error)
{
  rd_kafka_topic_partition_list_t *now = NULL;
  rd_kafka_topic_partition_list_t *ours;
  rd_kafka_error_t *seek_error;
  gboolean ok;

  if (!start_over_on_new_log (self, partition, why, TRUE, error))
    return FALSE;
  co2s_batch_clear (self->batch);
  g_array_set_size (self->pending, 0);
  g_array_set_size (self->expected, 0);

  ours = rd_kafka_topic_partition_list_new (4);
  if (rd_kafka_assignment (self->consumer, &now) == RD_KAFKA_RESP_ERR_NO_ERROR && now != NULL)
    for (int i = 0; i < now->cnt; i++)
      if (g_strcmp0 (now->elems[i].topic, self->opts.topic) == 0)
        rd_kafka_topic_partition_list_add (ours, self->opts.topic, now->elems[i].partition)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
  if (now != NULL)
    rd_kafka_topic_partition_list_destroy (now);

  ok = save_reset_checkpoint (self, ours, error);
  if (ok && ours->cnt > 0)
    {
      seek_error = rd_kafka_seek_partitions (self->consumer, ours, QUERY_TIMEOUT_MS);
      if (seek_error != NULL)
        {
          g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                       _("cannot go back to the beginning of %s to learn it again: %s"),
                       self->opts.topic, rd_kafka_error_string (seek_error));
          rd_kafka_error_destroy (seek_error);
          ok = FALSE;
        }
      for (int i = 0; ok && i < ours->cnt; i++)
        if (ours->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
          {
            g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                         _("cannot go back to the beginning of %s [%d] to learn it again: %s"),
                         self->opts.topic, ours->elems[i].partition,
                         rd_kafka_err2str (ours->elems[i].err));
            ok = FALSE;
          }
      for (int i = 0; ok && i < ours->cnt; i++)
        g_message ("reading %s [%d] again from offset %" G_GINT64_FORMAT " with a fresh model",
                   self->opts.topic, ours->elems[i].partition, (gint64) ours->elems[i].offset);
    }
  rd_kafka_topic_partition_list_destroy (ours);
  set_anchor (self);
  return ok;
}

gboolean
_co2s_trainer_recheck_log (Co2sTrainer *self, GError **error)
{
  g_autofree char *why = NULL;
  gint32 partition = -1;

  self->next_log_check_us = g_get_monotonic_time () + LOG_CHECK_INTERVAL_S * G_USEC_PER_SEC;
  /* The positions of the last check, which were in the log then: if the
   * topic was recreated since, they no longer are, even though the rows
   * learned since may have come from the new log. */
  if (find_replaced_log (self, self->anchor, FALSE, &partition, &why))
    return start_over_while_running (self, partition, why, error);
  set_anchor (self);
  return TRUE;
}

/* Does a broker answer (the topic's metadata, within
 * IDLE_PROBE_TIMEOUT_MS)? FALSE with *@why (free with g_free) when none
 * does. Metadata rather than watermarks: librdkafka 2.0's
 * rd_kafka_query_watermark_offsets waits for a broker that is down without
 * end, whatever its timeout (librdkafka issue 2588, fixed in 2.3). */
#define IDLE_PROBE_TIMEOUT_MS 2000

gboolean
_co2s_trainer_broker_answers (Co2sTrainer *self, char **why)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (self->consumer, self->opts.topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err;

  if (rkt == NULL)
    return TRUE; /* cannot ask: as before the probe existed */
  err = rd_kafka_metadata (self->consumer, 0, rkt, &md, IDLE_PROBE_TIMEOUT_MS);
  if (md != NULL)
    rd_kafka_metadata_destroy (md);
  rd_kafka_topic_destroy (rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    *why = g_strdup (rd_kafka_err2str (err));
  return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The fetch waker and the idle clock follow what is assigned now. */
static void
update_assignment (Co2sTrainer *self)
{
  rd_kafka_topic_partition_list_t *now = NULL;
  g_autofree gint32 *ids = NULL;
  int n = 0;

  if (rd_kafka_assignment (self->consumer, &now) == RD_KAFKA_RESP_ERR_NO_ERROR && now != NULL)
    {
      ids = g_new (gint32, MAX (now->cnt, 1));
      for (int i = 0; i < now->cnt; i++)
        if (g_strcmp0 (now->elems[i].topic, self->opts.topic) == 0)
          ids[n++] = now->elems[i].partition;
    }
  if (now != NULL)
    rd_kafka_topic_partition_list_destroy (now);
  co2s_fetch_waker_set_partitions (self->waker, ids, n);
  self->assigned = n > 0;
  self->last_activity_us = g_get_monotonic_time ();
}

static void
rebalance_cb (rd_kafka_t *rk,
              rd_kafka_resp_err_t err,
              rd_kafka_topic_partition_list_t *partitions,
              void *opaque)
{
  Co2sTrainer *self = opaque;
  rd_kafka_error_t *error = NULL;
  GError *local_error = NULL;

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
    {
      gboolean first = !self->cp_checked;

      ensure_cluster_id (self);
      if (first && (!check_checkpoint_origin (self, &local_error) ||
                    !check_checkpoint_log (self, &local_error)))
        {
          /* Nothing assigned: the run ends with this error. */
          _co2s_trainer_set_fatal (self, local_error);
          return;
        }
      if (first)
        warn_committed_offsets (self, partitions);
      for (int i = 0; i < partitions->cnt; i++)
        choose_start_offset (self, &partitions->elems[i]);

      if (first && self->opts.reset && !save_reset_checkpoint (self, partitions, &local_error))
        _co2s_trainer_set_fatal (self, local_error);
      else if (self->log == NULL && !_co2s_trainer_open_metrics_log (self, &local_error))
        _co2s_trainer_set_fatal (self, local_error);

      log_assignment (partitions);
      if (rd_kafka_rebalance_protocol (rk) != NULL &&
          strcmp (rd_kafka_rebalance_protocol (rk), "COOPERATIVE") == 0)
        error = rd_kafka_incremental_assign (rk, partitions);
      else
        {
          rd_kafka_resp_err_t aerr = rd_kafka_assign (rk, partitions);

          if (aerr)
            g_warning ("assign failed: %s", rd_kafka_err2str (aerr));
        }
      update_assignment (self);
      self->last_activity_us = g_get_monotonic_time ();
    }
  else
    {
      /* Finish the batch while its partitions are still ours, so that the
       * next owner starts right after it. */
      if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && self->fatal == NULL)
        {
          if (!_co2s_trainer_close_batch (self, &local_error) ||
              (self->pending->len > 0 && !_co2s_trainer_checkpoint (self, TRUE, &local_error)))
            _co2s_trainer_set_fatal (self, local_error);
        }
      else if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        g_warning ("rebalance error: %s", rd_kafka_err2str (err));

      if (rd_kafka_rebalance_protocol (rk) != NULL &&
          strcmp (rd_kafka_rebalance_protocol (rk), "COOPERATIVE") == 0)
        error = rd_kafka_incremental_unassign (rk, partitions);
      else
        rd_kafka_assign (rk, NULL);
      update_assignment (self);
      g_message ("%d partition(s) revoked", partitions->cnt);
    }

  if (error != NULL)
    {
      g_warning ("incremental assignment failed: %s", rd_kafka_error_string (error));
      rd_kafka_error_destroy (error);
    }
}

/* ---- setup ------------------------------------------------------------ */

static rd_kafka_conf_t *
make_conf (Co2sTrainer *self, const char * const *defaults, GError **error)
{
  /* Our defaults first, so that -X can change them. */
  rd_kafka_conf_t *conf = co2s_kafka_conf_new_layered (self->opts.brokers, defaults,
                                                       (const char * const *) self->opts.overrides,
                                                       NULL, error);

  if (conf == NULL)
    return NULL;
  rd_kafka_conf_set_opaque (conf, self);
  rd_kafka_conf_set_error_cb (conf, error_cb);
  return conf;
}

gboolean
_co2s_trainer_create_consumer (Co2sTrainer *self, GError **error)
{
  static const char * const defaults[] = { CO2S_TRAINER_CONSUMER_DEFAULTS, NULL };
  rd_kafka_conf_t *conf;
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_resp_err_t err;

  conf = make_conf (self, defaults, error);
  if (conf == NULL)
    return FALSE;
  /* Not overridable: the model file, not librdkafka, decides what is consumed. */
  if (!co2s_kafka_conf_set (conf, "group.id", self->opts.group, error) ||
      !co2s_kafka_conf_set (conf, "enable.auto.commit", "false", error) ||
      !co2s_kafka_conf_set (conf, "enable.auto.offset.store", "false", error) ||
      !co2s_kafka_conf_set (conf, "enable.partition.eof", "false", error))
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  rd_kafka_conf_set_rebalance_cb (conf, rebalance_cb);
  rd_kafka_conf_set_offset_commit_cb (conf, offset_commit_cb);
  {
    char value[32];
    size_t size = sizeof value;

    if (rd_kafka_conf_get (conf, "queued.min.messages", value, &size) == RD_KAFKA_CONF_OK)
      self->prefetch_messages = g_ascii_strtoull (value, NULL, 10);
    if (self->prefetch_messages == 0)
      self->prefetch_messages = CO2S_TRAINER_PREFETCH_MESSAGES;
  }

  self->consumer = co2s_kafka_new (RD_KAFKA_CONSUMER, conf, error);
  if (self->consumer == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  rd_kafka_poll_set_consumer (self->consumer);
  self->queue = rd_kafka_queue_get_consumer (self->consumer);
  self->waker = co2s_fetch_waker_new (self->consumer, self->opts.topic);

  topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (topics, self->opts.topic, RD_KAFKA_PARTITION_UA);
  err = rd_kafka_subscribe (self->consumer, topics);
  rd_kafka_topic_partition_list_destroy (topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, CO2S_KAFKA_ERROR, CO2S_KAFKA_ERROR_FAILED,
                   _("cannot subscribe to %s: %s"), self->opts.topic, rd_kafka_err2str (err));
      return FALSE;
    }
  return TRUE;
}

gboolean
_co2s_trainer_create_producer (Co2sTrainer *self, GError **error)
{
  static const char * const defaults[] = {
    "client.id=co2stream-trainer",
    "linger.ms=5",
    NULL,
  };
  rd_kafka_conf_t *conf = make_conf (self, defaults, error);

  if (conf == NULL)
    return FALSE;
  rd_kafka_conf_set_dr_msg_cb (conf, dr_msg_cb);
  self->producer = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (self->producer == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  return TRUE;
}

void
co2s_trainer_batch_message (Co2sBatch *batch, rd_kafka_t *producer, const rd_kafka_message_t *msg,
                            gint64 now_us)
{
  g_autoptr(GError) error = NULL;
  Co2sRecord record;

  if (G_LIKELY (co2s_record_from_json (msg->payload ? msg->payload : "", msg->len, &record, &error)))
    {
      gint64 emit_us = record.emit_us;

      if (emit_us <= 0)
        {
          gint64 ts_ms = rd_kafka_message_timestamp (msg, NULL);

          emit_us = ts_ms > 0 ? ts_ms * 1000 : 0;
        }
      co2s_batch_add_row (batch, &record, emit_us, now_us);
    }
  else
    {
      co2s_trainer_send_dead_letter (producer, msg, error);
      co2s_batch_add_bad (batch, now_us);
    }
  co2s_batch_set_position (batch, msg->partition, msg->offset + 1);
}

void
co2s_trainer_send_dead_letter (rd_kafka_t *producer, const rd_kafka_message_t *msg, const GError *why)
{
  const char *reason;
  char source[256];
  rd_kafka_resp_err_t err;

  g_return_if_fail (producer != NULL && msg != NULL && why != NULL);

  reason = why->domain == CO2S_RECORD_ERROR ? co2s_record_error_reason (why->code) : "unknown";
  g_snprintf (source, sizeof source, "%s[%d]@%" G_GINT64_FORMAT,
              rd_kafka_topic_name (msg->rkt), msg->partition, (gint64) msg->offset);
  for (int attempt = 0; ; attempt++)
    {
      err = co2s_kafka_produce_dead_letter (producer, CO2S_TOPIC_DLQ,
                                            msg->payload, msg->len, msg->key, msg->key_len,
                                            reason, why->message, source);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt >= 50)
        break;
      rd_kafka_poll (producer, 100);
    }
  g_warning ("could not queue %s to %s: %s", source, CO2S_TOPIC_DLQ, rd_kafka_err2str (err));
}

void
_co2s_trainer_commit_offsets (Co2sTrainer *self, gboolean sync)
{
  rd_kafka_topic_partition_list_t *list;
  rd_kafka_resp_err_t err;

  if (self->cp->offsets->len == 0)
    return;
  list = rd_kafka_topic_partition_list_new (self->cp->offsets->len);
  for (guint i = 0; i < self->cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (self->cp->offsets, Co2sPartitionOffset, i);

      rd_kafka_topic_partition_list_add (list, self->opts.topic, po->partition)->offset = po->next_offset;
    }
  err = rd_kafka_commit (self->consumer, list, !sync);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    g_warning ("committing offsets to the group failed: %s", rd_kafka_err2str (err));
  rd_kafka_topic_partition_list_destroy (list);
}

void
_co2s_trainer_publish_metrics (Co2sTrainer *self, const char *line, gsize len, guint64 batch)
{
  char key[24];
  rd_kafka_resp_err_t err;

  g_snprintf (key, sizeof key, "%" G_GUINT64_FORMAT, batch);
  err = rd_kafka_producev (self->producer,
                           RD_KAFKA_V_TOPIC (CO2S_TOPIC_METRICS),
                           RD_KAFKA_V_VALUE ((void *) line, len),
                           RD_KAFKA_V_KEY (key, strlen (key)),
                           RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_warning ("could not queue the metrics of batch %" G_GUINT64_FORMAT " to %s: %s",
               batch, CO2S_TOPIC_METRICS, rd_kafka_err2str (err));
}
