/* co2s-service-row.c — one row of the services list (see co2s-service-row.h).
 *
 * Template: resource:///io/github/co2stream/Co2stream/ui/service-row.ui */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-service-row.h"

#include <string.h>

#include <glib/gi18n.h>

#include "co2s-kpi-panel.h"
#include "co2s-log-window.h"

struct _Co2sServiceRow
{
  AdwActionRow parent_instance;

  /* template */
  GtkStack *state_stack;
  GtkImage *state_icon;
  GtkSpinner *state_spinner;
  GtkLabel *state_label;
  GtkLabel *detail_label;
  GtkButton *reset_button;
  GtkButton *toggle_button;
  GtkButton *log_button;

  Co2sService *service;
  Co2sSupervisor *supervisor;
  GtkWindow *log_window;    /* weak */

  char *state_text;
  char *detail_text;
  char *note;               /* NULL when none */
  const char *state_class;  /* CSS class on state_label, or NULL */
  guint timer_id;           /* 1 s while mapped and running */
  gboolean stops;
};

G_DEFINE_FINAL_TYPE (Co2sServiceRow, co2s_service_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_SERVICE,
  PROP_SUPERVISOR,
  PROP_NOTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------- */

static gboolean
service_kind (Co2sServiceRow  *self,
              Co2sServiceKind *kind)
{
  if (self->supervisor == NULL || self->service == NULL)
    return FALSE;

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    if (co2s_supervisor_get_service (self->supervisor, i) == self->service)
      {
        *kind = i;
        return TRUE;
      }

  return FALSE;
}

/* TRUE when the row is one of the current run's several trainers (started
 * and stopped alone, see co2s_supervisor_stop_trainer_async()). */
static gboolean
is_one_of_trainers (Co2sServiceRow *self)
{
  GListModel *services;
  guint n;

  if (self->supervisor == NULL || self->service == NULL)
    return FALSE;
  n = co2s_supervisor_get_run_trainers (self->supervisor);
  if (n < 2)
    return FALSE;

  /* The trainer rows follow each other from CO2S_SERVICE_TRAINER on. */
  services = co2s_supervisor_get_services (self->supervisor);
  for (guint i = CO2S_SERVICE_TRAINER; i < CO2S_SERVICE_TRAINER + n; i++)
    {
      g_autoptr(Co2sService) service = g_list_model_get_item (services, i);

      if (service == self->service)
        return TRUE;
    }
  return FALSE;
}

static void
update_detail (Co2sServiceRow *self)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  gint64 uptime = self->service != NULL ? co2s_service_get_uptime (self->service) : 0;
  guint restarts = self->service != NULL ? co2s_service_get_restart_count (self->service) : 0;

  if (uptime > 0)
    {
      g_autofree char *duration = co2s_format_duration (uptime);

      /* Translators: how long the service has been running */
      g_string_append_printf (detail, _("Up %s"), duration);
    }
  if (restarts > 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      /* Translators: how many times the service was restarted after a crash */
      g_string_append_printf (detail, _("Restarted %u×"), restarts);
    }

  if (g_strcmp0 (detail->str, self->detail_text) == 0)
    return;

  g_free (self->detail_text);
  self->detail_text = g_string_free (g_steal_pointer (&detail), FALSE);
  gtk_label_set_text (self->detail_label, self->detail_text);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), self->detail_text[0] != '\0');
}

static gboolean
timer_cb (gpointer user_data)
{
  update_detail (CO2S_SERVICE_ROW (user_data));

  return G_SOURCE_CONTINUE;
}

/* The uptime ticks only while it is shown and changing. */
static void
update_timer (Co2sServiceRow *self)
{
  gboolean want = gtk_widget_get_mapped (GTK_WIDGET (self))
                  && self->service != NULL
                  && co2s_service_get_started_at (self->service) > 0;

  if (want && self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, timer_cb, self);
  else if (!want)
    g_clear_handle_id (&self->timer_id, g_source_remove);
}

/* GLib's default log handler prefixes every line with
 * "domain-Level: HH:MM:SS.mmm: "; the row shows the message itself (the log
 * window keeps the whole line). Returns a pointer into @line. */
