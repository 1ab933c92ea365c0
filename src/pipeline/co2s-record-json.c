/* co2s-record-json.c — the NDJSON wire form of a record.
 *
 * Two decoders fill the same intermediate form (one Co2sJsonFieldSlot per
 * known key: what JSON type was there and its value), and one function,
 * finish_record, turns slots into a record or an error. So the decoders can
 * only differ in how they read JSON, and the tests compare exactly that.
 *
 * Only strict RFC 8259 JSON is a record (issue 10): both decoders put the
 * input through co2s_json_check_strict (co2s-json-strict.h) before
 * json-glib reads anything, so json-glib's extensions (comments, hex
 * numbers, leading zeros, a second object after the first, …) are refused
 * the same way by both, with the problem and its byte offset in the message.
 *
 * The fast decoder (its reader is co2s-record-json-scan.c) reads strict
 * JSON in one pass without allocating. When it meets anything it does not
 * handle itself, it asks the strict check: not strict JSON is an error
 * (the check's message, the reference's exact words); strict JSON it left
 * aside (a corner below) goes to the json-glib reference, so json-glib's
 * readings are matched by construction rather than re-implemented. Within
 * strict JSON it must give json-glib's answers itself; these are json-glib
 * 1.6.6's, measured:
 *
 *  - integer literals (no '.', no exponent) are JSON integers read with
 *    strtoull and negated afterwards: past 2^63 they wrap and past 2^64 they
 *    saturate (18446744073709551615 → -1), "-0" is +0.0 while "-0.0" is -0.0.
 *    The fast path reads up to 18 digits itself and leaves longer ones;
 *  - other numbers are strtod's correctly rounded value (1e400 → inf, which
 *    validation calls NOT_FINITE);
 *  - keys are compared after unescaping, but "\u0000" ends a key (so
 *    "CO2_Emissions\u0000x" sets CO2_Emissions): the fast path leaves those;
 *  - the empty key "" is accepted; a later duplicate key replaces the earlier
 *    one, type included;
 *  - nesting has no limit in json-glib 1.6 and overflows the stack near
 *    100,000 levels: the strict check refuses more than CO2S_JSON_MAX_DEPTH
 *    before json-glib sees the input.
 *
 * What json-glib 1.6.6 accepts beyond JSON, and the strict check refuses:
 * C comments, single-quoted strings, raw control characters in strings,
 * unknown escapes ("\q" → "q", "\101" → "A"), lone surrogate escapes (as
 * CESU-8 bytes), hex/octal/binary integers (0x1F, 017, 0b1, $ff), "01",
 * ".5", "1.", "- 5", a UTF-8 BOM, "var x = {…};", and a second top-level
 * value after the first ({…}{…} keeps the first). */
#define G_LOG_DOMAIN "co2s-record-json"

#include "co2s-record-json.h"
#include "co2s-json-double.h"
#include "co2s-json-strict.h"
#include "co2s-record-json-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static KeyInfo keys[N_KEYS];
static gsize fallback_count;   /* atomic */

/* ---- keys and messages --------------------------------------------------- */

const KeyInfo *
_co2s_record_json_keys (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (int k = 0; k < N_KEYS; k++)
        {
          KeyInfo *info = &keys[k];

          if (k == KEY_SEQ)
            info->name = CO2S_KEY_SEQ;
          else if (k == KEY_EMIT_US)
            info->name = CO2S_KEY_EMIT_US;
          else
            info->name = co2s_column_name (k);
          info->len = strlen (info->name);
          g_assert (info->len + 4 < sizeof info->prefix);
          info->prefix_len = g_snprintf (info->prefix, sizeof info->prefix, ",\"%s\":", info->name);
          info->required = k < CO2S_N_COLUMNS && co2s_column_is_required (k);
          info->is_flag = k < CO2S_N_COLUMNS && co2s_column_type (k) == CO2S_COLUMN_BOOLEAN;

          /* name": is the prefix without its ,". */
          g_assert (info->len + 2 <= KEY_WORDS * 8);
          info->n_words = (info->len + 2 + 7) / 8;
          for (guint w = 0; w < info->n_words; w++)
            {
              guchar bytes[8] = { 0 }, mask[8] = { 0 };

              for (guint b = 0; b < 8 && w * 8 + b < info->len + 2; b++)
                {
                  bytes[b] = info->prefix[2 + w * 8 + b];
                  mask[b] = 0xFF;
                }
              memcpy (&info->words[w], bytes, 8);
              memcpy (&info->masks[w], mask, 8);
            }
        }
      g_once_init_leave (&initialized, 1);
    }
  return keys;
}

