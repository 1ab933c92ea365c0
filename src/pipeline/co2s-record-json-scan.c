/* co2s-record-json-scan.c — the fast record decoder's reader: strict
 * RFC 8259 JSON in one pass, no allocation, no recursion.
 *
 * It only has to be right on strict JSON: whatever lies outside (or is a
 * corner json-glib treats specially) it reports as SCAN_FALLBACK, and
 * co2s-record-json.c asks the strict check (co2s-json-strict.c), which
 * refuses non-strict input with its own message or lets json-glib read a
 * corner. Its header comment lists the json-glib behaviours this file
 * reproduces or steps around: integer literals vs other numbers, "\u0000"
 * in keys, nesting. It must never return SCAN_OK on input the strict check
 * refuses: the tests compare both decoders on every input they try. */
#define G_LOG_DOMAIN "co2s-record-json"

#include "co2s-record-json.h"
#include "co2s-record-json-private.h"

#include <string.h>

typedef const guchar *Ptr;

static inline gboolean
is_ws (guchar c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline Ptr
skip_ws (Ptr p, Ptr end)
{
  while (p < end && *p <= ' ' && is_ws (*p))
    p++;
  return p;
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

int
_co2s_json_read_hex4 (Ptr p, Ptr end)
{
  int v = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);
      if (h < 0)
        return -1;
      v = v << 4 | h;
    }
  return v;
}

/* One UTF-8 sequence starting at the non-ASCII byte *p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). NULL if invalid. */
Ptr
_co2s_json_skip_utf8 (Ptr p, Ptr end)
{
  guchar c = p[0];
  guchar lo = 0x80, hi = 0xBF;
  int n;

  if (c >= 0xC2 && c <= 0xDF)
    n = 1;
  else if (c >= 0xE0 && c <= 0xEF)
    {
      n = 2;
      if (c == 0xE0)
        lo = 0xA0;
      else if (c == 0xED)
        hi = 0x9F;
    }
  else if (c >= 0xF0 && c <= 0xF4)
    {
      n = 3;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F;
    }
  else
    return NULL;
  if (end - p <= n || p[1] < lo || p[1] > hi)
    return NULL;
  for (int i = 2; i <= n; i++)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return NULL;
  return p + n + 1;
}

static int
lookup_key (const char *name, gsize len)
{
  const KeyInfo *k = _co2s_record_json_keys ();

  for (int i = 0; i < N_KEYS; i++)
    if (k[i].len == len && memcmp (k[i].name, name, len) == 0)
      return i;
  return -1;
}

/* A string body after its opening quote; returns the byte after the closing
 * quote or NULL to fall back. With @key, also names the key (index or -1):
 * only ASCII keys of up to 31 bytes can be ours. */
static Ptr
scan_string (Ptr p, Ptr end, int *key)
{
  char buf[32];
  gsize n = 0;
  gboolean ours = TRUE;

  while (p < end)
    {
      guchar c = *p;
      int cp;

      if (c == '"')
        {
          if (key != NULL)
            *key = ours ? lookup_key (buf, n) : -1;
          return p + 1;
        }
      if (c < 0x20)
        return NULL;
      if (c >= 0x80)
        {
          if ((p = _co2s_json_skip_utf8 (p, end)) == NULL)
            return NULL;
          ours = FALSE;
          continue;
        }
      if (c != '\\')
        {
          p++;
          goto append;
        }
      if (end - p < 2)
        return NULL;
      switch (p[1])
        {
        case '"': case '\\': case '/': c = p[1]; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u':
          cp = _co2s_json_read_hex4 (p + 2, end);
          if (cp < 0 || (cp == 0 && key != NULL))
            return NULL;   /* "\u0000" truncates a json-glib key */
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            return NULL;
          if (cp >= 0xD800 && cp <= 0xDBFF)
            {
              int low;

              if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
                return NULL;
              low = _co2s_json_read_hex4 (p + 8, end);
              if (low < 0xDC00 || low > 0xDFFF)
                return NULL;
              p += 6;
            }
          p += 6;
          if (cp >= 0x80)
            {
              ours = FALSE;
              continue;
            }
          c = (guchar) cp;
          goto append;
        default:
          return NULL;
        }
      p += 2;
    append:
      if (key == NULL)
        continue;
      if (n < sizeof buf - 1)
        buf[n++] = (char) c;
      else
        ours = FALSE;
    }
  return NULL;
}

/* A number; NULL to fall back. Fills @slot (may be NULL to only skip).
 *
 * One pass: the digits are accumulated into the significand m as they are
 * checked. n_sig counts the significant digits (those from the first
 * non-zero one on); m holds them exactly while n_sig <= 19 (10^19 < 2^64),
 * and later digits only make n_sig larger, which sends the number to
 * g_ascii_strtod anyway. */
