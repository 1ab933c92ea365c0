/* co2s-kpi-panel.c — the twelve training KPIs (see co2s-kpi-panel.h).
 *
 * Template: resource:///io/github/co2stream/Co2stream/ui/kpi-panel.ui (the
 * flow box); the tiles are built here from the table below. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-kpi-panel.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* Characters every value label reserves, so a longer number never widens
 * a tile (the tiles share one width) nor moves the others. */
#define VALUE_WIDTH_CHARS 11
#define DETAIL_WIDTH_CHARS 24

typedef struct
{
  GtkWidget *box;           /* the tile; role group, named by the caption */
  GtkWidget *value;         /* GtkLabel */
  GtkWidget *detail;        /* GtkLabel */
  char *value_text;
  char *detail_text;
  char *description;
} Tile;

struct _Co2sKpiPanel
{
  GtkWidget parent_instance;

  /* template */
  GtkFlowBox *flow_box;

  GtkWidget *progress_bar;
  Tile tiles[CO2S_N_KPIS];

  Co2sMetricsHistory *history;
  Co2sSupervisor *supervisor;
  Co2sMetricsFollower *follower;

  guint timer_id;           /* 1 s while mapped and a value ages */
  guint tick_id;            /* pending refresh on the next frame */
};

G_DEFINE_FINAL_TYPE (Co2sKpiPanel, co2s_kpi_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_SUPERVISOR,
  PROP_FOLLOWER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Captions, in display order (the Co2sKpi order). */
static const char * const kpi_captions[CO2S_N_KPIS] = {
  [CO2S_KPI_LAST_RMSE] = N_("Last RMSE"),
  [CO2S_KPI_BEST_RMSE] = N_("Best RMSE"),
  [CO2S_KPI_ROLLING_RMSE] = N_("Rolling mean RMSE"),
  [CO2S_KPI_BATCHES] = N_("Batches"),
  [CO2S_KPI_ROWS_TRAINED] = N_("Rows trained"),
  [CO2S_KPI_ROWS_PER_SECOND] = N_("Throughput"),
  [CO2S_KPI_CONSUMER_LAG] = N_("Consumer lag"),
  [CO2S_KPI_MODEL_AGE] = N_("Model age"),
  [CO2S_KPI_UPTIME] = N_("Pipeline uptime"),
  [CO2S_KPI_PASS_PROGRESS] = N_("Data set pass"),
  [CO2S_KPI_LATENCY] = N_("Latency"),
  /* Translators: how often the truth fell inside the model's 95 % prediction intervals */
  [CO2S_KPI_COVERAGE] = N_("Interval coverage"),
};

/* ---- formatting (locale-aware: the UI follows LC_NUMERIC) ----------------- */

static char *
format_count (guint64 value)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, value);
}

static char *
format_rmse (double value)
{
  return g_strdup_printf ("%.*f", fabs (value) >= 1.0 ? 2 : 3, value);
}

typedef enum { UNIT_SECOND, UNIT_MINUTE, UNIT_HOUR, UNIT_DAY } TimeUnit;

/* "4 seconds": each plural pair is written out so xgettext sees it. */
static char *
words_unit (guint64  n,
            TimeUnit unit)
{
  const char *format = NULL;

  switch (unit)
    {
    case UNIT_SECOND:
      format = g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", n);
      break;
    case UNIT_MINUTE:
      format = g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", n);
      break;
    case UNIT_HOUR:
      format = g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", n);
      break;
    case UNIT_DAY:
      format = g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", n);
      break;
    default:
      g_assert_not_reached ();
    }

  return g_strdup_printf (format, (guint) n);
}

/* ---- tiles --------------------------------------------------------------- */

static void
tile_clear (Tile *tile)
{
  g_clear_pointer (&tile->value_text, g_free);
  g_clear_pointer (&tile->detail_text, g_free);
  g_clear_pointer (&tile->description, g_free);
}

