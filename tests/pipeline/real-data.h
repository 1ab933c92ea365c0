/* real-data.h — the real data set as model inputs, for the tests of the
 * models issue's figures (header-only, like model-test-data.h). */
#pragma once

#include <glib.h>

#include "co2s-csv.h"
#include "co2s-record.h"
#include "co2s-test-util.h"

/* The data set repeated @passes times as the ten inputs (*@x, n × 10) and
 * the targets (*@y), n = passes × its rows; *@rows gets its rows. FALSE
 * when the file is missing: co2s_test_dataset_path has marked the test
 * failed, naming where the file goes. */
static inline gboolean
real_data_load (guint passes, double **x, double **y, guint *rows)
{
  g_autofree char *path = co2s_test_dataset_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCsv) csv = NULL;
  guint n;

  if (path == NULL)
    return FALSE;
  csv = co2s_csv_load (path, &error);
  g_assert_no_error (error);
  *rows = csv->rows->len;
  n = passes * *rows;
  *x = g_new (double, (gsize) n * CO2S_N_FEATURES);
  *y = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const Co2sRecord *r = &g_array_index (csv->rows, Co2sRecord, i % *rows);

      co2s_record_features (r, *x + (gsize) i * CO2S_N_FEATURES);
      (*y)[i] = co2s_record_target (r);
    }
  return TRUE;
}
