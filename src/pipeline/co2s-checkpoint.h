/* co2s-checkpoint.h — the model file, models/model.json.
 *
 * A checkpoint is the model plus where in the log it stands: for every
 * partition the next offset to consume and, when known, who the last record
 * learned from it is (so that a deleted and recreated topic, whose offsets
 * start again at 0, is recognised: Kafka's topic id is not available through
 * librdkafka 2.0), with the cluster id and topic those offsets belong to.
 * Written atomically (temp file, fsync, rename), so a reader or a crash only
 * ever sees a complete old or a complete new file.
 *
 * File format (format_version 1), a JSON object:
 *   format_version, algo, features[], coefficients[], intercept, rows_seen,
 *   batches, version (= batches: the model's version is its batch count),
 *   params_sha256 (SHA-256 of the model's members as written: algo,
 *   feature_set, features, coefficients, intercept, rows_seen, state; a
 *   replay of the same log in the same batches gives the same hash),
 *   updated_at (ISO 8601 UTC), updated_at_us,
 *   kafka { cluster_id, topic, offsets: [ {partition, first_offset?,
 *           next_offset, last_record?: {offset, timestamp_ms|null, key|null,
 *           sha256}}… ] },
 *   latency_us? { count, buckets },
 *   drift? { delta, lambda, min_batches, n, mean, sum, min_sum, alarms },
 *   conformal? { level, window, residuals: [6 × base64] },
 *   state { algorithm-specific, see co2s_model_serialize },
 *   and with several models (co2stream-trainer --algo ls,ls:fuel,…):
 *   champion (its name), models: [ {name, recent: {sse[], rows[]}, and for
 *   every model but the champion, whose are the members above: algo …
 *   state, drift, conformal}… ] in the trainer's order.
 * last_record is optional: files written before it existed load with the
 * last record unknown. first_offset: the first offset the model learned
 * from that partition, so the model holds exactly offsets [first_offset,
 * next_offset) of it (null: nothing learned from it yet; absent, in files
 * written before it existed: unknown). version and params_sha256 are
 * written for readers (co2stream-predict --json) and not trusted on load.
 * drift is the state of the drift alarm on the model's prequential error
 * (co2s-drift.h), saved with the model so that batches replayed after a
 * crash raise the same alarms; absent (older files): a fresh detector.
 * conformal is the prediction intervals' recent residuals (co2s-conformal.h),
 * saved for the same reason; absent: none yet. latency_us is the trainer's per-row latency (API emit
 * → the checkpoint that made the row durable) over the model's life:
 * count rows, buckets in co2s-latency-histogram.h's text form; optional
 * (absent: empty), saved with the model and the offsets in one atomic
 * write, so a replay after a crash counts each row once. */
#pragma once

#include <glib.h>

#include "co2s-conformal.h"
#include "co2s-drift.h"
#include "co2s-latency-histogram.h"
#include "co2s-model.h"

G_BEGIN_DECLS

#define CO2S_CHECKPOINT_FORMAT_VERSION 1

/* Longest key kept as text in a Co2sRecordId (our keys are seq numbers). */
#define CO2S_RECORD_ID_KEY_MAX 40

/* Who a Kafka record is, to recognise it again later: where it is, when it
 * was written, its key as text and a SHA-256 of its key and value. A zeroed
 * struct is "unknown". */
typedef struct {
  gboolean known;                        /* FALSE: none of the rest is set */
  gint64 offset;
  gint64 timestamp_ms;                   /* -1 when the broker gave none */
  char key[CO2S_RECORD_ID_KEY_MAX + 1];  /* "" when none, too long or not text */
  guint8 sha256[32];                     /* of the key's and the value's bytes */
} Co2sRecordId;

#define CO2S_OFFSET_NONE_LEARNED (-1)  /* first_offset: nothing learned from it yet */
#define CO2S_OFFSET_UNKNOWN (-2)       /* first_offset: a file from before it was kept */

typedef struct {
  gint32 partition;
  gint64 next_offset;
  Co2sRecordId last;       /* the record at last.offset (< next_offset) learned last */
  gint64 first_offset;     /* first offset learned, or CO2S_OFFSET_NONE_LEARNED /
                            * CO2S_OFFSET_UNKNOWN (in a Co2sBatch: its first) */
} Co2sPartitionOffset;

