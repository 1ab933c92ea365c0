/* co2s-checkpoint-read.c — reading a model file: the checkpoint in its
 * top-level JSON object (co2s_checkpoint_from_object, for
 * co2s_checkpoint_parse): format_version, the champion's model, batches,
 * the Kafka offsets and last records by partition, latency_us, drift and
 * conformal, and with several models their "models" and "champion". Every
 * member is checked; errors name it by its path in co2s-json-reader.h's
 * words (English: co2s_checkpoint_parse wraps them). */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"
#include "co2s-checkpoint-private.h"

#include <math.h>
#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "co2s-json-reader.h"

/* The optional "last_record" of offsets entry @base (its path), for a
 * partition whose next offset is @next_offset. */
static gboolean
read_last_record (JsonObject *entry, const char *base, gint64 next_offset, Co2sRecordId *id, GError **error)
{
  g_autofree char *path = g_strconcat (base, ".last_record", NULL);
  g_autofree char *offset_path = g_strconcat (path, ".offset", NULL);
  g_autofree char *ts_path = g_strconcat (path, ".timestamp_ms", NULL);
  g_autofree char *key_path = g_strconcat (path, ".key", NULL);
  g_autofree char *sha_path = g_strconcat (path, ".sha256", NULL);
  JsonObject *last = NULL;
  const char *key = NULL;
  const char *sha = NULL;

  memset (id, 0, sizeof *id);
  if (!co2s_json_get_object (entry, path, CO2S_JSON_OPTIONAL, &last, error))
    return FALSE;
  if (last == NULL)
    return TRUE; /* written before last_record existed */

  id->timestamp_ms = -1;
  if (!co2s_json_get_int (last, offset_path, CO2S_JSON_REQUIRED, 0, next_offset - 1, &id->offset, error) ||
      !co2s_json_get_int (last, ts_path, CO2S_JSON_NULLABLE, 0, G_MAXINT64, &id->timestamp_ms, error) ||
      !co2s_json_get_string (last, key_path, CO2S_JSON_NULLABLE, &key, error) ||
      !co2s_json_get_string (last, sha_path, CO2S_JSON_REQUIRED, &sha, error))
    return FALSE;
  if (key != NULL && strlen (key) > CO2S_RECORD_ID_KEY_MAX)
    return co2s_json_set_member_error (error, key_path, "is longer than %d bytes", CO2S_RECORD_ID_KEY_MAX);
  if (key != NULL)
    g_strlcpy (id->key, key, sizeof id->key);
  if (strlen (sha) != 2 * sizeof id->sha256)
    return co2s_json_set_member_error (error, sha_path, "must have %d hexadecimal digits, not %zu",
                                       (int) (2 * sizeof id->sha256), strlen (sha));
  for (guint i = 0; i < sizeof id->sha256; i++)
    {
      int hi = g_ascii_xdigit_value (sha[2 * i]);
      int lo = g_ascii_xdigit_value (sha[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return co2s_json_set_member_error (error, sha_path, "is not hexadecimal (at character %u)",
                                           2 * i + (hi < 0 ? 1 : 2));
      id->sha256[i] = (guint8) (hi << 4 | lo);
    }
  id->known = TRUE;
  return TRUE;
}

/* The "kafka" member: cluster id, topic, and the offsets by partition. */
static gboolean
read_kafka (Co2sCheckpoint *cp, JsonObject *root, GError **error)
{
  JsonObject *kafka;
  JsonArray *offsets;
  const char *cluster_id = NULL;
  const char *topic = NULL;

  if (!co2s_json_get_object (root, "kafka", CO2S_JSON_REQUIRED, &kafka, error) ||
      !co2s_json_get_string (kafka, "kafka.cluster_id", CO2S_JSON_NULLABLE, &cluster_id, error) ||
      !co2s_json_get_string (kafka, "kafka.topic", CO2S_JSON_NULLABLE, &topic, error) ||
      !co2s_json_get_array (kafka, "kafka.offsets", CO2S_JSON_REQUIRED, &offsets, error))
    return FALSE;
  cp->cluster_id = g_strdup (cluster_id);
  cp->topic = g_strdup (topic);

  for (guint i = 0; i < json_array_get_length (offsets); i++)
    {
      g_autofree char *base = g_strdup_printf ("kafka.offsets[%u]", i);
      g_autofree char *partition_path = g_strconcat (base, ".partition", NULL);
      g_autofree char *next_path = g_strconcat (base, ".next_offset", NULL);
      JsonObject *o;
      g_autofree char *first_path = g_strconcat (base, ".first_offset", NULL);
      gint64 partition = 0;
      gint64 next = 0;
      gint64 first = CO2S_OFFSET_UNKNOWN;
      Co2sRecordId last;

      if (!co2s_json_array_get_object (offsets, "kafka.offsets", i, &o, error) ||
          !co2s_json_get_int (o, partition_path, CO2S_JSON_REQUIRED, 0, G_MAXINT32, &partition, error) ||
          !co2s_json_get_int (o, next_path, CO2S_JSON_REQUIRED, 0, G_MAXINT64, &next, error) ||
          !read_last_record (o, base, next, &last, error))
        return FALSE;
      /* Absent (an older file): unknown; null: nothing learned from it. */
      if (json_object_has_member (o, "first_offset"))
        {
          if (json_object_get_null_member (o, "first_offset"))
            first = CO2S_OFFSET_NONE_LEARNED;
          else if (!co2s_json_get_int (o, first_path, CO2S_JSON_REQUIRED, 0, G_MAXINT64, &first, error))
            return FALSE;
          else if (first >= next)
            return co2s_json_set_member_error (error, first_path,
                                               "is %" G_GINT64_FORMAT ", not below next_offset %" G_GINT64_FORMAT,
                                               first, next);
        }
      if (co2s_checkpoint_get_offset (cp, (gint32) partition) >= 0)
        return co2s_json_set_member_error (error, partition_path,
                                           "is %" G_GINT64_FORMAT " again: that partition appears twice",
                                           partition);
      co2s_checkpoint_set_position (cp, (gint32) partition, next, &last);
      ((Co2sPartitionOffset *) co2s_checkpoint_get_position (cp, (gint32) partition))->first_offset = first;
    }
  return TRUE;
}

/* latency_us, when there is one; errors in co2s-json-reader.h's words. */
static gboolean
read_latency (Co2sCheckpoint *cp, JsonObject *root, GError **error)
{
  g_autoptr(Co2sLatencyHistogram) h = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *latency = NULL;
  const char *buckets = NULL;
  guint64 count = 0;

  if (!co2s_json_get_object (root, "latency_us", CO2S_JSON_OPTIONAL, &latency, error))
    return FALSE;
  if (latency == NULL)
    return TRUE;
  if (!co2s_json_get_count (latency, "latency_us.count", CO2S_JSON_REQUIRED, &count, error) ||
      !co2s_json_get_string (latency, "latency_us.buckets", CO2S_JSON_REQUIRED, &buckets, error))
    return FALSE;
  h = co2s_latency_histogram_parse (buckets, strlen (buckets), &local_error);
  if (h == NULL)
    return co2s_json_set_member_error (error, "latency_us.buckets", "is not valid: %s", local_error->message);
  if (h->total != count)
    return co2s_json_set_member_error (error, "latency_us.count",
                                       "is %" G_GUINT64_FORMAT " but the buckets hold %" G_GUINT64_FORMAT,
                                       count, h->total);
  co2s_latency_histogram_free (cp->latency);
  cp->latency = g_steal_pointer (&h);
  return TRUE;
}

/* The drift member of @parent, when there is one, into @out; @prefix is
 * where @parent is ("" at the top, "models[1]." in the models);
 * errors in co2s-json-reader.h's words. */
static gboolean
read_drift (JsonObject *parent, const char *prefix, Co2sDrift *out, GError **error)
{
  g_autofree char *path = g_strconcat (prefix, "drift", NULL);
  g_autofree char *delta = g_strconcat (path, ".delta", NULL);
  g_autofree char *lambda = g_strconcat (path, ".lambda", NULL);
  g_autofree char *min_batches_path = g_strconcat (path, ".min_batches", NULL);
  g_autofree char *n = g_strconcat (path, ".n", NULL);
  g_autofree char *mean = g_strconcat (path, ".mean", NULL);
  g_autofree char *sum = g_strconcat (path, ".sum", NULL);
  g_autofree char *min_sum = g_strconcat (path, ".min_sum", NULL);
  g_autofree char *alarms = g_strconcat (path, ".alarms", NULL);
  JsonObject *o = NULL;
  Co2sDrift d;
  gint64 min_batches = 0;

  if (!co2s_json_get_object (parent, path, CO2S_JSON_OPTIONAL, &o, error))
    return FALSE;
  if (o == NULL)
    return TRUE;
  memset (&d, 0, sizeof d);
  if (!co2s_json_get_double (o, delta, CO2S_JSON_REQUIRED, &d.params.delta, error) ||
      !co2s_json_get_double (o, lambda, CO2S_JSON_REQUIRED, &d.params.lambda, error) ||
      !co2s_json_get_int (o, min_batches_path, CO2S_JSON_REQUIRED, 0, G_MAXUINT, &min_batches, error) ||
      !co2s_json_get_count (o, n, CO2S_JSON_REQUIRED, &d.n, error) ||
      !co2s_json_get_double (o, mean, CO2S_JSON_REQUIRED, &d.mean, error) ||
      !co2s_json_get_double (o, sum, CO2S_JSON_REQUIRED, &d.sum, error) ||
      !co2s_json_get_double (o, min_sum, CO2S_JSON_REQUIRED, &d.min_sum, error) ||
      !co2s_json_get_count (o, alarms, CO2S_JSON_REQUIRED, &d.alarms, error))
    return FALSE;
  if (!(d.params.delta > 0))
    return co2s_json_set_member_error (error, delta, "must be > 0");
  if (!(d.params.lambda > 0))
    return co2s_json_set_member_error (error, lambda, "must be > 0");
  if (d.min_sum > d.sum || d.min_sum > 0)
    return co2s_json_set_member_error (error, min_sum, "must be ≤ 0 and ≤ %s", sum);
  d.params.min_batches = (guint) min_batches;
  *out = d;
  return TRUE;
}

/* The conformal member of @parent, when there is one, replaces @m's. */
static gboolean
read_conformal (JsonObject *parent, const char *prefix, Co2sCheckpointModel *m, GError **error)
{
  g_autofree char *path = g_strconcat (prefix, "conformal", NULL);
  JsonObject *o = NULL;
  Co2sConformal *conformal;

  if (!co2s_json_get_object (parent, path, CO2S_JSON_OPTIONAL, &o, error))
    return FALSE;
  if (o == NULL)
    return TRUE;
  conformal = co2s_conformal_from_json (o, path, error);
  if (conformal == NULL)
    return FALSE;
  co2s_conformal_free (m->conformal);
  m->conformal = conformal;
  return TRUE;
}

/* models[@i].recent: the model's champion window. */
static gboolean
read_recent (JsonObject *entry, const char *prefix, Co2sCheckpointModel *m, GError **error)
{
  g_autofree char *path = g_strconcat (prefix, "recent", NULL);
  g_autofree char *sse_path = g_strconcat (path, ".sse", NULL);
  g_autofree char *rows_path = g_strconcat (path, ".rows", NULL);
  JsonObject *o;
  JsonArray *sse, *rows;
  guint n;

  if (!co2s_json_get_object (entry, path, CO2S_JSON_REQUIRED, &o, error) ||
      !co2s_json_get_array (o, sse_path, CO2S_JSON_REQUIRED, &sse, error) ||
      !co2s_json_get_array (o, rows_path, CO2S_JSON_REQUIRED, &rows, error))
    return FALSE;
  n = json_array_get_length (sse);
  if (n != json_array_get_length (rows))
    return co2s_json_set_member_error (error, rows_path, "has %u elements, not %u as %s",
                                       json_array_get_length (rows), n, sse_path);
  if (n > CO2S_CHAMPION_WINDOW_MAX)
    return co2s_json_set_member_error (error, sse_path, "has more than %d elements", CO2S_CHAMPION_WINDOW_MAX);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *a = json_array_get_element (sse, i);
      JsonNode *b = json_array_get_element (rows, i);
      g_autofree char *a_path = g_strdup_printf ("%s[%u]", sse_path, i);
      g_autofree char *b_path = g_strdup_printf ("%s[%u]", rows_path, i);
      Co2sRecentError e = { 0 };

      if (!JSON_NODE_HOLDS_VALUE (a) || (json_node_get_value_type (a) != G_TYPE_DOUBLE &&
                                         json_node_get_value_type (a) != G_TYPE_INT64) ||
          !isfinite (e.sse = json_node_get_double (a)) || e.sse < 0)
        return co2s_json_set_member_error (error, a_path, "is not a finite number ≥ 0");
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_INT64 ||
          json_node_get_int (b) <= 0 || json_node_get_int (b) > G_MAXUINT)
        return co2s_json_set_member_error (error, b_path, "is not a count of rows > 0");
      e.rows = (guint) json_node_get_int (b);
      g_array_append_val (m->recent, e);
    }
  return TRUE;
}

