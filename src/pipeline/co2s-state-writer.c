/* co2s-state-writer.c — Co2sStateWriter: states and consumer offsets in one
 * Kafka transaction. See co2s-state-topic.h. */
#define G_LOG_DOMAIN "co2s-state-topic"

#include "co2s-state-topic.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "co2s-kafka.h"
#include "co2s-state-topic-private.h"

struct _Co2sStateWriter
{
  rd_kafka_t *rk;
  char *transactional_id;
  char *topic;
  char *brokers;                                /* for messages */
  int timeout_ms;
  gboolean in_txn;
  gboolean must_abort;                          /* a put failed in this transaction */
  gboolean offsets_sent;                        /* this transaction's offsets are in it */
  rd_kafka_topic_partition_list_t *put_offsets; /* next_offset of this transaction's puts */
  GError *dead;                                 /* fenced or fatal: every call fails with it */
};

static gboolean
fail_dead (Co2sStateWriter *self, GError **error)
{
  g_propagate_error (error, g_error_copy (self->dead));
  return FALSE;
}

static void
end_txn (Co2sStateWriter *self)
{
  self->in_txn = FALSE;
  self->must_abort = FALSE;
  self->offsets_sent = FALSE;
  g_clear_pointer (&self->put_offsets, rd_kafka_topic_partition_list_destroy);
}

/* A fatal error of the producer: the writer is dead, fenced or not.
 * @fallback (may be NULL) explains it if librdkafka has no fatal error. */
static void
set_dead (Co2sStateWriter *self, const char *step, const char *fallback)
{
  char why[512] = "";
  rd_kafka_resp_err_t code = rd_kafka_fatal_error (self->rk, why, sizeof why);

  if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
    g_strlcpy (why, fallback != NULL ? fallback : "?", sizeof why);

  end_txn (self);
  if (code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
      code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
    self->dead = g_error_new (CO2S_STATE_ERROR, CO2S_STATE_ERROR_FENCED,
                              _("State writer %s was fenced (at %s): another writer with the "
                                "same transactional.id took over state topic %s. Its open "
                                "transaction is aborted, nothing of it is visible; this writer "
                                "stops (%s)"),
                              self->transactional_id, step, self->topic, why);
  else
    self->dead = g_error_new (CO2S_STATE_ERROR, CO2S_STATE_ERROR_FATAL,
                              _("State writer %s hit a fatal Kafka error (at %s) on %s: %s; "
                                "its open transaction will not commit: create a new writer "
                                "(with the same transactional.id it aborts that transaction)"),
                              self->transactional_id, step, self->brokers, why);
}

/* Handles @kerr (consumed) of @step as librdkafka's transactions example
 * does: abort on an abortable error, stop on a fatal one. */
static gboolean
fail_txn (Co2sStateWriter *self, rd_kafka_error_t *kerr, const char *step, GError **error)
{
  g_autofree char *why = g_strdup (rd_kafka_error_string (kerr));

  if (rd_kafka_error_is_fatal (kerr))
    {
      rd_kafka_error_destroy (kerr);
      set_dead (self, step, why);
      return fail_dead (self, error);
    }
  if (rd_kafka_error_txn_requires_abort (kerr))
    {
      rd_kafka_error_destroy (kerr);
      kerr = rd_kafka_abort_transaction (self->rk, self->timeout_ms);
      if (kerr != NULL && rd_kafka_error_is_fatal (kerr))
        {
          set_dead (self, step, rd_kafka_error_string (kerr));
          rd_kafka_error_destroy (kerr);
          return fail_dead (self, error);
        }
      if (kerr != NULL)
        {
          /* Still open; the next abort or the coordinator's timeout ends it. */
          g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                       _("State transaction of %s failed (at %s: %s), and aborting it "
                         "failed too: %s; call abort again"),
                       self->transactional_id, step, why, rd_kafka_error_string (kerr));
          self->must_abort = TRUE;
          rd_kafka_error_destroy (kerr);
          return FALSE;
        }
      end_txn (self);
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED,
                   _("State transaction of %s failed (at %s: %s). It was aborted: none of "
                     "its states is visible and the group’s offsets did not move; write the "
                     "states again in a new transaction"),
                   self->transactional_id, step, why);
      return FALSE;
    }
  g_set_error (error, CO2S_STATE_ERROR,
               rd_kafka_error_is_retriable (kerr) ? CO2S_STATE_ERROR_TIMED_OUT : CO2S_STATE_ERROR_FAILED,
               _("State transaction of %s failed (at %s: %s); the transaction is still open, "
                 "try again or abort it"),
               self->transactional_id, step, why);
  rd_kafka_error_destroy (kerr);
  return FALSE;
}

