/* test-api-rows.c — Co2sStreamRows writes exactly what co2s_record_to_json does. */
#define G_LOG_DOMAIN "api-test"

#include <math.h>

#include "co2s-record-json.h"
#include "co2s-stream-rows.h"

static GArray *
make_records (guint n)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (Co2sRecord));

  for (guint i = 0; i < n; i++)
    {
      Co2sRecord record;

      co2s_record_init (&record);
      record.values[CO2S_COL_ENGINE_SIZE] = 1.0 + 0.1 * i;
      record.values[CO2S_COL_CYLINDERS] = 4 + 2 * (i % 3);
      record.values[CO2S_COL_FUEL_CITY] = 7.3 + i / 3.0;  /* not short decimals */
      record.values[CO2S_COL_FUEL_HWY] = 5.55 + i;
      record.values[CO2S_COL_FUEL_COMB] = 6.45 + i * 0.5;
      /* The optional mpg column is absent from every other row. */
      record.values[CO2S_COL_FUEL_COMB_MPG] = i % 2 ? NAN : 30 - i;
      record.values[CO2S_COL_CO2] = 150 + 7 * i;
      for (guint f = CO2S_COL_FUEL_D; f <= CO2S_COL_FUEL_Z; f++)
        record.values[f] = (f - CO2S_COL_FUEL_D) == i % 5 ? 1.0 : 0.0;
      g_array_append_val (records, record);
    }

  return records;
}

static void
test_rows_encoding (void)
{
  g_autoptr(GArray) records = make_records (7);
  g_autoptr(Co2sStreamRows) rows = co2s_stream_rows_new (records);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) want = g_string_new (NULL);
  const gint64 seqs[] = { 0, 1, 6, 7, 13, 1000003, G_MAXINT64 / 2 };
  const gint64 times[] = { 1, 1700000000000000, G_MAXINT64 };

  g_assert_cmpuint (co2s_stream_rows_get_n_rows (rows), ==, 7);
  /* The fast path must be on, or /stream slows down several times. */
  g_assert_true (co2s_stream_rows_is_cached (rows));

  for (guint s = 0; s < G_N_ELEMENTS (seqs); s++)
    for (guint t = 0; t < G_N_ELEMENTS (times); t++)
      {
        Co2sRecord record = g_array_index (records, Co2sRecord, seqs[s] % 7);

        record.seq = seqs[s];
        record.emit_us = times[t];
        g_string_truncate (want, 0);
        co2s_record_to_json (&record, want);

        g_string_truncate (got, 0);
        co2s_stream_rows_append (rows, seqs[s], times[t], got);

        g_assert_cmpstr (got->str, ==, want->str);
      }
}

static void
test_rows_decode_back (void)
{
  g_autoptr(GArray) records = make_records (3);
  g_autoptr(Co2sStreamRows) rows = co2s_stream_rows_new (records);
  g_autoptr(GString) line = g_string_new (NULL);

  /* What the API writes, the consumers' decoder reads back unchanged. */
  for (gint64 seq = 0; seq < 9; seq++)
    {
      const Co2sRecord *orig = co2s_stream_rows_get (rows, seq % 3);
      g_autoptr(GError) error = NULL;
      Co2sRecord back;

      g_string_truncate (line, 0);
      co2s_stream_rows_append (rows, seq, 1700000000000000 + seq, line);
      g_assert_true (co2s_record_from_json (line->str, line->len, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back.seq, ==, seq);
      g_assert_cmpint (back.emit_us, ==, 1700000000000000 + seq);
      for (guint c = 0; c < CO2S_N_COLUMNS; c++)
        {
          if (isnan (orig->values[c]))
            g_assert_true (isnan (back.values[c]));
          else
            g_assert_cmpfloat (back.values[c], ==, orig->values[c]);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/rows/encoding", test_rows_encoding);
  g_test_add_func ("/api/rows/decode-back", test_rows_decode_back);

  return g_test_run ();
}
