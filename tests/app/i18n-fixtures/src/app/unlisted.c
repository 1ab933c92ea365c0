/* Fixture of check-i18n.py's self-test: marked strings, not in POTFILES.in. */
#include <glib/gi18n.h>

static const char *text = N_("Unlisted");
