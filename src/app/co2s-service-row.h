/* co2s-service-row.h — one row of the services list.
 *
 * An AdwActionRow showing a Co2sService: its title, as subtitle its
 * "description" when it has one (the broker: which Kafka, where, size on
 * disk) over its last log line (one line each, ellipsized), its state as
 * icon AND text (CSS classes success / warning / error, never colour
 * alone), uptime, restart count ("Restarted 3×") and as tooltip the whole
 * description and the state's message; a note the window adds under the
 * description (the trainer's row: how many trainers run and which
 * partitions each owns); a start/stop button for that one
 * service (through "supervisor", which also starts the services before it /
 * stops the ones after it) and a "Show log" button opening a
 * Co2sLogWindow. When the broker FAILED saying its data is damaged (a
 * message or last line with "damaged" or "--reset-data"), a "Reset Data…"
 * button activates app.reset-local-broker (the application's confirmation).
 * Uptime ticks once a second only while the row is mapped and the service
 * runs.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-service.h"
#include "co2s-supervisor.h"

G_BEGIN_DECLS

#define CO2S_TYPE_SERVICE_ROW (co2s_service_row_get_type ())
G_DECLARE_FINAL_TYPE (Co2sServiceRow, co2s_service_row, CO2S, SERVICE_ROW, AdwActionRow)

/* A row for @service (not NULL) of @supervisor (may be NULL: the start/stop
 * button is then insensitive). Returns a floating widget. */
GtkWidget *co2s_service_row_new (Co2sService    *service,
                                 Co2sSupervisor *supervisor);

/* Property "service" (transfer none; may be NULL before it is set). */
Co2sService *co2s_service_row_get_service (Co2sServiceRow *self);
void         co2s_service_row_set_service (Co2sServiceRow *self,
                                           Co2sService    *service);

/* Property "supervisor" (transfer none; may be NULL). */
Co2sSupervisor *co2s_service_row_get_supervisor (Co2sServiceRow *self);
void            co2s_service_row_set_supervisor (Co2sServiceRow *self,
                                                 Co2sSupervisor *supervisor);

/* Property "note": a line of its own under the description (and in the
 * tooltip), e.g. "2 trainers: t1 (0, 1), t2 (2, 3)"; NULL or "" for none.
 * Copied. */
const char *co2s_service_row_get_note (Co2sServiceRow *self);
void        co2s_service_row_set_note (Co2sServiceRow *self,
                                       const char     *note);

/* The state text shown ("Running"); owned by the row. */
const char *co2s_service_row_get_state_text (Co2sServiceRow *self);

/* The detail under it ("Up 3 min 04 s · Restarted 2×", or ""); owned by
 * the row. */
const char *co2s_service_row_get_detail_text (Co2sServiceRow *self);

/* What the start/stop button does when activated: TRUE = stop, FALSE =
 * start. */
gboolean co2s_service_row_get_stops (Co2sServiceRow *self);

/* Does what the start/stop button does (asynchronously, through the
 * supervisor; the service's state shows the outcome): the service and
 * those it needs or that need it (co2s_supervisor_start/stop_service_async),
 * or, for one of a run's several trainers, that trainer alone
 * (co2s_supervisor_start/stop_trainer_async). No-op without a supervisor. */
void co2s_service_row_toggle (Co2sServiceRow *self);

/* Opens (or raises) the service's log window, transient for the row's
 * window. Returns it (transfer none). */
GtkWindow *co2s_service_row_show_log (Co2sServiceRow *self);

G_END_DECLS
