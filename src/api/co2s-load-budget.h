/* co2s-load-budget.h — how much memory co2stream-api needs to load a CSV,
 * estimated from the file before it is read, so that a file too large for
 * --max-memory-mb is refused at once rather than after swapping.
 *
 * Loading holds, at its peak, the file's text and one Co2sRecord (112 bytes)
 * per row (co2s_csv_load); the rows are then packed for streaming (about
 * half the CSV's size, co2s-stream-rows.h) and both are freed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes counted for the program itself (code, libraries, buffers). */
#define CO2S_LOAD_BUDGET_BASE_BYTES (16 * 1024 * 1024)

/* How many bytes of the file are read to measure its mean line length. */
#define CO2S_LOAD_BUDGET_SAMPLE_BYTES (64 * 1024)

typedef struct {
  guint64 file_bytes;
  guint64 rows;        /* estimated: data lines of the file */
  guint64 peak_bytes;  /* estimated memory at the peak of the load */
} Co2sLoadBudget;

/* Estimates the load of the CSV at @path from its size and the lines in its
 * first CO2S_LOAD_BUDGET_SAMPLE_BYTES (exact for a file no longer than
 * that). A file whose size is unknown in advance (a pipe) gives 0 bytes and
 * 0 rows. FALSE with @error (G_FILE_ERROR or G_IO_ERROR) when @path cannot
 * be opened or read. Any thread. */
gboolean co2s_load_budget_estimate (const char     *path,
                                    Co2sLoadBudget *out,
                                    GError        **error);

/* The arithmetic: the file's text, one Co2sRecord and one offset per row,
 * and CO2S_LOAD_BUDGET_BASE_BYTES. */
guint64 co2s_load_budget_peak (guint64 file_bytes,
                               guint64 rows);

G_END_DECLS