/* Takes ownership of the three strings; touches widgets only on change. */
static void
tile_set (Tile *tile,
          char *value,
          char *detail,
          char *description)
{
  if (g_strcmp0 (value, tile->value_text) != 0)
    {
      gtk_label_set_text (GTK_LABEL (tile->value), value);
      g_free (tile->value_text);
      tile->value_text = g_steal_pointer (&value);
    }
  if (g_strcmp0 (detail, tile->detail_text) != 0)
    {
      gtk_label_set_text (GTK_LABEL (tile->detail), detail);
      /* The whole text when a narrow tile ellipsizes it. */
      gtk_widget_set_tooltip_text (tile->detail, detail);
      g_free (tile->detail_text);
      tile->detail_text = g_steal_pointer (&detail);
    }
  if (g_strcmp0 (description, tile->description) != 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (tile->box),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (tile->value),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                      -1);
      g_free (tile->description);
      tile->description = g_steal_pointer (&description);
    }

  g_free (value);
  g_free (detail);
  g_free (description);
}

static GtkWidget *
build_tile (Co2sKpiPanel *self,
            Co2sKpi       kpi)
{
  Tile *tile = &self->tiles[kpi];
  const char *caption = g_dgettext (GETTEXT_PACKAGE, kpi_captions[kpi]);
  GtkWidget *child;
  GtkWidget *box;
  GtkWidget *caption_label;

  box = g_object_new (GTK_TYPE_BOX,
                      "orientation", GTK_ORIENTATION_VERTICAL,
                      "spacing", 2,
                      "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                      NULL);
  tile->box = box;
  gtk_widget_add_css_class (box, "kpi-tile");
  gtk_widget_add_css_class (box, "card");

  caption_label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (caption_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (caption_label, "kpi-caption");
  gtk_box_append (GTK_BOX (box), caption_label);

  tile->value = gtk_label_new ("—");
  gtk_label_set_xalign (GTK_LABEL (tile->value), 0.0f);
  gtk_label_set_width_chars (GTK_LABEL (tile->value), VALUE_WIDTH_CHARS);
  gtk_label_set_max_width_chars (GTK_LABEL (tile->value), VALUE_WIDTH_CHARS);
  gtk_label_set_ellipsize (GTK_LABEL (tile->value), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (tile->value), TRUE);
  gtk_widget_add_css_class (tile->value, "kpi-value");
  gtk_box_append (GTK_BOX (box), tile->value);

  if (kpi == CO2S_KPI_PASS_PROGRESS)
    {
      self->progress_bar = gtk_progress_bar_new ();
      gtk_widget_set_margin_top (self->progress_bar, 4);
      gtk_widget_set_margin_bottom (self->progress_bar, 2);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, caption,
                                      -1);
      gtk_box_append (GTK_BOX (box), self->progress_bar);
    }

  tile->detail = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (tile->detail), 0.0f);
  gtk_label_set_width_chars (GTK_LABEL (tile->detail), DETAIL_WIDTH_CHARS);
  gtk_label_set_max_width_chars (GTK_LABEL (tile->detail), DETAIL_WIDTH_CHARS);
  gtk_label_set_ellipsize (GTK_LABEL (tile->detail), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (tile->detail), TRUE);
  gtk_widget_add_css_class (tile->detail, "kpi-detail");
  gtk_box_append (GTK_BOX (box), tile->detail);

  /* The tile is a group named by the caption; it and the value (whose
   * name is its text, "6.24 g/km") carry the sentence in words. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, caption,
                                  -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (tile->value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption_label, NULL,
                                  -1);

  child = gtk_flow_box_child_new ();
  gtk_widget_set_focusable (child, FALSE);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), box);

  return child;
}

/* ---- refresh ------------------------------------------------------------- */

static const char *
unknown (void)
{
  /* Translators: shown instead of a value not known yet */
  return C_("value", "—");
}

static void
refresh_rmse (Co2sKpiPanel          *self,
              const Co2sMetricsKpis *k)
{
  guint window = self->history != NULL ? co2s_metrics_history_get_rolling_window (self->history) : 0;
  g_autofree char *best_batch = format_count (k->best_batch);
  g_autofree char *last_batch = format_count (k->last_batch);

  if (isfinite (k->last_rmse) && k->n_models >= 2)
    {
      /* Several models: the figures are the champion's; say which. */
      g_autofree char *v = format_rmse (k->last_rmse);

      tile_set (&self->tiles[CO2S_KPI_LAST_RMSE],
                g_strdup_printf (_("%s g/km"), v),
                /* Translators: under the last RMSE when the trainer learns
                 * several models: the champion's name (the model with the
                 * lowest rolling RMSE) and how many there are, e.g.
                 * "ls:fuel, champion of 3"; keep it short (24 characters) */
                g_strdup_printf (ngettext ("%s, champion of %u", "%s, champion of %u", k->n_models),
                                 k->algo, k->n_models),
                g_strdup_printf (ngettext ("Last prequential RMSE: %s grams per kilometre, at batch %s, "
                                           "of the champion %s among %u model",
                                           "Last prequential RMSE: %s grams per kilometre, at batch %s, "
                                           "of the champion %s among %u models", k->n_models),
                                 v, last_batch, k->algo, k->n_models));
    }
  else if (isfinite (k->last_rmse))
    {
      g_autofree char *v = format_rmse (k->last_rmse);

      tile_set (&self->tiles[CO2S_KPI_LAST_RMSE],
                /* Translators: an RMSE in grams of CO₂ per kilometre */
                g_strdup_printf (_("%s g/km"), v),
                /* Translators: %s is a batch number */
                g_strdup_printf (_("Batch %s, before learning"), last_batch),
                g_strdup_printf (_("Last prequential RMSE: %s grams per kilometre, at batch %s"),
                                 v, last_batch));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_LAST_RMSE], g_strdup (unknown ()),
              g_strdup (k->batches > 0 ? _("Not measured") : _("No batch yet")),
              g_strdup (_("Last prequential RMSE: not known yet")));

  if (isfinite (k->best_rmse))
    {
      g_autofree char *v = format_rmse (k->best_rmse);

      tile_set (&self->tiles[CO2S_KPI_BEST_RMSE],
                g_strdup_printf (_("%s g/km"), v),
                g_strdup_printf (_("At batch %s"), best_batch),
                g_strdup_printf (_("Best RMSE: %s grams per kilometre, at batch %s"), v, best_batch));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_BEST_RMSE], g_strdup (unknown ()), g_strdup (""),
              g_strdup (_("Best RMSE: not known yet")));

  if (isfinite (k->rolling_rmse))
    {
      g_autofree char *v = format_rmse (k->rolling_rmse);

      tile_set (&self->tiles[CO2S_KPI_ROLLING_RMSE],
                g_strdup_printf (_("%s g/km"), v),
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Over the last %u batch",
                                              "Over the last %u batches", window), window),
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Rolling mean RMSE over the last %u batch: %s grams per kilometre",
                                              "Rolling mean RMSE over the last %u batches: %s grams per kilometre",
                                              window), window, v));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_ROLLING_RMSE], g_strdup (unknown ()), g_strdup (""),
              g_strdup (_("Rolling mean RMSE: not known yet")));
}

