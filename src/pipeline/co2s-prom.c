/* co2s-prom.c — the Prometheus text format: writer and registry. */
#define G_LOG_DOMAIN "co2s-prom"

#include "co2s-prom.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the writer -------------------------------------------------------- */

gboolean
co2s_prom_name_is_valid (const char *name, gboolean label)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (name[0] == '\0' || g_ascii_isdigit (name[0]))
    return FALSE;
  if (label && g_str_has_prefix (name, "__"))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && (label || *p != ':'))
      return FALSE;
  return TRUE;
}

static const char *
type_name (Co2sPromType type)
{
  switch (type)
    {
    case CO2S_PROM_COUNTER:
      return "counter";
    case CO2S_PROM_GAUGE:
      return "gauge";
    case CO2S_PROM_HISTOGRAM:
      return "histogram";
    default:
      g_assert_not_reached ();
    }
}

void
co2s_prom_append_header (GString *out, const char *name, Co2sPromType type, const char *help)
{
  g_return_if_fail (out != NULL && help != NULL);
  g_return_if_fail (name != NULL && co2s_prom_name_is_valid (name, FALSE));

  g_string_append_printf (out, "# HELP %s ", name);
  for (const char *p = help; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_printf (out, "\n# TYPE %s %s\n", name, type_name (type));
}

void
co2s_prom_append_value (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (out != NULL);

  if (isnan (value))
    g_string_append (out, "NaN");
  else if (isinf (value))
    g_string_append (out, value > 0 ? "+Inf" : "-Inf");
  else if (value == floor (value) && fabs (value) < 9007199254740992.0)
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.0f", value));
  else
    {
      /* The shortest of %.15g … %.17g that reads back as @value. */
      for (int precision = 15; precision <= 17; precision++)
        {
          char format[8];

          g_snprintf (format, sizeof format, "%%.%dg", precision);
          g_ascii_formatd (buf, sizeof buf, format, value);
          if (g_ascii_strtod (buf, NULL) == value)
            break;
        }
      g_string_append (out, buf);
    }
}

void
co2s_prom_append_label_value (GString *out, const char *text)
{
  g_return_if_fail (out != NULL && text != NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '"')
        g_string_append (out, "\\\"");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

/* @labels: pairs; @extra_name/@extra_value (may be NULL): one more (le). */
static void
append_sample_full (GString *out, const char *name, const char *suffix,
                    const char * const *labels, const char *extra_name, const char *extra_value,
                    double value)
{
  gboolean any = FALSE;

  g_string_append (out, name);
  if (suffix != NULL)
    g_string_append (out, suffix);
  for (guint i = 0; labels != NULL && labels[i] != NULL && labels[i + 1] != NULL; i += 2)
    {
      g_return_if_fail (co2s_prom_name_is_valid (labels[i], TRUE));
      g_string_append_c (out, any ? ',' : '{');
      g_string_append_printf (out, "%s=\"", labels[i]);
      co2s_prom_append_label_value (out, labels[i + 1]);
      g_string_append_c (out, '"');
      any = TRUE;
    }
  if (extra_name != NULL)
    {
      g_string_append_c (out, any ? ',' : '{');
      g_string_append_printf (out, "%s=\"", extra_name);
      co2s_prom_append_label_value (out, extra_value);
      g_string_append_c (out, '"');
      any = TRUE;
    }
  if (any)
    g_string_append_c (out, '}');
  g_string_append_c (out, ' ');
  co2s_prom_append_value (out, value);
  g_string_append_c (out, '\n');
}

void
co2s_prom_append_sample (GString *out, const char *name, const char * const *labels, double value)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (name != NULL && co2s_prom_name_is_valid (name, FALSE));

  append_sample_full (out, name, NULL, labels, NULL, NULL, value);
}

/* ---- the registry ------------------------------------------------------- */

typedef struct {
  char *label_value;       /* NULL in an unlabelled metric */
  double value;            /* counter, gauge; histogram: the sum */
  guint64 *buckets;        /* histogram: non-cumulative counts, n_bounds + 1 */
  guint64 count;           /* histogram */
  gboolean set;            /* age gauge: a time was given */
} Series;

struct _Co2sPromMetric {
  Co2sProm *prom;          /* not a reference: the registry owns the metric */
  char *name;
  char *help;
  char *label_name;
  Co2sPromType type;
  gboolean age;
  double *bounds;
  guint n_bounds;
  GPtrArray *series;       /* Series */
};

struct _Co2sProm {
  GRecMutex lock;
  GPtrArray *metrics;      /* Co2sPromMetric */
};

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->label_value);
  g_free (s->buckets);
  g_free (s);
}

