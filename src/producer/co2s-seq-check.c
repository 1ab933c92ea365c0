/* co2s-seq-check.c — which key a line is published under, or why not. */
#define G_LOG_DOMAIN "co2s-seq-check"

#include "co2s-seq-check.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "co2s-record.h"
#include "co2s-record-json.h"

#define SHOWN_VALUE_LENGTH 40   /* bytes of a bad seq value quoted in a detail */

typedef enum {
  FIND_ABSENT,    /* no top-level "seq" member */
  FIND_FOUND,     /* its value's text is in [*value, *value + *value_len) */
  FIND_UNKNOWN,   /* a corner this reader leaves (an escaped key, …): ask json-glib */
} FindResult;

/* ---- finding the top-level "seq" member in strict JSON ------------------- */

static inline const char *
skip_ws (const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* @p is just after the opening quote of a string. Returns the byte after its
 * closing quote (NULL when it does not close) and, in @is_seq (may be NULL),
 * whether the string, escapes decoded, is exactly "seq". */
static const char *
scan_string (const char *p, const char *end, gboolean *is_seq)
{
  static const char want[] = "seq";
  gsize n = 0;           /* decoded bytes so far, while they match */
  gboolean match = TRUE;

  while (p < end)
    {
      char c = *p++;
      char decoded;

      if (c == '"')
        {
          if (is_seq != NULL)
            *is_seq = match && n == 3;
          return p;
        }
      if (c != '\\')
        decoded = c;
      else if (p == end)
        return NULL;
      else if (*p == 'u')
        {
          guint code = 0;

          if (end - p < 5)
            return NULL;
          for (int i = 1; i <= 4; i++)
            {
              int v = g_ascii_xdigit_value (p[i]);

              if (v < 0)
                return NULL;
              code = code * 16 + (guint) v;
            }
          p += 5;
          decoded = code < 0x80 ? (char) code : '\0';   /* never part of "seq" */
        }
      else
        {
          decoded = *p == '"' || *p == '\\' || *p == '/' ? *p : '\0';
          p++;
        }
      if (match && (n >= 3 || decoded != want[n]))
        match = FALSE;
      n++;
    }
  return NULL;
}

/* Skips one value starting at @p (containers included, without recursion);
 * NULL when it is not well-formed enough to skip. */
static const char *
skip_value (const char *p, const char *end)
{
  guint depth = 0;

  while (p < end)
    {
      switch (*p)
        {
        case '"':
          if ((p = scan_string (p + 1, end, NULL)) == NULL)
            return NULL;
          break;
        case '{':
        case '[':
          depth++;
          p++;
          break;
        case '}':
        case ']':
          if (depth == 0)
            return p;
          depth--;
          p++;
          break;
        case ',':
          if (depth == 0)
            return p;
          p++;
          break;
        default:
          if (depth == 0 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            return p;
          p++;
          break;
        }
      if (depth == 0 && p < end && (*p == ',' || *p == '}' || *p == ']'))
        return p;
    }
  return depth == 0 ? p : NULL;
}

/* The text of the object's top-level "seq" value (the last one when the key
 * repeats, as json-glib and the record decoder take it). */
static FindResult
find_seq (const char *line, gsize len, const char **value, gsize *value_len)
{
  const char *p = line, *end = line + len;
  FindResult result = FIND_ABSENT;

  p = skip_ws (p, end);
  if (p == end || *p != '{')
    return FIND_UNKNOWN;
  p = skip_ws (p + 1, end);
  if (p < end && *p == '}')
    return FIND_ABSENT;

  for (;;)
    {
      const char *start;
      gboolean is_seq;

      if (p == end || *p != '"' || (p = scan_string (p + 1, end, &is_seq)) == NULL)
        return FIND_UNKNOWN;
      p = skip_ws (p, end);
      if (p == end || *p != ':')
        return FIND_UNKNOWN;
      start = p = skip_ws (p + 1, end);
      if (p == end || (p = skip_value (p, end)) == NULL || p == start)
        return FIND_UNKNOWN;
      if (is_seq)
        {
          *value = start;
          *value_len = p - start;
          result = FIND_FOUND;
        }
      p = skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == '}')
        return result;
      return FIND_UNKNOWN;
    }
}

/* ---- judging a seq value ------------------------------------------------- */

static char *
shown_value (const char *value, gsize len)
{
  g_autofree char *valid = g_utf8_make_valid (value, MIN (len, SHOWN_VALUE_LENGTH));

  return len > SHOWN_VALUE_LENGTH ? g_strconcat (valid, "…", NULL) : g_steal_pointer (&valid);
}

/* Judges the text of a seq value (strict JSON). TRUE with @seq when it is
 * an integer literal from 0 to CO2S_SEQ_MAX; else FALSE with @reason and
 * @detail. */
static gboolean
judge_value_text (const char *value, gsize len, gint64 *seq, const char **reason, char **detail)
{
  g_autofree char *shown = shown_value (value, len);
  const char *p = value, *end = value + len;
  gboolean negative = FALSE;
  gsize n_digits = 0;
  guint64 v = 0;
  const char *what = NULL;

  switch (*value)
    {
    case '"': what = "a string"; break;
    case 't': case 'f': what = "a boolean"; break;
    case 'n': what = "null"; break;
    case '[': what = "an array"; break;
    case '{': what = "an object"; break;
    default: break;
    }
  if (what != NULL)
    {
      *reason = CO2S_SEQ_REASON_NOT_INTEGER;
      *detail = g_strdup_printf ("\"seq\" is %s (%s), not an integer", what, shown);
      return FALSE;
    }

  if (p < end && *p == '-')
    negative = TRUE, p++;
  for (; p < end && g_ascii_isdigit (*p); p++, n_digits++)
    if (n_digits < 17)
      v = v * 10 + (guint64) (*p - '0');
  if (n_digits == 0 || p != end)
    {
      *reason = CO2S_SEQ_REASON_NOT_INTEGER;
      *detail = g_strdup_printf ("\"seq\" is %s, not an integer literal", shown);
      return FALSE;
    }
  if (negative && v != 0)
    {
      *reason = CO2S_SEQ_REASON_NEGATIVE;
      *detail = g_strdup_printf ("\"seq\" is %s, below 0", shown);
      return FALSE;
    }
  if (n_digits > 16 || v > (guint64) CO2S_SEQ_MAX)
    {
      *reason = CO2S_SEQ_REASON_TOO_LARGE;
      *detail = g_strdup_printf ("\"seq\" is %s, above %" G_GINT64_FORMAT " (2^53 − 1), "
                                 "the greatest seq the producer publishes", shown, CO2S_SEQ_MAX);
      return FALSE;
    }
  *seq = (gint64) v;
  return TRUE;
}

/* The same through json-glib, for a line find_seq leaves aside. The line is
 * strict JSON: co2s_json_object_peek_seq refused any other (the producer
 * accepts what the record decoder accepts). -1 in @seq when the
 * member is absent. */
static gboolean
judge_with_json_glib (const char *line, gsize len, gint64 *seq, const char **reason, char **detail)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *node;
  GType type;
  g_autofree char *text = NULL;

  *seq = -1;
  /* The line passed co2s_json_object_peek_seq: an object, nesting bounded. */
  if (!json_parser_load_from_data (parser, line, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *reason = CO2S_SEQ_REASON_NOT_INTEGER;
      *detail = g_strdup ("\"seq\" cannot be read");
      return FALSE;
    }
  node = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "seq");
  if (node == NULL)
    return TRUE;

  text = json_to_string (node, FALSE);
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64)
    {
      g_autofree char *shown = shown_value (text, strlen (text));

      *reason = CO2S_SEQ_REASON_NOT_INTEGER;
      *detail = g_strdup_printf ("\"seq\" is %s, not an integer literal", shown);
      return FALSE;
    }
  /* json-glib wraps integer literals beyond gint64; the record decoder
   * shares that, so the value is judged as json-glib reads it. */
  return judge_value_text (text, strlen (text), seq, reason, detail);
}