static const char *
skip_glib_log_prefix (const char *line)
{
  static const char * const levels[] = { "-Message: ", "-INFO: ", "-DEBUG: ", "-WARNING **: ",
                                         "-CRITICAL **: ", "-WARNING: ", "-CRITICAL: " };
  const char *p;

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if ((p = strstr (line, levels[i])) != NULL && memchr (line, ' ', p - line) == NULL)
      {
        p += strlen (levels[i]);
        /* "HH:MM:SS.mmm: " */
        if (strlen (p) > 14 && g_ascii_isdigit (p[0]) && p[2] == ':' && p[5] == ':' && p[8] == '.'
            && p[12] == ':' && p[13] == ' ')
          p += 14;
        return p;
      }
  return line;
}

/* The launcher of the local Kafka says its data is damaged and how to
 * reset it ("… damaged … --reset-data …"). */
static gboolean
says_data_damaged (const char *text)
{
  return text != NULL && (strstr (text, "damaged") != NULL || strstr (text, "--reset-data") != NULL);
}

/* "Reset Data…" (app.reset-local-broker) on a broker that failed because
 * its data is damaged. */
static void
update_reset_button (Co2sServiceRow *self)
{
  Co2sServiceKind kind;
  gboolean offer = FALSE;

  if (self->service != NULL && service_kind (self, &kind) && kind == CO2S_SERVICE_BROKER
      && co2s_service_get_state (self->service) == CO2S_SERVICE_STATE_FAILED)
    offer = says_data_damaged (co2s_service_get_message (self->service))
            || says_data_damaged (co2s_service_get_last_line (self->service));

  gtk_widget_set_visible (GTK_WIDGET (self->reset_button), offer);
}

/* Up to three lines, each ellipsized (subtitle-lines limits each
 * paragraph): what the service is, when it says (the broker: which one,
 * where, its size), the window's note (the trainers and their
 * partitions), then its last output line, e.g. the local Kafka's "waiting
 * for Kafka to answer… (4 s)" while a JVM starts. */
static void
update_subtitle (Co2sServiceRow *self)
{
  const char *line = NULL;
  const char *description = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (self->service != NULL)
    {
      description = co2s_service_get_description (self->service);
      line = co2s_service_get_last_line (self->service);
      if (line != NULL)
        line = skip_glib_log_prefix (line);
      if (line == NULL || line[0] == '\0')
        line = co2s_service_get_message (self->service);
    }
  if (line == NULL || line[0] == '\0')
    line = _("No output yet");

  if (description != NULL && description[0] != '\0')
    g_string_append_printf (subtitle, "%s\n", description);
  if (self->note != NULL)
    g_string_append_printf (subtitle, "%s\n", self->note);
  g_string_append (subtitle, line);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);
  update_reset_button (self);
}

