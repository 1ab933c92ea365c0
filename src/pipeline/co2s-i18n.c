/* co2s-i18n.c — translations of co2stream's programs. */
#define G_LOG_DOMAIN "co2s-i18n"

#include "co2s-i18n.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

void
co2s_i18n_init (void)
{
  const char *localedir = g_getenv ("CO2S_LOCALEDIR");
  g_autofree char *build_localedir = NULL;

  setlocale (LC_ALL, "");

  if ((localedir == NULL || localedir[0] == '\0') && co2s_is_uninstalled ())
    {
      /* po/meson.build compiles po/<lang>/LC_MESSAGES/co2stream.mo here. */
      build_localedir = g_build_filename (CO2S_BUILD_ROOT, "po", NULL);
      localedir = build_localedir;
    }
  if (localedir == NULL || localedir[0] == '\0')
    localedir = CO2S_LOCALEDIR;

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

gboolean
co2s_is_uninstalled (void)
{
  static gsize initialized;
  static gboolean uninstalled;

  if (g_once_init_enter (&initialized))
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

      uninstalled = exe != NULL && g_str_has_prefix (exe, CO2S_BUILD_ROOT "/");
      g_once_init_leave (&initialized, 1);
    }

  return uninstalled;
}

void
co2s_print_error (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (format != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: an error of a command-line program: "PROGRAM: MESSAGE" */
  g_printerr (_("%s: %s\n"), g_get_prgname () ? g_get_prgname () : "co2stream", message);
}

void
co2s_print_help_hint (void)
{
  const char *program = g_get_prgname () ? g_get_prgname () : "co2stream";

  /* Translators: %s is the program, e.g. co2stream-predict */
  g_printerr (_("Run “%s --help” to see the options.\n"), program);
}