static void
metric_free (gpointer data)
{
  Co2sPromMetric *m = data;

  g_free (m->name);
  g_free (m->help);
  g_free (m->label_name);
  g_free (m->bounds);
  g_ptr_array_unref (m->series);
  g_free (m);
}

static void
prom_clear (gpointer data)
{
  Co2sProm *self = data;

  g_ptr_array_unref (self->metrics);
  g_rec_mutex_clear (&self->lock);
}

Co2sProm *
co2s_prom_new (void)
{
  Co2sProm *self = g_atomic_rc_box_new0 (Co2sProm);

  g_rec_mutex_init (&self->lock);
  self->metrics = g_ptr_array_new_with_free_func (metric_free);
  return self;
}

Co2sProm *
co2s_prom_ref (Co2sProm *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
co2s_prom_unref (Co2sProm *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, prom_clear);
}

void
co2s_prom_lock (Co2sProm *self)
{
  g_return_if_fail (self != NULL);
  g_rec_mutex_lock (&self->lock);
}

void
co2s_prom_unlock (Co2sProm *self)
{
  g_return_if_fail (self != NULL);
  g_rec_mutex_unlock (&self->lock);
}

static Series *
series_new (Co2sPromMetric *m, const char *label_value)
{
  Series *s = g_new0 (Series, 1);

  s->label_value = g_strdup (label_value);
  if (m->type == CO2S_PROM_HISTOGRAM)
    s->buckets = g_new0 (guint64, m->n_bounds + 1);
  g_ptr_array_add (m->series, s);
  return s;
}

static Co2sPromMetric *
add_metric (Co2sProm *self, const char *name, const char *help, const char *label_name,
            Co2sPromType type)
{
  Co2sPromMetric *m = g_new0 (Co2sPromMetric, 1);

  m->prom = self;
  m->name = g_strdup (name);
  m->help = g_strdup (help);
  m->label_name = g_strdup (label_name);
  m->type = type;
  m->series = g_ptr_array_new_with_free_func (series_free);
  g_rec_mutex_lock (&self->lock);
  g_ptr_array_add (self->metrics, m);
  g_rec_mutex_unlock (&self->lock);
  return m;
}

#define CHECK_NEW_METRIC(self, name, help, label_name) \
  G_STMT_START { \
    g_return_val_if_fail ((self) != NULL && (help) != NULL, NULL); \
    g_return_val_if_fail ((name) != NULL && co2s_prom_name_is_valid ((name), FALSE), NULL); \
    g_return_val_if_fail ((label_name) == NULL || co2s_prom_name_is_valid ((label_name), TRUE), NULL); \
  } G_STMT_END

Co2sPromMetric *
co2s_prom_counter (Co2sProm *self, const char *name, const char *help, const char *label_name)
{
  CHECK_NEW_METRIC (self, name, help, label_name);
  return add_metric (self, name, help, label_name, CO2S_PROM_COUNTER);
}

Co2sPromMetric *
co2s_prom_gauge (Co2sProm *self, const char *name, const char *help, const char *label_name)
{
  CHECK_NEW_METRIC (self, name, help, label_name);
  return add_metric (self, name, help, label_name, CO2S_PROM_GAUGE);
}

Co2sPromMetric *
co2s_prom_age_gauge (Co2sProm *self, const char *name, const char *help)
{
  Co2sPromMetric *m;

  CHECK_NEW_METRIC (self, name, help, NULL);
  m = add_metric (self, name, help, NULL, CO2S_PROM_GAUGE);
  m->age = TRUE;
  return m;
}