/* ---- the rules ----------------------------------------------------------- */

void
co2s_seq_check_init (Co2sSeqCheck *check)
{
  g_return_if_fail (check != NULL);

  check->mode = CO2S_SEQ_MODE_UNDECIDED;
  check->last_seq = -1;
  check->max_jump = CO2S_SEQ_DEFAULT_MAX_JUMP;
}

/* Whether the line has a top-level "seq" and, when it is a valid one, its
 * value in @seq (else -1); FALSE only when @reason/@detail are set because
 * the seq is present and invalid. */
static gboolean
read_seq (const char *line, gsize len, gint64 peeked, gboolean strict,
          gboolean *present, gint64 *seq, const char **reason, char **detail)
{
  const char *value = NULL;
  gsize value_len = 0;

  *seq = -1;
  /* The fast decoder read it exactly (an integer literal of at most 18
   * digits): only the bound is left to check. */
  if (peeked >= 0 && strict)
    {
      char text[24];
      int n;

      *present = TRUE;
      if (peeked <= CO2S_SEQ_MAX)
        {
          *seq = peeked;
          return TRUE;
        }
      n = g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, peeked);
      return judge_value_text (text, (gsize) n, seq, reason, detail);
    }
  /* Without the three letters or an escape, no key can spell "seq". */
  if (peeked < 0 && strict && memchr (line, '\\', len) == NULL &&
      g_strstr_len (line, (gssize) len, "seq") == NULL)
    {
      *present = FALSE;
      return TRUE;
    }

  switch (find_seq (line, len, &value, &value_len))
    {
    case FIND_ABSENT:
      *present = FALSE;
      return TRUE;
    case FIND_FOUND:
      *present = TRUE;
      return judge_value_text (value, value_len, seq, reason, detail);
    case FIND_UNKNOWN:
    default:
      if (!judge_with_json_glib (line, len, seq, reason, detail))
        {
          *present = TRUE;
          return FALSE;
        }
      *present = *seq >= 0;
      return TRUE;
    }
}

