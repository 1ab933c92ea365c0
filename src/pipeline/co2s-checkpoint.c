/* co2s-checkpoint.c — the model file, written atomically. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "co2s-json-reader.h"
#include "co2s-record-json.h"

static int
compare_offsets (gconstpointer a, gconstpointer b)
{
  const Co2sPartitionOffset *pa = a;
  const Co2sPartitionOffset *pb = b;

  return (pa->partition > pb->partition) - (pa->partition < pb->partition);
}

/* Makes the rename into @dir durable too (POSIX: fsync the directory).
 * Best effort: the file itself is already complete on disk either way. */
static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      g_debug ("cannot open %s to sync it: %s", dir, g_strerror (errno));
      return;
    }
  if (fsync (fd) != 0)
    g_debug ("cannot sync %s: %s", dir, g_strerror (errno));
  close (fd);
}

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
static Co2sCheckpoint *
checkpoint_from_object (JsonObject *root, GError **error)
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

static void
checkpoint_model_free (gpointer data)
{
  Co2sCheckpointModel *m = data;

  g_clear_object (&m->model);
  g_clear_pointer (&m->conformal, co2s_conformal_free);
  g_clear_pointer (&m->recent, g_array_unref);
  g_free (m);
}

guint
co2s_checkpoint_add_model (Co2sCheckpoint *cp, Co2sModel *model)
{
  Co2sCheckpointModel *m;

  g_return_val_if_fail (cp != NULL, 0);
  g_return_val_if_fail (CO2S_IS_MODEL (model), 0);
  g_return_val_if_fail (cp->models->len < CO2S_MAX_MODELS, 0);

  m = g_new0 (Co2sCheckpointModel, 1);
  m->model = g_object_ref (model);
  co2s_drift_init (&m->drift, NULL);
  m->conformal = co2s_conformal_new (CO2S_CONFORMAL_DEFAULT_LEVEL, CO2S_CONFORMAL_DEFAULT_WINDOW);
  m->recent = g_array_new (FALSE, FALSE, sizeof (Co2sRecentError));
  g_ptr_array_add (cp->models, m);
  return cp->models->len - 1;
}

int
co2s_checkpoint_find_model (const Co2sCheckpoint *cp, const char *name)
{
  g_return_val_if_fail (cp != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < cp->models->len; i++)
    {
      Co2sModelSpec spec;
      char have[CO2S_MODEL_SPEC_MAX];

      co2s_model_get_spec (co2s_checkpoint_get_model (cp, i)->model, &spec);
      if (strcmp (co2s_model_spec_to_string (&spec, have), name) == 0)
        return (int) i;
    }
  return -1;
}

void
co2s_checkpoint_set_champion (Co2sCheckpoint *cp, guint index)
{
  Co2sCheckpointModel *m;

  g_return_if_fail (cp != NULL);
  g_return_if_fail (index < cp->models->len);

  m = co2s_checkpoint_get_model (cp, index);
  cp->champion = index;
  cp->model = m->model;
  cp->conformal = m->conformal;
}

void
co2s_checkpoint_model_note_error (Co2sCheckpointModel *m, double rmse, guint rows, guint window)
{
  Co2sRecentError e = { 0 };

  g_return_if_fail (m != NULL);
  g_return_if_fail (window >= 1 && window <= CO2S_CHAMPION_WINDOW_MAX);

  if (!isfinite (rmse) || rows == 0)
    return;
  e.sse = rmse * rmse * rows;
  e.rows = rows;
  if (m->recent->len >= window)
    g_array_remove_range (m->recent, 0, m->recent->len - window + 1);
  g_array_append_val (m->recent, e);
}

double
co2s_checkpoint_model_get_rolling_rmse (const Co2sCheckpointModel *m)
{
  double sse = 0.0;
  guint64 rows = 0;

  g_return_val_if_fail (m != NULL, NAN);

  for (guint i = 0; i < m->recent->len; i++)
    {
      const Co2sRecentError *e = &g_array_index (m->recent, Co2sRecentError, i);

      sse += e->sse;
      rows += e->rows;
    }
  return rows > 0 ? sqrt (sse / rows) : NAN;
}

