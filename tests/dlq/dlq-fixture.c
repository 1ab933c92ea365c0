/* dlq-fixture.c — a dead-letter topic filled by the trainer (see dlq-fixture.h). */
#define G_LOG_DOMAIN "dlq-fixture"

#include "dlq-fixture.h"

#include <string.h>

#include "co2s-contracts.h"

const DlqBadKind dlq_bad_kinds[DLQ_N_KINDS] = {
  { "not-json",      "not-json" },
  { "non-standard",  "not-json" },
  { "not-object",    "not-object" },
  { "missing-field", "missing-field" },
  { "bad-type",      "bad-type" },
  { "null",          "not-finite" },
  { "out-of-range",  "out-of-range" },
};

/* A record's JSON with @col replaced by @value (NULL: left out). */
static char *
record_with (const Co2sRecord *r, Co2sColumn col, const char *value)
{
  g_autofree char *good = trainer_record_json (r);
  g_autofree char *key = g_strdup_printf ("\"%s\":", co2s_column_name (col));
  const char *at = strstr (good, key);
  const char *end;
  GString *s;

  g_assert_nonnull (at);
  end = at + strlen (key);
  while (*end != ',' && *end != '}')
    end++;
  s = g_string_new_len (good, at - good);
  if (value != NULL)
    g_string_append_printf (s, "%s%s", key, value);
  else if (*end == ',')
    end++;
  g_string_append (s, end);
  return g_string_free (s, FALSE);
}

static char *
bad_line (const Co2sRecord *r, guint kind)
{
  switch (kind)
    {
    case 0: return g_strdup_printf ("{\"Engine_Size\": 2.0, \"seq\": %" G_GINT64_FORMAT ", \"Cylinders\"", r->seq);
    case 1: return record_with (r, CO2S_COL_CYLINDERS, "0x4");
    case 2: return g_strdup_printf ("[2.0, 4, 9.9, 6.7, 8.5, %" G_GINT64_FORMAT "]", r->seq);
    case 3: return record_with (r, CO2S_COL_FUEL_HWY, NULL);
    case 4: return record_with (r, CO2S_COL_CYLINDERS, "\"four\"");
    case 5: return record_with (r, CO2S_COL_FUEL_CITY, "null");
    case 6: return record_with (r, CO2S_COL_ENGINE_SIZE, "55.0");
    default: g_assert_not_reached ();
    }
}

gboolean
dlq_fixture_owns (DlqFixture *fx, const char *source)
{
  g_autofree char *prefix = g_strdup_printf ("%s[", fx->env.topic);

  return source != NULL && g_str_has_prefix (source, prefix);
}

static void
fill (DlqFixture *fx, gboolean real)
{
  guint total = DLQ_N_GOOD + DLQ_N_KINDS;
  g_autoptr(GArray) records = trainer_make_records (total, 11, 0);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dlq = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  guint kind = 0, mine = 0;
  int status;

  memset (fx, 0, sizeof *fx);
  if (real)
    trainer_env_start_real (&fx->env);
  else
    trainer_env_start (&fx->env);
  fx->bad_lines = g_ptr_array_new_with_free_func (g_free);
  fx->bad_offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < total; i++)
    {
      const Co2sRecord *r = &g_array_index (records, Co2sRecord, i);

      /* One partition: the offset of a message is its index. */
      if (i % 9 == 4 && kind < DLQ_N_KINDS)
        {
          gint64 offset = i;

          g_ptr_array_add (lines, bad_line (r, kind++));
          g_ptr_array_add (fx->bad_lines, g_strdup (g_ptr_array_index (lines, i)));
          g_array_append_val (fx->bad_offsets, offset);
        }
      else
        g_ptr_array_add (lines, trainer_record_json (r));
    }
  g_assert_cmpuint (kind, ==, DLQ_N_KINDS);
  trainer_produce (&fx->env, lines);
  status = trainer_run (&fx->env, NULL,
                        (const char * const[]) { "--batch-rows", "20", IDLE_ARGS, NULL },
                        RUN_TIMEOUT_MS, NULL, &err);
  trainer_assert_exit_ok (status, err);
  /* The trainer has flushed its dead letters before exiting. */
  dlq = co2s_test_kafka_consume (fx->env.brokers, CO2S_TOPIC_DLQ, real ? G_MAXUINT : DLQ_N_KINDS,
                                 real ? 5000 : 10000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < dlq->len; i++)
    if (dlq_fixture_owns (fx, co2s_test_message_header (g_ptr_array_index (dlq, i), "source")))
      mine++;
  g_assert_cmpuint (mine, ==, DLQ_N_KINDS);
}

void
dlq_fixture_fill (DlqFixture *fx)
{
  fill (fx, FALSE);
}

void
dlq_fixture_fill_real (DlqFixture *fx)
{
  fill (fx, TRUE);
}

void
dlq_fixture_clear (DlqFixture *fx)
{
  trainer_env_clear (&fx->env);
  g_clear_pointer (&fx->bad_lines, g_ptr_array_unref);
  g_clear_pointer (&fx->bad_offsets, g_array_unref);
}