static void
refresh_counts (Co2sKpiPanel          *self,
                const Co2sMetricsKpis *k)
{
  g_autofree char *batches = format_count (k->batches);
  g_autofree char *last_batch = format_count (k->last_batch);
  g_autofree char *rows = format_count (k->rows_seen);
  g_autofree char *dlq = format_count (k->dlq);

  tile_set (&self->tiles[CO2S_KPI_BATCHES],
            g_strdup (batches),
            k->batches > 0
              /* Translators: %s is the number of the latest batch */
              ? g_strdup_printf (_("Latest: batch %s"), last_batch)
              : g_strdup (_("Micro-batches evaluated")),
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s batch evaluated",
                                          "%s batches evaluated", k->batches), batches));

  tile_set (&self->tiles[CO2S_KPI_ROWS_TRAINED],
            g_strdup (rows),
            k->dlq > 0
              /* Translators: %s is a count of malformed rows sent to the dead-letter queue */
              ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s bad row set aside", "%s bad rows set aside", k->dlq), dlq)
              : g_strdup (_("No bad rows")),
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s row trained; %s rejected",
                                          "%s rows trained; %s rejected", k->rows_seen), rows, dlq));

  if (isfinite (k->rows_per_second) && k->batches > 1)
    {
      g_autofree char *rate = g_strdup_printf ("%.1f", k->rows_per_second);

      tile_set (&self->tiles[CO2S_KPI_ROWS_PER_SECOND],
                /* Translators: training speed */
                g_strdup_printf (_("%s rows/s"), rate),
                g_strdup (_("Rows per second")),
                g_strdup_printf (_("Throughput: %s rows per second"), rate));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_ROWS_PER_SECOND], g_strdup (unknown ()),
              g_strdup (_("Rows per second")), g_strdup (_("Throughput: not known yet")));
}

