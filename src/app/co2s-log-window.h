/* co2s-log-window.h — a window showing one service's output.
 *
 * The service's log (a GListModel of Co2sLogLine) in a monospace
 * GtkListView, each line with its time. The view follows new lines while it
 * is scrolled to the bottom and stays put when the user scrolled up. Copy
 * All (Ctrl+Shift+C) puts every line on the clipboard, Save… (Ctrl+S)
 * writes them to a file; Escape or Ctrl+W closes.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-service.h"

G_BEGIN_DECLS

#define CO2S_TYPE_LOG_WINDOW (co2s_log_window_get_type ())
G_DECLARE_FINAL_TYPE (Co2sLogWindow, co2s_log_window, CO2S, LOG_WINDOW, AdwWindow)

/* A new, not yet shown window for @service (not NULL; a reference is
 * held). Present it with gtk_window_present(). */
GtkWidget *co2s_log_window_new (Co2sService *service);

/* Property "service" (transfer none). */
Co2sService *co2s_log_window_get_service (Co2sLogWindow *self);

/* Every line as shown, "HH:MM:SS  text\n" each, oldest first. Free with
 * g_free. */
char *co2s_log_window_dup_text (Co2sLogWindow *self);

/* Copies co2s_log_window_dup_text() to the clipboard and says so in a
 * toast. */
void co2s_log_window_copy_all (Co2sLogWindow *self);

/* Writes co2s_log_window_dup_text() to @file (replaced; not NULL). The
 * Save… button calls it after its file chooser. */
void     co2s_log_window_save_async  (Co2sLogWindow       *self,
                                      GFile               *file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean co2s_log_window_save_finish (Co2sLogWindow       *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* TRUE while the view sticks to the newest line (scrolled to the bottom). */
gboolean co2s_log_window_get_following (Co2sLogWindow *self);

/* The scrolled window holding the list (transfer none; for tests). */
GtkScrolledWindow *co2s_log_window_get_scrolled_window (Co2sLogWindow *self);

G_END_DECLS
