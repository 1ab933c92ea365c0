/* co2s-log-window.c — one service's output (see co2s-log-window.h).
 *
 * Template: resource:///io/github/co2stream/Co2stream/ui/log-window.ui */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-log-window.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "co2s-log-line.h"

/* Pixels from the end that still count as "at the bottom". */
#define BOTTOM_SLACK 8.0

struct _Co2sLogWindow
{
  AdwWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkWidget *empty_page;
  GtkScrolledWindow *scrolled_window;
  GtkListView *list_view;

  Co2sService *service;
  GListModel *log;
  GtkAdjustment *vadjustment;
  GtkFileChooserNative *chooser;

  double last_upper;        /* adjustment at its last "changed" */
  double last_page;
  double configured_value;  /* value set with them, NAN once seen */
  guint scroll_tick_id;
  gboolean following;
};

G_DEFINE_FINAL_TYPE (Co2sLogWindow, co2s_log_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SERVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------- */

static char *
format_time (gint64 timestamp_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (timestamp_us / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("--:--:--");

  return g_date_time_format (dt, "%H:%M:%S");
}

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *time_label = gtk_label_new (NULL);
  GtkWidget *text_label = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "log-line");
  gtk_label_set_yalign (GTK_LABEL (time_label), 0.0f);
  gtk_widget_add_css_class (time_label, "log-time");
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (text_label), 0.0f);
  gtk_label_set_yalign (GTK_LABEL (text_label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (text_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (text_label, TRUE);
  gtk_widget_add_css_class (text_label, "log-text");
  gtk_box_append (GTK_BOX (box), time_label);
  gtk_box_append (GTK_BOX (box), text_label);
  gtk_list_item_set_child (item, box);
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Co2sLogLine *line = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *time_label = gtk_widget_get_first_child (box);
  GtkWidget *text_label = gtk_widget_get_next_sibling (time_label);
  g_autofree char *time = format_time (co2s_log_line_get_timestamp (line));

  gtk_label_set_text (GTK_LABEL (time_label), time);
  gtk_label_set_text (GTK_LABEL (text_label), co2s_log_line_get_text (line));
  if (co2s_log_line_get_is_stderr (line))
    gtk_widget_add_css_class (box, "log-stderr");
  else
    gtk_widget_remove_css_class (box, "log-stderr");
}

/* GtkListView keeps its position by an anchor item, so scroll by moving
 * the anchor to the last line rather than by setting the adjustment. */
static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (user_data);
  guint n = g_list_model_get_n_items (self->log);

  self->scroll_tick_id = 0;
  if (self->following && n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);

  return G_SOURCE_REMOVE;
}

/* Scrolls to the newest line on the next frame (after the list measured
 * what changed). */
static void
queue_scroll_to_bottom (Co2sLogWindow *self)
{
  if (self->scroll_tick_id == 0)
    self->scroll_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                         scroll_tick_cb, self, NULL);
}

static gboolean
is_at_bottom (Co2sLogWindow *self)
{
  double value = gtk_adjustment_get_value (self->vadjustment);
  double upper = gtk_adjustment_get_upper (self->vadjustment);
  double page = gtk_adjustment_get_page_size (self->vadjustment);

  return value + page >= upper - BOTTOM_SLACK;
}

/* A scroll that is not the list re-laying itself out is the user's: stop
 * following above the bottom, follow again once back at it. The list sets
 * its bounds and value together (gtk_adjustment_configure): "changed" comes
 * first, with the new value already in place, then "value-changed". */
static void
on_value_changed (Co2sLogWindow *self,
                  GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);

  if (gtk_adjustment_get_upper (adjustment) != self->last_upper
      || gtk_adjustment_get_page_size (adjustment) != self->last_page)
    return;
  if (value == self->configured_value)
    {
      self->configured_value = NAN;
      return;
    }

  self->following = is_at_bottom (self);
}

/* The content grew or the window was resized: stick to the end. */
static void
on_adjustment_changed (Co2sLogWindow *self,
                       GtkAdjustment *adjustment)
{
  self->last_upper = gtk_adjustment_get_upper (adjustment);
  self->last_page = gtk_adjustment_get_page_size (adjustment);
  self->configured_value = gtk_adjustment_get_value (adjustment);
  if (self->following && !is_at_bottom (self))
    queue_scroll_to_bottom (self);
}

static void
update_content (Co2sLogWindow *self)
{
  guint n = g_list_model_get_n_items (self->log);
  g_autofree char *subtitle = NULL;

  gtk_stack_set_visible_child (self->stack,
                               n > 0 ? GTK_WIDGET (self->scrolled_window) : self->empty_page);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.copy-all", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.save", n > 0);
}

static void
on_items_changed (Co2sLogWindow *self,
                  guint          position,
                  guint          removed,
                  guint          added,
                  GListModel    *model)
{
  update_content (self);
  if (self->following)
    queue_scroll_to_bottom (self);
}