static void
refresh_lag (Co2sKpiPanel          *self,
             const Co2sMetricsKpis *k)
{
  g_autofree char *source = NULL;
  char *value;
  char *description;

  if (self->follower == NULL)
    source = g_strdup (_("From the metrics file"));
  else if (co2s_metrics_follower_get_reachable (self->follower))
    {
      gint64 behind = co2s_metrics_follower_get_lag (self->follower);

      if (behind > 0)
        {
          g_autofree char *count = format_count ((guint64) behind);

          /* Translators: this viewer has not read %s metrics messages yet */
          source = g_strdup_printf (_("Following live, %s behind"), count);
        }
      else
        source = g_strdup (_("Following live"));
    }
  else if (co2s_metrics_follower_get_running (self->follower))
    source = g_strdup (_("Broker not reachable"));
  else
    source = g_strdup (_("Not following"));

  if (k->batches > 0 && k->lag >= 0)
    {
      g_autofree char *lag = format_count ((guint64) k->lag);

      /* Translators: messages the trainer has not consumed yet */
      value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s msg", "%s msgs", (gulong) k->lag), lag);
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "Consumer lag: %s message waiting for the trainer; %s",
                                                  "Consumer lag: %s messages waiting for the trainer; %s",
                                                  (gulong) k->lag), lag, source);
    }
  else
    {
      value = g_strdup (unknown ());
      description = g_strdup_printf (_("Consumer lag: not known yet; %s"), source);
    }

  tile_set (&self->tiles[CO2S_KPI_CONSUMER_LAG], value, g_steal_pointer (&source), description);
}

/* "12 ms", "1.25 s" (@in_words: "12 milliseconds", for screen readers). */
static char *
format_latency (gint64 us, gboolean in_words)
{
  double ms = (double) us / 1000.0;

  if (ms >= 1000.0)
    return g_strdup_printf (in_words ? _("%.2f seconds") : _("%.2f s"), ms / 1000.0);
  if (ms >= 10.0)
    return g_strdup_printf (in_words ? _("%.0f milliseconds") : _("%.0f ms"), ms);
  return g_strdup_printf (in_words ? _("%.1f milliseconds") : _("%.1f ms"), ms);
}

/* The last batch's per-row latency, from the API's emit to the checkpoint
 * that saved the row (latency_p50_us, latency_p99_us of its metrics line). */
static void
refresh_latency (Co2sKpiPanel *self)
{
  Co2sBatchMetrics m = { .latency_p50_us = -1, .latency_p99_us = -1 };
  guint n = self->history != NULL ? co2s_metrics_history_get_n_batches (self->history) : 0;

  if (n > 0)
    co2s_metrics_history_get_batch (self->history, n - 1, &m);
  if (m.latency_p50_us >= 0 && m.latency_p99_us >= 0)
    {
      g_autofree char *p50 = format_latency (m.latency_p50_us, FALSE);
      g_autofree char *p99 = format_latency (m.latency_p99_us, FALSE);
      g_autofree char *p50_words = format_latency (m.latency_p50_us, TRUE);
      g_autofree char *p99_words = format_latency (m.latency_p99_us, TRUE);

      tile_set (&self->tiles[CO2S_KPI_LATENCY], g_strdup_printf (_("p50 %s"), p50),
                /* Translators: the 99th percentile of the last batch's latency,
                 * from the API to the saved model; keep it short (24
                 * characters), the tile's tooltip and description say more */
                g_strdup_printf (_("p99 %s, API to model"), p99),
                g_strdup_printf (_("Latency from the API to the saved model, last batch: "
                                   "median %s, 99th percentile %s"), p50_words, p99_words));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_LATENCY], g_strdup (unknown ()),
              g_strdup (_("API to saved model")), g_strdup (_("Latency: not known yet")));
}

