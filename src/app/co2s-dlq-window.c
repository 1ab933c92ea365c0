/* co2s-dlq-window.c — the Dead Letters window (see co2s-dlq-window.h).
 *
 * Template: resource:///io/github/co2stream/Co2stream/ui/dlq-window.ui */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-dlq-window.h"

#include <glib/gi18n.h>

#include "co2s-contracts.h"
#include "co2s-dlq.h"

struct _Co2sDlqWindow
{
  AdwWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkDropDown *reason_dropdown;
  GtkLabel *status_label;
  GtkColumnView *column_view;
  GtkTextView *payload_view;

  Co2sPipelineController *controller;
  GListStore *letters;           /* Co2sDeadLetter */
  GtkStringList *reasons;        /* "All reasons", then each reason */
  GtkCustomFilter *filter;
  GtkMultiSelection *selection;
  GCancellable *cancellable;
  char *last_result;             /* the last redrive's result, kept on the status line */
  gboolean busy;
  gboolean loaded_once;
};

G_DEFINE_FINAL_TYPE (Co2sDlqWindow, co2s_dlq_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum {
  COL_OFFSET,
  COL_TIME,
  COL_REASON,
  COL_SOURCE,
  COL_DETAIL,
  COL_SENT_BACK,
} Column;

/* ---- helpers ------------------------------------------------------------- */

static void
set_busy (Co2sDlqWindow *self, gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dlq.refresh", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dlq.redrive",
                                 !busy && !gtk_bitset_is_empty (gtk_selection_model_get_selection (
                                            GTK_SELECTION_MODEL (self->selection))));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_status (Co2sDlqWindow *self, const char *text)
{
  gtk_label_set_text (self->status_label, text);
}

/* The options to reach Kafka, or FALSE when its address is not known yet:
 * the running pipeline's broker, else (before a run) the existing Kafka's
 * address from the settings. */
static gboolean
get_options (Co2sDlqWindow *self, Co2sDlqOptions *opts, char **brokers, char ***overrides)
{
  Co2sSupervisor *supervisor = co2s_pipeline_controller_get_supervisor (self->controller);
  const char *bootstrap = co2s_supervisor_get_bootstrap_servers (supervisor);
  Co2sBrokerKind kind = CO2S_BROKER_LOCAL_KAFKA;
  Co2sBackend backend = CO2S_BACKEND_LOCAL;

  *brokers = NULL;
  if (bootstrap != NULL && *bootstrap != '\0')
    *brokers = g_strdup (bootstrap);
  else
    {
      g_object_get (self->controller, "backend", &backend, NULL);
      g_object_get (supervisor, "broker-kind", &kind, NULL);
      if (backend == CO2S_BACKEND_LOCAL && kind == CO2S_BROKER_EXISTING)
        g_object_get (self->controller, "broker-address", brokers, NULL);
    }
  if (*brokers == NULL || **brokers == '\0')
    {
      g_clear_pointer (brokers, g_free);
      return FALSE;
    }
  *overrides = co2s_supervisor_dup_kafka_overrides (supervisor);
  *opts = (Co2sDlqOptions) {
    .brokers = *brokers,
    .overrides = (const char * const *) *overrides,
  };
  return TRUE;
}

static char *
letter_column_text (Co2sDeadLetter *l, Column column)
{
  switch (column)
    {
    case COL_OFFSET:
      return co2s_dead_letter_dup_ref (l);
    case COL_TIME:
      {
        gint64 ts = co2s_dead_letter_get_timestamp_ms (l);
        g_autoptr(GDateTime) dt = ts >= 0 ? g_date_time_new_from_unix_local (ts / 1000) : NULL;

        return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("—");
      }
    case COL_REASON:
      return g_strdup (co2s_dead_letter_get_reason (l));
    case COL_SOURCE:
      return g_strdup (co2s_dead_letter_get_source (l) != NULL ? co2s_dead_letter_get_source (l) : "—");
    case COL_DETAIL:
      return g_strdup (co2s_dead_letter_get_detail (l) != NULL ? co2s_dead_letter_get_detail (l) : "");
    case COL_SENT_BACK:
      return g_strdup (co2s_dead_letter_get_redriven (l) != NULL ? co2s_dead_letter_get_redriven (l) : "");
    default:
      g_assert_not_reached ();
    }
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  (void) factory;
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), GPOINTER_TO_INT (data) == COL_DETAIL ? PANGO_ELLIPSIZE_END
                                                                                   : PANGO_ELLIPSIZE_NONE);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  Co2sDeadLetter *letter = gtk_list_item_get_item (item);
  g_autofree char *text = letter_column_text (letter, (Column) GPOINTER_TO_INT (data));

  (void) factory;
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), text);
}