/* Fills @id for the record at @offset written at @timestamp_ms (-1: none)
 * with key @key (may be NULL: no key) and value @value (may be NULL: null
 * value). About 1 µs for one of our rows. */
void co2s_record_id_set (Co2sRecordId *id,
                         gint64 offset,
                         gint64 timestamp_ms,
                         const void *key,
                         gsize key_len,
                         const void *value,
                         gsize value_len);

/* TRUE when @a and @b (both known) are the same record: same offset, key
 * and value, and the same timestamp when both have one. */
gboolean co2s_record_id_equal (const Co2sRecordId *a, const Co2sRecordId *b);

/* "offset 299 (key "299", written 2024-06-10T06:13:20.123Z, sha256
 * 3a006a91...)", ASCII but for the key, for messages; never translated (the
 * log is English). Free with g_free. */
char *co2s_record_id_describe (const Co2sRecordId *id);

/* Default and largest --champion-window: the champion is the model with
 * the lowest prequential RMSE over this many recent scored batches. */
#define CO2S_CHAMPION_WINDOW_DEFAULT 20
#define CO2S_CHAMPION_WINDOW_MAX 10000

/* One scored batch of a model, in its champion window. */
typedef struct {
  double sse;              /* sum of the squared prequential errors */
  guint rows;
} Co2sRecentError;

/* One model of the checkpoint and what belongs to it alone. */
typedef struct {
  Co2sModel *model;        /* owned */
  Co2sDrift drift;         /* its drift alarm's state, saved with it */
  Co2sConformal *conformal; /* owned, never NULL: its 95 % intervals' residuals */
  GArray *recent;          /* of Co2sRecentError, oldest first: its last scored batches */
} Co2sCheckpointModel;

typedef struct {
  Co2sModel *model;        /* the champion's model (not a reference of its own) */
  Co2sConformal *conformal; /* the champion's intervals (not owned either) */
  GPtrArray *models;       /* of Co2sCheckpointModel, ≥ 1, in the trainer's --algo order */
  guint champion;          /* index in models; see co2s_checkpoint_set_champion */
  guint64 batches;
  gint64 updated_at_us;    /* wall clock, µs since epoch */
  char *cluster_id;        /* may be NULL */
  char *topic;             /* may be NULL */
  GArray *offsets;         /* of Co2sPartitionOffset, sorted by partition */
  Co2sLatencyHistogram *latency; /* owned, never NULL: see latency_us above */
} Co2sCheckpoint;

/* New checkpoint holding a reference to @model, no offsets, batches 0,
 * updated_at_us now. Free with co2s_checkpoint_free. */
Co2sCheckpoint *co2s_checkpoint_new (Co2sModel *model);

void co2s_checkpoint_free (Co2sCheckpoint *cp);

/* A new checkpoint of @n (1 … CO2S_MAX_MODELS) untrained models, one per
 * spec of @specs in that order, the first the champion; as
 * co2s_checkpoint_new otherwise. */
Co2sCheckpoint *co2s_checkpoint_new_for_specs (const Co2sModelSpec *specs, guint n);

/* Adds @model (a reference is taken) after the checkpoint's models, with a
 * fresh drift detector, no residuals and an empty champion window. Returns
 * its index. At most CO2S_MAX_MODELS models; the caller keeps their names
 * distinct. */
guint co2s_checkpoint_add_model (Co2sCheckpoint *cp, Co2sModel *model);

/* The @index-th model (owned by @cp). */
static inline Co2sCheckpointModel *
co2s_checkpoint_get_model (const Co2sCheckpoint *cp, guint index)
{
  g_assert (index < cp->models->len);
  return g_ptr_array_index (cp->models, index);
}

/* The index of the model named @name ("ls:fuel", co2s_model_spec_to_string),
 * or -1 when @cp has none by that name. */
int co2s_checkpoint_find_model (const Co2sCheckpoint *cp, const char *name);

/* Makes the @index-th model the champion: cp->model and cp->conformal
 * become its. */