G_ALWAYS_INLINE static inline Ptr
scan_number (Ptr p, Ptr end, Co2sJsonFieldSlot *slot)
{
  static const double p10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  Ptr start = p, int_start;
  gboolean negative = FALSE, is_integer = TRUE;
  guint64 m = 0;
  gsize n_sig = 0;   /* a count of bytes: cannot overflow */
  int exp10 = 0;
  double d;

  if (*p == '-')
    negative = TRUE, p++;
  int_start = p;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    do
      {
        if (++n_sig <= 19)
          m = m * 10 + (guint64) (*p - '0');
        p++;
      }
    while (p < end && *p >= '0' && *p <= '9');
  else
    return NULL;
  if (p < end && *p == '.')
    {
      Ptr frac_start = ++p;

      is_integer = FALSE;
      while (p < end && *p >= '0' && *p <= '9')
        {
          /* Zeros before the first non-zero digit (m == 0) are not significant. */
          if ((m != 0 || *p != '0') && ++n_sig <= 19)
            m = m * 10 + (guint64) (*p - '0');
          p++;
        }
      if (p == frac_start)
        return NULL;
      exp10 = -(int) MIN (p - frac_start, G_MAXINT / 2);
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean exp_negative = FALSE;
      Ptr exp_start;
      int e = 0;

      is_integer = FALSE;
      if (++p < end && (*p == '+' || *p == '-'))
        exp_negative = (*p++ == '-');
      exp_start = p;
      while (p < end && *p >= '0' && *p <= '9')
        {
          if (e < 100000)
            e = e * 10 + (*p - '0');
          p++;
        }
      if (p == exp_start)
        return NULL;
      exp10 += exp_negative ? -e : e;
    }
  if (slot == NULL)
    return p;

  if (is_integer)
    {
      /* An integer literal: json-glib's strtoull semantics need more care
       * past 18 digits, so leave those to it. "-0" is +0 (strtoull, then
       * negated as an integer). */
      if (p - int_start > 18)
        return NULL;
      slot->kind = SLOT_INT;
      slot->i = negative ? -(gint64) m : (gint64) m;
      slot->d = (double) slot->i;
      return p;
    }

  /* Exact (Clinger's fast path) when m is a double without rounding
   * (m <= 2^53, all its digits held: n_sig <= 19) and so is the power of
   * ten (<= 10^22): one correctly rounded multiplication or division. */
  if (n_sig == 0)
    d = 0.0;
  else if (n_sig <= 19 && m <= (G_GUINT64_CONSTANT (1) << 53) && exp10 >= -22 && exp10 <= 22)
    d = exp10 >= 0 ? (double) m * p10[exp10] : (double) m / p10[-exp10];
  else
    {
      char buf[128];

      if ((gsize) (p - start) >= sizeof buf)
        return NULL;
      memcpy (buf, start, p - start);
      buf[p - start] = '\0';
      slot->kind = SLOT_DOUBLE;
      slot->d = g_ascii_strtod (buf, NULL);
      return p;
    }
  slot->kind = SLOT_DOUBLE;
  slot->d = negative ? -d : d;
  return p;
}

/* A scalar value (not an object or array); NULL to fall back. Inlined
 * (with scan_number) into the record loop: the call and its register saves
 * cost about as much as reading a short number. */
G_ALWAYS_INLINE static inline Ptr
scan_scalar (Ptr p, Ptr end, Co2sJsonFieldSlot *slot)
{
  Co2sJsonFieldSlot ignored;

  if (slot == NULL)
    slot = &ignored;
  switch (*p)
    {
    case '"':
      slot->kind = SLOT_STRING;
      return scan_string (p + 1, end, NULL);
    case 't':
      if (end - p < 4 || memcmp (p, "true", 4) != 0)
        return NULL;
      slot->kind = SLOT_BOOL, slot->i = 1, slot->d = 1.0;
      return p + 4;
    case 'f':
      if (end - p < 5 || memcmp (p, "false", 5) != 0)
        return NULL;
      slot->kind = SLOT_BOOL, slot->i = 0, slot->d = 0.0;
      return p + 5;
    case 'n':
      if (end - p < 4 || memcmp (p, "null", 4) != 0)
        return NULL;
      slot->kind = SLOT_NULL;
      return p + 4;
    default:
      return scan_number (p, end, slot == &ignored ? NULL : slot);
    }
}

/* Skips the object or array at *pp, whose parent is at @depth, without
 * recursion: a bit per level says whether it is an object. */