static const char *
slot_kind_name (Co2sJsonFieldKind kind)
{
  switch (kind)
    {
    case SLOT_INT:
    case SLOT_DOUBLE: return "a number";
    case SLOT_BOOL:   return "a boolean";
    case SLOT_NULL:   return "null";
    case SLOT_STRING: return "a string";
    case SLOT_ARRAY:  return "an array";
    case SLOT_OBJECT: return "an object";
    case SLOT_ABSENT:
    default:          return "absent";
    }
}

/* Reads a "seq"/"ts_us" slot: absent → @absent, an integer literal >= 0 → its value. */
static gboolean
finish_integer (const Co2sJsonFieldSlot *slot, const char *name, gint64 absent, gint64 *out, GError **error)
{
  switch (slot->kind)
    {
    case SLOT_ABSENT:
      *out = absent;
      return TRUE;
    case SLOT_INT:
      if (slot->i < 0)
        {
          g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_OUT_OF_RANGE,
                       "%s is %" G_GINT64_FORMAT ", must not be negative", name, slot->i);
          return FALSE;
        }
      *out = slot->i;
      return TRUE;
    default:
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_BAD_TYPE,
                   "%s is %s, not an integer", name,
                   slot->kind == SLOT_DOUBLE ? "a fractional or exponent number"
                                             : slot_kind_name (slot->kind));
      return FALSE;
    }
}

/* The one place where slots become a record or an error (see the header). */
static gboolean
finish_record (const Co2sJsonFieldSlot slots[N_KEYS], Co2sRecord *out, GError **error)
{
  const KeyInfo *k = _co2s_record_json_keys ();
  Co2sRecord r;

  co2s_record_init (&r);
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      const Co2sJsonFieldSlot *slot = &slots[c];
      gboolean required = k[c].required;
      gboolean is_flag = k[c].is_flag;

      switch (slot->kind)
        {
        case SLOT_ABSENT:
          if (required)
            {
              g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_MISSING_FIELD,
                           "%s is missing", k[c].name);
              return FALSE;
            }
          break;
        case SLOT_NULL:
          if (required)
            {
              g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_FINITE,
                           "%s is null", k[c].name);
              return FALSE;
            }
          break;
        case SLOT_INT:
        case SLOT_DOUBLE:
          r.values[c] = slot->d;
          break;
        case SLOT_BOOL:
          if (is_flag)
            {
              r.values[c] = slot->d;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case SLOT_STRING:
        case SLOT_ARRAY:
        case SLOT_OBJECT:
        default:
          g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_BAD_TYPE,
                       "%s is %s, not %s", k[c].name, slot_kind_name (slot->kind),
                       is_flag ? "true/false or a number" : "a number");
          return FALSE;
        }
    }

  if (!finish_integer (&slots[KEY_SEQ], k[KEY_SEQ].name, -1, &r.seq, error) ||
      !finish_integer (&slots[KEY_EMIT_US], k[KEY_EMIT_US].name, 0, &r.emit_us, error) ||
      !co2s_record_validate (&r, error))
    return FALSE;

  *out = r;
  return TRUE;
}

/* ---- encoding ------------------------------------------------------------ */

static char *
put_uint (char *o, guint64 u)
{
  char tmp[24];
  int n = 0;

  do
    tmp[n++] = '0' + (char) (u % 10);
  while ((u /= 10) != 0);
  while (n > 0)
    *o++ = tmp[--n];
  return o;
}

static char *
put_int (char *o, gint64 v)
{
  if (v < 0)
    {
      *o++ = '-';
      return put_uint (o, 0 - (guint64) v);
    }
  return put_uint (o, (guint64) v);
}

