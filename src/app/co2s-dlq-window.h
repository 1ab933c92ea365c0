/* co2s-dlq-window.h — the Dead Letters window: the messages of
 * streaming_data.dlq (reason, detail, source, offset, time; co2s-dlq.h)
 * in a list, filtered by reason, with the raw payload of the selected one,
 * and "Send Back to streaming_data" (exactly once, after a confirmation)
 * for the selected rows.
 *
 * Kafka is reached at the supervisor's "bootstrap-servers" (the running
 * pipeline's broker), or, before a run, at the controller's
 * "broker-address" when the broker is an existing Kafka (local backend);
 * with the supervisor's -X properties
 * (co2s_supervisor_dup_kafka_overrides), as the metrics follower does.
 * Reading and sending run on worker threads (GTask); the results come back
 * on the main context, where alone widgets are touched.
 *
 * Actions (group "dlq"): dlq.refresh (F5, Ctrl+R), dlq.redrive
 * (Ctrl+Return; disabled without a selection or while busy). Main thread
 * only. */
#pragma once

#include <adwaita.h>

#include "co2s-pipeline-controller.h"

G_BEGIN_DECLS

#define CO2S_TYPE_DLQ_WINDOW (co2s_dlq_window_get_type ())
G_DECLARE_FINAL_TYPE (Co2sDlqWindow, co2s_dlq_window, CO2S, DLQ_WINDOW, AdwWindow)

/* A new window for the pipeline of @controller (a reference is kept) that
 * starts reading the DLQ when first shown. */
Co2sDlqWindow *co2s_dlq_window_new (Co2sPipelineController *controller);

/* Shows the Dead Letters window of @parent's application (transient for
 * @parent), made the first time, refreshed when it already existed.
 * Returns it (transfer none). */
Co2sDlqWindow *co2s_dlq_window_present (GtkWindow *parent,
                                        Co2sPipelineController *controller);

/* Reads the DLQ again (no-op while busy). */
void co2s_dlq_window_refresh (Co2sDlqWindow *self);

/* Property "busy": TRUE while reading or sending. */
gboolean co2s_dlq_window_get_busy (Co2sDlqWindow *self);

/* The list's selection model over the filtered letters (Co2sDeadLetter
 * items); transfer none. */
GtkSelectionModel *co2s_dlq_window_get_selection (Co2sDlqWindow *self);

/* The status line's text (count, error or the last redrive's result). */
const char *co2s_dlq_window_get_status (Co2sDlqWindow *self);

/* The raw payload view's text. Free with g_free. */
char *co2s_dlq_window_dup_payload_text (Co2sDlqWindow *self);

G_END_DECLS