static void
add_column (Co2sDlqWindow *self, const char *title, Column column, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
}

static const char *
selected_reason (Co2sDlqWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->reason_dropdown);

  if (pos == 0 || pos == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (self->reasons, pos);
}

static gboolean
filter_letter (gpointer item, gpointer data)
{
  Co2sDlqWindow *self = data;
  const char *reason = selected_reason (self);

  return reason == NULL || g_strcmp0 (reason, co2s_dead_letter_get_reason (item)) == 0;
}

static void
show_payload (Co2sDlqWindow *self)
{
  GtkBitset *selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->payload_view);

  if (gtk_bitset_is_empty (selected))
    gtk_text_buffer_set_text (buffer, "", -1);
  else
    {
      g_autoptr(Co2sDeadLetter) letter = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                               gtk_bitset_get_minimum (selected));
      g_autofree char *text = co2s_dead_letter_dup_payload_text (letter);

      gtk_text_buffer_set_text (buffer, text, -1);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dlq.redrive", !self->busy && !gtk_bitset_is_empty (selected));
  gtk_bitset_unref (selected);
}

static void
selection_changed_cb (GtkSelectionModel *model, guint position, guint n_items, gpointer data)
{
  (void) model;
  (void) position;
  (void) n_items;
  show_payload (data);
}

static void
update_count (Co2sDlqWindow *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->letters));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  g_autofree char *text = NULL;

  if (total == 0)
    text = g_strdup (_("No dead letters: every message was valid"));
  else if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u dead letter", "%u dead letters", total), total);
  else
    /* Translators: %u of %u dead letters shown by the reason filter. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u dead letter shown", "%u of %u dead letters shown", total),
                            shown, total);
  if (self->last_result != NULL)
    {
      g_autofree char *count = g_steal_pointer (&text);

      /* Translators: the list's count, then the last redrive's result. */
      text = g_strdup_printf (_("%s — %s"), count, self->last_result);
    }
  set_status (self, text);
}

static void
reason_changed_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  Co2sDlqWindow *self = data;

  (void) object;
  (void) pspec;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
  show_payload (self);
}

/* ---- loading ------------------------------------------------------------- */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
fill (Co2sDlqWindow *self, GPtrArray *letters)
{
  g_autofree char *keep = g_strdup (selected_reason (self));
  g_autoptr(GPtrArray) reasons = g_ptr_array_new ();
  guint select = 0;

  g_list_store_splice (self->letters, 0, g_list_model_get_n_items (G_LIST_MODEL (self->letters)),
                       letters->pdata, letters->len);
  for (guint i = 0; i < letters->len; i++)
    {
      const char *r = co2s_dead_letter_get_reason (g_ptr_array_index (letters, i));
      guint j;

      if (!g_ptr_array_find_with_equal_func (reasons, r, g_str_equal, &j))
        g_ptr_array_add (reasons, (gpointer) r);
    }
  g_ptr_array_sort (reasons, compare_strings);
  /* The filter's list changes: keep the reason chosen if it is still there. */
  g_signal_handlers_block_by_func (self->reason_dropdown, reason_changed_cb, self);
  gtk_string_list_splice (self->reasons, 1, g_list_model_get_n_items (G_LIST_MODEL (self->reasons)) - 1,
                          NULL);
  for (guint i = 0; i < reasons->len; i++)
    {
      gtk_string_list_append (self->reasons, g_ptr_array_index (reasons, i));
      if (g_strcmp0 (keep, g_ptr_array_index (reasons, i)) == 0)
        select = i + 1;
    }
  gtk_drop_down_set_selected (self->reason_dropdown, select);
  g_signal_handlers_unblock_by_func (self->reason_dropdown, reason_changed_cb, self);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
  show_payload (self);
}

static void
list_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Co2sDlqWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) letters = co2s_dlq_list_finish (result, &error);

  (void) source;
  /* Closed meanwhile (dispose cancelled and dropped the cancellable). */
  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (letters == NULL)
    {
      set_status (self, error->message);
      return;
    }
  fill (self, letters);
}