/* Writes the shortest round-trip form of @v to @o (at least 32 bytes). */
static char *
put_double (char *o, double v)
{
  static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 };
  double a = fabs (v);

  if (!isfinite (v) || v == 0.0)
    {
      const char *word = !isfinite (v) ? "null" : signbit (v) ? "-0.0" : "0";
      gsize n = strlen (word);

      memcpy (o, word, n);
      return o + n;
    }

  /* Fixed point with d decimals: the digits of r = round(a·10^d) read back
   * as r / 10^d, one correctly rounded division of two exact doubles, so
   * equality below proves the round trip. The smallest such d is shortest. */
  for (guint d = 0; d < G_N_ELEMENTS (p10); d++)
    {
      double s = a * p10[d];
      double r;

      if (s >= 1e15)
        break;
      r = nearbyint (s);
      if (r != 0.0 && r / p10[d] == a)
        {
          char digits[24];
          int n = 0;
          guint64 u = (guint64) r;

          while (u % 10 == 0 && d > 0)   /* trailing zeros add nothing */
            u /= 10, d--;
          do
            digits[n++] = '0' + (char) (u % 10);
          while ((u /= 10) != 0);
          while (n <= (int) d)
            digits[n++] = '0';
          if (v < 0)
            *o++ = '-';
          for (int i = n - 1; i >= (int) d; i--)
            *o++ = digits[i];
          if (d > 0)
            {
              *o++ = '.';
              for (int i = (int) d - 1; i >= 0; i--)
                *o++ = digits[i];
            }
          return o;
        }
    }

  /* Anything else: the first of %.15g, %.16g and %.17g that reads back. */
  return co2s_json_double_put_g (o, v);
}

void
co2s_json_append_double (GString *out, double value)
{
  char buf[40];
  char *end;

  g_return_if_fail (out != NULL);

  end = put_double (buf, value);
  g_string_append_len (out, buf, end - buf);
}

void
co2s_record_to_json (const Co2sRecord *record, GString *out)
{
  const KeyInfo *k = _co2s_record_json_keys ();
  char buf[1024];   /* 14 keys of < 30 bytes and values of < 32 bytes */
  char *o = buf;

  g_return_if_fail (record != NULL);
  g_return_if_fail (out != NULL);

  *o++ = '{';
  for (int c = 0; c < CO2S_N_COLUMNS; c++)
    {
      double v = record->values[c];
      gboolean first = (o == buf + 1);

      if (isnan (v) && !co2s_column_is_required (c))
        continue;
      memcpy (o, k[c].prefix + first, k[c].prefix_len - first);
      o += k[c].prefix_len - first;
      if (co2s_column_type (c) == CO2S_COLUMN_BOOLEAN && (v == 0.0 || v == 1.0))
        {
          if (v == 1.0)
            memcpy (o, "true", 4), o += 4;
          else
            memcpy (o, "false", 5), o += 5;
        }
      else
        o = put_double (o, v);
    }
  if (record->seq >= 0)
    {
      memcpy (o, k[KEY_SEQ].prefix, k[KEY_SEQ].prefix_len);
      o = put_int (o + k[KEY_SEQ].prefix_len, record->seq);
    }
  if (record->emit_us > 0)
    {
      memcpy (o, k[KEY_EMIT_US].prefix, k[KEY_EMIT_US].prefix_len);
      o = put_int (o + k[KEY_EMIT_US].prefix_len, record->emit_us);
    }
  *o++ = '}';
  *o++ = '\n';
  g_assert (o <= buf + sizeof buf);
  g_string_append_len (out, buf, o - buf);
}

/* ---- the json-glib reference --------------------------------------------- */

/* The gate both decoders share: TRUE when @data is one strict JSON object
 * (co2s_json_check_strict, CO2S_JSON_MAX_DEPTH levels); else NOT_JSON
 * with the strict check's account (what, byte offset, member), or
 * NOT_OBJECT. */
static gboolean
strict_object (const char *data, gsize len, GError **error)
{
  g_autoptr(GError) problem = NULL;
  Co2sJsonKind kind = CO2S_JSON_KIND_NULL;

  switch (co2s_json_check_strict (data, len, CO2S_JSON_MAX_DEPTH, &kind, &problem))
    {
    case CO2S_JSON_VALID:
      if (kind == CO2S_JSON_KIND_OBJECT)
        return TRUE;
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_OBJECT,
                   "the JSON value is %s, not an object", co2s_json_kind_name (kind));
      return FALSE;
    case CO2S_JSON_EMPTY:
      g_set_error_literal (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON,
                           "not JSON: the input is empty");
      return FALSE;
    case CO2S_JSON_INVALID:
    case CO2S_JSON_TOO_DEEP:
    default:
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON,
                   "not JSON: %s", problem->message);
      return FALSE;
    }
}

/* Parses the strict JSON object @data with json-glib; returns its root
 * object (owned by *parser). */
