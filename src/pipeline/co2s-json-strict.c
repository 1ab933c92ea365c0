/* co2s-json-strict.c — the strict RFC 8259 check that runs before json-glib.
 *
 * One pass, no recursion (a bit per level says whether it is an object),
 * no allocation until an error is set. Where json-glib has an extension,
 * the message names it ("hexadecimal number", "comment", "a second JSON
 * value after the first"), so that a data engineer can see at once why a
 * line that "looks fine" was refused. */
#define G_LOG_DOMAIN "co2s-json-strict"

#include "co2s-json-strict.h"
#include "co2s-record-json-private.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <string.h>

typedef const guchar *Ptr;

typedef struct {
  Ptr start, end;
  Ptr where;          /* the problem */
  const char *what;   /* static text, or buf */
  char buf[112];
  Ptr key, key_end;   /* the top-level member being read: its key as written */
} Check;

#define MAX_KEY_SHOWN 40

static inline gboolean
is_ws (guchar c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

static inline Ptr
skip_ws (Ptr p, Ptr end)
{
  while (p < end && is_ws (*p))
    p++;
  return p;
}

/* ---- problems ------------------------------------------------------------ */

/* Always NULL, for "return fail (…)". */
static Ptr
fail (Check *c, Ptr where, const char *what)
{
  c->where = where;
  c->what = what;
  return NULL;
}

static Ptr fail_printf (Check *c, Ptr where, const char *format, ...) G_GNUC_PRINTF (3, 4);

static Ptr
fail_printf (Check *c, Ptr where, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_vsnprintf (c->buf, sizeof c->buf, format, args);
  va_end (args);
  return fail (c, where, c->buf);
}

/* The byte at @p for a message: "'x'", "byte 0xFF", "the end of the input". */
static const char *
describe (char out[24], Ptr p, Ptr end)
{
  if (p >= end)
    return "the end of the input";
  if (*p > 0x20 && *p < 0x7F)
    g_snprintf (out, 24, "'%c'", *p);
  else
    g_snprintf (out, 24, "byte 0x%02X", *p);
  return out;
}

static gboolean
starts_with_ci (Ptr p, Ptr end, const char *word)
{
  gsize n = strlen (word);

  return (gsize) (end - p) >= n && g_ascii_strncasecmp ((const char *) p, word, n) == 0;
}

/* NaN, Infinity, inf… at @p (after any '-'). */
static gboolean
is_nan_or_infinity (Ptr p, Ptr end)
{
  return starts_with_ci (p, end, "nan") || starts_with_ci (p, end, "inf");
}

static const char nan_or_infinity[] = "NaN or Infinity (JSON numbers are finite)";

/* ---- tokens -------------------------------------------------------------- */

/* The string whose opening quote is at @p; returns the byte after its
 * closing quote, or NULL with the problem noted. */
static Ptr
check_string (Check *c, Ptr p)
{
  Ptr open = p++, end = c->end;
  char shown[24];

  while (p < end)
    {
      guchar ch = *p;
      int cp, low;

      if (ch == '"')
        return p + 1;
      if (ch < 0x20)
        return fail_printf (c, p, "unescaped control character U+%04X in a string", ch);
      if (ch >= 0x80)
        {
          Ptr next = _co2s_json_skip_utf8 (p, end);

          if (next == NULL)
            return fail (c, p, "invalid UTF-8 in a string");
          p = next;
          continue;
        }
      if (ch != '\\')
        {
          p++;
          continue;
        }
      if (end - p < 2)
        break;
      switch (p[1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          p += 2;
          continue;
        case 'u':
          cp = _co2s_json_read_hex4 (p + 2, end);
          if (cp < 0)
            return fail (c, p, "\\u not followed by four hex digits in a string");
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail_printf (c, p, "unpaired surrogate \\u%04X in a string", cp);
          if (cp >= 0xD800 && cp <= 0xDBFF)
            {
              low = (end - p >= 12 && p[6] == '\\' && p[7] == 'u') ? _co2s_json_read_hex4 (p + 8, end) : -1;
              if (low < 0xDC00 || low > 0xDFFF)
                return fail_printf (c, p, "unpaired surrogate \\u%04X in a string", cp);
              p += 6;
            }
          p += 6;
          continue;
        default:
          if (p[1] > 0x20 && p[1] < 0x7F)
            return fail_printf (c, p, "invalid escape \\%c in a string", p[1]);
          return fail_printf (c, p, "invalid escape (\\ before %s) in a string", describe (shown, p + 1, end));
        }
    }
  return fail (c, open, "unterminated string (no closing '\"')");
}

/* The number starting at @p ('-' or a digit). */
static Ptr
check_number (Check *c, Ptr p)
{
  Ptr start = p, end = c->end;
  char shown[24];

  if (*p == '-')
    {
      p++;
      if (p < end && is_nan_or_infinity (p, end))
        return fail (c, start, nan_or_infinity);
      if (p == end || !is_digit (*p))
        return fail (c, start, "'-' not followed by a digit");
    }
  if (*p == '0')
    {
      p++;
      if (p < end && (*p == 'x' || *p == 'X'))
        return fail (c, start, "hexadecimal number (JSON numbers are decimal)");
      if (p < end && is_digit (*p))
        return fail (c, start, "leading zero in a number");
    }
  else
    while (p < end && is_digit (*p))
      p++;
  if (p < end && *p == '.')
    {
      p++;
      if (p == end || !is_digit (*p))
        return fail (c, p - 1, "no digit after the decimal point");
      while (p < end && is_digit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      Ptr e = p++;

      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !is_digit (*p))
        return fail (c, e, "no digit in the exponent");
      while (p < end && is_digit (*p))
        p++;
    }
  if (p < end && (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '+' || *p == '-'))
    return fail_printf (c, p, "unexpected %s in a number", describe (shown, p, end));
  return p;
}

/* true, false or null at @p (which starts with t, f or n). */
static Ptr
check_literal (Check *c, Ptr p)
{
  const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
  gsize n = strlen (word);
  Ptr after = p + n;

  if ((gsize) (c->end - p) >= n && memcmp (p, word, n) == 0 &&
      (after == c->end || !(g_ascii_isalnum (*after) || *after == '_')))
    return after;
  if (is_nan_or_infinity (p, c->end))
    return fail (c, p, nan_or_infinity);
  return fail (c, p, "invalid literal (true, false or null expected)");
}

/* What stands where a value should be, and is not the start of one. */
static Ptr
value_problem (Check *c, Ptr p, Ptr comma)
{
  char shown[24];

  if (p == c->end)
    return fail (c, p, "unexpected end of the input where a value should be");
  if (*p == ']' && comma != NULL)
    return fail (c, comma, "trailing comma before ']'");
  if (*p == '\'')
    return fail (c, p, "single-quoted string (JSON strings use double quotes)");
  if (*p == '/')
    return fail (c, p, "comment (JSON has no comments)");
  if (*p == '+')
    return fail (c, p, "'+' before a number (JSON numbers have no plus sign)");
  if (*p == '.')
    return fail (c, p, "number starting with '.' (a digit must come first)");
  if (is_nan_or_infinity (p, c->end))
    return fail (c, p, nan_or_infinity);
  if (p == c->start && c->end - p >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    return fail (c, p, "byte order mark (BOM) before the JSON text");
  return fail_printf (c, p, "unexpected %s where a value should be", describe (shown, p, c->end));
}

/* What stands where an object's key should be, and is not a string. */
static Ptr
key_problem (Check *c, Ptr p, Ptr comma)
{
  char shown[24];

  if (p == c->end)
    return fail (c, p, "unexpected end of the input where a key should be");
  if (*p == '}' && comma != NULL)
    return fail (c, comma, "trailing comma before '}'");
  if (*p == '\'')
    return fail (c, p, "single-quoted key (JSON keys are double-quoted strings)");
  if (*p == '/')
    return fail (c, p, "comment (JSON has no comments)");
  if (g_ascii_isalpha (*p) || *p == '_' || *p == '$')
    return fail (c, p, "unquoted key (JSON keys are double-quoted strings)");
  return fail_printf (c, p, "unexpected %s where a key should be", describe (shown, p, c->end));
}

/* What follows the top-level value. */
static Ptr
trailing_problem (Check *c, Ptr p)
{
  char shown[24];

  if (*p == '{' || *p == '[' || *p == '"' || *p == '-' || is_digit (*p) ||
      *p == 't' || *p == 'f' || *p == 'n')
    return fail (c, p, "a second JSON value after the first (one value per text)");
  if (*p == '/')
    return fail (c, p, "comment (JSON has no comments)");
  return fail_printf (c, p, "unexpected %s after the JSON value", describe (shown, p, c->end));
}

/* ---- the message --------------------------------------------------------- */

static void
set_problem (const Check *c, GError **error)
{
  g_autoptr(GString) message = NULL;
  Ptr last = c->end;

  if (error == NULL)
    return;
  message = g_string_new (c->what);
  g_string_append_printf (message, " at byte offset %" G_GSIZE_FORMAT, (gsize) (c->where - c->start));

  /* Several lines (trailing white space aside): say which and where. */
  while (last > c->start && is_ws (last[-1]))
    last--;
  if (memchr (c->start, '\n', last - c->start) != NULL)
    {
      guint64 line = 1;
      Ptr line_start = c->start;

      for (Ptr q = c->start; q < c->where; q++)
        if (*q == '\n')
          line++, line_start = q + 1;
      g_string_append_printf (message, " (line %" G_GUINT64_FORMAT ", column %" G_GSIZE_FORMAT ")",
                              line, (gsize) (c->where - line_start) + 1);
    }

  if (c->key != NULL)
    {
      gsize n = c->key_end - c->key;
      gboolean cut = n > MAX_KEY_SHOWN;

      if (cut)
        {
          n = MAX_KEY_SHOWN;
          while (n > 0 && (c->key[n] & 0xC0) == 0x80)   /* whole UTF-8 characters */
            n--;
        }
      g_string_append (message, ", in \"");
      g_string_append_len (message, (const char *) c->key, n);
      g_string_append (message, cut ? "…\"" : "\"");
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message->str);
}

/* ---- public API ---------------------------------------------------------- */

const char *
co2s_json_kind_name (Co2sJsonKind kind)
{
  switch (kind)
    {
    case CO2S_JSON_KIND_OBJECT:  return "an object";
    case CO2S_JSON_KIND_ARRAY:   return "an array";
    case CO2S_JSON_KIND_STRING:  return "a string";
    case CO2S_JSON_KIND_BOOLEAN: return "a boolean";
    case CO2S_JSON_KIND_NULL:    return "null";
    case CO2S_JSON_KIND_NUMBER:
    default:                     return "a number";
    }
}

Co2sJsonVerdict
co2s_json_check_strict (const char *data, gsize len, guint max_depth, Co2sJsonKind *kind, GError **error)
{
  guint64 is_object[CO2S_JSON_STRICT_MAX_DEPTH / 64];
  Check c;
  Ptr p, first, comma = NULL;
  guint depth = 0;
  gboolean object = FALSE;   /* the innermost open container is an object */
  Co2sJsonVerdict verdict = CO2S_JSON_INVALID;

  g_return_val_if_fail (data != NULL || len == 0, CO2S_JSON_INVALID);
  g_return_val_if_fail (max_depth <= CO2S_JSON_STRICT_MAX_DEPTH, CO2S_JSON_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, CO2S_JSON_INVALID);

  c.start = (Ptr) (data != NULL ? data : "");
  c.end = c.start + len;
  c.key = c.key_end = NULL;
  c.where = c.start;
  c.what = "";

  first = p = skip_ws (c.start, c.end);
  if (p == c.end)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "empty (no JSON value)");
      return CO2S_JSON_EMPTY;
    }

value:
  if (p == c.end)
    {
      value_problem (&c, p, comma);
      goto out;
    }
  switch (*p)
    {
    case '{':
    case '[':
      if (depth >= max_depth)
        {
          verdict = CO2S_JSON_TOO_DEEP;
          fail_printf (&c, p, "nested deeper than %u levels", max_depth);
          goto out;
        }
      object = (*p == '{');
      if (object)
        is_object[depth / 64] |= G_GUINT64_CONSTANT (1) << (depth % 64);
      else
        is_object[depth / 64] &= ~(G_GUINT64_CONSTANT (1) << (depth % 64));
      depth++;
      comma = NULL;
      p = skip_ws (p + 1, c.end);
      if (p < c.end && *p == (object ? '}' : ']'))
        {
          p++;
          goto closed;
        }
      if (object)
        goto key;
      goto value;
    case '"':
      p = check_string (&c, p);
      break;
    case 't':
    case 'f':
    case 'n':
      p = check_literal (&c, p);
      break;
    default:
      if (*p == '-' || is_digit (*p))
        p = check_number (&c, p);
      else
        p = value_problem (&c, p, comma);
      break;
    }
  if (p == NULL)
    goto out;

after_value:
  p = skip_ws (p, c.end);
  if (depth == 0)
    {
      if (p == c.end)
        {
          if (kind != NULL)
            *kind = *first == '{' ? CO2S_JSON_KIND_OBJECT
                  : *first == '[' ? CO2S_JSON_KIND_ARRAY
                  : *first == '"' ? CO2S_JSON_KIND_STRING
                  : *first == 'n' ? CO2S_JSON_KIND_NULL
                  : (*first == 't' || *first == 'f') ? CO2S_JSON_KIND_BOOLEAN
                  : CO2S_JSON_KIND_NUMBER;
          return CO2S_JSON_VALID;
        }
      trailing_problem (&c, p);
      goto out;
    }
  if (p == c.end)
    {
      fail (&c, p, object ? "unexpected end of the input in an object ('}' missing)"
                          : "unexpected end of the input in an array (']' missing)");
      goto out;
    }
  if (*p == ',')
    {
      comma = p;
      if (depth == 1)
        c.key = NULL;
      p = skip_ws (p + 1, c.end);
      if (object)
        goto key;
      goto value;
    }
  if (*p == (object ? '}' : ']'))
    {
      p++;
      goto closed;
    }
  if (*p == '/')
    {
      fail (&c, p, "comment (JSON has no comments)");
      goto out;
    }
  {
    char shown[24];

    fail_printf (&c, p, "unexpected %s after %s (',' or '%c' expected)", describe (shown, p, c.end),
                 object ? "a member" : "an element", object ? '}' : ']');
  }
  goto out;

closed:
  depth--;
  if (depth == 0)
    c.key = NULL;
  else
    object = (is_object[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
  goto after_value;

key:
  {
    Ptr q;

    if (p == c.end || *p != '"')
      {
        key_problem (&c, p, comma);
        goto out;
      }
    if ((q = check_string (&c, p)) == NULL)
      goto out;
    if (depth == 1)
      {
        c.key = p + 1;
        c.key_end = q - 1;
      }
    comma = NULL;
    p = skip_ws (q, c.end);
    if (p == c.end || *p != ':')
      {
        char shown[24];

        fail_printf (&c, p, "':' expected after a key, not %s", describe (shown, p, c.end));
        goto out;
      }
    p = skip_ws (p + 1, c.end);
    goto value;
  }

out:
  set_problem (&c, error);
  return verdict;
}
