/* co2s-checkpoint.c — the model file, written atomically: the checkpoint's
 * life (new, free, adding a model), the records' ids (set, compare,
 * describe), the offsets and positions by partition, and the entry points
 * that save (temporary file, fsync, rename, fsync of the folder), load and
 * parse it. The file's JSON is read in co2s-checkpoint-read.c and written
 * in co2s-checkpoint-write.c; the champion among several models is
 * co2s-checkpoint-champion.c's. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"
#include "co2s-checkpoint-private.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
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

Co2sCheckpoint *
co2s_checkpoint_new_for_specs (const Co2sModelSpec *specs, guint n)
{
  Co2sCheckpoint *cp = NULL;

  g_return_val_if_fail (specs != NULL && n >= 1 && n <= CO2S_MAX_MODELS, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Co2sModel) model = co2s_model_new_for_spec (&specs[i]);

      if (cp == NULL)
        cp = co2s_checkpoint_new (model);
      else
        co2s_checkpoint_add_model (cp, model);
    }
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
    cp = co2s_checkpoint_from_object (root, &local_error);
  if (cp == NULL)
    /* Translators: the second %s is a technical detail, in English */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("Model file “%s” is not valid: %s"),
                 origin != NULL ? origin : "(string)", local_error->message);
  return cp;
}