static JsonObject *
glib_load_object (const char *data, gsize len, JsonParser **parser, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (len > G_MAXSSIZE)
    {
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON,
                   "not JSON: %" G_GSIZE_FORMAT " bytes is too long", len);
      return NULL;
    }
  if (!strict_object (data, len, error))
    return NULL;

  *parser = json_parser_new ();
  if (!json_parser_load_from_data (*parser, len > 0 ? data : "", len, &local_error))
    {
      /* Strict JSON that json-glib refuses: none is known. */
      g_set_error (error, CO2S_RECORD_ERROR, CO2S_RECORD_ERROR_NOT_JSON,
                   "not JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (*parser);
  g_assert (root != NULL && JSON_NODE_HOLDS_OBJECT (root));
  return json_node_get_object (root);
}

static void
glib_fill_slot (JsonObject *object, const char *name, Co2sJsonFieldSlot *slot)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  slot->kind = SLOT_ABSENT;
  if (node == NULL)
    return;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:   slot->kind = SLOT_NULL; return;
    case JSON_NODE_ARRAY:  slot->kind = SLOT_ARRAY; return;
    case JSON_NODE_OBJECT: slot->kind = SLOT_OBJECT; return;
    case JSON_NODE_VALUE:
    default:
      break;
    }
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      slot->kind = SLOT_INT;
      slot->i = json_node_get_int (node);
      slot->d = (double) slot->i;
    }
  else if (type == G_TYPE_DOUBLE)
    {
      slot->kind = SLOT_DOUBLE;
      slot->d = json_node_get_double (node);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      slot->kind = SLOT_BOOL;
      slot->i = json_node_get_boolean (node) ? 1 : 0;
      slot->d = (double) slot->i;
    }
  else
    slot->kind = SLOT_STRING;
}

gboolean
co2s_record_from_json_glib (const char *data, gsize len, Co2sRecord *out, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  const KeyInfo *k = _co2s_record_json_keys ();
  JsonObject *object;
  Co2sJsonFieldSlot slots[N_KEYS];

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  object = glib_load_object (data, len, &parser, error);
  if (object == NULL)
    return FALSE;
  for (int i = 0; i < N_KEYS; i++)
    glib_fill_slot (object, k[i].name, &slots[i]);
  return finish_record (slots, out, error);
}

gboolean
co2s_json_object_peek_seq_glib (const char *data, gsize len, gint64 *seq, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  Co2sJsonFieldSlot slot;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (seq != NULL)
    *seq = -1;
  object = glib_load_object (data, len, &parser, error);
  if (object == NULL)
    return FALSE;
  glib_fill_slot (object, CO2S_KEY_SEQ, &slot);
  if (seq != NULL && slot.kind == SLOT_INT && slot.i >= 0)
    *seq = slot.i;
  return TRUE;
}

/* ---- the fast decoder: most strict JSON here, the rest as above ---------- */

gboolean
co2s_record_from_json (const char *data, gsize len, Co2sRecord *out, GError **error)
{
  Co2sJsonFieldSlot slots[N_KEYS];

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  switch (_co2s_record_json_scan (data, len, slots))
    {
    case SCAN_OK:
      return finish_record (slots, out, error);
    case SCAN_TOO_DEEP:
    case SCAN_FALLBACK:
    default:
      /* Not strict JSON: the strict check's words. Strict JSON the scanner
       * left aside: json-glib's reading. */
      if (!strict_object (data, len, error))
        return FALSE;
      g_atomic_pointer_add (&fallback_count, 1);
      return co2s_record_from_json_glib (data, len, out, error);
    }
}

gboolean
co2s_json_object_peek_seq (const char *data, gsize len, gint64 *seq, GError **error)
{
  Co2sJsonFieldSlot slots[N_KEYS];

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (seq != NULL)
    *seq = -1;
  switch (_co2s_record_json_scan (data, len, slots))
    {
    case SCAN_OK:
      if (seq != NULL && slots[KEY_SEQ].kind == SLOT_INT && slots[KEY_SEQ].i >= 0)
        *seq = slots[KEY_SEQ].i;
      return TRUE;
    case SCAN_TOO_DEEP:
    case SCAN_FALLBACK:
    default:
      if (!strict_object (data, len, error))
        return FALSE;
      g_atomic_pointer_add (&fallback_count, 1);
      return co2s_json_object_peek_seq_glib (data, len, seq, error);
    }
}

guint64
co2s_record_json_fallback_count (void)
{
  return (guint64) g_atomic_pointer_get (&fallback_count);
}
