/* co2s-metrics-scan-models.c — the fast metrics-line reader's part for a
 * trainer of several models: the "models" object (co2s-metrics-scan-private.h).
 *
 * Its rules are co2s_batch_metrics_from_json's (models_from_object in
 * co2s-metrics.c), narrowed to what it is sure about: names without
 * escapes, no name or key twice (json-glib would keep the last value at the
 * first place), no key it does not know. */
#define G_LOG_DOMAIN "co2s-metrics"

#include "co2s-metrics-scan-private.h"

#include <math.h>
#include <string.h>

typedef Co2sScanPtr Ptr;

typedef enum {
  MK_RMSE,
  MK_MAE,
  MK_COVERAGE,
  MK_ROLLING_RMSE,
  MK_DRIFT_ALARM,
  N_MODEL_KEYS
} ModelKey;

/* All numbers (finite, or null: NAN) but drift_alarm (true or false). */
static const struct {
  const char *name;
  guint len;
} model_keys[N_MODEL_KEYS] = {
#define KEY(name) { name, sizeof name - 1 }
  [MK_RMSE] = KEY ("rmse"),
  [MK_MAE] = KEY ("mae"),
  [MK_COVERAGE] = KEY ("coverage_95"),
  [MK_ROLLING_RMSE] = KEY ("rolling_rmse"),
  [MK_DRIFT_ALARM] = KEY ("drift_alarm"),
#undef KEY
};

/* A finite number or null (*@d untouched) at @p; the byte after it, or NULL. */
static Ptr
scan_double_or_null (Ptr p, Ptr end, double *d)
{
  gboolean is_int = FALSE;
  gint64 i = 0;
  double v = NAN;

  if (p < end && *p == 'n')
    return end - p >= 4 && memcmp (p, "null", 4) == 0 ? p + 4 : NULL;
  if ((p = co2s_scan_number (p, end, &is_int, &i, &v)) == NULL)
    return NULL;
  *d = is_int ? (double) i : v;
  return p;
}

/* One model's object, from its '{': its figures in @mm (name set, numbers
 * NAN, drift_alarm FALSE); the byte after its '}', or NULL. rmse is
 * required; any other key, or one key twice, is left to json-glib. */
static Ptr
scan_model (Ptr p, Ptr end, Co2sModelMetrics *mm)
{
  guint seen = 0;
  int expected = 0;

  g_assert (p < end && *p == '{');
  p = co2s_scan_skip_ws (p + 1, end);
  for (;;)
    {
      Ptr name;
      int key = -1;

      if (p == end || *p != '"')
        return NULL;
      name = ++p;
      if ((p = co2s_scan_plain_string (p, end)) == NULL)
        return NULL;
      /* The writer's order first. */
      for (int k = expected, n = 0; n < N_MODEL_KEYS; k = (k + 1) % N_MODEL_KEYS, n++)
        if (model_keys[k].len == (gsize) (p - 1 - name) && memcmp (model_keys[k].name, name, model_keys[k].len) == 0)
          {
            key = k;
            break;
          }
      if (key < 0 || (seen & (1u << key)))
        return NULL;
      seen |= 1u << key;
      expected = (key + 1) % N_MODEL_KEYS;
      p = co2s_scan_skip_ws (p, end);
      if (p == end || *p != ':')
        return NULL;
      p = co2s_scan_skip_ws (p + 1, end);
      switch ((ModelKey) key)
        {
        case MK_RMSE: p = scan_double_or_null (p, end, &mm->rmse); break;
        case MK_MAE: p = scan_double_or_null (p, end, &mm->mae); break;
        case MK_COVERAGE: p = scan_double_or_null (p, end, &mm->coverage_95); break;
        case MK_ROLLING_RMSE: p = scan_double_or_null (p, end, &mm->rolling_rmse); break;
        case MK_DRIFT_ALARM:
          if (end - p >= 4 && memcmp (p, "true", 4) == 0)
            mm->drift_alarm = TRUE, p += 4;
          else if (end - p >= 5 && memcmp (p, "false", 5) == 0)
            mm->drift_alarm = FALSE, p += 5;
          else
            return NULL;
          break;
        case N_MODEL_KEYS:
        default:
          g_assert_not_reached ();
        }
      if (p == NULL || (p = co2s_scan_skip_ws (p, end)) == end)
        return NULL;
      if (*p == '}')
        break;
      if (*p != ',')
        return NULL;
      p = co2s_scan_skip_ws (p + 1, end);
    }
  return (seen & (1u << MK_RMSE)) ? p + 1 : NULL;
}

Co2sScanPtr
co2s_scan_models (Co2sScanPtr p, Co2sScanPtr end, Co2sBatchMetrics *m)
{
  g_assert (p < end && *p == '{' && m->n_models == 0);
  p = co2s_scan_skip_ws (p + 1, end);
  for (;;)
    {
      Co2sModelMetrics *mm;
      Ptr name;
      gsize n;

      if (p == end || *p != '"' || m->n_models == CO2S_METRICS_MAX_MODELS)
        return NULL;
      name = ++p;
      if ((p = co2s_scan_plain_string (p, end)) == NULL)
        return NULL;
      n = (gsize) (p - 1 - name);
      if (n == 0 || !co2s_metrics_is_model_name ((const char *) name, n))
        return NULL;
      for (guint k = 0; k < m->n_models; k++)
        if (memcmp (m->models[k].name, name, n) == 0 && m->models[k].name[n] == '\0')
          return NULL;
      mm = &m->models[m->n_models++];
      memcpy (mm->name, name, n);
      mm->rmse = mm->mae = mm->coverage_95 = mm->rolling_rmse = NAN;
      p = co2s_scan_skip_ws (p, end);
      if (p == end || *p != ':')
        return NULL;
      p = co2s_scan_skip_ws (p + 1, end);
      if (p == end || *p != '{' || (p = scan_model (p, end, mm)) == NULL)
        return NULL;
      p = co2s_scan_skip_ws (p, end);
      if (p == end)
        return NULL;
      if (*p == '}')
        break;
      if (*p != ',')
        return NULL;
      p = co2s_scan_skip_ws (p + 1, end);
    }
  return m->n_models >= 2 ? p + 1 : NULL;
}