gboolean
co2s_checkpoint_choose_champion (Co2sCheckpoint *cp)
{
  guint best;
  double best_rmse;

  g_return_val_if_fail (cp != NULL, FALSE);

  best = cp->champion;
  best_rmse = co2s_checkpoint_model_get_rolling_rmse (co2s_checkpoint_get_model (cp, best));
  for (guint i = 0; i < cp->models->len; i++)
    {
      double rmse = co2s_checkpoint_model_get_rolling_rmse (co2s_checkpoint_get_model (cp, i));

      if (isfinite (rmse) && (!isfinite (best_rmse) || rmse < best_rmse))
        {
          best = i;
          best_rmse = rmse;
        }
    }
  if (best == cp->champion)
    return FALSE;
  co2s_checkpoint_set_champion (cp, best);
  return TRUE;
}

Co2sCheckpoint *
co2s_checkpoint_new (Co2sModel *model)
{
  Co2sCheckpoint *cp;

  g_return_val_if_fail (CO2S_IS_MODEL (model), NULL);

  cp = g_new0 (Co2sCheckpoint, 1);
  cp->models = g_ptr_array_new_with_free_func (checkpoint_model_free);
  co2s_checkpoint_add_model (cp, model);
  co2s_checkpoint_set_champion (cp, 0);
  cp->updated_at_us = g_get_real_time ();
  cp->offsets = g_array_new (FALSE, FALSE, sizeof (Co2sPartitionOffset));
  cp->latency = co2s_latency_histogram_new ();
  return cp;
}

void
co2s_checkpoint_free (Co2sCheckpoint *cp)
{
  if (cp == NULL)
    return;
  cp->model = NULL;
  cp->conformal = NULL;
  g_clear_pointer (&cp->models, g_ptr_array_unref);
  g_clear_pointer (&cp->cluster_id, g_free);
  g_clear_pointer (&cp->topic, g_free);
  g_clear_pointer (&cp->offsets, g_array_unref);
  g_clear_pointer (&cp->latency, co2s_latency_histogram_free);
  g_free (cp);
}

void
co2s_record_id_set (Co2sRecordId *id,
                    gint64 offset,
                    gint64 timestamp_ms,
                    const void *key,
                    gsize key_len,
                    const void *value,
                    gsize value_len)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  /* Lengths first, so that no two (key, value) pairs hash the same bytes;
   * G_MAXUINT64 for an absent key or a null value. */
  guint64 lengths[2] = {
    GUINT64_TO_LE (key != NULL ? (guint64) key_len : G_MAXUINT64),
    GUINT64_TO_LE (value != NULL ? (guint64) value_len : G_MAXUINT64),
  };
  gsize digest_len = sizeof id->sha256;

  g_return_if_fail (id != NULL);
  g_return_if_fail (offset >= 0);

  memset (id, 0, sizeof *id);
  id->known = TRUE;
  id->offset = offset;
  id->timestamp_ms = timestamp_ms >= 0 ? timestamp_ms : -1;
  g_checksum_update (sum, (const guchar *) lengths, sizeof lengths);
  if (key != NULL)
    g_checksum_update (sum, key, key_len);
  if (value != NULL)
    g_checksum_update (sum, value, value_len);
  g_checksum_get_digest (sum, id->sha256, &digest_len);
  g_assert (digest_len == sizeof id->sha256);

  /* The key as text when it reads as such: our keys are seq numbers. */
  if (key != NULL && key_len > 0 && key_len <= CO2S_RECORD_ID_KEY_MAX &&
      g_utf8_validate_len (key, key_len, NULL))
    {
      gboolean printable = TRUE;

      for (gsize i = 0; i < key_len && printable; i++)
        printable = !g_ascii_iscntrl (((const char *) key)[i]);
      if (printable)
        memcpy (id->key, key, key_len);
    }
}

gboolean
co2s_record_id_equal (const Co2sRecordId *a, const Co2sRecordId *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->known && b->known && a->offset == b->offset &&
         (a->timestamp_ms < 0 || b->timestamp_ms < 0 || a->timestamp_ms == b->timestamp_ms) &&
         memcmp (a->sha256, b->sha256, sizeof a->sha256) == 0;
}