static void
update_title (Co2sLogWindow *self)
{
  g_autofree char *title = NULL;

  /* Translators: window title; %s is a service, e.g. "Trainer" */
  title = g_strdup_printf (_("%s Log"), co2s_service_get_title (self->service));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
}

static void
toast (Co2sLogWindow *self,
       const char    *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  g_autofree char *text = NULL;

  if (co2s_log_window_save_finish (self, result, &error))
    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Saved to %s"), name);
  else
    /* Translators: %s is an error message */
    text = g_strdup_printf (_("Could not save the log: %s"), error->message);
  toast (self, text);
}

static void
on_chooser_response (Co2sLogWindow        *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        co2s_log_window_save_async (self, file, NULL, save_done_cb, file);
    }

  g_clear_object (&self->chooser);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (widget);
  g_autofree char *name = NULL;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save Log"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  name = g_strdup_printf ("%s.log", co2s_service_get_name (self->service));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
copy_all_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  co2s_log_window_copy_all (CO2S_LOG_WINDOW (widget));
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
co2s_log_window_constructed (GObject *object)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (object);
  GtkListItemFactory *factory;

  G_OBJECT_CLASS (co2s_log_window_parent_class)->constructed (object);

  g_assert (CO2S_IS_SERVICE (self->service));

  self->log = g_object_ref (co2s_service_get_log (self->service));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (self->log))));
  g_signal_connect_object (self->log, "items-changed", G_CALLBACK (on_items_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "notify::title", G_CALLBACK (update_title),
                           self, G_CONNECT_SWAPPED);

  update_title (self);
  update_content (self);
}

static void
co2s_log_window_dispose (GObject *object)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (object);

  if (self->scroll_tick_id != 0 && self->list_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->scroll_tick_id);
  self->scroll_tick_id = 0;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->log != NULL)
    g_signal_handlers_disconnect_by_data (self->log, self);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->log);
  g_clear_object (&self->service);

  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_LOG_WINDOW);

  G_OBJECT_CLASS (co2s_log_window_parent_class)->dispose (object);
}

static void
co2s_log_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_object (value, self->service);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_log_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  Co2sLogWindow *self = CO2S_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      self->service = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_log_window_class_init (Co2sLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = co2s_log_window_constructed;
  object_class->dispose = co2s_log_window_dispose;
  object_class->get_property = co2s_log_window_get_property;
  object_class->set_property = co2s_log_window_set_property;

  properties[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, CO2S_TYPE_SERVICE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, Co2sLogWindow, list_view);

  gtk_widget_class_install_action (widget_class, "log.copy-all", NULL, copy_all_action);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "log.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "log.copy-all", NULL);
}

static void
co2s_log_window_init (Co2sLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->following = TRUE;
  self->configured_value = NAN;
  self->vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (self->vadjustment, "value-changed", G_CALLBACK (on_value_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vadjustment, "changed", G_CALLBACK (on_adjustment_changed),
                           self, G_CONNECT_SWAPPED);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
co2s_log_window_new (Co2sService *service)
{
  g_return_val_if_fail (CO2S_IS_SERVICE (service), NULL);

  return g_object_new (CO2S_TYPE_LOG_WINDOW, "service", service, NULL);
}

Co2sService *
co2s_log_window_get_service (Co2sLogWindow *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_WINDOW (self), NULL);

  return self->service;
}

char *
co2s_log_window_dup_text (Co2sLogWindow *self)
{
  GString *text;
  guint n;

  g_return_val_if_fail (CO2S_IS_LOG_WINDOW (self), NULL);

  n = g_list_model_get_n_items (self->log);
  text = g_string_sized_new (n * 80);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Co2sLogLine) line = g_list_model_get_item (self->log, i);
      g_autofree char *time = format_time (co2s_log_line_get_timestamp (line));

      g_string_append_printf (text, "%s  %s\n", time, co2s_log_line_get_text (line));
    }

  return g_string_free (text, FALSE);
}

void
co2s_log_window_copy_all (Co2sLogWindow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  guint n;

  g_return_if_fail (CO2S_IS_LOG_WINDOW (self));

  n = g_list_model_get_n_items (self->log);
  text = co2s_log_window_dup_text (self);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  /* Translators: toast after Copy All */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line copied", "%u lines copied", n), n);
  toast (self, message);
}

static void
replace_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
co2s_log_window_save_async (Co2sLogWindow       *self,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (CO2S_IS_LOG_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, co2s_log_window_save_async);
  text = co2s_log_window_dup_text (self);
  bytes = g_bytes_new_take (text, strlen (text));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replace_done_cb, g_steal_pointer (&task));
}

gboolean
co2s_log_window_save_finish (Co2sLogWindow  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CO2S_IS_LOG_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
co2s_log_window_get_following (Co2sLogWindow *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_WINDOW (self), FALSE);

  return self->following;
}

GtkScrolledWindow *
co2s_log_window_get_scrolled_window (Co2sLogWindow *self)
{
  g_return_val_if_fail (CO2S_IS_LOG_WINDOW (self), NULL);

  return self->scrolled_window;
}