/* The share of the recent batches' rows that fell inside their 95 %
 * interval (coverage_95), against the 95 % it should be; the value turns
 * to the warning colour below 90 %. */
static void
refresh_coverage (Co2sKpiPanel          *self,
                  const Co2sMetricsKpis *k)
{
  Tile *tile = &self->tiles[CO2S_KPI_COVERAGE];
  guint window = self->history != NULL ? co2s_metrics_history_get_rolling_window (self->history)
                                       : CO2S_METRICS_HISTORY_DEFAULT_ROLLING_WINDOW;
  /* Translators: under the interval coverage: the 95 %% it should be, and
   * over how many recent batches it is measured; keep it short */
  g_autofree char *detail = g_strdup_printf (ngettext ("Target 95 %%, %u batch", "Target 95 %%, %u batches",
                                                       window), window);

  if (isfinite (k->rolling_coverage))
    {
      double percent = 100.0 * k->rolling_coverage;

      /* Translators: a share in per cent, e.g. "94.8 %" (French: "94,8 %") */
      tile_set (tile, g_strdup_printf (_("%.1f %%"), percent), g_steal_pointer (&detail),
                /* Translators: what a screen reader says for the interval coverage tile */
                g_strdup_printf (ngettext ("Interval coverage: %.1f per cent of the rows of the last batch fell "
                                           "inside their 95 per cent prediction interval; the target is 95 per cent",
                                           "Interval coverage: %.1f per cent of the rows of the last %u batches fell "
                                           "inside their 95 per cent prediction intervals; the target is 95 per cent",
                                           window), percent, window));
      if (percent < 90.0)
        gtk_widget_add_css_class (tile->value, "warning");
      else
        gtk_widget_remove_css_class (tile->value, "warning");
    }
  else
    {
      tile_set (tile, g_strdup (unknown ()), g_steal_pointer (&detail),
                g_strdup (_("Interval coverage: not known yet")));
      gtk_widget_remove_css_class (tile->value, "warning");
    }
}

/* Returns whether a value shown depends on the clock (model age, uptime). */
static gboolean
refresh_times (Co2sKpiPanel          *self,
               const Co2sMetricsKpis *k)
{
  gint64 earliest = 0;
  guint running = 0;
  guint enabled = 0;

  if (k->model_age_us >= 0)
    {
      g_autofree char *words = co2s_format_duration_words (k->model_age_us);

      tile_set (&self->tiles[CO2S_KPI_MODEL_AGE],
                co2s_format_duration (k->model_age_us),
                g_strdup (_("Since the last checkpoint")),
                g_strdup_printf (_("Model age: %s since the last checkpoint"), words));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_MODEL_AGE], g_strdup (unknown ()),
              g_strdup (_("No checkpoint yet")), g_strdup (_("Model age: no checkpoint yet")));

  if (self->supervisor != NULL)
    {
      GListModel *services = co2s_supervisor_get_services (self->supervisor);
      guint n = g_list_model_get_n_items (services);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(Co2sService) service = g_list_model_get_item (services, i);
          gint64 started_at = co2s_service_get_started_at (service);

          if (!co2s_service_get_enabled (service))
            continue;
          enabled++;
          if (started_at <= 0)
            continue;
          running++;
          if (earliest == 0 || started_at < earliest)
            earliest = started_at;
        }
    }

  if (earliest > 0)
    {
      gint64 uptime = g_get_monotonic_time () - earliest;
      g_autofree char *words = co2s_format_duration_words (uptime);

      tile_set (&self->tiles[CO2S_KPI_UPTIME],
                co2s_format_duration (uptime),
                /* Translators: services running out of the enabled ones */
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u service running",
                                              "%u of %u services running", enabled), running, enabled),
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Pipeline uptime: %s; %u of %u service running",
                                              "Pipeline uptime: %s; %u of %u services running",
                                              enabled), words, running, enabled));
    }
  else
    tile_set (&self->tiles[CO2S_KPI_UPTIME], g_strdup (unknown ()),
              g_strdup (_("Not running")), g_strdup (_("Pipeline uptime: not running")));

  return k->model_age_us >= 0 || earliest > 0;
}