static void
update_state (Co2sServiceRow *self)
{
  Co2sServiceState state = CO2S_SERVICE_STATE_STOPPED;
  const char *title = "";
  const char *message = NULL;
  const char *icon = "media-playback-stop-symbolic";
  const char *css = NULL;
  g_autofree char *text = NULL;
  g_autofree char *toggle_text = NULL;
  g_autofree char *log_text = NULL;
  g_autofree char *description = NULL;
  gboolean enabled = TRUE;
  gboolean spinning = FALSE;
  gboolean one_of_trainers = is_one_of_trainers (self);
  Co2sServiceKind kind;

  if (self->service != NULL)
    {
      state = co2s_service_get_state (self->service);
      title = co2s_service_get_title (self->service);
      message = co2s_service_get_message (self->service);
      enabled = co2s_service_get_enabled (self->service);
    }

  text = g_strdup (co2s_service_state_to_label (state));
  switch (state)
    {
    case CO2S_SERVICE_STATE_STOPPED:
      icon = "media-playback-stop-symbolic";
      break;
    case CO2S_SERVICE_STATE_STARTING:
      if (self->service != NULL && co2s_service_get_restart_delay (self->service) > 0)
        {
          /* Waiting to be restarted after a crash. */
          icon = "view-refresh-symbolic";
          css = "warning";
        }
      else
        spinning = TRUE;
      break;
    case CO2S_SERVICE_STATE_RUNNING:
      icon = "emblem-ok-symbolic";
      css = "success";
      break;
    case CO2S_SERVICE_STATE_UNHEALTHY:
      icon = "dialog-warning-symbolic";
      css = "warning";
      break;
    case CO2S_SERVICE_STATE_FAILED:
      icon = "dialog-error-symbolic";
      css = "error";
      break;
    default:
      g_assert_not_reached ();
    }

  if (!enabled)
    {
      g_free (text);
      /* Translators: state of a service left out of the configuration (the
       * embedded broker when an external Kafka is set) */
      text = g_strdup (C_("service state", "Not used"));
      icon = "action-unavailable-symbolic";
      css = NULL;
      spinning = FALSE;
    }

  /* State: icon and text, the colour only repeats them. */
  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_spinner_set_spinning (self->state_spinner, spinning);
  gtk_stack_set_visible_child (self->state_stack,
                               spinning ? GTK_WIDGET (self->state_spinner) : GTK_WIDGET (self->state_icon));
  gtk_label_set_text (self->state_label, text);
  if (self->state_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), self->state_class);
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_stack), self->state_class);
    }
  /* Nothing running: the icon steps back. */
  if (css == NULL && !spinning)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_stack), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_stack), "dim-label");
  self->state_class = css;
  if (css != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), css);
      gtk_widget_add_css_class (GTK_WIDGET (self->state_stack), css);
    }
  g_free (self->state_text);
  self->state_text = g_steal_pointer (&text);

  {
    const char *what = self->service != NULL ? co2s_service_get_description (self->service) : NULL;
    const char *how = message != NULL && message[0] != '\0' ? message : self->state_text;
    g_autoptr(GString) tooltip = g_string_new (NULL);

    /* The whole description and note (the subtitle may ellipsize them),
     * then the state. */
    if (what != NULL && what[0] != '\0')
      g_string_append_printf (tooltip, "%s\n", what);
    if (self->note != NULL)
      g_string_append_printf (tooltip, "%s\n", self->note);
    g_string_append (tooltip, how);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip->str);
  }

  /* Start/stop: stops whatever is running, waiting or about to restart. */
  self->stops = state == CO2S_SERVICE_STATE_STARTING
                || state == CO2S_SERVICE_STATE_RUNNING
                || state == CO2S_SERVICE_STATE_UNHEALTHY;
  if (self->stops && one_of_trainers)
    /* Translators: button tooltip of one of several trainers; %s is
     * "Trainer 2". The others and the producer keep running. */
    toggle_text = g_strdup_printf (_("Stop %s only: the other trainers take over its partitions"), title);
  else if (one_of_trainers)
    /* Translators: button tooltip of one of several trainers; %s is
     * "Trainer 2" */
    toggle_text = g_strdup_printf (_("Start %s: it shares the partitions with the running trainers"), title);
  else if (self->stops)
    /* Translators: button tooltip; %s is a service, e.g. "Trainer" */
    toggle_text = g_strdup_printf (_("Stop %s"), title);
  else
    /* Translators: button tooltip; %s is a service, e.g. "Trainer" */
    toggle_text = g_strdup_printf (_("Start %s"), title);
  gtk_button_set_icon_name (self->toggle_button,
                            self->stops ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->toggle_button), toggle_text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->toggle_button),
                            enabled && (one_of_trainers || service_kind (self, &kind)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->toggle_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, toggle_text,
                                  -1);

  /* Translators: button tooltip; %s is a service, e.g. "Trainer" */
  log_text = g_strdup_printf (_("Show %s Log"), title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->log_button), log_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->log_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, log_text,
                                  -1);

  /* Translators: accessible description of a service row: its state, then
   * the state's detail (may repeat the state when there is none) */
  description = g_strdup_printf (_("State: %s. %s"), self->state_text,
                                 message != NULL && message[0] != '\0' ? message : "");
  g_strchomp (description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  update_subtitle (self);
  update_detail (self);
  update_timer (self);
}

static void
update_title (Co2sServiceRow *self)
{
  const char *title = self->service != NULL ? co2s_service_get_title (self->service) : "";

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  update_state (self);
}

/* start_stop_cb's user data. */
enum {
  TOGGLE_START,
  TOGGLE_STOP,
  TOGGLE_START_TRAINER,
  TOGGLE_STOP_TRAINER,
};