char *
co2s_record_id_describe (const Co2sRecordId *id)
{
  GString *s = g_string_new (NULL);
  const char *sep = " (";

  g_return_val_if_fail (id != NULL, NULL);

  if (!id->known)
    return g_strdup ("an unknown record");
  g_string_append_printf (s, "offset %" G_GINT64_FORMAT, id->offset);
  if (id->key[0] != '\0')
    {
      g_string_append_printf (s, "%skey \"%s\"", sep, id->key);
      sep = ", ";
    }
  if (id->timestamp_ms >= 0)
    {
      g_autoptr(GDateTime) secs = g_date_time_new_from_unix_utc (id->timestamp_ms / 1000);
      g_autoptr(GDateTime) when = secs ? g_date_time_add (secs, (id->timestamp_ms % 1000) * 1000) : NULL;
      g_autofree char *iso = when ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.%fZ") : NULL;

      if (iso != NULL && strlen (iso) > 24)
        {
          /* %f gives µs: keep the milliseconds Kafka has. */
          iso[23] = 'Z';
          iso[24] = '\0';
        }
      g_string_append_printf (s, "%swritten %s", sep, iso ? iso : "(unknown)");
      sep = ", ";
    }
  g_string_append_printf (s, "%ssha256 %02x%02x%02x%02x...)", sep,
                          id->sha256[0], id->sha256[1], id->sha256[2], id->sha256[3]);
  return g_string_free (s, FALSE);
}

void
co2s_checkpoint_set_offset (Co2sCheckpoint *cp, gint32 partition, gint64 next_offset)
{
  co2s_checkpoint_set_position (cp, partition, next_offset, NULL);
}

void
co2s_checkpoint_set_position (Co2sCheckpoint *cp,
                              gint32 partition,
                              gint64 next_offset,
                              const Co2sRecordId *last)
{
  Co2sPartitionOffset po = { .partition = partition, .next_offset = next_offset,
                             .first_offset = CO2S_OFFSET_NONE_LEARNED };
  guint i;

  g_return_if_fail (cp != NULL);
  g_return_if_fail (partition >= 0);

  if (last != NULL && last->known && last->offset >= 0 && last->offset < next_offset)
    po.last = *last;

  for (i = 0; i < cp->offsets->len; i++)
    {
      Co2sPartitionOffset *e = &g_array_index (cp->offsets, Co2sPartitionOffset, i);

      if (e->partition == partition)
        {
          po.first_offset = e->first_offset;
          *e = po;
          return;
        }
      if (e->partition > partition)
        break;
    }
  g_array_insert_val (cp->offsets, i, po);
}

void
co2s_checkpoint_note_learned (Co2sCheckpoint *cp, const Co2sPartitionOffset *learned)
{
  Co2sPartitionOffset *e;

  g_return_if_fail (cp != NULL);
  g_return_if_fail (learned != NULL);

  co2s_checkpoint_set_position (cp, learned->partition, learned->next_offset, &learned->last);
  e = (Co2sPartitionOffset *) co2s_checkpoint_get_position (cp, learned->partition);
  g_assert (e != NULL);
  if (e->first_offset == CO2S_OFFSET_NONE_LEARNED && learned->first_offset >= 0 &&
      learned->first_offset < learned->next_offset)
    e->first_offset = learned->first_offset;
}

const Co2sPartitionOffset *
co2s_checkpoint_get_position (const Co2sCheckpoint *cp, gint32 partition)
{
  Co2sPartitionOffset key = { .partition = partition };
  guint index;

  g_return_val_if_fail (cp != NULL, NULL);

  if (g_array_binary_search (cp->offsets, &key, compare_offsets, &index))
    return &g_array_index (cp->offsets, Co2sPartitionOffset, index);
  return NULL;
}

gint64
co2s_checkpoint_get_offset (const Co2sCheckpoint *cp, gint32 partition)
{
  const Co2sPartitionOffset *po;

  g_return_val_if_fail (cp != NULL, -1);

  po = co2s_checkpoint_get_position (cp, partition);
  return po != NULL ? po->next_offset : -1;
}

/* Appends @s as a JSON string, escaped as json-glib's generator does:
 * '"', '\\' and control characters; other bytes as they are. */
static void
append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