static void
refresh_progress (Co2sKpiPanel          *self,
                  const Co2sMetricsKpis *k)
{
  if (k->batches > 0 && isfinite (k->pass_progress))
    {
      double percent = 100.0 * k->pass_progress;
      g_autofree char *pass = format_count (k->pass);

      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), k->pass_progress);
      tile_set (&self->tiles[CO2S_KPI_PASS_PROGRESS],
                /* Translators: a percentage; use your locale's spacing, e.g. "42 %" */
                g_strdup_printf (_("%.0f %%"), floor (percent)),
                /* Translators: %s is the number of the pass over the data set */
                g_strdup_printf (_("Pass %s over the data set"), pass),
                g_strdup_printf (_("Pass %s over the data set: %.0f percent done"), pass, floor (percent)));
    }
  else
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0.0);
      tile_set (&self->tiles[CO2S_KPI_PASS_PROGRESS], g_strdup (unknown ()),
                g_strdup (_("No pass started")),
                g_strdup (_("Progress through the data set: no pass started")));
    }
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (widget);

  self->tick_id = 0;
  co2s_kpi_panel_refresh (self);

  return G_SOURCE_REMOVE;
}

/* Coalesces changes into one refresh on the next frame. Nothing while
 * unmapped: mapping refreshes everything. */
static void
queue_refresh (Co2sKpiPanel *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static gboolean
timer_cb (gpointer user_data)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (user_data);

  co2s_kpi_panel_refresh (self);

  return self->timer_id != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Ticks once a second while mapped and something shown ages; no wakeups
 * otherwise. */
static void
update_timer (Co2sKpiPanel *self,
              gboolean      ages)
{
  gboolean want = ages && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, timer_cb, self);
  else if (!want && self->timer_id != 0)
    {
      g_source_remove (self->timer_id);
      self->timer_id = 0;
    }
}

/* ---- sources ------------------------------------------------------------- */

static void
disconnect_services (Co2sKpiPanel *self)
{
  GListModel *services;

  if (self->supervisor == NULL)
    return;

  services = co2s_supervisor_get_services (self->supervisor);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(GObject) service = g_list_model_get_item (services, i);

      g_signal_handlers_disconnect_by_data (service, self);
    }
}

static void
connect_services (Co2sKpiPanel *self)
{
  GListModel *services = co2s_supervisor_get_services (self->supervisor);

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(GObject) service = g_list_model_get_item (services, i);

      g_signal_connect_object (service, "notify::started-at", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "notify::enabled", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
    }
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
co2s_kpi_panel_map (GtkWidget *widget)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (widget);

  GTK_WIDGET_CLASS (co2s_kpi_panel_parent_class)->map (widget);

  /* Current at once (ages moved on while hidden); starts the timer. */
  co2s_kpi_panel_refresh (self);
}

static void
co2s_kpi_panel_unmap (GtkWidget *widget)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (widget);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }

  GTK_WIDGET_CLASS (co2s_kpi_panel_parent_class)->unmap (widget);
}

static void
co2s_kpi_panel_dispose (GObject *object)
{
  GtkWidget *child;
  Co2sKpiPanel *self = CO2S_KPI_PANEL (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->follower != NULL)
    g_signal_handlers_disconnect_by_data (self->follower, self);
  disconnect_services (self);
  g_clear_object (&self->history);
  g_clear_object (&self->supervisor);
  g_clear_object (&self->follower);

  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_KPI_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (co2s_kpi_panel_parent_class)->dispose (object);
}

static void
co2s_kpi_panel_finalize (GObject *object)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (object);

  for (guint i = 0; i < CO2S_N_KPIS; i++)
    tile_clear (&self->tiles[i]);

  G_OBJECT_CLASS (co2s_kpi_panel_parent_class)->finalize (object);
}

