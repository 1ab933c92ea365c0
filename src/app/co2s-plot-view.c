/* co2s-plot-view.c — the live RMSE plot (see co2s-plot-view.h).
 *
 * Template: resource:///io/github/co2stream/Co2stream/ui/plot-view.ui */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-plot-view.h"

#include <glib/gi18n.h>

/* The accessible description is rebuilt at most this often. */
#define DESCRIPTION_INTERVAL_US G_USEC_PER_SEC

struct _Co2sPlotView
{
  GtkWidget parent_instance;

  /* template */
  GtkDrawingArea *area;
  GtkWidget *empty_box;

  Co2sMetricsHistory *history;
  Co2sRmsePlot *plot;
  AdwStyleManager *style_manager;

  char *description;
  gint64 description_us;    /* monotonic time of the last update, 0 = never */
  guint description_id;     /* pending throttled update */

  guint last_n;
  Co2sPlotQuantity quantity;
  guint draw_count;
  guint log_scale : 1;
  guint show_fit : 1;
  guint show_rolling_mean : 1;
  guint dark : 1;
};

G_DEFINE_FINAL_TYPE (Co2sPlotView, co2s_plot_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_LOG_SCALE,
  PROP_SHOW_FIT,
  PROP_SHOW_ROLLING_MEAN,
  PROP_LAST_N,
  PROP_QUANTITY,
  PROP_DARK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------- */

static void
draw_func (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  Co2sPlotView *self = user_data;
  Co2sRmsePlotOptions options;

  g_assert (CO2S_IS_PLOT_VIEW (self));

  co2s_plot_view_get_options (self, &options);
  self->draw_count++;
  co2s_rmse_plot_draw (self->plot, cr, width, height, &options);
}

static void
update_description_now (Co2sPlotView *self)
{
  g_autofree char *sentence = NULL;

  g_assert (CO2S_IS_PLOT_VIEW (self));

  g_clear_handle_id (&self->description_id, g_source_remove);
  self->description_us = g_get_monotonic_time ();

  sentence = co2s_rmse_plot_describe_quantity (self->history, self->quantity);
  if (g_strcmp0 (sentence, self->description) == 0)
    return;

  g_free (self->description);
  self->description = g_steal_pointer (&sentence);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

static gboolean
description_timeout_cb (gpointer user_data)
{
  Co2sPlotView *self = user_data;

  self->description_id = 0;
  update_description_now (self);

  return G_SOURCE_REMOVE;
}

/* At most one update per DESCRIPTION_INTERVAL_US: now if the last one is old
 * enough, else once at the end of the interval. */
static void
update_description (Co2sPlotView *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 due = self->description_us + DESCRIPTION_INTERVAL_US;

  if (self->description_id != 0)
    return;

  if (self->description_us == 0 || now >= due)
    update_description_now (self);
  else
    self->description_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE,
                                               (guint) ((due - now + 999) / 1000),
                                               description_timeout_cb, self, NULL);
}

static void
update_empty_state (Co2sPlotView *self)
{
  gboolean empty = self->history == NULL || co2s_metrics_history_get_n_batches (self->history) == 0;

  gtk_widget_set_visible (self->empty_box, empty);
}

static void
on_history_changed (Co2sPlotView       *self,
                    Co2sMetricsHistory *history)
{
  g_assert (CO2S_IS_PLOT_VIEW (self));

  /* GTK draws at most once per frame however often this is queued. */
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  update_empty_state (self);
  update_description (self);
}

static void
on_rolling_window_changed (Co2sPlotView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static void
on_dark_changed (Co2sPlotView    *self,
                 GParamSpec      *pspec,
                 AdwStyleManager *style_manager)
{
  gboolean dark = adw_style_manager_get_dark (style_manager);

  if (dark == self->dark)
    return;

  self->dark = dark;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
}

static void
set_flag (Co2sPlotView *self,
          guint         prop_id,
          gboolean      value)
{
  gboolean old;

  value = !!value;
  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      old = self->log_scale;
      self->log_scale = value;
      break;
    case PROP_SHOW_FIT:
      old = self->show_fit;
      self->show_fit = value;
      break;
    case PROP_SHOW_ROLLING_MEAN:
      old = self->show_rolling_mean;
      self->show_rolling_mean = value;
      break;
    default:
      g_assert_not_reached ();
    }

  if (old == value)
    return;

  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
co2s_plot_view_dispose (GObject *object)
{
  GtkWidget *child;
  Co2sPlotView *self = CO2S_PLOT_VIEW (object);

  g_clear_handle_id (&self->description_id, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  g_clear_object (&self->plot);
  self->style_manager = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_PLOT_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (co2s_plot_view_parent_class)->dispose (object);
}

static void
co2s_plot_view_finalize (GObject *object)
{
  Co2sPlotView *self = CO2S_PLOT_VIEW (object);

  g_free (self->description);

  G_OBJECT_CLASS (co2s_plot_view_parent_class)->finalize (object);
}

static void
co2s_plot_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  Co2sPlotView *self = CO2S_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    case PROP_SHOW_FIT:
      g_value_set_boolean (value, self->show_fit);
      break;
    case PROP_SHOW_ROLLING_MEAN:
      g_value_set_boolean (value, self->show_rolling_mean);
      break;
    case PROP_LAST_N:
      g_value_set_uint (value, self->last_n);
      break;
    case PROP_QUANTITY:
      g_value_set_enum (value, self->quantity);
      break;
    case PROP_DARK:
      g_value_set_boolean (value, self->dark);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_plot_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  Co2sPlotView *self = CO2S_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      co2s_plot_view_set_history (self, g_value_get_object (value));
      break;
    case PROP_LOG_SCALE:
    case PROP_SHOW_FIT:
    case PROP_SHOW_ROLLING_MEAN:
      set_flag (self, prop_id, g_value_get_boolean (value));
      break;
    case PROP_LAST_N:
      co2s_plot_view_set_last_n (self, g_value_get_uint (value));
      break;
    case PROP_QUANTITY:
      co2s_plot_view_set_quantity (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_plot_view_class_init (Co2sPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = co2s_plot_view_dispose;
  object_class->finalize = co2s_plot_view_finalize;
  object_class->get_property = co2s_plot_view_get_property;
  object_class->set_property = co2s_plot_view_set_property;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CO2S_TYPE_METRICS_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FIT] =
    g_param_spec_boolean ("show-fit", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_ROLLING_MEAN] =
    g_param_spec_boolean ("show-rolling-mean", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_N] =
    g_param_spec_uint ("last-n", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUANTITY] =
    g_param_spec_enum ("quantity", NULL, NULL, CO2S_TYPE_PLOT_QUANTITY, CO2S_PLOT_QUANTITY_RMSE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DARK] =
    g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/plot-view.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sPlotView, area);
  gtk_widget_class_bind_template_child (widget_class, Co2sPlotView, empty_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "co2s-plot-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
co2s_plot_view_init (Co2sPlotView *self)
{
  self->show_rolling_mean = TRUE;
  self->plot = co2s_rmse_plot_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_drawing_area_set_draw_func (self->area, draw_func, self, NULL);

  self->style_manager = adw_style_manager_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  self->dark = adw_style_manager_get_dark (self->style_manager);
  g_signal_connect_object (self->style_manager, "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  /* Translators: accessible name of the chart */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("RMSE plot"),
                                  -1);
  update_description_now (self);
  update_empty_state (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
co2s_plot_view_new (Co2sMetricsHistory *history)
{
  g_return_val_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history), NULL);

  return g_object_new (CO2S_TYPE_PLOT_VIEW, "history", history, NULL);
}

Co2sMetricsHistory *
co2s_plot_view_get_history (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), NULL);

  return self->history;
}

void
co2s_plot_view_set_history (Co2sPlotView       *self,
                            Co2sMetricsHistory *history)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));
  g_return_if_fail (history == NULL || CO2S_IS_METRICS_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  if (history != NULL)
    {
      g_signal_connect_object (history, "changed", G_CALLBACK (on_history_changed),
                               self, G_CONNECT_SWAPPED);
      /* The rolling mean line and its legend follow the window. */
      g_signal_connect_object (history, "notify::rolling-window", G_CALLBACK (on_rolling_window_changed),
                               self, G_CONNECT_SWAPPED);
    }

  co2s_rmse_plot_set_history (self->plot, history);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  update_empty_state (self);
  update_description_now (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

gboolean
co2s_plot_view_get_log_scale (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), FALSE);

  return self->log_scale;
}