/* Appends @node pretty-printed, indented by @level × 2 spaces, in the
 * layout of json-glib's generator (pretty, indent 2), except for doubles:
 * json-glib writes a double whose shortest form has no '.' with ".0"
 * appended, so 1e22 came out as "1e+22.0", which is not JSON. Doubles go
 * through co2s_json_append_double (shortest form that reads back exactly,
 * as in metrics lines). */
static void
append_json_node (GString *out, JsonNode *node, guint level)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append (out, "{\n");
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append (out, ",\n");
            first = FALSE;
            g_string_append_printf (out, "%*s", (int) (2 * (level + 1)), "");
            append_json_string (out, name);
            g_string_append (out, " : ");
            append_json_node (out, member, level + 1);
          }
        if (!first)
          g_string_append_c (out, '\n');
        g_string_append_printf (out, "%*s}", (int) (2 * level), "");
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append (out, "[\n");
        for (guint i = 0; i < n; i++)
          {
            g_string_append_printf (out, "%*s", (int) (2 * (level + 1)), "");
            append_json_node (out, json_array_get_element (array, i), level + 1);
            g_string_append (out, i + 1 < n ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%*s]", (int) (2 * level), "");
      }
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          co2s_json_append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          append_json_string (out, json_node_get_string (node));
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    }
}

char *
co2s_checkpoint_dup_params_sha256 (const Co2sCheckpoint *cp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (cp != NULL, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (cp->model), NULL);

  /* One model: its members, as files of one model always had. */
  if (cp->models->len > 1)
    json_builder_begin_array (builder);
  for (guint i = 0; i < cp->models->len; i++)
    {
      json_builder_begin_object (builder);
      co2s_model_serialize (co2s_checkpoint_get_model (cp, i)->model, builder);
      json_builder_end_object (builder);
    }
  if (cp->models->len > 1)
    json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  append_json_node (text, root, 0);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, text->len);
}

/* drift, conformal and the model's own members (algo … state) of @m. */
static void
add_model_members (JsonBuilder *builder, const Co2sCheckpointModel *m)
{
  const Co2sDrift *d = &m->drift;

  json_builder_set_member_name (builder, "drift");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "delta");
  json_builder_add_double_value (builder, d->params.delta);
  json_builder_set_member_name (builder, "lambda");
  json_builder_add_double_value (builder, d->params.lambda);
  json_builder_set_member_name (builder, "min_batches");
  json_builder_add_int_value (builder, d->params.min_batches);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, (gint64) MIN (d->n, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "mean");
  json_builder_add_double_value (builder, d->mean);
  json_builder_set_member_name (builder, "sum");
  json_builder_add_double_value (builder, d->sum);
  json_builder_set_member_name (builder, "min_sum");
  json_builder_add_double_value (builder, d->min_sum);
  json_builder_set_member_name (builder, "alarms");
  json_builder_add_int_value (builder, (gint64) MIN (d->alarms, (guint64) G_MAXINT64));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "conformal");
  co2s_conformal_to_json (m->conformal, builder);

  co2s_model_serialize (m->model, builder);
}

/* "recent": @m's champion window. */
static void
add_recent (JsonBuilder *builder, const Co2sCheckpointModel *m)
{
  json_builder_set_member_name (builder, "recent");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sse");
  json_builder_begin_array (builder);
  for (guint i = 0; i < m->recent->len; i++)
    json_builder_add_double_value (builder, g_array_index (m->recent, Co2sRecentError, i).sse);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < m->recent->len; i++)
    json_builder_add_int_value (builder, g_array_index (m->recent, Co2sRecentError, i).rows);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

