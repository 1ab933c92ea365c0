/* Fixture of check-i18n.py's self-test (never compiled): a command-line program. */
#include <glib/gi18n.h>

static char *opt_marked;
static gboolean opt_none;

static const GOptionEntry entries[] = {
  { "marked", 'm', 0, G_OPTION_ARG_STRING, &opt_marked, N_("Marked option description"), N_("MARKED_ARG") },
  { "bare", 0, 0, G_OPTION_ARG_NONE, &opt_none, "Bare option description", NULL },
  { "arg", 0, 0, G_OPTION_ARG_STRING, &opt_marked, N_("Marked option description"), "BARE_ARG" },
  { "none", 0, 0, G_OPTION_ARG_NONE, &opt_none, NULL, NULL },
  G_OPTION_ENTRY_NULL
};

static void
fixture (void)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- bare parameter string");
}
