/* co2s-broker-properties.c — the existing Kafka's properties as editable
 * text (see co2s-broker-properties.h). */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-broker-properties.h"

#include <string.h>

#include <glib/gi18n.h>

gboolean
co2s_broker_property_is_secret (const char *key)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (key != NULL, FALSE);

  lower = g_ascii_strdown (key, -1);
  return strstr (lower, "password") != NULL || strstr (lower, "secret") != NULL;
}

/* The key of "KEY=VALUE" (stripped), or NULL when @line is not one. */
static char *
dup_key (const char *line)
{
  const char *eq = strchr (line, '=');
  g_autofree char *key = NULL;

  if (eq == NULL)
    return NULL;
  key = g_strstrip (g_strndup (line, eq - line));
  if (key[0] == '\0')
    return NULL;
  return g_steal_pointer (&key);
}

char *
co2s_broker_properties_to_text (const char * const *properties,
                                gboolean mask)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; properties != NULL && properties[i] != NULL; i++)
    {
      g_autofree char *key = properties[i][0] != '#' ? dup_key (properties[i]) : NULL;
      const char *value = key != NULL ? strchr (properties[i], '=') + 1 : NULL;

      if (mask && key != NULL && co2s_broker_property_is_secret (key) && value[0] != '\0')
        g_string_append_printf (text, "%s=%s\n", key, CO2S_BROKER_PROPERTIES_MASK);
      else
        g_string_append_printf (text, "%s\n", properties[i]);
    }

  return g_string_free (text, FALSE);
}

/* The first property of @previous whose key is @key, or NULL. */
static const char *
find_previous (const char * const *previous,
               const char *key)
{
  for (guint i = 0; previous != NULL && previous[i] != NULL; i++)
    {
      g_autofree char *other = previous[i][0] != '#' ? dup_key (previous[i]) : NULL;

      if (g_strcmp0 (other, key) == 0)
        return previous[i];
    }
  return NULL;
}

char **
co2s_broker_properties_from_text (const char *text,
                                  const char * const *previous,
                                  char **problem)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (problem == NULL || *problem == NULL, NULL);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_autofree char *key = NULL;
      const char *value;
      const char *kept;

      if (line[0] == '\0')
        continue;
      if (line[0] == '#')
        {
          g_strv_builder_add (builder, line);
          continue;
        }

      key = dup_key (line);
      if (key == NULL)
        {
          if (problem != NULL && *problem == NULL)
            /* Translators: %u is a line number, %s the line as typed */
            *problem = g_strdup_printf (_("Line %u, “%s”, is not KEY=VALUE: it is not saved."), i + 1, line);
          continue;
        }

      value = g_strstrip (strchr (line, '=') + 1);
      if (co2s_broker_property_is_secret (key) && g_str_equal (value, CO2S_BROKER_PROPERTIES_MASK) &&
          (kept = find_previous (previous, key)) != NULL)
        g_strv_builder_add (builder, kept);
      else
        {
          g_autofree char *property = g_strdup_printf ("%s=%s", key, value);

          g_strv_builder_add (builder, property);
        }
    }

  return g_strv_builder_end (builder);
}
