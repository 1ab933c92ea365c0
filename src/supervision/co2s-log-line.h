/* co2s-log-line.h — one captured output line of a supervised service.
 *
 * Items of the GListModel returned by co2s_service_get_log(); a GtkListView
 * can show them with a GtkSignalListItemFactory binding "text".
 * Immutable once created. Main thread only. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CO2S_TYPE_LOG_LINE (co2s_log_line_get_type ())

G_DECLARE_FINAL_TYPE (Co2sLogLine, co2s_log_line, CO2S, LOG_LINE, GObject)

/* New line; @text (not NULL, any bytes: invalid UTF-8 is repaired) is
 * copied. @timestamp_us is wall-clock time (g_get_real_time()). @is_stderr
 * tells which stream it came from (FALSE when unknown). Returns a new
 * reference. */
Co2sLogLine *co2s_log_line_new (const char *text,
                                gint64 timestamp_us,
                                gboolean is_stderr);

/* The line without its newline, valid UTF-8; owned by @self. */
const char *co2s_log_line_get_text (Co2sLogLine *self);

/* Wall-clock time the line was read, in microseconds since the epoch. */
gint64 co2s_log_line_get_timestamp (Co2sLogLine *self);

/* TRUE when the line came from standard error. */
gboolean co2s_log_line_get_is_stderr (Co2sLogLine *self);

G_END_DECLS
