/* co2s-json-reader.c — reading co2stream's own JSON documents. */
#define G_LOG_DOMAIN "co2s-json-reader"

#include "co2s-json-reader.h"
#include "co2s-json-strict.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

typedef enum {
  NUMBER_OK,
  NUMBER_WRONG_TYPE,
  NUMBER_NOT_FINITE,
} NumberResult;

/* ---- text ---------------------------------------------------------------- */

/* TRUE when the text has one line (trailing white space aside): positions
 * then need no line number. */
static gboolean
is_one_line (const char *data, gsize len)
{
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;
  return len == 0 || memchr (data, '\n', len) == NULL;
}

static char *
describe_position (const char *data, gsize len, guint64 line, guint64 column)
{
  if (line == 1 && is_one_line (data, len))
    return g_strdup_printf ("column %" G_GUINT64_FORMAT, column);
  return g_strdup_printf ("line %" G_GUINT64_FORMAT ", column %" G_GUINT64_FORMAT, line, column);
}

/* json-glib's parse errors read "<data>:LINE:COLUMN: Parse error: what";
 * this keeps "what" and says where in our words. Any other form is kept
 * whole. */
static void
set_not_json (GError **error, const char *data, gsize len, const char *message)
{
  static const char prefix[] = "<data>:";
  const char *p = message;
  char *end;
  guint64 line, column;

  if (g_str_has_prefix (p, prefix))
    {
      p += strlen (prefix);
      line = g_ascii_strtoull (p, &end, 10);
      if (end != p && *end == ':')
        {
          p = end + 1;
          column = g_ascii_strtoull (p, &end, 10);
          if (end != p && *end == ':')
            {
              g_autofree char *where = describe_position (data, len, line, column);

              p = end + 1;
              while (*p == ' ')
                p++;
              if (g_str_has_prefix (p, "Parse error: "))
                p += strlen ("Parse error: ");
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "not JSON at %s: %s", where, p);
              return;
            }
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not JSON: %s", message);
}

/* ---- members -------------------------------------------------------------- */

/* The member's name in its object: the last part of @path. */
static const char *
member_name (const char *path)
{
  const char *dot = strrchr (path, '.');

  return dot != NULL ? dot + 1 : path;
}

static GType
value_type (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
}

/* The member at @path in @object. FALSE with an error when it is missing
 * and required; TRUE with *@node NULL when it is absent or null and @flags
 * allow that. */
static gboolean
lookup (JsonObject *object, const char *path, Co2sJsonFlags flags, JsonNode **node, GError **error)
{
  *node = json_object_get_member (object, member_name (path));
  if (*node == NULL)
    return (flags & CO2S_JSON_OPTIONAL) ? TRUE : co2s_json_set_member_error (error, path, "is missing");
  if ((flags & CO2S_JSON_NULLABLE) && JSON_NODE_HOLDS_NULL (*node))
    *node = NULL;
  return TRUE;
}

static gboolean
wrong_type (GError **error, const char *path, Co2sJsonFlags flags, const char *expected)
{
  return co2s_json_set_member_error (error, path, "is not %s%s", expected,
                                     (flags & CO2S_JSON_NULLABLE) ? " or null" : "");
}

static NumberResult
read_number (JsonNode *node, double *out)
{
  GType type = value_type (node);
  double v;

  if (type == G_TYPE_INT64)
    v = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    v = json_node_get_double (node);
  else
    return NUMBER_WRONG_TYPE;
  if (!isfinite (v))
    return NUMBER_NOT_FINITE;
  *out = v;
  return NUMBER_OK;
}

static gboolean
number_error (GError **error, const char *path, Co2sJsonFlags flags, NumberResult result)
{
  g_assert (result != NUMBER_OK);

  if (result == NUMBER_NOT_FINITE)
    return co2s_json_set_member_error (error, path, "is not a finite number");
  return wrong_type (error, path, flags, "a number");
}

/* What a getter reads; its @out points to a gint64, double, gboolean,
 * const char *, JsonObject * or JsonArray * in that order. */
typedef enum {
  MEMBER_INT,
  MEMBER_NUMBER,
  MEMBER_BOOLEAN,
  MEMBER_STRING,
  MEMBER_OBJECT,
  MEMBER_ARRAY,
} MemberKind;

/* The getters' one lookup, type check and assign: the member at @path in
 * @object (lookup's rules for absent and null), checked to be of @kind and
 * stored in *@out (strings, objects and arrays belong to @object). FALSE
 * with an error when it is missing and required or of another type (for
 * MEMBER_NUMBER also when not finite); *@out is then untouched, as when the
 * member is absent or null and @flags allow it. @present (may be NULL) says
 * whether *@out was written. */
static gboolean
get_member (JsonObject   *object,
            const char   *path,
            Co2sJsonFlags flags,
            MemberKind    kind,
            gpointer      out,
            gboolean     *present,
            GError      **error)
{
  static const struct {
    GType value_type;      /* G_TYPE_INVALID: not a value (an object or array) */
    const char *expected;  /* for "is not …" */
  } kinds[] = {
    [MEMBER_INT] = { G_TYPE_INT64, "an integer" },
    [MEMBER_NUMBER] = { G_TYPE_INVALID, NULL },   /* read_number checks and names it */
    [MEMBER_BOOLEAN] = { G_TYPE_BOOLEAN, "true or false" },
    [MEMBER_STRING] = { G_TYPE_STRING, "a string" },
    [MEMBER_OBJECT] = { G_TYPE_INVALID, "an object" },
    [MEMBER_ARRAY] = { G_TYPE_INVALID, "an array" },
  };
  JsonNode *node;
  gboolean holds;

  g_assert ((guint) kind < G_N_ELEMENTS (kinds));

  if (present != NULL)
    *present = FALSE;
  if (!lookup (object, path, flags, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (kind == MEMBER_NUMBER)
    {
      NumberResult result = read_number (node, out);

      if (result != NUMBER_OK)
        return number_error (error, path, flags, result);
    }
  else
    {
      if (kind == MEMBER_OBJECT)
        holds = JSON_NODE_HOLDS_OBJECT (node);
      else if (kind == MEMBER_ARRAY)
        holds = JSON_NODE_HOLDS_ARRAY (node);
      else
        holds = value_type (node) == kinds[kind].value_type;
      if (!holds)
        return wrong_type (error, path, flags, kinds[kind].expected);
      switch (kind)
        {
        case MEMBER_INT:
          *(gint64 *) out = json_node_get_int (node);
          break;
        case MEMBER_BOOLEAN:
          *(gboolean *) out = json_node_get_boolean (node);
          break;
        case MEMBER_STRING:
          *(const char **) out = json_node_get_string (node);
          break;
        case MEMBER_OBJECT:
          *(JsonObject **) out = json_node_get_object (node);
          break;
        case MEMBER_ARRAY:
          *(JsonArray **) out = json_node_get_array (node);
          break;
        case MEMBER_NUMBER:
        default:
          g_assert_not_reached ();
        }
    }
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

static gboolean
node_to_double_array (JsonNode *node, const char *path, double *out, guint n, GError **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (error, path, CO2S_JSON_REQUIRED, "an array");
  array = json_node_get_array (node);
  if (!co2s_json_check_length (array, path, n, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      NumberResult result = read_number (json_array_get_element (array, i), &out[i]);

      if (result != NUMBER_OK)
        {
          g_autofree char *at = g_strdup_printf ("%s[%u]", path, i);

          return number_error (error, at, CO2S_JSON_REQUIRED, result);
        }
    }
  return TRUE;
}

/* ---- public API ----------------------------------------------------------- */

gboolean
co2s_json_check_depth (const char *data, gsize len, guint max_depth, GError **error)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean lenient = FALSE;
  guint depth = 0;
  guint64 line = 1;
  gsize line_start = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '\n')
        {
          line++;
          line_start = i + 1;
        }

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_autofree char *where = describe_position (data, len, line, i - line_start + 1);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "nested deeper than %u levels at %s", max_depth, where);
              return FALSE;
            }
        }
      else if (lenient)
        continue;   /* past a comment or a single quote: only openers count */
      else if (c == '"')
        in_string = TRUE;
      else if (c == '/' || c == '\'')
        lenient = TRUE;
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonObject *
co2s_json_parse_object (const char *data, gsize len, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  Co2sJsonKind kind = CO2S_JSON_KIND_NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > G_MAXSSIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "too long (%" G_GSIZE_FORMAT " bytes)", len);
      return NULL;
    }
  /* Strict JSON only (the records' rule): json-glib alone would take
   * comments, hex numbers, a second object after the first… */
  switch (co2s_json_check_strict (data, len, CO2S_JSON_DOCUMENT_MAX_DEPTH, &kind, &local_error))
    {
    case CO2S_JSON_VALID:
      break;
    case CO2S_JSON_INVALID:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not JSON: %s", local_error->message);
      return NULL;
    case CO2S_JSON_EMPTY:
    case CO2S_JSON_TOO_DEEP:
    default:
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (kind != CO2S_JSON_KIND_OBJECT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a JSON object (%s)", co2s_json_kind_name (kind));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, len > 0 ? data : "", (gssize) len, &local_error))
    {
      /* Strict JSON json-glib refuses: none is known. */
      set_not_json (error, data, len, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  g_assert (root != NULL && JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

gboolean
co2s_json_set_member_error (GError **error, const char *path, const char *format, ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "member \"%s\" %s", path, detail);
  return FALSE;
}

gboolean
co2s_json_get_int (JsonObject   *object,
                   const char   *path,
                   Co2sJsonFlags flags,
                   gint64        min,
                   gint64        max,
                   gint64       *out,
                   GError      **error)
{
  gboolean present;
  gint64 v;

  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (min <= max, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!get_member (object, path, flags, MEMBER_INT, &v, &present, error))
    return FALSE;
  if (!present)
    return TRUE;
  if (v < min)
    return co2s_json_set_member_error (error, path, "is %" G_GINT64_FORMAT ", below %" G_GINT64_FORMAT, v, min);
  if (v > max)
    return co2s_json_set_member_error (error, path, "is %" G_GINT64_FORMAT ", above %" G_GINT64_FORMAT, v, max);
  *out = v;
  return TRUE;
}

gboolean
co2s_json_get_count (JsonObject *object, const char *path, Co2sJsonFlags flags, guint64 *out, GError **error)
{
  gint64 v = -1;   /* stays -1 when absent or null */

  g_return_val_if_fail (out != NULL, FALSE);

  if (!co2s_json_get_int (object, path, flags, 0, G_MAXINT64, &v, error))
    return FALSE;
  if (v >= 0)
    *out = (guint64) v;
  return TRUE;
}

gboolean
co2s_json_get_double (JsonObject *object, const char *path, Co2sJsonFlags flags, double *out, GError **error)
{
  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_member (object, path, flags, MEMBER_NUMBER, out, NULL, error);
}

gboolean
co2s_json_get_boolean (JsonObject *object, const char *path, Co2sJsonFlags flags, gboolean *out, GError **error)
{
  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_member (object, path, flags, MEMBER_BOOLEAN, out, NULL, error);
}

gboolean
co2s_json_get_string (JsonObject *object, const char *path, Co2sJsonFlags flags, const char **out, GError **error)
{
  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_member (object, path, flags, MEMBER_STRING, out, NULL, error);
}

gboolean
co2s_json_get_object (JsonObject *object, const char *path, Co2sJsonFlags flags, JsonObject **out, GError **error)
{
  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_member (object, path, flags, MEMBER_OBJECT, out, NULL, error);
}

gboolean
co2s_json_get_array (JsonObject *object, const char *path, Co2sJsonFlags flags, JsonArray **out, GError **error)
{
  g_return_val_if_fail (object != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_member (object, path, flags, MEMBER_ARRAY, out, NULL, error);
}

gboolean
co2s_json_get_double_array (JsonObject *object, const char *path, double *out, guint n, GError **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && path != NULL && (out != NULL || n == 0), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lookup (object, path, CO2S_JSON_REQUIRED, &node, error))
    return FALSE;
  return node_to_double_array (node, path, out, n, error);
}

gboolean
co2s_json_get_double_matrix (JsonObject *object,
                             const char *path,
                             double     *out,
                             guint       rows,
                             guint       cols,
                             GError    **error)
{
  JsonArray *array;

  g_return_val_if_fail (out != NULL || rows == 0 || cols == 0, FALSE);

  if (!co2s_json_get_array (object, path, CO2S_JSON_REQUIRED, &array, error) ||
      !co2s_json_check_length (array, path, rows, error))
    return FALSE;
  for (guint i = 0; i < rows; i++)
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", path, i);

      if (!node_to_double_array (json_array_get_element (array, i), at, out + (gsize) i * cols, cols, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
co2s_json_check_length (JsonArray *array, const char *path, guint n, GError **error)
{
  guint length;

  g_return_val_if_fail (array != NULL && path != NULL, FALSE);

  length = json_array_get_length (array);
  if (length == n)
    return TRUE;
  return co2s_json_set_member_error (error, path, "must have %u element%s, not %u",
                                     n, n == 1 ? "" : "s", length);
}

gboolean
co2s_json_array_get_string (JsonArray *array, const char *path, guint index, const char **out, GError **error)
{
  JsonNode *node;

  g_return_val_if_fail (array != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (index < json_array_get_length (array), FALSE);

  node = json_array_get_element (array, index);
  if (value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", path, index);

      return wrong_type (error, at, CO2S_JSON_REQUIRED, "a string");
    }
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
co2s_json_array_get_object (JsonArray *array, const char *path, guint index, JsonObject **out, GError **error)
{
  JsonNode *node;

  g_return_val_if_fail (array != NULL && path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (index < json_array_get_length (array), FALSE);

  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", path, index);

      return wrong_type (error, at, CO2S_JSON_REQUIRED, "an object");
    }
  *out = json_node_get_object (node);
  return TRUE;
}
