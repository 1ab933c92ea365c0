/* co2s-model-dir-lock.h — one trainer per model folder.
 *
 * Two trainers on one --model-dir would both learn and append every batch to
 * metrics.jsonl twice. The trainer therefore takes, before it reads or writes
 * anything else in the folder, an exclusive flock(2) on <dir>/.lock and keeps
 * the file open for its whole life: the kernel releases the lock when the
 * process exits, however it exits (SIGKILL included), so a stale lock file
 * never blocks a new trainer. The holder writes its pid and start time into
 * the file so that a refused trainer can name it. The file itself is never
 * removed (removing it would let a third process lock a new inode while the
 * holder still runs). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lock file's name inside the model folder. */
#define CO2S_MODEL_DIR_LOCK_FILE ".lock"

typedef struct _Co2sModelDirLock Co2sModelDirLock;

/* Creates @dir if needed and locks <dir>/.lock without waiting. When another
 * process holds it, NULL with G_IO_ERROR_BUSY and a translated message naming
 * the folder and the holder's pid and start time; other failures (folder not
 * creatable, file not openable) are G_IO_ERROR errors naming the file. The
 * result owns the lock until co2s_model_dir_lock_free. Any thread. */
Co2sModelDirLock *co2s_model_dir_lock_acquire (const char *dir, GError **error);

/* Releases the lock (the file stays). NULL is ignored. */
void co2s_model_dir_lock_free (Co2sModelDirLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sModelDirLock, co2s_model_dir_lock_free)

G_END_DECLS