void co2s_checkpoint_set_champion (Co2sCheckpoint *cp, guint index);

/* Notes a scored batch of @rows (> 0) rows with prequential RMSE @rmse (NAN:
 * not scored, the model's warm-up: nothing is noted) in @m's champion window
 * of @window (1 … CO2S_CHAMPION_WINDOW_MAX) batches, dropping the oldest. */
void co2s_checkpoint_model_note_error (Co2sCheckpointModel *m, double rmse, guint rows, guint window);

/* The RMSE over @m's champion window (all its rows' errors pooled), or NAN
 * when it holds no scored batch. */
double co2s_checkpoint_model_get_rolling_rmse (const Co2sCheckpointModel *m);

/* Chooses the champion: the model with the lowest rolling RMSE; the
 * current champion stays on a tie or when no model has one. TRUE when it
 * changed. */
gboolean co2s_checkpoint_choose_champion (Co2sCheckpoint *cp);

/* Sets (adds or replaces) the next offset of @partition; its last record
 * becomes unknown. */
void co2s_checkpoint_set_offset (Co2sCheckpoint *cp, gint32 partition, gint64 next_offset);

/* Same, with the last record learned from @partition: @last (may be NULL
 * or not known: unknown) must be below @next_offset, else it is dropped. */
void co2s_checkpoint_set_position (Co2sCheckpoint *cp,
                                   gint32 partition,
                                   gint64 next_offset,
                                   const Co2sRecordId *last);

/* After learning a batch: sets @learned's partition to @learned's next
 * offset and last record (as co2s_checkpoint_set_position), and, when
 * nothing was learned from that partition before, its first offset to
 * @learned->first_offset. */
void co2s_checkpoint_note_learned (Co2sCheckpoint *cp, const Co2sPartitionOffset *learned);

/* The hex SHA-256 (64 characters) of the model's members as the model file
 * writes them (of every model's, in order, when there are several): equal
 * models, bit for bit, have equal hashes. Free with g_free. */
char *co2s_checkpoint_dup_params_sha256 (const Co2sCheckpoint *cp);

/* Next offset of @partition, or -1 when the checkpoint has none. */
gint64 co2s_checkpoint_get_offset (const Co2sCheckpoint *cp, gint32 partition);

/* The position of @partition (owned by @cp, valid until it changes), or
 * NULL when the checkpoint has none. */
const Co2sPartitionOffset *co2s_checkpoint_get_position (const Co2sCheckpoint *cp, gint32 partition);

/* Serializes to a newly allocated JSON string (locale-independent),
 * pretty-printed with an indent of 2; every double in its shortest form
 * that reads back bit for bit (co2s_json_append_double). */
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

/* Partition-parallel learning (co2stream-trainer --scale-out): each of the
 * @n (≥ 1) checkpoints @parts learned its own partitions' rows; @out
 * (CO2S_MAX_MODELS slots) gets, for each of their models in order, a new
 * model that is their exact merge (co2s_model_merge_all into a fresh model
 * of that spec: ls equals one model of all their rows up to rounding). The
 * parts must hold the same models in the same order; an sgd model is
 * refused (G_IO_ERROR_NOT_SUPPORTED). FALSE with @error (and @out
 * untouched) otherwise. @parts are only read. Not thread-safe. */
gboolean co2s_checkpoint_merge_models (Co2sCheckpoint *const *parts,
                                       guint n,
                                       Co2sModel **out,
                                       GError **error);

/* A new checkpoint of the @n (≥ 1) partition checkpoints @parts, as the
 * merged model file is written: the models merged as above; batches the
 * sum, the latency histograms added, the positions joined (a partition in
 * two parts is G_IO_ERROR_INVALID_ARGUMENT), updated_at the latest, the
 * first cluster id and topic given; the champion the model with the lowest
 * RMSE pooled over every part's champion window. Intervals, drift
 * detectors and champion windows cannot be added up: they are those of the
 * part whose champion learned the most rows. NULL with @error. */
Co2sCheckpoint *co2s_checkpoint_merge (Co2sCheckpoint *const *parts, guint n, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sCheckpoint, co2s_checkpoint_free)

G_END_DECLS