void
co2s_plot_view_set_log_scale (Co2sPlotView *self,
                              gboolean      log_scale)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));

  set_flag (self, PROP_LOG_SCALE, log_scale);
}

gboolean
co2s_plot_view_get_show_fit (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), FALSE);

  return self->show_fit;
}

void
co2s_plot_view_set_show_fit (Co2sPlotView *self,
                             gboolean      show_fit)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));

  set_flag (self, PROP_SHOW_FIT, show_fit);
}

gboolean
co2s_plot_view_get_show_rolling_mean (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), FALSE);

  return self->show_rolling_mean;
}

void
co2s_plot_view_set_show_rolling_mean (Co2sPlotView *self,
                                      gboolean      show_rolling_mean)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));

  set_flag (self, PROP_SHOW_ROLLING_MEAN, show_rolling_mean);
}

guint
co2s_plot_view_get_last_n (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), 0);

  return self->last_n;
}

void
co2s_plot_view_set_last_n (Co2sPlotView *self,
                           guint         last_n)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));

  if (self->last_n == last_n)
    return;

  self->last_n = last_n;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_N]);
}

gboolean
co2s_plot_view_get_dark (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), FALSE);

  return self->dark;
}

Co2sPlotQuantity
co2s_plot_view_get_quantity (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), CO2S_PLOT_QUANTITY_RMSE);

  return self->quantity;
}

void
co2s_plot_view_set_quantity (Co2sPlotView     *self,
                             Co2sPlotQuantity  quantity)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));
  g_return_if_fail (quantity <= CO2S_PLOT_QUANTITY_THROUGHPUT);

  if (self->quantity == quantity)
    return;
  self->quantity = quantity;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  update_description_now (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUANTITY]);
}

void
co2s_plot_view_get_options (Co2sPlotView        *self,
                            Co2sRmsePlotOptions *options)
{
  g_return_if_fail (CO2S_IS_PLOT_VIEW (self));
  g_return_if_fail (options != NULL);

  co2s_rmse_plot_options_init (options);
  options->log_y = self->log_scale;
  options->show_fit = self->show_fit;
  options->show_rolling = self->show_rolling_mean;
  options->last_n = self->last_n;
  options->quantity = self->quantity;
  options->style = self->dark ? CO2S_PLOT_STYLE_DARK : CO2S_PLOT_STYLE_LIGHT;
}

const char *
co2s_plot_view_get_description (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), NULL);

  return self->description;
}

guint
co2s_plot_view_get_draw_count (Co2sPlotView *self)
{
  g_return_val_if_fail (CO2S_IS_PLOT_VIEW (self), 0);

  return self->draw_count;
}
