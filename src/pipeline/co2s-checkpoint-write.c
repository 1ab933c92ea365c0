/* co2s-checkpoint-write.c — writing a model file's JSON:
 * co2s_checkpoint_to_json (the members in co2s-checkpoint.h's order: the
 * champion's model, its drift and conformal state, the Kafka offsets and
 * last records, latency_us, and with several models "champion" and
 * "models" with each one's champion window) and the params_sha256 of the
 * models' members. Its own pretty-printer, in json-glib's layout, writes
 * every double in the shortest form that reads back bit for bit. */
#define G_LOG_DOMAIN "co2s-checkpoint"

#include "co2s-checkpoint.h"

#include <json-glib/json-glib.h>

#include "co2s-record-json.h"

/* Appends @s as a JSON string, escaped as json-glib's generator does:
 * '"', '\\' and control characters; other bytes as they are. */
static void
append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

/* Appends @node pretty-printed, indented by @level × 2 spaces, in the
 * layout of json-glib's generator (pretty, indent 2), except for doubles:
 * json-glib writes a double whose shortest form has no '.' with ".0"
 * appended, so 1e22 came out as "1e+22.0", which is not JSON. Doubles go
 * through co2s_json_append_double (shortest form that reads back exactly,
 * as in metrics lines). */
static void
append_json_node (GString *out, JsonNode *node, guint level)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append (out, "{\n");
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append (out, ",\n");
            first = FALSE;
            g_string_append_printf (out, "%*s", (int) (2 * (level + 1)), "");
            append_json_string (out, name);
            g_string_append (out, " : ");
            append_json_node (out, member, level + 1);
          }
        if (!first)
          g_string_append_c (out, '\n');
        g_string_append_printf (out, "%*s}", (int) (2 * level), "");
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append (out, "[\n");
        for (guint i = 0; i < n; i++)
          {
            g_string_append_printf (out, "%*s", (int) (2 * (level + 1)), "");
            append_json_node (out, json_array_get_element (array, i), level + 1);
            g_string_append (out, i + 1 < n ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%*s]", (int) (2 * level), "");
      }
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          co2s_json_append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          append_json_string (out, json_node_get_string (node));
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    }
}

char *
co2s_checkpoint_dup_params_sha256 (const Co2sCheckpoint *cp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (cp != NULL, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (cp->model), NULL);

  /* One model: its members, as files of one model always had. */
  if (cp->models->len > 1)
    json_builder_begin_array (builder);
  for (guint i = 0; i < cp->models->len; i++)
    {
      json_builder_begin_object (builder);
      co2s_model_serialize (co2s_checkpoint_get_model (cp, i)->model, builder);
      json_builder_end_object (builder);
    }
  if (cp->models->len > 1)
    json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  append_json_node (text, root, 0);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, text->len);
}

/* drift, conformal and the model's own members (algo … state) of @m. */
static void
add_model_members (JsonBuilder *builder, const Co2sCheckpointModel *m)
{
  const Co2sDrift *d = &m->drift;

  json_builder_set_member_name (builder, "drift");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "delta");
  json_builder_add_double_value (builder, d->params.delta);
  json_builder_set_member_name (builder, "lambda");
  json_builder_add_double_value (builder, d->params.lambda);
  json_builder_set_member_name (builder, "min_batches");
  json_builder_add_int_value (builder, d->params.min_batches);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, (gint64) MIN (d->n, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "mean");
  json_builder_add_double_value (builder, d->mean);
  json_builder_set_member_name (builder, "sum");
  json_builder_add_double_value (builder, d->sum);
  json_builder_set_member_name (builder, "min_sum");
  json_builder_add_double_value (builder, d->min_sum);
  json_builder_set_member_name (builder, "alarms");
  json_builder_add_int_value (builder, (gint64) MIN (d->alarms, (guint64) G_MAXINT64));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "conformal");
  co2s_conformal_to_json (m->conformal, builder);

  co2s_model_serialize (m->model, builder);
}

/* "recent": @m's champion window. */
static void
add_recent (JsonBuilder *builder, const Co2sCheckpointModel *m)
{
  json_builder_set_member_name (builder, "recent");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sse");
  json_builder_begin_array (builder);
  for (guint i = 0; i < m->recent->len; i++)
    json_builder_add_double_value (builder, g_array_index (m->recent, Co2sRecentError, i).sse);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < m->recent->len; i++)
    json_builder_add_int_value (builder, g_array_index (m->recent, Co2sRecentError, i).rows);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