static void
co2s_kpi_panel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SUPERVISOR:
      g_value_set_object (value, self->supervisor);
      break;
    case PROP_FOLLOWER:
      g_value_set_object (value, self->follower);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_kpi_panel_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  Co2sKpiPanel *self = CO2S_KPI_PANEL (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      co2s_kpi_panel_set_history (self, g_value_get_object (value));
      break;
    case PROP_SUPERVISOR:
      co2s_kpi_panel_set_supervisor (self, g_value_get_object (value));
      break;
    case PROP_FOLLOWER:
      co2s_kpi_panel_set_follower (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_kpi_panel_class_init (Co2sKpiPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = co2s_kpi_panel_dispose;
  object_class->finalize = co2s_kpi_panel_finalize;
  object_class->get_property = co2s_kpi_panel_get_property;
  object_class->set_property = co2s_kpi_panel_set_property;

  widget_class->map = co2s_kpi_panel_map;
  widget_class->unmap = co2s_kpi_panel_unmap;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CO2S_TYPE_METRICS_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUPERVISOR] =
    g_param_spec_object ("supervisor", NULL, NULL, CO2S_TYPE_SUPERVISOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWER] =
    g_param_spec_object ("follower", NULL, NULL, CO2S_TYPE_METRICS_FOLLOWER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/kpi-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sKpiPanel, flow_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "co2s-kpi-panel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
co2s_kpi_panel_init (Co2sKpiPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < CO2S_N_KPIS; i++)
    gtk_flow_box_append (self->flow_box, build_tile (self, i));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Training indicators"),
                                  -1);
  co2s_kpi_panel_refresh (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
co2s_kpi_panel_new (Co2sMetricsHistory  *history,
                    Co2sSupervisor      *supervisor,
                    Co2sMetricsFollower *follower)
{
  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);
  g_return_val_if_fail (supervisor == NULL || CO2S_IS_SUPERVISOR (supervisor), NULL);
  g_return_val_if_fail (follower == NULL || CO2S_IS_METRICS_FOLLOWER (follower), NULL);

  return g_object_new (CO2S_TYPE_KPI_PANEL,
                       "history", history,
                       "supervisor", supervisor,
                       "follower", follower,
                       NULL);
}

Co2sMetricsHistory *
co2s_kpi_panel_get_history (Co2sKpiPanel *self)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);

  return self->history;
}

void
co2s_kpi_panel_set_history (Co2sKpiPanel       *self,
                            Co2sMetricsHistory *history)
{
  g_return_if_fail (CO2S_IS_KPI_PANEL (self));
  g_return_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  if (history != NULL)
    {
      g_signal_connect_object (history, "changed", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (history, "notify::rolling-window", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (history, "notify::dataset-rows", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
    }

  co2s_kpi_panel_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

Co2sSupervisor *
co2s_kpi_panel_get_supervisor (Co2sKpiPanel *self)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);

  return self->supervisor;
}

void
co2s_kpi_panel_set_supervisor (Co2sKpiPanel   *self,
                               Co2sSupervisor *supervisor)
{
  g_return_if_fail (CO2S_IS_KPI_PANEL (self));
  g_return_if_fail (supervisor == NULL || CO2S_IS_SUPERVISOR (supervisor));

  if (self->supervisor == supervisor)
    return;

  disconnect_services (self);
  g_set_object (&self->supervisor, supervisor);
  if (supervisor != NULL)
    connect_services (self);

  co2s_kpi_panel_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUPERVISOR]);
}

Co2sMetricsFollower *
co2s_kpi_panel_get_follower (Co2sKpiPanel *self)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);

  return self->follower;
}

void
co2s_kpi_panel_set_follower (Co2sKpiPanel        *self,
                             Co2sMetricsFollower *follower)
{
  g_return_if_fail (CO2S_IS_KPI_PANEL (self));
  g_return_if_fail (follower == NULL || CO2S_IS_METRICS_FOLLOWER (follower));

  if (self->follower == follower)
    return;

  if (self->follower != NULL)
    g_signal_handlers_disconnect_by_data (self->follower, self);
  g_set_object (&self->follower, follower);
  if (follower != NULL)
    {
      g_signal_connect_object (follower, "notify::reachable", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (follower, "notify::running", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (follower, "notify::lag", G_CALLBACK (queue_refresh),
                               self, G_CONNECT_SWAPPED);
    }

  co2s_kpi_panel_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWER]);
}

