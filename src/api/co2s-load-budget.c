/* co2s-load-budget.c — the memory a CSV load needs, estimated beforehand. */
#define G_LOG_DOMAIN "co2s-load-budget"

#include "co2s-load-budget.h"

#include <gio/gio.h>
#include <string.h>

#include "co2s-record.h"

guint64
co2s_load_budget_peak (guint64 file_bytes,
                       guint64 rows)
{
  return file_bytes + rows * (sizeof (Co2sRecord) + sizeof (gsize)) + CO2S_LOAD_BUDGET_BASE_BYTES;
}

gboolean
co2s_load_budget_estimate (const char     *path,
                           Co2sLoadBudget *out,
                           GError        **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *sample = NULL;
  gsize sample_len = 0;
  guint64 lines = 0;
  gsize through_last_line = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);

  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return FALSE;
  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                         NULL, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return TRUE; /* a pipe or a device: its size is not known beforehand */

  out->file_bytes = (guint64) g_file_info_get_size (info);
  sample = g_malloc (CO2S_LOAD_BUDGET_SAMPLE_BYTES);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), sample, CO2S_LOAD_BUDGET_SAMPLE_BYTES,
                                &sample_len, NULL, error))
    return FALSE;

  for (const char *p = sample; (p = memchr (p, '\n', sample_len - (gsize) (p - sample))) != NULL; p++)
    {
      lines++;
      through_last_line = (gsize) (p - sample) + 1;
    }

  if (sample_len < CO2S_LOAD_BUDGET_SAMPLE_BYTES)
    {
      /* The whole file: its lines, a last one without '\n' included, but
       * not the header. */
      if (sample_len > through_last_line)
        lines++;
      out->rows = lines > 0 ? lines - 1 : 0;
    }
  else if (lines > 0)
    {
      /* The mean length of the sample's lines, over the whole file. */
      out->rows = out->file_bytes * lines / through_last_line;
    }
  else
    {
      /* Not one line in the sample: one row of the whole file, as the
       * parser would read it. */
      out->rows = 1;
    }

  out->peak_bytes = co2s_load_budget_peak (out->file_bytes, out->rows);

  return TRUE;
}