char *
co2s_checkpoint_to_json (const Co2sCheckpoint *cp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) secs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *params_sha256 = NULL;
  GString *out;

  g_return_val_if_fail (cp != NULL, NULL);
  g_return_val_if_fail (CO2S_IS_MODEL (cp->model), NULL);

  params_sha256 = co2s_checkpoint_dup_params_sha256 (cp);

  secs = g_date_time_new_from_unix_utc (cp->updated_at_us / G_USEC_PER_SEC);
  if (secs != NULL)
    when = g_date_time_add (secs, cp->updated_at_us % G_USEC_PER_SEC);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("1970-01-01T00:00:00Z");

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, CO2S_CHECKPOINT_FORMAT_VERSION);
  json_builder_set_member_name (builder, "batches");
  json_builder_add_int_value (builder, (gint64) cp->batches);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, (gint64) cp->batches);
  json_builder_set_member_name (builder, "params_sha256");
  json_builder_add_string_value (builder, params_sha256);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, iso);
  json_builder_set_member_name (builder, "updated_at_us");
  json_builder_add_int_value (builder, cp->updated_at_us);

  json_builder_set_member_name (builder, "kafka");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cluster_id");
  if (cp->cluster_id != NULL)
    json_builder_add_string_value (builder, cp->cluster_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "topic");
  if (cp->topic != NULL)
    json_builder_add_string_value (builder, cp->topic);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "offsets");
  json_builder_begin_array (builder);
  for (guint i = 0; cp->offsets != NULL && i < cp->offsets->len; i++)
    {
      const Co2sPartitionOffset *po = &g_array_index (cp->offsets, Co2sPartitionOffset, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "partition");
      json_builder_add_int_value (builder, po->partition);
      if (po->first_offset != CO2S_OFFSET_UNKNOWN)
        {
          json_builder_set_member_name (builder, "first_offset");
          if (po->first_offset >= 0)
            json_builder_add_int_value (builder, po->first_offset);
          else
            json_builder_add_null_value (builder);
        }
      json_builder_set_member_name (builder, "next_offset");
      json_builder_add_int_value (builder, po->next_offset);
      if (po->last.known)
        {
          char hex[2 * sizeof po->last.sha256 + 1];

          for (guint k = 0; k < sizeof po->last.sha256; k++)
            g_snprintf (hex + 2 * k, 3, "%02x", po->last.sha256[k]);
          json_builder_set_member_name (builder, "last_record");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "offset");
          json_builder_add_int_value (builder, po->last.offset);
          json_builder_set_member_name (builder, "timestamp_ms");
          if (po->last.timestamp_ms >= 0)
            json_builder_add_int_value (builder, po->last.timestamp_ms);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "key");
          if (po->last.key[0] != '\0')
            json_builder_add_string_value (builder, po->last.key);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "sha256");
          json_builder_add_string_value (builder, hex);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (cp->latency != NULL)
    {
      g_autoptr(GString) buckets = g_string_new (NULL);

      co2s_latency_histogram_append_text (cp->latency, buckets);
      json_builder_set_member_name (builder, "latency_us");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, (gint64) MIN (cp->latency->total, (guint64) G_MAXINT64));
      json_builder_set_member_name (builder, "buckets");
      json_builder_add_string_value (builder, buckets->str);
      json_builder_end_object (builder);
    }

  add_model_members (builder, co2s_checkpoint_get_model (cp, cp->champion));
  if (cp->models->len > 1)
    {
      char name[CO2S_MODEL_SPEC_MAX];
      Co2sModelSpec spec;

      co2s_model_get_spec (cp->model, &spec);
      json_builder_set_member_name (builder, "champion");
      json_builder_add_string_value (builder, co2s_model_spec_to_string (&spec, name));
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint i = 0; i < cp->models->len; i++)
        {
          const Co2sCheckpointModel *m = co2s_checkpoint_get_model (cp, i);

          co2s_model_get_spec (m->model, &spec);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, co2s_model_spec_to_string (&spec, name));
          add_recent (builder, m);
          if (i != cp->champion)
            add_model_members (builder, m);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  out = g_string_new (NULL);
  append_json_node (out, root, 0);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