Co2sSeqVerdict
co2s_seq_check_line (Co2sSeqCheck *check,
                     const char *line,
                     gsize len,
                     gint64 *seq,
                     const char **reason,
                     char **detail)
{
  g_autoptr(GError) error = NULL;
  guint64 fallbacks = co2s_record_json_fallback_count ();
  gint64 peeked = -1;
  gint64 value;
  gboolean present;
  gboolean strict;

  g_return_val_if_fail (check != NULL, CO2S_SEQ_REFUSE);
  g_return_val_if_fail (line != NULL || len == 0, CO2S_SEQ_REFUSE);
  g_return_val_if_fail (seq != NULL && reason != NULL && detail != NULL, CO2S_SEQ_REFUSE);

  *seq = -1;
  *reason = NULL;
  *detail = NULL;

  if (!co2s_json_object_peek_seq (line, len, &peeked, &error))
    {
      *reason = co2s_record_error_reason (error->code);
      *detail = g_strdup (error->message);
      return CO2S_SEQ_REFUSE;
    }
  /* The fast decoder handed nothing to json-glib: strict JSON. */
  strict = co2s_record_json_fallback_count () == fallbacks;

  if (!read_seq (line, len, peeked, strict, &present, &value, reason, detail))
    {
      g_assert (present);
      if (check->mode == CO2S_SEQ_MODE_UNDECIDED)
        check->mode = CO2S_SEQ_MODE_NUMBERED;
      if (check->mode == CO2S_SEQ_MODE_NUMBERED)
        return CO2S_SEQ_REFUSE;
      /* Unnumbered: the line is refused for carrying a seq at all. */
      g_clear_pointer (detail, g_free);
    }

  if (check->mode == CO2S_SEQ_MODE_UNDECIDED)
    check->mode = present ? CO2S_SEQ_MODE_NUMBERED : CO2S_SEQ_MODE_UNNUMBERED;

  if (check->mode == CO2S_SEQ_MODE_UNNUMBERED)
    {
      if (present)
        {
          *reason = CO2S_SEQ_REASON_UNEXPECTED;
          *detail = g_strdup ("\"seq\" in a stream whose first row had none (the producer numbers "
                              "its rows; restart it if the server now numbers them)");
          return CO2S_SEQ_REFUSE;
        }
      /* The producer's own numbering stops where a numbered stream's does. */
      if (check->last_seq >= CO2S_SEQ_MAX)
        {
          *reason = CO2S_SEQ_REASON_TOO_LARGE;
          *detail = g_strdup_printf ("the producer's numbering would go above %" G_GINT64_FORMAT
                                     " (2^53 − 1), the greatest seq it publishes", CO2S_SEQ_MAX);
          return CO2S_SEQ_REFUSE;
        }
      *seq = check->last_seq + 1;
      return CO2S_SEQ_PUBLISH;
    }

  if (!present)
    {
      *reason = CO2S_SEQ_REASON_MISSING;
      *detail = g_strdup ("no \"seq\" in a stream whose first row had one");
      return CO2S_SEQ_REFUSE;
    }
  *seq = value;
  if (value <= check->last_seq)
    return CO2S_SEQ_DUPLICATE;
  if (check->last_seq >= 0 && check->max_jump > 0 && value - check->last_seq > check->max_jump)
    {
      *reason = CO2S_SEQ_REASON_JUMP;
      *detail = g_strdup_printf ("\"seq\" %" G_GINT64_FORMAT " is %" G_GINT64_FORMAT " above the last "
                                 "published seq, more than --max-seq-jump %" G_GINT64_FORMAT,
                                 value, value - check->last_seq, check->max_jump);
      return CO2S_SEQ_REFUSE;
    }
  return CO2S_SEQ_PUBLISH;
}
