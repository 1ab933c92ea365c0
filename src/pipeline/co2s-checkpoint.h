/* co2s-checkpoint.h — the model file, models/model.json.
 *
 * A checkpoint is the model plus where in the log it stands: for every
 * partition the next offset to consume, with the cluster id and topic those
 * offsets belong to. Written atomically (temp file, fsync, rename), so a
 * reader or a crash only ever sees a complete old or a complete new file.
 *
 * File format (format_version 1), a JSON object:
 *   format_version, algo, features[], coefficients[], intercept, rows_seen,
 *   batches, updated_at (ISO 8601 UTC), updated_at_us,
 *   kafka { cluster_id, topic, offsets: [ {partition, next_offset}… ] },
 *   state { algorithm-specific, see co2s_model_serialize } */
#pragma once

#include <glib.h>

#include "co2s-model.h"

G_BEGIN_DECLS

#define CO2S_CHECKPOINT_FORMAT_VERSION 1

typedef struct {
  gint32 partition;
  gint64 next_offset;
} Co2sPartitionOffset;

typedef struct {
  Co2sModel *model;        /* owned */
  guint64 batches;
  gint64 updated_at_us;    /* wall clock, µs since epoch */
  char *cluster_id;        /* may be NULL */
  char *topic;             /* may be NULL */
  GArray *offsets;         /* of Co2sPartitionOffset, sorted by partition */
} Co2sCheckpoint;

/* New checkpoint holding a reference to @model, no offsets, batches 0,
 * updated_at_us now. Free with co2s_checkpoint_free. */
Co2sCheckpoint *co2s_checkpoint_new (Co2sModel *model);

void co2s_checkpoint_free (Co2sCheckpoint *cp);

/* Sets (adds or replaces) the next offset of @partition. */
void co2s_checkpoint_set_offset (Co2sCheckpoint *cp, gint32 partition, gint64 next_offset);

/* Next offset of @partition, or -1 when the checkpoint has none. */
gint64 co2s_checkpoint_get_offset (const Co2sCheckpoint *cp, gint32 partition);

/* Serializes to a newly allocated JSON string (locale-independent). */
char *co2s_checkpoint_to_json (const Co2sCheckpoint *cp);

/* Writes @path atomically and durably: a temporary file in the same folder,
 * fsync, rename over @path (g_file_set_contents_full, DURABLE|CONSISTENT),
 * then fsync of the folder. Creates the folder if needed. Blocking (a few ms
 * for the fsyncs). Errors are G_IO_ERROR_* with a message naming @path. */
gboolean co2s_checkpoint_save (const Co2sCheckpoint *cp, const char *path, GError **error);

/* Reads @path. A missing file gives G_IO_ERROR_NOT_FOUND; unreadable,
 * not JSON, a wrong format_version or a bad member gives an error whose
 * message names @path and what is wrong. */
Co2sCheckpoint *co2s_checkpoint_load (const char *path, GError **error);

/* Same, from a string; @origin names it in messages. */
Co2sCheckpoint *co2s_checkpoint_parse (const char *json, gsize len, const char *origin, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sCheckpoint, co2s_checkpoint_free)

G_END_DECLS