/* "models" and "champion" of a checkpoint of several models; @cp holds the
 * top-level model (the champion's) as its only one. */
static gboolean
read_models (Co2sCheckpoint *cp, JsonObject *root, GError **error)
{
  g_autoptr(GPtrArray) models = NULL;
  JsonArray *array = NULL;
  const char *champion = NULL;
  char top_name[CO2S_MODEL_SPEC_MAX];
  Co2sModelSpec top_spec;
  Co2sCheckpointModel *top;
  int champion_index = -1;

  if (!co2s_json_get_array (root, "models", CO2S_JSON_OPTIONAL, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;
  if (!co2s_json_get_string (root, "champion", CO2S_JSON_REQUIRED, &champion, error))
    return FALSE;
  if (json_array_get_length (array) < 2 || json_array_get_length (array) > CO2S_MAX_MODELS)
    return co2s_json_set_member_error (error, "models", "has %u elements, not 2 to %d",
                                       json_array_get_length (array), CO2S_MAX_MODELS);
  top = g_ptr_array_steal_index (cp->models, 0);
  co2s_model_get_spec (top->model, &top_spec);
  co2s_model_spec_to_string (&top_spec, top_name);
  if (strcmp (champion, top_name) != 0)
    {
      g_ptr_array_insert (cp->models, 0, top);
      return co2s_json_set_member_error (error, "champion", "is \"%s\", not the model at the top level (%s)",
                                         champion, top_name);
    }
  /* From here on @top belongs to cp->models again (at its place) or to the
   * error path below. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *base = g_strdup_printf ("models[%u]", i);
      g_autofree char *prefix = g_strconcat (base, ".", NULL);
      g_autofree char *name_path = g_strconcat (base, ".name", NULL);
      JsonObject *entry;
      const char *name;
      Co2sCheckpointModel *m;

      if (!co2s_json_array_get_object (array, "models", i, &entry, error) ||
          !co2s_json_get_string (entry, name_path, CO2S_JSON_REQUIRED, &name, error))
        goto fail;
      if (co2s_checkpoint_find_model (cp, name) >= 0 || (champion_index >= 0 && strcmp (name, champion) == 0))
        {
          co2s_json_set_member_error (error, name_path, "is \"%s\" again", name);
          goto fail;
        }
      if (strcmp (name, champion) == 0)
        {
          if (json_object_has_member (entry, "algo"))
            {
              co2s_json_set_member_error (error, base, "is the champion, whose model is at the top level, "
                                          "but has one of its own");
              goto fail;
            }
          champion_index = (int) cp->models->len;
          g_ptr_array_add (cp->models, top);
          top = NULL;
          m = g_ptr_array_index (cp->models, champion_index);
        }
      else
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(Co2sModel) model = co2s_model_deserialize (entry, &local_error);
          Co2sModelSpec spec;
          char have[CO2S_MODEL_SPEC_MAX];

          if (model == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", base, local_error->message);
              goto fail;
            }
          co2s_model_get_spec (model, &spec);
          if (strcmp (co2s_model_spec_to_string (&spec, have), name) != 0)
            {
              co2s_json_set_member_error (error, name_path, "is \"%s\" but the model is %s", name, have);
              goto fail;
            }
          m = co2s_checkpoint_get_model (cp, co2s_checkpoint_add_model (cp, model));
          if (!read_drift (entry, prefix, &m->drift, error) || !read_conformal (entry, prefix, m, error))
            goto fail;
        }
      if (!read_recent (entry, prefix, m, error))
        goto fail;
    }
  if (champion_index < 0)
    {
      co2s_json_set_member_error (error, "models", "has no element named \"%s\", the champion", champion);
      goto fail;
    }
  co2s_checkpoint_set_champion (cp, (guint) champion_index);
  return TRUE;

fail:
  if (top != NULL)
    g_ptr_array_insert (cp->models, 0, top);
  return FALSE;
}

/* The checkpoint in @root; errors in co2s-json-reader.h's words. */
Co2sCheckpoint *
co2s_checkpoint_from_object (JsonObject *root, GError **error)
{
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) model = NULL;
  gint64 version = 0;

  if (!co2s_json_get_int (root, "format_version", CO2S_JSON_REQUIRED, G_MININT64, G_MAXINT64, &version, error))
    return NULL;
  if (version != CO2S_CHECKPOINT_FORMAT_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "format_version %" G_GINT64_FORMAT " is not supported (this program reads %d)",
                   version, CO2S_CHECKPOINT_FORMAT_VERSION);
      return NULL;
    }

  model = co2s_model_deserialize (root, error);
  if (model == NULL)
    return NULL;
  cp = co2s_checkpoint_new (model);

  if (!co2s_json_get_count (root, "batches", CO2S_JSON_REQUIRED, &cp->batches, error) ||
      !co2s_json_get_int (root, "updated_at_us", CO2S_JSON_REQUIRED, 0, G_MAXINT64, &cp->updated_at_us, error) ||
      !read_kafka (cp, root, error) ||
      !read_latency (cp, root, error) ||
      !read_drift (root, "", &co2s_checkpoint_get_model (cp, 0)->drift, error) ||
      !read_conformal (root, "", co2s_checkpoint_get_model (cp, 0), error))
    return NULL;
  co2s_checkpoint_set_champion (cp, 0);
  if (!read_models (cp, root, error))
    return NULL;
  return g_steal_pointer (&cp);
}