static ScanResult
skip_container (Ptr *pp, Ptr end, guint depth)
{
  guint64 is_object[CO2S_JSON_MAX_DEPTH / 64 + 1];
  guint level = 0;
  Ptr p = *pp;
  gboolean object;

open:
  if (depth + level + 1 > CO2S_JSON_MAX_DEPTH)
    return SCAN_TOO_DEEP;
  object = (*p == '{');
  if (object)
    is_object[level / 64] |= G_GUINT64_CONSTANT (1) << (level % 64);
  else
    is_object[level / 64] &= ~(G_GUINT64_CONSTANT (1) << (level % 64));
  level++;
  p = skip_ws (p + 1, end);
  if (p < end && *p == (object ? '}' : ']'))
    {
      p++;
      goto close;
    }
member:
  if (p == end)
    return SCAN_FALLBACK;
  if (object)
    {
      if (*p != '"' || (p = scan_string (p + 1, end, NULL)) == NULL)
        return SCAN_FALLBACK;
      p = skip_ws (p, end);
      if (p == end || *p != ':')
        return SCAN_FALLBACK;
      p = skip_ws (p + 1, end);
      if (p == end)
        return SCAN_FALLBACK;
    }
  if (*p == '{' || *p == '[')
    goto open;
  if ((p = scan_scalar (p, end, NULL)) == NULL)
    return SCAN_FALLBACK;
after_value:
  p = skip_ws (p, end);
  if (p == end)
    return SCAN_FALLBACK;
  if (*p == ',')
    {
      p = skip_ws (p + 1, end);
      goto member;
    }
  if (*p != (object ? '}' : ']'))
    return SCAN_FALLBACK;
  p++;
close:
  if (--level == 0)
    {
      *pp = p;
      return SCAN_OK;
    }
  object = (is_object[(level - 1) / 64] >> ((level - 1) % 64)) & 1;
  goto after_value;
}

/* Whether the bytes at @p are @info's name followed by '"' and ':' (the
 * way producers write keys), without a call to memcmp: a word at a time
 * when the input has n_words * 8 bytes left, else byte by byte. The
 * answer is only a shortcut: FALSE sends the key to scan_string. */
static inline gboolean
key_is (const KeyInfo *info, Ptr p, Ptr end)
{
  guint64 diff = 0;

  if ((gsize) (end - p) < info->n_words * 8)
    return (gsize) (end - p) >= info->len + 2 &&
           memcmp (p, info->prefix + 2, info->len + 2) == 0;
  for (guint w = 0; w < info->n_words; w++)
    {
      guint64 x;

      memcpy (&x, p + w * 8, 8);
      diff |= (x ^ info->words[w]) & info->masks[w];
    }
  return diff == 0;
}

ScanResult
_co2s_record_json_scan (const char *data, gsize len, Co2sJsonFieldSlot slots[N_KEYS])
{
  const KeyInfo *k = _co2s_record_json_keys ();
  Ptr p = (Ptr) data, end = p + len;
  int want = 0;   /* the key we expect next: producers write them in order */

  for (int i = 0; i < N_KEYS; i++)
    slots[i].kind = SLOT_ABSENT;

  p = skip_ws (p, end);
  if (p == end || *p != '{')
    return SCAN_FALLBACK;
  p = skip_ws (p + 1, end);
  if (p < end && *p == '}')
    p++;
  else
    for (;;)
      {
        Co2sJsonFieldSlot *slot;
        int key;

        if (p == end || *p != '"')
          return SCAN_FALLBACK;
        p++;
        if (want < N_KEYS && key_is (&k[want], p, end))
          {
            key = want;
            p += k[want].len + 2;
          }
        else
          {
            if ((p = scan_string (p, end, &key)) == NULL)
              return SCAN_FALLBACK;
            p = skip_ws (p, end);
            if (p == end || *p != ':')
              return SCAN_FALLBACK;
            p++;
          }
        p = skip_ws (p, end);
        if (p == end)
          return SCAN_FALLBACK;

        slot = key >= 0 ? &slots[key] : NULL;
        if (key >= 0)
          want = key + 1;
        if (*p == '{' || *p == '[')
          {
            ScanResult r;

            if (slot != NULL)
              slot->kind = (*p == '{') ? SLOT_OBJECT : SLOT_ARRAY;
            if ((r = skip_container (&p, end, 1)) != SCAN_OK)
              return r;
          }
        else if ((p = scan_scalar (p, end, slot)) == NULL)
          return SCAN_FALLBACK;

        /* Producers write ,"next": without spaces: straight to the key. */
        if (end - p >= 2 && p[0] == ',' && p[1] == '"')
          {
            p++;
            continue;
          }
        p = skip_ws (p, end);
        if (p == end)
          return SCAN_FALLBACK;
        if (*p == '}')
          {
            p++;
            break;
          }
        if (*p != ',')
          return SCAN_FALLBACK;
        p = skip_ws (p + 1, end);
      }
  return skip_ws (p, end) == end ? SCAN_OK : SCAN_FALLBACK;
}
