/* co2s-record-json-private.h — what the record JSON decoders share inside
 * the library: the intermediate form (one slot per key we look at) and the
 * strict-JSON scanner of co2s-record-json-scan.c. Not installed, not API. */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

/* The keys a record decoder looks at: the columns, then these two. */
enum {
  KEY_SEQ = CO2S_N_COLUMNS,
  KEY_EMIT_US,
  N_KEYS
};

typedef enum {
  SLOT_ABSENT,
  SLOT_INT,      /* an integer literal: i and d */
  SLOT_DOUBLE,   /* any other number: d */
  SLOT_BOOL,     /* i and d are 0 or 1 */
  SLOT_NULL,
  SLOT_STRING,
  SLOT_ARRAY,
  SLOT_OBJECT,
} Co2sJsonFieldKind;

typedef struct {
  Co2sJsonFieldKind kind;
  gint64 i;
  double d;
} Co2sJsonFieldSlot;

/* The decoder's inline key comparison reads the bytes after a key's
 * opening quote as up to KEY_WORDS 8-byte words: name": fits when the name
 * has at most 8 * KEY_WORDS - 2 bytes (every key has; checked at start-up). */
#define KEY_WORDS 4

typedef struct {
  const char *name;
  guint len;
  char prefix[40];   /* ,"name": */
  guint prefix_len;
  /* For the decoder: what the column needs (co2s_column_is_required, and
   * whether it is a CO2S_COLUMN_BOOLEAN); FALSE for seq and ts_us. */
  gboolean required;
  gboolean is_flag;
  /* name": as n_words words (memcpy'd bytes, so any byte order), and the
   * masks that keep its n_words * 8 - len - 2 last bytes out of the
   * comparison. */
  guint n_words;
  guint64 words[KEY_WORDS];
  guint64 masks[KEY_WORDS];
} KeyInfo;

typedef enum {
  SCAN_OK,
  SCAN_FALLBACK,    /* not strict JSON, or a corner left to json-glib: ask co2s_json_check_strict */
  SCAN_TOO_DEEP,
} ScanResult;

/* The N_KEYS keys in order (columns, then seq and ts_us). Static; any thread. */
const KeyInfo *_co2s_record_json_keys (void);

/* Reads @data as one strict RFC 8259 JSON object into @slots (every slot
 * is set; keys that are not ours are validated and skipped). SCAN_FALLBACK
 * for anything outside strict JSON or any corner json-glib treats
 * specially; SCAN_TOO_DEEP past CO2S_JSON_MAX_DEPTH. No allocation. */
ScanResult _co2s_record_json_scan (const char *data, gsize len, Co2sJsonFieldSlot slots[N_KEYS]);

/* Shared by the record scanner and the strict JSON check
 * (co2s-record-json-scan.c): the value of the 4 hex digits at @p, or -1;
 * the byte after the one UTF-8 sequence starting at the non-ASCII byte *@p
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or
 * NULL if invalid. Neither reads at or past @end. */
int _co2s_json_read_hex4 (const guchar *p,
                          const guchar *end);
const guchar *_co2s_json_skip_utf8 (const guchar *p,
                                    const guchar *end);

G_END_DECLS