void
co2s_kpi_panel_refresh (Co2sKpiPanel *self)
{
  Co2sMetricsKpis k;
  gboolean ages;

  g_return_if_fail (CO2S_IS_KPI_PANEL (self));

  if (self->history != NULL)
    co2s_metrics_history_get_kpis (self->history, g_get_real_time (), &k);
  else
    {
      memset (&k, 0, sizeof k);
      k.last_rmse = k.best_rmse = k.rolling_rmse = k.rows_per_second = NAN;
      k.pass_progress = k.rolling_coverage = NAN;
      k.lag = -1;
      k.model_age_us = -1;
    }

  refresh_rmse (self, &k);
  refresh_counts (self, &k);
  refresh_lag (self, &k);
  ages = refresh_times (self, &k);
  refresh_progress (self, &k);
  refresh_latency (self);
  refresh_coverage (self, &k);
  update_timer (self, ages);
}

const char *
co2s_kpi_panel_get_value_text (Co2sKpiPanel *self,
                               Co2sKpi       kpi)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);
  g_return_val_if_fail (kpi < CO2S_N_KPIS, NULL);

  return self->tiles[kpi].value_text;
}

const char *
co2s_kpi_panel_get_detail_text (Co2sKpiPanel *self,
                                Co2sKpi       kpi)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);
  g_return_val_if_fail (kpi < CO2S_N_KPIS, NULL);

  return self->tiles[kpi].detail_text;
}

const char *
co2s_kpi_panel_get_description (Co2sKpiPanel *self,
                                Co2sKpi       kpi)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);
  g_return_val_if_fail (kpi < CO2S_N_KPIS, NULL);

  return self->tiles[kpi].description;
}

GtkWidget *
co2s_kpi_panel_get_value_widget (Co2sKpiPanel *self,
                                 Co2sKpi       kpi)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);
  g_return_val_if_fail (kpi < CO2S_N_KPIS, NULL);

  return self->tiles[kpi].value;
}

GtkWidget *
co2s_kpi_panel_get_tile_widget (Co2sKpiPanel *self,
                                Co2sKpi       kpi)
{
  g_return_val_if_fail (CO2S_IS_KPI_PANEL (self), NULL);
  g_return_val_if_fail (kpi < CO2S_N_KPIS, NULL);

  return self->tiles[kpi].box;
}

char *
co2s_format_duration (gint64 us)
{
  guint64 s = us > 0 ? (guint64) (us / G_USEC_PER_SEC) : 0;

  if (s < 60)
    /* Translators: a duration in seconds; keep it short */
    return g_strdup_printf (_("%u s"), (guint) s);
  if (s < 3600)
    /* Translators: minutes and seconds */
    return g_strdup_printf (_("%u min %02u s"), (guint) (s / 60), (guint) (s % 60));
  if (s < 86400)
    /* Translators: hours and minutes */
    return g_strdup_printf (_("%u h %02u min"), (guint) (s / 3600), (guint) (s % 3600 / 60));
  /* Translators: days and hours */
  return g_strdup_printf (_("%u d %02u h"), (guint) (s / 86400), (guint) (s % 86400 / 3600));
}

char *
co2s_format_duration_words (gint64 us)
{
  guint64 s = us > 0 ? (guint64) (us / G_USEC_PER_SEC) : 0;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;

  if (s < 60)
    return words_unit (s, UNIT_SECOND);
  if (s < 3600)
    {
      big = words_unit (s / 60, UNIT_MINUTE);
      small = words_unit (s % 60, UNIT_SECOND);
    }
  else if (s < 86400)
    {
      big = words_unit (s / 3600, UNIT_HOUR);
      small = words_unit (s % 3600 / 60, UNIT_MINUTE);
    }
  else
    {
      big = words_unit (s / 86400, UNIT_DAY);
      small = words_unit (s % 86400 / 3600, UNIT_HOUR);
    }

  /* Translators: a duration in words: "3 minutes" and "4 seconds" */
  return g_strdup_printf (C_("duration", "%s %s"), big, small);
}