static void
start_stop_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int what = GPOINTER_TO_INT (user_data);
  gboolean stop = what == TOGGLE_STOP || what == TOGGLE_STOP_TRAINER;
  gboolean ok;

  switch (what)
    {
    case TOGGLE_STOP:
      ok = co2s_supervisor_stop_service_finish (CO2S_SUPERVISOR (object), result, &error);
      break;
    case TOGGLE_START_TRAINER:
      ok = co2s_supervisor_start_trainer_finish (CO2S_SUPERVISOR (object), result, &error);
      break;
    case TOGGLE_STOP_TRAINER:
      ok = co2s_supervisor_stop_trainer_finish (CO2S_SUPERVISOR (object), result, &error);
      break;
    case TOGGLE_START:
    default:
      ok = co2s_supervisor_start_service_finish (CO2S_SUPERVISOR (object), result, &error);
      break;
    }

  /* The service's state and message already tell the user what failed. */
  if (!ok)
    g_debug ("%s: %s", stop ? "stop" : "start", error->message);
}

static void
on_toggle_clicked (Co2sServiceRow *self)
{
  co2s_service_row_toggle (self);
}

static void
on_log_clicked (Co2sServiceRow *self)
{
  co2s_service_row_show_log (self);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
co2s_service_row_map (GtkWidget *widget)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (widget);

  GTK_WIDGET_CLASS (co2s_service_row_parent_class)->map (widget);

  update_detail (self);
  update_timer (self);
}

static void
co2s_service_row_unmap (GtkWidget *widget)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (widget);

  GTK_WIDGET_CLASS (co2s_service_row_parent_class)->unmap (widget);

  update_timer (self);
}

static void
co2s_service_row_dispose (GObject *object)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_clear_object (&self->supervisor);
  if (self->log_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->log_window), (gpointer *) &self->log_window);
      gtk_window_destroy (self->log_window);
      self->log_window = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_SERVICE_ROW);

  G_OBJECT_CLASS (co2s_service_row_parent_class)->dispose (object);
}

static void
co2s_service_row_finalize (GObject *object)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (object);

  g_free (self->state_text);
  g_free (self->detail_text);
  g_free (self->note);

  G_OBJECT_CLASS (co2s_service_row_parent_class)->finalize (object);
}

static void
co2s_service_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_object (value, self->service);
      break;
    case PROP_SUPERVISOR:
      g_value_set_object (value, self->supervisor);
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_service_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  Co2sServiceRow *self = CO2S_SERVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      co2s_service_row_set_service (self, g_value_get_object (value));
      break;
    case PROP_SUPERVISOR:
      co2s_service_row_set_supervisor (self, g_value_get_object (value));
      break;
    case PROP_NOTE:
      co2s_service_row_set_note (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_service_row_class_init (Co2sServiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = co2s_service_row_dispose;
  object_class->finalize = co2s_service_row_finalize;
  object_class->get_property = co2s_service_row_get_property;
  object_class->set_property = co2s_service_row_set_property;

  widget_class->map = co2s_service_row_map;
  widget_class->unmap = co2s_service_row_unmap;

  properties[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, CO2S_TYPE_SERVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUPERVISOR] =
    g_param_spec_object ("supervisor", NULL, NULL, CO2S_TYPE_SUPERVISOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/service-row.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, state_stack);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, state_spinner);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, reset_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, Co2sServiceRow, log_button);
  gtk_widget_class_bind_template_callback (widget_class, on_toggle_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_log_clicked);
}

static void
co2s_service_row_init (Co2sServiceRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_title (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
co2s_service_row_new (Co2sService    *service,
                      Co2sSupervisor *supervisor)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (service), NULL);
  g_return_val_if_fail (supervisor == NULL || CO2S_IS_SUPERVISOR (supervisor), NULL);

  return g_object_new (CO2S_TYPE_SERVICE_ROW,
                       "supervisor", supervisor,
                       "service", service,
                       NULL);
}

Co2sService *
co2s_service_row_get_service (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);

  return self->service;
}

