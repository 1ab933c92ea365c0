/* co2s-csv.h — loading and validating the vehicle CSV. */
#pragma once

#include <glib.h>

#include "co2s-record.h"

G_BEGIN_DECLS

#define CO2S_CSV_ERROR (co2s_csv_error_quark ())

typedef enum {
  CO2S_CSV_ERROR_NOT_FOUND,    /* the file does not exist: message says where to put it */
  CO2S_CSV_ERROR_READ,         /* exists but cannot be read */
  CO2S_CSV_ERROR_HEADER,       /* empty file, or a required column is missing from the header */
  CO2S_CSV_ERROR_NO_ROWS,      /* a valid header but not one good row */
} Co2sCsvError;

GQuark co2s_csv_error_quark (void);

/* One skipped row: its 1-based line number in the file and why. */
typedef struct {
  guint line;
  char *reason;
} Co2sCsvBadRow;

typedef struct {
  GArray *rows;        /* of Co2sRecord, seq = -1, emit_us = 0 */
  GPtrArray *bad_rows; /* of Co2sCsvBadRow*, in file order */
  guint n_bad;         /* == bad_rows->len */
} Co2sCsv;

/* Reads @path. The header may order the columns freely and may carry extra
 * ones (ignored); every column of co2s_column_is_required must be there,
 * none twice (else CO2S_CSV_ERROR_HEADER). A row with the wrong field count,
 * a non-number, an unknown boolean (only True/False/true/false/1/0) or a
 * value co2s_record_validate refuses is skipped, recorded in bad_rows and
 * logged with g_warning as "PATH:LINE: skipped: reason" (the first 50 bad
 * rows one by one, then one summary warning).
 *
 * Format: comma-separated, no quoting, "\n" or "\r\n" line ends, the last
 * line may lack one, an optional UTF-8 BOM. Numbers are what g_ascii_strtod
 * reads (locale-independent) with nothing around them: no spaces, no
 * NaN/inf, no empty field. Blank lines (empty or whitespace only) are not
 * rows: they are skipped silently, are not bad rows, but still count in
 * line numbers (which are 1-based lines of the file, the header included).
 *
 * Returns a new Co2sCsv (free with co2s_csv_free) or NULL with @error:
 * NOT_FOUND names the path and says to put the data set at
 * data/co2_processed.csv (see data/README.md). Any thread. */
Co2sCsv *co2s_csv_load (const char *path, GError **error);

/* Same, from @len bytes at @data (need not be NUL-terminated); @origin
 * names the input in messages. */
Co2sCsv *co2s_csv_parse (const char *data, gsize len, const char *origin, GError **error);

/* Frees @csv and its arrays; NULL is fine. */
void co2s_csv_free (Co2sCsv *csv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sCsv, co2s_csv_free)

G_END_DECLS
