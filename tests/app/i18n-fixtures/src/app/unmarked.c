/* Fixture of check-i18n.py's self-test (never compiled). */
#include <glib/gi18n.h>

static void
fixture (GtkLabel *label, GtkWindow *window, int n)
{
  gtk_label_set_text (label, _("Marked and fuzzy"));
  gtk_label_set_text (label, _("Marked but untranslated"));
  gtk_label_set_text (label, _("Missing from the catalogue"));
  g_print (ngettext ("%s files", "%s files", n), "x");
  gtk_window_set_title (window, "Bare window title");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), "Bare tooltip");
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ok", "Bare response", NULL);
  gtk_label_set_text (label, "—");
  gtk_label_set_text (label, "Deliberately plain"); /* no-i18n */
}
