/* co2s-log-line.c — one captured output line of a supervised service. */
#define G_LOG_DOMAIN "co2s-log-line"

#include "co2s-log-line.h"

struct _Co2sLogLine
{
  GObject parent_instance;

  char *text;
  gint64 timestamp_us;
  gboolean is_stderr;
};

enum {
  PROP_0,
  PROP_TEXT,
  PROP_TIMESTAMP,
  PROP_IS_STDERR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (Co2sLogLine, co2s_log_line, G_TYPE_OBJECT)

static void
co2s_log_line_finalize (GObject *object)
{
  Co2sLogLine *self = CO2S_LOG_LINE (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (co2s_log_line_parent_class)->finalize (object);
}

static void
co2s_log_line_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  Co2sLogLine *self = CO2S_LOG_LINE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_TIMESTAMP:
      g_value_set_int64 (value, self->timestamp_us);
      break;
    case PROP_IS_STDERR:
      g_value_set_boolean (value, self->is_stderr);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_log_line_class_init (Co2sLogLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = co2s_log_line_finalize;
  object_class->get_property = co2s_log_line_get_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESTAMP] =
    g_param_spec_int64 ("timestamp", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_STDERR] =
    g_param_spec_boolean ("is-stderr", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
co2s_log_line_init (Co2sLogLine *self)
{
}

Co2sLogLine *
co2s_log_line_new (const char *text,
                   gint64 timestamp_us,
                   gboolean is_stderr)
{
  Co2sLogLine *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (CO2S_TYPE_LOG_LINE, NULL);
  self->text = g_utf8_make_valid (text, -1);
  self->timestamp_us = timestamp_us;
  self->is_stderr = !!is_stderr;

  return self;
}

const char *
co2s_log_line_get_text (Co2sLogLine *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_LINE (self), NULL);

  return self->text;
}

gint64
co2s_log_line_get_timestamp (Co2sLogLine *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_LINE (self), 0);

  return self->timestamp_us;
}

gboolean
co2s_log_line_get_is_stderr (Co2sLogLine *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_LINE (self), FALSE);

  return self->is_stderr;
}