Co2sPromMetric *
co2s_prom_histogram (Co2sProm *self, const char *name, const char *help,
                     const double *bounds, guint n_bounds)
{
  Co2sPromMetric *m;

  CHECK_NEW_METRIC (self, name, help, NULL);
  g_return_val_if_fail (bounds != NULL && n_bounds > 0, NULL);
  for (guint i = 0; i < n_bounds; i++)
    g_return_val_if_fail (isfinite (bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]), NULL);

  m = add_metric (self, name, help, NULL, CO2S_PROM_HISTOGRAM);
  m->bounds = g_memdup2 (bounds, n_bounds * sizeof *bounds);
  m->n_bounds = n_bounds;
  return m;
}

/* The series of @label_value (NULL: the unlabelled one), created if new.
 * Under the lock. */
static Series *
get_series (Co2sPromMetric *m, const char *label_value)
{
  for (guint i = 0; i < m->series->len; i++)
    {
      Series *s = g_ptr_array_index (m->series, i);

      if (g_strcmp0 (s->label_value, label_value) == 0)
        return s;
    }
  return series_new (m, label_value);
}

void
co2s_prom_set (Co2sPromMetric *metric, double value)
{
  Series *s;

  g_return_if_fail (metric != NULL && metric->type != CO2S_PROM_HISTOGRAM);
  g_return_if_fail (metric->label_name == NULL);

  g_rec_mutex_lock (&metric->prom->lock);
  s = get_series (metric, NULL);
  s->value = value;
  s->set = TRUE;
  g_rec_mutex_unlock (&metric->prom->lock);
}

void
co2s_prom_add (Co2sPromMetric *metric, double delta)
{
  g_return_if_fail (metric != NULL && metric->type != CO2S_PROM_HISTOGRAM && !metric->age);
  g_return_if_fail (metric->label_name == NULL);
  g_return_if_fail (metric->type != CO2S_PROM_COUNTER || delta >= 0);

  g_rec_mutex_lock (&metric->prom->lock);
  get_series (metric, NULL)->value += delta;
  g_rec_mutex_unlock (&metric->prom->lock);
}

void
co2s_prom_observe (Co2sPromMetric *metric, double value)
{
  Series *s;
  guint i = 0;

  g_return_if_fail (metric != NULL && metric->type == CO2S_PROM_HISTOGRAM);

  while (i < metric->n_bounds && !(value <= metric->bounds[i]))
    i++;
  g_rec_mutex_lock (&metric->prom->lock);
  s = get_series (metric, NULL);
  s->buckets[i]++;
  s->count++;
  s->value += value;
  g_rec_mutex_unlock (&metric->prom->lock);
}

void
co2s_prom_histogram_set (Co2sPromMetric *metric, const guint64 *counts, guint n_counts, double sum)
{
  Series *s;

  g_return_if_fail (metric != NULL && metric->type == CO2S_PROM_HISTOGRAM);
  g_return_if_fail (counts != NULL && n_counts == metric->n_bounds + 1);

  g_rec_mutex_lock (&metric->prom->lock);
  s = get_series (metric, NULL);
  s->count = 0;
  for (guint i = 0; i < n_counts; i++)
    {
      s->buckets[i] = counts[i];
      s->count += counts[i];
    }
  s->value = sum;
  g_rec_mutex_unlock (&metric->prom->lock);
}

void
co2s_prom_set_labeled (Co2sPromMetric *metric, const char *label_value, double value)
{
  g_return_if_fail (metric != NULL && metric->type != CO2S_PROM_HISTOGRAM);
  g_return_if_fail (metric->label_name != NULL && label_value != NULL);

  g_rec_mutex_lock (&metric->prom->lock);
  get_series (metric, label_value)->value = value;
  g_rec_mutex_unlock (&metric->prom->lock);
}

void
co2s_prom_clear_series (Co2sPromMetric *metric)
{
  g_return_if_fail (metric != NULL);

  g_rec_mutex_lock (&metric->prom->lock);
  g_ptr_array_set_size (metric->series, 0);
  g_rec_mutex_unlock (&metric->prom->lock);
}

