/* co2s-checkpoint-private.h — what the model file's parts share
 * (co2s-checkpoint.c: the checkpoint's life, offsets, saving and loading;
 * co2s-checkpoint-read.c: reading the file's JSON). Not for other code:
 * co2s-checkpoint.h is the API. */
#pragma once

#include <json-glib/json-glib.h>

#include "co2s-checkpoint.h"

G_BEGIN_DECLS

/* The checkpoint in @root, a model file's top-level object, or NULL with
 * @error set in co2s-json-reader.h's words (where and what, in English),
 * which co2s_checkpoint_parse wraps in a message naming the file. */
G_GNUC_INTERNAL
Co2sCheckpoint *co2s_checkpoint_from_object (JsonObject *root, GError **error);

G_END_DECLS