void
co2s_dlq_window_refresh (Co2sDlqWindow *self)
{
  g_auto(GStrv) overrides = NULL;
  g_autofree char *brokers = NULL;
  Co2sDlqOptions opts;

  g_return_if_fail (CO2S_IS_DLQ_WINDOW (self));

  if (self->busy)
    return;
  self->loaded_once = TRUE;
  if (!get_options (self, &opts, &brokers, &overrides))
    {
      set_status (self, _("Kafka’s address is not known yet: start the pipeline (F5 in the main window), "
                          "then refresh"));
      return;
    }
  set_busy (self, TRUE);
  /* Translators: %s: the Kafka bootstrap servers. */
  {
    g_autofree char *text = g_strdup_printf (_("Reading streaming_data.dlq at %s…"), brokers);

    set_status (self, text);
  }
  co2s_dlq_list_async (&opts, self->cancellable, list_done_cb, g_object_ref (self));
}

/* ---- redrive ------------------------------------------------------------- */

static void
redrive_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Co2sDlqWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) results = co2s_dlq_redrive_finish (result, &error);
  g_autofree char *text = NULL;
  guint sent, already, not_found, failed;

  (void) source;
  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (results == NULL)
    {
      text = g_strdup_printf (_("Nothing was sent back: %s"), error->message);
      set_status (self, text);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Nothing was sent back")));
      return;
    }
  co2s_dlq_count_results (results, &sent, &already, &not_found, &failed);
  if (failed > 0)
    {
      const char *why = NULL;

      for (guint i = 0; i < results->len && why == NULL; i++)
        if (g_array_index (results, Co2sRedriveResult, i).status == CO2S_REDRIVE_FAILED)
          why = g_array_index (results, Co2sRedriveResult, i).detail;
      text = g_strdup_printf (_("Sent back %u to streaming_data; %u already sent back; %u failed: %s"),
                              sent, already, failed + not_found, why != NULL ? why : "");
    }
  else
    text = g_strdup_printf (_("Sent back %u to streaming_data; %u already sent back, not sent again"),
                            sent, already + not_found);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  /* The result stays on the status line, after the new listing's count. */
  g_free (self->last_result);
  self->last_result = g_steal_pointer (&text);
  co2s_dlq_window_refresh (self);
}

static void
confirm_response_cb (AdwMessageDialog *dialog, const char *response, gpointer data)
{
  Co2sDlqWindow *self = data;
  GtkBitset *selected;
  GtkBitsetIter iter;
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (Co2sDlqRef));
  g_auto(GStrv) overrides = NULL;
  g_autofree char *brokers = NULL;
  Co2sDlqSelection sel = { 0 };
  Co2sDlqOptions opts;
  guint pos;

  (void) dialog;
  if (g_strcmp0 (response, "send") != 0 || self->busy)
    return;
  if (!get_options (self, &opts, &brokers, &overrides))
    {
      set_status (self, _("Kafka’s address is not known yet: start the pipeline (F5 in the main window), "
                          "then refresh"));
      return;
    }
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
    {
      g_autoptr(Co2sDeadLetter) l = g_list_model_get_item (G_LIST_MODEL (self->selection), pos);
      Co2sDlqRef ref = { co2s_dead_letter_get_partition (l), co2s_dead_letter_get_offset (l) };

      g_array_append_val (refs, ref);
    }
  gtk_bitset_unref (selected);
  if (refs->len == 0)
    return;
  sel.refs = (const Co2sDlqRef *) refs->data;
  sel.n_refs = refs->len;
  set_busy (self, TRUE);
  set_status (self, _("Sending back to streaming_data…"));
  co2s_dlq_redrive_async (&opts, &sel, self->cancellable, redrive_done_cb, g_object_ref (self));
}

static void
redrive_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  Co2sDlqWindow *self = CO2S_DLQ_WINDOW (widget);
  GtkBitset *selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint n = (guint) gtk_bitset_get_size (selected);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  (void) action_name;
  (void) parameter;
  gtk_bitset_unref (selected);
  if (n == 0 || self->busy)
    return;
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u Dead Letter Back?", "Send %u Dead Letters Back?", n), n);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_WINDOW (self), heading,
      _("Each selected message is republished to streaming_data once, with a header that records the "
        "redrive; one already sent back is not sent again. Fix what made them bad first, or the trainer "
        "sets them aside again.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send Back"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  (void) action_name;
  (void) parameter;
  co2s_dlq_window_refresh (CO2S_DLQ_WINDOW (widget));
}