char *
co2s_checkpoint_to_json (const Co2sCheckpoint *cp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) secs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *params_sha256 = NULL;
  GString *out;

  g_return_val_if_fail (cp != NULL, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (cp->model), NULL);

  params_sha256 = co2s_checkpoint_dup_params_sha256 (cp);

  secs = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  if (secs != NULL)
    when = g_date_time_add (secs, cp->updated_at_us % G_USEC_PER_SEC);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("1970-01-01T00:00:00Z");

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, CO2S_CHECKPOINT_FORMAT_VERSION);
  json_builder_set_member_name (builder, "batches");
  json_builder_add_int_value (builder, (gint64) cp->batches);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, (gint64) cp->batches);
  json_builder_set_member_name (builder, "params_sha256");
  json_builder_add_string_value (builder, params_sha256);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, iso);
  json_builder_set_member_name (builder, "updated_at_us");
  json_builder_add_int_value (builder, cp->updated_at_us);

  json_builder_set_member_name (builder, "kafka");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cluster_id");
  if (cp->cluster_id != NULL)
    json_builder_add_string_value (builder, cp->cluster_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "topic");
  if (cp->topic != NULL)
    json_builder_add_string_value (builder, cp->topic);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "offsets");
  json_builder_begin_array (builder);
  for (guint i = 0; cp->offsets != NULL && i < cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (cp->offsets, Co2sPartitionOffset, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "partition");
      json_builder_add_int_value (builder, po->partition);
      if (po->first_offset != CO2S_OFFSET_UNKNOWN)
        {
          json_builder_set_member_name (builder, "first_offset");
          if (po->first_offset >= 0)
            json_builder_add_int_value (builder, po->first_offset);
          else
            json_builder_add_null_value (builder);
        }
      json_builder_set_member_name (builder, "next_offset");
      json_builder_add_int_value (builder, po->next_offset);
      if (po->last.known)
        {
          char hex[2 * sizeof po->last.sha256 + 1];

          for (guint k = 0; k < sizeof po->last.sha256; k++)
            g_snprintf (hex + 2 * k, 3, "%02x", po->last.sha256[k]);
          json_builder_set_member_name (builder, "last_record");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "offset");
          json_builder_add_int_value (builder, po->last.offset);
          json_builder_set_member_name (builder, "timestamp_ms");
          if (po->last.timestamp_ms >= 0)
            json_builder_add_int_value (builder, po->last.timestamp_ms);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "key");
          if (po->last.key[0] != '\0')
            json_builder_add_string_value (builder, po->last.key);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "sha256");
          json_builder_add_string_value (builder, hex);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (cp->latency != NULL)
    {
      g_autoptr(GString) buckets = g_string_new (NULL);

      co2s_latency_histogram_append_text (cp->latency, buckets);
      json_builder_set_member_name (builder, "latency_us");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, (gint64) MIN (cp->latency->total, (guint64) G_MAXINT64));
      json_builder_set_member_name (builder, "buckets");
      json_builder_add_string_value (builder, buckets->str);
      json_builder_end_object (builder);
    }

  add_model_members (builder, co2s_checkpoint_get_model (cp, cp->champion));
  if (cp->models->len > 1)
    {
      char name[CO2S_MODEL_SPEC_MAX];
      Co2sModelSpec spec;

      co2s_model_get_spec (cp->model, &spec);
      json_builder_set_member_name (builder, "champion");
      json_builder_add_string_value (builder, co2s_model_spec_to_string (&spec, name));
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint i = 0; i < cp->models->len; i++)
        {
          const Co2sCheckpointModel *m = co2s_checkpoint_get_model (cp, i);

          co2s_model_get_spec (m->model, &spec);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, co2s_model_spec_to_string (&spec, name));
          add_recent (builder, m);
          if (i != cp->champion)
            add_model_members (builder, m);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  out = g_string_new (NULL);
  append_json_node (out, root, 0);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

gboolean
co2s_checkpoint_save (const Co2sCheckpoint *cp, const char *path, GError **error)
{
  g_autofree char *json = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cp != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json = co2s_checkpoint_to_json (cp);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the folder “%s” for model file “%s”: %s"),
                   dir, path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents_full (path, json, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local_error))
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                   _("Cannot write model file “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  sync_dir (dir);
  return TRUE;
}

Co2sCheckpoint *
co2s_checkpoint_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("Model file “%s” does not exist"), path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                     _("Cannot read model file “%s”: %s"), path, local_error->message);
      return NULL;
    }

  return co2s_checkpoint_parse (contents, len, path, error);
}

Co2sCheckpoint *
co2s_checkpoint_parse (const char *json, gsize len, const char *origin, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  Co2sCheckpoint *cp = NULL;

  g_return_val_if_fail (json != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = co2s_json_parse_object (json, len, &local_error);
  if (root != NULL)
    cp = checkpoint_from_object (root, &local_error);
  if (cp == NULL)
    /* Translators: the second %s is a technical detail, in English */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("Model file “%s” is not valid: %s"),
                 origin != NULL ? origin : "(string)", local_error->message);
  return cp;
}
