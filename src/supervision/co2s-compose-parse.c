/* co2s-compose-parse.c — reading what Docker prints: `docker compose ps
 * --format json`, `docker inspect`, error output; and the state a status row
 * shows for a container. Declared in co2s-compose.h. */
#define G_LOG_DOMAIN "co2s-compose"

#include "co2s-compose.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

void
co2s_compose_container_free (Co2sComposeContainer *container)
{
  if (container == NULL)
    return;
  g_free (container->service);
  g_free (container->state);
  g_free (container->health);
  g_free (container);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static int
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  return (int) json_node_get_int (node);
}

/* @name's integer value, or -1 when @object has no such number. */
static int
member_count (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return (int) CLAMP (json_node_get_int (node), 0, G_MAXINT);
}

static Co2sComposeContainer *
container_new (const char *service,
               const char *state,
               const char *health,
               int exit_code)
{
  Co2sComposeContainer *c = g_new0 (Co2sComposeContainer, 1);

  c->service = g_strdup (service);
  c->state = g_ascii_strdown (state, -1);
  c->health = health != NULL && health[0] != '\0' ? g_ascii_strdown (health, -1) : NULL;
  c->exit_code = exit_code;
  c->restart_count = -1;
  return c;
}

static gboolean
parse_ps_object (JsonNode *node,
                 GPtrArray *out,
                 GError **error)
{
  JsonObject *object;
  const char *service;
  const char *state;
  Co2sComposeContainer *c;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "docker compose ps: an entry is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (node);
  service = member_string (object, "Service");
  state = member_string (object, "State");
  if (service == NULL || state == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "docker compose ps: an entry lacks \"Service\" or \"State\"");
      return FALSE;
    }

  c = container_new (service, state, member_string (object, "Health"), member_int (object, "ExitCode"));
  c->restart_count = member_count (object, "RestartCount");
  if (c->restart_count < 0)
    c->restart_count = member_count (object, "Restarts");   /* podman ps */
  g_ptr_array_add (out, c);
  return TRUE;
}

static JsonNode *
parse_json (const char *text,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "docker: output is not JSON: %s", local_error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

GPtrArray *
co2s_compose_parse_ps (const char *text,
                       GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_compose_container_free);
  g_auto(GStrv) lines = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (p = text; g_ascii_isspace (*p); p++)
    ;

  if (*p == '[')
    {
      g_autoptr(JsonNode) root = parse_json (p, error);
      JsonArray *array;

      if (root == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_ARRAY (root))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "docker compose ps: expected a JSON array");
          return NULL;
        }
      array = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!parse_ps_object (json_array_get_element (array, i), out, error))
          return NULL;
      return g_steal_pointer (&out);
    }

  /* Compose ≥ 2.21: one object per line. */
  lines = g_strsplit (p, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      node = parse_json (lines[i], error);
      if (node == NULL || !parse_ps_object (node, out, error))
        return NULL;
    }

  return g_steal_pointer (&out);
}

GPtrArray *
co2s_compose_parse_inspect (const char *text,
                            GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) co2s_compose_container_free);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_json (text, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "docker inspect: expected a JSON array");
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *state = member_object (object, "State");
      JsonObject *labels = member_object (member_object (object, "Config"), "Labels");
      const char *service = member_string (labels, "com.docker.compose.service");
      const char *status = member_string (state, "Status");

      if (object == NULL || service == NULL || status == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "docker inspect: an entry lacks its compose service label or State.Status");
          return NULL;
        }
      Co2sComposeContainer *c = container_new (service, status,
                                               member_string (member_object (state, "Health"), "Status"),
                                               member_int (state, "ExitCode"));

      c->restart_count = member_count (object, "RestartCount");
      g_ptr_array_add (out, c);
    }

  return g_steal_pointer (&out);
}

Co2sServiceState
co2s_compose_container_state (const Co2sComposeContainer *c,
                              gboolean wanted,
                              char **message)
{
  Co2sServiceState state;
  char *text = NULL;

  if (c == NULL)
    {
      state = wanted ? CO2S_SERVICE_STATE_STARTING : CO2S_SERVICE_STATE_STOPPED;
      if (wanted)
        text = g_strdup (_("Waiting for the container"));
    }
  else if (g_str_equal (c->state, "running"))
    {
      if (g_strcmp0 (c->health, "unhealthy") == 0)
        {
          state = CO2S_SERVICE_STATE_UNHEALTHY;
          text = g_strdup (_("Its health check fails"));
        }
      else if (g_strcmp0 (c->health, "starting") == 0)
        {
          state = CO2S_SERVICE_STATE_STARTING;
          text = g_strdup (_("Waiting for its health check"));
        }
      else
        state = CO2S_SERVICE_STATE_RUNNING;
    }
  else if (g_str_equal (c->state, "restarting"))
    {
      state = CO2S_SERVICE_STATE_STARTING;
      text = g_strdup_printf (_("Docker is restarting it (exit code %d)"), c->exit_code);
    }
  else if (g_str_equal (c->state, "paused"))
    {
      state = CO2S_SERVICE_STATE_UNHEALTHY;
      text = g_strdup (_("Paused"));
    }
  else if (g_str_equal (c->state, "exited") || g_str_equal (c->state, "dead"))
    {
      state = wanted ? CO2S_SERVICE_STATE_FAILED : CO2S_SERVICE_STATE_STOPPED;
      if (wanted)
        text = g_strdup_printf (_("Exited with code %d"), c->exit_code);
    }
  else if (g_str_equal (c->state, "created"))
    {
      state = wanted ? CO2S_SERVICE_STATE_STARTING : CO2S_SERVICE_STATE_STOPPED;
    }
  else if (g_str_equal (c->state, "removing"))
    {
      state = CO2S_SERVICE_STATE_STOPPED;
    }
  else
    {
      state = CO2S_SERVICE_STATE_UNHEALTHY;
      text = g_strdup_printf (_("Unknown container state “%s”"), c->state);
    }

  if (message != NULL)
    *message = text;
  else
    g_free (text);
  return state;
}

char *
co2s_compose_summarize_error (const char *text)
{
  g_auto(GStrv) lines = NULL;
  const char *best = NULL;

  if (text == NULL)
    return g_strdup (_("no output"));

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (strstr (lines[i], "Cannot connect to the Docker daemon") != NULL)
        return g_strdup (lines[i]);
      if (lines[i][0] != '\0')
        best = lines[i];
    }

  return g_strdup (best != NULL ? best : _("no output"));
}

gboolean
co2s_compose_is_daemon_error (const char *text)
{
  static const char *signs[] = {
    "Cannot connect to the Docker daemon",      /* docker CLI, compose v2 */
    "Is the docker daemon running",
    "Error while fetching server API version",  /* docker-compose v1 (docker-py) */
  };

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (signs); i++)
    if (strstr (text, signs[i]) != NULL)
      return TRUE;
  return FALSE;
}
