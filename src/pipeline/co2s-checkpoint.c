/* co2s-checkpoint.c — the model file, written atomically. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "co2s-json-reader.h"

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
      g_autofree char *partition_path = g_strdup_printf ("kafka.offsets[%u].partition", i);
      g_autofree char *next_path = g_strdup_printf ("kafka.offsets[%u].next_offset", i);
      JsonObject *o;
      gint64 partition = 0;
      gint64 next = 0;

      if (!co2s_json_array_get_object (offsets, "kafka.offsets", i, &o, error) ||
          !co2s_json_get_int (o, partition_path, CO2S_JSON_REQUIRED, 0, G_MAXINT32, &partition, error) ||
          !co2s_json_get_int (o, next_path, CO2S_JSON_REQUIRED, 0, G_MAXINT64, &next, error))
        return FALSE;
      if (co2s_checkpoint_get_offset (cp, (gint32) partition) >= 0)
        return co2s_json_set_member_error (error, partition_path,
                                           "is %" G_GINT64_FORMAT " again: that partition appears twice",
                                           partition);
      co2s_checkpoint_set_offset (cp, (gint32) partition, next);
    }
  return TRUE;
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
      !read_kafka (cp, root, error))
    return NULL;
  return g_steal_pointer (&cp);
}

Co2sCheckpoint *
co2s_checkpoint_new (Co2sModel *model)
{
  Co2sCheckpoint *cp;

  g_return_val_if_fail (CO2S_IS_MODEL (model), NULL);

  cp = g_new0 (Co2sCheckpoint, 1);
  cp->model = g_object_ref (model);
  cp->updated_at_us = g_get_real_time ();
  cp->offsets = g_array_new (FALSE, FALSE, sizeof (Co2sPartitionOffset));
  return cp;
}

void
co2s_checkpoint_free (Co2sCheckpoint *cp)
{
  if (cp == NULL)
    return;
  g_clear_object (&cp->model);
  g_clear_pointer (&cp->cluster_id, g_free);
  g_clear_pointer (&cp->topic, g_free);
  g_clear_pointer (&cp->offsets, g_array_unref);
  g_free (cp);
}

void
co2s_checkpoint_set_offset (Co2sCheckpoint *cp, gint32 partition, gint64 next_offset)
{
  Co2sPartitionOffset po = { partition, next_offset };
  guint i;

  g_return_if_fail (cp != NULL);
  g_return_if_fail (partition >= 0);

  for (i = 0; i < cp->offsets->len; i++)
    {
      Co2sPartitionOffset *e = &g_array_index (cp->offsets, Co2sPartitionOffset, i);

      if (e->partition == partition)
        {
          e->next_offset = next_offset;
          return;
        }
      if (e->partition > partition)
        break;
    }
  g_array_insert_val (cp->offsets, i, po);
}

gint64
co2s_checkpoint_get_offset (const Co2sCheckpoint *cp, gint32 partition)
{
  Co2sPartitionOffset key = { partition, 0 };
  guint index;

  g_return_val_if_fail (cp != NULL, -1);

  if (g_array_binary_search (cp->offsets, &key, compare_offsets, &index))
    return g_array_index (cp->offsets, Co2sPartitionOffset, index).next_offset;
  return -1;
}

char *
co2s_checkpoint_to_json (const Co2sCheckpoint *cp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) secs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  GString *out;

  g_return_val_if_fail (cp != NULL, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (cp->model), NULL);

  secs = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  if (secs != NULL)
    when = g_date_time_add (secs, cp->updated_at_us % G_USEC_PER_SEC);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("1970-01-01T00:00:00Z");

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, CO2S_CHECKPOINT_FORMAT_VERSION);
  json_builder_set_member_name (builder, "batches");
  json_builder_add_int_value (builder, (gint64) cp->batches);
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
      json_builder_set_member_name (builder, "next_offset");
      json_builder_add_int_value (builder, po->next_offset);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  co2s_model_serialize (cp->model, builder);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  out = g_string_new (NULL);
  json_generator_to_gstring (generator, out);
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