void
co2s_service_row_set_service (Co2sServiceRow *self,
                              Co2sService    *service)
{
  g_return_if_fail (CO2S_IS_SERVICE_ROW (self));
  g_return_if_fail (service == NULL || CO2S_IS_SERVICE (service));

  if (self->service == service)
    return;

  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_set_object (&self->service, service);

  if (service != NULL)
    {
      static const char * const state_props[] = {
        "notify::state", "notify::message", "notify::enabled", "notify::restart-delay",
        "notify::description",
      };

      for (guint i = 0; i < G_N_ELEMENTS (state_props); i++)
        g_signal_connect_object (service, state_props[i], G_CALLBACK (update_state),
                                 self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "notify::title", G_CALLBACK (update_title),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "notify::last-line", G_CALLBACK (update_subtitle),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "notify::restart-count", G_CALLBACK (update_detail),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "notify::started-at", G_CALLBACK (update_state),
                               self, G_CONNECT_SWAPPED);
    }

  update_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);
}

Co2sSupervisor *
co2s_service_row_get_supervisor (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);

  return self->supervisor;
}

void
co2s_service_row_set_supervisor (Co2sServiceRow *self,
                                 Co2sSupervisor *supervisor)
{
  g_return_if_fail (CO2S_IS_SERVICE_ROW (self));
  g_return_if_fail (supervisor == NULL || CO2S_IS_SUPERVISOR (supervisor));

  if (!g_set_object (&self->supervisor, supervisor))
    return;

  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUPERVISOR]);
}

const char *
co2s_service_row_get_note (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);

  return self->note;
}

void
co2s_service_row_set_note (Co2sServiceRow *self,
                           const char     *note)
{
  g_return_if_fail (CO2S_IS_SERVICE_ROW (self));

  if (note != NULL && note[0] == '\0')
    note = NULL;
  /* (g_set_str arrives in GLib 2.76.) */
  if (g_strcmp0 (self->note, note) == 0)
    return;
  g_free (self->note);
  self->note = g_strdup (note);

  /* The tooltip holds it too. */
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
}

const char *
co2s_service_row_get_state_text (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);

  return self->state_text;
}

const char *
co2s_service_row_get_detail_text (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);

  return self->detail_text;
}

gboolean
co2s_service_row_get_stops (Co2sServiceRow *self)
{
  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), FALSE);

  return self->stops;
}

void
co2s_service_row_toggle (Co2sServiceRow *self)
{
  Co2sServiceKind kind;

  g_return_if_fail (CO2S_IS_SERVICE_ROW (self));

  if (is_one_of_trainers (self))
    {
      /* That trainer process only. */
      if (self->stops)
        co2s_supervisor_stop_trainer_async (self->supervisor, self->service, NULL,
                                            start_stop_cb, GINT_TO_POINTER (TOGGLE_STOP_TRAINER));
      else
        co2s_supervisor_start_trainer_async (self->supervisor, self->service, NULL,
                                             start_stop_cb, GINT_TO_POINTER (TOGGLE_START_TRAINER));
      return;
    }

  if (!service_kind (self, &kind))
    return;

  if (self->stops)
    co2s_supervisor_stop_service_async (self->supervisor, kind, NULL,
                                        start_stop_cb, GINT_TO_POINTER (TOGGLE_STOP));
  else
    co2s_supervisor_start_service_async (self->supervisor, kind, NULL,
                                         start_stop_cb, GINT_TO_POINTER (TOGGLE_START));
}

GtkWindow *
co2s_service_row_show_log (Co2sServiceRow *self)
{
  GtkRoot *root;

  g_return_val_if_fail (CO2S_IS_SERVICE_ROW (self), NULL);
  g_return_val_if_fail (self->service != NULL, NULL);

  if (self->log_window == NULL)
    {
      self->log_window = GTK_WINDOW (co2s_log_window_new (self->service));
      g_object_add_weak_pointer (G_OBJECT (self->log_window), (gpointer *) &self->log_window);
      root = gtk_widget_get_root (GTK_WIDGET (self));
      if (GTK_IS_WINDOW (root))
        {
          gtk_window_set_transient_for (self->log_window, GTK_WINDOW (root));
          gtk_window_set_destroy_with_parent (self->log_window, TRUE);
          gtk_window_set_application (self->log_window, gtk_window_get_application (GTK_WINDOW (root)));
        }
    }

  gtk_window_present (self->log_window);

  return self->log_window;
}
