/* co2s-dead-letter.c — one message of the dead-letter topic (see co2s-dead-letter.h). */
#define G_LOG_DOMAIN "co2s-dlq"

#include "co2s-dead-letter.h"

#include <string.h>

struct _Co2sDeadLetter
{
  GObject parent_instance;

  int partition;
  gint64 offset;
  gint64 timestamp_ms;
  char *reason;
  char *detail;
  char *source;
  char *source_topic;
  int source_partition;
  gint64 source_offset;
  GBytes *key;
  GBytes *payload;
  char *redriven;
};

G_DEFINE_FINAL_TYPE (Co2sDeadLetter, co2s_dead_letter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PARTITION,
  PROP_OFFSET,
  PROP_TIMESTAMP_MS,
  PROP_REASON,
  PROP_DETAIL,
  PROP_SOURCE,
  PROP_SOURCE_TOPIC,
  PROP_SOURCE_PARTITION,
  PROP_SOURCE_OFFSET,
  PROP_REDRIVEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
co2s_dead_letter_finalize (GObject *object)
{
  Co2sDeadLetter *self = CO2S_DEAD_LETTER (object);

  g_free (self->reason);
  g_free (self->detail);
  g_free (self->source);
  g_free (self->source_topic);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_pointer (&self->payload, g_bytes_unref);
  g_free (self->redriven);
  G_OBJECT_CLASS (co2s_dead_letter_parent_class)->finalize (object);
}

static void
co2s_dead_letter_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  Co2sDeadLetter *self = CO2S_DEAD_LETTER (object);

  switch (prop_id)
    {
    case PROP_PARTITION:        g_value_set_int (value, self->partition); break;
    case PROP_OFFSET:           g_value_set_int64 (value, self->offset); break;
    case PROP_TIMESTAMP_MS:     g_value_set_int64 (value, self->timestamp_ms); break;
    case PROP_REASON:           g_value_set_string (value, self->reason); break;
    case PROP_DETAIL:           g_value_set_string (value, self->detail); break;
    case PROP_SOURCE:           g_value_set_string (value, self->source); break;
    case PROP_SOURCE_TOPIC:     g_value_set_string (value, self->source_topic); break;
    case PROP_SOURCE_PARTITION: g_value_set_int (value, self->source_partition); break;
    case PROP_SOURCE_OFFSET:    g_value_set_int64 (value, self->source_offset); break;
    case PROP_REDRIVEN:         g_value_set_string (value, self->redriven); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_dead_letter_class_init (Co2sDeadLetterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = co2s_dead_letter_finalize;
  object_class->get_property = co2s_dead_letter_get_property;

  properties[PROP_PARTITION] = g_param_spec_int ("partition", NULL, NULL, -1, G_MAXINT, 0, ro);
  properties[PROP_OFFSET] = g_param_spec_int64 ("offset", NULL, NULL, -1, G_MAXINT64, 0, ro);
  properties[PROP_TIMESTAMP_MS] = g_param_spec_int64 ("timestamp-ms", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, ro);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, ro);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, ro);
  properties[PROP_SOURCE_TOPIC] = g_param_spec_string ("source-topic", NULL, NULL, NULL, ro);
  properties[PROP_SOURCE_PARTITION] = g_param_spec_int ("source-partition", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_SOURCE_OFFSET] = g_param_spec_int64 ("source-offset", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_REDRIVEN] = g_param_spec_string ("redriven", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_dead_letter_init (Co2sDeadLetter *self)
{
  self->timestamp_ms = -1;
  self->source_partition = -1;
  self->source_offset = -1;
}

/* "topic[partition]@offset" (the trainer's source header) → its parts. */
static void
parse_source (Co2sDeadLetter *self)
{
  const char *s = self->source;
  const char *open, *close;
  char *end;
  gint64 partition, offset;

  if (s == NULL || (open = strrchr (s, '[')) == NULL || open == s)
    return;
  close = strchr (open, ']');
  if (close == NULL || close[1] != '@' || !g_ascii_isdigit (open[1]) || !g_ascii_isdigit (close[2]))
    return;
  partition = g_ascii_strtoll (open + 1, &end, 10);
  if (end != close || partition > G_MAXINT)
    return;
  offset = g_ascii_strtoll (close + 2, &end, 10);
  if (*end != '\0' || offset < 0)
    return;
  self->source_topic = g_strndup (s, (gsize) (open - s));
  self->source_partition = (int) partition;
  self->source_offset = offset;
}

Co2sDeadLetter *
co2s_dead_letter_new (int partition,
                      gint64 offset,
                      gint64 timestamp_ms,
                      const char *reason,
                      const char *detail,
                      const char *source,
                      GBytes *key,
                      GBytes *payload)
{
  Co2sDeadLetter *self;

  g_return_val_if_fail (partition >= 0 && offset >= 0, NULL);

  self = g_object_new (CO2S_TYPE_DEAD_LETTER, NULL);
  self->partition = partition;
  self->offset = offset;
  self->timestamp_ms = timestamp_ms >= 0 ? timestamp_ms : -1;
  self->reason = g_strdup (reason != NULL && *reason != '\0' ? reason : "unknown");
  self->detail = g_strdup (detail);
  self->source = g_strdup (source);
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  self->payload = payload != NULL ? g_bytes_ref (payload) : NULL;
  parse_source (self);
  return self;
}

int
co2s_dead_letter_get_partition (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), -1);
  return self->partition;
}

gint64
co2s_dead_letter_get_offset (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), -1);
  return self->offset;
}

gint64
co2s_dead_letter_get_timestamp_ms (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), -1);
  return self->timestamp_ms;
}

const char *
co2s_dead_letter_get_reason (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->reason;
}

const char *
co2s_dead_letter_get_detail (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->detail;
}

const char *
co2s_dead_letter_get_source (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->source;
}

const char *
co2s_dead_letter_get_source_topic (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->source_topic;
}

int
co2s_dead_letter_get_source_partition (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), -1);
  return self->source_partition;
}

gint64
co2s_dead_letter_get_source_offset (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), -1);
  return self->source_offset;
}

GBytes *
co2s_dead_letter_get_key (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->key;
}

GBytes *
co2s_dead_letter_get_payload (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->payload;
}

char *
co2s_dead_letter_dup_payload_text (Co2sDeadLetter *self)
{
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);

  if (self->payload == NULL)
    return g_strdup ("");
  data = g_bytes_get_data (self->payload, &len);
  return g_utf8_make_valid (data != NULL ? data : "", (gssize) len);
}

char *
co2s_dead_letter_dup_ref (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return g_strdup_printf ("%d:%" G_GINT64_FORMAT, self->partition, self->offset);
}

const char *
co2s_dead_letter_get_redriven (Co2sDeadLetter *self)
{
  g_return_val_if_fail (CO2S_IS_DEAD_LETTER (self), NULL);
  return self->redriven;
}

void
co2s_dead_letter_set_redriven (Co2sDeadLetter *self,
                               const char *redriven)
{
  g_return_if_fail (CO2S_IS_DEAD_LETTER (self));

  g_free (self->redriven);
  self->redriven = g_strdup (redriven);
}