/* ---- object -------------------------------------------------------------- */

static void
co2s_dlq_window_map (GtkWidget *widget)
{
  Co2sDlqWindow *self = CO2S_DLQ_WINDOW (widget);

  GTK_WIDGET_CLASS (co2s_dlq_window_parent_class)->map (widget);
  if (!self->loaded_once)
    co2s_dlq_window_refresh (self);
}

static void
co2s_dlq_window_dispose (GObject *object)
{
  Co2sDlqWindow *self = CO2S_DLQ_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->controller);
  gtk_widget_dispose_template (GTK_WIDGET (self), CO2S_TYPE_DLQ_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->letters);
  g_clear_object (&self->reasons);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->last_result, g_free);
  G_OBJECT_CLASS (co2s_dlq_window_parent_class)->dispose (object);
}

static void
co2s_dlq_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  Co2sDlqWindow *self = CO2S_DLQ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
co2s_dlq_window_class_init (Co2sDlqWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = co2s_dlq_window_dispose;
  object_class->get_property = co2s_dlq_window_get_property;
  widget_class->map = co2s_dlq_window_map;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/co2stream/Co2stream/ui/dlq-window.ui");
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, reason_dropdown);
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, Co2sDlqWindow, payload_view);

  gtk_widget_class_install_action (widget_class, "dlq.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "dlq.redrive", NULL, redrive_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "dlq.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "dlq.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "dlq.redrive", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
co2s_dlq_window_init (Co2sDlqWindow *self)
{
  GtkFilterListModel *filtered;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->letters = g_list_store_new (CO2S_TYPE_DEAD_LETTER);
  self->reasons = gtk_string_list_new ((const char * const[]) { _("All reasons"), NULL });
  self->filter = gtk_custom_filter_new (filter_letter, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->letters)),
                                        GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (filtered));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_drop_down_set_model (self->reason_dropdown, G_LIST_MODEL (self->reasons));

  add_column (self, _("Offset"), COL_OFFSET, FALSE);
  add_column (self, _("Time"), COL_TIME, FALSE);
  add_column (self, _("Reason"), COL_REASON, FALSE);
  add_column (self, _("Source"), COL_SOURCE, FALSE);
  add_column (self, _("Detail"), COL_DETAIL, TRUE);
  add_column (self, _("Sent Back"), COL_SENT_BACK, FALSE);

  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->reason_dropdown, "notify::selected", G_CALLBACK (reason_changed_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dlq.redrive", FALSE);
}

Co2sDlqWindow *
co2s_dlq_window_new (Co2sPipelineController *controller)
{
  Co2sDlqWindow *self;

  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (controller), NULL);

  self = g_object_new (CO2S_TYPE_DLQ_WINDOW, NULL);
  self->controller = g_object_ref (controller);
  return self;
}

Co2sDlqWindow *
co2s_dlq_window_present (GtkWindow *parent,
                         Co2sPipelineController *controller)
{
  GtkApplication *app;
  Co2sDlqWindow *self = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CO2S_IS_PIPELINE_CONTROLLER (controller), NULL);

  app = gtk_window_get_application (parent);
  if (app != NULL)
    for (GList *l = gtk_application_get_windows (app); l != NULL && self == NULL; l = l->next)
      if (CO2S_IS_DLQ_WINDOW (l->data))
        self = l->data;
  if (self != NULL)
    {
      co2s_dlq_window_refresh (self);
    }
  else
    {
      self = co2s_dlq_window_new (controller);
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      if (app != NULL)
        gtk_window_set_application (GTK_WINDOW (self), app);
    }
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

gboolean
co2s_dlq_window_get_busy (Co2sDlqWindow *self)
{
  g_return_val_if_fail (CO2S_IS_DLQ_WINDOW (self), FALSE);
  return self->busy;
}

GtkSelectionModel *
co2s_dlq_window_get_selection (Co2sDlqWindow *self)
{
  g_return_val_if_fail (CO2S_IS_DLQ_WINDOW (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

const char *
co2s_dlq_window_get_status (Co2sDlqWindow *self)
{
  g_return_val_if_fail (CO2S_IS_DLQ_WINDOW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

char *
co2s_dlq_window_dup_payload_text (Co2sDlqWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CO2S_IS_DLQ_WINDOW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->payload_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
