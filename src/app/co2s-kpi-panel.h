/* co2s-kpi-panel.h — the ten training KPIs as tiles.
 *
 * Each tile shows a caption, a value with its unit in the locale's number
 * format with tabular figures and a fixed minimum width (nothing jumps when
 * values change), and a detail line. Each tile is an accessible group
 * named by its caption ("Last RMSE"); the tile and its value label carry a
 * description in words ("Last prequential RMSE: 6.24 grams per kilometre,
 * at batch 150"); the value label's own name is its text.
 *
 * Sources: "history" (RMSEs, batches, rows, rows/s, the trainer's consumer
 * lag, model age, pass progress), "supervisor" (pipeline uptime: since the
 * earliest "started-at" of the running services), "follower" (whether the
 * lag is live). Changes are shown on the next frame (coalesced); ages and
 * uptime tick once a second, only while the panel is mapped.
 *
 * Main thread only. */
#pragma once

#include <adwaita.h>

#include "co2s-metrics-follower.h"
#include "co2s-metrics-history.h"
#include "co2s-supervisor.h"

G_BEGIN_DECLS

typedef enum {
  CO2S_KPI_LAST_RMSE,
  CO2S_KPI_BEST_RMSE,
  CO2S_KPI_ROLLING_RMSE,
  CO2S_KPI_BATCHES,
  CO2S_KPI_ROWS_TRAINED,
  CO2S_KPI_ROWS_PER_SECOND,
  CO2S_KPI_CONSUMER_LAG,
  CO2S_KPI_MODEL_AGE,
  CO2S_KPI_UPTIME,
  CO2S_KPI_PASS_PROGRESS,
  CO2S_KPI_LATENCY,          /* p50 / p99 emit → checkpoint, last batch */
  CO2S_KPI_COVERAGE,         /* mean coverage_95 over the rolling window, against 95 % */
  CO2S_N_KPIS
} Co2sKpi;

#define CO2S_TYPE_KPI_PANEL (co2s_kpi_panel_get_type ())
G_DECLARE_FINAL_TYPE (Co2sKpiPanel, co2s_kpi_panel, CO2S, KPI_PANEL, GtkWidget)

/* A new panel; every argument may be NULL. Returns a floating widget. */
GtkWidget *co2s_kpi_panel_new (Co2sMetricsHistory  *history,
                               Co2sSupervisor      *supervisor,
                               Co2sMetricsFollower *follower);

/* Property "history" (transfer none; may be NULL). Setting holds a ref. */
Co2sMetricsHistory *co2s_kpi_panel_get_history (Co2sKpiPanel       *self);
void                co2s_kpi_panel_set_history (Co2sKpiPanel       *self,
                                                Co2sMetricsHistory *history);

/* Property "supervisor" (transfer none; may be NULL). */
Co2sSupervisor *co2s_kpi_panel_get_supervisor (Co2sKpiPanel   *self);
void            co2s_kpi_panel_set_supervisor (Co2sKpiPanel   *self,
                                               Co2sSupervisor *supervisor);

/* Property "follower" (transfer none; may be NULL). */
Co2sMetricsFollower *co2s_kpi_panel_get_follower (Co2sKpiPanel        *self);
void                 co2s_kpi_panel_set_follower (Co2sKpiPanel        *self,
                                                  Co2sMetricsFollower *follower);

/* Recomputes every value now (normally done on the next frame after a
 * change, and every second while mapped). */
void co2s_kpi_panel_refresh (Co2sKpiPanel *self);

/* The text shown for @kpi, with its unit ("6.24 g/km"; "—" when not known).
 * Owned by the panel; valid until the next refresh. */
const char *co2s_kpi_panel_get_value_text (Co2sKpiPanel *self,
                                           Co2sKpi       kpi);

/* The detail line under it ("at batch 60"); owned by the panel. */
const char *co2s_kpi_panel_get_detail_text (Co2sKpiPanel *self,
                                            Co2sKpi       kpi);

/* The accessible description of @kpi's value in words; owned by the panel. */
const char *co2s_kpi_panel_get_description (Co2sKpiPanel *self,
                                            Co2sKpi       kpi);

/* The GtkLabel showing @kpi's value (transfer none). */
GtkWidget *co2s_kpi_panel_get_value_widget (Co2sKpiPanel *self,
                                            Co2sKpi       kpi);

/* The tile (caption, value, detail) of @kpi (transfer none). */
GtkWidget *co2s_kpi_panel_get_tile_widget (Co2sKpiPanel *self,
                                           Co2sKpi       kpi);

/* A duration shown to users, short ("42 s", "3 min 04 s", "2 h 05 min",
 * "3 d 04 h"; negative = 0), or in words for screen readers ("3 minutes 4
 * seconds"). Translated. Free with g_free. Any thread. */
char *co2s_format_duration       (gint64 us);
char *co2s_format_duration_words (gint64 us);

G_END_DECLS