Co2sStateWriter *
co2s_state_writer_new (const char *brokers,
                       const char * const *overrides,
                       const char *transactional_id,
                       const char *topic,
                       GError **error)
{
  g_autofree char *txn_id = NULL;
  const char *forced[] = { NULL, "enable.idempotence=true", "acks=all", NULL };
  g_autoptr(Co2sStateWriter) self = NULL;
  rd_kafka_error_t *kerr;
  rd_kafka_conf_t *conf;

  g_return_val_if_fail (transactional_id != NULL && *transactional_id != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  txn_id = g_strconcat ("transactional.id=", transactional_id, NULL);
  forced[0] = txn_id;
  conf = co2s_state_conf_new (brokers, overrides, forced, error);
  if (conf == NULL)
    return NULL;

  self = g_new0 (Co2sStateWriter, 1);
  self->transactional_id = g_strdup (transactional_id);
  self->topic = g_strdup (CO2S_STATE_TOPIC_OR_DEFAULT (topic));
  self->brokers = g_strdup (brokers != NULL ? brokers : "localhost");
  self->timeout_ms = CO2S_STATE_TIMEOUT_MS;
  self->rk = co2s_kafka_new (RD_KAFKA_PRODUCER, conf, error);
  if (self->rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }

  /* Fences any older writer of this id and aborts its open transaction. */
  kerr = rd_kafka_init_transactions (self->rk, self->timeout_ms);
  if (kerr != NULL)
    {
      g_set_error (error, CO2S_STATE_ERROR,
                   rd_kafka_error_is_retriable (kerr) ? CO2S_STATE_ERROR_TIMED_OUT
                                                      : CO2S_STATE_ERROR_FAILED,
                   _("Cannot start transactions of state writer %s on %s: %s; is the broker "
                     "running, with transactions allowed?"),
                   transactional_id, self->brokers, rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
co2s_state_writer_free (Co2sStateWriter *self)
{
  if (self == NULL)
    return;
  if (self->rk != NULL && self->in_txn && self->dead == NULL)
    {
      rd_kafka_error_t *kerr = rd_kafka_abort_transaction (self->rk, self->timeout_ms);

      if (kerr != NULL)
        {
          g_debug ("aborting the open state transaction of %s: %s", self->transactional_id,
                   rd_kafka_error_string (kerr));
          rd_kafka_error_destroy (kerr);
        }
    }
  end_txn (self);
  g_clear_pointer (&self->rk, rd_kafka_destroy);
  g_clear_error (&self->dead);
  g_free (self->transactional_id);
  g_free (self->topic);
  g_free (self->brokers);
  g_free (self);
}

void
co2s_state_writer_set_timeout (Co2sStateWriter *self, int timeout_ms)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (timeout_ms > 0);

  self->timeout_ms = timeout_ms;
}

const char *
co2s_state_writer_get_transactional_id (Co2sStateWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->transactional_id;
}

const char *
co2s_state_writer_get_topic (Co2sStateWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->topic;
}

gboolean
co2s_state_writer_begin (Co2sStateWriter *self, GError **error)
{
  rd_kafka_error_t *kerr;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (!self->in_txn, FALSE);

  kerr = rd_kafka_begin_transaction (self->rk);
  if (kerr != NULL)
    {
      if (rd_kafka_error_is_fatal (kerr))
        {
          set_dead (self, "begin_transaction", rd_kafka_error_string (kerr));
          rd_kafka_error_destroy (kerr);
          return fail_dead (self, error);
        }
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
                   _("Cannot begin a state transaction of %s: %s"), self->transactional_id,
                   rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
      return FALSE;
    }
  self->in_txn = TRUE;
  self->put_offsets = rd_kafka_topic_partition_list_new (8);
  return TRUE;
}

/* Queues one record of @key (may be NULL) and @data (NULL: a tombstone)
 * to @to, with the next-offset header when @offset_text is not NULL,
 * waiting for room in the queue until the timeout. */
static gboolean
produce_record (Co2sStateWriter *self, const char *to, const char *key, const void *data,
                gsize len, const char *offset_text, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;
  size_t key_len = key != NULL ? strlen (key) : 0;
  rd_kafka_resp_err_t err;

  for (;;)
    {
      rd_kafka_headers_t *headers = rd_kafka_headers_new (1);

      if (offset_text != NULL)
        rd_kafka_header_add (headers, CO2S_STATE_HEADER_NEXT_OFFSET, -1, offset_text, -1);
      err = rd_kafka_producev (self->rk,
                               RD_KAFKA_V_TOPIC (to),
                               RD_KAFKA_V_KEY (key, key_len),
                               RD_KAFKA_V_VALUE ((void *) data, len),
                               RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_HEADERS (headers),
                               RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return TRUE;
      rd_kafka_headers_destroy (headers);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || g_get_monotonic_time () >= deadline)
        break;
      rd_kafka_poll (self->rk, 50);
    }

  if (err == RD_KAFKA_RESP_ERR__FATAL)
    {
      set_dead (self, "produce", rd_kafka_err2str (err));
      return fail_dead (self, error);
    }
  self->must_abort = TRUE;
  g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_FAILED,
               _("Cannot queue record %s to topic %s: %s; the transaction will be aborted"),
               key != NULL ? key : "-", to, rd_kafka_err2str (err));
  return FALSE;
}

/* A state record (@state NULL: a tombstone). */
static gboolean
produce (Co2sStateWriter *self, const char *topic, gint32 partition, gint64 next_offset,
         GBytes *state, GError **error)
{
  g_autofree char *key = co2s_state_key (topic, partition);
  g_autofree char *offset_text = g_strdup_printf ("%" G_GINT64_FORMAT, next_offset);
  gsize len = 0;
  const void *data = state != NULL ? g_bytes_get_data (state, &len) : NULL;

  return produce_record (self, self->topic, key, data, len, state != NULL ? offset_text : NULL, error);
}

gboolean
co2s_state_writer_send (Co2sStateWriter *self,
                        const char *topic,
                        const char *key,
                        const void *value,
                        gsize len,
                        GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (topic != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (self->in_txn, FALSE);

  return produce_record (self, topic, key, value, len, NULL, error);
}

gboolean
co2s_state_writer_put (Co2sStateWriter *self,
                       const char *topic,
                       gint32 partition,
                       gint64 next_offset,
                       GBytes *state,
                       GError **error)
{
  rd_kafka_topic_partition_t *tp;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (topic != NULL && partition >= 0 && next_offset >= 0, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (self->in_txn, FALSE);

  if (!produce (self, topic, partition, next_offset, state, error))
    return FALSE;
  tp = rd_kafka_topic_partition_list_find (self->put_offsets, topic, partition);
  if (tp == NULL)
    tp = rd_kafka_topic_partition_list_add (self->put_offsets, topic, partition);
  tp->offset = next_offset;
  return TRUE;
}

gboolean
co2s_state_writer_forget (Co2sStateWriter *self,
                          const char *topic,
                          gint32 partition,
                          GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (topic != NULL && partition >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (self->in_txn, FALSE);

  return produce (self, topic, partition, 0, NULL, error);
}

gboolean
co2s_state_writer_commit (Co2sStateWriter *self,
                          const rd_kafka_topic_partition_list_t *offsets,
                          const rd_kafka_consumer_group_metadata_t *group_metadata,
                          GError **error)
{
  rd_kafka_error_t *kerr;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (self->in_txn, FALSE);
  if (offsets == NULL)
    offsets = self->put_offsets;
  g_return_val_if_fail (group_metadata != NULL || offsets->cnt == 0, FALSE);

  if (self->must_abort)
    {
      if (!co2s_state_writer_abort (self, error))
        return FALSE;
      g_set_error (error, CO2S_STATE_ERROR, CO2S_STATE_ERROR_ABORTED,
                   _("State transaction of %s aborted: a state could not be queued; none of "
                     "its states is visible and the group’s offsets did not move"),
                   self->transactional_id);
      return FALSE;
    }

  if (offsets->cnt > 0 && !self->offsets_sent)
    {
      kerr = rd_kafka_send_offsets_to_transaction (self->rk, offsets, group_metadata,
                                                   self->timeout_ms);
      if (kerr != NULL)
        return fail_txn (self, kerr, "send_offsets_to_transaction", error);
      self->offsets_sent = TRUE;
    }
  kerr = rd_kafka_commit_transaction (self->rk, self->timeout_ms);
  if (kerr != NULL)
    return fail_txn (self, kerr, "commit_transaction", error);
  end_txn (self);
  return TRUE;
}

gboolean
co2s_state_writer_abort (Co2sStateWriter *self, GError **error)
{
  rd_kafka_error_t *kerr;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dead != NULL)
    return fail_dead (self, error);
  g_return_val_if_fail (self->in_txn, FALSE);

  kerr = rd_kafka_abort_transaction (self->rk, self->timeout_ms);
  if (kerr != NULL)
    {
      if (rd_kafka_error_is_fatal (kerr))
        {
          set_dead (self, "abort_transaction", rd_kafka_error_string (kerr));
          rd_kafka_error_destroy (kerr);
          return fail_dead (self, error);
        }
      g_set_error (error, CO2S_STATE_ERROR,
                   rd_kafka_error_is_retriable (kerr) ? CO2S_STATE_ERROR_TIMED_OUT
                                                      : CO2S_STATE_ERROR_FAILED,
                   _("Cannot abort the state transaction of %s: %s; call abort again"),
                   self->transactional_id, rd_kafka_error_string (kerr));
      rd_kafka_error_destroy (kerr);
      return FALSE;
    }
  end_txn (self);
  return TRUE;
}