static void
render_histogram (GString *out, const Co2sPromMetric *m, const Series *s)
{
  char le[G_ASCII_DTOSTR_BUF_SIZE + 8];
  guint64 cumulative = 0;

  for (guint i = 0; i <= m->n_bounds; i++)
    {
      cumulative += s->buckets[i];
      if (i < m->n_bounds)
        {
          g_autoptr(GString) bound = g_string_new (NULL);

          co2s_prom_append_value (bound, m->bounds[i]);
          g_strlcpy (le, bound->str, sizeof le);
        }
      else
        g_strlcpy (le, "+Inf", sizeof le);
      append_sample_full (out, m->name, "_bucket", NULL, "le", le, (double) cumulative);
    }
  append_sample_full (out, m->name, "_sum", NULL, NULL, NULL, s->value);
  append_sample_full (out, m->name, "_count", NULL, NULL, NULL, (double) s->count);
}

void
co2s_prom_render (Co2sProm *self, GString *out)
{
  double now_s = g_get_real_time () / (double) G_USEC_PER_SEC;

  g_return_if_fail (self != NULL && out != NULL);

  g_rec_mutex_lock (&self->lock);
  for (guint i = 0; i < self->metrics->len; i++)
    {
      const Co2sPromMetric *m = g_ptr_array_index (self->metrics, i);

      co2s_prom_append_header (out, m->name, m->type, m->help);
      if (m->type == CO2S_PROM_HISTOGRAM)
        {
          Series empty = { 0 };
          g_autofree guint64 *zeros = g_new0 (guint64, m->n_bounds + 1);

          empty.buckets = zeros;
          render_histogram (out, m, m->series->len > 0 ? g_ptr_array_index (m->series, 0) : &empty);
          continue;
        }
      /* An unlabelled counter or gauge shows 0 before its first update
       * (an age gauge nothing: there is no time yet). */
      if (m->label_name == NULL && m->series->len == 0 && !m->age)
        append_sample_full (out, m->name, NULL, NULL, NULL, NULL, 0.0);
      for (guint k = 0; k < m->series->len; k++)
        {
          const Series *s = g_ptr_array_index (m->series, k);
          const char *labels[] = { m->label_name, s->label_value, NULL };

          if (m->age)
            append_sample_full (out, m->name, NULL, NULL, NULL, NULL, MAX (now_s - s->value, 0.0));
          else
            append_sample_full (out, m->name, NULL, m->label_name ? labels : NULL, NULL, NULL, s->value);
        }
    }
  g_rec_mutex_unlock (&self->lock);
}

/* ---- --metrics-listen ---------------------------------------------------- */

gboolean
co2s_prom_parse_listen (const char *text, char **host, guint16 *port, GError **error)
{
  g_autofree char *h = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text;
  guint64 value;

  g_return_val_if_fail (text != NULL && host != NULL && port != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        goto bad;
      h = g_strndup (text + 1, end - text - 1);
      port_text = end + 2;
    }
  else if (strchr (text, ':') != NULL)
    {
      const char *colon = strrchr (text, ':');

      if (strchr (text, ':') != colon)
        goto bad; /* an IPv6 address needs its brackets */
      h = g_strndup (text, colon - text);
      port_text = colon + 1;
    }
  else
    {
      h = g_strdup ("127.0.0.1");
      port_text = text;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: keep --metrics-listen; %s is what was given */
                   _("--metrics-listen %s: the port must be a number from 0 to 65535 "
                     "(e.g. 9101, 127.0.0.1:9101 or [::1]:9101)"), text);
      return FALSE;
    }
  if (g_ascii_strcasecmp (h, "localhost") == 0)
    {
      g_free (h);
      h = g_strdup ("127.0.0.1");
    }
  address = g_inet_address_new_from_string (h);
  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: keep --metrics-listen; the first %s is what was given */
                   _("--metrics-listen %s: “%s” is not an IP address (use e.g. 127.0.0.1, "
                     "0.0.0.0 for every interface, or [::1])"), text, h);
      return FALSE;
    }
  *host = g_steal_pointer (&h);
  *port = (guint16) value;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               /* Translators: keep --metrics-listen; %s is what was given */
               _("--metrics-listen %s: use PORT, HOST:PORT or [IPV6]:PORT "
                 "(e.g. 9101, 0.0.0.0:9101, [::1]:9101)"), text);
  return FALSE;
}
